"""The Throughput & customers page: the constraint, Best Money products, mixes, deals, tiers.

Everyone signed in sees the constraint and the load; the margins (throughput per unit and
per constraint minute, the mixes, net profit, deals, offerings) only a role that may read
margins, the customer tiers only a role that may read customer scores (``domain.access``).
What a role may not read is left out of the page's data, not only hidden by the template.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from accord.api.deps import AsOf, Store
from accord.api.security import SignedIn
from accord.domain.access import Permission, roles_with
from accord.errors import NoData
from accord.services.customers import customer_ranking
from accord.services.throughput import throughput_report
from accord.web.render import render

router = APIRouter(include_in_schema=False)
# The throughput report's keys that hold no money: the constraint and the load.
LOAD_KEYS = ("from", "to", "days", "currency", "constraint", "overloaded", "resources", "notes")


def _roles(permission: Permission) -> str:
    return ", ".join(r.value for r in roles_with(permission))


@router.get("/throughput", response_class=HTMLResponse)
def throughput_page(
    request: Request,
    store: Store,
    user: SignedIn,
    as_of: AsOf = None,
    start: Annotated[dt.date | None, Query(alias="from")] = None,
    end: Annotated[dt.date | None, Query(alias="to")] = None,
) -> HTMLResponse:
    try:
        company = store.current(as_of)
    except NoData as exc:
        return render(request, "empty.html", {"message": exc.message})
    result = throughput_report(company, start, end).to_json()
    margins = user.may(Permission.READ_MARGINS)
    scores = user.may(Permission.READ_CUSTOMER_SCORES)
    resources = sorted(result["resources"], key=lambda r: -r["load_ratio"])
    ranked = [p for p in result["products"] if p["demand"] > 0] if margins else []
    chart = {
        "resources": [r["resource"] for r in resources],
        "load": [round(100 * r["load_ratio"], 1) for r in resources],
    }
    context: dict[str, Any] = {
        "t": result if margins else {k: result[k] for k in LOAD_KEYS},
        "margins": margins,
        "margin_roles": _roles(Permission.READ_MARGINS),
        "score_roles": _roles(Permission.READ_CUSTOMER_SCORES),
        "resources": resources,
        "top": ranked[:12],
        "bottom": ranked[-8:] if len(ranked) > 20 else [],
        "c": customer_ranking(company, {}).to_json() if scores else None,
        "chart": json.dumps(chart),
    }
    return render(request, "throughput.html", context)
