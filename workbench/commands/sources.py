"""`workbench sources import|list|remove`."""

from __future__ import annotations

import click

from workbench.cli import emit_json, get_store


@click.group("sources")
def sources() -> None:
    """Register the source systems and how their extracts are read (TOML)."""


@sources.command("import")
@click.argument("toml_file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def import_(ctx: click.Context, toml_file: str, as_json: bool) -> None:
    """Add or replace the sources defined in TOML_FILE ([sources.NAME] tables).

    Creates the database file when it does not exist yet (the first step of a new database)."""
    from workbench.ingest.sources import parse_sources_toml, save_sources

    defined = parse_sources_toml(toml_file)
    store = get_store(ctx, create=True)
    new = not store.path.exists()
    with store.transaction() as conn:
        result = save_sources(conn, defined)
    if as_json:
        emit_json(result)
        return
    for name, what in result.items():
        click.echo(f"{what:8} {name}")
    click.echo(f"{len(result)} source(s) from {toml_file}", err=True)
    if new:
        click.echo(f"created the database {store.path}", err=True)


@sources.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the sources as JSON.")
@click.pass_context
def list_(ctx: click.Context, as_json: bool) -> None:
    """List the registered sources."""
    from workbench.freshness import format_interval
    from workbench.ingest.sources import list_sources

    with get_store(ctx).connect(read_only=True) as conn:
        found = list_sources(conn)
    if as_json:
        emit_json([s.to_dict() for s in found])
        return
    from rich.table import Table

    table = Table("source", "kind", "cadence", "warn", "error", "priority", "mode", "format", "as-of", "mapping",
                  box=None, header_style="bold")
    for s in found:
        extra = f"{s.channel}/{s.match_on}" + (f" [{s.brand}]" if s.brand else "") if s.kind == "suppression" else ""
        table.add_row(s.name, s.kind + (f" ({extra})" if extra else ""), s.cadence, format_interval(s.warn_after_s),
                      format_interval(s.error_after_s), str(s.priority), s.mode, s.format or "auto", s.as_of or "-",
                      ", ".join(f"{k}={v}" for k, v in s.columns.items()) or "canonical")
    _console().print(table) if found else click.echo("No sources yet: add them with `workbench sources import FILE.toml`.")


@sources.command("remove")
@click.argument("name")
@click.pass_context
def remove(ctx: click.Context, name: str) -> None:
    """Remove a source definition (its loaded data stays)."""
    from workbench.ingest.sources import delete_source

    with get_store(ctx).transaction() as conn:
        delete_source(conn, name)
    click.echo(f"removed {name}")


COMMANDS = [sources]


def _console():
    """A rich console that does not squeeze tables when stdout is not a terminal (pipes, cron mail)."""
    import sys

    from rich.console import Console

    return Console(width=None if sys.stdout.isatty() else 200)
