"""The arithmetic of the accuracy estimates: Wilson intervals on hand-computed cases, allocation, weights."""

from __future__ import annotations

import math

import pytest

from workbench.quality.stats import Stratum, allocate, chapman, stratum_weights, weighted_proportion, wilson


@pytest.mark.parametrize(
    ("x", "n", "low", "high"),
    [
        # hand-computed: centre = (p + z^2/2n) / (1 + z^2/n), half = z / (1 + z^2/n) * sqrt(p(1-p)/n + z^2/4n^2)
        (8, 10, 0.4902, 0.9433),
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
        (50, 100, 0.4038, 0.5962),
        (392, 400, 0.9610, 0.9898),
    ],
)
def test_wilson_on_hand_computed_cases(x, n, low, high):
    got = wilson(x, n)
    assert got[0] == pytest.approx(low, abs=1e-4)
    assert got[1] == pytest.approx(high, abs=1e-4)


def test_wilson_by_the_formula():
    z, n, p = 1.959963984540054, 37, 30 / 37
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert wilson(30, 37) == pytest.approx((centre - half, centre + half))
    assert wilson(0, 0) == (0.0, 1.0)


def test_allocation_is_proportional_and_reaches_every_stratum():
    got = allocate({"a": 9000, "b": 900, "c": 90, "d": 10}, 100)
    assert sum(got.values()) == 100
    assert got["a"] > got["b"] > got["c"] >= got["d"] >= 1
    assert allocate({"a": 3, "b": 2}, 50) == {"a": 3, "b": 2}  # never more than a stratum holds
    assert sum(allocate({f"s{i}": 5 for i in range(30)}, 10).values()) == 10  # fewer draws than strata


def test_stratum_weights_sum_to_the_population():
    strata = [
        Stratum("a", 9000, 80, 79),
        Stratum("b", 900, 15, 12),
        Stratum("c", 95, 5, 5),
        Stratum("d", 5, 0, 0),
    ]  # d: nothing answered, its population is lent to the others
    weights = stratum_weights(strata)
    total = sum(weights[s.name] * s.answered for s in strata if s.name in weights)
    assert total == pytest.approx(10_000)
    assert "d" not in weights


def test_weighted_proportion_weights_back_by_stratum():
    # a small stratum oversampled with many errors must not drag the estimate down by its sample share
    strata = [Stratum("big", 9900, 50, 50), Stratum("small", 100, 50, 25)]
    got = weighted_proportion(strata)
    assert got.estimate == pytest.approx((9900 * 1.0 + 100 * 0.5) / 10_000)
    assert got.low < got.estimate <= got.high
    assert got.effective_n < 100  # unequal weights cost sample size (Kish)
    equal = weighted_proportion([Stratum("a", 500, 50, 45), Stratum("b", 500, 50, 45)])
    assert equal.effective_n == pytest.approx(100)
    assert (equal.low, equal.high) == pytest.approx(wilson(90, 100))


def test_capture_recapture():
    assert chapman(60, 50, 30) == pytest.approx(61 * 51 / 31 - 1)
    assert chapman(0, 0, 0) is None


def test_the_quality_core_does_not_import_textual():
    import subprocess
    import sys

    code = "import sys, workbench.quality; assert 'textual' not in sys.modules, 'textual imported by the core'"
    subprocess.run([sys.executable, "-c", code], check=True)
