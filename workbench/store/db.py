"""Opening the database file: locking, migrations, clear errors."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from workbench import clock
from workbench.errors import DatabaseBusyError, DatabaseFileError
from workbench.store.ids import note_high_water
from workbench.store.journal import journal_dir, sweep
from workbench.store.memory import apply_memory_limit, memory_limit, threads
from workbench.store.migrate import migrate, pending_migrations
from workbench.store.sql import run, scalar

DEFAULT_BUSY_TIMEOUT = 10.0

# Every connection any Store of this process has open: what interrupt_all() stops (Ctrl-C at the command line).
_ALL_OPEN: set[duckdb.DuckDBPyConnection] = set()
_ALL_LOCK = threading.Lock()


def interrupt_all() -> int:
    """Stop the statement every open workbench connection of this process is running (each raises
    ``duckdb.InterruptException`` in its thread; its transaction rolls back). Returns how many were open."""
    with _ALL_LOCK:
        conns = list(_ALL_OPEN)
    return _interrupt(conns)


def _interrupt(conns: list[duckdb.DuckDBPyConnection]) -> int:
    for conn in conns:
        try:
            conn.interrupt()
        except duckdb.Error:  # closed in the meantime
            pass
    return len(conns)


def default_db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--db PATH``, else ``$WORKBENCH_DB``, else ``./workbench.duckdb``."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("WORKBENCH_DB")
    return Path(env) if env else Path("workbench.duckdb")


def _busy_timeout() -> float:
    try:
        return float(os.environ.get("WORKBENCH_BUSY_TIMEOUT", DEFAULT_BUSY_TIMEOUT))
    except ValueError:
        return DEFAULT_BUSY_TIMEOUT


class Store:
    """One workbench database file.

    ``busy_timeout`` is how long an open waits for another process that holds the file (seconds;
    ``$WORKBENCH_BUSY_TIMEOUT``, default 10) before it gives up with :class:`DatabaseBusyError`.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, busy_timeout: float | None = None,
                 create: bool = True):
        self.path = default_db_path(path).expanduser()
        self.create = create  # False: a missing file is refused (MissingDatabaseError), never created
        self.busy_timeout = _busy_timeout() if busy_timeout is None else busy_timeout
        self._migrated = False
        self.on_wait: Callable[[str], None] | None = None  # told "process N" once when the file is held
        self.finish_pending_wipe = True  # see workbench.privacy.wipe.finish_pending_wipe (an erasure turns it off)
        self._open_conns: set[duckdb.DuckDBPyConnection] = set()  # what interrupt() stops
        self._conns_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    # -- opening -------------------------------------------------------------------------------
    def _open(self, read_only: bool, finish_wipe: bool = True) -> duckdb.DuckDBPyConnection:
        if self.path.is_dir():
            raise DatabaseFileError(f"{self.path} is a directory, not a workbench database file.")
        if not self.path.exists():
            if not self.create:
                raise MissingDatabaseError(
                    f"There is no database at {self.path}.",
                    "Check --db (or $WORKBENCH_DB). `workbench sources import FILE.toml` creates a new database; "
                    "`workbench demo` builds the demo.")
            read_only = False  # a new database is created (and migrated) on first use
        memory_limit()  # a bad $WORKBENCH_MEMORY_LIMIT is refused before anything is opened or created
        threads()  # and a bad $WORKBENCH_THREADS
        deadline = time.monotonic() + self.busy_timeout
        delay = 0.05
        waiting: str | None = None
        while True:
            try:
                conn = duckdb.connect(str(self.path), read_only=read_only)
                break
            except duckdb.ConnectionException as exc:
                # this process already holds the file with the other mode: DuckDB shares one instance per
                # process, so join it as it is (read-only only matters between processes)
                if "different configuration" not in str(exc):
                    raise DatabaseFileError(f"Cannot open {self.path}: {_first_line(str(exc))}") from None
                if read_only:
                    read_only = False
                    continue
                if time.monotonic() >= deadline:  # a read-only connection of this process is still open
                    raise DatabaseBusyError(f"{self.path} is being read by another job of this workbench.",
                                            "Try again when it has finished.") from None
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
            except duckdb.IOException as exc:
                text = str(exc)
                if "not a valid DuckDB database" in text or "not a DuckDB" in text:
                    raise DatabaseFileError(
                        f"{self.path} exists but is not a DuckDB database file.",
                        "Point --db (or $WORKBENCH_DB) at a workbench database, or at a new file name.",
                    ) from None
                if "lock" not in text.lower():
                    raise DatabaseFileError(f"Cannot open {self.path}: {_first_line(text)}") from None
                pid = re.search(r"PID (\d+)", text)
                holder = f"process {pid.group(1)}" if pid else "another process"
                if waiting is None and self.on_wait is not None:
                    waiting = holder
                    self.on_wait(holder)  # say so at once (the TUI: "waiting for the database (held by ...)")
                if time.monotonic() >= deadline:
                    raise DatabaseBusyError(
                        f"{self.path} is in use by another workbench ({holder}), which is writing to it.",
                        f"Waited {self.busy_timeout:g} s. Wait for that job to finish (or close that "
                        "workbench) and try again; raise $WORKBENCH_BUSY_TIMEOUT to wait longer.",
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
            except duckdb.Error as exc:
                raise DatabaseFileError(f"Cannot open {self.path}: {_first_line(str(exc))}") from None
        try:
            self._prepare(conn, read_only)
        except _NeedsMigration:
            conn.close()
            with self.connect(read_only=False):  # migrate once with a writable connection
                pass
            return self._open(read_only)
        except _WipePending:
            conn.close()
            if not finish_wipe:  # it was just finished, and is still flagged: never loop
                from workbench.privacy.wipe import refuse_pending_wipe

                raise refuse_pending_wipe(self, "the file still says so after its compaction") from None
            from workbench.privacy.wipe import finish_pending_wipe

            finish_pending_wipe(self)  # before anything else runs; refuses with a message if it cannot
            return self._open(read_only, finish_wipe=False)
        except Exception:
            conn.close()
            raise
        return conn

    def _prepare(self, conn: duckdb.DuckDBPyConnection, read_only: bool) -> None:
        if not self._migrated:
            pending = pending_migrations(conn, self.path)
            if pending and read_only:
                raise _NeedsMigration()
            if pending:
                migrate(conn, pending)
            self._migrated = True
        _install_macros(conn, read_only)
        apply_memory_limit(conn)
        found = dict(conn.execute("SELECT key, value FROM settings WHERE key IN ('clock.frozen_at', "
                                  "'privacy.wipe_pending')").fetchall())
        frozen = found.get("clock.frozen_at")
        if frozen and not clock.is_frozen():
            clock.set_now(frozen)
        if "privacy.wipe_pending" in found and self.finish_pending_wipe:
            raise _WipePending()  # an erasure's clean-up of the file that a crash interrupted
        if journal_dir(self.path).is_dir():
            sweep(self.path, conn)  # files of a writer that was killed (see workbench.store.journal)

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for the duration of the block, closed afterwards (the file lock goes with it)."""
        conn = self._open(read_only)
        with self._conns_lock, _ALL_LOCK:
            self._open_conns.add(conn)
            _ALL_OPEN.add(conn)
        try:
            yield conn
        finally:
            with self._conns_lock, _ALL_LOCK:
                self._open_conns.discard(conn)
                _ALL_OPEN.discard(conn)
            conn.close()

    def interrupt(self) -> int:
        """Stop the statement each open connection of this store is running (from another thread: the
        TUI's Escape). The statement raises ``duckdb.InterruptException`` in its thread and the transaction
        it ran in rolls back, so a job stops inside a long statement instead of at its next stage. Returns
        how many connections were open."""
        with self._conns_lock:
            conns = list(self._open_conns)
        return _interrupt(conns)

    @contextmanager
    def transaction(self, held: duckdb.DuckDBPyConnection | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """A write connection inside one transaction: committed at the end, rolled back on error.

        ``held``: a write connection the caller keeps open (from :meth:`connect`, e.g. the TUI's review
        session, where opening one per decision costs more than the decision) runs the transaction instead
        of a new connection; it stays open afterwards."""
        if held is not None:
            with _in_transaction(held) as conn:
                yield conn
            return
        with self.connect() as conn, _in_transaction(conn):
            yield conn

    # -- settings ------------------------------------------------------------------------------
    def get_setting(self, key: str, default: str | None = None) -> str | None:
        with self.connect(read_only=True) as conn:
            value = scalar(conn, "SELECT value FROM settings WHERE key = ?", [key])
        return default if value is None else value

    def set_setting(self, key: str, value: str | None) -> None:
        with self.transaction() as conn:
            run(conn, "DELETE FROM settings WHERE key = ?", [key])
            if value is not None:
                run(conn, "INSERT INTO settings VALUES (?, ?)", [key, value])


@contextmanager
def _in_transaction(conn: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    run(conn, "BEGIN TRANSACTION")
    try:
        yield conn
    except BaseException:
        try:
            run(conn, "ROLLBACK")
        except duckdb.Error:
            pass
        raise
    note_high_water(conn)  # ids written without reserve_ids are never handed out again either
    run(conn, "COMMIT")


class MissingDatabaseError(DatabaseFileError):
    """The database file does not exist and this store may not create it (a mistyped --db)."""


class _NeedsMigration(Exception):
    """A read-only open found migrations to apply."""


class _WipePending(Exception):
    """The file flags an erasure whose clean-up of the file did not finish (see workbench.privacy.wipe)."""


def _install_macros(conn: duckdb.DuckDBPyConnection, read_only: bool) -> None:
    """The standardisation macros: kept in the database (created once per version of their SQL, by a
    writable connection), so opening a connection does not pay ~50 ms of macro creation each time."""
    import hashlib

    from workbench.standardise import install_macros, macro_script

    script = macro_script()
    digest = hashlib.sha256(script.encode()).hexdigest()[:16]
    if scalar(conn, "SELECT value FROM settings WHERE key = 'macros.version'") == digest:
        return
    if read_only:
        install_macros(conn)  # temporary macros for this connection only
        return
    run(conn, "BEGIN TRANSACTION")
    try:
        conn.execute(script.replace("CREATE OR REPLACE TEMP MACRO", "CREATE OR REPLACE MACRO")).fetchall()
        run(conn, "DELETE FROM settings WHERE key = 'macros.version'")
        run(conn, "INSERT INTO settings VALUES ('macros.version', ?)", [digest])
        run(conn, "COMMIT")
    except Exception:
        run(conn, "ROLLBACK")
        raise


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text
