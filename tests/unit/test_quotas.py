"""Quotas against capacity and mix on the tiny company (worked by hand) and a mix shift."""

import datetime as dt
from pathlib import Path

import pytest

from accord.domain.dataset import Dataset
from accord.io.files import read_dataset
from accord.planning.quotas import QuotaParams, quota_report
from accord.services.snapshot import build_snapshot

TINY = Path(__file__).parent.parent / "data" / "tiny"
D = dt.date


@pytest.fixture(scope="module")
def tiny():
    return quota_report(build_snapshot(read_dataset(TINY)))


def test_tiny_quotas_fit_the_constraint_after_firm_orders(tiny):
    # One period, 2026-10-01..12-31, as of 2026-11-02: 44 weekdays left (21 in Nov, 23 Dec).
    # ASSY: 3 workers x 450 = 1,350 min/day x 44 = 59,400 min.
    # Firm orders due in the period: SO-1001 40 PUMP-200 (10 min) + 20 PUMP-300 (12 min)
    # = 640 ASSY minutes (SO-1002 was due 10-30: overdue, not in the period).
    # ana's Pumps quota of 300 is split by the last year's history: PUMP-200 55, PUMP-300 10
    # -> 253.85 / 46.15; she sold SO-1001 (40 + 20) -> 213.85 + 26.15 to go = 2,452.3 min;
    # ben's 50 PUMP-300 (he sold only PUMP-200) -> 600 min. Quotas 3,052.3 min.
    # PAINT: (220 firm + 1,022.3 quota) / 20,640 = 6.0% < ASSY (3,692.3 / 59,400 = 6.2%).
    (period,) = tiny.periods
    assert period.constraint == "ASSY" and period.feasible is True
    assert period.capacity_minutes == 59_400
    assert period.firm_minutes == pytest.approx(640)
    assert period.quota_minutes == pytest.approx(2452.31 + 600, abs=0.01)


def test_tiny_reps_share_of_the_constraint_and_their_mix(tiny):
    ana, ben = tiny.periods[0].by_rep
    assert (ana.owner, ana.sold_units, ana.missing_units) == ("ana", 60, pytest.approx(240))
    assert (ben.owner, ben.sold_units, ben.missing_units) == ("ben", 15, 50)
    assert ana.constraint_share == pytest.approx(2452.31 / 3052.31, abs=1e-5)
    # Throughput: ana 253.85 x 80 + 46.15 x 110 = 25,384.6 over 3,092.3 ASSY min = 8.209/min;
    # ben 50 x 110 = 5,500 over 600 min = 9.167/min.
    assert ana.quota_throughput == pytest.approx(25384.615, abs=0.01)
    assert ana.throughput_per_constraint_minute == pytest.approx(25384.615 / 3092.308, abs=1e-4)
    assert ben.throughput_per_constraint_minute == pytest.approx(5500 / 600)
    # Average 3,692.3 min / 30,884.6 = 0.1196 min per unit of throughput: ana's mix is above.
    assert ana.heavy_mix and not ben.heavy_mix
    assert not ana.overloads  # the constraint is not over capacity
    # Suggested: (59,400 - 640) x ana's share 25,384.6 / 30,884.6 x 8.209.
    free = 59_400 - 640
    assert ana.suggested_throughput == pytest.approx(
        free * 25384.615 / 30884.615 * 8.2090, rel=1e-4
    )
    assert ben.suggested_throughput == pytest.approx(free * 5500 / 30884.615 * 5500 / 600, rel=1e-6)


def test_json_has_the_contract_keys(tiny):
    payload = tiny.to_json()
    assert set(payload) >= {"feasible", "constraint", "by_rep", "flags"}
    assert payload["constraint"] == "ASSY" and payload["feasible"] is True
    assert [r["owner"] for r in payload["by_rep"]] == ["ana", "ben"]
    assert "ASSY at 6%" in str(tiny)


def shift_company(ben_a=100.0, open_a=0.0) -> Dataset:
    """Two products, one resource; ana and ben each with 100 A and 100 B to sell in Q1."""
    products = [
        {"sku": "A", "family": "F", "unit_price": 100.0, "material_cost": 40.0},
        {"sku": "B", "family": "F", "unit_price": 100.0, "material_cost": 40.0},
    ]
    week = dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), 480.0)
    resources = [{"resource": "OVEN", "kind": "machine", **week, "sat": 0.0, "sun": 0.0}]
    routings = [
        {"sku": "A", "step": 1, "resource": "OVEN", "minutes_per_unit": 6.0},
        {"sku": "B", "step": 1, "resource": "OVEN", "minutes_per_unit": 2.0},
    ]
    quotas = [
        {
            "owner": o,
            "period_start": D(2026, 1, 1),
            "period_end": D(2026, 3, 31),
            "sku": s,
            "target_units": ben_a if (o, s) == ("ben", "A") else 100.0,
        }
        for o in ("ana", "ben")
        for s in ("A", "B")
    ]
    # Last two weeks start 03-18. ana: before A 10, B 90 (10% A); last weeks A 60, B 20
    # (75% A): A rose 65 points while she was 90 short on A -> flagged, instead of B.
    # ben: 50/50 before and 5/5 after: no shift.
    sold = [
        ("ana", "A", 10, 2, 1),
        ("ana", "B", 90, 2, 10),
        ("ana", "A", 60, 3, 25),
        ("ana", "B", 20, 3, 26),
        ("ben", "A", 50, 2, 1),
        ("ben", "B", 50, 2, 2),
        ("ben", "A", 5, 3, 20),
        ("ben", "B", 5, 3, 21),
    ]
    orders = [
        {
            "order_id": f"SO-{i}",
            "line": 1,
            "customer": "ACME",
            "sku": sku,
            "quantity": float(q),
            "due_date": D(2026, m, d),
            "status": "shipped",
            "owner": owner,
            "priority": 3,
        }
        for i, (owner, sku, q, m, d) in enumerate(sold)
    ]
    if open_a:
        orders.append(
            {
                "order_id": "SO-OPEN",
                "line": 1,
                "customer": "ACME",
                "sku": "A",
                "quantity": open_a,
                "due_date": D(2026, 3, 30),
                "status": "open",
                "priority": 3,
            }
        )
    return Dataset(
        tables={
            "settings": ({"key": "as_of", "value": "2026-04-15"},),
            "products": tuple(products),
            "resources": tuple(resources),
            "routings": tuple(routings),
            "customers": ({"customer": "ACME", "name": "Acme"},),
            "orders": tuple(orders),
            "quotas": tuple(quotas),
        }
    )


def test_rep_who_shifts_to_a_product_they_are_behind_on_is_flagged():
    report = quota_report(build_snapshot(shift_company()))
    (flag,) = report.flags
    assert (flag.owner, flag.sku, flag.instead_of) == ("ana", "A", "B")
    assert (flag.share_before, flag.share_last_weeks) == (0.1, 0.75)
    assert flag.missing_units == 90
    # The period is over: no capacity judgment, so no constraint figures.
    assert report.periods[0].feasible is None and flag.tcu is None
    assert "ana (2026-01-01): sold A instead of B" in str(report)


def test_shift_threshold_is_a_parameter():
    snap = build_snapshot(shift_company())
    assert quota_report(snap, QuotaParams(shift=0.7)).flags == ()
    with pytest.raises(ValueError, match="QuotaParams shift must be within"):
        QuotaParams(shift=0.0)


def test_over_capacity_names_the_reps_whose_mix_overloads_it():
    # As of 2026-03-23 (Monday), 7 weekdays are left in Q1: 7 x 480 = 3,360 OVEN minutes.
    # ben's quota is 150 A + 100 B. Sold in the period (booked orders, any date in it):
    # ana A 70, B 110; ben A 55, B 55. Still to sell: ana A 30 (x 6 = 180 min); ben A 95
    # (570 min) + B 45 (x 2 = 90 min) -> 840 quota minutes. Firm: 500 A due 03-30 = 3,000.
    # 3,840 > 3,360: the quotas do not fit.
    snap = build_snapshot(shift_company(ben_a=150.0, open_a=500.0), as_of=D(2026, 3, 23))
    period = quota_report(snap).periods[0]
    assert (period.constraint, period.feasible) == ("OVEN", False)
    assert period.capacity_minutes == 7 * 480
    assert (period.firm_minutes, period.quota_minutes) == (3000, 840)
    ana, ben = period.by_rep
    assert (ana.constraint_share, ben.constraint_share) == (180 / 840, 660 / 840)
    # Minutes per unit of throughput (60 per unit): ana (600 + 200) / 12,000 = 0.0667, ben
    # (900 + 200) / 15,000 = 0.0733, all reps 1,900 / 27,000 = 0.0704: ben's mix overloads.
    assert (ana.overloads, ben.overloads) == (False, True)
    assert ben.throughput_per_constraint_minute == pytest.approx(15000 / 1100)
    # Suggested: (3,360 - 3,000) x ben's share 15,000 / 27,000 x 13.64 = 2,727.3.
    assert ben.suggested_throughput == pytest.approx(360 * 15000 / 27000 * 15000 / 1100)
