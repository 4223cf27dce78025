"""Random streams, sampling designs and the Gaussian copula."""

from __future__ import annotations

import hashlib
import itertools
import time

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from attritionsim import InputError, _rng, design


# ------------------------------------------------------------------------------ stream layout
def test_stream_layout_matches_its_documentation() -> None:
    # Rebuild the documented layout by hand: blake2b key, Philox 4x64, 53-bit grid + half a step.
    message = b"attritionsim\x00draws\x0042\x00ru_casualties"
    key = np.frombuffer(hashlib.blake2b(message, digest_size=16).digest(), dtype="<u8")
    words = np.random.Philox(key=key.astype(np.uint64)).random_raw(10)
    expected = [((int(w) >> 12) + 0.5) * 2.0**-52 for w in words]  # exact in float64
    assert _rng.stream_uniforms(42, "ru_casualties", 0, 10).tolist() == expected


def test_uniforms_reach_neither_end_even_for_extreme_words() -> None:
    words = np.array([0, 1, 2**63, 2**64 - 1], dtype=np.uint64)
    u = (np.bitwise_or(words >> np.uint64(12), np.uint64(0x3FF0000000000000))).view(np.float64)
    u = u - (1.0 - 2.0**-53)
    assert u.tolist() == [2.0**-53, 2.0**-53, 0.5 + 2.0**-53, 1.0 - 2.0**-53]


def test_stream_layout_is_pinned() -> None:
    # Changing these values is a breaking change: every published result would move.
    assert _rng.stream_words(0, "x", 0, 3).tolist() == [
        13086219012717721196,
        9270432541523550948,
        17422545568847932305,
    ]
    assert _rng.stream_uniforms(20250604, "ru_casualties", 0, 3).tolist() == [
        0.9086353875350958,
        0.9035988606105704,
        0.45255944412083904,
    ]


@given(start=st.integers(0, 300), length=st.integers(0, 100))
def test_any_block_of_a_stream_is_reached_directly(start: int, length: int) -> None:
    whole = _rng.stream_uniforms(7, "a", 0, 400)
    assert np.array_equal(
        _rng.stream_uniforms(7, "a", start, start + length), whole[start:][:length]
    )


def test_streams_differ_by_seed_name_and_purpose() -> None:
    base = _rng.stream_words(1, "a", 0, 4)
    for other in (
        _rng.stream_words(2, "a", 0, 4),
        _rng.stream_words(1, "b", 0, 4),
        _rng.stream_words(1, "a", 0, 4, purpose="lhs-strata"),
    ):
        assert not np.array_equal(base, other)


def test_uniforms_are_strictly_inside_the_unit_interval() -> None:
    u = _rng.stream_uniforms(3, "x", 0, 200_000)
    assert u.min() > 0.0 and u.max() < 1.0
    # Uniformity: a Kolmogorov-Smirnov test that a broken conversion would fail.
    assert stats.kstest(u, "uniform").pvalue > 1e-4


@pytest.mark.parametrize("seed", [-1, 1.5, "1", True, None])
def test_bad_seeds_are_refused(seed: object) -> None:
    with pytest.raises(InputError, match="seed"):
        _rng.check_seed(seed)


# ------------------------------------------------------------------------------ designs
@pytest.mark.parametrize("method", design.METHODS)
@given(data=st.data())
def test_blocks_of_every_design_match_the_whole(method: design.Method, data: st.DataObject) -> None:
    draws = data.draw(st.integers(1, 600))
    start = data.draw(st.integers(0, draws))
    stop = data.draw(st.integers(start, draws))
    whole = design.uniforms(method, 5, ["a", "b"], 0, draws, draws)
    part = design.uniforms(method, 5, ["a", "b"], start, stop, draws)
    for name in ("a", "b"):
        assert np.array_equal(part[name], whole[name][start:stop])


@given(draws=st.integers(1, 5000), seed=st.integers(0, 2**32))
def test_latin_hypercube_has_one_draw_per_stratum(draws: int, seed: int) -> None:
    u = design.uniforms("lhs", seed, ["a", "b"], 0, draws, draws)
    for values in u.values():
        assert values.min() > 0.0 and values.max() < 1.0
        strata = np.floor(values * draws).astype(np.int64)
        assert np.array_equal(np.sort(strata), np.arange(draws))
    # Different inputs are paired at random, not in the same order.
    if draws > 20:
        assert not np.array_equal(np.argsort(u["a"]), np.argsort(u["b"]))


def test_latin_hypercube_permutation_is_not_the_identity_pattern() -> None:
    strata = design.lhs_strata(11, "x", 0, 10_000, 10_000).astype(np.float64)
    # A random permutation has rank correlation ~ N(0, 1/n) with the index.
    assert abs(stats.spearmanr(strata, np.arange(10_000)).statistic) < 0.04


@pytest.mark.parametrize("m", [4, 10])
def test_sobol_points_are_balanced(m: int) -> None:
    n = 2**m
    u = design.uniforms("sobol", 3, ["c", "a", "b"], 0, n, n)
    for values in u.values():
        for k in range(1, m + 1):  # every dyadic interval of length 2**-k holds n / 2**k points
            counts = np.bincount(np.floor(values * 2**k).astype(np.int64), minlength=2**k)
            assert (counts == n // 2**k).all()
    # The first two dimensions (by name: a, b) form a (0, m, 2)-net.
    for ka in range(m + 1):
        kb = m - ka
        cells = np.floor(u["a"] * 2**ka).astype(np.int64) * 2**kb + np.floor(u["b"] * 2**kb)
        assert (np.bincount(cells.astype(np.int64), minlength=n) == 1).all()


def test_sobol_ignores_the_order_of_inputs() -> None:
    one = design.uniforms("sobol", 3, ["a", "b"], 0, 64, 64)
    two = design.uniforms("sobol", 3, ["b", "a"], 0, 64, 64)
    assert all(np.array_equal(one[k], two[k]) for k in ("a", "b"))


def test_unknown_method_is_refused() -> None:
    with pytest.raises(InputError, match="method"):
        design.uniforms("qmc", 1, ["a"], 0, 2, 2)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ copula
def test_spearman_to_pearson_closed_form() -> None:
    rho = np.array([-0.9, -0.3, 0.0, 0.5, 0.99])
    # Pearson's inverse formula: rho_S = (6 / pi) arcsin(r / 2).
    r = design.spearman_to_pearson(rho)
    assert np.allclose(6.0 / np.pi * np.arcsin(np.asarray(r) / 2.0), rho, rtol=0, atol=1e-15)


@pytest.mark.parametrize("rho", [-0.8, -0.2, 0.3, 0.7])
def test_copula_gives_the_asked_rank_correlation(rho: float) -> None:
    n = 40_000
    u = design.uniforms("mc", 9, ["a", "b"], 0, n, n)
    out = design.Copula({("a", "b"): rho}).apply(u)
    achieved = stats.spearmanr(out["a"], out["b"]).statistic
    se = (1 - rho**2) / np.sqrt(n)  # asymptotic standard error of Spearman's rho (normal data)
    assert abs(achieved - rho) < 5 * se
    # Margins stay uniform, and the first input of the group is untouched.
    assert np.array_equal(out["a"], u["a"])
    assert stats.kstest(out["b"], "uniform").pvalue > 1e-4


def test_copula_refuses_impossible_correlations_and_names_the_group() -> None:
    corr = {("a", "b"): 0.9, ("b", "c"): 0.9, ("a", "c"): -0.9, ("c", "d"): 0.1}
    with pytest.raises(InputError, match=r"among a, b, c") as err:
        design.Copula(corr)
    assert "d" not in str(err.value).split("among")[1].split(":")[0]


@pytest.mark.parametrize(
    ("corr", "match"),
    [
        ({("a", "b"): 1.0}, r"\(-1, 1\)"),
        ({("a", "b"): -1.5}, r"\(-1, 1\)"),
        ({("a", "b"): float("nan")}, r"\(-1, 1\)"),
        ({("a", "a"): 0.5}, "itself"),
        ({("a", "b"): 0.5, ("b", "a"): 0.2}, "twice"),
        ({"ab": 0.5}, "pairs"),
    ],
)
def test_copula_bad_input(corr: dict[object, float], match: str) -> None:
    with pytest.raises(InputError, match=match):
        design.Copula(corr)  # type: ignore[arg-type]


def test_copula_of_three_keeps_every_pair() -> None:
    n = 40_000
    corr = {("a", "b"): 0.5, ("a", "c"): -0.3, ("b", "c"): 0.2}
    out = design.Copula(corr).apply(design.uniforms("mc", 2, ["a", "b", "c"], 0, n, n))
    for (x, y), rho in corr.items():
        assert abs(stats.spearmanr(out[x], out[y]).statistic - rho) < 5 / np.sqrt(n)
    assert set(itertools.chain(*corr)) == set(out)


# ------------------------------------------------------------------------------ copula checks
def _chain_with_a_planted_triple(n: int) -> dict[tuple[str, str], float]:
    """``n`` inputs in a weak chain, plus three (x10, x50, x70) that cannot hold together."""
    corr = {(f"x{i}", f"x{i + 1}"): 0.3 for i in range(n - 1)}
    corr.update({("x10", "x50"): 0.95, ("x50", "x70"): 0.95, ("x10", "x70"): -0.95})
    return corr


def test_copula_names_a_planted_triple_among_100_inputs() -> None:
    with pytest.raises(InputError) as err:
        design.Copula(_chain_with_a_planted_triple(100))
    assert str(err.value) == (
        "correlations cannot hold together (the correlation matrix is not positive definite) "
        "among x10, x50, x70: x10~x50 0.95, x10~x70 -0.95, x50~x70 0.95; weaken one of them"
    )


def test_copula_check_of_100_inputs_is_polynomial(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every pair at rho = -0.07: any 15 inputs cannot hold together, no 14 are at fault, so a
    # search through subsets by size would visit about 10**16 of them before the first culprit.
    names = [f"x{i:02d}" for i in range(100)]
    corr = dict.fromkeys(itertools.combinations(names, 2), -0.07)
    calls = []
    cholesky = design._cholesky

    def counted(matrix: np.ndarray) -> np.ndarray | None:
        calls.append(len(matrix))
        return cholesky(matrix)

    monkeypatch.setattr(design, "_cholesky", counted)
    start = time.perf_counter()
    with pytest.raises(InputError, match="not positive definite") as err:
        design.Copula(corr)
    elapsed = time.perf_counter() - start
    group = str(err.value).split(" among ")[1].split(":")[0].split(", ")
    assert len(group) == 15
    # One factorisation to fail, one to confirm, then one per input left out: linear.
    assert len(calls) <= 100 + 2
    assert elapsed < 2.0  # a generous guard: it takes a few milliseconds


@given(st.lists(st.floats(-0.95, 0.95), min_size=10, max_size=10))
def test_copula_culprits_are_a_minimal_inconsistent_group(rhos: list[float]) -> None:
    pairs = list(itertools.combinations("abcde", 2))
    corr = dict(zip(pairs, rhos, strict=True))
    try:
        cop = design.Copula(corr)
    except InputError as err:
        group = str(err).split(" among ")[1].split(":")[0].split(", ")
        index = ["abcde".index(g) for g in group]
        pearson = np.asarray(design.spearman_to_pearson(np.eye(5)))
        for (a, b), rho in corr.items():
            i, j = "abcde".index(a), "abcde".index(b)
            pearson[i, j] = pearson[j, i] = design.spearman_to_pearson(rho)
        np.fill_diagonal(pearson, 1.0)
        assert len(group) >= 3
        assert design._cholesky(pearson[np.ix_(index, index)]) is None
        for k in range(len(index)):  # leaving out any one of them makes the rest consistent
            rest = index[:k] + index[k + 1 :]
            assert design._cholesky(pearson[np.ix_(rest, rest)]) is not None
    else:
        assert cop.culprits() == ()


@pytest.mark.parametrize(
    ("rho", "shown"),
    [
        (None, "None"),
        (0.5j, "0.5j"),
        (np.array([0.1, 0.2]), "array([0.1, 0.2])"),
        ("0.5", "'0.5'"),
        (True, "True"),
    ],
)
def test_copula_rho_that_is_not_a_number_names_the_pair(rho: object, shown: str) -> None:
    with pytest.raises(InputError) as err:
        design.Copula({("ru", "ua"): rho})  # type: ignore[dict-item]
    assert str(err.value) == (
        f"correlations: rho for ('ru', 'ua') must be a number in (-1, 1); got {shown}"
    )


@pytest.mark.parametrize(("rho", "shown"), [(float("nan"), "nan"), (10**400, "about 10^400")])
def test_copula_rho_that_is_nan_or_huge_names_the_pair(rho: object, shown: str) -> None:
    with pytest.raises(InputError) as err:
        design.Copula({("ru", "ua"): rho})  # type: ignore[dict-item]
    assert str(err.value) == f"correlations: rho for ('ru', 'ua') must be in (-1, 1); got {shown}"


def test_latin_hypercube_uniforms_never_round_up_to_one(monkeypatch: pytest.MonkeyPatch) -> None:
    # The largest uniform a stream gives, in the top stratum: (draws - 1 + u) / draws rounds to 1.
    def top(seed: int, name: str, start: int, stop: int) -> np.ndarray:
        return np.full(stop - start, 1.0 - 2.0**-53)

    monkeypatch.setattr(design._rng, "stream_uniforms", top)
    u = design.uniforms("lhs", 1, ["a"], 0, 1000, 1000)["a"]
    assert u.max() == 1.0 - 2.0**-53
