"""What a catalogue record is: its fields, allowed values and id rule.

The allowed sides, measures and units are declared here as data; the qualifiers are read from
:data:`attritionsim.elicit.QUALIFIERS`, the one table of qualifier rules.

A :class:`Record` validates itself when it is made, however it is made (from the bundled TOML, a
user's file or Python), so every record in a :class:`~attritionsim.catalogue.Catalogue` is sound.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping
from typing import Any, Literal, NamedTuple, TypeAlias, cast

from .. import _dates, _validate, elicit
from .._format import fmt_number
from ..errors import InputError

__all__ = [
    "EVIDENCE",
    "FIELDS",
    "ID_RULE",
    "MEASURES",
    "QUALIFIERS",
    "REQUIRED_FIELDS",
    "SIDES",
    "UNITS",
    "Evidence",
    "Measure",
    "MeasureInfo",
    "Qualifier",
    "Record",
    "Side",
    "expected_id_prefix",
    "format_figure",
]

Side: TypeAlias = Literal[
    "russia", "ukraine", "both", "north_korea", "soviet_union", "us", "uk", "none"
]
Qualifier: TypeAlias = Literal[
    "exact", "approximately", "range", "up_to", "at_least", "nearly", "more_than"
]
Evidence: TypeAlias = Literal["P", "S", "D", "U"]
Measure: TypeAlias = str

#: Whose losses, troops or territory a figure describes.
SIDES: Mapping[str, str] = {
    "russia": "Russia's forces (or territory held by Russia)",
    "ukraine": "Ukraine's forces (or Ukraine as a whole, e.g. its area)",
    "both": "both sides together, or one compared with the other (ratios)",
    "north_korea": "North Korean troops fighting for Russia",
    "soviet_union": "the Soviet Union (historical comparisons)",
    "us": "the United States (historical comparisons)",
    "uk": "the United Kingdom (historical comparisons)",
    "none": "no side: general reference figures",
}

#: The way a source words a figure, and the elicitation rule each one gets by default: the
#: worded qualifiers of :data:`attritionsim.elicit.QUALIFIERS`, with their descriptions.
QUALIFIERS: Mapping[str, str] = {
    name: rule.description for name, rule in elicit.QUALIFIERS.items() if rule.worded
}

#: The evidence tags of the project dossier.
EVIDENCE: Mapping[str, str] = {
    "P": "checked on the publisher's or the reporting outlet's own page",
    "S": "known only from a third party's account of the source (treat as approximate)",
    "D": "computed from the bundled General Staff daily series",
    "U": "searched for and unconfirmed, or from a weak secondary source",
}

#: Every unit a record may carry.
UNITS: Mapping[str, str] = {
    "people": "a number of people",
    "people/day": "people per day",
    "people/week": "people per week",
    "people/month": "people per month",
    "share": "a fraction in [0, 1] (20% is written 0.2)",
    "ratio": "X in 'X to 1'",
    "multiple": "how many times a reference figure",
    "km2": "square kilometres",
    "km": "kilometres",
    "m/day": "metres per day",
    "people/km2": "people per square kilometre",
    "claims": "a number of legal claims",
    "claims/week": "legal claims per week",
}


class MeasureInfo(NamedTuple):
    """What a measure means and the units it may be given in."""

    description: str
    units: tuple[str, ...]


_PEOPLE = ("people",)
#: What a figure measures, and the units each measure takes.
MEASURES: Mapping[str, MeasureInfo] = {
    "casualties": MeasureInfo(
        "cumulative killed + wounded + missing (and captured, where the source counts them)",
        _PEOPLE,
    ),
    "killed": MeasureInfo("cumulative killed (dead)", _PEOPLE),
    "wounded": MeasureInfo("cumulative wounded", _PEOPLE),
    "missing": MeasureInfo("missing (or missing and captured)", _PEOPLE),
    "wounded_missing": MeasureInfo("wounded and missing together", _PEOPLE),
    "permanent_losses": MeasureInfo("killed plus wounded who cannot return to duty", _PEOPLE),
    "period_casualties": MeasureInfo("casualties between period_start and as_of", _PEOPLE),
    "period_killed": MeasureInfo("killed between period_start and as_of", _PEOPLE),
    "daily_rate": MeasureInfo("casualties per day", ("people/day",)),
    "monthly_rate": MeasureInfo("casualties per month", ("people/month",)),
    "killed_daily_rate": MeasureInfo("killed per day", ("people/day",)),
    "killed_weekly_rate": MeasureInfo("killed per week", ("people/week",)),
    "killed_monthly_rate": MeasureInfo("killed per month", ("people/month",)),
    "killed_share": MeasureInfo("killed as a fraction of all casualties", ("share",)),
    "wounded_killed_ratio": MeasureInfo("wounded per killed", ("ratio",)),
    "case_fatality": MeasureInfo("fraction of the wounded who die", ("share",)),
    "wounded_survival": MeasureInfo("fraction of the wounded who survive", ("share",)),
    "ratio": MeasureInfo("Russian casualties per Ukrainian casualty", ("ratio",)),
    "territory_share": MeasureInfo("fraction of Ukraine's area held", ("share",)),
    "region_share": MeasureInfo("fraction of one region (named in the id) held", ("share",)),
    "territory_area": MeasureInfo("an area held, or Ukraine's total area", ("km2",)),
    "territory_change": MeasureInfo(
        "area gained between period_start and as_of (share of Ukraine or km2)", ("share", "km2")
    ),
    "advance_rate": MeasureInfo("speed of advance", ("m/day",)),
    "advance_distance": MeasureInfo("distance advanced", ("km",)),
    "casualties_per_km2": MeasureInfo("casualties per square kilometre gained", ("people/km2",)),
    "foreign_troops": MeasureInfo("foreign troops deployed", _PEOPLE),
    "historical_losses": MeasureInfo("deaths in an earlier war (the war named in notes)", _PEOPLE),
    "historical_multiple": MeasureInfo(
        "this war's losses as a multiple of an earlier war's", ("multiple",)
    ),
    "recruitment": MeasureInfo("people recruited between period_start and as_of", _PEOPLE),
    "recruitment_rate": MeasureInfo(
        "people recruited per day or month", ("people/day", "people/month")
    ),
    "recruitment_target": MeasureInfo("planned recruitment for a period", _PEOPLE),
    "missing_claims": MeasureInfo(
        "court claims to declare someone missing or dead", ("claims", "claims/week")
    ),
}

#: The id rule, in words (see :func:`expected_id_prefix`).
ID_RULE = (
    "<publisher>-<YYYY>-<MM>-<side>-<measure>[-<suffix>]: lower-case letters and digits joined "
    "by single hyphens, where <publisher> is one word naming the publisher (e.g. 'csis', "
    "'ukmod'), <YYYY>-<MM> is the year and month of as_of, <side> and <measure> are the record's "
    "side and measure with '_' written '-', and the optional <suffix> tells apart records that "
    "would otherwise share an id"
)
_ID_SHAPE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")

#: All fields, in the order files and tables show them.
FIELDS: tuple[str, ...] = (
    "id",
    "publisher",
    "title",
    "published",
    "as_of",
    "period_start",
    "side",
    "measure",
    "value",
    "low",
    "high",
    "level",
    "units",
    "qualifier",
    "url",
    "reported_by",
    "evidence",
    "depends_on",
    "notes",
)
#: Fields every record must have (plus ``value`` or ``low``/``high``, by qualifier).
REQUIRED_FIELDS: tuple[str, ...] = (
    "id",
    "publisher",
    "as_of",
    "side",
    "measure",
    "units",
    "qualifier",
)


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class Record:
    """One published figure: who said what, about whom, as of when, and how they worded it.

    A record is an immutable value, validated when it is made.

    Parameters
    ----------
    id : str
        Unique id following :data:`ID_RULE`, e.g. ``"csis-2025-12-russia-casualties"``.
    publisher : str
        Who produced the figure (a think tank, a government, a newsroom's own count).
    as_of : datetime.date
        The date the figure describes (the end of the period for rates and period totals).
    side : str
        One of :data:`SIDES`.
    measure : str
        One of :data:`MEASURES`.
    units : str
        One of the units :data:`MEASURES` allows for ``measure``.
    qualifier : str
        One of :data:`QUALIFIERS`. ``"range"`` needs ``low`` and ``high``; the others need
        ``value``; ``"up_to"`` may add ``low`` and ``"at_least"`` may add ``high`` (the unstated
        end, where another statement gives it).
    value, low, high : float, optional
        The figure as published.
    level : float, optional
        The probability a ``range`` is said to hold (e.g. 0.95), where the source says so.
    title : str
        Title of the report or statement.
    published : datetime.date, optional
        When the publisher released it.
    period_start : datetime.date, optional
        First day of the period a rate or period total covers.
    url : str
        Where the figure was published.
    reported_by : str
        The outlet(s) that carried it.
    evidence : str, optional
        The dossier's evidence tag, one of :data:`EVIDENCE`.
    depends_on : tuple of str
        Ids of records (or names of bundled series) this figure restates or is derived from.
    notes : str
        Caveats, readings of vague dates, disagreements between sources.

    Examples
    --------
    >>> import datetime as dt
    >>> from attritionsim.catalogue import Record
    >>> rec = Record(id="me-2025-06-russia-killed", publisher="Me", as_of=dt.date(2025, 6, 30),
    ...              side="russia", measure="killed", units="people", qualifier="up_to",
    ...              value=250_000)
    >>> rec
    Record('me-2025-06-russia-killed': ≤250,000 as of 2025-06-30)
    >>> rec.figure
    '≤250,000'
    """

    id: str
    publisher: str
    as_of: dt.date
    side: Side
    measure: Measure
    units: str
    qualifier: Qualifier
    value: float | None = None
    low: float | None = None
    high: float | None = None
    level: float | None = None
    title: str = ""
    published: dt.date | None = None
    period_start: dt.date | None = None
    url: str = ""
    reported_by: str = ""
    evidence: Evidence | None = None
    depends_on: tuple[str, ...] = ()
    notes: str = ""

    def __post_init__(self) -> None:
        for name in ("id", "publisher", "title", "url", "reported_by", "notes"):
            if not isinstance(getattr(self, name), str):
                raise InputError(f"{name} must be a string; got {getattr(self, name)!r}")
        for name in ("id", "publisher"):
            if not getattr(self, name).strip():
                raise InputError(f"{name} must not be empty")
        _check_date("as_of", self.as_of)
        for name in ("published", "period_start"):
            if getattr(self, name) is not None:
                _check_date(name, getattr(self, name))
        _validate.choice("side", self.side, SIDES)
        _validate.choice("measure", self.measure, MEASURES)
        _validate.choice("qualifier", self.qualifier, QUALIFIERS)
        allowed = MEASURES[self.measure].units
        if self.units not in allowed:
            _validate.choice("units", self.units, UNITS)  # an unknown unit: say so first
            listed = ", ".join(repr(u) for u in allowed)
            raise InputError(
                f"units={self.units!r} does not fit measure {self.measure!r}; use {listed}"
            )
        if self.evidence is not None:
            _validate.choice("evidence", self.evidence, EVIDENCE)
        for name in ("value", "low", "high", "level"):
            raw = getattr(self, name)
            if raw is not None:
                object.__setattr__(self, name, _validate.finite_real(name, raw))
        self._check_figure()
        if self.level is not None:
            if self.qualifier != "range":
                raise InputError(
                    f"level applies only to qualifier 'range'; got qualifier {self.qualifier!r}"
                )
            _validate.level(self.level)
        if self.period_start is not None and self.period_start > self.as_of:
            raise InputError(
                f"period_start={self.period_start.isoformat()} must not be after "
                f"as_of={self.as_of.isoformat()}"
            )
        self._check_depends_on()
        prefix = expected_id_prefix(self.id.split("-", 1)[0], self.as_of, self.side, self.measure)
        if not _ID_SHAPE.match(self.id) or not (
            self.id == prefix or self.id.startswith(prefix + "-")
        ):
            raise InputError(
                f"id={self.id!r} does not follow the id rule "
                "<publisher>-<YYYY>-<MM>-<side>-<measure>[-<suffix>] (lower-case letters and "
                "digits joined by hyphens; YYYY-MM from as_of; '_' written '-'); "
                f"for this record it should be {prefix!r} or {prefix + '-<suffix>'!r}"
            )

    def _check_figure(self) -> None:
        given = [name for name in ("value", "low", "high") if getattr(self, name) is not None]
        got = f"got {', '.join(given) or 'none of them'}"
        if self.qualifier == "range":
            if self.value is not None:
                raise InputError(
                    f"value and low/high are both given; qualifier 'range' takes low and high, "
                    f"not value ({got})"
                )
            if self.low is None or self.high is None:
                raise InputError(f"low and high are both needed for qualifier 'range' ({got})")
            return self._check_bounds()
        extra = elicit.QUALIFIERS[self.qualifier].other_end
        what = "value" + (f" (and optionally {extra})" if extra else "")
        if self.value is None:
            raise InputError(
                f"value is missing: qualifier {self.qualifier!r} needs {what}, or use qualifier "
                f"'range' with low and high ({got})"
            )
        if any(getattr(self, name) is not None for name in ("low", "high") if name != extra):
            raise InputError(
                f"value and low/high are both given; qualifier {self.qualifier!r} takes {what} "
                f"({got})"
            )
        return self._check_bounds()

    def _check_bounds(self) -> None:
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise InputError(
                f"low={fmt_number(self.low)} must be below high={fmt_number(self.high)}"
            )
        value = self.value
        if (
            self.qualifier == "up_to"
            and self.low is not None
            and value is not None
            and not self.low < value
        ):
            raise InputError(
                f"low={fmt_number(self.low)} must be below the stated bound "
                f"value={fmt_number(value)}"
            )
        if (
            self.qualifier == "at_least"
            and self.high is not None
            and value is not None
            and not self.high > value
        ):
            raise InputError(
                f"high={fmt_number(self.high)} must be above the stated bound "
                f"value={fmt_number(value)}"
            )
        if self.units.startswith("people") or self.units in ("ratio", "multiple", "km", "m/day"):
            for name in ("value", "low", "high"):
                number = getattr(self, name)
                if number is not None and number < 0.0:
                    raise InputError(
                        f"{name}={fmt_number(number)} is negative, but {self.measure} in "
                        f"{self.units!r} cannot be"
                    )
        if self.units == "share":
            for name in ("value", "low", "high"):
                number = getattr(self, name)
                if number is not None and not -1.0 <= number <= 1.0:
                    raise InputError(
                        f"{name}={fmt_number(number)} is not a share: units 'share' take "
                        f"fractions in [-1, 1] (write 20% as 0.2)"
                    )

    def _check_depends_on(self) -> None:
        deps: object = self.depends_on
        if isinstance(deps, str) or not isinstance(deps, tuple | list):
            raise InputError(f"depends_on must be a list of record ids; got {deps!r}")
        for dep in deps:
            if not isinstance(dep, str) or not _ID_SHAPE.match(dep):
                raise InputError(f"depends_on must hold record ids or series names; got {dep!r}")
        if self.id in deps:
            raise InputError(f"depends_on must not name the record itself ({self.id!r})")
        object.__setattr__(self, "depends_on", tuple(deps))

    # ------------------------------------------------------------------ views
    @property
    def figure(self) -> str:
        """The figure as people read it: ``"≈1,200,000"``, ``"500,000–600,000"``, ``"≤25%"``."""
        return format_figure(self)

    def to_dict(self) -> dict[str, Any]:
        """The record's fields as a plain dict, in :data:`FIELDS` order.

        Returns
        -------
        dict
            Dates stay :class:`datetime.date`; ``depends_on`` is a list.
        """
        out = {name: getattr(self, name) for name in FIELDS}
        out["depends_on"] = list(self.depends_on)
        return out

    def __repr__(self) -> str:
        return f"Record({self.id!r}: {self.figure} as of {self.as_of.isoformat()})"


def expected_id_prefix(publisher: str, as_of: dt.date, side: str, measure: str) -> str:
    """The id a record must have, or start with (before ``-<suffix>``), under :data:`ID_RULE`.

    Parameters
    ----------
    publisher : str
        The publisher's one-word id slug.
    as_of : datetime.date
        The record's ``as_of``.
    side, measure : str
        The record's side and measure.

    Returns
    -------
    str

    Examples
    --------
    >>> import datetime as dt
    >>> expected_id_prefix("nato", dt.date(2025, 12, 31), "russia", "killed_daily_rate")
    'nato-2025-12-russia-killed-daily-rate'
    """
    return "-".join((publisher, f"{as_of.year:04d}", f"{as_of.month:02d}", side, measure)).replace(
        "_", "-"
    )


_SUFFIX = {
    "people": "",
    "people/day": "/day",
    "people/week": "/week",
    "people/month": "/month",
    "share": "%",
    "ratio": ":1",
    "multiple": "×",
    "km2": " km²",
    "km": " km",
    "m/day": " m/day",
    "people/km2": "/km²",
    "claims": " claims",
    "claims/week": " claims/week",
}


def format_figure(record: Record) -> str:
    """The figure of ``record`` in compact form, with its qualifier as a symbol and its units.

    ``≈`` approximately, ``≤`` up to, ``≥`` at least, ``≲`` nearly, ``>`` more than, ``a–b`` a
    range; shares are shown as percentages.

    Parameters
    ----------
    record : Record

    Returns
    -------
    str
    """

    def num(x: float) -> str:
        return fmt_number(round(100.0 * x, 10)) if record.units == "share" else fmt_number(x)

    suffix = _SUFFIX[record.units]
    symbol = elicit.QUALIFIERS[record.qualifier].symbol
    if record.qualifier == "range":
        return f"{num(cast(float, record.low))}{symbol}{num(cast(float, record.high))}{suffix}"
    return f"{symbol}{num(cast(float, record.value))}{suffix}"


def _check_date(name: str, value: object) -> None:
    if not _dates.is_plain_date(value):
        raise InputError(f"{name} must be a date (YYYY-MM-DD); got {value!r}")
