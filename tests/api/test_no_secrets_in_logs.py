"""No secret in any log line: the webhook token, the HubSpot client secret and access token,
the Salesforce session id, API tokens, session cookies and passwords.

The requests go through the app (every Accord, library and driver logger captured at DEBUG,
SQL included), through a real uvicorn configured as `accord serve` configures it (its access
and error lines, printed by its own formatters), and through the `accord crm` commands. A
secret sent in a query string by a misconfigured caller is refused and redacted.
"""

from __future__ import annotations

import json
import logging
import socket

import pytest
import responses
from typer.testing import CliRunner

from accord.api.security import SESSION_COOKIE
from accord.cli import app as cli
from accord.services import auth
from tests.api.conftest import TINY, sign_in
from tests.api.served import exchange, serving
from tests.api.test_crm_webhook import (
    SECRET,
    SOAP,
    basic,
    closed_port,
    event,
    outbound,
    signed,
)

WEBHOOK_TOKEN = "wh-9f3c2b7e5d1a"
HUBSPOT_TOKEN = "pat-eu1-7c4e9a2f"
SALESFORCE_SESSION = "00DHp0000033NjR!AQ4AQFakeSession"
PASSWORD = "tr0ub4dor&3-horse"
WRONG_PASSWORD = "wr0ng-battery-staple"


@pytest.fixture(autouse=True)
def crm_secrets(monkeypatch):
    monkeypatch.setenv("ACCORD_HUBSPOT_CLIENT_SECRET", SECRET)
    monkeypatch.setenv("ACCORD_CRM_WEBHOOK_TOKEN", WEBHOOK_TOKEN)
    monkeypatch.setenv("ACCORD_CRM_WRITE_BACK", "1")
    monkeypatch.setenv("ACCORD_HUBSPOT_ACCESS_TOKEN", HUBSPOT_TOKEN)
    monkeypatch.setenv("ACCORD_HUBSPOT_HOST", f"http://127.0.0.1:{closed_port()}")


def server_side(records: list[logging.LogRecord]) -> str:
    """Every captured line but the test client's own ("HTTP Request: POST http://...?token=")."""
    client_loggers = ("httpx", "httpx2", "httpcore")
    lines = [r.getMessage() for r in records if not r.name.startswith(client_loggers)]
    lines += [logging.Formatter().formatException(r.exc_info) for r in records if r.exc_info]
    return "\n".join(lines)


def assert_no_secret(text: str, *secrets: str) -> None:
    leaked = [s for s in secrets if s in text]
    assert leaked == [], f"in the log: {leaked}"


def test_no_secret_reaches_the_app_logs(client, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")  # every statement, with values
    db = client.app.state.db
    auth.create_user(db, "sam", "sales", PASSWORD)
    api_token = auth.issue_token(db, "sam", "laptop")
    # A browser: a wrong password, then the right one; a page read with the session cookie.
    sign_in(client, "sam", WRONG_PASSWORD)
    assert sign_in(client, "sam", PASSWORD).status_code in (302, 303)
    session = client.cookies.get(SESSION_COOKIE)
    assert session
    assert client.get("/deal-desk", headers={"accept": "text/html"}).status_code == 200
    client.cookies.clear()
    # An API client with its token; a token sent in the URL by mistake.
    bearer = {"Authorization": f"Bearer {api_token}"}
    assert client.get("/api/v1/reservations", headers=bearer).status_code == 200
    client.get("/api/v1/reservations", params={"access_token": api_token})
    # The webhooks: the token in its header, as HTTP Basic, and (refused) in the URL;
    # HubSpot signed, with a write-back to a HubSpot that is down.
    sf = "/api/v1/crm/webhook/salesforce"
    body = outbound("OPP-7", "04lLogs1")
    token = {**SOAP, "X-Accord-Webhook-Token": WEBHOOK_TOKEN}
    assert client.post(sf, content=body, headers=token).status_code == 200
    basic_auth = {**SOAP, **basic("salesforce", WEBHOOK_TOKEN)}
    assert (
        client.post(sf, content=outbound("OPP-8", "04lLogs2"), headers=basic_auth).status_code
        == 200
    )
    assert client.post(sf, params={"token": WEBHOOK_TOKEN}, content=body).status_code == 400
    hubspot = json.dumps([event(61, "OPP-7")]).encode()
    reply = client.post("/api/v1/crm/webhook/hubspot", content=hubspot, headers=signed(hubspot))
    assert reply.status_code == 200
    assert "write-back to hubspot stopped" in caplog.text  # the write-back did run
    assert "SELECT" in caplog.text  # SQL and its parameters were logged too
    assert_no_secret(
        server_side(caplog.records),
        PASSWORD, WRONG_PASSWORD, api_token, session, WEBHOOK_TOKEN, SECRET, HUBSPOT_TOKEN,
    )  # fmt: skip


def raw(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def test_the_access_log_redacts_a_secret_sent_in_the_query_string(client, settings):
    db = client.app.state.db
    auth.create_user(db, "sam", "sales", PASSWORD)
    api_token = auth.issue_token(db, "sam", "laptop")
    sf = "/api/v1/crm/webhook/salesforce"
    requests = [
        raw("POST", f"{sf}?token={WEBHOOK_TOKEN}", SOAP, outbound("OPP-7", "04lAccess1")),
        raw("POST", sf, {**SOAP, "X-Accord-Webhook-Token": WEBHOOK_TOKEN}, b"<x/>"),
        raw("GET", f"/api/v1/reservations?status=active&access_token={api_token}", {}),
        raw("GET", "/api/v1/reservations", {"Authorization": f"Bearer {api_token}"}),
        raw("GET", f"/sign-in?password={PASSWORD}&next=/", {}),
    ]
    with (
        serving(client.app, settings) as served,
        socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock,
    ):
        statuses = [exchange(sock, r)[0] for r in requests]
    assert statuses[0] == 400  # the token in the URL is refused...
    lines = served.lines()
    access = [line for line in lines if '"POST /api/v1/crm' in line or '"GET /' in line]
    assert len(access) == len(requests), lines
    # ... and its value never printed: the line keeps the parameter's name.
    assert f'"POST {sf}?token=[redacted] HTTP/1.1" 400' in access[0]
    assert "status=active&access_token=[redacted]" in access[2]
    assert_no_secret("\n".join(lines), WEBHOOK_TOKEN, api_token, PASSWORD)


@responses.activate
def test_no_secret_in_what_the_crm_commands_print_or_log(tmp_path, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("ACCORD_DATABASE_URL", f"sqlite:///{tmp_path / 'accord.db'}")
    monkeypatch.setenv("ACCORD_SALESFORCE_INSTANCE_URL", "https://acme.my.salesforce.com")
    monkeypatch.setenv("ACCORD_SALESFORCE_SESSION_ID", SALESFORCE_SESSION)
    api = "https://acme.my.salesforce.com/services/data/v59.0"
    expired = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    responses.add(responses.PATCH, f"{api}/sobjects/Opportunity/0061", json=expired, status=401)
    responses.add(responses.PATCH, f"{api}/sobjects/Opportunity/0062", status=503, body="<html>")
    responses.add_passthru("http://127.0.0.1")  # HubSpot: a closed local port
    runner = CliRunner()
    outputs = []
    for args in (
        ["import", str(TINY)],
        ["crm", "pull", "--source", "hubspot"],
        ["crm", "push", "9101", "--source", "hubspot", "--date", "2027-01-08"],
        ["crm", "push", "0061", "--source", "salesforce", "--date", "2027-01-08"],
        ["crm", "push", "0062", "--source", "salesforce", "--date", "2027-01-08", "--json"],
    ):
        result = runner.invoke(cli, args, catch_exceptions=False)
        outputs.append(result.output)
    assert "HubSpot is unavailable" in outputs[1] and "Salesforce refused" in outputs[3]
    text = "\n".join(outputs) + server_side(caplog.records)
    assert_no_secret(text, SALESFORCE_SESSION, HUBSPOT_TOKEN, WEBHOOK_TOKEN, SECRET)
