"""Every write route, API and page, against every role: anonymous, sales, operations,
finance and admin.

The routes come from the app itself (``app.routes``); the table below names the permission
each one needs, and a route missing from the table fails the test, so a new write cannot
ship without its row. The JSON API is called with API tokens (``Bearer``), the pages as a
signed-in browser with its session cookie and CSRF token. Expected: anonymous 401, a role
without the permission 403, a role with it the route's own success status.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from accord.api.app import create_app
from accord.config import Settings
from accord.domain.access import Permission, Role, may
from accord.io.files import read_dataset, write_dataset
from accord.planning.promise import PromiseRequest
from accord.services import auth, forecast, plan
from accord.services.company import CompanyStore
from accord.services.datasets import store_dataset
from accord.services.promise import Desk
from accord.services.reservations import reserve
from accord.services.runtime import open_database
from tests.api.conftest import TINY

OPEN = "open"  # anyone, signed in or not
SIGNED_IN = "signed in"  # any role
CRM = "crm"  # the CRM's own credentials (docs/crm.md): an Accord token never opens it
Need = Permission | str

ROLES: tuple[str | None, ...] = (None, *(r.value for r in Role))
PASSWORD = "correct horse"
TARGET = "target-user"  # whom the admin routes change (no other case signs in as them)
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
HTML = {"accept": "text/html"}
# Filled in from the world fixture when a case is sent.
SLOTS = ("confirm_id", "release_id", "page_confirm_id")


@dataclass(frozen=True)
class Case:
    """One request to a write route and who may send it."""

    method: str
    route: str  # the route's path as app.routes names it
    need: Need
    ok: int  # the status when the caller may
    url: str = ""  # the concrete URL (default: the route); {slots} filled in per world
    json: dict[str, Any] | None = None
    form: dict[str, str] = field(default_factory=dict)
    upload: bool = False  # send the tiny company as a .zip file
    label: str = ""

    @property
    def page(self) -> bool:
        return not self.route.startswith("/api/")

    @property
    def id(self) -> str:
        return f"{self.method} {self.route}{f' [{self.label}]' if self.label else ''}"


def _version(kind: str, need: Permission) -> Case:
    body = {"kind": kind, "periods": 2, "note": f"{kind} from the role matrix"}
    return Case("POST", "/api/v1/plan/versions", need, 201, json=body, label=kind)


def _page_version(kind: str, need: Permission) -> Case:
    form = {"kind": kind, "note": "from the role matrix"}
    return Case("POST", "/sop/versions", need, 303, form=form, label=kind)


PROMISE = {"sku": "PUMP-200", "quantity": 1}
SCENARIO = {
    "name": "paint +10%",
    "changes": [{"kind": "capacity", "target": "PAINT", "value": 1.1}],
}
CASES: tuple[Case, ...] = (
    # The JSON API.
    Case("POST", "/api/v1/customers", Permission.SCORE_CUSTOMERS, 200, json={"weights": {}}),
    Case(
        "POST",
        "/api/v1/users",
        Permission.MANAGE_USERS,
        201,
        json={"username": "new-{role}", "role": "sales", "password": PASSWORD},
    ),
    Case("POST", "/api/v1/tokens", SIGNED_IN, 201, json={"name": "role matrix"}),
    # Nobody's token 999999: the owner check answers 404 to everyone signed in.
    Case("DELETE", "/api/v1/tokens/{token_id}", SIGNED_IN, 404, url="/api/v1/tokens/999999"),
    # A wrong current password: 422 (and the password stays).
    Case(
        "PUT",
        "/api/v1/me/password",
        SIGNED_IN,
        422,
        json={"old_password": "not the password", "new_password": "another horse"},
    ),
    Case(
        "PATCH",
        "/api/v1/users/{username}",
        Permission.MANAGE_USERS,
        200,
        url=f"/api/v1/users/{TARGET}",
        json={"role": "sales", "active": True},
    ),
    Case(
        "PUT",
        "/api/v1/users/{username}/password",
        Permission.MANAGE_USERS,
        200,
        url=f"/api/v1/users/{TARGET}/password",
        json={"password": PASSWORD},
    ),
    Case("POST", "/api/v1/dataset", Permission.IMPORT_DATA, 200, upload=True),
    Case("POST", "/api/v1/promise", SIGNED_IN, 200, json=PROMISE),
    Case("POST", "/api/v1/reservations", Permission.RESERVE, 201, json=PROMISE),
    Case(
        "POST",
        "/api/v1/reservations/{reservation_id}/confirm",
        Permission.RESERVE,
        200,
        url="/api/v1/reservations/{confirm_id}/confirm",
    ),
    Case(
        "POST",
        "/api/v1/reservations/{reservation_id}/release",
        Permission.RESERVE,
        200,
        url="/api/v1/reservations/{release_id}/release",
    ),
    Case(
        "POST",
        "/api/v1/check/{opportunity_id}",
        Permission.CHECK_DEAL,
        200,
        url="/api/v1/check/OPP-8",
    ),
    Case(
        "POST",
        "/api/v1/check/{opportunity_id}",
        Permission.RESERVE,
        200,
        url="/api/v1/check/OPP-8?reserve=true",
        label="reserve",
    ),
    Case("POST", "/api/v1/forecast", SIGNED_IN, 200, json={"horizon": 2}, label="run"),
    Case(
        "POST",
        "/api/v1/forecast",
        Permission.SAVE_FORECAST,
        200,
        json={"horizon": 2, "save": True},
        label="save",
    ),
    Case("POST", "/api/v1/plan", SIGNED_IN, 200, json={"periods": 2}),
    _version("sales", Permission.PROPOSE_SALES_PLAN),
    _version("operations", Permission.PROPOSE_OPERATIONS_PLAN),
    _version("consensus", Permission.AGREE_PLAN),
    Case(
        "POST",
        "/api/v1/plan/scenarios",
        SIGNED_IN,
        200,
        json={"periods": 2, "scenarios": [SCENARIO]},
    ),
    # Configured, but called without the CRM's signature or token: 401 whoever calls.
    Case("POST", "/api/v1/crm/webhook/hubspot", CRM, 401, json=[]),
    Case("POST", "/api/v1/crm/webhook/salesforce", CRM, 401),
    # The pages' forms.
    Case("POST", "/sign-in", OPEN, 303, form={"username": "{user}", "password": PASSWORD}),
    Case("POST", "/sign-out", OPEN, 303),
    # Set up already: the first-run form sends everyone to sign in.
    Case("POST", "/setup", OPEN, 303, form={"username": "x", "password": "y", "confirm": "y"}),
    Case(
        "POST",
        "/admin/users",
        Permission.MANAGE_USERS,
        200,
        form={"username": "page-{user}", "role": "sales", "password": PASSWORD},
    ),
    Case(
        "POST",
        "/admin/users/{username}/role",
        Permission.MANAGE_USERS,
        200,
        url=f"/admin/users/{TARGET}/role",
        form={"role": "sales"},
    ),
    Case(
        "POST",
        "/admin/users/{username}/active",
        Permission.MANAGE_USERS,
        200,
        url=f"/admin/users/{TARGET}/active",
        form={"active": "true"},
    ),
    Case(
        "POST",
        "/admin/users/{username}/password",
        Permission.MANAGE_USERS,
        200,
        url=f"/admin/users/{TARGET}/password",
        form={"password": PASSWORD},
    ),
    Case(
        "POST",
        "/admin/tokens/{token_id}/revoke",
        Permission.MANAGE_USERS,
        404,
        url="/admin/tokens/999999/revoke",
    ),
    Case(
        "POST",
        "/account/password",
        SIGNED_IN,
        422,
        form={"current": "not the password", "password": "another horse", "confirm": "x"},
    ),
    Case(
        "POST",
        "/account/tokens/{token_id}/revoke",
        SIGNED_IN,
        404,
        url="/account/tokens/999999/revoke",
    ),
    Case("POST", "/data", Permission.IMPORT_DATA, 200, upload=True),
    Case("POST", "/deal-desk/check", Permission.CHECK_DEAL, 200, form={"opportunity": "OPP-8"}),
    Case(
        "POST",
        "/deal-desk/reserve",
        Permission.RESERVE,
        200,
        form={"sku": "PUMP-200", "quantity": "1"},
    ),
    Case(
        "POST",
        "/deal-desk/reservations/{reservation_id}/{action}",
        Permission.RESERVE,
        303,
        url="/deal-desk/reservations/{page_confirm_id}/confirm",
    ),
    Case("POST", "/forecast", Permission.SAVE_FORECAST, 303),
    _page_version("sales", Permission.PROPOSE_SALES_PLAN),
    _page_version("operations", Permission.PROPOSE_OPERATIONS_PLAN),
    _page_version("consensus", Permission.AGREE_PLAN),
)

# Reads: signed in, any role, except these (tests/api/test_read_access.py checks that every
# route outside its open list refuses a visitor).
READ_NEEDS: dict[str, Need] = {
    "/api/v1/health": OPEN,
    "/api/v1/openapi.json": OPEN,
    "/docs": OPEN,
    "/static/plotly.min.js": OPEN,
    "/sign-in": OPEN,
    "/account": SIGNED_IN,
    "/api/v1/tokens": SIGNED_IN,
    "/api/v1/users": Permission.MANAGE_USERS,
    "/api/v1/audit": Permission.MANAGE_USERS,
    "/admin/users": Permission.MANAGE_USERS,
    "/api/v1/throughput": Permission.READ_MARGINS,
    "/api/v1/customers": Permission.READ_CUSTOMER_SCORES,
    "/api/v1/customers/history": Permission.READ_CUSTOMER_SCORES,
}
# A concrete value for each path parameter of a read, and the queries some reads need.
READ_PARAMS = {"sku": "PUMP-200", "version_id": "1", "other_id": "1"}
READ_QUERIES = {"/sop/compare": "?a=1&b=1"}
FIRST_RUN = "/setup"


def expected(case: Case, role: str | None) -> int:
    if case.need in (OPEN, CRM):
        return case.ok
    if role is None:
        return 401
    if case.need == SIGNED_IN or may(Role(role), Permission(case.need)):
        return case.ok
    return 403


def app_routes(app) -> list[tuple[str, str, bool]]:
    """(method, path, is in the OpenAPI schema) of every route the app serves."""
    found = []
    for route in iter_route_contexts(app.routes):
        for method in sorted(getattr(route, "methods", None) or ()):
            found.append((method, route.path, bool(route.include_in_schema)))
    return found


@pytest.fixture(scope="module")
def tiny_zip(tmp_path_factory) -> bytes:
    folder = tmp_path_factory.mktemp("tiny")
    write_dataset(read_dataset(TINY), folder)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for f in folder.iterdir():
            archive.write(f, f.name)
    return buffer.getvalue()


@dataclass
class World:
    """One app on the tiny company, a user per role with an API token and a signed-in
    browser, and reservations for the confirm and release routes."""

    app: Any
    tokens: dict[str, str]
    browsers: dict[str | None, TestClient]
    slots: dict[str, int]
    zip: bytes


def browser(app, username: str | None) -> TestClient:
    """A browser that visited the sign-in page (so it holds a CSRF cookie) and, with a
    ``username``, signed in."""
    client = TestClient(app)
    client.get("/sign-in")
    if username is not None:
        signed = client.post(
            "/sign-in",
            data={"username": username, "password": PASSWORD, "csrf_token": csrf(client)},
            follow_redirects=False,
        )
        assert signed.status_code == 303, signed.text
    return client


def csrf(client: TestClient) -> str:
    token = client.cookies.get("accord_csrf")
    assert token
    return token


def user_of(role: str) -> str:
    return f"{role}-user"


@pytest.fixture(scope="module")
def world(tmp_path_factory, tiny_zip) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("matrix")
    settings = Settings(database_url=f"sqlite:///{folder / 'accord.db'}")
    db = open_database(settings)
    store_dataset(db, read_dataset(TINY), "tiny")
    app = create_app(settings, db)
    tokens = {}
    for role in Role:
        auth.create_user(db, user_of(role.value), role.value, PASSWORD)
        tokens[role.value] = auth.issue_token(db, user_of(role.value), "role matrix")
    auth.create_user(db, TARGET, "sales", PASSWORD)
    company = CompanyStore(db, settings.horizon_days).current()
    snapshot = company.snapshot
    # Plan version 1 and a saved forecast, for the reads of them.
    plan.save_version(db, company, plan.sop_params(periods=2), "sales", "sales-user")
    forecast.save_forecast(
        db, company, forecast.run_forecast(company, horizon=2), "operations-user"
    )
    # The sales user's reservations: she confirms and releases her own, operations and
    # admin override (tests/api/test_reservation_ownership.py: another rep may not).
    owner = user_of(Role.SALES.value)
    slots = {
        slot: reserve(
            db, snapshot, Desk(), PromiseRequest("PUMP-200", 1), created_by=owner
        ).reservation.id
        for slot in SLOTS
    }
    with TestClient(app):  # runs the app's start-up once
        browsers = {None: browser(app, None)}
        browsers |= {role.value: browser(app, user_of(role.value)) for role in Role}
        yield World(app, tokens, browsers, slots, tiny_zip)
        for client in browsers.values():
            client.close()
    db.dispose()


def send(world: World, case: Case, role: str | None):
    url = (case.url or case.route).format(**world.slots)
    if case.page:
        return send_form(world, case, role, url)
    headers = {"Authorization": f"Bearer {world.tokens[role]}"} if role else {}
    json = case.json
    if json is not None and "username" in json:
        json = {**json, "username": json["username"].format(role=role)}
    files = {"file": ("tiny.zip", world.zip, "application/zip")} if case.upload else None
    client = world.browsers[None]
    return client.request(case.method, url, json=json, files=files, headers=headers)


def send_form(world: World, case: Case, role: str | None, url: str):
    if case.route == "/sign-in":  # a fresh browser signs in as the role's user
        client = browser(world.app, None)
    elif case.route == "/sign-out":  # ends the session: a browser of its own
        client = browser(world.app, user_of(role) if role else None)
    else:
        client = world.browsers[role]
    form = {k: v.format(user=user_of(role or "sales")) for k, v in case.form.items()}
    form["csrf_token"] = csrf(client)
    files = {"file": ("tiny.zip", world.zip, "application/zip")} if case.upload else None
    return client.request(
        case.method, url, data=form, files=files, headers=HTML, follow_redirects=False
    )


def test_the_table_names_every_write_route_of_the_app(world):
    writes = {(m, p) for m, p, _ in app_routes(world.app) if m in WRITE_METHODS}
    in_table = {(c.method, c.route) for c in CASES}
    assert writes - in_table == set(), "write routes without a row in CASES"
    assert in_table - writes == set(), "rows in CASES for routes the app no longer has"
    # The OpenAPI schema names the same API writes as app.routes.
    schema = world.browsers[None].get("/api/v1/openapi.json").json()["paths"]
    api = {(m.upper(), p) for p, ops in schema.items() for m in ops if m.upper() in WRITE_METHODS}
    in_schema = {(m, p): s for m, p, s in app_routes(world.app)}
    assert api == {route for route in writes if in_schema[route]}
    for case in CASES:  # the pages are the routes outside the schema
        assert case.page == (not in_schema[(case.method, case.route)]), case.id


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_each_role_gets_what_the_permission_allows(world, case, role, monkeypatch):
    if case.need == CRM:
        monkeypatch.setenv("ACCORD_HUBSPOT_CLIENT_SECRET", "hubspot-secret")
        monkeypatch.setenv("ACCORD_CRM_WEBHOOK_TOKEN", "salesforce-token")
    response = send(world, case, role)
    want = expected(case, role)
    assert response.status_code == want, f"{case.id} as {role}: {response.text[:300]}"
    if want in (401, 403) and not case.page:
        code = "not_authenticated" if want == 401 else "forbidden"
        assert response.json()["error"]["code"] == code
    if want in (401, 403) and case.page:
        assert response.headers["content-type"].startswith("text/html")
    if case.route == "/sign-out":
        assert response.headers["location"] == "/sign-in"


@pytest.mark.parametrize("case", [c for c in CASES if c.page], ids=lambda c: c.id)
def test_a_signed_in_browser_without_the_csrf_token_is_refused(world, case):
    client = browser(world.app, user_of("admin"))
    url = (case.url or case.route).format(**world.slots)
    form = {k: v.format(user=user_of("admin")) for k, v in case.form.items()}
    files = {"file": ("tiny.zip", world.zip, "application/zip")} if case.upload else None
    response = client.request(
        case.method, url, data=form, files=files, headers=HTML, follow_redirects=False
    )
    assert response.status_code == 403, f"{case.id}: {response.text[:300]}"


def reads(world: World) -> list[str]:
    schema = world.browsers[None].get("/api/v1/openapi.json").json()["paths"]
    api = [p.format(**READ_PARAMS) for p, ops in schema.items() if "get" in ops]
    pages = [p for m, p, in_schema in app_routes(world.app) if m == "GET" and not in_schema]
    # The first-run pages answer only on an empty database (their own tests).
    found = [p for p in api + pages if "{" not in p and not p.startswith(FIRST_RUN)]
    return [p + READ_QUERIES.get(p, "") for p in found]


def read_status(path: str, role: str | None) -> int:
    need = READ_NEEDS.get(path, SIGNED_IN)
    if need == OPEN or (role and (need == SIGNED_IN or may(Role(role), Permission(need)))):
        return 200
    return 401 if role is None else 403


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_every_read_needs_a_signed_in_user_and_some_a_permission(world, role):
    """With an API token (pages too), and as a signed-in browser with its session; a
    visitor's page view is sent to the sign-in page (303)."""
    headers = {"Authorization": f"Bearer {world.tokens[role]}"} if role else {}
    checked = reads(world)
    assert set(READ_NEEDS) <= set(checked)
    assert {"/api/v1/plan/versions/1", "/api/v1/reservations", "/sop", "/"} <= set(checked)
    for path in checked:
        want = read_status(path, role)
        by_token = world.browsers[None].get(path, headers=headers)
        assert by_token.status_code == want, f"GET {path} as {role}: {by_token.text[:300]}"
        page = not path.startswith("/api/")
        in_browser = world.browsers[role].get(path, headers=HTML if page else {},
                                              follow_redirects=False)  # fmt: skip
        if page and want == 401:
            assert in_browser.status_code == 303, path
            assert in_browser.headers["location"].startswith("/sign-in"), path
        else:
            assert in_browser.status_code == want, f"GET {path} in {role}'s browser"
