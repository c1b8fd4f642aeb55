"""The Campaigns screens' jobs (the list with its Rules and Triggers tabs, one campaign): each calls the
core under the TUI's database turn, with its own short connection, and returns plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.store import Store
from workbench.tui.jobs import database_job, reading

PERSONS_PAGE = 200  # persons fetched for a cell or a trigger


@dataclass
class CampaignsOverview:
    campaigns: list[dict[str, Any]]
    rules: list[Any]  # workbench.contacts.rules.Rule
    triggers: list[Any]  # workbench.contacts.trigger_sql.TriggerStatus (persons not counted yet: None)
    plans: list[dict[str, Any]] = field(default_factory=list)
    unlinked: int = 0


def read_overview(store: Store) -> CampaignsOverview:
    """Links loaded contacts by email first (a write), then reads campaigns, rules, triggers, plans."""
    from workbench.contacts.history import ensure_contact_links, list_campaigns, unlinked_contacts
    from workbench.contacts.pressure import list_plans
    from workbench.contacts.rules import list_rules
    from workbench.contacts.trigger_sql import evaluate_triggers

    with database_job(store):
        with store.transaction() as conn:
            ensure_contact_links(conn)
        with store.connect(read_only=True) as conn:
            return CampaignsOverview(
                list_campaigns(conn),
                list_rules(conn),
                evaluate_triggers(conn, count=False),
                list_plans(conn),
                unlinked_contacts(conn),
            )


def read_trigger_counts(store: Store) -> list[Any]:
    """Every trigger with the number of persons it fires for now (seconds on a big database: read apart)."""
    from workbench.contacts.trigger_sql import evaluate_triggers

    with reading(store) as conn:
        return evaluate_triggers(conn)


def read_trigger_persons(store: Store, name: str, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    from workbench.contacts.trigger_sql import fired_persons

    with reading(store) as conn:
        return fired_persons(conn, name, offset=offset, limit=PERSONS_PAGE)


def read_campaign(store: Store, campaign: str, window_days: int = 30) -> dict[str, Any]:
    from workbench.contacts.results import campaign_results

    with reading(store) as conn:
        return campaign_results(conn, campaign, window_days)


def read_cell_persons(
    store: Store, campaign: str, cell: str | None, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    from workbench.contacts.history import campaign_persons

    with reading(store) as conn:
        return campaign_persons(conn, campaign, cell, offset=offset, limit=PERSONS_PAGE)


def save_rules_text(store: Store, text: str) -> dict[str, str]:
    """Check and save the ``[rules.NAME]`` tables typed in the TUI; {name: added | updated}."""
    from workbench.contacts.rules import parse_rules_text, save_rules

    found = parse_rules_text(text, "rule")
    with database_job(store), store.transaction() as conn:
        return save_rules(conn, found)


def toggle_rule(store: Store, name: str) -> bool:
    """Switch a rule on or off; returns whether it is on now."""
    from workbench.contacts.rules import get_rule, set_rule_enabled

    with database_job(store), store.transaction() as conn:
        on = not get_rule(conn, name).enabled
        set_rule_enabled(conn, name, on)
    return on
