"""The Deal desk: ask about a deal or a product (with the customer's terms: the latest date
and the smallest delivery accepted), see the answer, its reasons and the price of yes;
reserve, confirm or release; and the Pipeline at risk.

The product question's fields are read as typed: an empty field is "none", a bad one is a
message on the page, never an error page."""

from __future__ import annotations

import datetime as dt
import json
import math
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from accord.api.deal_desk import CurrentDesk
from accord.api.deps import AsOf, Db, Store
from accord.api.security import MayCheckDeal, MayReserve, SignedIn
from accord.domain.access import User, may_change_reservation
from accord.domain.snapshot import Snapshot
from accord.errors import AccordError, BadInput, Conflict, NoData, NotFound
from accord.planning.pipeline import PipelineParams
from accord.planning.promise import PromiseRequest
from accord.services import reservations
from accord.services.deal_check import check_and_reserve_once, check_deal
from accord.services.idempotency import Keyed
from accord.services.pipeline import pipeline_check
from accord.services.promise import inquire, utc_now
from accord.web.render import render

router = APIRouter(include_in_schema=False)
PICK_LIMIT = 300


def new_form_key() -> str:
    """The idempotency key of a reserving form, made when the page is rendered."""
    return secrets.token_urlsafe(18)


def form_keyed(username: str, key: str, form: str, asked: dict[str, Any]) -> Keyed | None:
    """The keyed request of a reserving form (None: the form carries no key)."""
    return Keyed.of(username, key, form, asked) if key else None


def _open_deals(store: Store) -> list[dict[str, Any]]:
    snap = store.current().snapshot
    deals = [o for o in snap.opportunities if o.is_open]
    deals.sort(key=lambda o: (o.close_date or dt.date.max, o.opportunity_id))
    return [
        {"id": o.opportunity_id, "label": f"{o.opportunity_id} · {o.customer} · {o.stage}"}
        for o in deals[:PICK_LIMIT]
    ]


def _active_reservations(db: Db, user: User) -> list[dict[str, Any]]:
    """The active reservations, each saying whether ``user`` may confirm or release it."""
    return [
        r.to_json() | {"may_change": may_change_reservation(user, r.created_by)}
        for r in reservations.list_reservations(db, "active")
    ]


def _date_field(text: str, label: str) -> dt.date | None:
    """A date typed into the form; an empty field is no date."""
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{label}: not a date (YYYY-MM-DD): {text!r}") from None


def _number_field(text: str, label: str) -> float | None:
    """A number typed into the form; an empty field is no number."""
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise BadInput(f"{label}: not a number: {text!r}")
    return value


def _question(sku: str, quantity: str, by: str, latest: str, min_shipment: str) -> PromiseRequest:
    """The product question of the form, with the customer's terms (empty fields: none)."""
    how_many = _number_field(quantity, "Quantity")
    if how_many is None:
        raise BadInput("Quantity: how many units?")
    return PromiseRequest(
        sku.strip(),
        how_many,
        _date_field(by, "Wanted by"),
        latest_date=_date_field(latest, "Latest date accepted"),
        min_shipment=_number_field(min_shipment, "Smallest delivery accepted"),
    )


@router.get("/deal-desk", response_class=HTMLResponse)
def deal_desk(
    request: Request,
    store: Store,
    db: Db,
    desk: CurrentDesk,
    user: SignedIn,
    opportunity: Annotated[str | None, Query()] = None,
    sku: Annotated[str, Query()] = "",
    quantity: Annotated[str, Query()] = "",
    by: Annotated[str, Query()] = "",
    latest: Annotated[str, Query()] = "",
    min_shipment: Annotated[str, Query()] = "",
) -> HTMLResponse:
    try:
        company = store.current()
    except NoData as exc:
        return render(request, "empty.html", {"message": exc.message})
    context: dict[str, Any] = {
        "deals": _open_deals(store),
        "opportunity": opportunity or "",
        **_form_values(sku, quantity, by, latest, min_shipment),
        "reservations": _active_reservations(db, user),
        "reserve_key": new_form_key(),
    }
    try:
        if opportunity:
            # An inquiry: the check is logged only when the rep presses "Check and log".
            context["check"] = check_deal(None, company.snapshot, desk, opportunity).to_json()
        elif sku.strip() and quantity.strip():
            named = _product_sku(company.snapshot, sku.strip())
            question = _question(named, quantity, by, latest, min_shipment)
            context["answer"] = inquire(company.snapshot, desk, question, db).to_json()
    except AccordError as exc:
        context["error"] = exc.message
    return render(request, "deal_desk.html", context)


def _form_values(
    sku: str, quantity: str, by: str, latest: str, min_shipment: str
) -> dict[str, str]:
    """The product question's fields as typed, to show them again."""
    return {
        "sku": sku.strip(),
        "quantity": quantity.strip(),
        "by": by.strip(),
        "latest": latest.strip(),
        "min_shipment": min_shipment.strip(),
    }


@router.post("/deal-desk/check", response_class=HTMLResponse)
def check_and_log(
    request: Request,
    store: Store,
    db: Db,
    desk: CurrentDesk,
    user: MayCheckDeal,
    opportunity: Annotated[str, Form()],
    reserve: Annotated[bool, Form()] = False,
    idempotency_key: Annotated[str, Form()] = "",
) -> HTMLResponse:
    company = store.current()
    context: dict[str, Any] = {
        "deals": _open_deals(store),
        "opportunity": opportunity,
        "reserve_key": new_form_key(),
    }
    try:
        if reserve:  # a resubmitted form (its key again) shows the first answer again
            asked = {"opportunity_id": opportunity}
            keyed = form_keyed(user.username, idempotency_key, "/deal-desk/check", asked)
            context["check"] = check_and_reserve_once(
                db, company.snapshot, desk, opportunity, keyed, checked_by=user.username
            ).answer
        else:
            result = check_deal(db, company.snapshot, desk, opportunity, checked_by=user.username)
            context["check"] = result.to_json()
        context["logged"] = True
        context["reserved"] = reserve
    except Conflict as exc:
        context["error"] = f"{exc.message}: someone else took that capacity first"
    except AccordError as exc:
        context["error"] = exc.message
    context["reservations"] = _active_reservations(db, user)
    return render(request, "deal_desk.html", context)


@router.post("/deal-desk/reserve", response_class=HTMLResponse)
def reserve_line(
    request: Request,
    store: Store,
    db: Db,
    desk: CurrentDesk,
    user: MayReserve,
    sku: Annotated[str, Form()],
    quantity: Annotated[str, Form()],
    by: Annotated[str, Form()] = "",
    latest: Annotated[str, Form()] = "",
    min_shipment: Annotated[str, Form()] = "",
    idempotency_key: Annotated[str, Form()] = "",
) -> HTMLResponse:
    company = store.current()
    typed = _form_values(sku, quantity, by, latest, min_shipment)
    context: dict[str, Any] = {"deals": _open_deals(store), **typed, "reserve_key": new_form_key()}
    question: PromiseRequest | None = None
    try:
        named = _product_sku(company.snapshot, sku.strip())
        question = _question(named, quantity, by, latest, min_shipment)
        # A resubmitted form (a double click, a reload) sends its key again: the first
        # reservation is shown again, never a second one made.
        keyed = form_keyed(user.username, idempotency_key, "/deal-desk/reserve", typed)
        terms = reservations.Terms(utc_now(), user.username, require_on_time=False)
        done = reservations.reserve_once(db, company.snapshot, desk, question, keyed, terms)
        context["answer"] = done.answer["promise"]
        context["reserved_id"] = done.answer["reservation"]["id"]
    except Conflict as exc:
        context["error"] = f"{exc.message}: the answer below is fresh"
        if question is not None:
            context["answer"] = inquire(company.snapshot, desk, question, db).to_json()
    except AccordError as exc:
        context["error"] = exc.message
    context["reservations"] = _active_reservations(db, user)
    return render(request, "deal_desk.html", context)


@router.post("/deal-desk/reservations/{reservation_id}/{action}")
def change_reservation(
    store: Store, desk: CurrentDesk, db: Db, user: MayReserve, reservation_id: int, action: str
) -> RedirectResponse:
    if action == "confirm":
        snapshot = store.current().snapshot
        reservations.confirm(db, reservation_id, by=user, snapshot=snapshot, desk=desk)
    elif action == "release":
        reservations.release(db, reservation_id, by=user)
    else:
        raise NotFound(f"unknown action {action!r}: confirm or release")
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


def _product_sku(snapshot: Snapshot, typed: str) -> str:
    """The product a rep typed: its SKU exactly, else its SKU or its name in any case
    ("hex-290", "Plate heat exchanger 290"); as typed when none matches (the answer then
    says it is unknown)."""
    if typed in snapshot.sku_index:
        return typed
    wanted = typed.casefold()
    for product in snapshot.products:
        if product.sku.casefold() == wanted or (product.name or "").casefold() == wanted:
            return product.sku
    return typed
