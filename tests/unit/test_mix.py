"""The best mix by LP against greedy mixes, on textbook cases worked out by hand."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.planning.mix import (
    best_mix,
    greedy_mix,
    margin_first_order,
    rate_first_order,
)

# Goldratt's P & Q (The Haystack Syndrome). Per week: P sells for 90 with 45 of material,
# Q for 100 with 40, so T(P) = 45 and T(Q) = 60. Demand P 100, Q 50. Four resources A-D,
# 2,400 minutes each. Minutes per unit (rows A, B, C, D): P 15/15/15/15, Q 10/30/5/5.
# Load: A 100*15 + 50*10 = 2,000; B 100*15 + 50*30 = 3,000 > 2,400: B is the constraint;
# C and D 100*15 + 50*5 = 1,750. Operating expense 6,000 a week.
PQ_T = np.array([45.0, 60.0])
PQ_MINUTES = np.array([[15.0, 10.0], [15.0, 30.0], [15.0, 5.0], [15.0, 5.0]])
PQ_CAPACITY = np.full(4, 2400.0)
PQ_DEMAND = np.array([100.0, 50.0])
PQ_EXPENSE = 6000.0


def test_goldratt_p_and_q_best_mix_makes_all_p_and_30_q() -> None:
    # T/CU on B: P 45/15 = 3 per minute, Q 60/30 = 2. All 100 P take 1,500 minutes of B;
    # the 900 left make 900/30 = 30 Q. T = 100*45 + 30*60 = 6,300; net 6,300 - 6,000 = 300.
    mix = best_mix(PQ_T, PQ_MINUTES, PQ_CAPACITY, PQ_DEMAND)
    assert np.allclose(mix.quantity, [100.0, 30.0])
    assert mix.throughput == 6300.0
    assert mix.throughput - PQ_EXPENSE == 300.0
    # One more minute of B is worth Q's T/CU (2); the other resources have slack (0).
    assert mix.shadow_price is not None
    assert np.allclose(mix.shadow_price, [0.0, 2.0, 0.0, 0.0])


def test_goldratt_p_and_q_margin_first_loses_money() -> None:
    # Q has the higher margin (60 > 45): all 50 Q take 1,500 minutes of B, the 900 left make
    # 900/15 = 60 P. T = 50*60 + 60*45 = 5,700; net 5,700 - 6,000 = -300.
    mix = greedy_mix(margin_first_order(PQ_T), PQ_T, PQ_MINUTES, PQ_CAPACITY, PQ_DEMAND)
    assert np.allclose(mix.quantity, [60.0, 50.0])
    assert mix.throughput - PQ_EXPENSE == -300.0


# Two short resources. X: T 10, 1 minute on R1 and 2 on R2; Y: T 12, 2 on R1 and 1 on R2.
# Capacity R1 100, R2 110; demand 60 each. Load R1 60 + 120 = 180 (180 %), R2 120 + 60 =
# 180 (164 %): both short, R1 is "the constraint".
TWO_T = np.array([10.0, 12.0])
TWO_MINUTES = np.array([[1.0, 2.0], [2.0, 1.0]])
TWO_CAPACITY = np.array([100.0, 110.0])
TWO_DEMAND = np.array([60.0, 60.0])


def test_two_short_resources_lp_beats_ranking_on_one_constraint() -> None:
    # T/CU on R1: X 10/1 = 10, Y 12/2 = 6, so X first: X is stopped by R2 at 110/2 = 55,
    # which leaves no R2 for Y: T = 550.
    ranked = greedy_mix(
        rate_first_order(TWO_T, TWO_MINUTES[0]), TWO_T, TWO_MINUTES, TWO_CAPACITY, TWO_DEMAND
    )
    assert np.allclose(ranked.quantity, [55.0, 0.0])
    assert ranked.throughput == 550.0
    # Margin first: Y (12) first, stopped by R1 at 100/2 = 50, leaving no R1 for X: T = 600.
    margin = greedy_mix(margin_first_order(TWO_T), TWO_T, TWO_MINUTES, TWO_CAPACITY, TWO_DEMAND)
    assert np.allclose(margin.quantity, [0.0, 50.0])
    # The LP fills both: x + 2y = 100 and 2x + y = 110 give x = 40, y = 30, T = 760.
    mix = best_mix(TWO_T, TWO_MINUTES, TWO_CAPACITY, TWO_DEMAND)
    assert np.allclose(mix.quantity, [40.0, 30.0])
    assert np.isclose(mix.throughput, 760.0)


def test_firm_orders_are_lower_bounds_when_they_fit() -> None:
    # 20 firm units of X: the LP optimum (40, 30) already has them; with 50 firm X the
    # mix keeps x = 50 and y = min((100 - 50)/2, 110 - 2*50) = 10: T = 500 + 120 = 620.
    mix = best_mix(TWO_T, TWO_MINUTES, TWO_CAPACITY, TWO_DEMAND, firm=np.array([50.0, 0.0]))
    assert mix.firm_kept
    assert np.allclose(mix.quantity, [50.0, 10.0])


def test_firm_orders_that_do_not_fit_are_dropped_and_said() -> None:
    # 60 firm of each need 180 minutes of R1 (100): impossible, so bounds are dropped.
    mix = best_mix(TWO_T, TWO_MINUTES, TWO_CAPACITY, TWO_DEMAND, firm=TWO_DEMAND)
    assert not mix.firm_kept
    assert np.allclose(mix.quantity, [40.0, 30.0])


def test_whole_units_mix() -> None:
    # Capacity 2,390 on B: the LP makes 100 P and 890/30 = 29.67 Q. In whole units,
    # 100 P + 29 Q (B 2,370) give 4,500 + 1,740 = 6,240, but 99 P + 30 Q (B 1,485 + 900 =
    # 2,385) give 4,455 + 1,800 = 6,255: the MIP finds the better one.
    capacity = np.array([2400.0, 2390.0, 2400.0, 2400.0])
    mix = best_mix(PQ_T, PQ_MINUTES, capacity, PQ_DEMAND, integer=True)
    assert np.allclose(mix.quantity, [99.0, 30.0])
    assert mix.throughput == 6255.0


def test_same_input_same_answer() -> None:
    first = best_mix(TWO_T, TWO_MINUTES, TWO_CAPACITY, TWO_DEMAND)
    second = best_mix(TWO_T, TWO_MINUTES, TWO_CAPACITY, TWO_DEMAND)
    assert np.array_equal(first.quantity, second.quantity)


@st.composite
def problems(draw: st.DrawFn) -> tuple[np.ndarray, ...]:
    n = draw(st.integers(1, 6))
    r = draw(st.integers(1, 4))
    floats = st.floats(0, 50, allow_nan=False).map(lambda v: round(v, 2))
    t = np.array(
        draw(st.lists(st.floats(-20, 100).map(lambda v: round(v, 2)), min_size=n, max_size=n))
    )
    minutes = np.array(draw(st.lists(floats, min_size=n * r, max_size=n * r))).reshape(r, n)
    capacity = np.array(
        draw(st.lists(st.floats(0, 1000).map(lambda v: round(v, 1)), min_size=r, max_size=r))
    )
    demand = np.array(draw(st.lists(floats, min_size=n, max_size=n)))
    firm = demand * np.array(
        draw(st.lists(st.sampled_from([0.0, 0.5, 1.0]), min_size=n, max_size=n))
    )
    return t, minutes, capacity, demand, firm


@settings(max_examples=60, deadline=None)
@given(problems())
def test_lp_mix_within_capacity_and_demand_and_never_below_margin_first(
    problem: tuple[np.ndarray, ...],
) -> None:
    t, minutes, capacity, demand, firm = problem
    mix = best_mix(t, minutes, capacity, demand, firm)
    assert (mix.quantity >= -1e-9).all()
    assert (mix.quantity <= demand + 1e-6).all()
    assert (minutes @ mix.quantity <= capacity + 1e-5 * (1 + capacity)).all()
    naive = greedy_mix(margin_first_order(t), t, minutes, capacity, demand, firm)
    assert (minutes @ naive.quantity <= capacity + 1e-6 * (1 + capacity)).all()
    assert mix.throughput >= naive.throughput - 1e-5 * (1 + abs(naive.throughput))
