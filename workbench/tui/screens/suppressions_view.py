"""Suppressions: each suppression with its channel, scope, rule and the persons it removes; the opt-outs
added by hand; ``a`` adds one (a form with a reason), ``x`` withdraws the selected one, ``R`` reads again.

Reading the figures may rebuild ``person_suppressions`` (after a load or a match run), so the jobs open a
write connection, in a worker, one at a time (``suppressions_view_jobs``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from workbench.formatting import plural
from workbench.tui import modals
from workbench.tui.modals import WorkbenchModal
from workbench.tui.screens.base import WorkbenchScreen
from workbench.tui.screens.suppressions_view_jobs import (
    SuppressionsOverview,
    add_opt_out,
    read_overview,
    withdraw_opt_out,
)
from workbench.tui.widgets import cells

# The figures an operator decides on come first, so they stay on screen at 120 columns; the long scope
# (every brand) goes last.
SUMMARY_COLUMNS = ("suppression", "persons", "entries", "later", "channel", "rule", "effective", "last load",
                   "scope")
MANUAL_COLUMNS = ("id", "added", "channel", "brand", "who", "reason", "by")


def who(m: dict[str, Any]) -> str:
    """The contact a manual opt-out names, in one line."""
    if m["email"]:
        return m["email"]
    if m["phone"]:
        return m["phone"]
    if m["person_id"] is not None:
        return f"person {m['person_id']}"
    return " ".join(x for x in (m["first_name"], m["last_name"], m["address_line1"], m["postal_code"]) if x)


class SuppressionsScreen(WorkbenchScreen):
    MODE = "suppressions"
    AUTO_FOCUS = "#suppressions"
    DEFAULT_CSS = """
    SuppressionsScreen #suppressions { height: 1fr; }
    SuppressionsScreen #manual { height: 1fr; }
    SuppressionsScreen #suppressions-note { color: $text-muted; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add_opt_out", "Add opt-out", id="suppressions.add"),
        Binding("x", "withdraw_opt_out", "Withdraw opt-out", id="suppressions.withdraw"),
        Binding("R", "refresh_suppressions", "Refresh", id="suppressions.refresh"),
    ]

    class OverviewRead(Message):
        def __init__(self, overview: SuppressionsOverview) -> None:
            super().__init__()
            self.overview = overview

    class OptOutSaved(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self) -> None:
        super().__init__()
        self.manual: dict[str, dict[str, Any]] = {}

    def compose_body(self) -> ComposeResult:
        yield DataTable(id="suppressions", cursor_type="row", zebra_stripes=True)
        yield Static("", id="suppressions-note")
        yield Static(Content("Opt-outs added by hand"), id="manual-title", classes="section-title")
        yield DataTable(id="manual", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#suppressions", DataTable)
        for label in SUMMARY_COLUMNS:
            table.add_column(label, key=label)
        manual = self.query_one("#manual", DataTable)
        for label in MANUAL_COLUMNS:
            manual.add_column(label, key=label)
        self.action_refresh_suppressions()

    # -- reading --------------------------------------------------------------------------------
    def action_refresh_suppressions(self) -> None:
        self.query_one("#suppressions", DataTable).loading = True
        self.query_one("#manual", DataTable).loading = True
        self._read()

    @work(thread=True, exclusive=True, group="suppressions", name="read the suppressions", exit_on_error=False)
    def _read(self) -> None:
        self.post_message(self.OverviewRead(read_overview(self.store)))

    @on(OverviewRead)
    def _show(self, message: OverviewRead) -> None:
        o = message.overview
        table = self.query_one("#suppressions", DataTable)
        table.clear()
        for s in o.summary:
            table.add_row(*summary_row(s), key=s["name"])
        table.loading = False
        manual = self.query_one("#manual", DataTable)
        manual.clear()
        self.manual = {str(m["manual_id"]): m for m in o.manual}
        for m in o.manual:
            manual.add_row(cells.identifier(m["manual_id"]), cells.when(m["added_at"]), cells.text(m["channel"]),
                           cells.text(m["brand"]), cells.clip(who(m), 40), cells.clip(m["reason"], 40),
                           cells.text(m["added_by"], "dim"), key=str(m["manual_id"]))
        manual.loading = False
        shown = f"{len(o.manual):,} of {o.manual_total:,}" if o.manual_total > len(o.manual) else f"{o.manual_total:,}"
        self.query_one("#manual-title", Static).update(Content(f"Opt-outs added by hand: {shown} (a to add one)"))
        self.query_one("#suppressions-note", Static).update(Content(
            "persons: removed by that suppression from a selection of its channel (overlaps counted in each); "
            "later: entries whose effective date has not come yet."))
        self.refresh_bindings()

    # -- adding and withdrawing -------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "withdraw_opt_out":
            return True if self.query_one("#manual", DataTable).row_count else None
        return True

    def action_add_opt_out(self) -> None:
        self.app.push_screen(AddOptOutModal(), self._added)

    def _added(self, row: dict[str, Any] | None) -> None:
        """The form saved the opt-out itself (a refusal kept it open with what was typed)."""
        if row:
            self.post_message(self.OptOutSaved(f"Opt-out {row['manual_id']} added ({row['channel']}): it reaches "
                                          f"{plural(len(row['persons']), 'person')} now."))

    def action_withdraw_opt_out(self) -> None:
        table = self.query_one("#manual", DataTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        m = self.manual.get(key or "")
        if m is None:
            return
        self.app.push_screen(ReasonModal(f"Withdraw opt-out {m['manual_id']} ({who(m)})?",
                                         "Their selections may contact this person again. Why?"),
                             lambda reason: self._withdraw(m["manual_id"], reason) if reason else None)

    @work(thread=True, exclusive=True, group="suppressions-write", name="withdraw the opt-out", exit_on_error=False)
    def _withdraw(self, manual_id: int, reason: str) -> None:
        withdraw_opt_out(self.store, manual_id, reason)
        self.post_message(self.OptOutSaved(f"Opt-out {manual_id} withdrawn."))

    @on(OptOutSaved)
    def _saved(self, message: OptOutSaved) -> None:
        self.notify(escape(message.text))
        self.app.data_changed()  # type: ignore[attr-defined]
        self.action_refresh_suppressions()


def summary_row(s: dict[str, Any]) -> list[Any]:
    scope = s["scope"]
    channel = s["channel"]
    if s["row_channels"] and s["row_channels"] != [s["channel"]]:
        channel += f" ({', '.join(s['row_channels'])})"
    effective = (f"{s['first_effective']} .. {s['last_effective']}" if s["first_effective"] else None)
    return [cells.text(s["name"], "bold"), cells.number(s["persons"], "bold"), cells.number(s["entries"]),
            cells.number(s["entries_future"] or None, "yellow"), cells.text(channel), cells.text(s["match_on"]),
            cells.text(effective), cells.when(s["last_loaded_at"]), cells.text(scope)]



# -- dialogs ------------------------------------------------------------------------------------------
MODALS_CSS = str(Path(modals.__file__).with_name("modals.tcss"))  # CSS_PATH is relative to the subclass
FORM_FIELDS = (  # (field, label, placeholder)
    ("email", "Email", "any case, e.g. someone@example.com"),
    ("phone", "Phone", "any format, 10 digits"),
    ("person_id", "Person id", "the opt-out follows that person's records"),
    ("first_name", "First name", "with last name, address and ZIP"),
    ("last_name", "Last name", ""),
    ("address_line1", "Street line", "with ZIP; without a name: everyone at it"),
    ("postal_code", "ZIP", ""),
    ("brand", "Brand", "blank = every brand"),
    ("effective_date", "Effective", "YYYY-MM-DD, blank = today"),
    ("reason", "Reason", "required: why, as the customer asked"),
)


class AddOptOutModal(WorkbenchModal[dict | None]):
    """The form for one opt-out. It saves the opt-out itself (in a worker) and dismisses with the saved row;
    when the core refuses (an e-mail that does not read, a person that does not exist) the form stays open
    with everything typed, the message below it and the field it is about marked."""

    class Refused(Message):
        def __init__(self, message: str, field: str | None) -> None:
            super().__init__()
            self.message, self.field = message, field

    class Saved(Message):
        def __init__(self, row: dict[str, Any]) -> None:
            super().__init__()
            self.row = row

    CSS_PATH = MODALS_CSS
    AUTO_FOCUS = "#f-email"
    DEFAULT_CSS = """
    AddOptOutModal .form { grid-size: 2; grid-columns: 14 1fr; grid-rows: 1; grid-gutter: 1 0; height: auto; }
    AddOptOutModal #form-error { color: $error; height: auto; }
    AddOptOutModal Input.-invalid { border: tall $error; }
    """

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide-dialog"):
            yield Static(Content("Add an opt-out by hand"), classes="dialog-title")
            with Grid(classes="form"):
                yield Label("Channel")
                yield Select([(c, c) for c in ("mail", "email", "phone", "all")], value="all", allow_blank=False,
                             id="f-channel", compact=True)
                for name, label, hint in FORM_FIELDS:
                    yield Label(label)
                    yield Input(placeholder=hint, id=f"f-{name}", compact=True)
            yield Static("", id="form-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Add", id="add", variant="primary")
                yield Button("Cancel", id="cancel")

    def fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {"channel": self.query_one("#f-channel", Select).value}
        for name, _label, _hint in FORM_FIELDS:
            value = self.query_one(f"#f-{name}", Input).value.strip()
            if value:
                out[name] = value
        return out

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self._add()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "add":
            self._add()
        else:
            self.dismiss(None)

    def _add(self) -> None:
        f = self.fields()
        problem = None
        if not f.get("reason"):
            problem = "Give a reason: it is kept with the opt-out."
        elif not any(k in f for k in ("email", "phone", "person_id", "address_line1")):
            problem = "Say who opts out: an email, a phone, a person id, or an address with a ZIP."
        elif "person_id" in f and not f["person_id"].isdigit():
            problem = "A person id is a number."
        if problem:
            self._refused(self.Refused(problem, "reason" if "reason" in problem else None))
            return
        if "person_id" in f:
            f["person_id"] = int(f["person_id"])
        self.query_one("#form-error", Static).update(Content("saving…"))
        self._save(f)

    @work(thread=True, exclusive=True, group="opt-out-save", name="add the opt-out", exit_on_error=False)
    def _save(self, fields: dict[str, Any]) -> None:
        from workbench.errors import WorkbenchError

        try:
            row = add_opt_out(self.app.store, fields)  # type: ignore[attr-defined]
        except WorkbenchError as exc:
            self.post_message(self.Refused(str(exc), exc.field))
            return
        self.post_message(self.Saved(row))

    @on(Refused)
    def _refused(self, message: Refused) -> None:
        for field in self.query(Input):
            field.remove_class("-invalid")
        self.query_one("#form-error", Static).update(Content(message.message))
        if message.field:
            for field in self.query(f"#f-{message.field}"):
                field.add_class("-invalid")
                field.focus()

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        self.dismiss(message.row)


class ReasonModal(WorkbenchModal[str | None]):
    """A question that needs a reason to go ahead; dismisses with the reason (or None)."""

    CSS_PATH = MODALS_CSS
    AUTO_FOCUS = "#reason"

    def __init__(self, question: str, detail: str) -> None:
        super().__init__()
        self.question, self.detail = question, detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(self.question), classes="dialog-title")
            yield Static(Content(self.detail), classes="dialog-detail")
            yield Input(placeholder="reason", id="reason")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Withdraw", id="go", variant="warning")
                yield Button("Cancel", id="cancel")

    @on(Input.Submitted, "#reason")
    def _submitted(self) -> None:
        self._go()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "go":
            self._go()
        else:
            self.dismiss(None)

    def _go(self) -> None:
        reason = self.query_one("#reason", Input).value.strip()
        if reason:
            self.dismiss(reason)
