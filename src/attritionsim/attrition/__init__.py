r"""The attrition model's derived quantities: splits, ratios, rates, crossing dates, trajectories.

Every function works elementwise over Monte Carlo draws with no Python loop over draws. It
takes numpy arrays (one value per draw), scalars or :class:`xarray.DataArray`\ s, and returns a
numpy array (a numpy scalar when every argument is a scalar), or a ``DataArray`` when any
argument is one: numpy kernels do the work and :func:`xarray.apply_ufunc` carries the labels,
broadcasting by dimension name (a plain 1-d array next to a ``DataArray`` is taken to lie on
``draw``). Bad arguments raise :class:`~attritionsim.errors.InputError` naming the argument.

The package is layered: :mod:`._kernels` holds the numpy kernels (arrays in, arrays out),
:mod:`._convert` the argument conversion and the :func:`xarray.apply_ufunc` glue, and the
public modules :mod:`.split`, :mod:`.ratios`, :mod:`.rates`, :mod:`.trajectory` and
:mod:`.consistency` are thin over them. Report sentences (``str()`` of a :class:`Consistency`)
are written by :mod:`attritionsim.report`.

Importing this package registers its per-draw functions in the expression language (see
:mod:`attritionsim.expr`), here and nowhere else, under the names below, so scenario
expressions can call them:

======================================================  ==========================================
expression                                              per draw
======================================================  ==========================================
``killed_share(casualties, killed, missing=0)``         killed / casualties (NaN if broken)
``wounded(casualties, killed, missing=0)``              casualties - killed - missing (NaN if
                                                        broken)
``wounded_per_killed(casualties, killed, missing=0)``   wounded / killed (NaN if broken); with
                                                        ``missing=0``, (wounded + missing) / killed
``broken_split(casualties, killed, missing=0)``         True where the accounting breaks
``share_of(total, share)``                              total * share (NaN unless 0 <= share <= 1)
``ratio(a, b)``                                         a / b
``prob_between(x, lo, hi)``, ``prob_greater(a, b)``     the event ``lo <= x <= hi``, ``a > b``
``implied_rate(count_a, date_a, count_b, date_b)``      per day between two dated counts
``crossing_date(count, rate, threshold, start)``        the date a threshold is crossed
``prob_crossed_by(dates, day)``, ``undated(dates)``     the event ``date <= day``; ``date`` is NaT
``multiple_of(x, reference)``                           x / reference (NaN if reference <= 0)
``per_area(losses, km2)``                               losses per km² (NaN if km2 <= 0)
======================================================  ==========================================

Events are booleans per draw: the function returns the event, and the summary of a boolean
quantity (its mean over draws) is its probability.

Broken draws
------------
A casualty count is killed + wounded + missing, so each draw must satisfy ``casualties > 0``,
``killed >= 0``, ``missing >= 0`` and ``killed + missing <= casualties`` (to a relative
rounding tolerance of :data:`ACCOUNTING_RTOL`, 1e-12), all finite. A draw that breaks this is
never silently kept or clipped: its derived values are NaN, :func:`split` reports how many
draws broke and ``split(..., strict=True)`` raises an :class:`InputError` saying how many. In
an expression model, ``broken_split(...)`` gives the per-draw flag, whose mean is the share of
broken draws.

Sampling a total and its split together
---------------------------------------
Drawing killed and casualties independently lets a draw have more killed than casualties.
The coherent design samples the **total** as one input and the **killed share** as another (a
beta, which lives in (0, 1)), and derives the parts from them; every draw then satisfies the
accounting by construction and the ratios stay consistent with each other:

>>> import numpy as np
>>> import attritionsim as asim
>>> import attritionsim.attrition
>>> model = asim.Model(
...     inputs={
...         "casualties": asim.from_range(1.1e6, 1.3e6),
...         "share_killed": asim.from_range(0.2, 0.3, family="beta"),
...     },
...     derived={
...         "killed": "share_of(casualties, share_killed)",
...         "wounded": "wounded(casualties, killed)",
...         "wounded_per_killed": "wounded_per_killed(casualties, killed)",
...         "broken": "broken_split(casualties, killed)",
...     },
... )
>>> ds = asim.simulate(model, draws=10_000, seed=1)
>>> bool(np.allclose(ds["killed"] + ds["wounded"], ds["casualties"], rtol=1e-12))
True
>>> float(ds["broken"].mean())
0.0
>>> 2.5 < float(ds["wounded_per_killed"].median()) < 3.5
True

Crossing dates
--------------
:func:`crossing_date` returns ``datetime64[s]`` per draw, NaT where there is no date: a count
below the threshold with a rate that is not positive (it never gets there), a count above the
threshold with a rate that is not positive (crossed at some unknown earlier date), a NaN input,
or a date outside what ``datetime64[s]`` can hold. :func:`undated` flags them, so the share of
draws with no crossing date can be reported next to the interval of those with one.
"""

from __future__ import annotations

from ..expr import register_function
from ._convert import Dates, Draws, Values
from .consistency import CONSISTENT_AT, INCONSISTENT_BELOW, Consistency, consistency
from .rates import crossing_date, implied_rate, prob_crossed_by, undated
from .ratios import multiple_of, per_area, prob_between, prob_greater, ratio
from .split import (
    ACCOUNTING_RTOL,
    Split,
    broken_split,
    killed_share,
    share_of,
    split,
    wounded,
    wounded_per_killed,
)
from .trajectory import TrajectoryFit, crossing_from_trajectory, fit_trajectory, trajectory

__all__ = [
    "ACCOUNTING_RTOL",
    "CONSISTENT_AT",
    "INCONSISTENT_BELOW",
    "Consistency",
    "Dates",
    "Draws",
    "Split",
    "TrajectoryFit",
    "Values",
    "broken_split",
    "consistency",
    "crossing_date",
    "crossing_from_trajectory",
    "fit_trajectory",
    "implied_rate",
    "killed_share",
    "multiple_of",
    "per_area",
    "prob_between",
    "prob_crossed_by",
    "prob_greater",
    "ratio",
    "share_of",
    "split",
    "trajectory",
    "undated",
    "wounded",
    "wounded_per_killed",
]

#: The per-draw functions expressions may call, each under its own name (see the table above),
#: in the order they are registered.
EXPRESSION_FUNCTIONS = (
    killed_share,
    wounded,
    wounded_per_killed,
    broken_split,
    share_of,
    ratio,
    prob_between,
    prob_greater,
    multiple_of,
    per_area,
    implied_rate,
    crossing_date,
    undated,
    prob_crossed_by,
)
for _function in EXPRESSION_FUNCTIONS:
    register_function()(_function)
del _function
