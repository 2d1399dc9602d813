"""Plan versions on a real database (SQLite, and PostgreSQL in CI): appended, never
overwritten, each with the difference to the one saved before it, also when saved at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from accord.errors import NotFound
from accord.io.files import read_dataset
from accord.planning.sop import SopParams
from accord.services import plan as service
from accord.services.company import Company
from accord.services.snapshot import build_snapshot
from accord.storage.database import Database

TINY = Path(__file__).parents[1] / "data" / "tiny"


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def company() -> Company:
    dataset = read_dataset(TINY)
    return Company(dataset, 1, "tiny", build_snapshot(dataset))


def test_versions_chain_with_their_differences(db: Database, company: Company) -> None:
    sales = service.save_version(db, company, SopParams(periods=3), "sales", "ana", "first")
    ops = service.save_version(
        db, company, SopParams(periods=3, objective="profit"), "operations", "olaf", "ops"
    )
    agreed = service.save_version(db, company, SopParams(periods=3), "consensus", "ceo", "ok")
    assert (sales.previous_id, ops.previous_id, agreed.previous_id) == (None, sales.id, ops.id)
    assert sales.diff is None
    assert agreed.diff is not None and len(agreed.diff["periods"]) == 3
    # The first version is still there, unchanged.
    again = service.get_version(db, sales.id)
    assert again.result == sales.result and again.note == "first"
    assert again.params["periods"] == 3 and again.dataset_version == 1
    assert [v.id for v in service.list_versions(db)] == [agreed.id, ops.id, sales.id]
    # Same parameters, same plan: no difference between the first and last.
    diff = service.compare_versions(db, sales.id, agreed.id)
    assert diff["total_cost"] == 0 and all(p["made"] == 0 for p in diff["periods"])


def test_an_unknown_version_is_not_found(db: Database) -> None:
    with pytest.raises(NotFound):
        service.get_version(db, 7)


def test_versions_saved_at_once_form_one_chain(db: Database, company: Company) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def save(author: str) -> None:
        try:
            start.wait()
            service.save_version(db, company, SopParams(periods=3), "sales", author)
        except BaseException as error:  # reported by the assert below
            errors.append(error)

    threads = [threading.Thread(target=save, args=(f"rep-{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    versions = sorted(service.list_versions(db), key=lambda v: v.id)
    assert [v.previous_id for v in versions] == [None, versions[0].id, versions[1].id]


def test_a_plan_using_the_statistical_forecast_is_saved_too(tmp_path):
    import datetime as dt

    from accord.config import Settings
    from accord.io.files import read_dataset
    from accord.planning.sop import SopParams
    from accord.services import plan as service
    from accord.services.company import CompanyStore
    from accord.services.datasets import store_dataset
    from accord.services.runtime import open_database
    from tests.api.conftest import TINY

    db = open_database(Settings(database_url=f"sqlite:///{tmp_path / 'a.db'}"))
    store_dataset(db, read_dataset(TINY), "tiny")
    company = CompanyStore(db, 365).current()
    params = SopParams(periods=3, statistical={("PUMP-300", dt.date(2026, 12, 1)): 50.0})
    stored = service.save_version(db, company, params, "sales", "ana")
    assert stored.params["statistical_forecast"] is True
    db.dispose()
