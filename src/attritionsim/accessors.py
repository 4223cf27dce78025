"""The ``.asim`` xarray accessor: the plots of :mod:`attritionsim.plots` as methods.

``import attritionsim`` registers it (:func:`register`) on :class:`xarray.DataArray`
(``da.asim.plot_distribution()``, ``.plot_fan()``, ``.plot_crossing_cdf()``) and on
:class:`xarray.Dataset` (``ds.asim.plot_tornado("target")``). Each method passes its object and
arguments to the plot function of the same name (:meth:`_BaseAccessor._apply`). Registering
again (or after reloading this module) replaces our own earlier accessors without a warning;
xarray still warns if some other package has taken the name.

Examples
--------
>>> import numpy as np, xarray as xr
>>> import attritionsim
>>> da = xr.DataArray(np.arange(100.0), dims="draw", attrs={"long_name": "x"})
>>> fig = da.asim.plot_distribution(level=0.8)
>>> type(da.asim).__name__
'DataArrayAccessor'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Generic, TypeVar

import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from . import plots
from ._validate import DEFAULT_LEVEL
from .plots import DateLike
from .summary import IntervalKind

__all__ = ["ACCESSOR", "DataArrayAccessor", "DatasetAccessor", "register"]

#: The name under which the xarray accessors are registered: ``da.asim``, ``ds.asim``.
ACCESSOR = "asim"

_Obj = TypeVar("_Obj", xr.DataArray, xr.Dataset)


class _BaseAccessor(Generic[_Obj]):
    """Holds the xarray object; :meth:`_apply` calls a plot function on it."""

    def __init__(self, obj: _Obj) -> None:
        self._obj: _Obj = obj

    def _apply(self, name: str, /, *args: Any, **kwargs: Any) -> Figure:
        """``plots.<name>(obj, *args, **kwargs)``."""
        figure: Figure = getattr(plots, name)(self._obj, *args, **kwargs)
        return figure


class DataArrayAccessor(_BaseAccessor[xr.DataArray]):
    """The plots of one quantity, as ``da.asim.<plot>(...)``."""

    def plot_distribution(
        self,
        *,
        level: float = DEFAULT_LEVEL,
        kind: IntervalKind = "eti",
        bins: int | Sequence[float] = 60,
        ax: Axes | None = None,
        title: str | None = None,
    ) -> Figure:
        """The draws and their credible interval: see :func:`~attritionsim.plot_distribution`."""
        return self._apply(
            "plot_distribution", level=level, kind=kind, bins=bins, ax=ax, title=title
        )

    def plot_fan(
        self,
        *,
        levels: Sequence[float] = (0.5, 0.8, 0.95),
        anchors: Mapping[DateLike, float] | Iterable[object] | None = None,
        threshold: float | None = None,
        observed: xr.DataArray | None = None,
        ax: Axes | None = None,
        title: str | None = None,
    ) -> Figure:
        """Fan chart of a trajectory (``draw`` x ``date``): see :func:`~attritionsim.plot_fan`."""
        return self._apply(
            "plot_fan",
            levels=levels,
            anchors=anchors,
            threshold=threshold,
            observed=observed,
            ax=ax,
            title=title,
        )

    def plot_crossing_cdf(
        self,
        *,
        quoted: Mapping[str, DateLike] | None = None,
        ax: Axes | None = None,
        title: str | None = None,
    ) -> Figure:
        """Probability crossed by each date: see :func:`~attritionsim.plot_crossing_cdf`."""
        return self._apply("plot_crossing_cdf", quoted=quoted, ax=ax, title=title)


class DatasetAccessor(_BaseAccessor[xr.Dataset]):
    """The plots of a results Dataset, as ``ds.asim.<plot>(...)``."""

    def plot_tornado(
        self,
        target: str,
        *,
        inputs: Iterable[str] | None = None,
        values: Mapping[str, float] | None = None,
        top: int | None = None,
        xlabel: str | None = None,
        ax: Axes | None = None,
        title: str | None = None,
    ) -> Figure:
        """The inputs driving ``target``: see :func:`~attritionsim.plot_tornado`."""
        return self._apply(
            "plot_tornado",
            target,
            inputs=inputs,
            values=values,
            top=top,
            xlabel=xlabel,
            ax=ax,
            title=title,
        )


def register() -> None:
    """Register the accessors; replace (without xarray's warning) only our own earlier ones."""
    for cls, accessor in (
        (xr.DataArray, DataArrayAccessor),
        (xr.Dataset, DatasetAccessor),
    ):
        earlier = getattr(cls.__dict__.get(ACCESSOR), "_accessor", None)
        if earlier is not None and (
            getattr(earlier, "__qualname__", None) == accessor.__qualname__
            and str(getattr(earlier, "__module__", "")).rsplit(".", 1)[-1]
            == __name__.rsplit(".", 1)[-1]
        ):
            delattr(cls, ACCESSOR)
    xr.register_dataarray_accessor(ACCESSOR)(DataArrayAccessor)  # type: ignore[no-untyped-call]
    xr.register_dataset_accessor(ACCESSOR)(DatasetAccessor)  # type: ignore[no-untyped-call]
