r"""The attrition model's derived quantities: splits, ratios, rates, crossing dates, trajectories.

Every function works elementwise over Monte Carlo draws with no Python loop over draws. It
takes numpy arrays (one value per draw), scalars or :class:`xarray.DataArray`\ s, and returns a
numpy array (a numpy scalar when every argument is a scalar), or a ``DataArray`` when any
argument is one: numpy kernels do the work and :func:`xarray.apply_ufunc` carries the labels,
broadcasting by dimension name (a plain 1-d array next to a ``DataArray`` is taken to lie on
``draw``). Bad arguments raise :class:`~attritionsim.errors.InputError` naming the argument.

Importing this module registers its per-draw functions in the expression language (see
:mod:`attritionsim.expr`), under the names below, so scenario expressions can call them:

======================================================  ==========================================
expression                                              per draw
======================================================  ==========================================
``killed_share(casualties, killed, missing=0)``         killed / casualties (NaN if broken)
``wounded(casualties, killed, missing=0)``              casualties - killed - missing (NaN if
                                                        broken)
``wounded_per_killed(casualties, killed, missing=0)``   wounded / killed (NaN if broken)
``broken_split(casualties, killed, missing=0)``         True where the accounting breaks
``share_of(total, share)``                              total * share (NaN unless 0 <= share <= 1)
``ratio(a, b)``                                         a / b
``prob_between(x, lo, hi)``, ``prob_greater(a, b)``     the event ``lo <= x <= hi``, ``a > b``
``implied_rate(count_a, date_a, count_b, date_b)``      per day between two dated counts
``crossing_date(count, rate, threshold, start)``        the date a threshold is crossed
``prob_crossed_by(dates, day)``, ``undated(dates)``     the event ``date <= day``; ``date`` is NaT
``multiple_of(x, reference)``                           x / reference (NaN if reference <= 0)
``per_area(losses, km2)``                               losses per km² (NaN if km2 <= 0)
======================================================  ==========================================

Events are booleans per draw: the function returns the event, and the summary of a boolean
quantity (its mean over draws) is its probability.

Broken draws
------------
A casualty count is killed + wounded + missing, so each draw must satisfy ``casualties > 0``,
``killed >= 0``, ``missing >= 0`` and ``killed + missing <= casualties`` (to a relative
rounding tolerance of 1e-12), all finite. A draw that breaks this is never silently kept or
clipped: its derived values are NaN, :func:`split` reports how many draws broke and
``split(..., strict=True)`` raises an :class:`InputError` saying how many. In an expression
model, ``broken_split(...)`` gives the per-draw flag, whose mean is the share of broken draws.

Sampling a total and its split together
---------------------------------------
Drawing killed and casualties independently lets a draw have more killed than casualties.
The coherent design samples the **total** as one input and the **killed share** as another (a
beta, which lives in (0, 1)), and derives the parts from them; every draw then satisfies the
accounting by construction and the ratios stay consistent with each other:

>>> import numpy as np
>>> import attritionsim as asim
>>> import attritionsim.attrition
>>> model = asim.Model(
...     inputs={
...         "casualties": asim.from_range(1.1e6, 1.3e6),
...         "share_killed": asim.from_range(0.2, 0.3, family="beta"),
...     },
...     derived={
...         "killed": "share_of(casualties, share_killed)",
...         "wounded": "wounded(casualties, killed)",
...         "wounded_per_killed": "wounded_per_killed(casualties, killed)",
...         "broken": "broken_split(casualties, killed)",
...     },
... )
>>> ds = asim.simulate(model, draws=10_000, seed=1)
>>> bool(np.allclose(ds["killed"] + ds["wounded"], ds["casualties"], rtol=1e-12))
True
>>> float(ds["broken"].mean())
0.0
>>> 2.5 < float(ds["wounded_per_killed"].median()) < 3.5
True

Crossing dates
--------------
:func:`crossing_date` returns ``datetime64[s]`` per draw, NaT where there is no date: a count
below the threshold with a rate that is not positive (it never gets there), a count above the
threshold with a rate that is not positive (crossed at some unknown earlier date), a NaN input,
or a date outside what ``datetime64[s]`` can hold. :func:`undated` flags them, so the share of
draws with no crossing date can be reported next to the interval of those with one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any, Literal, NamedTuple, TypeAlias, cast

import numpy as np
import numpy.typing as npt
import xarray as xr

from . import _validate
from ._format import fmt_number, fmt_sig
from ._rng import as_generator
from ._typing import SeedLike
from .errors import InputError
from .expr import register_function

__all__ = [
    "CONSISTENT_AT",
    "INCONSISTENT_BELOW",
    "Consistency",
    "Split",
    "TrajectoryFit",
    "broken_split",
    "consistency",
    "crossing_date",
    "crossing_from_trajectory",
    "fit_trajectory",
    "implied_rate",
    "killed_share",
    "multiple_of",
    "per_area",
    "prob_between",
    "prob_crossed_by",
    "prob_greater",
    "ratio",
    "share_of",
    "split",
    "trajectory",
    "undated",
    "wounded",
    "wounded_per_killed",
]

#: Numbers per draw: an array, a scalar or a DataArray.
Draws: TypeAlias = npt.ArrayLike | xr.DataArray
#: One date or dates per draw: ISO strings, :class:`datetime.date`, ``numpy.datetime64``,
#: arrays of them, or a DataArray of ``datetime64``.
Dates: TypeAlias = str | dt.date | np.datetime64 | npt.ArrayLike | xr.DataArray
#: What the per-draw functions return: a numpy array (a numpy scalar for scalar arguments), or
#: a DataArray when any argument is one.
Values: TypeAlias = npt.NDArray[Any] | np.generic | xr.DataArray

#: Two-sided tail probability at or above which :func:`consistency` says "consistent".
CONSISTENT_AT = 0.10
#: Two-sided tail probability below which :func:`consistency` says "inconsistent".
INCONSISTENT_BELOW = 0.01

_SECONDS_PER_DAY = 86_400.0
# Offsets beyond this many seconds from 1970 do not fit datetime64[s] (int64 ends at 9.22e18).
_MAX_SECONDS = 9.2e18
# Relative rounding slack in the accounting killed + missing <= casualties.
_ACCOUNTING_RTOL = 1e-12
_NAT = np.datetime64("NaT", "s")


# ============================================================================ validation + glue
def _show(value: object) -> str:
    """A short description of a received value for an error message."""
    if isinstance(value, xr.DataArray):
        return f"a DataArray of {value.dtype} with dims {value.dims}"
    if isinstance(value, np.ndarray) and value.ndim:
        return f"an array of {value.dtype} with shape {value.shape}"
    if isinstance(value, list | tuple) and len(value) > 6:
        return f"a {type(value).__name__} of {len(value)} items"
    if isinstance(value, bool):
        return repr(value)
    if isinstance(value, numbers.Real):
        return fmt_number(float(value))
    return repr(value)


def _numbers(name: str, value: object) -> npt.NDArray[np.float64] | xr.DataArray:
    """Numbers per draw: a DataArray of numbers as it is, anything else as a float array."""
    if isinstance(value, xr.DataArray):
        if value.dtype.kind not in "biuf":
            raise InputError(f"{name} must be numbers; got {_show(value)}")
        return value
    if value is None or isinstance(value, str | bytes | dt.date | np.datetime64 | np.timedelta64):
        raise InputError(f"{name} must be numbers (a scalar or one per draw); got {value!r}")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(
            f"{name} must be numbers (a scalar or one per draw); got {_show(value)}"
        ) from None
    if arr.ndim > 1:
        raise InputError(
            f"{name} must be a scalar or a 1-d array of draws; got shape {arr.shape} "
            "(use a DataArray with named dims for more dimensions)"
        )
    return arr


def _dates(name: str, value: object) -> npt.NDArray[np.datetime64] | xr.DataArray:
    """Dates: a DataArray of datetime64 as it is, anything else as a datetime64[s] array."""
    if isinstance(value, xr.DataArray):
        if value.dtype.kind != "M":
            raise InputError(f"{name} must be dates (datetime64); got {_show(value)}")
        return value
    try:
        arr = np.asarray(value)
        if arr.dtype.kind not in "MUO":
            raise TypeError
        arr = arr.astype("datetime64[s]")
    except (TypeError, ValueError, OverflowError):
        raise InputError(
            f"{name} must be dates ('YYYY-MM-DD' strings, datetime.date or numpy.datetime64); "
            f"got {_show(value)}"
        ) from None
    if arr.ndim > 1:
        raise InputError(f"{name} must be one date or a 1-d array of dates; got {arr.shape}")
    return arr


def _one_date(name: str, value: object) -> np.datetime64:
    """A single date (not NaT) as datetime64[s]."""
    arr = _dates(name, value)
    if isinstance(arr, xr.DataArray):
        arr = np.asarray(arr.values).astype("datetime64[s]")
    if arr.ndim != 0:
        raise InputError(f"{name} must be a single date; got {_show(value)}")
    if np.isnat(arr):
        raise InputError(f"{name} must be a date; got NaT")
    return cast(np.datetime64, arr[()])


def _seconds(dates: Any) -> npt.NDArray[np.float64]:
    """Dates as float seconds since 1970 (NaN for NaT); the kernels' view of time."""
    arr = np.asarray(dates).astype("datetime64[s]")
    secs = arr.astype(np.int64).astype(np.float64)
    return np.where(np.isnat(arr), np.nan, secs)


def _to_dates(seconds: npt.NDArray[np.float64]) -> npt.NDArray[np.datetime64]:
    """Float seconds since 1970 as datetime64[s], rounded to the second; NaT where undefined."""
    bad = ~(np.abs(seconds) <= _MAX_SECONDS)  # NaN and infinities too
    with np.errstate(invalid="ignore"):
        whole = np.asarray(np.rint(seconds)).astype(np.int64)
    out = whole.view("datetime64[s]")
    out[bad] = _NAT
    return out


def _nan_unless(ok: Any, values: Any) -> npt.NDArray[np.float64]:
    """``values`` (a fresh result, written in place) with NaN wherever ``ok`` is False."""
    out = np.asarray(values, dtype=np.float64)
    shape = np.broadcast_shapes(out.shape, np.shape(ok))
    if out.shape != shape or not out.flags.writeable:
        out = np.array(np.broadcast_to(out, shape))
    np.copyto(out, np.nan, where=np.logical_not(ok))
    return out


def _labelled(value: Any) -> Any:
    """Next to a DataArray, a 1-d numpy array is taken to lie on ``draw``."""
    if isinstance(value, np.ndarray) and value.ndim == 1:
        return xr.DataArray(value, dims=("draw",))
    return value


def _as_dataarray(value: Any) -> xr.DataArray:
    """A DataArray as it is; a scalar 0-d, a 1-d array on ``draw``."""
    return value if isinstance(value, xr.DataArray) else xr.DataArray(_labelled(value))


def _apply(kernel: Callable[..., npt.NDArray[Any]], *args: Any) -> Values:
    """Run a numpy kernel; through :func:`xarray.apply_ufunc` when any argument is labelled."""
    if any(isinstance(arg, xr.DataArray) for arg in args):
        labelled: xr.DataArray = xr.apply_ufunc(kernel, *[_labelled(arg) for arg in args])
        return labelled
    out = np.asarray(kernel(*args))
    return out[()] if out.ndim == 0 else out


def _scalar_check(name: str, value: Any, ok: Callable[[float], bool], valid: str) -> None:
    """Refuse a scalar constant that is outside its domain (draws get NaN instead)."""
    if not isinstance(value, xr.DataArray) and np.ndim(value) == 0:
        number = float(value)
        if not ok(number):
            raise InputError(f"{name} must be {valid}; got {fmt_number(number)}")


# ============================================================================ split
class Split(NamedTuple):
    """The killed / wounded split of casualty draws, made by :func:`split`.

    Each field is an array (or DataArray) over draws; ``broken`` flags the draws that break the
    accounting, where the other three fields are NaN.
    """

    killed_share: Values
    wounded: Values
    wounded_per_killed: Values
    broken: Values

    @property
    def n_broken(self) -> int:
        """How many draws break the accounting."""
        return int(np.count_nonzero(np.asarray(self.broken)))

    @property
    def broken_share(self) -> float:
        """The share of draws that break the accounting (0 when there are none)."""
        size = np.asarray(self.broken).size
        return self.n_broken / size if size else 0.0

    def to_dataset(self) -> xr.Dataset:
        """The split as a Dataset (dim ``draw`` for plain arrays), with the broken count in attrs.

        Examples
        --------
        >>> import numpy as np
        >>> from attritionsim.attrition import split
        >>> ds = split(np.array([100.0, 50.0]), np.array([25.0, 80.0])).to_dataset()
        >>> ds["wounded"].values.tolist(), ds.attrs["broken_draws"]
        ([75.0, nan], 1)
        """
        units = {"killed_share": "1", "wounded": "people", "wounded_per_killed": "1", "broken": ""}
        data = {}
        for name in self._fields:
            value = getattr(self, name)
            if not isinstance(value, xr.DataArray):
                value = xr.DataArray(value, dims=("draw",) if np.ndim(value) == 1 else ())
            data[name] = value.assign_attrs(
                units=units[name], long_name=name.replace("_", " ")
            ).rename(name)
        return xr.Dataset(data, attrs={"broken_draws": self.n_broken})


def _accounting(casualties: Any, killed: Any, missing: Any) -> npt.NDArray[np.bool_]:
    """True where a draw satisfies killed + wounded + missing = casualties with no part < 0.

    NaN fails every comparison, and an infinite part fails the sum (or ``casualties < inf``).
    """
    with np.errstate(invalid="ignore", over="ignore"):
        ok = (casualties > 0.0) & (casualties < np.inf) & (killed >= 0.0)
        if np.ndim(missing) or missing != 0.0:
            ok &= missing >= 0.0
            used = killed + missing
        else:
            used = killed
        ok &= used <= casualties * (1.0 + _ACCOUNTING_RTOL)
        return np.asarray(ok)


def _split_kernel(
    casualties: Any, killed: Any, missing: Any, strict: bool = False
) -> tuple[npt.NDArray[Any], ...]:
    ok = _accounting(casualties, killed, missing)
    if strict and not ok.all():
        _raise_broken(ok, casualties, killed, missing)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        wounded = _nan_unless(ok, np.maximum(casualties - killed - missing, 0.0))
        share = _nan_unless(ok, killed / casualties)
        per_killed = wounded / killed
    return share, wounded, per_killed, ~ok


def _killed_share_kernel(casualties: Any, killed: Any, missing: Any) -> npt.NDArray[np.float64]:
    ok = _accounting(casualties, killed, missing)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _nan_unless(ok, killed / casualties)


def _wounded_kernel(casualties: Any, killed: Any, missing: Any) -> npt.NDArray[np.float64]:
    ok = _accounting(casualties, killed, missing)
    with np.errstate(invalid="ignore", over="ignore"):
        return _nan_unless(ok, np.maximum(casualties - killed - missing, 0.0))


def _per_killed_kernel(casualties: Any, killed: Any, missing: Any) -> npt.NDArray[np.float64]:
    ok = _accounting(casualties, killed, missing)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        wounded = np.maximum(casualties - killed - missing, 0.0)
        return _nan_unless(ok, wounded / killed)


def _broken_kernel(casualties: Any, killed: Any, missing: Any) -> npt.NDArray[np.bool_]:
    return ~_accounting(casualties, killed, missing)


def _split_args(casualties: Draws, killed: Draws, missing: Draws) -> tuple[Any, Any, Any]:
    return (
        _numbers("casualties", casualties),
        _numbers("killed", killed),
        _numbers("missing", missing),
    )


def _raise_broken(ok: npt.NDArray[np.bool_], *parts: Any) -> None:
    bad = ~np.broadcast_to(ok, np.broadcast_shapes(*(np.shape(p) for p in parts), ok.shape))
    count, size = int(bad.sum()), bad.size
    where = int(np.flatnonzero(bad)[0])
    first = [float(np.broadcast_to(p, bad.shape).flat[where]) for p in parts]
    at = f" at draw {where}" if bad.ndim else ""
    raise InputError(
        f"split: {count:,} of {size:,} draws ({100.0 * count / size:.3g}%) break the accounting "
        "killed + wounded + missing = casualties (needs casualties > 0, killed >= 0, "
        f"missing >= 0, killed + missing <= casualties); first{at}: casualties="
        f"{fmt_number(first[0])}, killed={fmt_number(first[1])}, missing={fmt_number(first[2])}"
    )


def split(casualties: Draws, killed: Draws, missing: Draws = 0.0, *, strict: bool = False) -> Split:
    """Split casualty draws into killed share, wounded and wounded per killed.

    Casualties are killed + wounded + missing, so ``wounded = casualties - killed - missing``.

    Parameters
    ----------
    casualties, killed : array_like or DataArray
        Draws (or constants) of the total and of the killed.
    missing : array_like or DataArray, default 0
        Draws of the missing (and captured, where the total counts them).
    strict : bool, default False
        Raise instead of reporting when any draw breaks the accounting.

    Returns
    -------
    Split
        ``killed_share``, ``wounded``, ``wounded_per_killed`` and ``broken`` (per-draw flags),
        each an array, or a DataArray when any argument is one; ``n_broken`` and
        ``broken_share`` count the broken draws. Broken draws are NaN in the first three.
        A draw with no killed has ``wounded_per_killed`` of ``inf`` (``nan`` if it has no
        wounded either).

    Raises
    ------
    InputError
        If an argument is not numbers, or ``strict`` and some draw breaks the accounting (the
        message says how many, and shows the first).

    Examples
    --------
    >>> import numpy as np
    >>> from attritionsim.attrition import split
    >>> parts = split(np.array([400.0, 500.0, 100.0]), np.array([100.0, 100.0, 120.0]))
    >>> parts.wounded_per_killed
    array([ 3.,  4., nan])
    >>> parts.n_broken, parts.broken_share
    (1, 0.333...)
    >>> split(np.array([100.0]), np.array([120.0]), strict=True)
    Traceback (most recent call last):
    ...
    attritionsim.errors.InputError: split: 1 of 1 draws (100%) break the accounting ...
    """
    args = _split_args(casualties, killed, missing)
    if any(isinstance(arg, xr.DataArray) for arg in args):
        outs = xr.apply_ufunc(
            _split_kernel,
            *[_labelled(arg) for arg in args],
            kwargs={"strict": strict},
            output_core_dims=[[], [], [], []],
        )
        return Split(*outs)
    share, wounded_, per_killed, broken = (
        out[()] if out.ndim == 0 else out for out in _split_kernel(*args, strict=strict)
    )
    return Split(share, wounded_, per_killed, broken)


@register_function()
def killed_share(casualties: Draws, killed: Draws, missing: Draws = 0.0) -> Values:
    """Killed as a share of casualties per draw; NaN where the accounting breaks.

    Examples
    --------
    >>> import numpy as np
    >>> from attritionsim.attrition import killed_share
    >>> killed_share(np.array([400.0, 100.0]), np.array([100.0, 150.0]))
    array([0.25,  nan])
    """
    return _apply(_killed_share_kernel, *_split_args(casualties, killed, missing))


@register_function()
def wounded(casualties: Draws, killed: Draws, missing: Draws = 0.0) -> Values:
    """Wounded per draw, ``casualties - killed - missing``; NaN where the accounting breaks.

    Examples
    --------
    >>> import numpy as np
    >>> from attritionsim.attrition import wounded
    >>> wounded(np.array([400.0, 100.0]), np.array([100.0, 50.0]), np.array([20.0, 60.0]))
    array([280.,  nan])
    """
    return _apply(_wounded_kernel, *_split_args(casualties, killed, missing))


@register_function()
def wounded_per_killed(casualties: Draws, killed: Draws, missing: Draws = 0.0) -> Values:
    """Wounded per killed per draw; NaN where the accounting breaks, ``inf`` with no killed.

    Examples
    --------
    >>> import numpy as np
    >>> from attritionsim.attrition import wounded_per_killed
    >>> wounded_per_killed(np.array([400.0, 300.0]), np.array([100.0, 100.0]), 100.0)
    array([2., 1.])
    """
    return _apply(_per_killed_kernel, *_split_args(casualties, killed, missing))


@register_function()
def broken_split(casualties: Draws, killed: Draws, missing: Draws = 0.0) -> Values:
    """True for the draws that break the accounting; its mean is the share broken.

    Examples
    --------
    >>> import numpy as np
    >>> from attritionsim.attrition import broken_split
    >>> broken_split(np.array([400.0, 100.0, 100.0]), np.array([100.0, 150.0, -1.0]))
    array([False,  True,  True])
    """
    return _apply(_broken_kernel, *_split_args(casualties, killed, missing))


def _share_of_kernel(total: Any, share: Any) -> npt.NDArray[np.float64]:
    with np.errstate(invalid="ignore", over="ignore"):
        return _nan_unless((share >= 0.0) & (share <= 1.0), total * share)


@register_function()
def share_of(total: Draws, share: Draws) -> Values:
    """The part ``total * share`` of a total, per draw; NaN where ``share`` is outside [0, 1].

    With the total and the share drawn as two inputs, the part and the remainder
    (``total - part``) always add up: the recommended way to sample a split.

    Raises
    ------
    InputError
        If an argument is not numbers, or ``share`` is a constant outside [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from attritionsim.attrition import share_of
    >>> share_of(np.array([1.2e6, 1.0e6]), np.array([0.25, 1.5]))
    array([300000.,     nan])
    """
    total_ = _numbers("total", total)
    share_ = _numbers("share", share)
    _scalar_check("share", share_, lambda s: 0.0 <= s <= 1.0, "in [0, 1]")
    return _apply(_share_of_kernel, total_, share_)


# ============================================================================ ratios and events
def _ratio_kernel(a: Any, b: Any) -> npt.NDArray[np.float64]:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.asarray(np.true_divide(a, b))


@register_function()
def ratio(a: Draws, b: Draws) -> Values:
    """The ratio ``a / b`` per draw (``b == 0`` gives ``inf`` or ``nan``, as numpy does).

    The ratio of two independent lognormals is lognormal, with ``mu = mu_a - mu_b`` and
    ``sigma = sqrt(sigma_a**2 + sigma_b**2)``.

    Examples
    --------
    >>> import numpy as np
    >>> from attritionsim.attrition import ratio
    >>> ratio(np.array([1.2e6, 1.0e6]), np.array([5e5, 4e5]))
    array([2.4, 2.5])
    """
    return _apply(_ratio_kernel, _numbers("a", a), _numbers("b", b))


def _between_kernel(x: Any, lo: Any, hi: Any) -> npt.NDArray[np.bool_]:
    return np.asarray((lo <= x) & (x <= hi))


@register_function()
def prob_between(x: Draws, lo: Draws, hi: Draws) -> Values:
    """The event ``lo <= x <= hi`` per draw; summarize gives its probability.

    NaN draws are outside every band.

    Raises
    ------
    InputError
        If an argument is not numbers, or constant bounds have ``lo > hi``.

    Examples
    --------
    >>> import numpy as np
    >>> from attritionsim.attrition import prob_between
    >>> event = prob_between(np.array([1.9, 2.0, 2.3, 2.5, 2.6, np.nan]), 2.0, 2.5)
    >>> event
    array([False,  True,  True,  True, False, False])
    >>> float(event.mean())
    0.5
    """
    x_, lo_, hi_ = _numbers("x", x), _numbers("lo", lo), _numbers("hi", hi)
    scalars = not isinstance(lo_, xr.DataArray) and not isinstance(hi_, xr.DataArray)
    if scalars and np.ndim(lo_) == 0 and np.ndim(hi_) == 0 and float(lo_) > float(hi_):
        raise InputError(
            f"lo={fmt_number(float(lo_))} must not be above hi={fmt_number(float(hi_))}"
        )
    return _apply(_between_kernel, x_, lo_, hi_)


def _greater_kernel(a: Any, b: Any) -> npt.NDArray[np.bool_]:
    return np.asarray(a > b)


@register_function()
def prob_greater(a: Draws, b: Draws) -> Values:
    """The event ``a > b`` per draw; summarize gives its probability (NaN counts as False).

    Examples
    --------
    >>> import numpy as np
    >>> from attritionsim.attrition import prob_greater
    >>> prob_greater(np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 2.0]))
    array([False, False,  True])
    """
    return _apply(_greater_kernel, _numbers("a", a), _numbers("b", b))


def _positive_kernel(x: Any, reference: Any) -> npt.NDArray[np.float64]:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _nan_unless(reference > 0.0, x / reference)


@register_function()
def multiple_of(x: Draws, reference: Draws) -> Values:
    """``x`` as a multiple of a positive ``reference`` (e.g. the losses of an earlier war).

    Draws where ``reference <= 0`` give NaN: a multiple of a non-positive reference has no
    meaning.

    Raises
    ------
    InputError
        If an argument is not numbers, or ``reference`` is a constant ``<= 0``.

    Examples
    --------
    >>> import numpy as np
    >>> from attritionsim.attrition import multiple_of
    >>> multiple_of(np.array([250_000.0, 300_000.0]), 15_000.0)
    array([16.66666667, 20.        ])
    """
    x_, ref = _numbers("x", x), _numbers("reference", reference)
    _scalar_check("reference", ref, lambda r: r > 0.0, "> 0")
    return _apply(_positive_kernel, x_, ref)


@register_function()
def per_area(losses: Draws, km2: Draws) -> Values:
    """Losses per square kilometre of a positive area (NaN for draws where ``km2 <= 0``).

    Raises
    ------
    InputError
        If an argument is not numbers, or ``km2`` is a constant ``<= 0``.

    Examples
    --------
    >>> from attritionsim.attrition import per_area
    >>> float(per_area(400_000.0, 4_000.0))
    100.0
    """
    losses_, area = _numbers("losses", losses), _numbers("km2", km2)
    _scalar_check("km2", area, lambda a: a > 0.0, "> 0 (an area)")
    return _apply(_positive_kernel, losses_, area)


# ============================================================================ rates and dates
def _implied_rate_kernel(
    count_a: Any, date_a: Any, count_b: Any, date_b: Any
) -> npt.NDArray[np.float64]:
    secs_a, secs_b = _seconds(date_a), _seconds(date_b)
    same = secs_a == secs_b
    if np.any(same):
        day = np.broadcast_to(np.asarray(date_a).astype("datetime64[s]"), same.shape)
        raise InputError(
            f"date_a and date_b are the same ({day[same].flat[0]}); an implied rate needs two "
            "different dates"
        )
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.asarray((count_b - count_a) / ((secs_b - secs_a) / _SECONDS_PER_DAY))


@register_function()
def implied_rate(count_a: Draws, date_a: Dates, count_b: Draws, date_b: Dates) -> Values:
    """The average rate per day between two dated cumulative counts.

    ``(count_b - count_a) / days(date_b - date_a)``, with the days counted to the second.

    Parameters
    ----------
    count_a, count_b : array_like or DataArray
        The counts (draws or constants).
    date_a, date_b : date or array of dates or DataArray
        Their dates: ISO strings, :class:`datetime.date` or ``numpy.datetime64``.

    Returns
    -------
    numpy.ndarray or numpy.float64 or DataArray
        Per day; negative when the later count is lower.

    Raises
    ------
    InputError
        If the dates are the same (for any draw), or an argument has the wrong kind.

    Examples
    --------
    >>> from attritionsim.attrition import implied_rate
    >>> float(implied_rate(790_000, "2025-03-01", 900_000, "2025-06-09"))
    1100.0
    """
    return _apply(
        _implied_rate_kernel,
        _numbers("count_a", count_a),
        _dates("date_a", date_a),
        _numbers("count_b", count_b),
        _dates("date_b", date_b),
    )


def _crossing_kernel(count: Any, rate: Any, threshold: Any, start: Any) -> npt.NDArray[Any]:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        gap = np.asarray(threshold - count, dtype=np.float64)
        # At the threshold: start, whatever the rate; a rate <= 0 otherwise: no date.
        offset = _nan_unless(rate > 0.0, np.rint(gap / rate * _SECONDS_PER_DAY))
        np.copyto(offset, 0.0, where=gap == 0.0)
        return _to_dates(offset + _seconds(start))


@register_function()
def crossing_date(count: Draws, rate: Draws, threshold: Draws, start: Dates) -> Values:
    """The date a cumulative count crosses ``threshold``, growing at ``rate`` a day.

    The count stood at ``count`` on ``start``; it reaches ``threshold`` on
    ``start + (threshold - count) / rate`` days, computed to the second. A count already above
    the threshold gives the earlier date on which it crossed (a negative offset).

    Parameters
    ----------
    count : array_like or DataArray
        The count on ``start`` (draws or a constant).
    rate : array_like or DataArray
        The growth per day (draws or a constant).
    threshold : array_like or DataArray
        The level to cross, e.g. ``1_000_000``.
    start : date or array of dates or DataArray
        The date of ``count``: an ISO string, :class:`datetime.date` or ``numpy.datetime64``.

    Returns
    -------
    numpy.ndarray or numpy.datetime64 or DataArray
        ``datetime64[s]`` per draw. NaT where the rate is not positive (unless the count is
        exactly at the threshold: then ``start``), where an input is NaN or NaT, and where the
        date would fall outside the range of ``datetime64[s]``. Count them with
        :func:`undated`.

    Examples
    --------
    >>> import numpy as np
    >>> from attritionsim.attrition import crossing_date
    >>> crossing_date(950_000, 1_000, 1_000_000, "2025-06-01")
    np.datetime64('2025-07-21T00:00:00')
    >>> crossing_date(np.array([1_010_000.0, 950_000.0, 950_000.0]),
    ...               np.array([1_000.0, 0.0, -5.0]), 1_000_000, "2025-06-01")
    array(['2025-05-22T00:00:00', 'NaT', 'NaT'], dtype='datetime64[s]')
    """
    return _apply(
        _crossing_kernel,
        _numbers("count", count),
        _numbers("rate", rate),
        _numbers("threshold", threshold),
        _dates("start", start),
    )


def _undated_kernel(dates: Any) -> npt.NDArray[np.bool_]:
    return np.asarray(np.isnat(np.asarray(dates)))


@register_function()
def undated(dates: Dates) -> Values:
    """True for the draws with no date (NaT); its mean is the share of draws with no date.

    For :func:`crossing_date` these are the draws in which the threshold is never reached at
    the sampled rate (or whose crossing cannot be dated; see there).

    Examples
    --------
    >>> import numpy as np
    >>> from attritionsim.attrition import undated
    >>> undated(np.array(["2025-07-21", "NaT"], dtype="datetime64[s]"))
    array([False,  True])
    """
    return _apply(_undated_kernel, _dates("dates", dates))


def _crossed_by_kernel(dates: Any, day: Any) -> npt.NDArray[np.bool_]:
    secs = _seconds(dates)
    return np.asarray(secs <= _seconds(day))


@register_function()
def prob_crossed_by(dates: Dates, day: Dates) -> Values:
    """The event "crossed on or before ``day``" per draw (NaT counts as not crossed).

    Its mean over draws is the probability that the threshold is crossed by ``day``.

    Examples
    --------
    >>> import numpy as np
    >>> from attritionsim.attrition import prob_crossed_by
    >>> dates = np.array(["2025-05-01", "2025-07-21", "NaT"], dtype="datetime64[s]")
    >>> prob_crossed_by(dates, "2025-07-21")
    array([ True,  True, False])
    """
    return _apply(_crossed_by_kernel, _dates("dates", dates), _dates("day", day))


# ============================================================================ trajectories
def _trajectory_kernel(
    counts: npt.NDArray[np.float64],
    rate: npt.NDArray[np.float64],
    anchor_days: npt.NDArray[np.float64],
    days: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    """Counts ``(..., k)`` at ``anchor_days`` (k,) -> values ``(..., m)`` at ``days`` (m,)."""
    k = anchor_days.size
    seg = np.searchsorted(anchor_days, days, side="right") - 1  # -1 before the first anchor
    rate_ = np.asarray(rate)[..., None]
    with np.errstate(invalid="ignore", over="ignore"):
        before_dt = days - anchor_days[0]
        after_dt = days - anchor_days[-1]
        before = counts[..., :1] + np.where(before_dt == 0.0, 0.0, rate_ * before_dt)
        after = counts[..., -1:] + np.where(after_dt == 0.0, 0.0, rate_ * after_dt)
        if k == 1:
            return np.asarray(np.where(seg < 0, before, after))
        lo = np.clip(seg, 0, k - 2)
        weight = (days - anchor_days[lo]) / (anchor_days[lo + 1] - anchor_days[lo])
        start, stop = counts[..., lo], counts[..., lo + 1]
        inside = start + (stop - start) * weight
    return np.asarray(np.where(seg < 0, before, np.where(seg >= k - 1, after, inside)))


def trajectory(
    anchors: Sequence[tuple[Dates, Draws]], rate: Draws | None, dates: Dates
) -> xr.DataArray:
    """Cumulative counts on a ``date`` axis through dated anchors, extrapolated at ``rate``.

    Between two anchors the count moves linearly in time; before the first and after the last
    it moves at ``rate`` per day (the same rate both ways).

    Parameters
    ----------
    anchors : sequence of (date, counts) pairs
        Dated cumulative counts: counts are draws (1-d arrays, or DataArrays with dim ``draw``)
        or constants. The dates must differ; their order does not matter.
    rate : array_like or DataArray or None
        Growth per day used beyond the anchors (draws or a constant). ``None``: NaN beyond them.
    dates : sequence of dates
        The dates of the result, as ISO strings, ``datetime.date`` or ``numpy.datetime64``.

    Returns
    -------
    xarray.DataArray
        Dims ``(..., "date")`` (``("draw", "date")`` for draws, ``("date",)`` for constants),
        with a ``datetime64[s]`` ``date`` coordinate.

    Raises
    ------
    InputError
        No anchors, an anchor that is not a (date, counts) pair, two anchors on one date, a
        NaT, or arguments of the wrong kind.

    Examples
    --------
    >>> from attritionsim.attrition import trajectory
    >>> traj = trajectory([("2025-01-01", 700_000), ("2025-01-11", 710_000)], 500.0,
    ...                   ["2024-12-31", "2025-01-06", "2025-01-13"])
    >>> traj.values.tolist()
    [699500.0, 705000.0, 711000.0]
    """
    given: object = anchors  # typed loosely: callers outside mypy can pass anything
    pairs = list(given) if isinstance(given, list | tuple) else []
    if not pairs:
        raise InputError(f"anchors must be a non-empty sequence of (date, counts); got {anchors!r}")
    when, counts = [], []
    for i, pair in enumerate(pairs):
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise InputError(f"anchors[{i}] must be a (date, counts) pair; got {_show(pair)}")
        when.append(_one_date(f"anchors[{i}] date", pair[0]))
        counts.append(_numbers(f"anchors[{i}] counts", pair[1]))
    anchor_secs = _seconds(np.array(when))
    order = np.argsort(anchor_secs, kind="stable")
    repeated = np.flatnonzero(np.diff(anchor_secs[order]) == 0.0)
    if repeated.size:
        i, j = sorted(int(order[r]) for r in (repeated[0], repeated[0] + 1))
        raise InputError(f"anchors[{i}] and anchors[{j}] share the date {when[i]}; merge them")
    counts = [counts[int(i)] for i in order]
    rate_: Any = np.float64(np.nan) if rate is None else _numbers("rate", rate)
    out_dates = _dates("dates", dates)
    if isinstance(out_dates, xr.DataArray):
        out_dates = np.asarray(out_dates.values).astype("datetime64[s]")
    out_dates = np.atleast_1d(out_dates)
    if np.isnat(out_dates).any():
        raise InputError("dates must not contain NaT")
    origin = anchor_secs[order][0]
    anchor_days = (anchor_secs[order] - origin) / _SECONDS_PER_DAY
    days = (_seconds(out_dates) - origin) / _SECONDS_PER_DAY
    kwargs = {"anchor_days": anchor_days, "days": days}
    attrs = {"long_name": "cumulative count"}
    if any(isinstance(c, xr.DataArray) for c in [*counts, rate_]):
        labelled = xr.broadcast(*[_as_dataarray(c) for c in counts])
        stacked = xr.concat(labelled, dim="anchor", coords="minimal", compat="override")
        result: xr.DataArray = xr.apply_ufunc(
            _trajectory_kernel,
            stacked,
            _as_dataarray(rate_),
            kwargs=kwargs,
            input_core_dims=[["anchor"], []],
            output_core_dims=[["date"]],
        )
        return result.assign_coords(date=out_dates).assign_attrs(attrs)
    shape = np.broadcast_shapes(*(np.shape(c) for c in counts), np.shape(rate_))
    stacked_np = np.stack([np.broadcast_to(c, shape) for c in counts], axis=-1)
    values = _trajectory_kernel(stacked_np, np.broadcast_to(rate_, shape), anchor_days, days)
    dims = ("draw", "date") if values.ndim == 2 else ("date",)
    return xr.DataArray(values, dims=dims, coords={"date": out_dates}, attrs=attrs)


def _first_crossing_kernel(
    values: npt.NDArray[np.float64], threshold: Any, times: npt.NDArray[np.float64]
) -> npt.NDArray[Any]:
    thr = np.asarray(threshold, dtype=np.float64)[..., None]
    reached = values >= thr
    hit = reached.any(axis=-1)
    j = np.argmax(reached, axis=-1)[..., None]
    prev = np.maximum(j - 1, 0)
    v_hit = np.take_along_axis(values, j, axis=-1)[..., 0]
    v_prev = np.take_along_axis(values, prev, axis=-1)[..., 0]
    t_hit, t_prev = times[j[..., 0]], times[prev[..., 0]]
    thr0 = thr[..., 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = (thr0 - v_prev) / (v_hit - v_prev)
        between = t_prev + frac * (t_hit - t_prev)
    first = j[..., 0] == 0
    at_start = np.where(v_hit == thr0, t_hit, np.nan)
    seconds = np.where(hit, np.where(first, at_start, between), np.nan)
    return _to_dates(np.asarray(seconds, dtype=np.float64))


def crossing_from_trajectory(traj: xr.DataArray, threshold: Draws) -> xr.DataArray:
    """The first date a trajectory reaches ``threshold``, interpolated linearly between dates.

    Parameters
    ----------
    traj : xarray.DataArray
        Cumulative counts with a ``date`` dimension whose coordinate is datetime64, increasing
        (e.g. from :func:`trajectory`), and any other dims (``draw``).
    threshold : array_like or DataArray
        The level to reach (a constant, or per draw).

    Returns
    -------
    xarray.DataArray
        ``datetime64[s]`` over the dims of ``traj`` other than ``date``. It is the date on
        which the straight line between the last date below the threshold and the first date at
        or above it reaches the threshold. NaT where the trajectory never reaches it, or is
        already above it on its first date (it crossed before the dates given; extend them).

    Raises
    ------
    InputError
        If ``traj`` is not a DataArray with an increasing datetime ``date`` coordinate.

    Examples
    --------
    >>> from attritionsim.attrition import crossing_from_trajectory, trajectory
    >>> traj = trajectory([("2025-06-01", 950_000), ("2025-06-11", 990_000)], 1_000.0,
    ...                   ["2025-06-01", "2025-06-11", "2025-07-01"])
    >>> str(crossing_from_trajectory(traj, 1_000_000).values)
    '2025-06-21T00:00:00'
    """
    if not isinstance(traj, xr.DataArray) or "date" not in traj.dims:
        raise InputError(f"traj must be a DataArray with a 'date' dimension; got {_show(traj)}")
    if "date" not in traj.coords or traj["date"].dtype.kind != "M":
        raise InputError("traj must have a datetime64 'date' coordinate")
    if traj.dtype.kind not in "biuf":
        raise InputError(f"traj must hold numbers; got {traj.dtype}")
    times = _seconds(traj["date"].values)
    if np.isnan(times).any() or (np.diff(times) <= 0.0).any():
        raise InputError("traj's 'date' coordinate must be increasing with no NaT")
    thr = _numbers("threshold", threshold)
    result: xr.DataArray = xr.apply_ufunc(
        _first_crossing_kernel,
        traj.astype(np.float64),
        _labelled(thr),
        kwargs={"times": times},
        input_core_dims=[["date"], []],
    )
    reaching = fmt_number(float(thr)) if np.ndim(thr) == 0 else "the threshold"
    return result.assign_attrs(long_name=f"date reaching {reaching}")


# ============================================================================ consistency
@dataclasses.dataclass(frozen=True)
class Consistency:
    """How well a later dated figure agrees with an earlier one carried forward at a rate.

    Made by :func:`consistency`; ``str()`` gives a sentence for a report.

    Attributes
    ----------
    verdict : {"consistent", "in tension", "inconsistent"}
        From ``tail_probability`` and the thresholds (see :func:`consistency`).
    tail_probability : float
        Two-sided: ``2 * min(P(d > 0), P(d < 0))`` for the discrepancy ``d = later -
        predicted`` (ties at 0 counted half on each side). Near 1 when zero is in the middle of
        the discrepancy's distribution; below 0.1 when zero is outside its central 90%.
    prob_later_higher : float
        ``P(later > predicted)``.
    prob_in_predicted : float
        The probability that the later figure lies inside the central ``level`` interval of
        the prediction ``earlier + rate * days``.
    median_discrepancy : float
        Median of ``later - predicted``.
    discrepancy_interval : tuple of float
        Its central ``level`` interval.
    median_relative_discrepancy : float
        Median of ``(later - predicted) / predicted``.
    implied_rate : float
        Median of the rate the two figures imply, ``(later - earlier) / days``.
    implied_rate_interval : tuple of float
        Its central ``level`` interval.
    days : float
        Days from the earlier to the later date.
    level : float
        The credible level of the intervals.
    draws : int
        The draws used.
    invalid_draws : int
        Draws left out because a value was NaN or infinite.
    """

    verdict: Literal["consistent", "in tension", "inconsistent"]
    tail_probability: float
    prob_later_higher: float
    prob_in_predicted: float
    median_discrepancy: float
    discrepancy_interval: tuple[float, float]
    median_relative_discrepancy: float
    implied_rate: float
    implied_rate_interval: tuple[float, float]
    days: float
    level: float
    draws: int
    invalid_draws: int

    def describe(self) -> str:
        """A sentence for a report.

        Examples
        --------
        >>> from attritionsim.attrition import consistency
        >>> print(consistency(800_000, 1_000_000, 1_000, date_earlier="2025-03-01",
        ...                   date_later="2025-06-09"))
        inconsistent: the later figure is 100,000 (11%) above what the earlier figure plus the
        rate predict (90% interval of the difference 100,000 to 100,000; two-sided tail
        probability 0); the two figures imply 2,000 a day
        """
        med = self.median_discrepancy
        side = "above" if med > 0 else "below" if med < 0 else "at"
        pct = f"{100.0 * abs(self.median_relative_discrepancy):.2g}%"
        lo, hi = self.discrepancy_interval
        return (
            f"{self.verdict}: the later figure is {fmt_sig(abs(med))} ({pct}) {side} what the "
            f"earlier figure plus the rate predict ({100.0 * self.level:.3g}% interval of the "
            f"difference {fmt_sig(lo)} to {fmt_sig(hi)}; two-sided tail probability "
            f"{self.tail_probability:.2g}); the two figures imply "
            f"{fmt_sig(self.implied_rate)} a day"
        )

    def __str__(self) -> str:
        return self.describe()


def _draw_vector(name: str, value: Draws) -> npt.NDArray[np.float64]:
    arr = _numbers(name, value)
    if isinstance(arr, xr.DataArray):
        if arr.ndim > 1:
            raise InputError(f"{name} must have one dimension (draw); got dims {arr.dims}")
        arr = np.asarray(arr.values, dtype=np.float64)
    return arr


def consistency(
    earlier: Draws,
    later: Draws,
    rate: Draws,
    *,
    date_earlier: Dates,
    date_later: Dates,
    level: float = 0.9,
    thresholds: tuple[float, float] = (CONSISTENT_AT, INCONSISTENT_BELOW),
) -> Consistency:
    """Whether a later dated figure agrees with an earlier one carried forward at a rate.

    The earlier figure grown at ``rate`` for the days between the two dates predicts the later
    one: ``predicted = earlier + rate * days``. The discrepancy ``d = later - predicted`` is
    computed per draw, so the uncertainty of all three inputs enters it. The verdict reads the
    two-sided tail probability ``p = 2 * min(P(d > 0), P(d < 0))`` (ties at 0 count half):

    * ``p >= thresholds[0]`` (0.10): **consistent**, zero lies inside the central 90% of the
      discrepancy;
    * ``thresholds[1] <= p < thresholds[0]`` (0.01 to 0.10): **in tension**;
    * ``p < thresholds[1]``: **inconsistent**, zero lies outside the central 99%.

    Parameters
    ----------
    earlier, later : array_like or DataArray
        Draws (or constants) of the two cumulative figures; the same draws index all inputs,
        so pass draws from one simulation when inputs are correlated.
    rate : array_like or DataArray
        Draws (or a constant) of the growth per day between the two dates.
    date_earlier, date_later : date
        The dates of the two figures; ``date_later`` must be after ``date_earlier``.
    level : float, default 0.9
        Credible level of the reported intervals.
    thresholds : (float, float), default (0.10, 0.01)
        The tail probabilities separating the verdicts, in decreasing order.

    Returns
    -------
    Consistency
        The verdict, the tail probabilities, the median discrepancy and its interval, and the
        rate the two figures imply; ``str()`` of it is a report-ready sentence.

    Raises
    ------
    InputError
        Dates not in order, draws of different lengths, every draw invalid, bad ``level`` or
        ``thresholds``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.special import ndtri
    >>> from attritionsim.attrition import consistency
    >>> z = ndtri((np.arange(10_000) + 0.5) / 10_000)
    >>> rng = np.random.default_rng(0)
    >>> earlier = 790_000 + 20_000 * rng.permutation(z)
    >>> rate = 1_000 + 100 * rng.permutation(z)
    >>> result = consistency(earlier, 900_000 + 20_000 * z, rate,
    ...                      date_earlier="2025-03-01", date_later="2025-06-09")
    >>> result.verdict, round(result.median_discrepancy, -3)
    ('consistent', 10000.0)
    """
    lvl = _validate.level(level)
    pair = tuple(thresholds) if isinstance(thresholds, tuple | list) else ()
    if len(pair) != 2:
        raise InputError(f"thresholds must be two probabilities; got {thresholds!r}")
    hi_p, lo_p = (_validate.finite_real("thresholds", t) for t in pair)
    if not 0.0 < lo_p < hi_p < 1.0:
        raise InputError(
            f"thresholds must be two probabilities with 0 < second < first < 1; got {thresholds}"
        )
    start = _one_date("date_earlier", date_earlier)
    end = _one_date("date_later", date_later)
    days = float((end - start) / np.timedelta64(1, "s")) / _SECONDS_PER_DAY
    if days <= 0.0:
        raise InputError(f"date_later={end} must be after date_earlier={start}")
    parts = [
        _draw_vector(n, v) for n, v in (("earlier", earlier), ("later", later), ("rate", rate))
    ]
    try:
        e, lat, r = (np.atleast_1d(p) for p in np.broadcast_arrays(*parts))
    except ValueError:
        shapes = ", ".join(
            f"{n} {np.shape(p)}" for n, p in zip(("earlier", "later", "rate"), parts, strict=True)
        )
        raise InputError(
            f"earlier, later and rate must have the same number of draws; got {shapes}"
        ) from None
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        predicted = e + r * days
        diff = lat - predicted
        relative = diff / predicted
        implied = (lat - e) / days
    valid = np.isfinite(diff) & np.isfinite(relative)
    n = int(valid.sum())
    if n == 0:
        raise InputError("consistency: every draw has a NaN or infinite value")
    diff, relative, implied = diff[valid], relative[valid], implied[valid]
    lat, predicted = lat[valid], predicted[valid]
    p_higher = float(np.mean(diff > 0.0))
    p_right = p_higher + 0.5 * float(np.mean(diff == 0.0))
    tail = min(1.0, 2.0 * min(p_right, 1.0 - p_right))
    probs = [(1.0 - lvl) / 2.0, (1.0 + lvl) / 2.0]
    pred_lo, pred_hi = np.quantile(predicted, probs)
    d_lo, d_hi = np.quantile(diff, probs)
    r_lo, r_hi = np.quantile(implied, probs)
    verdict: Literal["consistent", "in tension", "inconsistent"] = (
        "consistent" if tail >= hi_p else "in tension" if tail >= lo_p else "inconsistent"
    )
    return Consistency(
        verdict=verdict,
        tail_probability=tail,
        prob_later_higher=p_higher,
        prob_in_predicted=float(np.mean((lat >= pred_lo) & (lat <= pred_hi))),
        median_discrepancy=float(np.median(diff)),
        discrepancy_interval=(float(d_lo), float(d_hi)),
        median_relative_discrepancy=float(np.median(relative)),
        implied_rate=float(np.median(implied)),
        implied_rate_interval=(float(r_lo), float(r_hi)),
        days=days,
        level=lvl,
        draws=n,
        invalid_draws=int(valid.size - n),
    )


# ============================================================================ fitted trajectories
@dataclasses.dataclass(frozen=True)
class TrajectoryFit:
    """Trajectories drawn from a rate fitted to a cumulative series; made by :func:`fit_trajectory`.

    Attributes
    ----------
    trajectories : xarray.DataArray
        Cumulative counts, dims ``("draw", "date")``.
    rate : xarray.DataArray
        The rate per day of each draw, dim ``draw``.
    rate_mean, rate_se : float
        The fitted mean daily increment over the window and its standard error.
    noise_sd : float
        The long-run standard deviation of daily increments (per square-root day): the
        random-walk spread around a straight line.
    anchor_date : numpy.datetime64
        The last day of the window (the ``end`` of the fit), where every trajectory starts.
    anchor_count : float
        The series' value on ``anchor_date``.
    window_start : numpy.datetime64
        The day before the first increment used.
    blocks : int
        The number of blocks in the window.
    """

    trajectories: xr.DataArray
    rate: xr.DataArray
    rate_mean: float
    rate_se: float
    noise_sd: float
    anchor_date: np.datetime64
    anchor_count: float
    window_start: np.datetime64
    blocks: int

    def crossing(self, threshold: Draws) -> xr.DataArray:
        """The date each trajectory first reaches ``threshold`` (see crossing_from_trajectory).

        Examples
        --------
        >>> import numpy as np, xarray as xr
        >>> from attritionsim.attrition import fit_trajectory
        >>> days = np.arange("2025-01-01", "2025-05-01", dtype="datetime64[D]")
        >>> series = xr.DataArray(900_000 + 1_000.0 * np.arange(days.size), dims="date",
        ...                       coords={"date": days})
        >>> fit = fit_trajectory(series, dates=["2025-04-30", "2025-08-31"], rng=1)
        >>> fit.crossing(1_100_000).values[:2]
        array(['2025-07-20T00:00:00', '2025-07-20T00:00:00'], dtype='datetime64[s]')
        """
        return crossing_from_trajectory(self.trajectories, threshold)


def _daily(
    data: xr.DataArray | Sequence[tuple[Dates, float]],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """The data as day numbers and values on every day from the first to the last (linear)."""
    if isinstance(data, xr.DataArray):
        if data.dims != ("date",) or "date" not in data.coords:
            raise InputError(
                f"the series must be a 1-d DataArray on a 'date' coordinate; got {_show(data)}"
            )
        when = _dates("series date", data["date"].values)
        values = _validate.finite_array("series values", data.values)
    else:
        given: object = data  # typed loosely: callers outside mypy can pass anything
        pairs = list(given) if isinstance(given, list | tuple) else []
        if len(pairs) < 2 or any(not isinstance(p, tuple | list) or len(p) != 2 for p in pairs):
            raise InputError(
                "fit_trajectory needs a DataArray on 'date' or a sequence of two or more "
                f"(date, count) pairs; got {_show(data)}"
            )
        when = np.array([_one_date(f"data[{i}] date", p[0]) for i, p in enumerate(pairs)])
        values = np.array(
            [_validate.finite_real(f"data[{i}] count", p[1]) for i, p in enumerate(pairs)]
        )
    assert not isinstance(when, xr.DataArray)
    day = np.asarray(when).astype("datetime64[D]").astype(np.int64)
    if np.isnat(np.asarray(when)).any() or (np.diff(day) <= 0).any():
        raise InputError("the series' dates must be increasing days with no NaT or repeat")
    days = np.arange(day[0], day[-1] + 1, dtype=np.int64)
    return days, np.interp(days, day, values)


def _walk(
    gen: np.random.Generator, draws: int, offsets: npt.NDArray[np.float64], sd: float
) -> npt.NDArray[np.float64]:
    """A Brownian path with ``sd`` per square-root day at ``offsets`` (days, increasing) from 0.

    Forward offsets are walked from 0 upward, backward ones from 0 downward; offset 0 is 0.
    """
    out = np.zeros((draws, offsets.size))
    ahead = offsets > 0.0
    behind = offsets < 0.0
    if ahead.any():
        steps = np.diff(offsets[ahead], prepend=0.0)
        out[:, ahead] = np.cumsum(gen.standard_normal((draws, steps.size)) * sd * np.sqrt(steps), 1)
    if behind.any():
        back = -offsets[behind][::-1]
        steps = np.diff(back, prepend=0.0)
        path = np.cumsum(gen.standard_normal((draws, steps.size)) * sd * np.sqrt(steps), 1)
        out[:, behind] = path[:, ::-1]
    return out


def fit_trajectory(
    data: xr.DataArray | Sequence[tuple[Dates, float]],
    *,
    rng: SeedLike,
    dates: Dates | None = None,
    end: Dates | None = None,
    window: int = 91,
    block: int = 7,
    draws: int = 1_000,
    rate_model: Literal["normal", "lognormal"] = "normal",
    noise: bool = True,
) -> TrajectoryFit:
    """Draw cumulative trajectories consistent with a daily series' recent growth.

    The model, fitted to the ``window`` daily increments that end on ``end``:

    1. The increments are cut into consecutive blocks of ``block`` days (the oldest
       remainder is dropped) and averaged per block. Block means absorb weekly reporting
       cycles and short-run correlation.
    2. The rate is the mean daily increment over the blocks, ``rate_mean``, with standard
       error ``rate_se = sd(block means) / sqrt(blocks)``.
    3. Each draw takes its own rate, normal with that mean and standard error
       (``rate_model="normal"``), or lognormal with the same mean and sd (``"lognormal"``,
       always positive).
    4. Around the straight line, counts wander as a random walk whose spread per
       square-root day is the long-run sd of daily increments, ``noise_sd = sd(block means) *
       sqrt(block)`` (``noise=False`` leaves it out).

    Each trajectory is ``anchor + rate * (t - end) + walk(t - end)``, forward and backward
    from the series' value on ``end``. A locally constant rate is assumed: fit to a recent
    window, and look at how the rate changes over the series before trusting a long horizon.

    Parameters
    ----------
    data : xarray.DataArray or sequence of (date, count)
        A cumulative series on a ``date`` dimension (e.g. the Ukrainian General Staff's daily
        figures), or dated estimates as (date, count) pairs. Either is first interpolated
        linearly onto every day between its first and last date. Dated estimates far apart
        give blocks with little spread, so their standard error understates the uncertainty.
    rng : int or numpy.random.Generator
        The seed or generator for the draws (no global random state). Rates are drawn
        first, then the forward walk, then the backward walk.
    dates : dates, optional
        The dates of the trajectories (increasing); default every day of the series.
    end : date, optional
        The last day used for the fit (default the series' last); fitting to an earlier
        date lets a projection be checked against the series itself.
    window : int, default 91
        Daily increments used, ending on ``end``.
    block : int, default 7
        Days per block; ``window // block`` must be at least 2.
    draws : int, default 1000
        Number of trajectories.
    rate_model : {"normal", "lognormal"}
        Distribution of each draw's rate.
    noise : bool, default True
        Add the random walk around the straight line.

    Returns
    -------
    TrajectoryFit
        Its ``trajectories`` (dims ``draw``, ``date``), ``rate`` draws and the fitted
        ``rate_mean``, ``rate_se`` and ``noise_sd``; ``crossing(threshold)`` reads off the
        crossing dates.

    Raises
    ------
    InputError
        A series that is not on a ``date`` dimension or has NaN or repeated dates, an ``end``
        outside it or without ``window`` days before it, too few blocks, a lognormal rate
        model with a non-positive mean rate, or bad ``draws``, ``rng`` or ``dates``.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> from attritionsim.attrition import fit_trajectory
    >>> days = np.arange("2025-01-01", "2025-05-01", dtype="datetime64[D]")
    >>> steps = 1_000.0 + 100.0 * np.tile([1.0, -1.0], days.size // 2)
    >>> series = xr.DataArray(900_000 + np.cumsum(steps), dims="date", coords={"date": days})
    >>> fit = fit_trajectory(series, rng=1, draws=200)
    >>> round(fit.rate_mean, -1), fit.trajectories.sizes["draw"], fit.trajectories.sizes["date"]
    (1000.0, 200, 120)
    """
    gen = as_generator(rng)
    window = _validate.positive_int("window", window)
    block = _validate.positive_int("block", block)
    draws = _validate.positive_int("draws", draws)
    model = _validate.choice("rate_model", rate_model, ("normal", "lognormal"))
    blocks = window // block
    if blocks < 2:
        raise InputError(
            f"window={window} must hold at least two blocks of block={block} days "
            f"(window >= {2 * block})"
        )
    days, values = _daily(data)
    last = (
        days[-1]
        if end is None
        else int(_one_date("end", end).astype("datetime64[D]").astype(np.int64))
    )
    first_needed = last - blocks * block
    if not days[0] <= first_needed <= last <= days[-1]:
        span = f"{days[0].astype('datetime64[D]')} to {days[-1].astype('datetime64[D]')}"
        raise InputError(
            f"end={np.int64(last).astype('datetime64[D]')} needs {blocks * block} days of the "
            f"series before it; the series runs {span}"
        )
    increments = np.diff(values[first_needed - days[0] : last - days[0] + 1])
    means = increments.reshape(blocks, block).mean(axis=1)
    rate_mean = float(means.mean())
    spread = float(means.std(ddof=1))
    rate_se = spread / math.sqrt(blocks)
    noise_sd = spread * math.sqrt(block) if noise else 0.0
    z = gen.standard_normal(draws)
    if model == "lognormal":
        if rate_mean <= 0.0:
            raise InputError(
                f"rate_model='lognormal' needs a positive mean rate; got {fmt_number(rate_mean)}"
            )
        sigma = math.sqrt(math.log1p((rate_se / rate_mean) ** 2))
        rates = np.exp(math.log(rate_mean) - sigma**2 / 2.0 + sigma * z)
    else:
        rates = rate_mean + rate_se * z
    if dates is None:
        out_dates = days.astype("datetime64[D]").astype("datetime64[s]")
    else:
        given = _dates("dates", dates)
        out_dates = np.atleast_1d(
            np.asarray(given.values if isinstance(given, xr.DataArray) else given)
        ).astype("datetime64[s]")
    secs = _seconds(out_dates)
    if np.isnan(secs).any() or (np.diff(secs) <= 0.0).any():
        raise InputError("dates must be increasing, with no NaT")
    anchor_date = np.int64(last).astype("datetime64[D]")
    offsets = (secs - _seconds(anchor_date)) / _SECONDS_PER_DAY
    anchor_count = float(values[last - days[0]])
    paths = anchor_count + rates[:, None] * offsets[None, :]
    if noise_sd > 0.0:
        paths = paths + _walk(gen, draws, offsets, noise_sd)
    traj = xr.DataArray(
        paths,
        dims=("draw", "date"),
        coords={"date": out_dates},
        attrs={"long_name": "cumulative count", "fitted_to": f"{window} days to {anchor_date}"},
    )
    return TrajectoryFit(
        trajectories=traj,
        rate=xr.DataArray(rates, dims=("draw",), attrs={"units": "per day", "long_name": "rate"}),
        rate_mean=rate_mean,
        rate_se=rate_se,
        noise_sd=noise_sd,
        anchor_date=anchor_date,
        anchor_count=anchor_count,
        window_start=np.int64(first_needed).astype("datetime64[D]"),
        blocks=blocks,
    )
