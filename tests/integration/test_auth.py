"""Users, passwords, tokens and the audit log on a real database (SQLite and PostgreSQL):
token expiry, listing and revocation; deactivation, password and role changes; the last
admin kept; the first run's admin created once however many ask at once."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from accord.errors import AccordError, BadInput, Conflict, NotAuthenticated, NotFound
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
    assert "correct horse" not in stored_password and stored_password.startswith("scrypt$n=")
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


def later(monkeypatch, **delta: float) -> None:
    moved = dt.datetime.now(dt.UTC) + dt.timedelta(**delta)
    monkeypatch.setattr(auth, "_now", lambda: moved)


def actions(db) -> list[tuple[str, str, str]]:
    return [(e["username"], e["action"], e["target"]) for e in auth.audit_log(db)]


def test_api_tokens_expire_after_the_days_they_were_given(db, monkeypatch):
    auth.create_user(db, "olaf", "operations", "correct horse")
    default = auth.issue_token(db, "olaf", "erp")
    short = auth.issue_token(db, "olaf", "a test", days=2)
    listed = {t.name: t for t in auth.tokens(db, "olaf")}
    lifetime = listed["erp"].expires_at - listed["erp"].created_at
    assert lifetime == dt.timedelta(days=auth.DEFAULT_TOKEN_DAYS) == dt.timedelta(days=90)
    later(monkeypatch, days=2, minutes=1)
    assert auth.user_for_token(db, short) is None
    assert auth.user_for_token(db, default).username == "olaf"
    now = auth.now()
    assert [t.expired(now) for t in auth.tokens(db, "olaf")] == [False, True]
    later(monkeypatch, days=90, minutes=1)
    assert auth.user_for_token(db, default) is None


@pytest.mark.parametrize("days", [0, -1, 3651])
def test_a_token_lifetime_out_of_range_is_refused(db, days):
    auth.create_user(db, "olaf", "operations", "correct horse")
    with pytest.raises(BadInput, match="valid for 1 to 3650 days"):
        auth.issue_token(db, "olaf", "erp", days=days)


def test_tokens_are_listed_without_secrets_and_revoked_by_id(db):
    auth.create_user(db, "olaf", "operations", "correct horse")
    auth.create_user(db, "ana", "sales", "correct horse")
    erp = auth.issue_token(db, "olaf", "erp")
    auth.issue_token(db, "ana", "crm")
    auth.issue_token(db, "olaf", "web", auth.SESSION)  # sessions are not API tokens
    listed = auth.tokens(db)
    assert [(t.username, t.name) for t in listed] == [("olaf", "erp"), ("ana", "crm")]
    assert erp not in repr(listed) and all(erp not in str(t.to_json(auth.now())) for t in listed)
    with pytest.raises(NotFound, match="of yours"):  # ana cannot revoke olaf's token
        auth.revoke_token(db, "ana", listed[0].id, owner="ana")
    assert auth.user_for_token(db, erp) is not None
    auth.revoke_token(db, "olaf", listed[0].id, owner="olaf")
    assert auth.user_for_token(db, erp) is None
    assert [t.name for t in auth.tokens(db)] == ["crm"]
    assert ("olaf", "revoke_token", "olaf") in actions(db)
    for missing in (listed[0].id, 999_999, 2**40, 0):
        with pytest.raises(NotFound):
            auth.revoke_token(db, "admin", missing)


def test_a_deactivated_users_tokens_and_sessions_stop_at_once_and_stay_revoked(db):
    auth.create_user(db, "root", "admin", "correct horse")
    auth.create_user(db, "ana", "sales", "correct horse")
    token = auth.issue_token(db, "ana", "crm")
    session = auth.issue_token(db, "ana", "web", auth.SESSION)
    account = auth.set_active(db, "root", "ana", False)
    assert not account.active
    assert auth.user_for_token(db, token) is None
    assert auth.user_for_token(db, session, auth.SESSION) is None
    with pytest.raises(NotAuthenticated):
        auth.sign_in(db, "ana", "correct horse")
    assert [a.active for a in auth.accounts(db)] == [False, True]  # ana, root
    auth.set_active(db, "root", "ana", True)
    assert auth.sign_in(db, "ana", "correct horse").username == "ana"
    assert auth.user_for_token(db, token) is None  # reactivating revives no old secret
    assert actions(db)[:2] == [
        ("root", "activate_user", "ana"),
        ("root", "deactivate_user", "ana"),
    ]
    assert auth.audit_log(db)[1]["details"] == {"revoked_tokens": 2}


def test_changing_ones_password_needs_the_old_one_and_revokes_the_other_secrets(db):
    auth.create_user(db, "ana", "sales", "correct horse")
    here = auth.issue_token(db, "ana", "web", auth.SESSION)
    other = auth.issue_token(db, "ana", "phone", auth.SESSION)
    token = auth.issue_token(db, "ana", "crm")
    with pytest.raises(BadInput, match="current password is not right"):
        auth.change_password(db, "ana", "wrong horse", "battery staple")
    with pytest.raises(BadInput, match="at least 8"):
        auth.change_password(db, "ana", "correct horse", "short")
    revoked = auth.change_password(db, "ana", "correct horse", "battery staple", keep=here)
    assert revoked == 2
    assert auth.user_for_token(db, here, auth.SESSION).username == "ana"
    assert auth.user_for_token(db, other, auth.SESSION) is None
    assert auth.user_for_token(db, token) is None
    assert auth.sign_in(db, "ana", "battery staple").username == "ana"
    with pytest.raises(NotAuthenticated):
        auth.sign_in(db, "ana", "correct horse")
    assert ("ana", "change_password", "ana") in actions(db)


def test_an_admin_resets_anyones_password_and_every_secret_of_theirs_goes(db):
    auth.create_user(db, "root", "admin", "correct horse")
    auth.create_user(db, "ana", "sales", "correct horse")
    token = auth.issue_token(db, "ana", "crm")
    assert auth.reset_password(db, "root", "ana", "battery staple") == 1
    assert auth.user_for_token(db, token) is None
    assert auth.sign_in(db, "ana", "battery staple").username == "ana"
    assert actions(db)[0] == ("root", "reset_password", "ana")
    with pytest.raises(NotFound):
        auth.reset_password(db, "root", "nobody", "battery staple")


def test_roles_change_and_take_effect_on_the_next_request(db):
    auth.create_user(db, "root", "admin", "correct horse")
    auth.create_user(db, "ana", "sales", "correct horse")
    token = auth.issue_token(db, "ana", "crm")
    assert auth.change_role(db, "root", "ana", "finance").user.role.value == "finance"
    assert auth.user_for_token(db, token).role.value == "finance"
    assert auth.audit_log(db)[0]["details"] == {"old": "sales", "new": "finance"}
    with pytest.raises(BadInput, match="role must be one of"):
        auth.change_role(db, "root", "ana", "boss")


def test_the_last_active_admin_is_neither_deactivated_nor_demoted(db):
    auth.create_user(db, "root", "admin", "correct horse")
    auth.create_user(db, "ana", "sales", "correct horse")
    for change in (
        lambda: auth.set_active(db, "root", "root", False),
        lambda: auth.change_role(db, "root", "root", "sales"),
    ):
        with pytest.raises(Conflict, match="last active admin") as refused:
            change()
        assert refused.value.status == 409
    auth.change_role(db, "root", "ana", "admin")
    auth.set_active(db, "ana", "root", False)  # another admin is active now
    with pytest.raises(Conflict):  # and ana is the last one left
        auth.change_role(db, "ana", "ana", "sales")
    assert auth.change_role(db, "ana", "root", "sales").user.role.value == "sales"


def at_once(count: int, job: Callable[[int], Any]) -> tuple[list[Any], list[BaseException]]:
    """Run ``job(i)`` in ``count`` threads released together."""
    start = threading.Barrier(count)
    done: list[Any] = []
    failed: list[BaseException] = []

    def run(i: int) -> None:
        start.wait()
        try:
            done.append(job(i))
        except AccordError as error:
            failed.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done, failed


def test_two_admins_demoting_each_other_at_once_leave_one_admin(db):
    auth.create_user(db, "root", "admin", "correct horse")
    auth.create_user(db, "rita", "admin", "correct horse")
    pairs = [("root", "rita"), ("rita", "root")]
    done, failed = at_once(2, lambda i: auth.change_role(db, *pairs[i], "sales"))
    assert len(done) == 1 and len(failed) == 1 and isinstance(failed[0], Conflict)
    admins = [a for a in auth.accounts(db) if a.user.role.value == "admin" and a.active]
    assert len(admins) == 1


def test_the_first_admin_is_created_once_however_many_set_up_at_once(db):
    done, failed = at_once(
        6, lambda i: auth.create_first_admin(db, f"admin-{i}", "correct horse", f"Admin {i}")
    )
    assert len(done) == 1 and len(failed) == 5
    assert all(isinstance(f, Conflict) and "set up already" in f.message for f in failed)
    [account] = auth.accounts(db)
    assert account.user.role.value == "admin" and account.user == done[0]
    assert actions(db) == [("setup", "create_user", done[0].username)]
    with pytest.raises(Conflict):
        auth.create_first_admin(db, "late", "correct horse")


@pytest.mark.parametrize("name", ["", "two words", "a/b", "x" * 101, "nul\x00", "tab\t"])
def test_user_names_that_would_break_a_path_or_a_log_are_refused(db, name):
    with pytest.raises(BadInput, match="a user name has 1 to 100 letters"):
        auth.create_user(db, name, "sales", "correct horse")


@pytest.mark.parametrize("name", ["nul\x00", "x" * 300])
def test_an_impossible_name_is_unknown_without_a_query(db, name):
    with pytest.raises(NotFound):
        auth.set_active(db, "root", name, False)
    with pytest.raises(NotFound):
        auth.tokens(db, name)
    with pytest.raises(NotFound):
        auth.issue_token(db, name, "crm")
