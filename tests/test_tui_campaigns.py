"""Pilot tests of the Campaigns screen (campaigns, a campaign's results and persons, rules, triggers)
and of the customer view opened from a list of persons. Workers are awaited, never slept on."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from textual.widgets import Button, DataTable, Static, TabbedContent, TextArea
from tui_support import settle

from workbench import clock
from workbench.contacts.rules import parse_rules_text, save_rules
from workbench.contacts.triggers import parse_triggers_text, save_triggers
from workbench.store import Store
from workbench.store.sql import run, scalar
from workbench.tui.app import WorkbenchApp
from workbench.tui.modals.error import ErrorModal
from workbench.tui.screens.campaigns_view import CampaignScreen, CampaignsScreen, RuleEditorModal
from workbench.tui.screens.customer import CustomerScreen, open_customer

BACKGROUND = frozenset({"_loader", "freshness-summary"})  # the freshness summary runs on a timer
SIZE = (130, 40)
NOW = "2026-11-20T10:00:00"
SENT = date(2026, 10, 1)


@pytest.fixture
def db(tmp_path):
    clock.set_now(NOW)
    path = tmp_path / "wb.duckdb"
    with Store(path).transaction() as conn:
        run(conn, """INSERT INTO records (record_id, source, source_key, load_id, first_name, last_name, email_std)
            SELECT i, 'crm', 'K' || i, 1, 'Ann' || i, 'Lee', 'a' || i || '@example.com' FROM range(1, 61) t(i)""")
        run(conn, "INSERT INTO person_records (record_id, person_id, assigned_at) SELECT i, i, now() FROM range(1, 61) t(i)")
        run(conn, """INSERT INTO persons (person_id, first_name, last_name, city, golden_from, record_count, sources,
                updated_at)
            SELECT i, 'Ann' || i, 'Lee', 'BOSTON', {'first_name': i, 'last_name': i, 'address': NULL, 'email': i,
                   'phone': NULL, 'birth_date': NULL}, 1, ['crm'], now() FROM range(1, 61) t(i)""")
        for cell, first, last, control in (("A", 1, 40, False), ("control", 41, 60, True)):
            run(conn, """INSERT INTO contact_history (origin, person_id, campaign, brand, channel, cell, keycode,
                    is_control, contact_date)
                SELECT 'export', i, 'WINTER', 'northwind', 'mail', ?, ?, ?, ? FROM range(?, ?) t(i)""",
                [cell, "WX" if control else "WA", control, SENT, first, last + 1])
        run(conn, """INSERT INTO transactions (source, order_id, record_id, load_id, order_date, amount, brand)
            SELECT 'shop', 'O' || i, i, 1, ?, 80, 'northwind' FROM (VALUES (1), (2), (3), (4), (41)) t(i)""",
            [SENT + timedelta(days=4)])
        run(conn, """INSERT INTO transactions (source, order_id, record_id, load_id, order_date, amount, brand)
            VALUES ('shop', 'OLD1', 5, 1, DATE '2024-01-01', 20, 'northwind'),
                   ('shop', 'OLD2', 5, 1, DATE '2024-03-01', 20, 'northwind')""")
        save_rules(conn, parse_rules_text('[rules.mail_week]\nchannel = "mail"\nwindow_days = 7\nmax_contacts = 1\n'))
        save_triggers(conn, parse_triggers_text(
            '[triggers.lapsing]\nfrom = "transactions"\nwindow_days = 365\nwhen = ["count_ever >= 2", "count = 0"]\n'))
    yield path
    clock.set_now(None)


def rows(table: DataTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_campaign_results_persons_and_customer_view(db):
    app = WorkbenchApp(str(db))
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(CampaignsScreen())
        await settle(pilot, BACKGROUND)
        screen = app.screen
        campaigns = rows(screen.query_one("#campaigns", DataTable))
        assert campaigns == [["WINTER", "northwind", "mail", "2026-10-01", "2", "40", "20", "export"]]
        await pilot.press("enter")
        await settle(pilot, BACKGROUND)
        detail = app.screen
        assert isinstance(detail, CampaignScreen)
        results = rows(detail.query_one("#results", DataTable))
        assert [r[:5] for r in results] == [["A", "WA", "40", "4", "10.00%"], ["control", "WX", "20", "1", "5.00%"]]
        assert results[0][7] == "5.00%"  # lift: 10% - 5%
        chart = str(detail.query_one("#chart", Static).render())
        assert "10.00%" in chart and "lift +5.00 pts" in chart
        persons = rows(detail.query_one("#cell-persons", DataTable))
        assert len(persons) == 40 and persons[0][:2] == ["1", "Ann1 Lee"]
        await pilot.press("tab")  # to the persons of cell A
        await pilot.press("enter")
        await settle(pilot, BACKGROUND)
        customer = app.screen
        assert isinstance(customer, CustomerScreen) and customer.person_id == 1
        assert "Person 1: Ann1 Lee" in str(customer.query_one("#customer-title", Static).render())
        golden = rows(customer.query_one("#c-golden", DataTable))
        assert golden[0][:4] == ["first_name", "Ann1", "crm", "K1"]
        assert rows(customer.query_one("#c-contacts", DataTable))[0][1] == "WINTER"
        assert rows(customer.query_one("#c-brands", DataTable))[0][:2] == ["northwind", "1"]
        # no suppressions built yet, but no address: not mail-deliverable, and the view says why
        assert rows(customer.query_one("#c-suppressions", DataTable)) == [["mail", "every brand", "deliverability",
                                                                           "no address", "-"]]
        await pilot.press("escape")
        assert isinstance(app.screen, CampaignScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, CampaignsScreen)


async def test_customer_view_opens_from_any_screen_and_shows_triggers(db):
    app = WorkbenchApp(str(db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, BACKGROUND)
        open_customer(app, 5)
        await settle(pilot, BACKGROUND)
        view = app.screen
        assert isinstance(view, CustomerScreen)
        assert rows(view.query_one("#c-triggers", DataTable))[0][0] == "lapsing"
        assert not view.query_one("#c-merges", DataTable).display  # no match runs: a note says so
        assert "no match runs yet" in str(view.query_one("#e-merges", Static).render())
        open_customer(app, 999)
        await settle(pilot, BACKGROUND)
        assert isinstance(app.screen, ErrorModal)
        assert "No person 999" in app.screen.message


async def test_rules_tab_adds_and_toggles_a_rule_and_triggers_tab_lists_persons(db):
    app = WorkbenchApp(str(db))
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(CampaignsScreen())
        await settle(pilot, BACKGROUND)
        screen = app.screen
        await pilot.press("r")  # the Rules tab by its key
        await pilot.pause()
        assert screen.query_one("#campaign-tabs", TabbedContent).active == "tab-rules"
        assert rows(screen.query_one("#rules", DataTable))[0][:2] == ["mail_week", "pressure"]
        await pilot.press("a")
        await settle(pilot, BACKGROUND)
        editor = app.screen
        assert isinstance(editor, RuleEditorModal)
        area = editor.query_one("#rule-text", TextArea)
        area.text = '[rules.calls]\nkind = "capacity"\nchannel = "phone"\nmax_per_day = 500\nwindow_days = 3\n'
        editor.query_one("#save", Button).press()
        await pilot.pause()
        assert "belongs to pressure rules" in str(editor.query_one("#rule-error", Static).render())
        area.text = '[rules.calls]\nkind = "capacity"\nchannel = "phone"\nmax_per_day = 500\n'
        editor.query_one("#save", Button).press()  # a click within 0.2 s of the last is ignored
        await settle(pilot, BACKGROUND)
        assert app.screen is screen
        assert [r[0] for r in rows(screen.query_one("#rules", DataTable))] == ["mail_week", "calls"]
        screen.query_one("#rules", DataTable).focus()
        await pilot.press("t")  # the first rule off
        await settle(pilot, BACKGROUND)
        assert rows(screen.query_one("#rules", DataTable))[0][3] == "off"
        with Store(db).connect(read_only=True) as conn:
            assert scalar(conn, "SELECT enabled FROM contact_rules WHERE name = 'mail_week'") is False
        screen.query_one("#campaign-tabs", TabbedContent).active = "tab-triggers"
        screen.query_one("#triggers", DataTable).focus()
        await settle(pilot, BACKGROUND)
        assert rows(screen.query_one("#triggers", DataTable))[0][:2] == ["lapsing", "1"]
        assert rows(screen.query_one("#trigger-persons", DataTable))[0][:2] == ["5", "Ann5 Lee"]
        assert "stale" in str(screen.query_one("#trigger-reasons", Static).render())  # no source defined
