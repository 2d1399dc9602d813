"""Dataset rows -> domain objects, with the dataset's column defaults applied.

Rows may lack a column or hold ``None`` for an empty cell, so every optional value is
read with ``row.get`` and defaulted here (the defaults mirror ``TABLES``; a unit test keeps
them in step). Builders run a fast comprehension and only on failure walk the rows again
to say which one broke, as a ``RowError`` (``table row N: message``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import TypeVar

from accord.domain.dataset import (
    BOOLEAN_FALSE,
    BOOLEAN_TRUE,
    WEEKDAYS,
    WEIGHT_PREFIX,
    Dataset,
    Row,
)
from accord.domain.model import (
    EMPTY_ATTRIBUTES,
    BomLine,
    CalendarException,
    CompanySettings,
    Product,
    Resource,
    RoutingStep,
    SupplyReceipt,
)
from accord.domain.sales import Customer, Opportunity, OpportunityLine, Order

T = TypeVar("T")


class RowError(ValueError):
    """A row that cannot become a domain object. ``row`` counts data rows from 1."""

    def __init__(self, table: str, row: int, message: str) -> None:
        super().__init__(f"{table} row {row}: {message}")
        self.table = table
        self.row = row


def build_rows(table: str, rows: Sequence[Row], make: Callable[[Row], T]) -> tuple[T, ...]:
    try:
        return tuple([make(row) for row in rows])
    except (ValueError, KeyError, TypeError, AttributeError):
        for number, row in enumerate(rows, start=1):
            try:
                make(row)
            except KeyError as exc:
                raise RowError(table, number, f"missing or unknown {exc.args[0]!r}") from exc
            except (ValueError, TypeError, AttributeError) as exc:
                raise RowError(table, number, str(exc)) from exc
        raise  # pragma: no cover - the second pass always finds the row


def _attributes(row: Row) -> Mapping[str, str]:
    attributes = row.get("attributes")
    return MappingProxyType(dict(attributes)) if attributes else EMPTY_ATTRIBUTES


def _float(value: object, default: float) -> float:
    return default if value is None else float(value)  # type: ignore[arg-type]


def _optional_float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def _optional_int(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]


def settings_from(dataset: Dataset) -> CompanySettings:
    raw = dataset.settings
    weights: dict[str, float] = {}
    for key, value in raw.items():
        if key.startswith(WEIGHT_PREFIX):
            try:
                weights[key.removeprefix(WEIGHT_PREFIX)] = float(value)
            except ValueError:
                raise ValueError(f"settings: {key} must be a number, got {value!r}") from None
    expense = raw.get("operating_expense_per_week")
    try:
        return CompanySettings(
            company=raw.get("company"),
            currency=raw.get("currency"),
            period=dataset.period(),
            operating_expense_per_week=float(expense) if expense else 0.0,
            as_of=dataset.as_of(),
            weights=MappingProxyType(weights),
            buffer_days=_whole_setting("buffer_days", raw.get("buffer_days"), 0),
            learned_lead_time_floor=_boolean_setting(
                "learned_lead_time_floor", raw.get("learned_lead_time_floor"), False
            ),
        )
    except ValueError as exc:
        raise ValueError(f"settings: {exc}") from exc


def _whole_setting(key: str, text: str | None, default: int) -> int:
    """A whole-number setting; spreadsheets write ``3`` as ``3.0``."""
    if text is None or not text.strip():
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not value.is_integer():
        raise ValueError(f"{key} must be a whole number, got {text!r}")
    return int(value)


def _boolean_setting(key: str, text: str | None, default: bool) -> bool:
    if text is None or not text.strip():
        return default
    low = text.strip().lower()
    if low in BOOLEAN_TRUE:
        return True
    if low in BOOLEAN_FALSE:
        return False
    raise ValueError(f"{key} must be true or false, got {text!r}")


def product_from_row(row: Row) -> Product:
    g = row.get
    sku = row["sku"]
    lead, lot = g("lead_time_days"), g("lot_size")
    return Product(
        sku=sku,
        name=g("name") or sku,
        family=g("family"),
        unit_price=float(row["unit_price"]),
        material_cost=float(row["material_cost"]),
        lead_time_days=0 if lead is None else int(lead),
        lot_size=1.0 if lot is None else float(lot),
        safety_stock=_float(g("safety_stock"), 0.0),
        holding_cost=_float(g("holding_cost"), 0.0),
        backlog_cost=_float(g("backlog_cost"), 0.0),
        subcontract_cost=_optional_float(g("subcontract_cost")),
        subcontract_max_per_period=_optional_float(g("subcontract_max_per_period")),
        min_ending_inventory=_float(g("min_ending_inventory"), 0.0),
        active=g("active") is not False,
        attributes=_attributes(row),
    )


def resource_from_row(row: Row) -> Resource:
    g = row.get
    rid = row["resource"]
    workers = g("workers")
    mon, tue, wed, thu, fri, sat, sun = (float(row[d]) for d in WEEKDAYS)
    return Resource(
        resource=rid,
        name=g("name") or rid,
        kind=(g("kind") or "machine").strip().lower(),
        weekday_minutes=(mon, tue, wed, thu, fri, sat, sun),
        overtime_minutes_per_day=_float(g("overtime_minutes_per_day"), 0.0),
        overtime_cost_per_minute=_float(g("overtime_cost_per_minute"), 0.0),
        regular_cost_per_minute=_float(g("regular_cost_per_minute"), 0.0),
        # A crew without a stated head count is one person.
        workers=1 if workers is None else int(workers),
        hire_cost=_optional_float(g("hire_cost")),
        layoff_cost=_optional_float(g("layoff_cost")),
        min_workers=_optional_int(g("min_workers")),
        max_workers=_optional_int(g("max_workers")),
    )


def calendar_exception_from_row(row: Row) -> CalendarException:
    return CalendarException(row["resource"], row["date"], float(row["minutes"]))


def routing_step_from_row(row: Row) -> RoutingStep:
    return RoutingStep(
        sku=row["sku"],
        step=int(row["step"]),
        resource=row["resource"],
        minutes_per_unit=float(row["minutes_per_unit"]),
        setup_minutes=_float(row.get("setup_minutes"), 0.0),
    )


def bom_line_from_row(row: Row) -> BomLine:
    return BomLine(row["sku"], row["component"], float(row["quantity_per"]))


def supply_from_row(row: Row) -> SupplyReceipt:
    return SupplyReceipt(row["supply_id"], row["sku"], float(row["quantity"]), row["date"])


def customer_from_row(row: Row) -> Customer:
    g = row.get
    scores: dict[str, float] = {}
    for column, text in (g("attributes") or {}).items():
        try:
            scores[column] = float(text)
        except ValueError:
            raise ValueError(f"checklist {column} must be a number, got {text!r}") from None
    cid = row["customer"]
    return Customer(
        customer=cid,
        name=g("name") or cid,
        segment=g("segment"),
        region=g("region"),
        checklist=MappingProxyType(scores),
    )


def order_from_row(row: Row) -> Order:
    g = row.get
    line, priority, status = g("line"), g("priority"), g("status")
    return Order(
        order_id=row["order_id"],
        line=1 if line is None else line,
        customer=row["customer"],
        sku=row["sku"],
        quantity=float(row["quantity"]),
        due_date=row["due_date"],
        promised_date=g("promised_date"),
        priority=3 if priority is None else priority,
        status="open" if status is None else status.strip().lower(),
        owner=g("owner"),
        opportunity_id=g("opportunity_id"),
        latest_date=g("latest_date"),
        min_shipment=_optional_float(g("min_shipment")),
        attributes=_attributes(row),
    )


def opportunity_from_row(row: Row) -> Opportunity:
    g = row.get
    return Opportunity(
        opportunity_id=row["opportunity_id"],
        customer=row["customer"],
        stage=row["stage"],
        probability=float(row["probability"]),
        owner=g("owner"),
        close_date=g("close_date"),
        requested_date=g("requested_date"),
        created_date=g("created_date"),
        attributes=_attributes(row),
    )


def opportunity_line_maker(
    products: Mapping[str, Product], opportunities: Mapping[str, Opportunity]
) -> Callable[[Row], OpportunityLine]:
    """Lines default their price to the product's and their date to the deal's."""

    def make(row: Row) -> OpportunityLine:
        g = row.get
        sku = row["sku"]
        line, price, requested = g("line"), g("unit_price"), g("requested_date")
        if requested is None:
            requested = opportunities[row["opportunity_id"]].requested_date
        return OpportunityLine(
            opportunity_id=row["opportunity_id"],
            line=1 if line is None else line,
            sku=sku,
            quantity=float(row["quantity"]),
            unit_price=products[sku].unit_price if price is None else float(price),
            requested_date=requested,
            latest_date=g("latest_date"),
            min_shipment=_optional_float(g("min_shipment")),
            attributes=_attributes(row),
        )

    return make


def inventory_from_rows(rows: Iterable[Row]) -> dict[str, float]:
    on_hand: dict[str, float] = {}
    for row in rows:
        on_hand[row["sku"]] = on_hand.get(row["sku"], 0.0) + float(row["on_hand"])
    return on_hand


def by_key(items: Iterable[T], key: Callable[[T], str]) -> Mapping[str, T]:
    return MappingProxyType({key(item): item for item in items})
