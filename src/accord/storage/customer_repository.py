"""Rows of ``customer_scores`` in and out."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, func, insert, select

from accord.storage.customer_tables import customer_scores


def save_scores(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert one saved ranking (rows with every column but ``id``)."""
    if rows:
        conn.execute(insert(customer_scores), rows)


def score_history(
    conn: Connection, customer: str | None = None, limit: int = 1000
) -> list[dict[str, Any]]:
    """Saved scores, newest first (of one customer when given)."""
    query = select(customer_scores).order_by(
        customer_scores.c.scored_at.desc(), customer_scores.c.id
    )
    if customer is not None:
        query = query.where(customer_scores.c.customer == customer)
    return [dict(r._mapping) for r in conn.execute(query.limit(limit))]


def latest_scores(conn: Connection) -> dict[str, tuple[float, str, dt.datetime]]:
    """Each customer's most recent saved score, tier and time."""
    newest = (
        select(customer_scores.c.customer, func.max(customer_scores.c.id).label("id"))
        .group_by(customer_scores.c.customer)
        .subquery()
    )
    query = select(
        customer_scores.c.customer,
        customer_scores.c.score,
        customer_scores.c.tier,
        customer_scores.c.scored_at,
    ).join(newest, newest.c.id == customer_scores.c.id)
    return {r.customer: (r.score, r.tier, r.scored_at) for r in conn.execute(query)}
