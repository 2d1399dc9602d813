"""GET /api/v1/flow, /reliability, /quotas and /scope on the tiny company."""


def test_flow(client):
    body = client.get("/api/v1/flow").json()
    assert (body["won"], body["lost"], body["open"], body["win_rate"]) == (1, 1, 1, 0.5)
    assert body["cycle_time_days"]["median"] == 49.0
    assert body["bottleneck_stage"] == "Proposal"


def test_flow_with_an_as_of_and_stage_order(client):
    response = client.get(
        "/api/v1/flow", params={"as_of": "2026-10-10", "stages": "Proposal,Qualification"}
    )
    assert response.status_code == 200
    assert [s["stage"] for s in response.json()["stages"]][:2] == ["Proposal", "Qualification"]


def test_reliability(client):
    body = client.get("/api/v1/reliability").json()
    # SO-0900 promised 10-05, delivered 10-07: 2 days late; SO-1002 due 10-30, open: late.
    assert (body["otif"], body["lines_measured"]) == (0.0, 2)
    assert body["adoption"]["checked_share"] == 1.0  # OPP-7 checked 09-10, closed 09-20
    assert body["learned_lead_times"] == [{"sku": "PUMP-300", "days": 17.0}]  # 09-20 -> 10-07


def test_quotas(client):
    body = client.get("/api/v1/quotas").json()
    assert (body["feasible"], body["constraint"]) == (True, "ASSY")
    assert [r["owner"] for r in body["by_rep"]] == ["ana", "ben"]


def test_scope(client):
    body = client.get("/api/v1/scope").json()
    assert [(f["id"], f["line"]) for f in body["findings"]] == [("OPP-8", 1)]


def test_bad_as_of_is_422(client):
    response = client.get("/api/v1/flow", params={"as_of": "not-a-date"})
    assert response.status_code == 422
