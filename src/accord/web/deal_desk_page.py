"""The Deal desk: ask about a deal or a product, see the answer, its reasons and the price
of yes; reserve, confirm or release; and the Pipeline at risk."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from accord.api.deal_desk import CurrentDesk
from accord.api.deps import AsOf, Db, Store
from accord.api.security import MayCheckDeal, MayReserve
from accord.errors import AccordError, BadInput, Conflict, NoData
from accord.planning.pipeline import PipelineParams
from accord.planning.promise import PromiseRequest
from accord.services import reservations
from accord.services.deal_check import check_deal
from accord.services.pipeline import pipeline_check
from accord.services.promise import inquire
from accord.web.render import render

router = APIRouter(include_in_schema=False)
PICK_LIMIT = 300


def _open_deals(store: Store) -> list[dict[str, Any]]:
    snap = store.current().snapshot
    deals = [o for o in snap.opportunities if o.is_open]
    deals.sort(key=lambda o: (o.close_date or dt.date.max, o.opportunity_id))
    return [
        {"id": o.opportunity_id, "label": f"{o.opportunity_id} · {o.customer} · {o.stage}"}
        for o in deals[:PICK_LIMIT]
    ]


@router.get("/deal-desk", response_class=HTMLResponse)
def deal_desk(
    request: Request,
    store: Store,
    db: Db,
    desk: CurrentDesk,
    opportunity: Annotated[str | None, Query()] = None,
    sku: Annotated[str | None, Query()] = None,
    quantity: Annotated[float | None, Query(gt=0)] = None,
    by: Annotated[dt.date | None, Query()] = None,
) -> HTMLResponse:
    try:
        company = store.current()
    except NoData as exc:
        return render(request, "empty.html", {"message": exc.message})
    context: dict[str, Any] = {
        "deals": _open_deals(store),
        "opportunity": opportunity or "",
        "sku": sku or "",
        "quantity": quantity,
        "by": by.isoformat() if by else "",
        "reservations": [r.to_json() for r in reservations.list_reservations(db, "active")],
    }
    try:
        if opportunity:
            # An inquiry: the check is logged only when the rep presses "Check and log".
            context["check"] = check_deal(None, company.snapshot, desk, opportunity).to_json()
        elif sku and quantity:
            answer = inquire(company.snapshot, desk, PromiseRequest(sku, quantity, by), db)
            context["answer"] = answer.to_json()
    except AccordError as exc:
        context["error"] = exc.message
    return render(request, "deal_desk.html", context)


@router.post("/deal-desk/check", response_class=HTMLResponse)
def check_and_log(
    request: Request,
    store: Store,
    db: Db,
    desk: CurrentDesk,
    user: MayCheckDeal,
    opportunity: Annotated[str, Form()],
    reserve: Annotated[bool, Form()] = False,
) -> HTMLResponse:
    company = store.current()
    context: dict[str, Any] = {"deals": _open_deals(store), "opportunity": opportunity}
    try:
        result = check_deal(
            db, company.snapshot, desk, opportunity, reserve_lines=reserve, checked_by=user.username
        )
        context["check"] = result.to_json()
        context["logged"] = True
        context["reserved"] = reserve
    except Conflict as exc:
        context["error"] = f"{exc.message}: someone else took that capacity first"
    except AccordError as exc:
        context["error"] = exc.message
    context["reservations"] = [r.to_json() for r in reservations.list_reservations(db, "active")]
    return render(request, "deal_desk.html", context)


@router.post("/deal-desk/reserve", response_class=HTMLResponse)
def reserve_line(
    request: Request,
    store: Store,
    db: Db,
    desk: CurrentDesk,
    user: MayReserve,
    sku: Annotated[str, Form()],
    quantity: Annotated[float, Form(gt=0)],
    by: Annotated[str, Form()] = "",
) -> HTMLResponse:
    company = store.current()
    try:
        wanted = dt.date.fromisoformat(by) if by else None
    except ValueError:
        raise BadInput(f"by: not a date (YYYY-MM-DD): {by!r}") from None
    question = PromiseRequest(sku, quantity, wanted)
    context: dict[str, Any] = {
        "deals": _open_deals(store),
        "sku": sku,
        "quantity": quantity,
        "by": by,
    }
    try:
        done = reservations.reserve(
            db,
            company.snapshot,
            desk,
            question,
            created_by=user.username,
            require_on_time=False,
        )
        context["answer"] = done.promise.to_json()
        context["reserved_id"] = done.reservation.id
    except Conflict as exc:
        context["error"] = f"{exc.message}: the answer below is fresh"
        context["answer"] = inquire(company.snapshot, desk, question, db).to_json()
    except AccordError as exc:
        context["error"] = exc.message
    context["reservations"] = [r.to_json() for r in reservations.list_reservations(db, "active")]
    return render(request, "deal_desk.html", context)


@router.post("/deal-desk/reservations/{reservation_id}/{action}")
def change_reservation(
    db: Db, user: MayReserve, reservation_id: int, action: str
) -> RedirectResponse:
    if action == "confirm":
        reservations.confirm(db, reservation_id, by=user.username)
    elif action == "release":
        reservations.release(db, reservation_id, by=user.username)
    else:
        raise AccordError(f"unknown action {action!r}")
    return RedirectResponse("/deal-desk", status_code=303)


@router.get("/pipeline", response_class=HTMLResponse)
def pipeline_page(
    request: Request,
    store: Store,
    db: Db,
    desk: CurrentDesk,
    as_of: AsOf = None,
    weighted: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    try:
        company = store.current(as_of)
    except NoData as exc:
        return render(request, "empty.html", {"message": exc.message})
    params = PipelineParams(weighted=weighted, draws=200, seed=7)
    result = pipeline_check(company.snapshot, desk, params, db).to_json()
    at_risk = [d for d in result["deals"] if d["verdict"] != "on_time"]
    weeks = list(dict.fromkeys(r["period_start"] for r in result["load"]))
    resources = list(dict.fromkeys(r["resource"] for r in result["load"]))
    cells = {(r["resource"], r["period_start"]): r for r in result["load"]}

    def ratio(r: dict[str, Any] | None) -> float:
        if not r or not r["capacity"]:
            return 0.0
        return round(100 * float(r["firm"] + r["pipeline"]) / float(r["capacity"]), 1)

    chart = {
        "weeks": weeks,
        "resources": resources,
        "load": [[ratio(cells.get((res, w))) for w in weeks] for res in resources],
        "probability": [
            [
                round(100 * (cells.get((res, w)) or {}).get("overload_probability", 0) or 0, 1)
                for w in weeks
            ]
            for res in resources
        ],
    }
    return render(
        request,
        "pipeline.html",
        {
            "p": result,
            "at_risk": at_risk,
            "weighted": weighted,
            "chart": json.dumps(chart),
            "currency": company.snapshot.settings.currency or "",
        },
    )
