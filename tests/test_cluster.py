"""The Dask backend gives the same bits as the in-memory engine."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import attritionsim as asim
from attritionsim import InputError
from attritionsim.cluster import simulate_dask

MODEL = asim.Model(
    {
        "ru": asim.from_range(1.1e6, 1.3e6),
        "ua": asim.from_range(5e5, 6e5),
        "rate": asim.from_range(800.0, 1200.0),
        "start": "2025-06-01",
    },
    {
        "ratio": "ru / ua",
        "in_band": "prob_between(ratio, 2, 2.5)",
        "when": "crossing_date(ua, rate, 1_000_000, start)",
        "gap": lambda q: q["ru"] - q["ua"],
    },
    correlations={("ru", "ua"): 0.3},
)


@pytest.mark.parametrize(("method", "draws"), [("mc", 10_007), ("lhs", 5_000), ("sobol", 4096)])
@pytest.mark.parametrize("chunk", [1_000, 3_333])
def test_compute_is_bit_identical_to_simulate(method: str, draws: int, chunk: int) -> None:
    lazy = simulate_dask(MODEL, draws, seed=5, method=method, chunk_size=chunk)  # type: ignore[arg-type]
    assert lazy["ratio"].chunks is not None
    assert lazy["ratio"].chunks[0][0] == min(chunk, draws)
    eager = asim.simulate(MODEL, draws, seed=5, method=method)  # type: ignore[arg-type]
    computed = lazy.compute()
    xr.testing.assert_identical(computed, eager)
    for name in eager.data_vars:
        assert computed[name].values.tobytes() == eager[name].values.tobytes()


def test_process_workers_give_the_same_bits() -> None:
    lazy = simulate_dask(MODEL, 6_000, seed=2, chunk_size=1_500, keep=["ratio", "when"])
    on_processes = lazy.compute(scheduler="processes", num_workers=2)
    xr.testing.assert_identical(
        on_processes, asim.simulate(MODEL, 6_000, seed=2, keep=["ratio", "when"])
    )


def test_constants_stay_eager_and_summaries_work_on_lazy_results() -> None:
    lazy = simulate_dask(MODEL, 4_000, seed=1, chunk_size=1_000)
    assert not hasattr(lazy["start"].data, "dask")
    assert lazy["start"].values == np.datetime64("2025-06-01")
    assert asim.summarize(lazy) == asim.summarize(asim.simulate(MODEL, 4_000, seed=1))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"draws": 0}, "draws"), ({"chunk_size": 0}, "chunk_size"), ({"method": "x"}, "method")],
)
def test_bad_arguments(kwargs: dict[str, object], match: str) -> None:
    args: dict[str, object] = {"draws": 100, "seed": 1, **kwargs}
    with pytest.raises(InputError, match=match):
        simulate_dask(MODEL, **args)  # type: ignore[arg-type]
