"""The report's settings from the scenario ([report] threshold, marked_dates, sensitivity), and
the content of its figures: what an editor would check before printing them (issue 13)."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pytest
import xarray as xr
from matplotlib import ticker
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

import attritionsim.report
from attritionsim.errors import AttritionWarning, InputError
from attritionsim.plots import plot_crossing_cdf
from attritionsim.report import default_scenario, write_report
from attritionsim.scenario import parse_scenario

SMALL = """\
[scenario]
draws = 2000
seed = 3

[inputs.ru]
range = [900_000, 1_000_000]

[inputs.ua]
approximately = 400_000

[inputs.killed]
range = [200_000, 250_000]

[inputs.rate]
range = [900, 1_100]

[inputs.two]
value = 2

[correlations]
pairs = [["ru", "killed", 0.5]]

[derived]
ratio = "ru / ua"
when = "crossing_date(ru, rate, 1_000_000, '2025-03-20')"
fixed = "two * 3"
in_band = "prob_between(ratio, 2, 2.5)"
"""


def _parse(report: str) -> Any:
    return parse_scenario(SMALL + "\n[report]\n" + report, name="s.toml")


# ------------------------------------------------------------------------------ settings
REPORT_LINE = SMALL.count("\n") + 3  # the line after "[report]"


@pytest.mark.parametrize(
    ("report", "message"),
    [
        ('threshold = "1e6"', "report.threshold must be a number; got a string"),
        (
            "threshold = 0",
            "report.threshold must be a number > 0 (the level crossing dates "
            "are about, e.g. 1_000_000); got 0",
        ),
        (
            "threshold = -5.5",
            "report.threshold must be a number > 0 (the level crossing dates "
            "are about, e.g. 1_000_000); got -5.5",
        ),
        ("threshold = true", "report.threshold must be a number; got a boolean"),
        ('marked_dates = "2025-06-30"', "report.marked_dates must be a list; got a string"),
        (
            'marked_dates = ["June"]',
            "report.marked_dates[0] must be a date 'YYYY-MM-DD'; got 'June'",
        ),
        ('marked_dates = [{label = "x"}]', 'report.marked_dates[0] needs date = "YYYY-MM-DD"'),
        (
            'marked_dates = [{date = 2025-06-30, lable = "x"}]',
            "unknown key 'lable' in [report.marked_dates] (did you mean 'label'?)",
        ),
        (
            'marked_dates = [{date = 2025-06-30, label = " "}]',
            "report.marked_dates[0].label must not be empty",
        ),
        (
            'marked_dates = ["2025-06-30", {date = 2025-06-30, label = "x"}]',
            "report.marked_dates[1]: the date 2025-06-30 is marked twice; list it once",
        ),
        ('sensitivity = "ratio"', "report.sensitivity must be a list; got a string"),
        (
            'sensitivity = ["ru"]',
            "report.sensitivity: 'ru' is an input; a sensitivity chart "
            "explains a derived quantity (ratio, when, fixed, in_band)",
        ),
        (
            'sensitivity = ["when"]',
            "report.sensitivity: 'when' holds dates; a sensitivity chart explains a number",
        ),
        (
            'sensitivity = ["in_band"]',
            "report.sensitivity: 'in_band' holds yes/no values; a sensitivity chart explains a "
            "number",
        ),
        (
            'sensitivity = ["fixed"]',
            "report.sensitivity: 'fixed' depends on no sampled input, so no input drives it",
        ),
        ('sensitivity = ["ratio", "ratio"]', "report.sensitivity lists 'ratio' twice"),
    ],
)
def test_report_settings_errors_name_file_line_and_key(report: str, message: str) -> None:
    with pytest.raises(InputError) as err:
        _parse(report)
    assert str(err.value).startswith(f"s.toml:{REPORT_LINE}: "), str(err.value)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_an_unknown_sensitivity_quantity_is_answered_with_the_closest_name() -> None:
    with pytest.raises(InputError, match=r"^s\.toml:\d+: report\.sensitivity.*'ration'.*ratio"):
        _parse('sensitivity = ["ration"]')


def test_report_settings_are_read() -> None:
    scenario = _parse(
        'threshold = 1_200_000\nmarked_dates = [{date = 2025-06-12, label = "GS"}, '
        '"2025-06-30"]\nsensitivity = ["ratio"]'
    )
    assert scenario.threshold == 1_200_000.0
    assert scenario.marked_dates == (("2025-06-12", "GS"), ("2025-06-30", ""))
    assert scenario.sensitivity == ("ratio",)
    bare = parse_scenario(SMALL, name="s.toml")
    assert (bare.threshold, bare.marked_dates, bare.sensitivity) == (None, (), None)


SYNTHESIS = """
[synthesis.ru]
observations = [{date = "2025-03-20", approximately = 900_000},
                {date = "2025-12-31", approximately = 1_200_000}]
draws = 200
"""


def test_a_synthesis_takes_the_reports_threshold_and_dates_written_once() -> None:
    text = SMALL + SYNTHESIS + '[report]\nthreshold = 1_100_000\nmarked_dates = ["2025-09-30"]\n'
    scenario = parse_scenario(text, name="s.toml")
    settings = scenario.syntheses["ru"]
    assert settings.thresholds == (1_100_000.0,)
    assert settings.crossed_by == ("2025-09-30",)
    # without [report] threshold, the report's threshold is the synthesis's own
    own = parse_scenario(SMALL + SYNTHESIS + "thresholds = [1_050_000]\n", name="s.toml")
    assert own.threshold == 1_050_000.0


def test_the_default_scenario_holds_the_reports_settings() -> None:
    scenario = default_scenario()
    assert scenario.threshold == 1_000_000.0
    assert [day for day, _ in scenario.marked_dates] == ["2025-06-12", "2025-06-30", "2025-08-31"]
    assert scenario.sensitivity == ("ratio_dec25",)
    assert scenario.syntheses["ru"].thresholds == (1_000_000.0,)
    assert scenario.syntheses["ru"].crossed_by == ("2025-06-12", "2025-06-30", "2025-08-31")
    source = Path(attritionsim.report.__file__).read_text(encoding="utf-8")
    assert "QUOTED_DATES" not in source and "passes 1,000,000" not in source
    assert "2025-06-30" not in source and "2025-08-31" not in source


# ------------------------------------------------------------------------------ figure checks
def _drawn(fig: Figure) -> Any:
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def _lines_box(ax: Any, gids: tuple[str, ...]) -> Bbox:
    boxes = []
    for line in ax.lines:
        if str(line.get_gid() or "").startswith(gids):
            xy = np.column_stack([line.get_xdata(), line.get_ydata()]).astype(float)
            xy = xy[np.all(np.isfinite(xy), axis=1)]
            xy[:, 1] = np.clip(xy[:, 1], *ax.get_ylim())  # axvline spans the axes
            boxes.append(
                Bbox.from_extents(
                    *ax.transData.transform(xy).min(0), *ax.transData.transform(xy).max(0)
                )
            )
    return Bbox.union(boxes)


def _check_crossing(fig: Figure) -> list[str]:
    """The checks every crossing chart passes; returns its legend texts."""
    ax = fig.axes[0]
    renderer = _drawn(fig)
    legend = ax.get_legend()
    box = legend.get_window_extent(renderer)
    assert not box.overlaps(_lines_box(ax, ("cdf", "quoted", "never")))
    assert box.y1 <= ax.get_window_extent(renderer).y0  # below the axes, off the data
    labels = [t for t in ax.get_xticklabels() if t.get_text()]
    assert len(labels) >= 3
    boxes = [t.get_window_extent(renderer) for t in labels]
    assert all(a.x1 < b.x0 for a, b in itertools.pairwise(boxes))  # none overlap
    assert ax.xaxis.get_offset_text().get_text() == ""  # no stray year label ...
    assert re.search(r"\d{4}", labels[0].get_text())  # ... the first tick names its year
    texts = [t.get_text() for t in legend.get_texts()]
    for text in texts:  # no label says its date twice ("30 June 2025 (30 Jun 2025)")
        days = re.findall(r"\d{1,2} [A-Z][a-z]+ \d{4}", text)
        assert len(days) == len(set(days)) <= 1, text
    return texts


def test_crossing_chart_dedupes_labels_and_leaves_far_dates_off_the_axis() -> None:
    days = np.random.default_rng(1).integers(0, 90, 4_000).astype("timedelta64[D]")
    da = xr.DataArray(np.datetime64("2025-05-01") + days, dims="draw", attrs={"long_name": "date"})
    quoted = {"30 June 2025": "2025-06-30", "GS": "2025-06-12", "far": "2023-01-01"}
    fig = plot_crossing_cdf(da, quoted=quoted, threshold=1_200_000)
    texts = _check_crossing(fig)
    ax = fig.axes[0]
    p_june = np.mean(da.values <= np.datetime64("2025-06-30"))
    assert f"30 Jun 2025: P = {p_june:.0%}" in texts
    assert "far, 1 Jan 2023: P < 0.08% (before the axis)" in texts  # not "0%" (issue 13)
    low, _ = ax.get_xlim()
    assert low > mdates.date2num(np.datetime64("2025-04-01"))  # not stretched back to 2023
    assert ax.get_title(loc="left") == "Probability that 1,200,000 is passed by each date"


@pytest.fixture(scope="module")
def default_figures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    drawn: dict[str, Any] = {}
    original = attritionsim.report.plots.save_figure

    def spy(fig: Figure, path: Any, **kwargs: Any) -> Any:
        drawn[Path(path).name] = fig
        return original(fig, path, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(attritionsim.report.plots, "save_figure", spy)
        out = tmp_path_factory.mktemp("figures") / "out"
        with pytest.warns(AttritionWarning, match="killed_share_rutte"):
            ds, sentences = write_report(default_scenario(), out, draws=2000)
    drawn["_ds"], drawn["_sentences"] = ds, sentences
    drawn["_md"] = (out / "report.md").read_text(encoding="utf-8")
    return drawn


def test_default_crossing_chart_names_the_threshold_and_marks_the_dates(
    default_figures: dict[str, Any],
) -> None:
    fig = default_figures["synthesis_ru_crossing_1000000_cdf"]
    texts = _check_crossing(fig)
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == "Date Russian casualties pass 1,000,000"
    marks = [t for t in texts if ": P = " in t]
    assert [t.split(": P")[0] for t in marks] == [
        "General Staff tally passes 1,000,000, 12 Jun 2025",
        "30 Jun 2025",
        "31 Aug 2025",
    ]
    low, high = ax.get_xlim()  # where the probability is: not back to 2023
    assert low > mdates.date2num(np.datetime64("2025-01-01"))
    assert high < mdates.date2num(np.datetime64("2026-06-01"))


def test_sources_forest_draws_each_reading_in_date_order_beside_the_synthesis(
    default_figures: dict[str, Any],
) -> None:
    ax = default_figures["sources_forest"].axes[0]
    ranges = [ln for ln in ax.lines if ln.get_gid() == "range"]
    estimates = [ln for ln in ax.lines if ln.get_gid() == "estimate"]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(ranges) == len(labels) == 4 and len(estimates) == 4
    assert [ln.get_ydata()[0] for ln in ranges] == [0, 1, 2, 3]
    dates = [np.datetime64(_iso(re.search(r"\((.*)\)", t).group(1))) for t in labels]
    assert dates == sorted(dates)
    for line in ranges:  # an interval, not a dot
        low, high = line.get_xdata()
        assert high - low > 50_000


def _iso(day: str) -> str:
    import datetime as dt

    return dt.datetime.strptime(day, "%d %b %Y").date().isoformat()


def test_pooled_forest_rounds_as_the_headline_and_pools_distinct_readings(
    default_figures: dict[str, Any],
) -> None:
    ax = default_figures["ru_pooled_may25_forest"].axes[0]
    sentence = next(
        s for s in default_figures["_sentences"] if s.startswith("Russian casualties, end of May")
    )
    mid, low, high = re.search(r": ([\d,]+) \(90% CrI ([\d,]+)–([\d,]+)\)", sentence).groups()
    assert f"{mid} ({low}–{high})" in {t.get_text() for t in ax.texts}
    a, b = (tuple(ln.get_xdata()) for ln in ax.lines if ln.get_gid() == "range")
    assert a != b  # two readings, not one reading counted twice


def test_tornado_has_bars_only_for_inputs_that_feed_the_quantity(
    default_figures: dict[str, Any],
) -> None:
    ax = default_figures["ratio_dec25_tornado"].axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    # ru_killed_dec25 is correlated with ru_dec25 but does not feed the ratio: no bar
    assert labels == [
        "Russian casualties, December 2025 (CSIS)",
        "Ukrainian casualties, December 2025 (CSIS)",
    ]
    _drawn(ax.figure)
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert len(ticks) == len(set(ticks)) <= 7


def test_share_axes_and_tables_are_in_percent(default_figures: dict[str, Any]) -> None:
    ax = default_figures["ru_killed_share_dec25"].axes[0]
    assert isinstance(ax.xaxis.get_major_formatter(), ticker.PercentFormatter)
    _drawn(ax.figure)
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert ticks and all(t.endswith("%") for t in ticks)
    assert ax.get_xlabel() == "Russian killed share, December 2025 (%)"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    sentence = next(
        s for s in default_figures["_sentences"] if s.startswith("Russian killed share")
    )
    median = re.search(r": ([\d.]+%)", sentence).group(1)
    assert f"median: {median}" in legend
    row = next(
        ln
        for ln in default_figures["_md"].splitlines()
        if ln.startswith("| ru_killed_share_dec25 |")
    )
    assert re.match(r"\| ru_killed_share_dec25 \| share \| [\d.]+% \| [\d.]+% \| [\d.]+% \|", row)


def test_fan_holds_the_last_source_and_labels_wounded_and_missing(
    default_figures: dict[str, Any],
) -> None:
    left = default_figures["synthesis_ru_fan"].axes[0]
    _, high = left.get_xlim()
    last = max(
        float(x)
        for ln in left.lines
        for x in np.atleast_1d(ln.get_xdata())
        if ln.get_marker() == "D"
    )
    assert high > last + 5  # the marker is not cut at the edge
    ds = default_figures["_ds"]
    assert (
        ds["ru_wounded_per_killed_dec25"]
        .attrs["long_name"]
        .startswith("Russian wounded and missing per killed")
    )


# ------------------------------------------------------------------------------ 1.2 million
MILLION_2 = """\
[scenario]
draws = 3000
seed = 5

[inputs.ru]
approximately = 1_100_000

[inputs.rate]
range = [900, 1_200]

[derived]
passes = "crossing_date(ru, rate, 1_200_000, '2025-12-31')"

[long_names]
passes = "1.2-million date"
"""


@pytest.mark.parametrize(
    "report", ["", '[report]\nthreshold = 1_000_000\nmarked_dates = ["2025-06-30"]\n']
)
def test_a_scenario_about_one_point_two_million_draws_no_one_million_marks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, report: str
) -> None:
    drawn: dict[str, Figure] = {}
    original = attritionsim.report.plots.save_figure

    def spy(fig: Figure, path: Any, **kwargs: Any) -> Any:
        drawn[Path(path).name] = fig
        return original(fig, path, **kwargs)

    monkeypatch.setattr(attritionsim.report.plots, "save_figure", spy)
    text = (
        MILLION_2 + report.replace("[report]", '[report]\nheadline = ["passes"]')
        if report
        else (MILLION_2 + '[report]\nheadline = ["passes"]\n')
    )
    ds, _ = write_report(parse_scenario(text, name="m.toml"), tmp_path / "out")
    fig = drawn["passes_cdf"]
    ax = fig.axes[0]
    texts = _check_crossing(fig)
    assert ax.get_title(loc="left") == "Date the count passes 1,200,000"
    assert not [ln for ln in ax.lines if str(ln.get_gid()).startswith("quoted")]
    assert not any("1,000,000" in t or "Jun 2025" in t for t in texts)
    low, high = ax.get_xlim()
    when = mdates.date2num(ds["passes"].values[~np.isnat(ds["passes"].values)])
    assert low >= when.min() - 30 and high <= when.max() + 30  # not stretched for any date
