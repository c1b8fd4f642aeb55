"""Campaigns: the contact history by campaign, the pressure and capacity rules, the triggers.

- **Campaigns** tab: brand, channel, date, cells, contacted, held out. Enter opens the campaign:
  results per cell (responders, rate, revenue per person, lift over the control with its 95%
  interval), a chart of the response rate by cell, and the persons of the highlighted cell (Enter
  opens a person's customer view and contact history).
- **Rules** tab: ``a`` adds a rule, ``e`` edits the highlighted one (as TOML), ``t`` turns it on or off.
- **Triggers** tab: who each trigger fires for now and whether its sources are fresh enough; the
  persons of the highlighted trigger below (Enter opens one).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, DataTable, Static, TabbedContent, TabPane, TextArea

from workbench.tui import modals
from workbench.tui.modals import WorkbenchModal
from workbench.tui.screens import campaigns_view_jobs as jobs
from workbench.tui.screens.base import WorkbenchScreen
from workbench.tui.screens.customer import OpensCustomers, open_customer
from workbench.tui.screens.plan_view import PlanView
from workbench.tui.widgets import cells

CAMPAIGN_COLUMNS = ("campaign", "brand", "channel", "date", "cells", "contacted", "held out", "from")
RULE_COLUMNS = ("rule", "kind", "what it allows", "on")
TRIGGER_COLUMNS = ("trigger", "fires for", "status", "cadence", "definition")
PERSON_COLUMNS = ("person", "name", "city", "detail")
RESULT_COLUMNS = ("cell", "keycode", "contacted", "responders", "rate", "revenue", "per person", "lift", "95% interval")
TRIGGER_STYLE = {"ok": "green", "warn": "yellow", "stale": "bold red"}
WINDOWS = (30, 60, 90, 14)


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{v * 100:.2f}%"


def person_row(p: dict[str, Any], detail: str) -> list[Text]:
    name = " ".join(x for x in (p.get("first_name"), p.get("last_name")) if x)
    return [Text(str(p["person_id"]), justify="right"), cells.text(name or None), cells.text(p.get("city")), cells.text(detail)]


class CampaignsScreen(OpensCustomers, WorkbenchScreen):
    MODE = "campaigns"
    AUTO_FOCUS = "#campaigns"
    DEFAULT_CSS = """
    CampaignsScreen DataTable { height: 1fr; }
    CampaignsScreen #trigger-persons { height: 1fr; }
    CampaignsScreen .note { color: $text-muted; padding: 0 1; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("R", "refresh_campaigns", "Refresh", id="campaigns.refresh"),
        Binding("c", "show_tab('tab-campaigns')", "Campaigns", id="campaigns.tab_campaigns"),
        Binding("r", "show_tab('tab-rules')", "Rules", id="campaigns.tab_rules"),
        Binding("g", "show_tab('tab-triggers')", "Triggers", id="campaigns.tab_triggers"),
        Binding("l", "show_tab('tab-plan')", "Plan", id="campaigns.tab_plan"),
        Binding("a", "add_rule", "Add rule", id="campaigns.add_rule"),
        Binding("e", "edit_rule", "Edit rule", id="campaigns.edit_rule"),
        Binding("t", "toggle_rule", "Rule on/off", id="campaigns.toggle_rule"),
    ]

    class OverviewRead(Message):
        def __init__(self, overview: jobs.CampaignsOverview) -> None:
            super().__init__()
            self.overview = overview

    class TriggerCountsRead(Message):
        def __init__(self, statuses: list[Any]) -> None:
            super().__init__()
            self.statuses = statuses

    class TriggerPersonsRead(Message):
        def __init__(self, trigger: str, persons: list[dict[str, Any]], total: int) -> None:
            super().__init__()
            self.trigger, self.persons, self.total = trigger, persons, total

    class RulesSaved(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self) -> None:
        super().__init__()
        self.rules: dict[str, Any] = {}
        self.triggers: dict[str, Any] = {}
        self.trigger_persons: list[int] = []

    def compose_body(self) -> ComposeResult:
        with TabbedContent(id="campaign-tabs"):
            with TabPane("Campaigns", id="tab-campaigns"):
                yield DataTable(id="campaigns", cursor_type="row", zebra_stripes=True)
                yield Static("", id="campaigns-note", classes="note")
            with TabPane("Rules", id="tab-rules"):
                yield DataTable(id="rules", cursor_type="row", zebra_stripes=True)
                yield Static("", id="rules-note", classes="note")
            with TabPane("Triggers", id="tab-triggers"):
                yield DataTable(id="triggers", cursor_type="row", zebra_stripes=True)
                yield Static("", id="trigger-reasons", classes="note")
                yield Static("", id="trigger-persons-title", classes="section-title")
                yield DataTable(id="trigger-persons", cursor_type="row", zebra_stripes=True)
            with TabPane("Plan", id="tab-plan"):
                yield PlanView(id="plan-view")

    def on_mount(self) -> None:
        for table_id, columns in (("#campaigns", CAMPAIGN_COLUMNS), ("#rules", RULE_COLUMNS),
                                  ("#triggers", TRIGGER_COLUMNS), ("#trigger-persons", PERSON_COLUMNS)):
            table = self.query_one(table_id, DataTable)
            for label in columns:
                table.add_column(label, key=label)
        self.action_refresh_campaigns()

    # -- reading ------------------------------------------------------------------------------------
    def action_refresh_campaigns(self) -> None:
        for table_id in ("#campaigns", "#rules", "#triggers"):
            self.query_one(table_id, DataTable).loading = True
        self._read_overview()

    @work(thread=True, exclusive=True, group="campaigns", name="read the campaigns", exit_on_error=False)
    def _read_overview(self) -> None:
        self.post_message(self.OverviewRead(jobs.read_overview(self.store)))

    @work(thread=True, exclusive=True, group="trigger-counts", name="count who the triggers fire for",
          exit_on_error=False)
    def _read_trigger_counts(self) -> None:
        self.post_message(self.TriggerCountsRead(jobs.read_trigger_counts(self.store)))

    @work(thread=True, exclusive=True, group="trigger-persons", name="read who the trigger fires for",
          exit_on_error=False)
    def _read_trigger_persons(self, name: str) -> None:
        persons, total = jobs.read_trigger_persons(self.store, name)
        if self.still_wanted():
            self.post_message(self.TriggerPersonsRead(name, persons, total))

    @on(OverviewRead)
    def _overview_read(self, message: OverviewRead) -> None:
        self._show_overview(message.overview)
        self._read_trigger_counts()

    @on(TriggerCountsRead)
    def _trigger_counts_read(self, message: TriggerCountsRead) -> None:
        self._show_triggers(message.statuses)

    @on(TriggerPersonsRead)
    def _trigger_persons_read(self, message: TriggerPersonsRead) -> None:
        self._show_trigger_persons(message.trigger, message.persons, message.total)

    @on(RulesSaved)
    def _rules_saved(self, message: RulesSaved) -> None:
        self.notify(escape(message.text))
        self.action_refresh_campaigns()

    def _show_overview(self, o: Any) -> None:
        table = self.query_one("#campaigns", DataTable)
        table.clear()
        for c in o.campaigns:
            table.add_row(cells.text(c["campaign"], "bold"), cells.text(c["brand"]), cells.text(c["channel"]),
                          cells.when(c["first_contact"], with_time=False), cells.number(c["cells"]),
                          cells.number(c["contacted"]), cells.number(c["held_out"]), cells.text(", ".join(c["origins"])),
                          key=c["campaign"])
        table.loading = False
        note = (f"{len(o.campaigns):,} campaigns; Enter opens one (results, lift, persons)." if o.campaigns else
                "No contact history yet: exports write it, and sources of kind contacts load it.")
        if o.unlinked:
            note += f" {o.unlinked:,} loaded contacts name nobody on file."
        self.query_one("#campaigns-note", Static).update(Content(note))
        self.rules = {r.name: r for r in o.rules}
        rules = self.query_one("#rules", DataTable)
        rules.clear()
        for r in o.rules:
            rules.add_row(cells.text(r.name, "bold"), cells.text(r.kind), cells.text(r.summary()),
                          cells.text("on" if r.enabled else "off", "" if r.enabled else "dim"), key=r.name)
        rules.loading = False
        plans = "; ".join(f"{p['selection']} (priority {p['priority']}, {p['persons']:,} planned for "
                          f"{p['contact_date']})" for p in o.plans if p["in_effect"])
        self.query_one("#rules-note", Static).update(Content(
            ("Applied, in this order, as steps of every selection's waterfall they apply to. a add, e edit, "
             "t on/off." if o.rules else "No rules yet: a to add one, or `workbench rules import FILE.toml`.")
            + (f" Planned contacts: {plans}." if plans else "")))
        self._show_triggers(o.triggers)
        self.refresh_bindings()

    def _show_triggers(self, statuses: list[Any]) -> None:
        """The triggers table: first without counts (fast), then again with them."""
        self.triggers = {t.name: t for t in statuses}
        table = self.query_one("#triggers", DataTable)
        selected = table.cursor_row
        table.clear()
        for t in statuses:
            table.add_row(cells.text(t.name, "bold"),
                          cells.number(t.persons) if t.persons is not None else Text("…", justify="right"),
                          Text(f"● {t.status}", style=TRIGGER_STYLE[t.status]), cells.text(t.cadence),
                          cells.text(t.definition), key=t.name)
        if statuses and selected < len(statuses):
            table.move_cursor(row=selected)
        table.loading = False
        if not statuses:
            self.query_one("#trigger-reasons", Static).update(Content(
                "No triggers yet: `workbench triggers import FILE.toml`."))

    @on(DataTable.RowHighlighted, "#triggers")
    def _trigger_highlighted(self, event: DataTable.RowHighlighted) -> None:
        t = self.triggers.get(event.row_key.value or "")
        if t is None:
            return
        reasons = "; ".join(t.reasons) if t.reasons else "its sources are fresh enough for it"
        self.query_one("#trigger-reasons", Static).update(Content(f"{t.name}: {t.status}: {reasons}"))
        self.query_one("#trigger-persons", DataTable).loading = True
        self._read_trigger_persons(t.name)

    def _show_trigger_persons(self, name: str, persons: list[dict[str, Any]], total: int) -> None:
        table = self.query_one("#trigger-persons", DataTable)
        table.clear()
        self.trigger_persons = [p["person_id"] for p in persons]
        skip = {"person_id", "first_name", "last_name", "city", "state", "email"}
        for p in persons:
            detail = ", ".join(f"{k} {round(v, 3) if isinstance(v, float) else v}" for k, v in p.items() if k not in skip)
            table.add_row(*person_row(p, detail), key=str(p["person_id"]))
        table.loading = False
        self.query_one("#trigger-persons-title", Static).update(Content(
            f"{name} fires for {total:,} persons" + (f" ({len(persons):,} shown)" if total > len(persons) else "")
            + ": Enter opens one"))

    @on(DataTable.RowSelected, "#trigger-persons")
    def _open_trigger_person(self, event: DataTable.RowSelected) -> None:
        open_customer(self.app, int(event.row_key.value))

    @on(DataTable.RowSelected, "#campaigns")
    def _open_campaign(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(CampaignScreen(event.row_key.value))

    # -- rules --------------------------------------------------------------------------------------
    def _on_rules_tab(self) -> bool:
        return self.query_one("#campaign-tabs", TabbedContent).active == "tab-rules"

    def action_show_tab(self, tab: str) -> None:
        """``c`` / ``r`` / ``g``: the Campaigns, Rules and Triggers tabs (also in the palette)."""
        self.query_one("#campaign-tabs", TabbedContent).active = tab

    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add_rule", "edit_rule", "toggle_rule") and not self._on_rules_tab():
            return False  # hidden on the other tabs
        if action in ("edit_rule", "toggle_rule") and not self.rules:
            return None  # shown, disabled
        return True

    def _selected_rule(self) -> Any:
        table = self.query_one("#rules", DataTable)
        if not table.row_count:
            return None
        return self.rules.get(table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value or "")

    def action_add_rule(self) -> None:
        from workbench.contacts.overview import RULE_TEMPLATE

        self.app.push_screen(RuleEditorModal("Add a rule", RULE_TEMPLATE), self._save_rules)

    def action_edit_rule(self) -> None:
        from workbench.contacts.rules import rule_as_toml

        rule = self._selected_rule()
        if rule is not None:
            self.app.push_screen(RuleEditorModal(f"Edit rule {rule.name}", rule_as_toml(rule)), self._save_rules)

    def _save_rules(self, text: str | None) -> None:
        if text:
            self._write_rules(text)

    def action_toggle_rule(self) -> None:
        rule = self._selected_rule()
        if rule is not None:
            self._toggle(rule.name)

    @work(thread=True, exclusive=True, group="campaigns-write", name="save the rule", exit_on_error=False)
    def _write_rules(self, text: str) -> None:
        saved = jobs.save_rules_text(self.store, text)
        self.post_message(self.RulesSaved("; ".join(f"{name} {how}" for name, how in saved.items()) + "."))

    @work(thread=True, exclusive=True, group="campaigns-write", name="turn the rule on or off", exit_on_error=False)
    def _toggle(self, name: str) -> None:
        now_on = jobs.toggle_rule(self.store, name)
        self.post_message(self.RulesSaved(f"Rule {name} is {'on' if now_on else 'off'}."))


class CampaignScreen(OpensCustomers, WorkbenchScreen):
    """One campaign: results per cell, lift, a chart of the response rate, the persons of a cell."""

    MODE = ""
    AUTO_FOCUS = "#results"
    DEFAULT_CSS = """
    CampaignScreen #campaign-title { text-style: bold; color: $accent; padding: 0 1; height: auto; }
    CampaignScreen #results { height: auto; max-height: 12; }
    CampaignScreen #chart { padding: 0 1; height: auto; }
    CampaignScreen .note { color: $text-muted; padding: 0 1; height: auto; }
    CampaignScreen #cell-persons { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="campaign.close"),
        Binding("w", "next_window", "Response window", id="campaign.window"),
    ]

    class ResultsRead(Message):
        def __init__(self, result: dict[str, Any]) -> None:
            super().__init__()
            self.result = result

    class CellPersonsRead(Message):
        def __init__(self, cell: str, persons: list[dict[str, Any]], total: int) -> None:
            super().__init__()
            self.cell, self.persons, self.total = cell, persons, total

    def __init__(self, campaign: str) -> None:
        super().__init__()
        self.campaign = campaign
        self.window_days = WINDOWS[0]
        self.result: dict[str, Any] | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(Content(f"Campaign {self.campaign}"), id="campaign-title")
        yield DataTable(id="results", cursor_type="row", zebra_stripes=True)
        yield Static("", id="chart")
        yield Static("", id="results-note", classes="note")
        yield Static("", id="cell-title", classes="section-title")
        yield DataTable(id="cell-persons", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        for table_id, columns in (("#results", RESULT_COLUMNS), ("#cell-persons", PERSON_COLUMNS)):
            table = self.query_one(table_id, DataTable)
            for label in columns:
                table.add_column(label, key=label)
        self._refresh()

    def action_close(self) -> None:
        self.app.pop_screen()

    def action_next_window(self) -> None:
        self.window_days = WINDOWS[(WINDOWS.index(self.window_days) + 1) % len(WINDOWS)]
        self._refresh()

    def _refresh(self) -> None:
        self.query_one("#results", DataTable).loading = True
        self._read_results()

    @work(thread=True, exclusive=True, group="campaign", name="read the campaign results", exit_on_error=False)
    def _read_results(self) -> None:
        result = jobs.read_campaign(self.store, self.campaign, self.window_days)
        if self.still_wanted():
            self.post_message(self.ResultsRead(result))

    @work(thread=True, exclusive=True, group="campaign-persons", name="read the persons of the cell",
          exit_on_error=False)
    def _read_persons(self, cell: str) -> None:
        persons, total = jobs.read_cell_persons(self.store, self.campaign, cell)
        if self.still_wanted():
            self.post_message(self.CellPersonsRead(cell, persons, total))

    @on(ResultsRead)
    def _results_read(self, message: ResultsRead) -> None:
        self._show_results(message.result)

    @on(CellPersonsRead)
    def _cell_persons_read(self, message: CellPersonsRead) -> None:
        self._show_persons(message.cell, message.persons, message.total)

    def _show_results(self, r: dict[str, Any]) -> None:
        from workbench.contacts.overview import rate_bars

        self.result = r
        self.query_one("#campaign-title", Static).update(Content(
            f"Campaign {r['campaign']}: {r['brand'] or '-'} {r['channel'] or '-'}, contacted {r['first_contact']}; "
            f"responses within {r['window_days']} days (w changes it)"
            + (f", orders of {r['orders_of_brand']}" if r["orders_of_brand"] else "")))
        table = self.query_one("#results", DataTable)
        table.clear()
        for c in r["cells"]:
            lift = "control" if c["is_control"] else _pct(c["lift"]) + (" *" if c["significant"] else "")
            interval = "-" if c["lift"] is None else f"{_pct(c['lift_low'])} to {_pct(c['lift_high'])}"
            table.add_row(cells.text(c["cell"], "bold"), cells.text(c["keycode"]), cells.number(c["contacted"]),
                          cells.number(c["responders"]), Text(_pct(c["response_rate"]), justify="right"),
                          cells.number(round(c["revenue"], 2)),
                          Text("-" if c["revenue_per_person"] is None else f"{c['revenue_per_person']:,.2f}",
                               justify="right"), Text(lift, justify="right"), cells.text(interval), key=c["cell"])
        table.loading = False
        chart = Text()
        width = max((len(cell) for cell, *_ in rate_bars(r["cells"])), default=4)
        for cell, bar, text, control in rate_bars(r["cells"]):
            chart.append(f"{cell:<{width}} ", style="bold")
            chart.append(f"{bar:<30}", style="dim" if control else "cyan")
            chart.append(f" {text}\n")
        self.query_one("#chart", Static).update(chart)
        if not any(c["is_control"] for c in r["cells"]):
            notes = ["No control cell: lift cannot be measured."]
        elif any(c["significant"] for c in r["cells"]):
            notes = ["* the 95% interval of the lift excludes 0 (difference of proportions, normal approximation)."]
        else:
            notes = ["No cell's lift is significant at 95%."]
        if r["window_open"]:
            notes.append(f"The response window is open until {r['window_ends']}.")
        if r["keyed_outside_list"]:
            notes.append(f"{r['keyed_outside_list']:,} keyed responses from persons not in the campaign.")
        if r["unlinked_contacts"]:
            notes.append(f"{r['unlinked_contacts']:,} contact rows name nobody on file.")
        self.query_one("#results-note", Static).update(Content(" ".join(notes)))

    @on(DataTable.RowHighlighted, "#results")
    def _cell_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.query_one("#cell-persons", DataTable).loading = True
        self._read_persons(event.row_key.value)

    def _show_persons(self, cell: str, persons: list[dict[str, Any]], total: int) -> None:
        table = self.query_one("#cell-persons", DataTable)
        table.clear()
        for p in persons:
            detail = f"{p['contact_date']}" + (" held out" if p["is_control"] else f" {p['keycode'] or ''}")
            table.add_row(*person_row(p, detail), key=str(p["person_id"]))
        table.loading = False
        self.query_one("#cell-title", Static).update(Content(
            f"Cell {cell}: {total:,} persons" + (f" ({len(persons):,} shown)" if total > len(persons) else "")
            + "; Enter opens one (contact history and all)"))

    @on(DataTable.RowSelected, "#cell-persons")
    def _open_person(self, event: DataTable.RowSelected) -> None:
        open_customer(self.app, int(event.row_key.value))


class RuleEditorModal(WorkbenchModal[str | None]):
    """A rule as TOML, checked before it is saved; dismisses with the text (or None)."""

    CSS_PATH = str(Path(modals.__file__).with_name("modals.tcss"))
    AUTO_FOCUS = "#rule-text"
    DEFAULT_CSS = """
    RuleEditorModal #rule-text { height: 16; }
    RuleEditorModal #rule-error { color: $error; height: auto; }
    """

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text, self.text = title, text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide-dialog"):
            yield Static(Content(self.title_text), classes="dialog-title")
            yield TextArea(self.text, id="rule-text", show_line_numbers=True)
            yield Static("", id="rule-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", id="save", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id != "save":
            self.dismiss(None)
            return
        from workbench.contacts.rules import parse_rules_text
        from workbench.errors import WorkbenchError

        text = self.query_one("#rule-text", TextArea).text
        try:
            parse_rules_text(text, "rule")
        except WorkbenchError as exc:
            self.query_one("#rule-error", Static).update(Content(exc.message))
            return
        self.dismiss(text)
