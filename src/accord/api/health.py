"""Liveness: the app runs and its database answers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from accord import __version__
from accord.api.deps import Db

router = APIRouter(tags=["health"])


@router.get("/health", summary="The app runs and its database answers")
def health(db: Db) -> dict[str, Any]:
    with db.unit_of_work() as uow:
        version = uow.current_version()
    return {"status": "ok", "version": __version__, "dataset_version": version}
