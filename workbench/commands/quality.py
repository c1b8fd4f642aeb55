"""`workbench quality [--json]`, `workbench quality sample [--persons N] ...`, `workbench quality answer ITEM X`."""

from __future__ import annotations

import click

from workbench.cli import emit_json, get_store

MEASURE_LABEL = {
    "precision": "precision",
    "recall": "recall",
    "recall_capture": "recall (capture-recapture)",
    "recall_near_miss": "recall (near misses only)",
    "duplicate_rate": "duplicate rate",
}


@click.group("quality", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the estimates as JSON.")
@click.pass_context
def quality(ctx: click.Context, as_json: bool) -> None:
    """How right persons, households and suppressions are: estimates from the last reviewed sample.

    Prints each estimate with its 95% interval, the sample size behind it and its age (days and loads since
    the sample was drawn), and whether an export would pass the accuracy gate (docs/quality.md)."""
    if ctx.invoked_subcommand is not None:
        return
    from workbench.quality import check_export

    with get_store(ctx).connect(read_only=True) as conn:
        gate = check_export(conn)
    summary = gate.summary
    if as_json:
        emit_json(
            {**summary, "gate": {"blocked": gate.blocked, "problems": gate.problems, "notes": gate.notes}}
        )
        return
    if summary["sample_id"] is None:
        click.echo(
            "Not measured yet: `workbench quality sample` draws a sample to review on the Quality screen."
        )
    else:
        click.echo(
            f"sample {summary['sample_id']}: drawn {summary['drawn_at']:%Y-%m-%d %H:%M}, "
            f"{summary['age_days']:g} days and {summary['age_loads']} loads ago; "
            f"{summary['answered']:,} of {summary['items']:,} items answered"
        )
        for key, e in summary["estimates"].items():
            area, measure = key.split(".", 1)
            if e["estimate"] is None:
                click.echo(f"  {area:<13} {MEASURE_LABEL.get(measure, measure):<28} not measured")
                continue
            interval = f"  95% {e['low']:.3f}-{e['high']:.3f}" if e["low"] is not None else ""
            click.echo(
                f"  {area:<13} {MEASURE_LABEL.get(measure, measure):<28} {e['estimate']:.3f}{interval}"
                f"  (n={e['answered']:,} of {e['population']:,})"
            )
    for p in gate.problems:
        click.echo(f"gate: an export would refuse: {p}", err=True)
    for n in gate.notes:
        click.echo(f"note: {n}", err=True)


@quality.command("sample")
@click.option("--persons", default=200, show_default=True, help="Merged person pairs to draw.")
@click.option("--near-misses", default=100, show_default=True, help="Scored pairs left apart (for recall).")
@click.option("--households", default=100, show_default=True, help="Household pairs to draw.")
@click.option("--suppressions", default=100, show_default=True, help="Suppression hits to draw.")
@click.option(
    "--seed", default=1, show_default=True, help="The same seed on the same data draws the same sample."
)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def sample(
    ctx: click.Context,
    persons: int,
    near_misses: int,
    households: int,
    suppressions: int,
    seed: int,
    as_json: bool,
) -> None:
    """Draw a stratified random sample and queue it for review on the Quality screen (key 9)."""
    from workbench.audit import actor_name
    from workbench.quality import draw_sample

    for name, value in (
        ("--persons", persons),
        ("--near-misses", near_misses),
        ("--households", households),
        ("--suppressions", suppressions),
    ):
        if value < 0:
            raise click.BadParameter(f"{name} must be 0 or more.")
    result = draw_sample(
        get_store(ctx),
        {
            "persons": persons,
            "near_miss": near_misses,
            "households": households,
            "suppressions": suppressions,
        },
        seed=seed,
        by=actor_name(),
    )
    if as_json:
        emit_json(result.to_dict())
        return
    for area, n in result.drawn.items():
        click.echo(f"{area:<13} {n:>5,} drawn of {result.population[area]:,} in {result.strata[area]} strata")
    click.echo(
        f"sample {result.sample_id} queued for review (seed {seed}): the Quality screen, or "
        "`workbench quality answer ITEM same|different|skip`.",
        err=True,
    )


@quality.command("answer")
@click.argument("item_id", type=int)
@click.argument("given", type=click.Choice(["same", "different", "skip"]))
@click.pass_context
def answer(ctx: click.Context, item_id: int, given: str) -> None:
    """Answer one sample item (an ordinary, audited review decision) and recompute the estimates."""
    from workbench.audit import actor_name
    from workbench.quality import answer_item

    done = answer_item(get_store(ctx), item_id, given, by=actor_name())
    click.echo(f"item {item_id}: {given}" + (f" ({done['note']})" if done["note"] else ""))


COMMANDS = [quality]
