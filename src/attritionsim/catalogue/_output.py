"""Catalogue records as text: an aligned table, CSV, JSON or TOML (the last two round-trip)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable
from typing import Any, Literal, TypeAlias

from .. import _validate
from ._schema import FIELDS, Record

__all__ = ["RecordFormat", "format_records"]

#: The formats :func:`format_records` writes.
RecordFormat: TypeAlias = Literal["table", "csv", "json", "toml"]
_FORMATS = ("table", "csv", "json", "toml")
_TABLE_COLUMNS = ("id", "as_of", "side", "measure", "figure", "qualifier", "publisher")


def format_records(records: Iterable[Record], fmt: RecordFormat = "table") -> str:
    """Write records (a :class:`Catalogue` or any iterable of :class:`Record`) as text.

    Parameters
    ----------
    records : Catalogue or iterable of Record
        What to write, in order.
    fmt : {"table", "csv", "json", "toml"}
        ``"table"``: aligned columns id, as_of, side, measure, figure (``"≈1,200,000"``,
        ``"500,000–600,000"``, ``"≤250,000"``), qualifier, publisher. ``"csv"`` and ``"toml"``
        write every field in the layout :func:`load_catalogue` reads back; ``"json"`` a list of
        objects.

    Returns
    -------
    str

    Examples
    --------
    >>> from attritionsim.catalogue import format_records, load_catalogue
    >>> cat = load_catalogue().query(publisher="gchq")
    >>> print(format_records(cat), end="")
    id                          as_of       side    measure    figure  qualifier  publisher
    --------------------------  ----------  ------  -------  --------  ---------  ---------
    gchq-2026-05-russia-killed  2026-05-27  russia  killed   ≲500,000  nearly     GCHQ
    >>> print(format_records(cat, "csv").splitlines()[0])
    id,publisher,title,published,as_of,period_start,side,measure,value,low,high,level,units,...
    """
    kind = _validate.choice("fmt", fmt, _FORMATS)
    recs = list(records)
    if kind == "table":
        return _table(recs)
    if kind == "csv":
        return _csv(recs)
    if kind == "json":
        rows = [{k: _json_value(v) for k, v in rec.to_dict().items()} for rec in recs]
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    return _toml(recs)


def _table(recs: list[Record]) -> str:
    rows = [
        (
            rec.id,
            rec.as_of.isoformat(),
            rec.side,
            rec.measure,
            rec.figure,
            rec.qualifier,
            rec.publisher,
        )
        for rec in recs
    ]
    widths = [
        max([len(col)] + [len(row[i]) for row in rows]) for i, col in enumerate(_TABLE_COLUMNS)
    ]
    figure = _TABLE_COLUMNS.index("figure")

    def line(cells: Iterable[str]) -> str:
        parts = [
            cell.rjust(width) if i == figure else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    out = [line(_TABLE_COLUMNS), line("-" * width for width in widths)]
    out.extend(line(row) for row in rows)
    return "\n".join(out) + "\n"


def _csv(recs: list[Record]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FIELDS)
    for rec in recs:
        writer.writerow(_csv_cell(value) for value in rec.to_dict().values())
    return buffer.getvalue()


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(value)
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _toml(recs: list[Record]) -> str:
    blocks = []
    for rec in recs:
        lines = ["[[record]]"]
        for name, value in rec.to_dict().items():
            if value is None or value == "" or value == []:
                continue
            lines.append(f"{name} = {_toml_value(value)}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")  # pragma: no cover - fields are typed


def _number(value: float) -> str:
    """Integers without a decimal point (exact below 2**53), other floats by ``repr``."""
    if value.is_integer() and abs(value) < 2.0**53:
        return str(int(value))
    return repr(value)
