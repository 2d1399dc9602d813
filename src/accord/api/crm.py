"""CRM webhooks: a deal changed in Salesforce or HubSpot; Accord checks it and answers.

Authenticated by the CRM's own means, not by Accord tokens (docs/crm.md): HubSpot's v3
signature with ACCORD_HUBSPOT_CLIENT_SECRET, over ACCORD_PUBLIC_URL when set (behind a
proxy the URL Accord sees is not the one HubSpot signed); for Salesforce outbound messages
a shared token (ACCORD_CRM_WEBHOOK_TOKEN) in the X-Accord-Webhook-Token header or as the
HTTP Basic password, never in the query string, and, when set, the organisation id
(ACCORD_SALESFORCE_ORG_ID).

With ACCORD_CRM_WRITE_BACK=1 (and the CRM's live-sync credentials) each new answer's
promise date and price of yes are written back to the deal after the response is sent, so
the CRM's call never waits for Accord's call back to it.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Header, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from accord.api.deal_desk import CurrentDesk
from accord.api.deps import CurrentCompany, Db
from accord.config import Settings, load_settings
from accord.errors import NotAuthenticated
from accord.services import crm_webhook

router = APIRouter(tags=["crm"])
log = logging.getLogger(__name__)


def _crm_settings() -> Settings:
    # Read per call, not at start: credentials can be rotated without a restart.
    return load_settings()


def _write_back_later(tasks: BackgroundTasks, source: str, answers: list[dict[str, Any]]) -> None:
    settings = _crm_settings()
    if not settings.crm_write_back:
        return
    from accord.errors import AccordError
    from accord.io.crm import load_mapping
    from accord.io.crm.live import client_from_settings

    try:
        mapping = load_mapping(settings.crm_mapping)
        client = client_from_settings(source, settings)
    except AccordError as err:
        log.warning("write-back to %s is not possible: %s", source, err.message)
        return
    tasks.add_task(crm_webhook.write_back, source, client, answers, mapping)


def _configured(name: str) -> str:
    value = _crm_settings().secret(name)
    if not value:
        raise NotAuthenticated(
            f"this webhook is not configured: set ACCORD_{name.upper()} on the server"
        )
    return value


@router.post(
    "/crm/webhook/hubspot",
    summary="HubSpot deal webhook: check each changed deal, answer with its promise",
)
async def hubspot_webhook(
    request: Request, company: CurrentCompany, db: Db, desk: CurrentDesk, tasks: BackgroundTasks
) -> dict[str, Any]:
    body = await request.body()
    now = dt.datetime.now(dt.UTC)
    url = request.url
    crm_webhook.verify_hubspot(
        _configured("hubspot_client_secret"),
        request.method,
        crm_webhook.signed_url(_crm_settings().public_url, str(url), url.path, url.query),
        body,
        request.headers.get("X-HubSpot-Request-Timestamp"),
        request.headers.get("X-HubSpot-Signature-v3"),
        now,
    )
    changes = crm_webhook.hubspot_changes(body)
    answers = await run_in_threadpool(
        crm_webhook.answer_all, db, company.snapshot, desk, changes, now
    )
    _write_back_later(tasks, "hubspot", answers)
    return {"answers": answers}


@router.post(
    "/crm/webhook/salesforce",
    summary="Salesforce outbound message on Opportunity: check the deal, acknowledge",
    response_class=Response,
)
async def salesforce_webhook(
    request: Request,
    company: CurrentCompany,
    db: Db,
    desk: CurrentDesk,
    tasks: BackgroundTasks,
    token: Annotated[
        str | None,
        Header(
            alias=crm_webhook.TOKEN_HEADER,
            description="The shared webhook token (ACCORD_CRM_WEBHOOK_TOKEN); or send it as "
            "the HTTP Basic password. Never in the query string: refused there (400).",
        ),
    ] = None,
) -> Response:
    crm_webhook.refuse_secrets_in_url(request.query_params.keys())
    given = token or crm_webhook.basic_password(request.headers.get("authorization"))
    crm_webhook.verify_token(_configured("crm_webhook_token"), given)
    body = await request.body()
    org = (_crm_settings().salesforce_org_id or "").strip() or None
    changes = crm_webhook.salesforce_changes(body, org)
    now = dt.datetime.now(dt.UTC)
    answers = await run_in_threadpool(
        crm_webhook.answer_all, db, company.snapshot, desk, changes, now
    )
    _write_back_later(tasks, "salesforce", answers)
    # Salesforce reads only the Ack; the promises travel in a header for other callers.
    promises = ", ".join(f"{a['opportunity_id']}={a['promise_date']}" for a in answers)
    return Response(
        crm_webhook.SALESFORCE_ACK, media_type="text/xml", headers={"X-Accord-Promises": promises}
    )
