"""The command line: ``workbench`` opens the TUI; subcommands are headless and call only the core.

Data goes to stdout (or ``--out``), diagnostics to stderr. Exit codes: 0 done; 1 refused or a check that
warns (freshness warn, a stale source blocking an export); 2 error (bad input, unknown name, busy file, a
database file that does not exist). A stdout closed early (``| head -1``) does not stop or fail a command:
the rest of its output is dropped and it finishes its work.
Imports are deferred so ``workbench --help`` stays fast.
"""

from __future__ import annotations

import os
import sys

import click

from workbench import __version__

COMMAND_MODULES = (
    "workbench.commands.sources",
    "workbench.commands.load",
    "workbench.commands.freshness",
    "workbench.commands.demo",
    "workbench.commands.report",
    "workbench.commands.identity",
    "workbench.commands.households",
    "workbench.commands.suppress",
    "workbench.commands.select",
    "workbench.commands.contacts",
    "workbench.commands.trust",
    "workbench.commands.segments",
    "workbench.commands.model",
    "workbench.commands.publish",
    "workbench.commands.quality",
    "workbench.commands.plan",
    "workbench.commands.mergepurge",
)


class WorkbenchGroup(click.Group):
    """Turns :class:`WorkbenchError` into a plain message and its exit code, never a traceback."""

    def invoke(self, ctx: click.Context):
        from workbench.errors import WorkbenchError

        try:
            return super().invoke(ctx)
        except WorkbenchError as exc:
            click.echo(f"error: {exc.message}", err=True)
            if exc.hint:
                click.echo(f"  {exc.hint}", err=True)
            sys.exit(exc.exit_code)
        except BrokenPipeError:  # stdout closed and could not be made safe (see _survive_closed_stdout)
            _silence_stdout()
            click.echo("note: the output was cut short (stdout was closed). Work this command committed before "
                       "that stands (`workbench audit` lists it); nothing was left half done.", err=True)
            sys.exit(0)
        except KeyboardInterrupt:
            click.echo("interrupted: the database is unchanged by the unfinished operation.", err=True)
            sys.exit(130)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit):
            raise
        except Exception as exc:  # an unexpected failure: plain words, details on request
            if _interrupted_statement(exc):
                # Ctrl-C in the middle of a DuckDB statement: DuckDB stops the statement itself and raises
                # "Query interrupted" instead of KeyboardInterrupt (its transaction rolls back all the same)
                click.echo("interrupted: the database is unchanged by the unfinished operation.", err=True)
                sys.exit(130)
            if os.environ.get("WORKBENCH_DEBUG"):
                raise
            click.echo(f"error: unexpected failure: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
                       err=True)
            click.echo("  The unfinished operation was rolled back; anything this command had already committed "
                       "stands. Set WORKBENCH_DEBUG=1 to see the details.", err=True)
            sys.exit(2)


@click.group(cls=WorkbenchGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--db", "db_path", metavar="PATH", envvar="WORKBENCH_DB", default=None,
              help="Database file (default: $WORKBENCH_DB, else ./workbench.duckdb, else the demo's ./demo.duckdb).")
@click.version_option(__version__, prog_name="workbench")
@click.pass_context
def main(ctx: click.Context, db_path: str | None) -> None:
    """A terminal workbench for the people who run a company's marketing database.

    Without a command, opens the terminal UI on the database.
    """
    ctx.ensure_object(dict)
    if db_path is None and ctx.invoked_subcommand not in ("demo", "sources"):
        db_path = _demo_when_nothing_else()
    ctx.obj["db"] = db_path
    if ctx.invoked_subcommand is None:
        from workbench.store import default_db_path
        from workbench.tui import run_app

        path = default_db_path(db_path)
        if not path.exists():
            if not (sys.stdin.isatty() and sys.stdout.isatty()):
                from workbench.store import MissingDatabaseError

                raise MissingDatabaseError(f"There is no database at {path}.",
                                           "Check --db (or $WORKBENCH_DB); run `workbench` in a terminal to "
                                           "create a new, empty database there.")
            if not click.confirm(f"There is no database at {path}. Create a new, empty one there?", default=False):
                click.echo("Nothing created.", err=True)
                sys.exit(2)
        run_app(db_path)
    else:
        _survive_closed_stdout()
        _stop_statements_on_ctrl_c()


def _stop_statements_on_ctrl_c() -> None:
    """Ctrl-C stops a long statement at once, not when it ends. Python runs its SIGINT handler only when the
    main thread is back in Python, and a DuckDB statement (minutes at 10M records) keeps it in C; DuckDB's
    own check for the signal caught it in only 3 of 5 tries here. So the signal is also written to a pipe
    (``signal.set_wakeup_fd``) that a second thread reads, and that thread interrupts every open workbench
    connection: the statement fails, its transaction rolls back, and the command ends as interrupted
    (exit 130). Command-line commands only: the TUI's event loop has its own wake-up pipe."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    try:
        signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    except (ValueError, OSError):  # not the main thread of the main interpreter
        os.close(read_fd)
        os.close(write_fd)
        return

    def watch() -> None:
        from workbench.store.db import interrupt_all

        while True:
            try:
                got = os.read(read_fd, 64)
            except OSError:
                return
            if not got:
                return
            if signal.SIGINT in got:
                interrupt_all()

    threading.Thread(target=watch, name="workbench-ctrl-c", daemon=True).start()


def _interrupted_statement(exc: BaseException | None) -> bool:
    """``exc``, or an error it was raised from (Splink wraps the statements it runs), is a DuckDB statement
    stopped by Ctrl-C."""
    import duckdb

    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, duckdb.InterruptException) or (
                isinstance(exc, RuntimeError) and str(exc).strip() == "Query interrupted"):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _demo_when_nothing_else() -> str | None:
    """No --db, no $WORKBENCH_DB and no ./workbench.duckdb, but the demo that `./run demo` built is here:
    use it, and say so (on stderr), so `workbench count winter_catalogue` works in a fresh clone."""
    from pathlib import Path

    if Path("workbench.duckdb").exists() or not Path("demo.duckdb").is_file():
        return None
    click.echo("workbench: using demo.duckdb (the demo database; --db or $WORKBENCH_DB names another)", err=True)
    return "demo.duckdb"


def get_store(ctx: click.Context, create: bool = False):
    """The database of ``--db`` / ``$WORKBENCH_DB``. Only commands that create a database (``sources
    import``) pass ``create=True``; the others refuse a file that does not exist (exit 2), so a mistyped
    path is an error instead of a new empty database."""
    from workbench.store import Store

    return Store(ctx.find_root().obj.get("db"), create=create)


class _PipeSafeRaw:
    """stdout's file descriptor, but a closed reader (``| head -1``) makes writes vanish instead of
    raising BrokenPipeError in the middle of a command that has work still to do."""

    def __init__(self, fd: int):
        self.fd = fd
        self.gone = False

    def write(self, data) -> int:
        if not self.gone:
            try:
                return os.write(self.fd, data)
            except BrokenPipeError:
                self.gone = True
        return len(data)


def _survive_closed_stdout() -> None:
    """Put a pipe-safe stdout in place when stdout is a pipe or a file (not a terminal, not a test runner's
    buffer)."""
    import io

    try:
        fd = sys.stdout.fileno()
    except (AttributeError, ValueError, io.UnsupportedOperation):
        return
    if os.isatty(fd) or isinstance(getattr(sys.stdout, "buffer", None), _SafeBuffer):
        return
    sys.stdout.flush()
    sys.stdout = io.TextIOWrapper(_SafeBuffer(_PipeSafeRaw(fd)), encoding=sys.stdout.encoding,
                                  errors=sys.stdout.errors, line_buffering=True)


class _SafeBuffer:
    """The minimal binary stream TextIOWrapper needs over :class:`_PipeSafeRaw`."""

    def __init__(self, raw: _PipeSafeRaw):
        self.raw = raw
        self.closed = False

    def write(self, data) -> int:
        view = memoryview(data)
        while view:
            n = self.raw.write(view)
            view = view[n:]
        return len(data)

    def flush(self) -> None:
        pass

    def readable(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def fileno(self) -> int:
        return self.raw.fd

    def isatty(self) -> bool:
        return False

    def close(self) -> None:
        self.closed = True


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def progress_lines(enabled: bool = True):
    """``progress(message, fraction)`` printing a line per stage on stderr, for a person at a terminal;
    None (nothing printed) when not ``enabled`` or when stderr is not a terminal (a scheduled run)."""
    import sys

    if not enabled or not sys.stderr.isatty():
        return None

    last: list[tuple[str, float]] = []

    def show(message: str, fraction: float) -> None:
        if last and last[-1] == (message, fraction):  # a stage that reports again unchanged (a heartbeat)
            return
        last[:] = [(message, fraction)]
        click.echo(f"  {fraction:4.0%}  {message}", err=True)

    return show


def emit_json(data) -> None:
    import json

    click.echo(json.dumps(data, indent=2, default=str))


def _register() -> None:
    import importlib

    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        for command in module.COMMANDS:
            main.add_command(command)


_register()

if __name__ == "__main__":
    main()
