"""POST /api/v1/forecast and GET /api/v1/forecast/latest."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from accord.api.app import create_app
from accord.domain.dataset import Dataset
from accord.io.files import read_dataset
from accord.services import auth
from accord.services.datasets import store_dataset
from accord.services.forecast import latest_forecast
from accord.services.runtime import open_database
from tests.api.conftest import TINY, reads_as


def _with_history(dataset: Dataset) -> Dataset:
    """The tiny company plus 30 months of sales of PUMP-200 (steady) and PUMP-300 (rising)."""
    rows = []
    for m in range(30):
        day = dt.date(2024 + (4 + m) // 12, (4 + m) % 12 + 1, 15)
        rows.append({"sku": "PUMP-200", "date": day, "quantity": 20.0, "customer": None,
                     "attributes": {}})  # fmt: skip
        rows.append({"sku": "PUMP-300", "date": day, "quantity": 5.0 + m, "customer": None,
                     "attributes": {}})  # fmt: skip
    return Dataset(dict(dataset.tables) | {"demand_history": tuple(rows)})


@pytest.fixture
def history_client(settings):
    db = open_database(settings)
    store_dataset(db, _with_history(read_dataset(TINY)), "tiny with history")
    with TestClient(create_app(settings, db)) as client:
        yield reads_as(client, "fiona", "finance")  # a role that may not save forecasts
    db.dispose()


def test_any_role_runs_a_forecast_without_saving_it(history_client):
    response = history_client.post("/api/v1/forecast", json={"horizon": 2})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["series"] == 2 and body["saved"] is None
    steady = [f for f in body["forecasts"] if f["sku"] == "PUMP-200"]
    assert [f["period_start"] for f in steady] == ["2026-11-01", "2026-12-01"]
    assert steady[0]["quantity"] == pytest.approx(20.0)
    assert history_client.get("/api/v1/forecast/latest").status_code == 404


def test_saving_needs_the_save_forecast_permission(history_client):
    anonymous = TestClient(history_client.app)
    assert anonymous.post("/api/v1/forecast", json={"save": True}).status_code == 401
    assert anonymous.post("/api/v1/forecast", json={"horizon": 2}).status_code == 401
    db = history_client.app.state.db
    auth.create_user(db, "sam", "sales", "correct horse")
    sales = auth.issue_token(db, "sam", "tests")
    denied = history_client.post(
        "/api/v1/forecast", json={"save": True}, headers={"Authorization": f"Bearer {sales}"}
    )
    assert denied.status_code == 403


def test_saved_forecast_is_the_latest_and_feeds_the_demand_plan(history_client):
    db = history_client.app.state.db
    auth.create_user(db, "olga", "operations", "correct horse")
    token = auth.issue_token(db, "olga", "tests")
    saved = history_client.post(
        "/api/v1/forecast",
        json={"horizon": 3, "save": True, "note": "November run"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["saved"]["author"] == "olga"
    latest = history_client.get("/api/v1/forecast/latest").json()
    assert latest["version"] == 1 and latest["note"] == "November run"
    assert latest["series"] == 2 and len(latest["forecasts"]) == 6
    assert set(latest["accuracy"]) >= {"mase", "wape", "baseline_mase", "baseline_wape"}
    cells = latest_forecast(db)
    assert len(cells) == 6
    assert cells["PUMP-200", dt.date(2026, 11, 1)] == pytest.approx(20.0)


def test_bad_horizon_is_422(history_client):
    response = history_client.post("/api/v1/forecast", json={"horizon": 0})
    assert response.status_code == 422


def test_horizon_past_the_calendar_and_no_history_are_422(history_client):
    far = history_client.post("/api/v1/forecast?as_of=9999-06-01", json={"horizon": 24})
    assert far.status_code == 422 and "as_of" in str(far.json()["error"]["details"])
    early = history_client.post("/api/v1/forecast?as_of=2000-01-01", json={})
    assert early.status_code == 422 and early.json()["error"]["code"] == "missing_data"
