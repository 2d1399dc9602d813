"""Signing in returns to the page the user was on, and only ever to a page of this site."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from accord.services import auth
from accord.web.return_to import after_sign_in, local_path, page_of, sign_in_link

HTML = {"accept": "text/html"}


@pytest.mark.parametrize(
    ("target", "kept"),
    [
        ("/deal-desk", "/deal-desk"),
        ("/pipeline?as_of=2026-03-02", "/pipeline?as_of=2026-03-02"),
        ("/", "/"),
        ("", "/"),
        (None, "/"),
        ("deal-desk", "/"),  # relative
        ("//evil.example/x", "/"),  # another host, scheme-relative
        ("/\\evil.example", "/"),  # browsers read a backslash as a slash
        ("/\t/evil.example", "/"),  # and drop tabs and newlines
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_only_a_path_of_this_site_is_kept(target, kept):
    assert local_path(target) == kept


def test_the_sign_in_link_carries_the_page_encoded():
    assert sign_in_link("/pipeline?as_of=2026-03-02") == (
        "/sign-in?next=/pipeline%3Fas_of%3D2026-03-02"
    )
    assert sign_in_link("/") == "/sign-in"
    assert sign_in_link("https://evil.example/") == "/sign-in"
    assert sign_in_link("/sign-in?next=/sop") == "/sign-in?next=/sop"  # not nested


def test_signing_in_never_returns_to_the_sign_in():
    assert after_sign_in("/sign-in?next=/sop") == "/"
    assert after_sign_in("/sign-out") == "/"
    assert after_sign_in("/sop") == "/sop"


def _request(method: str, path: str, query: str = "", referer: str | None = None) -> Request:
    headers = [(b"host", b"accord.test")]
    if referer is not None:
        headers.append((b"referer", referer.encode()))
    scope = {
        "type": "http",
        "method": method,
        "scheme": "http",
        "server": ("accord.test", 80),
        "path": path,
        "query_string": query.encode(),
        "headers": headers,
    }
    return Request(scope)


def test_the_page_of_a_form_is_its_referer_on_this_site():
    assert page_of(_request("GET", "/pipeline", "as_of=2026-03-02")) == "/pipeline?as_of=2026-03-02"
    form = "/deal-desk/reserve"
    assert page_of(_request("POST", form, referer="http://accord.test/deal-desk")) == "/deal-desk"
    assert page_of(_request("POST", form, referer="http://evil.example/deal-desk")) == "/"
    assert page_of(_request("POST", form)) == "/"


def _sign_in(client, next: str, username: str = "ana", password: str = "correct horse"):
    """The sign-in form sent with the page to return to."""
    client.get("/sign-in", params={"next": next}, headers=HTML)
    data = {"username": username, "password": password, "next": next}
    data["csrf_token"] = client.cookies.get("accord_csrf")
    return client.post("/sign-in", data=data, follow_redirects=False)


def test_an_anonymous_form_is_told_to_sign_in_and_comes_back_after(anonymous):
    client = anonymous
    auth.create_user(client.app.state.db, "ana", "sales", "correct horse")
    client.get("/sign-in", headers=HTML)
    csrf = client.cookies.get("accord_csrf")
    refused = client.post(
        "/deal-desk/reserve",
        data={"sku": "PUMP-200", "quantity": "5", "csrf_token": csrf},
        headers={**HTML, "referer": "http://testserver/deal-desk"},
    )
    assert refused.status_code == 401
    assert 'href="/sign-in?next=/deal-desk"' in refused.text
    form = client.get("/sign-in", params={"next": "/deal-desk"}, headers=HTML)
    assert 'name="next" value="/deal-desk"' in form.text
    signed_in = _sign_in(client, "/deal-desk")
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/deal-desk"


def test_a_wrong_password_keeps_the_page_to_return_to(client):
    response = _sign_in(client, "/sop", username="nobody", password="wrong")
    assert response.status_code == 401
    assert 'name="next" value="/sop"' in response.text


def test_a_crafted_next_signs_in_to_the_company_page(client):
    auth.create_user(client.app.state.db, "ana", "sales", "correct horse")
    signed_in = _sign_in(client, "//evil.example/")
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/"


@pytest.mark.parametrize(
    ("path", "back"),
    [
        ("/sop", "/sop"),
        ("/data", "/data"),
        ("/deal-desk?opportunity=OPP-8", "/deal-desk%3Fopportunity%3DOPP-8"),
    ],
)
def test_the_sign_in_links_of_a_page_come_back_to_it(client, path, back):
    page = client.get(path, headers=HTML).text
    assert 'href="/sign-in"' not in page
    links = page.count(f'href="/sign-in?next={back}"')
    assert links == 2  # the navigation's and the page's own "Sign in to ..." hint


@pytest.mark.parametrize(
    ("path", "back"),
    [
        ("/", "/sign-in"),
        ("/pipeline?weighted=true", "/sign-in?next=/pipeline%3Fweighted%3Dtrue"),
        ("/deal-desk?opportunity=OPP-8", "/sign-in?next=/deal-desk%3Fopportunity%3DOPP-8"),
        (
            "/pipeline?weighted=true&as_of=2026-11-02",
            "/sign-in?next=/pipeline%3Fweighted%3Dtrue%26as_of%3D2026-11-02",
        ),
    ],
)
def test_an_anonymous_visit_goes_to_the_sign_in_and_comes_back_after(anonymous, path, back):
    auth.create_user(anonymous.app.state.db, "ana", "sales", "correct horse")
    visit = anonymous.get(path, headers=HTML, follow_redirects=False)
    assert visit.status_code == 303
    assert visit.headers["location"] == back
    form = anonymous.get(back, headers=HTML)
    assert form.status_code == 200
    signed_in = _sign_in(anonymous, path)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == path
    assert anonymous.get(path, headers=HTML).status_code == 200


def test_a_crafted_page_address_never_leaves_the_site(anonymous):
    visit = anonymous.get("//evil.example/", headers=HTML, follow_redirects=False)
    assert visit.status_code in (303, 404)
    if visit.status_code == 303:
        assert visit.headers["location"].startswith("/sign-in")
