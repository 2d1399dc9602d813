"""Demand series per period and the Syntetos–Boylan classes, on hand-worked cases."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.planning.demand_classes import (
    ADI_CUT,
    CV2_CUT,
    DemandSeries,
    classify,
    demand_series,
    period_start,
    periods_between,
    shift_period,
)

D = dt.date


def test_weeks_start_on_monday_and_months_on_the_first():
    assert period_start(D(2026, 11, 5), "week") == D(2026, 11, 2)  # a Thursday -> its Monday
    assert period_start(D(2026, 11, 2), "week") == D(2026, 11, 2)
    assert period_start(D(2026, 11, 30), "month") == D(2026, 11, 1)
    assert shift_period(D(2026, 11, 1), "month", 2) == D(2027, 1, 1)
    assert shift_period(D(2026, 12, 28), "week", 1) == D(2027, 1, 4)
    assert periods_between(D(2025, 11, 1), D(2026, 2, 1), "month") == 3
    with pytest.raises(ValueError, match="period"):
        period_start(D(2026, 1, 1), "day")


def test_history_is_summed_per_period_and_gaps_filled_with_zero():
    rows = [
        {"sku": "PUMP-200", "date": D(2026, 7, 3), "quantity": 4.0},
        {"sku": "PUMP-200", "date": D(2026, 7, 20), "quantity": 6.0},
        {"sku": "PUMP-200", "date": D(2026, 9, 1), "quantity": 5.0},
        # in the as-of month (November): not over yet, so not history
        {"sku": "PUMP-200", "date": D(2026, 11, 1), "quantity": 99.0},
        {"sku": "FAN-10", "date": D(2026, 10, 31), "quantity": 2.0},
    ]
    series = demand_series(rows, "month", as_of=D(2026, 11, 2))
    assert [s.sku for s in series] == ["FAN-10", "PUMP-200"]  # sorted by SKU
    fan, pump = series
    assert (fan.start, fan.values.tolist()) == (D(2026, 10, 1), [2.0])
    # July 4 + 6 = 10, August nothing -> 0, September 5, October 0
    assert (pump.start, pump.values.tolist()) == (D(2026, 7, 1), [10.0, 0.0, 5.0, 0.0])


def test_weekly_history_ends_the_week_before_the_as_of_week():
    rows = [
        {"sku": "PUMP-200", "date": D(2026, 10, 12), "quantity": 1.0},  # Monday, week of Oct 12
        {"sku": "PUMP-200", "date": D(2026, 11, 1), "quantity": 3.0},  # Sunday, week of Oct 26
        {"sku": "PUMP-200", "date": D(2026, 11, 3), "quantity": 7.0},  # the as-of week
    ]
    (pump,) = demand_series(rows, "week", as_of=D(2026, 11, 4))
    # weeks of Oct 12 (1), Oct 19 (nothing sold: 0), Oct 26 (3); the week of Nov 2 is open
    assert pump.values.tolist() == [1.0, 0.0, 3.0]
    assert pump.start == D(2026, 10, 12)


def test_series_rejects_negative_quantities():
    with pytest.raises(ValueError, match="PUMP-200"):
        DemandSeries("PUMP-200", D(2026, 1, 1), np.array([1.0, -2.0]))


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # every period sold, sizes 10 and 12: ADI 1, CV^2 = (1/11)^2 = 0.008
        ([10, 12, 10, 12], "smooth"),
        # every period sold, sizes 1 and 9: mean 5, variance 16, CV^2 = 0.64
        ([1, 9, 1, 9], "erratic"),
        # 2 of 6 periods sold: ADI 3; sizes 5 and 5: CV^2 0
        ([0, 5, 0, 0, 5, 0], "intermittent"),
        # 2 of 6 periods sold: ADI 3; sizes 1 and 9: CV^2 0.64
        ([0, 1, 0, 0, 9, 0], "lumpy"),
        ([0, 0, 0], "intermittent"),  # no demand: ADI infinite
    ],
)
def test_classes_follow_the_adi_and_cv2_cut_offs(values, expected):
    assert classify(np.array(values, dtype=float)).demand_class == expected


def test_adi_and_cv2_are_the_textbook_figures():
    c = classify(np.array([0, 1, 0, 0, 9, 0], dtype=float))
    assert c.adi == 3.0
    assert c.cv2 == pytest.approx(16 / 25)
    assert not c.regular


@given(st.lists(st.integers(0, 50), min_size=1, max_size=60))
def test_class_agrees_with_its_adi_and_cv2(values):
    c = classify(np.array(values, dtype=float))
    assert c.regular == (c.adi < ADI_CUT)
    sparse_low = c.demand_class in ("smooth", "intermittent")
    assert sparse_low == (c.cv2 < CV2_CUT)


@given(
    st.lists(
        st.tuples(st.sampled_from(["PUMP-200", "FAN-10"]), st.integers(0, 400), st.integers(0, 9)),
        max_size=40,
    )
)
def test_aggregation_keeps_every_unit_sold_before_the_as_of_period(sales):
    as_of = D(2026, 11, 4)
    first = D(2025, 9, 1)
    rows = [
        {"sku": sku, "date": first + dt.timedelta(days=day), "quantity": float(q)}
        for sku, day, q in sales
    ]
    for period in ("week", "month"):
        series = demand_series(rows, period, as_of)
        end = period_start(as_of, period)
        kept = sum(r["quantity"] for r in rows if r["date"] < end)
        assert sum(float(s.values.sum()) for s in series) == kept
        for s in series:
            assert shift_period(s.start, period, len(s)) == end  # ends right before as-of
