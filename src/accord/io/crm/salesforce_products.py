"""Salesforce products: Product2 rows priced from the standard price book.

sku = ProductCode, else the Id; unit_price = the product's active entry in the standard
price book (Pricebook2.csv's IsStandard row, else ``options.standard_pricebook``, else the
book covering the most products, with a warning); material_cost = the Product2 field named in
``options.material_cost_field``, else 0 with a warning that throughput then equals price.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from accord.io.cells import CellError, parse_number
from accord.io.crm.mapping import CrmMapping
from accord.io.crm.source import Report, SourceFile, TableBuilder
from accord.io.validate import RawTable


def _standard_pricebook(
    sources: Mapping[str, SourceFile], mapping: CrmMapping, report: Report
) -> str:
    chosen = mapping.option("standard_pricebook")
    if chosen:
        return chosen
    if (books := sources.get("Pricebook2")) is not None:
        for _, b in books.records():
            if b.flag("IsStandard"):
                return b.get("Id")
    entries = sources.get("PricebookEntry")
    if entries is None:
        return ""
    coverage = Counter(e.get("Pricebook2Id") for _, e in entries.records() if e.flag("IsActive"))
    if not coverage:
        return ""
    # Every product with a price has a standard entry, so the standard book covers the most.
    book = min(coverage, key=lambda b: (-coverage[b], b))
    if len(coverage) > 1:
        report.warnings.append(
            f"{entries.label}: {len(coverage)} price books and no Pricebook2.csv: prices taken "
            f"from {book} (the one with the most products); set options.standard_pricebook "
            "in the mapping file to choose another"
        )
    return book


def _prices(
    sources: Mapping[str, SourceFile], mapping: CrmMapping, report: Report
) -> dict[str, str]:
    entries = sources.get("PricebookEntry")
    if entries is None or not entries.require(report, "Product2Id", "UnitPrice"):
        return {}
    book = _standard_pricebook(sources, mapping, report)
    prices: dict[str, str] = {}
    for line, e in entries.records():
        if e.flag("IsDeleted") or (e.has("IsActive") and not e.flag("IsActive")):
            continue
        if e.get("Pricebook2Id") != book:
            continue
        text = e.get("UnitPrice")
        try:
            parse_number(text)
        except CellError as err:
            report.add(entries.label, line, entries.name_of("UnitPrice"), str(err))
            continue
        prices[e.get("Product2Id")] = text
    return prices


def products_table(
    sources: Mapping[str, SourceFile], mapping: CrmMapping, report: Report
) -> tuple[RawTable | None, dict[str, str]]:
    """The products table and the sku of each Product2 id."""
    products = sources.get("Product2")
    if products is None or not products.require(report, "Id", "Name"):
        return None, {}
    prices = _prices(sources, mapping, report)
    cost_field = mapping.option("material_cost_field")
    if cost_field is None:
        report.warnings.append(
            f"{products.label}: no material cost field mapped (options.material_cost_field): "
            "material_cost = 0, so throughput per unit equals the price"
        )
    elif not products.has(cost_field):
        products.require(report, cost_field)
    labels = {
        "sku": products.name_of("ProductCode"),
        "name": products.name_of("Name"),
        "family": products.name_of("Family"),
        "unit_price": "UnitPrice",
        "material_cost": cost_field or "material_cost",
        "active": products.name_of("IsActive"),
    }
    table = TableBuilder("products", products.label, labels)
    skus: dict[str, str] = {}
    for line, p in products.records():
        if p.flag("IsDeleted"):
            continue
        sku = p.get("ProductCode") or p.get("Id")
        skus[p.get("Id")] = sku
        price = prices.get(p.get("Id"), "")
        if not price:
            report.add(
                products.label,
                line,
                "UnitPrice",
                f"no active standard price book entry for product {sku!r}",
            )
        table.add(
            line,
            {
                "sku": sku,
                "name": p.get("Name"),
                "family": p.get("Family"),
                "unit_price": price or "0",
                "material_cost": p.get(cost_field) if cost_field else "0",
                "active": p.get("IsActive"),
            },
        )
    return table.raw(), skus
