"""The contact-strategy commands end to end (rules, triggers, campaigns, results, responses, person) and
the customer view's data, on a small database built through the real loader."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from workbench import clock
from workbench.cli import main
from workbench.commands import contacts as contact_commands
from workbench.contacts.customer import customer_view
from workbench.contacts.customer_text import customer_sections
from workbench.ingest.load import load_file
from workbench.ingest.sources import parse_sources_toml, save_sources
from workbench.store import Store
from workbench.store.sql import run

for _command in contact_commands.COMMANDS:  # until the lead registers the module in workbench.cli
    if _command.name not in main.commands:
        main.add_command(_command)

NOW = "2026-11-20T10:00:00"
SOURCES = """
[sources.crm]
kind = "people"
cadence = "daily"
priority = 1

[sources.orders]
kind = "transactions"
cadence = "daily"
as_of = "order_date"
people_source = "crm"

[sources.partner]
kind = "contacts"
cadence = "monthly"
"""
PEOPLE = """source_key,first_name,last_name,address_line1,postal_code,email
C1,Robert,Smith,12 N Oak St,02134,bob@example.com
C2,Mary,Smith,12 N Oak St,02134,mary@example.com
C3,Jose,Garcia,44 Main Street,78701,jose@example.com
"""
ORDERS = """order_id,source_key,order_date,amount,brand,returned
O1,C1,2024-01-05,50,northwind,N
O2,C1,2024-06-05,70,northwind,N
O3,C2,2026-11-18,30,ember,N
O4,C3,2026-10-10,90,northwind,N
"""
CONTACTS = """email,campaign,brand,channel,contact_date,keycode
BOB@example.com,OCT26-NW,northwind,mail,2026-10-05,NW1
jose@example.com,OCT26-NW,northwind,mail,2026-10-05,NW1
nobody@example.com,OCT26-NW,northwind,mail,2026-10-05,NW1
"""
RULES = """
[rules.mail_3_in_30_days]
description = "At most 3 mail contacts per person in 30 days across all brands"
channel = "mail"
window_days = 30
max_contacts = 3
"""
TRIGGERS = """
[triggers.lapsing]
from = "transactions"
window_days = 365
cadence = "weekly"
when = ["count_ever >= 2", "count = 0"]

[triggers.thank_you]
from = "transactions"
window_days = 7
when = ["count >= 1", "count_before = 0"]
"""


@pytest.fixture
def db(tmp_path):
    clock.set_now(NOW)
    for name, text in (("sources.toml", SOURCES), ("crm.csv", PEOPLE), ("orders.csv", ORDERS),
                       ("partner.csv", CONTACTS), ("rules.toml", RULES), ("triggers.toml", TRIGGERS)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    store = Store(tmp_path / "wb.duckdb")
    with store.transaction() as conn:
        save_sources(conn, parse_sources_toml(tmp_path / "sources.toml"))
    for source in ("crm", "orders", "partner"):
        load_file(store, source, tmp_path / f"{source}.csv")
    from workbench.ingest.derived import ensure_derived

    with store.transaction() as conn:
        ensure_derived(conn)
    return tmp_path


def cli(tmp_path, *args: str):
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "wb.duckdb"), *args], env={"WORKBENCH_NOW": NOW})
    return result.exit_code, result.output


def test_rules_and_triggers_import_and_list(db):
    code, out = cli(db, "rules", "import", str(db / "rules.toml"))
    assert code == 0 and "added: mail_3_in_30_days: at most 3 mail contacts per person in 30 days" in out
    code, out = cli(db, "rules", "list", "--json")
    assert json.loads(out)[0]["window_days"] == 30
    assert cli(db, "rules", "enable", "mail_3_in_30_days", "--off")[0] == 0
    assert json.loads(cli(db, "rules", "list", "--json")[1])[0]["enabled"] is False
    code, out = cli(db, "triggers", "import", str(db / "triggers.toml"))
    assert code == 0 and "added: lapsing" in out
    code, out = cli(db, "triggers", "--json")
    data = json.loads(out)
    assert code == 0 and {t["name"]: t["persons"] for t in data["triggers"]} == {"lapsing": 1, "thank_you": 1}
    code, out = cli(db, "triggers", "lapsing", "--json")
    assert [p["first_name"] for p in json.loads(out)["persons"]] == ["Robert"]
    code, out = cli(db, "triggers", "lapsing")
    assert code == 0 and "Robert Smith" in out and "1 of 1 persons" in out
    code, out = cli(db, "triggers", "lapsng")
    assert code == 2 and "Did you mean 'lapsing'" in out


def test_a_stale_trigger_exits_1(db):
    cli(db, "triggers", "import", str(db / "triggers.toml"))
    clock.set_now("2027-03-01T10:00:00")  # months after the last orders: the daily data is far too old
    result = CliRunner().invoke(main, ["--db", str(db / "wb.duckdb"), "triggers", "--json"])
    assert result.exit_code == 1
    assert {t["name"]: t["status"] for t in json.loads(result.output)["triggers"]} == \
        {"lapsing": "stale", "thank_you": "stale"}


def test_campaigns_results_and_person(db):
    code, out = cli(db, "campaigns", "--json")
    found = json.loads(out)
    assert code == 0 and found[0]["campaign"] == "OCT26-NW" and found[0]["contacted"] == 3
    code, out = cli(db, "results", "OCT26-NW", "--json")
    r = json.loads(out)
    assert r["cells"][0]["contacted"] == 2 and r["cells"][0]["responders"] == 1 and r["unlinked_contacts"] == 1
    code, out = cli(db, "results", "OCT26-NW")
    assert code == 0 and "No control cell" in out and "1 contact rows name nobody" in out
    code, out = cli(db, "person", "1", "--json")
    view = json.loads(out)
    assert view["golden"]["first_name"] == "Robert"
    assert [c["campaign"] for c in view["contacts"]] == ["OCT26-NW"]
    code, out = cli(db, "person", "1")
    assert code == 0 and "Golden record" in out and "crm" in out and "OCT26-NW" in out
    assert cli(db, "person", "999")[0] == 2


def test_responses_import(db):
    (db / "resp.csv").write_text("keycode,response_date,source_key,amount\nNW1,2026-10-07,C1,12.00\n", encoding="utf-8")
    code, out = cli(db, "responses", "import", str(db / "resp.csv"), "--people-source", "crm")
    assert code == 0 and "1 responses loaded, 0 rejected, 1 respondents found" in out
    r = json.loads(cli(db, "results", "OCT26-NW", "--json")[1])
    assert r["cells"][0]["responders"] == 2


def test_customer_view_gathers_every_part(db):
    store = Store(db / "wb.duckdb")
    with store.transaction() as conn:
        run(conn, "INSERT INTO household_runs (run_id, started_at, finished_at, persons, addresses, households, "
                  "households_kept, households_new, review_open, moves_applied, duration_s) "
                  "VALUES (1, now(), now(), 3, 2, 2, 0, 2, 0, 0, 0.1)")
        run(conn, """INSERT INTO households (household_id, addr_key, address_line1, city, zip5, size, surname_groups,
                address_people, address_households, spend_12m, orders_12m, needs_review, signature, formed_at,
                updated_at) VALUES (7, 'k', '12 N Oak St', 'BOSTON', '02134', 2, 1, 2, 1, 30, 1, false, 's', now(), now())""")
        run(conn, "INSERT INTO household_members (household_id, person_id, is_head, head_rank, joined_by, spend_12m, "
                  "orders_12m) VALUES (7, 1, true, 1, 'surname', 0, 0), (7, 2, false, 2, 'surname', 30, 1)")
        run(conn, "INSERT INTO suppression_builds (stamp, built_at, as_of_date, rows_built, persons, duration_s) "
                  "VALUES ('x', now(), current_date, 1, 1, 0.1)")
        run(conn, "INSERT INTO person_suppressions (person_id, suppression, channel, brand, reason, match_on, "
                  "record_id, effective_date) VALUES (1, 'email_unsubscribes', 'email', NULL, 'unsubscribe', "
                  "'email', 1, DATE '2026-11-01')")
        run(conn, "INSERT INTO match_runs (run_id, started_at, mode) VALUES (1, now(), 'full')")
        run(conn, "INSERT INTO match_decisions (decision_id, record_id_l, record_id_r, decision, reason, probability, "
                  "decided_at, decided_by) VALUES (1, 1, 2, 'reject', 'different people', 0.7, now(), 'ann')")
        from workbench.contacts.triggers import parse_triggers_toml, save_triggers

        save_triggers(conn, parse_triggers_toml(db / "triggers.toml"))
        view = customer_view(conn, 1)
    assert {g["field"]: g["source"] for g in view["golden_sources"]}["email"] == "crm"
    assert [r["source_key"] for r in view["records"]] == ["C1"]
    assert [m["person_id"] for m in view["household"]["members"]] == [1, 2]
    assert view["transactions_by_brand"][0]["orders"] == 2
    assert view["suppressions"][0]["why"] == "unsubscribe: matched on the email of record crm:C1"
    assert [t["trigger"] for t in view["triggers"]] == ["lapsing"]
    assert view["merge_decisions"][0]["other_person_id"] == 2
    sections = {s.key: s for s in customer_sections(view)}
    assert sections["household"].person_ids == [1, 2]
    assert sections["merges"].rows[0][1] == "reject"
