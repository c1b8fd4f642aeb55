"""Pressure (fatigue) and capacity rules: defined in TOML or the TUI, stored in ``contact_rules``.

A **pressure rule** allows at most ``max_contacts`` contacts per person (or per household) over a
sliding window of ``window_days`` days. A **capacity rule** allows at most ``max_per_day`` contacts on
one day (a call centre takes 500 calls a day). Both have a channel and a brand scope:

- ``channel``: ``mail`` / ``email`` / ``phone`` (the rule applies only to selections of that channel and
  counts that channel's contacts), ``any`` (every selection; counts contacts on every channel), or
  ``each`` (every selection; counts only contacts on the selection's own channel: "per channel").
- ``brand``: ``all`` (counts every brand's contacts: "across all brands"), ``each`` (counts only the
  selection's brand: "per brand"), or a brand's name (applies only to that brand's selections).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb

from workbench import clock
from workbench.contacts.definitions import Checker, nearest, read_tables, tables_from_text, with_file
from workbench.errors import ConfigError, NotFoundError
from workbench.store.sql import rows, run

KINDS = ("pressure", "capacity")
PER = ("person", "household")
RULE_CHANNELS = ("mail", "email", "phone", "any", "each")
SELECTION_CHANNELS = ("mail", "email", "phone")
_KEYS = {"kind", "description", "per", "channel", "brand", "window_days", "max_contacts", "max_per_day", "enabled"}


@dataclass
class Rule:
    name: str
    kind: str  # pressure | capacity
    channel: str  # mail | email | phone | any | each
    brand: str = "all"  # all | each | a brand
    per: str | None = "person"  # person | household (pressure rules)
    window_days: int | None = None
    max_contacts: int | None = None
    max_per_day: int | None = None
    description: str | None = None
    enabled: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def applies_to(self, channel: str, brand: str | None) -> bool:
        """Whether a selection of ``channel`` (and ``brand``) must pass this rule."""
        if not self.enabled:
            return False
        if self.channel in SELECTION_CHANNELS and self.channel != channel:
            return False
        return self.brand in ("all", "each") or (brand or "").lower() == self.brand

    def summary(self) -> str:
        """The rule in an operator's words: "at most 3 mail contacts per person in 30 days across all brands"."""
        n = self.max_per_day if self.kind == "capacity" else self.max_contacts
        noun = "contact" if n == 1 else "contacts"
        what = noun if self.channel in ("any", "each") else f"{self.channel} {noun}"
        per = [] if self.kind == "capacity" else [f"per {self.per}"]
        per += ["per channel"] if self.channel == "each" else []
        per += ["per brand"] if self.brand == "each" else []
        scope = {"all": " across all brands", "each": ""}.get(self.brand, f" of brand {self.brand}")
        span = "per day" if self.kind == "capacity" else f"in {self.window_days} days"
        return " ".join([f"at most {n:,} {what}", *per, span]) + scope


def rule_from_dict(name: str, body: dict[str, Any], line_of=None) -> Rule:
    c = Checker("rule", name, body, _KEYS, line_of)
    kind = c.choice("kind", KINDS, default="pressure")
    channel = c.choice("channel", RULE_CHANNELS)
    if channel is None:
        raise c.error("channel", f"is required ({', '.join(RULE_CHANNELS)})")
    brand = (c.text("brand") or "all").lower()
    rule = Rule(name=name, kind=kind, channel=channel, brand=brand, description=c.text("description"),
                enabled=c.boolean("enabled", True))
    if kind == "pressure":
        rule.per = c.choice("per", PER, default="person")
        rule.window_days = c.integer("window_days", 1, 3660, required=True)
        rule.max_contacts = c.integer("max_contacts", 0, 10_000, required=True)
        if "max_per_day" in body:
            raise c.error("max_per_day", 'belongs to capacity rules (kind = "capacity"); a pressure rule '
                          "has window_days and max_contacts")
    else:
        rule.per = None
        rule.max_per_day = c.integer("max_per_day", 0, 100_000_000, required=True)
        for key in ("per", "window_days", "max_contacts"):
            if key in body:
                raise c.error(key, "belongs to pressure rules; a capacity rule has max_per_day")
    return rule


def parse_rules_toml(path: str | Path) -> list[Rule]:
    """Every ``[rules.NAME]`` table of a TOML file, checked strictly."""
    return _rules(*read_tables(path, "rules"), str(path))


def parse_rules_text(text: str, label: str = "rule") -> list[Rule]:
    """The same for TOML text typed in the TUI."""
    return _rules(*tables_from_text(text, "rules", label), label)


def _rules(tables, line_of, label: str) -> list[Rule]:
    out = []
    for name, body in tables.items():
        try:
            out.append(rule_from_dict(name, body, lambda key, n=name: line_of(n, key)))
        except ConfigError as exc:
            raise with_file(label, exc) from None
    return out


def save_rules(conn: duckdb.DuckDBPyConnection, found: list[Rule]) -> dict[str, str]:
    """Insert or replace rules (a replaced rule keeps its place); {name: "added" | "updated"}."""
    now = clock.now()
    existing = {r["name"]: r for r in rows(conn, "SELECT name, position, created_at FROM contact_rules")}
    top = max((r["position"] for r in existing.values()), default=0)
    result = {}
    for rule in found:
        old = existing.get(rule.name)
        if old is None:
            top += 1
        run(conn, "DELETE FROM contact_rules WHERE name = ?", [rule.name])
        run(conn, """INSERT INTO contact_rules (name, kind, description, per, channel, brand, window_days,
                max_contacts, max_per_day, enabled, position, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [rule.name, rule.kind, rule.description, rule.per, rule.channel, rule.brand, rule.window_days,
             rule.max_contacts, rule.max_per_day, rule.enabled, old["position"] if old else top,
             old["created_at"] if old else now, now])
        result[rule.name] = "updated" if old else "added"
    if result:
        _audit(conn, "rules.save", ", ".join(sorted(result))[:200], {"rules": result})
    return result


def list_rules(conn: duckdb.DuckDBPyConnection, enabled_only: bool = False) -> list[Rule]:
    """Rules in the order they were first defined (the order of their waterfall steps)."""
    where = "WHERE enabled" if enabled_only else ""
    return [Rule(name=r["name"], kind=r["kind"], channel=r["channel"], brand=r["brand"], per=r["per"],
                 window_days=r["window_days"], max_contacts=r["max_contacts"], max_per_day=r["max_per_day"],
                 description=r["description"], enabled=r["enabled"])
            for r in rows(conn, f"SELECT * FROM contact_rules {where} ORDER BY position, name")]


def get_rule(conn: duckdb.DuckDBPyConnection, name: str) -> Rule:
    for rule in list_rules(conn):
        if rule.name == name:
            return rule
    names = [r.name for r in list_rules(conn)]
    near = nearest(name, names)
    raise NotFoundError(f"Unknown rule {name!r}." + (f" Did you mean {near!r}?" if near else ""),
                        "Known rules: " + (", ".join(names) or "none yet; add them with "
                                           "`workbench rules import FILE.toml`."))


def delete_rule(conn: duckdb.DuckDBPyConnection, name: str) -> None:
    rule = get_rule(conn, name)
    run(conn, "DELETE FROM contact_rules WHERE name = ?", [name])
    _audit(conn, "rules.delete", name, {"kind": rule.kind, "was_enabled": rule.enabled})


def set_rule_enabled(conn: duckdb.DuckDBPyConnection, name: str, enabled: bool) -> None:
    was = get_rule(conn, name).enabled
    run(conn, "UPDATE contact_rules SET enabled = ?, updated_at = ? WHERE name = ?", [enabled, clock.now(), name])
    if was != enabled:  # switching a rule changes who a selection contacts: audited
        _audit(conn, "rules.enable" if enabled else "rules.disable", name, {"enabled": enabled})


def _audit(conn: duckdb.DuckDBPyConnection, action: str, target: str, details: dict[str, Any]) -> None:
    from workbench import audit

    audit.record(conn, action, target, details)


def rule_as_toml(rule: Rule) -> str:
    """The ``[rules.NAME]`` table that defines ``rule`` (for the TUI's editor and `rules list --toml`)."""
    lines = [f"[rules.{rule.name}]"]
    if rule.description:
        lines.append(f"description = {_q(rule.description)}")
    if rule.kind == "capacity":
        lines += ['kind = "capacity"', f"channel = {_q(rule.channel)}", f"brand = {_q(rule.brand)}",
                  f"max_per_day = {rule.max_per_day}"]
    else:
        lines += [f"per = {_q(rule.per or 'person')}", f"channel = {_q(rule.channel)}", f"brand = {_q(rule.brand)}",
                  f"window_days = {rule.window_days}", f"max_contacts = {rule.max_contacts}"]
    if not rule.enabled:
        lines.append("enabled = false")
    return "\n".join(lines)


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
