"""Liveness: the app runs and its database answers, told in milliseconds even when the
database is slow or locked.

The probe runs on threads of its own (not the request threads, which may all be waiting
on a lock) and on connections of its own (``Database.probe``), and is given
``PROBE_SECONDS``: a database that does not answer in that time is reported unavailable
(503, ``Retry-After``) instead of holding the caller.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import APIRouter

from accord import __version__
from accord.api.deps import Db
from accord.errors import DatabaseUnavailable
from accord.storage.faults import database_fault

router = APIRouter(tags=["health"])
PROBE_SECONDS = 3.0
_PROBES = ThreadPoolExecutor(max_workers=2, thread_name_prefix="accord-health")


@router.get("/health", summary="The app runs and its database answers")
async def health(db: Db) -> dict[str, Any]:
    probe = asyncio.get_running_loop().run_in_executor(_PROBES, db.probe)
    try:
        version = await asyncio.wait_for(probe, PROBE_SECONDS)
    except TimeoutError:
        raise DatabaseUnavailable(
            f"the database did not answer within {PROBE_SECONDS:g} s"
        ) from None
    except Exception as error:
        fault = database_fault(error)
        if fault is None:
            raise
        raise fault from error
    return {"status": "ok", "version": __version__, "dataset_version": version}
