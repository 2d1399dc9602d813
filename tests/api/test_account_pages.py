"""The first-run page, the Users page and the Account page, and what every browser write
must show: a CSRF token tied to its session, an Origin of this site; cookies HttpOnly,
SameSite=Lax and (by a setting) Secure; sign-ins throttled with 429 and Retry-After."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from accord.api.app import create_app
from accord.api.browser_guard import csrf_for_session
from accord.services import auth
from tests.api.conftest import HTML, PASSWORD, sign_in

SITE = "http://testserver"  # the TestClient's own origin
EVIL = "https://evil.example"


@pytest.fixture
def first_run(settings) -> Iterator[TestClient]:
    """A browser on an app whose database has no users at all."""
    with TestClient(create_app(settings)) as browser:
        yield browser


def setup_form(browser: TestClient, **fields: str) -> dict[str, str]:
    browser.get("/setup", headers=HTML)
    form = {"username": "root", "password": PASSWORD, "confirm": PASSWORD}
    return {**form, "csrf_token": browser.cookies.get("accord_csrf") or "", **fields}


def test_an_empty_database_sends_sign_in_to_the_first_run_page(first_run):
    response = first_run.get("/sign-in", headers=HTML, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/setup")
    page = first_run.get("/setup", headers=HTML)
    assert page.status_code == 200 and "Set up Accord" in page.text


def test_the_first_run_creates_the_admin_signs_them_in_and_then_is_gone(first_run):
    created = first_run.post("/setup", data=setup_form(first_run), follow_redirects=False)
    assert (created.status_code, created.headers["location"]) == (303, "/admin/users")
    users = first_run.get("/admin/users", headers=HTML)
    assert users.status_code == 200 and "root (you)" in users.text
    db = first_run.app.state.db
    [account] = auth.accounts(db)
    assert (account.user.username, account.user.role.value) == ("root", "admin")
    assert auth.audit_log(db)[0]["action"] == "create_user"
    # Gone: the page, and a second form, send everyone to sign in.
    visitor = TestClient(first_run.app)
    gone = visitor.get("/setup", headers=HTML, follow_redirects=False)
    assert (gone.status_code, gone.headers["location"]) == (303, "/sign-in")
    again = visitor.post(
        "/setup", data=setup_form(visitor, username="mallory"), follow_redirects=False
    )
    assert again.status_code == 303 and len(auth.accounts(db)) == 1


def test_the_first_run_form_says_what_is_wrong(first_run):
    differ = first_run.post("/setup", data=setup_form(first_run, confirm="another horse"))
    assert differ.status_code == 422 and "The two passwords differ." in differ.text
    short = first_run.post("/setup", data=setup_form(first_run, password="short", confirm="short"))
    assert short.status_code == 422 and "at least 8 characters" in short.text
    spaced = first_run.post("/setup", data=setup_form(first_run, username="two words"))
    assert spaced.status_code == 422 and "no spaces" in spaced.text
    assert not auth.has_users(first_run.app.state.db)


def test_the_first_run_form_needs_its_csrf_token_and_this_site(first_run):
    assert first_run.post("/setup", data=setup_form(first_run, csrf_token="")).status_code == 403
    foreign = first_run.post("/setup", data=setup_form(first_run), headers={"origin": EVIL})
    assert foreign.status_code == 403
    assert not auth.has_users(first_run.app.state.db)


@pytest.fixture
def browser(client) -> Iterator[TestClient]:
    """A browser signed in as an admin, ``root`` (``client``'s reader is an admin too)."""
    auth.create_user(client.app.state.db, "root", "admin", PASSWORD)
    visitor = TestClient(client.app)
    assert sign_in(visitor, "root").status_code == 303
    yield visitor
    visitor.close()


def post(browser: TestClient, url: str, csrf: str | None = None, headers=None, **form: str):
    token = browser.cookies.get("accord_csrf") if csrf is None else csrf
    return browser.post(
        url, data={"csrf_token": token, **form}, headers={**HTML, **(headers or {})},
        follow_redirects=False,
    )  # fmt: skip


def test_the_csrf_token_is_tied_to_the_session(browser):
    session = browser.cookies.get("accord_session")
    assert browser.cookies.get("accord_csrf") == csrf_for_session(session)
    page = browser.get("/admin/users", headers=HTML).text
    assert f'value="{csrf_for_session(session)}"' in page


def test_a_planted_csrf_cookie_does_not_pass(browser):
    # A sibling subdomain sets accord_csrf and the forged form repeats it: a plain double
    # submit would pass; the token tied to the session does not.
    session = browser.cookies.get("accord_session")
    browser.cookies.clear()
    browser.cookies.set("accord_session", session)
    browser.cookies.set("accord_csrf", "planted-by-a-sibling")
    refused = post(browser, "/admin/users/root/active", active="true")
    assert refused.status_code == 403 and "CSRF" in refused.text
    fine = post(browser, "/admin/users/root/active", csrf=csrf_for_session(session), active="true")
    assert fine.status_code == 200


def test_the_token_of_another_session_does_not_pass(client, browser):
    other = TestClient(client.app)
    sign_in(other, "root")
    theirs = other.cookies.get("accord_csrf")
    assert post(browser, "/admin/users/root/active", csrf=theirs, active="true").status_code == 403


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": EVIL},
        {"origin": "null"},
        {"referer": f"{EVIL}/page"},
        {"origin": "http://testserver:8443"},
    ],
    ids=["another site", "null", "another site's referer", "another port"],
)
def test_a_write_from_another_origin_is_refused_with_the_right_token(browser, headers):
    refused = post(browser, "/admin/users/root/active", headers=headers, active="true")
    assert refused.status_code == 403 and "another site" in refused.text


@pytest.mark.parametrize(
    "headers", [{"origin": SITE}, {"referer": f"{SITE}/admin/users"}, {}], ids=str
)
def test_a_write_from_this_site_passes(browser, headers):
    assert (
        post(browser, "/admin/users/root/active", headers=headers, active="true").status_code == 200
    )


def test_the_public_url_is_an_origin_of_this_site(browser):
    """Behind a proxy the browser's origin is the public URL, not what the server sees."""
    settings = browser.app.state.settings
    settings.public_url = "https://accord.example.com/planning"
    headers = {"origin": "https://accord.example.com"}
    ok = post(browser, "/admin/users/root/active", headers=headers, active="true")
    assert ok.status_code == 200
    settings.public_url = None
    refused = post(browser, "/admin/users/root/active", headers=headers, active="true")
    assert refused.status_code == 403


def test_a_sign_in_form_from_another_site_is_refused(client):
    auth.create_user(client.app.state.db, "ana", "sales", PASSWORD)
    visitor = TestClient(client.app)
    visitor.get("/sign-in", headers=HTML)
    form = {
        "username": "ana",
        "password": PASSWORD,
        "csrf_token": visitor.cookies.get("accord_csrf"),
    }
    refused = visitor.post("/sign-in", data=form, headers={"origin": EVIL}, follow_redirects=False)
    assert refused.status_code == 403 and "accord_session" not in visitor.cookies


def set_cookie_headers(response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


def test_cookies_are_httponly_lax_and_secure_only_when_set(client):
    auth.create_user(client.app.state.db, "ana", "sales", PASSWORD)
    plain = set_cookie_headers(sign_in(TestClient(client.app), "ana"))
    for name in ("accord_session", "accord_csrf"):
        assert "HttpOnly" in plain[name] and "SameSite=lax" in plain[name]
        assert "Secure" not in plain[name]
    client.app.state.settings.secure_cookies = True
    visitor = TestClient(client.app, base_url="https://testserver")
    secure = set_cookie_headers(sign_in(visitor, "ana"))
    for name in ("accord_session", "accord_csrf"):
        assert "Secure" in secure[name] and "HttpOnly" in secure[name]
    page = visitor.get("/sign-in", headers=HTML)
    assert page.status_code == 200


def test_signing_in_again_ends_the_previous_session(client):
    auth.create_user(client.app.state.db, "ana", "sales", PASSWORD)
    visitor = TestClient(client.app)
    sign_in(visitor, "ana")
    first = visitor.cookies.get("accord_session")
    sign_in(visitor, "ana")
    assert auth.user_for_token(client.app.state.db, first, auth.SESSION) is None


def test_failed_sign_ins_are_answered_429_with_retry_after(client):
    auth.create_user(client.app.state.db, "ana", "sales", PASSWORD)
    visitor = TestClient(client.app)
    for _ in range(5):
        assert sign_in(visitor, "ana", "wrong horse").status_code == 401
    locked = sign_in(visitor, "ana", PASSWORD)
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) == 15 * 60
    assert "Too many failed sign-ins for &#39;ana&#39;: try again in 15 minutes." in locked.text


def test_the_users_page_lists_everyone_and_only_admins_see_it(client, browser):
    page = browser.get("/admin/users", headers=HTML)
    assert page.status_code == 200
    assert 'data-user="root"' in page.text and 'data-user="reader"' in page.text
    auth.create_user(client.app.state.db, "ana", "sales", PASSWORD)
    sales = TestClient(client.app)
    sign_in(sales, "ana")
    assert sales.get("/admin/users", headers=HTML).status_code == 403


def test_the_users_page_adds_deactivates_changes_role_and_resets(client, browser):
    db = client.app.state.db
    added = post(
        browser, "/admin/users", username="ana", role="sales", password=PASSWORD, display_name="Ana"
    )
    assert added.status_code == 200 and "Added ana (sales)." in added.text
    token = auth.issue_token(db, "ana", "crm")
    role = post(browser, "/admin/users/ana/role", role="finance")
    assert "ana is now finance." in role.text
    off = post(browser, "/admin/users/ana/active", active="false")
    assert "ana is deactivated" in off.text and auth.user_for_token(db, token) is None
    assert 'class="inactive"' in off.text
    post(browser, "/admin/users/ana/active", active="true")
    reset = post(browser, "/admin/users/ana/password", password="battery staple")
    assert "New password for ana" in reset.text
    assert auth.sign_in(db, "ana", "battery staple").role.value == "finance"
    actions = [e["action"] for e in auth.audit_log(db)[:6]]
    assert actions == [
        "reset_password",
        "activate_user",
        "deactivate_user",
        "change_role",
        "create_token",
        "create_user",
    ]


def test_the_users_page_says_why_a_change_is_refused(client, browser):
    post(browser, "/admin/users/reader/role", role="sales")  # root is the last admin now
    refused = post(browser, "/admin/users/root/active", active="false")
    assert refused.status_code == 409 and "last active admin" in refused.text
    short = post(browser, "/admin/users", username="ben", role="sales", password="short")
    assert short.status_code == 422 and "at least 8 characters" in short.text
    missing = post(browser, "/admin/users/nobody/role", role="sales")
    assert missing.status_code == 404


def test_the_users_page_lists_and_revokes_tokens(client, browser):
    db = client.app.state.db
    auth.create_user(db, "ana", "sales", PASSWORD)
    secret = auth.issue_token(db, "ana", "crm integration")
    page = browser.get("/admin/users", headers=HTML).text
    assert "crm integration" in page and secret not in page
    [info] = auth.tokens(db, "ana")
    revoked = post(browser, f"/admin/tokens/{info.id}/revoke")
    assert "Revoked the token &#39;crm integration&#39; of ana." in revoked.text
    assert auth.user_for_token(db, secret) is None


def test_resetting_ones_own_password_on_the_page_keeps_this_browser(browser):
    post(browser, "/admin/users/root/password", password="battery staple")
    assert browser.get("/admin/users", headers=HTML).status_code == 200


def test_the_account_page_changes_ones_password_and_keeps_this_session(client):
    db = client.app.state.db
    auth.create_user(db, "ana", "sales", PASSWORD)
    here, phone = TestClient(client.app), TestClient(client.app)
    sign_in(here, "ana")
    sign_in(phone, "ana")
    token = auth.issue_token(db, "ana", "crm")
    page = here.get("/account", headers=HTML)
    assert page.status_code == 200 and "crm" in page.text and token not in page.text
    wrong = post(
        here,
        "/account/password",
        current="wrong horse",
        password="battery staple",
        confirm="battery staple",
    )
    assert wrong.status_code == 422 and "current password is not right" in wrong.text
    differ = post(
        here, "/account/password", current=PASSWORD, password="battery staple", confirm="x"
    )
    assert differ.status_code == 422
    done = post(
        here,
        "/account/password",
        current=PASSWORD,
        password="battery staple",
        confirm="battery staple",
    )
    assert done.status_code == 200 and "2 other session(s) and token(s) revoked" in done.text
    assert here.get("/account", headers=HTML).status_code == 200
    assert auth.user_for_token(db, phone.cookies.get("accord_session"), auth.SESSION) is None
    assert auth.user_for_token(db, token) is None


def test_the_account_page_revokes_only_ones_own_tokens(client):
    db = client.app.state.db
    auth.create_user(db, "ana", "sales", PASSWORD)
    auth.create_user(db, "olaf", "operations", PASSWORD)
    auth.issue_token(db, "ana", "crm")
    olafs = auth.issue_token(db, "olaf", "erp")
    here = TestClient(client.app)
    sign_in(here, "ana")
    [anas] = auth.tokens(db, "ana")
    [theirs] = auth.tokens(db, "olaf")
    assert post(here, f"/account/tokens/{theirs.id}/revoke").status_code == 404
    assert auth.user_for_token(db, olafs) is not None
    assert post(here, f"/account/tokens/{anas.id}/revoke").status_code == 200
    assert auth.tokens(db, "ana") == []


def test_the_navigation_links_admins_to_the_users_page(client, browser):
    assert 'href="/admin/users"' in browser.get("/account", headers=HTML).text
    auth.create_user(client.app.state.db, "ana", "sales", PASSWORD)
    sales = TestClient(client.app)
    sign_in(sales, "ana")
    page = sales.get("/account", headers=HTML).text
    assert 'href="/admin/users"' not in page and 'href="/account"' in page
