"""Salesforce exports (Data Loader / Data Export CSVs) mapped into Accord tables.

| Salesforce | Accord |
|---|---|
| Product2 (+ the standard PricebookEntry) | products: sku = ProductCode else Id, unit_price |
| Account | customers: customer = Id, segment = Type, region = BillingCountry/BillingState |
| User + UserRole | owner names (First Last, else Username) and their roles |
| Opportunity | opportunities: closed deals (IsClosed/IsWon) become won/lost |
| OpportunityLineItem | opportunity_lines, numbered per opportunity; sku via Product2Id |
| OpportunityHistory | stage_history: who changed the stage (CreatedById), with their role |

File names are matched ignoring case (``opportunity.csv`` = ``Opportunity.csv``). Deleted
rows (IsDeleted = 1) are left out. The same mapping serves the live sync (``live.py``), whose
query results arrive as the same ``SourceFile`` objects.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from accord.domain.dataset import is_closed, is_closed_won
from accord.errors import BadInput
from accord.io.cells import CellError, parse_number
from accord.io.crm.mapping import CrmMapping
from accord.io.crm.salesforce_products import products_table
from accord.io.crm.source import (
    Report,
    SourceFile,
    TableBuilder,
    date_text,
    find_file,
    read_source,
)
from accord.io.validate import RawTable

OBJECTS = (
    "Opportunity",
    "OpportunityLineItem",
    "OpportunityHistory",
    "Product2",
    "PricebookEntry",
    "Pricebook2",
    "Account",
    "User",
    "UserRole",
)


def read_sources(folder: Path, mapping: CrmMapping) -> dict[str, SourceFile]:
    """The export files of ``folder`` by object; the Opportunity export is required."""
    if not folder.is_dir():
        raise BadInput(f"{folder}: a Salesforce export is a folder of CSV files, one per object")
    sources: dict[str, SourceFile] = {}
    for obj in OBJECTS:
        path = find_file(folder, f"{obj}.csv")
        if path is not None:
            sources[obj] = read_source(path, obj, mapping)
    if "Opportunity" not in sources:
        raise BadInput(f"{folder}: no Opportunity.csv: export the Opportunity object")
    return sources


@dataclass(frozen=True)
class People:
    """Owner names and roles by user id."""

    names: Mapping[str, str]
    roles: Mapping[str, str]

    def name(self, user_id: str) -> str:
        return self.names.get(user_id, user_id)


def _people(sources: Mapping[str, SourceFile]) -> People:
    role_names: dict[str, str] = {}
    if (roles := sources.get("UserRole")) is not None:
        role_names = {r.get("Id"): r.get("Name") for _, r in roles.records()}
    names: dict[str, str] = {}
    user_roles: dict[str, str] = {}
    if (users := sources.get("User")) is not None:
        for _, u in users.records():
            full = f"{u.get('FirstName')} {u.get('LastName')}".strip()
            names[u.get("Id")] = full or u.get("Username") or u.get("Id")
            role = role_names.get(u.ref("UserRoleId")) or u.get("UserRole.Name")
            if role:
                user_roles[u.get("Id")] = role
    return People(names, user_roles)


def _customers(sources: Mapping[str, SourceFile], report: Report) -> RawTable | None:
    accounts = sources.get("Account")
    if accounts is None or not accounts.require(report, "Id"):
        return None
    labels = {
        "customer": accounts.name_of("Id"),
        "name": accounts.name_of("Name"),
        "segment": accounts.name_of("Type"),
        "region": accounts.name_of("BillingCountry"),
    }
    table = TableBuilder("customers", accounts.label, labels)
    for line, a in accounts.records():
        if a.flag("IsDeleted"):
            continue
        region = "/".join(v for v in (a.get("BillingCountry"), a.get("BillingState")) if v)
        table.add(
            line,
            {
                "customer": a.get("Id"),
                "name": a.get("Name"),
                "segment": a.get("Type"),
                "region": region,
            },
        )
    return table.raw()


def _closed_stages(opportunities: SourceFile, mapping: CrmMapping) -> dict[str, str]:
    """Stage name -> its Accord name for closed stages, learnt from IsClosed/IsWon: a name
    Accord already reads as won/lost is kept, any other becomes ``won`` or ``lost``."""
    closed: dict[str, str] = {}
    if not opportunities.has("IsClosed"):
        return closed
    for _, o in opportunities.records():
        if not o.flag("IsClosed"):
            continue
        name = mapping.stage(o.get("StageName"))
        won = o.flag("IsWon")
        keep = is_closed(name) and is_closed_won(name) == won
        closed.setdefault(o.get("StageName"), name if keep else ("won" if won else "lost"))
    return closed


def _probability(
    text: str, stage: str, mapping: CrmMapping, line: int, source: SourceFile, report: Report
) -> str:
    if stage in mapping.probabilities:
        return repr(mapping.probabilities[stage])
    if text:
        try:
            return repr(parse_number(text) / 100.0)
        except CellError:
            return text  # the validator reports it under Probability
    if is_closed(stage):
        return "1.0" if is_closed_won(stage) else "0.0"
    report.add(
        source.label,
        line,
        source.name_of("Probability"),
        f"no probability for stage {stage!r}: add it under [probabilities] in the mapping file",
    )
    return "0"


def _opportunities(
    source: SourceFile,
    people: People,
    closed: Mapping[str, str],
    mapping: CrmMapping,
    report: Report,
) -> RawTable | None:
    if not source.require(report, "Id", "AccountId", "StageName"):
        return None
    labels = {
        "opportunity_id": source.name_of("Id"),
        "customer": source.name_of("AccountId"),
        "owner": source.name_of("OwnerId"),
        "stage": source.name_of("StageName"),
        "probability": source.name_of("Probability"),
        "close_date": source.name_of("CloseDate"),
        "requested_date": source.name_of("RequestedDate"),
        "created_date": source.name_of("CreatedDate"),
    }
    table = TableBuilder("opportunities", source.label, labels)
    for line, o in source.records():
        if o.flag("IsDeleted"):
            continue
        name = o.get("StageName")
        stage = closed.get(name) or mapping.stage(name)
        if o.has("IsClosed") and not o.flag("IsClosed") and is_closed(stage):
            report.add(
                source.label,
                line,
                source.name_of("StageName"),
                f"stage {name!r} is a closed stage but IsClosed is false",
            )
        close = date_text(o.get("CloseDate"))
        if not close:
            report.add(source.label, line, source.name_of("CloseDate"), "required value is empty")
        owner = o.ref("OwnerId")
        table.add(
            line,
            {
                "opportunity_id": o.get("Id"),
                "customer": o.ref("AccountId"),
                "owner": people.name(owner) if owner else "",
                "stage": stage,
                "probability": _probability(
                    o.get("Probability"), stage, mapping, line, source, report
                ),
                "close_date": close,
                "requested_date": date_text(o.get("RequestedDate")),
                "created_date": date_text(o.get("CreatedDate")),
            },
        )
    return table.raw()


def _lines(
    source: SourceFile, skus: Mapping[str, str], entries: Mapping[str, str], report: Report
) -> RawTable | None:
    if not source.require(report, "OpportunityId", "Quantity"):
        return None
    labels = {
        "opportunity_id": source.name_of("OpportunityId"),
        "line": source.name_of("SortOrder"),
        "sku": source.name_of("Product2Id"),
        "quantity": source.name_of("Quantity"),
        "unit_price": source.name_of("UnitPrice"),
        "requested_date": source.name_of("ServiceDate"),
    }
    table = TableBuilder("opportunity_lines", source.label, labels)
    numbers: Counter[str] = Counter()
    custom = [h for h in source.header if h.endswith("__c")]  # custom fields: line attributes
    for line, item in source.records():
        if item.flag("IsDeleted"):
            continue
        deal = item.get("OpportunityId")
        numbers[deal] += 1
        product = item.get("Product2Id") or entries.get(item.get("PricebookEntryId"), "")
        sku = skus.get(product) or item.get("Product2.ProductCode") or product
        table.add(
            line,
            {
                "opportunity_id": deal,
                "line": str(numbers[deal]),
                "sku": sku,
                "quantity": item.get("Quantity"),
                "unit_price": item.get("UnitPrice"),
                "requested_date": date_text(item.get("ServiceDate")),
            },
            {h: item.get(h) for h in custom},
        )
    return table.raw()


def _history(
    source: SourceFile,
    people: People,
    closed: Mapping[str, str],
    mapping: CrmMapping,
    report: Report,
) -> RawTable | None:
    if not source.require(report, "OpportunityId", "StageName", "CreatedDate"):
        return None
    labels = {
        "opportunity_id": source.name_of("OpportunityId"),
        "stage": source.name_of("StageName"),
        "entered_at": source.name_of("CreatedDate"),
        "owner": source.name_of("CreatedById"),
        "role": "UserRoleId",
    }
    table = TableBuilder("stage_history", source.label, labels)
    for line, h in source.records():
        if h.flag("IsDeleted"):
            continue
        name = h.get("StageName")
        user = h.ref("CreatedById")
        table.add(
            line,
            {
                "opportunity_id": h.get("OpportunityId"),
                "stage": closed.get(name) or mapping.stage(name),
                "entered_at": h.get("CreatedDate"),
                "owner": people.name(user) if user else "",
                "role": people.roles.get(user, ""),
            },
        )
    return table.raw()


def map_salesforce(
    sources: Mapping[str, SourceFile], mapping: CrmMapping, report: Report
) -> list[RawTable]:
    """The Accord tables of a Salesforce export (files or query results)."""
    people = _people(sources)
    products, skus = products_table(sources, mapping, report)
    entries: dict[str, str] = {}
    if (book := sources.get("PricebookEntry")) is not None:
        entries = {e.get("Id"): e.get("Product2Id") for _, e in book.records()}
    opportunities = sources["Opportunity"]
    closed = _closed_stages(opportunities, mapping)
    tables = [
        products,
        _customers(sources, report),
        _opportunities(opportunities, people, closed, mapping, report),
    ]
    if (items := sources.get("OpportunityLineItem")) is not None:
        tables.append(_lines(items, skus, entries, report))
    if (history := sources.get("OpportunityHistory")) is not None:
        tables.append(_history(history, people, closed, mapping, report))
    return [t for t in tables if t is not None]
