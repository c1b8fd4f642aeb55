"""The churn model: trained on the database's own history, evaluated honestly on a time split, stored in
the database with its features, evaluation and the data's as-of; scores persons into ``churn_scores``.

Time line (``T`` = the data's as-of, the latest order day; ``N`` = the horizon in days):

- **back-test**: a model fitted on features as of ``T - 2N`` with labels from ``(T - 2N, T - N]``, then
  scored on features as of ``T - N`` and compared with what happened in ``(T - N, T]``: AUC, lift in the
  top decile, a calibration table. It never reads a row dated after ``T - N`` to make its predictions.
- **the stored model**: fitted the same way on features as of ``T - N`` with labels from ``(T - N, T]``;
  :func:`score_churn` applies it to features as of ``T`` (the future it predicts is not in the data yet).

**Per brand**: a model per brand (``brand`` = the brand's orders define the population and the label;
``''`` = every brand together), each with its own horizon ``N`` (setting ``churn.horizon_days.<brand>``,
else ``churn.horizon_days``, else 180; ``train --brand X --horizon N`` remembers it). Scores are kept
per brand in ``churn_scores`` (``brand = ''``: the all-brands model, what ``churn_score`` reads).

The estimator is scikit-learn's ``HistGradientBoostingClassifier`` (handles missing values). The fitted
estimator is stored pickled in ``churn_models.model``: load models only from your own database.
"""

from __future__ import annotations

import json
import pickle
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import duckdb

from workbench import clock
from workbench.errors import NotFoundError, RefusedError, WorkbenchError
from workbench.model.features import FeatureSpec, Frame, build_frame, discover_spec, matrix
from workbench.store.sql import rows, run, scalar

DEFAULT_HORIZON_DAYS = 180
DEFAULT_MAX_AGE_DAYS = 35  # a model older than this is refused by scoring (setting churn.max_age_days)
MIN_PERSONS = 50
SOURCE_KINDS = ("transactions", "events", "contacts")  # what the features read (the freshness check)
RANDOM_STATE = 20261120
THREADS = 1


@dataclass
class TrainResult:
    model_id: int
    brand: str  # '' = every brand together
    as_of: date
    horizon_days: int
    train_cutoff: date
    eval_cutoff: date
    evaluation: dict[str, Any]
    features: list[str]
    stale_sources: list[str]
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model_id": self.model_id,
            "brand": self.brand or None,
            "as_of": self.as_of.isoformat(),
            "horizon_days": self.horizon_days,
            "train_cutoff": self.train_cutoff.isoformat(),
            "eval_cutoff": self.eval_cutoff.isoformat(),
            "features": self.features,
            "evaluation": self.evaluation,
            "stale_sources": self.stale_sources,
            "timings": self.timings,
        }


def data_as_of(conn: duckdb.DuckDBPyConnection) -> date | None:
    found = scalar(
        conn,
        """SELECT max(CAST(t.order_date AS DATE)) FROM transactions t
        JOIN person_records pr ON pr.record_id = t.record_id""",
    )
    return found


ALL_BRANDS = ""  # the brand of the model over every brand's orders
HORIZON_KEY = "churn.horizon_days"


def configured_horizon(conn: duckdb.DuckDBPyConnection, brand: str | None = None) -> int:
    """N for a brand's model: setting ``churn.horizon_days.<brand>``, else ``churn.horizon_days``, else 180."""
    keys = [f"{HORIZON_KEY}.{brand}"] if brand else []
    for key in [*keys, HORIZON_KEY]:
        value = scalar(conn, "SELECT value FROM settings WHERE key = ?", [key])
        if value is not None:
            try:
                return int(value)
            except ValueError:
                raise WorkbenchError(
                    f"Setting {key} = {value!r} is not a number of days.",
                    "Train with --horizon N to set it again.",
                ) from None
    return DEFAULT_HORIZON_DAYS


def set_horizon_days(conn: duckdb.DuckDBPyConnection, brand: str | None, days: int) -> None:
    key = f"{HORIZON_KEY}.{brand}" if brand else HORIZON_KEY
    run(conn, "DELETE FROM settings WHERE key = ?", [key])
    run(conn, "INSERT INTO settings VALUES (?, ?)", [key, str(int(days))])


def brands_with_orders(conn: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        r["b"]
        for r in rows(
            conn,
            "SELECT DISTINCT lower(brand) AS b FROM transactions WHERE brand IS NOT NULL AND trim(brand) <> '' "
            "ORDER BY 1",
        )
    ]


def stale_sources(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Sources the features read that are in error (or never loaded), by the freshness rules."""
    from workbench.freshness import source_freshness

    return [
        f.name
        for f in source_freshness(conn)
        if f.kind in SOURCE_KINDS and f.status in ("error", "never") and f.kind != "contacts"
    ]  # contact-history loads are occasional: not a reason to refuse


def new_estimator():
    from sklearn.ensemble import HistGradientBoostingClassifier

    # small trees, many persons per leaf: better calibrated than the defaults on the demo's back-test
    return HistGradientBoostingClassifier(
        max_iter=100,
        learning_rate=0.05,
        max_depth=3,
        min_samples_leaf=40,
        l2_regularization=1.0,
        random_state=RANDOM_STATE,
    )


def _threads():
    """OpenMP threads for scikit-learn: THREADS (oversubscribing a busy machine made a fit 20x slower)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=THREADS)


def _fit(frame: Frame):
    _, x, y = matrix(frame)
    if len(y) < MIN_PERSONS:
        raise RefusedError(
            f"Only {len(y)} persons bought in the year before {frame.cutoff}: too few to train on "
            f"(at least {MIN_PERSONS}).",
            "Load more order history, or choose a shorter --horizon.",
        )
    if len(set(y.tolist())) < 2:
        raise RefusedError(
            f"Every person at the cut-off {frame.cutoff} has the same outcome: nothing to learn.",
            "Choose another --horizon (or --brand).",
        )
    model = new_estimator()
    with _threads():
        model.fit(x, y)
    return model


def evaluate(y, p) -> dict[str, Any]:
    """AUC, lift in the top decile of scores, and a calibration table (deciles of the score)."""
    import numpy as np
    from sklearn.metrics import roc_auc_score

    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    base = float(y.mean()) if len(y) else None
    auc = float(roc_auc_score(y, p)) if len(set(y.tolist())) == 2 else None
    order = np.argsort(-p, kind="stable")
    top = order[: max(1, len(order) // 10)]
    lift = float(y[top].mean() / base) if base else None
    deciles = np.array_split(order[::-1], 10)  # lowest scores first: decile 1 .. 10
    table = [
        {
            "decile": i + 1,
            "persons": int(len(d)),
            "predicted": float(p[d].mean()) if len(d) else None,
            "observed": float(y[d].mean()) if len(d) else None,
        }
        for i, d in enumerate(deciles)
    ]
    return {
        "persons": int(len(y)),
        "lapse_rate": base,
        "auc": auc,
        "top_decile_lift": lift,
        "top_decile_lapse_rate": float(y[top].mean()) if len(top) else None,
        "calibration": table,
    }


def train_churn(
    conn: duckdb.DuckDBPyConnection, horizon_days: int | None = None, brand: str | None = None
) -> TrainResult:
    """Back-test, then fit and store the model of one brand (None: every brand together), inside the
    caller's transaction. ``horizon_days`` None: the brand's configured N (:func:`configured_horizon`); a number
    is remembered as the brand's N."""
    brand = brand.strip().lower() if brand else None
    if brand and not scalar(conn, "SELECT count(*) FROM transactions WHERE lower(brand) = ?", [brand]):
        known = brands_with_orders(conn)
        raise NotFoundError(
            f"No orders have brand {brand!r}.", "Brands: " + (", ".join(known) or "none yet") + "."
        )
    if horizon_days is None:
        horizon_days = configured_horizon(conn, brand)
    elif 7 <= horizon_days <= 1095:
        set_horizon_days(conn, brand, horizon_days)
    return _train(conn, horizon_days, brand)


def train_all_brands(
    conn: duckdb.DuckDBPyConnection, horizon: int | None = None
) -> tuple[list[TrainResult], list[dict[str, str]]]:
    """The all-brands model and one per brand (each with its own N unless ``horizon`` is given for all),
    inside the caller's transaction. A brand with too little history is skipped with its reason."""
    results, skipped = [train_churn(conn, horizon, None)], []
    for brand in brands_with_orders(conn):
        try:
            results.append(train_churn(conn, horizon, brand))
        except RefusedError as exc:
            skipped.append({"brand": brand, "reason": exc.message})
    return results, skipped


def _train(conn: duckdb.DuckDBPyConnection, horizon_days: int, brand: str | None) -> TrainResult:
    import sklearn

    if not 7 <= horizon_days <= 1095:
        raise WorkbenchError(f"--horizon must be 7 to 1095 days, not {horizon_days}.")
    t0 = time.perf_counter()
    as_of = data_as_of(conn)
    if as_of is None:
        raise RefusedError("No orders of known persons: nothing to train a churn model on.")
    eval_cutoff = as_of - timedelta(days=horizon_days)
    train_cutoff = eval_cutoff - timedelta(days=horizon_days)
    spec = discover_spec(conn, train_cutoff, brand, horizon_days)
    timings: dict[str, float] = {}
    back_train = build_frame(conn, spec, train_cutoff, with_label=True)
    back_model = _fit(back_train)
    holdout = build_frame(conn, spec, eval_cutoff, with_label=True)
    _, x_h, y_h = matrix(holdout)
    if len(y_h) == 0:
        raise RefusedError(f"Nobody bought in the year before {eval_cutoff}: nothing to evaluate on.")
    with _threads():
        evaluation = evaluate(y_h, back_model.predict_proba(x_h)[:, 1])
    evaluation["train_persons"] = back_train.table.num_rows
    t1 = time.perf_counter()
    timings["back_test"] = round(t1 - t0, 3)
    model = _fit(holdout)  # the stored model: features as of T - N, outcomes by T
    timings["fit"] = round(time.perf_counter() - t1, 3)
    stale = stale_sources(conn)
    from workbench.segments.rfm import data_stamp

    model_id = (scalar(conn, "SELECT max(model_id) FROM churn_models") or 0) + 1
    settings = {
        **spec.to_dict(),
        "estimator": type(model).__name__,
        "params": _params(model),
        "stale_sources": stale,
        "feature_labels": spec.labels(),
    }
    duration = round(time.perf_counter() - t0, 3)
    run(
        conn,
        """INSERT INTO churn_models (model_id, trained_at, as_of, horizon_days, train_cutoff, eval_cutoff,
            features, settings, evaluation, model, library, stamp, duration_s, brand)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            model_id,
            clock.now(),
            as_of,
            horizon_days,
            train_cutoff,
            eval_cutoff,
            spec.names,
            json.dumps(settings),
            json.dumps(evaluation),
            pickle.dumps(model, protocol=5),
            f"scikit-learn {sklearn.__version__}",
            data_stamp(conn),
            duration,
            brand or ALL_BRANDS,
        ],
    )
    from workbench.select.saved import audit_record

    audit_record(
        conn,
        "model.churn.train",
        f"model {model_id}",
        {
            "model_id": model_id,
            "as_of": as_of,
            "horizon_days": horizon_days,
            "brand": brand,
            "auc": evaluation["auc"],
            "top_decile_lift": evaluation["top_decile_lift"],
            "persons": evaluation["persons"],
            "stale_sources": stale or None,
        },
    )
    timings["total"] = duration
    return TrainResult(
        model_id,
        brand or ALL_BRANDS,
        as_of,
        horizon_days,
        train_cutoff,
        eval_cutoff,
        evaluation,
        spec.names,
        stale,
        timings,
    )


def _params(model) -> dict[str, Any]:
    return {k: v for k, v in model.get_params().items() if isinstance(v, (int, float, str, bool, type(None)))}


def latest_model(
    conn: duckdb.DuckDBPyConnection, with_bytes: bool = False, brand: str | None = None
) -> dict[str, Any] | None:
    """The latest model of ``brand`` ('' = the all-brands model; None = the latest of any brand)."""
    cols = "*" if with_bytes else "* EXCLUDE (model)"
    cond, params = ("WHERE brand = ?", [brand.strip().lower()]) if brand is not None else ("", [])
    found = rows(conn, f"SELECT {cols} FROM churn_models {cond} ORDER BY model_id DESC LIMIT 1", params)
    if not found:
        return None
    m = found[0]
    m["settings"] = json.loads(m["settings"])
    m["evaluation"] = json.loads(m["evaluation"])
    return m


def max_age_days(conn: duckdb.DuckDBPyConnection) -> int:
    value = scalar(conn, "SELECT value FROM settings WHERE key = 'churn.max_age_days'")
    try:
        return int(value) if value is not None else DEFAULT_MAX_AGE_DAYS
    except ValueError:
        return DEFAULT_MAX_AGE_DAYS


def model_brands(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """The brands that have a model ('' = the all-brands model first)."""
    return [r["brand"] for r in rows(conn, "SELECT DISTINCT brand FROM churn_models ORDER BY brand")]


def score_churn(
    conn: duckdb.DuckDBPyConnection,
    allow_stale: bool = False,
    max_age: int | None = None,
    brand: str | None = None,
) -> dict[str, Any]:
    """Score with the latest model of every brand that has one (or of ``brand`` only; '' = the all-brands
    model), inside the caller's transaction; all or nothing. The summary is the first model's, with every
    model's under ``models``."""
    brands = [brand.strip().lower()] if brand is not None else model_brands(conn)
    if not brands:
        raise RefusedError("No churn model yet.", "Train one: `workbench model churn train`.")
    done = [_score_one(conn, b, allow_stale, max_age) for b in brands]
    return {**done[0], "models": done}


def _score_one(
    conn: duckdb.DuckDBPyConnection, brand: str, allow_stale: bool, max_age: int | None
) -> dict[str, Any]:
    """Score every person who bought (of the brand) in the year before the data's as-of with the brand's
    latest model. Refuses a model older than its allowed age, one trained while a source it reads was
    stale, or data from a stale source now, unless ``allow_stale``."""
    t0 = time.perf_counter()
    m = latest_model(conn, with_bytes=True, brand=brand)
    if m is None:
        raise RefusedError(
            f"No churn model for brand {brand!r} yet." if brand else "No churn model yet.",
            f"Train one: `workbench model churn train{' --brand ' + brand if brand else ''}`.",
        )
    limit = max_age if max_age is not None else max_age_days(conn)
    age = (clock.now() - m["trained_at"]).days
    problems = []
    if age > limit:
        problems.append(f"model {m['model_id']} is {age} days old (allowed: {limit})")
    if m["settings"].get("stale_sources"):
        problems.append(
            f"model {m['model_id']} was trained while {', '.join(m['settings']['stale_sources'])} was stale"
        )
    now_stale = stale_sources(conn)
    if now_stale:
        problems.append(f"source(s) {', '.join(now_stale)} are stale now")
    if problems and not allow_stale:
        raise RefusedError(
            "Churn scoring refused: " + "; ".join(problems) + ".",
            "Load fresh data and train again (`workbench model churn train`), or score anyway "
            "with --allow-stale (recorded in the audit log).",
        )
    as_of = data_as_of(conn)
    s = m["settings"]
    spec = FeatureSpec(tuple(s["channels"]), tuple(s["event_types"]), s["brand"], m["horizon_days"])
    if spec.names != list(m["features"]):
        raise WorkbenchError(
            f"Model {m['model_id']} was stored with other features than this workbench builds.",
            "Train it again.",
        )
    frame = build_frame(conn, spec, as_of, with_label=False)
    ids, x, _ = matrix(frame)
    model = pickle.loads(m["model"])  # our own database's bytes (see the module docstring)
    import pyarrow as pa

    with _threads():
        predicted = model.predict_proba(x)[:, 1] if len(ids) else []
    scores = pa.table({"person_id": ids, "score": predicted})
    conn.register("_churn_new", scores)
    try:
        run(conn, "DELETE FROM churn_scores WHERE brand = ?", [brand])
        run(
            conn,
            """INSERT INTO churn_scores (person_id, model_id, score, decile, as_of, scored_at, brand)
            SELECT person_id, ?, score, ntile(10) OVER (ORDER BY score, person_id), ?, ?, ? FROM _churn_new""",
            [m["model_id"], as_of, clock.now(), brand],
        )
    finally:
        conn.unregister("_churn_new")
    summary = {
        "model_id": m["model_id"],
        "brand": brand or None,
        "as_of": as_of,
        "persons": len(ids),
        "model_age_days": age,
        "allowed_stale": problems if allow_stale else [],
        "mean_score": float(scores.column("score").to_numpy().mean()) if len(ids) else None,
        "duration_s": round(time.perf_counter() - t0, 3),
    }
    from workbench.select.saved import audit_record

    audit_record(
        conn,
        "model.churn.score",
        f"model {m['model_id']}",
        {k: summary[k] for k in ("model_id", "brand", "as_of", "persons", "allowed_stale")},
    )
    return summary


def churn_deciles(conn: duckdb.DuckDBPyConnection, brand: str = ALL_BRANDS) -> list[dict[str, Any]]:
    return rows(
        conn,
        """SELECT decile, count(*) AS persons, min(score) AS min_score, avg(score) AS mean_score,
            max(score) AS max_score FROM churn_scores WHERE brand = ? GROUP BY decile ORDER BY decile DESC""",
        [brand.strip().lower()],
    )
