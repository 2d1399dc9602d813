"""The Orders page: the plan of the order book for operations — which open order lines are
late or short, by how much, what binds them and why, in words."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from accord.api.deal_desk import CurrentDesk
from accord.api.deps import AsOf, Store
from accord.errors import NoData
from accord.services.order_plan import order_book_plan
from accord.web.render import render

router = APIRouter(include_in_schema=False)
SHOWN = 500  # lines on the page; the API and the CLI give them all


@router.get("/orders", response_class=HTMLResponse)
def orders_page(
    request: Request,
    store: Store,
    desk: CurrentDesk,
    as_of: AsOf = None,
    every: Annotated[bool, Query(description="Every line, not only the late ones.")] = False,
) -> HTMLResponse:
    try:
        company = store.current(as_of)
    except NoData as exc:
        return render(request, "empty.html", {"message": exc.message})
    plan = order_book_plan(company.snapshot, desk, late_only=not every)
    return render(
        request,
        "orders.html",
        {
            "plan": plan,
            "lines": plan.lines[:SHOWN],
            "hidden": max(len(plan.lines) - SHOWN, 0),
            "every": every,
            "currency": company.snapshot.settings.currency or "",
        },
    )
