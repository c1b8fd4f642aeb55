"""Cells: who lands in which cell, in priority order (a cascade), in a seeded random order.

The persons reaching the cells are ranked by ``hash(person_id, seed, 'cells')`` (then person id).
Each cell in turn takes, among the persons no earlier cell took and that match its ``where``, the
first ones in that rank: its ``count``, or its ``share`` of the persons reaching the cells, or (with
neither) every match. Shares are rounded cumulatively (cell sizes ``round(0.9 N)`` and
``round(1.0 N) - round(0.9 N)``), so shares that add up to 1 place everybody.
"""

from __future__ import annotations

import math

import duckdb

from workbench.select.definition import Cell
from workbench.store.sql import rows, run

RANK = "hash(person_id, ?, 'cells'), person_id"


def cell_sizes(cells: list[Cell], reaching: int) -> list[int | None]:
    """How many persons each cell takes at most (None: every match)."""
    sizes: list[int | None] = []
    cumulative, placed_so_far = 0.0, 0
    for cell in cells:
        if cell.share is not None:
            cumulative += cell.share
            upto = min(reaching, math.floor(cumulative * reaching + 0.5))
            sizes.append(max(0, upto - placed_so_far))
            placed_so_far = upto
        else:
            sizes.append(cell.count)
    return sizes


def assign_cells(conn: duckdb.DuckDBPyConnection, candidates: str, placed: str, cells: list[Cell],
                 sizes: list[int | None], has_where: list[bool], seed: int) -> dict[int, int]:
    """Write TEMP ``placed(person_id, cell_index)``; returns {cell index: persons}."""
    if not any(has_where):
        bounds, total = [], 0
        for size in sizes:
            total = None if total is None or size is None else total + size
            bounds.append(total)
        parts = []
        for i, b in enumerate(bounds):
            if b is None:
                parts.append(f"ELSE {i}")
                break
            parts.append(f"WHEN rn <= {int(b)} THEN {i}")
        which = f"CASE {' '.join(parts)} END" if parts[0].startswith("WHEN") else "0"
        run(conn, f"""CREATE OR REPLACE TEMP TABLE {placed} AS
            SELECT person_id, cell_index FROM (
                SELECT person_id, {which} AS cell_index
                FROM (SELECT person_id, row_number() OVER (ORDER BY {RANK}) AS rn FROM {candidates}))
            WHERE cell_index IS NOT NULL""", [seed])
    else:
        run(conn, f"CREATE OR REPLACE TEMP TABLE {placed} (person_id BIGINT, cell_index INTEGER)")
        for i, (size, where) in enumerate(zip(sizes, has_where, strict=True)):
            match = f"cw{i + 1} AND " if where else ""
            limit = f"LIMIT {int(size)}" if size is not None else ""
            run(conn, f"""INSERT INTO {placed}
                SELECT person_id, {i} FROM {candidates}
                WHERE {match}person_id NOT IN (SELECT person_id FROM {placed})
                ORDER BY {RANK} {limit}""", [seed])
    return {r["cell_index"]: r["n"] for r in rows(conn, f"SELECT cell_index, count(*) AS n FROM {placed} GROUP BY 1")}
