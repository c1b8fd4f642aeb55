"""`workbench audit [--since DATE] [--action X] [--json] [--verify]`,
`workbench erase --email X | --phone X | --person ID [--reason ...] [--yes]` and `workbench compact`."""

from __future__ import annotations

import sys

import click

from workbench.cli import emit_json, get_store


@click.command("audit")
@click.option("--since", metavar="DATE", help="Only rows at or after this date (YYYY-MM-DD[ HH:MM]).")
@click.option("--action", metavar="ACTION", help="Only this action and its sub-actions (e.g. load, suppression, "
                                                 "erasure, export).")
@click.option("--target", metavar="TARGET", help="Only rows about this target (a source, a selection...).")
@click.option("--limit", default=100, show_default=True, help="Rows shown, newest first (0: all).")
@click.option("--verify", is_flag=True, help="Check the hash chain of the whole log (exit 1 if broken).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def audit_command(ctx: click.Context, since: str | None, action: str | None, target: str | None, limit: int,
                  verify: bool, as_json: bool) -> None:
    """The audit log: who did what, when (loads, runs, decisions, selections, exports, erasures, opt-outs)."""
    from workbench.audit import audit_entries, verify_chain

    with get_store(ctx).connect(read_only=True) as conn:
        if verify:
            check = verify_chain(conn)
        else:
            found, total = audit_entries(conn, since=since, action=action, target=target, limit=limit or None)
    if verify:
        if as_json:
            emit_json(check.to_dict())
        elif check.ok:
            seen = ", ".join(f"{n:,} {what}" for what, n in check.checked.items())
            click.echo(f"audit log intact: {check.rows:,} rows" + (f" (each of {seen} has its row)" if seen else "")
                       + f", head hash {check.head_hash}")
        else:
            click.echo(f"audit log BROKEN: {len(check.broken)} problem(s) in {check.rows:,} rows", err=True)
            for b in check.broken:
                click.echo(f"  {b.get('where') or 'row ' + str(b['id'])}: {b['problem']}", err=True)
        sys.exit(0 if check.ok else 1)
    if as_json:
        emit_json({"total": total, "rows": found})
        return
    if not found:
        click.echo("No audit rows" + (" match." if total == 0 and (since or action or target) else " yet."))
        return
    for r in found:
        details = ", ".join(f"{k}={_short(v)}" for k, v in r["details"].items())
        click.echo(f"{r['id']:>7}  {r['logged_at']:%Y-%m-%d %H:%M:%S}  {r['actor'] or '-':<12} {r['action']:<20} "
                   f"{r['target'] or '-'}" + (f"  ({details})" if details else ""))
    click.echo(f"{len(found):,} of {total:,} rows", err=True)


def _short(value, width: int = 60) -> str:
    text = str(value)
    return text if len(text) <= width else text[: width - 3] + "..."


@click.command("erase")
@click.option("--email", help="Erase the person holding this email.")
@click.option("--phone", help="Erase the person holding this phone.")
@click.option("--person", "person_id", type=int, help="Erase this person (id).")
@click.option("--reason", help="Why (a request reference; the erased person's details are removed from it).")
@click.option("--all-holders", is_flag=True, help="Erase every person holding the email or phone (shared ones).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--no-compact", is_flag=True, help="Scrub the file in place instead of rewriting it (a large database, "
                                                   "a batch of erasures); run `workbench compact` later.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def erase_command(ctx: click.Context, email: str | None, phone: str | None, person_id: int | None,
                  reason: str | None, all_holders: bool, yes: bool, no_compact: bool, as_json: bool) -> None:
    """Erase a person's personal data (GDPR/CCPA): every table, keeping only a salted-hash tombstone that
    suppresses them on every channel if a later load brings them back. Logged in the audit log. Cannot be
    undone."""
    from workbench.errors import RefusedError
    from workbench.privacy import erase, preview_erasure

    store = get_store(ctx)
    if not yes:
        with store.connect(read_only=True) as conn:
            seen = preview_erasure(conn, email=email, phone=phone, person_id=person_id)
        what = (f"{seen['persons']} person(s) with {seen['records']} record(s)" if seen["persons"]
                else f"nobody holds that {seen['by']} (a tombstone will still be kept)")
        if seen["exports"]:
            what += f"; they were in export(s) {', '.join(map(str, seen['exports']))} (files outside the database)"
        if not sys.stdin.isatty():
            raise RefusedError(f"Erasure not confirmed: it would erase {what}.", "Add --yes to erase without asking.")
        if not click.confirm(f"Erase {what}? This cannot be undone", default=False, err=True):
            raise RefusedError("Erasure cancelled; nothing changed.")
    result = erase(store, email=email, phone=phone, person_id=person_id, reason=reason, allow_many=all_holders,
                   compact=not no_compact)
    if as_json:
        emit_json(result.to_dict())
        return
    click.echo(result.message)
    for table, n in result.tables.items():
        click.echo(f"  {table:<28} {n:>8,} row(s)")
    if result.exports:
        click.echo(f"  note: export(s) {', '.join(map(str, result.exports))} held this person: delete or "
                   "recall those files (they are outside the database)", err=True)
    if result.compacted and "error" in result.compacted:
        click.echo(f"  the file could not be rewritten ({result.compacted['error']}): old copies of the erased "
                   "values may remain in it until `workbench compact` succeeds", err=True)
    elif result.compacted:
        click.echo(f"  file rewritten (nothing erased is left in it): {result.compacted['bytes_before']:,} -> "
                   f"{result.compacted['bytes_after']:,} bytes in {result.compacted['duration_s']:.1f} s")
    else:
        scrub = result.scrubbed or {}
        click.echo(f"  file scrubbed in place: old data {'overwritten' if scrub.get('data_clean') else 'NOT all reached'}"
                   f" ({scrub.get('segments_rewritten', 0)} shared segment(s) rewritten, "
                   f"{scrub.get('free_space', {}).get('bytes_overwritten', 0):,} free bytes overwritten)")
        click.echo("  run `workbench compact` (e.g. tonight) to rewrite the file: until then short pieces of "
                   "erased values may remain in its metadata", err=True)
    click.echo(f"  {result.duration_s:.2f} s in all ({result.erased_s:.2f} s for the database part)")


@click.command("compact")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def compact_command(ctx: click.Context, as_json: bool) -> None:
    """Rewrite the database file into a new one holding only live data: after `erase --no-compact`, or to
    give back the space of deleted data."""
    from workbench.privacy import compact_database

    figures = compact_database(get_store(ctx))
    if as_json:
        emit_json(figures)
        return
    click.echo(f"compacted: {figures['bytes_before']:,} -> {figures['bytes_after']:,} bytes in "
               f"{figures['duration_s']:.1f} s")


COMMANDS = [audit_command, erase_command, compact_command]
