"""The snapshot: one consistent, frozen view of the company at an as-of date.

Every engine works from a ``Snapshot``: the domain objects built once from the dataset
(defaults applied) and the numpy arrays the hot loops share, all read-only. Day ``d`` of
the horizon is the date ``as_of + d``; day 0 is the as-of date itself.

Array conventions (``S`` products, ``R`` resources, ``D`` days of the horizon):

- products are numbered by ``sku_index`` (dataset order), resources by ``resource_index``;
- ``capacity`` / ``overtime_capacity``: float64 ``[R, D]`` minutes per day;
  ``capacity_prefix``: float64 ``[R, D + 1]`` running totals starting at 0;
- routings and BOMs are CSR: the steps of product ``i`` are
  ``routing_start[i]:routing_start[i + 1]`` of ``routing_resource`` / ``routing_minutes`` /
  ``routing_setup`` (in step order), and likewise ``bom_start`` / ``bom_component`` /
  ``bom_qty``;
- receipts are sorted by day; an overdue receipt is due on day 0 and one beyond the horizon
  has ``receipt_day == horizon`` (a sentinel: engines that stay inside the horizon filter
  ``receipt_day < horizon``);
- open orders are in loading order (priority, commitment date, order id, line), matching
  ``open_orders``; ``order_due_day`` is the commitment day (the promised date where one is
  set, else the due date), negative for overdue lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from accord.domain.dataset import Dataset
from accord.domain.model import (
    BomLine,
    CalendarException,
    CompanySettings,
    Product,
    Resource,
    RoutingStep,
    SupplyReceipt,
)
from accord.domain.sales import Customer, Opportunity, OpportunityLine, Order

IntArray = NDArray[np.int32]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True, eq=False)
class Snapshot:
    """The company at ``as_of`` over ``horizon`` days (see the module docstring)."""

    dataset: Dataset
    as_of: dt.date
    horizon: int
    dates: NDArray[np.datetime64]  # [D] date of each day index
    settings: CompanySettings
    # Domain objects, in dataset order unless said otherwise.
    products: tuple[Product, ...]
    products_by_sku: Mapping[str, Product]
    resources: tuple[Resource, ...]
    resources_by_id: Mapping[str, Resource]
    calendar_exceptions: tuple[CalendarException, ...]
    routings: Mapping[str, tuple[RoutingStep, ...]]  # sku -> steps in step order
    bom: Mapping[str, tuple[BomLine, ...]]  # sku -> its component lines
    supply: tuple[SupplyReceipt, ...]
    inventory: Mapping[str, float]  # sku -> on hand (listed skus only)
    customers: tuple[Customer, ...]
    customers_by_id: Mapping[str, Customer]
    orders: tuple[Order, ...]  # every line, any status
    open_orders: tuple[Order, ...]  # open lines in loading order
    opportunities: tuple[Opportunity, ...]
    opportunities_by_id: Mapping[str, Opportunity]
    opportunity_lines: tuple[OpportunityLine, ...]
    lines_by_opportunity: Mapping[str, tuple[OpportunityLine, ...]]
    # Indices and shared arrays (read-only).
    sku_index: Mapping[str, int]
    resource_index: Mapping[str, int]
    capacity: FloatArray  # [R, D] regular minutes
    overtime_capacity: FloatArray  # [R, D] overtime minutes available
    capacity_prefix: FloatArray  # [R, D + 1]
    routing_start: IntArray  # [S + 1]
    routing_resource: IntArray  # [steps]
    routing_minutes: FloatArray  # [steps] per unit
    routing_setup: FloatArray  # [steps] per lot
    bom_start: IntArray  # [S + 1]
    bom_component: IntArray  # [lines] sku index
    bom_qty: FloatArray  # [lines] per parent unit
    on_hand: FloatArray  # [S]
    receipt_sku: IntArray  # [receipts]
    receipt_day: IntArray  # [receipts] 0..horizon
    receipt_qty: FloatArray  # [receipts]
    order_sku: IntArray  # [open lines]
    order_qty: FloatArray
    order_due_day: IntArray
    order_priority: IntArray
    unit_price: FloatArray  # [S]
    material_cost: FloatArray  # [S]
    throughput_per_unit: FloatArray  # [S]
    lead_time_days: IntArray  # [S]
    lot_size: FloatArray  # [S]
    safety_stock: FloatArray  # [S]

    def day_index(self, day: dt.date) -> int:
        """Days from ``as_of`` to ``day``: negative before it, ``>= horizon`` after the end."""
        return day.toordinal() - self.as_of.toordinal()

    def date_of(self, index: int) -> dt.date:
        return self.as_of + dt.timedelta(days=index)

    def counts(self) -> dict[str, int]:
        return {
            "products": len(self.products),
            "resources": len(self.resources),
            "days": self.horizon,
            "calendar_exceptions": len(self.calendar_exceptions),
            "routing_steps": len(self.routing_resource),
            "bom_lines": len(self.bom_component),
            "supply": len(self.supply),
            "customers": len(self.customers),
            "orders": len(self.orders),
            "open_orders": len(self.open_orders),
            "opportunities": len(self.opportunities),
            "open_opportunities": sum(1 for o in self.opportunities if o.is_open),
            "opportunity_lines": len(self.opportunity_lines),
        }
