"""Accounts on the API: tokens listed (never their secrets), expiring and revoked by their
owner or an admin; users deactivated, reactivated, given roles and passwords by an admin;
one's own password changed with the old one; the last admin kept (409)."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.services import auth
from tests.api.conftest import PASSWORD, READER


@pytest.fixture
def tokens(client):
    db = client.app.state.db
    made = {}
    for role in ("sales", "operations", "finance", "admin"):
        auth.create_user(db, f"{role}-user", role, PASSWORD)
        made[role] = auth.issue_token(db, f"{role}-user", "tests")
    return made


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_new_token_says_when_it_expires_default_from_the_setting(client, tokens):
    client.app.state.settings.token_days = 30
    made = client.post("/api/v1/tokens", json={"name": "crm"}, headers=bearer(tokens["sales"]))
    assert made.status_code == 201
    body = made.json()
    assert body["token"].startswith("acc_") and body["name"] == "crm"
    lifetime = dt.datetime.fromisoformat(body["expires_at"]) - dt.datetime.fromisoformat(
        body["created_at"]
    )
    assert lifetime == dt.timedelta(days=30)
    short = client.post(
        "/api/v1/tokens", json={"name": "a test", "days": 1}, headers=bearer(tokens["sales"])
    ).json()
    assert (
        short["expires_at"][:10]
        == (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).date().isoformat()
    )
    too_long = client.post(
        "/api/v1/tokens", json={"name": "x", "days": 5000}, headers=bearer(tokens["sales"])
    )
    assert too_long.status_code == 422 and too_long.json()["error"]["code"] == "bad_input"


def test_everyone_lists_their_own_tokens_without_secrets(client, tokens):
    response = client.get("/api/v1/tokens", headers=bearer(tokens["sales"]))
    assert response.status_code == 200
    [listed] = response.json()
    assert listed["username"] == "sales-user" and listed["name"] == "tests"
    assert set(listed) == {"id", "username", "name", "created_at", "expires_at", "expired"}
    assert tokens["sales"] not in response.text


def test_only_an_admin_lists_another_users_tokens(client, tokens):
    others = client.get("/api/v1/tokens?username=sales-user", headers=bearer(tokens["finance"]))
    assert others.status_code == 403
    by_admin = client.get("/api/v1/tokens?username=sales-user", headers=bearer(tokens["admin"]))
    assert [t["username"] for t in by_admin.json()] == ["sales-user"]
    missing = client.get("/api/v1/tokens?username=nobody", headers=bearer(tokens["admin"]))
    assert missing.status_code == 404


def token_id(client, token: str) -> int:
    return client.get("/api/v1/tokens", headers=bearer(token)).json()[0]["id"]


def test_the_owner_revokes_a_token_and_it_stops_at_once(client, tokens):
    ident = token_id(client, tokens["sales"])
    other = client.delete(f"/api/v1/tokens/{ident}", headers=bearer(tokens["finance"]))
    assert other.status_code == 404  # not yours: as if it did not exist
    assert (
        client.delete(f"/api/v1/tokens/{ident}", headers=bearer(tokens["sales"])).status_code == 204
    )
    assert client.get("/api/v1/me", headers=bearer(tokens["sales"])).status_code == 401


def test_an_admin_revokes_anyones_token(client, tokens):
    ident = token_id(client, tokens["operations"])
    assert (
        client.delete(f"/api/v1/tokens/{ident}", headers=bearer(tokens["admin"])).status_code == 204
    )
    assert client.get("/api/v1/me", headers=bearer(tokens["operations"])).status_code == 401
    entry = client.get("/api/v1/audit", headers=bearer(tokens["admin"])).json()[0]
    assert (entry["username"], entry["action"], entry["target"]) == (
        "admin-user",
        "revoke_token",
        "operations-user",
    )


@pytest.mark.parametrize("ident", ["0", "999999", "2147483648", "abc", "-1"])
def test_a_token_id_that_cannot_be_is_4xx(client, tokens, ident):
    response = client.delete(f"/api/v1/tokens/{ident}", headers=bearer(tokens["admin"]))
    assert response.status_code in (404, 422)
    assert set(response.json()["error"]) == {"code", "message", "details"}


def test_an_admin_lists_every_user_with_role_and_state(client, tokens):
    listed = client.get("/api/v1/users", headers=bearer(tokens["admin"])).json()
    assert {u["username"]: (u["role"], u["active"]) for u in listed}["sales-user"] == (
        "sales",
        True,
    )


def test_deactivating_a_user_stops_their_tokens_at_once(client, tokens):
    admin = bearer(tokens["admin"])
    off = client.patch("/api/v1/users/sales-user", json={"active": False}, headers=admin)
    assert off.status_code == 200 and off.json()["active"] is False
    assert client.get("/api/v1/me", headers=bearer(tokens["sales"])).status_code == 401
    on = client.patch("/api/v1/users/sales-user", json={"active": True}, headers=admin)
    assert on.json()["active"] is True
    assert client.get("/api/v1/me", headers=bearer(tokens["sales"])).status_code == 401


def test_an_admin_changes_a_role_and_it_holds_on_the_next_request(client, tokens):
    admin = bearer(tokens["admin"])
    changed = client.patch("/api/v1/users/finance-user", json={"role": "operations"}, headers=admin)
    assert changed.json()["role"] == "operations"
    assert (
        client.get("/api/v1/me", headers=bearer(tokens["finance"])).json()["role"] == "operations"
    )
    nothing = client.patch("/api/v1/users/finance-user", json={}, headers=admin)
    assert nothing.status_code == 422
    bad = client.patch("/api/v1/users/finance-user", json={"role": "boss"}, headers=admin)
    assert bad.status_code == 422 and "role must be one of" in bad.json()["error"]["message"]
    missing = client.patch("/api/v1/users/nobody", json={"role": "sales"}, headers=admin)
    assert missing.status_code == 404


def test_only_admins_change_users(client, tokens):
    sales = bearer(tokens["sales"])
    assert (
        client.patch("/api/v1/users/sales-user", json={"role": "admin"}, headers=sales).status_code
        == 403
    )
    body = {"password": "battery staple"}
    assert (
        client.put("/api/v1/users/admin-user/password", json=body, headers=sales).status_code == 403
    )


def test_the_last_active_admin_cannot_be_deactivated_or_demoted(client, tokens):
    admin = bearer(tokens["admin"])
    for other in (READER,):  # the test client's own reader is an admin too: demote it first
        assert (
            client.patch(
                f"/api/v1/users/{other}", json={"role": "sales"}, headers=admin
            ).status_code
            == 200
        )
    for body in ({"active": False}, {"role": "sales"}):
        refused = client.patch("/api/v1/users/admin-user", json=body, headers=admin)
        assert refused.status_code == 409, refused.text
        assert "last active admin" in refused.json()["error"]["message"]
    assert client.get("/api/v1/me", headers=admin).json()["role"] == "admin"


def test_an_admin_resets_a_password_and_the_users_tokens_stop(client, tokens):
    reset = client.put(
        "/api/v1/users/sales-user/password",
        json={"password": "battery staple"},
        headers=bearer(tokens["admin"]),
    )
    assert reset.status_code == 200 and reset.json()["revoked_tokens"] == 1
    assert client.get("/api/v1/me", headers=bearer(tokens["sales"])).status_code == 401
    short = client.put(
        "/api/v1/users/sales-user/password", json={"password": "x"}, headers=bearer(tokens["admin"])
    )
    assert short.status_code == 422


def test_changing_ones_own_password_keeps_the_token_it_was_asked_with(client, tokens):
    db = client.app.state.db
    second = auth.issue_token(db, "sales-user", "phone")
    wrong = client.put(
        "/api/v1/me/password",
        json={"old_password": "wrong horse", "new_password": "battery staple"},
        headers=bearer(tokens["sales"]),
    )
    assert wrong.status_code == 422
    assert "current password is not right" in wrong.json()["error"]["message"]
    changed = client.put(
        "/api/v1/me/password",
        json={"old_password": PASSWORD, "new_password": "battery staple"},
        headers=bearer(tokens["sales"]),
    )
    assert changed.status_code == 200 and changed.json()["revoked_tokens"] == 1
    assert client.get("/api/v1/me", headers=bearer(tokens["sales"])).status_code == 200
    assert client.get("/api/v1/me", headers=bearer(second)).status_code == 401
    assert auth.sign_in(db, "sales-user", "battery staple").username == "sales-user"


def test_every_change_is_in_the_audit_log(client, tokens):
    admin = bearer(tokens["admin"])
    client.patch("/api/v1/users/sales-user", json={"role": "finance"}, headers=admin)
    client.patch("/api/v1/users/sales-user", json={"active": False}, headers=admin)
    client.put(
        "/api/v1/users/sales-user/password", json={"password": "battery staple"}, headers=admin
    )
    log = client.get("/api/v1/audit", headers=admin).json()
    assert [(e["username"], e["action"], e["target"]) for e in log[:3]] == [
        ("admin-user", "reset_password", "sales-user"),
        ("admin-user", "deactivate_user", "sales-user"),
        ("admin-user", "change_role", "sales-user"),
    ]
