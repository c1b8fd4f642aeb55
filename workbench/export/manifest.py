"""The manifest written beside every export file (``FILE.manifest.json``): what was exported, how it was
counted, how fresh every source was, and the file's sha256, so the file can be checked and traced."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from workbench import __version__

MANIFEST_SUFFIX = ".manifest.json"
NEUTRALISED_RULE = ("text cells starting with =, +, -, @, tab or carriage return are prefixed with a single "
                    "quote; numbers and dates are written as they are")


def build_manifest(*, export_id: int, selection: Any, toml: str, waterfall: Any, freshness: list[Any],
                   read_sources: set[str], allowed_stale: list[str], file: Any, fmt: str, columns: list[str],
                   rows_by_cell: dict[str, int], seeds: int, held_out: dict[str, int], campaign: str,
                   contact_date: date, exported_at: datetime, exported_by: str, database: str,
                   overrides: dict[str, Any]) -> dict[str, Any]:
    return {
        "manifest_version": 1,
        "workbench_version": __version__,
        "export_id": export_id,
        "exported_at": exported_at.isoformat(),
        "exported_by": exported_by,
        "database": database,
        "campaign": campaign,
        "contact_date": contact_date.isoformat(),
        "file": {"name": file.target.name, "path": str(file.target), "format": fmt, "sha256": file.sha256,
                 "bytes": file.bytes, "rows": file.rows, "columns": columns, "neutralised": NEUTRALISED_RULE},
        "rows": {"persons": sum(rows_by_cell.values()), "seeds": seeds, "by_cell": rows_by_cell,
                 "held_out_by_cell": held_out},
        "selection": {"name": selection.name, "version": selection.version, "definition": selection.to_dict(),
                      "toml": toml},
        "suppressions": overrides,
        "waterfall": waterfall.to_dict(),
        "freshness": [{**_fresh(f), "read_by_selection": f.name in read_sources} for f in freshness],
        "allowed_stale": allowed_stale,
    }


def _fresh(f: Any) -> dict[str, Any]:
    return {"source": f.name, "kind": f.kind, "status": f.status, "age": f.age_text, "age_s": f.age_s,
            "as_of": f.as_of.isoformat() if f.as_of else None,
            "last_load_at": f.last_load_at.isoformat() if f.last_load_at else None}


def manifest_text(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, indent=2, default=str, ensure_ascii=False) + "\n"
