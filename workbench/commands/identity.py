"""`workbench match`, `workbench persons` and `workbench review` (identity resolution)."""

from __future__ import annotations

import sys

import click

from workbench.cli import emit_json, get_store, progress_lines


@click.command("match")
@click.option("--full", is_flag=True, help="Score every record again (decisions are still honoured).")
@click.option("--retrain", is_flag=True, help="Train the model again on the data as it is now.")
@click.option("--export", "export_path", metavar="FILE.csv",
              help="Write every candidate pair at or above the review threshold: source_a,key_a,source_b,key_b,probability.")
@click.option("--auto-accept", type=float, help="Set this database's auto-accept threshold (then match).")
@click.option("--review", type=float, help="Set this database's review threshold (then match).")
@click.option("--force", is_flag=True, help="Replace the --export file when it exists.")
@click.option("--engine", type=click.Choice(["duckdb", "spark"], case_sensitive=False),
              help="Set this database's scoring engine, DuckDB (default) or Spark (then match).")
@click.option("--spark-master", metavar="URL", help="Set the Spark master: local[N] (default local[2]) or a cluster's URL.")
@click.option("--spark-conf", metavar="KEY=VALUE", multiple=True, help="Set a Spark setting (repeatable; KEY= removes it).")
@click.option("--spark-work-dir", metavar="DIR", help="Set where the Parquet hand-over goes (shared storage on a cluster).")
@click.option("--json", "as_json", is_flag=True, help="Print counts and timings as JSON.")
@click.pass_context
def match(ctx: click.Context, full: bool, retrain: bool, export_path: str | None, auto_accept: float | None,
          review: float | None, force: bool, engine: str | None, spark_master: str | None,
          spark_conf: tuple[str, ...], spark_work_dir: str | None, as_json: bool) -> None:
    """Find the same people across and within sources and cluster them into persons.

    Pairs at or above auto_accept merge; pairs between review and auto_accept wait for review (the TUI's
    Matches screen or `workbench review`); the rest are dropped. After a new load only new and changed
    records are matched, unless --full. The run is one transaction: if it fails, nothing changes.
    """
    from workbench.identity.exports import export_pairs
    from workbench.identity.run import match as run_match
    from workbench.identity.run import thresholds

    store = get_store(ctx)
    if export_path:
        from workbench.export.writer import check_target

        check_target(export_path, force=force, database=store.path, option="--export")  # before the run
    if auto_accept is not None or review is not None:
        with store.transaction() as conn:
            current = thresholds(conn)
        new = (auto_accept if auto_accept is not None else current[0], review if review is not None else current[1])
        if not 0 < new[1] <= new[0] <= 1:
            from workbench.errors import ConfigError

            raise ConfigError(f"thresholds must satisfy 0 < review ({new[1]}) <= auto-accept ({new[0]}) <= 1.")
        store.set_setting("identity.auto_accept", repr(new[0]))
        store.set_setting("identity.review", repr(new[1]))
    if engine or spark_master is not None or spark_conf or spark_work_dir is not None:
        from workbench.identity.engines import parse_conf, save_settings

        save_settings(store, engine=engine, master=spark_master, conf=parse_conf(spark_conf), work_dir=spark_work_dir)
    result = run_match(store, full=full, retrain=retrain, progress=progress_lines(not as_json))
    exported = None
    if export_path:
        with store.connect(read_only=True) as conn:
            exported = export_pairs(conn, export_path, overwrite=force, database=store.path)
    if as_json:
        data = {"records": result.records, "pairs_scored": result.pairs_scored,
                "auto_accepted": result.auto_accepted, "in_review": result.in_review, "persons": result.persons,
                "timings": result.timings, **result.to_dict()}
        if exported is not None:
            data["exported"] = {"file": export_path, "pairs": exported}
        emit_json(data)
        return
    click.echo(result.message)
    click.echo("  timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items()))
    if exported is not None:
        click.echo(f"  {exported:,} candidate pairs written to {export_path}")


@click.command("persons")
@click.option("--export", "export_path", metavar="FILE.csv", help="Write person_id,source,key for every people record.")
@click.option("--force", is_flag=True, help="Replace the --export file when it exists.")
@click.option("--json", "as_json", is_flag=True, help="Print counts as JSON.")
@click.pass_context
def persons(ctx: click.Context, export_path: str | None, force: bool, as_json: bool) -> None:
    """Persons (clusters of people records) and how many records they hold."""
    from workbench.identity.exports import export_persons
    from workbench.store.sql import rows

    store = get_store(ctx)
    if export_path:
        from workbench.export.writer import check_target

        check_target(export_path, force=force, database=store.path, option="--export")
    with store.connect(read_only=True) as conn:
        stats = rows(conn, """SELECT count(*) AS persons, coalesce(sum(n), 0) AS records,
            count(*) FILTER (WHERE n > 1) AS with_duplicates, coalesce(max(n), 0) AS largest
            FROM (SELECT person_id, count(*) AS n FROM person_records GROUP BY person_id)""")[0]
        written = export_persons(conn, export_path, overwrite=force, database=store.path) if export_path else None
    if as_json:
        emit_json({**stats, **({"exported": {"file": export_path, "rows": written}} if export_path else {})})
        return
    click.echo(f"{stats['persons']:,} persons from {stats['records']:,} records "
               f"({stats['with_duplicates']:,} with more than one record; largest {stats['largest']:,})")
    if written is not None:
        click.echo(f"  {written:,} rows written to {export_path}")


def _record_id(conn, ref: str) -> int:
    """SOURCE:KEY (or a bare record id) -> record_id."""
    from workbench.errors import NotFoundError
    from workbench.store.sql import scalar

    if ":" in ref:
        source, key = ref.split(":", 1)
        rid = scalar(conn, "SELECT record_id FROM records WHERE source = ? AND source_key = ?", [source, key])
    else:
        rid = scalar(conn, "SELECT record_id FROM records WHERE record_id = TRY_CAST(? AS BIGINT)", [ref])
    if rid is None:
        raise NotFoundError(f"No people record {ref!r}.", "Give SOURCE:KEY, for example web:W00000012.")
    return rid


@click.group("review")
def review() -> None:
    """Review merge candidates from the command line (the TUI's Matches screen does the same)."""


@review.command("queue")
@click.option("--limit", default=20, show_default=True)
@click.option("--sort", type=click.Choice(["uncertain", "high", "low"]), default="uncertain", show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def review_queue(ctx: click.Context, limit: int, sort: str, as_json: bool) -> None:
    """Pairs waiting for a decision, most uncertain first."""
    from workbench.identity.decisions import next_pairs, queue_counts
    from workbench.store.sql import rows

    with get_store(ctx).connect(read_only=True) as conn:
        pairs = next_pairs(conn, limit, sort)
        counts = queue_counts(conn)
        keys = {r["record_id"]: f"{r['source']}:{r['source_key']}" for r in rows(
            conn, "SELECT record_id, source, source_key FROM records WHERE record_id IN (SELECT unnest(?::BIGINT[]))",
            [[x for p in pairs for x in (p["record_id_l"], p["record_id_r"])]])}
    for p in pairs:
        p["a"], p["b"] = keys.get(p["record_id_l"]), keys.get(p["record_id_r"])
    if as_json:
        emit_json({**counts, "pairs": pairs})
        return
    click.echo(f"{counts['reviewed']:,} reviewed, {counts['left']:,} left")
    for p in pairs:
        status = f"{p['status']}: {p['reason']}" if p.get("reason") else p["status"]
        click.echo(f"  {p['probability']:.3f}  {p['a']}  {p['b']}  ({status})")


def _decide(ctx: click.Context, kind: str, a: str, b: str, reason: str | None) -> None:
    from workbench.identity import decisions

    with get_store(ctx).transaction() as conn:
        ra, rb = _record_id(conn, a), _record_id(conn, b)
        if kind == "accept":
            pid = decisions.accept_pair(conn, ra, rb, reason, "cli")
            click.echo(f"accepted: {a} and {b} are person {pid}")
        else:
            decisions.reject_pair(conn, ra, rb, reason, "cli")
            click.echo(f"rejected: {a} and {b} are kept apart")


@review.command("accept")
@click.argument("record_a")
@click.argument("record_b")
@click.option("--reason", help="Why (kept with the decision).")
@click.pass_context
def review_accept(ctx: click.Context, record_a: str, record_b: str, reason: str | None) -> None:
    """RECORD_A and RECORD_B (SOURCE:KEY) are the same person."""
    _decide(ctx, "accept", record_a, record_b, reason)


@review.command("reject")
@click.argument("record_a")
@click.argument("record_b")
@click.option("--reason", help="Why (kept with the decision).")
@click.pass_context
def review_reject(ctx: click.Context, record_a: str, record_b: str, reason: str | None) -> None:
    """RECORD_A and RECORD_B (SOURCE:KEY) are different people: never merged, not even through others."""
    _decide(ctx, "reject", record_a, record_b, reason)


@review.command("undo")
@click.pass_context
def review_undo(ctx: click.Context) -> None:
    """Undo the latest decision (a bulk accept as a whole)."""
    from workbench.identity.decisions import undo_last

    with get_store(ctx).transaction() as conn:
        done = undo_last(conn)
    click.echo(f"undone: {done['decision']} of records {done['record_id_l']} and {done['record_id_r']}"
               if done else "nothing to undo")


@review.command("bulk-accept")
@click.option("--min", "min_probability", type=float, required=True, help="Accept pairs at or above this probability.")
@click.option("--yes", is_flag=True, help="Do it without asking.")
@click.pass_context
def review_bulk(ctx: click.Context, min_probability: float, yes: bool) -> None:
    """Accept every waiting pair at or above --min (after a confirmation).

    Pairs the guards held (one household, two people in one person, records kept apart) are never included:
    accept them one by one with `workbench review accept`."""
    from workbench.identity.decisions import bulk_accept, bulk_preview

    store = get_store(ctx)
    with store.transaction() as conn:
        preview = bulk_preview(conn, min_probability)
    held = (f"{preview['held_back']:,} pairs held by the guards (one household, or two people in one person) "
            "are left for review one by one.") if preview["held_back"] else ""
    if not preview["pairs"]:
        click.echo(" ".join(("No waiting pairs at or above that probability to accept.", held)).strip())
        return
    question = (f"Accept {preview['pairs']:,} pairs? {preview['persons_involved']:,} persons become "
                f"{preview['persons_after']:,} ({preview['persons_merged']:,} merged away). {held}").strip()
    if not yes and not click.confirm(question, err=True):
        sys.exit(1)
    with store.transaction() as conn:
        done = bulk_accept(conn, min_probability, by="cli")
    click.echo(f"accepted {done['accepted']:,} pairs; {done['persons_merged']:,} persons merged away"
               + (f"; {done['held_back']:,} held pairs left for review" if done.get("held_back") else ""))


COMMANDS = [match, persons, review]
