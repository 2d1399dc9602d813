"""The loaded company: counts, horizon and resources."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from accord.api.deps import CurrentCompany
from accord.services.summary import company_summary

router = APIRouter(tags=["dataset"])


@router.get("/dataset", summary="What the loaded company holds: counts, horizon, resources")
def dataset_summary(company: CurrentCompany) -> dict[str, Any]:
    return company_summary(company).to_json()
