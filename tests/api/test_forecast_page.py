"""The Forecast page: nothing saved yet, then a forecast run and saved by operations."""

import pytest

from accord.services import auth
from tests.api.test_users import sign_in

HTML = {"accept": "text/html"}


@pytest.fixture
def olaf(client):
    auth.create_user(client.app.state.db, "olaf", "operations", "correct horse")


def test_without_a_saved_forecast_the_page_says_so(client):
    page = client.get("/forecast", headers=HTML)
    assert page.status_code == 200
    assert 'data-testid="no-forecast"' in page.text


def test_operations_runs_and_saves_a_forecast_then_sees_it(client, olaf):
    sign_in(client, "olaf")
    csrf = client.cookies.get("accord_csrf")
    response = client.post(
        "/forecast", data={"csrf_token": csrf}, headers=HTML, follow_redirects=False
    )
    assert response.status_code == 303
    page = client.get("/forecast", headers=HTML).text
    assert 'data-testid="mase"' in page
    assert '<option value="PUMP-200"' in page  # the tiny company's history has PUMP-200
    assert '"history_y": [' in page


def test_running_a_forecast_from_the_page_needs_the_permission(anonymous):
    anonymous.get("/sign-in", headers=HTML)
    csrf = anonymous.cookies.get("accord_csrf")
    assert anonymous.post("/forecast", data={"csrf_token": csrf}, headers=HTML).status_code == 401
