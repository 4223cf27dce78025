"""The engine every backend shares: blocks of draws, drawing, deriving, the Dataset."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import attritionsim as asim
from attritionsim import InputError, _engine, _rng
from attritionsim.distributions import LogNormal
from test_model import example_model  # one model for the engine's and the model's tests

MODEL = example_model()
SRC = Path(asim.__file__).parent


# ------------------------------------------------------------------------------ blocks of draws
@pytest.mark.parametrize("method", ["mc", "lhs", "sobol"])
@settings(max_examples=25)
@given(chunk=st.integers(1, 1100))
def test_bit_identical_whatever_the_chunk_size(method: str, chunk: int) -> None:
    draws = 1024
    whole = asim.simulate(MODEL, draws, seed=3, method=method)  # type: ignore[arg-type]
    parts = asim.simulate(MODEL, draws, seed=3, method=method, chunk_size=chunk)  # type: ignore[arg-type]
    xr.testing.assert_identical(whole, parts)
    for name in whole.data_vars:  # exact bits, not just equal values
        assert whole[name].values.tobytes() == parts[name].values.tobytes()


def test_repeated_runs_are_identical_and_seeds_differ() -> None:
    one = asim.simulate(MODEL, 1000, seed=1)
    xr.testing.assert_identical(one, asim.simulate(MODEL, 1000, seed=1))
    other = asim.simulate(MODEL, 1000, seed=2)
    assert not np.array_equal(one["ru"].values, other["ru"].values)


@pytest.mark.parametrize("method", ["mc", "lhs"])
def test_an_inputs_draws_do_not_depend_on_the_other_inputs(method: str) -> None:
    dist = asim.from_range(10.0, 20.0)
    base = asim.Model({"x": dist, "y": asim.from_range(1.0, 2.0)})
    added = asim.Model({"z": asim.from_range(3.0, 4.0), "y": asim.from_range(1.0, 2.0), "x": dist})
    alone = asim.Model({"x": dist})
    runs = [asim.simulate(m, 500, seed=8, method=method) for m in (base, added, alone)]  # type: ignore[arg-type]
    for ds in runs[1:]:
        assert np.array_equal(ds["x"].values, runs[0]["x"].values)


@pytest.mark.parametrize("method", ["mc", "lhs", "sobol"])
def test_iter_blocks_gives_any_range_in_any_blocks_bit_for_bit(method: str) -> None:
    draws = 1024
    whole = asim.simulate(MODEL, draws, seed=3, method=method)  # type: ignore[arg-type]
    kept = ["ru", "start", "ratio", "gap"]
    blocks = list(_engine.iter_blocks(MODEL, draws, 3, method, 37, 900, 101, kept))  # type: ignore[arg-type]
    assert [(begin, end) for begin, end, _ in blocks] == [
        (begin, min(begin + 101, 900)) for begin in range(37, 900, 101)
    ]
    for begin, end, values in blocks:
        assert list(values) == kept
        assert values["start"] == np.datetime64("2025-06-01")
        for name in ("ru", "ratio", "gap"):
            assert values[name].tobytes() == whole[name].values[begin:end].tobytes()


def test_iter_blocks_draws_only_what_the_kept_quantities_need() -> None:
    model = asim.Model(
        {"x": asim.from_range(1.0, 2.0), "y": asim.from_range(3.0, 4.0)},
        {"double": "2 * x", "bad": lambda q: q["y"][:1]},  # "bad" would fail if computed
    )
    ((begin, end, values),) = _engine.iter_blocks(model, 10, 1, "mc", 0, 10, 10, ["double"])
    assert (begin, end, list(values)) == (0, 10, ["double"])
    assert np.array_equal(values["double"], 2 * asim.simulate(model, 10, seed=1, keep="x")["x"])


# ------------------------------------------------------------------------------ drawing


def test_draws_follow_the_distribution() -> None:
    ds = asim.simulate(MODEL, 50_000, seed=4)
    # The stated range is the central 90% interval of the draws.
    assert np.quantile(ds["ua"].values, [0.05, 0.95]) == pytest.approx([5e5, 6e5], rel=0.005)
    assert stats.kstest(ds["killed"].values, "uniform", args=(200_000, 50_000)).pvalue > 1e-4


@pytest.mark.parametrize("method", ["mc", "lhs", "sobol"])
@pytest.mark.parametrize(
    "family", ["uniform", "triangular", "pert", "normal", "truncnormal", "lognormal", "gamma"]
)
def test_rank_correlation_is_achieved_for_every_family_and_method(family: str, method: str) -> None:
    draws, rho = 8192, 0.6
    model = asim.Model(
        {
            "a": asim.from_range(2.0, 5.0, family=family),  # type: ignore[arg-type]
            "b": asim.from_range(0.2, 0.4, family="beta"),
        },
        correlations={("a", "b"): rho},
    )
    ds = asim.simulate(model, draws, seed=6, method=method)  # type: ignore[arg-type]
    achieved = stats.spearmanr(ds["a"].values, ds["b"].values).statistic
    assert abs(achieved - rho) < 5 * (1 - rho**2) / np.sqrt(draws)


def test_lhs_inputs_have_one_draw_per_stratum() -> None:
    ds = asim.simulate(MODEL, 2000, seed=5, method="lhs")
    # "ru" leads its correlated group and "killed" is independent: both keep their strata.
    for name, dist in [("ru", MODEL.inputs["ru"]), ("killed", MODEL.inputs["killed"])]:
        assert isinstance(dist, asim.Distribution)
        strata = np.floor(dist.cdf(ds[name].values) * 2000 + 1e-9).astype(np.int64)
        assert np.array_equal(np.sort(strata), np.arange(2000))


@pytest.mark.parametrize("method", ["mc", "lhs", "sobol"])
def test_draw_inputs_in_two_blocks_equal_one_block(method: str) -> None:
    names = ["ru", "ua", "killed"]
    whole = _engine.draw_inputs(MODEL, method, 9, names, 0, 512, 512)  # type: ignore[arg-type]
    first = _engine.draw_inputs(MODEL, method, 9, names, 0, 200, 512)  # type: ignore[arg-type]
    second = _engine.draw_inputs(MODEL, method, 9, names, 200, 512, 512)  # type: ignore[arg-type]
    assert list(whole) == names
    for name in names:
        joined = np.concatenate([first[name], second[name]])
        assert joined.tobytes() == whole[name].tobytes()
    ds = asim.simulate(MODEL, 512, seed=9, method=method)  # type: ignore[arg-type]
    assert whole["ua"].tobytes() == ds["ua"].values.tobytes()


DISTRIBUTIONS = {
    "normal": asim.from_range(5e5, 6e5, family="normal"),
    "lognormal": asim.from_range(1e3, 1e7, family="lognormal"),
    "gamma": asim.from_range(2.0, 5.0, family="gamma"),
    "beta": asim.from_range(0.2, 0.4, family="beta"),
    "pert": asim.pert(1.0, 2.0, 5.0),
    "uniform": asim.up_to(250_000),
    "metalog": asim.metalog({0.1: 10.0, 0.5: 20.0, 0.9: 40.0}),
    "mixture": asim.mixture([asim.from_range(1.0, 2.0), asim.from_range(3.0, 5.0)]),
    "pooled": asim.pool([asim.from_range(1.0, 3.0), asim.from_range(2.0, 6.0)], method="log"),
}


@pytest.mark.parametrize("name", list(DISTRIBUTIONS))
def test_ppf_unchecked_gives_ppfs_bits_inside_zero_one(name: str) -> None:
    dist = DISTRIBUTIONS[name]
    q = np.concatenate([_rng.open_uniforms(np.random.default_rng(4), (500,)), [1e-12, 0.5]])
    assert dist.ppf_unchecked(q).tobytes() == dist.ppf(q).tobytes()
    draws = dist.sample(300, rng=7)
    again = dist.ppf_unchecked(_rng.open_uniforms(np.random.default_rng(7), (300,)))
    assert draws.tobytes() == again.tobytes()  # sampling is ppf_unchecked(uniforms)


def test_ppf_unchecked_is_quiet_beyond_the_float_range() -> None:
    wide = LogNormal(0.0, 110.0)  # finite at the probabilities Q_CHECKED, not beyond them
    q = np.array([1e-300, 0.5, 1.0 - 1e-16])
    with np.errstate(over="raise", under="raise"):
        assert wide.ppf_unchecked(q).tolist() == [0.0, 1.0, np.inf]


# ------------------------------------------------------------------------------ deriving


def test_date_differences_become_float_days() -> None:
    model = asim.Model(
        {"start": "2025-06-01", "end": "2025-07-01", "x": asim.from_range(1.0, 2.0)},
        {"span": "end - start", "per_day": "x / span"},
    )
    ds = asim.simulate(model, 10, seed=1)
    assert ds["span"].dims == () and float(ds["span"]) == 30.0
    assert np.array_equal(ds["per_day"].values, ds["x"].values / 30.0)


def test_a_derived_quantity_must_give_one_value_per_draw() -> None:
    model = asim.Model({"x": asim.from_range(1.0, 2.0)}, {"y": lambda q: q["x"][:3]})
    with pytest.raises(InputError, match=r"derived quantity 'y'.*shape"):
        asim.simulate(model, 10, seed=1)


def test_a_callable_reading_an_unknown_name_is_reported() -> None:
    model = asim.Model({"x": asim.from_range(1.0, 2.0)}, {"y": lambda q: q["nope"]})
    with pytest.raises(InputError, match=r"derived quantity 'y'.*nope"):
        asim.simulate(model, 10, seed=1)


def test_derive_adds_only_the_needed_quantities_in_place() -> None:
    values: dict[str, Any] = {"ru": np.array([1.2e6, 1.0e6]), "ua": np.array([6e5, 5e5])}
    out = _engine.derive(MODEL, values, frozenset({"ru", "ua", "ratio", "in_band"}), 2)
    assert out is values
    assert list(out) == ["ru", "ua", "ratio", "in_band"]
    assert out["ratio"].tolist() == [2.0, 2.0] and out["in_band"].tolist() == [True, True]


def test_derive_turns_integers_into_floats_and_keeps_scalars() -> None:
    model = asim.Model({"x": asim.from_range(1.0, 2.0)}, {"n": lambda q: np.arange(3), "k": "7"})
    out = _engine.derive(model, {"x": np.ones(3)}, frozenset({"n", "k"}), 3)
    assert out["n"].dtype == np.float64 and out["n"].tolist() == [0.0, 1.0, 2.0]
    assert np.ndim(out["k"]) == 0 and float(out["k"]) == 7.0


def test_a_derived_quantity_of_another_type_is_refused() -> None:
    model = asim.Model({"x": asim.from_range(1.0, 2.0)}, {"s": lambda q: np.array(["a", "b"])})
    with pytest.raises(InputError) as err:
        _engine.derive(model, {"x": np.ones(2)}, frozenset({"s"}), 2)
    assert str(err.value) == (
        "derived quantity 's' gave values of type <U1; expected numbers, dates or bools"
    )


def test_needed_names_follow_expressions_and_everything_before_a_callable() -> None:
    assert _engine.needed_names(MODEL, ["share"]) == {"share", "killed", "ru"}
    assert _engine.needed_names(MODEL, ["in_band"]) == {"in_band", "ratio", "ru", "ua"}
    # "gap" is a callable: it may read every input and "ratio", listed before it.
    assert _engine.needed_names(MODEL, ["gap"]) == {"gap", "ratio", "ru", "ua", "killed", "start"}


# ------------------------------------------------------------------------------ run settings


def test_sobol_warns_when_draws_is_not_a_power_of_two() -> None:
    with pytest.warns(UserWarning, match="power of two"):
        asim.simulate(MODEL, 1000, seed=1, method="sobol")


def test_sobol_warning_is_an_attritionsim_warning() -> None:
    with pytest.warns(asim.AttritionWarning) as record:
        asim.simulate(MODEL, 1000, seed=1, method="sobol")
    assert issubclass(asim.AttritionWarning, UserWarning)
    assert [str(w.message) for w in record] == [
        "Sobol points are balanced only for a power of two draws; got 1,000 (try 1,024)"
    ]
    assert record[0].filename == __file__  # reported at the caller's line


def test_run_settings_are_checked_and_the_chunk_is_at_most_the_draws() -> None:
    assert _engine.run_settings(MODEL, 100, 3, "lhs", None) == (100, 3, "lhs", 100)
    assert _engine.run_settings(MODEL, 100, 3, "mc", 1000) == (100, 3, "mc", 100)
    assert _engine.run_settings(MODEL, 100, 3, "mc", 30) == (100, 3, "mc", 30)
    with pytest.raises(InputError, match=r"^chunk_size"):
        _engine.run_settings(MODEL, 100, 3, "mc", 0)


def test_kept_names_are_in_the_models_order() -> None:
    assert _engine.kept_names(MODEL, None) == MODEL.names
    assert _engine.kept_names(MODEL, ["share", "ru"]) == ("ru", "share")
    assert _engine.kept_names(MODEL, "ratio") == ("ratio",)
    with pytest.raises(InputError) as err:
        _engine.kept_names(MODEL, [])
    assert str(err.value) == "keep must name at least one quantity"


@pytest.mark.parametrize(
    "run",
    [
        lambda m: asim.simulate(m, 10, seed=1),
        lambda m: asim.simulate_dask(m, 10, seed=1),
        lambda m: asim.summarize_chunked(m, 10, seed=1),
        lambda m: asim.sobol_indices(m, "y", seed=1),
        lambda m: asim.simulate_to_precision(m, seed=1),
        _engine.check_model,
    ],
    ids=["simulate", "simulate_dask", "summarize_chunked", "sobol_indices", "precision", "check"],
)
def test_every_backend_refuses_what_is_not_a_model_alike(run: Any) -> None:
    with pytest.raises(InputError) as err:
        run({"x": asim.from_range(1.0, 2.0)})
    assert str(err.value) == "model must be an attritionsim.Model; got dict"


# ------------------------------------------------------------------------------ the Dataset


def test_dataset_layout_types_and_provenance() -> None:
    ds = asim.simulate(MODEL, 100, seed=1)
    assert list(ds.data_vars) == ["ru", "ua", "killed", "start", "ratio", "gap", "in_band", "share"]
    assert ds["ru"].dims == ("draw",) and ds["ru"].dtype == np.float64
    assert ds["start"].dims == () and ds["start"].dtype.kind == "M"
    assert ds["start"].values == np.datetime64("2025-06-01")
    assert ds["in_band"].dtype == np.bool_
    assert np.array_equal(ds["ratio"].values, ds["ru"].values / ds["ua"].values)
    assert np.array_equal(ds["gap"].values, ds["ru"].values - ds["ua"].values)
    assert ds["ratio"].attrs["expression"] == "ru / ua"
    assert ds["ratio"].attrs["units"] == "ratio"
    assert ds["gap"].attrs["expression"].startswith("callable ")
    spec = json.loads(ds["ru"].attrs["distribution"])
    assert asim.from_spec(spec) == MODEL.inputs["ru"]
    assert ds.attrs["seed"] == 1 and ds.attrs["draws"] == 100 and ds.attrs["method"] == "mc"
    assert ds.attrs["attritionsim_version"] == asim.__version__
    assert ds.attrs["model_digest"] == MODEL.digest()


def test_netcdf_round_trip_is_exact(tmp_path: Path) -> None:
    model = example_model(
        inputs={
            "ru": asim.from_range(1.1e6, 1.3e6),
            "ua": asim.from_range(5e5, 6e5),
            "killed": asim.up_to(250_000),
            "start": "2025-06-01",
            "rate": asim.from_range(800.0, 1200.0),
        },
        derived={
            "ratio": "ru / ua",
            "gap": lambda q: q["ru"] - q["ua"],
            "in_band": "2 <= ratio <= 2.5",
            "share": "killed / ru",
            "when": lambda q: q["start"] + (q["ua"] / q["rate"]).astype("timedelta64[D]"),
        },
    )
    ds = asim.simulate(model, 500, seed=2**40 + 9)  # a seed beyond 32 bits
    path = tmp_path / "results.nc"
    ds.to_netcdf(path)
    with xr.open_dataset(path) as back:
        back.load()
    xr.testing.assert_identical(ds, back)
    assert back["when"].dtype.kind == "M" and back["in_band"].dtype == np.bool_


def test_build_dataset_labels_draws_constants_and_dates() -> None:
    model = asim.Model(
        {"x": asim.from_range(1.0, 2.0), "c": 3, "day": "2025-06-01"},
        {"y": "x * c"},
        units={"x": "people", "day": "date"},
        long_names={"y": "x times c"},
        sources={"x": ["a-1", "b-2"]},
        title="T",
    )
    ds = _engine.build_dataset(
        model,
        ["y", "c", "day"],
        {"y": np.array([1.0, 2.0])},
        {"c": 3.0, "day": np.datetime64("2025-06-01", "D")},
        seed=4,
        draws=2,
        method="lhs",
    )
    assert list(ds.data_vars) == ["y", "c", "day"]
    assert ds["y"].dims == ("draw",) and ds["c"].dims == () and ds["day"].dims == ()
    assert ds["y"].attrs == {
        "units": "",
        "long_name": "x times c",
        "kind": "derived",
        "expression": "x * c",
    }
    assert ds["c"].attrs == {"units": "", "long_name": "c", "kind": "constant", "value": "3"}
    assert ds["day"].attrs == {"long_name": "day", "kind": "constant", "value": "2025-06-01"}
    assert ds.attrs == {
        "title": "T",
        "seed": 4,
        "draws": 2,
        "method": "lhs",
        "attritionsim_version": asim.__version__,
        "model_digest": model.digest(),
        "rng_layout": _rng.LAYOUT,
    }
    x = asim.simulate(model, 2, seed=4, keep="x")["x"]
    assert x.attrs["sources"] == "a-1, b-2" and x.attrs["kind"] == "input"
    assert x.attrs["description"] == repr(model.inputs["x"])


# ------------------------------------------------------------------------------ layering
def test_no_module_reaches_the_engines_or_the_models_private_names() -> None:
    # Imports of underscore names from model / _engine, calls of their underscore functions,
    # and the families' private inverse CDF called from outside a distribution.
    private = re.compile(
        r"from \.+(?:_engine|model) import [^\n]*\b_[a-z]"
        r"|\b(?:_engine|model)\._[a-z]+\("
        r"|\b(?!self\b)[a-z_]+\._ppf\("
    )
    found = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for path in sorted(SRC.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if private.search(line)
    ]
    assert found == []
    assert private.search("from .model import Model, _iter_blocks")  # the check can fail
    assert private.search("values = dist._ppf(u)")
