from __future__ import annotations

import re
from datetime import datetime

import pytest

from workbench import clock
from workbench.errors import WorkbenchError
from workbench.report import build_profile, write_report
from workbench.report.period import parse_period
from workbench.store import Store


def test_periods():
    now = datetime(2026, 11, 24, 9, 0)
    assert parse_period("2026-Q3", now).start.isoformat() == "2026-07-01"
    assert parse_period("2026-Q3", now).end.isoformat() == "2026-10-01"
    assert parse_period("2026-11", now).last_year.start.isoformat() == "2025-11-01"
    assert parse_period(None, now).label == "2026-Q4 to date"
    assert parse_period("2024", now).end.isoformat() == "2025-01-01"
    with pytest.raises(WorkbenchError, match="not a period"):
        parse_period("last summer", now)


def test_profile_figures_add_up(demo_copy):
    clock.set_now("2026-11-24T09:00:00")
    store = Store(demo_copy)
    with store.transaction() as conn:
        p = build_profile(conn, "2026-Q3")
    o = p["overview"]
    assert o["records"] == sum(s["records"] for s in o["sources"]) > 2000
    rev = p["revenue"]
    assert rev["total"]["orders"] == sum(r["orders"] for r in rev["by_brand_channel"])
    assert {r["brand"] for r in rev["by_brand_channel"]} >= {"northwind", "ember", "tidewater", "fable"}
    best = p["best_customers"]
    assert best["count"] == -(-best["buyers_12m"] // 10) or best["count"] == best["buyers_12m"] // 10
    assert 0 < best["share_of_revenue"] < 1
    anon = p["anonymous"]
    assert 0 < anon["share"] < 1  # the store tills sell to anonymous customers
    statuses = {f["source"]: f["status"] for f in p["freshness"]}
    assert statuses["callcentre_contacts"] == "error" and statuses["pos_loyalty"] == "warn"


def test_html_is_self_contained_and_md_reads(demo_copy, tmp_path):
    clock.set_now("2026-11-24T09:00:00")
    store = Store(demo_copy)
    html = tmp_path / "p.html"
    write_report(store, html, period="2026-Q3")
    text = html.read_text()
    assert text.startswith("<!DOCTYPE html>") and "<svg" in text
    assert not re.search(r"<script|src=|href=\"http|@import|url\(", text)
    md = tmp_path / "p.md"
    write_report(store, md, period="2026-Q3")
    body = md.read_text()
    assert body.startswith("# Marketing database profile") and "## Best customers" in body
    assert not list(tmp_path.glob(".p.*"))  # no temporary files left
