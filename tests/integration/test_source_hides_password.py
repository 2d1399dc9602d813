"""The company's source names the database without its password: `GET /api/v1/dataset`
and `accord summary` show it to every signed-in user."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import make_url

from accord.services.company import CompanyStore
from accord.storage.database import Database
from accord.storage.unit_of_work import UnitOfWork
from tests.integration.datasets import pump_company


def test_a_postgresql_password_is_hidden_in_the_shown_url():
    db = Database("postgresql+psycopg://accord:s3cret-pw@db.example.com:5432/accord")
    try:
        assert db.shown_url == "postgresql+psycopg://accord:***@db.example.com:5432/accord"
    finally:
        db.dispose()


def test_the_loaded_company_names_its_source_without_the_password(db_url):
    url = db_url
    if db_url.startswith("postgresql"):
        # The test server trusts every local connection, so any password signs in.
        url = make_url(db_url).set(password="s3cret-pw").render_as_string(hide_password=False)
    db = Database(url)
    try:
        db.migrate()
        with UnitOfWork(db.engine, write=True) as uow:
            uow.replace_dataset(pump_company(), "upload.xlsx")
            uow.commit()
        company = CompanyStore(db, horizon_days=28).current(dt.date(2026, 11, 2))
        assert "s3cret-pw" not in company.source
        if db_url.startswith("postgresql"):
            assert company.source == make_url(url).render_as_string(hide_password=True)
            assert "***" in company.source
        else:  # a file has no password: shown as it is
            assert company.source == db_url
    finally:
        db.dispose()
