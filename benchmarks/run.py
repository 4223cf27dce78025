"""Benchmarks: attritionsim against a plain hand-written numpy version of the same work.

Run ``python benchmarks/run.py`` (``--quick`` for a smoke run). Each case times the library and
a numpy baseline that draws the same inputs with a :class:`numpy.random.Generator`, computes the
same derived quantities and the same summaries (median, mean, equal-tailed and HDI bounds), in
one process, as the median of repeats; it prints the ratio and the peak memory of each (traced
by :mod:`tracemalloc`, which sees numpy's allocations), and writes the table as JSON to
``benchmarks/results/``.
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
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

import attritionsim as asim
from attritionsim import summary

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
    library_peak_mib: float
    numpy_peak_mib: float


# ------------------------------------------------------------------------------ the generic model
N_INPUTS = 10
OPS = ["+", "*", "/", "-", "+", "*", "/", "-", "+", "*"]


def generic_model() -> asim.Model:
    """Ten lognormal inputs, ten arithmetic derived quantities (the engine issue's case)."""
    inputs = {f"x{i}": asim.from_range(1.0 + i, 2.0 + 1.5 * i) for i in range(N_INPUTS)}
    derived = {
        f"d{i}": f"x{i} {OPS[i]} x{(i + 1) % N_INPUTS}" for i in range(N_INPUTS)
    }
    return asim.Model(inputs, derived)


def library_generic(draws: int) -> Callable[[], Any]:
    model = generic_model()

    def run() -> Any:
        ds = asim.simulate(model, draws, seed=1)
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


# ------------------------------------------------------------------------------ timing
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


def compare(case: str, draws: int, lib: Callable[[], Any], base: Callable[[], Any]) -> Row:
    repeats = 5 if draws <= 10**5 else 3
    lib(), base()  # warm up imports and caches
    lib_s, base_s = timed(lib, repeats), timed(base, repeats)
    row = Row(case, draws, lib_s, base_s, lib_s / base_s, peak_mib(lib), peak_mib(base))
    print(
        f"{row.case:<28} {row.draws:>12,} {row.library_s:>10.3f} {row.numpy_s:>10.3f} "
        f"{row.ratio:>7.2f} {row.library_peak_mib:>10.0f} {row.numpy_peak_mib:>10.0f}",
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    parser.add_argument("--no-save", action="store_true", help="do not write results JSON")
    args = parser.parse_args(argv)
    sizes = [10**3, 10**4] if args.quick else [10**5, 10**6, 10**7]
    print(
        f"{'case':<28} {'draws':>12} {'library s':>10} {'numpy s':>10} {'ratio':>7} "
        f"{'lib MiB':>10} {'numpy MiB':>10}"
    )
    rows = [
        compare("generic 10 in / 10 derived", n, library_generic(n), numpy_generic(n))
        for n in sizes
    ]
    if not args.no_save:
        RESULTS.mkdir(exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        record = {"when": stamp, "machine": machine(), "rows": [asdict(r) for r in rows]}
        text = json.dumps(record, indent=2)
        (RESULTS / f"{stamp}.json").write_text(text)
        (RESULTS / "latest.json").write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
