"""Per-person values of the functions a selection calls (orders of a brand in a window...), computed once
and kept in memory between counts, so a count refreshed while the operator edits does not scan the
orders again.

Each value is a ``SELECT person_id, v ...`` over the materialised tables; its result is fetched as an
Arrow table and registered on the connection of each count as ``_wf_<alias>`` (zero-copy). The cache
key is the SQL, its parameters (today's date among them) and the stamp of the attribute tables, so
new data, a new day or another database computes them again. At most :data:`CACHE_ENTRIES` values are kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import duckdb

from workbench.select.expression import Feature
from workbench.store.sql import scalar

CACHE_ENTRIES = 24
_cache: OrderedDict[tuple, Any] = OrderedDict()
_lock = threading.Lock()


def attributes_stamp_built(conn: duckdb.DuckDBPyConnection) -> str:
    """The database file and the stamp of its attribute tables: what a cached value was computed from."""
    path = scalar(conn, "SELECT path FROM duckdb_databases() WHERE database_name = current_database()")
    return f"{path}|{scalar(conn, 'SELECT max(stamp) FROM attribute_builds') or ''}"


def attach_features(conn: duckdb.DuckDBPyConnection, features: list[Feature]) -> list[str]:
    """Register each feature as a view ``_wf_<alias>`` on ``conn``; returns the view names."""
    stamp = attributes_stamp_built(conn)
    names = []
    for f in features:
        key = (f.sql, tuple(map(repr, f.params)), stamp)
        with _lock:
            table = _cache.get(key)
            if table is not None:
                _cache.move_to_end(key)
        if table is None:
            table = conn.sql(f.sql, params=f.params).to_arrow_table()
            with _lock:
                _cache[key] = table
                while len(_cache) > CACHE_ENTRIES:
                    _cache.popitem(last=False)
        name = f"_wf_{f.alias}"
        conn.register(name, table)
        names.append(name)
    return names


def detach_features(conn: duckdb.DuckDBPyConnection, names: list[str]) -> None:
    for name in names:
        try:
            conn.unregister(name)
        except duckdb.Error:
            pass


def clear_cache() -> None:
    with _lock:
        _cache.clear()
