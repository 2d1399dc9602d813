"""S&OP scenarios: named changes to the inputs, applied to a copy of the dataset's rows so
the same plan can be made with and without them (SPEC §5.4).

Changes (``Change.kind``, ``target``, ``value``):

- ``add_workers``   crew ``target`` gets ``value`` more workers (max_workers raised to fit);
                    on a machine, ``value`` more shifts of its weekday minutes (a second
                    shift: 1)
- ``capacity``      resource ``target``'s weekday and exception minutes times ``value``
- ``price``         product ``target``'s unit price becomes ``value``
- ``win_deal``      open opportunity ``target`` is won: its lines become firm orders due on
                    their requested date (else the deal's close date)
- ``lose_deal``     opportunity ``target`` is lost
- ``lose_customer`` customer ``target``'s open orders are cancelled and open deals lost
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType

from accord.domain.dataset import WEEKDAYS, Dataset, Row, is_closed

KINDS = ("add_workers", "capacity", "price", "win_deal", "lose_deal", "lose_customer")
# Largest value each kind takes: far beyond any real change, small enough for the LP.
LIMITS = {"add_workers": 10_000.0, "capacity": 1_000.0, "price": 1e9}


@dataclass(frozen=True, slots=True)
class Change:
    kind: str
    target: str
    value: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"change kind must be one of {KINDS}, got {self.kind!r}")
        if not self.target:
            raise ValueError(f"change {self.kind}: target must not be empty")
        limit = LIMITS.get(self.kind)
        if limit is not None and (self.value is None or not 0 <= self.value <= limit):
            raise ValueError(
                f"change {self.kind} {self.target}: value must be a number within 0..{limit:g}"
            )


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    changes: tuple[Change, ...]

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("scenario name must not be empty")
        if not self.changes:
            raise ValueError(f"scenario {self.name!r}: changes must not be empty")


def apply(dataset: Dataset, scenario: Scenario) -> Dataset:
    """A copy of ``dataset`` with the scenario's changes; the original is untouched.

    A change naming something that does not exist raises ``ValueError`` naming it."""
    tables = {name: list(rows) for name, rows in dataset.tables.items()}
    for change in scenario.changes:
        _APPLY[change.kind](tables, change)
    return Dataset(
        tables=MappingProxyType({k: tuple(v) for k, v in tables.items()}),
        warnings=dataset.warnings,
    )


Tables = dict[str, list[Row]]


def _edit(tables: Tables, table: str, key: str, change: Change, edit: Callable[[Row], Row]) -> None:
    rows = tables.get(table, [])
    for i, row in enumerate(rows):
        if row.get(key) == change.target:
            rows[i] = edit(dict(row))
            return
    raise ValueError(f"scenario change {change.kind}: no {table} row {change.target!r}")


def _add_workers(tables: Tables, change: Change) -> None:
    value = float(change.value or 0)

    def edit(row: Row) -> Row:
        if (row.get("kind") or "machine").strip().lower() == "crew":
            workers = int(row.get("workers") or 1) + round(value)
            row["workers"] = workers
            if row.get("max_workers") is not None:
                row["max_workers"] = max(int(row["max_workers"]), workers)
        else:
            for day in WEEKDAYS:
                row[day] = float(row[day]) * (1 + value)
        return row

    _edit(tables, "resources", "resource", change, edit)


def _capacity(tables: Tables, change: Change) -> None:
    factor = float(change.value or 0)

    def edit(row: Row) -> Row:
        for day in WEEKDAYS:
            row[day] = float(row[day]) * factor
        return row

    _edit(tables, "resources", "resource", change, edit)
    tables["calendar_exceptions"] = [
        {**r, "minutes": float(r["minutes"]) * factor} if r["resource"] == change.target else r
        for r in tables.get("calendar_exceptions", [])
    ]


def _price(tables: Tables, change: Change) -> None:
    _edit(tables, "products", "sku", change, lambda row: {**row, "unit_price": change.value})


def _close(row: Row, stage: str) -> Row:
    return {**row, "stage": stage, "probability": 1.0 if stage == "won" else 0.0}


def _open_deal(tables: Tables, change: Change) -> Row:
    for row in tables.get("opportunities", []):
        if row["opportunity_id"] == change.target:
            if is_closed(row["stage"]):
                raise ValueError(f"scenario change {change.kind}: {change.target} is closed")
            return row
    raise ValueError(f"scenario change {change.kind}: no opportunities row {change.target!r}")


def _win_deal(tables: Tables, change: Change) -> None:
    deal = _open_deal(tables, change)
    lines = [r for r in tables.get("opportunity_lines", []) if r["opportunity_id"] == change.target]
    due_default: dt.date | None = deal.get("requested_date") or deal.get("close_date")
    orders = tables.setdefault("orders", [])
    for n, line in enumerate(lines, start=1):
        due = line.get("requested_date") or due_default
        if due is None:
            raise ValueError(f"scenario win_deal {change.target}: line {n} has no date")
        orders.append(
            {
                "order_id": f"{change.target}-WON",
                "line": n,
                "customer": deal["customer"],
                "sku": line["sku"],
                "quantity": line["quantity"],
                "due_date": due,
                "promised_date": None,
                "priority": None,
                "status": "open",
                "owner": deal.get("owner"),
                "opportunity_id": change.target,
                "attributes": line.get("attributes") or {},
            }
        )
    _edit(tables, "opportunities", "opportunity_id", change, lambda row: _close(row, "won"))


def _lose_deal(tables: Tables, change: Change) -> None:
    _open_deal(tables, change)
    _edit(tables, "opportunities", "opportunity_id", change, lambda row: _close(row, "lost"))


def _lose_customer(tables: Tables, change: Change) -> None:
    if not any(r["customer"] == change.target for r in tables.get("customers", [])):
        raise ValueError(f"scenario change lose_customer: no customers row {change.target!r}")
    tables["orders"] = [
        {**r, "status": "cancelled"}
        if r["customer"] == change.target and (r.get("status") or "open") == "open"
        else r
        for r in tables.get("orders", [])
    ]
    tables["opportunities"] = [
        _close(r, "lost") if r["customer"] == change.target and not is_closed(r["stage"]) else r
        for r in tables.get("opportunities", [])
    ]


_APPLY: dict[str, Callable[[Tables, Change], None]] = {
    "add_workers": _add_workers,
    "capacity": _capacity,
    "price": _price,
    "win_deal": _win_deal,
    "lose_deal": _lose_deal,
    "lose_customer": _lose_customer,
}
