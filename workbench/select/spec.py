"""What a function of the ``where`` language is (:class:`FunctionSpec`) and what it builds
(:class:`Fragment`): the types shared by :mod:`workbench.select.functions` and the capabilities that add
functions (``workbench.contacts.select_functions``, ``workbench.segments.select_functions``). A leaf
module: it imports nothing of workbench, so those providers can be imported by ``functions`` without a
cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol


@dataclass
class Fragment:
    """A piece of SQL (our text), its bound parameters in order, and its type."""

    sql: str
    params: list[Any] = field(default_factory=list)
    type: str = "bool"


@dataclass(frozen=True)
class Arg:
    name: str
    type: str  # text | number | date | bool
    required: bool = False
    literal: bool = True  # a literal value (bound as a parameter), else any expression of that type


class BuildContext(Protocol):
    today: date

    def feature(self, key: tuple, sql: str, params: list[Any], default: str | None = None) -> str:
        """Register a per-person value (``SELECT person_id, v ...``); returns the SQL that reads it."""

    def check_brand(self, brand: str) -> str:
        """The brand, lower case; an unknown brand is an error naming the known ones."""

    def check_source(self, name: str) -> str:
        """A known source name; an unknown one is an error naming the nearest."""


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    args: tuple[Arg, ...]
    returns: str
    help: str
    build: Callable[[dict[str, Any], BuildContext], Fragment]
    depends: Callable[[dict[str, Any]], tuple[str, ...]] = lambda args: ()  # source kinds, or "source:NAME"

    @property
    def signature(self) -> str:
        shown = [a.type if not a.literal else a.name if a.required else a.name + "=" for a in self.args]
        return f"{self.name}({', '.join(shown)})"
