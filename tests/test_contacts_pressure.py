"""Pressure and capacity rules: windows at their edges, person vs household caps, brand and channel
scopes, capacity per day, competing selection priorities, and the rules TOML."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from workbench import clock
from workbench.contacts.pressure import apply_pressure, clear_plan, list_plans, plan_contacts, pressure_steps
from workbench.contacts.rules import Rule, list_rules, parse_rules_text, save_rules
from workbench.errors import ConfigError
from workbench.store import Store
from workbench.store.sql import rows, run, scalar

TODAY = date(2026, 11, 20)


@pytest.fixture
def db(tmp_path):
    clock.set_now("2026-11-20T10:00:00")
    store = Store(tmp_path / "wb.duckdb")
    with store.transaction() as conn:
        add_persons(conn, range(1, 21))
    return store


def add_persons(conn, ids) -> None:
    """Persons with one record each (record_id = person_id)."""
    run(conn, """INSERT INTO records (record_id, source, source_key, load_id)
        SELECT i, 'crm', 'K' || i, 1 FROM unnest(?::BIGINT[]) t(i)""", [list(ids)])
    run(conn, "INSERT INTO person_records (record_id, person_id, assigned_at) SELECT i, i, now() FROM unnest(?::BIGINT[]) t(i)", [list(ids)])
    run(conn, """INSERT INTO persons (person_id, record_count, updated_at)
        SELECT i, 1, now() FROM unnest(?::BIGINT[]) t(i)""", [list(ids)])


def contact(conn, person_id: int, days_ago: int, channel: str = "mail", brand: str | None = "northwind",
            campaign: str = "C1", is_control: bool = False, by_record: bool = True) -> None:
    """A contact made ``days_ago`` days before TODAY (exports write person_id; loads a record_id)."""
    run(conn, """INSERT INTO contact_history (origin, record_id, person_id, campaign, brand, channel, is_control,
            contact_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        ["load" if by_record else "export", person_id if by_record else None, None if by_record else person_id,
         campaign, brand, channel, is_control, TODAY - timedelta(days=days_ago)])


def candidates(conn, ids) -> str:
    run(conn, "CREATE OR REPLACE TEMP TABLE cand AS SELECT unnest(?::BIGINT[]) AS person_id", [list(ids)])
    return "cand"


def remaining(conn) -> set[int]:
    return {r["person_id"] for r in rows(conn, "SELECT person_id FROM cand")}


MAIL_3_IN_30 = Rule("mail_3_in_30", "pressure", "mail", "all", "person", 30, 3)


def test_window_edge_day_30_counts_day_31_does_not(db):
    with db.transaction() as conn:
        for days in (29, 10, 5):  # day 30 of the window (29 days ago) is inside
            contact(conn, 1, days)
        for days in (30, 10, 5):  # day 31 (30 days ago) is outside
            contact(conn, 2, days)
        contact(conn, 3, 1, by_record=False)  # an export's row (person_id only)
        contact(conn, 3, 2, by_record=False)
        contact(conn, 3, 3, by_record=False)
        candidates(conn, [1, 2, 3, 4])
        removed = apply_pressure(conn, "cand", "mail", "northwind", TODAY, rules=[MAIL_3_IN_30])
        assert removed == [("mail_3_in_30", 2)]
        assert remaining(conn) == {2, 4}


def test_controls_other_channels_and_same_campaign_do_not_count(db):
    with db.transaction() as conn:
        for days in (1, 2):
            contact(conn, 1, days)
        contact(conn, 1, 3, is_control=True)  # held out: not contacted
        contact(conn, 1, 4, channel="email")  # another channel
        contact(conn, 2, 1), contact(conn, 2, 2), contact(conn, 2, 3, campaign="AGAIN")
        contact(conn, 3, -5), contact(conn, 3, 1), contact(conn, 3, 2)  # one dated after today counts
        candidates(conn, [1, 2, 3])
        apply_pressure(conn, "cand", "mail", None, TODAY, rules=[MAIL_3_IN_30], campaign="AGAIN")
        assert remaining(conn) == {1, 2}
        any_channel = Rule("any3", "pressure", "any", "all", "person", 30, 3)
        candidates(conn, [1])
        apply_pressure(conn, "cand", "email", None, TODAY, rules=[any_channel])
        assert remaining(conn) == set()  # 2 mail + 1 email


def test_per_brand_per_channel_rule(db):
    rule = Rule("brand_week", "pressure", "each", "each", "person", 7, 1)
    with db.transaction() as conn:
        contact(conn, 1, 3, channel="email", brand="ember")
        contact(conn, 2, 7, channel="email", brand="ember")  # day 8 of a 7-day window: outside
        for channel, brand, expected in (("email", "ember", {2, 3}), ("email", "northwind", {1, 2, 3}),
                                         ("mail", "ember", {1, 2, 3})):
            candidates(conn, [1, 2, 3])
            apply_pressure(conn, "cand", channel, brand, TODAY, rules=[rule])
            assert remaining(conn) == expected, (channel, brand)


def test_rule_channel_and_brand_decide_where_it_applies():
    mail_only = Rule("m", "pressure", "mail", "all", "person", 30, 3)
    ember_only = Rule("e", "pressure", "any", "ember", "person", 30, 3)
    off = Rule("o", "pressure", "any", "all", "person", 30, 3, enabled=False)
    assert mail_only.applies_to("mail", None) and not mail_only.applies_to("email", "ember")
    assert ember_only.applies_to("email", "ember") and not ember_only.applies_to("email", "fable")
    assert not off.applies_to("mail", None)


def household(conn, household_id: int, members: list[int], head: int) -> None:
    run(conn, """INSERT INTO household_members (household_id, person_id, is_head, head_rank, joined_by, spend_12m,
                 orders_12m)
                 SELECT ?, m, m = ?, CASE WHEN m = ? THEN 1 ELSE 2 END, 'surname', 0, 0 FROM unnest(?::BIGINT[]) t(m)""",
        [household_id, head, head, members])


def test_household_cap_counts_members_and_the_selection_itself(db):
    hh_rule = Rule("hh_email", "pressure", "email", "all", "household", 7, 2)
    person_rule = Rule("p_email", "pressure", "email", "all", "person", 7, 2)
    with db.transaction() as conn:
        contact(conn, 1, 2, channel="email")
        # before any households run, each person is alone: nobody is over 2
        candidates(conn, [1, 2, 3])
        assert apply_pressure(conn, "cand", "email", None, TODAY, rules=[hh_rule]) == [("hh_email", 0)]
        household(conn, 100, [1, 2, 3], head=3)
        candidates(conn, [1, 2, 3, 4])
        assert apply_pressure(conn, "cand", "email", None, TODAY, rules=[person_rule]) == [("p_email", 0)]
        candidates(conn, [1, 2, 3, 4])
        assert apply_pressure(conn, "cand", "email", None, TODAY, rules=[hh_rule]) == [("hh_email", 2)]
        assert remaining(conn) == {3, 4}  # the head keeps the one place left; 4 lives alone
        contact(conn, 2, 1, channel="email")  # now the household has 2 this week
        candidates(conn, [3])
        apply_pressure(conn, "cand", "email", None, TODAY, rules=[hh_rule])
        assert remaining(conn) == set()


def test_capacity_keeps_what_the_day_has_room_for(db):
    cap = Rule("calls", "capacity", "phone", "all", None, max_per_day=5)
    with db.transaction() as conn:
        contact(conn, 1, 0, channel="phone")
        contact(conn, 2, 0, channel="phone")
        contact(conn, 3, 1, channel="phone")  # yesterday: another day
        candidates(conn, range(5, 15))
        assert apply_pressure(conn, "cand", "phone", None, TODAY, rules=[cap]) == [("calls", 7)]
        first = remaining(conn)
        candidates(conn, range(5, 15))
        apply_pressure(conn, "cand", "phone", None, TODAY, rules=[cap])
        assert remaining(conn) == first and len(first) == 3  # the same three every time
        candidates(conn, range(5, 15))
        assert apply_pressure(conn, "cand", "phone", None, TODAY + timedelta(days=1), rules=[cap]) == [("calls", 5)]


def test_higher_priority_selection_keeps_the_person(db):
    rule = Rule("mail_week", "pressure", "mail", "all", "person", 7, 1)
    with db.transaction() as conn:
        save_rules(conn, [rule])
        n = plan_contacts(conn, "winter", 10, "mail", "northwind", TODAY, "SELECT unnest([1, 2, 3]) AS person_id")
        assert n == 3
        plan_contacts(conn, "ember_promo", 5, "mail", "ember", TODAY, "SELECT unnest([3, 4]) AS person_id")
        # the lower-priority selection loses 1, 2, 3 to the higher one's plan
        candidates(conn, [1, 2, 3, 4, 5])
        assert apply_pressure(conn, "cand", "mail", "ember", TODAY, selection="ember_promo", priority=5) == \
            [("mail_week", 3)]
        assert remaining(conn) == {4, 5}
        # the higher one does not count the lower one's plan
        candidates(conn, [1, 2, 3, 4, 5])
        apply_pressure(conn, "cand", "mail", "northwind", TODAY, selection="winter", priority=10)
        assert remaining(conn) == {1, 2, 3, 4, 5}
        # equal priority does not count, nor does a selection without priority see plans
        candidates(conn, [1, 2, 3])
        apply_pressure(conn, "cand", "mail", None, TODAY, selection="other", priority=10)
        assert remaining(conn) == {1, 2, 3}
        candidates(conn, [1, 2, 3])
        apply_pressure(conn, "cand", "mail", None, TODAY)
        assert remaining(conn) == {1, 2, 3}
        assert [p["selection"] for p in list_plans(conn)] == ["winter", "ember_promo"]
        assert clear_plan(conn, "winter") == 3
        candidates(conn, [1, 2, 3, 4])
        apply_pressure(conn, "cand", "mail", "ember", TODAY, selection="ember_promo", priority=5)
        assert remaining(conn) == {1, 2, 3, 4}


def test_a_plan_dated_before_today_is_ignored(db):
    rule = Rule("mail_week", "pressure", "mail", "all", "person", 7, 1)
    with db.transaction() as conn:
        plan_contacts(conn, "old", 99, "mail", None, TODAY - timedelta(days=2), "SELECT 1 AS person_id")
        candidates(conn, [1])
        apply_pressure(conn, "cand", "mail", None, TODAY, selection="x", priority=1, rules=[rule])
        assert remaining(conn) == {1}


def test_steps_come_from_the_stored_rules_in_order(db):
    text = """
[rules.mail_3_in_30_days]
per = "person"
channel = "mail"
window_days = 30
max_contacts = 3

[rules.calls]
kind = "capacity"
channel = "phone"
max_per_day = 500

[rules.email_household]
per = "household"
channel = "email"
window_days = 7
max_contacts = 2
"""
    with db.transaction() as conn:
        save_rules(conn, parse_rules_text(text))
        assert [r.name for r in list_rules(conn)] == ["mail_3_in_30_days", "calls", "email_household"]
        steps = pressure_steps(conn, "mail", "northwind", TODAY, "cand")
        assert [s.rule for s in steps] == ["mail_3_in_30_days"]
        assert steps[0].label == "at most 3 mail contacts per person in 30 days across all brands"
        assert steps[0].step_name == "pressure: mail_3_in_30_days"
        candidates(conn, [1, 2])
        assert scalar(conn, f"SELECT count(*) FROM ({steps[0].sql})", steps[0].params) == 0
        with pytest.raises(ValueError):
            pressure_steps(conn, "mail", None, TODAY, "cand; DROP TABLE persons")


@pytest.mark.parametrize("body, message", [
    ('[rules.x]\nchannel = "mail"\nwindow_days = 30\nmax_contact = 3\n', "rules.toml:4: rule 'x', key 'max_contact': unknown key; did you mean 'max_contacts'"),
    ('[rules.x]\nchannel = "mail"\nmax_contacts = 3\n', "window_days"),
    ('[rules.x]\nchannel = "fax"\nwindow_days = 3\nmax_contacts = 3\n', "'fax' is not one of"),
    ('[rules.x]\nkind = "capacity"\nchannel = "phone"\nper = "person"\nmax_per_day = 3\n', "belongs to pressure rules"),
    ('[rules.x]\nper = "family"\nchannel = "mail"\nwindow_days = 3\nmax_contacts = 3\n', "'family' is not one of"),
    ('[rule.x]\nchannel = "mail"\n', "unknown top-level"),
])
def test_rules_toml_is_checked_strictly(body, message):
    with pytest.raises(ConfigError) as err:
        parse_rules_text(body, "rules.toml")
    assert message in err.value.message
    assert err.value.message.startswith("rules.toml")
