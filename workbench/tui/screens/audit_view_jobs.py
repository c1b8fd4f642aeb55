"""The Audit screen's jobs: read-only reads of the audit log (a connection per job, closed at once)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workbench.errors import WorkbenchError
from workbench.store import Store
from workbench.tui.jobs import reading

PAGE = 200  # rows fetched and shown at a time


@dataclass
class AuditPage:
    rows: list[dict[str, Any]]
    total: int
    offset: int
    error: str | None = None


def read_page(store: Store, action: str | None, since: str | None, offset: int) -> AuditPage:
    from workbench.audit import audit_entries

    try:
        with reading(store) as conn:
            found, total = audit_entries(
                conn, since=since or None, action=action or None, limit=PAGE, offset=offset
            )
    except WorkbenchError as exc:  # a date that is not one: say so where the rows would be
        return AuditPage([], 0, 0, exc.message)
    return AuditPage(found, total, offset)


def check_chain(store: Store) -> Any:
    """:func:`workbench.audit.verify_chain` over the whole log."""
    from workbench.audit import verify_chain

    with reading(store) as conn:
        return verify_chain(conn)
