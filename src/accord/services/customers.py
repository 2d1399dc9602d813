"""Best customers (SPEC §5.5): rank with the user's weights, and keep the history of scores."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

import numpy as np

from accord.domain.snapshot import Snapshot
from accord.errors import BadInput
from accord.planning.customers import CustomerRanking, rank_customers
from accord.planning.throughput import analyse_throughput
from accord.services.auth import audit
from accord.services.company import Company
from accord.storage import customer_repository
from accord.storage.database import Database


def parse_weights(pairs: list[str]) -> dict[str, float]:
    """``criterion=value`` strings (CLI ``--weight``) as a mapping."""
    weights: dict[str, float] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        try:
            if not sep or not name.strip():
                raise ValueError
            weights[name.strip()] = float(text)
        except ValueError:
            raise BadInput(f"--weight: expected criterion=number, got {pair!r}") from None
    return weights


def customer_ranking(
    company: Company, weights: Mapping[str, float] | None = None
) -> CustomerRanking:
    """Score and tier every customer, T/CU on the constraint of the next 4 weeks."""
    return snapshot_ranking(company.snapshot, weights)


def snapshot_ranking(snap: Snapshot, weights: Mapping[str, float] | None = None) -> CustomerRanking:
    """``customer_ranking`` of a snapshot alone (the pipeline orders deals by its tiers)."""
    try:
        analysis = analyse_throughput(snap)
        on_constraint = None
        if analysis.constraint is not None:
            on_constraint = np.zeros(len(snap.products))
            for p in analysis.products:
                on_constraint[snap.sku_index[p.sku]] = p.constraint_minutes_per_unit
        return rank_customers(snap, on_constraint, weights, analysis.constraint)
    except ValueError as exc:
        raise BadInput(str(exc)) from exc


def save_ranking(
    db: Database,
    ranking: CustomerRanking,
    version: int | None,
    now: dt.datetime | None = None,
    by: str | None = None,
) -> dict[str, Any]:
    """Store every customer's score with the time and weights; returns the run's id and time."""
    scored_at = now or dt.datetime.now(dt.UTC)
    run_id = uuid.uuid4().hex
    rows = [
        {
            "run_id": run_id,
            "scored_at": scored_at,
            "as_of": ranking.as_of,
            "dataset_version": version,
            "customer": c.customer,
            "score": c.score,
            "tier": c.tier,
            "weights": ranking.weights,
            "criteria": c.to_json()["criteria"],
        }
        for c in ranking.customers
    ]
    with db.unit_of_work(write=True) as uow:
        customer_repository.save_scores(uow.connection, rows)
        if by:
            audit(uow, by, "score_customers", f"run {run_id}", weights=ranking.weights)
        uow.commit()
    return {"run_id": run_id, "scored_at": scored_at.isoformat(), "customers": len(rows)}


def score_history(db: Database, customer: str | None = None) -> list[dict[str, Any]]:
    """Saved scores, newest first, as JSON-ready rows."""
    with db.unit_of_work() as uow:
        rows = customer_repository.score_history(uow.connection, customer)
    return [
        {
            "run_id": r["run_id"],
            "scored_at": r["scored_at"].isoformat(),
            "as_of": r["as_of"].isoformat(),
            "customer": r["customer"],
            "score": r["score"],
            "tier": r["tier"],
            "weights": r["weights"],
        }
        for r in rows
    ]
