"""What the Campaigns and Customer screens read, as plain functions over a store (no Textual here).

Each opens its own short connection and closes it before returning (the TUI runs them in workers,
inside its one-job-at-a-time lock). ``read_overview`` links loaded contacts by email first, so it
opens a write connection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PERSONS_PAGE = 200  # persons fetched for a cell or a trigger
BAR = "█"
PARTS = " ▏▎▍▌▋▊▉"


@dataclass
class CampaignsOverview:
    campaigns: list[dict[str, Any]]
    rules: list[Any]  # workbench.contacts.rules.Rule
    triggers: list[Any]  # workbench.contacts.trigger_sql.TriggerStatus (persons not counted yet: None)
    plans: list[dict[str, Any]] = field(default_factory=list)
    unlinked: int = 0


def read_overview(store) -> CampaignsOverview:
    from workbench.contacts.history import ensure_contact_links, list_campaigns, unlinked_contacts
    from workbench.contacts.pressure import list_plans
    from workbench.contacts.rules import list_rules
    from workbench.contacts.trigger_sql import evaluate_triggers

    with store.transaction() as conn:
        ensure_contact_links(conn)
    with store.connect(read_only=True) as conn:
        return CampaignsOverview(list_campaigns(conn), list_rules(conn), evaluate_triggers(conn, count=False),
                                 list_plans(conn), unlinked_contacts(conn))


def read_trigger_counts(store) -> list[Any]:
    """Every trigger with the number of persons it fires for now (seconds on a big database: read apart)."""
    from workbench.contacts.trigger_sql import evaluate_triggers

    with store.connect(read_only=True) as conn:
        return evaluate_triggers(conn)


def read_campaign(store, campaign: str, window_days: int = 30) -> dict[str, Any]:
    from workbench.contacts.results import campaign_results

    with store.connect(read_only=True) as conn:
        return campaign_results(conn, campaign, window_days)


def read_cell_persons(store, campaign: str, cell: str | None, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    from workbench.contacts.history import campaign_persons

    with store.connect(read_only=True) as conn:
        return campaign_persons(conn, campaign, cell, offset=offset, limit=PERSONS_PAGE)


def read_trigger_persons(store, name: str, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    from workbench.contacts.trigger_sql import fired_persons

    with store.connect(read_only=True) as conn:
        return fired_persons(conn, name, offset=offset, limit=PERSONS_PAGE)


def read_customer(store, person_id: int) -> dict[str, Any]:
    from workbench.contacts.customer import customer_view

    with store.connect(read_only=True) as conn:
        return customer_view(conn, person_id)


def save_rules_text(store, text: str) -> dict[str, str]:
    """Check and save the ``[rules.NAME]`` tables typed in the TUI; {name: added | updated}."""
    from workbench.contacts.rules import parse_rules_text, save_rules

    found = parse_rules_text(text, "rule")
    with store.transaction() as conn:
        return save_rules(conn, found)


def toggle_rule(store, name: str) -> bool:
    """Switch a rule on or off; returns whether it is on now."""
    from workbench.contacts.rules import get_rule, set_rule_enabled

    with store.transaction() as conn:
        on = not get_rule(conn, name).enabled
        set_rule_enabled(conn, name, on)
    return on


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
