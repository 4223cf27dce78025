"""The report's synthesis parts: fan chart, wording of censored dates, tension table, results."""

from __future__ import annotations

import dataclasses
import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import xarray as xr

import attritionsim as asim
from attritionsim import report
from attritionsim.errors import AttritionWarning
from attritionsim.resultsfile import read_results, result_groups
from attritionsim.scenario import parse_scenario

SCENARIO = """\
[scenario]
title = "Ukrainian losses"
seed  = 11
draws = 1000

[inputs.ua_dec]
source = "csis-2025-12-ukraine-casualties"

[synthesis.ua]
long_name    = "Ukrainian casualties"
observations = ["csis-2025-05-ukraine-casualties", "csis-2025-12-ukraine-casualties",
                {date = "2024-09-15", approximately = 380_000, label = "wsj-sep-2024"}]
rates        = [{start = "2025-06-01", end = "2025-07-01", range = [200, 400], label = "summer"}]
crossed_by   = ["2025-01-01"]
dates        = ["2026-03-01"]
thresholds   = [THRESHOLDS]
draws        = 600
seed         = 5
"""


def _scenario(thresholds: str = "300_000, 2_000_000", side: str = "ukraine") -> asim.Scenario:
    text = SCENARIO.replace("THRESHOLDS", thresholds).replace("ukraine", side)
    adjective = {"ukraine": "Ukrainian", "russia": "Russian"}[side]
    return parse_scenario(text.replace("Ukrainian", adjective), name="ua.toml")


def _synthesized(scenario: asim.Scenario) -> Any:
    with warnings.catch_warnings():  # a threshold no path reaches is warned of (tested below)
        warnings.filterwarnings("ignore", "(?s).*do not reach the threshold", AttritionWarning)
        (found,) = report._run_syntheses(scenario, None, None, 0.9, None)
    return found


@pytest.fixture(scope="module")
def ukrainian() -> Any:
    return _synthesized(_scenario())


# ------------------------------------------------------------------------------ the fan
def _labels(ax: Any) -> list[str]:
    return [text.get_text() for text in ax.get_legend().get_texts()]


def test_a_ukrainian_fan_draws_no_claim_of_russian_losses(ukrainian: Any) -> None:
    fig, note = report._synthesis_fan(ukrainian, 0.9)
    assert [line.get_gid() for ax in fig.axes for line in ax.lines].count("observed") == 0
    assert not any("General Staff" in label for label in _labels(fig.axes[0]))
    assert note == "; right: around the threshold"


def test_a_russian_fan_draws_the_general_staffs_claims_labelled_as_what_they_are() -> None:
    found = _synthesized(_scenario(side="russia", thresholds="300_000"))
    fig, _ = report._synthesis_fan(found, 0.9)
    left, right = fig.axes
    observed = [line for line in left.lines if line.get_gid() == "observed"]
    assert len(observed) == 1
    assert "Russian personnel losses claimed by Ukraine's General Staff" in _labels(left)
    assert any(line.get_gid() == "observed" for line in right.lines)


def test_a_threshold_no_path_reaches_gets_no_zoom_and_no_line(
    ukrainian: Any, tmp_path: Path
) -> None:
    never = dataclasses.replace(ukrainian, threshold=2_000_000.0)
    fig, note = report._synthesis_fan(never, 0.9)
    (ax,) = fig.axes  # no empty "around the threshold" panel
    assert note == "; no path reaches 2,000,000 by 1 March 2026"
    assert not any(line.get_gid() == "threshold" for line in ax.lines)
    assert ax.get_ylim()[1] < 1_500_000  # the axis is not stretched to the threshold
    fig.savefig(tmp_path / "fan.png")


# ------------------------------------------------------------------------------ wording
@pytest.mark.parametrize(
    ("count", "total", "text"),
    [(10, 10, "100%"), (49, 1000, "4.9%"), (623, 1000, "62%"), (999, 1000, ">99%"),
     (1, 10_000, "<0.1%"), (15, 10_000, "0.15%")],
)  # fmt: skip
def test_percent_of_paths(count: int, total: int, text: str) -> None:
    assert report._percent_of(count, total) == text


def test_censored_crossings_are_said_in_words(ukrainian: Any) -> None:
    sentences = report.synthesis_sentences(ukrainian.quantities)
    never = next(s for s in sentences if "pass 2,000,000" in s)
    assert never == (
        "Ukrainian casualties pass 2,000,000 (on the synthesized paths): not reached by "
        "1 March 2026 in 100% of paths"
    )
    assert not any("e+0" in s or "never" in s for s in sentences)
    crossing = ukrainian.quantities["crossing_300000"].copy()
    values = crossing.values.copy()
    values[:30] = np.datetime64("NaT")  # 5% of the 600 paths not there by the last date
    part = crossing.copy(data=values)
    part.attrs["censored"] = 30
    (sentence,) = report.synthesis_sentences(xr.Dataset({"crossing_300000": part}))
    assert sentence.endswith("; not reached by 1 March 2026 in 5% of paths")
    assert "never" not in sentence


# ------------------------------------------------------------------------------ tension
def test_tension_table_marks_rough_p_and_reads_inline_sources(ukrainian: Any) -> None:
    p = ukrainian.tension
    khat = np.array([0.9 if s == "summer" else 0.1 for s in p["source"].values])
    rough = p.assign_coords(pareto_k=("source", khat))
    lines = report.tension_table(ukrainian.syn, rough, [], asim.load_catalogue(), 0.9)
    rows = {line.split(" | ")[0].strip("| `"): line for line in lines if line.startswith("| `")}
    summer = rows["summer"].split(" | ")
    # no publisher for an inline source, its reading as median and interval, the p marked
    assert summer[1:4] == ["—", "2025-06-01 – 2025-07-01", "283/day (90%: 200–400)"]
    assert summer[4].startswith("≈") and summer[4].endswith("†")
    wsj = rows["wsj-sep-2024"].split(" | ")
    assert wsj[1:4] == ["—", "2024-09-15", "380,000 (90%: 342,000–422,000)"]
    assert "†" not in wsj[4] and "LogNormal" not in "".join(lines)
    assert rows["csis-2025-05-ukraine-casualties"].split(" | ")[1] == "CSIS"
    note = next(line for line in lines if line.startswith("† "))
    assert note.startswith("† 1 of 4 sources have k̂ above 0.7: ")
    assert "More draws" in note
    plain = report.tension_table(ukrainian.syn, p.assign_coords(pareto_k=("source", 0 * khat)), [])
    assert not any("†" in line for line in plain)


# ------------------------------------------------------------------------------ the folder
@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "out"
    # the 2,000,000 threshold is out of reach: its headline warns (not "never": "not by")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", AttritionWarning)
        report.write_report(_scenario(), out)
    said = [str(w.message) for w in caught if issubclass(w.category, AttritionWarning)]
    assert any("do not reach the threshold by 1 March 2026" in m for m in said), said
    return out


def test_results_nc_holds_the_synthesis_to_summarize_again(written: Path) -> None:
    path = written / "results.nc"
    assert result_groups(path) == ["synthesis/ua"]
    root = read_results(path)
    assert "crossing_300000" not in root  # the root is the model's run, as before
    again = asim.summarize(read_results(path, group="synthesis/ua"))
    summary = json.loads((written / "summary.json").read_text(encoding="utf-8"))
    section = summary["synthesis"]["ua"]
    assert section["results_group"] == "synthesis/ua"
    assert (again["seed"], again["draws"], again["method"]) == (5, 600, "smc")
    assert again["quantities"] == section["quantities"]
    with pytest.raises(asim.InputError) as err:
        read_results(path, group="synthesis/ru")
    assert str(err.value) == (
        f"results file '{path}' has no group 'synthesis/ru'; its groups: synthesis/ua"
    )


def test_censored_entries_say_after_which_date(written: Path) -> None:
    summary = json.loads((written / "summary.json").read_text(encoding="utf-8"))
    entry = summary["synthesis"]["ua"]["quantities"]["crossing_2000000"]
    assert (entry["never"], entry["not_by"]) == (1.0, "2026-03-01")
    text = (written / "report.md").read_text(encoding="utf-8")
    assert "| crossing_2000000 |  | not by 2026-03-01 (100.0% of draws) |" in text
    assert "never (" not in text and "100.0% never" not in text
    assert (
        "Their draws are in `results.nc`, group `synthesis/ua` (`attritionsim summarize "
        "results.nc --group synthesis/ua`)."
    ) in text
    # no empty chart for a threshold no path reaches; the reached one's is drawn
    stems = {p.stem for p in (written / "figures").glob("*.png")}
    assert "synthesis_ua_crossing_300000_cdf" in stems
    assert "synthesis_ua_crossing_2000000_cdf" not in stems


def test_crossing_chart_legend_says_not_by_the_last_date(ukrainian: Any) -> None:
    crossing = ukrainian.quantities["crossing_300000"].copy()
    values = crossing.values.copy()
    values[:60] = np.datetime64("NaT")
    fig, caption = report._crossing_figure(crossing.copy(data=values), 300_000.0, "it", {})
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "not crossed by 1 Mar 2026: 10.0% of draws" in labels
    assert caption.endswith("; 10.0% do not cross by 1 Mar 2026")
