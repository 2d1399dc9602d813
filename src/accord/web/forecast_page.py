"""The Forecast page: one SKU's history, forecast and interval, and the saved version's
accuracy against seasonal naive; operations can run and save a new forecast."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from accord.api.deps import Db, Store
from accord.api.security import MaySaveForecast
from accord.errors import MissingData, NoData, NotFound
from accord.planning.demand_plan import next_period_start
from accord.services import forecast as service
from accord.services.company import Company
from accord.web.render import render

router = APIRouter(include_in_schema=False)
HISTORY_PERIODS = 104


def _history(company: Company, sku: str) -> tuple[list[str], list[float]]:
    series, period, _ = service.company_series(company)
    found = next((s for s in series if s.sku == sku), None)
    if found is None:
        return [], []
    starts, day = [], found.start
    for _ in range(len(found.values)):
        starts.append(day.isoformat())
        day = next_period_start(day, period)
    values = [float(v) for v in found.values]
    return starts[-HISTORY_PERIODS:], values[-HISTORY_PERIODS:]


def _chart(company: Company, sku: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    mine = sorted((r for r in rows if r["sku"] == sku), key=lambda r: r["period_start"])
    history_x, history_y = _history(company, sku)
    return {
        "sku": sku,
        "history_x": history_x,
        "history_y": history_y,
        "x": [r["period_start"].isoformat() for r in mine],
        "y": [r["quantity"] for r in mine],
        "lo": [r["lo"] for r in mine],
        "hi": [r["hi"] for r in mine],
        "model": mine[0]["model"] if mine else "",
    }


@router.get("/forecast", response_class=HTMLResponse)
def forecast_page(
    request: Request, store: Store, db: Db, sku: Annotated[str | None, Query()] = None
) -> HTMLResponse:
    try:
        company = store.current()
    except NoData as exc:
        return render(request, "empty.html", {"message": exc.message})
    try:
        version, rows = service.latest_version(db)
    except NotFound:
        return render(request, "forecast.html", {"v": None})
    totals: dict[str, float] = {}
    for r in rows:
        totals[r["sku"]] = totals.get(r["sku"], 0.0) + r["quantity"]
    skus = sorted(totals, key=lambda s: -totals[s])
    chosen = sku if sku in totals else (skus[0] if skus else "")
    try:
        chart = _chart(company, chosen, rows) if chosen else None
    except MissingData:
        chart = None
    return render(
        request,
        "forecast.html",
        {"v": version.to_json(), "skus": skus, "sku": chosen, "chart": json.dumps(chart)},
    )


@router.post("/forecast")
def run_and_save(store: Store, db: Db, user: MaySaveForecast) -> RedirectResponse:
    company = store.current()
    result = service.run_forecast(company)
    service.save_forecast(db, company, result, user.username, "run from the Forecast page")
    return RedirectResponse("/forecast", status_code=303)
