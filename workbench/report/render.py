"""The profile as Markdown (reads well as an e-mail) and as one self-contained HTML file (inline SVG)."""

from __future__ import annotations

from html import escape
from typing import Any

from workbench.report.svg import columns, hbar


def _n(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float) and not v.is_integer():
        return f"{v:,.2f}"
    try:
        return f"{int(v):,}" if float(v).is_integer() else f"{float(v):,.2f}"
    except (TypeError, ValueError):
        return str(v)


def _money(v: Any) -> str:
    return "-" if v is None else f"${float(v):,.0f}"


def _pct(v: Any) -> str:
    return "-" if v is None else f"{100 * float(v):.1f}%"


def _change(v: Any) -> str:
    return "-" if v is None else f"{v:+.1f}%"


def sections(p: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]], str]]:
    """(title, header, rows, note) per section: the same content for both formats."""
    o, rev, new, best, anon = p["overview"], p["revenue"], p["new_customers"], p["best_customers"], p["anonymous"]
    out = []
    out.append(("The database", ["", ""], [
        ["Persons (resolved customers)", _n(o["persons"])],
        ["Households", _n(o["households"])],
        ["People records", _n(o["records"])],
        ["Persons known from several records", _n(o["persons_in_several_records"])],
        ["Transactions", _n(o["transactions"])],
    ], ""))
    out.append(("Records per source", ["source", "records", "persons", "records merged with others"],
                [[s["source"], _n(s["records"]), _n(s["persons"]), _n(s["linked_records"])] for s in o["sources"]], ""))
    out.append(("Revenue by brand and channel", ["brand", "channel", "orders", "revenue", "orders last year",
                                                 "revenue last year"],
                [[r["brand"], r["channel"], _n(r["orders"]), _money(r["revenue"]), _n(r["orders_last_year"]),
                  _money(r["revenue_last_year"])] for r in rev["by_brand_channel"]]
                + [["**total**", "", _n(rev["total"]["orders"]), _money(rev["total"]["revenue"]),
                    _n(rev["total"]["orders_last_year"]), _money(rev["total"]["revenue_last_year"])]],
                "Revenue excludes returned orders."))
    out.append(("New customers", ["", "this period", "same period last year", "change"],
                [["First purchase", _n(new["this_period"]), _n(new["last_year"]), _change(new["change_pct"])]]
                + [[f"  first brand: {r['brand']}", _n(r["this_period"]), _n(r["last_year"]), ""]
                   for r in new["by_first_brand"]], ""))
    if best.get("count"):
        out.append(("Best customers (top decile by 12-month spend)", ["", "best customers", "all buyers"], [
            ["Persons", _n(best["count"]), _n(best["buyers_12m"])],
            ["12-month spend from", _money(best["threshold_spend"]), ""],
            ["Share of 12-month revenue", _pct(best["share_of_revenue"]), "100%"],
            ["Average order", _money(best["avg_order"]), _money(best["avg_order_everyone"])],
            ["Tenure (years since first order)", _n(best["tenure_years"]), _n(best["tenure_years_everyone"])],
        ] + [[f"  brand: {b['brand']}", _money(b["revenue"]), f"{_n(b['persons'])} persons"] for b in best["brands"]]
          + [[f"  channel: {c['channel']}", _money(c["revenue"]), f"{_n(c['persons'])} persons"] for c in best["channels"]]
          + [[f"  region: {r['state']}", _n(r["persons"]), ""] for r in best["regions"]], ""))
    out.append(("Anonymous transactions (this period)", ["channel", "transactions", "anonymous", "share"],
                [[r["channel"], _n(r["transactions"]), _n(r["anonymous"]),
                  _pct(r["anonymous"] / r["transactions"] if r["transactions"] else None)] for r in anon["by_channel"]]
                + [["**all**", _n(anon["transactions"]), _n(anon["anonymous"]), _pct(anon["share"])]],
                f"Anonymous revenue share: {_pct(anon['revenue_share'])}."))
    sup = p["suppressions"]
    if sup:
        key = "persons" if "persons" in sup[0] else "entries"
        out.append(("Suppressions by reason", ["reason", "channel", key],
                    [[s["reason"] or "-", s["channel"], _n(s[key])] for s in sup], ""))
    out.append(("Source freshness", ["source", "kind", "status", "age", "cadence", "data as of"],
                [[f["source"], f["kind"], f["status"].upper() if f["status"] != "fresh" else "fresh", f["age"],
                  f["cadence"], f["as_of"] or "-"] for f in p["freshness"]], ""))
    if p["campaigns"]:
        keys = [k for k in p["campaigns"][0] if k not in ("cells",)]
        out.append(("Recent campaigns", keys, [[_n(c[k]) if isinstance(c[k], (int, float)) else str(c[k] if c[k]
                                                  is not None else "-") for k in keys] for c in p["campaigns"]], ""))
    out += _segment_sections(p.get("segments"))
    out += _quality_sections(p.get("quality"))
    out += _append_sections(p.get("appends"))
    return out


def _quality_sections(points: list[dict[str, Any]] | None) -> list[tuple[str, list[str], list[list[str]], str]]:
    """Issue 18: data quality as a trend, one row per reviewed sample (docs/quality.md)."""
    if not points:
        return []
    body = [[f"{q['drawn_at']:%Y-%m-%d}" if hasattr(q["drawn_at"], "strftime") else str(q["drawn_at"]),
             _pct(q["duplicate_rate"]), _pct(q["person_precision"]), _pct(q["household_precision"]),
             _pct(q["suppression_precision"])] for q in points]
    return [("Data quality (estimated from reviewed samples)",
             ["sample drawn", "duplicate rate", "person precision", "household accuracy", "suppression precision"],
             body, "Duplicate rate: estimated missed same-person pairs per person. `workbench quality` gives the "
                   "95% intervals.")]


def _append_sections(app: dict[str, Any] | None) -> list[tuple[str, list[str], list[list[str]], str]]:
    """Issue 15: agency appends: coverage, and each trait's values (appended, or told us by the customer)."""
    if not app:
        return []
    cov = app.get("coverage")
    note = (f"Coverage: {_n(cov['households_matched'])} of {_n(cov['households'])} households matched "
            f"({_pct(cov['share'])}). " if cov else "Coverage: not measured yet (run a count). ")
    note += "Files: " + "; ".join(f"{a['agency']} ({a['source']}, {a['file_date'] or 'no file date'}, "
                                  f"{_n(a['rows'])} rows)" for a in app["agencies"]) + "."
    body = [[name, str(v["value"] if v["value"] is not None else "-"), _n(v["persons"]), _n(v["appended"]),
             _n(v["customer"])] for name, values in app["traits"].items() for v in values]
    return [("Agency appends", ["trait", "value", "persons", "appended", "told us by the customer"], body,
             note + " A value the customer gave us is never overwritten by an append.")]


def _segment_sections(seg: dict[str, Any] | None) -> list[tuple[str, list[str], list[list[str]], str]]:
    """Issue 14: segment sizes and value, and the recency x frequency grid (persons; value under it)."""
    if not seg or not seg.get("persons"):
        return []
    from workbench.segments.view import grid_matrix

    as_of = f"orders as of {seg['as_of']}, lookback {seg['lookback_days']} days" + (
        "; the orders changed since: run `workbench segments`" if seg.get("stale") else "")
    body = [[s["segment"], _n(s["persons"]), _pct(s["share"]), _money(s["monetary"]), _pct(s["value_share"]),
             _money(s["avg_monetary"])] for s in seg["segments"]]
    body.append(["**all**", _n(seg["persons"]), "100%", _money(seg["monetary"]), "100%", ""])
    persons, value = grid_matrix(seg, "persons"), grid_matrix(seg, "monetary")
    grid = [[f"R{5 - i}", *(f"{_n(n)} / {_money(v)}" for n, v in zip(row, vrow, strict=True))]
            for i, (row, vrow) in enumerate(zip(persons, value, strict=True))]
    return [("Customer segments (RFM)", ["segment", "persons", "share", "value", "of value", "average value"], body,
             f"Quintile scores 1-5 over every brand; {as_of}."),
            ("Recency x frequency (persons / value)", ["recency", "F1", "F2", "F3", "F4", "F5"], grid,
             "R5 = the most recent last order, F5 = the most orders in the lookback.")]


def to_markdown(p: dict[str, Any]) -> str:
    period = p["period"]
    lines = [f"# {p['title']}", "",
             f"Period **{period['label']}** ({period['start']} to {period['end']}), compared with "
             f"{p['last_year_period']['start']} to {p['last_year_period']['end']}. "
             f"Generated {p['generated_at']} by workbench {p['workbench_version']}.", ""]
    for title, header, body, note in sections(p):
        lines += [f"## {title}", ""]
        if any(header):
            lines.append("| " + " | ".join(header) + " |")
        else:
            lines.append("| | |")
        lines.append("|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|")
        lines += ["| " + " | ".join(c.replace("|", "/") for c in row) + " |" for row in body]
        if note:
            lines += ["", f"_{note}_"]
        lines.append("")
    return "\n".join(lines)


CSS = """
body { font: 14px/1.45 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #222;
       max-width: 980px; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.7em; margin-bottom: .2em; } h2 { font-size: 1.2em; margin-top: 1.8em; border-bottom: 2px solid #2f6f9f; }
.meta { color: #666; } table { border-collapse: collapse; width: 100%; margin: .6em 0; }
th, td { padding: 4px 8px; border-bottom: 1px solid #e4e4e4; text-align: right; }
th:first-child, td:first-child { text-align: left; } th { background: #f3f6f9; }
.kpis { display: flex; flex-wrap: wrap; gap: 12px; margin: 1em 0; }
.kpi { flex: 1 1 150px; border: 1px solid #dde3ea; border-radius: 6px; padding: 10px 14px; }
.kpi b { display: block; font-size: 1.5em; color: #2f6f9f; } .note { color: #666; font-size: .9em; }
svg.chart text { font-size: 12px; fill: #333; } svg.chart text.small { font-size: 10px; fill: #666; }
.status-warn { color: #a66b00; font-weight: bold; } .status-error, .status-never { color: #b00020; font-weight: bold; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } table, svg { break-inside: avoid; } }
"""


def to_html(p: dict[str, Any]) -> str:
    o, rev, new = p["overview"], p["revenue"], p["new_customers"]
    period = p["period"]
    kpis = [("Persons", _n(o["persons"])), ("Households", _n(o["households"])),
            ("Revenue this period", _money(rev["total"]["revenue"])),
            ("New customers", f"{_n(new['this_period'])} ({_change(new['change_pct'])} on last year)")]
    html = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{escape(p['title'])} {escape(period['label'])}</title><style>{CSS}</style></head><body>",
        f"<h1>{escape(p['title'])}</h1>",
        f"<p class='meta'>Period <b>{escape(period['label'])}</b> ({period['start']} to {period['end']}), compared with "
        f"the same period last year. Generated {escape(p['generated_at'])} by workbench "
        f"{escape(p['workbench_version'])}.</p>",
        "<div class='kpis'>" + "".join(f"<div class='kpi'><b>{escape(v)}</b>{escape(k)}</div>" for k, v in kpis)
        + "</div>",
    ]
    charts = {
        "Revenue by brand and channel": hbar([(b["brand"], float(b["revenue"])) for b in rev["by_brand"]],
                                             fmt=lambda v: f"${v:,.0f}"),
        "The database": columns([(m["month"], float(m["revenue"])) for m in p["monthly"]], fmt=lambda v: f"${v:,.0f}"),
    }
    best = p["best_customers"]
    if best.get("count"):
        charts["Best customers (top decile by 12-month spend)"] = hbar(
            [(b["brand"], float(b["revenue"] or 0)) for b in best["brands"]], fmt=lambda v: f"${v:,.0f}")
    for title, header, body, note in sections(p):
        html.append(f"<h2>{escape(title)}</h2>")
        if title == "The database" and charts.get(title):
            html.append("<p class='note'>Revenue per month, last 12 months</p>" + charts[title])
        elif charts.get(title):
            html.append(charts[title])
        html.append("<table>")
        if any(header):
            html.append("<tr>" + "".join(f"<th>{escape(h)}</th>" for h in header) + "</tr>")
        for row in body:
            cells = []
            for c in row:
                cls = f" class='status-{c.lower()}'" if c in ("WARN", "ERROR", "NEVER") else ""
                text = escape(c.replace("**", ""))
                cells.append(f"<td{cls}>{'<b>' + text + '</b>' if c.startswith('**') else text}</td>")
            html.append("<tr>" + "".join(cells) + "</tr>")
        html.append("</table>")
        if note:
            html.append(f"<p class='note'>{escape(note)}</p>")
    html.append("</body></html>")
    return "\n".join(html)
