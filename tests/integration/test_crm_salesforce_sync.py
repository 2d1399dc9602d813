"""Salesforce live sync on a real database, against recorded REST responses (``responses``
intercepts ``requests``, which simple-salesforce uses): never the network.

The stored company is tests/data/tiny; its deals' ids stand in for Salesforce ids.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import parse_qs, urlparse

import pytest
import responses

from accord.errors import DatasetInvalid
from accord.io.crm.live import CrmUnavailable, salesforce_client
from accord.io.crm.mapping import CrmMapping
from accord.io.files import read_dataset
from accord.services import crm_sync
from accord.services.datasets import load_stored, store_dataset
from accord.storage import crm_repository
from accord.storage.database import Database
from tests.api.conftest import TINY

INSTANCE = "https://acme.my.salesforce.com"
API = f"{INSTANCE}/services/data/v59.0"
FIRST = dt.datetime(2026, 11, 23, 5, 0, tzinfo=dt.UTC)
SECOND = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)


def record(obj: str, **fields: object) -> dict[str, object]:
    url = f"/services/data/v59.0/sobjects/{obj}/{fields.get('Id', 'x')}"
    return {"attributes": {"type": obj, "url": url}, **fields}


OPPORTUNITIES = [
    record(
        "Opportunity",
        Id="OPP-8",
        AccountId="NORDWIND",
        OwnerId="0051",
        StageName="Negotiation/Review",
        Probability=75.0,
        IsClosed=False,
        IsWon=False,
        CloseDate="2026-12-15",
        CreatedDate="2026-10-01T08:00:00.000+0000",
    ),
    record(
        "Opportunity",
        Id="0061",
        AccountId="0011",
        OwnerId="0052",
        StageName="Prospecting",
        Probability=10.0,
        IsClosed=False,
        IsWon=False,
        CloseDate="2027-01-31",
        CreatedDate="2026-11-20T14:30:00.000+0000",
    ),
]
LINES = [
    record(
        "OpportunityLineItem",
        Id="00k1",
        OpportunityId="OPP-8",
        Product2Id="01t1",
        Product2={"attributes": {"type": "Product2"}, "ProductCode": "PUMP-300"},
        Quantity=60.0,
        UnitPrice=170.0,
        ServiceDate="2026-12-20",
    ),
    record(
        "OpportunityLineItem",
        Id="00k2",
        OpportunityId="0061",
        Product2Id="01t2",
        Product2={"attributes": {"type": "Product2"}, "ProductCode": "VALVE-10"},
        Quantity=500.0,
        UnitPrice=None,
        ServiceDate=None,
    ),
]
HISTORY = [
    record(
        "OpportunityHistory",
        Id="0081",
        OpportunityId="OPP-8",
        CreatedById="0052",
        CreatedDate="2026-10-01T08:00:00.000+0000",
        StageName="Qualification",
    ),
    record(
        "OpportunityHistory",
        Id="0082",
        OpportunityId="OPP-8",
        CreatedById="0051",
        CreatedDate="2026-11-02T09:15:00.000+0000",
        StageName="Negotiation/Review",
    ),
    record(
        "OpportunityHistory",
        Id="0083",
        OpportunityId="0061",
        CreatedById="0052",
        CreatedDate="2026-11-20T14:30:00.000+0000",
        StageName="Prospecting",
    ),
]
ACCOUNTS = [
    record(
        "Account",
        Id="NORDWIND",
        Name="Nordwind Logistics GmbH",
        Type=None,
        BillingCountry="Germany",
        BillingState=None,
    ),
    record(
        "Account",
        Id="0011",
        Name="Harbor Pumps",
        Type="Customer - Direct",
        BillingCountry="USA",
        BillingState="OH",
    ),
]
USERS = [
    record(
        "User",
        Id="0051",
        Username="ana@example.com",
        FirstName="Ana",
        LastName="Ruiz",
        UserRole={"attributes": {"type": "UserRole"}, "Name": "Account Executive"},
    ),
    record(
        "User",
        Id="0052",
        Username="sam@example.com",
        FirstName="Sam",
        LastName="Lee",
        UserRole=None,
    ),
]


class FakeOrg:
    """Answers SOQL queries like the REST API, recording each query asked."""

    def __init__(self, opportunities=OPPORTUNITIES, lines=LINES) -> None:
        self.objects = {
            "Opportunity": opportunities,
            "OpportunityLineItem": lines,
            "OpportunityHistory": HISTORY,
            "Account": ACCOUNTS,
            "User": USERS,
        }
        self.queries: list[str] = []

    def __call__(self, request):
        soql = parse_qs(urlparse(request.url).query)["q"][0]
        self.queries.append(soql)
        obj = re.search(r"FROM (\w+)", soql).group(1)
        rows = self.objects[obj]
        ids = re.search(r"IN \(([^)]*)\)", soql)
        if ids:
            wanted = set(re.findall(r"'([^']*)'", ids.group(1)))
            key = "Id" if obj in ("Account", "User") else "OpportunityId"
            rows = [r for r in rows if r[key] in wanted]
        body = {"totalSize": len(rows), "done": True, "records": rows}
        return 200, {}, json.dumps(body)


@pytest.fixture
def db(db_url):
    database = Database(db_url)
    database.migrate()
    store_dataset(database, read_dataset(TINY), "tiny")
    yield database
    database.dispose()


def serve(org: FakeOrg) -> None:
    responses.add_callback(
        responses.GET, f"{API}/query/", callback=org, content_type="application/json"
    )


@responses.activate
def test_first_pull_upserts_deals_lines_history_and_keeps_what_the_crm_lacks(db):
    org = FakeOrg()
    serve(org)
    before, version = load_stored(db)
    report = crm_sync.pull(db, "salesforce", salesforce_client(INSTANCE, "token"), now=FIRST)

    assert "WHERE" not in org.queries[0]  # the first pull asks for every opportunity
    assert (report.new, report.updated, report.lines, report.history) == (1, 1, 2, 3)
    dataset, new_version = load_stored(db)
    assert report.version == new_version == version + 1
    deals = {o["opportunity_id"]: o for o in dataset.rows("opportunities")}
    assert set(deals) == {"OPP-7", "OPP-8", "OPP-9", "0061"}
    assert deals["OPP-8"]["stage"] == "Negotiation/Review"
    assert deals["OPP-8"]["probability"] == pytest.approx(0.75)
    assert deals["OPP-8"]["owner"] == "Ana Ruiz"
    assert deals["OPP-8"]["close_date"] == dt.date(2026, 12, 15)
    # Salesforce has no requested date: the one Accord held stays.
    assert deals["OPP-8"]["requested_date"] == dt.date(2026, 12, 18)
    assert deals["OPP-7"] == {o["opportunity_id"]: o for o in before.rows("opportunities")}["OPP-7"]

    lines = [
        (r["opportunity_id"], r["sku"], r["quantity"]) for r in dataset.rows("opportunity_lines")
    ]
    assert lines == [
        ("OPP-7", "PUMP-300", 10),
        ("OPP-8", "PUMP-300", 60),
        ("0061", "VALVE-10", 500),
    ]
    history = [
        (h["opportunity_id"], h["stage"], h["owner"], h["role"])
        for h in dataset.rows("stage_history")
        if h["opportunity_id"] != "OPP-7"
    ]
    assert history == [
        ("OPP-8", "Qualification", "Sam Lee", None),
        ("OPP-8", "Negotiation/Review", "Ana Ruiz", "Account Executive"),
        ("0061", "Prospecting", "Sam Lee", None),
    ]
    customers = {c["customer"]: c for c in dataset.rows("customers")}
    assert customers["NORDWIND"]["name"] == "Nordwind Logistics GmbH"
    assert customers["NORDWIND"]["segment"] == "Industrial"  # the CRM's empty Type keeps it
    assert customers["NORDWIND"]["attributes"] == {"shared_vision": "4", "co_development": "3"}
    assert customers["0011"]["region"] == "USA/OH"
    # Orders, products and the rest are untouched.
    assert dataset.rows("orders") == before.rows("orders")
    with db.unit_of_work() as uow:
        assert crm_repository.last_sync(uow.connection, "salesforce") == FIRST


@responses.activate
def test_next_pull_asks_only_for_changes_since_the_last(db):
    serve(FakeOrg())
    client = salesforce_client(INSTANCE, "token")
    crm_sync.pull(db, "salesforce", client, now=FIRST)
    _, version = load_stored(db)
    quiet = FakeOrg(opportunities=[])
    responses.reset()  # the org now answers that nothing changed
    serve(quiet)
    report = crm_sync.pull(db, "salesforce", client, now=SECOND)

    assert quiet.queries == [
        "SELECT Id, AccountId, OwnerId, StageName, Probability, IsClosed, IsWon, CloseDate, "
        "CreatedDate FROM Opportunity WHERE SystemModstamp > 2026-11-23T05:00:00Z ORDER BY Id"
    ]
    assert (report.since, report.version) == (FIRST, None)
    assert load_stored(db)[1] == version  # nothing changed, nothing rewritten
    with db.unit_of_work() as uow:
        assert crm_repository.last_sync(uow.connection, "salesforce") == SECOND


@responses.activate
def test_a_dirty_pull_changes_nothing_and_names_the_record(db):
    bad = dict(LINES[1], Product2={"attributes": {}, "ProductCode": "GEAR-9"})
    serve(FakeOrg(lines=[LINES[0], bad]))
    _, version = load_stored(db)
    with pytest.raises(DatasetInvalid) as caught:
        crm_sync.pull(db, "salesforce", salesforce_client(INSTANCE, "token"), now=FIRST)
    assert caught.value.problems == [
        "salesforce OpportunityLineItem:2:Product2Id: unknown sku 'GEAR-9': no such row in products"
    ]
    assert load_stored(db)[1] == version
    with db.unit_of_work() as uow:
        assert crm_repository.last_sync(uow.connection, "salesforce") is None


@responses.activate
def test_an_expired_session_is_a_clear_error(db):
    responses.add(
        responses.GET,
        f"{API}/query/",
        status=401,
        json=[{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}],
    )
    with pytest.raises(CrmUnavailable, match="Salesforce refused a query"):
        crm_sync.pull(db, "salesforce", salesforce_client(INSTANCE, "token"), now=FIRST)


@responses.activate
def test_push_writes_promise_date_and_price_of_yes_to_configured_fields():
    responses.add(responses.PATCH, f"{API}/sobjects/Opportunity/0061", status=204)
    mapping = CrmMapping(options={"promise_date_field": "Promise_Date__c"})
    report = crm_sync.push(
        "salesforce",
        salesforce_client(INSTANCE, "token"),
        "0061",
        dt.date(2027, 2, 12),
        "Yes by 2027-01-31 costs 1,200 EUR of overtime on PAINT",
        mapping,
    )
    sent = json.loads(responses.calls[0].request.body)
    assert sent == {
        "Promise_Date__c": "2027-02-12",
        "Accord_Price_of_Yes__c": "Yes by 2027-01-31 costs 1,200 EUR of overtime on PAINT",
    }
    assert responses.calls[0].request.headers["Authorization"] == "Bearer token"
    assert report.fields == sent


@responses.activate
def test_a_mapped_requested_date_field_is_asked_for_and_pulled(db):
    with_date = dict(OPPORTUNITIES[0], Customer_Requested__c="2026-12-28")
    org = FakeOrg(opportunities=[with_date], lines=[LINES[0]])
    serve(org)
    mapping = CrmMapping(fields={"Opportunity": {"RequestedDate": "Customer_Requested__c"}})
    crm_sync.pull(db, "salesforce", salesforce_client(INSTANCE, "token"), mapping, now=FIRST)
    assert "CreatedDate, Customer_Requested__c FROM Opportunity" in org.queries[0]
    deals = {o["opportunity_id"]: o for o in load_stored(db)[0].rows("opportunities")}
    assert deals["OPP-8"]["requested_date"] == dt.date(2026, 12, 28)
