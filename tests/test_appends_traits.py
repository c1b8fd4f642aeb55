"""Agency appends: loading, matching by the suppressions' rules, coverage, customer values never
overwritten, the golden record's origin of each value, selections, the customer view and the report."""

from __future__ import annotations

import pytest
from appends_helpers import make_store, write_csv

from workbench.contacts.customer import customer_view
from workbench.errors import ConfigError
from workbench.ingest.load import load_file
from workbench.ingest.sources import source_from_dict
from workbench.select.counts import count_definition, single_selection
from workbench.store.sql import rows

HH_HEADER = [
    "last_name",
    "address_line1",
    "postal_code",
    "agency",
    "file_date",
    "presence_of_children",
    "income_band",
    "home_owner",
    "length_of_residence",
]
HH_ROWS = [
    ("Smith", "12 Oak St N", "02134", "Acme Data", "2026-10-01", "Y", "E", "Y", "12"),
    ("Jones", "40 Elm Avenue", "02135", "Acme Data", "2026-10-01", "Y", "D", "N", "3"),
    ("Nobody", "1 Main St", "02199", "Acme Data", "2026-10-01", "Y", "A", "N", "1"),
]


@pytest.fixture
def store(tmp_path):
    return make_store(tmp_path)


def load_households(store, tmp_path, data=HH_ROWS, name="hh.csv"):
    return load_file(store, "acme_household", write_csv(tmp_path / name, HH_HEADER, list(data)))


def traits(store) -> dict[tuple[int, str], dict]:
    from workbench.appends import ensure_traits

    with store.transaction() as conn:
        ensure_traits(conn)
        return {(r["person_id"], r["trait"]): r for r in rows(conn, "SELECT * FROM person_traits")}


def person(store, key: str) -> int:
    with store.transaction() as conn:
        return rows(
            conn,
            "SELECT pr.person_id FROM records r JOIN person_records pr USING (record_id) "
            "WHERE r.source_key = ?",
            [key],
        )[0]["person_id"]


def test_coverage_is_reported_after_the_load(store, tmp_path):
    result = load_households(store, tmp_path)
    # before a households run every person is their own household: the Smith row reaches both Smiths
    # (12 N Oak St = 12 North Oak Street = 12 Oak St N), Jones one, the third row nobody
    assert result.coverage["households"] == 5
    assert result.coverage["households_matched"] == 3
    assert result.coverage["share"] == 0.6
    assert result.coverage["rows"] == 3 and result.coverage["rows_matched"] == 2
    assert "coverage: 3 of 5 households matched (60.0%)" in result.message


def test_an_append_never_overwrites_what_the_customer_told_us(store, tmp_path):
    load_households(store, tmp_path)
    t = traits(store)
    jones, smith, green = person(store, "C3"), person(store, "C1"), person(store, "C5")
    # Ann Jones told us: no children. The agency says yes: her word stands, and says where it came from.
    assert t[(jones, "presence_of_children")]["value"] == "false"
    assert t[(jones, "presence_of_children")]["origin"] == "customer"
    assert t[(jones, "presence_of_children")]["source_key"] == "C3"
    # what she did not tell us comes from the agency, with its name and file date
    assert t[(jones, "income_band")]["value"] == "D"
    assert t[(jones, "income_band")]["origin"] == "append"
    assert t[(jones, "income_band")]["agency"] == "Acme Data"
    assert str(t[(jones, "income_band")]["file_date"]) == "2026-10-01"
    assert t[(smith, "presence_of_children")]["value"] == "true"
    # Lisa Green told us her income band; no agency row reaches her
    assert t[(green, "income_band")]["value"] == "C" and t[(green, "income_band")]["origin"] == "customer"


def test_the_newest_file_wins_among_appends(store, tmp_path):
    load_households(store, tmp_path)
    newer = [("Smith", "12 Oak St N", "02134", "Other Co", "2026-11-01", "N", "F", "Y", "13")]
    load_file(
        store,
        "acme_address",
        write_csv(
            tmp_path / "addr.csv",
            ["address_line1", "postal_code", "agency", "file_date", "presence_of_children", "income_band"],
            [(r[1], r[2], r[3], r[4], r[5], r[6]) for r in newer],
        ),
    )
    t = traits(store)
    smith = person(store, "C1")
    assert t[(smith, "income_band")]["value"] == "F" and t[(smith, "income_band")]["agency"] == "Other Co"
    assert t[(smith, "length_of_residence")]["value"] == "12"  # only the older file has it


def test_person_rows_reach_only_that_person(store, tmp_path):
    header = ["first_name", "last_name", "address_line1", "postal_code", "age_band", "occupation"]
    load_file(
        store,
        "acme_person",
        write_csv(
            tmp_path / "p.csv", header, [("Bob", "Smith", "12 N Oak St", "02134", "45-54", "engineer")]
        ),
    )
    t = traits(store)
    assert t[(person(store, "C1"), "age_band")]["value"] == "45-54"  # Bob is Robert
    assert (person(store, "C2"), "age_band") not in t  # Mary at the same door is someone else


def test_traits_are_usable_in_selections(store, tmp_path):
    load_households(store, tmp_path)
    sel = single_selection(
        '[selections.families]\nchannel = "mail"\n'
        "where = \"presence_of_children and income_band IN ('D', 'E')\""
    )
    wf = count_definition(store, sel)
    assert wf.net == 2  # the two Smiths; Ann Jones told us she has no children


def test_customer_view_and_golden_record_say_where_each_value_came_from(store, tmp_path):
    load_households(store, tmp_path)
    traits(store)
    with store.transaction() as conn:
        view = customer_view(conn, person(store, "C3"), with_triggers=False)
    golden = {g["field"]: g for g in view["golden_sources"]}
    assert golden["presence_of_children"]["origin"] == "customer"
    assert golden["presence_of_children"]["source"] == "crm"
    assert golden["income_band"]["source"] == "append: Acme Data"


def test_profile_report_shows_coverage_and_traits(store, tmp_path):
    from workbench.report import build_profile, to_markdown

    load_households(store, tmp_path)  # no count since: the report brings the traits up to date itself
    with store.transaction() as conn:
        profile = build_profile(conn)
    assert profile["appends"]["coverage"]["households_matched"] == 3
    text = to_markdown(profile)
    assert "Agency appends" in text and "3 of 5 households matched" in text


def test_unreadable_trait_is_a_reject_and_bad_source_is_refused(store, tmp_path):
    bad = [("Smith", "12 Oak St N", "02134", "Acme", "2026-10-01", "maybe", "E", "Y", "12")]
    result = load_households(store, tmp_path, bad, "bad.csv")
    assert result.rows_rejected == 1 and result.rows_loaded == 0
    with pytest.raises(ConfigError, match="match_on"):
        source_from_dict("x", {"kind": "appends", "cadence": "monthly"})
