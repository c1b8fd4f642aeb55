"""Households: the households of the last run (filter: needs review / all), the selected one's members
with their records and review items, and the operator's decisions.

Keys: ``f`` needs review / all, ``/`` search, ``[`` / ``]`` previous / next page, ``a`` accept the
household, ``m`` move the selected member to another household at the address, ``s`` split the selected
member out, ``M`` merge with another household at the address, ``c`` recompute every household, ``R``
read again. Decisions are stored and honoured by later runs (see ``workbench.households.decisions``).
Every database call runs in a worker, one at a time (``households_review_jobs``); ``c`` shows its progress
and Escape stops it (rolled back).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
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
from textual.widgets import Button, DataTable, Input, Static
from textual.worker import Worker

from workbench.formatting import plural
from workbench.tui import modals
from workbench.tui.modals import WorkbenchModal
from workbench.tui.modals.confirm import ConfirmModal
from workbench.tui.screens import households_review_jobs as jobs
from workbench.tui.screens.base import WorkbenchScreen
from workbench.tui.widgets import cells
from workbench.tui.widgets.load_progress import LoadProgress

HOUSEHOLD_COLUMNS = ("id", "surname", "head", "address", "size", "spend 12m", "brands", "review")
MEMBER_COLUMNS = ("person", "name", "joined by", "spend 12m", "mail", "records")


class HouseholdsScreen(WorkbenchScreen):
    MODE = "households"
    AUTO_FOCUS = "#households"
    DEFAULT_CSS = """
    HouseholdsScreen #households-bar { height: 1; padding: 0 1; color: $text-muted; }
    HouseholdsScreen #households-search { display: none; height: 1; }
    HouseholdsScreen #households { height: 1fr; }
    HouseholdsScreen #members { height: 1fr; }
    HouseholdsScreen #review-items { height: auto; max-height: 6; padding: 0 1; color: $warning; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "toggle_filter", "Review/all", id="households.filter"),
        Binding("slash", "search", "Search", id="households.search"),
        Binding("a", "accept", "Accept", id="households.accept"),
        Binding("m", "move_member", "Move member", id="households.move"),
        Binding("s", "split_member", "Split member", id="households.split"),
        Binding("M", "merge", "Merge", id="households.merge"),
        Binding("c", "recompute", "Recompute", id="households.recompute"),
        Binding("right_square_bracket", "page(1)", "Next page", id="households.next_page"),
        Binding("left_square_bracket", "page(-1)", "Previous page", show=False, id="households.previous_page"),
        Binding("R", "refresh_households", "Refresh", id="households.refresh"),
        Binding("escape", "cancel_rebuild", "Cancel rebuild", id="households.cancel_rebuild"),
    ]

    class PageRead(Message):
        def __init__(self, page: dict[str, Any]) -> None:
            super().__init__()
            self.page = page

    class HouseholdRead(Message):
        def __init__(self, household: dict[str, Any] | None) -> None:
            super().__init__()
            self.household = household

    class Decided(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class RebuildStepped(Message):
        def __init__(self, message: str, fraction: float) -> None:
            super().__init__()
            self.message, self.fraction = message, fraction

    class Rebuilt(Message):
        def __init__(self, result: dict[str, Any]) -> None:
            super().__init__()
            self.result = result

    def __init__(self) -> None:
        super().__init__()
        self.needs_review = True
        self.search_text: str | None = None
        self.page_start = 0
        self.total_found = 0
        self.shown: dict[str, Any] | None = None  # the selected household, with members
        self.cancel_requested: threading.Event | None = None  # set while a rebuild runs

    def compose_body(self) -> ComposeResult:
        yield Static("", id="households-bar")
        yield Input(placeholder="surname, street, city, ZIP or household id; Enter to search, empty for all",
                    id="households-search", compact=True)
        yield DataTable(id="households", cursor_type="row", zebra_stripes=True)
        yield Static(Content("Members"), id="members-title", classes="section-title")
        yield DataTable(id="members", cursor_type="row", zebra_stripes=True)
        yield Static("", id="review-items")
        yield LoadProgress(id="rebuild-progress")

    def on_mount(self) -> None:
        for table_id, columns in (("#households", HOUSEHOLD_COLUMNS), ("#members", MEMBER_COLUMNS)):
            table = self.query_one(table_id, DataTable)
            for label in columns:
                table.add_column(label, key=label)
        self.query_one(LoadProgress).display = False
        self.action_refresh_households()

    # -- reading --------------------------------------------------------------------------------
    def action_refresh_households(self) -> None:
        self.query_one("#households", DataTable).loading = True
        self._read_page(self.needs_review, self.search_text, self.page_start)

    @work(thread=True, exclusive=True, group="households", name="read the households", exit_on_error=False)
    def _read_page(self, needs_review: bool, search: str | None, offset: int) -> None:
        self.post_message(self.PageRead(jobs.read_page(self.store, needs_review, search, offset)))

    @on(PageRead)
    def _show_page(self, message: PageRead) -> None:
        page = message.page
        self.total_found = page["total"]
        table = self.query_one("#households", DataTable)
        keep = self.shown["household_id"] if self.shown else None
        table.clear()
        for h in page["rows"]:
            table.add_row(*household_row(h), key=str(h["household_id"]))
        table.loading = False
        s = page["summary"]
        shown = f"{page['offset'] + 1:,}-{page['offset'] + len(page['rows']):,} of {page['total']:,} households" \
            if page["total"] > len(page["rows"]) else plural(page["total"], "household")
        what = "needing review" if self.needs_review else "all"
        search = f", matching {self.search_text!r}" if self.search_text else ""
        note = (f"{shown} ({what}{search}) | {plural(s['households'], 'household')}, "
                f"{plural(s['persons'], 'person')}, {s['needs_review']:,} need review | f: review/all")
        if not s["households"]:
            note = "No households yet: press c to form them (or run `workbench households`)."
        self.query_one("#households-bar", Static).update(Content(note))
        if keep is not None and str(keep) in {str(h["household_id"]) for h in page["rows"]}:
            table.move_cursor(row=table.get_row_index(str(keep)))
        if page["rows"]:
            self._select(self._cursor_household())
        else:
            self._show_household(self.HouseholdRead(None))
        self.refresh_bindings()

    def _cursor_household(self) -> int | None:
        table = self.query_one("#households", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        return int(key) if key else None

    @on(DataTable.RowHighlighted, "#households")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value and (not self.shown or str(self.shown["household_id"]) != event.row_key.value):
            self._select(int(event.row_key.value))

    @on(DataTable.RowSelected, "#households")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        self.query_one("#members", DataTable).focus()

    def _select(self, household_id: int | None) -> None:
        if household_id is not None:
            self._read_household(household_id)

    @work(thread=True, exclusive=True, group="household", name="read the household", exit_on_error=False)
    def _read_household(self, household_id: int) -> None:
        self.post_message(self.HouseholdRead(jobs.read_household(self.store, household_id)))

    @on(HouseholdRead)
    def _show_household(self, message: HouseholdRead) -> None:
        self.shown = h = message.household
        members = self.query_one("#members", DataTable)
        members.clear()
        title, items = "Members", ""
        if h:
            for m in h["members"]:
                members.add_row(*member_row(m), key=str(m["person_id"]))
            title = (f"Members of household {h['household_id']}: {h['size']} at "
                     f"{address(h) or 'no address'}; {h['address_people']} people at this address")
            items = "\n".join(f"{'open' if i['status'] == 'open' else 'accepted'}: {i['reason_text']}: {i['detail']}"
                              for i in h["review_items"])
        self.query_one("#members-title", Static).update(Content(title))
        self.query_one("#review-items", Static).update(Content(items))
        self.refresh_bindings()

    # -- filter, search, pages ------------------------------------------------------------------
    def action_toggle_filter(self) -> None:
        self.needs_review, self.page_start = not self.needs_review, 0
        self.action_refresh_households()

    def action_search(self) -> None:
        field = self.query_one("#households-search", Input)
        field.display = True
        field.focus()

    @on(Input.Submitted, "#households-search")
    def _searched(self, event: Input.Submitted) -> None:
        self.search_text, self.page_start = (event.value.strip() or None), 0
        event.input.display = False
        self.query_one("#households", DataTable).focus()
        self.action_refresh_households()

    def action_page(self, step: int) -> None:
        offset = max(0, self.page_start + step * jobs.PAGE)
        if offset != self.page_start and offset < self.total_found:
            self.page_start = offset
            self.action_refresh_households()

    # -- decisions ------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        rebuilding = self.cancel_requested is not None
        if action == "cancel_rebuild":
            return rebuilding
        if rebuilding and action in ("accept", "merge", "move_member", "split_member", "recompute"):
            return None
        if action in ("accept", "merge"):
            return True if self.shown else None
        if action in ("move_member", "split_member"):
            return True if self.shown and self._member() is not None else None
        return True

    def _member(self) -> dict[str, Any] | None:
        table = self.query_one("#members", DataTable)
        if not self.shown or not table.row_count:
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        return next((m for m in self.shown["members"] if str(m["person_id"]) == key), None)

    def action_accept(self) -> None:
        if self.shown:
            h = self.shown["household_id"]
            self._decide(partial(jobs.accept, self.store, h), f"Household {h} accepted.")

    def action_split_member(self) -> None:
        h, m = self.shown, self._member()
        if not h or not m:
            return
        if h["size"] < 2:
            self.notify("A household of one cannot be split.", severity="warning")
            return
        self.app.push_screen(
            ConfirmModal(f"Take {name(m)} out of household {h['household_id']}?",
                         "They form a household of their own at this address; later runs keep it so.",
                         yes="Split"),
            lambda yes: self._decide(partial(jobs.split, self.store, h["household_id"], [m["person_id"]]),
                                     f"{name(m)} split out of household {h['household_id']}.") if yes else None)

    def action_move_member(self) -> None:
        h, m = self.shown, self._member()
        if not h or not m:
            return
        if not h["at_address"]:
            self.notify("No other household at this address to move to.", severity="warning")
            return
        self.app.push_screen(
            HouseholdPickerModal(f"Move {name(m)} into which household at {address(h)}?", h["at_address"]),
            lambda target: self._decide(partial(jobs.move_member, self.store, m["person_id"], target),
                                        f"{name(m)} moved to household {target}.") if target else None)

    def action_merge(self) -> None:
        h = self.shown
        if not h:
            return
        if not h["at_address"]:
            self.notify("No other household at this address to merge with.", severity="warning")
            return
        self.app.push_screen(
            HouseholdPickerModal(f"Merge household {h['household_id']} with which household at {address(h)}?",
                                 h["at_address"]),
            lambda other: self._decide(partial(jobs.merge, self.store, h["household_id"], other),
                                       f"Households {h['household_id']} and {other} merged.") if other else None)

    def _decide(self, job: Callable[[], dict[str, Any]], text: str) -> None:
        self.query_one("#households", DataTable).loading = True
        self._run_decision(job, text)

    @work(thread=True, exclusive=True, group="households-write", name="record the decision", exit_on_error=False)
    def _run_decision(self, job: Callable[[], dict[str, Any]], text: str) -> None:
        result = job()
        self.post_message(self.Decided(f"{text} Households now: {', '.join(map(str, result['households']))}."))

    # -- rebuilding every household (progress; Escape stops it, rolled back) -------------------------
    def action_recompute(self) -> None:
        if self.cancel_requested is not None:
            return
        self.cancel_requested = threading.Event()
        self.query_one(LoadProgress).start("Rebuilding the households")
        self.refresh_bindings()
        self._recompute(self.cancel_requested)

    @work(thread=True, exclusive=True, group="households-rebuild", name="rebuild the households",
          exit_on_error=False)
    def _recompute(self, cancelled: threading.Event) -> None:
        result = jobs.rebuild(self.store, lambda msg, frac: self.post_message(self.RebuildStepped(msg, frac)),
                              cancelled)
        self.post_message(self.Rebuilt(result))

    @on(RebuildStepped)
    def _rebuild_stepped(self, message: RebuildStepped) -> None:
        self.query_one(LoadProgress).step(message.message, message.fraction)

    @on(Rebuilt)
    def _rebuilt(self, message: Rebuilt) -> None:
        self._rebuild_ended()
        r = message.result
        self.post_message(self.Decided(f"{r['households']:,} households for {r['persons']:,} persons "
                                       f"({r['moves']['applied_now']:,} moves applied) in {r['seconds']:.1f} s."))

    def action_cancel_rebuild(self) -> None:
        if self.cancel_requested is not None:
            self.cancel_requested.set()
            self.query_one(LoadProgress).stopping()

    def _rebuild_ended(self) -> None:
        self.cancel_requested = None
        self.query_one(LoadProgress).finish()
        self.refresh_bindings()

    def job_failed(self, worker: Worker) -> None:
        if worker.group == "households-rebuild":
            self._rebuild_ended()

    @on(Decided)
    def _decided(self, message: Decided) -> None:
        self.notify(escape(message.text))
        self.action_refresh_households()


# -- rows ------------------------------------------------------------------------------------------
def name(m: dict[str, Any]) -> str:
    return " ".join(x for x in (m.get("first_name"), m.get("last_name")) if x) or f"person {m['person_id']}"


def address(h: dict[str, Any]) -> str:
    return ", ".join(x for x in (h.get("address_line1"), h.get("address_line2"), h.get("city"), h.get("zip5")) if x)


def household_row(h: dict[str, Any]) -> list[Any]:
    head = " ".join(x for x in (h["head_first_name"], h["head_last_name"]) if x)
    return [cells.identifier(h["household_id"]), cells.text(h["surname"], "bold"), cells.text(head),
            cells.clip(address(h) or None, 44), cells.number(h["size"]), cells.number(float(h["spend_12m"])),
            cells.clip(", ".join(h["brands"] or []) or None, 24),
            cells.text(", ".join(h["review_reasons"]) or None, "yellow")]


def member_row(m: dict[str, Any]) -> list[Any]:
    records = ", ".join(f"{r['source']}:{r['source_key']}" for r in m["records"])
    mail = Text("yes", style="green") if m["mail_deliverable"] else Text(m["mail_reason"] or "no", style="red")
    return [cells.identifier(m["person_id"]), Text(("* " if m["is_head"] else "  ") + name(m),
                                               style="bold" if m["is_head"] else ""),
            cells.text(m["joined_by"]), cells.number(float(m["spend_12m"])), mail, cells.clip(records or None, 60)]


# -- the target picker ----------------------------------------------------------------------------
class HouseholdPickerModal(WorkbenchModal[int | None]):
    """Pick one of the other households at the address; dismisses with its id (or None)."""

    CSS_PATH = str(Path(modals.__file__).with_name("modals.tcss"))
    AUTO_FOCUS = "#targets"

    def __init__(self, question: str, households: list[dict[str, Any]]) -> None:
        super().__init__()
        self.question, self.households = question, households

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(self.question), classes="dialog-title")
            yield DataTable(id="targets", cursor_type="row")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Choose", id="choose", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        table = self.query_one("#targets", DataTable)
        table.add_columns("household", "surname", "size")
        for h in self.households:
            table.add_row(cells.identifier(h["household_id"]), cells.text(h["surname"]), cells.number(h["size"]),
                          key=str(h["household_id"]))

    def _chosen_id(self) -> int | None:
        table = self.query_one("#targets", DataTable)
        if not table.row_count:
            return None
        return int(table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value)

    @on(DataTable.RowSelected, "#targets")
    def _selected(self) -> None:
        self.dismiss(self._chosen_id())

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(self._chosen_id() if event.button.id == "choose" else None)
