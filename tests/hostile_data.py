"""A company whose every free-text value carries markup an attacker would plant in a CRM.

Each distinct text value ``v`` becomes ``v + ATTACK`` wherever it appears, so references
between tables (a customer's id in its orders, a resource in its routings) still match
and the dataset loads; only the columns whose values Accord interprets (an order's
status, a resource's kind, a rule's operator and allowed values, settings keys) keep
their values.
"""

from __future__ import annotations

from typing import Any

from accord.io.files import read_dataset
from accord.storage.database import Database
from tests.api.conftest import TINY

# Closes an attribute, a JSON block and a script; opens an image that would fetch /x and a
# form that htmx (or any script) would submit with the victim's session.
ATTACK = (
    "\"'><img src=x onerror=fetch('/leak')></script>"
    "<form method=post action=/deal-desk/reserve hx-post=/deal-desk/reserve hx-trigger=load>"
)
_INTERPRETED = {"status", "kind", "operator", "value", "key"}


def hostile_tables() -> dict[str, tuple[dict[str, Any], ...]]:
    dataset = read_dataset(TINY)
    hostile: dict[str, str] = {}

    def swap(column: str, value: Any) -> Any:
        if not isinstance(value, str) or not value or column in _INTERPRETED:
            return value
        return hostile.setdefault(value, value + ATTACK)

    tables = {
        name: tuple({column: swap(column, v) for column, v in row.items()} for row in rows)
        for name, rows in dataset.tables.items()
    }
    tables["settings"] = tuple(
        {**row, "value": row["value"] + ATTACK} if row["key"] == "company" else row
        for row in tables["settings"]
    )
    return tables


def store_hostile_company(db: Database) -> None:
    from accord.services.datasets import store_dataset

    dataset = read_dataset(TINY)
    store_dataset(db, type(dataset)(tables=hostile_tables(), warnings=dataset.warnings), "hostile")
