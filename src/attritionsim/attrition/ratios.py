"""Ratios, multiples and densities per draw, and the events whose means are probabilities."""

from __future__ import annotations

import numpy as np
import xarray as xr

from .._format import fmt_number
from ..errors import InputError
from . import _convert, _kernels
from ._convert import Draws, Values

__all__ = ["multiple_of", "per_area", "prob_between", "prob_greater", "ratio"]


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
    return _convert.apply(_kernels.ratio, _convert.numbers("a", a), _convert.numbers("b", b))


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
    x_ = _convert.numbers("x", x)
    lo_, hi_ = _convert.numbers("lo", lo), _convert.numbers("hi", hi)
    scalars = not isinstance(lo_, xr.DataArray) and not isinstance(hi_, xr.DataArray)
    if scalars and np.ndim(lo_) == 0 and np.ndim(hi_) == 0 and float(lo_) > float(hi_):
        raise InputError(
            f"lo={fmt_number(float(lo_))} must not be above hi={fmt_number(float(hi_))}"
        )
    return _convert.apply(_kernels.between, x_, lo_, hi_)


def prob_greater(a: Draws, b: Draws) -> Values:
    """The event ``a > b`` per draw; summarize gives its probability (NaN counts as False).

    Examples
    --------
    >>> import numpy as np
    >>> from attritionsim.attrition import prob_greater
    >>> prob_greater(np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 2.0]))
    array([False, False,  True])
    """
    return _convert.apply(_kernels.greater, _convert.numbers("a", a), _convert.numbers("b", b))


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
    x_, ref = _convert.numbers("x", x), _convert.numbers("reference", reference)
    _convert.scalar_check("reference", ref, lambda r: r > 0.0, "> 0")
    return _convert.apply(_kernels.positive_ratio, x_, ref)


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
    losses_, area = _convert.numbers("losses", losses), _convert.numbers("km2", km2)
    _convert.scalar_check("km2", area, lambda a: a > 0.0, "> 0 (an area)")
    return _convert.apply(_kernels.positive_ratio, losses_, area)
