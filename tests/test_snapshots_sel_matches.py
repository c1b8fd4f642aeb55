"""Snapshot tests of the Matches and Selections screens on the demo database, at 120x35 and 200x50
(issue 13: the numbers an operator decides on are on screen at 120 columns).

Deterministic as tests/test_snapshots.py is (frozen clock, relative path, fixed size, workers awaited);
the one time figure these screens show, the waterfall's "counted in N s", is frozen at 0.05 s instead of
skipping the screen. Update the pictures after an intended change with
`./run test tests/test_snapshots_sel_matches.py --snapshot-update`.
"""

from __future__ import annotations

import shutil

import pytest
from textual.widgets import DataTable
from tui_support import settle, settle_still

from workbench.select import counts
from workbench.store import Store
from workbench.store.sql import run
from workbench.tui.app import WorkbenchApp

SIZES = {"120x35": (120, 35), "200x50": (200, 50)}
SCREENS = {"matches": "3", "selections": "6"}


@pytest.fixture
def demo_here(demo_db_path, tmp_path, monkeypatch):
    shutil.copy(demo_db_path, tmp_path / "demo.duckdb")
    with Store(tmp_path / "demo.duckdb").transaction() as conn:  # the header's load figure
        run(conn, "UPDATE loads SET duration_s = 0.1")
    monkeypatch.chdir(tmp_path)
    return "demo.duckdb"


@pytest.fixture
def frozen_count_time(monkeypatch):
    """The waterfall's "counted in N s" always says 0.05 s."""
    real = counts.run_waterfall

    def timed(*args, **kwargs):
        wf = real(*args, **kwargs)
        wf.seconds = 0.05
        return wf

    monkeypatch.setattr(counts, "run_waterfall", timed)


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen_snapshot(snap_compare, demo_here, frozen_count_time, screen, size):
    async def visit(pilot):
        await settle(pilot)
        await pilot.press(SCREENS[screen])
        await settle_still(pilot)

    assert snap_compare(WorkbenchApp(demo_here), run_before=visit, terminal_size=SIZES[size])


def visible(table: DataTable, label: str) -> bool:
    """The column headed ``label`` lies wholly inside the table's visible width."""
    x = 0
    for column in table.ordered_columns:
        width = column.get_render_width(table)
        if str(column.label) == label:
            return x + width <= table.scrollable_content_region.width
        x += width
    raise AssertionError(label)


async def test_both_records_and_the_weights_fit_at_120_columns(demo_here):
    app = WorkbenchApp(demo_here)
    async with app.run_test(size=SIZES["120x35"]) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        pair = app.screen.query_one("#pair", DataTable)
        assert pair.row_count > 5
        for label in ("field", "record A", "record B", "weight"):
            assert visible(pair, label), label
        weights = [str(pair.get_row_at(i)[3]) for i in range(pair.row_count)]
        assert any(w.startswith(("+", "-")) for w in weights)


async def test_the_waterfall_figures_fit_at_120_columns(demo_here, frozen_count_time):
    app = WorkbenchApp(demo_here)
    async with app.run_test(size=SIZES["120x35"]) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        waterfall = app.screen.query_one("#waterfall", DataTable)
        assert waterfall.row_count > 3
        for label in ("step", "removed", "remaining"):
            assert visible(waterfall, label), label
