"""The loaded company (counts, horizon, resources) and replacing it by an upload."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from accord.api.deps import CurrentCompany, Db
from accord.api.security import MayImport
from accord.api.uploads import UPLOAD_BODY, import_file, uploaded_file
from accord.services.summary import company_summary

router = APIRouter(tags=["dataset"])


@router.get("/dataset", summary="What the loaded company holds: counts, horizon, resources")
def dataset_summary(company: CurrentCompany) -> dict[str, Any]:
    return company_summary(company).to_json()


@router.post(
    "/dataset",
    summary="Replace the company dataset with an uploaded .zip or .xlsx",
    openapi_extra=UPLOAD_BODY,
)
async def upload_dataset(request: Request, db: Db, user: MayImport) -> dict[str, Any]:
    # The form is read here, after MayImport: an upload without a token is never read.
    async with uploaded_file(request) as upload:
        return (await import_file(request, db, user, upload)).to_json()
