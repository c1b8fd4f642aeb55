"""The customer view: one person on one screen, opened from any list of persons.

Golden record with the source of each field, every source record, household and its members,
transactions by brand and the latest orders, contact history, the suppressions that apply and why,
the triggers that fire now, merge decisions and open merge candidates.

To open it from another screen (any table of persons)::

    from workbench.tui.screens.customer import open_customer
    open_customer(self.app, person_id)

or post :class:`ShowCustomer` from a widget of a screen that mixes in :class:`OpensCustomers`. The
view is pushed over the current screen; Escape goes back. On the household and merge tables, Enter
opens the person of the row.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Static

from workbench.tui.screens.base import WorkbenchScreen
from workbench.tui.screens.customer_jobs import erase_person, read_customer

SECTIONS = ("golden", "records", "household", "brands", "segments", "orders", "contacts", "suppressions", "triggers", "merges")


def open_customer(app: App, person_id: int) -> None:
    """Push the customer view of ``person_id`` over the current screen."""
    app.push_screen(CustomerScreen(int(person_id)))


class ShowCustomer(Message):
    """Ask for the customer view of ``person_id`` (handled by screens that mix in :class:`OpensCustomers`)."""

    def __init__(self, person_id: int) -> None:
        super().__init__()
        self.person_id = person_id


class OpensCustomers:
    """Mixin for screens: a :class:`ShowCustomer` posted by one of their widgets opens the view."""

    def on_show_customer(self, message: ShowCustomer) -> None:
        message.stop()
        open_customer(self.app, message.person_id)  # type: ignore[attr-defined]


class CustomerScreen(WorkbenchScreen):
    MODE = ""
    AUTO_FOCUS = "#c-golden"
    DEFAULT_CSS = """
    CustomerScreen #customer-title { text-style: bold; color: $accent; padding: 0 1; height: auto; }
    CustomerScreen #customer-body { height: 1fr; }
    CustomerScreen DataTable { height: auto; max-height: 14; }
    CustomerScreen .empty-note { color: $text-muted; padding: 0 2; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="customer.close"),
        Binding("R", "refresh_customer", "Refresh", id="customer.refresh"),
        Binding("E", "erase_person", "Erase (GDPR)", id="customer.erase"),
    ]

    class CustomerRead(Message):
        def __init__(self, view: dict[str, Any]) -> None:
            super().__init__()
            self.view = view

    class CustomerErased(Message):
        def __init__(self, result: Any) -> None:
            super().__init__()
            self.result = result

    def __init__(self, person_id: int) -> None:
        super().__init__()
        self.person_id = person_id
        self.view: dict[str, Any] | None = None
        self.row_persons: dict[str, list[int | None]] = {}

    def compose_body(self) -> ComposeResult:
        yield Static(Content(f"Person {self.person_id}"), id="customer-title")
        with VerticalScroll(id="customer-body"):
            for key in SECTIONS:
                yield Static("", id=f"t-{key}", classes="section-title")
                yield DataTable(id=f"c-{key}", cursor_type="row", zebra_stripes=True)
                yield Static("", id=f"e-{key}", classes="empty-note")

    def on_mount(self) -> None:
        self.query_one("#customer-body").loading = True
        self._read()

    def action_close(self) -> None:
        self.app.pop_screen()

    def action_refresh_customer(self) -> None:
        self.query_one("#customer-body").loading = True
        self._read()

    def action_erase_person(self) -> None:
        """Erasure on request: a reason, a confirmation, then the erase in a worker (it cannot be undone)."""
        from workbench.tui.modals.confirm import ConfirmModal
        from workbench.tui.modals.prompt import PromptModal

        def confirmed(yes: bool | None, reason: str) -> None:
            if yes:
                self.query_one("#customer-body").loading = True
                self._erase(reason)

        def reasoned(reason: str | None) -> None:
            if reason:
                self.app.push_screen(ConfirmModal(
                    f"Erase person {self.person_id}?",
                    "Their personal data leaves every table and the file; a hashed tombstone keeps them "
                    "suppressed if a later load brings them back. This cannot be undone.",
                    yes="Erase", no="Keep"), lambda yes: confirmed(yes, reason))

        self.app.push_screen(PromptModal("Reason for the erasure", "",
                                         placeholder="e.g. GDPR request 2026-118 by e-mail"), reasoned)

    @work(thread=True, exclusive=True, group="customer-erase", name="erase the person", exit_on_error=False)
    def _erase(self, reason: str) -> None:
        self.post_message(self.CustomerErased(erase_person(self.store, self.person_id, reason)))

    @on(CustomerErased)
    def _erased(self, message: CustomerErased) -> None:
        self.notify(f"Person {self.person_id} erased; a tombstone keeps them suppressed.", title="Erasure")
        self.app.data_changed()  # type: ignore[attr-defined]
        self.app.pop_screen()

    @work(thread=True, exclusive=True, group="customer", name="read the customer view", exit_on_error=False)
    def _read(self) -> None:
        self.post_message(self.CustomerRead(read_customer(self.store, self.person_id)))

    @on(CustomerRead)
    def _show(self, message: CustomerRead) -> None:
        from workbench.contacts.customer_text import customer_sections, title_line

        self.view = message.view
        self.query_one("#customer-title", Static).update(Content(title_line(message.view)))
        for section in customer_sections(message.view):
            self.query_one(f"#t-{section.key}", Static).update(Content(section.title))
            table = self.query_one(f"#c-{section.key}", DataTable)
            table.clear(columns=True)
            for header in section.headers:
                table.add_column(header)
            for i, row in enumerate(section.rows):
                table.add_row(*(Text(v) for v in row), key=str(i))
            table.display = bool(section.rows)
            note = self.query_one(f"#e-{section.key}", Static)
            note.update(Content(section.empty))
            note.display = not section.rows
            self.row_persons[section.key] = section.person_ids
        self.query_one("#customer-body").loading = False

    @on(DataTable.RowSelected)
    def _open_person(self, event: DataTable.RowSelected) -> None:
        key = (event.data_table.id or "")[2:]
        persons = self.row_persons.get(key) or []
        index = int(event.row_key.value or 0)
        if index < len(persons) and persons[index] is not None and persons[index] != self.person_id:
            open_customer(self.app, persons[index])
