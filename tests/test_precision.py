"""Automatic precision: doubling draws until the cited digits are stable."""

from __future__ import annotations

import math

import pytest
import xarray as xr

import attritionsim as asim
from attritionsim import InputError
from attritionsim.precision import FRACTION_OF_UNIT, simulate_to_precision, unstable

MODEL = asim.Model(
    {"ru": asim.from_range(1.1e6, 1.3e6), "ua": asim.from_range(4e5, 6e5)},
    {"ratio": "ru / ua", "in_band": "prob_between(ratio, 2, 2.5)"},
)


def test_stops_at_the_first_stable_doubling() -> None:
    rounds: list[tuple[int, dict[str, str]]] = []
    ds = simulate_to_precision(
        MODEL, seed=3, digits=3, start=4096, on_round=lambda n, left: rounds.append((n, left))
    )
    draws = ds.attrs["draws"]
    assert ds.attrs["precision_stable"] == 1
    assert [n for n, _ in rounds] == [4096 * 2**k for k in range(len(rounds))]
    assert rounds[-1] == (draws, {})
    assert all(left for _, left in rounds[:-1])  # every earlier round had something unstable
    # The result is exactly the plain run at that size.
    xr.testing.assert_identical(
        ds.drop_attrs(deep=False), asim.simulate(MODEL, draws, seed=3).drop_attrs(deep=False)
    )
    # And its figures meet the target: MCSE within a quarter of the third significant digit.
    entry = asim.summarize(ds)["quantities"]["ratio"]
    for value, error in zip(
        [entry["median"], *entry["eti"]],
        [entry["mcse"]["median"], *entry["mcse"]["eti"]],
        strict=True,
    ):
        unit = 10.0 ** (math.floor(math.log10(value)) - 2)
        assert error <= FRACTION_OF_UNIT * unit


def test_reports_when_the_budget_runs_out() -> None:
    ds = simulate_to_precision(MODEL, seed=1, digits=4, start=1024, max_draws=2048)
    assert ds.attrs["draws"] == 2048
    assert ds.attrs["precision_stable"] == 0
    assert "ratio" in ds.attrs["precision_unstable"].split(", ")


def test_unstable_reads_numbers_dates_and_probabilities() -> None:
    summary = {
        "quantities": {
            "count": {
                "median": 1_234_000.0,
                "eti": [1_100_000.0, 1_300_000.0],
                "mcse": {"median": 2_000.0, "eti": [2_400.0, 30_000.0]},  # 2 digits: limit 25,000
            },
            "date": {
                "median": "2025-07-21",
                "eti": ["2025-06-01", "2025-09-01"],
                "mcse": {"median": 0.5, "eti": [0.9, 1.5]},
            },
            "share": {"units": "", "probability": 0.64, "mcse": 0.002},
            "rare": {"units": "", "probability": 0.5, "mcse": 0.01},
        }
    }
    assert sorted(unstable(summary, digits=2)) == ["count", "date", "rare"]
    # One digit: counts to the nearest million, shares to the nearest 10 points.
    assert sorted(unstable(summary, digits=1)) == ["date"]
    assert unstable(summary, digits=1, day=2.0) == {}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"digits": 0}, "digits"),
        ({"start": 0}, "start"),
        ({"start": 4096, "max_draws": 1024}, "max_draws"),
    ],
)
def test_bad_arguments(kwargs: dict[str, int], match: str) -> None:
    with pytest.raises(InputError, match=match):
        simulate_to_precision(MODEL, seed=1, **kwargs)  # type: ignore[arg-type]
