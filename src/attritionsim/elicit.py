"""From the way a source words a figure to a probability distribution.

Every function returns a :class:`~attritionsim.distributions.Distribution` whose ``origin``
records the rule applied and its arguments, so a result can always say where a number came from.

The default rules
-----------------
Each two-sided qualifier becomes a range ``[low, high]`` and a ``level``; :func:`from_range`
then fits the family so that its central ``level`` interval is exactly that range. A lower
bound becomes the figure plus an open, right-skewed excess.

=====================  ============================================  ==========  ==================
qualifier              reading                                       level       family
=====================  ============================================  ==========  ==================
``X to Y``             ``[X, Y]``                                    0.9         lognormal
approximately ``X``    ``[X - h, X + h]``, ``h = max(u/2, 0.1 X)``     0.9         lognormal
nearly ``X``           ``[0.9 X, X]``                                1 (bound)   uniform
up to ``X``            ``[0.8 X, X]``                                1 (bound)   uniform
more than ``X``        above ``X``: median 1.03 X, 95% below 1.25 X  open tail   shifted lognormal
at least ``X``         above ``X``: median 1.3 X, 95% below 2.5 X    open tail   shifted lognormal
=====================  ============================================  ==========  ==================

Near-synonyms are one qualifier, so they are read alike (:func:`qualifier_for`): "more than",
"over", "above", "in excess of", "exceeds", "upwards of"; "at least", "no fewer than", "no less
than", "a minimum of"; "approximately", "about", "around", "roughly", "some", "an estimated",
"circa"; "nearly", "almost", "just under", "about to reach"; "up to", "as many as", "at most",
"less than", "fewer than", "under", "below", "no more than".

Why these:

* **A stated range** (CSIS: 500,000 to 600,000) is read as a 90% credible interval: sources
  rarely say what their ranges mean, and 90% leaves room for the estimate itself to be off. The
  lognormal suits counts: positive, right-skewed, and symmetric on the log scale.
* **Approximately X** carries at least its rounding: "1.2 million" is rounded to 0.1 million
  (``u``, the place of the last non-zero digit; a figure with a single significant digit such as
  "1,000" is read as rounded at the next place down, to 100, since round figures are rarely
  meant to the nearest thousand). Estimates of losses are seldom better than 10%, so the
  half-width is never below 10% of ``X`` (``min_rel``). For the lognormal the upper end becomes
  ``X**2 / (X - h)`` so that the median stays exactly at ``X`` (the interval only widens).
* **Lower bounds have no cap.** "More than X" and "at least X" state where the truth begins,
  not where it ends, so no hard upper end is put on them: the reading is ``X + E``, ``E``
  lognormal (:class:`~attritionsim.distributions.ShiftedLogNormal`), with its 95% quantile at
  ``X (1 + rel)`` and its median at ``X (1 + rel / tail)``. Nothing lies below ``X``; the tail
  above is open. The widths come from pairs in this catalogue of a
  one-sided claim and a later or fuller estimate of the same thing:

  - *more than* (``rel = 0.25``, ``tail = 8``): UK statements of Russian casualties against
    the General Staff count of the same day, which they round down: ">465,000" (2024-05-29) against
    505,100 (1.086 X); ">648,000" against 661,630 (1.021); ">790,000" against 800,010 (1.013);
    ">1,000,000" on 2025-06-12 against 1,000,340 (1.000) and on 2025-07-11 against 1,031,620
    (1.032); ">1.1 million" against 1,126,220 (1.024); ">1.2 million" against 1,237,400
    (1.031). Rates: ">1,000 a day" in May 2024 against the count's 1,254 (1.25); ">1,500" in
    January 2025 against 1,546 (1.03); ">1,000" for 5-12 October 2025 against 1,080 (1.08).
    ">10,000 North Korean troops" against the later 11,000-12,000 (1.1-1.2); Medvedev's
    ">452,000" recruits to 1 December 2023 against Putin's 486,000 for the year (1.075). Of these
    twelve pairs the median ratio is 1.03 and the largest 1.25: the reading puts its median at
    1.03 X and 95% below 1.25 X, and the pairs fall at its 0, 24, 38, 42, 49, 50, 51, 76, 77,
    79, 89 (North Korea, at 1.15) and 95th percentiles. The old hard range ``[X, 1.1 X]``
    excluded two of them, North Korea's among them. A shorter tail (``tail = 5``, median
    1.05 X) fits these pairs about as well but puts ">1,000 a day" in May 2024 (1,254 by the
    General Staff count) at its 95th percentile, which tips the default scenario's synthesis
    into a trajectory about 10% above the General Staff count: a sign of how much the shape
    matters there (compare the readings in the report).
  - *at least* (``rel = 1.5``, ``tail = 5``): here the catalogue's "at least" figures are
    mostly floors (counts of named dead, which lag and undercount), and the fuller estimates
    lie far above them: Mediazona's 24,470 named dead (June 2023) against Meduza's ~47,000
    estimate (1.9 X); 56,585 (June 2024) against ~120,000, "could be as high as 140,000"
    (2.1-2.5 X); 109,625 (June 2025) and ~126,000 (August 2025) against ~220,000 (2.0 and
    1.75 X). Projections worded "at least one million" came true at 1.02-1.08 X. The
    reading's median is 1.3 X and its 95% quantile 2.5 X: the named-dead pairs fall at its
    83rd-95th percentiles, the projections at its 0-9th. The old ``[X, 1.25 X]`` capped
    109,625 named dead at 137,000.

  "More than" is kept narrower than "at least" because, in this catalogue, the two wordings
  are used for different things (a rounded-down running total against a floor); give ``rel=``
  or ``high=`` where a source is known to be of the other kind.
* **Upper bounds keep their bound.** "Up to X" and "nearly X" are read as hard upper bounds,
  uniform below them. For "up to" the other end is ``0.8 X`` (``rel = 0.2``): CSIS's "up to
  250,000" killed sat in UK Defence Intelligence's 200,000-250,000, and where CSIS gave both
  "up to X" and a range the low end sat at 0.71-0.94 X; "less than 1.5%" of Ukraine's territory
  against DeepState's 1.41% (0.94 X), "up to 1.8 million" against 1.7-1.8 million (0.94-1 X).
  Two pairs fall below: US officials' "up to 120,000" Russian dead in August 2023 against
  Meduza's ~47,000-75,000, and a reported "as many as 25,000" Soviet dead in Afghanistan
  against 13,310-15,051 (0.4-0.6 X); the ``sceptical`` reading (``0.5 X``) covers them.
  "Nearly X" is closer (``0.9 X``): "nearly one million" for CSIS's ~950,000, "about to reach
  700,000" a week after the count passed it (708,890: 1.01 X, just above the bound).
* With an unbounded range family (``family="lognormal"``), "up to" and "nearly" default to
  ``level=0.9``: the bound becomes the 95% quantile. A lower bound with a range family
  (``family="uniform"``) is the hard range ``[X, X (1 + rel)]`` of earlier versions.

Every default can be overridden by keyword (``rel=``, ``min_rel=``, ``tail=``, ``low=``,
``high=``, ``level=``, ``family=``).

Readings
--------
A :class:`Reading` is a named set of these options, one per qualifier (:data:`READING_KEYS`),
for asking how much the conclusions owe to the rules. :func:`read_figure` (and
``Catalogue.distribution``, ``load_scenario``) take ``reading=``; the built-in ones
(:data:`READINGS`):

=====================  ===========================  =================================
qualifier              ``face-value``               ``sceptical``
=====================  ===========================  =================================
``X to Y``             uniform on ``[X, Y]``        80% interval (lognormal)
approximately ``X``    its rounding only (``u/2``)  at least ±20%
nearly ``X``           ``[0.95 X, X]``              ``[0.8 X, X]``
up to ``X``            ``[0.9 X, X]``               ``[0.5 X, X]``
more than ``X``        median 1.01 X, 95% 1.1 X     median 1.1 X, 95% 2 X (tail 10)
at least ``X``         median 1.1 X, 95% 1.5 X      median 1.5 X, 95% 4 X (tail 6)
=====================  ===========================  =================================

``face-value`` takes each source nearly at its word; ``sceptical`` takes each loosely, with
heavier tails above lower bounds. :func:`make_reading` builds others (a scenario's
``[readings.NAME]`` tables). Options stated for one figure win over every reading.

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
import re
import types
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Final, Literal

from . import _validate
from ._format import fmt_number
from ._typing import LowerBoundFamily, RangeFamily
from ._validate import DEFAULT_LEVEL
from .distributions import (
    PERT,
    RANGE_FAMILIES,
    Distribution,
    FloatRangeError,
    Metalog,
    Mixture,
    ShiftedLogNormal,
)
from .errors import InputError

__all__ = [
    "APPROX_REL",
    "AT_LEAST_REL",
    "AT_LEAST_TAIL",
    "MAX_OPEN_LEVEL",
    "MORE_THAN_REL",
    "MORE_THAN_TAIL",
    "NEARLY_REL",
    "OPEN_FAMILY",
    "QUALIFIERS",
    "READINGS",
    "READING_KEYS",
    "SUPPORT_LEVEL_OPEN",
    "UP_TO_REL",
    "QualifierRule",
    "Reading",
    "approximately",
    "at_least",
    "from_range",
    "get_reading",
    "make_reading",
    "metalog",
    "mixture",
    "more_than",
    "nearly",
    "pert",
    "qualifier_for",
    "read_figure",
    "rounding_unit",
    "up_to",
]

#: The level a range is read at when a reading would make it the support (``level=1``) but
#: the figure states an unbounded family of its own (:meth:`Reading.with_stated`).
SUPPORT_LEVEL_OPEN = 0.99
#: Smallest half-width of "approximately X", relative to X (the default ``min_rel``).
APPROX_REL = 0.10
#: How far below X "nearly X" may lie, relative to X.
NEARLY_REL = 0.10
#: How far below X the unstated end of "up to X" lies, relative to X.
UP_TO_REL = 0.20
#: The 95% quantile of "more than X" lies this far above X, relative to X.
MORE_THAN_REL = 0.25
#: The 95% quantile of "at least X" lies this far above X, relative to X.
AT_LEAST_REL = 1.5
#: "More than X": the 95% quantile's excess over X divided by the median's (the tail's shape).
MORE_THAN_TAIL = 8.0
#: "At least X": the 95% quantile's excess over X divided by the median's.
AT_LEAST_TAIL = 5.0
#: The family that reads a lower bound with a floor and an open upper tail.
OPEN_FAMILY: Final = "shifted_lognormal"
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
    min_rel: float = APPROX_REL,
) -> Distribution:
    """“Approximately / about / around X”: a distribution centred on ``X``.

    Parameters
    ----------
    value : float
        The figure as published (non-zero).
    rel : float, optional
        Half-width of the ``level`` interval relative to ``value``. If omitted, the larger of
        half the rounding unit and ``min_rel``.
    level : float
        Probability inside ``[value - h, value + h]``, in [0.01, :data:`MAX_OPEN_LEVEL`].
    family : str
        As in :func:`from_range`. For the lognormal the interval's upper end is
        ``value**2 / (value - h)``, which keeps the median at ``value``.
    rounding : float, optional
        The rounding unit of the figure as published, if :func:`rounding_unit`'s reading of the
        digits is wrong (e.g. ``rounding=500`` for a figure known to the nearest 500).
    min_rel : float
        The smallest half-width when ``rel`` is omitted, relative to ``value``, >= 0 (default
        :data:`APPROX_REL`, 10%; 0 reads the figure as uncertain by its rounding only).

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
    floor = _validate.finite_real("min_rel", min_rel)
    if floor < 0.0:
        raise InputError(f"min_rel must be >= 0; got {fmt_number(floor)}")
    if rel is None:
        half = max(unit / 2.0, floor * abs(value))
    else:
        half = _positive("rel", rel) * abs(value)
    if half >= abs(value) and _positive_family(name):
        which = "rel" if rel is not None else "min_rel"
        shown = fmt_number(float(rel if rel is not None else floor))
        raise InputError(
            f"{which}={shown} must be below 1 for a {name} reading of "
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
    rel: float = UP_TO_REL,
    level: float | None = None,
    family: RangeFamily = "uniform",
) -> Distribution:
    """“Up to / as many as / less than X”: ``X`` is an upper bound.

    Parameters
    ----------
    high : float
        The stated bound ``X``.
    low : float, optional
        The unstated other end; default ``(1 - rel) X``.
    rel : float
        How far below ``X`` the unstated end lies, relative to ``X`` (default
        :data:`UP_TO_REL`, 20%: ``0.8 X``); ignored when ``low`` is given.
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
        share = _positive("rel", rel)
        if share >= 1.0:
            raise InputError(
                f"rel must be below 1 for 'up to' (the low end (1 - rel) X); got {rel!r}"
            )
        _stated("up_to", high, "low", f"{1.0 - share:g}")
        low = high * (1.0 - share)
        _spread("up_to", high, low, high)
    else:
        low = _validate.finite_real("low", low)
    return _one_sided("up_to", high, low, high, level, family)


def at_least(
    low: float,
    *,
    high: float | None = None,
    rel: float = AT_LEAST_REL,
    tail: float = AT_LEAST_TAIL,
    level: float | None = None,
    family: LowerBoundFamily = OPEN_FAMILY,
) -> Distribution:
    """“At least / no fewer than X”: ``X`` is a floor (such as a count of named dead).

    By default nothing lies below ``X`` and nothing caps the values above it: ``X`` plus a
    lognormal excess whose 95% quantile (``(1 + level) / 2``) is ``X (1 + rel)`` and whose
    median is ``X (1 + rel / tail)`` (see the module docstring for the evidence).

    Parameters
    ----------
    low : float
        The stated floor ``X``.
    high : float, optional
        The unstated upper end: ``X (1 + rel)`` by default. With the open family it is the
        95% quantile, with a range family (``family="uniform"``...) the hard end.
    rel : float
        The upper end's excess over ``X``, relative to ``X`` (default :data:`AT_LEAST_REL`,
        150%: 2.5 X); ignored when ``high`` is given.
    tail : float
        The open family's upper end's excess over ``X`` divided by the median's, > 1 (default
        :data:`AT_LEAST_TAIL`, 5); larger is a longer tail. Ignored by the range families.
    level : float, optional
        The open family: the probability below the upper end is ``(1 + level) / 2`` (default
        0.9). A range family: as in :func:`from_range` (default 1.0 for bounded families).
    family : str
        ``"shifted_lognormal"`` (the open tail, default) or a range family of
        :func:`from_range`, fitted to ``[X, high]`` as before.

    Returns
    -------
    Distribution

    Examples
    --------
    >>> import attritionsim as asim
    >>> dist = asim.at_least(100_000)
    >>> dist
    ShiftedLogNormal(at least 100,000; median 130,000, 95% below 250,000)
    >>> dist.support
    (100000.0, inf)
    >>> asim.at_least(200_000, family="uniform", high=250_000).interval(1.0)
    (200000.0, 250000.0)
    """
    low = _validate.finite_real("low", low)
    if high is None:
        share = _positive("rel", rel)
        _stated("at_least", low, "high", f"{1.0 + share:g}")
        high = low + share * low
        _spread("at_least", low, low, high)
    else:
        high = _validate.finite_real("high", high)
    return _lower_bound("at_least", low, high, tail, level, family)


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
    rel: float = MORE_THAN_REL,
    tail: float = MORE_THAN_TAIL,
    level: float | None = None,
    family: LowerBoundFamily = OPEN_FAMILY,
) -> Distribution:
    """“More than / over / in excess of X”: above ``X``, mostly just above it, with no cap.

    By default ``X`` plus a lognormal excess whose 95% quantile is ``X (1 + rel)`` and whose
    median is ``X (1 + rel / tail)``: 1.25 X and 1.03 X (see the module docstring for the
    evidence).

    Parameters
    ----------
    value : float
        The stated figure ``X`` (a lower bound).
    rel : float
        The upper end's excess over ``X``, relative to ``X`` (default :data:`MORE_THAN_REL`,
        25%). With a range family, the hard range is ``[X, X (1 + rel)]``.
    tail : float
        The open family's upper end's excess divided by the median's, > 1 (default
        :data:`MORE_THAN_TAIL`, 8). Ignored by the range families.
    level : float, optional
        The open family: the probability below the upper end is ``(1 + level) / 2`` (default
        0.9). A range family: as in :func:`from_range` (default 1.0 for bounded families).
    family : str
        ``"shifted_lognormal"`` (the open tail, default) or a range family of
        :func:`from_range`.

    Returns
    -------
    Distribution

    Examples
    --------
    >>> import attritionsim as asim
    >>> dist = asim.more_than(1_000_000)
    >>> [round(x) for x in dist.ppf([0.5, 0.95])]
    [1031250, 1250000]
    >>> asim.more_than(1_000_000, rel=0.1, family="uniform").interval(1.0)
    (1000000.0, 1100000.0)
    """
    value = _validate.finite_real("value", value)
    high = value + _positive("rel", rel) * abs(value)
    _spread("more_than", value, value, high)
    return _lower_bound("more_than", value, high, tail, level, family, rel=rel)


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
        ('low', 'rel', 'level', 'family')
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
                ("rel", "min_rel", *_FITTED),
                "≈",
                "'about', 'around', 'approximately' X: elicit.approximately(value)",
                words=("about", "around", "roughly", "some", "an estimated", "circa"),
                two_sided=True,
            ),
            QualifierRule(
                "up_to",
                up_to,
                ("value",),
                ("low", "rel", *_FITTED),
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
                ("high", "rel", "tail", *_FITTED),
                "≥",
                "'at least' X, or a floor such as a count of named dead: elicit.at_least(value)",
                bound="lower",
                words=("no fewer than", "no less than", "a minimum of"),
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
                words=("almost", "just under", "about to reach"),
            ),
            QualifierRule(
                "more_than",
                more_than,
                ("value",),
                ("rel", "tail", *_FITTED),
                ">",
                "'more than', 'over', 'exceeds' X: elicit.more_than(value)",
                bound="lower",
                words=("over", "above", "in excess of", "exceeds", "upwards of"),
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


# ------------------------------------------------------------------------------ readings
#: The options a reading may set, per qualifier: how wide each kind of worded figure is read.
#: ``exact``, ``pert`` and ``metalog`` are an analyst's own figures and are read the same way
#: under every reading.
READING_KEYS: Mapping[str, tuple[str, ...]] = types.MappingProxyType(
    {
        "range": ("level", "family"),
        "approximately": ("min_rel", "level", "family"),
        "up_to": ("rel", "level", "family"),
        "nearly": ("rel", "level", "family"),
        "more_than": ("rel", "tail", "level", "family"),
        "at_least": ("rel", "tail", "level", "family"),
    }
)


@dataclasses.dataclass(frozen=True)
class Reading:
    """A named set of rules: for each worded qualifier, the options its rule is read with.

    A reading only fills in options a figure does not state: an option given for one input
    (``rel=``, ``level=``...), a record's own ``level`` or unstated end, is kept under every
    reading. ``rules`` not given for a qualifier leave the rule's defaults (the ``default``
    reading leaves them all), and ``range`` without a ``level`` takes ``[scenario] level``
    in a scenario.

    Attributes
    ----------
    name : str
        How the command line and ``[report] readings`` name it.
    description : str
        One sentence: what the reading takes the sources to mean.
    rules : mapping of str to mapping
        ``{qualifier: {option: value}}``, the options of :data:`READING_KEYS`.

    Examples
    --------
    >>> sceptical = get_reading("sceptical")
    >>> sceptical.options("range")
    {'level': 0.8}
    >>> round(sceptical.elicit("more_than", 10_000).ppf(0.95))
    20000
    """

    name: str
    description: str
    rules: Mapping[str, Mapping[str, Any]] = dataclasses.field(default_factory=dict)

    def options(self, qualifier: str) -> dict[str, Any]:
        """The options this reading gives ``qualifier``'s rule (empty: the rule's defaults)."""
        return dict(self.rules.get(qualifier, {}))

    def with_stated(self, qualifier: str, stated: Mapping[str, Any]) -> dict[str, Any]:
        """The options one figure is read with: this reading's, and what the figure states.

        What the figure states wins. A reading that makes a range the whole support
        (``level=1`` with its own bounded family, as ``face-value`` does) cannot do so for an
        unbounded family that the figure states itself (``family = "normal"``): the range is
        then read as its central :data:`SUPPORT_LEVEL_OPEN` (99%) interval, as near to the
        support as that family goes.

        Examples
        --------
        >>> get_reading("face-value").with_stated("range", {"family": "normal"})
        {'family': 'normal', 'level': 0.99}
        >>> get_reading("face-value").with_stated("range", {"family": "pert"})
        {'family': 'pert', 'level': 1.0}
        """
        out = {**self.options(qualifier), **stated}
        family = out.get("family")
        if (
            "level" not in stated
            and "family" in stated
            and out.get("level") == 1.0
            and family in RANGE_FAMILIES
            and not RANGE_FAMILIES[family].bounded
        ):
            out["level"] = SUPPORT_LEVEL_OPEN
        return out

    def effective(self, qualifier: str) -> dict[str, Any]:
        """Every option of :data:`READING_KEYS` for ``qualifier``, as this reading sets it.

        Options the reading leaves alone show the rule's own default (``None`` for the
        ``level`` the rule chooses itself).

        Examples
        --------
        >>> get_reading("default").effective("more_than")
        {'rel': 0.25, 'tail': 8.0, 'level': None, 'family': 'shifted_lognormal'}
        """
        rule = QUALIFIERS[qualifier]
        assert rule.function is not None
        params = inspect.signature(rule.function).parameters
        out = {}
        for key in READING_KEYS.get(qualifier, ()):
            default = params[key].default
            out[key] = None if default is inspect.Parameter.empty else default
        out.update(self.options(qualifier))
        return out

    def elicit(self, qualifier: str, /, *figure: Any, **options: Any) -> Distribution:
        """:func:`read_figure` under this reading."""
        return read_figure(qualifier, *figure, reading=self, **options)

    def describe(self) -> list[str]:
        """One line per worded qualifier: the options it is read with."""
        out = []
        for qualifier in READING_KEYS:
            shown = ", ".join(
                f"{key}={value!r}"
                for key, value in self.effective(qualifier).items()
                if value is not None
            )
            out.append(f"{QUALIFIERS[qualifier].phrase}: {shown or 'the rule as stated'}")
        return out


def make_reading(
    name: str,
    rules: Mapping[str, Mapping[str, Any]],
    *,
    description: str = "",
    base: Reading | str = "default",
) -> Reading:
    """A reading of one's own: ``base``'s rules with ``rules`` laid over them, checked.

    Parameters
    ----------
    name : str
        Its name: letters, digits, ``-`` and ``_``.
    rules : mapping
        ``{qualifier: {option: value}}``; the qualifiers and options of :data:`READING_KEYS`.
    description : str
        One sentence for the report.
    base : Reading or str
        The reading it starts from (default ``"default"``).

    Returns
    -------
    Reading

    Raises
    ------
    InputError
        An unknown qualifier or option, a value of the wrong kind, or rules that cannot be
        fitted (tried on a figure of 1,000). The message starts with ``qualifier.option:``.

    Examples
    --------
    >>> wide = make_reading("wide", {"range": {"level": 0.5}})
    >>> [round(x) for x in wide.elicit("range", 500_000, 600_000).interval(0.5)]
    [500000, 600000]
    """
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", name):
        raise InputError(f"a reading's name must be letters, digits, '-' and '_'; got {name!r}")
    start = get_reading(base)
    if not isinstance(rules, Mapping):
        raise InputError(f"{name}: rules must be a table {{qualifier: {{option: value}}}}")
    merged = {q: dict(opts) for q, opts in start.rules.items()}
    for qualifier, opts in rules.items():
        if qualifier not in READING_KEYS:
            _validate.choice(f"{qualifier}: qualifier", qualifier, READING_KEYS)
        if not isinstance(opts, Mapping):
            raise InputError(
                f"{qualifier}: must be a table of options ({', '.join(READING_KEYS[qualifier])})"
                f"; got {opts!r}"
            )
        for key, value in opts.items():
            where = f"{qualifier}.{key}"
            if key not in READING_KEYS[qualifier]:
                _validate.choice(f"{where}: option", key, READING_KEYS[qualifier])
            merged.setdefault(qualifier, {})[key] = _reading_value(where, key, value)
    made = Reading(name, description or f"{start.name} with changes", merged)
    for qualifier, opts in made.rules.items():
        figure = (1_000.0, 2_000.0) if qualifier == "range" else (1_000.0,)
        try:
            made.elicit(qualifier, *figure)
        except InputError as err:
            blamed = next((k for k in opts if str(err).startswith(k)), next(iter(opts), ""))
            raise InputError(f"{qualifier}.{blamed}: {err}") from None
    return made


def _reading_value(where: str, key: str, value: object) -> Any:
    """One option of a reading, checked for its kind (its fit is tried by make_reading)."""
    if key == "family":
        if not isinstance(value, str):
            raise InputError(f"{where}: family must be a string; got {value!r}")
        return _validate.choice(f"{where}: family", value, (OPEN_FAMILY, *RANGE_FAMILIES))
    if key == "level":
        return _validate.level(value, name=f"{where}: level")
    number = _validate.finite_real(where, value)
    if key == "min_rel" and number < 0.0:
        raise InputError(f"{where} must be >= 0; got {fmt_number(number)}")
    if key != "min_rel" and number <= 0.0:
        raise InputError(f"{where} must be > 0; got {fmt_number(number)}")
    return number


#: The built-in readings, by name: how loosely the sources' words are taken.
READINGS: Mapping[str, Reading] = types.MappingProxyType(
    {
        reading.name: reading
        for reading in (
            Reading(
                "default",
                "the rules as documented in attritionsim.elicit: ranges as 90% intervals, "
                "'approximately' at least ±10%, lower bounds with an open tail",
            ),
            Reading(
                "face-value",
                "sources taken nearly at their word: a range holds the truth, a rounded "
                "figure is off by its rounding only, one-sided figures are close to the truth",
                {
                    "range": {"family": "uniform", "level": 1.0},
                    "approximately": {"min_rel": 0.0},
                    "up_to": {"rel": 0.1},
                    "nearly": {"rel": 0.05},
                    "more_than": {"rel": 0.1},
                    "at_least": {"rel": 0.5},
                },
            ),
            Reading(
                "sceptical",
                "sources read loosely: ranges as 80% intervals, 'approximately' at least ±20%, "
                "one-sided figures far from the truth, lower bounds with heavier tails",
                {
                    "range": {"level": 0.8},
                    "approximately": {"min_rel": 0.2},
                    "up_to": {"rel": 0.5},
                    "nearly": {"rel": 0.2},
                    "more_than": {"rel": 1.0, "tail": 10.0},
                    "at_least": {"rel": 3.0, "tail": 6.0},
                },
            ),
        )
    }
)


def get_reading(reading: Reading | str, readings: Mapping[str, Reading] | None = None) -> Reading:
    """The reading named ``reading`` (a :class:`Reading` is returned as it is).

    Parameters
    ----------
    reading : Reading or str
        A reading, or the name of a built-in one (or of one in ``readings``).
    readings : mapping of str to Reading, optional
        More readings by name (a scenario's own), looked up before the built-in ones.

    Returns
    -------
    Reading

    Raises
    ------
    InputError
        An unknown name, with the valid ones.

    Examples
    --------
    >>> get_reading("face-value").options("approximately")
    {'min_rel': 0.0}
    """
    if isinstance(reading, Reading):
        return reading
    known = {**READINGS, **(readings or {})}
    return known[_validate.choice("reading", reading, known)]


def read_figure(
    qualifier: str, /, *figure: Any, reading: Reading | str = "default", **options: Any
) -> Distribution:
    """The distribution of a figure worded with ``qualifier``, under a named reading.

    Parameters
    ----------
    qualifier : str
        A qualifier of :data:`QUALIFIERS` (``"more_than"``) or any of its wordings
        (``"in excess of"``; see :func:`qualifier_for`).
    *figure : float
        The figure as the rule takes it: ``value``, ``low, high``...
    reading : Reading or str
        ``"default"``, ``"face-value"``, ``"sceptical"``, or a :class:`Reading`.
    **options
        The rule's own options; they win over the reading's.

    Returns
    -------
    Distribution

    Examples
    --------
    >>> import attritionsim as asim
    >>> asim.read_figure("over", 10_000) == asim.read_figure("more than", 10_000)
    True
    >>> asim.read_figure("range", 500_000, 600_000, reading="face-value")
    Uniform(100% in [500,000, 600,000])
    """
    rule = qualifier_for(qualifier)
    if rule.function is None:
        raise InputError(f"qualifier {rule.name!r} has no rule: the figure is used as it is")
    chosen = get_reading(reading)
    unknown = [key for key in options if key not in rule.keywords]
    if unknown:
        raise InputError(
            f"option {unknown[0]!r} does not apply to {rule.name!r}; valid: "
            f"{', '.join(rule.keywords)}"
        )
    return rule.function(*figure, **{**chosen.options(rule.name), **options})


def qualifier_for(wording: str) -> QualifierRule:
    """The rule of a qualifier, by its name or any of its wordings (case and spaces ignored).

    Near-synonyms are one rule, so they are read alike: "more than", "over", "above", "in
    excess of", "exceeds" are all ``more_than``.

    Examples
    --------
    >>> qualifier_for("In excess of").name, qualifier_for("no fewer than").name
    ('more_than', 'at_least')
    """
    if not isinstance(wording, str):
        raise InputError(f"qualifier must be a string; got {wording!r}")
    key = " ".join(wording.replace("_", " ").lower().split())
    for rule in QUALIFIERS.values():
        if key in rule.wordings:
            return rule
    valid = [w for rule in QUALIFIERS.values() for w in rule.wordings]
    raise InputError(f"qualifier={wording!r} is not a known wording; valid: {', '.join(valid)}")


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


def _lower_bound(
    rule: str,
    value: float,
    high: float,
    tail: float,
    level: float | None,
    family: str,
    **extra: Any,
) -> Distribution:
    """A lower bound ``value``: the open tail (``family="shifted_lognormal"``) or a range."""
    if family != OPEN_FAMILY:
        name = _validate.choice("family", family, (OPEN_FAMILY, *RANGE_FAMILIES))
        return _one_sided(rule, value, value, high, level, name, **extra)
    spread = _positive("tail", tail)
    if spread <= 1.0:
        raise InputError(
            f"tail must be above 1 (the upper end's excess over the figure divided by the "
            f"median's); got {fmt_number(spread)}"
        )
    lvl = DEFAULT_LEVEL if level is None else _validate.level(level)
    if lvl >= 1.0:
        raise InputError(
            f"level=1 would cap {rule.replace('_', ' ')} {fmt_number(value)}, but the open "
            f"family {OPEN_FAMILY!r} has no upper end; use level < 1, or a bounded family "
            "(family='uniform') for a hard range"
        )
    if not value < high:
        raise InputError(f"high={fmt_number(high)} must be above the floor {fmt_number(value)}")
    median = value + (high - value) / spread
    try:
        dist = ShiftedLogNormal.from_quantiles(value, median, high, (1.0 + lvl) / 2.0)
    except FloatRangeError:
        raise InputError(
            f"{rule} {fmt_number(value)} with high={fmt_number(high)} is too extreme: its draws "
            "would overflow the float range; narrow it, or rescale the quantity"
        ) from None
    origin = {
        "rule": rule,
        "value": value,
        **extra,
        "tail": spread,
        "family": OPEN_FAMILY,
        "high": high,
        "level": lvl,
    }
    return dataclasses.replace(dist, origin=origin)


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
