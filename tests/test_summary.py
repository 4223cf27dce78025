"""Tests for attritionsim.summary: intervals, MCSE calibration, summarize, cite and tables."""

from __future__ import annotations

import json
import math
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats

from attritionsim import _orderstats, cite, to_markdown
from attritionsim.errors import InputError
from attritionsim.summary import (
    interval,
    mcse_interval,
    mcse_mean,
    mcse_probability,
    mcse_quantile,
    sample_of,
    summarize,
)

NS_PER_DAY = 86_400 * 10**9


def draws(values, units: str = "", name: str | None = None) -> xr.DataArray:
    return xr.DataArray(np.asarray(values), dims="draw", name=name, attrs={"units": units})


def spaced(low: float, mid: float, high: float, n: int = 2001) -> np.ndarray:
    """Sorted draws whose 5%, 50% and 95% quantiles (numpy "linear") are exactly given."""
    last = n - 1
    knots = [0, 0.05 * last, 0.5 * last, 0.95 * last, last]
    values = [low - 0.2 * (mid - low), low, mid, high, high + 0.2 * (high - mid)]
    return np.interp(np.arange(n), knots, values)


def spaced_dates(low: str, mid: str, high: str, n: int = 2001) -> np.ndarray:
    """Dates (at noon) with exact 5%, 50% and 95% quantiles."""
    days = [np.datetime64(d, "D").astype(np.int64) + 0.5 for d in (low, mid, high)]
    return (spaced(*days, n=n) * NS_PER_DAY).astype(np.int64).astype("datetime64[ns]")


#: Kinds of sample :func:`made_draws` makes: ties, skew, a constant, integers, infinities.
SHAPES = ("ties", "lognormal", "normal", "constant", "integers", "infinities")


def made_draws(seed: int, size: int, shape: str) -> np.ndarray:
    """``size`` NaN-free draws of one of :data:`SHAPES` (infinite only for "infinities")."""
    rng = np.random.default_rng(seed)
    if shape == "ties":
        return rng.integers(-3, 4, size) * 0.5
    if shape == "lognormal":
        return rng.lognormal(0.0, 2.0, size)
    if shape == "normal":
        return rng.normal(size=size)
    if shape == "constant":
        return np.full(size, -1.5)
    if shape == "integers":
        return rng.integers(-1000, 1000, size)
    values = rng.normal(size=size)
    values[rng.random(size) < 0.1] = np.inf
    values[rng.random(size) < 0.05] = -np.inf
    return values


def gamma_hdi(shape: float, level: float) -> tuple[float, float]:
    """HDI of a gamma distribution: equal density at both ends, ``level`` between them."""
    dist = stats.gamma(shape)

    def gap(p: float) -> float:
        return dist.pdf(dist.ppf(p)) - dist.pdf(dist.ppf(p + level))

    p = optimize.brentq(gap, 1e-12, 1 - level - 1e-12, xtol=1e-14)
    return float(dist.ppf(p)), float(dist.ppf(p + level))


# ---------------------------------------------------------------------------------------------
# interval: exact references
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("level", [0.5, 0.8, 0.9, 0.95, 0.99, 1 / 3])
def test_eti_is_numpy_linear_quantile_bit_for_bit(level):
    small = np.array([3.1, -2.0, 7.25, 0.5, 11.0, 4.4, 2.2, 2.2, 9.75])
    expected = np.quantile(small, [(1 - level) / 2, (1 + level) / 2])
    assert interval(small, level) == (float(expected[0]), float(expected[1]))


def test_eti_is_numpy_linear_quantile_bit_for_bit_at_many_levels():
    values = np.random.default_rng(5).lognormal(size=1_001) * 1e3
    levels = np.linspace(0.01, 0.999, 997)  # levels below 0.01 are refused since issue 11
    ours = np.array([interval(values, float(level)) for level in levels])
    theirs = np.quantile(values, [(1 - levels) / 2, (1 + levels) / 2]).T
    assert np.array_equal(ours, theirs)  # exact bits, not approx


@given(
    st.lists(
        st.floats(-1e150, 1e150, allow_nan=False, allow_infinity=False), min_size=1, max_size=60
    ),
    st.floats(0.01, 0.999),
)
def test_eti_is_numpy_quantile_bits_at_the_computed_probabilities(values, level):
    """The docstring's guarantee: numpy's bits at (1 - level) / 2 and (1 + level) / 2."""
    xs = np.array(values)
    expected = np.quantile(xs, [(1 - level) / 2, (1 + level) / 2])
    assert interval(xs, level) == (float(expected[0]), float(expected[1]))
    median = summarize(xs, level)["quantities"]["draws"]["median"]
    assert median == float(np.quantile(xs, 0.5))  # not np.median, which averages the two


def test_eti_differs_from_a_literal_probability_only_through_the_probability():
    """Where interval(x, 0.9) and numpy.quantile(x, 0.05) differ, it is 0.05 != (1 - 0.9) / 2."""
    xs = np.random.default_rng(0).lognormal(size=1_001) * 1e3  # position 49.99999999999999
    assert (1 - 0.9) / 2 != 0.05
    low = interval(xs, 0.9)[0]
    assert low == float(np.quantile(xs, (1 - 0.9) / 2))
    literal = float(np.quantile(xs, 0.05))
    assert low == literal - np.spacing(literal)  # one ulp apart


def test_eti_of_evenly_spaced_draws_is_the_level():
    low, high = interval(np.linspace(0.0, 1.0, 1001), 0.9)
    assert low == pytest.approx(0.05, abs=1e-12)
    assert high == pytest.approx(0.95, abs=1e-12)


def test_uniform_sample_quantiles_within_mcse():
    values = np.random.default_rng(11).uniform(size=200_000)
    for kind in ("eti", "hdi"):
        low, high = interval(values, 0.5, kind=kind)
        err_low, err_high = mcse_interval(values, 0.5, kind=kind)
        # the shortest of many windows is a little short: allow 4 sd of one window's width
        assert high - low == pytest.approx(0.5, abs=4 * math.sqrt(0.25 / values.size))
        if kind == "eti":
            assert abs(low - 0.25) < 4 * err_low
            assert abs(high - 0.75) < 4 * err_high


def test_normal_hdi_agrees_with_eti_and_closed_form():
    values = np.random.default_rng(3).normal(10.0, 2.0, 200_000)
    eti = interval(values, 0.9)
    hdi = interval(values, 0.9, kind="hdi")
    errors = mcse_interval(values, 0.9, kind="hdi")
    z = stats.norm.ppf(0.95)
    for bound, reference, truth, error in zip(
        hdi, eti, (10 - 2 * z, 10 + 2 * z), errors, strict=True
    ):
        assert abs(bound - reference) < 3 * error
        assert abs(bound - truth) < 4 * error


@pytest.mark.parametrize("level", [0.5, 0.9])
def test_exponential_hdi_closed_form(level):
    rate = 2.0
    values = np.random.default_rng(4).exponential(1 / rate, 200_000)
    low, high = interval(values, level, kind="hdi")
    err_low, err_high = mcse_interval(values, level, kind="hdi")
    assert 0.0 <= low < 4 * err_low
    assert abs(high - (-math.log(1 - level) / rate)) < 4 * err_high


def test_gamma_hdi_closed_form():
    values = np.random.default_rng(6).gamma(3.0, size=200_000)
    truth = gamma_hdi(3.0, 0.9)
    estimate = interval(values, 0.9, kind="hdi")
    errors = mcse_interval(values, 0.9, kind="hdi")
    for bound, true, error in zip(estimate, truth, errors, strict=True):
        assert abs(bound - true) < 4 * error
    # the HDI of a right-skewed distribution sits left of its ETI
    eti = interval(values, 0.9)
    assert estimate[0] < eti[0] and estimate[1] < eti[1]


def test_hdi_of_a_bimodal_sample_is_one_interval_across_the_gap():
    rng = np.random.default_rng(8)
    values = np.concatenate([rng.normal(0, 1, 50_000), rng.normal(20, 1, 50_000)])
    low, high = interval(values, 0.9, kind="hdi")
    assert low < 1 and high > 19  # spans the empty middle: one interval, as documented


def test_hdi_window_holds_ceil_level_n_draws():
    # 0.07 * 100 is 7.000000000000001 in floating point: still a window of 7 draws, not 8
    assert interval(np.arange(100.0), 0.07, kind="hdi") == (0.0, 6.0)
    assert interval(np.arange(2000.0), 0.9, kind="hdi") == (0.0, 1799.0)


def test_ten_million_draws():
    values = np.random.default_rng(9).standard_normal(10_000_000)
    low, high = interval(values, 0.9)
    assert low == pytest.approx(-1.6449, abs=3e-3)
    hdi = interval(values, 0.9, kind="hdi")
    assert hdi[1] - hdi[0] <= high - low


# ---------------------------------------------------------------------------------------------
# interval: properties
# ---------------------------------------------------------------------------------------------

samples = st.lists(
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
    min_size=2,
    max_size=200,
    unique=True,
)
levels = st.floats(0.05, 0.95)


@given(samples, levels)
def test_intervals_hold_about_level_of_the_draws(values, level):
    x = np.sort(np.array(values))
    n = x.size
    k = math.ceil(Fraction(repr(level)) * n)
    eti = interval(x, level)
    hdi = interval(x, level, kind="hdi")
    inside_eti = int(np.count_nonzero((x >= eti[0]) & (x <= eti[1])))
    inside_hdi = int(np.count_nonzero((x >= hdi[0]) & (x <= hdi[1])))
    assert eti[0] <= eti[1] and hdi[0] <= hdi[1]
    assert 0 <= inside_hdi / n - level < 1 / n + 1e-12
    assert abs(inside_eti / n - level) <= 2 / n
    # the HDI is the narrowest window of k draws ...
    narrowest = min(x[j + k - 1] - x[j] for j in range(n - k + 1))
    assert hdi[1] - hdi[0] == narrowest
    # ... so it is no wider than the ETI whenever the ETI holds at least k draws
    if inside_eti >= k:
        assert hdi[1] - hdi[0] <= eti[1] - eti[0]


@given(st.lists(st.integers(-100_000, 100_000), min_size=3, max_size=100), levels)
def test_dates_round_trip_through_seconds(seconds, level):
    offsets = np.array(seconds, dtype=np.int64)
    dates = np.datetime64("2025-06-04T00:00:00", "ns") + offsets.astype("timedelta64[s]")
    for kind in ("eti", "hdi"):
        date_low, date_high = interval(dates, level, kind=kind)
        low, high = interval(offsets.astype(float), level, kind=kind)
        for date, plain in ((date_low, low), (date_high, high)):
            expected = np.datetime64("2025-06-04T00:00:00", "ns") + np.timedelta64(
                round(plain * 1e9), "ns"
            )
            # Dates are summarised in whole seconds (datetime64[s] spans any crossing date).
            assert abs((date - expected) / np.timedelta64(1, "ms")) <= 500


def test_date_mcse_is_in_days():
    seconds = np.round(np.random.default_rng(2).normal(0, 30, 5_000) * 86_400)
    days = seconds / 86_400  # dates are summarised in whole seconds
    dates = np.datetime64("2025-01-01", "ns") + seconds.astype("timedelta64[s]")
    for kind in ("eti", "hdi"):
        in_days = mcse_interval(days, 0.9, kind=kind)
        from_dates = mcse_interval(dates, 0.9, kind=kind)
        assert from_dates == pytest.approx(in_days, rel=1e-6)
    assert mcse_quantile(dates, 0.5) == pytest.approx(mcse_quantile(days, 0.5), rel=1e-6)
    assert mcse_mean(dates) == pytest.approx(mcse_mean(days), rel=1e-6)


def test_nat_sorts_after_every_date():
    base = np.datetime64("2025-01-01", "ns")
    dates = base + np.arange(100).astype("timedelta64[D]")
    some_never = dates.copy()
    some_never[::5] = np.datetime64("NaT")  # 20% never
    low, high = interval(some_never, 0.9)
    assert not np.isnat(low) and np.isnat(high)
    hdi_low, hdi_high = interval(some_never, 0.9, kind="hdi")
    assert not np.isnat(hdi_low) and np.isnat(hdi_high)  # every 90-draw window reaches NaT
    few_never = dates.copy()
    few_never[:7] = np.datetime64("NaT")  # 7% never: the HDI can leave them out
    assert not any(np.isnat(b) for b in interval(few_never, 0.9, kind="hdi"))
    assert np.isnat(interval(few_never, 0.9)[1])  # the 95% quantile is among the 7% NaT
    mostly_never = dates.copy()
    mostly_never[:60] = np.datetime64("NaT")
    out = summarize(xr.Dataset({"crossing": ("draw", mostly_never)}))["quantities"]["crossing"]
    assert out["median"] is None and out["never"] == pytest.approx(0.6)
    assert out["eti"][0] == "2025-03-06"  # 40 dates left (day 60 on), then NaT; 5% is day 64.95


# ---------------------------------------------------------------------------------------------
# the summary path against a full-sort reference
# ---------------------------------------------------------------------------------------------


def full_sort_entry(values: np.ndarray, level: float, ess: float | None) -> dict[str, Any]:
    """summarize()'s figures for finite draws, the plain way: np.sort, np.quantile, np.std."""
    xs = np.sort(values.astype(np.float64))
    n = xs.size
    k = _orderstats.window(n, level)
    start = int(np.argmin(xs[k - 1 :] - xs[: n - k + 1]))
    probs = [(1.0 - level) / 2.0, (1.0 + level) / 2.0]
    sd = float(np.std(xs, ddof=1)) if n > 1 else math.inf
    figures = {
        "median": float(np.quantile(xs, 0.5)),
        "mean": float(np.mean(xs)),
        "eti": [float(np.quantile(xs, p)) for p in probs],
        "hdi": [float(xs[start]), float(xs[start + k - 1])],
        "mcse": {
            "median": _orderstats.mcse_quantile(xs, 0.5, ess=ess),
            "mean": sd / math.sqrt(n if ess is None else ess),
            "eti": [_orderstats.mcse_quantile(xs, p, ess=ess) for p in probs],
            "hdi": list(_orderstats.mcse_hdi(xs, level, ess=ess)),
        },
    }
    return json.loads(json.dumps(figures).replace("Infinity", "null"))


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(1, 5000),
    st.sampled_from([s for s in SHAPES if s != "infinities"]),
    st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.99]) | st.floats(0.01, 0.99),
    st.none() | st.floats(1.0, 5000.0),
)
def test_summaries_match_a_full_sort_reference(seed, size, shape, level, ess):
    values = made_draws(seed, size, shape)
    attrs = {} if ess is None else {"ess": ess}
    got = summarize(xr.DataArray(values, dims="draw", name="x", attrs=attrs), level)
    entry = got["quantities"]["x"]
    del entry["units"]
    # json text: floats as their shortest round-trip repr, so bit for bit (and -0.0 != 0.0)
    assert json.dumps(entry, sort_keys=True) == json.dumps(
        full_sort_entry(values, level, ess), sort_keys=True
    )


@given(
    st.integers(0, 2**32 - 1),
    st.integers(1, 3000),
    st.sampled_from(SHAPES),
)
def test_sorted_samples_are_np_sort_and_keep_their_checks(seed, size, shape):
    values = made_draws(seed, size, shape)
    sample = sample_of(values)
    np.testing.assert_array_equal(sample.values, np.sort(values.astype(np.float64)))
    assert sample.kind == "number" and sample.scale == 1.0
    values = values.astype(np.float64)
    sizes = np.abs(values[np.isfinite(values) & (values != 0.0)])
    if sizes.size:  # beyond 2**500: scaled by a power of two, from the largest finite size
        big = values / sizes.max() * 1e307
        top = float(np.abs(big[np.isfinite(big)]).max())
        scale = math.ldexp(1.0, math.frexp(top)[1] - 500)
        huge = sample_of(big)
        assert huge.scale == scale
        np.testing.assert_array_equal(huge.values, np.sort(big) / scale)
    values[seed % size] = np.nan
    with pytest.raises(InputError, match=rf"^'draws' has 1 NaN draws out of {size:,};"):
        sample_of(values)


@given(st.lists(st.integers(-(10**9), 10**9) | st.none(), min_size=1, max_size=300))
def test_date_samples_are_sorted_offsets_with_nat_last(seconds):
    codes = np.array([np.iinfo(np.int64).min if s is None else s for s in seconds], np.int64)
    dates = codes.view("datetime64[s]")
    sample = sample_of(dates)
    nat = np.isnat(dates)
    anchor = int(codes[~nat].min()) if not nat.all() else 0
    offsets = np.where(nat, np.inf, (codes - anchor).astype(np.float64))
    np.testing.assert_array_equal(sample.values, np.sort(offsets))
    assert sample.anchor == anchor
    assert sample.last == (int(codes[~nat].max()) if not nat.all() else 0)
    assert sample.never() == int(nat.sum())


def test_quantities_summarised_in_turn_do_not_share_figures():
    """summarize() reuses two buffers for every quantity: each entry is the quantity's alone."""
    rng = np.random.default_rng(4)
    n = 3000
    ds = xr.Dataset(
        {
            "wide": ("draw", rng.lognormal(3.0, 2.0, n)),
            "counts": ("draw", rng.integers(0, 50, n)),
            "when": (
                "draw",
                np.where(
                    rng.random(n) < 0.2,
                    np.datetime64("NaT", "s"),
                    np.datetime64("2025-06-01", "s") + rng.integers(0, 10**7, n),
                ),
            ),
            "flag": ("draw", rng.random(n) < 0.3),
            "narrow": ("draw", rng.normal(size=n)),
        }
    )
    together = summarize(ds)["quantities"]
    for name in ds.data_vars:
        assert together[name] == summarize(ds, quantities=name)["quantities"][name], name
    assert together["flag"]["probability"] == int(ds["flag"].sum()) / n


# ---------------------------------------------------------------------------------------------
# MCSE
# ---------------------------------------------------------------------------------------------


def test_simple_mcses():
    values = np.random.default_rng(1).normal(5, 2, 10_000)
    assert mcse_mean(values) == pytest.approx(np.std(values, ddof=1) / 100)
    flags = np.arange(1000) < 250
    assert mcse_probability(flags) == pytest.approx(math.sqrt(0.25 * 0.75 / 1000))
    assert mcse_probability(flags.astype(float)) == mcse_probability(flags)
    assert mcse_mean([1.0]) == math.inf
    assert mcse_mean([1.0, math.inf]) == math.inf
    # order-statistic MCSE of a normal quantile: sqrt(p (1 - p) / n) / pdf(q_p)
    for p in (0.05, 0.5, 0.95):
        theory = math.sqrt(p * (1 - p) / values.size) / stats.norm(5, 2).pdf(
            stats.norm.ppf(p, 5, 2)
        )
        assert mcse_quantile(values, p) == pytest.approx(theory, rel=0.2)


def test_hdi_mcse_is_reproducible_and_banded_like_the_full_search(monkeypatch):
    values = np.random.default_rng(12).lognormal(0, 0.3, 1_000_000)
    banded = mcse_interval(values, 0.9, kind="hdi")
    assert mcse_interval(values, 0.9, kind="hdi") == banded
    monkeypatch.setattr(_orderstats, "FIRST_HALF_BAND", 10**9)  # search every window
    full = mcse_interval(values, 0.9, kind="hdi")
    assert banded == pytest.approx(full, rel=0.35)


def _coverage(values: np.ndarray, truth: dict[str, float], level: float) -> dict[str, float]:
    """Share of replications (rows) with |estimate - truth| <= 1.96 MCSE, per figure."""
    hits = dict.fromkeys(truth, 0)
    for row in values:
        estimate = {"median": float(np.median(row))}
        error = {"median": mcse_quantile(row, 0.5)}
        estimate["eti_low"], estimate["eti_high"] = interval(row, level)
        error["eti_low"], error["eti_high"] = mcse_interval(row, level)
        estimate["hdi_low"], estimate["hdi_high"] = interval(row, level, kind="hdi")
        error["hdi_low"], error["hdi_high"] = mcse_interval(row, level, kind="hdi")
        # the order-statistic MCSE at the chosen window, which ignores where the window sits
        start = int(np.searchsorted(np.sort(row), estimate["hdi_low"]))
        estimate["naive_hdi_low"] = estimate["hdi_low"]
        error["naive_hdi_low"] = mcse_quantile(row, start / (row.size - 1))
        for key, true in truth.items():
            hits[key] += abs(estimate[key] - true) <= 1.96 * error[key]
    return {key: count / len(values) for key, count in hits.items()}


@pytest.mark.parametrize("family", ["exponential", "gamma3"])
def test_mcse_is_calibrated(family):
    level, reps, n = 0.9, 1000, 2000
    rng = np.random.default_rng(20250604)
    if family == "exponential":
        scale = 2.0
        values = rng.exponential(scale, (reps, n))
        dist = stats.expon(scale=scale)
        hdi = (0.0, -math.log(1 - level) * scale)
    else:
        values = rng.gamma(3.0, size=(reps, n))
        dist = stats.gamma(3.0)
        hdi = gamma_hdi(3.0, level)
    truth = {
        "median": float(dist.median()),
        "eti_low": float(dist.ppf((1 - level) / 2)),
        "eti_high": float(dist.ppf((1 + level) / 2)),
        "hdi_low": hdi[0],
        "hdi_high": hdi[1],
        "naive_hdi_low": hdi[0],
    }
    coverage = _coverage(values, truth, level)
    naive = coverage.pop("naive_hdi_low")
    for key, share in coverage.items():
        assert 0.91 <= share <= 0.98, (key, share)
    assert naive < 0.85  # why the HDI bounds need the bootstrap


# ---------------------------------------------------------------------------------------------
# summarize
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def results() -> xr.Dataset:
    rng = np.random.default_rng(42)
    n = 4000
    crossing = np.datetime64("2025-07-01", "ns") + (rng.normal(0, 20, n) * NS_PER_DAY).astype(
        "timedelta64[ns]"
    )
    crossing[:200] = np.datetime64("NaT")
    return xr.Dataset(
        {
            "ru_killed": ("draw", rng.lognormal(np.log(2e5), 0.1, n), {"units": "people"}),
            "crossing": ("draw", crossing, {"units": "date", "long_name": "1M crossed"}),
            "in_band": ("draw", rng.uniform(size=n) < 0.64, {"units": "1"}),
            "trajectory": (("draw", "date"), rng.normal(size=(n, 3)), {"units": "people"}),
            "ru_rate": ("draw", rng.normal(1000, 50, n), {"units": "people/day"}),
        },
        attrs={"seed": 7, "draws": n, "method": "lhs", "attritionsim_version": "9.9.9"},
    )


def test_summarize_schema(results):
    out = summarize(results, 0.8)
    assert json.loads(json.dumps(out, allow_nan=False)) == out
    assert list(out) == ["draws", "seed", "method", "level", "version", "quantities"]
    assert (out["draws"], out["seed"], out["method"], out["version"]) == (4000, 7, "lhs", "9.9.9")
    assert isinstance(out["level"], float) and out["level"] == 0.8
    assert list(out["quantities"]) == ["ru_killed", "crossing", "in_band", "ru_rate"]
    number = out["quantities"]["ru_killed"]
    assert list(number) == ["units", "median", "mean", "eti", "hdi", "mcse"]
    assert number["units"] == "people"
    assert all(type(v) is float for v in [number["median"], number["mean"]])
    assert all(type(v) is float for v in [*number["eti"], *number["hdi"]])
    assert list(number["mcse"]) == ["median", "mean", "eti", "hdi"]
    assert number["mcse"]["mean"] == mcse_mean(results["ru_killed"])
    assert all(type(v) is float for v in [number["mcse"]["median"], *number["mcse"]["eti"]])
    assert all(type(v) is float and v > 0 for v in number["mcse"]["hdi"])
    date = out["quantities"]["crossing"]
    assert list(date) == ["units", "median", "mean", "eti", "hdi", "mcse", "never"]
    assert date["never"] == pytest.approx(0.05)
    assert date["mean"] is None  # a mean over draws that include "never"
    assert date["mcse"]["mean"] is None
    for iso in (date["median"], *date["eti"], *date["hdi"]):
        assert isinstance(iso, str) and len(iso) == 10 and np.datetime64(iso, "D")
    assert date["eti"][0] < date["median"] < date["eti"][1]
    assert all(type(v) is float for v in [date["mcse"]["median"], *date["mcse"]["eti"]])
    flag = out["quantities"]["in_band"]
    assert list(flag) == ["units", "probability", "mcse"]
    assert flag["probability"] == pytest.approx(float(results["in_band"].mean()))
    assert flag["mcse"] == pytest.approx(mcse_probability(results["in_band"]))
    # the numbers agree with the functions they summarise
    killed = results["ru_killed"]
    assert number["eti"] == list(interval(killed, 0.8))
    assert number["hdi"] == list(interval(killed, 0.8, kind="hdi"))
    assert number["mcse"]["hdi"] == list(mcse_interval(killed, 0.8, kind="hdi"))
    assert number["mcse"]["median"] == mcse_quantile(killed, 0.5)


def test_summarize_dates_without_nat_have_no_never_key():
    dates = spaced_dates("2025-07-03", "2025-07-21", "2025-08-14")
    out = summarize(xr.Dataset({"crossing": ("draw", dates)}))["quantities"]["crossing"]
    assert "never" not in out
    assert (out["median"], out["eti"]) == ("2025-07-21", ["2025-07-03", "2025-08-14"])


def test_summarize_selects_quantities(results):
    out = summarize(results, quantities=["in_band", "ru_killed"])
    assert list(out["quantities"]) == ["in_band", "ru_killed"]
    assert list(summarize(results, quantities="crossing")["quantities"]) == ["crossing"]
    with pytest.raises(InputError, match=r"quantities='ru_kiled'.*did you mean 'ru_killed'"):
        summarize(results, quantities=["ru_kiled"])
    with pytest.raises(InputError, match=r"quantities: 'trajectory' has dimensions"):
        summarize(results, quantities=["trajectory"])


def test_summarize_bare_arrays_and_missing_attrs():
    out = summarize(np.arange(100.0))
    assert out["draws"] == 100 and out["seed"] is None and out["method"] == "unknown"
    assert list(out["quantities"]) == ["draws"]
    named = summarize(xr.DataArray(np.arange(10.0), dims="sample", name="x"))
    assert list(named["quantities"]) == ["x"]
    infinite = summarize(np.array([1.0, 2.0, np.inf, np.inf]))["quantities"]["draws"]
    assert infinite["eti"][1] is None and infinite["mean"] is None
    json.dumps(infinite, allow_nan=False)


# ---------------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("level", [0, 1, 1.5, -0.1, math.nan, "0.9", True])
def test_bad_level(level):
    for call in (interval, mcse_interval, cite, summarize):
        with pytest.raises(InputError, match=r"^level must be"):
            call(np.arange(10.0), level)


def test_bad_kind():
    with pytest.raises(InputError, match=r"kind='hid' is not one of 'eti', 'hdi'.*'hdi'"):
        interval(np.arange(10.0), kind="hid")
    with pytest.raises(InputError, match=r"^kind="):
        cite(np.arange(10.0), kind="median")


def test_bad_draws():
    with pytest.raises(InputError, match=r"'draws' has no draws"):
        interval(np.array([]))
    with pytest.raises(InputError, match=r"'ru_killed' has 2 NaN draws out of 5"):
        interval(draws([1.0, np.nan, 2.0, np.nan, 3.0], name="ru_killed"))
    with pytest.raises(InputError, match=r"'flag' is boolean"):
        interval(draws([True, False], name="flag"))
    with pytest.raises(InputError, match=r"must be 1-d"):
        interval(np.ones((3, 3)))
    with pytest.raises(InputError, match=r"'traj' has dimensions \('draw', 'date'\)"):
        interval(xr.DataArray(np.ones((3, 2)), dims=("draw", "date"), name="traj"))
    with pytest.raises(InputError, match=r"dtype <U1"):
        interval(np.array(["a", "b"]))
    with pytest.raises(InputError, match=r"got a Dataset"):
        interval(xr.Dataset({"a": ("draw", [1.0])}))
    with pytest.raises(InputError, match=r"^p must be a probability"):
        mcse_quantile(np.arange(5.0), 1.5)
    with pytest.raises(InputError, match=r"^digits must be a positive integer"):
        cite(np.arange(5.0), digits=0)
    with pytest.raises(InputError, match=r"must be booleans"):
        mcse_probability([0.5, 1.0])
    with pytest.raises(InputError, match=r"no 'draw' dimension"):
        summarize(xr.Dataset({"a": ("sample", [1.0])}))
    with pytest.raises(InputError, match=r"^summary must be the dict returned by summarize"):
        to_markdown({"draws": 3})


def test_infinite_draws_are_allowed():
    values = np.array([1.0, 2.0, 3.0, np.inf, np.inf, np.inf])
    assert interval(values, 0.5) == (2.25, math.inf)
    assert interval(np.array([-np.inf, 0.0, 1.0, 2.0]), 0.5, kind="hdi") == (0.0, 1.0)


def test_dates_beyond_the_nanosecond_range_are_summarised():
    # A crossing date from a tiny rate can fall centuries away (datetime64[s] holds it).
    dates = np.array(
        ["1105-03-01", "2025-06-01", "2025-07-01", "2025-08-01", "3000-01-01"],
        dtype="datetime64[s]",
    )
    ds = xr.Dataset({"when": ("draw", dates)})
    entry = summarize(ds, level=0.5)["quantities"]["when"]
    assert entry["median"] == "2025-07-01"
    assert interval(dates, 0.999)[0] < np.datetime64("1200-01-01")


# ---------------------------------------------------------------------------------------------
# Extremes: dates at any distance, numbers near the float limit, constants
# ---------------------------------------------------------------------------------------------


def test_summarize_refuses_a_seed_that_is_not_an_integer():
    ds = xr.Dataset({"x": ("draw", np.arange(3.0))}, attrs={"seed": "abc"})
    with pytest.raises(InputError, match=r"^ds.attrs\['seed'\] must be an integer; got 'abc'$"):
        summarize(ds)


# --------------------------------------------------------------------------------------------
# The effective sample size (attrs["ess"]) of draws that are not independent
# --------------------------------------------------------------------------------------------


def _ess_draws() -> xr.DataArray:
    x = np.random.default_rng(3).normal(1000.0, 100.0, 4000)
    return xr.DataArray(x, dims="draw", name="x", attrs={"units": "people"})


def test_summarize_uses_the_datasets_ess_for_every_mcse() -> None:
    da = _ess_draws()
    xs = np.sort(da.values)
    out = summarize(xr.Dataset({"x": da}, attrs={"ess": 1000.0}))
    assert out["ess"] == 1000.0
    mcse = out["quantities"]["x"]["mcse"]
    assert mcse["median"] == _orderstats.mcse_quantile(xs, 0.5, ess=1000.0)
    assert mcse["median"] > 2.0 * _orderstats.mcse_quantile(xs, 0.5)  # 4,000 draws, 1,000 worth
    assert mcse["mean"] == pytest.approx(float(np.std(xs, ddof=1)) / math.sqrt(1000.0))
    assert mcse["eti"] == [
        _orderstats.mcse_quantile(xs, 0.05, ess=1000.0),
        _orderstats.mcse_quantile(xs, 0.95, ess=1000.0),
    ]
    assert tuple(mcse["hdi"]) == _orderstats.mcse_hdi(xs, 0.9, ess=1000.0)
    assert "ess" not in summarize(xr.Dataset({"x": da}))


def test_a_variables_own_ess_wins_and_booleans_use_it() -> None:
    da = _ess_draws().assign_attrs(ess=250.0)
    flag = (da > 1000.0).assign_attrs(ess=400.0)
    out = summarize(xr.Dataset({"x": da, "flag": flag}, attrs={"ess": 1000.0}))["quantities"]
    xs = np.sort(da.values)
    assert out["x"]["mcse"]["median"] == _orderstats.mcse_quantile(xs, 0.5, ess=250.0)
    p = out["flag"]["probability"]
    assert out["flag"]["mcse"] == math.sqrt(p * (1 - p) / 400.0)
    assert mcse_probability(flag) == math.sqrt(p * (1 - p) / 400.0)
    assert mcse_quantile(da, 0.5) == _orderstats.mcse_quantile(xs, 0.5, ess=250.0)
    assert mcse_mean(da) == pytest.approx(float(np.std(xs, ddof=1)) / math.sqrt(250.0))


def test_cite_shows_the_digits_the_ess_justifies() -> None:
    da = _ess_draws()
    assert cite(da) == "1,002 (90% CrI 835–1,162)"
    assert cite(da.assign_attrs(ess=100.0)) == "1,000 (90% CrI 830–1,160)"
    flag = da > 1000.0
    assert cite(flag) == "51% probability (± 0.8 percentage points)"
    assert cite(flag.assign_attrs(ess=400.0)) == "51% probability (± 2.5 percentage points)"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda da: summarize(da.assign_attrs(ess=-1.0)),
            "'x'.attrs['ess'] must be a finite number > 0; got -1.0",
        ),
        (
            lambda da: cite(da.assign_attrs(ess="many")),
            "'x'.attrs['ess'] must be a number > 0; got 'many'",
        ),
        (
            lambda da: summarize(xr.Dataset({"x": da}, attrs={"ess": math.inf})),
            "ds.attrs['ess'] must be a finite number > 0; got inf",
        ),
    ],
)
def test_a_bad_ess_is_refused(make: Any, message: str) -> None:
    with pytest.raises(InputError) as err:
        make(_ess_draws())
    assert str(err.value) == message


def test_summarize_keeps_the_horizon_of_censored_dates() -> None:
    # cold test of issue 13: NaT on finite paths printed "never" where "not by <end>" is meant
    dates = np.array(["2026-01-01"] * 3 + ["NaT"] * 7, dtype="datetime64[s]")
    censored = xr.DataArray(dates, dims="draw", attrs={"not_by": "2026-08-08"})
    entry = summarize(xr.Dataset({"c": censored}))["quantities"]["c"]
    assert entry["never"] == 0.7 and entry["not_by"] == "2026-08-08"
    assert "not_by" not in summarize(xr.Dataset({"c": censored.drop_attrs()}))["quantities"]["c"]
    row = to_markdown(summarize(xr.Dataset({"c": censored}))).splitlines()[2]
    assert row.startswith("| c |  | not by 2026-08-08 (70.0% of draws) | 2026-01-01 | not by")
    assert "never" not in row
    assert cite(censored) == "not by 8 August 2026 (90% CrI 1 January 2026 – after 8 August 2026)"
    assert cite(censored.drop_attrs()) == "never (90% CrI 1 January 2026 – never)"
    late = xr.DataArray(
        np.array(["2026-01-01"] + ["NaT"] * 99, dtype="datetime64[s]"),
        dims="draw",
        attrs={"not_by": "2026-08-08"},
    )
    assert cite(late) == "not by 8 August 2026 (90% CrI: after 8 August 2026)"
    assert cite(late.drop_attrs()) == "never (90% CrI: never reached)"
