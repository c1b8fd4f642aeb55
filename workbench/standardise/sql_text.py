"""Small helpers that write SQL text for the macros (literals built from the shipped tables only)."""

from __future__ import annotations

from collections.abc import Mapping


def quote(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def map_literal(mapping: Mapping[str, str | bool]) -> str:
    """A DuckDB MAP literal; a lookup ``MAP {...}[key]`` gives NULL for a missing key."""
    items = []
    for key, value in sorted(mapping.items()):
        rendered = ("true" if value else "false") if isinstance(value, bool) else quote(value)
        items.append(f"{quote(key)}: {rendered}")
    return "MAP {" + ", ".join(items) + "}"


def let(name: str, value: str, body: str) -> str:
    """Evaluate ``value`` once per row and name it ``name`` inside ``body``.

    A macro argument is pasted into the macro body wherever the parameter appears, so a value used
    many times would be computed many times. Passing it through a one-element list and a lambda
    computes it once; the body then reads the lambda parameter.
    """
    return f"list_transform([{value}], lambda {name}: {body})[1]"


def pipeline(start: str, steps: list[tuple[str, str]]) -> str:
    """Run ``start`` through ``steps`` ((name, body) pairs), each body seeing the previous value as ``name``.

    Steps nest in the argument position, never in a lambda body: DuckDB binds a lambda body more than
    once, so lambdas nested in bodies cost time exponential in depth at bind, which a pipeline avoids.
    """
    value = start
    for name, body in steps:
        value = let(name, value, body)
    return value


def blank_is_null(param: str, body: str) -> str:
    """``body`` for a non-blank ``param``; NULL for NULL, '' or whitespace only."""
    return f"CASE WHEN trim(CAST({param} AS VARCHAR)) <> '' THEN {body} END"


def in_list(expr: str, words: list[str]) -> str:
    """``expr IN ('A', 'B', ...)``."""
    return f"{expr} IN ({', '.join(quote(word) for word in sorted(words))})"


def case_lookup(expr: str, mapping: Mapping[str, str]) -> str:
    """A lookup written as ``CASE WHEN expr IN (...) THEN value ... END`` (NULL when absent).

    Used inside lambdas instead of a MAP literal: DuckDB copies a constant MAP captured by a lambda
    per row, which made each lookup cost as much as the rest of the step. ``expr`` is repeated once
    per distinct value, so keep it a plain reference.
    """
    by_value: dict[str, list[str]] = {}
    for key, value in mapping.items():
        by_value.setdefault(value, []).append(key)
    whens = " ".join(
        f"WHEN {in_list(expr, keys)} THEN {quote(value)}" for value, keys in sorted(by_value.items())
    )
    return f"CASE {whens} END"
