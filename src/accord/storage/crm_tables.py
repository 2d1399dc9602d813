"""CRM sync: when each CRM was last pulled (the next pull asks only for changes), and the
deal changes the webhook answered."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Integer, Table, Text

from accord.storage.tables import metadata

crm_sync_state = Table(
    "crm_sync_state",
    metadata,
    Column("source", Text, primary_key=True),  # "salesforce" or "hubspot"
    # The pull's start time: changes made while it ran are asked for again next time.
    Column("last_sync_at", DateTime(timezone=True), nullable=False),
    Column("deals_pulled", Integer, nullable=False),
    Column("dataset_version", Integer, nullable=False),
)

# Deal changes received by the webhook, so a repeated delivery gets the first answer again.
crm_webhook_events = Table(
    "crm_webhook_events",
    metadata,
    Column("source", Text, primary_key=True),
    Column("event_id", Text, primary_key=True),  # HubSpot eventId, Salesforce Notification Id
    Column("opportunity_id", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("answer", JSON, nullable=False),
)
