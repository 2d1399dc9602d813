"""The app on the tiny company, and the callers the API tests use.

Every route but health, signing in and the CRM webhooks needs a signed-in user, so
``client`` reads signed in: it sends the API token of ``reader`` (an admin, who may read
everything) with each request that carries no credentials of its own. A test that sends its
own ``Authorization`` header, or signs a browser in (a session cookie), speaks for itself.
``anonymous`` is the same app with no credentials at all: for what a visitor gets.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from accord.api.app import create_app
from accord.api.security import SESSION_COOKIE
from accord.config import Settings
from accord.io.files import read_dataset
from accord.services import auth
from accord.services.datasets import store_dataset
from accord.services.runtime import open_database

TINY = Path(__file__).parent.parent / "data" / "tiny"
READER = "reader"
PASSWORD = "correct horse"
HTML = {"accept": "text/html"}


def reads_as(client: TestClient, username: str, role: str = "admin") -> TestClient:
    """``client`` sending ``username``'s API token (made here) whenever a request carries
    neither an Authorization header nor a session cookie. The app may be wrapped (the
    inquiry's fast lane): its ``app`` is the one with the database."""
    app = client.app
    db = (app if hasattr(app, "state") else app.app).state.db
    if all(u.username != username for u in auth.list_users(db)):
        auth.create_user(db, username, role, PASSWORD)
    token = auth.issue_token(db, username, "tests")

    def sign(request: Any) -> None:
        if "authorization" in request.headers:
            return
        if f"{SESSION_COOKIE}=" in request.headers.get("cookie", ""):
            return
        request.headers["Authorization"] = f"Bearer {token}"

    client.event_hooks = {"request": [sign], "response": []}
    return client


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    """Sign ``client`` in as a browser does: the form, its CSRF token, the session cookie."""
    client.get("/sign-in", headers=HTML)
    form = {"username": username, "password": password}
    form["csrf_token"] = client.cookies.get("accord_csrf") or ""
    return client.post("/sign-in", data=form, follow_redirects=False)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'accord.db'}")


@pytest.fixture
def empty_client(settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield reads_as(client, READER)


@pytest.fixture
def client(settings) -> Iterator[TestClient]:
    db = open_database(settings)
    store_dataset(db, read_dataset(TINY), "tiny")
    with TestClient(create_app(settings, db)) as client:
        yield reads_as(client, READER)
    db.dispose()


@pytest.fixture
def anonymous(client) -> Iterator[TestClient]:
    """A visitor of ``client``'s app who has not signed in."""
    visitor = TestClient(client.app)
    yield visitor
    visitor.close()
