"""The Merge/purge screen (key 0): the prospect lists, a count of a run file, a run that writes the file."""

from __future__ import annotations

import io

import pytest
from mergepurge_support import _run_file, build_mp_store
from tui_support import settle

from workbench.tui.app import WorkbenchApp


@pytest.fixture
def mp_store(tmp_path, built):
    return built(build_mp_store, tmp_path)  # built once, copied per test


def _text(app, selector: str) -> str:
    """What a Static of the screen shows, as plain text."""
    from rich.console import Console

    console = Console(width=200, record=True, file=io.StringIO())
    console.print(app.screen.query_one(selector).content)
    return console.export_text()


async def test_mergepurge_screen_counts_and_runs(mp_store, tmp_path):
    run_file = _run_file(tmp_path)
    out = tmp_path / "from-tui.csv"
    app = WorkbenchApp(str(mp_store.path))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("0")
        await settle(pilot)
        screen = app.screen
        assert screen.MODE == "mergepurge"
        assert screen.query_one("#mp-lists").row_count == 2
        assert "No merge/purge run yet" in _text(app, "#mp-report")
        await pilot.press("d")  # count only
        await pilot.pause()
        app.screen.query_one("#prompt-input").value = str(run_file)
        await pilot.press("enter")
        await settle(pilot)
        shown = _text(app, "#mp-report")
        assert "count only" in shown and "gross in" in shown and "suppressed: mps" in shown
        assert not out.exists()
        await pilot.press("r")  # run and write: the run file, the output file, then "Write?"
        await pilot.pause()
        app.screen.query_one("#prompt-input").value = str(run_file)
        await pilot.press("enter")
        await pilot.pause()
        app.screen.query_one("#prompt-input").value = str(out)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert out.exists() and (tmp_path / "from-tui.csv.report.json").exists()
        assert "run 1: spring" in _text(app, "#mp-report")
