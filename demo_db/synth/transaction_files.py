"""Orders (ecom_orders, daily) and till sales (pos_sales, weekly) with the shapes a profile report needs."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

from synth import reference as ref
from synth.lapsing import Lapsing
from synth.people_accounts import FIRST_DAILY, Account, Accounts
from synth.people_files import POS_CUTS
from synth.population import Population
from synth.writer import Output

ORDER_COLUMNS = [
    "order_id",
    "customer_id",
    "order_date",
    "amount",
    "brand",
    "channel",
    "category",
    "returned",
]
SALE_COLUMNS = [
    "TXN_ID",
    "CARD_NO",
    "STORE",
    "TXN_DATE",
    "AMOUNT",
    "BRAND",
    "CHANNEL",
    "CATEGORY",
    "RETURNED",
]
ORDERS_END = datetime(2026, 11, 24)  # the last daily orders file holds Nov 23
ORDER_DAYS = [datetime(2026, 11, d) for d in range(20, 25)]  # files cut at midnight, loaded 06:15
POS_HISTORY_START = datetime(2025, 5, 1)


def write_orders(
    rng: random.Random, out: Output, acc: Accounts, pop: Population, lapsing: Lapsing | None = None
) -> dict[str, str]:
    """Write the daily order files; returns {customer_id: segment} (for the summary and tests). With
    ``lapsing``, its lapsers' orders follow a rhythm that slows down to their lapse day; the orders it adds
    draw their brand, amount and category from its own generator (the main stream stays as it was)."""
    orders, segments = [], {}
    week_ago = FIRST_DAILY - timedelta(days=7)
    for a in acc.ecom:
        if not a.key:
            continue
        segment = _segment(rng, a, week_ago)
        segments[a.key] = segment
        weights = _brand_taste(rng, pop, a)
        p_return = 0.8 if segment == "serial_returner" else 0.07
        scale = 1.35 if segment == "heavy" else 1.0
        times = _order_times(rng, a, segment)
        drawn = [_order_values(rng, weights, scale, p_return) for _ in times]  # the main stream, as before
        if lapsing is not None:
            times = lapsing.plan(a.key, segment, a.created, times, ORDERS_END)
            drawn += [_order_values(lapsing.rng, weights, scale, p_return) for _ in times[len(drawn) :]]
        for when, values in zip(times, drawn, strict=False):
            orders.append([when, a.key, *values])
    orders.sort(key=lambda o: (o[0], o[1]))
    rows = [[f"W{3_000_001 + i}", o[1], f"{o[0]:%Y-%m-%d %H:%M:%S}", *o[2:]] for i, o in enumerate(orders)]
    for n, day in enumerate(ORDER_DAYS):
        start = datetime.min if n == 0 else ORDER_DAYS[n - 1]
        batch = [r for r, o in zip(rows, orders, strict=True) if start <= o[0] < day]
        bad = {}
        if n == 0:  # one row the loader must reject: a date that does not exist
            at = len(batch) // 2
            broken = list(batch[at])
            broken[0], broken[2] = "W2999999", "2025-13-45 10:00:00"
            batch.insert(at, broken)
            bad[at] = "unparseable order_date"
        out.table(
            f"extracts/ecom_orders_{day:%Y%m%d}.csv",
            ORDER_COLUMNS,
            batch,
            source="ecom_orders",
            loaded_at=day + timedelta(hours=6, minutes=15),
            bad=bad,
        )
    return segments


def _order_values(rng: random.Random, weights: list[float], scale: float, p_return: float) -> list[str]:
    """amount, brand, channel, category, returned of one order (the draws in their historical order)."""
    brand = rng.choices(ref.BRANDS, weights=weights)[0]
    amount = max(4.99, ref.MEDIAN_AMOUNT[brand] * scale * math.exp(rng.gauss(0, 0.6)))
    category = rng.choice(ref.CATEGORIES[brand])
    return [f"{amount:.2f}", brand, "web", category, "Y" if rng.random() < p_return else "N"]


def write_sales(rng: random.Random, out: Output, acc: Accounts) -> dict[str, list[datetime]]:
    """Weekly till files, ~35% anonymous sales; returns each loyalty card's visit dates."""
    end = POS_CUTS[-1].replace(hour=0)
    sales, visits = [], {}
    for a in acc.pos:
        if not a.key or a.bad == "wrong number of fields":
            continue
        roll = rng.random()
        n = (
            0
            if roll < 0.2
            else rng.randint(1, 3)
            if roll < 0.65
            else rng.randint(4, 9)
            if roll < 0.92
            else rng.randint(12, 30)
        )
        start = max(a.created, POS_HISTORY_START)
        for when in sorted(_between(rng, start, end) for _ in range(n)):
            sales.append((when, a.key))
            visits.setdefault(a.key, []).append(when)
    for _ in range(int(len(sales) * 0.35 / 0.65)):
        sales.append((_between(rng, POS_HISTORY_START, end), ""))
    sales.sort()
    rows = []
    for i, (when, key) in enumerate(sales):
        brand = rng.choices(ref.BRANDS, weights=(50, 25, 17, 8))[0]
        amount = max(2.99, ref.MEDIAN_AMOUNT[brand] * 0.8 * math.exp(rng.gauss(0, 0.55)))
        rows.append(
            [
                f"T{50_000_001 + i}",
                key,
                rng.choice(ref.STORES),
                f"{when:%m/%d/%Y}",
                f"{amount:.2f}",
                brand,
                "store",
                rng.choice(ref.CATEGORIES[brand]),
                "Y" if rng.random() < 0.05 else "N",
            ]
        )
    for n, cut in enumerate(POS_CUTS):
        lo = datetime.min if n == 0 else POS_CUTS[n - 1].replace(hour=0)
        batch = [r for r, s in zip(rows, sales, strict=True) if lo <= s[0] < cut.replace(hour=0)]
        out.table(
            f"extracts/pos_sales_{cut:%Y%m%d}.csv",
            SALE_COLUMNS,
            batch,
            delimiter=";",
            source="pos_sales",
            loaded_at=cut + timedelta(minutes=10),
        )
    return visits


def _segment(rng: random.Random, a: Account, week_ago: datetime) -> str:
    if a.created >= week_ago:
        return "new"
    roll = rng.random()
    if roll < 0.12:
        return "never"
    if roll < 0.42:
        return "one"
    if roll < 0.52:
        return "lapsed" if a.created < datetime(2025, 4, 1) else "one"
    if roll < 0.61:
        return "heavy"
    if roll < 0.645:
        return "serial_returner"
    return "repeat"


def _order_times(rng: random.Random, a: Account, segment: str) -> list[datetime]:
    start = a.created + timedelta(minutes=rng.randint(3, 90))
    if segment == "never":
        return []
    if segment == "new":
        return [start] if start < ORDERS_END else []
    if segment == "one":
        return [
            min(
                start + timedelta(days=rng.randint(0, 45)),
                ORDERS_END - timedelta(minutes=rng.randint(30, 900)),
            )
        ]
    if segment == "lapsed":  # nothing in the last 18 months
        stop = min(a.created + timedelta(days=300), datetime(2025, 5, 1))
        return [start] + [_between(rng, start, stop) for _ in range(rng.randint(0, 4))]
    count = {"heavy": rng.randint(10, 30), "serial_returner": rng.randint(4, 12)}.get(
        segment, rng.randint(2, 6)
    )
    return [start] + [_between(rng, start, ORDERS_END) for _ in range(count - 1)]


def _between(rng: random.Random, lo: datetime, hi: datetime) -> datetime:
    span = int((hi - lo).total_seconds())
    when = lo + timedelta(seconds=rng.randint(0, max(span, 1) - 1))
    if when.hour < 7:  # nobody shops at 4 a.m. (much)
        when += timedelta(hours=8)
    return min(when, hi - timedelta(seconds=1))


def _brand_taste(rng: random.Random, pop: Population, a: Account) -> list[float]:
    weights = [float(w) for w in ref.BRAND_WEIGHTS]
    weights[rng.randrange(len(weights))] *= 3
    if any(pop.by_pid[m].role == "child" for m in pop.household_of(pop.by_pid[a.pid]).members):
        weights[3] *= 2
    return weights
