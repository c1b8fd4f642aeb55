"""The command line: ``workbench`` opens the TUI; subcommands are headless and call only the core.

Data goes to stdout (or ``--out``), diagnostics to stderr. Exit codes: 0 done; 1 refused or a check that
warns (freshness warn, a stale source blocking an export); 2 error (bad input, unknown name, busy file).
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
        except KeyboardInterrupt:
            click.echo("interrupted: the database is unchanged by the unfinished operation.", err=True)
            sys.exit(130)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit):
            raise
        except Exception as exc:  # an unexpected failure: plain words, details on request
            if os.environ.get("WORKBENCH_DEBUG"):
                raise
            click.echo(f"error: unexpected failure: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
                       err=True)
            click.echo("  The database is unchanged. Set WORKBENCH_DEBUG=1 to see the details.", err=True)
            sys.exit(2)


@click.group(cls=WorkbenchGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--db", "db_path", metavar="PATH", envvar="WORKBENCH_DB", default=None,
              help="Database file (default: $WORKBENCH_DB, else ./workbench.duckdb).")
@click.version_option(__version__, prog_name="workbench")
@click.pass_context
def main(ctx: click.Context, db_path: str | None) -> None:
    """A terminal workbench for the people who run a company's marketing database.

    Without a command, opens the terminal UI on the database.
    """
    ctx.ensure_object(dict)
    ctx.obj["db"] = db_path
    if ctx.invoked_subcommand is None:
        from workbench.tui import run_app

        run_app(db_path)


def get_store(ctx: click.Context):
    from workbench.store import Store

    return Store(ctx.find_root().obj.get("db"))


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
