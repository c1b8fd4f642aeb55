"""Exports: the file (atomic, 0600, neutralised), its manifest (hash matches), contact history (and none
on a dry run), the freshness gate, repeatability."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
from datetime import datetime, timedelta

import duckdb
import pytest
from test_select_data import NOW, build_db, person_row

from workbench import clock
from workbench.errors import RefusedError
from workbench.export.run import export_selection
from workbench.select.definition import parse_selections_text
from workbench.select.plan import check_selection
from workbench.select.saved import save_selection
from workbench.store import Store
from workbench.store.sql import rows

MAIL = """[selections.winter]
channel = "mail"
where = "state = 'MA'"
seed = 3
[[selections.winter.cells]]
name = "A"
share = 0.8
keycode = "W-A"
[[selections.winter.cells]]
name = "control"
share = 0.2
keycode = "W-X"
contact = false
[[selections.winter.seeds]]
name = "Office"
first_name = "Dana"
last_name = "Seed"
address_line1 = "1 Harbor Way"
zip5 = "02110"
"""


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    folder = tmp_path_factory.mktemp("exportdb")
    build_db(folder)
    clock.set_now(None)
    return folder / "wb.duckdb"


def prepared(path, text: str = MAIL) -> Store:
    clock.set_now(NOW)
    store = Store(path, busy_timeout=1)
    with store.transaction() as conn:
        for s in parse_selections_text(text):
            check_selection(conn, s)
            save_selection(conn, s, origin="test")
    return store


@pytest.fixture
def store(master, tmp_path):
    shutil.copy(master, tmp_path / "wb.duckdb")
    return prepared(tmp_path / "wb.duckdb")


def history(store) -> list[dict]:
    with store.connect(read_only=True) as conn:
        return rows(conn, "SELECT * FROM contact_history WHERE origin = 'export' ORDER BY person_id")


def read_csv(path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_file_manifest_and_contact_history(store, tmp_path):
    out = tmp_path / "out" / "winter.csv"
    out.parent.mkdir()
    result = export_selection(store, "winter", out, campaign="W26")
    manifest_path = out.parent / "winter.csv.manifest.json"
    assert result.file == out and result.manifest == manifest_path
    assert sorted(p.name for p in out.parent.iterdir()) == ["winter.csv", "winter.csv.manifest.json"]
    for p in (out, manifest_path):
        assert oct(os.stat(p).st_mode & 0o777) == "0o600"
    manifest = json.loads(manifest_path.read_text())
    assert manifest["file"]["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest() == result.sha256
    data = read_csv(out)
    assert list(data[0]) == ["person_id", "first_name", "last_name", "address_line1", "address_line2", "city",
                             "state", "zip5", "cell", "keycode", "is_seed"]
    persons = [r for r in data if r["is_seed"] == "false"]
    seeds = [r for r in data if r["is_seed"] == "true"]
    cells = {c.name: c for c in result.waterfall.cells}
    assert len(persons) == cells["A"].persons == manifest["rows"]["by_cell"]["A"] and cells["control"].persons > 0
    assert {r["cell"] for r in persons} == {"A"} and {r["keycode"] for r in persons} == {"W-A"}
    assert seeds == [{"person_id": "", "first_name": "Dana", "last_name": "Seed", "address_line1": "1 Harbor Way",
                      "address_line2": "", "city": "", "state": "", "zip5": "02110", "cell": "seed",
                      "keycode": "W-A", "is_seed": "true"}]
    assert manifest["rows"] == {"persons": len(persons), "seeds": 1, "by_cell": {"A": len(persons)},
                                "held_out_by_cell": {"control": cells["control"].persons}}
    assert manifest["waterfall"]["net"] == len(persons) and manifest["selection"]["name"] == "winter"
    assert {f["source"] for f in manifest["freshness"] if f["read_by_selection"]} >= {"crm", "mps"}
    assert manifest["workbench_version"] and manifest["exported_at"].startswith("2026-11-20")
    contacts = history(store)
    control = [c for c in contacts if c["is_control"]]
    assert len(contacts) == len(persons) + len(control) and len(control) == cells["control"].persons
    assert {c["person_id"] for c in contacts if not c["is_control"]} == {int(r["person_id"]) for r in persons}
    assert not {c["person_id"] for c in control} & {int(r["person_id"]) for r in persons}
    assert {(c["campaign"], c["channel"], c["contact_date"].isoformat(), c["export_id"]) for c in contacts} == {
        ("W26", "mail", "2026-11-20", result.export_id)}
    assert {(c["cell"], c["keycode"]) for c in control} == {("control", "W-X")}
    with store.connect(read_only=True) as conn:
        (export,) = rows(conn, "SELECT * FROM exports")
    assert export["sha256"] == result.sha256 and export["persons_contacted"] == len(persons)


def test_dry_run_writes_nothing(store, tmp_path):
    out = tmp_path / "dry.csv"
    result = export_selection(store, "winter", out, dry_run=True)
    assert result.dry_run and result.file is None and result.waterfall.net > 0
    assert not out.exists() and not (tmp_path / "dry.csv.manifest.json").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".dry.csv")]
    assert history(store) == []
    with store.connect(read_only=True) as conn:
        assert rows(conn, "SELECT count(*) AS n FROM exports")[0]["n"] == 0


@pytest.mark.parametrize("failing", ["workbench.export.run.record_contacts", "workbench.export.writer.file_sha256"])
def test_a_failed_export_leaves_the_old_file_and_no_trace(store, tmp_path, monkeypatch, failing):
    out = tmp_path / "winter.csv"
    out.write_text("the previous file\n")

    def boom(*_a, **_k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(failing, boom)
    with pytest.raises(RuntimeError):
        export_selection(store, "winter", out, campaign="W26", force=True)
    assert out.read_text() == "the previous file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wb.duckdb", "winter.csv"]
    assert history(store) == []


def test_stale_sources_refuse_the_export_unless_allowed(store, tmp_path):
    clock.set_now((datetime.fromisoformat(NOW) + timedelta(days=4)).isoformat())  # daily sources: error
    with pytest.raises(RefusedError) as exc:
        export_selection(store, "winter", tmp_path / "w.csv")
    assert exc.value.exit_code == 1 and "crm (error" in exc.value.message and "--allow-stale" in exc.value.hint
    assert not (tmp_path / "w.csv").exists() and history(store) == []
    result = export_selection(store, "winter", tmp_path / "w.csv", allow_stale=True)
    manifest = json.loads(result.manifest.read_text())
    assert "crm" in manifest["allowed_stale"] and result.file.exists()


def test_a_warning_does_not_stop_the_export(store, tmp_path):
    clock.set_now((datetime.fromisoformat(NOW) + timedelta(hours=40)).isoformat())  # daily: warn after 36 h
    result = export_selection(store, "winter", tmp_path / "w.csv")
    assert "crm" in {f.name for f in result.freshness.warnings} and not result.freshness.errors
    assert result.file.exists()


def test_a_campaign_code_is_used_once(store, tmp_path):
    export_selection(store, "winter", tmp_path / "a.csv", campaign="W26")
    with pytest.raises(RefusedError) as exc:
        export_selection(store, "winter", tmp_path / "b.csv", campaign="W26")
    assert "already exported" in exc.value.message and not (tmp_path / "b.csv").exists()


def test_same_selection_same_data_same_rows(store, tmp_path):
    a = export_selection(store, "winter", tmp_path / "a.csv", campaign="C1")
    b = export_selection(store, "winter", tmp_path / "b.csv", campaign="C2")
    assert sorted(map(str, read_csv(a.file))) == sorted(map(str, read_csv(b.file)))
    p = export_selection(store, "winter", tmp_path / "a.parquet", campaign="C3")
    con = duckdb.connect()
    parquet = con.execute(f"SELECT * FROM read_parquet('{p.file}')").fetchall()
    assert len(parquet) == a.rows and [r[0] for r in parquet if r[-1] is True] == [None]  # the seed, marked


def test_formula_injection_is_neutralised(tmp_path):
    people = [person_row(i) for i in range(1, 41)]
    people[0].update(first_name="=HYPERLINK(\"http://evil\")", last_name="+SUM(A1)")
    people[1].update(address_line1="-1 Main Street", first_name="Ann")
    build_db(tmp_path / "db", people=people)
    text = MAIL.replace('where = "state = \'MA\'"', 'where = ""').replace('name = "A"', 'name = "=cell"')
    text = text.replace('keycode = "W-A"', 'keycode = "+W"').replace('first_name = "Dana"', 'first_name = "@Dana"')
    text = text.replace('seed = 3\n', 'seed = 3\nfields = ["first_name", "last_name", "address_line1", "city", '
                                      '"phone", "age", "spend_total"]\n')
    text = text.replace("share = 0.8", "share = 1.0").replace("share = 0.2", "count = 1")
    store = prepared(tmp_path / "db" / "wb.duckdb", text)
    result = export_selection(store, "winter", tmp_path / "x.csv")
    data = read_csv(result.file)
    first = next(r for r in data if r["last_name"].lower().endswith("sum(a1)"))
    assert (first["first_name"].lower(), first["last_name"].lower()) == ("'=hyperlink(\"http://evil\")", "'+sum(a1)")
    second = next(r for r in data if r["first_name"] == "Ann")
    assert second["address_line1"] == "'-1 Main Street"
    assert {r["cell"] for r in data} == {"'=cell", "seed"} and {r["keycode"] for r in data} == {"'+W"}
    seed = next(r for r in data if r["is_seed"] == "true")
    assert seed["first_name"] == "'@Dana"
    assert all(r["phone"] == "" or r["phone"].isdigit() for r in data)  # phones are 10 digits: untouched
    assert all(r["spend_total"] == "" or not r["spend_total"].startswith("'") for r in data)
    p = export_selection(store, "winter", tmp_path / "x.parquet", campaign="P")
    got = duckdb.connect().execute(f"SELECT lower(first_name) FROM read_parquet('{p.file}') "
                                   "WHERE first_name ILIKE '%hyper%'")
    assert got.fetchall() == [("'=hyperlink(\"http://evil\")",)]


def test_exports_and_selection_saves_are_audited(store, tmp_path):
    pytest.importorskip("workbench.audit")
    result = export_selection(store, "winter", tmp_path / "a.csv", campaign="AUD")
    with store.connect(read_only=True) as conn:
        found = rows(conn, "SELECT action, target, details FROM audit_log WHERE action IN ('export', "
                           "'selection.save') ORDER BY id")
    assert [(r["action"], r["target"]) for r in found] == [("selection.save", "winter"), ("export", "winter")]
    details = json.loads(found[1]["details"])
    assert details["sha256"] == result.sha256 and details["campaign"] == "AUD" and details["file"] == "a.csv"


def test_columns_without_formulas_are_written_as_they_are(store):
    from workbench.export.rows import export_select
    from workbench.select.attributes import clean_text_columns, ensure_attributes

    with store.connect() as conn:
        ensure_attributes(conn)
        clean = clean_text_columns(conn)
    sel = parse_selections_text(MAIL)[0]
    assert {"first_name", "last_name", "address_line1", "city"} <= clean
    assert "ascii(a.first_name)" not in export_select(sel, NOW, clean)[0]
    assert "ascii(a.first_name)" in export_select(sel, NOW)[0]
