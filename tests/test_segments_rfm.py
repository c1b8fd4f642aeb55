"""RFM segments (issue 14) on a hand-computed case: six persons, two brands, one returned order."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from workbench import clock
from workbench.errors import ConfigError
from workbench.segments import compute_rfm, parse_rules, person_rfm, rfm_summary
from workbench.store import Store
from workbench.store.sql import rows, run

NOW = "2026-11-21T09:00:00"
# person, day, brand, amount, returned. As of 2026-11-20 (the latest order); lookback 730 days from it
# starts after 2024-11-20.
ORDERS = [
    (1, "2026-11-20", "ember", 100, False),
    (1, "2026-01-15", "ember", 50, False),
    (1, "2026-06-01", "ember", 30, True),  # returned: not counted
    (2, "2026-11-10", "ember", 20, False),
    (3, "2025-01-01", "ember", 500, False),
    (3, "2025-02-01", "tidewater", 500, False),
    (3, "2025-03-01", "ember", 500, False),
    (4, "2023-01-01", "ember", 1000, False),  # before the lookback: frequency 0, monetary 0
    (5, "2026-05-01", "tidewater", 60, False),
    (5, "2026-09-01", "tidewater", 40, False),
    (6, "2026-11-01", "ember", 80, True),  # only a returned order: no scores
]


def build(path) -> Store:
    store = Store(path, busy_timeout=0.5)
    clock.set_now(NOW)
    with store.transaction() as conn:
        seed_people_and_orders(conn, 6, ORDERS)
    return store


def seed_people_and_orders(conn, persons: int, orders) -> None:
    """Persons 1..N with one record each (source crm, key K<i>), and ``orders``."""
    run(
        conn,
        "INSERT INTO sources (name, kind, cadence, cadence_s, warn_after_s, error_after_s, priority, mode, "
        "created_at, updated_at) VALUES ('crm', 'people', 'daily', 86400, 172800, 345600, 1, 'full', "
        "TIMESTAMP '2026-01-01', TIMESTAMP '2026-01-01'), ('shop', 'transactions', 'daily', 86400, 172800, "
        "345600, 2, 'incremental', TIMESTAMP '2026-01-01', TIMESTAMP '2026-01-01')",
    )
    run(
        conn,
        "INSERT INTO records (record_id, source, source_key, load_id) "
        "SELECT i, 'crm', 'K' || i, 1 FROM range(1, ?) t(i)",
        [persons + 1],
    )
    run(
        conn,
        "INSERT INTO person_records SELECT i, i, TIMESTAMP '2026-01-01' FROM range(1, ?) t(i)",
        [persons + 1],
    )
    run(
        conn,
        "INSERT INTO persons (person_id, first_name, record_count, updated_at) "
        "SELECT i, 'P' || i, 1, TIMESTAMP '2026-01-01' FROM range(1, ?) t(i)",
        [persons + 1],
    )
    conn.executemany(
        "INSERT INTO transactions (source, order_id, record_id, load_id, order_date, amount, brand, "
        "returned) VALUES ('shop', ?, ?, 1, CAST(? AS TIMESTAMP), ?, ?, ?)",
        [[f"O{i}", p, d, a, b, r] for i, (p, d, b, a, r) in enumerate(orders)],
    )


@pytest.fixture
def rfm_store(tmp_path):
    store = build(tmp_path / "rfm.duckdb")
    with store.transaction() as conn:
        compute_rfm(conn)
    return store


def scores(store, brand=""):
    with store.connect(read_only=True) as conn:
        return {r["person_id"]: r for r in rows(conn, "SELECT * FROM rfm_scores WHERE brand = ?", [brand])}


def test_scores_and_segments_by_hand(rfm_store):
    s = scores(rfm_store)
    assert set(s) == {1, 2, 3, 4, 5}  # person 6 only returned: no scores
    # raw figures: recency days to 2026-11-20, orders and spend in the lookback, days since the first order
    assert {
        p: (r["recency_days"], r["frequency"], float(r["monetary"]), r["tenure_days"]) for p, r in s.items()
    } == {
        1: (0, 2, 150.0, 309),
        2: (10, 1, 20.0, 10),
        3: (629, 3, 1500.0, 688),
        4: (1419, 0, 0.0, 1419),
        5: (80, 2, 100.0, 203),
    }
    # five persons: each quintile holds one; frequency ties (1 and 5: two orders) broken by spend
    assert {p: (r["recency_score"], r["frequency_score"], r["monetary_score"]) for p, r in s.items()} == {
        1: (5, 4, 4),
        2: (4, 2, 2),
        3: (2, 5, 5),
        4: (1, 1, 1),
        5: (3, 3, 3),
    }
    assert {p: r["segment"] for p, r in s.items()} == {
        1: "champions",
        2: "new",
        3: "cannot_lose",
        4: "lost",
        5: "needs_attention",
    }
    assert all(r["as_of"] == date(2026, 11, 20) for r in s.values())


def test_per_brand_scores(rfm_store):
    ember = scores(rfm_store, "ember")
    assert set(ember) == {1, 2, 3, 4}
    # ember only: person 3 has two ember orders (1,000), last on 2025-03-01
    assert (ember[3]["recency_days"], ember[3]["frequency"], float(ember[3]["monetary"])) == (629, 2, 1000.0)
    assert {p: r["recency_score"] for p, r in ember.items()} == {4: 1, 3: 2, 2: 3, 1: 4}
    assert set(scores(rfm_store, "tidewater")) == {3, 5}


def test_summary_grid_and_person(rfm_store):
    with rfm_store.connect(read_only=True) as conn:
        summary = rfm_summary(conn)
        person = person_rfm(conn, 3)
    assert summary["persons"] == 5 and summary["as_of"] == date(2026, 11, 20) and not summary["stale"]
    sizes = {s["segment"]: (s["persons"], float(s["monetary"])) for s in summary["segments"]}
    assert sizes["cannot_lose"] == (1, 1500.0) and sum(n for n, _ in sizes.values()) == 5
    assert [s["segment"] for s in summary["segments"]][:2] == ["new", "champions"]  # rule order
    assert sum(g["persons"] for g in summary["grid"]) == 5
    assert [p["brand"] for p in person] == ["all brands", "ember", "tidewater"]
    assert person[0]["segment"] == "cannot_lose"


def test_unchanged_data_is_not_recomputed_and_new_orders_are(rfm_store):
    with rfm_store.transaction() as conn:
        again = compute_rfm(conn)
    assert not again.computed
    with rfm_store.transaction() as conn:
        run(
            conn,
            "INSERT INTO loads (load_id, source, file, file_hash, started_at, status) VALUES "
            "(2, 'shop', 'x.csv', 'h', TIMESTAMP '2026-11-21', 'loaded')",
        )
        run(
            conn,
            "INSERT INTO transactions (source, order_id, record_id, load_id, order_date, amount, brand) "
            "VALUES ('shop', 'N1', 4, 2, TIMESTAMP '2026-11-21', 10, 'ember')",
        )
    with rfm_store.connect(read_only=True) as conn:
        assert rfm_summary(conn)["stale"]
    with rfm_store.transaction() as conn:
        fresh = compute_rfm(conn)
    assert fresh.computed and fresh.as_of == date(2026, 11, 21)
    assert scores(rfm_store)[4]["recency_days"] == 0


def test_selection_attributes_and_rfm_function(rfm_store):
    from workbench.select.expression import Catalog, Compiler

    def who(where: str) -> list[int]:
        c = Compiler(Catalog(today=date(2026, 11, 21), brands=["ember", "tidewater"]))
        frag = c.compile(where)
        joins = " ".join(
            f"LEFT JOIN ({f.sql}) {f.alias} ON {f.alias}.person_id = a.person_id" for f in c.features.values()
        )
        params = [p for f in c.features.values() for p in f.params] + frag.params
        with rfm_store.connect(read_only=True) as conn:
            return [
                r[0]
                for r in conn.execute(
                    f"SELECT a.person_id FROM person_attributes a {joins} WHERE {frag.sql} ORDER BY 1", params
                ).fetchall()
            ]

    assert who("rfm_segment = 'champions'") == [1]
    assert who("recency_score >= 4 AND monetary_score <= 2") == [2]
    assert who("frequency_score = 5") == [3]
    assert who("rfm(brand='ember') = 'lost'") == [4]
    assert who("rfm(brand='tidewater') IS NOT NULL") == [3, 5]
    assert who("rfm_score('recency', brand='ember') = 3") == [2]
    assert who("rfm_segment IS NULL") == [6]


def test_rules_are_configurable_and_checked(tmp_path):
    rules = parse_rules("lookback_days = 365\n[segments.best]\nmonetary = [5, 5]\n[segments.rest]\n")
    store = build(tmp_path / "r.duckdb")
    with store.transaction() as conn:
        compute_rfm(conn, rules)
    s = scores(store)
    assert {p: r["segment"] for p, r in s.items()} == {1: "best", 2: "rest", 3: "rest", 4: "rest", 5: "rest"}
    assert s[3]["frequency"] == 0  # nothing in the 365 days before 2026-11-20
    with pytest.raises(ConfigError, match=r"rules:3: segments.a: unknown key 'recent'"):
        parse_rules("\n[segments.a]\nrecent = [1, 2]\n")
    with pytest.raises(
        ConfigError, match=r"rules:2: segments.a.recency must be \[low, high\], scores from 1 to 5"
    ):
        parse_rules("[segments.a]\nrecency = [0, 9]\n")
    with pytest.raises(ConfigError, match=r"rules:1: unknown key 'lookback'"):
        parse_rules("lookback = 3\n[segments.a]\n")


def test_cli_segments(tmp_path):
    from workbench.cli import main

    build(tmp_path / "c.duckdb")
    db = str(tmp_path / "c.duckdb")
    runner = CliRunner()
    shown = runner.invoke(main, ["--db", db, "segments", "--show"])
    assert shown.exit_code == 1 and "No RFM segments yet" in shown.output
    text = runner.invoke(main, ["--db", db, "segments"])
    assert text.exit_code == 0, text.output
    assert "orders as of 2026-11-20" in text.output and "champions" in text.output
    out = runner.invoke(main, ["--db", db, "segments", "--json", "--brand", "ember"])
    data = json.loads(out.output)
    assert data["brand"] == "ember" and data["persons"] == 4 and data["run"]["computed"] is False
    bad = tmp_path / "bad.toml"
    bad.write_text("[segments.x]\nrecency = 4\n")
    refused = runner.invoke(main, ["--db", db, "segments", "--rules", str(bad)])
    assert refused.exit_code == 2 and "bad.toml:2: segments.x.recency" in refused.output


def test_customer_view_and_profile_show_segments(rfm_store):
    from workbench.contacts.customer import customer_view
    from workbench.contacts.customer_text import customer_sections
    from workbench.report import build_profile, to_markdown

    with rfm_store.transaction() as conn:
        view = customer_view(conn, 3, with_triggers=False)
        profile = build_profile(conn)
    section = next(s for s in customer_sections(view) if s.key == "segments")
    assert section.rows[0][:5] == ["all brands", "cannot_lose", "2", "5", "5"]
    assert [r[0] for r in section.rows] == ["all brands", "ember", "tidewater"]
    assert profile["segments"]["persons"] == 5
    text = to_markdown(profile)
    assert "## Customer segments (RFM)" in text and "orders as of 2026-11-20" in text
    assert "| R5 | 0 / $0 | 0 / $0 | 0 / $0 | 1 / $150 | 0 / $0 |" in text  # person 1: R5 F4


def test_segments_and_model_do_not_import_textual():
    import subprocess
    import sys

    code = (
        "import sys, workbench.segments, workbench.segments.publish, workbench.model; "
        "assert 'textual' not in sys.modules, 'textual imported by the core'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
