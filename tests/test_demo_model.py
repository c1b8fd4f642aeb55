"""The demo's match model is trained once and shipped (demo_db/match_model.json): the demo build saves it
instead of training while it was trained on exactly the demo's input, and trains otherwise."""

from __future__ import annotations

import json
import math

import duckdb

from workbench.demo import shipped_model
from workbench.identity import prepare, training
from workbench.store import Store

STALE = ("demo_db/match_model.json is stale (the demo data, the standardisation or the match model changed): "
         "run `python demo_db/train_model.py` and commit the file.")


def _model(path) -> dict:
    conn = duckdb.connect(str(path), read_only=True)
    try:
        return json.loads(conn.execute("SELECT model FROM match_models ORDER BY model_id DESC LIMIT 1").fetchone()[0])
    finally:
        conn.close()


def _close(a, b, path="") -> list[str]:
    """Where two Splink model JSONs differ (floats: by more than 1e-9 relative)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted((set(a) | set(b)) - {"linker_uid"}) for d in _close(a.get(k), b.get(k), f"{path}/{k}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _close(x, y, f"{path}[{i}]")]
    if isinstance(a, float) and isinstance(b, float):
        return [] if math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-15) else [f"{path}: {a} vs {b}"]
    return [] if a == b else [f"{path}: {a!r} vs {b!r}"]


def test_the_demo_build_saves_the_shipped_model(demo_db_path):
    shipped = shipped_model()
    assert shipped is not None, "demo_db/match_model.json is missing: run `python demo_db/train_model.py`."
    assert _model(demo_db_path) == shipped["model"], STALE


def test_the_shipped_model_is_what_training_on_the_demo_gives(demo_copy):
    from workbench.identity.run import match

    result = match(Store(demo_copy), full=True, retrain=True)  # an operator's retrain: trains
    assert result.method == "splink" and result.timings["train"] > 0
    trained = _model(demo_copy)
    assert trained["linker_uid"] != shipped_model()["model"]["linker_uid"]  # trained afresh, not copied
    assert _close(trained, shipped_model()["model"]) == [], STALE


def test_a_shipped_model_stands_in_only_for_its_own_input(demo_copy):
    shipped = shipped_model()
    with Store(demo_copy).transaction() as conn:
        n = prepare.build_input(conn)
        fields = prepare.present_fields(conn)
        assert training.pretrained_model(conn, shipped, fields, n) == shipped["model"]
        assert training.pretrained_model(conn, None, fields, n) is None
        assert training.pretrained_model(conn, shipped, fields - {"email"}, n) is None
        assert training.pretrained_model(conn, shipped, fields, n + 1) is None
        assert training.pretrained_model(conn, {**shipped, "fingerprint": "0" * 64}, fields, n) is None
        conn.execute(f"UPDATE {prepare.INPUT_TABLE} SET fn = 'ZELDA' "
                     f"WHERE unique_id = (SELECT min(unique_id) FROM {prepare.INPUT_TABLE})")
        assert training.pretrained_model(conn, shipped, fields, n) is None  # one record changed: train
        conn.execute(f"DROP TABLE {prepare.INPUT_TABLE}")


def test_a_match_run_without_a_shipped_model_trains(demo_copy):
    """`workbench match` passes no model: a first run on the demo's records trains as before."""
    from workbench.identity.run import match

    store = Store(demo_copy)
    with store.transaction() as conn:
        for table in ("match_pairs", "person_records", "match_record_state", "match_models"):
            conn.execute(f"DELETE FROM {table}")
    result = match(store)
    assert result.method == "splink" and result.model_note == "trained on 3,001 records"
    assert _model(demo_copy)["linker_uid"] != shipped_model()["model"]["linker_uid"]
