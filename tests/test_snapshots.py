"""Snapshot tests of the main screens on the demo database (pytest-textual-snapshot).

Deterministic: the demo database keeps a frozen clock, the app opens it by a relative path (the header
shows it), the terminal size is fixed, and every worker has finished before the picture is taken.
Update the pictures after an intended change with `./run test tests/test_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import shutil

import pytest
from tui_support import settle, settle_still

from workbench.store import Store
from workbench.store.sql import run
from workbench.tui.app import WorkbenchApp

SIZE = (120, 36)


@pytest.fixture
def demo_here(demo_db_path, tmp_path, monkeypatch):
    shutil.copy(demo_db_path, tmp_path / "demo.duckdb")
    with Store(tmp_path / "demo.duckdb").transaction() as conn:  # the one figure a rebuild cannot repeat
        run(conn, "UPDATE loads SET duration_s = 0.1")
    monkeypatch.chdir(tmp_path)
    return "demo.duckdb"


@pytest.mark.parametrize("key", ["1", "2", "4", "7", "8"], ids=["sources", "freshness", "households",
                                                                "campaigns", "profile"])
def test_screen_snapshot(snap_compare, demo_here, key):
    async def visit(pilot):
        await settle(pilot)
        await pilot.press(key)
        await settle_still(pilot)

    assert snap_compare(WorkbenchApp(demo_here), run_before=visit, terminal_size=SIZE)
