from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from accord.api.app import create_app
from accord.config import Settings
from accord.io.files import read_dataset
from accord.services.datasets import store_dataset
from accord.services.runtime import open_database

TINY = Path(__file__).parent.parent / "data" / "tiny"


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'accord.db'}")


@pytest.fixture
def empty_client(settings):
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def client(settings):
    db = open_database(settings)
    store_dataset(db, read_dataset(TINY), "tiny")
    with TestClient(create_app(settings, db)) as client:
        yield client
    db.dispose()
