"""Identity resolution (merge/purge).

A placeholder until the capability arrives: replace this class (keep its name).
"""

from __future__ import annotations

from workbench.tui.screens.placeholder import PlaceholderScreen


class MatchesScreen(PlaceholderScreen):
    MODE = "matches"
    CAPABILITY = "Identity resolution (merge/purge)"
    ARRIVES = (
        "Merge candidates from the Splink model with their match probability; accept (must-link) or"
        " reject (cannot-link) them, rerun matching, and browse each person's records and golden record."
    )
