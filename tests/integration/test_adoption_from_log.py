"""Adoption counts the deal checks made in Accord, not only those in the dataset."""

from __future__ import annotations

import datetime as dt

from accord.domain.dataset import Dataset
from accord.io.files import read_dataset
from accord.services import alignment
from accord.services.company import CompanyStore
from accord.services.datasets import store_dataset
from accord.storage import deal_repository
from accord.storage.database import Database
from tests.api.conftest import TINY


def test_a_check_logged_at_the_deal_desk_counts_as_adoption(db_url):
    db = Database(db_url)
    db.migrate()
    tiny = read_dataset(TINY)
    without_checks = Dataset({k: v for k, v in tiny.tables.items() if k != "checks"})
    store_dataset(db, without_checks, "tiny without checks")
    company = CompanyStore(db, 365).current()
    # OPP-7 is the tiny company's one won deal, closed on 20 Sep 2026: unchecked so far.
    assert alignment.reliability(company, db).to_json()["adoption"]["checked_share"] == 0.0
    with db.unit_of_work(write=True) as uow:
        deal_repository.add_check(
            uow.connection,
            {
                "opportunity_id": "OPP-7",
                "checked_at": dt.datetime(2026, 9, 10, 14, 0, tzinfo=dt.UTC),
                "checked_by": "ben",
                "verdict": "on_time",
                "earliest_date": dt.date(2026, 10, 2),
                "requested_date": dt.date(2026, 10, 5),
                "answer": {},
            },
        )
        uow.commit()
    assert alignment.reliability(company, db).to_json()["adoption"]["checked_share"] == 1.0
    db.dispose()
