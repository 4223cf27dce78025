"""Probability distributions, each an immutable value sampled through its inverse CDF.

The families: :class:`Uniform`, :class:`Triangular`, :class:`PERT`, :class:`Normal`,
:class:`TruncNormal`, :class:`LogNormal`, :class:`ShiftedLogNormal`, :class:`Gamma`,
:class:`Beta`, :class:`Metalog` and :class:`Mixture`. Most users build them through
:mod:`attritionsim.elicit`.
"""

from ._base import Distribution, FloatRangeError, from_spec
from ._families import (
    PERT,
    RANGE_FAMILIES,
    Beta,
    Gamma,
    LogNormal,
    Normal,
    Triangular,
    TruncNormal,
    Uniform,
)
from ._metalog import Metalog
from ._mixture import Mixture
from ._shifted import ShiftedLogNormal

__all__ = [
    "PERT",
    "RANGE_FAMILIES",
    "Beta",
    "Distribution",
    "FloatRangeError",
    "Gamma",
    "LogNormal",
    "Metalog",
    "Mixture",
    "Normal",
    "ShiftedLogNormal",
    "Triangular",
    "TruncNormal",
    "Uniform",
    "from_spec",
]
