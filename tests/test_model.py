"""Model and simulate: keeping, progress, memory, names and bad input (the engine: test_engine)."""

from __future__ import annotations

import os
import time
import tracemalloc
from typing import Any

import numpy as np
import pytest

import attritionsim as asim
from attritionsim import InputError, _engine


def example_model(**overrides: Any) -> asim.Model:
    options: dict[str, Any] = {
        "inputs": {
            "ru": asim.from_range(1.1e6, 1.3e6),
            "ua": asim.from_range(5e5, 6e5),
            "killed": asim.up_to(250_000),
            "start": "2025-06-01",
        },
        "derived": {
            "ratio": "ru / ua",
            "gap": lambda q: q["ru"] - q["ua"],
            "in_band": "2 <= ratio <= 2.5",
            "share": "killed / ru",
        },
        "correlations": {("ru", "ua"): 0.3},
        "units": {"ru": "people", "ua": "people", "ratio": "ratio", "share": "share"},
    }
    options.update(overrides)
    return asim.Model(**options)


MODEL = example_model()


# ------------------------------------------------------------------------------ simulate in memory
def test_keep_drops_other_quantities_but_keeps_the_values() -> None:
    full = asim.simulate(MODEL, 300, seed=2)
    some = asim.simulate(MODEL, 300, seed=2, keep=["ratio", "in_band"], chunk_size=77)
    assert list(some.data_vars) == ["ratio", "in_band"]
    assert np.array_equal(some["ratio"].values, full["ratio"].values)


def test_progress_is_reported_per_chunk() -> None:
    seen: list[tuple[int, int]] = []
    asim.simulate(MODEL, 250, seed=1, chunk_size=100, progress=lambda d, n: seen.append((d, n)))
    assert seen == [(100, 250), (200, 250), (250, 250)]


def test_chunked_peak_memory_stays_near_the_chunk() -> None:
    model = asim.Model(
        {f"x{i}": asim.from_range(1.0 + i, 2.0 + i) for i in range(5)},
        {"total": "x0 + x1 + x2 + x3 + x4"},
    )
    draws, chunk = 1_000_000, 10_000
    tracemalloc.start()
    asim.simulate(model, draws, seed=1, chunk_size=chunk, keep=["total"])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    output = draws * 8
    working = chunk * (5 + 1) * 8
    assert peak < output + 20 * working  # unchunked, the inputs alone would take 5 * output


# ------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"derived": {"ratio": "ruu / ua"}}, r"ratio.*'ruu'.*did you mean 'ru'"),
        ({"derived": {"a": "b + 1", "b": "a * 2"}}, "cycle"),
        ({"derived": {"a": "a + 1"}}, "cycle"),
        ({"derived": {"ru": "ua * 2"}}, "both an input and a derived"),
        ({"derived": {"bad name": "ua * 2"}}, "not valid"),
        ({"derived": {"x": 3}}, "expression string or a callable"),
        ({"correlations": {("ru", "start"): 0.2}}, "constant"),
        ({"correlations": {("ru", "nope"): 0.2}}, "nope"),
        (
            {"correlations": {("ru", "ua"): 0.9, ("ua", "killed"): 0.9, ("ru", "killed"): -0.9}},
            "positive definite",
        ),
        ({"units": {"ratoi": "1"}}, "did you mean 'ratio'"),
    ],
)
def test_bad_models_are_refused(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(InputError, match=match):
        example_model(**kwargs)


@pytest.mark.parametrize(
    ("inputs", "match"),
    [
        ({"x": "last spring"}, r"input 'x'.*ISO date"),
        ({"x": float("nan")}, "input 'x'"),
        ({"x": [1, 2]}, "input 'x'"),
        ({"1x": 1.0}, "not valid"),
        ({"class": 1.0}, "not valid"),
    ],
)
def test_bad_inputs_are_refused(inputs: dict[str, Any], match: str) -> None:
    with pytest.raises(InputError, match=match):
        asim.Model(inputs)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"draws": 0}, "draws"),
        ({"draws": -5}, "draws"),
        ({"draws": 10.5}, "draws"),
        ({"seed": -1}, "seed"),
        ({"method": "montecarlo"}, "method"),
        ({"chunk_size": 0}, "chunk_size"),
        ({"keep": ["ratoi"]}, "did you mean 'ratio'"),
        ({"keep": []}, "keep"),
    ],
)
def test_bad_simulate_arguments_are_refused(kwargs: dict[str, Any], match: str) -> None:
    args: dict[str, Any] = {"draws": 10, "seed": 1, **kwargs}
    with pytest.raises(InputError, match=match):
        asim.simulate(MODEL, **args)


def test_model_digest_changes_with_the_model() -> None:
    assert MODEL.digest() == example_model().digest()
    assert MODEL.digest() != example_model(units={}).digest()


# ------------------------------------------------------------------------------ names
X = asim.from_range(1.0, 2.0)


@pytest.mark.parametrize("where", ["inputs", "derived"])
@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("draw", "the dimension of the draws in every result"),
        ("date", "the dimension of trajectories over dates"),
    ],
)
def test_reserved_names_are_refused(where: str, name: str, role: str) -> None:
    inputs: dict[str, Any] = {"x": X}
    derived: dict[str, Any] = {}
    (inputs if where == "inputs" else derived)[name] = X if where == "inputs" else "x * 2"
    with pytest.raises(InputError) as err:
        asim.Model(inputs, derived)
    assert str(err.value) == (
        f"quantity name {name!r} is reserved ({role}); rename it (e.g. {name + '_value'!r})"
    )
    assert asim.model.RESERVED_NAMES[name] == role


def test_a_quantity_named_like_a_reserved_one_keeps_its_draws() -> None:
    ds = asim.simulate(asim.Model({"x": X}, {"draws": "x * 2"}), 10, seed=1)
    assert ds.sizes["draw"] == 10 and np.array_equal(ds["draws"].values, 2 * ds["x"].values)


def test_names_differing_only_by_unicode_normalisation_are_duplicates() -> None:
    composed, decomposed = "caf\u00e9", "cafe\u0301"
    with pytest.raises(InputError) as err:
        asim.Model({composed: X}, {decomposed: f"{composed} * 2"})
    assert str(err.value) == (
        f"quantity names {composed!r} and {decomposed!r} differ only by Unicode normalisation "
        f"(both read as {composed!r}); rename one"
    )


@pytest.mark.parametrize("name", ["\ufb01rst", "cafe\u0301", "\u210bx"])
def test_names_not_in_nfkc_form_are_refused(name: str) -> None:
    import unicodedata

    normal = unicodedata.normalize("NFKC", name)
    with pytest.raises(InputError) as err:
        asim.Model({name: X})
    assert str(err.value) == (
        f"quantity name {name!r} is not in Unicode normal form: expressions read it as "
        f"{normal!r}; name it {normal!r}"
    )


def test_a_normal_form_unicode_name_can_be_referenced() -> None:
    ds = asim.simulate(asim.Model({"café": X}, {"doppelt": "café * 2"}), 5, seed=1)
    assert np.array_equal(ds["doppelt"].values, 2 * ds["café"].values)


# ------------------------------------------------------------------------------ run arguments
@pytest.mark.parametrize("progress", ["x", 3, [print]])
def test_progress_must_be_callable(progress: object) -> None:
    with pytest.raises(InputError) as err:
        asim.simulate(MODEL, 10, seed=1, progress=progress)  # type: ignore[arg-type]
    assert str(err.value) == (
        f"progress must be a function called as progress(done, total), or None; got {progress!r}"
    )


def test_simulate_refuses_a_run_beyond_memory_before_drawing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_drawing(*args: object, **kwargs: object) -> None:
        raise AssertionError("drew before checking the memory")

    monkeypatch.setattr(_engine, "iter_blocks", no_drawing)
    model = asim.Model({"x": X, "c": 3.0}, {"y": "x * c"})
    start = time.perf_counter()
    with pytest.raises(InputError) as err:
        asim.simulate(model, 10**12, seed=1)
    assert time.perf_counter() - start < 1.0
    ceiling = asim.model.memory_ceiling()
    assert "draws=1,000,000,000,000 would need 16 TB of memory for 2 kept quantities" in str(
        err.value
    )
    assert "use summarize_chunked() or simulate_dask(), or keep fewer quantities" in str(err.value)
    assert ceiling == int(
        (os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")) * asim.model.MEMORY_SHARE
    )


def test_memory_ceiling_message_counts_the_kept_draws_and_the_working_chunk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model = asim.Model({"x": X, "c": 3.0}, {"y": "x * c", "z": "y + 1"})
    monkeypatch.setattr(asim.model, "memory_ceiling", lambda: 20_000)
    # keep z only, in chunks of 100: 8 * (1000 * 1 + 100 * 3) = 10,400 bytes fit...
    assert asim.simulate(model, 1000, seed=1, keep=["z"], chunk_size=100).sizes["draw"] == 1000
    # ... all at once: 8 * 1000 * 3 = 24,000 bytes do not.
    with pytest.raises(InputError) as err:
        asim.simulate(model, 1000, seed=1, keep=["z"])
    assert str(err.value) == (
        "draws=1,000 would need 24 kB of memory for 1 kept quantity, above simulate()'s "
        "ceiling of 20 kB (half this machine's memory); use summarize_chunked() or "
        "simulate_dask(), or keep fewer quantities"
    )


def test_memory_ceiling_falls_back_where_memory_is_not_reported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def unknown(name: str) -> int:
        raise ValueError(name)

    monkeypatch.setattr(asim.model.os, "sysconf", unknown)
    assert asim.model.memory_ceiling() == 4 * 2**30


@pytest.mark.parametrize("draws", [2**63, 10**30])
def test_simulate_refuses_astronomical_draws_at_once(draws: int) -> None:
    start = time.perf_counter()
    with pytest.raises(InputError, match=r"^draws must be at most 1e\+12"):
        asim.simulate(MODEL, draws, seed=1)
    assert time.perf_counter() - start < 1.0


def test_summarize_chunked_progress_must_be_callable() -> None:
    with pytest.raises(InputError) as err:
        asim.summarize_chunked(MODEL, 10, seed=1, progress="x")  # type: ignore[arg-type]
    assert str(err.value) == (
        "progress must be a function called as progress(done, total), or None; got 'x'"
    )
