"""A real database per test: a SQLite file, and a fresh PostgreSQL database.

PostgreSQL comes from ACCORD_TEST_POSTGRES_URL (any database on the server; each test gets
its own ``accord_test_<id>`` database, dropped afterwards, so parallel runs never collide).
Without that variable the PostgreSQL cases skip, unless ACCORD_REQUIRE_POSTGRES=1: then a
missing or unreachable server fails them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from accord.storage.engine import make_engine
from accord.storage.migrate import upgrade


def _postgres_server_url() -> str:
    url = os.environ.get("ACCORD_TEST_POSTGRES_URL")
    required = os.environ.get("ACCORD_REQUIRE_POSTGRES") == "1"
    if not url:
        if required:
            pytest.fail("ACCORD_REQUIRE_POSTGRES=1 but ACCORD_TEST_POSTGRES_URL is not set")
        pytest.skip("ACCORD_TEST_POSTGRES_URL is not set")
    return url


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database (no schema yet)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'accord.db'}"
        return
    server = make_url(_postgres_server_url())
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"accord_test_{uuid.uuid4().hex}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        message = f"PostgreSQL at {server.render_as_string()} is unreachable: {error}"
        if os.environ.get("ACCORD_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on a migrated, empty database."""
    engine = make_engine(db_url)
    upgrade(engine)
    yield engine
    engine.dispose()
