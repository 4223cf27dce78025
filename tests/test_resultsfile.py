"""Tests for attritionsim.resultsfile: results files read back exactly, at any distance."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from attritionsim import cli
from attritionsim.errors import InputError
from attritionsim.resultsfile import NAT_CODE, read_results, write_results
from attritionsim.scenario import load_scenario

_ATTRS = {"seed": 7, "draws": 4, "method": "mc", "attritionsim_version": "0.1.0", "level": 0.9}
_FAR = np.array(
    [
        "2025-06-01T12:34:56",
        "-100000-01-01",  # 100,000 years back
        "100001970-01-01",  # 10**8 years on
        "NaT",
    ],
    dtype="datetime64[s]",
)


def _same_bits(a: xr.Dataset, b: xr.Dataset) -> None:
    xr.testing.assert_identical(a, b)
    for name in a.variables:
        assert a[name].dtype == b[name].dtype, name
        assert a[name].values.tobytes() == b[name].values.tobytes(), name


def test_dates_at_any_distance_read_back_bit_for_bit(tmp_path: Path) -> None:
    ends = np.array([np.iinfo(np.int64).max, NAT_CODE + 1], dtype=np.int64).view("M8[s]")
    ds = xr.Dataset(
        {
            "when": ("draw", _FAR, {"long_name": "date of 1,000,000"}),
            "ends": ("draw", np.concatenate([ends, ends])),
            "x": ("draw", np.array([1.5, np.inf, -np.inf, np.nan])),
            "flag": ("draw", np.array([True, False, True, False])),
            "n": ("draw", np.array([1, -(2**62), 2**62, 0], dtype=np.int64)),
            "constant": ((), 5.0, {"kind": "constant"}),
            "start": ((), np.datetime64("2025-06-01", "D"), {"kind": "constant"}),
        },
        attrs=_ATTRS,
    )
    path = write_results(ds, tmp_path / "results.nc")
    back = read_results(path)
    _same_bits(back, ds)
    assert str(back["when"].values[2]) == "100001970-01-01T00:00:00"
    assert np.isnat(back["when"].values[3])


@given(
    seconds=hnp.arrays(np.int64, st.integers(1, 20)),
    floats=st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=5),
    # netCDF strings are C strings: no NUL (write_report never writes one)
    title=st.text(
        st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=20
    ),
)
@settings(max_examples=30)
def test_round_trip_of_any_int64_seconds(
    tmp_path_factory: pytest.TempPathFactory, seconds: np.ndarray, floats: list[float], title: str
) -> None:
    n = seconds.size
    ds = xr.Dataset(
        {
            "when": ("draw", seconds.view("datetime64[s]")),  # int64 min is NaT
            "x": ("draw", np.resize(np.array(floats), n)),
            "b": ("draw", seconds % 2 == 0),
            "i": ("draw", seconds),
        },
        attrs={**_ATTRS, "draws": n, "title": title},
    )
    path = tmp_path_factory.mktemp("rt") / "results.nc"
    _same_bits(read_results(write_results(ds, path)), ds)


def test_the_file_is_plain_cf_for_other_tools(tmp_path: Path) -> None:
    ds = xr.Dataset({"when": ("draw", _FAR[:1])}, attrs={**_ATTRS, "draws": 1})
    write_results(ds, tmp_path / "r.nc")
    with xr.open_dataset(tmp_path / "r.nc", decode_times=False, mask_and_scale=False) as raw:
        var = raw["when"]
        assert var.dtype == np.int64
        assert var.attrs["units"] == "seconds since 1970-01-01"
        assert var.attrs["calendar"] == "proleptic_gregorian"
        assert int(var.values[0]) == int(_FAR[0].view(np.int64))


def test_a_date_variable_with_units_is_refused(tmp_path: Path) -> None:
    ds = xr.Dataset({"when": ("draw", _FAR, {"units": "days"})}, attrs=_ATTRS)
    with pytest.raises(InputError, match=r"^ds\['when'\] holds dates, so it cannot carry the attr"):
        write_results(ds, tmp_path / "r.nc")


def _bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    empty = tmp_path / "empty.nc"
    empty.write_bytes(b"")
    text = tmp_path / "text.nc"
    text.write_text("draw,x\n1,2\n", encoding="utf-8")
    noise = tmp_path / "noise.nc"
    noise.write_bytes(np.random.default_rng(0).bytes(4096))
    plain = tmp_path / "plain.nc"
    xr.Dataset({"a": ("x", [1.0])}).to_netcdf(plain)
    level = tmp_path / "level.nc"
    xr.Dataset({"a": ("draw", [1.0])}, attrs={**_ATTRS, "draws": 1, "level": "high"}).to_netcdf(
        level
    )
    draws = tmp_path / "draws.nc"
    xr.Dataset({"a": ("draw", [1.0])}, attrs={**_ATTRS, "draws": np.array([1.0, 2.0])}).to_netcdf(
        draws
    )
    seed = tmp_path / "seed.nc"
    xr.Dataset({"a": ("draw", [1.0])}, attrs={**_ATTRS, "draws": 1, "seed": -3}).to_netcdf(seed)
    return {
        "empty": (empty, "not a netCDF file ([Errno -51] NetCDF: Unknown file format"),
        "text": (text, "not a netCDF file"),
        "noise": (noise, "not a netCDF file"),
        "plain": (plain, "not an attritionsim results file (no 'attritionsim_version' attr)"),
        "level": (level, "attr 'level' must be a number in (0, 1); got 'high'"),
        "draws": (
            draws,
            "attr 'draws' must be an integer equal to the number of draws, 1; "
            "got the array [1.0, 2.0]",
        ),
        "seed": (seed, "attr 'seed' must be a non-negative integer; got -3"),
        "folder": (tmp_path, "is not a file"),
        "missing": (tmp_path / "nope.nc", "not found"),
    }


@pytest.mark.parametrize(
    "which", ["empty", "text", "noise", "plain", "level", "draws", "seed", "folder", "missing"]
)
def test_what_is_not_a_results_file_is_one_line(tmp_path: Path, which: str) -> None:
    path, fragment = _bad_files(tmp_path)[which]
    with pytest.raises(InputError) as info:
        read_results(path)
    message = str(info.value)
    assert message.startswith(f"results file {str(path)!r}")
    assert fragment in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "which", ["empty", "text", "noise", "plain", "level", "draws", "seed", "folder", "missing"]
)
def test_summarize_of_a_bad_file_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], which: str
) -> None:
    path, fragment = _bad_files(tmp_path)[which]
    assert cli.main(["summarize", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"attritionsim: error: results file {str(path)!r}")
    assert fragment in lines[0]


# ------------------------------------------------------------------------------ end to end
_SCENARIO = """\
[scenario]
title = "{title}"
draws = 2000
seed  = 11
level = 0.9

[inputs.count]
range  = [900_000, 1_000_000]
family = "lognormal"
units  = "people"

[inputs.rate]
{rate}
units  = "people/day"

[derived]
when = "crossing_date(count, rate, 1_000_000, '2025-06-01')"

[report]
headline = ["when", "rate"]
"""
_RATES = {
    "spanning_zero": 'range = [-50, 100]\nfamily = "normal"',  # NaT, and dates centuries away
    "near_zero": 'range = [1e-6, 2e-6]\nfamily = "lognormal"',  # dates ~ 10**8 years on
}


@pytest.mark.parametrize("rate", sorted(_RATES))
def test_far_crossing_dates_run_read_back_and_summarize(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rate: str
) -> None:
    path = tmp_path / "scenario.toml"
    path.write_text(_SCENARIO.format(title=rate, rate=_RATES[rate]), encoding="utf-8")
    out = tmp_path / "rep"
    assert cli.main(["run", str(path), "--draws", "2000", "--out", str(out), "--quiet"]) == 0
    captured = capsys.readouterr()
    # no warnings (and filterwarnings=error would have raised) but the rate's invalid draws:
    # a rate below zero, left out of its figures and said so
    # and, as the cold test of issue 13 asked, the crossing date that 28.7% of draws never
    # reach (more than the interval's upper 5%: its upper end is "never")
    expected = (
        "attritionsim: warning: when (when): 28.7% of draws never reach it (no date: a rate "
        "that is not positive, or an input without a valid value); the dates given are of the "
        "other draws and 'never'\n"
        "attritionsim: warning: rate (rate): 29.4% of draws below 0 (a negative count, rate or "
        "ratio: a difference of figures whose ranges overlap, or an input whose distribution "
        "reaches below zero); the figures are of the other 70.6%\n"
    )
    assert captured.err == (expected if rate == "spanning_zero" else "")
    expected = load_scenario(path).run(draws=2000)
    back = read_results(out / "results.nc")
    for name in expected.data_vars:
        assert back[name].dtype == expected[name].dtype
        assert back[name].values.tobytes() == expected[name].values.tobytes(), name
    years = back["when"].values.astype("datetime64[Y]").view(np.int64) + 1970
    if rate == "near_zero":
        assert years.max() > 10**7  # far beyond matplotlib's year 9999 ...
    else:
        # never-crossed draws, and dates past 2262, where nanoseconds end
        assert np.isnat(back["when"].values).any() and years[years > 0].max() > 2262
    assert cli.main(["summarize", str(out / "results.nc"), "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    summary = json.loads(captured.out)
    when = summary["quantities"]["when"]
    share = float(np.isnat(expected["when"].values).mean())
    assert when.get("never", 0.0) == share  # never-crossed draws are a share, not dropped
    report = (out / "report.md").read_text(encoding="utf-8")
    caption = next(line for line in report.splitlines() if "probability of having passed" in line)
    assert "of draws fall outside the axis" in caption  # ... and the caption says so
