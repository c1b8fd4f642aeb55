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
