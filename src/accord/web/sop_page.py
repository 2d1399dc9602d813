"""The S&OP page: demand against supply, inventory and its value, the capacity heat-map,
costs, strategies side by side, and plan versions to propose and agree."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from accord.api.deps import AsOf, Db, Store
from accord.api.security import SignedIn
from accord.domain.access import Permission, User
from accord.errors import AccordError, Forbidden, NoData
from accord.services import plan as service
from accord.web.render import render, signed_in_user

router = APIRouter(include_in_schema=False)

KIND_PERMISSION = {
    "sales": Permission.PROPOSE_SALES_PLAN,
    "operations": Permission.PROPOSE_OPERATIONS_PLAN,
    "consensus": Permission.AGREE_PLAN,
}
KIND_LABEL = {
    "sales": "sales proposal",
    "operations": "operations proposal",
    "consensus": "agreed consensus",
}


def _charts(plan: dict[str, Any]) -> dict[str, Any]:
    periods = plan["periods"]
    starts = [p["period_start"] for p in periods]
    cells: dict[tuple[str, str], float] = {
        (r["resource"], r["period_start"]): round(100 * (r["utilization"] or 0), 1)
        for r in plan["resources"]
    }
    resources = list(dict.fromkeys(r["resource"] for r in plan["resources"]))
    return {
        "periods": starts,
        "firm": [p["demand"]["firm"] for p in periods],
        "likely": [p["demand"]["likely"] for p in periods],
        "forecast": [p["demand"]["forecast_only"] for p in periods],
        "supply": [round(p["made"] + p["subcontracted"], 1) for p in periods],
        "inventory": [round(p["inventory"], 1) for p in periods],
        "backlog": [round(p["backlog"], 1) for p in periods],
        "investment": [round(p["inventory_investment"], 0) for p in periods],
        "resources": resources,
        "utilization": [[cells.get((r, s), 0.0) for s in starts] for r in resources],
    }


def _kinds_for(user: User | None) -> list[tuple[str, str]]:
    if user is None:
        return []
    return [(k, KIND_LABEL[k]) for k, p in KIND_PERMISSION.items() if user.may(p)]


@router.get("/sop", response_class=HTMLResponse)
def sop_page(request: Request, store: Store, db: Db, as_of: AsOf = None) -> HTMLResponse:
    try:
        company = store.current(as_of)
    except NoData as exc:
        return render(request, "empty.html", {"message": exc.message})
    params = service.sop_params(db)
    plan = service.run_plan(company, params).to_json()
    strategies = service.run_comparison(company, params).to_json()["strategies"]
    versions = [service.version_json(v) for v in service.list_versions(db, 20)]
    return render(
        request,
        "sop.html",
        {
            "p": plan,
            "strategies": strategies,
            "versions": versions,
            "labels": KIND_LABEL,
            "kinds": _kinds_for(signed_in_user(request)),
            "chart": json.dumps(_charts(plan)),
            "currency": company.snapshot.settings.currency or "",
        },
    )


SCENARIO_KINDS = {
    "add_workers": "add workers to a crew",
    "capacity": "set a resource's minutes per day",
    "price": "change a product's price",
    "win_deal": "win a deal",
    "lose_deal": "lose a deal",
    "lose_customer": "lose a customer",
}


@router.get("/sop/scenarios", response_class=HTMLResponse)
def scenarios_page(
    request: Request,
    store: Store,
    db: Db,
    kind: Annotated[list[str] | None, Query()] = None,
    target: Annotated[list[str] | None, Query()] = None,
    value: Annotated[list[str] | None, Query()] = None,
) -> HTMLResponse:
    """Up to three one-change scenarios, planned beside the base plan."""
    asked = [
        (k, t.strip(), v.strip())
        for k, t, v in zip(kind or [], target or [], value or [], strict=False)
        if k and t.strip()
    ][:3]
    context: dict[str, Any] = {"kinds": SCENARIO_KINDS, "asked": asked}
    if asked:
        raw = [
            {
                "name": f"{SCENARIO_KINDS.get(k, k)}: {t}" + (f" = {v}" if v else ""),
                "changes": [{"kind": k, "target": t, "value": float(v) if v else None}],
            }
            for k, t, v in asked
        ]
        try:
            company = store.current()
            params = service.sop_params(db)
            cluster = request.app.state.settings.cluster
            scenarios = service.scenarios_from(raw)
            context["result"] = service.run_scenarios(company, params, scenarios, cluster=cluster)
        except (AccordError, ValueError) as exc:
            context["error"] = exc.message if isinstance(exc, AccordError) else str(exc)
    return render(request, "sop_scenarios.html", context)


@router.get("/sop/compare", response_class=HTMLResponse)
def compare_page(
    request: Request, db: Db, a: Annotated[int, Query(ge=1)], b: Annotated[int, Query(ge=1)]
) -> HTMLResponse:
    diff = service.compare_versions(db, a, b)
    return render(request, "sop_compare.html", {"d": diff, "labels": KIND_LABEL})


@router.post("/sop/versions")
def save_version(
    request: Request,
    store: Store,
    db: Db,
    user: SignedIn,
    kind: Annotated[str, Form()],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> RedirectResponse:
    permission = KIND_PERMISSION.get(kind)
    if permission is None or not user.may(permission):
        raise Forbidden(f"the role {user.role.value!r} may not save a {kind} plan")
    stored = service.save_version(
        db, store.current(), service.sop_params(db), kind, user.username, note, actor=user
    )
    return RedirectResponse(f"/sop#version-{stored.id}", status_code=303)
