"""attrition.split: the accounting per draw, broken draws, strict mode, share_of."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import attritionsim.attrition as att
from attritionsim.errors import InputError


def test_split_accounting_holds_per_draw() -> None:
    casualties = np.array([400.0, 1_000.0, 1_200_000.0])
    killed = np.array([100.0, 250.0, 300_000.0])
    missing = np.array([20.0, 0.0, 100_000.0])
    parts = att.split(casualties, killed, missing)
    np.testing.assert_array_equal(parts.wounded, [280.0, 750.0, 800_000.0])
    np.testing.assert_array_equal(parts.killed_share, killed / casualties)
    np.testing.assert_array_equal(parts.wounded_per_killed, [2.8, 3.0, 800_000.0 / 300_000.0])
    np.testing.assert_array_equal(killed + parts.wounded + missing, casualties)
    assert parts.n_broken == 0
    assert parts.broken_share == 0.0


def test_split_reports_broken_draws_as_nan() -> None:
    casualties = np.array([100.0, 100.0, 100.0, 0.0, 100.0, np.nan, 100.0])
    killed = np.array([30.0, 120.0, -1.0, 0.0, 60.0, 10.0, 100.0])
    missing = np.array([0.0, 0.0, 0.0, 0.0, 50.0, 0.0, 0.0])
    parts = att.split(casualties, killed, missing)
    expected_broken = [False, True, True, True, True, True, False]
    np.testing.assert_array_equal(parts.broken, expected_broken)
    assert parts.n_broken == 5
    assert parts.broken_share == pytest.approx(5 / 7)
    for field in (parts.killed_share, parts.wounded, parts.wounded_per_killed):
        assert np.isnan(field[1:6]).all()
    assert parts.killed_share[0] == 0.3
    assert parts.wounded[6] == 0.0  # all killed: no wounded, accounting holds
    assert parts.wounded_per_killed[6] == 0.0


def test_split_no_killed_gives_inf_wounded_per_killed() -> None:
    assert att.split(100.0, 0.0).wounded_per_killed == np.inf


def test_split_rounding_slack_is_not_broken() -> None:
    # Parts that sum to the total on paper but exceed it by one rounding step in floating point:
    # 0.1 + 0.2 is 0.30000000000000004 > 0.3. Without the slack these draws would be "broken".
    killed = np.array([0.1, 100_000.1])
    missing = np.array([0.2, 200_000.2])
    casualties = np.array([0.3, 300_000.3])
    assert (killed + missing > casualties).all()  # the example needs the slack
    parts = att.split(casualties, killed, missing)
    assert parts.n_broken == 0
    np.testing.assert_array_equal(parts.wounded, [0.0, 0.0])
    # A real excess (one part in 10^9) is still broken.
    assert att.split(casualties, killed * (1 + 1e-9), missing).n_broken == 2


def test_split_strict_raises_naming_the_count() -> None:
    casualties = np.full(10, 100.0)
    killed = np.array([10.0] * 7 + [150.0, 200.0, 101.0])
    with pytest.raises(InputError, match=r"3 of 10 draws \(30%\).*first at draw 7: casualties=100"):
        att.split(casualties, killed, strict=True)
    att.split(casualties[:7], killed[:7], strict=True)  # fine when none break


def test_split_dataarrays_in_dataarrays_out() -> None:
    casualties = xr.DataArray([400.0, 100.0], dims="draw")
    killed = xr.DataArray([100.0, 150.0], dims="draw")
    parts = att.split(casualties, killed)
    assert all(isinstance(field, xr.DataArray) for field in parts)
    assert parts.wounded.dims == ("draw",)
    np.testing.assert_array_equal(parts.wounded.values, [300.0, np.nan])
    ds = parts.to_dataset()
    assert ds.attrs["broken_draws"] == 1
    assert ds["killed_share"].attrs["units"] == "1"
    with pytest.raises(InputError, match="1 of 2 draws"):
        att.split(casualties, killed, strict=True)


def test_registered_split_helpers_match_split() -> None:
    c, k, m = np.array([400.0, 90.0]), np.array([100.0, 80.0]), np.array([50.0, 20.0])
    parts = att.split(c, k, m)
    np.testing.assert_array_equal(att.killed_share(c, k, m), parts.killed_share)
    np.testing.assert_array_equal(att.wounded(c, k, m), parts.wounded)
    np.testing.assert_array_equal(att.wounded_per_killed(c, k, m), parts.wounded_per_killed)
    np.testing.assert_array_equal(att.broken_split(c, k, m), [False, True])


def test_share_of_keeps_parts_coherent() -> None:
    total = np.array([1.0e6, 2.0e6, 5.0])
    share = np.array([0.25, 0.5, 1.2])
    np.testing.assert_array_equal(att.share_of(total, share), [250_000.0, 1.0e6, np.nan])
    with pytest.raises(InputError, match=r"share must be in \[0, 1\]; got 1.5"):
        att.share_of(total, 1.5)
