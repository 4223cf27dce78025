r"""Argument conversion for the attrition functions, in one place: numbers, dates, labels, glue.

The public functions of :mod:`attritionsim.attrition` take numbers and dates per draw as numpy
arrays, scalars or :class:`xarray.DataArray`\ s. This module turns each argument into what the
numpy kernels take (a float array, a ``datetime64[s]`` array, or the DataArray as it is),
refusing bad ones with an :class:`~attritionsim.errors.InputError` that names the argument and
shows the value; and runs a kernel, through :func:`xarray.apply_ufunc` when any argument is
labelled. Dates to and from float seconds (the kernels' view of time) and the constants that go
with them come from :mod:`attritionsim._dates`, the package's one home of date conversion, and
are re-exported here for the attrition modules.

The names here are public inside this private module: the attrition modules share them.
"""

from __future__ import annotations

import datetime as dt
import numbers as _numbers_abc
from collections.abc import Callable
from typing import Any, TypeAlias, cast

import numpy as np
import numpy.typing as npt
import xarray as xr

from .. import _dates
from .._dates import MAX_SECONDS, NAT, SECONDS_PER_DAY, seconds, to_dates
from .._format import fmt_number
from ..errors import InputError

__all__ = [
    "MAX_SECONDS",
    "NAT",
    "SECONDS_PER_DAY",
    "Dates",
    "Draws",
    "Values",
    "apply",
    "as_dataarray",
    "dates",
    "draw_vector",
    "labelled",
    "numbers",
    "one_date",
    "scalar_check",
    "seconds",
    "show",
    "to_dates",
]

#: Numbers per draw: an array, a scalar or a DataArray.
Draws: TypeAlias = npt.ArrayLike | xr.DataArray
#: One date or dates per draw: ISO strings, :class:`datetime.date`, ``numpy.datetime64``,
#: arrays of them, or a DataArray of ``datetime64``.
Dates: TypeAlias = str | dt.date | np.datetime64 | npt.ArrayLike | xr.DataArray
#: What the per-draw functions return: a numpy array (a numpy scalar for scalar arguments), or
#: a DataArray when any argument is one.
Values: TypeAlias = npt.NDArray[Any] | np.generic | xr.DataArray


def show(value: object) -> str:
    """A short description of a received value for an error message."""
    if isinstance(value, xr.DataArray):
        return f"a DataArray of {value.dtype} with dims {value.dims}"
    if isinstance(value, np.ndarray) and value.ndim:
        return f"an array of {value.dtype} with shape {value.shape}"
    if isinstance(value, list | tuple) and len(value) > 6:
        return f"a {type(value).__name__} of {len(value)} items"
    if isinstance(value, bool):
        return repr(value)
    if isinstance(value, _numbers_abc.Real):
        return fmt_number(float(value))
    return repr(value)


def numbers(name: str, value: object) -> npt.NDArray[np.float64] | xr.DataArray:
    """Numbers per draw: a DataArray of numbers as it is, anything else as a float array."""
    if isinstance(value, xr.DataArray):
        if value.dtype.kind not in "biuf":
            raise InputError(f"{name} must be numbers; got {show(value)}")
        return value
    if value is None or isinstance(value, str | bytes | dt.date | np.datetime64 | np.timedelta64):
        raise InputError(f"{name} must be numbers (a scalar or one per draw); got {value!r}")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(
            f"{name} must be numbers (a scalar or one per draw); got {show(value)}"
        ) from None
    if arr.ndim > 1:
        raise InputError(
            f"{name} must be a scalar or a 1-d array of draws; got shape {arr.shape} "
            "(use a DataArray with named dims for more dimensions)"
        )
    return arr


def draw_vector(name: str, value: Draws) -> npt.NDArray[np.float64]:
    """Numbers per draw as a plain float array (a DataArray must have one dimension)."""
    arr = numbers(name, value)
    if isinstance(arr, xr.DataArray):
        if arr.ndim > 1:
            raise InputError(f"{name} must have one dimension (draw); got dims {arr.dims}")
        arr = np.asarray(arr.values, dtype=np.float64)
    return arr


def dates(name: str, value: object) -> npt.NDArray[np.datetime64] | xr.DataArray:
    """Dates: a DataArray of datetime64 as it is, anything else as a datetime64[s] array."""
    if isinstance(value, xr.DataArray):
        if value.dtype.kind != "M":
            raise InputError(f"{name} must be dates (datetime64); got {show(value)}")
        return value
    arr = _dates.stamps(value)
    if arr is None:
        raise InputError(
            f"{name} must be dates ('YYYY-MM-DD' strings, datetime.date or numpy.datetime64); "
            f"got {show(value)}"
        )
    if arr.ndim > 1:
        raise InputError(f"{name} must be one date or a 1-d array of dates; got {arr.shape}")
    return arr


def one_date(name: str, value: object) -> np.datetime64:
    """A single date (not NaT) as datetime64[s]."""
    arr = dates(name, value)
    if isinstance(arr, xr.DataArray):
        arr = np.asarray(arr.values).astype("datetime64[s]")
    if arr.ndim != 0:
        raise InputError(f"{name} must be a single date; got {show(value)}")
    if np.isnat(arr):
        raise InputError(f"{name} must be a date; got NaT")
    return cast(np.datetime64, arr[()])


def labelled(value: Any) -> Any:
    """Next to a DataArray, a 1-d numpy array is taken to lie on ``draw``."""
    if isinstance(value, np.ndarray) and value.ndim == 1:
        return xr.DataArray(value, dims=("draw",))
    return value


def as_dataarray(value: Any) -> xr.DataArray:
    """A DataArray as it is; a scalar 0-d, a 1-d array on ``draw``."""
    return value if isinstance(value, xr.DataArray) else xr.DataArray(labelled(value))


def apply(kernel: Callable[..., npt.NDArray[Any]], *args: Any) -> Values:
    """Run a numpy kernel; through :func:`xarray.apply_ufunc` when any argument is labelled."""
    if any(isinstance(arg, xr.DataArray) for arg in args):
        result: xr.DataArray = xr.apply_ufunc(kernel, *[labelled(arg) for arg in args])
        return result
    out = np.asarray(kernel(*args))
    return out[()] if out.ndim == 0 else out


def scalar_check(name: str, value: Any, ok: Callable[[float], bool], valid: str) -> None:
    """Refuse a scalar constant that is outside its domain (draws get NaN instead)."""
    if not isinstance(value, xr.DataArray) and np.ndim(value) == 0:
        number = float(value)
        if not ok(number):
            raise InputError(f"{name} must be {valid}; got {fmt_number(number)}")
