"""The CRM webhook: a deal changed in the CRM; run the deal check and answer with the promise.

- HubSpot sends a JSON array of events (``deal.creation``, ``deal.propertyChange``...), each
  with an ``eventId`` and the deal's ``objectId``, signed with the app's client secret
  (signature v3: base64 HMAC-SHA256 of method + URL + body + timestamp, the timestamp no
  older than five minutes).
- Salesforce sends an outbound message: SOAP XML with one ``Notification`` (its ``Id``) per
  changed Opportunity (``sObject/Id``). Outbound messages carry no signature: they carry a
  shared token, in the ``X-Accord-Webhook-Token`` header or as the HTTP Basic password
  (never in the query string, which access logs keep), and the organisation id is checked
  when one is configured.

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
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

from sqlalchemy.exc import IntegrityError

from accord import redaction
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
TIMESTAMP_DIGITS = 13  # milliseconds since 1970 until the year 2286
TOKEN_HEADER = "X-Accord-Webhook-Token"
ID_MAX = 255  # characters of an event or deal id: CRM ids are 18 (Salesforce) or ~12
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


class SecretInUrl(BadInput):
    """A secret sent in the query string: refused, whether right or wrong."""

    status = 400
    code = "secret_in_url"


# -- authentication -------------------------------------------------------------------------


def signed_url(public_url: str | None, request_url: str, path: str, query: str) -> str:
    """The URL HubSpot signed: ``public_url`` (ACCORD_PUBLIC_URL) with the request's path and
    query when it is set, else the URL the request arrived at."""
    if not public_url:
        return request_url
    return f"{public_url}{path}?{query}" if query else f"{public_url}{path}"


def _sent_at(timestamp: str) -> dt.datetime:
    # Only plain digits of a plausible length: int() would take "1_000" or " 1", and a
    # 10^30 would overflow the datetime.
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > TIMESTAMP_DIGITS:
        raise NotAuthenticated("X-HubSpot-Request-Timestamp is not a time in ms")
    return dt.datetime.fromtimestamp(int(timestamp) / 1000, dt.UTC)


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
    if abs(now - _sent_at(timestamp)) > MAX_AGE:
        raise NotAuthenticated("the signed request is older than five minutes")
    message = method.encode() + url.encode() + body + timestamp.encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    # Bytes, not str: compare_digest refuses a str with non-ASCII characters.
    if not hmac.compare_digest(base64.b64encode(digest), _bytes(signature)):
        raise NotAuthenticated("the HubSpot signature does not match")


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "replace")


def refuse_secrets_in_url(parameters: Iterable[str]) -> None:
    """Raise ``SecretInUrl`` when the query string names a secret (``?token=``...)."""
    named = redaction.secret_parameters(parameters)
    if named:
        raise SecretInUrl(
            f"the query parameter {named[0]!r} would put a secret in access logs: send the "
            f"webhook token in the {TOKEN_HEADER} header or as the HTTP Basic password "
            "(docs/crm.md), and change ACCORD_CRM_WEBHOOK_TOKEN: treat this one as exposed"
        )


def basic_password(authorization: str | None) -> str | None:
    """The password of an ``Authorization: Basic`` header (the user name is not checked);
    None without the header."""
    if not authorization:
        return None
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        raise NotAuthenticated(
            f"the webhook token goes in the {TOKEN_HEADER} header or HTTP Basic, not {scheme!r}"
        )
    try:
        user_password = base64.b64decode(encoded.strip(), validate=True).decode()
    except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors
        raise NotAuthenticated("the Authorization header is not valid HTTP Basic") from None
    _, colon, password = user_password.partition(":")
    if not colon:
        raise NotAuthenticated("the Authorization header is not valid HTTP Basic")
    return password


def verify_token(expected: str, given: str | None) -> None:
    if not given or not hmac.compare_digest(_bytes(expected), _bytes(given)):
        raise NotAuthenticated(
            f"missing or wrong webhook token (the {TOKEN_HEADER} header or HTTP Basic)"
        )


# -- payloads -------------------------------------------------------------------------------


def _id(value: object, what: str) -> str:
    """An event or deal id as text, refused when it could be no CRM's id (a NUL, which
    PostgreSQL cannot store, or thousands of characters, which its index cannot)."""
    text = str(value)
    if not text or len(text) > ID_MAX or not text.isprintable():
        raise BadInput(f"{what} must be 1 to {ID_MAX} printable characters: {text[:40]!r}")
    return text


def hubspot_changes(body: bytes) -> list[DealChange]:
    """The deal events of a HubSpot webhook delivery (other objects' events are skipped)."""
    try:
        events = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
        raise BadInput("the HubSpot webhook body is not JSON") from None
    if not isinstance(events, list):
        raise BadInput("a HubSpot webhook body is a JSON array of events")
    changes: list[DealChange] = []
    for event in events:
        if not isinstance(event, dict) or "eventId" not in event or "objectId" not in event:
            raise BadInput("each HubSpot event needs an eventId and an objectId")
        if str(event.get("subscriptionType", "deal.")).startswith("deal."):
            event_id = _id(event["eventId"], "a HubSpot eventId")
            changes.append(DealChange("hubspot", event_id, _id(event["objectId"], "an objectId")))
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
        changes.append(
            DealChange(
                "salesforce", _id(event, "a Notification Id"), _id(deal, "an Opportunity Id")
            )
        )
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
    are logged, one line each, not raised (the CRM already has its acknowledgement). An
    outage stops the pushes at the first failure, in one line. Returns how many were
    written."""
    from accord.errors import AccordError
    from accord.io.crm.failures import CrmOutage
    from accord.services import crm_sync

    todo: dict[str, dict[str, Any]] = {}
    for a in answers:
        if not a.get("repeat") and a.get("promise_date"):
            todo.setdefault(a["opportunity_id"], a)
    written = 0
    for n, (deal, a) in enumerate(todo.items()):
        try:
            crm_sync.push(
                crm_sync.check_source(source), client, deal,
                dt.date.fromisoformat(a["promise_date"]), a["price_of_yes"], mapping,
            )  # fmt: skip
            written += 1
        except CrmOutage as err:
            left = len(todo) - n
            log.warning(
                "write-back to %s stopped, %d promise%s not written: %s",
                source, left, "" if left == 1 else "s", err.message,
            )  # fmt: skip
            break
        except AccordError as err:
            log.warning("write-back of %s to %s failed: %s", deal, source, err.message)
    return written
