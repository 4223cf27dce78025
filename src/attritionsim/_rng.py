"""The only module that makes random number generators.

Everything random in attritionsim takes an explicit ``rng``: a seed (``int``) or a
:class:`numpy.random.Generator`. Nothing reads or changes numpy's global random state.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._typing import FloatArray, SeedLike
from .errors import InputError

__all__ = ["as_generator", "open_uniforms"]

# The smallest uniform handed to an inverse CDF: numpy's ``random()`` can return exactly 0.0,
# where an unbounded family's inverse CDF is -inf. 2**-54 sits below every other value numpy can
# return (its grid is 2**-53), so replacing 0.0 by it keeps the order of the draws.
_TINY = 2.0**-54


def as_generator(rng: SeedLike) -> np.random.Generator:
    """Return a :class:`numpy.random.Generator` for a seed, or the generator itself.

    >>> as_generator(7).random() == as_generator(7).random()
    True
    """
    value: object = rng  # typed loosely: callers outside mypy can pass anything
    if isinstance(value, np.random.Generator):
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < 0:
        raise InputError(
            f"rng must be a non-negative integer seed or a numpy.random.Generator; got {value!r}"
        )
    return np.random.default_rng(int(value))


def open_uniforms(rng: np.random.Generator, shape: int | tuple[int, ...]) -> FloatArray:
    """Uniform draws on the open interval (0, 1), safe to feed to any inverse CDF."""
    u = rng.random(shape)
    np.maximum(u, _TINY, out=u)
    return u
