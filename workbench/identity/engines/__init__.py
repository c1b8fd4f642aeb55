"""Where Splink scores the candidate pairs: ``duckdb`` (in the database's own connection, the default) or
``spark`` (Splink's Spark backend, on ``local[N]`` or a cluster).

Both engines run the same saved model (comparisons, blocking rules, term frequencies, trained parameters)
on the same prepared records (``_match_input``); the Spark engine hands back Splink's scored pairs as a
DuckDB table, and everything after scoring (guard, clustering, decisions, person ids, golden records, the
change report) is the same code for both.

Settings (per database, the ``settings`` table; ``workbench match --engine`` overrides the engine for a run):

| key | default | meaning |
| --- | --- | --- |
| ``identity.engine`` | ``duckdb`` | ``duckdb`` or ``spark`` |
| ``identity.spark.master`` | ``local[2]`` | ``local[N]`` or a cluster's master URL (``spark://host:7077``, ``yarn``) |
| ``identity.spark.conf`` | ``{}`` | Spark settings as a JSON object (``{"spark.executor.memory": "8g"}``) |
| ``identity.spark.work_dir`` | a temp folder | where the Parquet hand-over is written (shared storage on a cluster) |
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import duckdb

from workbench.errors import ConfigError
from workbench.store.sql import rows

ENGINES = ("duckdb", "spark")
DEFAULT_MASTER = "local[2]"
SETTING_KEYS = ("identity.engine", "identity.spark.master", "identity.spark.conf", "identity.spark.work_dir")

Progress = Callable[[str, float], None]


@dataclass
class EngineConfig:
    name: str = "duckdb"
    master: str = DEFAULT_MASTER
    conf: dict[str, str] = field(default_factory=dict)
    work_dir: str | None = None


@dataclass
class Predicted:
    """Splink's predictions, back in DuckDB: temp tables with Splink's predict columns (``unique_id_l``,
    ``unique_id_r``, ``match_probability``, ``match_weight``, ``gamma_*``, ``mw_*``, ``mw_tf_adj_*``), and the
    number of candidate pairs scored."""

    tables: list[str]
    scored: int


class Engine(Protocol):
    def predict(
        self,
        conn: duckdb.DuckDBPyConnection,
        saved: dict[str, Any],
        review: float,
        new_only: bool,
        progress: Progress | None = None,
    ) -> Predicted: ...


def engine_config(conn: duckdb.DuckDBPyConnection, override: str | None = None) -> EngineConfig:
    """The engine settings of this database (``override``: the engine named on the command line)."""
    got = {
        r["key"]: r["value"]
        for r in rows(
            conn,
            f"SELECT key, value FROM settings WHERE key IN ({', '.join('?' * len(SETTING_KEYS))})",
            list(SETTING_KEYS),
        )
    }
    name = (override or got.get("identity.engine") or "duckdb").strip().lower()
    if name not in ENGINES:
        where = "--engine" if override else "setting identity.engine"
        raise ConfigError(
            f"unknown identity engine {name!r} ({where}).",
            f"Use one of: {', '.join(ENGINES)}.",
            field="identity.engine",
        )
    conf_text = got.get("identity.spark.conf") or "{}"
    try:
        conf = json.loads(conf_text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"setting identity.spark.conf is not JSON ({exc.msg} at character {exc.pos}).",
            'Write Spark settings as a JSON object: {"spark.executor.memory": "8g"}.',
            field="identity.spark.conf",
        ) from None
    if not isinstance(conf, dict) or not all(isinstance(k, str) for k in conf):
        raise ConfigError(
            "setting identity.spark.conf must be a JSON object of Spark settings.",
            'For example {"spark.executor.memory": "8g"}.',
            field="identity.spark.conf",
        )
    master = (got.get("identity.spark.master") or DEFAULT_MASTER).strip()
    return EngineConfig(
        name=name,
        master=master,
        conf={k: str(v) for k, v in conf.items()},
        work_dir=got.get("identity.spark.work_dir") or None,
    )


def engine_for(config: EngineConfig) -> Engine | None:
    """The engine to score with (None: the DuckDB engine of scoring.py)."""
    if config.name == "duckdb":
        return None
    from workbench.identity.engines.spark import SparkEngine

    return SparkEngine(config)


def save_settings(
    store: Any,
    engine: str | None = None,
    master: str | None = None,
    conf: dict[str, str] | None = None,
    work_dir: str | None = None,
) -> None:
    """Save the given engine settings as this database's (``workbench match --engine/--spark-*``); ``conf``
    is merged into the saved Spark settings (an empty value removes a key)."""
    if engine is not None:
        if engine.lower() not in ENGINES:
            raise ConfigError(
                f"unknown identity engine {engine!r}.",
                f"Use one of: {', '.join(ENGINES)}.",
                field="identity.engine",
            )
        store.set_setting("identity.engine", engine.lower())
    if master is not None:
        store.set_setting("identity.spark.master", master.strip() or None)
    if conf:
        with store.connect(read_only=True) as conn:
            merged = engine_config(conn, "duckdb").conf
        merged.update(conf)
        store.set_setting("identity.spark.conf", json.dumps({k: v for k, v in merged.items() if v != ""}))
    if work_dir is not None:
        store.set_setting("identity.spark.work_dir", work_dir or None)


def parse_conf(pairs: tuple[str, ...]) -> dict[str, str]:
    """``KEY=VALUE`` pairs (``--spark-conf spark.executor.memory=8g``) as a dict."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(
                f"--spark-conf {pair!r} is not KEY=VALUE.",
                "For example --spark-conf spark.executor.memory=8g.",
                field="identity.spark.conf",
            )
        out[key.strip()] = value.strip()
    return out
