"""The deal check (``accord check OPP``): promise every line of an opportunity (each line
seeing the load of the lines before it, and under the customer's terms of that line:
``latest_date``, ``min_shipment``), check its scope rules, and log the check (who, when,
the answer) in ``check_log``; with ``reserve`` every line's load is reserved.

The deal's verdict is the worst of its lines: out_of_scope, then short, late, on_time.
"""

from __future__ import annotations

import datetime as dt
from contextlib import ExitStack
from dataclasses import dataclass, replace
from typing import Any

from accord.domain.sales import Opportunity
from accord.domain.snapshot import Snapshot
from accord.errors import BadInput, NotFound
from accord.planning.promise import Promise, PromiseRequest, promise
from accord.planning.scope import RuleBook, check_line, opportunity_line_values, rules_from_rows
from accord.services.auth import audit
from accord.services.idempotency import Keyed, Outcome, reserving_once
from accord.services.promise import Desk, utc_now
from accord.services.reservations import Terms, reserve_in
from accord.storage import deal_repository
from accord.storage.database import Database
from accord.storage.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class DealCheck:
    """SPEC §3.5 ``check``."""

    opportunity_id: str
    verdict: str  # on_time / late / short / out_of_scope
    lines: tuple[tuple[int, Promise], ...]
    scope_violations: tuple[dict[str, Any], ...]
    reservation_ids: tuple[int, ...]
    check_id: int | None

    def to_json(self) -> dict[str, Any]:
        return {
            "opportunity_id": self.opportunity_id,
            "verdict": self.verdict,
            "check_id": self.check_id,
            "lines": [{"line": n, **p.to_json()} for n, p in self.lines],
            "scope_violations": list(self.scope_violations),
            "reservation_ids": list(self.reservation_ids),
        }

    def __str__(self) -> str:
        out = [f"Deal {self.opportunity_id}: {self.verdict.replace('_', ' ')}"]
        for n, p in self.lines:
            out.append(f"line {n}: " + str(p).replace("\n", "\n  "))
        out += [f"out of scope, line {v['line']}: {v['message']}" for v in self.scope_violations]
        return "\n".join(out)


_parsed_rules: tuple[Snapshot, RuleBook] | None = None


def _rules(snapshot: Snapshot) -> RuleBook:
    """The scope rules of the snapshot's dataset, parsed once per snapshot."""
    global _parsed_rules
    cached = _parsed_rules
    if cached is not None and cached[0] is snapshot:
        return cached[1]
    try:
        rules = rules_from_rows(snapshot.dataset.rows("rules"))
    except ValueError as exc:
        raise BadInput(str(exc)) from exc
    _parsed_rules = (snapshot, rules)
    return rules


@dataclass(frozen=True, slots=True)
class _Deal:
    """What a check asks: the opportunity, its lines' questions and its scope violations."""

    opportunity: Opportunity
    requests: tuple[tuple[int, PromiseRequest], ...]
    violations: tuple[dict[str, Any], ...]


def _deal(snapshot: Snapshot, opportunity_id: str) -> _Deal:
    opportunity = snapshot.opportunities_by_id.get(opportunity_id)
    if opportunity is None:
        raise NotFound(f"unknown opportunity {opportunity_id!r}")
    lines = snapshot.lines_by_opportunity.get(opportunity_id, ())
    if not lines:
        raise BadInput(f"opportunity {opportunity_id} has no lines to check")
    rules = _rules(snapshot)
    violations = tuple(
        {"line": line.line, **v.to_json()}
        for line in lines
        for v in check_line(rules, line.sku, opportunity_line_values(line))
    )
    requests = tuple(
        (
            line.line,
            PromiseRequest(
                line.sku,
                line.quantity,
                line.requested_date,
                opportunity.customer,
                latest_date=line.latest_date,
                min_shipment=line.min_shipment,
            ),
        )
        for line in lines
    )
    return _Deal(opportunity, requests, violations)


def check_deal(
    db: Database | None,
    snapshot: Snapshot,
    desk: Desk,
    opportunity_id: str,
    *,
    reserve_lines: bool = False,
    checked_by: str | None = None,
    now: dt.datetime | None = None,
) -> DealCheck:
    """Check (and with ``reserve_lines`` reserve) the deal; logged unless ``db`` is None.

    Reserving, the lines' reservations and the check's log are one transaction: all of
    them or none (Conflict when a line cannot be delivered within the horizon)."""
    if reserve_lines:
        if db is None:
            raise BadInput("reserving needs the database: leave out --data")
        deal = _deal(snapshot, opportunity_id)
        moment = now or utc_now()
        with db.unit_of_work(write=True) as uow:
            deal_repository.lock_reservations(uow.connection)
            result = _reserve_and_log(uow, snapshot, desk, deal, checked_by, moment)
            uow.commit()
        return result
    holding = desk.holding(db, now)
    now = now or utc_now()
    deal = _deal(snapshot, opportunity_id)
    answers: list[tuple[int, Promise]] = []
    with (
        desk.using(snapshot, holding) as (state, average),
        ExitStack() as undo,
    ):
        for n, request in deal.requests:
            answers.append((n, promise(state, request, company_average=average)))
            sku = snapshot.sku_index[request.sku]
            undo.enter_context(state.trial(sku))
            state.place(sku, request.quantity, commit=True)  # later lines see it
    result = DealCheck(
        opportunity_id, _verdict(deal, answers), tuple(answers), deal.violations, (), None
    )
    if db is None:
        return result
    # Everything is made ready before the write transaction: it holds the writer's lock.
    check_row = _check_row(deal, result, checked_by, now)
    promise_rows = [
        {
            "kind": "check", "sku": p.sku, "quantity": p.quantity, "customer": p.customer,
            "opportunity_id": opportunity_id, "reservation_id": None, "as_of": snapshot.as_of,
            "requested_date": p.requested_date, "promised_date": p.earliest_date,
            "verdict": p.verdict, "created_at": now, "created_by": checked_by,
        }
        for _, p in answers
    ]  # fmt: skip
    with db.unit_of_work(write=True, log_only=True) as uow:
        check_id = deal_repository.add_check(uow.connection, check_row)
        deal_repository.add_promises(uow.connection, promise_rows)
        if checked_by:
            audit(uow, checked_by, "check_deal", opportunity_id, verdict=result.verdict)
        uow.commit()
    return replace(result, check_id=check_id)


def check_and_reserve_once(
    db: Database,
    snapshot: Snapshot,
    desk: Desk,
    opportunity_id: str,
    keyed: Keyed | None,
    *,
    checked_by: str | None = None,
    now: dt.datetime | None = None,
) -> Outcome:
    """``check_deal`` with ``reserve_lines`` under an idempotency key: the first answer
    again when ``keyed`` was answered before (see ``services.idempotency``)."""
    deal = _deal(snapshot, opportunity_id)
    moment = now or utc_now()

    def work(uow: UnitOfWork) -> dict[str, Any]:
        return _reserve_and_log(uow, snapshot, desk, deal, checked_by, moment).to_json()

    return reserving_once(db, keyed, work, status=200, now=moment)


def _reserve_and_log(
    uow: UnitOfWork,
    snapshot: Snapshot,
    desk: Desk,
    deal: _Deal,
    checked_by: str | None,
    now: dt.datetime,
) -> DealCheck:
    """Reserve every line and log the check in ``uow`` (holding the reservation lock)."""
    opportunity_id = deal.opportunity.opportunity_id
    terms = Terms(now, checked_by, opportunity_id, require_on_time=False, kind="check")
    made = reserve_in(uow, snapshot, desk, [r for _, r in deal.requests], terms)
    answers = [(n, m.promise) for (n, _), m in zip(deal.requests, made, strict=True)]
    ids = tuple(m.reservation.id for m in made)
    verdict = _verdict(deal, answers)
    result = DealCheck(opportunity_id, verdict, tuple(answers), deal.violations, ids, None)
    check_id = deal_repository.add_check(uow.connection, _check_row(deal, result, checked_by, now))
    if checked_by:
        audit(uow, checked_by, "check_deal", opportunity_id, verdict=verdict)
    return replace(result, check_id=check_id)


def _verdict(deal: _Deal, answers: list[tuple[int, Promise]]) -> str:
    if deal.violations:
        return "out_of_scope"
    if any(p.verdict == "short" for _, p in answers):
        return "short"
    if any(p.verdict == "late" for _, p in answers):
        return "late"
    return "on_time"


def _check_row(
    deal: _Deal, result: DealCheck, checked_by: str | None, now: dt.datetime
) -> dict[str, Any]:
    dates = [p.earliest_date for _, p in result.lines]
    wanted = [r.requested_date for _, r in deal.requests if r.requested_date is not None]
    return {
        "opportunity_id": result.opportunity_id,
        "checked_at": now,
        "checked_by": checked_by,
        "verdict": result.verdict,
        "earliest_date": None if None in dates else max(d for d in dates if d),
        "requested_date": max(wanted) if wanted else deal.opportunity.requested_date,
        "answer": result.to_json(),
    }
