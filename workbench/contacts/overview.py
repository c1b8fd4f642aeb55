"""What the Campaigns screens show that is not a query: the rule template and the response-rate bars.

(The reads themselves are core functions in ``history``, ``results``, ``rules`` and ``trigger_sql``; the
TUI calls them from ``workbench/tui/screens/campaigns_view_jobs.py``.)
"""

from __future__ import annotations

from typing import Any

BAR = "█"
PARTS = " ▏▎▍▌▋▊▉"


RULE_TEMPLATE = """[rules.new_rule]
description = "At most 2 email contacts per person in 7 days across all brands"
kind = "pressure"        # pressure | capacity
per = "person"           # person | household
channel = "email"        # mail | email | phone | any | each (per channel)
brand = "all"            # all | each (per brand) | a brand's name
window_days = 7
max_contacts = 2
# a capacity rule has kind = "capacity", channel, brand and max_per_day = 500 instead
"""


def rate_bars(cells: list[dict[str, Any]], width: int = 30) -> list[tuple[str, str, str, bool]]:
    """A bar per cell of its response rate, scaled to the highest: (cell, bar, "4.5% (3.1%..5.9%)", is_control)."""
    top = max((c["response_rate"] or 0 for c in cells), default=0)
    out = []
    for c in cells:
        rate = c["response_rate"] or 0
        eighths = round(rate / top * width * 8) if top else 0
        bar = BAR * (eighths // 8) + (PARTS[eighths % 8] if eighths % 8 else "")
        text = "-" if c["response_rate"] is None else f"{rate * 100:.2f}%"
        if c.get("lift") is not None:
            text += f"  lift {c['lift'] * 100:+.2f} pts ({c['lift_low'] * 100:+.2f} to {c['lift_high'] * 100:+.2f})"
        out.append((c["cell"], bar, text, bool(c["is_control"])))
    return out
