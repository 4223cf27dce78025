"""The shifted lognormal: a hard floor and an open, right-skewed tail above it."""

from __future__ import annotations

import dataclasses
import math
from typing import ClassVar, Self

import numpy as np
from scipy import special

from .._format import fmt_number
from .._typing import FloatArray
from ..errors import InputError
from ._base import Distribution

__all__ = ["ShiftedLogNormal"]

_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


@dataclasses.dataclass(frozen=True, repr=False)
class ShiftedLogNormal(Distribution):
    """``loc + E`` where ``log E`` is normal with mean ``mu`` and standard deviation ``sigma``.

    The reading of a one-sided lower bound ("more than X", "at least X"): nothing below
    ``loc``, most of the mass just above it, and no upper limit.

    Examples
    --------
    >>> dist = ShiftedLogNormal.from_quantiles(10_000.0, 10_500.0, 12_500.0, 0.95)
    >>> [round(float(x)) for x in dist.ppf([0.5, 0.95])]
    [10500, 12500]
    >>> dist.support
    (10000.0, inf)
    """

    loc: float
    mu: float
    sigma: float

    family: ClassVar[str] = "shifted_lognormal"

    def __post_init__(self) -> None:
        super().__post_init__()
        self._real("loc")
        self._real("mu")
        self._positive("sigma")
        self._check_draws()

    @classmethod
    def from_quantiles(cls, loc: float, median: float, upper: float, q: float) -> Self:
        """The member with floor ``loc``, median ``median`` and ``upper`` at probability ``q``.

        Parameters
        ----------
        loc : float
            The floor.
        median, upper : float
            ``loc < median < upper``.
        q : float
            The probability of ``upper``, in (0.5, 1).

        Returns
        -------
        ShiftedLogNormal
        """
        if not loc < median < upper:
            raise InputError(
                f"a shifted lognormal needs floor < median < upper; got {fmt_number(loc)}, "
                f"{fmt_number(median)}, {fmt_number(upper)}"
            )
        if not 0.5 < q < 1.0:
            raise InputError(f"q must be in (0.5, 1); got {q!r}")
        z = float(special.ndtri(q))
        log_mid = math.log(median - loc)
        return cls(loc, log_mid, (math.log(upper - loc) - log_mid) / z)

    def _ppf(self, q: FloatArray) -> FloatArray:
        z: FloatArray = np.asarray(special.ndtri(q), dtype=float)
        z *= self.sigma
        z += self.mu
        np.exp(z, out=z)
        z += self.loc
        return z

    def _cdf(self, x: FloatArray) -> FloatArray:
        return np.asarray(special.ndtr((np.log(x - self.loc) - self.mu) / self.sigma))

    def _logpdf(self, x: FloatArray) -> FloatArray:
        log_e = np.log(x - self.loc)
        score = (log_e - self.mu) / self.sigma
        return np.asarray(
            -0.5 * score * score - log_e - math.log(self.sigma) - _HALF_LOG_2PI, dtype=float
        )

    @property
    def support(self) -> tuple[float, float]:
        return self.loc, math.inf

    def mean(self) -> float:
        try:
            return self.loc + math.exp(self.mu + self.sigma**2 / 2.0)
        except OverflowError:  # finite, but beyond the float range
            return math.inf

    def _describe(self) -> str:
        origin = self.origin or {}
        if "rule" in origin and "value" in origin:
            median, upper = self._ppf(np.array([0.5, 0.95]))
            return (
                f"{str(origin['rule']).replace('_', ' ')} {fmt_number(origin['value'])}; "
                f"median {fmt_number(_sig(median))}, 95% below {fmt_number(_sig(upper))}"
            )
        return super()._describe()


def _sig(value: object) -> float:
    """``value`` to four significant digits, for a readable ``repr``."""
    return float(f"{float(value):.4g}")  # type: ignore[arg-type]
