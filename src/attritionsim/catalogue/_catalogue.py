"""The :class:`Catalogue` of records, its queries and conversions, and :func:`load_catalogue`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import importlib.util
import os
import re
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import xarray as xr

from .. import _dates, _validate, elicit
from ..distributions import Distribution
from ..errors import InputError
from ._files import Located, bundled_records, read_records
from ._schema import FIELDS, ID_RULE, MEASURES, QUALIFIERS, SIDES, Record
from ._series import series_names

__all__ = ["Catalogue", "load_catalogue"]


class _UnknownIdError(InputError, KeyError):
    """An id that is not in the catalogue: both an InputError and a KeyError."""

    def __str__(self) -> str:
        return str(self.args[0])


class Catalogue:
    """An ordered, immutable collection of :class:`Record` objects with unique ids.

    Parameters
    ----------
    records : iterable of Record
        The records, in the order to keep.

    Raises
    ------
    InputError
        If two records share an id.

    Examples
    --------
    >>> from attritionsim.catalogue import load_catalogue
    >>> cat = load_catalogue()
    >>> rec = cat["csis-2025-12-ukraine-casualties"]
    >>> rec.low, rec.high, rec.qualifier
    (500000.0, 600000.0, 'range')
    >>> len(cat.query(publisher="csis", side="ukraine", measure="casualties"))
    2
    """

    __slots__ = ("_by_id", "_by_published", "_records")

    def __init__(self, records: Iterable[Record] = ()) -> None:
        self._records: tuple[Record, ...] = tuple(records)
        self._by_id: dict[str, Record] = {}
        for position, record in enumerate(self._records, start=1):
            if not isinstance(record, Record):
                raise InputError(f"records[{position - 1}] must be a Record; got {record!r}")
            if record.id in self._by_id:
                raise InputError(f"duplicate id {record.id!r} (record #{position})")
            self._by_id[record.id] = record
        # A record may also be named by its publication month instead of its as-of month
        # (the CSIS report published in June 2025 describes the end of May): an alias that is
        # used only when it names exactly one record and no record has it as its own id.
        self._by_published: dict[str, list[Record]] = {}
        for record in self._records:
            alias = _published_alias(record)
            if alias != record.id:
                self._by_published.setdefault(alias, []).append(record)

    # ------------------------------------------------------------------ collection protocol
    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[Record]:
        return iter(self._records)

    def __contains__(self, ident: object) -> bool:
        return isinstance(ident, str) and self.get(ident) is not None

    def __getitem__(self, ident: str) -> Record:
        found = self.get(ident)
        if found is None:
            raise _UnknownIdError(self._unknown(ident))
        return found

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Catalogue):
            return NotImplemented
        return self._records == other._records

    def __hash__(self) -> int:
        return hash(self._records)

    def __repr__(self) -> str:
        return f"<Catalogue: {len(self)} records>"

    def get(self, ident: str, default: Record | None = None) -> Record | None:
        """The record with id ``ident``, or ``default`` if there is none.

        Parameters
        ----------
        ident : str
            A record id.
        default : Record, optional
            Returned when the id is unknown.

        Returns
        -------
        Record or None

        Examples
        --------
        >>> from attritionsim.catalogue import load_catalogue
        >>> load_catalogue().get("no-such-id") is None
        True
        """
        if not isinstance(ident, str):  # type: ignore[redundant-expr,unused-ignore]
            return default  # type: ignore[unreachable,unused-ignore]
        if ident in self._by_id:
            return self._by_id[ident]
        aliased = self._by_published.get(ident, [])
        return aliased[0] if len(aliased) == 1 else default

    @property
    def ids(self) -> tuple[str, ...]:
        """The record ids, in order."""
        return tuple(self._by_id)

    # ------------------------------------------------------------------ queries
    def query(
        self,
        *,
        side: str | Iterable[str] | None = None,
        measure: str | Iterable[str] | None = None,
        publisher: str | None = None,
        qualifier: str | Iterable[str] | None = None,
        since: dt.date | str | None = None,
        until: dt.date | str | None = None,
    ) -> Catalogue:
        """The records that match every filter given.

        Parameters
        ----------
        side, measure, qualifier : str or iterable of str, optional
            Keep records whose field is (one of) these.
        publisher : str, optional
            Case-insensitive: the id's publisher slug (``"csis"``, ``"ukmod"``) or whole words
            of the publisher's name (``"defence intelligence"``).
        since, until : datetime.date or str, optional
            Keep records with ``since <= as_of <= until`` (ISO strings accepted).

        Returns
        -------
        Catalogue

        Raises
        ------
        InputError
            An unknown side, measure or qualifier (with the nearest valid one), or a bad date.

        Examples
        --------
        >>> from attritionsim.catalogue import load_catalogue
        >>> cat = load_catalogue()
        >>> hits = cat.query(publisher="csis", side="russia", measure="killed",
        ...                  since="2025-01-01")
        >>> [rec.figure for rec in hits]
        ['≤250,000', '275,000–325,000']
        """
        sides = _choices("side", side, SIDES)
        measures = _choices("measure", measure, MEASURES)
        qualifiers = _choices("qualifier", qualifier, QUALIFIERS)
        first = _as_date("since", since)
        last = _as_date("until", until)
        needle = None if publisher is None else _text("publisher", publisher).strip().casefold()
        words = None if needle is None else re.compile(rf"\b{re.escape(needle)}\b")

        def keep(rec: Record) -> bool:
            return (
                (sides is None or rec.side in sides)
                and (measures is None or rec.measure in measures)
                and (qualifiers is None or rec.qualifier in qualifiers)
                and (first is None or rec.as_of >= first)
                and (last is None or rec.as_of <= last)
                and (
                    words is None
                    or rec.id.split("-", 1)[0] == needle
                    or words.search(rec.publisher.casefold()) is not None
                )
            )

        return Catalogue(rec for rec in self._records if keep(rec))

    # ------------------------------------------------------------------ numbers and distributions
    def value(self, ident: str) -> float:
        """The point figure a record states (``value``), whatever its qualifier.

        Parameters
        ----------
        ident : str
            A record id.

        Returns
        -------
        float

        Raises
        ------
        InputError
            For a ``range`` record, which states no single figure.

        Examples
        --------
        >>> from attritionsim.catalogue import load_catalogue
        >>> load_catalogue().value("uagenstaff-2026-08-russia-casualties")
        1456610.0
        """
        rec = self[ident]
        if rec.value is None:
            raise InputError(
                f"record {ident!r} states a range ({rec.figure}), not one figure; "
                f"use distribution({ident!r}) or its low and high"
            )
        return rec.value

    def distribution(
        self, ident: str, *, reading: elicit.Reading | str = "default", **overrides: Any
    ) -> Distribution:
        """The distribution a record's figure becomes under its qualifier's default rule.

        ``range`` → :func:`~attritionsim.elicit.from_range` (at the record's ``level`` if it
        states one), ``approximately`` → :func:`~attritionsim.elicit.approximately`, ``up_to``
        → :func:`~attritionsim.elicit.up_to` (with the record's ``low`` if it has one),
        ``at_least`` → :func:`~attritionsim.elicit.at_least` (with its ``high``), ``nearly``
        and ``more_than`` likewise. The result's ``origin`` records ``source=ident``.

        Parameters
        ----------
        ident : str
            A record id.
        reading : Reading or str
            The reading of the rules (:func:`attritionsim.elicit.get_reading`): it fills in the
            options that neither the record (its ``level``, its unstated end) nor
            ``overrides`` state.
        **overrides
            Keyword options of the rule, e.g. ``family="pert"``, ``level=0.8``, ``rel=0.2``.

        Returns
        -------
        Distribution

        Raises
        ------
        InputError
            An unknown id, an ``exact`` record (use :meth:`input_for` or :meth:`value`), or an
            option the rule does not take.

        Examples
        --------
        >>> from attritionsim.catalogue import load_catalogue
        >>> cat = load_catalogue()
        >>> ua = cat.distribution("csis-2025-12-ukraine-casualties")
        >>> [round(x) for x in ua.interval(0.9)], ua.origin["source"]
        ([500000, 600000], 'csis-2025-12-ukraine-casualties')
        >>> cat.distribution("csis-2025-05-russia-killed")
        Uniform(up to 250,000; 100% in [200,000, 250,000])
        """
        rec = self[ident]
        if rec.qualifier == "exact":
            raise InputError(
                f"record {ident!r} is an exact figure ({rec.figure}) with no default "
                f"distribution; use catalogue.input_for({ident!r}) or "
                f"catalogue.value({ident!r}) for the number, or elicit.approximately() to put "
                "uncertainty on it"
            )
        rule = elicit.QUALIFIERS[rec.qualifier]
        assert rule.function is not None  # only "exact" has none
        accepted = rule.keywords
        for name in overrides:
            if name not in accepted:
                raise InputError(
                    f"override {name!r} does not apply to record {ident!r} (qualifier "
                    f"{rec.qualifier!r}, rule elicit.{rule.function.__name__}); "
                    f"valid: {', '.join(accepted)}"
                )
        args = tuple(_num(getattr(rec, field)) for field in rule.figure)
        defaults: dict[str, Any] = elicit.get_reading(reading).options(rec.qualifier)
        if rec.level is not None:
            defaults["level"] = rec.level
        if rule.other_end is not None and getattr(rec, rule.other_end) is not None:
            defaults[rule.other_end] = _num(getattr(rec, rule.other_end))
        dist = rule.function(*args, **{**defaults, **overrides})
        return dataclasses.replace(dist, origin={**(dist.origin or {}), "source": rec.id})

    def input_for(
        self, ident: str, *, reading: elicit.Reading | str = "default", **overrides: Any
    ) -> Distribution | float:
        """A model input for a record: its plain value if ``exact``, else :meth:`distribution`.

        Parameters
        ----------
        ident : str
            A record id.
        reading : Reading or str
            Passed to :meth:`distribution`.
        **overrides
            Passed to :meth:`distribution`; refused for exact records.

        Returns
        -------
        Distribution or float

        Examples
        --------
        >>> from attritionsim.catalogue import load_catalogue
        >>> cat = load_catalogue()
        >>> cat.input_for("ukmod-2024-12-russia-period-casualties")
        429660.0
        >>> cat.input_for("csis-2025-12-russia-casualties")
        LogNormal(approximately 1,200,000; 90% in [1,080,000, 1,333,333])
        """
        rec = self[ident]
        if rec.qualifier == "exact":
            if overrides:
                raise InputError(
                    f"record {ident!r} is exact; it takes no options "
                    f"(got {', '.join(sorted(overrides))})"
                )
            return _num(rec.value)
        return self.distribution(ident, reading=reading, **overrides)

    # ------------------------------------------------------------------ conversions
    def to_dataset(self) -> xr.Dataset:
        """The catalogue as an :class:`xarray.Dataset` with one ``record`` dimension.

        The ``record`` coordinate holds the ids; each field is a variable (dates as
        ``datetime64[ns]`` with NaT where absent, numbers as float with NaN where absent,
        ``depends_on`` joined with ``;``).

        Returns
        -------
        xarray.Dataset

        Examples
        --------
        >>> from attritionsim.catalogue import load_catalogue
        >>> ds = load_catalogue().query(publisher="csis").to_dataset()
        >>> ds.sizes["record"] > 10, str(ds["as_of"].dtype)
        (True, 'datetime64[ns]')
        """
        recs = self._records
        data: dict[str, Any] = {}
        for name in FIELDS[1:]:
            values = [getattr(rec, name) for rec in recs]
            if name in ("as_of", "published", "period_start"):
                column: np.ndarray = _dates.day_array(values, unit="ns")
            elif name in ("value", "low", "high", "level"):
                column = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
            elif name == "depends_on":
                column = np.array([";".join(v) for v in values], dtype=str)
            else:
                column = np.array(["" if v is None else v for v in values], dtype=str)
            data[name] = ("record", column, {"long_name": _LONG_NAMES[name]})
        return xr.Dataset(
            data,
            coords={"record": ("record", np.array(self.ids, dtype=str), {"long_name": "id"})},
            attrs={
                "title": "attritionsim source catalogue",
                "id_rule": ID_RULE,
                "records": len(recs),
            },
        )

    def to_dataframe(self) -> Any:
        """The catalogue as a :class:`pandas.DataFrame` indexed by id (needs pandas).

        Returns
        -------
        pandas.DataFrame

        Raises
        ------
        ImportError
            If pandas is not installed.

        Examples
        --------
        >>> from attritionsim.catalogue import load_catalogue
        >>> df = load_catalogue().to_dataframe()
        >>> df.loc["csis-2025-12-ukraine-killed", ["low", "high"]].tolist()
        [100000.0, 140000.0]
        """
        if importlib.util.find_spec("pandas") is None:
            raise ImportError(
                "Catalogue.to_dataframe() needs pandas (pip install pandas); "
                "Catalogue.to_dataset() gives the same table as an xarray Dataset"
            )
        frame = self.to_dataset().to_dataframe()
        frame.index.name = "id"
        return frame

    # ------------------------------------------------------------------ helpers
    def _unknown(self, ident: object) -> str:
        hint = ""
        if isinstance(ident, str):
            close = difflib.get_close_matches(ident, self._by_id, n=1, cutoff=0.6)
            # a mistyped publisher: the same date, side and measure under another publisher
            rest = ident.partition("-")[2]
            same = [i for i in self._by_id if rest and i.partition("-")[2] == rest]
            close = list(dict.fromkeys([*same, *close]))[:3]
            if close:
                hint = f" (did you mean {' or '.join(map(repr, close))}?)"
        return f"no record with id {ident!r} in this catalogue of {len(self)}{hint}"


def _published_alias(record: Record) -> str:
    """The record's id with its as-of month replaced by its publication month."""
    parts = record.id.split("-")
    published = record.published
    if published is None:
        return record.id
    return "-".join([parts[0], f"{published.year:04d}", f"{published.month:02d}", *parts[3:]])


def load_catalogue(*paths: str | os.PathLike[str], bundled: bool = True) -> Catalogue:
    """The bundled records plus the records in the user's own TOML or CSV files.

    Parameters
    ----------
    *paths : str or path-like
        ``.toml`` files of ``[[record]]`` tables or ``.csv`` files with the same fields as
        columns (``depends_on`` separated by ``;``). Read in order, after the bundled records.
    bundled : bool
        Start from the bundled records (default); ``False`` reads only ``paths``.

    Returns
    -------
    Catalogue

    Raises
    ------
    InputError
        A bad file or record: the message names the file, the record and the field. Ids must
        be unique across all files and the bundled records, and ``depends_on`` must name known
        records (or bundled series).

    Examples
    --------
    >>> from attritionsim.catalogue import load_catalogue
    >>> cat = load_catalogue()
    >>> cat["csis-2025-12-russia-casualties"].figure
    '≈1,200,000'
    """
    located: list[Located] = list(bundled_records()) if bundled else []
    for path in paths:
        located.extend(read_records(path))
    seen: dict[str, Located] = {}
    for item in located:
        earlier = seen.get(item.record.id)
        if earlier is not None:
            raise InputError(
                f"{item.file}: {item.label}: id {item.record.id!r} is already used by "
                f"{earlier.label} in {earlier.file}; ids must be unique"
            )
        seen[item.record.id] = item
    known = set(seen) | {loc.record.id for loc in bundled_records()} | set(series_names())
    for item in located:
        for dep in item.record.depends_on:
            if dep not in known:
                close = difflib.get_close_matches(dep, sorted(known), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise InputError(
                    f"{item.file}: {item.label}: depends_on names {dep!r}, which is neither a "
                    f"record id nor a bundled series{hint}"
                )
    return Catalogue(item.record for item in located)


_LONG_NAMES = {
    "publisher": "publisher",
    "title": "title of the report or statement",
    "published": "publication date",
    "as_of": "date the figure describes",
    "period_start": "first day of the period a rate or period total covers",
    "side": "side",
    "measure": "measure",
    "value": "figure as published",
    "low": "low end of the published range",
    "high": "high end of the published range",
    "level": "probability the source gives its range",
    "units": "units",
    "qualifier": "qualifier",
    "url": "URL",
    "reported_by": "outlet(s) that carried the figure",
    "evidence": "evidence tag",
    "depends_on": "ids this record restates or derives from, ';'-separated",
    "notes": "notes",
}


def _num(value: float | None) -> float:
    assert value is not None  # guaranteed by Record's own checks
    return value


def _text(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise InputError(f"{name} must be a string; got {value!r}")
    return value


def _choices(name: str, value: str | Iterable[str] | None, valid: Iterable[str]) -> set[str] | None:
    if value is None:
        return None
    options = list(valid)
    items = [value] if isinstance(value, str) else list(value)
    return {_validate.choice(name, item, options) for item in items}


def _as_date(name: str, value: dt.date | str | None) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    date = _dates.parse_date(value) if isinstance(value, str) else None
    if date is not None:
        return date
    raise InputError(f"{name} must be a date or a YYYY-MM-DD string; got {value!r}")
