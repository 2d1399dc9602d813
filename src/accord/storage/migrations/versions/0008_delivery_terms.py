"""The customer's delivery terms on order and opportunity lines: latest_date, min_shipment.

Revision ID: 0008
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("ds_orders", "ds_opportunity_lines")


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("latest_date", sa.Date(), nullable=True))
            batch.add_column(sa.Column("min_shipment", sa.Double(), nullable=True))


def downgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("min_shipment")
            batch.drop_column("latest_date")
