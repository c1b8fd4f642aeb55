"""Erasure: the person's data leaves every table AND the database file; a tombstone suppresses them when a
later load brings them back; the request is audited with hashes only; all or nothing."""

from __future__ import annotations

import duckdb
import pytest
from test_trust_helpers import (
    EMAIL,
    FIRST,
    LAST,
    PHONE,
    SECRETS,
    STREET,
    build_person_everywhere,
    checkpoint,
    copy_store,
    counts,
    file_bytes,
    load_file,
    one,
    q,
    write,
)

from workbench import clock
from workbench.errors import NotFoundError, RefusedError, WorkbenchError
from workbench.privacy import erase, erase_in, preview_erasure
from workbench.store.sql import run


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """The person spread over every table, built once; each test works on a copy."""
    path = build_person_everywhere(tmp_path_factory.mktemp("everywhere")).path
    clock.set_now(None)
    return path


@pytest.fixture
def store(base, tmp_path):
    return copy_store(base, tmp_path)


def person_ids(store) -> list[int]:
    return [r["person_id"] for r in q(store, "SELECT DISTINCT pr.person_id FROM records r JOIN person_records pr "
                                             "USING (record_id) WHERE r.email_std = ?", [EMAIL])]


def add_other_capabilities_rows(store, pids: list[int]) -> None:
    """Rows of identity, households and selections for the person (those capabilities' own runs are
    tested elsewhere; here only what erasure does to their tables)."""
    rids = [r["record_id"] for r in q(store, "SELECT record_id FROM person_records WHERE list_contains(?, person_id)",
                                      [pids])]
    with store.transaction() as conn:
        run(conn, "INSERT INTO match_pairs (record_id_l, record_id_r, probability, status) VALUES (?, ?, 0.9, 'review')",
            [rids[0], rids[1]])
        run(conn, "INSERT INTO households (household_id, addr_key, address_line1, surname, head_person_id, size, "
                  "surname_groups, address_people, address_households, spend_12m, orders_12m, needs_review, "
                  "signature, formed_at, updated_at) VALUES (900, 'K', ?, ?, ?, 1, 1, 1, 1, 0, 0, false, 's', "
                  "now(), now())", [STREET, LAST, pids[0]])
        run(conn, "INSERT INTO household_members (household_id, person_id, is_head, head_rank, joined_by, spend_12m, "
                  "orders_12m) VALUES (900, ?, true, 1, 'alone', 0, 0)", [pids[0]])
        run(conn, "INSERT INTO household_records VALUES (?, 900)", [rids[0]])
        run(conn, "INSERT INTO household_decisions (decision_id, action, household_id, person_ids, addr_key, note, "
                  "decided_at) VALUES (1, 'split', 900, ?, 'K', ?, now())", [[pids[0], 999], f"{FIRST} moved out"])
        run(conn, "INSERT INTO person_attributes (person_id, first_name, last_name, email, has_address, "
                  "mail_deliverable, household_key, household_size, is_head, head_rank, orders_total, spend_total, "
                  "returns_total, orders_90, spend_90, orders_180, spend_180, orders_365, spend_365, orders_730, "
                  "spend_730) VALUES (?, ?, ?, ?, true, true, 900, 1, true, 1, 2, 269.99, 0, 0, 0, 0, 0, 0, 0, 0, 0)",
            [pids[0], FIRST, LAST, EMAIL])


def test_erasure_leaves_no_trace_in_tables_or_file(store):
    pids = person_ids(store)
    assert len(pids) == 2  # crm and web: not merged yet, one name: both are erased
    add_other_capabilities_rows(store, pids)
    before = counts(store)
    spend = one(store, "SELECT sum(amount) FROM transactions")
    checkpoint(store)
    data = file_bytes(store.path)
    assert all(s in data for s in SECRETS), "the test data must be findable in the file before erasure"

    result = erase(store, email="  Zeb.Quixotewright@EXAMPLE.org ", reason=f"ticket 42 from {EMAIL}, {PHONE}")

    assert (result.persons, result.records) == (2, 2)
    assert result.compacted["bytes_after"] > 0 and result.scrubbed is None
    after = counts(store)
    assert after["records"] == before["records"] - 2 and after["persons"] == before["persons"] - 2
    assert after["loads"] == before["loads"] and after["transactions"] == before["transactions"]
    assert one(store, "SELECT sum(amount) FROM transactions") == spend  # amounts stay, anonymous
    assert one(store, "SELECT count(*) FROM transactions WHERE source_key = 'C1' OR record_id IN (1, 4)") == 0
    assert one(store, "SELECT count(*) FROM transactions WHERE source_key IS NULL") == 2
    assert one(store, "SELECT count(*) FROM events WHERE source_key = 'W1'") == 0
    assert q(store, "SELECT source_key, email_std, campaign FROM contact_history ORDER BY source_key NULLS FIRST") == [
        {"source_key": None, "email_std": None, "campaign": "SPRING"},
        {"source_key": "C2", "email_std": "mary@example.com", "campaign": "SPRING"}]
    assert one(store, "SELECT count(*) FROM suppression_entries WHERE source IN ('unsubscribes', 'mps')") == 1
    assert one(store, "SELECT count(*) FROM suppression_entries WHERE source = 'dnc'") == 1  # the other number
    manual = q(store, "SELECT * FROM manual_suppressions")[0]
    assert manual["phone"] is None and manual["phone_std"] is None and manual["removed_at"] is not None
    assert q(store, "SELECT raw, reason FROM rejects") == [{"raw": None, "reason": "unparseable birth_date: (erased)"}]
    assert one(store, "SELECT count(*) FROM moves") == 1  # Mary's row stays
    for table in ("match_pairs", "households", "household_members", "household_records", "person_attributes",
                  "person_suppressions"):
        assert one(store, f"SELECT count(*) FROM {table} WHERE true") == 0 or table == "person_suppressions", table
    assert one(store, "SELECT count(*) FROM person_suppressions WHERE list_contains(?, person_id)", [pids]) == 0
    assert q(store, "SELECT person_ids, note FROM household_decisions") == [{"person_ids": [999], "note": None}]
    # tombstones: email, phone, and the name + address keys of both records (Zeb and Zebulon share a root? no)
    kinds = sorted(r["kind"] for r in q(store, "SELECT kind FROM erasure_tombstones"))
    assert kinds.count("email") == 1 and kinds.count("phone") == 1 and kinds.count("name_address") >= 1
    # the audit row: hashes and counts, the reason scrubbed of the person's details
    row = q(store, "SELECT * FROM audit_log WHERE action = 'erasure'")[0]
    assert '"persons":2' in row["details"] and "[erased]" in row["details"]
    audit_text = " ".join(str(v) for r in q(store, "SELECT * FROM audit_log") for v in r.values()).lower()
    assert not any(s.decode() in audit_text for s in SECRETS)
    # and nothing left in the file: no old block, no old statistic, no log
    data = file_bytes(store.path)
    assert [s for s in SECRETS if s in data] == []
    assert one(store, "SELECT count(*) FROM settings WHERE key LIKE 'privacy.%pending'") == 0


def test_no_compact_scrubs_the_file_in_place(store):
    """Without the rewrite: every old copy of the values is overwritten; what may stay are short segment
    statistics in reused metadata sub-blocks (never a whole email or address), until `workbench compact`."""
    from workbench.privacy import compact_database

    result = erase(store, email=EMAIL, compact=False)
    assert result.compacted is None and result.scrubbed["data_clean"], result.scrubbed
    assert result.scrubbed["free_space"]["complete"]
    data = file_bytes(store.path)
    # the street name alone is a column of its own (records.addr_name, for matching by street parts), so
    # like any short value it may survive as a segment min/max statistic in a reused metadata sub-block
    # (workbench/privacy/wipe.py says so); the whole email and phone never do, and compact removes it all
    assert [s for s in (EMAIL.encode(), b"quixotewright", b"555-0199") if s in data] == []
    assert one(store, "SELECT count(*) FROM settings WHERE key = 'privacy.compact_pending'") == 1
    compact_database(store)
    assert [s for s in SECRETS if s in file_bytes(store.path)] == []
    assert one(store, "SELECT count(*) FROM settings WHERE key LIKE 'privacy.%pending'") == 0


def test_a_later_load_that_brings_the_person_back_is_stopped(store, tmp_path):
    """The person's keys are tombstoned for every channel (nobody else held them): a load that brings any of
    them back keeps those lines as rejects "erased person", without their data (tests/test_erasure_load.py
    has the rest)."""
    from workbench.suppress import check_contact, ensure_person_suppressions

    erase(store, email=EMAIL)
    back = write(tmp_path, "web_again", "source_key,first_name,last_name,address_line1,postal_code,email,phone\n"
                 f"W7,Zeb,{LAST},{STREET},02134,{EMAIL.upper()},\n"
                 f"W8,{FIRST},{LAST},{STREET.upper()},02134,,\n"  # name + address only
                 f"W9,Someone,Else,1 New St,10001,,{PHONE}\n"  # the phone only
                 "W10,Ann,Other,2 Far Rd,10001,ann.other@example.com,\n")
    r = load_file(store, "web", back)
    assert (r.rows_loaded, r.rows_rejected) == (1, 3)
    rejects = q(store, "SELECT line, reason, raw FROM rejects WHERE load_id = ? ORDER BY line", [r.load_id])
    assert [x["line"] for x in rejects] == [2, 3, 4]
    assert all(x["reason"].startswith("erased person") and x["raw"] is None for x in rejects), rejects
    assert "name_address" in rejects[1]["reason"] and "phone" in rejects[2]["reason"]
    assert one(store, "SELECT count(*) FROM records WHERE source_key IN ('W7', 'W8', 'W9')") == 0
    with store.transaction() as conn:
        ensure_person_suppressions(conn)
        found = check_contact(conn, email=EMAIL)
    assert found["suppressed"] and all(found["by_channel"].values())  # the address itself is still refused
    assert any(e["suppression"] == "erasure" for e in found["entries"])
    from workbench.suppress import suppression_summary

    with store.transaction() as conn:
        summary = {s["name"]: s for s in suppression_summary(conn)}
    assert summary["erasure"]["entries"] >= 3


def test_an_email_nobody_holds_is_still_tombstoned(store, tmp_path):
    before = counts(store)
    result = erase(store, email="not.here.yet@example.com", compact=False)
    assert (result.persons, result.records, result.tombstones) == (0, 0, 1)
    assert "nobody" in result.message
    after = counts(store)
    assert {k: v for k, v in after.items() if k != "audit_log"} == {k: v for k, v in before.items() if k != "audit_log"}
    r = load_file(store, "web", write(tmp_path, "later", "source_key,first_name,email\nW50,Al,Not.Here.Yet@example.com\n"))
    assert (r.rows_loaded, r.rows_rejected) == (0, 1)
    assert one(store, "SELECT reason FROM rejects WHERE load_id = ?", [r.load_id]) == "erased person (tombstoned email)"


def test_a_phone_shared_by_different_people_is_refused_then_narrowed(store, tmp_path):
    from workbench.suppress import ensure_person_suppressions

    load_file(store, "web", write(tmp_path, "landline", "source_key,first_name,last_name,phone\n"
                                  "W20,Robert,Smith,6175550101\n"))  # Mary Smith's number too (crm C2)
    with pytest.raises(RefusedError, match="2 different names"):
        erase(store, phone="617-555-0101", compact=False)
    assert one(store, "SELECT count(*) FROM audit_log WHERE action = 'erasure'") == 0
    robert = one(store, "SELECT pr.person_id FROM records r JOIN person_records pr USING (record_id) "
                        "WHERE r.source_key = 'W20'")
    result = erase(store, person_id=robert, compact=False)
    assert result.persons == 1
    tomb = {r["kind"]: r["channel"] for r in q(store, "SELECT kind, channel FROM erasure_tombstones")}
    assert tomb == {"phone": "phone"}  # still Mary's line: only phone calls to it are suppressed
    with store.transaction() as conn:
        ensure_person_suppressions(conn)
    mary = q(store, """SELECT ps.channel FROM person_suppressions ps JOIN person_records pr ON pr.person_id = ps.person_id
        JOIN records r ON r.record_id = pr.record_id WHERE r.source_key = 'C2' AND ps.suppression = 'erasure'""")
    assert mary == [{"channel": "phone"}]


def test_erasure_is_all_or_nothing(store, monkeypatch):
    from workbench.privacy import registry

    before = counts(store)
    broken = registry.PersonalData("contact_history", "anonymise", "no_such_column = 1", set={"email_std": "NULL"},
                                   needs=("email_std",))
    monkeypatch.setattr(registry, "PERSONAL_DATA", [*registry.PERSONAL_DATA, broken])
    with pytest.raises(duckdb.Error):
        erase(store, email=EMAIL, compact=False)
    assert counts(store) == before
    assert one(store, "SELECT count(*) FROM erasure_tombstones") == 0
    assert one(store, "SELECT count(*) FROM settings WHERE key LIKE 'privacy.%pending'") == 0


def test_bad_requests_are_plain_errors(store):
    with pytest.raises(WorkbenchError, match="exactly one"):
        erase(store, email=EMAIL, phone=PHONE)
    with pytest.raises(WorkbenchError, match="not a usable email"):
        erase(store, email="nobody at all")
    with pytest.raises(NotFoundError):
        erase(store, person_id=99999)
    with store.connect(read_only=True) as conn:
        seen = preview_erasure(conn, email=EMAIL)
    assert (seen["persons"], seen["records"]) == (2, 2)


def test_crash_after_commit_is_finished_at_next_open(store, tmp_path):
    """The database part committed, the file step never ran (a crash): the next open, even a read-only one,
    compacts the file before anything else runs (tests/test_erasure_load.py kills a real erasure)."""
    from workbench.privacy import compact_database

    with store.transaction() as conn:
        erase_in(conn, email=EMAIL)
    raw = duckdb.connect(str(store.path), read_only=True)
    assert raw.execute("SELECT count(*) FROM settings WHERE key = 'privacy.wipe_pending'").fetchone()[0] == 1
    raw.close()
    assert one(store, "SELECT count(*) FROM settings WHERE key LIKE 'privacy.%pending'") == 0  # a read-only open
    assert [s for s in SECRETS if s in file_bytes(store.path)] == []
    loads = one(store, "SELECT max(load_id) FROM loads")
    figures = compact_database(store)
    assert figures["bytes_after"] > 0
    assert one(store, "SELECT count(*) FROM settings WHERE key LIKE 'privacy.%pending'") == 0
    assert [s for s in SECRETS if s in file_bytes(store.path)] == []
    # the compacted file is the same database: sequences continue, views work
    r = load_file(store, "web", write(tmp_path, "after", "source_key,first_name\nW60,Al\n"))
    assert r.load_id == loads + 1
    assert one(store, "SELECT count(*) FROM person_deliverability") == one(store, "SELECT count(*) FROM persons")


def test_erase_cli_asks_first_and_prints_no_personal_data(store):
    from click.testing import CliRunner

    from workbench.cli import main

    runner = CliRunner()
    before = counts(store)
    out = runner.invoke(main, ["--db", str(store.path), "erase", "--email", EMAIL])
    assert out.exit_code == 1 and "Add --yes" in out.output and "2 person(s) with 2 record(s)" in out.output
    assert counts(store) == before
    out = runner.invoke(main, ["--db", str(store.path), "erase", "--email", EMAIL, "--yes", "--reason",
                               f"letter from {FIRST} {LAST} <{EMAIL}>"])
    assert out.exit_code == 0, out.output
    assert "erased 2 person(s), 2 record(s)" in out.output and "file rewritten" in out.output
    printed = out.output.lower()
    assert not [s for s in SECRETS if s.decode() in printed]
    reason = q(store, "SELECT details->>'reason' AS r FROM audit_log WHERE action = 'erasure'")[0]["r"]
    assert reason == "letter from [erased] [erased] <[erased]>"
    out = runner.invoke(main, ["--db", str(store.path), "erase", "--phone", "nope", "--yes"])
    assert out.exit_code == 2 and "not a usable phone" in out.output


def test_compaction_refuses_to_pretend_when_this_process_keeps_the_old_file(store):
    from workbench.privacy import compact_database

    lingering = duckdb.connect(str(store.path))  # e.g. a connection some other code forgot to close
    try:
        with pytest.raises(WorkbenchError, match="still has the old one open"):
            compact_database(store)
    finally:
        lingering.close()
    assert one(store, "SELECT value IS NOT NULL FROM settings WHERE key = 'privacy.compacted'")  # the new file


def test_a_person_without_email_or_phone_can_be_erased(tmp_path):
    """Nothing to look for in free text (no e-mail, no phone) used to fail the erasure with an RE2 error."""
    from test_trust_helpers import make_store, write

    from workbench.ingest.load import load_file

    s = make_store(tmp_path)
    crm = ("source_key,first_name,last_name,address_line1,address_line2,city,state,postal_code,country,email,phone,"
           "birth_date\nC9,Ona,Quillfeather,9 Larkspur Way,,Boston,MA,02134,US,,,1960-01-02\n")
    load_file(s, "crm", write(tmp_path, "crm_plain", crm))
    with s.connect(read_only=True) as conn:
        (pid,) = conn.execute("SELECT pr.person_id FROM person_records pr JOIN records r USING (record_id) "
                              "WHERE r.source_key = 'C9'").fetchone()
    result = erase(s, person_id=pid, compact=False)
    assert result.persons == 1
    assert one(s, "SELECT count(*) FROM records WHERE source_key = 'C9'") == 0
