"""Tests for attritionsim.plots: what each figure draws, not only that it draws."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import itertools
import math
import types
import warnings
from pathlib import Path

import matplotlib as mpl

mpl.use("Agg")

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pytest
import xarray as xr
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon, Rectangle, StepPatch
from matplotlib.text import Annotation
from scipy import stats

import attritionsim as asim
from attritionsim import accessors, plots
from attritionsim.errors import AttritionWarning, InputError
from attritionsim.plots import (
    plot_crossing_cdf,
    plot_distribution,
    plot_fan,
    plot_forest,
    plot_tornado,
    save_figure,
)

N = 4_000


# ------------------------------------------------------------------------------ data
@pytest.fixture
def casualties(rng: np.random.Generator) -> xr.DataArray:
    return xr.DataArray(
        rng.lognormal(np.log(1.2e6), 0.05, N),
        dims="draw",
        name="ru_casualties",
        attrs={"long_name": "Russian casualties", "units": "people", "kind": "input"},
    )


@pytest.fixture
def crossing(rng: np.random.Generator) -> xr.DataArray:
    """Crossing dates, 7% of them NaT (never crossed)."""
    minutes = rng.gamma(4.0, 20.0, N) * 1440.0
    dates = np.datetime64("2025-04-01", "ns") + minutes.astype("timedelta64[m]")
    dates[rng.random(N) < 0.07] = np.datetime64("NaT")
    return xr.DataArray(dates, dims="draw", attrs={"long_name": "Date of 1,000,000 casualties"})


@pytest.fixture
def trajectory(rng: np.random.Generator) -> xr.DataArray:
    dates = np.arange("2025-01-01", "2025-12-31", 7, dtype="datetime64[D]")
    days = (dates - dates[0]).astype(np.float64)
    rate = rng.normal(1_000.0, 150.0, (500, 1))
    start = rng.normal(8.0e5, 2.0e4, (500, 1))
    return xr.DataArray(
        start + rate * days,
        dims=("draw", "date"),
        coords={"date": dates},
        attrs={"long_name": "Russian casualties", "units": "people"},
    )


@pytest.fixture
def results(rng: np.random.Generator) -> xr.Dataset:
    a, b, c, noise = rng.normal(size=(4, N))
    return xr.Dataset(
        {
            "a": ("draw", a, {"kind": "input", "long_name": "input a"}),
            "b": ("draw", np.exp(b), {"kind": "input", "long_name": "input b"}),
            "c": ("draw", c, {"kind": "input", "long_name": "input c"}),
            "k": ((), 3.0, {"kind": "constant"}),
            "y": ("draw", 2.0 * a - np.exp(b) + 0.3 * c + noise, {"kind": "derived"}),
        }
    )


@pytest.fixture(autouse=True)
def _no_pyplot_leaks():
    """Plots never register figures with pyplot; close any that a test made itself."""
    yield
    assert plt.get_fignums() == []
    plt.close("all")


def _draw(fig: Figure) -> None:
    """Lay out the figure and compute its ticks (as saving would) without rendering."""
    fig.draw_without_rendering()


def _ticks(labels: list) -> list[str]:
    return [t.get_text() for t in labels if t.get_text()]


def _is_date_axis(axis) -> bool:
    converter = axis.get_converter()
    return type(converter).__module__ == "matplotlib.dates" and isinstance(
        axis.get_major_formatter(), mdates.ConciseDateFormatter
    )


def _hdi(values: np.ndarray, level: float) -> tuple[float, float]:
    xs = np.sort(values)
    k = math.ceil(level * xs.size)
    start = int(np.argmin(xs[k - 1 :] - xs[: xs.size - k + 1]))
    return float(xs[start]), float(xs[start + k - 1])


def _by_gid(artists, gid: str) -> list:
    return [a for a in artists if a.get_gid() == gid]


# ------------------------------------------------------------------------------ distribution
def test_distribution_labels_interval_and_median(casualties: xr.DataArray) -> None:
    fig = plot_distribution(casualties, level=0.9)
    (ax,) = fig.axes
    assert ax.get_xlabel() == "Russian casualties (people)"
    assert "Russian casualties" in ax.get_title(loc="left")
    (band,) = _by_gid(ax.patches, "interval")
    assert isinstance(band, StepPatch)
    edges = band.get_data().edges
    low, high = np.quantile(casualties.values, [0.05, 0.95])
    assert edges[0] == pytest.approx(low, rel=1e-12)
    assert edges[-1] == pytest.approx(high, rel=1e-12)
    (median,) = _by_gid(ax.lines, "median")
    assert median.get_xdata()[0] == pytest.approx(np.median(casualties.values), rel=1e-12)
    # the data limits hold every draw
    assert ax.dataLim.x0 <= casualties.min() and ax.dataLim.x1 >= casualties.max()
    _draw(fig)
    labels = _ticks(ax.get_xticklabels())
    assert labels and all("," in t for t in labels)  # 1,100,000 not 1.1e6
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("90% CrI" in t for t in legend) and any("median" in t for t in legend)


def test_distribution_hdi_interval(casualties: xr.DataArray) -> None:
    fig = plot_distribution(casualties, level=0.8, kind="hdi")
    (band,) = _by_gid(fig.axes[0].patches, "interval")
    low, high = _hdi(casualties.values, 0.8)
    assert band.get_data().edges[[0, -1]] == pytest.approx([low, high], rel=1e-12)


def test_distribution_of_small_numbers_keeps_decimals(rng: np.random.Generator) -> None:
    ratio = xr.DataArray(rng.normal(2.2, 0.1, N), dims="draw", attrs={"long_name": "ratio"})
    fig = plot_distribution(ratio)
    _draw(fig)
    labels = _ticks(fig.axes[0].get_xticklabels())
    assert len(set(labels)) == len(labels)  # distinct ticks keep distinct labels
    assert all("." in t for t in labels)
    assert fig.axes[0].get_xlabel() == "ratio"  # no empty "()" without units


def test_distribution_of_dates_has_a_date_axis(crossing: xr.DataArray) -> None:
    fig = plot_distribution(crossing)
    ax = fig.axes[0]
    assert _is_date_axis(ax.xaxis)
    assert ax.get_xlabel() == "Date of 1,000,000 casualties"
    (band,) = _by_gid(ax.patches, "interval")
    finite = np.sort(crossing.values[~np.isnat(crossing.values)].astype(np.int64))
    # NaT sorts after every date: the 5% quantile is among the dates
    ns = np.concatenate([finite, np.full(N - finite.size, np.iinfo(np.int64).max)])
    low_ns = np.quantile(ns.astype(np.float64), 0.05)
    low = mdates.date2num(np.datetime64(round(low_ns), "ns"))
    assert band.get_data().edges[0] == pytest.approx(low, abs=1e-6)
    _draw(fig)
    assert _ticks(ax.get_xticklabels())
    legend = " ".join(t.get_text() for t in ax.get_legend().get_texts())
    assert "never" in legend and "NaT" in legend


def test_distribution_of_booleans_is_a_probability_bar(rng: np.random.Generator) -> None:
    flags = xr.DataArray(rng.random(N) < 0.3, dims="draw", attrs={"long_name": "ratio in band"})
    fig = plot_distribution(flags)
    ax = fig.axes[0]
    (bar,) = _by_gid(ax.patches, "probability")
    assert isinstance(bar, Rectangle)
    assert bar.get_width() == pytest.approx(flags.values.mean())
    assert "ratio in band" in ax.get_title(loc="left")


def test_distribution_rejects_bad_input(trajectory: xr.DataArray) -> None:
    with pytest.raises(InputError, match="select the other dimensions"):
        plot_distribution(trajectory)
    with pytest.raises(InputError, match="level"):
        plot_distribution(trajectory.isel(date=0), level=1.5)
    with pytest.raises(InputError, match="kind"):
        plot_distribution(trajectory.isel(date=0), kind="central")  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ ax handling
@pytest.mark.parametrize(
    "make",
    [
        lambda d: plot_distribution(d["casualties"], ax=d["ax"]),
        lambda d: plot_fan(d["trajectory"], ax=d["ax"]),
        lambda d: plot_crossing_cdf(d["crossing"], ax=d["ax"]),
        lambda d: plot_tornado(d["results"], "y", ax=d["ax"]),
        lambda d: plot_forest([{"label": "s", "value": 1.0}], ax=d["ax"]),
    ],
    ids=["distribution", "fan", "crossing_cdf", "tornado", "forest"],
)
def test_plots_draw_into_the_given_axes(make, casualties, trajectory, crossing, results) -> None:
    data = {"casualties": casualties, "trajectory": trajectory, "crossing": crossing}
    data["results"] = results
    fig = Figure(layout="constrained")
    left, right = fig.subplots(1, 2)
    data["ax"] = right
    assert make(data) is fig
    assert len(fig.axes) == 2
    assert not left.has_data() and right.has_data()
    data["ax"] = None
    new = make(data)
    assert isinstance(new, Figure) and new is not fig and len(new.axes) == 1


def test_ax_must_be_axes(casualties: xr.DataArray) -> None:
    with pytest.raises(InputError, match="ax must be a matplotlib Axes"):
        plot_distribution(casualties, ax="left")  # type: ignore[arg-type]


def test_plots_leave_rcparams_alone(casualties, trajectory, crossing, results) -> None:
    before = dict(mpl.rcParams)
    plot_distribution(casualties)
    plot_fan(trajectory, threshold=1e6)
    plot_crossing_cdf(crossing, quoted={"x": "2025-05-01"})
    plot_tornado(results, "y")
    plot_forest([{"label": "s", "low": 1.0, "high": 2.0}], (1.0, 2.0))
    assert dict(mpl.rcParams) == before


# ------------------------------------------------------------------------------ fan chart
@pytest.mark.parametrize("levels", [(0.5, 0.8, 0.95), (0.9,), (0.95, 0.5)])
def test_fan_draws_one_band_per_level(trajectory: xr.DataArray, levels) -> None:
    fig = plot_fan(trajectory, levels=levels)
    ax = fig.axes[0]
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == len(levels)
    # the widest band is drawn first and spans that level's equal-tailed interval
    widest = max(levels)
    low = np.quantile(trajectory.values, (1 - widest) / 2, axis=0)
    high = np.quantile(trajectory.values, (1 + widest) / 2, axis=0)
    ys = bands[0].get_paths()[0].vertices[:, 1]
    assert ys.min() == pytest.approx(low.min()) and ys.max() == pytest.approx(high.max())
    (median,) = _by_gid(ax.lines, "median")
    assert median.get_ydata() == pytest.approx(np.median(trajectory.values, axis=0))
    assert median.get_xdata() == pytest.approx(mdates.date2num(trajectory["date"].values))


def test_fan_overlays_threshold_observed_and_anchors(trajectory: xr.DataArray) -> None:
    dates = trajectory["date"].values[::4]
    observed = xr.DataArray(
        np.linspace(8.1e5, 1.15e6, dates.size),
        dims="date",
        coords={"date": dates},
        attrs={"long_name": "General Staff"},
    )
    anchors = [
        {"as_of": "2025-05-31", "value": 950_000},
        {"as_of": np.datetime64("2025-11-30"), "low": 1.1e6, "high": 1.2e6},
    ]
    fig = plot_fan(trajectory, threshold=1_000_000, observed=observed, anchors=anchors)
    ax = fig.axes[0]
    (threshold,) = _by_gid(ax.lines, "threshold")
    assert list(threshold.get_ydata()) == [1_000_000, 1_000_000]
    (line,) = _by_gid(ax.lines, "observed")
    assert line.get_xdata() == pytest.approx(mdates.date2num(dates))
    assert line.get_ydata() == pytest.approx(observed.values)
    # a stated value is a marker alone; a range gets an error bar (and its legend symbol)
    marker_lines = [ln for ln in ax.lines if ln.get_marker() == "D"]
    (alone,) = _by_gid(marker_lines, "anchors")
    assert alone.get_ydata() == pytest.approx([950_000])
    (barred,) = [ln for ln in marker_lines if ln.get_gid() != "anchors"]
    assert barred.get_ydata() == pytest.approx([1.15e6])
    assert [c for c in ax.collections if isinstance(c, PolyCollection)].__len__() == 3
    assert _is_date_axis(ax.xaxis)
    assert ax.get_ylabel() == "Russian casualties (people)"
    outer = np.quantile(trajectory.values, [0.025, 0.975], axis=0)
    assert ax.dataLim.y0 <= outer[0].min() and ax.dataLim.y1 >= outer[1].max()
    assert ax.dataLim.y0 <= observed.min() and ax.dataLim.y1 >= observed.max()
    _draw(fig)
    assert all("," in t for t in _ticks(ax.get_yticklabels()))
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "source estimates" in texts and "source estimates and their intervals" in texts
    legend = " ".join(texts)
    assert "threshold: 1,000,000" in legend and "General Staff" in legend


def test_fan_holds_an_anchor_at_the_last_date_and_no_stray_year(
    trajectory: xr.DataArray,
) -> None:
    last = trajectory["date"].values[-1]
    anchors = [{"as_of": last, "value": 1.1e6}]  # a stated value alone: no error bar
    fig = plot_fan(trajectory, anchors=anchors)
    ax = fig.axes[0]
    _draw(fig)
    low, high = ax.get_xlim()
    days = mdates.date2num(trajectory["date"].values)
    assert low < days[0] and high > days[-1] + 0.01 * (days[-1] - days[0])  # room for a marker
    handles, texts = ax.get_legend_handles_labels()
    assert texts[-1] == "source estimates"
    assert isinstance(handles[-1], Line2D)  # not an error-bar container
    assert ax.xaxis.get_offset_text().get_text() == ""  # the year is in the first label
    labels = _ticks(ax.get_xticklabels())
    assert any(t.endswith("2025") for t in labels[:1])


def test_fan_rejects_bad_input(trajectory: xr.DataArray) -> None:
    with pytest.raises(InputError, match="dimensions"):
        plot_fan(trajectory.isel(date=0))
    with pytest.raises(InputError, match="levels"):
        plot_fan(trajectory, levels=(0.5, 1.0))
    with pytest.raises(InputError, match="levels"):
        plot_fan(trajectory, levels=())


# ------------------------------------------------------------------------------ crossing CDF
def test_crossing_cdf_tops_out_at_the_share_that_cross(crossing: xr.DataArray) -> None:
    quoted = {"CSIS: by summer": "2025-08-31", "UK MoD": np.datetime64("2025-05-15")}
    fig = plot_crossing_cdf(crossing, quoted=quoted)
    ax = fig.axes[0]
    (cdf,) = _by_gid(ax.lines, "cdf")
    crossed = np.count_nonzero(~np.isnat(crossing.values)) / N
    assert cdf.get_ydata()[-1] == pytest.approx(crossed)
    assert cdf.get_ydata()[0] == 0.0
    assert np.all(np.diff(cdf.get_ydata()) >= 0)
    (never,) = _by_gid(ax.lines, "never")
    assert never.get_ydata()[0] == pytest.approx(crossed)
    legend = " ".join(t.get_text() for t in ax.get_legend().get_texts())
    assert f"{1 - crossed:.1%}" in legend and "never" in legend
    for label, date in quoted.items():
        (line,) = _by_gid(ax.lines, f"quoted {label}")
        assert list(line.get_xdata()) == pytest.approx([mdates.date2num(np.datetime64(date))] * 2)
        by_then = np.count_nonzero(crossing.values <= np.datetime64(date)) / N
        assert f"P = {by_then:.0%}" in legend
    assert _is_date_axis(ax.xaxis)
    assert ax.get_xlabel() == "Date of 1,000,000 casualties"


def test_crossing_cdf_reaches_one_when_every_draw_crosses(crossing: xr.DataArray) -> None:
    every = crossing.fillna(np.datetime64("2025-12-01"))
    ax = plot_crossing_cdf(every).axes[0]
    (cdf,) = _by_gid(ax.lines, "cdf")
    assert cdf.get_ydata()[-1] == pytest.approx(1.0)
    assert not _by_gid(ax.lines, "never")


def test_crossing_cdf_of_many_distinct_dates_is_exact_on_a_grid(
    rng: np.random.Generator,
) -> None:
    ns = rng.integers(0, 10**16, 20_000)
    ns[:100] += 10**18  # 0.5% of the draws some 30 years later: they would squash the curve
    dates = xr.DataArray(
        np.datetime64("2025-01-01", "ns") + ns.astype("timedelta64[ns]"), dims="draw"
    )
    ax = plot_crossing_cdf(dates).axes[0]
    (cdf,) = _by_gid(ax.lines, "cdf")
    x, y = cdf.get_xdata(), cdf.get_ydata()
    # The axis holds the central 99% of the draws and a margin, not the far tail.
    assert x.size <= plots._CDF_POINTS + 1
    nums = np.sort(mdates.date2num(dates.values))
    low, high = ax.get_xlim()
    assert (low, high) == (x[0], x[-1])
    assert high < nums[-100]  # the late draws are off the axis ...
    assert y[-1] == pytest.approx(19_900 / 20_000)
    assert y[1:] == pytest.approx(np.searchsorted(nums, x[1:], side="right") / nums.size)
    window = plots.shown_window(dates)
    assert (window.low, window.high) == (low, high)
    assert window.above == 100 / 20_000 and window.below == 0.0  # ... and counted
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "crossing off the axis: 0.5% after" in legend


def test_crossing_cdf_rejects_numbers(casualties: xr.DataArray) -> None:
    with pytest.raises(InputError, match="datetime64"):
        plot_crossing_cdf(casualties)
    with pytest.raises(InputError, match="quoted"):
        plot_crossing_cdf(casualties.astype("datetime64[ns]"), quoted={"x": "summer"})


# ------------------------------------------------------------------------------ tornado
def test_tornado_bars_are_spearman_correlations_by_strength(results: xr.Dataset) -> None:
    fig = plot_tornado(results, "y")
    ax = fig.axes[0]
    expected = {k: stats.spearmanr(results[k], results["y"]).statistic for k in ("a", "b", "c")}
    order = sorted(expected, key=lambda k: -abs(expected[k]))
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert [b.get_width() for b in bars] == pytest.approx([expected[k] for k in order], abs=1e-12)
    # drawn top to bottom: y grows downwards (inverted), in order
    centres = [b.get_y() + b.get_height() / 2 for b in bars]
    assert centres == sorted(centres) and ax.yaxis_inverted()
    assert _ticks(ax.get_yticklabels()) == [results[k].attrs["long_name"] for k in order]
    assert min(b.get_width() for b in bars) < 0 < max(b.get_width() for b in bars)
    left, right = ax.get_xlim()
    assert left <= min(expected.values()) and right >= max(expected.values())
    assert "Spearman" in ax.get_xlabel()


def test_tornado_takes_precomputed_values_and_top(results: xr.Dataset) -> None:
    values = {"a": 0.2, "b": 0.7, "c": 0.05}
    ax = plot_tornado(results, "y", values=values, top=2).axes[0]
    assert [p.get_width() for p in ax.patches] == [0.7, 0.2]
    assert _ticks(ax.get_yticklabels()) == ["input b", "input a"]
    assert ax.get_xlabel() == "Influence on y"


def test_tornado_inputs_and_errors(results: xr.Dataset) -> None:
    ax = plot_tornado(results, "y", inputs=["c"]).axes[0]
    assert len(ax.patches) == 1
    with pytest.raises(InputError, match="target"):
        plot_tornado(results, "z")
    with pytest.raises(InputError, match="dimensions"):
        plot_tornado(results, "y", inputs=["k"])
    with pytest.raises(InputError, match="no inputs"):
        plot_tornado(results.drop_vars(["a", "b", "c"]), "y")


# ------------------------------------------------------------------------------ forest
RECORDS = [
    {"publisher": "CSIS", "as_of": "2025-12-31", "low": 275_000, "high": 325_000},
    {"label": "CNN", "value": 250_000, "qualifier": "up_to"},
    types.SimpleNamespace(id="ukdi-2025", value=300_000, qualifier="approximately"),
    {"label": "Mediazona", "value": 150_000, "qualifier": "at least"},
]


def test_forest_rows_ranges_points_and_arrows(casualties: xr.DataArray) -> None:
    killed = casualties / 4
    fig = plot_forest(RECORDS, killed, level=0.9)
    ax = fig.axes[0]
    _draw(fig)
    assert _ticks(ax.get_yticklabels()) == [
        "CSIS (2025-12-31)",
        "CNN",
        "ukdi-2025",
        "Mediazona",
        "Model (90% CrI)",
    ]
    (bar,) = _by_gid(ax.lines, "range")
    assert list(bar.get_xdata()) == [275_000, 325_000] and list(bar.get_ydata()) == [0, 0]
    points = sorted((ln.get_ydata()[0], ln.get_xdata()[0]) for ln in _by_gid(ax.lines, "value"))
    assert points == [(1, 250_000), (2, 300_000), (3, 150_000)]
    arrows = {a.get_gid(): a for a in ax.texts if isinstance(a, Annotation) and a.arrow_patch}
    assert set(arrows) == {"upper bound", "lower bound"}
    assert arrows["upper bound"].xy[0] < 250_000  # points down from "up to"
    assert arrows["lower bound"].xy[0] > 150_000  # points up from "at least"
    low, high = np.quantile(killed.values, [0.05, 0.95])
    (band,) = _by_gid(ax.patches, "band")
    x0, x1 = band.get_path().transformed(band.get_patch_transform()).get_extents().intervalx
    assert (x0, x1) == pytest.approx((low, high), rel=1e-12)
    (diamond,) = _by_gid(ax.patches, "model")
    assert isinstance(diamond, Polygon)
    assert diamond.get_xy()[:, 0].max() == pytest.approx(high, rel=1e-12)
    assert ax.get_xlabel() == "Russian casualties (people)"
    left, right = ax.get_xlim()
    assert left < 150_000 and right > max(325_000, high)
    assert all("," in t for t in _ticks(ax.get_xticklabels()))
    stated = {t.get_text() for t in ax.texts}
    assert {"275,000–325,000", "up to 250,000", "at least 150,000"} <= stated


def test_forest_with_an_interval_pair_and_objects() -> None:
    record = types.SimpleNamespace(publisher="AP", as_of=np.datetime64("2025-12-31"), low=5e5,
                                   high=6e5, value=None, qualifier=None)  # fmt: skip
    ax = plot_forest([record], (520_000, 610_000), xlabel="Ukrainian casualties").axes[0]
    assert _ticks(ax.get_yticklabels()) == ["AP (2025-12-31)", "Model"]
    (model,) = _by_gid(ax.patches, "model")
    assert sorted(set(model.get_xy()[:, 0])) == [520_000, 610_000]
    assert ax.get_xlabel() == "Ukrainian casualties"


def test_forest_labels_the_axis_from_the_records_measure_and_units() -> None:
    common = {"publisher": "CSIS", "measure": "killed", "units": "people"}
    records = [
        {**common, "as_of": dt.date(2025, 5, 31), "value": 250_000, "qualifier": "up_to"},
        {**common, "as_of": dt.date(2025, 12, 31), "low": 275_000, "high": 325_000},
    ]
    ax = plot_forest(records).axes[0]
    assert ax.get_xlabel() == "killed (people)"
    assert _ticks(ax.get_yticklabels()) == ["CSIS (2025-05-31)", "CSIS (2025-12-31)"]
    mixed = [*records, {"label": "x", "value": 1.0, "measure": "wounded", "units": "people"}]
    assert plot_forest(mixed).axes[0].get_xlabel() == "Value"


def test_forest_rejects_bad_records() -> None:
    with pytest.raises(InputError, match="no value, low or high"):
        plot_forest([{"label": "x"}])
    with pytest.raises(InputError, match="empty"):
        plot_forest([])
    with pytest.raises(InputError, match="value must be a number"):
        plot_forest([{"value": "many"}])
    with pytest.raises(InputError, match="model_interval"):
        plot_forest([{"value": 1.0}], (2.0, 1.0))


# ------------------------------------------------------------------------------ saving
def test_save_figure_writes_png_svg_and_pdf(tmp_path, casualties: xr.DataArray) -> None:
    fig = plot_distribution(casualties)
    paths = save_figure(fig, tmp_path / "out" / "dist.png", formats=("png", "svg", "pdf"), dpi=50)
    assert [p.name for p in paths] == ["dist.png", "dist.svg", "dist.pdf"]
    png, svg, pdf = (p.read_bytes() for p in paths)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert b"<svg" in svg and b"Russian casualties" in svg
    assert pdf.startswith(b"%PDF")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in paths)
    again = save_figure(fig, tmp_path / "again" / "dist", formats="svg")
    assert again[0].read_bytes() == svg  # no creation date, fixed ids: same bytes


def test_save_figure_rejects_unknown_formats(tmp_path) -> None:
    with pytest.raises(InputError, match="formats"):
        save_figure(Figure(), tmp_path / "x", formats=("png", "docx"))
    assert not list(tmp_path.iterdir())


# ------------------------------------------------------------------------------ accessor
def test_accessors(casualties, trajectory, crossing, results) -> None:
    assert isinstance(casualties.asim, accessors.DataArrayAccessor)
    assert isinstance(results.asim, accessors.DatasetAccessor)
    fig = casualties.asim.plot_distribution(level=0.5)
    (band,) = _by_gid(fig.axes[0].patches, "interval")
    assert band.get_data().edges[[0, -1]] == pytest.approx(np.quantile(casualties, [0.25, 0.75]))
    assert len(trajectory.asim.plot_fan(levels=(0.5, 0.9)).axes[0].collections) == 2
    assert _by_gid(crossing.asim.plot_crossing_cdf().axes[0].lines, "cdf")
    assert len(results.asim.plot_tornado("y").axes[0].patches) == 3


def test_reimporting_registers_again_without_warning(casualties: xr.DataArray) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        module = importlib.reload(accessors)
        module.register()
    assert isinstance(casualties.asim, module.DataArrayAccessor)


def test_importing_plots_alone_registers_nothing_itself() -> None:
    """The accessor is registered by ``import attritionsim`` (accessors.register), not plots."""
    assert not hasattr(plots, "DataArrayPlots") and not hasattr(plots, "_register")
    assert xr.DataArray.asim.__module__ == "attritionsim.accessors"


# ------------------------------------------------------------------------------ formatter
@pytest.mark.parametrize(
    ("locs", "expected"),
    [
        ([1_000_000.0, 1_200_000.0], ["1,000,000", "1,200,000"]),
        ([0.0, 0.25, 0.5], ["0.00", "0.25", "0.50"]),
        ([1.8, 2.0, 2.2], ["1.8", "2.0", "2.2"]),
        ([-5000.0, 0.0], ["\N{MINUS SIGN}5,000", "0"]),
    ],
)
def test_thousands_formatter(locs: list[float], expected: list[str]) -> None:
    formatter = plots._Thousands()
    formatter.set_locs(locs)
    assert [formatter(x) for x in locs] == expected


@pytest.mark.parametrize("width", [6.0, 7.5, 10.0])
def test_number_tick_labels_never_overlap(width: float, casualties: xr.DataArray) -> None:
    records = [{"label": "UK Defence Intelligence (2025-06-01)", "low": 9.0e5, "high": 1.0e6}]
    for fig in (plot_forest(records, (1.1e6, 1.3e6)), plot_distribution(casualties * 10)):
        fig.set_size_inches(width, 3.0)
        _draw(fig)
        labels = [t for t in fig.axes[0].get_xticklabels() if t.get_text()]
        boxes = sorted((t.get_window_extent() for t in labels), key=lambda box: box.x0)
        assert len(boxes) >= 2
        assert all(left.x1 < right.x0 for left, right in itertools.pairwise(boxes))


@pytest.mark.parametrize("kind", ["eti", "hdi"])
def test_intervals_are_the_summary_estimators(
    casualties: xr.DataArray, crossing: xr.DataArray, kind: str
) -> None:
    """One estimator (issue 11): plots draw attritionsim.interval's bounds, not a copy."""
    low, high = plots._interval(plots._draws(casualties, "da"), 0.9, kind)  # type: ignore[arg-type]
    assert (low, high) == asim.interval(casualties, 0.9, kind=kind)  # type: ignore[arg-type]
    dates = plots._interval(plots._draws(crossing, "da"), 0.9, kind)  # type: ignore[arg-type]
    expected = asim.interval(crossing, 0.9, kind=kind)  # type: ignore[arg-type]
    assert dates == tuple(math.inf if np.isnat(b) else float(plots._datenum(b)) for b in expected)


def test_plot_levels_use_the_one_level_check(casualties: xr.DataArray) -> None:
    with pytest.raises(InputError, match=r"^level must be in \[0.01, 1\) .*; got 1$"):
        plot_distribution(casualties, level=1.0)
    with pytest.raises(InputError, match=r"^levels must be in \[0.01, 1\) .*; got 0.001$"):
        plots._levels([0.5, 0.001])


def test_figures_display_in_notebooks_without_pyplot(casualties: xr.DataArray) -> None:
    fig = plot_distribution(casualties)
    png = fig._repr_png_()  # type: ignore[attr-defined]
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_crossing_cdfs_overlay_on_one_axes(rng: np.random.Generator) -> None:
    early = np.datetime64("2025-01-01", "s") + rng.integers(0, 10**7, 5_000).astype(
        "timedelta64[s]"
    )
    late = early + np.timedelta64(400, "D")
    fig = plot_crossing_cdf(xr.DataArray(early, dims="draw"), label="early", color="#000000")
    ax = fig.axes[0]
    plot_crossing_cdf(xr.DataArray(late, dims="draw"), label="late", ax=ax)
    curves = _by_gid(ax.lines, "cdf")
    assert len(curves) == 2
    assert curves[0].get_color() == "#000000"
    assert curves[0].get_label().startswith("early, reaching")
    assert curves[1].get_label().startswith("late, reaching")
    low, high = ax.get_xlim()
    assert low <= mdates.date2num(early.min()) and high >= mdates.date2num(late.max()) - 5


# ------------------------------------------------------------------------------ extremes
_LAST = mdates.date2num(np.datetime64("9999-12-31")) + 1 - 1 / 86_400  # matplotlib's last second


def test_crossing_dates_beyond_matplotlib_are_counted_not_drawn(rng: np.random.Generator) -> None:
    near = np.datetime64("2025-06-01", "s") + rng.integers(0, 10**8, 1_000).astype("m8[s]")
    far = np.datetime64("100001970-01-01", "s") + rng.integers(0, 10**8, 3).astype("m8[s]")
    dates = np.concatenate([near, far, np.full(5, np.datetime64("NaT", "s"))])
    da = xr.DataArray(dates, dims="draw")
    ax = plot_crossing_cdf(da).axes[0]
    low, high = ax.get_xlim()
    window = plots.shown_window(da)
    assert (low, high) == (window.low, window.high)
    nums = mdates.date2num(near)
    assert low <= nums.min() and nums.max() <= high < _LAST  # the year 10**8 is not on it
    assert window.above == 3 / 1_008 and window.below == 0.0
    assert window.never == 5 / 1_008
    assert window.note() == "0.3% of draws fall outside the axis; 0.5% never cross"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "crossing off the axis: 0.3% after" in legend
    for t in ax.get_xticklabels():  # ticks draw: the axis holds real dates
        assert t.get_text() == "" or t.get_text()[:1].isalnum()


def test_all_dates_beyond_year_9999_give_an_axis_at_its_end() -> None:
    far = np.datetime64("100001970-01-01", "s") + np.arange(50).astype("m8[D]")
    da = xr.DataArray(far, dims="draw")
    for fig in (plot_crossing_cdf(da), plot_distribution(da)):
        low, high = fig.axes[0].get_xlim()
        assert high == pytest.approx(_LAST) and low < high
        fig.savefig(io.BytesIO(), format="png")
    assert plots.shown_window(da).above == 1.0


def test_infinite_draws_are_left_off_the_axis_and_counted(rng: np.random.Generator) -> None:
    x = rng.normal(10.0, 1.0, 1_000)
    x[:30] = np.inf
    x[30:40] = -np.inf
    da = xr.DataArray(x, dims="draw", attrs={"long_name": "ratio"})
    ax = plot_distribution(da).axes[0]
    low, high = ax.get_xlim()
    finite = x[np.isfinite(x)]
    assert (low, high) == (finite.min(), finite.max())
    assert plots.shown_window(da).note() == "4.0% are infinite"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "infinite: 4.0% of draws, not shown" in legend


def test_a_constant_is_one_spike(rng: np.random.Generator) -> None:
    for da in (xr.DataArray(5.0, attrs={"long_name": "c"}), xr.DataArray(np.full(100, 5.0))):
        ax = plot_distribution(da).axes[0]
        assert ax.get_xlim() == (4.75, 5.25)
        (median,) = _by_gid(ax.lines, "median")
        assert list(median.get_xdata()) == [5.0, 5.0]


def test_numbers_near_the_float_limit_plot_in_powers_of_ten(rng: np.random.Generator) -> None:
    da = xr.DataArray(rng.uniform(1e307, 1.7e308, 2_000), dims="draw", attrs={"long_name": "x"})
    fig = plot_distribution(da)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "x (× 10³⁰⁸)"
    low, high = ax.get_xlim()
    assert (low, high) == pytest.approx((da.values.min() / 1e308, da.values.max() / 1e308))
    fig.savefig(io.BytesIO(), format="png")


def test_missing_glyphs_warn_once_naming_them(tmp_path: Path) -> None:
    da = xr.DataArray(np.arange(100.0), dims="draw", attrs={"long_name": "損失 🙂"})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plots.save_figure(plot_distribution(da), tmp_path / "glyphs")
    messages = [str(w.message) for w in caught]
    assert all(w.category is AttritionWarning for w in caught)
    assert len(messages) == 2  # one per format written (png, svg), not one per glyph
    assert messages[0] == (
        "the figure font has no glyph for '損' (U+640D), '失' (U+5931), '🙂' (U+1F642); "
        "those characters show as boxes (set matplotlib's font.family to a font that has them)"
    )
    with pytest.warns(AttritionWarning, match="U\\+640D"):
        assert plot_distribution(da)._repr_png_().startswith(b"\x89PNG")  # type: ignore[attr-defined]


def _rate_draws() -> xr.DataArray:
    starts = np.array(["2025-01-01", "2025-02-01", "2025-03-01"], "datetime64[ns]")
    ends = np.array(["2025-02-01", "2025-03-01", "2025-04-01"], "datetime64[ns]")
    draws = np.random.default_rng(3).normal([800.0, 1_000.0, 1_200.0], 50.0, size=(400, 3))
    return xr.DataArray(
        draws,
        dims=("draw", "segment"),
        coords={"segment_start": ("segment", starts), "segment_end": ("segment", ends)},
        attrs={"long_name": "rate", "units": "people/day"},
    )


def test_plot_rates_draws_the_band_by_segment_and_each_source_over_its_period() -> None:
    rate = _rate_draws()
    sources = [
        {"start": "2025-01-01", "end": "2025-03-01", "low": 850.0, "value": 900.0, "high": 950.0},
        {
            "start": "2025-03-01",
            "end": "2025-04-01",
            "low": 1_100.0,
            "value": 1_200.0,
            "high": 3_000.0,
        },
    ]
    fig = plots.plot_rates(rate, sources=sources, level=0.9)
    ax = fig.axes[0]
    step = next(line for line in ax.get_lines() if line.get_label() == "median")
    np.testing.assert_allclose(step.get_ydata()[:3], np.median(rate.values, axis=0))
    lines = [c for c in ax.collections if type(c).__name__ == "LineCollection"]
    segments = [seg for c in lines for seg in c.get_segments() if seg[0][1] == seg[1][1]]
    spans = sorted(
        (round(float(seg[0][1])), round(float(seg[1][0] - seg[0][0]))) for seg in segments
    )
    assert (900, 59) in spans and (1_200, 31) in spans  # each source over its whole period, in days
    low, high = ax.get_ylim()
    assert low == 0.0 and high == pytest.approx(1.1 * 3_000.0)  # the widest interval is in view
    legend = ax.get_legend()
    assert legend is not None
    fig.canvas.draw()
    box = legend.get_window_extent()
    assert box.y1 <= ax.get_window_extent().y0  # below the axes, off the data
    with pytest.raises(InputError, match=r"^rate must be a DataArray with dimensions"):
        plots.plot_rates(rate.isel(segment=0))


# ------------------------------------------------------------------------------ cold test, issue 13
def _legend_overlaps_bars(fig: Figure) -> bool:
    """Whether the legend's box meets a histogram bar or the median line (display units)."""
    ax = fig.axes[0]
    fig.draw_without_rendering()
    legend = ax.get_legend()
    box = legend.get_window_extent()
    patch = next(p for p in ax.patches if isinstance(p, StepPatch) and p.get_gid() != "interval")
    data = patch.get_data()
    density, edges = data.values, data.edges
    for a, b, d in zip(edges[:-1], edges[1:], density, strict=True):
        if d > 0:
            x0, y0 = ax.transData.transform((a, 0.0))
            x1, y1 = ax.transData.transform((b, d))
            if box.overlaps(plt.matplotlib.transforms.Bbox.from_extents(x0, y0, x1, y1)):
                return True
    median = next(line for line in ax.get_lines() if line.get_gid() == "median")
    return bool(box.overlaps(median.get_window_extent()))


@pytest.mark.parametrize("skew", ["right-heavy", "centred", "left-heavy"])
def test_distribution_legend_sits_off_the_data(skew: str) -> None:
    # cold test of issue 13: the legend sat on the bars and the median of a killed share
    rng = np.random.default_rng(3)
    tail = rng.gamma(1.2, 0.06, 6000)
    values = {
        "right-heavy": 1.0 - tail,
        "centred": rng.normal(0.5, 0.1, 6000),
        "left-heavy": tail,
    }[skew]
    values = values[(values > 0) & (values <= 1)]
    da = xr.DataArray(values, dims="draw", attrs={"units": "share", "long_name": "killed share"})
    fig = plot_distribution(da)
    assert not _legend_overlaps_bars(fig)
    plt.close(fig)


def test_crossing_legend_says_not_by_the_horizon_and_the_headlines_digits() -> None:
    # cold test of issue 13: "never crossed (NaT)" where paths ran out, "P = 96%" beside 96.4%
    days = np.arange(20_000) % 200
    dates = np.datetime64("2025-05-01") + days.astype("timedelta64[D]")
    dates = dates.astype("datetime64[s]")
    dates[:720] = np.datetime64("NaT")  # 3.6% not reached by the last date
    dates[720:1000] = np.datetime64("2025-08-31")
    da = xr.DataArray(dates, dims="draw", attrs={"not_by": "2026-08-08", "long_name": "crossing"})
    fig = plot_crossing_cdf(da, quoted={"end of August": "2025-08-31"}, threshold=1e6)
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "not crossed by 8 Aug 2026: 3.6% of draws" in texts
    assert not any("NaT" in text or "never" in text for text in texts)
    p = float(((dates <= np.datetime64("2025-08-31")) & ~np.isnat(dates)).mean())
    shown = asim.citation.probability_text(p, 20_000)
    assert f"end of August, 31 Aug 2025: P = {shown}" in texts
    crossed = xr.DataArray((dates <= np.datetime64("2025-08-31")) & ~np.isnat(dates), dims="draw")
    assert asim.cite(crossed).startswith(f"{shown} probability")  # the headline's digits
    assert plots.shown_window(da).note() == "3.6% do not cross by 8 Aug 2026"
    plain = plot_crossing_cdf(da.assign_attrs(not_by=None).drop_attrs(), threshold=1e6)
    assert any(
        t.get_text() == "never crossed (no date): 3.6% of draws"
        for t in plain.axes[0].get_legend().get_texts()
    )
    plt.close("all")
