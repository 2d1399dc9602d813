"""customer_scores: the history of best-customer rankings.

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customer_scores",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Text(), nullable=False),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("dataset_version", sa.Integer(), nullable=True),
        sa.Column("customer", sa.Text(), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("tier", sa.Text(), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_scores")),
    )
    op.create_index(
        "ix_customer_scores_customer", "customer_scores", ["customer", "scored_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_customer_scores_customer", table_name="customer_scores")
    op.drop_table("customer_scores")
