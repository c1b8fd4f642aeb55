"""The one clock of the product.

Every "now" in workbench comes from :func:`now`, so tests (and the demo database, which keeps a frozen
clock) can set it. Order of precedence: a value set with :func:`set_now`, then the ``WORKBENCH_NOW``
environment variable (ISO timestamp), then the wall clock. Times are naive local timestamps, as DuckDB
TIMESTAMP columns store them.
"""

from __future__ import annotations

import os
from datetime import datetime

_fixed: datetime | None = None


def now() -> datetime:
    if _fixed is not None:
        return _fixed
    env = os.environ.get("WORKBENCH_NOW")
    if env:
        return datetime.fromisoformat(env)
    return datetime.now().replace(microsecond=0)


def set_now(value: datetime | str | None) -> None:
    """Freeze the clock at ``value`` (``None`` gives it back to the wall clock)."""
    global _fixed
    _fixed = datetime.fromisoformat(value) if isinstance(value, str) else value


def is_frozen() -> bool:
    return _fixed is not None or bool(os.environ.get("WORKBENCH_NOW"))
