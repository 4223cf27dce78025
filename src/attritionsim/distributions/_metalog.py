"""The metalog: a quantile function fitted exactly through three or more quantiles.

Keelin (2016), "The Metalog Distributions", *Decision Analysis* 13(4). With ``k`` quantiles the
``k``-term metalog is linear in its coefficients, so an exact fit is one linear solve. Term
``j`` of the quantile function is ``(y - 1/2)**p_j * logit(y)**l_j`` with the powers

====  ===  ===  ===  ===  ===  ===  ===  ===  ===
j      1    2    3    4    5    6    7    8   ...
p_j    0    0    1    1    2    2    3    3   ...
l_j    0    1    1    0    0    1    0    1   ...
====  ===  ===  ===  ===  ===  ===  ===  ===  ===

Bounds transform the values first: ``log(x - lower)``, ``-log(upper - x)``, or
``log((x - lower) / (upper - x))`` with both. A fit is accepted only if the quantile function
increases everywhere, checked on a dense logit grid and in both tail limits.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
from numpy.polynomial import polynomial as P
from scipy import integrate, special
from scipy.optimize import elementwise

from .. import _validate
from .._format import fmt_number
from .._typing import FloatArray
from ..errors import InputError
from ._base import Distribution, Origin

__all__ = ["Metalog"]

# The logit range used for the feasibility grid and for inverting the quantile function:
# expit(-45) is about 3e-20, below any probability a simulation reaches.
_LOGIT_EDGE = 45.0
_GRID = np.linspace(-_LOGIT_EDGE, _LOGIT_EDGE, 9001)


_FIRST_TERMS = ((0, False), (0, True), (1, True), (1, False))


def _powers(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Powers of ``(y - 1/2)`` and flags for the ``logit(y)`` factor of the first ``k`` terms."""
    terms = [
        _FIRST_TERMS[j - 1] if j <= 4 else ((j - 1) // 2, False) if j % 2 else (j // 2 - 1, True)
        for j in range(1, k + 1)
    ]
    return np.array([p for p, _ in terms]), np.array([flag for _, flag in terms])


@dataclasses.dataclass(frozen=True, repr=False)
class Metalog(Distribution):
    """A metalog distribution passing exactly through the given quantiles.

    Parameters
    ----------
    probabilities : tuple of float
        Increasing probabilities in (0, 1), at least three.
    values : tuple of float
        The quantiles at those probabilities, increasing.
    lower, upper : float or None
        Optional bounds of the support.

    Examples
    --------
    >>> dist = Metalog((0.1, 0.5, 0.9), (800_000.0, 950_000.0, 1_150_000.0), lower=0.0)
    >>> [round(v) for v in dist.ppf([0.1, 0.5, 0.9])]
    [800000, 950000, 1150000]
    """

    probabilities: tuple[float, ...]
    values: tuple[float, ...]
    lower: float | None = None
    upper: float | None = None
    # Coefficients by power of (y - 1/2), set by __post_init__: plain terms and logit terms.
    _plain: np.ndarray = dataclasses.field(init=False, repr=False, compare=False)
    _logit: np.ndarray = dataclasses.field(init=False, repr=False, compare=False)

    family: ClassVar[str] = "metalog"
    #: The most terms (quantiles) fitted; more make an ill-conditioned linear system.
    MAX_TERMS: ClassVar[int] = 16

    def __post_init__(self) -> None:
        super().__post_init__()
        probs = tuple(
            _validate.finite_real(f"probabilities[{i}]", p)
            for i, p in enumerate(self.probabilities)
        )
        vals = tuple(_validate.finite_real(f"values[{i}]", v) for i, v in enumerate(self.values))
        self._set("probabilities", probs)
        self._set("values", vals)
        for name in ("lower", "upper"):
            if getattr(self, name) is not None:
                self._real(name)
        self._check_points(probs, vals)
        power, has_log = _powers(len(probs))
        basis = (np.subtract(probs, 0.5)[:, None] ** power) * np.where(
            has_log, special.logit(probs)[:, None], 1.0
        )
        try:
            coef = np.linalg.solve(basis, self._to_z(np.asarray(vals)))
        except np.linalg.LinAlgError as err:
            raise InputError(f"metalog: the quantiles give a singular system ({err})") from err
        # Coefficients grouped by power of (y - 1/2): plain terms and logit terms.
        top = int(power.max()) + 1
        plain, logit = np.zeros(top), np.zeros(top)
        np.add.at(plain, power[~has_log], coef[~has_log])
        np.add.at(logit, power[has_log], coef[has_log])
        object.__setattr__(self, "_plain", plain)
        object.__setattr__(self, "_logit", logit)
        self._check_increasing()
        self._check_draws()

    # ------------------------------------------------------------------ validation
    def _check_points(self, probs: tuple[float, ...], vals: tuple[float, ...]) -> None:
        if len(probs) != len(vals):
            raise InputError(
                f"metalog needs as many values as probabilities; got {len(probs)} and {len(vals)}"
            )
        if not 3 <= len(probs) <= self.MAX_TERMS:
            raise InputError(f"metalog needs 3 to {self.MAX_TERMS} quantiles; got {len(probs)}")
        if not all(0.0 < p < 1.0 for p in probs) or any(np.diff(probs) <= 0):
            raise InputError(
                f"metalog probabilities must increase strictly inside (0, 1); got {list(probs)}"
            )
        if any(np.diff(vals) <= 0):
            raise InputError(
                "metalog values must increase with their probabilities; got "
                + ", ".join(f"{p:g}: {fmt_number(v)}" for p, v in zip(probs, vals, strict=True))
            )
        if self.lower is not None and not self.lower < vals[0]:
            raise InputError(
                f"metalog lower={fmt_number(self.lower)} must be below the smallest value "
                f"{fmt_number(vals[0])}"
            )
        if self.upper is not None and not vals[-1] < self.upper:
            raise InputError(
                f"metalog upper={fmt_number(self.upper)} must be above the largest value "
                f"{fmt_number(vals[-1])}"
            )

    def _check_increasing(self) -> None:
        """Refuse a fit whose quantile function decreases anywhere (it would be no distribution)."""
        tails = P.polyval(np.array([-0.5, 0.5]), self._logit)
        slope = self._scaled_slope(_GRID)
        if tails.min() > 0.0 and slope.min() > 0.0:
            return
        where = (
            float(special.expit(_GRID[np.argmin(slope)]))
            if slope.min() <= 0.0
            else (0.0 if tails[0] <= 0.0 else 1.0)
        )
        points = ", ".join(
            f"{p:g}: {fmt_number(v)}" for p, v in zip(self.probabilities, self.values, strict=True)
        )
        raise InputError(
            f"metalog through {{{points}}} is not feasible: its quantile function would fall "
            f"near p={where:.3g}; give fewer or smoother quantiles, or a lower/upper bound"
        )

    # ------------------------------------------------------------------ the quantile function
    def _m_logit(self, s: FloatArray, y: FloatArray | None = None) -> FloatArray:
        """The metalog ``M`` (on the transformed scale) at ``y = expit(s)``."""
        centred = (special.expit(s) if y is None else y) - 0.5
        coef = self._plain[:, None] + self._logit[:, None] * s
        return np.asarray(P.polyval(centred, coef, tensor=False))

    def _scaled_slope(self, s: FloatArray) -> FloatArray:
        """``y (1 - y) dM/dy`` at ``y = expit(s)``: positive exactly where ``M`` increases."""
        y = special.expit(s)
        coef = self._plain[:, None] + self._logit[:, None] * s
        d_poly = P.polyval(y - 0.5, P.polyder(coef), tensor=False)
        return np.asarray(y * special.expit(-s) * d_poly + P.polyval(y - 0.5, self._logit))

    def _to_z(self, x: FloatArray) -> FloatArray:
        lo, hi = self.lower, self.upper
        with np.errstate(divide="ignore", invalid="ignore"):
            if lo is not None and hi is not None:
                return np.log((x - lo) / (hi - x))
            if lo is not None:
                return np.log(x - lo)
            if hi is not None:
                return -np.log(hi - x)
        return x

    def _from_z(self, z: FloatArray) -> FloatArray:
        lo, hi = self.lower, self.upper
        if lo is not None and hi is not None:
            return np.asarray(lo + (hi - lo) * special.expit(z))
        if lo is not None:
            return lo + np.exp(z)
        if hi is not None:
            return hi - np.exp(-z)
        return z

    def _ppf(self, q: FloatArray) -> FloatArray:
        return self._from_z(self._m_logit(special.logit(q), q))

    def _cdf(self, x: FloatArray) -> FloatArray:
        z = self._to_z(x)
        z_lo, z_hi = self._m_logit(np.array([-_LOGIT_EDGE, _LOGIT_EDGE]))
        inside = (z > z_lo) & (z < z_hi)
        s = np.where(z <= z_lo, -np.inf, np.inf)
        if inside.any():
            zin = z[inside]
            edges = np.full_like(zin, _LOGIT_EDGE)
            res = elementwise.find_root(
                lambda s, target: self._m_logit(s) - target, (-edges, edges), args=(zin,)
            )
            s[inside] = res.x
        return np.asarray(special.expit(s))

    def _logpdf(self, x: FloatArray) -> FloatArray:
        # The density is 1 / Q'(y) at y = F(x): with z = M(y) on the transformed scale,
        # Q'(y) = (dx/dz) (dM/dy), and dM/dy = slope / (y (1 - y)) (see _scaled_slope).
        y = self._cdf(x)
        s = special.logit(y)
        log_dx_dz = self._log_dx_dz(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.log(y) + np.log1p(-y) - np.log(self._scaled_slope(np.asarray(s))) - log_dx_dz
        return np.asarray(np.where(np.isfinite(s), out, -np.inf), dtype=float)

    def _log_dx_dz(self, x: FloatArray) -> FloatArray:
        """``log(dx/dz)`` for the bounds' transform ``z`` of the values (see :meth:`_to_z`)."""
        lo, hi = self.lower, self.upper
        with np.errstate(divide="ignore", invalid="ignore"):
            if lo is not None and hi is not None:
                return np.asarray(np.log(x - lo) + np.log(hi - x) - math.log(hi - lo))
            if lo is not None:
                return np.asarray(np.log(x - lo))
            if hi is not None:
                return np.asarray(np.log(hi - x))
        return np.zeros_like(x)

    @property
    def support(self) -> tuple[float, float]:
        return (
            -math.inf if self.lower is None else self.lower,
            math.inf if self.upper is None else self.upper,
        )

    def mean(self) -> float:
        low_tail, high_tail = P.polyval(np.array([-0.5, 0.5]), self._logit)
        if self.upper is None and self.lower is not None and high_tail >= 1.0:
            return math.inf  # a log-metalog whose right tail is as heavy as a Pareto's
        if self.lower is None and self.upper is not None and low_tail >= 1.0:
            return -math.inf

        def integrand(s: float) -> float:
            arr = np.array([s])
            weight = special.expit(s) * special.expit(-s)
            return float(self._from_z(self._m_logit(arr))[0] * weight)

        value, _ = integrate.quad(integrand, -np.inf, np.inf, limit=200)
        return float(value)

    # ------------------------------------------------------------------ provenance
    def _describe(self) -> str:
        text = ", ".join(
            f"{100 * p:.10g}%: {fmt_number(v)}"
            for p, v in zip(self.probabilities, self.values, strict=True)
        )
        for name in ("lower", "upper"):
            bound = getattr(self, name)
            if bound is not None:
                text += f"; {name}={fmt_number(bound)}"
        return text

    @classmethod
    def _from_params(cls, params: Mapping[str, Any], origin: Origin | None) -> Distribution:
        return cls(
            tuple(params["probabilities"]),
            tuple(params["values"]),
            params.get("lower"),
            params.get("upper"),
            origin=origin,
        )
