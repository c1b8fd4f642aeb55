from __future__ import annotations

import asyncio
import fcntl
import inspect
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workbench import clock

DATA = Path(__file__).parent / "data"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "real_migrations: new databases run every migration (no copy of a migrated one; see below)"
    )


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


_blank_dbs: dict[object, Path] = {}


@pytest.fixture(autouse=True)
def _new_databases_from_a_migrated_copy(request, monkeypatch, tmp_path_factory):
    """A test's new database (a Store opening a file that does not exist, with the clock frozen) starts as a byte
    copy of one that the real code created and migrated at the same clock in this worker, instead of running
    every migration again (the same file, built once: ~0.3 s of CPU per new database). Tests marked
    ``real_migrations`` (test_store.py) and the CLI subprocesses create their databases the product's way."""
    if request.node.get_closest_marker("real_migrations"):
        return
    from workbench.store import db

    real_open = db.Store._open

    def _open(self, read_only, finish_wipe=True):
        path = self.path
        if (self.create and clock.is_frozen() and not os.path.lexists(path)
                and not os.path.lexists(f"{path}.wal") and path.parent.is_dir()):
            now = clock.now()
            if now not in _blank_dbs:
                blank = tmp_path_factory.mktemp("blank") / "blank.duckdb"
                real_open(db.Store(blank), False).close()  # the product creates and migrates it
                _blank_dbs[now] = blank
            shutil.copyfile(_blank_dbs[now], path)
        return real_open(self, read_only, finish_wipe)

    monkeypatch.setattr(db.Store, "_open", _open)


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
def built(tmp_path_factory):
    """``built(builder, tmp_path, *args)``: a private copy in ``tmp_path`` of the database (and the files beside
    it) that ``builder(folder, *args)`` builds, built once per worker and copied for each test, with the clock
    set as the builder left it. For builders that do the same thing whatever test calls them."""
    from workbench.store import Store

    done: dict[tuple, tuple[Path, str, object, float]] = {}

    def copy(builder, tmp_path: Path, *args):
        key = (builder.__module__, builder.__qualname__, args)
        if key not in done:
            folder = tmp_path_factory.mktemp(builder.__name__)
            store = builder(folder, *args)
            done[key] = (folder, Path(store.path).name, clock._fixed, store.busy_timeout)
        folder, name, now, timeout = done[key]
        shutil.copytree(folder, tmp_path, dirs_exist_ok=True)
        clock.set_now(now)
        return Store(tmp_path / name, busy_timeout=timeout)

    return copy


def _shared_demo(tmp_path_factory) -> tuple[Path, Path]:
    """Where this run's demo database is built: one folder for all xdist workers of the run."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's base folder, above each worker's own
    folder = root / "demo-shared"
    return folder / "demo.duckdb", folder / "build.log"


@pytest.fixture(scope="session", autouse=True)
def _demo_build_started(request, tmp_path_factory):
    """When a collected test needs the demo, the first worker to get here starts building it (through the
    real loaders, in a process of its own), so it is built once per run while the workers run other tests."""
    if not any("demo_db_path" in getattr(item, "fixturenames", ()) for item in request.session.items):
        return
    path, log = _shared_demo(tmp_path_factory)
    path.parent.mkdir(exist_ok=True)
    with open(path.parent / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if log.exists():
            return  # another worker started it
        env = {k: v for k, v in os.environ.items() if k not in ("WORKBENCH_NOW", "WORKBENCH_DB")}
        env["WORKBENCH_CONFIG_DIR"] = str(path.parent / "config")
        with open(log, "w") as out:
            proc = subprocess.Popen([sys.executable, "-c", _BUILD, str(path)], stdout=out, stderr=subprocess.STDOUT,
                                    env=env)
        (path.parent / "pid").write_text(str(proc.pid))


_BUILD = """import sys
from workbench.demo import build_demo
build_demo(sys.argv[1])
print("built")
"""


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory) -> Path:
    """The demo database, built once per test run through the real loaders (read it, don't change it)."""
    path, log = _shared_demo(tmp_path_factory)
    with open(path.parent / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the build, if any, has been started (its pid is written)
    deadline = time.monotonic() + 900
    while not path.exists():  # the build renames the finished file into place
        if time.monotonic() > deadline or not _building(path.parent / "pid"):
            if path.exists():
                break
            text = log.read_text() if log.exists() else "(never started)"
            pytest.fail(f"building the demo database failed:\n{text}")
        time.sleep(0.2)
    return path


def _building(pid_file: Path) -> bool:
    try:
        pid = int(pid_file.read_text())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return False
    try:  # a finished (or killed) child its worker has not reaped yet is a zombie
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True  # no /proc here: the deadline stops the wait


@pytest.fixture
def demo_copy(demo_db_path, tmp_path) -> Path:
    """A private copy of the demo database that a test may change."""
    target = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_path, target)
    return target
