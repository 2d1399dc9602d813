"""`accord backup` and `accord restore` on both databases, and across them."""

from __future__ import annotations

import json
import zipfile

import pytest

from accord.errors import BadInput
from accord.io.files import read_dataset
from accord.services import auth
from accord.services.backup import backup, restore
from accord.services.datasets import load_stored, store_dataset
from accord.storage.database import Database
from tests.api.conftest import TINY


@pytest.fixture
def db(db_url):
    database = Database(db_url)
    database.migrate()
    yield database
    database.dispose()


def company_state(db: Database):
    dataset, version = load_stored(db)
    return dataset, version, [u.username for u in auth.list_users(db)]


def test_restore_brings_back_exactly_what_was_backed_up(db, tmp_path):
    tiny = read_dataset(TINY)
    store_dataset(db, tiny, "tiny")
    auth.create_user(db, "ana", "sales", "correct horse")
    report = backup(db, tmp_path / "backup.zip")
    assert report.counts["ds_orders"] == 4 and report.counts["users"] == 1
    before = company_state(db)

    auth.create_user(db, "ben", "sales", "correct horse")
    store_dataset(db, read_dataset(TINY), "again")
    assert company_state(db) != before

    restore(db, tmp_path / "backup.zip")
    assert company_state(db) == before
    assert auth.sign_in(db, "ana", "correct horse").username == "ana"
    # New rows after a restore get fresh ids (PostgreSQL sequences moved past the rows).
    auth.create_user(db, "carla", "finance", "correct horse")


def test_a_sqlite_backup_restores_into_any_database(db, tmp_path):
    source = Database(f"sqlite:///{tmp_path / 'source.db'}")
    source.migrate()
    store_dataset(source, read_dataset(TINY), "tiny")
    backup(source, tmp_path / "backup.zip")
    source.dispose()
    restore(db, tmp_path / "backup.zip")
    assert load_stored(db)[0] == read_dataset(TINY)


def test_a_damaged_backup_is_refused_and_changes_nothing(db, tmp_path):
    store_dataset(db, read_dataset(TINY), "tiny")
    backup(db, tmp_path / "good.zip")
    before = company_state(db)
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(tmp_path / "good.zip") as good, zipfile.ZipFile(damaged, "w") as bad:
        for name in good.namelist():
            data = good.read(name)
            if name == "ds_routings.jsonl":  # a late table: earlier ones are already written
                data = data.replace(b'"minutes_per_unit"', b'"minutes"')
            bad.writestr(name, data)
    with pytest.raises(BadInput, match="ds_routings: a backed-up row has columns"):
        restore(db, damaged)
    assert company_state(db) == before


def test_not_a_backup_and_another_schema_are_clear_errors(db, tmp_path):
    (tmp_path / "notes.zip").write_bytes(b"not a zip")
    with pytest.raises(BadInput, match="cannot read the backup"):
        restore(db, tmp_path / "notes.zip")
    backup(db, tmp_path / "good.zip")
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(tmp_path / "good.zip") as good, zipfile.ZipFile(other, "w") as bad:
        for name in good.namelist():
            data = good.read(name)
            if name == "manifest.json":
                manifest = json.loads(data)
                manifest["revisions"] = ["9999"]
                data = json.dumps(manifest).encode()
            bad.writestr(name, data)
    with pytest.raises(BadInput, match="restore into a database of the same Accord version"):
        restore(db, other)
