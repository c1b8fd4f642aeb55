"""Selections and exports.

A placeholder until the capability arrives: replace this class (keep its name).
"""

from __future__ import annotations

from workbench.tui.screens.placeholder import PlaceholderScreen


class SelectionsScreen(PlaceholderScreen):
    MODE = "selections"
    CAPABILITY = "Selections and exports"
    ARRIVES = (
        "Selections defined with AND/OR/NOT criteria, their waterfall (gross, each removal, net), c"
        "ells and keycodes, control groups, limits, seed names, and the export of a checked selection."
    )
