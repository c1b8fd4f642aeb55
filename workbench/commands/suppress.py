"""`workbench suppressions [--json]`, `suppressions add ...`, `suppressions check ...`, `suppressions manual`,
`suppressions remove ID`."""

from __future__ import annotations

import click

from workbench.cli import emit_json, get_store


@click.group("suppressions", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def suppressions(ctx: click.Context, as_json: bool) -> None:
    """Who must not be contacted: each suppression with its channel, scope, rule and persons removed."""
    if ctx.invoked_subcommand is not None:
        return
    from workbench.suppress import suppression_summary

    with get_store(ctx).transaction() as conn:
        summary = suppression_summary(conn)
    if as_json:
        emit_json(summary)
        return
    from rich.table import Table

    table = Table("suppression", "channel", "scope", "rule", "entries", "persons", "effective", "last load",
                  box=None, header_style="bold")
    for s in summary:
        scope = s["scope"]
        channel = s["channel"] + (f" ({', '.join(s['row_channels'])})" if s["row_channels"] and
                                  s["row_channels"] != [s["channel"]] else "")
        entries = f"{s['entries']:,}" + (f" (+{s['entries_future']:,} later)" if s["entries_future"] else "")
        dates = (f"{s['first_effective']} .. {s['last_effective']}" if s["first_effective"] else "-")
        loaded = f"{s['last_loaded_at']:%Y-%m-%d %H:%M}" if s["last_loaded_at"] else "-"
        table.add_row(s["name"], channel, scope, s["match_on"], entries, f"{s['persons']:,}", dates, loaded)
    _console().print(table)


@suppressions.command("add")
@click.option("--email")
@click.option("--phone")
@click.option("--person", "person_id", type=int, help="A person id (the opt-out follows that person's records).")
@click.option("--first-name")
@click.option("--last-name")
@click.option("--address", "address_line1", help="Street line (with --zip): name_address, or the whole door.")
@click.option("--zip", "postal_code")
@click.option("--channel", required=True, type=click.Choice(["mail", "email", "phone", "all"]))
@click.option("--brand", help="Only this brand's selections (default: every brand).")
@click.option("--reason", required=True, help="Why (kept with the opt-out).")
@click.option("--effective", "effective_date", help="Applies from this date (YYYY-MM-DD; default today).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def add(ctx: click.Context, as_json: bool, **fields) -> None:
    """Add one opt-out by hand (an email, a phone, a person, or a name and address)."""
    import getpass

    from workbench.suppress import add_manual_suppression

    with get_store(ctx).transaction() as conn:
        row = add_manual_suppression(conn, **fields, added_by=_user(getpass))
    if as_json:
        emit_json(row)
        return
    new = row["persons"]
    shown = ", ".join(map(str, new[:10])) + (" ..." if len(new) > 10 else "")
    click.echo(f"added manual opt-out {row['manual_id']} ({row['channel']}"
               f"{', ' + row['brand'] if row['brand'] else ''}; {', '.join(row['match_on'])}): "
               f"reaches {len(new)} person(s)" + (f" ({shown})" if new else ""))


@suppressions.command("check")
@click.option("--email")
@click.option("--phone")
@click.option("--person", "person_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def check(ctx: click.Context, email: str | None, phone: str | None, person_id: int | None, as_json: bool) -> None:
    """Is this contact suppressed, and by what? (exit 0 either way; see "suppressed" in --json)"""
    from workbench.suppress import check_contact

    with get_store(ctx).transaction() as conn:
        found = check_contact(conn, email=email, phone=phone, person_id=person_id)
    if as_json:
        emit_json(found)
        return
    who = found["email_std"] or found["phone_std"] or f"person {person_id}"
    if not found["suppressed"]:
        click.echo(f"{who}: not suppressed ({len(found['persons'])} person(s) hold it)")
    else:
        chans = ", ".join(f"{ch} ({', '.join(b)})" for ch, b in found["brands_by_channel"].items() if b)
        click.echo(f"{who}: SUPPRESSED for {chans}")
    for e in found["entries"]:
        state = "" if e["in_effect"] else f" (from {e['effective_date']})"
        click.echo(f"  entry  {e['suppression']}: {e['channel']}{' / ' + e['brand'] if e['brand'] else ''}, "
                   f"{e['reason']}{state}")
    for p in found["persons"]:
        for s in p["suppressions"]:
            click.echo(f"  person {p['person_id']}: {s['suppression']} ({s['channel']}"
                       f"{' / ' + s['brand'] if s['brand'] else ''}, {s['match_on']}, {s['reason']})")
            if s.get("explanation"):
                click.echo(f"    why: {s['explanation']}")


@suppressions.command("manual")
@click.option("--all", "include_removed", is_flag=True, help="Include removed opt-outs.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def manual(ctx: click.Context, include_removed: bool, as_json: bool) -> None:
    """List the opt-outs added by hand, newest first."""
    from workbench.suppress import list_manual_suppressions

    with get_store(ctx).connect(read_only=True) as conn:
        found = list_manual_suppressions(conn, include_removed=include_removed)
    if as_json:
        emit_json(found)
        return
    if not found:
        click.echo("No manual opt-outs.")
    for m in found:
        who = m["email"] or m["phone"] or (f"person {m['person_id']}" if m["person_id"] is not None else None) or \
            " ".join(x for x in (m["first_name"], m["last_name"], m["address_line1"], m["postal_code"]) if x)
        gone = f"  [removed {m['removed_at']:%Y-%m-%d}: {m['removed_reason']}]" if m["removed_at"] else ""
        click.echo(f"{m['manual_id']:>5}  {m['added_at']:%Y-%m-%d %H:%M}  {m['channel']:<5} {m['brand'] or '-':<10} "
                   f"{who}  ({m['reason']}){gone}")


@suppressions.command("remove")
@click.argument("manual_id", type=int)
@click.option("--reason", required=True)
@click.pass_context
def remove(ctx: click.Context, manual_id: int, reason: str) -> None:
    """Withdraw a manual opt-out (it is kept, marked removed)."""
    from workbench.suppress import remove_manual_suppression

    with get_store(ctx).transaction() as conn:
        remove_manual_suppression(conn, manual_id, reason)
    click.echo(f"removed manual opt-out {manual_id}")


COMMANDS = [suppressions]


def _user(getpass) -> str | None:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return None


def _console():
    import sys

    from rich.console import Console

    return Console(width=200) if not sys.stdout.isatty() else Console()
