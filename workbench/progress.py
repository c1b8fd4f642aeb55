"""Progress and cancel points for long core jobs (household rebuild, profile, load).

A long job takes an optional ``progress(message, fraction)`` callback and calls it between its stages.
The caller (the TUI, a CLI progress bar) shows the step, and may raise
:class:`workbench.errors.Cancelled` from the callback to stop the job there: the job runs inside one
store transaction, so the exception rolls everything back and the database is left as it was.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str, float], None]


def step(progress: Progress | None, message: str, fraction: float) -> None:
    """Report one stage done (and give the caller its chance to cancel)."""
    if progress is not None:
        progress(message, fraction)
