"""Publishing segments back to operations (issue 14): keys map to the right persons after merges and
splits, delta files hold exactly the changed keys, files are atomic with a manifest, refused when stale."""

from __future__ import annotations

import csv
import hashlib
import json

import pytest
from click.testing import CliRunner
from test_segments_rfm import NOW, ORDERS, seed_people_and_orders

from workbench import clock
from workbench.errors import ConfigError, RefusedError, WorkbenchError
from workbench.segments.publish import run_publish
from workbench.segments.publish_def import parse_publish
from workbench.store import Store
from workbench.store.sql import rows, run, scalar

DEFINITION = """name = "ops"
default_treatment = "none"
[treatments]
champions = "priority queue"
cannot_lose = "offer retention call"
[systems.crm]
file = "crm_segments.csv"
"""


@pytest.fixture
def pub_store(tmp_path):
    store = Store(tmp_path / "pub.duckdb", busy_timeout=0.5)
    clock.set_now(NOW)
    with store.transaction() as conn:
        seed_people_and_orders(conn, 6, ORDERS)
        run(
            conn,
            "INSERT INTO loads (load_id, source, file, file_hash, started_at, finished_at, rows_loaded, "
            "status) VALUES (1, 'crm', 'crm.csv', 'h', TIMESTAMP '2026-11-21 08:00', TIMESTAMP "
            "'2026-11-21 08:00', 6, 'loaded'), (2, 'shop', 'o.csv', 'h', TIMESTAMP '2026-11-21 08:00', "
            "TIMESTAMP '2026-11-21 08:00', 11, 'loaded')",
        )
    return store


def definition(tmp_path, text=DEFINITION):
    return parse_publish(text, "SEGMENTS.toml", tmp_path)


def read(path) -> dict[str, dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return {r["source_key"]: r for r in csv.DictReader(f)}


def test_full_publish_keys_values_manifest_history(pub_store, tmp_path):
    result = run_publish(pub_store, definition(tmp_path))
    out = read(tmp_path / "crm_segments.csv")
    assert set(out) == {f"K{i}" for i in range(1, 7)}
    assert {k: (r["segment"], r["treatment"]) for k, r in out.items()} == {
        "K1": ("champions", "priority queue"),
        "K2": ("new", "none"),
        "K3": ("cannot_lose", "offer retention call"),
        "K4": ("lost", "none"),
        "K5": ("needs_attention", "none"),
        "K6": ("", ""),
    }
    assert (out["K3"]["recency_score"], out["K3"]["frequency_score"], out["K3"]["monetary_score"]) == (
        "2",
        "5",
        "5",
    )
    manifest = json.loads((tmp_path / "crm_segments.csv.manifest.json").read_text())
    assert (
        manifest["file"]["sha256"] == hashlib.sha256((tmp_path / "crm_segments.csv").read_bytes()).hexdigest()
    )
    assert manifest["keys"] == 6 and manifest["rfm_as_of"] == "2026-11-20" and manifest["mode"] == "full"
    assert result.systems[0].rows == 6
    with pub_store.connect(read_only=True) as conn:
        assert scalar(conn, "SELECT count(*) FROM publishes WHERE name = 'ops'") == 1
        assert scalar(conn, "SELECT count(*) FROM audit_log WHERE action = 'publish'") == 1
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".crm_segments")]  # no temporary left


def test_keys_follow_merges_and_splits(pub_store, tmp_path):
    with pub_store.transaction() as conn:  # a second crm key of person 3, and K5 merged into person 1
        run(conn, "INSERT INTO records (record_id, source, source_key, load_id) VALUES (7, 'crm', 'K3b', 1)")
        run(conn, "INSERT INTO person_records VALUES (7, 3, TIMESTAMP '2026-11-21')")
        run(conn, "UPDATE person_records SET person_id = 1 WHERE record_id = 5")
    run_publish(pub_store, definition(tmp_path))
    out = read(tmp_path / "crm_segments.csv")
    with pub_store.connect(read_only=True) as conn:
        seg = {
            r["person_id"]: r["segment"]
            for r in rows(conn, "SELECT person_id, segment FROM rfm_scores WHERE brand = ''")
        }
    assert 5 not in seg  # merged away
    assert out["K3b"]["segment"] == out["K3"]["segment"] == seg[3]
    assert out["K5"]["segment"] == out["K1"]["segment"] == seg[1]  # K5's orders now count for person 1
    assert out["K1"]["frequency_score"] == "4"  # person 1: 2 + 2 orders, second most of the four persons
    with pub_store.transaction() as conn:  # split K5 off again
        run(conn, "UPDATE person_records SET person_id = 5 WHERE record_id = 5")
    run_publish(pub_store, definition(tmp_path), force=True)
    assert read(tmp_path / "crm_segments.csv")["K5"]["segment"] == "needs_attention"


def test_delta_against_the_last_publish(pub_store, tmp_path):
    run_publish(pub_store, definition(tmp_path))
    before = read(tmp_path / "crm_segments.csv")
    with pub_store.transaction() as conn:
        run(
            conn,
            "INSERT INTO transactions (source, order_id, record_id, load_id, order_date, amount, brand) "
            "VALUES ('shop', 'N1', 4, 2, TIMESTAMP '2026-11-21', 5000, 'ember')",
        )
        run(conn, "DELETE FROM person_records WHERE record_id = 2")
        run(conn, "DELETE FROM records WHERE record_id = 2")
    run_publish(pub_store, definition(tmp_path, DEFINITION.replace("crm_segments", "delta")), mode="delta")
    delta = read(tmp_path / "delta.csv")
    # what changed: a full file of the new state (another publish name: its own delta state) against the first
    text = DEFINITION.replace("crm_segments", "now").replace('name = "ops"', 'name = "check"')
    run_publish(pub_store, definition(tmp_path, text))
    now = read(tmp_path / "now.csv")
    expected = {k for k in now if k not in before or now[k] != before[k]} | (set(before) - set(now))
    assert set(delta) == expected
    assert delta["K2"]["change"] == "removed" and delta["K2"]["segment"] == ""
    assert delta["K4"]["change"] == "changed" and delta["K4"]["recency_score"] == "4"
    assert "K6" not in delta  # nothing changed for a person with no scores
    assert expected == {"K1", "K2", "K3", "K4", "K5"}  # four persons left: every quintile moved
    assert {k: r for k, r in delta.items() if k != "K2"} == {
        k: {**now[k], "change": "changed"} for k in expected - {"K2"}
    }


def test_suppressed_persons_get_the_suppressed_treatment(pub_store, tmp_path):
    from workbench.suppress import add_manual_suppression

    with pub_store.transaction() as conn:
        add_manual_suppression(conn, person_id=3, channel="all", reason="objection")
    run_publish(pub_store, definition(tmp_path))
    out = read(tmp_path / "crm_segments.csv")
    assert (out["K3"]["segment"], out["K3"]["treatment"], out["K3"]["do_not_contact"]) == (
        "cannot_lose",
        "do not contact",
        "true",
    )
    assert out["K1"]["do_not_contact"] == "false"


def test_refusals_leave_nothing(pub_store, tmp_path):
    (tmp_path / "crm_segments.csv").write_text("keep me")
    with pytest.raises(WorkbenchError, match="already exists"):
        run_publish(pub_store, definition(tmp_path))
    assert (tmp_path / "crm_segments.csv").read_text() == "keep me"
    clock.set_now("2026-12-20T09:00:00")  # both sources a month old: error
    with pytest.raises(RefusedError, match="stale"):
        run_publish(pub_store, definition(tmp_path), force=True)
    assert (tmp_path / "crm_segments.csv").read_text() == "keep me"
    with pub_store.connect(read_only=True) as conn:
        assert scalar(conn, "SELECT count(*) FROM publishes") == 0
    done = run_publish(pub_store, definition(tmp_path), force=True, allow_stale=True)
    assert done.allowed_stale and len(read(tmp_path / "crm_segments.csv")) == 6
    with pytest.raises(ConfigError, match=r"SEGMENTS.toml:4: treatments: there is no segment 'champs'"):
        run_publish(
            pub_store, definition(tmp_path, DEFINITION.replace("champions =", "champs =")), force=True
        )
    with pytest.raises(ConfigError, match="'shop' is a transactions source"):
        run_publish(
            pub_store, definition(tmp_path, DEFINITION.replace("systems.crm", "systems.shop")), force=True
        )
    with pytest.raises(ConfigError, match=r"SEGMENTS.toml:2: unknown key 'colour'"):
        parse_publish('name = "x"\ncolour = 1\n', "SEGMENTS.toml")


def test_cli_publish(pub_store, tmp_path):
    from workbench.cli import main

    path = tmp_path / "SEGMENTS.toml"
    path.write_text(DEFINITION)
    runner = CliRunner()
    db = str(pub_store.path)
    dry = runner.invoke(main, ["--db", db, "publish", str(path), "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.output)["systems"][0]["rows"] == 6 and not (tmp_path / "crm_segments.csv").exists()
    done = runner.invoke(main, ["--db", db, "publish", str(path)])
    assert done.exit_code == 0 and "wrote 6 rows" in done.output
    again = runner.invoke(main, ["--db", db, "publish", str(path)])
    assert again.exit_code == 2 and "--force" in again.output
    history = runner.invoke(main, ["--db", db, "publishes", "--json"])
    assert [p["source"] for p in json.loads(history.output)] == ["crm"]


def test_erasure_removes_scores_and_the_next_delta_lists_the_key(pub_store, tmp_path):
    from workbench.privacy import erase

    run_publish(pub_store, definition(tmp_path))
    with pub_store.transaction() as conn:
        assert scalar(conn, "SELECT count(*) FROM rfm_scores WHERE person_id = 3") == 3
        # (an erasure of a person with neither email nor phone fails in workbench.privacy: reported)
        run(
            conn,
            "UPDATE records SET email = 'p3@example.com', email_std = 'p3@example.com' WHERE record_id = 3",
        )
    erase(pub_store, person_id=3, reason="request", compact=False)
    with pub_store.connect(read_only=True) as conn:
        assert scalar(conn, "SELECT count(*) FROM rfm_scores WHERE person_id = 3") == 0
    run_publish(
        pub_store,
        definition(tmp_path, DEFINITION.replace("crm_segments", "after")),
        mode="delta",
        allow_stale=True,
    )
    assert read(tmp_path / "after.csv")["K3"]["change"] == "removed"
