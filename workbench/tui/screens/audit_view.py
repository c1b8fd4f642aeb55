"""The audit log: who did what and when, newest first, a page at a time; filter by action (and its
sub-actions) and date; ``v`` checks the hash chain of the whole log; the selected row's details below.

Reads only (``audit_view_jobs``: a read-only connection per job, closed at once). The rows hold no personal
data by rule (ids, counts, file names, hashes), so they are shown as they are.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from workbench.tui.screens.audit_view_jobs import PAGE, AuditPage, check_chain, read_page
from workbench.tui.screens.base import WorkbenchScreen
from workbench.tui.widgets import cells

COLUMNS = ("id", "when", "actor", "action", "target", "details")


def details_line(details: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in details.items())


class AuditScreen(WorkbenchScreen):
    MODE = "audit"
    AUTO_FOCUS = "#audit"
    DEFAULT_CSS = """
    AuditScreen #audit-filters { height: 3; }
    AuditScreen #audit-action { width: 30; }
    AuditScreen #audit-since { width: 24; }
    AuditScreen #audit-count { padding: 1 1; color: $text-muted; }
    AuditScreen #audit { height: 1fr; }
    AuditScreen #audit-details { height: auto; max-height: 12; padding: 0 1; }
    AuditScreen #audit-chain { padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("R", "refresh_audit", "Refresh", id="audit.refresh"),
        Binding("v", "verify_chain", "Verify chain", id="audit.verify"),
        Binding("n", "next_page", "Older", id="audit.next"),
        Binding("p", "previous_page", "Newer", id="audit.previous"),
        Binding("slash", "focus_filter", "Filter", id="audit.filter"),
    ]

    class AuditRead(Message):
        def __init__(self, page: AuditPage) -> None:
            super().__init__()
            self.page = page

    class ChainChecked(Message):
        def __init__(self, check: Any) -> None:
            super().__init__()
            self.check = check

    def __init__(self) -> None:
        super().__init__()
        self.page_start = 0
        self.total = 0
        self.focus_rows = False
        self.rows: dict[str, dict[str, Any]] = {}

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="audit-filters"):
            yield Input(placeholder="action (load, erasure, suppression...)", id="audit-action")
            yield Input(placeholder="since YYYY-MM-DD", id="audit-since")
            yield Static("", id="audit-count")
        yield DataTable(id="audit", cursor_type="row", zebra_stripes=True)
        yield Static("", id="audit-details")
        yield Static("", id="audit-chain")

    def on_mount(self) -> None:
        table = self.query_one("#audit", DataTable)
        for label in COLUMNS:
            table.add_column(label, key=label)
        self.action_refresh_audit()

    # -- reading ----------------------------------------------------------------------------------
    def action_refresh_audit(self) -> None:
        self.query_one("#audit", DataTable).loading = True
        self._read(self.query_one("#audit-action", Input).value.strip(),
                   self.query_one("#audit-since", Input).value.strip(), self.page_start)

    @work(thread=True, exclusive=True, group="audit", name="read the audit log", exit_on_error=False)
    def _read(self, action: str, since: str, offset: int) -> None:
        page = read_page(self.store, action, since, offset)
        if self.still_wanted():
            self.post_message(self.AuditRead(page))

    @on(AuditRead)
    def _show(self, message: AuditRead) -> None:
        page = message.page
        table = self.query_one("#audit", DataTable)
        table.clear()
        table.loading = False
        if self.focus_rows:
            self.focus_rows = False
            table.focus()
        count = self.query_one("#audit-count", Static)
        if page.error:
            count.update(Content.styled(page.error, "red"))
            return
        self.total, self.page_start = page.total, page.offset
        self.rows = {str(r["id"]): r for r in page.rows}
        for r in page.rows:
            table.add_row(cells.identifier(r["id"]), cells.when(r["logged_at"]), cells.text(r["actor"], "dim"),
                          cells.text(r["action"], "bold"), cells.clip(r["target"], 30),
                          cells.clip(details_line(r["details"]), 80), key=str(r["id"]))
        last = page.offset + len(page.rows)
        count.update(Content(f"{page.offset + 1 if page.rows else 0:,}-{last:,} of {page.total:,} rows"
                             if page.total > len(page.rows) else f"{page.total:,} rows"))
        self._show_details(next(iter(self.rows), None))

    @on(Input.Submitted)
    def _filter(self, _event: Input.Submitted) -> None:
        self.page_start = 0
        self.focus_rows = True  # once they are shown (a table that is loading takes no focus)
        self.action_refresh_audit()

    def action_focus_filter(self) -> None:
        self.query_one("#audit-action", Input).focus()

    def action_next_page(self) -> None:
        if self.page_start + PAGE < self.total:
            self.page_start += PAGE
            self.action_refresh_audit()

    def action_previous_page(self) -> None:
        if self.page_start:
            self.page_start = max(0, self.page_start - PAGE)
            self.action_refresh_audit()

    @on(DataTable.RowHighlighted, "#audit")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_details(event.row_key.value)

    def _show_details(self, key: str | None) -> None:
        r = self.rows.get(key or "")
        panel = self.query_one("#audit-details", Static)
        if r is None:
            panel.update("")
            return
        body = json.dumps(r["details"], indent=1, ensure_ascii=False, default=str)
        panel.update(Text.assemble((f"{r['action']} {r['target'] or ''}", "bold"), f"  hash {r['hash'][:16]}…\n",
                                   body))

    # -- the chain --------------------------------------------------------------------------------
    def action_verify_chain(self) -> None:
        self.query_one("#audit-chain", Static).update(Content.styled("checking the hash chain…", "dim"))
        self._verify()

    @work(thread=True, exclusive=True, group="audit-verify", name="verify the audit chain", exit_on_error=False)
    def _verify(self) -> None:
        self.post_message(self.ChainChecked(check_chain(self.store)))

    @on(ChainChecked)
    def _checked(self, message: ChainChecked) -> None:
        c = message.check
        panel = self.query_one("#audit-chain", Static)
        if c.ok:
            panel.update(Text(f"chain intact: {c.rows:,} rows, head hash {c.head_hash}", style="green"))
            self.notify("Audit log intact.")
        else:
            first = c.broken[0]
            panel.update(Text(f"log BROKEN at {first.get('where') or 'row ' + str(first['id'])}: {first['problem']} ({len(c.broken)} problem(s) "
                              f"shown)", style="bold red"))
            self.notify("The audit log was changed outside workbench.", severity="error")
