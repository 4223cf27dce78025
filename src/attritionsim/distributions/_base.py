"""The :class:`Distribution` base: one immutable value per distribution, sampled through its ppf.

A family supplies only its formulas: ``_ppf`` (the inverse CDF, the heart of it), ``_cdf``,
``_logpdf`` (the log density; a numerical derivative of the CDF where a family gives none),
``mean`` and ``support``, and declares its parameters as dataclass fields. Everything else —
validation of arguments, endpoints, intervals, sampling, the plain-data spec and the ``repr`` —
lives here once. Because every family samples as ``ppf(uniforms)`` (through
:meth:`Distribution.ppf_unchecked`), any design of uniforms (plain Monte Carlo, Latin
hypercube, Sobol points, a Gaussian copula) works for all of them.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from abc import ABC, abstractmethod
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar, Final, Self, overload

import numpy as np

from .. import _validate
from .._format import fmt_number
from .._rng import as_generator, open_uniforms
from .._typing import ArrayLike, FloatArray, SeedLike
from .._validate import DEFAULT_LEVEL
from ..errors import InputError

__all__ = ["Q_CHECKED", "Distribution", "FloatRangeError", "from_spec"]

#: The probabilities at which a distribution must have finite quantiles, computed without a
#: floating point overflow: fewer than one draw in a billion may lie beyond the float range
#: (those few are drawn as -inf or inf, as a lognormal with a huge spread must be).
Q_CHECKED: Final = (1e-9, 0.5, 1.0 - 1e-9)


class FloatRangeError(InputError):
    """A parameter or a draw of a distribution beyond the range of floating point numbers.

    :func:`attritionsim.from_range` and its kin turn it into a message naming the range.
    """


_REGISTRY: dict[str, type[Distribution]] = {}

Origin = Mapping[str, Any]


@dataclasses.dataclass(frozen=True, repr=False)
class Distribution(ABC):
    """A continuous probability distribution of one quantity.

    Instances are immutable values: two distributions with the same family and parameters are
    equal, whatever their ``origin`` (the record of how they were elicited, kept for provenance).

    Subclasses are frozen dataclasses whose fields are the family's parameters.
    """

    #: The family's name in specs and in ``from_range(family=...)``.
    family: ClassVar[str]
    #: Whether ``from_range(..., level=1.0)`` may take the range as the support.
    bounded: ClassVar[bool] = False
    #: Whether "approximately X" should be symmetric on a log scale (keeps the median at X).
    log_symmetric: ClassVar[bool] = False

    origin: Origin | None = dataclasses.field(default=None, kw_only=True, compare=False)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        family = cls.__dict__.get("family")
        if isinstance(family, str):
            _REGISTRY[family] = cls

    def __post_init__(self) -> None:
        if self.origin is not None:
            object.__setattr__(self, "origin", MappingProxyType(dict(self.origin)))

    # ------------------------------------------------------------------ formulas (per family)
    @abstractmethod
    def _ppf(self, q: FloatArray) -> FloatArray:
        """Inverse CDF for probabilities strictly inside (0, 1); no validation."""

    @abstractmethod
    def _cdf(self, x: FloatArray) -> FloatArray:
        """CDF for points strictly inside the support; no validation."""

    @property
    @abstractmethod
    def support(self) -> tuple[float, float]:
        """The interval outside which the density is zero, as ``(lower, upper)``."""

    @abstractmethod
    def mean(self) -> float:
        """The expected value (``inf`` where it does not exist)."""

    def _logpdf(self, x: FloatArray) -> FloatArray:
        """Log density at points strictly inside the support; no validation.

        The families override this with closed forms. This fallback differentiates the CDF
        numerically (a central difference with a step relative to the point).
        """
        step = 1e-6 * np.maximum(np.abs(x), 1e-6)
        slope = (self.cdf_unchecked(x + step) - self.cdf_unchecked(x - step)) / (2.0 * step)
        with np.errstate(divide="ignore"):
            return np.asarray(np.log(np.maximum(slope, 0.0)), dtype=float)

    @classmethod
    def fit_central(cls, low: float, high: float, level: float) -> Self:
        """The member of this family whose central ``level`` interval is ``[low, high]``.

        Families that can be fitted to a two-sided range override this.
        """
        raise InputError(f"family {cls.family!r} cannot be fitted to a two-sided range")

    # ------------------------------------------------------------------ shared behaviour
    @overload
    def ppf(self, q: float) -> float: ...
    @overload
    def ppf(self, q: ArrayLike) -> FloatArray: ...
    def ppf(self, q: ArrayLike) -> FloatArray | float:
        """Inverse cumulative distribution function (quantile function).

        Parameters
        ----------
        q : float or array_like
            Probabilities in [0, 1]. ``0`` and ``1`` give the ends of the support.

        Returns
        -------
        float or numpy.ndarray
            The quantiles, with the shape of ``q``.

        Examples
        --------
        >>> import attritionsim as asim
        >>> dist = asim.from_range(500_000, 600_000, family="normal")
        >>> round(dist.ppf(0.05)), round(dist.ppf(0.95))
        (500000, 600000)
        """
        probs = _validate.probability_array("q", q)
        lower, upper = self.support
        inside = (probs > 0.0) & (probs < 1.0)
        out = np.where(probs <= 0.0, lower, upper).astype(np.float64)
        if inside.any():
            # Quantiles at probabilities closer to 0 or 1 than any design gives may lie beyond
            # the float range: they are -inf or inf, quietly.
            with np.errstate(over="ignore", under="ignore"):
                out[inside] = self._ppf(probs[inside])
        return _scalar_or_array(out)

    def ppf_unchecked(self, q: FloatArray) -> FloatArray:
        """The inverse CDF at probabilities strictly inside (0, 1), without checking them.

        The sampling kernel: the engine and :meth:`sample` turn uniforms into draws through it,
        whatever their design. Unlike :meth:`ppf` it neither checks ``q`` nor maps ``0`` and
        ``1`` to the ends of the support, so it is faster and gives the same values inside
        (0, 1); at ``0``, ``1``, outside or NaN the result is unspecified. Quantiles beyond the
        float range (fewer than one draw in a billion, see :data:`Q_CHECKED`) are ``-inf`` or
        ``inf``, without a warning.

        Parameters
        ----------
        q : numpy.ndarray
            Float probabilities, each strictly between 0 and 1.

        Returns
        -------
        numpy.ndarray
            The quantiles, with the shape of ``q``.

        Examples
        --------
        >>> import numpy as np
        >>> import attritionsim as asim
        >>> dist = asim.from_range(500_000, 600_000, family="normal")
        >>> q = np.array([0.05, 0.5, 0.95])
        >>> bool((dist.ppf_unchecked(q) == dist.ppf(q)).all())
        True
        """
        with np.errstate(over="ignore", under="ignore"):
            return self._ppf(q)

    @overload
    def cdf(self, x: float) -> float: ...
    @overload
    def cdf(self, x: ArrayLike) -> FloatArray: ...
    def cdf(self, x: ArrayLike) -> FloatArray | float:
        """Cumulative distribution function.

        Parameters
        ----------
        x : float or array_like
            Points at which to evaluate; NaN is refused.

        Returns
        -------
        float or numpy.ndarray
            ``P(X <= x)``, with the shape of ``x``.

        Examples
        --------
        >>> import attritionsim as asim
        >>> round(asim.from_range(500_000, 600_000).cdf(600_000), 6)
        0.95
        """
        return _scalar_or_array(self.cdf_unchecked(_validate.finite_array("x", x)))

    @overload
    def logpdf(self, x: float) -> float: ...
    @overload
    def logpdf(self, x: ArrayLike) -> FloatArray: ...
    def logpdf(self, x: ArrayLike) -> FloatArray | float:
        """Natural logarithm of the probability density function.

        Parameters
        ----------
        x : float or array_like
            Points at which to evaluate; NaN is refused.

        Returns
        -------
        float or numpy.ndarray
            ``log p(x)``, with the shape of ``x``: ``-inf`` at and outside the ends of the
            support (where the density is zero, or a point of measure zero).

        Examples
        --------
        >>> import math
        >>> import attritionsim as asim
        >>> from attritionsim.distributions import Normal
        >>> round(Normal(0.0, 1.0).logpdf(0.0) + 0.5 * math.log(2.0 * math.pi), 12)
        0.0
        >>> asim.from_range(500_000, 600_000).logpdf(-1.0)
        -inf
        """
        return _scalar_or_array(self.logpdf_unchecked(_validate.finite_array("x", x)))

    def median(self) -> float:
        """The 50% quantile.

        Examples
        --------
        >>> import attritionsim as asim
        >>> asim.from_range(2.0, 8.0).median()
        4.0...
        """
        return float(self._ppf(np.array([0.5]))[0])

    def interval(self, level: float = DEFAULT_LEVEL) -> tuple[float, float]:
        """The central (equal-tailed) interval holding probability ``level``.

        Parameters
        ----------
        level : float
            Probability in (0, 1]; ``1.0`` gives the support.

        Returns
        -------
        tuple of float
            ``(low, high)``.

        Examples
        --------
        >>> import attritionsim as asim
        >>> low, high = asim.from_range(60_000, 100_000, level=0.8).interval(0.8)
        >>> round(low), round(high)
        (60000, 100000)
        """
        lvl = _validate.level(level)
        if lvl == 1.0:
            return self.support
        low, high = self._ppf(np.array([(1.0 - lvl) / 2.0, (1.0 + lvl) / 2.0]))
        return float(low), float(high)

    def sample(self, n: int | tuple[int, ...], rng: SeedLike) -> FloatArray:
        """Draw ``n`` values by the inverse transform ``ppf(U)``, ``U`` uniform on (0, 1).

        Parameters
        ----------
        n : int or tuple of int
            Number (or shape) of draws.
        rng : int or numpy.random.Generator
            A seed or a generator; there is no hidden global state.

        Returns
        -------
        numpy.ndarray
            The draws.

        Examples
        --------
        >>> import attritionsim as asim
        >>> dist = asim.from_range(500_000, 600_000)
        >>> bool((dist.sample(1000, rng=1) == dist.sample(1000, rng=1)).all())
        True
        """
        shape = _shape(n)
        return self.ppf_unchecked(open_uniforms(as_generator(rng), shape))

    def params(self) -> dict[str, Any]:
        """The family's parameters, by name."""
        return {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if f.init and f.name != "origin"
        }

    def to_spec(self) -> dict[str, Any]:
        """A plain-data description (JSON-ready) from which :func:`from_spec` rebuilds ``self``.

        Examples
        --------
        >>> import attritionsim as asim
        >>> spec = asim.from_range(1.0, 4.0).to_spec()
        >>> spec["family"], sorted(spec["params"]), spec["origin"]["rule"]
        ('lognormal', ['mu', 'sigma'], 'from_range')
        >>> asim.from_spec(spec) == asim.from_range(1.0, 4.0)
        True
        """
        spec: dict[str, Any] = {
            "family": self.family,
            "params": {name: _plain(value) for name, value in self.params().items()},
        }
        if self.origin is not None:
            spec["origin"] = _plain(self.origin)
        return spec

    @classmethod
    def _from_params(cls, params: Mapping[str, Any], origin: Origin | None) -> Distribution:
        """Build from a spec's ``params``; families with nested or sequence params override."""
        return cls(**params, origin=origin)

    def cdf_unchecked(self, x: FloatArray) -> FloatArray:
        """The CDF at any float points, without checking them.

        0 at or below the support, 1 at or above it: what :meth:`cdf` computes once it has
        checked ``x`` (no NaN), for kernels that already have.

        Parameters
        ----------
        x : numpy.ndarray
            Float points, none NaN.

        Returns
        -------
        numpy.ndarray
            The CDF, with the shape of ``x``.

        Examples
        --------
        >>> import numpy as np
        >>> from attritionsim import from_range
        >>> uniform = from_range(0, 1, level=1.0, family="uniform")
        >>> uniform.cdf_unchecked(np.array([-1.0, 0.25, 2.0]))
        array([0.  , 0.25, 1.  ])
        """
        lower, upper = self.support
        inside = (x > lower) & (x < upper)
        out = np.where(x <= lower, 0.0, 1.0).astype(np.float64)
        if inside.any():
            # Points far out in a tail overflow standardising ((x - mu) / sigma): the infinite
            # score gives the right limit, 0 or 1.
            with np.errstate(over="ignore", under="ignore"):
                out[inside] = self._cdf(x[inside])
        return out

    def logpdf_unchecked(self, x: FloatArray) -> FloatArray:
        """The log density at any float points, without checking them.

        ``-inf`` at and outside the ends of the support: what :meth:`logpdf` computes once it
        has checked ``x`` (no NaN), for kernels that already have (the evidence synthesis).

        Parameters
        ----------
        x : numpy.ndarray
            Float points, none NaN.

        Returns
        -------
        numpy.ndarray
            The log density, with the shape of ``x``.

        Examples
        --------
        >>> import numpy as np
        >>> from attritionsim import from_range
        >>> uniform = from_range(0, 2, level=1.0, family="uniform")
        >>> uniform.logpdf_unchecked(np.array([-1.0, 1.0])).round(4)
        array([   -inf, -0.6931])
        """
        lower, upper = self.support
        inside = (x > lower) & (x < upper)
        out = np.full(x.shape, -np.inf)
        if inside.any():
            with np.errstate(over="ignore", under="ignore", divide="ignore"):
                out[inside] = self._logpdf(x[inside])
        return out

    def _check_draws(self) -> None:
        """Refuse a distribution whose draws would overflow: call last in ``__post_init__``.

        Its quantiles at :data:`Q_CHECKED` must be finite and computed without a floating
        point overflow (quantile functions are monotone, so then every draw between them is).
        """
        try:
            with np.errstate(over="raise", invalid="raise", divide="raise"):
                ends = self._ppf(np.array(Q_CHECKED))
            finite = bool(np.isfinite(ends).all())
        except (FloatingPointError, OverflowError, ZeroDivisionError):
            finite = False
        if not finite:
            raise FloatRangeError(
                f"{self!r} cannot be sampled: its draws overflow the float range "
                "(beyond about 1.8e308); narrow it, or rescale the quantity (e.g. count in "
                "thousands)"
            )

    def _set(self, name: str, value: object) -> None:
        """Assign a (cleaned) field of this frozen instance during ``__post_init__``."""
        object.__setattr__(self, name, value)

    def _real(self, name: str) -> float:
        """Clean the field ``name`` into a finite float, naming it on failure."""
        where = f"{type(self).__name__}.{name}"
        raw = getattr(self, name)
        if isinstance(raw, float) and math.isinf(raw):  # e.g. a fit that overflowed
            raise FloatRangeError(f"{where} must be a finite number; got {raw}")
        value = _validate.finite_real(where, raw)
        self._set(name, value)
        return value

    def _positive(self, name: str) -> float:
        """Clean the field ``name`` into a finite float > 0."""
        value = self._real(name)
        if value <= 0.0:
            raise InputError(f"{type(self).__name__}.{name} must be > 0; got {fmt_number(value)}")
        return value

    def _describe(self) -> str:
        """The text inside the ``repr``'s parentheses."""
        if self.origin is not None and {"low", "high", "level"} <= set(self.origin):
            origin = self.origin
            text = (
                f"{100.0 * origin['level']:.10g}% in "
                f"[{fmt_number(origin['low'])}, {fmt_number(origin['high'])}]"
            )
            rule = origin.get("rule", "from_range")
            if rule != "from_range" and "value" in origin:
                text = f"{rule.replace('_', ' ')} {fmt_number(origin['value'])}; {text}"
            return text
        return ", ".join(f"{name}={_fmt_param(value)}" for name, value in self.params().items())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._describe()})"


def from_spec(spec: Mapping[str, Any]) -> Distribution:
    """Rebuild a distribution from the plain-data spec made by :meth:`Distribution.to_spec`.

    Parameters
    ----------
    spec : mapping
        ``{"family": ..., "params": {...}}`` and optionally ``"origin"``.

    Returns
    -------
    Distribution
        An equal distribution (same family, parameters and origin).

    Examples
    --------
    >>> import attritionsim as asim
    >>> asim.from_spec({"family": "normal", "params": {"mu": 0.0, "sigma": 1.0}})
    Normal(mu=0, sigma=1)
    """
    if not isinstance(spec, Mapping):
        raise InputError(f"spec must be a mapping with 'family' and 'params'; got {spec!r}")
    unknown_keys = set(spec) - {"family", "params", "origin"}
    if unknown_keys:
        raise InputError(
            f"spec has unknown key(s) {sorted(unknown_keys)}; valid: 'family', 'params', 'origin'"
        )
    family = _validate.choice("spec['family']", spec.get("family"), sorted(_REGISTRY))
    cls = _REGISTRY[family]
    params = spec.get("params")
    if not isinstance(params, Mapping):
        raise InputError(f"spec['params'] for family {family!r} must be a mapping; got {params!r}")
    names = [f.name for f in dataclasses.fields(cls) if f.init and f.name != "origin"]
    required = [
        f.name
        for f in dataclasses.fields(cls)
        if f.init
        and f.name != "origin"
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    ]
    missing = [name for name in required if name not in params]
    if missing:
        raise InputError(f"spec['params'] for family {family!r} is missing {missing}")
    extra = sorted(set(params) - set(names))
    if extra:
        raise InputError(
            f"spec['params'] for family {family!r} has unknown {extra}; valid: {names}"
        )
    origin = spec.get("origin")
    if origin is not None and not isinstance(origin, Mapping):
        raise InputError(f"spec['origin'] must be a mapping or absent; got {origin!r}")
    return cls._from_params(params, origin)


def _scalar_or_array(out: FloatArray) -> FloatArray | float:
    return float(out) if out.ndim == 0 else out


def _shape(n: object) -> tuple[int, ...]:
    dims = n if isinstance(n, tuple) else (n,)
    for dim in dims:
        if isinstance(dim, bool) or not isinstance(dim, numbers.Integral) or int(dim) < 0:
            raise InputError(f"n must be a non-negative integer or a tuple of them; got {n!r}")
    return tuple(int(d) for d in dims)


def _plain(value: Any) -> Any:
    """Turn a parameter or origin value into JSON-ready plain data."""
    if isinstance(value, Distribution):
        return value.to_spec()
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _fmt_param(value: Any) -> str:
    if isinstance(value, float) and math.isfinite(value):
        return fmt_number(value)
    if isinstance(value, tuple):
        return "(" + ", ".join(_fmt_param(item) for item in value) + ")"
    return repr(value)
