"""Contact strategy: contact history, pressure and capacity rules, triggers, campaign results, the
customer view. See docs/contacts.md.

Public surface:

- :mod:`workbench.contacts.history`: ``link_contacts(conn)`` (loaded contacts known by email get their
  people record), ``list_campaigns``, ``campaign_cells``, ``campaign_persons``, ``person_contacts``.
- :mod:`workbench.contacts.rules`: ``parse_rules_toml``, ``save_rules``, ``list_rules`` (``Rule``).
- :mod:`workbench.contacts.pressure`: ``pressure_steps(conn, channel, brand, as_of_date, candidates,
  selection=, priority=, campaign=)`` -> waterfall steps (rule, label, SQL of the persons to remove);
  ``apply_pressure``; ``plan_contacts`` / ``clear_plan`` (selection priority).
- :mod:`workbench.contacts.triggers` / :mod:`~workbench.contacts.trigger_sql`: ``parse_triggers_toml``,
  ``save_triggers``, ``trigger_persons_sql(conn, name)`` (for ``trigger('name')`` in selections),
  ``evaluate_triggers`` (who fires now, and staleness), ``fired_persons``.
- :mod:`workbench.contacts.results`: ``campaign_results(conn, campaign, window_days=30)``,
  ``recent_campaign_results(conn, limit=5)`` (the profile report), ``lift_interval``.
- :mod:`workbench.contacts.responses`: ``import_responses(store, path)`` (response files with keycodes).
- :mod:`workbench.contacts.customer`: ``customer_view(conn, person_id)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def recent_campaign_results(conn, limit: int = 5) -> list[dict[str, Any]]:
    """The newest campaigns' headline results, one flat row each (used by the profile report)."""
    from workbench.contacts.results import recent_campaign_results as recent

    return recent(conn, limit=limit)


def demo_step(store, folder: Path) -> dict[str, Any]:
    """The demo's post-load step: link loaded contacts by email, import ``folder``/rules.toml and
    ``folder``/triggers.toml (the demo passes demo_db). Returns what it did."""
    from workbench.contacts.history import link_contacts
    from workbench.contacts.rules import parse_rules_toml, save_rules
    from workbench.contacts.triggers import parse_triggers_toml, save_triggers

    folder = Path(folder)
    with store.transaction() as conn:
        linked = link_contacts(conn)
        rules = save_rules(conn, parse_rules_toml(folder / "rules.toml"))
        triggers = save_triggers(conn, parse_triggers_toml(folder / "triggers.toml"))
    return {"contacts_linked": linked, "rules": len(rules), "triggers": len(triggers)}
