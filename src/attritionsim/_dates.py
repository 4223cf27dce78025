"""Date conversion for the whole package, in one place: parsing, seconds, days, calendar, text.

numpy only. Dates are ``numpy.datetime64`` at any resolution and any distance: whole-second
``datetime64[s]`` spans about 2.9e11 years either side of 1970, far beyond ``datetime.date``
(years 1 to 9999) and ``datetime64[ns]`` (years 1678 to 2262), so every conversion here works
on the integer counts rather than through those types. ``NaT`` ("no date", "never") is carried
through: as ``NaN`` in float seconds or days, as :data:`NAT_CODE` in integer seconds.

Parsing comes in the forms the package's inputs need: :func:`looks_like_day` and
:func:`parse_day` for the strict ``YYYY-MM-DD`` text of expressions and scenario files,
:func:`parse_date` for ``datetime.date`` (the catalogue, model constants), :func:`stamps` and
:func:`to_datetime64` for whatever numpy reads as a date.

The names here are public inside this private module; every module that converts dates uses them.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from typing import Any, cast

import numpy as np
import numpy.typing as npt

__all__ = [
    "EPOCH",
    "MAX_SECONDS",
    "NAT",
    "NAT_CODE",
    "SECONDS_PER_DAY",
    "day",
    "day_array",
    "day_at",
    "days",
    "days_since",
    "from_seconds",
    "is_plain_date",
    "iso_day",
    "looks_like_day",
    "parse_date",
    "parse_day",
    "seconds",
    "stamps",
    "to_dates",
    "to_datetime64",
    "whole_seconds",
    "ymd",
]

#: Seconds in a day (an int, exact in integer and float arithmetic alike).
SECONDS_PER_DAY = 86_400
#: Offsets beyond this many seconds from 1970 do not fit datetime64[s] (int64 ends at 9.22e18).
MAX_SECONDS = 9.2e18
#: The int64 that stands for ``NaT`` (numpy's own bits for it, at every resolution).
NAT_CODE = int(np.iinfo(np.int64).min)
#: The missing date, at whole-second resolution.
NAT = np.datetime64("NaT", "s")
#: 1970-01-01, the origin of every count here, at whole-second resolution.
EPOCH = np.datetime64("1970-01-01", "s")

#: The text of a day as scenario files and expressions write it (``\d``: as :mod:`re` reads it).
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
#: Ticks per day of the resolutions finer than a day (exact integers, attoseconds too).
_TICKS_PER_DAY = {
    "h": 24,
    "m": 24 * 60,
    "s": SECONDS_PER_DAY,
    "ms": SECONDS_PER_DAY * 10**3,
    "us": SECONDS_PER_DAY * 10**6,
    "ns": SECONDS_PER_DAY * 10**9,
    "ps": SECONDS_PER_DAY * 10**12,
    "fs": SECONDS_PER_DAY * 10**15,
    "as": SECONDS_PER_DAY * 10**18,
}


# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------


def looks_like_day(text: str) -> bool:
    """Whether ``text`` has the form ``YYYY-MM-DD`` (the form, not yet a valid day).

    >>> looks_like_day("2025-06-01"), looks_like_day("2025-6-1"), looks_like_day("20250601")
    (True, False, False)
    """
    return _ISO_DAY.fullmatch(text) is not None


def parse_day(text: str) -> np.datetime64 | None:
    """A ``YYYY-MM-DD`` day as ``datetime64[D]`` (years 0000 to 9999), or ``None``.

    >>> parse_day("2025-06-01"), parse_day("2025-02-30"), parse_day("2025-06-01T12:00")
    (np.datetime64('2025-06-01'), None, None)
    """
    if not looks_like_day(text):
        return None
    try:
        return np.datetime64(text, "D")
    except ValueError:
        return None


def parse_date(text: str, *, strict: bool = False) -> dt.date | None:
    """An ISO 8601 date as :class:`datetime.date` (years 1 to 9999), or ``None``.

    Parameters
    ----------
    text : str
        The date.
    strict : bool, default False
        Take only the form ``YYYY-MM-DD``; otherwise every form
        :meth:`datetime.date.fromisoformat` takes (``20250601``, ``2025-W23-1`` too).

    >>> parse_date("2025-06-01"), parse_date("20250601"), parse_date("20250601", strict=True)
    (datetime.date(2025, 6, 1), datetime.date(2025, 6, 1), None)
    """
    if strict and not looks_like_day(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def is_plain_date(value: object) -> bool:
    """Whether ``value`` is a :class:`datetime.date` and not a :class:`datetime.datetime`."""
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def to_datetime64(value: object) -> np.datetime64:
    """One date as numpy reads it (ISO text, ``datetime.date``, ``datetime64``); NaT if it cannot.

    >>> to_datetime64("2025-06-01"), np.isnat(to_datetime64("soon"))
    (np.datetime64('2025-06-01'), np.True_)
    """
    try:
        return np.datetime64(value)  # type: ignore[call-overload,no-any-return]
    except (TypeError, ValueError):
        return np.datetime64("NaT")


def stamps(value: object, unit: str = "s") -> npt.NDArray[np.datetime64] | None:
    """Dates (ISO text, ``datetime.date``, ``datetime64``, arrays of them) as ``datetime64[unit]``.

    ``None`` when ``value`` is not dates (numbers, say, or text numpy cannot read as a date).

    >>> stamps(["2025-06-01", "NaT"])
    array(['2025-06-01T00:00:00', 'NaT'], dtype='datetime64[s]')
    >>> stamps(5) is None
    True
    """
    try:
        arr = np.asarray(value)
        if arr.dtype.kind not in "MUO":
            return None
        return arr.astype(f"datetime64[{unit}]")
    except (TypeError, ValueError, OverflowError):
        return None


def day_array(
    values: Iterable[dt.date | str | None], unit: str = "D"
) -> npt.NDArray[np.datetime64]:
    """Days (``datetime.date``, ISO text, ``None`` for NaT) as a ``datetime64[unit]`` array.

    >>> day_array([dt.date(2025, 6, 1), None, "2025-06-03"], unit="s")
    array(['2025-06-01T00:00:00', 'NaT', '2025-06-03T00:00:00'], dtype='datetime64[s]')
    """
    texts = [
        "NaT" if value is None else value.isoformat() if isinstance(value, dt.date) else value
        for value in values
    ]
    return np.array(texts, dtype="datetime64[D]").astype(f"datetime64[{unit}]")


# --------------------------------------------------------------------------------------------
# Seconds since 1970
# --------------------------------------------------------------------------------------------


def whole_seconds(when: Any) -> npt.NDArray[np.int64]:
    """Dates as int64 seconds since 1970 (exact; :data:`NAT_CODE` for NaT).

    >>> whole_seconds(np.array(["1970-01-02", "NaT"], dtype="datetime64[D]"))
    array([                86400, -9223372036854775808])
    """
    return np.asarray(when).astype("datetime64[s]").view(np.int64)


def from_seconds(secs: int) -> np.datetime64:
    """Whole seconds since 1970 as one ``datetime64[s]``."""
    return np.datetime64(secs, "s")


def seconds(when: Any) -> npt.NDArray[np.float64]:
    """Dates as float seconds since 1970 (NaN for NaT).

    >>> seconds(np.array(["1970-01-02", "NaT"], dtype="datetime64[s]"))
    array([86400.,    nan])
    """
    arr = np.asarray(when).astype("datetime64[s]")
    secs = arr.astype(np.int64).astype(np.float64)
    return np.where(np.isnat(arr), np.nan, secs)


def to_dates(secs: npt.NDArray[np.float64]) -> npt.NDArray[np.datetime64]:
    """Float seconds since 1970 as ``datetime64[s]``, rounded to the second; NaT where undefined.

    NaN, infinities and offsets beyond :data:`MAX_SECONDS` become NaT.

    >>> to_dates(np.array([86_400.4, np.nan, 1e19]))
    array(['1970-01-02T00:00:00', 'NaT', 'NaT'], dtype='datetime64[s]')
    """
    bad = ~(np.abs(secs) <= MAX_SECONDS)  # NaN and infinities too
    with np.errstate(invalid="ignore"):
        whole = np.asarray(np.rint(secs)).astype(np.int64)
    out = whole.view("datetime64[s]")
    out[bad] = NAT
    return out


# --------------------------------------------------------------------------------------------
# Days
# --------------------------------------------------------------------------------------------


def days(delta: Any) -> Any:
    """Time differences (``timedelta64``) as float days; NaT becomes NaN.

    >>> days(np.datetime64("2025-06-01") - np.datetime64("2025-05-31T12:00"))
    np.float64(0.5)
    """
    return delta / np.timedelta64(1, "D")


def days_since(values: npt.ArrayLike, origin: int) -> npt.NDArray[np.float64]:
    """Dates as float days after ``origin`` (int seconds since 1970); NaN for NaT.

    Computed from the dates' integer counts, whole seconds first and then the fraction (as
    matplotlib's ``date2num`` does), so dates at any distance and any resolution get their
    number. Values that are not ``datetime64`` are read as ``datetime64[ns]``.

    >>> days_since(np.array(["1970-01-03T12:00", "NaT"], dtype="datetime64[m]"), SECONDS_PER_DAY)
    array([1.5, nan])
    """
    arr = np.asarray(values)
    if arr.dtype.kind != "M":
        arr = arr.astype("datetime64[ns]")
    unit, count = np.datetime_data(arr.dtype)
    if unit in ("Y", "M"):
        arr, unit, count = arr.astype("datetime64[D]"), "D", 1
    ticks = arr.view(np.int64)
    tick = np.array(count, dtype=f"timedelta64[{unit}]")
    per_second = float(np.timedelta64(1, "s") / tick)  # ticks in a second
    start = float(origin)
    if per_second > 1.0:  # whole seconds, then the fraction
        whole = ticks // round(per_second)
        extra = (ticks - whole * round(per_second)) / per_second
        secs = whole.astype(np.float64) - start + extra
    else:
        secs = ticks.astype(np.float64) * (1.0 / per_second) - start
    return np.where(np.isnat(arr), np.nan, secs / SECONDS_PER_DAY)


def day(value: np.datetime64 | dt.date) -> np.datetime64:
    """The day containing ``value``, as ``datetime64[D]`` (NaT for NaT).

    Exact at any distance: numpy's own cast goes wrong next to the ends of int64.
    A :class:`datetime.date` (or ``datetime``) is cast by numpy.

    >>> day(np.datetime64("1969-12-31T18:00")), day(dt.date(2025, 6, 1))
    (np.datetime64('1969-12-31'), np.datetime64('2025-06-01'))
    """
    if isinstance(value, np.datetime64):
        unit, count = np.datetime_data(value.dtype)
        per_day = _TICKS_PER_DAY.get(unit)
        if per_day is not None and not np.isnat(value):
            ticks = int(np.asarray(value).view(np.int64))
            return np.datetime64(ticks * count // per_day, "D")
    return cast(np.datetime64, np.asarray(value).astype("datetime64[D]")[()])


def day_at(count: float) -> np.datetime64:
    """The day containing the instant ``count`` float days after 1970, as ``datetime64[D]``.

    >>> day_at(-0.25)
    np.datetime64('1969-12-31')
    """
    return np.datetime64(math.floor(count), "D")


# --------------------------------------------------------------------------------------------
# Calendar parts and text
# --------------------------------------------------------------------------------------------


def ymd(value: np.datetime64) -> tuple[int, int, int]:
    """Year, month and day of a date at any distance (proleptic Gregorian, with a year 0).

    ``datetime.date`` ends at the year 9999; this works on the day count, exactly.

    >>> ymd(np.datetime64("2025-06-01T23:59")), ymd(np.datetime64("-001-12-31"))
    ((2025, 6, 1), (-1, 12, 31))
    """
    # H. Hinnant's civil_from_days, in Python integers (no overflow at any distance)
    z = int(day(value).view(np.int64)) + 719_468  # days since 0000-03-01
    era = z // 146_097
    doe = z - era * 146_097  # day of the 400-year era, 0 to 146096
    yoe = (doe - doe // 1_460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)  # day of the year from 1 March
    mp = (5 * doy + 2) // 153
    month = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (month <= 2), month, doy - (153 * mp + 2) // 5 + 1


def iso_day(value: np.datetime64 | dt.date) -> str:
    """The day containing ``value`` as ISO text: ``"2025-06-01"`` (``"NaT"`` for NaT).

    Beyond the years 0 to 9999 as numpy writes them: ``"100000-01-01"``, ``"-001-12-31"``.

    >>> iso_day(np.datetime64("2025-06-01T12:00")), iso_day(dt.datetime(2025, 6, 1, 12))
    ('2025-06-01', '2025-06-01')
    """
    if isinstance(value, np.datetime64):
        return str(day(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return value.isoformat()
