"""`workbench selections import|list|show|history|attributes`, `workbench count NAME`, `workbench export NAME`.

Exit codes: 0 done; 1 refused (a selection that does not check, a stale source without --allow-stale,
a campaign code already used); 2 error (unknown name, unreadable file, busy database...).
"""

from __future__ import annotations

import click

from workbench.cli import emit_json, get_store, progress_lines


@click.group("selections")
def selections() -> None:
    """Selections: who will be contacted (TOML [selections.NAME] tables, stored with their history)."""


@selections.command("import")
@click.argument("toml_file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def import_(ctx: click.Context, toml_file: str, as_json: bool) -> None:
    """Check and store the selections of TOML_FILE (a new version of each one that changed)."""
    from workbench.select.counts import import_selections

    result = import_selections(get_store(ctx), toml_file)
    if as_json:
        emit_json(result)
        return
    for r in result:
        click.echo(f"{r['status']:9} {r['name']} (version {r['version']})")
        for w in r["warnings"]:
            click.echo(f"  warning: {w}", err=True)
    click.echo(f"{len(result)} selection(s) from {toml_file}", err=True)


@selections.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the selections as JSON.")
@click.pass_context
def list_(ctx: click.Context, as_json: bool) -> None:
    """List the stored selections."""
    from workbench.select.saved import list_selections

    with get_store(ctx).connect(read_only=True) as conn:
        found = list_selections(conn)
    if as_json:
        emit_json(found)
        return
    if not found:
        click.echo("No selections yet: add them with `workbench selections import FILE.toml`.")
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table("selection", "version", "channel", "brand", "one per", "cells", "priority", "exports", "updated",
                  "where", box=None, header_style="bold")
    for s in found:
        table.add_row(escape(s["name"]), str(s["version"]), s["channel"], escape(s["brand"] or "-"), s["one_per"],
                      escape(", ".join(s["cells"]) or "all"), "-" if s["priority"] is None else str(s["priority"]),
                      str(s["exports"]), f"{s['updated_at']:%Y-%m-%d %H:%M}", escape(_clip(s["where"], 60)))
    _console().print(table)


@selections.command("show")
@click.argument("name")
@click.option("--version", "version", type=int, default=None, help="An earlier version.")
@click.option("--history", "history", is_flag=True, help="List the versions instead (with logged overrides).")
@click.pass_context
def show(ctx: click.Context, name: str, version: int | None, history: bool) -> None:
    """Print a selection's definition as TOML (or its history of versions)."""
    from workbench.select.saved import get_selection, selection_history

    with get_store(ctx).connect(read_only=True) as conn:
        if history:
            for h in selection_history(conn, name):
                line = f"version {h['version']}  {h['saved_at']:%Y-%m-%d %H:%M}  {h['saved_by']}  {h['origin']}"
                if h["overrides"]:
                    line += f"  override: {', '.join(h['overrides'])} ({h['override_reason']})"
                click.echo(line)
            return
        sel = get_selection(conn, name, version)
    click.echo(f"# version {sel.version}")
    click.echo(sel.to_toml(), nl=False)


@selections.command("attributes")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def attributes(as_json: bool) -> None:
    """The attributes and functions a where expression may use."""
    from workbench.select.counts import attribute_reference

    ref = attribute_reference()
    if as_json:
        emit_json(ref)
        return
    for section in ("attributes", "functions", "field_aliases"):
        click.echo(section + ":")
        for a in ref[section]:
            click.echo(f"  {a['name']:34} {a['type']:7} {a['help']}")


@click.command("count")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print the waterfall as JSON.")
@click.pass_context
def count(ctx: click.Context, name: str, as_json: bool) -> None:
    """Count a selection step by step: the waterfall (universe, where, each suppression, ..., net)."""
    from workbench.select.counts import count_selection

    wf = count_selection(get_store(ctx), name, progress=progress_lines())
    if as_json:
        emit_json(wf.to_dict())
        return
    print_waterfall(wf)


@click.command("export")
@click.argument("name")
@click.option("--out", "out", required=True, type=click.Path(), help="The file to write.")
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), default=None,
              help="File format (default: from the file name; csv unless it ends in .parquet).")
@click.option("--campaign", default=None, help="Campaign code for the contact history (default NAME-YYYYMMDD).")
@click.option("--dry-run", is_flag=True, help="Count and check only: no file, nothing recorded.")
@click.option("--allow-stale", is_flag=True, help="Export even when a source the selection reads is in error.")
@click.option("--force", is_flag=True, help="Replace FILE (and its manifest) when they exist.")
@click.option("--allow-unmeasured", is_flag=True,
              help="Export even when the accuracy estimate is stale or under its floor (audited; docs/quality.md).")
@click.option("--no-seeds", is_flag=True, help="Let the file leave without seeds (recorded in the audit log).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def export(ctx: click.Context, name: str, out: str, fmt: str | None, campaign: str | None, dry_run: bool,
           allow_stale: bool, force: bool, allow_unmeasured: bool, no_seeds: bool, as_json: bool) -> None:
    """Export a selection: the file, FILE.manifest.json beside it, and the contact history.

    An existing FILE is replaced only with --force; the database file, a directory, a FIFO or a device
    never. Exit 0 done; 1 refused (stale source without --allow-stale, bad selection, campaign already
    used); 2 error (an existing file without --force, unknown name...).
    """
    from workbench.export.run import export_selection

    result = export_selection(get_store(ctx), name, out, fmt=fmt, campaign=campaign, dry_run=dry_run,
                              allow_stale=allow_stale, force=force, allow_unmeasured=allow_unmeasured,
                              progress=progress_lines(), no_seeds=no_seeds)
    if as_json:
        emit_json(result.to_dict())
        return
    for f in result.freshness.warnings:
        click.echo(f"warning: source {f.name} is {f.status} ({f.age_text} old)", err=True)
    for f in result.freshness.errors:
        click.echo(f"warning: exported over stale source {f.name} ({f.status}, {f.age_text} old): --allow-stale",
                   err=True)
    print_waterfall(result.waterfall)
    if result.dry_run:
        click.echo("dry run: no file written, nothing recorded.", err=True)
        return
    click.echo(f"wrote {result.rows:,} rows ({result.rows - result.seeds:,} persons + {result.seeds} seeds) to "
               f"{result.file}", err=True)
    if result.seeds_from == "none":
        click.echo("warning: this file carries no seeds" + (" (--no-seeds, recorded in the audit log)" if no_seeds
                   else ": the database keeps no seed list (`workbench seeds import`)"), err=True)
    click.echo(f"manifest {result.manifest}  sha256 {result.sha256}", err=True)
    click.echo(f"contact history: campaign {result.campaign}, export {result.export_id}", err=True)


def print_waterfall(wf) -> None:
    from rich.markup import escape
    from rich.table import Table

    title = f"{wf.selection} (version {wf.version}) {wf.channel}" + (f" / {wf.brand}" if wf.brand else "")
    table = Table("step", "", "removed", "remaining", box=None, header_style="bold", title=escape(title))
    for s in wf.steps:
        table.add_row(s.step, escape(s.label), "" if s.removed is None else f"-{s.removed:,}" if s.removed else "0", f"{s.remaining:,}",
                      style="bold" if s.step in ("universe", "net") else None)
    console = _console()
    console.print(table)
    for n in wf.notes:  # what was brought up to date first (select.ready); the addresses of a mail count
        click.echo(f"note: {n}", err=True)
    for w in wf.warnings:
        console.print(f"[yellow]warning:[/] {escape(w)}", highlight=False)
    console.print(f"net {wf.net:,} to contact, {wf.held_out:,} held out (counted in {wf.seconds:.2f} s)",
                  highlight=False)


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _console():
    import sys

    from rich.console import Console

    return Console(width=None if sys.stdout.isatty() else 200)


COMMANDS = [selections, count, export]
