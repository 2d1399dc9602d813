"""Rows <-> the CRM sync state and the webhook's answered events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from accord.storage.crm_tables import crm_sync_state, crm_webhook_events


def last_sync(conn: Connection, source: str) -> dt.datetime | None:
    """When ``source`` was last pulled (UTC), or None before the first pull."""
    query = select(crm_sync_state.c.last_sync_at).where(crm_sync_state.c.source == source)
    value: dt.datetime | None = conn.execute(query).scalar_one_or_none()
    if value is None:
        return None
    # SQLite gives back naive datetimes: they were stored as UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def record_sync(
    conn: Connection, source: str, at: dt.datetime, deals: int, dataset_version: int
) -> None:
    conn.execute(delete(crm_sync_state).where(crm_sync_state.c.source == source))
    conn.execute(
        insert(crm_sync_state).values(
            source=source, last_sync_at=at, deals_pulled=deals, dataset_version=dataset_version
        )
    )


def webhook_answer(conn: Connection, source: str, event_id: str) -> dict[str, Any] | None:
    """The answer given to an earlier delivery of this event, if any."""
    query = select(crm_webhook_events.c.answer).where(
        crm_webhook_events.c.source == source, crm_webhook_events.c.event_id == event_id
    )
    answer: dict[str, Any] | None = conn.execute(query).scalar_one_or_none()
    return answer


def record_webhook(
    conn: Connection,
    source: str,
    event_id: str,
    opportunity_id: str,
    at: dt.datetime,
    answer: dict[str, Any],
) -> None:
    conn.execute(
        insert(crm_webhook_events).values(
            source=source,
            event_id=event_id,
            opportunity_id=opportunity_id,
            received_at=at,
            answer=answer,
        )
    )
