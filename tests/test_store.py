from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from workbench.errors import DatabaseBusyError, DatabaseFileError
from workbench.store import Store
from workbench.store.migrate import available_migrations
from workbench.store.sql import run, scalar

pytestmark = pytest.mark.real_migrations  # creating a database is what these tests are about


def test_new_database_is_migrated(tmp_path):
    s = Store(tmp_path / "a.duckdb")
    with s.connect() as conn:
        v = scalar(conn, "SELECT max(version) FROM schema_version")
    assert v == available_migrations()[-1][0]


def test_not_a_duckdb_file(tmp_path):
    p = tmp_path / "notes.duckdb"
    p.write_text("hello, this is not a database")
    with pytest.raises(DatabaseFileError, match="not a DuckDB database"):
        with Store(p).connect():
            pass


def test_newer_schema_refused(tmp_path):
    s = Store(tmp_path / "a.duckdb")
    with s.transaction() as conn:
        run(conn, "INSERT INTO schema_version VALUES (999, '999_future.sql', now(), '9.9')")
    with pytest.raises(DatabaseFileError, match="newer workbench"):
        with Store(tmp_path / "a.duckdb").connect():
            pass


def test_locked_file_gives_clear_message(tmp_path):
    path = tmp_path / "a.duckdb"
    Store(path).set_setting("x", "1")
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, sys, time
        c = duckdb.connect({str(path)!r})
        print("held", flush=True)
        time.sleep(30)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(DatabaseBusyError) as err:
            with Store(path, busy_timeout=0.3).transaction():
                pass
        assert str(path) in err.value.message and "another workbench" in err.value.message
        assert "try again" in err.value.hint
    finally:
        holder.kill()
        holder.wait()


def test_transaction_rolls_back(tmp_path):
    s = Store(tmp_path / "a.duckdb")
    with pytest.raises(ValueError):
        with s.transaction() as conn:
            run(conn, "INSERT INTO settings VALUES ('k', 'v')")
            raise ValueError("boom")
    assert s.get_setting("k") is None


def test_core_does_not_import_textual():
    code = ("import sys, workbench.store, workbench.ingest.load, workbench.freshness, workbench.cli; "
            "assert 'textual' not in sys.modules, 'textual imported by the core'")
    subprocess.run([sys.executable, "-c", code], check=True)
