"""A scenario re-run under each named reading of its sources, its headlines side by side.

A reading (:class:`attritionsim.elicit.Reading`) is a set of rules for how loosely a source's
words are taken. :func:`compare_readings` re-reads a scenario under each reading asked for
(:meth:`attritionsim.Scenario.under`) and re-runs it with the same seed: the model at the
report's draws, each synthesis at :data:`SYNTHESIS_DRAWS` at most (a synthesis is the slow
part of a report). What differs between two columns is then the rules' doing, plus Monte
Carlo noise that the report's MCSEs bound. :func:`readings_markdown` words the result for
``report.md`` (a table, and a sentence for every headline the readings move by more than half
its own interval), :func:`readings_summary` for ``summary.json``.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

from . import _orderstats
from ._format import fmt_sig
from .citation import cite, numbers_text
from .domain import count_invalid, domain_of
from .elicit import Reading
from .errors import AttritionWarning, InputError
from .scenario import Scenario
from .summary import summarize

__all__ = [
    "PROBABILITY_GAP",
    "SYNTHESIS_DRAWS",
    "Comparison",
    "compare_readings",
    "probability_note",
    "readings_markdown",
    "readings_summary",
]

#: The most draws each synthesis is re-run with under a reading.
SYNTHESIS_DRAWS = 5_000
#: Readings that move a probability by more than this much are said to matter.
PROBABILITY_GAP = 0.05


@dataclasses.dataclass(frozen=True)
class Comparison:
    """Every headline of a scenario under each of several readings.

    Attributes
    ----------
    readings : tuple of Reading
        In the order asked for.
    keys : tuple of str
        The headlines: model quantities by name, synthesis quantities as
        ``"synthesis.NAME.QUANTITY"``.
    draws : mapping of str to mapping of str to DataArray
        ``draws[reading][key]``: the headline's draws under that reading.
    level : float
        The credible level of the intervals.
    model_draws : int
        Draws of each model run.
    synthesis_draws : int or None
        Draws of each synthesis run (``None``: the scenario has none).
    """

    readings: tuple[Reading, ...]
    keys: tuple[str, ...]
    draws: Mapping[str, Mapping[str, xr.DataArray]]
    level: float
    model_draws: int
    synthesis_draws: int | None

    @property
    def names(self) -> tuple[str, ...]:
        """The readings' names."""
        return tuple(r.name for r in self.readings)

    def label(self, key: str) -> str:
        """The headline's long name, capitalised."""
        da = self.draws[self.names[0]][key]
        text = str(da.attrs.get("long_name") or key.rsplit(".", 1)[-1])
        return text[:1].upper() + text[1:]


def compare_readings(
    scenario: Scenario,
    names: Sequence[str],
    *,
    headline: Sequence[str] | None = None,
    draws: int | None = None,
    seed: int | None = None,
    level: float | None = None,
    synthesis_draws: int = SYNTHESIS_DRAWS,
) -> Comparison:
    """Re-run ``scenario`` under each reading of ``names`` with one seed.

    Parameters
    ----------
    scenario : Scenario
        What to run.
    names : sequence of str
        Readings: built-in (``"default"``, ``"face-value"``, ``"sceptical"``) or the
        scenario's own ``[readings.NAME]``.
    headline : sequence of str, optional
        The model quantities to compare (default: the scenario's headline); every synthesis
        quantity is compared too.
    draws, seed, level : optional
        Override the scenario's settings.
    synthesis_draws : int
        The most draws each synthesis runs with under each reading (and never more than
        ``draws``, as in :func:`attritionsim.report.write_report`).

    Returns
    -------
    Comparison

    Raises
    ------
    InputError
        An unknown reading name (listing the valid ones), or no reading at all.
    """
    valid = scenario.reading_names()
    if not names:
        raise InputError(f"readings: give at least one; valid: {', '.join(valid)}")
    for name in names:
        if name not in valid:
            raise InputError(f"unknown reading {name!r}; valid: {', '.join(valid)}")
    from .report import synthesis_quantities  # the report's words for a synthesis

    lvl = scenario.level if level is None else level
    chosen = list(headline if headline is not None else scenario.headline)
    out: dict[str, dict[str, xr.DataArray]] = {}
    readings = []
    n_model, n_syn = 0, None
    for name in names:
        read = scenario.under(name)
        readings.append(scenario_reading(read, name))
        ds = read.run(draws=draws, seed=seed)
        n_model = int(ds.attrs["draws"])
        found = {key: ds[key] for key in chosen}
        for syn_name, settings in read.syntheses.items():
            n_syn = min(synthesis_draws, settings.draws, *(() if draws is None else (draws,)))
            with warnings.catch_warnings():  # the report lists skipped records once
                warnings.filterwarnings(
                    "ignore", message="synthesize skipped", category=AttritionWarning
                )
                syn = settings.run(draws=n_syn, seed=seed)
            quantities = synthesis_quantities(syn, settings)
            for var in quantities.data_vars:
                found[f"synthesis.{syn_name}.{var}"] = quantities[var]
        out[name] = found
    keys = tuple(out[names[0]])
    return Comparison(tuple(readings), keys, out, lvl, n_model, n_syn)


def scenario_reading(scenario: Scenario, name: str) -> Reading:
    """The :class:`Reading` called ``name`` for ``scenario`` (built-in or its own)."""
    from .elicit import get_reading

    return get_reading(name, scenario.custom_readings)


# ------------------------------------------------------------------------------ numbers
def _values(da: xr.DataArray) -> np.ndarray:
    """The draws as floats: days since 1970 for dates (NaT as NaN), 0/1 for booleans."""
    values = np.asarray(da.values)
    if values.dtype.kind == "M":
        days = values.astype("datetime64[s]").astype("int64").astype(float) / 86_400.0
        return np.where(np.isnat(values), np.nan, days)
    return values.astype(float)


def _stats(da: xr.DataArray, level: float) -> tuple[float, float, float]:
    """Median (or probability, for booleans) and the central ``level`` interval's ends."""
    values = _values(da)
    if da.dtype == bool:
        p = float(values.mean())
        return p, p, p
    tail = (1.0 - level) / 2.0
    low, mid, high = np.nanquantile(values, [tail, 0.5, 1.0 - tail])
    return float(mid), float(low), float(high)


def _shown(da: xr.DataArray, value: float) -> str:
    """One value of a headline, in its units (a date, a percentage, a ratio, a count)."""
    if da.dtype.kind == "M":
        day = datetime.date(1970, 1, 1) + datetime.timedelta(days=round(value))
        return f"{day.day} {day.strftime('%b')} {day.year}"
    if da.dtype == bool or da.attrs.get("units") == "share":
        return f"{fmt_sig(100.0 * value, 2 if da.dtype == bool else 3)}%"
    if da.attrs.get("units") == "ratio":
        return f"{fmt_sig(value)}:1"
    return fmt_sig(value)


def _span(da: xr.DataArray, value: float) -> str:
    """A difference of a headline in its units (days for dates, points for probabilities)."""
    if da.dtype.kind == "M":
        return f"{value:.0f} days"
    if da.dtype == bool:
        return f"{fmt_sig(100.0 * value, 2)} percentage points"
    if da.attrs.get("units") == "share":
        return f"{fmt_sig(100.0 * value, 2)} percentage points"
    return fmt_sig(value, 2)


def _cell(da: xr.DataArray, level: float, digits: int | None) -> str:
    """A table cell: the figure and its interval, without the words the header gives."""
    text = cite(da, level, digits=digits).replace(f"{level:.0%} CrI ", "")
    return re.sub(r" probability( \(±[^)]*\))?$", "", text)


# ------------------------------------------------------------------------------ words
def _moved(comp: Comparison, key: str) -> str | None:
    """The sentence for a headline the readings move more than half its own interval."""
    ref = "default" if "default" in comp.names else comp.names[0]
    stats = {name: _stats(comp.draws[name][key], comp.level) for name in comp.names}
    da = comp.draws[ref][key]
    lowest = min(comp.names, key=lambda n: stats[n][0])
    highest = max(comp.names, key=lambda n: stats[n][0])
    spread = stats[highest][0] - stats[lowest][0]
    if da.dtype == bool:
        if not spread > PROBABILITY_GAP:
            return None
        return (
            f"{comp.label(key)}: from {_shown(da, stats[lowest][0])} ({lowest}) to "
            f"{_shown(da, stats[highest][0])} ({highest}) across the readings, "
            f"{_span(da, spread)} apart: the reading of the sources matters more here than "
            "the Monte Carlo error."
        )
    half = (stats[ref][2] - stats[ref][1]) / 2.0
    if not spread > half:
        return None
    return (
        f"{comp.label(key)}: the median moves from {_shown(da, stats[lowest][0])} ({lowest}) "
        f"to {_shown(da, stats[highest][0])} ({highest}) across the readings, "
        f"{_span(da, spread)} apart, more than half the width of its {comp.level:.0%} interval "
        f"under {ref} ({_span(da, half)}): the reading of the sources matters as much as the "
        "uncertainty the interval shows."
    )


def _invalid_share(da: xr.DataArray) -> float:
    """The share of a number headline's draws left out as invalid (NaN or off its domain)."""
    if da.dims != ("draw",) or da.dtype.kind not in "iuf" or not da.size:
        return 0.0
    bad = count_invalid(np.asarray(da.values, dtype=np.float64), domain_of(da.attrs))
    return bad.total / bad.draws if bad.draws else 0.0


def _invalid_moved(comp: Comparison, key: str) -> str | None:
    """The sentence for a headline whose share of invalid draws the readings move a lot.

    "A lot": more than :data:`PROBABILITY_GAP` (5 percentage points) between two readings;
    the figures of such a headline are of a different share of the draws under each.
    """
    shares = {name: _invalid_share(comp.draws[name][key]) for name in comp.names}
    low = min(comp.names, key=lambda n: shares[n])
    high = max(comp.names, key=lambda n: shares[n])
    if not shares[high] - shares[low] > PROBABILITY_GAP:
        return None
    each = ", ".join(f"{_percent(shares[n])} under {n}" for n in comp.names)
    return (
        f"{comp.label(key)}: the share of draws left out as invalid is {each}; the figures "
        "stand on a different share of the draws under each reading, so the reading matters "
        "here whatever the medians say."
    )


def _percent(share: float) -> str:
    """A share of draws in percent, never rounded to 0% or 100%."""
    text = f"{100.0 * share:.1f}%"
    if text == "0.0%" and share > 0.0:
        return "< 0.1%"
    return "> 99.9%" if text == "100.0%" and share < 1.0 else text


def probability_note(comp: Comparison | None, key: str) -> str | None:
    """``"53–94% across the readings default, face-value, sceptical"`` for a probability.

    ``None`` when ``comp`` is ``None``, or ``key`` is not a probability it compared.
    """
    if comp is None or key not in comp.keys:
        return None
    first = comp.draws[comp.names[0]][key]
    if first.dtype != bool:
        return None
    found = []
    for name in comp.names:
        da = comp.draws[name][key]
        p = float(da.values.mean())
        ess = da.attrs.get("ess")
        size = float(ess) if isinstance(ess, int | float) and ess > 0 else None
        found.append((p, 100.0 * _orderstats.mcse_probability(p, da.size, ess=size)))
    (low, e_low), (high, e_high) = min(found), max(found)
    # both ends at one place, the digits their Monte Carlo errors justify ("3.1–34.0%")
    lo, hi = numbers_text([100.0 * low, 100.0 * high], [e_low, e_high], interval=True)
    span = f"{lo}%" if lo == hi else f"{lo}–{hi}%"
    return f"{span} across the readings {', '.join(comp.names)}"


def readings_markdown(comp: Comparison, *, digits: int | None = None) -> list[str]:
    """The ``## Readings`` section of ``report.md``: what each reading is, the table, notes.

    Parameters
    ----------
    comp : Comparison
        What :func:`compare_readings` found.
    digits : int, optional
        Passed to :func:`attritionsim.cite`.

    Returns
    -------
    list of str
        Markdown lines.
    """
    lines = [
        "## Readings",
        "",
        "The same scenario, with the same seed, under each reading of how loosely the "
        "sources' words are taken (attritionsim.elicit; options stated for one input are "
        "kept under every reading):",
        "",
    ]
    for reading in comp.readings:
        lines.append(f"- **{reading.name}**: {reading.description}.")
    syn = (
        ""
        if comp.synthesis_draws is None
        else f", each synthesis at {comp.synthesis_draws:,} draws (its headlines above use "
        "more, so its figures here may differ from them by a little Monte Carlo noise)"
    )
    lines += [
        "",
        f"Each reading re-runs the model at {comp.model_draws:,} draws{syn}. Cells give the "
        f"median (or probability) and the {comp.level:.0%} credible interval.",
        "",
        "| Headline | " + " | ".join(comp.names) + " |",
        "|---|" + "--:|" * len(comp.names),
    ]
    for key in comp.keys:
        cells = [_cell(comp.draws[name][key], comp.level, digits) for name in comp.names]
        lines.append(f"| {comp.label(key)} | " + " | ".join(cells) + " |")
    notes = [
        note
        for key in comp.keys
        for note in (_moved(comp, key), _invalid_moved(comp, key))
        if note is not None
    ]
    lines += [""]
    if notes:
        lines += [
            "Where the readings disagree by more than the figure's own uncertainty (half its "
            f"interval; for a probability, {PROBABILITY_GAP:.0%} points), or leave out shares "
            f"of invalid draws more than {PROBABILITY_GAP:.0%} points apart:",
            "",
            *(f"- {note}" for note in notes),
        ]
    else:
        lines += ["No headline moves by more than half its own interval across the readings."]
    return [*lines, ""]


def readings_summary(comp: Comparison) -> dict[str, Any]:
    """``summary.json["readings"]``: by reading, its rules and every headline's summary."""
    out: dict[str, Any] = {}
    for reading in comp.readings:
        found = comp.draws[reading.name]
        quantities: dict[str, Any] = {}
        model = [k for k in comp.keys if not k.startswith("synthesis.")]
        if model:
            quantities.update(
                summarize(xr.Dataset({k: found[k] for k in model}), level=comp.level)["quantities"]
            )
        for key in comp.keys:
            if key.startswith("synthesis."):
                one = summarize(xr.Dataset({"q": found[key]}), level=comp.level)
                quantities[key] = one["quantities"]["q"]
        out[reading.name] = {
            "description": reading.description,
            "rules": {q: reading.options(q) for q in reading.rules},
            "draws": comp.model_draws,
            "synthesis_draws": comp.synthesis_draws,
            "quantities": quantities,
        }
    return out
