"""The screens of the product, in the order of their keys (1..8).

Each screen is its own module with one ``Screen`` class, named by its entry here; the app builds its
modes, key bindings, tabs and palette commands from :data:`SCREENS`.
Classes are imported only when their screen is first shown.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from textual.screen import Screen


@dataclass(frozen=True)
class ScreenEntry:
    mode: str  # the Textual mode name, also the binding id suffix: "screen.<mode>"
    title: str  # what the tab and the palette call it
    key: str  # the key that switches to it
    module: str  # module under workbench.tui.screens
    class_name: str
    help: str  # one line for the command palette
    tab: bool = True  # shown among the header's tabs (False: reached by its key and the palette only)

    def load(self) -> type[Screen]:
        module = importlib.import_module(f"workbench.tui.screens.{self.module}")
        return getattr(module, self.class_name)

    def factory(self) -> Callable[[], Screen]:
        return lambda: self.load()()


SCREENS: list[ScreenEntry] = [
    ScreenEntry(
        "sources",
        "Sources",
        "1",
        "sources",
        "SourcesScreen",
        "Source systems, their load log; load an extract, see its rejects",
    ),
    ScreenEntry(
        "freshness",
        "Freshness",
        "2",
        "freshness",
        "FreshnessScreen",
        "How old each source's data is, against its cadence, and the volume of its loads",
    ),
    ScreenEntry(
        "matches",
        "Matches",
        "3",
        "matches_review",
        "MatchesScreen",
        "Identity resolution: merge candidates, accept or reject, persons",
    ),
    ScreenEntry(
        "households",
        "Households",
        "4",
        "households_review",
        "HouseholdsScreen",
        "Householding at individual, household and address level",
    ),
    ScreenEntry(
        "suppressions",
        "Suppressions",
        "5",
        "suppressions_view",
        "SuppressionsScreen",
        "Who must not be contacted, by channel and brand",
    ),
    ScreenEntry(
        "selections",
        "Selections",
        "6",
        "selections_edit",
        "SelectionsScreen",
        "Selections, their waterfall counts, cells and exports",
    ),
    ScreenEntry(
        "campaigns",
        "Campaigns",
        "7",
        "campaigns_view",
        "CampaignsScreen",
        "Contact history, pressure rules, responses and lift",
    ),
    ScreenEntry(
        "profile",
        "Profile",
        "8",
        "profile",
        "ProfileScreen",
        "The database's vital figures for the rest of the company",
    ),
]


# Reachable by key and from the palette, not in the tab row (which fills 120 columns already).
MORE_SCREENS: list[ScreenEntry] = [
    ScreenEntry(
        "quality",
        "Quality",
        "9",
        "quality_review",
        "QualityScreen",
        "Know your own accuracy: review a sample, precision and recall with intervals",
    ),
    ScreenEntry(
        "mergepurge",
        "Merge/purge",
        "0",
        "mergepurge_view",
        "MergePurgeScreen",
        "Prospect lists: merge/purge a mailing's lists, the net-name report per list",
    ),
]


def entry_for(mode: str) -> ScreenEntry:
    return next(e for e in (*SCREENS, *MORE_SCREENS) if e.mode == mode)
