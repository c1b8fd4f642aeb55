"""Turning values into table cells and labels.

DataTable parses a ``str`` cell as markup, so everything that comes from data (file names, raw reject
lines, source names) goes in as :class:`rich.text.Text`, which is never parsed.
"""

from __future__ import annotations

from datetime import date, datetime

from rich.text import Text

from workbench import clock
from workbench.formatting import count

STATUS_STYLE = {"fresh": "green", "warn": "yellow", "error": "bold red", "never": "dim red"}
VOLUME_STYLE = {"ok": "green", "low": "yellow", "empty": "bold red", "n/a": "dim"}
DASH = Text("-", style="dim")


def text(value: object, style: str = "") -> Text:
    """Any value as plain text (``None`` as a dim dash)."""
    if value is None or value == "":
        return DASH.copy()
    return Text(str(value), style=style)


def number(value: int | float | None, style: str = "") -> Text:
    """A right-aligned count with thousands separators."""
    if value is None:
        return Text("-", style="dim", justify="right")
    shown = count(int(value)) if float(value).is_integer() else f"{value:,.2f}"
    return Text(shown, style=style, justify="right")


def identifier(value: int | None, style: str = "") -> Text:
    """A right-aligned id (person, household, load, audit row): never with thousands separators, so it
    reads as the operator types it into ``workbench person 12345``."""
    if value is None:
        return Text("-", style="dim", justify="right")
    return Text(str(value), style=style, justify="right")


def seconds(value: float | None) -> Text:
    return Text("-" if value is None else f"{value:.2f}", justify="right")


def when(value: datetime | date | None, with_time: bool = True) -> Text:
    """``2026-11-24 06:00``."""
    if value is None:
        return DASH.copy()
    if isinstance(value, datetime) and with_time:
        return Text(f"{value:%Y-%m-%d %H:%M}")
    return Text(f"{value:%Y-%m-%d}")


def short_when(value: datetime | date | None) -> Text:
    """``24 Nov 06:00`` (``24 Nov 2025`` for another year than the clock's): for narrow tables."""
    if value is None:
        return DASH.copy()
    if not isinstance(value, datetime):
        return Text(f"{value:%d %b %Y}")
    if value.year != clock.now().year:
        return Text(f"{value:%d %b %Y}")
    return Text(f"{value:%d %b %H:%M}")


def status(value: str) -> Text:
    """A freshness status, coloured: fresh green, warn yellow, error red, never dim red."""
    return Text(f"● {value}", style=STATUS_STYLE.get(value, ""))


def volume(value: str) -> Text:
    return Text(value, style=VOLUME_STYLE.get(value, ""))


def file_name(path: str | None) -> Text:
    """The last part of a path (the load log keeps full paths)."""
    if not path:
        return DASH.copy()
    return Text(str(path).replace("\\", "/").rsplit("/", 1)[-1])


def clip(value: str | None, width: int) -> Text:
    """Text cut to ``width`` characters with an ellipsis (raw reject lines can be megabytes long)."""
    if value is None:
        return DASH.copy()
    value = value.replace("\t", " ").replace("\r", " ").replace("\n", " ")
    return Text(value if len(value) <= width else value[: width - 1] + "…")
