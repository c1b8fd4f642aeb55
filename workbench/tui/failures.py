"""The one place a failed job becomes something an operator reads: an error modal or a notification.

A :class:`~workbench.errors.WorkbenchError` shows its message and hint; anything else shows one plain
line (the exception's type and first line), never a traceback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from textual.worker import Worker, WorkerState

from workbench.errors import Cancelled, WorkbenchError

if TYPE_CHECKING:
    from textual.app import App

# Worker groups whose failures are told in a notification (background refreshes), not a modal.
QUIET_GROUPS = {"freshness-summary"}


def describe_failure(error: BaseException | None) -> tuple[str, str | None]:
    """(message, hint) for an operator."""
    if isinstance(error, WorkbenchError):
        return error.message, error.hint
    if error is None:
        return "The job stopped without saying why.", None
    lines = str(error).strip().splitlines()
    first = f": {lines[0][:200]}" if lines else ""
    return (
        f"Unexpected failure ({type(error).__name__}{first}).",
        "The database is unchanged by the unfinished job. Run workbench with WORKBENCH_DEBUG=1 "
        "from the CLI to see the details.",
    )


def report_failure(app: App, worker: Worker) -> None:
    """Tell the operator that ``worker`` failed, in plain words."""
    message, hint = describe_failure(worker.error)
    doing = worker.name or "finish the job"
    if isinstance(worker.error, Cancelled):
        app.notify(escape(message + (f" {hint}" if hint else "")), title="Cancelled", severity="warning")
    elif worker.group in QUIET_GROUPS:
        app.notify(escape(message), title=f"Could not {doing}", severity="error", timeout=10)
    else:
        from workbench.tui.modals.error import ErrorModal

        app.push_screen(ErrorModal(message, hint, title=f"Could not {doing}"))


class ReportsWorkerFailures:
    """Mixin for screens: a failed worker is reported once, and spinners it left behind stop."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        for widget in self.query("*"):  # type: ignore[attr-defined]
            if widget.loading:
                widget.loading = False
        self.job_failed(event.worker)
        report_failure(self.app, event.worker)  # type: ignore[attr-defined]

    def job_failed(self, worker: Worker) -> None:
        """Hook: undo what a screen showed while ``worker`` ran (a progress bar, a disabled button)."""
