"""The audit log: loads and opt-outs recorded in their own transaction, without personal data; the hash
chain shows any change; `workbench audit` reads it."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from test_trust_helpers import CRM, EMAIL, FIRST, LAST, PHONE, load_file, make_store, one, q, write

from workbench import audit, clock
from workbench.errors import InputFileError
from workbench.store.sql import run


@pytest.fixture
def store(tmp_path):
    return make_store(tmp_path)


def test_a_load_is_audited_with_file_name_hash_and_counts_only(store, tmp_path):
    r = load_file(store, "crm", write(tmp_path, "crm", CRM))
    rows = q(store, "SELECT * FROM audit_log ORDER BY id")
    assert [r["action"] for r in rows] == ["sources.save", "load"]  # the sources were imported first
    row = rows[1]
    assert (row["action"], row["target"], row["id"]) == ("load", "crm", 2)
    details = json.loads(row["details"])
    assert details["load_id"] == r.load_id and details["file"] == "crm.csv" and details["rows_loaded"] == 3
    assert len(details["sha256"]) == 64 and row["actor"]
    text = json.dumps(row, default=str).lower()
    assert EMAIL not in text and LAST.lower() not in text and FIRST.lower() not in text
    # the same content again changes nothing and records nothing
    load_file(store, "crm", tmp_path / "crm.csv")
    assert one(store, "SELECT count(*) FROM audit_log WHERE action = 'load'") == 1


def test_a_failed_load_leaves_no_audit_row(store, tmp_path):
    with pytest.raises(InputFileError):
        load_file(store, "crm", write(tmp_path, "bad", "source_key,first_name\n"))  # header only
    assert one(store, "SELECT count(*) FROM audit_log WHERE action = 'load'") == 0


def test_opt_outs_added_and_withdrawn_are_audited_without_contact_details(store, tmp_path):
    from workbench.suppress import add_manual_suppression, remove_manual_suppression

    load_file(store, "crm", write(tmp_path, "crm", CRM))
    with store.transaction() as conn:
        added = add_manual_suppression(conn, email=EMAIL, phone=PHONE, channel="all", reason=f"{FIRST} phoned")
        remove_manual_suppression(conn, added["manual_id"], "added by mistake")
    rows = q(store, "SELECT action, target, details FROM audit_log WHERE action LIKE 'suppression.%' ORDER BY id")
    assert [r["action"] for r in rows] == ["suppression.add", "suppression.remove"]
    assert json.loads(rows[0]["details"])["match_on"] == ["email", "phone"]
    assert json.loads(rows[0]["details"])["persons"] == 1
    text = json.dumps(rows).lower()
    assert EMAIL not in text and "555" not in text and FIRST.lower() not in text


def test_the_chain_shows_a_changed_removed_or_inserted_row(store):
    with store.transaction() as conn:
        run(conn, "DELETE FROM audit_log")  # start from an empty log (make_store recorded its sources)
        for i in range(5):
            audit.record(conn, "selection.save", f"spring{i}", {"version": i})
    with store.connect(read_only=True) as conn:
        check = audit.verify_chain(conn)
    assert check.ok and check.rows == 5 and len(check.head_hash) == 64
    with store.transaction() as conn:  # someone edits a row with SQL
        run(conn, "UPDATE audit_log SET details = '{\"version\":9}' WHERE id = 3")
        bad = audit.verify_chain(conn)
        assert not bad.ok and bad.broken[0] == {"id": 3, "problem": "row changed (its hash does not match its fields)"}
        run(conn, "ROLLBACK")
        run(conn, "BEGIN TRANSACTION")
        run(conn, "DELETE FROM audit_log WHERE id = 2")
        gone = audit.verify_chain(conn)
        assert not gone.ok and gone.broken[0]["id"] == 3 and "chain broken" in gone.broken[0]["problem"]
        run(conn, "ROLLBACK")
        run(conn, "BEGIN TRANSACTION")
        run(conn, "DELETE FROM audit_log WHERE id = 5")  # the last row: only the head hash tells
        tail = audit.verify_chain(conn)
        assert tail.ok and tail.head_hash != check.head_hash
        run(conn, "ROLLBACK")
        run(conn, "BEGIN TRANSACTION")


def test_python_and_sql_hashes_agree_on_awkward_values(store):
    clock.set_now("2026-11-20T10:00:00.123456")
    with store.transaction() as conn:
        audit.record(conn, "x", None, None, actor=None)
        audit.record(conn, "a|b", "t\nwith newline", {"é": "ü", "n": [1, None]}, actor="ops")
        audit.record(conn, "y", "", {})
        assert audit.verify_chain(conn).ok
    with pytest.raises(ValueError):
        with store.transaction() as conn:
            audit.record(conn, "", None)


def test_audit_entries_filter_by_date_action_and_target(store):
    with store.transaction() as conn:
        run(conn, "DELETE FROM audit_log")
        for day, action, target in (("2026-01-05", "load", "crm"), ("2026-02-05", "match.run", "run 1"),
                                    ("2026-03-05", "match.decision", "pair 1-2"), ("2026-04-05", "load", "web")):
            clock.set_now(f"{day}T09:00:00")
            audit.record(conn, action, target, {"n": 1})
    with store.connect(read_only=True) as conn:
        assert [r["target"] for r in audit.audit_entries(conn)[0]] == ["web", "pair 1-2", "run 1", "crm"]
        assert [r["target"] for r in audit.audit_entries(conn, since="2026-02-10")[0]] == ["web", "pair 1-2"]
        found, total = audit.audit_entries(conn, action="match", limit=1)
        assert total == 2 and found[0]["action"] == "match.decision" and found[0]["details"] == {"n": 1}
        assert audit.audit_entries(conn, action="matc")[1] == 0  # a prefix is a whole dotted part
        assert audit.audit_entries(conn, target="crm")[1] == 1


def test_audit_cli(store, tmp_path):
    from workbench.cli import main

    load_file(store, "crm", write(tmp_path, "crm", CRM))
    runner = CliRunner()
    out = runner.invoke(main, ["--db", str(store.path), "audit", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["total"] == 2 and data["rows"][0]["action"] == "load"
    out = runner.invoke(main, ["--db", str(store.path), "audit"])
    assert "load" in out.output and "crm.csv" in out.output and EMAIL not in out.output
    out = runner.invoke(main, ["--db", str(store.path), "audit", "--verify"])
    assert out.exit_code == 0 and "intact" in out.output
    out = runner.invoke(main, ["--db", str(store.path), "audit", "--since", "not a date"])
    assert out.exit_code == 2 and "not a date" in out.output
    with store.transaction() as conn:
        run(conn, "UPDATE audit_log SET target = 'other' WHERE id = 2")
    out = runner.invoke(main, ["--db", str(store.path), "audit", "--verify"])
    assert out.exit_code == 1 and "BROKEN" in out.output
