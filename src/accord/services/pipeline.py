"""The pipeline check use case: the open deals against the load of orders and reservations."""

from __future__ import annotations

from accord.domain.snapshot import Snapshot
from accord.planning.pipeline import PipelineParams, PipelineResult, pipeline
from accord.services.promise import Desk, holding_reservations
from accord.storage.database import Database


def pipeline_check(
    snapshot: Snapshot, desk: Desk, params: PipelineParams, db: Database | None = None
) -> PipelineResult:
    with desk.using(snapshot, holding_reservations(db)) as (state, _):
        return pipeline(state, params)
