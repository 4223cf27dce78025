"""Calibration and speed of the evidence synthesis (attritionsim.synthesis).

Calibration: ``--reps`` replications (default 200). Each draws a true trajectory from the
synthesis prior (:func:`attritionsim.synthesis.sample_prior`), states sources on it from the
model's error model (a lognormal reading with log-scale ``sigma`` around the truth, "off" with
the model's outlier probability and then read on the wide scale), synthesizes from them and
records, at held-out dates, whether the 50% and 90% central bands hold the truth and the truth's
rank among the draws (for a rank histogram: uniform when calibrated).

Speed: the whole Russian record (``load_catalogue().query(side="russia", measure=[casualties,
period_casualties, daily_rate, monthly_rate])``) at ``--draws`` (default 10^5), wall and CPU
time and peak resident memory, with what it says about the one-million date.

Writes ``benchmarks/results/synthesis_calibration.json``. ``--quick``: 20 replications and
10^4 draws for the speed case.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import resource
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

import attritionsim as asim
from attritionsim.distributions import LogNormal
from attritionsim.synthesis import (
    WIDE_FACTOR,
    WIDE_MIN,
    path_crossing_date,
    sample_prior,
    synthesize,
    tension,
)

RESULTS = Path(__file__).resolve().parent / "results" / "synthesis_calibration.json"
SOURCE_DATES = ["2023-03-01", "2023-07-01", "2023-12-01", "2024-04-01"]
HELD_OUT = ["2023-05-01", "2023-09-15", "2024-02-01", "2024-06-30"]
START = "2023-01-01"
SIGMA = 0.08
OUTLIER = 0.05


def calibration(reps: int, draws: int) -> dict[str, Any]:
    truth = sample_prior([*SOURCE_DATES, *HELD_OUT], draws=reps, seed=101, start=START)
    rng = np.random.default_rng(20251130)
    hits = {"0.5": 0, "0.9": 0}
    ranks: list[float] = []
    cases, warned = 0, 0
    started = time.perf_counter()
    for r in range(reps):
        path = truth["cumulative"].isel(draw=r)
        observations = []
        for day in SOURCE_DATES:
            off = rng.random() < OUTLIER
            scale = max(WIDE_FACTOR * SIGMA, WIDE_MIN) if off else SIGMA
            stated = float(path.sel(date=day)) * math.exp(scale * rng.standard_normal())
            observations.append((day, LogNormal(math.log(stated), SIGMA)))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            syn = synthesize(observations, dates=HELD_OUT, start=START, draws=draws, seed=r)
        warned += int(bool(caught))
        for day in HELD_OUT:
            values = syn["cumulative"].sel(date=day).values
            true = float(path.sel(date=day))
            for level in (0.5, 0.9):
                lo, hi = np.quantile(values, [(1 - level) / 2, (1 + level) / 2])
                hits[str(level)] += int(lo <= true <= hi)
            ranks.append(float(np.mean(values < true)))
            cases += 1
    histogram, _ = np.histogram(ranks, bins=10, range=(0.0, 1.0))
    return {
        "replications": reps,
        "draws": draws,
        "held_out_cases": cases,
        "coverage_50": hits["0.5"] / cases,
        "coverage_90": hits["0.9"] / cases,
        "binomial_sd_50": math.sqrt(0.25 / cases),
        "binomial_sd_90": math.sqrt(0.09 / cases),
        "rank_histogram_deciles": histogram.tolist(),
        "runs_with_warnings": warned,
        "seconds": time.perf_counter() - started,
        "design": {
            "source_dates": SOURCE_DATES,
            "held_out": HELD_OUT,
            "start": START,
            "sigma": SIGMA,
            "outlier": OUTLIER,
        },
    }


def russian_record(draws: int) -> dict[str, Any]:
    cat = asim.load_catalogue()
    records = list(
        cat.query(
            side="russia",
            measure=["casualties", "period_casualties", "daily_rate", "monthly_rate"],
        )
    )
    wall, cpu = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        syn = synthesize(
            records, draws=draws, seed=0, dates=["2025-06-12", "2025-06-30", "2025-08-31"]
        )
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    crossing = path_crossing_date(syn["cumulative"], 1_000_000).values.astype("datetime64[s]")
    crossed = crossing[~np.isnat(crossing)].astype(np.int64)
    q05, q50, q95 = (
        str(np.datetime64(int(v), "s").astype("datetime64[D]"))
        for v in np.quantile(crossed, [0.05, 0.5, 0.95])
    )
    p = tension(syn)
    return {
        "draws": draws,
        "sources": int(syn.sizes["source"]),
        "knots": int(syn.sizes["date"]),
        "wall_seconds": wall,
        "cpu_seconds": cpu,
        "peak_rss_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
        "ess": syn.attrs["ess"],
        "pareto_k": syn.attrs["pareto_k"],
        "tempering_steps": syn.attrs["tempering_steps"],
        "one_million": {
            "median": q50,
            "q05": q05,
            "q95": q95,
            "censored": int(np.isnat(crossing).sum()),
        },
        "p_crossed_by": {
            day: float((syn["cumulative"].sel(date=day) >= 1_000_000).mean())
            for day in ("2025-06-12", "2025-06-30", "2025-08-31")
        },
        "count_2025_06_12": np.quantile(
            syn["cumulative"].sel(date="2025-06-12").values, [0.05, 0.5, 0.95]
        ).tolist(),
        "lowest_tension": {str(k): float(v) for k, v in p.sortby(p)[:6].to_series().items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--draws", type=int, default=100_000, help="draws of the speed case")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()
    reps, draws = (20, 10_000) if args.quick else (args.reps, args.draws)
    out = {
        "machine": {"python": platform.python_version(), "processor": platform.processor()},
        "calibration": calibration(reps, 2_000),
        "russian_record": russian_record(draws),
    }
    print(json.dumps(out, indent=2))
    if not args.no_save:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
