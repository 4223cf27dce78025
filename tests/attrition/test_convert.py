"""attrition._convert through the public functions: labels carried, bad arguments named."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import xarray as xr

import attritionsim.attrition as att
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
