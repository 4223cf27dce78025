"""Whether a later dated figure agrees with an earlier one carried forward at a rate."""

from __future__ import annotations

import dataclasses
from typing import Literal

import numpy as np

from .. import _validate
from .._validate import DEFAULT_LEVEL
from ..errors import InputError
from . import _convert
from ._convert import Dates, Draws

__all__ = ["CONSISTENT_AT", "INCONSISTENT_BELOW", "Consistency", "consistency"]

#: Two-sided tail probability at or above which :func:`consistency` says "consistent".
CONSISTENT_AT = 0.10
#: Two-sided tail probability below which :func:`consistency` says "inconsistent".
INCONSISTENT_BELOW = 0.01


@dataclasses.dataclass(frozen=True)
class Consistency:
    """How well a later dated figure agrees with an earlier one carried forward at a rate.

    Made by :func:`consistency`; ``str()`` gives a sentence for a report.

    Attributes
    ----------
    verdict : {"consistent", "in tension", "inconsistent"}
        From ``tail_probability`` and the thresholds (see :func:`consistency`).
    tail_probability : float
        Two-sided: ``2 * min(P(d > 0), P(d < 0))`` for the discrepancy ``d = later -
        predicted`` (ties at 0 counted half on each side). Near 1 when zero is in the middle of
        the discrepancy's distribution; below 0.1 when zero is outside its central 90%.
    prob_later_higher : float
        ``P(later > predicted)``.
    prob_in_predicted : float
        The probability that the later figure lies inside the central ``level`` interval of
        the prediction ``earlier + rate * days``.
    median_discrepancy : float
        Median of ``later - predicted``.
    discrepancy_interval : tuple of float
        Its central ``level`` interval.
    median_relative_discrepancy : float
        Median of ``(later - predicted) / predicted``.
    implied_rate : float
        Median of the rate the two figures imply, ``(later - earlier) / days``.
    implied_rate_interval : tuple of float
        Its central ``level`` interval.
    days : float
        Days from the earlier to the later date.
    level : float
        The credible level of the intervals.
    draws : int
        The draws used.
    invalid_draws : int
        Draws left out because a value was NaN or infinite.
    """

    verdict: Literal["consistent", "in tension", "inconsistent"]
    tail_probability: float
    prob_later_higher: float
    prob_in_predicted: float
    median_discrepancy: float
    discrepancy_interval: tuple[float, float]
    median_relative_discrepancy: float
    implied_rate: float
    implied_rate_interval: tuple[float, float]
    days: float
    level: float
    draws: int
    invalid_draws: int

    def describe(self) -> str:
        """A sentence for a report: :func:`attritionsim.report.consistency_sentence` of it.

        Examples
        --------
        >>> from attritionsim.attrition import consistency
        >>> print(consistency(800_000, 1_000_000, 1_000, date_earlier="2025-03-01",
        ...                   date_later="2025-06-09"))
        inconsistent: the later figure is 100,000 (11%) above what the earlier figure plus the
        rate predict (90% interval of the difference 100,000 to 100,000; two-sided tail
        probability 0); the two figures imply 2,000 a day
        """
        from ..report import consistency_sentence  # the words live with the report

        return consistency_sentence(self)

    def __str__(self) -> str:
        return self.describe()


def consistency(
    earlier: Draws,
    later: Draws,
    rate: Draws,
    *,
    date_earlier: Dates,
    date_later: Dates,
    level: float = DEFAULT_LEVEL,
    thresholds: tuple[float, float] = (CONSISTENT_AT, INCONSISTENT_BELOW),
) -> Consistency:
    """Whether a later dated figure agrees with an earlier one carried forward at a rate.

    The earlier figure grown at ``rate`` for the days between the two dates predicts the later
    one: ``predicted = earlier + rate * days``. The discrepancy ``d = later - predicted`` is
    computed per draw, so the uncertainty of all three inputs enters it. The verdict reads the
    two-sided tail probability ``p = 2 * min(P(d > 0), P(d < 0))`` (ties at 0 count half):

    * ``p >= thresholds[0]`` (0.10): **consistent**, zero lies inside the central 90% of the
      discrepancy;
    * ``thresholds[1] <= p < thresholds[0]`` (0.01 to 0.10): **in tension**;
    * ``p < thresholds[1]``: **inconsistent**, zero lies outside the central 99%.

    Parameters
    ----------
    earlier, later : array_like or DataArray
        Draws (or constants) of the two cumulative figures; the same draws index all inputs,
        so pass draws from one simulation when inputs are correlated.
    rate : array_like or DataArray
        Draws (or a constant) of the growth per day between the two dates.
    date_earlier, date_later : date
        The dates of the two figures; ``date_later`` must be after ``date_earlier``.
    level : float, default 0.9
        Credible level of the reported intervals.
    thresholds : (float, float), default (0.10, 0.01)
        The tail probabilities separating the verdicts, in decreasing order.

    Returns
    -------
    Consistency
        The verdict, the tail probabilities, the median discrepancy and its interval, and the
        rate the two figures imply; ``str()`` of it is a report-ready sentence.

    Raises
    ------
    InputError
        Dates not in order, draws of different lengths, every draw invalid, bad ``level`` or
        ``thresholds``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.special import ndtri
    >>> from attritionsim.attrition import consistency
    >>> z = ndtri((np.arange(10_000) + 0.5) / 10_000)
    >>> rng = np.random.default_rng(0)
    >>> earlier = 790_000 + 20_000 * rng.permutation(z)
    >>> rate = 1_000 + 100 * rng.permutation(z)
    >>> result = consistency(earlier, 900_000 + 20_000 * z, rate,
    ...                      date_earlier="2025-03-01", date_later="2025-06-09")
    >>> result.verdict, round(result.median_discrepancy, -3)
    ('consistent', 10000.0)
    """
    lvl = _validate.level(level)
    pair = tuple(thresholds) if isinstance(thresholds, tuple | list) else ()
    if len(pair) != 2:
        raise InputError(f"thresholds must be two probabilities; got {thresholds!r}")
    hi_p, lo_p = (_validate.finite_real("thresholds", t) for t in pair)
    if not 0.0 < lo_p < hi_p < 1.0:
        raise InputError(
            f"thresholds must be two probabilities with 0 < second < first < 1; got {thresholds}"
        )
    start = _convert.one_date("date_earlier", date_earlier)
    end = _convert.one_date("date_later", date_later)
    days = float((end - start) / np.timedelta64(1, "s")) / _convert.SECONDS_PER_DAY
    if days <= 0.0:
        raise InputError(f"date_later={end} must be after date_earlier={start}")
    parts = [
        _convert.draw_vector(n, v)
        for n, v in (("earlier", earlier), ("later", later), ("rate", rate))
    ]
    try:
        e, lat, r = (np.atleast_1d(p) for p in np.broadcast_arrays(*parts))
    except ValueError:
        shapes = ", ".join(
            f"{n} {np.shape(p)}" for n, p in zip(("earlier", "later", "rate"), parts, strict=True)
        )
        raise InputError(
            f"earlier, later and rate must have the same number of draws; got {shapes}"
        ) from None
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        predicted = e + r * days
        diff = lat - predicted
        relative = diff / predicted
        implied = (lat - e) / days
    valid = np.isfinite(diff) & np.isfinite(relative)
    n = int(valid.sum())
    if n == 0:
        raise InputError("consistency: every draw has a NaN or infinite value")
    diff, relative, implied = diff[valid], relative[valid], implied[valid]
    lat, predicted = lat[valid], predicted[valid]
    p_higher = float(np.mean(diff > 0.0))
    p_right = p_higher + 0.5 * float(np.mean(diff == 0.0))
    tail = min(1.0, 2.0 * min(p_right, 1.0 - p_right))
    probs = [(1.0 - lvl) / 2.0, (1.0 + lvl) / 2.0]
    pred_lo, pred_hi = np.quantile(predicted, probs)
    d_lo, d_hi = np.quantile(diff, probs)
    r_lo, r_hi = np.quantile(implied, probs)
    verdict: Literal["consistent", "in tension", "inconsistent"] = (
        "consistent" if tail >= hi_p else "in tension" if tail >= lo_p else "inconsistent"
    )
    return Consistency(
        verdict=verdict,
        tail_probability=tail,
        prob_later_higher=p_higher,
        prob_in_predicted=float(np.mean((lat >= pred_lo) & (lat <= pred_hi))),
        median_discrepancy=float(np.median(diff)),
        discrepancy_interval=(float(d_lo), float(d_hi)),
        median_relative_discrepancy=float(np.median(relative)),
        implied_rate=float(np.median(implied)),
        implied_rate_interval=(float(r_lo), float(r_hi)),
        days=days,
        level=lvl,
        draws=n,
        invalid_draws=int(valid.size - n),
    )
