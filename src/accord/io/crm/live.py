"""Live CRM access through the official clients: pull the deals changed since a time, push a
promise back to a deal.

Pulled records become the same ``SourceFile`` objects as export files (headers named as in
an export), so a pull is mapped and checked by exactly the code of an import. A problem in
a pulled record names ``<crm> <object>`` and the record's position in the result, e.g.
``salesforce Opportunity:3:CloseDate: not a date``.

- Salesforce (``simple_salesforce.Salesforce``): SOQL on Opportunity (SystemModstamp > the
  last sync; editing a line item changes its opportunity's SystemModstamp through the Amount
  roll-up), then the line items, stage history, accounts and users of those opportunities.
- HubSpot (``hubspot.HubSpot``): the deals search on ``hs_lastmodifieddate``, the deals'
  companies (associations v4) and the owners' names.

Every request waits at most ACCORD_CRM_TIMEOUT_SECONDS; a CRM that cannot be reached, does
not answer in time or fails with a 5xx raises ``CrmOutage`` (failures.py), one line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from accord.config import Settings
from accord.errors import BadInput
from accord.io.crm import failures
from accord.io.crm.failures import CrmOutage, CrmUnavailable
from accord.io.crm.hubspot import COMPANIES, DEALS
from accord.io.crm.mapping import CrmMapping
from accord.io.crm.source import SourceFile

CHUNK = 200  # ids per IN (...) or batch request: well inside SOQL's and HubSpot's limits
DEFAULT_TIMEOUT = 30.0  # seconds, as ACCORD_CRM_TIMEOUT_SECONDS
__all__ = ["CrmOutage", "CrmUnavailable"]  # raised here, defined in failures.py


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


def _flatten(record: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """A Salesforce record with relationship fields as ``Parent.Field`` keys."""
    flat: dict[str, Any] = {}
    for key, value in record.items():
        if key == "attributes":
            continue
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def records_source(
    label: str,
    obj: str,
    fields: Sequence[str],
    records: Iterable[Mapping[str, Any]],
    mapping: CrmMapping,
) -> SourceFile:
    """API records as a source file: one column per field, row n = the n-th record."""
    rows = [[_text(r.get(f)) for f in fields] for r in records]
    return SourceFile(obj, label, list(fields), rows, list(range(1, len(rows) + 1)), mapping)


def _chunks(ids: Iterable[str]) -> Iterator[list[str]]:
    unique = sorted({i for i in ids if i})
    for start in range(0, len(unique), CHUNK):
        yield unique[start : start + CHUNK]


# -- Salesforce -----------------------------------------------------------------------------

SALESFORCE_FIELDS: dict[str, tuple[str, ...]] = {
    "Opportunity": (
        "Id",
        "AccountId",
        "OwnerId",
        "StageName",
        "Probability",
        "IsClosed",
        "IsWon",
        "CloseDate",
        "CreatedDate",
    ),
    "OpportunityLineItem": (
        "Id",
        "OpportunityId",
        "Product2Id",
        "Product2.ProductCode",
        "Quantity",
        "UnitPrice",
        "ServiceDate",
    ),
    "OpportunityHistory": ("Id", "OpportunityId", "CreatedById", "CreatedDate", "StageName"),
    "Account": ("Id", "Name", "Type", "BillingCountry", "BillingState"),
    "User": ("Id", "Username", "FirstName", "LastName", "UserRole.Name"),
}
OPTIONAL_FIELDS = ("RequestedDate",)
# The records a pull needs: (object, its field matched, the Opportunity field giving the ids).
_RELATED = (
    ("OpportunityLineItem", "OpportunityId", "Id"),
    ("OpportunityHistory", "OpportunityId", "Id"),
    ("Account", "Id", "AccountId"),
)


def soql_time(at: dt.datetime) -> str:
    """A SOQL datetime literal (UTC)."""
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _quoted(ids: Sequence[str]) -> str:
    return ", ".join("'" + i.replace("\\", "\\\\").replace("'", "\\'") + "'" for i in ids)


def _salesforce_call(sf: Any, what: str, call: Any, *args: Any) -> Any:
    """``call(*args)``, its failures as ``CrmUnavailable`` (``CrmOutage`` for an outage)."""
    import requests
    from simple_salesforce.exceptions import SalesforceError

    try:
        return call(*args)
    except SalesforceError as err:
        if err.status >= 500:
            raise failures.server_failure("Salesforce", what, err.status, err.content) from None
        raise CrmUnavailable(f"Salesforce refused {what}: {failures.one_line(err)}") from None
    except requests.RequestException as err:
        sent_to = getattr(err.request, "url", None) or sf.base_url
        url = sent_to.decode() if isinstance(sent_to, bytes) else str(sent_to)
        raise failures.outage("Salesforce", what, err, url, _timeout(sf.session)) from None


def _query(sf: Any, soql: str) -> list[dict[str, Any]]:
    try:
        result = _salesforce_call(sf, "a query", sf.query_all, soql)
    except CrmOutage:
        raise
    except CrmUnavailable as err:  # the query helps find a missing field or object
        raise CrmUnavailable(err.message, [soql]) from None
    return [_flatten(r) for r in result["records"]]


def pull_salesforce(
    sf: Any, mapping: CrmMapping, since: dt.datetime | None
) -> dict[str, SourceFile]:
    """The opportunities changed after ``since`` (all of them without it) and what they need."""

    def fields(obj: str) -> list[str]:
        names = [mapping.field_name(obj, f) for f in SALESFORCE_FIELDS[obj]]
        # A field with no standard counterpart is asked for only when the mapping names it.
        extra = [v for k, v in mapping.fields.get(obj, {}).items() if k in OPTIONAL_FIELDS]
        return names + extra

    def source(obj: str, records: list[dict[str, Any]]) -> SourceFile:
        return records_source(f"salesforce {obj}", obj, fields(obj), records, mapping)

    where = f" WHERE SystemModstamp > {soql_time(since)}" if since else ""
    opportunities = _query(
        sf, f"SELECT {', '.join(fields('Opportunity'))} FROM Opportunity{where} ORDER BY Id"
    )
    sources = {"Opportunity": source("Opportunity", opportunities)}
    if not opportunities:
        return sources
    for obj, key, parent_field in _RELATED:
        ids = [_text(r.get(mapping.field_name("Opportunity", parent_field))) for r in opportunities]
        records: list[dict[str, Any]] = []
        for chunk in _chunks(ids):
            records += _query(
                sf,
                f"SELECT {', '.join(fields(obj))} FROM {obj} "
                f"WHERE {mapping.field_name(obj, key)} IN ({_quoted(chunk)}) ORDER BY Id",
            )
        sources[obj] = source(obj, records)
    history = sources["OpportunityHistory"]
    owner_field = mapping.field_name("Opportunity", "OwnerId")
    user_ids = [_text(r.get(owner_field)) for r in opportunities]
    user_ids += [rec.get("CreatedById") for _, rec in history.records()]
    users: list[dict[str, Any]] = []
    for chunk in _chunks(user_ids):
        users += _query(
            sf, f"SELECT {', '.join(fields('User'))} FROM User WHERE Id IN ({_quoted(chunk)})"
        )
    sources["User"] = source("User", users)
    return sources


def push_salesforce(sf: Any, opportunity_id: str, values: Mapping[str, Any]) -> None:
    """Write ``values`` (field -> value) to the opportunity."""
    what = f"the update of {opportunity_id}"
    _salesforce_call(sf, what, sf.Opportunity.update, opportunity_id, dict(values))


# -- HubSpot --------------------------------------------------------------------------------

# Deal property -> the deals export's column of it.
HUBSPOT_PROPERTIES = {
    "dealname": "Deal Name",
    "dealstage": "Deal Stage",
    "closedate": "Close Date",
    "createdate": "Create Date",
    "hubspot_owner_id": "Deal owner",
    "amount": "Amount",
    "pipeline": "Pipeline",
}
_COMPANY_PROPERTIES = {
    "name": "Company name",
    "industry": "Industry",
    "country": "Country/Region",
    "state": "State/Region",
}


def _hubspot_errors() -> tuple[type[Exception], ...]:
    """Each HubSpot API package has its own ApiException class."""
    from hubspot.crm.associations.v4.exceptions import ApiException as AssociationsError
    from hubspot.crm.companies.exceptions import ApiException as CompaniesError
    from hubspot.crm.deals.exceptions import ApiException as DealsError
    from hubspot.crm.owners.exceptions import ApiException as OwnersError

    return (AssociationsError, CompaniesError, DealsError, OwnersError)


def _hubspot_call(client: Any, what: str, call: Any, *args: Any, **kwargs: Any) -> Any:
    """``call`` with the client's timeout, its failures as ``CrmUnavailable`` (``CrmOutage``
    for an outage)."""
    import urllib3

    timeout = _timeout(client)
    try:
        answer = call(*args, _request_timeout=timeout, **kwargs)
    except _hubspot_errors() as err:
        status = getattr(err, "status", None) or 0
        reason = getattr(err, "reason", "") or err
        if status >= 500:
            raise failures.server_failure("HubSpot", what, status, reason) from None
        if status == 0:  # the client's own wrapping of a TLS failure
            message = f"HubSpot is unavailable: {failures.one_line(reason)}, for {what}"
            raise CrmOutage(message) from None
        raise CrmUnavailable(
            f"HubSpot refused {what} (HTTP {status}): {failures.one_line(reason)}"
        ) from None
    except urllib3.exceptions.HTTPError as err:
        raise failures.outage("HubSpot", what, err, _hubspot_url(err), timeout) from None
    if getattr(answer, "results", ()) is None:  # a 200 that was not JSON: a proxy's page?
        raise CrmOutage(f"HubSpot is unavailable: the answer to {what} is not HubSpot's JSON")
    return answer


def _hubspot_url(err: Exception) -> str | None:
    pool = getattr(err, "pool", None)
    if pool is None:
        return None
    return f"{pool.scheme}://{pool.host}:{pool.port}"


def _deals(client: Any, since: dt.datetime | None) -> list[Any]:
    from hubspot.crm.deals import Filter, FilterGroup, PublicObjectSearchRequest

    groups = []
    if since is not None:
        ms = str(int(since.timestamp() * 1000))
        groups = [
            FilterGroup(
                filters=[Filter(property_name="hs_lastmodifieddate", operator="GT", value=ms)]
            )
        ]
    deals: list[Any] = []
    after: str | None = None
    while True:
        request = PublicObjectSearchRequest(
            filter_groups=groups,
            properties=list(HUBSPOT_PROPERTIES),
            sorts=["hs_object_id"],
            limit=100,
            after=after,
        )
        page = _hubspot_call(
            client,
            "the deals search",
            client.crm.deals.search_api.do_search,
            public_object_search_request=request,
        )
        deals += page.results
        if page.paging is None or page.paging.next is None:
            return deals
        after = page.paging.next.after


def _companies_of(client: Any, deal_ids: list[str]) -> dict[str, list[str]]:
    from hubspot.crm.associations.v4 import (
        BatchInputPublicFetchAssociationsBatchRequest,
        PublicFetchAssociationsBatchRequest,
    )

    companies: dict[str, list[str]] = {}
    for chunk in _chunks(deal_ids):
        body = BatchInputPublicFetchAssociationsBatchRequest(
            inputs=[PublicFetchAssociationsBatchRequest(id=i) for i in chunk]
        )
        page = _hubspot_call(
            client,
            "the deals' companies",
            client.crm.associations.v4.batch_api.get_page,
            from_object_type="deals",
            to_object_type="companies",
            batch_input_public_fetch_associations_batch_request=body,
        )
        for result in page.results:
            companies[str(result._from.id)] = [str(t.to_object_id) for t in result.to]
    return companies


def _company_rows(client: Any, ids: Iterable[str]) -> list[dict[str, Any]]:
    from hubspot.crm.companies import BatchReadInputSimplePublicObjectId, SimplePublicObjectId

    rows: list[dict[str, Any]] = []
    for chunk in _chunks(ids):
        body = BatchReadInputSimplePublicObjectId(
            inputs=[SimplePublicObjectId(id=i) for i in chunk], properties=list(_COMPANY_PROPERTIES)
        )
        page = _hubspot_call(
            client,
            "reading companies",
            client.crm.companies.batch_api.read,
            batch_read_input_simple_public_object_id=body,
        )
        for company in page.results:
            props = company.properties or {}
            row = {column: props.get(p) for p, column in _COMPANY_PROPERTIES.items()}
            rows.append({"Record ID": company.id, **row})
    return rows


def _owner_names(client: Any) -> dict[str, str]:
    names: dict[str, str] = {}
    after: str | None = None
    while True:
        page = _hubspot_call(
            client, "reading owners", client.crm.owners.owners_api.get_page, limit=500, after=after
        )
        for owner in page.results:
            full = f"{owner.first_name or ''} {owner.last_name or ''}".strip()
            names[str(owner.id)] = full or owner.email or str(owner.id)
        if page.paging is None or page.paging.next is None:
            return names
        after = page.paging.next.after


def pull_hubspot(
    client: Any, mapping: CrmMapping, since: dt.datetime | None
) -> dict[str, SourceFile]:
    """The deals modified after ``since`` (all of them without it), with their companies."""
    deals = _deals(client, since)
    ids = [str(d.id) for d in deals]
    companies = _companies_of(client, ids) if ids else {}
    owners = _owner_names(client) if ids else {}
    rows: list[dict[str, Any]] = []
    for deal in deals:
        props = deal.properties or {}
        row = {column: props.get(p) for p, column in HUBSPOT_PROPERTIES.items()}
        owner = _text(props.get("hubspot_owner_id"))
        row["Deal owner"] = owners.get(owner, owner)
        row["Record ID"] = str(deal.id)
        row["Associated Company IDs"] = ";".join(companies.get(str(deal.id), []))
        rows.append(row)
    deal_fields = ["Record ID", *HUBSPOT_PROPERTIES.values(), "Associated Company IDs"]
    company_ids = [c for r in rows for c in r["Associated Company IDs"].split(";") if c]
    company_fields = ["Record ID", *_COMPANY_PROPERTIES.values()]
    return {
        DEALS: records_source("hubspot deals", DEALS, deal_fields, rows, mapping),
        COMPANIES: records_source(
            "hubspot companies",
            COMPANIES,
            company_fields,
            _company_rows(client, company_ids) if company_ids else [],
            mapping,
        ),
    }


def push_hubspot(client: Any, deal_id: str, values: Mapping[str, Any]) -> None:
    """Write ``values`` (property -> value) to the deal."""
    from hubspot.crm.deals import SimplePublicObjectInput

    body = SimplePublicObjectInput(properties={k: _text(v) for k, v in values.items()})
    update = client.crm.deals.basic_api.update
    _hubspot_call(client, f"the update of deal {deal_id}", update, deal_id, body)


# -- clients --------------------------------------------------------------------------------


def _timeout(holder: Any) -> float:
    return float(getattr(holder, "accord_timeout", DEFAULT_TIMEOUT))


def salesforce_client(instance_url: str, session_id: str, timeout: float = DEFAULT_TIMEOUT) -> Any:
    """A Salesforce client on an existing session (OAuth access token); each request waits
    at most ``timeout`` seconds (simple_salesforce itself would wait for ever)."""
    import requests
    from simple_salesforce.api import Salesforce

    class TimedSession(requests.Session):
        accord_timeout = timeout

        def request(self, *args: Any, **kwargs: Any) -> Any:
            kwargs["timeout"] = kwargs.get("timeout") or self.accord_timeout
            return super().request(*args, **kwargs)

    return Salesforce(instance_url=instance_url, session_id=session_id, session=TimedSession())


def hubspot_client(
    access_token: str, host: str | None = None, timeout: float = DEFAULT_TIMEOUT
) -> Any:
    """A HubSpot client with a private app's access token; ``host`` only to point it
    elsewhere than https://api.hubapi.com. Each request waits at most ``timeout`` seconds
    and is not retried (as requests does for Salesforce): a CRM that is down fails once,
    in one line, instead of four times with a warning each."""
    from hubspot import HubSpot
    from urllib3.util.retry import Retry

    no_retries = Retry(total=None, connect=0, read=0, status=0, other=0, redirect=3)
    client = HubSpot(access_token=access_token, host=host, retry=no_retries)
    client.accord_timeout = timeout
    return client


def client_from_settings(source: str, settings: Settings) -> Any:
    """The client of ``source`` with credentials from the settings (docs/crm.md):
    ACCORD_SALESFORCE_INSTANCE_URL and ACCORD_SALESFORCE_SESSION_ID, or
    ACCORD_HUBSPOT_ACCESS_TOKEN (and ACCORD_HUBSPOT_HOST for another API host)."""

    def need(name: str) -> str:
        value = settings.secret(name) or (getattr(settings, name) or "").strip()
        if not value:
            raise BadInput(f"set ACCORD_{name.upper()} in the environment (see docs/crm.md)")
        return str(value)

    timeout = settings.crm_timeout_seconds
    if source == "salesforce":
        return salesforce_client(
            need("salesforce_instance_url"), need("salesforce_session_id"), timeout
        )
    host = (settings.hubspot_host or "").strip() or None
    return hubspot_client(need("hubspot_access_token"), host, timeout)
