"""The dataset tables (ds_<table> for every table of SPEC §2) and dataset_meta.

Revision ID: 0001
Revises:
Create Date: 2026-11-23

Written out in full, not derived from accord.domain.dataset.TABLES at run time: a later
change to TABLES must come with its own revision.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dataset_meta",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("row_counts", sa.JSON(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_dataset_meta_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset_meta")),
    )
    op.create_table(
        "ds_bom",
        sa.Column("pos", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("component", sa.Text(), nullable=False),
        sa.Column("quantity_per", sa.Double(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("pos", name=op.f("pk_ds_bom")),
    )
    op.create_table(
        "ds_calendar_exceptions",
        sa.Column("pos", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("resource", sa.Text(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Double(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("pos", name=op.f("pk_ds_calendar_exceptions")),
    )
    op.create_table(
        "ds_checks",
        sa.Column("pos", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("check_id", sa.Text(), nullable=False),
        sa.Column("opportunity_id", sa.Text(), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.Column("checked_by", sa.Text(), nullable=True),
        sa.Column("verdict", sa.Text(), nullable=True),
        sa.Column("earliest_date", sa.Date(), nullable=True),
        sa.Column("requested_date", sa.Date(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("pos", name=op.f("pk_ds_checks")),
    )
    op.create_table(
        "ds_customers",
        sa.Column("pos", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("customer", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("segment", sa.Text(), nullable=True),
        sa.Column("region", sa.Text(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("pos", name=op.f("pk_ds_customers")),
    )
    op.create_table(
        "ds_deliveries",
        sa.Column("pos", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("order_id", sa.Text(), nullable=False),
        sa.Column("line", sa.BigInteger(), nullable=True),
        sa.Column("delivered_date", sa.Date(), nullable=False),
        sa.Column("quantity", sa.Double(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("pos", name=op.f("pk_ds_deliveries")),
    )
    op.create_table(
        "ds_demand_history",
        sa.Column("pos", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("quantity", sa.Double(), nullable=False),
        sa.Column("customer", sa.Text(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("pos", name=op.f("pk_ds_demand_history")),
    )
    op.create_table(
        "ds_forecast",
        sa.Column("pos", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("quantity", sa.Double(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("pos", name=op.f("pk_ds_forecast")),
    )
    op.create_table(
        "ds_inventory",
        sa.Column("pos", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("on_hand", sa.Double(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("pos", name=op.f("pk_ds_inventory")),
    )
    op.create_table(
        "ds_opportunities",
        sa.Column("pos", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("opportunity_id", sa.Text(), nullable=False),
        sa.Column("customer", sa.Text(), nullable=False),
        sa.Column("owner", sa.Text(), nullable=True),
        sa.Column("stage", sa.Text(), nullable=False),
        sa.Column("probability", sa.Double(), nullable=False),
        sa.Column("close_date", sa.Date(), nullable=True),
        sa.Column("requested_date", sa.Date(), nullable=True),
        sa.Column("created_date", sa.Date(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("pos", name=op.f("pk_ds_opportunities")),
    )
    op.create_table(
        "ds_opportunity_lines",
        sa.Column("pos", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("opportunity_id", sa.Text(), nullable=False),
        sa.Column("line", sa.BigInteger(), nullable=True),
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Double(), nullable=False),
        sa.Column("unit_price", sa.Double(), nullable=True),
        sa.Column("requested_date", sa.Date(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("pos", name=op.f("pk_ds_opportunity_lines")),
    )
    op.create_table(
        "ds_orders",
        sa.Column("pos", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("order_id", sa.Text(), nullable=False),
        sa.Column("line", sa.BigInteger(), nullable=True),
        sa.Column("customer", sa.Text(), nullable=False),
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Double(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("promised_date", sa.Date(), nullable=True),
        sa.Column("priority", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.Text(), nullable=True),
        sa.Column("owner", sa.Text(), nullable=True),
        sa.Column("opportunity_id", sa.Text(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("pos", name=op.f("pk_ds_orders")),
    )
    op.create_table(
        "ds_products",
        sa.Column("pos", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("family", sa.Text(), nullable=True),
        sa.Column("unit_price", sa.Double(), nullable=False),
        sa.Column("material_cost", sa.Double(), nullable=False),
        sa.Column("lead_time_days", sa.BigInteger(), nullable=True),
        sa.Column("lot_size", sa.Double(), nullable=True),
        sa.Column("safety_stock", sa.Double(), nullable=True),
        sa.Column("holding_cost", sa.Double(), nullable=True),
        sa.Column("backlog_cost", sa.Double(), nullable=True),
        sa.Column("subcontract_cost", sa.Double(), nullable=True),
        sa.Column("subcontract_max_per_period", sa.Double(), nullable=True),
        sa.Column("min_ending_inventory", sa.Double(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("pos", name=op.f("pk_ds_products")),
    )
    op.create_table(
        "ds_quotas",
        sa.Column("pos", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("owner", sa.Text(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("sku", sa.Text(), nullable=True),
        sa.Column("family", sa.Text(), nullable=True),
        sa.Column("target_units", sa.Double(), nullable=True),
        sa.Column("target_revenue", sa.Double(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("pos", name=op.f("pk_ds_quotas")),
    )
    op.create_table(
        "ds_resources",
        sa.Column("pos", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("resource", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("kind", sa.Text(), nullable=True),
        sa.Column("mon", sa.Double(), nullable=False),
        sa.Column("tue", sa.Double(), nullable=False),
        sa.Column("wed", sa.Double(), nullable=False),
        sa.Column("thu", sa.Double(), nullable=False),
        sa.Column("fri", sa.Double(), nullable=False),
        sa.Column("sat", sa.Double(), nullable=False),
        sa.Column("sun", sa.Double(), nullable=False),
        sa.Column("overtime_minutes_per_day", sa.Double(), nullable=True),
        sa.Column("overtime_cost_per_minute", sa.Double(), nullable=True),
        sa.Column("regular_cost_per_minute", sa.Double(), nullable=True),
        sa.Column("workers", sa.BigInteger(), nullable=True),
        sa.Column("hire_cost", sa.Double(), nullable=True),
        sa.Column("layoff_cost", sa.Double(), nullable=True),
        sa.Column("min_workers", sa.BigInteger(), nullable=True),
        sa.Column("max_workers", sa.BigInteger(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("pos", name=op.f("pk_ds_resources")),
    )
    op.create_table(
        "ds_routings",
        sa.Column("pos", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("step", sa.BigInteger(), nullable=False),
        sa.Column("resource", sa.Text(), nullable=False),
        sa.Column("minutes_per_unit", sa.Double(), nullable=False),
        sa.Column("setup_minutes", sa.Double(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("pos", name=op.f("pk_ds_routings")),
    )
    op.create_table(
        "ds_rules",
        sa.Column("pos", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("attribute", sa.Text(), nullable=False),
        sa.Column("operator", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("pos", name=op.f("pk_ds_rules")),
    )
    op.create_table(
        "ds_settings",
        sa.Column("pos", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("pos", name=op.f("pk_ds_settings")),
    )
    op.create_table(
        "ds_stage_history",
        sa.Column("pos", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("opportunity_id", sa.Text(), nullable=False),
        sa.Column("stage", sa.Text(), nullable=False),
        sa.Column("entered_at", sa.DateTime(), nullable=False),
        sa.Column("owner", sa.Text(), nullable=True),
        sa.Column("role", sa.Text(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("pos", name=op.f("pk_ds_stage_history")),
    )
    op.create_table(
        "ds_supply",
        sa.Column("pos", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("supply_id", sa.Text(), nullable=False),
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Double(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("pos", name=op.f("pk_ds_supply")),
    )


def downgrade() -> None:
    op.drop_table("ds_supply")
    op.drop_table("ds_stage_history")
    op.drop_table("ds_settings")
    op.drop_table("ds_rules")
    op.drop_table("ds_routings")
    op.drop_table("ds_resources")
    op.drop_table("ds_quotas")
    op.drop_table("ds_products")
    op.drop_table("ds_orders")
    op.drop_table("ds_opportunity_lines")
    op.drop_table("ds_opportunities")
    op.drop_table("ds_inventory")
    op.drop_table("ds_forecast")
    op.drop_table("ds_demand_history")
    op.drop_table("ds_deliveries")
    op.drop_table("ds_customers")
    op.drop_table("ds_checks")
    op.drop_table("ds_calendar_exceptions")
    op.drop_table("ds_bom")
    op.drop_table("dataset_meta")
