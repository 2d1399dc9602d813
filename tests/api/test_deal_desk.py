"""The deal desk API on the tiny pump maker: ATP, inquiries, reservations, clear 4xx."""

from __future__ import annotations

import pytest

from accord.services import auth


@pytest.fixture
def sales(client) -> dict[str, str]:
    db = client.app.state.db
    auth.create_user(db, "ana", "sales", "correct horse")
    return {"Authorization": f"Bearer {auth.issue_token(db, 'ana', 'tests')}"}


BIG = {"sku": "PUMP-300", "quantity": 400, "requested_date": "2026-11-20", "customer": "NORDWIND"}


def test_atp_has_the_spec_shape(client):
    response = client.get("/api/v1/atp/PUMP-200", params={"periods": 2})
    assert response.status_code == 200
    periods = response.json()["periods"]
    assert [p["atp"] for p in periods] == [5, 120]
    assert [p["cumulative_atp"] for p in periods] == [5, 125]
    assert client.get("/api/v1/atp/NOPE").status_code == 404


def test_inquiry_answers_and_changes_nothing(client):
    first = client.post("/api/v1/promise", json=BIG)
    assert first.status_code == 200, first.text
    assert first.json()["earliest_date"] == "2026-11-20"
    assert first.json()["verdict"] == "on_time"
    assert client.post("/api/v1/promise", json=BIG).json() == first.json()


def test_bad_questions_are_4xx_with_the_error_shape(client):
    unknown = client.post("/api/v1/promise", json={**BIG, "sku": "NOPE"})
    assert unknown.status_code == 404
    assert "unknown sku 'NOPE'" in unknown.json()["error"]["message"]
    assert client.post("/api/v1/promise", json={**BIG, "quantity": 0}).status_code == 422
    assert client.post("/api/v1/promise", json={**BIG, "quantity": -3}).status_code == 422
    bought = client.post("/api/v1/promise", json={"sku": "VALVE-10", "quantity": 5000})
    # VALVE-10 is bought (no routing, no BOM, a 7-day lead time): answered, not refused.
    assert bought.status_code == 200, bought.text
    answer = bought.json()
    assert answer["verdict"] == "on_time" and answer["from_stock"] + answer["made"] == 5000
    assert any(r["kind"] == "lead_time" for r in answer["reasons"])


def test_reservations_commit_confirm_release(client, anonymous, sales):
    assert anonymous.post("/api/v1/reservations", json=BIG).status_code == 401
    made = client.post("/api/v1/reservations", json=BIG, headers=sales)
    assert made.status_code == 201, made.text
    reservation = made.json()["reservation"]
    assert (reservation["status"], reservation["created_by"]) == ("active", "ana")
    assert reservation["promised_date"] == "2026-11-20"
    later = client.post("/api/v1/promise", json=BIG).json()
    assert later["earliest_date"] > "2026-11-20" and later["verdict"] == "late"
    again = client.post("/api/v1/reservations", json=BIG, headers=sales)
    assert again.status_code == 409
    assert again.json()["error"]["details"][0]["verdict"] == "late"
    rid = reservation["id"]
    confirmed = client.post(f"/api/v1/reservations/{rid}/confirm", headers=sales)
    assert confirmed.json()["status"] == "confirmed"
    released = client.post(f"/api/v1/reservations/{rid}/release", headers=sales)
    assert released.json()["status"] == "released"
    assert client.post("/api/v1/promise", json=BIG).json()["earliest_date"] == "2026-11-20"
    listed = client.get("/api/v1/reservations").json()["reservations"]
    assert [r["status"] for r in listed] == ["released"]
    assert client.post("/api/v1/reservations/99/confirm", headers=sales).status_code == 404
    assert client.get("/api/v1/reservations", params={"status": "odd"}).status_code == 422


def test_deal_check_is_logged_for_the_signed_in_user(client, anonymous, sales):
    assert anonymous.post("/api/v1/check/OPP-8").status_code == 401
    checked = client.post("/api/v1/check/OPP-8", headers=sales, params={"reserve": True})
    assert checked.status_code == 200, checked.text
    body = checked.json()
    assert body["verdict"] == "out_of_scope" and body["check_id"] == 1
    assert len(body["reservation_ids"]) == 1
    assert client.post("/api/v1/check/OPP-404", headers=sales).status_code == 404


def test_pipeline_sees_reservations_as_firm_load(client, sales):
    before = client.get("/api/v1/pipeline").json()["load"][0]
    assert (before["firm"], before["pipeline"]) == (280, 330)
    client.post("/api/v1/reservations", json={"sku": "PUMP-200", "quantity": 10}, headers=sales)
    after = client.get("/api/v1/pipeline").json()["load"][0]
    assert after["firm"] == 280 + 10 * 3 + 30  # the reservation's paint minutes
    assert client.get("/api/v1/pipeline", params={"order_by": "luck"}).status_code == 422


def test_the_customer_s_terms_shape_the_answer(client):
    asked = {"sku": "PUMP-300", "quantity": 400, "requested_date": "2026-11-12",
             "latest_date": "2026-11-18"}  # fmt: skip
    answer = client.post("/api/v1/promise", json=asked).json()
    assert (answer["verdict"], answer["latest_date"]) == ("short", "2026-11-18")
    assert answer["short"] == {"quantity": 300.0, "date": "2026-11-18", "rest": 100.0}
    whole = client.post("/api/v1/promise", json={**asked, "min_shipment": 400}).json()
    assert whole["short"]["quantity"] == 0 and whole["options"] == []
    for bad in ({"min_shipment": 401}, {"min_shipment": 0}, {"latest_date": "2026-11-11"}):
        refused = client.post("/api/v1/promise", json={**asked, **bad})
        assert refused.status_code == 422, bad
        assert set(refused.json()["error"]) >= {"code", "message"}
