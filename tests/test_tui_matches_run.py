"""Matching from the Matches screen (issue 13): `M` shows its progress, Escape stops it at the next stage
and the run is rolled back (the database is as it was); the core's cancel point does the same headless."""

from __future__ import annotations

import asyncio
import threading

import pytest
from test_identity_helpers import build_template, copy_store
from test_tui_matches import App
from textual.widgets import Static
from tui_support import settle

from workbench import clock
from workbench.identity import run as identity_run
from workbench.identity.run import MatchCancelled, match
from workbench.store.sql import rows
from workbench.tui.widgets.load_progress import LoadProgress

SIZE = (120, 35)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return build_template(tmp_path_factory.mktemp("identity_run_tui"), rows=600)


@pytest.fixture
def db(template, tmp_path):
    store = copy_store(template, tmp_path / "tui.duckdb")
    clock.set_now("2026-01-16T09:00:00")
    yield store  # never matched: a run would create every person
    clock.set_now(None)


def fingerprint(store) -> dict[str, str]:
    """Every table's rows, as one digest per table."""
    with store.connect(read_only=True) as conn:
        names = [
            r["table_name"]
            for r in rows(
                conn, "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary"
            )
        ]
        return {
            n: conn.execute(
                f"SELECT count(*) || md5(coalesce(string_agg(CAST(t AS VARCHAR), '|' "
                f"ORDER BY CAST(t AS VARCHAR)), '')) FROM \"{n}\" t"
            ).fetchone()[0]
            for n in names
        }


@pytest.mark.parametrize("stage", [1, 2, 3])
def test_a_cancelled_match_run_leaves_the_database_as_it_was(db, stage):
    before = fingerprint(db)
    asked = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) >= stage

    with pytest.raises(MatchCancelled):
        match(db, cancelled=cancelled)
    assert fingerprint(db) == before
    result = match(db, cancelled=lambda: False)  # not cancelled: the run completes
    assert result.persons > 0 and fingerprint(db) != before


async def test_escape_stops_matching_from_the_screen_and_nothing_changes(db, monkeypatch):
    reached, release = threading.Event(), threading.Event()
    real = identity_run.prepare.build_input

    def slow_build(conn):  # the run waits here until the test has pressed Escape
        reached.set()
        release.wait(20)
        return real(conn)

    monkeypatch.setattr(identity_run.prepare, "build_input", slow_build)
    before = fingerprint(db)
    app = App(str(db.path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        progress = screen.query_one(LoadProgress)
        assert not progress.display
        await pilot.press("M")
        assert await asyncio.to_thread(reached.wait, 20)
        await pilot.pause()
        assert progress.display and "Matching" in str(progress.query_one("#load-label", Static).render())
        assert "preparing the records" in str(progress.query_one("#load-label", Static).render())
        screen._close_if_idle()  # the idle check starts no worker that would wait for the run
        assert not [w for w in app.workers if w.group == "matches-close" and not w.is_finished]
        await pilot.press("escape")
        assert "cancelling" in str(progress.query_one("#load-cancel-hint", Static).render())
        release.set()
        await settle(pilot)
        assert not progress.display and screen.cancel_matching is None
        assert any("Matching cancelled" in str(n.message) for n in app._notifications)
        assert app.screen is screen  # a notification, not an error modal
    assert fingerprint(db) == before


async def test_matching_from_the_screen_runs_to_the_end(db):
    app = App(str(db.path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("M")
        await settle(pilot)
        assert not app.screen.query_one(LoadProgress).display
        assert app.screen.counts["left"] > 0 and app.screen.pairs
    with db.connect(read_only=True) as conn:
        assert rows(conn, "SELECT count(*) AS n FROM match_runs")[0]["n"] == 1
