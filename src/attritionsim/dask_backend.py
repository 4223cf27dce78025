"""The Dask backend: a model's results as lazy Dask arrays over ``draw``, the same bits.

:func:`simulate_dask` returns a Dataset whose variables are :mod:`dask.array` arrays chunked
along ``draw``. Each chunk is one task that computes draws ``start`` to ``stop - 1`` from the
name-keyed, counter-addressed streams (see :mod:`attritionsim._rng`), so a chunk depends only on
``(seed, name, position)``: computed on threads, processes or a ``dask.distributed`` cluster,
the values are bit-identical to :func:`attritionsim.simulate` with the same seed. Dask is an
optional extra: ``pip install "attritionsim[dask]"``.

On a cluster: :func:`cluster` connects to a running ``dask.distributed`` scheduler (or starts a
local cluster of worker processes), :func:`simulate_on` computes a run there and gathers it
here, and :func:`attritionsim.summarize_chunked` with ``client=`` summarises a run of any size
on the workers, sending back only counts and a few order statistics.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Final

import numpy as np
import xarray as xr

from . import _engine, _validate
from ._format import fmt_value
from .design import Method
from .errors import InputError
from .model import Model

__all__ = ["CONNECT_TIMEOUT", "MAX_CHUNKS", "cluster", "simulate_dask", "simulate_on"]

#: The most Dask chunks (tasks per quantity) one run may have: beyond it the graph itself,
#: however lazily built, no longer fits a scheduler. ``draws / chunk_size`` must stay below it.
MAX_CHUNKS: Final = 1_000_000
#: Seconds :func:`cluster` waits for a scheduler to answer before giving up.
CONNECT_TIMEOUT: Final = 5.0
#: Draws per task when :func:`simulate_on` is given no chunk size: at most this many, and at
#: least four tasks per worker, so that every worker has work and the draws travel in pieces.
_CLUSTER_CHUNK: Final = 1_000_000
#: glibc allocator settings of a local cluster's workers: keep freed memory for the next
#: chunk's arrays instead of returning it (Dask's default trims at 64 KiB), so that each chunk
#: reuses pages rather than faulting in new ones. Measured on the default scenario at 10^7
#: draws on 2 cores: system time 83 s to 4 s, one worker 35 s to 26 s, two 21 s to 16 s.
_MALLOC: Final = {
    "MALLOC_TRIM_THRESHOLD_": str(1 << 31),
    "MALLOC_MMAP_THRESHOLD_": str(1 << 31),
    "MALLOC_TOP_PAD_": str(1 << 28),
}
_NO_DISTRIBUTED = 'needs dask.distributed, which is not installed: pip install "attritionsim[dask]"'


def simulate_dask(
    model: Model,
    draws: int,
    seed: int,
    *,
    method: Method = "mc",
    chunk_size: int = 1_000_000,
    keep: Iterable[str] | None = None,
) -> xr.Dataset:
    """Build the model's results lazily as Dask arrays chunked over ``draw``.

    The graph is built in time proportional to the number of chunks, without creating a
    task object per chunk: 10^10 draws in chunks of 10^6 build in well under a second.

    Parameters
    ----------
    model : Model
        What to simulate.
    draws : int
        Number of draws, at most :data:`attritionsim._validate.MAX_DRAWS` (10^12).
    seed : int
        The seed; ``simulate_dask(...).compute()`` equals ``simulate(...)`` bit for bit.
    method : {"mc", "lhs", "sobol"}
        The design.
    chunk_size : int
        Draws per Dask chunk (one task each); ``draws / chunk_size`` at most
        :data:`MAX_CHUNKS`.
    keep : iterable of str, optional
        The quantities to keep (default: all).

    Returns
    -------
    xarray.Dataset
        As :func:`attritionsim.simulate`, with Dask-backed ``draw`` variables.

    Raises
    ------
    InputError
        Bad arguments (as :func:`attritionsim.simulate`), more than :data:`MAX_CHUNKS`
        chunks, or Dask not installed.

    Examples
    --------
    >>> import attritionsim as asim
    >>> m = asim.Model({"ru": asim.from_range(1.1e6, 1.3e6)}, {"half": "ru / 2"})
    >>> lazy = simulate_dask(m, 10_000, seed=1, chunk_size=3_000)
    >>> lazy["half"].chunks
    ((3000, 3000, 3000, 1000),)
    >>> lazy.compute().identical(asim.simulate(m, 10_000, seed=1))
    True
    """
    try:
        import dask.array as dsa
        from dask.base import tokenize
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise InputError('simulate_dask needs Dask: pip install "attritionsim[dask]"') from None
    draws, seed, method, chunk = _engine.run_settings(model, draws, seed, method, chunk_size)
    kept = _engine.kept_names(model, keep)
    count = -(-draws // chunk)
    if count > MAX_CHUNKS:
        raise InputError(
            f"chunk_size={fmt_value(chunk)} splits draws={fmt_value(draws)} into "
            f"{fmt_value(count)} chunks, more than simulate_dask's {MAX_CHUNKS:,}; use "
            f"chunk_size >= {fmt_value(-(-draws // MAX_CHUNKS))}"
        )
    # One draw, computed now, tells each quantity's dtype and which are constants.
    _, _, probe = next(_engine.iter_blocks(model, draws, seed, method, 0, 1, 1, kept))
    scalars = {name: value for name, value in probe.items() if np.ndim(value) == 0}
    varying = [name for name in kept if name not in scalars]
    sizes = (chunk,) * (count - 1) + (draws - chunk * (count - 1),)

    def block(block_id: tuple[int, ...] = (0,)) -> np.ndarray:
        """Every varying quantity of chunk ``block_id``, as a one-element object array."""
        start = block_id[0] * chunk
        stop = min(start + chunk, draws)
        _, _, values = next(
            _engine.iter_blocks(model, draws, seed, method, start, stop, stop - start, varying)
        )
        out = np.empty(1, dtype=object)
        out[0] = {name: np.asarray(values[name]) for name in varying}
        return out

    def pick(computed: np.ndarray, name: str) -> np.ndarray:
        piece: np.ndarray = computed[0][name]
        return piece

    # A blockwise layer, not one delayed object per chunk: the graph stays a few layers
    # whatever the number of chunks, and its tasks are generated only when computed.
    token = tokenize(model.digest(), id(model), draws, seed, method, chunk, varying)
    chunks = dsa.map_blocks(
        block,
        chunks=((1,) * count,),
        dtype=object,
        meta=np.empty((0,), dtype=object),
        name=f"attritionsim-draws-{token}",
    )
    arrays: dict[str, Any] = {
        name: chunks.map_blocks(
            pick,
            name,
            chunks=(sizes,),
            dtype=probe[name].dtype,
            meta=np.empty((0,), dtype=probe[name].dtype),
            name=f"attritionsim-{name}-{token}",
        )
        for name in varying
    }
    return _engine.build_dataset(
        model, kept, arrays, scalars, seed=seed, draws=draws, method=method
    )


@contextlib.contextmanager
def cluster(
    scheduler: str | None = None,
    *,
    workers: int | None = None,
    timeout: float = CONNECT_TIMEOUT,
) -> Iterator[Any]:
    """A ``dask.distributed`` client: of a running scheduler, or of a new local cluster.

    Give exactly one of ``scheduler`` and ``workers``. The scheduler is reached (or refused)
    within ``timeout`` seconds, before anything is computed; a local cluster has ``workers``
    processes of one thread each, no dashboard, and is shut down when the block ends. Its
    logging is silenced: its errors reach the caller as exceptions. In a notebook,
    ``distributed.Client(address)`` does the same for a running scheduler. The scheduler must
    answer as one (a Dask scheduler with at least one worker); ``workers`` is at most the
    machine's cores.

    Parameters
    ----------
    scheduler : str, optional
        The scheduler's address, as it prints it: ``tcp://10.0.0.5:8786``.
    workers : int, optional
        Worker processes of a new local cluster, at least 1.
    timeout : float, default CONNECT_TIMEOUT
        Seconds to wait for the scheduler.

    Yields
    ------
    distributed.Client
        For :func:`simulate_on` or :func:`attritionsim.summarize_chunked` (``client=``).

    Raises
    ------
    InputError
        Both or neither of ``scheduler`` and ``workers``; ``workers`` below 1; an address
        that is not one, or where no scheduler answers in time; ``dask.distributed`` not
        installed. Each message starts with ``scheduler`` or ``workers``.
    """
    if (scheduler is None) == (workers is None):
        raise InputError(
            f"scheduler or workers: give one of them; got scheduler={scheduler!r}, "
            f"workers={workers!r}"
        )
    what = "scheduler" if scheduler is not None else "workers"
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
    ):
        raise InputError(f"workers must be a whole number of at least 1; got {workers!r}")
    cores = os.cpu_count() or 1
    if workers is not None and workers > cores:
        raise InputError(
            f"workers must be at most {cores}, this machine's cores (each worker computes on "
            f"one; more would only compete for them); got {workers!r}"
        )
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError(f"{what} {_NO_DISTRIBUTED}") from None
    # its errors reach the caller as exceptions; its loggers (some with levels of their own,
    # such as distributed.client's) say nothing meanwhile
    names = ["distributed", "distributed.client", "distributed.worker", "distributed.nanny"]
    names += [n for n in logging.root.manager.loggerDict if n.startswith("distributed.")]
    quiet = {name: logging.getLogger(name) for name in dict.fromkeys(names)}
    previous = {name: logger.level for name, logger in quiet.items()}
    for logger in quiet.values():
        logger.setLevel(logging.CRITICAL + 1)
    try:
        if scheduler is not None:
            _reach(scheduler, timeout)
            with Client(scheduler, timeout=timeout, set_as_default=False) as client:
                yield client
        else:
            import dask

            environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
            with (
                dask.config.set({"distributed.nanny.pre-spawn-environ": {**environ, **_MALLOC}}),
                LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    # the scheduler's small HTTP server on any free port, not 8787 (which
                    # another cluster may hold: a warning, and a second try)
                    scheduler_kwargs={"dashboard_address": ":0"},
                    silence_logs=logging.CRITICAL,  # workers too: a heartbeat lost at close
                ) as local,
                Client(local, set_as_default=False) as client,
            ):
                yield client
    finally:
        for name, logger in quiet.items():
            logger.setLevel(previous[name])


def _reach(address: str, timeout: float) -> None:
    """Check that a Dask scheduler answers at ``address`` within ``timeout`` seconds.

    The check opens and closes one connection on a loop of its own (in a thread, so that it
    works inside a running event loop too); a failed ``Client`` would instead linger and
    complain while the interpreter exits.
    """
    from distributed.comm.core import connect

    shown = f"scheduler {address!r}"
    if not isinstance(address, str) or not address.strip():
        raise InputError(
            f"{shown}: not an address; give the scheduler's, such as tcp://127.0.0.1:8786"
        )

    async def ask() -> Any:
        comm = await connect(address, timeout=timeout)
        try:  # a Dask server says what it is; any other program answers otherwise, or not
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    async def probe() -> Any:
        return await asyncio.wait_for(ask(), timeout)  # whatever the program does, or not

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        try:
            answer = pool.submit(asyncio.run, probe()).result()
        except ValueError as err:  # the address itself: no port, an unknown scheme
            raise InputError(
                f"{shown}: not an address ({err}); give the scheduler's, such as "
                "tcp://127.0.0.1:8786"
            ) from None
        except OSError:  # refused, unreachable, timed out (TimeoutError is an OSError)
            raise InputError(
                f"{shown}: no Dask scheduler answered within {timeout:g} s; start one "
                "('dask scheduler') or check the address and that this machine can reach it"
            ) from None
        except Exception:  # a program that speaks another protocol, in any way
            answer = None
    if not (isinstance(answer, dict) and answer.get("type") == "Scheduler"):
        raise InputError(
            f"{shown}: the program there is not a Dask scheduler (it did not answer as one "
            f"within {timeout:g} s); give the address the scheduler prints"
        )
    if not answer.get("workers"):
        raise InputError(
            f"{shown}: the scheduler has no workers, so nothing would run; start some "
            f"('dask worker {address}') and try again"
        )


def simulate_on(
    client: Any,
    model: Model,
    draws: int,
    seed: int,
    *,
    method: Method = "mc",
    chunk_size: int | None = None,
    keep: Iterable[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> xr.Dataset:
    """Compute a run on a Dask cluster and gather it here: :func:`attritionsim.simulate`'s bits.

    The draws are computed on the workers, chunk by chunk (:func:`simulate_dask`), and
    gathered into this process's memory, so the whole run must fit here; to summarise a run
    too large for that, use :func:`attritionsim.summarize_chunked` with ``client=``.

    Parameters
    ----------
    client : distributed.Client
        The cluster (see :func:`cluster`).
    model, draws, seed, method, keep
        As :func:`attritionsim.simulate`.
    chunk_size : int, optional
        Draws per task (default: at most 10^6, and at least four tasks per worker).
    progress : callable, optional
        Called as ``progress(done, draws)`` as the chunks finish.

    Returns
    -------
    xarray.Dataset
        Identical to ``simulate(model, draws, seed, method=method, keep=keep)``.

    Raises
    ------
    InputError
        Bad arguments, as :func:`simulate_dask`.
    """
    _validate.callback("progress", progress)
    if not callable(getattr(client, "persist", None)):
        raise InputError(f"client must be a dask.distributed.Client; got {client!r}")
    chunk = _CLUSTER_CHUNK if chunk_size is None else chunk_size
    if chunk_size is None and isinstance(draws, int) and draws > 0:
        tasks = 4 * max(1, len(client.scheduler_info().get("workers", {})))
        chunk = max(1, min(_CLUSTER_CHUNK, -(-draws // tasks)))
    lazy = simulate_dask(model, draws, seed, method=method, chunk_size=chunk, keep=keep)
    persisted = client.persist(lazy)
    if progress is not None:
        from distributed import as_completed, futures_of

        futures = futures_of(persisted)
        total = int(lazy.attrs["draws"])
        for done, _ in enumerate(as_completed(futures, loop=client.loop), start=1):
            progress(total * done // len(futures), total)
    computed: xr.Dataset = persisted.compute(scheduler=client)
    return computed
