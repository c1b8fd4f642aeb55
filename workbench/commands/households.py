"""`workbench households` (recompute, export) and its subcommands: list, show, accept, move, split, merge."""

from __future__ import annotations

import click

from workbench.cli import emit_json, get_store, progress_lines


@click.group("households", invoke_without_command=True)
@click.option("--export", "export_path", metavar="FILE.csv",
              help="Write household_id,source,key for every people record after the run.")
@click.option("--head-rule", metavar="RULE",
              help="Set the head-of-household rule first, e.g. \"spend_12m desc, first_seen asc\".")
@click.option("--partners", type=click.Choice(["probable", "marked"]),
              help="Set who joins different surnames at one address first: marked (the default: only a shared "
                   "phone or email, or a marked partner; roommates stay apart) or probable (everyone at an "
                   "uncrowded door). See docs/households.md.")
@click.option("--force", is_flag=True, help="Replace the --export file when it exists.")
@click.option("--json", "as_json", is_flag=True, help="Print counts and timings as JSON.")
@click.pass_context
def households(ctx: click.Context, export_path: str | None, head_rule: str | None, partners: str | None,
               force: bool, as_json: bool) -> None:
    """Apply pending moves (NCOA) and recompute every household, in one transaction.

    Households are formed at each person's current (golden) address; operators' decisions are honoured
    and ids stay stable while members do not change. Subcommands list, show and change households.
    """
    if ctx.invoked_subcommand is not None:
        return
    from workbench.households import recompute
    from workbench.households.queries import export_households
    from workbench.households.rules import HEAD_RULE_KEY, PARTNERS_KEY, parse_head_rule

    store = get_store(ctx)
    if export_path:
        from workbench.export.writer import check_target

        check_target(export_path, force=force, database=store.path, option="--export")  # before the run
    with store.transaction() as conn:
        if head_rule is not None:
            parse_head_rule(head_rule)
            conn.execute("DELETE FROM settings WHERE key = ?", [HEAD_RULE_KEY]).fetchall()
            conn.execute("INSERT INTO settings VALUES (?, ?)", [HEAD_RULE_KEY, head_rule]).fetchall()
        if partners is not None:
            conn.execute("DELETE FROM settings WHERE key = ?", [PARTNERS_KEY]).fetchall()
            conn.execute("INSERT INTO settings VALUES (?, ?)", [PARTNERS_KEY, partners]).fetchall()
        result = recompute(conn, progress=progress_lines(not as_json))
    if export_path:
        with store.connect(read_only=True) as conn:
            result["exported"] = {"file": export_path, "rows": export_households(conn, export_path, overwrite=force,
                                                                                 database=store.path)}
    if as_json:
        emit_json(result)
        return
    _print_run(result)


def _print_run(r: dict) -> None:
    m = r["moves"]
    click.echo(f"{r['households']:,} households ({r['multi_person_households']:,} of more than one person) "
               f"for {r['persons']:,} persons at {r['addresses']:,} addresses in {r['seconds']:.2f} s")
    click.echo(f"  ids kept {r['households_kept']:,}, new {r['households_new']:,}; needing review "
               f"{r['needs_review']:,} ({r['review_open']:,} open items); crowded addresses {r['crowded_addresses']:,}")
    click.echo(f"  moves: {m['applied_now']:,} applied now {m['by_code'] or ''}, {m['applied_before']:,} before, "
               f"{m['unmatched']:,} matching nobody, {m['no_match_code']:,} NCOA no-match (00); "
               f"{m['addresses_updated']:,} golden addresses updated")
    click.echo(f"  head of household: {r['head_rule']}; partners: {r['partners']}; "
               f"{r.get('followed_family', 0):,} persons followed their family from an old address")
    if "exported" in r:
        click.echo(f"  exported {r['exported']['rows']:,} records to {r['exported']['file']}")


@households.command("list")
@click.option("--review", "needs_review", is_flag=True, help="Only households that need review.")
@click.option("--search", help="Surname, street, city, ZIP or household id.")
@click.option("--limit", default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def list_cmd(ctx: click.Context, needs_review: bool, search: str | None, limit: int, as_json: bool) -> None:
    """Households of the last run (largest first when --review)."""
    from workbench.households.queries import list_households

    with get_store(ctx).connect(read_only=True) as conn:
        found, total = list_households(conn, needs_review=needs_review, search=search, limit=limit)
    if as_json:
        emit_json({"total": total, "households": found})
        return
    from rich.console import Console
    from rich.table import Table

    t = Table("id", "surname", "head", "address", "size", "spend 12m", "review", box=None, header_style="bold")
    for h in found:
        t.add_row(str(h["household_id"]), h["surname"] or "", f"{h['head_first_name'] or ''} {h['head_last_name'] or ''}",
                  ", ".join(x for x in (h["address_line1"], h["address_line2"], h["city"], h["zip5"]) if x),
                  str(h["size"]), f"{h['spend_12m']:,.2f}", ", ".join(h["review_reasons"]))
    Console().print(t)
    click.echo(f"{len(found):,} of {total:,} households")


@households.command("show")
@click.argument("household_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def show(ctx: click.Context, household_id: int, as_json: bool) -> None:
    """One household: members (head first) with their records, and its review items."""
    from workbench.errors import NotFoundError
    from workbench.households.queries import household

    with get_store(ctx).connect(read_only=True) as conn:
        h = household(conn, household_id)
    if h is None:
        raise NotFoundError(f"There is no household {household_id}.")
    if as_json:
        emit_json(h)
        return
    click.echo(f"household {h['household_id']}: {h['surname'] or ''}, {h['address_line1'] or 'no address'} "
               f"{h['city'] or ''} {h['zip5'] or ''}; {h['size']} member(s); spend 12m {h['spend_12m']:,.2f}; "
               f"brands {', '.join(h['brands'] or []) or '-'}")
    for m in h["members"]:
        click.echo(f"  {'*' if m['is_head'] else ' '} person {m['person_id']}: {m['first_name'] or ''} "
                   f"{m['last_name'] or ''} ({m['joined_by']}; spend 12m {m['spend_12m']:,.2f})"
                   + ("" if m["mail_deliverable"] else f" [not mailable: {m['mail_reason']}]"))
        for r in m["records"]:
            click.echo(f"      {r['source']}:{r['source_key']}  {r['address_line1'] or ''} {r['postal_code'] or ''}")
    for i in h["review_items"]:
        click.echo(f"  review ({i['status']}): {i['reason_text']}: {i['detail']}")


def _done(result: dict, as_json: bool, what: str) -> None:
    if as_json:
        emit_json(result)
    else:
        click.echo(f"{what} (decision {result['decision_id']}); households now: "
                   f"{', '.join(map(str, result['households']))}; {result['review_open']:,} review items open")


_json_opt = click.option("--json", "as_json", is_flag=True)
_note_opt = click.option("--note", help="Why (kept with the decision).")


@households.command("accept")
@click.argument("household_id", type=int)
@_note_opt
@_json_opt
@click.pass_context
def accept_cmd(ctx: click.Context, household_id: int, note: str | None, as_json: bool) -> None:
    """Accept a household as it is (its review items close)."""
    from workbench.households.decisions import accept

    _done(accept(get_store(ctx), household_id, note), as_json, f"accepted household {household_id}")


@households.command("move")
@click.argument("person_id", type=int)
@click.option("--to", "to_household", type=int, required=True, help="The household to move the person into.")
@_note_opt
@_json_opt
@click.pass_context
def move_cmd(ctx: click.Context, person_id: int, to_household: int, note: str | None, as_json: bool) -> None:
    """Move a person into another household at the same address."""
    from workbench.households.decisions import move_member

    _done(move_member(get_store(ctx), person_id, to_household, note), as_json,
          f"moved person {person_id} to household {to_household}")


@households.command("split")
@click.argument("household_id", type=int)
@click.argument("person_ids", type=int, nargs=-1, required=True)
@_note_opt
@_json_opt
@click.pass_context
def split_cmd(ctx: click.Context, household_id: int, person_ids: tuple[int, ...], note: str | None,
              as_json: bool) -> None:
    """Take PERSON_IDS out of a household into a household of their own."""
    from workbench.households.decisions import split

    _done(split(get_store(ctx), household_id, list(person_ids), note), as_json,
          f"split {len(person_ids)} member(s) out of household {household_id}")


@households.command("merge")
@click.argument("household_id", type=int)
@click.argument("other_household_id", type=int)
@_note_opt
@_json_opt
@click.pass_context
def merge_cmd(ctx: click.Context, household_id: int, other_household_id: int, note: str | None,
              as_json: bool) -> None:
    """Merge two households at the same address into one."""
    from workbench.households.decisions import merge

    _done(merge(get_store(ctx), household_id, other_household_id, note), as_json,
          f"merged households {household_id} and {other_household_id}")


COMMANDS = [households]
