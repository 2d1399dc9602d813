"""The Throughput & customers page on the tiny company (figures worked out in
tests/unit/test_throughput.py)."""

HTML = {"accept": "text/html"}


def test_throughput_page_shows_the_constraint_mix_and_tiers(client):
    page = client.get("/throughput", headers=HTML)
    assert page.status_code == 200
    text = page.text
    assert 'data-testid="constraint">PAINT<' in text
    assert "6,600" in text  # throughput of the best mix: 55 PUMP-200 and 20 PUMP-300
    assert "OPP-8" in text  # the open deal, ranked
    assert "Nordwind Logistics" in text and "tier-A" in text
    assert 'id="load-chart-data"' in text and "PAINT" in text


def test_throughput_page_takes_a_horizon(client):
    page = client.get(
        "/throughput", params={"from": "2026-12-01", "to": "2026-12-31"}, headers=HTML
    )
    assert page.status_code == 200
    assert "2026-12-01 to 2026-12-31" in page.text


def test_a_horizon_that_ends_before_it_starts_is_a_clear_error(client):
    page = client.get(
        "/throughput", params={"from": "2026-12-31", "to": "2026-12-01"}, headers=HTML
    )
    assert page.status_code == 422
