"""DuckDB's memory limit: a share of the machine by default, $WORKBENCH_MEMORY_LIMIT to change it, and a
clear refusal (nothing opened, nothing created) for a value that is not an amount of memory."""

from __future__ import annotations

import pytest

from workbench.errors import ConfigError
from workbench.store import Store
from workbench.store.memory import DEFAULT_SHARE, machine_memory, parse_limit
from workbench.store.sql import scalar

GIB = 1024**3


@pytest.mark.parametrize(("text", "expected"), [
    ("12GB", 12 * 1000**3), ("12 GiB", 12 * GIB), ("800mb", 800 * 1000**2), ("1.5GiB", int(1.5 * GIB)),
    ("50%", 8 * GIB), ("3000000000", 3_000_000_000),
])
def test_amounts_and_shares(text, expected):
    assert parse_limit(text, 16 * GIB) == expected


@pytest.mark.parametrize(("text", "says"), [
    ("lots", "not an amount"), ("12 parsecs", "not an amount"), ("0%", "between 1% and 100%"),
    ("150%", "between 1% and 100%"), ("10MB", "below 100MB"), ("12XB", "not an amount"),
])
def test_what_is_not_an_amount_is_refused(text, says):
    with pytest.raises(ConfigError, match=says) as got:
        parse_limit(text, 16 * GIB)
    assert "WORKBENCH_MEMORY_LIMIT" in str(got.value)


def _limit(path) -> int:
    with Store(path).connect(read_only=True) as conn:
        return scalar(conn, "SELECT value FROM duckdb_settings() WHERE name = 'memory_limit'")


def test_the_database_opens_with_a_share_of_the_machine(tmp_path, monkeypatch):
    monkeypatch.delenv("WORKBENCH_MEMORY_LIMIT", raising=False)
    machine = machine_memory()
    assert machine
    shown = _limit(tmp_path / "wb.duckdb")  # e.g. "14.1 GiB"
    number, unit = shown.split()
    assert unit == "GiB" and abs(float(number) * GIB - machine * DEFAULT_SHARE) < 0.1 * GIB


def test_the_environment_sets_the_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_MEMORY_LIMIT", "2GiB")
    assert _limit(tmp_path / "wb.duckdb") == "2.0 GiB"


def test_a_bad_limit_opens_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_MEMORY_LIMIT", "half")
    with pytest.raises(ConfigError, match="'half'"):
        with Store(tmp_path / "wb.duckdb").connect():
            pass
    assert not (tmp_path / "wb.duckdb").exists()


def test_the_environment_caps_the_threads(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_THREADS", "1")
    with Store(tmp_path / "wb.duckdb").connect() as conn:
        assert scalar(conn, "SELECT current_setting('threads')") == 1


@pytest.mark.parametrize("text", ["two", "0", "-1", "1.5"])
def test_bad_threads_open_nothing(tmp_path, monkeypatch, text):
    monkeypatch.setenv("WORKBENCH_THREADS", text)
    with pytest.raises(ConfigError, match="WORKBENCH_THREADS"):
        with Store(tmp_path / "wb.duckdb").connect():
            pass
    assert not (tmp_path / "wb.duckdb").exists()
