"""Domains and invalid draws: from units or declared, left out of summaries, warned about."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import attritionsim as asim
from attritionsim import cli, summary
from attritionsim.domain import Domain, Invalid, count_invalid, domain_of, domain_of_units
from attritionsim.errors import AttritionWarning, InputError
from attritionsim.report import invalid_note, warnings_section
from attritionsim.scenario import parse_scenario

ABOVE_ONE = (
    "10.0% of draws above 100% (a share above one: the numerator's range exceeds the "
    "denominator's); the figures are of the other 90.0%"
)
BELOW_ZERO = (
    "20.0% of draws below 0 (a negative count, rate or ratio: a difference of figures whose "
    "ranges overlap, or an input whose distribution reaches below zero); the figures are of the "
    "other 80.0%"
)
NAN = (
    "5.0% of draws without a valid value (NaN: an operation without one, such as 0/0 or a "
    "killed count above its casualties); the figures are of the other 95.0%"
)


def draws(values: np.ndarray, units: str = "", **attrs: object) -> xr.DataArray:
    return xr.DataArray(values, dims="draw", attrs={"units": units, **attrs})


def share_above_one() -> xr.DataArray:  # 10% of 1000 draws above one
    return draws(np.r_[np.linspace(0.5, 0.99, 900), np.linspace(1.01, 1.1, 100)], "share")


def rate_below_zero() -> xr.DataArray:  # 20% of 1000 draws below zero
    return draws(np.r_[np.linspace(-50.0, -1.0, 200), np.linspace(0.0, 800.0, 800)], "people/day")


def nan_draws() -> xr.DataArray:  # 5% of 1000 draws NaN, no domain
    return draws(np.r_[np.full(50, np.nan), np.linspace(1.0, 2.0, 950)])


# ------------------------------------------------------------------------------ the domain
@pytest.mark.parametrize(
    ("units", "expected"),
    [
        ("people", Domain(0.0)),
        ("people/day", Domain(0.0)),
        ("people/month", Domain(0.0)),
        ("claims/week", Domain(0.0)),
        ("km2", Domain(0.0)),
        ("m/day", Domain(0.0)),
        ("ratio", Domain(0.0)),
        ("multiple", Domain(0.0)),
        ("share", Domain(0.0, 1.0, share=True)),
        ("", None),
        ("1", None),
        ("probability", None),
        ("days", None),
    ],
)
def test_domain_from_units(units: str, expected: Domain | None) -> None:
    assert domain_of_units(units) == expected


def test_a_declared_domain_wins_over_the_units() -> None:
    assert domain_of({"units": "share", "domain": "[-1.0, 1.0]"}) == Domain(-1.0, 1.0, share=True)
    assert domain_of({"units": "people", "domain": "[null, 5]"}) == Domain(-math.inf, 5.0)
    assert Domain(-1.0, 1.0, share=True).text == "[-100%, 100%]"
    with pytest.raises(
        InputError, match=r"^domain: \[1, 0\] must be \[low, high\] with low < high"
    ):
        Domain(1.0, 0.0)


def test_model_records_a_declared_domain_and_keeps_digests_without_one() -> None:
    inputs = {"x": asim.from_range(1.0, 2.0)}
    plain = asim.Model(inputs, {"y": "x - 1"}, units={"y": "share"})
    declared = asim.Model(inputs, {"y": "x - 1"}, units={"y": "share"}, domains={"y": [0, 0.5]})
    assert "domains" not in plain.to_spec()
    assert plain.digest() != declared.digest()
    assert plain.domain("y") == Domain(0.0, 1.0, share=True)
    assert declared.domain("y") == Domain(0.0, 0.5, share=True)
    ds = asim.simulate(declared, 200, 1)
    assert ds["y"].attrs["domain"] == "[0.0, 0.5]"
    assert "domain" not in asim.simulate(plain, 200, 1)["y"].attrs
    with pytest.raises(InputError, match=r"domains: 'y' must be \[low, high\]"):
        asim.Model(inputs, {"y": "x"}, domains={"y": [0]})
    with pytest.raises(InputError, match="domains: a quantity='z' is not one of"):
        asim.Model(inputs, {"y": "x"}, domains={"z": [0, 1]})


# ------------------------------------------------------------------------------ summarize
@pytest.mark.parametrize(
    ("make", "kind", "share"),
    [(share_above_one, "above", 0.1), (rate_below_zero, "below", 0.2), (nan_draws, "nan", 0.05)],
)
def test_summarize_leaves_invalid_draws_out_and_says_so(
    make: object, kind: str, share: float
) -> None:
    da = make()  # type: ignore[operator]
    entry = asim.summarize(xr.Dataset({"q": da}))["quantities"]["q"]
    assert entry["invalid"] == pytest.approx(share, abs=1e-15)
    assert entry["invalid_draws"] == {kind: entry["invalid"]}
    valid = da.values[~np.isnan(da.values)]
    if kind == "above":
        valid = valid[valid <= 1.0]
        assert entry["domain"] == [0.0, 1.0]
    if kind == "below":
        valid = valid[valid >= 0.0]
        assert entry["domain"] == [0.0, None]
    if kind == "nan":
        assert "domain" not in entry
    # every figure is that of the valid draws, bit for bit
    expected = summary.entry(summary.sample_of(draws(valid, da.attrs["units"])), 0.9)
    assert {k: v for k, v in entry.items() if k not in ("invalid", "invalid_draws", "domain")} == (
        expected
    )


def test_summaries_without_invalid_draws_are_unchanged() -> None:
    rng = np.random.default_rng(3)
    ds = xr.Dataset(
        {
            "share": draws(rng.uniform(0.2, 0.4, 5000), "share"),
            "count": draws(rng.normal(5e5, 1e4, 5000), "people"),
            "free": draws(rng.normal(0.0, 1.0, 5000)),  # negative, but no domain says otherwise
        }
    )
    got = asim.summarize(ds)["quantities"]
    for name in ds.data_vars:
        strict = summary.entry(summary.sample_of(ds[name], str(name)), 0.9)
        assert json.dumps(got[name]) == json.dumps(strict), name
        assert "invalid" not in got[name]


def test_no_valid_draw_gives_no_figure() -> None:
    ds = xr.Dataset({"none": draws(np.full(10, np.nan), "share")})
    result = asim.summarize(ds)
    entry = result["quantities"]["none"]
    assert entry["invalid"] == 1.0 and entry["median"] is None and entry["eti"] == [None, None]
    assert asim.cite(ds["none"]) == "no valid value (every draw is invalid)"
    assert "| none | share | no valid value |  |  |  |  |  |" in asim.to_markdown(result)


def test_cite_and_tables_say_invalid_draws_are_left_out() -> None:
    da = share_above_one()
    assert asim.cite(da).endswith("; 10.0% of draws left out as invalid)")
    table = asim.to_markdown(asim.summarize(xr.Dataset({"q": da})))
    assert "| q | share | 74% (10.0% invalid) |" in table


def test_interval_still_refuses_nan() -> None:
    with pytest.raises(InputError, match="'draws' has 50 NaN draws out of 1,000"):
        asim.interval(nan_draws().values)


# ------------------------------------------------------------------------------ words
@pytest.mark.parametrize(
    ("make", "expected"),
    [(share_above_one, ABOVE_ONE), (rate_below_zero, BELOW_ZERO), (nan_draws, NAN)],
)
def test_each_kind_of_warning(make: object, expected: str) -> None:
    da = make()  # type: ignore[operator]
    assert invalid_note(da) == expected
    ds = xr.Dataset({"q": da.assign_attrs(long_name="the quantity")})
    with pytest.warns(AttritionWarning) as caught:
        asim.report.headline_sentences(ds, ["q"])
    assert [str(w.message) for w in caught] == [f"the quantity (q): {expected}"]
    section = warnings_section([(asim.summarize(ds)["quantities"], ds)])
    assert section == ["## Warnings", "", f"- The quantity (`q`): {expected}.", ""]


def test_a_declared_domain_is_named_in_the_warning() -> None:
    da = draws(np.linspace(0.0, 10.0, 1001), "", domain="[0, 9]")
    assert invalid_note(da).startswith(
        "10.0% of draws above 9 (a value above the domain [0, 9]); the figures are of the other"
    )


def test_never_crossed_draws_are_noted() -> None:
    when = np.array(["2025-07-01"] * 995 + ["NaT"] * 5, dtype="datetime64[s]")
    ds = xr.Dataset({"when": draws(when, long_name="one-million date")})
    ds["when"].attrs.pop("units")
    quantities = asim.summarize(ds)["quantities"]
    assert warnings_section([(quantities, ds)])[2] == (
        "- One-million date (`when`): 0.5% of draws never reach it (no date: a rate that is not "
        "positive, or an input without a valid value); the dates given are of the other draws "
        "and 'never'."
    )
    ds["when"].attrs["not_by"] = "2026-01-31"
    assert warnings_section([(quantities, ds)])[2] == (
        "- One-million date (`when`): 0.5% of draws do not reach the threshold by 31 January 2026."
    )
    assert warnings_section([(asim.summarize(ds.isel(draw=slice(0, 10)))["quantities"], ds)]) == []


def test_invalid_counts_round_trip_through_a_summary_entry() -> None:
    bad = count_invalid(share_above_one().values, Domain(0.0, 1.0, share=True))
    back = Invalid.from_entry(bad.to_entry(), "share")
    assert back is not None and back.describe() == bad.describe()
    assert Invalid.from_entry({"median": 1.0}) is None


# ------------------------------------------------------------------------------ scenarios
SCENARIO = """\
[scenario]
draws = 2000
seed  = 1

[inputs.cas_per_day]
value = 1131
units = "people/day"

[inputs.dead_per_day]
range = [900, 1100]
units = "people/day"

[derived]
share = {{expr = "killed_share(cas_per_day, dead_per_day)"{options}}}
rutte = "dead_per_day / cas_per_day"

[units]
share = "share"
rutte = "share"

[report]
headline = ["share", "rutte"]
{report}"""
SHARE_NAN = (
    "1.9% of draws without a valid value (NaN: an operation without one, such as 0/0 or a killed "
    "count above its casualties)"
)
RUTTE_ABOVE = (
    "1.9% of draws above 100% (a share above one: the numerator's range exceeds the denominator's)"
)


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _write(tmp_path: Path, options: str = "", report: str = "") -> Path:
    path = tmp_path / "s.toml"
    path.write_text(SCENARIO.format(options=options, report=report), encoding="utf-8")
    return path


def test_policy_report_runs_and_warns(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = _write(tmp_path)
    out = tmp_path / "out"
    status, printed, err = _cli(capsys, "run", str(path), "--out", str(out), "--quiet")
    assert status == 0, err
    assert err.splitlines() == [
        f"attritionsim: warning: share (share): {SHARE_NAN}; the figures are of the other 98.1%",
        f"attritionsim: warning: rutte (rutte): {RUTTE_ABOVE}; the figures are of the other 98.1%",
    ]
    assert "Share: 88.0% (90% CrI 80.2–96.1%; 1.9% of draws left out as invalid)" in printed
    text = (out / "report.md").read_text(encoding="utf-8")
    headlines, rest = text.split("## Warnings\n\n", 1)
    assert "## Headline figures" in headlines
    section = rest.split("\n\n## ", 1)[0]
    assert section.splitlines() == [
        f"- Share (`share`): {SHARE_NAN}; the figures are of the other 98.1%.",
        f"- Rutte (`rutte`): {RUTTE_ABOVE}; the figures are of the other 98.1%.",
    ]
    assert rest.split("\n\n## ", 1)[1].startswith("Every quantity")
    saved = json.loads((out / "summary.json").read_text(encoding="utf-8"))["quantities"]
    assert saved["share"]["invalid_draws"] == {"nan": saved["share"]["invalid"]}
    assert saved["rutte"]["invalid_draws"] == {"above": saved["rutte"]["invalid"]}
    assert "invalid" not in saved["dead_per_day"]


@pytest.mark.parametrize(
    ("options", "report", "line"),
    [
        (', invalid = "error"', "", 14),  # on the quantity
        ("", 'invalid = "error"\n', 14),  # for the whole scenario
    ],
)
def test_policy_error_stops_the_run_naming_file_line_and_quantity(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, options: str, report: str, line: int
) -> None:
    path = _write(tmp_path, options, report)
    out = tmp_path / "out"
    status, printed, err = _cli(capsys, "run", str(path), "--out", str(out), "--quiet")
    assert status == 2
    assert printed == ""
    assert err == (
        f'attritionsim: error: {path}:{line}: derived.share: {SHARE_NAN}; invalid = "error" '
        'stops the run (fix the quantity, or set invalid = "report" to leave those draws out of '
        "its figures)\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.toml"]  # nothing half-written


def test_a_quantity_policy_wins_over_the_scenario_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _write(tmp_path, ', invalid = "report"', 'invalid = "error"\n')
    status, _, err = _cli(capsys, "run", str(path), "--quiet")
    assert status == 2  # share may report, but rutte (the scenario's "error") stops the run
    assert err.startswith(f"attritionsim: error: {path}:15: derived.rutte: {RUTTE_ABOVE}; ")


def test_a_declared_domain_in_a_scenario(tmp_path: Path) -> None:
    text = SCENARIO.format(options=", domain = [0, 0.9]", report="")
    scenario = parse_scenario(text, name="s.toml")
    assert scenario.model.domains == {"share": Domain(0.0, 0.9)}
    assert scenario.policy("share") == "report"
    ds = scenario.run(draws=500)  # "report": no error (the report and its headlines warn)
    entry = asim.summarize(ds)["quantities"]["share"]
    assert entry["domain"] == [0.0, 0.9]
    assert set(entry["invalid_draws"]) == {"nan", "above"}


@pytest.mark.parametrize(
    ("options", "report", "message"),
    [
        (
            ", domain = [1, 0]",
            "",
            "s.toml:14: derived.share.domain: [1, 0] must be [low, high] with low < high "
            "(either may be -inf or inf)",
        ),
        (
            ', domain = [0, "one"]',
            "",
            "s.toml:14: derived.share.domain must be [low, high], two numbers (inf and -inf "
            "allowed, e.g. [0, 1] for a share, [0, inf] for a count); got [0, 'one']",
        ),
        (
            ', invalid = "stop"',
            "",
            "s.toml:14: derived.share.invalid='stop' is not one of 'report', 'error'",
        ),
        (
            ", domian = [0, 1]",
            "",
            "s.toml:14: unknown key 'domian' in [derived.share] (did you mean 'domain'?)",
        ),
        (
            "",
            'invalid = "warn"\n',
            "s.toml:23: report.invalid='warn' is not one of 'report', 'error'",
        ),
    ],
)
def test_bad_domain_and_policy_settings(options: str, report: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        parse_scenario(SCENARIO.format(options=options, report=report), name="s.toml")
    assert str(info.value).startswith(message)


def test_a_derived_table_needs_its_expression() -> None:
    text = SCENARIO.format(options="", report="").replace(
        'share = {expr = "killed_share(cas_per_day, dead_per_day)"}', "share = {domain = [0, 1]}"
    )
    with pytest.raises(InputError) as info:
        parse_scenario(text, name="s.toml")
    assert str(info.value) == (
        's.toml:14: derived.share needs expr = "..." (the expression) in its table'
    )


def test_figures_of_a_headline_with_invalid_draws(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = SCENARIO.format(options="", report="").replace(
        "value = 1131", "range = [1000, 1200]"
    )  # two random inputs: a tornado (of the valid draws); no Sobol chart (needs every draw)
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    status, _, err = _cli(capsys, "run", str(path), "--out", str(tmp_path / "out"), "--quiet")
    assert status == 0, err
    assert len(err.splitlines()) == 2  # share (NaN) and rutte (above one)
    figures = sorted(p.name for p in (tmp_path / "out" / "figures").glob("*.svg"))
    assert "share.svg" in figures and "share_tornado.svg" in figures
    assert "share_sobol.svg" not in figures
