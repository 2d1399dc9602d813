"""Minutes of every resource that one unit of a product takes, components included.

A product's own routing gives its run minutes per unit and a setup per production lot; a
component made in house (a BOM line whose component has a routing) adds its minutes times
``quantity_per``.

**Lots over a horizon.** ``lot_size`` is the multiple in which supply is made, not a batch
limit, so the number of lots is a choice. Over a horizon of ``weeks`` weeks we take the
demand of each week to be made together: a product needing ``g`` units (gross, components
included) runs ``min(ceil(g / lot_size), weeks)`` lots, each with one setup per routing step.
Counting a lot per ``lot_size`` units instead would charge a product with lot size 1 a setup
per unit.

- ``resource_load``: minutes per resource to make given quantities (run plus those setups);
- ``unit_minutes``: ``[R, S]`` minutes per unit with each product's setups spread over its
  units at the horizon's demand (over ``lot_size`` units for a product without demand),
  exploded through the BOM: linear, for the mix LP, T/CU and deal ranking, and equal to
  ``resource_load`` at that demand.
"""

from __future__ import annotations

import numpy as np

from accord.domain.snapshot import FloatArray, IntArray, Snapshot


def parents_first(snap: Snapshot) -> IntArray:
    """Product indices ordered so that every product comes before its BOM components."""
    n = len(snap.products)
    indegree = np.bincount(snap.bom_component, minlength=n)
    ready = [i for i in range(n) if indegree[i] == 0]
    order: list[int] = []
    while ready:
        i = ready.pop()
        order.append(i)
        for k in range(snap.bom_start[i], snap.bom_start[i + 1]):
            child = int(snap.bom_component[k])
            indegree[child] -= 1
            if indegree[child] == 0:
                ready.append(child)
    if len(order) != n:  # import validation rejects BOM cycles; a snapshot never has one
        raise ValueError("the BOM has a cycle")
    return np.asarray(order, dtype=np.int32)


def _direct(snap: Snapshot, per_unit: FloatArray) -> FloatArray:
    minutes = np.zeros((len(snap.resources), len(snap.products)))
    counts = np.diff(snap.routing_start)
    product = np.repeat(np.arange(len(snap.products)), counts)
    np.add.at(minutes, (snap.routing_resource, product), per_unit)
    return minutes


def lots(snap: Snapshot, gross: FloatArray, weeks: int) -> FloatArray:
    """Production lots per product [S] for ``gross`` units over ``weeks`` weeks."""
    needed = np.ceil(gross / snap.lot_size - 1e-9)
    return np.where(gross > 0, np.minimum(np.maximum(needed, 1.0), max(weeks, 1)), 0.0)


def setup_share(snap: Snapshot, demand: FloatArray, weeks: int) -> FloatArray:
    """Setups per unit [S] of each product at ``demand`` (``1 / lot_size`` without demand)."""
    gross = gross_requirements(snap, demand)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(gross > 0, lots(snap, gross, weeks) / gross, 1.0 / snap.lot_size)
    return share


def unit_minutes(snap: Snapshot, share: FloatArray | None = None) -> FloatArray:
    """``[R, S]`` minutes per unit, components included, setups times ``share`` (setups per
    unit of each product; default ``1 / lot_size``)."""
    counts = np.diff(snap.routing_start)
    per_unit = 1.0 / snap.lot_size if share is None else share
    minutes = _direct(snap, snap.routing_minutes + snap.routing_setup * np.repeat(per_unit, counts))
    # Components first, so each parent adds its components' finished columns.
    for i in parents_first(snap)[::-1]:
        for k in range(snap.bom_start[i], snap.bom_start[i + 1]):
            minutes[:, i] += snap.bom_qty[k] * minutes[:, snap.bom_component[k]]
    return minutes


def gross_requirements(snap: Snapshot, quantity: FloatArray) -> FloatArray:
    """Units of every product to make for ``quantity`` [S], components included."""
    gross = np.asarray(quantity, dtype=np.float64).copy()
    for i in parents_first(snap):
        for k in range(snap.bom_start[i], snap.bom_start[i + 1]):
            gross[snap.bom_component[k]] += snap.bom_qty[k] * gross[i]
    return gross


def resource_load(snap: Snapshot, quantity: FloatArray, weeks: int) -> FloatArray:
    """Minutes per resource [R] to make ``quantity`` [S] over ``weeks`` weeks: run minutes
    plus one setup per lot and step (lots as in the module docstring)."""
    gross = gross_requirements(snap, quantity)
    counts = np.diff(snap.routing_start)
    step_qty = np.repeat(gross, counts)
    step_lots = np.repeat(lots(snap, gross, weeks), counts)
    per_step = step_qty * snap.routing_minutes + step_lots * snap.routing_setup
    load: FloatArray = np.bincount(
        snap.routing_resource, per_step, minlength=len(snap.resources)
    ).astype(np.float64)
    return load
