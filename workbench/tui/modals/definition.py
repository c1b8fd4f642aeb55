"""A source's definition, shown as the TOML that would define it."""

from __future__ import annotations

import json
from typing import Any

from rich.syntax import Syntax
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Static

from workbench.freshness import format_interval
from workbench.tui.modals import WorkbenchModal

# Keys in the order a sources TOML usually lists them; computed or default-valued ones are left out.
ORDER = (
    "kind",
    "cadence",
    "warn_after",
    "error_after",
    "priority",
    "mode",
    "format",
    "as_of",
    "encoding",
    "delimiter",
    "header",
    "column_names",
    "channel",
    "match_on",
    "brand",
    "reason",
)


class SourceDefinitionModal(WorkbenchModal[None]):
    AUTO_FOCUS = "#ok"

    def __init__(self, source: Any) -> None:
        super().__init__()
        self.source = source

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide-dialog"):
            yield Static(Content(f"Source {self.source.name}"), classes="dialog-title")
            with VerticalScroll(id="definition"):
                yield Static(
                    Syntax(source_as_toml(self.source), "toml", background_color="default", word_wrap=True)
                )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close", id="ok")

    @on(Button.Pressed, "#ok")
    def _close(self) -> None:
        self.dismiss(None)


def source_as_toml(source: Any) -> str:
    """The ``[sources.NAME]`` table for ``source`` (thresholds written out, even when defaulted)."""
    d = source.to_dict()
    d["warn_after"] = format_interval(d["warn_after_s"])
    d["error_after"] = format_interval(d["error_after_s"])
    lines = [f"[sources.{source.name}]"]
    for key in ORDER:
        value = d.get(key)
        if value is None or (key == "header" and value is True):
            continue
        lines.append(f"{key} = {_toml_value(value)}")
    if d.get("columns"):
        lines += ["", f"[sources.{source.name}.columns]"]
        lines += [f"{field} = {_toml_value(column)}" for field, column in d["columns"].items()]
    return "\n".join(lines)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)
