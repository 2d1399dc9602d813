"""The CRM webhooks fuzzed where the OpenAPI fuzz cannot reach: their bodies are raw JSON or
SOAP and their credentials are headers. Whatever arrives, signed or not, the answer is 2xx
or 4xx in the one error shape, never 500."""

from __future__ import annotations

import datetime as dt
import json
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.test_crm_webhook import SOAP, outbound, secrets, signed_for  # noqa: F401

HUBSPOT = "/api/v1/crm/webhook/hubspot"
NOW = "now"  # a timestamp strategy's value for "the current time"
SALESFORCE = "/api/v1/crm/webhook/salesforce"
# What an HTTP header value may hold (no controls): printable Latin-1.
HEADER_TEXT = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
    max_size=40,
)
ID = st.one_of(
    st.text(max_size=300),
    st.integers(),
    st.floats(allow_nan=True),
    st.none(),
    st.lists(st.integers(), max_size=3),
    st.sampled_from(["OPP-7", "OPP-8", "OPP-9", "OPP-404"]),
)
EVENT = st.one_of(
    st.fixed_dictionaries(
        {"eventId": ID, "objectId": ID},
        optional={"subscriptionType": st.one_of(st.text(max_size=20), st.integers())},
    ),
    st.dictionaries(st.text(max_size=10), ID, max_size=3),
    ID,
)
HUBSPOT_BODY = st.one_of(
    st.binary(max_size=200),
    st.lists(EVENT, max_size=4).map(lambda events: json.dumps(events).encode()),
    EVENT.map(lambda e: json.dumps(e).encode()),
)
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def assert_answered(reply) -> None:
    assert reply.status_code < 500, reply.text
    if reply.status_code >= 400:
        assert set(reply.json()["error"]) == {"code", "message", "details"}


@FUZZ
@given(
    body=HUBSPOT_BODY,
    stamp=st.one_of(st.just(NOW), HEADER_TEXT, st.integers().map(str)),
    signature=HEADER_TEXT.filter(bool),
    sign=st.booleans(),
)
def test_no_hubspot_delivery_makes_a_500(anonymous, body, stamp, signature, sign):
    if sign:  # past the signature, into the payload and the deal checks
        headers = signed_for(f"http://testserver{HUBSPOT}", body)
    else:
        if stamp == NOW:  # fresh: the signature itself is compared
            stamp = str(int(dt.datetime.now(dt.UTC).timestamp() * 1000))
        headers = {"X-HubSpot-Request-Timestamp": stamp, "X-HubSpot-Signature-v3": signature}
    encoded = {k: v.encode("latin-1") for k, v in headers.items()}
    assert_answered(anonymous.post(HUBSPOT, content=body, headers=encoded))


NOTIFICATION_ID = st.text(string.ascii_letters + string.digits + "-&<>\"' ", max_size=300)


@FUZZ
@given(
    body=st.one_of(
        st.binary(max_size=200),
        st.builds(outbound, NOTIFICATION_ID, NOTIFICATION_ID),
        st.builds(lambda d, n: outbound(d.replace("<", "&lt;"), n), NOTIFICATION_ID, st.just("1")),
    ),
    token=st.one_of(st.just("s3cret-token"), HEADER_TEXT),
    authorization=st.one_of(st.none(), HEADER_TEXT),
)
def test_no_salesforce_delivery_makes_a_500(anonymous, body, token, authorization):
    headers = {**SOAP, "X-Accord-Webhook-Token": token.encode("latin-1")}
    if authorization is not None:
        headers["Authorization"] = authorization.encode("latin-1")
    assert_answered(anonymous.post(SALESFORCE, content=body, headers=headers))


def test_the_fuzz_reaches_past_the_signature(anonymous):
    # The signed branch above is real: a signed delivery of a known deal is answered.
    body = json.dumps([{"eventId": 1, "objectId": "OPP-7"}]).encode()
    reply = anonymous.post(
        HUBSPOT, content=body, headers=signed_for(f"http://testserver{HUBSPOT}", body)
    )
    assert reply.status_code == 200, reply.text
    assert dt.date.fromisoformat(reply.json()["answers"][0]["promise_date"])
