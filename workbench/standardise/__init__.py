"""Standardisers: DuckDB SQL macros that turn raw source values into matching and display forms.

``install_macros(conn)`` creates them as TEMP macros on a connection (read-only connections too).
Every macro gives NULL for NULL or blank input. The reference tables are CSVs under ``data/``.

Names: ``wb_name_key(x)``, ``wb_name_display(x)``, ``wb_first_name_root(name_key)`` (one root),
``wb_first_name_roots(name_key)`` (every name it may stand for: many-to-many nicknames).
Contacts: ``wb_email(x)``, ``wb_email_valid(x)``, ``wb_phone(x)``, ``wb_phone2(area, number)``.
Places: ``wb_zip5(x)``, ``wb_zip4(x)``, ``wb_state(x)``, ``wb_country(x)``.
Dates: ``wb_date(x)``, ``wb_timestamp(x)``.
Addresses: ``wb_addr_street(line1, line2)``, ``wb_addr_unit(line1, line2)``,
``wb_addr_key(line1, line2, postal_code)``, ``wb_addr_line(line1, line2)`` (the Pub 28 delivery line),
``wb_addr_parts(line1, line2)`` (house number, directionals, street name, suffix, unit designator and
number, street, unit, line).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from . import address, contacts, dates, names, places
from .tables import nickname_pairs

__all__ = ["MACRO_NAMES", "install_macros", "macro_script", "nickname_pairs"]

MACRO_NAMES = (
    "wb_name_key",
    "wb_name_display",
    "wb_first_name_root",
    "wb_first_name_roots",
    "wb_email",
    "wb_email_valid",
    "wb_phone",
    "wb_phone2",
    "wb_zip5",
    "wb_zip4",
    "wb_state",
    "wb_country",
    "wb_date",
    "wb_timestamp",
    "wb_addr_street",
    "wb_addr_unit",
    "wb_addr_key",
    "wb_addr_line",
    "wb_addr_parts",
)


@cache
def macro_script() -> str:
    """The SQL that creates every macro (built once per process from the shipped tables)."""
    return "".join(module.macro_sql() for module in (names, contacts, places, dates, address))


def install_macros(conn: Any) -> None:
    """Create (or replace) the standardiser macros as TEMP macros on a DuckDB connection."""
    conn.execute(macro_script()).fetchall()
