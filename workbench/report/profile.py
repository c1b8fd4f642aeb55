"""The database profile: the vital figures the rest of the company asks the marketing database for.

:func:`build_profile` returns plain data (dicts and lists) that the Markdown and HTML renderers, the CLI's
``--json`` and the TUI Profile screen all use. Everything is one set-based query per section; tables of
later capabilities (households, suppressions, campaigns) are used when they exist.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import duckdb

from workbench import __version__, clock
from workbench.progress import Progress, step
from workbench.report.period import Period, parse_period
from workbench.store.sql import rows, run, scalar


def _has_table(conn: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(scalar(conn, "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND NOT temporary", [name])
                or scalar(conn, "SELECT count(*) FROM duckdb_views() WHERE view_name = ? AND NOT temporary", [name]))


def build_profile(conn: duckdb.DuckDBPyConnection, period: str | None = None,
                  now: datetime | None = None, progress: Progress | None = None) -> dict[str, Any]:
    """The profile's figures, section by section; ``progress(message, fraction)`` is called between the
    sections (it may raise :class:`workbench.errors.Cancelled` to stop there)."""
    now = now or clock.now()
    p = parse_period(period, now)
    year_ago = now - timedelta(days=365)
    # anonymous = a transaction with no buyer key, or one whose key matches no people record
    # one pass over the linked transactions: each buyer's first order and 12-month spend
    run(conn, """CREATE OR REPLACE TEMP TABLE _pp AS
        SELECT pr.person_id, min(t.order_date) AS first_order, arg_min(t.brand, t.order_date) AS first_brand,
               sum(t.amount) FILTER (WHERE NOT t.returned AND t.order_date >= ? AND t.order_date <= ?) AS spend,
               count(*) FILTER (WHERE t.order_date >= ? AND t.order_date <= ?) AS orders
        FROM transactions t JOIN person_records pr USING (record_id) GROUP BY pr.person_id""",
        [year_ago, now, year_ago, now])
    out: dict[str, Any] = {
        "title": "Marketing database profile",
        "generated_at": now.isoformat(timespec="minutes"),
        "workbench_version": __version__,
        "period": p.to_dict(),
        "last_year_period": p.last_year.to_dict(),
    }
    sections: list[tuple[str, Callable[[], Any]]] = [
        ("overview", lambda: _overview(conn)),
        ("revenue", lambda: _revenue(conn, p)),
        ("monthly", lambda: _monthly(conn, now)),
        ("new_customers", lambda: _new_customers(conn, p)),
        ("best_customers", lambda: _best_customers(conn, year_ago, now)),
        ("anonymous", lambda: _anonymous(conn, p)),
        ("suppressions", lambda: _suppressions(conn)),
        ("freshness", lambda: _freshness(conn, now)),
        ("campaigns", lambda: _campaigns(conn)),
        ("segments", lambda: _segments(conn)),
        ("quality", lambda: _quality(conn)),
        ("appends", lambda: _appends(conn)),
    ]
    for i, (key, figure) in enumerate(sections):
        step(progress, f"figuring {key.replace('_', ' ')}", 0.1 + 0.9 * i / len(sections))
        out[key] = figure()
    run(conn, "DROP TABLE IF EXISTS _pp")
    return out


def _overview(conn) -> dict[str, Any]:
    persons = scalar(conn, "SELECT count(*) FROM persons")
    households = (scalar(conn, "SELECT count(*) FROM households") if _has_table(conn, "households") else None) or None
    per_source = rows(conn, """
        WITH sizes AS (SELECT person_id, count(*) AS n FROM person_records GROUP BY person_id)
        SELECT r.source, count(*) AS records, count(DISTINCT pr.person_id) AS persons,
               count(*) FILTER (WHERE s.n > 1) AS linked_records
        FROM records r LEFT JOIN person_records pr USING (record_id) LEFT JOIN sizes s USING (person_id)
        GROUP BY r.source ORDER BY records DESC""")
    records = sum(r["records"] for r in per_source)
    multi = scalar(conn, "SELECT count(*) FROM (SELECT person_id FROM person_records GROUP BY 1 HAVING count(*) > 1)")
    return {"persons": persons, "households": households, "records": records,
            "persons_in_several_records": multi, "sources": per_source,
            "transactions": scalar(conn, "SELECT count(*) FROM transactions")}


def _revenue(conn, p: Period) -> dict[str, Any]:
    by = rows(conn, """
        SELECT coalesce(brand, '(none)') AS brand, coalesce(channel, '(none)') AS channel,
               count(*) FILTER (WHERE order_date >= ? AND order_date < ?) AS orders,
               coalesce(sum(amount) FILTER (WHERE order_date >= ? AND order_date < ? AND NOT returned), 0) AS revenue,
               count(*) FILTER (WHERE order_date >= ? AND order_date < ?) AS orders_last_year,
               coalesce(sum(amount) FILTER (WHERE order_date >= ? AND order_date < ? AND NOT returned), 0)
                   AS revenue_last_year
        FROM transactions GROUP BY ALL ORDER BY revenue DESC, brand, channel""",
              [p.start, p.end] * 2 + [p.last_year.start, p.last_year.end] * 2)
    total = {k: sum(r[k] for r in by) for k in ("orders", "revenue", "orders_last_year", "revenue_last_year")}
    brands: dict[str, float] = {}
    for r in by:
        brands[r["brand"]] = brands.get(r["brand"], 0) + float(r["revenue"])
    return {"by_brand_channel": by, "total": total,
            "by_brand": [{"brand": b, "revenue": v} for b, v in sorted(brands.items(), key=lambda x: -x[1])]}


def _monthly(conn, now: datetime) -> list[dict[str, Any]]:
    start = (now.replace(day=1) - timedelta(days=365)).replace(day=1)
    return rows(conn, """
        SELECT strftime(date_trunc('month', order_date), '%Y-%m') AS month, count(*) AS orders,
               coalesce(sum(amount) FILTER (WHERE NOT returned), 0) AS revenue
        FROM transactions WHERE order_date >= ? AND order_date <= ? GROUP BY 1 ORDER BY 1""", [start, now])


def _new_customers(conn, p: Period) -> dict[str, Any]:
    counts = rows(conn, """SELECT coalesce(first_brand, '(none)') AS brand,
            count(*) FILTER (WHERE first_order >= ? AND first_order < ?) AS this_period,
            count(*) FILTER (WHERE first_order >= ? AND first_order < ?) AS last_year
        FROM _pp GROUP BY 1 ORDER BY this_period DESC, brand""", [p.start, p.end, p.last_year.start, p.last_year.end])
    this = sum(r["this_period"] for r in counts)
    last = sum(r["last_year"] for r in counts)
    change = None if not last else round(100.0 * (this - last) / last, 1)
    return {"this_period": this, "last_year": last, "change_pct": change, "by_first_brand": counts}


def _best_customers(conn, since: datetime, now: datetime) -> dict[str, Any]:
    buyers = scalar(conn, "SELECT count(*) FROM _pp WHERE spend > 0")
    if not buyers:
        return {"buyers_12m": 0, "count": 0}
    run(conn, """CREATE OR REPLACE TEMP TABLE _best AS SELECT * FROM (
        SELECT person_id, spend, orders, first_order, ntile(10) OVER (ORDER BY spend DESC, person_id) AS decile
        FROM _pp WHERE spend > 0) WHERE decile = 1""")
    summary = rows(conn, """SELECT count(*) AS count, min(spend) AS threshold, sum(spend) AS revenue,
            sum(spend) / sum(orders) AS avg_order, avg(date_diff('day', first_order, ?)) / 365.25 AS tenure
        FROM _best""", [now])[0]
    everyone = rows(conn, """SELECT sum(spend) AS revenue, sum(spend) / sum(orders) AS avg_order,
            avg(date_diff('day', first_order, ?)) / 365.25 AS tenure FROM _pp WHERE spend > 0""", [now])[0]
    run(conn, """CREATE OR REPLACE TEMP TABLE _best_txn AS
        SELECT b.person_id, t.brand, t.channel, t.amount FROM transactions t
        JOIN person_records pr USING (record_id) JOIN _best b ON b.person_id = pr.person_id
        WHERE NOT t.returned AND t.order_date >= ? AND t.order_date <= ?""", [since, now])
    mix = """SELECT coalesce({col}, '(none)') AS {col}, sum(amount) AS revenue, count(DISTINCT person_id) AS persons
             FROM _best_txn GROUP BY 1 ORDER BY revenue DESC NULLS LAST"""
    brands = rows(conn, mix.format(col="brand"))
    channels = rows(conn, mix.format(col="channel"))
    regions = rows(conn, """SELECT coalesce(p.state, '(unknown)') AS state, count(*) AS persons
        FROM _best b JOIN persons p USING (person_id) GROUP BY 1 ORDER BY persons DESC, state LIMIT 10""")
    run(conn, "DROP TABLE IF EXISTS _best")
    run(conn, "DROP TABLE IF EXISTS _best_txn")
    return {"buyers_12m": buyers, "count": summary["count"], "threshold_spend": summary["threshold"],
            "revenue": summary["revenue"],
            "share_of_revenue": float(summary["revenue"] / everyone["revenue"]) if everyone["revenue"] else None,
            "avg_order": summary["avg_order"], "avg_order_everyone": everyone["avg_order"],
            "tenure_years": summary["tenure"], "tenure_years_everyone": everyone["tenure"],
            "brands": brands, "channels": channels, "regions": regions}


def _anonymous(conn, p: Period) -> dict[str, Any]:
    r = rows(conn, """SELECT count(*) AS transactions, count(*) FILTER (WHERE record_id IS NULL) AS anonymous,
            coalesce(sum(amount), 0) AS revenue,
            coalesce(sum(amount) FILTER (WHERE record_id IS NULL), 0) AS anonymous_revenue
        FROM transactions WHERE order_date >= ? AND order_date < ?""", [p.start, p.end])[0]
    r["share"] = r["anonymous"] / r["transactions"] if r["transactions"] else None
    r["revenue_share"] = float(r["anonymous_revenue"] / r["revenue"]) if r["revenue"] else None
    r["by_channel"] = rows(conn, """SELECT coalesce(channel, '(none)') AS channel, count(*) AS transactions,
            count(*) FILTER (WHERE record_id IS NULL) AS anonymous
        FROM transactions WHERE order_date >= ? AND order_date < ? GROUP BY 1 ORDER BY 1""", [p.start, p.end])
    return r


def _suppressions(conn) -> list[dict[str, Any]]:
    if _has_table(conn, "person_suppressions"):
        try:
            from workbench.suppress import ensure_person_suppressions  # type: ignore[attr-defined]

            ensure_person_suppressions(conn)
        except Exception:  # a read-only connection cannot refresh; report what is there
            pass
        return rows(conn, """SELECT reason, channel, count(DISTINCT person_id) AS persons
            FROM person_suppressions GROUP BY ALL ORDER BY persons DESC, reason""")
    return rows(conn, """SELECT reason, channel, count(*) AS entries FROM suppression_entries
        GROUP BY ALL ORDER BY entries DESC, reason""")


def _freshness(conn, now: datetime) -> list[dict[str, Any]]:
    from workbench.freshness import source_freshness

    return [{"source": f.name, "kind": f.kind, "status": f.status, "age": f.age_text, "cadence": f.cadence,
             "as_of": f.as_of.isoformat(timespec="minutes") if f.as_of else None}
            for f in source_freshness(conn, now)]


def _campaigns(conn) -> list[dict[str, Any]]:
    try:
        from workbench.contacts import recent_campaign_results  # type: ignore[attr-defined]
    except ImportError:
        recent_campaign_results = None
    if recent_campaign_results is not None:
        return recent_campaign_results(conn, limit=5)
    return rows(conn, """SELECT campaign, any_value(brand) AS brand, any_value(channel) AS channel,
            min(contact_date) AS contact_date, count(*) FILTER (WHERE NOT is_control) AS contacted,
            count(*) FILTER (WHERE is_control) AS held_out
        FROM contact_history GROUP BY campaign ORDER BY contact_date DESC LIMIT 5""")


def _segments(conn) -> dict[str, Any] | None:
    """Issue 14: the stored RFM segments (sizes, value, recency x frequency grid); None before the first run."""
    try:
        from workbench.segments.view import rfm_summary
    except ImportError:
        return None
    return rfm_summary(conn) if _has_table(conn, "rfm_runs") else None


def _quality(conn) -> list[dict[str, Any]] | None:
    """Issue 18: one point per accuracy sample (duplicate rate, household and suppression precision)."""
    if not _has_table(conn, "quality_estimates"):
        return None
    from workbench.quality.gate import history

    return history(conn) or None


def _appends(conn) -> dict[str, Any] | None:
    """Issue 15: agency appends: coverage (households matched) and each trait's values by origin."""
    if not _has_table(conn, "append_entries"):
        return None
    from workbench.appends import ensure_traits, trait_profile

    if scalar(conn, "SELECT count(*) > 0 FROM append_entries"):
        ensure_traits(conn)  # the report's callers hold a write transaction (derived data is refreshed first)
    return trait_profile(conn)
