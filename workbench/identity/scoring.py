"""Scoring merge candidates: Splink's predict (all records, or new records against the rest) into
``match_pairs``, or the deterministic rules when there is no trained model.

Each kept pair (probability >= the review threshold) gets a status: ``auto`` (>= auto_accept: merged without
review), ``held`` (>= auto_accept but held for review by the optional household guard, setting
``identity.household_guard``, on by default, see below) or ``review``.
"""

from __future__ import annotations

from typing import Any

import duckdb
from splink import Linker

from workbench.errors import ConfigError
from workbench.identity.engines import Engine, Progress
from workbench.identity.prepare import INPUT_TABLE
from workbench.identity.training import SPLINK_LOG, input_frame, level_labels, splink_api
from workbench.store.sql import run, scalar

# The household guard. Sharing a household is no evidence of being the same person, so a pair of one household
# is held for review (never merged automatically) when:
#   - the first names differ and the email is the same (a family email: the.kowalskis@...) and the birth dates
#     do not agree (the same birth date, email and door is one person whose first name was written another
#     way: J M / JACOB, KENBETH / KEN; on held-out seed 5 all 20 such pairs were one person), or
#   - a first name is missing and neither the birth date nor the email agrees (nothing but the household).
# Otherwise one record without a first name would chain a whole family into one person.
HELD_HOUSEHOLD = "one household, first names differ or missing"
GUARD_HOUSEHOLD_LABELS = ("same surname and address or phone", "same address or phone, other surname",
                          "same surname, nearby")


def _guard_sql(saved: dict[str, Any]) -> str:
    labels = dict(level_labels(saved))
    fn, hh = labels.get("first_name"), labels.get("household")
    if not fn or not hh:
        return "false"

    def gammas(comparison: str, wanted: tuple[str, ...]) -> str | None:
        got = [g for g, lab in labels.get(comparison, {}).items() if lab in wanted]
        return f"gamma_{comparison} IN ({', '.join(map(str, got))})" if got else None

    same_household = gammas("household", GUARD_HOUSEHOLD_LABELS)
    fn_diff = gammas("first_name", ("different",))
    email_same = gammas("email", ("exact",)) or "false"
    dob_same = gammas("birth_date", ("exact",)) or "false"
    if not same_household or not fn_diff:
        return "false"
    return (f"({same_household} AND (({fn_diff} AND {email_same} AND NOT ({dob_same})) OR "
            f"(gamma_first_name = -1 AND NOT ({dob_same}) AND NOT ({email_same}))))")


def _insert_predictions(conn: duckdb.DuckDBPyConnection, table: str, saved: dict[str, Any], columns: set[str],
                        auto: float, review: float, run_id: int, guard: bool) -> None:
    names = [c["output_column_name"] for c in saved["comparisons"]]
    levels = ", ".join(f"gamma_{n}" for n in names)
    weights = ", ".join(f"mw_{n}" + (f" + coalesce(mw_tf_adj_{n}, 0)" if f"mw_tf_adj_{n}" in columns else "")
                        for n in names)
    held = f"(match_probability >= {float(auto)!r} AND {_guard_sql(saved) if guard else 'false'})"
    run(conn, f"""INSERT INTO match_pairs (record_id_l, record_id_r, probability, match_weight, status, levels,
            weights, run_id, reason, held_by)
        SELECT least(unique_id_l, unique_id_r), greatest(unique_id_l, unique_id_r), match_probability, match_weight,
            CASE WHEN {held} THEN 'held' WHEN match_probability >= ? THEN 'auto' ELSE 'review' END,
            [{levels}]::TINYINT[], [{weights}]::FLOAT[], ?,
            CASE WHEN {held} THEN '{HELD_HOUSEHOLD}' END, CASE WHEN {held} THEN 'pair' END
        FROM {table} WHERE match_probability >= ?""", [auto, run_id, review])


# A full match scores the blocked pairs in slices of the records (Splink's predict_chunk: the left record of
# each pair falls in one slice), each slice's kept pairs written before the next is scored, so memory holds one
# slice's comparison vectors instead of every pair's. Setting ``identity.predict_chunk_records``.
CHUNK_RECORDS = 2_500_000


def chunk_count(conn: duckdb.DuckDBPyConnection, records: int) -> int:
    """How many slices a full match of ``records`` records is scored in (1 up to the setting's size)."""
    got = scalar(conn, "SELECT value FROM settings WHERE key = 'identity.predict_chunk_records'")
    hint = f"Set it to a whole number of records above 0, e.g. {CHUNK_RECORDS} (the default)."
    try:
        size = int(got) if got is not None else CHUNK_RECORDS
    except ValueError:
        raise ConfigError(f"Setting identity.predict_chunk_records is {got!r}, not a whole number.", hint) from None
    if size < 1:
        raise ConfigError(f"Setting identity.predict_chunk_records is {size}.", hint)
    return max(1, -(-records // size))


def score_all(conn: duckdb.DuckDBPyConnection, saved: dict[str, Any], auto: float, review: float,
              run_id: int, guard: bool = False, progress: Progress | None = None) -> int:
    """Score every blocked pair of ``_match_input``, slice by slice (``chunk_count``); returns the number of
    pairs scored. ``progress`` hears of each slice (between slices is where Escape stops a long match)."""
    api = splink_api(conn)
    linker = Linker(input_frame(api), saved, log_level=SPLINK_LOG)
    records = scalar(conn, f"SELECT count(*) FROM {INPUT_TABLE}") or 0
    chunks = chunk_count(conn, records)
    scored = 0
    try:
        for i in range(1, chunks + 1):
            if progress is not None and chunks > 1:
                progress(f"scoring merge candidates, slice {i} of {chunks}", 0.35 + 0.4 * (i - 1) / chunks)
            blocked = linker.inference.compute_blocked_pairs_for_predict_chunk(left_chunk=(i, chunks),
                                                                                right_chunk=(1, 1))
            scored += scalar(conn, f"SELECT count(*) FROM {blocked.physical_name}") or 0
            pred = linker.inference.predict_chunk(left_chunk=(i, chunks), right_chunk=(1, 1),
                                                  threshold_match_probability=review, warning_mode="never")
            cols = {c.unquote().name for c in pred.columns}
            _insert_predictions(conn, pred.physical_name, saved, cols, auto, review, run_id, guard)
            pred.drop_table_from_database_and_remove_from_cache()
            blocked.drop_table_from_database_and_remove_from_cache()
    finally:
        linker.table_management.delete_tables_created_by_splink_from_db()
    return scored


def score_new(conn: duckdb.DuckDBPyConnection, saved: dict[str, Any], auto: float, review: float,
              run_id: int, guard: bool = False) -> int:
    """Score new/changed records (``_match_new``) against each other and against the rest (``_match_old``),
    with term frequencies from all records. Returns the number of pairs scored."""
    api = splink_api(conn)
    linker = Linker(input_frame(api), saved, log_level=SPLINK_LOG)
    try:
        for column in _tf_columns(saved):
            linker.table_management.compute_tf_table(column)
        new, old = input_frame(api, "_match_new"), input_frame(api, "_match_old")
        scored = 0
        for pred in (linker.inference.predict_within(new, warning_mode="never"),
                     linker.inference.predict_between(old, new, warning_mode="never")):
            scored += scalar(conn, f"SELECT count(*) FROM {pred.physical_name}") or 0
            cols = {c.unquote().name for c in pred.columns}
            _insert_predictions(conn, pred.physical_name, saved, cols, auto, review, run_id, guard)
    finally:
        linker.table_management.delete_tables_created_by_splink_from_db()
    return scored


def score_with_engine(conn: duckdb.DuckDBPyConnection, engine: Engine, saved: dict[str, Any], auto: float,
                      review: float, run_id: int, guard: bool, new_only: bool, progress: Progress | None = None) -> int:
    """Score on another engine (engines/): it returns Splink's predictions as DuckDB tables, which are kept
    exactly as the DuckDB engine's are. Returns the number of pairs scored."""
    predicted = engine.predict(conn, saved, review, new_only, progress)
    for table in predicted.tables:
        cols = {r[0] for r in conn.execute(f"DESCRIBE {table}").fetchall()}
        _insert_predictions(conn, table, saved, cols, auto, review, run_id, guard)
        run(conn, f"DROP TABLE IF EXISTS {table}")
    return predicted.scored


def _tf_columns(saved: dict[str, Any]) -> list[str]:
    out = []
    for comparison in saved["comparisons"]:
        for level in comparison["comparison_levels"]:
            col = level.get("tf_adjustment_column")
            if col and col not in out:
                out.append(col)
    return out


def split_input(conn: duckdb.DuckDBPyConnection, new_ids_table: str) -> int:
    """``_match_new`` / ``_match_old``: the input split by whether the record is new or changed."""
    run(conn, f"CREATE OR REPLACE TEMP TABLE _match_new AS SELECT * FROM {INPUT_TABLE} "
              f"WHERE unique_id IN (SELECT record_id FROM {new_ids_table})")
    run(conn, f"CREATE OR REPLACE TEMP TABLE _match_old AS SELECT * FROM {INPUT_TABLE} "
              f"WHERE unique_id NOT IN (SELECT record_id FROM {new_ids_table})")
    return scalar(conn, "SELECT count(*) FROM _match_new") or 0
