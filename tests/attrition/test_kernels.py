"""attrition._kernels: numpy arrays in, numpy arrays out, exact values, no xarray."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

import attritionsim.attrition as att
from attritionsim.attrition import _kernels
from attritionsim.errors import InputError


def test_kernels_import_no_xarray() -> None:
    tree = ast.parse(Path(_kernels.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 0
    }
    assert "xarray" not in imported
    assert "numpy" in imported


def test_split_kernel_on_plain_arrays() -> None:
    casualties = np.array([400.0, 100.0, 100.0])
    killed = np.array([100.0, 120.0, 0.0])
    share, wounded, per_killed, broken = _kernels.split(casualties, killed, 0.0)
    for out in (share, wounded, per_killed, broken):
        assert type(out) is np.ndarray
    np.testing.assert_array_equal(share, [0.25, np.nan, 0.0])
    np.testing.assert_array_equal(wounded, [300.0, np.nan, 100.0])
    np.testing.assert_array_equal(per_killed, [3.0, np.nan, np.inf])
    np.testing.assert_array_equal(broken, [False, True, False])
    with pytest.raises(InputError, match=r"split: 1 of 3 draws \(33.3%\).*first at draw 1"):
        _kernels.split(casualties, killed, 0.0, strict=True)


def test_accounting_tolerance_is_public_and_used() -> None:
    assert att.ACCOUNTING_RTOL == 1e-12
    assert att.split.__module__ == "attritionsim.attrition.split"
    casualties = np.array([1e6, 1e6])
    killed = casualties * (1.0 + np.array([0.5, 2.0]) * att.ACCOUNTING_RTOL)
    np.testing.assert_array_equal(_kernels.accounting(casualties, killed, 0.0), [True, False])


def test_nan_unless_writes_a_fresh_broadcast_result() -> None:
    values = np.array([1.0, 2.0, 3.0])
    out = _kernels.nan_unless(np.array([True, False, True]), values)
    np.testing.assert_array_equal(out, [1.0, np.nan, 3.0])
    scalar = _kernels.nan_unless(np.array([True, False]), 5.0)
    np.testing.assert_array_equal(scalar, [5.0, np.nan])


def test_date_kernels_work_in_seconds() -> None:
    start = np.array(["2025-06-01"], dtype="datetime64[s]")
    got = _kernels.crossing(np.array([950_000.0]), np.array([1_000.0]), 1e6, start)
    np.testing.assert_array_equal(got, np.array(["2025-07-21"], dtype="datetime64[s]"))
    day = np.datetime64("2025-07-21", "s")
    np.testing.assert_array_equal(_kernels.crossed_by(got, day), [True])
    rate = _kernels.implied_rate(0.0, start, 50.0, np.datetime64("2025-06-01T12:00", "s"))
    np.testing.assert_array_equal(rate, [100.0])


def test_trajectory_and_first_crossing_kernels() -> None:
    counts = np.array([[0.0, 10.0]])
    values = _kernels.trajectory(
        counts, np.array([1.0]), np.array([0.0, 10.0]), np.array([-2.0, 5.0, 12.0])
    )
    np.testing.assert_array_equal(values, [[-2.0, 5.0, 12.0]])
    times = np.array([0.0, 86_400.0])
    first = _kernels.first_crossing(np.array([[0.0, 10.0], [5.0, 6.0]]), 2.5, times)
    np.testing.assert_array_equal(
        first, np.array(["1970-01-01T06:00:00", "NaT"], dtype="datetime64[s]")
    )


def test_walk_is_zero_at_the_anchor_and_reproducible() -> None:
    offsets = np.array([-2.0, 0.0, 3.0])
    one = _kernels.walk(np.random.default_rng(1), 4, offsets, 10.0)
    two = _kernels.walk(np.random.default_rng(1), 4, offsets, 10.0)
    assert one.shape == (4, 3)
    np.testing.assert_array_equal(one[:, 1], 0.0)
    np.testing.assert_array_equal(one, two)
