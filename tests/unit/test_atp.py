"""Available-to-promise: textbook MPS records worked out by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.errors import BadInput, NotFound
from accord.io.files import read_dataset
from accord.planning.atp import AtpParams, _record, atp, period_bounds, working_days
from accord.services.snapshot import build_snapshot

TINY = Path(__file__).parent.parent / "data" / "tiny"


def weeks(n: int) -> list[tuple[dt.date, dt.date]]:
    first = dt.date(2025, 1, 6)
    return [(first + dt.timedelta(weeks=k), first + dt.timedelta(weeks=k, days=6))
            for k in range(n)]  # fmt: skip


def record(on_hand: float, lot: float, safety: float, forecast: list[float],
           orders: list[float], receipts: list[float] | None = None):  # fmt: skip
    product = SimpleNamespace(lot_size=lot, safety_stock=safety)
    n = len(forecast)
    return _record("PUMP-200", "week", on_hand, product, weeks(n), forecast, orders,
                   receipts or [0.0] * n)  # fmt: skip


def test_textbook_record() -> None:
    # On hand 50, lot 80, no safety stock, forecast 30 a week, orders 35, 20, 10, 5, 0, 0.
    # Projected: 50-35=15; 15-30<0 -> MPS 80: 65; 35; 5; 5-30<0 -> MPS 80: 55; 25.
    # ATP: week 1 = 50 - 35 = 15; week 2 = 80 - (20+10+5) = 45; week 5 = 80 - 0 = 80.
    r = record(50, 80, 0, [30] * 6, [35, 20, 10, 5, 0, 0])
    assert [p.projected_on_hand for p in r.periods] == [15, 65, 35, 5, 55, 25]
    assert [p.mps for p in r.periods] == [0, 80, 0, 0, 80, 0]
    assert [p.atp for p in r.periods] == [15, 45, None, None, 80, None]
    assert [p.cumulative_atp for p in r.periods] == [15, 60, 60, 60, 140, 140]


def test_mps_keeps_safety_stock_in_whole_lots() -> None:
    # On hand 30, safety 5, lot 10: 30 - 55 = -25 -> 3 lots (30) -> 5; then 5 - 120 -> 12 lots.
    r = record(30, 10, 5, [0, 120], [55, 0])
    assert [p.mps for p in r.periods] == [30, 120]
    assert [p.projected_on_hand for p in r.periods] == [5, 5]
    assert [p.atp for p in r.periods] == [5, 120]


def test_negative_atp_is_taken_from_the_earlier_one() -> None:
    # On hand 20, a receipt of 10 in week 2 against an order of 30 there:
    # week 2 ATP = 10 - 30 = -20, taken from week 1 (20): both 0.
    r = record(20, 100, 0, [0, 0, 0], [0, 30, 0], [0, 10, 0])
    assert [p.mps for p in r.periods] == [0, 0, 0]
    assert [p.atp for p in r.periods] == [0, 0, None]
    assert [p.cumulative_atp for p in r.periods] == [0, 0, 0]


def test_tiny_company_by_month() -> None:
    snapshot = build_snapshot(read_dataset(TINY))  # as of Mon 2 Nov 2026, by month
    r = atp(snapshot, "PUMP-200", AtpParams(periods=2))
    nov, dec = r.periods
    assert (nov.period_start, nov.period_end) == (dt.date(2026, 11, 2), dt.date(2026, 11, 30))
    # Orders: 40 due 20 Nov + 15 overdue; on hand 30, safety 5, lot 10:
    # 30 - 55 = -25 -> MPS 30 -> 5. ATP = 30 + 30 - 55 = 5.
    assert (nov.orders, nov.mps, nov.projected_on_hand, nov.atp) == (55, 30, 5, 5)
    # December's forecast of 120 (a whole month) -> MPS 120; no orders: ATP 120.
    assert (dec.forecast, dec.mps, dec.atp, dec.cumulative_atp) == (120, 120, 120, 125)
    valve = atp(snapshot, "VALVE-10", AtpParams(periods=1)).periods[0]
    assert valve.receipts == 500
    as_json = r.to_json()
    assert set(as_json["periods"][0]) >= {
        "period_start",
        "period_end",
        "forecast",
        "orders",
        "projected_on_hand",
        "mps",
        "atp",
        "cumulative_atp",
    }


def test_forecast_is_spread_over_working_days_when_a_period_is_cut() -> None:
    # As of Mon 14 Dec 2026: December's 120 over its 23 working days; 14-31 Dec hold 14.
    snapshot = build_snapshot(read_dataset(TINY), dt.date(2026, 12, 14))
    first = atp(snapshot, "PUMP-200", AtpParams(periods=1)).periods[0]
    assert working_days(dt.date(2026, 12, 1), dt.date(2026, 12, 31)) == 23
    assert first.forecast == pytest.approx(120 * 14 / 23)


def test_periods_and_bad_input() -> None:
    assert period_bounds(dt.date(2025, 1, 8), "week") == (dt.date(2025, 1, 6), dt.date(2025, 1, 12))
    assert period_bounds(dt.date(2024, 2, 10), "month") == (
        dt.date(2024, 2, 1),
        dt.date(2024, 2, 29),
    )
    with pytest.raises(BadInput, match="periods must be"):
        AtpParams(periods=0)
    snapshot = build_snapshot(read_dataset(TINY))
    with pytest.raises(NotFound, match="unknown sku"):
        atp(snapshot, "NOPE")


@settings(max_examples=60, deadline=None)
@given(
    on_hand=st.integers(0, 200),
    lot=st.integers(1, 100),
    safety=st.integers(0, 50),
    demand=st.lists(st.tuples(st.integers(0, 150), st.integers(0, 150)), min_size=1, max_size=8),
)
def test_projected_stock_never_falls_below_safety_and_atp_never_overpromises(
    on_hand: int, lot: int, safety: int, demand: list[tuple[int, int]]
) -> None:
    forecast = [float(f) for f, _ in demand]
    orders = [float(o) for _, o in demand]
    r = record(on_hand, lot, safety, forecast, orders)
    assert all(p.projected_on_hand >= safety - 1e-9 for p in r.periods)
    assert all(p.mps % lot == 0 for p in r.periods)
    total_supply = on_hand + sum(p.mps for p in r.periods)
    # Every unit of supply is either promised to an order or available: borrowing moves
    # ATP between periods and never creates or loses any. Only the first may go negative.
    assert r.periods[-1].cumulative_atp == pytest.approx(total_supply - sum(orders))
    assert all(p.atp is None or p.atp >= 0 for p in r.periods[1:])
    running = 0.0
    for p in r.periods:
        running += p.atp or 0.0
        assert p.cumulative_atp == pytest.approx(running)
