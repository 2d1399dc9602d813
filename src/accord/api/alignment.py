"""Alignment reports: quotas, flow, reliability, scope (SPEC §5.7-§5.9)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from accord.api.deps import CurrentCompany, Db
from accord.services import alignment

router = APIRouter(tags=["alignment"])


@router.get("/flow", summary="Pipeline flow: win rate, cycle time, stages, hand-offs")
def flow(
    company: CurrentCompany,
    stages: Annotated[
        str | None, Query(description="Stage order, comma separated; default: as deals move.")
    ] = None,
) -> dict[str, Any]:
    order = [s.strip() for s in stages.split(",") if s.strip()] if stages else None
    return alignment.flow(company, order).to_json()


@router.get("/reliability", summary="OTIF, lateness, learned lead times, adoption of checks")
def reliability(company: CurrentCompany, db: Db) -> dict[str, Any]:
    return alignment.reliability(company, db).to_json()


@router.get("/quotas", summary="Quotas against the constraint's capacity and mix")
def quotas(company: CurrentCompany) -> dict[str, Any]:
    return alignment.quotas(company).to_json()


@router.get("/scope", summary="Open orders and open deals out of scope")
def scope(company: CurrentCompany) -> dict[str, Any]:
    return alignment.scope(company).to_json()
