"""Kind by kind: the SQL that turns staged text columns into typed, standardised canonical columns.

Each kind gives ``(column, expression)`` pairs over the staged table, a reject rule (``_reason``: NULL
for a good row) and the key duplicates are judged on. Expressions refer to canonical fields as
``{field}``, replaced by the quoted extract column (or NULL when the extract lacks it).
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from workbench.errors import InputFileError
from workbench.ingest.fields import CANONICAL, required_fields
from workbench.ingest.sources import Source
from workbench.store.sql import quote_ident, quote_literal, rows

_BLANK = "nullif(trim({f}), '')"
# where a list row is: a ZIP that reads, or a city and a state (an address line without a ZIP is mailable too)
_PLACE = ("(wb_zip5({postal_code}) IS NOT NULL OR (" + _BLANK.format(f="{city}") + " IS NOT NULL AND "
          "wb_state({state}) IS NOT NULL))")
_TRUE = "('y', 'yes', 'true', 't', '1', 'returned', 'x')"

# The column of each kind that measures how current its data is, when the source names none.
DEFAULT_AS_OF = {
    "transactions": "order_date", "events": "event_time", "contacts": "contact_date",
    "suppression": "effective_date", "moves": "move_effective_date", "appends": "file_date",
}


def _lit(value: str) -> str:
    """A string literal from config (a reason, a brand) inside an expression template that is later
    ``str.format``-ed: quoted, and its braces doubled so they stay text."""
    return quote_literal(value).replace("{", "{{").replace("}", "}}")


def _ts(expr: str) -> str:
    """Timestamp parse with a fast path: ISO text casts directly; other formats go through wb_timestamp."""
    return f"coalesce(TRY_CAST({expr} AS TIMESTAMP), wb_timestamp({expr}))"


@dataclass
class Derivation:
    select: str  # SELECT list over the staged table (alias s), ending with _reason, _as_of
    key: str | None  # column that identifies a row within the source (None: no de-duplication)
    target_columns: list[str]
    lookups: list[tuple[str, str, str]]  # (temp table, CREATE ... AS SELECT, join condition)

    def from_clause(self, staged: str) -> str:
        joins = " ".join(f"LEFT JOIN {t} ON {cond}" for t, _sql, cond in self.lookups)
        return f"{staged} s {joins}"


# People fields with few distinct values are standardised once per distinct value (a lookup table
# joined back), which is what keeps a 1M-row load fast. field -> [(output column, expression over v)].
PEOPLE_LOOKUPS: dict[str, list[tuple[str, str]]] = {
    "first_name": [("first_name_display", "wb_name_display(v)"), ("first_name_key", "wb_name_key(v)"),
                   ("first_name_root", "wb_first_name_root(wb_name_key(v))")],
    "last_name": [("last_name_display", "wb_name_display(v)"), ("last_name_key", "wb_name_key(v)")],
    "birth_date": [("birth_dt", "wb_date(v)")],
    "city": [("city_std", "nullif(upper(trim(regexp_replace(v, '[^A-Za-z0-9 ]', '', 'g'))), '')")],
    "state": [("state_std", "wb_state(v)")],
    "postal_code": [("zip5", "wb_zip5(v)"), ("zip4", "wb_zip4(v)")],
    "country": [("country_std", "wb_country(v)")],
}


def _people(s: Source) -> tuple[list[tuple[str, str]], list[str]]:
    cols = [
        ("source_key", _BLANK.format(f="{source_key}")),
        *[(f, "{" + f + "}") for f in CANONICAL["people"] if f != "source_key"],
        *[(out, f"lk_{field}.{out}") for field, outs in PEOPLE_LOOKUPS.items() for out, _ in outs],
        ("email_std", "wb_email({email})"),
        ("phone_std", "wb_phone({phone})"),
    ]
    reasons = [
        "WHEN " + _BLANK.format(f="{source_key}") + " IS NULL THEN 'no source_key'",
        "WHEN " + _BLANK.format(f="{birth_date}") + " IS NOT NULL AND lk_birth_date.birth_dt IS NULL "
        "THEN 'unparseable birth_date: ' || left({birth_date}, 40)",
    ]
    return cols, reasons


def _transactions(s: Source):
    amount = "TRY_CAST(replace(replace(replace(trim({amount}), '$', ''), ',', ''), ' ', '') AS DECIMAL(18, 2))"
    cols = [
        ("order_id", _BLANK.format(f="{order_id}")),
        ("source_key", _BLANK.format(f="{source_key}")),
        ("order_date", "wb_timestamp({order_date})"),
        ("amount", amount),
        ("brand", "nullif(lower(trim({brand})), '')"),
        ("channel", "nullif(lower(trim({channel})), '')"),
        ("category", _BLANK.format(f="{category}")),
        ("returned", f"coalesce(lower(trim({{returned}})) IN {_TRUE}, false)"),
    ]
    reasons = [
        "WHEN " + _BLANK.format(f="{order_id}") + " IS NULL THEN 'no order_id'",
        "WHEN wb_timestamp({order_date}) IS NULL THEN 'unparseable order_date: ' || coalesce(left({order_date}, 40), '(blank)')",
        f"WHEN {amount} IS NULL THEN 'unparseable amount: ' || coalesce(left({{amount}}, 40), '(blank)')",
    ]
    return cols, reasons


def _events(s: Source):
    cols = [
        ("source_key", _BLANK.format(f="{source_key}")),
        ("event_type", "nullif(lower(trim({event_type})), '')"),
        ("event_time", "wb_timestamp({event_time})"),
    ]
    reasons = [
        "WHEN " + _BLANK.format(f="{source_key}") + " IS NULL THEN 'no source_key'",
        "WHEN " + _BLANK.format(f="{event_type}") + " IS NULL THEN 'no event_type'",
        "WHEN wb_timestamp({event_time}) IS NULL THEN 'unparseable event_time: ' || coalesce(left({event_time}, 40), '(blank)')",
    ]
    return cols, reasons


def _suppression(s: Source):
    phone = "wb_phone(concat(coalesce({area_code}, ''), coalesce({phone}, '')))"
    channel = f"coalesce(nullif(lower(trim({{channel}})), ''), {_lit(s.channel or 'all')})"
    brand = f"coalesce(nullif(lower(trim({{brand}})), ''), {_lit(s.brand) if s.brand else 'NULL'})"
    cols = [
        ("channel", channel),
        ("brand", brand),
        ("match_on", _lit(s.match_on or "")),
        ("reason", f"coalesce({_BLANK.format(f='{reason}')}, {_lit(s.reason or s.name)})"),
        ("effective_date", "wb_date({effective_date})"),
        ("email_std", "wb_email({email})"),
        ("phone_std", phone),
        ("first_name_key", "wb_name_key({first_name})"),
        ("first_name_root", "wb_first_name_root(wb_name_key({first_name}))"),
        ("last_name_key", "wb_name_key({last_name})"),
        ("addr_street", "wb_addr_street({address_line1}, {address_line2})"),
        ("addr_unit", "wb_addr_unit({address_line1}, {address_line2})"),
        ("addr_key", "wb_addr_key({address_line1}, {address_line2}, {postal_code})"),
        ("zip5", "wb_zip5({postal_code})"),
    ]
    need = {
        "email": "WHEN wb_email({email}) IS NULL THEN 'no usable email: ' || coalesce(left({email}, 60), '(blank)')",
        "phone": f"WHEN {phone} IS NULL THEN 'no usable phone number: ' || coalesce(left(concat({{area_code}}, {{phone}}), 40), '(blank)')",
        # a street with a ZIP, or without one but with city and state (matched there on city and state)
        "name_address": "WHEN wb_name_key({last_name}) IS NULL OR wb_addr_street({address_line1}, {address_line2}) "
                        f"IS NULL OR NOT {_PLACE} THEN 'incomplete name and address'",
        "address": "WHEN wb_addr_street({address_line1}, {address_line2}) IS NULL OR NOT "
                   f"{_PLACE} THEN 'incomplete address'",
    }
    reasons = [
        need[s.match_on or "email"],
        f"WHEN {channel} NOT IN ('mail', 'email', 'phone', 'all') THEN 'unknown channel: ' || left({{channel}}, 20)",
        "WHEN " + _BLANK.format(f="{effective_date}") + " IS NOT NULL AND wb_date({effective_date}) IS NULL "
        "THEN 'unparseable effective_date: ' || left({effective_date}, 40)",
    ]
    return cols, reasons


def _contacts(s: Source):
    cols = [
        ("origin", "'load'"),
        ("source_key", _BLANK.format(f="{source_key}")),
        ("email_std", "wb_email({email})"),
        ("campaign", _BLANK.format(f="{campaign}")),
        ("brand", "nullif(lower(trim({brand})), '')"),
        ("channel", "nullif(lower(trim({channel})), '')"),
        ("keycode", _BLANK.format(f="{keycode}")),
        ("contact_date", "CAST(wb_timestamp({contact_date}) AS DATE)"),
    ]
    reasons = [
        "WHEN " + _BLANK.format(f="{source_key}") + " IS NULL AND wb_email({email}) IS NULL "
        "THEN 'neither source_key nor a usable email'",
        "WHEN " + _BLANK.format(f="{campaign}") + " IS NULL THEN 'no campaign'",
        "WHEN wb_timestamp({contact_date}) IS NULL THEN 'unparseable contact_date: ' || coalesce(left({contact_date}, 40), '(blank)')",
    ]
    return cols, reasons


def _moves(s: Source):
    cols = [
        ("first_name_key", "wb_name_key({first_name})"),
        ("first_name_root", "wb_first_name_root(wb_name_key({first_name}))"),
        ("last_name_key", "wb_name_key({last_name})"),
        ("old_addr_street", "wb_addr_street({address_line1}, {address_line2})"),
        ("old_addr_unit", "wb_addr_unit({address_line1}, {address_line2})"),
        ("old_addr_key", "wb_addr_key({address_line1}, {address_line2}, {postal_code})"),
        ("old_zip5", "wb_zip5({postal_code})"),
        ("new_address_line1", _BLANK.format(f="{new_address_line1}")),
        ("new_address_line2", _BLANK.format(f="{new_address_line2}")),
        ("new_city", _BLANK.format(f="{new_city}")),
        ("new_state", "wb_state({new_state})"),
        ("new_postal_code", _BLANK.format(f="{new_postal_code}")),
        ("new_addr_key", "wb_addr_key({new_address_line1}, {new_address_line2}, {new_postal_code})"),
        ("return_code", "nullif(upper(trim({return_code})), '')"),
        ("move_type", "nullif(upper(left(trim({move_type}), 1)), '')"),
        ("move_effective_date", "CAST(wb_timestamp({move_effective_date}) AS DATE)"),
    ]
    reasons = [
        "WHEN " + _BLANK.format(f="{return_code}") + " IS NULL THEN 'no return_code'",
        "WHEN wb_name_key({last_name}) IS NULL OR wb_addr_key({address_line1}, {address_line2}, "
        "{postal_code}) IS NULL THEN 'incomplete old name and address'",
        "WHEN " + _BLANK.format(f="{move_effective_date}") + " IS NOT NULL AND "
        "wb_timestamp({move_effective_date}) IS NULL THEN 'unparseable move_effective_date: ' || "
        "left({move_effective_date}, 40)",
    ]
    return cols, reasons


def _appends(s: Source):
    """An agency's traits keyed by address, household (surname + address) or person (name + address)."""
    yes = "('y', 'yes', 'true', 't', '1')"
    no = "('n', 'no', 'false', 'f', '0')"

    def flag(f: str) -> str:
        return (f"CASE WHEN lower(trim({{{f}}})) IN {yes} THEN true WHEN lower(trim({{{f}}})) IN {no} THEN false END")

    def text(f: str) -> str:
        return f"nullif(upper(trim({{{f}}})), '')"

    years = "TRY_CAST(trim({length_of_residence}) AS INTEGER)"
    cols = [
        ("match_on", _lit(s.match_on or "")),
        ("agency", f"coalesce({_BLANK.format(f='{agency}')}, {_lit(s.name)})"),
        ("file_date", "wb_date({file_date})"),
        ("first_name_key", "wb_name_key({first_name})" if s.match_on == "person" else "CAST(NULL AS VARCHAR)"),
        ("first_name_root", "wb_first_name_root(wb_name_key({first_name}))" if s.match_on == "person"
         else "CAST(NULL AS VARCHAR)"),
        ("last_name_key", "wb_name_key({last_name})" if s.match_on != "address" else "CAST(NULL AS VARCHAR)"),
        ("addr_street", "wb_addr_street({address_line1}, {address_line2})"),
        ("addr_unit", "wb_addr_unit({address_line1}, {address_line2})"),
        ("addr_key", "wb_addr_key({address_line1}, {address_line2}, {postal_code})"),
        ("zip5", "wb_zip5({postal_code})"),
        ("city", "nullif(upper(trim(regexp_replace({city}, '[^A-Za-z0-9 ]', '', 'g'))), '')"),
        ("state", "wb_state({state})"),
        ("presence_of_children", flag("presence_of_children")),
        ("income_band", text("income_band")),
        ("home_owner", flag("home_owner")),
        ("length_of_residence", years),
        ("age_band", text("age_band")),
        ("marital_status", text("marital_status")),
        ("occupation", text("occupation")),
    ]
    need = {
        "address": "WHEN wb_addr_street({address_line1}, {address_line2}) IS NULL OR NOT " + _PLACE
                   + " THEN 'incomplete address'",
        "household": "WHEN wb_name_key({last_name}) IS NULL OR wb_addr_street({address_line1}, {address_line2}) "
                     f"IS NULL OR NOT {_PLACE} THEN 'incomplete surname and address'",
        "person": "WHEN wb_name_key({first_name}) IS NULL OR wb_name_key({last_name}) IS NULL OR "
                  f"wb_addr_street({{address_line1}}, {{address_line2}}) IS NULL OR NOT {_PLACE} "
                  "THEN 'incomplete name and address'",
    }
    reasons = [need[s.match_on or "address"]]
    for f in ("presence_of_children", "home_owner"):
        reasons.append(f"WHEN {_BLANK.format(f='{' + f + '}')} IS NOT NULL AND ({flag(f)}) IS NULL "
                       f"THEN 'unreadable {f} (Y/N): ' || left({{{f}}}, 20)")
    reasons.append("WHEN " + _BLANK.format(f="{length_of_residence}") + f" IS NOT NULL AND {years} IS NULL "
                   "THEN 'unreadable length_of_residence (whole years): ' || left({length_of_residence}, 20)")
    reasons.append("WHEN " + _BLANK.format(f="{file_date}") + " IS NOT NULL AND wb_date({file_date}) IS NULL "
                   "THEN 'unparseable file_date: ' || left({file_date}, 40)")
    return cols, reasons


def _prospects(s: Source):
    """A rented or bought list's row: raw values, and the standard forms the house file's matching compares
    (the address standardised here, as for suppression entries: prospects never wait for the address step).
    A row without a source_key is keyed by its place in the file (``#12``)."""
    street = "wb_addr_street({address_line1}, {address_line2})"
    cols = [
        ("source_key", "coalesce(" + _BLANK.format(f="{source_key}") + ", '#' || s._row)"),
        *[(f, "{" + f + "}") for f in CANONICAL["prospects"] if f not in ("source_key", "seed")],
        ("is_seed", f"coalesce(lower(trim({{seed}})) IN {_TRUE}, false)"),
        ("first_name_key", "wb_name_key({first_name})"),
        ("first_name_root", "wb_first_name_root(wb_name_key({first_name}))"),
        ("last_name_key", "wb_name_key({last_name})"),
        ("email_std", "wb_email({email})"),
        ("phone_std", "wb_phone({phone})"),
        ("addr_street", street),
        ("addr_unit", "wb_addr_unit({address_line1}, {address_line2})"),
        ("addr_key", "wb_addr_key({address_line1}, {address_line2}, {postal_code})"),
        ("zip5", "wb_zip5({postal_code})"),
        ("city_std", "nullif(upper(trim(regexp_replace({city}, '[^A-Za-z0-9 ]', '', 'g'))), '')"),
        ("state_std", "wb_state({state})"),
    ]
    reasons = [f"WHEN ({street} IS NULL OR NOT {_PLACE}) AND wb_email({{email}}) IS NULL AND wb_phone({{phone}}) "
               "IS NULL THEN 'no usable address, email or phone'"]
    return cols, reasons


_KIND = {"people": _people, "transactions": _transactions, "events": _events, "suppression": _suppression,
         "contacts": _contacts, "moves": _moves, "appends": _appends, "prospects": _prospects}
_KEY = {"people": "source_key", "transactions": "order_id", "prospects": "source_key",
        "events": "concat_ws('|', source_key, event_type, event_time)"}


def expected_columns(source: Source) -> set[str]:
    """The extract columns a source's mapping needs: each mapped column and each required field's column."""
    wanted = {source.column_for(f) for f in source.columns}
    wanted |= {source.column_for(f) for f in required_fields(source.kind, source.match_on)}
    if source.as_of:
        wanted.add(source.as_of)
    return {c for c in wanted if c}


def looks_like(file_columns: list[str], source: Source, others: list[Source]) -> Source | None:
    """Another source whose mapping the file's header fits whole, when ``source``'s does not (a file loaded
    into the wrong source): the one whose expected columns are most of the header."""
    present = set(file_columns)
    fits = [o for o in others if o.name != source.name and len(want := expected_columns(o)) >= 2 and want <= present]
    return max(fits, key=lambda o: (len(expected_columns(o)), o.name), default=None)


def check_mapping(source: Source, file_columns: list[str], file_label: str,
                  others: list[Source] | None = None) -> dict[str, str | None]:
    """{canonical field: extract column or None}; raises when a required field or a mapped column is missing.
    With ``others`` (every registered source), a header that fits another source's mapping whole is said to
    be that source's extract, instead of suggesting a mapping that would load it into the wrong one."""
    try:
        return _check_mapping(source, file_columns, file_label)
    except InputFileError:
        other = looks_like(file_columns, source, others or [])
        if other is None:
            raise
        raise InputFileError(
            f"{file_label} looks like an extract of source {other.name!r} ({other.kind}: its columns "
            f"{', '.join(sorted(expected_columns(other)))} are all here), not of {source.name!r}.",
            f"Load it into {other.name}: workbench load {other.name} {file_label}. Nothing was loaded.",
        ) from None


def _check_mapping(source: Source, file_columns: list[str], file_label: str) -> dict[str, str | None]:
    present = set(file_columns)
    mapping: dict[str, str | None] = {}
    for f in CANONICAL[source.kind]:
        col = source.column_for(f)
        if f in source.columns and col not in present:
            raise InputFileError(
                f"{file_label}: source {source.name!r} maps {f} to column {col!r}, which the file does not "
                f"have.", _columns_hint(file_columns, col))
        mapping[f] = col if col in present else None
    for f in required_fields(source.kind, source.match_on):
        if mapping.get(f) is None:
            near = _nearest(f, file_columns)
            raise InputFileError(
                f"{file_label}: required field {f!r} of a {source.kind} source is missing "
                f"(source {source.name!r}).",
                f"Map it in the source's TOML: [sources.{source.name}.columns] {f} = "
                f"\"{near or '<the extract column that holds it>'}\". " + _columns_hint(file_columns),
            )
    if source.as_of and source.as_of not in present:
        raise InputFileError(f"{file_label}: source {source.name!r} takes as_of from column "
                             f"{source.as_of!r}, which the file does not have.", _columns_hint(file_columns))
    if source.kind == "contacts" and mapping.get("source_key") is None and mapping.get("email") is None:
        raise InputFileError(f"{file_label}: a contacts source needs source_key or email to find the person.",
                             _columns_hint(file_columns))
    return mapping


_ABSENT = "CAST(NULL AS VARCHAR)"  # a canonical field the extract does not have
_CONSTANTS: dict[str, str] = {}  # a column over absent fields only -> the same value as a plain typed NULL


def constant_folder(conn: duckdb.DuckDBPyConnection) -> Callable[[str], str]:
    """For :func:`derivation`: an expression over absent fields only is one value for every row; when that
    value is NULL, a typed NULL stands for it. (An address macro over NULLs still costs DuckDB ~35 ms to
    bind, and a suppression list matched on email carries a dozen such columns in every load.) The value
    is asked of DuckDB once per expression and process; anything not NULL keeps its expression."""

    def fold(sql: str) -> str:
        if sql not in _CONSTANTS:
            try:
                got = rows(conn, f"SELECT typeof(x) AS t, x IS NULL AS is_null FROM (SELECT {sql} AS x)")[0]
            except duckdb.Error:
                return sql  # the load's own statement says what is wrong
            _CONSTANTS[sql] = f"CAST(NULL AS {got['t']})" if got["is_null"] and got["t"] != "NULL" else sql
        return _CONSTANTS[sql]

    return fold


# The address macros expand to a long expression, and DuckDB binds each call separately: a list or moves
# file calling them four or five times spent 0.3-0.6 s planning one small load. Each address is parsed once
# per distinct (line 1, line 2, ZIP) in a lookup table instead, as the people fields above are.
# template call -> (lookup table, its fields (line 1, line 2, ZIP), the column it gives)
_ADDRESS_CALLS = {
    "wb_addr_street({address_line1}, {address_line2})": ("lk_addr", "street"),
    "wb_addr_unit({address_line1}, {address_line2})": ("lk_addr", "unit"),
    "wb_addr_key({address_line1}, {address_line2}, {postal_code})": ("lk_addr", "key"),
    "wb_addr_key({new_address_line1}, {new_address_line2}, {new_postal_code})": ("lk_new_addr", "key"),
}
_ADDRESS_FIELDS = {"lk_addr": ("address_line1", "address_line2", "postal_code"),
                   "lk_new_addr": ("new_address_line1", "new_address_line2", "new_postal_code")}


def _address_lookups(templates: list[str], subst: dict[str, str]) -> tuple[list[str], list[tuple[str, str, str]]]:
    """``templates`` with each address macro call replaced by its lookup column, and the lookups needed
    (street, unit and key of ``wb_addr_street`` / ``wb_addr_unit`` / ``wb_addr_key``, parsed once)."""
    used: set[str] = set()
    out = []
    present = {table for table, fields in _ADDRESS_FIELDS.items() if any(subst.get(f, _ABSENT) != _ABSENT for f in fields)}
    for t in templates:
        for call, (table, col) in _ADDRESS_CALLS.items():
            if call in t and table in present:  # an address the file does not have: folded to a constant
                t = t.replace(call, f"{table}.{col}")
                used.add(table)
        out.append(t)
    lookups = []
    for table in sorted(used):
        l1, l2, z = (subst[f] for f in _ADDRESS_FIELDS[table])
        e1, e2, ez = (x.replace("{", "{{").replace("}", "}}") for x in (l1, l2, z))  # the body is format()-ed
        distinct = f"SELECT DISTINCT {e1} AS l1, {e2} AS l2, {ez} AS z FROM {{staged}} s"
        body = (f"SELECT l1, l2, z, p.street AS street, p.unit AS unit, "
                f"p.street || '|' || coalesce(p.unit, '') || '|' || wb_zip5(z) AS key "
                f"FROM (SELECT l1, l2, z, wb__addr_parse(l1, l2) AS p FROM ({distinct}))")
        cond = (f"{table}.l1 IS NOT DISTINCT FROM {l1} AND {table}.l2 IS NOT DISTINCT FROM {l2} "
                f"AND {table}.z IS NOT DISTINCT FROM {z}")
        lookups.append((table, body, cond))
    return out, lookups


def _fields_of(template: str) -> set[str]:
    return {name for _lit_text, name, _spec, _conv in string.Formatter().parse(template) if name}


def derivation(source: Source, mapping: dict[str, str | None], file_columns: list[str],
               fold: Callable[[str], str] | None = None) -> Derivation:
    """``fold`` (:func:`constant_folder`): applied to each column expression over absent fields only."""
    cols, reasons = _KIND[source.kind](source)
    subst = {f: (f"s.{quote_ident(c)}" if c else _ABSENT) for f, c in mapping.items()}
    subst.update({f: _ABSENT for f in CANONICAL[source.kind] if f not in subst})
    templates, address_lookups = _address_lookups([e for _n, e in cols] + reasons, subst)
    cols = [(name, t) for (name, _e), t in zip(cols, templates[: len(cols)], strict=True)]
    reasons = templates[len(cols):]

    def column(expr: str) -> str:
        sql = expr.format(**subst)
        names = _fields_of(expr)
        if fold is not None and names and all(subst[n] == _ABSENT for n in names):
            return fold(sql)
        return sql

    parts = [f"{column(expr)} AS {quote_ident(name)}" for name, expr in cols]
    as_of_col = source.as_of or mapping.get(DEFAULT_AS_OF.get(source.kind, ""), None)
    as_of_sql = _ts(f"s.{quote_ident(as_of_col)}") if as_of_col else "CAST(NULL AS TIMESTAMP)"
    # the kind's rules first (templates over canonical fields); then the rules over columns named in config,
    # which are never formatted: their names are quoted as identifiers or as literals, never pasted
    reasons = [r.format(**subst) if "{" in r else r for r in reasons]
    if source.as_of:
        a = f"s.{quote_ident(source.as_of)}"
        reasons.append(f"WHEN {_BLANK.replace('{f}', a)} IS NOT NULL AND {as_of_sql} IS NULL "
                       f"THEN {quote_literal(f'unparseable as_of ({source.as_of}): ')} || left({a}, 40)")
    for col, values in source.keep_when.items():
        if col not in file_columns:
            raise InputFileError(f"source {source.name!r}: keep_when names column {col!r}, which the file does not "
                                 "have.", _columns_hint(file_columns, col))
        c = f"s.{quote_ident(col)}"
        allowed = ", ".join(quote_literal(v.lower()) for v in values)
        reasons.insert(0, f"WHEN coalesce(lower(trim({c})), '') NOT IN ({allowed}) THEN "
                          f"{quote_literal(f'filtered by keep_when: {col} = ')} || coalesce(left({c}, 40), '(blank)')")
    reason_sql = "CASE " + " ".join(reasons) + " END"
    used = {c for c in mapping.values() if c} | ({source.as_of} if source.as_of else set())
    extras = [c for c in file_columns if c not in used]
    if source.kind in ("people", "transactions", "events", "prospects") and extras:
        attrs = "to_json(struct_pack(" + ", ".join(f"{quote_ident(c)} := s.{quote_ident(c)}" for c in extras) + "))"
    elif source.kind in ("suppression", "moves", "appends"):
        attrs = "to_json(struct_pack(" + ", ".join(
            f"{quote_ident(c)} := s.{quote_ident(c)}" for c in file_columns) + "))"
    else:
        attrs = "CAST(NULL AS JSON)"
    attrs_name = "raw" if source.kind in ("suppression", "moves", "appends") else "attrs"
    if source.kind != "contacts":
        parts.append(f"{attrs} AS {attrs_name}")
    parts += [f"{reason_sql} AS _reason", f"{as_of_sql} AS _as_of"]
    key = _KEY.get(source.kind)
    target = [name for name, _ in cols] + ([attrs_name] if source.kind != "contacts" else [])
    lookups = list(address_lookups)
    if source.kind == "people":
        for fld, outs in PEOPLE_LOOKUPS.items():
            raw = subst[fld]
            if not mapping.get(fld):
                body = ", ".join(f"CAST(NULL AS VARCHAR) AS {o}" for o, _ in outs)
                lookups.append((f"lk_{fld}", f"SELECT NULL AS v, {body}", "false"))
                continue
            body = ", ".join(f"{e} AS {o}" for o, e in outs)
            raw_t = raw.replace("{", "{{").replace("}", "}}")  # the body is format()-ed with the staged table
            lookups.append((f"lk_{fld}", f"SELECT v, {body} FROM (SELECT DISTINCT {raw_t} AS v FROM {{staged}} s)",
                            f"lk_{fld}.v = {raw}"))
    return Derivation(select=", ".join(parts), key=key, target_columns=target, lookups=lookups)


def _columns_hint(columns: list[str], missing: str | None = None) -> str:
    shown = ", ".join(columns[:30]) + (f", ... ({len(columns)} in all)" if len(columns) > 30 else "")
    near = _nearest(missing, columns) if missing else None
    return (f"Did you mean {near!r}? " if near else "") + f"The file's columns: {shown}."


def _nearest(word: str, candidates: list[str]) -> str | None:
    import difflib

    lowered = {c.lower(): c for c in candidates}
    found = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.5)
    return lowered[found[0]] if found else None
