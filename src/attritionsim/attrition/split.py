"""The killed / wounded split of casualty draws, with the draws that break the accounting.

A casualty count is killed + wounded + missing, so each draw must satisfy ``casualties > 0``,
``killed >= 0``, ``missing >= 0`` and ``killed + missing <= casualties`` (to a relative
rounding tolerance of :data:`ACCOUNTING_RTOL`), all finite. A draw that breaks this is never
silently kept or clipped: its derived values are NaN.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import xarray as xr

from . import _convert, _kernels
from ._convert import Draws, Values

__all__ = [
    "ACCOUNTING_RTOL",
    "Split",
    "broken_split",
    "killed_share",
    "share_of",
    "split",
    "wounded",
    "wounded_per_killed",
]

#: Relative rounding slack in the accounting ``killed + missing <= casualties``.
ACCOUNTING_RTOL = _kernels.ACCOUNTING_RTOL


class Split(NamedTuple):
    """The killed / wounded split of casualty draws, made by :func:`split`.

    Each field is an array (or DataArray) over draws; ``broken`` flags the draws that break the
    accounting, where the other three fields are NaN.
    """

    killed_share: Values
    wounded: Values
    wounded_per_killed: Values
    broken: Values

    @property
    def n_broken(self) -> int:
        """How many draws break the accounting."""
        return int(np.count_nonzero(np.asarray(self.broken)))

    @property
    def broken_share(self) -> float:
        """The share of draws that break the accounting (0 when there are none)."""
        size = np.asarray(self.broken).size
        return self.n_broken / size if size else 0.0

    def to_dataset(self) -> xr.Dataset:
        """The split as a Dataset (dim ``draw`` for plain arrays), with the broken count in attrs.

        Examples
        --------
        >>> import numpy as np
        >>> from attritionsim.attrition import split
        >>> ds = split(np.array([100.0, 50.0]), np.array([25.0, 80.0])).to_dataset()
        >>> ds["wounded"].values.tolist(), ds.attrs["broken_draws"]
        ([75.0, nan], 1)
        """
        units = {"killed_share": "1", "wounded": "people", "wounded_per_killed": "1", "broken": ""}
        names = {  # what the fields count when the missing are not given apart
            "wounded": "wounded (and missing, unless given)",
            "wounded_per_killed": "wounded (and missing, unless given) per killed",
        }
        data = {}
        for name in self._fields:
            value = getattr(self, name)
            if not isinstance(value, xr.DataArray):
                value = xr.DataArray(value, dims=("draw",) if np.ndim(value) == 1 else ())
            data[name] = value.assign_attrs(
                units=units[name], long_name=names.get(name, name.replace("_", " "))
            ).rename(name)
        return xr.Dataset(data, attrs={"broken_draws": self.n_broken})


def _split_args(casualties: Draws, killed: Draws, missing: Draws) -> tuple[Any, Any, Any]:
    return (
        _convert.numbers("casualties", casualties),
        _convert.numbers("killed", killed),
        _convert.numbers("missing", missing),
    )


def split(casualties: Draws, killed: Draws, missing: Draws = 0.0, *, strict: bool = False) -> Split:
    """Split casualty draws into killed share, wounded and wounded per killed.

    Casualties are killed + wounded + missing, so ``wounded = casualties - killed - missing``.

    Parameters
    ----------
    casualties, killed : array_like or DataArray
        Draws (or constants) of the total and of the killed.
    missing : array_like or DataArray, default 0
        Draws of the missing (and captured, where the total counts them).
    strict : bool, default False
        Raise instead of reporting when any draw breaks the accounting.

    Returns
    -------
    Split
        ``killed_share``, ``wounded``, ``wounded_per_killed`` and ``broken`` (per-draw flags),
        each an array, or a DataArray when any argument is one; ``n_broken`` and
        ``broken_share`` count the broken draws. Broken draws are NaN in the first three.
        A draw with no killed has ``wounded_per_killed`` of ``inf`` (``nan`` if it has no
        wounded either).

    Raises
    ------
    InputError
        If an argument is not numbers, or ``strict`` and some draw breaks the accounting (the
        message says how many, and shows the first).

    Examples
    --------
    >>> import numpy as np
    >>> from attritionsim.attrition import split
    >>> parts = split(np.array([400.0, 500.0, 100.0]), np.array([100.0, 100.0, 120.0]))
    >>> parts.wounded_per_killed
    array([ 3.,  4., nan])
    >>> parts.n_broken, parts.broken_share
    (1, 0.333...)
    >>> split(np.array([100.0]), np.array([120.0]), strict=True)
    Traceback (most recent call last):
    ...
    attritionsim.errors.InputError: split: 1 of 1 draws (100%) break the accounting ...
    """
    args = _split_args(casualties, killed, missing)
    if any(isinstance(arg, xr.DataArray) for arg in args):
        outs = xr.apply_ufunc(
            _kernels.split,
            *[_convert.labelled(arg) for arg in args],
            kwargs={"strict": strict},
            output_core_dims=[[], [], [], []],
        )
        return Split(*outs)
    share, wounded_, per_killed, broken = (
        out[()] if out.ndim == 0 else out for out in _kernels.split(*args, strict=strict)
    )
    return Split(share, wounded_, per_killed, broken)


def killed_share(casualties: Draws, killed: Draws, missing: Draws = 0.0) -> Values:
    """Killed as a share of casualties per draw; NaN where the accounting breaks.

    Examples
    --------
    >>> import numpy as np
    >>> from attritionsim.attrition import killed_share
    >>> killed_share(np.array([400.0, 100.0]), np.array([100.0, 150.0]))
    array([0.25,  nan])
    """
    return _convert.apply(_kernels.killed_share, *_split_args(casualties, killed, missing))


def wounded(casualties: Draws, killed: Draws, missing: Draws = 0.0) -> Values:
    """Wounded per draw, ``casualties - killed - missing``; NaN where the accounting breaks.

    With ``missing`` left at 0 and casualties that count the missing (as most published totals
    do), this is the wounded *and missing*: label it so.

    Examples
    --------
    >>> import numpy as np
    >>> from attritionsim.attrition import wounded
    >>> wounded(np.array([400.0, 100.0]), np.array([100.0, 50.0]), np.array([20.0, 60.0]))
    array([280.,  nan])
    """
    return _convert.apply(_kernels.wounded, *_split_args(casualties, killed, missing))


def wounded_per_killed(casualties: Draws, killed: Draws, missing: Draws = 0.0) -> Values:
    """(Casualties - killed - missing) per killed; NaN if the accounting breaks, inf if no killed.

    With ``missing`` left at 0 and casualties that count the missing (as most published totals
    do), this is the wounded *and missing* per killed, not the wounded alone: label it so
    ("wounded and missing per killed").

    Examples
    --------
    >>> import numpy as np
    >>> from attritionsim.attrition import wounded_per_killed
    >>> wounded_per_killed(np.array([400.0, 300.0]), np.array([100.0, 100.0]), 100.0)
    array([2., 1.])
    """
    return _convert.apply(_kernels.wounded_per_killed, *_split_args(casualties, killed, missing))


def broken_split(casualties: Draws, killed: Draws, missing: Draws = 0.0) -> Values:
    """True for the draws that break the accounting; its mean is the share broken.

    Examples
    --------
    >>> import numpy as np
    >>> from attritionsim.attrition import broken_split
    >>> broken_split(np.array([400.0, 100.0, 100.0]), np.array([100.0, 150.0, -1.0]))
    array([False,  True,  True])
    """
    return _convert.apply(_kernels.broken, *_split_args(casualties, killed, missing))


def share_of(total: Draws, share: Draws) -> Values:
    """The part ``total * share`` of a total, per draw; NaN where ``share`` is outside [0, 1].

    With the total and the share drawn as two inputs, the part and the remainder
    (``total - part``) always add up: the recommended way to sample a split.

    Raises
    ------
    InputError
        If an argument is not numbers, or ``share`` is a constant outside [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from attritionsim.attrition import share_of
    >>> share_of(np.array([1.2e6, 1.0e6]), np.array([0.25, 1.5]))
    array([300000.,     nan])
    """
    total_ = _convert.numbers("total", total)
    share_ = _convert.numbers("share", share)
    _convert.scalar_check("share", share_, lambda s: 0.0 <= s <= 1.0, "in [0, 1]")
    return _convert.apply(_kernels.share_of, total_, share_)
