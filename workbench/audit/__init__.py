"""The audit log: an append-only, hash-chained record of every operation that changes what the database
knows or who gets contacted (loads, match and household runs, review decisions, selection changes,
exports, erasures, opt-outs added or withdrawn, overrides of suppressions or freshness).

- :func:`record(conn, action, target=None, details=None) -> int`: append one row, inside the operation's
  own transaction. ``details``: ids, counts, file names and salted hashes only, never personal data.
- :func:`audit_entries(conn, since=, action=, target=, limit=, offset=) -> (rows, total)`: read it back.
- :func:`verify_chain(conn) -> ChainCheck`: recompute every hash (set-based); ``head_hash`` to note elsewhere.

See docs/trust.md for the actions each capability records and what the chain does and does not prove.
"""

from workbench.audit.chain import GENESIS, row_hash, row_hash_sql
from workbench.audit.log import (
    ChainCheck,
    actor_name,
    audit_actions,
    audit_entries,
    details_text,
    record,
    verify_chain,
)

__all__ = ["GENESIS", "ChainCheck", "actor_name", "audit_actions", "audit_entries", "details_text", "record",
           "row_hash", "row_hash_sql", "verify_chain"]
