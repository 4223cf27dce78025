"""The benchmark entry point runs (a smoke run at small sizes) and prints its table."""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

RUN = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"
CASES = (
    "generic 10 in / 10 derived",
    "default scenario",
    "default lhs vs mc",
    "default sobol vs mc",
    "generic chunked",
)
#: The cases also timed against the percentile-only numpy version ("pct" columns).
PERCENTILE_CASES = ("generic 10 in / 10 derived", "default scenario")


def test_quick_run_prints_every_case() -> None:
    done = subprocess.run(
        [sys.executable, str(RUN), "--quick", "--no-save"],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    lines = done.stdout.splitlines()
    assert lines[0].split() == [
        "case", "draws", "library", "s", "numpy", "s", "ratio", "pct", "s", "pct", "ratio",
        "lib", "MiB", "numpy", "MiB",
    ]  # fmt: skip
    for case in CASES:
        rows = [line for line in lines if line.startswith(case)]
        assert rows, case
        for row in rows:
            ratio, pct_s, pct_ratio = (float(v) for v in row[28:].split()[3:6])
            assert math.isnan(ratio) if case == "generic chunked" else ratio > 0.0, row
            if case in PERCENTILE_CASES:  # timed against the percentile-only numpy version
                assert pct_s > 0.0 and pct_ratio > 0.0, row
            else:
                assert math.isnan(pct_s) and math.isnan(pct_ratio), row
    assert any(line.startswith(("generic vs squigglepy", "squigglepy: skipped")) for line in lines)
    # the cluster section: 1 worker's time, 2 workers', and the speed-up between them
    [row] = [line for line in lines if line.startswith("cluster 2 vs 1 worker")]
    draws, single, double, speedup = row[28:].split()
    assert draws == "400,000"
    assert float(speedup) == pytest.approx(float(single) / float(double), abs=0.01)


def _backtest() -> ModuleType:
    """benchmarks/backtest.py, imported as a module (it is a script, not a package)."""
    path = RUN.parent / "backtest.py"
    spec = importlib.util.spec_from_file_location("backtest", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["backtest"] = module  # dataclasses look their module up while being made
    spec.loader.exec_module(module)
    return module


def test_backtest_on_a_cluster_gives_the_serial_rows() -> None:
    from attritionsim.dask_backend import cluster

    backtest = _backtest()
    pool = backtest.records()

    def rows(client: object) -> list[dict[str, object]]:
        found = backtest.estimate_backtest(pool, 2_000, client, limit=4)
        found += backtest.series_backtest(pool, 2_000, client, limit=2)
        return [{k: v for k, v in row.items() if k != "seconds"} for row in found]

    serial = rows(None)
    with cluster(workers=2) as client:
        spread = rows(client)
    assert spread == serial
    assert [row["target"] for row in serial[:4]] == [rec.id for rec in backtest.targets(pool)[:4]]
    assert sum("pit" in row for row in serial) == 6  # every one of them has inputs


def test_readme_performance_table_is_generated_from_latest_json(tmp_path: Path) -> None:
    """The README's table is what ``run.py --readme`` writes from the latest results."""
    spec = importlib.util.spec_from_file_location("bench_run_readme", RUN)
    assert spec is not None and spec.loader is not None
    run = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = run  # its dataclasses look their module up
    spec.loader.exec_module(run)
    record = json.loads((RUN.parent / "results" / "latest.json").read_text(encoding="utf-8"))
    readme = (RUN.parents[1] / "README.md").read_text(encoding="utf-8")
    table = run.readme_table(record)
    assert table in readme
    assert table.count("\n| ") == len(record["rows"]) + 1  # a header, then one line per row
    copy = tmp_path / "README.md"
    copy.write_text(readme.replace(table, run.BEGIN + "\n" + run.END), encoding="utf-8")
    run.write_readme(record, copy)
    assert copy.read_text(encoding="utf-8") == readme
