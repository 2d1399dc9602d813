"""The JSON API and the first page on the tiny company."""

from accord.io.files import read_dataset
from accord.services.datasets import store_dataset
from tests.api.conftest import TINY


def test_health_reports_the_dataset_version(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["dataset_version"] == 1


def test_dataset_summary_has_counts_horizon_and_resources(client):
    body = client.get("/api/v1/dataset").json()
    assert body["company"] == "Tiny Pumps GmbH"
    assert body["horizon"] == {"start": "2026-11-02", "end": "2027-11-01", "days": 365}
    assert [r["resource"] for r in body["resources"]] == ["PAINT", "ASSY"]
    assert body["tables"]["orders"] == 4


def test_dataset_summary_takes_an_as_of_date(client):
    body = client.get("/api/v1/dataset", params={"as_of": "2026-11-09"}).json()
    assert body["as_of"] == "2026-11-09"
    # The closed Tuesday 3 Nov is now before the horizon: 261 weekdays of 480 minutes.
    assert body["resources"][0]["horizon_minutes"] == 261 * 480


def test_a_new_import_is_seen_by_the_running_app(client):
    db = client.app.state.db
    store_dataset(db, read_dataset(TINY), "again")
    assert client.get("/api/v1/dataset").json()["version"] == 2


def test_bad_input_gets_422_in_the_one_error_shape(client):
    response = client.get("/api/v1/dataset", params={"as_of": "yesterday"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "bad_input"
    assert error["details"][0]["location"] == "query.as_of"


def test_unknown_routes_get_404_in_the_one_error_shape(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "Not Found", "details": []}
    }


def test_without_a_dataset_the_api_says_so_with_409(empty_client):
    response = empty_client.get("/api/v1/dataset")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_data"
    assert empty_client.get("/api/v1/health").json()["dataset_version"] is None


def test_home_page_shows_the_company(client):
    response = client.get("/", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "Tiny Pumps GmbH" in response.text
    assert "Paint line" in response.text and "Assembly crew" in response.text


def test_home_page_without_data_says_how_to_load_it(empty_client):
    response = empty_client.get("/", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "No company loaded yet" in response.text
    assert "accord demo" in response.text


def test_pages_get_an_html_error_page(client):
    response = client.get("/", params={"as_of": "13/13"}, headers={"accept": "text/html"})
    assert response.status_code == 422
    assert "text/html" in response.headers["content-type"]
    assert "the request is not valid" in response.text


def test_openapi_schema_is_served_under_api_v1(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/dataset" in schema["paths"]
    assert "/api/v1/health" in schema["paths"]


def test_static_files_are_served_by_the_app(client):
    response = client.get("/static/accord.css")
    assert response.status_code == 200
    assert "font" in response.text


def test_api_docs_load_their_scripts_from_the_app_not_a_cdn(client):
    page = client.get("/docs").text
    assert "/static/swagger/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200


def test_every_response_carries_the_security_headers(client):
    for path in ("/", "/api/v1/health", "/api/v1/nothing-here"):
        headers = client.get(path).headers
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert "script-src 'self';" in headers["content-security-policy"]
    assert "'unsafe-inline'" in client.get("/docs").headers["content-security-policy"]


def test_chart_scripts_are_served_by_the_app_and_nothing_else_is_loaded(client):
    plotly = client.get("/static/plotly.min.js")
    assert plotly.status_code == 200 and "plotly" in plotly.text[:2000].lower()
    # htmx is gone: no page used it, and it turned injected markup into real requests.
    page = client.get("/", headers={"accept": "text/html"}).text
    assert "htmx" not in page
    assert client.get("/static/vendor/htmx-2.0.11.min.js").status_code == 404


def test_home_page_shows_the_headline_of_each_question(client):
    page = client.get("/", headers={"accept": "text/html"}).text
    assert 'data-testid="glance-constraint">PAINT<' in page
    for link in ("/deal-desk", "/pipeline", "/sop", "/throughput", "/flow", "/reliability"):
        assert f'href="{link}"' in page
