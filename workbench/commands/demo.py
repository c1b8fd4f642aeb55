"""`workbench demo`: build the demo database through the real loaders and open it."""

from __future__ import annotations

import click


@click.command("demo")
@click.option("--build-only", is_flag=True, help="Only build the demo database; do not open the TUI.")
@click.option("--json", "as_json", is_flag=True, help="With --build-only: print the build summary as JSON.")
@click.pass_context
def demo(ctx: click.Context, build_only: bool, as_json: bool) -> None:
    """Build a fresh demo database (default demo.duckdb) from demo_db/ and open it."""
    from pathlib import Path

    from workbench.cli import emit_json
    from workbench.demo import build_demo

    db = ctx.find_root().obj.get("db") or "demo.duckdb"
    summary = build_demo(Path(db), progress=None if as_json else lambda msg: click.echo(msg, err=True))
    if as_json:
        emit_json(summary)
    else:
        click.echo(f"demo database built: {db} ({summary['loads']} loads, {summary['records']:,} people records, "
                   f"{summary['seconds']:.1f} s)", err=True)
    if not build_only:
        from workbench.tui import run_app

        run_app(str(db))


COMMANDS = [demo]
