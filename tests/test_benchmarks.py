"""The benchmark entry point runs (a smoke run at small sizes) and prints its table."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

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
        timeout=120,
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
