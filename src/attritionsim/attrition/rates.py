"""Rates and dates per draw: the rate two dated counts imply, and when a threshold is crossed.

:func:`crossing_date` returns ``datetime64[s]`` per draw, NaT where there is no date: a count
below the threshold with a rate that is not positive (it never gets there), a count above the
threshold with a rate that is not positive (crossed at some unknown earlier date), a NaN input,
or a date outside what ``datetime64[s]`` can hold. :func:`undated` flags them, so the share of
draws with no crossing date can be reported next to the interval of those with one.
"""

from __future__ import annotations

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


def crossing_date(count: Draws, rate: Draws, threshold: Draws, start: Dates) -> Values:
    """The date a cumulative count crosses ``threshold``, growing at ``rate`` a day.

    The count stood at ``count`` on ``start``; it reaches ``threshold`` on
    ``start + (threshold - count) / rate`` days, computed to the second. A count already above
    the threshold gives the earlier date on which it crossed (a negative offset).

    Parameters
    ----------
    count : array_like or DataArray
        The count on ``start`` (draws or a constant).
    rate : array_like or DataArray
        The growth per day (draws or a constant).
    threshold : array_like or DataArray
        The level to cross, e.g. ``1_000_000``.
    start : date or array of dates or DataArray
        The date of ``count``: an ISO string, :class:`datetime.date` or ``numpy.datetime64``.

    Returns
    -------
    numpy.ndarray or numpy.datetime64 or DataArray
        ``datetime64[s]`` per draw. NaT where the rate is not positive (unless the count is
        exactly at the threshold: then ``start``), where an input is NaN or NaT, and where the
        date would fall outside the range of ``datetime64[s]``. Count them with
        :func:`undated`.

    Examples
    --------
    >>> import numpy as np
    >>> from attritionsim.attrition import crossing_date
    >>> crossing_date(950_000, 1_000, 1_000_000, "2025-06-01")
    np.datetime64('2025-07-21T00:00:00')
    >>> crossing_date(np.array([1_010_000.0, 950_000.0, 950_000.0]),
    ...               np.array([1_000.0, 0.0, -5.0]), 1_000_000, "2025-06-01")
    array(['2025-05-22T00:00:00', 'NaT', 'NaT'], dtype='datetime64[s]')
    """
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
