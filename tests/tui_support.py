"""Shared by the Pilot tests: wait for the app's workers without sleeping."""

from __future__ import annotations

from textual.worker import WorkerCancelled, WorkerFailed

# DirectoryTree's loader worker waits for directories to read until the tree is removed: never wait on it.
FOREVER = frozenset({"_loader"})


async def settle(pilot, ignore: frozenset[str] | set[str] = FOREVER, rounds: int = 40) -> None:
    """Wait until no worker (but those named or grouped in ``ignore``) runs and the messages they posted
    were handled. A failed or cancelled (superseded) worker does not stop the wait: tests assert outcomes."""
    app = pilot.app

    def busy() -> list:
        return [w for w in app.workers if w.is_running and w.group not in ignore and w.name not in ignore]

    for _ in range(rounds):
        running = busy()
        if running:
            try:
                await app.workers.wait_for_complete(running)
            except (WorkerFailed, WorkerCancelled):
                pass
        await pilot.pause()
        if not busy():
            return


async def settle_still(pilot, quiet: int = 3, rounds: int = 60) -> None:
    """``settle`` and then wait until the screen stops changing: the same picture ``quiet`` pauses in a
    row. A DataTable sizes its columns and the footer dims its keys on idle, after the workers are done;
    a snapshot taken before that catches a half-laid-out screen on a busy machine."""
    await settle(pilot)
    app = pilot.app
    last, same = None, 0
    for _ in range(rounds):
        await pilot.pause(0.02)
        await pilot.wait_for_scheduled_animations()
        picture = app.export_screenshot()
        same = same + 1 if picture == last and not _tables_pending(app) else 0
        if same >= quiet:
            return
        last = picture


def _tables_pending(app) -> bool:
    """A DataTable of the screen has rows or cells it has not measured yet (it does that on idle, and a
    busy machine can hold the same half-sized picture for several pauses)."""
    from textual.widgets import DataTable

    return any(getattr(t, "_require_update_dimensions", False) or getattr(t, "_new_rows", None)
               or getattr(t, "_updated_cells", None) for t in app.screen.query(DataTable))
