"""Reading a period's contact plan (``PERIOD.toml``) strictly.

```toml
[plans.december]
start = 2026-12-01
end = 2026-12-31
order = "priority"             # priority: the listed order | expected_value: value x mean score, highest first
selections = [                 # in priority order
  { name = "winter_catalogue", date = 2026-12-05 },
  { name = "ember_reactivation", date = 2026-12-08, score = "churn_score", value = 25.0 },
]
```

Every problem is a :class:`~workbench.errors.ConfigError` naming the file, line, plan and key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from workbench.contacts.definitions import Checker, nearest, read_tables, tables_from_text, with_file
from workbench.errors import ConfigError

ORDERS = ("priority", "expected_value")
_KEYS = {"start", "end", "order", "selections", "description"}
_ENTRY_KEYS = {"name", "date", "score", "value", "campaign"}


@dataclass
class PlannedSelection:
    name: str
    date: date
    score: str | None = None  # a number attribute (expected value = value x mean score of the persons)
    value: float | None = None  # value of one response
    campaign: str | None = None


@dataclass
class PlanDefinition:
    name: str
    start: date
    end: date
    order: str = "priority"
    selections: list[PlannedSelection] = field(default_factory=list)
    description: str | None = None
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "order": self.order,
            "selections": [
                {
                    "name": s.name,
                    "date": s.date.isoformat(),
                    "score": s.score,
                    "value": s.value,
                    "campaign": s.campaign,
                }
                for s in self.selections
            ],
        }


def parse_plan_toml(path: str | Path) -> PlanDefinition:
    path = Path(path)
    tables, line_of = read_tables(path, "plans")
    return _one(tables, line_of, str(path), path.read_text(encoding="utf-8-sig"))


def parse_plan_text(text: str, label: str = "plan") -> PlanDefinition:
    tables, line_of = tables_from_text(text, "plans", label)
    return _one(tables, line_of, label, text)


def _one(tables, line_of, label: str, text: str) -> PlanDefinition:
    if len(tables) != 1:
        raise ConfigError(
            f"{label}: write exactly one [plans.NAME] table (found {len(tables)}).",
            "One file is one period's plan.",
        )
    ((name, body),) = tables.items()
    try:
        plan = _plan(name, body, lambda key: line_of(name, key))
    except ConfigError as exc:
        raise with_file(label, exc) from None
    plan.text = text
    return plan


def _date(c: Checker, key: str, value: Any, where: str = "") -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise c.error(key, f"{where}{value!r} must be a date, e.g. 2026-12-01")


def _plan(name: str, body: dict[str, Any], line_of) -> PlanDefinition:
    c = Checker("plan", name, body, _KEYS, line_of)
    for key in ("start", "end", "selections"):
        if key not in body:
            raise c.error(key, "is required")
    start, end = _date(c, "start", body["start"]), _date(c, "end", body["end"])
    if end < start:
        raise c.error("end", f"{end} is before start {start}")
    order = c.choice("order", ORDERS, default="priority") or "priority"
    entries = body["selections"]
    if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
        raise c.error(
            "selections", 'must be a list of { name = "SELECTION", date = 2026-12-05 }, in priority order'
        )
    plan = PlanDefinition(name, start, end, order, description=c.text("description"))
    seen: set[str] = set()
    for i, e in enumerate(entries, start=1):
        where = f"selections[{i}]: "
        for key in e:
            if key not in _ENTRY_KEYS:
                near = nearest(key, _ENTRY_KEYS)
                raise c.error(
                    "selections",
                    f"{where}unknown key {key!r}"
                    + (f"; did you mean {near!r}?" if near else "")
                    + f" (keys: {', '.join(sorted(_ENTRY_KEYS))})",
                )
        sel = e.get("name")
        if not isinstance(sel, str) or not sel.strip():
            raise c.error("selections", f"{where}'name' (the saved selection) is required")
        sel = sel.strip()
        if sel in seen:
            raise c.error(
                "selections", f"{where}selection {sel!r} is listed twice; a selection has one place"
            )
        seen.add(sel)
        if "date" not in e:
            raise c.error("selections", f"{where}'date' (the contact date, in the period) is required")
        day = _date(c, "selections", e["date"], where)
        if not start <= day <= end:
            raise c.error("selections", f"{where}date {day} is outside the period {start} to {end}")
        score, value = e.get("score"), e.get("value")
        if score is not None and (not isinstance(score, str) or not score.strip()):
            raise c.error("selections", f"{where}'score' must name a number attribute, e.g. \"churn_score\"")
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0
        ):
            raise c.error("selections", f"{where}'value' must be a number >= 0 (the value of one response)")
        campaign = e.get("campaign")
        if campaign is not None and (not isinstance(campaign, str) or not campaign.strip()):
            raise c.error("selections", f"{where}'campaign' must be a campaign code")
        plan.selections.append(
            PlannedSelection(
                sel,
                day,
                score.strip() if score else None,
                None if value is None else float(value),
                campaign.strip() if campaign else None,
            )
        )
    if order == "expected_value":
        missing = [s.name for s in plan.selections if s.score is None or s.value is None]
        if missing:
            raise c.error(
                "order",
                f'"expected_value" needs a score and a value on every selection; '
                f"missing on {', '.join(missing)}",
            )
    return plan
