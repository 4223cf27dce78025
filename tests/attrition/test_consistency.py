"""attrition.consistency: verdicts against closed forms, exact constants, refusals."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special, stats

import attritionsim.attrition as att
from attritionsim.errors import InputError


def quantile_grid(n: int) -> np.ndarray:
    """Standard normal draws placed exactly at the quantiles (i + 1/2) / n."""
    return np.asarray(special.ndtri((np.arange(n) + 0.5) / n))


def consistency_setup(later_mean: float, later_sd: float) -> att.Consistency:
    z = quantile_grid(20_000)
    rng = np.random.default_rng(3)
    earlier = 790_000.0 + 20_000.0 * rng.permutation(z)
    rate = 1_000.0 + 100.0 * rng.permutation(z)
    later = later_mean + later_sd * rng.permutation(z)
    return att.consistency(earlier, later, rate, date_earlier="2025-03-01", date_later="2025-06-09")


def test_consistency_verdicts() -> None:
    # Predicted: 790,000 + 100 days * 1,000 = 890,000, sd sqrt(20k^2 + (100 * 100)^2) = 22,361.
    agree = consistency_setup(900_000.0, 20_000.0)
    assert agree.verdict == "consistent"
    assert agree.days == 100.0
    assert agree.tail_probability > 0.5
    assert agree.median_discrepancy == pytest.approx(10_000.0, abs=1_500.0)
    assert 0.7 < agree.prob_in_predicted < 1.0
    assert agree.implied_rate == pytest.approx(1_100.0, abs=20.0)
    far = consistency_setup(1_200_000.0, 20_000.0)
    assert far.verdict == "inconsistent"
    assert far.tail_probability == 0.0
    assert far.prob_later_higher == 1.0
    assert far.prob_in_predicted == 0.0
    assert str(far).startswith("inconsistent: the later figure is 3")
    assert "(35%) above what the earlier figure plus the rate predict" in str(far)
    # Discrepancy ~ N(70,000, 30,000): two-sided p = 2 * (1 - Phi(2.33)) = 0.0196.
    tense = consistency_setup(960_000.0, 20_000.0)
    assert tense.verdict == "in tension"
    sd = float(np.hypot(22_360.68, 20_000.0))
    assert tense.tail_probability == pytest.approx(2 * stats.norm.sf(70_000.0 / sd), abs=0.005)


def test_consistency_exact_for_constants_and_thresholds() -> None:
    result = att.consistency(
        800_000.0, 900_000.0, 1_000.0, date_earlier="2025-03-01", date_later="2025-06-09"
    )
    assert (result.verdict, result.tail_probability, result.median_discrepancy) == (
        "consistent",
        1.0,
        0.0,
    )
    assert result.implied_rate == 1_000.0
    with pytest.raises(InputError, match=r"date_later=2025-03-01.* must be after date_earlier"):
        att.consistency(1.0, 2.0, 1.0, date_earlier="2025-06-09", date_later="2025-03-01")
    with pytest.raises(InputError, match="thresholds must be two probabilities"):
        att.consistency(
            1.0,
            2.0,
            1.0,
            date_earlier="2025-01-01",
            date_later="2025-03-01",
            thresholds=(0.01, 0.1),
        )
    with pytest.raises(InputError, match="same number of draws"):
        att.consistency(
            np.ones(3), np.ones(4), 1.0, date_earlier="2025-01-01", date_later="2025-03-01"
        )


def test_the_sentence_is_written_by_the_report_layer() -> None:
    from attritionsim.report import consistency_sentence

    result = consistency_setup(1_200_000.0, 20_000.0)
    assert str(result) == result.describe() == consistency_sentence(result)
    assert att.CONSISTENT_AT == 0.10
    assert att.INCONSISTENT_BELOW == 0.01
