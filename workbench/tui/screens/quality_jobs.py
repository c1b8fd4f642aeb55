"""The Quality screen's jobs (worker threads; no widgets): each calls the core and returns plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.tui import jobs

QUEUE_FETCHED = 200  # items fetched per read of the queue


@dataclass
class QualityState:
    items: list[dict[str, Any]]
    counts: dict[str, int]
    estimates: dict[str, Any]
    evidence: dict[str, Any] | None = None
    note: str = ""
    names: dict[int, str] = field(default_factory=dict)


def read_queue(store, answer: tuple[int, str] | None = None) -> QualityState:
    """Apply ``answer`` (item id, same/different/skip) if any, then read the waiting items, the counts, the
    estimates and the first item's evidence (one transaction)."""
    from workbench import quality
    from workbench.audit import actor_name
    from workbench.quality.review import record_names

    note = ""
    with jobs.database_job(store), store.transaction() as conn:
        if answer:
            done = quality.answer(conn, answer[0], answer[1], actor_name())
            note = f"Item {answer[0]}: {answer[1]}" + (f" ({done['note']})" if done["note"] else "")
        items = quality.queue(conn, limit=QUEUE_FETCHED)
        ids = [x for i in items for x in (i["record_l"], i["record_r"]) if x is not None]
        names = record_names(conn, ids)
        evidence = quality.evidence(conn, items[0]["item_id"]) if items else None
        return QualityState(items, quality.counts(conn), quality.current(conn), evidence, note, names)


def read_evidence(store, item_id: int) -> dict[str, Any]:
    from workbench.quality import evidence

    with jobs.reading(store) as conn:
        return evidence(conn, item_id)


def draw_sample(store) -> str:
    from workbench.audit import actor_name
    from workbench.quality import draw_sample as draw

    with jobs.database_job(store):
        result = draw(store, by=actor_name())
    drawn = sum(result.drawn.values())
    return f"Sample {result.sample_id}: {drawn:,} items queued for review."
