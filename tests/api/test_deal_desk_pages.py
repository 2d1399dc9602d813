"""The Deal desk and Pipeline pages on the tiny company (answers worked out in
tests/unit/test_promise.py and the deal-desk docs)."""

import re

import pytest

from accord.services import auth
from tests.api.test_users import sign_in

HTML = {"accept": "text/html"}


@pytest.fixture
def ana(client):
    auth.create_user(client.app.state.db, "ana", "sales", "correct horse")


def test_asking_about_a_product_shows_the_answer_and_reasons(client):
    page = client.get(
        "/deal-desk", params={"sku": "PUMP-200", "quantity": 200, "by": "2026-11-06"}, headers=HTML
    )
    assert page.status_code == 200
    assert 'data-testid="answer"' in page.text
    assert 'data-testid="verdict"' in page.text
    assert "OPP-8" in page.text  # the open deal is offered in the picker
    verdict = re.search(r'data-testid="verdict">([^<]*)<', page.text)
    assert verdict is not None and re.fullmatch(r"(1 day|\d+ days) late", verdict.group(1))


def test_checking_a_deal_shows_lines_and_scope(client):
    page = client.get("/deal-desk", params={"opportunity": "OPP-8"}, headers=HTML)
    assert page.status_code == 200
    # OPP-8 line 1 asks for a green PUMP-200: the rule allows red or blue only.
    assert "PUMP-200 comes in red or blue only" in page.text
    assert "Line 1" in page.text


def test_an_unknown_product_is_a_clear_message(client):
    page = client.get("/deal-desk", params={"sku": "NOPE", "quantity": 1}, headers=HTML)
    assert page.status_code == 200
    assert 'role="alert"' in page.text and "NOPE" in page.text


def test_a_rep_logs_a_check_and_reserves_then_releases(client, ana):
    sign_in(client, "ana")
    csrf = client.cookies.get("accord_csrf")
    page = client.post(
        "/deal-desk/check",
        data={"opportunity": "OPP-8", "reserve": "true", "csrf_token": csrf},
        headers=HTML,
    )
    assert page.status_code == 200
    assert 'data-testid="logged"' in page.text
    listing = client.get("/api/v1/reservations", params={"status": "active"}).json()
    reservation = listing["reservations"][0]
    response = client.post(
        f"/deal-desk/reservations/{reservation['id']}/release",
        data={"csrf_token": csrf},
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert client.get("/api/v1/reservations", params={"status": "active"}).json() == {
        "reservations": []
    }
    # Who changed what: the check, the reservation and its release, newest first.
    log = auth.audit_log(client.app.state.db)
    assert [(e["username"], e["action"]) for e in log[:3]] == [
        ("ana", "released"),
        ("ana", "check_deal"),
        ("ana", "reserve"),
    ]


def test_reserving_needs_a_signed_in_user(anonymous):
    anonymous.get("/sign-in", headers=HTML)  # a visitor's browser holds a CSRF cookie
    csrf = anonymous.cookies.get("accord_csrf")
    data = {"sku": "PUMP-200", "quantity": "5", "csrf_token": csrf}
    assert anonymous.post("/deal-desk/reserve", data=data, headers=HTML).status_code == 401


def test_pipeline_page_shows_value_at_risk_and_the_heatmap(client):
    page = client.get("/pipeline", headers=HTML)
    assert page.status_code == 200
    assert 'data-testid="value-at-risk"' in page.text
    assert 'id="pipeline-heatmap-data"' in page.text and "PAINT" in page.text


def test_the_form_takes_the_customer_s_terms_and_keeps_what_was_typed(client):
    asked = {"sku": "PUMP-300", "quantity": "400", "by": "2026-11-12", "latest": "2026-11-18",
             "min_shipment": ""}  # fmt: skip
    page = client.get("/deal-desk", params=asked, headers=HTML)
    assert page.status_code == 200
    verdict = re.search(r'data-testid="verdict">([^<]*)<', page.text)
    assert verdict is not None and verdict.group(1) == "short"
    assert "300 by 2026-11-18" in page.text
    assert 'name="latest" type="date" value="2026-11-18"' in page.text
    # An empty "Wanted by" is "as soon as possible", not an error page.
    soon = client.get("/deal-desk", params={**asked, "by": "", "latest": ""}, headers=HTML)
    assert soon.status_code == 200 and 'data-testid="answer"' in soon.text
    bad = client.get("/deal-desk", params={**asked, "min_shipment": "500"}, headers=HTML)
    assert bad.status_code == 200 and 'role="alert"' in bad.text and "min_shipment" in bad.text


@pytest.mark.parametrize("typed", ["pump-300", "Pump-300", "pump 300 L"])
def test_the_product_is_found_by_sku_or_name_in_any_case(client, typed):
    # PUMP-300 is named "Pump 300 l" in the tiny company.
    page = client.get("/deal-desk", params={"sku": typed, "quantity": "5"}, headers=HTML)
    assert page.status_code == 200
    assert 'data-testid="answer"' in page.text and "PUMP-300" in page.text
    assert 'role="alert"' not in page.text
