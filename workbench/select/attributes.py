"""The person attributes a selection can use, and their materialised tables.

``person_attributes`` holds one row per person: the golden fields, household, deliverability, and
order figures of every brand (all time, and the last 90 / 180 / 365 / 730 days up to the day of the
build); ``order_facts`` holds every order of a known person (person, brand, day, amount, returned).
A function over other windows or one brand (``orders(brand='ember', days=365)``) reads order_facts.
Both are rebuilt by :func:`ensure_attributes` when their inputs changed (a load, a match run, a
households run, an applied move, a new day), judged by a stamp of cheap aggregates; otherwise it is a
no-op (milliseconds).

Each :class:`Attribute` names the SQL that reads it (our text, over alias ``a``), its type, and the
kinds of source it comes from (for the freshness gate). Orders and spend over a window are functions
(``orders(brand='ember', days=365)``), see :mod:`workbench.select.functions`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

import duckdb

from workbench import clock
from workbench.select.trait_fields import TRAITS as _TRAITS
from workbench.store.sql import has_relation, rows, run, scalar
from workbench.store.stamp import inputs_stamp

BUILD_VERSION = "4"
WINDOWS = (90, 180, 365, 730)  # days: every brand's orders and spend over these are kept per person
TYPES = ("text", "number", "date", "bool")


@dataclass(frozen=True)
class Attribute:
    name: str
    sql: str  # over person_attributes alias ``a``; ``{today}`` stands for the bound date of today
    type: str  # text | number | date | bool
    depends: tuple[str, ...]  # source kinds it comes from
    help: str
    exportable: bool = True


_PEOPLE = ("people",)
_HOUSEHOLD = ("people", "moves")
_ORDERS = ("transactions",)


def _a(name, typ, help_text, depends=_PEOPLE, sql=None, exportable=True) -> Attribute:
    return Attribute(name, sql or f"a.{name}", typ, depends, help_text, exportable)


ATTRIBUTES: dict[str, Attribute] = {a.name: a for a in (
    _a("person_id", "number", "the person's id"),
    _a("first_name", "text", "golden first name"),
    _a("last_name", "text", "golden last name"),
    _a("address_line1", "text", "golden address, first line"),
    _a("address_line2", "text", "golden address, second line (unit)"),
    _a("city", "text", "city (standardised, upper case)"),
    _a("state", "text", "two-letter state code"),
    _a("zip5", "text", "five-digit ZIP code"),
    _a("zip4", "text", "ZIP+4 add-on"),
    _a("email", "text", "golden email (lower case)"),
    _a("email_domain", "text", "the part of the email after @", sql="split_part(a.email, '@', 2)"),
    _a("phone", "text", "golden phone, 10 digits"),
    _a("birth_date", "date", "date of birth"),
    _a("age", "number", "age in whole years today",
       sql="CAST(date_sub('year', a.birth_date, {today}) AS INTEGER)"),
    _a("first_seen", "date", "the day the person was first seen in any source"),
    _a("record_count", "number", "how many source records the person has"),
    _a("postal_code", "text", "the postal code as loaded (raw) on the record the golden address came from"),
    _a("std_address_line1", "text", "standard address: the USPS Pub 28 delivery line, unit included "
       "('12 N OAK ST APT 4B')"),
    _a("std_city", "text", "standard address: city (upper case; from the ZIP when the source had none)"),
    _a("std_state", "text", "standard address: two-letter state (from the ZIP when the source had none)"),
    _a("std_zip5", "text", "standard address: ZIP5 for the piece (loaded, completed or corrected: zip_source)"),
    _a("std_zip", "text", "standard address: ZIP5, or ZIP+4 as 12345-6789 where the +4 is known",
       sql="(a.std_zip5 || CASE WHEN a.zip_source = 'loaded' AND a.zip4 IS NOT NULL THEN '-' || a.zip4 "
           "ELSE '' END)"),
    _a("zip_source", "text", "where the ZIP came from: loaded, completed (from the database's addresses at "
       "the same street, city and state), corrected (the loaded one belongs to another state); empty: none"),
    _a("zip_check", "text", "the loaded ZIP against the state (offline ZIP table): ok, state mismatch, "
       "unknown ZIP; empty: no ZIP or no state"),
    _a("source_keys", "text", "every source:key of the person's records, ';'-joined, sorted"),
    _a("has_address", "bool", "has a usable postal address (street, and ZIP or city and state)"),
    _a("mail_deliverable", "bool", "the address is deliverable (no NCOA move away from it)", _HOUSEHOLD),
    _a("has_email", "bool", "has an email address", sql="(a.email IS NOT NULL)"),
    _a("has_phone", "bool", "has a phone number", sql="(a.phone IS NOT NULL)"),
    _a("household_id", "number", "household id (empty before households are formed)", _HOUSEHOLD),
    _a("household_size", "number", "persons in the person's household (1 before households are formed)",
       _HOUSEHOLD),
    _a("is_head_of_household", "bool", "the person is the head of their household", _HOUSEHOLD,
       sql="a.is_head"),
    _a("orders_total", "number", "orders ever, every brand (returned ones not counted)", _ORDERS),
    _a("spend_total", "number", "spend ever, every brand, net of returns", _ORDERS),
    _a("returns_total", "number", "returned orders ever, every brand", _ORDERS),
    _a("first_order", "date", "day of the first order, any brand", _ORDERS),
    _a("last_order", "date", "day of the latest order, any brand", _ORDERS),
    # issue 14: the last `workbench segments` run and churn scoring (workbench/segments, workbench/model)
    *(_a(n, t, h, _ORDERS, sql=f"(SELECT s.{c} FROM {tbl} s WHERE s.person_id = a.person_id{w})") for n, t, h, c, tbl, w in (
        ("rfm_segment", "text", "RFM segment, all brands (workbench segments)", "segment", "rfm_scores",
         " AND s.brand = ''"),
        ("recency_score", "number", "RFM recency score 1-5, all brands", "recency_score", "rfm_scores",
         " AND s.brand = ''"),
        ("frequency_score", "number", "RFM frequency score 1-5, all brands", "frequency_score", "rfm_scores",
         " AND s.brand = ''"),
        ("monetary_score", "number", "RFM monetary score 1-5, all brands", "monetary_score", "rfm_scores",
         " AND s.brand = ''"),
        ("churn_score", "number", "probability of lapsing (workbench model churn score)", "score", "churn_scores",
         " AND s.brand = ''"),
        ("churn_decile", "number", "churn decile, 10 = most likely to lapse", "decile", "churn_scores",
         " AND s.brand = ''"))),
    # issue 15: agency appends (workbench/appends); a value the customer gave us wins over the agency's
    *(_a(t.name, t.type, f"{t.help} ({t.level}; agency append unless the customer told us)", ("appends",),
         sql=f"(SELECT t.{t.name} FROM person_trait_values t WHERE t.person_id = a.person_id)") for t in _TRAITS),
)}

# Other names a selection's ``fields`` may use (the loading vocabulary): the file's column keeps the name
# the selection wrote. (``postal_code`` is an attribute of its own: the value as loaded.)
FIELD_ALIASES = {
    "zip": "zip5",
    "zip_code": "zip5",
    "zipcode": "zip5",
    "source_key": "source_keys",
    "address1": "address_line1",
    "address2": "address_line2",
}


def field_attribute(name: str) -> Attribute | None:
    """The attribute an export field names (an attribute name or one of :data:`FIELD_ALIASES`)."""
    return ATTRIBUTES.get(name) or ATTRIBUTES.get(FIELD_ALIASES.get(name, ""))


# What a file gets when a selection lists no fields.
DEFAULT_FIELDS = {
    "mail": ("first_name", "last_name", "address_line1", "address_line2", "city", "state", "zip5"),
    "email": ("first_name", "last_name", "email"),
    "phone": ("first_name", "last_name", "phone"),
}

# Who is in the gross universe of each channel (SQL over alias ``a``).
UNIVERSE = {
    "mail": "a.has_address",
    "email": "a.email IS NOT NULL",
    "phone": "a.phone IS NOT NULL",
}
UNIVERSE_LABEL = {
    "mail": "persons with a usable postal address",
    "email": "persons with an email address",
    "phone": "persons with a phone number",
}


def attributes_stamp(conn: duckdb.DuckDBPyConnection) -> str:
    """Cheap aggregates that change whenever an input of the attribute tables changes: every load (new
    people, orders, moves), the persons' records (a match run), the golden records, households runs."""
    return f"v{BUILD_VERSION}|{inputs_stamp(conn)}"


def ensure_attributes(conn: duckdb.DuckDBPyConnection, force: bool = False) -> bool:
    """Rebuild ``person_attributes`` and ``order_facts`` when their inputs changed; returns whether it
    rebuilt. Needs a writable connection (a no-op costs a few milliseconds, even at 1M persons)."""
    from workbench.ingest.derived import ensure_derived

    ensure_derived(conn)  # standard addresses and golden records first
    from workbench.appends import ensure_traits

    ensure_traits(conn)  # agency appends and customer-given traits (person_traits)
    stamp = attributes_stamp(conn)
    if not force and scalar(conn, "SELECT count(*) FROM attribute_builds WHERE stamp = ?", [stamp]):
        return False
    t0 = time.perf_counter()
    run(conn, "DELETE FROM attribute_builds")  # written last: an interrupted build is redone next time
    _build_order_facts(conn)
    _build_person_attributes(conn)
    counts = rows(conn, "SELECT (SELECT count(*) FROM person_attributes) AS p, (SELECT count(*) FROM order_facts) AS o, "
                        "(SELECT list(DISTINCT lower(brand) ORDER BY lower(brand)) FROM transactions "
                        "WHERE brand IS NOT NULL) AS b")[0]
    run(conn, "INSERT INTO attribute_builds VALUES (?, ?, ?, ?, ?, ?, ?)",
        [stamp, clock.now(), counts["p"], counts["o"], counts["b"] or [], formula_columns(conn),
         round(time.perf_counter() - t0, 3)])
    return True


def _build_order_facts(conn: duckdb.DuckDBPyConnection) -> None:
    run(conn, "DELETE FROM order_facts")
    run(conn, """INSERT INTO order_facts
        SELECT lower(t.brand), CAST(t.order_date AS DATE), pr.person_id, t.amount, t.returned
        FROM transactions t JOIN person_records pr ON pr.record_id = t.record_id""")


def _build_person_attributes(conn: duckdb.DuckDBPyConnection) -> None:
    households = has_relation(conn, "household_members") and has_relation(conn, "households")
    deliverability = has_relation(conn, "person_deliverability")
    hh_cols = ("hm.household_id, coalesce(hm.household_id, -p.person_id), coalesce(h.size, 1), "
               "coalesce(hm.is_head, true), coalesce(hm.head_rank, 1)") if households else \
        "NULL, -p.person_id, 1, true, 1"
    hh_join = ("LEFT JOIN household_members hm ON hm.person_id = p.person_id "
               "LEFT JOIN households h ON h.household_id = hm.household_id") if households else ""
    deliverable = "coalesce(d.mail_deliverable, true)" if deliverability else "true"
    d_join = "LEFT JOIN person_deliverability d ON d.person_id = p.person_id" if deliverability else ""
    # a street with a ZIP, or with city and state (workbench/ingest/addresses.py completes the ZIP when
    # the database's own addresses agree on one)
    has_address = "(p.addr_street IS NOT NULL AND (p.zip5 IS NOT NULL OR (p.city IS NOT NULL AND p.state IS NOT NULL)))"
    # the standard address comes from the record the golden address was taken from, unless a change of
    # address (NCOA) replaced it since: then it is standardised here (few persons)
    same = ("ra.address_line1 IS NOT DISTINCT FROM p.address_line1 AND ra.address_line2 IS NOT DISTINCT FROM "
            "p.address_line2 AND ra.zip5 IS NOT DISTINCT FROM p.zip5")
    std_cols = (f"CASE WHEN {same} THEN ra.address_line1_std ELSE wb_addr_line(p.address_line1, p.address_line2) END, "
                "p.city, p.state, "
                f"CASE WHEN {same} THEN ra.zip5_std ELSE p.zip5 END, "
                f"CASE WHEN {same} THEN ra.zip_source WHEN p.zip5 IS NOT NULL THEN 'loaded' END, "
                f"CASE WHEN {same} THEN ra.zip_check END, "
                "sk.source_keys, "
                f"CASE WHEN {same} THEN ra.postal_code ELSE p.zip5 || coalesce('-' || p.zip4, '') END")
    today = clock.now().date()
    windows, params = [], []
    for days in WINDOWS:
        cond = "NOT returned AND order_day > ? AND order_day <= ?"
        windows += [f"count(*) FILTER (WHERE {cond}) AS orders_{days}",
                    f"coalesce(sum(amount) FILTER (WHERE {cond}), 0) AS spend_{days}"]
        params += [today - timedelta(days=days), today] * 2
    window_cols = ", ".join(f"coalesce(o.orders_{d}, 0), coalesce(o.spend_{d}, 0)" for d in WINDOWS)
    run(conn, "DELETE FROM person_attributes")
    run(conn, f"""INSERT INTO person_attributes
        SELECT p.person_id, r.anchor_record_id, p.first_name, p.last_name, p.address_line1, p.address_line2,
               p.city, p.state, p.zip5, p.zip4, p.addr_key, {has_address}, {has_address} AND {deliverable},
               p.email, p.phone, p.birth_date, CAST(p.first_seen AS DATE), p.record_count, p.sources,
               {hh_cols},
               coalesce(o.orders, 0), coalesce(o.spend, 0), coalesce(o.returns, 0), o.first_order, o.last_order,
               {window_cols}, {std_cols}
        FROM persons p
        LEFT JOIN records ra ON ra.record_id = p.golden_from.address
        LEFT JOIN (SELECT pr.person_id, string_agg(r.source || ':' || r.source_key, ';'
                                                   ORDER BY r.source, r.source_key) AS source_keys
                   FROM person_records pr JOIN records r USING (record_id) GROUP BY pr.person_id) sk
               ON sk.person_id = p.person_id
        LEFT JOIN (SELECT person_id, min(record_id) AS anchor_record_id FROM person_records GROUP BY ALL) r
               ON r.person_id = p.person_id
        {hh_join}
        {d_join}
        LEFT JOIN (SELECT person_id, count(*) FILTER (WHERE NOT returned) AS orders,
                          sum(amount) FILTER (WHERE NOT returned) AS spend,
                          count(*) FILTER (WHERE returned) AS returns,
                          min(order_day) AS first_order, max(order_day) AS last_order, {", ".join(windows)}
                   FROM order_facts GROUP BY person_id) o ON o.person_id = p.person_id""", params)


FORMULA_FIRST = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet may run a cell starting with one of these


def formula_columns(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """The text attributes (plain columns) where some person's value starts like a formula."""
    names = [a.name for a in ATTRIBUTES.values() if a.type == "text" and a.sql == f"a.{a.name}"]
    codes = ", ".join(str(ord(c)) for c in FORMULA_FIRST)
    found = rows(conn, "SELECT " + ", ".join(f"bool_or(ascii({n}) IN ({codes})) AS {n}" for n in names)
                 + " FROM person_attributes")[0]
    return [n for n in names if found[n]]


def clean_text_columns(conn: duckdb.DuckDBPyConnection) -> set[str]:
    """Text attributes no value of which starts like a formula (as of the last build): an export writes
    them as they are. Derived text attributes (email_domain) are never in it."""
    found = rows(conn, "SELECT quote_columns FROM attribute_builds ORDER BY built_at DESC LIMIT 1")
    if not found or found[0]["quote_columns"] is None:
        return set()
    risky = set(found[0]["quote_columns"])
    return {a.name for a in ATTRIBUTES.values() if a.type == "text" and a.sql == f"a.{a.name}"} - risky


def known_brands(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Brands that have orders (as of the last build of the attribute tables)."""
    found = scalar(conn, "SELECT brands FROM attribute_builds ORDER BY built_at DESC LIMIT 1")
    return list(found or [])
