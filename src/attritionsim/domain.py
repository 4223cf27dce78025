"""Where a quantity's values may lie, and how many draws fall outside: its domain.

Every number a report quotes has a range of values that make sense. Counts of people and their
rates (``"people"``, ``"people/day"``, ``"claims/week"``, ``"km2"``, ...), ratios and multiples
cannot be negative; a share lies between 0 and 1. The domain is read from the quantity's
``units`` (:func:`domain_of_units`, one table: :data:`UNIT_DOMAINS`), or declared: a scenario's
``domain = [low, high]`` on a quantity (:class:`attritionsim.Model`'s ``domains``), which the
results carry as the variable attribute ``domain`` (:meth:`Domain.to_attr`) and which wins over
the units. A quantity whose units say nothing (``""``, ``"1"``) has no domain; its draws are
still invalid where they are NaN (no valid value, as ``0 / 0``).

:func:`count_invalid` counts the draws outside the domain (below, above) or NaN: an
:class:`Invalid`. :func:`attritionsim.summarize` leaves them out of every figure and records
their share as ``"invalid"``; :meth:`Invalid.describe` says what they are and their likely cause
in words, for reports and warnings.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from ._format import fmt_number
from .errors import InputError

__all__ = [
    "POLICIES",
    "UNIT_DOMAINS",
    "Domain",
    "Invalid",
    "count_invalid",
    "domain_of",
    "domain_of_units",
    "parse_attr",
    "valid_mask",
]

#: What a scenario may do with invalid draws (``invalid = ...``): report them, or stop the run.
POLICIES: Final = ("report", "error")


@dataclasses.dataclass(frozen=True)
class Domain:
    """The closed interval ``[low, high]`` of valid values (either end may be infinite).

    Examples
    --------
    >>> Domain(0.0, 1.0)
    Domain([0, 1])
    >>> Domain(0.0).text, Domain(0.0, 1.0, share=True).text
    ('[0, inf)', '[0%, 100%]')
    """

    low: float = -math.inf
    high: float = math.inf
    share: bool = False  # shown in percent

    def __post_init__(self) -> None:
        for name in ("low", "high"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float | np.number):
                raise InputError(f"domain: {name} must be a number; got {value!r}")
            object.__setattr__(self, name, float(value))
        if math.isnan(self.low) or math.isnan(self.high) or not self.low < self.high:
            raise InputError(
                f"domain: [{fmt_number(self.low)}, {fmt_number(self.high)}] must be "
                "[low, high] with low < high (either may be -inf or inf)"
            )

    def __repr__(self) -> str:
        return f"Domain({self.text})"

    def show(self, value: float) -> str:
        """``value`` as the domain writes it (a percentage for shares)."""
        if self.share and math.isfinite(value):
            return f"{fmt_number(round(100.0 * value, 10))}%"
        return fmt_number(value)

    @property
    def text(self) -> str:
        """``[low, high]``, an infinite end written open: ``[0, inf)``."""
        left = "(" if self.low == -math.inf else "["
        right = ")" if self.high == math.inf else "]"
        return f"{left}{self.show(self.low)}, {self.show(self.high)}{right}"

    def to_attr(self) -> str:
        """The domain as a results-file attribute: JSON ``[low, high]``, ``null`` if infinite."""
        return json.dumps([_json_end(self.low), _json_end(self.high)])


def _json_end(value: float) -> float | None:
    return value if math.isfinite(value) else None


#: Units whose values are counts, amounts or rates of them: never negative. A unit
#: ``"a/b"`` (a rate) takes the domain of its numerator ``a``.
_NON_NEGATIVE = ("people", "claims", "km", "km2", "m", "ratio", "multiple")
#: The domain of each unit, declared once: read by :func:`domain_of_units`.
UNIT_DOMAINS: Final[Mapping[str, Domain]] = {
    "share": Domain(0.0, 1.0, share=True),
    **{unit: Domain(0.0) for unit in _NON_NEGATIVE},
}


def domain_of_units(units: str) -> Domain | None:
    """The domain a quantity's units imply; ``None`` where they imply none.

    Examples
    --------
    >>> domain_of_units("share"), domain_of_units("people/day"), domain_of_units("1")
    (Domain([0%, 100%]), Domain([0, inf)), None)
    """
    text = str(units).strip()
    if text in UNIT_DOMAINS:
        return UNIT_DOMAINS[text]
    numerator = text.split("/", 1)[0].strip()
    if "/" in text and numerator in _NON_NEGATIVE:
        return UNIT_DOMAINS[numerator]
    return None


def parse_attr(value: object, where: str = "domain") -> Domain:
    """A :class:`Domain` from a ``domain`` attribute or setting: ``[low, high]`` or its JSON.

    ``None`` (JSON ``null``) stands for an infinite end.
    """
    raw: Any = value
    if isinstance(value, str):
        try:
            raw = json.loads(value)
        except json.JSONDecodeError:
            raw = value
    if isinstance(raw, np.ndarray):
        raw = raw.tolist()
    if not isinstance(raw, list | tuple) or len(raw) != 2:
        raise InputError(f"{where} must be [low, high] (e.g. [0, 1] for a share); got {value!r}")
    low, high = (
        (-math.inf if raw[0] is None else raw[0]),
        (math.inf if raw[1] is None else raw[1]),
    )
    try:
        return Domain(low, high, share=False)
    except InputError as err:
        raise InputError(f"{where}: {str(err).removeprefix('domain: ')}") from None


def domain_of(attrs: Mapping[str, Any]) -> Domain | None:
    """A variable's domain: its declared ``domain`` attribute, else its ``units``' (or ``None``).

    A declared domain is shown in percent when the units are ``"share"``.
    """
    units = str(attrs.get("units", ""))
    from_units = domain_of_units(units)
    if attrs.get("domain") is None:
        return from_units
    declared = parse_attr(attrs["domain"], "attrs['domain']")
    return dataclasses.replace(declared, share=units == "share")


@dataclasses.dataclass(frozen=True)
class Invalid:
    """How many of ``draws`` are NaN, below the domain or above it.

    Examples
    --------
    >>> bad = count_invalid(np.array([0.2, 0.5, 1.2, np.nan]), Domain(0.0, 1.0, share=True))
    >>> bad.total, bad.share
    (2, 0.5)
    >>> bad.valid_text()
    '50.0%'
    >>> for part in bad.describe().split("; "):
    ...     print(part)
    25.0% of draws above 100% (a share above one: the numerator's range exceeds the denominator's)
    25.0% of draws without a valid value (NaN: an operation without one, such as 0/0 or a ...)
    """

    draws: int
    nan: int = 0
    below: int = 0
    above: int = 0
    domain: Domain | None = None

    @property
    def total(self) -> int:
        """Draws that are invalid, for any reason."""
        return self.nan + self.below + self.above

    @property
    def share(self) -> float:
        """The share of draws that are invalid (0 with no draws)."""
        return self.total / self.draws if self.draws else 0.0

    def to_entry(self) -> dict[str, Any]:
        """The keys a summary entry gets when some draws are invalid (see ``summarize``)."""
        if not self.total:
            return {}
        out: dict[str, Any] = {
            "invalid": self.share,
            "invalid_draws": {
                key: getattr(self, key) / self.draws
                for key in ("nan", "below", "above")
                if getattr(self, key)
            },
        }
        if self.domain is not None:
            out["domain"] = [_json_end(self.domain.low), _json_end(self.domain.high)]
        return out

    @classmethod
    def from_entry(cls, entry: Mapping[str, Any], units: str = "") -> Invalid | None:
        """The invalid draws a summary entry records (shares of 1,000,000 draws); or ``None``."""
        if not entry.get("invalid"):
            return None
        scale = 1_000_000
        kinds = entry.get("invalid_draws", {})
        bounds = entry.get("domain")
        domain = None
        if bounds is not None:
            domain = dataclasses.replace(parse_attr(bounds), share=units == "share")
        nan, below, above = (
            round(float(kinds.get(key, 0.0)) * scale) for key in ("nan", "below", "above")
        )
        return cls(scale, nan, below, above, domain)

    def valid_text(self) -> str:
        """The share of valid draws, as a percentage that adds up with :meth:`describe`'s."""
        shown = _share(self.total, self.draws)
        if shown.startswith(("<", ">")):
            return _share(self.draws - self.total, self.draws)
        return f"{100.0 - float(shown[:-1]):.1f}%"

    def describe(self) -> str:
        """The invalid draws in words, each kind with its likely cause; ``""`` if none."""
        parts = []
        domain = self.domain or Domain()
        if self.below:
            low = domain.show(domain.low)
            cause = (
                "a negative count, rate or ratio: a difference of figures whose ranges overlap, "
                "or an input whose distribution reaches below zero"
                if domain.low == 0.0
                else f"a value below the domain {domain.text}"
            )
            parts.append(f"{_share(self.below, self.draws)} of draws below {low} ({cause})")
        if self.above:
            high = domain.show(domain.high)
            cause = (
                "a share above one: the numerator's range exceeds the denominator's"
                if domain.share and domain.high == 1.0
                else f"a value above the domain {domain.text}"
            )
            parts.append(f"{_share(self.above, self.draws)} of draws above {high} ({cause})")
        if self.nan:
            parts.append(
                f"{_share(self.nan, self.draws)} of draws without a valid value (NaN: an "
                "operation without one, such as 0/0 or a killed count above its casualties)"
            )
        return "; ".join(parts)


def _share(count: int, total: int) -> str:
    """``count / total`` as a percentage to 0.1 point, never rounded to 0% or 100%."""
    p = count / total
    if 0 < p < 0.0005:
        return "<0.1%"
    if 0.9995 <= p < 1:
        return ">99.9%"
    return f"{100.0 * p:.1f}%"


def count_invalid(values: npt.ArrayLike, domain: Domain | None) -> Invalid:
    """Count the NaN draws of ``values`` and those outside ``domain`` (``None``: NaN only).

    Examples
    --------
    >>> count_invalid([-1.0, 0.0, 3.0, float("nan")], Domain(0.0))
    Invalid(draws=4, nan=1, below=1, above=0, domain=Domain([0, inf)))
    """
    xs = np.asarray(values, dtype=np.float64)
    nan = int(np.count_nonzero(np.isnan(xs)))
    below = above = 0
    if domain is not None:
        below = int(np.count_nonzero(xs < domain.low))
        above = int(np.count_nonzero(xs > domain.high))
    return Invalid(int(xs.size), nan, below, above, domain)


def valid_mask(values: npt.NDArray[np.float64], domain: Domain | None) -> npt.NDArray[np.bool_]:
    """True where a draw is a valid value: not NaN and inside ``domain``."""
    if domain is None:
        return ~np.isnan(values)
    return (values >= domain.low) & (values <= domain.high)
