"""Names from a list that later respond become customers with that origin; customers from before do not."""

from __future__ import annotations

import pytest
from mergepurge_support import CRM, _run_file, _write, build_mp_store

from workbench import clock


@pytest.fixture
def mp_store(tmp_path, built):
    return built(build_mp_store, tmp_path)  # built once, copied per test


def test_a_responder_becomes_a_customer_with_the_list_as_origin(mp_store, tmp_path):
    from workbench.ingest.derived import ensure_derived
    from workbench.ingest.load import load_file
    from workbench.mergepurge import mark_responders, origins_by_list, run_mergepurge
    from workbench.mergepurge.origins import person_origin

    run_mergepurge(
        mp_store, _run_file(tmp_path, house="flag"), tmp_path / "out.csv"
    )  # Bob Smith flagged, mailed
    clock.set_now("2026-12-05T09:00:00")  # a fortnight later Eve (list_a) and Gina (list_b) order
    orders = CRM + (
        "W9,Eve,Black,3 Maple St,,Boston,MA,02142,US,eve@example.com,,\n"
        "W10,Gina,Gray,4 Cedar Court,,Boston,MA,02143,US,,,\n"
        "W11,Ivan,Walker,2 Oak St,,Boston,MA,02134,US,,,\n"
    )  # never mailed
    load_file(mp_store, "crm", _write(tmp_path, "crm2.csv", orders))
    with mp_store.transaction() as conn:
        ensure_derived(conn)
        assert mark_responders(conn) == 2
        assert mark_responders(conn) == 0  # a person keeps the first origin marked
        by_key = {
            r[0]: r[1:]
            for r in conn.execute(
                "SELECT r.source_key, o.source, o.matched_by FROM customer_origins o JOIN person_records pr USING (person_id) "
                "JOIN records r USING (record_id)"
            ).fetchall()
        }
        assert by_key == {"W9": ("list_a", "name and address"), "W10": ("list_b", "name and address")}
        bob = conn.execute(
            "SELECT pr.person_id FROM records r JOIN person_records pr USING (record_id) "
            "WHERE r.source_key = 'H1'"
        ).fetchone()[0]
        assert person_origin(conn, bob) is None  # a customer before the mailing keeps no list origin
        assert {r["source"]: r["customers"] for r in origins_by_list(conn)} == {"list_a": 1, "list_b": 1}
        from workbench.contacts.customer import customer_view
        from workbench.contacts.customer_text import title_line

        eve = conn.execute(
            "SELECT pr.person_id FROM records r JOIN person_records pr USING (record_id) "
            "WHERE r.source_key = 'W9'"
        ).fetchone()[0]
        view = customer_view(conn, eve, with_triggers=False)
        assert "came from list list_a (merge/purge run 1)" in title_line(view)


def test_erasure_removes_the_person_from_prospect_lists(mp_store, tmp_path):
    from workbench.mergepurge import run_mergepurge
    from workbench.privacy import erase_in

    run_mergepurge(mp_store, _run_file(tmp_path), tmp_path / "out.csv")
    with mp_store.transaction() as conn:  # Bob Smith (house H1) is on list_a as A1, at his address
        erase_in(conn, email="bob@example.com")
        assert conn.execute("SELECT count(*) FROM prospects WHERE source_key = 'A1'").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM prospects").fetchone()[0] == 8
        kept = conn.execute(
            "SELECT outcome, person_id, last_name_key FROM mergepurge_names WHERE source_key = 'A1'"
        )
        assert kept.fetchall() == [("house", None, None)]  # the run's counts stay, anonymous
