"""attrition.rates: implied rates and crossing dates, exact and degenerate cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
import xarray as xr
from hypothesis import given
from hypothesis import strategies as st

import attritionsim.attrition as att
from attritionsim.errors import InputError
from attritionsim.synthesis import path_crossing_date

D = np.datetime64


def day(text: str) -> np.datetime64:
    return np.datetime64(text, "s")


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


def test_crossing_date_on_paths_is_path_crossing_date() -> None:
    paths = xr.DataArray(
        [[0.0, 900_000.0, 1_100_000.0], [0.0, 800_000.0, 900_000.0]],
        dims=("draw", "date"),
        coords={"date": np.array(["2022-02-24", "2025-01-01", "2025-03-01"], "datetime64[ns]")},
    )
    got = att.crossing_date(paths, 1_000_000)
    xr.testing.assert_identical(got, path_crossing_date(paths, 1_000_000))
    assert got.values[0] == day("2025-01-30T12:00:00")  # half way along the 59-day segment
    assert np.isnat(got.values[1])
    assert (got.attrs["censored"], got.attrs["not_by"]) == (1, "2025-03-01")
    xr.testing.assert_identical(att.crossing_date(paths, threshold=1_000_000), got)


def test_crossing_date_refuses_mixed_forms() -> None:
    paths = xr.DataArray(
        [[0.0, 2.0]],
        dims=("draw", "date"),
        coords={"date": np.array(["2025-01-01", "2025-01-02"], "datetime64[ns]")},
    )
    with pytest.raises(InputError, match=r"^crossing_date on paths .* takes \(paths, threshold\)"):
        att.crossing_date(paths, 1.0, start="2025-01-01")
    with pytest.raises(
        InputError, match=r"^crossing_date\(count, rate, threshold, start\) needs start"
    ):
        att.crossing_date(1.0, 1.0, 2.0)
    with pytest.raises(InputError, match="needs threshold"):
        att.crossing_date(1.0, 1.0)


def test_a_count_already_past_the_threshold_has_crossed_whatever_the_rate() -> None:
    # Issue 13: 1,050,000 on 1 June with a falling (or flat) rate was NaT ("never"), so
    # prob_crossed_by said False for a count already past one million.
    counts = np.array([1_050_000.0, 1_050_000.0, 1_050_000.0, 950_000.0, 950_000.0])
    rates = np.array([-10.0, 0.0, 1_000.0, 0.0, 1_000.0])
    got = att.crossing_date(counts, rates, 1_000_000, "2025-06-01")
    expected = np.array(
        ["2025-06-01", "2025-06-01", "2025-04-12", "NaT", "2025-07-21"], dtype="datetime64[s]"
    )
    np.testing.assert_array_equal(got, expected)
    assert att.prob_crossed_by(got, "2025-07-01").tolist() == [True, True, True, False, False]
