"""A CRM that is down: refused connections, no answer in time, a 5xx. Each is one
``CrmOutage`` naming the CRM, what was asked and why, with nothing stored; the clients talk
to real local sockets (a closed port, a port that never answers) or a local HTTP server."""

from __future__ import annotations

import datetime as dt
import socket
import time
from collections.abc import Iterator

import pytest
import responses

from accord.io.crm.failures import CrmOutage, CrmUnavailable
from accord.io.crm.live import hubspot_client, salesforce_client
from accord.io.files import read_dataset
from accord.services import crm_sync
from accord.services.datasets import store_dataset
from accord.storage import crm_repository
from accord.storage.database import Database
from tests.api.conftest import TINY
from tests.api.test_crm_webhook import closed_port
from tests.integration.test_crm_salesforce_sync import API, INSTANCE

NOW = dt.datetime(2026, 11, 23, 5, 0, tzinfo=dt.UTC)


@pytest.fixture
def db(tmp_path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'accord.db'}")
    database.migrate()
    store_dataset(database, read_dataset(TINY), "tiny")
    yield database
    database.dispose()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield int(listener.getsockname()[1])


def nothing_synced(db: Database, source: str) -> bool:
    with db.unit_of_work() as uow:
        return crm_repository.last_sync(uow.connection, source) is None


def test_hubspot_refusing_connections_is_one_clear_outage(db):
    port = closed_port()
    client = hubspot_client("pat-eu1-test", host=f"http://127.0.0.1:{port}")
    with pytest.raises(CrmOutage) as caught:
        crm_sync.pull(db, "hubspot", client, now=NOW)
    assert caught.value.message == (
        f"HubSpot is unavailable: could not connect to 127.0.0.1:{port} (connection refused),"
        " for the deals search"
    )
    assert caught.value.exit_code == 1
    assert nothing_synced(db, "hubspot")


def test_hubspot_not_answering_in_time_is_an_outage_after_the_timeout(db, silent_port):
    client = hubspot_client("pat-eu1-test", host=f"http://127.0.0.1:{silent_port}", timeout=0.3)
    started = time.monotonic()
    with pytest.raises(CrmOutage) as caught:
        crm_sync.pull(db, "hubspot", client, now=NOW)
    assert time.monotonic() - started < 5  # one attempt, not four
    assert caught.value.message == (
        f"HubSpot is unavailable: no answer from 127.0.0.1:{silent_port} within 0.3 s"
        " (ACCORD_CRM_TIMEOUT_SECONDS), for the deals search"
    )


def test_a_hubspot_5xx_is_an_outage_not_a_refusal(db, httpserver):
    httpserver.expect_request("/crm/v3/objects/deals/search", method="POST").respond_with_data(
        "<html><body>502 Bad Gateway</body></html>", status=502, content_type="text/html"
    )
    client = hubspot_client("pat-eu1-test", host=httpserver.url_for("").rstrip("/"))
    with pytest.raises(CrmOutage) as caught:
        crm_sync.pull(db, "hubspot", client, now=NOW)
    assert caught.value.message == (
        "HubSpot is unavailable: HTTP 502 for the deals search: BAD GATEWAY; try again later"
    )


def test_salesforce_refusing_connections_is_one_clear_outage(db):
    port = closed_port()
    client = salesforce_client(f"https://127.0.0.1:{port}", "00Dsession")
    with pytest.raises(CrmOutage) as caught:
        crm_sync.pull(db, "salesforce", client, now=NOW)
    assert caught.value.message == (
        f"Salesforce is unavailable: could not connect to 127.0.0.1:{port} (connection refused),"
        " for a query"
    )
    assert nothing_synced(db, "salesforce")


def test_salesforce_not_answering_in_time_is_an_outage(db, silent_port):
    client = salesforce_client(f"https://127.0.0.1:{silent_port}", "00Dsession", timeout=0.3)
    with pytest.raises(CrmOutage) as caught:
        crm_sync.pull(db, "salesforce", client, now=NOW)
    assert caught.value.message == (
        f"Salesforce is unavailable: no answer from 127.0.0.1:{silent_port} within 0.3 s"
        " (ACCORD_CRM_TIMEOUT_SECONDS), for a query"
    )


@responses.activate
def test_a_salesforce_5xx_is_an_outage_with_a_short_reason():
    page = "<html>" + "Service Unavailable " * 50 + "</html>"
    responses.add(responses.PATCH, f"{API}/sobjects/Opportunity/0061", status=503, body=page)
    with pytest.raises(CrmOutage) as caught:
        crm_sync.push("salesforce", salesforce_client(INSTANCE, "t"), "0061", NOW.date(), "ok")
    message = caught.value.message
    assert message.startswith(
        "Salesforce is unavailable: HTTP 503 for the update of 0061: <html>Service Unavailable"
    )
    assert message.endswith("; try again later") and len(message) < 300


@responses.activate
def test_a_salesforce_refusal_stays_a_refusal_on_one_line():
    expired = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    responses.add(responses.PATCH, f"{API}/sobjects/Opportunity/0061", json=expired, status=401)
    with pytest.raises(CrmUnavailable) as caught:
        crm_sync.push("salesforce", salesforce_client(INSTANCE, "t"), "0061", NOW.date(), "ok")
    assert not isinstance(caught.value, CrmOutage)
    assert caught.value.message.startswith("Salesforce refused the update of 0061: ")
    assert "INVALID_SESSION_ID" in caught.value.message and "\n" not in caught.value.message


@responses.activate
def test_salesforce_requests_carry_the_timeout():
    responses.add(responses.PATCH, f"{API}/sobjects/Opportunity/0061", status=204)
    crm_sync.push("salesforce", salesforce_client(INSTANCE, "t", 7.5), "0061", NOW.date(), "ok")
    assert responses.calls[0].request.req_kwargs["timeout"] == 7.5


def test_a_page_instead_of_hubspot_json_is_an_outage(db, httpserver):
    httpserver.expect_request("/crm/v3/objects/deals/search", method="POST").respond_with_data(
        "<html>Down for maintenance</html>", content_type="text/html"
    )
    client = hubspot_client("pat-eu1-test", host=httpserver.url_for("").rstrip("/"))
    with pytest.raises(CrmOutage) as caught:
        crm_sync.pull(db, "hubspot", client, now=NOW)
    assert caught.value.message == (
        "HubSpot is unavailable: the answer to the deals search is not HubSpot's JSON"
    )
