"""The engine every backend runs on: checked run settings, blocks of draws, the Dataset.

A run of a :class:`~attritionsim.model.Model` is computed block by block. :func:`iter_blocks`
yields any range of draw indices in blocks of any size; for each block :func:`draw_inputs` turns
the design's uniforms (see :mod:`attritionsim.design`), correlated by the model's copula, into
the inputs' draws through each distribution's inverse CDF, and :func:`derive` computes the
derived quantities from them. Because each input's stream is addressed by draw index (see
:mod:`attritionsim._rng`), the draws at an index are bit for bit the same whatever the block
they are computed in: :func:`attritionsim.simulate` (in memory),
:func:`attritionsim.simulate_dask` and :func:`attritionsim.summarize_chunked` give the same
values. :func:`build_dataset` assembles the result with its provenance.

The functions trust their arguments, except :func:`check_model`, :func:`run_settings` and
:func:`kept_names`, which check what a user passes to a backend.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import xarray as xr

from . import _dates, _rng, _validate
from ._version import __version__
from .design import METHODS, Method, uniforms
from .distributions import Distribution
from .errors import AttritionWarning, InputError

if TYPE_CHECKING:  # model.py imports this module; the engine only reads a Model's attributes
    from .model import Model

__all__ = [
    "build_dataset",
    "check_model",
    "derive",
    "draw_inputs",
    "iter_blocks",
    "kept_names",
    "needed_names",
    "run_settings",
]


# ------------------------------------------------------------------------------ run arguments
def check_model(model: object) -> Model:
    """``model``, checked to be a :class:`~attritionsim.model.Model`.

    Raises
    ------
    InputError
        Anything else, naming its type.

    Examples
    --------
    >>> check_model("ru / ua")
    Traceback (most recent call last):
        ...
    attritionsim.errors.InputError: model must be an attritionsim.Model; got str
    """
    from .model import Model  # not at the top: model.py imports this module

    if not isinstance(model, Model):
        raise InputError(f"model must be an attritionsim.Model; got {type(model).__name__}")
    return model


def run_settings(
    model: object, draws: object, seed: object, method: object, chunk_size: object
) -> tuple[int, int, Method, int]:
    """Check a run's arguments: ``(draws, seed, method, chunk)``, ``chunk`` at most ``draws``.

    Parameters
    ----------
    model : Model
        The model to run (only its type is checked).
    draws, seed, method, chunk_size : object
        As given to a backend; ``chunk_size=None`` means all the draws at once.

    Returns
    -------
    tuple
        ``(draws, seed, method, chunk)``, checked.

    Raises
    ------
    InputError
        A ``model`` that is not a :class:`~attritionsim.model.Model`, or a bad ``draws``,
        ``seed``, ``method`` or ``chunk_size``.

    Warns
    -----
    AttritionWarning
        ``method="sobol"`` with draws that are not a power of two, reported at the line that
        called the backend (the caller's caller).
    """
    check_model(model)
    n = _validate.draws(draws)
    checked = cast(Method, _validate.choice("method", method, METHODS))
    chunk = n if chunk_size is None else _validate.positive_int("chunk_size", chunk_size)
    if checked == "sobol" and n & (n - 1):
        warnings.warn(
            f"Sobol points are balanced only for a power of two draws; got {n:,} "
            f"(try {1 << (n - 1).bit_length():,})",
            AttritionWarning,
            stacklevel=3,
        )
    return n, _rng.check_seed(seed), checked, min(chunk, n)


def kept_names(model: Model, keep: Iterable[str] | None) -> tuple[str, ...]:
    """The quantities a run keeps, in the model's order: all of them, or those in ``keep``.

    Raises
    ------
    InputError
        A name in ``keep`` that is not a quantity of the model, or an empty ``keep``.

    Examples
    --------
    >>> import attritionsim as asim
    >>> m = asim.Model({"x": asim.from_range(1, 2)}, {"y": "2 * x", "z": "y + 1"})
    >>> kept_names(m, ["z", "x"]), kept_names(m, "y"), kept_names(m, None)
    (('x', 'z'), ('y',), ('x', 'y', 'z'))
    """
    if keep is None:
        return model.names
    if isinstance(keep, str):
        keep = [keep]
    chosen = [_validate.choice("keep", name, model.names) for name in keep]
    if not chosen:
        raise InputError("keep must name at least one quantity")
    return tuple(name for name in model.names if name in chosen)


def needed_names(model: Model, kept: Sequence[str]) -> frozenset[str]:
    """The quantities that must be computed to produce ``kept``.

    An expression needs the names it reads; a callable may read every input and every derived
    quantity listed before it, so it needs them all.

    Examples
    --------
    >>> import attritionsim as asim
    >>> m = asim.Model({"x": asim.from_range(1, 2), "w": asim.from_range(3, 4)},
    ...                {"y": "2 * x", "z": "y + 1"})
    >>> sorted(needed_names(m, ["z"]))
    ['x', 'y', 'z']
    """
    needed: set[str] = set()
    stack = list(kept)
    order = list(model.derived)
    while stack:
        name = stack.pop()
        if name in needed:
            continue
        needed.add(name)
        if name in model.expressions:
            stack.extend(model.expressions[name].names)
        elif name in model.derived:  # a callable may read anything listed before it
            stack.extend(model.inputs)
            stack.extend(order[: order.index(name)])
    return frozenset(needed)


# ------------------------------------------------------------------------------ blocks of draws
def iter_blocks(
    model: Model,
    draws: int,
    seed: int,
    method: Method,
    start: int,
    stop: int,
    chunk: int,
    kept: Sequence[str],
) -> Iterator[tuple[int, int, dict[str, Any]]]:
    """Yield ``(begin, end, values)`` for draws ``start`` to ``stop - 1`` of a run of ``draws``.

    ``values`` maps each name in ``kept`` to its ``end - begin`` draws (or a scalar), bit for
    bit the draws :func:`attritionsim.simulate` gives at those indices whatever the block
    boundaries. Blocks hold ``chunk`` draws, the last one fewer. Arguments are trusted
    (checked by :func:`run_settings` and :func:`kept_names`).

    Examples
    --------
    >>> import attritionsim as asim
    >>> m = asim.Model({"x": asim.from_range(1, 2)}, {"y": "2 * x"})
    >>> [(begin, end, sorted(values)) for begin, end, values in
    ...  iter_blocks(m, 10, 1, "mc", 4, 10, 4, ["y"])]
    [(4, 8, ['y']), (8, 10, ['y'])]
    """
    needed = needed_names(model, kept)
    random_inputs = [name for name in model.random_inputs if name in needed]
    copula_names = set(model.copula.names)
    if copula_names & set(random_inputs):  # a correlated group is drawn whole
        random_inputs = [n for n in model.random_inputs if n in needed or n in copula_names]
    for begin in range(start, stop, chunk):
        end = min(begin + chunk, stop)
        values: dict[str, Any] = draw_inputs(model, method, seed, random_inputs, begin, end, draws)
        values.update(model.constants)
        derive(model, values, needed, end - begin)
        yield begin, end, {name: values[name] for name in kept}


def draw_inputs(
    model: Model,
    method: Method,
    seed: int,
    names: Sequence[str],
    start: int,
    stop: int,
    draws: int,
) -> dict[str, np.ndarray]:
    """Draws ``start`` to ``stop - 1`` of the sampled inputs ``names``, correlated by the copula.

    Each input's uniforms from the design go through its distribution's inverse CDF
    (:meth:`~attritionsim.distributions.Distribution.ppf_unchecked`). The copula's inputs
    must be all in ``names`` or none.

    Examples
    --------
    >>> import attritionsim as asim
    >>> m = asim.Model({"x": asim.from_range(1, 2)})
    >>> x = draw_inputs(m, "mc", 1, ["x"], 0, 5, 5)["x"]
    >>> bool((x == asim.simulate(m, 5, seed=1)["x"].values).all())
    True
    """
    u = uniforms(method, seed, names, start, stop, draws)
    if model.copula.names and model.copula.names[0] in u:  # the group is drawn whole, or not at all
        u.update(model.copula.apply(u))
    values = {}
    for name in names:
        dist = model.inputs[name]
        assert isinstance(dist, Distribution)
        values[name] = dist.ppf_unchecked(u.pop(name))
    return values


def derive(
    model: Model, values: dict[str, Any], needed: frozenset[str], size: int
) -> dict[str, Any]:
    """Add the needed derived quantities to ``values`` (the inputs' draws and constants).

    ``values`` is updated in place and returned. ``size`` is the number of draws in the block.

    Raises
    ------
    InputError
        A derived quantity that gives neither a scalar nor one value per draw, or values that
        are not numbers, dates or booleans; a callable that reads an unknown name.

    Examples
    --------
    >>> import numpy as np
    >>> import attritionsim as asim
    >>> m = asim.Model({"x": asim.from_range(1, 2)}, {"y": "2 * x"})
    >>> derive(m, {"x": np.array([1.0, 1.5])}, frozenset({"x", "y"}), 2)["y"]
    array([2., 3.])
    """
    view = MappingProxyType(values)
    for name in model.derived_order:
        if name not in needed:
            continue
        spec = model.derived[name]
        where = f"derived quantity {name!r}"
        if isinstance(spec, str):
            result = model.expressions[name].evaluate(values)
        else:
            try:
                with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                    result = spec(view)
            except KeyError as err:
                raise InputError(f"{where}: the function read an unknown name {err}") from None
        values[name] = _as_draws(where, result, size)
    return values


def _as_draws(where: str, value: Any, size: int) -> Any:
    """Check and normalise a derived value: a scalar, or one value per draw."""
    if isinstance(value, xr.DataArray):
        value = value.values
    arr = np.asarray(value)
    if arr.dtype.kind == "m":  # a date difference: float days
        arr = _dates.days(arr)
    elif arr.dtype.kind in "iu":
        arr = arr.astype(np.float64)
    elif arr.dtype.kind not in "fbM":
        raise InputError(
            f"{where} gave values of type {arr.dtype}; expected numbers, dates or bools"
        )
    if arr.ndim == 0:
        return arr[()]
    if arr.shape != (size,):
        raise InputError(f"{where} gave an array of shape {arr.shape}; expected one value per draw")
    return arr


# ------------------------------------------------------------------------------ the Dataset
def build_dataset(
    model: Model,
    kept: Sequence[str],
    arrays: Mapping[str, Any],
    scalars: Mapping[str, Any],
    *,
    seed: int,
    draws: int,
    method: str,
) -> xr.Dataset:
    """The result: one variable per kept quantity (draws, or 0-d constants), with provenance.

    Parameters
    ----------
    model : Model
        The model run.
    kept : sequence of str
        The variables, in order.
    arrays : mapping of str to array
        The draws (numpy or Dask arrays) of the quantities that vary, on dimension ``draw``.
    scalars : mapping of str to scalar
        The value of each kept quantity that does not vary (not in ``arrays``).
    seed, draws, method
        The run's settings, recorded in the attrs.

    Returns
    -------
    xarray.Dataset
        Variable attrs ``units`` (not for dates), ``long_name``, ``kind`` and provenance;
        Dataset attrs ``title``, ``seed``, ``draws``, ``method``, ``attritionsim_version``,
        ``model_digest`` and ``rng_layout``.
    """
    spec = model.to_spec()
    data_vars = {}
    for name in kept:
        dims, data = (("draw",), arrays[name]) if name in arrays else ((), scalars[name])
        attrs = _attrs(model, spec, name)
        kind = data.dtype.kind if hasattr(data, "dtype") else np.asarray(data).dtype.kind
        if kind == "M":  # netCDF keeps a date's calendar in "units"
            attrs.pop("units")
        data_vars[name] = xr.Variable(dims, data, attrs=attrs)
    attrs = {
        "title": model.title,
        "seed": seed,
        "draws": draws,
        "method": method,
        "attritionsim_version": __version__,
        "model_digest": model.digest(),
        "rng_layout": _rng.LAYOUT,
    }
    return xr.Dataset(data_vars, attrs=attrs)


def _attrs(model: Model, spec: Mapping[str, Any], name: str) -> dict[str, Any]:
    """A variable's labels and provenance; ``spec`` is ``model.to_spec()``."""
    attrs: dict[str, Any] = {
        "units": model.units.get(name, ""),
        "long_name": model.long_names.get(name, name.replace("_", " ")),
    }
    if name in model.inputs:
        value = model.inputs[name]
        if isinstance(value, Distribution):
            attrs["kind"] = "input"
            attrs["distribution"] = json.dumps(spec["inputs"][name], sort_keys=True)
            attrs["description"] = repr(value)
        else:
            attrs["kind"] = "constant"
            attrs["value"] = str(spec["inputs"][name])
    else:
        attrs["kind"] = "derived"
        attrs["expression"] = spec["derived"][name]
    if name in model.sources:
        attrs["sources"] = ", ".join(model.sources[name])
    if name in model.domains:
        attrs["domain"] = model.domains[name].to_attr()
    return attrs
