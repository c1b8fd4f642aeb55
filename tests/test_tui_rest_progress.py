"""Long jobs on the Households and Profile screens show progress and stop on Escape; a stopped job (and a
core job cancelled from its progress callback) leaves the database exactly as it was."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from test_households_helpers import load, make_store
from tui_support import settle

import workbench.tui.app
from workbench import clock
from workbench.errors import Cancelled
from workbench.households import build as household_build
from workbench.households import run_households
from workbench.report import profile as report_profile
from workbench.store.sql import rows
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.households_review import HouseholdsScreen
from workbench.tui.screens.profile import ProfileScreen
from workbench.tui.widgets.load_progress import LoadProgress

SIZE = (140, 40)
CSS = str(Path(workbench.tui.app.__file__).with_name("styles") / "app.tcss")


class HouseholdsApp(WorkbenchApp):
    MODES = {**WorkbenchApp.MODES, "households": HouseholdsScreen}
    DEFAULT_MODE = "households"
    CSS_PATH = CSS


class ProfileApp(WorkbenchApp):
    MODES = {**WorkbenchApp.MODES, "profile": ProfileScreen}
    DEFAULT_MODE = "profile"
    CSS_PATH = CSS


@pytest.fixture
def store(tmp_path):
    s = make_store(tmp_path)
    load(s, tmp_path, "crm", [
        ["S1", "Ed", "Smith", "5 Elm St", "", "02134"], ["S2", "Flo", "Smith", "5 Elm St", "", "02134"],
        ["J1", "Ann", "Jones", "5 Elm St", "", "02134"], ["K1", "Kai", "Ng", "8 Oak St", "", "60614"]])
    run_households(s)
    load(s, tmp_path, "crm", [["L1", "Lu", "Li", "9 Ash St", "", "60614"]], name="more.csv")  # pending work
    yield s
    clock.set_now(None)


def snapshot(store) -> dict[str, list]:
    """Every table's rows (and every sequence's next value): what 'the database is unchanged' means."""
    with store.connect(read_only=True) as conn:
        tables = [r["name"] for r in rows(conn, "SELECT schema_name || '.' || table_name AS name FROM duckdb_tables() "
                                                "WHERE NOT temporary ORDER BY 1")]
        out = {t: [tuple(map(str, r.values())) for r in rows(conn, f"SELECT * FROM {t}")] for t in tables}
        out["sequences"] = [tuple(r.values()) for r in rows(conn, "SELECT sequence_name, last_value FROM "
                                                                  "duckdb_sequences() ORDER BY 1")]
    return {k: sorted(v) for k, v in out.items()}


# -- the core's cancel points -----------------------------------------------------------------------------
@pytest.mark.parametrize("stop_at", ["applying moves", "adding up spend", "writing households", "recording the run"])
def test_a_household_run_cancelled_between_stages_leaves_the_database_as_it_was(store, stop_at):
    before = snapshot(store)
    seen: list[str] = []

    def progress(message: str, fraction: float) -> None:
        seen.append(message)
        if message == stop_at:
            raise Cancelled("stopped")

    with pytest.raises(Cancelled):
        run_households(store, progress=progress)
    assert seen[-1] == stop_at and seen[0].startswith("standardising")
    assert snapshot(store) == before
    done: list[float] = []
    run_households(store, progress=lambda m, f: done.append(f))  # not cancelled: it writes
    assert done == sorted(done) and len(done) >= 8
    assert snapshot(store) != before


def test_a_profile_build_cancelled_between_sections_rolls_back(store):
    from workbench.ingest.derived import ensure_derived

    before = snapshot(store)

    def progress(message: str, fraction: float) -> None:
        if message == "figuring suppressions":
            raise Cancelled("stopped")

    with pytest.raises(Cancelled), store.transaction() as conn:
        ensure_derived(conn)  # the pending golden refresh is part of the same transaction
        report_profile.build_profile(conn, None, progress=progress)
    assert snapshot(store) == before


# -- Pilot: Escape stops the job; the database is unchanged -------------------------------------------
def blocking(monkeypatch, module, name: str) -> tuple[threading.Event, threading.Event]:
    """Make ``module.name`` wait (in the worker) until released; (reached, release)."""
    reached, release = threading.Event(), threading.Event()
    original = getattr(module, name)

    def wait_then_run(*args, **kwargs):
        reached.set()
        release.wait(20)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wait_then_run)
    return reached, release


async def wait_for(pilot, event: threading.Event) -> None:
    for _ in range(400):
        if event.is_set():
            return
        await pilot.pause(0.05)
    raise AssertionError("the job never reached its stage")


def progress_text(app) -> str:
    return " ".join(str(w.render()) for w in app.screen.query_one(LoadProgress).query("Static"))


async def test_households_rebuild_shows_progress_and_escape_stops_it(store, monkeypatch):
    before = snapshot(store)
    reached, release = blocking(monkeypatch, household_build, "person_spend")
    app = HouseholdsApp(str(store.path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.screen.query_one(LoadProgress).display
        await pilot.press("c")
        await wait_for(pilot, reached)
        await pilot.pause()
        bar = app.screen.query_one(LoadProgress)
        assert bar.display and "Rebuilding the households: adding up spend" in progress_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert "cancelling at the next step" in progress_text(app)
        release.set()
        await settle(pilot)
        assert not bar.display and app.screen.cancel_requested is None
        notes = [n.message for n in app._notifications]
        assert any("The household rebuild cancelled." in n and "unchanged" in n for n in notes), notes
    assert snapshot(store) == before


async def test_households_rebuild_runs_to_the_end_without_escape(store):
    before_runs = len(snapshot(store)["main.household_runs"])
    app = HouseholdsApp(str(store.path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert not app.screen.query_one(LoadProgress).display
        assert any("households for" in n.message for n in app._notifications)
    assert len(snapshot(store)["main.household_runs"]) == before_runs + 1


async def test_profile_build_shows_progress_and_escape_stops_it(store, monkeypatch):
    before = snapshot(store)
    reached, release = blocking(monkeypatch, report_profile, "_revenue")
    app = ProfileApp(str(store.path))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, reached)
        await pilot.pause()
        assert "Building the profile: figuring revenue" in progress_text(app)
        await pilot.press("escape")
        release.set()
        await settle(pilot)
        screen = app.screen
        assert screen.profile is None and not screen.query_one(LoadProgress).display
        assert any("The profile rebuild cancelled." in n.message for n in app._notifications)
        assert snapshot(store) == before  # the pending golden refresh was rolled back with it
        await pilot.press("R")  # built again, to the end this time
        await settle(pilot)
        assert screen.profile is not None and screen.profile["overview"]["persons"] >= 1
    assert snapshot(store) != before
