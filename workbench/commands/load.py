"""`workbench load`, `workbench loads`, `workbench rejects`."""

from __future__ import annotations

import sys

import click

from workbench.cli import emit_json, get_store


@click.command("load")
@click.argument("source")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print one JSON summary per file.")
@click.option("--force", is_flag=True, help="Load even when the same content was loaded before.")
@click.option("--allow-shrink", is_flag=True,
              help="Let a full load of a suppression source remove more than its max_shrink share (default 10%) "
                   "of the entries.")
@click.pass_context
def load(ctx: click.Context, source: str, files: tuple[str, ...], as_json: bool, force: bool,
         allow_shrink: bool) -> None:
    """Load extract FILES of SOURCE (each file is one transaction)."""
    from workbench.ingest.load import load_file

    store = get_store(ctx)
    results = []
    show = not as_json and sys.stderr.isatty()
    for f in files:
        if show:
            from rich.progress import Progress

            with Progress(transient=True) as bar:
                task = bar.add_task(f"loading {f}", total=1.0)
                def step(message: str, fraction: float, task=task, name=f) -> None:
                    bar.update(task, completed=fraction, description=f"{name}: {message}")

                result = load_file(store, source, f, progress=step, force=force, allow_shrink=allow_shrink)
        else:
            result = load_file(store, source, f, force=force, allow_shrink=allow_shrink)
        results.append(result)
        if not as_json:
            _print_summary(result)
    if as_json:
        emit_json([r.to_dict() for r in results] if len(results) > 1 else results[0].to_dict())


def _print_summary(r) -> None:
    if r.status == "unchanged":
        click.echo(r.message)
        return
    click.echo(f"{r.file} -> {r.source} (load {r.load_id}): {r.rows_loaded:,} loaded, {r.rows_rejected:,} "
               f"rejected, {r.rows_inserted:,} new, {r.rows_updated:,} changed, {r.rows_removed:,} removed "
               f"[{r.encoding}, {r.duration_s:.2f} s]")
    if r.as_of_max:
        click.echo(f"  as-of {r.as_of_min:%Y-%m-%d %H:%M} .. {r.as_of_max:%Y-%m-%d %H:%M}")
    for reason, n in r.top_reasons:
        click.echo(f"  rejected {n:>8,}  {reason}")
    if r.rows_rejected:
        click.echo(f"  see them with: workbench rejects {r.load_id}")


@click.command("loads")
@click.option("--source", help="Only this source.")
@click.option("--limit", default=30, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def loads(ctx: click.Context, source: str | None, limit: int, as_json: bool) -> None:
    """The load log: every extract loaded, newest first."""
    from workbench.ingest.log import load_log

    with get_store(ctx).connect(read_only=True) as conn:
        found = load_log(conn, source=source, limit=limit)
    if as_json:
        emit_json(found)
        return
    from rich.table import Table

    t = Table("load", "source", "file", "finished", "rows", "rejected", "as-of max", "s", box=None,
              header_style="bold")
    for r in found:
        t.add_row(str(r["load_id"]), r["source"], r["file"].rsplit("/", 1)[-1], f"{r['finished_at']:%Y-%m-%d %H:%M}",
                  f"{r['rows_loaded']:,}", f"{r['rows_rejected']:,}",
                  f"{r['as_of_max']:%Y-%m-%d %H:%M}" if r["as_of_max"] else "-", f"{r['duration_s']:.2f}")
    _console().print(t)


@click.command("rejects")
@click.argument("load_id", type=int)
@click.option("--limit", default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def rejects(ctx: click.Context, load_id: int, limit: int, as_json: bool) -> None:
    """The rows of load LOAD_ID that were rejected, with line and reason."""
    from workbench.ingest.log import load_rejects

    with get_store(ctx).connect(read_only=True) as conn:
        found, total = load_rejects(conn, load_id, limit=limit)
    if as_json:
        emit_json({"load_id": load_id, "total": total, "rejects": found})
        return
    for r in found:
        click.echo(f"line {r['line'] if r['line'] is not None else '?':>8}  {r['reason']}")
        click.echo(f"               {(r['raw'] or '')[:160]!r}")
    click.echo(f"{len(found)} of {total:,} rejects of load {load_id}", err=True)


COMMANDS = [load, loads, rejects]


def _console():
    """A rich console that does not squeeze tables when stdout is not a terminal (pipes, cron mail)."""
    import sys

    from rich.console import Console

    return Console(width=None if sys.stdout.isatty() else 200)
