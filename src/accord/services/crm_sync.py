"""Live CRM sync: pull the deals changed since the last sync into the stored dataset, push a
promise date and the price of yes back to a deal.

A pull asks the CRM first (outside any transaction), maps and checks what came back with the
same code as an export import, then in one write unit of work loads the stored dataset,
merges (upsert by opportunity id), replaces it and records the sync time: all or nothing.
The sync time recorded is when the pull started, so changes made while it ran are asked for
again next time (an upsert of the same deal twice is harmless).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from accord.domain.dataset import Dataset, Row
from accord.errors import BadInput, NoData
from accord.io.crm import hubspot, live, salesforce
from accord.io.crm.mapping import CrmMapping
from accord.io.crm.source import Report, SourceFile, assemble
from accord.io.validate import RawTable
from accord.storage import crm_repository
from accord.storage.database import Database

Source = Literal["salesforce", "hubspot"]
SOURCES: tuple[Source, ...] = ("salesforce", "hubspot")
# Fields written by a push unless the mapping's [options] name others (docs/crm.md).
DEFAULT_PUSH_FIELDS: dict[Source, tuple[str, str]] = {
    "salesforce": ("Accord_Promise_Date__c", "Accord_Price_of_Yes__c"),
    "hubspot": ("accord_promise_date", "accord_price_of_yes"),
}
NOTE_MAX = 255  # a Salesforce text field's usual length


def check_source(text: str) -> Source:
    for s in SOURCES:
        if text.lower() == s:
            return s
    raise BadInput(f"--source must be salesforce or hubspot: {text!r}")


@dataclass(frozen=True)
class PullReport:
    source: str
    since: dt.datetime | None
    synced_at: dt.datetime
    new: int
    updated: int
    lines: int
    history: int
    version: int | None  # the new dataset version; None when nothing changed
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "since": self.since.isoformat() if self.since else None,
            "synced_at": self.synced_at.isoformat(),
            "new": self.new,
            "updated": self.updated,
            "lines": self.lines,
            "history": self.history,
            "version": self.version,
            "warnings": self.warnings,
        }

    def __str__(self) -> str:
        since = self.since.isoformat(timespec="seconds") if self.since else "the beginning"
        head = f"{self.source}: changes since {since}: {self.new} new deals, {self.updated} updated"
        if self.version is None:
            return f"{head}; the dataset is unchanged"
        return (
            f"{head}, {self.lines} lines, {self.history} stage changes; "
            f"dataset version {self.version}"
        )


@dataclass(frozen=True)
class PushReport:
    source: str
    opportunity_id: str
    fields: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "opportunity_id": self.opportunity_id, "fields": self.fields}

    def __str__(self) -> str:
        written = ", ".join(f"{k} = {v!r}" for k, v in self.fields.items())
        return f"{self.source}: wrote {written} to {self.opportunity_id}"


# -- merge ----------------------------------------------------------------------------------

CHILDREN = ("opportunity_lines", "stage_history")


def _combined(old: Row, new: Row) -> Row:
    """``new`` over ``old``: a value the CRM leaves empty keeps what Accord had (a requested
    date, a customer's checklist scores)."""
    row = dict(old)
    row.update({k: v for k, v in new.items() if v is not None and k != "attributes"})
    row["attributes"] = {**old.get("attributes", {}), **new.get("attributes", {})}
    return row


def _upsert(old: Iterable[Row], new: Iterable[Row], key: str) -> tuple[tuple[Row, ...], int]:
    """Rows of ``old`` with those of ``new`` merged in place by ``key``, the others appended;
    and how many were new."""
    incoming = {r[key]: r for r in new}
    rows = [_combined(r, incoming.pop(r[key])) if r[key] in incoming else r for r in old]
    return (*rows, *incoming.values()), len(incoming)


def merge(stored: Dataset, pulled: Dataset, children: Iterable[str]) -> tuple[Dataset, int, int]:
    """``stored`` with the pulled deals upserted; the pulled deals' rows of each table in
    ``children`` replace their stored ones. Returns the dataset, new and updated deals."""
    tables = dict(stored.tables)
    tables["customers"], _ = _upsert(stored.rows("customers"), pulled.rows("customers"), "customer")
    deals = pulled.rows("opportunities")
    tables["opportunities"], new = _upsert(stored.rows("opportunities"), deals, "opportunity_id")
    ids = {r["opportunity_id"] for r in deals}
    for child in children:
        kept = [r for r in stored.rows(child) if r["opportunity_id"] not in ids]
        tables[child] = (*kept, *pulled.rows(child))
    merged = Dataset({k: v for k, v in tables.items() if v}, stored.warnings)
    return merged, new, len(deals) - new


def _sku_table(stored: Dataset) -> RawTable:
    """The stored skus, for checking pulled lines against (prices are not pulled)."""
    rows = [[str(p["sku"]), "0", "0"] for p in stored.rows("products")]
    return RawTable.numbered(
        "products",
        "stored products",
        ["sku", "unit_price", "material_cost"],
        enumerate(rows, start=2),
    )


# -- use cases ------------------------------------------------------------------------------


def fetch(
    source: Source, client: Any, mapping: CrmMapping, since: dt.datetime | None
) -> dict[str, SourceFile]:
    if source == "salesforce":
        return live.pull_salesforce(client, mapping, since)
    return live.pull_hubspot(client, mapping, since)


def pull(
    db: Database,
    source: Source,
    client: Any,
    mapping: CrmMapping | None = None,
    now: dt.datetime | None = None,
) -> PullReport:
    """Pull the deals changed since the last sync of ``source`` into the stored dataset."""
    mapping = mapping or CrmMapping()
    started = now or dt.datetime.now(dt.UTC)
    with db.unit_of_work() as uow:
        since = crm_repository.last_sync(uow.connection, source)
        if uow.current_version() is None:
            raise NoData("the database holds no dataset yet: import one before syncing a CRM")
    sources = fetch(source, client, mapping, since)
    report = Report()
    if source == "salesforce":
        tables = salesforce.map_salesforce(sources, mapping, report)
    else:
        tables = hubspot.map_hubspot(sources, mapping, report)
    children = [t.name for t in tables if t.name in CHILDREN]
    deals = next((t for t in tables if t.name == "opportunities"), None)
    with db.unit_of_work(write=True) as uow:
        stored = uow.load_dataset()
        if stored is None:
            raise NoData("the database holds no dataset yet: import one before syncing a CRM")
        version: int | None = None
        new = updated = lines = history = 0
        if deals is not None and deals.rows:
            pulled = assemble([*tables, _sku_table(stored)], report)
            merged, new, updated = merge(stored, pulled, children)
            lines = len(pulled.rows("opportunity_lines"))
            history = len(pulled.rows("stage_history"))
            version = uow.replace_dataset(merged, f"{source} sync {started.isoformat()}")
        elif report.problems:
            raise BadInput(f"{source}: the pulled records have problems", report.problems)
        crm_repository.record_sync(
            uow.connection, source, started, new + updated, version or uow.current_version() or 0
        )
        uow.commit()
    if version is not None:
        db.fold_log()  # the whole dataset was written again
    return PullReport(
        source, since, started, new, updated, lines, history, version, report.warnings
    )


def push_fields(source: Source, mapping: CrmMapping | None = None) -> tuple[str, str]:
    """The CRM fields a push writes: (promise date, price-of-yes text)."""
    mapping = mapping or CrmMapping()
    date_field, note_field = DEFAULT_PUSH_FIELDS[source]
    return (
        mapping.option("promise_date_field") or date_field,
        mapping.option("price_of_yes_field") or note_field,
    )


def push(
    source: Source,
    client: Any,
    opportunity_id: str,
    promise_date: dt.date,
    note: str,
    mapping: CrmMapping | None = None,
) -> PushReport:
    """Write the promise date and a short price-of-yes text to the deal in the CRM."""
    if not opportunity_id.strip():
        raise BadInput("the opportunity id is empty")
    note = " ".join(note.split())
    if len(note) > NOTE_MAX:
        raise BadInput(f"--note is {len(note)} characters; at most {NOTE_MAX} fit the CRM field")
    date_field, note_field = push_fields(source, mapping)
    values: Mapping[str, str] = {date_field: promise_date.isoformat(), note_field: note}
    if source == "salesforce":
        live.push_salesforce(client, opportunity_id, values)
    else:
        live.push_hubspot(client, opportunity_id, values)
    return PushReport(source, opportunity_id, dict(values))
