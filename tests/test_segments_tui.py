"""The Profile screen computes and shows the RFM segments and publishes them (issue 14)."""

from __future__ import annotations

from workbench import clock
from workbench.tui.app import WorkbenchApp


async def test_profile_screen_computes_shows_and_publishes_segments(demo_copy, tmp_path):
    from workbench.report.render import sections

    clock.set_now("2026-11-24T09:00:00")
    definition = tmp_path / "SEGMENTS.toml"
    definition.write_text(
        'name = "ops"\n[treatments]\nat_risk = "offer retention call"\n'
        '[systems.ecom_customers]\nfile = "ecom.csv"\n'
    )
    app = WorkbenchApp(str(demo_copy))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("8")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.profile["segments"] is None  # never computed on the demo
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.profile["segments"]["persons"] > 1000
        titles = [s[0] for s in sections(app.screen.profile)]
        assert "Customer segments (RFM)" in titles and "Recency x frequency (persons / value)" in titles
        await pilot.press("u")
        await pilot.pause()
        app.screen.query_one("#prompt-input").value = str(definition)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
    lines = (tmp_path / "ecom.csv").read_text().splitlines()
    assert lines[0].startswith("source_key,segment,recency_score") and len(lines) > 1000
    assert (tmp_path / "ecom.csv.manifest.json").exists()
