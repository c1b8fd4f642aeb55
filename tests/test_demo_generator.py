"""The demo database generator: deterministic, committed output current, truth complete, story intact."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import tomllib
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[1] / "demo_db"
CADENCE_S = {"hourly": 3600, "daily": 86400, "weekly": 7 * 86400, "monthly": 30 * 86400}


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> tuple[Path, Path]:
    outs = []
    for name in ("first", "second"):
        out = tmp_path_factory.mktemp(name)
        subprocess.run(
            [sys.executable, str(DEMO / "generate.py"), "--out", str(out), "--quiet"], check=True, timeout=60
        )
        outs.append(out)
    return outs[0], outs[1]


@pytest.fixture(scope="module")
def gen(runs) -> Path:
    return runs[0]


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _sources(folder: Path) -> dict:
    return tomllib.loads((folder / "sources.toml").read_text(encoding="utf-8"))["sources"]


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def _rows(folder: Path, source: dict, file: str) -> list[dict[str, str]]:
    with open(folder / file, encoding=source.get("encoding", "utf-8"), newline="") as fh:
        return list(csv.DictReader(fh, delimiter=source.get("delimiter", ",")))


def test_two_runs_are_byte_identical(runs):
    first, second = (_files(r) for r in runs)
    assert first == second
    assert len([f for f in first if f.startswith("extracts/")]) >= 40


def test_committed_demo_db_is_what_the_generator_writes(gen):
    generated = _files(gen)
    committed = {k: v for k, v in _files(DEMO).items() if k in generated or k.startswith("extracts/")}
    assert set(committed) == set(generated), "run `python demo_db/generate.py` and commit its output"
    stale = [k for k in generated if committed[k] != generated[k]]
    assert not stale, f"demo_db/ is out of date ({stale[:3]}...): run `python demo_db/generate.py`"


def test_extracts_stay_small(gen):
    total = sum(p.stat().st_size for p in (gen / "extracts").iterdir())
    assert 1_000_000 < total < 3_000_000


def test_sources_toml_is_accepted_by_the_loader(gen):
    from workbench.ingest.sources import parse_sources_toml

    names = {s.name: s for s in parse_sources_toml(gen / "sources.toml")}
    assert {s["source"] for s in _manifest(gen)["loads"]} == set(names)
    assert [names[n].priority for n in ("ecom_customers", "pos_loyalty", "web_signups")] == [1, 2, 3]


def test_truth_covers_every_people_record(gen):
    sources = _sources(gen)
    truth = defaultdict(set)
    with open(gen / "truth.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        assert r["person_id"].startswith("P") and r["household_id"].startswith("H")
        truth[r["source"]].add(r["source_key"])
    seen = 0
    for load in _manifest(gen)["loads"]:
        source = sources[load["source"]]
        if source["kind"] != "people":
            continue
        key_column = source.get("columns", {}).get("source_key", "source_key")
        for row in _rows(gen, source, load["file"]):
            if row[key_column]:
                seen += 1
                assert row[key_column] in truth[load["source"]], (load["file"], row[key_column])
    assert seen > 8000
    assert len({r["person_id"] for r in rows}) > 1500  # many people, most in more than one record
    assert len(rows) > len({r["person_id"] for r in rows}) * 1.3


def test_expected_bad_rows_are_in_the_files(gen):
    with open(gen / "expected_rejects.csv", encoding="utf-8", newline="") as fh:
        expected = list(csv.DictReader(fh))
    reasons = {(r["source"], r["reason"]) for r in expected}
    for source in ("ecom_customers", "web_signups"):
        assert (source, "missing source_key") in reasons
    for source in ("ecom_customers", "web_signups", "pos_loyalty"):
        assert (source, "unparseable birth_date") in reasons
    assert ("web_signups", "wrong number of fields") in reasons
    assert ("pos_loyalty", "wrong number of fields") in reasons
    sources = _sources(gen)
    for r in expected:
        source = sources[r["source"]]
        delimiter = source.get("delimiter", ",")
        lines = (gen / r["file"]).read_text(encoding=source.get("encoding", "utf-8")).splitlines()
        header, line = next(csv.reader([lines[0]], delimiter=delimiter)), lines[int(r["line"]) - 1]
        fields = next(csv.reader([line], delimiter=delimiter))
        if r["reason"] == "wrong number of fields":
            assert len(fields) != len(header)
            continue
        assert len(fields) == len(header)
        if r["reason"] == "missing source_key":
            assert fields[0] == ""
        else:
            assert re.search(r"0000-00-00|31/02/2025|02/30/1984|2025-13-45", line)


def test_do_not_call_file_has_no_header(gen):
    dnc = _sources(gen)["do_not_call"]
    assert dnc["header"] is False and dnc["column_names"] == ["area_code", "phone"]
    for load in _manifest(gen)["loads"]:
        if load["source"] == "do_not_call":
            lines = (gen / load["file"]).read_text(encoding="ascii").splitlines()
            assert len(lines) > 100 and all(re.fullmatch(r"\d{3},555\d{4}", ln) for ln in lines)


def test_pos_loyalty_is_latin1_and_semicolon(gen):
    data = (gen / "extracts/pos_loyalty_20261112.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = data.decode("latin-1")
    assert text.encode("cp1252") == data and text.startswith("CARD_NO;FIRST;LAST;")
    assert re.search(r"\b\d{2}/\d{2}/\d{4}\b", text)


def test_loads_are_chronological_and_freshness_tells_the_story(gen):
    manifest, sources = _manifest(gen), _sources(gen)
    now = datetime.fromisoformat(manifest["demo_now"])
    stamps = [load["loaded_at"] for load in manifest["loads"]]
    assert stamps == sorted(stamps) and stamps[-1] <= manifest["demo_now"]
    status = {}
    for name, source in sources.items():
        loads = [ld for ld in manifest["loads"] if ld["source"] == name]
        latest = datetime.fromisoformat(loads[-1]["loaded_at"])
        if source.get("as_of"):
            values = [r[source["as_of"]] for ld in loads for r in _rows(gen, source, ld["file"])]
            latest = max(_parse(v) for v in values if v)
        age, cadence = (now - latest).total_seconds(), CADENCE_S[source["cadence"]]
        status[name] = "pass" if age <= 1.5 * cadence else "warn" if age <= 3 * cadence else "error"
    assert {n for n, s in status.items() if s == "warn"} == {"pos_loyalty", "pos_sales"}
    assert {n for n, s in status.items() if s == "error"} == {"callcentre_contacts"}


def test_one_web_load_is_conspicuously_short(gen):
    counts = [
        len(_rows(gen, {}, ld["file"])) for ld in _manifest(gen)["loads"] if ld["source"] == "web_signups"
    ]
    assert len(counts) == 6 and min(counts) * 10 < sorted(counts)[len(counts) // 2]


def test_the_people_are_messy_the_way_real_data_is(gen):
    sources, truth = _sources(gen), {}
    with open(gen / "truth.csv", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            truth[(r["source"], r["source_key"])] = r["person_id"]
    firsts, at_address = defaultdict(set), defaultdict(set)
    zips = set()
    for ld in _manifest(gen)["loads"]:
        source = sources[ld["source"]]
        if source["kind"] != "people":
            continue
        col = {
            k: source.get("columns", {}).get(k, k)
            for k in ("source_key", "first_name", "address_line1", "postal_code")
        }
        for row in _rows(gen, source, ld["file"]):
            pid = truth.get((ld["source"], row[col["source_key"]]))
            if not pid or not row[col["address_line1"]]:
                continue
            firsts[pid].add(row[col["first_name"]].lower())
            number, street = (row[col["address_line1"]].lower().split() + ["", ""])[:2]
            at_address[(number, street, row[col["postal_code"]][:5].lstrip("0"))].add(pid)
            zips.add(row[col["postal_code"]])
    nick_pairs = [
        {"robert", "bob"},
        {"william", "bill"},
        {"elizabeth", "liz"},
        {"katherine", "kate"},
        {"james", "jim"},
        {"margaret", "peggy"},
        {"michael", "mike"},
        {"thomas", "tom"},
    ]
    assert sum(any(pair <= names for pair in nick_pairs) for names in firsts.values()) >= 5
    assert sum(len(names) > 1 for names in firsts.values()) > 100  # nicknames, typos, case
    assert max(len(p) for p in at_address.values()) > 6  # a dorm or apartment block without unit numbers
    assert any(re.fullmatch(r"[1-9]\d{3}", z) for z in zips)  # New England ZIPs that lost their zero


def _parse(value: str) -> datetime:
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            pass
    return datetime.min
