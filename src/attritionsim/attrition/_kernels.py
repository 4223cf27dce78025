"""Numpy kernels of the attrition functions: arrays in, arrays out, elementwise over draws.

No xarray here: :mod:`._convert` checks the arguments and carries the labels, and the public
modules (:mod:`.split`, :mod:`.ratios`, :mod:`.rates`, :mod:`.trajectory`) are thin glue over
these. Dates arrive as ``datetime64`` arrays; the kernels work in float seconds since 1970
(:func:`._convert.seconds`) and hand back ``datetime64[s]`` (:func:`._convert.to_dates`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .._format import fmt_number
from ..errors import InputError
from . import _convert

__all__ = [
    "ACCOUNTING_RTOL",
    "accounting",
    "between",
    "broken",
    "crossed_by",
    "crossing",
    "first_crossing",
    "greater",
    "implied_rate",
    "killed_share",
    "nan_unless",
    "positive_ratio",
    "raise_broken",
    "ratio",
    "share_of",
    "split",
    "trajectory",
    "undated",
    "walk",
    "wounded",
    "wounded_per_killed",
]

#: Relative rounding slack in the accounting killed + missing <= casualties.
ACCOUNTING_RTOL = 1e-12


def nan_unless(ok: Any, values: Any) -> npt.NDArray[np.float64]:
    """``values`` (a fresh result, written in place) with NaN wherever ``ok`` is False."""
    out = np.asarray(values, dtype=np.float64)
    shape = np.broadcast_shapes(out.shape, np.shape(ok))
    if out.shape != shape or not out.flags.writeable:
        out = np.array(np.broadcast_to(out, shape))
    np.copyto(out, np.nan, where=np.logical_not(ok))
    return out


# ============================================================================ split
def accounting(casualties: Any, killed: Any, missing: Any) -> npt.NDArray[np.bool_]:
    """True where a draw satisfies killed + wounded + missing = casualties with no part < 0.

    NaN fails every comparison, and an infinite part fails the sum (or ``casualties < inf``).
    """
    with np.errstate(invalid="ignore", over="ignore"):
        ok = (casualties > 0.0) & (casualties < np.inf) & (killed >= 0.0)
        if np.ndim(missing) or missing != 0.0:
            ok &= missing >= 0.0
            used = killed + missing
        else:
            used = killed
        ok &= used <= casualties * (1.0 + ACCOUNTING_RTOL)
        return np.asarray(ok)


def raise_broken(ok: npt.NDArray[np.bool_], *parts: Any) -> None:
    """Raise the :class:`InputError` of ``split(..., strict=True)``: how many broke, the first."""
    bad = ~np.broadcast_to(ok, np.broadcast_shapes(*(np.shape(p) for p in parts), ok.shape))
    count, size = int(bad.sum()), bad.size
    where = int(np.flatnonzero(bad)[0])
    first = [float(np.broadcast_to(p, bad.shape).flat[where]) for p in parts]
    at = f" at draw {where}" if bad.ndim else ""
    raise InputError(
        f"split: {count:,} of {size:,} draws ({100.0 * count / size:.3g}%) break the accounting "
        "killed + wounded + missing = casualties (needs casualties > 0, killed >= 0, "
        f"missing >= 0, killed + missing <= casualties); first{at}: casualties="
        f"{fmt_number(first[0])}, killed={fmt_number(first[1])}, missing={fmt_number(first[2])}"
    )


def split(
    casualties: Any, killed: Any, missing: Any, strict: bool = False
) -> tuple[npt.NDArray[Any], ...]:
    """Killed share, wounded, wounded per killed and the broken flags, per draw."""
    ok = accounting(casualties, killed, missing)
    if strict and not ok.all():
        raise_broken(ok, casualties, killed, missing)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        wounded_ = nan_unless(ok, np.maximum(casualties - killed - missing, 0.0))
        share = nan_unless(ok, killed / casualties)
        per_killed = wounded_ / killed
    return share, wounded_, per_killed, ~ok


def killed_share(casualties: Any, killed: Any, missing: Any) -> npt.NDArray[np.float64]:
    """Killed / casualties; NaN where the accounting breaks."""
    ok = accounting(casualties, killed, missing)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return nan_unless(ok, killed / casualties)


def wounded(casualties: Any, killed: Any, missing: Any) -> npt.NDArray[np.float64]:
    """Casualties - killed - missing; NaN where the accounting breaks."""
    ok = accounting(casualties, killed, missing)
    with np.errstate(invalid="ignore", over="ignore"):
        return nan_unless(ok, np.maximum(casualties - killed - missing, 0.0))


def wounded_per_killed(casualties: Any, killed: Any, missing: Any) -> npt.NDArray[np.float64]:
    """Wounded / killed; NaN where the accounting breaks."""
    ok = accounting(casualties, killed, missing)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        wounded_ = np.maximum(casualties - killed - missing, 0.0)
        return nan_unless(ok, wounded_ / killed)


def broken(casualties: Any, killed: Any, missing: Any) -> npt.NDArray[np.bool_]:
    """True where the accounting breaks."""
    return ~accounting(casualties, killed, missing)


def share_of(total: Any, share: Any) -> npt.NDArray[np.float64]:
    """Total * share; NaN unless 0 <= share <= 1."""
    with np.errstate(invalid="ignore", over="ignore"):
        return nan_unless((share >= 0.0) & (share <= 1.0), total * share)


# ============================================================================ ratios and events
def ratio(a: Any, b: Any) -> npt.NDArray[np.float64]:
    """A / b, as numpy divides (no warnings)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.asarray(np.true_divide(a, b))


def between(x: Any, lo: Any, hi: Any) -> npt.NDArray[np.bool_]:
    """The event lo <= x <= hi (NaN is outside)."""
    return np.asarray((lo <= x) & (x <= hi))


def greater(a: Any, b: Any) -> npt.NDArray[np.bool_]:
    """The event a > b (NaN is False)."""
    return np.asarray(a > b)


def positive_ratio(x: Any, reference: Any) -> npt.NDArray[np.float64]:
    """X / reference; NaN unless reference > 0."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return nan_unless(reference > 0.0, x / reference)


# ============================================================================ rates and dates
def implied_rate(count_a: Any, date_a: Any, count_b: Any, date_b: Any) -> npt.NDArray[np.float64]:
    """(count_b - count_a) per day between the dates; refuses a draw with equal dates."""
    secs_a, secs_b = _convert.seconds(date_a), _convert.seconds(date_b)
    same = secs_a == secs_b
    if np.any(same):
        day = np.broadcast_to(np.asarray(date_a).astype("datetime64[s]"), same.shape)
        raise InputError(
            f"date_a and date_b are the same ({day[same].flat[0]}); an implied rate needs two "
            "different dates"
        )
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.asarray((count_b - count_a) / ((secs_b - secs_a) / _convert.SECONDS_PER_DAY))


def crossing(count: Any, rate: Any, threshold: Any, start: Any) -> npt.NDArray[Any]:
    """The date ``count`` growing at ``rate`` a day from ``start`` reaches ``threshold``."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        gap = np.asarray(threshold - count, dtype=np.float64)
        # A rate <= 0 below the threshold: no date. At or past the threshold: crossed by start,
        # whatever the rate (with a rate > 0, on the date it implies; else start itself).
        offset = nan_unless(rate > 0.0, np.rint(gap / rate * _convert.SECONDS_PER_DAY))
        np.copyto(offset, 0.0, where=(gap == 0.0) | ((gap < 0.0) & ~(rate > 0.0)))
        return _convert.to_dates(offset + _convert.seconds(start))


def undated(dates: Any) -> npt.NDArray[np.bool_]:
    """True where a date is NaT."""
    return np.asarray(np.isnat(np.asarray(dates)))


def crossed_by(dates: Any, day: Any) -> npt.NDArray[np.bool_]:
    """The event date <= day (NaT is False)."""
    secs = _convert.seconds(dates)
    return np.asarray(secs <= _convert.seconds(day))


# ============================================================================ trajectories
def trajectory(
    counts: npt.NDArray[np.float64],
    rate: npt.NDArray[np.float64],
    anchor_days: npt.NDArray[np.float64],
    days: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    """Counts ``(..., k)`` at ``anchor_days`` (k,) -> values ``(..., m)`` at ``days`` (m,)."""
    k = anchor_days.size
    seg = np.searchsorted(anchor_days, days, side="right") - 1  # -1 before the first anchor
    rate_ = np.asarray(rate)[..., None]
    with np.errstate(invalid="ignore", over="ignore"):
        before_dt = days - anchor_days[0]
        after_dt = days - anchor_days[-1]
        before = counts[..., :1] + np.where(before_dt == 0.0, 0.0, rate_ * before_dt)
        after = counts[..., -1:] + np.where(after_dt == 0.0, 0.0, rate_ * after_dt)
        if k == 1:
            return np.asarray(np.where(seg < 0, before, after))
        lo = np.clip(seg, 0, k - 2)
        weight = (days - anchor_days[lo]) / (anchor_days[lo + 1] - anchor_days[lo])
        start, stop = counts[..., lo], counts[..., lo + 1]
        inside = start + (stop - start) * weight
    return np.asarray(np.where(seg < 0, before, np.where(seg >= k - 1, after, inside)))


def first_crossing(
    values: npt.NDArray[np.float64], threshold: Any, times: npt.NDArray[np.float64]
) -> npt.NDArray[Any]:
    """The first date (interpolated) each path ``(..., m)`` at ``times`` reaches ``threshold``."""
    thr = np.asarray(threshold, dtype=np.float64)[..., None]
    reached = values >= thr
    hit = reached.any(axis=-1)
    j = np.argmax(reached, axis=-1)[..., None]
    prev = np.maximum(j - 1, 0)
    v_hit = np.take_along_axis(values, j, axis=-1)[..., 0]
    v_prev = np.take_along_axis(values, prev, axis=-1)[..., 0]
    t_hit, t_prev = times[j[..., 0]], times[prev[..., 0]]
    thr0 = thr[..., 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = (thr0 - v_prev) / (v_hit - v_prev)
        between_ = t_prev + frac * (t_hit - t_prev)
    first = j[..., 0] == 0
    at_start = np.where(v_hit == thr0, t_hit, np.nan)
    secs = np.where(hit, np.where(first, at_start, between_), np.nan)
    return _convert.to_dates(np.asarray(secs, dtype=np.float64))


def walk(
    gen: np.random.Generator, draws: int, offsets: npt.NDArray[np.float64], sd: float
) -> npt.NDArray[np.float64]:
    """A Brownian path with ``sd`` per square-root day at ``offsets`` (days, increasing) from 0.

    Forward offsets are walked from 0 upward, backward ones from 0 downward; offset 0 is 0.
    """
    out = np.zeros((draws, offsets.size))
    ahead = offsets > 0.0
    behind = offsets < 0.0
    if ahead.any():
        steps = np.diff(offsets[ahead], prepend=0.0)
        out[:, ahead] = np.cumsum(gen.standard_normal((draws, steps.size)) * sd * np.sqrt(steps), 1)
    if behind.any():
        back = -offsets[behind][::-1]
        steps = np.diff(back, prepend=0.0)
        path = np.cumsum(gen.standard_normal((draws, steps.size)) * sd * np.sqrt(steps), 1)
        out[:, behind] = path[:, ::-1]
    return out
