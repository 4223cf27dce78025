"""Numpy kernels on sorted 1-d float samples: quantiles, shortest windows and their MCSEs.

Everything here takes draws already sorted (``inf`` allowed, ``NaN`` not) and returns plain
floats; :mod:`attritionsim.summary` adds the xarray glue, dates and validation on top, and
:mod:`attritionsim.streaming` reads the few order statistics it kept through a ``take``
function (``take(ranks) -> values``) instead of an array.

Every Monte Carlo standard error (MCSE) takes ``ess``, the effective sample size of the draws
(``None``: the number of draws, as for iid draws). A weighted or autocorrelated sample passes
its own: the quantile MCSEs then read the order-statistic span of ``ess`` draws, the mean and
probability errors divide by ``sqrt(ess)``, and the HDI's window-position error scales like
``ess ** (-1/3)``.

Methods
-------
:func:`mcse_quantile`: the ``p`` quantile of ``n`` iid draws sits between the order
statistics at ranks ``n B`` with ``B ~ Beta(n p + 1, n (1 - p) + 1)``; the sample quantile
function at that beta distribution's ``Phi(-2)`` and ``Phi(2)`` quantiles spans four standard
errors, so the MCSE is that span over 4 (ArviZ's ``mcse_quantile`` for iid draws, over +-2
rather than +-1 standard deviations: less noisy). With ``ess``, the beta distribution is that
of ``ess`` draws.

:func:`mcse_hdi`: the standard deviation of the shortest window's bounds over 100 bootstrap
resamples (:func:`bootstrap_hdi`), the resampling stream fixed so the same draws give the same
MCSE. A resample is never materialised: its sorted values are the draws at ranks
``floor(n U)`` for uniform order statistics ``U`` built from cumulative sums of exponential
spacings, generated only over a band of windows around the chosen one (:func:`resample_band`).

Above :data:`THIN_TO` draws the bootstrap runs on ``m`` evenly spaced order statistics, and
its variance ``b**2`` is split in two. The part a quantile at the window's fixed probability
``p`` would have, ``q_m**2`` (:func:`mcse_quantile` on the thinned sample), shrinks like
``1/n``; the rest, ``b**2 - q_m**2``, comes from where the window sits and shrinks like
``n**(-2/3)``. So ``MCSE**2 = max(0, b**2 - q_m**2) (m / n)**(2/3) + q_n**2`` with ``q_n`` the
quantile MCSE at ``p`` on all ``n`` draws. (Scaling the whole bootstrap by ``(m / n)**(1/3)``,
as before, overstated skewed bounds' MCSE 1.3-1.8 fold at 10^6 draws.)
``benchmarks/calibration.py`` prints the calibration table.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
from scipy import special

from . import _rng
from ._typing import FloatArray

__all__ = [
    "FIRST_HALF_BAND",
    "RESAMPLES",
    "THIN_TO",
    "Take",
    "at",
    "bootstrap_hdi",
    "family_ess",
    "hdi",
    "interpolate",
    "mcse_hdi",
    "mcse_hdi_of",
    "mcse_mean",
    "mcse_probability",
    "mcse_quantile",
    "mcse_quantile_of",
    "moments",
    "quantile",
    "resample_band",
    "spread",
    "thin",
    "widths",
    "window",
]

#: Reads a sorted sample by rank: ``take(ranks) -> values``.
Take: TypeAlias = Callable[[npt.NDArray[np.intp]], FloatArray]

#: Half-width, in standard errors, of the order-statistic span used by :func:`mcse_quantile`.
_Z = 2.0
_PHI = (float(special.ndtr(-_Z)), float(special.ndtr(_Z)))
#: Bootstrap resamples for the MCSE of HDI bounds.
RESAMPLES = 100
#: Half-width of the first band of windows the bootstrap searches.
FIRST_HALF_BAND = 1024
#: Above this many draws the HDI bootstrap runs on this many evenly spaced order statistics.
THIN_TO = 2**14
#: Elements per block of resamples (bounds the bootstrap's memory).
_BLOCK = 1 << 20


def _finite(xs: FloatArray) -> bool:
    """Whether every draw of sorted ``xs`` (no NaN) is finite: whether both ends are."""
    return bool(np.isfinite(xs[0]) and np.isfinite(xs[-1]))


def _effective(n: int, ess: float | None) -> float:
    """The effective sample size: ``ess``, or ``n`` when it is ``None``."""
    return float(n) if ess is None else float(ess)


# --------------------------------------------------------------------------------------------
# Quantiles
# --------------------------------------------------------------------------------------------


def interpolate(take: Take, n: int, position: FloatArray | float) -> FloatArray:
    """The sorted sample of ``n`` values read through ``take``, at fractional ``position``.

    ``position`` runs from 0 to ``n - 1``. The formula is :func:`numpy.quantile`'s
    ``"linear"`` one (its ``_lerp``: ``low + (high - low) * g`` below ``g = 0.5``,
    ``high - (high - low) * (1 - g)`` from it), so at ``position = (n - 1) * p`` the result is
    bit for bit ``numpy.quantile(xs, p)`` for finite draws; equal neighbours (two equal
    infinities among them) give that value rather than NaN, and two finite neighbours further
    apart than the float range are interpolated without overflowing.
    """
    pos = np.asarray(position, dtype=np.float64)
    last = n - 1
    below = np.clip(np.floor(pos), 0, last)
    gamma = pos - np.floor(pos)
    low = take(below.astype(np.intp))
    high = take(np.clip(below + 1, 0, last).astype(np.intp))
    with np.errstate(invalid="ignore", over="ignore"):
        diff = high - low
        lerp = np.where(gamma >= 0.5, high - diff * (1 - gamma), low + diff * gamma)
        wide = np.isinf(diff) & np.isfinite(low) & np.isfinite(high)
        if wide.any():  # two finite values further apart than the float range
            lerp = np.where(wide, low * (1 - gamma) + high * gamma, lerp)
    return np.where((gamma == 0) | (low == high) | (pos >= last), low, lerp)


def at(xs: FloatArray, position: FloatArray | float) -> FloatArray:
    """:func:`interpolate` on a sorted array."""
    return interpolate(xs.__getitem__, xs.size, position)


def quantile(xs: FloatArray, p: float) -> float:
    """The ``p`` quantile of sorted ``xs``: ``numpy.quantile(xs, p)``, bit for bit.

    >>> quantile(np.array([0.0, 1.0, 2.0, 4.0]), 0.5)
    1.5
    """
    return float(at(xs, (xs.size - 1) * p))


def spread(high: FloatArray, low: FloatArray) -> FloatArray:
    """``high - low`` for sorted values, 0 where they are equal (two equal infinities too)."""
    with np.errstate(invalid="ignore"):
        return np.where(high == low, 0.0, high - low)


def mcse_quantile_of(take: Take, n: int, p: float, *, ess: float | None = None) -> float:
    """:func:`mcse_quantile` on ``n`` sorted values read by rank through ``take``."""
    size = _effective(n, ess)
    if n < 2 or size < 1.0:
        return math.inf
    ranks = special.betaincinv(size * p + 1.0, size * (1.0 - p) + 1.0, np.array(_PHI))
    span = interpolate(take, n, (n - 1) * ranks)
    return float(spread(span[1:], span[:1])[0]) / (2.0 * _Z)


def mcse_quantile(xs: FloatArray, p: float, *, ess: float | None = None) -> float:
    """Monte Carlo standard error of the ``p`` quantile of sorted ``xs`` (order statistics).

    ``inf`` with a single draw, or where the span reaches infinite draws. ``ess`` (default
    ``xs.size``): the span is that of ``ess`` draws, so a quarter of the draws' worth of
    information gives about twice the MCSE.

    >>> xs = np.sort(np.random.default_rng(1).normal(size=100_000))
    >>> round(mcse_quantile(xs, 0.5), 3)  # theory: sqrt(0.25 / n) / pdf(0) = 0.004
    0.004
    """
    return mcse_quantile_of(xs.__getitem__, xs.size, p, ess=ess)


def mcse_mean(xs: FloatArray, *, ess: float | None = None) -> float:
    """``sd / sqrt(ess)`` (``ddof=1``); ``inf`` for one draw or any draw not finite.

    >>> mcse_mean(np.array([1.0, 2.0, 3.0, 4.0]))
    0.6454972243679028
    """
    return moments(xs, ess=ess)[1]


def moments(
    xs: FloatArray, *, ess: float | None = None, scratch: FloatArray | None = None
) -> tuple[float, float]:
    """The mean of sorted ``xs`` and its :func:`mcse_mean`, with one sum shared.

    Bit for bit ``numpy.mean(xs)`` and ``numpy.std(xs, ddof=1) / sqrt(ess)`` (the same
    pairwise sums, the deviations from the same mean); NaN (``inf - inf``) for the mean of
    draws at both infinities. ``scratch``: a float64 buffer of at least ``xs.size`` values for
    the squared deviations (overwritten), instead of a new array.

    >>> moments(np.array([1.0, 2.0, 3.0, 4.0]))
    (2.5, 0.6454972243679028)
    """
    n = xs.size
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf
        mean = np.add.reduce(xs) / n
    size = _effective(n, ess)
    if n < 2 or size <= 0.0 or not _finite(xs):
        return float(mean), math.inf
    use = scratch[:n] if scratch is not None and scratch.size >= n else None
    deviations = np.subtract(xs, mean, out=use)
    np.square(deviations, out=deviations)
    sd = math.sqrt(float(np.add.reduce(deviations)) / (n - 1))
    return float(mean), sd / math.sqrt(size)


def mcse_probability(p: float, n: int, *, ess: float | None = None) -> float:
    """``sqrt(p (1 - p) / ess)`` for the share ``p`` of ``n`` draws.

    >>> mcse_probability(0.25, 1000)
    0.013693063937629153
    """
    size = _effective(n, ess)
    return math.sqrt(p * (1.0 - p) / size) if size > 0.0 else math.inf


def family_ess(values: FloatArray, family: npt.NDArray[np.integer[Any]]) -> float:
    """Chan-Lai effective sample size of the mean of ``values`` over particle families.

    Resampled and moved particles (sequential Monte Carlo) are not independent; each one's
    "Eve" index ``family`` (its ancestor among the first draws) groups them. The variance of
    the mean is estimated by ``sum_f S_f² / n²`` with ``S_f`` the sum of the centred values in
    family ``f`` (Chan & Lai 2013; Lee & Whiteley 2018), and the ESS is the draws' variance
    over it, capped at ``n``. Constant values, or families that each hold draws summing to
    their mean, give ``n``.

    >>> import numpy as np
    >>> family_ess(np.array([0.0, 1.0, 0.0, 1.0]), np.array([0, 0, 1, 1]))
    4.0
    >>> family_ess(np.array([0.0, 0.0, 1.0, 1.0]), np.array([0, 0, 1, 1]))
    2.0
    """
    n = values.size
    centred = values - values.mean()
    var = float(np.mean(centred * centred))
    if var <= 0.0:
        return float(n)
    sums = np.bincount(family, weights=centred)
    between = float(np.sum(sums * sums)) / n**2
    if between <= 0.0:
        return float(n)
    return min(float(n), var / between)


# --------------------------------------------------------------------------------------------
# Shortest windows
# --------------------------------------------------------------------------------------------


def window(n: int, level: float) -> int:
    """Draws in an HDI window: ``ceil(level * n)``, with ``level`` read as the decimal it shows.

    (``0.07 * 100`` is 7.000000000000001 in floating point, which would make the window 8.)

    >>> window(100, 0.07)
    7
    """
    return min(n, max(1, math.ceil(Fraction(repr(level)) * n)))


def widths(xs: FloatArray, k: int) -> FloatArray:
    """Widths of every window of ``k`` consecutive sorted draws; inf where not finite."""
    with np.errstate(invalid="ignore"):
        width = xs[k - 1 :] - xs[: xs.size - k + 1]
    if not _finite(xs):  # inf - inf
        width[np.isnan(width)] = np.inf
    return width


def hdi(xs: FloatArray, k: int) -> tuple[float, float, int]:
    """The shortest window of ``k`` sorted draws: ``(low, high, start)`` (the lowest if tied).

    >>> hdi(np.array([0.0, 1.0, 1.5, 2.0, 9.0]), 3)
    (1.0, 2.0, 1)
    """
    start = int(np.argmin(widths(xs, k)))
    return float(xs[start]), float(xs[start + k - 1]), start


def resample_band(
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
    finite = _finite(xs)
    lows, highs, starts = [], [], []
    per_block = max(1, _BLOCK // (2 * m if m < k else n + 1))
    for done in range(0, reps, per_block):
        size = min(per_block, reps - done)
        if m < k:  # the two ends of the band's windows do not overlap
            below = _spacings(rng, first + 1, size, m)
            above = _spacings(rng, t - stop + 1, size, m)[:, ::-1]
            total = below[:, -1:] + rng.standard_gamma(first + k - stop, (size, 1)) + above[:, :1]
            per_unit = n / total
            # floor(below * n / total): not negative, so the conversion to intp below floors it
            low_rank = np.multiply(below, per_unit, out=below)
            high_rank = np.ceil(np.multiply(above, per_unit, out=above), out=above)
            high_rank = np.subtract(n, high_rank, out=high_rank)
        else:  # a band as wide as a window: build every order statistic
            spacings = np.cumsum(rng.standard_exponential((size, n + 1)), axis=1)
            ranks = np.floor(spacings[:, :n] * (n / spacings[:, n:]))
            low_rank, high_rank = ranks[:, first:stop], ranks[:, first + k - 1 : stop + k - 1]
        low = xs.take(low_rank.astype(np.intp), mode="clip")
        high = xs.take(high_rank.astype(np.intp), mode="clip")
        with np.errstate(invalid="ignore"):  # inf - inf
            width = np.subtract(high, low, out=low_rank)  # the ranks are read: reuse them
        if not finite:
            width[np.isnan(width)] = np.inf
        best = np.argmin(width, axis=1)
        rows = np.arange(size)
        lows.append(low[rows, best])
        highs.append(high[rows, best])
        starts.append(best + first)
    return np.concatenate(lows), np.concatenate(highs), np.concatenate(starts)


def _spacings(rng: np.random.Generator, shape: float, size: int, m: int) -> FloatArray:
    """Cumulative sums of a gamma(``shape``) spacing then ``m - 1`` exponential ones, per row.

    The same draws, in the same order, as ``cumsum(column_stack([gamma, exponentials]))``
    without the copies.
    """
    out = np.empty((size, m))
    out[:, 0] = rng.standard_gamma(shape, size)
    out[:, 1:] = rng.standard_exponential((size, m - 1))
    return np.cumsum(out, axis=1, out=out)


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


def bootstrap_hdi(xs: FloatArray, k: int, start: int) -> tuple[float, float]:
    """Bootstrap standard deviations of the bounds of the shortest window of ``k`` draws.

    ``start`` is the chosen window on ``xs``. The resamples search a band of windows around
    it, widened (four-fold at a time, up to every window) until no resample's shortest window
    lies in the outer eighth of the band and no window outside it is a contender.
    """
    n = xs.size
    if n < 2:
        return math.inf, math.inf
    t = n - k + 1
    half = FIRST_HALF_BAND
    while True:
        first, stop = max(0, start - half), min(t, start + half + 1)
        if stop - first >= k:
            first, stop = 0, t
        rng = _rng.stream_generator(0, "", "summary-hdi-bootstrap")
        low, high, starts = resample_band(xs, k, (first, stop), rng, RESAMPLES)
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


def thin(n: int, thin_to: int | None = None) -> npt.NDArray[np.intp]:
    """Ranks of the evenly spaced order statistics the HDI bootstrap runs on.

    Every rank when ``n <= thin_to`` (default :data:`THIN_TO`); else ranks ``s // 2,
    s // 2 + s, ...`` with ``s = ceil(n / thin_to)``.
    """
    thin_to = THIN_TO if thin_to is None else thin_to
    step = -(-n // thin_to)
    return np.arange(step // 2 if step > 1 else 0, n, step, dtype=np.intp)


def mcse_hdi_of(
    thinned: FloatArray,
    level: float,
    take: Take,
    n: int,
    ends: tuple[int, int],
    *,
    ess: float | None = None,
) -> tuple[float, float]:
    """MCSE of the HDI bounds of ``n`` sorted draws, bootstrapped on ``thinned`` of them.

    ``thinned`` holds ``m`` evenly spaced order statistics of the ``n`` draws (all of them
    when ``m == n``), ``take`` reads the ``n`` draws by rank (for the quantile MCSEs) and
    ``ends`` are the ranks of the HDI's bounds in them. With ``m == n`` and no ``ess`` this is
    :func:`bootstrap_hdi`; otherwise the bootstrap variance is split into a window-position
    part, scaled by ``(m / ess) ** (2/3)``, and a quantile part, replaced by the quantile
    MCSE at the bounds' probabilities on all ``n`` draws (module docstring).
    """
    m = thinned.size
    if n < 2:
        return math.inf, math.inf
    k = window(m, level)
    boot = bootstrap_hdi(thinned, k, hdi(thinned, k)[2])
    if m == n and ess is None:
        return boot
    scale = (m / _effective(n, ess)) ** (2.0 / 3.0)
    out = []
    for b, rank in zip(boot, ends, strict=True):
        p = min(1.0, max(0.0, rank / (n - 1)))
        q_m = mcse_quantile(thinned, p)
        q_n = mcse_quantile_of(take, n, p, ess=ess)
        if not (math.isfinite(b) and math.isfinite(q_m) and math.isfinite(q_n)):
            out.append(math.inf)
            continue
        position = max(0.0, b * b - q_m * q_m) * scale
        out.append(math.sqrt(position + q_n * q_n))
    return out[0], out[1]


def mcse_hdi(
    xs: FloatArray, level: float, *, ess: float | None = None, thin_to: int | None = None
) -> tuple[float, float]:
    """Monte Carlo standard errors of the bounds of the HDI of sorted ``xs`` at ``level``.

    Above ``thin_to`` (default :data:`THIN_TO`) draws the bootstrap runs on that many evenly
    spaced order statistics
    (module docstring); ``ess`` (default ``xs.size``) scales the errors.

    >>> xs = np.sort(np.random.default_rng(1).normal(size=5_000))
    >>> low, high = mcse_hdi(xs, 0.9)
    >>> 0.01 < low < 0.1 and 0.01 < high < 0.1
    True
    """
    n = xs.size
    k = window(n, level)
    start = hdi(xs, k)[2]
    return mcse_hdi_of(
        xs[thin(n, thin_to)], level, xs.__getitem__, n, (start, start + k - 1), ess=ess
    )
