"""Tables of the deal desk: reservations, the log of promises given, and deal checks.

- ``reservations``: capacity committed for a deal, loaded after the open orders by every
  later question while ``active`` and not expired, or once ``confirmed``; ``released``
  ones are kept for the record.
- ``promises``: every promise given (inquiry answers with a requested date, reservations,
  deal checks) with the date promised, for reliability (SPEC §5.9).
- ``check_log``: each deal check (who, when, which opportunity, the verdict and answer).
- ``idempotency_keys``: the ``Idempotency-Key`` of each reserving request, per user, with a
  digest of what was asked and the answer given, written in the transaction of the
  reservations it made: a retry of a request that committed gets that answer again.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Double,
    Index,
    Integer,
    Table,
    Text,
)

from accord.storage.tables import metadata

RESERVATION_STATUSES = ("active", "confirmed", "released")

reservations = Table(
    "reservations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sku", Text, nullable=False),
    Column("quantity", Double, nullable=False),
    Column("customer", Text, nullable=True),
    Column("opportunity_id", Text, nullable=True),
    Column("requested_date", Date, nullable=True),
    Column("promised_date", Date, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("status", Text, nullable=False),
    Column("created_by", Text, nullable=True),
    CheckConstraint("status IN ('active', 'confirmed', 'released')", name="status"),
    CheckConstraint("quantity > 0", name="quantity"),
    # Every reserve and desk refresh reads the ones holding capacity by these two.
    Index("ix_reservations_status_expires_at", "status", "expires_at"),
)

promises = Table(
    "promises",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", Text, nullable=False),  # inquiry, reservation, check
    Column("sku", Text, nullable=False),
    Column("quantity", Double, nullable=False),
    Column("customer", Text, nullable=True),
    Column("opportunity_id", Text, nullable=True),
    Column("reservation_id", Integer, nullable=True),
    Column("as_of", Date, nullable=False),
    Column("requested_date", Date, nullable=True),
    Column("promised_date", Date, nullable=True),
    Column("verdict", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", Text, nullable=True),
)

check_log = Table(
    "check_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("opportunity_id", Text, nullable=False),
    Column("checked_at", DateTime(timezone=True), nullable=False),
    Column("checked_by", Text, nullable=True),
    Column("verdict", Text, nullable=False),
    Column("earliest_date", Date, nullable=True),
    Column("requested_date", Date, nullable=True),
    Column("answer", JSON, nullable=False),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("username", Text, primary_key=True),
    Column("idempotency_key", Text, primary_key=True),
    Column("request_digest", Text, nullable=False),  # SHA-256 of the request it answered
    Column("status", Integer, nullable=False),  # the HTTP status of the answer
    Column("answer", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
