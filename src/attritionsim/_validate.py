"""One validator per kind of argument.

Each returns the cleaned value or raises :class:`~attritionsim.errors.InputError` with a message
that names the argument, shows the value received and says what is valid.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Iterable

import numpy as np

from ._format import fmt_value
from ._typing import ArrayLike, FloatArray
from .errors import InputError

__all__ = [
    "DEFAULT_LEVEL",
    "MAX_DRAWS",
    "MIN_LEVEL",
    "callback",
    "choice",
    "draws",
    "finite_array",
    "finite_real",
    "level",
    "positive_int",
    "probability_array",
]


def finite_real(name: str, value: object) -> float:
    """Return ``value`` as a finite float, or raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError(f"{name} must be a number; got {fmt_value(value)}")
    try:
        out = float(value)
    except OverflowError:  # an int beyond the float range, e.g. 10**400
        raise InputError(f"{name} must be a finite number; got {fmt_value(value)}") from None
    if not math.isfinite(out):
        raise InputError(f"{name} must be a finite number; got {out}")
    return out


#: The credible level every function uses unless told otherwise: a 90% interval.
DEFAULT_LEVEL = 0.9

#: The narrowest credible level accepted anywhere: a narrower "interval" describes no published
#: range and sends the fitted spreads towards infinity.
MIN_LEVEL = 0.01


def level(value: object, *, name: str = "level", closed: bool = True) -> float:
    """Return a credible level in [0.01, 1] (``closed=False``: in [0.01, 1)).

    Intervals of draws take ``closed=False`` (a 100% interval of draws is just their range);
    elicited and scenario ranges may be closed (a stated minimum and maximum).

    >>> level(0.9)
    0.9
    """
    out = finite_real(name, value)
    top = "1]" if closed else "1)"
    if not (MIN_LEVEL <= out < 1.0 or (closed and out == 1.0)):
        raise InputError(
            f"{name} must be in [{MIN_LEVEL:g}, {top} (e.g. 0.9 for a 90% interval); got {out:g}"
        )
    return out


def positive_int(name: str, value: object) -> int:
    """Return a positive integer (``numpy`` integers accepted, ``bool`` refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) <= 0:
        raise InputError(f"{name} must be a positive integer; got {fmt_value(value)}")
    return int(value)


#: The most draws any backend accepts. Beyond it the draw index and the results file stop being
#: exact (int64 counters, netCDF dimensions), and no machine this library targets could finish.
#: In-memory :func:`attritionsim.simulate` has a lower, memory-based ceiling on top of this one.
MAX_DRAWS = 10**12


def draws(value: object, *, name: str = "draws") -> int:
    """Return a positive number of draws no larger than :data:`MAX_DRAWS`.

    >>> draws(1_000)
    1000
    """
    n = positive_int(name, value)
    if n > MAX_DRAWS:
        raise InputError(
            f"{name} must be at most {MAX_DRAWS:.0e} (the ceiling of every backend); "
            f"got {fmt_value(n)}"
        )
    return n


def callback(name: str, value: object, call: str = "(done, total)") -> None:
    """Refuse ``value`` unless it is ``None`` or callable (``call`` shows how it is called).

    >>> callback("progress", print)
    """
    if value is not None and not callable(value):
        raise InputError(
            f"{name} must be a function called as {name}{call}, or None; got {fmt_value(value)}"
        )


def choice(name: str, value: object, valid: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``valid``; else say which are valid, and the nearest."""
    options = list(valid)
    if isinstance(value, str) and value in options:
        return value
    hint = ""
    if isinstance(value, str):
        close = difflib.get_close_matches(value, options, n=1)
        if close:
            hint = f" (did you mean {close[0]!r}?)"
    listed = ", ".join(repr(opt) for opt in options)
    raise InputError(f"{name}={value!r} is not one of {listed}{hint}")


def finite_array(name: str, values: ArrayLike) -> FloatArray:
    """Return ``values`` as a float array with no NaN, or raise naming ``name``.

    Infinities are allowed: a CDF is well defined at plus or minus infinity.
    """
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise InputError(f"{name} must be numbers; got {values!r}") from err
    if np.isnan(arr).any():
        raise InputError(f"{name} contains NaN at index {_first(np.isnan(arr))}")
    return arr


def probability_array(name: str, values: ArrayLike) -> FloatArray:
    """Return ``values`` as a float array of probabilities in [0, 1]."""
    arr = finite_array(name, values)
    bad = (arr < 0.0) | (arr > 1.0)
    if bad.any():
        where = _first(bad)
        raise InputError(
            f"{name} must lie in [0, 1]; got {float(arr[where] if arr.ndim else arr):g}"
            + (f" at index {where}" if arr.ndim else "")
        )
    return arr


def _first(mask: np.ndarray) -> tuple[int, ...] | int:
    """Index of the first True in ``mask`` (an int for 1-d, a tuple otherwise)."""
    idx = tuple(int(i) for i in np.argwhere(mask)[0]) if mask.ndim else ()
    return idx[0] if len(idx) == 1 else idx
