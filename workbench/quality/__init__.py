"""Know your own accuracy (issue 18): review samples, estimates with intervals, and the export gate.

Public surface:

- :func:`draw_sample(store, sizes, seed) -> SampleResult`: bring persons, households and suppressions up to
  date, then draw a stratified, seeded sample and queue it for review (one audited transaction).
- :func:`answer_item(store, item_id, answer) -> dict`: same / different / skip, an ordinary review decision
  (review.answer on an open connection).
- :func:`workbench.quality.gate.current(conn)`, :func:`workbench.quality.gate.history(conn)`: the estimates.
- :func:`workbench.quality.gate.check_export(conn) -> QualityGate` and :func:`export_gate`: the gate every
  export passes through; ``QualityGate.to_manifest()`` is what the manifest carries.

The arithmetic (Wilson, stratum weights, capture-recapture) is in :mod:`workbench.quality.stats`; the
estimates and their assumptions in :mod:`workbench.quality.estimate` and docs/quality.md.
"""

from __future__ import annotations

from typing import Any

import duckdb

from workbench.errors import RefusedError
from workbench.quality.gate import QualityGate, check_export, current, history
from workbench.quality.review import ANSWERS, answer, counts, evidence, queue
from workbench.quality.sample import AREAS, DEFAULT_SIZES, SampleResult, draw
from workbench.store import Store

__all__ = [
    "ANSWERS",
    "AREAS",
    "DEFAULT_SIZES",
    "QualityGate",
    "SampleResult",
    "answer",
    "answer_item",
    "check_export",
    "counts",
    "current",
    "draw_sample",
    "evidence",
    "export_gate",
    "history",
    "queue",
]


def draw_sample(
    store: Store, sizes: dict[str, int] | None = None, seed: int = 1, by: str | None = None
) -> SampleResult:
    from workbench.ingest.derived import ensure_derived
    from workbench.select.ready import make_ready
    from workbench.suppress import ensure_person_suppressions

    make_ready(store)  # unmatched records matched, pending moves applied (each audited)
    with store.transaction() as conn:
        ensure_derived(conn)
        ensure_person_suppressions(conn)
        return draw(conn, {**DEFAULT_SIZES, **(sizes or {})}, seed=seed, by=by)


def answer_item(store: Store, item_id: int, given: str, by: str | None = None) -> dict[str, Any]:
    with store.transaction() as conn:
        return answer(conn, item_id, given, by)


def export_gate(conn: duckdb.DuckDBPyConnection, name: str, allow_unmeasured: bool) -> QualityGate:
    """The export path's call: refuse (RefusedError) when the gate blocks and the operator did not allow it;
    when allowed, record the override in the audit log (inside the export's transaction)."""
    gate = check_export(conn)
    if gate.blocked and not allow_unmeasured:
        raise RefusedError(
            f"Export of {name!r} refused: " + "; ".join(gate.problems) + ".",
            "Draw and review a new sample (`workbench quality sample`, then the Quality screen), or "
            "export anyway with --allow-unmeasured (recorded in the manifest and the audit log).",
        )
    if gate.blocked:
        from workbench import audit

        gate.overridden = True
        audit.record(
            conn,
            "quality.override",
            name,
            {"problems": len(gate.problems), "sample_id": gate.summary.get("sample_id")},
        )
    return gate
