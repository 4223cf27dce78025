"""Rates and dates per draw: the rate two dated counts imply, and when a threshold is crossed.

:func:`crossing_date` returns ``datetime64[s]`` per draw, NaT where there is no date: a count
below the threshold with a rate that is not positive (it never gets there), a count above the
threshold with a rate that is not positive (crossed at some unknown earlier date), a NaN input,
or a date outside what ``datetime64[s]`` can hold. :func:`undated` flags them, so the share of
draws with no crossing date can be reported next to the interval of those with one. Given a
trajectory (a ``date`` dimension, e.g. a synthesis's ``cumulative``), :func:`crossing_date`
reads the date off each path instead (:func:`attritionsim.synthesis.path_crossing_date`).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from ..errors import InputError
from ..synthesis import path_crossing_date
from . import _convert, _kernels
from ._convert import Dates, Draws, Values

__all__ = ["crossing_date", "implied_rate", "prob_crossed_by", "undated"]


def implied_rate(count_a: Draws, date_a: Dates, count_b: Draws, date_b: Dates) -> Values:
    """The average rate per day between two dated cumulative counts.

    ``(count_b - count_a) / days(date_b - date_a)``, with the days counted to the second.

    Parameters
    ----------
    count_a, count_b : array_like or DataArray
        The counts (draws or constants).
    date_a, date_b : date or array of dates or DataArray
        Their dates: ISO strings, :class:`datetime.date` or ``numpy.datetime64``.

    Returns
    -------
    numpy.ndarray or numpy.float64 or DataArray
        Per day; negative when the later count is lower.

    Raises
    ------
    InputError
        If the dates are the same (for any draw), or an argument has the wrong kind.

    Examples
    --------
    >>> from attritionsim.attrition import implied_rate
    >>> float(implied_rate(790_000, "2025-03-01", 900_000, "2025-06-09"))
    1100.0
    """
    return _convert.apply(
        _kernels.implied_rate,
        _convert.numbers("count_a", count_a),
        _convert.dates("date_a", date_a),
        _convert.numbers("count_b", count_b),
        _convert.dates("date_b", date_b),
    )


def crossing_date(
    count: Draws,
    rate: Draws | None = None,
    threshold: Draws | None = None,
    start: Dates | None = None,
) -> Values:
    """The date a cumulative count crosses ``threshold``, growing at ``rate`` a day.

    The count stood at ``count`` on ``start``; it reaches ``threshold`` on
    ``start + (threshold - count) / rate`` days, computed to the second. A count already past
    the threshold has crossed: with a positive rate, on the earlier date the rate implies (a
    negative offset); with a rate that is not positive, the date is ``start`` itself, meaning
    "by ``start``" (at or before it; the rate cannot say when). So "already crossed" is never
    read as "never": NaT means the count is below the threshold and not growing.

    **On a trajectory.** ``crossing_date(paths, threshold)``, with ``paths`` a DataArray that
    has a ``date`` dimension (e.g. ``synthesize(...)["cumulative"]``), is
    :func:`attritionsim.synthesis.path_crossing_date`: the date each path first reaches the
    threshold, interpolated within its segment, NaT where a path has not reached it by its
    last date (censored: "not by <last date>", counted in ``attrs["censored"]``; never
    "already crossed"). There the second argument is the threshold, and ``start`` is not given.

    Parameters
    ----------
    count : array_like or DataArray
        The count on ``start`` (draws or a constant); or paths with a ``date`` dimension.
    rate : array_like or DataArray
        The growth per day (draws or a constant); for paths, the threshold.
    threshold : array_like or DataArray
        The level to cross, e.g. ``1_000_000`` (needed unless ``count`` is paths).
    start : date or array of dates or DataArray
        The date of ``count``: an ISO string, :class:`datetime.date` or ``numpy.datetime64``
        (needed unless ``count`` is paths).

    Returns
    -------
    numpy.ndarray or numpy.datetime64 or DataArray
        ``datetime64[s]`` per draw. NaT where the rate is not positive and the count is below
        the threshold (at or past it: ``start``), where an input is NaN or NaT, and where the
        date would fall outside the range of ``datetime64[s]``. Count them with
        :func:`undated`. For paths, a DataArray over their other dims (``draw``).

    Raises
    ------
    InputError
        A missing ``threshold`` or ``start`` for counts, a ``start`` (or both a rate and a
        threshold) given with paths, or what the arguments' checks find.

    Examples
    --------
    >>> import numpy as np
    >>> from attritionsim.attrition import crossing_date
    >>> crossing_date(950_000, 1_000, 1_000_000, "2025-06-01")
    np.datetime64('2025-07-21T00:00:00')
    >>> crossing_date(np.array([1_010_000.0, 950_000.0, 950_000.0]),
    ...               np.array([1_000.0, 0.0, -5.0]), 1_000_000, "2025-06-01")
    array(['2025-05-22T00:00:00', 'NaT', 'NaT'], dtype='datetime64[s]')
    >>> crossing_date(1_050_000, -10.0, 1_000_000, "2025-06-01")   # crossed by then
    np.datetime64('2025-06-01T00:00:00')
    >>> import xarray as xr
    >>> paths = xr.DataArray([[0.0, 900_000.0, 1_100_000.0], [0.0, 800_000.0, 900_000.0]],
    ...                      dims=("draw", "date"),
    ...                      coords={"date": np.array(["2022-02-24", "2025-01-01", "2025-03-01"],
    ...                                               dtype="datetime64[ns]")})
    >>> crossing_date(paths, 1_000_000).values
    array(['2025-01-30T12:00:00', 'NaT'], dtype='datetime64[s]')
    """
    if isinstance(count, xr.DataArray) and "date" in count.dims:
        if start is not None or (threshold is not None and rate is not None):
            raise InputError(
                "crossing_date on paths (a DataArray with a 'date' dimension) takes "
                "(paths, threshold); the start and the rate come from the paths themselves"
            )
        level = threshold if threshold is not None else rate
        if isinstance(level, xr.DataArray | np.ndarray):
            level = float(level) if np.size(level) == 1 else level
        return path_crossing_date(count, level)  # type: ignore[arg-type]
    if threshold is None or start is None:
        missing = "threshold" if threshold is None else "start"
        raise InputError(
            f"crossing_date(count, rate, threshold, start) needs {missing}; only paths (a "
            "DataArray with a 'date' dimension) take crossing_date(paths, threshold)"
        )
    return _convert.apply(
        _kernels.crossing,
        _convert.numbers("count", count),
        _convert.numbers("rate", rate),
        _convert.numbers("threshold", threshold),
        _convert.dates("start", start),
    )


def undated(dates: Dates) -> Values:
    """True for the draws with no date (NaT); its mean is the share of draws with no date.

    For :func:`crossing_date` these are the draws in which the threshold is never reached at
    the sampled rate (or whose crossing cannot be dated; see there).

    Examples
    --------
    >>> import numpy as np
    >>> from attritionsim.attrition import undated
    >>> undated(np.array(["2025-07-21", "NaT"], dtype="datetime64[s]"))
    array([False,  True])
    """
    return _convert.apply(_kernels.undated, _convert.dates("dates", dates))


def prob_crossed_by(dates: Dates, day: Dates) -> Values:
    """The event "crossed on or before ``day``" per draw (NaT counts as not crossed).

    Its mean over draws is the probability that the threshold is crossed by ``day``.

    Examples
    --------
    >>> import numpy as np
    >>> from attritionsim.attrition import prob_crossed_by
    >>> dates = np.array(["2025-05-01", "2025-07-21", "NaT"], dtype="datetime64[s]")
    >>> prob_crossed_by(dates, "2025-07-21")
    array([ True,  True, False])
    """
    return _convert.apply(
        _kernels.crossed_by, _convert.dates("dates", dates), _convert.dates("day", day)
    )
