"""Issue 12, identity of a row: record and person ids are never handed out twice (migration 009,
workbench.store.ids). Before, a new id was the current highest + 1, so when a full-mode load removed the
newest records their ids went to the next new records, and an opt-out keyed by them moved to a stranger."""

from __future__ import annotations

from workbench import clock
from workbench.ingest.load import load_file
from workbench.store import Store
from workbench.store.sql import rows, run, scalar
from workbench.suppress.manual import add_manual_suppression

HEADER = "source_key,first_name,last_name,address_line1,city,state,postal_code,email,phone\n"


def crm_file(path, keys: list[str]):
    lines = [
        f"{k},Name{k},Family{k},{i + 1} Oak St,Boston,MA,02134,{k.lower()}@example.com,61755501{i:02d}"
        for i, k in enumerate(keys)
    ]
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def ids(store: Store) -> dict[str, tuple[int, int]]:
    with store.connect(read_only=True) as conn:
        return {
            r["source_key"]: (r["record_id"], r["person_id"])
            for r in rows(
                conn,
                "SELECT r.source_key, r.record_id, pr.person_id FROM records r JOIN person_records pr "
                "USING (record_id) WHERE r.source = 'crm'",
            )
        }


def test_removed_ids_are_never_given_to_new_records_or_persons(store, tmp_path):
    load_file(store, "crm", crm_file(tmp_path / "crm1.csv", ["C1", "C2", "C3"]))
    before = ids(store)
    gone_record, gone_person = before["C3"]  # the newest record and person
    with store.transaction() as conn:  # a manual opt-out on that person (kept by its record ids)
        opt_out = add_manual_suppression(conn, person_id=gone_person, channel="all", reason="asked")
    clock.set_now("2026-11-20T11:00:00")
    load_file(store, "crm", crm_file(tmp_path / "crm2.csv", ["C1", "C2", "C4"]))  # full mode: C3 removed
    after = ids(store)
    assert "C3" not in after and after["C1"] == before["C1"] and after["C2"] == before["C2"]
    new_record, new_person = after["C4"]
    assert new_record > gone_record and new_person > gone_person
    with store.connect(read_only=True) as conn:
        kept = scalar(
            conn, "SELECT record_ids FROM manual_suppressions WHERE manual_id = ?", [opt_out["manual_id"]]
        )
    assert new_record not in kept  # the opt-out did not move to the new, unrelated person
    # and again: removing the newest and adding more never goes back
    clock.set_now("2026-11-20T12:00:00")
    load_file(store, "crm", crm_file(tmp_path / "crm3.csv", ["C1", "C2", "C5", "C6"]))
    third = ids(store)
    assert min(third["C5"][0], third["C6"][0]) > new_record
    assert min(third["C5"][1], third["C6"][1]) > new_person


def test_matching_never_reuses_a_person_id(store, data_dir):
    """Clustering makes new persons through the same allocator: a person id removed never comes back."""
    from workbench.identity.run import match

    load_file(store, "web", data_dir / "web_1.csv")
    load_file(store, "crm", data_dir / "crm.csv")
    with store.connect(read_only=True) as conn:
        top = scalar(conn, "SELECT max(person_id) FROM person_records")
    with store.transaction() as conn:  # the newest person goes (as an erasure would)
        run(conn, "DELETE FROM person_records WHERE person_id = ?", [top])
        run(conn, "DELETE FROM persons WHERE person_id = ?", [top])
    match(store)
    with store.connect(read_only=True) as conn:
        assert scalar(conn, "SELECT count(*) FROM person_records WHERE person_id = ?", [top]) == 0
        mark = scalar(conn, "SELECT last_id FROM id_high_water WHERE name = 'person'")
    assert mark >= top


def test_the_migration_starts_from_the_highest_id_still_mentioned(store, tmp_path):
    """An existing database (before 009): the mark starts above every id a table still mentions, even
    one whose record is gone (contact history keeps it)."""
    load_file(store, "crm", crm_file(tmp_path / "crm1.csv", ["C1", "C2"]))
    with store.connect() as conn:  # as a database from before migration 009 was
        top = scalar(conn, "SELECT max(record_id) FROM records")
        run(
            conn,
            "INSERT INTO contact_history (export_id, origin, record_id, person_id, campaign, channel, "
            "contact_date) VALUES (1, 'export', ?, 900, 'X', 'mail', DATE '2026-11-01')",
            [top + 50],
        )
        run(conn, "DROP TABLE id_high_water")
        run(conn, "DELETE FROM schema_version WHERE version = 9")
    reopened = Store(store.path)
    with reopened.connect(read_only=True) as conn:
        marks = dict(conn.execute("SELECT name, last_id FROM id_high_water").fetchall())
    assert marks["record"] == top + 50 and marks["person"] >= 900
    clock.set_now("2026-11-20T11:00:00")
    load_file(reopened, "crm", crm_file(tmp_path / "crm2.csv", ["C1", "C2", "C9"]))
    assert ids(reopened)["C9"][0] == top + 51 and ids(reopened)["C9"][1] == 901
