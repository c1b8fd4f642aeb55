"""Triggers on set clocks: frustration, serial returner, thank-you, lapsing; window edges; staleness
against the sources' freshness; the TOML checks; the SQL the selections embed."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from workbench import clock
from workbench.contacts.trigger_sql import (
    evaluate_triggers,
    fired_persons,
    person_triggers,
    trigger_persons_sql,
)
from workbench.contacts.triggers import list_triggers, parse_triggers_text, save_triggers
from workbench.errors import ConfigError, NotFoundError
from workbench.ingest.sources import save_sources, source_from_dict
from workbench.store import Store
from workbench.store.sql import rows, run

NOW = datetime(2026, 11, 20, 10, 0)
DEMO_TRIGGERS = """
[triggers.frustration]
from = "events"
event_types = ["support_call", "complaint"]
window_days = 14
when = ["count >= 3"]

[triggers.serial_returner]
from = "transactions"
window_days = 365
cadence = "monthly"
when = ["count >= 2", "returned_share >= 0.5"]

[triggers.thank_you]
from = "transactions"
window_days = 7
when = ["count >= 1", "count_before = 0"]

[triggers.lapsing]
from = "transactions"
window_days = 365
cadence = "weekly"
when = ["count_ever >= 2", "count = 0"]
"""


@pytest.fixture
def db(tmp_path):
    clock.set_now(NOW)
    store = Store(tmp_path / "wb.duckdb")
    with store.transaction() as conn:
        run(conn, "INSERT INTO records (record_id, source, source_key, load_id) SELECT i, 'crm', 'K' || i, 1 "
                  "FROM range(1, 21) t(i)")
        run(conn, "INSERT INTO person_records (record_id, person_id, assigned_at) SELECT i, i, now() FROM range(1, 21) t(i)")
        run(conn, "INSERT INTO persons (person_id, first_name, record_count, updated_at) "
                  "SELECT i, 'P' || i, 1, now() FROM range(1, 21) t(i)")
        save_triggers(conn, parse_triggers_text(DEMO_TRIGGERS))
    return store


def order(conn, person: int, days_ago: float, returned: bool = False, source: str = "shop", amount: float = 50) -> None:
    run(conn, """INSERT INTO transactions (source, order_id, source_key, record_id, load_id, order_date, amount, brand,
            returned) VALUES (?, ?, ?, ?, 1, ?, ?, 'northwind', ?)""",
        [source, f"O{person}-{days_ago}-{returned}", f"K{person}", person, NOW - timedelta(days=days_ago), amount,
         returned])


def event(conn, person: int, days_ago: float, kind: str = "support_call") -> None:
    run(conn, "INSERT INTO events (source, source_key, record_id, load_id, event_type, event_time) VALUES ('calls', ?, ?, 1, ?, ?)",
        [f"K{person}", person, kind, NOW - timedelta(days=days_ago)])


def fired(conn, name: str) -> set[int]:
    return {r["person_id"] for r in rows(conn, trigger_persons_sql(conn, name))}


def test_frustration_counts_support_contacts_within_14_days(db):
    with db.transaction() as conn:
        for d in (0.1, 5, 13):  # 13 days ago is day 14 of the window
            event(conn, 1, d)
        for d in (0.1, 5, 14):  # 14 days ago is day 15: outside
            event(conn, 2, d)
        for d in (1, 2):
            event(conn, 3, d)
        event(conn, 3, 3, kind="order_enquiry")  # not a support contact
        event(conn, 4, 1), event(conn, 4, 2), event(conn, 4, 3, kind="complaint")
        event(conn, 5, -1), event(conn, 5, 1), event(conn, 5, 2)  # one in the future: not yet
        assert fired(conn, "frustration") == {1, 4}


def test_serial_returner_thank_you_and_lapsing_on_a_set_clock(db):
    with db.transaction() as conn:
        order(conn, 1, 10), order(conn, 1, 20, returned=True)  # 1 of 2 returned: serial returner
        order(conn, 2, 10), order(conn, 2, 20, returned=True), order(conn, 2, 30)  # 1 of 3
        order(conn, 3, 10, returned=True)  # one order returned: not enough orders
        order(conn, 4, 2)  # first purchase 2 days ago: thank-you
        order(conn, 5, 2), order(conn, 5, 400)  # a returning customer, not a first purchase
        order(conn, 6, 6)  # 6 days ago = day 7 of the window: thank-you
        order(conn, 7, 6.5)  # 6.5 days ago (the evening of day 8): too late for a thank-you
        order(conn, 8, 400), order(conn, 8, 500)  # lapsing: 2 orders, none in 365 days
        order(conn, 9, 400)  # one order only
        order(conn, 10, 364), order(conn, 10, 500)  # ordered 364 days ago (day 365): not lapsing
        assert fired(conn, "serial_returner") == {1}
        assert fired(conn, "thank_you") == {4, 6}
        assert fired(conn, "lapsing") == {8}
    clock.set_now(NOW + timedelta(days=3))  # three days later the thank-you list moves on
    with db.connect(read_only=True) as conn:
        assert fired(conn, "thank_you") == {4}
        assert fired(conn, "lapsing") == {8, 10}


def test_trigger_sql_embeds_in_a_selection_and_fired_list_has_measures(db):
    with db.transaction() as conn:
        order(conn, 8, 400), order(conn, 8, 500, amount=70)
        order(conn, 4, 2)
        sql = trigger_persons_sql(conn, "lapsing")
        assert rows(conn, f"SELECT person_id, first_name FROM persons WHERE person_id IN ({sql})") == \
            [{"person_id": 8, "first_name": "P8"}]
        page, total = fired_persons(conn, "lapsing")
        assert total == 1 and page[0]["count_ever"] == 2 and page[0]["days_since_last"] == 400
        assert [t["trigger"] for t in person_triggers(conn, 4)] == ["thank_you"]
        assert person_triggers(conn, 1) == []
        with pytest.raises(NotFoundError, match="Did you mean 'lapsing'"):
            trigger_persons_sql(conn, "lapsng")


def _source(name: str, kind: str, cadence: str):
    return source_from_dict(name, {"kind": kind, "cadence": cadence})


def _loaded(conn, source: str, as_of: datetime, load_id: int) -> None:
    run(conn, """INSERT INTO loads (load_id, source, file, file_hash, started_at, finished_at, rows_loaded, as_of_max,
            status) VALUES (?, ?, 'f.csv', 'h', ?, ?, 10, ?, 'loaded')""", [load_id, source, as_of, as_of, as_of])


def test_a_daily_trigger_over_weekly_purchase_data_says_it_is_stale(db):
    with db.transaction() as conn:
        save_sources(conn, [_source("shop", "transactions", "daily"), _source("tills", "transactions", "weekly"),
                            _source("calls", "events", "monthly")])
        _loaded(conn, "shop", NOW - timedelta(hours=5), 1)
        _loaded(conn, "tills", NOW - timedelta(days=2), 2)
        status = {s.name: s for s in evaluate_triggers(conn)}
    thanks = status["thank_you"]
    assert thanks.status == "stale"
    assert any("tills arrives weekly: a daily trigger" in r for r in thanks.reasons)
    assert [v["verdict"] for v in thanks.sources] == ["ok", "stale"]
    assert status["lapsing"].status == "ok"  # weekly trigger, weekly and daily data, both fresh
    assert status["frustration"].status == "stale"
    assert status["frustration"].reasons == ["calls was never loaded"]
    with db.transaction() as conn:  # a weekly source 12 days old is late (warn) for a monthly trigger
        run(conn, "DELETE FROM loads WHERE source = 'tills'")
        _loaded(conn, "tills", NOW - timedelta(days=12), 3)
        returner = evaluate_triggers(conn, ["serial_returner"])[0]
    assert returner.status == "warn" and "tills is late" in returner.reasons[0]


def test_triggers_keep_their_definition_through_the_store(db):
    with db.connect(read_only=True) as conn:
        found = {t.name: t for t in list_triggers(conn)}
    assert list(found) == ["frustration", "serial_returner", "thank_you", "lapsing"]
    assert found["frustration"].event_types == ["support_call", "complaint"]
    assert found["lapsing"].cadence == "weekly" and found["lapsing"].cadence_s == 7 * 86400
    assert found["serial_returner"].summary() == \
        "from transactions; window 365 days: count >= 2 and returned_share >= 0.5"


@pytest.mark.parametrize("body, message", [
    ('[triggers.x]\nfrom = "orders"\nwhen = ["count >= 1"]\n', "'orders' is not one of transactions, events"),
    ('[triggers.x]\nfrom = "events"\nwindow_days = 7\nwhen = ["cuont >= 3"]\n', "did you mean 'count'"),
    ('[triggers.x]\nfrom = "events"\nwindow_days = 7\nwhen = ["returns >= 3"]\n', "only to triggers from transactions"),
    ('[triggers.x]\nfrom = "transactions"\nwhen = ["count >= 3"]\n', "window_days"),
    ('[triggers.x]\nfrom = "transactions"\nwindow_days = 7\nwhen = ["count >= 1; DROP TABLE persons"]\n',
     "is not a condition"),
    ('[triggers.x]\nfrom = "transactions"\nevent_types = ["a"]\nwindow_days = 7\nwhen = ["count >= 1"]\n',
     "does not apply to a trigger from transactions"),
    ('[triggers.x]\nfrom = "transactions"\nwindow_days = 7\ncadence = "fortnightly"\nwhen = ["count >= 1"]\n',
     "not a cadence"),
    ('[triggers.x]\nfrom = "transactions"\nsql = "SELECT 1"\nwhen = ["count >= 1"]\n', "unknown key"),
])
def test_trigger_toml_is_checked_and_never_takes_sql(body, message):
    with pytest.raises(ConfigError) as err:
        parse_triggers_text(body, "triggers.toml")
    assert message in err.value.message


def test_names_in_filters_are_quoted(db):
    text = '[triggers.q]\nfrom = "events"\nevent_types = ["it\'s"]\nwindow_days = 3\nwhen = ["count >= 1"]\n'
    with db.transaction() as conn:
        save_triggers(conn, parse_triggers_text(text))
        event(conn, 1, 1, kind="it's")
        assert fired(conn, "q") == {1}


def test_the_demo_rules_and_triggers_parse():
    from pathlib import Path

    from workbench.contacts.rules import parse_rules_toml

    demo = Path(__file__).resolve().parents[1] / "demo_db"
    rules = parse_rules_toml(demo / "rules.toml")
    assert [r.summary() for r in rules] == [
        "at most 3 mail contacts per person in 30 days across all brands",
        "at most 1 contact per person per channel per brand in 7 days",
        "at most 2 email contacts per household in 7 days across all brands",
        "at most 40 phone contacts per day across all brands",
    ]
    from workbench.contacts.triggers import parse_triggers_toml

    assert [t.name for t in parse_triggers_toml(demo / "triggers.toml")] == \
        ["frustration", "serial_returner", "thank_you", "lapsing"]
