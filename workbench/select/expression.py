"""The ``where`` language: what an operator types, checked and turned into SQL that binds every value.

The text is tokenised and parsed with sqlglot, then checked against a whitelist: attribute names
(:mod:`workbench.select.attributes`), functions (:mod:`workbench.select.functions`), comparisons,
``IN (...)``, ``BETWEEN``, ``LIKE`` / ``ILIKE``, ``IS [NOT] NULL``, ``AND`` / ``OR`` / ``NOT``,
arithmetic, numbers, 'text', ``DATE '2026-01-31'``, true / false. Anything else (a subquery, a ``;``,
a comment, a cast, an unknown name or function) is an :class:`ExpressionError` that says what and
where, and suggests the nearest names. The SQL is generated from the checked tree by our own code:
attribute and function SQL is ours, every literal the operator typed is a bound parameter, so no text
typed by an operator ever reaches the database as SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.tokens import TokenType as T

from workbench.select.functions import Fragment, functions
from workbench.select.language import PREFIX, ExpressionError, SourceText, did_you_mean, type_words
from workbench.select.sqlgen import Walker

MAX_LENGTH = 4000
_DIALECT = DuckDB()
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATOR_WORDS = {T.IN, T.AND, T.OR, T.NOT, T.BETWEEN, T.LIKE, T.ILIKE, T.IS}
_ALLOWED_TOKENS = _OPERATOR_WORDS | {
    T.VAR, T.NUMBER, T.STRING, T.L_PAREN, T.R_PAREN, T.COMMA, T.EQ, T.NEQ, T.LT, T.LTE, T.GT, T.GTE, T.PLUS,
    T.DASH, T.STAR, T.SLASH, T.NULL, T.TRUE, T.FALSE, T.DATE, T.IDENTIFIER, T.FARROW}
_STATEMENT_WORDS = {"select", "from", "with", "union", "insert", "update", "delete", "drop", "create", "alter",
                    "exists", "attach", "copy", "pragma", "call", "install", "load", "set", "values", "table"}


@dataclass
class Catalog:
    """What the checker knows about the database: today, the brands that have orders, the sources."""

    today: date
    brands: list[str] | None = None  # None: not checked
    sources: dict[str, str] = field(default_factory=dict)  # name -> kind
    triggers: dict = field(default_factory=dict)  # lower-case trigger name -> TriggerRef (workbench.contacts)
    # every brand the database knows (orders, suppressions, opt-outs, contacts, rules): a selection's
    # ``brand`` must be one of them. None: not checked.
    all_brands: list[str] | None = None


@dataclass
class Feature:
    key: tuple
    sql: str
    params: list[Any]
    default: str | None
    alias: str


@dataclass
class Compiler:
    """Compiles the expressions of one selection; they share its per-person features."""

    catalog: Catalog
    features: dict[tuple, Feature] = field(default_factory=dict)
    depends: set[str] = field(default_factory=set)  # source kinds, or "source:NAME"
    names: set[str] = field(default_factory=set)  # attributes and functions used
    # (attribute, 'text') for each text attribute compared (=, <>, IN) with a value written out: the
    # values that never occur in the data are named with the nearest ones that do (select/values.py)
    text_values: list[tuple[str, str]] = field(default_factory=list)

    @property
    def today(self) -> date:
        return self.catalog.today

    # -- the BuildContext of functions ---------------------------------------------------------------
    def feature(self, key: tuple, sql: str, params: list[Any], default: str | None = None) -> str:
        if key not in self.features:
            self.features[key] = Feature(key, sql, list(params), default, f"f{len(self.features) + 1}")
        f = self.features[key]
        return f"coalesce({f.alias}.v, {f.default})" if f.default is not None else f"{f.alias}.v"

    def check_brand(self, brand: str) -> str:
        value = str(brand).strip().lower()
        known = self.catalog.brands
        if known is not None and known and value not in known:
            raise ExpressionError(f"no orders have brand {brand!r}" + did_you_mean(value, known),
                                  f"Known brands: {', '.join(known)}.")
        return value

    def check_source(self, name: str) -> str:
        known = self.catalog.sources
        if known and name not in known:
            raise ExpressionError(f"there is no source {name!r}" + did_you_mean(name, known),
                                  f"Sources: {', '.join(sorted(known))}.")
        return name

    # -- entry points ---------------------------------------------------------------------------------
    def compile(self, text: str, *, want: str | None = "bool", what: str = "where") -> Fragment:
        """Check ``text`` and return its SQL; ``want`` is the type it must have (None: any)."""
        if text is None or not str(text).strip():
            return Fragment("true", [], "bool")
        tree, source = parse(str(text), what)
        try:
            frag = Walker(self, source, what).walk(tree)
        except RecursionError:
            raise ExpressionError(f"{what}: the expression is nested too deeply.") from None
        if want and frag.type not in (want, "null"):
            raise ExpressionError(f"{what}: the expression gives {type_words(frag.type)}, not a condition (true or false).",
                                  "Compare it with something, e.g. orders(days=365) >= 2.")
        return frag

    def compile_order(self, text: str, what: str = "limit.order") -> list[tuple[Fragment, bool]]:
        """``spend(days=365) desc, last_order`` -> [(SQL, descending), ...]."""
        parts, out = split_order(text, what), []
        for piece, descending in parts:
            out.append((self.compile(piece, want=None, what=what), descending))
        return out


# -- parsing -------------------------------------------------------------------------------------------
def _tokens(text: str, what: str):
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"{what}: the expression is longer than {MAX_LENGTH:,} characters.")
    try:
        return _DIALECT.tokenize(text)
    except Exception as exc:  # the tokenizer's own errors: an unclosed quote, a stray character
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ExpressionError(f"{what}: cannot read the expression ({detail[:120]}).",
                              "Text values go in single quotes: state = 'MA'.") from None


def parse(text: str, what: str = "where") -> tuple[exp.Expression, SourceText]:
    """Tokenise, refuse what is never allowed, rename function calls, parse. Returns (tree, source map)."""
    tokens = _tokens(text, what)
    if not tokens:
        raise ExpressionError(f"{what}: the expression is empty.")
    known = functions()
    out, shifts, last, added = [], [], 0, 0
    for i, tok in enumerate(tokens):
        col = tok.start + 1
        if tok.comments:
            raise ExpressionError(f"{what}: comments (-- or /* */) are not allowed (column {col}).")
        if tok.token_type == T.SEMICOLON:
            raise ExpressionError(f"{what}: ';' is not allowed (column {col}): a where expression is one "
                                  "condition, never SQL statements.")
        word = tok.text.lower()
        calls = i + 1 < len(tokens) and tokens[i + 1].token_type == T.L_PAREN
        if word in _STATEMENT_WORDS and tok.token_type not in (T.VAR, T.IDENTIFIER):
            raise ExpressionError(f"{what}: {tok.text.upper()} is not allowed (column {col}): subqueries and SQL "
                                  "statements cannot be used in a selection.")
        if calls and tok.token_type not in _OPERATOR_WORDS and _WORD.fullmatch(tok.text):
            if word not in known:
                raise ExpressionError(f"{what}: unknown function {tok.text!r} (column {col})"
                                      + did_you_mean(word, known), "Functions: " + ", ".join(
                                          f.signature for f in known.values()) + ".")
            out.append(text[last:tok.start])
            out.append(PREFIX + word)
            last = tok.end + 1
            added += len(PREFIX) + len(word) - (tok.end + 1 - tok.start)
            shifts.append((tok.end + 1 + added, added))
            continue
        if tok.token_type not in _ALLOWED_TOKENS:
            hint = ("Values are written as numbers, 'text' or DATE '2026-01-31'; no parameters."
                    if tok.token_type in (T.PLACEHOLDER, T.PARAMETER) else
                    "Use attributes, functions, comparisons, IN, BETWEEN, LIKE, IS NULL, AND, OR, NOT.")
            raise ExpressionError(f"{what}: {tok.text!r} is not allowed here (column {col}).", hint)
    out.append(text[last:])
    rewritten = "".join(out)
    try:
        trees = [t for t in sqlglot.parse(rewritten, read="duckdb") if t is not None]
    except sqlglot.errors.ParseError as exc:
        err = exc.errors[0] if exc.errors else {}
        near = str(err.get("highlight") or "").replace(PREFIX, "")
        detail = str(err.get("description") or "not an expression").split(" for <class")[0]
        raise ExpressionError(f"{what}: cannot read the expression near {near!r}: {detail}.",
                              "Check the brackets and quotes, e.g. state IN ('MA', 'NY').") from None
    except Exception as exc:  # sqlglot's parser can fail in other ways on arbitrary text
        raise ExpressionError(f"{what}: cannot read the expression ({type(exc).__name__}).") from None
    if len(trees) != 1:
        raise ExpressionError(f"{what}: write one expression.")
    return trees[0], SourceText(text, shifts)


def split_order(text: str, what: str) -> list[tuple[str, bool]]:
    """Split ``a desc, b`` at top-level commas; each part may end in ASC or DESC."""
    tokens = _tokens(str(text or ""), what)
    parts, depth, start = [], 0, 0
    bounds = []
    for tok in tokens:
        depth += tok.token_type == T.L_PAREN
        depth -= tok.token_type == T.R_PAREN
        if tok.token_type == T.COMMA and depth == 0:
            bounds.append((start, tok.start))
            start = tok.end + 1
    bounds.append((start, len(text)))
    for a, b in bounds:
        piece = text[a:b].strip()
        m = re.search(r"\s+(asc|desc)\s*$", piece, re.IGNORECASE)
        descending = bool(m and m.group(1).lower() == "desc")
        piece = piece[:m.start()] if m else piece
        if not piece:
            raise ExpressionError(f"{what}: an empty part in {text!r}.")
        parts.append((piece, descending))
    return parts
