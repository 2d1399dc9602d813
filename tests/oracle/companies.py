"""Random small companies for the differential tests: the tables of SPEC §2 as rows.

Products form a random DAG (a product's components come from the products after it), so
BOMs are up to three levels deep; each product is made (a routing, a BOM, or both), bought
(a lead time only) or stocked only. Quantities and minutes are whole numbers so that the
engine and the oracle see the same minutes, not two roundings of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

AS_OF = dt.date(2025, 1, 6)  # a Monday
HORIZON = 40  # days: short enough that the horizon's end is often reached
RESOURCES = ("PRESS", "WELD", "PAINT")
Row = dict[str, Any]


@dataclass(frozen=True)
class Question:
    sku: str
    quantity: float
    wanted: dt.date | None
    latest: dt.date | None
    min_shipment: float | None


@dataclass(frozen=True)
class Case:
    tables: dict[str, tuple[Row, ...]]
    questions: tuple[Question, ...]


def _day(n: int) -> dt.date:
    return AS_OF + dt.timedelta(days=n)


def _kind() -> st.SearchStrategy[dict[str, object]]:
    """A machine, or a crew of 1-3 workers (its minutes are per worker)."""
    crew = st.builds(lambda n: {"kind": "crew", "workers": n}, st.integers(1, 3))
    return st.one_of(st.just({"kind": "machine"}), crew)


@st.composite
def cases(draw: st.DrawFn) -> Case:
    n_res = draw(st.integers(1, 3))
    resources = []
    for r in RESOURCES[:n_res]:
        weekday = draw(st.sampled_from([120.0, 240.0, 480.0]))
        resources.append({
            "resource": r, "name": r.title() + " line", **draw(_kind()),
            "mon": weekday, "tue": weekday, "wed": draw(st.sampled_from([0.0, weekday])),
            "thu": weekday, "fri": weekday, "sat": draw(st.sampled_from([0.0, 0.0, 240.0])),
            "sun": 0.0, "overtime_minutes_per_day": draw(st.sampled_from([0.0, 60.0, 240.0])),
            "overtime_cost_per_minute": 2.0,
        })  # fmt: skip
    names = [r["resource"] for r in resources]
    exceptions = [
        {"resource": r, "date": _day(d), "minutes": m}
        for r, d, m in draw(
            st.lists(
                st.tuples(st.sampled_from(names), st.integers(0, HORIZON - 1),
                          st.sampled_from([0.0, 60.0, 600.0])),
                max_size=3, unique_by=lambda x: (x[0], x[1]),
            )
        )
    ]  # fmt: skip
    n = draw(st.integers(2, 6))
    skus = [f"P{i}" for i in range(n)]
    products, routings, bom, inventory, supply = [], [], [], [], []
    for i, sku in enumerate(skus):
        kind = draw(st.sampled_from(["made", "made", "made", "bought", "stocked"]))
        lead = 0
        if kind == "bought":
            lead = draw(st.integers(1, 12))
        elif kind == "made":
            lead = draw(st.sampled_from([0, 0, 0, 1, 3]))
            steps = draw(st.integers(0 if i < n - 1 else 1, 3))
            for k in range(1, steps + 1):
                routings.append({
                    "sku": sku, "step": k, "resource": draw(st.sampled_from(names)),
                    "minutes_per_unit": float(draw(st.integers(1, 40))),
                    "setup_minutes": float(draw(st.sampled_from([0, 0, 30, 200]))),
                })  # fmt: skip
            later = skus[i + 1 :]
            components = (
                draw(st.lists(st.sampled_from(later), unique=True, max_size=2)) if later else []
            )
            for c in components:
                bom.append(
                    {"sku": sku, "component": c, "quantity_per": float(draw(st.integers(1, 3)))}
                )
            if steps == 0 and not components:  # made needs a routing or a BOM
                routings.append({"sku": sku, "step": 1, "resource": names[0],
                                 "minutes_per_unit": 5.0, "setup_minutes": 0.0})  # fmt: skip
        products.append({
            "sku": sku, "name": f"Product {i}", "unit_price": 100.0 + 10 * i,
            "material_cost": 30.0, "lead_time_days": lead,
            "lot_size": float(draw(st.sampled_from([1, 1, 1, 5, 12]))),
            "safety_stock": float(draw(st.sampled_from([0, 0, 0, 5]))),
            "subcontract_cost": draw(st.sampled_from([None, 150.0])),
            "subcontract_max_per_period": 200.0,
        })  # fmt: skip
        if draw(st.booleans()):
            inventory.append({"sku": sku, "on_hand": float(draw(st.integers(0, 60)))})
        for j, (d, q) in enumerate(
            draw(st.lists(st.tuples(st.integers(-5, HORIZON + 5), st.integers(1, 50)), max_size=3))
        ):
            supply.append(
                {"supply_id": f"PO-{sku}-{j}", "sku": sku, "quantity": float(q), "date": _day(d)}
            )
    orders = []
    for j in range(draw(st.integers(0, 6))):
        due = draw(st.integers(-3, HORIZON - 5))
        promised = draw(st.none() | st.integers(0, HORIZON - 1))
        orders.append({
            "order_id": f"SO-{j // 2}", "line": j % 2 + 1, "customer": "ACME",
            "sku": draw(st.sampled_from(skus)), "quantity": float(draw(st.integers(1, 60))),
            "due_date": _day(due), "promised_date": None if promised is None else _day(promised),
            "priority": draw(st.integers(1, 3)), "status": "open",
        })  # fmt: skip
    settings = [{"key": "as_of", "value": AS_OF.isoformat()}]
    if draw(st.booleans()):
        settings.append({"key": "buffer_days", "value": str(draw(st.integers(1, 4)))})
    questions = []
    for _ in range(draw(st.integers(1, 3))):
        q = draw(st.integers(1, 150))
        # Mostly soon: a question wanted far out is on time and proves little.
        wanted = draw(st.one_of(st.none(), st.integers(0, 12), st.integers(0, HORIZON - 1)))
        latest = draw(st.none() | st.integers(wanted or 0, HORIZON + 3))
        minimum = draw(st.none() | st.integers(1, q))
        questions.append(Question(
            sku=draw(st.sampled_from(skus)), quantity=float(q),
            wanted=None if wanted is None else _day(wanted),
            latest=None if latest is None else _day(latest),
            min_shipment=None if minimum is None else float(minimum),
        ))  # fmt: skip
    deals, deal_lines = [], []
    for j in range(draw(st.integers(0, 4))):
        deal_id = f"OPP-{j}"
        requested = draw(st.none() | st.integers(0, HORIZON - 1))
        deals.append({
            "opportunity_id": deal_id, "customer": "ACME", "owner": "ana",
            "stage": draw(st.sampled_from(["Proposal", "Negotiation", "Closed Won"])),
            "probability": draw(st.sampled_from([0.2, 0.5, 0.5, 0.9])),
            "close_date": draw(st.none() | st.integers(0, 20).map(_day)),
            "requested_date": None if requested is None else _day(requested),
        })  # fmt: skip
        for k in range(1, draw(st.integers(1, 2)) + 1):
            own = draw(st.none() | st.integers(0, HORIZON - 1))
            last_ok = draw(st.none() | st.integers(max(own or 0, requested or 0), HORIZON + 3))
            deal_lines.append({
                "opportunity_id": deal_id, "line": k, "sku": draw(st.sampled_from(skus)),
                "quantity": float(draw(st.integers(1, 80))), "unit_price": 100.0,
                "requested_date": None if own is None else _day(own),
                "latest_date": None if last_ok is None else _day(last_ok),
            })  # fmt: skip
    tables: dict[str, tuple[Row, ...]] = {
        "settings": tuple(settings),
        "products": tuple(products),
        "resources": tuple(resources),
        "calendar_exceptions": tuple(exceptions),
        "routings": tuple(routings),
        "bom": tuple(bom),
        "inventory": tuple(inventory),
        "supply": tuple(supply),
        "customers": ({"customer": "ACME", "name": "Acme"},),
        "orders": tuple(orders),
        "opportunities": tuple(deals),
        "opportunity_lines": tuple(deal_lines),
    }
    return Case(tables, tuple(questions))
