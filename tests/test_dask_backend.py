"""The Dask backend gives the same bits as the in-memory engine."""

from __future__ import annotations

import time

import numpy as np
import pytest
import xarray as xr
from dask.blockwise import Blockwise

import attritionsim as asim
from attritionsim import InputError
from attritionsim._format import fmt_value
from attritionsim.dask_backend import MAX_CHUNKS, simulate_dask

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


def test_ten_billion_draws_build_lazily_in_a_few_layers() -> None:
    start = time.perf_counter()
    lazy = simulate_dask(MODEL, 10**10, seed=1)
    elapsed = time.perf_counter() - start
    data = lazy["ratio"].data
    assert data.npartitions == 10_000 and data.shape == (10**10,)
    # Two blockwise layers (the shared draws, then this quantity), whatever the chunk count:
    # no Python object per chunk is made until the graph is computed.
    layers = data.dask.layers
    assert len(layers) == 2
    assert all(isinstance(layer, Blockwise) for layer in layers.values())
    assert elapsed < 5.0  # a generous guard: it takes a fraction of a second


def test_one_chunk_of_a_huge_run_is_the_same_as_in_memory() -> None:
    lazy = simulate_dask(MODEL, 10**10, seed=3, chunk_size=100_000, keep=["ratio"])
    first = lazy["ratio"][:1_000].values
    eager = asim.simulate(MODEL, 1_000, seed=3, keep=["ratio"], method="mc")
    # mc draws depend only on (seed, name, index), not on the run's size
    assert first.tobytes() == eager["ratio"].values.tobytes()


@pytest.mark.parametrize("draws", [10**13, 2**63, 10**30])
def test_draws_beyond_the_ceiling_are_refused_at_once(draws: int) -> None:
    start = time.perf_counter()
    with pytest.raises(InputError) as err:
        simulate_dask(MODEL, draws, seed=1)
    assert str(err.value) == (
        f"draws must be at most 1e+12 (the ceiling of every backend); got {fmt_value(draws)}"
    )
    assert time.perf_counter() - start < 1.0


def test_too_many_chunks_are_refused() -> None:
    with pytest.raises(InputError) as err:
        simulate_dask(MODEL, 10**12, seed=1, chunk_size=1_000)
    assert str(err.value) == (
        "chunk_size=1,000 splits draws=1,000,000,000,000 into 1,000,000,000 chunks, more than "
        "simulate_dask's 1,000,000; use chunk_size >= 1,000,000"
    )
    assert MAX_CHUNKS == 1_000_000
