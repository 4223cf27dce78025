"""attrition._convert through the public functions: labels carried, bad arguments named."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import xarray as xr

import attritionsim.attrition as att
from attritionsim.attrition import _convert
from attritionsim.errors import InputError


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


def test_seconds_and_dates_round_trip() -> None:
    dates = np.array(["1970-01-02", "NaT", "2025-06-01T06:00:00"], dtype="datetime64[s]")
    secs = _convert.seconds(dates)
    np.testing.assert_array_equal(secs[[0, 2]], [86_400.0, 1_748_757_600.0])
    assert np.isnan(secs[1])
    np.testing.assert_array_equal(_convert.to_dates(secs), dates)
    far = _convert.to_dates(np.array([1e19, -np.inf, 0.4]))
    np.testing.assert_array_equal(far, np.array(["NaT", "NaT", "1970-01-01"], dtype="M8[s]"))
    assert _convert.SECONDS_PER_DAY == 86_400.0


def test_one_date_and_show_name_the_argument() -> None:
    assert _convert.one_date("end", "2025-06-01") == np.datetime64("2025-06-01", "s")
    with pytest.raises(InputError, match=r"^end must be a date; got NaT$"):
        _convert.one_date("end", np.datetime64("NaT"))
    with pytest.raises(InputError, match=r"^end must be a single date; got an array of <U10"):
        _convert.one_date("end", np.array(["2025-06-01", "2025-06-02"]))
    assert _convert.show(1_200_000.0) == "1,200,000"
    assert _convert.show(list(range(8))) == "a list of 8 items"
    assert _convert.show(xr.DataArray([1.0], dims="draw")) == (
        "a DataArray of float64 with dims ('draw',)"
    )


def test_numbers_keep_dataarrays_and_apply_labels_plain_draws() -> None:
    da = xr.DataArray([1.0, 2.0], dims="draw")
    assert _convert.numbers("x", da) is da
    assert _convert.numbers("x", 3).dtype == np.float64
    out = _convert.apply(np.add, da, np.array([10.0, 20.0]))
    assert isinstance(out, xr.DataArray)
    assert out.dims == ("draw",)
    np.testing.assert_array_equal(out.values, [11.0, 22.0])
    assert _convert.apply(np.add, 1.0, 2.0) == 3.0
    with pytest.raises(InputError, match=r"^x must have one dimension \(draw\)"):
        _convert.draw_vector("x", xr.DataArray(np.ones((2, 2)), dims=("draw", "source")))
