from __future__ import annotations

import asyncio
import inspect
import shutil
from pathlib import Path

import pytest

from workbench import clock

DATA = Path(__file__).parent / "data"


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Run ``async def`` tests (Textual Pilot tests) in a fresh event loop."""
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        args = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        asyncio.run(pyfuncitem.obj(**args))
        return True
    return None


@pytest.fixture(autouse=True)
def _reset_clock(monkeypatch, tmp_path_factory):
    monkeypatch.setenv("WORKBENCH_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))  # never the user's
    monkeypatch.delenv("WORKBENCH_NOW", raising=False)
    monkeypatch.delenv("WORKBENCH_DB", raising=False)
    clock.set_now(None)
    yield
    clock.set_now(None)


@pytest.fixture
def data_dir(tmp_path) -> Path:
    """A private copy of tests/data (tests may write beside the files)."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("bad"))
    return target


@pytest.fixture
def store(tmp_path, data_dir):
    """A fresh database with the test sources registered."""
    from workbench.ingest.sources import parse_sources_toml, save_sources
    from workbench.store import Store

    s = Store(tmp_path / "wb.duckdb", busy_timeout=0.5)
    clock.set_now("2026-11-20T10:00:00")
    with s.transaction() as conn:
        save_sources(conn, parse_sources_toml(data_dir / "sources.toml"))
    return s


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory) -> Path:
    """The demo database, built once per test session through the real loaders (read it, don't change it)."""
    from workbench.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build_demo(path)
    clock.set_now(None)
    return path


@pytest.fixture
def demo_copy(demo_db_path, tmp_path) -> Path:
    """A private copy of the demo database that a test may change."""
    target = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_path, target)
    return target
