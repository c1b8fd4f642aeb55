"""How much memory DuckDB may hold before it spills to disk: a share of the machine's memory.

DuckDB's own default is 80% of the machine. The workbench asks for less (``DEFAULT_SHARE``) because the
same process also holds Python, Splink's settings and the TUI, and a big match that takes 80% for DuckDB
leaves too little for the rest on a machine that does other work. Above the limit DuckDB spills joins and
aggregates to ``DB.tmp`` beside the database file instead of failing.

``$WORKBENCH_MEMORY_LIMIT`` overrides it: ``12GB``, ``12GiB``, ``800MB`` or a share such as ``50%``.
``$WORKBENCH_THREADS`` caps DuckDB's worker threads (default: one per core), for a machine shared with
other work (the test suite runs one per parallel worker).
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

import duckdb

from workbench.errors import ConfigError

DEFAULT_SHARE = 0.6
UNITS = {"": 1, "B": 1, "KB": 1000, "MB": 1000**2, "GB": 1000**3, "TB": 1000**4,
         "KIB": 1024, "MIB": 1024**2, "GIB": 1024**3, "TIB": 1024**4}


def machine_memory() -> int | None:
    """Bytes of memory this process may use: the machine's, or its control group's limit when lower."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None
    for limit_file in (Path("/sys/fs/cgroup/memory.max"), Path("/sys/fs/cgroup/memory/memory.limit_in_bytes")):
        try:
            text = limit_file.read_text().strip()
        except OSError:
            continue
        if text.isdigit() and 0 < int(text) < total:
            total = int(text)
    return total


def parse_limit(text: str, machine: int | None) -> int:
    """``12GB`` / ``12GiB`` / ``800MB`` / ``50%`` in bytes; a clear ConfigError otherwise."""
    got = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(%|[KMGT]?I?B)?\s*", text, re.IGNORECASE)
    hint = "Set $WORKBENCH_MEMORY_LIMIT to an amount such as 12GB or 800MB, or a share such as 50%."
    if not got:
        raise ConfigError(f"$WORKBENCH_MEMORY_LIMIT is {text!r}, which is not an amount of memory.", hint)
    number, unit = float(got.group(1)), (got.group(2) or "").upper()
    if unit == "%":
        if not 0 < number <= 100:
            raise ConfigError(f"$WORKBENCH_MEMORY_LIMIT is {text!r}: a share lies between 1% and 100%.", hint)
        if machine is None:
            raise ConfigError(f"$WORKBENCH_MEMORY_LIMIT is {text!r}, but this machine's memory cannot be read.",
                              "Give an amount instead, such as 12GB.")
        return int(machine * number / 100)
    if unit not in UNITS:
        raise ConfigError(f"$WORKBENCH_MEMORY_LIMIT is {text!r}: {unit} is not a unit.", hint)
    amount = int(number * UNITS[unit])
    if amount < 100 * 1000**2:
        raise ConfigError(f"$WORKBENCH_MEMORY_LIMIT is {text!r}: below 100MB DuckDB cannot work.", hint)
    return amount


@functools.cache
def _limit_for(setting: str | None) -> int | None:
    machine = machine_memory()
    if setting:
        return parse_limit(setting, machine)
    return int(machine * DEFAULT_SHARE) if machine else None


def memory_limit() -> int | None:
    """The limit in bytes (``None``: leave DuckDB's default)."""
    return _limit_for(os.environ.get("WORKBENCH_MEMORY_LIMIT") or None)


def threads() -> int | None:
    """``$WORKBENCH_THREADS`` as a number of threads (``None``: DuckDB's default, one per core)."""
    text = (os.environ.get("WORKBENCH_THREADS") or "").strip()
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= 1024:
        raise ConfigError(f"$WORKBENCH_THREADS is {text!r}, which is not a number of threads.",
                          "Set it to a whole number such as 2, or unset it to use every core.")
    return int(text)


def apply_memory_limit(conn: duckdb.DuckDBPyConnection) -> None:
    """Set the limit (and ``$WORKBENCH_THREADS``) on the database instance behind ``conn`` (every
    connection of this process shares it)."""
    limit = memory_limit()
    if limit is not None:
        conn.execute(f"SET memory_limit = '{int(limit)}B'")  # an int we computed: nothing typed reaches SQL
    count = threads()
    if count is not None:
        conn.execute(f"SET threads = {count}")  # an int we checked
