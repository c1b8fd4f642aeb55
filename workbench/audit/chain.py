"""The hash chain of the audit log: how a row's hash is made, in Python (when it is written) and in SQL
(when the whole log is checked, set-based).

A row's hash is ``sha256(prev_hash + "\\n" + f(id) + "\\n" + f(logged_at) + "\\n" + f(action) + "\\n" + f(actor)
+ "\\n" + f(target) + "\\n" + f(details))`` in hex, where ``f(x)`` is ``"N"`` for NULL, else the byte length
of x in UTF-8, a colon and x (so no field can borrow bytes from its neighbour); ``logged_at`` is written
``YYYY-MM-DDTHH:MM:SS.ffffff`` and ``details`` is the JSON text exactly as stored. The first row's
``prev_hash`` is :data:`GENESIS` (64 zeros).
"""

from __future__ import annotations

import hashlib
from datetime import datetime

GENESIS = "0" * 64
AT_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"


def _field(value: str | None) -> str:
    if value is None:
        return "N"
    return f"{len(value.encode('utf-8'))}:{value}"


def row_hash(prev_hash: str, row_id: int, logged_at: datetime, action: str, actor: str | None, target: str | None,
             details: str | None) -> str:
    """The hash of one audit row (``details``: the JSON text as stored)."""
    parts = [prev_hash, _field(str(row_id)), _field(logged_at.strftime(AT_FORMAT)), _field(action), _field(actor),
             _field(target), _field(details)]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def _sql_field(expr: str) -> str:
    return f"CASE WHEN ({expr}) IS NULL THEN 'N' ELSE strlen({expr})::VARCHAR || ':' || ({expr}) END"


def row_hash_sql(alias: str = "a") -> str:
    """The same hash as a DuckDB expression over an ``audit_log`` alias."""
    fields = [f"{alias}.prev_hash", _sql_field(f"{alias}.id::VARCHAR"),
              _sql_field(f"strftime({alias}.logged_at, '{AT_FORMAT}')"), _sql_field(f"{alias}.action"),
              _sql_field(f"{alias}.actor"), _sql_field(f"{alias}.target"), _sql_field(f"{alias}.details::VARCHAR")]
    return "sha256(" + " || chr(10) || ".join(fields) + ")"
