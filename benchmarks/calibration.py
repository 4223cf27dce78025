"""Calibration of the HDI bounds' MCSE above the thinning size: reported / empirical spread.

For each family and number of draws, ``seeds`` independent samples are drawn; the HDI bounds
(``level = 0.9``) and their MCSE (:func:`attritionsim._orderstats.mcse_hdi`) are computed on
each. The table prints, per bound, the mean reported MCSE over the standard deviation of the
bound across seeds (1 is exact; with 150 seeds that standard deviation is itself uncertain by
about 6%), and the time per quantity.

Usage::

    PYTHONPATH=src python benchmarks/calibration.py [--draws 100000 1000000] [--seeds 150]
        [--thin 16384]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import stats

from attritionsim import _orderstats

FAMILIES = {
    "exponential": stats.expon(),
    "gamma(2)": stats.gamma(2.0),
    "lognormal(0.5)": stats.lognorm(0.5),
    "normal": stats.norm(),
}


def measure(
    n: int, seeds: int, thin: int, level: float = 0.9
) -> list[tuple[str, float, float, float]]:
    """``(family, low ratio, high ratio, ms per quantity)`` for ``n`` draws."""
    rows = []
    for name, dist in FAMILIES.items():
        bounds, errors, elapsed = [], [], 0.0
        for seed in range(seeds):
            xs = np.sort(dist.rvs(size=n, random_state=np.random.default_rng(1000 + seed)))
            low, high, _ = _orderstats.hdi(xs, _orderstats.window(n, level))
            began = time.perf_counter()
            errors.append(_orderstats.mcse_hdi(xs, level, thin_to=thin))
            elapsed += time.perf_counter() - began
            bounds.append((low, high))
        spread = np.std(np.array(bounds), axis=0, ddof=1)
        ratio = np.mean(np.array(errors), axis=0) / spread
        rows.append((name, float(ratio[0]), float(ratio[1]), 1000.0 * elapsed / seeds))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--seeds", type=int, default=150)
    parser.add_argument("--thin", type=int, default=_orderstats.THIN_TO)
    args = parser.parse_args()
    print(f"seeds={args.seeds} thin_to={args.thin} level=0.9: reported MCSE / spread over seeds")
    print(f"{'draws':>9}  {'family':<15} {'low':>6} {'high':>6} {'ms/qty':>7}")
    for n in args.draws:
        for name, low, high, ms in measure(n, args.seeds, args.thin):
            print(f"{n:>9,}  {name:<15} {low:6.2f} {high:6.2f} {ms:7.0f}", flush=True)


if __name__ == "__main__":
    main()
