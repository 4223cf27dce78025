"""The expression language: grammar, numpy semantics, refused constructs, registry, ordering."""

from __future__ import annotations

import ast
import builtins
import pickle
import re
import types
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from attritionsim.errors import InputError
from attritionsim.expr import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_LENGTH,
    Expression,
    dependencies,
    parse,
    register_function,
    unregister_function,
)

WHERE = "derived quantity 'q'"
F64 = np.float64


def evaluate(source: str, **values: Any) -> Any:
    return parse(source, where=WHERE).evaluate(values)


def assert_same(got: Any, expected: Any) -> None:
    """Exactly equal, NaN matching NaN, with the same dtype and shape."""
    expected = np.asarray(expected)
    assert isinstance(got, np.ndarray)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected, strict=True)


@pytest.fixture
def registry() -> Iterator[list[str]]:
    """Names appended to the yielded list are unregistered after the test."""
    added: list[str] = []
    yield added
    for name in added:
        if name in FUNCTIONS:
            unregister_function(name)


# --------------------------------------------------------------------------------------------
# Arithmetic, against the same numpy computation
# --------------------------------------------------------------------------------------------

ARITHMETIC: list[tuple[str, Callable[..., Any]]] = [
    ("a + b * c", lambda a, b, c: a + b * c),
    ("(a + b) * c", lambda a, b, c: (a + b) * c),
    ("a - b - c", lambda a, b, c: (a - b) - c),
    ("a - (b - c)", lambda a, b, c: a - (b - c)),
    ("a / b / c", lambda a, b, c: (a / b) / c),
    ("a ** b ** c", lambda a, b, c: np.power(a, np.power(b, c))),
    ("-a ** 2", lambda a, b, c: -np.power(a, F64(2))),
    ("(-a) ** 2", lambda a, b, c: np.power(-a, F64(2))),
    ("a % b // c", lambda a, b, c: np.floor_divide(np.remainder(a, b), c)),
    ("(a + b) * 0.5 ** 2", lambda a, b, c: (a + b) * np.power(F64(0.5), F64(2))),
    ("a - -b + +c", lambda a, b, c: (a - (-b)) + c),
    ("2 * a + 1_000 / b - 1e-3 * c", lambda a, b, c: (2 * a + 1000 / b) - 0.001 * c),
]

floats = st.floats(width=64)  # NaN and infinities included: numpy semantics, no warnings
arrays = st.integers(1, 12).flatmap(
    lambda n: st.tuples(*[hnp.arrays(np.float64, n, elements=floats) for _ in range(3)])
)


@pytest.mark.parametrize(("source", "reference"), ARITHMETIC, ids=[s for s, _ in ARITHMETIC])
@given(abc=arrays)
def test_arithmetic_matches_numpy_on_arrays(
    source: str, reference: Callable[..., Any], abc: tuple[np.ndarray, ...]
) -> None:
    a, b, c = abc
    with np.errstate(all="ignore"):
        expected = reference(a, b, c)
    assert_same(evaluate(source, a=a, b=b, c=c), expected)


@pytest.mark.parametrize(("source", "reference"), ARITHMETIC, ids=[s for s, _ in ARITHMETIC])
@given(a=floats, b=floats, c=floats)
def test_arithmetic_matches_numpy_on_scalars(
    source: str, reference: Callable[..., Any], a: float, b: float, c: float
) -> None:
    with np.errstate(all="ignore"):
        expected = float(reference(F64(a), F64(b), F64(c)))
    got = evaluate(source, a=a, b=b, c=c)
    assert type(got) is float
    np.testing.assert_equal(got, expected)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2 * 3", 7.0),
        ("(1 + 2) * 3", 9.0),
        ("2 ** 3 ** 2", 512.0),
        ("-2 ** 2", -4.0),
        ("7 // 2 + 7 % 2", 4.0),
        ("-7 // 2", -4.0),
        ("-7 % 3", 2.0),
        ("1_000_000 / 4", 250_000.0),
        ("9 ** 9 ** 9 ** 9", float("inf")),  # numpy overflow, not a giant Python integer
    ],
)
def test_constant_arithmetic(source: str, expected: float) -> None:
    got = evaluate(source)
    assert type(got) is float
    assert got == expected


def test_integer_inputs_are_floats() -> None:
    got = evaluate("a / b + a ** -1", a=np.array([1, 2]), b=0)
    assert_same(got, np.array([np.inf, np.inf]))
    assert evaluate("a // b", a=7, b=2) == 3.0


def test_division_by_zero_follows_numpy_without_warnings() -> None:
    x = np.array([0.0, -0.0, 2.0])
    assert_same(evaluate("1 / x", x=x), np.array([np.inf, -np.inf, 0.5]))
    assert_same(evaluate("0 / x", x=x), np.array([np.nan, np.nan, 0.0]))
    assert_same(evaluate("log(x)", x=x), np.array([-np.inf, -np.inf, np.log(2.0)]))
    assert np.isnan(evaluate("sqrt(-1)"))
    assert evaluate("exp(1000)") == np.inf


def test_booleans_count_as_numbers_in_arithmetic() -> None:
    x = np.array([-1.0, 0.5, 2.0])
    assert_same(evaluate("(x > 0) + (x > 1)", x=x), np.array([0.0, 1.0, 2.0]))
    assert_same(evaluate("-(x > 0)", x=x), np.array([-0.0, -1.0, -1.0]))
    assert evaluate("True + True") == 2.0


def test_shapes_broadcast_and_mismatches_are_input_errors() -> None:
    got = evaluate("a * b", a=np.array([1.0, 2.0]), b=np.array([[1.0], [10.0]]))
    assert_same(got, np.array([[1.0, 2.0], [10.0, 20.0]]))
    with pytest.raises(InputError, match=r"derived quantity 'q': cannot evaluate 'a \+ b'"):
        evaluate("a + b", a=np.ones(2), b=np.ones(3))


def test_inputs_are_not_modified_and_bare_names_are_copies() -> None:
    a = np.array([1.0, 2.0])
    out = evaluate("a", a=a)
    assert_same(out, a)
    assert out is not a
    out[0] = 99.0
    evaluate("-a * 2", a=a)
    assert_same(a, np.array([1.0, 2.0]))


# --------------------------------------------------------------------------------------------
# Comparisons, booleans, conditionals
# --------------------------------------------------------------------------------------------


@given(abc=arrays)
def test_chained_comparison_is_elementwise_and(abc: tuple[np.ndarray, ...]) -> None:
    a, b, c = abc
    assert_same(evaluate("a < b <= c", a=a, b=b, c=c), (a < b) & (b <= c))
    assert_same(evaluate("a == b != c > 0", a=a, b=b, c=c), (a == b) & (b != c) & (c > 0))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 < x < 2", [False, True, False, False]),
        ("1 < x <= 2", [False, True, True, False]),
        ("x >= 2", [False, False, True, True]),
        ("x == 2", [False, False, True, False]),
        ("x != 2", [True, True, False, True]),
        ("2 > x > 0.5 > 0", [False, True, False, False]),
    ],
)
def test_comparisons(source: str, expected: list[bool]) -> None:
    assert_same(evaluate(source, x=np.array([0.5, 1.5, 2.0, 3.0])), np.array(expected))


def test_scalar_comparison_gives_a_python_bool() -> None:
    got = evaluate("ratio > 2", ratio=2.5)
    assert got is True
    assert evaluate("1 < 2 < 2") is False


P = np.array([True, True, False, False])
Q = np.array([True, False, True, False])


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("p and q", P & Q),
        ("p & q", P & Q),
        ("p or q", P | Q),
        ("p | q", P | Q),
        ("not p", ~P),
        ("~p", ~P),
        ("p and not q or q and not p", P ^ Q),
        ("(p | q) & ~(p & q)", P ^ Q),
        ("p and q and True", P & Q),
        ("p or False", P),
        ("not p == q", ~(P == Q)),
    ],
)
def test_boolean_operators_are_elementwise(source: str, expected: np.ndarray) -> None:
    assert_same(evaluate(source, p=P, q=Q), expected)


@pytest.mark.parametrize("source", ["x and p", "p or x", "not x", "~x", "x & p", "x | p"])
def test_boolean_operators_refuse_numbers(source: str) -> None:
    with pytest.raises(InputError, match=r"derived quantity 'q': .*needs true/false values"):
        evaluate(source, x=np.array([0.0, 1.0, 2.0, 3.0]), p=P)


def test_conditional_is_np_where() -> None:
    x = np.array([-2.0, 0.0, 3.0])
    assert_same(evaluate("x if x > 0 else -x", x=x), np.abs(x))
    assert_same(evaluate("1 if x < 0 else 2 if x == 0 else 3", x=x), np.array([1.0, 2.0, 3.0]))
    assert_same(evaluate("where(x > 0, x, 0)", x=x), np.array([0.0, 0.0, 3.0]))
    assert evaluate("1 if True else 2") == 1.0
    assert evaluate("a if a > b else b", a=2.0, b=5.0) == 5.0
    with pytest.raises(InputError, match=r"'if \.\.\. else' needs true/false values"):
        evaluate("1 if x else 2", x=x)


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------


def test_date_literal() -> None:
    got = evaluate("'2025-06-01'")
    assert got == np.datetime64("2025-06-01", "D")
    assert isinstance(got, np.datetime64)


def test_date_differences_in_days() -> None:
    end = np.array(["2025-06-01", "2026-01-01", "NaT"], dtype="datetime64[D]")
    got = evaluate("days(end - '2025-01-01')", end=end)
    assert_same(got, np.array([151.0, 365.0, np.nan]))
    assert_same(evaluate("end > '2025-12-31'", end=end), np.array([False, True, False]))
    assert evaluate("days(start - '2024-12-01')", start=np.datetime64("2025-01-01")) == 31.0
    assert evaluate("days(abs('2024-12-01' - start))", start="2025-01-01") == 31.0


def test_date_plus_time_difference_is_a_date() -> None:
    got = evaluate(
        "start + (b - a)", start=np.datetime64("2025-01-01"), a="2025-01-01", b="2025-01-11"
    )
    assert got == np.datetime64("2025-01-11")


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("start + start", r"cannot evaluate 'start \+ start'.*add"),
        ("start * 2", r"cannot evaluate 'start \* 2'"),
        ("days(x)", r"cannot evaluate 'days\(x\)': days\(\) needs a time difference"),
        ("sqrt(start - start) + 1", r"cannot evaluate 'sqrt\(start - start\)' in"),
    ],
)
def test_date_misuse_is_an_input_error(source: str, message: str) -> None:
    with pytest.raises(InputError, match=f"derived quantity 'q': {message}"):
        evaluate(source, start=np.datetime64("2025-01-01"), x=1.0)


# --------------------------------------------------------------------------------------------
# Built-in functions
# --------------------------------------------------------------------------------------------

X = np.array([-2.5, -0.4, 0.0, 0.26, 1.5, 2.5, 1234.5678, np.nan])
Y = np.array([1.0, -1.0, 0.5, 0.3, np.nan, 3.0, 1000.0, 2.0])
Z = np.array([0.0, 0.0, 0.2, 0.2, 2.0, -5.0, 0.0, 1.0])

BUILTINS: list[tuple[str, Callable[..., Any]]] = [
    ("abs(x)", lambda x, y, z: np.abs(x)),
    ("sqrt(abs(x))", lambda x, y, z: np.sqrt(np.abs(x))),
    ("exp(x)", lambda x, y, z: np.exp(x)),
    ("log(abs(x))", lambda x, y, z: np.log(np.abs(x))),
    ("log10(abs(x))", lambda x, y, z: np.log10(np.abs(x))),
    ("log1p(abs(x))", lambda x, y, z: np.log1p(np.abs(x))),
    ("expm1(x)", lambda x, y, z: np.expm1(x)),
    ("floor(x)", lambda x, y, z: np.floor(x)),
    ("ceil(x)", lambda x, y, z: np.ceil(x)),
    ("round(x)", lambda x, y, z: np.round(x)),
    ("round(x, 2)", lambda x, y, z: np.round(x, 2)),
    ("round(x, decimals=-2)", lambda x, y, z: np.round(x, -2)),
    ("minimum(x, y)", lambda x, y, z: np.minimum(x, y)),
    ("maximum(x, y)", lambda x, y, z: np.maximum(x, y)),
    ("min(x, y)", lambda x, y, z: np.minimum(x, y)),
    ("min(x, y, z)", lambda x, y, z: np.minimum(np.minimum(x, y), z)),
    ("max(x, y, z, 0)", lambda x, y, z: np.maximum(np.maximum(np.maximum(x, y), z), 0.0)),
    ("clip(x, 0, 1)", lambda x, y, z: np.clip(x, 0.0, 1.0)),
    ("clip(x, lo=z, hi=1)", lambda x, y, z: np.clip(x, z, 1.0)),
    ("where(x > y, x, y)", lambda x, y, z: np.where(x > y, x, y)),
]


@pytest.mark.parametrize(("source", "reference"), BUILTINS, ids=[s for s, _ in BUILTINS])
def test_builtin_functions_match_numpy(source: str, reference: Callable[..., Any]) -> None:
    with np.errstate(all="ignore"):
        expected = reference(X, Y, Z)
    assert_same(evaluate(source, x=X, y=Y, z=Z), expected)


def test_builtin_function_names() -> None:
    assert {
        "abs",
        "sqrt",
        "exp",
        "log",
        "log10",
        "log1p",
        "expm1",
        "floor",
        "ceil",
        "round",
        "minimum",
        "maximum",
        "min",
        "max",
        "clip",
        "where",
        "days",
    } <= set(FUNCTIONS)


@pytest.mark.parametrize("decimals", ["1.5", "x"])
def test_round_needs_a_whole_number_of_decimals(decimals: str) -> None:
    with pytest.raises(InputError, match="decimals must be a single whole number"):
        evaluate(f"round(x, {decimals})", x=X)


# --------------------------------------------------------------------------------------------
# Expression objects
# --------------------------------------------------------------------------------------------


def test_names_and_functions() -> None:
    expr = parse("round(maximum(ru, ua) / sqrt(ua), 1) if ru > 2 * ua else ru_killed")
    assert expr.names == frozenset({"ru", "ua", "ru_killed"})
    assert expr.functions == frozenset({"round", "maximum", "sqrt"})
    assert parse("1 + 2").names == frozenset()
    assert parse("inf + nan + pi + e").names == frozenset({"inf", "nan", "pi", "e"})


def test_expression_value_semantics() -> None:
    expr = parse("  ru / ua ", where=WHERE)
    assert expr.source == "ru / ua"
    assert expr.where == WHERE
    assert repr(expr) == "Expression(source='ru / ua')"
    assert expr == Expression("ru / ua") == parse("ru / ua", where="other")
    assert hash(expr) == hash(Expression("ru / ua"))
    assert expr != parse("ru/ua")
    with pytest.raises(AttributeError):
        expr.source = "a"  # type: ignore[misc]


def test_pickle_round_trip() -> None:
    expr = parse("days(end - '2025-01-01') / x", where=WHERE)
    loaded = pickle.loads(pickle.dumps(expr))
    assert loaded == expr
    assert loaded.where == WHERE
    values = {"end": np.datetime64("2025-01-11"), "x": np.array([1.0, 2.0])}
    assert_same(loaded.evaluate(values), np.array([10.0, 5.0]))


def test_source_must_be_a_string() -> None:
    with pytest.raises(InputError, match=f"{WHERE} must be a string; got 3"):
        parse(3, where=WHERE)  # type: ignore[arg-type]


def test_unknown_name_at_evaluation() -> None:
    expr = parse("ru_casualties / ua", where=WHERE)
    with pytest.raises(
        InputError,
        match=(
            r"^derived quantity 'q': name 'ru_casualties' in 'ru_casualties / ua' has no value "
            r"\(did you mean 'ru_casualtie'\?\); given: 'ru_casualtie', 'ua'$"
        ),
    ):
        expr.evaluate({"ru_casualtie": 1.0, "ua": 2.0})
    with pytest.raises(InputError, match=r"name 'nan' .* has no value; given: nothing"):
        parse("nan", where=WHERE).evaluate({})


def test_functions_are_called_once_on_whole_arrays(registry: list[str]) -> None:
    calls: list[tuple[int, ...]] = []

    @register_function("spy")
    def spy(x: Any) -> Any:
        calls.append(np.shape(x))
        return x

    registry.append("spy")
    expr = parse("spy(a) * 2")
    assert_same(expr.evaluate({"a": np.arange(1000.0)}), np.arange(1000.0) * 2)
    assert calls == [(1000,)]


# --------------------------------------------------------------------------------------------
# Refused constructs
# --------------------------------------------------------------------------------------------

ALLOWED = "allowed are numbers, names"

REFUSED: list[tuple[str, list[str]]] = [
    ("__import__('os')", ["unknown function '__import__'"]),
    ("open('x')", ["unknown function 'open'", "registered functions: abs"]),
    ("exec('1')", ["unknown function 'exec'"]),
    ("eval('1')", ["unknown function 'eval'"]),
    ("foo(a)", ["unknown function 'foo'", "did you mean 'floor'?"]),
    ("sqr(a)", ["unknown function 'sqr'", "did you mean 'sqrt'?"]),
    ("a.b", ["attribute access 'a.b'", ALLOWED]),
    ("a.__class__", ["attribute access 'a.__class__'"]),
    ("a.b(1)", ["call of 'a.b' is not allowed in 'a.b(1)'", "registered functions"]),
    ("(lambda: 1)()", ["call of 'lambda: 1'"]),
    ("a[0]", ["subscript 'a[0]'"]),
    ("a[1:2]", ["subscript 'a[1:2]'"]),
    ("lambda x: x", ["lambda 'lambda x: x'"]),
    ("[x for x in a]", ["comprehension '[x for x in a]'"]),
    ("sum(x for x in a)", ["unknown function 'sum'"]),
    ("max(x for x in a)", ["generator expression", "x for x in a"]),
    ("f'{a}'", ["f-string \"f'{a}'\""]),
    ("'hello'", ["string \"'hello'\"", "'YYYY-MM-DD'"]),
    ("'2025-13-01'", ["string \"'2025-13-01'\""]),
    ("'2025-6-1'", ["string \"'2025-6-1'\""]),
    ("b'2025-01-01'", ["bytes literal"]),
    ("(a := 1)", ["assignment expression (walrus) 'a := 1'"]),
    ("sqrt(*a)", ["starred argument '*a'"]),
    ("sqrt(**a)", ["'**' argument '**a'"]),
    ("sqrt(x=a)", ["bad call 'sqrt(x=a)'", "sqrt(x, /)"]),
    ("clip(a, 0, 1, 2)", ["bad call 'clip(a, 0, 1, 2)'", "clip(x, /, lo, hi)"]),
    ("clip(a, lo=0, top=1)", ["bad call", "'hi'"]),
    ("min(a)", ["bad call 'min(a)'", "min(a, b, /, *rest)"]),
    ("[a, b]", ["list '[a, b]'"]),
    ("(a, b)", ["tuple '(a, b)'"]),
    ("{a: 1}", ["dict '{a: 1}'"]),
    ("{a}", ["set '{a}'"]),
    ("a ^ b", ["operator '^' 'a ^ b'", "use ** for powers"]),
    ("a @ b", ["operator '@'"]),
    ("a << 1", ["operator '<<'"]),
    ("a is b", ["comparison 'is'", "use =="]),
    ("a is not b", ["comparison 'is not'"]),
    ("a in b", ["membership test 'in'"]),
    ("1 < a not in b", ["membership test 'not in' '1 < a not in b'"]),
    ("None", ["constant NoneType 'None'"]),
    ("...", ["constant ellipsis"]),
    ("1j", ["constant complex '1j'"]),
    ("1e400", ["number '1e400'", "overflows to inf"]),
    ("__class__", ["name '__class__'", "may not start with '__'"]),
    ("(yield a)", ["yield 'yield a'"]),
    ("await a", ["await 'await a'"]),
    ("a +", ["invalid syntax at the end of 'a +'"]),
    ("a + * b", ["invalid syntax at column 5 of 'a + * b'"]),
    ("(a +\n b +)", ["line 2, column"]),
    ("a = 1", ["invalid syntax at column 3"]),
    ("x if y", ["expected 'else'"]),
    ("sqrt(a,", ["'(' was never closed"]),
    ("", ["is empty"]),
    ("   ", ["is empty"]),
    ("a" * (MAX_LENGTH + 1), [f"is {MAX_LENGTH + 1:,} characters long"]),
    ("-" * (MAX_DEPTH + 5) + "a", [f"nested more than {MAX_DEPTH} deep"]),
    ("+".join(["a"] * (MAX_DEPTH + 5)), [f"nested more than {MAX_DEPTH} deep"]),
    ("(" * 300 + "a" + ")" * 300, ["too many nested parentheses"]),
]


@pytest.mark.parametrize(("source", "fragments"), REFUSED, ids=[s[:20] for s, _ in REFUSED])
def test_refused_constructs(source: str, fragments: list[str]) -> None:
    with pytest.raises(InputError) as info:
        parse(source, where=WHERE)
    message = str(info.value)
    assert message.startswith(WHERE)
    assert "\n" not in message.replace("\\n", "")
    assert len(message) < 400
    for fragment in fragments:
        assert fragment in message


def test_messages_shorten_long_sources() -> None:
    source = "a + " * 40 + "b.c"
    with pytest.raises(
        InputError, match=r"attribute access 'b.c' is not allowed in 'a \+ a"
    ) as info:
        parse(source, where=WHERE)
    assert " ... " in str(info.value)
    assert len(str(info.value)) < 400


def test_where_must_be_a_string() -> None:
    with pytest.raises(InputError, match="where must be a string"):
        parse("a", where=None)  # type: ignore[arg-type]


def test_no_eval_exec_or_code_compilation(monkeypatch: pytest.MonkeyPatch) -> None:
    real_compile = builtins.compile

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("eval/exec must not be used")

    def ast_only(source: Any, filename: Any, mode: str, flags: int = 0, *a: Any, **k: Any) -> Any:
        assert flags & ast.PyCF_ONLY_AST, "compile may only build syntax trees"
        return real_compile(source, filename, mode, flags, *a, **k)

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(builtins, "compile", ast_only)
    expr = parse("round(maximum(a, b) ** 2 / 2, 1) if 1 < a < 3 and not b > 9 else -a")
    assert_same(expr.evaluate({"a": np.array([2.0, 5.0]), "b": 1.0}), np.array([2.0, -5.0]))
    assert evaluate("days('2025-02-01' - '2025-01-01')") == 31.0
    with pytest.raises(InputError):
        parse("__import__('os').system('true')")


# --------------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------------


def test_register_and_call(registry: list[str]) -> None:
    with pytest.raises(InputError, match="unknown function 'in_band_test'"):
        parse("in_band_test(x, 2, 2.5)")

    @register_function()
    def in_band_test(x: Any, lo: Any, hi: Any, *, closed: Any = True) -> Any:
        return (lo <= x) & (x <= hi) if closed else (lo < x) & (x < hi)

    registry.append("in_band_test")
    assert FUNCTIONS["in_band_test"] is in_band_test
    x = np.array([1.0, 2.0, 2.2, 2.5, 3.0])
    assert_same(evaluate("in_band_test(x, 2, 2.5)", x=x), np.array([0, 1, 1, 1, 0], dtype=bool))
    got = evaluate("in_band_test(x, 2, 2.5, closed=False)", x=x)
    assert_same(got, np.array([0, 0, 1, 0, 0], dtype=bool))
    assert parse("in_band_test(x, 2, 2.5)").functions == frozenset({"in_band_test"})
    with pytest.raises(InputError, match="unexpected keyword argument 'open'"):
        parse("in_band_test(x, 2, 2.5, open=False)")
    with pytest.raises(InputError, match="too many positional arguments"):
        parse("in_band_test(x, 2, 2.5, False)")


def test_register_under_another_name_and_overwrite(registry: list[str]) -> None:
    registry.append("twice")
    register_function("twice")(lambda x: 2 * x)
    expr = parse("twice(a)")
    with pytest.raises(
        InputError, match=r"function 'twice' is already registered .*overwrite=True"
    ):
        register_function("twice")(lambda x: 3 * x)
    register_function("twice", overwrite=True)(lambda x: 4 * x)
    assert evaluate("twice(a)", a=1.0) == 4.0
    assert expr.evaluate({"a": 1.0}) == 2.0  # bound when parsed
    assert pickle.loads(pickle.dumps(expr)).evaluate({"a": 1.0}) == 4.0  # parsed again


def test_registering_the_same_function_again_is_harmless(registry: list[str]) -> None:
    def triple(x: Any) -> Any:
        return 3 * x

    registry.append("triple")
    assert register_function()(triple) is triple
    assert register_function()(triple) is triple
    assert evaluate("triple(2)") == 6.0


@pytest.mark.parametrize("name", ["", "1abc", "a-b", "class", "True", "__x", "x y"])
def test_register_refuses_bad_names(name: str) -> None:
    with pytest.raises(InputError, match=f"function name {name!r} is not allowed"):
        register_function(name)(lambda x: x)
    assert name not in FUNCTIONS


def test_register_refuses_lambdas_without_a_name_and_ufuncs() -> None:
    with pytest.raises(InputError, match="function name '<lambda>' is not allowed"):
        register_function()(lambda x: x)
    with pytest.raises(InputError, match="wrap numpy ufuncs in a def"):
        register_function("my_sqrt")(np.sqrt)
    with pytest.raises(InputError, match="must be a Python function"):
        register_function("number")(3)  # type: ignore[type-var]
    with pytest.raises(InputError, match=r"with parentheses"):
        register_function(abs)  # type: ignore[arg-type]
    assert "my_sqrt" not in FUNCTIONS


def test_builtin_names_are_protected() -> None:
    with pytest.raises(InputError, match="function 'sqrt' is already registered"):
        register_function("sqrt")(lambda x: x)
    assert_same(evaluate("sqrt(x)", x=np.array([4.0])), np.array([2.0]))


def test_unregister(registry: list[str]) -> None:
    register_function("gone")(lambda x: x)
    assert "gone" in FUNCTIONS
    unregister_function("gone")
    assert "gone" not in FUNCTIONS
    with pytest.raises(InputError, match="unknown function 'gone'"):
        parse("gone(1)")
    with pytest.raises(InputError, match=r"no function 'gone' is registered"):
        unregister_function("gone")
    with pytest.raises(InputError, match=r"did you mean 'sqrt'\?"):
        unregister_function("sqrtt")


def test_functions_view_is_read_only() -> None:
    with pytest.raises(TypeError):
        FUNCTIONS["evil"] = eval  # type: ignore[index]
    assert "evil" not in FUNCTIONS


# --------------------------------------------------------------------------------------------
# dependencies
# --------------------------------------------------------------------------------------------


def test_dependencies_order_and_external_inputs() -> None:
    exprs = {
        "ratio": parse("ru / ua"),
        "ru": parse("ru_killed + ru_wounded"),
        "share": parse("ru_killed / ru"),
        "ua": parse("ua_killed * 3"),
    }
    assert dependencies(exprs) == ["ru", "share", "ua", "ratio"]


def test_dependencies_keep_a_valid_given_order() -> None:
    exprs = {"a": parse("x"), "b": parse("a + y"), "c": parse("z"), "d": parse("b * c")}
    assert dependencies(exprs) == ["a", "b", "c", "d"]
    assert dependencies({}) == []


def test_dependencies_accept_collections_of_names() -> None:
    graph = {"total": {"killed", "wounded"}, "killed": frozenset(), "wounded": ["killed"]}
    assert dependencies(graph) == ["killed", "wounded", "total"]
    reads = types.SimpleNamespace(names=frozenset({"killed", "external"}))
    assert dependencies({"share": reads, "killed": parse("x")}) == ["killed", "share"]
    with pytest.raises(InputError, match=r"got the string 'a' \(parse it first\)"):
        dependencies({"b": "a"})


@pytest.mark.parametrize(
    ("exprs", "cycle"),
    [
        ({"a": "a + 1"}, "a -> a"),
        ({"a": "b + 1", "b": "2 * a"}, "a -> b -> a"),
        ({"b": "2 * a", "a": "b + 1"}, "b -> a -> b"),
        ({"a": "b", "b": "c", "c": "a"}, "a -> b -> c -> a"),
        ({"x": "y", "c": "a", "a": "b", "b": "c", "y": "1"}, "c -> a -> b -> c"),
    ],
)
def test_dependencies_name_the_cycle(exprs: dict[str, str], cycle: str) -> None:
    parsed = {name: parse(source) for name, source in exprs.items()}
    with pytest.raises(InputError) as info:
        dependencies(parsed)
    assert str(info.value) == f"derived quantities form a cycle: {cycle} (each reads the next)"


@given(st.data())
def test_dependencies_respect_every_edge(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 8))
    rank = data.draw(st.permutations(range(n)))  # reads go from higher to lower rank: a DAG
    graph = {
        f"q{i}": {f"q{j}" for j in range(n) if rank[j] < rank[i] and data.draw(st.booleans())}
        | {"external"}
        for i in range(n)
    }
    order = dependencies(graph)
    assert sorted(order) == sorted(graph)
    position = {name: k for k, name in enumerate(order)}
    for name, reads in graph.items():
        assert all(position[name] > position[dep] for dep in reads if dep in graph)


# ---------------------------------------------------------------------- Unicode spellings
def test_a_value_given_under_a_compatibility_spelling_is_found() -> None:
    # Python reads the identifier "ﬁrst" (with the fi ligature) as "first".
    expr = parse("\ufb01rst + 1")
    assert expr.names == frozenset({"first"})
    assert expr.evaluate({"\ufb01rst": 1.0}) == 2.0
    assert expr.evaluate({"first": 2.0}) == 3.0


def test_two_spellings_of_one_name_are_not_guessed_between() -> None:
    with pytest.raises(InputError, match="name 'first' in '\ufb01rst \\+ 1' has no value"):
        parse("\ufb01rst + 1").evaluate({"\ufb01rst": 1.0, "\uff46irst": 2.0})


def test_functions_registered_under_a_compatibility_spelling_can_be_called() -> None:
    @register_function("\ufb01x")
    def fix(x: Any) -> Any:
        return x + 1

    try:
        assert parse("\ufb01x(y)").evaluate({"y": 1.0}) == 2.0
        assert parse("fix(y)").evaluate({"y": 1.0}) == 2.0
    finally:
        assert unregister_function("\ufb01x") is fix
    assert "fix" not in FUNCTIONS


# --------------------------------------------------------------------------- issue 10: plain words
_DAYS = "days(end - start) is the number of days between two dates"


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        (
            "d + 1",
            f"'+' cannot add a number to a date; use days(...) or a date difference: {_DAYS}",
        ),
        (
            "1 + d",
            f"'+' cannot add a number to a date; use days(...) or a date difference: {_DAYS}",
        ),
        (
            "d - 1",
            "'-' cannot subtract a number from a date; use days(...) or a date difference: "
            + _DAYS,
        ),
        (
            "1 - d",
            "'-' cannot subtract a date from a number; use days(...) or a date difference: "
            + _DAYS,
        ),
        ("d + d", f"'+' cannot add two dates; subtract them for the time between ({_DAYS})"),
        ("d > 5", "'>' cannot compare a date with a number; compare with a date like '2025-06-01'"),
        (
            "5 == d",
            "'==' cannot compare a date with a number; compare with a date like '2025-06-01'",
        ),
        (
            "t >= 5",
            "'>=' cannot compare a time difference with a number; compare days(end - start) with "
            "a number of days",
        ),
        ("d * 2", f"'*' cannot be applied to a date and a number; work in days: {_DAYS}"),
        ("-d", f"'-' cannot be applied to a date; work in days: {_DAYS}"),
        ("sqrt(d)", f"sqrt() cannot work on a date; give it numbers ({_DAYS})"),
        (
            "maximum(d, x)",
            f"maximum() cannot work on a date and a number; give it numbers ({_DAYS})",
        ),
    ],
)
def test_what_numpy_cannot_do_with_dates_is_said_in_plain_words(source: str, reason: str) -> None:
    values = {
        "d": np.array(["2025-01-01", "2025-02-01"], dtype="datetime64[D]"),
        "t": np.array([1, 2], dtype="timedelta64[D]"),
        "x": np.array([1.0, 2.0]),
    }
    with pytest.raises(InputError) as info:
        parse(source, where="derived quantity 'q'").evaluate(values)
    assert str(info.value) == f"derived quantity 'q': cannot evaluate {source!r}: {reason}"


def test_a_failing_link_of_a_chain_is_named() -> None:
    values = {"d": np.datetime64("2025-01-01"), "x": np.array([1.0, 2.0])}
    with pytest.raises(InputError) as info:
        parse("0 < x < d").evaluate(values)
    assert str(info.value) == (
        "expression: cannot evaluate '0 < x < d': '<' cannot compare a date with a number; "
        "compare with a date like '2025-06-01'"
    )
    assert parse("0 < x < 2").evaluate(values).tolist() == [True, False]


@pytest.mark.parametrize(
    ("source", "place"),
    [
        ("a # b", "column 3"),
        ("a + '2025-01-01' #", "column 18"),
        ("(a +\n# b\n 1)", "line 2, column 1"),
    ],
)
def test_a_hash_is_refused_not_read_as_a_comment(source: str, place: str) -> None:
    with pytest.raises(InputError) as info:
        parse(source, where="derived quantity 'q'")
    assert str(info.value) == (
        f"derived quantity 'q': '#' at {place} of {source!r} is not part of the expression "
        "language (it is not a comment either); remove it"
    )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("crossing_date(a, 1, 10, 2025-01-01)", "a date must be quoted, like '2025-06-01'"),
        ("crossing_date(a, 1, 10, '2025-02-30')", "it is not a day of the calendar"),
    ],
)
def test_dates_written_wrongly_are_named_as_dates(text: str, fragment: str) -> None:
    with pytest.raises(InputError, match=re.escape(fragment)):
        parse(text)
