"""The report folder: results, summary, a Markdown report with figures, and the sources.

:func:`write_report` runs a scenario and writes, all at once::

    OUT/
      results.nc       every draw (netCDF-4), with provenance in the attrs
      summary.json     :func:`attritionsim.summarize` of the results
      report.md        headline sentences with credible intervals, a table of every quantity,
                       the figures, and an appendix of sources: qualifier, rule applied, citation
      figures/*.png, figures/*.svg

Everything is written to a temporary folder beside ``OUT`` and moved into place only when
complete, so a failed run leaves no half-written folder and an earlier report survives it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from . import plots
from ._version import __version__
from .catalogue import Catalogue, load_catalogue
from .errors import InputError
from .model import Model
from .resultsfile import write_results
from .scenario import Scenario
from .sensitivity import sobol_indices
from .summary import cite, summarize, to_markdown

__all__ = ["DEFAULT_SCENARIO", "default_scenario", "headline_sentences", "write_report"]

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


def headline_sentences(ds: xr.Dataset, names: Sequence[str], *, level: float = 0.9) -> list[str]:
    """One sentence per quantity: its long name and :func:`attritionsim.cite` of its draws.

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
        label = str(da.attrs.get("long_name", name))
        out.append(f"{label[:1].upper()}{label[1:]}: {cite(da, level)}")
    return out


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
) -> tuple[xr.Dataset, list[str]]:
    """Run ``scenario`` and write the report folder ``out`` (replacing an earlier one).

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

    Returns
    -------
    (xarray.Dataset, list of str)
        The results and the headline sentences.
    """
    target = Path(out)
    if target.exists() and not target.is_dir():
        raise InputError(f"--out {target} exists and is not a folder")
    lvl = scenario.level if level is None else level
    ds = scenario.run(
        draws=draws, seed=seed, method=method, chunk_size=chunk_size, progress=progress
    )
    ds.attrs["level"] = lvl
    names = list(scenario.headline) or [str(n) for n in ds.data_vars if ds[n].dims == ("draw",)][:8]
    sentences = headline_sentences(ds, names, level=lvl)
    summary = summarize(ds, level=lvl)
    cat = catalogue if catalogue is not None else load_catalogue()

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; a report folder is not
    try:
        write_results(ds, staging / "results.nc")
        (staging / "summary.json").write_text(
            json.dumps(summary, indent=2, allow_nan=False) + "\n", encoding="utf-8"
        )
        figures = _figures(ds, scenario.model, names, lvl, staging / "figures", cat)
        text = _markdown(scenario, ds, summary, sentences, figures, cat, lvl)
        (staging / "report.md").write_text(text, encoding="utf-8")
        _replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ds, sentences


def _replace(staging: Path, target: Path) -> None:
    """Move the finished folder into place; an earlier report is removed only afterwards."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}-old-{os.getpid()}")
        target.rename(old)
    try:
        staging.rename(target)
    except BaseException:
        if old is not None:
            old.rename(target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


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
    anchors = _anchors(ds, cat)
    if len(anchors) >= 2:
        fig = _fan(ds, anchors, cat)
        save(fig, "trajectory_fan", "Russian casualties through the dated estimates")
    forest = _forest_records(ds, cat)
    if forest:
        fig = plots.plot_forest(forest, title="Sources of the Russian casualty figures")
        save(fig, "sources_forest", "The sources' Russian casualty figures")
    return made


def _anchors(ds: xr.Dataset, cat: Catalogue) -> list[tuple[Any, str, Any]]:
    """Inputs resting on one dated catalogue record of Russian casualties: (date, name, record)."""
    out = []
    for name in ds.data_vars:
        da = ds[name]
        ids = _ids(da)
        if da.attrs.get("kind") != "input" or len(ids) != 1 or ids[0] not in cat:
            continue
        record = cat[ids[0]]
        if record.side == "russia" and record.measure == "casualties":
            out.append((record.as_of, str(name), record))
    return sorted(out, key=lambda item: item[0])


def _fan(ds: xr.Dataset, anchors: Sequence[tuple[Any, str, Any]], cat: Catalogue) -> Any:
    """Fan chart of the trajectory through the anchors, with the General Staff's series."""
    from .attrition import trajectory
    from .catalogue import load_series

    first, last = anchors[0][0], anchors[-1][0]
    days = np.arange(np.datetime64(first, "D"), np.datetime64(last, "D") + 1, 7)
    traj = trajectory([(when, ds[name]) for when, name, _ in anchors], None, days)
    traj.attrs.update(long_name="Russian casualties (cumulative)", units="people")
    series = load_series("ua-general-staff-russia-personnel")
    observed = series.sel(date=slice(np.datetime64(first, "D"), np.datetime64(last, "D")))
    observed.attrs["long_name"] = "Ukrainian General Staff claim"
    return plots.plot_fan(
        traj,
        anchors=[record for _, _, record in anchors],
        threshold=1_000_000,
        observed=observed,
        title="Russian casualties between the dated estimates",
    )


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
        "Carlo standard error supports.",
        "",
        "## Every quantity",
        "",
        to_markdown(summary),
        "",
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
