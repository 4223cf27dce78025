"""The attrition functions: closed forms, exact degenerate cases, broken draws, glue, registry."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
import xarray as xr
from hypothesis import given
from hypothesis import strategies as st
from scipy import special, stats

import attritionsim as asim
import attritionsim.attrition as att
from attritionsim.distributions import LogNormal
from attritionsim.errors import InputError
from attritionsim.expr import FUNCTIONS, parse

D = np.datetime64


def day(text: str) -> np.datetime64:
    return np.datetime64(text, "s")


def quantile_grid(n: int) -> np.ndarray:
    """Standard normal draws placed exactly at the quantiles (i + 1/2) / n."""
    return np.asarray(special.ndtri((np.arange(n) + 0.5) / n))


# ------------------------------------------------------------------------------ split
def test_split_accounting_holds_per_draw() -> None:
    casualties = np.array([400.0, 1_000.0, 1_200_000.0])
    killed = np.array([100.0, 250.0, 300_000.0])
    missing = np.array([20.0, 0.0, 100_000.0])
    parts = att.split(casualties, killed, missing)
    np.testing.assert_array_equal(parts.wounded, [280.0, 750.0, 800_000.0])
    np.testing.assert_array_equal(parts.killed_share, killed / casualties)
    np.testing.assert_array_equal(parts.wounded_per_killed, [2.8, 3.0, 800_000.0 / 300_000.0])
    np.testing.assert_array_equal(killed + parts.wounded + missing, casualties)
    assert parts.n_broken == 0
    assert parts.broken_share == 0.0


def test_split_reports_broken_draws_as_nan() -> None:
    casualties = np.array([100.0, 100.0, 100.0, 0.0, 100.0, np.nan, 100.0])
    killed = np.array([30.0, 120.0, -1.0, 0.0, 60.0, 10.0, 100.0])
    missing = np.array([0.0, 0.0, 0.0, 0.0, 50.0, 0.0, 0.0])
    parts = att.split(casualties, killed, missing)
    expected_broken = [False, True, True, True, True, True, False]
    np.testing.assert_array_equal(parts.broken, expected_broken)
    assert parts.n_broken == 5
    assert parts.broken_share == pytest.approx(5 / 7)
    for field in (parts.killed_share, parts.wounded, parts.wounded_per_killed):
        assert np.isnan(field[1:6]).all()
    assert parts.killed_share[0] == 0.3
    assert parts.wounded[6] == 0.0  # all killed: no wounded, accounting holds
    assert parts.wounded_per_killed[6] == 0.0


def test_split_no_killed_gives_inf_wounded_per_killed() -> None:
    assert att.split(100.0, 0.0).wounded_per_killed == np.inf


def test_split_rounding_slack_is_not_broken() -> None:
    # Parts that sum to the total on paper but exceed it by one rounding step in floating point:
    # 0.1 + 0.2 is 0.30000000000000004 > 0.3. Without the slack these draws would be "broken".
    killed = np.array([0.1, 100_000.1])
    missing = np.array([0.2, 200_000.2])
    casualties = np.array([0.3, 300_000.3])
    assert (killed + missing > casualties).all()  # the example needs the slack
    parts = att.split(casualties, killed, missing)
    assert parts.n_broken == 0
    np.testing.assert_array_equal(parts.wounded, [0.0, 0.0])
    # A real excess (one part in 10^9) is still broken.
    assert att.split(casualties, killed * (1 + 1e-9), missing).n_broken == 2


def test_split_strict_raises_naming_the_count() -> None:
    casualties = np.full(10, 100.0)
    killed = np.array([10.0] * 7 + [150.0, 200.0, 101.0])
    with pytest.raises(InputError, match=r"3 of 10 draws \(30%\).*first at draw 7: casualties=100"):
        att.split(casualties, killed, strict=True)
    att.split(casualties[:7], killed[:7], strict=True)  # fine when none break


def test_split_dataarrays_in_dataarrays_out() -> None:
    casualties = xr.DataArray([400.0, 100.0], dims="draw")
    killed = xr.DataArray([100.0, 150.0], dims="draw")
    parts = att.split(casualties, killed)
    assert all(isinstance(field, xr.DataArray) for field in parts)
    assert parts.wounded.dims == ("draw",)
    np.testing.assert_array_equal(parts.wounded.values, [300.0, np.nan])
    ds = parts.to_dataset()
    assert ds.attrs["broken_draws"] == 1
    assert ds["killed_share"].attrs["units"] == "1"
    with pytest.raises(InputError, match="1 of 2 draws"):
        att.split(casualties, killed, strict=True)


def test_registered_split_helpers_match_split() -> None:
    c, k, m = np.array([400.0, 90.0]), np.array([100.0, 80.0]), np.array([50.0, 20.0])
    parts = att.split(c, k, m)
    np.testing.assert_array_equal(att.killed_share(c, k, m), parts.killed_share)
    np.testing.assert_array_equal(att.wounded(c, k, m), parts.wounded)
    np.testing.assert_array_equal(att.wounded_per_killed(c, k, m), parts.wounded_per_killed)
    np.testing.assert_array_equal(att.broken_split(c, k, m), [False, True])


def test_share_of_keeps_parts_coherent() -> None:
    total = np.array([1.0e6, 2.0e6, 5.0])
    share = np.array([0.25, 0.5, 1.2])
    np.testing.assert_array_equal(att.share_of(total, share), [250_000.0, 1.0e6, np.nan])
    with pytest.raises(InputError, match=r"share must be in \[0, 1\]; got 1.5"):
        att.share_of(total, 1.5)


# ------------------------------------------------------------------------------ ratios, events
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


# ------------------------------------------------------------------------------ implied rate
@pytest.mark.parametrize(
    ("count_a", "date_a", "count_b", "date_b", "rate"),
    [
        (790_000, "2025-03-01", 900_000, "2025-06-09", 1_100.0),
        (900_000, "2025-06-09", 790_000, "2025-03-01", 1_100.0),  # either order
        (0, dt.date(2022, 2, 24), 365_000, D("2023-02-24"), 1_000.0),
        (1_000, "2025-01-01", 1_000, "2025-02-01", 0.0),
        (100, D("2025-01-01T00:00"), 150, D("2025-01-01T12:00"), 100.0),  # half a day
    ],
)
def test_implied_rate_of_fixed_figures_is_exact(
    count_a: float, date_a: Any, count_b: float, date_b: Any, rate: float
) -> None:
    assert att.implied_rate(count_a, date_a, count_b, date_b) == rate


def test_implied_rate_same_dates_refused() -> None:
    with pytest.raises(InputError, match=r"date_a and date_b are the same \(2025-06-01"):
        att.implied_rate(1.0, "2025-06-01", 2.0, "2025-06-01")
    with pytest.raises(InputError, match="date_b must be dates"):
        att.implied_rate(1.0, "2025-06-01", 2.0, 20250601)
    with pytest.raises(InputError, match="date_a must be dates"):
        att.implied_rate(1.0, "June 2025", 2.0, "2025-07-01")


# ------------------------------------------------------------------------------ crossing dates
def test_crossing_date_closed_form() -> None:
    got = att.crossing_date(950_000, 1_000, 1_000_000, "2025-06-01")
    assert got == day("2025-07-21")
    assert np.asarray(got).dtype == np.dtype("datetime64[s]")


def test_crossing_date_degenerate_cases() -> None:
    count = np.array([950_000.0, 1_010_000.0, 950_000.0, 950_000.0, 1e6, 950_000.0, np.nan])
    rate = np.array([1_000.0, 1_000.0, 0.0, -10.0, 0.0, 1e-300, 1_000.0])
    got = att.crossing_date(count, rate, 1_000_000, "2025-06-01")
    expected = np.array(
        ["2025-07-21", "2025-05-22", "NaT", "NaT", "2025-06-01", "NaT", "NaT"],
        dtype="datetime64[s]",
    )
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(att.undated(got), np.isnat(expected))
    assert float(np.mean(att.undated(got))) == 4 / 7


def test_crossing_date_to_the_second_and_extreme_offsets() -> None:
    # 1 more to go at 4 a day: a quarter day, 6 hours.
    assert att.crossing_date(99.0, 4.0, 100.0, "2025-01-01") == day("2025-01-01T06:00:00")
    # 1e18 days does not fit datetime64[s]; 1e9 days does (about 2.7 million years).
    assert np.isnat(att.crossing_date(0.0, 1.0, 1e18, "2025-01-01"))
    assert np.isnat(att.crossing_date(1e18, 1.0, 0.0, "2025-01-01"))
    far = att.crossing_date(0.0, 1.0, 1e9, "2025-01-01")
    assert (far - day("2025-01-01")) == np.timedelta64(10**9 * 86_400, "s")


def test_crossing_date_per_draw_start_and_by_date() -> None:
    start = np.array(["2025-06-01", "2025-01-01"], dtype="datetime64[D]")
    got = att.crossing_date(np.array([950_000.0, 900_000.0]), 1_000.0, 1e6, start)
    np.testing.assert_array_equal(got, np.array(["2025-07-21", "2025-04-11"], dtype="M8[s]"))
    dates = np.array(["2025-05-01", "2025-07-21", "2025-07-22", "NaT"], dtype="datetime64[s]")
    np.testing.assert_array_equal(
        att.prob_crossed_by(dates, "2025-07-21"), [True, True, False, False]
    )
    np.testing.assert_array_equal(att.undated(dates), [False, False, False, True])


@given(
    count=st.floats(0.0, 2e6),
    rate=st.floats(1.0, 5e3),
    threshold=st.floats(0.0, 2e6),
)
def test_crossing_date_inverts_to_the_threshold(
    count: float, rate: float, threshold: float
) -> None:
    start = day("2025-06-01")
    crossing = att.crossing_date(count, rate, threshold, start)
    days = (crossing - start) / np.timedelta64(1, "D")
    # Rounded to the second: within half a second of growth, plus float rounding.
    tol = rate * 0.5 / 86_400 + 1e-9 * max(count, threshold, 1.0)
    assert abs(count + rate * days - threshold) <= tol


# ------------------------------------------------------------------------------ trajectories
ANCHORS = [("2025-01-01", 700_000.0), ("2025-01-11", 710_000.0), ("2025-01-31", 750_000.0)]


def test_trajectory_exact_at_between_and_beyond_anchors() -> None:
    dates = [
        "2024-12-22",  # 10 days before the first: 700,000 - 10 * 500
        "2025-01-01",
        "2025-01-06",  # half way, first segment: 705,000
        "2025-01-11",
        "2025-01-26",  # three quarters of the second segment: 710,000 + 0.75 * 40,000
        "2025-01-31",
        "2025-02-10",  # 10 days after the last: 750,000 + 10 * 500
    ]
    traj = att.trajectory(ANCHORS, 500.0, dates)
    assert traj.dims == ("date",)
    assert traj["date"].dtype == np.dtype("datetime64[s]")
    np.testing.assert_array_equal(
        traj.values, [695_000.0, 700_000.0, 705_000.0, 710_000.0, 740_000.0, 750_000.0, 755_000.0]
    )


def test_trajectory_draws_and_order_of_anchors() -> None:
    later = np.array([710_000.0, 720_000.0])
    rate = np.array([500.0, 1_000.0])
    anchors = [("2025-01-11", later), ("2025-01-01", 700_000.0)]  # given out of order
    traj = att.trajectory(anchors, rate, ["2025-01-06", "2025-01-21"])
    assert traj.dims == ("draw", "date")
    np.testing.assert_array_equal(traj.values, [[705_000.0, 715_000.0], [710_000.0, 730_000.0]])
    no_rate = att.trajectory(anchors, None, ["2024-12-31", "2025-01-11", "2025-01-12"])
    np.testing.assert_array_equal(no_rate.values[:, 1], later)
    assert np.isnan(no_rate.values[:, [0, 2]]).all()


def test_trajectory_dataarrays() -> None:
    first = xr.DataArray([700_000.0, 690_000.0], dims="draw")
    rate = xr.DataArray([1_000.0, 2_000.0], dims="draw")
    traj = att.trajectory([("2025-01-01", first)], rate, ["2025-01-01", "2025-01-03"])
    assert traj.dims == ("draw", "date")
    np.testing.assert_array_equal(traj.values, [[700_000.0, 702_000.0], [690_000.0, 694_000.0]])


def test_trajectory_refuses_bad_anchors() -> None:
    with pytest.raises(InputError, match="anchors must be a non-empty sequence"):
        att.trajectory([], 1.0, ["2025-01-01"])
    with pytest.raises(InputError, match=r"anchors\[0\] and anchors\[1\] share the date"):
        att.trajectory([("2025-01-01", 1.0), ("2025-01-01", 2.0)], 1.0, ["2025-01-01"])
    with pytest.raises(InputError, match=r"anchors\[1\] must be a \(date, counts\) pair"):
        att.trajectory([("2025-01-01", 1.0), 5.0], 1.0, ["2025-01-01"])  # type: ignore[list-item]
    with pytest.raises(InputError, match=r"anchors\[0\] counts must be numbers"):
        att.trajectory([("2025-01-01", "many")], 1.0, ["2025-01-01"])


def test_crossing_from_trajectory_exact_for_linear_cases() -> None:
    dates = ["2025-05-01", "2025-06-01", "2025-07-01", "2025-08-01", "2025-09-01", "2025-10-01"]
    counts = np.array([900_000.0, 950_000.0, 1_060_000.0])
    rate = np.array([1_000.0, 1_000.0, 1_000.0])
    traj = att.trajectory([("2025-06-01", counts)], rate, dates)
    got = att.crossing_from_trajectory(traj, 1_000_000)
    assert got.dims == ("draw",)
    expected = att.crossing_date(counts, rate, 1_000_000, "2025-06-01")
    expected[2] = np.datetime64("NaT")  # above the threshold on the first date: crossed earlier
    np.testing.assert_array_equal(got.values, expected)
    assert got.values[0] == day("2025-09-09")
    # Between anchors: crossing inside a segment, and exactly on a date.
    seg = att.trajectory(ANCHORS, 0.0, ["2025-01-01", "2025-01-11", "2025-01-31"])
    assert att.crossing_from_trajectory(seg, 730_000.0).values == day("2025-01-21")
    assert att.crossing_from_trajectory(seg, 710_000.0).values == day("2025-01-11")
    assert att.crossing_from_trajectory(seg, 700_000.0).values == day("2025-01-01")
    assert np.isnat(att.crossing_from_trajectory(seg, 800_000.0).values)


def test_crossing_from_trajectory_refuses_non_trajectories() -> None:
    with pytest.raises(InputError, match="traj must be a DataArray with a 'date' dimension"):
        att.crossing_from_trajectory(np.arange(3.0), 1.0)  # type: ignore[arg-type]
    bad = xr.DataArray([1.0, 2.0], dims="date", coords={"date": [2.0, 1.0]})
    with pytest.raises(InputError, match="datetime64 'date' coordinate"):
        att.crossing_from_trajectory(bad, 1.0)


# ------------------------------------------------------------------------------ consistency
def consistency_setup(later_mean: float, later_sd: float) -> att.Consistency:
    z = quantile_grid(20_000)
    rng = np.random.default_rng(3)
    earlier = 790_000.0 + 20_000.0 * rng.permutation(z)
    rate = 1_000.0 + 100.0 * rng.permutation(z)
    later = later_mean + later_sd * rng.permutation(z)
    return att.consistency(earlier, later, rate, date_earlier="2025-03-01", date_later="2025-06-09")


def test_consistency_verdicts() -> None:
    # Predicted: 790,000 + 100 days * 1,000 = 890,000, sd sqrt(20k^2 + (100 * 100)^2) = 22,361.
    agree = consistency_setup(900_000.0, 20_000.0)
    assert agree.verdict == "consistent"
    assert agree.days == 100.0
    assert agree.tail_probability > 0.5
    assert agree.median_discrepancy == pytest.approx(10_000.0, abs=1_500.0)
    assert 0.7 < agree.prob_in_predicted < 1.0
    assert agree.implied_rate == pytest.approx(1_100.0, abs=20.0)
    far = consistency_setup(1_200_000.0, 20_000.0)
    assert far.verdict == "inconsistent"
    assert far.tail_probability == 0.0
    assert far.prob_later_higher == 1.0
    assert far.prob_in_predicted == 0.0
    assert str(far).startswith("inconsistent: the later figure is 3")
    assert "(35%) above what the earlier figure plus the rate predict" in str(far)
    # Discrepancy ~ N(70,000, 30,000): two-sided p = 2 * (1 - Phi(2.33)) = 0.0196.
    tense = consistency_setup(960_000.0, 20_000.0)
    assert tense.verdict == "in tension"
    sd = float(np.hypot(22_360.68, 20_000.0))
    assert tense.tail_probability == pytest.approx(2 * stats.norm.sf(70_000.0 / sd), abs=0.005)


def test_consistency_exact_for_constants_and_thresholds() -> None:
    result = att.consistency(
        800_000.0, 900_000.0, 1_000.0, date_earlier="2025-03-01", date_later="2025-06-09"
    )
    assert (result.verdict, result.tail_probability, result.median_discrepancy) == (
        "consistent",
        1.0,
        0.0,
    )
    assert result.implied_rate == 1_000.0
    with pytest.raises(InputError, match=r"date_later=2025-03-01.* must be after date_earlier"):
        att.consistency(1.0, 2.0, 1.0, date_earlier="2025-06-09", date_later="2025-03-01")
    with pytest.raises(InputError, match="thresholds must be two probabilities"):
        att.consistency(
            1.0,
            2.0,
            1.0,
            date_earlier="2025-01-01",
            date_later="2025-03-01",
            thresholds=(0.01, 0.1),
        )
    with pytest.raises(InputError, match="same number of draws"):
        att.consistency(
            np.ones(3), np.ones(4), 1.0, date_earlier="2025-01-01", date_later="2025-03-01"
        )


# ------------------------------------------------------------------------------ fit_trajectory
def synthetic_series(rate: float = 1_000.0, sd: float = 150.0, seed: int = 7) -> xr.DataArray:
    days = np.arange("2022-02-25", "2026-08-09", dtype="datetime64[D]")
    steps = np.random.default_rng(seed).normal(rate, sd, days.size)
    return xr.DataArray(
        np.cumsum(steps), dims="date", coords={"date": days}, name="cumulative losses"
    )


def test_fit_trajectory_recovers_the_rate_and_the_crossing_date() -> None:
    series = synthetic_series()
    values = series.values
    actual = series["date"].values[np.argmax(values >= 1_000_000)].astype("datetime64[D]")
    end = actual - np.timedelta64(60, "D")
    dates = np.arange(end, end + np.timedelta64(200, "D"))
    fit = att.fit_trajectory(series, rng=11, end=end, dates=dates, draws=2_000)
    assert fit.blocks == 13
    assert fit.anchor_date == end
    assert fit.anchor_count == values[series["date"].values == end][0]
    assert abs(fit.rate_mean - 1_000.0) < 3.0 * fit.rate_se
    # The standard error should be about sd / sqrt(window) = 150 / sqrt(91) = 15.7.
    assert 8.0 < fit.rate_se < 30.0
    assert 90.0 < fit.noise_sd < 250.0
    assert float(fit.rate.std()) == pytest.approx(fit.rate_se, rel=0.1)
    crossing = fit.crossing(1_000_000)
    assert not att.undated(crossing).any()
    lo, mid, hi = np.quantile(crossing.values.astype(np.int64), [0.005, 0.5, 0.995])
    actual_s = actual.astype("datetime64[s]").astype(np.int64)
    assert lo <= actual_s <= hi
    assert abs(mid - actual_s) < 5 * 86_400


def test_fit_trajectory_noise_free_line_is_exact() -> None:
    days = np.arange("2025-01-01", "2025-07-01", dtype="datetime64[D]")
    series = xr.DataArray(
        500_000 + 1_000.0 * np.arange(days.size), dims="date", coords={"date": days}
    )
    fit = att.fit_trajectory(series, rng=1, draws=5, dates=["2024-12-01", "2026-12-01"])
    assert (fit.rate_mean, fit.rate_se, fit.noise_sd) == (1_000.0, 0.0, 0.0)
    np.testing.assert_array_equal(fit.trajectories.values[:, 0], 469_000.0)
    crossing = fit.crossing(1_000_000)
    np.testing.assert_array_equal(crossing.values, day("2026-05-16"))  # day 500 after 2025-01-01


def test_fit_trajectory_from_dated_estimates_and_seed_reproducible() -> None:
    anchors = [("2025-01-01", 700_000.0), ("2025-05-01", 820_000.0)]
    fit = att.fit_trajectory(anchors, rng=5, window=28, draws=3)
    assert fit.rate_mean == pytest.approx(1_000.0, rel=1e-12)
    again = att.fit_trajectory(anchors, rng=5, window=28, draws=3)
    xr.testing.assert_identical(fit.trajectories, again.trajectories)
    series = synthetic_series()
    one = att.fit_trajectory(series, rng=np.random.default_rng(2), draws=50)
    two = att.fit_trajectory(series, rng=np.random.default_rng(2), draws=50)
    np.testing.assert_array_equal(one.trajectories.values, two.trajectories.values)
    logn = att.fit_trajectory(series, rng=2, draws=2_000, rate_model="lognormal")
    assert (logn.rate.values > 0).all()
    assert float(logn.rate.mean()) == pytest.approx(logn.rate_mean, rel=0.01)


def test_fit_trajectory_refuses_bad_input() -> None:
    series = synthetic_series()
    with pytest.raises(InputError, match="needs 91 days of the series before it"):
        att.fit_trajectory(series, rng=1, end="2022-03-01")
    with pytest.raises(InputError, match="window=10 must hold at least two blocks"):
        att.fit_trajectory(series, rng=1, window=10)
    with pytest.raises(InputError, match="rate_model='gaussian' is not one of"):
        att.fit_trajectory(series, rng=1, rate_model="gaussian")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="rng must be a non-negative integer seed"):
        att.fit_trajectory(series, rng=-1)
    with pytest.raises(InputError, match="1-d DataArray on a 'date' coordinate"):
        att.fit_trajectory(series.rename(date="day"), rng=1)


# ------------------------------------------------------------------------------ expressions
def test_functions_are_registered_under_their_names() -> None:
    for name in (
        "killed_share",
        "wounded",
        "wounded_per_killed",
        "broken_split",
        "share_of",
        "ratio",
        "prob_between",
        "prob_greater",
        "implied_rate",
        "crossing_date",
        "undated",
        "prob_crossed_by",
        "multiple_of",
        "per_area",
    ):
        assert FUNCTIONS[name] is getattr(att, name)


def test_expressions_call_the_domain_functions() -> None:
    values = {"c": np.array([950_000.0, 950_000.0]), "r": np.array([1_000.0, 0.0])}
    got = parse("crossing_date(c, r, 1_000_000, '2025-06-01')").evaluate(values)
    np.testing.assert_array_equal(got, np.array(["2025-07-21", "NaT"], dtype="datetime64[s]"))
    crossed = parse(
        "prob_crossed_by(crossing_date(c, r, 1_000_000, '2025-06-01'), '2025-08-01')"
    ).evaluate(values)
    np.testing.assert_array_equal(crossed, [True, False])
    band = parse("prob_between(ratio(ru, ua), 2, 2.5)").evaluate(
        {"ru": np.array([1.0e6, 1.3e6]), "ua": np.array([4.5e5, 5e5])}
    )
    np.testing.assert_array_equal(band, [True, False])
    rate = parse("implied_rate(a, '2025-03-01', b, '2025-06-09')").evaluate(
        {"a": 790_000.0, "b": 900_000.0}
    )
    assert rate == 1_100.0
    with pytest.raises(InputError, match=r"cannot evaluate .*share must be in"):
        parse("share_of(c, 2)").evaluate(values)


def test_model_with_domain_functions_simulates() -> None:
    model = asim.Model(
        inputs={
            "casualties": asim.from_range(1.1e6, 1.3e6),
            "share": asim.from_range(0.2, 0.3, family="beta"),
            "rate": asim.from_range(900.0, 1_100.0),
        },
        derived={
            "killed": "share_of(casualties, share)",
            "wpk": "wounded_per_killed(casualties, killed)",
            "crossing": "crossing_date(casualties, rate, 1_500_000, '2025-06-01')",
            "by_2026": "prob_crossed_by(crossing, '2026-01-01')",
        },
    )
    ds = asim.simulate(model, draws=4_000, seed=3)
    assert ds["crossing"].dtype.kind == "M"
    assert not np.isnan(ds["wpk"]).any()
    assert 0.0 < float(ds["by_2026"].mean()) < 1.0


def test_dataarray_in_dataarray_out() -> None:
    a = xr.DataArray([1.0, 3.0], dims="draw", attrs={"units": "people"})
    out = att.ratio(a, np.array([2.0, 2.0]))
    assert isinstance(out, xr.DataArray)
    assert out.dims == ("draw",)
    np.testing.assert_array_equal(out.values, [0.5, 1.5])
    dates = att.crossing_date(a * 1e5, 1_000.0, 1e6, "2025-06-01")
    assert isinstance(dates, xr.DataArray)
    assert dates.dtype == np.dtype("datetime64[s]")
    assert isinstance(att.undated(dates), xr.DataArray)
    assert isinstance(att.prob_crossed_by(dates, "2026-01-01"), xr.DataArray)
    # Broadcasting by name: sources x draws.
    b = xr.DataArray([1.0, 2.0, 4.0], dims="source")
    assert att.prob_greater(a, b).dims == ("draw", "source")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: att.ratio("a", 1.0), "a must be numbers"),
        (lambda: att.ratio(1.0, np.ones((2, 2))), r"b must be a scalar or a 1-d array"),
        (lambda: att.prob_between(1.0, "x", 2.0), "lo must be numbers"),
        (lambda: att.crossing_date(1.0, 1.0, 2.0, 5), "start must be dates"),
        (lambda: att.crossing_date(1.0, None, 2.0, "2025-01-01"), "rate must be numbers"),
        (lambda: att.split([1.0], [0.5], "none"), "missing must be numbers"),
        (lambda: att.prob_crossed_by(np.ones(2), "2025-01-01"), "dates must be dates"),
    ],
)
def test_bad_input_names_the_argument(call: Any, message: str) -> None:
    with pytest.raises(InputError, match=message):
        call()
