"""Materialisation (stamp, no-op, invalidation), effective dates, brand and channel scope, manual opt-outs,
the summary, applicable suppressions and the contact check."""

from __future__ import annotations

import shutil

import pytest
from test_suppress_helpers import load_people, load_rows, make_store, person_of, rows_of, suppressed

from workbench import clock
from workbench.errors import NotFoundError, WorkbenchError
from workbench.store import Store
from workbench.suppress import (
    add_manual_suppression,
    applicable_suppressions,
    check_contact,
    ensure_person_suppressions,
    list_manual_suppressions,
    remove_manual_suppression,
    suppression_summary,
)

PEOPLE = [
    ["C1", "Robert", "Smith", "12 Oak St", "", "02134", "bob@example.com", "6175550101"],
    ["C2", "Ann", "Lee", "4 Elm Rd", "", "01602", "ann@example.com", "6175550102"],
    ["C3", "Sam", "Park", "9 Pine Ln", "Apt 2", "10025", "sam@example.com", ""],
]
OPTOUT_HEADER = ["email", "brand", "channel", "effective_date"]


@pytest.fixture(scope="module")
def base_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sup_api")
    s = make_store(folder)
    load_people(s, folder, PEOPLE)
    suppressed(s, "mail")
    return s.path


@pytest.fixture
def store(tmp_path, base_db):
    clock.set_now("2026-11-20T10:00:00")
    shutil.copy(base_db, tmp_path / "sup.duckdb")
    return Store(tmp_path / "sup.duckdb", busy_timeout=0.5)


def keys(found: set[str]) -> set[str]:
    return {k.split(":")[1] for k in found}


def test_noop_when_nothing_changed_and_rebuild_after_a_load(store, tmp_path):
    with store.connect() as conn:
        ensure_person_suppressions(conn)
        assert ensure_person_suppressions(conn) is False
    load_rows(store, tmp_path, "unsubscribes", ["email"], [["ANN@example.com"]])
    with store.connect() as conn:
        assert ensure_person_suppressions(conn) is True
        assert ensure_person_suppressions(conn) is False
    assert keys(suppressed(store, "email")) == {"C2"}


def test_interrupted_build_is_redone(store, tmp_path):
    load_rows(store, tmp_path, "unsubscribes", ["email"], [["ann@example.com"]])
    with store.connect() as conn:
        ensure_person_suppressions(conn)
        conn.execute("DELETE FROM suppression_builds").fetchall()  # as if cut short before the stamp
        conn.execute("DELETE FROM person_suppressions").fetchall()
    assert keys(suppressed(store, "email")) == {"C2"}


def test_future_effective_date_applies_from_its_day(store, tmp_path):
    load_rows(store, tmp_path, "optouts", OPTOUT_HEADER, [["bob@example.com", "", "email", "2026-11-25"]])
    assert suppressed(store, "email") == set()
    clock.set_now("2026-11-25T00:00:01")
    assert keys(suppressed(store, "email")) == {"C1"}


def test_brand_and_channel_scope(store, tmp_path):
    load_rows(store, tmp_path, "optouts", OPTOUT_HEADER, [
        ["bob@example.com", "Ember", "mail", ""],  # Robert: no ember mail
        ["ann@example.com", "", "all", ""],  # Ann: nothing from anyone
        ["sam@example.com", "fable", "email", ""]])
    assert keys(suppressed(store, "mail", "ember")) == {"C1", "C2"}
    assert keys(suppressed(store, "mail", "northwind")) == {"C2"}
    assert keys(suppressed(store, "mail", None)) == {"C1", "C2"}  # unbranded mail honours every brand's opt-out
    assert keys(suppressed(store, "email", "fable")) == {"C2", "C3"}
    assert keys(suppressed(store, "phone", "fable")) == {"C2"}


def test_applicable_suppressions_lists_by_name_with_counts(store, tmp_path):
    load_rows(store, tmp_path, "unsubscribes", ["email"], [["bob@example.com"], ["ann@example.com"]])
    load_rows(store, tmp_path, "dnc", None, [["617", "5550101"]])
    with store.connect() as conn:
        email = applicable_suppressions(conn, "email", "ember")
        mail = applicable_suppressions(conn, "mail", None)
    names = [s["name"] for s in email]
    assert names == sorted(names) and "unsubscribes" in names and "manual" in names and "dnc" not in names
    assert "mps" not in names and "deceased" in names and "optouts" in names
    unsub = next(s for s in email if s["name"] == "unsubscribes")
    assert (unsub["entries"], unsub["persons"], unsub["channel"], unsub["match_on"]) == (2, 2, "email", "email")
    assert "unsubscribes" not in [s["name"] for s in mail] and "mps" in [s["name"] for s in mail]
    with store.connect() as conn, pytest.raises(WorkbenchError):
        applicable_suppressions(conn, "fax", None)


def test_manual_opt_outs_match_remove_and_validate(store):
    with store.connect() as conn:
        a = add_manual_suppression(conn, email=" SAM@Example.COM", channel="email", reason="asked by phone")
        b = add_manual_suppression(conn, person_id=person_of(store, "C1"), channel="all", brand="Ember",
                                   reason="complaint")
        c = add_manual_suppression(conn, first_name="Ann", last_name="LEE", address_line1="4 Elm Road",
                                   postal_code="1602", channel="mail", reason="letter")
        assert (a["match_on"], b["match_on"], c["match_on"]) == (["email"], ["person"], ["name_address"])
        assert b["brand"] == "ember" and a["added_at"] is not None
        assert [m["manual_id"] for m in list_manual_suppressions(conn)] == [c["manual_id"], b["manual_id"],
                                                                            a["manual_id"]]
    assert keys(suppressed(store, "email", "northwind")) == {"C3"}
    assert keys(suppressed(store, "email", "ember")) == {"C1", "C3"}
    assert keys(suppressed(store, "mail")) == {"C1", "C2"}
    with store.connect() as conn:
        remove_manual_suppression(conn, a["manual_id"], "added by mistake")
        assert len(list_manual_suppressions(conn)) == 2 and len(list_manual_suppressions(conn, True)) == 3
        with pytest.raises(WorkbenchError):
            remove_manual_suppression(conn, a["manual_id"], "again")
    assert keys(suppressed(store, "email", "northwind")) == set()
    with store.connect() as conn:
        for bad in (dict(email="x@example.com", channel="fax", reason="r"),
                    dict(email="x@example.com", channel="email", reason="  "),
                    dict(channel="email", reason="nothing named"),
                    dict(email="not an email", channel="email", reason="r"),
                    dict(phone="12", channel="phone", reason="r"),
                    dict(last_name="Lee", channel="mail", reason="name without address")):
            with pytest.raises(WorkbenchError):
                add_manual_suppression(conn, **bad)
        with pytest.raises(NotFoundError):
            add_manual_suppression(conn, person_id=999999, channel="all", reason="r")


def test_summary_and_check(store, tmp_path):
    load_rows(store, tmp_path, "optouts", OPTOUT_HEADER, [["bob@example.com", "ember", "email", "2026-01-02"],
                                                          ["ann@example.com", "", "all", "2027-01-01"]])
    with store.connect() as conn:
        summary = {s["name"]: s for s in suppression_summary(conn)}
        assert {"optouts", "mps", "dnc", "manual"} <= set(summary)
        o = summary["optouts"]
        assert (o["entries"], o["entries_future"], o["persons"], o["match_on"]) == (1, 1, 1, "email")
        assert o["row_brands"] == ["ember"] and o["last_loaded_at"] is not None
        assert str(o["first_effective"]) == "2026-01-02" and str(o["last_effective"]) == "2027-01-01"
        bob = check_contact(conn, email="BOB@example.com")
        assert bob["suppressed"] and bob["by_channel"] == {"mail": False, "email": True, "phone": False}
        assert bob["persons"][0]["suppressions"][0]["brand"] == "ember"
        ann = check_contact(conn, email="ann@example.com")
        assert not ann["suppressed"] and ann["entries"][0]["in_effect"] is False  # not until 2027
        assert check_contact(conn, phone="617 555 0102")["persons"][0]["person_id"] == person_of(store, "C2")


def test_counts_stay_consistent_with_rows(store, tmp_path):
    load_rows(store, tmp_path, "unsubscribes", ["email"], [["bob@example.com"], ["bob@example.com"]])
    assert keys(suppressed(store, "email")) == {"C1"}  # brings person_suppressions up to date
    ps = rows_of(store, "SELECT * FROM person_suppressions")
    assert len(ps) == 1 and ps[0]["suppression"] == "unsubscribes" and ps[0]["record_id"] is not None


def test_ncoa_undeliverable_step(store):
    with store.connect() as conn:
        from workbench.suppress.build import has_relation

        if not has_relation(conn, "person_deliverability"):
            pytest.skip("households (004) not installed")
        ensure_person_suppressions(conn)
        found = conn.execute("SELECT record_id, addr_key FROM records WHERE source_key = 'C2'").fetchall()[0]
        conn.execute("""INSERT INTO applied_moves (move_key, source, return_code, kind, old_addr_key, persons,
            applied_at, move_effective_date) VALUES ('m1', 'ncoa', '02', 'undeliverable', ?, 1, ?, DATE '2026-10-01')""",
                     [found[1], clock.now()]).fetchall()
        conn.execute("INSERT INTO move_applications VALUES ('m1', ?, ?)", [found[0], clock.now()]).fetchall()
        assert ensure_person_suppressions(conn) is True  # an applied move invalidates the table
        mail = {s["name"]: s for s in applicable_suppressions(conn, "mail", "ember")}
        assert mail["ncoa_undeliverable"]["persons"] == 1
        assert "ncoa_undeliverable" not in {s["name"] for s in applicable_suppressions(conn, "email", None)}
    assert keys(suppressed(store, "mail")) == {"C2"}
    assert suppressed(store, "email") == set()


def test_read_only_connection_works_when_current_and_says_so_when_stale(store, tmp_path):
    with store.connect() as conn:
        ensure_person_suppressions(conn)
    with store.connect(read_only=True) as conn:
        assert ensure_person_suppressions(conn) is False
        assert applicable_suppressions(conn, "email", None)
    load_rows(store, tmp_path, "unsubscribes", ["email"], [["ann@example.com"]])
    with store.connect(read_only=True) as conn, pytest.raises(WorkbenchError, match="out of date"):
        applicable_suppressions(conn, "email", None)
