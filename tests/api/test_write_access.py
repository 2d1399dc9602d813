"""Every write of the API needs a signed-in user: found from the app's own OpenAPI schema,
so a new endpoint without the check fails here."""

from __future__ import annotations

import re

WRITE_METHODS = {"post", "put", "patch", "delete"}
# Questions sent as POST because their inputs are a body; they change nothing (and, like
# every read, need a signed-in user: tests/api/test_read_access.py).
INQUIRIES = {
    ("POST", "/api/v1/promise"),  # capable-to-promise inquiry (a reservation is its own route)
    ("POST", "/api/v1/forecast"),  # runs a forecast; saving it is checked below
}


def write_routes(client) -> list[tuple[str, str]]:
    found = []
    for path, operations in client.get("/api/v1/openapi.json").json()["paths"].items():
        for method in sorted(set(operations) & WRITE_METHODS):
            # Any value for a path parameter: the check must come before the lookup.
            route = (method.upper(), re.sub(r"\{[^}]+\}", "X-1", path))
            if route not in INQUIRIES:
                found.append(route)
    return found


def test_the_api_has_write_routes_to_check(client):
    assert ("POST", "/api/v1/dataset") in write_routes(client)


def test_every_write_refuses_a_request_without_credentials(anonymous):
    for method, path in write_routes(anonymous):
        response = anonymous.request(method, path, json={})
        assert response.status_code == 401, f"{method} {path} answered {response.status_code}"
        assert response.json()["error"]["code"] == "not_authenticated"


def test_saving_a_forecast_needs_credentials(anonymous):
    response = anonymous.post("/api/v1/forecast", json={"save": True})
    assert response.status_code == 401
