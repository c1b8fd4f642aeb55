"""Pilot test of Campaigns > Plan: the kept plan, its selections (who took from whom) and its calendar."""

from __future__ import annotations

from test_plan_contacts import PLAN, setup
from textual.widgets import DataTable, TabbedContent
from tui_support import settle

from workbench import clock
from workbench.plan import build_plan, parse_plan_text
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.campaigns_view import CampaignsScreen
from workbench.tui.screens.plan_view import PlanView

BACKGROUND = frozenset({"_loader", "freshness-summary"})


def table_rows(table: DataTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_plan_tab_shows_selections_and_calendar(tmp_path):
    store = setup(tmp_path)
    build_plan(store, parse_plan_text(PLAN))
    clock.set_now("2026-11-20T10:00:00")
    app = WorkbenchApp(str(tmp_path / "wb.duckdb"))
    async with app.run_test(size=(120, 35)) as pilot:
        await app.push_screen(CampaignsScreen())
        await settle(pilot, BACKGROUND)
        await pilot.press("l")
        await settle(pilot, BACKGROUND)
        screen = app.screen
        assert screen.query_one("#campaign-tabs", TabbedContent).active == "tab-plan"
        view = screen.query_one(PlanView)
        assert table_rows(view.query_one("#plans", DataTable))[0][:1] == ["december"]
        view.query_one("#plans", DataTable).focus()
        await settle(pilot, BACKGROUND)
        sels = table_rows(view.query_one("#plan-selections", DataTable))
        assert [r[1] for r in sels] == ["northwind_winter", "ember_promo"]
        assert sels[1][6:] == ["4", "northwind_winter 4", "1"]
        cal = table_rows(view.query_one("#plan-calendar", DataTable))
        assert cal[0][:4] == ["2026-11-30", "northwind", "mail", "4"]


async def test_palette_opens_the_plan_tab(tmp_path):
    from workbench.tui.commands import SCREEN_ACTIONS

    store = setup(tmp_path)
    build_plan(store, parse_plan_text(PLAN))
    clock.set_now("2026-11-20T10:00:00")
    (title, _help, mode, action) = next(a for a in SCREEN_ACTIONS if a[0] == "Contact plan")
    app = WorkbenchApp(str(tmp_path / "wb.duckdb"))
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot, BACKGROUND)
        await app.run_on_screen(mode, action)
        await settle(pilot, BACKGROUND)
        assert app.screen.query_one("#campaign-tabs", TabbedContent).active == "tab-plan"
        plans = table_rows(app.screen.query_one(PlanView).query_one("#plans", DataTable))
        assert plans[0][0] == "december"
