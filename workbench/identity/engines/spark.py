"""Scoring on Apache Spark through Splink's Spark backend.

The prepared records (``_match_input``, and for an incremental run ``_match_new`` / ``_match_old``) are
written to Parquet, Splink scores them on Spark with the saved model translated to Spark SQL, and the
scored pairs at or above the review threshold come back through Parquet as DuckDB temp tables. Nothing is
written to the database here: the match run inserts the pairs inside its own transaction, so a failed or
killed Spark job leaves the database as it was.
"""

from __future__ import annotations

import copy
import logging
import shutil
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp

from workbench.identity.engines import EngineConfig, Predicted, Progress
from workbench.identity.engines.spark_env import find_java, require_pyspark, spark_session
from workbench.identity.prepare import INPUT_TABLE
from workbench.store.sql import quote_literal, run

SPLINK_LOG = logging.ERROR
# DuckDB functions in the model's conditions and their Spark equivalents. Jaro-Winkler is not the
# ``jaro_winkler`` of Splink's similarity jar: that one counts transpositions as a fraction (t / 2) where
# DuckDB floors them, so JOHNSON/JOHSON is 0.908 there and 0.928 in DuckDB, across a 0.92 threshold. The
# workbench registers jellyfish's, which equals DuckDB's (checked on 425,187 name and street pairs).
FUNCTIONS = {exp.JarowinklerSimilarity: "wb_jaro_winkler"}


def to_spark_sql(condition: str) -> str:
    """One SQL condition of the saved model (DuckDB dialect) in Spark SQL."""
    if condition.strip().upper() == "ELSE":
        return condition
    tree = sqlglot.parse_one(condition, read="duckdb")

    def rename(node: exp.Expression) -> exp.Expression:
        for kind, name in FUNCTIONS.items():
            if isinstance(node, kind):
                return exp.Anonymous(this=name, expressions=[node.this, node.expression])
        return node

    return tree.transform(rename).sql(dialect="spark")


def spark_settings(saved: dict[str, Any]) -> dict[str, Any]:
    """The saved model (Splink JSON written by the DuckDB backend) with every condition in Spark SQL; the
    parameters (m, u, lambda, term-frequency settings) are untouched."""
    out = copy.deepcopy(saved)
    out["sql_dialect"] = "spark"
    for comparison in out["comparisons"]:
        for level in comparison["comparison_levels"]:
            level["sql_condition"] = to_spark_sql(level["sql_condition"])
    rules = []
    for rule in out.get("blocking_rules_to_generate_predictions", []):
        text = rule["blocking_rule"] if isinstance(rule, dict) else rule
        rules.append(
            {
                **(rule if isinstance(rule, dict) else {}),
                "blocking_rule": to_spark_sql(text),
                "sql_dialect": "spark",
            }
        )
    out["blocking_rules_to_generate_predictions"] = rules
    return out


class SparkEngine:
    def __init__(self, config: EngineConfig):
        require_pyspark()  # a clear error before the run does any work
        find_java()
        self.config = config

    def predict(
        self,
        conn: duckdb.DuckDBPyConnection,
        saved: dict[str, Any],
        review: float,
        new_only: bool,
        progress: Progress | None = None,
    ) -> Predicted:
        step = progress or (lambda _m, _f: None)
        step(f"starting Spark ({self.config.master})", 0.36)
        spark = spark_session(self.config.master, self.config.conf)
        work = (
            Path(self.config.work_dir or tempfile.gettempdir()) / f"workbench-match-{uuid.uuid4().hex[:12]}"
        )
        work.mkdir(parents=True, exist_ok=False)
        try:
            step("writing the prepared records to Parquet", 0.38)
            tables = [INPUT_TABLE, "_match_new", "_match_old"] if new_only else [INPUT_TABLE]
            for table in tables:
                run(
                    conn,
                    f"COPY (SELECT * FROM {table}) TO {quote_literal(str(work / table))} "
                    "(FORMAT parquet, PER_THREAD_OUTPUT true)",
                )
            step("scoring merge candidates on Spark", 0.42)
            with SparkWatch(spark, step, "scoring merge candidates on Spark", 0.42) as watch:
                scored, outputs = watch.run(lambda: _score(spark, saved, work, review, new_only))
            step("reading the scored pairs back", 0.7)
            names = []
            for i, path in enumerate(outputs):
                name = f"_spark_pred_{i}"
                run(
                    conn,
                    f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM "
                    f"read_parquet({quote_literal(str(path / '*.parquet'))})",
                )
                names.append(name)
            return Predicted(tables=names, scored=scored)
        finally:
            shutil.rmtree(work, ignore_errors=True)


HEARTBEAT_S = 2.0  # how often a long Spark stage reports (and so hears of a cancel)
ELAPSED_STEP_S = 30  # the elapsed time it reports moves in steps this long (a line a step at a terminal)


class SparkWatch:
    """A long Spark stage, watched: every HEARTBEAT_S a second thread reports the stage again with its
    elapsed time in steps of ELAPSED_STEP_S (the run's progress line; the command line prints a line only
    when it changes), and that report is where the match run's cancel check fires
    (``identity.run._cancellable`` raises once the operator asked to stop). Then every Spark job of the
    session is cancelled (``SparkContext.cancelAllJobs``), the stage fails at once instead of running to its
    end, and :meth:`run` raises the cancel, not Spark's error: the match run's transaction rolls back."""

    def __init__(self, spark: Any, step: Progress, message: str, fraction: float, every: float = HEARTBEAT_S):
        self.spark, self.step, self.message, self.fraction, self.every = spark, step, message, fraction, every
        self.stopped: BaseException | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="workbench-spark-watch", daemon=True)

    def __enter__(self) -> SparkWatch:
        self._t0 = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._done.wait(self.every):
            elapsed = int(time.monotonic() - self._t0) // ELAPSED_STEP_S * ELAPSED_STEP_S
            try:
                self.step(f"{self.message} ({elapsed // 60} min {elapsed % 60:02d} s)", self.fraction)
            except Exception as exc:  # the cancel check said stop
                self.stopped = exc
                self.spark.sparkContext.cancelAllJobs()
                return

    def run(self, fn):
        try:
            result = fn()
        except Exception:
            if self.stopped is not None:
                raise self.stopped from None
            raise
        if self.stopped is not None:  # it finished between the cancel and the jobs' end: still a cancel
            raise self.stopped
        return result


def _score(
    spark: Any, saved: dict[str, Any], work: Path, review: float, new_only: bool
) -> tuple[int, list[Path]]:
    """Splink on Spark over the Parquet in ``work``; the kept pairs are written to ``work/pairs_N``."""
    from splink import Linker, SparkAPI

    api = SparkAPI(spark_session=spark, break_lineage_method="persist")
    register_functions(spark)
    views = {}
    for table in [INPUT_TABLE, "_match_new", "_match_old"] if new_only else [INPUT_TABLE]:
        view = f"{table.strip('_')}_{uuid.uuid4().hex[:8]}"
        spark.read.parquet(str(work / table)).createOrReplaceTempView(view)
        views[table] = api.table_to_splink_dataframe(f"__splink__{table}", view)
    linker = Linker(views[INPUT_TABLE], spark_settings(saved), log_level=SPLINK_LOG)
    outputs: list[Path] = []
    scored = 0
    try:
        if new_only:
            for column in _tf_columns(saved):
                linker.table_management.compute_tf_table(column)
            new, old = views["_match_new"], views["_match_old"]
            preds = [
                linker.inference.predict_within(new, warning_mode="never"),
                linker.inference.predict_between(old, new, warning_mode="never"),
            ]
        else:
            blocked = linker.inference.compute_blocked_pairs_for_predict()
            scored = blocked.as_spark_dataframe().count()
            linker.table_management.register_blocked_pairs_for_predict(blocked)
            preds = [linker.inference.predict(threshold_match_probability=review, warning_mode="never")]
        for i, pred in enumerate(preds):
            frame = pred.as_spark_dataframe()
            if new_only:
                frame.persist()
                scored += frame.count()
            path = work / f"pairs_{i}"
            frame.where(frame.match_probability >= review).write.mode("overwrite").parquet(str(path))
            outputs.append(path)
    finally:
        linker.table_management.delete_tables_created_by_splink_from_db()
        for view in views.values():
            spark.catalog.dropTempView(view.physical_name)
    return scored, outputs


def register_functions(spark: Any) -> None:
    """The functions of FUNCTIONS on the Spark session (Arrow-batched Python UDFs, run by the executors'
    Python workers; jellyfish must be installed where they run)."""
    from pyspark.sql.functions import udf
    from pyspark.sql.types import DoubleType, LongType

    def jaro_winkler(a: str | None, b: str | None) -> float | None:
        import jellyfish

        return None if a is None or b is None else float(jellyfish.jaro_winkler_similarity(a, b))

    spark.udf.register("wb_jaro_winkler", udf(jaro_winkler, DoubleType(), useArrow=True))

    def damerau_levenshtein(a: str | None, b: str | None) -> int | None:
        import jellyfish

        return None if a is None or b is None else int(jellyfish.damerau_levenshtein_distance(a, b))

    # DuckDB's damerau_levenshtein keeps its name: Spark has none, so the model's condition calls this one
    spark.udf.register("damerau_levenshtein", udf(damerau_levenshtein, LongType(), useArrow=True))


def _tf_columns(saved: dict[str, Any]) -> list[str]:
    out = []
    for comparison in saved["comparisons"]:
        for level in comparison["comparison_levels"]:
            col = level.get("tf_adjustment_column")
            if col and col not in out:
                out.append(col)
    return out
