"""The rows of an export file: the persons of the contact cells, then the seeds, as one SELECT.

Columns: ``person_id``, the selection's fields (an attribute or one of its other names,
``attributes.FIELD_ALIASES``; the column keeps the name the selection wrote), ``cell``, ``keycode``,
``is_seed`` (true on seed rows, whose person_id is empty and whose cell is ``seed``; a seed carries the
keycode of the first contact cell, so its piece looks like the others; a standard address field of a
seed repeats the seed's own address, :data:`SEED_FALLBACK`). The rows come in no particular order (sorting
them would double the cost of writing a large file): the same selection on the same data writes the
same rows, not necessarily the same bytes. Reads the TEMP tables a waterfall leaves (``_wf_cells``)
and person_attributes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

from workbench.export.writer import neutralise_value, neutralised
from workbench.select.attributes import FIELD_ALIASES, field_attribute
from workbench.select.definition import Seed, Selection
from workbench.select.waterfall import PLACED
from workbench.store.sql import quote_ident, run

SEEDS = "_export_seeds"
# A seed gives the raw address; its standard address fields repeat it (the piece must look like the others).
SEED_FALLBACK = {"std_address_line1": "address_line1", "std_city": "city", "std_state": "state",
                 "std_zip5": "zip5", "std_zip": "zip5", "postal_code": "zip5"}
CELLS = "_export_cells"


def output_columns(sel: Selection) -> list[str]:
    return ["person_id", *sel.export_fields, "cell", "keycode", "is_seed"]


def load_seeds(conn: duckdb.DuckDBPyConnection, sel: Selection, seeds: list[Seed] | None = None) -> int:
    """TEMP ``_export_seeds`` (one text column per export field) and ``_export_cells`` (cell_index, cell,
    keycode, contact, is_control): values from the definition, bound, never pasted; neutralised.
    ``seeds``: the seeds the file carries (default: the selection's own; see :mod:`workbench.export.seeds`)."""
    seeds = sel.seeds if seeds is None else seeds
    fields = sel.export_fields
    cols = ", ".join(f"{quote_ident(f)} VARCHAR" for f in fields)
    run(conn, f"CREATE OR REPLACE TEMP TABLE {SEEDS} (seed_no INTEGER{', ' + cols if cols else ''})")
    for i, seed in enumerate(seeds):
        values = [_seed_value(seed.values, f) for f in fields]
        run(conn, f"INSERT INTO {SEEDS} VALUES (?{', ?' * len(fields)})", [i, *values])
    run(conn, f"CREATE OR REPLACE TEMP TABLE {CELLS} (cell_index INTEGER, cell VARCHAR, keycode VARCHAR, "
              "contact BOOLEAN, history_cell VARCHAR, history_keycode VARCHAR)")
    for i, c in enumerate(sel.effective_cells):
        run(conn, f"INSERT INTO {CELLS} VALUES (?, ?, ?, ?, ?, ?)",
            [i, neutralise_value(c.name), neutralise_value(c.keycode), c.contact, c.name, c.keycode])
    return len(seeds)


def _seed_value(values: dict[str, str], field: str) -> str | None:
    name = FIELD_ALIASES.get(field, field)
    if name in values:
        return values[name]
    if name == "std_zip" and values.get("zip5") and values.get("zip4"):
        return f"{values['zip5']}-{values['zip4']}"
    return values.get(SEED_FALLBACK.get(name, ""))


def export_select(sel: Selection, today: date, clean: set[str] | frozenset[str] = frozenset()) -> tuple[str, list[Any]]:
    """(SQL, params) of the file's rows. Text columns are neutralised against formula injection, except
    the ``clean`` ones (no value starts like a formula: ``attributes.clean_text_columns``).
    Reads the TEMP tables of :func:`load_seeds` and of the waterfall."""
    cells = sel.effective_cells
    first_code = next((neutralise_value(c.keycode) for c in cells if c.contact and c.keycode), None)
    person_cols, seed_cols, params = [], [], []
    for f in sel.export_fields:
        attr = field_attribute(f)
        assert attr is not None  # checked when the selection was read
        sql = attr.sql.replace("{today}", "CAST(? AS DATE)")
        params += [today] * attr.sql.count("{today}")
        quoted = attr.type == "text" and attr.name not in clean
        person_cols.append(f"{neutralised(sql) if quoted else sql} AS {quote_ident(f)}")
        seed_cols.append(neutralised(f"s.{quote_ident(f)}") if attr.type == "text" else "NULL")
    person_part = ", ".join(["a.person_id", *person_cols, "cl.cell", "cl.keycode", "false AS is_seed"])
    seed_part = ", ".join(["CAST(NULL AS BIGINT)", *seed_cols, "'seed'", "CAST(? AS VARCHAR)", "true"])
    sql = f"""SELECT {person_part} FROM {PLACED} c
        JOIN {CELLS} cl ON cl.cell_index = c.cell_index
        JOIN person_attributes a ON a.person_id = c.person_id
        WHERE cl.contact
        UNION ALL
        SELECT {seed_part} FROM {SEEDS} s"""
    return sql, [*params, first_code]
