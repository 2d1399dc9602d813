"""Reservations: commit a promise's load (seen by every later question), confirm it, or
release it. Writes are serialised (one database lock) and the capacity is checked again
inside the lock, so two clients asking for the last free capacity cannot both get it.

An active reservation past its expiry holds nothing: it reads ``expired`` everywhere, and
confirming it checks its capacity again under the lock (409 with a fresh answer when
others have taken it since).

A reservation asked for under an idempotency key (``reserve_once``) is made once: a retry
of it gets the first answer again (``services.idempotency``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from accord.domain.access import Permission, User, may_change_reservation, roles_with
from accord.domain.snapshot import Snapshot
from accord.errors import BadInput, Conflict, Forbidden, NotFound
from accord.planning.promise import Promise, PromiseRequest, promise
from accord.services.auth import audit
from accord.services.idempotency import Keyed, Outcome, reserving_once
from accord.services.promise import Desk, utc_now
from accord.storage import deal_repository
from accord.storage.database import Database
from accord.storage.unit_of_work import UnitOfWork

DEFAULT_HOLD_DAYS = 7
MAX_RESERVATION_ID = 2**31 - 1  # the id column is a 32-bit integer on PostgreSQL


@dataclass(frozen=True, slots=True)
class Reservation:
    id: int
    sku: str
    quantity: float
    customer: str | None
    opportunity_id: str | None
    requested_date: dt.date | None
    promised_date: dt.date | None
    created_at: dt.datetime
    expires_at: dt.datetime
    status: str
    created_by: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any], now: dt.datetime | None = None) -> Reservation:
        """The row as stored; an active one past its expiry (at ``now``) is ``expired``."""
        expires_at = _utc(row["expires_at"])
        status = row["status"]
        if status == "active" and expires_at <= (now or utc_now()):
            status = "expired"
        return cls(
            id=int(row["id"]),
            sku=row["sku"],
            quantity=float(row["quantity"]),
            customer=row["customer"],
            opportunity_id=row["opportunity_id"],
            requested_date=row["requested_date"],
            promised_date=row["promised_date"],
            created_at=_utc(row["created_at"]),
            expires_at=expires_at,
            status=status,
            created_by=row["created_by"],
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "sku": self.sku,
            "quantity": self.quantity,
            "customer": self.customer,
            "opportunity_id": self.opportunity_id,
            "requested_date": _iso(self.requested_date),
            "promised_date": _iso(self.promised_date),
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
            "status": self.status,
            "created_by": self.created_by,
        }


def _utc(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


@dataclass(frozen=True, slots=True)
class Reserved:
    reservation: Reservation
    promise: Promise

    def to_json(self) -> dict[str, Any]:
        return {"reservation": self.reservation.to_json(), "promise": self.promise.to_json()}

    def __str__(self) -> str:
        r = self.reservation
        return f"{self.promise}\nReserved as #{r.id} until {r.expires_at:%Y-%m-%d %H:%M} UTC"


@dataclass(frozen=True, slots=True)
class Terms:
    """How reservations are made: by whom, for which deal, held how long, from ``now``;
    ``require_on_time``: refuse a late one; ``kind``: the promise log's kind."""

    now: dt.datetime
    created_by: str | None = None
    opportunity_id: str | None = None
    hold_days: int = DEFAULT_HOLD_DAYS
    require_on_time: bool = True
    kind: str = "reservation"

    def __post_init__(self) -> None:
        days = self.hold_days
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            raise BadInput(f"hold_days must be a whole number >= 1, got {days!r}")


def reserve(
    db: Database,
    snapshot: Snapshot,
    desk: Desk,
    request: PromiseRequest,
    *,
    created_by: str | None = None,
    opportunity_id: str | None = None,
    hold_days: int = DEFAULT_HOLD_DAYS,
    now: dt.datetime | None = None,
    require_on_time: bool = True,
    kind: str = "reservation",
) -> Reserved:
    """Commit the load of ``request`` at its earliest date.

    Raises Conflict (with the fresh answer in its details) when, checked inside the lock,
    the quantity can no longer be delivered by the requested date (with
    ``require_on_time``; nor by the customer's latest accepted date) or at all within the
    horizon.
    """
    terms = Terms(now or utc_now(), created_by, opportunity_id, hold_days, require_on_time, kind)
    with db.unit_of_work(write=True) as uow:
        deal_repository.lock_reservations(uow.connection)
        (made,) = reserve_in(uow, snapshot, desk, [request], terms)
        uow.commit()
    return made


def reserve_once(
    db: Database,
    snapshot: Snapshot,
    desk: Desk,
    request: PromiseRequest,
    keyed: Keyed | None,
    terms: Terms,
) -> Outcome:
    """``reserve`` under an idempotency key: the first answer again when ``keyed`` was
    answered before (see ``services.idempotency``)."""

    def work(uow: UnitOfWork) -> dict[str, Any]:
        return reserve_in(uow, snapshot, desk, [request], terms)[0].to_json()

    return reserving_once(db, keyed, work, now=terms.now)


def reserve_in(
    uow: UnitOfWork,
    snapshot: Snapshot,
    desk: Desk,
    requests: Sequence[PromiseRequest],
    terms: Terms,
) -> list[Reserved]:
    """Reserve every one of ``requests`` in order (each sees the load of those before it)
    in ``uow``'s transaction, which holds the reservation lock; the caller commits.
    Conflict as ``reserve`` when one does not fit: then none is reserved."""
    holding = deal_repository.loaded_reservations(uow.connection, terms.now)
    answers: list[Promise] = []
    # The earlier requests' load is only tried on the desk's state and put back: the rows
    # written below load it for good once committed (a rollback leaves the state clean).
    with desk.using(snapshot, holding) as (state, average), ExitStack() as undo:
        for n, request in enumerate(requests):
            answer = promise(state, request, with_options=False, company_average=average)
            _refuse_unless_it_fits(request, answer, terms.require_on_time)
            answers.append(answer)
            if n + 1 < len(requests):
                sku = snapshot.sku_index[request.sku]
                undo.enter_context(state.trial(sku))
                state.place(sku, request.quantity, commit=True)
    return [
        _write(uow, snapshot, request, answer, terms)
        for request, answer in zip(requests, answers, strict=True)
    ]


def _refuse_unless_it_fits(request: PromiseRequest, answer: Promise, on_time: bool) -> None:
    if answer.earliest_date is None or (on_time and answer.verdict != "on_time"):
        wanted = request.requested_date
        if answer.verdict == "short" and request.latest_date is not None:
            wanted = request.latest_date
        when = answer.earliest_date.isoformat() if answer.earliest_date else "none in horizon"
        raise Conflict(
            f"{request.quantity:g} x {request.sku} can no longer be reserved"
            + (f" for {wanted.isoformat()}" if wanted else "")
            + f": the earliest date now is {when}",
            details=[answer.to_json()],
        )


def _write(
    uow: UnitOfWork, snapshot: Snapshot, request: PromiseRequest, answer: Promise, terms: Terms
) -> Reserved:
    """The reservation row, its promise row and its audit entry."""
    conn, now, created_by = uow.connection, terms.now, terms.created_by
    values = {
        "sku": request.sku,
        "quantity": request.quantity,
        "customer": request.customer,
        "opportunity_id": terms.opportunity_id,
        "requested_date": request.requested_date,
        "promised_date": answer.earliest_date,
        "created_at": now,
        "expires_at": now + dt.timedelta(days=terms.hold_days),
        "status": "active",
        "created_by": created_by,
    }
    rid = deal_repository.add_reservation(conn, values)
    deal_repository.add_promise(
        conn,
        {
            "kind": terms.kind,
            "sku": request.sku,
            "quantity": request.quantity,
            "customer": request.customer,
            "opportunity_id": terms.opportunity_id,
            "reservation_id": rid,
            "as_of": snapshot.as_of,
            "requested_date": request.requested_date,
            "promised_date": answer.earliest_date,
            "verdict": answer.verdict,
            "created_at": now,
            "created_by": created_by,
        },
    )
    if created_by:
        audit(
            uow,
            created_by,
            "reserve",
            f"reservation {rid}",
            sku=request.sku,
            quantity=request.quantity,
            promised_date=answer.earliest_date,
            opportunity_id=terms.opportunity_id,
        )
    return Reserved(Reservation.from_row({"id": rid, **values}, now), answer)


def _transition(
    db: Database,
    reservation_id: int,
    status: str,
    allowed: tuple[str, ...],
    by: User | None = None,
    *,
    check: Callable[[Connection, Reservation], None] | None = None,
    now: dt.datetime | None = None,
) -> Reservation:
    """Move a reservation to ``status`` from one of ``allowed`` (as read at ``now``: an
    active one past its expiry is ``expired``), inside the reservation lock, after
    ``check`` (which raises to refuse).

    ``by`` is the user asking: the reservation's owner, or a role that may override
    (Forbidden otherwise; an override is audited with the owner's name). None is the
    operator at the command line, who needs no account."""
    moment = now or utc_now()
    if not 1 <= reservation_id <= MAX_RESERVATION_ID:
        raise NotFound(f"no reservation {reservation_id}")
    with db.unit_of_work(write=True) as uow:
        conn = uow.connection
        deal_repository.lock_reservations(conn)
        row = deal_repository.get_reservation(conn, reservation_id)
        if row is None:
            raise NotFound(f"no reservation {reservation_id}")
        held = Reservation.from_row(row, moment)
        if by is not None:
            _check_owner(by, held, status)
        if held.status not in allowed:
            raise Conflict(f"reservation {reservation_id} is {held.status}: it cannot be {status}")
        if check is not None:
            check(conn, held)
        deal_repository.set_status(conn, reservation_id, status)
        if by is not None:
            details: dict[str, Any] = {"sku": row["sku"]}
            if held.created_by != by.username:
                details |= {"override": True, "owner": held.created_by}
            audit(uow, by, status, f"reservation {reservation_id}", **details)
        uow.commit()
    return Reservation.from_row({**row, "status": status}, moment)


def _check_owner(user: User, held: Reservation, status: str) -> None:
    """Forbidden unless ``user`` may move ``held`` (its owner, or a role that may override)."""
    if may_change_reservation(user, held.created_by):
        return
    verb = "confirm" if status == "confirmed" else "release"
    whose = f"is {held.created_by}'s" if held.created_by else "has no owner (made by the CLI)"
    others = ", ".join(r.value for r in roles_with(Permission.OVERRIDE_RESERVATIONS))
    raise Forbidden(
        f"reservation {held.id} {whose}: only its owner or the roles {others} may {verb} it"
    )


def confirm(
    db: Database,
    reservation_id: int,
    by: User | None = None,
    *,
    snapshot: Snapshot | None = None,
    desk: Desk | None = None,
    now: dt.datetime | None = None,
) -> Reservation:
    """Confirmed: it keeps its load (no expiry) until it becomes an order in the dataset.

    An expired one gave its capacity back: it is confirmed only when, checked again inside
    the lock against everything held now (``snapshot`` and ``desk`` needed), its quantity
    still comes by its promised date; else Conflict with the fresh answer."""
    moment = now or utc_now()

    def still_free(conn: Connection, held: Reservation) -> None:
        if held.status == "expired":
            _check_still_free(conn, held, snapshot, desk, moment)

    return _transition(
        db, reservation_id, "confirmed", ("active", "confirmed", "expired"), by,
        check=still_free, now=moment,
    )  # fmt: skip


def _check_still_free(
    conn: Connection,
    held: Reservation,
    snapshot: Snapshot | None,
    desk: Desk | None,
    now: dt.datetime,
) -> None:
    """Conflict unless the expired reservation's quantity still comes by its promised date
    against what every other reservation holds now."""
    lapsed = f"reservation {held.id} expired on {held.expires_at:%Y-%m-%d %H:%M} UTC"
    if snapshot is None or desk is None or held.promised_date is None:
        raise Conflict(f"{lapsed}: reserve again")
    request = PromiseRequest(held.sku, held.quantity, held.requested_date, held.customer)
    with desk.using(snapshot, deal_repository.loaded_reservations(conn, now)) as (state, avg):
        answer = promise(state, request, with_options=False, company_average=avg)
    if answer.earliest_date is None or answer.earliest_date > held.promised_date:
        when = answer.earliest_date.isoformat() if answer.earliest_date else "none in horizon"
        raise Conflict(
            f"{lapsed} and its capacity has been taken since: {held.quantity:g} x {held.sku}"
            f" now comes {when}, not {held.promised_date.isoformat()}",
            details=[answer.to_json()],
        )


def release(db: Database, reservation_id: int, by: User | None = None) -> Reservation:
    """Released: its load is freed for every later question."""
    return _transition(
        db, reservation_id, "released", ("active", "expired", "confirmed", "released"), by
    )


STATUSES = ("active", "expired", "confirmed", "released")


def list_reservations(
    db: Database, status: str | None = None, now: dt.datetime | None = None
) -> list[Reservation]:
    """Reservations, oldest first; ``status`` one of STATUSES (an expired one is stored as
    active and read as expired)."""
    if status is not None and status not in STATUSES:
        raise BadInput(f"status must be one of {', '.join(STATUSES)}, got {status!r}")
    stored = "active" if status == "expired" else status
    moment = now or utc_now()
    with db.unit_of_work() as uow:
        rows = deal_repository.all_reservations(uow.connection, stored)
    found = [Reservation.from_row(r, moment) for r in rows]
    return [r for r in found if status is None or r.status == status]
