"""FastAPI dependencies as ``Annotated`` aliases, shared by the JSON routes and the pages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Depends, Query, Request

from accord.services.company import Company, CompanyStore
from accord.storage.database import Database


def _store(request: Request) -> CompanyStore:
    store: CompanyStore = request.app.state.companies
    return store


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


Store = Annotated[CompanyStore, Depends(_store)]
Db = Annotated[Database, Depends(_db)]
AsOf = Annotated[
    dt.date | None,
    Query(description="The as-of date (YYYY-MM-DD); default: the dataset's settings.as_of."),
]


def _company(store: Store, as_of: AsOf = None) -> Company:
    return store.current(as_of)


CurrentCompany = Annotated[Company, Depends(_company)]
