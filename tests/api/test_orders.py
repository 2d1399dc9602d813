"""The plan of the order book through the API and the Orders page, on the tiny pump maker.

Its three open lines: SO-1001/1 and /2 are on time; SO-1002/1 was due on 30 Oct 2026,
before the as-of date (2 Nov): 10 of its 15 units are made on Monday 2 Nov, then two days
of lead time: planned 4 Nov, 5 days late (tests/cli/test_orders.py checks the same)."""

from __future__ import annotations

import pytest

from accord.services import auth
from tests.api.test_users import sign_in

HTML = {"accept": "text/html"}


@pytest.fixture
def operations(client) -> dict[str, str]:
    db = client.app.state.db
    auth.create_user(db, "olga", "operations", "correct horse")
    return {"Authorization": f"Bearer {auth.issue_token(db, 'olga', 'tests')}"}


def test_the_plan_has_the_spec_shape_and_the_late_line(client, operations):
    answer = client.get("/api/v1/orders/plan", headers=operations)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["totals"] == {"lines": 3, "on_time": 2, "late": 1, "short": 0, "value_late": 1800.0}
    late = [ln for ln in body["lines"] if ln["verdict"] == "late"]
    assert [(ln["order_id"], ln["planned_date"], ln["days_late"]) for ln in late] == [
        ("SO-1002", "2026-11-04", 5)
    ]
    assert late[0]["binding_resource"] == "PAINT" and late[0]["owner"] == "ben"
    assert "30 Oct 2026, has already passed" in late[0]["reason"]
    only = client.get("/api/v1/orders/plan", params={"late": True}, headers=operations).json()
    assert [ln["order_id"] for ln in only["lines"]] == ["SO-1002"]
    assert only["totals"] == body["totals"]


def test_the_plan_is_read_signed_in_only(anonymous):
    refused = anonymous.get("/api/v1/orders/plan")
    assert refused.status_code == 401
    assert set(refused.json()["error"]) >= {"code", "message"}
    bad = anonymous.get("/api/v1/orders/plan", params={"late": "maybe"}, headers={
        "Authorization": "Bearer nope"})  # fmt: skip
    assert bad.status_code in (401, 422)


def test_the_orders_page_lists_the_late_line_with_names_and_why(client):
    auth.create_user(client.app.state.db, "olga", "operations", "correct horse")
    sign_in(client, "olga")
    page = client.get("/orders", headers=HTML)
    assert page.status_code == 200
    html = page.text
    assert "SO-1002 / 1" in html and "SO-1001" not in html  # late lines only by default
    assert "Paint line" in html and "2026-11-04" in html and "has already passed" in html
    every = client.get("/orders", params={"every": True}, headers=HTML).text
    assert "SO-1001 / 2" in every and 'data-verdict="on_time"' in every


def test_the_orders_page_asks_to_sign_in(anonymous):
    page = anonymous.get("/orders", headers=HTML, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/sign-in?next=/orders"
