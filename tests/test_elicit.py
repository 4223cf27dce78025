"""Tests for attritionsim.elicit: every rule in the module's table, and every way to misuse it."""

from __future__ import annotations

import dataclasses
import inspect
import json
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import special, stats

import attritionsim as asim
from attritionsim import elicit
from attritionsim.distributions import (
    PERT,
    RANGE_FAMILIES,
    Beta,
    Distribution,
    LogNormal,
    Metalog,
    Mixture,
    Normal,
    TruncNormal,
    Uniform,
    from_spec,
)
from attritionsim.errors import InputError

FAMILIES = sorted(RANGE_FAMILIES)
BOUNDED = ["pert", "triangular", "uniform"]
UNBOUNDED = ["beta", "gamma", "lognormal", "normal", "truncnormal"]
POSITIVE = ["gamma", "lognormal", "truncnormal"]


def _exponential_ratio(level: float) -> float:
    """high / low of an exponential's central interval: the widest a truncnormal can match."""
    return math.log1p(-(1.0 + level) / 2.0) / math.log1p(-(1.0 - level) / 2.0)


def _truncnormal_limit(level: float) -> float:
    """high / low of a normal N(T_MIN, 1) truncated at 0, computed by scipy."""
    t = TruncNormal.T_MIN
    ref = stats.truncnorm(-t, np.inf, loc=t, scale=1.0)
    return float(ref.ppf((1.0 + level) / 2.0) / ref.ppf((1.0 - level) / 2.0))


# ---------------------------------------------------------------------- strategies
levels = st.floats(min_value=0.05, max_value=0.99)


@st.composite
def ranges(draw: st.DrawFn, family: str, level: float) -> tuple[float, float]:
    """A valid ``(low, high)`` for ``family`` at ``level``, over many magnitudes and widths."""
    if family == "beta":  # shares: 0 < low < high < 1, from 1e-6 to 1 - 1e-6
        logit_low = draw(st.floats(min_value=-13.0, max_value=12.0))
        logit_high = logit_low + draw(st.floats(min_value=1e-3, max_value=13.0 - logit_low))
        return float(special.expit(logit_low)), float(special.expit(logit_high))
    magnitude = 10.0 ** draw(st.floats(min_value=-3.0, max_value=9.0))
    if family in POSITIVE:
        if family == "truncnormal":  # below the widest ratio a truncated normal can match
            room = 0.9999 * _truncnormal_limit(level) - 1.0
            ratio = 1.0 + room * 10.0 ** draw(st.floats(min_value=-5.0, max_value=0.0))
        else:
            ratio = 1.0 + 10.0 ** draw(st.floats(min_value=-5.0, max_value=6.0))
        return magnitude, magnitude * ratio
    low = magnitude * draw(st.sampled_from([-1.0, 1.0]))
    width = magnitude * 10.0 ** draw(st.floats(min_value=-5.0, max_value=3.0))
    return low, low + width


@st.composite
def fitting_problems(
    draw: st.DrawFn, families: list[str] = FAMILIES
) -> tuple[str, float, float, float]:
    family = draw(st.sampled_from(families))
    level = draw(levels)
    low, high = draw(ranges(family, level))
    return family, low, high, level


# ---------------------------------------------------------------------- from_range
@given(fitting_problems())
def test_from_range_hits_the_range(problem: tuple[str, float, float, float]) -> None:
    family, low, high, level = problem
    dist = elicit.from_range(low, high, level=level, family=family)
    got_low, got_high = dist.interval(level)
    scale = max(abs(low), abs(high))
    assert abs(got_low - low) <= 1e-9 * scale
    assert abs(got_high - high) <= 1e-9 * scale
    assert isinstance(dist, RANGE_FAMILIES[family])


@given(fitting_problems())
def test_from_range_result_is_a_distribution(problem: tuple[str, float, float, float]) -> None:
    family, low, high, level = problem
    dist = elicit.from_range(low, high, level=level, family=family)
    lower, upper = dist.support
    q = np.sort([0.01, (1.0 - level) / 2.0, 0.5, (1.0 + level) / 2.0, 0.99])
    x = dist.ppf(q)
    assert np.all(np.diff(x) >= 0.0)
    assert np.all((x >= lower) & (x <= upper))
    # the cdf gives back the tails, to the absolute precision the quantiles allow
    tails = dist.cdf(np.array([low, high]))
    assert tails[1] - tails[0] == pytest.approx(level, abs=1e-7)


@given(fitting_problems(BOUNDED))
def test_level_one_makes_the_range_the_support(problem: tuple[str, float, float, float]) -> None:
    family, low, high, _ = problem
    dist = elicit.from_range(low, high, level=1.0, family=family)
    assert dist.support == (low, high)
    assert dist.interval(1.0) == (low, high)
    assert dist.ppf(0.0) == low
    assert dist.ppf(1.0) == high


@pytest.mark.parametrize("family", BOUNDED)
def test_bounded_families_are_symmetric(family: str) -> None:
    dist = elicit.from_range(100.0, 300.0, level=0.8, family=family)
    assert dist.median() == pytest.approx(200.0, rel=1e-14)
    assert dist.mean() == pytest.approx(200.0, rel=1e-14)


def test_from_range_closed_forms() -> None:
    z95 = stats.norm.ppf(0.95)
    normal = elicit.from_range(500_000, 600_000, family="normal")
    assert isinstance(normal, Normal)
    assert normal.mu == pytest.approx(550_000, rel=1e-15)
    assert normal.sigma == pytest.approx(50_000 / z95, rel=1e-14)
    lognormal = elicit.from_range(500_000, 600_000)
    assert isinstance(lognormal, LogNormal)
    assert lognormal.mu == pytest.approx(math.log(math.sqrt(500_000 * 600_000)), rel=1e-15)
    assert lognormal.sigma == pytest.approx(math.log(1.2) / (2.0 * z95), rel=1e-13)
    assert lognormal.median() == pytest.approx(math.sqrt(500_000 * 600_000), rel=1e-14)
    uniform = elicit.from_range(10.0, 20.0, level=0.5, family="uniform")
    assert uniform == Uniform(5.0, 25.0)


@pytest.mark.parametrize("level", [0.5, 0.9, 0.99])
def test_truncnormal_beyond_its_widest_range(level: float) -> None:
    limit = _truncnormal_limit(level)
    # just inside the limit the range is matched ...
    dist = elicit.from_range(1.0, 0.999 * limit, level=level, family="truncnormal")
    assert_allclose(dist.interval(level), (1.0, 0.999 * limit), rtol=1e-9)
    # ... just beyond it, and beyond the exponential that bounds every truncnormal, it is not
    for ratio in (1.001 * limit, _exponential_ratio(level), 10.0 * limit):
        with pytest.raises(InputError, match="too wide") as info:
            elicit.from_range(1.0, ratio, level=level, family="truncnormal")
        assert "high/low" in str(info.value)


def test_truncnormal_limit_is_near_the_exponential() -> None:
    for level in (0.5, 0.9, 0.99):
        assert _truncnormal_limit(level) < _exponential_ratio(level)
        assert _truncnormal_limit(level) == pytest.approx(_exponential_ratio(level), rel=5e-3)


def test_beta_ranges_mirror() -> None:
    # X ~ Beta(a, b) has 1 - X ~ Beta(b, a): mirrored share ranges give swapped shapes
    low_side = elicit.from_range(0.1, 0.3, family="beta")
    high_side = elicit.from_range(0.7, 0.9, family="beta")
    assert isinstance(low_side, Beta)
    assert isinstance(high_side, Beta)
    assert high_side.alpha == pytest.approx(low_side.beta, rel=1e-9)
    assert high_side.beta == pytest.approx(low_side.alpha, rel=1e-9)
    ref = stats.beta(low_side.alpha, low_side.beta)
    assert ref.ppf(0.05) == pytest.approx(0.1, rel=1e-12)
    assert ref.ppf(0.95) == pytest.approx(0.3, rel=1e-12)


@pytest.mark.parametrize("logit", [-12.0, -6.0, 6.0, 12.0])
def test_narrow_beta_ranges_near_either_end(logit: float) -> None:
    low, high = float(special.expit(logit)), float(special.expit(logit + 1e-4))
    dist = elicit.from_range(low, high, family="beta")
    assert_allclose(dist.interval(0.9), (low, high), rtol=1e-12)


def test_from_range_records_its_origin() -> None:
    dist = elicit.from_range(500_000, 600_000, level=0.8, family="gamma")
    assert dist.to_spec()["origin"] == {
        "rule": "from_range",
        "family": "gamma",
        "low": 500_000.0,
        "high": 600_000.0,
        "level": 0.8,
    }


# ---------------------------------------------------------------------- approximately
@pytest.mark.parametrize(
    ("value", "unit"),
    [
        (1_200_000, 100_000.0),
        (950_000, 10_000.0),
        (1_000, 100.0),
        (0.2, 0.01),
        (1_234, 1.0),
        (250_000, 10_000.0),
        (500_000, 10_000.0),
        (7, 0.1),
        (0.25, 0.01),
        (123.45, 0.01),
        (0.001, 0.0001),
        (-1_200_000, 100_000.0),
        (1.2e20, 1e19),
    ],
)
def test_rounding_unit(value: float, unit: float) -> None:
    assert elicit.rounding_unit(value) == unit


def test_approximately_default() -> None:
    dist = elicit.approximately(1_200_000)
    assert isinstance(dist, LogNormal)
    # rounding 100,000 gives 50,000; 10% gives 120,000; the larger wins
    low, high = dist.interval(0.9)
    assert low == pytest.approx(1_080_000, rel=1e-12)
    assert high == pytest.approx(1_200_000**2 / 1_080_000, rel=1e-12)
    assert dist.median() == pytest.approx(1_200_000, rel=1e-14)
    assert repr(dist) == "LogNormal(approximately 1,200,000; 90% in [1,080,000, 1,333,333])"
    assert dist.to_spec()["origin"] == {
        "rule": "approximately",
        "value": 1_200_000.0,
        "rel": None,
        "rounding": 100_000.0,
        "family": "lognormal",
        "low": 1_080_000.0,
        "high": pytest.approx(1_333_333.333333, rel=1e-12),
        "level": 0.9,
    }


@given(
    value=st.floats(min_value=1e-3, max_value=1e9),
    rounding=st.none() | st.floats(min_value=1e-4, max_value=1e9),
)
def test_approximately_half_width(value: float, rounding: float | None) -> None:
    unit = elicit.rounding_unit(value) if rounding is None else rounding
    half = max(unit / 2.0, 0.1 * value)
    normal = elicit.approximately(value, family="normal", rounding=rounding)
    # a bound at 0 comes out as a rounding error of the value (e.g. -4e-16 for 1.0)
    assert_allclose(
        normal.interval(0.9), (value - half, value + half), rtol=1e-12, atol=4e-15 * value
    )
    assert normal.median() == pytest.approx(value, rel=1e-12, abs=1e-12 * half)
    if value - half > 0.0:
        lognormal = elicit.approximately(value, rounding=rounding)
        # only the upper end moves out, so that the median stays exactly at the value
        expected = (value - half, value**2 / (value - half))
        assert_allclose(lognormal.interval(0.9), expected, rtol=1e-9)
        assert lognormal.median() == pytest.approx(value, rel=1e-12)
    else:  # the lognormal cannot put its low end at or below 0
        with pytest.raises(InputError, match="low"):
            elicit.approximately(value, rounding=rounding)


def test_approximately_half_width_is_never_below_half_the_rounding() -> None:
    # known only to the nearest 500,000: the half-width 250,000 beats 10% (120,000)
    dist = elicit.approximately(1_200_000, rounding=500_000, family="normal")
    assert_allclose(dist.interval(0.9), (950_000, 1_450_000), rtol=1e-14)
    assert dist.origin is not None
    assert dist.origin["rounding"] == 500_000.0


@pytest.mark.parametrize("value", [1_200_000, 950_000, 1_000, 0.2, 37, 1.5e-3])
def test_approximately_half_width_is_never_below_ten_percent(value: float) -> None:
    low, high = elicit.approximately(value, family="uniform").interval(0.9)
    assert (high - low) / 2.0 >= 0.1 * value * (1.0 - 1e-12)


def test_approximately_rel_overrides_both_defaults() -> None:
    normal = elicit.approximately(1_000, rel=0.2, family="normal")
    assert_allclose(normal.interval(0.9), (800.0, 1200.0), rtol=1e-14)
    narrow = elicit.approximately(1_000, rel=0.01)  # below 10% and below half the rounding
    assert_allclose(narrow.interval(0.9), (990.0, 1_000_000 / 990.0), rtol=1e-12)
    assert narrow.origin is not None
    assert narrow.origin["rel"] == 0.01


def test_approximately_level_and_negative_values() -> None:
    dist = elicit.approximately(1_000, level=0.5)
    assert_allclose(dist.interval(0.5), (900.0, 1_000_000 / 900.0), rtol=1e-12)
    negative = elicit.approximately(-1_000, family="normal")
    assert_allclose(negative.interval(0.9), (-1100.0, -900.0), rtol=1e-14)
    with pytest.raises(InputError) as info:  # issue 10: said in the figure's terms
        elicit.approximately(-1_000)
    assert str(info.value) == (
        "approximately -1,000: a lognormal reading needs a positive figure; "
        "use family='normal' for a quantity that can be negative"
    )


# ---------------------------------------------------------------------- one-sided qualifiers
def _ranged(call: Callable[..., Distribution], rel: float) -> Callable[..., Distribution]:
    """A lower-bound rule read with a range family: ``[X, X (1 + rel)]`` (uniform unless told)."""
    return lambda value, **kw: call(value, **{"rel": rel, "family": "uniform", **kw})


ONE_SIDED = [
    # (rule, call, support of the uniform): upper bounds by default, lower bounds with a range
    # family (by default they have an open tail: see test_lower_bounds_have_an_open_tail)
    ("up_to", elicit.up_to, (200_000.0, 250_000.0)),
    ("at_least", _ranged(elicit.at_least, 0.25), (250_000.0, 312_500.0)),
    ("nearly", elicit.nearly, (225_000.0, 250_000.0)),
    ("more_than", _ranged(elicit.more_than, 0.1), (250_000.0, 275_000.0)),
]


@pytest.mark.parametrize(("rule", "call", "support"), ONE_SIDED, ids=[c[0] for c in ONE_SIDED])
def test_one_sided_defaults(
    rule: str, call: Callable[..., Distribution], support: tuple[float, float]
) -> None:
    dist = call(250_000)
    assert isinstance(dist, Uniform)
    assert dist.support == pytest.approx(support, rel=1e-15)
    assert dist.interval(1.0) == dist.support
    assert dist.mean() == pytest.approx(sum(support) / 2.0, rel=1e-15)
    origin = dist.to_spec()["origin"]
    assert origin["rule"] == rule
    assert origin["value"] == 250_000.0
    assert origin["family"] == "uniform"
    assert origin["level"] == 1.0
    assert (origin["low"], origin["high"]) == pytest.approx(support, rel=1e-15)


@pytest.mark.parametrize(("rule", "call", "support"), ONE_SIDED, ids=[c[0] for c in ONE_SIDED])
@pytest.mark.parametrize("family", ["gamma", "lognormal", "normal", "truncnormal"])
def test_one_sided_unbounded_families_default_to_ninety_percent(
    rule: str, call: Callable[..., Distribution], support: tuple[float, float], family: str
) -> None:
    dist = call(250_000, family=family)
    assert isinstance(dist, RANGE_FAMILIES[family])
    assert dist.origin is not None
    assert dist.origin["level"] == 0.9
    assert_allclose(dist.interval(0.9), support, rtol=1e-9)


@pytest.mark.parametrize(("rule", "call", "support"), ONE_SIDED, ids=[c[0] for c in ONE_SIDED])
@pytest.mark.parametrize("family", BOUNDED)
def test_one_sided_bounded_families_honour_the_bound(
    rule: str, call: Callable[..., Distribution], support: tuple[float, float], family: str
) -> None:
    dist = call(250_000, family=family)
    assert dist.support == pytest.approx(support, rel=1e-15)
    assert dist.origin is not None
    assert dist.origin["level"] == 1.0


@pytest.mark.parametrize(("rule", "call", "support"), ONE_SIDED, ids=[c[0] for c in ONE_SIDED])
def test_one_sided_level_override(
    rule: str, call: Callable[..., Distribution], support: tuple[float, float]
) -> None:
    dist = call(250_000, level=0.5)
    assert_allclose(dist.interval(0.5), support, rtol=1e-14)
    assert dist.support[1] - dist.support[0] == pytest.approx(
        2.0 * (support[1] - support[0]), rel=1e-14
    )


def test_one_sided_end_overrides() -> None:
    assert elicit.up_to(250_000, low=150_000).support == (150_000.0, 250_000.0)
    assert elicit.up_to(250_000, low=150_000).mean() == 200_000.0
    assert elicit.up_to(250_000, rel=0.4).support == (150_000.0, 250_000.0)
    assert elicit.at_least(200_000, high=400_000, family="uniform").support == (
        200_000.0,
        400_000.0,
    )
    assert elicit.nearly(400_000, rel=0.05).support == (380_000.0, 400_000.0)
    assert elicit.more_than(1_000_000, rel=0.5, family="uniform").support == (
        1_000_000.0,
        1_500_000.0,
    )
    # With the open tail, high= (or rel=) is the 95% quantile, the floor stays hard.
    open_tail = elicit.at_least(200_000, high=400_000)
    assert open_tail.support == (200_000.0, math.inf)
    assert open_tail.ppf(0.95) == pytest.approx(400_000.0, rel=1e-12)
    assert open_tail.median() == pytest.approx(240_000.0, rel=1e-12)
    dist = elicit.nearly(400_000, rel=0.05)
    assert dist.origin is not None
    assert dist.origin["rel"] == 0.05


def test_one_sided_constants_are_the_documented_ones() -> None:
    assert elicit.UP_TO_REL == 0.2
    assert elicit.MORE_THAN_REL == 0.25
    assert elicit.AT_LEAST_REL == 1.5
    assert elicit.MORE_THAN_TAIL == 8.0
    assert elicit.AT_LEAST_TAIL == 5.0
    assert elicit.NEARLY_REL == 0.1
    assert elicit.APPROX_REL == 0.1
    lognormal = elicit.up_to(250_000, family="lognormal")
    assert lognormal.cdf(250_000) == pytest.approx(0.95, rel=1e-12)
    assert lognormal.cdf(200_000) == pytest.approx(0.05, rel=1e-10)


# ---------------------------------------------------------------------- pert
@given(
    low=st.floats(min_value=-1e6, max_value=1e6),
    spans=st.tuples(st.floats(0.0, 1e6), st.floats(0.0, 1e6)).filter(lambda s: sum(s) > 1e-3),
    shape=st.floats(min_value=0.5, max_value=20.0),
)
def test_pert_mean_closed_form(low: float, spans: tuple[float, float], shape: float) -> None:
    mode, high = low + spans[0], low + spans[0] + spans[1]
    dist = elicit.pert(low, mode, high, shape=shape)
    assert isinstance(dist, PERT)
    expected = (low + shape * mode + high) / (shape + 2.0)
    scale = max(abs(low), abs(high))
    assert abs(dist.mean() - expected) <= 1e-12 * scale
    width = high - low
    alpha = 1.0 + shape * (mode - low) / width
    beta = 1.0 + shape * (high - mode) / width
    assert abs(dist.mean() - (low + width * alpha / (alpha + beta))) <= 1e-12 * scale
    assert dist.support == (low, high)


def test_pert_classic() -> None:
    dist = elicit.pert(60_000, 80_000, 100_000)
    assert dist.mean() == 80_000.0
    assert dist.shape == 4.0
    ref = stats.beta(3.0, 3.0, loc=60_000, scale=40_000)
    assert_allclose(dist.ppf([0.05, 0.5, 0.95]), ref.ppf([0.05, 0.5, 0.95]), rtol=1e-12)


# ---------------------------------------------------------------------- metalog and mixture
def test_metalog_sorts_its_quantiles() -> None:
    dist = elicit.metalog({0.9: 1_150_000, 0.1: 800_000, 0.5: 950_000}, lower=0)
    assert isinstance(dist, Metalog)
    assert dist.probabilities == (0.1, 0.5, 0.9)
    assert dist.values == (800_000.0, 950_000.0, 1_150_000.0)
    assert dist.lower == 0.0
    assert_allclose(dist.ppf([0.1, 0.5, 0.9]), [800_000, 950_000, 1_150_000], rtol=1e-12)


def test_mixture_defaults_to_equal_weights() -> None:
    parts = [
        elicit.from_range(1, 2, level=1.0, family="uniform"),
        elicit.from_range(3, 4, level=1.0, family="uniform"),
    ]
    mix = elicit.mixture(parts)
    assert isinstance(mix, Mixture)
    assert mix.weights == (0.5, 0.5)
    weighted = elicit.mixture(parts, [3, 1])
    assert weighted.weights == (0.75, 0.25)
    assert weighted.mean() == pytest.approx(0.75 * 1.5 + 0.25 * 3.5, rel=1e-15)
    x = np.linspace(0.5, 4.5, 41)
    expected = 0.75 * np.clip(x - 1.0, 0.0, 1.0) + 0.25 * np.clip(x - 3.0, 0.0, 1.0)
    assert_allclose(weighted.cdf(x), expected, rtol=1e-14, atol=1e-16)


# ---------------------------------------------------------------------- reprs and specs
@pytest.mark.parametrize(
    ("make", "text"),
    [
        (lambda: elicit.from_range(500_000, 600_000), "LogNormal(90% in [500,000, 600,000])"),
        (
            lambda: elicit.from_range(0.2, 0.35, level=0.8, family="beta"),
            "Beta(80% in [0.2, 0.35])",
        ),
        (
            lambda: elicit.from_range(60_000, 100_000, level=0.95, family="pert"),
            "PERT(95% in [60,000, 100,000])",
        ),
        (
            lambda: elicit.approximately(1_200_000),
            "LogNormal(approximately 1,200,000; 90% in [1,080,000, 1,333,333])",
        ),
        (lambda: elicit.up_to(250_000), "Uniform(up to 250,000; 100% in [200,000, 250,000])"),
        (
            lambda: elicit.at_least(200_000),
            "ShiftedLogNormal(at least 200,000; median 260,000, 95% below 500,000)",
        ),
        (
            lambda: elicit.at_least(200_000, rel=0.25, family="uniform"),
            "Uniform(at least 200,000; 100% in [200,000, 250,000])",
        ),
        (lambda: elicit.nearly(400_000), "Uniform(nearly 400,000; 100% in [360,000, 400,000])"),
        (
            lambda: elicit.more_than(1_000_000),
            "ShiftedLogNormal(more than 1,000,000; median 1,031,000, 95% below 1,250,000)",
        ),
        (
            lambda: elicit.more_than(1_000_000, rel=0.1, family="uniform"),
            "Uniform(more than 1,000,000; 100% in [1,000,000, 1,100,000])",
        ),
        (
            lambda: elicit.up_to(250_000, family="gamma"),
            "Gamma(up to 250,000; 90% in [200,000, 250,000])",
        ),
        (
            lambda: elicit.pert(60_000, 80_000, 100_000),
            "PERT(low=60,000, mode=80,000, high=100,000, shape=4)",
        ),
        (
            lambda: elicit.metalog({0.1: 800_000, 0.5: 950_000, 0.9: 1_150_000}),
            "Metalog(10%: 800,000, 50%: 950,000, 90%: 1,150,000)",
        ),
    ],
)
def test_repr_strings(make: Callable[[], Distribution], text: str) -> None:
    assert repr(make()) == text


def _every_kind() -> dict[str, Distribution]:
    out: dict[str, Distribution] = {
        family: elicit.from_range(
            *((0.2, 0.35) if family == "beta" else (500_000, 600_000)),
            level=1.0 if family in BOUNDED else 0.9,
            family=family,
        )
        for family in FAMILIES
    }
    out["approximately"] = elicit.approximately(1_200_000)
    out["up_to"] = elicit.up_to(250_000, family="lognormal")
    out["nearly"] = elicit.nearly(400_000, rel=0.05)
    out["pert"] = elicit.pert(60_000, 80_000, 100_000, shape=5)
    out["metalog"] = elicit.metalog({0.1: 800_000, 0.5: 950_000, 0.9: 1_150_000})
    out["metalog-bounded"] = elicit.metalog({0.1: 0.2, 0.5: 0.3, 0.9: 0.5}, lower=0, upper=1)
    out["mixture"] = elicit.mixture([out["lognormal"], out["gamma"], out["pert"]], [1, 2, 4])
    out["mixture-nested"] = elicit.mixture([out["mixture"], out["metalog"]], [0.3, 0.7])
    return out


EVERY_KIND = _every_kind()


@pytest.mark.parametrize("name", list(EVERY_KIND))
def test_spec_json_round_trip(name: str) -> None:
    dist = EVERY_KIND[name]
    spec = dist.to_spec()
    text = json.dumps(spec)
    back = from_spec(json.loads(text))
    assert back == dist
    assert repr(back) == repr(dist)
    assert json.dumps(back.to_spec()) == text
    assert back.origin == dist.origin
    assert_allclose(back.ppf([0.05, 0.5, 0.95]), dist.ppf([0.05, 0.5, 0.95]), rtol=0)


def test_spec_of_a_fitted_family_names_its_parameters() -> None:
    spec = elicit.from_range(1.0, 4.0, family="gamma").to_spec()
    assert spec["family"] == "gamma"
    assert sorted(spec["params"]) == ["scale", "shape"]
    assert from_spec({"family": spec["family"], "params": spec["params"]}).origin is None


@pytest.mark.parametrize(
    ("spec", "pattern"),
    [
        ({"family": "lognorml", "params": {"mu": 0.0, "sigma": 1.0}}, "did you mean 'lognormal'"),
        ({"family": "cauchy", "params": {"loc": 0.0}}, "family"),
        ({"family": "lognormal", "params": {"mu": 0.0}}, "missing"),
        ({"family": "lognormal", "params": {"mu": 0.0, "sigma": 1.0, "shift": 2.0}}, "unknown"),
        ({"family": "pert", "params": {"low": 0.0, "high": 1.0}}, r"missing \['mode'\]"),
    ],
)
def test_from_spec_rejects(spec: dict[str, Any], pattern: str) -> None:
    with pytest.raises(InputError, match=pattern):
        from_spec(spec)


# ---------------------------------------------------------------------- bad input
NAN, INF = math.nan, math.inf
BAD_INPUTS: list[tuple[str, Callable[[], object], str]] = [
    # from_range
    ("low>=high", lambda: elicit.from_range(600_000, 500_000), "low"),
    ("low==high", lambda: elicit.from_range(5.0, 5.0), "low"),
    ("low-nan", lambda: elicit.from_range(NAN, 1.0), "low"),
    ("high-nan", lambda: elicit.from_range(1.0, NAN), "high"),
    ("low-inf", lambda: elicit.from_range(-INF, 1.0), "low"),
    ("high-inf", lambda: elicit.from_range(1.0, INF), "high"),
    ("low-str", lambda: elicit.from_range("1", 2.0), "low"),
    ("low-bool", lambda: elicit.from_range(True, 2.0), "low"),
    ("level-0", lambda: elicit.from_range(1.0, 2.0, level=0.0), "level"),
    ("level-neg", lambda: elicit.from_range(1.0, 2.0, level=-0.1), "level"),
    ("level-1.5", lambda: elicit.from_range(1.0, 2.0, level=1.5), "level"),
    ("level-nan", lambda: elicit.from_range(1.0, 2.0, level=NAN), "level"),
    ("level-inf", lambda: elicit.from_range(1.0, 2.0, level=INF), "level"),
    ("family-typo", lambda: elicit.from_range(1.0, 2.0, family="lognorml"), "family"),
    ("family-none", lambda: elicit.from_range(1.0, 2.0, family=None), "family"),
    ("lognormal-zero", lambda: elicit.from_range(0.0, 2.0), "low"),
    ("lognormal-neg", lambda: elicit.from_range(-1.0, 2.0), "low"),
    ("gamma-zero", lambda: elicit.from_range(0.0, 2.0, family="gamma"), "low"),
    ("gamma-neg", lambda: elicit.from_range(-5.0, 2.0, family="gamma"), "low"),
    ("truncnormal-zero", lambda: elicit.from_range(0.0, 2.0, family="truncnormal"), "low"),
    ("truncnormal-neg", lambda: elicit.from_range(-1.0, 2.0, family="truncnormal"), "low"),
    ("beta-high>1", lambda: elicit.from_range(0.5, 1.5, family="beta"), "high"),
    ("beta-high=1", lambda: elicit.from_range(0.5, 1.0, family="beta"), "high"),
    ("beta-low=0", lambda: elicit.from_range(0.0, 0.5, family="beta"), "low"),
    ("beta-low<0", lambda: elicit.from_range(-0.1, 0.5, family="beta"), "low"),
    ("beta-counts", lambda: elicit.from_range(500_000, 600_000, family="beta"), "low"),
    ("normal-level-1", lambda: elicit.from_range(1.0, 2.0, level=1.0, family="normal"), "level"),
    ("lognormal-level-1", lambda: elicit.from_range(1.0, 2.0, level=1.0), "level"),
    ("gamma-level-1", lambda: elicit.from_range(1.0, 2.0, level=1.0, family="gamma"), "level"),
    (
        "truncnormal-level-1",
        lambda: elicit.from_range(1.0, 2.0, level=1.0, family="truncnormal"),
        "level",
    ),
    ("beta-level-1", lambda: elicit.from_range(0.1, 0.2, level=1.0, family="beta"), "level"),
    # approximately
    ("approx-nan", lambda: elicit.approximately(NAN), "value"),
    ("approx-inf", lambda: elicit.approximately(INF), "value"),
    ("approx-zero", lambda: elicit.approximately(0.0), "value"),
    ("approx-rel-0", lambda: elicit.approximately(1_000, rel=0.0), "rel"),
    ("approx-rel-neg", lambda: elicit.approximately(1_000, rel=-0.1), "rel"),
    ("approx-rel-nan", lambda: elicit.approximately(1_000, rel=NAN), "rel"),
    ("approx-rounding-0", lambda: elicit.approximately(1_000, rounding=0.0), "rounding"),
    ("approx-rounding-inf", lambda: elicit.approximately(1_000, rounding=INF), "rounding"),
    ("approx-level-1", lambda: elicit.approximately(1_000, level=1.0), "level"),
    ("approx-level-nan", lambda: elicit.approximately(1_000, level=NAN), "level"),
    ("approx-family", lambda: elicit.approximately(1_000, family="normall"), "family"),
    # one-sided
    ("up_to-nan", lambda: elicit.up_to(NAN), "high"),
    ("up_to-low-above", lambda: elicit.up_to(100.0, low=200.0), "low"),
    ("up_to-low-inf", lambda: elicit.up_to(100.0, low=-INF), "low"),
    ("up_to-level", lambda: elicit.up_to(100.0, level=1.5), "level"),
    (
        "up_to-level-1-lognormal",
        lambda: elicit.up_to(100.0, level=1.0, family="lognormal"),
        "level",
    ),
    ("up_to-family", lambda: elicit.up_to(100.0, family="unifrom"), "family"),
    ("at_least-inf", lambda: elicit.at_least(INF), "low"),
    ("at_least-high-below", lambda: elicit.at_least(100.0, high=50.0), "high"),
    ("at_least-high-nan", lambda: elicit.at_least(100.0, high=NAN), "high"),
    ("up_to-gamma-low-0", lambda: elicit.up_to(100.0, low=0.0, family="gamma"), "low"),
    ("nearly-nan", lambda: elicit.nearly(NAN), "value"),
    ("nearly-rel-0", lambda: elicit.nearly(100.0, rel=0.0), "rel"),
    ("nearly-level-0", lambda: elicit.nearly(100.0, level=0.0), "level"),
    ("more_than-inf", lambda: elicit.more_than(-INF), "value"),
    ("more_than-rel-neg", lambda: elicit.more_than(100.0, rel=-1.0), "rel"),
    # pert
    ("pert-mode-above", lambda: elicit.pert(0.0, 5.0, 4.0), "mode"),
    ("pert-mode-below", lambda: elicit.pert(0.0, -1.0, 4.0), "mode"),
    ("pert-flat", lambda: elicit.pert(1.0, 1.0, 1.0), "low"),
    ("pert-low-nan", lambda: elicit.pert(NAN, 1.0, 4.0), "low"),
    ("pert-mode-nan", lambda: elicit.pert(0.0, NAN, 4.0), "mode"),
    ("pert-high-inf", lambda: elicit.pert(0.0, 1.0, INF), "high"),
    ("pert-shape-0", lambda: elicit.pert(0.0, 1.0, 4.0, shape=0.0), "shape"),
    ("pert-shape-nan", lambda: elicit.pert(0.0, 1.0, 4.0, shape=NAN), "shape"),
    # metalog
    ("metalog-two", lambda: elicit.metalog({0.1: 1.0, 0.9: 2.0}), "quantiles"),
    ("metalog-empty", lambda: elicit.metalog({}), "quantiles"),
    ("metalog-list", lambda: elicit.metalog([(0.1, 1.0)]), "quantiles"),
    ("metalog-decreasing", lambda: elicit.metalog({0.1: 3.0, 0.5: 2.0, 0.9: 4.0}), "values"),
    ("metalog-flat", lambda: elicit.metalog({0.1: 2.0, 0.5: 2.0, 0.9: 4.0}), "values"),
    ("metalog-p-zero", lambda: elicit.metalog({0.0: 1.0, 0.5: 2.0, 0.9: 4.0}), "probabilities"),
    ("metalog-p-one", lambda: elicit.metalog({0.1: 1.0, 0.5: 2.0, 1.0: 4.0}), "probabilities"),
    ("metalog-value-nan", lambda: elicit.metalog({0.1: 1.0, 0.5: NAN, 0.9: 4.0}), "quantiles"),
    ("metalog-lower", lambda: elicit.metalog({0.1: 1.0, 0.5: 2.0, 0.9: 4.0}, lower=1.5), "lower"),
    (
        "metalog-lower-eq",
        lambda: elicit.metalog({0.1: 1.0, 0.5: 2.0, 0.9: 4.0}, lower=1.0),
        "lower",
    ),
    ("metalog-upper", lambda: elicit.metalog({0.1: 1.0, 0.5: 2.0, 0.9: 4.0}, upper=3.0), "upper"),
    (
        "metalog-lower-nan",
        lambda: elicit.metalog({0.1: 1.0, 0.5: 2.0, 0.9: 4.0}, lower=NAN),
        "lower",
    ),
    (
        "metalog-infeasible",
        lambda: elicit.metalog({0.1: 1.0, 0.5: 1.2, 0.9: 10.0}),
        "not feasible",
    ),
    (
        "metalog-too-many",
        lambda: elicit.metalog({i / 20: float(i) for i in range(1, 19)}),
        "quantiles",
    ),
    # mixture
    ("mixture-weights-neg", lambda: elicit.mixture([Normal(0.0, 1.0)], [-1.0]), "weights"),
    ("mixture-weights-count", lambda: elicit.mixture([Normal(0.0, 1.0)], [1.0, 2.0]), "weight"),
    ("mixture-empty", lambda: elicit.mixture([]), "components"),
    # rounding_unit
    ("rounding-zero", lambda: elicit.rounding_unit(0.0), "value"),
    ("rounding-nan", lambda: elicit.rounding_unit(NAN), "value"),
]


@pytest.mark.parametrize(("case", "make", "name"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_raises_input_error_naming_the_argument(
    case: str, make: Callable[[], object], name: str
) -> None:
    with pytest.raises(InputError, match=rf"\b{name}\b") as info:
        make()
    assert isinstance(info.value, ValueError)
    assert "\n" not in str(info.value)


def test_input_error_is_a_value_error() -> None:
    assert issubclass(InputError, ValueError)
    assert asim.InputError is InputError
    with pytest.raises(ValueError, match="low=600,000 must be below high=500,000"):
        asim.from_range(600_000, 500_000)


@pytest.mark.parametrize(
    ("typo", "nearest"),
    [("lognorml", "lognormal"), ("Normal", "normal"), ("trianglar", "triangular")],
)
def test_unknown_family_suggests_the_nearest(typo: str, nearest: str) -> None:
    with pytest.raises(InputError, match=f"did you mean '{nearest}'"):
        elicit.from_range(1.0, 2.0, family=typo)


def test_unbounded_level_one_says_what_to_do() -> None:
    with pytest.raises(InputError, match="'uniform', 'triangular', 'pert'"):
        elicit.from_range(1.0, 2.0, level=1.0, family="normal")


# ---------------------------------------------------------------------- extremes
def test_a_triangular_near_the_float_limit_is_refused_naming_the_range() -> None:
    with pytest.raises(InputError) as err:
        elicit.from_range(1e307, 1.7e308, family="triangular")
    assert str(err.value) == (
        "range [1e+307, 1.7e+308] at level 0.9 is too extreme for family 'triangular': its "
        "draws would overflow the float range (beyond about 1.8e308); narrow it, or rescale "
        "the quantity (e.g. count in thousands)"
    )


EXTREME_RANGES = [
    (5e-324, 1e-300),
    (1e-300, 1.0),
    (1.0, 1e300),
    (1e300, 1.7e308),
    (1e307, 1.7e308),
    (-1e308, 1e308),
    (-1.7e308, -1e300),
    (-1.0, 1.7e308),
]


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize(("low", "high"), EXTREME_RANGES)
@pytest.mark.parametrize("level", [0.01, 0.9, 0.999999, 1.0])
def test_extreme_ranges_fit_cleanly_or_are_refused(
    family: str, low: float, high: float, level: float
) -> None:
    # No numpy warning (pytest turns them into errors) and no other exception: either an
    # InputError, or a distribution whose draws, moments and cdf are usable.
    try:
        dist = elicit.from_range(low, high, level=level, family=family)  # type: ignore[arg-type]
    except InputError:
        return
    draws = dist.sample(200, rng=1)
    assert np.isfinite(draws).all()
    assert np.isfinite(dist.ppf(np.array([1e-9, 0.5, 1.0 - 1e-9]))).all()
    assert not math.isnan(dist.mean())
    assert np.all(np.diff(dist.cdf(np.sort([low, high, -1e300, 1e300]))) >= 0.0)


@pytest.mark.parametrize(
    "make",
    [
        lambda lvl: elicit.from_range(1.0, 2.0, level=lvl),
        lambda lvl: elicit.approximately(1_000.0, level=lvl),
        lambda lvl: elicit.up_to(1_000.0, level=lvl),
        lambda lvl: elicit.at_least(1_000.0, level=lvl),
        lambda lvl: elicit.nearly(1_000.0, level=lvl),
        lambda lvl: elicit.more_than(1_000.0, level=lvl),
        lambda lvl: elicit.from_range(1.0, 2.0).interval(lvl),
    ],
)
@pytest.mark.parametrize(("level", "shown"), [(1e-300, "1e-300"), (0.001, "0.001"), (0.0, "0")])
def test_tiny_levels_are_refused_everywhere(
    make: Callable[[float], object], level: float, shown: str
) -> None:
    with pytest.raises(InputError) as err:
        make(level)
    assert str(err.value) == (
        f"level must be in [0.01, 1] (e.g. 0.9 for a 90% interval); got {shown}"
    )


@pytest.mark.parametrize("family", UNBOUNDED)
def test_levels_just_below_one_are_refused(family: str) -> None:
    low, high = (0.2, 0.3) if family == "beta" else (1.0, 2.0)
    with pytest.raises(InputError) as err:
        elicit.from_range(low, high, level=1.0 - 1e-16, family=family)  # type: ignore[arg-type]
    assert str(err.value) == (
        "level=0.9999999999999999 leaves tails too thin to fit; use at most 0.999999 "
        "(or level=1 for a hard range with a bounded family)"
    )
    widest = elicit.from_range(low, high, level=elicit.MAX_OPEN_LEVEL, family=family)  # type: ignore[arg-type]
    assert_allclose(widest.interval(elicit.MAX_OPEN_LEVEL), (low, high), rtol=1e-9)


# ---------------------------------------------------------------- the table of qualifier rules
def test_qualifier_table_order_and_rules() -> None:
    table = elicit.QUALIFIERS
    assert list(table) == [
        "exact",
        "range",
        "approximately",
        "up_to",
        "at_least",
        "nearly",
        "more_than",
        "pert",
        "metalog",
    ]
    assert all(name == rule.name for name, rule in table.items())
    functions = {name: rule.function for name, rule in table.items()}
    assert functions == {
        "exact": None,
        "range": elicit.from_range,
        "approximately": elicit.approximately,
        "up_to": elicit.up_to,
        "at_least": elicit.at_least,
        "nearly": elicit.nearly,
        "more_than": elicit.more_than,
        "pert": elicit.pert,
        "metalog": elicit.metalog,
    }
    assert {name: rule.symbol for name, rule in table.items() if rule.symbol} == {
        "range": "–",
        "approximately": "≈",
        "up_to": "≤",
        "at_least": "≥",
        "nearly": "≲",
        "more_than": ">",
    }
    assert {name: rule.bound for name, rule in table.items() if rule.bound} == {
        "up_to": "upper",
        "at_least": "lower",
        "nearly": "upper",
        "more_than": "lower",
    }
    assert {name: rule.other_end for name, rule in table.items() if rule.other_end} == {
        "up_to": "low",
        "at_least": "high",
    }
    assert [name for name, rule in table.items() if rule.two_sided] == ["range", "approximately"]
    assert [name for name, rule in table.items() if not rule.worded] == ["pert", "metalog"]
    assert table["up_to"].phrase == "up to"
    assert table["more_than"].wordings == (
        "more than",
        "over",
        "above",
        "in excess of",
        "exceeds",
        "upwards of",
    )


def test_qualifier_table_options_are_the_functions_keywords() -> None:
    # The scenario options of every rule are keyword options of its function, and the figure
    # is what the function takes positionally.
    assert elicit.QUALIFIERS["up_to"].keywords == ("low", "rel", "level", "family")
    assert elicit.QUALIFIERS["approximately"].keywords == (
        "rel",
        "level",
        "family",
        "rounding",
        "min_rel",
    )
    assert elicit.QUALIFIERS["more_than"].keywords == ("rel", "tail", "level", "family")
    assert elicit.QUALIFIERS["at_least"].keywords == ("high", "rel", "tail", "level", "family")
    assert elicit.QUALIFIERS["exact"].keywords == ()
    for rule in elicit.QUALIFIERS.values():
        assert set(rule.options) <= set(rule.keywords), rule.name
        if rule.function is not None:
            params = inspect.signature(rule.function).parameters.values()
            positional = [p for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
            assert len(positional) == len(rule.figure), rule.name
    assert elicit.QUALIFIERS["pert"].options == ("shape",)
    assert elicit.QUALIFIERS["metalog"].options == ("lower", "upper")
    assert elicit.QUALIFIERS["range"].options == ("family", "level")


def test_qualifier_table_is_read_only() -> None:
    with pytest.raises(TypeError):
        elicit.QUALIFIERS["guess"] = elicit.QUALIFIERS["range"]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        elicit.QUALIFIERS["range"].symbol = "~"  # type: ignore[misc]


def test_every_reader_takes_its_qualifiers_from_the_table() -> None:
    from attritionsim import catalogue, cli, plots, scenario

    worded = [name for name, rule in elicit.QUALIFIERS.items() if rule.worded]
    assert list(catalogue.QUALIFIERS) == worded
    assert catalogue.QUALIFIERS["up_to"] == elicit.QUALIFIERS["up_to"].description
    assert cli._QUALIFIERS == ("range", "approximately", "up_to", "at_least", "nearly", "more_than")
    assert scenario._KINDS == (
        "range",
        "approximately",
        "up_to",
        "at_least",
        "nearly",
        "more_than",
        "pert",
        "metalog",
        "value",
        "source",
        "pool",
    )
    assert scenario._OPTIONS["up_to"] == ("low", "rel", "family", "level")
    upper, lower = plots._UPPER, plots._LOWER  # plots reads the wordings of its arrows here
    assert upper == {
        "up to",
        "at most",
        "as many as",
        "nearly",
        "almost",
        "just under",
        "about to reach",
        "less than",
        "fewer than",
        "under",
        "below",
        "no more than",
        "upper bound",
    }
    assert lower == {
        "at least",
        "more than",
        "over",
        "above",
        "in excess of",
        "exceeds",
        "upwards of",
        "no fewer than",
        "no less than",
        "a minimum of",
        "lower bound",
    }


# ---------------------------------------------------------------------- issue 10: the figure first
@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: elicit.approximately(-1_000),
            "approximately -1,000: a lognormal reading needs a positive figure; use "
            "family='normal' for a quantity that can be negative",
        ),
        (
            lambda: elicit.approximately(-1_000, family="gamma"),
            "approximately -1,000: a gamma reading needs a positive figure; use family='normal' "
            "for a quantity that can be negative",
        ),
        (
            lambda: elicit.approximately(5e-324),
            "approximately 4.940656e-324: the figure is too close to zero to hold a range around "
            "it in floating point; count the quantity in a smaller unit",
        ),
        (
            lambda: elicit.up_to(0),
            "up_to 0: the figure must be positive (the unstated low end is 0.8 times it); give "
            "low= for a bound at or below zero",
        ),
        (
            lambda: elicit.up_to(-5),
            "up_to -5: the figure must be positive (the unstated low end is 0.8 times it); give "
            "low= for a bound at or below zero",
        ),
        (
            lambda: elicit.up_to(5e-324),
            "up_to 4.940656e-324: the figure is too close to zero to hold a range around it in "
            "floating point; count the quantity in a smaller unit",
        ),
        (
            lambda: elicit.at_least(-5),
            "at_least -5: the figure must be positive (the unstated high end is 2.5 times it); "
            "give high= for a bound at or below zero",
        ),
        (
            lambda: elicit.nearly(0),
            "nearly 0: the figure must be non-zero (its range is relative to it)",
        ),
        (
            lambda: elicit.more_than(0),
            "more_than 0: the figure must be non-zero (its range is relative to it)",
        ),
    ],
)
def test_a_figure_is_checked_in_the_users_terms(call: Any, message: str) -> None:
    with pytest.raises(InputError) as info:
        call()
    assert str(info.value) == message


def test_figures_that_can_be_negative_still_work() -> None:
    for family in ("normal", "uniform", "triangular", "pert"):
        assert elicit.approximately(-1_000, family=family).median() == pytest.approx(-1_000)
    assert elicit.up_to(0, low=-10).support == (-10.0, 0.0)
    assert elicit.at_least(-5, high=5).support == (-5.0, math.inf)
    assert elicit.at_least(-5, high=5, family="uniform").support == (-5.0, 5.0)
    assert elicit.more_than(-5).support == (-5.0, math.inf)
    assert elicit.more_than(-5).ppf(0.95) == pytest.approx(-3.75, rel=1e-12)
    assert elicit.nearly(-5).support == pytest.approx((-5.5, -5.0))
