"""The alignment reports (SPEC §5.7-§5.9) on a company: flow, reliability, scope, quotas.

Each use case reads the tables it needs from the company's dataset and snapshot, says which
table is missing when one is, and calls one engine.
"""

from __future__ import annotations

from accord.domain.dataset import Dataset
from accord.errors import BadInput, MissingData
from accord.planning.flow import FlowReport, StageEntry, flow_report
from accord.planning.quotas import QuotaReport, quota_report
from accord.planning.reliability import Check, Delivery, ReliabilityReport, reliability_report
from accord.planning.scope import ScopeReport, rules_from_rows, scope_report
from accord.services.company import Company
from accord.storage import deal_repository
from accord.storage.database import Database


def _require(dataset: Dataset, table: str, job: str) -> None:
    if not dataset.has(table):
        raise MissingData(f"{job} needs the {table} table, and the dataset has none")


def flow(company: Company, stage_order: list[str] | None = None) -> FlowReport:
    """Win rate and cycle time from opportunities; stages and hand-offs from stage_history."""
    _require(company.dataset, "opportunities", "flow")
    history = [StageEntry.from_row(r) for r in company.dataset.rows("stage_history")]
    snap = company.snapshot
    return flow_report(snap.opportunities, history, snap.as_of, stage_order or None)


def reliability(company: Company, db: Database | None = None) -> ReliabilityReport:
    """Promises kept (orders against deliveries), learned lead times, adoption of checks.

    The checks are the dataset's ``checks`` plus, with a database, every deal check made in
    Accord since (the deal desk's log).
    """
    _require(company.dataset, "orders", "reliability")
    rows = company.dataset.rows
    snap = company.snapshot
    checks = [Check.from_row(r) for r in rows("checks")]
    if db is not None:
        with db.unit_of_work() as uow:
            checks += [Check(o, at) for o, at in deal_repository.logged_checks(uow.connection)]
    return reliability_report(
        snap.orders,
        [Delivery.from_row(r) for r in rows("deliveries")],
        snap.opportunities,
        snap.lines_by_opportunity,
        checks,
        snap.as_of,
    )


def scope(company: Company) -> ScopeReport:
    """Open orders and open deals whose lines break a scope rule."""
    _require(company.dataset, "rules", "scope")
    try:
        rules = rules_from_rows(company.dataset.rows("rules"))
    except ValueError as exc:
        raise BadInput(str(exc)) from exc
    snap = company.snapshot
    return scope_report(rules, snap.orders, snap.opportunities, snap.lines_by_opportunity)


def quotas(company: Company) -> QuotaReport:
    """Quotas against the constraint's capacity, reps' mix, end-of-period shifts."""
    _require(company.dataset, "quotas", "quotas")
    _require(company.dataset, "routings", "quotas")
    try:
        return quota_report(company.snapshot)
    except ValueError as exc:  # e.g. a quota for a family no product has
        raise BadInput(str(exc)) from exc
