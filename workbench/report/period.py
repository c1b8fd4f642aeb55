"""Reporting periods: "2026-Q3", "2026-11", "2026-H1", "2026"; the default is the quarter to date."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from workbench.errors import WorkbenchError


@dataclass(frozen=True)
class Period:
    label: str
    start: date  # inclusive
    end: date  # exclusive

    @property
    def last_year(self) -> Period:
        return Period(f"{self.label} last year", _minus_year(self.start), _minus_year(self.end))

    def to_dict(self) -> dict[str, str]:
        return {"label": self.label, "start": self.start.isoformat(), "end": (self.end - timedelta(days=1)).isoformat()}


def _minus_year(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, 1)


def parse_period(text: str | None, now: datetime) -> Period:
    """The period to report on; ``None`` = the current quarter up to today."""
    if not text:
        q = (now.month - 1) // 3
        start = date(now.year, 3 * q + 1, 1)
        return Period(f"{now.year}-Q{q + 1} to date", start, now.date() + timedelta(days=1))
    t = text.strip().upper()
    if m := re.fullmatch(r"(\d{4})-?Q([1-4])", t):
        y, q = int(m.group(1)), int(m.group(2))
        start = date(y, 3 * (q - 1) + 1, 1)
        return Period(f"{y}-Q{q}", start, _add_months(start, 3))
    if m := re.fullmatch(r"(\d{4})-?H([12])", t):
        y, h = int(m.group(1)), int(m.group(2))
        start = date(y, 6 * (h - 1) + 1, 1)
        return Period(f"{y}-H{h}", start, _add_months(start, 6))
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", t):
        y, mo = int(m.group(1)), int(m.group(2))
        if 1 <= mo <= 12:
            start = date(y, mo, 1)
            return Period(f"{start:%Y-%m}", start, _add_months(start, 1))
    if m := re.fullmatch(r"(\d{4})", t):
        y = int(m.group(1))
        return Period(str(y), date(y, 1, 1), date(y + 1, 1, 1))
    raise WorkbenchError(f"{text!r} is not a period.",
                         "Use a quarter (2026-Q3), a half (2026-H1), a month (2026-11) or a year (2026).")
