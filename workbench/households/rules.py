"""Household rules an operator can set (stored in ``settings``), and the SQL macros householding uses.

Settings (``workbench households --head-rule ...`` or ``store.set_setting``):

- ``households.head_rule``: how the head of household (the recipient) is chosen: a comma list of
  ``term [asc|desc]``, the first term deciding, the next breaking ties. Terms: ``spend_12m`` (net spend in
  the last 12 months: orders not returned), ``orders_12m``, ``spend_total``, ``last_order``,
  ``first_seen`` (earliest customer first with ``asc``), ``age`` (oldest first with ``desc``),
  ``records`` (people records of the person), ``person_id``. Default
  ``spend_12m desc, first_seen asc, person_id asc``; ``person_id asc`` is always appended as the last tie-break.
- ``households.partners``: ``marked`` (default): different surnames at one address are one household only
  with evidence: an operator's decision (a marked partner) or a phone number or email they share; without
  it they are roommates (separate households, one address). ``probable``: at an address that is not
  crowded, people with different surnames are one household (probable partners; they go to review).
- ``households.crowded_people``: more than this many people at one address without unit numbers is a
  crowded address (a dorm, a business, a missing apartment number): surnames only, and a review item.
  Default 6.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from workbench.errors import ConfigError
from workbench.store.sql import rows

HEAD_RULE_KEY = "households.head_rule"
PARTNERS_KEY = "households.partners"
CROWDED_KEY = "households.crowded_people"
DEFAULT_HEAD_RULE = "spend_12m desc, first_seen asc, person_id asc"
PARTNER_MODES = ("probable", "marked")
DEFAULT_PARTNERS = "marked"  # roommates stay apart at the household level (issue 11)
DEFAULT_CROWDED = 6

# term -> (SQL over the member table m, NULLs sort last either way)
HEAD_TERMS = {
    "spend_12m": "m.spend_12m",
    "orders_12m": "m.orders_12m",
    "spend_total": "m.spend_total",
    "last_order": "m.last_order",
    "first_seen": "m.first_seen",
    "age": "m.age_days",
    "records": "m.record_count",
    "person_id": "m.person_id",
}


@dataclass(frozen=True)
class HouseholdRules:
    head_rule: tuple[tuple[str, str], ...]
    partners: str = DEFAULT_PARTNERS
    crowded_people: int = DEFAULT_CROWDED

    @property
    def head_rule_text(self) -> str:
        return ", ".join(f"{term} {direction}" for term, direction in self.head_rule)


def parse_head_rule(text: str) -> tuple[tuple[str, str], ...]:
    """``"spend_12m desc, first_seen"`` -> (("spend_12m", "desc"), ("first_seen", "asc"), ("person_id", "asc"))."""
    terms: list[tuple[str, str]] = []
    for part in (text or "").split(","):
        words = part.split()
        if not words:
            continue
        term = words[0].lower()
        direction = words[1].lower() if len(words) > 1 else "asc"
        if term not in HEAD_TERMS:
            raise ConfigError(f"head of household rule: unknown term {words[0]!r}.",
                              "Terms: " + ", ".join(HEAD_TERMS) + "; each optionally followed by asc or desc.")
        if direction not in ("asc", "desc") or len(words) > 2:
            raise ConfigError(f"head of household rule: {part.strip()!r} is not 'term asc' or 'term desc'.")
        terms.append((term, direction))
    if not terms:
        raise ConfigError("head of household rule is empty.", f"For example: {DEFAULT_HEAD_RULE}")
    if not any(t == "person_id" for t, _ in terms):
        terms.append(("person_id", "asc"))
    return tuple(terms)


def head_order_sql(rule: tuple[tuple[str, str], ...]) -> str:
    return ", ".join(f"{HEAD_TERMS[t]} {d.upper()} NULLS LAST" for t, d in rule)


def load_rules(conn: duckdb.DuckDBPyConnection) -> HouseholdRules:
    found = {r["key"]: r["value"] for r in rows(
        conn, "SELECT key, value FROM settings WHERE key IN (?, ?, ?)", [HEAD_RULE_KEY, PARTNERS_KEY, CROWDED_KEY])}
    partners = (found.get(PARTNERS_KEY) or DEFAULT_PARTNERS).strip().lower()
    if partners not in PARTNER_MODES:
        raise ConfigError(f"setting {PARTNERS_KEY} = {partners!r} is not one of {', '.join(PARTNER_MODES)}.")
    try:
        crowded = int(found.get(CROWDED_KEY) or DEFAULT_CROWDED)
    except ValueError:
        raise ConfigError(f"setting {CROWDED_KEY} must be a whole number of people.") from None
    return HouseholdRules(parse_head_rule(found.get(HEAD_RULE_KEY) or DEFAULT_HEAD_RULE), partners, max(1, crowded))


def install_household_macros(conn: duckdb.DuckDBPyConnection) -> None:
    """Surname forms householding compares: ``hh_surname(key)`` drops spaces and reads SAINT as ST
    ('ST JOHN' = 'SAINT JOHN' = 'STJOHN'); ``hh_surname_parts(key)`` are the hyphenated parts
    ('SMITH-JONES' -> [SMITH, JONES]); ``hh_surnames_compatible(a, b)`` shares a part;
    ``hh_close(a, b)``: equal, or one typing slip apart (names of four letters or more)."""
    conn.execute("""
        CREATE OR REPLACE TEMP MACRO hh_surname(x) AS
            nullif(replace(regexp_replace(trim(x), '^SAINT ', 'ST '), ' ', ''), '');
        CREATE OR REPLACE TEMP MACRO hh_surname_parts(x) AS
            list_distinct(list_filter(list_transform(string_split(x, '-'), lambda p: hh_surname(p)), lambda p: p IS NOT NULL));
        CREATE OR REPLACE TEMP MACRO hh_surnames_compatible(a, b) AS
            coalesce(list_has_any(hh_surname_parts(a), hh_surname_parts(b)), false);
        CREATE OR REPLACE TEMP MACRO hh_close(a, b) AS
            coalesce(a = b OR (length(a) >= 4 AND length(b) >= 4 AND abs(length(a) - length(b)) <= 1
                               AND damerau_levenshtein(a, b) <= 1), false);
    """).fetchall()
