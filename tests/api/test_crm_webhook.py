"""The CRM webhooks on the tiny company: HubSpot's signed JSON events and Salesforce's SOAP
outbound messages run the deal check once per event and answer with the promise."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import socket

import pytest
from werkzeug import Response

from accord.errors import NotAuthenticated
from accord.services.crm_webhook import verify_hubspot

SECRET = "hubspot-app-client-secret"
HUBSPOT_URL = "http://testserver/api/v1/crm/webhook/hubspot"


@pytest.fixture(autouse=True)
def secrets(monkeypatch):
    monkeypatch.setenv("ACCORD_HUBSPOT_CLIENT_SECRET", SECRET)
    monkeypatch.setenv("ACCORD_CRM_WEBHOOK_TOKEN", "s3cret-token")
    monkeypatch.setenv("ACCORD_SALESFORCE_ORG_ID", "00DHp0000033NjRMAU")


def event(event_id: int, deal: str, prop: str = "dealstage") -> dict[str, object]:
    return {
        "eventId": event_id,
        "subscriptionId": 2641377,
        "portalId": 62515,
        "appId": 1160452,
        "occurredAt": 1763876400000,
        "subscriptionType": "deal.propertyChange",
        "attemptNumber": 0,
        "objectId": deal,
        "propertyName": prop,
        "propertyValue": "contractsent",
        "changeSource": "CRM_UI",
    }


def signed(body: bytes, when: dt.datetime | None = None, secret: str = SECRET) -> dict[str, str]:
    """HubSpot's v3 signature, computed as its documentation says."""
    stamp = str(int((when or dt.datetime.now(dt.UTC)).timestamp() * 1000))
    source = b"POST" + HUBSPOT_URL.encode() + body + stamp.encode()
    digest = hmac.new(secret.encode(), source, hashlib.sha256).digest()
    return {
        "X-HubSpot-Signature-v3": base64.b64encode(digest).decode(),
        "X-HubSpot-Request-Timestamp": stamp,
        "Content-Type": "application/json",
    }


def post_hubspot(client, events, **kw):
    body = json.dumps(events).encode()
    return client.post("/api/v1/crm/webhook/hubspot", content=body, headers=signed(body, **kw))


def test_hubspot_events_are_checked_once_per_deal_and_answered(client):
    reply = post_hubspot(
        client, [event(1, "OPP-8"), event(2, "OPP-8", "amount"), event(3, "OPP-7")]
    )
    assert reply.status_code == 200, reply.text
    answers = reply.json()["answers"]
    assert [(a["event_id"], a["opportunity_id"]) for a in answers] == [
        ("1", "OPP-8"),
        ("2", "OPP-8"),
        ("3", "OPP-7"),
    ]
    opp8, again, opp7 = answers
    # OPP-8's green pump breaks the tiny company's colour rule (tests/data/tiny/rules.csv).
    assert opp8["verdict"] == "out_of_scope"
    assert opp8["price_of_yes"].startswith("out of scope (line 1)")
    assert again["check_id"] == opp8["check_id"]  # two events, one check
    assert opp7["check_id"] != opp8["check_id"]
    line = opp7["check"]["lines"][0]
    assert opp7["promise_date"] == line["earliest_date"]
    assert opp7["verdict"] == line["verdict"]
    assert not any(a["repeat"] for a in answers)


def test_a_repeated_delivery_gets_the_first_answer_without_a_new_check(client):
    first = post_hubspot(client, [event(10, "OPP-8")]).json()["answers"][0]
    repeat = post_hubspot(client, [event(10, "OPP-8")]).json()["answers"][0]
    assert repeat["repeat"] is True
    assert {**repeat, "repeat": False} == first
    fresh = post_hubspot(client, [event(11, "OPP-8")]).json()["answers"][0]
    assert fresh["check_id"] == first["check_id"] + 1  # a new event is a new check


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "missing X-HubSpot-Signature-v3"),
        ({"secret": "another-secret"}, "signature does not match"),
        ({"when": dt.datetime.now(dt.UTC) - dt.timedelta(minutes=6)}, "older than five minutes"),
    ],
)
def test_hubspot_requests_without_a_valid_fresh_signature_are_refused(client, headers, message):
    body = json.dumps([event(1, "OPP-8")]).encode()
    sent = signed(body, **headers) if headers else {"Content-Type": "application/json"}
    reply = client.post("/api/v1/crm/webhook/hubspot", content=body, headers=sent)
    assert reply.status_code == 401
    assert message in reply.json()["error"]["message"]


def test_an_unconfigured_webhook_refuses_everything(client, monkeypatch):
    monkeypatch.delenv("ACCORD_HUBSPOT_CLIENT_SECRET")
    reply = post_hubspot(client, [event(1, "OPP-8")])
    assert reply.status_code == 401
    assert "set ACCORD_HUBSPOT_CLIENT_SECRET" in reply.json()["error"]["message"]


def test_an_unknown_deal_is_404(client):
    reply = post_hubspot(client, [event(1, "OPP-404")])
    assert reply.status_code == 404


def outbound(deal: str, notification: str, org: str = "00DHp0000033NjRMAU") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>{org}</OrganizationId>
   <ActionId>04kHp000000PpqwIAC</ActionId>
   <SessionId xsi:nil="true"/>
   <EnterpriseUrl>https://acme.my.salesforce.com/services/Soap/c/59.0/00DHp0000033NjR</EnterpriseUrl>
   <PartnerUrl>https://acme.my.salesforce.com/services/Soap/u/59.0/00DHp0000033NjR</PartnerUrl>
   <Notification>
    <Id>{notification}</Id>
    <sObject xsi:type="sf:Opportunity" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>{deal}</sf:Id>
     <sf:StageName>Negotiation/Review</sf:StageName>
    </sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>""".encode()


SOAP = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}


def post_salesforce(client, body: bytes, token: str = "s3cret-token"):
    return client.post(
        "/api/v1/crm/webhook/salesforce",
        content=body,
        headers={**SOAP, "X-Accord-Webhook-Token": token},
    )


def test_salesforce_outbound_message_is_checked_and_acknowledged(client):
    reply = post_salesforce(client, outbound("OPP-7", "04lHp00000A1b2CIAR"))
    assert reply.status_code == 200, reply.text
    assert "<Ack>true</Ack>" in reply.text
    assert reply.headers["content-type"].startswith("text/xml")
    # The same promise the HubSpot path gives for OPP-7, in a header.
    hubspot = post_hubspot(client, [event(1, "OPP-7")]).json()["answers"][0]
    assert reply.headers["X-Accord-Promises"] == f"OPP-7={hubspot['promise_date']}"


@pytest.mark.parametrize(
    ("body", "token", "status"),
    [
        (outbound("OPP-7", "04l1"), "wrong", 401),
        (outbound("OPP-7", "04l1", org="00DXX0000000001"), "s3cret-token", 401),
        (b"<not-xml", "s3cret-token", 422),
        (
            b"<soapenv:Envelope xmlns:soapenv='http://schemas.xmlsoap.org/soap/envelope/'/>",
            "s3cret-token",
            422,
        ),
    ],
)
def test_salesforce_messages_with_a_bad_token_org_or_body_are_refused(client, body, token, status):
    assert post_salesforce(client, body, token).status_code == status


def test_write_back_pushes_the_new_answer_to_the_deal_after_responding(
    client, monkeypatch, httpserver
):
    monkeypatch.setenv("ACCORD_CRM_WRITE_BACK", "1")
    monkeypatch.setenv("ACCORD_HUBSPOT_ACCESS_TOKEN", "pat-eu1-hook")
    monkeypatch.setenv("ACCORD_HUBSPOT_HOST", httpserver.url_for("").rstrip("/"))
    pushed: list[dict] = []

    def update(request):
        pushed.append(request.get_json())
        stamp = "2026-11-20T10:00:00Z"
        body = {
            "id": "OPP-7",
            "properties": {},
            "createdAt": stamp,
            "updatedAt": stamp,
            "archived": False,
        }
        return Response(json.dumps(body), content_type="application/json")

    httpserver.expect_request("/crm/v3/objects/deals/OPP-7", method="PATCH").respond_with_handler(
        update
    )
    answer = post_hubspot(client, [event(1, "OPP-7")]).json()["answers"][0]
    assert pushed == [
        {
            "properties": {
                "accord_promise_date": answer["promise_date"],
                "accord_price_of_yes": answer["price_of_yes"],
            }
        }
    ]
    post_hubspot(client, [event(1, "OPP-7")])  # a repeat is not written again
    assert len(pushed) == 1


def test_a_failed_write_back_is_logged_and_the_webhook_still_answers(
    client, monkeypatch, httpserver, caplog
):
    monkeypatch.setenv("ACCORD_CRM_WRITE_BACK", "1")
    monkeypatch.setenv("ACCORD_HUBSPOT_ACCESS_TOKEN", "pat-eu1-hook")
    monkeypatch.setenv("ACCORD_HUBSPOT_HOST", httpserver.url_for("").rstrip("/"))
    httpserver.expect_request("/crm/v3/objects/deals/OPP-7", method="PATCH").respond_with_json(
        {
            "status": "error",
            "message": "Property values were not valid",
            "category": "VALIDATION_ERROR",
        },
        status=400,
    )
    assert post_hubspot(client, [event(1, "OPP-7")]).status_code == 200
    assert "write-back of OPP-7 to hubspot failed" in caplog.text


# -- where the Salesforce token travels ------------------------------------------------------


def basic(user: str, password: str) -> dict[str, str]:
    pair = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


def test_the_salesforce_token_is_accepted_as_the_http_basic_password(anonymous):
    body = outbound("OPP-7", "04lBasic1")
    reply = anonymous.post(
        "/api/v1/crm/webhook/salesforce",
        content=body,
        headers={**SOAP, **basic("salesforce", "s3cret-token")},
    )
    assert reply.status_code == 200, reply.text
    assert "<Ack>true</Ack>" in reply.text


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Accord-Webhook-Token": "wrong"},
        basic("salesforce", "wrong"),
        {"Authorization": "Basic not-base64!"},
        {"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()},
        {"Authorization": "Basic " + base64.b64encode(b"\xff\xfe:x").decode()},
        {"Authorization": "Bearer s3cret-token"},
    ],
)
def test_a_missing_wrong_or_malformed_salesforce_token_is_401(anonymous, headers):
    reply = anonymous.post(
        "/api/v1/crm/webhook/salesforce",
        content=outbound("OPP-7", "04lWrong"),
        headers={**SOAP, **headers},
    )
    assert reply.status_code == 401
    assert set(reply.json()["error"]) == {"code", "message", "details"}


@pytest.mark.parametrize("token", ["s3cret-token", "wrong"])
@pytest.mark.parametrize("name", ["token", "TOKEN", "access_token", "secret"])
def test_a_token_in_the_query_string_is_refused_with_where_to_put_it(anonymous, name, token):
    reply = anonymous.post(
        "/api/v1/crm/webhook/salesforce",
        params={name: token},
        content=outbound("OPP-7", "04lQuery"),
        headers={**SOAP, "X-Accord-Webhook-Token": "s3cret-token"},
    )
    assert reply.status_code == 400
    error = reply.json()["error"]
    assert error["code"] == "secret_in_url"
    assert "X-Accord-Webhook-Token header" in error["message"]
    assert "HTTP Basic" in error["message"]
    assert token not in error["message"]


def test_the_webhook_token_is_documented_as_a_header_in_the_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/crm/webhook/salesforce"]["post"]
    where = {(p["in"], p["name"]) for p in operation.get("parameters", [])}
    assert ("header", "X-Accord-Webhook-Token") in where
    assert ("query", "token") not in where


# -- bad input is 4xx in the one error shape ---------------------------------------------


def post_stamped(client, stamp: str, signature: str = "c2lnbmF0dXJl") -> object:
    return client.post(
        "/api/v1/crm/webhook/hubspot",
        content=b"[]",
        headers={"X-HubSpot-Request-Timestamp": stamp, "X-HubSpot-Signature-v3": signature},
    )


@pytest.mark.parametrize(
    "stamp",
    ["1" + "0" * 30, "9" * 14, "-1700000000000", "abc", "1e12", "1_700_000_000_000", "17.5"],
)
def test_an_oversized_or_non_numeric_hubspot_timestamp_is_401(client, stamp):
    reply = post_stamped(client, stamp)
    assert reply.status_code == 401, reply.text
    assert reply.json()["error"]["message"] == "X-HubSpot-Request-Timestamp is not a time in ms"


def test_digits_of_other_scripts_are_no_timestamp():
    # int() reads "١٧٠٠" as 1700; an HTTP header can carry it only from a direct call.
    with pytest.raises(NotAuthenticated, match="not a time in ms"):
        verify_hubspot(SECRET, "POST", HUBSPOT_URL, b"[]", "١٧٠٠", "x", dt.datetime.now(dt.UTC))


def test_a_non_ascii_hubspot_signature_is_401_not_500(client):
    stamp = str(int(dt.datetime.now(dt.UTC).timestamp() * 1000))
    reply = client.post(
        "/api/v1/crm/webhook/hubspot",
        content=b"[]",
        headers=[
            ("X-HubSpot-Request-Timestamp", stamp.encode()),
            ("X-HubSpot-Signature-v3", "signé".encode("latin-1")),
        ],
    )
    assert reply.status_code == 401
    assert "signature does not match" in reply.json()["error"]["message"]


@pytest.mark.parametrize(
    ("events", "message"),
    [
        ([{"eventId": "a\x00b", "objectId": "OPP-7"}], "a HubSpot eventId must be"),
        ([{"eventId": "x" * 3000, "objectId": "OPP-7"}], "a HubSpot eventId must be"),
        ([{"eventId": 1, "objectId": ""}], "an objectId must be"),
    ],
)
def test_ids_no_crm_sends_are_422(client, events, message):
    reply = post_hubspot(client, events)
    assert reply.status_code == 422
    assert message in reply.json()["error"]["message"]


def test_json_nested_too_deep_for_the_parser_is_422(client):
    body = b"[" * 100_000 + b"]" * 100_000
    reply = client.post("/api/v1/crm/webhook/hubspot", content=body, headers=signed(body))
    assert reply.status_code == 422
    assert reply.json()["error"]["message"] == "the HubSpot webhook body is not JSON"


def test_a_body_over_the_limit_is_413_before_it_is_read(client):
    # The webhooks are open until the signature is checked: ACCORD_MAX_BODY_BYTES holds.
    body = b" " * (client.app.state.settings.max_body_bytes + 1)
    reply = client.post("/api/v1/crm/webhook/hubspot", content=body, headers=signed(body))
    assert reply.status_code == 413
    assert reply.json()["error"]["code"] == "too_large"


# -- the public URL -----------------------------------------------------------------------


PUBLIC = "https://accord.example.com"


def signed_for(url: str, body: bytes) -> dict[str, str]:
    stamp = str(int(dt.datetime.now(dt.UTC).timestamp() * 1000))
    digest = hmac.new(
        SECRET.encode(), b"POST" + url.encode() + body + stamp.encode(), hashlib.sha256
    ).digest()
    return {
        "X-HubSpot-Signature-v3": base64.b64encode(digest).decode(),
        "X-HubSpot-Request-Timestamp": stamp,
    }


def test_hubspot_signatures_are_checked_against_the_public_url(client, monkeypatch):
    body = json.dumps([event(31, "OPP-7")]).encode()
    https_url = f"{PUBLIC}/api/v1/crm/webhook/hubspot"
    # Behind an https proxy, Accord sees http://testserver/...: without the setting the
    # signature HubSpot made over the public URL does not match.
    refused = client.post(
        "/api/v1/crm/webhook/hubspot", content=body, headers=signed_for(https_url, body)
    )
    assert refused.status_code == 401
    monkeypatch.setenv("ACCORD_PUBLIC_URL", PUBLIC + "/")
    reply = client.post(
        "/api/v1/crm/webhook/hubspot", content=body, headers=signed_for(https_url, body)
    )
    assert reply.status_code == 200, reply.text
    # ... and then a signature over the URL Accord sees is not HubSpot's.
    again = client.post("/api/v1/crm/webhook/hubspot", content=body, headers=signed(body))
    assert again.status_code == 401


def test_the_public_url_keeps_the_query_string_hubspot_signed(client, monkeypatch):
    monkeypatch.setenv("ACCORD_PUBLIC_URL", PUBLIC)
    body = json.dumps([event(32, "OPP-7")]).encode()
    url = f"{PUBLIC}/api/v1/crm/webhook/hubspot?portal=62515"
    reply = client.post(
        "/api/v1/crm/webhook/hubspot?portal=62515", content=body, headers=signed_for(url, body)
    )
    assert reply.status_code == 200, reply.text


# -- a CRM outage during the write-back -------------------------------------------------------


def test_a_crm_outage_during_write_back_is_one_log_line_without_traceback(
    client, monkeypatch, caplog
):
    monkeypatch.setenv("ACCORD_CRM_WRITE_BACK", "1")
    monkeypatch.setenv("ACCORD_HUBSPOT_ACCESS_TOKEN", "pat-eu1-hook")
    monkeypatch.setenv("ACCORD_HUBSPOT_HOST", f"http://127.0.0.1:{closed_port()}")
    caplog.set_level(logging.INFO)
    reply = post_hubspot(client, [event(41, "OPP-7"), event(42, "OPP-8")])
    assert reply.status_code == 200
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 1, [r.getMessage() for r in lines]
    line = lines[0]
    assert line.exc_info is None and "Traceback" not in caplog.text
    message = line.getMessage()
    assert message.startswith("write-back to hubspot stopped, 2 promises not written: ")
    assert "HubSpot is unavailable: could not connect to 127.0.0.1:" in message
    assert "(connection refused), for the update of deal" in message


def closed_port() -> int:
    """A local port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
