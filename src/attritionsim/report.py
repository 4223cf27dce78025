"""The report folder: results, summary, a Markdown report with figures, and the sources.

:func:`write_report` runs a scenario and writes, all at once::

    OUT/
      results.nc       every draw (netCDF-4), with provenance in the attrs
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
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import xarray as xr

from . import plots
from ._format import fmt_number, fmt_sig
from ._validate import DEFAULT_LEVEL
from ._version import __version__
from .attrition import Consistency
from .catalogue import Catalogue, load_catalogue
from .citation import cite, to_markdown
from .distributions import from_spec
from .errors import AttritionWarning, InputError
from .model import Model
from .resultsfile import write_results
from .scenario import Scenario, SynthesisSettings
from .sensitivity import sobol_indices
from .summary import summarize
from .synthesis import path_crossing_date, tension, tension_sets

__all__ = [
    "DEFAULT_SCENARIO",
    "MARKER",
    "ReportFolder",
    "consistency_sentence",
    "default_scenario",
    "headline_sentences",
    "prepare_out",
    "synthesis_quantities",
    "synthesis_sentences",
    "tension_table",
    "write_report",
]

#: The bundled scenario that ``attritionsim report`` runs.
DEFAULT_SCENARIO = Path(__file__).parent / "scenarios" / "default.toml"
#: Dates quoted by sources for the one-million threshold, marked on crossing-date figures.
QUOTED_DATES = {
    "General Staff series passes 1,000,000": "2025-06-12",
    "30 June 2025": "2025-06-30",
    "31 August 2025": "2025-08-31",
}


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
    return out


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

        staging = folder.staging
        write_results(ds, staging / "results.nc")
        (staging / "summary.json").write_text(
            json.dumps(summary, indent=2, allow_nan=False) + "\n", encoding="utf-8"
        )
        figures = _figures(ds, scenario.model, names, lvl, staging / "figures", cat)
        for found in syntheses:
            stem = f"synthesis_{found.settings.name}_fan"
            plots.save_figure(_synthesis_fan(found, lvl), staging / "figures" / stem)
            caption = (
                f"{found.settings.long_name}: one trajectory behind every dated source "
                f"(synthesis of {found.syn.sizes['source']} sources; each cumulative source's "
                f"{lvl:.0%} interval drawn at its date; right: around the threshold)"
            )
            figures.append((caption, stem))
        text = _markdown(scenario, ds, summary, sentences, figures, cat, lvl, syntheses)
        (staging / "report.md").write_text(text, encoding="utf-8")
        folder.commit()
    return ds, sentences


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
        out.append(_Synthesized(settings, syn, quantities, sentences, section, p, sets))
    return out


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
    negative: every path is non-decreasing). Each carries ``long_name``, ``units`` and the
    synthesis's ``ess``.

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
    for threshold in settings.thresholds:
        key = f"{int(threshold)}" if float(threshold).is_integer() else f"{threshold:g}"
        key = key.replace(".", "_")
        when = path_crossing_date(cumulative, threshold).drop_vars("family", errors="ignore")
        when.attrs.update(
            long_name=f"{label} pass {fmt_number(threshold)} (on the synthesized paths)", ess=ess
        )
        out[f"crossing_{key}"] = when
        for day in settings.crossed_by:
            crossed = (when <= np.datetime64(day, "s")) & ~np.isnat(when)
            crossed.attrs.update(
                long_name=f"{label} past {fmt_number(threshold)} by {_human_day(day)}", ess=ess
            )
            out[f"crossed_{key}_by_{day.replace('-', '_')}"] = crossed
    for start, end in settings.periods:
        days = (np.datetime64(end, "D") - np.datetime64(start, "D")) / np.timedelta64(1, "D")
        at = cumulative.sel(date=[np.datetime64(start, "ns"), np.datetime64(end, "ns")])
        rate = (at.isel(date=1) - at.isel(date=0)).drop_vars(
            ["date", "family", "listed"], errors="ignore"
        ) / days
        rate.attrs.update(
            long_name=f"{label} per day, {_human_period(start, end)} (synthesis)",
            units="people/day",
            ess=ess,
        )
        out[f"rate_{start.replace('-', '_')}_to_{end.replace('-', '_')}"] = rate
    ds = xr.Dataset(out)
    ds.attrs.update(seed=int(syn.attrs["seed"]), draws=int(syn.attrs["draws"]), ess=ess)
    return ds


def synthesis_sentences(
    quantities: xr.Dataset, *, level: float = DEFAULT_LEVEL, digits: int | None = None
) -> list[str]:
    """Headline sentences of a synthesis's quantities (see :func:`synthesis_quantities`).

    Each is the quantity's long name and :func:`attritionsim.cite` of its draws; for a
    crossing date, a path that has not reached the threshold by the synthesis's last date
    reads "not by <last date>" (never "never"), and their share is given when there are any.

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
        text = cite(da, level, digits=digits)
        if da.dtype.kind == "M":
            last = _human_day(str(da.attrs["not_by"]))
            text = text.replace("never", f"not by {last}")
            censored = int(da.attrs["censored"])
            if censored:
                share = 100.0 * censored / da.size
                text += f"; {share:.2g}% of paths not by {last}"
        label = str(da.attrs["long_name"])
        out.append(f"{label[:1].upper()}{label[1:]}: {text}")
    return out


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

    Parameters
    ----------
    syn : xarray.Dataset
        What :func:`attritionsim.synthesize` returns.
    p : xarray.DataArray
        :func:`attritionsim.tension` of it.
    sets : sequence of TensionSet
        :func:`attritionsim.synthesis.tension_sets` of it.
    cat : Catalogue, optional
        For the publishers' names (default: the id's first word).
    level : float
        The level of the sets.

    Returns
    -------
    list of str
    """
    readings = json.loads(syn.attrs["readings"])
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
    for i in order:
        ident = str(p["source"].values[i])
        info = readings[ident]
        record = cat.get(ident) if cat is not None else None
        publisher = record.publisher if record is not None else info["publisher"]
        date = info["end"] if info["kind"] == "cumulative" else f"{info['start']} – {info['end']}"
        khat = float(p["pareto_k"].values[i])
        sets_text = ", ".join(str(n) for n in member.get(ident, [])) or "–"
        lines.append(
            f"| `{ident}` | {publisher} | {date} | {info['figure']} | {_p(float(p.values[i]))} | "
            f"{khat:.2f} | {sets_text} |"
        )
    lines.append("")
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


def _p(value: float) -> str:
    """A tail probability: two significant digits, ``< 1e-6`` below that."""
    return "< 1e-6" if value < 1e-6 else f"{value:.2g}"


def _synthesis_fan(found: _Synthesized, level: float) -> Any:
    """The synthesized trajectory's fan, with every source's interval; the record and a zoom."""
    import matplotlib.pyplot as plt

    from .catalogue import load_series

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
    series = load_series("ua-general-staff-russia-personnel")
    series.attrs["long_name"] = "Ukrainian General Staff claim"
    threshold = settings.thresholds[0] if settings.thresholds else None
    fig, (left, right) = plt.subplots(1, 2, figsize=(13.0, 5.0), width_ratios=(3, 2))
    plots.plot_fan(
        traj,
        anchors=anchors,
        threshold=threshold,
        observed=series,
        ax=left,
        title=f"{settings.long_name}: the whole record",
    )
    left.margins(x=0.015)  # the last source's error bar is not cut at the edge
    if threshold is not None:
        crossing = found.quantities[next(iter(found.quantities.data_vars))]
        known = crossing.values[~np.isnat(crossing.values)]
        if known.size:
            low, high = np.quantile(known.astype(np.int64), [0.005, 0.995])
            first = np.datetime64(int(low), "s").astype("datetime64[M]") - np.timedelta64(2, "M")
            last = np.datetime64(int(high), "s").astype("datetime64[M]") + np.timedelta64(2, "M")
            window = slice(first.astype("datetime64[ns]"), last.astype("datetime64[ns]"))
            shown = traj.sel(date=window)
            ends = shown["date"].values[[0, -1]].astype("datetime64[D]")
            near = [a for a in anchors if ends[0] <= np.datetime64(a["as_of"], "D") <= ends[1]]
            plots.plot_fan(
                shown,
                anchors=near or None,
                threshold=threshold,
                observed=series.sel(date=window),
                ax=right,
                title=f"Around {fmt_number(threshold)}",
            )
            right.set_ylabel("")
            legend = right.get_legend()
            if legend is not None:
                legend.remove()  # the left panel's legend holds the same entries
    fig.tight_layout()
    return fig


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
    model: Model,
    names: Sequence[str],
    level: float,
    folder: Path,
    cat: Catalogue,
) -> list[tuple[str, str]]:
    """Draw the report's figures; return (caption, file stem) pairs."""
    folder.mkdir()
    made: list[tuple[str, str]] = []

    def save(fig: Any, stem: str, caption: str) -> None:
        plots.save_figure(fig, folder / stem)
        made.append((caption, stem))

    numeric = [n for n in names if ds[n].dtype.kind == "f"]
    dates = [n for n in names if ds[n].dtype.kind == "M"]
    for name in numeric:
        label = ds[name].attrs.get("long_name", name)
        note = plots.shown_window(ds[name]).note()
        caption = f"Distribution: {label}" + (f" ({note})" if note else "")
        save(plots.plot_distribution(ds[name], level=level), f"{name}", caption)
    for name in dates:
        label = ds[name].attrs.get("long_name", name)
        fig = plots.plot_crossing_cdf(ds[name], quoted=QUOTED_DATES)
        note = plots.shown_window(ds[name], quoted=QUOTED_DATES).note()
        caption = f"When the threshold is crossed: {label}" + (f" ({note})" if note else "")
        save(fig, f"{name}_cdf", caption)
    inputs = [n for n in ds.data_vars if ds[n].attrs.get("kind") == "input"]
    if numeric and len(inputs) > 1:
        target = numeric[0]
        label = ds[target].attrs.get("long_name", target)
        fig = plots.plot_tornado(ds, target, top=6)
        save(fig, f"{target}_tornado", f"Which inputs drive {label}: rank correlations")
        if target in model.derived:
            fig = _sobol_tornado(ds, model, target)
            save(fig, f"{target}_sobol", f"Which inputs drive {label}: total-order Sobol indices")
    for var in ds.data_vars:  # pooled inputs: each source's figure against the pool
        ids = _ids(ds[var])
        records = [cat[i] for i in ids if i in cat]
        if ds[var].attrs.get("kind") == "input" and len(records) > 1:
            label = ds[var].attrs.get("long_name", var)
            fig = plots.plot_forest(records, ds[var], level=level, label="Pooled", title=label)
            save(fig, f"{var}_forest", f"The sources pooled in {label}")
    forest = _forest_records(ds, cat)
    if forest:
        fig = plots.plot_forest(forest, title="Sources of the Russian casualty figures")
        save(fig, "sources_forest", "The sources' Russian casualty figures")
    return made


def _sobol_tornado(ds: xr.Dataset, model: Model, target: str) -> Any:
    """Tornado of total-order Sobol indices (correlated inputs as one factor)."""
    idx = sobol_indices(
        model, target, seed=int(ds.attrs["seed"]), draws=min(8192, int(ds.attrs["draws"]))
    )
    values = {}
    for factor, total in zip(idx["input"].values, idx["total"].values, strict=True):
        names = str(factor).split("+")
        label = " &\n".join(str(ds[n].attrs.get("long_name", n)) for n in names)
        values[label] = float(total)
    return plots.plot_tornado(
        ds, target, values=values, top=6, xlabel="Total-order Sobol index (share of variance)"
    )


def _forest_records(ds: xr.Dataset, cat: Catalogue) -> list[Any]:
    ids = _source_ids(ds)
    records = [cat[i] for i in ids if i in cat]
    return [r for r in records if r.measure == "casualties" and r.side == "russia"]


def _ids(da: xr.DataArray) -> list[str]:
    """The catalogue ids a variable rests on (its ``sources`` attr)."""
    return [i.strip() for i in str(da.attrs.get("sources", "")).split(",") if i.strip()]


def _source_ids(ds: xr.Dataset) -> list[str]:
    return list(dict.fromkeys(ident for name in ds.data_vars for ident in _ids(ds[name])))


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
            f"{float(attrs['pareto_k']):.2f}, seed {attrs['seed']}."
            + (f" Skipped: {'; '.join(skipped)}." if skipped else ""),
            "",
        ]
    lines += [
        "## Every quantity",
        "",
        to_markdown(summary),
        "",
    ]
    for found in syntheses:
        lines += [
            f"### The synthesis `{found.settings.name}`",
            "",
            to_markdown(
                {**summary["synthesis"][found.settings.name], "level": level},
            ),
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
    lines += ["## Sources", "", "| Input | Source | Figure | Qualifier | Rule applied | Citation |"]
    lines += ["|---|---|---|---|---|---|"]
    for name in ds.data_vars:
        da = ds[name]
        if da.attrs.get("kind") != "input":
            continue
        for ident in _ids(da):
            record = cat.get(ident)
            if record is None:
                continue
            rule = da.attrs.get("description", "")
            cite_text = f"{record.publisher}, *{record.title}* ({record.published}); {record.url}"
            lines.append(
                f"| `{name}` | `{record.id}` | {record.figure} | {record.qualifier} | "
                f"{rule} | {cite_text} |"
            )
    lines += [
        "",
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
