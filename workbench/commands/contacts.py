"""`workbench rules`, `triggers`, `campaigns`, `results`, `responses`, `person`: contact strategy.

Exit codes: 0 done; 1 a listed trigger is stale (its sources are too old or too slow for it: the
list is printed, but a scheduled job should not act on it unnoticed); 2 error (bad TOML, unknown name).
"""

from __future__ import annotations

import sys
from typing import Any

import click

from workbench.cli import emit_json, get_store


def _console():
    from rich.console import Console

    return Console(width=None if sys.stdout.isatty() else 200)


def _table(*headers: str):
    from rich.table import Table

    return Table(*headers, box=None, header_style="bold")


def _esc(value: Any) -> str:
    from rich.markup import escape

    return "-" if value is None else escape(str(value))


def _pct(v: float | None, digits: int = 1) -> str:
    return "-" if v is None else f"{v * 100:.{digits}f}%"


class _DefaultCommandGroup(click.Group):
    """A group whose first argument, when it is not one of its commands, goes to ``default_command``:
    ``workbench triggers lapsing`` runs ``triggers show lapsing``; ``triggers import F`` imports."""

    default_command = "show"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("-h", "--help")):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


# -- rules -------------------------------------------------------------------------------------------
@click.group("rules")
def rules() -> None:
    """Pressure and capacity rules (applied as steps of every selection's waterfall)."""


@rules.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.pass_context
def rules_import(ctx: click.Context, path: str) -> None:
    """Add or replace the rules defined in a TOML file ([rules.NAME] tables)."""
    from workbench.contacts.rules import parse_rules_toml, save_rules

    found = parse_rules_toml(path)
    with get_store(ctx).transaction() as conn:
        result = save_rules(conn, found)
    for rule in found:
        click.echo(f"{result[rule.name]}: {rule.name}: {rule.summary()}")


@rules.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--toml", "as_toml", is_flag=True, help="Print the rules as the TOML that defines them.")
@click.pass_context
def rules_list(ctx: click.Context, as_json: bool, as_toml: bool) -> None:
    """The rules, in the order of their waterfall steps."""
    from workbench.contacts.rules import list_rules, rule_as_toml

    with get_store(ctx).connect(read_only=True) as conn:
        found = list_rules(conn)
    if as_json:
        return emit_json([{**r.to_dict(), "summary": r.summary()} for r in found])
    if as_toml:
        return click.echo("\n\n".join(rule_as_toml(r) for r in found))
    if not found:
        return click.echo("No rules yet: add them with `workbench rules import FILE.toml`.")
    t = _table("rule", "kind", "what it allows", "on")
    for r in found:
        t.add_row(_esc(r.name), r.kind, _esc(r.summary()), "yes" if r.enabled else "[dim]off[/]")
    _console().print(t)


@rules.command("enable")
@click.argument("name")
@click.option("--off", is_flag=True, help="Disable the rule instead.")
@click.pass_context
def rules_enable(ctx: click.Context, name: str, off: bool) -> None:
    """Switch a rule on (or off with --off) without deleting it."""
    from workbench.contacts.rules import set_rule_enabled

    with get_store(ctx).transaction() as conn:
        set_rule_enabled(conn, name, not off)
    click.echo(f"{name}: {'off' if off else 'on'}")


# -- triggers ----------------------------------------------------------------------------------------
@click.group("triggers", cls=_DefaultCommandGroup)
def triggers() -> None:
    """Triggers: `workbench triggers [NAME] [--json]` lists who fires now; `triggers import FILE.toml`."""


@triggers.command("show")
@click.argument("name", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--limit", type=click.IntRange(0), default=None,
              help="Persons to list for NAME (default: 50 on screen, all in JSON).")
@click.pass_context
def triggers_show(ctx: click.Context, name: str | None, as_json: bool, limit: int | None) -> None:
    """Every trigger with the persons it fires for now, or (NAME) the persons one trigger fires for."""
    from workbench import clock
    from workbench.contacts.trigger_sql import evaluate_triggers, fired_persons

    with get_store(ctx).connect(read_only=True) as conn:
        statuses = evaluate_triggers(conn, [name] if name else None)
        persons, total = (fired_persons(conn, name, limit=limit if limit is not None else (
            10**9 if as_json else 50)) if name else ([], None))
    stale = any(s.status == "stale" for s in statuses)
    if as_json:
        emit_json({"now": clock.now().isoformat(), "triggers": [s.to_dict() for s in statuses],
                   **({"trigger": name, "total": total, "persons": persons} if name else {})})
        sys.exit(1 if stale else 0)
    console = _console()
    if not statuses:
        return click.echo("No triggers yet: add them with `workbench triggers import FILE.toml`.")
    t = _table("trigger", "fires for", "status", "definition")
    for s in statuses:
        style = {"ok": "green", "warn": "yellow", "stale": "bold red"}[s.status]
        t.add_row(_esc(s.name), f"{s.persons:,}", f"[{style}]{s.status}[/]", _esc(s.definition))
    console.print(t)
    for s in statuses:
        for reason in s.reasons:
            click.echo(f"{s.name}: {s.status}: {reason}", err=True)
    if name:
        shown = _table("person", "name", "city", *[k for k in (persons[0] if persons else {})
                                                   if k not in ("person_id", "first_name", "last_name", "city",
                                                                "state", "email")])
        for p in persons:
            extra = [k for k in p if k not in ("person_id", "first_name", "last_name", "city", "state", "email")]
            shown.add_row(str(p["person_id"]), _esc(f"{p['first_name'] or ''} {p['last_name'] or ''}".strip()),
                          _esc(p["city"]), *[_esc(round(p[k], 3) if isinstance(p[k], float) else p[k]) for k in extra])
        console.print(shown)
        console.print(f"{len(persons):,} of {total:,} persons (at {clock.now():%Y-%m-%d %H:%M})")
    sys.exit(1 if stale else 0)


@triggers.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.pass_context
def triggers_import(ctx: click.Context, path: str) -> None:
    """Add or replace the triggers defined in a TOML file ([triggers.NAME] tables)."""
    from workbench.contacts.triggers import parse_triggers_toml, save_triggers

    found = parse_triggers_toml(path)
    with get_store(ctx).transaction() as conn:
        result = save_triggers(conn, found)
    for t in found:
        click.echo(f"{result[t.name]}: {t.name}: {t.summary()}")


# -- campaigns and results ---------------------------------------------------------------------------
def _linked_store(ctx: click.Context):
    """The store, after loaded contacts known by email were linked to their people records."""
    from workbench.contacts.history import ensure_contact_links

    store = get_store(ctx)
    with store.transaction() as conn:
        ensure_contact_links(conn)
    return store


@click.command("campaigns")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def campaigns(ctx: click.Context, as_json: bool) -> None:
    """Campaigns in the contact history: brand, channel, date, cells, contacted and held out."""
    from workbench.contacts.history import list_campaigns

    with _linked_store(ctx).connect(read_only=True) as conn:
        found = list_campaigns(conn)
    if as_json:
        return emit_json(found)
    if not found:
        return click.echo("No contact history yet (exports write it; contacts sources load it).")
    t = _table("campaign", "brand", "channel", "date", "cells", "contacted", "held out", "from")
    for c in found:
        t.add_row(_esc(c["campaign"]), _esc(c["brand"]), _esc(c["channel"]), f"{c['first_contact']}",
                  str(c["cells"]), f"{c['contacted']:,}", f"{c['held_out']:,}", ", ".join(c["origins"]))
    _console().print(t)


@click.command("results")
@click.argument("campaign")
@click.option("--window", "window_days", type=click.IntRange(1, 3650), default=30, show_default=True,
              help="Days after the contact date an order counts as a response (matchback).")
@click.option("--any-brand", is_flag=True, help="Count orders of every brand, not only the campaign's.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def results(ctx: click.Context, campaign: str, window_days: int, any_brand: bool, as_json: bool) -> None:
    """Responses per cell, response rate, revenue per person, and lift over the control (95% CI)."""
    from workbench.contacts.results import campaign_results

    with _linked_store(ctx).connect(read_only=True) as conn:
        r = campaign_results(conn, campaign, window_days, same_brand=not any_brand)
    if as_json:
        return emit_json(r)
    console = _console()
    console.print(f"[bold]{_esc(r['campaign'])}[/]  {_esc(r['brand'])} {_esc(r['channel'])}, contacted "
                  f"{r['first_contact']}; responses within {window_days} days"
                  + (f" (orders of {_esc(r['orders_of_brand'])})" if r["orders_of_brand"] else ""))
    t = _table("cell", "keycode", "contacted", "responders", "rate", "revenue", "per person", "lift",
               "95% interval")
    for c in r["cells"]:
        interval = "-" if c["lift"] is None else f"{_pct(c['lift_low'], 2)} to {_pct(c['lift_high'], 2)}"
        lift = "control" if c["is_control"] else _pct(c["lift"], 2) + (" *" if c["significant"] else "")
        t.add_row(_esc(c["cell"]), _esc(c["keycode"]), f"{c['contacted']:,}", f"{c['responders']:,}",
                  _pct(c["response_rate"], 2), f"{c['revenue']:,.2f}",
                  "-" if c["revenue_per_person"] is None else f"{c['revenue_per_person']:,.2f}", lift, interval)
    console.print(t)
    if not any(c["is_control"] for c in r["cells"]):
        console.print("No control cell: lift cannot be measured.")
    elif any(c["significant"] for c in r["cells"]):
        console.print("* the 95% interval excludes 0 (difference of proportions, normal approximation).")
    else:
        console.print("No cell's lift is significant at 95% (its interval includes 0).")
    if r["window_open"]:
        console.print(f"The response window is still open (until {r['window_ends']}): the figures will grow.")
    if r["keyed_outside_list"]:
        console.print(f"{r['keyed_outside_list']:,} keyed responses from persons not in the campaign.")
    if r["unlinked_contacts"]:
        console.print(f"{r['unlinked_contacts']:,} contact rows name nobody on file (not counted).")


@click.group("responses")
def responses() -> None:
    """Response files carrying keycodes."""


@responses.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--people-source", default=None, help="The people source whose keys the file's source_key holds.")
@click.pass_context
def responses_import(ctx: click.Context, path: str, people_source: str | None) -> None:
    """Import a CSV of responses: keycode, response_date, person_id|source_key|email[, amount, order_id]."""
    from workbench.contacts.responses import import_responses

    r = import_responses(get_store(ctx), path, people_source)
    click.echo(f"{r['file']}: {r['rows_loaded']:,} responses loaded, {r['rows_rejected']:,} rejected, "
               f"{r['respondents_found']:,} respondents found on file")


@click.command("person")
@click.argument("person_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def person(ctx: click.Context, person_id: int, as_json: bool) -> None:
    """The customer view of one person: golden record and its sources, records, household, orders,
    contacts, suppressions, triggers, merge decisions."""
    from workbench.contacts.customer import customer_view
    from workbench.contacts.customer_text import customer_sections, title_line

    with _linked_store(ctx).connect(read_only=True) as conn:
        view = customer_view(conn, person_id)
    if as_json:
        return emit_json(view)
    console = _console()
    console.print(f"[bold]{_esc(title_line(view))}[/]")
    for section in customer_sections(view):
        console.print(f"\n[bold]{_esc(section.title)}[/]")
        if not section.rows:
            console.print(f"  {_esc(section.empty)}")
            continue
        t = _table(*section.headers)
        for row in section.rows:
            t.add_row(*map(_esc, row))
        console.print(t)


COMMANDS = [rules, triggers, campaigns, results, responses, person]
