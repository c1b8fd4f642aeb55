"""Planted lapsing: some steady buyers drift away, the way customers do, so the churn model has something
real to find (issue 14). Driven by its own ``random.Random`` so every other file's random stream is
unchanged.

A **lapser** is a repeat or heavy e-commerce buyer who stops buying on a lapse day spread over the last
18 months. Before it:

- **declining frequency**: a steady rhythm of orders, then the gaps stretch (each about 1.7x the one
  before) over the months before the lapse day; nothing after it;
- **trouble**: most lapsers call the call centre in the 2-11 weeks before the lapse day (a complaint,
  a return request, a support call); the call centre's first extract carries its history since 2024.

Other buyers call too (about one in nine, at any time), so a call is a hint, not the answer: the
lapse day itself is never written anywhere.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

LAPSE_SEED = 14_180
LAPSER_SHARE = 0.7  # of repeat and heavy buyers created early enough to have a rhythm
RHYTHM_DAYS = 150  # a lapser buys at least this long before the lapse day
LAPSE_FROM, LAPSE_TO = datetime(2025, 5, 1), datetime(2026, 11, 20)
CALL_HISTORY_FROM = datetime(2024, 11, 1)  # the call centre's history starts here
TROUBLE = ("complaint", "return_request", "support_call")


class Lapsing:
    def __init__(self) -> None:
        self.rng = random.Random(LAPSE_SEED)
        self.lapse_day: dict[str, datetime] = {}
        self.calls: list[tuple[datetime, str, str]] = []

    def plan(
        self, key: str, segment: str, created: datetime, times: list[datetime], end: datetime
    ) -> list[datetime]:
        """The order times of account ``key``: the generated ``times``, or a lapser's rhythm that slows
        down to its lapse day. Also plans the account's calls to the call centre."""
        rng = self.rng
        lapser = (
            segment in ("repeat", "heavy")
            and created < LAPSE_TO - timedelta(days=RHYTHM_DAYS)
            and rng.random() < LAPSER_SHARE
        )
        if not lapser:
            if segment != "never" and times and rng.random() < 0.11:  # an ordinary buyer's call
                self._call(rng, key, _between(rng, max(created, CALL_HISTORY_FROM), end), rng.choice(TROUBLE))
            return times
        lapse = _between(rng, max(LAPSE_FROM, created + timedelta(days=RHYTHM_DAYS)), LAPSE_TO)
        self.lapse_day[key] = lapse
        gap = rng.uniform(18, 35) if segment == "heavy" else rng.uniform(40, 75)
        first = min(times) if times else created
        out, when = [first], first
        slowing = lapse - timedelta(days=rng.uniform(120, 220))  # the drift starts here
        while True:
            step = gap * rng.uniform(0.7, 1.3)
            if when > slowing:
                gap *= 1.7
            when = when + timedelta(days=step, minutes=rng.randint(0, 600))
            if when >= lapse:
                break
            out.append(when)
        if rng.random() < 0.7:  # trouble before leaving
            for _ in range(rng.choice((1, 1, 2))):
                day = lapse - timedelta(days=rng.uniform(14, 80))
                self._call(rng, key, day, rng.choices(TROUBLE, weights=(45, 30, 25))[0])
        return out

    def _call(self, rng: random.Random, key: str, when: datetime, kind: str) -> None:
        if when >= CALL_HISTORY_FROM:
            self.calls.append((when.replace(hour=rng.randint(8, 19)), key, kind))


def _between(rng: random.Random, lo: datetime, hi: datetime) -> datetime:
    return lo + timedelta(seconds=rng.randint(0, max(1, int((hi - lo).total_seconds()) - 1)))
