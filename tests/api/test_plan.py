"""The S&OP plan over HTTP: same inputs and JSON as `accord plan`, versions with roles."""

from __future__ import annotations

import pytest

from accord.services import auth


@pytest.fixture
def tokens(client):
    db = client.app.state.db
    out = {}
    for role in ("sales", "operations", "finance"):
        auth.create_user(db, f"{role}-user", role, "correct horse")
        out[role] = {"Authorization": f"Bearer {auth.issue_token(db, f'{role}-user', 'tests')}"}
    return out


def test_get_plan_answers_the_spec_shape(client):
    body = client.get("/api/v1/plan", params={"periods": 3}).json()
    assert body["status"] == "optimal"
    assert body["objective"] == "cost"
    # Tiny Pumps in November: 55 PUMP-200 + 20 PUMP-300 firm.
    assert body["periods"][0]["demand"]["firm"] == 75
    assert {"resource", "load_minutes", "utilization"} <= set(body["resources"][0])
    assert "shadow_prices" in body and "unmet_demand" in body


def test_post_plan_takes_the_parameters_in_the_body(client, tokens):
    response = client.post(
        "/api/v1/plan",
        json={"periods": 4, "period": "week", "objective": "profit"},
        headers=tokens["finance"],
    )
    assert response.status_code == 200
    body = response.json()
    assert body["objective"] == "profit"
    assert [p["period_start"] for p in body["periods"]][:2] == ["2026-11-02", "2026-11-09"]


def test_all_strategies_side_by_side(client):
    body = client.get("/api/v1/plan", params={"periods": 3, "strategy": "all"}).json()
    assert [s["strategy"] for s in body["strategies"]] == ["optimal", "level", "chase"]


def test_bad_parameters_are_422(client):
    response = client.get("/api/v1/plan", params={"periods": 0})
    assert response.status_code == 422
    response = client.get("/api/v1/plan", params={"objective": "revenue"})
    assert response.status_code == 422


def test_versions_are_saved_by_role_and_compared(client, tokens):
    response = client.post(
        "/api/v1/plan/versions",
        json={"kind": "sales", "periods": 3, "note": "sales view"},
        headers=tokens["sales"],
    )
    assert response.status_code == 201, response.text
    first = response.json()
    assert first["author"] == "sales-user" and first["previous_id"] is None
    # Sales may not save the operations proposal.
    refused = client.post(
        "/api/v1/plan/versions",
        json={"kind": "operations", "periods": 3},
        headers=tokens["sales"],
    )
    assert refused.status_code == 403
    second = client.post(
        "/api/v1/plan/versions",
        json={
            "kind": "operations",
            "periods": 3,
            "allow_ending_backlog": True,
            "objective": "profit",
        },
        headers=tokens["operations"],
    ).json()
    assert second["previous_id"] == first["id"]
    assert set(second["diff"]) == {"total_cost", "profit", "costs", "periods"}
    listing = client.get("/api/v1/plan/versions").json()["versions"]
    assert [v["id"] for v in listing] == [second["id"], first["id"]]
    one = client.get(f"/api/v1/plan/versions/{first['id']}").json()
    assert one["result"]["status"] == "optimal"
    diff = client.get(f"/api/v1/plan/versions/{first['id']}/compare/{second['id']}").json()
    assert diff["total_cost"] == second["diff"]["total_cost"]
    assert client.get("/api/v1/plan/versions/999").status_code == 404


def test_saving_needs_a_token(anonymous):
    response = anonymous.post("/api/v1/plan/versions", json={"kind": "sales"})
    assert response.status_code == 401


def test_post_plan_needs_a_token_like_every_post(anonymous):
    assert anonymous.post("/api/v1/plan", json={}).status_code == 401


def test_scenarios_are_planned_beside_the_base(client, tokens):
    response = client.post(
        "/api/v1/plan/scenarios",
        json={
            "periods": 3,
            "scenarios": [
                {"name": "lose Nordwind",
                 "changes": [{"kind": "lose_customer", "target": "NORDWIND"}]},
            ],
        },
        headers=tokens["sales"],
    )  # fmt: skip
    assert response.status_code == 200, response.text
    body = response.json()
    lost = body["scenarios"][0]
    # Only SO-1002's 15 PUMP-200 stay firm in November.
    assert lost["periods"][0]["demand"]["firm"] == 15
    assert body["base"]["periods"][0]["demand"]["firm"] == 75
    unknown = client.post(
        "/api/v1/plan/scenarios",
        json={"scenarios": [{"name": "x", "changes": [{"kind": "price", "target": "NOPE",
                                                        "value": 1}]}]},
        headers=tokens["sales"],
    )  # fmt: skip
    assert unknown.status_code == 422
    assert "NOPE" in unknown.json()["error"]["message"]


def test_the_excel_pack_downloads(client):
    response = client.get("/api/v1/plan/pack.xlsx", params={"periods": 3})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert response.content[:2] == b"PK"
    assert client.get("/api/v1/plan/pack.xlsx", params={"strategy": "all"}).status_code == 422


def test_a_date_without_demand_plans_nothing(client):
    body = client.get("/api/v1/plan", params={"as_of": "2000-01-03", "periods": 3}).json()
    assert body["status"] == "optimal"
    assert all(p["demand"]["total"] == 0 for p in body["periods"])
