"""Legal clocks on suppressions: the deadlines the law puts on the files that keep people from being
contacted, measured from each file's last load.

- ``do_not_call`` (phone): a copy of the National Do Not Call Registry under 31 days old when a phone
  selection is exported (the FTC rule says "no older than 31 days"; workbench keeps a day's margin).
  Every suppression source of channel ``phone`` is such a file.
- ``email_opt_outs`` (email): an opt-out must be honoured within 10 business days of its date (CAN-SPAM).
  An unsubscribe source (channel ``email``) last loaded 10 or more business days ago may hide an opt-out
  that is overdue by now.
- ``ncoa`` (mail): addresses updated against NCOA within 95 days before a mailing (USPS Move Update).
  Every source of kind ``moves`` counts; the newest load is the one that matters.

The age is measured from the load (``loads.finished_at``): when the copy was obtained is not known to the
workbench, and it can only be older. Business days are Monday to Friday (public holidays are not
counted out, so the clock is slightly strict). Status: ``ok``, ``due`` (within :data:`DUE_SOON` of the
limit), ``overdue`` or ``missing`` (no such file loaded, or none defined).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

import duckdb

from workbench import clock
from workbench.formatting import article
from workbench.store.sql import rows

DNC_MAX_DAYS = 31
EMAIL_OPT_OUT_BUSINESS_DAYS = 10
NCOA_MAX_DAYS = 95
DUE_SOON = {"days": 7, "business days": 2}
CLOCK_CHANNEL = {"do_not_call": "phone", "email_opt_outs": "email", "ncoa": "mail"}


@dataclass
class LegalClock:
    clock: str  # do_not_call | email_opt_outs | ncoa
    channel: str  # the export channel it gates: phone | email | mail
    source: str | None
    last_loaded_at: datetime | None
    age: int | None  # in ``unit``
    limit: int
    unit: str  # days | business days
    status: str  # ok | due | overdue | missing
    message: str

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["last_loaded_at"] = self.last_loaded_at.isoformat() if self.last_loaded_at else None
        return d


def business_days_between(start: date, end: date) -> int:
    """Business days (Mon-Fri) after ``start`` up to and including ``end`` (0 when end <= start)."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for i in range(1, rest + 1):
        if (start + timedelta(days=weeks * 7 + i)).weekday() < 5:
            count += 1
    return count


def _clock(kind: str, source: str | None, loaded: datetime | None, now: datetime) -> LegalClock:
    unit = "business days" if kind == "email_opt_outs" else "days"
    limit = {"do_not_call": DNC_MAX_DAYS, "email_opt_outs": EMAIL_OPT_OUT_BUSINESS_DAYS, "ncoa": NCOA_MAX_DAYS}[kind]
    what = {"do_not_call": "do-not-call file", "email_opt_outs": "email opt-out file", "ncoa": "NCOA (moves) file"}[kind]
    channel = CLOCK_CHANNEL[kind]
    if source is None:
        return LegalClock(kind, channel, None, None, None, limit, unit, "missing",
                          f"no {what} is defined: {article(channel)} export needs one loaded within {limit} {unit}")
    if loaded is None:
        return LegalClock(kind, channel, source, None, None, limit, unit, "missing",
                          f"{what} {source} was never loaded: {article(channel)} export needs it within {limit} {unit}")
    if unit == "days":
        age = (now.date() - loaded.date()).days
    else:
        age = business_days_between(loaded.date(), now.date())
    overdue = age > limit if kind == "ncoa" else age >= limit  # NCOA: within 95 days; the others: under the limit
    due = not overdue and age >= limit - DUE_SOON[unit]
    status = "overdue" if overdue else "due" if due else "ok"
    rule = f"within {limit} {unit}" if kind == "ncoa" else f"under {limit} {unit}"
    text = {"ok": f"{what} {source} loaded {age} {unit} ago (must be {rule})",
            "due": f"{what} {source} loaded {age} {unit} ago: load a new one soon (must be {rule})",
            "overdue": f"{what} {source} loaded {age} {unit} ago, over the limit (must be {rule}): load a new copy "
                       f"before any {channel} export"}[status]
    return LegalClock(kind, channel, source, loaded, age, limit, unit, status, text)


def legal_clocks(conn: duckdb.DuckDBPyConnection, now: datetime | None = None) -> list[LegalClock]:
    """One clock per file that has one (a missing clock when no such source is defined), by clock then source."""
    now = now or clock.now()
    found = rows(conn, """
        SELECT s.name, s.kind, s.channel, max(l.finished_at) AS loaded
        FROM sources s LEFT JOIN loads l ON l.source = s.name AND l.status = 'loaded'
        WHERE (s.kind = 'suppression' AND s.channel IN ('phone', 'email')) OR s.kind = 'moves'
        GROUP BY ALL ORDER BY s.name""")
    out: list[LegalClock] = []
    for kind, test in (("do_not_call", lambda r: r["kind"] == "suppression" and r["channel"] == "phone"),
                       ("email_opt_outs", lambda r: r["kind"] == "suppression" and r["channel"] == "email"),
                       ("ncoa", lambda r: r["kind"] == "moves")):
        mine = [r for r in found if test(r)]
        if not mine:
            out.append(_clock(kind, None, None, now))
        elif kind == "ncoa":  # the newest moves file is the one that counts
            newest = max(mine, key=lambda r: r["loaded"] or datetime.min)
            out.append(_clock(kind, newest["name"], newest["loaded"], now))
        else:  # every do-not-call and every unsubscribe file must be current
            out.extend(_clock(kind, r["name"], r["loaded"], now) for r in mine)
    return out


def legal_clock_gate(conn: duckdb.DuckDBPyConnection, channel: str, now: datetime | None = None) -> list[str]:
    """The problems that must stop an export on ``channel`` (mail | email | phone): plain sentences, empty
    when the export may go. Overdue clocks of that channel are problems, and so is a file that is defined
    but was never loaded; ``due`` is not. A database that defines no such file at all (no moves source, no
    do-not-call list) is not stopped here: the freshness screen shows that clock as ``missing``."""
    ch = (channel or "").strip().lower()
    return [c.message for c in legal_clocks(conn, now) if c.channel == ch
            and (c.status == "overdue" or (c.status == "missing" and c.source is not None))]
