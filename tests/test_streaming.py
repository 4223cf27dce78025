"""summarize_chunked against summarize(simulate(...)): the same figures, chunk by chunk."""

from __future__ import annotations

import numpy as np
import pytest

import attritionsim as asim
from attritionsim import _orderstats, streaming
from attritionsim.errors import InputError

DRAWS = 40_000
CHUNK = 7_000  # does not divide DRAWS


@pytest.fixture(autouse=True)
def small_pilot(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pilot smaller than the run, so the two-pass path runs at test sizes."""
    monkeypatch.setattr(streaming, "_PILOT", 4_096)
    # thinned 8 times below the pilot, as at full size (2**17 pilot draws, 2**14 thinned)
    monkeypatch.setattr(_orderstats, "THIN_TO", 512)


def model() -> asim.Model:
    return asim.Model(
        inputs={
            "ru": asim.from_range(1.1e6, 1.3e6),
            "ua": asim.from_range(5e5, 6e5),
            "rate": asim.from_range(-200.0, 1_200.0, family="normal"),
            "start": "2025-05-31",
        },
        derived={
            "ratio": "ru / ua",
            "in_band": "prob_between(ratio, 2.1, 2.3)",
            # Negative (never reaching) or at least 100 a day: dates within datetime64[ns].
            "pace": lambda d: np.where(d["rate"] > 100.0, d["rate"], -1.0),
            # NaT where the pace is negative: "never" (the count stays below the threshold: a count
            # already past it has crossed by the start, a point mass this test does not want).
            "million": "crossing_date(ru - 500_000, pace, 1_000_000, '2025-05-31')",
            "big": lambda d: np.where(d["ratio"] > 2.35, np.inf, d["ratio"]),
        },
        correlations={("ru", "ua"): 0.4},
        units={"ru": "people", "ratio": "ratio", "in_band": "probability"},
    )


def in_memory(method: str, **kw: object) -> dict:
    ds = asim.simulate(model(), DRAWS, 5, method=method)  # type: ignore[arg-type]
    return asim.summarize(ds, **kw)  # type: ignore[arg-type]


def assert_same(chunked: dict, whole: dict) -> None:
    for key in ("draws", "seed", "method", "level", "version"):
        assert chunked[key] == whole[key]
    assert list(chunked["quantities"]) == list(whole["quantities"])
    for name, expected in whole["quantities"].items():
        got = chunked["quantities"][name]
        assert got.keys() == expected.keys(), name
        for field in expected:
            if field == "mean" and isinstance(expected["mean"], float):
                assert got["mean"] == pytest.approx(expected["mean"], rel=1e-12), name
            elif field == "mcse" and isinstance(expected["mcse"], dict):
                assert got["mcse"]["median"] == expected["mcse"]["median"], name
                assert got["mcse"]["eti"] == expected["mcse"]["eti"], name
                if expected["mcse"]["mean"] is None:
                    assert got["mcse"]["mean"] is None, name
                else:  # from sums of squares, not bit-identical
                    assert got["mcse"]["mean"] == pytest.approx(expected["mcse"]["mean"], rel=1e-9)
                # where the HDI reaches infinite / NaT draws its window is the first one, its
                # lower bound the minimum: the pilot sees less of that extreme tail
                reaches = None in expected["hdi"]
                for a, b in zip(got["mcse"]["hdi"], expected["mcse"]["hdi"], strict=True):
                    assert (a is None) == (b is None), name
                    if a is not None and not reaches:  # estimated from the pilot
                        assert a == pytest.approx(b, rel=0.5), name
            else:
                assert got[field] == expected[field], (name, field)


@pytest.mark.parametrize("method", ["mc", "lhs"])
def test_matches_in_memory(method: str) -> None:
    got = streaming.summarize_chunked(model(), DRAWS, 5, method=method, chunk_size=CHUNK)  # type: ignore[arg-type]
    assert got["chunked"]["passes"] == 2
    whole = in_memory(method)
    assert_same(got, whole)
    million = whole["quantities"]["million"]
    assert 0.0 < million["never"] < 0.5  # dates with NaT were exercised
    assert whole["quantities"]["big"]["eti"][1] is None  # and infinite draws


def test_level_and_quantities() -> None:
    names = ["million", "ratio", "in_band"]
    got = streaming.summarize_chunked(
        model(), DRAWS, 5, chunk_size=9_999, quantities=names, level=0.5
    )
    assert_same(got, in_memory("mc", level=0.5, quantities=names))


def test_sobol_and_mostly_never() -> None:
    m = asim.Model(
        {"rate": asim.from_range(-1_000.0, 100.0, family="normal"), "start": "2025-01-01"},
        {
            "pace": lambda d: np.where(d["rate"] > 10.0, d["rate"], -1.0),
            "when": "crossing_date(0, pace, 1_000, start)",
        },
    )
    draws = 2**14
    got = streaming.summarize_chunked(m, draws, 2, method="sobol", chunk_size=5_000)
    whole = asim.summarize(asim.simulate(m, draws, 2, method="sobol"))
    assert whole["quantities"]["when"]["never"] > 0.5
    assert_same(got, whole)


def test_small_runs_are_summarised_in_memory() -> None:
    got = streaming.summarize_chunked(model(), 3_000, 5, chunk_size=1_000)
    assert got["chunked"]["passes"] == 1
    whole = asim.summarize(asim.simulate(model(), 3_000, 5))
    assert got["quantities"] == whole["quantities"]


def test_progress_counts_every_pass() -> None:
    seen: list[tuple[int, int]] = []
    streaming.summarize_chunked(
        model(), 10_000, 1, chunk_size=3_000, quantities="ratio", progress=lambda *a: seen.append(a)
    )
    assert seen[-1][0] == seen[-1][1] == 4_096 + 2 * 10_000


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"draws": 0}, "draws"),
        ({"seed": -1}, "seed"),
        ({"method": "grid"}, "method"),
        ({"chunk_size": 0}, "chunk_size"),
        ({"level": 1.5}, "level"),
        ({"quantities": ["nope"]}, "quantities"),
        ({"quantities": "start"}, "constant"),
        ({"quantities": []}, "at least one"),
    ],
)
def test_bad_input(kwargs: dict, match: str) -> None:
    args = {"draws": 10_000, "seed": 1, **kwargs}
    draws, seed = args.pop("draws"), args.pop("seed")
    with pytest.raises(InputError, match=match):
        streaming.summarize_chunked(model(), draws, seed, **args)


def test_bad_model() -> None:
    with pytest.raises(InputError, match="Model"):
        streaming.summarize_chunked("model", 10, 1)  # type: ignore[arg-type]


def invalid_model() -> asim.Model:
    """A quantity of each kind of invalid draw: NaN, below zero, above one, outside a declared
    domain, and one without any valid draw."""
    return asim.Model(
        {"x": asim.from_range(1.0, 2.0), "z": asim.from_range(-0.3, 1.3, family="normal")},
        {
            "nan": "log(x - 1.2)",  # NaN below x = 1.2
            "rate": "(x - 0.97) * 1000",  # people/day: below zero in the lower tail
            "share": "z",  # above one and below zero
            "declared": "x",  # declared domain [0, 1.8]
            "none": "sqrt(-x)",  # every draw NaN
        },
        units={"rate": "people/day", "share": "share"},
        domains={"declared": [0, 1.8]},
    )


@pytest.mark.parametrize("draws", [DRAWS, 3_000])  # two passes, and in memory
def test_invalid_draws_agree_with_summarize(draws: int) -> None:
    m = invalid_model()
    got = streaming.summarize_chunked(m, draws, 3, chunk_size=CHUNK)
    whole = asim.summarize(asim.simulate(m, draws, 3))
    assert_same(got, whole)
    q = whole["quantities"]
    assert set(q["nan"]["invalid_draws"]) == {"nan"}
    assert set(q["rate"]["invalid_draws"]) == {"below"}
    assert set(q["share"]["invalid_draws"]) == {"below", "above"}
    assert set(q["declared"]["invalid_draws"]) == {"above"}
    assert q["declared"]["domain"] == [0.0, 1.8]
    assert q["none"]["invalid"] == 1.0 and q["none"]["median"] is None
    assert "invalid" not in q["x"]
    for name in ("nan", "rate", "share", "declared"):
        assert 0.0 < q[name]["invalid"] < 0.5, name
