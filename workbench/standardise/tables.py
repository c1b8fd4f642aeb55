"""The reference tables shipped with the standardisers, read once per process.

Each CSV under ``data/`` is small and maintained by hand:

- ``nicknames.csv`` (``nickname,name``): common US English first-name nicknames and spelling variants.
  A nickname may appear more than once (``PAT`` -> ``PATRICK`` and ``PATRICIA``); the FIRST row for a
  nickname is the root that ``wb_first_name_root`` returns, every row is a pair for Splink.
- ``street_suffixes.csv`` (``variant,standard``): USPS Publication 28 Appendix C1 street suffixes.
- ``unit_designators.csv`` (``designator,standard,needs_number``): Pub 28 Appendix C2 secondary units.
- ``directionals.csv`` and ``ordinals.csv`` (``word,standard``).
- ``us_states.csv`` (``code,name``) and ``countries.csv`` (``code,name``): names and aliases to codes.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")


def _rows(file_name: str) -> list[dict[str, str]]:
    with (DATA_DIR / file_name).open(newline="", encoding="utf-8") as handle:
        return [{key: value.strip() for key, value in row.items()} for row in csv.DictReader(handle)]


def _first_wins(pairs: list[tuple[str, str]]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for key, value in pairs:
        mapping.setdefault(key, value)
    return mapping


@cache
def nickname_pairs_cached() -> tuple[tuple[str, str], ...]:
    return tuple((row["nickname"], row["name"]) for row in _rows("nicknames.csv"))


def nickname_pairs() -> list[tuple[str, str]]:
    """Every (nickname, name) pair in the shipped table, upper-case, in file order."""
    return list(nickname_pairs_cached())


@cache
def nickname_roots() -> dict[str, str]:
    """nickname -> root name (the first row for each nickname)."""
    return _first_wins(list(nickname_pairs_cached()))


@cache
def street_suffixes() -> dict[str, str]:
    """Every Pub 28 suffix spelling (and each standard abbreviation itself) -> standard abbreviation."""
    return _first_wins([(row["variant"], row["standard"]) for row in _rows("street_suffixes.csv")])


@cache
def unit_designators() -> dict[str, tuple[str, bool]]:
    """Designator spelling -> (standard abbreviation, whether a unit number must follow)."""
    return {
        row["designator"]: (row["standard"], row["needs_number"] == "Y")
        for row in _rows("unit_designators.csv")
    }


@cache
def directionals() -> dict[str, str]:
    return _first_wins([(row["word"], row["standard"]) for row in _rows("directionals.csv")])


@cache
def ordinals() -> dict[str, str]:
    return _first_wins([(row["word"], row["standard"]) for row in _rows("ordinals.csv")])


@cache
def us_states() -> dict[str, str]:
    """State, DC and territory names (and traditional abbreviations) -> two-letter code."""
    return _first_wins([(row["name"], row["code"]) for row in _rows("us_states.csv")])


@cache
def countries() -> dict[str, str]:
    """Country names, ISO2 and ISO3 codes and common aliases -> ISO2 code."""
    return _first_wins([(row["name"], row["code"]) for row in _rows("countries.csv")])
