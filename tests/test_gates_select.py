"""Gates before a selection is counted or exported (issue 12): a brand that names no brand is refused
with a "did you mean"; people records loaded since the last match are matched first, so someone loaded
again under a new source key is one person; NCOA moves loaded are applied first, so a 02 mover (moved,
left no address) is not mailed."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner
from test_select_data import NOW, build_db, person_row, write_csv

from workbench import clock
from workbench.cli import main
from workbench.ingest.load import load_file
from workbench.ingest.sources import parse_sources_toml, save_sources
from workbench.select.counts import count_definition, count_selection, import_selections, single_selection
from workbench.select.definition import SelectionError
from workbench.store import Store
from workbench.store.sql import rows, scalar

MOVES_SOURCE = """
[sources.ncoa]
kind = "moves"
cadence = "monthly"
"""
ME = 2  # person_row(2): James Jones, 1 Main Street, Boston MA 02134 (person_row(1), Mary Jones, lives there too)


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gatesdb")
    build_db(folder)
    clock.set_now(None)
    return folder / "wb.duckdb"


@pytest.fixture
def store(master, tmp_path):
    shutil.copy(master, tmp_path / "wb.duckdb")
    clock.set_now(NOW)
    return Store(tmp_path / "wb.duckdb", busy_timeout=1)


def selection(where: str, brand: str | None = None, channel: str = "mail", name: str = "gate") -> str:
    return (
        f'[selections.{name}]\nchannel = "{channel}"\n'
        + (f'brand = "{brand}"\n' if brand else "")
        + f"where = {json.dumps(where)}\n"
    )


def save(store: Store, tmp_path, text: str) -> None:
    path = tmp_path / "sel.toml"
    path.write_text(text, encoding="utf-8")
    import_selections(store, path)


def add_source(store: Store, tmp_path, text: str) -> None:
    path = tmp_path / "more_sources.toml"
    path.write_text(text, encoding="utf-8")
    with store.transaction() as conn:
        save_sources(conn, parse_sources_toml(path))


def q(store: Store, sql: str, params=None):
    with store.connect(read_only=True) as conn:
        return rows(conn, sql, params)


def one(store: Store, sql: str, params=None):
    with store.connect(read_only=True) as conn:
        return scalar(conn, sql, params)


def inspect(conn):
    from workbench.select.ready import inspect as pending

    return pending(conn)


def wb(db, *args):
    return CliRunner().invoke(main, ["--db", str(db), *map(str, args)])


# -- brand -------------------------------------------------------------------------------------------
def test_a_mistyped_brand_is_refused_with_did_you_mean_and_nothing_is_saved(store, tmp_path):
    path = tmp_path / "sel.toml"
    path.write_text(selection("state = 'MA'", brand="embr"), encoding="utf-8")
    with pytest.raises(SelectionError) as err:
        import_selections(store, path)
    assert "no brand 'embr' is known" in err.value.message and "did you mean 'ember'" in err.value.message
    assert "ember" in err.value.hint and "fable" in err.value.hint
    assert one(store, "SELECT count(*) FROM selections") == 0
    # the TUI's live count (the editor shows the error) and the command line refuse it the same way
    with pytest.raises(SelectionError, match="did you mean 'ember'"):
        count_definition(store, single_selection(selection("state = 'MA'", brand="embr")))
    r = wb(store.path, "selections", "import", path)
    assert r.exit_code == 1 and "did you mean 'ember'" in r.output


def test_a_brand_known_only_from_its_opt_outs_is_accepted(store, tmp_path):
    """A brand without orders yet is still a brand when a brand-scoped suppression names it."""
    add_source(
        store,
        tmp_path,
        '[sources.gable_optouts]\nkind = "suppression"\ncadence = "daily"\n'
        'channel = "email"\nmatch_on = "email"\nbrand = "gable"\n',
    )
    save(store, tmp_path, selection("state = 'MA'", brand="gable", channel="email"))
    wf = count_selection(store, "gate")
    assert "gable_optouts" in wf.suppressions
    assert any("no orders have brand 'gable'" in w for w in wf.warnings)


def test_a_saved_selection_whose_brand_is_unknown_is_refused_by_count_and_export(store, tmp_path):
    save(store, tmp_path, selection("state = 'MA'", brand="ember"))
    with store.transaction() as conn:  # as if saved by an older workbench, before the check
        conn.execute("UPDATE selections SET definition = replace(definition, '\"ember\"', '\"embr\"')")
    r = wb(store.path, "count", "gate")
    assert r.exit_code == 1 and "did you mean 'ember'" in r.output
    r = wb(store.path, "export", "gate", "--out", tmp_path / "out.csv")
    assert r.exit_code == 1 and not (tmp_path / "out.csv").exists()


# -- people records loaded since the last match -------------------------------------------------------
def _match(store: Store) -> None:
    from workbench.identity.run import match

    match(store)


def _reload_with_copy(store: Store, tmp_path) -> None:
    """crm again (a full extract), with person 2 a second time under a new source key."""
    people = [person_row(i) for i in range(1, 41)]
    people.append({**person_row(ME), "source_key": "C2-NEW"})
    load_file(store, "crm", write_csv(tmp_path / "crm2.csv", people))


def test_a_person_loaded_again_under_a_new_key_is_counted_and_exported_once(store, tmp_path):
    _match(store)
    save(store, tmp_path, selection("email = 'person2@example.com'", channel="email"))
    assert count_selection(store, "gate").net == 1
    _reload_with_copy(store, tmp_path)
    runs = one(store, "SELECT count(*) FROM match_runs")
    with store.connect() as conn:
        assert inspect(conn).unmatched == 1
    steps = []
    wf = count_selection(store, "gate", progress=lambda m, f: steps.append(m))
    assert wf.net == 1, "the copy under the new key was counted as a second person"
    assert any("1 people record(s) loaded since the last match: matched first" in n for n in wf.notes)
    assert any(m.startswith("matching 1 people record(s)") for m in steps)
    assert one(store, "SELECT count(*) FROM match_runs") == runs + 1
    assert one(store, "SELECT count(*) FROM audit_log WHERE action = 'match.run'") == runs + 1
    assert (
        one(
            store,
            """SELECT count(DISTINCT pr.person_id) FROM person_records pr JOIN records r USING (record_id)
                         WHERE r.source_key IN ('C2', 'C2-NEW')""",
        )
        == 1
    )
    # nothing left to match: the next count runs no match
    count_selection(store, "gate")
    assert one(store, "SELECT count(*) FROM match_runs") == runs + 1


def test_an_export_matches_first_too(store, tmp_path):
    from workbench.export.run import export_selection

    _match(store)
    save(store, tmp_path, selection("email = 'person2@example.com'", channel="email"))
    _reload_with_copy(store, tmp_path)
    result = export_selection(store, "gate", tmp_path / "out.csv", campaign="G1")
    assert result.rows == 1 and result.waterfall.net == 1
    assert any("matched first" in n for n in result.waterfall.notes)


def test_a_database_never_matched_says_so_and_runs_no_match(store, tmp_path):
    save(store, tmp_path, selection("state = 'MA'"))
    wf = count_selection(store, "gate")
    assert any("no match run yet" in w for w in wf.warnings)
    assert one(store, "SELECT count(*) FROM match_runs") == 0


def test_an_unknown_selection_changes_nothing_even_with_records_unmatched(store, tmp_path):
    _match(store)
    _reload_with_copy(store, tmp_path)
    runs = one(store, "SELECT count(*) FROM match_runs")
    r = wb(store.path, "count", "nosuch")
    assert r.exit_code == 2
    assert one(store, "SELECT count(*) FROM match_runs") == runs


# -- NCOA moves loaded since the last application -----------------------------------------------------
def _load_move(store: Store, tmp_path, code: str = "02") -> None:
    add_source(store, tmp_path, MOVES_SOURCE)
    p = person_row(ME)
    move = {
        "first_name": p["first_name"].upper(),
        "last_name": p["last_name"].upper(),
        "address_line1": p["address_line1"].upper(),
        "address_line2": "",
        "city": p["city"].upper(),
        "state": p["state"],
        "postal_code": p["postal_code"],
        "new_address_line1": "",
        "new_address_line2": "",
        "new_city": "",
        "new_state": "",
        "new_postal_code": "",
        "return_code": code,
        "move_type": "I",
        "move_effective_date": "2026-10-01",
    }
    load_file(store, "ncoa", write_csv(tmp_path / "ncoa.csv", [move]))


def test_a_02_mover_is_not_mailed_once_the_moves_file_is_loaded(store, tmp_path):
    save(store, tmp_path, selection("last_name = 'Jones' and zip5 = '02134'"))
    before = count_selection(store, "gate").net
    _load_move(store, tmp_path)
    with store.connect() as conn:
        assert inspect(conn).moves_pending
    wf = count_selection(store, "gate")
    assert wf.net == before - 1, "the 02 mover is still in the mailing"
    assert any("1 change-of-address move(s)" in n and "02" in n for n in wf.notes)
    audited = q(store, "SELECT details FROM audit_log WHERE action = 'moves.apply'")
    assert len(audited) == 1 and json.loads(audited[0]["details"])["applied"] == 1
    with store.connect() as conn:  # applied once: the stamp says so, the next count does nothing
        assert not inspect(conn).moves_pending
    assert count_selection(store, "gate").net == before - 1
    assert one(store, "SELECT count(*) FROM audit_log WHERE action = 'moves.apply'") == 1


def test_an_export_applies_loaded_moves_first(store, tmp_path):
    from workbench.export.run import export_selection

    save(store, tmp_path, selection("last_name = 'Jones' and zip5 = '02134'"))
    before = count_selection(store, "gate").net
    _load_move(store, tmp_path)
    result = export_selection(store, "gate", tmp_path / "out.csv", campaign="G2", allow_stale=True)
    assert result.waterfall.net == before - 1
    with (tmp_path / "out.csv").open(encoding="utf-8") as f:
        assert ",James,Jones,1 Main Street," not in f.read()
