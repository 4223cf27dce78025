"""Automatic precision: draw until the reported figures are stable at the digits cited.

:func:`simulate_to_precision` doubles the number of draws until the Monte Carlo standard error
of every reported figure (median and interval bounds; probabilities; dates) is at most a
quarter of the last digit that would be cited, so that the cited digits no longer move with
the seed. Because each input's stream is addressed by draw index, the first ``n`` draws of a
run with ``2 n`` draws are the draws of the run with ``n``: doubling only adds draws.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import xarray as xr

from . import _validate
from ._validate import DEFAULT_LEVEL
from .design import Method
from .errors import InputError
from .model import Model, simulate
from .summary import summarize

__all__ = ["simulate_to_precision", "unstable"]

#: The largest MCSE allowed, as a fraction of the last cited digit's unit.
FRACTION_OF_UNIT = 0.25


def unstable(summary: dict[str, Any], *, digits: int = 2, day: float = 1.0) -> dict[str, str]:
    """The quantities of a :func:`~attritionsim.summarize` result not yet stable, and why.

    Parameters
    ----------
    summary : dict
        A :func:`attritionsim.summarize` result.
    digits : int
        Significant digits to be cited for numbers (probabilities: decimal places of a share,
        ``2`` for whole percentage points).
    day : float
        The largest MCSE allowed for a date, in days.

    Returns
    -------
    dict of str to str
        ``{name: reason}`` for every quantity whose MCSE is too large; empty when all are stable.

    Examples
    --------
    >>> s = {"quantities": {"p": {"units": "", "probability": 0.5, "mcse": 0.01}}}
    >>> unstable(s)
    {'p': 'MCSE 0.01 > 0.0025'}
    """
    out: dict[str, str] = {}
    for name, entry in summary["quantities"].items():
        if "probability" in entry:
            limit = FRACTION_OF_UNIT * 10.0**-digits
            if entry["mcse"] is None or entry["mcse"] > limit:
                out[name] = f"MCSE {entry['mcse']:.2g} > {limit:.2g}"
            continue
        values = [entry["median"], *entry["eti"]]
        errors = [entry["mcse"]["median"], *entry["mcse"]["eti"]]
        for value, error in zip(values, errors, strict=True):
            if error is None:
                out[name] = "a bound's MCSE is not finite"
                break
            if isinstance(value, str) or value is None:  # a date (ISO) or NaT: MCSE in days
                limit = day
            elif value == 0.0:
                continue
            else:
                unit = 10.0 ** (math.floor(math.log10(abs(value))) - digits + 1)
                limit = FRACTION_OF_UNIT * unit
            if error > limit:
                out[name] = f"MCSE {error:.2g} > {limit:.2g}"
                break
    return out


def simulate_to_precision(
    model: Model,
    seed: int,
    *,
    digits: int = 2,
    level: float = DEFAULT_LEVEL,
    quantities: Iterable[str] | None = None,
    start: int = 16_384,
    max_draws: int = 16_777_216,
    method: Method = "mc",
    chunk_size: int | None = None,
    on_round: Callable[[int, dict[str, str]], None] | None = None,
) -> xr.Dataset:
    """Simulate with doubling draws until every reported figure is stable.

    Parameters
    ----------
    model : Model
        What to simulate.
    seed : int
        The seed (the result equals ``simulate(model, ds.attrs["draws"], seed)``).
    digits : int
        Significant digits to be cited (see :func:`unstable`).
    level : float, default 0.9
        Credible level of the intervals checked, in [0.01, 1).
    quantities : iterable of str, optional
        The quantities that must be stable (default: all with a ``draw`` dimension).
    start, max_draws : int
        First and largest number of draws; powers of two suit every design.
    method : {"mc", "lhs", "sobol"}
        The design. The MCSE assumes iid draws, so for ``lhs``/``sobol`` it is conservative.
    chunk_size : int, optional
        Passed to :func:`attritionsim.simulate`.
    on_round : callable, optional
        Called as ``on_round(draws, unstable)`` after each round (for progress).

    Returns
    -------
    xarray.Dataset
        The last run, with attrs ``precision_digits`` and ``precision_stable`` (``1`` if every
        quantity reached the target, ``0`` if ``max_draws`` was reached first) and
        ``precision_unstable`` (the quantities still unstable, comma-separated).

    Examples
    --------
    >>> import attritionsim as asim
    >>> m = asim.Model({"ru": asim.from_range(1.1e6, 1.3e6)})
    >>> ds = simulate_to_precision(m, seed=1, digits=2)
    >>> ds.attrs["precision_stable"], ds.attrs["draws"]
    (1, 16384)
    """
    digits = _validate.positive_int("digits", digits)
    level = _validate.level(level, closed=False)
    start = _validate.positive_int("start", start)
    max_draws = _validate.positive_int("max_draws", max_draws)
    if start > max_draws:
        raise InputError(f"start={start:,} must not exceed max_draws={max_draws:,}")
    draws = start
    while True:
        ds = simulate(model, draws, seed, method=method, chunk_size=chunk_size, keep=None)
        summary = summarize(ds, level=level, quantities=quantities)
        left = unstable(summary, digits=digits)
        if on_round is not None:
            on_round(draws, left)
        if not left or draws >= max_draws:
            break
        draws = min(2 * draws, max_draws)
    ds.attrs["precision_digits"] = digits
    ds.attrs["precision_stable"] = int(not left)
    ds.attrs["precision_unstable"] = ", ".join(sorted(left))
    return ds
