"""`accord users ...`: the first admin, accounts, roles, passwords and API tokens from the
shell; passwords from a prompt without echo or from standard input, never an argument."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from accord.cli import app
from accord.config import load_settings
from accord.services import auth
from accord.services.runtime import open_database

PASSWORD = "correct horse"


@pytest.fixture
def accord(tmp_path, monkeypatch):
    monkeypatch.setenv("ACCORD_DATABASE_URL", f"sqlite:///{tmp_path / 'accord.db'}")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)

    return run


@pytest.fixture
def db(accord):
    database = open_database(load_settings())
    yield database
    database.dispose()


def test_create_admin_asks_twice_without_echo(accord, db):
    result = accord("users", "create-admin", "root", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output  # the prompt hides what is typed
    assert "created root (admin)" in result.stdout
    assert auth.sign_in(db, "root", PASSWORD).role.value == "admin"


def test_create_admin_reads_the_password_from_stdin_once_and_only_on_a_first_run(accord, db):
    first = accord(
        "users", "create-admin", "root", "--password-stdin", "--json", input=f"{PASSWORD}\n"
    )
    assert first.exit_code == 0 and json.loads(first.stdout)["role"] == "admin"
    again = accord("users", "create-admin", "rita", "--password-stdin", input=f"{PASSWORD}\n")
    assert again.exit_code == 1 and "set up already" in again.stderr
    assert [a.user.username for a in auth.accounts(db)] == ["root"]


def test_a_short_password_is_bad_input(accord):
    result = accord("users", "create-admin", "root", "--password-stdin", input="short\n")
    assert result.exit_code == 2 and "at least 8 characters" in result.stderr


def test_users_are_deactivated_reactivated_and_given_roles(accord, db):
    accord("users", "create-admin", "root", "--password-stdin", input=f"{PASSWORD}\n")
    added = accord(
        "users", "add", "ana", "--role", "sales", "--password-stdin", input=f"{PASSWORD}\n"
    )
    assert added.exit_code == 0, added.output
    assert accord("users", "deactivate", "ana").exit_code == 0
    listed = json.loads(accord("users", "list", "--json").stdout)
    assert {u["username"]: u["active"] for u in listed} == {"ana": False, "root": True}
    assert "deactivated" in accord("users", "list").stdout
    assert accord("users", "activate", "ana").exit_code == 0
    role = accord("users", "role", "ana", "finance", "--json")
    assert json.loads(role.stdout)["role"] == "finance"
    last = accord("users", "deactivate", "root")
    assert last.exit_code == 1 and "last active admin" in last.stderr
    demote = accord("users", "role", "root", "sales")
    assert demote.exit_code == 1 and "last active admin" in demote.stderr
    assert accord("users", "deactivate", "nobody").exit_code == 2
    who = [e["username"] for e in auth.audit_log(db)[:3]]
    assert who == ["accord"] * 3


def test_a_password_reset_from_the_shell_revokes_the_users_tokens(accord, db):
    auth.create_user(db, "ana", "sales", PASSWORD)
    token = auth.issue_token(db, "ana", "crm")
    result = accord("users", "password", "ana", "--password-stdin", input="battery staple\n")
    assert result.exit_code == 0 and "1 session(s) and token(s) revoked" in result.stdout
    assert auth.user_for_token(db, token) is None
    assert auth.sign_in(db, "ana", "battery staple").username == "ana"


def test_tokens_are_made_with_a_lifetime_listed_without_secrets_and_revoked(accord, db):
    auth.create_user(db, "ana", "sales", PASSWORD)
    made = json.loads(
        accord("users", "token", "ana", "--name", "crm", "--days", "7", "--json").stdout
    )
    assert made["expires_at"] > made["created_at"] and made["token"].startswith("acc_")
    plain = accord("users", "token", "ana").stdout.strip()
    assert plain.startswith("acc_")
    listed = accord("users", "tokens", "ana")
    assert listed.exit_code == 0 and "crm" in listed.stdout
    assert made["token"] not in listed.stdout and plain not in listed.stdout
    as_json = json.loads(accord("users", "tokens", "--json").stdout)
    assert [t["name"] for t in as_json] == ["crm", "integration"]
    revoked = accord("users", "revoke-token", str(made["id"]))
    assert revoked.exit_code == 0 and "revoked token" in revoked.stdout
    assert auth.user_for_token(db, made["token"]) is None
    assert accord("users", "revoke-token", "999999").exit_code == 2
    assert accord("users", "token", "ana", "--days", "0").exit_code == 2
