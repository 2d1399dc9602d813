"""Forecast versions <-> rows: save a run as a new version, read the latest back."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select

from accord.planning.forecast_result import ForecastResult
from accord.storage import bulk
from accord.storage.forecast_tables import forecast_rows, forecast_skus, forecast_versions


@dataclass(frozen=True)
class ForecastVersion:
    id: int
    created_at: dt.datetime  # UTC, timezone-aware
    author: str
    note: str | None
    dataset_version: int | None
    as_of: dt.date
    period: str
    horizon: int
    level: int
    series: int
    settings: dict[str, Any]
    accuracy: dict[str, Any]
    models: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.id,
            "created_at": self.created_at.isoformat(),
            "author": self.author,
            "note": self.note,
            "dataset_version": self.dataset_version,
            "as_of": self.as_of.isoformat(),
            "period": self.period,
            "horizon": self.horizon,
            "level": self.level,
            "series": self.series,
            "settings": self.settings,
            "accuracy": self.accuracy,
            "models": self.models,
        }


def save_forecast(
    conn: Connection,
    result: ForecastResult,
    *,
    author: str,
    note: str | None,
    as_of: dt.date,
    dataset_version: int | None,
) -> int:
    """Store ``result`` as a new version in ``conn``'s transaction; returns its id."""
    version_id = conn.execute(
        insert(forecast_versions)
        .values(
            created_at=dt.datetime.now(dt.UTC),
            author=author,
            note=note,
            dataset_version=dataset_version,
            as_of=as_of,
            period=result.params.period,
            horizon=result.params.horizon,
            level=result.params.level,
            series=len(result.skus),
            settings=result.params.to_json(),
            accuracy=result.accuracy,
            models=result.models,
        )
        .returning(forecast_versions.c.id)
    ).scalar_one()
    skus = (
        [version_id, s.sku, s.demand_class, s.model, s.mase, s.wape, s.baseline_mase,
         s.baseline_wape]
        for s in result.skus
    )  # fmt: skip
    bulk.insert_rows(conn, forecast_skus, skus, len(result.skus))
    rows = (
        [version_id, r["sku"], r["period_start"], r["quantity"], r["lo"], r["hi"], r["model"]]
        for r in result.forecast_rows()
    )
    bulk.insert_rows(conn, forecast_rows, rows, len(result.skus) * len(result.periods))
    return int(version_id)


def latest_version(conn: Connection) -> ForecastVersion | None:
    latest = select(func.max(forecast_versions.c.id)).scalar_subquery()
    row = conn.execute(
        select(forecast_versions).where(forecast_versions.c.id == latest)
    ).one_or_none()
    if row is None:
        return None
    created = row.created_at
    if created.tzinfo is None:  # SQLite keeps no zone: stored as UTC
        created = created.replace(tzinfo=dt.UTC)
    return ForecastVersion(
        row.id, created, row.author, row.note, row.dataset_version, row.as_of, row.period,
        row.horizon, row.level, row.series, dict(row.settings), dict(row.accuracy),
        dict(row.models),
    )  # fmt: skip


def version_rows(conn: Connection, version_id: int) -> list[dict[str, Any]]:
    """The forecast cells of one version, by SKU and period."""
    result = conn.execute(
        select(
            forecast_rows.c.sku,
            forecast_rows.c.period_start,
            forecast_rows.c.quantity,
            forecast_rows.c.lo,
            forecast_rows.c.hi,
            forecast_rows.c.model,
        )
        .where(forecast_rows.c.version_id == version_id)
        .order_by(forecast_rows.c.sku, forecast_rows.c.period_start)
    )
    return [dict(row._mapping) for row in result]
