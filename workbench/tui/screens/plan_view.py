"""Campaigns > Plan: the kept contact plans (``workbench plan``), one plan's selections and its calendar.

- the plans: period, order, selections, planned contacts not yet exported; highlighting one shows
- its selections in their order: gross, "taken by a higher-priority contact" (and by which selection),
  planned; and the calendar: per week, contacts planned per brand and channel, and persons at their limit.
- ``p`` plans a period from a ``PERIOD.toml`` (file picker), ``R`` reads again.

Jobs are in :mod:`workbench.tui.screens.plan_jobs`; each posts one typed message nested in :class:`PlanView`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Static

from workbench.tui.screens import plan_jobs
from workbench.tui.widgets import cells

PLAN_COLUMNS = ("plan", "from", "to", "order", "selections", "planned")
SELECTION_COLUMNS = (
    "#",
    "selection",
    "brand",
    "channel",
    "date",
    "gross",
    "taken by higher",
    "by",
    "planned",
)
CALENDAR_COLUMNS = ("week", "brand", "channel", "contacts", "at their limit")


class PlanView(Vertical):
    """The Plan tab's body (a widget: the Campaigns screen holds it in a TabPane)."""

    DEFAULT_CSS = """
    PlanView #plans { height: 7; }
    PlanView #plan-selections { height: 1fr; }
    PlanView #plan-calendar { height: 1fr; }
    PlanView .note { color: $text-muted; padding: 0 1; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "plan_period", "Plan a period", id="campaigns.plan_period"),
        Binding("R", "refresh_plans", "Refresh", id="campaigns.refresh_plans"),
    ]

    class PlansRead(Message):
        def __init__(self, plans: list[dict[str, Any]]) -> None:
            super().__init__()
            self.plans = plans

    class PlanRead(Message):
        def __init__(self, detail: plan_jobs.PlanDetail) -> None:
            super().__init__()
            self.detail = detail

    class PlanBuilt(Message):
        def __init__(self, result: Any) -> None:
            super().__init__()
            self.result = result

    def compose(self) -> ComposeResult:
        yield DataTable(id="plans", cursor_type="row", zebra_stripes=True)
        yield Static("", id="plans-note", classes="note")
        with Horizontal():
            yield DataTable(id="plan-selections", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="plan-calendar", cursor_type="row", zebra_stripes=True)
        yield Static("", id="plan-rules", classes="note")

    def on_mount(self) -> None:
        for table_id, columns in (
            ("#plans", PLAN_COLUMNS),
            ("#plan-selections", SELECTION_COLUMNS),
            ("#plan-calendar", CALENDAR_COLUMNS),
        ):
            table = self.query_one(table_id, DataTable)
            for label in columns:
                table.add_column(label, key=label)
        self.action_refresh_plans()

    @property
    def store(self):
        return self.app.store  # type: ignore[attr-defined]

    # -- jobs ---------------------------------------------------------------------------------------
    def action_refresh_plans(self) -> None:
        self.query_one("#plans", DataTable).loading = True
        self._read_plans()

    @work(thread=True, exclusive=True, group="plans", name="read the contact plans", exit_on_error=False)
    def _read_plans(self) -> None:
        self.post_message(self.PlansRead(plan_jobs.read_plans(self.store)))

    @work(thread=True, exclusive=True, group="plan", name="read the contact plan", exit_on_error=False)
    def _read_plan(self, name: str) -> None:
        self.post_message(self.PlanRead(plan_jobs.read_plan(self.store, name)))

    @work(thread=True, exclusive=True, group="plan-build", name="plan the period", exit_on_error=False)
    def _build(self, path: Path) -> None:
        self.post_message(self.PlanBuilt(plan_jobs.build_plan(self.store, path)))

    def action_plan_period(self) -> None:
        from workbench.tui.modals.file_picker import FilePickerModal

        def chosen(path: Path | None) -> None:
            if path is not None:
                self.query_one("#plans", DataTable).loading = True
                self._build(path)

        self.app.push_screen(
            FilePickerModal("Plan a period: pick its PERIOD.toml", suffixes=(".toml",)), chosen
        )

    # -- showing ------------------------------------------------------------------------------------
    @on(PlansRead)
    def _show_plans(self, message: PlansRead) -> None:
        table = self.query_one("#plans", DataTable)
        table.clear()
        for p in message.plans:
            table.add_row(
                cells.text(p["plan"], "bold"),
                cells.when(p["period_start"], with_time=False),
                cells.when(p["period_end"], with_time=False),
                cells.text(p["order_by"]),
                cells.number(p["selections"]),
                cells.number(p["planned_contacts"]),
                key=p["plan"],
            )
        table.loading = False
        self.query_one("#plans-note", Static).update(
            Content(
                f"{len(message.plans):,} kept plan(s): exports of their selections follow them. p plans a period."
                if message.plans
                else "No contact plan yet: p plans a period from a PERIOD.toml "
                "(or `workbench plan PERIOD.toml`)."
            )
        )
        if not message.plans:
            for table_id in ("#plan-selections", "#plan-calendar"):
                self.query_one(table_id, DataTable).clear()

    @on(DataTable.RowHighlighted, "#plans")
    def _plan_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value:
            self._read_plan(event.row_key.value)

    @on(PlanRead)
    def _show_plan(self, message: PlanRead) -> None:
        d = message.detail
        sels = self.query_one("#plan-selections", DataTable)
        sels.clear()
        for s in d.selections:
            by = ", ".join(
                f"{st['name'].removeprefix('taken: ')} {st['removed']:,}"
                for st in s["waterfall"]["steps"]
                if st["step"] == "plan" and st["removed"]
            )
            sels.add_row(
                cells.number(s["position"]),
                cells.text(s["selection"], "bold"),
                cells.text(s["brand"]),
                cells.text(s["channel"]),
                cells.when(s["contact_date"], with_time=False),
                cells.number(s["gross"]),
                cells.number(s["taken_by_higher"]),
                cells.text(by or None),
                cells.number(s["planned"]),
                key=s["selection"],
            )
        cal = self.query_one("#plan-calendar", DataTable)
        cal.clear()
        for w in d.calendar.get("weeks", []):
            for i, c in enumerate(w["contacts"]):
                cal.add_row(
                    cells.when(w["week"], with_time=False) if i == 0 else Text(""),
                    cells.text(c["brand"]),
                    cells.text(c["channel"]),
                    cells.number(c["contacts"]),
                    cells.number(w["at_limit"]) if i == 0 else Text(""),
                )
        rules = d.calendar.get("rules") or []
        self.query_one("#plan-rules", Static).update(
            Content(
                f"Plan {d.plan}: limits " + "; ".join(rules)
                if rules
                else f"Plan {d.plan}: no pressure rules enabled."
            )
        )

    @on(PlanBuilt)
    def _built(self, message: PlanBuilt) -> None:
        r = message.result
        self.notify(f"Plan {r.plan}: {r.planned:,} contacts planned over {len(r.selections)} selection(s).")
        self.action_refresh_plans()
