"""The Dask backend: a model's results as lazy Dask arrays over ``draw``, the same bits.

:func:`simulate_dask` returns a Dataset whose variables are :mod:`dask.array` arrays chunked
along ``draw``. Each chunk is one task that computes draws ``start`` to ``stop - 1`` from the
name-keyed, counter-addressed streams (see :mod:`attritionsim._rng`), so a chunk depends only on
``(seed, name, position)``: computed on threads, processes or a ``dask.distributed`` cluster,
the values are bit-identical to :func:`attritionsim.simulate` with the same seed. Dask is an
optional extra: ``pip install "attritionsim[dask]"``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

import numpy as np
import xarray as xr

from . import _engine
from ._format import fmt_value
from .design import Method
from .errors import InputError
from .model import Model

__all__ = ["MAX_CHUNKS", "simulate_dask"]

#: The most Dask chunks (tasks per quantity) one run may have: beyond it the graph itself,
#: however lazily built, no longer fits a scheduler. ``draws / chunk_size`` must stay below it.
MAX_CHUNKS: Final = 1_000_000


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
