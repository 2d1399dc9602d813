"""The forecast engine on series with known behaviour and on AirPassengers (statsforecast).

Series are short and monthly so numba's first compilation dominates the run; ``n_jobs=1``
keeps the work in this process.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsforecast.utils import AirPassengers

from accord.planning.demand_classes import DemandSeries
from accord.planning.forecast import forecast_demand
from accord.planning.forecast_result import ForecastParams

START = dt.date(2026, 11, 1)
SPARSE = ("CrostonOptimized", "ADIDA", "IMAPA", "TSB")


def _series(sku: str, values) -> DemandSeries:
    return DemandSeries(sku, dt.date(2020, 1, 1), np.asarray(values, dtype=float))


def _run(*series: DemandSeries, **params):
    options = {"period": "month", "horizon": 6, "n_jobs": 1} | params
    return forecast_demand(series, ForecastParams(**options), START)


def test_constant_demand_gives_a_flat_forecast_at_that_level():
    result = _run(_series("PUMP-200", [7.0] * 40))
    (pump,) = result.skus
    assert pump.demand_class == "smooth"
    assert pump.quantity == pytest.approx((7.0,) * 6)
    # every candidate forecasts 7 exactly: the tie goes to the first candidate
    assert pump.model == "AutoETS"
    assert pump.wape == 0.0
    assert pump.mase is None  # the in-sample naive error is 0: MASE undefined, not infinite
    assert result.accuracy["mase"] is None and result.accuracy["wape"] == 0.0


def test_linear_trend_is_won_by_a_trend_model_not_the_naive_forecast():
    t = np.arange(48)
    noise = np.random.default_rng(1).normal(0, 1.0, 48)
    (sku,) = _run(_series("PUMP-200", 10 + 2 * t + noise)).skus
    assert sku.model in ("AutoETS", "Theta")
    # the seasonal-naive forecast is 12 months x 2 units behind: MAE ~24
    assert sku.scores["SeasonalNaive"] > 20
    assert sku.scores[sku.model] < 3
    assert sku.mase < 0.25 * sku.baseline_mase
    # forecast continues the line: month 48 + k is about 10 + 2 (48 + k)
    expected = 10 + 2 * (48 + np.arange(6))
    assert np.allclose(sku.quantity, expected, atol=4)


def test_seasonal_demand_is_forecast_better_with_the_season_than_without():
    t = np.arange(60)
    pattern = 100 + 40 * np.sin(2 * np.pi * t / 12)
    values = pattern + np.random.default_rng(2).normal(0, 3, 60)
    seasonal = _run(_series("FAN-10", values)).skus[0]
    flat = _run(_series("FAN-10", values), season_length=1).skus[0]
    assert seasonal.season_length == 12 and flat.season_length == 1
    assert seasonal.mase < 0.5 * flat.mase
    # the forecast follows next year's shape: months 60..65 of the sine
    future = 100 + 40 * np.sin(2 * np.pi * np.arange(60, 66) / 12)
    assert np.corrcoef(seasonal.quantity, future)[0, 1] > 0.95


def test_intermittent_demand_is_classified_and_given_an_intermittent_method():
    rng = np.random.default_rng(3)
    values = np.where(rng.random(60) < 0.25, rng.poisson(6, 60) + 1, 0)
    (kit,) = _run(_series("KIT-7", values)).skus
    assert kit.demand_class in ("intermittent", "lumpy")
    assert kit.model in SPARSE
    # Croston-type forecasts are flat: the mean demand per period
    assert len(set(kit.quantity)) == 1
    assert 0.3 * values.mean() < kit.quantity[0] < 3 * values.mean()
    # no native interval: from the back-test errors, clipped at zero
    assert all(lo is not None and 0 <= lo <= q <= hi for lo, q, hi in
               zip(kit.lo, kit.quantity, kit.hi, strict=True))  # fmt: skip


def test_air_passengers_picks_a_seasonal_model_that_beats_seasonal_naive():
    result = _run(_series("AIR", AirPassengers), horizon=12)
    (air,) = result.skus
    assert air.demand_class == "smooth" and air.season_length == 12
    # the choice is the lowest back-test MAE among the candidates
    assert air.model == min(air.scores, key=air.scores.get)
    assert air.mase < air.baseline_mase
    acc = result.accuracy
    assert acc["mase"] == air.mase and acc["baseline_mase"] == air.baseline_mase
    # 80 % interval around every forecast
    assert all(lo < q < hi for lo, q, hi in zip(air.lo, air.quantity, air.hi, strict=True))
    assert len(result.to_json()["forecasts"]) == 12


def test_short_series_is_not_back_tested_and_gets_the_class_default():
    (new,) = _run(_series("NEW-1", [3, 4, 5])).skus
    assert new.points == 0 and new.scores == {}
    assert new.model == "AutoETS" and new.mase is None
    assert len(new.quantity) == 6


def test_same_input_same_answer_and_shape():
    series = [_series("A-1", [5, 6, 5, 7, 6, 5] * 5), _series("B-2", [0, 0, 4, 0, 0, 5] * 5)]
    first, second = _run(*series), _run(*series)
    assert first == second
    body = first.to_json()
    assert set(body) >= {"series", "models", "accuracy", "forecasts"}
    assert set(body["accuracy"]) >= {"mase", "wape", "baseline_mase", "baseline_wape"}
    assert set(body["forecasts"][0]) == {"sku", "period_start", "quantity", "lo", "hi"}
    assert body["series"] == 2 and sum(body["models"].values()) == 2
    assert body["forecasts"][0]["period_start"] == "2026-11-01"


@settings(max_examples=15, deadline=None)
@given(
    st.lists(st.integers(0, 30), min_size=1, max_size=40),
    st.lists(st.integers(0, 30), min_size=1, max_size=40),
)
def test_forecasts_are_never_negative_and_sit_inside_their_interval(first, second):
    result = _run(_series("A-1", first), _series("B-2", second), horizon=3)
    for s in result.skus:
        names = ForecastParams().regular_models + ForecastParams().sparse_models
        assert s.model in names
        assert len(s.quantity) == len(s.lo) == len(s.hi) == 3
        for lo, q, hi in zip(s.lo, s.quantity, s.hi, strict=True):
            assert q >= 0
            if lo is not None:
                assert 0 <= lo <= q + 1e-9 and hi + 1e-9 >= q
        if s.points and s.demand_class in ("smooth", "erratic"):
            # the seasonal-naive baseline is a regular candidate: chosen by MAE, never worse
            assert s.abs_error <= s.baseline_abs_error + 1e-9


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("horizon", 0, "horizon"),
        ("level", 100, "level"),
        ("period", "day", "period"),
        ("regular_models", ("Prophet",), "regular_models"),
        ("n_jobs", 0, "n_jobs"),
        ("season_length", 0, "season_length"),
    ],
)
def test_parameters_name_the_bad_field(field, value, message):
    with pytest.raises(ValueError, match=message):
        ForecastParams(**{field: value})
