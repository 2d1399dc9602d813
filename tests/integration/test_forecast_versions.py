"""Forecast versions in the database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import datetime as dt

from accord.planning.forecast_result import ForecastParams, ForecastResult, SkuForecast
from accord.storage import forecast_repository as repo


def _result(quantity: float) -> ForecastResult:
    periods = (dt.date(2026, 11, 1), dt.date(2026, 12, 1))
    pump = SkuForecast(
        sku="PUMP-200", demand_class="smooth", adi=1.0, cv2=0.01, history=30, season_length=12,
        model="AutoETS", scores={"AutoETS": 1.0, "SeasonalNaive": 2.0}, points=9,
        abs_error=9.0, baseline_abs_error=18.0, actual=90.0, scale=2.0,
        quantity=(quantity, quantity + 1), lo=(quantity - 2, quantity - 1),
        hi=(quantity + 2, quantity + 3),
    )  # fmt: skip
    kit = SkuForecast(
        sku="KIT-7", demand_class="lumpy", adi=3.0, cv2=0.6, history=5, season_length=1,
        model="CrostonOptimized", scores={}, points=0, abs_error=0.0, baseline_abs_error=0.0,
        actual=0.0, scale=1.0, quantity=(1.5, 1.5), lo=(None, None), hi=(None, None),
    )  # fmt: skip
    return ForecastResult(ForecastParams(horizon=2), periods, (kit, pump))


def test_each_save_is_a_new_version_and_the_latest_wins(engine):
    with engine.connect() as conn:
        assert repo.latest_version(conn) is None
        first = repo.save_forecast(
            conn, _result(10.0), author="ana", note="first", as_of=dt.date(2026, 11, 2),
            dataset_version=3,
        )  # fmt: skip
        second = repo.save_forecast(
            conn, _result(20.0), author="ben", note=None, as_of=dt.date(2026, 11, 2),
            dataset_version=3,
        )  # fmt: skip
        conn.commit()
    assert second > first
    with engine.connect() as conn:
        latest = repo.latest_version(conn)
        assert latest is not None
        assert (latest.id, latest.author, latest.series) == (second, "ben", 2)
        assert latest.period == "month"
        assert latest.models == {"AutoETS": 1, "CrostonOptimized": 1}
        # MASE = (9 / 9) / 2 = 0.5 for the one back-tested SKU; WAPE = 9 / 90
        assert latest.accuracy["mase"] == 0.5 and latest.accuracy["wape"] == 0.1
        assert latest.created_at.tzinfo is not None
        rows = repo.version_rows(conn, second)
        old = repo.version_rows(conn, first)
    assert [(r["sku"], r["period_start"], r["quantity"]) for r in rows] == [
        ("KIT-7", dt.date(2026, 11, 1), 1.5),
        ("KIT-7", dt.date(2026, 12, 1), 1.5),
        ("PUMP-200", dt.date(2026, 11, 1), 20.0),
        ("PUMP-200", dt.date(2026, 12, 1), 21.0),
    ]
    assert rows[0]["lo"] is None and rows[2]["lo"] == 18.0 and rows[2]["model"] == "AutoETS"
    assert old[2]["quantity"] == 10.0  # the first version is kept, not overwritten


def test_a_failed_save_leaves_nothing(engine):
    with engine.connect() as conn:
        repo.save_forecast(
            conn, _result(10.0), author="ana", note=None, as_of=dt.date(2026, 11, 2),
            dataset_version=None,
        )  # fmt: skip
        conn.rollback()
    with engine.connect() as conn:
        assert repo.latest_version(conn) is None
