"""Daily series shipped with the package, loaded as :class:`xarray.DataArray` on a ``date`` axis."""

from __future__ import annotations

import collections
import csv
import functools
import io
from importlib import resources
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import xarray as xr

from .. import _dates, _validate
from ..errors import InputError

__all__ = ["load_series", "series_names"]


class _Spec(NamedTuple):
    file: str
    value_column: str
    qualifier_column: str
    attrs: dict[str, str]


_SERIES: dict[str, _Spec] = {
    "ua-general-staff-russia-personnel": _Spec(
        file="ua_general_staff_russia_personnel.csv",
        value_column="personnel",
        qualifier_column="personnel*",
        attrs={
            "long_name": "Russian personnel losses claimed by Ukraine's General Staff, cumulative",
            "units": "people",
            "side": "russia",
            "measure": "casualties",
            "publisher": "General Staff of the Armed Forces of Ukraine",
            "source": (
                "github.com/PetroIvaniuk/2022-Ukraine-Russia-War-Dataset, "
                "data/russia_losses_personnel.json, commit "
                "37655f8bbdd6806d2f94416253116b02a750c97b, converted to CSV unchanged"
            ),
            "url": "https://github.com/PetroIvaniuk/2022-Ukraine-Russia-War-Dataset",
            "licence": (
                "MIT, Copyright (c) 2022 Petro Ivaniuk; full text in "
                "attritionsim/catalogue/data/LICENSE-ua-general-staff-data.txt"
            ),
            "notes": (
                "Ukraine's official count of enemy losses ('personnel liquidated'), a claim by "
                "one side of the war; it is generally taken to mean killed, wounded, missing "
                "and captured together, never split. Each day's figure is posted that morning "
                "and mostly counts losses to the end of the day before. Values in early 2022 "
                "are rounded. British (Defence Intelligence) totals from 2024 on repeat this "
                "series and are not independent evidence."
            ),
        },
    ),
}


def series_names() -> tuple[str, ...]:
    """The names of the bundled daily series.

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> from attritionsim.catalogue import series_names
    >>> series_names()
    ('ua-general-staff-russia-personnel',)
    """
    return tuple(sorted(_SERIES))


def load_series(name: str) -> xr.DataArray:
    """A bundled daily series as a DataArray on a ``date`` dimension (``datetime64[ns]``).

    Parameters
    ----------
    name : str
        One of :func:`series_names`.

    Returns
    -------
    xarray.DataArray
        int64 values; coordinates ``date``, ``day`` (days counted from the invasion, with
        2022-02-24 as day 1) and ``qualifier`` (the wording published with each figure); attrs give
        units, source, licence and how many values carry each qualifier.

    Raises
    ------
    InputError
        An unknown name (with the nearest one).

    Examples
    --------
    >>> from attritionsim.catalogue import load_series
    >>> gs = load_series("ua-general-staff-russia-personnel")
    >>> gs.dims, gs.sizes["date"], int(gs[-1])
    (('date',), 1626, 1456610)
    >>> str(gs["date"][0].values)[:10], int(gs.sel(date="2025-06-12"))
    ('2022-02-25', 1000340)
    """
    key = _validate.choice("series name", name, series_names())
    spec = _SERIES[key]
    dates, days, values, qualifiers = _read(key)
    counts = collections.Counter(qualifiers.tolist())
    attrs = {
        **spec.attrs,
        "qualifier_counts": ", ".join(f"{word}: {n}" for word, n in sorted(counts.items())),
    }
    return xr.DataArray(
        values.copy(),
        dims=("date",),
        coords={
            "date": ("date", dates.copy(), {"long_name": "date of the daily report"}),
            "day": (
                "date",
                days.copy(),
                {"long_name": "days since the invasion (2022-02-24 is day 1)"},
            ),
            "qualifier": ("date", qualifiers.copy(), {"long_name": "wording of the figure"}),
        },
        name=key,
        attrs=attrs,
    )


@functools.cache
def _read(
    key: str,
) -> tuple[
    npt.NDArray[np.datetime64], npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.str_]
]:
    """Parse a series' CSV once (stdlib csv and numpy only)."""
    spec = _SERIES[key]
    text = resources.files("attritionsim.catalogue").joinpath("data", spec.file).read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    needed = ("date", "day", spec.value_column, spec.qualifier_column)
    if not rows or any(col not in rows[0] for col in needed):
        raise InputError(f"bundled series {key!r}: {spec.file} lacks the columns {needed}")
    dates = _dates.day_array([row["date"] for row in rows], unit="ns")
    days = np.array([int(row["day"]) for row in rows], dtype=np.int64)
    values = np.array([int(row[spec.value_column]) for row in rows], dtype=np.int64)
    qualifiers = np.array([row[spec.qualifier_column] for row in rows], dtype=str)
    if not (np.diff(dates) > np.timedelta64(0, "ns")).all():
        raise InputError(f"bundled series {key!r}: dates in {spec.file} are not increasing")
    return dates, days, values, qualifiers
