"""Sampling designs: the uniforms behind every draw, and the Gaussian copula.

Every input is sampled through its inverse CDF, so a design only has to say which uniform on
(0, 1) each input gets at each draw. Three designs share that one code path:

``"mc"``
    Plain Monte Carlo: each input's own counter-based stream (see :mod:`attritionsim._rng`).
``"lhs"``
    Latin hypercube: draw ``i`` of an input falls in stratum ``perm(i)`` of ``draws`` equal
    strata, at a uniform position inside it taken from the input's stream. ``perm`` is a
    pseudo-random permutation of ``range(draws)`` that is *evaluated* at each index (a keyed
    Feistel network with cycle-walking) rather than stored, so any block of draws is computed
    directly and the memory stays proportional to the block.
``"sobol"``
    Scrambled Sobol points from :class:`scipy.stats.qmc.Sobol`, one dimension per random input in
    order of name, scrambled from the seed. Blocks are reached with ``fast_forward``. The point
    set is joint, so, unlike ``mc`` and ``lhs``, an input's draws change when inputs are added
    or removed (reordering does not change them). Balance needs ``draws`` to be a power of two.

Correlations are imposed by a Gaussian copula: uniforms become standard normal scores, the
scores are mixed by the Cholesky factor of the normal correlation matrix, and mapped back to
uniforms. Spearman's ``rho`` is converted to the normal correlation ``2 sin(pi rho / 6)``, which
gives exactly that rank correlation whatever the marginal families. With ``lhs`` the first input
of each correlated group keeps its stratification; the others stay uniform but not stratified.
"""

from __future__ import annotations

import itertools
import math
import numbers
import warnings
from collections.abc import Mapping, Sequence
from typing import Final, Literal, get_args

import numpy as np
from scipy import special
from scipy.stats import qmc

from . import _rng
from ._format import fmt_value
from ._typing import FloatArray
from .errors import InputError

__all__ = ["METHODS", "Copula", "Method", "lhs_strata", "spearman_to_pearson", "uniforms"]

Method = Literal["mc", "lhs", "sobol"]
METHODS: Final = get_args(Method)

_FEISTEL_ROUNDS = 6
_SOBOL_BITS = 30
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def uniforms(
    method: Method, seed: int, names: Sequence[str], start: int, stop: int, draws: int
) -> dict[str, FloatArray]:
    """Uniforms on (0, 1) for draws ``start`` to ``stop - 1`` of each input in ``names``.

    Parameters
    ----------
    method : {"mc", "lhs", "sobol"}
        The design.
    seed : int
        The run's seed.
    names : sequence of str
        The random inputs.
    start, stop : int
        The block of draws, ``0 <= start <= stop <= draws``.
    draws : int
        The total number of draws of the run (the number of strata for ``lhs``).

    Returns
    -------
    dict of str to ndarray
        One array of ``stop - start`` uniforms per name.

    Examples
    --------
    >>> u = uniforms("lhs", 1, ["ru"], 0, 4, 4)["ru"]
    >>> sorted((u * 4).astype(int).tolist())
    [0, 1, 2, 3]
    """
    if method == "mc":
        return {name: _rng.stream_uniforms(seed, name, start, stop) for name in names}
    if method == "lhs":
        out = {}
        for name in names:
            strata = lhs_strata(seed, name, start, stop, draws).astype(np.float64)
            strata += _rng.stream_uniforms(seed, name, start, stop)
            strata /= draws
            # The top stratum plus a uniform within 2**-53 of 1 can round up to exactly 1.
            np.minimum(strata, 1.0 - 2.0**-53, out=strata)
            out[name] = strata
        return out
    if method == "sobol":
        return _sobol(seed, names, start, stop)
    raise InputError(f"method must be one of {', '.join(METHODS)}; got {method!r}")


# ---------------------------------------------------------------------------- Latin hypercube
def lhs_strata(seed: int, name: str, start: int, stop: int, draws: int) -> np.ndarray:
    """The strata of draws ``start`` to ``stop - 1``: a keyed permutation of ``range(draws)``.

    >>> strata = lhs_strata(3, "x", 0, 10, 10)
    >>> sorted(strata.tolist()) == list(range(10))
    True
    >>> bool((lhs_strata(3, "x", 4, 7, 10) == strata[4:7]).all())
    True
    """
    half_bits = max(1, math.ceil(math.log2(max(draws, 2)) / 2))
    keys = _rng.stream_words(seed, name, 0, _FEISTEL_ROUNDS, purpose="lhs-strata")
    out = _feistel(np.arange(start, stop, dtype=np.uint64), keys, half_bits)
    walking = out >= draws
    while walking.any():  # cycle-walking: the domain is less than 4x draws, so this ends fast
        out[walking] = _feistel(out[walking], keys, half_bits)
        walking = out >= draws
    return out


def _feistel(x: np.ndarray, keys: np.ndarray, half_bits: int) -> np.ndarray:
    """A balanced Feistel network on ``2 * half_bits``-bit integers: a bijection of its domain."""
    mask = np.uint64((1 << half_bits) - 1)
    shift = np.uint64(half_bits)
    left, right = x >> shift, x & mask
    for key in keys:
        left, right = right, left ^ (_mix(right ^ key) & mask)
    out: np.ndarray = (left << shift) | right
    return out


def _mix(z: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser: a cheap, well-mixing map of 64-bit words."""
    z = z * _MIX1
    z ^= z >> np.uint64(31)
    z = z * _MIX2
    z ^= z >> np.uint64(29)
    return z


# ---------------------------------------------------------------------------- Sobol
def _sobol(seed: int, names: Sequence[str], start: int, stop: int) -> dict[str, FloatArray]:
    order = sorted(names)
    if not order:
        return {}
    engine = qmc.Sobol(
        d=len(order),
        scramble=True,
        bits=_SOBOL_BITS,
        rng=_rng.stream_generator(seed, "", purpose="sobol-scramble"),
    )
    if start:
        engine.fast_forward(start)
    with warnings.catch_warnings():  # the caller warns once about non-power-of-two runs
        warnings.simplefilter("ignore", UserWarning)
        points = engine.random(stop - start)
    points += 2.0 ** -(_SOBOL_BITS + 1)  # the centre of each cell: strictly inside (0, 1)
    return {name: np.ascontiguousarray(points[:, j]) for j, name in enumerate(order)}


# ---------------------------------------------------------------------------- copula
def _rho(a: object, b: object, rho: object) -> float:
    """A Spearman ``rho`` in (-1, 1) for the pair ``(a, b)``, or an InputError naming the pair."""
    where = f"correlations: rho for ({a!r}, {b!r})"
    if isinstance(rho, bool) or not isinstance(rho, numbers.Real):
        raise InputError(f"{where} must be a number in (-1, 1); got {fmt_value(rho)}")
    try:
        value = float(rho)
    except OverflowError:  # an int beyond the float range
        value = math.inf
    if not -1.0 < value < 1.0:
        raise InputError(f"{where} must be in (-1, 1); got {fmt_value(rho)}")
    return value


def _cholesky(matrix: FloatArray) -> FloatArray | None:
    """The lower Cholesky factor of ``matrix``, or ``None`` if it is not positive definite."""
    try:
        factor = np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        return None
    return np.asarray(factor, dtype=np.float64)


def _culprits(matrix: FloatArray) -> tuple[int, ...]:
    """Indices of a minimal principal submatrix of ``matrix`` that is not positive definite.

    Empty if ``matrix`` is positive definite. Polynomial: one eigen-decomposition, then one
    deletion pass of at most ``n`` Cholesky factorisations.
    """
    if _cholesky(matrix) is not None:
        return ()
    _, vectors = np.linalg.eigh(matrix)
    weight = np.abs(vectors[:, 0])  # how much each input takes part in the worst direction
    keep = list(range(len(matrix)))
    for i in sorted(keep, key=lambda k: (weight[k], -k)):  # least involved first
        rest = [k for k in keep if k != i]
        if len(rest) >= 2 and _cholesky(matrix[np.ix_(rest, rest)]) is None:
            keep = rest
    return tuple(keep)


def spearman_to_pearson(rho: float | FloatArray) -> float | FloatArray:
    """The normal correlation whose Gaussian copula has Spearman rank correlation ``rho``.

    >>> round(float(spearman_to_pearson(0.5)), 6)
    0.517638
    """
    return 2.0 * np.sin(np.pi * np.asarray(rho) / 6.0)


class Copula:
    """A Gaussian copula over some inputs, from pairwise Spearman rank correlations.

    Parameters
    ----------
    correlations : mapping of (str, str) to float
        Spearman's ``rho`` in (-1, 1) for each correlated pair; unlisted pairs are independent.

    Raises
    ------
    InputError
        A ``rho`` outside (-1, 1), a pair listed twice or with itself, or correlations that
        cannot hold together (the normal correlation matrix is not positive definite; the
        message names the smallest group of inputs at fault).

    Examples
    --------
    >>> cop = Copula({("ru", "ua"): 0.3})
    >>> cop.names
    ('ru', 'ua')
    """

    def __init__(self, correlations: Mapping[tuple[str, str], float]) -> None:
        names: list[str] = []
        seen: set[frozenset[str]] = set()
        for pair in correlations:
            if not (isinstance(pair, tuple) and len(pair) == 2):
                raise InputError(f"correlations: keys must be pairs of input names; got {pair!r}")
            a, b = pair
            if a == b:
                raise InputError(f"correlations: {a!r} cannot be correlated with itself")
            if frozenset(pair) in seen:
                raise InputError(f"correlations: the pair ({a!r}, {b!r}) is given twice")
            seen.add(frozenset(pair))
            names.extend(n for n in pair if n not in names)
        self.names: tuple[str, ...] = tuple(names)
        index = {name: i for i, name in enumerate(self.names)}
        self.spearman = np.eye(len(names))
        for (a, b), rho in correlations.items():
            value = _rho(a, b, rho)
            self.spearman[index[a], index[b]] = self.spearman[index[b], index[a]] = value
        self.pearson = np.asarray(spearman_to_pearson(self.spearman))
        np.fill_diagonal(self.pearson, 1.0)
        factor = _cholesky(self.pearson)
        if factor is None:
            raise InputError(self._not_positive_definite())
        self.cholesky = factor
        self._untouched = np.all(self.cholesky == np.eye(len(names)), axis=1)

    def culprits(self) -> tuple[str, ...]:
        """A minimal group of inputs whose correlations cannot hold together (empty if they can).

        Minimal: leaving out any one input of the group makes its correlations consistent. The
        search takes ``len(names) + 1`` Cholesky factorisations at most: an eigen-decomposition
        ranks the inputs by their weight in the direction of the most negative eigenvalue, and
        one pass tries to leave out each input, least involved first, keeping it out whenever
        the rest still cannot hold together (a principal submatrix of a positive definite matrix
        is positive definite, so one pass is enough).

        Examples
        --------
        >>> Copula({("a", "b"): 0.5}).culprits()
        ()
        """
        return tuple(self.names[i] for i in _culprits(self.pearson))

    def _not_positive_definite(self) -> str:
        group = _culprits(self.pearson)
        pairs = ", ".join(
            f"{self.names[i]}~{self.names[j]} {self.spearman[i, j]:g}"
            for i, j in itertools.combinations(group, 2)
            if self.spearman[i, j] != 0.0
        )
        return (
            "correlations cannot hold together (the correlation matrix is not "
            f"positive definite) among {', '.join(self.names[i] for i in group)}: "
            f"{pairs}; weaken one of them"
        )

    def apply(self, u: Mapping[str, FloatArray]) -> dict[str, FloatArray]:
        """Correlate the uniforms of the copula's inputs; return the new uniforms by name."""
        if not self.names:
            return {}
        z = [special.ndtri(u[name]) for name in self.names]
        # Elementwise products and sums, not a matrix product: BLAS may round differently with
        # the block's shape, and results must not depend on the chunk size.
        out: dict[str, FloatArray] = {}
        for i, row in enumerate(self.cholesky):
            name = self.names[i]
            if self._untouched[i]:
                # Inputs the mixing leaves alone (the first of the group) keep their exact
                # uniforms, and with them their Latin-hypercube strata.
                out[name] = u[name]
                continue
            mixed = np.multiply(row[0], z[0])
            for j in range(1, i + 1):
                mixed += row[j] * z[j]
            # ndtr of the lower tail (-|z|) keeps the upper tail's precision: the same bits as
            # ndtr(z) below 0 and 1 - ndtr(-z) above, for one ndtr instead of two.
            tail = special.ndtr(-np.abs(mixed))
            upper = mixed >= 0.0
            np.subtract(1.0, tail, out=tail, where=upper)
            # clip keeps every inverse CDF finite.
            np.clip(tail, 2.0**-54, 1.0 - 2.0**-53, out=tail)
            out[name] = tail
        return out
