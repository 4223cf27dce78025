"""Named readings of the sources' words: the rules, a scenario's own, the report's comparison."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

import attritionsim as asim
from attritionsim import cli, elicit
from attritionsim.distributions import ShiftedLogNormal, Uniform
from attritionsim.errors import InputError
from attritionsim.readings import compare_readings, readings_markdown
from attritionsim.scenario import parse_scenario


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


# ------------------------------------------------------------------------------ the rules
@pytest.mark.parametrize(
    ("reading", "median", "q95"),
    [
        # floor 10,000; median 10,000 (1 + rel / tail); 95% quantile 10,000 (1 + rel)
        ("default", 10_312.5, 12_500.0),  # rel 0.25, tail 8
        ("face-value", 10_125.0, 11_000.0),  # rel 0.1, tail 8
        ("sceptical", 11_000.0, 20_000.0),  # rel 1.0, tail 10
    ],
)
def test_more_than_under_each_reading(reading: str, median: float, q95: float) -> None:
    dist = asim.read_figure("more than", 10_000, reading=reading)
    assert isinstance(dist, ShiftedLogNormal)
    assert dist.support == (10_000.0, math.inf)
    assert dist.median() == pytest.approx(median, rel=1e-12)
    assert dist.ppf(0.95) == pytest.approx(q95, rel=1e-12)
    assert dist.cdf(10_000.0) == 0.0


@pytest.mark.parametrize(
    ("reading", "median", "q95"),
    [
        ("default", 130_000.0, 250_000.0),  # rel 1.5, tail 5
        ("face-value", 110_000.0, 150_000.0),  # rel 0.5, tail 5
        ("sceptical", 150_000.0, 400_000.0),  # rel 3.0, tail 6
    ],
)
def test_at_least_under_each_reading(reading: str, median: float, q95: float) -> None:
    dist = elicit.get_reading(reading).elicit("at_least", 100_000)
    assert dist.median() == pytest.approx(median, rel=1e-12)
    assert dist.ppf(0.95) == pytest.approx(q95, rel=1e-12)


def test_the_other_rules_under_each_reading() -> None:
    face = elicit.get_reading("face-value")
    sceptical = elicit.get_reading("sceptical")
    assert face.elicit("range", 500, 600) == Uniform(500.0, 600.0)
    assert sceptical.elicit("range", 500, 600).interval(0.8) == pytest.approx((500, 600))
    # face value: a rounded figure is off by its rounding only (1,200,000 to the 100,000)
    assert face.elicit("approximately", 1_200_000).interval(0.9) == pytest.approx(
        (1_150_000, 1_200_000**2 / 1_150_000)
    )
    assert sceptical.elicit("approximately", 1_200_000).interval(0.9)[0] == pytest.approx(960_000)
    assert face.elicit("up_to", 250_000).support == pytest.approx((225_000, 250_000))
    assert sceptical.elicit("up_to", 250_000).support == pytest.approx((125_000, 250_000))
    assert face.elicit("nearly", 400_000).support == pytest.approx((380_000, 400_000))
    assert sceptical.elicit("nearly", 400_000).support == pytest.approx((320_000, 400_000))
    # the default reading is the functions' own defaults
    for qualifier, figure in (("range", (1, 2)), ("approximately", (950_000,))):
        rule = elicit.QUALIFIERS[qualifier]
        assert rule.function is not None
        assert asim.read_figure(qualifier, *figure) == rule.function(*figure)
    # an option stated for the figure wins over the reading
    assert sceptical.elicit("range", 500, 600, level=0.9).interval(0.9) == pytest.approx((500, 600))


def test_lower_bounds_have_an_open_tail() -> None:
    # issue 13: ">10,000 North Korean troops" could not exceed 11,000; 11-12k was reported later
    troops = asim.more_than(10_000)
    assert 1.0 - troops.cdf(11_000) == pytest.approx(0.18, abs=0.01)
    assert troops.ppf(0.999) > 15_000
    # "at least 109,625 named dead" could not exceed 137,000; ~220,000 were estimated
    named = asim.at_least(109_625)
    assert named.support == (109_625.0, math.inf)
    assert 1.0 - named.cdf(220_000) == pytest.approx(0.11, abs=0.01)
    assert named.mean() > named.median() > 109_625


@pytest.mark.parametrize(
    "group",
    [
        ("more than", "over", "above", "in excess of", "exceeds", "upwards of", "More  Than"),
        ("at least", "no fewer than", "no less than", "a minimum of"),
        ("approximately", "about", "around", "roughly", "some", "an estimated", "circa"),
        ("nearly", "almost", "just under", "about to reach"),
        ("up to", "as many as", "at most", "less than", "fewer than", "under", "below"),
    ],
)
@pytest.mark.parametrize("reading", ["default", "face-value", "sceptical"])
def test_near_synonyms_are_read_alike(group: tuple[str, ...], reading: str) -> None:
    dists = [asim.read_figure(wording, 1_000, reading=reading) for wording in group]
    assert all(dist == dists[0] for dist in dists)
    assert len({repr(dist) for dist in dists}) == 1


def test_unknown_readings_and_wordings_are_named() -> None:
    with pytest.raises(InputError) as info:
        asim.get_reading("sceptic")
    assert str(info.value) == (
        "reading='sceptic' is not one of 'default', 'face-value', 'sceptical' "
        "(did you mean 'sceptical'?)"
    )
    with pytest.raises(InputError, match=r"^qualifier='beyond' is not a known wording; valid: "):
        asim.read_figure("beyond", 1)
    with pytest.raises(InputError) as info:
        asim.read_figure("more than", 1, low=2)
    assert str(info.value) == (
        "option 'low' does not apply to 'more_than'; valid: rel, tail, level, family"
    )


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"ranges": {"level": 0.5}}, "ranges: qualifier='ranges' is not one of"),
        ({"range": {"rel": 0.5}}, "range.rel: option='rel' is not one of 'level', 'family'"),
        ({"more_than": {"rel": -1}}, "more_than.rel must be > 0; got -1"),
        ({"more_than": {"tail": 1}}, "more_than.tail: tail must be above 1"),
        ({"range": {"level": 1.0}}, "range.level: level=1 makes the range the support, but"),
        ({"approximately": {"family": "cauchy"}}, "approximately.family: family='cauchy' is"),
    ],
)
def test_make_reading_refuses_bad_rules(rules: dict[str, dict[str, object]], message: str) -> None:
    with pytest.raises(InputError) as info:
        asim.make_reading("mine", rules)
    assert str(info.value).startswith(message)


def test_readings_describe_themselves() -> None:
    lines = asim.get_reading("sceptical").describe()
    assert lines[0] == "range: level=0.8, family='lognormal'"
    assert lines[-1] == "at least: rel=3.0, tail=6.0, family='shifted_lognormal'"


# ------------------------------------------------------------------------------ scenarios
SMALL = """\
[scenario]
title = "readings"
draws = 4000
seed = 3

[inputs.ru]
approximately = 1_200_000
units = "people"

[inputs.ua]
range = [500_000, 600_000]
units = "people"

[inputs.troops]
more_than = 10_000
units = "people"

[inputs.fixed]
range = [1, 2]
level = 0.9

[derived]
ratio = "ru / ua"
in_band = "prob_between(ratio, 2, 2.5)"

[units]
ratio = "ratio"

[long_names]
ratio = "casualty ratio"
in_band = "ratio in 2-2.5"
troops = "North Korean troops"

[readings.wide-ranges]
description = "ranges as 50% intervals"
base = "face-value"
range = {level = 0.5}

[report]
headline = ["ratio", "in_band", "troops"]
readings = ["default", "wide-ranges"]
"""


def test_a_scenario_reads_under_its_own_reading() -> None:
    scenario = parse_scenario(SMALL, name="s.toml")
    assert scenario.reading == "default"
    assert scenario.readings == ("default", "wide-ranges")
    assert scenario.reading_names() == ["default", "face-value", "sceptical", "wide-ranges"]
    wide = scenario.under("wide-ranges")
    assert wide.reading == "wide-ranges"
    inputs = wide.model.inputs
    assert inputs["ua"].interval(0.5) == pytest.approx((500_000, 600_000))
    # its base is face-value: "approximately" is its rounding only, "more than" narrow
    assert inputs["ru"].interval(0.9)[0] == pytest.approx(1_150_000)
    assert inputs["troops"].ppf(0.95) == pytest.approx(11_000)
    # a level stated for the input is kept under every reading
    assert inputs["fixed"].interval(0.9) == pytest.approx((1, 2))
    sceptical = scenario.under("sceptical").model.inputs
    assert sceptical["fixed"].interval(0.9) == pytest.approx((1, 2))
    assert sceptical["ua"].interval(0.8) == pytest.approx((500_000, 600_000))
    with pytest.raises(InputError) as info:
        scenario.under("wide")
    assert str(info.value) == (
        "unknown reading 'wide'; valid: default, face-value, sceptical, wide-ranges"
    )


def test_a_synthesis_follows_the_reading() -> None:
    text = (
        '[inputs.x]\nvalue = 1\n[synthesis.s]\nobservations = ["ukmod-2025-07-russia-casualties",'
        ' {date = "2025-01-01", range = [700_000, 900_000]}]\ndraws = 100\n'
    )
    scenario = parse_scenario(text, name="s.toml", reading="sceptical")
    settings = scenario.syntheses["s"]
    assert settings.reading == asim.get_reading("sceptical")
    assert settings.observations[1][1].interval(0.8) == pytest.approx((700_000, 900_000))


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            "[readings.mine]\nranges = {level = 0.5}\n",
            "s.toml:4: unknown key 'ranges' in [readings.mine] (did you mean 'range'?)",
        ),
        (
            "[readings.mine]\nrange = {rel = 0.5}\n",
            "s.toml:4: unknown key 'rel' in [readings.mine.range]; valid: level, family",
        ),
        (
            "[readings.mine]\ndescription = 'x'\nmore_than = {rel = -1}\n",
            "s.toml:5: readings.mine.more_than.rel must be > 0; got -1",
        ),
        (
            "[readings.mine]\n\nrange = {level = 1}\n",
            "s.toml:5: readings.mine.range.level: level=1 makes the range the support, but "
            "family 'lognormal' is unbounded; use level < 1, or a bounded family: 'uniform', "
            "'triangular', 'pert'",
        ),
        (
            "[readings.mine.at_least]\ntail = 0.5\n",
            "s.toml:4: readings.mine.at_least.tail: tail must be above 1 (the upper end's "
            "excess over the figure divided by the median's); got 0.5",
        ),
        (
            "[readings.sceptical]\nrange = {level = 0.5}\n",
            "s.toml:3: readings.sceptical: 'sceptical' is a built-in reading (default, "
            "face-value, sceptical); give yours another name",
        ),
        (
            "[readings.mine]\nbase = 'loose'\n",
            "s.toml:4: readings.mine.base: unknown reading 'loose'; valid: default, face-value, "
            "sceptical (a reading of this file must come before it)",
        ),
        (
            "[readings.mine]\nrange = 0.5\n",
            "s.toml:4: readings.mine.range must be a table; got a number",
        ),
        (
            "[report]\nreadings = ['default', 'sceptic']\n",
            "s.toml:4: report.readings: unknown reading 'sceptic'; valid: default, face-value, "
            "sceptical",
        ),
        (
            "[report]\nreadings = ['default', 'default']\n",
            "s.toml:4: report.readings lists 'default' twice; list each reading once",
        ),
    ],
)
def test_bad_reading_tables_are_placed(table: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        parse_scenario(f"[inputs.x]\nrange = [1, 2]\n{table}", name="s.toml")
    assert str(info.value) == message


# ------------------------------------------------------------------------------ the report
@pytest.fixture(scope="module")
def compared() -> asim.Scenario:
    return parse_scenario(SMALL, name="s.toml")


def test_readings_markdown_says_which_headlines_move(compared: asim.Scenario) -> None:
    comp = compare_readings(compared, ["default", "face-value", "sceptical"])
    lines = readings_markdown(comp)
    assert lines[:2] == ["## Readings", ""]
    header = lines.index("| Headline | default | face-value | sceptical |")
    rows = lines[header + 2 : header + 5]
    assert [row.split(" | ")[0] for row in rows] == [
        "| Casualty ratio",
        "| Ratio in 2-2.5",
        "| North Korean troops",
    ]
    assert re.fullmatch(
        r"\| Ratio in 2-2\.5 \| \d\d(\.\d)?% \| \d\d(\.\d)?% \| \d\d(\.\d)?% \|", rows[1]
    )
    notes = [line for line in lines if line.startswith("- Ratio in 2-2.5: from ")]
    assert len(notes) == 1
    assert notes[0].endswith(
        "percentage points apart: the reading of the sources matters more here than the Monte "
        "Carlo error."
    )
    assert "(sceptical) to " in notes[0] and "(face-value) across the readings" in notes[0]
    troops = [line for line in lines if line.startswith("- North Korean troops:")]
    assert troops == []  # its median moves less than half its own interval


def test_cli_run_with_readings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("s.toml").write_text(SMALL, encoding="utf-8")
    status, out, err = _run(
        capsys, "run", "s.toml", "--readings", "default,face-value,sceptical,wide-ranges",
        "--out", "rep", "--quiet",
    )  # fmt: skip
    assert (status, err) == (0, "")
    summary = json.loads(Path("rep/summary.json").read_text(encoding="utf-8"))
    assert list(summary["readings"]) == ["default", "face-value", "sceptical", "wide-ranges"]
    for name, reading in summary["readings"].items():
        assert list(reading["quantities"]) == ["ratio", "in_band", "troops"], name
        assert reading["draws"] == 4000 and reading["synthesis_draws"] is None
    assert summary["readings"]["wide-ranges"]["description"] == "ranges as 50% intervals"
    assert summary["readings"]["default"]["quantities"]["ratio"] == summary["quantities"]["ratio"]
    text = Path("rep/report.md").read_text(encoding="utf-8")
    assert "| Headline | default | face-value | sceptical | wide-ranges |" in text
    assert text.index("## Readings") < text.index("## Every quantity")
    band = [line for line in out.splitlines() if line.strip().startswith("Ratio in 2-2.5:")]
    probs = [100 * r["quantities"]["in_band"]["probability"] for r in summary["readings"].values()]
    assert len(band) == 1
    assert re.search(
        r"probability \(± [0-9.]+ percentage points?, one Monte Carlo standard error; "
        r"(\d+(\.\d)?)–(\d+(\.\d)?)% across the readings default, face-value, sceptical, "
        r"wide-ranges\)$",
        band[0],
    ), band[0]
    low, high = re.findall(r"; (\d+(?:\.\d)?)–(\d+(?:\.\d)?)%", band[0])[0]
    assert float(low) == pytest.approx(min(probs), abs=0.5)
    assert float(high) == pytest.approx(max(probs), abs=0.5)


def test_cli_without_readings_names_the_monte_carlo_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("s.toml").write_text(SMALL.replace('readings = ["default", "wide-ranges"]\n', ""))
    status, out, err = _run(capsys, "run", "s.toml", "--out", "rep", "--quiet")
    assert (status, err) == (0, "")
    assert "readings" not in json.loads(Path("rep/summary.json").read_text(encoding="utf-8"))
    assert "## Readings" not in Path("rep/report.md").read_text(encoding="utf-8")
    band = [line for line in out.splitlines() if line.strip().startswith("Ratio in 2-2.5:")]
    assert re.search(
        r"probability \(± [0-9.]+ percentage points?, one Monte Carlo standard error\)$", band[0]
    )


@pytest.mark.parametrize("command", [["report"], ["run", "s.toml"]])
def test_cli_unknown_reading_is_one_line(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("s.toml").write_text(SMALL, encoding="utf-8")
    status, out, err = _run(capsys, *command, "--readings", "default,sceptic", "--quiet")
    valid = "default, face-value, sceptical" + (", wide-ranges" if command[0] == "run" else "")
    assert (status, out) == (2, "")
    assert err == f"attritionsim: error: --readings: unknown reading 'sceptic'; valid: {valid}\n"
    assert not Path("attritionsim-report").exists()


# ------------------------------------------------------------------------------ cold test, issue 13
GAP_SCENARIO = """
[scenario]
draws = 4000
seed = 3

[inputs.gap]
range = [-50, 200]
family = "normal"
domain = [0, inf]
units = "people"

[inputs.cas]
more_than = 10_000
units = "people"

[inputs.dead]
at_least = 9_000
units = "people"

[derived]
net = "cas - dead"

[units]
net = "people"

[report]
headline = ["gap", "net"]
"""


def test_face_value_reads_a_stated_unbounded_family_at_99_percent() -> None:
    # cold test of issue 13: face-value's level=1 met family "normal" and the run exited 2
    scenario = parse_scenario(GAP_SCENARIO, name="s.toml").under("face-value")
    ds = scenario.run(draws=4000)
    spec = json.loads(ds["gap"].attrs["distribution"])
    assert spec["family"] == "normal"
    assert spec["origin"]["level"] == elicit.SUPPORT_LEVEL_OPEN == 0.99
    assert elicit.get_reading("face-value").with_stated("range", {"family": "normal"}) == {
        "family": "normal",
        "level": 0.99,
    }
    stated = {"family": "normal", "level": 0.5}  # a level the input states is kept
    assert elicit.get_reading("face-value").with_stated("range", stated) == stated


def test_readings_report_a_moved_share_of_invalid_draws() -> None:
    # cold test of issue 13: 11.6% -> 71.6% of draws left out was not called a difference
    scenario = parse_scenario(GAP_SCENARIO, name="s.toml")
    comp = compare_readings(scenario, ["default", "sceptical"])
    lines = readings_markdown(comp)
    (note,) = [line for line in lines if "the share of draws left out" in line]
    shares = {name: float((comp.draws[name]["gap"].values < 0).mean()) for name in comp.names}
    assert shares["sceptical"] - shares["default"] > 0.05  # 16.4% -> 22.4%
    assert note == (
        f"- Gap: the share of draws left out as invalid is {100 * shares['default']:.1f}% under "
        f"default, {100 * shares['sceptical']:.1f}% under sceptical; the figures stand on a "
        "different share of the draws under each reading, so the reading matters here whatever "
        "the medians say."
    )
