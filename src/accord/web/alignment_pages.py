"""Pages between departments: Flow (stages and hand-offs), Reliability & adoption, Quotas."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from accord.api.deps import AsOf, Store
from accord.errors import MissingData, NoData
from accord.services import alignment
from accord.services.company import Company
from accord.storage.database import Database
from accord.web.render import render

router = APIRouter(include_in_schema=False)


def _page(
    request: Request,
    store: Store,
    as_of: AsOf,
    template: str,
    build: Callable[[Company], dict[str, Any]],
) -> HTMLResponse:
    try:
        context = build(store.current(as_of))
    except (NoData, MissingData) as exc:
        return render(request, "empty.html", {"message": exc.message})
    return render(request, template, context)


def _flow(company: Company) -> dict[str, Any]:
    f = alignment.flow(company).to_json()
    chart = {
        "stages": [s["stage"] for s in f["stages"]],
        "median": [s["median_days"] for s in f["stages"]],
        "wait": [s.get("littles_wait_days") for s in f["stages"]],
    }
    return {"f": f, "chart": json.dumps(chart)}


def _reliability(company: Company, db: Database) -> dict[str, Any]:
    r = alignment.reliability(company, db).to_json()
    chart = {
        "months": [m["month"] for m in r["by_month"]],
        "otif": [round(100 * m["otif"], 1) for m in r["by_month"]],
        "buckets": [h["days"] for h in r["lateness"]["histogram"]],
        "lines": [h["lines"] for h in r["lateness"]["histogram"]],
    }
    worst = sorted(r["by_product"], key=lambda p: (p["otif"], -p["lines"]))[:10]
    return {"r": r, "worst": worst, "chart": json.dumps(chart)}


def _quotas(company: Company) -> dict[str, Any]:
    q = alignment.quotas(company).to_json()
    chart = {
        "reps": [b["owner"] for b in q["by_rep"]],
        "share": [round(100 * b["constraint_share"], 1) for b in q["by_rep"]],
    }
    return {"q": q, "chart": json.dumps(chart)}


@router.get("/flow", response_class=HTMLResponse)
def flow_page(request: Request, store: Store, as_of: AsOf = None) -> HTMLResponse:
    return _page(request, store, as_of, "flow.html", _flow)


@router.get("/reliability", response_class=HTMLResponse)
def reliability_page(request: Request, store: Store, as_of: AsOf = None) -> HTMLResponse:
    return _page(request, store, as_of, "reliability.html", lambda c: _reliability(c, store.db))


@router.get("/quotas", response_class=HTMLResponse)
def quotas_page(request: Request, store: Store, as_of: AsOf = None) -> HTMLResponse:
    return _page(request, store, as_of, "quotas.html", _quotas)
