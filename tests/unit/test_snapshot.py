"""The snapshot: one frozen view of a small pump maker, worked out by hand."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings

from accord.domain.dataset import Dataset, Row
from accord.errors import BadInput
from accord.services import snapshot as snapshot_module
from accord.services.snapshot import Snapshot, SnapshotCache, build_snapshot
from tests.strategies import datasets

AS_OF = dt.date(2025, 1, 6)  # a Monday
WEEK = {"mon": 480.0, "tue": 480.0, "wed": 480.0, "thu": 480.0, "fri": 480.0, "sat": 0.0}


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def harbor_pumps(**changes: tuple[Row, ...]) -> Dataset:
    tables: dict[str, tuple[Row, ...]] = {
        "settings": (
            {"key": "as_of", "value": "2025-01-06"},
            {"key": "company", "value": "Harbor"},
        ),
        "products": (
            {"sku": "PUMP-200", "unit_price": 250.0, "material_cost": 90.0, "lead_time_days": 2,
             "lot_size": 10.0},
            {"sku": "VALVE-10", "unit_price": 30.0, "material_cost": 12.0, "lot_size": None},
            {"sku": "MOTOR-5", "unit_price": 120.0, "material_cost": 70.0, "safety_stock": 5.0},
        ),
        "resources": (
            {"resource": "SAW", "name": "Saw", **WEEK, "sun": 0.0},
            {"resource": "WELD", "name": "Welding crew", "kind": "crew", "workers": 3,
             **{k: 450.0 if v else 0.0 for k, v in WEEK.items()}, "sun": 0.0,
             "overtime_minutes_per_day": 60.0},
            {"resource": "PAINT", "name": "Paint line", **WEEK, "sun": 0.0},
        ),
        "calendar_exceptions": ({"resource": "PAINT", "date": d("2025-01-07"), "minutes": 0.0},),
        "routings": (
            {"sku": "PUMP-200", "step": 30, "resource": "PAINT", "minutes_per_unit": 4.0,
             "setup_minutes": 15.0},
            {"sku": "PUMP-200", "step": 10, "resource": "SAW", "minutes_per_unit": 2.0,
             "setup_minutes": 30.0},
            {"sku": "MOTOR-5", "step": 10, "resource": "WELD", "minutes_per_unit": 6.0},
            {"sku": "PUMP-200", "step": 20, "resource": "WELD", "minutes_per_unit": 5.0},
        ),
        "bom": (
            {"sku": "PUMP-200", "component": "VALVE-10", "quantity_per": 2.0},
            {"sku": "PUMP-200", "component": "MOTOR-5", "quantity_per": 1.0},
        ),
        "inventory": ({"sku": "VALVE-10", "on_hand": 40.0}, {"sku": "PUMP-200", "on_hand": 3.0}),
        "supply": (
            {"supply_id": "PO-1", "sku": "MOTOR-5", "quantity": 20.0, "date": d("2025-01-01")},
            {"supply_id": "PO-3", "sku": "PUMP-200", "quantity": 5.0, "date": d("2025-03-01")},
            {"supply_id": "PO-2", "sku": "VALVE-10", "quantity": 100.0, "date": d("2025-01-10")},
        ),
        "customers": (
            {"customer": "ACME", "attributes": {"shared_vision": "4"}},
            {"customer": "BOLT", "name": "Bolt & Sons"},
        ),
        "orders": (
            _order("SO-3", 1, "ACME", "PUMP-200", 10, "2025-01-20", priority=2),
            _order("SO-1", 2, "BOLT", "VALVE-10", 5, "2025-01-15"),
            _order("SO-1", 1, "BOLT", "PUMP-200", 4, "2025-01-15"),
            _order("SO-2", 1, "ACME", "MOTOR-5", 8, "2025-01-02", priority=3),
            _order("SO-4", 1, "ACME", "PUMP-200", 7, "2025-01-08", priority=1, status="shipped"),
            _order("SO-5", 1, "BOLT", "PUMP-200", 2, "2025-01-30", priority=1),
        ),
        "opportunities": (
            {"opportunity_id": "OPP-1", "customer": "ACME", "stage": "Proposal",
             "probability": 0.6, "requested_date": d("2025-02-01")},
            {"opportunity_id": "OPP-2", "customer": "BOLT", "stage": "Closed Won",
             "probability": 1.0},
        ),
        "opportunity_lines": (
            {"opportunity_id": "OPP-1", "line": 1, "sku": "PUMP-200", "quantity": 20.0},
            {"opportunity_id": "OPP-1", "line": 2, "sku": "VALVE-10", "quantity": 50.0,
             "unit_price": 28.0, "requested_date": d("2025-01-20")},
        ),
    }  # fmt: skip
    tables.update(changes)
    return Dataset(tables=tables)


def _order(
    order_id: str, line: int, customer: str, sku: str, qty: float, due: str, **extra: Any
) -> Row:
    return {"order_id": order_id, "line": line, "customer": customer, "sku": sku,
            "quantity": float(qty), "due_date": d(due), "priority": None, **extra}  # fmt: skip


@pytest.fixture(scope="module")
def snap() -> Snapshot:
    return build_snapshot(harbor_pumps(), horizon_days=14)


def test_as_of_comes_from_the_settings_and_days_count_from_it(snap: Snapshot) -> None:
    assert snap.as_of == AS_OF and snap.horizon == 14
    assert snap.day_index(d("2025-01-07")) == 1 and snap.date_of(13) == d("2025-01-19")
    assert snap.day_index(d("2025-01-01")) == -5
    assert snap.dates[0] == np.datetime64("2025-01-06") and len(snap.dates) == 14
    assert snap.settings.company == "Harbor" and snap.settings.period == "month"


def test_an_explicit_as_of_wins_and_without_one_it_is_today() -> None:
    assert build_snapshot(harbor_pumps(), d("2025-01-08"), 7).day_index(AS_OF) == -2
    before = dt.date.today()
    undated = build_snapshot(harbor_pumps(settings=()), horizon_days=7)
    assert before <= undated.as_of <= dt.date.today()


def test_settings_are_parsed() -> None:
    rows = (
        {"key": "as_of", "value": "2025-01-06"},
        {"key": "period", "value": "Week"},
        {"key": "operating_expense_per_week", "value": "5000"},
        {"key": "weight_shared_vision", "value": "2"},
    )
    parsed = build_snapshot(harbor_pumps(settings=rows), horizon_days=7).settings

    assert (parsed.period, parsed.operating_expense_per_week) == ("week", 5000.0)
    assert parsed.weights == {"shared_vision": 2.0} and parsed.as_of == AS_OF
    with pytest.raises(BadInput, match="period must be one of"):
        build_snapshot(harbor_pumps(settings=({"key": "period", "value": "quarter"},)))


def test_capacity_per_resource_and_date(snap: Snapshot) -> None:
    def cap(resource: str, day: str) -> float:
        return float(snap.capacity[snap.resource_index[resource], snap.day_index(d(day))])

    assert cap("PAINT", "2025-01-06") == 480  # Monday
    assert cap("PAINT", "2025-01-07") == 0  # the exception Tuesday
    assert cap("PAINT", "2025-01-14") == 480  # the Tuesday after
    assert cap("WELD", "2025-01-08") == 3 * 450  # a crew of 3
    assert cap("SAW", "2025-01-11") == 0  # Saturday
    assert snap.capacity.shape == snap.overtime_capacity.shape == (3, 14)
    # 60 overtime minutes per worker on working days only.
    week = [180.0] * 5 + [0.0, 0.0]
    assert snap.overtime_capacity[snap.resource_index["WELD"]].tolist() == week * 2
    assert snap.overtime_capacity[snap.resource_index["SAW"]].sum() == 0
    assert snap.capacity_prefix.shape == (3, 15)
    assert snap.capacity_prefix[snap.resource_index["PAINT"]].tolist()[:4] == [0, 480, 480, 960]


def test_routings_are_csr_in_step_order(snap: Snapshot) -> None:
    # PUMP-200 has three steps (SAW 10, WELD 20, PAINT 30), VALVE-10 none, MOTOR-5 one.
    assert snap.sku_index == {"PUMP-200": 0, "VALVE-10": 1, "MOTOR-5": 2}
    assert snap.resource_index == {"SAW": 0, "WELD": 1, "PAINT": 2}
    assert snap.routing_start.tolist() == [0, 3, 3, 4]
    assert snap.routing_resource.tolist() == [0, 1, 2, 1]
    assert snap.routing_minutes.tolist() == [2.0, 5.0, 4.0, 6.0]
    assert snap.routing_setup.tolist() == [30.0, 0.0, 15.0, 0.0]
    assert [s.step for s in snap.routings["PUMP-200"]] == [10, 20, 30]
    assert "VALVE-10" not in snap.routings


def test_bom_is_csr_by_parent(snap: Snapshot) -> None:
    assert snap.bom_start.tolist() == [0, 2, 2, 2]
    assert snap.bom_component.tolist() == [1, 2]
    assert snap.bom_qty.tolist() == [2.0, 1.0]
    assert [b.component for b in snap.bom["PUMP-200"]] == ["VALVE-10", "MOTOR-5"]


def test_stock_and_receipts(snap: Snapshot) -> None:
    assert snap.on_hand.tolist() == [3.0, 40.0, 0.0]
    # Sorted by day: the overdue PO-1 today, PO-2 on day 4, PO-3 beyond the horizon.
    assert snap.receipt_day.tolist() == [0, 4, 14]
    assert snap.receipt_sku.tolist() == [2, 1, 0]
    assert snap.receipt_qty.tolist() == [20.0, 100.0, 5.0]


def test_open_orders_load_by_priority_then_due_date_then_id_and_line(snap: Snapshot) -> None:
    assert [o.key for o in snap.open_orders] == [
        ("SO-5", 1),  # priority 1 (SO-4 is shipped)
        ("SO-3", 1),  # priority 2
        ("SO-2", 1),  # priority 3, due 2 Jan
        ("SO-1", 1),  # priority 3 by default, due 15 Jan
        ("SO-1", 2),
    ]
    assert snap.order_priority.tolist() == [1, 2, 3, 3, 3]
    assert snap.order_sku.tolist() == [0, 0, 2, 0, 1]
    assert snap.order_qty.tolist() == [2.0, 10.0, 8.0, 4.0, 5.0]
    # SO-2 was due four days before the as-of date.
    assert snap.order_due_day.tolist() == [24, 14, -4, 9, 9]
    assert len(snap.orders) == 6 and snap.orders[4].status == "shipped"


def test_product_arrays(snap: Snapshot) -> None:
    assert snap.unit_price.tolist() == [250.0, 30.0, 120.0]
    assert snap.throughput_per_unit.tolist() == [160.0, 18.0, 50.0]
    assert snap.lead_time_days.tolist() == [2, 0, 0]
    assert snap.lot_size.tolist() == [10.0, 1.0, 1.0]
    assert snap.safety_stock.tolist() == [0.0, 0.0, 5.0]


def test_customers_and_pipeline(snap: Snapshot) -> None:
    assert snap.customers_by_id["ACME"].checklist == {"shared_vision": 4.0}
    assert snap.customers_by_id["BOLT"].name == "Bolt & Sons"
    first, second = snap.lines_by_opportunity["OPP-1"]
    # The first line takes the product's price and the deal's requested date.
    assert (first.unit_price, first.requested_date) == (250.0, d("2025-02-01"))
    assert (second.unit_price, second.requested_date) == (28.0, d("2025-01-20"))
    assert snap.opportunities_by_id["OPP-2"].is_won


def test_counts(snap: Snapshot) -> None:
    counts = snap.counts()
    assert counts["products"] == 3 and counts["routing_steps"] == 4
    assert counts["orders"] == 6 and counts["open_orders"] == 5
    assert counts["opportunities"] == 2 and counts["open_opportunities"] == 1


def test_every_array_and_mapping_is_read_only(snap: Snapshot) -> None:
    for name, value in _arrays(snap).items():
        assert not value.flags.writeable, name
        with pytest.raises(ValueError):
            value[...] = 0
    with pytest.raises(TypeError):
        snap.sku_index["NEW"] = 9
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.horizon = 3


def test_same_input_gives_the_same_snapshot() -> None:
    _assert_same(
        build_snapshot(harbor_pumps(), AS_OF, 30), build_snapshot(harbor_pumps(), AS_OF, 30)
    )


def test_rows_naming_unknown_things_or_bad_values_are_bad_input() -> None:
    stray = _order("SO-9", 1, "ACME", "GHOST-1", 1, "2025-01-10")
    with pytest.raises(BadInput, match="GHOST-1"):
        build_snapshot(harbor_pumps(orders=(stray,)), horizon_days=7)
    negative = {"sku": "PUMP-200", "unit_price": -1.0, "material_cost": 0.0}
    with pytest.raises(BadInput, match=r"products row 1: .*unit_price"):
        build_snapshot(harbor_pumps(products=(negative,)), horizon_days=7)
    with pytest.raises(BadInput, match="horizon_days"):
        build_snapshot(harbor_pumps(), horizon_days=0)


def test_a_company_with_products_only_builds_empty_tables() -> None:
    snap = build_snapshot(harbor_pumps(resources=(), calendar_exceptions=(), routings=(),
                                       bom=(), supply=(), orders=(), opportunity_lines=()),
                          horizon_days=7)  # fmt: skip
    assert snap.capacity.shape == (0, 7) and snap.capacity_prefix.shape == (0, 8)
    assert snap.routing_start.tolist() == [0, 0, 0, 0] and snap.order_sku.size == 0
    assert snap.open_orders == () and snap.receipt_day.size == 0


@given(datasets())
@settings(max_examples=60, deadline=None)
def test_any_valid_dataset_builds_a_consistent_snapshot(dataset: Dataset) -> None:
    snap = build_snapshot(dataset, horizon_days=30)

    keys = [(o.priority, o.commit_date, o.order_id, o.line) for o in snap.open_orders]
    assert keys == sorted(keys)
    assert all(o.is_open for o in snap.open_orders)
    assert len(snap.open_orders) == sum(o.status == "open" for o in snap.orders)
    assert snap.order_due_day.tolist() == [snap.day_index(o.commit_date) for o in snap.open_orders]
    assert [snap.products[i].sku for i in snap.order_sku] == [o.sku for o in snap.open_orders]
    assert all(not a.flags.writeable for a in _arrays(snap).values())
    _assert_same(snap, build_snapshot(dataset, horizon_days=30))


# --- the cache ---------------------------------------------------------------------------


def test_cache_returns_the_same_snapshot_for_the_same_key() -> None:
    cache, data = SnapshotCache(), harbor_pumps()
    first = cache.get(data, version=1, horizon_days=7)

    # No as-of means the dataset's, so it is the same key as the explicit date.
    assert cache.get(data, 1, AS_OF, 7) is first
    assert cache.get(data, 2, AS_OF, 7) is not first
    assert cache.get(data, 1, AS_OF, 8) is not first
    assert len(cache) == 3


def test_cache_keeps_only_the_last_few() -> None:
    cache, data = SnapshotCache(max_entries=2), harbor_pumps()
    first = cache.get(data, 1, horizon_days=7)
    cache.get(data, 2, horizon_days=7)
    cache.get(data, 3, horizon_days=7)

    assert len(cache) == 2
    assert cache.get(data, 1, horizon_days=7) is not first


def test_concurrent_callers_share_one_build(monkeypatch: pytest.MonkeyPatch) -> None:
    builds: list[int] = []
    real = snapshot_module.build_snapshot

    def slow_build(*args: Any) -> Snapshot:
        builds.append(1)
        time.sleep(0.05)
        return real(*args)

    monkeypatch.setattr(snapshot_module, "build_snapshot", slow_build)
    cache, data = SnapshotCache(), harbor_pumps()
    results: list[Snapshot] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.get(data, 7, horizon_days=7)))
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len(builds) == 1 and len(results) == 8
    assert all(r is results[0] for r in results)


def _arrays(snap: Snapshot) -> dict[str, np.ndarray[Any, Any]]:
    return {
        f.name: getattr(snap, f.name)
        for f in dataclasses.fields(snap)
        if isinstance(getattr(snap, f.name), np.ndarray)
    }


def _assert_same(a: Snapshot, b: Snapshot) -> None:
    for f in dataclasses.fields(a):
        left, right = getattr(a, f.name), getattr(b, f.name)
        if isinstance(left, np.ndarray):
            assert left.dtype == right.dtype and np.array_equal(left, right), f.name
        else:
            assert left == right, f.name
