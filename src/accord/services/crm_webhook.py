"""The CRM webhook: a deal changed in the CRM; run the deal check and answer with the promise.

- HubSpot sends a JSON array of events (``deal.creation``, ``deal.propertyChange``...), each
  with an ``eventId`` and the deal's ``objectId``, signed with the app's client secret
  (signature v3: base64 HMAC-SHA256 of method + URL + body + timestamp, the timestamp no
  older than five minutes).
- Salesforce sends an outbound message: SOAP XML with one ``Notification`` (its ``Id``) per
  changed Opportunity (``sObject/Id``). Outbound messages carry no signature: the endpoint
  URL holds a shared token, and the organisation id is checked when one is configured.

Each event is answered once: a repeated delivery (CRMs retry until acknowledged) gets the
stored answer again, without a second check.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

from sqlalchemy.exc import IntegrityError

from accord.domain.snapshot import Snapshot
from accord.errors import BadInput, NotAuthenticated
from accord.io.crm.mapping import CrmMapping
from accord.planning import wording
from accord.services.deal_check import DealCheck, check_deal
from accord.services.promise import Desk
from accord.storage import crm_repository
from accord.storage.database import Database

log = logging.getLogger(__name__)
MAX_AGE = dt.timedelta(minutes=5)  # HubSpot's limit on a signed request's age
_OUTBOUND = "{http://soap.sforce.com/2005/09/outbound}"
_SOBJECT = "{urn:sobject.enterprise.soap.sforce.com}"
SALESFORCE_ACK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
    "<soapenv:Body>"
    '<notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound">'
    "<Ack>true</Ack></notificationsResponse></soapenv:Body></soapenv:Envelope>"
)


@dataclass(frozen=True, slots=True)
class DealChange:
    """One delivered event about one deal."""

    source: str
    event_id: str
    opportunity_id: str


# -- authentication -------------------------------------------------------------------------


def verify_hubspot(
    secret: str,
    method: str,
    url: str,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    now: dt.datetime,
) -> None:
    """Raise ``NotAuthenticated`` unless the request carries a fresh, valid v3 signature."""
    if not timestamp or not signature:
        raise NotAuthenticated("missing X-HubSpot-Signature-v3 or X-HubSpot-Request-Timestamp")
    try:
        sent = dt.datetime.fromtimestamp(int(timestamp) / 1000, dt.UTC)
    except ValueError:
        raise NotAuthenticated("X-HubSpot-Request-Timestamp is not a time in ms") from None
    if abs(now - sent) > MAX_AGE:
        raise NotAuthenticated("the signed request is older than five minutes")
    message = method.encode() + url.encode() + body + timestamp.encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    if not hmac.compare_digest(base64.b64encode(digest).decode(), signature):
        raise NotAuthenticated("the HubSpot signature does not match")


def verify_token(expected: str, given: str | None) -> None:
    if not given or not hmac.compare_digest(expected.encode(), given.encode()):
        raise NotAuthenticated("missing or wrong webhook token")


# -- payloads -------------------------------------------------------------------------------


def hubspot_changes(body: bytes) -> list[DealChange]:
    """The deal events of a HubSpot webhook delivery (other objects' events are skipped)."""
    try:
        events = json.loads(body)
    except ValueError:
        raise BadInput("the HubSpot webhook body is not JSON") from None
    if not isinstance(events, list):
        raise BadInput("a HubSpot webhook body is a JSON array of events")
    changes: list[DealChange] = []
    for event in events:
        if not isinstance(event, dict) or "eventId" not in event or "objectId" not in event:
            raise BadInput("each HubSpot event needs an eventId and an objectId")
        if str(event.get("subscriptionType", "deal.")).startswith("deal."):
            changes.append(DealChange("hubspot", str(event["eventId"]), str(event["objectId"])))
    return changes


def salesforce_changes(body: bytes, organization_id: str | None) -> list[DealChange]:
    """The Opportunity notifications of a Salesforce outbound message."""
    try:
        # Expat (>= 2.4.1) resolves no external entities and caps entity expansion.
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as err:
        raise BadInput(f"the outbound message is not XML: {err}") from None
    notifications = root.find(f".//{_OUTBOUND}notifications")
    if notifications is None:
        raise BadInput("not a Salesforce outbound message: no notifications element")
    org = notifications.findtext(f"{_OUTBOUND}OrganizationId", "")
    if organization_id and not org.startswith(organization_id[:15]):
        raise NotAuthenticated(f"outbound message from another organisation: {org!r}")
    changes: list[DealChange] = []
    for note in notifications.iter(f"{_OUTBOUND}Notification"):
        event = note.findtext(f"{_OUTBOUND}Id", "")
        deal = note.findtext(f"{_OUTBOUND}sObject/{_SOBJECT}Id", "")
        if not event or not deal:
            raise BadInput("each Notification needs its Id and the sObject's Id")
        changes.append(DealChange("salesforce", event, deal))
    return changes


# -- the answer -----------------------------------------------------------------------------


def price_of_yes(check: DealCheck) -> str:
    """The answer in a sentence short enough for a CRM text field."""
    if check.verdict == "out_of_scope":
        first = check.scope_violations[0]
        return f"out of scope (line {first['line']}): {first.get('message', '')}"[:255]
    late = [(n, p) for n, p in check.lines if p.verdict == "late"]
    short = [(n, p) for n, p in check.lines if p.verdict == "short"]
    if not late and not short:
        return "on time at no extra cost"
    parts = []
    for n, p in short:
        if p.short_quantity > 0 and p.short_date is not None:
            parts.append(
                f"line {n}: short; {p.short_quantity:g} of {p.quantity:g}"
                f" by {p.short_date.isoformat()}"
            )
        else:
            parts.append(f"line {n}: short; none by the latest date accepted")
    for n, p in late:
        meets = [o for o in p.options if p.requested_date and o.delivers_by <= p.requested_date]
        if meets:
            best = min(meets, key=lambda o: o.cost)
            parts.append(f"line {n}: {best.summary} ({best.cost:,.0f})")
        else:
            parts.append(f"line {n}: {wording.days(p.days_late)} late; no option meets the date")
    return "; ".join(parts)[:255]


def answer_of(check: DealCheck) -> dict[str, Any]:
    dates = [p.earliest_date for _, p in check.lines]
    promise = None if None in dates else max(d for d in dates if d is not None)
    return {
        "opportunity_id": check.opportunity_id,
        "verdict": check.verdict,
        "promise_date": promise.isoformat() if promise else None,
        "price_of_yes": price_of_yes(check),
        "check_id": check.check_id,
        "check": check.to_json(),
    }


def answer(
    db: Database, snapshot: Snapshot, desk: Desk, change: DealChange, now: dt.datetime
) -> dict[str, Any]:
    """Check the changed deal (once per event) and return the answer; a repeat of an event
    gets the first answer back."""
    with db.unit_of_work() as uow:
        earlier = crm_repository.webhook_answer(uow.connection, change.source, change.event_id)
    if earlier is not None:
        return {**earlier, "repeat": True}
    check = check_deal(
        db, snapshot, desk, change.opportunity_id, checked_by=f"{change.source} webhook", now=now
    )
    result = answer_of(check)
    try:
        with db.unit_of_work(write=True) as uow:
            crm_repository.record_webhook(
                uow.connection, change.source, change.event_id, change.opportunity_id, now, result
            )
            uow.commit()
    except IntegrityError:  # the same event delivered twice at once: the first one answers
        with db.unit_of_work() as uow:
            earlier = crm_repository.webhook_answer(uow.connection, change.source, change.event_id)
        if earlier is not None:
            return {**earlier, "repeat": True}
        raise
    return {**result, "repeat": False}


def answer_all(
    db: Database, snapshot: Snapshot, desk: Desk, changes: list[DealChange], now: dt.datetime
) -> list[dict[str, Any]]:
    """Answer each event; several events about one deal in one delivery share one check."""
    answers: list[dict[str, Any]] = []
    done: dict[str, dict[str, Any]] = {}
    for change in changes:
        first = done.get(change.opportunity_id)
        if first is None:
            done[change.opportunity_id] = first = answer(db, snapshot, desk, change, now)
        else:
            with db.unit_of_work(write=True) as uow:
                known = crm_repository.webhook_answer(
                    uow.connection, change.source, change.event_id
                )
                if known is None:
                    crm_repository.record_webhook(
                        uow.connection, change.source, change.event_id, change.opportunity_id,
                        now, {k: v for k, v in first.items() if k != "repeat"},
                    )  # fmt: skip
                    uow.commit()
        answers.append({**first, "event_id": change.event_id})
    return answers


def write_back(
    source: str, client: Any, answers: list[dict[str, Any]], mapping: CrmMapping | None = None
) -> int:
    """Push each newly answered deal's promise date and price of yes to the CRM; failures
    are logged, not raised (the CRM already has its acknowledgement). Returns how many."""
    from accord.errors import AccordError
    from accord.services import crm_sync

    written = 0
    seen: set[str] = set()
    for a in answers:
        deal = a["opportunity_id"]
        if a.get("repeat") or not a.get("promise_date") or deal in seen:
            continue
        seen.add(deal)
        try:
            crm_sync.push(
                crm_sync.check_source(source), client, deal,
                dt.date.fromisoformat(a["promise_date"]), a["price_of_yes"], mapping,
            )  # fmt: skip
            written += 1
        except AccordError as err:
            log.warning("write-back of %s to %s failed: %s", deal, source, err.message)
    return written
