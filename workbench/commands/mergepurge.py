"""`workbench mergepurge RUN.toml --out FILE`, `workbench prospects list|runs|origins`, `workbench seeds import|list`.

Exit codes: 0 done; 1 refused (a one-time list used before, an expired list, a file without seeds and
no --no-seeds); 2 error (a bad run file, an unknown list, an output file that exists without --force...).
"""

from __future__ import annotations

import click

from workbench.cli import emit_json, get_store


@click.command("mergepurge")
@click.argument("run_file", metavar="RUN.toml", type=click.Path(dir_okay=False))
@click.option(
    "--out",
    "out",
    type=click.Path(),
    default=None,
    help="The file to write (CSV); the report goes beside it as FILE.report.json.",
)
@click.option("--force", is_flag=True, help="Replace FILE (and its report) when they exist.")
@click.option("--dry-run", is_flag=True, help="Count and print the report only: no file, nothing recorded.")
@click.option("--no-seeds", is_flag=True, help="Let the file leave without the database's seeds (audited).")
@click.option("--json", "as_json", is_flag=True, help="Print the result and the net-name report as JSON.")
@click.pass_context
def mergepurge(
    ctx: click.Context,
    run_file: str,
    out: str | None,
    force: bool,
    dry_run: bool,
    no_seeds: bool,
    as_json: bool,
) -> None:
    """Merge/purge the prospect lists of one mailing (RUN.toml, see docs/mergepurge.md).

    The lists in priority order; house-file matches removed (or flagged); every suppression of the channel
    and brand; duplicates to the list of highest priority, one per household. Writes FILE (the net names,
    the list owners' seeds and the database's seeds) and FILE.report.json, and prints the net-name report.
    """
    from workbench.mergepurge import run_mergepurge

    if out is None and not dry_run:
        raise click.UsageError("--out FILE is required (or --dry-run).")
    result = run_mergepurge(get_store(ctx), run_file, out, force=force, dry_run=dry_run, no_seeds=no_seeds)
    if as_json:
        emit_json(result.to_dict())
        return
    print_report(result)
    if dry_run:
        click.echo("dry run: no file written, nothing recorded.", err=True)
        return
    click.echo(
        f"wrote {result.rows:,} rows ({result.rows - result.seeds:,} net names, {result.owner_seeds} of them "
        f"list owners' seeds, + {result.seeds} seeds of the database) to {result.file}",
        err=True,
    )
    if result.seeds_from == "none":
        click.echo(
            "warning: this file carries no seeds of the database (--no-seeds, recorded in the audit log)",
            err=True,
        )
    click.echo(f"report {result.report_file}  run {result.run_id}  sha256 {result.sha256}", err=True)


def print_report(result) -> None:
    import sys

    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from workbench.mergepurge import report_lines

    mp = result.run
    title = (
        f"net-name report: {mp.name} ({mp.channel}{' / ' + mp.brand if mp.brand else ''}, house {mp.house}, "
        f"one per {mp.one_per})"
    )
    table = Table("", box=None, header_style="bold")
    for r in result.lists:
        table.add_column(escape(r.source), justify="right")
    table.add_column("total", justify="right")
    for label, cells in report_lines(result.lists):
        table.add_row(escape(label), *cells, style="bold" if label in ("gross in", "net out") else None)
    console = Console(width=None if sys.stdout.isatty() else 200)
    console.print(escape(title), style="bold", highlight=False)
    console.print(table)


@click.group("prospects")
def prospects() -> None:
    """Prospect lists (rented or bought, kind = "prospects"), merge/purge runs, customers who came from a list."""


@prospects.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def list_(ctx: click.Context, as_json: bool) -> None:
    """Every prospects source: supplier, terms, price, names of the current delivery, uses of it."""
    from workbench.mergepurge import prospect_lists

    with get_store(ctx).connect(read_only=True) as conn:
        found = prospect_lists(conn)
    if as_json:
        emit_json(found)
        return
    for r in found:
        terms = "one-time" if r["one_time"] else "unlimited"
        click.echo(
            f"{r['name']:20} {r['supplier'] or '-':20} {terms:9} expires {r['expires'] or '-':10} "
            f"cpm {r['cpm'] if r['cpm'] is not None else '-':>7} names {r['names'] or 0:>9,} "
            f"seeds {r['seeds'] or 0:>3} uses {r['uses']}"
        )


@prospects.command("runs")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def runs(ctx: click.Context, as_json: bool) -> None:
    """The merge/purge runs, newest first."""
    from workbench.mergepurge import list_runs

    with get_store(ctx).connect(read_only=True) as conn:
        found = list_runs(conn)
    if as_json:
        emit_json(found)
        return
    for r in found:
        click.echo(
            f"{r['run_id']:>4} {r['run_at']:%Y-%m-%d %H:%M} {r['name']:20} {r['channel']:5} "
            f"{r['rows_written']:>9,} rows  seeds {r['seeds']}{' (NO SEEDS)' if r['no_seeds'] else ''}  {r['file']}"
        )


@prospects.command("origins")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def origins(ctx: click.Context, as_json: bool) -> None:
    """Mark the customers who came from a list (they responded to a mailing of it), and count them per list."""
    from workbench.mergepurge import mark_responders, origins_by_list

    with get_store(ctx).transaction() as conn:
        from workbench.ingest.derived import ensure_derived

        ensure_derived(conn)
        marked = mark_responders(conn)
        found = origins_by_list(conn)
    if as_json:
        emit_json({"marked": marked, "by_list": found})
        return
    for r in found:
        click.echo(
            f"{r['source']:20} run {r['run_id']:>4} {r['run'] or '':20} {r['customers']:>8,} customers"
        )
    click.echo(f"{marked:,} new customer(s) given the origin of a list", err=True)


@click.group("seeds")
def seeds() -> None:
    """The database's seed (decoy) list: added to every export and merge/purge file of its channel and brand."""


@seeds.command("import")
@click.argument("toml_file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def seeds_import(ctx: click.Context, toml_file: str, as_json: bool) -> None:
    """Replace the seed list with the [[seeds]] of TOML_FILE."""
    from workbench.export.seeds import import_seeds, parse_seeds_toml

    parsed = parse_seeds_toml(toml_file)
    with get_store(ctx).transaction() as conn:
        counts = import_seeds(conn, parsed)
    if as_json:
        emit_json(counts)
        return
    click.echo(f"{counts['seeds']} seed(s) in the list (replacing {counts['replaced']})", err=True)


@seeds.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def seeds_list(ctx: click.Context, as_json: bool) -> None:
    """The seed list, by channel and brand."""
    from workbench.export.seeds import list_seeds

    with get_store(ctx).connect(read_only=True) as conn:
        found = list_seeds(conn)
    if as_json:
        emit_json(found)
        return
    for r in found:
        where = r["address_line1"] or r["email"] or r["phone"] or ""
        click.echo(f"{r['channel']:6} {r['brand'] or '(every brand)':14} {r['name']:30} {where}")


COMMANDS = [mergepurge, prospects, seeds]
