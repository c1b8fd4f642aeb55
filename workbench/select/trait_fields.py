"""The agency traits selections can read (issue 15): names, levels and types only, so that
:mod:`workbench.select.attributes` declares them without importing :mod:`workbench.appends` (which builds
their values and imports the attributes' stamp)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Trait:
    name: str
    level: str  # household | person
    type: str  # bool | text | number
    help: str


TRAITS: tuple[Trait, ...] = (
    Trait("presence_of_children", "household", "bool", "children live in the household"),
    Trait("income_band", "household", "text", "the household's income band, as the agency codes it"),
    Trait("home_owner", "household", "bool", "the household owns its home"),
    Trait("length_of_residence", "household", "number", "years the household has lived at the address"),
    Trait("age_band", "person", "text", "the person's age band, as the agency codes it"),
    Trait("marital_status", "person", "text", "the person's marital status, as the agency codes it"),
    Trait("occupation", "person", "text", "the person's occupation, as the agency codes it"),
)
