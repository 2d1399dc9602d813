"""import -> export -> import gives an equal dataset, through files and the database."""

from __future__ import annotations

import shutil

from hypothesis import HealthCheck, given, settings

from accord.io.files import write_dataset
from accord.services.datasets import export_to, import_path, load_stored
from accord.storage.database import Database
from tests.strategies import datasets


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(dataset=datasets())
def test_import_export_import_round_trips_any_dataset(db_url, tmp_path, dataset):
    db = Database(db_url)
    db.migrate()
    source, exported = tmp_path / "source", tmp_path / "exported.xlsx"
    shutil.rmtree(source, ignore_errors=True)
    write_dataset(dataset, source)
    try:
        import_path(db, source)
        first, version = load_stored(db)
        assert first == dataset
        export_to(db, exported)
        import_path(db, exported)
        again, next_version = load_stored(db)
        assert again == first
        assert next_version == version + 1
    finally:
        db.dispose()
