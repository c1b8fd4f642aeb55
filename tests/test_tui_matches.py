"""The Matches screen: review a pair with the keyboard, undo it, bulk accept after a confirmation."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_identity_helpers import build_template, copy_store
from textual.widgets import DataTable, Input, Static
from tui_support import settle

import workbench.tui.app
from workbench import clock
from workbench.identity.run import match
from workbench.store.sql import scalar
from workbench.tui.app import WorkbenchApp
from workbench.tui.modals.confirm import ConfirmModal
from workbench.tui.screens.matches_review import MatchesScreen, ProbabilityModal

SIZE = (150, 42)


class App(WorkbenchApp):
    MODES = {**WorkbenchApp.MODES, "matches": MatchesScreen}  # until the lead wires the screen
    DEFAULT_MODE = "matches"
    CSS_PATH = str(Path(workbench.tui.app.__file__).with_name("styles") / "app.tcss")


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return build_template(tmp_path_factory.mktemp("identity_tui"), rows=1500)


@pytest.fixture
def db(template, tmp_path):
    store = copy_store(template, tmp_path / "tui.duckdb")
    clock.set_now("2026-01-16T09:00:00")
    match(store)
    yield store
    clock.set_now(None)


def decisions(store) -> list[tuple]:
    with store.connect(read_only=True) as conn:
        return conn.execute("SELECT decision, undone_at IS NULL FROM match_decisions ORDER BY decision_id").fetchall()


def counter(app) -> str:
    return str(app.screen.query_one("#matches-counter", Static).render())


async def test_review_a_pair_undo_and_bulk_accept(db):
    app = App(str(db.path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MatchesScreen)
        left_before = int(counter(app).split("left ")[1].split()[0].replace(",", ""))
        assert left_before > 0 and counter(app).startswith("Reviewed 0")
        pair = screen.query_one("#pair", DataTable)
        assert pair.row_count > 5 and "First name" in str(pair.get_row_at(2)[0])
        first = (screen.detail["record_l"], screen.detail["record_r"])
        assert screen.query_one("#persons", DataTable).row_count >= 2

        await pilot.press("a")  # accept and move to the next pair
        await settle(pilot)
        assert decisions(db) == [("accept", True)]
        assert (screen.detail["record_l"], screen.detail["record_r"]) != first
        assert counter(app).startswith("Reviewed 1")

        await pilot.press("u")  # undo: the pair is back in the queue
        await settle(pilot)
        assert decisions(db) == [("accept", False)]
        assert counter(app).startswith("Reviewed 0")

        await pilot.press("r")
        await settle(pilot)
        assert decisions(db)[-1] == ("reject", True)

        await pilot.press("b")  # bulk accept: probability, then a confirmation with the counts
        await settle(pilot)
        assert isinstance(app.screen, ProbabilityModal)
        app.screen.query_one("#probability", Input).value = "0.0"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        assert "pairs at or above 0" in app.screen.question and "persons become" in app.screen.detail
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, MatchesScreen)
        with db.connect(read_only=True) as conn:
            accepted = scalar(conn, "SELECT count(*) FROM match_decisions WHERE decision = 'accept' "
                                    "AND undone_at IS NULL")
            from workbench.identity.decisions import queue_counts

            left = queue_counts(conn)["left"]
        assert accepted >= left_before - 2 - left  # pairs that would join the rejected pair stay as conflicts
        assert f"left {left:,}" in counter(app)


async def test_bulk_accept_leaves_pairs_the_guard_held(db):
    with db.transaction() as conn:
        # the best waiting pair becomes one the guard held (two first names at one address, say)
        held = conn.execute("""SELECT p.record_id_l, p.record_id_r FROM match_pairs p
            JOIN person_records a ON a.record_id = p.record_id_l JOIN person_records b ON b.record_id = p.record_id_r
            WHERE p.status = 'review' AND a.person_id <> b.person_id ORDER BY p.probability DESC LIMIT 1""").fetchone()
        conn.execute("UPDATE match_pairs SET status = 'held', held_by = 'cluster', probability = 0.99, "
                     "reason = 'different first names' WHERE record_id_l = ? AND record_id_r = ?", list(held))
    app = App(str(db.path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen._load_detail(*held)  # the held pair, side by side: the note says why it was held
        await settle(pilot)
        assert "(held: different first names)" in str(app.screen.query_one("#matches-note", Static).render())
        await pilot.press("b")
        await settle(pilot)
        app.screen.query_one("#probability", Input).value = "0.95"
        await pilot.press("enter")
        await settle(pilot)
        if isinstance(app.screen, ConfirmModal):  # other pairs at or above 0.95 are accepted
            assert "held by the guards" in app.screen.detail
            await pilot.press("y")
            await settle(pilot)
        assert isinstance(app.screen, MatchesScreen)
    with db.connect(read_only=True) as conn:
        assert scalar(conn, "SELECT count(*) FROM match_decisions WHERE record_id_l = ? AND record_id_r = ?",
                      list(held)) == 0
        assert scalar(conn, "SELECT status FROM match_pairs WHERE record_id_l = ? AND record_id_r = ?",
                      list(held)) == "held"
