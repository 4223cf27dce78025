"""Publication-ready figures of simulated quantities.

Every plot takes the draws (an :class:`xarray.DataArray` with a ``draw`` dimension, as
:func:`attritionsim.simulate` returns them) and ``ax=None``: given an
:class:`~matplotlib.axes.Axes` it draws into it, otherwise it makes a new figure. It returns the
:class:`~matplotlib.figure.Figure` it drew on. New figures are plain
:class:`matplotlib.figure.Figure` objects with constrained layout, made without
:mod:`matplotlib.pyplot`: nothing is registered with pyplot, so nothing needs closing and nothing
is ever shown. Nothing here changes ``matplotlib.rcParams``.

* :func:`plot_distribution` - the density of one quantity, its credible interval shaded and its
  median marked (a probability bar for a yes/no quantity; a date axis for dates).
* :func:`plot_forest` - the published figures for one measure, one row per source, against the
  model's credible interval.
* :func:`plot_fan` - a fan chart of a trajectory (dimensions ``draw`` and ``date``), with
  anchor estimates, a threshold and an observed series.
* :func:`plot_crossing_cdf` - the probability that a threshold has been crossed by each date
  (``NaT`` draws never cross, so the curve may top out below 1), with quoted dates marked.
* :func:`plot_tornado` - which inputs drive a quantity (Spearman rank correlations, or
  precomputed indices such as Sobol indices).
* :func:`save_figure` - write a figure as PNG, SVG and PDF.

Labels come from the variables' ``long_name`` and ``units`` attributes ("Russian casualties
(people)"); number axes carry thousands separators and date axes concise date labels. Colours
come from :data:`PALETTE`, the Okabe-Ito palette, which stays distinguishable under the common
forms of colour blindness.

The same plots are methods of the ``.asim`` xarray accessor (:mod:`attritionsim.accessors`,
registered by ``import attritionsim``). Intervals and quantiles are those of
:func:`attritionsim.interval` (the kernels of :mod:`attritionsim._orderstats`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import math
import os
import re
import textwrap
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, TypeAlias

import matplotlib as mpl
import numpy as np
import numpy.typing as npt
import xarray as xr
from matplotlib import colors as mcolors
from matplotlib import dates as mdates
from matplotlib import ticker, transforms
from matplotlib.axes import Axes
from matplotlib.axis import Axis, XAxis
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from scipy import stats

from . import _dates, _validate
from ._format import fmt_number, fmt_sig
from ._orderstats import quantile
from ._typing import FloatArray
from ._validate import DEFAULT_LEVEL
from ._version import __version__
from .citation import numbers_text, probability_text
from .elicit import QUALIFIERS
from .errors import AttritionWarning, InputError
from .summary import IntervalKind, figures, interval, sample_of

__all__ = [
    "PALETTE",
    "AxisWindow",
    "plot_crossing_cdf",
    "plot_distribution",
    "plot_fan",
    "plot_forest",
    "plot_rates",
    "plot_tornado",
    "save_figure",
    "shown_window",
]


#: The Okabe-Ito colour-blind-safe palette, by name; every plot here draws from it.
PALETTE: Mapping[str, str] = MappingProxyType(
    {
        "blue": "#0072B2",
        "orange": "#E69F00",
        "sky": "#56B4E9",
        "green": "#009E73",
        "vermillion": "#D55E00",
        "purple": "#CC79A7",
        "yellow": "#F0E442",
        "black": "#000000",
        "grey": "#7F7F7F",
    }
)

#: A date as it may be passed in: an ISO string, a :class:`datetime.date` or ``datetime64``.
DateLike: TypeAlias = str | dt.date | np.datetime64

_KIND_NAMES = {"eti": "equal-tailed", "hdi": "highest-density"}
#: Colours for secondary elements (quoted dates, sources), in order.
_ACCENTS = ("orange", "vermillion", "green", "purple", "sky", "black")
#: Wordings of a one-sided figure, by the side of the bound: read from the qualifier table.
_UPPER = frozenset(
    {"upper bound", *(w for r in QUALIFIERS.values() if r.bound == "upper" for w in r.wordings)}
)
_LOWER = frozenset(
    {"lower bound", *(w for r in QUALIFIERS.values() if r.bound == "lower" for w in r.wordings)}
)
#: Points kept on an empirical CDF curve before it is evaluated on a grid instead.
_CDF_POINTS = 4000
#: The axis shows the draws between these quantiles when the rest would squash them.
_TAILS = (0.005, 0.995)
#: ... that is, when the whole range is more than this many times the central one.
_SQUASHED = 2.0
#: The dates a matplotlib date axis can show: 1 January 0001 to 31 December 9999.
_FIRST_DAY = np.datetime64("0001-01-01", "D")
_LAST_DAY = np.datetime64("9999-12-31", "D")
#: matplotlib's warning for a character its font lacks (a user's label in another script),
#: raised once per glyph, format and font; the character is captured.
_MISSING_GLYPH = re.compile(r"Glyph (\d+) \(.*\) missing from font")


# --------------------------------------------------------------------------------------------
# Figures, axes and labels
# --------------------------------------------------------------------------------------------


class PlotFigure(Figure):
    """A matplotlib Figure that notebooks display as an image without pyplot.

    The plots build figures without pyplot (so nothing leaks into global state); Jupyter
    shows such a figure through ``_repr_png_``.
    """

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        with _quiet_glyphs():
            self.savefig(buffer, format="png", dpi=110)
        return buffer.getvalue()


@contextlib.contextmanager
def _quiet_glyphs() -> Iterator[None]:
    """Draw, turning matplotlib's warnings about characters its font lacks into one warning.

    Those characters show as boxes, which a reader of the figure should hear about once, not as
    one warning per glyph and format; every other warning comes through unchanged.
    """
    missing: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for item in caught:
        found = _MISSING_GLYPH.search(str(item.message))
        if found and issubclass(item.category, UserWarning):
            code = int(found.group(1))
            missing.append(f"{chr(code)!r} (U+{code:04X})")
        else:
            warnings.warn_explicit(item.message, item.category, item.filename, item.lineno)
    if missing:
        shown = ", ".join(dict.fromkeys(missing))
        warnings.warn(
            f"the figure font has no glyph for {shown}; those characters show as boxes "
            "(set matplotlib's font.family to a font that has them)",
            AttritionWarning,
            stacklevel=3,
        )


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    """The figure and axes to draw on: ``ax`` and its figure, or a new constrained figure."""
    if ax is None:
        fig = PlotFigure(figsize=figsize, layout="constrained")
        return fig, fig.add_subplot()
    if not isinstance(ax, Axes):
        raise InputError(f"ax must be a matplotlib Axes or None; got {type(ax).__name__}")
    root = ax.get_figure(root=True)
    if root is None:  # pragma: no cover - an Axes is always made on a figure
        raise InputError("ax is not attached to a figure")
    return root, ax


def _tidy(ax: Axes, grid: Literal["x", "y", "both"] | None = None) -> None:
    """Light styling of one Axes: no top and right spines, an optional faint grid."""
    ax.spines[["top", "right"]].set_visible(False)
    if grid is not None:
        ax.grid(True, axis=grid, color="#DDDDDD", linewidth=0.8)
        ax.set_axisbelow(True)


def _title(ax: Axes, title: str | None, default: str, width: int = 55) -> None:
    text = default if title is None else title
    if text:  # wrapped: beside long tick labels the axes can be narrow
        ax.set_title(textwrap.fill(text, width), loc="left", fontsize="large")


def _tint(color: str, strength: float) -> tuple[float, float, float]:
    """``color`` mixed with white: ``strength`` 1 is the colour itself, 0 is white."""
    red, green, blue = mcolors.to_rgb(color)
    return (
        1.0 - strength * (1.0 - red),
        1.0 - strength * (1.0 - green),
        1.0 - strength * (1.0 - blue),
    )


def _percent(level: float) -> str:
    return f"{100.0 * level:g}%"


def _decimals(values: Iterable[float]) -> int:
    """The fewest decimals (up to 6) that show every finite value of ``values`` exactly."""
    finite = [v for v in values if math.isfinite(v)]
    for places in range(7):
        scaled = [v * 10.0**places for v in finite]
        if all(abs(s - round(s)) <= 1e-6 * max(1.0, abs(s)) for s in scaled):
            return places
    return 6


class _Thousands(ticker.Formatter):
    """Tick labels with thousands separators and just the decimals the ticks need."""

    def __init__(self) -> None:
        self._places = 0

    def set_locs(self, locs: list[float]) -> None:
        super().set_locs(locs)
        self._places = _decimals(locs)

    def __call__(self, x: float, pos: int | None = None) -> str:
        return self.fix_minus(f"{x:,.{self._places}f}")


class _SpacedTicks(ticker.MaxNLocator):
    """Ticks on a horizontal number axis, as many as fit without long labels touching.

    matplotlib's default spacing assumes labels about three characters wide; "1,200,000" is
    nine. The label width is estimated from the characters (DejaVu Sans: digits and the minus
    sign about 0.64 em, comma and point 0.32 em), with one em between labels.
    """

    def __init__(self) -> None:
        super().__init__(nbins=9, steps=[1, 2, 2.5, 5, 10])

    def tick_values(self, vmin: float, vmax: float) -> Sequence[float]:
        ticks: Sequence[float] = []
        if not isinstance(self.axis, Axis) or vmin == vmax:
            return super().tick_values(vmin, vmax)
        ax = self.axis.axes
        width = ax.bbox.width * 72.0 / ax.figure.dpi
        size = FontProperties(size=mpl.rcParams["xtick.labelsize"]).get_size_in_points()
        text = f"{max(abs(vmin), abs(vmax)):,.0f}" + ("-" if min(vmin, vmax) < 0 else "")
        text += ".00" if abs(vmax - vmin) < 10 else ""
        ems = 0.64 * sum(c not in ",." for c in text) + 0.32 * sum(c in ",." for c in text)
        for nbins in range(9, 0, -1):
            self.set_params(nbins=nbins)
            ticks = super().tick_values(vmin, vmax)
            step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else abs(vmax - vmin)
            if step / abs(vmax - vmin) * width >= size * (ems + 1.0):
                break
        return ticks


def _number_axis(axis: Axis) -> None:
    axis.set_major_formatter(_Thousands())
    if isinstance(axis, XAxis):
        axis.set_major_locator(_SpacedTicks())


def _date_axis(axis: Axis) -> None:
    """Make ``axis`` a date axis (matplotlib's date converter) with concise date labels."""
    axis.axis_date()
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)  # type: ignore[no-untyped-call]
    axis.set_major_locator(locator)
    axis.set_major_formatter(_ConciseDates(locator))


class _ConciseDates(mdates.ConciseDateFormatter):
    """Concise date labels whose year (matplotlib's offset) goes under the first tick.

    matplotlib writes what the ticks leave out ("2025") once, at the far end of the axis,
    where it reads as a stray label; here it completes the first tick's label ("Mar 2025").
    """

    def __init__(self, locator: mdates.DateLocator) -> None:
        forms = ["", "%Y", "%b %Y", "%d %b %Y", "%d %b %Y", "%d %b %Y %H:%M"]
        super().__init__(locator, offset_formats=forms)  # type: ignore[no-untyped-call]

    def format_ticks(self, values: Any) -> list[str]:
        labels: list[str] = list(super().format_ticks(values))  # type: ignore[no-untyped-call]
        offset = str(super().get_offset())  # type: ignore[no-untyped-call]
        shown = [i for i, text in enumerate(labels) if text]
        if not shown:
            return labels
        first = labels[shown[0]]
        if not offset and not re.search(r"\d{4}", first) and len(values):
            # ticks that cross a new year name it there only: the first needs its own year
            offset = str(mdates.num2date(values[shown[0]]).year)  # type: ignore[no-untyped-call]
        if offset and offset not in first:
            labels[shown[0]] = f"{first}\n{offset}"
        return labels

    def get_offset(self) -> str:
        """Nothing: the offset is in the first tick's label."""
        return ""


def _epoch_seconds() -> int:
    """The date epoch of matplotlib (``rcParams["date.epoch"]``) in seconds since 1970."""
    return int(_dates.whole_seconds(mdates.get_epoch()))  # type: ignore[no-untyped-call]


def _datenum(values: npt.ArrayLike) -> FloatArray:
    """Dates as matplotlib date numbers (days since its epoch); ``NaT`` becomes NaN.

    Computed from the dates' integer counts (:func:`._dates.days_since`), so dates at any
    distance (beyond matplotlib's years 1-9999, beyond what microseconds hold) get their number.
    """
    return _dates.days_since(values, _epoch_seconds())


def _day_bounds() -> tuple[float, float]:
    """The first and last date numbers a matplotlib date axis can show."""
    first, last = _datenum(np.array([_FIRST_DAY, _LAST_DAY]))
    return float(first), float(last) + 1.0 - 1.0 / _dates.SECONDS_PER_DAY


def _date_text(num: float) -> str:
    """A matplotlib date number as a day: ``"12 Jul 2025"`` (ISO beyond the years 1-9999)."""
    first, last = _day_bounds()
    if first <= num <= last:
        day = mdates.num2date(num)  # type: ignore[no-untyped-call]
        return f"{day.day} {day:%b %Y}"
    return _dates.iso_day(_dates.day_at(num + _epoch_seconds() / _dates.SECONDS_PER_DAY))


def _one_date(name: str, value: object) -> float:
    """A date given as a string, :class:`datetime.date` or ``datetime64``, as a date number."""
    stamp = _dates.to_datetime64(value)
    if np.isnat(stamp):
        raise InputError(f"{name} must be a date such as '2025-06-30'; got {value!r}")
    return float(_datenum(stamp))


def _label(da: xr.DataArray, units: bool = True) -> str:
    """The variable's long name (or name), followed by its units in brackets."""
    name = str(da.attrs.get("long_name") or (da.name if da.name is not None else "value"))
    unit = str(da.attrs.get("units", "")) if units else ""
    unit = "%" if unit == "share" else unit  # a share axis is in percent
    return f"{name} ({unit})" if unit else name


def _long_name(da: xr.DataArray) -> str:
    return _label(da, units=False)


# --------------------------------------------------------------------------------------------
# Draws: validation, intervals
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Draws:
    """The draws of one quantity, their kind, and their values on the plot's axis.

    On a date axis the values are matplotlib date numbers, with NaN for ``NaT``.
    """

    da: xr.DataArray
    kind: Literal["number", "date", "bool"]
    raw: np.ndarray
    x: FloatArray

    @property
    def n(self) -> int:
        return int(self.raw.size)


def _draws(da: object, name: str, *, infinite: bool = False) -> _Draws:
    """Validate one quantity's draws: a 1-d DataArray (or array) of numbers, dates or bools.

    A 0-d DataArray (a constant) is the same value in every draw. ``infinite``: infinities
    are allowed (NaN never is).
    """
    if isinstance(da, xr.Dataset):
        raise InputError(
            f"{name} must be one quantity (a DataArray such as ds['name']); got a Dataset "
            f"with variables {', '.join(map(repr, da.data_vars))}"
        )
    if not isinstance(da, xr.DataArray):
        try:
            da = xr.DataArray(np.asarray(da), dims="draw")
        except (TypeError, ValueError) as err:
            raise InputError(f"{name} must be a DataArray of draws; got {da!r}") from err
    if da.ndim > 1:
        raise InputError(
            f"{name} has dimensions {da.dims}; one value per draw is needed, so select the "
            f"other dimensions first (e.g. da.isel({da.dims[-1]}=-1))"
        )
    if da.ndim == 0:  # a constant
        da = da.expand_dims(draw=1)
    raw = np.asarray(da.values)
    if raw.size == 0:
        raise InputError(f"{name} has no draws; need at least one")
    if raw.dtype.kind == "b":
        return _Draws(da, "bool", raw, raw.astype(np.float64))
    if raw.dtype.kind == "M":
        return _Draws(da, "date", raw, _datenum(raw))
    if raw.dtype.kind not in "iuf":
        raise InputError(
            f"{name} must hold numbers, dates (datetime64) or booleans; got dtype {raw.dtype}"
        )
    x = raw.astype(np.float64)
    bad = int(np.count_nonzero(np.isnan(x) if infinite else ~np.isfinite(x)))
    if bad:
        what = "NaN" if infinite else "NaN or infinite"
        raise InputError(
            f"{name} has {bad:,} {what} draws out of {x.size:,}; drop them before plotting"
        )
    return _Draws(da, "number", raw, x)


@dataclass(frozen=True)
class AxisWindow:
    """Where a plot's axis is, and the shares of the draws it cannot show.

    Attributes
    ----------
    low, high : float
        The axis limits (matplotlib date numbers on a date axis).
    below, above : float
        Shares of all draws (finite, dated) below ``low`` and above ``high``.
    never : float
        Share of dates that are ``NaT`` (never, or not by ``not_by``).
    infinite : float
        Share of numbers that are infinite.
    not_by : str
        The last date the draws could reach (``"8 Aug 2026"``), when their ``NaT`` means
        "not by then" (the DataArray's ``attrs["not_by"]``: a crossing on finite paths);
        ``""``: ``NaT`` means never.
    """

    low: float
    high: float
    below: float = 0.0
    above: float = 0.0
    never: float = 0.0
    infinite: float = 0.0
    not_by: str = ""

    @property
    def outside(self) -> float:
        """The share of the draws with a value that falls outside the axis."""
        return self.below + self.above

    def note(self) -> str:
        """What the axis leaves out, for a caption: ``""`` when it shows every draw.

        >>> AxisWindow(0.0, 1.0, below=0.01, above=0.013, never=0.005).note()
        '2.3% of draws fall outside the axis; 0.5% never cross'
        >>> AxisWindow(0.0, 1.0, never=0.992, not_by="8 Aug 2026").note()
        '99.2% do not cross by 8 Aug 2026'
        """
        parts = []
        if self.outside:
            parts.append(f"{_share_text(self.outside)} of draws fall outside the axis")
        if self.never and self.not_by:
            parts.append(f"{_share_text(self.never)} do not cross by {self.not_by}")
        elif self.never:
            parts.append(f"{_share_text(self.never)} never cross")
        if self.infinite:
            parts.append(f"{_share_text(self.infinite)} are infinite")
        return "; ".join(parts)


def _share_text(p: float) -> str:
    """A share of draws as a percentage, never rounded to 0% or 100%."""
    text = f"{p:.1%}"
    if text == "0.0%":
        return "<0.1%"
    return ">99.9%" if text == "100.0%" and p < 1.0 else text


def _window(draws: _Draws, extra: Sequence[float] = ()) -> AxisWindow:
    """The axis for ``draws``: every finite value, unless far tails would squash the rest.

    Then the central 99% (:data:`_TAILS`), with a 5% margin. ``extra`` values (quoted dates,
    an earlier axis) are always shown. Date axes end where matplotlib's dates end.
    """
    finite = np.sort(draws.x[np.isfinite(draws.x)])
    points = [v for v in extra if math.isfinite(v)]
    if finite.size:
        low, high = float(finite[0]), float(finite[-1])
        with np.errstate(over="ignore", invalid="ignore"):  # spans beyond the float range
            core_low, core_high = (quantile(finite, p) for p in _TAILS)
            if (high - low) > _SQUASHED * (core_high - core_low):
                pad = 0.05 * (core_high - core_low)
                low, high = max(low, core_low - pad), min(high, core_high + pad)
        points += [low, high]
    if not points:
        points = [0.0] if draws.kind == "number" else [float(_datenum(np.datetime64("today")))]
    low, high = min(points), max(points)
    if draws.kind == "date":
        first, last = _day_bounds()
        low, high = min(max(low, first), last), min(max(high, first), last)
    if not high > low:  # one value: a spike in a window around it
        half = 30.0 if draws.kind == "date" else (abs(low) * 0.05 or 1.0)
        low, high = low - half, high + half
        if draws.kind == "date":
            first, last = _day_bounds()
            low, high = max(low, first), min(high, last)
    return _window_between(draws, low, high)


def _window_between(draws: _Draws, low: float, high: float) -> AxisWindow:
    """The axis from ``low`` to ``high``, with the shares of the draws it leaves out."""
    n = draws.n
    finite = np.sort(draws.x[np.isfinite(draws.x)])
    never = float(np.count_nonzero(np.isnan(draws.x))) / n if draws.kind == "date" else 0.0
    infinite = float(np.count_nonzero(np.isinf(draws.x))) / n
    below = float(np.searchsorted(finite, low, side="left")) / n
    above = float(finite.size - np.searchsorted(finite, high, side="right")) / n
    return AxisWindow(low, high, below, above, never, infinite, _not_by(draws.da))


def _not_by(da: xr.DataArray) -> str:
    """``"8 Aug 2026"`` where a date quantity's ``NaT`` means "not by" that day, else ``""``."""
    day = _dates.parse_date(str(da.attrs.get("not_by", ""))[:10])
    return "" if day is None else f"{day.day} {day.strftime('%b')} {day.year}"


def shown_window(da: xr.DataArray, *, quoted: Mapping[str, DateLike] | None = None) -> AxisWindow:
    """The axis :func:`plot_distribution` or :func:`plot_crossing_cdf` gives ``da``.

    The axis shows every draw unless far tails would squash the rest; then it shows the
    central 99% of the finite draws (with a margin). A date axis ends where matplotlib's
    dates end (years 1-9999). Infinite draws and ``NaT`` are never on the axis. The returned
    :class:`AxisWindow` says what share of the draws each of these leaves out, for a caption.

    Parameters
    ----------
    da : xarray.DataArray
        The draws (numbers, infinities allowed, or dates with ``NaT``).
    quoted : mapping of str to date, optional
        Quoted dates that :func:`plot_crossing_cdf` marks: those within a quarter of the
        axis' span beyond it widen it to hold them; those further off do not (the chart lists
        them in its legend).

    Returns
    -------
    AxisWindow

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> days = np.arange(1000).astype("timedelta64[D]") + np.datetime64("2025-01-01")
    >>> days[-5:] = np.datetime64("100000-01-01")
    >>> days[:3] = np.datetime64("NaT")
    >>> shown_window(xr.DataArray(days, dims="draw")).note()
    '0.5% of draws fall outside the axis; 0.3% never cross'
    """
    draws = _draws(da, "da", infinite=True)
    return _window(draws, _near(draws, _quoted_days(quoted)))


#: A quoted date widens a crossing chart's axis only when it lies within this share of the
#: draws' span beyond it; one further off is listed in the legend instead of stretching it.
_QUOTED_REACH = 0.25


def _near(draws: _Draws, days: Sequence[float]) -> list[float]:
    """The quoted dates close enough to the draws' own axis to be shown on it."""
    own = _window(draws)
    reach = _QUOTED_REACH * (own.high - own.low)
    return [d for d in days if own.low - reach <= d <= own.high + reach]


def _quoted_days(quoted: object) -> list[float]:
    if quoted is None:
        return []
    if not isinstance(quoted, Mapping):
        raise InputError(f"quoted must map labels to dates; got {type(quoted).__name__}")
    return [_one_date(f"quoted[{k!r}]", v) for k, v in quoted.items()]


def _kind(value: object) -> IntervalKind:
    return "hdi" if _validate.choice("kind", value, _KIND_NAMES) == "hdi" else "eti"


def _sorted_x(draws: _Draws) -> FloatArray:
    """The plotted values sorted, with ``NaT`` ("never") as ``+inf``, after every date."""
    return np.sort(np.where(np.isnan(draws.x), np.inf, draws.x))


def _interval(draws: _Draws, level: float, kind: IntervalKind) -> tuple[float, float]:
    """The credible interval on the plot's axis (``+inf`` for a ``NaT`` bound)."""
    low, high = interval(draws.raw, level, kind=kind)
    if draws.kind != "date":
        return float(low), float(high)
    low_x = math.inf if np.isnat(low) else float(_datenum(low))
    high_x = math.inf if np.isnat(high) else float(_datenum(high))
    return low_x, high_x


def _value_text(draws: _Draws, value: float) -> str:
    if draws.kind == "date":
        return "never" if math.isinf(value) else _date_text(value)
    size = abs(value)
    if math.isfinite(value) and size and not 1e-6 <= size < 1e15:
        return f"{value:.3g}"
    return fmt_sig(value)


def _pair_text(draws: _Draws, low: float, high: float) -> str:
    """Two bounds quoted together: numbers share one number of decimals."""
    if draws.kind == "date" or not (math.isfinite(low) and math.isfinite(high)):
        return f"{_value_text(draws, low)} – {_value_text(draws, high)}"
    first, second = numbers_text([low, high], [0.0, 0.0])
    return f"{first} – {second}"


def _cited(
    da: xr.DataArray, level: float, kind: IntervalKind, digits: int | None
) -> tuple[str, str, str] | None:
    """The median and interval bounds as :func:`attritionsim.cite` writes them, or ``None``.

    The same digits as the headline sentences (the Monte Carlo error's rule, capped at
    ``digits``), in full ("1,060,000", not "1.06 million"), a share in percent; ``None`` for
    anything but finite numbers.
    """
    values = np.asarray(da.values)
    if values.dtype.kind not in "fiu" or not np.all(np.isfinite(values)):
        return None
    sample = sample_of(da)
    found = figures(sample, level)
    bounds, errors = (found.eti, found.mcse_eti) if kind == "eti" else (found.hdi, found.mcse_hdi)
    scale = 100.0 if _is_share(da) else 1.0
    mid, low, high = numbers_text(
        [scale * sample.to_number(v) for v in (found.median, *bounds)],
        [scale * sample.to_error(e) for e in (found.mcse_median, *errors)],
        digits,
        "−",
        interval=True,
    )
    sign = "%" if scale != 1.0 else ""
    return f"{mid}{sign}", f"{low}{sign}", f"{high}{sign}"


def _is_share(da: xr.DataArray) -> bool:
    """Whether the draws are a share (``units == "share"``): shown in percent."""
    return str(da.attrs.get("units", "")) == "share"


def _percent_axis(axis: Axis) -> None:
    """A share (0 to 1) axis labelled in percent, with as many decimals as the ticks need."""
    axis.set_major_formatter(ticker.PercentFormatter(xmax=1.0, decimals=None))
    if isinstance(axis, XAxis):
        axis.set_major_locator(_SpacedTicks())


# --------------------------------------------------------------------------------------------
# Distribution
# --------------------------------------------------------------------------------------------


def plot_distribution(
    da: xr.DataArray,
    *,
    level: float = DEFAULT_LEVEL,
    kind: IntervalKind = "eti",
    bins: int | Sequence[float] = 60,
    digits: int | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Histogram of one quantity's draws, its credible interval shaded and its median marked.

    Parameters
    ----------
    da : xarray.DataArray
        The draws (dimension ``draw``): numbers, dates (``datetime64``; ``NaT`` means "never")
        or booleans. The axis label comes from the ``long_name`` and ``units`` attributes.
    level : float, default 0.9
        Probability inside the shaded interval, in (0, 1).
    kind : {"eti", "hdi"}, default "eti"
        Equal-tailed or highest-density interval (see :func:`attritionsim.summary.interval`).
    bins : int or sequence of float, default 60
        Number of histogram bins over the range of the draws, or the bin edges (on a date axis,
        in matplotlib date numbers).
    digits : int, optional
        Most significant digits of the median and bounds in the legend, as
        :func:`attritionsim.cite` takes it: the legend writes them as a report's headline does.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default a new figure.
    title : str, optional
        Title; by default the quantity's name and the interval; ``""`` for none.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on (``ax``'s figure when ``ax`` is given).

    Notes
    -----
    The histogram of all draws is drawn light; the part of it inside the interval is drawn
    again, darker, as a step patch whose edges run exactly from the lower to the upper bound.
    Dates that never occur (``NaT``) cannot be drawn on a date axis: the legend says what share
    of the draws they are. A boolean quantity is drawn as a bar of the probability that it is
    true. A share (``units == "share"``) is drawn on a percent axis, its figures in percent.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> from attritionsim.plots import plot_distribution
    >>> da = xr.DataArray(np.random.default_rng(1).normal(1.2e6, 5e4, 2_000), dims="draw",
    ...                   attrs={"long_name": "Russian casualties", "units": "people"})
    >>> fig = plot_distribution(da)
    >>> fig.axes[0].get_xlabel()
    'Russian casualties (people)'
    """
    level = _validate.level(level, closed=False)
    kind = _kind(kind)
    draws = _draws(da, "da", infinite=True)
    if draws.kind == "bool":
        return _plot_probability(draws, ax=ax, title=title)
    fig, ax = _axes(ax, (6.4, 4.0))
    if draws.kind == "date":
        _date_axis(ax.xaxis)
    low, high = _interval(draws, level, kind)
    median = quantile(_sorted_x(draws), 0.5)
    interval_text = _pair_text(draws, low, high)
    median_text = _value_text(draws, median)
    cited = _cited(draws.da, level, kind, digits) if draws.kind == "number" else None
    if cited is not None:
        median_text, interval_text = cited[0], f"{cited[1]} – {cited[2]}"
    power = _power(draws)
    if power:  # matplotlib cannot draw near the float limit: the axis is in 10**power
        factor = 10.0**power
        draws = dataclasses.replace(draws, x=draws.x / factor)
        low, high, median = low / factor, high / factor, median / factor
    window = _window(draws)
    edges = _edges(window, bins)
    if not isinstance(bins, int | np.integer):  # the given edges are the axis
        window = _window_between(draws, float(edges[0]), float(edges[-1]))
    xs = draws.x
    shown = np.sort(xs[(xs >= window.low) & (xs <= window.high)])
    blue = PALETTE["blue"]
    if shown.size:
        counts, _ = np.histogram(_unit(shown, window), bins=_unit(edges, window))
    else:
        counts = np.zeros(edges.size - 1, dtype=np.int64)
    # densities on the unit axis: a span of 1e308 has no float width, its shape is the same
    unit_widths = np.diff(_unit(edges, window))
    density = counts / (draws.n * unit_widths)  # what is not shown keeps its share of mass
    ax.stairs(density, edges, fill=True, color=_tint(blue, 0.3), label="draws (histogram)")

    shown_low, shown_high = max(low, edges[0]), min(high, edges[-1])
    if shown_high > shown_low:
        inside = edges[(edges > shown_low) & (edges < shown_high)]
        seg_edges = np.concatenate([[shown_low], inside, [shown_high]])
        seg_bins = np.clip(
            np.searchsorted(edges, seg_edges[:-1], side="right") - 1, 0, density.size - 1
        )
        seg_density = density[seg_bins]
    else:  # the interval is off the axis (or a single value): nothing to shade
        seg_edges, seg_density = np.array([edges[0], edges[0]]), np.zeros(1)
    ax.stairs(
        seg_density,
        seg_edges,
        fill=True,
        color=_tint(blue, 0.85),
        gid="interval",
        label=f"{_percent(level)} CrI ({_KIND_NAMES[kind]}): {interval_text}",
    )
    ax.stairs(density, edges, color=blue, linewidth=0.8)
    if math.isfinite(median):
        ax.axvline(
            min(max(median, window.low), window.high),
            color=PALETTE["black"],
            linewidth=1.6,
            gid="median",
            label=f"median: {median_text}",
        )
    if window.never:
        ax.plot([], [], " ", label=f"never (NaT): {_share_text(window.never)} of draws, not shown")
    if window.infinite:
        ax.plot([], [], " ", label=f"infinite: {_share_text(window.infinite)} of draws, not shown")
    if window.outside:
        ax.plot([], [], " ", label=f"off the axis: {_share_text(window.outside)} of draws")

    ax.set_xlabel(_label(draws.da) + (f" (× 10{_superscript(power)})" if power else ""))
    ax.set_ylabel("Probability density")
    ax.set_yticks([])
    top = float(density.max())
    ax.set_ylim(bottom=0.0, top=top * 1.25 if top > 0 else 1.0)
    ax.set_xlim(window.low, window.high)
    if draws.kind == "number":
        (_percent_axis if _is_share(draws.da) and not power else _number_axis)(ax.xaxis)
    _tidy(ax)
    bars = [
        (float(a), float(b), float(d))
        for a, b, d in zip(edges[:-1], edges[1:], density, strict=True)
        if d
    ]
    if math.isfinite(median):  # the median line runs the axis' height
        x = min(max(median, window.low), window.high)
        bars.append((x, x, ax.get_ylim()[1]))
    _legend_off_data(fig, ax, bars)
    _title(ax, title, f"{_long_name(draws.da)}: median and {_percent(level)} credible interval")
    return fig


def _legend_off_data(fig: Figure, ax: Axes, boxes: Sequence[tuple[float, float, float]]) -> None:
    """The legend in an upper corner that no data reach, else below the axes.

    ``boxes``: ``(x0, x1, height)`` in data units, each standing on zero (histogram bars,
    vertical lines). A corner is taken only when the legend's box (with a small margin)
    meets none of them.
    """
    with warnings.catch_warnings():  # missing glyphs are reported once, when it is saved
        warnings.simplefilter("ignore")
        fig.draw_without_rendering()  # the layout first: the axes' final size on the page
    shapes = [
        transforms.Bbox.from_extents(
            *ax.transData.transform((x0, 0.0)), *ax.transData.transform((x1, h))
        )
        for x0, x1, h in boxes
    ]
    for loc in ("upper right", "upper left", "upper center"):
        legend = ax.legend(loc=loc, frameon=False, fontsize="small")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            box = legend.get_window_extent().expanded(1.04, 1.1)
        if not any(box.overlaps(shape) for shape in shapes):
            return
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        bbox_transform=transforms.offset_copy(ax.transAxes, fig=fig, y=-40, units="points"),
        ncols=2,
        frameon=False,
        fontsize="small",
    )


def _power(draws: _Draws) -> int:
    """The power of ten a number axis is written in.

    0, unless the draws reach ``10**15`` or all lie below ``10**-6``.
    """
    finite = np.abs(draws.x[np.isfinite(draws.x)])
    top = float(finite.max()) if draws.kind == "number" and finite.size else 0.0
    if top == 0.0:
        return 0
    place = math.floor(math.log10(top))
    return place if place >= 15 or place <= -7 else 0


def _superscript(power: int) -> str:
    return str(power).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _unit(values: npt.ArrayLike, window: AxisWindow) -> FloatArray:
    """Values as fractions of the way across the window (no overflow at the float limit)."""
    scale = max(abs(window.low), abs(window.high)) or 1.0
    low, high = window.low / scale, window.high / scale
    return (np.asarray(values, dtype=np.float64) / scale - low) / (high - low)


def _edges(window: AxisWindow, bins: int | Sequence[float]) -> FloatArray:
    """Histogram bin edges across the window: ``bins`` of them, or the given edges."""
    if isinstance(bins, int | np.integer) and not isinstance(bins, bool):
        count = _validate.positive_int("bins", bins)
        scale = max(abs(window.low), abs(window.high)) or 1.0
        fractions = np.linspace(0.0, 1.0, count + 1)
        low, high = window.low / scale, window.high / scale
        edges = (low + fractions * (high - low)) * scale
        edges[0], edges[-1] = window.low, window.high
        return edges
    edges = np.asarray(bins, dtype=np.float64)
    if edges.ndim != 1 or edges.size < 2 or not np.all(np.diff(edges) > 0):
        raise InputError(f"bins must be a count or increasing bin edges; got {bins!r}")
    return edges


def _plot_probability(draws: _Draws, *, ax: Axes | None, title: str | None) -> Figure:
    """A yes/no quantity: one bar of the probability that it is true."""
    fig, ax = _axes(ax, (6.4, 1.9))
    p = float(draws.x.mean())
    ax.barh([0], [1.0], height=0.6, color=_tint(PALETTE["grey"], 0.25))
    ax.barh([0], [p], height=0.6, color=PALETTE["blue"], gid="probability")
    for share, at, side, colour in (
        (p, p - 0.01, "right", "white"),
        (1.0 - p, p + 0.01, "left", PALETTE["black"]),
    ):
        if share >= 0.2:  # room for the words inside the bar
            word = "true" if colour == "white" else "false"
            ax.text(at, 0, f"{word}: {share:.1%}", ha=side, va="center", color=colour)
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(-0.5, 0.5)
    ax.set_yticks([])
    ax.xaxis.set_major_formatter(ticker.PercentFormatter(xmax=1.0))
    ax.set_xlabel(f"Probability ({draws.n:,} draws)")
    _tidy(ax, grid="x")
    ax.spines["left"].set_visible(False)
    _title(ax, title, f"P({_long_name(draws.da)}) = {p:.1%}")
    return fig


# --------------------------------------------------------------------------------------------
# Forest plot of sources against the model
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Record:
    label: str
    value: float | None
    low: float | None
    high: float | None
    qualifier: str
    measure: str = ""
    units: str = ""
    shown: str = ""

    @property
    def side(self) -> Literal["upper", "lower", ""]:
        """Which bound a one-sided qualifier gives ("up to X": an upper bound)."""
        if self.qualifier in _UPPER:
            return "upper"
        if self.qualifier in _LOWER:
            return "lower"
        return ""

    def text(self) -> str:
        """The figure as stated: "275,000–325,000", "up to 250,000", "about 950,000".

        A record's own ``text`` when it has one; a share in percent.
        """
        if self.shown:
            return self.shown
        number = _share_number if self.units == "share" else fmt_number
        if self.low is not None and self.high is not None:
            span = f"{number(self.low)}–{number(self.high)}"
            if self.value is not None:
                span = f"{number(self.value)} ({span})"
            return span
        point = next((v for v in (self.value, self.high, self.low) if v is not None), None)
        if point is None:
            return ""
        word = self.qualifier if self.qualifier not in {"", "range", "point", "exact"} else ""
        return f"{word} {number(point)}".strip()


def _share_number(value: float) -> str:
    """A share as a percentage, to at most three significant digits: ``0.225`` -> ``"22.5%"``."""
    return f"{fmt_sig(100.0 * value)}%"


def _field(record: object, name: str) -> Any:
    if isinstance(record, Mapping):
        return record.get(name)
    return getattr(record, name, None)


def _number_field(record: object, name: str, where: str) -> float | None:
    value = _field(record, name)
    if value is None:
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{where}: {name} must be a number; got {value!r}") from None
    return out if math.isfinite(out) else None


def _date_field_text(value: object) -> str:
    if isinstance(value, np.datetime64 | dt.date):
        return _dates.iso_day(value)
    return str(value)[:10]


def _records(records: object, name: str) -> list[_Record]:
    """Generic source records (mappings or objects) as plot rows."""
    if isinstance(records, str | bytes | Mapping) or not isinstance(records, Iterable):
        raise InputError(
            f"{name} must be a sequence of records (mappings or objects with value/low/high); "
            f"got {type(records).__name__}"
        )
    rows = []
    for i, record in enumerate(records):
        where = f"{name}[{i}]"
        value = _number_field(record, "value", where)
        low = _number_field(record, "low", where)
        high = _number_field(record, "high", where)
        if value is None and low is None and high is None:
            raise InputError(f"{where} has no value, low or high; got {record!r}")
        qualifier = _field(record, "qualifier")
        qualifier = getattr(qualifier, "value", qualifier)  # an Enum's value
        qualifier = "" if qualifier is None else str(qualifier).replace("_", " ").strip().lower()
        label = _field(record, "label")
        if not label:
            who = _field(record, "publisher") or _field(record, "id") or f"source {i + 1}"
            as_of = _field(record, "as_of")
            label = f"{who} ({_date_field_text(as_of)})" if as_of is not None else str(who)
        measure = str(_field(record, "measure") or "").replace("_", " ")
        units = str(_field(record, "units") or "")
        shown = str(_field(record, "text") or "")
        rows.append(_Record(str(label), value, low, high, qualifier, measure, units, shown))
    if not rows:
        raise InputError(f"{name} is empty; give at least one record")
    return rows


def _records_label(rows: Sequence[_Record]) -> str:
    """The measure and units the records share ("casualties (people)"), else "Value"."""
    measures, units = {row.measure for row in rows}, {row.units for row in rows}
    if len(measures) != 1 or not rows[0].measure:
        return "Value"
    unit = "%" if rows[0].units == "share" else rows[0].units
    return f"{rows[0].measure} ({unit})" if len(units) == 1 and unit else rows[0].measure


def _model_interval(
    model_interval: object, level: float, kind: IntervalKind, digits: int | None = None
) -> tuple[float, float, float | None, str | None, str]:
    """``(low, high, median or None, axis label or None, text)`` from draws or a pair.

    The text is the median and interval as :func:`attritionsim.cite` rounds them (draws), or
    the pair to three significant digits.
    """
    if isinstance(model_interval, xr.DataArray) or (
        isinstance(model_interval, np.ndarray) and model_interval.size != 2
    ):
        draws = _draws(model_interval, "model_interval")
        if draws.kind != "number":
            raise InputError("model_interval must be numeric draws or a (low, high) pair")
        low, high = _interval(draws, level, kind)
        median = quantile(_sorted_x(draws), 0.5)
        label = _label(draws.da) if isinstance(model_interval, xr.DataArray) else None
        cited = _cited(draws.da, level, kind, digits)
        text = f"{fmt_sig(median)} ({fmt_sig(low)}–{fmt_sig(high)})"
        if cited is not None:
            text = f"{cited[0]} ({cited[1]}–{cited[2]})"
        return low, high, median, label, text
    try:
        low, high = (float(v) for v in model_interval)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        raise InputError(
            "model_interval must be the model's draws or a (low, high) pair; "
            f"got {model_interval!r}"
        ) from None
    if not (math.isfinite(low) and math.isfinite(high) and low <= high):
        raise InputError(f"model_interval must be finite with low <= high; got ({low}, {high})")
    return low, high, None, None, f"{fmt_sig(low)}–{fmt_sig(high)}"


def _estimates(estimates: object, n: int) -> list[tuple[float, float, float] | None]:
    """Per-row ``(low, middle, high)`` estimates (or ``None``), one for each of ``n`` rows."""
    if isinstance(estimates, str | bytes) or not isinstance(estimates, Iterable):
        raise InputError(
            f"estimates must be a sequence of (low, middle, high) or None, one per record; "
            f"got {type(estimates).__name__}"
        )
    out: list[tuple[float, float, float] | None] = []
    for i, item in enumerate(estimates):
        if item is None:
            out.append(None)
            continue
        try:
            low, mid, high = (float(v) for v in item)
        except (TypeError, ValueError):
            raise InputError(
                f"estimates[{i}] must be (low, middle, high) or None; got {item!r}"
            ) from None
        if not (all(map(math.isfinite, (low, mid, high))) and low <= mid <= high):
            raise InputError(
                f"estimates[{i}] must be finite with low <= middle <= high; got {item!r}"
            )
        out.append((low, mid, high))
    if len(out) != n:
        raise InputError(f"estimates has {len(out)} entries for {n} records; give one per record")
    return out


def plot_forest(
    records: Iterable[object],
    model_interval: xr.DataArray | tuple[float, float] | None = None,
    *,
    level: float = DEFAULT_LEVEL,
    kind: IntervalKind = "eti",
    label: str = "Model",
    xlabel: str | None = None,
    estimates: Sequence[tuple[float, float, float] | None] | None = None,
    estimate_label: str = "model at the source's date",
    range_label: str = "stated range",
    digits: int | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Forest plot: one row per published figure for one measure, against the model's interval.

    Parameters
    ----------
    records : iterable of mapping or object
        The source figures, one row each, top to bottom in the given order. Each is a mapping
        or an object (such as a catalogue record) with any of ``value``, ``low`` and ``high``
        (numbers, at least one), and optionally ``qualifier`` ("approximately", "up to",
        "at least", ...), ``label``, or ``publisher`` / ``id`` and ``as_of`` from which a label
        is made ("CSIS (2025-12-31)"), and ``text``, the figure as written at the right (by
        default the stated figure; a share in percent).
    model_interval : xarray.DataArray or (float, float), optional
        The model's draws of the measure (its credible interval at ``level`` and its median are
        drawn) or an interval already computed.
    level : float, default 0.9
        Probability inside the model's interval, when draws are given.
    kind : {"eti", "hdi"}, default "eti"
        Equal-tailed or highest-density interval, when draws are given.
    label : str, default "Model"
        Label of the model's row.
    xlabel : str, optional
        Axis label; by default the draws' long name and units, else the ``measure`` and
        ``units`` that all records share, else "Value".
    estimates : sequence of (float, float, float) or None, optional
        One per record: the model's own estimate for that record's quantity ``(low, middle,
        high)`` (for instance a synthesis's interval at the record's date), drawn just below
        the record's row in the model's colour; ``None`` for a row without one.
    estimate_label : str, default "model at the source's date"
        Legend label of the estimates.
    range_label : str, default "stated range"
        Legend label of the records' ranges ("elicited 90% interval" when the ranges are
        readings of the sources rather than the ranges they stated).
    digits : int, optional
        Most significant digits of the model's figures written at the right, as
        :func:`attritionsim.cite` takes it (the digits a report's headline gives them).
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default a new figure.
    title : str, optional
        Title; by default "Sources and model"; ``""`` for none.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on.

    Notes
    -----
    A stated range is a bar with end caps; a stated value a dot. A one-sided figure ("up to",
    "nearly", "at most": an upper bound; "at least", "more than", "over": a lower bound) with no
    range is drawn as an arrow pointing from the bound towards where the true value lies. The
    figures as stated are listed at the right. The model's interval is a band across all rows
    and a diamond in its own row at the bottom (its widest point at the median; a bar when only
    the interval is given); its figures at the right are rounded as :func:`attritionsim.cite`
    rounds them. Shares (``units == "share"``) are drawn on a percent axis.

    Examples
    --------
    >>> from attritionsim.plots import plot_forest
    >>> records = [{"label": "CSIS", "low": 275_000, "high": 325_000},
    ...            {"label": "CNN", "value": 250_000, "qualifier": "up_to"}]
    >>> fig = plot_forest(records, (270_000, 330_000), xlabel="Russian killed (people)")
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['CSIS', 'CNN', 'Model']
    """
    level = _validate.level(level, closed=False)
    kind = _kind(kind)
    rows = _records(records, "records")
    model = None if model_interval is None else _model_interval(model_interval, level, kind, digits)
    n = len(rows)
    own = [None] * n if estimates is None else _estimates(estimates, n)
    # Long row labels take width from the data area: widen the figure to keep it readable.
    longest = max((len(row.label) for row in rows), default=0)
    width = 7.5 + max(0.0, 0.075 * (longest - 30))
    fig, ax = _axes(ax, (width, 1.3 + 0.42 * (n + (model is not None))))

    numbers = [v for row in rows for v in (row.value, row.low, row.high) if v is not None]
    numbers += [v for found in own if found is not None for v in found]
    if model is not None:
        numbers += [model[0], model[1]]
    span = max(numbers) - min(numbers) or max(abs(max(numbers)), 1.0)
    arrow = 0.12 * span
    range_colour, point_colour, model_colour = PALETTE["blue"], PALETTE["black"], PALETTE["orange"]
    kinds_drawn: set[str] = set()
    for y, row in enumerate(rows):
        if row.low is not None and row.high is not None:
            ax.plot(
                [row.low, row.high],
                [y, y],
                color=range_colour,
                linewidth=2.5,
                marker="|",
                markersize=10,
                markeredgewidth=2,
                solid_capstyle="butt",
                gid="range",
            )
            kinds_drawn.add("range")
        elif row.side:
            bound = next(v for v in (row.value, row.high, row.low) if v is not None)
            tail = bound - arrow if row.side == "upper" else bound + arrow
            ax.annotate(
                "",
                xy=(tail, y),
                xytext=(bound, y),
                arrowprops={"arrowstyle": "-|>", "color": range_colour, "linewidth": 2.0},
                gid=f"{row.side} bound",
            )
            ax.plot([bound], [y], marker="|", markersize=10, markeredgewidth=2, color=range_colour)
            ax.update_datalim([(tail, y)])
            kinds_drawn.add(row.side)
        elif (lone := row.low if row.low is not None else row.high) is not None:
            ax.plot([lone], [y], marker="|", markersize=10, markeredgewidth=2, color=range_colour)
        if row.value is not None:
            ax.plot([row.value], [y], marker="o", markersize=6, color=point_colour, gid="value")
            kinds_drawn.add("value")
        if own[y] is not None:
            e_low, e_mid, e_high = own[y]  # type: ignore[misc]
            ax.plot(
                [e_low, e_high],
                [y + 0.28, y + 0.28],
                color=model_colour,
                linewidth=2.0,
                solid_capstyle="butt",
                gid="estimate",
            )
            ax.plot([e_mid], [y + 0.28], marker="D", markersize=4, color=model_colour)
            kinds_drawn.add("estimate")
        ax.annotate(
            row.text(),
            xy=(1.02, y),
            xycoords=("axes fraction", "data"),
            va="center",
            ha="left",
            fontsize="small",
            color="#333333",
        )

    ticks = [row.label for row in rows]
    if model is not None:
        low, high, median, model_label, text = model
        model_y = n + 0.2
        ax.axhline(n - 0.4, color="#BBBBBB", linewidth=0.8)
        ax.axvspan(low, high, color=model_colour, alpha=0.15, linewidth=0, zorder=0, gid="band")
        if median is not None:
            corners = (
                [low, median, high, median],
                [model_y, model_y - 0.3, model_y, model_y + 0.3],
            )
        else:
            top, bottom = model_y - 0.15, model_y + 0.15
            corners = ([low, high, high, low], [top, top, bottom, bottom])
        ax.fill(*corners, color=model_colour, gid="model")
        ax.annotate(
            text,
            xy=(1.02, model_y),
            xycoords=("axes fraction", "data"),
            va="center",
            ha="left",
            fontsize="small",
            color="#333333",
            fontweight="bold",
        )
        ticks.append(f"{label} ({_percent(level)} CrI)" if median is not None else label)
        xlabel = xlabel or model_label
    positions = [*range(n), *([n + 0.2] if model is not None else [])]
    ax.set_yticks(positions, ticks)
    ax.set_ylim(positions[-1] + 0.7, -0.7)  # first record on top
    ax.set_xlabel(xlabel or _records_label(rows))
    shares = all(row.units == "share" for row in rows) or (
        isinstance(model_interval, xr.DataArray) and _is_share(model_interval)
    )
    (_percent_axis if shares else _number_axis)(ax.xaxis)
    ax.set_xmargin(0.06)
    ax.autoscale_view()
    _tidy(ax, grid="x")
    ax.tick_params(axis="y", length=0)

    marks: dict[str, Any] = {"marker": "|", "markersize": 10, "markeredgewidth": 2}
    legend = {
        "range": Line2D([], [], color=range_colour, linewidth=2.5, label=range_label, **marks),
        "value": Line2D([], [], color=point_colour, marker="o", ls="none", label="stated value"),
        "upper": Line2D(
            [], [], color=range_colour, marker="<", label="upper bound (up to, nearly)"
        ),
        "lower": Line2D(
            [], [], color=range_colour, marker=">", label="lower bound (at least, over)"
        ),
    }
    legend["estimate"] = Line2D(
        [], [], color=model_colour, linewidth=2.0, marker="D", markersize=4, label=estimate_label
    )
    handles: list[Any] = [
        legend[k] for k in ("range", "value", "upper", "lower", "estimate") if k in kinds_drawn
    ]
    if model is not None:
        handles.append(Patch(color=model_colour, alpha=0.5, label=f"{label} interval"))
    if handles:
        ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, 0.0),
            bbox_transform=transforms.offset_copy(ax.transAxes, fig=fig, y=-36, units="points"),
            ncols=min(len(handles), 3),
            frameon=False,
            fontsize="small",
        )
    _title(ax, title, "Sources and model")
    return fig


# --------------------------------------------------------------------------------------------
# Fan chart of a trajectory
# --------------------------------------------------------------------------------------------


def _levels(levels: object) -> list[float]:
    if isinstance(levels, int | float):
        levels = [levels]
    if not isinstance(levels, Iterable) or isinstance(levels, str):
        raise InputError(f"levels must be a sequence of probabilities; got {levels!r}")
    out = [_validate.level(v, name="levels", closed=False) for v in levels]
    if not out:
        raise InputError("levels is empty; give at least one level, e.g. (0.5, 0.8, 0.95)")
    if len(set(out)) != len(out):
        raise InputError(f"levels must differ from each other; got {out}")
    return sorted(out, reverse=True)


def _anchor_points(anchors: object) -> list[tuple[float, float, float, float]]:
    """``(date, value, low, high)`` for each anchor estimate."""
    points = []
    if isinstance(anchors, Mapping):
        for date, value in anchors.items():
            v = _validate.finite_real(f"anchors[{date!r}]", value)
            points.append((_one_date("anchors: a date", date), v, v, v))
        return points
    if not isinstance(anchors, Iterable) or isinstance(anchors, str):
        raise InputError(
            f"anchors must map dates to values or be a sequence of records; got {anchors!r}"
        )
    for i, record in enumerate(anchors):
        where = f"anchors[{i}]"
        date = _field(record, "as_of")
        date = _field(record, "date") if date is None else date
        value = _number_field(record, "value", where)
        low = _number_field(record, "low", where)
        high = _number_field(record, "high", where)
        if value is None:
            if low is None or high is None:
                raise InputError(f"{where} needs a value, or both low and high; got {record!r}")
            value = (low + high) / 2.0
        points.append((_one_date(f"{where}: as_of", date), value, low or value, high or value))
    return points


def plot_fan(
    traj: xr.DataArray,
    *,
    levels: Sequence[float] = (0.5, 0.8, 0.95),
    anchors: Mapping[DateLike, float] | Iterable[object] | None = None,
    threshold: float | None = None,
    observed: xr.DataArray | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Fan chart of a trajectory: nested equal-tailed bands around the median, by date.

    Parameters
    ----------
    traj : xarray.DataArray
        Draws of a quantity over time, dimensions ``draw`` and ``date`` (``datetime64``).
    levels : sequence of float, default (0.5, 0.8, 0.95)
        One band per level: the equal-tailed interval holding that probability at each date.
    anchors : mapping or iterable of records, optional
        Dated estimates to mark: a mapping of date to value, or records with ``as_of`` (or
        ``date``) and ``value`` and/or ``low`` and ``high`` (drawn as error bars).
    threshold : float, optional
        A level to draw as a horizontal line (for instance one million).
    observed : xarray.DataArray, optional
        An observed series on dimension ``date`` (for instance the General Staff's reported
        totals), drawn as a line; its legend entry is its ``long_name`` or name.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default a new figure.
    title : str, optional
        Title; by default the quantity's name; ``""`` for none.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on. The bands are its only filled areas: exactly ``len(levels)``
        :class:`~matplotlib.collections.PolyCollection` objects.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> from attritionsim.plots import plot_fan
    >>> dates = np.arange("2025-01-01", "2025-04-01", dtype="datetime64[D]")
    >>> rate = np.random.default_rng(1).normal(1_000, 100, (500, 1))
    >>> traj = xr.DataArray(8e5 + rate * np.arange(dates.size), dims=("draw", "date"),
    ...                     coords={"date": dates}, attrs={"long_name": "Russian casualties"})
    >>> fig = plot_fan(traj, threshold=9e5)
    >>> len(fig.axes[0].collections)
    3
    """
    if not isinstance(traj, xr.DataArray) or set(traj.dims) != {"draw", "date"}:
        dims = traj.dims if isinstance(traj, xr.DataArray) else type(traj).__name__
        raise InputError(f"traj must be a DataArray with dimensions ('draw', 'date'); got {dims}")
    if "date" not in traj.coords or traj["date"].dtype.kind != "M":
        raise InputError("traj needs a 'date' coordinate of datetime64 dates")
    values = np.asarray(traj.transpose("draw", "date").values, dtype=np.float64)
    if np.isnan(values).any():
        raise InputError("traj has NaN draws; drop or fill them before plotting")
    wanted = _levels(levels)
    x = _datenum(traj["date"].values)

    fig, ax = _axes(ax, (7.5, 4.5))
    _date_axis(ax.xaxis)
    probs = [p for lv in wanted for p in ((1.0 - lv) / 2.0, (1.0 + lv) / 2.0)]
    quantiles = np.quantile(values, [*probs, 0.5], axis=0)
    blue = PALETTE["blue"]
    for i, lv in enumerate(wanted):
        strength = 0.25 + 0.45 * (i + 1) / len(wanted) if len(wanted) > 1 else 0.45
        ax.fill_between(
            x,
            quantiles[2 * i],
            quantiles[2 * i + 1],
            color=_tint(blue, strength),
            linewidth=0,
            label=f"{_percent(lv)} credible band",
        )
    ax.plot(x, quantiles[-1], color=blue, linewidth=2, label="median", gid="median")
    if observed is not None:
        if not isinstance(observed, xr.DataArray) or observed.dims != ("date",):
            raise InputError("observed must be a DataArray on dimension 'date'")
        if "date" not in observed.coords or observed["date"].dtype.kind != "M":
            raise InputError("observed needs a 'date' coordinate of datetime64 dates")
        ax.plot(
            _datenum(observed["date"].values),
            np.asarray(observed.values, dtype=np.float64),
            color=PALETTE["black"],
            linewidth=1.3,
            label=_long_name(observed) if observed.attrs.get("long_name") or observed.name
            else "observed",
            gid="observed",
        )  # fmt: skip
    low_x, high_x = float(np.min(x)), float(np.max(x))
    if anchors is not None:
        points = _anchor_points(anchors)
        spread = [p for p in points if p[2] < p[3]]
        for chosen, text in (
            (spread, "source estimates and their intervals"),
            ([p for p in points if not p[2] < p[3]], "source estimates"),
        ):
            if not chosen:
                continue
            px, py, plo, phi = (np.array(c, dtype=np.float64) for c in zip(*chosen, strict=True))
            if chosen is spread:  # error bars, and a legend symbol showing one
                ax.errorbar(
                    px,
                    py,
                    yerr=np.vstack([py - plo, phi - py]),
                    fmt="D",
                    color=PALETTE["vermillion"],
                    markersize=5,
                    capsize=3,
                    linewidth=1.2,
                    label=text,
                    zorder=3,
                )
            else:  # no interval: markers alone, so the legend shows no error bar
                ax.plot(
                    px,
                    py,
                    "D",
                    color=PALETTE["vermillion"],
                    markersize=5,
                    label=text,
                    zorder=3,
                    gid="anchors",
                )
            low_x, high_x = min(low_x, float(px.min())), max(high_x, float(px.max()))
    if threshold is not None:
        level_value = _validate.finite_real("threshold", threshold)
        ax.axhline(
            level_value,
            color=PALETTE["orange"],
            linestyle="--",
            linewidth=1.4,
            label=f"threshold: {fmt_number(level_value)}",
            gid="threshold",
        )
    # The axis holds the trajectory and every anchor, with room for a marker at either end.
    pad = 0.02 * (high_x - low_x) if high_x > low_x else 1.0
    ax.set_xlim(low_x - pad, high_x + pad)
    ax.set_xlabel("Date")
    ax.set_ylabel(_label(traj))
    _number_axis(ax.yaxis)
    _tidy(ax, grid="y")
    ax.legend(loc="upper left", frameon=False, fontsize="small")
    _title(ax, title, f"{_long_name(traj)}: median and credible bands")
    return fig


# --------------------------------------------------------------------------------------------
# When a threshold is crossed
# --------------------------------------------------------------------------------------------


def plot_crossing_cdf(
    dates: xr.DataArray,
    *,
    quoted: Mapping[str, DateLike] | None = None,
    threshold: float | None = None,
    label: str | None = None,
    color: str | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Probability that a threshold has been crossed by each date (an empirical CDF).

    Parameters
    ----------
    dates : xarray.DataArray
        Crossing dates, one per draw (``datetime64``); ``NaT`` means the threshold is never
        crossed, or, where ``attrs["not_by"]`` gives the paths' last date, not by then (the
        legend says which).
    quoted : mapping of str to date, optional
        Dates to mark ("CSIS: by summer 2025" -> ``"2025-08-31"``), each drawn as a vertical
        line; the legend gives the probability of having crossed by then, with the digits
        :func:`attritionsim.cite` gives it (its Monte Carlo error's). A label that is
        the date itself is not repeated. A date far off the axis (more than a quarter of its
        span beyond it) does not stretch it: the legend lists it with its probability.
    threshold : float, optional
        The level crossed; the default title names it.
    label, color : str, optional
        The curve's legend label and colour, to overlay several curves on one ``ax`` (the
        x-range then grows to hold them all).
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default a new figure.
    title : str, optional
        Title; by default "Probability that <threshold> is passed by each date"; ``""`` for
        none.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on. The legend sits below the axes, off the data.

    Notes
    -----
    The curve is the share of *all* draws that have crossed by each date, so when some draws
    never cross it ends below 1, at the share that do; a dotted line and the legend say so.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> from attritionsim.plots import plot_crossing_cdf
    >>> days = np.random.default_rng(1).integers(0, 120, 1_000).astype("timedelta64[D]")
    >>> crossing = np.datetime64("2025-05-01") + days
    >>> crossing[:100] = np.datetime64("NaT")
    >>> da = xr.DataArray(crossing, dims="draw", attrs={"long_name": "Date of 1 million"})
    >>> fig = plot_crossing_cdf(da, quoted={"CSIS": "2025-06-30"}, threshold=1e6)
    >>> float(fig.axes[0].get_lines()[0].get_ydata()[-1])
    0.9
    >>> fig.axes[0].get_title(loc="left")
    'Probability that 1,000,000 is passed by each date'
    """
    draws = _draws(dates, "dates")
    if draws.kind != "date":
        raise InputError(
            "dates must hold datetime64 crossing dates (NaT for never); "
            f"got dtype {draws.raw.dtype}"
        )
    level_value = None if threshold is None else _validate.finite_real("threshold", threshold)
    overlay = ax is not None and bool(ax.lines)
    previous = ax.get_xlim() if overlay and ax is not None else None
    quoted_days = _quoted_days(quoted)
    fig, ax = _axes(ax, (7.0, 4.2))
    _date_axis(ax.xaxis)
    n = draws.n
    xs = np.sort(draws.x[~np.isnan(draws.x)])
    window = _window(draws, [*_near(draws, quoted_days), *(previous or ())])
    crossed = xs.size / n
    ess = _ess_of(draws.da)
    blue = color if color is not None else PALETTE["blue"]
    label = f"{label or 'P(crossed by date)'}, reaching {crossed:.1%}"
    inside = xs[(xs >= window.low) & (xs <= window.high)]
    start = np.searchsorted(xs, window.low, side="left") / n  # crossed before the axis
    if xs.size == 0:
        ax.plot([], [], color=blue, label="no draw crosses the threshold")
    else:
        unique, counts = np.unique(inside, return_counts=True)
        if unique.size <= _CDF_POINTS:
            cx, cy = unique, start + np.cumsum(counts) / n
            drawstyle = "steps-post"
        else:
            cx = np.linspace(window.low, window.high, _CDF_POINTS)
            cy = np.searchsorted(xs, cx, side="right") / n
            drawstyle = "default"
        # steps run on to the axis' end when later draws are off it
        ends = [window.high] if window.above and drawstyle == "steps-post" else []
        ax.plot(
            np.concatenate([[cx[0] if cx.size else window.low], cx, ends]),
            np.concatenate([[start], cy, [cy[-1] if cy.size else start] * len(ends)]),
            color=blue,
            linewidth=2,
            drawstyle=drawstyle,
            label=label,
            gid="cdf",
        )
    if crossed < 1.0:
        missing = f"not crossed by {window.not_by}" if window.not_by else "never crossed (no date)"
        ax.axhline(
            crossed,
            color=PALETTE["grey"],
            linestyle=":",
            linewidth=1.2,
            label=f"{missing}: {_share_text(1.0 - crossed)} of draws",
            gid="never",
        )
    if window.outside:
        where = (
            f"{_share_text(window.below)} before, {_share_text(window.above)} after"
            if window.below and window.above
            else f"{_share_text(window.outside)} {'before' if window.below else 'after'}"
        )
        ax.plot([], [], " ", label=f"crossing off the axis: {where}", gid="outside")
    if quoted is not None:
        for i, ((name, _), x) in enumerate(zip(quoted.items(), quoted_days, strict=True)):
            p = np.searchsorted(xs, x, side="right") / n
            colour = PALETTE[_ACCENTS[i % len(_ACCENTS)]]
            shown = probability_text(float(p), n, ess=ess)  # the digits cite gives it
            text = f"{_mark_text(str(name), x)}: P {'' if shown[0] in '<>' else '= '}{shown}"
            if not window.low <= x <= window.high:
                side = "before" if x < window.low else "after"
                ax.plot([], [], " ", label=f"{text} ({side} the axis)", gid=f"off {name}")
                continue
            ax.axvline(
                x, color=colour, linestyle="--", linewidth=1.4, label=text, gid=f"quoted {name}"
            )
            ax.plot([x], [p], marker="o", color=colour, markersize=5)
    ax.set_ylim(0.0, 1.04)
    ax.set_xlim(window.low, window.high)
    ax.yaxis.set_major_formatter(ticker.PercentFormatter(xmax=1.0))
    ax.set_xlabel(_label(draws.da))
    ax.set_ylabel("Probability crossed by date")
    _tidy(ax, grid="both")
    handles, texts = ax.get_legend_handles_labels()
    ax.legend(
        handles,
        texts,
        loc="upper left",
        bbox_to_anchor=(0.0, 0.0),
        bbox_transform=transforms.offset_copy(ax.transAxes, fig=fig, y=-52, units="points"),
        ncols=1 if len(texts) > 4 or max(map(len, texts), default=0) > 34 else 2,
        frameon=False,
        fontsize="small",
    )
    passed = "the threshold" if level_value is None else fmt_number(level_value)
    _title(ax, title, f"Probability that {passed} is passed by each date")
    return fig


def _ess_of(da: xr.DataArray) -> float | None:
    """The draws' effective sample size (``attrs["ess"]``, as a synthesis sets it), if any."""
    value = da.attrs.get("ess")
    return float(value) if isinstance(value, int | float) and value > 0 else None


def _mark_text(name: str, x: float) -> str:
    """A marked date's legend text: its label and the date, the date once when they agree."""
    day = _date_text(x)
    if _written_day(name) == math.floor(x):
        return day
    return f"{name}, {day}" if day not in name else name


def _written_day(text: str) -> float | None:
    """The date number of a label that is only a date ("2025-06-30", "30 June 2025")."""
    text = " ".join(text.split())
    parsed = _dates.parse_date(text)
    for form in ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y"):
        if parsed is None:
            with contextlib.suppress(ValueError):
                parsed = dt.datetime.strptime(text, form).date()
    return None if parsed is None else float(_datenum(np.datetime64(parsed, "D")))


# --------------------------------------------------------------------------------------------
# Tornado chart of input influence
# --------------------------------------------------------------------------------------------


def _ranked(da: xr.DataArray, name: str) -> FloatArray:
    """Ranks of one quantity's draws (dates with ``NaT`` last, booleans as 0/1)."""
    draws = _draws(da, name)
    values = np.where(np.isnan(draws.x), np.inf, draws.x)
    return np.asarray(stats.rankdata(values), dtype=np.float64)


def _spearman(a: FloatArray, b: FloatArray) -> float:
    """Spearman correlation from ranks; 0 when either is constant (it cannot drive anything)."""
    da, db = a - a.mean(), b - b.mean()
    scale = math.sqrt(float(np.dot(da, da)) * float(np.dot(db, db)))
    return float(np.dot(da, db)) / scale if scale > 0.0 else 0.0


def plot_tornado(
    ds: xr.Dataset,
    target: str,
    *,
    inputs: Iterable[str] | None = None,
    values: Mapping[str, float] | None = None,
    top: int | None = None,
    xlabel: str | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Tornado chart: how strongly each input drives ``target``, strongest on top.

    Parameters
    ----------
    ds : xarray.Dataset
        Simulation results (dimension ``draw``).
    target : str
        The quantity whose drivers are shown.
    inputs : iterable of str, optional
        The inputs to rank; by default every variable with attribute ``kind == "input"`` and
        dimension ``draw`` (other than ``target``).
    values : mapping of str to float, optional
        Precomputed influence of each input (for instance Sobol indices), drawn instead of the
        rank correlations; the keys are variable names (labelled by their ``long_name`` when
        ``ds`` has them).
    top : int, optional
        Show only the ``top`` most influential inputs.
    xlabel : str, optional
        Axis label; by default "Spearman rank correlation with <target>" (or "Influence on
        <target>" when ``values`` is given).
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default a new figure.
    title : str, optional
        Title; by default "What drives <target>"; ``""`` for none.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on: one horizontal bar per input, top to bottom by decreasing absolute
        value, positive in blue and negative in vermillion.

    Notes
    -----
    The Spearman rank correlation is the Pearson correlation of the ranks (ties averaged,
    ``NaT`` ranked after every date), so it measures monotone influence whatever the scale.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> from attritionsim.plots import plot_tornado
    >>> rng = np.random.default_rng(1)
    >>> a, b = rng.normal(size=500), rng.normal(size=500)
    >>> ds = xr.Dataset({"a": ("draw", a, {"kind": "input"}), "b": ("draw", b, {"kind": "input"}),
    ...                  "y": ("draw", 3 * a + b, {"kind": "derived"})})
    >>> fig = plot_tornado(ds, "y")
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['a', 'b']
    """
    if not isinstance(ds, xr.Dataset):
        raise InputError(f"ds must be an xarray Dataset of results; got {type(ds).__name__}")
    names = [str(k) for k in ds.data_vars]
    target = _validate.choice("target", target, names)
    if values is not None:
        if not isinstance(values, Mapping) or not values:
            raise InputError("values must be a non-empty mapping of input name to influence")
        influence = {str(k): _validate.finite_real(f"values[{k!r}]", v) for k, v in values.items()}
    else:
        if inputs is None:
            chosen = [
                name
                for name in names
                if name != target
                and ds[name].attrs.get("kind") == "input"
                and ds[name].dims == ("draw",)
            ]
        else:
            chosen = [_validate.choice("inputs", name, names) for name in inputs]
            for name in chosen:
                if ds[name].dims != ("draw",):
                    raise InputError(
                        f"input {name!r} has dimensions {ds[name].dims}; need ('draw',)"
                    )
        if not chosen:
            raise InputError(
                "no inputs to rank: ds has no variable with kind='input' on dimension 'draw'; "
                "pass inputs=[...]"
            )
        target_ranks = _ranked(ds[target], f"target {target!r}")
        influence = {name: _spearman(_ranked(ds[name], name), target_ranks) for name in chosen}

    order = sorted(influence, key=lambda k: -abs(influence[k]))
    if top is not None:
        order = order[: _validate.positive_int("top", top)]
    widths = [influence[k] for k in order]
    labels = [_long_name(ds[k]) if k in ds.data_vars else k for k in order]

    fig, ax = _axes(ax, (6.8, 1.4 + 0.45 * len(order)))
    colours = [PALETTE["blue"] if w >= 0 else PALETTE["vermillion"] for w in widths]
    ax.barh(range(len(order)), widths, height=0.6, color=colours)
    reach = max((abs(w) for w in widths), default=0.0) or 1.0
    for y, w in enumerate(widths):
        pad = 0.02 * reach
        ax.text(
            w + pad if w >= 0 else w - pad,
            y,
            ticker.Formatter.fix_minus(f"{w:+.2f}" if round(w, 2) != 0 else "0.00"),
            va="center",
            ha="left" if w >= 0 else "right",
            fontsize="small",
        )
    ax.axvline(0.0, color=PALETTE["black"], linewidth=0.8)
    ax.set_yticks(range(len(order)), labels)
    ax.set_ylim(len(order) - 0.4, -0.6)  # strongest on top
    left = -1.25 * reach if min(widths) < 0 else 0.0
    right = 1.25 * reach if max(widths) > 0 else 0.1 * reach
    ax.set_xlim(left, right)
    ax.xaxis.set_major_locator(_SpacedTicks())  # "−0.75" is wider than matplotlib assumes
    what = _long_name(ds[target])
    default = f"Spearman rank correlation with {what}" if values is None else f"Influence on {what}"
    default = textwrap.fill(default, 45)
    ax.set_xlabel(xlabel or default)
    ax.tick_params(axis="y", length=0)
    _tidy(ax, grid="x")
    _title(ax, title, f"What drives {what}", width=34)
    return fig


# --------------------------------------------------------------------------------------------
# Saving
# --------------------------------------------------------------------------------------------


def plot_rates(
    rate: xr.DataArray,
    *,
    sources: Iterable[Mapping[str, Any]] = (),
    level: float = 0.9,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """The daily rate behind a trajectory, segment by segment, with the rate sources on it.

    Parameters
    ----------
    rate : xarray.DataArray
        Draws of the mean daily rate on each segment: dimensions ``draw`` and ``segment``,
        with coordinates ``segment_start`` and ``segment_end`` (``datetime64``), as
        :func:`attritionsim.synthesize` returns in ``syn["rate"]``.
    sources : iterable of mapping
        Each with ``start`` and ``end`` (dates), ``low``, ``value`` and ``high`` (per day):
        drawn as a line over its period at ``value`` with its interval at the period's middle.
    level : float
        The credible band drawn around the median.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default a new figure.
    title : str, optional
        Title; by default the quantity's ``long_name``.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> starts = np.array(["2025-01-01", "2025-02-01"], "datetime64[ns]")
    >>> ends = np.array(["2025-02-01", "2025-03-01"], "datetime64[ns]")
    >>> rate = xr.DataArray(np.full((10, 2), 1_000.0), dims=("draw", "segment"),
    ...                     coords={"segment_start": ("segment", starts),
    ...                             "segment_end": ("segment", ends)})
    >>> fig = plot_rates(rate, sources=[{"start": "2025-01-01", "end": "2025-03-01",
    ...                                  "low": 900, "value": 1_000, "high": 1_100}])
    >>> len(fig.axes[0].collections) >= 2
    True
    """
    if not isinstance(rate, xr.DataArray) or set(rate.dims) != {"draw", "segment"}:
        raise InputError(
            "rate must be a DataArray with dimensions ('draw', 'segment'), as syn['rate'] of "
            "attritionsim.synthesize"
        )
    for name in ("segment_start", "segment_end"):
        if name not in rate.coords:
            raise InputError(f"rate needs the coordinate {name!r} (the segments' dates)")
    level = _validate.level(level, closed=False)
    fig, ax = _axes(ax, (8.5, 4.0))
    starts = rate["segment_start"].values.astype("datetime64[ns]")
    ends = rate["segment_end"].values.astype("datetime64[ns]")
    values = rate.transpose("draw", "segment").values.astype(np.float64)
    low, mid, high = np.quantile(values, [(1.0 - level) / 2.0, 0.5, (1.0 + level) / 2.0], axis=0)
    edges = np.append(starts, ends[-1])

    def held(y: FloatArray) -> FloatArray:  # a step held to the last edge
        return np.append(y, y[-1])

    ax.fill_between(
        edges,
        held(low),
        held(high),
        step="post",
        color=PALETTE["sky"],
        alpha=0.5,
        linewidth=0,
        label=f"{level:.0%} credible band",
    )
    ax.step(edges, held(mid), where="post", color=PALETTE["blue"], linewidth=1.6, label="median")
    tops = [float(np.quantile(high, 0.95))]
    first = True
    for src in sources:
        begin = np.datetime64(src["start"], "ns")
        end = np.datetime64(src["end"], "ns")
        middle = np.datetime64((int(begin.astype(np.int64)) + int(end.astype(np.int64))) // 2, "ns")
        value, lo, hi = float(src["value"]), float(src["low"]), float(src["high"])
        label = "rate and period sources (line: period; bar: interval)" if first else "_"
        ax.hlines(value, begin, end, color=PALETTE["vermillion"], linewidth=2.2, label=label)
        ax.errorbar(
            [middle],
            [value],
            yerr=[[value - lo], [hi - value]],
            fmt="none",
            ecolor=PALETTE["vermillion"],
            elinewidth=1.2,
            capsize=3,
        )
        tops.append(hi)
        first = False
    top = 1.1 * max(tops)
    clipped = float(np.mean(high > top))
    ax.set_ylim(0.0, top)
    _date_axis(ax.xaxis)
    _number_axis(ax.yaxis)
    units = str(rate.attrs.get("units", "per day"))
    ax.set_ylabel(f"daily rate ({units})" if units else "daily rate")
    ax.set_xlabel("Date")
    _tidy(ax, "y")
    _title(ax, title, str(rate.attrs.get("long_name", rate.name or "daily rate")))
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.18), ncol=3, frameon=False)
    if clipped > 0:
        ax.text(
            1.0,
            1.0,
            f"band above the axis on {clipped:.0%} of segments",
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=8,
            color=PALETTE["grey"],
        )
    return fig


def save_figure(
    fig: Figure,
    path: str | os.PathLike[str],
    *,
    formats: str | Sequence[str] = ("png", "svg"),
    dpi: int = 200,
) -> list[Path]:
    """Write a figure once per format, next to each other: ``path.png``, ``path.svg``, ...

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure (as returned by the plots here).
    path : str or path-like
        The file path without suffix; a suffix that is one of matplotlib's formats (``.png``)
        is dropped. Missing folders are created.
    formats : str or sequence of str, default ("png", "svg")
        File formats: any matplotlib can write (``"png"``, ``"svg"``, ``"pdf"``, ...).
    dpi : int, default 200
        Resolution of raster formats.

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of ``formats``.

    Raises
    ------
    InputError
        An unknown format or a bad ``dpi``.

    Notes
    -----
    Each file is written to a temporary name and renamed into place, so no half-written file is
    left behind. SVG and PDF files carry no creation date and SVG ids are salted with a fixed
    string, so the same figure gives the same bytes.

    Examples
    --------
    >>> import tempfile
    >>> from matplotlib.figure import Figure
    >>> from attritionsim.plots import save_figure
    >>> fig = Figure()
    >>> _ = fig.add_subplot().plot([1, 2], [3, 4])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     [p.name for p in save_figure(fig, f"{tmp}/figure")]
    ['figure.png', 'figure.svg']
    """
    if not isinstance(fig, Figure):
        raise InputError(f"fig must be a matplotlib Figure; got {type(fig).__name__}")
    dpi = _validate.positive_int("dpi", dpi)
    wanted = [formats] if isinstance(formats, str) else list(formats)
    supported = fig.canvas.get_supported_filetypes()
    chosen = [_validate.choice("formats", str(f).lower().lstrip("."), supported) for f in wanted]
    if not chosen:
        raise InputError("formats is empty; give at least one, e.g. ('png', 'svg')")
    target = Path(path)
    if target.suffix.lower().lstrip(".") in supported:
        target = target.with_suffix("")
    target.parent.mkdir(parents=True, exist_ok=True)
    creator = f"attritionsim {__version__}, matplotlib {mpl.__version__}"
    metadata: dict[str, dict[str, Any]] = {
        "png": {"Software": creator},
        "svg": {"Creator": creator, "Date": None},
        "pdf": {"Creator": creator, "CreationDate": None},
    }
    written = []
    for fmt in chosen:
        final = target.with_name(f"{target.name}.{fmt}")
        temp = final.with_name(f".{final.name}.{os.getpid()}.partial")
        try:
            with mpl.rc_context({"svg.hashsalt": "attritionsim"}), _quiet_glyphs():
                fig.savefig(temp, format=fmt, dpi=dpi, metadata=metadata.get(fmt))
            os.replace(temp, final)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        written.append(final)
    return written
