"""Tests for scenario files: the issue's example, every input kind, and errors with file:line."""

from __future__ import annotations

import dataclasses
import math
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from attritionsim.errors import InputError
from attritionsim.scenario import Scenario, load_scenario, parse_scenario, run_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "benchmarks" / "scenarios"
EXAMPLE = SCENARIOS / "example.toml"
DRAWS = 4096  # a power of two, so that Sobol scenarios run without a warning


def _phi(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    ra = np.argsort(np.argsort(a))
    rb = np.argsort(np.argsort(b))
    return float(np.corrcoef(ra, rb)[0, 1])


# ------------------------------------------------------------------------------ the example
@pytest.fixture(scope="module")
def example() -> Scenario:
    return load_scenario(EXAMPLE)


def test_example_loads_with_its_settings(example: Scenario) -> None:
    assert example.title == "Russian losses by mid-2025"
    assert example.draws == 200_000
    assert example.seed == 20250604
    assert example.level == 0.9
    assert example.method == "mc"
    assert example.path == EXAMPLE
    assert example.model.random_inputs == ("ru_casualties", "ru_killed", "ru_rate", "ua_casualties")
    # the catalogue id names the report by its publication month: CSIS, June 2025 (data to May)
    assert example.model.sources["ua_casualties"] == ("csis-2025-06-ukraine-casualties",)


def test_example_runs_unchanged(example: Scenario) -> None:
    ds = example.run(draws=DRAWS)
    assert ds.sizes["draw"] == DRAWS
    assert ds.attrs["seed"] == 20250604
    assert ds.attrs["method"] == "mc"
    assert ds.attrs["draws"] == DRAWS
    assert ds.attrs["level"] == 0.9
    assert ds.attrs["scenario"] == "example.toml"

    ru = ds["ru_casualties"].values
    low, high = np.quantile(ru, [0.05, 0.95])
    # the range is the central 90% interval; the quantiles' MC error here is about 1,000
    assert low == pytest.approx(900_000, rel=0.006)
    assert high == pytest.approx(1_000_000, rel=0.006)
    assert ds["ru_casualties"].attrs["units"] == "people"

    killed = ds["ru_killed"].values
    assert killed.min() >= 150_000
    assert killed.max() <= 250_000
    assert killed.min() < 155_000 and killed.max() > 245_000  # uniform over the whole range
    assert _spearman(ru, killed) == pytest.approx(0.5, abs=0.05)

    rate = ds["ru_rate"].values
    assert np.median(rate) == pytest.approx(1_000, rel=0.02)
    assert np.quantile(rate, 0.05) == pytest.approx(800, rel=0.02)  # rel = 0.2: 90% in 800-1,250
    assert ds["ru_rate"].attrs["units"] == "people/day"

    ratio = ds["ratio"].values
    np.testing.assert_allclose(ratio, ru / ds["ua_casualties"].values)
    # both lognormal and independent: the median is the ratio of medians
    expected = math.sqrt(900_000 * 1_000_000) / 400_000
    assert np.median(ratio) == pytest.approx(expected, rel=0.02)
    assert ds["ratio"].attrs["units"] == "1"
    assert ds["killed_share"].attrs["units"] == "1"

    assert ds["in_band"].dtype == bool
    np.testing.assert_array_equal(ds["in_band"].values, (ratio >= 2) & (ratio <= 2.5))
    assert 0.0 < ds["in_band"].values.mean() < 1.0

    share = ds["killed_share"].values
    np.testing.assert_allclose(share, killed / ru)

    million = ds["one_million"]
    assert million.dtype.kind == "M"
    days = (1_000_000 - ru) / rate
    start = np.datetime64("2025-06-01", "s")
    got = (million.values - start) / np.timedelta64(1, "D")
    np.testing.assert_allclose(got, days, atol=1e-3)


def test_run_scenario_reads_the_file() -> None:
    ds = run_scenario(EXAMPLE, draws=1000, seed=3)
    assert ds.attrs["draws"] == 1000
    assert ds.attrs["seed"] == 3


def test_overrides_take_effect(example: Scenario) -> None:
    ds = example.run(draws=1000, seed=11, method="lhs")
    assert ds.sizes["draw"] == 1000
    assert ds.attrs["seed"] == 11
    assert ds.attrs["method"] == "lhs"
    # LHS puts exactly one draw in each of 1,000 equal-probability strata of each input
    dist = example.model.inputs["ru_casualties"]
    strata = np.floor(dist.cdf(ds["ru_casualties"].values) * 1000).astype(int)
    assert sorted(strata) == list(range(1000))
    again = example.run(draws=1000, seed=11, method="lhs")
    np.testing.assert_array_equal(ds["ratio"].values, again["ratio"].values)
    other = example.run(draws=1000, seed=12, method="lhs")
    assert not np.array_equal(ds["ratio"].values, other["ratio"].values)


def test_unknown_run_option_is_refused(example: Scenario) -> None:
    with pytest.raises(InputError, match="drawz"):
        example.run(drawz=10)


# ------------------------------------------------------------------------------ every kind
KINDS = """\
[scenario]
title = "every kind"
description = "one input of each kind"
draws = 4000
seed = 7
level = 0.8
method = "lhs"

[inputs.a]
approximately = 1_000
rel = 0.2
units = "people/day"
long_name = "a rate"

[inputs.b]
at_least = 200_000
high = 300_000

[inputs.c]
nearly = 400_000
rel = 0.05

[inputs.d]
more_than = 1_000_000
rel = 0.2

[inputs.e]
pert = [60_000, 80_000, 100_000]

[inputs.f]
metalog = {0.1 = 100, 0.5 = 150, 0.9 = 250}

[inputs.g]
value = 42

[inputs.h]
value = "2025-06-01"

[inputs.i]
source = "csis-2025-12-ukraine-casualties"
family = "pert"
level = 0.8

[inputs.j]
pool = ["csis-2025-05-russia-casualties", "ukmod-2025-05-russia-casualties"]
method = "log"
units = "people"

[inputs.k]
up_to = 250_000
low = 150_000
family = "uniform"

[inputs.m]
range = [60_000, 100_000]
level = 0.5

[derived]
x = "a + g"
t = "crossing_date(b, a, 300_000, h)"

[units]
x = "people"

[long_names]
x = "a plus g"

[report]
headline = ["x", "a", "t"]
"""


@pytest.fixture(scope="module")
def kinds() -> Scenario:
    return parse_scenario(KINDS, name="kinds.toml")


def test_every_kind_builds_the_right_distribution(kinds: Scenario) -> None:
    inputs = kinds.model.inputs
    # Without its own level, an "approximately" input takes [scenario] level (0.8 here).
    assert inputs["a"].interval(0.8) == pytest.approx((800, 1_250))
    # Lower bounds have a hard floor and an open tail: high= / rel= set its 95% quantile.
    assert inputs["b"].support == (200_000, math.inf)
    assert inputs["b"].ppf(0.95) == pytest.approx(300_000, rel=1e-12)
    assert inputs["c"].support == pytest.approx((380_000, 400_000))
    assert inputs["d"].support == (1_000_000, math.inf)
    assert inputs["d"].ppf(0.95) == pytest.approx(1_200_000, rel=1e-12)
    assert inputs["e"].support == pytest.approx((60_000, 100_000))
    assert inputs["e"].mean() == pytest.approx(80_000)  # symmetric PERT
    # TOML reads the bare key 0.1 as a dotted key; the loader puts it back together
    assert inputs["f"].ppf([0.1, 0.5, 0.9]) == pytest.approx([100, 150, 250], rel=1e-6)
    assert inputs["g"] == 42.0
    assert inputs["h"] == "2025-06-01"
    assert inputs["i"].interval(0.8) == pytest.approx((500_000, 600_000), rel=1e-6)
    assert type(inputs["i"]).__name__ == "PERT"
    assert inputs["j"].median() == pytest.approx(950_000, rel=1e-3)
    assert inputs["k"].support == pytest.approx((150_000, 250_000))
    assert inputs["m"].interval(0.5) == pytest.approx((60_000, 100_000), rel=1e-6)
    assert inputs["m"].interval(0.9)[0] < 60_000
    assert kinds.model.sources["i"] == ("csis-2025-12-ukraine-casualties",)
    assert kinds.model.sources["j"] == (
        "csis-2025-05-russia-casualties",
        "ukmod-2025-05-russia-casualties",
    )


def test_every_kind_runs(kinds: Scenario) -> None:
    assert kinds.title == "every kind"
    assert kinds.description == "one input of each kind"
    assert kinds.level == 0.8
    assert kinds.method == "lhs"
    assert kinds.headline == ("x", "a", "t")
    assert kinds.path is None
    ds = kinds.run()
    assert ds.attrs["method"] == "lhs"
    assert ds.attrs["seed"] == 7
    assert ds.attrs["level"] == 0.8
    assert ds.attrs["headline"] == "x, a, t"
    assert "scenario" not in ds.attrs

    f = ds["f"].values
    assert np.quantile(f, [0.1, 0.5, 0.9]) == pytest.approx([100, 150, 250], rel=0.02)
    assert ds["g"].dims == ()
    assert float(ds["g"]) == 42.0
    assert ds["h"].values == np.datetime64("2025-06-01")
    np.testing.assert_allclose(ds["x"].values, ds["a"].values + 42.0)
    assert ds["x"].attrs["units"] == "people"
    assert ds["x"].attrs["long_name"] == "a plus g"
    assert ds["a"].attrs["units"] == "people/day"
    assert ds["a"].attrs["long_name"] == "a rate"
    assert ds["j"].attrs["units"] == "people"
    assert ds["t"].dtype.kind == "M"
    # b has no cap: draws already past 300,000 crossed at or before h
    assert ((ds["t"].values >= np.datetime64("2025-06-01")) | (ds["b"].values >= 300_000)).all()
    assert (ds["b"].values >= 300_000).any()
    k = ds["k"].values
    assert k.min() >= 150_000 and k.max() <= 250_000
    d = ds["d"].values
    assert d.min() >= 1_000_000 and (d > 1_200_000).mean() == pytest.approx(0.05, abs=0.01)


# ------------------------------------------------------------------------------ errors
BASE = """\
[scenario]
title = "t"
draws = 1000
seed = 1
method = "mc"

[inputs.ru]
range = [900_000, 1_000_000]

[inputs.ua]
approximately = 400_000

[derived]
ratio = "ru / ua"
"""

ERRORS = [
    ("toml syntax", BASE.replace('title = "t"', 'title = "t'), 2, "TOML syntax error", None),
    ("unknown section", BASE + "\n[derivd]\nx = 1\n", 16, "derivd", "derived"),
    ("unknown key", BASE.replace("range = [", "rnage = ["), 8, "rnage", "range"),
    ("unknown setting", BASE.replace("seed = 1", "sed = 1"), 4, "sed", "seed"),
    (
        "two kinds",
        BASE.replace("approximately = 400_000", "approximately = 400_000\nup_to = 500_000"),
        10,
        "inputs.ua",
        None,
    ),
    ("no kind", BASE.replace("approximately = 400_000", 'units = "people"'), 10, "got none", None),
    (
        "wrong type",
        BASE.replace("approximately = 400_000", 'approximately = "many"'),
        11,
        "inputs.ua.approximately must be a number; got a string",
        None,
    ),
    (
        "wrong option type",
        BASE.replace("approximately = 400_000", 'approximately = 400_000\nrel = "x"'),
        12,
        "inputs.ua.rel must be a number",
        None,
    ),
    (
        "date for a number",
        BASE.replace("approximately = 400_000", 'approximately = "2025-06-01"'),
        11,
        "got the date '2025-06-01'",
        None,
    ),
    (
        "unknown source",
        BASE.replace("approximately = 400_000", 'source = "csis-2025-05-ukraine-casualtis"'),
        11,
        "csis-2025-05-ukraine-casualtis",
        "csis-2025-05-ukraine-casualties",
    ),
    (
        "unknown name",
        BASE.replace('ratio = "ru / ua"', 'ratio = "ru / uk"'),
        14,
        "unknown name 'uk'",
        None,
    ),
    (
        "unknown function",
        BASE.replace('ratio = "ru / ua"', 'ratio = "ratoi(ru, ua)"'),
        14,
        "unknown function 'ratoi'",
        "ratio",
    ),
    (
        "impossible range",
        BASE.replace("range = [900_000, 1_000_000]", "range = [1_000_000, 900_000]"),
        8,
        "inputs.ru",
        None,
    ),
    (
        "equal range",
        BASE.replace("range = [900_000, 1_000_000]", "range = [900_000, 900_000]"),
        8,
        "inputs.ru",
        None,
    ),
    (
        "not positive definite",
        BASE + "\n[inputs.k]\nup_to = 250_000\n\n[correlations]\n"
        'pairs = [["ru", "ua", 0.9], ["ru", "k", 0.9], ["ua", "k", -0.9]]\n',
        20,
        "positive definite",
        None,
    ),
    ("bad method", BASE.replace('method = "mc"', 'method = "montecarlo"'), 5, "method", None),
    ("zero draws", BASE.replace("draws = 1000", "draws = 0"), 3, "scenario.draws", None),
    ("negative draws", BASE.replace("draws = 1000", "draws = -1"), 3, "scenario.draws", None),
    ("fractional draws", BASE.replace("draws = 1000", "draws = 1.5"), 3, "scenario.draws", None),
    (
        "unknown headline",
        BASE + '\n[report]\nheadline = ["ratio", "ration"]\n',
        17,
        "report.headline",
        "ratio",
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "fragment", "suggestion"),
    [pytest.param(*case[1:], id=case[0]) for case in ERRORS],
)
def test_errors_name_file_line_and_key(
    text: str, line: int, fragment: str, suggestion: str | None
) -> None:
    with pytest.raises(InputError) as info:
        parse_scenario(text, name="s.toml")
    message = str(info.value)
    assert message.startswith(f"s.toml:{line}: "), message
    assert "\n" not in message
    assert fragment in message
    if suggestion is not None:
        assert f"did you mean {suggestion!r}" in message


def test_a_cycle_points_at_its_first_quantity() -> None:
    text = BASE.replace('ratio = "ru / ua"', 'a = "b + ru"\nb = "a + ua"')
    with pytest.raises(InputError) as info:
        parse_scenario(text, name="s.toml")
    message = str(info.value)
    found = re.match(r"s\.toml:(\d+): ", message)
    assert found is not None, message
    assert text.splitlines()[int(found.group(1)) - 1] == 'a = "b + ru"'
    assert "cycle" in message
    assert "a -> b -> a" in message


def test_errors_from_a_file_start_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(BASE.replace("range = [", "rnage = ["), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert str(info.value).startswith(f"{path}:8: unknown key 'rnage'")
    assert "did you mean 'range'" in str(info.value)


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the scenario"):
        load_scenario(tmp_path / "missing.toml")


def test_a_scenario_needs_inputs() -> None:
    with pytest.raises(InputError, match=r"^s\.toml: .*at least one \[inputs\.NAME\]"):
        parse_scenario('[scenario]\ntitle = "t"\n', name="s.toml")


# ------------------------------------------------------------------------------ benchmarks
BENCHMARKS = sorted(SCENARIOS.glob("*.toml"))


def test_the_benchmark_folder_holds_the_scenarios() -> None:
    assert {p.name for p in BENCHMARKS} >= {
        "example.toml",
        "csis_june_2025.toml",
        "csis_1_2_million.toml",
        "ukmod_march_2025.toml",
        "rutte_december.toml",
        "pooled.toml",
    }


def _median(values: np.ndarray) -> float:
    return float(np.median(values))


def _check_example(ds: xr.Dataset, scenario: Scenario) -> None:
    expected = math.sqrt(900_000 * 1_000_000) / 400_000
    assert _median(ds["ratio"].values) == pytest.approx(expected, rel=0.02)


def _check_csis_june(ds: xr.Dataset, scenario: Scenario) -> None:
    ratio = ds["ratio"].values
    assert _median(ratio) == pytest.approx(950_000 / 400_000, rel=0.02)
    # the ratio of two independent lognormals is lognormal: P(2 <= ratio <= 2.5) in closed form
    ru = scenario.model.inputs["ru_casualties"].params()
    ua = scenario.model.inputs["ua_casualties"].params()
    mu = ru["mu"] - ua["mu"]
    sigma = math.hypot(ru["sigma"], ua["sigma"])
    p = _phi((math.log(2.5) - mu) / sigma) - _phi((math.log(2.0) - mu) / sigma)
    assert ds["ratio_in_band"].values.mean() == pytest.approx(p, abs=0.03)
    killed = ds["ru_killed"].values
    assert killed.max() <= 250_000
    share = ds["ru_killed_share"].values
    assert 0.2 < _median(share) < 0.27
    ua_share = ds["ua_killed_share"].values
    assert _median(ua_share) == pytest.approx(math.sqrt(60_000 * 100_000) / 400_000, rel=0.03)


def _check_csis_jan(ds: xr.Dataset, scenario: Scenario) -> None:
    ratio = ds["ratio"].values
    assert _median(ratio) == pytest.approx(1_200_000 / math.sqrt(500_000 * 600_000), rel=0.02)
    share = ds["ru_killed_share"].values
    assert _median(share) == pytest.approx(math.sqrt(275_000 * 325_000) / 1_200_000, rel=0.02)
    both = ds["both_sides"].values
    assert _median(both) == pytest.approx(1_200_000 + math.sqrt(500_000 * 600_000), rel=0.02)
    wpk = ds["ru_wounded_per_killed"].values
    np.testing.assert_allclose(wpk, 1.0 / share - 1.0, rtol=1e-9)


def _check_ukmod(ds: xr.Dataset, scenario: Scenario) -> None:
    dates = np.sort(ds["one_million"].values)
    median = dates[len(dates) // 2]
    # (1,000,000 - 900,000) / 1,000 a day = 100 days after 20 March 2025: 28 June 2025
    assert abs((median - np.datetime64("2025-06-28")) / np.timedelta64(1, "D")) < 10
    jun = ds["crossed_by_jun30"].values.mean()
    aug = ds["crossed_by_aug31"].values.mean()
    assert 0.3 < jun < aug < 1.0


def _check_rutte(ds: xr.Dataset, scenario: Scenario) -> None:
    daily = ds["share_daily"].values
    monthly = ds["share_monthly"].values
    assert _median(daily) == pytest.approx(1_000 / 1_131, rel=0.02)
    # "more than 30,000": a floor at 30,000 and an open tail, median 30,000 * (1 + 0.25 / 8)
    assert _median(monthly) == pytest.approx(30_937.5 / 35_050, rel=0.01)
    assert monthly.min() >= 30_000 / 35_050
    assert float(ds["casualties_per_day"]) == 1_131
    above = ds["share_above_one"].values.mean()
    assert above == pytest.approx(float((daily >= 1).mean()))
    assert above < 0.1


def _check_pooled(ds: xr.Dataset, scenario: Scenario) -> None:
    linear = ds["pooled_linear"].values
    log = ds["pooled_log"].values
    assert 930_000 < _median(log) < 980_000
    assert 930_000 < _median(linear) < 1_020_000
    width_linear = np.subtract(*np.quantile(linear, [0.95, 0.05]))
    width_log = np.subtract(*np.quantile(log, [0.95, 0.05]))
    assert width_linear > width_log  # a linear pool keeps the disagreement
    np.testing.assert_allclose(ds["difference"].values, linear - log)
    over = ds["over_million"].values.mean()
    assert over == pytest.approx(float((linear >= 1_000_000).mean()))


CHECKS = {
    "example.toml": _check_example,
    "csis_june_2025.toml": _check_csis_june,
    "csis_1_2_million.toml": _check_csis_jan,
    "ukmod_march_2025.toml": _check_ukmod,
    "rutte_december.toml": _check_rutte,
    "pooled.toml": _check_pooled,
}


@pytest.mark.parametrize("path", BENCHMARKS, ids=[p.name for p in BENCHMARKS])
def test_benchmark_scenarios_run(path: Path) -> None:
    scenario = load_scenario(path)
    ds = scenario.run(draws=DRAWS)
    assert ds.sizes["draw"] == DRAWS
    assert ds.attrs["method"] == scenario.method
    assert ds.attrs["seed"] == scenario.seed
    assert ds.attrs["scenario"] == path.name
    assert scenario.title
    for name in scenario.headline:
        assert name in ds.data_vars
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    for name, spec in data["inputs"].items():
        if "units" in spec:
            assert ds[name].attrs["units"] == spec["units"], name
        if "long_name" in spec:
            assert ds[name].attrs["long_name"] == spec["long_name"], name
    for name, units in data.get("units", {}).items():
        assert ds[name].attrs["units"] == units, name
    for name in ds.data_vars:
        values = ds[name].values
        if values.dtype == bool:
            assert 0.0 <= values.mean() <= 1.0
        elif values.dtype.kind == "f":
            assert np.isfinite(values).all(), name
    CHECKS[path.name](ds, scenario)


def test_a_source_input_takes_its_records_units_and_a_label() -> None:
    text = '[inputs.ua]\nsource = "csis-2025-12-ukraine-casualties"\n'
    model = parse_scenario(text, name="s.toml").model
    assert model.units["ua"] == "people"
    assert model.long_names["ua"] == "Ukrainian casualties, CSIS (2025-12-31)"
    assert model.sources["ua"] == ("csis-2025-12-ukraine-casualties",)


# ------------------------------------------------------------------------------ bad files: exit 2
# Each case is (id, file contents, line of the problem, fragments of the message). Every one
# was an internal error, a wrong or doubled place, or silently accepted before.
ONE = "[inputs.x]\nrange = [1, 2]\n"
TWO = ONE + "[inputs.y]\nrange = [3, 4]\n"
LATIN1 = '[scenario]\ntitle = "café"\n'.encode("latin-1") + ONE.encode()
BAD_FILES: list[tuple[str, str | bytes, int, tuple[str, ...]]] = [
    ("binary", b"\x00\x01\x02\xff\xfe\x80 binary", 1, ("not UTF-8 text", "offset 3")),
    ("utf16", ONE.encode("utf-16"), 1, ("not UTF-8 text (it looks like UTF-16)", "offset 0")),
    ("latin1", LATIN1, 2, ("not UTF-8 text", "byte 0xe9 at offset 23")),
    ("bom latin1", b"\xef\xbb\xbf" + LATIN1, 2, ("byte 0xe9 at offset 26",)),
    ("deep arrays", "a = " + "[" * 5000 + "]" * 5000 + "\n", 1, ("nested more than 32",)),
    ("deep tables", "x = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n", 1, ("nested",)),
    ("deep keys", "[inputs.x]\nmetalog." + "a." * 3000 + "b = 1\n", 2, ("nested more than 32",)),
    ("int 10^400", "[inputs.x]\napproximately = 1" + "0" * 400 + "\n", 2, ("inputs.x.approx",)),
    ("int 5000 digits", "[inputs.x]\nup_to = 1" + "0" * 5000 + "\n", 2, ("thousands of digits",)),
    ("draws 2^63", "[scenario]\ndraws = 9223372036854775000\n" + ONE, 2, ("scenario.draws",)),
    ("draws 10^30", "[scenario]\ndraws = 1" + "0" * 30 + "\n" + ONE, 2, ("at most 1e+12",)),
    ("draws 10^400", "[scenario]\ndraws = 1" + "0" * 400 + "\n" + ONE, 2, ("scenario.draws",)),
    ("draws float", "[scenario]\ndraws = 1e6\n" + ONE, 2, ("scenario.draws", "integer")),
    ("chunk 10^400", "[scenario]\nchunk_size = 1" + "0" * 400 + "\n" + ONE, 2, ("chunk_size",)),
    ("seed 2^63", "[scenario]\nseed = 9223372036854775808\n" + ONE, 2, ("scenario.seed",)),
    ("seed 10^30", "[scenario]\nseed = 1" + "0" * 30 + "\n" + ONE, 2, ("scenario.seed",)),
    ("level 1e-300", "[scenario]\nlevel = 1e-300\n" + ONE, 2, ("scenario.level", "0.01")),
    ("input level", ONE + "level = 1e-300\n", 3, ("inputs.x.level", "0.01")),
    (
        "nan correlation",
        TWO + '[correlations]\npairs = [["x", "y", nan]]\n',
        6,
        ("correlations.pairs", "nan"),
    ),
    ("inf range", ONE.replace("[1, 2]", "[1, inf]"), 2, ("inputs.x.range", "inf")),
    ("dotted nan", "inputs.x.range = [1, nan]\n", 1, ("inputs.x.range", "nan")),
    ("quoted key", '[inputs."x"]\nrange = [2, 1]\n', 2, ("inputs.x",)),
    ("title 5", "[scenario]\ntitle = 5\n" + ONE, 2, ("scenario.title", "string")),
    ("description list", "[scenario]\ndescription = [1]\n" + ONE, 2, ("scenario.description",)),
    (
        "pool with a daily rate",
        '[inputs.x]\npool = ["csis-2025-05-russia-casualties",\n'
        '        "ukmod-2025-06-russia-daily-rate"]\n',
        2,
        ("inputs.x", "'csis-2025-05-russia-casualties'", "'ukmod-2025-06-russia-daily-rate'"),
    ),
    (
        "pool of two sides",
        '[inputs.x]\npool = ["csis-2025-05-russia-casualties",\n'
        '        "csis-2025-05-ukraine-casualties"]\n',
        2,
        ("pool mixes sides", "'csis-2025-05-ukraine-casualties'"),
    ),
    (
        "pool with a repeated id",
        '[inputs.x]\npool = ["csis-2025-05-russia-casualties", "ukmod-2025-05-russia-casualties",'
        ' "csis-2025-05-russia-casualties"]\n',
        2,
        ("inputs.x", "'csis-2025-05-russia-casualties' more than once"),
    ),
    ("digits string", ONE + '[report]\ndigits = "x"\n', 4, ("report.digits", "got a string")),
    ("digits zero", ONE + "[report]\ndigits = 0\n", 4, ("report.digits", "1 to 6", "got 0")),
    ("digits seven", ONE + "[report]\ndigits = 7\n", 4, ("report.digits", "got 7")),
    ("digits bool", ONE + "[report]\ndigits = true\n", 4, ("report.digits",)),
    ("digits float", ONE + "[report]\ndigits = 2.0\n", 4, ("report.digits", "got 2")),
    ("headline string", ONE + '[report]\nheadline = "x"\n', 4, ("report.headline", "a list")),
    ("headline number", ONE + "[report]\nheadline = [1]\n", 4, ("report.headline", "a string")),
    ("report key", ONE + "[report]\ndigit = 2\n", 4, ("did you mean 'digits'",)),
    ("draw derived", ONE + '[derived]\ndraw = "x * 2"\n', 4, ("'draw'",)),
    ("draw input", "[inputs.draw]\nrange = [1, 2]\n", 1, ("'draw'",)),
]


def _write(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "bad.toml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("content", "line", "fragments"),
    [pytest.param(*case[1:], id=case[0]) for case in BAD_FILES],
)
def test_a_bad_file_is_one_line_exit_2_before_simulating(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    content: str | bytes,
    line: int,
    fragments: tuple[str, ...],
) -> None:
    from attritionsim import cli, scenario

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("simulated a scenario that should have been refused")

    monkeypatch.setattr(scenario, "simulate", never)
    path = _write(tmp_path, content)
    out = tmp_path / "rep"
    status = cli.main(["run", str(path), "--draws", "1000", "--out", str(out)])
    captured = capsys.readouterr()
    assert status == 2, captured.err
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    prefix = f"attritionsim: error: {path}:{line}: "
    assert lines[0].startswith(prefix), lines[0]
    assert lines[0].count(str(path)) == 1, lines[0]  # exactly one file prefix
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]  # no report, no staging
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert f"attritionsim: error: {info.value}" == lines[0]


def test_model_errors_are_placed_on_the_line_of_the_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """Model errors quoting a name (Unicode ones too) get that name's file:line prefix."""
    from attritionsim import scenario

    class Refusing(scenario.Model):
        def __post_init__(self) -> None:
            names = [*self.inputs, *self.derived]
            raise InputError(f"quantity names {names[0]!r} and {names[1]!r} clash; rename one")

    monkeypatch.setattr(scenario, "Model", Refusing)
    text = '[inputs."ﬁre"]\nrange = [1, 2]\n\n[inputs.fire]\nrange = [1, 2]\n'
    with pytest.raises(InputError) as info:
        parse_scenario(text, name="s.toml")
    assert str(info.value) == "s.toml:1: quantity names 'ﬁre' and 'fire' clash; rename one"
    text = ONE + '[derived]\ndraw = "x * 2"\n'
    with pytest.raises(InputError) as info:
        parse_scenario(text, name="s.toml")
    assert str(info.value) == "s.toml:4: quantity names 'x' and 'draw' clash; rename one"


def test_unicode_duplicate_names_are_refused_on_their_line() -> None:
    text = '[inputs."ﬁre"]\nrange = [1, 2]\n\n[inputs.fire]\nrange = [1, 2]\n'
    with pytest.raises(InputError) as info:
        parse_scenario(text, name="s.toml")
    assert re.match(r"s\.toml:[14]: ", str(info.value)), str(info.value)
    assert "'ﬁre'" in str(info.value) or "'fire'" in str(info.value)


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + ONE.encode())
    assert load_scenario(path).model.random_inputs == ("x",)


def test_a_hash_or_bracket_inside_strings_is_not_nesting() -> None:
    brackets = "[" * 40
    text = (
        f"[scenario]\ntitle = \"{brackets} # not a comment\"\ndescription = '''\n{brackets}\n'''\n"
    )
    scenario = parse_scenario(text + ONE, name="s.toml")
    assert scenario.title == f"{brackets} # not a comment"
    assert scenario.description == f"{brackets}\n"


def test_the_largest_valid_settings_load() -> None:
    text = "[scenario]\ndraws = 1_000_000_000_000\nseed = 9223372036854775807\nlevel = 0.01\n"
    scenario = parse_scenario(text + ONE + "[report]\ndigits = 6\n", name="s.toml")
    assert (scenario.draws, scenario.seed, scenario.level, scenario.digits) == (
        10**12,
        2**63 - 1,
        0.01,
        6,
    )
    assert parse_scenario(ONE, name="s.toml").digits is None  # no cap: the MCSE decides


def test_report_digits_set_the_headline_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from attritionsim import cli

    text = '[scenario]\nseed = 1\n[inputs.x]\nrange = [100_000, 200_000]\nfamily = "normal"\n'
    shown = {}
    for digits in ("1", "3", None):
        path = tmp_path / f"d{digits}.toml"
        path.write_text(text + (f"[report]\ndigits = {digits}\n" if digits else ""), "utf-8")
        assert cli.main(["run", str(path), "--draws", "20000"]) == 0
        shown[digits] = capsys.readouterr().out.strip()
    assert shown["1"] == "X: 200,000 (90% CrI 100,000–200,000)"
    assert shown["3"] == "X: 150,000 (90% CrI 101,000–200,000)"
    assert shown[None] == "X: 150,300 (90% CrI 100,700–200,000)"  # as the MCSE allows
    with_out = {}
    for digits in ("1", None):
        status = cli.main(
            [
                "run",
                str(tmp_path / f"d{digits}.toml"),
                "--draws",
                "20000",
                "--out",
                str(tmp_path / f"out{digits}"),
            ]
        )
        assert status == 0
        with_out[digits] = capsys.readouterr().out.splitlines()[0].strip()
    assert with_out == {"1": shown["1"], None: shown[None]}


def test_an_arithmetic_failure_while_fitting_is_an_input_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from attritionsim import elicit

    def overflowing(*args: object, **kwargs: object) -> None:
        raise OverflowError("math range error")

    rules = {**elicit.QUALIFIERS}
    rules["range"] = dataclasses.replace(rules["range"], function=overflowing)
    monkeypatch.setattr(elicit, "QUALIFIERS", rules)
    with pytest.raises(InputError) as info:
        parse_scenario(ONE, name="s.toml")
    assert str(info.value) == (
        "s.toml:2: inputs.x: cannot fit a distribution to these figures (math range error)"
    )


# ------------------------------------------------------------------------------ qualifier table
def test_an_input_lists_every_kind_in_the_table_order() -> None:
    with pytest.raises(InputError) as info:
        parse_scenario('[inputs.x]\nunits = "people"\n', name="s.toml")
    assert str(info.value) == (
        "s.toml:1: inputs.x needs exactly one of range, approximately, up_to, at_least, nearly, "
        "more_than, pert, metalog, value, source, pool; got none"
    )


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            "up_to = 100\nshape = 2",
            "s.toml:3: unknown key 'shape' in [inputs.x]; valid: up_to, low, rel, family, level, "
            "units, long_name, domain, invalid",
        ),
        (
            "nearly = 5\nlow = 3",
            "s.toml:3: unknown key 'low' in [inputs.x]; valid: nearly, rel, family, level, units, "
            "long_name, domain, invalid",
        ),
        (
            "pert = [1, 2, 3]\nlevel = 0.9",
            "s.toml:3: unknown key 'level' in [inputs.x]; valid: pert, shape, units, long_name, "
            "domain, invalid",
        ),
        ("pert = [1, 2]", "s.toml:2: inputs.x.pert must list 3 numbers; got 2"),
        ("range = 5", "s.toml:2: inputs.x.range must be a list; got an integer"),
        ("approximately = [1, 2]", "s.toml:2: inputs.x.approximately must be a number; got a list"),
        ("metalog = 5", "s.toml:2: inputs.x.metalog must be a table; got an integer"),
    ],
)
def test_each_qualifier_takes_the_options_and_figure_of_its_rule(entry: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        parse_scenario(f"[inputs.x]\n{entry}\n", name="s.toml")
    assert str(info.value) == message


def test_two_sided_rules_take_the_scenario_level() -> None:
    text = "[scenario]\nlevel = 0.5\n[inputs.r]\nrange = [1, 2]\n[inputs.u]\nup_to = 10\n"
    inputs = parse_scenario(text, name="s.toml").model.inputs
    assert inputs["r"].interval(0.5) == pytest.approx((1.0, 2.0))
    assert inputs["u"].support == pytest.approx((8.0, 10.0))  # a bound: level 1, not 0.5


# ---------------------------------------------------------------------- issue 10: a cold user test
COLD: list[tuple[str, str, str]] = [
    (
        "scenario level 1",
        "[scenario]\nlevel = 1\n" + ONE,
        "s.toml:2: scenario.level must be in [0.01, 1) (e.g. 0.9 for a 90% interval); got 1",
    ),
    (
        "a name of 300 bytes",
        "[scenario]\ndraws = 10\n\n[inputs." + "a" * 300 + "]\nrange = [1, 2]\n",
        "s.toml:4: quantity name 'aaaaaaaaaaaaaaaaaaaa'… is 300 bytes long in UTF-8; at most 255 "
        "are allowed (the results file's limit on a name)",
    ),
    (
        "a name with a space",
        '[scenario]\ndraws = 10\n\n[inputs."a b"]\nrange = [1, 2]\n',
        "s.toml:4: quantity name 'a b' is not valid: use letters, digits and underscores, "
        "not starting with a digit (e.g. 'ru_killed')",
    ),
    (
        "a name with a slash",
        '[scenario]\ndraws = 10\n\n[inputs."x/y"]\nrange = [1, 2]\n',
        "s.toml:4: quantity name 'x/y' is not valid: use letters, digits and underscores, "
        "not starting with a digit (e.g. 'ru_killed')",
    ),
    (
        "a name with a dash",
        "[scenario]\ndraws = 10\n\n" + ONE + "\n[inputs.ru-cas]\nrange = [1, 2]\n",
        "s.toml:7: quantity name 'ru-cas' is not valid: use letters, digits and underscores, "
        "not starting with a digit (e.g. 'ru_killed')",
    ),
    (
        "a bare TOML date",
        "[inputs.d]\nvalue = 2025-01-01\n",
        "s.toml:2: inputs.d.value: a bare TOML date (2025-01-01) is not read as a date; quote it: "
        'value = "2025-01-01"',
    ),
    (
        "a bare TOML date-time",
        "[inputs.d]\nvalue = 2025-01-01T12:00:00\n",
        "s.toml:2: inputs.d.value: a bare TOML date (2025-01-01T12:00:00) is not read as a date; "
        'quote it: value = "2025-01-01"',
    ),
    (
        "a bare date for a number",
        "[inputs.x]\napproximately = 2025-01-01\n",
        "s.toml:2: inputs.x.approximately must be a number; got the bare TOML date 2025-01-01",
    ),
    (
        "draws as a float",
        "[scenario]\ndraws = 2000.0\n" + ONE,
        "s.toml:2: scenario.draws must be a positive integer; got 2000.0, a float (write 2000)",
    ),
    (
        "chunk size as a fraction",
        "[scenario]\nchunk_size = 2.5\n" + ONE,
        "s.toml:2: scenario.chunk_size must be a positive integer; got 2.5, a float",
    ),
    (
        "units of an unknown quantity",
        "[scenario]\ndraws = 10\n\n" + ONE + '\n[units]\nx = "people"\nnosuch = "people"\n',
        "s.toml:9: units: a quantity='nosuch' is not one of 'x'",
    ),
    (
        "a long name of an unknown quantity",
        "[scenario]\ndraws = 10\n\n" + ONE + '\n[long_names]\n\nnosuch = "people"\n',
        "s.toml:9: long_names: a quantity='nosuch' is not one of 'x'",
    ),
    (
        "approximately a negative figure",
        "[inputs.x]\napproximately = -1000\n",
        "s.toml:2: inputs.x: approximately -1,000: a lognormal reading needs a positive figure; "
        "use family='normal' for a quantity that can be negative",
    ),
    (
        "up to zero",
        "[inputs.x]\nup_to = 0\n",
        "s.toml:2: inputs.x: up_to 0: the figure must be positive (the unstated low end is 0.8 "
        "times it); give low= for a bound at or below zero",
    ),
    (
        "a hash in an expression",
        ONE + '[derived]\nq = "x # doubled"\n',
        "s.toml:4: derived quantity 'q': '#' at column 3 of 'x # doubled' is not part of the "
        "expression language (it is not a comment either); remove it",
    ),
]


@pytest.mark.parametrize(("text", "message"), [pytest.param(*c[1:], id=c[0]) for c in COLD])
def test_cold_user_errors_are_placed_and_plain(text: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        parse_scenario(text, name="s.toml")
    assert str(info.value) == message


def test_an_input_level_of_1_is_still_a_hard_range() -> None:
    text = '[scenario]\nlevel = 0.5\n[inputs.x]\nrange = [1, 2]\nfamily = "uniform"\nlevel = 1\n'
    assert parse_scenario(text, name="s.toml").model.inputs["x"].support == (1.0, 2.0)


DATES = """\
[scenario]
draws = 100

[inputs.d0]
value = "2025-01-01"
[inputs.a]
range = [900_000, 1_000_000]
[inputs.b]
range = [1_000, 1_500]

[derived]
"""


@pytest.mark.parametrize(
    ("derived", "message"),
    [
        (
            'q = "d0 + 1"',
            "s.toml:12: derived quantity 'q': cannot evaluate 'd0 + 1': '+' cannot add a number "
            "to a date; use days(...) or a date difference: days(end - start) is the number of "
            "days between two dates",
        ),
        (
            "q = \"crossing_date(a, b, 2_000_000, '2025-01-01') > 5\"",
            "s.toml:12: derived quantity 'q': cannot evaluate \"crossing_date(a, b, 2_000_000, "
            "'2025-01-01') > 5\": '>' cannot compare a date with a number; compare with a date "
            "like '2025-06-01'",
        ),
        (
            'ok = "a / b"\nr = "crossing_date(a, b, 2_000_000, 20250101)"',
            "s.toml:13: derived quantity 'r': cannot evaluate 'crossing_date(a, b, 2_000_000, "
            "20250101)': start must be dates ('YYYY-MM-DD' strings, datetime.date or "
            "numpy.datetime64); got 20,250,101",
        ),
        (
            "r = \"implied_rate(a, '2025-01-01', b, '2025-01-01')\"",
            "s.toml:12: derived quantity 'r': cannot evaluate \"implied_rate(a, '2025-01-01', b, "
            "'2025-01-01')\": date_a and date_b are the same (2025-01-01T00:00:00); an implied "
            "rate needs two different dates",
        ),
    ],
)
def test_derived_errors_are_found_at_load_on_their_line(
    monkeypatch: pytest.MonkeyPatch, derived: str, message: str
) -> None:
    from attritionsim import scenario

    calls: list[int] = []
    trial = scenario.simulate

    def counted(model: object, draws: int, *args: object, **kwargs: object) -> object:
        calls.append(draws)
        return trial(model, draws, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(scenario, "simulate", counted)
    with pytest.raises(InputError) as info:
        parse_scenario(DATES + derived + "\n", name="s.toml")
    assert str(info.value) == message
    assert calls == [2]  # a trial on two draws, never the scenario's 100


def test_derived_errors_while_running_are_placed_on_their_line() -> None:
    from attritionsim.expr import register_function, unregister_function

    @register_function("fussy")
    def fussy(x: np.ndarray) -> np.ndarray:
        if np.size(x) > 2:  # passes the two-draw trial at load, fails in the run
            raise InputError("fussy() takes at most two draws")
        return x

    try:
        loaded = parse_scenario(DATES + 'q = "fussy(a)"\n', name="s.toml")
        assert loaded.places == {"q": "s.toml:12"}
        with pytest.raises(InputError) as info:
            loaded.run(draws=10)
    finally:
        unregister_function("fussy")
    assert str(info.value) == (
        "s.toml:12: derived quantity 'q': cannot evaluate 'fussy(a)': fussy() takes at most two "
        "draws"
    )


def test_only_regular_files_up_to_10_mb_are_read(tmp_path: Path) -> None:
    import os

    with pytest.raises(InputError) as info:
        load_scenario(tmp_path)
    assert str(info.value) == f"{tmp_path}: not a file (a folder); give a scenario TOML file"
    with pytest.raises(InputError) as info:
        load_scenario("/dev/zero")  # endless: was a MemoryError
    assert str(info.value) == "/dev/zero: not a file (a device); give a scenario TOML file"
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(InputError) as info:
        load_scenario(fifo)  # nobody writes to it: reading it would hang
    assert str(info.value) == f"{fifo}: not a file (a pipe); give a scenario TOML file"
    big = tmp_path / "big.toml"
    with big.open("wb") as handle:
        handle.truncate(10_000_001)  # sparse: no disk needed
    with pytest.raises(InputError) as info:
        load_scenario(big)
    assert str(info.value) == (
        f"{big}: the scenario is 10,000,001 bytes long; at most 10,000,000 (10 MB) are read "
        "(a scenario needs a few kilobytes)"
    )


def test_names_up_to_255_utf8_bytes_reach_the_results_file(tmp_path: Path) -> None:
    from attritionsim import Model, from_range, simulate
    from attritionsim.resultsfile import read_results, write_results

    longest = "é" * 127 + "a"  # 255 bytes in UTF-8, 128 characters
    ds = simulate(Model({longest: from_range(1, 2)}, {"y": f"{longest} * 2"}), 3, seed=1)
    write_results(ds, tmp_path / "results.nc")
    back = read_results(tmp_path / "results.nc")
    assert back[longest].values.tolist() == ds[longest].values.tolist()
    with pytest.raises(InputError) as info:
        Model({"é" * 128: 1.0})
    assert str(info.value) == (
        "quantity name 'éééééééééééééééééééé'… is 256 bytes long in UTF-8; at most 255 are "
        "allowed (the results file's limit on a name)"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "[inputs.a]\nmetalog = {0.1 = 1, 0.10 = 2, 0.9 = 3}\n",
            "s.toml:2: inputs.a.metalog gives the probability 0.1 twice (as '0.10')",
        ),
        (
            "[inputs.a]\napproximately = 100\nrel = 5\n",
            "s.toml:3: inputs.a: rel=5 must be below 1 for a lognormal reading of approximately "
            "100 (the range would reach zero); use family='normal' for a spread that wide",
        ),
    ],
)
def test_second_cold_test_messages(body: str, message: str) -> None:
    with pytest.raises(InputError) as err:
        parse_scenario(body, name="s.toml")
    assert str(err.value) == message


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            'more_than = -10_000\nunits = "people"',
            "s.toml:3: inputs.cas.more_than = -10,000 is outside the quantity's domain [0, inf) "
            "(units 'people'); a one-sided figure is a bound inside it",
        ),
        (
            'at_least = 1.5\nunits = "share"',
            "s.toml:3: inputs.cas.at_least = 1.5 is outside the quantity's domain [0%, 100%] "
            "(units 'share'); a one-sided figure is a bound inside it",
        ),
        (
            "nearly = 20\ndomain = [0, 10]",
            "s.toml:3: inputs.cas.nearly = 20 is outside the quantity's domain [0, 10] (the "
            "declared domain); a one-sided figure is a bound inside it",
        ),
    ],
)
def test_a_one_sided_figure_outside_its_domain_is_refused(line: str, message: str) -> None:
    # cold test of issue 13: "more_than = -10_000" people was accepted at load
    with pytest.raises(InputError) as err:
        parse_scenario(f"[inputs.cas]\n\n{line}\n", name="s.toml")
    assert str(err.value) == message


def test_a_one_sided_figure_inside_its_domain_loads() -> None:
    scenario = parse_scenario('[inputs.cas]\nmore_than = 0.5\nunits = "share"\n', name="s.toml")
    assert "cas" in scenario.model.inputs
