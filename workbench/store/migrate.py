"""Numbered schema migrations: ``migrations/NNN_name.sql``, applied in order, each in its own transaction."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import duckdb

from workbench import __version__, clock
from workbench.errors import DatabaseFileError
from workbench.store.sql import run, scalar


def available_migrations() -> list[tuple[int, str, str]]:
    """(number, name, sql) of every migration shipped in the package, in order."""
    found = []
    for entry in resources.files("workbench.store.migrations").iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            found.append((int(name[:3]), name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def current_version(conn: duckdb.DuckDBPyConnection) -> int:
    exists = scalar(
        conn,
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version' "
        "AND table_schema = 'main'",
    )
    if not exists:
        return 0
    return scalar(conn, "SELECT coalesce(max(version), 0) FROM schema_version") or 0


def applied_versions(conn: duckdb.DuckDBPyConnection) -> set[int]:
    if not current_version(conn):
        return set()
    return {r[0] for r in conn.execute("SELECT version FROM schema_version").fetchall()}


def pending_migrations(conn: duckdb.DuckDBPyConnection, path: Path) -> list[tuple[int, str, str]]:
    """Shipped migrations not yet applied (by number, so one added between two applied ones runs too)."""
    applied = applied_versions(conn)
    shipped = available_migrations()
    known = {m[0] for m in shipped}
    unknown = sorted(applied - known)
    if unknown:
        raise DatabaseFileError(
            f"{path} was written by a newer workbench (schema {max(applied)}; this one knows up to "
            f"{max(known) if known else 0}).",
            "Upgrade workbench (pip install -U workbench) to open it.",
        )
    return [m for m in shipped if m[0] not in applied]


def migrate(conn: duckdb.DuckDBPyConnection, pending: list[tuple[int, str, str]]) -> None:
    for number, name, sql in pending:
        run(conn, "BEGIN TRANSACTION")
        try:
            for statement in _statements(sql):
                run(conn, statement)
            run(
                conn,
                "INSERT INTO schema_version VALUES (?, ?, ?, ?)",
                [number, name, clock.now(), __version__],
            )
            run(conn, "COMMIT")
        except Exception:
            run(conn, "ROLLBACK")
            raise


def _statements(sql: str) -> list[str]:
    """Split a migration on ';' at line ends (migrations hold no semicolons inside strings)."""
    out, buf = [], []
    for line in sql.splitlines():
        if line.strip().startswith("--"):
            continue
        buf.append(line)
        if line.rstrip().endswith(";"):
            out.append("\n".join(buf).strip())
            buf = []
    tail = "\n".join(buf).strip()
    if tail:
        out.append(tail)
    return [s for s in out if s.strip(" ;\n")]
