"""Suppressions: who must not be contacted, by channel (mail, email, phone, all) and brand (or globally).

Public surface (every function takes a DuckDB connection; the ones that may rebuild need it writable):

- :func:`ensure_person_suppressions(conn) -> bool` (re)materialises ``person_suppressions(person_id,
  suppression, channel, brand, reason, match_on, record_id, effective_date, matched_by, explanation)`` when its inputs changed
  (loads, manual opt-outs, match runs, golden records, applied moves, the date); a no-op otherwise.
- :func:`applicable_suppressions(conn, channel, brand) -> list[dict]`: the suppressions a selection
  applies, by name (``name, channel, brand, reason, match_on, entries, persons``).
- :func:`suppressed_persons_sql(channel, brand, names=None) -> (sql, params)` and
  :func:`suppression_filter(channel, brand, alias) -> (condition, params)`: the same rule as SQL.
- :func:`add_manual_suppression`, :func:`list_manual_suppressions`, :func:`remove_manual_suppression`.
- :func:`suppression_summary(conn) -> list[dict]`, :func:`check_contact(conn, email=, phone=, person_id=)`.
- :func:`run_suppressions(store) -> dict`: ensure in one transaction (the demo's post-load step).

Match rules (``workbench.suppress.rules``): email, phone, name_address, address, name_birth_date (a list
row with a birth date) and person (manual), against every address a person is known at (each record, the
golden record, old addresses of applied moves). Each person_suppressions row keeps ``matched_by`` and an
``explanation`` (which entry reached which record, by which rule and tolerances; migration 010).
An entry whose ``effective_date`` is after today does not apply yet. The built-in step
``ncoa_undeliverable`` (mail, global) lists persons the households capability marks undeliverable
after an NCOA 01/02/03 move (view ``person_deliverability``). The built-in ``erasure`` (every channel,
global) lists persons a later load brought back after an erasure: their standard email, phone or name +
address hashes to a tombstone (workbench.privacy). See docs/suppressions.md and docs/trust.md.
"""

from __future__ import annotations

from workbench.suppress.build import (
    ERASURE,
    MANUAL,
    NCOA_STEP,
    ensure_person_suppressions,
    inputs_stamp,
    manual_suppression_persons,
    run_suppressions,
)
from workbench.suppress.manual import (
    add_manual_suppression,
    count_manual_suppressions,
    get_manual_suppression,
    list_manual_suppressions,
    remove_manual_suppression,
)
from workbench.suppress.summary import (
    applicable_suppressions,
    check_contact,
    suppressed_persons_sql,
    suppression_filter,
    suppression_summary,
)

__all__ = [
    "ERASURE", "MANUAL", "NCOA_STEP", "add_manual_suppression", "applicable_suppressions", "check_contact",
    "count_manual_suppressions", "ensure_person_suppressions", "get_manual_suppression", "inputs_stamp", "list_manual_suppressions",
    "manual_suppression_persons", "remove_manual_suppression", "run_suppressions", "suppressed_persons_sql",
    "suppression_filter", "suppression_summary",
]
