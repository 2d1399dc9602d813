"""The Throughput & customers page: the constraint, Best Money products, mixes, deals, tiers."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from accord.api.deps import AsOf, Store
from accord.errors import NoData
from accord.services.customers import customer_ranking
from accord.services.throughput import throughput_report
from accord.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/throughput", response_class=HTMLResponse)
def throughput_page(
    request: Request,
    store: Store,
    as_of: AsOf = None,
    start: Annotated[dt.date | None, Query(alias="from")] = None,
    end: Annotated[dt.date | None, Query(alias="to")] = None,
) -> HTMLResponse:
    try:
        company = store.current(as_of)
    except NoData as exc:
        return render(request, "empty.html", {"message": exc.message})
    result = throughput_report(company, start, end).to_json()
    customers = customer_ranking(company, {}).to_json()
    resources = sorted(result["resources"], key=lambda r: -r["load_ratio"])
    ranked = [p for p in result["products"] if p["demand"] > 0]
    chart = {
        "resources": [r["resource"] for r in resources],
        "load": [round(100 * r["load_ratio"], 1) for r in resources],
    }
    return render(
        request,
        "throughput.html",
        {
            "t": result,
            "resources": resources,
            "top": ranked[:12],
            "bottom": ranked[-8:] if len(ranked) > 20 else [],
            "c": customers,
            "chart": json.dumps(chart),
        },
    )
