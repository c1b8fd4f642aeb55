"""The Splink model of who is who: input columns, comparisons, blocking rules and training plan.

Everything here is backend-neutral: comparisons are Splink *creator* objects (library levels and plain
SQL conditions written in the DuckDB dialect, which Splink transpiles with sqlglot), so the same model
runs on Splink's Spark backend (see docs/identity.md).

The household trap. Family members share an address, a surname and often a landline; Fellegi-Sunter
treats fields as independent, so a family would collect the evidence of all three and merge. Here the
surname, the address and the phone form ONE comparison (``household``): agreeing on all of them counts
about as much as sharing the address alone, while first name and birth date (person-level fields) stay
separate and their disagreement weighs heavily.
"""

from __future__ import annotations

from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on

# Splink input columns, built from ``records`` (see prepare.py); all VARCHAR except dob_date.
MATCH_COLUMNS = ("fn", "fn_root", "ln", "dob", "street", "unit", "zip", "city", "email", "phone")

# Which standardised fields a comparison needs (a comparison is left out when its data is absent).
FIELD_GROUPS = {
    "first_name": ("fn",),
    "birth_date": ("dob",),
    "household": ("ln", "street", "unit", "zip", "city", "phone"),
    "email": ("email",),
}
MIN_FILL = 0.01  # a field filled on fewer records than this share is treated as absent


def _first_name() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="first_name",
        comparison_description="First name: exact, nickname (same root), typo, initial, swapped with surname",
        comparison_levels=[
            cll.NullLevel("fn"),
            cll.ExactMatchLevel("fn").configure(tf_adjustment_column="fn", tf_minimum_u_value=0.0005,
                                                label_for_charts="exact"),
            # many-to-many nicknames: one is among the names the other may stand for (COLE / NICOLE, CURT /
            # COURTNEY; written with list_contains, which Splink's Spark dialect can read)
            cll.CustomLevel("fn_root_l = fn_root_r OR list_contains(fn_roots_l, fn_r) OR list_contains(fn_roots_r, fn_l)",
                            "same name (nickname)", base_dialect_str="duckdb"),
            cll.LevenshteinLevel("fn", 1).configure(label_for_charts="one-letter typo"),
            cll.JaroWinklerLevel("fn", 0.92).configure(label_for_charts="similar (Jaro-Winkler >= 0.92)"),
            cll.CustomLevel("(length(fn_l) = 1 OR length(fn_r) = 1) AND substr(fn_l, 1, 1) = substr(fn_r, 1, 1)",
                            "initial", base_dialect_str="duckdb"),
            cll.CustomLevel("fn_l = ln_r AND fn_r = ln_l", "swapped with surname", base_dialect_str="duckdb"),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


def _birth_date() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="birth_date",
        comparison_description="Birth date: exact, typo or day/month swapped, within a year",
        comparison_levels=[
            cll.NullLevel("dob"),
            cll.ExactMatchLevel("dob").configure(label_for_charts="exact"),
            cll.CustomLevel(
                "(CASE WHEN substr(dob_l, 1, 4) = substr(dob_r, 1, 4) THEN 1 ELSE 0 END + "
                "CASE WHEN substr(dob_l, 6, 2) = substr(dob_r, 6, 2) THEN 1 ELSE 0 END + "
                "CASE WHEN substr(dob_l, 9, 2) = substr(dob_r, 9, 2) THEN 1 ELSE 0 END) >= 2 "
                "OR (substr(dob_l, 1, 4) = substr(dob_r, 1, 4) AND substr(dob_l, 6, 2) = substr(dob_r, 9, 2) "
                "AND substr(dob_l, 9, 2) = substr(dob_r, 6, 2))",
                "typo (two of year, month, day agree) or day/month swapped", base_dialect_str="duckdb"),
            cll.AbsoluteDateDifferenceLevel("dob_date", input_is_string=False, threshold=366, metric="day")
            .configure(label_for_charts="within a year"),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


# Household evidence as SQL conditions over the _l/_r columns.
# One door: the same street line, or the same house number and street name (a directional or suffix written
# on one side only, one typing slip in a name of four letters or more: 2933 N GLOVER PT = 2933 GLOVER PT,
# 2072 SIMTH ST = 2072 SMITH ST); another flat is another door.
_SAME_STREET = ("(street_l = street_r OR (house_l = house_r AND (sname_l = sname_r OR "
                "(least(length(sname_l), length(sname_r)) >= 4 AND damerau_levenshtein(sname_l, sname_r) <= 1))))")
_SAME_ADDRESS = (f"({_SAME_STREET} AND (zip_l = zip_r OR city_l = city_r) "
                 "AND (unit_l IS NULL OR unit_r IS NULL OR unit_l = unit_r))")
_SAME_PHONE = "phone_l = phone_r"
_SURNAME = "(ln_l = ln_r OR jaro_winkler_similarity(ln_l, ln_r) >= 0.92)"
_NEARBY = "(zip_l = zip_r OR (jaro_winkler_similarity(street_l, street_r) >= 0.9 AND city_l = city_r))"


def _household() -> cl.CustomComparison:
    nothing = ("(ln_l IS NULL OR ln_r IS NULL) AND (street_l IS NULL OR street_r IS NULL) AND "
               "(zip_l IS NULL OR zip_r IS NULL) AND (city_l IS NULL OR city_r IS NULL) AND "
               "(phone_l IS NULL OR phone_r IS NULL)")
    return cl.CustomComparison(
        output_column_name="household",
        comparison_description="Surname, address and phone together (household-level evidence counted once)",
        comparison_levels=[
            cll.CustomLevel(nothing, "nothing to compare", base_dialect_str="duckdb").configure(is_null_level=True),
            cll.CustomLevel(f"{_SURNAME} AND ({_SAME_ADDRESS} OR {_SAME_PHONE})",
                            "same surname and address or phone", base_dialect_str="duckdb"),
            cll.CustomLevel(f"{_SAME_ADDRESS} OR {_SAME_PHONE}", "same address or phone, other surname",
                            base_dialect_str="duckdb"),
            cll.CustomLevel(f"ln_l = ln_r AND {_NEARBY}", "same surname, nearby", base_dialect_str="duckdb")
            .configure(tf_adjustment_column="ln", tf_minimum_u_value=0.0005, disable_tf_exact_match_detection=True),
            cll.CustomLevel("ln_l = ln_r", "same surname only", base_dialect_str="duckdb")
            .configure(tf_adjustment_column="ln", tf_minimum_u_value=0.0005, disable_tf_exact_match_detection=True),
            cll.CustomLevel(f"{_SURNAME} OR (ln_l = fn_r AND ln_r = fn_l)", "similar surname",
                            base_dialect_str="duckdb"),
            cll.CustomLevel(_NEARBY, "nearby, other surname", base_dialect_str="duckdb")
            .configure(tf_adjustment_column="zip", tf_minimum_u_value=0.0005, disable_tf_exact_match_detection=True),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


def _email() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="email",
        comparison_description="Email: exact (no fuzzy level: similar addresses belong to people with similar names)",
        comparison_levels=[
            cll.NullLevel("email"),
            cll.ExactMatchLevel("email").configure(label_for_charts="exact"),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


COMPARISONS = {"first_name": _first_name, "birth_date": _birth_date, "household": _household, "email": _email}


def comparisons_for(fields: set[str]) -> list[str]:
    """The comparisons the available fields support (household needs any one of its fields)."""
    out = []
    for name, cols in FIELD_GROUPS.items():
        if any(c in fields for c in cols):
            out.append(name)
    return out


def prediction_rules(fields: set[str]) -> list[Any]:
    """Blocking rules that generate candidate pairs; each stays small at 10M records (see docs)."""
    rules = []
    has = fields.__contains__
    if has("email"):
        rules.append(block_on("email_block"))
    if has("phone"):
        rules.append(block_on("phone_block"))
    if has("ln") and has("dob"):
        rules.append(block_on("ln", "dob"))
    if has("fn") and has("dob"):
        rules.append(block_on("fn_root", "dob"))
    if has("ln") and has("zip"):
        rules.append(block_on("ln", "zip"))
    if has("street"):
        rules.append(block_on("addr_block", "zip"))
    if has("fn") and has("ln"):
        rules.append(block_on("fn_root", "ln", "zip3"))
    if has("dob") and has("zip"):
        rules.append(block_on("dob", "zip"))
    if has("fn") and has("ln"):
        rules.append(block_on("name_block"))  # rare first name + surname anywhere
    if has("fn") and has("zip"):
        rules.append(block_on("fn_zip_block"))  # rare first name in a ZIP (surname typo or change)
    # more ways to meet for thin and misspelt records: a sound-alike surname with the first initial and ZIP3,
    # or with the birth date; house number and the start of the street name in a ZIP3 (each key blanked
    # where more than BLOCK_LIMIT["sound"] records share it)
    if has("ln") and has("zip"):
        rules.append(block_on("sound_zip3_block"))
    if has("ln") and has("dob"):
        rules.append(block_on("sound_dob_block"))
    if has("street"):
        rules.append(block_on("house_block"))
    # a single field whose value few records share (every value, on small data; the rare ones at scale)
    for column, block in (("dob", "dob_block"), ("ln", "ln_block"), ("fn", "fn_block"), ("street", "street_block")):
        if has(column):
            rules.append(block_on(block))
    return rules


def training_rules(fields: set[str]) -> list[Any]:
    """EM sessions: each comparison is estimated in at least one (a session cannot train the comparisons
    whose columns it blocks on)."""
    has = fields.__contains__
    rules = []
    if has("fn") and has("ln"):
        rules.append(block_on("fn_root", "ln"))  # trains birth date, email
    if has("dob"):
        rules.append(block_on("dob"))  # trains first name, household, email
    if has("email"):
        rules.append(block_on("email_block"))  # trains first name, birth date, household
    if has("street") or has("phone") or has("zip"):
        rules.append(block_on("zip", "substr(fn_root, 1, 2)") if has("zip") and has("fn") else block_on("zip"))
    return rules


def deterministic_rules(fields: set[str]) -> list[str]:
    """Rules of near-certain matches (used to estimate how often two random records match)."""
    has = fields.__contains__
    rules = []
    if has("email") and has("fn"):
        rules.append("l.email = r.email AND l.fn_root = r.fn_root")
    if has("fn") and has("ln") and has("dob"):
        rules.append("l.fn_root = r.fn_root AND l.ln = r.ln AND l.dob = r.dob")
    if has("fn") and has("ln") and has("street"):
        rules.append("l.fn_root = r.fn_root AND l.ln = r.ln AND l.street = r.street AND l.zip = r.zip")
    if has("phone") and has("fn"):
        rules.append("l.phone = r.phone AND l.fn_root = r.fn_root")
    return rules


def settings_for(fields: set[str]) -> SettingsCreator:
    names = comparisons_for(fields)
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[COMPARISONS[n]() for n in names],
        blocking_rules_to_generate_predictions=prediction_rules(fields),
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
        additional_columns_to_retain=[],
        max_iterations=20,
        em_convergence=0.001,
    )
