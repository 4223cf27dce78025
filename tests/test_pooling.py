"""Opinion pools: closed forms for normals, weighted CDFs, grids, draws, restated sources."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from attritionsim.distributions import (
    Distribution,
    LogNormal,
    Mixture,
    Normal,
    TruncNormal,
    Uniform,
    from_spec,
)
from attritionsim.errors import InputError
from attritionsim.pooling import Tabulated, pool, pool_draws, pool_weights

GRID = np.linspace(-6.0, 12.0, 37)


def precision_weighted(
    mus: list[float], sigmas: list[float], w: list[float]
) -> tuple[float, float]:
    total = sum(w)
    prec = [wi / total / s**2 for wi, s in zip(w, sigmas, strict=True)]
    mu = sum(p * m for p, m in zip(prec, mus, strict=True)) / sum(prec)
    return mu, 1.0 / math.sqrt(sum(prec))


# ------------------------------------------------------------------------------ log pool
@pytest.mark.parametrize(
    ("mus", "sigmas", "weights"),
    [
        ([0.0, 3.0], [1.0, 2.0], None),
        ([1.2e6, 1.0e6, 1.5e6], [1e5, 2e5, 3e5], [1.0, 2.0, 0.5]),
        ([-5.0, 5.0], [0.1, 10.0], [3.0, 1.0]),
    ],
)
def test_log_pool_of_normals_is_precision_weighted(
    mus: list[float], sigmas: list[float], weights: list[float] | None
) -> None:
    dists = [Normal(m, s) for m, s in zip(mus, sigmas, strict=True)]
    pooled = pool(dists, weights, method="log")
    assert type(pooled) is Normal
    mu, sigma = precision_weighted(mus, sigmas, weights or [1.0] * len(mus))
    assert pooled.mu == pytest.approx(mu, rel=1e-12, abs=1e-12)
    assert pooled.sigma == pytest.approx(sigma, rel=1e-12)
    assert pooled.origin is not None
    assert pooled.origin["method"] == "log"


def test_log_pool_of_lognormals_is_lognormal() -> None:
    pooled = pool([LogNormal(13.9, 0.1), LogNormal(13.7, 0.2)], [1.0, 1.0], method="log")
    assert type(pooled) is LogNormal
    mu, sigma = precision_weighted([13.9, 13.7], [0.1, 0.2], [1.0, 1.0])
    assert (pooled.mu, pooled.sigma) == pytest.approx((mu, sigma), rel=1e-12)


def test_numerical_log_pool_matches_the_closed_form() -> None:
    # Normals inside TruncNormals far from zero: the numerical path, with a closed-form answer.
    dists: list[Distribution] = [TruncNormal(100.0, 1.0), TruncNormal(103.0, 2.0)]
    pooled = pool(dists, [1.0, 3.0], method="log")
    assert isinstance(pooled, Tabulated)
    mu, sigma = precision_weighted([100.0, 103.0], [1.0, 2.0], [1.0, 3.0])
    exact = stats.norm(mu, sigma)
    x = np.linspace(mu - 4 * sigma, mu + 4 * sigma, 41)
    np.testing.assert_allclose(pooled.cdf(x), exact.cdf(x), atol=2e-5)
    q = np.array([0.01, 0.05, 0.5, 0.95, 0.99])
    np.testing.assert_allclose(pooled.ppf(q), exact.ppf(q), atol=1e-3 * sigma)
    assert pooled.mean() == pytest.approx(mu, abs=1e-4 * sigma)


def test_numerical_log_pool_of_uniforms_is_their_overlap() -> None:
    pooled = pool([Uniform(0.0, 2.0), Uniform(1.0, 3.0)], method="log")
    lo, hi = pooled.support
    assert lo == pytest.approx(1.0, abs=1e-3)
    assert hi == pytest.approx(2.0, abs=1e-3)
    np.testing.assert_allclose(pooled.cdf([1.25, 1.5, 1.75]), [0.25, 0.5, 0.75], atol=1e-3)


def test_numerical_log_pool_normal_and_uniform_is_truncated_normal() -> None:
    # N(0, 1)**0.5 on [0, 4] is a normal with sd sqrt(2), truncated to [0, 4].
    pooled = pool([Normal(0.0, 1.0), Uniform(0.0, 4.0)], method="log")
    exact = stats.truncnorm(0.0, 4.0 / math.sqrt(2.0), loc=0.0, scale=math.sqrt(2.0))
    x = np.linspace(0.1, 3.9, 20)
    np.testing.assert_allclose(pooled.cdf(x), exact.cdf(x), atol=1e-3)


def test_log_pool_without_common_support_is_refused() -> None:
    with pytest.raises(InputError, match="no support in common"):
        pool([Uniform(0.0, 1.0), Uniform(2.0, 3.0)], method="log")


# ------------------------------------------------------------------------------ linear pool
def test_linear_pool_cdf_is_the_weighted_cdf() -> None:
    a, b, c = Normal(0.0, 1.0), Normal(3.0, 2.0), LogNormal(1.0, 0.5)
    pooled = pool({"a": a, "b": b, "c": c}, {"a": 1.0, "b": 3.0, "c": 4.0})
    assert isinstance(pooled, Mixture)
    expected = 0.125 * a.cdf(GRID) + 0.375 * b.cdf(GRID) + 0.5 * c.cdf(GRID)
    np.testing.assert_allclose(pooled.cdf(GRID), expected, rtol=0, atol=1e-15)
    assert pooled.mean() == pytest.approx(0.375 * 3.0 + 0.5 * c.mean(), rel=1e-14)


@given(w=st.floats(0.01, 100.0), x=st.floats(-10.0, 10.0))
def test_linear_pool_of_two_is_the_mixture(w: float, x: float) -> None:
    a, b = Normal(0.0, 1.0), Normal(2.0, 3.0)
    pooled = pool([a, b], [w, 1.0])
    expected = (w * a.cdf(x) + b.cdf(x)) / (w + 1.0)
    assert pooled.cdf(x) == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_single_source_and_zero_weights() -> None:
    a = Normal(1.0, 2.0)
    assert pool([a]) is a
    assert pool([a, Normal(5.0, 1.0)], [1.0, 0.0], method="log") is a


def test_pool_spec_round_trip() -> None:
    pooled = pool([Normal(100.0, 1.0), Uniform(95.0, 110.0)], method="log")
    again = from_spec(pooled.to_spec())
    assert again == pooled
    assert "points on" in repr(pooled)
    mix = pool({"gs": Normal(1.0, 1.0), "uk": Normal(2.0, 1.0)})
    assert from_spec(mix.to_spec()) == mix
    assert mix.origin is not None
    assert list(mix.origin["sources"]) == ["gs", "uk"]


# ------------------------------------------------------------------------------ restatements
def test_restating_source_shares_its_originals_weight() -> None:
    assert pool_weights(["gs", "uk", "csis"], depends_on={"uk": "gs"}) == {
        "gs": 0.25,
        "uk": 0.25,
        "csis": 0.5,
    }
    # A chain: csis restates uk, which restates gs; the three share gs's weight.
    chain = pool_weights(["gs", "uk", "csis", "ind"], depends_on={"uk": "gs", "csis": "uk"})
    assert chain == pytest.approx({"gs": 1 / 6, "uk": 1 / 6, "csis": 1 / 6, "ind": 0.5})
    # Unequal weights: the cluster keeps the original's weight, split in proportion.
    uneq = pool_weights(["gs", "uk", "csis"], [2.0, 1.0, 2.0], depends_on={"uk": "gs"})
    assert uneq == pytest.approx({"gs": 1 / 3, "uk": 1 / 6, "csis": 0.5})


def test_restatement_adds_no_weight_to_the_pool() -> None:
    gs, csis = Normal(1.0e6, 5e4), Normal(8.0e5, 1e5)
    uk = Normal(1.0e6, 5e4)  # UK repeating the General Staff
    for method in ("linear", "log"):
        restated = pool({"gs": gs, "uk": uk, "csis": csis}, method=method, depends_on={"uk": "gs"})
        alone = pool({"gs": gs, "csis": csis}, method=method)
        np.testing.assert_allclose(restated.cdf(GRID * 1e5), alone.cdf(GRID * 1e5), atol=1e-12)
        naive = pool({"gs": gs, "uk": uk, "csis": csis}, method=method)
        assert abs(naive.mean() - alone.mean()) > 1e4  # counted twice, it pulls the pool


def test_depends_on_errors() -> None:
    dists = {"gs": Normal(0.0, 1.0), "uk": Normal(0.0, 1.0)}
    with pytest.raises(InputError, match=r"depends_on: a source='ukk' is not one of .*'uk'"):
        pool(dists, depends_on={"ukk": "gs"})
    with pytest.raises(InputError, match="depends_on forms a cycle: 'gs' -> 'uk' -> 'gs'"):
        pool(dists, depends_on={"uk": "gs", "gs": "uk"})
    with pytest.raises(InputError, match="'uk' cannot restate itself"):
        pool(dists, depends_on={"uk": "uk"})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weights": [1.0]}, "one weight per source; got 1 for 2 sources"),
        ({"weights": [1.0, -1.0]}, r"weights\[1\] must be >= 0"),
        ({"weights": [0.0, 0.0]}, "some source a positive weight"),
        ({"weights": [1.0, float("nan")]}, r"weights\[1\] must be a finite number"),
        ({"method": "geometric"}, "method='geometric' is not one of"),
        ({"grid": 4}, "grid must be at least 16"),
    ],
)
def test_pool_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        pool([Normal(0.0, 1.0), Normal(1.0, 1.0)], **kwargs)  # type: ignore[arg-type]


def test_pool_refuses_draws_and_empty() -> None:
    with pytest.raises(InputError, match=r"sources\[0\] must be a Distribution.*pool_draws"):
        pool([np.zeros(3)])  # type: ignore[list-item]
    with pytest.raises(InputError, match="at least one source"):
        pool([])


# ------------------------------------------------------------------------------ draws
def test_pool_draws_shares_match_the_weights_exactly() -> None:
    draws = {"a": np.zeros(1_000), "b": np.ones(500), "c": np.full(2_000, 2.0)}
    pooled = pool_draws(draws, {"a": 1.0, "b": 1.0, "c": 2.0}, rng=4, size=1_001)
    assert pooled.shape == (1_001,)
    counts = [int((pooled == v).sum()) for v in (0.0, 1.0, 2.0)]
    # 250.25, 250.25, 500.5: floors 250, 250, 500 and the one left to the largest remainder (c).
    assert counts == [250, 250, 501]
    assert not (np.diff(pooled) == 0).all()  # shuffled, not in blocks


def test_pool_draws_is_reproducible_and_resamples() -> None:
    rng = np.random.default_rng(9)
    a, b = rng.normal(0.0, 1.0, 4_000), rng.normal(5.0, 1.0, 1_000)
    one = pool_draws([a, b], rng=1)
    np.testing.assert_array_equal(one, pool_draws([a, b], rng=1))
    assert one.size == 4_000
    assert np.isin(one, np.concatenate([a, b])).all()
    # b has 1,000 draws and must give 2,000: drawn with replacement.
    assert int(np.isin(one, b).sum()) == 2_000
    # a gives 2,000 of its 4,000 without replacement: no draw repeated.
    from_a = one[np.isin(one, a)]
    assert np.unique(from_a).size == from_a.size == 2_000


def test_pool_draws_linear_cdf_within_monte_carlo_error() -> None:
    a, b = Normal(0.0, 1.0), Normal(3.0, 2.0)
    pooled = pool_draws([a.sample(20_000, rng=1), b.sample(20_000, rng=2)], [1, 3], rng=3)
    mix = pool([a, b], [1, 3])
    for x in (-1.0, 0.5, 2.0, 4.0):
        p = float(mix.cdf(x))
        assert abs(float(np.mean(pooled <= x)) - p) < 4 * math.sqrt(p * (1 - p) / pooled.size)


def test_pool_draws_depends_on_and_errors() -> None:
    draws = {"gs": np.zeros(100), "uk": np.ones(100), "csis": np.full(100, 2.0)}
    pooled = pool_draws(draws, rng=1, depends_on={"uk": "gs"})
    assert [int((pooled == v).sum()) for v in (0.0, 1.0, 2.0)] == [25, 25, 50]
    with pytest.raises(InputError, match=r"draws\['uk'\] contains NaN"):
        pool_draws({"gs": np.zeros(3), "uk": np.array([1.0, np.nan])}, rng=1)
    with pytest.raises(InputError, match=r"draws\['gs'\] must be a non-empty 1-d array"):
        pool_draws({"gs": np.zeros((2, 2))}, rng=1)
    with pytest.raises(InputError, match="size must be a positive integer"):
        pool_draws([np.zeros(3)], rng=1, size=0)


# ------------------------------------------------------------------------------ tabulated
def test_tabulated_is_piecewise_linear() -> None:
    dist = Tabulated((0.0, 1.0, 2.0, 4.0), (0.0, 0.5, 0.5, 1.0))  # a gap between 1 and 2
    np.testing.assert_allclose(dist.cdf([0.5, 1.5, 3.0]), [0.25, 0.5, 0.75])
    np.testing.assert_allclose(dist.ppf([0.25, 0.75, 0.0, 1.0]), [0.5, 3.0, 0.0, 4.0])
    assert dist.mean() == pytest.approx(0.5 * 0.5 + 0.5 * 3.0)
    draws = dist.sample(10_000, rng=1)
    assert not ((draws > 1.0) & (draws < 2.0)).any()
    with pytest.raises(InputError, match="rise from exactly 0 to exactly 1"):
        Tabulated((0.0, 1.0), (0.0, 0.9))
    with pytest.raises(InputError, match="strictly increasing"):
        Tabulated((0.0, 0.0, 1.0), (0.0, 0.5, 1.0))
