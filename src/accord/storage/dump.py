"""Every table of the schema as plain JSON-ready rows, and back: the storage side of
`accord backup` and `accord restore`.

The format does not depend on the database, so a backup of the SQLite file restores into
PostgreSQL and back. Values are encoded by column type (dates and timestamps as ISO text).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    DateTime,
    Integer,
    Table,
    delete,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.exc import SQLAlchemyError

from accord.errors import BadInput
from accord.storage.schema import metadata

BATCH = 5_000


def tables() -> list[Table]:
    """Every table, parents before children (the order to insert in)."""
    return list(metadata.sorted_tables)


def schema_revisions(conn: Connection) -> list[str]:
    rows = conn.execute(text("SELECT version_num FROM alembic_version"))
    return sorted(str(r[0]) for r in rows)


def _encoder(table: Table) -> list[tuple[str, bool]]:
    return [(c.name, isinstance(c.type, Date | DateTime)) for c in table.columns]


def read_rows(conn: Connection, table: Table) -> Iterator[dict[str, Any]]:
    columns = _encoder(table)
    order = list(table.primary_key.columns) or list(table.columns)
    for row in conn.execute(select(table).order_by(*order)).yield_per(BATCH):
        values = row._mapping
        yield {
            name: values[name].isoformat() if is_time and values[name] is not None else values[name]
            for name, is_time in columns
        }


def _decoder(table: Table) -> dict[str, Any]:
    decoders: dict[str, Any] = {}
    for column in table.columns:
        if isinstance(column.type, DateTime):
            aware = bool(column.type.timezone)

            def timestamp(value: str, aware: bool = aware) -> dt.datetime:
                parsed = dt.datetime.fromisoformat(value)
                if aware and parsed.tzinfo is None:
                    parsed = parsed.replace(tzinfo=dt.UTC)  # SQLite kept it as naive UTC
                return parsed

            decoders[column.name] = timestamp
        elif isinstance(column.type, Date):
            decoders[column.name] = dt.date.fromisoformat
    return decoders


def clear_all(conn: Connection) -> None:
    for table in reversed(tables()):
        conn.execute(delete(table))


def write_rows(conn: Connection, table: Table, rows: Iterable[dict[str, Any]]) -> int:
    decoders = _decoder(table)
    known = set(table.columns.keys())
    batch: list[dict[str, Any]] = []
    count = 0
    try:
        for row in rows:
            if set(row) != known:
                raise BadInput(
                    f"{table.name}: a backed-up row has columns {sorted(row)}, "
                    f"the table has {sorted(known)}"
                )
            for name, decode in decoders.items():
                if row[name] is not None:
                    row[name] = decode(row[name])
            batch.append(row)
            if len(batch) == BATCH:
                conn.execute(insert(table), batch)
                count, batch = count + len(batch), []
        if batch:
            conn.execute(insert(table), batch)
            count += len(batch)
    except (SQLAlchemyError, ValueError, TypeError) as exc:
        raise BadInput(f"{table.name}: the backup's rows do not fit the table: {exc}") from exc
    return count


def reset_sequences(conn: Connection) -> None:
    """PostgreSQL: move each serial id past the restored rows, so new rows get fresh ids."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables():
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        if keys[0].autoincrement is False:
            continue
        sequence = conn.execute(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": keys[0].name}
        ).scalar()
        if sequence is None:
            continue
        highest = conn.execute(select(func.max(keys[0]))).scalar()
        conn.execute(
            text("SELECT setval(CAST(:s AS regclass), :v, :called)"),
            {"s": sequence, "v": highest or 1, "called": highest is not None},
        )
