"""Bulk row transfer for the multi-million-row dataset tables.

SQLAlchemy's per-row parameter handling costs more than the database itself at this size,
so rows go to the driver as plain tuples: executemany on SQLite, COPY on PostgreSQL (several
times faster than INSERT). Values are still converted by each column type's own bind
processor, so what is stored is exactly what Core would store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import islice
from typing import Any

from psycopg import Connection as PsycopgConnection
from psycopg import sql
from psycopg.types.json import Json
from sqlalchemy import JSON, Connection, Table

# Rows per executemany (and between progress reports): large enough to amortise round
# trips, small enough to keep memory flat.
BATCH_ROWS = 10_000

# progress(rows_done, rows_total)
Advance = Callable[[int, int], None]


def insert_rows(
    conn: Connection,
    table: Table,
    rows: Iterable[list[Any]],
    total: int,
    advance: Advance | None = None,
) -> None:
    """Insert ``rows`` (values in the order of ``table.columns``) in ``conn``'s transaction.

    The value lists are converted in place (they are made for this call).
    """
    if conn.dialect.name == "postgresql":
        _copy(conn, table, rows, total, advance)
    else:
        _sqlite_executemany(conn, table, rows, total, advance)


def _sqlite_executemany(
    conn: Connection,
    table: Table,
    rows: Iterable[list[Any]],
    total: int,
    advance: Advance | None,
) -> None:
    dialect = conn.dialect
    processors = [
        (i, p)
        for i, c in enumerate(table.columns)
        if (p := c.type.dialect_impl(dialect).bind_processor(dialect)) is not None
    ]
    quote = dialect.identifier_preparer.quote
    columns = ", ".join(quote(c.name) for c in table.columns)
    marks = ", ".join("?" for _ in table.columns)
    statement = f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({marks})"
    done = 0
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH_ROWS)):
        params = []
        for row in batch:
            for i, process in processors:
                if row[i] is not None:
                    row[i] = process(row[i])
            params.append(tuple(row))
        conn.exec_driver_sql(statement, params)
        done += len(batch)
        if advance is not None:
            advance(done, total)


def _copy(
    conn: Connection,
    table: Table,
    rows: Iterable[list[Any]],
    total: int,
    advance: Advance | None,
) -> None:
    # The driver connection under SQLAlchemy's: COPY runs in the same transaction.
    raw = conn.connection.driver_connection
    assert isinstance(raw, PsycopgConnection)
    json_at = [i for i, c in enumerate(table.columns) if isinstance(c.type, JSON)]
    types = [c.type.compile(dialect=conn.dialect).lower() for c in table.columns]
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
        sql.Identifier(table.name),
        sql.SQL(", ").join(sql.Identifier(c.name) for c in table.columns),
    )
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        copy.set_types(types)
        for done, row in enumerate(rows, 1):
            for i in json_at:
                if row[i] is not None:
                    row[i] = Json(row[i])
            copy.write_row(row)
            if advance is not None and (done % BATCH_ROWS == 0 or done == total):
                advance(done, total)
