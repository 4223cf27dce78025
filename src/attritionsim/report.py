"""The report folder: results, summary, a Markdown report with figures, and the sources.

:func:`write_report` runs a scenario and writes, all at once::

    OUT/
      results.nc       every draw (netCDF-4), with provenance in the attrs; each synthesis's
                       quantities in the group synthesis/NAME (their own draws)
      summary.json     :func:`attritionsim.summarize` of the results
      report.md        headline sentences with credible intervals, a table of every quantity,
                       the figures, the sources in tension, and an appendix of sources:
                       qualifier, rule applied, citation
      figures/*.png, figures/*.svg
      .attritionsim-report   the marker: version, time written, the folders and the files
                             written (each with its size and SHA-256)

A scenario's ``[synthesis.NAME]`` tables are run too (:func:`attritionsim.synthesize`): each
gives headline sentences (:func:`synthesis_sentences`: the date each threshold is passed on the
synthesized paths, the probability it was passed by each ``crossed_by`` date, the mean daily
rate over each period, never negative), a fan chart with every source's interval drawn at its
date, a "Sources in tension" table (:func:`tension_table`) and a ``synthesis`` section of
``summary.json``.

``OUT`` never loses what attritionsim did not write: an existing folder is replaced only if it
is empty or an earlier report (it holds the marker) holding nothing else and nothing changed,
and this is checked, under a lock, before anything is simulated (:func:`prepare_out`).
Everything is written to a staging folder beside ``OUT`` and swapped into place only when
complete, so a failed run leaves no half-written folder and an earlier report survives it.
"""

from __future__ import annotations

import ast
import contextlib
import ctypes
import dataclasses
import datetime
import errno
import functools
import hashlib
import json
import os
import re
import secrets
import shutil
import stat
import sys
import tempfile
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import xarray as xr

from . import _engine, plots
from ._format import fmt_number, fmt_sig
from ._validate import DEFAULT_LEVEL
from ._version import __version__
from .attrition import Consistency
from .catalogue import Catalogue, load_catalogue
from .citation import cite, cite_record, numbers_text, to_markdown
from .distributions import from_spec
from .domain import Invalid, count_invalid, domain_of, valid_mask
from .errors import AttritionWarning, InputError
from .model import Model
from .readings import compare_readings, probability_note, readings_markdown, readings_summary
from .resultsfile import write_results
from .scenario import Scenario, SynthesisSettings
from .sensitivity import sobol_indices
from .summary import family_ess, summarize
from .synthesis import path_crossing_date, tension, tension_sets

__all__ = [
    "DEFAULT_SCENARIO",
    "MARKER",
    "ReportFolder",
    "consistency_sentence",
    "default_scenario",
    "headline_sentences",
    "invalid_note",
    "prepare_out",
    "scenario_inputs",
    "synthesis_quantities",
    "synthesis_sentences",
    "tension_table",
    "warnings_section",
    "write_report",
]

#: The bundled scenario that ``attritionsim report`` runs.
DEFAULT_SCENARIO = Path(__file__).parent / "scenarios" / "default.toml"


def default_scenario() -> Scenario:
    """The bundled default scenario (both CSIS estimates, the UK MoD figure, daily rates).

    >>> default_scenario().headline[0]
    'ratio_dec25'
    """
    from .scenario import load_scenario

    return load_scenario(DEFAULT_SCENARIO)


def headline_sentences(
    ds: xr.Dataset, names: Sequence[str], *, level: float = DEFAULT_LEVEL, digits: int | None = None
) -> list[str]:
    """One sentence per quantity: its long name and :func:`attritionsim.cite` of its draws.

    ``digits`` is passed to :func:`attritionsim.cite` (default 3 significant digits).

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> x = xr.DataArray(np.linspace(1.0, 3.0, 10_001), dims="draw",
    ...                  attrs={"long_name": "ratio", "units": "ratio"})
    >>> headline_sentences(xr.Dataset({"r": x}), ["r"])
    ['Ratio: 2.0:1 (90% CrI 1.1:1–2.9:1)']
    """
    out = []
    for name in names:
        da = ds[name]
        label = str(da.attrs.get("long_name") or name)  # an empty long name reads as the name
        out.append(f"{label[:1].upper()}{label[1:]}: {cite(da, level, digits=digits)}")
        note = invalid_note(da)
        if note:
            warnings.warn(f"{label} ({name}): {note}", AttritionWarning, stacklevel=2)
        _warn_unreached(da, name, level)
    return out


def _warn_unreached(da: xr.DataArray, name: str, level: float) -> None:
    """Warn of a date headline whose draws do not reach their date often enough to matter.

    "Enough": more than the interval's upper tail, ``(1 - level) / 2`` of the draws, so that
    the upper end of the interval (or more) is "never" or "not by <last date>".
    """
    if da.dtype.kind != "M" or da.dims != ("draw",) or not da.size:
        return
    never = float(np.isnat(da.values).mean())
    if never > (1.0 - level) / 2.0:
        label = str(da.attrs.get("long_name") or name)
        warnings.warn(f"{label} ({name}): {_never_note(da, never)}", AttritionWarning, stacklevel=3)


def invalid_note(da: xr.DataArray) -> str:
    """The invalid draws of a quantity in words, with their likely cause; ``""`` if none.

    Invalid draws are NaN or outside the quantity's domain (see :mod:`attritionsim.domain`);
    :func:`attritionsim.summarize` and :func:`attritionsim.cite` leave them out.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> share = xr.DataArray([0.5, 0.8, 1.1, 0.9], dims="draw", attrs={"units": "share"})
    >>> invalid_note(share)
    "25.0% of draws above 100% (a share above one: the numerator's range exceeds the \
denominator's); the figures are of the other 75.0%"
    """
    if da.dims != ("draw",) or da.dtype.kind not in "iuf":
        return ""
    bad = count_invalid(da.values, domain_of(da.attrs))
    return _with_rest(bad) if bad.total else ""


def _with_rest(bad: Invalid) -> str:
    """:meth:`Invalid.describe`, and which draws the figures are of."""
    if bad.total == bad.draws:
        return f"{bad.describe()}; no figure can be given"
    return f"{bad.describe()}; the figures are of the other {bad.valid_text()}"


def _valid_index(da: xr.DataArray) -> Any:
    """The indices of the valid draws of a number quantity (every draw for other kinds)."""
    if da.dims != ("draw",) or da.dtype.kind not in "iuf":
        return np.arange(da.sizes.get("draw", 1))
    return np.flatnonzero(valid_mask(np.asarray(da.values, dtype=np.float64), domain_of(da.attrs)))


def _valid_draws(da: xr.DataArray) -> xr.DataArray:
    """The draws of a number quantity that are valid (the figures' draws), for plotting."""
    keep = _valid_index(da)
    return da if keep.size == da.sizes.get("draw", 1) else da.isel(draw=keep)


def _never_note(da: xr.DataArray, never: float) -> str:
    """The share of a date quantity's draws that are NaT, in words."""
    share = f"{100.0 * never:.1f}%" if never >= 0.0005 else "<0.1%"
    if "not_by" in da.attrs:
        return (
            f"{share} of draws do not reach the threshold by {_human_day(str(da.attrs['not_by']))}"
        )
    return (
        f"{share} of draws never reach it (no date: a rate that is not positive, or an input "
        "without a valid value); the dates given are of the other draws and 'never'"
    )


def warnings_section(found: Sequence[tuple[Mapping[str, Any], xr.Dataset]]) -> list[str]:
    """The lines of report.md's ``## Warnings`` section (none when there is nothing to say).

    One bullet per quantity with invalid draws (NaN or outside its domain: their share, by
    kind, with the likely cause) and per date quantity with draws that never reach their
    threshold (NaT). ``found`` pairs each summary's ``quantities`` with its Dataset.
    """
    bullets = []
    for quantities, ds in found:
        for name, entry in quantities.items():
            da = ds[name] if name in ds.data_vars else None
            label = str((da.attrs.get("long_name") if da is not None else None) or name)
            bad = Invalid.from_entry(entry, str(entry.get("units", "")))
            if bad is not None:
                note = _with_rest(bad)
            elif entry.get("never") and da is not None:
                note = _never_note(da, float(entry["never"]))
            else:
                continue
            bullets.append(f"- {label[:1].upper()}{label[1:]} (`{name}`): {note}.")
    if not bullets:
        return []
    return ["## Warnings", "", *bullets, ""]


def consistency_sentence(result: Consistency) -> str:
    """A sentence for a report saying how a later figure agrees with an earlier one at a rate.

    The verdict, how far the later figure lies above or below the prediction (the median, and
    relative to the prediction), the interval of the difference, the two-sided tail
    probability and the rate the two figures imply; ``str()`` of a
    :class:`~attritionsim.attrition.Consistency` is this sentence.

    Parameters
    ----------
    result : Consistency
        What :func:`attritionsim.consistency` found.

    Returns
    -------
    str

    Examples
    --------
    >>> import attritionsim as asim
    >>> found = asim.consistency(800_000, 1_000_000, 1_000, date_earlier="2025-03-01",
    ...                          date_later="2025-06-09")
    >>> print(consistency_sentence(found))
    inconsistent: the later figure is 100,000 (11%) above what the earlier figure plus the
    rate predict (90% interval of the difference 100,000 to 100,000; two-sided tail
    probability 0); the two figures imply 2,000 a day
    """
    med = result.median_discrepancy
    side = "above" if med > 0 else "below" if med < 0 else "at"
    pct = f"{100.0 * abs(result.median_relative_discrepancy):.2g}%"
    lo, hi = result.discrepancy_interval
    return (
        f"{result.verdict}: the later figure is {fmt_sig(abs(med))} ({pct}) {side} what the "
        f"earlier figure plus the rate predict ({100.0 * result.level:.3g}% interval of the "
        f"difference {fmt_sig(lo)} to {fmt_sig(hi)}; two-sided tail probability "
        f"{result.tail_probability:.2g}); the two figures imply "
        f"{fmt_sig(result.implied_rate)} a day"
    )


def write_report(
    scenario: Scenario,
    out: str | os.PathLike[str],
    *,
    draws: int | None = None,
    seed: int | None = None,
    method: str | None = None,
    chunk_size: int | None = None,
    level: float | None = None,
    progress: Callable[[int, int], None] | None = None,
    catalogue: Catalogue | None = None,
    readings: Sequence[str] | None = None,
    client: Any = None,
) -> tuple[xr.Dataset, list[str]]:
    """Run ``scenario`` and write the report folder ``out`` (replacing an earlier report).

    ``out`` never loses what attritionsim did not write. It is checked, locked and prepared by
    :func:`prepare_out` *before* anything is simulated, so a bad ``out`` costs no time:

    - a new path, or an existing **empty** folder, is used;
    - an existing folder is replaced only if it is an earlier attritionsim report (it holds the
      ``.attritionsim-report`` marker written with every report) and holds nothing that report
      did not write (no other file or folder, no symbolic link) and no file changed since (the
      marker records each file's size and SHA-256); anything else is refused with
      :class:`InputError`;
    - a folder replaced keeps its permission bits (a private folder stays private);
    - ``/``, the current folder and its parents, the home folder and its parents, and the
      scenario file's folder and its parents are always refused;
    - a **symbolic link** is followed: a link to one of our reports (or to an empty folder)
      keeps the link and replaces the folder it points to; a dangling link, or a link to
      anything else, is refused;
    - one run at a time per folder: a second run to the same ``out`` while one is writing it
      fails at once with :class:`InputError`.

    Everything is written to a staging folder beside ``out`` and swapped into place only when
    complete (an atomic exchange on Linux), so a failed or interrupted run leaves an earlier
    report intact, and no staging folder, lock or parent folder it created; what a killed run
    leaves behind is tidied by the next run to the same ``out``.

    Parameters
    ----------
    scenario : Scenario
        What to run (see :func:`attritionsim.load_scenario`, :func:`default_scenario`).
    out : path
        The report folder.
    draws, seed, method, chunk_size, level : optional
        Override the scenario's settings.
    progress : callable, optional
        Passed to :func:`attritionsim.simulate`.
    catalogue : Catalogue, optional
        For the appendix of sources (default: the bundled catalogue).
    readings : sequence of str, optional
        Readings to compare (:mod:`attritionsim.readings`): a ``## Readings`` section and
        ``summary.json["readings"]``; default ``[report] readings`` (none if it is absent).
    client : dask.distributed.Client, optional
        Compute the draws on this Dask cluster (the same results; see
        :func:`attritionsim.dask_backend.cluster`).

    Returns
    -------
    (xarray.Dataset, list of str)
        The results and the headline sentences.

    Raises
    ------
    InputError
        If ``out`` may not be written (see above), before anything is simulated.
    """
    chosen = tuple(scenario.readings if readings is None else readings)
    for name in chosen:  # refused before anything is written or simulated
        if name not in scenario.reading_names():
            raise InputError(
                f"unknown reading {name!r}; valid: {', '.join(scenario.reading_names())}"
            )
    with prepare_out(out, scenario=scenario.path) as folder:
        lvl = scenario.level if level is None else level
        ds = scenario.run(
            draws=draws,
            seed=seed,
            method=method,
            chunk_size=chunk_size,
            progress=progress,
            client=client,
        )
        ds.attrs["level"] = lvl
        names = (
            list(scenario.headline) or [str(n) for n in ds.data_vars if ds[n].dims == ("draw",)][:8]
        )
        sentences = headline_sentences(ds, names, level=lvl, digits=scenario.digits)
        summary = summarize(ds, level=lvl)
        cat = catalogue if catalogue is not None else load_catalogue()
        syntheses = _run_syntheses(scenario, draws, seed, lvl, scenario.digits)
        for found in syntheses:
            sentences += found.sentences
        if syntheses:
            summary["synthesis"] = {found.settings.name: found.summary for found in syntheses}
        inline = scenario_inputs(ds)
        if inline:
            summary["inputs"] = inline
        comparison = None
        if chosen:
            comparison = compare_readings(
                scenario, chosen, headline=names, draws=draws, seed=seed, level=lvl
            )
            summary["readings"] = readings_summary(comparison)
        keys = [*names] + [
            f"synthesis.{found.settings.name}.{var}"
            for found in syntheses
            for var in found.quantities.data_vars
        ]
        sentences = _name_errors(sentences, keys, comparison)

        staging = folder.staging
        write_results(
            ds,
            staging / "results.nc",
            groups={
                _results_group(found.settings.name): _group_dataset(found, lvl)
                for found in syntheses
            },
        )
        (staging / "summary.json").write_text(
            json.dumps(summary, indent=2, allow_nan=False) + "\n", encoding="utf-8"
        )
        figures = _figures(ds, scenario, names, lvl, staging / "figures", cat, syntheses)
        section = (
            [] if comparison is None else readings_markdown(comparison, digits=scenario.digits)
        )
        text = _markdown(scenario, ds, summary, sentences, figures, cat, lvl, syntheses, section)
        (staging / "report.md").write_text(text, encoding="utf-8")
        folder.commit()
    return ds, sentences


def _name_errors(sentences: Sequence[str], keys: Sequence[str], comparison: Any) -> list[str]:
    """Name the ± of each probability as one Monte Carlo standard error; the readings' range."""
    out = []
    for sentence, key in zip(sentences, keys, strict=True):
        note = probability_note(comparison, key)
        found = re.search(r" \(± ([^)]*) (percentage points?)\)$", sentence)
        if found is not None:
            extra = "" if note is None else f"; {note}"
            sentence = (
                f"{sentence[: found.start()]} (± {found.group(1)} {found.group(2)}, one Monte "
                f"Carlo standard error{extra})"
            )
        elif note is not None:
            sentence += f" ({note})"
        out.append(sentence)
    return out


# ------------------------------------------------------------------------------ syntheses
@dataclasses.dataclass(frozen=True)
class _Synthesized:
    """A synthesis run for the report, with what the report says about it."""

    settings: SynthesisSettings
    syn: xr.Dataset
    quantities: xr.Dataset
    sentences: list[str]
    summary: dict[str, Any]
    tension: xr.DataArray
    sets: list[Any]
    threshold: float | None = None


def _run_syntheses(
    scenario: Scenario, draws: int | None, seed: int | None, level: float, digits: int | None
) -> list[_Synthesized]:
    """Run the scenario's syntheses (``draws`` caps their draws) and word their results."""
    out = []
    for name, settings in scenario.syntheses.items():
        n = None if draws is None else min(draws, settings.draws)
        with warnings.catch_warnings():  # skipped records are listed in the report instead
            warnings.filterwarnings(
                "ignore", message="synthesize skipped", category=AttritionWarning
            )
            syn = scenario.syntheses[name].run(draws=n, seed=seed)
        quantities = synthesis_quantities(syn, settings)
        p = tension(syn)
        sets = tension_sets(syn, level)
        summary = summarize(quantities, level=level)
        section = {
            "long_name": settings.long_name,
            "draws": int(syn.attrs["draws"]),
            "seed": int(syn.attrs["seed"]),
            "ess": float(syn.attrs["ess"]),
            "pareto_k": float(syn.attrs["pareto_k"]),
            "results_group": _results_group(name),
            "sources": [str(i) for i in syn["source"].values],
            "skipped": json.loads(syn.attrs["skipped"]),
            "quantities": summary["quantities"],
            "tension": dict(zip(map(str, p["source"].values), map(float, p.values), strict=True)),
            "tension_sets": [
                {"source": t.source, "others": list(t.others), "p": t.p, "p_without": t.p_without}
                for t in sets
            ],
        }
        sentences = synthesis_sentences(quantities, level=level, digits=digits)
        for var in quantities.data_vars:
            _warn_unreached(quantities[var], str(var), level)
        found = _Synthesized(settings, syn, quantities, sentences, section, p, sets)
        out.append(dataclasses.replace(found, threshold=scenario.threshold))
    return out


def _results_group(name: str) -> str:
    """The results.nc group holding the synthesis ``name``'s quantities: ``synthesis/NAME``."""
    return f"synthesis/{name}"


def _group_dataset(found: _Synthesized, level: float) -> xr.Dataset:
    """A synthesis's quantities as a results file holds them: a run of its own draws."""
    group = found.quantities.copy()
    group.attrs.update(
        attritionsim_version=__version__,
        method="smc",
        level=level,
        title=f"{found.settings.long_name} (synthesis {found.settings.name})",
    )
    return group


def _crossing_name(threshold: float) -> str:
    """The name of a synthesis's crossing date of ``threshold``: ``crossing_1000000``."""
    key = f"{int(threshold)}" if float(threshold).is_integer() else f"{threshold:g}"
    return f"crossing_{key.replace('.', '_')}"


def _fan_threshold(settings: SynthesisSettings, threshold: float | None) -> float | None:
    """The level a synthesis's fan marks: the report's threshold if the synthesis has it."""
    if threshold is not None and threshold in settings.thresholds:
        return threshold
    return settings.thresholds[0] if settings.thresholds else None


def _human_day(day: str) -> str:
    """``2025-06-12`` as ``12 June 2025``."""
    when = datetime.date.fromisoformat(day)
    return f"{when.day} {when.strftime('%B')} {when.year}"


def _human_period(start: str, end: str) -> str:
    """``20 March – 31 May 2025`` (the year once when both share it)."""
    a, b = datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
    first = f"{a.day} {a.strftime('%B')}" + ("" if a.year == b.year else f" {a.year}")
    return f"{first} – {_human_day(end)}"


def synthesis_quantities(syn: xr.Dataset, settings: SynthesisSettings) -> xr.Dataset:
    """The per-draw quantities a report gives of a synthesis, labelled.

    For each threshold ``T``: ``crossing_T``, the date each path reaches it
    (:func:`attritionsim.synthesis.path_crossing_date`; NaT: not by the last date), and
    ``crossed_T_by_YYYY_MM_DD`` for each ``crossed_by`` date; for each period,
    ``rate_A_to_B``, the mean daily rate over it, ``(C(B) - C(A)) / days`` on each path (never
    negative: every path is non-decreasing). Each carries ``long_name``, ``units`` and its own
    ``ess`` (:func:`attritionsim.summary.family_ess`, from the particles' families).

    Parameters
    ----------
    syn : xarray.Dataset
        What :meth:`SynthesisSettings.run` returns.
    settings : SynthesisSettings
        Its thresholds, ``crossed_by`` dates and periods.

    Returns
    -------
    xarray.Dataset
        One variable per quantity, dim ``draw``, in the order above.
    """
    cumulative = syn["cumulative"]
    ess = float(syn.attrs["ess"])
    label = settings.long_name
    out: dict[str, xr.DataArray] = {}

    def own(da: xr.DataArray, **attrs: Any) -> xr.DataArray:
        """``da`` without its particle coordinates, carrying its own ``ess`` (from them)."""
        attrs["ess"] = family_ess(da) or ess
        kept = da.drop_vars(["date", "family", "listed"], errors="ignore")
        kept.attrs.update(attrs)
        return kept

    for threshold in settings.thresholds:
        key = _crossing_name(threshold).removeprefix("crossing_")
        when = path_crossing_date(cumulative, threshold)
        name = f"{label} pass {fmt_number(threshold)} (on the synthesized paths)"
        out[f"crossing_{key}"] = own(when, long_name=name)
        for day in settings.crossed_by:
            crossed = (when <= np.datetime64(day, "s")) & ~np.isnat(when)
            name = f"{label} past {fmt_number(threshold)} by {_human_day(day)}"
            out[f"crossed_{key}_by_{day.replace('-', '_')}"] = own(crossed, long_name=name)
    for start, end in settings.periods:
        days = (np.datetime64(end, "D") - np.datetime64(start, "D")) / np.timedelta64(1, "D")
        at = cumulative.sel(date=[np.datetime64(start, "ns"), np.datetime64(end, "ns")])
        rate = (at.isel(date=1) - at.isel(date=0)) / days
        out[f"rate_{start.replace('-', '_')}_to_{end.replace('-', '_')}"] = own(
            rate,
            long_name=f"{label} per day, {_human_period(start, end)} (synthesis)",
            units="people/day",
        )
    ds = xr.Dataset(out)
    ds.attrs.update(seed=int(syn.attrs["seed"]), draws=int(syn.attrs["draws"]), ess=ess)
    return ds


def synthesis_sentences(
    quantities: xr.Dataset, *, level: float = DEFAULT_LEVEL, digits: int | None = None
) -> list[str]:
    """Headline sentences of a synthesis's quantities (see :func:`synthesis_quantities`).

    Each is the quantity's long name and :func:`attritionsim.cite` of its draws; for a
    crossing date, a path that has not reached the threshold by the synthesis's last date
    reads "not by <last date>" (never "never"), and their share is given when there are any
    ("not reached by 1 March 2026 in 4.9% of paths"); when half the paths or more have not
    reached it, no date is given, only that share.

    Parameters
    ----------
    quantities : xarray.Dataset
        What :func:`synthesis_quantities` returns.
    level : float
        The credible level.
    digits : int, optional
        Passed to :func:`attritionsim.cite`.

    Returns
    -------
    list of str
    """
    out = []
    for name in quantities.data_vars:
        da = quantities[name]
        if da.dtype.kind == "M":
            text = _censored_dates(da, level, digits)
        else:
            text = cite(da, level, digits=digits)
        label = str(da.attrs["long_name"])
        out.append(f"{label[:1].upper()}{label[1:]}: {text}")
    return out


def _percent_of(count: int, total: int) -> str:
    """``count`` of ``total`` in percent, two significant digits, never rounded to 0 or 100."""
    if count == total:
        return "100%"
    share = 100.0 * count / total
    if share < 0.1:
        return "<0.1%"
    if share >= 99.5:
        return ">99%"
    return f"{float(f'{share:.2g}'):g}%"


def _censored_dates(da: xr.DataArray, level: float, digits: int | None) -> str:
    """:func:`cite` of crossing dates whose NaT means "not by the last date", in words."""
    last = _human_day(str(da.attrs["not_by"]))
    censored = int(da.attrs["censored"])
    if 2 * censored >= da.size:  # the median is censored: no date to give
        return f"not reached by {last} in {_percent_of(censored, da.size)} of paths"
    text = cite(da, level, digits=digits).replace("never", f"not by {last}")
    if censored:
        text += f"; not reached by {last} in {_percent_of(censored, da.size)} of paths"
    return text


def tension_table(
    syn: xr.Dataset,
    p: xr.DataArray,
    sets: Sequence[Any],
    cat: Catalogue | None = None,
    level: float = DEFAULT_LEVEL,
) -> list[str]:
    """Markdown lines: every source of a synthesis, sorted by its LOO tail probability.

    Columns: the source's id, publisher, date (a period for rates and totals), the figure it
    stated, its leave-one-out tail probability ``p`` (:func:`attritionsim.tension`) with the
    Pareto ``k̂`` of its LOO weights, and the numbers of the sets (listed after the table,
    from :func:`attritionsim.synthesis.tension_sets`) that cannot all be true at ``level``.
    An inline source (not in the catalogue) has no publisher ("—") and its reading's median
    and ``level`` interval as its figure. A p whose ``k̂`` is above 0.7 is marked ``≈…†``,
    and a sentence under the table counts them and says what to do.

    Parameters
    ----------
    syn : xarray.Dataset
        What :func:`attritionsim.synthesize` returns.
    p : xarray.DataArray
        :func:`attritionsim.tension` of it.
    sets : sequence of TensionSet
        :func:`attritionsim.synthesis.tension_sets` of it.
    cat : Catalogue, optional
        For the publishers' names and which sources are records (default: the bundled one).
    level : float
        The level of the sets.

    Returns
    -------
    list of str
    """
    readings = json.loads(syn.attrs["readings"])
    cat = cat if cat is not None else load_catalogue()
    alpha = 1.0 - level
    settled = [found for found in sets if found.p_without >= alpha]
    unsettled = [found for found in sets if found.p_without < alpha]
    member: dict[str, list[str]] = {}
    for number, found in enumerate(settled, start=1):
        for ident in (found.source, *found.others):
            member.setdefault(ident, []).append(str(number))
    for found in unsettled:
        member.setdefault(found.source, []).append("all")
    lines = [
        "| Source | Publisher | Date | Stated | LOO p | k̂ | Sets |",
        "|---|---|---|---|---|---|---|",
    ]
    order = np.argsort(p.values, kind="stable")
    rough = 0
    for i in order:
        ident = str(p["source"].values[i])
        info = readings[ident]
        record = cat.get(ident)
        publisher = record.publisher if record is not None else "—"  # inline: no publisher
        stated = info["figure"] if record is not None else _stated(info, level)
        date = info["end"] if info["kind"] == "cumulative" else f"{info['start']} – {info['end']}"
        khat = float(p["pareto_k"].values[i])
        shown = _p(float(p.values[i]))
        if not khat <= _KHAT_ROUGH:
            rough += 1
            shown = f"≈{shown}†"
        sets_text = ", ".join(str(n) for n in member.get(ident, [])) or "–"
        lines.append(
            f"| `{ident}` | {publisher} | {date} | {stated} | {shown} | {khat:.2f} | {sets_text} |"
        )
    lines.append("")
    if rough:
        lines += [
            f"† {rough} of {p.sizes['source']} sources have k̂ above {_KHAT_ROUGH}: without "
            "each of them the draws, reweighted, stand only roughly for the posterior, so "
            "their p is rough (read it as a first look, not to two digits). More draws "
            "(`draws` of the synthesis, and `--draws`) firm it up.",
            "",
        ]
    if not sets:
        lines.append(f"No source is in tension with the others at the {level:.0%} level.")
        return lines
    if settled:
        lines += [
            f"Sets that cannot all be true at the {level:.0%} level (a source whose p is below "
            f"{alpha:.2g}, and the fewest others whose removal lifts it above):",
            "",
        ]
        for number, found in enumerate(settled, start=1):
            members = ", ".join(f"`{ident}`" for ident in (found.source, *found.others))
            lines.append(
                f"{number}. {members}: p of `{found.source}` {_p(found.p)}, "
                f"{_p(found.p_without)} without the others"
            )
        lines.append("")
    if unsettled:
        names = ", ".join(f"`{found.source}` (p {_p(found.p)})" for found in unsettled)
        lines.append(
            f'At odds with the record as a whole ("all" above: leaving out no set of up to '
            f"four other sources lifts p above {alpha:.2g}): {names}."
        )
    return lines


#: Above this Pareto k̂ a source's leave-one-out p is rough (Vehtari et al. 2017).
_KHAT_ROUGH = 0.7


def _stated(info: Mapping[str, Any], level: float) -> str:
    """An inline source's reading as a reader quotes it: its median and ``level`` interval."""
    dist = from_spec(info["reading"])
    tails = np.array([0.5, (1.0 - level) / 2.0, (1.0 + level) / 2.0])
    median, low, high = (fmt_sig(float(v), 3) for v in dist.ppf(tails))
    per = "/day" if info["kind"] == "rate" else ""
    return f"{median}{per} ({level:.0%}: {low}–{high})"


def _p(value: float) -> str:
    """A tail probability: two significant digits, ``< 1e-6`` below that."""
    return "< 1e-6" if value < 1e-6 else f"{value:.2g}"


def _fan_series(settings: SynthesisSettings) -> xr.DataArray | None:
    """A bundled series about the synthesis's side and measure (a cumulative count), if any.

    The side is that of the synthesis's catalogue records; a synthesis of inline sources
    alone has none, and gets no series.
    """
    from .catalogue import Record, load_series, series_names

    sides = {item.side for item in settings.observations if isinstance(item, Record)}
    for name in series_names():
        series = load_series(name)
        if sides == {series.attrs.get("side")} and series.attrs.get("measure") == "casualties":
            what = str(series.attrs.get("long_name", name)).removesuffix(", cumulative")
            series.attrs["long_name"] = what
            return series
    return None


def _synthesis_fan(found: _Synthesized, level: float) -> tuple[Any, str]:
    """The synthesized trajectory's fan, with every source's interval, and its caption's end.

    The whole record, and beside it a zoom around the threshold when paths reach it; the
    threshold is drawn only then (a level no path reaches would only stretch the axis).
    """
    syn, settings = found.syn, found.settings
    readings = json.loads(syn.attrs["readings"])
    anchors = []
    for info in readings.values():
        if info["kind"] != "cumulative":
            continue
        dist = from_spec(info["reading"])
        tails = np.array([(1.0 - level) / 2.0, 0.5, (1.0 + level) / 2.0])
        low, mid, high = (float(v) for v in dist.ppf(tails))
        anchors.append({"as_of": info["end"], "value": mid, "low": low, "high": high})
    traj = syn["cumulative"].drop_vars(["family", "listed"]).astype(np.float64)
    traj.attrs.update(long_name=f"{settings.long_name}, cumulative", units="people")
    series = _fan_series(settings)
    threshold = _fan_threshold(settings, found.threshold)
    known = np.array([], dtype="datetime64[s]")
    if threshold is not None:
        crossing = found.quantities[_crossing_name(threshold)]
        known = crossing.values[~np.isnat(crossing.values)]
    note = ""
    if threshold is not None and not known.size:
        last = _human_day(str(found.quantities[_crossing_name(threshold)].attrs["not_by"]))
        note = f"; no path reaches {fmt_number(threshold)} by {last}"
    fig = plots.PlotFigure(  # not held by pyplot
        figsize=(13.0, 5.0) if known.size else (8.5, 5.0), layout="constrained"
    )
    if known.size:
        left, right = fig.subplots(1, 2, width_ratios=(3, 2))
    else:
        left, right = fig.subplots(1, 1), None
    plots.plot_fan(
        traj,
        anchors=anchors,
        threshold=threshold if known.size else None,
        observed=series,
        ax=left,
        title=f"{settings.long_name}: the whole record",
    )
    if right is not None and threshold is not None:
        low, high = np.quantile(known.astype(np.int64), [0.005, 0.995])
        first = np.datetime64(int(low), "s").astype("datetime64[M]") - np.timedelta64(2, "M")
        last_month = np.datetime64(int(high), "s").astype("datetime64[M]") + np.timedelta64(2, "M")
        window = slice(first.astype("datetime64[ns]"), last_month.astype("datetime64[ns]"))
        shown = traj.sel(date=window)
        ends = shown["date"].values[[0, -1]].astype("datetime64[D]")
        near = [a for a in anchors if ends[0] <= np.datetime64(a["as_of"], "D") <= ends[1]]
        plots.plot_fan(
            shown,
            anchors=near or None,
            threshold=threshold,
            observed=None if series is None else series.sel(date=window),
            ax=right,
            title=f"Around {fmt_number(threshold)}",
        )
        right.set_ylabel("")
        legend = right.get_legend()
        if legend is not None:
            legend.remove()  # the left panel's legend holds the same entries
        note = "; right: around the threshold"
    return fig, note


def _synthesis_rates(found: _Synthesized, level: float) -> tuple[Any, int]:
    """The synthesized daily rate with every rate and period source; how many sources."""
    syn, settings = found.syn, found.settings
    tails = np.array([(1.0 - level) / 2.0, 0.5, (1.0 + level) / 2.0])
    sources = []
    for info in json.loads(syn.attrs["readings"]).values():
        if info["kind"] == "cumulative":
            continue
        days = (
            np.datetime64(info["end"], "D") - np.datetime64(info["start"], "D")
        ) / np.timedelta64(1, "D")
        # the reading is (increment / divisor): per day it is reading * divisor / days
        per_day = float(info["divisor"]) / float(days)
        low, mid, high = (float(v) * per_day for v in from_spec(info["reading"]).ppf(tails))
        sources.append(
            {"start": info["start"], "end": info["end"], "low": low, "value": mid, "high": high}
        )
    rate = syn["rate"].astype(np.float64)
    rate.attrs.update(long_name=f"{settings.long_name} per day", units="people/day")
    fig = plots.plot_rates(rate, sources=sources, level=level)
    return fig, len(sources)


# ------------------------------------------------------------------------------ the out folder
#: The marker file written into every report folder: only a folder holding it is replaced.
MARKER = ".attritionsim-report"
_TAG = ".attritionsim-"  # what follows the target's key in the names of our lock and staging
_STAGING, _OLD, _LOCK = "new-", "old-", "lock"
_MARKER_MAX_BYTES = 1 << 20
_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


class ReportFolder:
    """A checked, locked destination for a report, with a staging folder to fill.

    Made by :func:`prepare_out`; use it as a context manager. Write the report's files into
    :attr:`staging`, then call :meth:`commit` to swap them into :attr:`path`. Leaving the
    ``with`` block (or :meth:`close`), by any exception (``KeyboardInterrupt`` and
    ``SystemExit`` too), removes an uncommitted staging folder, releases the lock and removes
    the parent folders :func:`prepare_out` created if they are still empty.

    Attributes
    ----------
    path : Path
        The folder the report will occupy (absolute, symbolic links resolved).
    staging : Path
        The folder to write the report into (beside :attr:`path`, holding the marker).
    """

    def __init__(
        self,
        shown: str,
        path: Path,
        key: str,
        staging: Path,
        lock: _Lock,
        created: Sequence[Path] = (),
    ) -> None:
        self._shown = shown
        self.path = path
        self._key = key
        self.staging = staging
        self._lock = lock
        self._created = list(created)
        self._committed = False
        self._closed = False

    def __enter__(self) -> ReportFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ReportFolder({str(self.path)!r})"

    def commit(self) -> None:
        """Move the finished staging folder into place; an earlier report goes only after.

        On Linux the two folders are exchanged atomically, so ``path`` is never missing; where
        that is not available the earlier report is renamed aside first, and restored by the
        next run to the same folder should this one be killed between the two renames. A folder
        replaced (empty, or an earlier report) passes its permission bits to the new one.

        Raises
        ------
        InputError
            If ``path`` changed since :func:`prepare_out` into something that may not be replaced.
        """
        if self._closed or self._committed:
            raise RuntimeError(f"{self!r} is already {'closed' if self._closed else 'committed'}")
        _write_marker(self.staging, _record(self.staging))
        _check_target(self._shown, self.path)  # nothing else may have appeared there meanwhile
        mode = _mode(self.path)
        if mode is not None:
            os.chmod(self.staging, mode)  # a private folder stays private
        if not os.path.lexists(self.path):
            os.rename(self.staging, self.path)
            self._committed = True
            return
        if _exchange(self.staging, self.path):
            self._committed = True
            _remove_ours(self.staging)  # now the earlier report (or an empty folder)
            return
        old = self.path.with_name(f".{self._key}{_TAG}{_OLD}{secrets.token_hex(6)}")
        os.rename(self.path, old)
        try:
            os.rename(self.staging, self.path)
        except BaseException:
            os.rename(old, self.path)
            raise
        self._committed = True
        _remove_ours(old)

    def close(self) -> None:
        """Remove the staging folder unless committed, and release the lock (idempotent).

        Unless committed, the parent folders that :func:`prepare_out` created are removed too,
        if they are still empty.
        """
        if self._closed:
            return
        self._closed = True
        try:
            if not self._committed:
                _remove_ours(self.staging, force=True)
        finally:
            try:
                self._lock.release()
            finally:
                if not self._committed:
                    _remove_created(self._created)


def prepare_out(
    out: str | os.PathLike[str], *, scenario: str | os.PathLike[str] | None = None
) -> ReportFolder:
    """Check, lock and prepare a report folder before anything is simulated.

    The rules are those of :func:`write_report`. Under the lock, what an earlier killed run to
    the same folder left behind is tidied first: a staging folder of ours is removed, and an
    earlier report renamed aside is restored if ``out`` is missing. Creating the staging folder
    proves that the parent folder exists, is a folder and can be written. Missing parent
    folders are created; should the run not commit, those still empty are removed again.

    Parameters
    ----------
    out : path
        The report folder.
    scenario : path, optional
        The scenario file: its folder and that folder's parents are refused.

    Returns
    -------
    ReportFolder
        Holding the lock until closed; use it as a context manager.

    Raises
    ------
    InputError
        One line naming ``out`` and why it may not be written.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with prepare_out(pathlib.Path(tmp, "report")) as folder:
    ...         _ = (folder.staging / "notes.txt").write_text("hello")
    ...         folder.commit()
    ...     sorted(p.name for p in pathlib.Path(tmp, "report").iterdir())
    ['.attritionsim-report', 'notes.txt']
    """
    shown = os.fspath(out)
    if not isinstance(shown, str) or not shown:
        raise InputError(f"--out {shown!r} is empty; give the report folder's name")
    if "\0" in shown:
        raise InputError(f"--out {shown!r} contains a NUL character")
    try:
        return _prepare(shown, scenario)
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise InputError(f"--out {shown!r}: cannot prepare the report folder: {reason}") from None


def _prepare(shown: str, scenario: str | os.PathLike[str] | None) -> ReportFolder:
    given = Path(shown)
    path = Path(os.path.realpath(given))
    if os.path.islink(given) and not os.path.exists(given):
        raise InputError(
            f"--out {shown!r} is a symbolic link to {os.readlink(given)!r}, which does not "
            "exist (or loops); point it at a folder or choose another name"
        )
    _refuse_protected(shown, path, scenario)
    parent = path.parent
    existing = parent
    while not os.path.lexists(existing):
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(f"--out {shown!r}: {str(existing)!r} is not a folder")
    limit = os.pathconf(existing, "PC_NAME_MAX")
    for part in path.relative_to(existing).parts:
        size = len(os.fsencode(part))
        if size > limit:
            raise InputError(
                f"--out {shown!r}: the name {part[:20]!r}… is {size} bytes long; "
                f"this file system allows at most {limit}"
            )
    created: list[Path] = []
    try:
        for part in parent.relative_to(existing).parts:
            existing = existing / part
            with contextlib.suppress(FileExistsError):  # made meanwhile by someone else: theirs
                existing.mkdir()
                created.append(existing)
        key = _key(path.name)
        lock = _Lock.acquire(parent / f".{key}{_TAG}{_LOCK}", shown)
    except BaseException:
        _remove_created(created)
        raise
    try:
        _tidy(parent, key, path)
        _check_target(shown, path)
        staging = Path(tempfile.mkdtemp(prefix=f".{key}{_TAG}{_STAGING}", dir=parent))
        _write_marker(staging, _Written({}, frozenset()))  # a killed run's staging is ours
        mode = _mode(path)
        if mode is None:  # mkdtemp makes it private; a new report folder is not
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o777 & ~umask
        staging.chmod(mode | stat.S_IRWXU)  # the old folder's bits (given exactly at commit)
    except BaseException:
        try:
            lock.release()
        finally:
            _remove_created(created)
        raise
    return ReportFolder(shown, path, key, staging, lock, created)


def _remove_created(created: Sequence[Path]) -> None:
    """Remove the parent folders we created, deepest first, while they are empty."""
    for folder in reversed(created):
        try:
            os.rmdir(folder)
        except OSError:
            return


def _mode(path: Path) -> int | None:
    """The permission bits of the folder at ``path``, or ``None`` if there is none."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    return stat.S_IMODE(info.st_mode) if stat.S_ISDIR(info.st_mode) else None


def _refuse_protected(shown: str, path: Path, scenario: str | os.PathLike[str] | None) -> None:
    """Refuse ``/``, the current and home folders, the scenario's folder and their parents."""
    if path.parent == path:
        raise InputError(f"--out {shown!r} is the root folder; choose a new folder")
    folders = [("the current folder", Path(os.path.realpath(os.getcwd())))]
    with contextlib.suppress(RuntimeError, KeyError):  # no home folder known: nothing to add
        folders.append(("your home folder", Path(os.path.realpath(Path.home()))))
    if scenario is not None:
        where = Path(os.path.realpath(scenario)).parent
        folders.append(("the scenario file's folder", where))
    for what, folder in folders:
        if path == folder or path in folder.parents:
            raise InputError(
                f"--out {shown!r} is {what} or one of its parents; choose a new folder"
            )


def _key(name: str) -> str:
    """The target's name as used in our lock and staging names (bounded in length)."""
    if len(os.fsencode(name)) <= 100:
        return name
    return "h" + hashlib.sha256(os.fsencode(name)).hexdigest()[:24]


def _check_target(shown: str, path: Path) -> None:
    """Refuse an existing ``path`` unless it is an empty folder or one of our reports, unchanged."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if not stat.S_ISDIR(info.st_mode):
        raise InputError(
            f"--out {shown!r} exists and is not a folder; choose a new folder or remove it"
        )
    if info.st_dev != os.lstat(path.parent).st_dev:
        raise InputError(f"--out {shown!r} is a mount point; choose a folder inside it")
    if not os.listdir(path):
        return
    written = _read_marker(path)
    if written is None and _legacy_report(path):
        written = _record(path)
        _write_marker(path, written)  # adopted: from now on it is replaced as ours
    if written is None:
        raise InputError(
            f"--out {shown!r} exists and is not an attritionsim report (no {MARKER} marker); "
            "choose a new folder or remove it"
        )
    found = _not_ours(path, written)
    if any(found.values()):
        parts = [f"{what} ({_some(names)})" for what, names in found.items() if names]
        held = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
        raise InputError(
            f"--out {shown!r} is an attritionsim report but holds {held}; "
            "move them or choose a new folder"
        )


def _some(names: list[str]) -> str:
    """Up to three names, and how many more."""
    more = f" and {len(names) - 3} more" if len(names) > 3 else ""
    return f"{', '.join(names[:3])}{more}"


#: What a report folder written before the marker existed (version 0.1) holds, and nothing else.
_LEGACY_FILES = frozenset({"report.md", "summary.json", "results.nc"})


def _legacy_report(folder: Path) -> bool:
    """Whether ``folder`` is a report written before the marker: our files only, our summary."""
    if os.path.lexists(folder / MARKER):  # a marker we cannot read is not an old report
        return False
    if not set(os.listdir(folder)) >= _LEGACY_FILES:
        return False
    found = _not_ours(folder, _Written(dict.fromkeys(_LEGACY_FILES), frozenset({"figures"})))
    others = found.pop("files it did not write")
    if any(found.values()):  # a link, another folder, or one of our names not a plain file
        return False
    if not all(re.fullmatch(r"figures/[\w.-]+\.(png|svg)", n) for n in others):
        return False
    try:
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(summary, dict) and {"version", "quantities", "seed", "draws"} <= set(summary)


@dataclasses.dataclass(frozen=True)
class _Written:
    """What a report folder's marker says we wrote there.

    ``files`` maps each file (a relative POSIX path) to its (size, SHA-256), or to ``None``
    where the marker gives names only (written before it held them); ``folders`` are the
    folders we made.
    """

    files: dict[str, tuple[int, str] | None]
    folders: frozenset[str]


def _raise(err: OSError) -> None:
    raise err


def _not_ours(folder: Path, written: _Written) -> dict[str, list[str]]:
    """What in ``folder`` attritionsim did not write, or has changed since: by kind, sorted.

    A folder that is not ours is named, not entered; a symbolic link is never ours.
    """
    changed: list[str] = []
    files: list[str] = []
    folders: list[str] = []
    links: list[str] = []
    for root, dirs, names in os.walk(folder, onerror=_raise):
        here = Path(root)
        enter = []
        for name in dirs:
            rel = (here / name).relative_to(folder).as_posix()
            if os.path.islink(here / name):
                links.append(rel)
            elif rel in written.folders:
                enter.append(name)
            else:
                folders.append(rel)
        dirs[:] = enter
        for name in names:
            rel = (here / name).relative_to(folder).as_posix()
            if rel == MARKER:
                continue
            if os.path.islink(here / name):
                links.append(rel)
            elif rel not in written.files:
                files.append(rel)
            elif not _unchanged(here / name, written.files[rel]):
                changed.append(rel)
    return {
        "files changed since it was written": sorted(changed),
        "files it did not write": sorted(files),
        "folders it did not write": sorted(folders),
        "symbolic links it did not write": sorted(links),
    }


def _unchanged(path: Path, check: tuple[int, str] | None) -> bool:
    """Whether the regular file at ``path`` still has the size and SHA-256 in ``check``."""
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode):
        return False
    if check is None:
        return True
    size, digest = check
    return info.st_size == size and _sha256(path) == digest


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _record(folder: Path) -> _Written:
    """Every regular file under ``folder`` but the marker, with size and SHA-256; every folder.

    Symbolic links and other entries are left out (so they are never replaced as ours).
    """
    files: dict[str, tuple[int, str] | None] = {}
    folders = []
    for root, dirs, names in os.walk(folder, onerror=_raise):
        here = Path(root)
        dirs[:] = [d for d in dirs if not os.path.islink(here / d)]
        folders += [(here / d).relative_to(folder).as_posix() for d in dirs]
        for name in names:
            rel = (here / name).relative_to(folder).as_posix()
            info = os.lstat(here / name)
            if rel != MARKER and stat.S_ISREG(info.st_mode):
                files[rel] = (info.st_size, _sha256(here / name))
    return _Written(dict(sorted(files.items())), frozenset(folders))


def _write_marker(folder: Path, written: _Written) -> None:
    checks = {
        name: {"size": check[0], "sha256": check[1]}
        for name, check in written.files.items()
        if check is not None
    }
    record = {
        "attritionsim": __version__,
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "files": sorted(written.files),
        "folders": sorted(written.folders),
        "checksums": checks,
    }
    (folder / MARKER).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")


def _read_marker(folder: Path) -> _Written | None:
    """What our marker in ``folder`` says we wrote, or ``None`` if there is no valid marker.

    A marker without ``checksums`` and ``folders`` (written before they were recorded) gives
    the files' names only, and the folders holding them.
    """
    path = folder / MARKER
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > _MARKER_MAX_BYTES:
            return None
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get("attritionsim"), str):
        return None
    names = record.get("files")
    if not isinstance(names, list) or not all(isinstance(f, str) for f in names):
        return None
    folders = record.get("folders")
    if folders is None:
        folders = [p.as_posix() for name in names for p in PurePosixPath(name).parents]
    elif not isinstance(folders, list) or not all(isinstance(f, str) for f in folders):
        return None
    checks = record.get("checksums")
    files: dict[str, tuple[int, str] | None] = dict.fromkeys(names)
    if checks is not None:
        if not isinstance(checks, dict) or set(checks) != set(names):
            return None
        for name, check in checks.items():
            if not isinstance(check, dict) or set(check) != {"size", "sha256"}:
                return None
            size, digest = check["size"], check["sha256"]
            if type(size) is not int or not isinstance(digest, str):
                return None
            files[name] = (size, digest)
    return _Written(files, frozenset(folders) - {"."})


def _tidy(parent: Path, key: str, path: Path) -> None:
    """Clean up after a killed run to ``path``: restore a report renamed aside, drop staging."""
    pattern = re.compile(rf"\.{re.escape(key)}{re.escape(_TAG)}({_STAGING}|{_OLD})[A-Za-z0-9_]+")
    ours = [parent / n for n in os.listdir(parent) if pattern.fullmatch(n)]
    olds = [p for p in ours if p.name.startswith(f".{key}{_TAG}{_OLD}")]
    olds = sorted(
        (p for p in olds if p.is_dir() and not p.is_symlink() and _read_marker(p) is not None),
        key=lambda p: p.stat().st_mtime,
    )
    if olds and not os.path.lexists(path):
        os.rename(olds[-1], path)  # killed between the two renames: the report comes back
        ours.remove(olds[-1])
    for leftover in ours:
        _remove_ours(leftover)


def _remove_ours(folder: Path, *, force: bool = False) -> None:
    """Remove ``folder`` if it holds our marker (or is empty, or ``force``); the marker goes last.

    Removing the marker last means a removal cut short leaves a folder still recognisably ours,
    which the next run removes.
    """
    if folder.is_symlink() or not folder.is_dir():
        return
    if not force and os.listdir(folder) and _read_marker(folder) is None:
        return
    mode = stat.S_IMODE(os.lstat(folder).st_mode)
    if mode & stat.S_IRWXU != stat.S_IRWXU:  # a read-only report: ours to empty all the same
        with contextlib.suppress(OSError):
            os.chmod(folder, mode | stat.S_IRWXU)
    for entry in folder.iterdir():
        if entry.name == MARKER:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
    (folder / MARKER).unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        folder.rmdir()


def _exchange(first: Path, second: Path) -> bool:
    """Atomically exchange two paths (Linux ``renameat2``); ``False`` where unavailable."""
    call = _renameat2()
    if call is None:
        return False
    if call(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # e.g. a file system that cannot exchange: fall back to two renames
    raise OSError(code, os.strerror(code), str(first), None, str(second))


@functools.cache
def _renameat2() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        call = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    call.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    call.restype = ctypes.c_int
    return call


class _Lock:
    """An exclusive ``flock`` on a lock file beside the target, removed when released.

    The holder unlinks the file before unlocking; a run that opened the file just before that
    finds, once it holds the lock, that the path no longer names its file, and tries again.
    """

    def __init__(self, path: Path, fd: int | None) -> None:
        self.path = path
        self.fd = fd

    @classmethod
    def acquire(cls, path: Path, shown: str) -> _Lock:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: no locking
            return cls(path, None)
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
        while True:
            fd = os.open(path, flags, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                mine = os.fstat(fd)
                now = os.stat(path, follow_symlinks=False)
            except BlockingIOError:
                os.close(fd)
                raise InputError(
                    f"--out {shown!r}: another attritionsim run is writing this folder "
                    f"(lock {path.name!r}); wait for it to finish"
                ) from None
            except FileNotFoundError:
                os.close(fd)
                continue
            except BaseException:
                os.close(fd)
                raise
            if (mine.st_dev, mine.st_ino) == (now.st_dev, now.st_ino):
                return cls(path, fd)
            os.close(fd)

    def release(self) -> None:
        if self.fd is None:
            return
        fd, self.fd = self.fd, None
        try:
            self.path.unlink(missing_ok=True)
        finally:
            os.close(fd)


# ------------------------------------------------------------------------------ figures
def _figures(
    ds: xr.Dataset,
    scenario: Scenario,
    names: Sequence[str],
    level: float,
    folder: Path,
    cat: Catalogue,
    syntheses: Sequence[_Synthesized] = (),
) -> list[tuple[str, str]]:
    """Draw the report's figures; return (caption, file stem) pairs.

    Every setting comes from the scenario's ``[report]`` table: the threshold and the dates
    marked on crossing charts, the quantities whose drivers are charted, the digits.
    """
    folder.mkdir()
    made: list[tuple[str, str]] = []
    digits = scenario.digits

    def save(fig: Any, stem: str, caption: str) -> None:
        plots.save_figure(fig, folder / stem)
        made.append((caption, stem))

    numeric = [n for n in names if ds[n].dtype.kind == "f"]
    dates = [n for n in names if ds[n].dtype.kind == "M"]
    for name in numeric:
        label = ds[name].attrs.get("long_name", name)
        valid = _valid_draws(ds[name])  # the draws the figures are of
        notes = [_left_out_note(ds[name]), plots.shown_window(valid).note()]
        note = "; ".join(n for n in notes if n)
        caption = f"Distribution: {label}" + (f" ({note})" if note else "")
        save(plots.plot_distribution(valid, level=level, digits=digits), f"{name}", caption)
    for name in dates:
        threshold = _crossing_threshold(ds, name, scenario.threshold)
        what = _crossing_subject(ds, name)
        marked = _marks(scenario.marked_dates, threshold, scenario.threshold)
        fig, caption = _crossing_figure(ds[name], threshold, what, marked)
        save(fig, f"{name}_cdf", caption)
    for target in _sensitivity_targets(ds, scenario, names):
        label = ds[target].attrs.get("long_name", target)
        valid = _valid_draws(ds[target])  # rank correlations over the valid draws only
        whole = valid.sizes["draw"] == ds.sizes["draw"]
        feeding = _feeding(scenario.model, target)
        fig = plots.plot_tornado(
            ds if whole else ds.isel(draw=_valid_index(ds[target])), target, inputs=feeding, top=6
        )
        save(fig, f"{target}_tornado", f"Which inputs drive {label}: rank correlations")
        if len(feeding) > 1 and whole:  # Sobol indices need a value in every draw
            fig = _sobol_tornado(ds, scenario.model, target)
            save(fig, f"{target}_sobol", f"Which inputs drive {label}: total-order Sobol indices")
    for var in ds.data_vars:  # pooled inputs: each source's reading against the pool
        parts = _readings(ds[var])
        if ds[var].attrs.get("kind") == "input" and len(parts) > 1:
            label = ds[var].attrs.get("long_name", var)
            rows = [_forest_row(cat, ident, dist, level) for ident, dist in parts]
            fig = plots.plot_forest(
                rows,
                ds[var],
                level=level,
                label="Pooled",
                title=label,
                range_label=f"the source as read ({level:.0%} interval)",
                digits=digits,
            )
            save(fig, f"{var}_forest", f"The sources pooled in {label}, each as it is read")
    for found in syntheses:
        stem = f"synthesis_{found.settings.name}_fan"
        fig, note = _synthesis_fan(found, level)
        save(
            fig,
            stem,
            f"{found.settings.long_name}: one trajectory behind every dated source "
            f"(synthesis of {found.syn.sizes['source']} sources; each cumulative source's "
            f"{level:.0%} interval drawn at its date{note})",
        )
        fig, count = _synthesis_rates(found, level)
        if count:
            save(
                fig,
                f"synthesis_{found.settings.name}_rates",
                f"{found.settings.long_name}: the daily rate behind the trajectory, segment by "
                f"segment (median and {level:.0%} band), with the {count} rate and period "
                f"sources as read (each its mean per day over its period, and its {level:.0%} "
                "interval)",
            )
        for threshold in found.settings.thresholds:
            crossing = found.quantities[_crossing_name(threshold)]
            if int(crossing.attrs["censored"]) == crossing.size:
                continue  # no path reaches it: an empty chart (the warnings say so)
            marked = _marks(
                scenario.marked_dates or tuple((day, "") for day in found.settings.crossed_by),
                threshold,
                scenario.threshold,
            )
            fig, caption = _crossing_figure(crossing, threshold, found.settings.long_name, marked)
            save(fig, f"synthesis_{found.settings.name}_{_crossing_name(threshold)}_cdf", caption)
    forest = _sources_forest(ds, cat, level, syntheses)
    if forest is not None:
        save(*forest)
    return made


def _left_out_note(da: xr.DataArray) -> str:
    """A caption's note of the draws left out as invalid: ``""`` when there are none.

    "71.6% of draws left out as invalid (NaN 71.6%)", by kind: NaN, below or above the domain.
    """
    if da.dims != ("draw",) or da.dtype.kind not in "iuf":
        return ""
    bad = count_invalid(np.asarray(da.values, dtype=np.float64), domain_of(da.attrs))
    if not bad.total:
        return ""
    domain = bad.domain
    kinds = []
    if bad.below and domain is not None:
        kinds.append(f"{_share_of(bad.below, bad.draws)} below {domain.show(domain.low)}")
    if bad.above and domain is not None:
        kinds.append(f"{_share_of(bad.above, bad.draws)} above {domain.show(domain.high)}")
    if bad.nan:
        kinds.append(f"{_share_of(bad.nan, bad.draws)} without a valid value")
    return f"{_share_of(bad.total, bad.draws)} of draws left out as invalid: {', '.join(kinds)}"


def _share_of(count: int, total: int) -> str:
    """``count / total`` as a percentage to 0.1 point, never rounded to 0% or 100%."""
    p = count / total
    if 0 < p < 0.0005:
        return "< 0.1%"
    return "> 99.9%" if 0.9995 <= p < 1 else f"{100.0 * p:.1f}%"


def _crossing_figure(
    crossing: xr.DataArray, threshold: float | None, what: str, marked: Mapping[str, str]
) -> tuple[Any, str]:
    """A crossing date's CDF, titled by the threshold, with the marked dates; its caption."""
    label = str(crossing.attrs.get("long_name", crossing.name))
    if threshold is None:
        title = f"When it happens: {label}"
    else:
        title = f"Date {what} pass{'es' if what == 'the count' else ''} {fmt_number(threshold)}"
    fig = plots.plot_crossing_cdf(crossing, quoted=marked, threshold=threshold, title=title)
    note = plots.shown_window(crossing, quoted=marked).note()
    caption = f"{title}: probability of having passed it by each date; quantity: {label}"
    return fig, caption + (f"; {note}" if note else "")


def _marks(
    marked: Sequence[tuple[str, str]], threshold: float | None, report_threshold: float | None
) -> dict[str, str]:
    """The marked dates for a chart of ``threshold``: none when it is not the report's.

    The marked dates (and their labels) are about the report's threshold; a chart of another
    level would carry them wrongly.
    """
    if threshold is not None and report_threshold is not None and threshold != report_threshold:
        return {}
    return {label or day: day for day, label in marked}


def _crossing_threshold(ds: xr.Dataset, name: str, fallback: float | None) -> float | None:
    """The level a derived ``crossing_date(level, rate, threshold, start)`` is about.

    Read from its expression: a number, or the name of a constant; else ``fallback``.
    """
    call = _crossing_call(ds[name])
    if call is None or len(call.args) < 3:
        return fallback
    arg = call.args[2]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, int | float):
        return float(arg.value)
    if isinstance(arg, ast.Name) and arg.id in ds and ds[arg.id].attrs.get("kind") == "constant":
        with contextlib.suppress(ValueError):
            return float(ds[arg.id].attrs["value"])
    return fallback


def _crossing_subject(ds: xr.Dataset, name: str) -> str:
    """What passes the threshold: the level's long name up to its first comma, or "the count".

    "Russian casualties, March 2025 (UK MoD)" gives "Russian casualties".
    """
    call = _crossing_call(ds[name])
    if call is None or not call.args or not isinstance(call.args[0], ast.Name):
        return "the count"
    level = call.args[0].id
    if level not in ds:
        return "the count"
    text = str(ds[level].attrs.get("long_name") or "").split(",")[0].split(" (")[0].strip()
    return text if text and text != level else "the count"  # a bare name says nothing


def _crossing_call(da: xr.DataArray) -> ast.Call | None:
    """The ``crossing_date(...)`` call a derived quantity's expression is, if it is one."""
    try:
        tree = ast.parse(str(da.attrs.get("expression", "")), mode="eval").body
    except SyntaxError:
        return None
    if isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name):
        return tree if tree.func.id == "crossing_date" else None
    return None


def _sensitivity_targets(ds: xr.Dataset, scenario: Scenario, names: Sequence[str]) -> list[str]:
    """``[report] sensitivity``, else the first headline that is a derived number.

    Only quantities with valid draws (the charts are of those: ranks and variances need
    values); one that no sampled input feeds has no drivers to chart.
    """
    derived = scenario.model.derived
    chosen = scenario.sensitivity
    if chosen is None:
        chosen = tuple(n for n in names if n in derived and ds[n].dtype.kind == "f")[:1]

    def chartable(name: str) -> bool:
        valid = _valid_draws(ds[name]).values
        return bool(valid.size and np.isfinite(valid).all()) and bool(
            _feeding(scenario.model, name)
        )

    return [name for name in chosen if chartable(name)]


def _feeding(model: Model, target: str) -> list[str]:
    """The sampled inputs ``target`` is computed from (directly or through other quantities)."""
    needed = _engine.needed_names(model, [target])
    return [name for name in model.random_inputs if name in needed]


def _sobol_tornado(ds: xr.Dataset, model: Model, target: str) -> Any:
    """Tornado of total-order Sobol indices (correlated inputs as one factor).

    Only factors with an input that feeds ``target`` (as in the rank-correlation tornado): an
    index estimated for an input the target does not depend on is Monte Carlo noise.
    """
    idx = sobol_indices(
        model, target, seed=int(ds.attrs["seed"]), draws=min(8192, int(ds.attrs["draws"]))
    )
    feeding = set(_feeding(model, target))
    values = {}
    for factor, total in zip(idx["input"].values, idx["total"].values, strict=True):
        names = str(factor).split("+")
        if not feeding & set(names):  # an input that does not feed the target drives nothing
            continue
        fed = [n for n in names if n in feeding]  # a correlated group: name only what feeds
        label = " &\n".join(str(ds[n].attrs.get("long_name", n)) for n in fed)
        if len(fed) < len(names):
            label += "\n(with the inputs correlated with it)"
        values[label] = float(total)
    return plots.plot_tornado(
        ds, target, values=values, top=6, xlabel="Total-order Sobol index (share of variance)"
    )


def _readings(da: xr.DataArray) -> list[tuple[str, Any]]:
    """``(catalogue id, distribution)`` of each source an input reads (each part of a pool)."""
    text = da.attrs.get("distribution")
    if not text:
        return []
    spec = json.loads(str(text))
    parts = spec.get("params", {}).get("components", []) if spec.get("family") == "mixture" else []
    if not (parts and spec.get("origin", {}).get("rule") == "pool"):
        parts = [spec]
    out = []
    for part in parts:
        ident = part.get("origin", {}).get("source")
        if ident:
            out.append((str(ident), from_spec(part)))
    return out


def _forest_row(cat: Catalogue, ident: str, dist: Any, level: float) -> dict[str, Any]:
    """A forest row: a source as read (its median and ``level`` interval), the figure stated."""
    low, mid, high = (float(v) for v in dist.ppf([(1 - level) / 2, 0.5, (1 + level) / 2]))
    record = cat.get(ident)
    if record is None:
        return {"label": ident, "value": mid, "low": low, "high": high}
    shown = _three_digits([low, high])
    if record.units == "share":
        shown = [f"{text}%" for text in _three_digits([100 * low, 100 * high])]
    stated = f"{record.figure}; read {shown[0]}–{shown[1]}"
    return {
        "label": f"{record.publisher} ({_short_day(str(record.as_of))})",
        "value": mid,
        "low": low,
        "high": high,
        "units": record.units,
        "text": stated,
    }


def _short_day(day: str) -> str:
    """``2025-06-12`` as ``12 Jun 2025``."""
    when = datetime.date.fromisoformat(day[:10])
    return f"{when.day} {when.strftime('%b')} {when.year}"


def _sources_forest(
    ds: xr.Dataset, cat: Catalogue, level: float, syntheses: Sequence[_Synthesized]
) -> tuple[Any, str, str] | None:
    """Each source of the most-cited dated count, as read, in date order.

    Beside each, the synthesis's estimate at its date where a synthesis reads that source.
    """
    found: dict[str, Any] = {}
    for name in ds.data_vars:
        if ds[name].attrs.get("kind") == "input":
            for ident, dist in _readings(ds[name]):
                if ident in cat and cat[ident].as_of is not None:
                    found.setdefault(ident, dist)
    groups: dict[tuple[str, str, str], list[str]] = {}
    for ident in found:
        record = cat[ident]
        groups.setdefault((record.side, record.measure, record.units), []).append(ident)
    if not groups:
        return None
    (side, measure, _), chosen = max(groups.items(), key=lambda item: len(item[1]))
    if len(chosen) < 2:
        return None
    chosen.sort(key=lambda ident: (str(cat[ident].as_of), ident))
    rows = [_forest_row(cat, ident, found[ident], level) for ident in chosen]
    synthesis = next(
        (s for s in syntheses if any(i in s.syn["source"].values for i in chosen)), None
    )
    estimates = None
    what = f"{side.capitalize()} {measure.replace('_', ' ')}"
    if synthesis is not None:
        estimates = [_synthesis_at(synthesis, str(cat[i].as_of), level) for i in chosen]
        what = synthesis.settings.long_name
    units = cat[chosen[0]].units
    fig = plots.plot_forest(
        rows,
        xlabel=f"{what} ({'%' if units == 'share' else units})",
        title=f"{what}: each source as read, in date order",
        range_label=f"the source as read ({level:.0%} interval)",
        estimates=estimates,
        estimate_label=f"synthesis at the source's date ({level:.0%} interval)",
    )
    caption = f"{what}: each source's figure as read ({level:.0%} interval), in date order" + (
        f", beside the synthesis `{synthesis.settings.name}` at the same date"
        if synthesis is not None
        else ""
    )
    return fig, "sources_forest", caption


def _synthesis_at(found: _Synthesized, day: str, level: float) -> tuple[float, float, float] | None:
    """The synthesis's ``level`` interval and median of the trajectory on ``day``, if it has it."""
    cumulative = found.syn["cumulative"]
    when = np.datetime64(day[:10], "ns")
    if when not in cumulative["date"].values:
        return None
    values = np.asarray(cumulative.sel(date=when).values, dtype=np.float64)
    low, mid, high = np.quantile(values, [(1 - level) / 2, 0.5, (1 + level) / 2])
    return float(low), float(mid), float(high)


def _ids(da: xr.DataArray) -> list[str]:
    """The catalogue ids a variable rests on (its ``sources`` attr)."""
    return [i.strip() for i in str(da.attrs.get("sources", "")).split(",") if i.strip()]


def _source_ids(ds: xr.Dataset) -> list[str]:
    return list(dict.fromkeys(ident for name in ds.data_vars for ident in _ids(ds[name])))


# ------------------------------------------------------------------------------ inputs
def scenario_inputs(ds: xr.Dataset) -> dict[str, dict[str, Any]]:
    """The inputs a scenario gives itself, without a catalogue record, and every constant.

    These are the figures the Sources table cannot cite: a ``range = [...]`` or
    ``approximately = ...`` written in the scenario, and every ``value = ...`` (a constant, the
    same in every draw; it is listed even when a catalogue record gives it, as its reading is
    no distribution).

    Parameters
    ----------
    ds : xarray.Dataset
        A simulation's results (:func:`attritionsim.simulate`).

    Returns
    -------
    dict
        Per input, in the model's order: ``kind`` (``"input"`` or ``"constant"``),
        ``long_name``, ``units``, ``given`` (the qualifier and figure as written), ``reading``
        (the distribution, with its interval; ``None`` for a constant), ``sources`` (catalogue
        ids, possibly empty) and, for a constant, ``value`` (a number, or an ISO date).

    Examples
    --------
    >>> import attritionsim as asim
    >>> model = asim.Model(
    ...     inputs={"cas": asim.approximately(1_200_000), "days": 31.0},
    ...     derived={"per_day": "cas / days"},
    ... )
    >>> rows = scenario_inputs(asim.simulate(model, draws=100, seed=1))
    >>> rows["cas"]["given"], rows["days"]["given"]
    ('approximately 1,200,000', 'value 31')
    >>> rows["cas"]["reading"]
    'LogNormal(approximately 1,200,000; 90% in [1,080,000, 1,333,333])'
    """
    rows: dict[str, dict[str, Any]] = {}
    for name in ds.data_vars:
        da = ds[name]
        kind = da.attrs.get("kind")
        if kind not in ("input", "constant") or (kind == "input" and _ids(da)):
            continue
        row: dict[str, Any] = {
            "kind": kind,
            "long_name": str(da.attrs.get("long_name", name)),
            "units": str(da.attrs.get("units", "")),
            "given": _given(da),
            "reading": None if kind == "constant" else str(da.attrs.get("description", "")),
            "sources": _ids(da),
        }
        if kind == "constant":
            row["value"] = _constant(da)
        rows[str(name)] = row
    return rows


def _constant(da: xr.DataArray) -> float | str:
    """A constant input's value: a number, or a date as ISO text."""
    value = da.values
    if np.issubdtype(value.dtype, np.datetime64):
        return str(np.datetime_as_string(value, unit="D"))
    return float(value)


def _given(da: xr.DataArray) -> str:
    """An input as the scenario states it: qualifier words and figure(s)."""
    if da.attrs.get("kind") == "constant":
        value = _constant(da)
        return f"value {value if isinstance(value, str) else fmt_number(value)}"
    spec = json.loads(str(da.attrs.get("distribution", "{}")))
    origin = spec.get("origin") or {}
    rule = origin.get("rule")
    if rule == "from_range" and {"low", "high", "level"} <= set(origin):
        return (
            f"range {fmt_number(origin['low'])}–{fmt_number(origin['high'])} "
            f"(read as a {100.0 * origin['level']:.10g}% interval)"
        )
    if isinstance(rule, str) and "value" in origin and rule != "pool":
        return f"{rule.replace('_', ' ')} {fmt_number(origin['value'])}"
    return str(da.attrs.get("description", spec.get("family", "")))


def _reading(da: xr.DataArray) -> str:
    """How an input is read: its distribution, or that it is a constant."""
    if da.attrs.get("kind") == "constant":
        value = _constant(da)
        shown = value if isinstance(value, str) else fmt_number(value)
        return f"exact: {shown} in every draw"
    return str(da.attrs.get("description", ""))


def _inputs_section(ds: xr.Dataset) -> list[str]:
    """The report's Inputs table (empty when every input rests on a catalogue record)."""
    rows = scenario_inputs(ds)
    if not rows:
        return []
    level = float(ds.attrs.get("level", DEFAULT_LEVEL))
    lines = [
        "## Inputs",
        "",
        "Figures the scenario states itself rather than taking from a catalogue record, and "
        "constants (the same in every draw); a constant taken from a record is cited under "
        "Sources too.",
        "",
        f"| Input | Quantity | Given as | Reading | Median ({level:.0%} CrI) in this run |",
        "|---|---|---|---|---|",
    ]

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    for name, row in rows.items():
        da = ds[name]
        units = f" [{row['units']}]" if row["units"] else ""
        given = row["given"] + "".join(f" from `{ident}`" for ident in row["sources"])
        if row["kind"] == "constant":
            shown = _reading(da)
        elif da.dims == ("draw",):
            shown = cite(da, level)
        else:
            shown = ""
        lines.append(
            f"| `{name}` | {cell(row['long_name'])}{units} | {cell(given)} | "
            f"{cell(_rounded_reading(row['reading'] or 'constant'))} | {cell(shown)} |"
        )
    return [*lines, ""]


def _sources_section(ds: xr.Dataset, cat: Catalogue) -> list[str]:
    """The Sources table: every catalogue record an input reads, with its citation.

    A scenario whose inputs are all its own gets a sentence instead of an empty table.
    """
    rows = []
    for name in ds.data_vars:
        da = ds[name]
        if da.attrs.get("kind") not in ("input", "constant"):
            continue
        for ident in _ids(da):
            record = cat.get(ident)
            if record is None:
                continue
            rows.append(
                f"| `{name}` | `{record.id}` | {record.figure} | {record.qualifier} | "
                f"{_rounded_reading(_reading(da))} | {cite_record(record)} |"
            )
    if not rows:
        return [
            "## Sources",
            "",
            "No input is taken from a catalogue record: every figure is the scenario's own "
            "(see Inputs).",
            "",
        ]
    return [
        "## Sources",
        "",
        "| Input | Source | Figure | Qualifier | Rule applied | Citation |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
    ]


def _synthesis_sources(found: _Synthesized, cat: Catalogue) -> list[str]:
    """The records a synthesis stands on, each with its citation (they feed no input)."""
    rows = []
    for ident in (str(i) for i in found.syn["source"].values):
        record = cat.get(ident)
        if record is not None:
            rows.append(f"| `{ident}` | {record.figure} | {record.as_of} | {cite_record(record)} |")
    if not rows:
        return []
    return [
        f"### Synthesis sources: {found.settings.long_name} (`{found.settings.name}`)",
        "",
        "| Source | Figure | As of | Citation |",
        "|---|---|---|---|",
        *rows,
        "",
    ]


#: An interval ``[low, high]`` in a distribution's description.
_INTERVAL = re.compile(r"\[(-?[\d,]+(?:\.\d+)?), (-?[\d,]+(?:\.\d+)?)\]")


def _rounded_reading(text: str) -> str:
    """A reading's description with its interval's ends to three significant digits.

    The same digits as the sources chart gives them ("[855,000, 1,055,556]" reads
    "[860,000, 1,060,000]"); the stated figure itself is left as the source gave it.
    """

    def rounded(found: re.Match[str]) -> str:
        ends = [float(found.group(i).replace(",", "")) for i in (1, 2)]
        low, high = _three_digits(ends)
        return f"[{low}, {high}]"

    return _INTERVAL.sub(rounded, text)


def _three_digits(values: Sequence[float]) -> list[str]:
    """Figures at one place, three significant digits of the largest (a reading's interval).

    Each is first taken to seven significant digits (as the descriptions print them), so that
    an end computed as 854,999.99999 rounds as the 855,000 it is printed as.
    """
    return numbers_text([float(f"{v:.7g}") for v in values], [0.0] * len(values))


# ------------------------------------------------------------------------------ Markdown
def _markdown(
    scenario: Scenario,
    ds: xr.Dataset,
    summary: dict[str, Any],
    sentences: Sequence[str],
    figures: Sequence[tuple[str, str]],
    cat: Catalogue,
    level: float,
    syntheses: Sequence[_Synthesized] = (),
    readings: Sequence[str] = (),
) -> str:
    title = scenario.title or "attritionsim report"
    lines = [f"# {title}", ""]
    if scenario.description:
        lines += [scenario.description, ""]
    lines += ["## Headline figures", ""]
    lines += [f"- {sentence}" for sentence in sentences]
    lines += [
        "",
        f"Intervals are {level:.0%} equal-tailed credible intervals (CrI) over "
        f"{ds.attrs['draws']:,} Monte Carlo draws; no figure shows more digits than its Monte "
        "Carlo standard error supports"
        + (
            "."
            if scenario.digits is None
            else f", and headline figures are rounded to at most {scenario.digits} significant "
            "digits."
        ),
        "",
    ]
    for found in syntheses:
        attrs = found.syn.attrs
        skipped = json.loads(attrs["skipped"])
        lines += [
            f"The {found.settings.long_name} figures from the synthesis "
            f"`{found.settings.name}` stand on one never-decreasing trajectory behind "
            f"{found.syn.sizes['source']} dated sources (attritionsim.synthesize): "
            f"{int(attrs['draws']):,} draws, effective sample size {float(attrs['ess']):,.0f} "
            f"(the draws are worth that many independent ones), Pareto k̂ "
            f"{float(attrs['pareto_k']):.2f}, seed {attrs['seed']}. Their draws are in "
            f"`results.nc`, group `{_results_group(found.settings.name)}` (`attritionsim "
            f"summarize results.nc --group {_results_group(found.settings.name)}`)."
            + (
                f" {len(skipped)} record(s) skipped as not evidence (listed under the "
                "synthesis below)."
                if skipped
                else ""
            ),
            "",
        ]
    checked = [(summary["quantities"], ds)]
    checked += [
        (summary["synthesis"][f.settings.name]["quantities"], f.quantities) for f in syntheses
    ]
    lines += warnings_section(checked)
    lines += readings
    lines += [
        "## Every quantity",
        "",
        to_markdown(summary),
        "",
    ]
    for found in syntheses:
        skipped = json.loads(found.syn.attrs["skipped"])
        lines += [
            f"### The synthesis `{found.settings.name}`",
            "",
            to_markdown(
                {**summary["synthesis"][found.settings.name], "level": level},
            ),
            "",
        ]
        if skipped:
            lines += [
                "Skipped (projections and restatements of a record at the same date are not "
                f"evidence): {'; '.join(skipped)}.",
                "",
            ]
    for found in syntheses:
        lines += [
            f"## Sources in tension: {found.settings.long_name}",
            "",
            "How surprising each source's stated figure is given all the others "
            "(leave-one-out tail probability, PSIS-LOO; small: in tension; k̂ above 0.7: the "
            "estimate for that source is unreliable), sorted by p.",
            "",
            *tension_table(found.syn, found.tension, found.sets, cat, level),
            "",
        ]
    lines += [
        "## Figures",
        "",
    ]
    for caption, stem in figures:
        lines += [f"![{caption}](figures/{stem}.svg)", "", f"*{caption}.*", ""]
    lines += _inputs_section(ds)
    lines += _sources_section(ds, cat)
    for found in syntheses:
        lines += _synthesis_sources(found, cat)
    lines += [
        "## Run",
        "",
        f"- seed: {ds.attrs['seed']}",
        f"- draws: {ds.attrs['draws']:,}",
        f"- method: {ds.attrs['method']}",
        f"- attritionsim: {__version__}",
        f"- random stream layout: {ds.attrs['rng_layout']}",
        f"- model digest: `{ds.attrs['model_digest']}`",
        "",
    ]
    return "\n".join(lines)
