"""Tests for attritionsim.distributions: formulas against scipy.stats, and shared behaviour."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from scipy import integrate, optimize, special, stats

import attritionsim as asim
from attritionsim.distributions import (
    PERT,
    RANGE_FAMILIES,
    Beta,
    Distribution,
    FloatRangeError,
    Gamma,
    LogNormal,
    Metalog,
    Mixture,
    Normal,
    Triangular,
    TruncNormal,
    Uniform,
    _mixture,
    from_spec,
)
from attritionsim.errors import InputError

# Probabilities at which quantile functions are compared: both tails and the body.
Q_GRID = np.concatenate([[1e-9, 1e-6, 1e-3], np.linspace(0.01, 0.99, 50), [0.999, 1.0 - 1e-6]])


def _pert_reference(low: float, mode: float, high: float, shape: float) -> Any:
    width = high - low
    alpha = 1.0 + shape * (mode - low) / width
    beta = 1.0 + shape * (high - mode) / width
    return stats.beta(alpha, beta, loc=low, scale=width)


def _truncnorm_reference(mu: float, sigma: float) -> Any:
    return stats.truncnorm((0.0 - mu) / sigma, np.inf, loc=mu, scale=sigma)


# (id, our distribution, the frozen scipy.stats distribution with the same law)
REFERENCES: list[tuple[str, Distribution, Any]] = [
    ("uniform", Uniform(2.0, 7.0), stats.uniform(loc=2.0, scale=5.0)),
    ("uniform-negative", Uniform(-3e6, -1e6), stats.uniform(loc=-3e6, scale=2e6)),
    ("triangular", Triangular(1.0, 3.0, 10.0), stats.triang(2.0 / 9.0, loc=1.0, scale=9.0)),
    ("triangular-mode-low", Triangular(0.0, 0.0, 4.0), stats.triang(0.0, loc=0.0, scale=4.0)),
    ("triangular-mode-high", Triangular(0.0, 4.0, 4.0), stats.triang(1.0, loc=0.0, scale=4.0)),
    ("pert", PERT(0.0, 1.0, 5.0), _pert_reference(0.0, 1.0, 5.0, 4.0)),
    ("pert-shape", PERT(6e4, 8e4, 1.2e5, shape=7.5), _pert_reference(6e4, 8e4, 1.2e5, 7.5)),
    ("normal", Normal(10.0, 2.0), stats.norm(10.0, 2.0)),
    ("normal-large", Normal(5.5e5, 3e4), stats.norm(5.5e5, 3e4)),
    ("truncnormal-positive-mu", TruncNormal(3.0, 2.0), _truncnorm_reference(3.0, 2.0)),
    ("truncnormal-half", TruncNormal(0.0, 1.0), _truncnorm_reference(0.0, 1.0)),
    ("truncnormal-negative-mu", TruncNormal(-4.0, 1.5), _truncnorm_reference(-4.0, 1.5)),
    ("truncnormal-far-mu", TruncNormal(5e4, 1e3), _truncnorm_reference(5e4, 1e3)),
    ("lognormal", LogNormal(0.3, 0.8), stats.lognorm(0.8, scale=math.exp(0.3))),
    ("lognormal-counts", LogNormal(13.2, 0.06), stats.lognorm(0.06, scale=math.exp(13.2))),
    ("gamma", Gamma(2.5, 3.0), stats.gamma(2.5, scale=3.0)),
    ("gamma-small-shape", Gamma(0.3, 1e4), stats.gamma(0.3, scale=1e4)),
    ("beta", Beta(2.0, 6.0), stats.beta(2.0, 6.0)),
    ("beta-u-shaped", Beta(0.5, 0.7), stats.beta(0.5, 0.7)),
]
REFERENCE_IDS = [case[0] for case in REFERENCES]


def _fitted_examples() -> dict[str, Distribution]:
    """One fitted member of every family, plus metalogs and mixtures: the shared test table."""
    out: dict[str, Distribution] = {
        f"fit-{family}": asim.from_range(
            *((0.2, 0.35) if family == "beta" else (5e5, 6e5)), family=family
        )
        for family in RANGE_FAMILIES
    }
    out["fit-gamma-wide"] = asim.from_range(10.0, 1e4, family="gamma", level=0.8)
    out["fit-truncnormal-wide"] = asim.from_range(1.0, 40.0, family="truncnormal")
    out["metalog-3"] = asim.metalog({0.1: 8e5, 0.5: 9.5e5, 0.9: 1.15e6})
    out["metalog-3-lower"] = asim.metalog({0.1: 8e5, 0.5: 9.5e5, 0.9: 1.15e6}, lower=0)
    out["metalog-4-upper"] = asim.metalog({0.1: 2.0, 0.4: 3.0, 0.6: 3.5, 0.9: 5.0}, upper=6.0)
    out["metalog-5-bounded"] = asim.metalog(
        {0.05: 0.1, 0.25: 0.2, 0.5: 0.3, 0.75: 0.45, 0.95: 0.7}, lower=0.0, upper=1.0
    )
    out["mixture"] = asim.mixture(
        [asim.from_range(5e5, 6e5), asim.from_range(4e5, 9e5, family="gamma")], [3.0, 1.0]
    )
    out["mixture-bounded"] = asim.mixture(
        [asim.up_to(250_000), asim.pert(1e5, 1.5e5, 3e5), asim.from_range(1e5, 2e5)]
    )
    return out


EXAMPLES = _fitted_examples()
EXAMPLE_IDS = list(EXAMPLES)


# ---------------------------------------------------------------------- closed forms vs scipy
@pytest.mark.parametrize(("name", "dist", "ref"), REFERENCES, ids=REFERENCE_IDS)
def test_ppf_matches_scipy(name: str, dist: Distribution, ref: Any) -> None:
    # Relative to the scale as well: next to a finite end of the support (a truncnormal at
    # q = 1e-9) both libraries lose relative accuracy to cancellation, at ~1e-16 absolute.
    scale = ref.ppf(0.75) - ref.ppf(0.25)
    assert_allclose(dist.ppf(Q_GRID), ref.ppf(Q_GRID), rtol=1e-10, atol=1e-13 * scale)


@pytest.mark.parametrize(("name", "dist", "ref"), REFERENCES, ids=REFERENCE_IDS)
def test_cdf_matches_scipy(name: str, dist: Distribution, ref: Any) -> None:
    x = ref.ppf(Q_GRID)
    assert_allclose(dist.cdf(x), ref.cdf(x), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize(("name", "dist", "ref"), REFERENCES, ids=REFERENCE_IDS)
def test_mean_and_median_match_scipy(name: str, dist: Distribution, ref: Any) -> None:
    assert dist.mean() == pytest.approx(ref.mean(), rel=1e-10)
    assert dist.median() == pytest.approx(ref.median(), rel=1e-10)


@pytest.mark.parametrize(("name", "dist", "ref"), REFERENCES, ids=REFERENCE_IDS)
def test_support_matches_scipy(name: str, dist: Distribution, ref: Any) -> None:
    assert dist.support == pytest.approx(ref.support(), rel=1e-12)


def test_pert_mean_closed_form() -> None:
    # (low + shape * mode + high) / (shape + 2), and the classic shape-4 PERT
    assert PERT(0.0, 1.0, 5.0).mean() == pytest.approx(1.5, rel=1e-15)
    assert PERT(10.0, 40.0, 100.0, shape=6.0).mean() == pytest.approx(350.0 / 8.0, rel=1e-15)


# ---------------------------------------------------------------------- inverse CDF
@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_cdf_inverts_ppf(name: str) -> None:
    dist = EXAMPLES[name]
    assert_allclose(dist.cdf(dist.ppf(Q_GRID)), Q_GRID, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", EXAMPLE_IDS)
@given(q=st.floats(min_value=1e-12, max_value=1.0 - 1e-12))
def test_cdf_inverts_ppf_anywhere(name: str, q: float) -> None:
    dist = EXAMPLES[name]
    assert dist.cdf(dist.ppf(q)) == pytest.approx(q, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_ppf_is_increasing(name: str) -> None:
    dist = EXAMPLES[name]
    fine = dist.ppf(np.linspace(1e-6, 1.0 - 1e-6, 2001))
    assert np.all(np.diff(fine) >= 0.0)
    coarse = dist.ppf(np.linspace(0.01, 0.99, 99))
    assert np.all(np.diff(coarse) > 0.0)


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_ppf_ends_are_the_support(name: str) -> None:
    dist = EXAMPLES[name]
    assert (dist.ppf(0.0), dist.ppf(1.0)) == dist.support
    assert dist.interval(1.0) == dist.support
    lower, upper = dist.support
    assert dist.cdf(-math.inf) == 0.0
    assert dist.cdf(math.inf) == 1.0
    if math.isfinite(lower):
        assert dist.cdf(lower) == 0.0
        assert dist.cdf(lower - 1.0) == 0.0
    if math.isfinite(upper):
        assert dist.cdf(upper) == 1.0
        assert dist.cdf(upper + 1.0) == 1.0


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_interval_is_equal_tailed(name: str) -> None:
    dist = EXAMPLES[name]
    for level in (0.5, 0.8, 0.9, 0.95):
        low, high = dist.interval(level)
        assert low == pytest.approx(dist.ppf((1.0 - level) / 2.0), rel=1e-15)
        assert high == pytest.approx(dist.ppf((1.0 + level) / 2.0), rel=1e-15)
        assert dist.cdf(high) - dist.cdf(low) == pytest.approx(level, rel=1e-9)


def test_ppf_and_cdf_keep_shapes_and_give_floats_for_scalars() -> None:
    dist = Normal(0.0, 1.0)
    assert isinstance(dist.ppf(0.5), float)
    assert isinstance(dist.cdf(0.0), float)
    q = np.full((2, 3), 0.25)
    assert dist.ppf(q).shape == (2, 3)
    assert dist.cdf(np.zeros((4, 1))).shape == (4, 1)
    assert_allclose(dist.ppf([0.025, 0.5, 0.975]), [-1.959963984540054, 0.0, 1.959963984540054])


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda d: d.ppf(1.5), "q"),
        (lambda d: d.ppf(-0.1), "q"),
        (lambda d: d.ppf([0.5, math.nan]), "q"),
        (lambda d: d.ppf("half"), "q"),
        (lambda d: d.cdf(math.nan), "x"),
        (lambda d: d.cdf(["a"]), "x"),
        (lambda d: d.interval(0.0), "level"),
        (lambda d: d.interval(1.5), "level"),
        (lambda d: d.interval(math.nan), "level"),
    ],
    ids=["q>1", "q<0", "q-nan", "q-str", "x-nan", "x-str", "level-0", "level-1.5", "level-nan"],
)
def test_bad_ppf_cdf_interval_arguments(call: Callable[[Distribution], Any], name: str) -> None:
    with pytest.raises(InputError, match=name):
        call(Normal(0.0, 1.0))


# ---------------------------------------------------------------------- sampling
@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_samples_lie_in_support(name: str, rng: np.random.Generator) -> None:
    dist = EXAMPLES[name]
    draws = dist.sample(5_000, rng=rng)
    lower, upper = dist.support
    assert draws.shape == (5_000,)
    assert np.all(np.isfinite(draws))
    assert np.all((draws >= lower) & (draws <= upper))


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_sample_is_the_inverse_transform(name: str) -> None:
    dist = EXAMPLES[name]
    uniforms = np.random.default_rng(7).random(200)
    assert_array_equal(dist.sample(200, rng=np.random.default_rng(7)), dist.ppf(uniforms))


@pytest.mark.parametrize("name", ["fit-lognormal", "fit-beta", "fit-pert", "mixture"])
def test_sample_mean_agrees_with_mean(name: str) -> None:
    dist = EXAMPLES[name]
    draws = dist.sample(40_000, rng=2024)
    standard_error = draws.std() / math.sqrt(draws.size)
    assert abs(draws.mean() - dist.mean()) < 5.0 * standard_error


def test_same_seed_same_draws_different_seed_different_draws() -> None:
    dist = EXAMPLES["fit-lognormal"]
    assert_array_equal(dist.sample(100, rng=42), dist.sample(100, rng=42))
    assert_array_equal(
        dist.sample(100, rng=np.random.default_rng(42)),
        dist.sample(100, rng=np.random.default_rng(42)),
    )
    assert_array_equal(dist.sample(100, rng=42), dist.sample(100, rng=np.random.default_rng(42)))
    assert not np.array_equal(dist.sample(100, rng=42), dist.sample(100, rng=43))


def test_a_generator_advances_between_calls(rng: np.random.Generator) -> None:
    dist = Normal(0.0, 1.0)
    first, second = dist.sample(50, rng=rng), dist.sample(50, rng=rng)
    assert not np.array_equal(first, second)
    # the state moved exactly as if the 100 draws had been taken at once
    assert_array_equal(np.concatenate([first, second]), dist.sample(100, rng=12345))


def test_sampling_leaves_global_state_alone() -> None:
    # numpy's legacy global state is exactly what must stay untouched
    before = np.random.get_state(legacy=False)  # noqa: NPY002
    Normal(0.0, 1.0).sample(10, rng=1)
    asim.from_range(1.0, 2.0).sample(10, rng=np.random.default_rng(1))
    after = np.random.get_state(legacy=False)  # noqa: NPY002
    assert_array_equal(after["state"]["key"], before["state"]["key"])
    assert after["state"]["pos"] == before["state"]["pos"]


@pytest.mark.parametrize(
    ("n", "shape"),
    [(7, (7,)), (0, (0,)), ((3, 4), (3, 4)), ((2, 1, 5), (2, 1, 5)), (np.int64(3), (3,))],
)
def test_sample_shape(n: Any, shape: tuple[int, ...]) -> None:
    draws = Gamma(2.0, 1.0).sample(n, rng=0)
    assert draws.shape == shape
    assert draws.dtype == np.float64


@pytest.mark.parametrize("n", [-1, 2.5, "10", True, (3, -1), (2.0, 3), None])
def test_bad_sample_shape(n: Any) -> None:
    with pytest.raises(InputError, match=r"\bn\b"):
        Gamma(2.0, 1.0).sample(n, rng=0)


@pytest.mark.parametrize("seed", [-1, 1.5, "7", "seed", True, None, [1, 2]])
def test_bad_rng_seed(seed: Any) -> None:
    with pytest.raises(InputError, match="rng"):
        Normal(0.0, 1.0).sample(3, rng=seed)


# ---------------------------------------------------------------------- bad parameters
@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda: Uniform(2.0, 1.0), "low"),
        (lambda: Uniform(1.0, 1.0), "low"),
        (lambda: Uniform(math.nan, 1.0), "low"),
        (lambda: Uniform(0.0, math.inf), "high"),
        (lambda: Triangular(0.0, 5.0, 4.0), "mode"),
        (lambda: Triangular(0.0, -1.0, 4.0), "mode"),
        (lambda: PERT(0.0, 5.0, 4.0), "mode"),
        (lambda: PERT(0.0, 2.0, 4.0, shape=0.0), "shape"),
        (lambda: PERT(0.0, 2.0, 4.0, shape=-1.0), "shape"),
        (lambda: Normal(0.0, 0.0), "sigma"),
        (lambda: Normal(0.0, -1.0), "sigma"),
        (lambda: Normal(math.inf, 1.0), "mu"),
        (lambda: TruncNormal(1.0, 0.0), "sigma"),
        (lambda: LogNormal(0.0, math.nan), "sigma"),
        (lambda: LogNormal("0", 1.0), "mu"),
        (lambda: Gamma(0.0, 1.0), "shape"),
        (lambda: Gamma(1.0, -2.0), "scale"),
        (lambda: Beta(1.0, 0.0), "beta"),
        (lambda: Beta(-1.0, 1.0), "alpha"),
    ],
)
def test_bad_parameters_name_themselves(make: Callable[[], Distribution], name: str) -> None:
    with pytest.raises(InputError, match=rf"\b{name}\b"):
        make()


# ---------------------------------------------------------------------- values and specs
def test_distributions_are_immutable_values() -> None:
    dist = asim.from_range(500_000, 600_000)
    with pytest.raises(dataclasses.FrozenInstanceError):
        dist.sigma = 1.0
    assert dist.origin is not None
    with pytest.raises(TypeError):
        dist.origin["level"] = 0.5
    # equality is by family and parameters, whatever the origin
    assert isinstance(dist, LogNormal)
    assert dist == LogNormal(dist.mu, dist.sigma)
    assert dist != Normal(dist.mu, dist.sigma)


def test_parameters_are_cleaned_to_floats() -> None:
    dist = Uniform(1, 3)
    assert isinstance(dist.low, float)
    assert dist.params() == {"low": 1.0, "high": 3.0}


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_spec_round_trips_through_json(name: str) -> None:
    dist = EXAMPLES[name]
    spec = dist.to_spec()
    back = from_spec(json.loads(json.dumps(spec)))
    assert type(back) is type(dist)
    assert back == dist
    assert back.to_spec() == spec
    assert_array_equal(back.ppf(Q_GRID), dist.ppf(Q_GRID))


@pytest.mark.parametrize(
    ("dist", "text"),
    [
        (Normal(0.0, 1.0), "Normal(mu=0, sigma=1)"),
        (Uniform(2.0, 6.5), "Uniform(low=2, high=6.5)"),
        (PERT(6e4, 8e4, 1e5), "PERT(low=60,000, mode=80,000, high=100,000, shape=4)"),
        (
            Metalog((0.1, 0.5, 0.9), (8e5, 9.5e5, 1.15e6), lower=0.0),
            "Metalog(10%: 800,000, 50%: 950,000, 90%: 1,150,000; lower=0)",
        ),
        (
            Mixture((Uniform(0.0, 1.0), Normal(5.0, 2.0)), (3.0, 1.0)),
            "Mixture(0.75*Uniform(low=0, high=1), 0.25*Normal(mu=5, sigma=2))",
        ),
    ],
)
def test_repr(dist: Distribution, text: str) -> None:
    assert repr(dist) == text


# ---------------------------------------------------------------------- metalog
def _keelin3(a1: float, a2: float, a3: float, y: np.ndarray) -> np.ndarray:
    """Keelin's three-term metalog quantile function."""
    logit = np.log(y / (1.0 - y))
    return np.asarray(a1 + a2 * logit + a3 * (y - 0.5) * logit)


METALOG_CASES = {
    "3-terms": ({0.1: 8e5, 0.5: 9.5e5, 0.9: 1.15e6}, None, None),
    "3-terms-asymmetric": ({0.05: 10.0, 0.3: 20.0, 0.9: 60.0}, None, None),
    "3-terms-lower": ({0.1: 8e5, 0.5: 9.5e5, 0.9: 1.15e6}, 0.0, None),
    "3-terms-upper": ({0.1: 8e5, 0.5: 9.5e5, 0.9: 1.15e6}, None, 2e6),
    "3-terms-both": ({0.1: 0.2, 0.5: 0.3, 0.9: 0.5}, 0.0, 1.0),
    "4-terms": ({0.1: 2.0, 0.4: 3.0, 0.6: 3.5, 0.9: 5.0}, None, None),
    "4-terms-lower": ({0.1: 2.0, 0.4: 3.0, 0.6: 3.5, 0.9: 5.0}, 1.0, None),
    "5-terms": ({0.05: 1.0, 0.25: 2.0, 0.5: 3.0, 0.75: 4.5, 0.95: 7.0}, None, None),
    "5-terms-both": ({0.05: 1.0, 0.25: 2.0, 0.5: 3.0, 0.75: 4.5, 0.95: 7.0}, 0.0, 10.0),
    "7-terms": (  # rounded quantiles of a normal(10, 1)
        {0.02: 7.946, 0.1: 8.718, 0.25: 9.326, 0.5: 10.0, 0.75: 10.674, 0.9: 11.282, 0.98: 12.054},
        None,
        None,
    ),
}


@pytest.mark.parametrize("case", list(METALOG_CASES))
def test_metalog_reproduces_its_quantiles(case: str) -> None:
    quantiles, lower, upper = METALOG_CASES[case]
    dist = asim.metalog(quantiles, lower=lower, upper=upper)
    probs = np.array(list(quantiles))
    values = np.array(list(quantiles.values()))
    assert_allclose(dist.ppf(probs), values, rtol=1e-10)
    assert_allclose(dist.cdf(values), probs, rtol=1e-9)
    expected_support = (
        -math.inf if lower is None else lower,
        math.inf if upper is None else upper,
    )
    assert dist.support == expected_support


def test_metalog_quantile_function_is_keelins() -> None:
    a1, a2, a3 = 10.0, 2.0, 1.5
    probs = np.array([0.1, 0.5, 0.9])
    values = _keelin3(a1, a2, a3, probs)
    dist = Metalog(tuple(probs), tuple(values))
    y = np.linspace(0.001, 0.999, 37)
    assert_allclose(dist.ppf(y), _keelin3(a1, a2, a3, y), rtol=1e-12)


def test_bounded_metalog_transforms_values() -> None:
    # with a lower bound, log(x - lower) is the unbounded metalog through the logged values
    probs = (0.1, 0.5, 0.9)
    values = (3.0, 5.0, 12.0)
    lower = 1.0
    bounded = Metalog(probs, values, lower=lower)
    logged = Metalog(probs, tuple(math.log(v - lower) for v in values))
    y = np.linspace(0.01, 0.99, 25)
    assert_allclose(bounded.ppf(y), lower + np.exp(logged.ppf(y)), rtol=1e-12)


@pytest.mark.parametrize("ratio", [0.0, 0.5, 1.0, 1.5, 1.6, 1.66, -1.0, -1.66])
def test_keelin_three_term_feasible(ratio: float) -> None:
    probs = np.array([0.1, 0.5, 0.9])
    values = _keelin3(100.0, 3.0, 3.0 * ratio, probs)
    dist = Metalog(tuple(probs), tuple(values))
    assert np.all(np.diff(dist.ppf(np.linspace(1e-9, 1.0 - 1e-9, 10_001))) > 0.0)


@pytest.mark.parametrize("ratio", [1.675, 1.7, 2.0, 2.4, -1.675, -1.8, -2.4])
def test_keelin_three_term_infeasible(ratio: float) -> None:
    # |a3| / a2 >= 1.66711 (Keelin 2016): the values still increase, but the metalog does not
    probs = np.array([0.1, 0.5, 0.9])
    values = _keelin3(100.0, 3.0, 3.0 * ratio, probs)
    assert np.all(np.diff(values) > 0.0)
    with pytest.raises(InputError, match="not feasible"):
        Metalog(tuple(probs), tuple(values))
    with pytest.raises(InputError, match="not feasible"):
        asim.metalog(dict(zip(probs.tolist(), values.tolist(), strict=True)))


def test_bumpy_five_term_metalog_is_infeasible() -> None:
    with pytest.raises(InputError, match="not feasible"):
        asim.metalog({0.1: 1.0, 0.3: 1.01, 0.5: 5.0, 0.7: 5.01, 0.9: 10.0})


@pytest.mark.parametrize(
    "case", ["3-terms", "3-terms-asymmetric", "3-terms-both", "4-terms", "5-terms-both"]
)
def test_metalog_mean_is_the_integral_of_its_ppf(case: str) -> None:
    quantiles, lower, upper = METALOG_CASES[case]
    dist = asim.metalog(quantiles, lower=lower, upper=upper)
    expected, _ = integrate.quad(dist.ppf, 0.0, 1.0, limit=200, epsabs=0.0, epsrel=1e-11)
    assert dist.mean() == pytest.approx(expected, rel=1e-8)


def test_metalog_mean_of_a_pareto_tail_is_infinite() -> None:
    # log-metalogs whose log-scale slope in the tail reaches 1 have no mean
    heavy = {0.1: 1.0, 0.5: 10.0, 0.9: 1000.0}
    assert asim.metalog(heavy, lower=0.0).mean() == math.inf
    mirrored = {0.1: -1000.0, 0.5: -10.0, 0.9: -1.0}
    assert asim.metalog(mirrored, upper=0.0).mean() == -math.inf


# ---------------------------------------------------------------------- mixture
def test_mixture_cdf_is_the_weighted_component_cdf() -> None:
    mix = Mixture((Normal(0.0, 1.0), Normal(5.0, 2.0), Gamma(2.0, 3.0)), (1.0, 3.0, 4.0))
    x = np.linspace(-5.0, 20.0, 101)
    expected = (
        stats.norm(0.0, 1.0).cdf(x) / 8.0
        + 3.0 * stats.norm(5.0, 2.0).cdf(x) / 8.0
        + 4.0 * stats.gamma(2.0, scale=3.0).cdf(x) / 8.0
    )
    assert_allclose(mix.cdf(x), expected, rtol=1e-12, atol=1e-15)
    assert mix.mean() == pytest.approx((0.0 + 15.0 + 24.0) / 8.0, rel=1e-14)
    assert mix.support == (-math.inf, math.inf)


def test_mixture_ppf_inverts_its_cdf() -> None:
    mix = Mixture((LogNormal(13.0, 0.1), Gamma(4.0, 1e5)), (0.3, 0.7))
    x = mix.ppf(Q_GRID)
    assert_allclose(mix.cdf(x), Q_GRID, rtol=1e-10, atol=1e-13)
    assert_allclose(mix.ppf(mix.cdf(x[5:-5])), x[5:-5], rtol=1e-9)


def test_mixture_of_disjoint_uniforms() -> None:
    mix = Mixture((Uniform(0.0, 1.0), Uniform(2.0, 3.0)), (1.0, 3.0))
    assert mix.weights == (0.25, 0.75)
    assert mix.support == (0.0, 3.0)
    assert mix.ppf(0.125) == pytest.approx(0.5, rel=1e-12)
    assert mix.ppf(0.625) == pytest.approx(2.5, rel=1e-12)
    assert mix.cdf(1.5) == pytest.approx(0.25, rel=1e-15)
    draws = mix.sample(20_000, rng=3)
    share_high = float(np.mean(draws > 1.5))
    assert share_high == pytest.approx(0.75, abs=4.0 * math.sqrt(0.75 * 0.25 / draws.size))


def test_mixture_of_identical_components_is_the_component() -> None:
    comp = Normal(3.0, 2.0)
    mix = Mixture((comp, comp), (1.0, 2.0))
    assert_allclose(mix.ppf(Q_GRID), comp.ppf(Q_GRID), rtol=1e-13)


def test_mixture_ppf_searches_only_where_the_components_disagree(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    searched: list[int] = []
    find_root = optimize.elementwise.find_root

    def spy(f: Any, init: Any, **kwargs: Any) -> Any:
        searched.append(int(np.size(init[0])))
        return find_root(f, init, **kwargs)

    monkeypatch.setattr(optimize.elementwise, "find_root", spy)
    comp = LogNormal(1.0, 0.5)
    assert_array_equal(Mixture((comp, comp), (1.0, 3.0)).ppf(Q_GRID), comp.ppf(Q_GRID))
    assert searched == []  # identical components: no root to search for
    mix = Mixture((Normal(0.0, 1.0), Normal(0.0, 2.0)), (1.0, 1.0))
    got = mix.ppf(np.array([0.2, 0.5, 0.7]))
    assert searched == [2] and got[1] == 0.0  # both components' medians are 0
    alone = [float(mix.ppf(np.array([p]))[0]) for p in (0.2, 0.7)]
    assert [float(got[0]), float(got[2])] == alone  # each root is searched for on its own
    assert_allclose(mix.cdf(got), [0.2, 0.5, 0.7], rtol=1e-12)


@pytest.mark.parametrize(
    "mix",
    [
        Mixture((LogNormal(np.log(950_000.0), 0.06), LogNormal(np.log(990_800.0), 0.02)), (1, 1)),
        Mixture((Uniform(0.0, 1.0), Uniform(2.0, 3.0)), (1.0, 1.0)),  # a flat CDF between
        Mixture((LogNormal(0.0, 1.0), LogNormal(3.0, 0.1), LogNormal(-2.0, 2.0)), (2, 5, 3)),
        Mixture((Normal(0.0, 1.0), Normal(10.0, 0.001)), (0.99, 0.01)),  # a needle far off
    ],
    ids=["two-lognormals", "gap", "three", "needle"],
)
def test_mixture_ppf_on_many_targets_is_the_bracketed_root(
    mix: Mixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond 4,096 targets Newton's method from a grid finds the bracketing finder's root."""
    u = np.random.default_rng(5).random(20_000)
    u[:4] = [1e-12, 0.5, 1.0 - 1e-12, 0.25]
    fast = mix.ppf(u)
    monkeypatch.setattr(_mixture, "_GRID_FROM", 10**9)  # every target bracketed, as before
    slow = mix.ppf(u)
    # in the far tails the CDF's rounding (1e-16 of 1) allows any x within it: both are roots
    body = np.minimum(u, 1.0 - u) > 1e-9
    assert_allclose(fast[body], slow[body], rtol=1e-9, atol=1e-12)
    assert np.max(np.abs(mix.cdf(fast) - u)) <= 3e-14
    assert np.all(np.diff(fast[np.argsort(u)]) >= 0)  # still a non-decreasing inverse


@pytest.mark.parametrize(
    ("weights", "normalised"),
    [((3.0, 1.0), (0.75, 0.25)), ((1, 1, 2), (0.25, 0.25, 0.5)), ((1e-300, 3e-300), (0.25, 0.75))],
)
def test_mixture_weights_are_normalised(
    weights: tuple[float, ...], normalised: tuple[float, ...]
) -> None:
    comps = tuple(Normal(float(i), 1.0) for i in range(len(weights)))
    assert Mixture(comps, weights).weights == pytest.approx(normalised, rel=1e-15)


@given(st.lists(st.floats(min_value=1e-6, max_value=1e6), min_size=1, max_size=8))
def test_mixture_normalising_is_idempotent(weights: list[float]) -> None:
    comps = tuple(Normal(float(i), 1.0) for i in range(len(weights)))
    mix = Mixture(comps, tuple(weights))
    assert math.fsum(mix.weights) == pytest.approx(1.0, abs=1e-14)
    assert Mixture(comps, mix.weights) == mix
    assert from_spec(json.loads(json.dumps(mix.to_spec()))) == mix


@pytest.mark.parametrize(
    ("comps", "weights", "name"),
    [
        ((Normal(0.0, 1.0), Normal(1.0, 1.0)), (1.0, -1.0), "weights"),
        ((Normal(0.0, 1.0), Normal(1.0, 1.0)), (1.0, 0.0), "weights"),
        ((Normal(0.0, 1.0), Normal(1.0, 1.0)), (1.0, math.nan), "weights"),
        ((Normal(0.0, 1.0), Normal(1.0, 1.0)), (1.0, math.inf), "weights"),
        ((Normal(0.0, 1.0), Normal(1.0, 1.0)), (1.0, "2"), "weights"),
        ((Normal(0.0, 1.0), Normal(1.0, 1.0)), (1.0,), "weight"),
        ((), (), "components"),
        ((Normal(0.0, 1.0), "normal"), (1.0, 1.0), "components"),
    ],
)
def test_bad_mixture(comps: tuple[Any, ...], weights: tuple[Any, ...], name: str) -> None:
    with pytest.raises(InputError, match=rf"\b{name}\b"):
        Mixture(comps, weights)


# ---------------------------------------------------------------------- from_spec errors
@pytest.mark.parametrize(
    ("spec", "pattern"),
    [
        ({"family": "lognorml", "params": {"mu": 0.0, "sigma": 1.0}}, "did you mean 'lognormal'"),
        ({"family": "weibull", "params": {}}, "family"),
        ({"params": {"mu": 0.0, "sigma": 1.0}}, "family"),
        ({"family": "normal"}, "params"),
        ({"family": "normal", "params": [0.0, 1.0]}, "params"),
        ({"family": "normal", "params": {"mu": 0.0}}, r"missing \['sigma'\]"),
        ({"family": "normal", "params": {"mu": 0.0, "sigma": 1.0, "nu": 3}}, r"unknown \['nu'\]"),
        ({"family": "normal", "params": {"mu": 0.0, "sigma": -1.0}}, "sigma"),
        ({"family": "normal", "params": {"mu": 0.0, "sigma": 1.0}, "extra": 1}, "extra"),
        ({"family": "normal", "params": {"mu": 0.0, "sigma": 1.0}, "origin": "csis"}, "origin"),
        ({"family": "mixture", "params": {"components": "x", "weights": [1]}}, "components"),
        ({"family": "metalog", "params": {"probabilities": [0.5]}}, "values"),
        ("normal", "spec"),
    ],
)
def test_from_spec_rejects_bad_specs(spec: Any, pattern: str) -> None:
    with pytest.raises(InputError, match=pattern):
        from_spec(spec)


def test_from_spec_keeps_origin_out_of_equality_but_in_the_spec() -> None:
    spec = {"family": "gamma", "params": {"shape": 2.0, "scale": 3.0}, "origin": {"rule": "x"}}
    dist = from_spec(spec)
    assert dist == Gamma(2.0, 3.0)
    assert dist.to_spec() == spec
    assert special.gammainc(2.0, 1.0) == pytest.approx(dist.cdf(3.0), rel=1e-14)


# ---------------------------------------------------------------------- the float range
@pytest.mark.parametrize(
    ("make", "shown"),
    [
        (lambda: Uniform(-1e308, 1e308), "Uniform(low=-1e+308, high=1e+308)"),
        (lambda: PERT(-1e308, 0.0, 1e308), "PERT(low=-1e+308, mode=0, high=1e+308, shape=4)"),
        (lambda: Triangular(-1e308, 0.0, 1e308), "Triangular(low=-1e+308, mode=0, high=1e+308)"),
        (lambda: Normal(0.0, 1e308), "Normal(mu=0, sigma=1e+308)"),
        (lambda: LogNormal(700.0, 10.0), "LogNormal(mu=700, sigma=10)"),
        (
            lambda: Metalog((0.1, 0.5, 0.9), (1.0, 1e100, 1e200), lower=0.0),
            "Metalog(10%: 1, 50%: 1e+100, 90%: 1e+200; lower=0)",
        ),
    ],
)
def test_distributions_whose_draws_overflow_are_refused(
    make: Callable[[], Distribution], shown: str
) -> None:
    with pytest.raises(FloatRangeError) as err:
        make()
    assert isinstance(err.value, InputError)
    assert str(err.value) == (
        f"{shown} cannot be sampled: its draws overflow the float range (beyond about "
        "1.8e308); narrow it, or rescale the quantity (e.g. count in thousands)"
    )


def test_wide_but_representable_distributions_sample_without_warnings() -> None:
    # Both ends near the float limit, their width still representable.
    dist = Uniform(1e308, 1.7e308)
    assert dist.mean() == 1.35e308
    assert np.isfinite(dist.sample(1000, rng=1)).all()
    assert math.isfinite(PERT(1e308, 1.3e308, 1.7e308).mean())
    assert math.isfinite(Triangular(1e308, 1.3e308, 1.7e308).mean())
    wide = Triangular(0.0, 1e160, 1e160)  # q * width * (mode - low) is beyond the float range
    assert_allclose(wide.ppf([0.25, 1.0 - 2.0**-53]), [0.5e160, 1e160], rtol=1e-15)
    assert_allclose(Triangular(1e308, 1.3e308, 1.7e308).interval(1.0), (1e308, 1.7e308))


def test_lognormal_mean_beyond_the_float_range_is_inf() -> None:
    assert LogNormal(0.0, 40.0).mean() == math.inf  # exp(800) overflows: not an OverflowError


@pytest.mark.parametrize(
    ("dist", "x", "expected"),
    [
        (Normal(0.0, 1e-300), [-1e300, 1e300], [0.0, 1.0]),
        (Gamma(2.0, 1e-300), [1e300], [1.0]),
        (TruncNormal(1.0, 1e-300), [1e300], [1.0]),
        (
            Triangular(0.0, 1e154, 1.5e154),
            [1e154, 1.4e154],
            [2 / 3, 1 - (0.1 / 1.5) ** 2 / (1 / 3)],
        ),
    ],
)
def test_cdf_far_out_gives_its_limit_without_warnings(
    dist: Distribution, x: list[float], expected: list[float]
) -> None:
    assert_allclose(dist.cdf(np.array(x)), expected, rtol=1e-12)


def test_truncnormal_upper_quantiles_stay_finite() -> None:
    dist = TruncNormal(0.0, 1.0)  # the half-normal
    # The largest uniform a stream gives: 0.5 + 0.5 * q rounds to 1, whose ndtri is inf.
    top = dist.ppf(1.0 - 2.0**-53)
    assert top == pytest.approx(stats.halfnorm.isf(2.0**-53), rel=1e-9)
    # Below the top the quantiles keep their old bits.
    body = np.linspace(0.01, 0.99, 99)
    old = special.ndtri(special.ndtr(-0.0) + body * special.ndtr(0.0))
    assert_array_equal(dist.ppf(body), old)


# ---------------------------------------------------------------------- log densities
@pytest.mark.parametrize(("name", "dist", "ref"), REFERENCES, ids=REFERENCE_IDS)
def test_logpdf_matches_scipy(name: str, dist: Distribution, ref: Any) -> None:
    x = ref.ppf(np.linspace(0.001, 0.999, 201))
    assert_allclose(dist.logpdf(x), ref.logpdf(x), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_logpdf_is_the_derivative_of_the_cdf(name: str) -> None:
    dist = EXAMPLES[name]
    x = dist.ppf(np.linspace(0.02, 0.98, 25))
    x = x[~np.isin(x, [c for comp in getattr(dist, "components", ()) for c in comp.support])]
    step = 1e-6 * np.maximum(np.abs(x), 1.0)
    numeric = (dist.cdf(x + step) - dist.cdf(x - step)) / (2 * step)
    assert_allclose(np.exp(dist.logpdf(x)), numeric, rtol=1e-4)


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_density_integrates_to_one(name: str) -> None:
    dist = EXAMPLES[name]
    lo, hi = dist.ppf(1e-9), dist.ppf(1 - 1e-9)
    total, _ = integrate.quad(
        lambda v: math.exp(dist.logpdf(v)), lo, hi, limit=400, points=[float(dist.median())]
    )
    assert total == pytest.approx(1.0, abs=1e-6)


def test_mixture_logpdf_is_the_weighted_sum() -> None:
    mix = Mixture((LogNormal(13.0, 0.1), Gamma(4.0, 1e5)), (0.3, 0.7))
    x = np.linspace(2e5, 9e5, 15)
    want = 0.3 * stats.lognorm(0.1, scale=math.exp(13.0)).pdf(x) + 0.7 * stats.gamma(
        4.0, scale=1e5
    ).pdf(x)
    assert_allclose(np.exp(mix.logpdf(x)), want, rtol=1e-12)


def test_logpdf_outside_the_support_and_bad_points() -> None:
    assert Uniform(2.0, 7.0).logpdf(1.0) == -math.inf
    assert LogNormal(0.0, 1.0).logpdf(0.0) == -math.inf
    assert isinstance(Normal(0.0, 1.0).logpdf(0.5), float)
    with pytest.raises(InputError, match=r"x contains NaN at index 1"):
        Normal(0.0, 1.0).logpdf([0.0, math.nan])


# ---------------------------------------------------------------------- shifted lognormal
def test_shifted_lognormal_formulas() -> None:
    from scipy import stats

    from attritionsim.distributions import ShiftedLogNormal

    dist = ShiftedLogNormal.from_quantiles(10_000.0, 10_500.0, 12_500.0, 0.95)
    ref = stats.lognorm(s=dist.sigma, loc=10_000.0, scale=math.exp(dist.mu))
    q = np.array([0.001, 0.05, 0.5, 0.95, 0.999])
    assert_allclose(dist.ppf(q), ref.ppf(q), rtol=1e-12)
    x = np.array([10_001.0, 10_500.0, 12_500.0, 20_000.0])
    assert_allclose(dist.cdf(x), ref.cdf(x), rtol=1e-12)
    assert_allclose(dist.logpdf(x), ref.logpdf(x), rtol=1e-12)
    assert dist.mean() == pytest.approx(ref.mean(), rel=1e-12)
    assert dist.support == (10_000.0, math.inf)
    assert dist.cdf(9_000.0) == 0.0
    assert from_spec(dist.to_spec()) == dist
    with pytest.raises(InputError, match="floor < median < upper"):
        ShiftedLogNormal.from_quantiles(10.0, 9.0, 12.0, 0.95)
