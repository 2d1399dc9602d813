"""`accord forecast` on the tiny company with three years of monthly sales."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil

import pytest

from tests.cli.conftest import TINY


@pytest.fixture
def history_company(tmp_path):
    """The tiny company with 36 months of sales: a steady pump, a growing pump, a valve
    ordered every few months."""
    folder = tmp_path / "tiny-history"
    shutil.copytree(TINY, folder)
    with open(folder / "demand_history.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["sku", "date", "quantity", "customer"])
        for m in range(36):
            day = dt.date(2023 + (10 + m) // 12, (10 + m) % 12 + 1, 10)
            writer.writerow(["PUMP-200", day, 30 + (m % 2), ""])
            writer.writerow(["PUMP-300", day, 10 + m, ""])
            if m % 4 == 1:
                writer.writerow(["VALVE-10", day, 100 + 10 * (m % 3), ""])
    return folder


def test_forecast_json_has_the_spec_shape(accord, history_company):
    result = accord("forecast", "--data", history_company, "--horizon", "4", "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["series"] == 3
    assert sum(body["models"].values()) == 3
    assert set(body["accuracy"]) >= {"mase", "wape", "baseline_mase", "baseline_wape"}
    assert len(body["forecasts"]) == 3 * 4
    first = body["forecasts"][0]
    assert set(first) == {"sku", "period_start", "quantity", "lo", "hi"}
    # as-of 2026-11-02, monthly: the forecast starts with November
    assert first["period_start"] == "2026-11-01"
    classes = {s["sku"]: s["demand_class"] for s in body["skus"]}
    assert classes["PUMP-200"] == "smooth" and classes["VALVE-10"] in ("intermittent", "lumpy")
    growing = [f["quantity"] for f in body["forecasts"] if f["sku"] == "PUMP-300"]
    assert growing[0] > 40  # the last month sold 45 and it grows by one a month
    assert body["saved"] is None


def test_forecast_table_and_saved_version(accord, history_company):
    assert accord("import", history_company).exit_code == 0
    result = accord("forecast", "--horizon", "3", "--save", "--author", "ana")
    assert result.exit_code == 0, result.output
    assert "3 series, 3 months from 2026-11-01" in result.stdout
    assert "PUMP-300" in result.stdout
    assert "saved as forecast version 1 by ana" in result.stdout
    again = json.loads(accord("forecast", "--horizon", "3", "--save", "--json").stdout)
    assert again["saved"]["version"] == 2


def test_bad_horizon_and_save_with_data_exit_2(accord, history_company):
    assert accord("forecast", "--data", history_company, "--horizon", "0").exit_code == 2
    result = accord("forecast", "--data", history_company, "--save")
    assert result.exit_code == 2 and "--save" in result.stderr


def test_company_without_history_is_told_what_is_missing(accord, tmp_path):
    folder = tmp_path / "no-history"
    shutil.copytree(TINY, folder)
    (folder / "demand_history.csv").unlink()
    result = accord("forecast", "--data", folder, "--json")
    assert result.exit_code == 2
    assert "demand_history" in json.loads(result.stdout)["error"]["message"]
