"""`workbench freshness`."""

from __future__ import annotations

import sys

import click

from workbench.cli import emit_json, get_store

STATUS_STYLE = {"fresh": "green", "warn": "yellow", "error": "bold red", "never": "red"}
CLOCK_STYLE = {"ok": "green", "due": "yellow", "overdue": "bold red", "missing": "red"}


@click.command("freshness")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one object per source).")
@click.pass_context
def freshness(ctx: click.Context, as_json: bool) -> None:
    """How fresh each source is. Exit 0: all fresh; 1: any warn; 2: any error or never loaded."""
    from workbench import clock
    from workbench.freshness import exit_code, format_interval, overall_status, source_freshness
    from workbench.privacy.clocks import legal_clocks

    with get_store(ctx).connect(read_only=True) as conn:
        items = source_freshness(conn)
        clocks = legal_clocks(conn)
    code = exit_code(items)
    if as_json:
        emit_json({"checked_at": clock.now().isoformat(), "status": overall_status(items), "exit_code": code,
                   "sources": [f.to_dict() for f in items], "legal_clocks": [c.to_dict() for c in clocks]})
        sys.exit(code)
    from rich.markup import escape
    from rich.table import Table

    from workbench.formatting import sparkline

    t = Table("source", "kind", "status", "age", "cadence", "warn/error", "as-of", "last load", "rows",
              "volume", "history", box=None, header_style="bold")
    for f in items:
        t.add_row(f.name, f.kind, f"[{STATUS_STYLE[f.status]}]{f.status}[/]", f.age_text, f.cadence,
                  f"{format_interval(f.warn_after_s)}/{format_interval(f.error_after_s)}",
                  f"{f.as_of:%Y-%m-%d %H:%M}" if f.as_of else "-",
                  f"{f.last_load_at:%Y-%m-%d %H:%M}" if f.last_load_at else "never",
                  f"{f.last_rows:,}" if f.last_rows is not None else "-", f.volume, sparkline(f.history))
    console = _console()
    console.print(t) if items else click.echo("No sources yet.")
    console.print(f"overall: [{STATUS_STYLE[overall_status(items)]}]{overall_status(items)}[/] "
                  f"(checked {clock.now():%Y-%m-%d %H:%M})")
    for c in clocks:  # legal clocks: they gate exports of their channel, not this exit code
        style = CLOCK_STYLE[c.status]
        console.print(f"legal clock {c.clock} ({c.channel} exports): [{style}]{c.status}[/] - {escape(c.message)}")
    sys.exit(code)


COMMANDS = [freshness]


def _console():
    """A rich console that does not squeeze tables when stdout is not a terminal (pipes, cron mail)."""
    import sys

    from rich.console import Console

    return Console(width=None if sys.stdout.isatty() else 200)
