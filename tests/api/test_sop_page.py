"""The S&OP page: the plan, strategies, and proposing and agreeing versions by role."""

import pytest

from accord.services import auth
from tests.api.test_users import sign_in

HTML = {"accept": "text/html"}


@pytest.fixture
def people(client):
    db = client.app.state.db
    for name, role in (("ana", "sales"), ("olaf", "operations"), ("fiona", "finance")):
        auth.create_user(db, name, role, "correct horse")


def test_sop_page_shows_the_plan_charts_and_strategies(client):
    page = client.get("/sop", headers=HTML)
    assert page.status_code == 200
    assert 'data-testid="total-cost"' in page.text
    assert 'id="sop-heatmap-data"' in page.text and "PAINT" in page.text
    for strategy in ("optimal", "level", "chase"):
        assert f"<td>{strategy}</td>" in page.text
    assert "Sign in</a> to propose or agree a plan" in page.text


def save(client, kind, note):
    csrf = client.cookies.get("accord_csrf")
    return client.post(
        "/sop/versions",
        data={"kind": kind, "note": note, "csrf_token": csrf},
        headers=HTML,
        follow_redirects=False,
    )


def test_sales_proposes_operations_proposes_finance_agrees(client, people):
    sign_in(client, "ana")
    page = client.get("/sop", headers=HTML).text
    assert '<option value="sales">sales proposal</option>' in page
    assert '<option value="consensus">' not in page
    assert save(client, "sales", "what we believe will sell").status_code == 303
    assert save(client, "consensus", "not mine to agree").status_code == 403

    client.cookies.clear()
    sign_in(client, "olaf")
    assert save(client, "operations", "what the plant can make").status_code == 303
    client.cookies.clear()
    sign_in(client, "fiona")
    assert save(client, "consensus", "agreed in the meeting").status_code == 303

    page = client.get("/sop", headers=HTML).text
    for text in (
        "sales proposal",
        "operations proposal",
        "agreed consensus",
        "agreed in the meeting",
    ):
        assert text in page
    assert "first version" in page  # the sales proposal; the later two show their change
    actions = [e["action"] for e in auth.audit_log(client.app.state.db)]
    assert actions.count("save_plan") == 3


def test_saving_a_version_needs_a_signed_in_user(anonymous):
    anonymous.get("/sign-in", headers=HTML)
    assert save(anonymous, "sales", "anonymous").status_code == 401


def test_scenarios_are_planned_beside_the_base_on_the_page(client):
    params = [("kind", "price"), ("target", "PUMP-200"), ("value", "150"),
              ("kind", "add_workers"), ("target", "ASSY"), ("value", "2")]  # fmt: skip
    page = client.get("/sop/scenarios", params=params, headers=HTML)
    assert page.status_code == 200
    assert 'data-testid="scenario-results"' in page.text
    assert "change a product&#39;s price: PUMP-200 = 150" in page.text
    assert "add workers to a crew: ASSY = 2" in page.text


def test_a_scenario_naming_nothing_known_is_a_clear_message(client):
    params = {"kind": "win_deal", "target": "OPP-404", "value": ""}
    page = client.get("/sop/scenarios", params=params, headers=HTML)
    assert page.status_code == 200
    assert 'role="alert"' in page.text and "OPP-404" in page.text


def test_two_versions_are_compared_period_by_period(client, people):
    sign_in(client, "ana")
    save(client, "sales", "first")
    save(client, "sales", "second")
    page = client.get("/sop/compare", params={"a": 1, "b": 2}, headers=HTML)
    assert page.status_code == 200
    assert 'data-testid="cost-change">+0<' in page.text  # the same data: the same plan
    assert client.get("/sop/compare", params={"a": 1, "b": 99}, headers=HTML).status_code == 404
