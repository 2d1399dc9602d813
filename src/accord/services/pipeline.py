"""The pipeline check use case: the open deals against the load of orders and reservations."""

from __future__ import annotations

from dataclasses import replace

from accord.domain.snapshot import Snapshot
from accord.planning.pipeline import PipelineParams, PipelineResult, pipeline
from accord.services.customers import snapshot_ranking
from accord.services.promise import Desk
from accord.storage.database import Database


def pipeline_check(
    snapshot: Snapshot, desk: Desk, params: PipelineParams, db: Database | None = None
) -> PipelineResult:
    if params.order_by == "default" and params.tiers is None and snapshot.customers:
        params = replace(params, tiers=customer_tiers(snapshot))
    with desk.using(snapshot, desk.holding(db)) as (state, _):
        return pipeline(state, params)


_TIERS: dict[int, tuple[Snapshot, dict[str, str]]] = {}


def customer_tiers(snapshot: Snapshot) -> dict[str, str]:
    """Each customer's tier, computed once per snapshot (the last two are kept)."""
    cached = _TIERS.get(id(snapshot))
    if cached is not None and cached[0] is snapshot:
        return cached[1]
    tiers = {c.customer: c.tier for c in snapshot_ranking(snapshot).customers}
    while len(_TIERS) >= 2:
        _TIERS.pop(next(iter(_TIERS)))
    _TIERS[id(snapshot)] = (snapshot, tiers)
    return tiers
