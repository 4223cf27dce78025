"""Coverage of the Sobol indices' MCSE: how often +-1.96 MCSE covers the true index.

Runs `attritionsim.sobol_indices` over many seeds on three models with known indices (Ishigami,
the Sobol G-function with a = 0, 1, 4.5, 9, 99, 99, 99, 99, and a linear model of normals) and
prints, per index, the share of seeds whose interval holds the truth::

    python benchmarks/sobol_calibration.py --draws 1000 --seeds 2000
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import numpy as np

import attritionsim as asim

PI = float(np.pi)
G_A = (0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0)


def uniform(low: float, high: float) -> asim.Distribution:
    return asim.from_range(low, high, level=1.0, family="uniform")


def ishigami(q: Any) -> Any:
    return np.sin(q["x1"]) + 7.0 * np.sin(q["x2"]) ** 2 + 0.1 * q["x3"] ** 4 * np.sin(q["x1"])


def g_function(q: Any) -> Any:
    out = 1.0
    for i, a in enumerate(G_A):
        out = out * (np.abs(4 * q[f"x{i}"] - 2) + a) / (1 + a)
    return out


def cases() -> dict[str, tuple[asim.Model, np.ndarray, np.ndarray]]:
    a, b = 7.0, 0.1
    variance = a**2 / 8 + b * PI**4 / 5 + b**2 * PI**8 / 18 + 0.5
    v1, v2, v13 = 0.5 * (1 + b * PI**4 / 5) ** 2, a**2 / 8, b**2 * PI**8 * (1 / 18 - 1 / 50)
    parts = np.array([1 / (3 * (1 + g) ** 2) for g in G_A])
    g_var = float(np.prod(1 + parts) - 1)
    g_total = np.array([parts[i] * np.prod(np.delete(1 + parts, i)) for i in range(8)]) / g_var
    normal = {"family": "normal"}
    return {
        "ishigami": (
            asim.Model({n: uniform(-PI, PI) for n in ("x1", "x2", "x3")}, {"y": ishigami}),
            np.array([v1, v2, 0.0]) / variance,
            np.array([v1 + v13, v2, v13]) / variance,
        ),
        "g-function": (
            asim.Model({f"x{i}": uniform(0, 1) for i in range(8)}, {"y": g_function}),
            parts / g_var,
            g_total,
        ),
        "linear": (
            asim.Model(
                {"a": asim.from_range(-1, 1, **normal), "b": asim.from_range(-3, 3, **normal)},
                {"y": "2 * a + b"},
            ),
            np.array([4, 9]) / 13,
            np.array([4, 9]) / 13,
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--seeds", type=int, default=400)
    args = parser.parse_args(argv)
    for name, (model, first, total) in cases().items():
        start = time.perf_counter()
        hits: dict[str, list[np.ndarray]] = {"first": [], "total": []}
        for seed in range(args.seeds):
            idx = asim.sobol_indices(model, "y", seed=seed, draws=args.draws)
            for kind, truth in (("first", first), ("total", total)):
                error = np.abs(idx[kind].values - truth)
                hits[kind].append(error <= 1.96 * idx[f"{kind}_mcse"].values)
        cover = {kind: np.round(np.mean(h, axis=0), 3) for kind, h in hits.items()}
        print(
            f"{name:<11} first {cover['first']}  total {cover['total']}  "
            f"({time.perf_counter() - start:.1f} s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
