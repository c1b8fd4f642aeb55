"""The held-out population generator (bench/heldout): truth files agree with the extracts, near misses
and the hard cases are there, and a seed gives the same bytes."""

from __future__ import annotations

import csv
import hashlib
import sys
from pathlib import Path

import polars as pl
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

pytest.importorskip("faker")
pytest.importorskip("nicknames")

from heldout.generate import LIST_FILES, PEOPLE_FILES, generate  # noqa: E402


@pytest.fixture(scope="module")
def pop(tmp_path_factory):
    out = tmp_path_factory.mktemp("heldout")
    info = generate(out, persons=600, seed=3)
    return out, info


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _people(out: Path) -> pl.DataFrame:
    crm = pl.read_parquet(out / PEOPLE_FILES["crm"]).select(
        "source_key", "first_name", "last_name", "address_line1", "postal_code", "city", "state"
    )
    shop = pl.read_csv(out / PEOPLE_FILES["shop"], separator=";", infer_schema=False).select(
        pl.col("CUST_NO").alias("source_key"),
        pl.col("GIVEN").alias("first_name"),
        pl.col("FAMILY").alias("last_name"),
        pl.col("STREET").alias("address_line1"),
        pl.col("ZIPCODE").alias("postal_code"),
        pl.col("TOWN").alias("city"),
        pl.col("PROV").alias("state"),
    )
    events = pl.read_ndjson(out / PEOPLE_FILES["events"]).select(
        pl.col("id").alias("source_key"),
        pl.col("name_first").alias("first_name"),
        pl.col("name_last").alias("last_name"),
        pl.col("addr1").alias("address_line1"),
        pl.col("zip").alias("postal_code"),
        pl.col("locality").alias("city"),
        pl.col("region").alias("state"),
    )
    return pl.concat(
        [
            crm.with_columns(pl.lit("crm").alias("source")),
            shop.with_columns(pl.lit("shop").alias("source")),
            events.with_columns(pl.lit("events").alias("source")),
        ],
        how="diagonal_relaxed",
    )


def test_every_record_has_a_person_and_a_household(pop):
    out, info = pop
    truth = pl.read_csv(out / "truth.csv", infer_schema=False)
    people = _people(out)
    assert people.height == truth.height == info["records"]
    joined = people.join(truth, on=["source", "source_key"], how="left")
    assert joined["person_id"].null_count() == 0 and joined["household_id"].null_count() == 0
    assert truth.select(pl.struct("source", "source_key").is_unique().all()).item()
    persons = pl.read_csv(out / "truth_persons.csv", infer_schema=False)
    assert set(truth["person_id"]) == set(persons["person_id"])
    # a person belongs to one household
    assert truth.group_by("person_id").agg(pl.col("household_id").n_unique().alias("n"))["n"].max() == 1
    # ~1.35 records a person over the three sources, each source used
    assert 1.25 < info["records"] / info["persons"] < 1.45
    assert all(n > 0 for n in info["per_source"].values())
    # the truth marks records that carry the address their household moved away from (14% of households
    # moved; 42% of their records are older, at the old door)
    old = truth["old_address"].value_counts().to_dict(as_series=False)
    assert set(old["old_address"]) == {"true", "false"}
    assert 0.02 < (truth["old_address"] == "true").mean() < 0.12


def test_list_truth_references_persons_or_none_and_near_misses_are_there(pop):
    out, _ = pop
    persons = {r["person_id"] for r in _read(out / "truth_persons.csv")}
    lists = _read(out / "truth_lists.csv")
    for name, file in LIST_FILES.items():
        rows = [r for r in lists if r["list"] == name]
        n_file = sum(1 for _ in (out / file).open(encoding="utf-8")) - (0 if name == "do_not_call" else 1)
        assert len(rows) == n_file, name
        assert [int(r["row"]) for r in rows] == list(range(1, n_file + 1))
    for r in lists:
        if r["kind"] in ("entry", "moved_abroad"):
            assert r["person_id"] in persons
        else:
            assert r["person_id"] == ""
    kinds = {(r["list"], r["kind"]) for r in lists}
    assert {
        ("mail_preference", "near_miss"),
        ("deceased", "near_miss"),
        ("mail_preference", "stranger"),
        ("email_bounces", "skipped"),
        ("ncoa", "entry"),
    } <= kinds


def test_near_misses_share_surname_and_door_but_no_first_name_of_that_household(pop):
    out, _ = pop
    truth = pl.read_csv(out / "truth.csv", infer_schema=False)
    people = _people(out).join(truth, on=["source", "source_key"])
    persons = pl.read_csv(out / "truth_persons.csv", infer_schema=False)
    mp = pl.read_csv(out / "mail_preference.csv", infer_schema=False).with_row_index("row", offset=1)
    lists = pl.read_csv(out / "truth_lists.csv", infer_schema=False).filter(
        pl.col("list") == "mail_preference"
    )
    near = mp.join(lists.with_columns(pl.col("row").cast(pl.UInt32)), on="row").filter(
        pl.col("kind") == "near_miss"
    )
    assert near.height > 0
    house = pl.col("address_line1").str.extract(r"^(\d+)", 1)
    recs = people.with_columns(
        house.alias("house"),
        pl.col("last_name").str.to_uppercase().alias("ln"),
        pl.col("postal_code").str.slice(0, 5).alias("zip5"),
    )
    for row in near.iter_rows(named=True):
        door = recs.filter(
            (pl.col("ln") == row["last_name"])
            & (pl.col("house") == row["address"].split()[0])
            & (pl.col("zip5") == row["zip"])
        )
        assert door.height > 0, row  # someone of that surname lives at that door
        hh = set(door["household_id"])
        names = set(persons.filter(pl.col("household_id").is_in(list(hh)))["first_name"])
        assert row["first_name"] not in names


def test_hard_cases_are_present(pop):
    out, _ = pop
    people = _people(out)
    persons = pl.read_csv(out / "truth_persons.csv", infer_schema=False)
    # ZIP-less street lines that keep city and state; records without a street
    assert (
        people.filter(
            pl.col("address_line1").is_not_null()
            & pl.col("postal_code").is_null()
            & pl.col("city").is_not_null()
            & pl.col("state").is_not_null()
        ).height
        > 0
    )
    assert people.filter(pl.col("address_line1").is_null()).height > 0
    # roommates: separate households of different surnames; mail-suppressed persons exist
    assert persons.filter(pl.col("kind") == "roommates").height > 0
    assert persons.filter(pl.col("mail_suppressed") == "true").height > 0
    # movers: one person at two addresses
    truth = pl.read_csv(out / "truth.csv", infer_schema=False)
    two = (
        people.join(truth, on=["source", "source_key"])
        .filter(pl.col("address_line1").is_not_null())
        .with_columns(pl.col("address_line1").str.extract(r"^(\d+)", 1).alias("house"))
        .group_by("person_id")
        .agg(pl.col("house").n_unique().alias("n"))
    )
    assert two["n"].max() >= 2


def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    def digest(folder: Path) -> str:
        h = hashlib.sha256()
        for f in sorted(folder.iterdir()):
            if f.suffix != ".parquet":
                h.update(f.name.encode() + f.read_bytes())
        h.update(pl.read_parquet(folder / "crm.parquet").write_csv().encode())
        return h.hexdigest()

    generate(tmp_path / "a", persons=300, seed=5)
    generate(tmp_path / "b", persons=300, seed=5)
    generate(tmp_path / "c", persons=300, seed=6)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "a") != digest(tmp_path / "c")
