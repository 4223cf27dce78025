"""Results files: every draw of a run in netCDF-4, written and read back exactly.

:func:`write_results` writes a results :class:`xarray.Dataset` (as :func:`attritionsim.simulate`
returns it) to ``results.nc``; :func:`read_results` reads it back, bit for bit.

Dates are written explicitly, never left to xarray's guesses: a ``datetime64[u]`` variable is
stored as its int64 count of ``u`` since 1970-01-01 (the same bits), with the CF attributes
``units = "<unit> since 1970-01-01"`` and ``calendar = "proleptic_gregorian"`` (so other
netCDF tools can read it), and ``_FillValue`` = ``-2**63`` (numpy's ``NaT``: never
crossed). A crossing date 100 million years away, or 100,000 years back, reads back as the
same ``datetime64[s]``; ``NaT`` as ``NaT``. Other
variables (floats with NaN and infinities, integers, booleans, strings) and the attributes
are left to xarray, which keeps them exactly in netCDF-4.

:func:`read_results` refuses, with one line naming the file and what is wrong, anything that
is not a results file: a missing, empty or unreadable file, text, a netCDF file without a
``draw`` dimension or without the attributes a run writes, or attributes of the wrong type
(``draws`` must be an integer equal to the number of draws, ``seed`` a non-negative integer,
``method`` and ``attritionsim_version`` strings, ``level`` a number in (0, 1)). Files written
by earlier versions (dates in CF encoding) are read too, their dates in whole seconds.

A results file may hold more runs in netCDF-4 groups (``groups=`` of :func:`write_results`;
a report writes each evidence synthesis's quantities, with their own draws, to the group
``synthesis/NAME``): :func:`read_results` reads the root unless given ``group=``, and
:func:`result_groups` lists them.
"""

from __future__ import annotations

import numbers
import os
import warnings
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import xarray as xr

from . import _dates
from .errors import InputError

__all__ = ["NAT_CODE", "read_results", "result_groups", "write_results"]

#: The int64 that stands for ``NaT`` (numpy's own bits for it), written as ``_FillValue``.
NAT_CODE = _dates.NAT_CODE
_EPOCH = "1970-01-01"
#: numpy's fixed-length datetime units and their CF names.
_CF_UNITS = {
    "D": "days",
    "h": "hours",
    "m": "minutes",
    "s": "seconds",
    "ms": "milliseconds",
    "us": "microseconds",
    "ns": "nanoseconds",
}
_DATE_ATTRS = ("units", "calendar", "_FillValue")
_CALENDAR = "proleptic_gregorian"
_ENGINE = "netcdf4"


def _encode_dates(name: str, var: xr.Variable) -> xr.Variable:
    """A datetime64 variable as int64 counts since 1970 with a NaT code, exactly."""
    unit, _ = np.datetime_data(var.dtype)
    values = np.asarray(var.values)
    if unit not in _CF_UNITS:  # years, months, weeks: whole days hold them exactly
        unit = "D" if unit in ("Y", "M", "W") else "ns"
        values = values.astype(f"datetime64[{unit}]")
    clash = [key for key in _DATE_ATTRS if key in var.attrs]
    if clash:
        raise InputError(
            f"ds[{name!r}] holds dates, so it cannot carry the attr {clash[0]!r}: the results "
            "file uses it to store the dates; rename that attr"
        )
    attrs = {
        **var.attrs,
        "units": f"{_CF_UNITS[unit]} since {_EPOCH}",
        "calendar": _CALENDAR,
    }
    ints = np.array(values, order="C").view(np.int64)  # 0-d stays 0-d
    return xr.Variable(var.dims, ints, attrs=attrs, encoding={"_FillValue": NAT_CODE})


def write_results(
    ds: xr.Dataset,
    path: str | os.PathLike[str],
    *,
    groups: Mapping[str, xr.Dataset] | None = None,
) -> Path:
    """Write a results dataset to a netCDF-4 file that :func:`read_results` reads back exactly.

    Parameters
    ----------
    ds : xarray.Dataset
        The results (every draw); its dates may lie at any distance, or be ``NaT``.
    path : str or path-like
        The file to write (replaced if it exists).
    groups : mapping of str to xarray.Dataset, optional
        More results, each with its own draws, written to the netCDF-4 group of that name
        (``"synthesis/ru"``: a group within a group); ``read_results(path, group=name)``
        reads one back.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    InputError
        ``ds`` is not a Dataset, a date variable carries an attr that the encoding needs
        (``units``, ``calendar``), or the file cannot be written.

    Examples
    --------
    >>> import tempfile, numpy as np, xarray as xr
    >>> far = np.array(["1970-01-01", "100001970-01-01", "NaT"], dtype="datetime64[s]")
    >>> ds = xr.Dataset({"when": ("draw", far)}, attrs={"draws": 3, "seed": 1, "method": "mc",
    ...                                                  "attritionsim_version": "0.1"})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     back = read_results(write_results(ds, f"{tmp}/results.nc"))
    >>> [str(day) for day in back["when"].values]
    ['1970-01-01T00:00:00', '100001970-01-01T00:00:00', 'NaT']
    """
    if not isinstance(ds, xr.Dataset):
        raise InputError(f"ds must be an xarray.Dataset; got {type(ds).__name__}")
    extra = dict(groups or {})
    for name, group in extra.items():
        if not isinstance(group, xr.Dataset):
            raise InputError(
                f"groups[{name!r}] must be an xarray.Dataset; got {type(group).__name__}"
            )
        if not name or name.startswith("/") or "//" in name or name.endswith("/"):
            raise InputError(f"groups: {name!r} is not a group name such as 'synthesis/ru'")
    target = Path(path)
    try:
        _encoded(ds).to_netcdf(target, engine="netcdf4", format="NETCDF4")
        for name, group in extra.items():
            _encoded(group).to_netcdf(
                target, mode="a", group=name, engine="netcdf4", format="NETCDF4"
            )
    except OSError as err:
        raise InputError(f"cannot write results to {str(target)!r}: {_one_line(err)}") from None
    return target


def _encoded(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` with its dates as :func:`_encode_dates` writes them."""
    encoded = ds.copy(deep=False)
    for name, var in ds.variables.items():
        if var.dtype.kind == "M":
            encoded[name] = _encode_dates(str(name), var)
    return encoded


def result_groups(path: str | os.PathLike[str]) -> list[str]:
    """The groups of a results file that hold a run (``"synthesis/ru"``), in the order written.

    Examples
    --------
    >>> import tempfile, numpy as np, xarray as xr
    >>> attrs = {"draws": 3, "seed": 1, "attritionsim_version": "0.1"}
    >>> ds = xr.Dataset({"x": ("draw", np.arange(3.0))}, attrs=attrs)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     written = write_results(ds, f"{tmp}/results.nc", groups={"synthesis/ru": ds})
    ...     result_groups(written)
    ['synthesis/ru']
    """
    import netCDF4

    where = f"results file {str(path)!r}"
    if not Path(path).is_file():
        raise InputError(f"{where} not found")
    try:
        with netCDF4.Dataset(path) as root:
            found: list[str] = []
            stack = [("", root)]
            while stack:
                prefix, node = stack.pop(0)
                for name, child in node.groups.items():
                    if child.variables:  # a group that only holds groups is no run
                        found.append(prefix + name)
                    stack.append((f"{prefix}{name}/", child))
    except OSError as err:
        raise InputError(f"{where}: not a netCDF file ({_one_line(err)})") from None
    return found


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__


def _date_unit(var: xr.Variable) -> str | None:
    """The numpy unit of a date variable as :func:`write_results` writes them, else None.

    That is: int64 counts of a fixed unit since 1970-01-01 in the proleptic Gregorian
    calendar, ``NaT`` as the fill value. Those attrs say exactly what the bits mean, so any
    variable that has them is decoded here, without a detour through nanoseconds.
    """
    units = var.attrs.get("units")
    if (
        var.dtype != np.int64
        or var.attrs.get("calendar") != _CALENDAR
        or not isinstance(units, str)
        or not units.endswith(f" since {_EPOCH}")
    ):
        return None
    fill = var.attrs.get("_FillValue")
    if not (isinstance(fill, np.integer) and int(fill) == NAT_CODE):
        return None
    name = units.removesuffix(f" since {_EPOCH}")
    return next((unit for unit, cf in _CF_UNITS.items() if cf == name), None)


def _decode_dates(var: xr.Variable, unit: str) -> xr.Variable:
    attrs = {k: v for k, v in var.attrs.items() if k not in _DATE_ATTRS}
    values = np.array(var.values, order="C").view(f"datetime64[{unit}]")  # 0-d stays 0-d
    return xr.Variable(var.dims, values, attrs=attrs)


def _decode(where: str, raw: xr.Dataset) -> xr.Dataset:
    """Our dates by hand, everything else by xarray's CF decoding."""
    units = {name: _date_unit(var) for name, var in raw.variables.items()}
    ours = {name: unit for name, unit in units.items() if unit is not None}
    rest = raw.drop_vars(list(ours))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a date xarray can only guess at is an error here
            coder = xr.coders.CFDatetimeCoder(time_unit="s")
            decoded = xr.decode_cf(rest, decode_times=coder, decode_timedelta=False)
            decoded = decoded.load()
    except (ValueError, TypeError, OverflowError, Warning) as err:
        raise InputError(f"{where}: cannot decode its variables: {_one_line(err)}") from None
    variables = {
        name: _decode_dates(raw.variables[name], ours[name])
        if name in ours
        else decoded.variables[name]
        for name in raw.variables
        if name in ours or name in decoded.variables
    }
    coords = set(raw.coords) | set(decoded.coords)
    return xr.Dataset(
        {name: var for name, var in variables.items() if name not in coords},
        coords={name: var for name, var in variables.items() if name in coords},
        attrs=dict(raw.attrs),
    )


def _show(value: object) -> str:
    """An attr's value as a reader knows it: numpy scalars plainly, arrays as lists."""
    if isinstance(value, np.ndarray):
        text = repr(value.tolist())
        return f"the array {text if len(text) <= 60 else text[:57] + '...'}"
    if isinstance(value, np.generic):
        return repr(value.item())
    return repr(value)


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)


def _check_attrs(where: str, ds: xr.Dataset) -> None:
    """The attrs a results file must have, of the right types."""
    attrs: Mapping[str, object] = ds.attrs

    def bad(key: str, valid: str) -> InputError:
        return InputError(f"{where}: attr {key!r} must be {valid}; got {_show(attrs[key])}")

    if "attritionsim_version" not in attrs:
        raise InputError(
            f"{where}: not an attritionsim results file (no 'attritionsim_version' attr)"
        )
    if "draw" not in ds.dims:
        raise InputError(f"{where}: not an attritionsim results file (no 'draw' dimension)")
    for key in ("attritionsim_version", "method", "title"):
        if key in attrs and not isinstance(attrs[key], str):
            raise bad(key, "a string")
    n = ds.sizes["draw"]
    if "draws" in attrs and not (_is_int(attrs["draws"]) and int(attrs["draws"]) == n):  # type: ignore[call-overload]
        raise bad("draws", f"an integer equal to the number of draws, {n:,}")
    if "seed" in attrs and not (_is_int(attrs["seed"]) and int(attrs["seed"]) >= 0):  # type: ignore[call-overload]
        raise bad("seed", "a non-negative integer")
    if "level" in attrs:
        level = attrs["level"]
        real = isinstance(level, int | float | np.integer | np.floating)
        if isinstance(level, bool) or not real or not 0.0 < float(level) < 1.0:  # type: ignore[arg-type]
            raise bad("level", "a number in (0, 1)")


def read_results(path: str | os.PathLike[str], *, group: str | None = None) -> xr.Dataset:
    """Read a results file written by :func:`write_results` (or an earlier ``results.nc``).

    Parameters
    ----------
    path : str or path-like
        The ``results.nc`` of a report folder.
    group : str, optional
        A group of the file to read instead of its root (:func:`result_groups` lists them;
        a report writes each synthesis's quantities to ``"synthesis/NAME"``).

    Returns
    -------
    xarray.Dataset
        The results, loaded into memory: dates as the ``datetime64`` they were written as
        (``NaT`` for never), every other variable and attribute as written.

    Raises
    ------
    InputError
        One line naming the file and what is wrong: it is missing, not a netCDF-4 file, not a
        results file (no ``draw`` dimension, no ``attritionsim_version`` attr), or an attr it
        has is of the wrong type or value (``draws``, ``seed``, ``method``, ``level``,
        ``title``, ``attritionsim_version``).

    Examples
    --------
    >>> read_results("no/such/results.nc")
    Traceback (most recent call last):
    ...
    attritionsim.errors.InputError: results file 'no/such/results.nc' not found
    """
    source = Path(path)
    where = f"results file {str(source)!r}"
    if not source.exists():
        raise InputError(f"{where} not found")
    if not source.is_file():
        raise InputError(f"{where} is not a file")
    if group is not None:
        known = result_groups(source)
        if group not in known:
            raise InputError(
                f"{where} has no group {group!r}; its groups: {', '.join(known) or 'none'}"
            )
        where += f", group {group!r}"
    try:
        with xr.open_dataset(source, engine=_ENGINE, decode_cf=False, group=group) as opened:
            raw = opened.load()
    except Exception as err:  # netCDF4 and HDF5 raise many kinds for a file that is not theirs
        raise InputError(f"{where}: not a netCDF file ({_one_line(err)})") from None
    _check_attrs(where, raw)
    return _decode(where, raw)
