"""Re-sequencing, the price of yes that moves other customers (SPEC §5.2 step 4).

The open orders are placed again with the deal loaded ahead of every order of priority
``p`` or lower (a larger number), for ``p`` from the lowest priority upwards, until the deal
meets its date; reservations follow the orders as usual. The option names the orders that
move (day ready before and after), by how many days, and whether they become late to their
own commitment (promised date, else due date). Applying it = placing the book in that
order, which is what ``place_ahead`` does and what asking again reproduces.

It places the whole order book once per priority level tried, so it is computed on
request, not in every answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from accord.planning.loading import LoadState, Placement
from accord.planning.promise import Option


@dataclass(frozen=True, slots=True)
class Resequenced:
    priority: int  # the deal goes ahead of orders of this priority and lower
    state: LoadState
    placement: Placement
    moved: tuple[dict[str, Any], ...]


def place_ahead(state: LoadState, sku: int, quantity: float, priority: int) -> Resequenced:
    """The order book placed again with the deal ahead of orders of ``priority`` or lower."""
    s = state.snapshot
    fresh = LoadState(s, state.trees)
    cut = int(np.searchsorted(s.order_priority, priority, side="left"))
    fresh.place_orders(0, cut)
    placement = fresh.place(sku, quantity, commit=True)
    fresh.place_orders(cut, len(s.order_sku))
    for other, qty in state.commitments:
        fresh.place(other, qty, commit=True)
    moved: list[dict[str, Any]] = []
    before, after = state.order_day, fresh.order_day
    for i in np.flatnonzero(before != after).tolist():
        order = s.open_orders[i]
        old, new = int(before[i]), int(after[i])
        old_date = None if old < 0 else s.date_of(old)
        new_date = None if new < 0 else s.date_of(new)
        commit = order.commit_date
        moved.append(
            {
                "order_id": order.order_id,
                "line": order.line,
                "customer": order.customer,
                "priority": order.priority,
                "from": None if old_date is None else old_date.isoformat(),
                "to": None if new_date is None else new_date.isoformat(),
                "days": None if old < 0 or new < 0 else new - old,
                "late_before": old_date is None or old_date > commit,
                "late_after": new_date is None or new_date > commit,
            }
        )
    return Resequenced(priority, fresh, placement, tuple(moved))


def resequence(state: LoadState, sku: int, quantity: float, due: int) -> Option | None:
    """The smallest move (lowest priorities first) that meets day ``due``, if any."""
    s = state.snapshot
    for priority in sorted(set(s.order_priority.tolist()), reverse=True):
        result = place_ahead(state, sku, quantity, priority)
        day = result.placement.day
        if day is None or day > due:
            continue
        newly_late = [m for m in result.moved if m["late_after"] and not m["late_before"]]
        names = ", ".join(f"{m['order_id']}/{m['line']}" for m in result.moved[:5])
        more = f" and {len(result.moved) - 5} more" if len(result.moved) > 5 else ""
        return Option(
            kind="resequence",
            cost=0.0,
            delivers_by=s.date_of(day),
            details={
                "ahead_of_priority": priority,
                "orders": list(result.moved),
                "newly_late": len(newly_late),
            },
            summary=f"resequence ahead of priority {priority} orders: moves {names or 'none'}"
            f"{more}; {len(newly_late)} become late",
        )
    return None
