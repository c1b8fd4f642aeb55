"""The Freshness figures (read by the app for every header and the Freshness screen)."""

from __future__ import annotations

from typing import Any

from workbench.store import Store
from workbench.tui.jobs import reading


def fetch_freshness(store: Store) -> list[Any]:
    """Every source's :class:`workbench.freshness.SourceFreshness`."""
    from workbench.freshness import source_freshness

    with reading(store) as conn:
        return source_freshness(conn)
