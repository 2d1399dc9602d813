"""CRM webhook benchmark (issue: a deal change answered with a promise in under 100 ms at the
99th percentile on the demo company). Rows:

webhook p50 / p99   a signed HubSpot ``deal.propertyChange`` delivery through the whole app
                    (HTTP, signature check, idempotency lookup, deal check of every line
                    with its scope rules, check log, event record), one new event per
                    request, on a copy of the stored demo company with the app warm (its
                    snapshot and load state built by the first requests);
                    baseline: the simplest correct approach, a cold answer per event (load
                    the company, build the snapshot and load state, check) on a few events
webhook repeat p99  the same delivery again (answered from the event record)

Peak memory is the process's after serving the deliveries, before the cold baseline loads
its companies.
"""

from __future__ import annotations

import base64
import datetime as dt
import gc
import hashlib
import hmac
import json
import os
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

SECRET = "bench-client-secret"
EVENTS = {"large": 500, "small": 300}
BASELINE_EVENTS = 3
URL = "http://testserver/api/v1/crm/webhook/hubspot"


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _database(scale: str, folder: Path) -> str:
    """A copy of the stored demo company (the benchmark writes check logs to it)."""
    target = folder / "crm-bench.db"
    source = os.environ.get("ACCORD_BENCH_DB", "")
    if source.startswith("sqlite:///"):
        shutil.copyfile(source.removeprefix("sqlite:///"), target)
        return f"sqlite:///{target}"
    from accord.demo import generate
    from accord.services.datasets import store_dataset
    from accord.storage.database import Database

    db = Database(f"sqlite:///{target}")
    db.migrate()
    store_dataset(db, generate("large" if scale == "large" else "small"), "demo")
    db.dispose()
    return f"sqlite:///{target}"


def _delivery(event_id: int, deal: str) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(
        [
            {
                "eventId": event_id,
                "subscriptionId": 1,
                "portalId": 1,
                "occurredAt": 0,
                "subscriptionType": "deal.propertyChange",
                "attemptNumber": 0,
                "objectId": deal,
                "propertyName": "dealstage",
                "propertyValue": "contractsent",
                "changeSource": "CRM_UI",
            }
        ]
    ).encode()
    stamp = str(int(dt.datetime.now(dt.UTC).timestamp() * 1000))
    digest = hmac.new(
        SECRET.encode(), b"POST" + URL.encode() + body + stamp.encode(), hashlib.sha256
    )
    return body, {
        "X-HubSpot-Signature-v3": base64.b64encode(digest.digest()).decode(),
        "X-HubSpot-Request-Timestamp": stamp,
        "Content-Type": "application/json",
    }


def run(scale: str, runs: int) -> list[dict[str, Any]]:
    from fastapi.testclient import TestClient

    from accord.api.app import create_app
    from accord.config import Settings
    from accord.domain.dataset import is_closed
    from accord.planning.loading import warm_up
    from accord.services.crm_webhook import DealChange, answer
    from accord.services.datasets import load_stored_deferring
    from accord.services.promise import Desk
    from accord.services.snapshot import build_snapshot
    from accord.storage.database import Database

    warm_up()
    os.environ["ACCORD_HUBSPOT_CLIENT_SECRET"] = SECRET
    with tempfile.TemporaryDirectory() as tmp:
        url = _database(scale, Path(tmp))
        db = Database(url)
        db.migrate()
        dataset, _ = load_stored_deferring(db)
        with_lines = {r["opportunity_id"] for r in dataset.rows("opportunity_lines")}
        deals = [
            o["opportunity_id"]
            for o in dataset.rows("opportunities")
            if o["opportunity_id"] in with_lines and not is_closed(o["stage"])
        ]
        del dataset  # the app loads its own company
        rng = np.random.default_rng(5)
        picked = rng.choice(deals, EVENTS.get(scale, 300)).tolist()
        samples: list[float] = []
        repeats: list[float] = []
        with TestClient(create_app(Settings(database_url=url), db)) as client:
            for i, deal in enumerate(picked[:10]):  # warm: snapshot, load state, caches
                body, headers = _delivery(1_000_000 + i, deal)
                assert (
                    client.post(
                        "/api/v1/crm/webhook/hubspot", content=body, headers=headers
                    ).status_code
                    == 200
                )
            for i, deal in enumerate(picked):
                body, headers = _delivery(i, deal)
                started = time.perf_counter()
                reply = client.post("/api/v1/crm/webhook/hubspot", content=body, headers=headers)
                samples.append(time.perf_counter() - started)
                assert reply.status_code == 200, reply.text
            for i, deal in enumerate(picked[:100]):
                body, headers = _delivery(i, deal)
                started = time.perf_counter()
                reply = client.post("/api/v1/crm/webhook/hubspot", content=body, headers=headers)
                repeats.append(time.perf_counter() - started)
                assert reply.json()["answers"][0]["repeat"] is True
        peak = _peak_mib()  # the app serving deliveries, before the cold baseline
        del client
        gc.collect()

        def cold(event_id: int, deal: str) -> None:
            snapshot = build_snapshot(load_stored_deferring(db)[0])  # as the app loads it
            answer(
                db,
                snapshot,
                Desk(),
                DealChange("hubspot", f"cold-{event_id}", deal),
                dt.datetime.now(dt.UTC),
            )

        baseline = []
        for i, deal in enumerate(picked[:BASELINE_EVENTS]):
            started = time.perf_counter()
            cold(i, deal)
            baseline.append(time.perf_counter() - started)
        db.dispose()
    base = statistics.median(baseline)
    rows = [
        {
            "job": f"webhook p{pct} ({len(samples)} deal changes)",
            "seconds": float(np.percentile(samples, pct)),
            "baseline": "cold: load, snapshot, check per event",
            "baseline_seconds": base,
            "peak_mib": peak,
            "target": target,
        }
        for pct, target in ((50, "-"), (99, "p99 < 100 ms"))
    ]
    rows.append(
        {
            "job": f"webhook repeat p99 ({len(repeats)} repeated deliveries)",
            "seconds": float(np.percentile(repeats, 99)),
            "baseline": "cold: load, snapshot, check per event",
            "baseline_seconds": base,
            "peak_mib": peak,
            "target": "p99 < 100 ms",
        }
    )
    return rows


if __name__ == "__main__":
    import sys

    for row in run(sys.argv[1] if len(sys.argv) > 1 else "small", 3):
        print(row)
