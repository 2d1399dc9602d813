"""Plan versions in the database: append, list, read. Nothing is updated or deleted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, RowMapping, func, select, text

from accord.storage.plan_tables import plan_versions


@dataclass(frozen=True, slots=True)
class StoredPlan:
    id: int
    kind: str
    author: str
    note: str
    created_at: dt.datetime
    as_of: dt.date
    dataset_version: int | None
    params: dict[str, Any]
    result: dict[str, Any]
    previous_id: int | None
    diff: dict[str, Any] | None


def lock_versions(conn: Connection) -> None:
    """Serialise savers, so each new version sees the one saved just before it.

    SQLite writers already hold the database lock (BEGIN IMMEDIATE)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("LOCK TABLE plan_versions IN SHARE ROW EXCLUSIVE MODE"))


def latest(conn: Connection) -> StoredPlan | None:
    row = (
        conn.execute(select(plan_versions).order_by(plan_versions.c.id.desc()).limit(1))
        .mappings()
        .first()
    )
    return _stored(row) if row is not None else None


def insert(
    conn: Connection,
    *,
    kind: str,
    author: str,
    note: str,
    created_at: dt.datetime,
    as_of: dt.date,
    dataset_version: int | None,
    params: dict[str, Any],
    result: dict[str, Any],
    previous_id: int | None,
    diff: dict[str, Any] | None,
) -> int:
    new_id = conn.execute(
        plan_versions.insert()
        .values(
            kind=kind,
            author=author,
            note=note,
            created_at=created_at,
            as_of=as_of,
            dataset_version=dataset_version,
            params=params,
            result=result,
            previous_id=previous_id,
            diff=diff,
        )
        .returning(plan_versions.c.id)
    ).scalar_one()
    return int(new_id)


def get(conn: Connection, version_id: int) -> StoredPlan | None:
    row = (
        conn.execute(select(plan_versions).where(plan_versions.c.id == version_id))
        .mappings()
        .first()
    )
    return _stored(row) if row is not None else None


def listing(conn: Connection, limit: int = 100) -> list[StoredPlan]:
    """The newest ``limit`` versions, newest first, without their full results."""
    columns = [c for c in plan_versions.c if c.name != "result"]
    rows = (
        conn.execute(select(*columns).order_by(plan_versions.c.id.desc()).limit(limit))
        .mappings()
        .all()
    )
    return [_stored(row, with_result=False) for row in rows]


def count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(plan_versions)).scalar_one())


def _stored(row: RowMapping, with_result: bool = True) -> StoredPlan:
    created = row["created_at"]
    if created.tzinfo is None:  # SQLite keeps no zone: stored as UTC
        created = created.replace(tzinfo=dt.UTC)
    return StoredPlan(
        id=int(row["id"]),
        kind=row["kind"],
        author=row["author"],
        note=row["note"],
        created_at=created,
        as_of=row["as_of"],
        dataset_version=row["dataset_version"],
        params=dict(row["params"]),
        result=dict(row["result"]) if with_result else {},
        previous_id=row["previous_id"],
        diff=dict(row["diff"]) if row["diff"] is not None else None,
    )
