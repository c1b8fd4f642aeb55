from __future__ import annotations

from workbench import clock
from workbench.tui.app import WorkbenchApp


async def test_profile_screen_shows_figures_and_writes_report(demo_copy, tmp_path):
    clock.set_now("2026-11-24T09:00:00")
    app = WorkbenchApp(str(demo_copy))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("8")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert screen.profile is not None
        assert screen.profile["overview"]["persons"] > 1000
        shown = app.export_screenshot()
        assert "households" in shown and "Revenue" in shown
        out = tmp_path / "from-tui.md"
        await pilot.press("w")
        await pilot.pause()
        inp = app.screen.query_one("#prompt-input")
        inp.value = str(out)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert out.read_text().startswith("# Marketing database profile")


def test_month_chart_has_month_and_amount_labels_and_empty_columns_for_no_revenue():
    from workbench.tui.screens.profile import month_chart

    chart = month_chart([{"month": "2025-12", "revenue": 1200}, {"month": "2026-02", "revenue": 35000}]).plain
    lines = chart.splitlines()
    assert lines[0].split() == ["$1.2k", "$0", "$35k"]  # January had no orders: filled in as $0
    assert lines[-1].split() == ["Dec", "25", "Jan", "26", "Feb"]
    january = slice(8, 16)
    assert all(not line[january].strip() for line in lines[1:-1])  # no bar at all for $0, never a full one
