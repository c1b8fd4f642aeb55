"""Suppressions.

A placeholder until the capability arrives: replace this class (keep its name).
"""

from __future__ import annotations

from workbench.tui.screens.placeholder import PlaceholderScreen


class SuppressionsScreen(PlaceholderScreen):
    MODE = "suppressions"
    CAPABILITY = "Suppressions"
    ARRIVES = (
        "Who must not be contacted, by channel (mail, email, phone) and brand: suppression files (D"
        "NC, MPS, deceased, bounces, erasures), NCOA moves, and how many people each one removes."
    )
