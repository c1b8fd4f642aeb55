"""The Profile screen and the customer view show the RFM segments once computed (issue 14)."""

from __future__ import annotations

from workbench import clock
from workbench.tui.app import WorkbenchApp


async def test_profile_screen_shows_the_segment_grid(demo_copy):
    from workbench.segments import compute_rfm
    from workbench.store import Store

    clock.set_now("2026-11-24T09:00:00")
    with Store(demo_copy).transaction() as conn:
        compute_rfm(conn)
    app = WorkbenchApp(str(demo_copy))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("8")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.profile["segments"]["persons"] > 1000
        from workbench.report.render import sections

        titles = [s[0] for s in sections(app.screen.profile)]
        assert "Customer segments (RFM)" in titles and "Recency x frequency (persons / value)" in titles
