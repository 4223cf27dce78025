"""Backtest of the evidence synthesis against what was published later.

A reality check, not a target to tune. Two claim series are predicted, each value only from
records *published before it* (``published``; a record without one counts as published on its
``as_of`` date):

1. **Non-belligerent estimates.** Every cumulative Russian casualty estimate in the catalogue
   by a publisher that is not a party to the war (not :data:`BELLIGERENTS`: Ukraine's General
   Staff, president, intelligence and officials; Russia's ministry, president and officials),
   leaving out projections and a publisher's own headline restatement of a figure at the same
   date, in publication order. The synthesis is fed every Russian record of the four measures
   it reads (cumulative counts, period totals, daily and monthly rates), belligerents' included,
   published before the target.
2. **The General Staff's daily series** (``ua-general-staff-russia-personnel``), a belligerent's
   claim, on the first day of every quarter, from the non-belligerent records published before
   that day (no belligerent's record, so none of the General Staff's own).

For each target the synthesis's trajectory at the target's date, times the target's dependency
group multiplier when an input restates what it restates (``depends_on``, followed through the
catalogue: the synthesis would put the two in one dependency group), is passed
through the target's reading (:func:`attritionsim.synthesis.source_reading`), and
:func:`attritionsim.synthesis.predictive_cdf` gives the predictive percentile (PIT) of its
stated value. Under a calibrated synthesis the PITs are uniform: the 50% and 90% central
predictive intervals hold about 50% and 90% of them. The table shows the stated value, the
predicted one (the median of the truth as the target sees it: the count times its group's
multiplier), the synthesized count's median and 90% band at the target's date, and the PIT.

``python benchmarks/backtest.py`` prints the tables and writes
``benchmarks/results/backtest.json`` (``--draws``, default 20,000; ``--no-save``). With
``--workers N`` (a local Dask cluster of N processes) or ``--scheduler ADDRESS`` (a running one)
the syntheses, one per target, run as tasks on the cluster: the same rows, in the same order.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import json
import math
import platform
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from attritionsim.catalogue import Record, load_catalogue, load_series
from attritionsim.dask_backend import cluster
from attritionsim.distributions import Distribution
from attritionsim.errors import InputError
from attritionsim.synthesis import PARTY_TALLIES, predictive_cdf, source_reading, synthesize

RESULTS = Path(__file__).resolve().parent / "results" / "backtest.json"
#: The measures a synthesis reads.
MEASURES = ("casualties", "period_casualties", "daily_rate", "monthly_rate")
#: Publisher slugs of the war's parties (the synthesis reads their figures as tallies).
BELLIGERENTS = PARTY_TALLIES
SERIES = "ua-general-staff-russia-personnel"
#: Central predictive intervals whose coverage is reported.
LEVELS = (0.5, 0.9)


def slug(rec: Record) -> str:
    """The publisher slug: the id's first hyphen-separated word."""
    return rec.id.split("-", 1)[0]


def published(rec: Record) -> dt.date:
    """When a record became known: ``published``, else its ``as_of`` date."""
    return rec.published if rec.published is not None else rec.as_of


def is_projection(rec: Record) -> bool:
    """A forecast, not an estimate (the synthesis's own rule)."""
    return "projection" in rec.id or (rec.published is not None and rec.as_of > rec.published)


def records() -> list[Record]:
    """Every Russian record of the measures a synthesis reads."""
    return list(load_catalogue().query(side="russia", measure=list(MEASURES)))


def targets(pool: Sequence[Record]) -> list[Record]:
    """Non-belligerents' cumulative estimates, in publication order (module docstring)."""
    by_id = {rec.id: rec for rec in pool}

    def headline(rec: Record) -> bool:
        return any(
            dep in by_id and by_id[dep].as_of == rec.as_of and slug(by_id[dep]) == slug(rec)
            for dep in rec.depends_on
        )

    chosen = [
        rec
        for rec in pool
        if rec.measure == "casualties"
        and slug(rec) not in BELLIGERENTS
        and rec.evidence != "D"
        and not is_projection(rec)
        and not headline(rec)
    ]
    return sorted(chosen, key=lambda rec: (published(rec), rec.as_of, rec.id))


@dataclasses.dataclass(frozen=True)
class Target:
    """One value to predict: its label, date, reading and what it restates."""

    label: str
    as_of: dt.date
    published: dt.date
    reading: Distribution
    depends_on: tuple[str, ...]


def originals(ids: Sequence[str], pool: Sequence[Record]) -> set[str]:
    """Every record or series that ``ids`` restate, followed through ``depends_on`` links."""
    by_id = {rec.id: rec for rec in pool}
    seen: set[str] = set()
    todo = list(ids)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            if name in by_id:
                todo.extend(by_id[name].depends_on)
    return seen


def linked(
    target: Target, inputs: Sequence[Record], syn_sources: Sequence[str], pool: Sequence[Record]
) -> str | None:
    """An input that restates what the target restates (the target would join its group)."""
    links = originals(target.depends_on, pool)
    for rec in inputs:
        if rec.id in syn_sources and links & originals([rec.id], pool):
            return rec.id
    return None


def predict(
    target: Target, inputs: Sequence[Record], pool: Sequence[Record], draws: int, seed: int
) -> dict[str, Any]:
    """One synthesis from ``inputs`` and the predictive percentile of ``target``'s value."""
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        syn = synthesize(inputs, dates=[target.as_of], draws=draws, seed=seed)
    truth = syn["cumulative"].sel(date=np.datetime64(target.as_of, "ns")).values
    sources = [str(s) for s in syn["source"].values]
    partner = linked(target, inputs, sources, pool)
    groups = json.loads(syn.attrs["readings"])
    seen = truth
    if partner is not None and groups[partner]["group"] >= 0:
        # The partner's group error, carried along its drift to the target's date.
        years = (target.as_of - dt.date.fromisoformat(groups[partner]["end"])).days / 365.25
        drift = syn["drift"].sel(source=partner).values
        seen = truth * syn["multiplier"].sel(source=partner).values * np.exp(drift * years)
    pit = predictive_cdf(target.reading, seen)
    stated = float(target.reading.median())
    low, mid, high = np.quantile(truth, [0.05, 0.5, 0.95])
    return {
        "target": target.label,
        "as_of": target.as_of.isoformat(),
        "published": target.published.isoformat(),
        "stated": stated,
        "inputs": len(sources),
        "shares_error_with": partner,
        "synthesized_median": float(mid),
        "synthesized_90": [float(low), float(high)],
        "predicted_median": float(np.median(seen)),
        "pit": pit,
        "ess": float(syn.attrs["ess"]),
        "pareto_k": float(syn.attrs["pareto_k"]),
        "warnings": sorted({type(w.message).__name__ for w in caught}),
        "seconds": time.perf_counter() - started,
    }


def coverage(pits: Sequence[float]) -> dict[str, Any]:
    """Coverage of the central predictive intervals and a ten-bin PIT histogram."""
    values = np.asarray(pits, dtype=float)
    n = values.size
    out: dict[str, Any] = {"n": n}
    for level in LEVELS:
        lo, hi = (1 - level) / 2, (1 + level) / 2
        hits = int(((values >= lo) & (values <= hi)).sum())
        out[f"coverage_{int(level * 100)}"] = hits / n if n else math.nan
        out[f"binomial_sd_{int(level * 100)}"] = math.sqrt(level * (1 - level) / n) if n else None
    out["below_5"] = int((values < 0.05).sum())
    out["above_95"] = int((values > 0.95).sum())
    out["pit_histogram"] = np.histogram(values, bins=10, range=(0.0, 1.0))[0].tolist()
    return out


Job = tuple[Target, list[Record], int]


def predictions(
    jobs: Sequence[Job], pool: Sequence[Record], draws: int, client: Any = None
) -> list[dict[str, Any]]:
    """``predict`` each ``(target, inputs, seed)``, in order: here, or spread over ``client``.

    On a Dask cluster each synthesis is one task; a synthesis depends only on its inputs and
    seed, so the rows are the serial ones (but for their ``seconds``), in the same order.
    """
    if client is None:
        rows = []
        for target, inputs, seed in jobs:
            rows.append(predict(target, inputs, pool, draws, seed))
            print(line(rows[-1]), file=sys.stderr)
        return rows
    module = sys.modules[__name__]
    if __name__ != "__main__":  # imported (a test): its functions travel by value
        import cloudpickle

        cloudpickle.register_pickle_by_value(module)
    [shared] = client.scatter([list(pool)], broadcast=True, hash=False)
    futures = [
        client.submit(predict, target, inputs, shared, draws, seed, pure=False)
        for target, inputs, seed in jobs
    ]
    rows = client.gather(futures)
    for row in rows:
        print(line(row), file=sys.stderr)
    return list(rows)


def estimate_backtest(
    pool: Sequence[Record], draws: int, client: Any = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """One row per non-belligerent estimate (the first ``limit`` of them), in order."""
    rows: list[dict[str, Any] | None] = []
    jobs: list[Job] = []
    for k, rec in enumerate(targets(pool)[:limit]):
        before = [r for r in pool if published(r) < published(rec) and r.id != rec.id]
        target = Target(rec.id, rec.as_of, published(rec), source_reading(rec), rec.depends_on)
        if not before:
            rows.append({"target": rec.id, "skipped": "nothing was published before it"})
            continue
        rows.append(None)
        jobs.append((target, before, k))
    done = iter(predictions(jobs, pool, draws, client))
    return [row if row is not None else next(done) for row in rows]


def series_dates(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first day of every calendar quarter after ``first``, up to ``last``."""
    out: list[dt.date] = []
    year, month = first.year, 3 * ((first.month - 1) // 3) + 1
    while True:
        month += 3
        if month > 12:
            year, month = year + 1, month - 12
        day = dt.date(year, month, 1)
        if day > last:
            return out
        out.append(day)


def series_backtest(
    pool: Sequence[Record], draws: int, client: Any = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """One row per quarter of the General Staff's series (the first ``limit`` of them)."""
    series = load_series(SERIES)
    neutral = [r for r in pool if slug(r) not in BELLIGERENTS and r.evidence != "D"]
    first = min(published(r) for r in neutral)
    last = series["date"].values.max().astype("datetime64[D]").item()
    jobs: list[Job] = []
    for k, day in enumerate(series_dates(first, last)[:limit]):
        before = [r for r in neutral if published(r) < day]
        stamp = np.datetime64(day, "ns")
        if not before or stamp not in series["date"].values:
            continue
        value = float(series.sel(date=stamp))
        target = Target(
            f"{SERIES} {day.isoformat()}",
            day,
            day,
            source_reading((day.isoformat(), value)),
            (SERIES,),
        )
        jobs.append((target, before, 1000 + k))
    return predictions(jobs, pool, draws, client)


def line(row: dict[str, Any]) -> str:
    if "skipped" in row:
        return f"{row['target']:<46} skipped: {row['skipped']}"
    low, high = row["synthesized_90"]
    return (
        f"{row['target']:<46} {row['published']:>10} {row['stated']:>11,.0f} "
        f"{row['predicted_median']:>11,.0f} {row['synthesized_median']:>11,.0f} "
        f"{low:>11,.0f}–{high:<11,.0f} {row['pit']:6.3f}"
    )


def table(title: str, rows: Sequence[dict[str, Any]], summary: dict[str, Any]) -> str:
    head = (
        f"{'target':<46} {'published':>10} {'stated':>11} {'predicted':>11} {'count':>11} "
        f"{'90% band of the count':>23} {'PIT':>6}"
    )
    out = [title, head, "-" * len(head), *(line(row) for row in rows)]
    out.append(
        f"n = {summary['n']}: 50% interval covers {summary['coverage_50']:.0%}, "
        f"90% covers {summary['coverage_90']:.0%}; PIT < 0.05: {summary['below_5']}, "
        f"> 0.95: {summary['above_95']}; PIT deciles {summary['pit_histogram']}"
    )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=20_000, help="draws per synthesis")
    parser.add_argument("--no-save", action="store_true", help="do not write the JSON")
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--workers", type=int, default=None, help="spread the syntheses over N local processes"
    )
    where.add_argument(
        "--scheduler", default=None, help="spread them over the Dask cluster at this address"
    )
    args = parser.parse_args(argv)
    pool = records()
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        client = None
        if args.workers is not None or args.scheduler is not None:
            try:
                client = stack.enter_context(cluster(args.scheduler, workers=args.workers))
            except InputError as err:
                parser.error(f"--{err}")
        estimates = estimate_backtest(pool, args.draws, client)
        series = series_backtest(pool, args.draws, client)
    scored = [row for row in estimates if "pit" in row]
    result = {
        "machine": {"python": platform.python_version()},
        "draws": args.draws,
        "belligerents": sorted(BELLIGERENTS),
        "estimates": {"summary": coverage([r["pit"] for r in scored]), "rows": estimates},
        "general_staff_series": {
            "summary": coverage([r["pit"] for r in series]),
            "rows": series,
        },
        "seconds": time.perf_counter() - started,
    }
    print(
        table(
            "Non-belligerent estimates, each from what was published before it",
            estimates,
            result["estimates"]["summary"],
        )
    )
    print()
    print(
        table(
            "General Staff daily series, from non-belligerent records published before each date",
            series,
            result["general_staff_series"]["summary"],
        )
    )
    print(f"\n{result['seconds']:.0f} s")
    if not args.no_save:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
