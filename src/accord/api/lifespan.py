"""What the app runs beside its requests while it serves: on PostgreSQL, the listener that
marks this process's caches stale when another process commits (``storage/notify.py``).

It runs in a thread of its own, so it never blocks the event loop; it is stopped (and
waited for, in a worker thread) when the app shuts down.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from accord.storage.database import Database


@asynccontextmanager
async def follow_other_processes(app: FastAPI) -> AsyncIterator[None]:
    db: Database = app.state.db
    listener = db.listener()  # None on SQLite: the periodic recheck sees other processes
    if listener is not None:
        listener.start()
    app.state.change_listener = listener
    try:
        yield
    finally:
        if listener is not None:
            await run_in_threadpool(listener.stop)
