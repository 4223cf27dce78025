"""The safe expression language for derived quantities, and its function registry.

A model's derived quantities are written as short formulas over its inputs, such as
``"ru / ua"`` or ``"days(crossing - '2025-01-01')"``. :func:`parse` reads one with :mod:`ast`,
accepts only the constructs listed below and compiles it once into a tree of small numpy
closures; :meth:`Expression.evaluate` then runs that tree on whole arrays of draws, with no
Python loop over draws. Nothing is run through ``eval`` or ``exec`` or compiled to bytecode.

The language
------------
=====================================  =====================================================
written                                evaluated as
=====================================  =====================================================
``1_000_000``, ``2.5``, ``1e-3``       a float64 constant (integers too; literals that
                                       overflow to infinity are refused)
``True``, ``False``                    booleans
``'2025-06-01'``                       ``numpy.datetime64('2025-06-01', 'D')``; no other
                                       string is allowed
``ru``, ``ua_killed``                  the value given for that name at evaluation
``+ - * / // % **``, ``-x``, ``+x``    ``np.add``, ``np.subtract``, ... (booleans count as
                                       0 and 1, as in Python)
``< <= > >= == !=``, ``1 < x < 2``     elementwise comparisons; a chain is the elementwise
                                       *and* of its links
``and``, ``or``, ``not``, ``&``,       ``np.logical_and``, ``np.logical_or``,
``|``, ``~``                           ``np.logical_not``; operands must be booleans
``a if cond else b``                   ``np.where(cond, a, b)``; ``cond`` must be boolean
``f(x, y)``, ``round(x, decimals=1)``  a call of a registered function, by its bare name;
                                       keyword arguments are allowed and are checked against
                                       the function's signature when parsing
=====================================  =====================================================

Everything else is refused with an :class:`~attritionsim.errors.InputError` when parsing:
attribute access, subscripts, lambdas, comprehensions, containers, f-strings, ``:=``,
``*args`` and ``**kwargs``, ``is`` and ``in``, ``^ @ << >>``, names starting with ``__``,
and ``#`` (there are no comments). An operation that numpy cannot do on the values given (a
date plus a number, a date compared with a number) is refused when evaluating, in those words.
There are no named constants: ``inf``, ``nan``, ``pi`` and ``e`` are ordinary names, read from
the values given at evaluation like any input.

Numbers follow numpy: integer inputs are taken as float64, division by zero gives ``inf`` or
``nan`` without a warning (the summary layer reports them), and dates behave as
``numpy.datetime64`` does: a date minus a date is a ``timedelta64``, which the function
``days`` turns into float days, and a date plus a ``timedelta64`` is a date.

Built-in functions
------------------
``abs sqrt exp log log10 log1p expm1 floor ceil`` (one argument each), ``minimum(a, b)``,
``maximum(a, b)``, ``min(a, b, ...)`` and ``max(a, b, ...)`` (elementwise over two or more
arguments, NaN-propagating: they are *not* reductions over draws), ``clip(x, lo, hi)``,
``where(cond, a, b)``, ``round(x, decimals=0)`` and ``days(timedelta)``. Other modules add their
own with :func:`register_function`; the registry is read each time an expression is parsed.

Examples
--------
>>> import numpy as np
>>> from attritionsim.expr import parse
>>> ratio = parse("ru / ua", where="derived quantity 'ratio'")
>>> sorted(ratio.names)
['ru', 'ua']
>>> ratio.evaluate({"ru": np.array([1.2e6, 1.0e6]), "ua": np.array([5e5, 4e5])})
array([2.4, 2.5])
>>> parse("1 < x <= 2").evaluate({"x": np.array([0.5, 1.5, 2.0, 3.0])})
array([False,  True,  True, False])
>>> parse("days('2025-06-01' - start)").evaluate({"start": np.datetime64("2025-01-01")})
151.0
"""

from __future__ import annotations

import ast
import difflib
import functools
import graphlib
import heapq
import inspect
import io
import keyword
import re
import tokenize
import types
import unicodedata
from collections.abc import Callable, Collection, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias, TypeVar

import numpy as np
import numpy.typing as npt

from . import _dates
from ._typing import ArrayLike
from .errors import InputError

__all__ = [
    "FUNCTIONS",
    "Expression",
    "Reads",
    "Result",
    "dependencies",
    "parse",
    "register_function",
    "unregister_function",
]

#: What an expression evaluates to: an array, or a scalar float, bool, date or time difference.
Result: TypeAlias = npt.NDArray[Any] | float | bool | np.datetime64 | np.timedelta64

#: The longest source accepted, in characters.
MAX_LENGTH = 2_000
#: The deepest nesting of operations accepted (``a + b + c`` is nested two deep).
MAX_DEPTH = 100

_F = TypeVar("_F", bound=Callable[..., Any])
# A compiled node: takes the prepared values by name, returns the node's value.
_Node: TypeAlias = Callable[[dict[str, Any]], Any]

_ALLOWED = (
    "allowed are numbers, names, 'YYYY-MM-DD' dates, + - * / // % **, comparisons, "
    "and/or/not (& | ~), 'a if cond else b' and calls of registered functions"
)
_TOO_LARGE = "it overflows to inf; numbers must be finite"
_DATES_ONLY = "the only strings allowed are dates written 'YYYY-MM-DD'"
_PLAIN_ARGUMENTS = "pass arguments one by one, positionally or as name=value"
# What numpy and registered functions raise on values they cannot work with.
_EVAL_ERRORS = (TypeError, ValueError, ArithmeticError)


# --------------------------------------------------------------------------------------------
# The function registry
# --------------------------------------------------------------------------------------------

_REGISTRY: dict[str, Callable[..., Any]] = {}

#: Read-only view of the registered functions, by the name expressions call them with.
FUNCTIONS: Mapping[str, Callable[..., Any]] = types.MappingProxyType(_REGISTRY)


def register_function(name: str | None = None, *, overwrite: bool = False) -> Callable[[_F], _F]:
    """Register a vectorized function so that expressions can call it by ``name``.

    The function receives numpy arrays or scalars (whatever its arguments evaluate to) and
    should return an array or scalar, working elementwise over draws. Register plain Python
    functions with explicit parameters: their signature is used to check calls when an
    expression is parsed. Numpy ufuncs are refused (their ``out=`` argument would let an
    expression write into an input); wrap them in a ``def``.

    Parameters
    ----------
    name : str, optional
        The name expressions use; by default the function's ``__name__``. Must be a Python
        identifier, not a keyword and not start with ``__``.
    overwrite : bool, default False
        Replace a function already registered under ``name``. Without it, a taken name raises.

    Returns
    -------
    callable
        A decorator that registers the function and returns it unchanged.

    Raises
    ------
    InputError
        If the name is not a valid identifier, is taken (and ``overwrite`` is false), or the
        function is not a callable with a readable signature.

    Examples
    --------
    >>> import numpy as np
    >>> from attritionsim.expr import parse, register_function, unregister_function
    >>> @register_function("share")
    ... def share(part, whole):
    ...     '''Part as a fraction of the whole.'''
    ...     return np.true_divide(part, whole)
    >>> parse("share(killed, casualties)").evaluate({"killed": 1.0, "casualties": 4.0})
    0.25
    >>> _ = unregister_function("share")
    """
    if name is not None and not isinstance(name, str):
        raise InputError(
            f"register_function name must be a string; got {name!r} "
            "(write @register_function() with parentheses to use the function's own name)"
        )

    def decorator(func: _F) -> _F:
        label = _function_name(getattr(func, "__name__", None) if name is None else name)
        if isinstance(func, np.ufunc) or not callable(func):
            raise InputError(
                f"function {label!r} must be a Python function with explicit parameters; "
                f"got {func!r} (wrap numpy ufuncs in a def)"
            )
        try:
            inspect.signature(func)
        except (TypeError, ValueError) as err:
            raise InputError(
                f"function {label!r} has no readable signature ({err}); wrap it in a def"
            ) from err
        existing = _REGISTRY.get(label)
        if existing is not None and existing is not func and not overwrite:
            raise InputError(
                f"function {label!r} is already registered ({_describe(existing)}); "
                "pass overwrite=True to replace it"
            )
        _REGISTRY[label] = func
        return func

    return decorator


def unregister_function(name: str) -> Callable[..., Any]:
    """Remove the function registered as ``name`` and return it (mostly for tests).

    Raises
    ------
    InputError
        If no function is registered under ``name``; the message suggests the nearest.

    Examples
    --------
    >>> from attritionsim.expr import register_function, unregister_function
    >>> _ = register_function("twice")(lambda x: 2 * x)
    >>> unregister_function("twice")(3.0)
    6.0
    """
    key = unicodedata.normalize("NFKC", name) if isinstance(name, str) else name
    if key not in _REGISTRY:
        raise InputError(f"no function {name!r} is registered{_did_you_mean(name, _REGISTRY)}")
    return _REGISTRY.pop(key)


def _function_name(name: object) -> str:
    """``name`` if expressions can call a function by it, else raise."""
    if (
        not isinstance(name, str)
        or not name.isidentifier()
        or keyword.iskeyword(name)
        or name.startswith("__")
    ):
        raise InputError(
            f"function name {name!r} is not allowed; use a Python identifier that is not a "
            "keyword and does not start with '__'"
        )
    # Expressions are parsed by Python, which reads identifiers in NFKC form ("ﬁrst" as
    # "first"); register under that form so that the function can be called as written.
    return unicodedata.normalize("NFKC", name)


def _plain_signature(func: Callable[..., Any]) -> inspect.Signature:
    """The signature without annotations, for messages: ``(x, /, decimals=0)``."""
    sig = inspect.signature(func)
    params = [param.replace(annotation=param.empty) for param in sig.parameters.values()]
    return sig.replace(parameters=params, return_annotation=sig.empty)


def _describe(func: Callable[..., Any]) -> str:
    module = getattr(func, "__module__", None) or "?"
    return f"{module}.{getattr(func, '__qualname__', repr(func))}"


def _did_you_mean(name: str, options: Mapping[str, object] | frozenset[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


# --------------------------------------------------------------------------------------------
# Built-in functions
# --------------------------------------------------------------------------------------------


@register_function("abs")
def _abs(x: Any, /) -> Any:
    """Absolute value (also of time differences)."""
    return np.abs(x)


@register_function("sqrt")
def _sqrt(x: Any, /) -> Any:
    """Square root; ``nan`` below zero."""
    return np.sqrt(x)


@register_function("exp")
def _exp(x: Any, /) -> Any:
    """Exponential."""
    return np.exp(x)


@register_function("log")
def _log(x: Any, /) -> Any:
    """Natural logarithm; ``-inf`` at zero, ``nan`` below."""
    return np.log(x)


@register_function("log10")
def _log10(x: Any, /) -> Any:
    """Base-10 logarithm."""
    return np.log10(x)


@register_function("log1p")
def _log1p(x: Any, /) -> Any:
    """``log(1 + x)``, accurate for small ``x``."""
    return np.log1p(x)


@register_function("expm1")
def _expm1(x: Any, /) -> Any:
    """``exp(x) - 1``, accurate for small ``x``."""
    return np.expm1(x)


@register_function("floor")
def _floor(x: Any, /) -> Any:
    """Largest whole number not above ``x``."""
    return np.floor(x)


@register_function("ceil")
def _ceil(x: Any, /) -> Any:
    """Smallest whole number not below ``x``."""
    return np.ceil(x)


@register_function("minimum")
def _minimum(a: Any, b: Any, /) -> Any:
    """Elementwise smaller of two values (NaN-propagating)."""
    return np.minimum(a, b)


@register_function("maximum")
def _maximum(a: Any, b: Any, /) -> Any:
    """Elementwise larger of two values (NaN-propagating)."""
    return np.maximum(a, b)


@register_function("min")
def _min(a: Any, b: Any, /, *rest: Any) -> Any:
    """Elementwise smallest of two or more values: not a reduction over draws."""
    return functools.reduce(np.minimum, rest, np.minimum(a, b))


@register_function("max")
def _max(a: Any, b: Any, /, *rest: Any) -> Any:
    """Elementwise largest of two or more values: not a reduction over draws."""
    return functools.reduce(np.maximum, rest, np.maximum(a, b))


@register_function("clip")
def _clip(x: Any, /, lo: Any, hi: Any) -> Any:
    """``x`` limited to ``[lo, hi]`` elementwise."""
    return np.clip(x, lo, hi)


@register_function("where")
def _where(cond: Any, a: Any, b: Any, /) -> Any:
    """``a`` where the boolean ``cond`` holds, else ``b``."""
    return np.where(_truth(cond, "where()"), a, b)


@register_function("round")
def _round(x: Any, /, decimals: Any = 0) -> Any:
    """``x`` rounded half to even to ``decimals`` places (negative: tens, hundreds, ...)."""
    if np.ndim(decimals) != 0 or not float(decimals).is_integer():
        got = f"{float(decimals):g}" if np.ndim(decimals) == 0 else "an array"
        raise InputError(f"round() decimals must be a single whole number; got {got}")
    return np.round(x, int(decimals))


@register_function("days")
def _days(x: Any, /) -> Any:
    """A time difference (``date - date``) as float days; ``NaT`` becomes ``nan``."""
    arr = np.asarray(x)
    if arr.dtype.kind != "m":
        raise InputError(
            "days() needs a time difference such as end - start; "
            f"got {arr.dtype} values (dates are written 'YYYY-MM-DD')"
        )
    return _dates.days(arr)


# --------------------------------------------------------------------------------------------
# Expressions
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expression:
    """A parsed, compiled expression; make one with :func:`parse`.

    Two expressions are equal when their sources are. Functions are looked up when the
    expression is parsed, so re-registering a function later does not change it. Pickling
    stores only ``source`` and ``where`` and parses again when loaded.

    Parameters
    ----------
    source : str
        The text of the expression (surrounding whitespace is dropped).
    where : str, default "expression"
        What the expression is, for error messages, e.g. ``"derived quantity 'ratio'"``.

    Attributes
    ----------
    names : frozenset of str
        The names the expression reads: inputs or other derived quantities.
    functions : frozenset of str
        The registered functions it calls.

    Examples
    --------
    >>> from attritionsim.expr import Expression
    >>> expr = Expression("round(maximum(a, b) * 2, decimals=1)")
    >>> expr
    Expression(source='round(maximum(a, b) * 2, decimals=1)')
    >>> sorted(expr.names), sorted(expr.functions)
    (['a', 'b'], ['maximum', 'round'])
    >>> expr.evaluate({"a": 1.234, "b": 0.5})
    2.5
    """

    source: str
    where: str = field(default="expression", kw_only=True, compare=False, repr=False)
    names: frozenset[str] = field(init=False, compare=False, repr=False)
    functions: frozenset[str] = field(init=False, compare=False, repr=False)
    _run: _Node = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.where, str):
            raise InputError(f"where must be a string naming the expression; got {self.where!r}")
        if not isinstance(self.source, str):
            raise InputError(f"{self.where} must be a string; got {self.source!r}")
        source = self.source.strip()
        compiler = _Compiler(source, self.where)
        run = compiler.compile_source()
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "names", frozenset(compiler.names))
        object.__setattr__(self, "functions", frozenset(compiler.functions))
        object.__setattr__(self, "_run", run)

    def __reduce__(self) -> tuple[Callable[[str, str], Expression], tuple[str, str]]:
        return _rebuild, (self.source, self.where)

    def evaluate(self, values: Mapping[str, ArrayLike | np.datetime64]) -> Result:
        """Evaluate on ``values``, elementwise over arrays of draws.

        Parameters
        ----------
        values : mapping of str to array_like or scalar
            A value for every name in :attr:`names` (others are ignored): float arrays of draws,
            scalar floats, booleans, ``numpy.datetime64`` dates (or 'YYYY-MM-DD' strings) or
            ``timedelta64`` differences. Integers are taken as float64. Inputs are not modified.

        Returns
        -------
        numpy.ndarray or float or bool or numpy.datetime64 or numpy.timedelta64
            An array where any operand is one (shapes broadcast as in numpy), else a scalar.
            Division by zero and the like give ``inf``/``nan`` silently, as numpy does.

        Raises
        ------
        InputError
            If a name has no value (suggesting the nearest given name), or an operation cannot
            be done on the values given (e.g. adding two dates).

        Examples
        --------
        >>> import numpy as np
        >>> from attritionsim.expr import parse
        >>> parse("x / y if y > 0 else 0").evaluate({"x": np.array([1.0, 2.0]), "y": 4.0})
        array([0.25, 0.5 ])
        >>> parse("1 / x").evaluate({"x": np.array([0.0, -2.0])})
        array([ inf, -0.5])
        """
        env: dict[str, Any] = {}
        for name in sorted(self.names):
            try:
                value = values[name]
            except KeyError:
                # Python reads identifiers in NFKC form ("ﬁrst" as "first"): a value given
                # under another spelling of the same name is that name's value.
                spelled = [
                    key
                    for key in values
                    if isinstance(key, str) and unicodedata.normalize("NFKC", key) == name
                ]
                if len(spelled) != 1:
                    raise InputError(self._unknown_name(name, values)) from None
                value = values[spelled[0]]
            env[name] = _prepare(name, value, self.where)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            try:
                out = self._run(env)
            except _EvalError as err:
                inside = "" if err.text == self.source else f" in {_quote(self.source)}"
                raise InputError(
                    f"{self.where}: cannot evaluate {_quote(err.text)}{inside}: {err.reason}"
                ) from err.__cause__
        if any(out is value for value in env.values()):
            out = np.copy(out)  # a bare name: never hand back the caller's own array
        return _tidy(out, self.where, self.source)

    def _unknown_name(self, name: str, values: Mapping[str, object]) -> str:
        given = sorted(str(key) for key in values)
        hint = _did_you_mean(name, frozenset(given))
        listed = ", ".join(repr(key) for key in given[:20]) + (", ..." if len(given) > 20 else "")
        return (
            f"{self.where}: name {name!r} in {_quote(self.source)} has no value{hint}; "
            f"given: {listed or 'nothing'}"
        )


def parse(source: str, *, where: str = "expression") -> Expression:
    """Parse and compile an expression of the safe language (see the module docs).

    Parameters
    ----------
    source : str
        The expression, e.g. ``"ru_killed / ru_casualties"``.
    where : str, default "expression"
        What the expression is, used in every error message about it, e.g.
        ``"derived quantity 'ratio'"``.

    Returns
    -------
    Expression
        Compiled once; evaluate it as often as needed.

    Raises
    ------
    InputError
        On a syntax error (with its column), a construct outside the language, a string that is
        not a 'YYYY-MM-DD' date, a call of an unknown function (suggesting the nearest) or with
        arguments its signature refuses, an empty source or one over 2,000 characters.

    Examples
    --------
    >>> from attritionsim.expr import parse
    >>> parse("(a + b) * 0.5 ** 2").evaluate({"a": 1.0, "b": 3.0})
    1.0
    >>> parse("a.real", where="derived quantity 'x'")
    Traceback (most recent call last):
    ...
    attritionsim.errors.InputError: derived quantity 'x': attribute access 'a.real' is not ...
    >>> parse("sqr(a)")
    Traceback (most recent call last):
    ...
    attritionsim.errors.InputError: expression: unknown function 'sqr' in 'sqr(a)' (did you ...
    """
    return Expression(source, where=where)


def _rebuild(source: str, where: str) -> Expression:
    return Expression(source, where=where)


class Reads(Protocol):
    """Anything with the set of ``names`` it reads, as :class:`Expression` has."""

    @property
    def names(self) -> AbstractSet[str]:
        """The names read."""
        ...


def dependencies(exprs: Mapping[str, Reads | Collection[str]]) -> list[str]:
    """Order derived quantities so that each comes after every quantity it reads.

    Names read that are not keys of ``exprs`` are external inputs and do not appear. The
    order is the given order wherever that is already valid: among the quantities ready to
    be computed, the one given first always comes first.

    Parameters
    ----------
    exprs : mapping of str to Expression or collection of str
        The derived quantities, by name: each an :class:`Expression` (or any object whose
        ``names`` are what it reads) or the collection of names it reads (for quantities
        computed by a Python callable).

    Returns
    -------
    list of str
        The keys of ``exprs`` in an order in which they can be computed.

    Raises
    ------
    InputError
        If the quantities read each other in a cycle; the message lists it, each quantity
        reading the next.

    Examples
    --------
    >>> from attritionsim.expr import dependencies, parse
    >>> exprs = {"share": parse("killed / total"), "total": parse("killed + wounded")}
    >>> dependencies(exprs)
    ['total', 'share']
    >>> dependencies({"a": parse("b + 1"), "b": {"a"}})
    Traceback (most recent call last):
    ...
    attritionsim.errors.InputError: derived quantities form a cycle: a -> b -> a (each reads ...)
    """
    position = {name: i for i, name in enumerate(exprs)}
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for name in exprs:
        sorter.add(name)
    for name, spec in exprs.items():
        if isinstance(spec, str):
            raise InputError(
                f"dependencies of {name!r} must be an Expression or a collection of names; "
                f"got the string {spec!r} (parse it first)"
            )
        names = spec.names if hasattr(spec, "names") else spec
        read = sorted({dep for dep in names if dep in position}, key=position.__getitem__)
        sorter.add(name, *read)
    try:
        sorter.prepare()
    except graphlib.CycleError as err:
        cycle = list(reversed(err.args[1]))[:-1]  # graphlib lists readers first; we list reads
        start = min(range(len(cycle)), key=lambda i: position[cycle[i]])
        cycle = cycle[start:] + cycle[:start] + [cycle[start]]
        raise InputError(
            f"derived quantities form a cycle: {' -> '.join(cycle)} (each reads the next)"
        ) from None
    order: list[str] = []
    ready: list[tuple[int, str]] = []
    while sorter.is_active():
        for name in sorter.get_ready():
            heapq.heappush(ready, (position[name], name))
        _, name = heapq.heappop(ready)
        order.append(name)
        sorter.done(name)
    return order


# --------------------------------------------------------------------------------------------
# Evaluation helpers
# --------------------------------------------------------------------------------------------


class _EvalError(Exception):
    """Raised inside a compiled tree, carrying the failing part's text.

    Not a ``ValueError``, so the enclosing nodes let it through untouched.
    """

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(text, reason)
        self.text = text
        self.reason = reason


def _prepare(name: str, value: object, where: str) -> Any:
    """One input as numpy sees it: integers as float64, ISO date strings as dates."""
    if isinstance(value, bool | np.bool_ | np.floating | np.datetime64 | np.timedelta64):
        return value
    if isinstance(value, int | float | np.integer):
        return np.float64(value)
    if isinstance(value, str):
        date = _dates.parse_day(value)
        if date is None:
            raise InputError(f"{where}: value of {name!r} must be numbers or a date; got {value!r}")
        return date
    arr = value if isinstance(value, np.ndarray) else np.asarray(value)
    if arr.dtype.kind in "iu":
        return arr.astype(np.float64)
    return arr


def _tidy(value: Any, where: str, source: str) -> Result:
    """Arrays stay arrays; numpy scalars and 0-d arrays become float, bool or a date."""
    arr = value if isinstance(value, np.ndarray) else np.asarray(value)
    kind = arr.dtype.kind
    if kind not in "biufmM":
        raise InputError(
            f"{where}: {_quote(source)} did not give numbers, booleans or dates; got {arr.dtype}"
        )
    if arr.ndim:
        return arr
    scalar = arr[()]
    if kind == "b":
        return bool(scalar)
    if kind in "mM":
        return scalar
    return float(scalar)


def _truth(value: Any, what: str) -> Any:
    """``value`` if it is boolean, else a clear error: no silent truthiness of numbers."""
    dtype = np.asarray(value).dtype
    if dtype.kind != "b":
        raise InputError(
            f"{what} needs true/false values (e.g. comparisons such as x > 2); got {dtype} values"
        )
    return value


def _numeric(value: Any) -> Any:
    """Booleans as 0.0/1.0 for arithmetic (numpy would otherwise treat ``+`` as *or*)."""
    if isinstance(value, bool):
        return np.float64(value)
    dtype = getattr(value, "dtype", None)
    if dtype is not None and dtype.kind == "b":
        return value.astype(np.float64)
    return value


_DATE, _SPAN, _NUMBER = "a date", "a time difference", "a number"
_IN_DAYS = "days(end - start) is the number of days between two dates"


def _kind(value: Any) -> str:
    """What a value is, in the words of the language: a date, a time difference, a number."""
    kind = np.asarray(value).dtype.kind
    return {"M": _DATE, "m": _SPAN, "b": "true/false"}.get(kind, _NUMBER)


def _reason(op: str, values: tuple[Any, ...], err: Exception) -> str:
    """Why ``op`` failed on ``values``, in plain words where numpy's types are the cause.

    Numpy refuses a date plus a number, or a date compared with a number, with a message about
    its ufunc loops; say instead what the two operands are and what to write.
    """
    kinds = [_kind(value) for value in values]
    if not isinstance(err, TypeError) or not ({_DATE, _SPAN} & set(kinds)):
        return str(err)
    if op.endswith("()"):
        found = " and ".join(dict.fromkeys(kinds))
        return f"{op} cannot work on {found}; give it numbers ({_IN_DAYS})"
    if len(kinds) == 1:
        return f"{op} cannot be applied to {kinds[0]}; work in days: {_IN_DAYS}"
    a, b = kinds
    if op.strip("'") in _COMPARE_SYMBOLS.values():
        if _DATE in kinds and (a == _NUMBER or b == _NUMBER):
            return (
                f"{op} cannot compare a date with a number; compare with a date like '2025-06-01'"
            )
        if _SPAN in kinds and (a == _NUMBER or b == _NUMBER):
            return (
                f"{op} cannot compare a time difference with a number; compare "
                "days(end - start) with a number of days"
            )
        return f"{op} cannot compare {a} with {b}"
    if op in ("'+'", "'-'") and _NUMBER in kinds:
        if op == "'+'":
            what = f"add a number to {a if a != _NUMBER else b}"
        else:
            what = f"subtract a number from {a}" if b == _NUMBER else f"subtract {b} from a number"
        return f"{op} cannot {what}; use days(...) or a date difference: {_IN_DAYS}"
    if kinds == [_DATE, _DATE] and op == "'+'":
        return f"'+' cannot add two dates; subtract them for the time between ({_IN_DAYS})"
    return f"{op} cannot be applied to {a} and {b}; work in days: {_IN_DAYS}"


def _quote(text: str, limit: int = 80) -> str:
    """``repr`` of ``text`` for a message, shortened in the middle past ``limit`` characters."""
    if len(text) > limit:
        text = f"{text[: limit // 2 - 2]} ... {text[-(limit // 2 - 3) :]}"
    return repr(text)


# --------------------------------------------------------------------------------------------
# The compiler: ast -> tree of closures
# --------------------------------------------------------------------------------------------

_BINARY: dict[type[ast.operator], tuple[str, np.ufunc]] = {
    ast.Add: ("+", np.add),
    ast.Sub: ("-", np.subtract),
    ast.Mult: ("*", np.multiply),
    ast.Div: ("/", np.true_divide),
    ast.FloorDiv: ("//", np.floor_divide),
    ast.Mod: ("%", np.remainder),
    ast.Pow: ("**", np.power),
}
_LOGICAL: dict[type[ast.AST], tuple[str, np.ufunc]] = {
    ast.BitAnd: ("&", np.logical_and),
    ast.BitOr: ("|", np.logical_or),
    ast.And: ("and", np.logical_and),
    ast.Or: ("or", np.logical_or),
}
# Refused operators: what they are, and what to write instead.
_REFUSED_OPERATORS: dict[type[ast.AST], tuple[str, str]] = {
    ast.BitXor: ("operator '^'", "use ** for powers and != for exclusive or"),
    ast.MatMult: ("operator '@'", _ALLOWED),
    ast.LShift: ("operator '<<'", _ALLOWED),
    ast.RShift: ("operator '>>'", _ALLOWED),
    ast.Is: ("comparison 'is'", "use == to compare values"),
    ast.IsNot: ("comparison 'is not'", "use != to compare values"),
    ast.In: ("membership test 'in'", _ALLOWED),
    ast.NotIn: ("membership test 'not in'", _ALLOWED),
}
_COMPARE_SYMBOLS: dict[type[ast.cmpop], str] = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
}
_COMPARE: dict[type[ast.cmpop], np.ufunc] = {
    ast.Lt: np.less,
    ast.LtE: np.less_equal,
    ast.Gt: np.greater,
    ast.GtE: np.greater_equal,
    ast.Eq: np.equal,
    ast.NotEq: np.not_equal,
}
_REFUSED_NODES: dict[type[ast.AST], str] = {
    ast.Attribute: "attribute access",
    ast.Subscript: "subscript",
    ast.Slice: "slice",
    ast.Lambda: "lambda",
    ast.ListComp: "comprehension",
    ast.SetComp: "comprehension",
    ast.DictComp: "comprehension",
    ast.GeneratorExp: "generator expression",
    ast.List: "list",
    ast.Tuple: "tuple",
    ast.Set: "set",
    ast.Dict: "dict",
    ast.JoinedStr: "f-string",
    ast.FormattedValue: "f-string",
    ast.NamedExpr: "assignment expression (walrus)",
    ast.Starred: "starred argument",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
}


class _Compiler:
    """Walk one expression's ast, refuse what is not allowed, build closures for the rest."""

    def __init__(self, source: str, where: str) -> None:
        self.source = source
        self.where = where
        self.names: set[str] = set()
        self.functions: set[str] = set()

    def compile_source(self) -> _Node:
        if not self.source:
            raise InputError(f"{self.where} is empty; write an expression such as 'a / b'")
        if len(self.source) > MAX_LENGTH:
            raise InputError(
                f"{self.where} is {len(self.source):,} characters long; at most {MAX_LENGTH:,} "
                "are allowed (split it into several derived quantities)"
            )
        try:
            tree = ast.parse(self.source, mode="eval")
        except SyntaxError as err:
            raise InputError(f"{self.where}: {self._syntax(err)}") from None
        except (ValueError, RecursionError, MemoryError) as err:
            raise InputError(f"{self.where}: cannot parse {_quote(self.source)} ({err})") from None
        self._no_comment()
        return self._compile(tree.body, 0)

    def _no_comment(self) -> None:
        """Refuse ``#`` outside strings: Python would read the rest as a comment and drop it."""
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(self.source).readline))
        except (tokenize.TokenError, SyntaxError):  # pragma: no cover - ast.parse read it
            return
        for token in tokens:
            if token.type == tokenize.COMMENT:
                line, column = token.start
                place = f"column {column + 1}"
                if "\n" in self.source:
                    place = f"line {line}, {place}"
                raise InputError(
                    f"{self.where}: '#' at {place} of {_quote(self.source)} is not part of the "
                    "expression language (it is not a comment either); remove it"
                )

    def _syntax(self, err: SyntaxError) -> str:
        line = self.source.splitlines()[(err.lineno or 1) - 1] if err.lineno else self.source
        if not err.offset or err.offset > len(line):
            place = "the end"
        elif "\n" in self.source:
            place = f"line {err.lineno}, column {err.offset}"
        else:
            place = f"column {err.offset}"
        if re.search(r"(?<!['\"\d])\d{4}-\d{2}-\d{2}(?!['\"])", self.source):
            return (
                f"a date must be quoted, like '2025-06-01', in {_quote(self.source)} "
                f"({err.msg} at {place})"
            )
        return f"{err.msg} at {place} of {_quote(self.source)}"

    def _text(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.source, node) or ast.unparse(node)

    def _refuse(self, what: str, hint: str = _ALLOWED, *, node: ast.AST) -> InputError:
        """The error for ``node``: what it is, its text, and ``hint`` (what to write instead)."""
        text = self._text(node)
        inside = "" if text == self.source else f" in {_quote(self.source)}"
        return InputError(f"{self.where}: {what} {_quote(text)} is not allowed{inside}; {hint}")

    def _compile(self, node: ast.expr, depth: int) -> _Node:
        if depth > MAX_DEPTH:
            raise InputError(
                f"{self.where}: {_quote(self.source)} is nested more than {MAX_DEPTH} deep; "
                "split it into several derived quantities"
            )
        depth += 1
        if isinstance(node, ast.Constant):
            return self._constant(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.BinOp):
            return self._binary(node, depth)
        if isinstance(node, ast.UnaryOp):
            return self._unary(node, depth)
        if isinstance(node, ast.Compare):
            return self._compare(node, depth)
        if isinstance(node, ast.BoolOp):
            return self._boolean(node, depth)
        if isinstance(node, ast.IfExp):
            return self._conditional(node, depth)
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        raise self._refuse(_REFUSED_NODES.get(type(node), "construct"), node=node)

    def _constant(self, node: ast.Constant) -> _Node:
        value = node.value
        result: Any
        if isinstance(value, bool):
            result = value
        elif isinstance(value, int | float):
            try:
                result = np.float64(value)
            except OverflowError:
                raise self._refuse("number", _TOO_LARGE, node=node) from None
            if not np.isfinite(result):
                raise self._refuse("number", _TOO_LARGE, node=node)
        elif isinstance(value, str):
            result = _dates.parse_day(value)
            if result is None:
                if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):  # the form of a date, not a day
                    raise self._refuse("string", "it is not a day of the calendar", node=node)
                raise self._refuse("string", _DATES_ONLY, node=node)
        elif isinstance(value, bytes):
            raise self._refuse("bytes literal", _DATES_ONLY, node=node)
        else:
            raise self._refuse(f"constant {type(value).__name__}", node=node)
        return lambda env: result

    def _name(self, node: ast.Name) -> _Node:
        name = node.id
        if name.startswith("__"):
            raise self._refuse("name", "names may not start with '__'", node=node)
        self.names.add(name)
        return lambda env: env[name]

    def _binary(self, node: ast.BinOp, depth: int) -> _Node:
        left = self._compile(node.left, depth)
        right = self._compile(node.right, depth)
        text = self._text(node)
        op = type(node.op)
        if op in _LOGICAL:
            symbol, logical = _LOGICAL[op]
            what = f"'{symbol}'"

            def run_logical(env: dict[str, Any]) -> Any:
                try:
                    return logical(_truth(left(env), what), _truth(right(env), what))
                except _EVAL_ERRORS as err:
                    raise _EvalError(text, str(err)) from err

            return run_logical
        if op not in _BINARY:
            raise self._refuse(*_REFUSED_OPERATORS.get(op, ("operator", _ALLOWED)), node=node)
        symbol, ufunc = _BINARY[op]

        def run(env: dict[str, Any]) -> Any:
            a, b = left(env), right(env)
            try:
                return ufunc(_numeric(a), _numeric(b))
            except _EVAL_ERRORS as err:
                raise _EvalError(text, _reason(f"'{symbol}'", (a, b), err)) from err

        return run

    def _unary(self, node: ast.UnaryOp, depth: int) -> _Node:
        operand = self._compile(node.operand, depth)
        text = self._text(node)
        if isinstance(node.op, ast.Not | ast.Invert):
            what = "'not'" if isinstance(node.op, ast.Not) else "'~'"

            def run_not(env: dict[str, Any]) -> Any:
                try:
                    return np.logical_not(_truth(operand(env), what))
                except _EVAL_ERRORS as err:
                    raise _EvalError(text, str(err)) from err

            return run_not
        ufunc = np.negative if isinstance(node.op, ast.USub) else np.positive
        symbol = "'-'" if isinstance(node.op, ast.USub) else "'+'"

        def run(env: dict[str, Any]) -> Any:
            value = operand(env)
            try:
                return ufunc(_numeric(value))
            except _EVAL_ERRORS as err:
                raise _EvalError(text, _reason(symbol, (value,), err)) from err

        return run

    def _compare(self, node: ast.Compare, depth: int) -> _Node:
        for op in node.ops:
            if type(op) not in _COMPARE:
                refused = _REFUSED_OPERATORS.get(type(op), ("comparison", _ALLOWED))
                raise self._refuse(*refused, node=node)
        operands = [self._compile(node.left, depth)]
        operands += [self._compile(item, depth) for item in node.comparators]
        ufuncs = [_COMPARE[type(op)] for op in node.ops]
        symbols = [f"'{_COMPARE_SYMBOLS[type(op)]}'" for op in node.ops]
        text = self._text(node)

        def run(env: dict[str, Any]) -> Any:
            values = [operand(env) for operand in operands]
            out: Any = True
            for i, ufunc in enumerate(ufuncs):
                pair = (values[i], values[i + 1])
                try:
                    out = np.logical_and(out, ufunc(*pair)) if i else ufunc(*pair)
                except _EVAL_ERRORS as err:
                    raise _EvalError(text, _reason(symbols[i], pair, err)) from err
            return out

        return run

    def _boolean(self, node: ast.BoolOp, depth: int) -> _Node:
        operands = [self._compile(item, depth) for item in node.values]
        symbol, logical = _LOGICAL[type(node.op)]
        what = f"'{symbol}'"
        text = self._text(node)

        def run(env: dict[str, Any]) -> Any:
            try:
                values = [_truth(operand(env), what) for operand in operands]
                return functools.reduce(logical, values)
            except _EVAL_ERRORS as err:
                raise _EvalError(text, str(err)) from err

        return run

    def _conditional(self, node: ast.IfExp, depth: int) -> _Node:
        test = self._compile(node.test, depth)
        body = self._compile(node.body, depth)
        orelse = self._compile(node.orelse, depth)
        text = self._text(node)

        def run(env: dict[str, Any]) -> Any:
            try:
                return np.where(_truth(test(env), "'if ... else'"), body(env), orelse(env))
            except _EVAL_ERRORS as err:
                raise _EvalError(text, str(err)) from err

        return run

    def _call(self, node: ast.Call, depth: int) -> _Node:
        if not isinstance(node.func, ast.Name):
            raise self._refuse(
                "call of", "only registered functions can be called, by name", node=node.func
            )
        name = node.func.id
        if name.startswith("__") or name not in _REGISTRY:
            known = ", ".join(sorted(_REGISTRY))
            raise InputError(
                f"{self.where}: unknown function {name!r} in {_quote(self.source)}"
                f"{_did_you_mean(name, _REGISTRY)}; registered functions: {known}"
            )
        func = _REGISTRY[name]
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self._refuse("starred argument", _PLAIN_ARGUMENTS, node=arg)
        for kw in node.keywords:
            if kw.arg is None:
                raise self._refuse("'**' argument", _PLAIN_ARGUMENTS, node=kw)
        args = [self._compile(arg, depth) for arg in node.args]
        keywords = {kw.arg: kw for kw in node.keywords if kw.arg is not None}
        kwargs = {key: self._compile(kw.value, depth) for key, kw in keywords.items()}
        try:
            inspect.signature(func).bind(*node.args, **keywords)
        except TypeError as err:
            raise InputError(
                f"{self.where}: bad call {_quote(self._text(node))}: {err}; "
                f"the function is {name}{_plain_signature(func)}"
            ) from None
        self.functions.add(name)
        text = self._text(node)

        def run(env: dict[str, Any]) -> Any:
            given = [arg(env) for arg in args]
            named = {key: value(env) for key, value in kwargs.items()}
            try:
                return func(*given, **named)
            except _EVAL_ERRORS as err:
                values = (*given, *named.values())
                raise _EvalError(text, _reason(f"{name}()", values, err)) from err

        return run
