"""The attrition functions in the expression language: registered by name, callable, simulated."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import attritionsim as asim
import attritionsim.attrition as att
from attritionsim.errors import InputError
from attritionsim.expr import FUNCTIONS, parse


def test_functions_are_registered_under_their_names() -> None:
    for name in (
        "killed_share",
        "wounded",
        "wounded_per_killed",
        "broken_split",
        "share_of",
        "ratio",
        "prob_between",
        "prob_greater",
        "implied_rate",
        "crossing_date",
        "undated",
        "prob_crossed_by",
        "multiple_of",
        "per_area",
    ):
        assert FUNCTIONS[name] is getattr(att, name)


def test_expressions_call_the_domain_functions() -> None:
    values = {"c": np.array([950_000.0, 950_000.0]), "r": np.array([1_000.0, 0.0])}
    got = parse("crossing_date(c, r, 1_000_000, '2025-06-01')").evaluate(values)
    np.testing.assert_array_equal(got, np.array(["2025-07-21", "NaT"], dtype="datetime64[s]"))
    crossed = parse(
        "prob_crossed_by(crossing_date(c, r, 1_000_000, '2025-06-01'), '2025-08-01')"
    ).evaluate(values)
    np.testing.assert_array_equal(crossed, [True, False])
    band = parse("prob_between(ratio(ru, ua), 2, 2.5)").evaluate(
        {"ru": np.array([1.0e6, 1.3e6]), "ua": np.array([4.5e5, 5e5])}
    )
    np.testing.assert_array_equal(band, [True, False])
    rate = parse("implied_rate(a, '2025-03-01', b, '2025-06-09')").evaluate(
        {"a": 790_000.0, "b": 900_000.0}
    )
    assert rate == 1_100.0
    with pytest.raises(InputError, match=r"cannot evaluate .*share must be in"):
        parse("share_of(c, 2)").evaluate(values)


def test_model_with_domain_functions_simulates() -> None:
    model = asim.Model(
        inputs={
            "casualties": asim.from_range(1.1e6, 1.3e6),
            "share": asim.from_range(0.2, 0.3, family="beta"),
            "rate": asim.from_range(900.0, 1_100.0),
        },
        derived={
            "killed": "share_of(casualties, share)",
            "wpk": "wounded_per_killed(casualties, killed)",
            "crossing": "crossing_date(casualties, rate, 1_500_000, '2025-06-01')",
            "by_2026": "prob_crossed_by(crossing, '2026-01-01')",
        },
    )
    ds = asim.simulate(model, draws=4_000, seed=3)
    assert ds["crossing"].dtype.kind == "M"
    assert not np.isnan(ds["wpk"]).any()
    assert 0.0 < float(ds["by_2026"].mean()) < 1.0


def test_importing_attritionsim_registers_them_once_in_one_place() -> None:
    code = (
        "import attritionsim\n"
        "from attritionsim.attrition import EXPRESSION_FUNCTIONS\n"
        "from attritionsim.expr import FUNCTIONS\n"
        "print(','.join(f.__name__ for f in EXPRESSION_FUNCTIONS))\n"
        "print(all(FUNCTIONS[f.__name__] is f for f in EXPRESSION_FUNCTIONS))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    names, registered = result.stdout.splitlines()
    assert names == (
        "killed_share,wounded,wounded_per_killed,broken_split,share_of,ratio,prob_between,"
        "prob_greater,multiple_of,per_area,implied_rate,crossing_date,undated,prob_crossed_by"
    )
    assert registered == "True"
    package = Path(att.__file__).parent
    registering = sorted(
        path.name for path in package.glob("*.py") if "register_function" in path.read_text()
    )
    assert registering == ["__init__.py"]
