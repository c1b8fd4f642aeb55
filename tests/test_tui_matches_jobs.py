"""The Matches screen's work lives in matches_jobs.py; results come back as typed messages nested in the
screen class, handled with @on; the review's held connection commits through the store (issue 13)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from test_tui_matches import SIZE, App, db, template  # noqa: F401 (fixtures)
from textual.message import Message
from textual.widgets import DataTable
from tui_support import settle

from workbench.store.sql import scalar
from workbench.tui.screens import matches_jobs, matches_review
from workbench.tui.screens.matches_jobs import ReviewConnection
from workbench.tui.screens.matches_review import MatchesScreen

MESSAGES = ("QueueRead", "Decided", "DetailRead", "BulkPreviewed", "MatchProgress", "Matched")


def test_the_screen_has_no_jobs_and_no_sql():
    source = Path(matches_review.__file__).read_text()
    tree = ast.parse(source)
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert "workbench.tui.jobs" not in modules and "from workbench.tui import jobs" not in source
    for word in ("SELECT ", "BEGIN", "COMMIT", "ROLLBACK", "call_from_thread", "getattr("):
        assert word not in source, word


def test_the_jobs_module_runs_no_sql_by_hand():
    source = Path(matches_jobs.__file__).read_text()
    for word in ("SELECT ", "BEGIN", "COMMIT", "ROLLBACK", "execute("):
        assert word not in source, word


def test_the_messages_are_nested_in_the_screen():
    for name in MESSAGES:
        message = getattr(MatchesScreen, name)
        assert issubclass(message, Message) and message.__qualname__ == f"MatchesScreen.{name}"


def test_the_held_connection_rolls_back_a_failed_decision_and_stays_usable(db):  # noqa: F811
    session = ReviewConnection(db)
    try:
        with session.transaction() as conn:
            before = scalar(conn, "SELECT count(*) FROM match_decisions")
        with pytest.raises(RuntimeError), session.transaction() as conn:
            conn.execute("INSERT INTO match_decisions SELECT * FROM match_decisions LIMIT 0")
            conn.execute("DELETE FROM match_pairs")
            raise RuntimeError("boom")
        with session.transaction() as conn:  # the same connection, still open, nothing of the failed one kept
            assert scalar(conn, "SELECT count(*) FROM match_pairs") > 0
            assert scalar(conn, "SELECT count(*) FROM match_decisions") == before
    finally:
        session.close()


async def test_bulk_preview_comes_back_as_a_message(db):  # noqa: F811
    app = App(str(db.path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.post_message(MatchesScreen.BulkPreviewed(0.99, {"pairs": 0, "held_back": 0}))
        await pilot.pause()
        assert any("No waiting pair at or above 0.99" in str(n.message) for n in app._notifications)
        assert screen.query_one("#queue", DataTable).row_count > 0
