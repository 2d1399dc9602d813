"""Sign-in, tokens and roles on the API: every write is refused without the right role."""

from __future__ import annotations

import io
import zipfile

import pytest

from accord.io.files import read_dataset, write_dataset
from accord.services import auth
from tests.api.conftest import TINY


@pytest.fixture
def tokens(client):
    """An API token per role."""
    db = client.app.state.db
    out = {}
    for role in ("sales", "operations", "finance", "admin"):
        auth.create_user(db, f"{role}-user", role, "correct horse")
        out[role] = auth.issue_token(db, f"{role}-user", "tests")
    return out


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def tiny_zip(tmp_path_factory) -> bytes:
    folder = tmp_path_factory.mktemp("tiny")
    write_dataset(read_dataset(TINY), folder)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for f in folder.iterdir():
            archive.write(f, f.name)
    return buffer.getvalue()


def upload(client, data: bytes, headers=None, name="company.zip"):
    files = {"file": (name, data, "application/zip")}
    return client.post("/api/v1/dataset", files=files, headers=headers or {})


def test_me_needs_a_token_and_describes_the_user(client, anonymous, tokens):
    assert anonymous.get("/api/v1/me").status_code == 401
    body = client.get("/api/v1/me", headers=bearer(tokens["sales"])).json()
    assert body["role"] == "sales" and "reserve" in body["permissions"]


@pytest.mark.parametrize("header", ["Bearer acc_nonsense", "Basic YWxhZGRpbjpvcGVu", "Bearer "])
def test_bad_credentials_get_401_in_the_error_shape(client, header):
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize(
    ("role", "status"),
    [(None, 401), ("sales", 403), ("finance", 403), ("operations", 200), ("admin", 200)],
)
def test_uploading_a_dataset_needs_the_import_permission(
    client, anonymous, tokens, tiny_zip, role, status
):
    headers = bearer(tokens[role]) if role else {}
    response = upload(client if role else anonymous, tiny_zip, headers)
    assert response.status_code == status, response.text
    if status == 200:
        assert response.json()["version"] == 2
        entry = client.get("/api/v1/audit", headers=bearer(tokens["admin"])).json()[0]
        assert (entry["username"], entry["action"]) == (f"{role}-user", "import_dataset")


def test_a_bad_upload_is_refused_with_every_problem_and_changes_nothing(client, tokens):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("products.csv", "sku,unit_price,material_cost\nPUMP-200,-1,4\n")
    response = upload(client, buffer.getvalue(), bearer(tokens["operations"]))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["details"] == ["products.csv:2:unit_price: must not be negative: '-1'"]
    assert client.get("/api/v1/health").json()["dataset_version"] == 1


def test_oversized_and_unknown_uploads_are_refused(client, tokens, tiny_zip):
    client.app.state.settings.max_upload_bytes = 100
    response = upload(client, tiny_zip, bearer(tokens["operations"]))
    assert response.status_code == 413
    assert "larger than the 100 bytes" in response.json()["error"]["message"]
    response = upload(client, b"{}", bearer(tokens["operations"]), name="company.json")
    assert response.status_code == 422
    assert "upload a .zip of CSV files or an .xlsx" in response.json()["error"]["message"]


def test_only_admins_create_users(client, tokens):
    body = {"username": "ben", "role": "sales", "password": "correct horse"}
    assert (
        client.post("/api/v1/users", json=body, headers=bearer(tokens["sales"])).status_code == 403
    )
    created = client.post("/api/v1/users", json=body, headers=bearer(tokens["admin"]))
    assert created.status_code == 201
    again = client.post("/api/v1/users", json=body, headers=bearer(tokens["admin"]))
    assert again.status_code == 409


def test_users_create_their_own_tokens(client, tokens):
    response = client.post("/api/v1/tokens", json={"name": "crm"}, headers=bearer(tokens["sales"]))
    assert response.status_code == 201
    token = response.json()["token"]
    assert client.get("/api/v1/me", headers=bearer(token)).json()["username"] == "sales-user"


def sign_in(client, username="operations-user", password="correct horse"):
    client.get("/sign-in")
    csrf = client.cookies.get("accord_csrf")
    return client.post(
        "/sign-in",
        data={"username": username, "password": password, "csrf_token": csrf},
        follow_redirects=False,
    )


def test_signing_in_sets_a_session_and_the_page_shows_the_user(client, tokens):
    response = sign_in(client)
    assert response.status_code == 303
    page = client.get("/", headers={"accept": "text/html"}).text
    assert "operations-user · operations" in page


def test_a_wrong_password_shows_the_form_again(client, tokens):
    response = sign_in(client, password="wrong horse")
    assert response.status_code == 401
    assert "unknown user or wrong password" in response.text


def test_a_sign_in_form_without_its_csrf_token_is_refused(client, tokens):
    client.get("/sign-in")
    response = client.post(
        "/sign-in", data={"username": "operations-user", "password": "correct horse"}
    )
    assert response.status_code == 403


def test_browser_writes_need_the_csrf_token(client, tokens, tiny_zip):
    sign_in(client)
    assert upload(client, tiny_zip).status_code == 403
    csrf = {"X-CSRF-Token": client.cookies.get("accord_csrf")}
    assert upload(client, tiny_zip, csrf).status_code == 200


def test_signing_out_ends_the_session(anonymous, tokens):
    sign_in(anonymous)
    csrf = anonymous.cookies.get("accord_csrf")
    anonymous.post("/sign-out", data={"csrf_token": csrf}, follow_redirects=False)
    home = anonymous.get("/", headers={"accept": "text/html"}, follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/sign-in"
    assert anonymous.get("/api/v1/me").status_code == 401
