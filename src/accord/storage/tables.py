"""The database schema, as SQLAlchemy Core tables. One stable file: migrations follow it.

Every dataset table of ``accord.domain.dataset.TABLES`` is stored as ``ds_<name>``: its
columns, typed by kind, plus ``pos`` (the row's place in the file, the primary key) and
``attributes`` (the unknown columns of the row as JSON, NULL when there are none).
``dataset_meta`` holds the one current dataset's version, bumped by every import.

Changing ``TABLES`` changes this schema: add a migration (a test compares the two).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Double,
    Integer,
    MetaData,
    Table,
    Text,
)
from sqlalchemy.types import TypeEngine

from accord.domain.dataset import TABLES, Kind
from accord.domain.dataset import Table as DatasetTable

# Stable constraint names, so migrations can refer to them on both databases.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# ``number`` is a double: 8-byte IEEE on both databases, so Python floats round-trip exactly.
COLUMN_TYPES: dict[Kind, Callable[[], TypeEngine[Any]]] = {
    "text": Text,
    "integer": BigInteger,
    "number": Double,
    "date": Date,
    "timestamp": DateTime,
    "boolean": Boolean,
}

ROW_POSITION = "pos"
ROW_ATTRIBUTES = "attributes"


def _dataset_table(table: DatasetTable) -> Table:
    return Table(
        f"ds_{table.name}",
        metadata,
        # INTEGER PRIMARY KEY is SQLite's rowid: rows are stored in file order, no extra index.
        Column(ROW_POSITION, Integer, primary_key=True, autoincrement=False),
        *(Column(c.name, COLUMN_TYPES[c.kind](), nullable=not c.required) for c in table.columns),
        # none_as_null: a row without unknown columns stores SQL NULL, not the JSON 'null'.
        Column(ROW_ATTRIBUTES, JSON(none_as_null=True), nullable=True),
    )


DATASET_TABLES: dict[str, Table] = {name: _dataset_table(t) for name, t in TABLES.items()}

# The current dataset: a single row (id = 1). Caches key on ``version``.
dataset_meta = Table(
    "dataset_meta",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", Integer, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("source", Text, nullable=False),
    Column("row_counts", JSON, nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)
