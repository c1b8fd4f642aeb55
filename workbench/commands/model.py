"""`workbench model churn train|show|score`."""

from __future__ import annotations

import click

from workbench.cli import emit_json, get_store


@click.group("model")
def model() -> None:
    """Models trained on the database's own history (the churn score)."""


@model.group("churn")
def churn() -> None:
    """The churn score: the probability that a person who bought in the last year buys nothing in the next
    N days (default 180). See docs/segments.md."""


@churn.command("train")
@click.option(
    "--horizon",
    "horizon",
    type=int,
    help="N: lapsed = no order in the N days after the cut-off (remembered for the brand; default: the "
    "brand's N, else 180).",
)
@click.option("--brand", help="Label and population by one brand's orders (default: every brand together).")
@click.option("--all-brands", is_flag=True, help="Train the all-brands model and one model per brand.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def train(
    ctx: click.Context, horizon: int | None, brand: str | None, all_brands: bool, as_json: bool
) -> None:
    """Back-test on a time split (train up to T - 2N, score as of T - N, compare with what happened by T),
    then fit on T - N and store the model, its features and evaluation in the database."""
    from workbench.errors import WorkbenchError
    from workbench.model import train_all_brands, train_churn

    if all_brands and brand:
        raise WorkbenchError("Give --brand or --all-brands, not both.")
    skipped: list[dict[str, str]] = []
    with get_store(ctx).transaction() as conn:
        if all_brands:
            results, skipped = train_all_brands(conn, horizon)
        else:
            results = [train_churn(conn, horizon, brand)]
    if as_json:
        if all_brands:
            return emit_json({"models": [r.to_dict() for r in results], "skipped": skipped})
        return emit_json(results[0].to_dict())
    for n, result in enumerate(results):
        if n:
            click.echo("")
        click.echo(
            f"churn model {result.model_id}: data as of {result.as_of}, horizon {result.horizon_days} days"
            + (f", brand {result.brand}" if result.brand else ", every brand")
        )
        click.echo(
            render_evaluation(result.evaluation, result.train_cutoff, result.eval_cutoff, result.as_of)
        )
        if result.stale_sources:
            click.echo(
                f"warning: trained while {', '.join(result.stale_sources)} was stale: scoring will refuse this "
                "model without --allow-stale.",
                err=True,
            )
    for s in skipped:
        click.echo(f"brand {s['brand']}: no model: {s['reason']}", err=True)


@churn.command("show")
@click.option("--brand", help="The brand's model (default: the latest model of any brand).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def show(ctx: click.Context, brand: str | None, as_json: bool) -> None:
    """The latest model: its features, evaluation and as-of; the scores' deciles."""
    from workbench.errors import RefusedError
    from workbench.model import churn_deciles, latest_model

    with get_store(ctx).connect(read_only=True) as conn:
        m = latest_model(conn, brand=brand)
        deciles = churn_deciles(conn, m["brand"] or "") if m else []
    if m is None:
        raise RefusedError(
            f"No churn model for brand {brand!r} yet." if brand else "No churn model yet.",
            f"Train one: `workbench model churn train{' --brand ' + brand if brand else ''}`.",
        )
    if as_json:
        return emit_json({"model": m, "score_deciles": deciles})
    click.echo(
        f"churn model {m['model_id']}: trained {m['trained_at']:%Y-%m-%d %H:%M} with {m['library']}, "
        f"data as of {m['as_of']}, horizon {m['horizon_days']} days"
        + (f", brand {m['settings']['brand']}" if m["settings"].get("brand") else "")
    )
    click.echo("features: " + ", ".join(m["settings"]["feature_labels"].get(f, f) for f in m["features"]))
    click.echo(render_evaluation(m["evaluation"], m["train_cutoff"], m["eval_cutoff"], m["as_of"]))
    if deciles:
        click.echo("\nscored persons by decile (10 = most likely to lapse)")
        for d in deciles:
            click.echo(
                f"  {d['decile']:>2}  {d['persons']:>8,}  scores {d['min_score']:.3f}-{d['max_score']:.3f}"
            )


@churn.command("score")
@click.option("--allow-stale", is_flag=True, help="Score even with an old model or a stale source (audited).")
@click.option(
    "--max-age-days",
    type=int,
    help="Refuse a model older than this (default: setting churn.max_age_days, else 35).",
)
@click.option("--brand", help="Only this brand's model (default: every brand that has a model).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def score(
    ctx: click.Context, allow_stale: bool, max_age_days: int | None, brand: str | None, as_json: bool
) -> None:
    """Score every person who bought in the last year with the latest model of each brand (churn_score,
    churn_decile). Exit 1 when refused (no model, a model too old, a stale source)."""
    from workbench.model import score_churn

    with get_store(ctx).transaction() as conn:
        summary = score_churn(conn, allow_stale, max_age_days, brand)
    if as_json:
        return emit_json(summary)
    for m in summary["models"]:
        click.echo(
            f"scored {m['persons']:,} persons with model {m['model_id']} "
            f"({'brand ' + m['brand'] if m['brand'] else 'every brand'}; data as of {m['as_of']}); "
            f"mean score {m['mean_score'] or 0:.3f}"
        )
        for problem in m["allowed_stale"]:
            click.echo(f"warning: scored anyway: {problem}", err=True)


def render_evaluation(ev, train_cutoff, eval_cutoff, as_of) -> str:
    auc = f"{ev['auc']:.3f}" if ev.get("auc") is not None else "-"
    lift = f"{ev['top_decile_lift']:.2f}" if ev.get("top_decile_lift") is not None else "-"
    lines = [
        f"back-test: trained on features as of {train_cutoff} ({ev.get('train_persons', 0):,} persons), "
        f"scored as of {eval_cutoff}, compared with what happened by {as_of}",
        f"  persons {ev['persons']:,}, lapse rate {ev['lapse_rate']:.1%}, AUC {auc}, top-decile lift {lift}",
        "  calibration (deciles of the score): decile, persons, predicted, observed",
    ]
    for c in ev["calibration"]:
        lines.append(
            f"    {c['decile']:>2} {c['persons']:>8,}  {c['predicted'] or 0:>6.1%}  {c['observed'] or 0:>6.1%}"
        )
    return "\n".join(lines)


COMMANDS = [model]
