"""The parametric families: each declares its parameters and supplies its formulas.

Every family here can also be fitted to a two-sided range (``fit_central``): the distribution
whose central ``level`` interval is exactly ``[low, high]``. Location-scale families have closed
forms; the gamma and the truncated normal reduce to one shape parameter found by a bracketing
root finder (the range's ratio fixes the shape, the low end then fixes the scale exactly); the
beta needs two shapes, found by nesting two one-dimensional bracketing solves.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import ClassVar, Self

import numpy as np
from scipy import optimize, special

from .._format import fmt_number
from .._typing import FloatArray
from ..errors import InputError
from ._base import Distribution

__all__ = [
    "PERT",
    "RANGE_FAMILIES",
    "Beta",
    "Gamma",
    "LogNormal",
    "Normal",
    "Triangular",
    "TruncNormal",
    "Uniform",
]


def _tails(level: float) -> tuple[float, float]:
    """The probabilities at the two ends of a central ``level`` interval."""
    return (1.0 - level) / 2.0, (1.0 + level) / 2.0


def _unbounded(name: str, level: float) -> None:
    if level >= 1.0:
        raise InputError(
            f"level=1 makes the range the support, but family {name!r} is unbounded; "
            "use level < 1, or a bounded family: 'uniform', 'triangular', 'pert'"
        )


def _positive_low(name: str, low: float, support: str = "x > 0") -> None:
    if low <= 0.0:
        raise InputError(
            f"low={fmt_number(low)} must be > 0 for family {name!r} (its support is {support})"
        )


@dataclasses.dataclass(frozen=True, repr=False)
class Uniform(Distribution):
    """Uniform on ``[low, high]``.

    Examples
    --------
    >>> Uniform(2.0, 6.0).ppf(0.25)
    3.0
    """

    low: float
    high: float

    family: ClassVar[str] = "uniform"
    bounded: ClassVar[bool] = True

    def __post_init__(self) -> None:
        super().__post_init__()
        if self._real("low") >= self._real("high"):
            raise InputError(
                f"Uniform.low={fmt_number(self.low)} must be below high={fmt_number(self.high)}"
            )
        self._check_draws()

    def _ppf(self, q: FloatArray) -> FloatArray:
        return self.low + q * (self.high - self.low)

    def _cdf(self, x: FloatArray) -> FloatArray:
        return (x - self.low) / (self.high - self.low)

    def _logpdf(self, x: FloatArray) -> FloatArray:
        return np.full(np.shape(x), -math.log(self.high - self.low))

    @property
    def support(self) -> tuple[float, float]:
        return self.low, self.high

    def mean(self) -> float:
        return self.low / 2.0 + self.high / 2.0  # (low + high) / 2, without overflow

    @classmethod
    def fit_central(cls, low: float, high: float, level: float) -> Self:
        """The uniform whose central ``level`` interval is ``[low, high]``."""
        if level == 1.0:
            return cls(low, high)
        center, half = (low + high) / 2.0, (high - low) / 2.0 / level
        return cls(center - half, center + half)


@dataclasses.dataclass(frozen=True, repr=False)
class Triangular(Distribution):
    """Triangular on ``[low, high]`` with its peak at ``mode``.

    Examples
    --------
    >>> Triangular(0.0, 0.5, 1.0).ppf(0.5)
    0.5
    """

    low: float
    mode: float
    high: float

    family: ClassVar[str] = "triangular"
    bounded: ClassVar[bool] = True

    def __post_init__(self) -> None:
        super().__post_init__()
        low, mode, high = self._real("low"), self._real("mode"), self._real("high")
        if not (low <= mode <= high and low < high):
            raise InputError(
                "Triangular needs low <= mode <= high with low < high; got "
                f"low={fmt_number(low)}, mode={fmt_number(mode)}, high={fmt_number(high)}"
            )
        self._check_draws()

    def _ppf(self, q: FloatArray) -> FloatArray:
        width = self.high - self.low
        split = (self.mode - self.low) / width
        with np.errstate(over="ignore"):  # products beyond the float range: redone below
            rising = self.low + np.sqrt(q * width * (self.mode - self.low))
            falling = self.high - np.sqrt((1.0 - q) * width * (self.high - self.mode))
        out: FloatArray = np.where(q < split, rising, falling)
        lost = ~np.isfinite(out)
        if lost.any():  # a range wider than about 1e154: take the square roots one by one
            ql = np.broadcast_to(q, out.shape)[lost]
            root = math.sqrt(width)
            up = self.low + np.sqrt(ql) * root * math.sqrt(self.mode - self.low)
            down = self.high - np.sqrt(1.0 - ql) * root * math.sqrt(self.high - self.mode)
            out[lost] = np.where(ql < split, up, down)
        return out

    def _cdf(self, x: FloatArray) -> FloatArray:
        width = self.high - self.low
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            rising = (x - self.low) ** 2 / (width * (self.mode - self.low))
            falling = 1.0 - (self.high - x) ** 2 / (width * (self.high - self.mode))
            out: FloatArray = np.where(x <= self.mode, rising, falling)
            lost = ~np.isfinite(out)
            if lost.any():  # squares beyond (or below) the float range: divide first
                xl = np.broadcast_to(x, out.shape)[lost]
                up = ((xl - self.low) / width) * ((xl - self.low) / (self.mode - self.low))
                down = 1.0 - ((self.high - xl) / width) * (
                    (self.high - xl) / (self.high - self.mode)
                )
                out[lost] = np.where(xl <= self.mode, up, down)
        return out

    def _logpdf(self, x: FloatArray) -> FloatArray:
        # 2 (x - low) / ((high - low) (mode - low)) rising, the mirror falling; in logs, so
        # wide ranges neither overflow nor divide by a zero-width side.
        log_width = math.log(self.high - self.low)
        with np.errstate(divide="ignore", invalid="ignore"):
            rising = math.log(2.0) + np.log(x - self.low) - log_width - np.log(self.mode - self.low)
            falling = (
                math.log(2.0) + np.log(self.high - x) - log_width - np.log(self.high - self.mode)
            )
        return np.asarray(np.where(x < self.mode, rising, falling), dtype=float)

    @property
    def support(self) -> tuple[float, float]:
        return self.low, self.high

    def mean(self) -> float:
        total = self.low + self.mode + self.high
        if math.isfinite(total):
            return total / 3.0
        return self.low / 3.0 + self.mode / 3.0 + self.high / 3.0  # near the float limit

    @classmethod
    def fit_central(cls, low: float, high: float, level: float) -> Self:
        """The symmetric triangular whose central ``level`` interval is ``[low, high]``."""
        if level == 1.0:
            return cls(low, (low + high) / 2.0, high)
        center = (low + high) / 2.0
        half = (high - low) / 2.0 / (1.0 - math.sqrt(1.0 - level))
        return cls(center - half, center, center + half)


@dataclasses.dataclass(frozen=True, repr=False)
class PERT(Distribution):
    """The (modified) PERT: a beta rescaled to ``[low, high]`` with its mode at ``mode``.

    ``shape`` (4 in the classic PERT) sets how strongly the mass gathers at the mode: the beta's
    parameters are ``1 + shape * (mode - low) / (high - low)`` and
    ``1 + shape * (high - mode) / (high - low)``.

    Examples
    --------
    >>> round(PERT(0.0, 1.0, 5.0).mean(), 6)
    1.5
    """

    low: float
    mode: float
    high: float
    shape: float = 4.0

    family: ClassVar[str] = "pert"
    bounded: ClassVar[bool] = True

    def __post_init__(self) -> None:
        super().__post_init__()
        low, mode, high = self._real("low"), self._real("mode"), self._real("high")
        self._positive("shape")
        if not (low <= mode <= high and low < high):
            raise InputError(
                "PERT needs low <= mode <= high with low < high; got "
                f"low={fmt_number(low)}, mode={fmt_number(mode)}, high={fmt_number(high)}"
            )
        self._check_draws()

    @property
    def _ab(self) -> tuple[float, float]:
        width = self.high - self.low
        return (
            1.0 + self.shape * (self.mode - self.low) / width,
            1.0 + self.shape * (self.high - self.mode) / width,
        )

    def _ppf(self, q: FloatArray) -> FloatArray:
        a, b = self._ab
        out: FloatArray = self.low + (self.high - self.low) * special.betaincinv(a, b, q)
        return out

    def _cdf(self, x: FloatArray) -> FloatArray:
        a, b = self._ab
        return np.asarray(special.betainc(a, b, (x - self.low) / (self.high - self.low)))

    def _logpdf(self, x: FloatArray) -> FloatArray:
        a, b = self._ab
        width = self.high - self.low
        return _beta_logpdf(a, b, (x - self.low) / width, (self.high - x) / width) - math.log(width)

    @property
    def support(self) -> tuple[float, float]:
        return self.low, self.high

    def mean(self) -> float:
        total = self.low + self.shape * self.mode + self.high
        if math.isfinite(total):
            return total / (self.shape + 2.0)
        weight = 1.0 / (self.shape + 2.0)  # near the float limit
        return weight * self.low + (weight * self.shape) * self.mode + weight * self.high

    @classmethod
    def fit_central(cls, low: float, high: float, level: float, shape: float = 4.0) -> Self:
        """The symmetric PERT whose central ``level`` interval is ``[low, high]``."""
        center = (low + high) / 2.0
        if level == 1.0:
            return cls(low, center, high, shape)
        a = 1.0 + shape / 2.0
        upper = float(special.betaincinv(a, a, (1.0 + level) / 2.0))
        half = (high - low) / 2.0 / (2.0 * upper - 1.0)
        return cls(center - half, center, center + half, shape)


@dataclasses.dataclass(frozen=True, repr=False)
class Normal(Distribution):
    """Normal with mean ``mu`` and standard deviation ``sigma``.

    Examples
    --------
    >>> round(Normal(10.0, 2.0).ppf(0.975), 4)
    13.9199
    """

    mu: float
    sigma: float

    family: ClassVar[str] = "normal"

    def __post_init__(self) -> None:
        super().__post_init__()
        self._real("mu")
        self._positive("sigma")
        self._check_draws()

    def _ppf(self, q: FloatArray) -> FloatArray:
        return np.asarray(self.mu + self.sigma * special.ndtri(q), dtype=float)

    def _cdf(self, x: FloatArray) -> FloatArray:
        return np.asarray(special.ndtr((x - self.mu) / self.sigma))

    def _logpdf(self, x: FloatArray) -> FloatArray:
        score = (x - self.mu) / self.sigma
        return np.asarray(-0.5 * score * score - math.log(self.sigma) - _HALF_LOG_2PI, dtype=float)

    @property
    def support(self) -> tuple[float, float]:
        return -math.inf, math.inf

    def mean(self) -> float:
        return self.mu

    @classmethod
    def fit_central(cls, low: float, high: float, level: float) -> Self:
        """The normal whose central ``level`` interval is ``[low, high]``."""
        _unbounded(cls.family, level)
        z = float(special.ndtri((1.0 + level) / 2.0))
        return cls((low + high) / 2.0, (high - low) / (2.0 * z))


@dataclasses.dataclass(frozen=True, repr=False)
class LogNormal(Distribution):
    """Lognormal: ``log X`` is normal with mean ``mu`` and standard deviation ``sigma``.

    Examples
    --------
    >>> round(LogNormal(0.0, 1.0).median(), 12)
    1.0
    """

    mu: float
    sigma: float

    family: ClassVar[str] = "lognormal"
    log_symmetric: ClassVar[bool] = True

    def __post_init__(self) -> None:
        super().__post_init__()
        self._real("mu")
        self._positive("sigma")
        self._check_draws()

    def _ppf(self, q: FloatArray) -> FloatArray:
        z: FloatArray = np.asarray(special.ndtri(q), dtype=float)
        z *= self.sigma
        z += self.mu
        return np.exp(z, out=z)

    def _cdf(self, x: FloatArray) -> FloatArray:
        return np.asarray(special.ndtr((np.log(x) - self.mu) / self.sigma))

    def _logpdf(self, x: FloatArray) -> FloatArray:
        log_x = np.log(x)
        score = (log_x - self.mu) / self.sigma
        return np.asarray(
            -0.5 * score * score - log_x - math.log(self.sigma) - _HALF_LOG_2PI, dtype=float
        )

    @property
    def support(self) -> tuple[float, float]:
        return 0.0, math.inf

    def mean(self) -> float:
        try:
            return math.exp(self.mu + self.sigma**2 / 2.0)
        except OverflowError:  # finite, but beyond the float range
            return math.inf

    @classmethod
    def fit_central(cls, low: float, high: float, level: float) -> Self:
        """The lognormal whose central ``level`` interval is ``[low, high]``."""
        _unbounded(cls.family, level)
        _positive_low(cls.family, low)
        z = float(special.ndtri((1.0 + level) / 2.0))
        log_low, log_high = math.log(low), math.log(high)
        return cls((log_low + log_high) / 2.0, (log_high - log_low) / (2.0 * z))


@dataclasses.dataclass(frozen=True, repr=False)
class TruncNormal(Distribution):
    """A normal with mean ``mu`` and standard deviation ``sigma``, truncated to ``x >= 0``.

    ``mu`` and ``sigma`` are those of the parent normal before truncation; ``mu`` may be negative
    (the mass then piles up near zero).

    Examples
    --------
    >>> round(TruncNormal(0.0, 1.0).median(), 6)  # the half-normal's median
    0.67449
    """

    mu: float
    sigma: float

    family: ClassVar[str] = "truncnormal"

    #: The most negative ``mu / sigma`` searched when fitting a range: beyond it the shape is
    #: within about 0.1% of an exponential, the widest range a truncated normal can match.
    T_MIN: ClassVar[float] = -30.0

    def __post_init__(self) -> None:
        super().__post_init__()
        self._real("mu")
        self._positive("sigma")
        self._check_draws()

    @staticmethod
    def _std_ppf(q: FloatArray, t: float) -> FloatArray:
        """Quantiles of N(t, 1) truncated to y > 0, stable for any t."""
        if t >= 0.0:  # lower form: P(Y <= y) = (Phi(y - t) - Phi(-t)) / Phi(t)
            out = np.asarray(t + special.ndtri(special.ndtr(-t) + q * special.ndtr(t)), dtype=float)
            lost = ~np.isfinite(out)  # q so near 1 that the sum rounded to 1: survival form
            if lost.any():
                upper = np.broadcast_to(q, out.shape)[lost]
                out[lost] = t - special.ndtri((1.0 - upper) * special.ndtr(t))
            return out
        # survival form in logs: P(Y > y) = Phi(t - y) / Phi(t)
        return np.asarray(t - special.ndtri_exp(np.log1p(-q) + special.log_ndtr(t)), dtype=float)

    def _ppf(self, q: FloatArray) -> FloatArray:
        return self.sigma * self._std_ppf(q, self.mu / self.sigma)

    def _cdf(self, x: FloatArray) -> FloatArray:
        t, y = self.mu / self.sigma, x / self.sigma
        if t >= 0.0:
            return np.asarray(
                (special.ndtr(y - t) - special.ndtr(-t)) / special.ndtr(t), dtype=float
            )
        log_gap: FloatArray = np.asarray(special.log_ndtr(t - y) - special.log_ndtr(t), dtype=float)
        return -np.expm1(log_gap)

    def _logpdf(self, x: FloatArray) -> FloatArray:
        score = (x - self.mu) / self.sigma
        log_mass = float(special.log_ndtr(self.mu / self.sigma))  # P(parent > 0), in logs
        return np.asarray(
            -0.5 * score * score - math.log(self.sigma) - _HALF_LOG_2PI - log_mass, dtype=float
        )

    @property
    def support(self) -> tuple[float, float]:
        return 0.0, math.inf

    def mean(self) -> float:
        t = self.mu / self.sigma
        mills = math.exp(-0.5 * t * t - 0.5 * math.log(2.0 * math.pi) - special.log_ndtr(t))
        return self.sigma * (t + mills)

    @classmethod
    def fit_central(cls, low: float, high: float, level: float) -> Self:
        """The truncated normal whose central ``level`` interval is ``[low, high]``.

        The ratio ``high / low`` fixes ``t = mu / sigma`` (one bracketed root), then ``low``
        fixes ``sigma``. Ranges wider than the exponential limit cannot be matched.
        """
        _unbounded(cls.family, level)
        _positive_low(cls.family, low)
        probs = np.array(_tails(level))

        def log_ratio(t: float) -> float:
            lo, hi = cls._std_ppf(probs, t)
            return math.log(hi) - math.log(lo)

        target = math.log(high) - math.log(low)
        widest = log_ratio(cls.T_MIN)
        if target >= widest:
            raise InputError(
                f"range [{fmt_number(low)}, {fmt_number(high)}] is too wide for a normal "
                f"truncated at 0 at level {level:g}: high/low must be below "
                f"{math.exp(widest):.4g} (got {high / low:.4g}); use family='lognormal' or 'gamma'"
            )
        z = float(special.ndtri(probs[1]))
        ratio = high / low
        t_high = 2.0 * z * (ratio + 1.0) / (ratio - 1.0) + 10.0
        t = _bracketed_root(lambda t: log_ratio(t) - target, cls.T_MIN, t_high, "t", grow=2.0)
        sigma = low / float(cls._std_ppf(probs[:1], t)[0])
        return cls(t * sigma, sigma)


@dataclasses.dataclass(frozen=True, repr=False)
class Gamma(Distribution):
    """Gamma with shape ``shape`` and scale ``scale`` (mean ``shape * scale``).

    Examples
    --------
    >>> Gamma(2.0, 3.0).mean()
    6.0
    """

    shape: float
    scale: float

    family: ClassVar[str] = "gamma"

    def __post_init__(self) -> None:
        super().__post_init__()
        self._positive("shape")
        self._positive("scale")
        self._check_draws()

    def _ppf(self, q: FloatArray) -> FloatArray:
        return np.asarray(self.scale * special.gammaincinv(self.shape, q), dtype=float)

    def _cdf(self, x: FloatArray) -> FloatArray:
        return np.asarray(special.gammainc(self.shape, x / self.scale))

    def _logpdf(self, x: FloatArray) -> FloatArray:
        y = x / self.scale
        return np.asarray(
            special.xlogy(self.shape - 1.0, y)
            - y
            - special.gammaln(self.shape)
            - math.log(self.scale),
            dtype=float,
        )

    @property
    def support(self) -> tuple[float, float]:
        return 0.0, math.inf

    def mean(self) -> float:
        return self.shape * self.scale

    @classmethod
    def fit_central(cls, low: float, high: float, level: float) -> Self:
        """The gamma whose central ``level`` interval is ``[low, high]``.

        The ratio ``high / low`` fixes the shape (one bracketed root in log-shape); ``low`` then
        fixes the scale.
        """
        _unbounded(cls.family, level)
        _positive_low(cls.family, low)
        q_low, q_high = _tails(level)
        target = math.log(high) - math.log(low)

        def excess(log_shape: float) -> float:
            shape = math.exp(log_shape)
            lo = float(special.gammaincinv(shape, q_low))
            hi = float(special.gammaincinv(shape, q_high))
            if lo <= 0.0:  # underflow: the range is wider than any representable shape gives
                return math.inf
            return math.log(hi) - math.log(lo) - target

        log_shape = _bracketed_root(excess, -1.0, 1.0, "shape", grow=2.0, limits=(-9.0, 40.0))
        shape = math.exp(log_shape)
        return cls(shape, low / float(special.gammaincinv(shape, q_low)))


@dataclasses.dataclass(frozen=True, repr=False)
class Beta(Distribution):
    """Beta on (0, 1) with shapes ``alpha`` and ``beta``: the family for shares.

    Examples
    --------
    >>> Beta(2.0, 6.0).mean()
    0.25
    """

    alpha: float
    beta: float

    family: ClassVar[str] = "beta"

    def __post_init__(self) -> None:
        super().__post_init__()
        self._positive("alpha")
        self._positive("beta")
        self._check_draws()

    def _ppf(self, q: FloatArray) -> FloatArray:
        return np.asarray(special.betaincinv(self.alpha, self.beta, q))

    def _cdf(self, x: FloatArray) -> FloatArray:
        return np.asarray(special.betainc(self.alpha, self.beta, x))

    def _logpdf(self, x: FloatArray) -> FloatArray:
        return _beta_logpdf(self.alpha, self.beta, x, 1.0 - x)

    @property
    def support(self) -> tuple[float, float]:
        return 0.0, 1.0

    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)

    @classmethod
    def fit_central(cls, low: float, high: float, level: float) -> Self:
        """The beta whose central ``level`` interval is ``[low, high]`` (a share range).

        For a given ``alpha`` the low end fixes ``beta`` (the low quantile falls as ``beta``
        grows); the high end then fixes ``alpha`` (with the low quantile held, the high quantile
        falls as ``alpha`` grows). Both are bracketed roots on log scales. A range centred above
        one half is fitted as its mirror image ``[1 - high, 1 - low]``.
        """
        if not 0.0 < low < high < 1.0:
            raise InputError(
                f"family 'beta' is for shares: need 0 < low < high < 1; got "
                f"low={low:g}, high={high:g}"
            )
        if level >= 1.0:
            raise InputError(
                "level=1 would make the range the support, but family 'beta' lives on (0, 1); "
                "use level < 1, or family 'pert' or 'uniform' for hard bounds"
            )
        if low + high > 1.0:
            # Fit the mirror image 1 - X ~ Beta(beta, alpha): floats resolve shares near 0 far
            # more finely than shares near 1, where narrow ranges would find no root.
            mirror = cls.fit_central(1.0 - high, 1.0 - low, level)
            return cls(mirror.beta, mirror.alpha)
        q_low, q_high = _tails(level)
        logit_low, logit_high = float(special.logit(low)), float(special.logit(high))

        def log_beta_for(log_alpha: float) -> float:
            alpha = math.exp(log_alpha)

            def gap(log_b: float) -> float:
                return float(special.logit(special.betaincinv(alpha, math.exp(log_b), q_low)))

            return _bracketed_root(
                lambda log_b: gap(log_b) - logit_low, -5.0, 5.0, "beta", limits=(-700.0, 700.0)
            )

        def excess(log_alpha: float) -> float:
            alpha, beta = math.exp(log_alpha), math.exp(log_beta_for(log_alpha))
            return float(special.logit(special.betaincinv(alpha, beta, q_high))) - logit_high

        log_alpha = _bracketed_root(excess, -3.0, 3.0, "alpha", limits=(-700.0, 700.0))
        return cls(math.exp(log_alpha), math.exp(log_beta_for(log_alpha)))


_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def _beta_logpdf(a: float, b: float, y: FloatArray, one_minus_y: FloatArray) -> FloatArray:
    """Log density of the standard beta at ``y`` (with ``1 - y`` given, for accuracy near 1)."""
    return np.asarray(
        special.xlogy(a - 1.0, y) + special.xlogy(b - 1.0, one_minus_y) - special.betaln(a, b),
        dtype=float,
    )


def _bracketed_root(
    func: Callable[[float], float],
    lo: float,
    hi: float,
    what: str,
    *,
    grow: float = 4.0,
    limits: tuple[float, float] = (-math.inf, math.inf),
) -> float:
    """Root of a decreasing ``func``: widen ``[lo, hi]`` until it brackets one, then Brent.

    Decreasing means ``func(lo) > 0 > func(hi)``; the bracket's ends move outward (by ``grow``
    times its width) but never past ``limits``.
    """
    f_lo, f_hi = func(lo), func(hi)
    while f_lo < 0.0 and lo > limits[0]:
        lo, hi, f_hi = max(lo - grow * (hi - lo), limits[0]), lo, f_lo
        f_lo = func(lo)
    while f_hi > 0.0 and hi < limits[1]:
        lo, hi, f_lo = hi, min(hi + grow * (hi - lo), limits[1]), f_hi
        f_hi = func(hi)
    if not f_lo >= 0.0 >= f_hi:
        raise InputError(
            f"no {what} parameter matches this range; it is too wide or too narrow for the family"
        )
    while not (math.isfinite(f_lo) and math.isfinite(f_hi)):  # pull infinite ends inwards
        mid = (lo + hi) / 2.0
        f_mid = func(mid)
        if f_mid < 0.0:
            hi, f_hi = mid, f_mid
        else:
            lo, f_lo = mid, f_mid
        if hi - lo < 1e-12 * max(1.0, abs(lo)):
            raise InputError(f"no {what} parameter matches this range within floating point")
    if f_lo == 0.0:
        return lo
    if f_hi == 0.0:
        return hi
    root: float = optimize.brentq(func, lo, hi, xtol=1e-300, rtol=4 * np.finfo(float).eps)
    return root


#: The families that can be fitted to a two-sided range, by name.
RANGE_FAMILIES: dict[str, type[Distribution]] = {
    cls.family: cls
    for cls in (Uniform, Triangular, PERT, Normal, TruncNormal, LogNormal, Gamma, Beta)
}
