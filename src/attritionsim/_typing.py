"""Type aliases used across the package: option strings as ``Literal`` types, array-likes."""

from __future__ import annotations

from typing import Literal, TypeAlias

import numpy as np
import numpy.typing as npt

__all__ = ["ArrayLike", "FloatArray", "LowerBoundFamily", "RangeFamily", "SeedLike"]

#: Anything numpy can turn into an array of floats.
ArrayLike: TypeAlias = npt.ArrayLike
#: A float64 numpy array (of any shape).
FloatArray: TypeAlias = npt.NDArray[np.float64]
#: What may be passed as ``rng``: a seed or an existing generator.
SeedLike: TypeAlias = int | np.random.Generator
#: The families that :func:`attritionsim.from_range` can fit to a two-sided range.
RangeFamily: TypeAlias = Literal[
    "uniform", "triangular", "pert", "normal", "truncnormal", "lognormal", "gamma", "beta"
]
#: The families a lower bound ("more than X", "at least X") may be read with: an open tail above
#: the figure (``"shifted_lognormal"``), or any range family fitted to ``[X, X (1 + rel)]``.
LowerBoundFamily: TypeAlias = Literal[
    "shifted_lognormal",
    "uniform",
    "triangular",
    "pert",
    "normal",
    "truncnormal",
    "lognormal",
    "gamma",
    "beta",
]
