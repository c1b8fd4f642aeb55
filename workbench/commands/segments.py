"""`workbench segments`: compute (when the data changed) and show the RFM segments."""

from __future__ import annotations

import click

from workbench.cli import emit_json, get_store


@click.command("segments")
@click.option(
    "--rules",
    "rules_path",
    type=click.Path(dir_okay=False),
    help="Segment rules TOML (default: the rules of the last run, else the shipped ones).",
)
@click.option("--brand", help="Show one brand's segments (default: all brands together).")
@click.option("--recompute", is_flag=True, help="Compute again even if the data and rules did not change.")
@click.option("--show", "show_only", is_flag=True, help="Show the stored segments; compute nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the run and the grid as JSON.")
@click.pass_context
def segments(
    ctx: click.Context,
    rules_path: str | None,
    brand: str | None,
    recompute: bool,
    show_only: bool,
    as_json: bool,
) -> None:
    """RFM segments: recency, frequency and monetary quintiles per person (net of returns), overall and per
    brand, named by rules (champions, loyal, new, at risk, cannot lose, hibernating, lost...).

    Prints each segment's persons and value and the recency x frequency grid, with the as-of date of the
    orders used. Exit 1 when nothing was ever computed (--show) or the brand has no scores."""
    from workbench.errors import RefusedError
    from workbench.segments import compute_rfm, read_rules, rfm_summary

    store = get_store(ctx)
    run_info = None
    if show_only:
        with store.connect(read_only=True) as conn:
            summary = rfm_summary(conn, brand)
    else:
        rules = read_rules(rules_path) if rules_path else None
        with store.transaction() as conn:
            run_info = compute_rfm(conn, rules, force=recompute)
            summary = rfm_summary(conn, brand)
    if summary is None:
        raise RefusedError(
            "No RFM segments yet.", "Run `workbench segments` (without --show) to compute them."
        )
    if brand and not summary["persons"]:
        raise RefusedError(
            f"No RFM scores for brand {brand!r}.",
            "Brands with scores: " + (", ".join(summary["brands"]) or "none") + ".",
        )
    if as_json:
        emit_json({"run": run_info.to_dict() if run_info else None, **summary})
        return
    click.echo(render_summary(summary, run_info))


def render_summary(summary, run_info=None) -> str:
    from workbench.segments import grid_matrix

    head = (
        f"RFM segments, {summary['brand'] or 'all brands'}: {summary['persons']:,} persons with orders, "
        f"orders as of {summary['as_of']}, lookback {summary['lookback_days']} days "
        f"(run {summary['run_id']}, computed {summary['computed_at']:%Y-%m-%d %H:%M}"
        + (", just now" if run_info and run_info.computed else "")
        + ")"
    )
    lines = [head]
    if summary["stale"]:
        lines.append("  warning: the orders changed since this run; run `workbench segments` to recompute.")
    lines.append("")
    lines.append(
        f"{'segment':<18}{'persons':>9}{'share':>8}{'value':>14}{'of value':>10}{'avg value':>11}"
        f"{'avg orders':>12}{'avg days':>10}"
    )
    for s in summary["segments"]:
        lines.append(
            f"{s['segment']:<18}{s['persons']:>9,}{s['share']:>8.1%}{float(s['monetary']):>14,.2f}"
            f"{(s['value_share'] or 0):>10.1%}{float(s['avg_monetary']):>11,.2f}{s['avg_orders']:>12.1f}"
            f"{s['avg_recency_days']:>10.0f}"
        )
    lines += [
        "",
        "persons by recency score (rows, 5 = most recent) x frequency score (columns, 5 = most orders)",
        "       " + "".join(f"{'F' + str(f):>8}" for f in range(1, 6)),
    ]
    for r, row in zip(range(5, 0, -1), grid_matrix(summary), strict=True):
        lines.append(f"  R{r}   " + "".join(f"{v:>8,}" for v in row))
    return "\n".join(lines)


COMMANDS = [segments]
