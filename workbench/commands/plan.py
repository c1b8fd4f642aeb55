"""`workbench plan`: one contact plan across brands and channels for a period."""

from __future__ import annotations

import click

from workbench.cli import emit_json, get_store


@click.command("plan")
@click.argument("period_file", required=False, type=click.Path(dir_okay=False))
@click.option("--calendar", "calendar_of", metavar="PLAN", help="Show a kept plan's calendar; plan nothing.")
@click.option("--list", "list_only", is_flag=True, help="List the kept plans; plan nothing.")
@click.option("--drop", "drop_name", metavar="PLAN", help="Forget a kept plan and its planned contacts.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def plan(
    ctx: click.Context,
    period_file: str | None,
    calendar_of: str | None,
    list_only: bool,
    drop_name: str | None,
    as_json: bool,
) -> None:
    """Plan a period's selections of several brands and channels together (PERIOD.toml).

    The selections are counted in priority order (or by expected value), the pressure and capacity rules
    applied across all of them, and each person gets only the contacts the rules allow. Each waterfall
    shows the persons "taken by a higher-priority contact" and by which selection. The plan is kept:
    exports of its selections follow it, and an export outside it counts its contacts as made.
    Exit 0 planned; 1 refused (a selection already in another plan); 2 bad input."""
    from workbench.errors import ConfigError, NotFoundError
    from workbench.plan import build_plan, drop_plan, list_plans, parse_plan_toml, plan_calendar

    chosen = [x for x in (period_file, calendar_of, list_only or None, drop_name) if x]
    if len(chosen) != 1:
        raise ConfigError(
            "Give one of: PERIOD.toml, --calendar PLAN, --list, --drop PLAN.",
            "e.g. workbench plan december.toml",
        )
    store = get_store(ctx)
    if list_only:
        with store.transaction() as conn:
            found = list_plans(conn)
        if as_json:
            emit_json(found)
            return
        for p in found:
            click.echo(
                f"{p['plan']}: {p['period_start']} to {p['period_end']}, {p['selections']} selection(s), "
                f"{p['planned_contacts']:,} planned contacts not yet exported (by {p['order_by']})"
            )
        if not found:
            click.echo("no kept plans", err=True)
        return
    if drop_name or calendar_of:
        name = drop_name or calendar_of
        with store.transaction() as conn:
            if not [p for p in list_plans(conn) if p["plan"] == name]:
                raise NotFoundError(
                    f"No contact plan {name!r}.", "workbench plan --list shows the kept plans."
                )
            if drop_name:
                n = drop_plan(conn, name)
                click.echo(f"dropped plan {name} ({n:,} planned contacts)", err=True)
                return
            cal = plan_calendar(conn, name)
        if as_json:
            emit_json(cal)
        else:
            _print_calendar(cal)
        return
    definition = parse_plan_toml(period_file)
    result = build_plan(store, definition)
    if as_json:
        emit_json(result.to_dict())
        return
    _print_result(result)


def _print_result(result) -> None:
    import sys

    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(width=None if sys.stdout.isatty() else 200)
    table = Table(title=f"plan {result.plan}: {result.start} to {result.end} (by {result.order})")
    for col in ("#", "selection", "brand", "channel", "date", "gross", "taken by higher", "planned", "EV"):
        table.add_column(
            col, justify="right" if col in ("#", "gross", "taken by higher", "planned", "EV") else "left"
        )
    for s in result.selections:
        table.add_row(
            str(s.position),
            escape(s.selection),
            escape(s.brand or "-"),
            s.channel,
            str(s.contact_date),
            f"{s.gross:,}",
            f"{s.taken_by_higher:,}",
            f"{s.planned:,}",
            "-" if s.expected_value is None else f"{s.expected_value:,.2f}",
        )
    console.print(table)
    for s in result.selections:
        for step in s.waterfall.steps:
            if step.step == "plan" and step.removed:
                console.print(
                    f"{escape(s.selection)}: {step.removed:,} {escape(step.label)}", highlight=False
                )
    console.print(
        f"{result.planned:,} contacts planned in {result.seconds:.2f} s; kept (exports follow the plan)",
        highlight=False,
    )


def _print_calendar(cal) -> None:
    click.echo(f"plan {cal['plan']}: contacts planned per week, brand and channel; persons at their limit")
    for w in cal["weeks"]:
        parts = ", ".join(
            f"{c['brand'] or 'no brand'} {c['channel']} {c['contacts']:,}" for c in w["contacts"]
        )
        click.echo(f"  week of {w['week']}: {parts}; {w['total']:,} in all; {w['at_limit']:,} at their limit")
    if cal["rules"]:
        click.echo("limits: " + "; ".join(cal["rules"]))


COMMANDS = [plan]
