"""Plain-text formatting shared by the CLI and the TUI (no Textual here)."""

from __future__ import annotations

BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[int | float] | None) -> str:
    """A one-line chart of ``values`` (e.g. a source's row counts per load)."""
    if not values:
        return ""
    top = max(values)
    if top <= 0:
        return BARS[0] * len(values)
    return "".join(BARS[min(len(BARS) - 1, int(v / top * (len(BARS) - 1) + 0.5))] for v in values)


def count(n: int | None) -> str:
    return "-" if n is None else f"{n:,}"


def plural(n: int, word: str, words: str | None = None) -> str:
    """``1 household``, ``2 households``, ``1,024 seeds`` (counts with thousands separators)."""
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


def article(word: str) -> str:
    """``a mail selection``, ``an email selection``: the indefinite article a word takes (by its first letter)."""
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


# C0 controls become their Control Pictures (ESC -> ␛, NUL -> ␀, newline -> ␤), DEL ␡; C1 controls and
# the bidirectional overrides (which reorder what the terminal shows) become U+FFFD.
_UNPRINTABLE = {c: 0x2400 + c for c in range(0x20)} | {0x7F: 0x2421, 0x0A: 0x2424}
_UNPRINTABLE |= {c: 0xFFFD for c in (*range(0x80, 0xA0), 0x200E, 0x200F, *range(0x202A, 0x202F),
                                      *range(0x2066, 0x206A))}


def printable(text: str) -> str:
    """``text`` safe to show on a terminal: no escape sequence, bell or cursor movement from data taken
    from an extract reaches it (each control character is shown as a visible symbol instead)."""
    return text.translate(_UNPRINTABLE)
