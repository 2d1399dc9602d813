"""Throughput and the constraint, and the best customers (SPEC §5.5)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from accord.api.deps import CurrentCompany, Db
from accord.api.security import MayReadCustomerScores, MayReadMargins, MayScoreCustomers
from accord.services.customers import (
    customer_ranking,
    parse_weights,
    save_ranking,
    score_history,
)
from accord.services.throughput import throughput_report

router = APIRouter(tags=["throughput"])


@router.get("/throughput", summary="The constraint, throughput per constraint minute, the best mix")
def throughput(
    company: CurrentCompany,
    _: MayReadMargins,
    start: Annotated[
        dt.date | None, Query(alias="from", description="First day; default: the as-of date.")
    ] = None,
    end: Annotated[
        dt.date | None, Query(alias="to", description="Last day; default: 4 weeks on.")
    ] = None,
    integer: Annotated[bool, Query(description="Whole units in the mixes.")] = False,
) -> dict[str, Any]:
    return throughput_report(company, start, end, integer).to_json()


class CustomerWeights(BaseModel):
    weights: dict[str, float] = Field(
        default_factory=dict, description="criterion -> weight; overrides settings weights."
    )


def _weights(pairs: list[str] | None) -> dict[str, float]:
    return parse_weights(pairs or [])


@router.get("/customers", summary="Best customers: score, tier A/B/C and the reasons")
def customers(
    company: CurrentCompany,
    _: MayReadCustomerScores,
    weight: Annotated[
        list[str] | None, Query(description="criterion=value; repeat for several.")
    ] = None,
) -> dict[str, Any]:
    return customer_ranking(company, _weights(weight)).to_json()


@router.post("/customers", summary="Rank customers with these weights and keep the scores")
def save_customers(
    body: CustomerWeights, company: CurrentCompany, db: Db, user: MayScoreCustomers
) -> dict[str, Any]:
    ranking = customer_ranking(company, body.weights)
    saved = save_ranking(db, ranking, company.version, by=user.username)
    return ranking.to_json() | {"saved": saved}


@router.get("/customers/history", summary="Saved customer scores, newest first")
def customer_history(
    db: Db, _: MayReadCustomerScores, customer: str | None = None
) -> list[dict[str, Any]]:
    return score_history(db, customer)
