"""The plan of the order book use case (``accord orders``): every open order line as the
load state placed it (SPEC §5.2), on time, late or short, with the reason in words."""

from __future__ import annotations

from accord.domain.snapshot import Snapshot
from accord.planning.order_book import OrderPlan, order_plan
from accord.services.promise import Desk


def order_book_plan(snapshot: Snapshot, desk: Desk, *, late_only: bool = False) -> OrderPlan:
    """The plan of the open orders. Reservations do not move it: orders are placed first."""
    with desk.using(snapshot, []) as (state, _):
        plan = order_plan(state)
    return plan.only_late() if late_only else plan
