"""Campaigns and contact history.

A placeholder until the capability arrives: replace this class (keep its name).
"""

from __future__ import annotations

from workbench.tui.screens.placeholder import PlaceholderScreen


class CampaignsScreen(PlaceholderScreen):
    MODE = "campaigns"
    CAPABILITY = "Campaigns and contact history"
    ARRIVES = (
        "Contact history by brand, channel, campaign and cell, pressure and capacity rules, trigger"
        "s, responses traced by keycode or matchback, and lift against the control group."
    )
