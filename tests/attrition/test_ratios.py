"""attrition.ratios: ratios against closed forms, exact events, multiples and densities."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special, stats

import attritionsim.attrition as att
from attritionsim.distributions import LogNormal
from attritionsim.errors import InputError


def test_ratio_of_independent_lognormals_is_lognormal() -> None:
    a, b = LogNormal(13.9, 0.08), LogNormal(13.1, 0.12)
    n = 200_000
    r = att.ratio(a.sample(n, rng=1), b.sample(n, rng=2))
    mu, sigma = 13.9 - 13.1, float(np.hypot(0.08, 0.12))
    closed = LogNormal(mu, sigma)
    for q in (0.05, 0.25, 0.5, 0.75, 0.95):
        z = special.ndtri(q)
        # MC standard error of a log-quantile: sqrt(q(1-q)/n) / density of log r at its quantile.
        se = np.sqrt(q * (1 - q) / n) * sigma / stats.norm.pdf(z)
        assert abs(np.log(np.quantile(r, q)) - np.log(closed.ppf(q))) < 4 * se


def test_ratio_divides_like_numpy() -> None:
    np.testing.assert_array_equal(
        att.ratio(np.array([1.0, 1.0, 0.0]), 0.0), [np.inf] * 2 + [np.nan]
    )
    assert att.ratio(3.0, 2.0) == 1.5


def test_prob_between_and_greater_exact() -> None:
    x = np.array([1.9, 2.0, 2.2, 2.5, 2.5000001, np.nan, 2.49])
    event = att.prob_between(x, 2.0, 2.5)
    np.testing.assert_array_equal(event, [False, True, True, True, False, False, True])
    assert event.dtype == bool
    assert float(np.mean(event)) == 4 / 7
    a, b = np.array([1.0, 2.0, 3.0, np.nan]), np.array([2.0, 2.0, 2.0, 0.0])
    np.testing.assert_array_equal(att.prob_greater(a, b), [False, False, True, False])
    with pytest.raises(InputError, match="lo=3 must not be above hi=2"):
        att.prob_between(x, 3.0, 2.0)


def test_multiple_of_and_per_area() -> None:
    np.testing.assert_array_equal(att.multiple_of(np.array([30.0, 45.0]), 15.0), [2.0, 3.0])
    np.testing.assert_array_equal(
        att.multiple_of(np.array([30.0, 45.0]), np.array([-1.0, 15.0])), [np.nan, 3.0]
    )
    assert att.per_area(400_000.0, 4_000.0) == 100.0
    with pytest.raises(InputError, match=r"km2 must be > 0 \(an area\); got 0"):
        att.per_area(400_000.0, 0.0)
    with pytest.raises(InputError, match="reference must be > 0"):
        att.multiple_of(1.0, -2.0)
