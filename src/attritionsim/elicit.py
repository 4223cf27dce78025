"""From the way a source words a figure to a probability distribution.

Every function returns a :class:`~attritionsim.distributions.Distribution` whose ``origin``
records the rule applied and its arguments, so a result can always say where a number came from.

The default rules
-----------------
Each qualifier becomes a range ``[low, high]`` and a ``level``; :func:`from_range` then fits the
family so that its central ``level`` interval is exactly that range.

=====================  =========================================  ==========  =============
qualifier              range                                      level       family
=====================  =========================================  ==========  =============
``X to Y``             ``[X, Y]``                                 0.9         lognormal
approximately ``X``    ``[X - h, X + h]``, ``h = max(u/2, 0.1 X)``  0.9         lognormal
nearly ``X``           ``[0.9 X, X]``                             1 (bound)   uniform
more than ``X``        ``[X, 1.1 X]``                             1 (bound)   uniform
up to ``X``            ``[0.8 X, X]``                             1 (bound)   uniform
at least ``X``         ``[X, 1.25 X]``                            1 (bound)   uniform
=====================  =========================================  ==========  =============

Why these:

* **A stated range** (CSIS: 500,000 to 600,000) is read as a 90% credible interval: sources
  rarely say what their ranges mean, and 90% leaves room for the estimate itself to be off. The
  lognormal suits counts: positive, right-skewed, and symmetric on the log scale.
* **Approximately X** carries at least its rounding: "1.2 million" is rounded to 0.1 million
  (``u``, the place of the last non-zero digit; a figure with a single significant digit such as
  "1,000" is read as rounded at the next place down, to 100, since round figures are rarely
  meant to the nearest thousand). Estimates of losses are seldom better than 10%, so the
  half-width is never below 10% of ``X``. For the lognormal the upper end becomes
  ``X**2 / (X - h)`` so that the median stays exactly at ``X`` (the interval only widens).
* **One-sided qualifiers** state a bound, so the bounded uniform honours it as a hard limit.
  The other end is not stated; the defaults come from this catalogue's own evidence: where CSIS
  gave both "up to X" and a range, the low end sat at 0.71-0.94 of ``X`` (geometric mean 0.79),
  and UK Defence Intelligence put CSIS's "up to 250,000" killed at 200,000-250,000, hence
  ``0.8 X``; "at least X" mirrors it (``1.25 X = X / 0.8``), because floors such as a named-dead
  list can lie well under the truth. "Nearly" and "more than" are closer: ``X`` itself is the
  reference point and 10% covers their use in this domain ("nearly one million" for 950,000).
* With an unbounded family (``family="lognormal"``), one-sided qualifiers default to
  ``level=0.9``: the bound becomes the 5% or 95% quantile.

Every default can be overridden by keyword (``rel=``, ``low=``, ``high=``, ``level=``,
``family=``).

The table of qualifier rules
----------------------------
:data:`QUALIFIERS` declares every qualifier once, as a :class:`QualifierRule`: its rule, what
its figure states, the options it takes, its symbol and its wordings. The catalogue, the
scenario files, the command line and the plots all read it.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import types
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Literal

from . import _validate
from ._format import fmt_number
from ._typing import RangeFamily
from ._validate import DEFAULT_LEVEL
from .distributions import (
    PERT,
    RANGE_FAMILIES,
    Distribution,
    FloatRangeError,
    Metalog,
    Mixture,
)
from .errors import InputError

__all__ = [
    "APPROX_REL",
    "MAX_OPEN_LEVEL",
    "NEARLY_REL",
    "ONE_SIDED_SPAN",
    "QUALIFIERS",
    "QualifierRule",
    "approximately",
    "at_least",
    "from_range",
    "metalog",
    "mixture",
    "more_than",
    "nearly",
    "pert",
    "rounding_unit",
    "up_to",
]

#: Smallest half-width of "approximately X", relative to X.
APPROX_REL = 0.10
#: How far below X "nearly X" may lie, and above X "more than X", relative to X.
NEARLY_REL = 0.10
#: Ratio between the stated and the unstated end for "up to" and "at least".
ONE_SIDED_SPAN = 1.25
#: The widest credible level short of 1: wider ones leave tails (``(1 - level) / 2``) that no
#: published range means and that floating point cannot tell from 0.
MAX_OPEN_LEVEL = 0.999999


def from_range(
    low: float, high: float, *, level: float = DEFAULT_LEVEL, family: RangeFamily = "lognormal"
) -> Distribution:
    """The distribution whose central ``level`` interval is exactly ``[low, high]``.

    Parameters
    ----------
    low, high : float
        The range as published, ``low < high``.
    level : float
        Probability inside the range: in [0.01, :data:`MAX_OPEN_LEVEL`], or ``1.0``, which makes
        the range the support (only the bounded families ``uniform``, ``triangular`` and
        ``pert`` have one).
    family : str
        ``"uniform"``, ``"triangular"`` (symmetric), ``"pert"`` (symmetric), ``"normal"``,
        ``"truncnormal"`` (a normal truncated at 0), ``"lognormal"``, ``"gamma"`` or ``"beta"``
        (for shares inside (0, 1)).

    Returns
    -------
    Distribution
        Its ``interval(level)`` reproduces ``(low, high)`` to about 1e-12 relative.

    Raises
    ------
    InputError
        If ``low >= high``, a bound is not finite, ``level`` is outside the above, the family
        is unknown, a positive family gets ``low <= 0``, a beta gets a range outside (0, 1),
        the range cannot be matched by the family, or the fitted distribution's draws would
        overflow the float range (say ``[1e307, 1.7e308]`` for a triangular).

    Examples
    --------
    >>> import attritionsim as asim
    >>> ua = asim.from_range(500_000, 600_000)
    >>> ua
    LogNormal(90% in [500,000, 600,000])
    >>> [round(x) for x in ua.interval(0.9)]
    [500000, 600000]
    """
    low = _validate.finite_real("low", low)
    high = _validate.finite_real("high", high)
    lvl = _validate.level(level)
    name = _validate.choice("family", family, RANGE_FAMILIES)
    return _fit(low, high, lvl, name, {"rule": "from_range"})


def approximately(
    value: float,
    *,
    rel: float | None = None,
    level: float = DEFAULT_LEVEL,
    family: RangeFamily = "lognormal",
    rounding: float | None = None,
) -> Distribution:
    """“Approximately / about / around X”: a distribution centred on ``X``.

    Parameters
    ----------
    value : float
        The figure as published (non-zero).
    rel : float, optional
        Half-width of the ``level`` interval relative to ``value``. If omitted, the larger of
        half the rounding unit and :data:`APPROX_REL` (10%).
    level : float
        Probability inside ``[value - h, value + h]``, in [0.01, :data:`MAX_OPEN_LEVEL`].
    family : str
        As in :func:`from_range`. For the lognormal the interval's upper end is
        ``value**2 / (value - h)``, which keeps the median at ``value``.
    rounding : float, optional
        The rounding unit of the figure as published, if :func:`rounding_unit`'s reading of the
        digits is wrong (e.g. ``rounding=500`` for a figure known to the nearest 500).

    Returns
    -------
    Distribution

    Examples
    --------
    >>> import attritionsim as asim
    >>> ru = asim.approximately(1_200_000)
    >>> ru
    LogNormal(approximately 1,200,000; 90% in [1,080,000, 1,333,333])
    >>> round(ru.median())
    1200000
    >>> asim.approximately(1_000, rel=0.2, family="normal").interval(0.9)
    (800.0..., 1200.0...)
    """
    value = _validate.finite_real("value", value)
    if value == 0.0:
        raise InputError("value must be non-zero for 'approximately'; got 0")
    lvl = _validate.level(level)
    if lvl == 1.0:
        raise InputError("level must be below 1 for 'approximately' (it has no hard bounds)")
    name = _validate.choice("family", family, RANGE_FAMILIES)
    if value < 0.0 and _positive_family(name):
        raise InputError(
            f"approximately {fmt_number(value)}: a {name} reading needs a positive figure; "
            "use family='normal' for a quantity that can be negative"
        )
    unit = rounding_unit(value) if rounding is None else _positive("rounding", rounding)
    if rel is None:
        half = max(unit / 2.0, APPROX_REL * abs(value))
    else:
        half = _positive("rel", rel) * abs(value)
        if half >= abs(value) and _positive_family(name):
            raise InputError(
                f"rel={fmt_number(float(rel))} must be below 1 for a {name} reading of "
                f"approximately {fmt_number(value)} (the range would reach zero); "
                "use family='normal' for a spread that wide"
            )
    low = value - half
    high = value + half
    if RANGE_FAMILIES[name].log_symmetric and low > 0.0:
        high = value * value / low
    _spread("approximately", value, low, high)
    origin = {"rule": "approximately", "value": value, "rel": rel, "rounding": unit}
    return _fit(low, high, lvl, name, origin)


def up_to(
    high: float,
    *,
    low: float | None = None,
    level: float | None = None,
    family: RangeFamily = "uniform",
) -> Distribution:
    """“Up to / as many as X”: ``X`` is an upper bound.

    Parameters
    ----------
    high : float
        The stated bound ``X``.
    low : float, optional
        The unstated other end; default ``X / ONE_SIDED_SPAN`` (``0.8 X``).
    level : float, optional
        Default ``1.0`` (``X`` is a hard bound) for bounded families, ``0.9`` otherwise.
    family : str
        As in :func:`from_range`; default ``"uniform"``.

    Returns
    -------
    Distribution

    Examples
    --------
    >>> import attritionsim as asim
    >>> asim.up_to(250_000)
    Uniform(up to 250,000; 100% in [200,000, 250,000])
    >>> asim.up_to(250_000, low=150_000).mean()
    200000.0
    """
    high = _validate.finite_real("high", high)
    if low is None:
        _stated("up_to", high, "low", "0.8")
        low = high / ONE_SIDED_SPAN
        _spread("up_to", high, low, high)
    else:
        low = _validate.finite_real("low", low)
    return _one_sided("up_to", high, low, high, level, family)


def at_least(
    low: float,
    *,
    high: float | None = None,
    level: float | None = None,
    family: RangeFamily = "uniform",
) -> Distribution:
    """“At least X”: ``X`` is a lower bound (a floor such as a count of named dead).

    Parameters
    ----------
    low : float
        The stated bound ``X``.
    high : float, optional
        The unstated other end; default ``X * ONE_SIDED_SPAN`` (``1.25 X``).
    level : float, optional
        Default ``1.0`` for bounded families, ``0.9`` otherwise.
    family : str
        As in :func:`from_range`; default ``"uniform"``.

    Returns
    -------
    Distribution

    Examples
    --------
    >>> import attritionsim as asim
    >>> asim.at_least(200_000).interval(1.0)
    (200000.0, 250000.0)
    """
    low = _validate.finite_real("low", low)
    if high is None:
        _stated("at_least", low, "high", "1.25")
        high = low * ONE_SIDED_SPAN
        _spread("at_least", low, low, high)
    else:
        high = _validate.finite_real("high", high)
    return _one_sided("at_least", low, low, high, level, family)


def nearly(
    value: float,
    *,
    rel: float = NEARLY_REL,
    level: float | None = None,
    family: RangeFamily = "uniform",
) -> Distribution:
    """“Nearly / almost X”: just below ``X``, within ``rel`` of it.

    Parameters
    ----------
    value : float
        The stated figure ``X`` (an upper bound).
    rel : float
        How far below ``X`` the value may lie, relative to ``X`` (default 10%).
    level : float, optional
        Default ``1.0`` for bounded families, ``0.9`` otherwise.
    family : str
        As in :func:`from_range`; default ``"uniform"``.

    Returns
    -------
    Distribution

    Examples
    --------
    >>> import attritionsim as asim
    >>> asim.nearly(400_000)
    Uniform(nearly 400,000; 100% in [360,000, 400,000])
    """
    value = _validate.finite_real("value", value)
    low = value - _positive("rel", rel) * abs(value)
    _spread("nearly", value, low, value)
    return _one_sided("nearly", value, low, value, level, family, rel=rel)


def more_than(
    value: float,
    *,
    rel: float = NEARLY_REL,
    level: float | None = None,
    family: RangeFamily = "uniform",
) -> Distribution:
    """“More than / over X”: just above ``X``, within ``rel`` of it.

    Parameters
    ----------
    value : float
        The stated figure ``X`` (a lower bound).
    rel : float
        How far above ``X`` the value may lie, relative to ``X`` (default 10%).
    level : float, optional
        Default ``1.0`` for bounded families, ``0.9`` otherwise.
    family : str
        As in :func:`from_range`; default ``"uniform"``.

    Returns
    -------
    Distribution

    Examples
    --------
    >>> import attritionsim as asim
    >>> asim.more_than(1_000_000).interval(1.0)
    (1000000.0, 1100000.0)
    """
    value = _validate.finite_real("value", value)
    high = value + _positive("rel", rel) * abs(value)
    _spread("more_than", value, value, high)
    return _one_sided("more_than", value, value, high, level, family, rel=rel)


def pert(low: float, mode: float, high: float, *, shape: float = 4.0) -> PERT:
    """A PERT distribution from a minimum, a most likely value and a maximum.

    Parameters
    ----------
    low, mode, high : float
        ``low <= mode <= high`` and ``low < high``.
    shape : float
        Weight of the mode (4 for the classic PERT); larger gathers more mass near it.

    Returns
    -------
    PERT

    Examples
    --------
    >>> import attritionsim as asim
    >>> asim.pert(60_000, 80_000, 100_000).mean()
    80000.0
    """
    return PERT(
        _validate.finite_real("low", low),
        _validate.finite_real("mode", mode),
        _validate.finite_real("high", high),
        _validate.finite_real("shape", shape),
    )


def metalog(
    quantiles: Mapping[float, float], *, lower: float | None = None, upper: float | None = None
) -> Metalog:
    """A metalog passing exactly through three or more quantiles.

    Parameters
    ----------
    quantiles : mapping of float to float
        ``{probability: value}``, e.g. ``{0.1: 800_000, 0.5: 950_000, 0.9: 1_150_000}``.
    lower, upper : float, optional
        Bounds of the support (a count might take ``lower=0``).

    Returns
    -------
    Metalog

    Raises
    ------
    InputError
        Fewer than three quantiles, values not increasing with probability, a bound on the wrong
        side of the values, or quantiles that no valid metalog passes through.

    Examples
    --------
    >>> import attritionsim as asim
    >>> dist = asim.metalog({0.1: 800_000, 0.5: 950_000, 0.9: 1_150_000}, lower=0)
    >>> round(dist.ppf(0.5))
    950000
    """
    if not isinstance(quantiles, Mapping) or not quantiles:
        raise InputError(f"quantiles must be a mapping {{probability: value}}; got {quantiles!r}")
    points = sorted(
        (_validate.finite_real("quantiles key", p), _validate.finite_real(f"quantiles[{p}]", v))
        for p, v in quantiles.items()
    )
    return Metalog(
        tuple(p for p, _ in points),
        tuple(v for _, v in points),
        None if lower is None else _validate.finite_real("lower", lower),
        None if upper is None else _validate.finite_real("upper", upper),
    )


def mixture(dists: Sequence[Distribution], weights: Sequence[float] | None = None) -> Mixture:
    """A mixture: with probability ``weights[i]`` the quantity follows ``dists[i]``.

    Parameters
    ----------
    dists : sequence of Distribution
        The components.
    weights : sequence of float, optional
        Positive weights (normalised); equal weights if omitted.

    Returns
    -------
    Mixture

    Examples
    --------
    >>> import attritionsim as asim
    >>> mix = asim.mixture([asim.from_range(1, 2, family="uniform"),
    ...                     asim.from_range(3, 4, family="uniform")], [3, 1])
    >>> mix.weights
    (0.75, 0.25)
    """
    comps = tuple(dists)
    return Mixture(comps, tuple(weights) if weights is not None else (1.0,) * len(comps))


def rounding_unit(value: float) -> float:
    """The rounding unit a published figure implies: the place of its last non-zero digit.

    A figure with a single significant digit is read one place finer (``1,000`` as rounded to
    the nearest 100), since round figures are rarely meant as coarsely as their digits allow.

    Parameters
    ----------
    value : float
        The figure as published.

    Returns
    -------
    float
        The unit, a power of ten.

    Examples
    --------
    >>> rounding_unit(1_200_000), rounding_unit(950_000), rounding_unit(1_000), rounding_unit(0.2)
    (100000.0, 10000.0, 100.0, 0.01)
    """
    value = _validate.finite_real("value", value)
    if value == 0.0:
        raise InputError("value must be non-zero to read its rounding; got 0")
    digits = Decimal(repr(abs(value))).normalize().as_tuple()
    exponent = int(digits.exponent)
    if len(digits.digits) == 1:
        exponent -= 1
    return float(10.0**exponent) if exponent >= 0 else float(Decimal(1).scaleb(exponent))


# ------------------------------------------------------------ the table of qualifier rules
@dataclasses.dataclass(frozen=True)
class QualifierRule:
    """One way of stating a figure, and the rule that makes it a distribution.

    Attributes
    ----------
    name : str
        The qualifier as catalogue records, scenario files and the command line spell it.
    function : callable or None
        The elicitation function; ``None`` for ``exact`` (the figure is used as it is).
    figure : tuple of str
        What the figure states, in the order ``function`` takes it: ``("value",)``,
        ``("low", "high")``, ``("low", "mode", "high")`` or ``("quantiles",)``.
    options : tuple of str
        The keyword options a scenario input with this qualifier may set.
    symbol : str
        How a compact figure shows it (``"≈"``, ``"≤"``...); for a range, the dash between its
        ends; ``""`` for none.
    description : str
        One line: how sources word it, and the rule it gets.
    bound : {"upper", "lower"} or None
        Whether the stated figure is an upper or a lower bound (the one-sided qualifiers).
    words : tuple of str
        Other wordings read as this qualifier in plotted source records, beyond :attr:`phrase`.
    other_end : str or None
        The field a catalogue record may add for the unstated end (``"low"`` for ``up_to``,
        ``"high"`` for ``at_least``).
    two_sided : bool
        The figure is a central interval at a credible level (a range, or a value and its
        rounding), not a bound: its level defaults to the stated-range level.
    worded : bool
        A way sources word a figure, which catalogue records carry; ``False`` for an analyst's
        fits (``pert``, ``metalog``).
    """

    name: str
    function: Callable[..., Distribution] | None
    figure: tuple[str, ...]
    options: tuple[str, ...]
    symbol: str
    description: str
    bound: Literal["upper", "lower"] | None = None
    words: tuple[str, ...] = ()
    other_end: Literal["low", "high"] | None = None
    two_sided: bool = False
    worded: bool = True

    @property
    def phrase(self) -> str:
        """The name as words: ``"up to"`` for ``up_to``."""
        return self.name.replace("_", " ")

    @property
    def wordings(self) -> tuple[str, ...]:
        """:attr:`phrase` and :attr:`words`: every wording read as this qualifier."""
        return (self.phrase, *self.words)

    @property
    def keywords(self) -> tuple[str, ...]:
        """Every keyword option ``function`` takes, in its signature's order (none for exact).

        Examples
        --------
        >>> QUALIFIERS["up_to"].keywords
        ('low', 'level', 'family')
        """
        if self.function is None:
            return ()
        params = inspect.signature(self.function).parameters.values()
        return tuple(p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY)


#: The options of every rule that fits a family to a range at a level.
_FITTED = ("family", "level")
#: Every qualifier and its rule, in the order messages list them.
QUALIFIERS: Mapping[str, QualifierRule] = types.MappingProxyType(
    {
        rule.name: rule
        for rule in (
            QualifierRule(
                "exact",
                None,
                ("value",),
                (),
                "",
                "a figure stated without hedging (a count or a computed value): used as it is",
            ),
            QualifierRule(
                "range",
                from_range,
                ("low", "high"),
                _FITTED,
                "–",
                "'X to Y', 'between X and Y': elicit.from_range(low, high)",
                two_sided=True,
            ),
            QualifierRule(
                "approximately",
                approximately,
                ("value",),
                ("rel", *_FITTED),
                "≈",
                "'about', 'around', 'approximately' X: elicit.approximately(value)",
                two_sided=True,
            ),
            QualifierRule(
                "up_to",
                up_to,
                ("value",),
                ("low", *_FITTED),
                "≤",
                "'up to', 'as many as', 'less than' X: elicit.up_to(value)",
                bound="upper",
                words=(
                    "at most",
                    "as many as",
                    "less than",
                    "fewer than",
                    "under",
                    "below",
                    "no more than",
                ),
                other_end="low",
            ),
            QualifierRule(
                "at_least",
                at_least,
                ("value",),
                ("high", *_FITTED),
                "≥",
                "'at least' X, or a floor such as a count of named dead: elicit.at_least(value)",
                bound="lower",
                words=("no fewer than", "no less than"),
                other_end="high",
            ),
            QualifierRule(
                "nearly",
                nearly,
                ("value",),
                ("rel", *_FITTED),
                "≲",
                "'nearly', 'almost', 'about to reach' X: elicit.nearly(value)",
                bound="upper",
                words=("almost",),
            ),
            QualifierRule(
                "more_than",
                more_than,
                ("value",),
                ("rel", *_FITTED),
                ">",
                "'more than', 'over', 'exceeds' X: elicit.more_than(value)",
                bound="lower",
                words=("over", "above", "in excess of"),
            ),
            QualifierRule(
                "pert",
                pert,
                ("low", "mode", "high"),
                ("shape",),
                "",
                "an analyst's minimum, most likely value and maximum: elicit.pert(low, mode, high)",
                worded=False,
            ),
            QualifierRule(
                "metalog",
                metalog,
                ("quantiles",),
                ("lower", "upper"),
                "",
                "three or more quantiles {probability: value}: elicit.metalog(quantiles)",
                worded=False,
            ),
        )
    }
)


# ---------------------------------------------------------------------- shared machinery
def _fit(
    low: float, high: float, level: float, family: str, origin: dict[str, Any]
) -> Distribution:
    """Fit ``family`` to the central ``level`` interval ``[low, high]`` and record the origin."""
    if not low < high:
        raise InputError(f"low={fmt_number(low)} must be below high={fmt_number(high)}")
    if MAX_OPEN_LEVEL < level < 1.0:
        raise InputError(
            f"level={level!r} leaves tails too thin to fit; use at most {MAX_OPEN_LEVEL} "
            "(or level=1 for a hard range with a bounded family)"
        )
    try:
        dist = RANGE_FAMILIES[family].fit_central(low, high, level)
        return dataclasses.replace(
            dist, origin={**origin, "family": family, "low": low, "high": high, "level": level}
        )
    except (FloatRangeError, ArithmeticError):
        raise InputError(
            f"range [{fmt_number(low)}, {fmt_number(high)}] at level {level:g} is too extreme "
            f"for family {family!r}: its draws would overflow the float range (beyond about "
            "1.8e308); narrow it, or rescale the quantity (e.g. count in thousands)"
        ) from None


def _one_sided(
    rule: str,
    value: float,
    low: float,
    high: float,
    level: float | None,
    family: str,
    **extra: Any,
) -> Distribution:
    name = _validate.choice("family", family, RANGE_FAMILIES)
    cls = RANGE_FAMILIES[name]
    lvl = (1.0 if cls.bounded else DEFAULT_LEVEL) if level is None else _validate.level(level)
    return _fit(low, high, lvl, name, {"rule": rule, "value": value, **extra})


def _stated(rule: str, figure: float, other: str, factor: str) -> None:
    """A one-sided figure whose other end is a multiple of it must be positive."""
    if figure <= 0.0:
        raise InputError(
            f"{rule} {fmt_number(figure)}: the figure must be positive (the unstated {other} end "
            f"is {factor} times it); give {other}= for a bound at or below zero"
        )


def _spread(rule: str, figure: float, low: float, high: float) -> None:
    """Refuse a figure whose default range collapses to a point in floating point."""
    if low < high:
        return
    if figure == 0.0:
        raise InputError(f"{rule} 0: the figure must be non-zero (its range is relative to it)")
    raise InputError(
        f"{rule} {fmt_number(figure)}: the figure is too close to zero to hold a range around "
        "it in floating point; count the quantity in a smaller unit"
    )


@functools.cache
def _positive_family(family: str) -> bool:
    """Whether ``family`` lives on positive values only (lognormal, gamma, beta, ...)."""
    try:
        RANGE_FAMILIES[family].fit_central(-0.5, -0.25, DEFAULT_LEVEL)
    except InputError:
        return True
    return False


def _positive(name: str, value: object) -> float:
    out = _validate.finite_real(name, value)
    if out <= 0.0:
        raise InputError(f"{name} must be > 0; got {fmt_number(out)}")
    return out
