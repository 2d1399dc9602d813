"""GET /api/v1/throughput and the customers routes on the tiny company."""

from __future__ import annotations

from accord.services import auth


def test_throughput_over_a_window(client):
    response = client.get("/api/v1/throughput", params={"from": "2026-12-01", "to": "2026-12-31"})
    assert response.status_code == 200
    body = response.json()
    assert (body["from"], body["to"]) == ("2026-12-01", "2026-12-31")
    pump = next(p for p in body["products"] if p["sku"] == "PUMP-200")
    assert pump["demand"] == 120.0  # the December forecast beats 50 likely units


def test_throughput_bad_window_is_422(client):
    response = client.get("/api/v1/throughput", params={"from": "2026-12-10", "to": "2026-12-01"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "bad_input"


def test_customers_ranked_and_saved_with_a_token(client, anonymous):
    ranked = client.get("/api/v1/customers", params={"weight": "shared_vision=0"}).json()
    assert [c["tier"] for c in ranked["customers"]] == ["A", "C"]
    assert anonymous.post("/api/v1/customers", json={"weights": {}}).status_code == 401
    db = client.app.state.db
    auth.create_user(db, "fin", "finance", "correct horse")
    token = auth.issue_token(db, "fin", "tests")
    saved = client.post(
        "/api/v1/customers",
        json={"weights": {"growth": 0}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["saved"]["customers"] == 2
    history = client.get("/api/v1/customers/history", params={"customer": "NORDWIND"}).json()
    assert len(history) == 1 and history[0]["weights"]["growth"] == 0
