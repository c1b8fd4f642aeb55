"""``workbench match``: one match run in one transaction (a failure or a kill leaves the database as before).

Full run: score every blocked pair, cluster everything. Incremental run (the default once a run exists):
score only the records that are new or changed since the last run (``match_record_state``) against each
other and the rest, keep every other candidate pair, re-cluster. Either way decisions are honoured and
persons that did not change keep their ids. A new model (first run, ``--retrain``, or the data now carries
other fields) always means a full run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import duckdb

from workbench import clock
from workbench.errors import ConfigError, WorkbenchError
from workbench.identity import clusters, engines, prepare, rules, scoring, training
from workbench.ingest.derived import ensure_derived
from workbench.store import Store
from workbench.store.sql import rows, run, scalar

Progress = Callable[[str, float], None]
DEFAULT_AUTO_ACCEPT = 0.3
DEFAULT_REVIEW = 0.1


@dataclass
class MatchResult:
    run_id: int
    mode: str  # full | incremental
    method: str  # splink | rules
    model_id: int
    model_note: str
    records: int = 0
    records_matched: int = 0
    pairs_scored: int = 0
    auto_accepted: int = 0
    in_review: int = 0
    conflicts: int = 0
    persons: int = 0
    persons_created: int = 0
    persons_merged: int = 0
    persons_split: int = 0
    records_added: int = 0
    auto_accept: float = DEFAULT_AUTO_ACCEPT
    review: float = DEFAULT_REVIEW
    engine: str = "duckdb"  # where the pairs were scored (engines/)
    timings: dict[str, float] = field(default_factory=dict)
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def thresholds(conn: duckdb.DuckDBPyConnection) -> tuple[float, float]:
    """(auto_accept, review) from the database settings (``identity.auto_accept``, ``identity.review``)."""
    got = {r["key"]: r["value"] for r in rows(
        conn, "SELECT key, value FROM settings WHERE key IN ('identity.auto_accept', 'identity.review')")}
    try:
        auto = float(got.get("identity.auto_accept") or DEFAULT_AUTO_ACCEPT)
        review = float(got.get("identity.review") or DEFAULT_REVIEW)
    except ValueError as exc:
        raise ConfigError(f"identity thresholds are not numbers: {exc}",
                          "Set them with `workbench match --auto-accept 0.9 --review 0.5`.") from None
    if not 0 < review <= auto <= 1:
        raise ConfigError(f"identity thresholds must satisfy 0 < review ({review}) <= auto_accept ({auto}) <= 1.")
    return auto, review


class TrainingFailed(Exception):
    """EM could not learn from this data. The transaction is rolled back and the run starts again with the
    exact rules (a failed statement aborts a DuckDB transaction, so there is no carrying on inside it)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class MatchCancelled(WorkbenchError):
    """The operator stopped the match run; its transaction was rolled back (the database is as before)."""


def match(store: Store, full: bool = False, retrain: bool = False, progress: Progress | None = None,
          cancelled: Callable[[], bool] | None = None, engine: str | None = None,
          pretrained: dict[str, Any] | None = None) -> MatchResult:
    """One match run in one transaction (rolled back entirely if anything fails).

    ``cancelled`` is asked between the stages of the run (prepare, train, score, cluster): once it says
    True the run stops with :class:`MatchCancelled` and the transaction is rolled back. ``engine``: score on
    ``duckdb`` or ``spark`` for this run (default: the database's ``identity.engine`` setting).
    ``pretrained``: a model trained before on this very input (the demo's; see
    :func:`training.pretrained_model`), saved instead of training when its fingerprint fits."""
    progress = _cancellable(progress, cancelled)
    try:
        with store.transaction() as conn:
            return _audited(conn, run_match(conn, full=full, retrain=retrain, progress=progress, engine=engine,
                                            pretrained=pretrained))
    except TrainingFailed as failed:
        with store.transaction() as conn:
            return _audited(conn, run_match(conn, full=full, retrain=retrain, progress=progress,
                                            fallback=failed.reason, engine=engine))


def _cancellable(progress: Progress | None, cancelled: Callable[[], bool] | None) -> Progress | None:
    """``progress`` that first raises :class:`MatchCancelled` once ``cancelled()`` is true (the last step,
    "done", is never refused: the run is complete by then)."""
    if cancelled is None:
        return progress

    def step(message: str, fraction: float) -> None:
        if fraction < 1 and cancelled():
            raise MatchCancelled("Matching cancelled.", "The database is unchanged.")
        if progress is not None:
            progress(message, fraction)

    return step


def _audited(conn: duckdb.DuckDBPyConnection, result: MatchResult) -> MatchResult:
    from workbench import audit

    audit.record(conn, "match.run", f"run {getattr(result, 'run_id', '?')}",
                 {k: getattr(result, k, None) for k in ("mode", "method", "model_id", "records", "pairs_scored",
                                                       "auto_accepted", "in_review", "conflicts", "persons_merged",
                                                       "persons_split")})
    return result


def run_match(conn: duckdb.DuckDBPyConnection, full: bool = False, retrain: bool = False,
              progress: Progress | None = None, fallback: str | None = None, engine: str | None = None,
              pretrained: dict[str, Any] | None = None) -> MatchResult:
    step = progress or (lambda _m, _f: None)
    config = engines.engine_config(conn, engine)
    scorer = engines.engine_for(config)  # pyspark and Java are checked before any work
    t0 = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = round(now - since, 3)
        return now

    started = clock.now()
    auto, review = thresholds(conn)
    run_id = scalar(conn, "SELECT nextval('match_run_seq')")
    step("preparing the records", 0.02)
    ensure_derived(conn)
    n = prepare.build_input(conn)
    fields = prepare.present_fields(conn)
    last = rows(conn, "SELECT auto_accept, review FROM match_runs ORDER BY run_id DESC LIMIT 1")
    t = lap("prepare", t0)

    saved = training.latest_model(conn)
    reason = training.why_not_trainable(n, fields)
    stale = saved is None or retrain or set(saved.fields) != fields or (saved.method == "rules" and reason is None)
    if stale:
        step("training the model", 0.1)
        saved = _new_model(conn, n, fields, reason or fallback, pretrained)
    t = lap("train", t)
    mode = "full" if full or stale or not last or (last[0]["auto_accept"], last[0]["review"]) != (auto, review) \
        else "incremental"

    step("scoring merge candidates", 0.35)
    run(conn, """CREATE OR REPLACE TEMP TABLE _changed AS SELECT record_id FROM records
        WHERE (record_id, row_hash) NOT IN (SELECT (record_id, row_hash) FROM match_record_state)""")
    records_added = scalar(conn, "SELECT count(*) FROM _changed") or 0
    scoped = False  # cluster only the components the changes touch
    if mode == "full":
        run(conn, "DELETE FROM match_pairs")
        scored = _score(conn, saved, auto, review, run_id, new_only=False, engine=scorer, step=step)
        matched = n
    else:
        # the records whose person may change: the new or changed ones and the partners of every pair or
        # decision of a changed or removed record (clustered below with their whole components)
        touched = " OR ".join(f"{c} IN (SELECT record_id FROM _changed) OR {c} NOT IN (SELECT record_id FROM records)"
                              for c in ("record_id_l", "record_id_r"))
        run(conn, f"""CREATE OR REPLACE TEMP TABLE _seeds AS SELECT record_id FROM _changed
            UNION SELECT unnest([record_id_l, record_id_r]) FROM match_pairs WHERE {touched}
            UNION SELECT unnest([record_id_l, record_id_r]) FROM match_decisions WHERE {touched}""")
        run(conn, """DELETE FROM match_pairs WHERE record_id_l IN (SELECT record_id FROM _changed)
            OR record_id_r IN (SELECT record_id FROM _changed)
            OR record_id_l NOT IN (SELECT record_id FROM records) OR record_id_r NOT IN (SELECT record_id FROM records)""")
        matched = scoring.split_input(conn, "_changed")
        if matched and matched == n:  # everything is new: nothing to score against
            run(conn, "DELETE FROM match_pairs")
            scored = _score(conn, saved, auto, review, run_id, new_only=False, engine=scorer, step=step)
        else:
            # only when every person was formed by these rules (else the untouched ones may be stale too)
            scoped = clusters.clustered_with(conn) == clusters.cluster_version(conn)
            scored = _score(conn, saved, auto, review, run_id, new_only=True, engine=scorer, step=step) if matched else 0
    t = lap("score", t)

    step("clustering into persons", 0.75)
    # an incremental run re-clusters only the components its changes touch (the same persons as
    # clustering everything: every other component is as the last run left it)
    if scoped:
        clusters.linked_scope(conn, "_seeds", "_scope")
    in_scope = "AND record_id_l IN (SELECT record_id FROM _scope)" if scoped else ""
    run(conn, "UPDATE match_pairs SET status = 'auto', held_by = NULL, reason = NULL "
              f"WHERE (status = 'conflict' OR (status = 'held' AND held_by = 'cluster')) {in_scope}")
    changes = clusters.cluster(conn, "_scope" if scoped else None)
    if scoped:
        run(conn, """DELETE FROM match_record_state WHERE record_id NOT IN (SELECT record_id FROM records)
            OR record_id IN (SELECT record_id FROM _changed)""")
        run(conn, "INSERT INTO match_record_state SELECT record_id, row_hash FROM records "
                  "WHERE record_id IN (SELECT record_id FROM _changed)")
    else:
        run(conn, "DELETE FROM match_record_state")
        run(conn, "INSERT INTO match_record_state SELECT record_id, row_hash FROM records")
        clusters.mark_clustered(conn)
    t = lap("cluster", t)

    counts = rows(conn, """SELECT count(*) FILTER (WHERE status = 'auto') AS auto,
        count(*) FILTER (WHERE status IN ('review', 'held', 'conflict')) AS review,
        count(*) FILTER (WHERE status = 'conflict') AS conflicts FROM match_pairs""")[0]
    persons = scalar(conn, "SELECT count(DISTINCT person_id) FROM person_records") or 0
    timings["total"] = round(time.perf_counter() - t0, 3)
    result = MatchResult(
        run_id=run_id, mode=mode, method=saved.method, model_id=saved.model_id, model_note=saved.note,
        records=n, records_matched=matched, pairs_scored=scored, auto_accepted=counts["auto"],
        in_review=counts["review"], conflicts=counts["conflicts"], persons=persons,
        persons_created=changes.persons_created, persons_merged=changes.persons_merged,
        persons_split=changes.persons_split, records_added=records_added, auto_accept=auto, review=review,
        engine=config.name if saved.method == "splink" else "duckdb", timings=timings)
    result.message = summary(result)
    run(conn, """INSERT INTO match_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [run_id, started, clock.now(), mode, saved.model_id, saved.method, auto, review, n, matched, scored,
         result.auto_accepted, result.in_review, result.conflicts, persons, result.persons_created,
         result.persons_merged, result.persons_split, records_added, _json(timings), result.message])
    for table in (prepare.INPUT_TABLE, "_match_new", "_match_old", "_changed", "_seeds", "_scope"):
        run(conn, f"DROP TABLE IF EXISTS {table}")
    step("done", 1.0)
    return result


def _new_model(conn: duckdb.DuckDBPyConnection, n: int, fields: set[str], reason: str | None,
               pretrained: dict[str, Any] | None = None) -> training.SavedModel:
    if reason is None:
        known = training.pretrained_model(conn, pretrained, fields, n)
        if known is not None:  # trained before on exactly these records, fields and recipe
            return training.save_model(conn, "splink", fields, n, known, f"trained on {n:,} records")
        try:
            trained = training.train(conn, fields, n)
        except Exception as exc:  # EM could not learn from this data: say so and use the rules
            raise TrainingFailed(f"training failed ({str(exc).strip().splitlines()[0][:160]}); "
                                 "using exact rules instead") from exc
        return training.save_model(conn, "splink", fields, n, trained, f"trained on {n:,} records")
    return training.save_model(conn, "rules", fields, n, None, reason)


def _score(conn: duckdb.DuckDBPyConnection, saved: training.SavedModel, auto: float, review: float,
           run_id: int, new_only: bool, engine: engines.Engine | None = None, step: Progress | None = None) -> int:
    if saved.method == "rules" or not saved.model:
        return rules.score_rules(conn, run_id, new_only)
    guard = (scalar(conn, "SELECT value FROM settings WHERE key = 'identity.household_guard'") or "on").lower() \
        in ("on", "true", "1", "yes")
    if engine is not None:
        return scoring.score_with_engine(conn, engine, saved.model, auto, review, run_id, guard, new_only, step)
    if new_only:
        return scoring.score_new(conn, saved.model, auto, review, run_id, guard)
    return scoring.score_all(conn, saved.model, auto, review, run_id, guard, step)


def summary(r: MatchResult) -> str:
    how = "exact rules" if r.method == "rules" else "the trained model"
    text = (f"{r.mode} run with {how}: {r.records_matched:,} of {r.records:,} records matched, "
            f"{r.pairs_scored:,} pairs scored, {r.auto_accepted:,} merged automatically, {r.in_review:,} to review; "
            f"{r.persons:,} persons ({r.persons_created:,} created, {r.persons_merged:,} merged, "
            f"{r.persons_split:,} split; {r.records_added:,} records new or changed since the last run)")
    if r.method == "rules" and r.model_note:
        text += f". Note: {r.model_note}"
    return text


def _json(data: Any) -> str:
    import json

    return json.dumps(data)
