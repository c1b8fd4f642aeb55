"""`workbench report`."""

from __future__ import annotations

import click

from workbench.cli import emit_json, get_store


@click.command("report")
@click.option("--out", "out", type=click.Path(dir_okay=False), help="File to write (.html or .md).")
@click.option("--format", "fmt", type=click.Choice(["html", "md"]), help="Default: from the file name, else html.")
@click.option("--period", help="2026-Q3, 2026-H1, 2026-11 or 2026 (default: this quarter to date).")
@click.option("--force", is_flag=True, help="Replace the --out file when it exists.")
@click.option("--json", "as_json", is_flag=True, help="Print the profile's figures as JSON instead.")
@click.pass_context
def report(ctx: click.Context, out: str | None, fmt: str | None, period: str | None, force: bool,
           as_json: bool) -> None:
    """The database profile for the rest of the company: customers, revenue, new customers against last year,
    the best customers, anonymous share, suppressions, freshness and recent campaigns."""
    store = get_store(ctx)
    if out and not as_json:
        from workbench.export.writer import check_target

        check_target(out, force=force, database=store.path)  # before any work
    if as_json or not out:
        from workbench.ingest.derived import ensure_derived
        from workbench.report import build_profile, to_markdown

        with store.transaction() as conn:
            ensure_derived(conn)
            profile = build_profile(conn, period)
        if as_json:
            emit_json(profile)
        else:
            click.echo(to_markdown(profile))
        return
    from workbench.report import write_report

    result = write_report(store, out, fmt, period, force=force)
    click.echo(f"wrote {result['out']} ({result['format']}, {result['bytes']:,} bytes, period "
               f"{result['period']['label']})", err=True)


COMMANDS = [report]
