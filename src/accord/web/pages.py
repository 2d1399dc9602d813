"""Server-rendered pages. Each parses, calls one service and renders a template."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from accord.api.deps import AsOf, Store
from accord.errors import AccordError, NoData
from accord.services import alignment
from accord.services.company import Company
from accord.services.summary import company_summary
from accord.services.throughput import throughput_report
from accord.storage.database import Database
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
    return render(
        request,
        "home.html",
        {"s": summary, "peak_week_minutes": peak, "glance": _at_a_glance(company, store.db)},
    )


def _at_a_glance(company: Company, db: Database) -> dict[str, Any]:
    """One headline figure per question, each left out when its data is missing."""
    glance: dict[str, Any] = {}
    with suppress(AccordError):
        t = throughput_report(company).to_json()
        glance["constraint"] = t["constraint"]
        glance["overloaded"] = len(t["overloaded"])
    with suppress(AccordError):
        r = alignment.reliability(company, db).to_json()
        glance["otif"] = r["otif"]
        glance["checked_share"] = r["adoption"]["checked_share"]
    with suppress(AccordError):
        f = alignment.flow(company).to_json()
        glance["win_rate"] = f["win_rate"]
        glance["bottleneck_stage"] = f["bottleneck_stage"]
    with suppress(AccordError):
        glance["quotas_fit"] = alignment.quotas(company).to_json()["feasible"]
    return glance
