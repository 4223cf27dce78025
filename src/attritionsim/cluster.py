"""The same model on Dask: lazy results over the draw dimension, the same bits.

:func:`simulate_dask` returns a Dataset whose variables are :mod:`dask.array` arrays chunked
along ``draw``. Each chunk is one task that computes draws ``start`` to ``stop - 1`` from the
name-keyed, counter-addressed streams (see :mod:`attritionsim._rng`), so a chunk depends only on
``(seed, name, position)``: computed on threads, processes or a ``dask.distributed`` cluster,
the values are bit-identical to :func:`attritionsim.simulate` with the same seed. Dask is an
optional extra: ``pip install "attritionsim[dask]"``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import xarray as xr

from .design import Method
from .errors import InputError
from .model import Model, _dataset, _iter_blocks, _kept, _run_settings

__all__ = ["simulate_dask"]


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

    Parameters
    ----------
    model : Model
        What to simulate.
    draws : int
        Number of draws.
    seed : int
        The seed; ``simulate_dask(...).compute()`` equals ``simulate(...)`` bit for bit.
    method : {"mc", "lhs", "sobol"}
        The design.
    chunk_size : int
        Draws per Dask chunk (one task each).
    keep : iterable of str, optional
        The quantities to keep (default: all).

    Returns
    -------
    xarray.Dataset
        As :func:`attritionsim.simulate`, with Dask-backed ``draw`` variables.

    Raises
    ------
    InputError
        Bad arguments (as :func:`attritionsim.simulate`), or Dask not installed.

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
        from dask.delayed import delayed
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise InputError('simulate_dask needs Dask: pip install "attritionsim[dask]"') from None
    draws, seed, method, chunk = _run_settings(model, draws, seed, method, chunk_size)
    kept = model.names if keep is None else _kept(model, keep)
    # One draw, computed now, tells each quantity's dtype and which are constants.
    _, _, probe = next(_iter_blocks(model, draws, seed, method, 0, 1, 1, kept))
    scalars = {name: value for name, value in probe.items() if np.ndim(value) == 0}
    varying = [name for name in kept if name not in scalars]

    def block(start: int, stop: int) -> dict[str, np.ndarray]:
        _, _, values = next(
            _iter_blocks(model, draws, seed, method, start, stop, stop - start, varying)
        )
        return {name: np.asarray(values[name]) for name in varying}

    pieces: dict[str, list[Any]] = {name: [] for name in varying}
    for start in range(0, draws, chunk):
        stop = min(start + chunk, draws)
        task = delayed(block, pure=True)(start, stop)
        for name in varying:
            piece = dsa.from_delayed(task[name], shape=(stop - start,), dtype=probe[name].dtype)
            pieces[name].append(piece)
    arrays = {name: dsa.concatenate(parts) for name, parts in pieces.items()}
    return _dataset(model, kept, arrays, scalars, seed=seed, draws=draws, method=method)
