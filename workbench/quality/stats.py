"""The arithmetic of the estimates: Wilson intervals, stratum allocation and weights, capture-recapture.

Plain functions over a handful of numbers per stratum (never per record): the records stay in DuckDB.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054  # the 97.5th percentile of the standard normal


def wilson(successes: float, n: float, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion ``successes / n`` (``n`` may be an effective, non-integer
    sample size). ``(0.0, 1.0)`` when there is nothing to go on."""
    if n <= 0:
        return 0.0, 1.0
    p = min(max(successes / n, 0.0), 1.0)
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def allocate(populations: dict[str, int], total: int) -> dict[str, int]:
    """How many items to draw from each stratum: proportional to its population (largest remainders), at
    least one from every non-empty stratum while the total allows, never more than the stratum holds."""
    strata = {k: v for k, v in populations.items() if v > 0}
    pop = sum(strata.values())
    if total <= 0 or not pop:
        return {k: 0 for k in populations}
    if total >= pop:
        return {k: populations[k] for k in populations}
    share = {k: total * v / pop for k, v in strata.items()}
    got = {k: min(strata[k], int(share[k])) for k in strata}
    if total >= len(strata):
        for k in strata:
            got[k] = max(got[k], 1)
    left = total - sum(got.values())
    order = sorted(strata, key=lambda k: (-(share[k] - int(share[k])), -strata[k], k))
    while left > 0:
        moved = False
        for k in order:
            if left and got[k] < strata[k]:
                got[k] += 1
                left -= 1
                moved = True
        if not moved:
            break
    while left < 0:  # the floors of one took more than the total: take back from the largest draws
        keep_floor = [s for s in got if got[s] > 1] or [s for s in got if got[s] > 0]
        k = max(keep_floor, key=lambda s: (got[s] - share[s], got[s]))
        got[k] -= 1
        left += 1
    return {k: got.get(k, 0) for k in populations}


@dataclass
class Stratum:
    """One stratum's answers: its population, and how many answered items were right (``same``)."""

    name: str
    population: int
    answered: int
    right: int


def stratum_weights(strata: list[Stratum]) -> dict[str, float]:
    """The weight of one answered item of each stratum, so the weights of all answered items sum to the
    population of every stratum together. A stratum none of whose items was answered lends its population
    to the answered strata in proportion to theirs (the estimate assumes it is like the rest)."""
    answered = [s for s in strata if s.answered > 0]
    total = sum(s.population for s in strata)
    covered = sum(s.population for s in answered)
    if not answered or not covered:
        return {}
    scale = total / covered
    return {s.name: s.population * scale / s.answered for s in answered}


@dataclass
class Proportion:
    estimate: float | None
    low: float | None
    high: float | None
    answered: int
    population: int
    effective_n: float

    def to_dict(self) -> dict[str, float | int | None]:
        return {
            "estimate": _r(self.estimate),
            "low": _r(self.low),
            "high": _r(self.high),
            "answered": self.answered,
            "population": self.population,
            "effective_n": round(self.effective_n, 1),
        }


def weighted_proportion(strata: list[Stratum]) -> Proportion:
    """The share of right items in the whole population, weighted back by stratum, with a Wilson 95%
    interval on Kish's effective sample size ``(sum w)^2 / sum w^2`` of the answered items' weights."""
    weights = stratum_weights(strata)
    population = sum(s.population for s in strata)
    answered = sum(s.answered for s in strata)
    if not weights:
        return Proportion(None, None, None, answered, population, 0.0)
    sum_w = sum(weights[s.name] * s.answered for s in strata if s.name in weights)
    sum_w2 = sum(weights[s.name] ** 2 * s.answered for s in strata if s.name in weights)
    p = sum(weights[s.name] * s.right for s in strata if s.name in weights) / sum_w
    n_eff = sum_w * sum_w / sum_w2
    low, high = wilson(p * n_eff, n_eff)
    return Proportion(p, low, high, answered, population, n_eff)


def chapman(n_a: float, n_b: float, both: float) -> float | None:
    """Chapman's (bias-corrected Lincoln-Petersen) estimate of a population from two captures: ``n_a``
    caught by the first, ``n_b`` by the second, ``both`` by both. None when the captures do not overlap."""
    if both <= 0 and (n_a <= 0 or n_b <= 0):
        return None
    return (n_a + 1) * (n_b + 1) / (both + 1) - 1


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)
