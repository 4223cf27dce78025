"""Are a synthesis's MCSEs honest? Reported MCSE against the spread of estimates over seeds.

For a three-source synthesis (the one ``tests/test_synthesis.py`` uses at 24 seeds x 1,000
draws), over ``--seeds`` seeds at ``--draws`` draws: the cumulative's median and 90% bounds at
an unobserved date and the median date it reaches 500,000. For each, the root mean square of
the MCSEs :func:`attritionsim.summarize` reports, over the sd of the estimates, with each
quantity's own ESS (its ``family`` coordinate) and with one ``ess`` for the whole synthesis
(the family dropped). The issue's bar: within 0.8-1.25.

    python benchmarks/synthesis_mcse.py --seeds 40 --draws 4000
"""

from __future__ import annotations

import argparse
import math

import numpy as np
import xarray as xr

import attritionsim as asim
from attritionsim.synthesis import path_crossing_date, synthesize

OBSERVATIONS = [
    ("2023-01-01", asim.approximately(120_000)),
    ("2024-01-01", asim.approximately(350_000)),
    ("2025-01-01", asim.approximately(800_000)),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=40)
    parser.add_argument("--draws", type=int, default=4_000)
    args = parser.parse_args(argv)
    keys = ("median", "5%", "95%", "crossing")
    est: dict[str, list[float]] = {k: [] for k in keys}
    own: dict[str, list[float]] = {k: [] for k in keys}
    one: dict[str, list[float]] = {k: [] for k in keys}
    for seed in range(args.seeds):
        syn = synthesize(OBSERVATIONS, dates=["2024-07-01"], draws=args.draws, seed=seed)
        ds = xr.Dataset(
            {
                "cum": syn["cumulative"].sel(date="2024-07-01"),
                "cross": path_crossing_date(syn["cumulative"], 500_000),
            },
            attrs=syn.attrs,
        )
        for errors, data in ((own, ds), (one, ds.drop_vars("family"))):
            q = asim.summarize(data)["quantities"]
            errors["median"].append(q["cum"]["mcse"]["median"])
            errors["5%"].append(q["cum"]["mcse"]["eti"][0])
            errors["95%"].append(q["cum"]["mcse"]["eti"][1])
            errors["crossing"].append(q["cross"]["mcse"]["median"])
        cum = ds["cum"].values
        days = ds["cross"].values.astype("datetime64[s]").astype(np.int64) / 86_400
        est["median"].append(float(np.median(cum)))
        est["5%"].append(float(np.quantile(cum, 0.05)))
        est["95%"].append(float(np.quantile(cum, 0.95)))
        est["crossing"].append(float(np.median(days)))
    print(f"{args.seeds} seeds x {args.draws:,} draws: reported MCSE / sd over seeds")
    print(f"{'quantity':10s} {'own ESS':>8s} {'one ess':>8s}")
    for key in keys:
        sd = float(np.std(est[key], ddof=1))
        ratio_own = math.sqrt(float(np.mean(np.square(own[key])))) / sd
        ratio_one = math.sqrt(float(np.mean(np.square(one[key])))) / sd
        print(f"{key:10s} {ratio_own:8.2f} {ratio_one:8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
