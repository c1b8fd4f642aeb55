"""The reference tables shipped with the standardisers, read once per process.

Each CSV under ``data/`` is small and maintained by hand:

- Nicknames come from the maintained, hand-curated ``nicknames`` package (PyPI; its ``names.csv`` of
  ``name1,has_nickname,name2`` rows), which is many-to-many: SANDY stands for ALEXANDRA, CASSANDRA and
  SANDRA, and ALEX for ALEXANDER and ALEXANDRA. ``nicknames_local.csv`` (``nickname,name``) holds our
  local additions and the preferred root of a nickname: a nickname's FIRST local row is the root that
  ``wb_first_name_root`` returns; otherwise the root is chosen from the package (a name that is nobody's
  nickname first, then alphabetical). ``wb_first_name_roots`` gives every name a first name may stand
  for (itself, its root and every formal name of it); two first names are nicknames of one another when
  those lists share a name.
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


def _local_nickname_pairs() -> list[tuple[str, str]]:
    return [(row["nickname"], row["name"]) for row in _rows("nicknames_local.csv")]


def _package_nickname_pairs() -> list[tuple[str, str]]:
    """(nickname, formal name) pairs of the ``nicknames`` package, upper-case, letters only."""
    from nicknames import NickNamer  # the maintained data set; read once per process

    lookup = {formal.upper().strip(): {n.upper().strip() for n in nicks}
              for formal, nicks in NickNamer().nickname_lookup.items()}
    degree = {formal: len(nicks) for formal, nicks in lookup.items()}
    pairs = []
    for formal, nicks in lookup.items():
        for nick in nicks:
            if nick == formal or not (nick.isalpha() and formal.isalpha() and nick.isascii() and formal.isascii()):
                continue
            # The data also holds rows the wrong way round ("bill has_nickname robert", "ian has_nickname
            # john"): a "nickname" with more nicknames of its own than its "formal name" is one of those,
            # and would make ROBERT and WILLIAM nicknames of one another through BILL.
            if degree.get(nick, 0) > degree[formal]:
                continue
            pairs.append((nick, formal))
    return sorted(pairs)


@cache
def nickname_pairs_cached() -> tuple[tuple[str, str], ...]:
    local = _local_nickname_pairs()
    seen = set(local)
    return tuple(local + [pair for pair in _package_nickname_pairs() if pair not in seen])


def nickname_pairs() -> list[tuple[str, str]]:
    """Every (nickname, formal name) pair: local additions first (file order), then the package's."""
    return list(nickname_pairs_cached())


@cache
def nickname_roots() -> dict[str, str]:
    """name -> its root name, for every name whose root is another name; every root is its own root.

    The first local row wins (and a local root is its own root); otherwise, of the name and the formal names it stands for, the one with
    the most nicknames (then alphabetical), followed until it stops changing.
    """
    formal: dict[str, set[str]] = {}
    nick_count: dict[str, int] = {}
    for nick, name in nickname_pairs_cached():
        formal.setdefault(nick, set()).add(name)
        nick_count[name] = nick_count.get(name, 0) + 1
    local_first = _first_wins(_local_nickname_pairs())
    local_formal = set(local_first.values())

    def step(name: str) -> str:
        if name in local_first:
            return local_first[name]
        if name in local_formal:  # a root of our own table stays a root
            return name
        candidates = formal.get(name, set()) | {name}
        return min(candidates, key=lambda c: (-nick_count.get(c, 0), c))

    roots: dict[str, str] = {}
    for name in set(formal) | set(nick_count):
        root = name
        for _ in range(12):
            nxt = step(root)
            if nxt == root:
                break
            root = nxt
        else:
            root = name  # no fixed point (a cycle in the data): the name stands for itself
        if root != name and step(root) == root:
            roots[name] = root
    return roots


@cache
def nickname_groups() -> dict[str, tuple[str, ...]]:
    """nickname -> every name it may stand for: itself, its root and each formal name (sorted)."""
    groups: dict[str, set[str]] = {}
    for nick, name in nickname_pairs_cached():
        groups.setdefault(nick, {nick}).add(name)
    for nick, root in nickname_roots().items():
        groups[nick].add(root)
    return {nick: tuple(sorted(names)) for nick, names in groups.items()}


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
