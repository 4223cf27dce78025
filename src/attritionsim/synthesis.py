r"""Evidence synthesis: one never-decreasing cumulative count behind every dated source.

:func:`synthesize` reads every dated source about one side's losses (cumulative estimates,
period totals, mean daily or monthly rates) as a likelihood for a single latent trajectory,
and draws that trajectory's posterior by vectorized sequential Monte Carlo. :func:`tension`
says, source by source, how surprising each stated value is given all the others
(leave-one-out), :func:`tension_sets` which sources cannot all be true together, and
:func:`path_crossing_date` when each drawn path reaches a threshold.

The model, each choice and its reason
-------------------------------------
**Process.** The cumulative count ``C`` starts at 0 on ``start`` (default 2022-02-24, the
full-scale invasion) and is piecewise linear between knots, with daily rate ``r_j = exp(x_j)``
on segment ``j``. So every path is non-decreasing and every rate positive *by construction*,
not by rejection. Knots sit at every observation date, every period start and end, every
requested date, and on the first day of every calendar month (``grid=True``), so the rate can
change at least monthly even between sparse sources; calendar months because most published
periods are calendar months or years.

**Dates** are instants: a date is midnight at the start of that day, "as of ``d``" is ``C(d)``,
a period ``[a, b]`` is ``C(b) - C(a)`` over ``b - a`` days. The one-day ambiguity of "as of" is
far below every source's precision. A monthly rate is a mean daily rate times the month's
length: ``monthly / n`` with ``n`` the inclusive day count of its period (31 for 1-31
December) when the period is at most 31 days, else ``monthly / 30.4375``. A rate record with
no ``period_start`` ("currently about 1,000 a day") is read as the mean over the
:data:`RATE_WINDOW_DAYS` days before its date.

**Prior.** ``x_0 ~ N(log 300, 1.5²)``: at 95%, daily rates from about 15 to 6,000, wider than
any loss rate of a modern war. Increments ``x_{j+1} - x_j ~ N(0, rate_walk² h_j / 30.4375)``
with ``h_j`` the days between the two segments' midpoints: a Gaussian random walk in log rate
whose variance grows with time (``rate_walk = 0.3``: about ±30% a month at one sd), so short
segments (two sources a day apart) cannot hold wild rates. The sampler works in whitened
coordinates ``z ~ N(0, I)`` (``x = log 300 + 1.5 z_0 + cumsum(tau_j z_j)``), so the prior is a
standard normal and the proposals need no knowledge of the knot spacing.

**Sources.** A source's elicited distribution ``p_i`` (``catalogue.distribution(id)`` for a
record) is read as its belief about the true quantity ``theta_i`` (a cumulative count, a
period total, or a mean daily rate). We treat that belief as a posterior under a scale-free
(log-uniform) reference prior, so the likelihood is the density of ``log theta``:
``log L_i = log p_i(theta_i) + log theta_i``. For a lognormal reading this is exactly the error
model ``reading = truth * exp(sigma * eps)``, which is what the calibration tests simulate; the
bare ``p_i(theta)`` would tilt every posterior towards smaller counts by ``exp(-sigma²)``.
``exact`` records and plain numbers get a lognormal reading with :data:`MIN_REL_ERROR` (2%)
relative error, and any reading narrower than that is widened to it (it is recorded in the
attrs): no published count of a war's losses is known to better than 2%.

**Robustness.** ``L_i = (1 - outlier) p_i + outlier p_wide_i``, ``p_wide_i`` a lognormal with
the reading's median and :data:`WIDE_FACTOR` (8) times its log-scale (at least
:data:`WIDE_MIN`, 0.3): an explicit "this source is off" component, so one wrong source moves
the trajectory by a bounded amount instead of dragging it (default ``outlier=0.05``).

**Restatements.** Records linked through ``depends_on`` (restating the same original, e.g. the
series ``ua-general-staff-russia-personnel``, or one another) form a dependency group that
shares one latent multiplicative error ``exp(eta_g)``, ``eta_g ~ N(0, group_sd²)``
(``group_sd = 0.15``: a publisher's tally can be off by about ±30% at 95% as a whole, much more
than its day-to-day scatter). So a group's common error is counted once, not ``k`` times:
``k`` restatements of one tally cannot pin the level better than ``group_sd``.

**Party tallies.** A party to the war counts the other side's losses (and its own) with an
interest in the number. Every record of a publisher in ``tallies`` (default
:data:`PARTY_TALLIES`: Ukraine's General Staff, president, intelligence and officials; Russia's
ministry, president and officials) joins its publisher's group, even alone, and a group that
holds a party's tally has level sd :data:`TALLY_SD` (0.3: off by up to about ±60% at 95%). The
evidence: in February 2023 the General Staff's count stood near 0.75 of the UK's and CSIS's
estimates, by late 2023 level with them; and a president's round "500,000" of February 2024,
read as exact, sat 20% above every other source and pinned the whole trajectory (the backtest,
``benchmarks/backtest.py``, missed the later Western estimates on both sides until this rule).

**Drift.** A group's error is not fixed for the whole war: definitions and reporting change
(the General Staff's ratio to the Western estimates moved from about 0.75 to 1 within 2023). So
each group's log error is ``sd_g z_level + GROUP_DRIFT_SD z_drift (t - t_g) / year``, with
``t_g`` the group's mean source date and :data:`GROUP_DRIFT_SD` 0.1 a year; ``drift`` in the
output holds each source's slope, to carry a group's error to another date. A record whose
``depends_on`` names another record in the set *at the same date* is a headline duplicate and
is skipped, as are projections (an id containing ``projection``, or ``as_of`` after
``published``); one :class:`~attritionsim.errors.AttritionWarning` names them.

**Bias.** ``bias={"uagenstaff": dist}`` multiplies the truth as the publisher sees it by ``b ~
dist`` (``L_i = p_i(theta b)``); ``b`` is ``dist.ppf(ndtr(z_b))`` with ``z_b`` part of the
whitened vector. Keys are publisher slugs: an id's first hyphen-separated word.

**Inference** is vectorized over draws (one numpy evaluation for all particles, never a loop
per draw):

1. *Reference.* The posterior mode in ``z`` of a smooth surrogate (every reading replaced by a
   lognormal with its median and log-scale, robust mixture kept) by BFGS, with the gradient
   from one batch of central finite differences; the Hessian at the mode from one batch of
   second differences, its eigenvalues floored at 0.1. The surrogate keeps the optimiser and
   the Hessian away from the cliffs of bounded readings (a ``Uniform`` "more than X"); the
   reference need only be close. In the Hessian's eigen-directions the reference ``q`` is,
   coordinate by coordinate, a two-scale normal mixture: the Laplace spread widened ``widen``
   times (1.3) with probability 0.95, and the robust likelihood's wide scale (8 times, never
   beyond the prior) with probability 0.05; directions the data do not inform (precision 1)
   keep the prior's spread exactly. A plain Laplace reference misses the 5% "source is off"
   regions of a source that stands alone, which no later move finds again (a measured bias).
2. *Tempered SMC* from ``q`` to the posterior ``pi``, ``pi_lambda ∝ q^(1-lambda) pi^lambda``
   (Del Moral, Doucet & Jasra 2006): the next ``lambda`` by bisection so that the conditional
   ESS is :data:`TARGET_ESS` (half the particles); systematic resampling; rejuvenation by
   ``moves`` preconditioned Crank-Nicolson moves reversible for a Gaussian fitted to the
   current particles (mean ``mu``, covariance ``L L'``): ``w = L^-1 (y - mu)``,
   ``w' = sqrt(1 - beta²) w + beta xi``, accepted with the tempered target over that Gaussian;
   ``beta`` adapts towards an acceptance of 25-35%. The fit follows the tempered target's
   actual shape (moves in the reference's own coordinates mixed ten times slower). The
   particles' many evaluations run in float32 (half the memory traffic; far below every
   source's precision), without the cumulative at every knot (each source's quantity is the
   rates times a fixed design matrix), with the robust mixtures summed as products (one
   logarithm per chunk of terms instead of one per term), and in fixed blocks of particles
   on the machine's cores (numpy releases the GIL in its loops). The whole Russian record
   (57 sources, 99 knots) at 10^5 draws takes about 20 s on 2 idle cores and 0.75 GiB.
3. *Final weights.* The last reweighting (to ``lambda = 1``) is Pareto-smoothed (PSIS, Vehtari
   et al. 2024) and its ``k̂`` reported; if ``k̂ > 0.7`` the step is halved instead. The
   particles are then resampled and moved ``moves`` more times, so the output draws are
   equally weighted.

**Effective sample size.** Resampled and moved particles are not independent. ``ess`` is the
Chan & Lai (2013) / Lee & Whiteley (2018) estimate over the particles' "Eve" families (their
ancestors among the first draws from ``q``, kept as the ``family`` coordinate): for each date,
the variance across families of the indicator "cumulative at or below its median", against its
variance over the draws; ``ess`` is the median over dates, capped by the ESS of the smoothed
last weights. On test problems it agreed with the spread of estimates over seeds to within
about 15%. A :class:`SynthesisWarning` fires when ``k̂ > 0.7`` or ``ess < 1%`` of the draws.

**Tension** is PSIS-LOO: the posterior draws reweighted by ``1 / L_i`` stand for the posterior
without source ``i``; ``F_i`` is the probability under them that the source would report at
most its stated value (its reading's median) if honest, i.e. its reading re-centred on the
truth it sees, ``G_i(v | T) = P_i(v m_i / T)``; ``p_i = 2 min(F_i, 1 - F_i)``.

Examples
--------
>>> import attritionsim as asim
>>> syn = asim.synthesize([("2025-01-01", asim.approximately(800_000)),
...                        ("2025-07-01", asim.approximately(1_000_000))],
...                       draws=2_000, seed=1)
>>> bool((syn["cumulative"].diff("date") >= 0).all())
True
"""

from __future__ import annotations

import concurrent.futures
import copy
import dataclasses
import datetime as dt
import json
import math
import numbers
import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, cast

import numpy as np
import numpy.typing as npt
import xarray as xr
from scipy import optimize, special

from . import _orderstats, _rng
from ._format import fmt_number
from ._typing import FloatArray
from .catalogue import Catalogue, Record, load_catalogue
from .distributions import Distribution, LogNormal, from_spec
from .elicit import Reading, get_reading
from .errors import AttritionWarning, InputError

__all__ = [
    "DEFAULT_START",
    "GROUP_DRIFT_SD",
    "GROUP_SD",
    "MAX_DRAWS",
    "MAX_MOVES",
    "MAX_RATE_WALK",
    "MAX_WIDEN",
    "MIN_REL_ERROR",
    "PARTY_TALLIES",
    "RATE_WINDOW_DAYS",
    "TALLY_SD",
    "TARGET_ESS",
    "WIDE_FACTOR",
    "WIDE_MIN",
    "SynthesisWarning",
    "TensionSet",
    "path_crossing_date",
    "predictive_cdf",
    "psis",
    "sample_prior",
    "source_reading",
    "synthesize",
    "tension",
    "tension_sets",
]

#: The process start: the full-scale invasion, when the count stood at 0.
DEFAULT_START: Final = "2022-02-24"
#: Prior median of the first daily rate, and the sd of its log.
PRIOR_RATE: Final = 300.0
PRIOR_LOG_SD: Final = 1.5
#: Days in an average month: the random walk's time unit and a monthly rate's default divisor.
MONTH_DAYS: Final = 30.4375
#: The sd of a dependency group's shared log error.
GROUP_SD: Final = 0.15
#: Sd of the log error of a group holding a party's own tally (module docstring).
TALLY_SD: Final = 0.3
#: Sd of the drift of a group's log error, per year (module docstring).
GROUP_DRIFT_SD: Final = 0.1
#: Days in a mean year.
YEAR_DAYS: Final = 365.25
#: Publisher slugs (an id's first word) of the war's parties, whose figures are their own
#: tallies: Ukraine's General Staff, president, intelligence and officials; Russia's ministry,
#: president and officials. Each one's records share one error (``tallies=``).
PARTY_TALLIES: Final = frozenset(
    {
        "uagenstaff",  # General Staff of the Armed Forces of Ukraine
        "zelensky",  # President of Ukraine
        "hur",  # Ukraine's Defence Intelligence
        "ccd",  # Ukraine's Centre for Countering Disinformation
        "uamissing",  # Ukraine's Commissioner for missing persons
        "uaofficials",  # Ukrainian officials
        "rumod",  # Russian Ministry of Defence
        "medvedev",  # Russian Security Council
        "putin",  # President of Russia
    }
)
#: The smallest relative error a source is given (exact figures, very narrow readings).
MIN_REL_ERROR: Final = 0.02
#: The "source is off" component's log-scale: this many times the reading's, at least WIDE_MIN.
WIDE_FACTOR: Final = 8.0
WIDE_MIN: Final = 0.3
#: Days before its date over which a rate record without ``period_start`` is a mean.
RATE_WINDOW_DAYS: Final = 30
#: The most draws (particles) a synthesis runs with, and the bounds of its sampler options:
#: ``moves`` from 1 to MAX_MOVES, ``rate_walk`` in (0, MAX_RATE_WALK], ``widen`` in
#: [1, MAX_WIDEN]. A scenario's ``[synthesis.NAME]`` checks the same bounds.
MAX_DRAWS: Final = 10_000_000
MAX_MOVES: Final = 100
MAX_RATE_WALK: Final = 10.0
MAX_WIDEN: Final = 10.0
#: The conditional ESS (a share of the particles) each tempering step keeps.
TARGET_ESS: Final = 0.5
#: Measures a synthesis reads, and what each says about the count.
KINDS: Final = {
    "casualties": "cumulative",
    "period_casualties": "increment",
    "daily_rate": "rate",
    "monthly_rate": "rate",
}

_LOG_CLIP = 30.0  # log daily rates are clipped to [-30, 30]: finite counts in every draw
_FD_STEP = 1e-5  # finite-difference step of the gradient, in whitened units
_HESS_STEP = 1e-3  # and of the Hessian
_EIG_FLOOR = 0.1  # smallest eigenvalue kept in the reference's precision
_MAX_STEPS = 200  # tempering steps before giving up (with a warning)
_BLOCK_ROWS = 25_000  # particles per block of density evaluations (a few MB per array)
_WORKERS = min(4, os.cpu_count() or 1)  # threads evaluating the blocks
_DAY_NS = np.int64(86_400 * 10**9)


class SynthesisWarning(AttritionWarning):
    """The synthesis sampler's diagnostics say its draws are weaker than their number.

    Raised (as a warning) when the Pareto ``k̂`` of the final importance weights exceeds 0.7 or
    the effective sample size is below 1% of the draws. The message says what to do: more
    ``draws``, more ``moves``, or a look at the sources in tension.
    """


# ============================================================================ sources
@dataclasses.dataclass(frozen=True)
class _Source:
    """One observation, read: what it measures, over which dates, and its reading."""

    id: str
    kind: str  # "cumulative", "increment" or "rate"
    start: np.datetime64  # the period's start (the process start for a cumulative)
    end: np.datetime64
    reading: Distribution
    divisor: float  # the model's increment / divisor is the reading's quantity
    publisher: str
    depends_on: tuple[str, ...]
    figure: str
    widened: bool


def _day(where: str, value: object) -> np.datetime64:
    """A date as ``datetime64[D]``, or an InputError naming ``where``."""
    if isinstance(value, dt.datetime):
        value = value.date()
    try:
        if isinstance(value, np.datetime64 | dt.date | str):
            day: np.datetime64 = np.datetime64(cast(Any, value), "D")
            if not np.isnat(day):
                return day
    except (ValueError, TypeError):
        pass
    raise InputError(
        f"{where}: date must be 'YYYY-MM-DD', a datetime.date or numpy.datetime64; got {value!r}"
    )


def _iso(day: np.datetime64) -> str:
    return str(np.asarray(day).astype("datetime64[D]"))


def _exact_reading(where: str, value: object) -> Distribution:
    number = _positive_number(where, value)
    return LogNormal(math.log(number), MIN_REL_ERROR, origin={"rule": "exact", "value": number})


def _positive_number(where: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError(f"{where}: expected a Distribution or a number; got {value!r}")
    number = float(value)
    if not (math.isfinite(number) and number > 0.0):
        raise InputError(f"{where}: an exact figure must be a finite number > 0; got {value!r}")
    return number


def _log_scale(dist: Distribution) -> float:
    """The reading's spread on a log scale: half its central 68.3% interval in logs."""
    low, high = dist.ppf(np.array([special.ndtr(-1.0), special.ndtr(1.0)]))
    low = max(float(low), float(dist.median()) * 1e-12, 1e-300)
    return max((math.log(float(high)) - math.log(low)) / 2.0, 0.0)


def _reading(where: str, value: object) -> tuple[Distribution, bool]:
    """The reading of a source's figure: its distribution, floored at 2% relative error."""
    if not isinstance(value, Distribution):
        return _exact_reading(where, value), False
    lower = value.support[0]
    if lower < 0.0:
        raise InputError(
            f"{where}: {value!r} allows negative counts (its support starts at "
            f"{fmt_number(lower)}); use a family on x >= 0 (lognormal, gamma, truncnormal)"
        )
    median = float(value.median())
    if not median > 0.0:
        raise InputError(f"{where}: {value!r} has median {fmt_number(median)}; it must be > 0")
    if _log_scale(value) < MIN_REL_ERROR:
        widened = LogNormal(
            math.log(median), MIN_REL_ERROR, origin={"rule": "widened", "from": repr(value)}
        )
        return widened, True
    return value, False


def _record_source(
    where: str,
    rec: Record,
    start: np.datetime64,
    side: list[str],
    rules: Reading | str = "default",
) -> _Source:
    kind = KINDS.get(rec.measure)
    if kind is None:
        raise InputError(
            f"{where}: record {rec.id!r} measures {rec.measure!r}; a synthesis reads "
            f"{', '.join(repr(m) for m in KINDS)}"
        )
    if side and rec.side != side[0]:
        raise InputError(
            f"{where}: record {rec.id!r} is about side {rec.side!r}, but the synthesis is "
            f"about {side[0]!r}; all records must be of one side"
        )
    side.append(rec.side)
    if rec.qualifier == "exact":
        reading, widened = _exact_reading(where, rec.value), False
    else:
        dist = Catalogue([rec]).distribution(rec.id, reading=rules)
        reading, widened = _reading(where, dist)
    end = np.datetime64(rec.as_of, "D")
    divisor = 1.0
    if kind == "cumulative":
        begin = start
    elif rec.period_start is not None:
        begin = np.datetime64(rec.period_start, "D")
    elif kind == "rate":
        begin = end - np.timedelta64(RATE_WINDOW_DAYS, "D")
    else:
        raise InputError(
            f"{where}: record {rec.id!r} ({rec.measure}) has no period_start; a period total "
            "needs the start of its period"
        )
    if kind == "rate":
        days = float((end - begin) / np.timedelta64(1, "D"))
        divisor = days
        if rec.measure == "monthly_rate":
            inclusive = days + 1.0
            divisor = days / (inclusive if inclusive <= 31.0 else MONTH_DAYS)
    return _Source(
        id=rec.id,
        kind=kind,
        start=begin,
        end=end,
        reading=reading,
        divisor=divisor,
        publisher=rec.id.split("-", 1)[0],
        depends_on=tuple(rec.depends_on),
        figure=rec.figure,
        widened=widened,
    )


def _tuple_source(where: str, item: Sequence[object], kind: str, origin: np.datetime64) -> _Source:
    size = 3 if kind == "rate" else 2
    if len(item) not in (size, size + 1):
        shape = (
            "(start, end, Distribution[, label])"
            if kind == "rate"
            else ("(date, Distribution[, label])")
        )
        raise InputError(f"{where}: expected {shape}; got {item!r}")
    label = item[size] if len(item) > size else where
    if not isinstance(label, str) or not label.strip():
        raise InputError(f"{where}: the label must be a non-empty string; got {label!r}")
    reading, widened = _reading(where, item[size - 1])
    end = _day(where, item[size - 2])
    begin = _day(where, item[0]) if kind == "rate" else origin
    divisor = 1.0
    if kind == "rate":
        if not end > begin:
            raise InputError(
                f"{where}: the rate period's end {_iso(end)} must be after its start {_iso(begin)}"
            )
        divisor = float((end - begin) / np.timedelta64(1, "D"))
    return _Source(
        id=label,
        kind=kind,
        start=begin,
        end=end,
        reading=reading,
        divisor=divisor,
        publisher=label.split("-", 1)[0],
        depends_on=(),
        figure=repr(item[size - 1]),
        widened=widened,
    )


def _skip_reason(rec: Record, records: Mapping[str, Record]) -> str | None:
    if "projection" in rec.id or (rec.published is not None and rec.as_of > rec.published):
        return "projection"
    for dep in rec.depends_on:
        other = records.get(dep)
        if other is not None and other.as_of == rec.as_of:
            return f"restates {dep}"
    return None


def _read_sources(
    observations: object,
    rates: object,
    start: np.datetime64,
    rules: Reading | str = "default",
) -> tuple[list[_Source], list[str]]:
    if isinstance(observations, str | Record) or not isinstance(observations, Iterable):
        raise InputError(
            "observations must be a list of catalogue ids, Records or (date, Distribution) "
            f"tuples; got {observations!r}"
        )
    obs = list(observations)
    rate_items: list[object]
    if isinstance(rates, tuple) and len(rates) in (3, 4) and not isinstance(rates[0], tuple | list):
        rate_items = [rates]  # a single (start, end, Distribution) tuple
    elif isinstance(rates, str) or not isinstance(rates, Iterable):
        raise InputError(
            f"rates must be a list of (start, end, Distribution) tuples; got {rates!r}"
        )
    else:
        rate_items = list(rates)
    if not obs and not rate_items:
        raise InputError("observations is empty: give at least one dated source or rate")
    catalogue: Catalogue | None = None
    items: list[tuple[str, Record | _Source]] = []
    for i, item in enumerate(obs):
        where = f"observations[{i}]"
        if isinstance(item, str):
            catalogue = catalogue if catalogue is not None else load_catalogue()
            try:
                items.append((where, catalogue[item]))
            except InputError as err:  # the catalogue's message, with its nearest id
                raise InputError(f"{where}: {err}; `attritionsim sources` lists every id") from None
        elif isinstance(item, Record):
            items.append((where, item))
        elif isinstance(item, tuple | list):
            items.append((where, _tuple_source(where, item, "cumulative", start)))
        else:
            raise InputError(
                f"{where}: expected a catalogue id, a Record or (date, Distribution[, label]); "
                f"got {item!r}"
            )
    for i, item in enumerate(rate_items):
        where = f"rates[{i}]"
        if not isinstance(item, tuple | list):
            raise InputError(f"{where}: expected (start, end, Distribution[, label]); got {item!r}")
        items.append((where, _tuple_source(where, item, "rate", start)))
    seen: dict[str, str] = {}
    for where, item in items:
        if item.id in seen:
            raise InputError(f"{where}: duplicate id {item.id!r} (also {seen[item.id]})")
        seen[item.id] = where
    records = {item.id: item for _, item in items if isinstance(item, Record)}
    skipped: list[str] = []
    sources: list[_Source] = []
    side: list[str] = []
    for where, item in items:
        if isinstance(item, Record):
            reason = _skip_reason(item, records)
            if reason is not None:
                skipped.append(f"{item.id} ({reason})")
                continue
            item = _record_source(where, item, start, side, rules)
        _check_dates(where, item, start)
        sources.append(item)
    if not sources:
        raise InputError(f"observations: every record was skipped ({'; '.join(skipped)})")
    return sources, skipped


def _check_dates(where: str, src: _Source, start: np.datetime64) -> None:
    if src.end <= start:
        raise InputError(
            f"{where} ({src.id}): date {_iso(src.end)} is not after the process start "
            f"{_iso(start)}; pass an earlier start="
        )
    if src.start < start:
        raise InputError(
            f"{where} ({src.id}): its period starts {_iso(src.start)}, before the process start "
            f"{_iso(start)}; pass an earlier start="
        )
    if src.kind != "cumulative" and not src.end > src.start:
        raise InputError(
            f"{where} ({src.id}): the period's end {_iso(src.end)} must be after its start "
            f"{_iso(src.start)}"
        )


def _read_tallies(tallies: object) -> frozenset[str]:
    if isinstance(tallies, str) or not isinstance(tallies, Iterable):
        raise InputError(f"tallies must be a collection of publisher slugs; got {tallies!r}")
    out = []
    for i, item in enumerate(tallies):
        if not isinstance(item, str) or not item:
            raise InputError(
                f"tallies[{i}]: a publisher slug must be a non-empty string; got {item!r}"
            )
        out.append(item)
    return frozenset(out)


def _groups(sources: Sequence[_Source], tallies: frozenset[str] = frozenset()) -> list[int]:
    """Dependency group of each source (-1: none), by union-find over ``depends_on`` links.

    A source whose publisher is in ``tallies`` (a party's own count) joins its publisher's
    group, and that group exists even when it holds one source.
    """
    parent: dict[str, str] = {}

    def find(name: str) -> str:
        parent.setdefault(name, name)
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    for src in sources:
        find("src:" + src.id)
        for dep in src.depends_on:
            parent[find("src:" + src.id)] = find("src:" + dep)
        if src.publisher in tallies:
            parent[find("src:" + src.id)] = find("tally:" + src.publisher)
    roots = [find("src:" + src.id) for src in sources]
    sizes: dict[str, int] = {}
    for root in roots:
        sizes[root] = sizes.get(root, 0) + 1
    kept = {find("tally:" + src.publisher) for src in sources if src.publisher in tallies}
    numbering: dict[str, int] = {}
    out = []
    for root in roots:
        if sizes[root] < 2 and root not in kept:
            out.append(-1)
        else:
            out.append(numbering.setdefault(root, len(numbering)))
    return out


# ============================================================================ the model
#: Float arrays of either precision (the sampler's evaluations run in float32).
Floats = npt.NDArray[Any]


def _geometry(knots: npt.NDArray[np.datetime64], rate_walk: float) -> tuple[FloatArray, FloatArray]:
    """Segment lengths in days, and the prior sd of each segment's whitened coordinate."""
    days = ((knots - knots[0]) / np.timedelta64(1, "D")).astype(float)
    lengths = np.diff(days)
    mids = (days[:-1] + days[1:]) / 2.0
    tau = np.empty(lengths.size)
    tau[0] = PRIOR_LOG_SD
    tau[1:] = rate_walk * np.sqrt(np.diff(mids) / MONTH_DAYS)
    return lengths, tau


def _knots(
    origin: np.datetime64, listed: set[np.datetime64], grid: bool
) -> npt.NDArray[np.datetime64]:
    """Every listed date, plus the first of every month before the last (``grid=True``)."""
    last = max(listed)
    knots = set(listed)
    if grid:
        month = np.asarray(origin).astype("datetime64[M]") + np.timedelta64(1, "M")
        while month.astype("datetime64[D]") < last:
            knots.add(cast(np.datetime64, month.astype("datetime64[D]")[()]))
            month += np.timedelta64(1, "M")
    return np.array(sorted(knots), dtype="datetime64[D]")


def sample_prior(
    dates: Iterable[object],
    *,
    draws: int = 10_000,
    seed: int = 0,
    start: object = DEFAULT_START,
    rate_walk: float = 0.3,
    grid: bool = True,
) -> xr.Dataset:
    """Paths drawn from the synthesis prior alone (the prior predictive check, and simulation).

    The knots are those :func:`synthesize` would use with sources on exactly these dates.

    Parameters
    ----------
    dates : iterable of dates
        Dates to include (after ``start``).
    draws, seed, start, rate_walk, grid
        As for :func:`synthesize`.

    Returns
    -------
    xarray.Dataset
        ``cumulative`` (draw, date) and ``rate`` (draw, segment), as :func:`synthesize` gives.

    Examples
    --------
    >>> from attritionsim.synthesis import sample_prior
    >>> prior = sample_prior(["2023-01-01"], draws=1_000, seed=1)
    >>> bool((prior["rate"] > 0).all())
    True
    """
    draws = _check_draws(draws, least=1)
    seed = _rng.check_seed(seed)
    origin = _day("start", start)
    rate_walk = _check_number("rate_walk", rate_walk, 0.0, 10.0, "in (0, 10]", low_open=True)
    days = [_day(f"dates[{i}]", d) for i, d in enumerate(dates)]
    if not days or min(days) <= origin:
        raise InputError(f"dates must be one or more dates after the start {_iso(origin)}")
    knots = _knots(origin, {origin, *days}, bool(grid))
    lengths, tau = _geometry(knots, rate_walk)
    z = _rng.stream_generator(seed, "synthesis", "prior").standard_normal((draws, tau.size))
    x = np.clip(np.cumsum(z * tau, axis=1) + math.log(PRIOR_RATE), -_LOG_CLIP, _LOG_CLIP)
    rates = np.exp(x)
    cum = np.zeros((draws, tau.size + 1))
    np.cumsum(rates * lengths, axis=1, out=cum[:, 1:])
    dates64 = knots.astype("datetime64[ns]")
    return xr.Dataset(
        {
            "cumulative": (("draw", "date"), cum),
            "rate": (("draw", "segment"), rates),
        },
        coords={
            "date": dates64,
            "segment_start": ("segment", dates64[:-1]),
            "segment_end": ("segment", dates64[1:]),
        },
        attrs={"seed": seed, "draws": draws, "start": _iso(origin), "rate_walk": rate_walk},
    )


class _Model:
    """The log posterior in whitened coordinates, vectorized over rows of ``z``."""

    def __init__(
        self,
        sources: Sequence[_Source],
        knots: npt.NDArray[np.datetime64],
        *,
        rate_walk: float,
        outlier: float,
        biases: Sequence[tuple[str, Distribution]],
        tallies: frozenset[str] = frozenset(),
    ) -> None:
        self.sources = list(sources)
        self.lengths, self.tau = _geometry(knots, rate_walk)
        n_seg = len(self.lengths)
        index = {day: k for k, day in enumerate(knots)}
        self.a = np.array([index[s.start] for s in sources])
        self.b = np.array([index[s.end] for s in sources])
        self.divisor = np.array([s.divisor for s in sources])
        self.divided = self.divisor != 1.0
        self.groups = np.array(_groups(sources, tallies))
        n_groups = int(self.groups.max()) + 1 if len(sources) else 0
        # Two whitened coordinates per group: its level (sd GROUP_SD) and its drift (sd
        # GROUP_DRIFT_SD a year, about the group's mean date).
        self.n_groups = 2 * n_groups
        self.group_weights = np.zeros((self.n_groups, len(sources)))
        ends = np.array([(s.end - knots[0]) / np.timedelta64(1, "D") for s in sources], float)
        for g in range(n_groups):
            members = np.flatnonzero(self.groups == g)
            years = (ends[members] - ends[members].mean()) / YEAR_DAYS
            party = any(sources[int(i)].publisher in tallies for i in members)
            self.group_weights[2 * g, members] = TALLY_SD if party else GROUP_SD
            self.group_weights[2 * g + 1, members] = GROUP_DRIFT_SD * years
        publishers = [s.publisher for s in sources]
        self.biases = list(biases)
        self.bias_dists = [dist for _, dist in biases]
        self.bias_of = np.array(
            [next((j for j, (key, _) in enumerate(biases) if key == p), -1) for p in publishers]
        )
        self.n_seg = n_seg
        self.dim = n_seg + self.n_groups + len(self.bias_dists)
        self.outlier = outlier
        medians = np.array([float(s.reading.median()) for s in sources])
        scales = np.array([max(_log_scale(s.reading), MIN_REL_ERROR) for s in sources])
        self.log_median = np.log(medians)
        self.log_scale = scales
        self.wide_scale = np.maximum(WIDE_FACTOR * scales, WIDE_MIN)
        self.lognormal = np.array([type(s.reading) is LogNormal for s in sources])
        # A lognormal reading's median is exp(mu): its density needs only log_median and sigma.
        self.ln_sigma = np.array(
            [s.reading.sigma if isinstance(s.reading, LogNormal) else 1.0 for s in sources]
        )
        # The sampler's shortcut (log_post below): every source's quantity as one product of
        # the rates with a design matrix (segment length over divisor on the segments it spans).
        self.design = np.zeros((n_seg, len(sources)))
        for i in range(len(sources)):
            self.design[self.a[i] : self.b[i], i] = self.lengths[self.a[i] : self.b[i]]
        self.design /= self.divisor
        # Lognormal readings' robust likelihood, written as the wide component times
        # 1 + K exp(-c dev²) (see _log1p_sum); the others (and any with c <= 0) term by term.
        wide2 = 0.5 / self.wide_scale**2
        curve = 0.5 / self.ln_sigma**2 - wide2
        self.split = self.lognormal & (curve > 0.0) & (outlier > 0.0)
        self.rest = ~self.split
        self.design_split = np.ascontiguousarray(self.design[:, self.split])
        self.design_rest = np.ascontiguousarray(self.design[:, self.rest])
        self.split_median = self.log_median[self.split]
        self.split_wide2 = wide2[self.split]
        self.split_curve = curve[self.split]
        self.split_factor = (
            (1.0 - outlier) * self.wide_scale / (max(outlier, 1e-300) * self.ln_sigma)
        )[self.split]
        self.split_const = float(
            np.sum(
                math.log(max(outlier, 1e-300)) - np.log(self.wide_scale[self.split]) - _HALF_LOG_2PI
            )
        )

    def single(self) -> _Model:
        """A copy that computes in float32: the sampler's evaluations at half the memory traffic.

        Its precision (about 1e-7 relative) is far below every source's (2% at least); the
        optimiser, the Hessian and the output values use the float64 model.
        """
        out = copy.copy(self)
        for name in _FLOAT_FIELDS:
            setattr(out, name, getattr(self, name).astype(np.float32))
        return out

    # ---------------------------------------------------------------- paths and values
    def log_rates(self, z: Floats) -> Floats:
        x = z[:, : self.n_seg] * self.tau
        np.cumsum(x, axis=1, out=x)
        x += math.log(PRIOR_RATE)
        return np.clip(x, -_LOG_CLIP, _LOG_CLIP, out=x)

    def cumulative(self, x: Floats) -> Floats:
        """The count at every knot for log rates ``x`` (``x`` is overwritten)."""
        out = np.empty((x.shape[0], self.n_seg + 1))
        out[:, 0] = 0.0
        rates = np.exp(x, out=x)
        rates *= self.lengths
        np.cumsum(rates, axis=1, out=out[:, 1:])
        return out

    def values(self, z: Floats) -> tuple[Floats, Floats, Floats]:
        """``(cumulative at knots, fitted theta, log multiplier)``, per row and source."""
        cum = self.cumulative(self.log_rates(z))
        theta = cum[:, self.b]
        later = self.a > 0
        if later.any():
            theta[:, later] -= cum[:, self.a[later]]
        if self.divided.any():
            theta /= self.divisor
        log_mult = z[:, self.n_seg : self.n_seg + self.n_groups] @ self.group_weights
        if self.bias_dists:
            first = self.n_seg + self.n_groups
            for j, dist in enumerate(self.bias_dists):
                probs = np.clip(special.ndtr(z[:, first + j]), 1e-15, 1.0 - 1e-15)
                factor = np.log(np.maximum(dist.ppf_unchecked(probs), 1e-300))
                log_mult += factor[:, None] * (self.bias_of == j)
        return cum, theta, log_mult

    def drift(self, z: Floats) -> FloatArray:
        """Each source's group error drift (log per year; 0 outside a group), per row."""
        slopes = np.zeros((z.shape[0], len(self.sources)))
        grouped = np.flatnonzero(self.groups >= 0)
        drift_rows = self.n_seg + 2 * self.groups[grouped] + 1
        slopes[:, grouped] = z[:, drift_rows] * GROUP_DRIFT_SD
        return slopes

    # ---------------------------------------------------------------- likelihood
    def loglik(self, theta: Floats, log_mult: Floats, *, surrogate: bool = False) -> Floats:
        """``log L_i`` per row and source (the density of ``log theta``, robust mixture)."""
        log_seen = np.log(np.maximum(theta, np.finfo(theta.dtype).tiny))
        log_seen += log_mult
        dev = log_seen - self.log_median
        dev *= dev  # squared deviation in logs from the reading's median
        scale = self.log_scale if surrogate else self.ln_sigma
        main: npt.NDArray[Any] = dev * (-0.5 / scale**2) - (np.log(scale) + _HALF_LOG_2PI)
        if not surrogate:
            for i in np.flatnonzero(~self.lognormal):
                seen = np.exp(log_seen[:, i])
                main[:, i] = self.sources[i].reading.logpdf(seen) + log_seen[:, i]
        if self.outlier <= 0.0:
            return main
        wide = dev * (-0.5 / self.wide_scale**2) - (
            np.log(self.wide_scale) + _HALF_LOG_2PI - math.log(self.outlier)
        )
        main += math.log1p(-self.outlier)
        out: npt.NDArray[Any] = np.logaddexp(main, wide, out=main)
        return out

    def log_post(self, z: Floats, *, surrogate: bool = False) -> Floats:
        if not surrogate and self.split.any():
            return self._log_post_fast(z)
        _, theta, log_mult = self.values(z)
        out = self.loglik(theta, log_mult, surrogate=surrogate).sum(axis=1)
        out -= 0.5 * np.einsum("ij,ij->i", z, z)
        return np.where(np.isnan(out), -np.inf, out)

    def _log_post_fast(self, z: Floats) -> Floats:
        """:meth:`log_post` (not the surrogate), without the cumulative at every knot.

        The same value as the sum of :meth:`loglik` up to rounding: the sources' quantities
        are ``exp(x) @ design`` (the lognormal readings' columns first, contiguous), and their
        mixture terms are summed through :func:`_log1p_sum`.
        """
        rates = np.exp(self.log_rates(z))
        z_sq = np.einsum("ij,ij->i", z, z)
        out = -0.5 * z_sq.astype(np.float64)
        if self.rest.any():
            theta = rates @ self.design_rest
            part = self._rest(theta, self._log_mult(z, self.rest))
            out += part.sum(axis=1, dtype=np.float64)
        theta = rates @ self.design_split
        del rates
        np.maximum(theta, np.finfo(theta.dtype).tiny, out=theta)
        dev = np.log(theta, out=theta)
        if self.n_groups or self.bias_dists:
            dev += self._log_mult(z, self.split)
        dev -= self.split_median
        dev *= dev
        out += self.split_const - (dev @ self.split_wide2).astype(np.float64)
        dev *= -self.split_curve
        out += _log1p_sum(np.exp(dev, out=dev), self.split_factor)
        return np.where(np.isnan(out), -np.inf, out)

    def _log_mult(self, z: Floats, columns: npt.NDArray[np.bool_]) -> Floats:
        """The log multiplier (group error plus bias) of the sources in ``columns``."""
        weights = self.group_weights[:, columns]
        out: Floats | None = None
        for g in range(self.n_groups):
            if weights[g].any():
                term = z[:, self.n_seg + g, None] * weights[g]
                out = term if out is None else np.add(out, term, out=out)
        if out is None:
            out = np.zeros((z.shape[0], int(columns.sum())), dtype=z.dtype)
        first = self.n_seg + self.n_groups
        for j, dist in enumerate(self.bias_dists):
            mine = self.bias_of[columns] == j
            if mine.any():
                probs = np.clip(special.ndtr(z[:, first + j]), 1e-15, 1.0 - 1e-15)
                factor = np.log(np.maximum(dist.ppf_unchecked(probs), 1e-300))
                out[:, mine] += factor.astype(z.dtype)[:, None]
        return out

    def _rest(self, theta: Floats, log_mult: Floats) -> Floats:
        """:meth:`loglik` of the sources outside the lognormal shortcut."""
        rest = self.rest
        sub = copy.copy(self)
        for name in ("log_median", "log_scale", "wide_scale", "ln_sigma", "lognormal"):
            setattr(sub, name, getattr(self, name)[rest])
        sub.sources = [src for src, keep in zip(self.sources, rest, strict=True) if keep]
        return sub.loglik(theta, log_mult)


_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def _log1p_sum(t: Floats, factor: Floats) -> FloatArray:
    """``sum_k log1p(factor_k t_ik)`` per row, for ``t`` in [0, 1] (``t`` is overwritten).

    The factors ``1 + factor_k t_ik`` are multiplied over chunks of columns small enough that
    no product can overflow, and the log taken once per chunk: a fifth of the logarithms.
    """
    t *= factor
    t += 1.0
    top = math.log1p(float(np.max(factor))) if factor.size else 1.0
    per = max(1, int(0.9 * math.log(float(np.finfo(t.dtype).max)) / max(top, 1e-12)))
    out = np.zeros(t.shape[0])
    for first in range(0, t.shape[1], per):
        out += np.log(np.multiply.reduce(t[:, first : first + per], axis=1))
    return out


_FLOAT_FIELDS = (
    "design_split",
    "design_rest",
    "split_median",
    "split_wide2",
    "split_curve",
    "split_factor",
    "lengths",
    "tau",
    "divisor",
    "group_weights",
    "log_median",
    "log_scale",
    "wide_scale",
    "ln_sigma",
)


# ============================================================================ inference
def _mode(model: _Model) -> tuple[FloatArray, bool]:
    """The surrogate posterior's mode in ``z`` (BFGS, batched finite-difference gradient)."""
    dim = model.dim
    grid = np.linspace(-4.0, 6.0, 201)
    start = np.zeros((grid.size, dim))
    start[:, 0] = grid  # a constant rate: the best level first
    z0 = start[int(np.argmax(model.log_post(start, surrogate=True)))]
    steps = np.vstack([np.zeros(dim), _FD_STEP * np.eye(dim), -_FD_STEP * np.eye(dim)])

    def objective(z: FloatArray) -> tuple[float, FloatArray]:
        vals = model.log_post(z + steps, surrogate=True)
        grad = (vals[1 : dim + 1] - vals[dim + 1 :]) / (2.0 * _FD_STEP)
        return -float(vals[0]), -grad

    # Dense BFGS: with ~100 coordinates its Hessian estimate is cheap, and it copes with the
    # stiff directions of 2%-precise sources far better than L-BFGS (tens of iterations).
    res = optimize.minimize(
        objective, z0, jac=True, method="BFGS", options={"gtol": 1e-4, "maxiter": 2000}
    )
    return np.asarray(res.x, dtype=float), bool(res.success)


def _hessian(model: _Model, z: FloatArray) -> FloatArray:
    """Hessian of the surrogate log posterior at ``z``, from one batch of second differences."""
    dim, h = model.dim, _HESS_STEP
    eye = h * np.eye(dim)
    iu, ju = np.triu_indices(dim, 1)
    points = np.concatenate(
        [
            z[None, :],
            z + eye,
            z - eye,
            z + eye[iu] + eye[ju],
            z + eye[iu] - eye[ju],
            z - eye[iu] + eye[ju],
            z - eye[iu] - eye[ju],
        ]
    )
    vals = model.log_post(points, surrogate=True)
    centre, plus, minus = vals[0], vals[1 : dim + 1], vals[dim + 1 : 2 * dim + 1]
    m = len(iu)
    pp, pm, mp, mm = (vals[2 * dim + 1 + k * m : 2 * dim + 1 + (k + 1) * m] for k in range(4))
    hess = np.empty((dim, dim))
    hess[np.diag_indices(dim)] = (plus - 2.0 * centre + minus) / h**2
    hess[iu, ju] = hess[ju, iu] = (pp - pm - mp + mm) / (4.0 * h**2)
    return hess


@dataclasses.dataclass(frozen=True)
class _Reference:
    """The reference ``q``: per eigen-direction of the Laplace fit, a two-scale normal mixture.

    ``z = mode + y @ root.T`` with ``root`` the Laplace covariance's square root, so ``y`` is
    N(0, I) under the Laplace fit. Each coordinate ``y_k`` is ``N(0, narrow_k²)`` with
    probability ``1 - share`` and ``N(0, broad_k²)`` otherwise: heavier tails than the posterior
    in every direction the data speak to, so the regions where one source is "off" (the
    robust likelihood's wide component) are drawn too, in any combination of directions.
    """

    mode: FloatArray
    root: FloatArray
    narrow: FloatArray
    broad: FloatArray
    share: float
    converged: bool

    def sample(self, n: int, rng: np.random.Generator) -> npt.NDArray[np.float32]:
        y = rng.standard_normal((n, self.mode.size), dtype=np.float32)
        wide = rng.random((n, self.mode.size)) < self.share
        y *= np.where(wide, self.broad, self.narrow).astype(np.float32)
        return y

    def log_density(self, y: npt.NDArray[Any]) -> FloatArray:
        """``log q(y)`` up to a constant.

        Each mixed coordinate's density is its broad part times ``1 + K exp(-c y²)``, so the
        sum is one matrix product and :func:`_log1p_sum` (the same value as
        :meth:`log_density_terms`, up to rounding, at a third of the cost).
        """
        mixed = self.broad > self.narrow
        if not mixed.any():
            return self.log_density_terms(y)
        share = self.share
        inv2 = np.where(mixed, 0.5 / self.broad**2, 0.5 / self.narrow**2)
        const = float(
            np.sum(math.log(share) - np.log(self.broad[mixed])) - np.log(self.narrow[~mixed]).sum()
        )
        curve = 0.5 / self.narrow[mixed] ** 2 - 0.5 / self.broad[mixed] ** 2
        factor = (1.0 - share) * self.broad[mixed] / (share * self.narrow[mixed])
        u = y * y
        out = const - (u @ inv2.astype(y.dtype)).astype(np.float64)
        part = u if mixed.all() else u[:, mixed]
        part *= -curve.astype(y.dtype)
        out += _log1p_sum(np.exp(part, out=part), factor.astype(y.dtype))
        return np.asarray(out)

    def log_density_terms(self, y: npt.NDArray[Any]) -> FloatArray:
        """``log q(y)`` up to a constant, coordinate by coordinate (the reference formula)."""
        mixed = self.broad > self.narrow  # elsewhere the two parts are one normal
        plain = y[:, ~mixed] / self.narrow[~mixed].astype(y.dtype)
        out = -0.5 * np.einsum("ij,ij->i", plain, plain, dtype=np.float64)
        out -= float(np.log(self.narrow[~mixed]).sum())
        if mixed.any():
            part = y[:, mixed]
            part *= part
            narrow = self.narrow[mixed].astype(y.dtype)
            broad = self.broad[mixed].astype(y.dtype)
            log_narrow = part * (-0.5 / narrow**2) + (math.log1p(-self.share) - np.log(narrow))
            log_broad = part * (-0.5 / broad**2) + (math.log(self.share) - np.log(broad))
            out += np.logaddexp(log_narrow, log_broad, out=log_narrow).sum(axis=1, dtype=np.float64)
        return np.asarray(out)


#: The share of every data-informed direction that the reference draws from its broad part.
_BROAD_SHARE = 0.05


def _reference(model: _Model, widen: float) -> _Reference:
    """The Laplace fit of the surrogate posterior, and the reference ``q`` built on it."""
    mode, converged = _mode(model)
    precision = -_hessian(model, mode)
    precision = (precision + precision.T) / 2.0
    if not np.isfinite(precision).all():
        precision = np.eye(model.dim)
    eigval, eigvec = np.linalg.eigh(precision)
    eigval = np.maximum(eigval, _EIG_FLOOR)
    # Widen only where the data speak: a direction with precision 1 is the prior's alone, which
    # the Laplace approximation gets exactly; one with precision >> 1 is the likelihood's. The
    # broad part reaches the robust likelihood's wide scale, but never beyond the prior's.
    data = np.clip(1.0 - 1.0 / eigval, 0.0, 1.0)
    narrow = 1.0 + (widen - 1.0) * data
    broad = np.maximum(narrow, np.minimum(WIDE_FACTOR * narrow, widen * np.sqrt(eigval)))
    return _Reference(
        mode=mode,
        root=eigvec / np.sqrt(eigval),
        narrow=narrow,
        broad=broad,
        share=_BROAD_SHARE,
        converged=converged,
    )


def _ess_share(logw: FloatArray) -> float:
    finite = np.isfinite(logw)
    if not finite.any():
        return 0.0
    w = np.exp(logw - logw[finite].max())
    return float(w.sum() ** 2 / (w * w).sum() / logw.size)


def _next_lambda(ell: FloatArray, lam: float, target: float) -> float:
    room = 1.0 - lam
    if _ess_share(room * ell) >= target:
        return 1.0
    lo, hi = 0.0, room
    for _ in range(60):
        mid = (lo + hi) / 2.0
        if _ess_share(mid * ell) >= target:
            lo = mid
        else:
            hi = mid
    return lam + (lo if lo > 0.0 else hi)


def _systematic(logw: FloatArray, rng: np.random.Generator) -> npt.NDArray[np.intp]:
    n = logw.size
    w = np.exp(logw - logw[np.isfinite(logw)].max())
    cdf = np.cumsum(w)
    cdf /= cdf[-1]
    points = (rng.random() + np.arange(n)) / n
    return np.minimum(np.searchsorted(cdf, points, side="right"), n - 1)


def _gpd_fit(x: FloatArray) -> tuple[float, float]:
    """Generalized Pareto fit to sorted exceedances (Zhang & Stephens 2009, with the PSIS prior)."""
    n = x.size
    m = 30 + int(math.sqrt(n))
    b = 1.0 - np.sqrt(m / (np.arange(1, m + 1) - 0.5))
    b /= 3.0 * max(float(x[int(n / 4 + 0.5) - 1]), 1e-12 * float(x[-1]))
    b += 1.0 / x[-1]
    k = np.log1p(-b[:, None] * x).mean(axis=1)
    profile = n * (np.log(-b / k) - k - 1.0)
    with np.errstate(over="ignore"):  # a profile far below the best: its weight is 0
        weights = 1.0 / np.exp(profile - profile[:, None]).sum(axis=1)
    keep = weights >= 10 * np.finfo(float).eps
    weights, b = weights[keep] / weights[keep].sum(), b[keep]
    b_post = float(np.sum(b * weights))
    k_post = float(np.log1p(-b_post * x).mean())
    sigma = -k_post / b_post
    return (n * k_post + 10 * 0.5) / (n + 10), sigma


def psis(logw: FloatArray) -> tuple[FloatArray, float]:
    """Pareto-smoothed normalised log weights and the tail shape ``k̂`` (Vehtari et al. 2024).

    The largest ``min(n / 5, 3 sqrt(n))`` weights are replaced by the expected order statistics
    of a generalized Pareto fitted to them, capped at the largest raw weight.

    Parameters
    ----------
    logw : numpy.ndarray
        Unnormalised log importance weights (``-inf`` allowed).

    Returns
    -------
    tuple
        ``(log weights summing to one, k̂)``; ``k̂ > 0.7`` means the estimate is unreliable.
    """
    x = np.asarray(logw, dtype=float).copy()
    n = x.size
    finite = np.isfinite(x)
    if not finite.any():
        return np.full(n, -math.log(n)), math.inf
    x -= x[finite].max()
    tail_len = math.ceil(min(0.2 * n, 3.0 * math.sqrt(n)))
    order = np.argsort(x)
    cutoff = max(float(x[order[-tail_len - 1]]), math.log(np.finfo(float).tiny))
    tail = order[x[order] > cutoff]
    k = math.inf
    exceed = np.exp(x[tail]) - math.exp(cutoff)
    if tail.size > 4 and exceed[-1] <= 1e-9 * math.exp(cutoff):
        k = 0.0  # the largest weights are all but equal: no tail to smooth
    elif tail.size > 4:
        k, sigma = _gpd_fit(exceed)
        if math.isfinite(k) and sigma > 0.0:
            probs = (np.arange(tail.size) + 0.5) / tail.size
            smooth = (
                -sigma * np.log1p(-probs)
                if k == 0.0
                else sigma * np.expm1(-k * np.log1p(-probs)) / k
            )
            x[tail] = np.minimum(np.log(smooth + math.exp(cutoff)), 0.0)
    x -= special.logsumexp(x)
    return x, float(k)


@dataclasses.dataclass
class _Run:
    """What the sampler returns: final particles and its diagnostics."""

    z: FloatArray
    eve: npt.NDArray[np.intp]
    lambdas: list[float]
    pareto_k: float
    final_ess: float
    acceptance: float
    beta: float
    converged: bool


def _smc(model: _Model, draws: int, seed: int, *, moves: int, widen: float) -> _Run:
    ref = _reference(model, widen)
    rng = _rng.stream_generator(seed, "synthesis", "smc")
    fast = model.single()
    mode32, root32 = ref.mode.astype(np.float32), ref.root.T.astype(np.float32)

    def block(y: npt.NDArray[np.float32]) -> tuple[FloatArray, FloatArray]:
        z = y @ root32
        z += mode32
        return ref.log_density(y), np.asarray(fast.log_post(z), dtype=np.float64)

    def densities(y: npt.NDArray[np.float32]) -> tuple[FloatArray, FloatArray]:
        """``(log q(y), log pi(z(y)))`` per particle, in row blocks on the machine's cores.

        Every row's value is computed alone, so the blocks (fixed by the number of draws, not
        by timing) give the same numbers as one pass; numpy releases the GIL in its loops.
        """
        blocks = [y[i : i + _BLOCK_ROWS] for i in range(0, y.shape[0], _BLOCK_ROWS)]
        if len(blocks) == 1 or _WORKERS == 1:
            parts = [block(b) for b in blocks]
        else:
            with concurrent.futures.ThreadPoolExecutor(_WORKERS) as pool:
                parts = list(pool.map(block, blocks))
        return (
            np.concatenate([p[0] for p in parts]),
            np.concatenate([p[1] for p in parts]),
        )

    y = ref.sample(draws, rng)
    lq, lp = densities(y)
    if not np.isfinite(lp).any():
        raise InputError(
            "observations: no draw has a finite likelihood; the sources exclude one another "
            "entirely (use outlier > 0)"
        )
    eve = np.arange(draws)
    lam, lambdas, beta = 0.0, [0.0], 0.5
    pareto_k, final_ess, acceptance = math.nan, math.nan, math.nan
    while lam < 1.0:
        ell = lp - lq
        new = _next_lambda(ell, lam, TARGET_ESS)
        if len(lambdas) > _MAX_STEPS:
            new = 1.0
        logw = (new - lam) * ell
        if new >= 1.0:
            smoothed, pareto_k = psis(logw)
            if pareto_k > 0.7 and len(lambdas) <= _MAX_STEPS:
                # A heavy tail in the last weights: halve the step rather than trust them.
                new = lam + (1.0 - lam) / 2.0
                logw = (new - lam) * ell
            else:
                logw = smoothed
                final_ess = float(1.0 / np.exp(special.logsumexp(2.0 * logw)))
        lam = new
        lambdas.append(lam)
        idx = _systematic(logw, rng)
        y, lq, lp, eve = y[idx], lq[idx], lp[idx], eve[idx]
        beta, acceptance = _move(y, lq, lp, lam, beta, moves, densities, rng)
    return _Run(
        z=ref.mode + y.astype(np.float64) @ ref.root.T,
        eve=eve,
        lambdas=lambdas,
        pareto_k=pareto_k,
        final_ess=final_ess,
        acceptance=acceptance,
        beta=beta,
        converged=ref.converged,
    )


def _move(
    y: npt.NDArray[np.float32],
    lq: FloatArray,
    lp: FloatArray,
    lam: float,
    beta: float,
    moves: int,
    densities: Any,
    rng: np.random.Generator,
) -> tuple[float, float]:
    """``moves`` pCN moves of every particle (in place), reversible for a Gaussian fit.

    The tempered target is ``q^(1-lam) pi^lam``. The particles' mean ``mu`` and covariance
    ``C = L L'`` define ``w = L^-1 (y - mu)``; the proposal ``w' = sqrt(1 - beta²) w + beta xi``
    leaves ``N(mu, C)`` invariant, so the acceptance ratio is the target over that Gaussian at
    the proposal against at the current point. Fitting the Gaussian to the current particles
    follows the tempered target's actual shape, where a fixed reference would force small steps
    wherever the two differ. ``beta`` adapts towards an acceptance of 25-35%.
    """
    dim = y.shape[1]
    mu = y.mean(axis=0, dtype=np.float64)
    centred = y - mu.astype(np.float32)
    cov = (centred.T @ centred).astype(np.float64) / max(y.shape[0] - 1, 1) + 1e-9 * np.eye(dim)
    del centred
    chol = np.linalg.cholesky(cov)
    to_w = np.linalg.inv(chol).T.astype(np.float32)
    from_w = chol.T.astype(np.float32)
    mu32 = mu.astype(np.float32)
    w = (y - mu32) @ to_w
    target = (1.0 - lam) * lq + lam * lp + 0.5 * _rowdot(w)
    acceptance = math.nan
    for _ in range(moves):
        w_new = rng.standard_normal(y.shape, dtype=np.float32)
        w_new *= beta
        w_new += math.sqrt(1.0 - beta * beta) * w
        y_new = w_new @ from_w
        y_new += mu32
        lq_new, lp_new = densities(y_new)
        target_new = (1.0 - lam) * lq_new + lam * lp_new + 0.5 * _rowdot(w_new)
        accept = np.log(rng.random(y.shape[0])) < target_new - target
        accept &= np.isfinite(target_new)
        rows = accept[:, None]
        np.copyto(y, y_new, where=rows)
        np.copyto(w, w_new, where=rows)
        for old, new in ((lq, lq_new), (lp, lp_new), (target, target_new)):
            np.copyto(old, new, where=accept)
        acceptance = float(accept.mean())
        if acceptance < 0.25:
            beta *= 0.7
        elif acceptance > 0.35:
            beta = min(1.0, beta * 1.3)
    return beta, acceptance


def _rowdot(a: npt.NDArray[Any]) -> FloatArray:
    return np.asarray(np.einsum("ij,ij->i", a, a, dtype=np.float64))


def _family_ess(values: FloatArray, eve: npt.NDArray[np.intp]) -> float:
    """Chan-Lai ESS of the indicator ``values <= median`` over Eve families."""
    return _orderstats.family_ess((values <= np.median(values)).astype(float), eve)


# ============================================================================ synthesize
def synthesize(
    observations: Iterable[object],
    *,
    rates: Iterable[object] = (),
    dates: Iterable[object] = (),
    draws: int = 100_000,
    seed: int = 0,
    start: object = DEFAULT_START,
    bias: Mapping[str, Distribution] | None = None,
    tallies: Iterable[str] = PARTY_TALLIES,
    outlier: float = 0.05,
    rate_walk: float = 0.3,
    grid: bool = True,
    moves: int = 5,
    widen: float = 1.3,
    reading: Reading | str = "default",
) -> xr.Dataset:
    """One never-decreasing cumulative trajectory behind every dated source, as posterior draws.

    The model and the sampler are described in :mod:`attritionsim.synthesis`.

    Parameters
    ----------
    observations : iterable
        Catalogue ids, :class:`~attritionsim.catalogue.Record` objects (e.g. a
        ``load_catalogue().query(side="russia", measure=[...])``), or tuples
        ``(date, Distribution)`` / ``(date, Distribution, label)`` for a cumulative count on
        ``date`` (a plain number is an exact figure). Records of measure ``casualties`` are
        cumulative counts, ``period_casualties`` totals over ``[period_start, as_of]``,
        ``daily_rate`` and ``monthly_rate`` mean rates over their period. All of one side.
        Projections and headline duplicates are skipped with one warning.
    rates : iterable of tuple
        ``(start, end, Distribution[, label])``: the mean daily rate over ``[start, end]``.
    dates : iterable of dates
        More dates at which to report the trajectory.
    draws : int
        Number of equally weighted output paths (and of particles): from 100 to
        :data:`MAX_DRAWS` (10,000,000).
    seed : int
        Seed of every random stream; the same seed gives the same bits.
    start : date
        The process start, where the count is 0 (default 2022-02-24).
    bias : mapping of str to Distribution, optional
        A multiplicative bias per publisher slug (an id's first word), e.g.
        ``{"uagenstaff": asim.from_range(1.0, 1.6)}``: that publisher sees the truth times it.
    tallies : iterable of str
        Publisher slugs whose records are a party's own tally (default
        :data:`PARTY_TALLIES`): each publisher's records share one group error of sd
        :data:`TALLY_SD`, even a single record. Pass ``()`` to read every source as independent
        unless ``depends_on`` links it. A slug that no source's publisher has is ignored
        without a warning: the list names the war's parties, most of which publish nothing
        about a given side (a typo is not caught; the ``tallies`` attr lists what was used).
    outlier : float
        Prior probability in [0, 0.5) that a source is simply off (read by the wide component).
    rate_walk : float
        Sd of the monthly change of the log daily rate, in (0, :data:`MAX_RATE_WALK`].
    grid : bool
        Add a knot on the first day of every month (default); ``False``: knots only at the
        sources' and requested dates.
    moves : int
        Metropolis moves per tempering step (and after the last), from 1 to
        :data:`MAX_MOVES`.
    widen : float
        Scale factor of the Laplace reference's spread, in [1, :data:`MAX_WIDEN`].
    reading : Reading or str
        The reading of the catalogue records' qualifiers (:func:`attritionsim.get_reading`);
        ``(date, Distribution)`` tuples are used as they are.

    Returns
    -------
    xarray.Dataset
        ``cumulative`` (draw, date) non-decreasing; ``rate`` (draw, segment) daily rate on each
        segment, with ``segment_start``/``segment_end``; ``fitted`` (draw, source) the true
        quantity each source speaks of (a count, or a rate in the source's units),
        ``multiplier`` (draw, source) its group error times its publisher's bias, ``drift``
        (draw, source) its group error's slope (log per year, 0 outside a group), ``loglik``
        (draw, source) each source's log likelihood. ``date`` holds the process start, every
        source's dates, every requested date and the monthly knots; its coordinate
        ``listed`` is False for the monthly knots alone. Attrs: ``ess``, ``pareto_k``,
        ``tempering_steps``, ``acceptance``, ``seed``, ``draws``, the prior settings,
        ``sources`` and ``readings`` (JSON: each source's figure, reading and period).
        ``cumulative`` and ``rate`` carry ``ess`` and ``seed`` in their own attrs too, so that
        :func:`~attritionsim.summarize` and :func:`~attritionsim.cite` of a selection of them
        use it for every MCSE (and the summary gives the seed).

    Raises
    ------
    InputError
        Naming the observation: an empty list, a duplicate id, a rate period whose end is not
        after its start, a date before the process start, a record of another measure or side,
        a distribution that allows negative counts; or a bad option.

    Warns
    -----
    AttritionWarning
        Naming the records skipped (projections, headline duplicates).
    SynthesisWarning
        When ``k̂ > 0.7`` or ``ess`` is below 1% of ``draws``.

    Examples
    --------
    >>> import attritionsim as asim
    >>> syn = asim.synthesize([("2024-01-01", asim.from_range(300_000, 350_000))],
    ...                       rates=[("2024-06-01", "2024-07-01", asim.approximately(1_200))],
    ...                       draws=2_000, seed=3)
    >>> syn["cumulative"].dims
    ('draw', 'date')
    >>> bool((syn["rate"] >= 0).all())
    True
    """
    draws = _check_draws(draws)
    seed = _rng.check_seed(seed)
    origin = _day("start", start)
    outlier = _check_number("outlier", outlier, 0.0, 0.5, "in [0, 0.5)", top_open=True)
    rate_walk = _check_number(
        "rate_walk", rate_walk, 0.0, MAX_RATE_WALK, f"in (0, {MAX_RATE_WALK:g}]", low_open=True
    )
    widen = _check_number("widen", widen, 1.0, MAX_WIDEN, f"in [1, {MAX_WIDEN:g}]")
    steps: object = moves
    if (
        isinstance(steps, bool)
        or not isinstance(steps, numbers.Integral)
        or not 1 <= int(steps) <= MAX_MOVES
    ):
        raise InputError(f"moves must be an integer in [1, {MAX_MOVES}]; got {moves!r}")
    if not isinstance(grid, bool):
        raise InputError(f"grid must be True or False; got {grid!r}")
    sources, skipped = _read_sources(observations, rates, origin, get_reading(reading))
    if skipped:
        warnings.warn(
            f"synthesize skipped {len(skipped)} record(s): {'; '.join(skipped)} "
            "(projections and restatements of a record at the same date are not evidence)",
            AttritionWarning,
            stacklevel=2,
        )
    biases = _read_bias(bias, sources)
    if isinstance(dates, str) or not isinstance(dates, Iterable):
        raise InputError(f"dates must be a list of dates; got {dates!r}")
    wanted = [_day(f"dates[{i}]", d) for i, d in enumerate(dates)]
    for i, day in enumerate(wanted):
        if day < origin:
            raise InputError(f"dates[{i}]: {_iso(day)} is before the process start {_iso(origin)}")
    listed = {origin, *wanted, *(s.end for s in sources), *(s.start for s in sources)}
    knots = _knots(origin, listed, grid)
    parties = _read_tallies(tallies)
    model = _Model(
        sources, knots, rate_walk=rate_walk, outlier=outlier, biases=biases, tallies=parties
    )
    run = _smc(model, int(draws), seed, moves=int(moves), widen=widen)
    cum, theta, log_mult = model.values(run.z)
    loglik = model.loglik(theta, log_mult)
    mult = np.exp(log_mult)
    ess_dates = np.array([_family_ess(cum[:, k], run.eve) for k in range(1, cum.shape[1])])
    ess = float(np.median(ess_dates))
    if math.isfinite(run.final_ess):
        ess = min(ess, run.final_ess)
    _warn_diagnostics(run.pareto_k, ess, draws)
    settings = {
        "seed": seed,
        "draws": draws,
        "start": _iso(origin),
        "outlier": outlier,
        "tallies": ",".join(sorted(parties)),
        "rate_walk": rate_walk,
        "grid": int(grid),
        "moves": int(moves),
        "widen": widen,
    }
    return _dataset(model, knots, listed, run, (cum, theta, mult, loglik), ess, skipped, settings)


def _check_draws(value: object, least: int = 100) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < least:
        raise InputError(f"draws must be an integer >= {least}; got {value!r}")
    if int(value) > MAX_DRAWS:
        raise InputError(f"draws must be at most {MAX_DRAWS:,}; got {value!r}")
    return int(value)


def _check_number(
    name: str,
    value: object,
    low: float,
    high: float,
    valid: str,
    *,
    low_open: bool = False,
    top_open: bool = False,
) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError(f"{name} must be a number {valid}; got {value!r}")
    out = float(value)
    ok = (
        math.isfinite(out)
        and (out > low if low_open else out >= low)
        and (out < high if top_open else out <= high)
    )
    if not ok:
        raise InputError(f"{name} must be {valid}; got {value!r}")
    return out


def _read_bias(
    bias: Mapping[str, Distribution] | None, sources: Sequence[_Source]
) -> list[tuple[str, Distribution]]:
    if bias is None:
        return []
    if not isinstance(bias, Mapping):
        raise InputError(f"bias must be a mapping of publisher to Distribution; got {bias!r}")
    publishers = sorted({s.publisher for s in sources})
    out = []
    for key, dist in bias.items():
        if key not in publishers:
            raise InputError(
                f"bias[{key!r}]: no source is from publisher {key!r}; publishers here: "
                f"{', '.join(publishers)}"
            )
        if not isinstance(dist, Distribution) or dist.support[0] < 0.0:
            raise InputError(
                f"bias[{key!r}] must be a Distribution of a positive multiplier (support >= 0); "
                f"got {dist!r}"
            )
        out.append((key, dist))
    return out


def _warn_diagnostics(pareto_k: float, ess: float, draws: int) -> None:
    problems = []
    if not pareto_k <= 0.7:
        problems.append(f"Pareto k̂ of the final weights is {pareto_k:.2f} (> 0.7)")
    if ess < 0.01 * draws:
        problems.append(f"effective sample size {ess:.0f} is below 1% of {draws:,} draws")
    if problems:
        warnings.warn(
            f"synthesis draws are unreliable: {'; '.join(problems)}; raise draws= or moves=, "
            "or look at tension() for sources that cannot all be true",
            SynthesisWarning,
            stacklevel=3,
        )


def _dataset(
    model: _Model,
    knots: npt.NDArray[np.datetime64],
    listed: set[np.datetime64],
    run: _Run,
    arrays: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
    ess: float,
    skipped: list[str],
    settings: dict[str, Any],
) -> xr.Dataset:
    cum, theta, mult, loglik = arrays
    seed = int(settings["seed"])  # on the trajectories too: summaries of a selection give it
    ids = [s.id for s in model.sources]
    rates = np.exp(model.log_rates(run.z))
    readings = {
        s.id: {
            "kind": s.kind,
            "start": _iso(s.start),
            "end": _iso(s.end),
            "divisor": s.divisor,
            "figure": s.figure,
            "publisher": s.publisher,
            "group": int(g),
            "widened": s.widened,
            "reading": s.reading.to_spec(),
        }
        for s, g in zip(model.sources, model.groups, strict=True)
    }
    dates = knots.astype("datetime64[ns]")
    attrs: dict[str, Any] = {
        "ess": ess,
        "pareto_k": run.pareto_k,
        "final_weights_ess": run.final_ess,
        "tempering_steps": len(run.lambdas) - 1,
        "lambdas": json.dumps([round(x, 6) for x in run.lambdas]),
        "acceptance": run.acceptance,
        "step_size": run.beta,
        "optimizer_converged": int(run.converged),
        "distinct_eves": int(np.unique(run.eve).size),
        "prior_rate": PRIOR_RATE,
        "prior_log_sd": PRIOR_LOG_SD,
        "group_sd": GROUP_SD,
        "group_drift_sd": GROUP_DRIFT_SD,
        "min_rel_error": MIN_REL_ERROR,
        "wide_factor": WIDE_FACTOR,
        "wide_min": WIDE_MIN,
        "sources": json.dumps(ids),
        "readings": json.dumps(readings),
        "skipped": json.dumps(skipped),
        "bias": json.dumps({key: dist.to_spec() for key, dist in model.biases}),
        **settings,
    }
    return xr.Dataset(
        {
            "cumulative": (
                ("draw", "date"),
                cum,
                {"long_name": "cumulative count", "units": "people", "ess": ess, "seed": seed},
            ),
            "rate": (
                ("draw", "segment"),
                rates,
                {"long_name": "daily rate", "units": "people/day", "ess": ess, "seed": seed},
            ),
            "fitted": (
                ("draw", "source"),
                theta,
                {"long_name": "true quantity each source reports"},
            ),
            "multiplier": (("draw", "source"), mult, {"long_name": "group error times bias"}),
            "drift": (
                ("draw", "source"),
                model.drift(run.z),
                {"long_name": "drift of the group error", "units": "log per year"},
            ),
            "loglik": (("draw", "source"), loglik, {"long_name": "log likelihood per source"}),
        },
        coords={
            "draw": np.arange(cum.shape[0]),
            "family": ("draw", run.eve),
            "date": dates,
            "listed": ("date", np.array([k in listed for k in knots])),
            "segment_start": ("segment", dates[:-1]),
            "segment_end": ("segment", dates[1:]),
            "source": ids,
        },
        attrs=attrs,
    )


# ============================================================================ crossing
def path_crossing_date(cumulative: xr.DataArray, threshold: float) -> xr.DataArray:
    """The date each path first reaches ``threshold``, interpolated within its segment.

    Parameters
    ----------
    cumulative : xarray.DataArray
        Non-decreasing counts with a ``date`` dimension (datetime64, increasing), e.g.
        ``synthesize(...)["cumulative"]``; its first date must be below the threshold in every
        path (a synthesis starts at 0 on the process start).
    threshold : float
        The level to reach, > 0.

    Returns
    -------
    xarray.DataArray
        ``datetime64[s]`` over the other dims (``draw``): the instant at which the path's
        straight segment between the last date below and the first date at or above the
        threshold reaches it. NaT where the path has not reached it by the last date
        (censored: "not by <last date>", never "already crossed"); ``attrs["censored"]``
        counts them, ``attrs["not_by"]`` is the last date, and ``attrs["ess"]`` and
        ``attrs["seed"]`` are the paths' (when they have them), so MCSEs of the dates use it.

    Raises
    ------
    InputError
        A non-positive threshold, no increasing ``date`` coordinate, or a path already at the
        threshold on its first date.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> from attritionsim.synthesis import path_crossing_date
    >>> paths = xr.DataArray([[0.0, 500.0, 1500.0], [0.0, 200.0, 400.0]], dims=("draw", "date"),
    ...                      coords={"date": np.array(["2025-01-01", "2025-01-11", "2025-01-21"],
    ...                                               dtype="datetime64[ns]")})
    >>> [str(d) for d in path_crossing_date(paths, 1_000).values]
    ['2025-01-16T00:00:00', 'NaT']
    """
    if not isinstance(cumulative, xr.DataArray) or "date" not in cumulative.dims:
        raise InputError(
            f"cumulative must be a DataArray with a 'date' dimension; got {type(cumulative)!r}"
        )
    if "date" not in cumulative.coords or cumulative["date"].dtype.kind != "M":
        raise InputError("cumulative must have a datetime64 'date' coordinate")
    level = _check_number(
        "threshold", threshold, 0.0, math.inf, "> 0 and finite", low_open=True, top_open=True
    )
    seconds = cumulative["date"].values.astype("datetime64[s]").astype(np.int64).astype(float)
    if cumulative.sizes["date"] < 2 or (np.diff(seconds) <= 0).any():
        raise InputError("cumulative's 'date' coordinate must hold two or more increasing dates")
    paths = cumulative.transpose(..., "date")
    values = np.asarray(paths.values, dtype=float)
    flat = values.reshape(-1, values.shape[-1])
    if (flat[:, 0] >= level).any():
        first = str(cumulative["date"].values[0].astype("datetime64[D]"))
        raise InputError(
            f"cumulative is already at or above threshold={fmt_number(level)} on its first date "
            f"{first} in {int((flat[:, 0] >= level).sum())} path(s); pass the paths from the "
            "process start, where the count is 0"
        )
    reached = flat >= level
    crossed = reached.any(axis=1)
    k = np.where(crossed, reached.argmax(axis=1), 1)
    rows = np.arange(flat.shape[0])
    low, high = flat[rows, k - 1], flat[rows, k]
    frac = np.where(high > low, (level - low) / np.where(high > low, high - low, 1.0), 1.0)
    when = seconds[k - 1] + frac * (seconds[k] - seconds[k - 1])
    out = np.where(crossed, np.round(when), np.nan)
    dates = np.full(out.shape, np.datetime64("NaT"), dtype="datetime64[s]")
    dates[crossed] = out[crossed].astype(np.int64).astype("datetime64[s]")
    last = str(cumulative["date"].values[-1].astype("datetime64[D]"))
    result = xr.DataArray(
        dates.reshape(values.shape[:-1]),
        dims=paths.dims[:-1],
        coords={name: c for name, c in paths.coords.items() if "date" not in c.dims},
        attrs={
            "long_name": f"date reaching {fmt_number(level)}",
            "censored": int((~crossed).sum()),
            "not_by": last,
            # the paths' effective sample size, so summaries of the dates use it
            **{key: cumulative.attrs[key] for key in ("ess", "seed") if key in cumulative.attrs},
        },
    )
    return result


# ============================================================================ tension
def _readings(syn: xr.Dataset) -> dict[str, dict[str, Any]]:
    if not isinstance(syn, xr.Dataset) or "readings" not in syn.attrs or "loglik" not in syn:
        raise InputError("syn must be the Dataset that synthesize() returns")
    readings: dict[str, dict[str, Any]] = json.loads(syn.attrs["readings"])
    return readings


def _loo_cdf(log_weights: FloatArray, reading: Distribution, seen: FloatArray) -> float:
    """``F = sum_s w_s G(v | T_s)``: the source's reading re-centred on each draw's truth."""
    median = float(reading.median())
    shifted = median * median / np.maximum(seen, 1e-300)
    g = reading.cdf(np.minimum(shifted, np.finfo(float).max))
    return float(np.sum(np.exp(log_weights) * g))


def _two_sided(f: float) -> float:
    return float(min(1.0, max(0.0, 2.0 * min(f, 1.0 - f))))


def tension(syn: xr.Dataset) -> xr.DataArray:
    """How surprising each source's stated value is given all the others (PSIS-LOO).

    For source ``i`` the posterior draws reweighted by ``1 / L_i`` (Pareto-smoothed) stand for
    the posterior without it; ``F_i`` is the probability under them that an honest source
    with ``i``'s reading (its distribution re-centred on the truth it sees) would state at
    most what ``i`` stated (its reading's median), and ``p_i = 2 min(F_i, 1 - F_i)``.

    Parameters
    ----------
    syn : xarray.Dataset
        What :func:`synthesize` returns.

    Returns
    -------
    xarray.DataArray
        ``p`` over ``source`` (small: in tension with the others), with coordinates
        ``loo_cdf`` (``F_i``) and ``pareto_k`` (the LOO weights' ``k̂``; above 0.7 the
        estimate for that source is unreliable).

    Examples
    --------
    >>> import attritionsim as asim
    >>> syn = asim.synthesize([("2025-01-01", asim.approximately(800_000), "a"),
    ...                        ("2025-01-01", asim.approximately(820_000), "b"),
    ...                        ("2025-01-01", asim.approximately(2_000_000), "c")],
    ...                       draws=4_000, seed=2)
    >>> p = asim.tension(syn)
    >>> str(p.idxmin().values), bool(p.sel(source="c") < 0.01)
    ('c', True)
    """
    readings = _readings(syn)
    loglik = np.asarray(syn["loglik"].values, dtype=float)
    seen = np.asarray(syn["fitted"].values * syn["multiplier"].values, dtype=float)
    ids = [str(s) for s in syn["source"].values]
    p, f, k = [], [], []
    for i, ident in enumerate(ids):
        logw, khat = psis(-loglik[:, i])
        reading = from_spec(readings[ident]["reading"])
        cdf = _loo_cdf(logw, reading, seen[:, i])
        f.append(cdf)
        p.append(_two_sided(cdf))
        k.append(khat)
    return xr.DataArray(
        np.array(p),
        dims=("source",),
        coords={"source": ids, "loo_cdf": ("source", np.array(f)), "pareto_k": ("source", k)},
        name="tension",
        attrs={
            "long_name": "two-sided LOO tail probability of each source's stated value",
            "method": "PSIS-LOO (Vehtari, Gelman & Gabry 2017)",
        },
    )


@dataclasses.dataclass(frozen=True)
class TensionSet:
    """A source in tension and the smallest set of others whose removal settles it.

    Attributes
    ----------
    source : str
        The source whose LOO tail probability is below ``1 - level``.
    others : tuple of str
        The sources that, left out together with it, lift its probability above ``1 - level``
        (found greedily); ``source`` and ``others`` cannot all be true at ``level``.
    p : float
        Its tail probability given all the others.
    p_without : float
        Given all but ``others``. It stays below ``1 - level`` when no set of up to
        ``max_size`` sources settles it, or when the posterior draws, reweighted, cannot stand
        for a posterior without that much of the evidence (importance weights reach only so
        far).
    """

    source: str
    others: tuple[str, ...]
    p: float
    p_without: float


def tension_sets(
    syn: xr.Dataset, level: float = 0.9, *, max_size: int = 4, max_draws: int = 20_000
) -> list[TensionSet]:
    """The sets of sources that cannot all be true at ``level``.

    For every source whose LOO tail probability (see :func:`tension`) is below ``1 - level``,
    the smallest set of other sources whose removal lifts it above ``1 - level``, found
    greedily: at each step leave out the source that lifts it most. The search uses plain
    importance weights on at most ``max_draws`` evenly spaced draws; the probabilities it
    reports are recomputed with Pareto smoothing on all draws.

    Parameters
    ----------
    syn : xarray.Dataset
        What :func:`synthesize` returns.
    level : float
        The level at which the set's members cannot all be true (default 0.9).
    max_size : int
        The most other sources in a set.
    max_draws : int
        Draws used for the search.

    Returns
    -------
    list of TensionSet
        In order of increasing ``p``. A settled set found again from another of its members
        (the pair ``a, b`` from ``a`` and again as ``b, a`` from ``b``) is given once, from
        the member with the smaller ``p``.
    """
    given: object = level
    if (
        isinstance(given, bool)
        or not isinstance(given, numbers.Real)
        or not 0.5 <= float(given) < 1
    ):
        raise InputError(f"level must be a number in [0.5, 1); got {level!r}")
    readings = _readings(syn)
    alpha = 1.0 - float(level)
    loglik = np.asarray(syn["loglik"].values, dtype=float)
    seen = np.asarray(syn["fitted"].values * syn["multiplier"].values, dtype=float)
    ids = [str(s) for s in syn["source"].values]
    p_all = tension(syn)
    step = max(1, loglik.shape[0] // max_draws)
    sub_ll, sub_seen = loglik[::step], seen[::step]

    def p_left_out(
        i: int, left: Sequence[int], ll: FloatArray, sn: FloatArray, smooth: bool
    ) -> float:
        logw = -ll[:, [i, *left]].sum(axis=1)
        logw = psis(logw)[0] if smooth else logw - special.logsumexp(logw)
        return _two_sided(_loo_cdf(logw, reading, sn[:, i]))

    out = []
    for i, ident in enumerate(ids):
        p_i = float(p_all.values[i])
        if p_i >= alpha:
            continue
        reading = from_spec(readings[ident]["reading"])
        left: list[int] = []
        p_now = p_i
        while p_now < alpha and len(left) < max_size:
            best_j, best_p = -1, -1.0
            for j in range(len(ids)):
                if j == i or j in left:
                    continue
                trial = p_left_out(i, [*left, j], sub_ll, sub_seen, smooth=False)
                if trial > best_p:
                    best_j, best_p = j, trial
            if best_j < 0:
                break
            left.append(best_j)
            p_now = best_p
        p_without = p_left_out(i, left, loglik, seen, smooth=True) if left else p_i
        out.append(TensionSet(ident, tuple(ids[j] for j in left), p_i, p_without))
    kept: list[TensionSet] = []
    settled: set[frozenset[str]] = set()
    for found in sorted(out, key=lambda t: t.p):
        members = frozenset((found.source, *found.others))
        if found.p_without >= alpha:
            if members in settled:
                continue  # the same sources, found from another of them
            settled.add(members)
        kept.append(found)
    return kept


# ============================================================================ prediction
def source_reading(source: object, *, start: object = DEFAULT_START) -> Distribution:
    """The reading :func:`synthesize` gives one source: the distribution its likelihood reads.

    Exact figures and plain numbers get a lognormal with :data:`MIN_REL_ERROR` relative error,
    and narrower readings are widened to it, as in the synthesis. With :func:`predictive_cdf`
    it says where a source's stated value falls among the synthesized trajectory's draws
    (a backtest's predictive percentile).

    Parameters
    ----------
    source : str, Record or tuple
        A catalogue id, a :class:`~attritionsim.catalogue.Record`, or ``(date, Distribution)``
        / ``(date, number)``, as for ``synthesize``'s ``observations``.
    start : date
        The process start (the source's date must be after it).

    Returns
    -------
    Distribution

    Raises
    ------
    InputError
        As :func:`synthesize` for that one observation (a projection is skipped, so refused).

    Examples
    --------
    >>> from attritionsim.synthesis import source_reading
    >>> round(float(source_reading(("2025-06-12", 1_000_340)).median()))
    1000340
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AttritionWarning)
        sources, _ = _read_sources([source], (), _day("start", start))
    return sources[0].reading


def predictive_cdf(
    reading: Distribution, seen: npt.ArrayLike, log_weights: npt.ArrayLike | None = None
) -> float:
    """The predictive percentile of a source's stated value, given draws of the truth it sees.

    ``F = sum_s w_s P(v m / T_s)``: the probability that an honest source with this reading
    (re-centred on the truth ``T_s`` it sees in draw ``s``) would state at most what it stated,
    ``v``, its reading's median ``m`` (the same reading :func:`tension` uses for leave-one-out).
    Under a calibrated synthesis, ``F`` of sources published later is uniform on [0, 1].

    Parameters
    ----------
    reading : Distribution
        The source's reading (e.g. :func:`source_reading`).
    seen : array_like
        Draws of the truth as the source sees it (e.g. a synthesis's cumulative at the source's
        date, times its dependency group's multiplier), all > 0.
    log_weights : array_like, optional
        Normalised log weights of the draws (default: equal).

    Returns
    -------
    float
        In [0, 1].

    Raises
    ------
    InputError
        If ``reading`` is not a Distribution, ``seen`` is empty or not all finite and > 0, or
        ``log_weights`` has another length.

    Examples
    --------
    >>> import math
    >>> from attritionsim.distributions import LogNormal
    >>> from attritionsim.synthesis import predictive_cdf
    >>> reading = LogNormal(math.log(1_000.0), 0.1)
    >>> round(predictive_cdf(reading, [1_000.0, 1_000.0]), 6)
    0.5
    """
    if not isinstance(reading, Distribution):
        raise InputError(f"reading must be a Distribution; got {reading!r}")
    truth = np.asarray(seen, dtype=float).ravel()
    if truth.size == 0 or not (np.isfinite(truth).all() and (truth > 0.0).all()):
        raise InputError(
            f"seen must be one or more finite draws > 0; got {truth.size} with "
            f"{int((~(np.isfinite(truth) & (truth > 0.0))).sum())} not finite or <= 0"
        )
    if log_weights is None:
        logw = np.full(truth.size, -math.log(truth.size))
    else:
        logw = np.asarray(log_weights, dtype=float).ravel()
        if logw.size != truth.size:
            raise InputError(
                f"log_weights has {logw.size} values; it needs one per draw of seen ({truth.size})"
            )
    return _loo_cdf(logw, reading, truth)
