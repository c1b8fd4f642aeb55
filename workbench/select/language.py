"""The words the ``where`` language's checker and its SQL generator share: the error, where a node sits
in the operator's text, type names in plain words, "did you mean".

Both :mod:`workbench.select.expression` (parse and check) and :mod:`workbench.select.sqlgen` (generate)
import this module; neither imports the other back (``expression`` uses ``sqlgen``'s ``Walker``).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from workbench.errors import ConfigError

PREFIX = "wbfn_"  # function names are renamed to this prefix before parsing (sqlglot treats some as keywords)


class ExpressionError(ConfigError):
    """A where (or order) expression that does not check. A bad selection is refused (exit 1)."""

    exit_code = 1


@dataclass
class SourceText:
    text: str
    shifts: list[tuple[int, int]]  # (position in the rewritten text, characters added before it)

    def column(self, pos: int | None) -> int | None:
        if pos is None:
            return None
        added = 0
        for at, total in self.shifts:
            if pos >= at:
                added = total
        return pos - added + 1


def type_words(type_name: str) -> str:
    return {"number": "a number", "text": "text", "date": "a date", "bool": "a condition (true or false)",
            "null": "NULL"}.get(type_name, type_name)


def did_you_mean(word: str, candidates) -> str:
    found = difflib.get_close_matches(word, list(candidates), n=3, cutoff=0.6)
    if not found:
        found = [c for c in candidates if word and (word in c or c in word)][:3]
    return ("; did you mean " + " or ".join(repr(f) for f in found) + "?") if found else ""
