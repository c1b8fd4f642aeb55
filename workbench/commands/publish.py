"""`workbench publish SEGMENTS.toml` and `workbench publishes`."""

from __future__ import annotations

import click

from workbench.cli import emit_json, get_store


@click.command("publish")
@click.argument("definition", type=click.Path(dir_okay=False))
@click.option(
    "--delta", "mode", flag_value="delta", help="Only keys whose values changed since the last publish."
)
@click.option("--full", "mode", flag_value="full", help="Every key (default: the definition's mode).")
@click.option("--force", is_flag=True, help="Overwrite files that exist already.")
@click.option(
    "--allow-stale",
    is_flag=True,
    help="Publish even from a stale source or an old churn model "
    "(recorded in the manifest and the audit log).",
)
@click.option("--dry-run", is_flag=True, help="Count what would be written; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def publish(
    ctx: click.Context,
    definition: str,
    mode: str | None,
    force: bool,
    allow_stale: bool,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Give the segments back to operations: for each system in DEFINITION, a file keyed by that system's own
    customer key with the segment, RFM scores, churn score and treatment, plus a manifest.

    Exit codes as exports: 0 written; 1 refused (a stale source, an old churn model); 2 bad input (a bad
    definition, an unknown source or segment, a file that exists without --force)."""
    from workbench.segments.publish import run_publish
    from workbench.segments.publish_def import read_publish

    result = run_publish(get_store(ctx), read_publish(definition), mode, force, allow_stale, dry_run)
    if as_json:
        return emit_json(result.to_dict())
    verb = "would write" if dry_run else "wrote"
    for s in result.systems:
        changes = ", ".join(f"{k} {v:,}" for k, v in sorted(s.changes.items())) or "no rows"
        click.echo(
            f"{s.source}: {verb} {s.rows:,} rows ({changes}) of {s.keys:,} keys"
            + ("" if dry_run else f" to {s.file}")
        )
    click.echo(
        f"publish {result.name!r} ({result.mode}): segments as of {result.rfm_as_of}"
        + (f", churn model {result.churn_model_id}" if result.churn_model_id else ", no churn scores"),
        err=True,
    )
    for problem in result.allowed_stale:
        click.echo(f"warning: published anyway over stale {problem}", err=True)


@click.command("publishes")
@click.option("--name", help="Only this publish name.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def publishes(ctx: click.Context, name: str | None, as_json: bool) -> None:
    """The history of published segment files."""
    from workbench.segments.publish import publish_history

    with get_store(ctx).connect(read_only=True) as conn:
        found = publish_history(conn, name)
    if as_json:
        return emit_json(found)
    if not found:
        click.echo("nothing published yet", err=True)
    for p in found:
        click.echo(
            f"{p['publish_id']:>4}  {p['published_at']:%Y-%m-%d %H:%M}  {p['name']}  {p['source']}  {p['mode']}"
            f"  {p['rows_written']:,} rows  {p['file']}"
        )


COMMANDS = [publish, publishes]
