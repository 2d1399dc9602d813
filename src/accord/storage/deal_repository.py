"""Rows of the deal desk tables (``deal_tables``) in and out, on one connection."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, insert, or_, select, text, update

from accord.storage.deal_tables import check_log, idempotency_keys, promises, reservations
from accord.storage.engine import is_sqlite

# The key of the PostgreSQL advisory lock that serialises reservation writes.
RESERVATION_LOCK = 0x0ACC0_2D


def lock_reservations(conn: Connection) -> None:
    """Serialise reservation writes until the transaction ends (SQLite: BEGIN IMMEDIATE of
    the write unit of work already holds the database write lock)."""
    if not is_sqlite(conn):
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": RESERVATION_LOCK})


def loaded_reservations(conn: Connection, now: dt.datetime) -> list[dict[str, Any]]:
    """Reservations that hold capacity: active and not expired, or confirmed; oldest first."""
    r = reservations.c
    query = (
        select(reservations)
        .where(or_(r.status == "confirmed", (r.status == "active") & (r.expires_at > now)))
        .order_by(r.id)
    )
    return [dict(row._mapping) for row in conn.execute(query)]


def all_reservations(conn: Connection, status: str | None = None) -> list[dict[str, Any]]:
    query = select(reservations).order_by(reservations.c.id)
    if status is not None:
        query = query.where(reservations.c.status == status)
    return [dict(row._mapping) for row in conn.execute(query)]


def get_reservation(conn: Connection, reservation_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(reservations).where(reservations.c.id == reservation_id)).first()
    return None if row is None else dict(row._mapping)


def add_reservation(conn: Connection, values: dict[str, Any]) -> int:
    result = conn.execute(insert(reservations).values(**values).returning(reservations.c.id))
    return int(result.scalar_one())


def set_status(conn: Connection, reservation_id: int, status: str) -> None:
    conn.execute(
        update(reservations).where(reservations.c.id == reservation_id).values(status=status)
    )


def add_promise(conn: Connection, values: dict[str, Any]) -> int:
    result = conn.execute(insert(promises).values(**values).returning(promises.c.id))
    return int(result.scalar_one())


def add_promises(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Many promises in one statement (executemany)."""
    if rows:
        conn.execute(insert(promises), rows)


def all_promises(conn: Connection) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(select(promises).order_by(promises.c.id))]


def add_check(conn: Connection, values: dict[str, Any]) -> int:
    result = conn.execute(insert(check_log).values(**values).returning(check_log.c.id))
    return int(result.scalar_one())


def logged_checks(conn: Connection) -> list[tuple[str, dt.datetime]]:
    """(opportunity id, when, in UTC without zone) of every deal check Accord logged."""
    rows = conn.execute(select(check_log.c.opportunity_id, check_log.c.checked_at))
    return [
        (
            r.opportunity_id,
            r.checked_at.astimezone(dt.UTC).replace(tzinfo=None)
            if r.checked_at.tzinfo
            else r.checked_at,
        )
        for r in rows
    ]


def remembered_answer(conn: Connection, username: str, key: str) -> dict[str, Any] | None:
    """The row of ``username``'s idempotency ``key`` (digest, status, answer), or None."""
    k = idempotency_keys.c
    row = conn.execute(
        select(idempotency_keys).where((k.username == username) & (k.idempotency_key == key))
    ).first()
    return None if row is None else dict(row._mapping)


def remember_answer(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(idempotency_keys).values(**values))
