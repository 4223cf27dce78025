r"""Opinion pools: one distribution for one quantity from several sources.

Two pools, each with weights ``w_i`` (normalised to sum to one):

* **Linear** (:func:`pool` with ``method="linear"``): the mixture ``sum_i w_i F_i``. Each source
  keeps its own shape; the pool is at least as wide as the spread between the sources. It is
  the pool to use when the sources disagree and one of them is right. A
  :class:`~attritionsim.distributions.Mixture`.
* **Logarithmic** (``method="log"``): the normalised weighted geometric mean of the densities,
  ``prod_i f_i**w_i / Z``. It concentrates where the sources agree, like combining independent
  evidence. Normals pool to the precision-weighted normal exactly (``1/s**2 = sum_i
  w_i/s_i**2``, ``m = s**2 sum_i w_i m_i/s_i**2``), lognormals to the lognormal with those
  parameters on the log scale; any other set of sources is pooled numerically on a grid (see
  :func:`pool`) into a :class:`Tabulated` distribution. Sources with no common support have no
  log pool.

Draws (1-d arrays, e.g. from earlier simulations) are pooled linearly by :func:`pool_draws`.

Sources that restate another
----------------------------
Publishers often repeat each other (UK Defence Intelligence tracking the Ukrainian General
Staff, CSIS leaning on the UK). A restatement is not independent evidence, so it must not add
weight. ``depends_on`` maps a source to the source it restates (chains are followed to the
original); the original and all its restatements then **share the original's weight**, divided
among them in proportion to their own weights. Adding a restatement thus never changes how
much weight its original's evidence carries: it only splits it. :func:`pool_weights` shows the
resulting weights.

>>> from attritionsim.pooling import pool_weights
>>> pool_weights(["gs", "uk", "csis"], depends_on={"uk": "gs"})
{'gs': 0.25, 'uk': 0.25, 'csis': 0.5}
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal, TypeAlias

import numpy as np
import numpy.typing as npt

from . import _validate
from ._format import fmt_number
from ._rng import as_generator
from ._typing import FloatArray, SeedLike
from .distributions import Distribution, LogNormal, Mixture, Normal
from .errors import InputError

__all__ = ["PoolMethod", "Tabulated", "pool", "pool_draws", "pool_weights"]

#: The opinion pools.
PoolMethod: TypeAlias = Literal["linear", "log"]
#: Sources keyed by name, or a sequence (keyed by position).
Key: TypeAlias = str | int

#: Tail probability left outside the grid of a numerical log pool.
_TAIL = 1e-12
#: Most times the grid of a numerical log pool is narrowed onto the pooled mass.
_PASSES = 4


# ============================================================================ tabulated CDF
@dataclasses.dataclass(frozen=True, repr=False)
class Tabulated(Distribution):
    """A distribution given by its CDF at points, linear in between (uniform within cells).

    Parameters
    ----------
    x : tuple of float
        Increasing points, at least two; ``x[0]`` and ``x[-1]`` bound the support.
    p : tuple of float
        The CDF at ``x``: non-decreasing from exactly 0 to exactly 1.

    Examples
    --------
    >>> from attritionsim.pooling import Tabulated
    >>> dist = Tabulated((0.0, 1.0, 3.0), (0.0, 0.5, 1.0))
    >>> dist.ppf(0.75), dist.cdf(0.5), dist.mean()
    (2.0, 0.25, 1.25)
    """

    x: tuple[float, ...]
    p: tuple[float, ...]

    family: ClassVar[str] = "tabulated"
    bounded: ClassVar[bool] = True

    def __post_init__(self) -> None:
        super().__post_init__()
        x = _validate.finite_array("Tabulated.x", self.x)
        p = _validate.probability_array("Tabulated.p", self.p)
        if x.ndim != 1 or x.shape != p.shape or x.size < 2:
            raise InputError(
                "Tabulated needs x and p of the same length, at least 2; "
                f"got {np.shape(self.x)} and {np.shape(self.p)}"
            )
        if not np.isfinite(x).all() or (np.diff(x) <= 0.0).any():
            raise InputError("Tabulated.x must be finite and strictly increasing")
        if (np.diff(p) < 0.0).any() or p[0] != 0.0 or p[-1] != 1.0:
            raise InputError("Tabulated.p must rise from exactly 0 to exactly 1, never falling")
        self._set("x", tuple(float(v) for v in x))
        self._set("p", tuple(float(v) for v in p))

    def _ppf(self, q: FloatArray) -> FloatArray:
        x, p = np.asarray(self.x), np.asarray(self.p)
        # The cell with p[j] <= q < p[j+1] (its mass is positive, so the division is safe).
        j = np.clip(np.searchsorted(p, q, side="right") - 1, 0, p.size - 2)
        frac = (q - p[j]) / (p[j + 1] - p[j])
        return np.asarray(x[j] + frac * (x[j + 1] - x[j]), dtype=np.float64)

    def _cdf(self, x: FloatArray) -> FloatArray:
        return np.asarray(np.interp(x, self.x, self.p), dtype=np.float64)

    @property
    def support(self) -> tuple[float, float]:
        """The first and last points of the table."""
        return self.x[0], self.x[-1]

    def mean(self) -> float:
        """The mean, with the density uniform within each cell."""
        x, p = np.asarray(self.x), np.asarray(self.p)
        return float(np.sum(np.diff(p) * (x[1:] + x[:-1]) / 2.0))

    def _describe(self) -> str:
        return f"{len(self.x)} points on [{fmt_number(self.x[0])}, {fmt_number(self.x[-1])}]"


# ============================================================================ weights
def _keyed(name: str, sources: object) -> dict[Key, Any]:
    """Sources as an ordered dict: a mapping's keys, or a sequence's positions."""
    if isinstance(sources, Mapping):
        items = dict(sources)
    elif isinstance(sources, Sequence) and not isinstance(sources, str | bytes):
        items = dict(enumerate(sources))
    else:
        raise InputError(f"{name} must be a mapping or a sequence of sources; got {sources!r}")
    if not items:
        raise InputError(f"{name} must hold at least one source; got none")
    return items


def _originals(keys: Sequence[Key], depends_on: Mapping[Any, Any] | None) -> dict[Key, Key]:
    """Each source's original: itself, or the end of its chain of restatements."""
    links = dict(depends_on or {})
    valid = [str(k) for k in keys]
    for source, original in links.items():
        for what, key in (("a source", source), (f"what {source!r} restates", original)):
            if key not in keys:
                _validate.choice(f"depends_on: {what}", str(key), valid)
        if source == original:
            raise InputError(f"depends_on: {source!r} cannot restate itself")
    roots: dict[Key, Key] = {}
    for key in keys:
        chain = [key]
        while chain[-1] in links:
            nxt = links[chain[-1]]
            if nxt in chain:
                cycle = " -> ".join(repr(k) for k in [*chain[chain.index(nxt) :], nxt])
                raise InputError(f"depends_on forms a cycle: {cycle}")
            chain.append(nxt)
        roots[key] = chain[-1]
    return roots


def _weights(
    keys: Sequence[Key], weights: object, depends_on: Mapping[Any, Any] | None
) -> dict[Key, float]:
    """Normalised weights after restatements share their original's weight."""
    if weights is None:
        raw = dict.fromkeys(keys, 1.0)
    elif isinstance(weights, Mapping):
        for key in weights:
            if key not in keys:
                _validate.choice("weights: a source", str(key), [str(k) for k in keys])
        raw = {key: weights.get(key, 1.0) for key in keys}
    elif isinstance(weights, Sequence) and not isinstance(weights, str | bytes):
        if len(weights) != len(keys):
            raise InputError(
                f"weights needs one weight per source; got {len(weights)} for {len(keys)} sources"
            )
        raw = dict(zip(keys, weights, strict=True))
    else:
        raise InputError(f"weights must be a mapping or a sequence of numbers; got {weights!r}")
    clean = {key: _validate.finite_real(f"weights[{key!r}]", w) for key, w in raw.items()}
    for key, w in clean.items():
        if w < 0.0:
            raise InputError(f"weights[{key!r}] must be >= 0; got {fmt_number(w)}")
    roots = _originals(keys, depends_on)
    members: dict[Key, float] = {}
    for key, root in roots.items():
        members[root] = members.get(root, 0.0) + clean[key]
    shared = {
        key: clean[root] * clean[key] / members[root] if members[root] > 0.0 else 0.0
        for key, root in roots.items()
    }
    total = math.fsum(shared.values())
    if total <= 0.0:
        raise InputError(f"weights must give some source a positive weight; got {clean}")
    return {key: w / total for key, w in shared.items()}


def pool_weights(
    sources: Mapping[str, object] | Sequence[object],
    weights: Mapping[str, float] | Sequence[float] | None = None,
    *,
    depends_on: Mapping[str, str] | Mapping[int, int] | None = None,
) -> dict[Key, float]:
    """The weights a pool gives its sources, after restatements share their original's weight.

    Parameters
    ----------
    sources : mapping or sequence
        The sources (only their keys, or positions, matter here); a sequence of names works.
        A sequence of names is keyed by the names.
    weights : mapping or sequence of float, optional
        Non-negative weights (default equal); a mapping may leave sources out (weight 1).
    depends_on : mapping, optional
        Source -> the source it restates.

    Returns
    -------
    dict
        Normalised weights (summing to one), by source.

    Raises
    ------
    InputError
        Unknown sources in ``weights`` or ``depends_on``, a cycle of restatements, negative or
        all-zero weights.

    Examples
    --------
    >>> from attritionsim.pooling import pool_weights
    >>> pool_weights(["gs", "uk", "csis"], [2.0, 1.0, 2.0], depends_on={"uk": "gs"})
    {'gs': 0.333..., 'uk': 0.166..., 'csis': 0.5}
    """
    if isinstance(sources, Sequence) and sources and all(isinstance(s, str) for s in sources):
        keys: list[Key] = list(sources)  # type: ignore[arg-type]
        if len(set(keys)) != len(keys):
            raise InputError(f"sources must have distinct names; got {sources!r}")
    else:
        keys = list(_keyed("sources", sources))
    return _weights(keys, weights, depends_on)


# ============================================================================ pools
def pool(
    sources: Mapping[str, Distribution] | Sequence[Distribution],
    weights: Mapping[str, float] | Sequence[float] | None = None,
    method: PoolMethod = "linear",
    *,
    depends_on: Mapping[str, str] | Mapping[int, int] | None = None,
    grid: int = 4097,
) -> Distribution:
    """Pool several sources' distributions of one quantity into one distribution.

    Parameters
    ----------
    sources : mapping of str to Distribution, or sequence of Distribution
        The sources' distributions, by name (or by position).
    weights : mapping or sequence of float, optional
        Non-negative weights, normalised to sum to one (default equal). Sources with weight
        zero are left out.
    method : {"linear", "log"}
        The linear pool (a mixture) or the logarithmic pool (see the module docs).
    depends_on : mapping, optional
        Source -> the source it restates; they share one weight (see :func:`pool_weights`).
    grid : int, default 4097
        Points of the grid for a numerical log pool.

    Returns
    -------
    Distribution
        A single source itself; else for ``"linear"`` a
        :class:`~attritionsim.distributions.Mixture`; for ``"log"`` a
        :class:`~attritionsim.distributions.Normal` (all sources normal), a
        :class:`~attritionsim.distributions.LogNormal` (all lognormal) or a :class:`Tabulated`.
        The pooled distribution's ``origin`` records the method, sources and weights.

    Notes
    -----
    The numerical log pool works on cells rather than densities, since a family supplies its
    CDF: on a grid spanning every source's central ``1 - 2e-12``, each cell's pooled mass is
    ``prod_i (F_i(b) - F_i(a))**w_i`` (which, with weights summing to one, tends to the pooled
    density times the cell's width), normalised. A second grid then spans the pooled mass found
    by the first (its central ``1 - 2e-12``), narrowed again (up to four times) while that
    shrinks it by more than half, and the CDF through its cells is the result.
    Its error in probability is of the order of one cell's mass, ``1 / grid``, at a point where
    a source's density jumps, and far smaller where the densities are smooth.

    Raises
    ------
    InputError
        A source that is not a distribution (pool draws with :func:`pool_draws`), bad weights
        or ``depends_on``, an unknown ``method``, or (log) sources with no common support.

    Examples
    --------
    >>> from attritionsim.distributions import Normal
    >>> from attritionsim.pooling import pool
    >>> pool([Normal(0.0, 1.0), Normal(3.0, 2.0)], method="log")
    Normal(mu=0.6, sigma=1.264911)
    >>> round(pool({"a": Normal(0.0, 1.0), "b": Normal(3.0, 2.0)}, [1, 3]).cdf(0.0), 6)
    0.175105
    """
    items = _keyed("sources", sources)
    for key, dist in items.items():
        if not isinstance(dist, Distribution):
            raise InputError(
                f"sources[{key!r}] must be a Distribution; got {type(dist).__name__} "
                "(pool draws with pool_draws)"
            )
    name = _validate.choice("method", method, ("linear", "log"))
    grid = _validate.positive_int("grid", grid)
    if grid < 16:
        raise InputError(f"grid must be at least 16 points; got {grid}")
    shares = _weights(list(items), weights, depends_on)
    used = {key: dist for key, dist in items.items() if shares[key] > 0.0}
    dists = list(used.values())
    w = [shares[key] for key in used]
    if len(dists) == 1:
        only: Distribution = dists[0]
        return only
    origin = {
        "rule": "pool",
        "method": name,
        "sources": [str(key) for key in used],
        "weights": w,
        "depends_on": {str(k): str(v) for k, v in (depends_on or {}).items()},
    }
    if name == "linear":
        return Mixture(tuple(dists), tuple(w), origin=origin)
    if all(type(d) is Normal for d in dists):
        mu, sigma = _precision_weighted(dists, w)
        return Normal(mu, sigma, origin=origin)
    if all(type(d) is LogNormal for d in dists):
        mu, sigma = _precision_weighted(dists, w)
        return LogNormal(mu, sigma, origin=origin)
    return _log_pool_grid(dists, w, grid, origin)


def _precision_weighted(dists: Sequence[Distribution], w: Sequence[float]) -> tuple[float, float]:
    """The log pool of normals: precision ``sum w/s**2``, mean weighted by ``w/s**2``."""
    mus = np.array([d.params()["mu"] for d in dists])
    prec = np.array(w) / np.array([d.params()["sigma"] for d in dists]) ** 2
    total = math.fsum(prec)
    return math.fsum(prec * mus) / total, 1.0 / math.sqrt(total)


def _log_cells(dists: Sequence[Distribution], w: Sequence[float], edges: FloatArray) -> FloatArray:
    """Normalised pooled cell masses on ``edges``."""
    with np.errstate(divide="ignore"):
        log_mass = sum(
            weight * np.log(np.maximum(np.diff(d.cdf_unchecked(edges)), 0.0))
            for weight, d in zip(w, dists, strict=True)
        )
    log_mass = np.asarray(log_mass, dtype=np.float64)
    peak = np.max(log_mass)
    if not np.isfinite(peak):
        raise InputError(
            "log pool: the sources have no support in common (every value is ruled out by some "
            "source); use method='linear'"
        )
    mass = np.exp(log_mass - peak)
    return np.asarray(mass / math.fsum(mass), dtype=np.float64)


def _log_pool_grid(
    dists: Sequence[Distribution], w: Sequence[float], grid: int, origin: Mapping[str, Any]
) -> Tabulated:
    ends = np.array([d.ppf([_TAIL, 1.0 - _TAIL]) for d in dists])
    edges = np.linspace(ends[:, 0].min(), ends[:, 1].max(), grid)
    cum = np.concatenate([[0.0], np.cumsum(_log_cells(dists, w, edges))])
    for _ in range(_PASSES):  # zoom in on the pooled mass until the grid stops shrinking
        lo = edges[max(int(np.searchsorted(cum, _TAIL, side="right")) - 1, 0)]
        hi = edges[min(int(np.searchsorted(cum, 1.0 - _TAIL, side="left")), grid - 1)]
        shrink = (hi - lo) / (edges[-1] - edges[0])
        edges = np.linspace(lo, hi, grid)
        cum = np.concatenate([[0.0], np.cumsum(_log_cells(dists, w, edges))])
        if shrink > 0.5:
            break
    cum = np.minimum(cum / cum[-1], 1.0)
    cum[-1] = 1.0
    # Trim the empty cells at both ends so the support is where the pooled mass is.
    first = max(int(np.flatnonzero(cum > 0.0)[0]) - 1, 0)
    last = int(np.flatnonzero(cum >= 1.0)[0])
    return Tabulated(
        tuple(edges[first : last + 1]), tuple(cum[first : last + 1]), origin=dict(origin)
    )


def pool_draws(
    draws: Mapping[str, npt.ArrayLike] | Sequence[npt.ArrayLike],
    weights: Mapping[str, float] | Sequence[float] | None = None,
    *,
    rng: SeedLike,
    size: int | None = None,
    depends_on: Mapping[str, str] | Mapping[int, int] | None = None,
) -> FloatArray:
    """The linear pool of sources given as draws: weighted resampling.

    The rule, deterministic given ``rng``:

    1. ``size`` draws are shared out by the largest-remainder rule: source ``i`` gets
       ``floor(w_i * size)``, and the draws left over go one each to the sources with the
       largest remainders ``w_i * size - floor(w_i * size)`` (ties to the earlier source).
       The shares thus match the weights exactly, with no multinomial noise.
    2. In the order the sources are given, source ``i``'s draws are chosen with
       ``rng.choice(len_i, n_i, replace=n_i > len_i)``: without replacement when it has enough.
    3. The chosen draws, concatenated in source order, are shuffled with ``rng.permutation``,
       so that draws can be paired with other quantities by index.

    Parameters
    ----------
    draws : mapping of str to 1-d array, or sequence of 1-d arrays
        Each source's draws (finite numbers).
    weights : mapping or sequence of float, optional
        Non-negative weights (default equal).
    rng : int or numpy.random.Generator
        The seed or generator used for the choice and the shuffle.
    size : int, optional
        Number of pooled draws; default the length of the longest source.
    depends_on : mapping, optional
        Source -> the source it restates; they share one weight (see :func:`pool_weights`).

    Returns
    -------
    numpy.ndarray
        ``size`` pooled draws.

    Raises
    ------
    InputError
        A source that is not a non-empty 1-d array of finite numbers, bad weights,
        ``depends_on``, ``size`` or ``rng``.

    Examples
    --------
    >>> import numpy as np
    >>> from attritionsim.pooling import pool_draws
    >>> pooled = pool_draws({"a": np.zeros(1000), "b": np.ones(1000)}, [3, 1], rng=1)
    >>> pooled.size, float(pooled.mean())
    (1000, 0.25)
    """
    items = _keyed("draws", draws)
    arrays: dict[Key, FloatArray] = {}
    for key, values in items.items():
        arr = _validate.finite_array(f"draws[{key!r}]", values)
        if arr.ndim != 1 or arr.size == 0 or not np.isfinite(arr).all():
            raise InputError(
                f"draws[{key!r}] must be a non-empty 1-d array of finite numbers; "
                f"got shape {arr.shape}"
            )
        arrays[key] = arr
    n = (
        max(a.size for a in arrays.values())
        if size is None
        else _validate.positive_int("size", size)
    )
    gen = as_generator(rng)
    shares = _weights(list(arrays), weights, depends_on)
    counts = _apportion(np.array([shares[key] for key in arrays]), n)
    chosen = [
        arr[gen.choice(arr.size, int(k), replace=int(k) > arr.size)]
        for arr, k in zip(arrays.values(), counts, strict=True)
    ]
    return np.asarray(gen.permutation(np.concatenate(chosen)), dtype=np.float64)


def _apportion(shares: FloatArray, n: int) -> npt.NDArray[np.int64]:
    """Whole counts summing to ``n`` in proportion to ``shares`` (largest remainders)."""
    exact = shares * n
    counts = np.floor(exact).astype(np.int64)
    left = n - int(counts.sum())
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:left]] += 1
    return counts
