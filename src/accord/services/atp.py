"""Available-to-promise of one product: open orders and the reservations holding capacity
count as customer orders."""

from __future__ import annotations

from accord.domain.snapshot import Snapshot
from accord.planning.atp import Atp, AtpParams, atp
from accord.services.promise import holding_reservations
from accord.storage.database import Database


def atp_record(snapshot: Snapshot, sku: str, periods: int, db: Database | None = None) -> Atp:
    params = AtpParams(periods=periods)
    held = [
        (r["promised_date"] or snapshot.as_of, float(r["quantity"]))
        for r in holding_reservations(db)
        if r["sku"] == sku
    ]
    return atp(snapshot, sku, params, held)
