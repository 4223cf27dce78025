"""attrition.trajectory: trajectories through anchors, fitted ones, and their crossings."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import attritionsim.attrition as att
from attritionsim.errors import InputError


def day(text: str) -> np.datetime64:
    return np.datetime64(text, "s")


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
    fit = att.fit_trajectory(series, rng=11, end=end, dates=dates, draws=1_000)
    assert fit.anchor_date == end
    assert fit.anchor_count == values[series["date"].values == end][0]
    assert fit.window_start == end - np.timedelta64(91, "D")
    sources = [str(s) for s in fit.synthesis["source"].values]
    assert sources[-1] == f"series-{end}" and len(sources) == 14  # every 7th day, and the start
    assert abs(fit.rate_mean - 1_000.0) < 3.0 * fit.rate_se
    assert 20.0 < fit.rate_se < 400.0  # 2% read errors on ~900,000 over 91 days
    assert float(fit.rate.std(ddof=1)) == pytest.approx(fit.rate_se, rel=1e-12)
    crossing = fit.crossing(1_000_000)
    lo, hi = np.quantile(crossing.values[~np.isnat(crossing.values)].astype(np.int64), [0.01, 0.99])
    actual_s = actual.astype("datetime64[s]").astype(np.int64)
    assert lo <= actual_s <= hi


def test_fit_trajectory_paths_never_decrease_and_the_rate_error_is_honest() -> None:
    # The finding: on two dated estimates the old fit reported a rate standard error of
    # ~2e-12, and 43% of its paths decreased on some day.
    anchors = [("2025-01-01", 700_000.0), ("2025-05-01", 820_000.0)]
    fit = att.fit_trajectory(anchors, rng=5, window=120, draws=500)
    assert (fit.trajectories.diff("date") >= 0).all()
    assert (fit.rate.values > 0).all()
    assert 600.0 < fit.rate_mean < 1_400.0
    assert fit.rate_se > 50.0  # two figures each known to 2% (14,000-16,000): about 170 a day
    assert fit.trajectories.sizes["date"] == 121


def test_fit_trajectory_seed_reproducible() -> None:
    series = synthetic_series()
    one = att.fit_trajectory(series, rng=3, draws=200)
    two = att.fit_trajectory(series, rng=3, draws=200)
    np.testing.assert_array_equal(one.trajectories.values, two.trajectories.values)
    three = att.fit_trajectory(series, rng=np.random.default_rng(2), draws=200)
    four = att.fit_trajectory(series, rng=np.random.default_rng(2), draws=200)
    np.testing.assert_array_equal(three.trajectories.values, four.trajectories.values)


def test_fit_trajectory_refuses_bad_input() -> None:
    series = synthetic_series()
    with pytest.raises(InputError, match="needs 91 days of the series before it"):
        att.fit_trajectory(series, rng=1, end="2022-03-01")
    with pytest.raises(InputError, match="window must be a positive integer"):
        att.fit_trajectory(series, rng=1, window=0)
    with pytest.raises(InputError, match="rng must be a non-negative integer seed"):
        att.fit_trajectory(series, rng=-1)
    with pytest.raises(InputError, match="1-d DataArray on a 'date' coordinate"):
        att.fit_trajectory(series.rename(date="day"), rng=1)
    with pytest.raises(InputError, match="outlier"):
        att.fit_trajectory(series, rng=1, draws=100, outlier=0.7)
