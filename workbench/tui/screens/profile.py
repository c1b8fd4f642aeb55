"""Profile report.

A placeholder until the capability arrives: replace this class (keep its name).
"""

from __future__ import annotations

from workbench.tui.screens.placeholder import PlaceholderScreen


class ProfileScreen(PlaceholderScreen):
    MODE = "profile"
    CAPABILITY = "Profile report"
    ARRIVES = (
        "The database's vital figures: customers, transactions, new customers against last year, th"
        "e best customers' profile, and campaign results."
    )
