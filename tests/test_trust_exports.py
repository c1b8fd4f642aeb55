"""Exports from a trust point of view: files readable by the owner only whatever the umask, formulas in
names neutralised, no personal data in what the command prints, SQL in a selection refused, and an
erasure that names the exports which held the person."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import pytest
from test_trust_helpers import ROOT

from workbench import clock
from workbench.store import Store
from workbench.store.sql import rows

EVIL = ['=HYPERLINK("http://evil.example/x","click")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"]
SELECTION = """[selections.spring]
channel = "mail"
where = "state = 'MA'"
fields = ["first_name", "last_name", "address_line1", "city", "state", "zip5"]
"""


@pytest.fixture
def db(tmp_path):
    pytest.importorskip("workbench.export.run")
    from test_select_data import build_db, person_row

    people = [person_row(i) for i in range(1, 41)]
    for i, value in enumerate(EVIL):  # persons 1, 2, 4, 5 (all in MA)
        people[[0, 1, 3, 4][i]]["first_name"] = value
    people[0]["last_name"] = "=1+1"
    build_db(tmp_path, people)
    (tmp_path / "spring.toml").write_text(SELECTION)
    clock.set_now(None)
    return tmp_path / "wb.duckdb"


def workbench(args, **kw):
    env = {**os.environ, "WORKBENCH_NOW": "2026-11-20T10:00:00"}
    env.pop("WORKBENCH_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "workbench", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=180, **kw)


def test_export_files_are_private_neutralised_and_the_output_names_nobody(db, tmp_path):
    assert workbench(["--db", str(db), "selections", "import", str(tmp_path / "spring.toml")]).returncode == 0
    out = tmp_path / "out"
    out.mkdir()
    target = out / "spring.csv"
    result = workbench(["--db", str(db), "export", "spring", "--out", str(target), "--allow-stale"],
                       preexec_fn=lambda: os.umask(0))  # a careless umask must not open the files up
    assert result.returncode == 0, result.stderr
    for path in (target, out / "spring.csv.manifest.json"):
        assert oct(os.stat(path).st_mode & 0o777) == "0o600", path
    assert sorted(p.name for p in out.iterdir()) == ["spring.csv", "spring.csv.manifest.json"]  # no temp left
    with open(target, newline="", encoding="utf-8") as f:
        cells = [c for row in csv.DictReader(f) for k, c in row.items() if k in ("first_name", "last_name")]
    assert all(not c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells), cells
    assert ("'" + EVIL[0]).lower() in [c.lower() for c in cells] and "'=1+1" in cells  # names are display-cased
    printed = (result.stdout + result.stderr).lower()
    with Store(db).connect(read_only=True) as conn:
        people = rows(conn, "SELECT first_name, last_name, email FROM records")
    leaks = [v for p in people for v in p.values() if v and len(v) > 3 and v.lower() in printed]
    assert leaks == [], "the export command prints counts and file names, never the people"


def test_an_erasure_names_the_exports_that_held_the_person(db, tmp_path):
    from workbench.privacy import erase

    assert workbench(["--db", str(db), "selections", "import", str(tmp_path / "spring.toml")]).returncode == 0
    target = tmp_path / "spring.csv"
    assert workbench(["--db", str(db), "export", "spring", "--out", str(target), "--allow-stale"]).returncode == 0
    clock.set_now("2026-11-21T09:00:00")
    store = Store(db)
    with store.connect(read_only=True) as conn:
        export_id = rows(conn, "SELECT max(export_id) AS e FROM exports")[0]["e"]
        held = rows(conn, "SELECT count(*) AS n FROM contact_history WHERE origin = 'export'")[0]["n"]
    result = erase(store, email="person2@example.com")
    assert result.exports == [export_id] and result.persons == 1
    with store.connect(read_only=True) as conn:
        assert rows(conn, "SELECT count(*) AS n FROM contact_history WHERE origin = 'export'")[0]["n"] == held
        assert rows(conn, "SELECT count(*) AS n FROM contact_history WHERE person_id IS NULL AND origin = 'export'"
                    )[0]["n"] == 1
        assert json.loads(rows(conn, "SELECT details FROM audit_log WHERE action = 'erasure'")[0]["details"])[
            "exports_with_person"] == [export_id]


@pytest.mark.parametrize("where", [
    "state = 'MA'; DROP TABLE records; --",
    "state = 'MA' OR 1=1) UNION SELECT * FROM records --",
    "first_name = '' OR (SELECT count(*) FROM records) > 0",
    "read_csv('/etc/passwd') IS NOT NULL",
])
def test_sql_in_a_selection_expression_is_refused(db, tmp_path, where):
    from workbench.errors import WorkbenchError
    from workbench.select.definition import parse_selections_text
    from workbench.select.plan import check_selection

    text = SELECTION.replace("state = 'MA'", where.replace('"', '\\"'))
    store = Store(db)
    with pytest.raises(WorkbenchError):
        with store.transaction() as conn:
            for s in parse_selections_text(text):
                check_selection(conn, s)
    with store.connect(read_only=True) as conn:
        assert rows(conn, "SELECT count(*) AS n FROM records")[0]["n"] == 40
