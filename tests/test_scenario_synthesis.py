"""Scenario files: ``[synthesis.NAME]`` tables, read, checked with file:line, and run."""

from __future__ import annotations

import numpy as np
import pytest

import attritionsim as asim
from attritionsim.distributions import Distribution
from attritionsim.errors import InputError
from attritionsim.scenario import parse_scenario

BASE = """\
[scenario]
seed = 7

[inputs.ru]
approximately = 900_000
"""


def _parse(table: str) -> asim.Scenario:
    return parse_scenario(BASE + "\n[synthesis.ru]\n" + table, name="s.toml")


def test_a_synthesis_table_is_read_and_runs() -> None:
    scenario = _parse(
        'long_name = "Russian casualties"\n'
        'observations = ["csis-2025-05-russia-casualties",\n'
        '                {date = "2025-01-01", approximately = 800_000, label = "mine"}]\n'
        'rates = [{start = "2025-06-01", end = "2025-07-01", range = [900, 1_200]}]\n'
        'periods = [["2025-01-01", "2025-05-31"]]\n'
        'crossed_by = ["2025-06-30"]\n'
        'dates = ["2025-09-01"]\n'
        "thresholds = [1_000_000]\n"
        "draws = 500\n"
        "outlier = 0.1\n"
        "rate_walk = 0.4\n"
        "bias = {csis = {range = [0.9, 1.2]}}\n"
    )
    settings = scenario.syntheses["ru"]
    assert settings.place == "s.toml:7"
    assert settings.long_name == "Russian casualties"
    assert [getattr(o, "id", None) for o in settings.observations] == [
        "csis-2025-05-russia-casualties",
        None,
    ]
    when, dist, label = settings.observations[1]
    assert (when, label) == ("2025-01-01", "mine")
    assert float(dist.median()) == pytest.approx(800_000.0, rel=1e-12)
    assert settings.rates[0][:2] == ("2025-06-01", "2025-07-01")
    assert settings.dates == ("2025-01-01", "2025-05-31", "2025-06-30", "2025-09-01")
    assert (settings.thresholds, settings.draws, settings.seed) == ((1e6,), 500, 7)
    assert settings.options["outlier"] == 0.1 and settings.options["rate_walk"] == 0.4
    assert isinstance(settings.options["bias"]["csis"], Distribution)
    syn = scenario.run_syntheses(draws=300)["ru"]
    assert syn.attrs["draws"] == 300  # draws caps the table's 500
    assert syn.attrs["synthesis"] == "ru"
    assert syn.attrs["outlier"] == 0.1
    assert list(syn["source"].values) == [
        "csis-2025-05-russia-casualties",
        "mine",
        "synthesis.ru.rates[0]",
    ]
    assert (syn["cumulative"].diff("date") >= 0).all()
    again = scenario.run_syntheses(draws=300)["ru"]
    np.testing.assert_array_equal(again["cumulative"].values, syn["cumulative"].values)


def test_a_catalogue_query_reads_the_sides_whole_record() -> None:
    settings = _parse('catalogue = {side = "russia", until = "2023-12-31"}\n').syntheses["ru"]
    expected = asim.load_catalogue().query(
        side="russia",
        measure=["casualties", "period_casualties", "daily_rate", "monthly_rate"],
        until="2023-12-31",
    )
    assert [r.id for r in settings.observations] == [r.id for r in expected]
    assert settings.draws == 100_000


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("draws = 50\nobservations = [\"csis-2025-05-russia-casualties\"]\n",
         "s.toml:8: synthesis.ru.draws must be an integer from 100 to 10,000,000; got 50"),
        # the synthesis's own ceiling (synthesize's), not every backend's 1e12
        ("draws = 100_000_000\nobservations = [\"csis-2025-05-russia-casualties\"]\n",
         "s.toml:8: synthesis.ru.draws must be an integer from 100 to 10,000,000; "
         "got 100,000,000"),
        ("draws = 2_000_000_000_000\nobservations = [\"csis-2025-05-russia-casualties\"]\n",
         "s.toml:8: synthesis.ru.draws must be an integer from 100 to 10,000,000; "
         "got 2,000,000,000,000"),
        ('observations = ["no-such-record"]\n',
         "s.toml:8: synthesis.ru.observations[0]: no record with id 'no-such-record' in this "
         "catalogue of 250; `attritionsim sources` lists every id"),
        # one short line: the nearest ids (a mistyped publisher first), never all 250
        ('observations = ["nosuch-2025-05-russia-casualties"]\n',
         "s.toml:8: synthesis.ru.observations[0]: no record with id "
         "'nosuch-2025-05-russia-casualties' in this catalogue of 250 (did you mean "
         "'csis-2025-05-russia-casualties' or 'ukmod-2025-05-russia-casualties' or "
         "'ukosce-2025-01-russia-casualties'?); `attritionsim sources` lists every id"),
        ('observations = [{date = "2024-01-01", approximately = 3e5, label = "a"},\n'
         '                {date = "2024-06-01", approximately = 4e5, label = "a"}]\n',
         "s.toml:8: synthesis.ru.observations[1]: label 'a' is already the label of "
         "synthesis.ru.observations[0]; give each source its own label"),
        ('observations = ["csis-2025-05-russia-casualties"]\n'
         'rates = [{start = "2025-01-01", end = "2025-02-01", approximately = 900, '
         'label = "csis-2025-05-russia-casualties"}]\n',
         "s.toml:9: synthesis.ru.rates[0]: label 'csis-2025-05-russia-casualties' is already "
         "a catalogue record's id; give each source its own label"),
        ('observations = ["csis-2025-05-ukraine-casualties", "csis-2025-05-russia-casualties"]\n',
         "s.toml:8: record 'csis-2025-05-russia-casualties' is about 'russia' but "
         "'csis-2025-05-ukraine-casualties' about 'ukraine'; a synthesis is about one side"),
        ('observations = ["csis-2025-05-russia-killed"]\n',
         "s.toml:8: record 'csis-2025-05-russia-killed' measures 'killed'; a synthesis reads"),
        ('observations = ["csis-2025-05-russia-casualties", "csis-2025-05-russia-casualties"]\n',
         "s.toml:8: synthesis.ru lists 'csis-2025-05-russia-casualties' more than once"),
        ('observations = [{date = "2021-01-01", approximately = 5}]\n',
         "s.toml:8: synthesis.ru.observations[0]: date 2021-01-01 is not after the process "
         "start 2022-02-24; set start = an earlier date"),
        ('observations = [{date = "2025-13-01", approximately = 5}]\n',
         "s.toml:8: synthesis.ru.observations[0].date must be a date 'YYYY-MM-DD'; "
         "got '2025-13-01'"),
        ('observations = [{date = "2025-01-01", approximatly = 5}]\n',
         "s.toml:8: synthesis.ru.observations[0]: unknown key 'approximatly' "
         "(did you mean 'approximately'?)"),
        ('observations = [{date = "2025-01-01"}]\n',
         "s.toml:8: synthesis.ru.observations[0] needs exactly one of"),
        ('observations = [{date = "2025-01-01", value = -3}]\n',
         "s.toml:8: synthesis.ru.observations[0].value must be a number > 0; got -3.0"),
        ('observations = [{date = "2025-01-01", range = [1, 5], family = "normal"}]\n',
         "s.toml:8: synthesis.ru.observations[0]: "),
        ('observations = [3]\n',
         "s.toml:8: synthesis.ru.observations[0] must be a catalogue id or an inline table"),
        ('rates = [{start = "2025-02-01", end = "2025-01-01", approximately = 900}]\n',
         "s.toml:8: synthesis.ru.rates[0]: end 2025-01-01 must be after start 2025-02-01"),
        ('rates = [{end = "2025-01-01", approximately = 900}]\n',
         "s.toml:8: synthesis.ru.rates[0] needs start"),
        ('long_name = "x"\n', "s.toml:7: synthesis.ru needs at least one of observations, rates "
         "or catalogue"),
        ('catalogue = {side = "russia"}\nthresholds = [0]\n',
         "s.toml:9: synthesis.ru.thresholds[0] must be > 0; got 0"),
        ('catalogue = {side = "russia"}\noutlier = 0.5\n',
         "s.toml:9: synthesis.ru.outlier must be a number [0, 0.5); got 0.5"),
        ('catalogue = {side = "russia"}\nrate_walk = 0\n',
         "s.toml:9: synthesis.ru.rate_walk must be a number in (0, 10]; got 0"),
        ('catalogue = {side = "russia"}\nrate_walk = 20\n',
         "s.toml:9: synthesis.ru.rate_walk must be a number in (0, 10]; got 20"),
        ('catalogue = {side = "russia"}\nwiden = 0.5\n',
         "s.toml:9: synthesis.ru.widen must be a number in [1, 10]; got 0.5"),
        ('catalogue = {side = "russia"}\nwiden = 50\n',
         "s.toml:9: synthesis.ru.widen must be a number in [1, 10]; got 50"),
        ('catalogue = {side = "russia"}\nmoves = 0\n',
         "s.toml:9: synthesis.ru.moves must be an integer from 1 to 100; got 0"),
        ('catalogue = {side = "russia"}\nmoves = 500\n',
         "s.toml:9: synthesis.ru.moves must be an integer from 1 to 100; got 500"),
        ('catalogue = {side = "russia"}\ntallies = "uagenstaff"\n',
         "s.toml:9: synthesis.ru.tallies must be a list; got a string"),
        ('catalogue = {side = "russia"}\ntallies = ["uagenstaff", ""]\n',
         "s.toml:9: synthesis.ru.tallies[1] must be a publisher slug"),
        ('catalogue = {side = "russia"}\ngrid = "yes"\n',
         "s.toml:9: synthesis.ru.grid must be true or false; got a string"),
        ('catalogue = {side = "russia"}\nperiods = [["2025-01-01"]]\n',
         "s.toml:9: synthesis.ru.periods[0] must be [start, end] dates"),
        ('catalogue = {side = "russia"}\nbias = {nobody = {range = [1, 2]}}\n',
         "s.toml:9: synthesis.ru.bias.nobody: no source of synthesis.ru is from publisher "
         "'nobody' (an id's first word); publishers here: cnn, csis, meduza, uagenstaff, "
         "ukmod, ukosce, zelensky"),
        ('catalogue = {side = "russia"}\nbias = {ukmod = {value = 1.2}}\n',
         "s.toml:9: synthesis.ru.bias.ukmod must be a distribution"),
        ('catalogue = {side = "russland"}\n', "s.toml:8: synthesis.ru.catalogue: "),
        ('catalogue = {side = "russia"}\nseeds = 3\n',
         "s.toml:9: unknown key 'seeds' in [synthesis.ru] (did you mean 'seed'?)"),
        ('catalogue = {side = "russia"}\nstart = "2024-01-01"\n',
         "s.toml:8: record 'csis-2023-02-russia-casualties' is dated 2023-02-24, not after "
         "the process start 2024-01-01"),
    ],
)  # fmt: skip
def test_synthesis_errors_name_file_line_and_key(table: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        _parse(table)
    assert str(caught.value).startswith(message), str(caught.value)
    assert "\n" not in str(caught.value)


def test_synthesis_errors_at_run_time_are_placed() -> None:
    scenario = _parse('observations = [{date = "2025-01-01", approximately = 800_000}]\n')
    with pytest.raises(InputError, match=r"^draws"):
        scenario.run_syntheses(draws=0)
    bad = scenario.syntheses["ru"]
    with pytest.raises(InputError, match=r"^s\.toml:7: synthesis\.ru: "):
        type(bad)(**{**bad.__dict__, "options": {"widen": 0.5}}).run(draws=200)


def test_the_scenarios_bounds_are_synthesizes() -> None:
    """Every bound the table checks at load is one synthesize checks: the edges load and run."""
    from attritionsim.synthesis import MAX_DRAWS, MAX_MOVES, MAX_RATE_WALK, MAX_WIDEN

    assert (MAX_DRAWS, MAX_MOVES, MAX_RATE_WALK, MAX_WIDEN) == (10_000_000, 100, 10.0, 10.0)
    scenario = _parse(
        'observations = [{date = "2025-01-01", approximately = 800_000}]\n'
        f"moves = {MAX_MOVES}\nrate_walk = {MAX_RATE_WALK}\nwiden = {MAX_WIDEN}\n"
        f"draws = {MAX_DRAWS}\n"
        'tallies = ["mine"]\n'
    )
    settings = scenario.syntheses["ru"]
    assert settings.draws == MAX_DRAWS
    assert settings.options["tallies"] == ("mine",)
    syn = settings.run(draws=200)  # synthesize takes every edge the table took
    assert (syn.attrs["moves"], syn.attrs["rate_walk"], syn.attrs["widen"]) == (100, 10.0, 10.0)
    assert syn.attrs["tallies"] == "mine"
