"""FastAPI dependencies as ``Annotated`` aliases, shared by the JSON routes and the pages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from accord.services.company import Company, CompanyStore
from accord.storage.database import Database

# The dependencies are async so FastAPI calls them on the event loop, not in a thread.


async def _store(request: Request) -> CompanyStore:
    store: CompanyStore = request.app.state.companies
    return store


async def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


Store = Annotated[CompanyStore, Depends(_store)]
Db = Annotated[Database, Depends(_db)]
# Dates far outside any planning horizon are refused (422), not computed with.
EARLIEST_DATE, LATEST_DATE = dt.date(1900, 1, 1), dt.date(2999, 12, 31)
AsOf = Annotated[
    dt.date | None,
    Query(
        ge=EARLIEST_DATE,
        le=LATEST_DATE,
        description="The as-of date (YYYY-MM-DD, 1900 to 2999); default: the dataset's "
        "settings.as_of.",
    ),
]


async def _company(store: Store, as_of: AsOf = None) -> Company:
    # Loading a new dataset version or building a snapshot takes a while: in a thread.
    company = store.cached(as_of)
    return company if company is not None else await run_in_threadpool(store.current, as_of)


CurrentCompany = Annotated[Company, Depends(_company)]
