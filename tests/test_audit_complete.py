"""The audit log is complete (issue 12): `audit --verify` catches a replayed row, a gap in the ids, and a log
emptied or cut short (every load, export and erasure in its own table must have its audit row); every change
of state that affects a selection writes its row (review undo, rules import / enable / disable / delete,
triggers import); details never carry ``None``."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from test_trust_helpers import CRM, EMAIL, ORDERS, load_file, make_store, one, q, write

from workbench import audit
from workbench.cli import main
from workbench.store.sql import run

RULES = """[rules.mail_3_in_30]
per = "person"
channel = "mail"
brand = "all"
window_days = 30
max_contacts = 3
"""
TRIGGERS = """[triggers.big_spender]
from = "transactions"
window_days = 365
when = ["spend >= 100"]
"""


@pytest.fixture
def store(tmp_path):
    s = make_store(tmp_path)
    load_file(s, "crm", write(tmp_path, "crm", CRM))
    load_file(s, "orders", write(tmp_path, "orders", ORDERS))
    return s


def verify(store):
    with store.connect(read_only=True) as conn:
        return audit.verify_chain(conn)


def sql(store, *statements):
    with store.transaction() as conn:
        for s in statements:
            run(conn, s)


def wb(store, *args):
    return CliRunner().invoke(main, ["--db", str(store.path), *map(str, args)])


def test_an_intact_log_verifies_and_says_what_it_matched(store):
    check = verify(store)
    assert check.ok and check.checked == {"loads": 2, "exports": 0, "erasures": 0}
    r = wb(store, "audit", "--verify")
    assert r.exit_code == 0 and "each of 2 loads" in r.output


def test_a_replayed_row_is_caught(store):
    sql(store, "INSERT INTO audit_log SELECT * FROM audit_log WHERE id = 2")
    check = verify(store)
    assert not check.ok
    assert any(b["id"] == 2 and "replayed" in b["problem"] for b in check.broken)
    r = wb(store, "audit", "--verify")
    assert r.exit_code == 1 and "id 2 is there 2 times" in r.output


def test_an_emptied_log_is_caught(store):
    sql(store, "DELETE FROM audit_log")
    check = verify(store)
    assert not check.ok and check.rows == 0
    (problem,) = [b for b in check.broken if b.get("where") == "loads"]
    assert "2 of 2 loads have no 'load' row" in problem["problem"] and "emptied" in problem["problem"]
    r = wb(store, "audit", "--verify")
    assert r.exit_code == 1 and "intact" not in r.output and "emptied" in r.output


def test_a_log_cut_short_is_caught_by_the_loads_it_lost(store):
    last = one(store, "SELECT max(id) FROM audit_log WHERE action = 'load'")
    sql(store, f"DELETE FROM audit_log WHERE id >= {last}")  # the chain that is left is valid
    check = verify(store)
    assert not check.ok
    assert any("1 of 2 loads" in b["problem"] and "load 2" in b["problem"] for b in check.broken)


def test_a_gap_in_the_ids_is_named(store):
    sql(store, "DELETE FROM audit_log WHERE id = 2")
    check = verify(store)
    assert any(b.get("where") == "row 2" and "missing" in b["problem"] for b in check.broken)


def test_an_export_and_an_erasure_without_their_rows_are_caught(store, tmp_path):
    from workbench.export.run import export_selection
    from workbench.privacy import erase
    from workbench.select.counts import import_selections

    (tmp_path / "sel.toml").write_text('[selections.all_email]\nchannel = "email"\n', encoding="utf-8")
    import_selections(store, tmp_path / "sel.toml")
    export_selection(store, "all_email", tmp_path / "out.csv", campaign="C1", allow_stale=True)
    first = one(store, "SELECT id FROM audit_log WHERE action = 'export'")
    erase(store, email=EMAIL, reason="request 1", compact=False)
    assert verify(store).ok
    sql(store, f"DELETE FROM audit_log WHERE id >= {first}")
    problems = {b.get("where"): b["problem"] for b in verify(store).broken}
    assert "1 of 1 exports have no 'export' row" in problems["exports"]
    assert "1 erasure(s)" in problems["erasure_tombstones"]


def test_rows_from_before_the_audit_log_are_not_reported(store):
    """A database that held loads before the log existed (migration 015 notes the last of them)."""
    sql(
        store,
        "DELETE FROM audit_log WHERE action = 'load' AND id = (SELECT max(id) FROM audit_log)",
        "UPDATE audit_baseline SET last_unaudited = 2 WHERE what = 'loads'",
    )
    assert verify(store).ok


def test_review_undo_is_audited(store):
    from workbench.identity.decisions import accept_pair

    ids = [r["record_id"] for r in q(store, "SELECT record_id FROM records ORDER BY record_id LIMIT 2")]
    with store.transaction() as conn:
        accept_pair(conn, ids[0], ids[1], "same", "ops")
    r = wb(store, "review", "undo")
    assert r.exit_code == 0, r.output
    (row,) = q(store, "SELECT target, details FROM audit_log WHERE action = 'match.undo'")
    details = json.loads(row["details"])
    assert (
        details["decision"] == "accept"
        and details["records"] == ids
        and row["target"] == f"{ids[0]}-{ids[1]}"
    )
    assert verify(store).ok


def test_rules_and_triggers_changes_are_audited(store, tmp_path):
    assert wb(store, "rules", "import", write(tmp_path, "rules", RULES, ".toml")).exit_code == 0
    assert wb(store, "rules", "enable", "mail_3_in_30", "--off").exit_code == 0
    assert wb(store, "rules", "enable", "mail_3_in_30", "--off").exit_code == 0  # no change: no row
    assert wb(store, "rules", "enable", "mail_3_in_30").exit_code == 0
    r = wb(store, "triggers", "import", write(tmp_path, "triggers", TRIGGERS, ".toml"))
    assert r.exit_code == 0, r.output
    found = q(
        store,
        "SELECT action, target, details FROM audit_log WHERE action LIKE 'rules.%' "
        "OR action LIKE 'triggers.%' ORDER BY id",
    )
    assert [(f["action"], f["target"]) for f in found] == [
        ("rules.save", "mail_3_in_30"),
        ("rules.disable", "mail_3_in_30"),
        ("rules.enable", "mail_3_in_30"),
        ("triggers.save", "big_spender"),
    ]
    assert json.loads(found[0]["details"]) == {"rules": {"mail_3_in_30": "added"}}
    from workbench.contacts.rules import delete_rule

    with store.transaction() as conn:
        delete_rule(conn, "mail_3_in_30")
    assert one(store, "SELECT count(*) FROM audit_log WHERE action = 'rules.delete'") == 1


def test_details_leave_out_empty_values(store, tmp_path):
    from workbench.select.counts import import_selections

    (tmp_path / "sel.toml").write_text('[selections.plain]\nchannel = "email"\n', encoding="utf-8")
    import_selections(store, tmp_path / "sel.toml")
    details = one(store, "SELECT details FROM audit_log WHERE action = 'selection.save'")
    assert "override_reason" not in json.loads(details) and "null" not in details
    r = wb(store, "audit", "--action", "selection")
    assert "None" not in r.output
