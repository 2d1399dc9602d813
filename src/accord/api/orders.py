"""The plan of the order book (SPEC §5.2, shape ``orders`` of §3.5)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from accord.api.deal_desk import CurrentDesk
from accord.api.deps import CurrentCompany
from accord.services.order_plan import order_book_plan

router = APIRouter(tags=["orders"])


@router.get("/orders/plan", summary="Every open order line: planned date, on time, late or short")
def get_order_plan(
    company: CurrentCompany,
    desk: CurrentDesk,
    late: Annotated[bool, Query(description="Only the lines late or short.")] = False,
) -> dict[str, Any]:
    return order_book_plan(company.snapshot, desk, late_only=late).to_json()
