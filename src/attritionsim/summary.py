"""From Monte Carlo draws to citable credible intervals.

The functions here turn the draws of one quantity (a :class:`xarray.DataArray` with a ``draw``
dimension, or a 1-d array) or of a whole results :class:`xarray.Dataset` into the numbers a
report quotes: a median, a mean, an equal-tailed interval (ETI), a highest-density interval
(HDI), and the Monte Carlo standard error (MCSE) of every one of them; then into a sentence
(:func:`cite`), a JSON-ready dictionary (:func:`summarize`) and tables (:func:`to_markdown`,
:func:`to_latex`, :func:`to_csv`).

Kinds of quantity
-----------------
* **Numbers** (any integer or float dtype) are summarised as they are. ``inf`` is allowed (it
  sorts above every number); ``NaN`` is refused, naming the quantity and how many draws are NaN.
* **Dates** (``datetime64``) are summarised on their int64 nanoseconds, as offsets from the
  earliest date. ``NaT`` means "never" (a threshold that is never crossed) and sorts after
  every date, as if it were infinitely late: a median or bound that falls among the NaT draws
  is NaT, and a mean over draws that include NaT is NaT. MCSEs of dates are in days.
* **Booleans** are summarised by the probability that they are true.

Intervals
---------
``kind="eti"``
    The quantiles ``(1 - level) / 2`` and ``(1 + level) / 2``, interpolated exactly as
    :func:`numpy.quantile` with its default ``method="linear"`` (the same bits for finite
    draws; two equal infinite neighbours give that infinity rather than NaN).
``kind="hdi"``
    The shortest interval holding ``ceil(level * n)`` of the ``n`` sorted draws (the lowest such
    window if several tie). For a multimodal distribution this is still one interval, and it
    may span a low-density gap between modes; its bounds can then jump between near-tied
    windows from one run to the next (their MCSE says so). Prefer the ETI for such quantities.

Monte Carlo standard errors
---------------------------
``mcse_quantile``: order statistics, no density estimate. The ``p`` quantile of ``n`` iid
draws sits between the order statistics at ranks ``n * B`` with ``B ~ Beta(n p + 1, n (1 - p)
+ 1)``; the sample quantile function evaluated at that beta distribution's ``Phi(-2)`` and
``Phi(2)`` quantiles spans four standard errors, so the MCSE is that span divided by 4. (This
is the approach of ArviZ's ``mcse_quantile`` for iid draws, over +-2 rather than +-1 standard
deviations: the wider span rests on more order statistics and is less noisy.)

``mcse_interval(kind="hdi")``: a bootstrap. The shortest-window estimator is not a quantile
at a fixed probability: where its window sits is itself uncertain, both bounds move with it,
and that uncertainty shrinks only like ``n**(-1/3)`` (like ``1/n`` at the edge of a support,
as for an exponential). In calibration runs (``n = 2000``, ``level = 0.9``) the quantile MCSE
at the chosen window covered only 51-75% instead of 95%, and batch means over 20 or 50
batches 60-82% (but 100% at the exponential's lower bound, whose error is of order ``1/n``).
So the MCSE is the standard deviation of the HDI bounds over 100 bootstrap resamples of the
draws. A resample is never materialised: its sorted values are the draws at ranks
``floor(n U)`` for uniform order statistics ``U`` built from cumulative sums of exponential
spacings, generated only over a band of windows around the chosen one. The band widens until
no resample's shortest window lies in its outer eighth and no window outside it could win
(its extra width is over six times the resampling noise of the difference), so the cost
stays small. Above 4,096 draws the bootstrap runs on that many evenly spaced order
statistics and its MCSE is scaled by ``(m / n) ** (1/3)`` (conservative at a support's edge),
so it costs a few milliseconds per quantity at any size. The resampling stream is fixed
(:func:`attritionsim._rng.stream_generator`), so the same draws always give the same MCSE.

``mcse_mean``: ``sd / sqrt(n)``; ``mcse_probability``: ``sqrt(p (1 - p) / n)``.

All of these assume iid draws (``method="mc"``). Latin-hypercube and Sobol draws are
negatively dependent by design and their true Monte Carlo error is smaller: the iid MCSE is
conservative for them.

Calibration (``tests/test_summary.py`` checks it): over 1000 replications of ``n = 2000``
draws at ``level = 0.9``, the estimate lay within 1.96 MCSE of the true value in this share
of replications:

===========  ======  =========  ==========  =========  ==========
draws from   median  ETI low    ETI high    HDI low    HDI high
===========  ======  =========  ==========  =========  ==========
exponential  0.944   0.947      0.926       0.958      0.942
gamma(3)     0.941   0.926      0.935       0.951      0.938
===========  ======  =========  ==========  =========  ==========

(normal and lognormal(0.5) gave 0.94-0.95 throughout). Two known weak spots: with few draws
(a few hundred) tail quantiles' MCSE is optimistic (80-93%), as for every order-statistic
method; and where the density climbs steeply from zero (lognormal with sigma = 1) the HDI's
lower bound is biased inward by about 0.75 of its MCSE, and coverage drops to about 86%.

How many digits
---------------
:func:`cite` and the tables never show a digit whose place is below the largest MCSE of the
figures shown together (the median and the two bounds), and by default show at most three
significant digits in the largest of them.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt
import xarray as xr
from scipy import special

from . import _rng, _validate
from ._format import fmt_sig
from ._typing import FloatArray
from ._version import __version__
from .errors import InputError

__all__ = [
    "Bound",
    "IntervalKind",
    "cite",
    "interval",
    "mcse_interval",
    "mcse_mean",
    "mcse_probability",
    "mcse_quantile",
    "summarize",
    "to_csv",
    "to_latex",
    "to_markdown",
]

#: Which interval: equal-tailed (``"eti"``) or highest-density (``"hdi"``).
IntervalKind: TypeAlias = Literal["eti", "hdi"]
#: A bound of an interval: a float for numbers, a ``numpy.datetime64`` (s) for dates.
Bound: TypeAlias = float | np.datetime64
#: What the draws of one quantity may be passed as.
Draws: TypeAlias = xr.DataArray | npt.ArrayLike

_KINDS = ("eti", "hdi")
#: Dates are summarised in whole seconds: datetime64[s] spans far more than any
#: crossing date can (nanoseconds stop at the years 1678 and 2262).
_DATE_UNIT = "s"
_TICKS_PER_DAY = 86_400
_LAST_SECOND = int(np.iinfo(np.int64).max)
#: Numbers beyond this size are summarised scaled by a power of two (exactly), so that the
#: spreads, variances and interpolations on the way never overflow near the float limit.
_SCALE_ABOVE = 2.0**500
#: Figures from ``10**15`` on (and below ``10**-15``) are written in scientific notation.
_SCIENTIFIC_FROM = 15
#: Half-width, in standard errors, of the order-statistic span used by :func:`mcse_quantile`.
_Z = 2.0
_PHI = (float(special.ndtr(-_Z)), float(special.ndtr(_Z)))
#: Bootstrap resamples for the MCSE of HDI bounds, and the half-width of the first band.
_RESAMPLES = 100
#: Above this many draws the HDI bootstrap runs on evenly spaced order statistics.
_THIN_TO = 2**12
_FIRST_HALF_BAND = 1024
#: Elements per block of resamples (bounds the bootstrap's memory).
_BLOCK = 1 << 20
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
# Draws in, sorted floats out
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Sample:
    """The draws of one quantity, sorted, as float64.

    Dates are seconds after ``anchor`` (the earliest date, ``last`` the latest) with NaT as
    ``+inf``; booleans are 0.0 / 1.0. Numbers beyond ``2**500`` are divided by ``scale``, a
    power of two (exact), and multiplied back on the way out.
    """

    name: str
    units: str
    kind: Literal["number", "date", "bool"]
    values: FloatArray
    anchor: int = 0
    last: int | None = None
    scale: float = 1.0

    @property
    def n(self) -> int:
        return int(self.values.size)

    def never(self) -> int:
        """How many draws are NaT (dates only)."""
        if self.kind != "date":
            return 0
        return int(self.n - np.searchsorted(self.values, np.inf))

    def to_bound(self, value: float) -> Bound:
        """A value on the internal scale, back on the quantity's own (date or float)."""
        if self.kind != "date":
            return self.to_number(value)
        if not math.isfinite(value):
            return np.datetime64("NaT", "s")
        # float offsets reach 1.8e19 s; rounding must not carry a bound past the draws
        last = self.last if self.last is not None else _LAST_SECOND
        seconds = min(max(self.anchor + round(value), self.anchor), last)
        return np.datetime64(seconds, "s")

    def to_number(self, value: float) -> float:
        """A number on the internal scale, back on the quantity's own."""
        return float(value) * self.scale

    def to_error(self, value: float) -> float:
        """An MCSE on the internal scale, in the quantity's units (days for dates)."""
        if self.kind == "date":
            return float(value) / _TICKS_PER_DAY
        return float(value) * self.scale


def _sample(draws: object, name: str | None = None) -> _Sample:
    """Validate the draws of one quantity and sort them."""
    units = ""
    if isinstance(draws, xr.Dataset):
        raise InputError(
            "draws must be one quantity (a DataArray such as ds['name'] or a 1-d array); "
            f"got a Dataset with variables {', '.join(map(repr, draws.data_vars))}"
        )
    if isinstance(draws, xr.DataArray):
        label = name or (str(draws.name) if draws.name is not None else "draws")
        units = str(draws.attrs.get("units", ""))
        if draws.ndim > 1:
            raise InputError(
                f"{label!r} has dimensions {draws.dims}; one value per draw is needed, "
                f"so select the other dimensions first (e.g. da.isel({draws.dims[-1]}=-1))"
            )
        raw = np.asarray(draws.values)
    else:
        label = name or "draws"
        try:
            raw = np.asarray(draws)
        except (TypeError, ValueError) as err:
            raise InputError(f"{label!r} must be an array of draws; got {draws!r}") from err
        if raw.ndim > 1:
            raise InputError(f"{label!r} must be 1-d (one value per draw); got shape {raw.shape}")
    if raw.ndim == 0:  # a constant: the same value in every draw, known without error
        raw = np.repeat(raw, 2)
    if raw.size == 0:
        raise InputError(f"{label!r} has no draws; need at least one")
    kind = raw.dtype.kind
    if kind == "b":
        return _Sample(label, units, "bool", np.sort(raw.astype(np.float64)))
    if kind == "M":
        stamps = raw.astype(f"datetime64[{_DATE_UNIT}]")
        nat = np.isnat(stamps)
        ns = stamps.view(np.int64)
        anchor = int(ns[~nat].min()) if not nat.all() else 0
        last = int(ns[~nat].max()) if not nat.all() else 0
        # exact even where the span exceeds int64 (dates 2.9e11 years apart): in uint64
        with np.errstate(over="ignore"):
            span = ns.view(np.uint64) - np.uint64(anchor % 2**64)
        offsets = np.where(nat, np.inf, span.astype(np.float64))
        return _Sample(label, units, "date", np.sort(offsets), anchor, last)
    if kind not in "iuf":
        raise InputError(
            f"{label!r} must hold numbers, dates (datetime64) or booleans; got dtype {raw.dtype}"
        )
    values = raw.astype(np.float64)
    nans = int(np.count_nonzero(np.isnan(values)))
    if nans:
        raise InputError(
            f"{label!r} has {nans:,} NaN draws out of {values.size:,}; NaN is not a value "
            "(infinities are allowed) - drop or fix those draws first"
        )
    finite = np.abs(values[np.isfinite(values)])
    top = float(finite.max()) if finite.size else 0.0
    scale = 1.0
    if top > _SCALE_ABOVE:
        scale = math.ldexp(1.0, math.frexp(top)[1] - 500)
        values = values / scale
    return _Sample(label, units, "number", np.sort(values), scale=scale)


def _level(value: object) -> float:
    out = _validate.finite_real("level", value)
    if not 0.0 < out < 1.0:
        raise InputError(f"level must be in (0, 1) (e.g. 0.9 for a 90% interval); got {out:g}")
    return out


def _kind(value: object) -> IntervalKind:
    return "hdi" if _validate.choice("kind", value, _KINDS) == "hdi" else "eti"


def _numeric(sample: _Sample, what: str) -> None:
    if sample.kind == "bool":
        raise InputError(
            f"{sample.name!r} is boolean: {what} of a yes/no quantity is not defined; "
            "use mcse_probability() or summarize() for the probability that it is true"
        )


# --------------------------------------------------------------------------------------------
# Kernels on sorted 1-d float arrays
# --------------------------------------------------------------------------------------------


def _at(xs: FloatArray, position: FloatArray | float) -> FloatArray:
    """The sorted sample at fractional ``position`` (0 to n - 1), interpolated like numpy.

    For finite values this is bit for bit :func:`numpy.quantile`'s ``"linear"`` method at
    ``position = (n - 1) * p``; equal neighbours (two infinities among them) give that value.
    """
    return _interpolate(xs.__getitem__, xs.size, position)


def _interpolate(
    take: Callable[[npt.NDArray[np.intp]], FloatArray], n: int, position: FloatArray | float
) -> FloatArray:
    """:func:`_at` on a sorted sample of ``n`` values read by rank through ``take``.

    (:mod:`attritionsim.streaming` reads the few ranks it needs from what it kept.)
    """
    pos = np.asarray(position, dtype=np.float64)
    last = n - 1
    below = np.clip(np.floor(pos), 0, last)
    gamma = pos - np.floor(pos)
    low = take(below.astype(np.intp))
    high = take(np.clip(below + 1, 0, last).astype(np.intp))
    with np.errstate(invalid="ignore"):
        diff = high - low
        lerp = np.where(gamma >= 0.5, high - diff * (1 - gamma), low + diff * gamma)
    return np.where((gamma == 0) | (low == high) | (pos >= last), low, lerp)


def _quantile(xs: FloatArray, p: float) -> float:
    return float(_at(xs, (xs.size - 1) * p))


def _spread(high: FloatArray, low: FloatArray) -> FloatArray:
    """``high - low`` for sorted values, 0 where they are equal (two equal infinities too)."""
    with np.errstate(invalid="ignore"):
        return np.where(high == low, 0.0, high - low)


def _mcse_quantile(xs: FloatArray, p: float) -> float:
    return _mcse_quantile_of(xs.__getitem__, xs.size, p)


def _mcse_quantile_of(
    take: Callable[[npt.NDArray[np.intp]], FloatArray], n: int, p: float
) -> float:
    """:func:`_mcse_quantile` on ``n`` sorted values read by rank through ``take``."""
    if n < 2:
        return math.inf
    ranks = special.betaincinv(n * p + 1.0, n * (1.0 - p) + 1.0, np.array(_PHI))
    span = _interpolate(take, n, (n - 1) * ranks)
    return float(_spread(span[1:], span[:1])[0]) / (2.0 * _Z)


def _window(n: int, level: float) -> int:
    """Draws in an HDI window: ``ceil(level * n)``, with ``level`` read as the decimal it shows.

    (``0.07 * 100`` is 7.000000000000001 in floating point, which would make the window 8.)
    """
    return min(n, max(1, math.ceil(Fraction(repr(level)) * n)))


def _widths(xs: FloatArray, k: int) -> FloatArray:
    """Widths of every window of ``k`` consecutive sorted draws; inf where not finite."""
    with np.errstate(invalid="ignore"):
        width = xs[k - 1 :] - xs[: xs.size - k + 1]
    return np.where(np.isnan(width), np.inf, width)


def _hdi(xs: FloatArray, k: int) -> tuple[float, float, int]:
    start = int(np.argmin(_widths(xs, k)))
    return float(xs[start]), float(xs[start + k - 1]), start


def _resample_band(
    xs: FloatArray, k: int, band: tuple[int, int], rng: np.random.Generator, reps: int
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.intp]]:
    """HDI of ``reps`` bootstrap resamples, searched over windows ``band[0]`` to ``band[1] - 1``.

    Returns the lower and upper bounds and the chosen window, one per resample.
    The resample's sorted values are ``xs[floor(n U)]`` for uniform order statistics ``U``,
    built from exponential spacings: a gamma variate for the spacings below the band, one for
    those between the two ends, and one above.
    """
    n = xs.size
    first, stop = band
    m = stop - first
    t = n - k + 1
    lows, highs, starts = [], [], []
    per_block = max(1, _BLOCK // (2 * m if m < k else n + 1))
    for done in range(0, reps, per_block):
        size = min(per_block, reps - done)
        if m < k:  # the two ends of the band's windows do not overlap
            below = np.cumsum(
                np.column_stack(
                    [rng.standard_gamma(first + 1, size), rng.standard_exponential((size, m - 1))]
                ),
                axis=1,
            )
            above = np.cumsum(
                np.column_stack(
                    [
                        rng.standard_gamma(t - stop + 1, size),
                        rng.standard_exponential((size, m - 1)),
                    ]
                ),
                axis=1,
            )[:, ::-1]
            total = below[:, -1:] + rng.standard_gamma(first + k - stop, (size, 1)) + above[:, :1]
            low_rank = np.floor(below * (n / total))
            high_rank = n - np.ceil(above * (n / total))
        else:  # a band as wide as a window: build every order statistic
            spacings = np.cumsum(rng.standard_exponential((size, n + 1)), axis=1)
            ranks = np.floor(spacings[:, :n] * (n / spacings[:, n:]))
            low_rank, high_rank = ranks[:, first:stop], ranks[:, first + k - 1 : stop + k - 1]
        low = xs[np.clip(low_rank, 0, n - 1).astype(np.intp)]
        high = xs[np.clip(high_rank, 0, n - 1).astype(np.intp)]
        with np.errstate(invalid="ignore"):
            width = high - low
        width = np.where(np.isnan(width), np.inf, width)
        best = np.argmin(width, axis=1)
        rows = np.arange(size)
        lows.append(low[rows, best])
        highs.append(high[rows, best])
        starts.append(best + first)
    return np.concatenate(lows), np.concatenate(highs), np.concatenate(starts)


def _sd(values: FloatArray) -> float:
    """Standard deviation of bootstrap replicates: 0 if all equal, inf if any is not finite."""
    if bool((values == values[0]).all()):
        return 0.0
    if not np.isfinite(values).all():
        return math.inf
    return float(np.std(values, ddof=1))


def _contenders(xs: FloatArray, k: int, start: int, band: tuple[int, int]) -> bool:
    """Whether a window outside ``band`` could be a resample's shortest.

    Window ``j`` is wider than the chosen one by ``D_j`` in the draws. In a resample, the two
    widths differ again by the resampling noise of the two stretches of ``|j - start|`` ranks
    that separate their ends, about each stretch's width over ``sqrt(|j - start|)``. Window
    ``j`` is a contender unless ``D_j`` exceeds six times that noise.
    """
    t = xs.size - k + 1
    outside = np.r_[0 : band[0], band[1] : t]
    if outside.size == 0:
        return False
    with np.errstate(invalid="ignore", divide="ignore"):
        excess = (xs[outside + k - 1] - xs[outside]) - (xs[start + k - 1] - xs[start])
        noise = np.hypot(xs[outside + k - 1] - xs[start + k - 1], xs[outside] - xs[start])
        noise /= np.sqrt(np.abs(outside - start))
        clear = (excess > 6.0 * noise) | (np.isinf(excess) & (excess > 0))
    return not bool(clear.all())


def _mcse_hdi(xs: FloatArray, k: int, start: int) -> tuple[float, float]:
    """Bootstrap MCSE of the HDI bounds (see the module docstring).

    The resamples search a band of windows around the chosen one, widened (four-fold at a
    time, up to every window) until no resample's shortest window lies in the outer eighth of
    the band and no window outside it is a contender (:func:`_contenders`).
    """
    n = xs.size
    if n < 2:
        return math.inf, math.inf
    t = n - k + 1
    half = _FIRST_HALF_BAND
    while True:
        first, stop = max(0, start - half), min(t, start + half + 1)
        if stop - first >= k:
            first, stop = 0, t
        rng = _rng.stream_generator(0, "", "summary-hdi-bootstrap")
        low, high, starts = _resample_band(xs, k, (first, stop), rng, _RESAMPLES)
        if first == 0 and stop == t:
            break
        margin = (stop - first) // 8
        near_edge = ((starts < first + margin) & (first > 0)) | (
            (starts >= stop - margin) & (stop < t)
        )
        if not near_edge.any() and not _contenders(xs, k, start, (first, stop)):
            break
        half *= 4
    return _sd(low), _sd(high)


# --------------------------------------------------------------------------------------------
# Public: intervals and their Monte Carlo standard errors
# --------------------------------------------------------------------------------------------


def _interval(sample: _Sample, level: float, kind: IntervalKind) -> tuple[float, float]:
    xs = sample.values
    if kind == "hdi":
        low, high, _ = _hdi(xs, _window(sample.n, level))
        return low, high
    return _quantile(xs, (1.0 - level) / 2.0), _quantile(xs, (1.0 + level) / 2.0)


def _mcse_bounds(sample: _Sample, level: float, kind: IntervalKind) -> tuple[float, float]:
    xs = sample.values
    if kind == "hdi":
        return _mcse_hdi_thinned(xs, level)
    return _mcse_quantile(xs, (1.0 - level) / 2.0), _mcse_quantile(xs, (1.0 + level) / 2.0)


def _mcse_hdi_thinned(xs: FloatArray, level: float) -> tuple[float, float]:
    """HDI MCSE, bootstrapped on at most ``_THIN_TO`` evenly spaced order statistics.

    Above ``_THIN_TO`` draws the bootstrap runs on the sorted draws at ranks ``t/2, 3t/2, ...``
    (a sample of ``m = n / t`` with the same quantile function) and its MCSE is scaled by
    ``(m / n) ** (1/3)``, the shortest-window estimator's rate. At the edge of a support the
    error shrinks faster (like ``1/n``), so there the scaled MCSE is conservative.
    """
    n = xs.size
    step = -(-n // _THIN_TO)
    if step <= 1:
        k = _window(n, level)
        return _mcse_hdi(xs, k, _hdi(xs, k)[2])
    thin = xs[step // 2 :: step]
    k = _window(thin.size, level)
    low, high = _mcse_hdi(thin, k, _hdi(thin, k)[2])
    scale = (thin.size / n) ** (1.0 / 3.0)
    return low * scale, high * scale


def interval(
    draws: Draws, /, level: float = 0.9, *, kind: IntervalKind = "eti"
) -> tuple[Bound, Bound]:
    """Credible interval of one quantity's draws.

    Parameters
    ----------
    draws : xarray.DataArray or array_like
        The draws: 1-d (one value per draw), numbers or ``datetime64`` dates.
    level : float, default 0.9
        Probability inside the interval, in (0, 1).
    kind : {"eti", "hdi"}, default "eti"
        ``"eti"``: equal-tailed, the quantiles ``(1 - level) / 2`` and ``(1 + level) / 2``
        (numpy's default ``"linear"`` interpolation). ``"hdi"``: highest-density, the
        narrowest window of ``ceil(level * n)`` sorted draws. For a multimodal quantity the HDI
        is still one interval and may span a low-density gap; prefer the ETI there.

    Returns
    -------
    tuple
        ``(low, high)``: floats for numbers; ``numpy.datetime64`` (ns) for dates. NaT draws
        ("never") sort after every date, so a bound that falls among them is NaT.

    Raises
    ------
    InputError
        If ``level`` is not in (0, 1), ``kind`` is unknown, there are no draws, the draws are
        boolean, or some are NaN (the message says how many).

    Examples
    --------
    >>> import numpy as np
    >>> draws = np.linspace(0.0, 100.0, 1001)
    >>> interval(draws, 0.9)
    (5.0, 95.0)
    >>> dates = np.array(["2025-07-01", "2025-07-11", "2025-07-21", "2025-07-31", "NaT"], "M8[D]")
    >>> [str(bound)[:10] for bound in interval(dates, 0.5)]
    ['2025-07-11', '2025-07-31']
    >>> [str(bound)[:10] for bound in interval(dates, 0.9)]  # the upper bound is among the NaT
    ['2025-07-03', 'NaT']
    """
    level = _level(level)
    kind = _kind(kind)
    sample = _sample(draws)
    _numeric(sample, "an interval")
    low, high = _interval(sample, level, kind)
    return sample.to_bound(low), sample.to_bound(high)


def mcse_quantile(draws: Draws, /, p: float) -> float:
    """Monte Carlo standard error of the ``p`` quantile, from order statistics (iid draws).

    The ``p`` quantile of ``n`` iid draws lies at rank ``n B`` with ``B ~ Beta(n p + 1,
    n (1 - p) + 1)``. The sample quantiles at that distribution's ``Phi(-2)`` and ``Phi(2)``
    quantiles span four standard errors; the MCSE is the span over four. No density estimate.

    Parameters
    ----------
    draws : xarray.DataArray or array_like
        1-d numbers or ``datetime64`` dates.
    p : float
        The probability of the quantile, in [0, 1].

    Returns
    -------
    float
        In the quantity's units (days for dates); ``inf`` if the span reaches infinite or NaT
        draws, or with a single draw. For Latin-hypercube or Sobol draws this iid MCSE is
        conservative.

    Examples
    --------
    >>> import numpy as np
    >>> draws = np.random.default_rng(1).normal(size=100_000)
    >>> round(mcse_quantile(draws, 0.5), 3)  # theory: sqrt(0.25 / n) / pdf(0) = 0.004
    0.004
    """
    sample = _sample(draws)
    _numeric(sample, "a quantile")
    prob = _validate.finite_real("p", p)
    if not 0.0 <= prob <= 1.0:
        raise InputError(f"p must be a probability in [0, 1]; got {prob:g}")
    return sample.to_error(_mcse_quantile(sample.values, prob))


def mcse_interval(
    draws: Draws, /, level: float = 0.9, *, kind: IntervalKind = "eti"
) -> tuple[float, float]:
    """Monte Carlo standard errors of the two bounds of :func:`interval`.

    ETI bounds are quantiles: their MCSE is :func:`mcse_quantile`'s. HDI bounds come from a
    bootstrap of the shortest-window search (100 resamples from a fixed stream, so the same
    draws give the same answer): the window's position is itself uncertain, and the
    quantile MCSE at the chosen window would understate the error by half or more.
    (The module docstring gives the method and its calibration.)

    Parameters
    ----------
    draws : xarray.DataArray or array_like
        1-d numbers or ``datetime64`` dates.
    level : float, default 0.9
        Probability inside the interval, in (0, 1).
    kind : {"eti", "hdi"}, default "eti"
        Which interval (see :func:`interval`).

    Returns
    -------
    tuple of float
        ``(mcse_low, mcse_high)`` in the quantity's units (days for dates); ``inf`` where a
        bound's error cannot be bounded (it reaches infinite or NaT draws). Conservative for
        Latin-hypercube and Sobol draws, which are not iid.

    Examples
    --------
    >>> import numpy as np
    >>> draws = np.random.default_rng(1).exponential(size=100_000)
    >>> low, high = mcse_interval(draws, 0.9, kind="hdi")
    >>> low < 1e-3 < high < 0.02  # the lower bound sits at the support's edge, 0
    True
    """
    level = _level(level)
    kind = _kind(kind)
    sample = _sample(draws)
    _numeric(sample, "an interval")
    low, high = _mcse_bounds(sample, level, kind)
    return sample.to_error(low), sample.to_error(high)


def mcse_mean(draws: Draws, /) -> float:
    """Monte Carlo standard error of the mean: ``sd / sqrt(n)`` (``ddof=1``; iid draws).

    Returns ``inf`` for a single draw, or when the draws include infinities or NaT; days for
    dates.

    Examples
    --------
    >>> mcse_mean([1.0, 2.0, 3.0, 4.0])
    0.6454972243679028
    """
    sample = _sample(draws)
    if sample.n < 2 or not np.isfinite(sample.values).all():
        return math.inf
    return sample.to_error(float(np.std(sample.values, ddof=1)) / math.sqrt(sample.n))


def mcse_probability(draws: Draws, /) -> float:
    """Monte Carlo standard error of a probability: ``sqrt(p (1 - p) / n)`` (iid draws).

    ``draws`` are booleans (or 0/1 numbers); ``p`` is the share that are true. Note that it
    is 0 when every draw agrees: then read it as "fewer than about 3 in ``n``".

    Examples
    --------
    >>> mcse_probability([True, False, True, True])
    0.21650635094610965
    """
    sample = _sample(draws)
    xs = sample.values
    if sample.kind == "date" or not bool(((xs == 0.0) | (xs == 1.0)).all()):
        raise InputError(f"{sample.name!r} must be booleans (or 0/1) for a probability")
    p = float(xs.mean())
    return math.sqrt(p * (1.0 - p) / sample.n)


# --------------------------------------------------------------------------------------------
# summarize
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Figures:
    """Median, mean, ETI and HDI of one numeric or date quantity, with their MCSEs."""

    median: float
    mean: float
    eti: tuple[float, float]
    hdi: tuple[float, float]
    mcse_median: float
    mcse_eti: tuple[float, float]
    mcse_hdi: tuple[float, float]


def _figures(sample: _Sample, level: float) -> _Figures:
    xs = sample.values
    with np.errstate(all="ignore"):  # inf - inf: the mean is NaN (numbers) or NaT (dates)
        mean = float(np.mean(xs))
    return _Figures(
        median=_quantile(xs, 0.5),
        mean=mean,
        eti=_interval(sample, level, "eti"),
        hdi=_interval(sample, level, "hdi"),
        mcse_median=_mcse_quantile(xs, 0.5),
        mcse_eti=_mcse_bounds(sample, level, "eti"),
        mcse_hdi=_mcse_bounds(sample, level, "hdi"),
    )


def _json_float(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _iso(value: Bound) -> str | None:
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else str(_day_of(value))
    return None


def _entry(sample: _Sample, level: float) -> dict[str, Any]:
    if sample.kind == "bool":
        p = float(sample.values.mean())
        return {
            "units": sample.units,
            "probability": p,
            "mcse": math.sqrt(p * (1.0 - p) / sample.n),
        }
    return _entry_of(sample, _figures(sample, level), sample.never(), sample.n)


def _entry_of(sample: _Sample, fig: _Figures, never: int, n: int) -> dict[str, Any]:
    """The summary entry of a number or date quantity from its figures."""

    def show(value: float) -> Any:
        bound = sample.to_bound(value)
        return _iso(bound) if sample.kind == "date" else _json_float(sample.to_number(value))

    def err(value: float) -> float | None:
        return _json_float(sample.to_error(value))

    out: dict[str, Any] = {
        "units": sample.units,
        "median": show(fig.median),
        "mean": show(fig.mean),
        "eti": [show(fig.eti[0]), show(fig.eti[1])],
        "hdi": [show(fig.hdi[0]), show(fig.hdi[1])],
        "mcse": {
            "median": err(fig.mcse_median),
            "eti": [err(fig.mcse_eti[0]), err(fig.mcse_eti[1])],
            "hdi": [err(fig.mcse_hdi[0]), err(fig.mcse_hdi[1])],
        },
    }
    if never:
        out["never"] = never / n
    return out


def _summarizable(da: xr.DataArray) -> bool:
    return da.dims == ("draw",) and da.dtype.kind in "biufM"


def _as_dataset(ds: object) -> xr.Dataset:
    if isinstance(ds, xr.Dataset):
        return ds
    if isinstance(ds, xr.DataArray):
        if ds.ndim != 1:
            raise InputError(
                f"ds is a DataArray with dimensions {ds.dims}; pass a Dataset, or one value "
                "per draw"
            )
        da = ds if ds.dims == ("draw",) else ds.rename({ds.dims[0]: "draw"})
        return da.to_dataset(name=str(da.name) if da.name is not None else "draws")
    arr = np.asarray(ds)
    if arr.ndim != 1:
        raise InputError(f"ds must be a Dataset, a DataArray or 1-d draws; got shape {arr.shape}")
    return xr.Dataset({"draws": ("draw", arr)})


def _select(ds: xr.Dataset, quantities: str | Iterable[str] | None) -> list[Hashable]:
    if quantities is None:
        return [name for name, da in ds.data_vars.items() if _summarizable(da)]
    names = [quantities] if isinstance(quantities, str) else list(quantities)
    valid = [str(name) for name in ds.data_vars]
    chosen: list[Hashable] = []
    for name in names:
        _validate.choice("quantities", name, valid)
        da = ds[name]
        if not _summarizable(da):
            raise InputError(
                f"quantities: {name!r} has dimensions {da.dims} and dtype {da.dtype}; "
                "summarize() takes one number, date or boolean per draw - select first, "
                f"e.g. ds[{name!r}].isel(date=-1)"
            )
        chosen.append(name)
    return chosen


def summarize(
    ds: xr.Dataset | xr.DataArray | npt.ArrayLike,
    /,
    level: float = 0.9,
    *,
    quantities: str | Iterable[str] | None = None,
) -> dict[str, Any]:
    """Summarise every quantity of a results dataset, as JSON-ready plain Python.

    Parameters
    ----------
    ds : xarray.Dataset
        Results with a ``draw`` dimension (a DataArray or 1-d array is taken as one quantity).
        Attributes ``seed``, ``method`` and ``attritionsim_version`` are copied when present
        (else ``None``, ``"unknown"`` and this library's version); ``draws`` is the length of
        the ``draw`` dimension.
    level : float, default 0.9
        Probability inside the intervals, in (0, 1).
    quantities : str or iterable of str, optional
        Which variables, in that order. By default every variable whose only dimension is
        ``draw`` and whose dtype is numeric, datetime64 or boolean, in dataset order; others
        (trajectories over ``date``, labels) are left out. Naming one that does not exist, or
        one that is not one value per draw, raises :class:`InputError`.

    Returns
    -------
    dict
        ``{"draws": int, "seed": int, "method": str, "level": float, "version": str,
        "quantities": {name: entry}}``. For numbers and dates an entry is ``{"units": str,
        "median": x, "mean": x, "eti": [lo, hi], "hdi": [lo, hi], "mcse": {"median": e,
        "eti": [e_lo, e_hi], "hdi": [e_lo, e_hi]}}``; dates are ISO strings ``"YYYY-MM-DD"``
        (the day containing the instant) or ``None`` for NaT, their MCSEs are in days, and
        an entry gets one more key, ``"never"``, the share of NaT draws, only when there are
        some. For booleans an entry is ``{"units": str, "probability": p, "mcse": e}``.
        Values that are not finite (infinite draws, an MCSE that cannot be bounded) are
        ``None``: JSON has no infinity.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> ds = xr.Dataset(
    ...     {"ratio": ("draw", np.linspace(1.5, 2.5, 2001), {"units": "ratio"})},
    ...     attrs={"seed": 1, "draws": 2001, "method": "mc", "attritionsim_version": "0.1.0"},
    ... )
    >>> out = summarize(ds)
    >>> out["seed"], out["quantities"]["ratio"]["median"], out["quantities"]["ratio"]["eti"]
    (1, 2.0, [1.55, 2.45])
    """
    level = _level(level)
    data = _as_dataset(ds)
    if "draw" not in data.dims:
        raise InputError(f"ds has no 'draw' dimension; its dimensions are {tuple(data.dims)}")
    attrs = data.attrs
    seed = attrs.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | np.integer)):
        raise InputError(f"ds.attrs['seed'] must be an integer; got {seed!r}")
    return {
        "draws": int(data.sizes["draw"]),
        "seed": int(seed) if seed is not None else None,
        "method": str(attrs.get("method", "unknown")),
        "level": level,
        "version": str(attrs.get("attritionsim_version", __version__)),
        "quantities": {
            str(name): _entry(_sample(data[name], str(name)), level)
            for name in _select(data, quantities)
        },
    }


# --------------------------------------------------------------------------------------------
# Digits justified by the MCSE
# --------------------------------------------------------------------------------------------


def _floor_place(value: float) -> int:
    """The place of the leading digit: ``10**p <= value < 10**(p + 1)`` (exact, any size)."""
    return Decimal(value).adjusted()


def _ceil_place(value: float) -> int:
    """The smallest ``p`` with ``10**p >= value`` (exact, any size)."""
    exact = Decimal(value)
    place = exact.adjusted()
    return place if exact == Decimal(1).scaleb(place) else place + 1


def _place(values: Sequence[float], errors: Sequence[float], digits: int) -> int:
    """Place (power of ten) of the last digit to show for figures quoted together.

    At most ``digits`` significant digits in the largest figure, and never a place below the
    largest MCSE; an infinite MCSE leaves one significant digit.
    """
    sizes = [abs(v) for v in values if math.isfinite(v) and v != 0.0]
    top = _floor_place(max(sizes)) if sizes else None
    places = [] if top is None else [top - (digits - 1)]
    worst = max((e for e in errors if e > 0.0), default=0.0)
    if math.isinf(worst):
        places.append(top if top is not None else 0)
    elif worst > 0.0:
        places.append(_ceil_place(worst))
    return max(places, default=0)


def _quantized(value: float, step: Decimal) -> int:
    """``value`` rounded to a multiple of ``step`` (half to even), exactly."""
    with localcontext() as ctx:
        ctx.prec = 800
        return int(Decimal(value).quantize(step, rounding=ROUND_HALF_EVEN))


def _fixed(values: Sequence[float], place: int, minus: str = "-") -> list[str]:
    """Finite ``values`` rounded to ``10**place`` with thousands separators.

    All share one number of decimals, and trailing zeros are dropped only where every figure
    has one (so "1.2 - 1.25" never appears, but "1.20 - 1.10" becomes "1.2 - 1.1").
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
        while decimals > 0 and all(text.endswith("0") for text in texts):
            decimals -= 1
            texts = [text[:-2] if decimals == 0 else text[:-1] for text in texts]
    return [text.replace("-", minus) for text in texts]


def _numbers(
    values: Sequence[float], errors: Sequence[float], digits: int, minus: str = "-"
) -> list[str]:
    """Format figures quoted together, each with its MCSE.

    Only the MCSEs of finite figures count; infinities become signed infinity symbols and NaN
    (a value that is not defined) ``"n/a"``.
    """
    finite = [(v, e) for v, e in zip(values, errors, strict=True) if math.isfinite(v)]
    place = _place([v for v, _ in finite], [e for _, e in finite], digits)
    sizes = [abs(v) for v, _ in finite if v != 0.0]
    top = _floor_place(max(sizes)) if sizes else 0
    if top >= _SCIENTIFIC_FROM or top < -_SCIENTIFIC_FROM:  # 27 zeros help no reader
        decimals = max(0, top - place)
        texts: Iterator[str] = iter(
            f"{v:.{decimals}e}".replace("-", minus) if v else "0" for v, _ in finite
        )
    else:
        texts = iter(_fixed([v for v, _ in finite], place, minus))
    out = []
    for value in values:
        if math.isfinite(value):
            out.append(next(texts))
        elif math.isnan(value):
            out.append("n/a")
        else:
            out.append("∞" if value > 0 else minus + "∞")
    return out


# --------------------------------------------------------------------------------------------
# cite
# --------------------------------------------------------------------------------------------


def _percent(level: float) -> str:
    return f"{level * 100:.10g}%"


def _day_of(value: np.datetime64) -> np.datetime64:
    """The day containing ``value`` (numpy's own cast is wrong near the ends of int64)."""
    seconds = int(value.astype("datetime64[s]").view(np.int64))
    return np.datetime64(seconds // _TICKS_PER_DAY, "D")


def _ymd(value: np.datetime64) -> tuple[int, int, int]:
    """Year, month and day of a date at any distance (``datetime.date`` ends at 9999)."""
    days = _day_of(value)
    months = int(days.astype("datetime64[M]").view(np.int64))
    first = np.datetime64(months, "M").astype("datetime64[D]")
    day = int(days.view(np.int64)) - int(first.view(np.int64)) + 1
    return months // 12 + 1970, months % 12 + 1, day


def _year_text(year: int) -> str:
    """A year as people write it: ``2031``, ``100,001,970``, ``3 BCE`` (proleptic, no year 0)."""
    if year <= 0:
        return f"{1 - year:,} BCE"
    return str(year) if year < 10_000 else f"{year:,}"


def _day(value: Bound, form: Literal["day", "month", "year"], with_year: bool = True) -> str:
    if not isinstance(value, np.datetime64) or np.isnat(value):
        return "never"
    year, month, day = _ymd(value)
    text = _year_text(year)
    if form == "year":
        return text
    suffix = f" {text}" if with_year else ""
    if form == "month":
        return f"{_MONTHS[month - 1]}{suffix}"
    return f"{day} {_MONTHS[month - 1]}{suffix}"


def _cite_dates(sample: _Sample, fig: _Figures, kind: IntervalKind, label: str) -> str:
    median = sample.to_bound(fig.median)
    bounds = fig.eti if kind == "eti" else fig.hdi
    errors = (fig.mcse_median, *(fig.mcse_eti if kind == "eti" else fig.mcse_hdi))
    shown = [e for v, e in zip((fig.median, *bounds), errors, strict=True) if math.isfinite(v)]
    worst = sample.to_error(max(shown, default=0.0))
    form: Literal["day", "month", "year"] = (
        "day" if worst <= 1.0 else "month" if worst <= 365.25 / 12 else "year"
    )
    low, high = (sample.to_bound(b) for b in bounds)
    same_year = (
        isinstance(low, np.datetime64)
        and isinstance(high, np.datetime64)
        and not (np.isnat(low) or np.isnat(high))
        and _ymd(low)[0] == _ymd(high)[0]
        and form != "year"
    )
    dash = "–" if form == "year" and all(" " not in _day(b, form) for b in (low, high)) else " – "
    span = f"{_day(low, form, with_year=not same_year)}{dash}{_day(high, form)}"
    return f"{_day(median, form)} ({label} {span})"


def _cite_bool(sample: _Sample, digits: int) -> str:
    p = float(sample.values.mean())
    error = math.sqrt(p * (1.0 - p) / sample.n)
    (text,) = _numbers([p * 100], [error * 100], digits)
    if error == 0.0:
        return f"{text}% probability"
    points = fmt_sig(error * 100, 1)
    return f"{text}% probability (± {points} percentage point{'' if points == '1' else 's'})"


def cite(
    draws: Draws,
    /,
    level: float = 0.9,
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
      year when it exceeds a month; NaT as ``"never"``.
    * booleans: ``"64% probability (± 1 percentage point)"``, the ± being one MCSE (left out
      when every draw agrees).

    ``kind="hdi"`` labels the interval ``"90% HDI"``.

    Parameters
    ----------
    draws : xarray.DataArray or array_like
        1-d numbers, dates or booleans; a DataArray's ``units`` attribute picks the form.
    level : float, default 0.9
        Probability inside the interval, in (0, 1).
    kind : {"eti", "hdi"}, default "eti"
        Which interval (see :func:`interval`).
    digits : int, optional
        Most significant digits in the largest of the three figures (default 3). Fewer are
        shown when the Monte Carlo error does not justify them: the last digit's place is never
        below the largest MCSE of the median and the two bounds.

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
    '65% (90% CrI 52–78%)'
    """
    level = _level(level)
    kind = _kind(kind)
    digits = 3 if digits is None else _validate.positive_int("digits", digits)
    sample = _sample(draws)
    if sample.kind == "bool":
        return _cite_bool(sample, digits)
    fig = _figures(sample, level)
    label = f"{_percent(level)} {'CrI' if kind == 'eti' else 'HDI'}"
    if sample.kind == "date":
        return _cite_dates(sample, fig, kind, label)
    values = [sample.to_number(v) for v in (fig.median, *(fig.eti if kind == "eti" else fig.hdi))]
    errors = [
        sample.to_error(e)
        for e in (fig.mcse_median, *(fig.mcse_eti if kind == "eti" else fig.mcse_hdi))
    ]
    if sample.units == "share":
        mid, low, high = _numbers([v * 100 for v in values], [e * 100 for e in errors], digits, "−")
        return f"{mid}% ({label} {low}–{high}%)"
    if sample.units == "ratio":
        mid, low, high = _numbers(values, errors, digits, "−")
        return f"{mid}:1 ({label} {low}:1–{high}:1)"
    scale, word = 1.0, ""
    for factor, name in ((1e9, " billion"), (1e6, " million")):
        if math.isfinite(values[0]) and factor <= abs(values[0]) < 1e6 * factor:
            scale, word = factor, name
            break
    mid, low, high = _numbers([v / scale for v in values], [e / scale for e in errors], digits, "−")
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


def _row(entry: Mapping[str, Any], digits: int, minus: str) -> list[str]:
    """Median, ETI low/high, HDI low/high and MCSE of the median, as table cells."""
    kind = _entry_kind(entry)
    if kind == "bool":
        (p,) = _numbers([entry["probability"]], [_error(entry["mcse"])], digits, minus)
        return [f"P = {p}", "", "", "", "", _sig(_error(entry["mcse"]), 2)]
    mcse = entry["mcse"]
    shown = [entry["median"], *entry["eti"], *entry["hdi"]]
    median_error = _error(mcse["median"])
    if kind == "date":
        cells = [v if isinstance(v, str) else "never" for v in shown]
        never = entry.get("never")
        if isinstance(never, int | float) and never > 0:
            cells[0] += f" ({_share(never)} never)"
        return [*cells, f"{_sig(median_error, 2)} days"]
    values = [float(v) if isinstance(v, int | float) else math.nan for v in shown]
    # The median and ETI are quoted together (as by cite); the HDI has digits of its own.
    central = _numbers(values[:3], [median_error, *map(_error, mcse["eti"])], digits, minus)
    hdi = _numbers(values[3:], list(map(_error, mcse["hdi"])), digits, minus)
    return [*central, *hdi, _sig(median_error, 2).replace("-", minus)]


def _header(summary: Mapping[str, Any]) -> list[str]:
    level = _percent(float(summary.get("level", 0.9)))
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


def _digits(digits: int | None) -> int:
    return 3 if digits is None else _validate.positive_int("digits", digits)


def to_markdown(summary: Mapping[str, Any], /, *, digits: int | None = None) -> str:
    """A Markdown table of a :func:`summarize` result, one row per quantity.

    Columns: quantity, units, median, ETI low/high, HDI low/high and the MCSE of the median.
    Numbers carry thousands separators and only the digits their MCSE justifies (at most
    ``digits`` significant, default 3): the median and ETI share the digits :func:`cite`
    would give them, the HDI bounds get their own from their own MCSEs. Dates are ISO
    (``never`` for NaT); booleans show their probability as ``P = ...`` in the median column.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> killed = np.random.default_rng(1).normal(200_000, 20_000, 10_000)
    >>> ds = xr.Dataset({"killed": ("draw", killed, {"units": "people"})})
    >>> table = to_markdown(summarize(ds)).splitlines()
    >>> print(table[0][:48])
    | Quantity | Units | Median | 90% ETI low | 90%
    >>> print(table[2])
    | killed | people | 200,000 | 167,000 | 232,000 | 167,000 | 232,000 | 260 |
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
        cells = [name, str(entry.get("units", "")), *_row(entry, width, "-")]
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
    >>> ds = xr.Dataset({"ru_share": ("draw", np.linspace(0.2, 0.4, 2001), {"units": "share"})})
    >>> print(to_latex(summarize(ds)), end="")
    \begin{tabular}{llrrrrrr}
    \toprule
    Quantity & Units & Median & 90\% ETI low & ... & MCSE (median) \\
    \midrule
    ru\_share & share & 0.30 & 0.21 & 0.39 & ... & ... & 0.0... \\
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
        cells += [_latex(c).replace("−", "$-$") for c in _row(entry, width, "−")]
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
    eti_high, hdi_low, hdi_high, mcse_median, mcse_eti_low, mcse_eti_high, mcse_hdi_low,
    mcse_hdi_high, probability, mcse_probability, never``.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> ds = xr.Dataset({"in_band": ("draw", np.arange(10) < 4)})
    >>> print(to_csv(summarize(ds)).splitlines()[1])
    in_band,,bool,0.9,,,,,,,,,,,,0.4,0.15491933384829668,
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
            row.update(eti_low=entry["eti"][0], eti_high=entry["eti"][1])
            row.update(hdi_low=entry["hdi"][0], hdi_high=entry["hdi"][1])
            row.update(mcse_eti_low=mcse["eti"][0], mcse_eti_high=mcse["eti"][1])
            row.update(mcse_hdi_low=mcse["hdi"][0], mcse_hdi_high=mcse["hdi"][1])
            row.update(never=entry.get("never"))
        writer.writerow([_csv_value(row.get(column)) for column in _CSV_COLUMNS])
    return buffer.getvalue()
