"""Segments and scores in selections: the function ``rfm(brand=)`` (the person's RFM segment, of one brand
or of all brands), ``rfm_score(kind, brand=)`` and ``churn(brand=, kind=)`` (the brand model's churn
score, or ``kind='decile'`` its decile). The attributes ``rfm_segment``, ``recency_score``,
``frequency_score``, ``monetary_score``, ``churn_score`` and ``churn_decile`` are declared in
:mod:`workbench.select.attributes` (they read ``rfm_scores`` and ``churn_scores``).

Imported by ``workbench.select.functions.functions()`` (a plain import on first use). The values are those of the last
``workbench segments`` run (empty for a person with no orders, or before the first run).
"""

from __future__ import annotations

from typing import Any

_KINDS = {"recency": "recency_score", "frequency": "frequency_score", "monetary": "monetary_score"}


def _brand(args: dict[str, Any], ctx: Any) -> str:
    return ctx.check_brand(args["brand"]) if args.get("brand") is not None else ""


def segment_functions() -> list[Any]:
    from workbench.select.spec import Arg, Fragment, FunctionSpec

    def rfm(args: dict[str, Any], ctx: Any) -> Fragment:
        brand = _brand(args, ctx)
        column = ctx.feature(
            ("rfm", brand), "SELECT person_id, segment AS v FROM rfm_scores WHERE brand = ?", [brand]
        )
        return Fragment(column, [], "text")

    def rfm_score(args: dict[str, Any], ctx: Any) -> Fragment:
        kind = str(args["kind"]).strip().lower()
        if kind not in _KINDS:
            raise ValueError(
                f"kind must be one of {', '.join(repr(k) for k in _KINDS)}, not {args['kind']!r}"
            )
        brand = _brand(args, ctx)
        column = ctx.feature(
            ("rfm_score", kind, brand),
            f"SELECT person_id, {_KINDS[kind]} AS v FROM rfm_scores WHERE brand = ?",
            [brand],
        )
        return Fragment(column, [], "number")

    def churn(args: dict[str, Any], ctx: Any) -> Fragment:
        kind = str(args.get("kind") or "score").strip().lower()
        if kind not in ("score", "decile"):
            raise ValueError(f"kind must be 'score' or 'decile', not {args['kind']!r}")
        brand = _brand(args, ctx)
        column = ctx.feature(
            ("churn", kind, brand),
            f"SELECT person_id, {kind} AS v FROM churn_scores WHERE brand = ?",
            [brand],
        )
        return Fragment(column, [], "number")

    def depends(args: dict[str, Any]) -> tuple[str, ...]:
        return ("transactions",)

    return [
        FunctionSpec(
            "rfm",
            (Arg("brand", "text"),),
            "text",
            "the person's RFM segment (of one brand, else all brands); empty if no orders",
            rfm,
            depends,
        ),
        FunctionSpec(
            "rfm_score",
            (Arg("kind", "text", required=True), Arg("brand", "text")),
            "number",
            "the person's 'recency', 'frequency' or 'monetary' score 1-5 (of one brand)",
            rfm_score,
            depends,
        ),
        FunctionSpec(
            "churn",
            (Arg("brand", "text"), Arg("kind", "text")),
            "number",
            "the person's churn score (kind='decile': its decile, 10 = most likely to lapse) from the brand's "
            "model (no brand: the all-brands model); empty if not scored",
            churn,
            depends,
        ),
    ]
