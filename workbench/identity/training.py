"""Training the model on the data itself (Splink: u by random sampling, m by EM), saving and reusing it.

A trained model is saved in ``match_models`` as Splink's own JSON and reused by every later run until the
operator retrains (``workbench match --retrain``) or the fields the data carries change. With too little to
train on, the deterministic rules of rules.py stand in (method ``rules``).

A model trained before on the very same input (the demo's, shipped beside its data: ``demo_db/match_model.json``)
stands in for training only when its :func:`input_fingerprint` is the one of the input now: the same records
in the same match columns, the same fields, the same training recipe (settings, rules, floors, this module's
training code, the Splink and DuckDB versions). Anything else trains as usual.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
import math
from dataclasses import dataclass
from typing import Any

import duckdb
from splink import DuckDBAPI, Linker

from workbench import clock
from workbench.identity import model
from workbench.identity.prepare import INPUT_TABLE
from workbench.store.sql import rows, run, scalar

MIN_TRAIN_RECORDS = 200  # below this, EM has too few duplicates to learn from
M_FLOOR = 0.0005  # a level never seen among matches still happens: no infinite weights
# Priors EM cannot be trusted to find on its own (it settles on "never" when it starts from "rarely"): one
# person's records do carry a wrong birth date or an unrelated first name now and then (data entry, a
# spouse's details on an account), so these disagreements weigh heavily but not infinitely.
LEVEL_M_FLOORS = {("first_name", "different"): 0.01, ("birth_date", "different"): 0.01,
                  ("birth_date", "within a year"): 0.003}
U_FLOOR = 1e-7
SPLINK_LOG = logging.ERROR  # keep Splink's own logging quiet (the workbench reports)


@dataclass
class SavedModel:
    model_id: int
    method: str  # splink | rules
    fields: list[str]
    model: dict[str, Any] | None
    note: str = ""


class WorkbenchDuckDBAPI(DuckDBAPI):
    """Splink's DuckDB backend on the workbench's own connection, inside the match run's transaction.

    Splink probes for tables by running a statement and catching the error; inside an explicit DuckDB
    transaction any error aborts the transaction, so these probes ask the catalog (or remember) instead."""

    def _kind(self, name: str) -> str | None:
        got = self._con.execute(
            "SELECT 'table' FROM duckdb_tables() WHERE table_name = ? "
            "UNION ALL SELECT 'view' FROM duckdb_views() WHERE view_name = ? AND NOT internal", [name, name]).fetchall()
        return got[0][0] if got else None

    def table_exists_in_database(self, table_name: str) -> bool:
        return self._kind(table_name) is not None

    def _setup_for_execute_sql(self, sql: str, physical_name: str) -> str:
        # Splink's working tables are TEMP: inside the match run's transaction a persistent table would be
        # written to the database file (DuckDB writes big uncommitted inserts optimistically) only to be dropped.
        self.delete_table_from_database(physical_name)
        return f"CREATE TEMP TABLE {physical_name} AS\n{sql}"

    def _create_or_replace_temp_view(self, name: str, physical: str) -> None:
        self._views = getattr(self, "_views", set()) | {name}
        super()._create_or_replace_temp_view(name, physical)

    def _table_registration(self, input: Any, table_name: str) -> None:
        self._views = getattr(self, "_views", set()) | {table_name}
        super()._table_registration(input, table_name)

    def delete_table_from_database(self, name: str) -> None:
        kind = "view" if name in getattr(self, "_views", ()) else "table"
        self._execute_sql_against_backend(f"DROP {kind.upper()} IF EXISTS {name}")


def splink_api(conn: duckdb.DuckDBPyConnection) -> DuckDBAPI:
    return WorkbenchDuckDBAPI(connection=conn)


def input_frame(api: DuckDBAPI, table: str = INPUT_TABLE):
    """The Splink dataframe over one of our (temp) tables."""
    return api.table_to_splink_dataframe(f"__splink__{table}", table)


def latest_model(conn: duckdb.DuckDBPyConnection) -> SavedModel | None:
    got = rows(conn, "SELECT model_id, method, fields, model, note FROM match_models ORDER BY model_id DESC LIMIT 1")
    if not got:
        return None
    r = got[0]
    return SavedModel(r["model_id"], r["method"], list(r["fields"] or []),
                      json.loads(r["model"]) if r["model"] else None, r["note"] or "")


def save_model(conn: duckdb.DuckDBPyConnection, method: str, fields: set[str], records: int,
               trained: dict[str, Any] | None, note: str) -> SavedModel:
    model_id = (scalar(conn, "SELECT coalesce(max(model_id), 0) FROM match_models") or 0) + 1
    run(conn, "INSERT INTO match_models VALUES (?, ?, ?, ?, ?, ?, ?)",
        [model_id, clock.now(), method, sorted(fields), records, json.dumps(trained) if trained else None, note])
    return SavedModel(model_id, method, sorted(fields), trained, note)


def why_not_trainable(records: int, fields: set[str]) -> str | None:
    """A plain reason when the data cannot train a model (None when it can)."""
    if records < MIN_TRAIN_RECORDS:
        return (f"only {records:,} people records (training needs at least {MIN_TRAIN_RECORDS:,}); "
                "using exact rules instead")
    if "fn" not in fields and "ln" not in fields:
        return "the records carry no names; using exact rules instead"
    if len(model.comparisons_for(fields)) < 2:
        return "too few fields to compare; using exact rules instead"
    return None


def train(conn: duckdb.DuckDBPyConnection, fields: set[str], records: int) -> dict[str, Any]:
    """Train on ``_match_input``; returns the regularised Splink model JSON (raises on failure)."""
    api = splink_api(conn)
    linker = Linker(input_frame(api), model.settings_for(fields), log_level=SPLINK_LOG)
    try:
        rules = model.deterministic_rules(fields)
        if rules:
            linker.training.estimate_probability_two_random_records_match(rules, recall=0.7)
        max_pairs = min(5e6, max(1e6, records * 10.0))
        linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=42)
        trained = 0
        for rule in model.training_rules(fields):
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    rule, max_pairs=min(1e6, max(2e5, records * 0.5)))
                trained += 1
            except Exception as exc:  # a rule with no pairs in this data: try the next
                logging.getLogger(__name__).info("EM session %s skipped: %s", rule, exc)
        if not trained:
            raise RuntimeError("no EM session found pairs to learn from")
        saved = linker.misc.save_model_to_json()
    finally:
        linker.table_management.delete_tables_created_by_splink_from_db()
    return regularise(saved, exact_u_floors(conn, fields))


# Exact levels whose u (the chance two random records agree) is computed from the data, not sampled: a sample
# of random pairs rarely holds two records sharing a birth date, and a u of ~0 gives "same birth date"
# 20+ bits, enough to merge two strangers born on the same day.
EXACT_U = {("birth_date", "exact"): "dob", ("email", "exact"): "email"}


def exact_u_floors(conn: duckdb.DuckDBPyConnection, fields: set[str]) -> dict[tuple[str, str], float]:
    """u of the exact levels in EXACT_U: the sum over values of (share of records with that value)^2."""
    out = {}
    for key, column in EXACT_U.items():
        if column not in fields:
            continue
        got = scalar(conn, f"""SELECT sum(n * n) / (sum(n) * sum(n)) FROM
            (SELECT count(*)::DOUBLE AS n FROM {INPUT_TABLE} WHERE {column} IS NOT NULL GROUP BY {column})""")
        if got:
            out[key] = float(got)
    return out


def regularise(saved: dict[str, Any], u_floors: dict[tuple[str, str], float] | None = None) -> dict[str, Any]:
    """Fill parameters the data could not estimate and floor the rest, so no level has an infinite or
    missing weight (``u_floors``: per (comparison, level label), a u computed from the data). m and u are
    renormalised over each comparison's non-null levels."""
    u_floors = u_floors or {}
    for comparison in saved["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        name = comparison["output_column_name"]
        for key, floor in (("m_probability", M_FLOOR), ("u_probability", U_FLOOR)):
            values = [lv.get(key) for lv in levels]
            known = [v for v in values if v is not None and not math.isnan(v)]
            for lv, v in zip(levels, values, strict=True):
                label = (name, lv.get("label_for_charts"))
                low = LEVEL_M_FLOORS.get(label, floor) if key == "m_probability" else u_floors.get(label, floor)
                lv[key] = max(low, v if v is not None and not math.isnan(v) else floor)
            total = sum(lv[key] for lv in levels)
            if known and total > 0:
                for lv in levels:
                    lv[key] = lv[key] / total
    lam = saved.get("probability_two_random_records_match")
    if not lam or lam <= 0 or lam >= 1:
        saved["probability_two_random_records_match"] = 1e-4
    return saved


def level_labels(saved: dict[str, Any]) -> list[tuple[str, dict[int, str]]]:
    """Per comparison: (name, {gamma value: label}) as Splink numbers levels (null = -1, last = 0)."""
    out = []
    for comparison in saved["comparisons"]:
        levels = comparison["comparison_levels"]
        non_null = [lv for lv in levels if not lv.get("is_null_level")]
        labels = {-1: "not compared (missing)"}
        for i, lv in enumerate(non_null):
            labels[len(non_null) - 1 - i] = lv.get("label_for_charts") or lv.get("sql_condition", "")
        out.append((comparison["output_column_name"], labels))
    return out


# ------------------------------------------------------------------------------------------- a model trained before


def input_fingerprint(conn: duckdb.DuckDBPyConnection, fields: set[str], table: str = INPUT_TABLE) -> str:
    """What :func:`train` would learn from, as one digest: every row of ``table`` in every column (in
    record id order), the fields, and the training recipe. Equal fingerprints train equal models (up to
    the last bits of floating-point sums, which DuckDB adds up in no fixed order)."""
    import splink

    data = scalar(conn, f"SELECT md5(coalesce(string_agg(t::VARCHAR, chr(10) ORDER BY unique_id), '')) FROM {table} t")
    settings = model.settings_for(fields).create_settings_dict("duckdb")
    settings.pop("linker_uid", None)
    recipe = {
        "fields": sorted(fields), "settings": settings,
        "training_rules": [str(r.get_blocking_rule("duckdb").blocking_rule_sql) for r in model.training_rules(fields)],
        "deterministic_rules": model.deterministic_rules(fields),
        "floors": [M_FLOOR, U_FLOOR, MIN_TRAIN_RECORDS, sorted(map(list, LEVEL_M_FLOORS.items())),
                   sorted(map(list, EXACT_U.items()))],
        "code": [inspect.getsource(f) for f in (train, regularise, exact_u_floors)],
        "versions": [splink.__version__, duckdb.__version__],
    }
    return hashlib.sha256((data + json.dumps(recipe, sort_keys=True, default=str)).encode()).hexdigest()


def pretrained_model(conn: duckdb.DuckDBPyConnection, pretrained: dict[str, Any] | None, fields: set[str],
                     records: int) -> dict[str, Any] | None:
    """The model of ``pretrained`` (a :func:`pretrained_entry`) when it was trained on exactly this input,
    else None (then the caller trains)."""
    if not pretrained or pretrained.get("fields") != sorted(fields) or pretrained.get("trained_on") != records:
        return None
    try:
        fits = pretrained.get("fingerprint") == input_fingerprint(conn, fields)
    except (OSError, TypeError):  # no source to read (a frozen install): train
        return None
    return json.loads(json.dumps(pretrained["model"])) if fits else None


def pretrained_entry(conn: duckdb.DuckDBPyConnection, saved: SavedModel, records: int) -> dict[str, Any]:
    """A trained model with the fingerprint of the input it was trained on (``_match_input`` as it is now)."""
    return {"fingerprint": input_fingerprint(conn, set(saved.fields)), "fields": sorted(saved.fields),
            "trained_on": records, "model": saved.model}
