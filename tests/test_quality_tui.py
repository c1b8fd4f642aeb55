"""The Quality screen: key 9 opens it, n draws a sample, a / r / s answer with the Matches keys."""

from __future__ import annotations

import pytest
from test_identity_helpers import build_template, copy_store
from textual.widgets import DataTable, Static
from tui_support import settle

from workbench import clock
from workbench.identity.run import match
from workbench.store.sql import rows
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.quality_review import QualityScreen

SIZE = (120, 35)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("quality_tui")
    store = copy_store(build_template(folder, rows=800), folder / "matched.duckdb")
    clock.set_now("2026-01-16T09:00:00")
    match(store)
    clock.set_now(None)
    return folder / "matched.duckdb"


async def test_draw_a_sample_and_answer_it(template, tmp_path):
    store = copy_store(template, tmp_path / "tui.duckdb")
    clock.set_now("2026-01-16T10:00:00")
    app = WorkbenchApp(str(store.path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("9")
        await settle(pilot)
        assert isinstance(app.screen, QualityScreen)
        assert "Not measured yet" in str(app.screen.query_one("#quality-estimates", Static).render())
        await pilot.press("n")
        await settle(pilot)
        queue = app.screen.query_one("#quality-queue", DataTable)
        assert queue.row_count > 0
        assert (
            app.screen.query_one("#quality-evidence", DataTable).row_count > 0
        )  # the two records side by side
        first = app.screen.evidence["item"]["item_id"]
        await pilot.press("a")
        await settle(pilot)
        second = app.screen.evidence["item"]["item_id"]
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        text = str(app.screen.query_one("#quality-estimates", Static).render())
    with store.connect(read_only=True) as conn:
        answered = rows(
            conn,
            "SELECT item_id, answer FROM quality_items WHERE answer IS NOT NULL ORDER BY answered_at, item_id",
        )
    assert [(a["item_id"], a["answer"]) for a in answered][:2] == [(first, "same"), (second, "different")]
    assert len(answered) == 3
    assert "answered 3" in text and "persons" in text
