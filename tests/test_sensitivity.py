"""Sobol indices against closed forms."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import attritionsim as asim
from attritionsim import InputError
from attritionsim.sensitivity import sobol_indices

PI = float(np.pi)


def uniform(low: float, high: float) -> asim.Distribution:
    return asim.from_range(low, high, level=1.0, family="uniform")


def ishigami(q: Any) -> Any:
    a, b = 7.0, 0.1
    return np.sin(q["x1"]) + a * np.sin(q["x2"]) ** 2 + b * q["x3"] ** 4 * np.sin(q["x1"])


def test_ishigami_closed_form() -> None:
    # Ishigami & Homma (1990), a = 7, b = 0.1, inputs uniform on (-pi, pi).
    a, b = 7.0, 0.1
    variance = a**2 / 8 + b * PI**4 / 5 + b**2 * PI**8 / 18 + 0.5
    v1 = 0.5 * (1 + b * PI**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * PI**8 * (1 / 18 - 1 / 50)
    expected_first = [v1 / variance, v2 / variance, 0.0]
    expected_total = [(v1 + v13) / variance, v2 / variance, v13 / variance]
    model = asim.Model({name: uniform(-PI, PI) for name in ("x1", "x2", "x3")}, {"y": ishigami})
    idx = sobol_indices(model, "y", seed=11, draws=2**15)
    assert list(idx["input"].values) == ["x1", "x2", "x3"]
    for got, se, want in zip(
        idx["first"].values, idx["first_mcse"].values, expected_first, strict=True
    ):
        assert abs(got - want) < 4 * se + 1e-3
    for got, se, want in zip(
        idx["total"].values, idx["total_mcse"].values, expected_total, strict=True
    ):
        assert abs(got - want) < 4 * se + 1e-3


def test_linear_model_of_normals() -> None:
    model = asim.Model(
        {
            "a": asim.from_range(-1.0, 1.0, family="normal"),
            "b": asim.from_range(-3.0, 3.0, family="normal"),
        },
        {"y": "2 * a + b"},
    )
    idx = sobol_indices(model, "y", seed=2, draws=20_000)
    # Var(2a) : Var(b) = 4 : 9; additive, so first == total.
    want = np.array([4 / 13, 9 / 13])
    assert np.abs(idx["first"].values - want).max() < 4 * idx["first_mcse"].values.max()
    assert np.abs(idx["total"].values - want).max() < 4 * idx["total_mcse"].values.max()


def test_reproducible_and_reads_only_what_the_target_needs() -> None:
    model = asim.Model(
        {"a": uniform(0, 1), "b": uniform(0, 2), "c": uniform(0, 3)}, {"y": "a * b", "z": "c"}
    )
    one = sobol_indices(model, "y", seed=5, draws=1000)
    two = sobol_indices(model, "y", seed=5, draws=1000)
    assert list(one["input"].values) == ["a", "b"]
    assert one.identical(two)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"target": "nope"}, "target"),
        ({"target": "y", "inputs": ["zz"]}, "inputs"),
        ({"target": "y", "draws": 0}, "draws"),
        ({"target": "k"}, "no sampled input"),
    ],
)
def test_bad_input(kwargs: dict[str, Any], match: str) -> None:
    model = asim.Model(
        {"a": uniform(0, 1), "b": uniform(0, 2), "c": 3.0}, {"y": "a + b", "k": "c * 2"}
    )
    with pytest.raises(InputError, match=match):
        sobol_indices(model, seed=1, **kwargs)


def test_correlated_inputs_are_one_factor() -> None:
    model = asim.Model(
        {"a": uniform(0, 1), "b": uniform(0, 2), "c": uniform(0, 3)},
        {"y": "a + b + c"},
        correlations={("a", "b"): 0.5},
    )
    idx = sobol_indices(model, "y", seed=4, draws=2**15)
    assert list(idx["input"].values) == ["a+b", "c"]
    # Additive in two independent factors: first == total, and they share the variance.
    y = asim.simulate(model, 400_000, seed=9)["y"].values
    share_c = 0.75 / float(np.var(y))  # Var(c) = 3**2 / 12
    for kind in ("first", "total"):
        got = idx[kind].values
        se = idx[f"{kind}_mcse"].values
        assert abs(got[1] - share_c) < 4 * se[1] + 0.01
        assert abs(got[0] - (1 - share_c)) < 4 * se[0] + 0.01
