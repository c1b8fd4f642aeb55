"""Churn per brand (issue 14): a model per brand with its own horizon N (default 180), stored with its
features, evaluation and as-of; scores kept per brand; the all-brands score is what selections read."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from test_model_churn import NOW, generate

from workbench import clock
from workbench.errors import NotFoundError, RefusedError
from workbench.model import (
    configured_horizon,
    latest_model,
    score_churn,
    train_all_brands,
    train_churn,
)
from workbench.store import Store
from workbench.store.sql import rows, scalar


@pytest.fixture
def brand_store(tmp_path):
    store = Store(tmp_path / "brands.duckdb", busy_timeout=0.5)
    clock.set_now(NOW)
    with store.transaction() as conn:
        generate(conn, 900)
    return store


def test_a_model_per_brand_each_with_its_own_horizon(brand_store):
    with brand_store.transaction() as conn:
        assert configured_horizon(conn, "ember") == 180
        ember = train_churn(conn, 120, "Ember")  # remembered as ember's N
    assert (ember.brand, ember.horizon_days) == ("ember", 120)
    with brand_store.transaction() as conn:
        results, skipped = train_all_brands(conn)
    assert skipped == []
    by_brand = {r.brand: r for r in results}
    assert set(by_brand) == {"", "ember", "tidewater"}
    assert by_brand["ember"].horizon_days == 120 and by_brand["tidewater"].horizon_days == 180
    assert by_brand[""].horizon_days == 180
    with brand_store.connect(read_only=True) as conn:
        for brand, result in by_brand.items():
            m = latest_model(conn, brand=brand)
            assert m["model_id"] == result.model_id and m["brand"] == brand
            assert m["horizon_days"] == result.horizon_days and m["as_of"] == result.as_of
            assert m["features"] == result.features and m["evaluation"]["auc"] == result.evaluation["auc"]
            assert (m["settings"]["brand"] or "") == brand
        # a brand's population is its own buyers: fewer persons than every brand together
        assert by_brand["ember"].evaluation["persons"] < by_brand[""].evaluation["persons"]
        assert scalar(conn, "SELECT value FROM settings WHERE key = 'churn.horizon_days.ember'") == "120"
        assert latest_model(conn)["model_id"] == max(r.model_id for r in results)


def test_scores_are_kept_per_brand_and_selections_read_all_brands(brand_store):
    from datetime import date

    from workbench.select.attributes import ensure_attributes
    from workbench.select.expression import Catalog, Compiler

    with brand_store.transaction() as conn:
        train_all_brands(conn)
        summary = score_churn(conn)
        ensure_attributes(conn)
    assert [m["brand"] for m in summary["models"]] == [None, "ember", "tidewater"]
    with brand_store.connect(read_only=True) as conn:
        per = {
            r["brand"]: r["n"] for r in rows(conn, "SELECT brand, count(*) AS n FROM churn_scores GROUP BY 1")
        }
        # the generator gives even persons ember, odd ones tidewater
        mixed = scalar(
            conn,
            """SELECT count(*) FROM churn_scores WHERE (brand = 'ember' AND person_id % 2 = 1)
            OR (brand = 'tidewater' AND person_id % 2 = 0)""",
        )
        c = Compiler(Catalog(today=date(2026, 11, 21)))
        frag = c.compile("churn_decile >= 1")
        scored = conn.execute(
            f"SELECT count(*) FROM person_attributes a WHERE {frag.sql}", frag.params
        ).fetchone()[0]
    assert per[""] == summary["models"][0]["persons"] and per["ember"] + per["tidewater"] == per[""]
    assert mixed == 0
    assert scored == per[""]  # one value per person: the all-brands model's
    with brand_store.transaction() as conn:  # scoring one brand leaves the others' scores alone
        score_churn(conn, brand="ember")
        assert scalar(conn, "SELECT count(*) FROM churn_scores WHERE brand = 'tidewater'") == per["tidewater"]


def test_unknown_brand_and_a_brand_without_a_model(brand_store):
    with pytest.raises(NotFoundError, match="(?s)No orders have brand 'fable'.*ember, tidewater"):
        with brand_store.transaction() as conn:
            train_churn(conn, None, "fable")
    with brand_store.transaction() as conn:
        train_churn(conn)
    with pytest.raises(RefusedError, match="No churn model for brand 'ember'"):
        with brand_store.transaction() as conn:
            score_churn(conn, brand="ember")


def test_cli_all_brands(brand_store):
    from workbench.cli import main

    db, runner = str(brand_store.path), CliRunner()
    trained = runner.invoke(main, ["--db", db, "model", "churn", "train", "--all-brands", "--json"])
    assert trained.exit_code == 0, trained.output
    models = json.loads(trained.output)["models"]
    assert [m["brand"] for m in models] == [None, "ember", "tidewater"]
    scored = runner.invoke(main, ["--db", db, "model", "churn", "score", "--brand", "ember"])
    assert scored.exit_code == 0 and "brand ember" in scored.output, scored.output
    shown = runner.invoke(main, ["--db", db, "model", "churn", "show", "--brand", "tidewater", "--json"])
    assert json.loads(shown.output)["model"]["brand"] == "tidewater"
    both = runner.invoke(main, ["--db", db, "model", "churn", "train", "--all-brands", "--brand", "ember"])
    assert both.exit_code == 2


def test_the_customer_view_shows_each_brands_churn(brand_store):
    from workbench.contacts.customer import customer_view
    from workbench.contacts.customer_text import customer_sections

    with brand_store.transaction() as conn:
        train_all_brands(conn)
        score_churn(conn)
        person = scalar(conn, "SELECT min(person_id) FROM churn_scores WHERE brand = 'ember'")
        overall = scalar(conn, "SELECT score FROM churn_scores WHERE brand = '' AND person_id = ?", [person])
        ember = scalar(
            conn, "SELECT score FROM churn_scores WHERE brand = 'ember' AND person_id = ?", [person]
        )
        view = customer_view(conn, person, with_triggers=False)
    assert view["churn"]["score"] == overall and view["churn"]["brands"][0]["score"] == ember
    title = next(s.title for s in customer_sections(view) if s.key == "segments")
    assert f"churn {overall:.2f}" in title and f"by brand: ember {ember:.2f}" in title


def test_a_brand_publish_carries_that_brands_churn_scores(brand_store, tmp_path):
    import csv

    from workbench.segments.publish import run_publish
    from workbench.segments.publish_def import parse_publish

    with brand_store.transaction() as conn:
        train_all_brands(conn)
        score_churn(conn)
        want = {
            f"K{r['person_id']}": f"{round(r['score'], 4)}"
            for r in rows(conn, "SELECT person_id, score FROM churn_scores WHERE brand = 'ember'")
        }
    text = 'name = "ember_ops"\nbrand = "ember"\n[systems.crm]\nfile = "ember.csv"\n'
    run_publish(brand_store, parse_publish(text, "SEGMENTS.toml", tmp_path), allow_stale=True)
    with open(tmp_path / "ember.csv", newline="") as f:
        got = {r["source_key"]: r["churn_score"] for r in csv.DictReader(f) if r["churn_score"]}
    assert got and got == {k: v for k, v in want.items() if k in got} and set(got) == set(want)
