"""Cumulative trajectories through dated counts, fitted to a series, and where they cross.

:func:`trajectory` joins dated anchors draw by draw and extends them at a rate;
:func:`fit_trajectory` draws never-decreasing trajectories through a series' recent values, a
thin wrapper over :func:`attritionsim.synthesize`;
:func:`crossing_from_trajectory` reads off the first date each one reaches a threshold.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import xarray as xr

from .. import _validate
from .._format import fmt_number
from .._rng import as_generator
from .._typing import SeedLike
from ..errors import InputError
from ..synthesis import synthesize
from . import _convert, _kernels
from ._convert import Dates, Draws

__all__ = ["TrajectoryFit", "crossing_from_trajectory", "fit_trajectory", "trajectory"]


def trajectory(
    anchors: Sequence[tuple[Dates, Draws]], rate: Draws | None, dates: Dates
) -> xr.DataArray:
    """Cumulative counts on a ``date`` axis through dated anchors, extrapolated at ``rate``.

    Between two anchors the count moves linearly in time; before the first and after the last
    it moves at ``rate`` per day (the same rate both ways).

    Parameters
    ----------
    anchors : sequence of (date, counts) pairs
        Dated cumulative counts: counts are draws (1-d arrays, or DataArrays with dim ``draw``)
        or constants. The dates must differ; their order does not matter.
    rate : array_like or DataArray or None
        Growth per day used beyond the anchors (draws or a constant). ``None``: NaN beyond them.
    dates : sequence of dates
        The dates of the result, as ISO strings, ``datetime.date`` or ``numpy.datetime64``.

    Returns
    -------
    xarray.DataArray
        Dims ``(..., "date")`` (``("draw", "date")`` for draws, ``("date",)`` for constants),
        with a ``datetime64[s]`` ``date`` coordinate.

    Raises
    ------
    InputError
        No anchors, an anchor that is not a (date, counts) pair, two anchors on one date, a
        NaT, or arguments of the wrong kind.

    Examples
    --------
    >>> from attritionsim.attrition import trajectory
    >>> traj = trajectory([("2025-01-01", 700_000), ("2025-01-11", 710_000)], 500.0,
    ...                   ["2024-12-31", "2025-01-06", "2025-01-13"])
    >>> traj.values.tolist()
    [699500.0, 705000.0, 711000.0]
    """
    given: object = anchors  # typed loosely: callers outside mypy can pass anything
    pairs = list(given) if isinstance(given, list | tuple) else []
    if not pairs:
        raise InputError(f"anchors must be a non-empty sequence of (date, counts); got {anchors!r}")
    when, counts = [], []
    for i, pair in enumerate(pairs):
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise InputError(
                f"anchors[{i}] must be a (date, counts) pair; got {_convert.show(pair)}"
            )
        when.append(_convert.one_date(f"anchors[{i}] date", pair[0]))
        counts.append(_convert.numbers(f"anchors[{i}] counts", pair[1]))
    anchor_secs = _convert.seconds(np.array(when))
    order = np.argsort(anchor_secs, kind="stable")
    repeated = np.flatnonzero(np.diff(anchor_secs[order]) == 0.0)
    if repeated.size:
        i, j = sorted(int(order[r]) for r in (repeated[0], repeated[0] + 1))
        raise InputError(f"anchors[{i}] and anchors[{j}] share the date {when[i]}; merge them")
    counts = [counts[int(i)] for i in order]
    rate_: Any = np.float64(np.nan) if rate is None else _convert.numbers("rate", rate)
    out_dates = _convert.dates("dates", dates)
    if isinstance(out_dates, xr.DataArray):
        out_dates = np.asarray(out_dates.values).astype("datetime64[s]")
    out_dates = np.atleast_1d(out_dates)
    if np.isnat(out_dates).any():
        raise InputError("dates must not contain NaT")
    origin = anchor_secs[order][0]
    anchor_days = (anchor_secs[order] - origin) / _convert.SECONDS_PER_DAY
    days = (_convert.seconds(out_dates) - origin) / _convert.SECONDS_PER_DAY
    kwargs = {"anchor_days": anchor_days, "days": days}
    attrs = {"long_name": "cumulative count"}
    if any(isinstance(c, xr.DataArray) for c in [*counts, rate_]):
        labelled = xr.broadcast(*[_convert.as_dataarray(c) for c in counts])
        stacked = xr.concat(labelled, dim="anchor", coords="minimal", compat="override")
        result: xr.DataArray = xr.apply_ufunc(
            _kernels.trajectory,
            stacked,
            _convert.as_dataarray(rate_),
            kwargs=kwargs,
            input_core_dims=[["anchor"], []],
            output_core_dims=[["date"]],
        )
        return result.assign_coords(date=out_dates).assign_attrs(attrs)
    shape = np.broadcast_shapes(*(np.shape(c) for c in counts), np.shape(rate_))
    stacked_np = np.stack([np.broadcast_to(c, shape) for c in counts], axis=-1)
    values = _kernels.trajectory(stacked_np, np.broadcast_to(rate_, shape), anchor_days, days)
    dims = ("draw", "date") if values.ndim == 2 else ("date",)
    return xr.DataArray(values, dims=dims, coords={"date": out_dates}, attrs=attrs)


def crossing_from_trajectory(traj: xr.DataArray, threshold: Draws) -> xr.DataArray:
    """The first date a trajectory reaches ``threshold``, interpolated linearly between dates.

    Parameters
    ----------
    traj : xarray.DataArray
        Cumulative counts with a ``date`` dimension whose coordinate is datetime64, increasing
        (e.g. from :func:`trajectory`), and any other dims (``draw``).
    threshold : array_like or DataArray
        The level to reach (a constant, or per draw).

    Returns
    -------
    xarray.DataArray
        ``datetime64[s]`` over the dims of ``traj`` other than ``date``. It is the date on
        which the straight line between the last date below the threshold and the first date at
        or above it reaches the threshold. NaT where the trajectory never reaches it, or is
        already above it on its first date (it crossed before the dates given; extend them).

    Raises
    ------
    InputError
        If ``traj`` is not a DataArray with an increasing datetime ``date`` coordinate.

    Examples
    --------
    >>> from attritionsim.attrition import crossing_from_trajectory, trajectory
    >>> traj = trajectory([("2025-06-01", 950_000), ("2025-06-11", 990_000)], 1_000.0,
    ...                   ["2025-06-01", "2025-06-11", "2025-07-01"])
    >>> str(crossing_from_trajectory(traj, 1_000_000).values)
    '2025-06-21T00:00:00'
    """
    if not isinstance(traj, xr.DataArray) or "date" not in traj.dims:
        raise InputError(
            f"traj must be a DataArray with a 'date' dimension; got {_convert.show(traj)}"
        )
    if "date" not in traj.coords or traj["date"].dtype.kind != "M":
        raise InputError("traj must have a datetime64 'date' coordinate")
    if traj.dtype.kind not in "biuf":
        raise InputError(f"traj must hold numbers; got {traj.dtype}")
    times = _convert.seconds(traj["date"].values)
    if np.isnan(times).any() or (np.diff(times) <= 0.0).any():
        raise InputError("traj's 'date' coordinate must be increasing with no NaT")
    thr = _convert.numbers("threshold", threshold)
    result: xr.DataArray = xr.apply_ufunc(
        _kernels.first_crossing,
        traj.astype(np.float64),
        _convert.labelled(thr),
        kwargs={"times": times},
        input_core_dims=[["date"], []],
    )
    reaching = fmt_number(float(thr)) if np.ndim(thr) == 0 else "the threshold"
    return result.assign_attrs(long_name=f"date reaching {reaching}")


@dataclasses.dataclass(frozen=True)
class TrajectoryFit:
    """Trajectories through a series' recent values; made by :func:`fit_trajectory`.

    Attributes
    ----------
    trajectories : xarray.DataArray
        Cumulative counts, dims ``("draw", "date")``, non-decreasing along ``date``.
    rate : xarray.DataArray
        Each draw's mean daily rate over the window, dim ``draw`` (never negative).
    rate_mean, rate_se : float
        The mean and standard deviation of ``rate`` over the draws.
    anchor_date : numpy.datetime64
        The last day of the window (the ``end`` of the fit).
    anchor_count : float
        The series' value on ``anchor_date``.
    window_start : numpy.datetime64
        The first day of the window.
    synthesis : xarray.Dataset
        What :func:`attritionsim.synthesize` returned (its ``ess``, ``pareto_k``, sources).
    """

    trajectories: xr.DataArray
    rate: xr.DataArray
    rate_mean: float
    rate_se: float
    anchor_date: np.datetime64
    anchor_count: float
    window_start: np.datetime64
    synthesis: xr.Dataset

    def crossing(self, threshold: Draws) -> xr.DataArray:
        """The date each trajectory first reaches ``threshold`` (see crossing_from_trajectory).

        Examples
        --------
        >>> import numpy as np, xarray as xr
        >>> from attritionsim.attrition import fit_trajectory
        >>> days = np.arange("2025-01-01", "2025-05-01", dtype="datetime64[D]")
        >>> series = xr.DataArray(900_000 + 1_000.0 * np.arange(days.size), dims="date",
        ...                       coords={"date": days})
        >>> fit = fit_trajectory(series, dates=["2025-04-30", "2025-09-30"], rng=1, draws=500)
        >>> when = fit.crossing(1_100_000)
        >>> median = np.sort(when.values)[250]  # NaT (not reached by 30 September) sorts last
        >>> bool(np.datetime64("2025-07-01") < median < np.datetime64("2025-08-15"))
        True
        """
        return crossing_from_trajectory(self.trajectories, threshold)


def _points(
    data: xr.DataArray | Sequence[tuple[Dates, float]],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """The data as day numbers (increasing) and values."""
    if isinstance(data, xr.DataArray):
        if data.dims != ("date",) or "date" not in data.coords:
            raise InputError(
                "the series must be a 1-d DataArray on a 'date' coordinate; "
                f"got {_convert.show(data)}"
            )
        when = _convert.dates("series date", data["date"].values)
        values = _validate.finite_array("series values", data.values)
    else:
        given: object = data  # typed loosely: callers outside mypy can pass anything
        pairs = list(given) if isinstance(given, list | tuple) else []
        if len(pairs) < 2 or any(not isinstance(p, tuple | list) or len(p) != 2 for p in pairs):
            raise InputError(
                "fit_trajectory needs a DataArray on 'date' or a sequence of two or more "
                f"(date, count) pairs; got {_convert.show(data)}"
            )
        when = np.array([_convert.one_date(f"data[{i}] date", p[0]) for i, p in enumerate(pairs)])
        values = np.array(
            [_validate.finite_real(f"data[{i}] count", p[1]) for i, p in enumerate(pairs)]
        )
    assert not isinstance(when, xr.DataArray)
    day = np.asarray(when).astype("datetime64[D]").astype(np.int64)
    if np.isnat(np.asarray(when)).any() or (np.diff(day) <= 0).any():
        raise InputError("the series' dates must be increasing days with no NaT or repeat")
    return day, values


def fit_trajectory(
    data: xr.DataArray | Sequence[tuple[Dates, float]],
    *,
    rng: SeedLike,
    dates: Dates | None = None,
    end: Dates | None = None,
    window: int = 91,
    block: int = 7,
    draws: int = 1_000,
    **options: Any,
) -> TrajectoryFit:
    """Never-decreasing trajectories through a series' recent values (a synthesis of them).

    A thin wrapper over :func:`attritionsim.synthesize`: the series' values in the ``window``
    days that end on ``end`` are its observations, each read as an exact figure (with the
    synthesis's 2% smallest relative error), and the trajectories are the synthesized paths
    at ``dates``, linear between the synthesis's dates as the paths themselves are. So every
    trajectory is non-decreasing, every rate positive, and the rate's spread is what the
    values and the prior on how the rate changes allow, also for two dated estimates far
    apart. Beyond ``end`` the paths follow the prior's random walk of the log rate.

    Parameters
    ----------
    data : xarray.DataArray or sequence of (date, count)
        A cumulative series on a ``date`` dimension (e.g. the Ukrainian General Staff's daily
        figures), or dated estimates as (date, count) pairs.
    rng : int or numpy.random.Generator
        The seed of the synthesis (a generator gives one integer seed).
    dates : dates, optional
        The dates of the trajectories (increasing, after the synthesis's start, 2022-02-24
        by default); default every day of the window.
    end : date, optional
        The last day used (default the series' last): fitting to an earlier date lets a
        projection be checked against the series itself.
    window : int, default 91
        Days of the series used, ending on ``end``.
    block : int, default 7
        Days between the values of a daily series used (every ``block``-th day back from
        ``end``); dated estimates are all used.
    draws : int, default 1000
        Number of trajectories (at least 100).
    **options
        Passed to :func:`attritionsim.synthesize` (``start``, ``outlier``, ``rate_walk``, ...).

    Returns
    -------
    TrajectoryFit
        Its ``trajectories`` (dims ``draw``, ``date``), each draw's mean daily ``rate`` over
        the window, and the ``synthesis``; ``crossing(threshold)`` reads off crossing dates.

    Raises
    ------
    InputError
        A series that is not on a ``date`` dimension or has NaN or repeated dates, an ``end``
        outside it or without ``window`` days before it, fewer than two values in the window,
        or what :func:`attritionsim.synthesize` refuses.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> from attritionsim.attrition import fit_trajectory
    >>> days = np.arange("2025-01-01", "2025-05-01", dtype="datetime64[D]")
    >>> series = xr.DataArray(900_000 + 1_000.0 * np.arange(days.size), dims="date",
    ...                       coords={"date": days})
    >>> fit = fit_trajectory(series, rng=1, draws=500)
    >>> fit.trajectories.sizes["draw"], fit.trajectories.sizes["date"]
    (500, 92)
    >>> bool((fit.trajectories.diff("date") >= 0).all()), 800 < fit.rate_mean < 1_200
    (True, True)
    """
    seed = rng if isinstance(rng, int) and not isinstance(rng, bool) and rng >= 0 else None
    if seed is None:
        seed = int(as_generator(rng).integers(2**63 - 1))
    window = _validate.positive_int("window", window)
    block = _validate.positive_int("block", block)
    draws = _validate.positive_int("draws", draws)
    days, values = _points(data)
    last = (
        int(days[-1])
        if end is None
        else int(_convert.one_date("end", end).astype("datetime64[D]").astype(np.int64))
    )
    first = last - window
    if not days[0] <= first <= last <= days[-1]:
        span = f"{days[0].astype('datetime64[D]')} to {days[-1].astype('datetime64[D]')}"
        raise InputError(
            f"end={np.int64(last).astype('datetime64[D]')} needs {window} days of the "
            f"series before it; the series runs {span}"
        )
    daily = isinstance(data, xr.DataArray)
    wanted = np.arange(last, first - 1, -block)[::-1] if daily else days
    wanted = wanted[(wanted >= first) & (wanted <= last)]
    if daily:
        wanted = np.union1d(wanted, [first])
    chosen = np.interp(wanted, days, values)
    if wanted.size < 2:
        raise InputError(
            f"window={window} holds {wanted.size} value(s) of the data up to "
            f"{np.int64(last).astype('datetime64[D]')}; fit_trajectory needs two or more"
        )
    when = wanted.astype("datetime64[D]")
    observations = [(day, float(v), f"series-{day}") for day, v in zip(when, chosen, strict=True)]
    if dates is None:
        out_dates = np.arange(first, last + 1).astype("datetime64[D]").astype("datetime64[s]")
    else:
        given = _convert.dates("dates", dates)
        out_dates = np.atleast_1d(
            np.asarray(given.values if isinstance(given, xr.DataArray) else given)
        ).astype("datetime64[s]")
    secs = _convert.seconds(out_dates)
    if np.isnan(secs).any() or (np.diff(secs) <= 0.0).any():
        raise InputError("dates must be increasing, with no NaT")
    extra = [str(out_dates[-1].astype("datetime64[D]"))]
    if out_dates[-1].astype("datetime64[D]") < when[0]:
        extra = []
    syn = synthesize(observations, dates=extra, draws=max(draws, 100), seed=seed, **options)
    knots = _convert.seconds(syn["date"].values)
    if secs[0] < knots[0]:
        raise InputError(
            f"dates start {out_dates[0].astype('datetime64[D]')}, before the synthesis's start "
            f"{syn['date'].values[0].astype('datetime64[D]')}; pass start= earlier"
        )
    cumulative = np.asarray(syn["cumulative"].values, dtype=float)
    position = np.interp(secs, knots, np.arange(knots.size))
    low = np.clip(np.floor(position).astype(int), 0, knots.size - 1)
    high = np.clip(low + 1, 0, knots.size - 1)
    frac = position - low
    paths = cumulative[:, low] * (1.0 - frac) + cumulative[:, high] * frac
    traj = xr.DataArray(
        paths[:draws],
        dims=("draw", "date"),
        coords={"date": out_dates},
        attrs={
            "long_name": "cumulative count",
            "fitted_to": f"{window} days to {np.int64(last).astype('datetime64[D]')}",
        },
    )
    at = {str(d): i for i, d in enumerate(syn["date"].values.astype("datetime64[D]"))}
    start_day = str(when[0])
    end_day = str(when[-1])
    length = float(wanted[-1] - wanted[0])
    rates = (cumulative[:draws, at[end_day]] - cumulative[:draws, at[start_day]]) / length
    return TrajectoryFit(
        trajectories=traj,
        rate=xr.DataArray(rates, dims=("draw",), attrs={"units": "per day", "long_name": "rate"}),
        rate_mean=float(rates.mean()),
        rate_se=float(rates.std(ddof=1)),
        anchor_date=np.int64(last).astype("datetime64[D]"),
        anchor_count=float(np.interp(last, days, values)),
        window_start=np.int64(first).astype("datetime64[D]"),
        synthesis=syn,
    )
