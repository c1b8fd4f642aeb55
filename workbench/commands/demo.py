"""`workbench demo`: build the demo database through the real loaders (or reuse the one built before) and
open it. It never replaces a file that is not a demo database it built, and rebuilds one only with --force."""

from __future__ import annotations

import click


@click.command("demo")
@click.option("--build-only", is_flag=True, help="Only build the demo database; do not open the TUI.")
@click.option("--force", is_flag=True, help="Rebuild the demo database even if one was built before.")
@click.option("--json", "as_json", is_flag=True, help="With --build-only: print the build summary as JSON.")
@click.pass_context
def demo(ctx: click.Context, build_only: bool, force: bool, as_json: bool) -> None:
    """Build the demo database from demo_db/ and open it.

    The file is demo.duckdb in the current folder, or --db PATH given on the command line ($WORKBENCH_DB is
    not used: the demo never touches the database you work on). A demo database built before is opened
    as it is; --force rebuilds it. Any other file at that path is refused (exit 2), --force or not.
    """
    from pathlib import Path

    from workbench.cli import emit_json
    from workbench.demo import build_demo, demo_status

    root = ctx.find_root()
    explicit = root.get_parameter_source("db_path") == click.core.ParameterSource.COMMANDLINE
    db = Path(root.obj.get("db") if explicit else "demo.duckdb")
    status = demo_status(db)
    if status == "demo" and not force:
        summary = {"db": str(db), "reused": True}
        if as_json:
            emit_json(summary)
        else:
            click.echo(f"demo database {db} was built before: opening it as it is "
                       "(`workbench demo --force` rebuilds it).", err=True)
    else:
        summary = build_demo(db, progress=None if as_json else lambda msg: click.echo(msg, err=True),
                             replace=force)
        summary["reused"] = False
        if as_json:
            emit_json(summary)
        else:
            click.echo(f"demo database built: {db} ({summary['loads']} loads, {summary['records']:,} people "
                       f"records, {summary['seconds']:.1f} s)", err=True)
    if not build_only:
        from workbench.tui import run_app

        run_app(str(db))


COMMANDS = [demo]
