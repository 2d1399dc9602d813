"""Idempotency-Key on reserving requests (the API and the deal desk's forms): a retry gets
the first answer again, never a second booking; the same key with another request is 422.

The tiny company: 400 x PUMP-300 come by 20 Nov, once (a second 400 is late, 409).
"""

from __future__ import annotations

import re
import uuid

import pytest

from accord.services import auth
from accord.storage import deal_repository
from accord.storage.deal_tables import check_log, idempotency_keys

from .conftest import HTML, sign_in

BIG = {"sku": "PUMP-300", "quantity": 400, "requested_date": "2026-11-20", "customer": "NORDWIND"}
SMALL = {"sku": "PUMP-200", "quantity": 5}


def _bearer(client, name: str) -> dict[str, str]:
    db = client.app.state.db
    auth.create_user(db, name, "sales", "correct horse")
    return {"Authorization": f"Bearer {auth.issue_token(db, name, 'tests')}"}


@pytest.fixture
def ana(client) -> dict[str, str]:
    return _bearer(client, "ana")


def _stored(client) -> list[dict]:
    with client.app.state.db.unit_of_work() as uow:
        return deal_repository.all_reservations(uow.connection)


def _keys(client) -> list[dict]:
    with client.app.state.db.unit_of_work() as uow:
        return [dict(r._mapping) for r in uow.connection.execute(idempotency_keys.select())]


def test_a_retry_with_the_same_key_gets_the_same_reservation(client, ana):
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = client.post("/api/v1/reservations", json=BIG, headers=ana | key)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    again = client.post("/api/v1/reservations", json=BIG, headers=ana | key)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()  # the original answer, promise and all
    assert [r["id"] for r in _stored(client)] == [first.json()["reservation"]["id"]]
    # Without a key (or with a new one) the same body is a new request: 400 more is late.
    assert client.post("/api/v1/reservations", json=BIG, headers=ana).status_code == 409
    new = ana | {"Idempotency-Key": str(uuid.uuid4())}
    assert client.post("/api/v1/reservations", json=BIG, headers=new).status_code == 409
    assert len(_stored(client)) == 1


def test_the_same_key_with_another_request_is_refused_clearly(client, ana):
    key = {"Idempotency-Key": "order-4711"}
    assert client.post("/api/v1/reservations", json=SMALL, headers=ana | key).status_code == 201
    other = client.post("/api/v1/reservations", json={**SMALL, "quantity": 6}, headers=ana | key)
    assert other.status_code == 422
    error = other.json()["error"]
    assert error["code"] == "idempotency_key_reused"
    assert "Idempotency-Key was sent before with a different request" in error["message"]
    # A deal check under the same key is another request too.
    check = client.post("/api/v1/check/OPP-8", params={"reserve": True}, headers=ana | key)
    assert check.status_code == 422 and check.json()["error"]["code"] == "idempotency_key_reused"
    assert len(_stored(client)) == 1


def test_keys_belong_to_their_user(client, ana):
    bob = _bearer(client, "bob")
    key = {"Idempotency-Key": "same-key"}
    mine = client.post("/api/v1/reservations", json=SMALL, headers=ana | key).json()
    theirs = client.post("/api/v1/reservations", json=SMALL, headers=bob | key).json()
    assert mine["reservation"]["id"] != theirs["reservation"]["id"]
    assert (mine["reservation"]["created_by"], theirs["reservation"]["created_by"]) == (
        "ana",
        "bob",
    )
    assert sorted((k["username"], k["idempotency_key"]) for k in _keys(client)) == [
        ("ana", "same-key"),
        ("bob", "same-key"),
    ]


@pytest.mark.parametrize("key", ["has space", "x" * 256, "naïve".encode("latin-1"), ""])
def test_a_malformed_key_is_422_in_the_error_shape(client, ana, key):
    answer = client.post(
        "/api/v1/reservations", json=SMALL, headers={**ana, "Idempotency-Key": key}
    )
    assert answer.status_code == 422, answer.text
    assert set(answer.json()["error"]) == {"code", "message", "details"}
    assert _stored(client) == []


def test_a_refused_request_is_not_remembered(client, ana):
    """409 books nothing and keeps no key: the same request may be retried once capacity
    is free again."""
    first = client.post("/api/v1/reservations", json=BIG, headers=ana).json()
    key = {"Idempotency-Key": "second-400"}
    assert client.post("/api/v1/reservations", json=BIG, headers=ana | key).status_code == 409
    assert _keys(client) == []
    rid = first["reservation"]["id"]
    assert client.post(f"/api/v1/reservations/{rid}/release", headers=ana).status_code == 200
    retried = client.post("/api/v1/reservations", json=BIG, headers=ana | key)
    assert retried.status_code == 201 and "idempotent-replayed" not in retried.headers


def test_a_reserving_deal_check_is_made_once_per_key(client, ana):
    key = {"Idempotency-Key": str(uuid.uuid4())}
    url = "/api/v1/check/OPP-8"
    first = client.post(url, params={"reserve": True}, headers=ana | key)
    assert first.status_code == 200, first.text
    again = client.post(url, params={"reserve": True}, headers=ana | key)
    assert again.status_code == 200 and again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    ids = first.json()["reservation_ids"]
    assert len(ids) == 1 and [r["id"] for r in _stored(client)] == ids
    with client.app.state.db.unit_of_work() as uow:
        logged = list(uow.connection.execute(check_log.select()))
    assert [r.id for r in logged] == [first.json()["check_id"]]  # logged once, too


def _hidden_key(page: str, action: str) -> str:
    form = page[page.index(f'action="{action}"') :]
    found = re.search(r'name="idempotency_key" value="([^"]+)"', form)
    assert found is not None, f"no idempotency key in the {action} form"
    return found.group(1)


def test_the_reserve_form_carries_a_key_and_a_resubmit_books_once(client):
    auth.create_user(client.app.state.db, "ana", "sales", "correct horse")
    sign_in(client, "ana")
    asked = {"sku": "PUMP-200", "quantity": "5", "by": "2026-11-20"}
    page = client.get("/deal-desk", params=asked, headers=HTML).text
    key = _hidden_key(page, "/deal-desk/reserve")
    assert key != _hidden_key(client.get("/deal-desk", params=asked, headers=HTML).text,
                              "/deal-desk/reserve")  # fmt: skip
    form = {**asked, "latest": "", "min_shipment": "", "idempotency_key": key,
            "csrf_token": client.cookies.get("accord_csrf")}  # fmt: skip
    shown = []
    for _ in range(2):  # a double click, or the browser sending the form again
        done = client.post("/deal-desk/reserve", data=form, headers=HTML)
        assert done.status_code == 200
        shown.append(re.search(r'data-testid="reserved">Reserved as #(\d+)', done.text))
    assert all(shown) and shown[0].group(1) == shown[1].group(1)
    assert [str(r["id"]) for r in _stored(client)] == [shown[0].group(1)]


def test_the_check_form_reserves_once_per_key(client):
    auth.create_user(client.app.state.db, "ana", "sales", "correct horse")
    sign_in(client, "ana")
    page = client.get("/deal-desk", params={"opportunity": "OPP-8"}, headers=HTML).text
    form = {"opportunity": "OPP-8", "reserve": "true",
            "idempotency_key": _hidden_key(page, "/deal-desk/check"),
            "csrf_token": client.cookies.get("accord_csrf")}  # fmt: skip
    for _ in range(2):
        done = client.post("/deal-desk/check", data=form, headers=HTML)
        assert done.status_code == 200 and 'data-testid="logged"' in done.text
    assert len(_stored(client)) == 1
