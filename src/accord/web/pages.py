"""Server-rendered pages. Each parses, calls one service and renders a template."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from accord.api.deps import AsOf, Store
from accord.errors import NoData
from accord.services.summary import company_summary
from accord.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, store: Store, as_of: AsOf = None) -> HTMLResponse:
    try:
        company = store.current(as_of)
    except NoData as exc:
        return render(request, "empty.html", {"message": exc.message})
    summary = company_summary(company)
    peak = max((r.week_minutes for r in summary.resources), default=0.0) or 1.0
    return render(request, "home.html", {"s": summary, "peak_week_minutes": peak})
