"""Several connections at once: readers see whole datasets, imports take turns."""

from __future__ import annotations

import threading

from sqlalchemy import Engine

from accord.domain.dataset import Dataset
from accord.storage import repository
from accord.storage.unit_of_work import UnitOfWork
from tests.integration.datasets import pump_company, valve_company


def test_readers_see_the_previous_dataset_while_an_import_is_open(engine: Engine) -> None:
    with UnitOfWork(engine, write=True) as uow:
        uow.replace_dataset(valve_company(), "valves/")
        uow.commit()

    with UnitOfWork(engine, write=True) as importing:
        assert importing.replace_dataset(pump_company(), "pumps.xlsx") == 2
        with UnitOfWork(engine) as reader:
            assert reader.current_version() == 1
            assert reader.load_dataset() == valve_company()
        importing.commit()

    with UnitOfWork(engine) as reader:
        assert reader.current_version() == 2
        assert reader.load_dataset() == pump_company()


def test_simultaneous_imports_take_turns_and_each_gets_its_own_version(
    engine: Engine,
) -> None:
    datasets = [pump_company(), valve_company(), pump_company(), valve_company()]
    versions: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(datasets))

    def import_(dataset: Dataset) -> None:
        try:
            start.wait()
            # A bare transaction, not a write UnitOfWork: the repository serialises by itself.
            with engine.begin() as conn:
                versions.append(repository.replace_dataset(conn, dataset, "upload"))
        except BaseException as error:  # reported by the assert below
            errors.append(error)

    threads = [threading.Thread(target=import_, args=(d,)) for d in datasets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(versions) == [1, 2, 3, 4]
    with UnitOfWork(engine) as uow:
        assert uow.load_dataset() in (pump_company(), valve_company())
