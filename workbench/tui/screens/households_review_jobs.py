"""The Households screen's jobs: read a page and a household, record a decision, rebuild every household
(with progress and a cancel point between its stages). Each runs under the TUI's database turn."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from workbench.store import Store
from workbench.tui.jobs import cancel_point, database_job, reading, stoppable

PAGE = 500  # households fetched and shown at a time


def read_page(store: Store, needs_review: bool, search: str | None, offset: int) -> dict[str, Any]:
    from workbench.households.queries import list_households, summary

    with reading(store) as conn:
        found, total = list_households(
            conn, needs_review=needs_review, search=search, limit=PAGE, offset=offset
        )
        return {"rows": found, "total": total, "offset": offset, "summary": summary(conn)}


def read_household(store: Store, household_id: int) -> dict[str, Any] | None:
    from workbench.households.queries import household

    with reading(store) as conn:
        return household(conn, household_id)


def accept(store: Store, household_id: int) -> dict[str, Any]:
    from workbench.households.decisions import accept

    with database_job(store):
        return accept(store, household_id=household_id)


def split(store: Store, household_id: int, person_ids: list[int]) -> dict[str, Any]:
    from workbench.households.decisions import split

    with database_job(store):
        return split(store, household_id=household_id, person_ids=person_ids)


def move_member(store: Store, person_id: int, to_household_id: int) -> dict[str, Any]:
    from workbench.households.decisions import move_member

    with database_job(store):
        return move_member(store, person_id=person_id, to_household_id=to_household_id)


def merge(store: Store, household_id: int, other_household_id: int) -> dict[str, Any]:
    from workbench.households.decisions import merge

    with database_job(store):
        return merge(store, household_id=household_id, other_household_id=other_household_id)


def rebuild(
    store: Store, progress: Callable[[str, float], None], cancelled: threading.Event
) -> dict[str, Any]:
    """``workbench households``: every household recomputed in one transaction; once ``cancelled`` is set
    it stops at the next stage and the transaction rolls back (the database is unchanged)."""
    from workbench.households import run_households

    step = cancel_point(progress, cancelled, "The household rebuild")
    step("waiting for the database", 0.0)
    with database_job(store), stoppable(store, cancelled, "The household rebuild"):
        return run_households(store, progress=step)
