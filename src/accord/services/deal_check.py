"""The deal check (``accord check OPP``): promise every line of an opportunity (each line
seeing the load of the lines before it, and under the customer's terms of that line:
``latest_date``, ``min_shipment``), check its scope rules, and log the check (who, when,
the answer) in ``check_log``; with ``reserve`` every line's load is reserved.

The deal's verdict is the worst of its lines: out_of_scope, then short, late, on_time.
"""

from __future__ import annotations

import datetime as dt
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from accord.domain.snapshot import Snapshot
from accord.errors import BadInput, NotFound
from accord.planning.promise import Promise, PromiseRequest, promise
from accord.planning.scope import RuleBook, check_line, opportunity_line_values, rules_from_rows
from accord.services.auth import audit
from accord.services.promise import Desk, utc_now
from accord.services.reservations import reserve
from accord.storage import deal_repository
from accord.storage.database import Database


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
    holding = desk.holding(db, now)
    now = now or utc_now()
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
    requests = [
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
    ]
    answers: list[tuple[int, Promise]] = []
    reserved: list[int] = []
    if reserve_lines:
        if db is None:
            raise BadInput("reserving needs the database: leave out --data")
        for n, request in requests:
            made = reserve(db, snapshot, desk, request, created_by=checked_by,
                           opportunity_id=opportunity_id, now=now, require_on_time=False,
                           kind="check")  # fmt: skip
            answers.append((n, made.promise))
            reserved.append(made.reservation.id)
    else:
        with (
            desk.using(snapshot, holding) as (state, average),
            ExitStack() as undo,
        ):
            for n, request in requests:
                answers.append((n, promise(state, request, company_average=average)))
                sku = snapshot.sku_index[request.sku]
                undo.enter_context(state.trial(sku))
                state.place(sku, request.quantity, commit=True)  # later lines see it
    if violations:
        verdict = "out_of_scope"
    elif any(p.verdict == "short" for _, p in answers):
        verdict = "short"
    elif any(p.verdict == "late" for _, p in answers):
        verdict = "late"
    else:
        verdict = "on_time"
    result = DealCheck(opportunity_id, verdict, tuple(answers), violations, tuple(reserved), None)
    if db is None:
        return result
    dates = [p.earliest_date for _, p in answers]
    wanted = [r.requested_date for _, r in requests if r.requested_date is not None]
    # Everything is made ready before the write transaction: it holds the writer's lock.
    check_row = {
        "opportunity_id": opportunity_id,
        "checked_at": now,
        "checked_by": checked_by,
        "verdict": verdict,
        "earliest_date": None if None in dates else max(d for d in dates if d),
        "requested_date": max(wanted) if wanted else opportunity.requested_date,
        "answer": result.to_json(),
    }
    promise_rows = [] if reserve_lines else [
        {
            "kind": "check", "sku": p.sku, "quantity": p.quantity, "customer": p.customer,
            "opportunity_id": opportunity_id, "reservation_id": None, "as_of": snapshot.as_of,
            "requested_date": p.requested_date, "promised_date": p.earliest_date,
            "verdict": p.verdict, "created_at": now, "created_by": checked_by,
        }
        for _, p in answers
    ]  # fmt: skip
    with db.unit_of_work(write=True, log_only=not reserve_lines) as uow:
        check_id = deal_repository.add_check(uow.connection, check_row)
        deal_repository.add_promises(uow.connection, promise_rows)
        if checked_by:
            audit(uow, checked_by, "check_deal", opportunity_id, verdict=verdict)
        uow.commit()
    return DealCheck(opportunity_id, verdict, tuple(answers), violations, tuple(reserved), check_id)
