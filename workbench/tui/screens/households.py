"""Householding.

A placeholder until the capability arrives: replace this class (keep its name).
"""

from __future__ import annotations

from workbench.tui.screens.placeholder import PlaceholderScreen


class HouseholdsScreen(PlaceholderScreen):
    MODE = "households"
    CAPABILITY = "Householding"
    ARRIVES = (
        "Households at individual, household and address level: who lives at one door, the head of "
        "household chosen by rule, and the one-piece-per-household counts."
    )
