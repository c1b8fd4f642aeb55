"""One contact plan across brands: arbitration by priority under the pressure rules, the waterfall
naming the higher-priority selection, the plan kept and followed by exports, an export outside the plan
checked against it, expected-value order, the calendar, and a plan file read strictly."""

from __future__ import annotations

import pytest
from appends_helpers import make_store

from workbench.contacts.rules import Rule, save_rules
from workbench.errors import ConfigError, RefusedError
from workbench.export.run import export_selection
from workbench.plan import build_plan, drop_plan, parse_plan_text, plan_calendar, plan_selections
from workbench.select.counts import count_selection
from workbench.select.definition import parse_selections_text
from workbench.select.saved import save_selection
from workbench.store.sql import rows

SELECTIONS = """
[selections.northwind_winter]
channel = "mail"
brand = "northwind"
where = "last_name <> 'Green'"

[selections.ember_promo]
channel = "mail"
brand = "ember"

[selections.harbor_mail]
channel = "mail"
brand = "harbor"
"""

PLAN = """
[plans.december]
start = 2026-12-01
end = 2026-12-31
selections = [
  { name = "northwind_winter", date = 2026-12-03 },
  { name = "ember_promo", date = 2026-12-10 },
]
"""


def setup(tmp_path, max_contacts=1):
    store = make_store(tmp_path)
    with store.transaction() as conn:
        save_rules(conn, [Rule("mail_cap", "pressure", "mail", "all", "person", 30, max_contacts)])
        for sel in parse_selections_text(SELECTIONS):
            save_selection(conn, sel, origin="test")
    return store


def planned(store, selection) -> set[int]:
    with store.transaction() as conn:
        return {
            r["person_id"]
            for r in rows(conn, "SELECT person_id FROM planned_contacts WHERE selection = ?", [selection])
        }


def test_two_brands_never_exceed_a_pressure_rule(tmp_path):
    store = setup(tmp_path, max_contacts=1)
    result = build_plan(store, parse_plan_text(PLAN))
    north, ember = result.selections
    assert north.planned == 4 and ember.planned == 1  # Lisa Green is the only one left for ember
    assert planned(store, "northwind_winter") & planned(store, "ember_promo") == set()
    with store.transaction() as conn:  # nobody gets more mail in 30 days than the rule allows
        most = rows(
            conn,
            "SELECT max(n) AS m FROM (SELECT person_id, count(*) AS n FROM planned_contacts "
            "WHERE channel = 'mail' GROUP BY person_id)",
        )[0]["m"]
    assert most == 1


def test_a_rule_that_allows_two_gives_both(tmp_path):
    store = setup(tmp_path, max_contacts=2)
    north, ember = build_plan(store, parse_plan_text(PLAN)).selections
    assert north.planned == 4 and ember.planned == 5 and ember.taken_by_higher == 0


def test_waterfall_names_the_higher_priority_selection(tmp_path):
    store = setup(tmp_path)
    build_plan(store, parse_plan_text(PLAN))
    with store.transaction() as conn:
        kept = plan_selections(conn, "december")
    ember = next(s for s in kept if s["selection"] == "ember_promo")
    step = next(s for s in ember["waterfall"]["steps"] if s["step"] == "plan")
    assert step["name"] == "taken: northwind_winter"
    assert step["label"] == "taken by a higher-priority contact: northwind_winter"
    assert step["removed"] == 4 and ember["taken_by_higher"] == 4
    # in the other order, ember takes everybody and northwind's waterfall names ember
    reverse = (
        PLAN.replace('"northwind_winter", date = 2026-12-03', '"X", date = 2026-12-03')
        .replace('"ember_promo", date = 2026-12-10', '"northwind_winter", date = 2026-12-10')
        .replace('"X", date = 2026-12-03', '"ember_promo", date = 2026-12-03')
    )
    first, second = build_plan(store, parse_plan_text(reverse)).selections
    assert (first.selection, first.planned) == ("ember_promo", 5)
    assert second.planned == 0
    assert [s.name for s in second.waterfall.steps if s.step == "plan"] == ["taken: ember_promo"]


def test_an_export_follows_the_plan_and_one_outside_it_is_checked(tmp_path):
    store = setup(tmp_path, max_contacts=1)
    build_plan(
        store,
        parse_plan_text(
            PLAN.replace("2026-12-10", "2026-11-20").replace("start = 2026-12-01", "start = 2026-11-20")
        ),
    )
    # ember_promo follows the plan: only Lisa Green, the one person the plan gave it
    wf = count_selection(store, "ember_promo")
    assert wf.net == 1
    assert any(s.name == "plan: december" and s.removed == 4 for s in wf.steps)
    # harbor_mail is in no plan: the plan's contacts (today and 13 days on, inside the 30-day window)
    # count as made, so its rule leaves nobody
    outside = export_selection(store, "harbor_mail", tmp_path / "harbor.csv", campaign="H1", dry_run=True)
    assert outside.waterfall.net == 0
    assert any(s.step == "pressure" and s.removed == 5 for s in outside.waterfall.steps)
    # without the plan it would have had everybody
    with store.transaction() as conn:
        drop_plan(conn, "december")
    assert count_selection(store, "harbor_mail").net == 5


def test_a_selection_follows_one_plan(tmp_path):
    store = setup(tmp_path)
    build_plan(store, parse_plan_text(PLAN))
    other = PLAN.replace("[plans.december]", "[plans.other]")
    with pytest.raises(RefusedError, match="already in contact plan 'december'"):
        build_plan(store, parse_plan_text(other))
    assert len(planned(store, "northwind_winter")) == 4  # unchanged


def test_expected_value_order(tmp_path):
    store = setup(tmp_path)
    text = """
[plans.december]
start = 2026-12-01
end = 2026-12-31
order = "expected_value"
selections = [
  { name = "northwind_winter", date = 2026-12-03, score = "record_count", value = 1.0 },
  { name = "ember_promo", date = 2026-12-10, score = "record_count", value = 5.0 },
]
"""
    first, second = build_plan(store, parse_plan_text(text)).selections
    assert first.selection == "ember_promo" and first.expected_value == 5.0 and first.planned == 5
    assert second.planned == 0


def test_calendar_counts_per_week_brand_and_channel(tmp_path):
    store = setup(tmp_path)
    build_plan(store, parse_plan_text(PLAN))
    with store.transaction() as conn:
        cal = plan_calendar(conn, "december")
    weeks = {str(w["week"]): w for w in cal["weeks"]}
    assert weeks["2026-11-30"]["contacts"] == [{"brand": "northwind", "channel": "mail", "contacts": 4}]
    assert weeks["2026-12-07"]["contacts"] == [{"brand": "ember", "channel": "mail", "contacts": 1}]
    assert weeks["2026-11-30"]["at_limit"] == 4 and weeks["2026-12-07"]["at_limit"] == 5


@pytest.mark.parametrize(
    "body, problem",
    [
        (
            'start = 2026-12-01\nend = 2026-12-31\nselections = [{ name = "a", date = 2027-01-05 }]',
            "outside the period",
        ),
        (
            'start = 2026-12-01\nend = 2026-12-31\nselections = [{ name = "a", dat = 2026-12-05 }]',
            "did you mean 'date'",
        ),
        ('start = 2026-12-01\nend = 2026-12-31\nodrer = "priority"\nselections = []', "unknown key"),
        (
            'start = 2026-12-01\nend = 2026-12-31\norder = "expected_value"\nselections = [{ name = "a", date = 2026-12-05 }]',
            "needs a score and a value",
        ),
    ],
)
def test_plan_file_is_read_strictly(body, problem):
    with pytest.raises(ConfigError, match=problem):
        parse_plan_text("[plans.p]\n" + body)


def test_cli_plans_shows_the_calendar_and_drops(tmp_path):
    import json

    from click.testing import CliRunner

    from workbench.cli import main

    setup(tmp_path)
    (tmp_path / "december.toml").write_text(PLAN, encoding="utf-8")

    def cli(*args):
        return CliRunner().invoke(
            main, ["--db", str(tmp_path / "wb.duckdb"), *args], env={"WORKBENCH_NOW": "2026-11-20T10:00:00"}
        )

    result = cli("plan", str(tmp_path / "december.toml"), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [s["planned"] for s in data["selections"]] == [4, 1]
    text = cli("plan", str(tmp_path / "december.toml"))
    assert "4 taken by a higher-priority contact: northwind_winter" in text.output
    cal = cli("plan", "--calendar", "december")
    assert "week of 2026-11-30: northwind mail 4" in cal.output
    assert cli("plan", "--drop", "december").exit_code == 0
    assert cli("plan", "--calendar", "december").exit_code == 2
    bad = tmp_path / "bad.toml"
    bad.write_text(PLAN.replace("start =", "strat ="), encoding="utf-8")
    refused = cli("plan", str(bad))
    assert refused.exit_code == 2 and "bad.toml" in refused.output and "strat" in refused.output


def test_plan_and_appends_cores_do_not_import_textual():
    import subprocess
    import sys

    code = (
        "import sys, workbench.plan, workbench.appends, workbench.cli; "
        "assert 'textual' not in sys.modules, 'textual imported by the core'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_capacity_is_shared_across_brands(tmp_path):
    from appends_helpers import SOURCES_TOML, write_csv

    from workbench import clock
    from workbench.ingest.load import load_file
    from workbench.ingest.sources import parse_sources_toml, save_sources
    from workbench.store import Store

    clock.set_now("2026-11-20T10:00:00")
    store = Store(tmp_path / "wb.duckdb", busy_timeout=0.5)
    (tmp_path / "sources.toml").write_text(SOURCES_TOML, encoding="utf-8")
    with store.transaction() as conn:
        save_sources(conn, parse_sources_toml(tmp_path / "sources.toml"))
    people = [(f"K{i}", f"Ann{chr(65 + i)}", "Lee", f"617555{1000 + i}") for i in range(8)]
    load_file(
        store,
        "crm",
        write_csv(tmp_path / "crm.csv", ["source_key", "first_name", "last_name", "phone"], people),
    )
    with store.transaction() as conn:
        save_rules(conn, [Rule("calls", "capacity", "phone", "all", None, max_per_day=5)])
        for sel in parse_selections_text(
            '[selections.north_calls]\nchannel = "phone"\nbrand = "northwind"\n'
            '[selections.ember_calls]\nchannel = "phone"\nbrand = "ember"\n'
        ):
            save_selection(conn, sel, origin="test")
    text = """
[plans.calls]
start = 2026-12-01
end = 2026-12-31
selections = [{ name = "north_calls", date = 2026-12-02 }, { name = "ember_calls", date = 2026-12-02 }]
"""
    north, ember = build_plan(store, parse_plan_text(text)).selections
    # the day's capacity takes 3 of ember's 8 as it would alone; the 5 places left went to northwind
    assert (north.planned, ember.planned, ember.taken_by_higher) == (5, 0, 5)
    assert [(s.step, s.removed) for s in ember.waterfall.steps if s.step in ("pressure", "plan")] == [
        ("pressure", 3),
        ("plan", 5),
    ]
    # another day has its own capacity
    later = text.replace('"ember_calls", date = 2026-12-02', '"ember_calls", date = 2026-12-03')
    north, ember = build_plan(store, parse_plan_text(later)).selections
    assert (north.planned, ember.planned) == (5, 5)
