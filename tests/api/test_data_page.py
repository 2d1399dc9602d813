"""The Data page: upload with the validation problems shown in a table."""

from __future__ import annotations

import html
import io
import zipfile

import pytest

from accord.services import auth
from tests.api.conftest import TINY
from tests.api.test_users import sign_in
from tests.io.test_validate import EXPECTED_PROBLEMS, MALFORMED

HTML = {"accept": "text/html"}


def zipped(folder) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for f in sorted(folder.iterdir()):
            archive.write(f, f.name)
    return buffer.getvalue()


@pytest.fixture
def users(client):
    db = client.app.state.db
    auth.create_user(db, "olaf", "operations", "correct horse")
    auth.create_user(db, "ana", "sales", "correct horse")


def post(client, data: bytes, name="company.zip", csrf=True):
    form = {"csrf_token": client.cookies.get("accord_csrf")} if csrf else {}
    return client.post(
        "/data", files={"file": (name, data, "application/zip")}, data=form, headers=HTML
    )


def test_anonymous_visitors_are_asked_to_sign_in_to_upload(client):
    page = client.get("/data", headers=HTML).text
    assert "Sign in</a> as operations or admin" in page
    assert "<td>orders</td>" in page  # what is loaded now


def test_a_sales_user_is_told_their_role_may_not_replace_the_data(client, users):
    sign_in(client, "ana")
    assert "Your role (sales) may not replace the dataset" in client.get("/data").text
    assert post(client, zipped(TINY)).status_code == 403


def test_a_malformed_upload_lists_every_problem_and_changes_nothing(client, users):
    sign_in(client, "olaf")
    response = post(client, zipped(MALFORMED))
    assert response.status_code == 422
    page = response.text
    assert "Nothing was changed" in page
    for problem in EXPECTED_PROBLEMS:
        file, row, column, message = problem.split(":", 3)
        cells = f'<td>{file}</td><td class="num">{row}</td><td>{column}</td>'
        assert f"{cells}<td>{message.strip()}</td>" in html.unescape(page)
    assert page.count("<tr><td>") >= len(EXPECTED_PROBLEMS)
    assert client.get("/api/v1/health").json()["dataset_version"] == 1


def test_a_good_upload_is_imported_and_audited(client, users):
    sign_in(client, "olaf")
    response = post(client, zipped(TINY))
    assert response.status_code == 200
    assert "as version 2" in response.text
    assert auth.audit_log(client.app.state.db)[0]["username"] == "olaf"


def test_an_upload_without_the_form_token_is_refused(client, users):
    sign_in(client, "olaf")
    assert post(client, zipped(TINY), csrf=False).status_code == 403
