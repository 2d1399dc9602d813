"""The OpenAPI schema fuzzed: whatever a client sends, the API never answers 500.

Every operation is called with generated inputs, as an admin (so writes are exercised
past the permission check), against the tiny company in a throw-away database.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from accord.api.app import create_app
from accord.config import Settings
from accord.io.files import read_dataset
from accord.services import auth
from accord.services.datasets import store_dataset
from accord.services.runtime import open_database
from tests.api.conftest import TINY

pytestmark = pytest.mark.xdist_group("fuzz")


# Built at import: the schema decides which tests exist before any fixture runs.
_folder = tempfile.TemporaryDirectory()
_config = Settings(
    database_url=f"sqlite:///{Path(_folder.name) / 'accord.db'}", max_upload_bytes=100_000
)
_db = open_database(_config)
store_dataset(_db, read_dataset(TINY), "tiny")
auth.create_user(_db, "admin", "admin", "correct horse")
TOKEN = auth.issue_token(_db, "admin", "fuzz")
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(_config, _db))


@pytest.fixture(scope="module", autouse=True)
def _clean_up():
    yield
    _db.dispose()
    _folder.cleanup()


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_input_makes_the_api_fail_with_500(case):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {TOKEN}"}, checks=[not_a_server_error]
    )
