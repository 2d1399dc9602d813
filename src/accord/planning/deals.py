"""Open deals ranked by throughput per minute of the constraint (SPEC §5.5).

A deal is an open opportunity; its throughput is the sum over its lines of
``quantity × (line price − material cost)`` (the line price defaults to the product's), and
its constraint minutes the sum of ``quantity × minutes per unit on the constraint``
(components and spread setups included). Deals that need no constraint time have no finite
ratio (reported as null) and rank first: every unit of them is throughput the constraint
does not limit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from accord.domain.snapshot import FloatArray, Snapshot


@dataclass(frozen=True, slots=True)
class DealRank:
    opportunity_id: str
    customer: str
    owner: str | None
    stage: str
    probability: float
    close_date: dt.date | None
    value: float
    throughput: float
    constraint_minutes: float
    throughput_per_constraint_minute: float | None  # None: needs no constraint time

    def to_json(self) -> dict[str, Any]:
        tcu = self.throughput_per_constraint_minute
        return {
            "opportunity_id": self.opportunity_id,
            "customer": self.customer,
            "owner": self.owner,
            "stage": self.stage,
            "probability": self.probability,
            "close_date": self.close_date.isoformat() if self.close_date else None,
            "value": round(self.value, 2),
            "throughput": round(self.throughput, 2),
            "constraint_minutes": round(self.constraint_minutes, 3),
            "throughput_per_constraint_minute": None if tcu is None else round(tcu, 4),
        }


def rank_key(throughput: float, ratio: float | None) -> tuple[int, float]:
    """Sort key: no constraint time first (by throughput), then by ratio, highest first."""
    return (0, -throughput) if ratio is None else (1, -ratio)


def rank_deals(snap: Snapshot, constraint_minutes: FloatArray | None) -> list[DealRank]:
    """Every open deal with its throughput and constraint minutes, best first.

    ``constraint_minutes`` [S]: minutes per unit on the constraint (None: no constraint)."""
    ranked = []
    for deal in snap.opportunities:
        if not deal.is_open:
            continue
        value = throughput = minutes = 0.0
        for line in snap.lines_by_opportunity.get(deal.opportunity_id, ()):
            i = snap.sku_index[line.sku]
            value += line.quantity * line.unit_price
            throughput += line.quantity * (line.unit_price - float(snap.material_cost[i]))
            if constraint_minutes is not None:
                minutes += line.quantity * float(constraint_minutes[i])
        ranked.append(
            DealRank(
                opportunity_id=deal.opportunity_id,
                customer=deal.customer,
                owner=deal.owner,
                stage=deal.stage,
                probability=deal.probability,
                close_date=deal.close_date,
                value=value,
                throughput=throughput,
                constraint_minutes=minutes,
                throughput_per_constraint_minute=throughput / minutes if minutes > 0 else None,
            )
        )
    ranked.sort(
        key=lambda d: (
            *rank_key(d.throughput, d.throughput_per_constraint_minute),
            d.opportunity_id,
        )
    )
    return ranked
