"""Escape during a long Spark stage: the stage's heartbeat hears the cancel, every Spark job of the session is
cancelled and the run stops with the match run's own "cancelled" (its transaction rolls back). A fake Spark
context stands in for the JVM: what is tested is the watch, not Spark."""

from __future__ import annotations

import threading
import time

import pytest

from workbench.identity.engines.spark import SparkWatch
from workbench.identity.run import MatchCancelled, _cancellable


class FakeSpark:
    def __init__(self):
        self.cancelled_jobs = threading.Event()
        self.sparkContext = self

    def cancelAllJobs(self):  # noqa: N802 - Spark's name
        self.cancelled_jobs.set()


def _long_stage(spark: FakeSpark, seconds: float = 30.0):
    if spark.cancelled_jobs.wait(seconds):
        raise RuntimeError("org.apache.spark.SparkException: Job 3 cancelled as part of cancellation of all jobs")
    return "scored"


def test_a_cancel_stops_the_spark_jobs_and_the_run():
    spark, stop, seen = FakeSpark(), threading.Event(), []
    step = _cancellable(lambda m, f: seen.append(m), stop.is_set)
    timer = threading.Timer(0.15, stop.set)
    timer.start()
    t0 = time.monotonic()
    with pytest.raises(MatchCancelled) as got, SparkWatch(spark, step, "scoring on Spark", 0.42, every=0.05) as w:
        w.run(lambda: _long_stage(spark))
    assert time.monotonic() - t0 < 5 and spark.cancelled_jobs.is_set()
    assert got.value.message == "Matching cancelled." and "unchanged" in got.value.hint
    assert seen and seen[0] == "scoring on Spark (0 min 00 s)"


def test_without_a_cancel_the_stage_reports_its_time_and_returns():
    spark, seen = FakeSpark(), []
    step = _cancellable(lambda m, f: seen.append((m, f)), lambda: False)
    with SparkWatch(spark, step, "scoring on Spark", 0.42, every=0.05) as w:
        assert w.run(lambda: _long_stage(spark, 0.3)) == "scored"
    assert not spark.cancelled_jobs.is_set()
    assert len(seen) >= 3 and all(f == 0.42 for _m, f in seen)
    assert not [t for t in threading.enumerate() if t.name == "workbench-spark-watch"]


def test_a_spark_failure_without_a_cancel_stays_what_it_is():
    spark = FakeSpark()
    step = _cancellable(lambda m, f: None, lambda: False)

    def broken():
        raise RuntimeError("java.lang.OutOfMemoryError: Java heap space")

    with pytest.raises(RuntimeError, match="heap space"), SparkWatch(spark, step, "x", 0.42, every=0.05) as w:
        w.run(broken)
