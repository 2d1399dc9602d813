"""Uploading a dataset: every bad file is a 4xx in the one error shape (never a 500), the
answer names the upload, not where the server kept it, and the Data page shows the same."""

from __future__ import annotations

import html
import io
import zipfile

import pytest

from accord.io.csv_errors import FIELD_LIMIT
from accord.services import auth
from tests.api.conftest import TINY
from tests.api.test_users import sign_in

MiB = 1024 * 1024
HTML = {"accept": "text/html"}


def _zip(members: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _tiny_zip() -> bytes:
    return _zip({f.name: f.read_bytes() for f in sorted(TINY.iterdir())})


def _multipart(filename: bytes, data: bytes, fields: dict[str, str] | None = None):
    """A form written by hand, so the file name goes as sent (a NUL included)."""
    parts = [
        f'--B\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in (fields or {}).items()
    ]
    parts.append(
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="' + filename + b'"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n" + data + b"\r\n"
    )
    return b"".join(parts) + b"--B--\r\n", {"content-type": "multipart/form-data; boundary=B"}


@pytest.fixture
def bearer(client):
    db = client.app.state.db
    auth.create_user(db, "olaf", "operations", "correct horse")
    return {"Authorization": f"Bearer {auth.issue_token(db, 'olaf', 'tests')}"}


def upload(client, headers, data: bytes, name: bytes = b"company.zip"):
    body, form_headers = _multipart(name, data)
    return client.post("/api/v1/dataset", content=body, headers={**headers, **form_headers})


BAD_FILES = [
    pytest.param(
        b"company.zip",
        b'{"not": "a zip"}',
        422,
        "company.zip: not a readable .zip file",
        id="not-a-zip",
    ),
    pytest.param(
        b"company.xlsx",
        b"PK\x03\x04 broken",
        422,
        "company.xlsx: not a readable .xlsx workbook",
        id="not-a-workbook",
    ),
    pytest.param(
        b"company.xlsx",
        _zip({"products.csv": "sku\n"}),
        422,
        "company.xlsx: not a readable .xlsx workbook",
        id="zip-named-xlsx",
    ),
    pytest.param(
        b"a\x00.zip",
        b"PK",
        422,
        "a\\x00.zip: the file name must not hold control characters",
        id="nul-name",
    ),
    pytest.param(
        b"a" * 300 + b".zip", b"PK", 422, "the file name is longer than 255 bytes", id="long-name"
    ),
    pytest.param(
        b"company.zip",
        _zip({"../products.csv": "sku\n"}),
        422,
        "company.zip: ../products.csv has '..' in its path",
        id="dot-dot-member",
    ),
    pytest.param(
        b"company.zip",
        _zip({"orders.csv": "0" * (4 * MiB)}),
        413,
        "company.zip: orders.csv unpacks to more than 100 times its packed size",
        id="ratio-bomb",
    ),
    pytest.param(
        b"company.json",
        b"{}",
        422,
        "company.json: upload a .zip of CSV files or an .xlsx",
        id="unknown-kind",
    ),
]


@pytest.mark.parametrize(("name", "data", "status", "message"), BAD_FILES)
def test_a_bad_upload_is_a_4xx_in_the_error_shape(client, bearer, name, data, status, message):
    response = upload(client, bearer, data, name)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == ("too_large" if status == 413 else "bad_input")
    assert error["message"].startswith(message) or message in error["message"]
    assert client.get("/api/v1/health").json()["dataset_version"] == 1


def test_a_csv_field_over_the_limit_names_the_file_row_and_column(client, bearer):
    products = "sku,name,unit_price,material_cost\nPUMP-200," + "x" * (FIELD_LIMIT + 1) + ",1,1\n"
    response = upload(client, bearer, _zip({"products.csv": products}))
    assert response.status_code == 422
    assert response.json()["error"]["details"] == [
        f"products.csv:2:name: a cell longer than the {FIELD_LIMIT:,} characters a cell may have"
    ]


def test_member_and_total_limits_come_from_the_settings(client, bearer):
    client.app.state.settings.max_member_bytes = 300
    response = upload(client, bearer, _tiny_zip())
    assert response.status_code == 413
    assert "unpacks to more than the 300 bytes a file may have" in response.text
    client.app.state.settings.max_member_bytes = MiB
    client.app.state.settings.max_unpacked_bytes = 2000
    response = upload(client, bearer, _tiny_zip())
    assert response.status_code == 413
    assert "the files unpack to more than the 2,000 bytes a dataset may have" in response.text


def test_the_answer_names_the_upload_not_the_servers_temporary_file(client, bearer):
    response = upload(client, bearer, _tiny_zip(), b"C:\\Users\\olaf\\company.zip")
    assert response.status_code == 200, response.text
    assert response.json()["path"] == "company.zip"
    assert "tmp" not in response.text
    entry = auth.audit_log(client.app.state.db)[0]
    assert entry["action"] == "import_dataset" and entry["target"] == "company.zip"


def test_a_form_without_the_file_field_is_a_422(client, bearer):
    response = client.post("/api/v1/dataset", data={"other": "x"}, headers=bearer)
    assert response.status_code == 422
    assert "multipart form field 'file'" in response.json()["error"]["message"]


def page_upload(client, data: bytes, name: bytes = b"company.zip"):
    body, headers = _multipart(name, data, {"csrf_token": client.cookies.get("accord_csrf")})
    return client.post("/data", content=body, headers={**HTML, **headers})


@pytest.fixture
def operations(client):
    auth.create_user(client.app.state.db, "olaf", "operations", "correct horse")
    sign_in(client, "olaf")


@pytest.mark.parametrize(("name", "data", "status", "message"), BAD_FILES)
def test_the_data_page_shows_what_is_wrong_with_the_file(
    client, operations, name, data, status, message
):
    response = page_upload(client, data, name)
    assert response.status_code == status
    page = html.unescape(response.text)
    assert 'data-testid="import-failed"' in page and "Nothing was changed" in page
    assert message.split(": ", 1)[-1] in page
    assert "<h2>Upload</h2>" in page  # the Data page itself, ready for another try


def test_the_data_page_names_an_imported_upload_without_the_servers_path(client, operations):
    response = page_upload(client, _tiny_zip())
    assert response.status_code == 200
    assert "as version 2" in response.text and "tmp" not in response.text


def test_the_data_page_shows_an_upload_over_the_limit(client, operations):
    client.app.state.settings.max_upload_bytes = 1000
    response = page_upload(client, _tiny_zip())
    assert response.status_code == 413
    assert "company.zip is larger than the 1,000 bytes an upload may have" in response.text
    assert 'data-testid="import-failed"' in response.text


def test_a_page_upload_far_over_the_limit_is_refused_before_it_is_read(client, operations):
    client.app.state.settings.max_upload_bytes = 1000
    response = page_upload(client, b"\0" * (200 * 1024))
    assert response.status_code == 413
    assert "the request body is larger than the 1,000 bytes an upload may have" in response.text
    assert client.get("/api/v1/health").json()["dataset_version"] == 1
