"""After an erasure: loads stop the person at the door, no selection lifts the erasure suppression, and a
crash in the erasure's file step is finished (or refused) before any other command runs."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import duckdb
import pytest
from test_trust_helpers import (
    EMAIL,
    FILES,
    FIRST,
    LAST,
    PHONE,
    ROOT,
    SECRETS,
    STREET,
    build_person_everywhere,
    copy_store,
    file_bytes,
    load_file,
    one,
    q,
    run_cli,
    write,
)

from workbench import clock
from workbench.errors import RefusedError
from workbench.privacy import erase
from workbench.store.sql import run

# the tables a load writes that may not hold the erased person again (the suppression lists may: they are
# the lists that say who must not be contacted)
LOADED = ("records", "persons", "contact_history", "moves", "rejects", "transactions", "events")


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    path = build_person_everywhere(tmp_path_factory.mktemp("erasure_load")).path
    clock.set_now(None)
    return path


@pytest.fixture
def store(base, tmp_path):
    return copy_store(base, tmp_path)


def secrets_in(store, tables=LOADED) -> dict[str, int]:
    """How many rows of each table hold one of the erased person's values (as text, lower case)."""
    found = {}
    with store.connect(read_only=True) as conn:
        for t in tables:
            text = f"lower(CAST({t} AS VARCHAR))"
            cond = " OR ".join(f"contains({text}, ?)" for _ in SECRETS)
            n = conn.execute(
                f"SELECT count(*) FROM {t} WHERE {cond}", [s.decode() for s in SECRETS]
            ).fetchone()[0]
            if n:
                found[t] = n
    return found


def test_reloading_every_extract_after_an_erasure_brings_nobody_back(store, tmp_path):
    erase(store, email=EMAIL)
    assert secrets_in(store) == {}
    loaded = {}
    for name, text in FILES.items():
        loaded[name] = load_file(store, name, write(tmp_path, f"{name}_again", text), force=True)
    assert secrets_in(store) == {}, "the erased person came back in cleartext"
    rejects = q(
        store, "SELECT source, line, reason, raw FROM rejects WHERE reason LIKE 'erased person%' ORDER BY ALL"
    )
    # crm line 2, both web lines (the bad birth date one too: one reject, without data), the contact, the move
    assert [(r["source"], r["line"]) for r in rejects] == [
        ("crm", 2),
        ("history", 2),
        ("ncoa", 2),
        ("web", 2),
        ("web", 4),
    ]
    assert all(r["raw"] is None for r in rejects)
    assert loaded["crm"].rows_loaded == 2 and loaded["web"].rows_loaded == 1  # the others load as ever


def test_the_person_is_stopped_when_the_quick_hash_is_not_usable(store, tmp_path):
    erase(store, email=EMAIL)
    with store.transaction() as conn:
        run(conn, "UPDATE settings SET value = 'another version' WHERE key = 'privacy.hash_check'")
    r = load_file(
        store,
        "web",
        write(
            tmp_path,
            "back",
            "source_key,first_name,last_name,address_line1,postal_code,"
            f"phone\nW7,{FIRST},{LAST},{STREET},02134,\n"
            f"W8,Al,Other,1 Elm St,10001,{PHONE}\n",
        ),
    )
    assert (r.rows_loaded, r.rows_rejected) == (0, 2)
    assert secrets_in(store) == {}


def test_an_unreadable_line_holding_an_erased_email_keeps_no_text(store, tmp_path):
    erase(store, email=EMAIL)
    r = load_file(
        store,
        "web",
        write(
            tmp_path,
            "broken",
            f"source_key,first_name,email\nW7,Zeb,{EMAIL},one field too many\nW8,Al,al@example.com\n",
        ),
    )
    assert (r.rows_loaded, r.rows_rejected) == (1, 1)
    (reject,) = q(store, "SELECT line, reason, raw FROM rejects WHERE load_id = ?", [r.load_id])
    assert reject["line"] == 2 and reject["raw"] is None and reject["reason"].startswith("erased person")
    assert secrets_in(store) == {}


def test_a_key_still_held_by_someone_else_does_not_stop_them(store, tmp_path):
    """Robert is erased; his landline is Mary's too: it is tombstoned for phone calls only, and Mary's
    records still load (suppressed on phone by the suppression build)."""
    load_file(
        store,
        "web",
        write(tmp_path, "landline", "source_key,first_name,last_name,phone\nW20,Robert,Smith,6175550101\n"),
    )
    robert = one(
        store,
        "SELECT pr.person_id FROM records r JOIN person_records pr USING (record_id) "
        "WHERE r.source_key = 'W20'",
    )
    erase(store, person_id=robert, compact=False)
    r = load_file(
        store,
        "web",
        write(tmp_path, "mary", "source_key,first_name,last_name,phone\nW21,Mary,Smith,6175550101\n"),
    )
    assert (r.rows_loaded, r.rows_rejected) == (1, 0)


def test_no_selection_may_override_the_erasure_suppression(store):
    from workbench.select.definition import SelectionError, parse_selections_text
    from workbench.select.plan import check_selection

    erase(store, email=EMAIL)
    (sel,) = parse_selections_text(
        '[selections.s]\nchannel = "email"\noverride_suppress = ["erasure"]\n'
        'override_reason = "the customer wrote to us"\n'
    )
    with store.connect() as conn, pytest.raises(SelectionError, match="cannot be overridden"):
        check_selection(conn, sel)
    (sel,) = parse_selections_text(
        '[selections.s]\nchannel = "email"\nsuppress = ["unsubscribes"]\n'
        'override_suppress = ["erasure"]\noverride_reason = "x"\n'
    )
    with store.connect() as conn, pytest.raises(SelectionError, match="cannot be overridden"):
        check_selection(conn, sel)


KILLED_ERASURE = textwrap.dedent("""
    import importlib, os, signal, sys
    from workbench.store import Store

    erasure = importlib.import_module("workbench.privacy.erase")

    def die(store):  # the process is killed in the file step, after the erasure committed
        os.kill(os.getpid(), signal.SIGKILL)

    erasure.compact_database = die
    erasure.erase(Store(sys.argv[1]), email=sys.argv[2])
""")


def test_kill_9_in_the_file_step_is_finished_by_the_next_command(store):
    died = subprocess.run(
        [sys.executable, "-c", KILLED_ERASURE, str(store.path), EMAIL],
        cwd=ROOT,
        timeout=120,
        capture_output=True,
        text=True,
    )
    assert died.returncode == -9, died.stderr
    raw = duckdb.connect(str(store.path), read_only=True)
    assert raw.execute("SELECT count(*) FROM settings WHERE key = 'privacy.wipe_pending'").fetchone()[0] == 1
    assert (
        raw.execute("SELECT count(*) FROM records WHERE email_std = ?", [EMAIL]).fetchone()[0] == 0
    )  # committed
    raw.close()
    assert [s for s in SECRETS if s in file_bytes(store.path)], (
        "the killed erasure left the values in the file"
    )
    out = run_cli(["loads", "--json"], store.path)  # a read-only command
    assert out.returncode == 0, out.stderr
    assert [s for s in SECRETS if s in file_bytes(store.path)] == []
    assert one(store, "SELECT count(*) FROM settings WHERE key LIKE 'privacy.%pending'") == 0


def test_a_pending_wipe_that_cannot_be_finished_stops_every_command(store, monkeypatch):
    from workbench.privacy import compact as compact_module
    from workbench.privacy.erase import erase_in

    with store.transaction() as conn:
        erase_in(conn, email=EMAIL)  # committed; the file step never ran

    def no_room(_store):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(compact_module, "compact_database", no_room)
    with pytest.raises(RefusedError, match="workbench compact") as exc:
        with store.connect(read_only=True):
            pass
    assert "No space left on device" in exc.value.message
    raw = duckdb.connect(str(store.path), read_only=True)
    assert raw.execute("SELECT count(*) FROM settings WHERE key = 'privacy.wipe_pending'").fetchone()[0] == 1
    raw.close()
    monkeypatch.undo()
    with store.connect(read_only=True):
        pass  # now it can: compacted first
    assert [s for s in SECRETS if s in file_bytes(store.path)] == []


def test_an_erasure_whose_compaction_fails_still_reports_and_the_next_command_finishes(store, monkeypatch):
    import importlib

    erasure = importlib.import_module("workbench.privacy.erase")

    def no_room(_store):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(erasure, "compact_database", no_room)
    result = erase(store, email=EMAIL)
    assert result.persons == 2 and "No space left on device" in result.compacted["error"]
    monkeypatch.undo()
    assert (
        one(store, "SELECT count(*) FROM settings WHERE key LIKE 'privacy.%pending'") == 0
    )  # finished first
    assert [s for s in SECRETS if s in file_bytes(store.path)] == []
