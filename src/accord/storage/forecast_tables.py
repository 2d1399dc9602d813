"""Stored forecasts: each run saved is a new version; nothing is overwritten in place.

- ``forecast_versions``: who saved it, when, on which dataset version and as-of date, the
  settings of the run, the overall accuracy and the count of series per model;
- ``forecast_skus``: per SKU its demand class, chosen model and back-test accuracy;
- ``forecast_rows``: per SKU and period the forecast quantity and its interval.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
)

from accord.storage.tables import metadata

forecast_versions = Table(
    "forecast_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("author", Text, nullable=False),
    Column("note", Text, nullable=True),
    Column("dataset_version", Integer, nullable=True),
    Column("as_of", Date, nullable=False),
    Column("period", Text, nullable=False),
    Column("horizon", Integer, nullable=False),
    Column("level", Integer, nullable=False),
    Column("series", Integer, nullable=False),
    Column("settings", JSON, nullable=False),
    Column("accuracy", JSON, nullable=False),
    Column("models", JSON, nullable=False),
)

forecast_skus = Table(
    "forecast_skus",
    metadata,
    Column("version_id", Integer, ForeignKey("forecast_versions.id"), nullable=False),
    Column("sku", Text, nullable=False),
    Column("demand_class", Text, nullable=False),
    Column("model", Text, nullable=False),
    Column("mase", Double, nullable=True),
    Column("wape", Double, nullable=True),
    Column("baseline_mase", Double, nullable=True),
    Column("baseline_wape", Double, nullable=True),
    PrimaryKeyConstraint("version_id", "sku"),
)

forecast_rows = Table(
    "forecast_rows",
    metadata,
    Column("version_id", Integer, ForeignKey("forecast_versions.id"), nullable=False),
    Column("sku", Text, nullable=False),
    Column("period_start", Date, nullable=False),
    Column("quantity", Double, nullable=False),
    Column("lo", Double, nullable=True),
    Column("hi", Double, nullable=True),
    Column("model", Text, nullable=False),
    PrimaryKeyConstraint("version_id", "sku", "period_start"),
)
