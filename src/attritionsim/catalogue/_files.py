"""Reading records from TOML and CSV files, with errors that name the file, record and field."""

from __future__ import annotations

import csv
import dataclasses
import difflib
import functools
import io
import os
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from .. import _dates
from ..errors import InputError
from ._schema import FIELDS, REQUIRED_FIELDS, Record

__all__ = ["BUNDLED_LABEL", "Located", "bundled_records", "read_records"]

#: How error messages name the bundled data file.
BUNDLED_LABEL = "attritionsim/catalogue/data/records.toml (bundled)"

_DATE_FIELDS = frozenset({"as_of", "published", "period_start"})
_NUMBER_FIELDS = frozenset({"value", "low", "high", "level"})


@dataclasses.dataclass(frozen=True)
class Located:
    """A record and where it came from, for messages about duplicates and dependencies."""

    record: Record
    file: str
    index: int

    @property
    def label(self) -> str:
        """``record 'id' (#n)``, the way messages name it."""
        return f"record {self.record.id!r} (#{self.index})"


def read_records(path: str | os.PathLike[str]) -> list[Located]:
    """Read the records of one TOML or CSV file (by extension), validating each.

    Parameters
    ----------
    path : str or path-like
        A ``.toml`` file of ``[[record]]`` tables, or a ``.csv`` file whose header holds the
        field names (list fields such as ``depends_on`` separated by ``;``).

    Returns
    -------
    list of Located

    Raises
    ------
    InputError
        A missing or unreadable file, a syntax error, or a bad record; the message names the
        file, the record (id and position) and the field.
    """
    file = Path(path)
    where = str(path)
    suffix = file.suffix.lower()
    if suffix not in (".toml", ".csv"):
        raise InputError(f"{where}: catalogue files must end in .toml or .csv; got {suffix!r}")
    try:
        with file.open(encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"{where}: cannot read the file ({err})") from err
    raws = _parse_toml(text, where) if suffix == ".toml" else _parse_csv(text, where)
    return [_to_record(raw, where, index) for index, raw in enumerate(raws, start=1)]


@functools.cache
def bundled_records() -> tuple[Located, ...]:
    """The records shipped with the package (read once, then cached)."""
    text = (
        resources.files("attritionsim.catalogue")
        .joinpath("data", "records.toml")
        .read_text("utf-8")
    )
    raws = _parse_toml(text, BUNDLED_LABEL)
    return tuple(_to_record(raw, BUNDLED_LABEL, i) for i, raw in enumerate(raws, start=1))


# ---------------------------------------------------------------------- formats
def _parse_toml(text: str, where: str) -> list[dict[str, Any]]:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"{where}: TOML syntax error: {err}") from err
    unknown = sorted(set(doc) - {"record"})
    if unknown:
        raise InputError(
            f"{where}: unknown top-level key(s) {', '.join(repr(k) for k in unknown)}; "
            "records go in [[record]] tables"
        )
    tables = doc.get("record")
    if not isinstance(tables, list) or not tables:
        raise InputError(f"{where}: no records found; write each record as a [[record]] table")
    return [dict(table) for table in tables]


def _parse_csv(text: str, where: str) -> list[dict[str, Any]]:
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(rows)
    except StopIteration:
        raise InputError(
            f"{where}: the file is empty; the first line must name the fields"
        ) from None
    except csv.Error as err:
        raise InputError(f"{where}: CSV syntax error in the header: {err}") from err
    header = [name.strip() for name in header]
    out: list[dict[str, Any]] = []
    try:
        for line, row in enumerate(rows, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise InputError(
                    f"{where}: line {line} (record #{len(out) + 1}) has {len(row)} cells, "
                    f"the header has {len(header)}"
                )
            out.append({name: cell for name, cell in zip(header, row, strict=True) if cell != ""})
    except csv.Error as err:
        raise InputError(f"{where}: CSV syntax error: {err}") from err
    if not out:
        raise InputError(f"{where}: no records found below the header")
    for record in out:
        if "depends_on" in record:
            record["depends_on"] = [
                part.strip() for part in record["depends_on"].split(";") if part.strip()
            ]
        for name in _NUMBER_FIELDS & record.keys():
            record[name] = _csv_number(name, record[name])
    return out


def _csv_number(name: str, cell: str) -> object:
    try:
        return float(cell.strip().replace("_", ""))
    except ValueError:
        return cell  # left for the record's own check, which names the field


# ---------------------------------------------------------------------- one record
def _to_record(raw: Mapping[str, Any], where: str, index: int) -> Located:
    ident = raw.get("id")
    label = f"record {ident!r} (#{index})" if isinstance(ident, str) else f"record #{index}"
    try:
        unknown = [name for name in raw if name not in FIELDS]
        if unknown:
            close = difflib.get_close_matches(unknown[0], FIELDS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise InputError(
                f"unknown field {unknown[0]!r}{hint}; valid fields: {', '.join(FIELDS)}"
            )
        missing = [name for name in REQUIRED_FIELDS if name not in raw]
        if missing:
            raise InputError(
                f"missing field {missing[0]!r}; every record needs {', '.join(REQUIRED_FIELDS)} "
                "and value (or low and high)"
            )
        kwargs: dict[str, Any] = {
            name: _date(name, value) if name in _DATE_FIELDS else value
            for name, value in raw.items()
        }
        record = Record(**kwargs)
    except InputError as err:
        raise InputError(f"{where}: {label}: {err}") from None
    return Located(record, where, index)


def _date(name: str, value: object) -> object:
    if isinstance(value, str):
        date = _dates.parse_date(value.strip(), strict=True)
        if date is None:
            raise InputError(f"{name}={value!r} is not a valid date; write YYYY-MM-DD")
        return date
    return value
