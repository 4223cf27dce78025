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


def test_quick_run_prints_every_case() -> None:
    done = subprocess.run(
        [sys.executable, str(RUN), "--quick", "--no-save"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    lines = done.stdout.splitlines()
    assert lines[0].split()[:2] == ["case", "draws"]
    for case in CASES:
        rows = [line for line in lines if line.startswith(case)]
        assert rows, case
        for row in rows:
            ratio = float(row[28:].split()[3])
            assert math.isnan(ratio) if case == "generic chunked" else ratio > 0.0, row
    assert any(line.startswith(("generic vs squigglepy", "squigglepy: skipped")) for line in lines)
