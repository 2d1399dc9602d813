"""The company dataset: the tables of SPEC §2, their columns, keys and references.

This module is the contract shared by the file readers (io/), the database (storage/), the
demo company and the snapshot. A dataset is held as plain rows: one ``dict`` per row, column
name -> parsed value (``None`` when the cell is empty), plus ``"attributes"``: the unknown
columns of that row as ``{column: text}`` (empty cells left out).

Value kinds:

- ``text``      stripped string
- ``integer``   whole number (``int``)
- ``number``    decimal number (``float``); money, quantities, minutes
- ``date``      ``datetime.date`` from ``YYYY-MM-DD``
- ``timestamp`` ``datetime.datetime`` from ``YYYY-MM-DD`` or ``YYYY-MM-DD[T ]HH:MM[:SS]``
- ``boolean``   ``bool`` from true/false, yes/no, 1/0
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["text", "integer", "number", "date", "timestamp", "boolean"]
Row = dict[str, Any]

RULE_OPERATORS = ("in", "not_in", "=", "!=", "<=", ">=", "<", ">")
ORDER_STATUSES = ("open", "shipped", "cancelled")
RESOURCE_KINDS = ("machine", "crew")
PERIODS = ("week", "month")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CLOSED_WON = ("won", "closed won")
CLOSED_LOST = ("lost", "closed lost")
CHECKLIST_MAX = 5.0
# How a boolean cell (or setting) is written, compared lower-case.
BOOLEAN_TRUE = frozenset({"true", "yes", "y", "1"})
BOOLEAN_FALSE = frozenset({"false", "no", "n", "0"})


@dataclass(frozen=True)
class Column:
    """One column of a table: how its cells parse and which values are allowed."""

    name: str
    kind: Kind = "text"
    required: bool = False
    default: Any = None
    minimum: float | None = None  # inclusive lower bound for numbers
    maximum: float | None = None  # inclusive upper bound for numbers
    positive: bool = False  # strictly greater than zero
    choices: tuple[str, ...] | None = None  # allowed values (compared lower-case)
    references: tuple[str, str] | None = None  # (table, column) that must hold the value
    wildcard: str | None = None  # a value exempt from `references` (rules: sku "*")


@dataclass(frozen=True)
class Table:
    """One table of the dataset (a CSV file or an .xlsx sheet of the same name)."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    # Unknown columns whose values must be 0..5 scores (customers' checklist).
    attribute_range: tuple[float, float] | None = None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")


def _qty(name: str, required: bool = False, default: Any = None) -> Column:
    return Column(name, "number", required=required, default=default, minimum=0.0)


_SKU = Column("sku", required=True, references=("products", "sku"))
# The customer's delivery terms on an order or opportunity line: the last date delivery is
# still accepted (empty: any date) and the smallest delivery accepted (empty: 1 unit; the
# line's quantity: ship complete). ``min_shipment`` is at most the quantity (checked
# across the row by io/validate.py).
_TERMS = (Column("latest_date", "date"), Column("min_shipment", "number", positive=True))

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "settings",
            (Column("key", required=True), Column("value", required=True)),
            key=("key",),
        ),
        Table(
            "products",
            (
                Column("sku", required=True),
                Column("name"),
                Column("family"),
                _qty("unit_price", required=True),
                _qty("material_cost", required=True),
                Column("lead_time_days", "integer", default=0, minimum=0),
                Column("lot_size", "number", default=1.0, positive=True),
                _qty("safety_stock", default=0.0),
                _qty("holding_cost", default=0.0),
                _qty("backlog_cost", default=0.0),
                _qty("subcontract_cost"),
                _qty("subcontract_max_per_period"),
                _qty("min_ending_inventory", default=0.0),
                Column("active", "boolean", default=True),
            ),
            key=("sku",),
        ),
        Table(
            "resources",
            (
                Column("resource", required=True),
                Column("name"),
                Column("kind", default="machine", choices=RESOURCE_KINDS),
                *(_qty(d, required=True) for d in WEEKDAYS),
                _qty("overtime_minutes_per_day", default=0.0),
                _qty("overtime_cost_per_minute", default=0.0),
                _qty("regular_cost_per_minute", default=0.0),
                Column("workers", "integer", minimum=0),
                _qty("hire_cost"),
                _qty("layoff_cost"),
                Column("min_workers", "integer", minimum=0),
                Column("max_workers", "integer", minimum=0),
            ),
            key=("resource",),
        ),
        Table(
            "calendar_exceptions",
            (
                Column("resource", required=True, references=("resources", "resource")),
                Column("date", "date", required=True),
                _qty("minutes", required=True),
            ),
            key=("resource", "date"),
        ),
        Table(
            "routings",
            (
                _SKU,
                Column("step", "integer", required=True, minimum=0),
                Column("resource", required=True, references=("resources", "resource")),
                _qty("minutes_per_unit", required=True),
                _qty("setup_minutes", default=0.0),
            ),
            key=("sku", "step"),
        ),
        Table(
            "bom",
            (
                _SKU,
                Column("component", required=True, references=("products", "sku")),
                Column("quantity_per", "number", required=True, positive=True),
            ),
            key=("sku", "component"),
        ),
        Table("inventory", (_SKU, _qty("on_hand", required=True)), key=("sku",)),
        Table(
            "supply",
            (
                Column("supply_id", required=True),
                _SKU,
                _qty("quantity", required=True),
                Column("date", "date", required=True),
            ),
            key=("supply_id",),
        ),
        Table(
            "customers",
            (
                Column("customer", required=True),
                Column("name"),
                Column("segment"),
                Column("region"),
            ),
            key=("customer",),
            attribute_range=(0.0, CHECKLIST_MAX),
        ),
        Table(
            "orders",
            (
                Column("order_id", required=True),
                Column("line", "integer", default=1, minimum=0),
                Column("customer", required=True, references=("customers", "customer")),
                _SKU,
                _qty("quantity", required=True),
                Column("due_date", "date", required=True),
                Column("promised_date", "date"),
                Column("priority", "integer", default=3, minimum=1),
                Column("status", default="open", choices=ORDER_STATUSES),
                Column("owner"),
                Column("opportunity_id", references=("opportunities", "opportunity_id")),
                *_TERMS,
            ),
            key=("order_id", "line"),
        ),
        Table(
            "opportunities",
            (
                Column("opportunity_id", required=True),
                Column("customer", required=True, references=("customers", "customer")),
                Column("owner"),
                Column("stage", required=True),
                Column("probability", "number", required=True, minimum=0.0, maximum=1.0),
                Column("close_date", "date"),
                Column("requested_date", "date"),
                Column("created_date", "date"),
            ),
            key=("opportunity_id",),
        ),
        Table(
            "opportunity_lines",
            (
                Column(
                    "opportunity_id",
                    required=True,
                    references=("opportunities", "opportunity_id"),
                ),
                Column("line", "integer", default=1, minimum=0),
                _SKU,
                _qty("quantity", required=True),
                _qty("unit_price"),
                Column("requested_date", "date"),
                *_TERMS,
            ),
            key=("opportunity_id", "line"),
        ),
        Table(
            "stage_history",
            (
                Column(
                    "opportunity_id",
                    required=True,
                    references=("opportunities", "opportunity_id"),
                ),
                Column("stage", required=True),
                Column("entered_at", "timestamp", required=True),
                Column("owner"),
                Column("role"),
            ),
        ),
        Table(
            "forecast",
            (
                _SKU,
                Column("period_start", "date", required=True),
                Column("period_end", "date"),
                _qty("quantity", required=True),
            ),
            key=("sku", "period_start"),
        ),
        Table(
            "demand_history",
            (
                _SKU,
                Column("date", "date", required=True),
                _qty("quantity", required=True),
                Column("customer", references=("customers", "customer")),
            ),
        ),
        Table(
            "quotas",
            (
                Column("owner", required=True),
                Column("period_start", "date", required=True),
                Column("period_end", "date", required=True),
                Column("sku", references=("products", "sku")),
                Column("family"),
                _qty("target_units"),
                _qty("target_revenue"),
            ),
        ),
        Table(
            "deliveries",
            (
                Column("order_id", required=True, references=("orders", "order_id")),
                Column("line", "integer", default=1, minimum=0),
                Column("delivered_date", "date", required=True),
                _qty("quantity", required=True),
            ),
        ),
        Table(
            "rules",
            (
                Column("sku", required=True, references=("products", "sku"), wildcard="*"),
                Column("attribute", required=True),
                Column("operator", required=True, choices=RULE_OPERATORS),
                Column("value", required=True),
                Column("message"),
            ),
        ),
        Table(
            "checks",
            (
                Column("check_id", required=True),
                Column(
                    "opportunity_id",
                    required=True,
                    references=("opportunities", "opportunity_id"),
                ),
                Column("checked_at", "timestamp", required=True),
                Column("checked_by"),
                Column("verdict"),
                Column("earliest_date", "date"),
                Column("requested_date", "date"),
            ),
            key=("check_id",),
        ),
    )
}

# Settings keys with a known meaning and the kind their value parses as.
SETTINGS_KINDS: dict[str, Kind] = {
    "as_of": "date",
    "currency": "text",
    "period": "text",
    "operating_expense_per_week": "number",
    "company": "text",
    "buffer_days": "integer",
    "learned_lead_time_floor": "boolean",
}
WEIGHT_PREFIX = "weight_"


def is_closed_won(stage: str) -> bool:
    return stage.strip().lower() in CLOSED_WON


def is_closed(stage: str) -> bool:
    s = stage.strip().lower()
    return s in CLOSED_WON or s in CLOSED_LOST


@dataclass(frozen=True)
class Dataset:
    """A whole company dataset: rows per table, only for the tables present.

    Rows keep the order they had in the file. ``settings`` rows hold their value as text;
    ``setting()`` parses the known keys.
    """

    tables: Mapping[str, tuple[Row, ...]]
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def rows(self, table: str) -> tuple[Row, ...]:
        if table not in TABLES:
            raise KeyError(f"unknown table {table!r}")
        return self.tables.get(table, ())

    def has(self, table: str) -> bool:
        return bool(self.tables.get(table))

    @property
    def settings(self) -> dict[str, str]:
        return {r["key"]: r["value"] for r in self.rows("settings")}

    def as_of(self) -> dt.date | None:
        value = self.settings.get("as_of")
        return dt.date.fromisoformat(value) if value else None

    def period(self) -> str:
        return (self.settings.get("period") or "month").strip().lower()

    def counts(self) -> dict[str, int]:
        return {name: len(self.tables.get(name, ())) for name in TABLES}


def empty_dataset() -> Dataset:
    return Dataset(tables={})
