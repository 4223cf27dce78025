"""Summaries of runs too large to hold in memory: :func:`summarize_chunked`.

:func:`summarize_chunked` gives the dictionary of :func:`attritionsim.summarize` for a run of
any size while holding only a chunk of draws and a few order statistics at a time. It rests on
:func:`attritionsim.simulate`'s streams: the draws at an index are the same whatever block they
are computed in, so a run can be computed twice and seen identically both times.

How
---
1. *Pilot*: the first ``_PILOT`` draws (a fair subsample for every design) set, for each
   quantity, a grid of ``_BINS`` equal cells over its pilot quantiles 0.05% to 99.95%, plus
   one open cell below and one above.
2. *Pass 1* over every draw: exact counts per cell, exact counts of infinite (and NaT) draws,
   the minimum and maximum, the sum (for the mean), the count of true booleans. The counts
   give the exact rank range of every cell. Each wanted order statistic (the two neighbours
   of the median, of each ETI bound and of the ranks behind their MCSEs) lies in a known cell.
   For the HDI, the cells bound every window's width from below and above; only windows whose
   lower bound is within the smallest upper bound can be the shortest, and their cells are
   wanted too.
3. *Pass 2* over every draw keeps only the draws in wanted cells (a cell is decided by the
   same arithmetic in both passes), which are then the exact order statistics at known ranks.

Invalid draws (NaN, or outside the quantity's domain: :meth:`attritionsim.Model.domain`) are
counted in pass 1 and left out of both passes, as :func:`attritionsim.summarize` leaves them out:
the figures are of the valid draws, and ``invalid`` and ``invalid_draws`` are exact counts.

Exactness: the median, ETI bounds, HDI bounds, their kind (``NaT`` / infinite), the shares
``never`` and ``invalid``, probabilities and the MCSEs of the median, the ETI bounds and
probabilities are bit for bit those of ``summarize(simulate(...))``. The mean is a sum taken
chunk by chunk (accurate to a few units in the last place, not bit-identical), and ``mcse.mean``
comes from sums of squares about the pilot's mean (accurate to about ten significant digits).
``mcse.hdi`` is a bootstrap on evenly spaced order statistics; here it runs on the pilot's, with
the pilot's quantile function standing for the draws: an estimate of the same standard error
that differs from the in-memory one by its own noise: about 10% for a bound inside the
draws' range, but up to 60% for an HDI bound pressed against a limit (a share running up to
1), where the bootstrap itself is noisy (measured in a cold test). The result's
``"chunked"`` entry says so.

Memory is about ``chunk_size * (quantities + inputs) * 8`` bytes for the chunk, plus
``_PILOT`` draws and ``_BINS`` counts per quantity, plus the kept cells: a few cells around
each wanted rank and the HDI's candidate windows, typically well under 1% of the draws of a
quantity at 10^8 draws (more when a quantity's mass crowds into a small part of its 0.05% to
99.95% pilot range, as for an extremely heavy tail). The cost is two runs of the model plus
the pilot.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from . import _dates, _engine, _orderstats, _validate, summary
from ._typing import FloatArray
from ._validate import DEFAULT_LEVEL
from ._version import __version__
from .design import Method
from .domain import Domain, Invalid, count_invalid, valid_mask
from .errors import InputError
from .model import Model

__all__ = ["summarize_chunked"]

#: Draws in the pilot; runs no larger than this are summarised in memory.
_PILOT = 2**17
#: Equal cells of the counting grid, between the pilot quantiles _TAIL and 1 - _TAIL.
_BINS = 8192
_TAIL = 0.0005

Take = _orderstats.Take


@dataclasses.dataclass
class _Tally:
    """What the passes learn about one quantity."""

    name: str
    kind: Literal["number", "date", "bool"]
    units: str
    low: float = 0.0  # the grid: cell c >= 1 holds keys in [low + (c-1) step, low + c step)
    step: float = 1.0
    slack: float = 0.0
    origin: int = 0  # dates: keys are nanoseconds after the pilot's earliest date
    counts: npt.NDArray[np.int64] = dataclasses.field(
        default_factory=lambda: np.zeros(_BINS + 2, np.int64)
    )
    neg_inf: int = 0
    pos_inf: int = 0
    nans: int = 0
    below: int = 0  # numbers: draws below and above the domain (invalid, with the NaN)
    above: int = 0
    domain: Domain | None = None
    true: int = 0
    key_min: float = math.inf  # finite keys
    key_max: float = -math.inf
    ns_min: int | None = None  # dates: the earliest date, the anchor of summarize()
    sums: list[float] = dataclasses.field(default_factory=list)
    shift: float = 0.0  # the pilot's mean key: squares are summed about it
    deviations: list[float] = dataclasses.field(default_factory=list)
    squares: list[float] = dataclasses.field(default_factory=list)
    whole: int = 0  # dates: exact integer part of the sum of nanoseconds
    wanted: npt.NDArray[np.bool_] = dataclasses.field(
        default_factory=lambda: np.zeros(_BINS + 2, bool)
    )
    kept: list[np.ndarray] = dataclasses.field(default_factory=list)
    pilot: np.ndarray = dataclasses.field(default_factory=lambda: np.empty(0))
    segments: tuple[np.ndarray, np.ndarray] | None = None  # the HDI's candidate starts

    # ---------------------------------------------------------------- keys and cells
    def keys(self, values: np.ndarray) -> tuple[FloatArray, np.ndarray]:
        """Float keys ordered like the draws (NaT as +inf), and the draws as they are kept."""
        if self.kind == "date":
            secs = _dates.whole_seconds(values)
            nat = secs == _dates.NAT_CODE
            keys = np.where(nat, np.inf, (secs - self.origin).astype(np.float64))
            return keys, secs
        return values, values

    def cells(self, keys: FloatArray) -> npt.NDArray[np.intp]:
        """The cell of each key: 0 below the grid, 1 to ``_BINS``, ``_BINS + 1`` above."""
        t = (keys - self.low) * (1.0 / self.step)
        np.floor(t, out=t)
        np.clip(t, -1.0, float(_BINS), out=t)
        out: npt.NDArray[np.intp] = t.astype(np.intp) + 1
        return out

    def bounds(self) -> tuple[FloatArray, FloatArray]:
        """Lower and upper bounds of the finite keys in each cell (a little wide)."""
        edges = self.low + self.step * np.arange(-1, _BINS + 1, dtype=np.float64)
        lower = np.maximum(edges - self.slack, self.key_min)
        upper = np.minimum(edges + self.step + self.slack, self.key_max)
        lower[0], upper[-1] = self.key_min, self.key_max
        return lower, upper

    def valid(self, keys: FloatArray) -> FloatArray:
        """The keys of the valid draws (numbers: not NaN, inside the domain; all others)."""
        if self.kind != "number":
            return keys
        return keys[valid_mask(keys, self.domain)]

    def invalid(self, draws: int) -> Invalid:
        """The invalid draws counted in pass 1, out of ``draws``."""
        return Invalid(draws, self.nans, self.below, self.above, self.domain)

    # ---------------------------------------------------------------- ranks
    def finite_counts(self) -> npt.NDArray[np.int64]:
        finite = self.counts.copy()
        finite[0] -= self.neg_inf
        finite[-1] -= self.pos_inf
        return finite

    def ends(self) -> npt.NDArray[np.int64]:
        """One past the last rank of each cell's finite draws."""
        return self.neg_inf + np.cumsum(self.finite_counts())

    # ---------------------------------------------------------------- chunks apart, then merged
    def shell(self) -> _Tally:
        """The grid (and wanted cells) alone, with nothing counted: what a chunk's pass fills."""
        return _Tally(
            self.name,
            self.kind,
            self.units,
            low=self.low,
            step=self.step,
            slack=self.slack,
            origin=self.origin,
            shift=self.shift,
            wanted=self.wanted,
            domain=self.domain,
        )

    def absorb(self, part: _Tally) -> None:
        """Add what a pass over one chunk (``part``, from :meth:`shell`) found.

        Every merge is exact (integer counts, extremes, lists summed by ``math.fsum`` or
        sorted at the end), so chunks may arrive in any order.
        """
        self.counts += part.counts
        self.neg_inf += part.neg_inf
        self.pos_inf += part.pos_inf
        self.nans += part.nans
        self.below += part.below
        self.above += part.above
        self.true += part.true
        self.key_min = min(self.key_min, part.key_min)
        self.key_max = max(self.key_max, part.key_max)
        if part.ns_min is not None:
            self.ns_min = part.ns_min if self.ns_min is None else min(self.ns_min, part.ns_min)
        self.sums += part.sums
        self.deviations += part.deviations
        self.squares += part.squares
        self.whole += part.whole
        self.kept += part.kept


# ------------------------------------------------------------------------------ public
def summarize_chunked(
    model: Model,
    draws: int,
    seed: int,
    *,
    method: Method = "mc",
    chunk_size: int = 1_000_000,
    quantities: str | Iterable[str] | None = None,
    level: float = DEFAULT_LEVEL,
    progress: Callable[[int, int], None] | None = None,
    client: Any = None,
) -> dict[str, Any]:
    """Summarise a run chunk by chunk, never holding all its draws: :func:`summarize` at scale.

    Equivalent to ``summarize(simulate(model, draws, seed, method=method), level,
    quantities=quantities)`` (see the module docstring for what is bit-identical), in memory
    that does not grow with ``draws`` beyond a few order statistics: 10^8 draws of a
    twenty-quantity model fit in well under 2 GiB.

    Parameters
    ----------
    model : Model
        What to simulate.
    draws : int
        Number of draws (positive).
    seed : int
        Non-negative seed.
    method : {"mc", "lhs", "sobol"}
        The sampling design.
    chunk_size : int, default 1_000_000
        Draws computed at a time.
    quantities : str or iterable of str, optional
        Which quantities, in that order (default: every quantity with one value per draw;
        constants are left out, and naming one raises :class:`InputError`).
    level : float, default 0.9
        Probability inside the intervals, in (0, 1).
    progress : callable, optional
        Called as ``progress(done, total)`` after each chunk, where ``total`` counts the
        pilot and both passes.
    client : dask.distributed.Client, optional
        Run both passes on this Dask cluster: each chunk is one task on a worker, which
        sends back only its counts (pass 1) and the draws in the wanted cells (pass 2), so
        the draws never travel. The pilot and the final reading run here. The result is
        the same as without ``client``, bit for bit.

    Returns
    -------
    dict
        The dictionary of :func:`attritionsim.summarize`, plus ``"chunked"``: the chunk
        size, pilot draws, passes over the draws, and what is estimated rather than exact.

    Raises
    ------
    InputError
        Bad ``model``, ``draws``, ``seed``, ``method``, ``chunk_size``, ``level`` or
        ``quantities``.

    Examples
    --------
    >>> import attritionsim as asim
    >>> m = asim.Model({"ru": asim.from_range(1.1e6, 1.3e6), "ua": asim.from_range(5e5, 6e5)},
    ...                {"ratio": "ru / ua"})
    >>> out = summarize_chunked(m, 300_000, 1, chunk_size=100_000, quantities="ratio")
    >>> out["quantities"]["ratio"]["median"] == asim.summarize(
    ...     asim.simulate(m, 300_000, 1), quantities="ratio")["quantities"]["ratio"]["median"]
    True
    """
    draws, seed, method, chunk = _engine.run_settings(model, draws, seed, method, chunk_size)
    _validate.callback("progress", progress)
    level = _validate.level(level, closed=False)
    if client is not None and not callable(getattr(client, "submit", None)):
        raise InputError(f"client must be a dask.distributed.Client; got {client!r}")
    names = _chosen(model, quantities)
    pilot = min(draws, _PILOT)
    total = pilot + (2 * draws if pilot < draws else 0)
    done = 0

    def advance(size: int) -> None:
        nonlocal done
        done += size
        if progress is not None:
            progress(done, total)

    def blocks(stop: int, kept: list[str]) -> Iterable[tuple[int, dict[str, Any]]]:
        for begin, end, values in _engine.iter_blocks(
            model, draws, seed, method, 0, stop, min(chunk, stop), kept
        ):
            yield end - begin, values
            advance(end - begin)

    # ---- the pilot: kinds, scalars, and the grid
    tallies: dict[str, _Tally] = {}
    first: dict[str, list[np.ndarray]] = {name: [] for name in names}
    scalar: set[str] = set()
    for _, values in blocks(pilot, names):
        for name in names:
            if np.ndim(values[name]) == 0:
                scalar.add(name)
            else:
                first[name].append(values[name])
    if scalar:
        if quantities is not None:
            name = next(n for n in names if n in scalar)
            raise InputError(
                f"quantities: {name!r} is a constant (one value, not one per draw); "
                "summarize_chunked() takes quantities with one value per draw"
            )
        names = [n for n in names if n not in scalar]
    if not names:
        raise InputError("the model has no quantity with one value per draw to summarise")
    for name in names:
        tallies[name] = _tally(model, name, np.concatenate(first.pop(name)))
    if pilot == draws:  # small enough to summarise in memory
        return _in_memory(tallies, names, draws, seed, method, level, chunk)

    # ---- pass 1: counts, extremes, sums
    ranges = [(begin, min(begin + chunk, draws)) for begin in range(0, draws, chunk)]
    for begin, end, parts in _passes(client, model, draws, seed, method, ranges, tallies, 1):
        for name, part in parts.items():
            tallies[name].absorb(part)
        advance(end - begin)
    valid = {name: draws - tallies[name].invalid(draws).total for name in names}
    for name in names:
        if tallies[name].kind != "bool" and valid[name]:
            _plan(tallies[name], valid[name], level)
    # ---- pass 2: keep the wanted cells
    wanted = [n for n in names if tallies[n].kind != "bool" and tallies[n].wanted.any()]
    if wanted:
        chosen = {name: tallies[name] for name in wanted}
        for begin, end, parts in _passes(client, model, draws, seed, method, ranges, chosen, 2):
            for name, part in parts.items():
                tallies[name].kept += part.kept
            advance(end - begin)
    else:
        total -= draws
    out = {}
    for name in names:
        tally = tallies[name]
        if tally.kind == "bool":
            out[name] = _probability(tally, draws)
            continue
        bad = tally.invalid(draws).to_entry()
        if valid[name]:
            out[name] = {**_entry(tally, valid[name], level), **bad}
        else:  # as summarize(): no figure without a valid draw
            empty = summary.Sample(name, tally.units, "number", np.empty(0))
            out[name] = summary.entry(
                dataclasses.replace(empty, invalid=tally.invalid(draws)), level
            )
    return _result(out, draws, seed, method, level, chunk, pilot, passes=2 if wanted else 1)


# ------------------------------------------------------------------------------ passes
Parts = dict[str, _Tally]


def _pass_over(
    model: Model,
    draws: int,
    seed: int,
    method: Method,
    begin: int,
    end: int,
    shells: Parts,
    which: Literal[1, 2],
) -> Parts:
    """One pass over draws ``begin`` to ``end - 1``: what each quantity's tally learns there.

    A task on its own: it reads only its arguments, so it runs the same in this process or
    on a Dask worker, and returns counts and kept draws, never the chunk's draws themselves.
    """
    parts = {name: shell.shell() for name, shell in shells.items()}
    step = _count if which == 1 else _keep
    for _, _, values in _engine.iter_blocks(
        model, draws, seed, method, begin, end, end - begin, list(parts)
    ):
        for name, part in parts.items():
            step(part, values[name])
    if which == 2:  # only the kept draws travel back
        for part in parts.values():
            part.counts = np.zeros(0, np.int64)
    return parts


def _passes(
    client: Any,
    model: Model,
    draws: int,
    seed: int,
    method: Method,
    ranges: list[tuple[int, int]],
    tallies: Parts,
    which: Literal[1, 2],
) -> Iterator[tuple[int, int, Parts]]:
    """``(begin, end, parts)`` of pass ``which`` over each range: here in order, or on ``client``.

    On a Dask cluster the model and the grids are sent to every worker once; each range is
    one task, and its parts are yielded as they finish (merging them is exact in any order).
    """
    shells = {name: tally.shell() for name, tally in tallies.items()}
    if client is None:
        for begin, end in ranges:
            yield begin, end, _pass_over(model, draws, seed, method, begin, end, shells, which)
        return
    from distributed import as_completed

    shared_model, shared_shells = client.scatter([model, shells], broadcast=True, hash=False)
    futures = {
        client.submit(
            _pass_over,
            shared_model,
            draws,
            seed,
            method,
            begin,
            end,
            shared_shells,
            which,
            pure=False,
        ): (begin, end)
        for begin, end in ranges
    }
    finished = as_completed(futures, loop=client.loop, with_results=True)  # type: ignore[no-untyped-call]
    for future, parts in finished:
        begin, end = futures[future]
        future.release()
        yield begin, end, parts


# ------------------------------------------------------------------------------ steps
def _chosen(model: Model, quantities: str | Iterable[str] | None) -> list[str]:
    if quantities is None:
        return [name for name in model.names if name not in model.constants]
    names = [quantities] if isinstance(quantities, str) else list(quantities)
    if not names:
        raise InputError("quantities must name at least one quantity")
    for name in names:
        _validate.choice("quantities", name, model.names)
        if name in model.constants:
            raise InputError(
                f"quantities: {name!r} is a constant (one value, not one per draw); "
                "summarize_chunked() takes quantities with one value per draw"
            )
    return list(dict.fromkeys(names))


def _tally(model: Model, name: str, values: np.ndarray) -> _Tally:
    """A tally for one quantity, its grid set from the pilot's draws."""
    dtype = values.dtype.kind
    if dtype == "b":
        return _Tally(name, "bool", model.units.get(name, ""), pilot=values)
    kind: Literal["number", "date"] = "date" if dtype == "M" else "number"
    tally = _Tally(name, kind, "" if kind == "date" else model.units.get(name, ""))
    if kind == "number":
        tally.domain = model.domain(name)
    if kind == "date":
        secs = _dates.whole_seconds(values)
        real = secs[secs != _dates.NAT_CODE]
        tally.origin = int(real.min()) if real.size else 0
    keys, _ = tally.keys(values)
    keys = tally.valid(keys)
    finite = np.sort(keys[np.isfinite(keys)])
    tally.pilot = values
    tally.shift = float(np.mean(finite)) if finite.size else 0.0
    if finite.size:
        low, high = np.quantile(finite, [_TAIL, 1.0 - _TAIL])
        low, high = float(low), float(high)
    else:
        low = high = 0.0
    scale = max(abs(low), abs(high))
    if not high > low:
        high = low + (scale * 1e-6 if scale else 1.0)
    tally.low = low
    tally.step = (high - low) / _BINS
    # Rounding in the cell arithmetic (and, for dates, in keys of far-off dates) is well below.
    tally.slack = 1e-9 * (scale + (high - low)) + (1024.0 if kind == "date" else 0.0)
    return tally


def _count(tally: _Tally, values: Any) -> None:
    """Pass 1 on one chunk of one quantity."""
    if tally.kind == "bool":
        tally.true += int(np.count_nonzero(values))
        return
    keys, raw = tally.keys(values)
    if tally.kind == "number":
        bad = count_invalid(keys, tally.domain)
        if bad.total:
            tally.nans += bad.nan
            tally.below += bad.below
            tally.above += bad.above
            keys = raw = tally.valid(keys)
    cells = tally.cells(keys)
    tally.counts += np.bincount(cells, minlength=_BINS + 2)
    pos = int(np.count_nonzero(keys == np.inf))
    neg = int(np.count_nonzero(keys == -np.inf))
    tally.pos_inf += pos
    tally.neg_inf += neg
    finite_keys = keys[np.isfinite(keys)] if pos or neg else keys
    if finite_keys.size:  # for the MCSE of the mean (infinite draws make it inf anyway)
        offsets = finite_keys - tally.shift
        tally.deviations.append(float(np.sum(offsets)))
        # np.sum, not np.dot: a BLAS dot product's rounding depends on its thread count,
        # which differs between this process and a Dask worker's
        tally.squares.append(float(np.sum(np.square(offsets, out=offsets))))
    if finite_keys.size:
        tally.key_min = min(tally.key_min, float(finite_keys.min()))
        tally.key_max = max(tally.key_max, float(finite_keys.max()))
    if tally.kind == "date":
        real = raw[raw != _dates.NAT_CODE]
        if real.size:
            low = int(real.min())
            tally.ns_min = low if tally.ns_min is None else min(tally.ns_min, low)
            tally.whole += low * int(real.size)
            tally.sums.append(float(np.sum((real - low).astype(np.float64))))
        if pos:
            tally.sums.append(math.inf)
    else:
        with np.errstate(all="ignore"):
            tally.sums.append(float(np.sum(keys)))


def _plan(tally: _Tally, n: int, level: float) -> None:
    """Mark the cells that hold the order statistics the summary reads."""
    ranks: list[np.ndarray] = []

    def record(r: npt.NDArray[np.intp]) -> FloatArray:
        ranks.append(np.asarray(r).ravel())
        return np.zeros(np.shape(r))

    for p in (0.5, (1.0 - level) / 2.0, (1.0 + level) / 2.0):
        _orderstats.interpolate(record, n, (n - 1) * p)
        _orderstats.mcse_quantile_of(record, n, p)
    ends = tally.ends()
    _want(tally, np.concatenate(ranks), ends, n)
    # The HDI: windows of k draws starting at rank j; only finite windows can be shortest.
    k = _orderstats.window(n, level)
    first, last = tally.neg_inf, n - tally.pos_inf - k
    if first > last:  # every window is infinite: the first one is the HDI
        _want(tally, np.array([0, k - 1]), ends, n)
        return
    lower, upper = tally.bounds()
    starts = ends - tally.finite_counts()
    cuts = np.concatenate([[first, last + 1], starts, starts - (k - 1)])
    cuts = np.unique(np.clip(cuts, first, last + 1))
    seg = cuts[:-1]
    low_cell = np.searchsorted(ends, seg, side="right")
    high_cell = np.searchsorted(ends, seg + k - 1, side="right")
    with np.errstate(invalid="ignore"):
        least = lower[high_cell] - upper[low_cell]
        most = upper[high_cell] - lower[low_cell]
    best = float(np.nanmin(most)) if np.isfinite(most).any() else math.inf
    candidate = ~(least > best)  # NaN bounds stay candidates
    tally.wanted[low_cell[candidate]] = True
    tally.wanted[high_cell[candidate]] = True
    tally.segments = (seg[candidate], cuts[1:][candidate])


def _want(tally: _Tally, ranks: np.ndarray, ends: np.ndarray, n: int) -> None:
    finite = ranks[(ranks >= tally.neg_inf) & (ranks < n - tally.pos_inf)]
    tally.wanted[np.searchsorted(ends, finite, side="right")] = True


def _keep(tally: _Tally, values: Any) -> None:
    """Pass 2 on one chunk of one quantity: keep the draws in wanted cells."""
    keys, raw = tally.keys(values)
    if tally.kind == "number":
        keys = raw = tally.valid(keys)
    inside = tally.wanted[tally.cells(keys)] & np.isfinite(keys)
    if inside.any():
        tally.kept.append(raw[inside])


def _reader(tally: _Tally, n: int) -> Take:
    """Read the sorted draws (on summarize()'s scale) by rank, from the kept cells."""
    kept = np.sort(np.concatenate(tally.kept)) if tally.kept else np.empty(0)
    anchor = 0
    if tally.kind == "date":
        anchor = tally.ns_min if tally.ns_min is not None else 0
        kept = (kept - anchor).astype(np.float64)
    finite = tally.finite_counts()
    ends = tally.ends()
    starts = ends - finite
    offsets = np.cumsum(np.where(tally.wanted, finite, 0)) - np.where(tally.wanted, finite, 0)
    if kept.size != int(finite[tally.wanted].sum()):  # pragma: no cover - a broken invariant
        raise RuntimeError(f"{tally.name!r}: the passes saw different draws")
    top = n - tally.pos_inf

    def take(ranks: npt.NDArray[np.intp]) -> FloatArray:
        r = np.asarray(ranks, dtype=np.int64)
        out = np.where(r < tally.neg_inf, -np.inf, np.inf).astype(np.float64)
        mid = (r >= tally.neg_inf) & (r < top)
        cell = np.searchsorted(ends, r[mid], side="right")
        if not tally.wanted[cell].all():  # pragma: no cover - a broken invariant
            raise RuntimeError(f"{tally.name!r}: an order statistic was not kept")
        out[mid] = kept[offsets[cell] + r[mid] - starts[cell]]
        return out

    return take


def _entry(tally: _Tally, n: int, level: float) -> dict[str, Any]:
    take = _reader(tally, n)

    def quantile(p: float) -> float:
        return float(_orderstats.interpolate(take, n, (n - 1) * p))

    lo_p, hi_p = (1.0 - level) / 2.0, (1.0 + level) / 2.0
    k = _orderstats.window(n, level)
    if tally.segments is None:  # every window is infinite: the first one is the HDI
        start = 0
    else:
        begins = np.concatenate([np.arange(a, b) for a, b in zip(*tally.segments, strict=True)])
        with np.errstate(invalid="ignore"):  # as _orderstats.widths
            widths = take(begins + k - 1) - take(begins)
        widths = np.where(np.isnan(widths), np.inf, widths)
        start = int(begins[np.argmin(widths)])
    hdi = (float(take(np.array([start]))[0]), float(take(np.array([start + k - 1]))[0]))
    anchor = tally.ns_min if tally.kind == "date" and tally.ns_min is not None else 0
    sample = summary.Sample(tally.name, tally.units, tally.kind, np.empty(0), anchor)
    pilot_sorted = np.sort(tally.valid(tally.keys(tally.pilot)[0]) + (tally.origin - anchor))
    fig = summary.Figures(
        median=quantile(0.5),
        mean=_mean(tally, n, anchor),
        eti=(quantile(lo_p), quantile(hi_p)),
        hdi=hdi,
        mcse_median=_orderstats.mcse_quantile_of(take, n, 0.5),
        mcse_mean=_mcse_mean(tally, n),
        mcse_eti=(
            _orderstats.mcse_quantile_of(take, n, lo_p),
            _orderstats.mcse_quantile_of(take, n, hi_p),
        ),
        mcse_hdi=_mcse_hdi(pilot_sorted, n, level, (start, start + k - 1)),
    )
    return summary.entry_of(sample, fig, tally.pos_inf if tally.kind == "date" else 0, n)


def _mean(tally: _Tally, n: int, anchor: int) -> float:
    if not all(math.isfinite(s) for s in tally.sums):
        return float(sum(tally.sums))  # inf or NaN, as np.mean gives
    rest = math.fsum(tally.sums)
    if tally.kind == "date":
        return (float(tally.whole - n * anchor) + rest) / n
    return rest / n


def _mcse_mean(tally: _Tally, n: int) -> float:
    """``sd / sqrt(n)`` from sums about the pilot's mean (inf with infinite draws)."""
    if tally.pos_inf or tally.neg_inf or n < 2:
        return math.inf
    first, second = math.fsum(tally.deviations), math.fsum(tally.squares)
    return math.sqrt(max(0.0, second - first * first / n) / (n - 1) / n)


def _mcse_hdi(
    pilot: FloatArray, n: int, level: float, ends: tuple[int, int]
) -> tuple[float, float]:
    """summarize()'s HDI MCSE, with the pilot's quantile function standing for the n draws.

    ``ends`` are the exact ranks of the HDI's bounds among the ``n`` draws.
    """

    def take(ranks: npt.NDArray[np.intp]) -> FloatArray:
        position = (np.asarray(ranks, dtype=np.float64) + 0.5) * (pilot.size / n) - 0.5
        return _orderstats.at(pilot, position)

    # no more points than the pilot has: interpolated between its draws, a sample is smoother
    # than real draws, and its bootstrap understates where the window sits
    thinned = take(_orderstats.thin(n, min(_orderstats.THIN_TO, pilot.size)))
    return _orderstats.mcse_hdi_of(thinned, level, take, n, ends)


def _probability(tally: _Tally, n: int) -> dict[str, Any]:
    p = tally.true / n
    return {"units": tally.units, "probability": p, "mcse": _orderstats.mcse_probability(p, n)}


def _in_memory(
    tallies: dict[str, _Tally],
    names: list[str],
    draws: int,
    seed: int,
    method: str,
    level: float,
    chunk: int,
) -> dict[str, Any]:
    out = {}
    for name in names:
        tally = tallies[name]
        sample = summary.sample_of(tally.pilot, name, valid_only=True, domain=tally.domain)
        sample = dataclasses.replace(sample, units=tally.units)
        out[name] = summary.entry(sample, level)
    return _result(out, draws, seed, method, level, chunk, draws, passes=1)


def _result(
    quantities: dict[str, Any],
    draws: int,
    seed: int,
    method: str,
    level: float,
    chunk: int,
    pilot: int,
    passes: int,
) -> dict[str, Any]:
    return {
        "draws": draws,
        "seed": seed,
        "method": method,
        "level": level,
        "version": __version__,
        "quantities": quantities,
        "chunked": {
            "chunk_size": chunk,
            "pilot_draws": pilot,
            "passes": passes,
            "estimated": [] if passes == 1 else ["mcse.hdi (from the pilot draws)"],
        },
    }
