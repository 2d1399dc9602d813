"""S&OP use cases: plan (a strategy or all side by side), save a version, list and compare
versions. What the CLI (``accord plan``) and the API (``/api/v1/plan``) both call."""

from __future__ import annotations

import datetime as dt
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, replace
from typing import Any

from accord.domain.access import User
from accord.domain.dataset import Dataset
from accord.errors import BadInput, NotFound
from accord.planning import scenarios as scenario_changes
from accord.planning.scenarios import Change, Scenario
from accord.planning.sop import SopParams, compare_strategies, plan_supply
from accord.planning.sop_result import SupplyPlan
from accord.planning.strategies import StrategyComparison
from accord.services.auth import audit
from accord.services.company import Company
from accord.services.forecast import latest_forecast
from accord.services.snapshot import build_snapshot
from accord.storage import plan_repository
from accord.storage.database import Database
from accord.storage.plan_repository import StoredPlan

VERSION_KINDS = ("sales", "operations", "consensus")


def sop_params(db: Database | None = None, **fields: Any) -> SopParams:
    """``SopParams`` from user input; a bad value is ``BadInput`` naming the field.

    With a database, the newest saved statistical forecast fills the demand plan wherever
    the user's ``forecast`` cells say nothing.
    """
    try:
        params = SopParams(**{k: v for k, v in fields.items() if v is not None})
    except (TypeError, ValueError) as exc:
        raise BadInput(str(exc)) from exc
    return params if db is None else with_statistical_forecast(db, params)


def with_statistical_forecast(db: Database, params: SopParams) -> SopParams:
    """``params`` with the newest saved statistical forecast (none saved: unchanged)."""
    return replace(params, statistical=latest_forecast(db) or None)


def run_plan(company: Company, params: SopParams) -> SupplyPlan:
    return plan_supply(company.snapshot, params)


def run_comparison(company: Company, params: SopParams) -> StrategyComparison:
    return compare_strategies(company.snapshot, params)


def scenarios_from(raw: list[dict[str, Any]]) -> list[Scenario]:
    """Scenarios from JSON (``[{"name", "changes": [{"kind", "target", "value"}]}]``)."""
    try:
        return [
            Scenario(
                str(item["name"]),
                tuple(
                    Change(str(c["kind"]), str(c["target"]), _number(c.get("value")))
                    for c in item["changes"]
                ),
            )
            for item in raw
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise BadInput(f"scenarios: {exc}") from exc


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def plan_dataset(dataset: Dataset, as_of: dt.date, horizon: int, params: SopParams) -> Any:
    """One plan of a (changed) dataset as JSON: what a cluster worker runs."""
    return plan_supply(build_snapshot(dataset, as_of, horizon), params).to_json()


def _on_cluster(
    address: str, company: Company, params: SopParams, changed: list[Dataset]
) -> list[dict[str, Any]]:
    from distributed import Client

    try:
        client = Client(address, timeout="10s")  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError, ValueError) as error:
        raise BadInput(f"cannot reach the Dask scheduler at {address!r}: {error}") from None
    snap = company.snapshot
    with client:
        futures = [
            client.submit(plan_dataset, d, snap.as_of, snap.horizon, params, pure=False)
            for d in [company.dataset, *changed]
        ]
        return [f.result() for f in futures]


def run_scenarios(
    company: Company,
    params: SopParams,
    scenarios: list[Scenario],
    workers: int | None = None,
    cluster: str | None = None,
) -> dict[str, Any]:
    """The base plan and each scenario's, side by side with each one's difference to the
    base: planned in parallel threads (HiGHS releases the interpreter while it solves), or
    on the Dask cluster at ``cluster``."""
    if not scenarios:
        raise BadInput("scenarios: give at least one")
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise BadInput("scenarios: names must be unique")
    snapshot = company.snapshot
    changed: dict[str, Dataset] = {}
    for scenario in scenarios:  # every change checked before anything is planned
        try:
            changed[scenario.name] = scenario_changes.apply(company.dataset, scenario)
        except ValueError as exc:
            raise BadInput(f"scenario {scenario.name!r}: {exc}") from exc

    def plan_one(scenario: Scenario | None) -> dict[str, Any]:
        if scenario is None:
            return plan_supply(snapshot, params).to_json()
        shot = build_snapshot(changed[scenario.name], snapshot.as_of, snapshot.horizon)
        return plan_supply(shot, params).to_json()

    jobs: list[Scenario | None] = [None, *scenarios]
    if cluster:
        results = _on_cluster(cluster, company, params, [changed[s.name] for s in scenarios])
    else:
        threads = workers or min(len(jobs), os.cpu_count() or 1)
        with ThreadPoolExecutor(max_workers=threads) as pool:
            results = list(pool.map(plan_one, jobs))
    base = results[0]
    return {
        "base": _headline(base),
        "scenarios": [
            {"name": s.name, **_headline(r), "difference": plan_diff(base, r)}
            for s, r in zip(scenarios, results[1:], strict=True)
        ],
    }


def _headline(result: dict[str, Any]) -> dict[str, Any]:
    return {
        k: result[k]
        for k in ("total_cost", "revenue", "profit", "costs", "unmet_demand", "shadow_prices")
    } | {"periods": result["periods"]}


def save_version(
    db: Database,
    company: Company,
    params: SopParams,
    kind: str,
    author: str,
    note: str = "",
    actor: User | None = None,
) -> StoredPlan:
    """Plan, then store the result as a new version of ``kind`` with its difference to the
    version saved before it (of any kind: the proposals and the consensus form one thread)."""
    if kind not in VERSION_KINDS:
        raise BadInput(f"kind must be one of {VERSION_KINDS}, got {kind!r}")
    if not author.strip():
        raise BadInput("author must not be empty")
    result = run_plan(company, params).to_json()
    with db.unit_of_work(write=True) as uow:
        conn = uow.connection
        plan_repository.lock_versions(conn)
        previous = plan_repository.latest(conn)
        new_id = plan_repository.insert(
            conn,
            kind=kind,
            author=author.strip(),
            note=note,
            created_at=dt.datetime.now(dt.UTC),
            as_of=company.snapshot.as_of,
            dataset_version=company.version,
            params=_stored_params(params),
            result=result,
            previous_id=previous.id if previous else None,
            diff=plan_diff(previous.result, result) if previous else None,
        )
        stored = plan_repository.get(conn, new_id)
        if actor is not None:
            audit(uow, actor, "save_plan", f"plan version {new_id}", kind=kind, note=note)
        uow.commit()
    assert stored is not None
    return stored


def _stored_params(params: SopParams) -> dict[str, Any]:
    """The parameters as JSON: the statistical forecast's cells become a yes/no."""
    stored = asdict(params)
    stored["statistical_forecast"] = bool(stored.pop("statistical"))
    return stored


def list_versions(db: Database, limit: int = 100) -> list[StoredPlan]:
    with db.unit_of_work() as uow:
        return plan_repository.listing(uow.connection, limit)


def get_version(db: Database, version_id: int) -> StoredPlan:
    with db.unit_of_work() as uow:
        stored = plan_repository.get(uow.connection, version_id)
    if stored is None:
        raise NotFound(f"no plan version {version_id}")
    return stored


def compare_versions(db: Database, base_id: int, other_id: int) -> dict[str, Any]:
    base, other = get_version(db, base_id), get_version(db, other_id)
    return {"base": base_id, "other": other_id, **plan_diff(base.result, other.result)}


def version_json(stored: StoredPlan, with_result: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": stored.id,
        "kind": stored.kind,
        "author": stored.author,
        "note": stored.note,
        "created_at": stored.created_at.isoformat(),
        "as_of": stored.as_of.isoformat(),
        "dataset_version": stored.dataset_version,
        "params": stored.params,
        "previous_id": stored.previous_id,
        "diff": stored.diff,
    }
    if with_result:
        out["result"] = stored.result
    return out


PERIOD_FIELDS = ("made", "subcontracted", "inventory", "backlog", "inventory_investment")


def plan_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What changed from ``before`` to ``after`` (two ``plan`` results): totals, costs by
    kind, and per period (matched by start) demand and supply figures, as after − before."""

    def delta(a: Any, b: Any) -> float:
        return round(float(b or 0) - float(a or 0), 6) + 0.0

    old_periods = {p["period_start"]: p for p in before.get("periods", [])}
    periods = []
    for p in after.get("periods", []):
        q = old_periods.get(p["period_start"], {})
        row = {"period_start": p["period_start"]}
        row["demand"] = delta(q.get("demand", {}).get("total"), p["demand"]["total"])
        row.update({f: delta(q.get(f), p.get(f)) for f in PERIOD_FIELDS})
        periods.append(row)
    costs_before, costs_after = before.get("costs", {}), after.get("costs", {})
    return {
        "total_cost": delta(before.get("total_cost"), after.get("total_cost")),
        "profit": delta(before.get("profit"), after.get("profit")),
        "costs": {k: delta(costs_before.get(k), v) for k, v in costs_after.items()},
        "periods": periods,
    }
