"""The profile report: share what the database knows with the rest of the company."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.errors import WorkbenchError
from workbench.report.profile import build_profile
from workbench.report.render import to_html, to_markdown

__all__ = ["build_profile", "to_html", "to_markdown", "write_report"]


def write_report(store, out: str | Path, fmt: str | None = None, period: str | None = None,
                 force: bool = False) -> dict[str, Any]:
    """Build the profile and write it to ``out`` atomically (a private temporary file renamed into place;
    an existing ``out`` only with ``force``; never the database file, a FIFO or a device)."""
    from workbench.export.writer import check_target, write_text
    from workbench.ingest.derived import ensure_derived

    out = check_target(out, force=force, database=store.path)
    fmt = (fmt or ("md" if out.suffix.lower() in (".md", ".markdown", ".txt") else "html")).lower()
    if fmt not in ("html", "md"):
        raise WorkbenchError(f"Unknown report format {fmt!r}.", "Use --format html or --format md.")
    with store.transaction() as conn:
        ensure_derived(conn)
        profile = build_profile(conn, period)
    text = to_html(profile) if fmt == "html" else to_markdown(profile)
    written = write_text(out, text, overwrite=force, database=store.path)
    return {"out": str(out), "format": fmt, "bytes": written, "period": profile["period"]}
