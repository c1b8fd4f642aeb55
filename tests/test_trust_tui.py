"""The Audit screen: rows newest first with details, a filter by action, the chain check."""

from __future__ import annotations

import asyncio
from pathlib import Path

from test_trust_helpers import CRM, EMAIL, load_file, make_store, write
from textual.widgets import DataTable, Input, Static
from tui_support import settle

import workbench.tui.app
from workbench import clock
from workbench.store.sql import run
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.audit_view import AuditScreen


class App(WorkbenchApp):
    MODES = {**WorkbenchApp.MODES, "audit": AuditScreen}  # until the lead wires the screen in
    DEFAULT_MODE = "audit"
    CSS_PATH = str(Path(workbench.tui.app.__file__).with_name("styles") / "app.tcss")


def test_audit_screen_lists_filters_and_verifies(tmp_path):
    from workbench.suppress import add_manual_suppression

    store = make_store(tmp_path)
    load_file(store, "crm", write(tmp_path, "crm", CRM))
    with store.transaction() as conn:
        add_manual_suppression(conn, email=EMAIL, channel="email", reason="asked")

    async def scenario() -> None:
        app = App(str(store.path))
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            table = pilot.app.screen.query_one("#audit", DataTable)
            assert table.row_count == 3
            assert [str(table.get_row_at(i)[3]) for i in range(3)] == ["suppression.add", "load", "sources.save"]
            details = str(pilot.app.screen.query_one("#audit-details", Static).render())
            assert "manual_id" in details and EMAIL not in details
            pilot.app.screen.query_one("#audit-action", Input).value = "load"
            await pilot.press("slash", "enter")
            await settle(pilot)
            assert table.row_count == 1 and str(table.get_row_at(0)[4]) == "crm"
            await pilot.press("v")
            await settle(pilot)
            assert "chain intact: 3 rows" in str(pilot.app.screen.query_one("#audit-chain", Static).render())
            with store.transaction() as conn:
                run(conn, "UPDATE audit_log SET actor = 'mallory' WHERE id = 1")
            await pilot.press("v")
            await settle(pilot)
            assert "BROKEN at row 1" in str(pilot.app.screen.query_one("#audit-chain", Static).render())

    asyncio.run(scenario())
    clock.set_now(None)


async def test_audit_log_opens_from_the_command_palette(demo_copy):
    from workbench.tui.app import WorkbenchApp
    from workbench.tui.commands import WorkbenchCommands
    from workbench.tui.screens.audit_view import AuditScreen

    app = WorkbenchApp(str(demo_copy))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        commands = {title: callback for title, _help, callback in WorkbenchCommands(app.screen).commands()}
        commands["Audit log"]()
        await pilot.pause()
        assert isinstance(app.screen, AuditScreen)


async def test_erasure_from_the_customer_view_asks_then_erases(demo_copy):
    from workbench.store import Store
    from workbench.store.sql import scalar
    from workbench.tui.app import WorkbenchApp
    from workbench.tui.screens.customer import CustomerScreen, open_customer

    store = Store(demo_copy)
    with store.connect(read_only=True) as conn:
        person = scalar(conn, "SELECT min(person_id) FROM persons WHERE email IS NOT NULL")
    app = WorkbenchApp(str(demo_copy))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        open_customer(app, person)
        await pilot.pause()
        assert isinstance(app.screen, CustomerScreen)
        await pilot.press("E")
        await pilot.pause()
        app.screen.query_one("#prompt-input").value = "GDPR request 1"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("y")
        for _ in range(50):
            await pilot.pause(0.1)
            if not isinstance(app.screen, CustomerScreen):
                break
    with store.connect(read_only=True) as conn:
        assert scalar(conn, "SELECT count(*) FROM persons WHERE person_id = ?", [person]) == 0
