"""Privacy: erasure with tombstones, the registry of tables that hold personal data, wiping the file's
free space, and the legal clocks on suppressions.

- :func:`erase(store, email=|phone=|person_id=, reason=None, allow_many=False, wipe=True) -> ErasureResult`
  and :func:`erase_in(conn, ...)` (inside a caller's transaction, no wipe).
- :func:`preview_erasure(conn, email=|phone=|person_id=) -> dict`: who a request reaches (no change).
- :data:`PERSONAL_DATA` / :func:`register`: the tables that hold personal data and what erasure does to them.
- :func:`legal_clocks(conn) -> list[LegalClock]`, :func:`legal_clock_gate(conn, channel) -> list[str]`.
- :func:`scrub_file(conn, before)`, :func:`compact_database(store)`: erased values out of the file too.

See docs/trust.md.
"""

from workbench.privacy.clocks import LegalClock, business_days_between, legal_clock_gate, legal_clocks
from workbench.privacy.compact import compact_database
from workbench.privacy.erase import ErasureResult, erase, erase_in
from workbench.privacy.preview import preview_erasure
from workbench.privacy.registry import PERSONAL_DATA, PersonalData, register
from workbench.privacy.wipe import scrub_file, storage_map

__all__ = ["PERSONAL_DATA", "ErasureResult", "LegalClock", "PersonalData", "business_days_between", "erase",
           "compact_database", "erase_in", "legal_clock_gate", "legal_clocks", "preview_erasure", "register",
           "scrub_file", "storage_map"]
