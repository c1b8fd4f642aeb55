"""Deterministic matching for when there is not enough data to train a model.

Three exact rules, each near-certain on its own:
- the same email address (and first names that do not contradict each other);
- the same phone and surname, and first names that do not contradict each other (a shared landline alone
  would merge a family);
- the same first name (nickname-aware), surname and standardised address.
Pairs found are merged (probability 1.0); nothing goes to review.
"""

from __future__ import annotations

import duckdb

from workbench.identity.prepare import INPUT_TABLE
from workbench.store.sql import run, scalar

_FIRST_NAMES_AGREE = "(l.fn_root IS NULL OR r.fn_root IS NULL OR l.fn_root = r.fn_root)"

RULES = {
    "same email": f"l.email = r.email AND {_FIRST_NAMES_AGREE}",
    "same phone and surname": f"l.phone = r.phone AND l.ln = r.ln AND {_FIRST_NAMES_AGREE}",
    "same name and address": "l.fn_root = r.fn_root AND l.ln = r.ln AND l.street = r.street "
                             "AND coalesce(l.unit, '') = coalesce(r.unit, '') AND l.zip = r.zip",
}
RULE_NAMES = tuple(RULES)


def score_rules(conn: duckdb.DuckDBPyConnection, run_id: int, new_only: bool) -> int:
    """Insert the pairs the rules find (all pairs, or those touching ``_match_new``). Returns pairs found."""
    scope = "AND (l.unique_id IN (SELECT unique_id FROM _match_new) OR r.unique_id IN (SELECT unique_id FROM _match_new))" \
        if new_only else ""
    parts = []
    for i, condition in enumerate(RULES.values()):
        parts.append(f"SELECT l.unique_id AS a, r.unique_id AS b, {i} AS rule FROM {INPUT_TABLE} l "
                     f"JOIN {INPUT_TABLE} r ON {condition} AND l.unique_id < r.unique_id {scope}")
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _rule_pairs AS
        SELECT a, b, min(rule) AS rule FROM ({' UNION ALL '.join(parts)}) GROUP BY a, b""")
    run(conn, """INSERT INTO match_pairs (record_id_l, record_id_r, probability, match_weight, status,
                 levels, weights, run_id) SELECT a, b, 1.0, NULL, 'auto', [rule]::TINYINT[], NULL, ?
                 FROM _rule_pairs""", [run_id])
    found = scalar(conn, "SELECT count(*) FROM _rule_pairs") or 0
    run(conn, "DROP TABLE IF EXISTS _rule_pairs")
    return found
