"""Stored forecast versions: forecast_versions, forecast_skus, forecast_rows.

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "forecast_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("dataset_version", sa.Integer(), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("period", sa.Text(), nullable=False),
        sa.Column("horizon", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("series", sa.Integer(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("accuracy", sa.JSON(), nullable=False),
        sa.Column("models", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_versions")),
    )
    op.create_table(
        "forecast_skus",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("demand_class", sa.Text(), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("mase", sa.Double(), nullable=True),
        sa.Column("wape", sa.Double(), nullable=True),
        sa.Column("baseline_mase", sa.Double(), nullable=True),
        sa.Column("baseline_wape", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["forecast_versions.id"],
            name=op.f("fk_forecast_skus_version_id_forecast_versions"),
        ),
        sa.PrimaryKeyConstraint("version_id", "sku", name=op.f("pk_forecast_skus")),
    )
    op.create_table(
        "forecast_rows",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("quantity", sa.Double(), nullable=False),
        sa.Column("lo", sa.Double(), nullable=True),
        sa.Column("hi", sa.Double(), nullable=True),
        sa.Column("model", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["forecast_versions.id"],
            name=op.f("fk_forecast_rows_version_id_forecast_versions"),
        ),
        sa.PrimaryKeyConstraint("version_id", "sku", "period_start", name=op.f("pk_forecast_rows")),
    )


def downgrade() -> None:
    op.drop_table("forecast_rows")
    op.drop_table("forecast_skus")
    op.drop_table("forecast_versions")
