"""Figures people can quote: digit rules, :func:`cite`, source citations and tables.

:func:`cite` turns one quantity's draws into a sentence-ready figure with its credible interval;
:func:`cite_record` writes where a catalogue record's figure comes from;
:func:`to_markdown`, :func:`to_latex` and :func:`to_csv` turn a :func:`attritionsim.summarize`
result into tables. The figures and their Monte Carlo standard errors (MCSEs) come from
:mod:`attritionsim.summary`; this module decides only how many digits they deserve and how
they are written.

How many digits
---------------
The last digit shown sits at a place ``r`` (a power of ten) chosen from the MCSEs ``e`` of the
figures quoted together (a median and its two bounds; one probability):

1. ``r`` is the largest power of ten with ``r <= 3 e`` for the smallest ``e``. Rounding to
   ``r`` moves a figure by at most ``r / 2 <= 1.5 e``: **a shown figure is never more than 1.5
   MCSE from the estimate**, and as ``10 r > 3 e``, never shows a digit finer than ``0.3 e``.
2. Figures quoted together share ``r`` when it is at least a fifth of the largest ``e``
   (**no digit finer than about a fifth of any figure's MCSE**). When the MCSEs are too far
   apart for one place to satisfy both, each figure gets its own place by rule 1.
3. An infinite MCSE leaves one significant digit of the largest figure; an MCSE of 0 (every
   draw agrees) sets no limit.
4. ``digits`` (no cap by default) caps the significant digits of the largest figure: it can only
   make ``r`` coarser (then a figure may sit further than 1.5 MCSE from the estimate, as asked).
   Figures whose MCSEs are all 0 (every draw agrees) show at most three significant digits.
5. A ``±`` beside a figure (probabilities in :func:`cite`) is one MCSE, with two significant
   digits at most and never more than one place finer than the figure's own last digit (it is
   not rounded up to a whole unit of that place: an MCSE of 0.46 points beside "34%" reads
   "± 0.5"). A probability that would round to 0% or 100% reads "< 0.1%" or "> 99.9%" (at its
   own place); one where every draw agrees reads as the rule-of-three bound ``3 / n``.

For example, 1,152 of 2,000 draws true (``p = 0.576``, MCSE 1.1 percentage points) reads
``"58% probability (± 1.1 percentage points)"``: ``r = 1`` point (``3 e = 3.3``), and 58 is
0.4 points from 57.6.

Dates follow the same two rules with the day, the month and the year as places: a month names
a date up to half a month (15.2 days) from the estimate, a year up to half a year (182.6 days),
so a date is written to the year when its MCSE is at least 122 days, to the month when it is at
least 10.2 days, and to the day otherwise; figures quoted together share the coarsest form that
both rules allow for all of them (``unit >= largest MCSE / 5``), else each takes its own. Figures
from ``10**15`` on (and below ``10**-15``) are in scientific notation.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from . import _dates, _orderstats, _validate
from ._format import fmt_sig
from ._validate import DEFAULT_LEVEL
from .errors import InputError
from .summary import (
    Bound,
    Draws,
    Figures,
    IntervalKind,
    Sample,
    figures,
    sample_of,
)

if TYPE_CHECKING:
    from .catalogue import Record

__all__ = [
    "cite",
    "cite_record",
    "numbers_text",
    "probability_text",
    "to_csv",
    "to_latex",
    "to_markdown",
]

_KINDS = ("eti", "hdi")
#: Figures from ``10**15`` on (and below ``10**-15``) are written in scientific notation.
_SCIENTIFIC_FROM = 15
#: Significant digits of the largest figure when no MCSE limits them (every draw agrees).
_DIGITS = 3
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


# --------------------------------------------------------------------------------------------
# Digits justified by the MCSE
# --------------------------------------------------------------------------------------------


def _floor_place(value: float) -> int:
    """The place of the leading digit: ``10**p <= value < 10**(p + 1)`` (exact, any size)."""
    return Decimal(value).adjusted()


def _rule_place(error: float) -> int:
    """The largest ``p`` with ``10**p <= 3 * error`` (exact, any size; ``error > 0`` finite)."""
    with localcontext() as ctx:
        ctx.prec = 800
        return (Decimal(error) * 3).adjusted()


def _fine_enough(place: int, error: float) -> bool:
    """Whether ``10**place >= error / 5`` (exactly)."""
    with localcontext() as ctx:
        ctx.prec = 800
        return Decimal(1).scaleb(place) * 5 >= Decimal(error)


def _places(values: Sequence[float], errors: Sequence[float], digits: int | None) -> list[int]:
    """Place (power of ten) of the last digit of each of finite figures quoted together.

    The rule of the module docstring: ``10**p <= 3 e`` for the smallest MCSE, shared when
    that is at least a fifth of the largest MCSE, else per figure; one significant digit
    where an MCSE is infinite; never more than ``digits`` significant digits in the largest.
    """
    sizes = [abs(v) for v in values if v != 0.0]
    top = _floor_place(max(sizes)) if sizes else None
    bounded = [e for e in errors if 0.0 < e < math.inf]
    if bounded:
        shared = _rule_place(min(bounded))
        if _fine_enough(shared, max(bounded)):
            places = [shared] * len(values)
        else:
            places = [_rule_place(e) if 0.0 < e < math.inf else shared for e in errors]
    else:
        cap = _DIGITS if digits is None else digits
        places = [0 if top is None else top - (cap - 1)] * len(values)
    if top is not None:
        if any(math.isinf(e) for e in errors):
            places = [max(p, top) for p in places]
        if digits is not None:
            places = [max(p, top - (digits - 1)) for p in places]
    return places


def _quantized(value: float, step: Decimal) -> int:
    """``value`` rounded to a multiple of ``step`` (half to even), exactly."""
    with localcontext() as ctx:
        ctx.prec = 800
        return int(Decimal(value).quantize(step, rounding=ROUND_HALF_EVEN))


def _fixed(values: Sequence[float], place: int, minus: str = "-", strip: bool = True) -> list[str]:
    """Finite ``values`` rounded to ``10**place`` with thousands separators.

    All share one number of decimals, and trailing zeros are dropped only where every figure
    has one (so "1.2 - 1.25" never appears, but "1.20 - 1.10" becomes "1.2 - 1.1"); none are
    dropped with ``strip=False``.
    """
    if place >= 0:
        step = Decimal(1).scaleb(place)
        texts = [
            f"{round(v / 10.0**place) * 10**place:,}"
            if place < 290  # 10.0**place is a float
            else f"{_quantized(v, step):,}"
            for v in values
        ]
    else:
        decimals = -place
        texts = [f"{round(v, decimals) + 0.0:,.{decimals}f}" for v in values]
        while strip and decimals > 0 and all(text.endswith("0") for text in texts):
            decimals -= 1
            texts = [text[:-2] if decimals == 0 else text[:-1] for text in texts]
    return [text.replace("-", minus) for text in texts]


def _scientific(value: float, decimals: int, minus: str) -> str:
    return f"{value:.{max(0, decimals)}e}".replace("-", minus) if value else "0"


def numbers_text(
    values: Sequence[float],
    errors: Sequence[float],
    digits: int | None = None,
    minus: str = "-",
    *,
    interval: bool = False,
) -> list[str]:
    """Format figures quoted together, each with its MCSE (the module docstring's rule).

    Only the MCSEs of finite figures count; infinities become signed infinity symbols and NaN
    (a value that is not defined) ``"n/a"``. With MCSEs of 0, ``digits`` (default 3) limits them.
    With ``interval=True`` the last two figures are an interval's ends: when the rule gives
    them places of their own, both are shown at the finer one, so that one interval never
    reads "0.80–0.9960".

    Parameters
    ----------
    values, errors : sequence of float
        The figures and their MCSEs, in the same order.
    digits : int, optional
        Most significant digits of the largest figure (default: as many as the MCSEs justify).
    minus : str, default "-"
        The minus sign to write.
    interval : bool, default False
        The last two figures are the ends of one interval: one decimal place for both.

    Returns
    -------
    list of str

    Examples
    --------
    >>> numbers_text([57.6, 51.2, 63.9], [1.1, 1.4, 1.3])
    ['58', '51', '64']
    >>> numbers_text([1234.5678, 1200.0], [0.0, 0.0])
    ['1,230', '1,200']
    >>> numbers_text([0.969, 0.8012, 0.99601], [0.0004, 0.02, 0.0001])
    ['0.969', '0.80', '0.9960']
    >>> numbers_text([0.969, 0.8012, 0.99601], [0.0004, 0.02, 0.0001], interval=True)
    ['0.969', '0.8012', '0.9960']
    """
    return [text for text, _ in _numbers_at(values, errors, digits, minus, interval=interval)]


def _numbers_at(
    values: Sequence[float],
    errors: Sequence[float],
    digits: int | None,
    minus: str = "-",
    *,
    interval: bool = False,
) -> list[tuple[str, int | None]]:
    """:func:`numbers_text`, each text with the place of its last digit (``None``: not finite)."""
    finite = [(v, e) for v, e in zip(values, errors, strict=True) if math.isfinite(v)]
    numbers = [v for v, _ in finite]
    places = _places(numbers, [e for _, e in finite], digits)
    ends = [i for i, v in enumerate(values) if math.isfinite(v)]
    if interval and len(values) >= 2 and {len(values) - 2, len(values) - 1} <= set(ends):
        low, high = len(places) - 2, len(places) - 1  # both ends finite: the last two places
        places[low] = places[high] = min(places[low], places[high])
    sizes = [abs(v) for v in numbers if v != 0.0]
    top = _floor_place(max(sizes)) if sizes else 0
    shared = len(set(places)) <= 1
    if top >= _SCIENTIFIC_FROM or top < -_SCIENTIFIC_FROM:  # 27 zeros help no reader
        texts: Iterator[str] = iter(  # each mantissa to the place, in its own exponent
            _scientific(v, (_floor_place(abs(v)) if v else 0) - p, minus)
            for v, p in zip(numbers, places, strict=True)
        )
    elif shared:
        texts = iter(_fixed(numbers, places[0] if places else 0, minus))
    else:
        texts = iter(
            _fixed([v], p, minus, strip=False)[0] for v, p in zip(numbers, places, strict=True)
        )
    where = iter(places)
    out: list[tuple[str, int | None]] = []
    for value in values:
        if math.isfinite(value):
            out.append((next(texts), next(where)))
        elif math.isnan(value):
            out.append(("n/a", None))
        else:
            out.append(("∞" if value > 0 else minus + "∞", None))
    return out


# --------------------------------------------------------------------------------------------
# cite
# --------------------------------------------------------------------------------------------


def _kind(value: object) -> IntervalKind:
    return "hdi" if _validate.choice("kind", value, _KINDS) == "hdi" else "eti"


def _percent(level: float) -> str:
    return f"{level * 100:.10g}%"


def _year_text(year: int) -> str:
    """A year as people write it: ``2031``, ``100,001,970``, ``3 BCE`` (proleptic, no year 0)."""
    if year <= 0:
        return f"{1 - year:,} BCE"
    return str(year) if year < 10_000 else f"{year:,}"


def _day(
    value: Bound,
    form: Literal["day", "month", "year"],
    with_year: bool = True,
    censored: str = "never",
) -> str:
    if not isinstance(value, np.datetime64) or np.isnat(value):
        return censored
    year, month, day = _dates.ymd(value)
    text = _year_text(year)
    if form == "year":  # a bare 273,927,531 or 3 BCE reads like a count: say it is a year
        return text if 0 < year < 10_000 else f"year {text}"
    suffix = f" {text}" if with_year else ""
    if form == "month":
        return f"{_MONTHS[month - 1]}{suffix}"
    return f"{day} {_MONTHS[month - 1]}{suffix}"


def _is_date(value: Bound) -> bool:
    return isinstance(value, np.datetime64) and not np.isnat(value)


def _cite_dates(
    sample: Sample, fig: Figures, kind: IntervalKind, label: str, not_by: str | None = None
) -> str:
    """A date citation; NaT reads "never", or "not by <not_by>" on a finite horizon."""
    censored = "never" if not_by is None else f"not by {_human_date(not_by)}"
    median = sample.to_bound(fig.median)
    bounds = fig.eti if kind == "eti" else fig.hdi
    errors = (fig.mcse_median, *(fig.mcse_eti if kind == "eti" else fig.mcse_hdi))
    days = [
        sample.to_error(e) if math.isfinite(v) else 0.0
        for v, e in zip((fig.median, *bounds), errors, strict=True)
    ]
    forms = _date_forms(days)
    low, high = (sample.to_bound(b) for b in bounds)
    same_year = (
        isinstance(low, np.datetime64)
        and isinstance(high, np.datetime64)
        and not (np.isnat(low) or np.isnat(high))
        and _dates.ymd(low)[0] == _dates.ymd(high)[0]
        and "year" not in forms[1:]
    )
    later = "never reached" if not_by is None else f"after {_human_date(not_by)}"
    if not _is_date(low):  # the whole interval is censored: say it in words
        return f"{censored} ({label}: {later})"
    texts = [
        _day(low, forms[1], with_year=not same_year),
        _day(high, forms[2], censored="never" if not_by is None else later),
    ]
    dash = "–" if all(" " not in text for text in texts) else " – "
    return f"{_day(median, forms[0], censored=censored)} ({label} {texts[0]}{dash}{texts[1]})"


def _human_date(day: str) -> str:
    """``2026-08-08`` as ``8 August 2026`` (anything else as given)."""
    parsed = _dates.parse_date(day[:10])
    if parsed is None:
        return day
    return f"{parsed.day} {_MONTHS[parsed.month - 1]} {_year_text(parsed.year)}"


#: A date form, the most it can sit from the estimate (half its unit), and its unit, in days.
_DATE_FORMS: tuple[tuple[Literal["day", "month", "year"], float, float], ...] = (
    ("year", 365.25 / 2, 365.25),
    ("month", 365.25 / 24, 365.25 / 12),
    ("day", 0.5, 1.0),
)


def _date_forms(errors: Sequence[float]) -> list[Literal["day", "month", "year"]]:
    """Forms of dates quoted together, by their MCSEs in days (the digit rule, for dates).

    The coarsest form that keeps every date within 1.5 MCSE of its estimate and is no finer than
    the largest MCSE / 5; if none does, each date takes the coarsest form within 1.5 of its own.
    """
    finite = [e for e in errors if math.isfinite(e)]
    best = min(finite, default=0.0)
    worst = max(finite, default=0.0)
    for form, reach, unit in _DATE_FORMS:
        if reach <= 1.5 * best and unit >= worst / 5:
            return [form] * len(errors)

    def own(error: float) -> Literal["day", "month", "year"]:
        if not math.isfinite(error):
            return "year"
        return next((f for f, reach, _ in _DATE_FORMS if reach <= 1.5 * error), "day")

    if worst / 5 <= 1.0:  # the day is fine enough for all: a shared form reads best
        return ["day"] * len(errors)
    return [own(e) for e in errors]


def _error_place(place: int, error: float) -> int:
    """The place of a ``±``: two significant digits of its MCSE, not finer than rule 5 allows.

    At most one place finer than the figure's own last digit.
    """
    return max(_floor_place(error) - 1, place - 1)


def _probability(p: float, error: float, size: float, digits: int | None) -> tuple[str, str]:
    """A probability in percent and its ``±`` (one MCSE; ``""`` where it says nothing).

    A share that rounds to 0% or 100% without being it reads ``"< 0.1%"`` or ``"> 99.9%"``
    (at the figure's own last place); every draw agreeing (``p`` 0 or 1) reads as the bound
    that ``size`` (independent) draws give at 95% by the rule of three (``3 / size``):
    ``"< 0.02%"`` for 20,000 draws.
    """
    if p in (0.0, 1.0) or error == 0.0:
        bound = 300.0 / size if size > 0 else 100.0
        step = _floor_place(bound) if bound < 100.0 else 2
        up = math.ceil(bound / 10.0**step - 1e-9) * 10.0**step
        (text,) = _fixed([min(up, 100.0)], step)
        if p >= 1.0:
            (text,) = _fixed([max(100.0 - up, 0.0)], step)
            return f"> {text}%", ""
        return f"< {text}%", ""
    ((_, place),) = _numbers_at([100.0 * p], [100.0 * error], digits)
    assert place is not None  # a finite figure
    (text,) = _fixed([100.0 * p], place, strip=False)  # "80.0", the place its MCSE gives it
    unit = 10.0**place
    rounded = round(100.0 * p / unit) * unit
    if rounded <= 0.0:
        (text,) = _fixed([unit], place)
        text = f"< {text}"
    elif rounded >= 100.0 and p < 1.0:
        (text,) = _fixed([100.0 - unit], place)
        text = f"> {text}"
    (points,) = _fixed([100.0 * error], _error_place(place, 100.0 * error), strip=False)
    return f"{text}%", points


def probability_text(
    p: float, n: int, /, *, ess: float | None = None, digits: int | None = None
) -> str:
    """A probability as :func:`cite` writes it, without its ``±``: for legends and tables.

    The digits are those its Monte Carlo standard error justifies (the module docstring's
    rule), so a chart's legend and the headline agree; ``"< 0.1%"`` and ``"> 99.9%"`` where
    rounding would give 0% or 100%.

    Parameters
    ----------
    p : float
        The share of the draws that are true, in [0, 1].
    n : int
        The number of draws.
    ess : float, optional
        Their effective sample size (default ``n``).
    digits : int, optional
        Most significant digits.

    Returns
    -------
    str

    Examples
    --------
    >>> probability_text(0.964, 20_000), probability_text(0.9998, 20_000)
    ('96.4%', '99.98%')
    >>> probability_text(0.99995, 20_000), probability_text(0.0, 20_000)
    ('> 99.99%', '< 0.02%')
    """
    p = _validate.finite_real("p", p)
    if not 0.0 <= p <= 1.0:
        raise InputError(f"p must be a probability in [0, 1]; got {p!r}")
    n = _validate.positive_int("n", n)
    error = _orderstats.mcse_probability(p, n, ess=ess)
    size = float(ess) if ess is not None else float(n)
    text, _ = _probability(p, error, size, digits)
    return text


def _cite_bool(sample: Sample, digits: int | None) -> str:
    p = float(sample.values.mean())
    error = _orderstats.mcse_probability(p, sample.n, ess=sample.ess)
    size = sample.ess if sample.ess is not None else float(sample.n)
    text, points = _probability(p, error, size, digits)
    if not points:
        share = "none" if p == 0.0 else "all"
        return f"{text} probability ({share} of {sample.n:,} draws)"
    return f"{text} probability (± {points} percentage point{'' if points == '1' else 's'})"


def cite(
    draws: Draws,
    /,
    level: float = DEFAULT_LEVEL,
    *,
    kind: IntervalKind = "eti",
    digits: int | None = None,
) -> str:
    """A sentence-ready figure with its credible interval.

    For example ``"1.2 million (90% CrI 1.1–1.3 million)"``. The form follows the draws'
    ``units`` attribute:

    * numbers: ``"550,000 (90% CrI 500,000–600,000)"``; from one million on (by the median),
      ``"1.2 million (...)"`` and from one billion ``"... billion"``. Other units
      (``"people/day"``, ``"days"``) are not written: the sentence around the figure names them.
      Negative numbers take a minus sign and a spaced dash.
    * ``"ratio"``: ``"2.2:1 (90% CrI 1.9:1–2.5:1)"``.
    * ``"share"`` (a fraction from 0 to 1): ``"64% (90% CrI 58–70%)"``.
    * dates: ``"21 July 2025 (90% CrI 3 July – 14 August 2025)"``, the year written once when
      both bounds share it; a month (``"July 2025"``) when the largest MCSE exceeds a day, a
      year when it exceeds a month; NaT as ``"never"``, or as ``"not by 8 August 2026"`` for
      a DataArray whose ``attrs["not_by"]`` gives the last date its draws could reach (a
      crossing on finite paths, :func:`attritionsim.synthesis.path_crossing_date`); an
      interval whose ends are both NaT says so in words. A year alone beyond 9999, or before
      the common era, reads ``"year 273,927,531"`` or ``"year 99,998 BCE"``, not like a count.
    * booleans: ``"64% probability (± 1.0 percentage points)"``, the ± being one MCSE (rule 5
      of the module docstring); ``"< 0.02% probability (none of 20,000 draws)"`` when every
      draw agrees.
    * numbers with invalid draws (NaN, or outside their domain: see
      :mod:`attritionsim.domain`): the figures are of the valid draws, and the parentheses say
      how many were left out: ``"88% (90% CrI 80–98%; 2.7% of draws left out as invalid)"``.

    A DataArray whose ``attrs`` carry ``ess`` (the effective sample size, as
    :func:`attritionsim.synthesize` sets on its variables) has its MCSEs, and so its digits,
    computed for ``ess`` draws rather than the raw number.

    ``kind="hdi"`` labels the interval ``"90% HDI"``.

    Parameters
    ----------
    draws : xarray.DataArray or array_like
        1-d numbers, dates or booleans; a DataArray's ``units`` attribute picks the form.
    level : float, default 0.9
        Probability inside the interval, in [0.01, 1).
    kind : {"eti", "hdi"}, default "eti"
        Which interval (see :func:`attritionsim.interval`).
    digits : int, optional
        Most significant digits in the largest of the three figures (default: no cap). The
        Monte Carlo error decides the digits (the module docstring's rule: no figure further
        than 1.5 MCSE from the estimate, no digit finer than a fifth of an MCSE); a cap can only
        make the last place coarser, and then a figure may sit further from its estimate.

    Returns
    -------
    str

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> draws = xr.DataArray(np.linspace(450_000, 650_000, 2001), dims="draw")
    >>> cite(draws)
    '550,000 (90% CrI 460,000–640,000)'
    >>> cite(xr.DataArray(np.linspace(0.5, 0.8, 2001), dims="draw", attrs={"units": "share"}))
    '65.0% (90% CrI 51.5–78.5%)'
    """
    level = _validate.level(level, closed=False)
    kind = _kind(kind)
    digits = _digits(digits)
    sample = sample_of(draws, valid_only=True)
    if sample.kind == "bool":
        return _cite_bool(sample, digits)
    if sample.invalid is not None and sample.invalid.total:
        if not sample.n:
            return "no valid value (every draw is invalid)"
        return _left_out(_cite_valid(sample, level, kind, digits), sample.invalid.share)
    attrs = getattr(draws, "attrs", None)
    horizon = attrs.get("not_by") if isinstance(attrs, Mapping) else None
    return _cite_valid(sample, level, kind, digits, None if horizon is None else str(horizon))


def _left_out(text: str, share: float) -> str:
    """A citation whose figures leave out invalid draws, saying so inside its parentheses."""
    return f"{text[:-1]}; {_share(share)} of draws left out as invalid)"


def _cite_valid(
    sample: Sample,
    level: float,
    kind: IntervalKind,
    digits: int | None,
    not_by: str | None = None,
) -> str:
    """:func:`cite` of a number or date sample (``not_by``: a date's finite horizon)."""
    fig = figures(sample, level)
    label = f"{_percent(level)} {'CrI' if kind == 'eti' else 'HDI'}"
    if sample.kind == "date":
        return _cite_dates(sample, fig, kind, label, not_by)
    values = [sample.to_number(v) for v in (fig.median, *(fig.eti if kind == "eti" else fig.hdi))]
    errors = [
        sample.to_error(e)
        for e in (fig.mcse_median, *(fig.mcse_eti if kind == "eti" else fig.mcse_hdi))
    ]
    if sample.units == "share":
        mid, low, high = numbers_text(
            [v * 100 for v in values], [e * 100 for e in errors], digits, "−", interval=True
        )
        return f"{mid}% ({label} {low}–{high}%)"
    if sample.units == "ratio":
        mid, low, high = numbers_text(values, errors, digits, "−", interval=True)
        return f"{mid}:1 ({label} {low}:1–{high}:1)"
    scale, word = 1.0, ""
    for factor, name in ((1e9, " billion"), (1e6, " million")):
        if math.isfinite(values[0]) and factor <= abs(values[0]) < 1e6 * factor:
            scale, word = factor, name
            break
    mid, low, high = numbers_text(
        [v / scale for v in values], [e / scale for e in errors], digits, "−", interval=True
    )
    dash = " – " if "−" in low + high else "–"
    return f"{mid}{word} ({label} {low}{dash}{high}{word})"


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------

_CSV_COLUMNS = (
    "quantity",
    "units",
    "kind",
    "level",
    "median",
    "mean",
    "eti_low",
    "eti_high",
    "hdi_low",
    "hdi_high",
    "mcse_median",
    "mcse_mean",
    "mcse_eti_low",
    "mcse_eti_high",
    "mcse_hdi_low",
    "mcse_hdi_high",
    "probability",
    "mcse_probability",
    "never",
)


def _entry_kind(entry: Mapping[str, Any]) -> Literal["number", "date", "bool"]:
    if "probability" in entry:
        return "bool"
    shown = [entry.get("median"), entry.get("mean"), *entry.get("eti", []), *entry["hdi"]]
    if "never" in entry or any(isinstance(v, str) for v in shown):
        return "date"
    return "number"


def _quantities(summary: object) -> Mapping[str, Mapping[str, Any]]:
    if not isinstance(summary, Mapping) or not isinstance(summary.get("quantities"), Mapping):
        raise InputError(
            f"summary must be the dict returned by summarize(); got {type(summary).__name__}"
        )
    quantities: Mapping[str, Mapping[str, Any]] = summary["quantities"]
    return quantities


def _error(value: object) -> float:
    return float(value) if isinstance(value, int | float) else math.inf


def _sig(value: float, digits: int) -> str:
    """:func:`fmt_sig`, in scientific notation from ``10**15`` on and below ``10**-15``."""
    size = abs(value)
    if (
        math.isfinite(value)
        and size
        and not 10.0**-_SCIENTIFIC_FROM <= size < 10.0**_SCIENTIFIC_FROM
    ):
        return f"{value:.{digits - 1}e}"
    return fmt_sig(value, digits)


def _share(p: float) -> str:
    """A share of draws as a percentage that is never rounded to 0% or 100%."""
    text = f"{p:.1%}"
    if text == "0.0%" and p > 0:
        return "<0.1%"
    if text == "100.0%" and p < 1:
        return ">99.9%"
    return text


def _row(entry: Mapping[str, Any], digits: int | None, minus: str, size: float = 0.0) -> list[str]:
    """Median, ETI low/high, HDI low/high and MCSE of the median, as table cells.

    ``size``: the (effective) number of draws, for a probability that every draw agrees on.
    """
    kind = _entry_kind(entry)
    if kind == "bool":
        p, error = float(entry["probability"]), _error(entry["mcse"])
        if 0.0 < error < math.inf:
            size = p * (1.0 - p) / error**2
        text, points = _probability(p, error, size, digits)
        if not points:  # every draw agrees: the MCSE is 0
            return [f"P {text}", "", "", "", "", "0 pp"]
        return [f"P = {text}", "", "", "", "", f"{points} pp"]
    mcse = entry["mcse"]
    shown = [entry["median"], *entry["eti"], *entry["hdi"]]
    median_error = _error(mcse["median"])
    if kind == "date":
        not_by = entry.get("not_by")
        censored = "never" if not_by is None else f"not by {not_by}"
        cells = [v if isinstance(v, str) else censored for v in shown]
        never = entry.get("never")
        if isinstance(never, int | float) and never > 0:
            said = "of draws" if cells[0] == censored else censored  # "not by ... (99% of draws)"
            cells[0] += f" ({_share(never)} {said})"
        return [*cells, f"{_sig(median_error, 2)} days"]
    invalid = entry.get("invalid")
    if entry["median"] is None and invalid:  # no valid draw
        return ["no valid value", "", "", "", "", ""]
    values = [float(v) if isinstance(v, int | float) else math.nan for v in shown]
    scale, sign = (100.0, "%") if entry.get("units") == "share" else (1.0, "")  # shares in %
    values = [scale * v for v in values]
    median_error *= scale
    # The median and ETI are quoted together (as by cite); the HDI has digits of its own.
    central = numbers_text(
        values[:3],
        [median_error, *(scale * _error(e) for e in mcse["eti"])],
        digits,
        minus,
        interval=True,
    )
    hdi = numbers_text(
        values[3:], [scale * _error(e) for e in mcse["hdi"]], digits, minus, interval=True
    )
    cells = [c + sign if c[-1:].isdigit() else c for c in (*central, *hdi)]
    if isinstance(invalid, int | float) and invalid > 0:
        cells[0] += f" ({_share(invalid)} invalid)"
    return [*cells, _sig(median_error, 2).replace("-", minus) + (" pp" if sign else "")]


def _size(summary: Mapping[str, Any]) -> float:
    """The effective number of draws of a summary (its ``ess``, else its ``draws``; 0: unknown)."""
    value = summary.get("ess", summary.get("draws"))
    return float(value) if isinstance(value, int | float) and value > 0 else 0.0


def _header(summary: Mapping[str, Any]) -> list[str]:
    level = _percent(float(summary.get("level", DEFAULT_LEVEL)))
    return [
        "Quantity",
        "Units",
        "Median",
        f"{level} ETI low",
        f"{level} ETI high",
        f"{level} HDI low",
        f"{level} HDI high",
        "MCSE (median)",
    ]


def _digits(digits: int | None) -> int | None:
    return None if digits is None else _validate.positive_int("digits", digits)


def to_markdown(summary: Mapping[str, Any], /, *, digits: int | None = None) -> str:
    """A Markdown table of a :func:`summarize` result, one row per quantity.

    Columns: quantity, units, median, ETI low/high, HDI low/high and the MCSE of the median.
    Numbers carry thousands separators and the digits their MCSE justifies (at most
    ``digits`` significant when given): the median and ETI share the digits :func:`cite`
    would give them, the HDI bounds get their own from their own MCSEs. A share (units
    ``"share"``) is in percent, its MCSE in percentage points (``pp``). Dates are ISO
    (``never`` for NaT, or ``not by <date>`` for an entry with ``not_by``); booleans
    show their probability as ``P = ...%`` in the median column.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> from attritionsim import summarize
    >>> killed = np.random.default_rng(1).normal(200_000, 20_000, 10_000)
    >>> ds = xr.Dataset({"killed": ("draw", killed, {"units": "people"})})
    >>> table = to_markdown(summarize(ds)).splitlines()
    >>> print(table[0][:48])
    | Quantity | Units | Median | 90% ETI low | 90%
    >>> print(table[2])
    | killed | people | 199,800 | 167,400 | 232,400 | 167,000 | 232,000 | 260 |
    """
    quantities = _quantities(summary)
    width = _digits(digits)

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = [
        "| " + " | ".join(_header(summary)) + " |",
        "|---|---|" + "--:|" * 6,
    ]
    for name, entry in quantities.items():
        cells = [name, str(entry.get("units", "")), *_row(entry, width, "-", _size(summary))]
        lines.append("| " + " | ".join(cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _latex(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(char, char) for char in text)


def to_latex(summary: Mapping[str, Any], /, *, digits: int | None = None) -> str:
    r"""A booktabs ``tabular`` of a :func:`summarize` result (needs ``\usepackage{booktabs}``).

    The same rows and cells as :func:`to_markdown`; ``_``, ``%``, ``&`` and the other LaTeX
    specials are escaped, and negative numbers take a math minus.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> from attritionsim import summarize
    >>> ds = xr.Dataset({"ru_share": ("draw", np.linspace(0.2, 0.4, 2001), {"units": "share"})})
    >>> print(to_latex(summarize(ds)), end="")
    \begin{tabular}{llrrrrrr}
    \toprule
    Quantity & Units & Median & 90\% ETI low & ... & MCSE (median) \\
    \midrule
    ru\_share & share & 30\% & 21\% & 39\% & ... & ... & 0.2... pp \\
    \bottomrule
    \end{tabular}
    """
    quantities = _quantities(summary)
    width = _digits(digits)
    lines = [
        r"\begin{tabular}{llrrrrrr}",
        r"\toprule",
        " & ".join(_latex(h) for h in _header(summary)) + r" \\",
        r"\midrule",
    ]
    for name, entry in quantities.items():
        cells = [_latex(name), _latex(str(entry.get("units", "")))]
        cells += [_latex(c).replace("−", "$-$") for c in _row(entry, width, "−", _size(summary))]
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines) + "\n"


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def to_csv(summary: Mapping[str, Any], /) -> str:
    """A machine-readable CSV of a :func:`summarize` result.

    A header row, then one row per quantity: numbers at full precision (``repr``), dates ISO,
    empty cells where a column does not apply or a value is not finite.

    Columns: ``quantity, units, kind (number|date|bool), level, median, mean, eti_low,
    eti_high, hdi_low, hdi_high, mcse_median, mcse_mean, mcse_eti_low, mcse_eti_high,
    mcse_hdi_low, mcse_hdi_high, probability, mcse_probability, never``.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> from attritionsim import summarize
    >>> ds = xr.Dataset({"in_band": ("draw", np.arange(10) < 4)})
    >>> print(to_csv(summarize(ds)).splitlines()[1])
    in_band,,bool,0.9,,,,,,,,,,,,,0.4,0.15491933384829668,
    """
    quantities = _quantities(summary)
    level = summary.get("level")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(_CSV_COLUMNS)
    for name, entry in quantities.items():
        kind = _entry_kind(entry)
        row: dict[str, object] = {"quantity": name, "units": entry.get("units", "")}
        row.update(kind=kind, level=level)
        if kind == "bool":
            row.update(probability=entry["probability"], mcse_probability=entry["mcse"])
        else:
            mcse = entry["mcse"]
            row.update(median=entry["median"], mean=entry["mean"], mcse_median=mcse["median"])
            row.update(mcse_mean=mcse.get("mean"))
            row.update(eti_low=entry["eti"][0], eti_high=entry["eti"][1])
            row.update(hdi_low=entry["hdi"][0], hdi_high=entry["hdi"][1])
            row.update(mcse_eti_low=mcse["eti"][0], mcse_eti_high=mcse["eti"][1])
            row.update(mcse_hdi_low=mcse["hdi"][0], mcse_hdi_high=mcse["hdi"][1])
            row.update(never=entry.get("never"))
        writer.writerow([_csv_value(row.get(column)) for column in _CSV_COLUMNS])
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# Citing a catalogue record
# --------------------------------------------------------------------------------------------

#: Characters that Markdown (or a Markdown table cell) would read as markup in a plain text.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
#: The catalogue's own notes on which seed article a figure came from: not for readers.
_SEED_NOTE = re.compile(r"\s*\(seed \d+[^)]*\)")
#: Characters a URL cannot carry inside a Markdown autolink or a table cell, percent-encoded.
_URL_ESCAPES = {" ": "%20", "<": "%3C", ">": "%3E", "|": "%7C", "\t": "%09", "\n": "%0A"}


def cite_record(record: Record, /, *, style: Literal["markdown", "text"] = "markdown") -> str:
    """Where a catalogue record's figure comes from, as a reference list would give it.

    The publisher, the title (in italics, or quoted in ``"text"`` style), the publication date
    (or, when it is not known, the date the figure describes: ``as of ...``) and the URL.
    A record without a URL names the outlets that reported it (``reported_by``) instead, so that
    a reader can still find it; a URL on a reporting outlet's site (its name is a label of the
    URL's host: CNN, ``edition.cnn.com``) is labelled "reported by" that outlet. Parts that are
    not known are left out with their punctuation: no empty italics, no dangling separator.

    Parameters
    ----------
    record : attritionsim.catalogue.Record
        The record to cite.
    style : {"markdown", "text"}, default "markdown"
        ``"markdown"`` escapes Markdown's special characters (``|`` too, so the text fits in a
        table cell), writes the title in italics and the URL as an autolink ``<...>``;
        ``"text"`` writes plain text.

    Returns
    -------
    str

    Examples
    --------
    >>> from attritionsim import load_catalogue
    >>> cat = load_catalogue()
    >>> print(cite_record(cat["csis-2025-12-russia-casualties"]))
    CSIS, *Russia's Grinding War in Ukraine* (2026-01-27), <https://www.csis.org/analysis/...>
    >>> cite_record(cat["ukmod-2025-03-russia-killed"], style="text")
    'UK Defence Intelligence (2025-03-20), reported by Forces News; Newsmax; Online.ua'
    >>> cite_record(cat["zelensky-2024-12-ukraine-killed"], style="text")
    'President of Ukraine (as of 2024-12-15)'

    A URL on the site of an outlet that reported the figure (``reported_by``) is said to be
    theirs:

    >>> cite_record(cat["ukmod-2025-06-russia-daily-rate"], style="text")
    'UK Ministry of Defence (2025-06-04), reported by CNN, https://edition.cnn.com/...'
    """
    markdown = _validate.choice("style", style, ("markdown", "text")) == "markdown"

    def words(text: str) -> str:
        text = " ".join(text.split())
        return _MARKDOWN_SPECIAL.sub(r"\\\1", text) if markdown else text

    publisher = words(record.publisher)
    title = words(record.title)
    if record.published is not None:
        date = record.published.isoformat()
    else:
        date = f"as of {record.as_of.isoformat()}"
    text = publisher
    if title:
        text += f", *{title}*" if markdown else f", \u201c{title}\u201d"
    text += f" ({date})"
    url = record.url.strip()
    if url:
        reporter = _url_outlet(url, record.reported_by, record.publisher)
        if reporter:  # the page is the outlet's report of the figure, not the publisher's own
            text += f", reported by {words(reporter)}"
        if markdown:
            url = "".join(_URL_ESCAPES.get(char, char) for char in url)
        text += f", <{url}>" if markdown else f", {url}"
    else:
        reported = words(_SEED_NOTE.sub("", record.reported_by)).strip(" ;,")
        if reported:
            text += f", reported by {reported}"
    return text


def _url_outlet(url: str, reported_by: str, publisher: str) -> str | None:
    """The outlet of ``reported_by`` whose site ``url`` is on, if it is not the publisher's.

    An outlet is on a site when its name's letters (``"CNN"``) are one of the labels of the
    URL's host (``edition.cnn.com``).
    """
    host = re.sub(r"^[a-z]+://", "", url.strip().lower()).split("/", 1)[0]
    labels = set(host.split("."))

    def key(name: str) -> str:
        return re.sub(r"[^a-z0-9]", "", name.lower())

    if key(publisher) in labels:
        return None
    for part in _SEED_NOTE.sub("", reported_by).split(";"):
        name = re.split(r"\s+\d{4}-\d{2}-\d{2}|\s*\(", part.strip(), maxsplit=1)[0].strip()
        if len(key(name)) >= 2 and key(name) in labels:
            return name
    return None
