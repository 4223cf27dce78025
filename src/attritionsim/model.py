"""A model of uncertain inputs and derived quantities, and :func:`simulate` into a Dataset.

Inputs are distributions (sampled), numbers or dates (constants). Derived quantities are safe
expression strings (see :mod:`attritionsim.expr`) or callables on the draws computed so far.
:func:`simulate` draws every input through its inverse CDF from name-keyed counter-based streams
(see :mod:`attritionsim._rng`), imposes rank correlations by a Gaussian copula and evaluates the
derived quantities, block by block, into an :class:`xarray.Dataset` with a ``draw`` dimension.
It holds the whole run in memory; the blocks, the drawing and the Dataset are the engine's
(:mod:`attritionsim._engine`), which the other backends share.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import hashlib
import json
import keyword
import os
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final, TypeAlias

import numpy as np
import xarray as xr

from . import _dates, _engine, _validate
from ._format import fmt_sig, fmt_value
from .design import Copula, Method
from .distributions import Distribution
from .domain import Domain, domain_of_units, parse_attr
from .errors import InputError
from .expr import Expression, dependencies, parse

__all__ = [
    "FALLBACK_MEMORY",
    "MAX_NAME_BYTES",
    "MEMORY_SHARE",
    "RESERVED_NAMES",
    "Constant",
    "DerivedSpec",
    "InputSpec",
    "Model",
    "largest_draws",
    "memory_ceiling",
    "simulate",
]

#: A constant input: a number or a date (``"2025-06-01"``, :class:`datetime.date`,
#: :class:`numpy.datetime64`).
Constant: TypeAlias = float | int | str | dt.date | np.datetime64
InputSpec: TypeAlias = Distribution | Constant
#: A derived quantity: an expression string, or a callable taking the draws computed so far.
DerivedSpec: TypeAlias = str | Callable[[Mapping[str, Any]], Any]
Progress: TypeAlias = Callable[[int, int], None]

#: Names no quantity may take, with the role they already have: the dimensions and coordinates
#: the engine gives its results (a quantity called ``draw`` would replace the draw coordinate).
RESERVED_NAMES: Final = MappingProxyType(
    {
        "draw": "the dimension of the draws in every result",
        "date": "the dimension of trajectories over dates",
    }
)

#: The longest quantity name, in UTF-8 bytes: netCDF's limit on a variable's name.
MAX_NAME_BYTES: Final = 255
#: The share of the machine's physical memory that in-memory :func:`simulate` may fill.
MEMORY_SHARE: Final = 0.5
#: The physical memory assumed where the operating system does not report it: 8 GiB.
FALLBACK_MEMORY: Final = 8 * 2**30


@dataclasses.dataclass(frozen=True, eq=False)
class Model:
    """Uncertain inputs, the quantities derived from them, and how the inputs are correlated.

    Parameters
    ----------
    inputs : mapping of str to Distribution, number or date
        Sampled inputs (distributions) and constants (numbers, ISO date strings, dates).
    derived : mapping of str to str or callable, optional
        Expressions such as ``"ru / ua"`` (parsed, never ``eval``-ed), or callables taking a
        read-only mapping of the quantities computed before them. Expressions may use each
        other in any order; a callable sees the inputs and the derived quantities listed before it.
    correlations : mapping of (str, str) to float, optional
        Spearman rank correlations between sampled inputs, imposed by a Gaussian copula.
    units, long_names : mapping of str to str, optional
        Labels recorded on the result's variables (``units`` defaults to ``""``).
    sources : mapping of str to sequence of str, optional
        Catalogue ids each quantity rests on, recorded as provenance.
    title : str, optional
        A title recorded on the result.
    domains : mapping of str to Domain or [low, high], optional
        The valid values of a quantity, where its units do not say them or say them wrongly
        (see :mod:`attritionsim.domain`; ``None`` for an infinite end): recorded as the
        variable attribute ``domain``, which :func:`attritionsim.summarize` reads. Without
        one, a quantity's domain is its units' (:meth:`domain`).

    Raises
    ------
    InputError
        A name that is not an identifier, is used twice (also when two names differ only by
        Unicode normalisation), is not in the NFKC normal form in which expressions read
        names (``"ﬁrst"`` is read as ``"first"``), is reserved (see :data:`RESERVED_NAMES`) or
        is longer than :data:`MAX_NAME_BYTES` in UTF-8; an input that is neither a
        distribution nor a number nor a date, an expression that does not parse or reads an
        unknown name, derived quantities that depend on each other in a cycle, a correlation of
        a constant or unknown input, or correlations that cannot hold together.

    Examples
    --------
    >>> import attritionsim as asim
    >>> m = asim.Model(
    ...     inputs={"ru": asim.from_range(1.1e6, 1.3e6), "ua": asim.from_range(5e5, 6e5)},
    ...     derived={"ratio": "ru / ua"},
    ...     correlations={("ru", "ua"): 0.3},
    ...     units={"ru": "people", "ua": "people", "ratio": "ratio"},
    ... )
    >>> m.random_inputs, m.derived_order
    (('ru', 'ua'), ('ratio',))
    """

    inputs: Mapping[str, InputSpec]
    derived: Mapping[str, DerivedSpec] = dataclasses.field(default_factory=dict)
    correlations: Mapping[tuple[str, str], float] = dataclasses.field(default_factory=dict)
    units: Mapping[str, str] = dataclasses.field(default_factory=dict)
    long_names: Mapping[str, str] = dataclasses.field(default_factory=dict)
    sources: Mapping[str, Sequence[str]] = dataclasses.field(default_factory=dict)
    title: str = ""
    domains: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    random_inputs: tuple[str, ...] = dataclasses.field(init=False)
    constants: Mapping[str, float | np.datetime64] = dataclasses.field(init=False)
    expressions: Mapping[str, Expression] = dataclasses.field(init=False)
    derived_order: tuple[str, ...] = dataclasses.field(init=False)
    copula: Copula = dataclasses.field(init=False, repr=False)

    def __post_init__(self) -> None:
        inputs = _mapping("inputs", self.inputs)
        derived = _mapping("derived", self.derived)
        for name in [*inputs, *derived]:
            _check_name(name)
        both = sorted(set(inputs) & set(derived))
        if both:
            raise InputError(f"{both[0]!r} is both an input and a derived quantity; rename one")
        _check_spellings([*inputs, *derived])
        random_inputs, constants = [], {}
        for name, value in inputs.items():
            if isinstance(value, Distribution):
                random_inputs.append(name)
            else:
                constants[name] = _constant(name, value)
        expressions = {}
        for name, spec in derived.items():
            if isinstance(spec, str):
                expressions[name] = parse(spec, where=f"derived quantity {name!r}")
            elif not callable(spec):
                raise InputError(
                    f"derived quantity {name!r} must be an expression string or a callable; "
                    f"got {type(spec).__name__}"
                )
        known = [*inputs, *derived]
        for name, expr in expressions.items():
            for ref in sorted(expr.names):
                if ref not in known:
                    close = difflib.get_close_matches(ref, known, n=1)
                    hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(known)}"
                    raise InputError(
                        f"derived quantity {name!r} reads an unknown name {ref!r} ({hint})"
                    )
        order = _evaluation_order(derived, expressions)
        copula = Copula(_mapping("correlations", self.correlations))
        for name in copula.names:
            if name not in inputs:
                _validate.choice("correlations: an input", name, random_inputs)
            if name not in random_inputs:
                raise InputError(
                    f"correlations: {name!r} is a constant; only sampled inputs can be correlated"
                )
        for field in ("units", "long_names", "sources", "domains"):
            for name in _mapping(field, getattr(self, field)):
                if name not in known:
                    _validate.choice(f"{field}: a quantity", name, known)
        domains = {
            name: value if isinstance(value, Domain) else parse_attr(value, f"domains: {name!r}")
            for name, value in self.domains.items()
        }
        frozen = {
            "inputs": MappingProxyType(dict(inputs)),
            "derived": MappingProxyType(dict(derived)),
            "correlations": MappingProxyType(dict(self.correlations)),
            "units": MappingProxyType(dict(self.units)),
            "long_names": MappingProxyType(dict(self.long_names)),
            "sources": MappingProxyType({k: tuple(v) for k, v in self.sources.items()}),
            "domains": MappingProxyType(domains),
            "random_inputs": tuple(random_inputs),
            "constants": MappingProxyType(constants),
            "expressions": MappingProxyType(expressions),
            "derived_order": order,
            "copula": copula,
        }
        for key, value in frozen.items():
            object.__setattr__(self, key, value)

    @property
    def names(self) -> tuple[str, ...]:
        """Every quantity: the inputs, then the derived quantities in their given order."""
        return (*self.inputs, *self.derived)

    def to_spec(self) -> dict[str, Any]:
        """A JSON-ready description of the model (callables appear by their qualified name).

        Examples
        --------
        >>> import attritionsim as asim
        >>> asim.Model({"x": asim.from_range(1, 2)}, {"y": "2 * x"}).to_spec()["derived"]
        {'y': '2 * x'}
        """
        spec = {
            "title": self.title,
            "inputs": {name: _input_spec(value) for name, value in self.inputs.items()},
            "derived": {name: _derived_text(spec) for name, spec in self.derived.items()},
            "correlations": [[a, b, float(rho)] for (a, b), rho in self.correlations.items()],
            "units": dict(self.units),
            "sources": {name: list(ids) for name, ids in self.sources.items()},
        }
        if self.domains:  # only then: the digests of models without one are unchanged
            spec["domains"] = {name: d.to_attr() for name, d in self.domains.items()}
        return spec

    def domain(self, name: str) -> Domain | None:
        """The valid values of quantity ``name``: its declared domain, else its units'.

        >>> import attritionsim as asim
        >>> m = asim.Model({"x": asim.from_range(1, 2)}, units={"x": "share"})
        >>> m.domain("x")
        Domain([0%, 100%])
        """
        units = self.units.get(name, "")
        if name in self.domains:
            declared: Domain = self.domains[name]
            return dataclasses.replace(declared, share=units == "share")
        return domain_of_units(units)

    def digest(self) -> str:
        """A SHA-256 of :meth:`to_spec`: equal models (as data) have equal digests.

        >>> import attritionsim as asim
        >>> m = asim.Model({"x": asim.from_range(1, 2)})
        >>> m.digest() == asim.Model({"x": asim.from_range(1, 2)}).digest()
        True
        """
        text = json.dumps(self.to_spec(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def simulate(
    model: Model,
    draws: int,
    seed: int,
    *,
    method: Method = "mc",
    chunk_size: int | None = None,
    keep: Iterable[str] | None = None,
    progress: Progress | None = None,
) -> xr.Dataset:
    """Draw the model's inputs and compute its derived quantities into a Dataset.

    Parameters
    ----------
    model : Model
        What to simulate.
    draws : int
        Number of Monte Carlo draws (positive).
    seed : int
        Non-negative seed. The same ``(seed, draws, method)`` gives bit-identical results
        whatever ``chunk_size``; an input's draws depend only on the seed, its name and the draw
        index (not on the other inputs, unless correlated with them or ``method="sobol"``).
    method : {"mc", "lhs", "sobol"}
        Plain Monte Carlo, Latin hypercube or scrambled Sobol (see :mod:`attritionsim.design`).
    chunk_size : int, optional
        Draws computed at a time; bounds the working memory at about
        ``chunk_size * (inputs + derived) * 8`` bytes plus the kept output. ``None``: all at once.
    keep : iterable of str, optional
        The quantities to keep in the result (default: all). Others are computed as needed and
        dropped chunk by chunk.
    progress : callable, optional
        Called as ``progress(done, draws)`` after each chunk.

    Returns
    -------
    xarray.Dataset
        One variable per kept quantity on dimension ``draw`` (constants are 0-d); dates are
        ``datetime64``, conditions ``bool``, date differences float days. Variable attrs:
        ``units``, ``long_name``, ``kind`` and provenance (``distribution`` spec as JSON,
        ``expression``, ``value``, ``sources``). Dataset attrs: ``seed``, ``draws``, ``method``,
        ``attritionsim_version``, ``model_digest``, ``rng_layout``, ``title``.

    Raises
    ------
    InputError
        Bad ``draws``, ``seed``, ``method``, ``chunk_size``, ``keep`` or ``progress``; a run
        too large for memory (see Notes); a derived quantity that does not give one value per
        draw.

    Warns
    -----
    AttritionWarning
        ``method="sobol"`` with a number of draws that is not a power of two.

    Notes
    -----
    The results are held in memory, so before drawing anything ``simulate`` estimates the
    bytes it needs: 8 per draw of each kept quantity that is not a constant, plus 8 per draw of
    the working chunk for each quantity computed (with ``chunk_size=None`` the chunk is the
    whole run). A run needing more than :func:`memory_ceiling` (:data:`MEMORY_SHARE`, half, of
    the machine's physical memory; of :data:`FALLBACK_MEMORY` where the system does not report
    it) is refused: use :func:`attritionsim.summarize_chunked`, which never holds all the
    draws, or :func:`attritionsim.simulate_dask`, or keep fewer quantities.

    Examples
    --------
    >>> import attritionsim as asim
    >>> m = asim.Model({"ru": asim.from_range(1.1e6, 1.3e6), "ua": asim.from_range(5e5, 6e5)},
    ...                {"ratio": "ru / ua"})
    >>> ds = asim.simulate(m, draws=10_000, seed=1)
    >>> ds.sizes["draw"], ds.attrs["method"]
    (10000, 'mc')
    >>> 2.0 < float(ds["ratio"].median()) < 2.2
    True
    """
    draws, seed, method, chunk = _engine.run_settings(model, draws, seed, method, chunk_size)
    kept = _engine.kept_names(model, keep)
    _validate.callback("progress", progress)
    _check_memory(model, kept, draws, chunk)
    out: dict[str, np.ndarray] = {}
    scalars: dict[str, Any] = {}
    for start, stop, values in _engine.iter_blocks(
        model, draws, seed, method, 0, draws, chunk, kept
    ):
        for name in kept:
            value = values[name]
            if np.ndim(value) == 0:
                scalars[name] = value
                continue
            if chunk == draws:
                out[name] = value
                continue
            if name not in out:
                out[name] = np.empty(draws, dtype=value.dtype)
            out[name][start:stop] = value
        if progress is not None:
            progress(stop, draws)
    return _engine.build_dataset(model, kept, out, scalars, seed=seed, draws=draws, method=method)


def memory_ceiling() -> int:
    """The most bytes in-memory :func:`simulate` may use: half the machine's physical memory.

    :data:`MEMORY_SHARE` of the physical memory reported by the operating system, or of
    :data:`FALLBACK_MEMORY` where it reports none.

    >>> memory_ceiling() > 0
    True
    """
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not a POSIX system, or not reported
        total = 0
    return int((total if total > 0 else FALLBACK_MEMORY) * MEMORY_SHARE)


def largest_draws(
    model: Model, *, chunk_size: int | None = None, keep: Iterable[str] | None = None
) -> int:
    """The most draws in-memory :func:`simulate` accepts for ``model`` on this machine.

    The bytes a run needs (see :func:`simulate`'s Notes) grow with its draws; this is the
    largest number of draws whose need stays within :func:`memory_ceiling` (at most
    :data:`attritionsim._validate.MAX_DRAWS`).

    >>> import attritionsim as asim
    >>> largest_draws(asim.Model({"x": asim.from_range(1, 2)})) > 1_000_000
    True
    """
    kept = _engine.kept_names(model, keep)
    chunk = None if chunk_size is None else _validate.draws(chunk_size, name="chunk_size")
    ceiling = memory_ceiling()
    low, high = 0, _validate.MAX_DRAWS
    while low < high:  # the need grows with the draws: bisect for the last that fits
        mid = (low + high + 1) // 2
        if _memory_need(model, kept, mid, mid if chunk is None else chunk) <= ceiling:
            low = mid
        else:
            high = mid - 1
    return low


def _memory_need(model: Model, kept: Sequence[str], draws: int, chunk: int) -> int:
    """Bytes a run of ``draws`` in blocks of ``chunk`` needs: kept results and the working block."""
    varying = [name for name in kept if name not in model.constants]
    working = [name for name in _engine.needed_names(model, kept) if name not in model.constants]
    if chunk >= draws:
        return 8 * draws * len(working)
    return 8 * (draws * len(varying) + chunk * len(working))


def _check_memory(model: Model, kept: Sequence[str], draws: int, chunk: int) -> None:
    """Refuse, before drawing anything, a run whose results would not fit in memory."""
    varying = [name for name in kept if name not in model.constants]
    need = _memory_need(model, kept, draws, chunk)
    ceiling = memory_ceiling()
    if need > ceiling:
        raise InputError(
            f"draws={fmt_value(draws)} would need {_bytes(need)} of memory for "
            f"{len(varying)} kept quantit{'y' if len(varying) == 1 else 'ies'}, above "
            f"simulate()'s ceiling of {_bytes(ceiling)} (half this machine's memory); use "
            "summarize_chunked() or simulate_dask(), or keep fewer quantities"
        )


def _bytes(n: int) -> str:
    """A byte count for people: ``"1.5 GB"``."""
    for unit, size in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n >= size:
            return f"{fmt_sig(n / size)} {unit}"
    return f"{n} bytes"


# ------------------------------------------------------------------------------ validation
def _mapping(field: str, value: object) -> Mapping[Any, Any]:
    if not isinstance(value, Mapping):
        raise InputError(f"{field} must be a mapping; got {type(value).__name__}")
    return value


def _check_name(name: object) -> None:
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise InputError(
            f"quantity name {name!r} is not valid: use letters, digits and underscores, "
            "not starting with a digit (e.g. 'ru_killed')"
        )
    size = len(name.encode("utf-8"))
    if size > MAX_NAME_BYTES:
        raise InputError(
            f"quantity name {name[:20]!r}… is {size:,} bytes long in UTF-8; at most "
            f"{MAX_NAME_BYTES} are allowed (the results file's limit on a name)"
        )


def _check_spellings(names: Sequence[str]) -> None:
    """Refuse reserved names, and names that expressions or netCDF would read as another."""
    seen: dict[str, str] = {}
    for name in names:
        normal = unicodedata.normalize("NFKC", name)
        if normal in seen:
            raise InputError(
                f"quantity names {seen[normal]!r} and {name!r} differ only by Unicode "
                f"normalisation (both read as {normal!r}); rename one"
            )
        seen[normal] = name
        if name != normal:
            raise InputError(
                f"quantity name {name!r} is not in Unicode normal form: expressions read it "
                f"as {normal!r}; name it {normal!r}"
            )
        if name in RESERVED_NAMES:
            raise InputError(
                f"quantity name {name!r} is reserved ({RESERVED_NAMES[name]}); "
                f"rename it (e.g. {name + '_value'!r})"
            )


def _constant(name: str, value: object) -> float | np.datetime64:
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            raise InputError(f"input {name!r} is NaT; give a date")
        return _dates.day(value)
    if isinstance(value, dt.date):
        return _dates.day(value)
    if isinstance(value, str):
        date = _dates.parse_date(value)
        if date is None:
            raise InputError(
                f"input {name!r}: {value!r} is neither a number nor an ISO date (YYYY-MM-DD)"
            )
        return _dates.day(date)
    return _validate.finite_real(f"input {name!r}", value)


def _evaluation_order(
    derived: Mapping[str, DerivedSpec], expressions: Mapping[str, Expression]
) -> tuple[str, ...]:
    """Expressions after what they read; callables after the quantities listed before them."""
    graph: dict[str, frozenset[str]] = {}
    before: list[str] = []
    for name, spec in derived.items():
        reads = expressions[name].names if isinstance(spec, str) else set(before)
        graph[name] = frozenset(ref for ref in reads if ref in derived)
        before.append(name)
    return tuple(dependencies(graph))


# ------------------------------------------------------------------------------ provenance
def _input_spec(value: InputSpec) -> Any:
    if isinstance(value, Distribution):
        return value.to_spec()
    if isinstance(value, np.datetime64 | dt.date):
        return str(_dates.day(value))
    return value


def _derived_text(spec: DerivedSpec) -> str:
    if isinstance(spec, str):
        return spec
    module = getattr(spec, "__module__", "")
    return f"callable {module}.{getattr(spec, '__qualname__', type(spec).__name__)}"
