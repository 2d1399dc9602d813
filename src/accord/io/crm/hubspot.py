"""HubSpot exports mapped into Accord tables.

The deals export (CRM > Deals > Export) is required: "Record ID", "Deal Name", "Deal Stage",
"Close Date", "Create Date", "Deal owner", "Associated Company IDs", "Associated Company"...
Optional beside it: a companies export ("Record ID", "Company name", "Industry",
"Country/Region", "State/Region") and a line items export ("Associated Deal IDs", "SKU",
"Quantity", "Unit price"). Files are told apart by their headers, not their names.

Stages come as internal ids (``closedwon``) or labels (``Closed Won``); the default sales
pipeline's stages have HubSpot's default probabilities. Other pipelines' stages need the
mapping file ([stages] and [probabilities]). The same mapping serves the live sync, whose
API results arrive as the same ``SourceFile`` objects.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from pathlib import Path

from accord.domain.dataset import is_closed
from accord.errors import BadInput
from accord.io.cells import CellError, parse_number
from accord.io.crm.mapping import CrmMapping
from accord.io.crm.source import Report, SourceFile, TableBuilder, date_text, read_source
from accord.io.validate import RawTable

# The default sales pipeline: internal id -> (label, probability).
DEFAULT_STAGES: dict[str, tuple[str, float]] = {
    "appointmentscheduled": ("Appointment Scheduled", 0.2),
    "qualifiedtobuy": ("Qualified To Buy", 0.4),
    "presentationscheduled": ("Presentation Scheduled", 0.6),
    "decisionmakerboughtin": ("Decision Maker Bought-In", 0.8),
    "contractsent": ("Contract Sent", 0.9),
    "closedwon": ("Closed Won", 1.0),
    "closedlost": ("Closed Lost", 0.0),
}
_BY_LABEL = {label.lower(): (label, p) for label, p in DEFAULT_STAGES.values()}

DEALS, COMPANIES, LINE_ITEMS = "deals", "companies", "line_items"


def _kind(header: list[str], mapping: CrmMapping) -> str | None:
    names = {h.strip().lower() for h in header}

    def has(obj: str, standard: str) -> bool:
        return mapping.field_name(obj, standard).lower() in names

    if has(DEALS, "Deal Stage"):
        return DEALS
    if has(LINE_ITEMS, "Quantity"):
        return LINE_ITEMS
    if has(COMPANIES, "Company name"):
        return COMPANIES
    return None


def read_sources(path: Path, mapping: CrmMapping) -> dict[str, SourceFile]:
    """The export files at ``path`` (the deals CSV, or a folder holding it) by kind."""
    files = [path] if path.is_file() else sorted(p for p in path.iterdir() if p.is_file())
    sources: dict[str, SourceFile] = {}
    for file in files:
        if file.suffix.lower() != ".csv":
            continue
        probe = read_source(file, "", mapping)
        kind = _kind(probe.header, mapping)
        if kind is None:
            continue
        if kind in sources:
            raise BadInput(f"{file.name}: a second {kind} export beside {sources[kind].label}")
        sources[kind] = read_source(file, kind, mapping)
    if DEALS not in sources:
        raise BadInput(f"{path}: no HubSpot deals export (a CSV with a 'Deal Stage' column)")
    return sources


def _first(text: str) -> str:
    """The first of a multi-valued cell ("123;456")."""
    return text.split(";")[0].strip()


def stage_of(text: str, mapping: CrmMapping) -> tuple[str, float | None]:
    """The stage's Accord name and probability (None when unknown)."""
    renamed = mapping.stage(text)
    default = DEFAULT_STAGES.get(renamed.lower()) or _BY_LABEL.get(renamed.lower())
    name = default[0] if default else renamed
    if name in mapping.probabilities:
        return name, mapping.probabilities[name]
    if default:
        return name, default[1]
    if is_closed(name):
        return name, 1.0 if name.lower() in ("won", "closed won") else 0.0
    return name, None


def _customers(sources: Mapping[str, SourceFile], report: Report) -> RawTable:
    companies = sources.get(COMPANIES)
    if companies is not None and companies.require(report, "Record ID"):
        labels = {
            "customer": companies.name_of("Record ID"),
            "name": companies.name_of("Company name"),
            "segment": companies.name_of("Industry"),
            "region": companies.name_of("Country/Region"),
        }
        table = TableBuilder("customers", companies.label, labels)
        for line, c in companies.records():
            region = "/".join(v for v in (c.get("Country/Region"), c.get("State/Region")) if v)
            table.add(
                line,
                {
                    "customer": c.get("Record ID"),
                    "name": c.get("Company name"),
                    "segment": c.get("Industry"),
                    "region": region,
                },
            )
        return table.raw()
    # Without a companies export the deals name their companies: one customer each.
    deals = sources[DEALS]
    table = TableBuilder(
        "customers",
        deals.label,
        {
            "customer": deals.name_of("Associated Company IDs"),
            "name": deals.name_of("Associated Company"),
        },
    )
    seen: set[str] = set()
    for line, d in deals.records():
        customer = _first(d.get("Associated Company IDs"))
        if customer and customer not in seen:
            seen.add(customer)
            table.add(line, {"customer": customer, "name": _first(d.get("Associated Company"))})
    return table.raw()


def _deals(source: SourceFile, mapping: CrmMapping, report: Report) -> RawTable | None:
    if not source.require(report, "Record ID", "Deal Stage", "Associated Company IDs"):
        return None
    labels = {
        "opportunity_id": source.name_of("Record ID"),
        "customer": source.name_of("Associated Company IDs"),
        "owner": source.name_of("Deal owner"),
        "stage": source.name_of("Deal Stage"),
        "probability": source.name_of("Deal probability"),
        "close_date": source.name_of("Close Date"),
        "requested_date": source.name_of("Requested Date"),
        "created_date": source.name_of("Create Date"),
    }
    table = TableBuilder("opportunities", source.label, labels)
    stage_field = source.name_of("Deal Stage")
    for line, d in source.records():
        text = d.get("Deal Stage")
        stage, default = stage_of(text, mapping) if text else ("", None)
        probability = d.get("Deal probability")
        if stage in mapping.probabilities:
            probability = repr(mapping.probabilities[stage])
        elif probability:
            try:
                value = parse_number(probability)
                # HubSpot shows a probability as 0-1; some exports write a percentage.
                probability = repr(value / 100.0 if value > 1 else value)
            except CellError:
                pass  # the validator reports it
        elif text and default is None:
            report.add(
                source.label,
                line,
                stage_field,
                f"unmapped stage {text!r}: map it under [stages] or give its probability under "
                "[probabilities] in the mapping file",
            )
            probability = "0"
        else:
            probability = "" if default is None else repr(default)
        close = date_text(d.get("Close Date"))
        if not close and is_closed(stage):
            report.add(
                source.label,
                line,
                source.name_of("Close Date"),
                f"a closed deal ({stage}) needs its close date",
            )
        table.add(
            line,
            {
                "opportunity_id": d.get("Record ID"),
                "customer": _first(d.get("Associated Company IDs")),
                "owner": d.get("Deal owner"),
                "stage": stage,
                "probability": probability,
                "close_date": close,
                "requested_date": date_text(d.get("Requested Date")),
                "created_date": date_text(d.get("Create Date")),
            },
        )
    return table.raw()


def _line_items(source: SourceFile, report: Report) -> RawTable | None:
    if not source.require(report, "Associated Deal IDs", "SKU", "Quantity"):
        return None
    labels = {
        "opportunity_id": source.name_of("Associated Deal IDs"),
        "line": "line",
        "sku": source.name_of("SKU"),
        "quantity": source.name_of("Quantity"),
        "unit_price": source.name_of("Unit price"),
    }
    table = TableBuilder("opportunity_lines", source.label, labels)
    numbers: Counter[str] = Counter()
    for line, item in source.records():
        deal = _first(item.get("Associated Deal IDs"))
        numbers[deal] += 1
        table.add(
            line,
            {
                "opportunity_id": deal,
                "line": str(numbers[deal]),
                "sku": item.get("SKU"),
                "quantity": item.get("Quantity"),
                "unit_price": item.get("Unit price"),
            },
        )
    return table.raw()


def map_hubspot(
    sources: Mapping[str, SourceFile], mapping: CrmMapping, report: Report
) -> list[RawTable]:
    """The Accord tables of a HubSpot export (files or API results)."""
    tables = [_customers(sources, report), _deals(sources[DEALS], mapping, report)]
    if (items := sources.get(LINE_ITEMS)) is not None:
        tables.append(_line_items(items, report))
    return [t for t in tables if t is not None]
