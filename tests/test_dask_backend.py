"""The Dask backend gives the same bits as the in-memory engine."""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import xarray as xr
from dask.blockwise import Blockwise

import attritionsim as asim
from attritionsim import InputError
from attritionsim._format import fmt_value
from attritionsim.dask_backend import MAX_CHUNKS, cluster, simulate_dask, simulate_on

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


# ------------------------------------------------------------------ a real dask.distributed cluster
@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """Two worker processes of one thread each, no dashboard, quiet logs (started once)."""
    with cluster(workers=2) as started:
        yield started


def test_the_fixture_is_a_two_process_cluster(client: Any) -> None:
    workers = client.scheduler_info()["workers"]
    assert len(workers) == 2
    assert all(info["nthreads"] == 1 for info in workers.values())
    pids = set(client.run(os.getpid).values())
    assert len(pids) == 2 and os.getpid() not in pids


@pytest.mark.parametrize(("method", "draws"), [("mc", 10_007), ("lhs", 5_000), ("sobol", 4096)])
def test_compute_on_a_cluster_is_bit_identical_to_simulate(
    client: Any, method: str, draws: int
) -> None:
    lazy = simulate_dask(MODEL, draws, seed=5, method=method, chunk_size=1_500)  # type: ignore[arg-type]
    computed = lazy.compute(scheduler=client)
    eager = asim.simulate(MODEL, draws, seed=5, method=method)  # type: ignore[arg-type]
    xr.testing.assert_identical(computed, eager)
    for name in eager.data_vars:
        assert computed[name].values.tobytes() == eager[name].values.tobytes()


def test_simulate_on_gathers_the_same_bits_and_reports_progress(client: Any) -> None:
    calls: list[tuple[int, int]] = []
    ds = simulate_on(
        client, MODEL, 9_001, 4, keep=["ratio", "when"], progress=lambda *a: calls.append(a)
    )
    eager = asim.simulate(MODEL, 9_001, 4, keep=["ratio", "when"])
    xr.testing.assert_identical(ds, eager)
    assert ds["ratio"].values.tobytes() == eager["ratio"].values.tobytes()
    # the default chunk gives each of the 2 workers 4 tasks: 8 chunks of 2 quantities
    assert len(calls) == 16
    assert calls[-1] == (9_001, 9_001)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_summarize_chunked_on_a_cluster_gives_the_same_summary(client: Any) -> None:
    draws = 300_000  # above the pilot: two passes, on the workers
    here = asim.summarize_chunked(MODEL, draws, 7, chunk_size=60_000)
    calls: list[tuple[int, int]] = []
    there = asim.summarize_chunked(
        MODEL, draws, 7, chunk_size=60_000, client=client, progress=lambda *a: calls.append(a)
    )
    assert there == here
    assert there["chunked"]["passes"] == 2
    assert calls[-1] == (2**17 + 2 * draws,) * 2
    # and the exact parts are simulate's
    memory = asim.summarize(asim.simulate(MODEL, draws, 7))["quantities"]
    for name in ("ratio", "when", "gap"):
        for key in ("median", "eti", "hdi"):
            assert there["quantities"][name][key] == memory[name][key], (name, key)
    assert there["quantities"]["in_band"] == memory["in_band"]


def test_summarize_chunked_refuses_what_is_not_a_client() -> None:
    with pytest.raises(InputError) as err:
        asim.summarize_chunked(MODEL, 1_000, 1, client="tcp://127.0.0.1:8786")
    assert str(err.value) == (
        "client must be a dask.distributed.Client; got 'tcp://127.0.0.1:8786'"
    )


def test_connecting_by_address_reaches_the_same_cluster(client: Any) -> None:
    address = client.scheduler.address
    with cluster(address) as other:
        assert other.scheduler.address == address
        ds = simulate_on(other, MODEL, 2_000, 3, chunk_size=700)
    xr.testing.assert_identical(ds, asim.simulate(MODEL, 2_000, 3))


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((), {}, "scheduler or workers: give one of them; got scheduler=None, workers=None"),
        (
            ("tcp://127.0.0.1:8786",),
            {"workers": 2},
            "scheduler or workers: give one of them; got scheduler='tcp://127.0.0.1:8786', "
            "workers=2",
        ),
        ((), {"workers": 0}, "workers must be a whole number of at least 1; got 0"),
        ((), {"workers": True}, "workers must be a whole number of at least 1; got True"),
        ((), {"workers": "2"}, "workers must be a whole number of at least 1; got '2'"),
        (
            ("127.0.0.1",),
            {},
            "scheduler '127.0.0.1': not an address (missing port number in address "
            "'127.0.0.1'); give the scheduler's, such as tcp://127.0.0.1:8786",
        ),
        (
            ("",),
            {},
            "scheduler '': not an address; give the scheduler's, such as tcp://127.0.0.1:8786",
        ),
        (
            ("tcp://127.0.0.1:1",),
            {"timeout": 0.5},
            "scheduler 'tcp://127.0.0.1:1': no Dask scheduler answered within 0.5 s; start one "
            "('dask scheduler') or check the address and that this machine can reach it",
        ),
    ],
)
def test_cluster_refuses_bad_arguments_in_one_line(
    args: tuple[str, ...], kwargs: dict[str, Any], message: str
) -> None:
    start = time.perf_counter()
    with pytest.raises(InputError) as err, cluster(*args, **kwargs):
        pass
    assert str(err.value) == message
    assert time.perf_counter() - start < 3.0


def test_cluster_without_distributed_says_which_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(InputError) as err, cluster(workers=1):
        pass
    assert str(err.value) == (
        'workers needs dask.distributed, which is not installed: pip install "attritionsim[dask]"'
    )


def test_cluster_refuses_more_workers_than_cores() -> None:
    cores = os.cpu_count() or 1
    with pytest.raises(InputError) as err, cluster(workers=cores + 1):
        pass
    assert str(err.value) == (
        f"workers must be at most {cores}, this machine's cores (each worker computes on one; "
        f"more would only compete for them); got {cores + 1}"
    )


def _talker(reply: bytes | None) -> tuple[socket.socket, str]:
    """A TCP server that is not Dask: it sends ``reply`` (or nothing) and holds the line."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def serve() -> None:
        with contextlib.suppress(OSError):
            conn, _ = server.accept()
            if reply is not None:
                conn.sendall(reply)
            time.sleep(5)
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    return server, f"tcp://127.0.0.1:{server.getsockname()[1]}"


@pytest.mark.parametrize(
    ("reply", "said"),
    [
        (b"SSH-2.0-OpenSSH_8.9\r\n" * 4, "the program there is not a Dask scheduler"),
        (None, "no Dask scheduler answered within 1 s"),  # silent: the probe times out
    ],
    ids=["banner", "silent"],
)
def test_cluster_refuses_a_program_that_is_not_a_scheduler(reply: bytes | None, said: str) -> None:
    server, address = _talker(reply)
    start = time.perf_counter()
    try:
        with pytest.raises(InputError) as err, cluster(address, timeout=1.0):
            pass
    finally:
        server.close()
    assert str(err.value).startswith(f"scheduler {address!r}: {said}")
    assert time.perf_counter() - start < 3.0  # never a hang


def test_cluster_refuses_a_scheduler_without_workers() -> None:
    from distributed import LocalCluster

    with LocalCluster(n_workers=0, processes=False, dashboard_address=None) as idle:
        address = idle.scheduler_address
        with pytest.raises(InputError) as err, cluster(address, timeout=2.0):
            pass
    assert str(err.value) == (
        f"scheduler {address!r}: the scheduler has no workers, so nothing would run; start "
        f"some ('dask worker {address}') and try again"
    )
