"""S&OP plan routes: plan (GET with query parameters, or POST with a body), strategies side
by side, and plan versions (save as a sales proposal, an operations proposal or the
consensus; list; read; compare)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field

from accord.api.deps import CurrentCompany, Db
from accord.api.security import SignedIn
from accord.domain.access import Permission
from accord.errors import BadInput, Forbidden
from accord.services import plan as service
from accord.services.plan_pack import write_pack

router = APIRouter(tags=["plan"])
VersionId = Annotated[int, Path(ge=1, le=2**31 - 1, description="A plan version id.")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

KIND_PERMISSION = {
    "sales": Permission.PROPOSE_SALES_PLAN,
    "operations": Permission.PROPOSE_OPERATIONS_PLAN,
    "consensus": Permission.AGREE_PLAN,
}


class PlanBody(BaseModel):
    """The plan's parameters (SPEC §5.4); ``strategy: "all"`` compares the three."""

    strategy: Literal["optimal", "level", "chase", "all"] = "optimal"
    objective: Literal["cost", "profit"] = "cost"
    periods: int = Field(12, ge=1, le=520)
    period: Literal["week", "month"] | None = None
    integer: bool = False
    allow_ending_backlog: bool = False
    level: Literal["sku", "family"] = "sku"

    def params(self) -> dict[str, Any]:
        fields = self.model_dump(include=set(PlanBody.model_fields))
        fields["strategy"] = "optimal" if self.strategy == "all" else self.strategy
        return fields


class SaveBody(PlanBody):
    kind: Literal["sales", "operations", "consensus"]
    note: str = Field("", max_length=2000)


class ChangeBody(BaseModel):
    kind: Literal["add_workers", "capacity", "price", "win_deal", "lose_deal", "lose_customer"]
    target: str = Field(min_length=1)
    value: float | None = None


class ScenarioBody(BaseModel):
    name: str = Field(min_length=1)
    changes: list[ChangeBody] = Field(min_length=1, max_length=100)


class ScenariosBody(PlanBody):
    scenarios: list[ScenarioBody] = Field(min_length=1, max_length=20)


def _plan(company: CurrentCompany, db: Db, body: PlanBody) -> dict[str, Any]:
    params = service.sop_params(db, **body.params())
    if body.strategy == "all":
        return service.run_comparison(company, params).to_json()
    return service.run_plan(company, params).to_json()


@router.get("/plan", summary="The S&OP plan (or all strategies side by side)")
def get_plan(company: CurrentCompany, db: Db, body: Annotated[PlanBody, Query()]) -> dict[str, Any]:
    return _plan(company, db, body)


@router.get(
    "/plan/pack.xlsx",
    summary="The S&OP pack of the plan as an Excel workbook",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
def get_pack(company: CurrentCompany, db: Db, body: Annotated[PlanBody, Query()]) -> Response:
    if body.strategy == "all":
        raise BadInput("the pack holds one plan: choose optimal, level or chase")
    result = service.run_plan(company, service.sop_params(db, **body.params())).to_json()
    return Response(
        write_pack(result),
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="sop-pack.xlsx"'},
    )


@router.post("/plan", summary="The S&OP plan, parameters in the body (saves nothing)")
def post_plan(company: CurrentCompany, db: Db, body: PlanBody, user: SignedIn) -> dict[str, Any]:
    return _plan(company, db, body)


@router.post("/plan/versions", status_code=201, summary="Plan and save the result as a version")
def post_version(company: CurrentCompany, db: Db, body: SaveBody, user: SignedIn) -> dict[str, Any]:
    permission = KIND_PERMISSION[body.kind]
    if not user.may(permission):
        raise Forbidden(f"the role {user.role.value!r} may not save a {body.kind} plan")
    params = service.sop_params(db, **body.params())
    stored = service.save_version(
        db, company, params, body.kind, user.username, body.note, actor=user
    )
    return service.version_json(stored, with_result=True)


@router.get("/plan/versions", summary="Saved plan versions, newest first")
def get_versions(
    db: Db, limit: Annotated[int, Query(ge=1, le=1000, description="At most this many.")] = 100
) -> dict[str, Any]:
    return {"versions": [service.version_json(v) for v in service.list_versions(db, limit)]}


@router.get("/plan/versions/{version_id}", summary="One saved plan version with its result")
def get_version(version_id: VersionId, db: Db) -> dict[str, Any]:
    return service.version_json(service.get_version(db, version_id), with_result=True)


@router.get(
    "/plan/versions/{version_id}/compare/{other_id}",
    summary="What changed from one version to another (other − version)",
)
def compare_versions(version_id: VersionId, other_id: VersionId, db: Db) -> dict[str, Any]:
    return service.compare_versions(db, version_id, other_id)


@router.post(
    "/plan/scenarios", summary="Plan named input changes beside the base plan (saves nothing)"
)
def post_scenarios(
    request: Request, company: CurrentCompany, db: Db, body: ScenariosBody, user: SignedIn
) -> dict[str, Any]:
    params = service.sop_params(db, **body.params())
    scenarios = service.scenarios_from([s.model_dump() for s in body.scenarios])
    cluster = request.app.state.settings.cluster
    return service.run_scenarios(company, params, scenarios, cluster=cluster)
