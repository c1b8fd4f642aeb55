"""The profile report: share what the database knows with the rest of the company."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from workbench.errors import WorkbenchError
from workbench.report.profile import build_profile
from workbench.report.render import to_html, to_markdown

__all__ = ["build_profile", "to_html", "to_markdown", "write_report"]


def write_report(store, out: str | Path, fmt: str | None = None, period: str | None = None) -> dict[str, Any]:
    """Build the profile and write it to ``out`` atomically (a temporary file renamed into place)."""
    from workbench.ingest.derived import ensure_derived

    out = Path(out)
    fmt = (fmt or ("md" if out.suffix.lower() in (".md", ".markdown", ".txt") else "html")).lower()
    if fmt not in ("html", "md"):
        raise WorkbenchError(f"Unknown report format {fmt!r}.", "Use --format html or --format md.")
    if out.is_dir():
        raise WorkbenchError(f"{out} is a directory.", "Give a file name, e.g. --out profile.html.")
    with store.transaction() as conn:
        ensure_derived(conn)
        profile = build_profile(conn, period)
    text = to_html(profile) if fmt == "html" else to_markdown(profile)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, out)
    return {"out": str(out), "format": fmt, "bytes": len(text.encode()), "period": profile["period"]}
