"""From Monte Carlo draws to citable credible intervals.

The functions here turn the draws of one quantity (a :class:`xarray.DataArray` with a ``draw``
dimension, or a 1-d array) or of a whole results :class:`xarray.Dataset` into the numbers a
report quotes: a median, a mean, an equal-tailed interval (ETI), a highest-density interval
(HDI), and the Monte Carlo standard error (MCSE) of every one of them, and into a JSON-ready
dictionary (:func:`summarize`): xarray and Dataset glue over the numpy kernels of
:mod:`attritionsim._orderstats`. Sentences and tables are :mod:`attritionsim.citation`'s.

Kinds of quantity
-----------------
* **Numbers** (any integer or float dtype) are summarised as they are. ``inf`` is allowed (it
  sorts above every number). :func:`summarize` (and :func:`attritionsim.cite`) leave out the
  *invalid* draws: NaN (no valid value, as ``0 / 0``) or outside the quantity's domain
  (:mod:`attritionsim.domain`: a share outside [0, 1], a negative count, rate or ratio, or
  outside a declared ``domain``); every figure is then of the valid draws, and the entry
  records their share as ``"invalid"``. :func:`interval` and the ``mcse_*`` functions take
  the draws as given and refuse NaN, naming the quantity and how many draws are NaN.
* **Dates** (``datetime64``) are summarised on their int64 nanoseconds, as offsets from the
  earliest date. ``NaT`` means "never" (a threshold that is never crossed) and sorts after
  every date, as if it were infinitely late: a median or bound that falls among the NaT draws
  is NaT, and a mean over draws that include NaT is NaT. MCSEs of dates are in days.
* **Booleans** are summarised by the probability that they are true.

Intervals
---------
``kind="eti"``
    The quantiles ``(1 - level) / 2`` and ``(1 + level) / 2``, computed with the formula of
    :func:`numpy.quantile`'s default ``method="linear"``: for finite draws below ``2**500`` in
    size the bounds are bit for bit ``numpy.quantile(draws, [(1 - level) / 2, (1 + level) /
    2])``, the probabilities as Python computes them (``(1 - 0.9) / 2`` is
    ``0.04999999999999999``, so ``numpy.quantile(draws, 0.05)`` with the literal may differ
    by an ulp or a few). Larger draws are summarised scaled by a power of two, which can move
    a bound by an ulp where tiny values sit beside huge ones.
    Two equal infinite neighbours give that infinity rather than NaN.
``kind="hdi"``
    The shortest interval holding ``ceil(level * n)`` of the ``n`` sorted draws (the lowest such
    window if several tie). For a multimodal distribution this is still one interval, and it
    may span a low-density gap between modes; its bounds can then jump between near-tied
    windows from one run to the next (their MCSE says so). Prefer the ETI for such quantities.

Monte Carlo standard errors
---------------------------
The estimators are the kernels of :mod:`attritionsim._orderstats` (its docstring gives the
methods): ``mcse_quantile`` from order statistics (no density estimate); ``mcse_interval``
with ``kind="hdi"`` from a bootstrap of the shortest-window search, because where the window
sits is itself uncertain and that uncertainty shrinks only like ``n**(-1/3)`` (like ``1/n`` at
the edge of a support, as for an exponential). In calibration runs (``n = 2000``,
``level = 0.9``) the quantile MCSE at the chosen window covered only 51-75% instead of 95%,
and batch means over 20 or 50 batches 60-82%. Above 16,384 draws the bootstrap runs on that
many evenly spaced order statistics and the window-position part of its variance is scaled to
``n`` draws (3-5 ms per quantity at any size on one core). ``mcse_mean``: ``sd / sqrt(n)``;
``mcse_probability``: ``sqrt(p (1 - p) / n)``.

Each quantity is copied once as float64 and sorted in place (numpy's vectorised sort; every
figure reads the sorted draws). Selecting only the order statistics the figures read
(``numpy.partition`` at the tails and the middle) was measured and is not worth it: against a
vectorised sort it saves about a sixth of the sorting time at 10^6 draws, costs more at 10^7,
and would change the mean's last bits (a pairwise sum depends on the order of the draws).

All of these assume iid draws (``method="mc"``) unless the draws say otherwise: a Dataset, or
a DataArray, whose ``attrs`` carry ``ess`` (the effective sample size, as
:func:`attritionsim.synthesize` sets it for its resampled and moved paths) has every MCSE
computed for ``ess`` draws' worth of information instead of the raw number (a variable's own
``ess`` wins over its Dataset's). Latin-hypercube and Sobol draws are negatively dependent by
design and their true Monte Carlo error is smaller: the iid MCSE is conservative for them.

Calibration (``tests/test_summary.py`` checks it): over 1000 replications of ``n = 2000``
draws at ``level = 0.9``, the estimate lay within 1.96 MCSE of the true value in this share
of replications:

===========  ======  =========  ==========  =========  ==========
draws from   median  ETI low    ETI high    HDI low    HDI high
===========  ======  =========  ==========  =========  ==========
exponential  0.944   0.947      0.926       0.958      0.942
gamma(3)     0.941   0.926      0.935       0.951      0.938
===========  ======  =========  ==========  =========  ==========

(normal and lognormal(0.5) gave 0.94-0.95 throughout). Two known weak spots: with few draws
(a few hundred) tail quantiles' MCSE is optimistic (80-93%), as for every order-statistic
method; and where the density climbs steeply from zero (lognormal with sigma = 1) the HDI's
lower bound is biased inward by about 0.75 of its MCSE, and coverage drops to about 86%.
``benchmarks/calibration.py`` measures the HDI MCSE above the thinning size (10^5 and 10^6
draws) against the spread of the bounds over many seeds.

How the figures are written (digits, sentences, tables) is :mod:`attritionsim.citation`'s.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Hashable, Iterable
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt
import xarray as xr

from . import _dates, _orderstats, _validate
from ._typing import FloatArray
from ._validate import DEFAULT_LEVEL
from ._version import __version__
from .domain import Domain, Invalid, count_invalid, domain_of, valid_mask
from .errors import InputError

if TYPE_CHECKING:  # at run time, through __getattr__ below (citation imports this module)
    from .citation import cite as cite
    from .citation import to_csv as to_csv
    from .citation import to_latex as to_latex
    from .citation import to_markdown as to_markdown

__all__ = [
    "Bound",
    "IntervalKind",
    "family_ess",
    "interval",
    "mcse_interval",
    "mcse_mean",
    "mcse_probability",
    "mcse_quantile",
    "summarize",
]

#: Which interval: equal-tailed (``"eti"``) or highest-density (``"hdi"``).
IntervalKind: TypeAlias = Literal["eti", "hdi"]
#: A bound of an interval: a float for numbers, a ``numpy.datetime64`` (s) for dates.
Bound: TypeAlias = float | np.datetime64
#: What the draws of one quantity may be passed as.
Draws: TypeAlias = xr.DataArray | npt.ArrayLike

_KINDS = ("eti", "hdi")
#: Dates are summarised in whole seconds (:func:`._dates.whole_seconds`): datetime64[s] spans
#: far more than any crossing date can (nanoseconds stop at the years 1678 and 2262); a bound
#: never rounds past the last of them.
_LAST_SECOND = int(np.iinfo(np.int64).max)
#: Numbers beyond this size are summarised scaled by a power of two (exactly), so that the
#: spreads, variances and interpolations on the way never overflow near the float limit.
_SCALE_ABOVE = 2.0**500


# --------------------------------------------------------------------------------------------
# Draws in, sorted floats out
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Sample:
    """The draws of one quantity, sorted, as float64.

    Dates are seconds after ``anchor`` (the earliest date, ``last`` the latest) with NaT as
    ``+inf``; booleans are 0.0 / 1.0, left in draw order (only their mean is read). Numbers
    beyond ``2**500`` are divided by ``scale``, a power of two (exact), and multiplied back on
    the way out. ``ess`` is the draws' effective sample size (``None``: iid, the number of
    draws), which every MCSE uses. ``invalid`` counts the draws left out as invalid (NaN or
    outside the domain) when the sample was made with ``valid_only``: ``values`` then holds
    the valid draws only.
    """

    name: str
    units: str
    kind: Literal["number", "date", "bool"]
    values: FloatArray
    anchor: int = 0
    last: int | None = None
    scale: float = 1.0
    ess: float | None = None
    invalid: Invalid | None = None

    @property
    def n(self) -> int:
        return int(self.values.size)

    def never(self) -> int:
        """How many draws are NaT (dates only)."""
        if self.kind != "date":
            return 0
        return int(self.n - np.searchsorted(self.values, np.inf))

    def to_bound(self, value: float) -> Bound:
        """A value on the internal scale, back on the quantity's own (date or float)."""
        if self.kind != "date":
            return self.to_number(value)
        if not math.isfinite(value):
            return _dates.NAT
        # float offsets reach 1.8e19 s; rounding must not carry a bound past the draws
        last = self.last if self.last is not None else _LAST_SECOND
        seconds = min(max(self.anchor + round(value), self.anchor), last)
        return _dates.from_seconds(seconds)

    def to_number(self, value: float) -> float:
        """A number on the internal scale, back on the quantity's own."""
        return float(value) * self.scale

    def to_error(self, value: float) -> float:
        """An MCSE on the internal scale, in the quantity's units (days for dates)."""
        if self.kind == "date":
            return float(value) / _dates.SECONDS_PER_DAY
        return float(value) * self.scale


def _ess_attr(where: str, attrs: Any) -> float | None:
    """The ``ess`` attribute of ``attrs`` (a positive number), or ``None`` without one."""
    value = attrs.get("ess") if hasattr(attrs, "get") else None
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise InputError(f"{where}.attrs['ess'] must be a number > 0; got {value!r}")
    ess = float(value)
    if not (math.isfinite(ess) and ess > 0.0):
        raise InputError(f"{where}.attrs['ess'] must be a finite number > 0; got {value!r}")
    return ess


def sample_of(
    draws: object,
    name: str | None = None,
    *,
    ess: float | None = None,
    valid_only: bool = False,
    domain: Domain | None = None,
    into: FloatArray | None = None,
) -> Sample:
    """Validate the draws of one quantity and sort them (one float64 copy, sorted in place).

    ``ess``: the effective sample size to use when ``draws`` (a DataArray) has no ``ess``
    attribute of its own (e.g. its Dataset's); ``None``: the number of draws.
    ``valid_only``: numbers that are NaN or outside their domain (``domain``, else the
    DataArray's, :func:`attritionsim.domain.domain_of`) are left out and counted in
    ``Sample.invalid`` instead of refused; with every draw valid the sample is the same.
    ``into``: a float64 buffer of at least as many values to sort them in (:func:`summarize`
    reuses one for every quantity); the sample's values are then a view of it, good until it
    is reused.
    """
    sample = _sorted_sample(draws, name, valid_only, domain, into)
    if isinstance(draws, xr.DataArray):
        ess = family_ess(draws) or _ess_attr(repr(sample.name), draws.attrs) or ess
    return sample if ess is None else dataclasses.replace(sample, ess=ess)


def family_ess(draws: xr.DataArray) -> float | None:
    """The quantity's own effective sample size, from a ``family`` coordinate along ``draw``.

    Draws of a sequential Monte Carlo sampler (e.g. :func:`~attritionsim.synthesize`) carry
    each particle's "Eve" family. The ESS is then the Chan-Lai estimate for the indicator
    "at or below the median" (for a yes/no quantity: the value itself), a quantity's own, so
    that its MCSEs match the spread over seeds more closely than one ``ess`` for a whole
    synthesis (measured in ``tests/test_synthesis.py``). ``None`` without such a coordinate.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> da = xr.DataArray([1.0, 2.0, 3.0, 4.0], dims="draw",
    ...                   coords={"family": ("draw", [0, 0, 1, 1])})
    >>> family_ess(da)
    2.0
    """
    coord = draws.coords.get("family")
    if coord is None or draws.ndim != 1 or coord.dims != draws.dims:
        return None
    family = np.asarray(coord.values)
    if family.dtype.kind not in "iu" or (family.size and int(family.min()) < 0):
        raise InputError(
            f"{draws.name!r}: its 'family' coordinate must hold particle indices (integers "
            f">= 0); got dtype {family.dtype}"
        )
    raw = np.asarray(draws.values)
    if raw.dtype.kind == "b":
        flags = raw.astype(np.float64)
    else:
        if raw.dtype.kind == "M":
            nat = np.isnat(raw)
            key = np.where(nat, np.inf, raw.astype("datetime64[s]").astype(np.float64))
        else:
            key = raw.astype(np.float64)
            kept = ~np.isnan(key)  # draws without a value are left out of the figures
            key, family = key[kept], family[kept]
            if key.size == 0:
                return None
        flags = (key <= np.median(key)).astype(np.float64)
    return _orderstats.family_ess(flags, family)


def _floats(raw: npt.NDArray[Any], into: FloatArray | None) -> FloatArray:
    """``raw`` as a new float64 array, or copied into the start of ``into``."""
    if into is None or into.size < raw.size:
        return raw.astype(np.float64)
    out = into[: raw.size]
    np.copyto(out, raw, casting="unsafe")
    return out


def _sorted_sample(
    draws: object,
    name: str | None,
    valid_only: bool = False,
    domain: Domain | None = None,
    into: FloatArray | None = None,
) -> Sample:
    units = ""
    if isinstance(draws, xr.Dataset):
        raise InputError(
            "draws must be one quantity (a DataArray such as ds['name'] or a 1-d array); "
            f"got a Dataset with variables {', '.join(map(repr, draws.data_vars))}"
        )
    if isinstance(draws, xr.DataArray):
        label = name or (str(draws.name) if draws.name is not None else "draws")
        units = str(draws.attrs.get("units", ""))
        if draws.ndim > 1:
            raise InputError(
                f"{label!r} has dimensions {draws.dims}; one value per draw is needed, "
                f"so select the other dimensions first (e.g. da.isel({draws.dims[-1]}=-1))"
            )
        raw = np.asarray(draws.values)
    else:
        label = name or "draws"
        try:
            raw = np.asarray(draws)
        except (TypeError, ValueError) as err:
            raise InputError(f"{label!r} must be an array of draws; got {draws!r}") from err
        if raw.ndim > 1:
            raise InputError(f"{label!r} must be 1-d (one value per draw); got shape {raw.shape}")
    if raw.ndim == 0:  # a constant: the same value in every draw, known without error
        raw = np.repeat(raw, 2)
    if raw.size == 0:
        raise InputError(f"{label!r} has no draws; need at least one")
    kind = raw.dtype.kind
    if kind == "b":  # only their share is read, and a sum of 0s and 1s is exact in any order
        return Sample(label, units, "bool", _floats(raw, into))
    if kind == "M":
        return _date_sample(label, units, _dates.whole_seconds(raw), into)
    if kind not in "iuf":
        raise InputError(
            f"{label!r} must hold numbers, dates (datetime64) or booleans; got dtype {raw.dtype}"
        )
    values = _floats(raw, into)  # a copy of our own, sorted in place
    invalid = None
    if valid_only:
        if domain is None and isinstance(draws, xr.DataArray):
            domain = domain_of(draws.attrs)
        invalid = count_invalid(values, domain)
        if invalid.total:
            values = values[valid_mask(values, domain)]
    values.sort()
    if values.size and np.isnan(values[-1]):  # NaN sorts last
        nans = int(np.count_nonzero(np.isnan(values)))
        raise InputError(
            f"{label!r} has {nans:,} NaN draws out of {values.size:,}; NaN is not a value "
            "(infinities are allowed) - drop or fix those draws first"
        )
    # the largest finite size is at one end of the finite draws
    first = int(np.searchsorted(values, -np.inf, side="right"))
    stop = int(np.searchsorted(values, np.inf, side="left"))
    top = max(abs(float(values[first])), abs(float(values[stop - 1]))) if first < stop else 0.0
    scale = 1.0
    if top > _SCALE_ABOVE:  # a power of two: exact, and it keeps the order
        scale = math.ldexp(1.0, math.frexp(top)[1] - 500)
        values /= scale
    return Sample(label, units, "number", values, scale=scale, invalid=invalid)


def _date_sample(
    label: str, units: str, secs: npt.NDArray[np.int64], into: FloatArray | None
) -> Sample:
    """Dates (int64 seconds, NaT as :data:`._dates.NAT_CODE`) as sorted offsets from the first."""
    secs.sort()  # a copy of our own (astype); NaT, the smallest int64, sorts first
    nat = int(np.searchsorted(secs, _dates.NAT_CODE, side="right"))
    anchor = int(secs[nat]) if nat < secs.size else 0
    last = int(secs[-1]) if nat < secs.size else 0
    offsets = np.empty(secs.size) if into is None or into.size < secs.size else into[: secs.size]
    # exact even where the span exceeds int64 (dates 2.9e11 years apart): in uint64; the
    # offsets of sorted dates are sorted, and NaT is infinitely late
    with np.errstate(over="ignore"):
        span = secs[nat:].view(np.uint64) - np.uint64(anchor % 2**64)
    offsets[: secs.size - nat] = span
    offsets[secs.size - nat :] = np.inf
    return Sample(label, units, "date", offsets, anchor, last)


def _kind(value: object) -> IntervalKind:
    return "hdi" if _validate.choice("kind", value, _KINDS) == "hdi" else "eti"


def _numeric(sample: Sample, what: str) -> None:
    if sample.kind == "bool":
        raise InputError(
            f"{sample.name!r} is boolean: {what} of a yes/no quantity is not defined; "
            "use mcse_probability() or summarize() for the probability that it is true"
        )


# --------------------------------------------------------------------------------------------
# Public: intervals and their Monte Carlo standard errors
# --------------------------------------------------------------------------------------------


def _interval(sample: Sample, level: float, kind: IntervalKind) -> tuple[float, float]:
    xs = sample.values
    if kind == "hdi":
        low, high, _ = _orderstats.hdi(xs, _orderstats.window(sample.n, level))
        return low, high
    return _orderstats.quantile(xs, (1.0 - level) / 2.0), _orderstats.quantile(
        xs, (1.0 + level) / 2.0
    )


def _mcse_bounds(sample: Sample, level: float, kind: IntervalKind) -> tuple[float, float]:
    xs, ess = sample.values, sample.ess
    if kind == "hdi":
        return _orderstats.mcse_hdi(xs, level, ess=ess)
    return _orderstats.mcse_quantile(xs, (1.0 - level) / 2.0, ess=ess), _orderstats.mcse_quantile(
        xs, (1.0 + level) / 2.0, ess=ess
    )


def interval(
    draws: Draws, /, level: float = DEFAULT_LEVEL, *, kind: IntervalKind = "eti"
) -> tuple[Bound, Bound]:
    """Credible interval of one quantity's draws.

    Parameters
    ----------
    draws : xarray.DataArray or array_like
        The draws: 1-d (one value per draw), numbers or ``datetime64`` dates.
    level : float, default 0.9
        Probability inside the interval, in [0.01, 1).
    kind : {"eti", "hdi"}, default "eti"
        ``"eti"``: equal-tailed, the quantiles ``(1 - level) / 2`` and ``(1 + level) / 2``
        (numpy's default ``"linear"`` interpolation). ``"hdi"``: highest-density, the
        narrowest window of ``ceil(level * n)`` sorted draws. For a multimodal quantity the HDI
        is still one interval and may span a low-density gap; prefer the ETI there.

    Returns
    -------
    tuple
        ``(low, high)``: floats for numbers; ``numpy.datetime64`` (ns) for dates. NaT draws
        ("never") sort after every date, so a bound that falls among them is NaT.

    Raises
    ------
    InputError
        If ``level`` is not in [0.01, 1), ``kind`` is unknown, there are no draws, the draws are
        boolean, or some are NaN (the message says how many).

    Examples
    --------
    >>> import numpy as np
    >>> draws = np.linspace(0.0, 100.0, 1001)
    >>> interval(draws, 0.9)
    (5.0, 95.0)
    >>> dates = np.array(["2025-07-01", "2025-07-11", "2025-07-21", "2025-07-31", "NaT"], "M8[D]")
    >>> [str(bound)[:10] for bound in interval(dates, 0.5)]
    ['2025-07-11', '2025-07-31']
    >>> [str(bound)[:10] for bound in interval(dates, 0.9)]  # the upper bound is among the NaT
    ['2025-07-03', 'NaT']
    """
    level = _validate.level(level, closed=False)
    kind = _kind(kind)
    sample = sample_of(draws)
    _numeric(sample, "an interval")
    low, high = _interval(sample, level, kind)
    return sample.to_bound(low), sample.to_bound(high)


def mcse_quantile(draws: Draws, /, p: float) -> float:
    """Monte Carlo standard error of the ``p`` quantile, from order statistics.

    The ``p`` quantile of ``n`` iid draws lies at rank ``n B`` with ``B ~ Beta(n p + 1,
    n (1 - p) + 1)``. The sample quantiles at that distribution's ``Phi(-2)`` and ``Phi(2)``
    quantiles span four standard errors; the MCSE is the span over four. No density estimate.
    A DataArray whose ``attrs`` carry ``ess`` is read as ``ess`` iid draws' worth (``n = ess``).

    Parameters
    ----------
    draws : xarray.DataArray or array_like
        1-d numbers or ``datetime64`` dates.
    p : float
        The probability of the quantile, in [0, 1].

    Returns
    -------
    float
        In the quantity's units (days for dates); ``inf`` if the span reaches infinite or NaT
        draws, or with a single draw. For Latin-hypercube or Sobol draws this iid MCSE is
        conservative.

    Examples
    --------
    >>> import numpy as np
    >>> draws = np.random.default_rng(1).normal(size=100_000)
    >>> round(mcse_quantile(draws, 0.5), 3)  # theory: sqrt(0.25 / n) / pdf(0) = 0.004
    0.004
    """
    sample = sample_of(draws)
    _numeric(sample, "a quantile")
    prob = _validate.finite_real("p", p)
    if not 0.0 <= prob <= 1.0:
        raise InputError(f"p must be a probability in [0, 1]; got {prob:g}")
    return sample.to_error(_orderstats.mcse_quantile(sample.values, prob, ess=sample.ess))


def mcse_interval(
    draws: Draws, /, level: float = DEFAULT_LEVEL, *, kind: IntervalKind = "eti"
) -> tuple[float, float]:
    """Monte Carlo standard errors of the two bounds of :func:`interval`.

    ETI bounds are quantiles: their MCSE is :func:`mcse_quantile`'s. HDI bounds come from a
    bootstrap of the shortest-window search (100 resamples from a fixed stream, so the same
    draws give the same answer): the window's position is itself uncertain, and the
    quantile MCSE at the chosen window would understate the error by half or more.
    (The module docstring gives the method and its calibration.)

    Parameters
    ----------
    draws : xarray.DataArray or array_like
        1-d numbers or ``datetime64`` dates.
    level : float, default 0.9
        Probability inside the interval, in [0.01, 1).
    kind : {"eti", "hdi"}, default "eti"
        Which interval (see :func:`interval`).

    Returns
    -------
    tuple of float
        ``(mcse_low, mcse_high)`` in the quantity's units (days for dates); ``inf`` where a
        bound's error cannot be bounded (it reaches infinite or NaT draws). Conservative for
        Latin-hypercube and Sobol draws, which are not iid.

    Examples
    --------
    >>> import numpy as np
    >>> draws = np.random.default_rng(1).exponential(size=100_000)
    >>> low, high = mcse_interval(draws, 0.9, kind="hdi")
    >>> low < 1e-3 < high < 0.02  # the lower bound sits at the support's edge, 0
    True
    """
    level = _validate.level(level, closed=False)
    kind = _kind(kind)
    sample = sample_of(draws)
    _numeric(sample, "an interval")
    low, high = _mcse_bounds(sample, level, kind)
    return sample.to_error(low), sample.to_error(high)


def mcse_mean(draws: Draws, /) -> float:
    """Monte Carlo standard error of the mean: ``sd / sqrt(n)`` (``ddof=1``; iid draws).

    ``n`` is the DataArray's ``attrs["ess"]`` where it has one. Returns ``inf`` for a single
    draw, or when the draws include infinities or NaT; days for dates.

    Examples
    --------
    >>> mcse_mean([1.0, 2.0, 3.0, 4.0])
    0.6454972243679028
    """
    sample = sample_of(draws)
    return sample.to_error(_orderstats.mcse_mean(sample.values, ess=sample.ess))


def mcse_probability(draws: Draws, /) -> float:
    """Monte Carlo standard error of a probability: ``sqrt(p (1 - p) / n)`` (iid draws).

    ``n`` is the DataArray's ``attrs["ess"]`` where it has one. ``draws`` are booleans (or
    0/1 numbers); ``p`` is the share that are true. Note that it is 0 when every draw agrees:
    then read it as "fewer than about 3 in ``n``".

    Examples
    --------
    >>> mcse_probability([True, False, True, True])
    0.21650635094610965
    """
    sample = sample_of(draws)
    xs = sample.values
    if sample.kind == "date" or not bool(((xs == 0.0) | (xs == 1.0)).all()):
        raise InputError(f"{sample.name!r} must be booleans (or 0/1) for a probability")
    return _orderstats.mcse_probability(float(xs.mean()), sample.n, ess=sample.ess)


# --------------------------------------------------------------------------------------------
# summarize
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Figures:
    """Median, mean, ETI and HDI of one numeric or date quantity, with their MCSEs."""

    median: float
    mean: float
    eti: tuple[float, float]
    hdi: tuple[float, float]
    mcse_median: float
    mcse_mean: float
    mcse_eti: tuple[float, float]
    mcse_hdi: tuple[float, float]


def figures(sample: Sample, level: float, *, scratch: FloatArray | None = None) -> Figures:
    """The figures of a number or date quantity at ``level`` (internal: citation, streaming).

    ``scratch``: a float64 buffer of at least ``sample.n`` values to work in (overwritten).
    """
    xs, n, ess = sample.values, sample.n, sample.ess
    mean, mcse_mean = _orderstats.moments(xs, ess=ess, scratch=scratch)
    k = _orderstats.window(n, level)
    low, high, start = _orderstats.hdi(xs, k)
    return Figures(
        median=_orderstats.quantile(xs, 0.5),
        mean=mean,
        eti=_interval(sample, level, "eti"),
        hdi=(low, high),
        mcse_median=_orderstats.mcse_quantile(xs, 0.5, ess=ess),
        mcse_mean=mcse_mean,
        mcse_eti=_mcse_bounds(sample, level, "eti"),
        mcse_hdi=_orderstats.mcse_hdi_of(
            xs[_orderstats.thin(n)], level, xs.__getitem__, n, (start, start + k - 1), ess=ess
        ),
    )


def _json_float(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _iso(value: Bound) -> str | None:
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else _dates.iso_day(value)
    return None


def entry(sample: Sample, level: float, *, scratch: FloatArray | None = None) -> dict[str, Any]:
    """The :func:`summarize` entry of one quantity (internal: streaming).

    ``scratch``: as :func:`figures` takes it.
    """
    if sample.kind == "bool":
        p = float(sample.values.mean())
        return {
            "units": sample.units,
            "probability": p,
            "mcse": _orderstats.mcse_probability(p, sample.n, ess=sample.ess),
        }
    bad = sample.invalid.to_entry() if sample.invalid is not None else {}
    if not sample.n:  # every draw invalid: no figure to give
        return {"units": sample.units, **_no_figures(), **bad}
    fig = figures(sample, level, scratch=scratch)
    return {**entry_of(sample, fig, sample.never(), sample.n), **bad}


def _no_figures() -> dict[str, Any]:
    """The figures of a quantity without one valid draw: all ``None``."""
    pair = [None, None]
    return {
        "median": None,
        "mean": None,
        "eti": pair,
        "hdi": list(pair),
        "mcse": {"median": None, "mean": None, "eti": list(pair), "hdi": list(pair)},
    }


def entry_of(sample: Sample, fig: Figures, never: int, n: int) -> dict[str, Any]:
    """The summary entry of a number or date quantity from its figures."""

    def show(value: float) -> Any:
        bound = sample.to_bound(value)
        return _iso(bound) if sample.kind == "date" else _json_float(sample.to_number(value))

    def err(value: float) -> float | None:
        return _json_float(sample.to_error(value))

    out: dict[str, Any] = {
        "units": sample.units,
        "median": show(fig.median),
        "mean": show(fig.mean),
        "eti": [show(fig.eti[0]), show(fig.eti[1])],
        "hdi": [show(fig.hdi[0]), show(fig.hdi[1])],
        "mcse": {
            "median": err(fig.mcse_median),
            "mean": err(fig.mcse_mean),
            "eti": [err(fig.mcse_eti[0]), err(fig.mcse_eti[1])],
            "hdi": [err(fig.mcse_hdi[0]), err(fig.mcse_hdi[1])],
        },
    }
    if never:
        out["never"] = never / n
    return out


def _horizon(found: dict[str, Any], da: xr.DataArray) -> dict[str, Any]:
    """``found``, with ``"not_by"`` where its NaT dates mean "not by" a last date, not "never"."""
    if "never" in found and "not_by" in da.attrs:
        found["not_by"] = str(da.attrs["not_by"])[:10]
    return found


def _summarizable(da: xr.DataArray) -> bool:
    return da.dims == ("draw",) and da.dtype.kind in "biufM"


def _as_dataset(ds: object) -> xr.Dataset:
    if isinstance(ds, xr.Dataset):
        return ds
    if isinstance(ds, xr.DataArray):
        if ds.ndim != 1:
            raise InputError(
                f"ds is a DataArray with dimensions {ds.dims}; pass a Dataset, or one value "
                "per draw"
            )
        da = ds if ds.dims == ("draw",) else ds.rename({ds.dims[0]: "draw"})
        out = da.to_dataset(name=str(da.name) if da.name is not None else "draws")
        # a run's settings kept on the array itself (a synthesis's trajectories carry its seed)
        out.attrs.update({key: da.attrs[key] for key in ("seed", "method") if key in da.attrs})
        return out
    arr = np.asarray(ds)
    if arr.ndim != 1:
        raise InputError(f"ds must be a Dataset, a DataArray or 1-d draws; got shape {arr.shape}")
    return xr.Dataset({"draws": ("draw", arr)})


def _select(ds: xr.Dataset, quantities: str | Iterable[str] | None) -> list[Hashable]:
    if quantities is None:
        every = [name for name, da in ds.data_vars.items() if _summarizable(da)]
        if not every and "readings" in ds.attrs and "cumulative" in ds.data_vars:
            shapes = ", ".join(f"{name} {da.dims}" for name, da in ds.data_vars.items())
            day = str(ds["date"].values[-1].astype("datetime64[D]"))
            raise InputError(
                "ds is a synthesis (attritionsim.synthesize): none of its variables is one "
                f"value per draw ({shapes}); select one first, e.g. "
                f"summarize(syn['cumulative'].sel(date='{day}'))"
            )
        return every
    names = [quantities] if isinstance(quantities, str) else list(quantities)
    valid = [str(name) for name in ds.data_vars]
    chosen: list[Hashable] = []
    for name in names:
        _validate.choice("quantities", name, valid)
        da = ds[name]
        if not _summarizable(da):
            raise InputError(
                f"quantities: {name!r} has dimensions {da.dims} and dtype {da.dtype}; "
                "summarize() takes one number, date or boolean per draw - select first, "
                f"e.g. ds[{name!r}].isel(date=-1)"
            )
        chosen.append(name)
    return chosen


def summarize(
    ds: xr.Dataset | xr.DataArray | npt.ArrayLike,
    /,
    level: float = DEFAULT_LEVEL,
    *,
    quantities: str | Iterable[str] | None = None,
) -> dict[str, Any]:
    """Summarise every quantity of a results dataset, as JSON-ready plain Python.

    Parameters
    ----------
    ds : xarray.Dataset
        Results with a ``draw`` dimension (a DataArray or 1-d array is taken as one quantity).
        Attributes ``seed``, ``method`` and ``attritionsim_version`` are copied when present
        (else ``None``, ``"unknown"`` and this library's version); ``draws`` is the length of
        the ``draw`` dimension. An ``ess`` attribute (the effective sample size of draws that
        are not independent, as :func:`attritionsim.synthesize` sets) makes every MCSE that of
        ``ess`` draws; a variable's own ``attrs["ess"]`` wins over the Dataset's.
    level : float, default 0.9
        Probability inside the intervals, in [0.01, 1).
    quantities : str or iterable of str, optional
        Which variables, in that order. By default every variable whose only dimension is
        ``draw`` and whose dtype is numeric, datetime64 or boolean, in dataset order; others
        (trajectories over ``date``, labels) are left out. Naming one that does not exist, or
        one that is not one value per draw, raises :class:`InputError`; so does a synthesis
        Dataset (:func:`attritionsim.synthesize`), none of whose variables is one value per
        draw: select a date of its trajectory first. A DataArray's own ``seed`` and
        ``method`` attrs are the run's, as a Dataset's are.

    Returns
    -------
    dict
        ``{"draws": int, "seed": int, "method": str, "level": float, "version": str,
        "quantities": {name: entry}}``, and ``"ess": float`` when the Dataset carries one.
        For numbers and dates an entry is ``{"units": str,
        "median": x, "mean": x, "eti": [lo, hi], "hdi": [lo, hi], "mcse": {"median": e,
        "mean": e, "eti": [e_lo, e_hi], "hdi": [e_lo, e_hi]}}`` (``mcse.mean`` is
        ``sd / sqrt(n)``, ``None`` when some draws are infinite or NaT); dates are ISO
        strings ``"YYYY-MM-DD"`` (the day containing the instant) or ``None`` for NaT, their
        MCSEs are in days, and an entry gets one more key, ``"never"``, the share of NaT
        draws, only when there are some; and with it ``"not_by"``, the last date the draws
        could reach (ISO), when the DataArray's ``attrs["not_by"]`` says its NaT means "not by
        that date" rather than "never" (a crossing on finite paths). For booleans an entry
        is ``{"units": str, "probability": p, "mcse": e}``. Values that are not finite
        (infinite draws, an MCSE that cannot be bounded) are ``None``: JSON has no infinity.

        A number quantity with *invalid* draws (NaN, or outside its domain: see
        :mod:`attritionsim.domain`) gets three more keys, only when there are some:
        ``"invalid"``, their share of all draws; ``"invalid_draws"``, that share by kind
        (``"nan"``, ``"below"``, ``"above"``, the kinds present); and ``"domain"``, ``[low,
        high]`` (``None`` for an infinite end; absent for a quantity without a domain). Every
        figure and MCSE is then of the valid draws only (all ``None`` when no draw is
        valid). Without invalid draws an entry is exactly as above.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> ds = xr.Dataset(
    ...     {"ratio": ("draw", np.linspace(1.5, 2.5, 2001), {"units": "ratio"})},
    ...     attrs={"seed": 1, "draws": 2001, "method": "mc", "attritionsim_version": "0.1.0"},
    ... )
    >>> out = summarize(ds)
    >>> out["seed"], out["quantities"]["ratio"]["median"], out["quantities"]["ratio"]["eti"]
    (1, 2.0, [1.55, 2.45])
    """
    level = _validate.level(level, closed=False)
    data = _as_dataset(ds)
    if "draw" not in data.dims:
        raise InputError(f"ds has no 'draw' dimension; its dimensions are {tuple(data.dims)}")
    attrs = data.attrs
    seed = attrs.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | np.integer)):
        raise InputError(f"ds.attrs['seed'] must be an integer; got {seed!r}")
    ess = _ess_attr("ds", attrs)
    # two buffers for every quantity in turn: its sorted copy and the working space of its
    # figures (fresh arrays of this size would each be new memory from the system)
    sorted_copy, scratch = np.empty(data.sizes["draw"]), np.empty(data.sizes["draw"])
    out: dict[str, Any] = {
        "draws": int(data.sizes["draw"]),
        "seed": int(seed) if seed is not None else None,
        "method": str(attrs.get("method", "unknown")),
        "level": level,
        "version": str(attrs.get("attritionsim_version", __version__)),
        "quantities": {
            str(name): _horizon(
                entry(
                    sample_of(data[name], str(name), ess=ess, valid_only=True, into=sorted_copy),
                    level,
                    scratch=scratch,
                ),
                data[name],
            )
            for name in _select(data, quantities)
        },
    }
    if ess is not None:
        out["ess"] = ess
    return out


_CITATION = frozenset({"cite", "to_csv", "to_latex", "to_markdown"})


def __getattr__(name: str) -> Any:
    """``summary.cite`` and the tables, which live in :mod:`attritionsim.citation` now."""
    if name in _CITATION:
        from . import citation

        return getattr(citation, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
