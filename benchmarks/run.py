"""Benchmarks: attritionsim against a plain hand-written numpy version of the same work.

Run ``python benchmarks/run.py`` (``--quick`` for a smoke run). Each case times the library and
a numpy baseline that draws the same inputs with a :class:`numpy.random.Generator`, computes the
same derived quantities and the same summaries (median, mean, equal-tailed and HDI bounds), in
one process, as the median of alternating repeats; it prints the ratio and the peak memory of
each (traced by :mod:`tracemalloc`, which sees numpy's allocations), and writes the table as
JSON to ``benchmarks/results/``. The generic model and the default scenario are also timed
against a percentile-only numpy version ("pct" columns): lognormals drawn as
``exp(mu + sigma * standard_normal)``, each quantity summarised by one
``numpy.percentile(x, [5, 50, 95])`` and its mean, no HDI and no MCSE.

Cases: the generic 10-input model; the default scenario at 10^5 to 10^7 draws against a numpy
version of it; ``lhs`` and ``sobol`` against ``mc`` (library against library: the "numpy"
columns hold the ``mc`` run); :func:`attritionsim.summarize_chunked` at 10^8 draws in chunks of
10^6 (time and traced peak memory; its "numpy" columns are empty); and squigglepy on the
generic model where it is installed (its time in the "numpy" columns); and the evidence synthesis
(:func:`attritionsim.synthesize`) of the whole Russian casualty record at 10^5 draws (one run
timed, one traced for its peak memory; no baseline; the target is 30 s on 2 cores and 2 GiB);
and, in a section of its own, the default scenario's full summary at 10^7 draws on a local Dask
cluster of 2 worker processes against 1 (:func:`cluster_speedup`; the target is 1.8x).
At 10^7 draws and above each side is traced once (its peak memory) and timed three times; the
chunked 10^8 case runs once, traced. The default scenario's ``million_trajectory`` is left out
of both sides: its draws reach dates outside ``datetime64[ns]``, which ``summarize`` cannot yet
take.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import math
import os
import platform
import statistics
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import special

import attritionsim as asim
from attritionsim import report, streaming, summary
from attritionsim.distributions import Distribution

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
LEVEL = 0.9


@dataclass
class Row:
    case: str
    draws: int
    library_s: float
    numpy_s: float
    ratio: float
    percentile_s: float
    percentile_ratio: float
    library_peak_mib: float
    numpy_peak_mib: float


# ------------------------------------------------------------------------------ the generic model
N_INPUTS = 10
OPS = ["+", "*", "/", "-", "+", "*", "/", "-", "+", "*"]


def generic_model() -> asim.Model:
    """Ten lognormal inputs, ten arithmetic derived quantities (the engine issue's case)."""
    inputs = {f"x{i}": asim.from_range(1.0 + i, 2.0 + 1.5 * i) for i in range(N_INPUTS)}
    derived = {f"d{i}": f"x{i} {OPS[i]} x{(i + 1) % N_INPUTS}" for i in range(N_INPUTS)}
    return asim.Model(inputs, derived)


def library_generic(draws: int, method: str = "mc") -> Callable[[], Any]:
    model = generic_model()

    def run() -> Any:
        ds = asim.simulate(model, draws, seed=1, method=method)  # type: ignore[arg-type]
        return summary.summarize(ds, level=LEVEL)

    return run


def numpy_generic(draws: int) -> Callable[[], Any]:
    model = generic_model()
    params = [(d.mu, d.sigma) for d in model.inputs.values()]  # type: ignore[union-attr]

    def run() -> Any:
        rng = np.random.default_rng(1)
        x = [rng.lognormal(mu, sigma, draws) for mu, sigma in params]
        values = dict(enumerate(x))
        out = {f"x{i}": v for i, v in values.items()}
        for i, op in enumerate(OPS):
            a, b = x[i], x[(i + 1) % N_INPUTS]
            out[f"d{i}"] = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}[op](
                a, b
            )
        return {name: numpy_summary(v) for name, v in out.items()}

    return run


def percentile_generic(draws: int) -> Callable[[], Any]:
    """The generic model in numpy, summarised by three percentiles and the mean only."""
    model = generic_model()
    params = [(d.mu, d.sigma) for d in model.inputs.values()]  # type: ignore[union-attr]
    fns = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}

    def run() -> Any:
        rng = np.random.default_rng(1)
        x = [np.exp(mu + sigma * rng.standard_normal(draws)) for mu, sigma in params]
        out = {f"x{i}": v for i, v in enumerate(x)}
        for i, op in enumerate(OPS):
            out[f"d{i}"] = fns[op](x[i], x[(i + 1) % N_INPUTS])
        return {name: percentile_summary(v) for name, v in out.items()}

    return run


def percentile_summary(values: np.ndarray) -> dict[str, float]:
    """The 5%, 50% and 95% percentiles (one :func:`numpy.percentile`, a partition) and the mean."""
    with np.errstate(invalid="ignore"):  # inf - inf among the dates that never come
        lo, med, hi = np.percentile(values, [5.0, 50.0, 95.0])
    return {"median": float(med), "mean": float(values.mean()), "eti": (float(lo), float(hi))}


def numpy_summary(values: np.ndarray) -> dict[str, float]:
    """Median, mean, equal-tailed and HDI bounds, as one would write them by hand."""
    xs = np.sort(values)
    n = xs.size
    lo, med, hi = np.quantile(xs, [(1 - LEVEL) / 2, 0.5, (1 + LEVEL) / 2])
    k = math.ceil(LEVEL * n)
    widths = xs[k - 1 :] - xs[: n - k + 1]
    start = int(np.argmin(widths))
    return {
        "median": float(med),
        "mean": float(xs.mean()),
        "eti": (float(lo), float(hi)),
        "hdi": (float(xs[start]), float(xs[start + k - 1])),
    }


# ---------------------------------------------------------------------------- the default scenario
SKIP = ("million_trajectory",)  # dates beyond datetime64[ns]: summarize cannot take them yet
SECONDS_PER_DAY = 86_400.0


def default_model() -> asim.Model:
    return report.default_scenario().model


def default_quantities(model: asim.Model) -> list[str]:
    return [n for n in model.names if n not in model.constants and n not in SKIP]


def library_default(draws: int, method: str = "mc") -> Callable[[], Any]:
    model = default_model()
    names = default_quantities(model)

    def run() -> Any:
        ds = asim.simulate(model, draws, seed=1, method=method)  # type: ignore[arg-type]
        return summary.summarize(ds, level=LEVEL, quantities=names)

    return run


def numpy_sampler(dist: Distribution) -> Callable[[np.ndarray], np.ndarray]:
    """Uniforms to draws: numpy's own transform where there is one, else the inverse CDF."""
    kind = type(dist).__name__
    if kind == "LogNormal":
        mu, sigma = dist.mu, dist.sigma  # type: ignore[attr-defined]
        return lambda u: np.exp(mu + sigma * special.ndtri(u))
    if kind == "Uniform":
        low, high = dist.low, dist.high  # type: ignore[attr-defined]
        return lambda u: low + (high - low) * u
    return dist.ppf  # type: ignore[return-value]


def normal_sampler(dist: Distribution) -> Callable[[np.ndarray, np.random.Generator], np.ndarray]:
    """Standard normals to draws, the way one writes it by hand (``exp(mu + sigma * z)``)."""
    kind = type(dist).__name__
    if kind == "LogNormal":
        mu, sigma = dist.mu, dist.sigma  # type: ignore[attr-defined]
        return lambda z, rng: np.exp(mu + sigma * z)
    if kind == "Mixture" and all(
        type(c).__name__ == "LogNormal"
        for c in dist.components  # type: ignore[attr-defined]
    ):
        comps = dist.components  # type: ignore[attr-defined]
        mus = np.array([c.mu for c in comps])
        sigmas = np.array([c.sigma for c in comps])
        weights = np.array(dist.weights) / sum(dist.weights)  # type: ignore[attr-defined]

        def mixture(z: np.ndarray, rng: np.random.Generator) -> np.ndarray:
            pick = rng.choice(len(comps), size=z.size, p=weights)
            return np.exp(mus[pick] + sigmas[pick] * z)

        return mixture
    if kind == "Uniform":
        low, high = dist.low, dist.high  # type: ignore[attr-defined]
        return lambda z, rng: low + (high - low) * special.ndtr(z)
    return lambda z, rng: dist.ppf(special.ndtr(z))  # type: ignore[return-value]


def numpy_default(draws: int, *, percentiles: bool = False) -> Callable[[], Any]:
    """The default scenario written out by hand in numpy (its copula and its formulas).

    ``percentiles``: the percentile-only version, drawing from standard normals
    (:func:`normal_sampler`, the copula on the normals) and summarising each quantity by
    :func:`percentile_summary`.
    """
    model = default_model()
    names = default_quantities(model)
    samplers = {n: numpy_sampler(model.inputs[n]) for n in model.random_inputs}  # type: ignore[arg-type]
    normal = {n: normal_sampler(model.inputs[n]) for n in model.random_inputs}  # type: ignore[arg-type]
    pairs = list(model.correlations.items())
    summarize = percentile_summary if percentiles else numpy_summary

    def draw_by_inverse_cdf(rng: np.random.Generator) -> dict[str, Any]:
        u = {n: rng.random(draws) for n in samplers}
        for (a, b), rho in pairs:  # each pair is its own two-input Gaussian copula
            r = 2.0 * np.sin(np.pi * rho / 6.0)
            za, zb = special.ndtri(u[a]), special.ndtri(u[b])
            u[b] = special.ndtr(r * za + np.sqrt(1.0 - r * r) * zb)
        return {n: samplers[n](u[n]) for n in samplers}

    def draw_from_normals(rng: np.random.Generator) -> dict[str, Any]:
        z = {n: rng.standard_normal(draws) for n in normal}
        for (a, b), rho in pairs:
            r = 2.0 * np.sin(np.pi * rho / 6.0)
            z[b] = r * z[a] + np.sqrt(1.0 - r * r) * z[b]
        return {n: normal[n](z[n], rng) for n in normal}

    def days(a: str, b: str) -> float:
        return float((np.datetime64(b) - np.datetime64(a)) / np.timedelta64(1, "D"))

    def crossing(count: np.ndarray, rate: np.ndarray, start: str) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            offset = np.rint((1_000_000 - count) / rate * SECONDS_PER_DAY)
        offset = np.where(rate > 0, offset, np.nan)
        stamp = np.datetime64(start, "s").astype(np.int64) + offset
        out = np.where(np.isnan(stamp), np.iinfo(np.int64).min, stamp).astype(np.int64)
        return out.view("datetime64[s]")

    def run() -> Any:
        rng = np.random.default_rng(1)
        v: dict[str, Any] = (draw_from_normals if percentiles else draw_by_inverse_cdf)(rng)
        v.update(model.constants)
        v["ratio_may25"] = v["ru_may25"] / v["ua_may25"]
        v["ratio_dec25"] = v["ru_dec25"] / v["ua_dec25"]
        v["ratio_may25_in_band"] = (v["ratio_may25"] >= 2) & (v["ratio_may25"] <= 2.5)
        v["ratio_dec25_in_band"] = (v["ratio_dec25"] >= 2) & (v["ratio_dec25"] <= 2.5)
        for side in ("ru", "ua"):
            for when in ("may25", "dec25"):
                c, k = v[f"{side}_{when}"], v[f"{side}_killed_{when}"]
                v[f"{side}_killed_share_{when}"] = np.where(k <= c, k / c, np.nan)
            c, k = v[f"{side}_dec25"], v[f"{side}_killed_dec25"]
            v[f"{side}_wounded_per_killed_dec25"] = np.maximum(c - k, 0.0) / k
        v["rate_mar_may25"] = (v["ru_may25"] - v["ru_mar25"]) / days("2025-03-20", "2025-05-31")
        v["rate_may_dec25"] = (v["ru_dec25"] - v["ru_may25"]) / days("2025-05-31", "2025-12-31")
        v["rate_mar_dec25"] = (v["ru_dec25"] - v["ru_mar25"]) / days("2025-03-20", "2025-12-31")
        v["million_from_mar25"] = crossing(v["ru_mar25"], v["ru_rate_jun25"], "2025-03-20")
        v["million_from_may25"] = crossing(v["ru_may25"], v["ru_rate_jun25"], "2025-05-31")
        v["million_from_dec25"] = crossing(v["ru_dec25"], v["ru_rate_dec25"], "2025-12-31")
        trajectory = crossing(v["ru_may25"], v["rate_may_dec25"], "2025-05-31")
        v["crossed_by_jun25"] = trajectory <= np.datetime64("2025-06-30")
        v["crossed_by_aug25"] = trajectory <= np.datetime64("2025-08-31")
        v["killed_share_rutte"] = v["ru_killed_rate_dec25"] / v["ru_rate_dec25"]
        v["ru_killed_vs_afghanistan"] = v["ru_killed_dec25"] / v["soviet_afghanistan"]
        v["ru_killed_vs_korea_vietnam"] = v["ru_killed_dec25"] / (v["us_korea"] + v["us_vietnam"])
        out = {}
        for name in names:
            x = v[name]
            if x.dtype.kind == "b":
                out[name] = float(x.mean())
            elif x.dtype.kind == "M":
                seconds = x.astype(np.int64).astype(np.float64)
                out[name] = summarize(np.where(np.isnat(x), np.inf, seconds))
            else:
                out[name] = summarize(x)
        return out

    return run


# ------------------------------------------------------------------------------ chunked 10^8
def library_chunked(draws: int, chunk: int) -> Callable[[], Any]:
    model = generic_model()

    def run() -> Any:
        return streaming.summarize_chunked(model, draws, 1, chunk_size=chunk, level=LEVEL)

    return run


# ------------------------------------------------------------------------------ cluster speed-up
CLUSTER_CASE = "cluster 2 vs 1 worker"


def cluster_speedup(draws: int, chunk: int, repeats: int) -> Row:
    """The default scenario's full summary on a local cluster of 1, then 2, worker processes.

    ``summarize_chunked(..., client=)``: the draws stay on the workers, which send back only
    counts and the draws in the wanted cells; the pilot and the final reading run here. Both
    clusters are started and warmed (their workers import the library and see the model)
    before the runs are timed, alternately, ``repeats`` times each (the median is kept); both
    must give the same summary. The row holds the 2-worker time as "library", the 1-worker
    time as "numpy", and their ratio (the speed-up is its inverse; the target is 1.8).
    """
    from attritionsim.dask_backend import cluster

    model = default_model()
    names = default_quantities(model)

    def run(client: Any, n: int, size: int) -> Any:
        return streaming.summarize_chunked(
            model, n, 1, chunk_size=size, quantities=names, level=LEVEL, client=client
        )

    times: dict[int, list[float]] = {1: [], 2: []}
    with cluster(workers=1) as one, cluster(workers=2) as two:
        clients = {1: one, 2: two}
        for client in clients.values():
            run(client, 3 * 2**17, 2**17)
        results = {}
        for _ in range(repeats):
            for workers, client in clients.items():
                gc.collect()
                start = time.perf_counter()
                results[workers] = run(client, draws, chunk)
                times[workers].append(time.perf_counter() - start)
    if results[1] != results[2]:
        raise AssertionError("1 and 2 workers gave different summaries")
    single, double = statistics.median(times[1]), statistics.median(times[2])
    row = Row(
        CLUSTER_CASE, draws, double, single, double / single, math.nan, math.nan, math.nan, math.nan
    )
    print(
        f"\ncluster: summarize_chunked of the default scenario in chunks of {chunk:,}, "
        f"median of {repeats} (target: 2 workers >= 1.8x 1 worker)\n"
        f"{'case':<28} {'draws':>12} {'1 worker s':>11} {'2 workers s':>12} {'speed-up':>9}\n"
        f"{row.case:<28} {row.draws:>12,} {single:>11.3f} {double:>12.3f} "
        f"{single / double:>9.2f}",
        flush=True,
    )
    return row


# ------------------------------------------------------------------------------ peer: squigglepy
def squigglepy_generic(draws: int) -> Callable[[], Any] | None:
    try:
        import squigglepy as sq  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError:
        return None
    model = generic_model()
    params = [(d.mu, d.sigma) for d in model.inputs.values()]  # type: ignore[union-attr]

    def run() -> Any:
        sq.set_seed(1)
        x = [sq.sample(sq.lognorm(norm_mean=mu, norm_sd=sigma), n=draws) for mu, sigma in params]
        x = [np.asarray(v, dtype=np.float64) for v in x]
        out = {f"x{i}": v for i, v in enumerate(x)}
        fns = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}
        for i, op in enumerate(OPS):
            out[f"d{i}"] = fns[op](x[i], x[(i + 1) % N_INPUTS])
        return {name: numpy_summary(v) for name, v in out.items()}

    return run


# ------------------------------------------------------------------------------ timing
def library_synthesis(draws: int) -> Callable[[], Any]:
    """The whole Russian casualty record, as the default report synthesizes it."""
    records = list(
        asim.load_catalogue().query(
            side="russia",
            measure=["casualties", "period_casualties", "daily_rate", "monthly_rate"],
        )
    )

    def run() -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the skipped projections and restatements
            return asim.synthesize(records, draws=draws, seed=0)

    return run


def synthesis_row(draws: int) -> Row:
    """One timed run and one traced run (the synthesis takes tens of seconds)."""
    fn = library_synthesis(draws)
    seconds = timed(fn, 1)
    peak = traced(fn)[1]
    nan = math.nan
    row = Row("synthesis, Russian record", draws, seconds, nan, nan, nan, nan, peak, nan)
    print(
        f"{row.case:<28} {row.draws:>12,} {row.library_s:>10.3f} {'':>10} {'':>7} {'':>10} "
        f"{'':>9} {row.library_peak_mib:>10.0f} {'':>10}   (target: 30 s on 2 cores, 2,048 MiB)",
        flush=True,
    )
    return row


def timed(fn: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_mib(fn: Callable[[], Any]) -> float:
    gc.collect()
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def traced(fn: Callable[[], Any]) -> tuple[float, float]:
    """One run under tracemalloc: (seconds, peak MiB)."""
    gc.collect()
    tracemalloc.start()
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak / 2**20


def measure(
    fns: list[Callable[[], Any]], draws: int, *, once: bool = False
) -> list[tuple[float, float]]:
    """(median seconds, peak MiB) of each of ``fns``, timed in alternation.

    The runs alternate (``a, b, c, a, b, c, ...``) so that a busy spell on a shared machine
    falls on every side alike. Below 10^7 draws each is warmed up, timed 5 (10^5 and fewer)
    or 3 times, and traced once for its peak; from 10^7 on the traced run is the warm-up and
    each is timed 3 times. ``once``: one traced run each (for runs of minutes).
    """
    if once:
        return [traced(fn) for fn in fns]
    big = draws >= 10**7
    peaks = []
    for fn in fns:  # warm up imports and caches; from 10^7 on, under tracemalloc
        if big:
            peaks.append(traced(fn)[1])
        else:
            fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(3 if draws > 10**5 else 5):
        for fn, seconds in zip(fns, times, strict=True):
            seconds.append(timed(fn, 1))
    if not big:
        peaks = [peak_mib(fn) for fn in fns]
    return [(statistics.median(t), peak) for t, peak in zip(times, peaks, strict=True)]


def compare(
    case: str,
    draws: int,
    lib: Callable[[], Any],
    base: Callable[[], Any] | None,
    percentiles: Callable[[], Any] | None = None,
    *,
    once: bool = False,
) -> Row:
    """Time the library, its same-work baseline and (where given) the percentile-only one."""
    fns = [f for f in (lib, base, percentiles) if f is not None]
    results = iter(measure(fns, draws, once=once))
    lib_s, lib_mib = next(results)
    base_s, base_mib = next(results) if base is not None else (math.nan, math.nan)
    pct_s = next(results)[0] if percentiles is not None else math.nan
    row = Row(case, draws, lib_s, base_s, lib_s / base_s, pct_s, lib_s / pct_s, lib_mib, base_mib)
    print(
        f"{row.case:<28} {row.draws:>12,} {row.library_s:>10.3f} {row.numpy_s:>10.3f} "
        f"{row.ratio:>7.2f} {row.percentile_s:>10.3f} {row.percentile_ratio:>9.2f} "
        f"{row.library_peak_mib:>10.0f} {row.numpy_peak_mib:>10.0f}",
        flush=True,
    )
    return row


def machine() -> dict[str, Any]:
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "numpy": np.__version__,
        "attritionsim": asim.__version__,
    }


# ------------------------------------------------------------------------------ the README table
README = Path(__file__).resolve().parents[1] / "README.md"
BEGIN, END = "<!-- performance table: begin -->", "<!-- performance table: end -->"
#: How each case is named in the README.
README_CASES = {
    "generic 10 in / 10 derived": "generic 10 inputs / 10 derived",
    "default scenario": "default scenario",
    "default lhs vs mc": "default scenario, `lhs` against `mc`",
    "default sobol vs mc": "default scenario, `sobol` against `mc`",
    "generic vs squigglepy": "generic, squigglepy (peer) in the numpy column",
    "synthesis, Russian record": "evidence synthesis, whole Russian record",
    CLUSTER_CASE: "default scenario, `summarize_chunked`, 2 workers against 1",
}


def _cell(value: float | None, kind: str = "s") -> str:
    """A README cell: seconds to 3 significant digits, ratios to 2 decimals, MiB whole."""
    if value is None or not math.isfinite(value):
        return "–"
    if kind == "ratio":
        return f"{value:.2f}"
    if kind == "mib" or value >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def readme_table(record: dict[str, Any]) -> str:
    """The README's Performance table (between its markers) from one run's JSON record."""
    when = str(record["when"])
    lines = [
        BEGIN,
        f"Run of {when[:4]}-{when[4:6]}-{when[6:8]} on {record['machine'].get('cpus', '?')} cores "
        "(`benchmarks/results/latest.json`; peak memory traced by `tracemalloc`; "
        "`pct` is numpy taking only the 5/50/95 percentiles and the mean):",
        "",
        "| case | draws | library s | numpy s | ratio | pct s | pct ratio | library MiB "
        "| numpy MiB |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for row in record["rows"]:
        case = str(row["case"])
        name = README_CASES.get(case)
        if name is None and case.startswith("generic chunked"):
            name = "generic, `summarize_chunked`, chunks of 10^6"
        cells = [
            name or case,
            f"{row['draws']:,}",
            _cell(row["library_s"]),
            _cell(row["numpy_s"]),
            _cell(row["ratio"], "ratio"),
            _cell(row.get("percentile_s")),
            _cell(row.get("percentile_ratio"), "ratio"),
            _cell(row["library_peak_mib"], "mib"),
            _cell(row["numpy_peak_mib"], "mib"),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        'For the cluster row, "library s" is 2 workers, "numpy s" 1 worker, and the ratio '
        "is their quotient (the speed-up is its inverse).",
        END,
    ]
    return "\n".join(lines)


def write_readme(record: dict[str, Any], path: Path = README) -> None:
    """Replace the README's Performance table with ``record``'s."""
    text = path.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{path}: no {BEGIN} ... {END} markers to replace")
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    path.write_text(head + readme_table(record) + tail, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    parser.add_argument("--no-save", action="store_true", help="do not write results JSON")
    parser.add_argument(
        "--readme",
        action="store_true",
        help="rewrite the README's Performance table from benchmarks/results/latest.json "
        "(after a run, or alone with --readme-only)",
    )
    parser.add_argument(
        "--readme-only", action="store_true", help="only rewrite the README table, do not run"
    )
    args = parser.parse_args(argv)
    if args.readme_only:
        write_readme(json.loads((RESULTS / "latest.json").read_text()))
        return 0
    sizes = [10**3, 10**4] if args.quick else [10**5, 10**6, 10**7]
    print(
        f"{'case':<28} {'draws':>12} {'library s':>10} {'numpy s':>10} {'ratio':>7} "
        f"{'pct s':>10} {'pct ratio':>9} {'lib MiB':>10} {'numpy MiB':>10}"
    )
    rows = [
        compare(
            "generic 10 in / 10 derived",
            n,
            library_generic(n),
            numpy_generic(n),
            percentile_generic(n),
        )
        for n in sizes
    ]
    rows += [
        compare(
            "default scenario",
            n,
            library_default(n),
            numpy_default(n),
            numpy_default(n, percentiles=True),
        )
        for n in sizes
    ]
    n = sizes[1]
    for method in ("lhs", "sobol"):
        sobol_n = 1 << (n - 1).bit_length() if method == "sobol" else n
        rows.append(
            compare(
                f"default {method} vs mc",
                sobol_n,
                library_default(sobol_n, method),
                library_default(sobol_n, "mc"),
            )
        )
    big, chunk = (3 * 10**5, 10**5) if args.quick else (10**8, 10**6)
    rows.append(
        compare(f"generic chunked ({chunk:.0e})", big, library_chunked(big, chunk), None, once=True)
    )
    peer = squigglepy_generic(n)
    if peer is None:
        print("squigglepy: skipped (not installed; pip install squigglepy to add the peer case)")
    else:
        rows.append(compare("generic vs squigglepy", n, library_generic(n), peer))
    rows.append(synthesis_row(10**4 if args.quick else 10**5))
    if args.quick:
        rows.append(cluster_speedup(4 * 10**5, 5 * 10**4, 1))
    else:
        rows.append(cluster_speedup(10**7, 10**6, 3))
    if not args.no_save:
        RESULTS.mkdir(exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        record = {"when": stamp, "machine": machine(), "rows": [asdict(r) for r in rows]}
        text = json.dumps(record, indent=2)
        (RESULTS / f"{stamp}.json").write_text(text)
        (RESULTS / "latest.json").write_text(text)
        if args.readme:
            write_readme(record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
