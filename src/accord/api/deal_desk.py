"""The deal desk: ATP, capable-to-promise inquiries and reservations (SPEC §5.1, §5.2)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from pydantic import BaseModel, Field

from accord.api.deps import CurrentCompany, Db
from accord.api.security import MayCheckDeal, MayReserve
from accord.domain.access import Permission
from accord.errors import Forbidden
from accord.planning.pipeline import PipelineParams
from accord.planning.promise import PromiseRequest
from accord.services.atp import atp_record
from accord.services.deal_check import check_and_reserve_once, check_deal
from accord.services.idempotency import HEADER, KEY_PATTERN, MAX_KEY_LENGTH, Keyed, Outcome
from accord.services.pipeline import pipeline_check
from accord.services.promise import Desk, inquire, utc_now
from accord.services.reservations import (
    DEFAULT_HOLD_DAYS,
    MAX_RESERVATION_ID,
    Terms,
    confirm,
    list_reservations,
    release,
    reserve_once,
)

router = APIRouter(tags=["deal desk"])


async def _desk(request: Request) -> Desk:
    """One desk per app: the load state is kept between questions."""
    desk: Desk = request.app.state.desk
    return desk


CurrentDesk = Annotated[Desk, Depends(_desk)]
ReservationId = Annotated[
    int, Path(ge=1, le=MAX_RESERVATION_ID, description="The reservation's id.")
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=HEADER,
        min_length=1,
        max_length=MAX_KEY_LENGTH,
        pattern=KEY_PATTERN,
        description="A new random key (e.g. a UUID) for each reservation asked for, the same"
        " on every retry of it: a retry gets the first answer again (same reservation,"
        " header Idempotent-Replayed: true), never a second booking. The same key with"
        " another request is 422 idempotency_key_reused.",
    ),
]
# Marks an answer given before, to the first request under the same Idempotency-Key.
REPLAYED_HEADER = "Idempotent-Replayed"


def _answered(response: Response, outcome: Outcome) -> dict[str, Any]:
    response.status_code = outcome.status
    if outcome.replayed:
        response.headers[REPLAYED_HEADER] = "true"
    return outcome.answer


class PromiseBody(BaseModel):
    sku: str = Field(min_length=1, description="The product.")
    quantity: float = Field(gt=0, description="How many units.")
    requested_date: dt.date | None = Field(
        default=None, description="Wanted by; default: as soon as possible."
    )
    customer: str | None = None
    latest_date: dt.date | None = Field(
        default=None,
        description="The last date the customer accepts delivery; default: any date."
        " The answer is short when the whole quantity cannot come by then.",
    )
    min_shipment: float | None = Field(
        default=None,
        gt=0,
        description="The smallest delivery the customer accepts, at most the quantity"
        " (the quantity: ship complete); default: 1 unit.",
    )
    resequence: bool = Field(
        default=False, description="Also price moving lower-priority orders (slower)."
    )

    def request(self) -> PromiseRequest:
        """The question; BadInput (422) when the terms do not fit it (``min_shipment`` more
        than the quantity, ``latest_date`` before ``requested_date``)."""
        return PromiseRequest(
            self.sku,
            self.quantity,
            self.requested_date,
            self.customer,
            latest_date=self.latest_date,
            min_shipment=self.min_shipment,
        )


class ReservationBody(PromiseBody):
    opportunity_id: str | None = None
    hold_days: int = Field(
        default=DEFAULT_HOLD_DAYS, ge=1, le=365, description="Days until it expires."
    )


@router.get("/atp/{sku}", summary="Time-phased available-to-promise of one product")
def get_atp(
    company: CurrentCompany,
    db: Db,
    sku: Annotated[str, Path(description="The product.")],
    periods: Annotated[int, Query(ge=1, le=520, description="Number of periods.")] = 12,
) -> dict[str, Any]:
    return atp_record(company.snapshot, sku, periods, db).to_json()


@router.post("/promise", summary="Capable-to-promise inquiry (changes nothing)")
def post_promise(
    body: PromiseBody, company: CurrentCompany, db: Db, desk: CurrentDesk
) -> dict[str, Any]:
    # `accord serve` answers most inquiries in its fast lane (api/fast_promise.py) before
    # they get here; this route answers the rest, and every one in tests of the app alone.
    answer = inquire(company.snapshot, desk, body.request(), db, with_resequence=body.resequence)
    return answer.to_json()


@router.post(
    "/reservations",
    status_code=201,
    summary="Reserve the load of a promise (409 with a fresh answer when it no longer fits)",
)
def post_reservation(
    body: ReservationBody,
    company: CurrentCompany,
    db: Db,
    desk: CurrentDesk,
    user: MayReserve,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    request = body.request()
    keyed = None
    if idempotency_key is not None:
        asked = body.model_dump(mode="json")
        keyed = Keyed.of(user.username, idempotency_key, "POST /api/v1/reservations", asked)
    terms = Terms(utc_now(), user.username, body.opportunity_id, body.hold_days)
    return _answered(response, reserve_once(db, company.snapshot, desk, request, keyed, terms))


@router.get("/reservations", summary="Reservations, newest last")
def get_reservations(
    db: Db,
    status: Annotated[
        str | None,
        Query(description="active, expired, confirmed or released; default: all."),
    ] = None,
) -> dict[str, Any]:
    return {"reservations": [r.to_json() for r in list_reservations(db, status)]}


@router.post("/reservations/{reservation_id}/confirm", summary="Confirm a reservation")
def post_confirm(
    reservation_id: ReservationId,
    db: Db,
    user: MayReserve,
    company: CurrentCompany,
    desk: CurrentDesk,
) -> dict[str, Any]:
    """409 when it expired and its capacity has been taken since (with a fresh answer);
    403 unless it is the caller's own or the caller's role may override (audited)."""
    return confirm(db, reservation_id, by=user, snapshot=company.snapshot, desk=desk).to_json()


@router.post("/reservations/{reservation_id}/release", summary="Release a reservation")
def post_release(reservation_id: ReservationId, db: Db, user: MayReserve) -> dict[str, Any]:
    """403 unless it is the caller's own or the caller's role may override (audited)."""
    return release(db, reservation_id, by=user).to_json()


@router.post(
    "/check/{opportunity_id}",
    summary="Deal check: promise every line, check its scope, log the check",
)
def post_check(
    opportunity_id: str,
    company: CurrentCompany,
    db: Db,
    desk: CurrentDesk,
    user: MayCheckDeal,
    response: Response,
    reserve_lines: Annotated[
        bool, Query(alias="reserve", description="Reserve the load of every line.")
    ] = False,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """With ``reserve``: every line's reservation and the check's log are one transaction,
    and the Idempotency-Key makes a retry get the first answer again (without ``reserve``
    the key is not needed: a check books nothing)."""
    if reserve_lines and not user.may(Permission.RESERVE):
        raise Forbidden(f"the role {user.role.value!r} may not reserve")
    if reserve_lines:
        keyed = None
        if idempotency_key is not None:
            asked = {"opportunity_id": opportunity_id, "reserve": True}
            keyed = Keyed.of(user.username, idempotency_key, "POST /api/v1/check", asked)
        done = check_and_reserve_once(
            db, company.snapshot, desk, opportunity_id, keyed, checked_by=user.username
        )
        return _answered(response, done)
    return check_deal(
        db,
        company.snapshot,
        desk,
        opportunity_id,
        reserve_lines=reserve_lines,
        checked_by=user.username,
    ).to_json()


@router.get("/pipeline", summary="Pipeline check: open deals in priority order, load, risk")
def get_pipeline(
    company: CurrentCompany,
    db: Db,
    desk: CurrentDesk,
    weighted: Annotated[bool, Query(description="Place probability x quantity.")] = False,
    order_by: Annotated[str, Query(description="default or tcu.")] = "default",
    draws: Annotated[int, Query(ge=0, le=100_000, description="Monte-Carlo draws.")] = 0,
    seed: Annotated[int, Query(description="Seed of the draws.")] = 7,
) -> dict[str, Any]:
    params = PipelineParams(order_by=order_by, weighted=weighted, draws=draws, seed=seed)
    return pipeline_check(company.snapshot, desk, params, db).to_json()
