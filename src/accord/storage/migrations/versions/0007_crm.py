"""CRM live sync state and the webhook's answered deal changes.

Revision ID: 0007
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "crm_sync_state",
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("last_sync_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deals_pulled", sa.Integer(), nullable=False),
        sa.Column("dataset_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_crm_sync_state")),
    )
    op.create_table(
        "crm_webhook_events",
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("event_id", sa.Text(), nullable=False),
        sa.Column("opportunity_id", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("source", "event_id", name=op.f("pk_crm_webhook_events")),
    )


def downgrade() -> None:
    op.drop_table("crm_webhook_events")
    op.drop_table("crm_sync_state")
