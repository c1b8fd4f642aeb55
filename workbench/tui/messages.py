"""Messages shared by screens: how a worker hands its result to the widgets (workers never touch them)."""

from __future__ import annotations

from typing import Any

from textual.message import Message


class Fetched(Message):
    """A job's result, posted from the worker thread; subclass it once per kind of result.

    ``about`` names what the result is for (a source, a load), so a handler can drop a result that
    arrives after the operator moved on.
    """

    def __init__(self, value: Any, about: str | None = None) -> None:
        super().__init__()
        self.value, self.about = value, about
