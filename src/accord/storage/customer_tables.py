"""History of best-customer scores: one row per customer per saved ranking run."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, DateTime, Double, Index, Integer, Table, Text

from accord.storage.tables import metadata

customer_scores = Table(
    "customer_scores",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Text, nullable=False),  # one id per saved ranking
    Column("scored_at", DateTime(timezone=True), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("dataset_version", Integer, nullable=True),
    Column("customer", Text, nullable=False),
    Column("score", Double, nullable=False),
    Column("tier", Text, nullable=False),
    Column("weights", JSON, nullable=False),
    Column("criteria", JSON, nullable=False),
    Index("ix_customer_scores_customer", "customer", "scored_at"),
)
