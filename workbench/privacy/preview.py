"""What an erasure request would reach, without changing anything (for the confirmation)."""

from __future__ import annotations

from typing import Any

import duckdb

from workbench.privacy import subject as subj
from workbench.store.sql import scalar


def preview_erasure(conn: duckdb.DuckDBPyConnection, *, email: str | None = None, phone: str | None = None,
                    person_id: int | None = None) -> dict[str, Any]:
    """``{by, persons, person_ids, records, exports}`` of the request (no personal data: counts and ids)."""
    who = subj.find_subject(conn, email=email, phone=phone, person_id=person_id)
    subj.describe(conn, who)
    exports = subj.exports_with(conn)
    records = scalar(conn, "SELECT count(*) FROM _erase_records")
    subj.drop_temp(conn)
    return {"by": who.by, "persons": len(who.person_ids), "person_ids": who.person_ids[:50], "records": records,
            "exports": exports}
