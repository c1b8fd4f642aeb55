"""Households: address -> household -> individual, change of address (NCOA moves), operators' decisions.

Public surface:

- :func:`run_households` (store): apply pending moves, then recompute every household, in one
  transaction. The demo runs it after matching; ``workbench households`` runs it.
- :func:`workbench.households.moves.apply_moves` / :func:`~workbench.households.moves.apply_address_overrides`
  (conn): change of address; the second is what a golden refresh must run afterwards.
- :mod:`workbench.households.decisions`: accept, move a member, split, merge (stored, honoured later).
- :mod:`workbench.households.queries`: households and members for the screens; the CSV export.
"""

from __future__ import annotations

import time
from typing import Any

from workbench.progress import Progress, step
from workbench.store import Store

__all__ = ["run_households", "recompute"]


def recompute(conn, progress: Progress | None = None) -> dict[str, Any]:
    """Bring standard addresses and golden records up to date, apply pending moves and recompute every
    household, on an open connection (inside the caller's transaction).

    ``progress(message, fraction)`` is called between the stages; raising
    :class:`workbench.errors.Cancelled` from it stops the run (the caller's transaction rolls back)."""
    from workbench.households.build import compute_households
    from workbench.households.moves import apply_moves
    from workbench.ingest.derived import ensure_derived

    t0 = time.perf_counter()
    step(progress, "standardising addresses and golden records", 0.0)
    ensure_derived(conn)  # standard addresses and golden records first
    derived_s = round(time.perf_counter() - t0, 3)
    step(progress, "applying moves", 0.15)
    moves = apply_moves(conn)
    moves_s = round(time.perf_counter() - t0 - derived_s, 3)
    result = compute_households(conn, moves_applied=moves.applied_now, progress=progress)
    result["timings"] = {"standardise": derived_s, "moves": moves_s, **result["timings"]}
    result["seconds"] = round(time.perf_counter() - t0, 3)
    result["moves"] = moves.to_dict()
    return result


def run_households(store: Store, progress: Progress | None = None) -> dict[str, Any]:
    """Apply pending moves and recompute every household, in one transaction. Returns counts and timings.

    A :class:`workbench.errors.Cancelled` raised by ``progress`` rolls the whole run back."""
    with store.transaction() as conn:
        return recompute(conn, progress)
