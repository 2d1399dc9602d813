"""MASE, WAPE and sMAPE on hand-worked numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.planning.accuracy import mase, mean_defined, naive_scale, smape, wape


def test_naive_scale_is_the_in_sample_seasonal_naive_mae():
    train = np.array([10.0, 20.0, 12.0, 22.0, 14.0])
    # lag 2: |12-10|, |22-20|, |14-12| -> mean 2
    assert naive_scale(train, 2) == 2.0
    # lag 1: |10|, |-8|, |10|, |-8| -> mean 9
    assert naive_scale(train, 1) == 9.0
    # a season longer than the data falls back to lag 1
    assert naive_scale(train, 12) == 9.0
    assert naive_scale(np.array([3.0]), 1) == 0.0  # one period: no naive error at all


def test_mase_divides_by_the_scale_and_is_undefined_for_a_constant_series():
    assert mase(3.0, 2.0) == 1.5
    assert mase(0.0, 0.0) is None  # constant history: no naive error to compare with
    assert mase(1.0, math.nan) is None


def test_wape_pools_errors_over_actuals():
    # errors 2 + 1 = 3 over actual 10 + 20 = 30
    assert wape(3.0, 30.0) == pytest.approx(0.1)
    assert wape(3.0, 0.0) is None


def test_mean_defined_skips_undefined_values():
    assert mean_defined([1.0, None, 3.0]) == 2.0
    assert mean_defined([None]) is None


def test_smape_as_scored_in_m3():
    # 200 * |100 - 90| / 190 = 10.526..., 200 * 0 / 100 = 0 -> mean 5.263...
    assert smape(np.array([100.0, 50.0]), np.array([90.0, 50.0])) == pytest.approx(
        (200 * 10 / 190) / 2
    )


@given(st.lists(st.floats(0, 1e6), min_size=1, max_size=30))
def test_smape_is_zero_for_a_perfect_forecast_and_at_most_200(values):
    actual = np.array(values)
    assert smape(actual, actual) == 0.0
    assert 0.0 <= smape(actual, actual + 1.0) <= 200.0
