"""HubSpot live sync on a real database, the official client talking to a real local HTTP
server (pytest-httpserver) that answers with JSON shaped like HubSpot's API: never the
network."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from werkzeug import Request, Response

from accord.errors import DatasetInvalid
from accord.io.crm.live import CrmUnavailable, hubspot_client
from accord.io.files import read_dataset
from accord.services import crm_sync
from accord.services.datasets import load_stored, store_dataset
from accord.storage import crm_repository
from accord.storage.database import Database
from tests.api.conftest import TINY

FIRST = dt.datetime(2026, 11, 23, 5, 0, tzinfo=dt.UTC)
STAMP = "2026-11-20T10:00:00.000Z"


def deal(deal_id: str, **properties: str | None) -> dict[str, object]:
    return {
        "id": deal_id,
        "properties": {"hs_object_id": deal_id, **properties},
        "createdAt": STAMP,
        "updatedAt": STAMP,
        "archived": False,
    }


DEALS = [
    deal(
        "OPP-8",
        dealname="Nordwind pumps",
        dealstage="contractsent",
        closedate="2026-12-10T00:00:00Z",
        createdate="2026-10-01T08:00:00.000Z",
        hubspot_owner_id="77",
        amount="11500",
        pipeline="default",
    ),
    deal(
        "9201",
        dealname="Harbor Pumps valves",
        dealstage="qualifiedtobuy",
        closedate=None,
        createdate="2026-11-18T13:20:00.000Z",
        hubspot_owner_id="78",
        amount="4000",
        pipeline="default",
    ),
]


class FakePortal:
    """The endpoints a pull calls; records the search requests."""

    def __init__(self, deals: list[dict[str, object]], companies: dict[str, list[str]]) -> None:
        self.deals = deals
        self.companies = companies
        self.searches: list[dict[str, object]] = []

    def search(self, request: Request) -> Response:
        body = request.get_json()
        self.searches.append(body)
        # Pages of one deal, as HubSpot pages with "after".
        start = int(body.get("after") or 0)
        page: dict[str, object] = {
            "total": len(self.deals),
            "results": self.deals[start : start + 1],
        }
        if start + 1 < len(self.deals):
            page["paging"] = {"next": {"after": str(start + 1), "link": "?after="}}
        return Response(json.dumps(page), content_type="application/json")

    def associations(self, request: Request) -> Response:
        ids = [i["id"] for i in request.get_json()["inputs"]]
        results = [
            {
                "from": {"id": i},
                "to": [
                    {
                        "toObjectId": c,
                        "associationTypes": [
                            {"category": "HUBSPOT_DEFINED", "typeId": 5, "label": "Primary"}
                        ],
                    }
                    for c in self.companies.get(i, [])
                ],
            }
            for i in ids
            if self.companies.get(i)
        ]
        return Response(json.dumps(batch(results)), content_type="application/json")

    def read_companies(self, request: Request) -> Response:
        names = {
            "NORDWIND": {"name": "Nordwind Logistik", "industry": None, "country": "Germany"},
            "5101": {
                "name": "Harbor Pumps",
                "industry": "MACHINERY",
                "country": "United States",
                "state": "Ohio",
            },
        }
        ids = [i["id"] for i in request.get_json()["inputs"]]
        results = [
            {
                "id": i,
                "properties": names[i],
                "createdAt": STAMP,
                "updatedAt": STAMP,
                "archived": False,
            }
            for i in ids
        ]
        return Response(json.dumps(batch(results)), content_type="application/json")


def batch(results: list[object]) -> dict[str, object]:
    return {"status": "COMPLETE", "results": results, "startedAt": STAMP, "completedAt": STAMP}


OWNERS = {
    "results": [
        {
            "id": "77",
            "email": "ana@example.com",
            "firstName": "Ana",
            "lastName": "Ruiz",
            "userId": 1,
            "type": "PERSON",
            "createdAt": STAMP,
            "updatedAt": STAMP,
            "archived": False,
        },
        {
            "id": "78",
            "email": "ben@example.com",
            "firstName": "",
            "lastName": "",
            "userId": 2,
            "type": "PERSON",
            "createdAt": STAMP,
            "updatedAt": STAMP,
            "archived": False,
        },
    ]
}


@pytest.fixture
def db(db_url):
    database = Database(db_url)
    database.migrate()
    store_dataset(database, read_dataset(TINY), "tiny")
    yield database
    database.dispose()


def serve(httpserver, portal: FakePortal) -> None:
    httpserver.expect_request("/crm/v3/objects/deals/search", method="POST").respond_with_handler(
        portal.search
    )
    httpserver.expect_request(
        "/crm/v4/associations/deals/companies/batch/read", method="POST"
    ).respond_with_handler(portal.associations)
    httpserver.expect_request(
        "/crm/v3/objects/companies/batch/read", method="POST"
    ).respond_with_handler(portal.read_companies)
    httpserver.expect_request("/crm/v3/owners/", method="GET").respond_with_json(OWNERS)


def client(httpserver):
    return hubspot_client("pat-eu1-test", host=httpserver.url_for("").rstrip("/"))


def test_pull_pages_through_changed_deals_and_upserts_them(db, httpserver):
    portal = FakePortal(DEALS, {"OPP-8": ["NORDWIND"], "9201": ["5101"]})
    serve(httpserver, portal)
    _, version = load_stored(db)
    report = crm_sync.pull(db, "hubspot", client(httpserver), now=FIRST)

    assert [s.get("after") for s in portal.searches] == [None, "1"]  # two pages
    assert portal.searches[0]["filterGroups"] == []  # the first pull asks for every deal
    assert (report.new, report.updated, report.version) == (1, 1, version + 1)
    dataset, _ = load_stored(db)
    deals = {o["opportunity_id"]: o for o in dataset.rows("opportunities")}
    assert (deals["OPP-8"]["stage"], deals["OPP-8"]["probability"]) == ("Contract Sent", 0.9)
    assert deals["OPP-8"]["owner"] == "Ana Ruiz"
    assert deals["OPP-8"]["close_date"] == dt.date(2026, 12, 10)
    assert deals["9201"]["owner"] == "ben@example.com"  # an owner without a name
    assert (deals["9201"]["customer"], deals["9201"]["close_date"]) == ("5101", None)
    customers = {c["customer"]: c for c in dataset.rows("customers")}
    assert customers["5101"]["region"] == "United States/Ohio"
    assert customers["NORDWIND"]["segment"] == "Industrial"  # kept: HubSpot's is empty
    # HubSpot's pull gives no lines: the stored ones stay.
    assert [r["opportunity_id"] for r in dataset.rows("opportunity_lines")] == ["OPP-7", "OPP-8"]
    with db.unit_of_work() as uow:
        assert crm_repository.last_sync(uow.connection, "hubspot") == FIRST


def test_next_pull_filters_on_last_modified_after_the_last_sync(db, httpserver):
    serve(httpserver, FakePortal([], {}))
    with db.unit_of_work(write=True) as uow:
        crm_repository.record_sync(uow.connection, "hubspot", FIRST, 0, 1)
        uow.commit()
    portal = FakePortal([], {})
    httpserver.clear()
    serve(httpserver, portal)
    report = crm_sync.pull(db, "hubspot", client(httpserver), now=FIRST + dt.timedelta(hours=1))
    assert portal.searches[0]["filterGroups"] == [
        {
            "filters": [
                {
                    "propertyName": "hs_lastmodifieddate",
                    "operator": "GT",
                    "value": str(int(FIRST.timestamp() * 1000)),
                }
            ]
        }
    ]
    assert (report.new, report.updated, report.version) == (0, 0, None)


def test_an_unmapped_pipeline_stage_stops_the_pull(db, httpserver):
    odd = deal("9202", dealstage="1034567", createdate=STAMP, closedate=None, hubspot_owner_id=None)
    serve(httpserver, FakePortal([odd], {"9202": ["5101"]}))
    _, version = load_stored(db)
    with pytest.raises(DatasetInvalid) as caught:
        crm_sync.pull(db, "hubspot", client(httpserver), now=FIRST)
    assert caught.value.problems == [
        "hubspot deals:1:Deal Stage: unmapped stage '1034567': map it under [stages] or give "
        "its probability under [probabilities] in the mapping file"
    ]
    assert load_stored(db)[1] == version


def test_a_bad_token_is_a_clear_error(db, httpserver):
    httpserver.expect_request("/crm/v3/objects/deals/search", method="POST").respond_with_json(
        {
            "status": "error",
            "message": "Authentication credentials not found.",
            "category": "INVALID_AUTHENTICATION",
        },
        status=401,
    )
    with pytest.raises(CrmUnavailable, match="HTTP 401"):
        crm_sync.pull(db, "hubspot", client(httpserver), now=FIRST)


def test_push_updates_the_deal_properties(httpserver):
    httpserver.expect_request(
        "/crm/v3/objects/deals/9201",
        method="PATCH",
        json={
            "properties": {
                "accord_promise_date": "2027-01-08",
                "accord_price_of_yes": "Yes on 2026-12-20 costs 300 EUR overtime",
            }
        },
        headers={"Authorization": "Bearer pat-eu1-test"},
    ).respond_with_json(deal("9201", dealname="Harbor Pumps valves"))
    report = crm_sync.push(
        "hubspot",
        client(httpserver),
        "9201",
        dt.date(2027, 1, 8),
        "Yes on 2026-12-20 costs 300 EUR overtime",
    )
    httpserver.check_assertions()
    assert report.fields["accord_promise_date"] == "2027-01-08"
