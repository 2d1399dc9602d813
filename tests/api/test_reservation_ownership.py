"""A rep confirms or releases only her own reservations; operations and admin may override,
and the override is in the audit log with the owner's name. Through the API and the Deal
desk page."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from accord.services import auth
from accord.services.promise import Desk
from accord.services.reservations import reserve
from tests.api.conftest import HTML, PASSWORD, sign_in

PEOPLE = {"ana": "sales", "sam": "sales", "olaf": "operations", "fiona": "finance",
          "root": "admin"}  # fmt: skip
PUMP = {"sku": "PUMP-200", "quantity": 1}


@pytest.fixture
def tokens(client) -> dict[str, dict[str, str]]:
    db = client.app.state.db
    out = {}
    for name, role in PEOPLE.items():
        auth.create_user(db, name, role, PASSWORD)
        out[name] = {"Authorization": f"Bearer {auth.issue_token(db, name, 'tests')}"}
    return out


def reserved_by(client, tokens, name: str) -> int:
    made = client.post("/api/v1/reservations", json=PUMP, headers=tokens[name])
    assert made.status_code == 201, made.text
    return int(made.json()["reservation"]["id"])


def change(client, tokens, name: str, rid: int, action: str):
    return client.post(f"/api/v1/reservations/{rid}/{action}", headers=tokens[name])


def last_audit(client) -> dict:
    return auth.audit_log(client.app.state.db, 1)[0]


def status_of(client, rid: int) -> str:
    listed = client.get("/api/v1/reservations").json()["reservations"]
    return next(r["status"] for r in listed if r["id"] == rid)


@pytest.mark.parametrize("action", ["confirm", "release"])
def test_another_rep_may_not_change_a_reps_reservation(client, tokens, action):
    rid = reserved_by(client, tokens, "ana")
    refused = change(client, tokens, "sam", rid, action)
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert error["code"] == "forbidden"
    assert error["message"] == (
        f"reservation {rid} is ana's: only its owner or the roles operations, admin may {action} it"
    )
    assert status_of(client, rid) == "active"  # nothing changed
    assert last_audit(client)["action"] == "reserve"  # and nothing was logged


def test_a_rep_confirms_and_releases_her_own(client, tokens):
    rid = reserved_by(client, tokens, "ana")
    assert change(client, tokens, "ana", rid, "confirm").json()["status"] == "confirmed"
    assert last_audit(client)["details"] == {"sku": "PUMP-200"}  # her own: no override
    assert change(client, tokens, "ana", rid, "release").json()["status"] == "released"
    entry = last_audit(client)
    assert (entry["username"], entry["action"], entry["target"]) == (
        "ana", "released", f"reservation {rid}"
    )  # fmt: skip


@pytest.mark.parametrize(("who", "action"), [("olaf", "release"), ("root", "confirm")])
def test_operations_and_admin_override_and_the_log_names_the_owner(client, tokens, who, action):
    rid = reserved_by(client, tokens, "ana")
    done = change(client, tokens, who, rid, action)
    assert done.status_code == 200, done.text
    assert done.json()["created_by"] == "ana"  # still hers
    entry = last_audit(client)
    assert (entry["username"], entry["action"], entry["target"]) == (
        who, f"{action}ed" if action == "confirm" else "released", f"reservation {rid}"
    )  # fmt: skip
    assert entry["details"] == {"sku": "PUMP-200", "override": True, "owner": "ana"}


def test_finance_may_not_change_reservations_at_all(client, tokens):
    rid = reserved_by(client, tokens, "ana")
    refused = change(client, tokens, "fiona", rid, "release")
    assert refused.status_code == 403
    assert "may not reserve" in refused.json()["error"]["message"]


def test_a_reservation_made_at_the_command_line_is_changed_only_by_an_override(client, tokens):
    db = client.app.state.db
    snapshot = client.app.state.companies.current().snapshot
    from accord.planning.promise import PromiseRequest

    rid = reserve(db, snapshot, Desk(), PromiseRequest("PUMP-200", 1)).reservation.id
    refused = change(client, tokens, "ana", rid, "release")
    assert refused.status_code == 403
    assert "has no owner (made by the CLI)" in refused.json()["error"]["message"]
    assert change(client, tokens, "olaf", rid, "release").status_code == 200
    assert last_audit(client)["details"] == {"sku": "PUMP-200", "override": True, "owner": None}


def test_an_unknown_reservation_is_404_for_everyone_who_may_reserve(client, tokens):
    for name in ("sam", "olaf"):
        assert change(client, tokens, name, 999, "release").status_code == 404


def browser_of(client, name: str) -> TestClient:
    browser = TestClient(client.app)
    assert sign_in(browser, name).status_code == 303
    return browser


def test_the_deal_desk_offers_the_buttons_only_to_who_may_use_them(client, tokens):
    rid = reserved_by(client, tokens, "ana")
    confirm_form = f'action="/deal-desk/reservations/{rid}/confirm"'
    for name, offered in (("ana", True), ("sam", False), ("olaf", True), ("fiona", False)):
        with browser_of(client, name) as browser:
            page = browser.get("/deal-desk", headers=HTML).text
        assert f'<td class="num">{rid}</td>' in page, name  # everyone sees it listed
        assert (confirm_form in page) == offered, name


def test_the_deal_desk_refuses_another_reps_release_with_a_clear_page(client, tokens):
    rid = reserved_by(client, tokens, "ana")
    with browser_of(client, "sam") as sam:
        form = {"csrf_token": sam.cookies.get("accord_csrf")}
        refused = sam.post(f"/deal-desk/reservations/{rid}/release", data=form, headers=HTML,
                           follow_redirects=False)  # fmt: skip
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    assert f"reservation {rid} is ana&#39;s" in refused.text
    assert status_of(client, rid) == "active"
    with browser_of(client, "olaf") as olaf:
        form = {"csrf_token": olaf.cookies.get("accord_csrf")}
        done = olaf.post(f"/deal-desk/reservations/{rid}/release", data=form, headers=HTML,
                         follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    assert status_of(client, rid) == "released"
    assert last_audit(client)["details"]["owner"] == "ana"


def test_an_unknown_action_on_the_page_is_404_not_a_server_error(client, tokens):
    rid = reserved_by(client, tokens, "ana")
    with browser_of(client, "ana") as ana:
        form = {"csrf_token": ana.cookies.get("accord_csrf")}
        odd = ana.post(f"/deal-desk/reservations/{rid}/cancel", data=form, headers=HTML)
    assert odd.status_code == 404
