"""Tests for attritionsim._dates: the package's one home of date conversion."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from hypothesis import given
from hypothesis import strategies as st

import attritionsim.attrition as att
from attritionsim import _dates, expr, plots, scenario
from attritionsim.catalogue import Record, load_catalogue
from attritionsim.errors import InputError
from attritionsim.model import Model

INT64 = np.iinfo(np.int64)
#: Every int64 but NaT's: whole seconds (or days) at any distance.
any_count = st.integers(INT64.min + 1, INT64.max)
#: Offsets a float holds exactly.
exact_seconds = st.integers(-(2**53), 2**53)
#: Seconds in a tick of each linear unit, written out apart from the module's table.
SECONDS_PER_TICK = {
    "W": Fraction(7 * 86_400),
    "D": Fraction(86_400),
    "h": Fraction(3_600),
    "m": Fraction(60),
    "s": Fraction(1),
    **{unit: Fraction(1, 10 ** (3 * k)) for k, unit in enumerate(("ms", "us", "ns"), 1)},
    **{unit: Fraction(1, 10 ** (3 * k)) for k, unit in enumerate(("ps", "fs", "as"), 4)},
}
FINE_UNITS = ("h", "m", "s", "ms", "us", "ns", "ps", "fs", "as")


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970 of a proleptic Gregorian date (the inverse of ymd, written apart)."""
    year -= month <= 2
    era = year // 400
    yoe = year - era * 400
    doy = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    return era * 146_097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719_468


def _numpy_ymd(value: np.datetime64) -> tuple[int, int, int]:
    """citation's former calendar parts, through numpy's month cast (the reference it replaced)."""
    days = np.datetime64(int(value.astype("datetime64[s]").view(np.int64)) // 86_400, "D")
    months = int(days.astype("datetime64[M]").view(np.int64))
    first = np.datetime64(months, "M").astype("datetime64[D]")
    return months // 12 + 1970, months % 12 + 1, int(days.view(np.int64) - first.view(np.int64)) + 1


# --------------------------------------------------------------------------------------------
# seconds, round trips, NaT, far dates
# --------------------------------------------------------------------------------------------


@given(st.lists(exact_seconds, min_size=1, max_size=20), st.lists(st.booleans(), min_size=20))
def test_seconds_round_trip_with_nat(secs: list[int], nat: list[bool]) -> None:
    when = np.array(secs, dtype=np.int64).view("datetime64[s]").copy()
    when[np.array(nat[: len(secs)])] = _dates.NAT
    floats = _dates.seconds(when)
    assert np.array_equal(np.isnan(floats), np.isnat(when))
    np.testing.assert_array_equal(_dates.to_dates(floats), when)
    whole = _dates.whole_seconds(when)
    np.testing.assert_array_equal(whole[~np.isnat(when)], np.array(secs)[~np.isnat(when)])
    assert (whole[np.isnat(when)] == _dates.NAT_CODE).all()


@given(any_count)
def test_whole_seconds_are_exact_at_any_distance(count: int) -> None:
    stamp = np.datetime64(count, "s")
    assert int(_dates.whole_seconds(stamp)) == count
    assert _dates.from_seconds(count) == stamp
    floats = _dates.seconds(np.array([stamp]))
    assert floats[0] == float(count)
    back = _dates.to_dates(floats)[0]
    if abs(floats[0]) <= _dates.MAX_SECONDS:
        assert abs(int(back.view(np.int64)) - count) <= 2**10  # a float's rounding at 9e18
    else:
        assert np.isnat(back)


def test_to_dates_marks_what_does_not_fit_as_nat() -> None:
    out = _dates.to_dates(np.array([1e19, -1e19, np.inf, -np.inf, np.nan, 0.5, -0.5, 86_400.6]))
    expected = ["NaT"] * 5 + ["1970-01-01", "1970-01-01", "1970-01-02T00:00:01"]
    np.testing.assert_array_equal(out, np.array(expected, dtype="datetime64[s]"))


def test_whole_seconds_of_days_and_text() -> None:
    days = np.array(["1969-12-31", "100000-01-01", "NaT"], dtype="datetime64[D]")
    np.testing.assert_array_equal(
        _dates.whole_seconds(days), [-86_400, 3_093_527_980_800, _dates.NAT_CODE]
    )
    assert int(_dates.whole_seconds("1970-01-01T00:01:00")) == 60


# --------------------------------------------------------------------------------------------
# days
# --------------------------------------------------------------------------------------------


def test_days_of_time_differences() -> None:
    delta = np.array(["2025-06-02T12:00", "NaT"], dtype="datetime64[m]") - np.datetime64(
        "2025-06-01", "D"
    )
    out = _dates.days(delta)
    assert out[0] == 1.5
    assert np.isnan(out[1])
    assert _dates.days(np.datetime64("2025-06-01", "D") - _dates.EPOCH) == 20_240.0


@pytest.mark.parametrize("unit", ["Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns"])
def test_days_since_matches_exact_arithmetic(unit: str) -> None:
    ticks = np.array([-(10**12), -1, 0, 1, 7, 10**12 + 3], dtype=np.int64)
    if unit in ("Y", "M"):
        ticks = ticks[np.abs(ticks) < 10**6]
    when = ticks.view(f"datetime64[{unit}]")
    origin = 86_400 * 3 + 17
    if unit in ("Y", "M"):  # calendar units: through their days
        secs = [Fraction(int(d) * 86_400) for d in when.astype("datetime64[D]").view(np.int64)]
    else:
        secs = [int(t) * SECONDS_PER_TICK[unit] for t in ticks]
    expected = [float((s - origin) / 86_400) for s in secs]
    np.testing.assert_allclose(_dates.days_since(when, origin), expected, rtol=1e-15, atol=1e-11)


def test_days_since_nat_far_dates_and_text() -> None:
    when = np.array(["NaT", "100000-01-01", "-5000-01-01"], dtype="datetime64[D]")
    out = _dates.days_since(when, 0)
    assert np.isnan(out[0])
    assert out[1] == 3_093_527_980_800 / 86_400
    assert out[2] == float(_days_from_civil(-5000, 1, 1))
    # not datetime64: read as nanoseconds
    assert _dates.days_since(np.array(["1970-01-02T06:00"]), 0)[0] == 1.25


def test_day_at_floors() -> None:
    assert _dates.day_at(-0.25) == np.datetime64("1969-12-31")
    assert _dates.day_at(0.0) == np.datetime64("1970-01-01")
    assert _dates.day_at(365.999) == np.datetime64("1971-01-01")


# --------------------------------------------------------------------------------------------
# the day and its calendar parts, at any distance
# --------------------------------------------------------------------------------------------


@given(any_count, st.sampled_from(FINE_UNITS), st.sampled_from([1, 3]))
def test_day_is_the_floor_at_any_distance(ticks: int, unit: str, count: int) -> None:
    value = np.datetime64(ticks, f"{count}{unit}")
    expected = math.floor(ticks * count * SECONDS_PER_TICK[unit] / 86_400)
    assert int(_dates.day(value).view(np.int64)) == expected


def test_day_is_right_where_numpys_cast_is_not() -> None:
    bottom = np.datetime64(INT64.min + 1, "s")
    assert bottom.astype("datetime64[D]") == np.datetime64("292277026596-12-03")  # numpy
    assert _dates.day(bottom) == np.datetime64("-292277022657-01-27")
    assert _dates.ymd(bottom) == (-292_277_022_657, 1, 27)


def test_day_of_dates_datetimes_nat_and_coarse_units() -> None:
    assert _dates.day(dt.date(2025, 6, 1)) == np.datetime64("2025-06-01")
    assert _dates.day(dt.datetime(2025, 6, 1, 23, 59)) == np.datetime64("2025-06-01")
    assert np.isnat(_dates.day(np.datetime64("NaT", "s")))
    assert np.isnat(_dates.day(np.datetime64("NaT")))
    assert _dates.day(np.datetime64("2025-06", "M")) == np.datetime64("2025-06-01")
    assert _dates.day(np.datetime64("1969-12-31T23:59:59.999", "ms")) == np.datetime64("1969-12-31")
    assert str(_dates.day(np.datetime64("2025-06-01T12", "h"))) == "2025-06-01"


@given(any_count)
def test_ymd_inverts_the_day_count_at_any_distance(count: int) -> None:
    year, month, day = _dates.ymd(np.datetime64(count, "D"))
    assert 1 <= month <= 12
    assert 1 <= day <= 31
    assert _days_from_civil(year, month, day) == count


@given(any_count)
def test_ymd_is_citations_former_numpy_calendar(count: int) -> None:
    stamp = np.datetime64(count, "s")
    assert _dates.ymd(stamp) == _numpy_ymd(stamp)


@given(st.dates(), st.times())
def test_ymd_and_iso_day_agree_with_datetime(date: dt.date, time: dt.time) -> None:
    moment = dt.datetime.combine(date, time)
    stamp = np.datetime64(moment, "us")
    assert _dates.ymd(stamp) == (date.year, date.month, date.day)
    assert _dates.iso_day(stamp) == date.isoformat()
    assert _dates.iso_day(moment) == _dates.iso_day(date) == date.isoformat()


@given(any_count)
def test_iso_day_is_numpys_day_text(count: int) -> None:
    stamp = np.datetime64(count, "s")
    assert _dates.iso_day(stamp) == np.datetime_as_string(stamp, unit="D")


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("1970-01-01", (1970, 1, 1)),
        ("2024-02-29", (2024, 2, 29)),
        ("0000-02-29", (0, 2, 29)),  # year 0 is a leap year (proleptic Gregorian)
        ("-001-12-31", (-1, 12, 31)),  # numpy's text for the year -1
        ("100000-03-01", (100_000, 3, 1)),
    ],
)
def test_ymd_known_dates(text: str, parts: tuple[int, int, int]) -> None:
    assert _dates.ymd(np.datetime64(text, "D")) == parts
    assert _dates.iso_day(np.datetime64(text, "D")) == text


def test_iso_day_of_nat() -> None:
    assert _dates.iso_day(np.datetime64("NaT", "s")) == "NaT"


# --------------------------------------------------------------------------------------------
# parsing
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "looks", "day", "date", "strict"),
    [
        ("2025-06-01", True, "2025-06-01", dt.date(2025, 6, 1), dt.date(2025, 6, 1)),
        ("2025-02-30", True, None, None, None),
        ("0000-01-01", True, "0000-01-01", None, None),  # numpy has a year 0, datetime not
        ("20250601", False, None, dt.date(2025, 6, 1), None),
        ("2025-W23-1", False, None, dt.date(2025, 6, 2), None),
        ("2025-6-1", False, None, None, None),
        ("2025-06-01T12:00", False, None, None, None),
        (" 2025-06-01", False, None, None, None),
        ("٢٠٢٥-٠٦-٠١", True, None, None, None),  # \d takes Arabic-Indic digits; no parser does
        ("", False, None, None, None),
    ],
)
def test_parsing(
    text: str, looks: bool, day: str | None, date: dt.date | None, strict: dt.date | None
) -> None:
    assert _dates.looks_like_day(text) is looks
    parsed = _dates.parse_day(text)
    assert (None if parsed is None else str(parsed)) == day
    assert parsed is None or parsed.dtype == np.dtype("datetime64[D]")
    assert _dates.parse_date(text) == date
    assert _dates.parse_date(text, strict=True) == strict


def test_plain_dates() -> None:
    assert _dates.is_plain_date(dt.date(2025, 6, 1))
    assert not _dates.is_plain_date(dt.datetime(2025, 6, 1))
    assert not _dates.is_plain_date("2025-06-01")
    assert not _dates.is_plain_date(np.datetime64("2025-06-01"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-06-01", "2025-06-01"),
        ("2025-06-01T06:00", "2025-06-01T06:00"),
        (dt.date(2025, 6, 1), "2025-06-01"),
        (np.datetime64("2025-06-01", "s"), "2025-06-01T00:00:00"),
        ("soon", "NaT"),
        (None, "NaT"),
        (3.5, "NaT"),
        ("NaT", "NaT"),
    ],
)
def test_to_datetime64(value: object, expected: str) -> None:
    assert str(_dates.to_datetime64(value)) == expected


def test_stamps() -> None:
    out = _dates.stamps(["2025-06-01", dt.date(2025, 6, 2), "NaT"])
    assert out is not None
    np.testing.assert_array_equal(
        out, np.array(["2025-06-01", "2025-06-02", "NaT"], dtype="datetime64[s]")
    )
    assert _dates.stamps("2025-06-01", unit="D") == np.datetime64("2025-06-01")
    for bad in (5, 2.5, np.ones(3), "2025-02-30", "soon", [1, "x"]):
        assert _dates.stamps(bad) is None, bad
    assert np.isnat(_dates.stamps(None))  # as numpy reads it: no date


def test_day_array() -> None:
    out = _dates.day_array([dt.date(2025, 6, 1), None, "2025-06-03"], unit="ns")
    assert out.dtype == np.dtype("datetime64[ns]")
    np.testing.assert_array_equal(
        out, np.array(["2025-06-01", "NaT", "2025-06-03"], dtype="datetime64[ns]")
    )
    assert _dates.day_array([]).dtype == np.dtype("datetime64[D]")
    with pytest.raises(ValueError, match="Month out of range"):  # numpy's own error
        _dates.day_array(["2025-13-01"])


# --------------------------------------------------------------------------------------------
# errors: each caller keeps its own message
# --------------------------------------------------------------------------------------------


def _scenario_with_date_bound() -> None:
    scenario.parse_scenario('[inputs]\nx = { range = ["2025-06-01", 3] }\n')


def _bundled_query() -> None:
    load_catalogue().query(since="2025-13-01")


def _record_with_text_date() -> None:
    Record(
        id="me-2025-06-russia-killed",
        publisher="Me",
        as_of="2025-06-30",  # type: ignore[arg-type]
        side="russia",
        measure="killed",
        value=1.0,
        units="people",
        qualifier="up_to",
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: Model(inputs={"x": "2025-02-30"}),
            "input 'x': '2025-02-30' is neither a number nor an ISO date (YYYY-MM-DD)",
        ),
        (
            lambda: Model(inputs={"x": "0000-01-01"}),
            "input 'x': '0000-01-01' is neither a number nor an ISO date (YYYY-MM-DD)",
        ),
        (lambda: Model(inputs={"x": np.datetime64("NaT")}), "input 'x' is NaT; give a date"),
        (_bundled_query, "since must be a date or a YYYY-MM-DD string; got '2025-13-01'"),
        (_record_with_text_date, "as_of must be a date (YYYY-MM-DD); got '2025-06-30'"),
        (
            lambda: plots.shown_window(
                xr.DataArray(np.arange(3.0), dims="draw"), quoted={"a": "soon"}
            ),
            "quoted['a'] must be a date such as '2025-06-30'; got 'soon'",
        ),
        (
            lambda: expr.parse("'2025-02-30' - start"),
            "expression: string \"'2025-02-30'\" is not allowed in \"'2025-02-30' - start\"; "
            "it is not a day of the calendar",  # the form of a date, but no such day
        ),
        (
            _scenario_with_date_bound,
            "<scenario>:2: inputs.x.range must be a number; got the date '2025-06-01'",
        ),
        (
            lambda: att.crossing_date(1.0, 1.0, 2.0, "2025-02-30"),
            "start must be dates ('YYYY-MM-DD' strings, datetime.date or numpy.datetime64); "
            "got '2025-02-30'",
        ),
    ],
)
def test_callers_keep_their_messages(call: Callable[[], object], message: str) -> None:
    with pytest.raises(InputError) as info:
        call()
    assert str(info.value) == message


def test_catalogue_files_take_only_the_strict_form(tmp_path: Path) -> None:
    header = "id,publisher,as_of,side,measure,value,units,qualifier"
    path = tmp_path / "mine.csv"
    path.write_text(
        f"{header}\nme-2025-06-russia-killed,Me,20250630,russia,killed,1,people,up_to\n"
    )
    with pytest.raises(InputError) as info:
        load_catalogue(path)
    assert str(info.value).endswith("as_of='20250630' is not a valid date; write YYYY-MM-DD")
    path.write_text(
        f"{header}\nme-2025-06-russia-killed,Me, 2025-06-30 ,russia,killed,1,people,up_to\n"
    )
    [record] = [rec for rec in load_catalogue(path) if rec.publisher == "Me"]
    assert record.as_of == dt.date(2025, 6, 30)


def test_model_dates_are_days() -> None:
    model = Model(
        inputs={
            "a": "2025-06-01",
            "b": "20250602",
            "c": dt.datetime(2025, 6, 3, 23),
            "d": np.datetime64("2025-06-04T23:59:59", "s"),
        }
    )
    assert [str(model.constants[k]) for k in "abcd"] == [
        "2025-06-01",
        "2025-06-02",
        "2025-06-03",
        "2025-06-04",
    ]
    assert all(model.constants[k].dtype == np.dtype("datetime64[D]") for k in "abcd")
    assert math.isclose(float(model.constants["a"].view(np.int64)), 20_240.0)
