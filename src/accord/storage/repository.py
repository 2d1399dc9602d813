"""Rows <-> domain objects for the company dataset.

An import replaces the whole dataset inside the caller's transaction, so readers keep
seeing the previous dataset until it commits, and a failure (or a killed process) leaves
the previous one in place.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Text, insert, select, text, type_coerce, update

from accord.allocation import paused_gc
from accord.domain.dataset import TABLES, Dataset, Row
from accord.errors import Conflict
from accord.progress import Progress
from accord.storage import bulk
from accord.storage.engine import allow_long_work
from accord.storage.tables import DATASET_TABLES, ROW_ATTRIBUTES, ROW_POSITION, dataset_meta

_META_ID = 1
_READ_ATTEMPTS = 3


@dataclass(frozen=True)
class DatasetInfo:
    """What is known about the current dataset without loading it."""

    version: int
    imported_at: dt.datetime  # UTC, timezone-aware
    source: str
    row_counts: dict[str, int]


def replace_dataset(
    conn: Connection, dataset: Dataset, source: str, progress: Progress | None = None
) -> int:
    """Replace the stored dataset by ``dataset`` in ``conn``'s transaction; the new version.

    The caller commits. Concurrent imports are serialised: the second waits for the first.
    """
    allow_long_work(conn)
    version = _lock_and_bump_version(conn)
    for table in DATASET_TABLES.values():
        conn.execute(table.delete())
    with paused_gc():
        for name, rows in dataset.tables.items():
            if rows:
                _insert_rows(conn, name, rows, progress)
    values = {
        "imported_at": dt.datetime.now(dt.UTC),
        "source": source,
        "row_counts": {name: len(rows) for name, rows in dataset.tables.items() if rows},
    }
    if version == 1:
        conn.execute(insert(dataset_meta).values(id=_META_ID, version=version, **values))
    else:
        conn.execute(update(dataset_meta).where(dataset_meta.c.id == _META_ID).values(**values))
    return version


def load_dataset(conn: Connection) -> Dataset | None:
    """The stored dataset, rows in their original order; ``None`` if none was imported.

    Tables are read one query at a time; if an import commits in between (possible outside
    a snapshot transaction such as a read-only ``UnitOfWork``), the read starts over.
    """
    for _ in range(_READ_ATTEMPTS):
        version = current_version(conn)
        if version is None:
            return None
        tables = read_tables(conn, TABLES)
        if current_version(conn) == version:
            return Dataset(tables=tables)
    raise Conflict("the dataset kept changing while it was read; try again")


def read_tables(conn: Connection, names: Iterable[str]) -> dict[str, tuple[Row, ...]]:
    """The named tables that hold rows, rows in their original order."""
    tables: dict[str, tuple[Row, ...]] = {}
    with paused_gc():
        for name in names:
            if rows := read_table(conn, name):
                tables[name] = rows
    return tables


def read_table(conn: Connection, name: str) -> tuple[Row, ...]:
    with paused_gc():
        return tuple(_select_rows(conn, name))


def current_version(conn: Connection) -> int | None:
    """The version of the stored dataset, ``None`` if none was imported."""
    query = select(dataset_meta.c.version).where(dataset_meta.c.id == _META_ID)
    version: int | None = conn.execute(query).scalar_one_or_none()
    return version


def dataset_info(conn: Connection) -> DatasetInfo | None:
    """Version, import time, source and row counts; ``None`` if none was imported."""
    row = conn.execute(select(dataset_meta).where(dataset_meta.c.id == _META_ID)).one_or_none()
    if row is None:
        return None
    imported_at: dt.datetime = row.imported_at
    if imported_at.tzinfo is None:  # SQLite keeps no zone; it was stored in UTC
        imported_at = imported_at.replace(tzinfo=dt.UTC)
    return DatasetInfo(row.version, imported_at, row.source, dict(row.row_counts))


def _lock_and_bump_version(conn: Connection) -> int:
    if conn.dialect.name == "postgresql":
        # Serialises imports, also the very first (no row to lock yet); plain reads go on.
        conn.execute(text("LOCK TABLE dataset_meta IN SHARE ROW EXCLUSIVE MODE"))
    # On SQLite this write comes first so that it takes the write lock (waiting for another
    # writer) before anything is read: a read first would pin a snapshot that may not be
    # upgradable to a write.
    bumped = conn.execute(
        update(dataset_meta)
        .where(dataset_meta.c.id == _META_ID)
        .values(version=dataset_meta.c.version + 1)
        .returning(dataset_meta.c.version)
    ).scalar_one_or_none()
    return 1 if bumped is None else int(bumped)


def _insert_rows(
    conn: Connection, name: str, rows: Sequence[Row], progress: Progress | None
) -> None:
    advance: bulk.Advance | None = None
    if progress is not None:
        report = progress  # bound for the closure: mypy cannot narrow it inside one

        def advance(done: int, total: int) -> None:
            report(name, done, total)

    values = _values(rows, TABLES[name].column_names)
    bulk.insert_rows(conn, DATASET_TABLES[name], values, len(rows), advance)


def _values(rows: Sequence[Row], columns: Sequence[str]) -> Iterator[list[Any]]:
    """Rows as value lists in table column order: pos, the columns, attributes."""
    pick = itemgetter(*columns)
    for pos, row in enumerate(rows):
        try:
            picked = pick(row)
        except KeyError:  # a row that leaves out empty columns
            picked = tuple(row.get(c) for c in columns)
        yield [pos, *(picked if len(columns) > 1 else (picked,)), row.get(ROW_ATTRIBUTES) or None]


def _select_rows(conn: Connection, name: str) -> Iterator[Row]:
    table = DATASET_TABLES[name]
    columns = TABLES[name].column_names
    # Attributes as stored text, decoded here once per distinct value: rows share a few
    # (a colour, a destination), and decoding each row's copy was half the read time.
    attributes = type_coerce(table.c[ROW_ATTRIBUTES], Text)
    query = select(*(table.c[c] for c in columns), attributes)
    # yield_per + partitions: rows fetched in batches (a server-side cursor on PostgreSQL)
    # rather than one driver call per row.
    query = query.order_by(table.c[ROW_POSITION]).execution_options(yield_per=bulk.BATCH_ROWS)
    decoded: dict[str, dict[str, Any]] = {}
    for batch in conn.execute(query).partitions():
        for values in batch:
            row: Row = dict(zip(columns, values, strict=False))  # all but the last: attributes
            row[ROW_ATTRIBUTES] = _attributes(values[-1], decoded)
            yield row


def _attributes(stored: str | dict[str, Any] | None, decoded: dict[str, dict[str, Any]]) -> Any:
    """A row's own attributes dict from its stored JSON (the driver may have decoded it)."""
    if not stored:
        return {}
    if isinstance(stored, dict):
        return stored
    value = decoded.get(stored)
    if value is None:
        value = decoded[stored] = json.loads(stored) or {}
    return dict(value)
