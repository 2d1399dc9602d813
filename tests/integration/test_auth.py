"""Users, passwords, tokens and the audit log on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from accord.errors import BadInput, Conflict, NotAuthenticated
from accord.io.files import read_dataset
from accord.services import auth
from accord.services.datasets import store_dataset
from accord.storage.auth_tables import api_tokens, users
from accord.storage.database import Database
from tests.api.conftest import TINY


@pytest.fixture
def db(db_url):
    database = Database(db_url)
    database.migrate()
    yield database
    database.dispose()


def test_users_sign_in_with_their_password_only(db):
    auth.create_user(db, "ana", "sales", "correct horse", "Ana Sales")
    assert auth.sign_in(db, "ana", "correct horse").display_name == "Ana Sales"
    for name, password in (("ana", "wrong horse"), ("nobody", "correct horse")):
        with pytest.raises(NotAuthenticated, match="unknown user or wrong password"):
            auth.sign_in(db, name, password)


def test_secrets_are_stored_only_as_hashes(db):
    auth.create_user(db, "ana", "sales", "correct horse")
    token = auth.issue_token(db, "ana", "crm")
    with db.engine.connect() as conn:
        stored_password = conn.execute(select(users.c.password_hash)).scalar_one()
        stored_token = conn.execute(select(api_tokens.c.token_hash)).scalar_one()
    assert "correct horse" not in stored_password and stored_password.startswith("scrypt$")
    assert token not in stored_token and len(stored_token) == 64


def test_duplicate_users_short_passwords_and_unknown_roles_are_refused(db):
    auth.create_user(db, "ana", "sales", "correct horse")
    with pytest.raises(Conflict, match="user 'ana' exists already"):
        auth.create_user(db, "ana", "admin", "another one")
    with pytest.raises(BadInput, match="at least 8 characters"):
        auth.create_user(db, "ben", "sales", "short")
    with pytest.raises(BadInput, match="role must be one of"):
        auth.create_user(db, "ben", "boss", "long enough")


def test_tokens_identify_their_user_until_revoked(db):
    auth.create_user(db, "olaf", "operations", "correct horse")
    token = auth.issue_token(db, "olaf", "erp")
    assert auth.user_for_token(db, token).username == "olaf"
    assert auth.user_for_token(db, token, auth.SESSION) is None  # an API token is no session
    assert auth.user_for_token(db, token + "x") is None
    auth.revoke(db, token)
    assert auth.user_for_token(db, token) is None


def test_sessions_expire(db, monkeypatch):
    auth.create_user(db, "ana", "sales", "correct horse")
    session = auth.issue_token(db, "ana", "web", auth.SESSION)
    assert auth.user_for_token(db, session, auth.SESSION) is not None
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=auth.SESSION_HOURS, minutes=1)
    monkeypatch.setattr(auth, "_now", lambda: later)
    assert auth.user_for_token(db, session, auth.SESSION) is None


def test_an_import_by_a_user_is_audited_in_the_same_transaction(db):
    user = auth.create_user(db, "olaf", "operations", "correct horse")
    version = store_dataset(db, read_dataset(TINY), "tiny", actor=user)
    entry = auth.audit_log(db)[0]
    assert (entry["username"], entry["action"], entry["target"]) == (
        "olaf",
        "import_dataset",
        "tiny",
    )
    assert entry["details"]["version"] == version
    assert entry["details"]["counts"]["orders"] == 4


def test_demo_users_are_created_only_in_a_database_without_users(db):
    created = auth.ensure_demo_users(db)
    assert [u.username for u in created] == ["ana", "olaf", "fiona", "admin"]
    assert auth.sign_in(db, "admin", auth.DEMO_PASSWORD).role.value == "admin"
    assert auth.ensure_demo_users(db) == []
