"""Every route needs a signed-in user except the open ones listed here.

The routes come from the app itself (``app.routes``), so a route added later without the
sign-in check fails here unless it is added to ``OPEN`` on purpose. A visitor's API call is
answered 401 in the error shape; a visitor's page view is sent to the sign-in page (303),
which comes back to it; a form sent without signing in is a 401 page. What each role reads
is in tests/api/test_role_matrix.py; the sensitive figures (margins, customer scores) are
checked below.
"""

from __future__ import annotations

import re

import pytest

from accord.domain.access import Permission, Role, may
from tests.api.conftest import HTML, PASSWORD
from tests.api.test_role_matrix import app_routes

OPEN = {
    ("GET", "/api/v1/health"),  # liveness, for load balancers and `accord serve`'s wait
    ("GET", "/api/v1/openapi.json"),  # the API's description and its docs page
    ("GET", "/docs"),
    ("GET", "/static/plotly.min.js"),  # the chart library (other static files: a mount)
    ("GET", "/sign-in"),
    ("POST", "/sign-in"),
    ("POST", "/sign-out"),
    # Authenticated by the CRM's own signature or secret (docs/crm.md), never a user.
    ("POST", "/api/v1/crm/webhook/hubspot"),
    ("POST", "/api/v1/crm/webhook/salesforce"),
}
# The first run (no user yet to sign in) and signing in, whatever their sub-pages.
OPEN_PREFIXES = ("/setup", "/sign-in")
# Any value for a path parameter: the sign-in check comes before the lookup.
PARAMS = {"action": "confirm", "username": "someone"}


def is_open(method: str, path: str) -> bool:
    asked = ("GET" if method == "HEAD" else method, path)
    return asked in OPEN or path.startswith(OPEN_PREFIXES)


def closed_routes(app) -> list[tuple[str, str]]:
    return sorted({(m, p) for m, p, _ in app_routes(app) if not is_open(m, p)})


def concrete(path: str) -> str:
    return re.sub(r"\{([^}:]+)(:[^}]+)?\}", lambda m: PARAMS.get(m.group(1), "1"), path)


def test_the_open_routes_are_routes_of_the_app(client):
    served = {("GET" if m == "HEAD" else m, p) for m, p, _ in app_routes(client.app)}
    assert served >= OPEN, "open routes the app no longer has"
    assert len(closed_routes(client.app)) > 40


def test_every_route_outside_the_open_list_refuses_a_visitor(anonymous):
    for method, path in closed_routes(anonymous.app):
        url = concrete(path)
        if path.startswith("/api/"):
            answer = anonymous.request(method, url, json={})
            assert answer.status_code == 401, f"{method} {path} answered {answer.status_code}"
            assert answer.json()["error"]["code"] == "not_authenticated", path
            continue
        page = anonymous.request(method, url, headers=HTML, follow_redirects=False)
        if method in ("GET", "HEAD"):
            assert page.status_code == 303, f"{method} {path} answered {page.status_code}"
            assert page.headers["location"].startswith("/sign-in"), path
        else:
            assert page.status_code == 401, f"{method} {path} answered {page.status_code}"
            assert page.headers["content-type"].startswith("text/html"), path
        # Asked by a program (no text/html): the error shape, not a redirect.
        plain = anonymous.request(method, url, follow_redirects=False)
        assert plain.status_code == 401, f"{method} {path} without text/html"
        assert plain.json()["error"]["code"] == "not_authenticated", path


def test_a_bad_token_is_refused_on_every_route_outside_the_open_list(anonymous):
    bad = {"Authorization": "Bearer acc_not-a-token"}
    for method, path in closed_routes(anonymous.app):
        answer = anonymous.request(method, concrete(path), headers=bad, follow_redirects=False)
        assert answer.status_code == 401, f"{method} {path} answered {answer.status_code}"


@pytest.mark.parametrize(
    "path",
    ["/api/v1/health", "/static/plotly.min.js", "/static/charts.js", "/api/v1/openapi.json",
     "/docs", "/sign-in", "/static/swagger/swagger-ui.css"],
)  # fmt: skip
def test_the_open_routes_answer_a_visitor(anonymous, path):
    assert anonymous.get(path, headers=HTML, follow_redirects=False).status_code == 200


def test_a_visitor_sees_no_company_data_on_the_way_to_the_sign_in(anonymous):
    visit = anonymous.get("/throughput", headers=HTML)  # follows the redirect
    assert visit.url.path == "/sign-in"
    assert "PAINT" not in visit.text and "NORDWIND" not in visit.text


# What the sensitive reads answer per role (domain/access.py): margins for operations,
# finance and admin; customer scores for sales, finance and admin.
SENSITIVE = {
    "/api/v1/throughput": Permission.READ_MARGINS,
    "/api/v1/customers": Permission.READ_CUSTOMER_SCORES,
    "/api/v1/customers/history": Permission.READ_CUSTOMER_SCORES,
}


@pytest.fixture
def people(client):
    """A signed-in browser per role (fresh clients on the same app)."""
    from fastapi.testclient import TestClient

    from accord.services import auth
    from tests.api.conftest import sign_in

    browsers = {}
    for role in Role:
        auth.create_user(client.app.state.db, f"{role.value}-user", role.value, PASSWORD)
        browser = TestClient(client.app)
        assert sign_in(browser, f"{role.value}-user").status_code == 303
        browsers[role] = browser
    yield browsers
    for browser in browsers.values():
        browser.close()


def test_the_sensitive_reads_answer_only_the_roles_that_may(people):
    for role, browser in people.items():
        for path, permission in SENSITIVE.items():
            want = 200 if may(role, permission) else 403
            answer = browser.get(path)
            assert answer.status_code == want, f"{path} as {role.value}"
            if want == 403:
                assert answer.json()["error"]["code"] == "forbidden"
                assert permission.value.replace("_", " ") in answer.json()["error"]["message"]


def test_the_throughput_page_shows_each_role_what_it_may_read(people):
    pages = {
        role: browser.get("/throughput", headers=HTML).text for role, browser in people.items()
    }
    for role, page in pages.items():
        assert 'data-testid="load-chart"' in page and 'data-testid="constraint"' in page
        margins, scores = (
            may(role, Permission.READ_MARGINS),
            may(role, Permission.READ_CUSTOMER_SCORES),
        )
        assert ('data-testid="products"' in page) == margins, role
        assert ('data-testid="net-profit"' in page) == margins, role
        assert ('data-testid="margins-withheld"' in page) == (not margins), role
        assert ('data-testid="customers"' in page) == scores, role
        assert ('data-testid="scores-withheld"' in page) == (not scores), role
    sales = pages[Role.SALES]
    # The tiny company's PUMP-200 earns 80 a unit (price 120 - material 40), 15.44 per
    # minute of the paint line: not for sales.
    assert "80.00" in pages[Role.FINANCE] and "15.44" in pages[Role.OPERATIONS]
    assert "80.00" not in sales and "15.44" not in sales
    assert "the roles operations, finance, admin" in sales


def test_whoever_saves_customer_scores_may_read_them():
    for role in Role:
        if may(role, Permission.SCORE_CUSTOMERS):
            assert may(role, Permission.READ_CUSTOMER_SCORES), role
