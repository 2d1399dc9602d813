"""The statistical forecast (SPEC §5.6): run it, optionally save it, read the latest."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from accord.api.deps import CurrentCompany, Db
from accord.api.security import SignedIn
from accord.domain.access import Permission
from accord.errors import Forbidden
from accord.services.forecast import latest_to_json, latest_version, run_forecast, save_forecast

router = APIRouter(tags=["forecast"])


class ForecastRun(BaseModel):
    horizon: int = Field(default=12, ge=1, le=520, description="Periods to forecast.")
    level: int = Field(default=80, gt=0, lt=100, description="Prediction interval in percent.")
    save: bool = Field(
        default=False, description="Store as a new forecast version (needs save_forecast)."
    )
    note: str | None = Field(default=None, description="Note on the saved version.")


@router.post(
    "/forecast", summary="Statistical forecast per SKU with back-test accuracy; save optional"
)
def post_forecast(
    body: ForecastRun, company: CurrentCompany, db: Db, user: SignedIn
) -> dict[str, Any]:
    # Checked before the run: a caller who may not save should not wait for it.
    if body.save and not user.may(Permission.SAVE_FORECAST):
        raise Forbidden(f"the role {user.role.value!r} may not save forecasts")
    result = run_forecast(company, horizon=body.horizon, level=body.level)
    payload = result.to_json()
    payload["saved"] = None
    if body.save:
        payload["saved"] = save_forecast(db, company, result, user.username, body.note).to_json()
    return payload


@router.get("/forecast/latest", summary="The newest saved forecast version and its rows")
def get_latest(db: Db) -> dict[str, Any]:
    return latest_to_json(*latest_version(db))
