"""Campaign results: response rates, revenue per person, lift and its 95% interval against a case
computed by hand; matchback windows at their edges; keyed response files; the campaigns list."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from workbench import clock
from workbench.contacts.history import campaign_cells, campaign_persons, list_campaigns, person_contacts
from workbench.contacts.responses import import_responses
from workbench.contacts.results import campaign_results, lift_interval, recent_campaign_results
from workbench.errors import InputFileError, NotFoundError
from workbench.store import Store
from workbench.store.sql import run

SENT = date(2026, 10, 1)


@pytest.fixture
def db(tmp_path):
    clock.set_now("2026-11-20T10:00:00")
    store = Store(tmp_path / "wb.duckdb")
    with store.transaction() as conn:
        run(conn, "INSERT INTO records (record_id, source, source_key, load_id, email_std) "
                  "SELECT i, 'crm', 'K' || i, 1, 'p' || i || '@example.com' FROM range(1, 401) t(i)")
        run(conn, "INSERT INTO person_records (record_id, person_id, assigned_at) SELECT i, i, now() FROM range(1, 401) t(i)")
        run(conn, "INSERT INTO persons (person_id, first_name, record_count, updated_at) "
                  "SELECT i, 'P' || i, 1, now() FROM range(1, 401) t(i)")
        # WINTER: cell A persons 1-100 (10 respond), cell B 101-180 (4 respond), control 181-280 (2 respond)
        for cell, first, last, control, keycode in (("A", 1, 100, False, "WA"), ("B", 101, 180, False, "WB"),
                                                    ("control", 181, 280, True, "WX")):
            run(conn, """INSERT INTO contact_history (origin, export_id, person_id, campaign, brand, channel, cell,
                    keycode, is_control, contact_date)
                SELECT 'export', 1, i, 'WINTER', 'northwind', 'mail', ?, ?, ?, ? FROM range(?, ?) t(i)""",
                [cell, keycode, control, SENT, first, last + 1])
        for first, last in ((1, 10), (101, 104), (181, 182)):
            run(conn, """INSERT INTO transactions (source, order_id, record_id, load_id, order_date, amount, brand)
                SELECT 'shop', 'W' || i, i, 1, ?, 100, 'northwind' FROM range(?, ?) t(i)""",
                [SENT + timedelta(days=5), first, last + 1])
    return store


def order(conn, person: int, day: date, brand: str = "northwind", returned: bool = False, amount: float = 40,
          order_id: str | None = None) -> None:
    run(conn, """INSERT INTO transactions (source, order_id, record_id, load_id, order_date, amount, brand, returned)
        VALUES ('shop', ?, ?, 1, ?, ?, ?, ?)""", [order_id or f"E{person}-{day}", person, day, amount, brand, returned])


def test_lift_against_a_hand_computed_case(db):
    with db.connect(read_only=True) as conn:
        r = campaign_results(conn, "WINTER")
    cells = {c["cell"]: c for c in r["cells"]}
    assert [c["cell"] for c in r["cells"]] == ["A", "B", "control"]
    a, b, x = cells["A"], cells["B"], cells["control"]
    assert (a["contacted"], a["responders"], b["contacted"], b["responders"], x["contacted"], x["responders"]) == \
        (100, 10, 80, 4, 100, 2)
    assert a["response_rate"] == pytest.approx(0.10) and x["response_rate"] == pytest.approx(0.02)
    assert a["revenue"] == pytest.approx(1000.0) and a["revenue_per_person"] == pytest.approx(10.0)
    # by hand: lift = 0.10 - 0.02 = 0.08; se = sqrt(0.1*0.9/100 + 0.02*0.98/100) = sqrt(0.001096) = 0.033106;
    # 1.96 se = 0.064888, so the interval is 0.01511 to 0.14489: significant.
    assert a["lift"] == pytest.approx(0.08)
    assert a["lift_low"] == pytest.approx(0.01511, abs=1e-4) and a["lift_high"] == pytest.approx(0.14489, abs=1e-4)
    assert a["significant"] is True and a["relative_lift"] == pytest.approx(4.0)
    assert a["incremental_responders"] == pytest.approx(8.0) and a["incremental_revenue"] == pytest.approx(800.0)
    # B: 0.05 - 0.02 = 0.03; se = sqrt(0.05*0.95/80 + 0.001960) = 0.028102; 0.03 +- 0.05508 spans 0
    assert b["lift_low"] == pytest.approx(-0.02508, abs=1e-4) and b["lift_high"] == pytest.approx(0.08508, abs=1e-4)
    assert b["significant"] is False
    assert x["lift"] is None
    assert r["total"]["contacted"] == 180 and r["total"]["responders"] == 14 and r["total"]["held_out"] == 100
    assert r["window_open"] is False  # sent Oct 1, 30 days: closed on Oct 31, before today (Nov 20)
    with db.connect(read_only=True) as conn:
        assert campaign_results(conn, "WINTER", window_days=60)["window_open"] is True


def test_lift_interval_edge_cases():
    assert lift_interval(5, 10, 0, 0)["lift"] is None
    assert lift_interval(0, 10, 0, 10) == {"lift": 0.0, "lift_low": 0.0, "lift_high": 0.0, "relative_lift": None,
                                           "significant": False}


def test_matchback_window_edges_brand_and_returns(db):
    with db.transaction() as conn:
        run(conn, """INSERT INTO contact_history (origin, person_id, campaign, brand, channel, cell, keycode, contact_date)
            SELECT 'export', i, 'EDGE', 'northwind', 'mail', 'A', 'E1', ? FROM range(300, 306) t(i)""", [SENT])
        order(conn, 300, SENT + timedelta(days=30))  # the last day of a 30-day window: a response
        order(conn, 301, SENT + timedelta(days=31))  # a day late
        order(conn, 302, SENT - timedelta(days=1))  # before the contact
        order(conn, 303, SENT + timedelta(days=3), brand="ember")  # another brand
        order(conn, 304, SENT + timedelta(days=3), returned=True)  # responded, then returned it
        order(conn, 305, SENT, amount=10), order(conn, 305, SENT + timedelta(days=2), amount=15)
        r = campaign_results(conn, "EDGE")
        cell = r["cells"][0]
        assert (cell["contacted"], cell["responders"], cell["orders"]) == (6, 3, 4)
        assert cell["revenue"] == pytest.approx(65.0)  # 40 + 10 + 15; the returned order earns nothing
        assert campaign_results(conn, "EDGE", same_brand=False)["cells"][0]["responders"] == 4
        assert campaign_results(conn, "EDGE", window_days=31)["cells"][0]["responders"] == 4
        assert r["cells"][0]["lift"] is None  # no control cell


def test_keyed_response_file(db, tmp_path):
    with db.transaction() as conn:
        run(conn, """INSERT INTO contact_history (origin, person_id, campaign, brand, channel, cell, keycode, contact_date)
            SELECT 'export', i, 'KEYED', 'fable', 'mail', 'A', 'FK1', ? FROM range(350, 354) t(i)""", [SENT])
        order(conn, 350, SENT + timedelta(days=2), brand="fable", amount=20, order_id="ORD-350")
    f = tmp_path / "responses.csv"
    f.write_text("Keycode,Response_Date,source_key,email,amount,order_id\n"
                 "FK1,2026-10-20,K351,,30.00,\n"  # keyed, by source key: a responder with no order on file
                 "FK1,2026-10-04,,P350@Example.com,20.00,ORD-350\n"  # the same order as the matchback: once
                 "FK1,2026-10-09,,stranger@example.com,12.50,\n"  # someone not mailed (passed on)
                 "FK1,not a date,K352,,1,\n"  # rejected
                 "FK1,2026-09-20,K353,,5,\n", encoding="utf-8")  # before the contact: not a response
    result = import_responses(db, f)
    assert (result["rows_read"], result["rows_loaded"], result["rows_rejected"], result["respondents_found"]) == \
        (5, 4, 1, 3)
    with pytest.raises(InputFileError, match="already imported"):
        import_responses(db, f)
    with db.connect(read_only=True) as conn:
        r = campaign_results(conn, "KEYED")
    cell = r["cells"][0]
    assert (cell["contacted"], cell["responders"]) == (4, 2)
    assert cell["revenue"] == pytest.approx(50.0)
    assert r["keyed_outside_list"] == 1


def test_campaign_lists_cells_persons_and_history(db):
    with db.transaction() as conn:
        run(conn, """INSERT INTO contact_history (origin, source, record_id, email_std, campaign, brand, channel,
            keycode, contact_date) VALUES ('load', 'partner', NULL, 'p7@example.com', 'PARTNER', 'ember', 'email', 'PX',
            DATE '2026-11-02'), ('load', 'partner', NULL, 'nobody@example.com', 'PARTNER', 'ember', 'email', 'PX',
            DATE '2026-11-02')""")
        from workbench.contacts.history import ensure_contact_links

        assert ensure_contact_links(conn) == 1
        assert ensure_contact_links(conn) == 0  # nothing loaded since
        found = {c["campaign"]: c for c in list_campaigns(conn)}
        assert list(found) == ["PARTNER", "WINTER"]
        assert (found["WINTER"]["contacted"], found["WINTER"]["held_out"], found["WINTER"]["cells"]) == (180, 100, 3)
        assert found["PARTNER"]["origins"] == ["load"]
        cells = campaign_cells(conn, "PARTNER")
        assert cells[0]["persons"] == 1 and cells[0]["unlinked"] == 1
        page, total = campaign_persons(conn, "WINTER", cell="control", limit=5)
        assert total == 100 and [p["person_id"] for p in page] == [181, 182, 183, 184, 185]
        history = person_contacts(conn, 7)
        assert [h["campaign"] for h in history] == ["PARTNER", "WINTER"]
        assert recent_campaign_results(conn, limit=1)[0]["campaign"] == "PARTNER"
        with pytest.raises(NotFoundError, match="Did you mean 'WINTER'"):
            campaign_results(conn, "winter")
