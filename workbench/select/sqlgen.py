"""Generating SQL from a checked where tree: every node is checked against the whitelist as it is
turned into our SQL text (:class:`Walker`); values become bound parameters. See expression.py."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from workbench.select.attributes import ATTRIBUTES
from workbench.select.functions import Fragment, FunctionSpec, functions
from workbench.select.language import PREFIX, ExpressionError, SourceText, did_you_mean, type_words

if TYPE_CHECKING:
    from workbench.select.expression import Compiler

_COMPARISONS = {exp.EQ: "=", exp.NEQ: "<>", exp.LT: "<", exp.LTE: "<=", exp.GT: ">", exp.GTE: ">="}
_ARITHMETIC = {exp.Add: "+", exp.Sub: "-", exp.Mul: "*", exp.Div: "/"}
_NOT_ALLOWED = {
    exp.Cast: "casts are not allowed; write a date as DATE '2026-01-31'",
    exp.Interval: "intervals are not supported; write days_ago(30) or today() - 30",
    exp.Subquery: "subqueries are not allowed",
    exp.Select: "subqueries are not allowed",
    exp.Case: "CASE is not supported; combine conditions with AND / OR",
}


class Walker:
    def __init__(self, compiler: Compiler, source: SourceText, what: str) -> None:
        self.c, self.source, self.what = compiler, source, what

    def fail(self, message: str, node: exp.Expression | None = None, hint: str | None = None,
             tail: str = "") -> ExpressionError:
        col = None
        if node is not None:
            start = next((n.meta["start"] for n in node.walk(bfs=False) if n.meta.get("start") is not None), None)
            col = self.source.column(start)
        at = f" (column {col})" if col else ""
        return ExpressionError(f"{self.what}: {message}{at}{tail}" + ("" if tail.endswith("?") else "."), hint)

    def walk(self, node: exp.Expression) -> Fragment:
        for kind, why in _NOT_ALLOWED.items():
            if isinstance(node, kind) and not (isinstance(node, exp.Cast) and _date_literal(node) is not None):
                raise self.fail(why, node)
        if isinstance(node, exp.Paren):
            inner = self.walk(node.this)
            return Fragment(f"({inner.sql})", inner.params, inner.type)
        if isinstance(node, (exp.And, exp.Or)):
            left, right = self.logical(node.this), self.logical(node.expression)
            op = "AND" if isinstance(node, exp.And) else "OR"
            return Fragment(f"({left.sql} {op} {right.sql})", left.params + right.params, "bool")
        if isinstance(node, exp.Not):
            inner = self.logical(node.this)
            return Fragment(f"(NOT {inner.sql})", inner.params, "bool")
        if type(node) in _COMPARISONS:
            return self.compare(node, _COMPARISONS[type(node)])
        if isinstance(node, exp.Is):
            return self.is_null(node)
        if isinstance(node, exp.In):
            return self.in_list(node)
        if isinstance(node, exp.Between):
            value = self.walk(node.this)
            low, high = self.coerce(self.walk(node.args["low"]), value.type), self.coerce(
                self.walk(node.args["high"]), value.type)
            for bound in (low, high):
                self.same_types(value, bound, node, "BETWEEN")
            return Fragment(f"({value.sql} BETWEEN {low.sql} AND {high.sql})", value.params + low.params + high.params)
        if isinstance(node, (exp.Like, exp.ILike)):
            return self.like(node)
        if type(node) in _ARITHMETIC:
            return self.arithmetic(node, _ARITHMETIC[type(node)])
        if isinstance(node, exp.Neg):
            inner = self.walk(node.this)
            if inner.type != "number":
                raise self.fail(f"'-' needs a number, not {type_words(inner.type)}", node)
            return Fragment(f"(-{inner.sql})", inner.params, "number")
        if isinstance(node, exp.Column):
            return self.attribute(node)
        if isinstance(node, exp.Anonymous) and str(node.name).lower().startswith(PREFIX):
            return self.call(node)
        literal = self.literal(node)
        if literal is not None:
            return literal
        raise self.fail(f"{_describe(node)} is not allowed in a selection", node,
                        "Use attributes, functions, comparisons, IN, BETWEEN, LIKE, IS NULL, AND, OR, NOT.")

    def logical(self, node: exp.Expression) -> Fragment:
        frag = self.walk(node)
        if frag.type != "bool":
            raise self.fail(f"AND / OR / NOT need conditions, and {node.sql()[:40]!r} is {type_words(frag.type)}", node)
        return frag

    def literal(self, node: exp.Expression) -> Fragment | None:
        if isinstance(node, exp.Literal):
            if node.is_string:
                return Fragment("?", [node.this], "text")
            return Fragment("?", [self.number(node)], "number")
        if isinstance(node, exp.Boolean):
            return Fragment("true" if node.this else "false", [], "bool")
        if isinstance(node, exp.Null):
            return Fragment("NULL", [], "null")
        if isinstance(node, exp.Cast):
            value = _date_literal(node)
            if value is False:
                raise self.fail(f"{node.this.this!r} is not a date written YYYY-MM-DD", node)
            return Fragment("CAST(? AS DATE)", [value], "date")
        return None

    def number(self, node: exp.Literal) -> int | float:
        text = str(node.this)
        try:
            value: int | float = int(text)
        except ValueError:
            try:
                value = float(text)
            except ValueError:
                raise self.fail(f"{text!r} is not a number", node) from None
        if abs(value) > 1e15 or value != value:
            raise self.fail(f"{text} is too large", node)
        return value

    def coerce(self, frag: Fragment, to: str) -> Fragment:
        """A 'YYYY-MM-DD' text literal compared with a date becomes a date."""
        if to == "date" and frag.type == "text" and frag.sql == "?":
            try:
                return Fragment("CAST(? AS DATE)", [date.fromisoformat(str(frag.params[0]))], "date")
            except ValueError:
                return frag
        return frag

    def same_types(self, a: Fragment, b: Fragment, node: exp.Expression, op: str) -> None:
        if a.type == "null" or b.type == "null":
            raise self.fail(f"{op} with NULL is never true", node, "Write IS NULL or IS NOT NULL.")
        if a.type != b.type:
            raise self.fail(f"{op} compares {type_words(a.type)} with {type_words(b.type)}", node,
                            "Dates are written DATE '2026-01-31'; text in single quotes.")

    def compare(self, node: exp.Expression, op: str) -> Fragment:
        left, right = self.walk(node.this), self.walk(node.expression)
        left, right = self.coerce(left, right.type), self.coerce(right, left.type)
        self.same_types(left, right, node, f"'{op}'")
        if left.type == "text":  # text compares without regard to case: city = 'Boston' finds BOSTON
            if op in ("=", "<>"):
                self.note_value(node.this, node.expression)
                self.note_value(node.expression, node.this)
            return Fragment(f"(lower({left.sql}) {op} lower({right.sql}))", left.params + right.params)
        return Fragment(f"({left.sql} {op} {right.sql})", left.params + right.params)

    def note_value(self, attribute: exp.Expression, value: exp.Expression) -> None:
        """Remember ``attribute = 'value'`` (a bare text attribute and a text written out) for the check of
        values that never occur (:func:`workbench.select.values.unseen_values`)."""
        if not (isinstance(attribute, exp.Column) and isinstance(value, exp.Literal) and value.is_string):
            return
        attr = ATTRIBUTES.get(str(attribute.name).lower())
        if attr is not None and attr.type == "text":
            item = (attr.name, str(value.this))
            if item not in self.c.text_values:
                self.c.text_values.append(item)

    def is_null(self, node: exp.Is) -> Fragment:
        value = self.walk(node.this)
        target = node.expression
        if isinstance(target, exp.Null):
            return Fragment(f"({value.sql} IS NULL)", value.params)
        if isinstance(target, exp.Boolean) and value.type == "bool":
            return Fragment(f"({value.sql} IS {'TRUE' if target.this else 'FALSE'})", value.params)
        raise self.fail("IS is followed by NULL (or NOT NULL)", node)

    def in_list(self, node: exp.In) -> Fragment:
        if node.args.get("query") or node.args.get("unnest") or node.args.get("field"):
            raise self.fail("IN takes a list of values, e.g. state IN ('MA', 'NY'); subqueries are not allowed", node)
        value = self.walk(node.this)
        items = []
        for item in node.expressions:
            frag = self.literal(item) if not isinstance(item, exp.Neg) else self.walk(item)
            if frag is None or frag.type == "null":
                raise self.fail("IN takes a list of values (numbers, 'text', dates)", item)
            frag = self.coerce(frag, value.type)
            self.same_types(value, frag, node, "IN")
            items.append(frag)
        if not items:
            raise self.fail("IN needs at least one value", node)
        if value.type == "text":  # without regard to case, like '='
            for item in node.expressions:
                self.note_value(node.this, item)
            return Fragment(f"(lower({value.sql}) IN ({', '.join(f'lower({f.sql})' for f in items)}))",
                            value.params + [p for f in items for p in f.params])
        return Fragment(f"({value.sql} IN ({', '.join(f.sql for f in items)}))",
                        value.params + [p for f in items for p in f.params])

    def like(self, node: exp.Expression) -> Fragment:
        if node.args.get("escape"):
            raise self.fail("ESCAPE is not supported", node)
        value, pattern = self.walk(node.this), self.walk(node.expression)
        if value.type != "text" or pattern.type != "text":
            raise self.fail("LIKE compares text with a 'pattern%'", node)
        return Fragment(f"({value.sql} ILIKE {pattern.sql})", value.params + pattern.params)  # any case, like '='

    def arithmetic(self, node: exp.Expression, op: str) -> Fragment:
        left, right = self.walk(node.this), self.walk(node.expression)
        types = (left.type, right.type)
        if types == ("number", "number"):
            result = "number"
        elif op in "+-" and types == ("date", "number"):
            result = "date"
        elif op == "-" and types == ("date", "date"):
            return Fragment(f"date_diff('day', {right.sql}, {left.sql})", right.params + left.params, "number")
        else:
            raise self.fail(f"'{op}' cannot combine {type_words(left.type)} with {type_words(right.type)}", node)
        if result == "date":
            return Fragment(f"CAST({left.sql} {op} CAST({right.sql} AS INTEGER) AS DATE)", left.params + right.params,
                            "date")
        sql = f"({left.sql} {op} {right.sql})" if op != "/" else f"({left.sql} / nullif({right.sql}, 0))"
        return Fragment(sql, left.params + right.params, result)

    def attribute(self, node: exp.Column) -> Fragment:
        if node.table:
            raise self.fail(f"write the attribute name alone, not {node.sql()!r}", node)
        name = str(node.name)
        attr = ATTRIBUTES.get(name.lower())
        if attr is None and name.lower() in (getattr(self.c.catalog, "triggers", None) or {}):
            from workbench.contacts.select_functions import trigger_fragment  # a trigger as a bare attribute

            return trigger_fragment(name, self.c)
        if attr is None:
            known = functions()
            if name.lower() in known:
                spec = known[name.lower()]
                raise self.fail(f"{name} is a function: write {spec.name}() or {spec.signature}", node)
            raise self.fail(f"unknown attribute {name!r}", node,
                            "Attributes: " + ", ".join(ATTRIBUTES) + ". See `workbench selections attributes`.",
                            tail=did_you_mean(name.lower(), [*ATTRIBUTES, *known]))
        self.c.names.add(attr.name)
        self.c.depends.update(attr.depends)
        params = [self.c.today] * attr.sql.count("{today}")
        return Fragment(attr.sql.replace("{today}", "CAST(? AS DATE)"), params, attr.type)

    def call(self, node: exp.Anonymous) -> Fragment:
        name = str(node.name).lower()[len(PREFIX):]
        spec = functions()[name]
        args = self.arguments(spec, node)
        try:
            frag = spec.build(args, self.c)
            self.c.depends.update(spec.depends(args))
        except ExpressionError as exc:
            raise ExpressionError(f"{self.what}: {name}(): {exc.message}", exc.hint) from None
        except (ValueError, TypeError, OverflowError) as exc:
            raise self.fail(f"{name}(): {exc}", node) from None
        self.c.names.add(name)
        return frag

    def arguments(self, spec: FunctionSpec, node: exp.Anonymous) -> dict[str, Any]:
        given: dict[str, Any] = {}
        by_name = {a.name: a for a in spec.args}
        positional = True
        for i, item in enumerate(node.expressions):
            key = None
            if (isinstance(item, exp.EQ) and isinstance(item.this, exp.Column) and not item.this.table
                    and (item.this.name in by_name or item.this.name.lower() not in ATTRIBUTES)):
                key, item = item.this.name, item.expression
            elif isinstance(item, exp.Kwarg):
                key, item = str(item.this.name), item.expression
            if key is None:
                if not positional:
                    raise self.fail(f"{spec.name}(): a value without a name after a named one", node)
                if i >= len(spec.args):
                    raise self.fail(f"{spec.name}() takes at most {len(spec.args)} value(s): {spec.signature}", node)
                key = spec.args[i].name
            else:
                positional = False
            if key not in by_name:
                raise self.fail(f"{spec.name}() has no argument {key!r}", node, f"Write {spec.signature}.",
                                tail=did_you_mean(key, by_name))
            if key in given:
                raise self.fail(f"{spec.name}(): {key} is given twice", node)
            given[key] = self.argument(spec, by_name[key], item)
        for a in spec.args:
            if a.required and a.name not in given:
                raise self.fail(f"{spec.name}() needs {a.name}: {spec.signature}", node)
        return given

    def argument(self, spec: FunctionSpec, arg, item: exp.Expression) -> Any:
        if not arg.literal:
            frag = self.walk(item)
            if frag.type not in (arg.type, "null"):
                raise self.fail(f"{spec.name}() takes {type_words(arg.type)}, not {type_words(frag.type)}", item)
            return frag
        frag = self.literal(item) if not isinstance(item, exp.Neg) else self.walk(item)
        if frag is None or frag.sql not in ("?", "(-?)") or len(frag.params) != 1:
            raise self.fail(f"{spec.name}(): {arg.name} must be a value written out, e.g. "
                            + ("'ember'" if arg.type == "text" else "365"), item)
        value = frag.params[0] if frag.sql == "?" else -frag.params[0]
        if frag.type != arg.type:
            raise self.fail(f"{spec.name}(): {arg.name} must be {type_words(arg.type)}", item)
        return value


def _date_literal(node: exp.Cast):
    """A date for DATE 'YYYY-MM-DD'; False for a malformed one; None when the cast is not a date literal."""
    if not (isinstance(node.this, exp.Literal) and node.this.is_string and node.to.this == exp.DataType.Type.DATE):
        return None
    try:
        return date.fromisoformat(node.this.this)
    except ValueError:
        return False


def _describe(node: exp.Expression) -> str:
    return {exp.Star: "'*'", exp.Anonymous: "that function"}.get(type(node), f"{type(node).__name__.lower()} "
                                                                               f"{node.sql()[:30]!r}")


