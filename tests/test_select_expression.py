"""The where language: what it accepts, what it refuses (with what message), and that no text an
operator types reaches the database as SQL."""

from __future__ import annotations

import re
from datetime import date

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.select.attributes import ATTRIBUTES
from workbench.select.expression import Catalog, Compiler, ExpressionError
from workbench.select.functions import functions

TODAY = date(2026, 11, 20)
OUR_QUOTED = re.compile(r"'(year|day|@|)'")  # the only quoted text our own SQL templates contain


def compiler() -> Compiler:
    return Compiler(Catalog(TODAY, ["ember", "fable", "northwind"], {"web_signups": "people", "crm": "people"}))


def refused(text: str) -> str:
    with pytest.raises(ExpressionError) as exc:
        compiler().compile(text)
    return str(exc.value)


@pytest.fixture(scope="module")
def empty_db():
    """person_attributes with no rows: compiled SQL must run against it."""
    from workbench.store.migrate import available_migrations

    conn = duckdb.connect()
    sql = "\n".join(s for _n, _name, s in available_migrations())
    # the attribute tables, and the tables attributes read beside them (segments, churn, appended traits)
    for name in ("person_attributes", "order_facts", "rfm_scores", "churn_scores", "person_trait_values"):
        table = re.search(rf"CREATE TABLE {name} \(.*?\);", sql, re.S).group(0)
        conn.execute(re.sub(r"--[^\n]*", "", table)).fetchall()
        # and the columns later migrations add (postal_code, ...)
        for alter in re.findall(rf"ALTER TABLE {name} ADD COLUMN [^;]*;", sql):
            conn.execute(alter).fetchall()
    yield conn
    conn.close()


def run_compiled(conn, c: Compiler, frag) -> None:
    for f in c.features.values():
        conn.execute(f"CREATE OR REPLACE TEMP TABLE _wf_{f.alias} AS {f.sql}", f.params).fetchall()
    joins = " ".join(f"LEFT JOIN _wf_{f.alias} {f.alias} ON {f.alias}.person_id = a.person_id"
                     for f in c.features.values())
    conn.execute(f"SELECT count(*) FROM person_attributes a {joins} WHERE {frag.sql}", frag.params).fetchall()


@pytest.mark.parametrize("text", [
    "orders(brand='ember', days=365) >= 2 and state IN ('MA', 'NY')",
    "spend(days=730) > 100.5 or not in_source('web_signups')",
    "birth_date < DATE '1980-01-01' and age BETWEEN 30 AND 60",
    "last_order_date(brand => 'ember') >= days_ago(90)",
    "email LIKE '%@example.com' and city ILIKE 'bos%' and phone IS NOT NULL",
    "lower(first_name) = 'mary' and household_size >= 2 and is_head_of_household",
    "first_seen > today() - 30 and days_since_last_order() < 400",
    "(orders() >= 1) AND NOT (returns(days=365) > 2)",
    "orders('fable', 400) = 0 and birth_date > '1960-01-01'",
    "",
])
def test_valid_expressions_compile_and_run(text, empty_db):
    c = compiler()
    frag = c.compile(text)
    assert frag.type == "bool"
    run_compiled(empty_db, c, frag)


def test_values_are_bound_never_pasted():
    c = compiler()
    frag = c.compile("last_name = 'O''Brien'' OR 1=1 --' and state IN ('MA', 'x'')); DROP TABLE persons; --')")
    assert "O'Brien' OR 1=1 --" in frag.params and "x')); DROP TABLE persons; --" in frag.params
    assert "'" not in OUR_QUOTED.sub("", frag.sql) and "DROP" not in frag.sql


def test_functions_over_orders_become_per_person_values():
    c = compiler()
    c.compile("orders(brand='Ember', days=365) >= 2 and orders(brand='ember', days=365) < 9 and spend(days=365) > 0")
    assert len(c.features) == 1  # one value for both calls; spend over a kept window reads person_attributes
    (feature,) = c.features.values()
    assert feature.params[0] == "ember" and "order_facts" in feature.sql
    assert c.depends == {"transactions"}


@pytest.mark.parametrize("text, expected", [
    ("1; DROP TABLE persons", "';' is not allowed"),
    ("state = 'MA'; DELETE FROM persons", "';' is not allowed"),
    ("state = 'MA' -- and the rest", "comments (-- or /* */) are not allowed"),
    ("state = 'MA' /* hidden */", "comments (-- or /* */) are not allowed"),
    ("state IN (SELECT state FROM persons)", "SELECT is not allowed"),
    ("EXISTS (SELECT 1)", "EXISTS is not allowed"),
    ("stat = 'MA'", "unknown attribute 'stat' (column 1); did you mean 'state'"),
    ("ordrs(days=30) > 1", "unknown function 'ordrs' (column 1); did you mean 'orders'?"),
    ("read_csv('/etc/passwd') IS NULL", "unknown function 'read_csv'"),
    ("orders > 1", "orders is a function"),
    ("orders(brand='embr') > 0", "no orders have brand 'embr'; did you mean 'ember'?"),
    ("orders(dayz=3) > 0", "has no argument 'dayz'"),
    ("orders(days=0) > 0", "days must be a whole number of days, 1 or more"),
    ("in_source('web') ", "there is no source 'web'; did you mean 'web_signups'?"),
    ("state = 5", "compares text with a number"),
    ("state = NULL", "IS NULL"),
    ("first_seen::DATE > today()", "'::' is not allowed"),
    ("CAST(state AS INT) = 1", "unknown function 'CAST'"),
    ("state = ?", "'?' is not allowed"),
    ("persons.state = 'MA'", "'.' is not allowed"),
    ("state", "not a condition"),
    ("state = 'MA' AND", "cannot read the expression"),
    ("state = 'MA", "cannot read the expression"),
    ("birth_date > DATE '2026-13-01'", "is not a date"),
    ("state || 'x' = 'MAx'", "is not allowed"),
])
def test_refused_with_a_plain_message(text, expected):
    assert expected in refused(text)


def test_hints_list_what_is_known():
    with pytest.raises(ExpressionError) as exc:
        compiler().compile("zip = '02134'")
    assert "did you mean 'zip5'" in exc.value.message and "zip4" in exc.value.hint


def test_a_registered_function_may_be_a_sql_keyword():
    """issue 6's trigger('lapsing'): TRIGGER is a keyword for the parser; registration makes it a function."""
    from workbench.select import functions as fn

    assert "unknown function 'not_yet_a_function'" in refused("not_yet_a_function('lapsing')")
    spec = fn.FunctionSpec("trigger", (fn.Arg("name", "text", required=True),), "bool", "fires now",
                           lambda a, ctx: fn.Fragment(ctx.feature(("trigger", a["name"]), "SELECT 1 AS person_id, "
                                                                  "true AS v", [], default="false"), [], "bool"),
                           lambda a: ("events",))
    fn.register_function(spec)
    try:
        c = compiler()
        frag = c.compile("trigger('lapsing') and state = 'MA'")
        assert ("trigger", "lapsing") in c.features and "events" in c.depends and frag.type == "bool"
    finally:
        fn._REGISTRY.pop("trigger")


def test_order_lists():
    parts = compiler().compile_order("spend(days=365) DESC, last_name, person_id asc")
    assert [d for _f, d in parts] == [True, False, False]
    with pytest.raises(ExpressionError):
        compiler().compile_order("spend(days=365) desc; DROP TABLE x")


# -- property: arbitrary text never raises anything but the checker's own error ---------------------------
TOKENS = [*ATTRIBUTES, *functions(), "(", ")", ",", "=", "<>", ">=", "<", "+", "-", "*", "/", "AND", "OR", "NOT",
          "IN", "BETWEEN", "LIKE", "IS", "NULL", "true", "'MA'", "'ember'", "365", "2.5", "DATE '2026-01-01'",
          "brand='ember'", "days=30", ";", "--", "SELECT", "'", "\"", "::", "?", "$1", "/*", "[", "]", "{", "}"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=80), st.lists(st.sampled_from(TOKENS), max_size=12).map(" ".join)))
def test_arbitrary_text_only_raises_the_checkers_error(text):
    c = compiler()
    try:
        frag = c.compile(text)
    except ExpressionError as exc:
        assert exc.message.startswith("where:")
        return
    assert "'" not in OUR_QUOTED.sub("", frag.sql)
    assert frag.type in ("bool", "null")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS[: len(TOKENS) - 16]), min_size=1, max_size=9).map(" ".join))
def test_what_compiles_runs(empty_db, text):
    c = compiler()
    try:
        frag = c.compile(text)
    except ExpressionError:
        return
    run_compiled(empty_db, c, frag)
