"""The inquiry's fast lane (in front of the app, as `accord serve` runs it) answers exactly
as the route does, and only from fresh caches."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from accord.api import fast_promise
from accord.domain.dataset import Dataset
from accord.io.files import read_dataset
from accord.services import auth
from accord.services.datasets import store_dataset
from accord.storage.database import Database

from .conftest import READER, TINY, reads_as

BIG = {"sku": "PUMP-300", "quantity": 400, "requested_date": "2026-11-20", "customer": "NORDWIND"}
LATE = {**BIG, "quantity": 900}


@pytest.fixture
def served(client) -> Iterator[TestClient]:
    """The app behind its fast lane, asked with the reader's API token; ``client`` reaches
    the app directly."""
    with TestClient(fast_promise.FastPromise(client.app)) as fast:
        yield reads_as(fast, READER)


@pytest.fixture
def answered(monkeypatch) -> list[object]:
    """Answers given by the fast lane (not the route)."""
    given: list[object] = []
    real = fast_promise.quick_inquiry

    def spy(*args, **kwargs):
        answer = real(*args, **kwargs)
        if answer is not None:
            given.append(answer)
        return answer

    monkeypatch.setattr(fast_promise, "quick_inquiry", spy)
    return given


def test_the_fast_lane_answers_as_the_route_does(served, answered):
    served.post("/api/v1/promise", json=BIG)  # the first question loads the caches
    answered.clear()
    for body in (BIG, LATE):
        fast = served.post("/api/v1/promise", json=body)
        assert len(answered) == 1 and fast.status_code == 200
        # A query string always takes the route: same dataset, same as-of.
        slow = served.post("/api/v1/promise", params={"as_of": "2026-11-02"}, json=body)
        assert slow.status_code == 200
        assert len(answered) == 1  # the second one took the route
        assert fast.json() == slow.json()
        assert fast.headers["x-frame-options"] == "DENY"  # security headers on both
        answered.clear()
    assert served.post("/api/v1/promise", json=LATE).json()["options"]  # the price of yes


def test_only_a_valid_api_token_is_answered_in_the_lane(client, answered):
    """A visitor, a bad token or a browser's session take the route, which signs them in
    (or refuses them) as every route does."""
    with TestClient(fast_promise.FastPromise(client.app)) as fast:
        assert reads_as(fast, READER).post("/api/v1/promise", json=BIG).status_code == 200
        answered.clear()
        fast.event_hooks = {"request": [], "response": []}  # from here on: no token
        for headers in ({}, {"Authorization": "Bearer acc_nope"}, {"Authorization": "Basic x"}):
            refused = fast.post("/api/v1/promise", json=BIG, headers=headers)
            assert refused.status_code == 401, headers
            assert refused.json()["error"]["code"] == "not_authenticated"
        fast.cookies.set("accord_session", "acc_forged")
        assert fast.post("/api/v1/promise", json=BIG).status_code == 401
    assert answered == []


def test_bad_input_gets_the_routes_errors(served, answered):
    unknown = served.post("/api/v1/promise", json={**BIG, "sku": "NOPE"})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    assert served.post("/api/v1/promise", json={**BIG, "quantity": 0}).status_code == 422
    broken = served.post(
        "/api/v1/promise", content=b'{"sku": ', headers={"content-type": "application/json"}
    )
    assert broken.status_code == 422 and "error" in broken.json()
    assert answered == []


def test_a_reservation_is_seen_by_the_next_fast_answer(client, served, answered):
    db = client.app.state.db
    auth.create_user(db, "ana", "sales", "correct horse")
    token = {"Authorization": f"Bearer {auth.issue_token(db, 'ana', 'tests')}"}
    before = served.post("/api/v1/promise", json=BIG).json()
    assert before["verdict"] == "on_time"
    assert client.post("/api/v1/reservations", json=BIG, headers=token).status_code == 201
    answered.clear()
    after = served.post("/api/v1/promise", json=BIG).json()
    assert after["earliest_date"] > before["earliest_date"] and after["verdict"] == "late"
    again = served.post("/api/v1/promise", json=BIG).json()
    assert again == after and len(answered) == 2  # both by the lane, the first after a refresh


def test_a_dataset_stored_by_another_process_is_seen_after_the_recheck(
    client, served, settings, monkeypatch
):
    store = client.app.state.companies
    monkeypatch.setattr(store._recheck, "_seconds", 0.0)  # recheck on every question
    first = served.post("/api/v1/promise", json=BIG).json()
    other = Database(settings.database_url)  # its commits are not counted by the app
    dataset = read_dataset(TINY)
    stocked = tuple(
        {**row, "on_hand": 400} if row["sku"] == "PUMP-300" else row
        for row in dataset.rows("inventory")
    )
    store_dataset(other, Dataset({**dataset.tables, "inventory": stocked}), "elsewhere")
    other.dispose()
    second = served.post("/api/v1/promise", json=BIG).json()
    assert first["from_stock"] == 0 and second["from_stock"] > 0  # the new stock is used


def test_without_a_company_the_lane_leaves_the_answer_to_the_route(empty_client):
    with TestClient(fast_promise.FastPromise(empty_client.app)) as served:
        reply = reads_as(served, READER).post("/api/v1/promise", json=BIG)
    assert reply.status_code == empty_client.post("/api/v1/promise", json=BIG).status_code
    assert 400 <= reply.status_code < 500 and reply.json()["error"]["code"]
