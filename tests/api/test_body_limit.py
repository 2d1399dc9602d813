"""Request bodies are held to their limit before they are read: driven at the ASGI level with
a body that counts how much of it the app took."""

from __future__ import annotations

import json

import anyio
import pytest

from accord.services import auth

GiB = 1024**3
CHUNK = 64 * 1024
FORM_START = (
    b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="company.zip"\r\n'
    b"Content-Type: application/zip\r\n\r\n"
)


class CountingBody:
    """An endless (or ``size``-byte) body handed out in chunks, counting what was taken."""

    def __init__(self, size: int | None, start: bytes = b"") -> None:
        self.size, self.start, self.taken = size, start, 0

    async def receive(self) -> dict:
        left = CHUNK if self.size is None else min(CHUNK, self.size - self.taken)
        if self.taken == 0 and self.start:
            chunk = self.start
        else:
            chunk = (b"{" * left) if self.start == b"{" else b"\0" * left
        self.taken += len(chunk)
        more = self.size is None or self.taken < self.size
        return {"type": "http.request", "body": chunk, "more_body": more}


def call(app, path: str, body: CountingBody, headers: dict[str, str], declared: bool = True):
    """Run one request; (status, headers, JSON body)."""
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    if declared and body.size is not None:
        raw.append((b"content-length", str(body.size).encode()))
    elif not declared:
        raw.append((b"transfer-encoding", b"chunked"))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *raw],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    anyio.run(app, scope, body.receive, send)
    start = sent[0]
    text = b"".join(m.get("body", b"") for m in sent[1:])
    return start["status"], dict(start["headers"]), json.loads(text)


@pytest.fixture
def token(client):
    db = client.app.state.db
    auth.create_user(db, "olaf", "operations", "correct horse")
    return auth.issue_token(db, "olaf", "tests")


MULTIPART = {"content-type": "multipart/form-data; boundary=XyZ"}


@pytest.mark.parametrize("auth_header", [None, "Bearer acc_not-a-token", "Basic b2xhZjp4"])
def test_an_upload_without_a_valid_token_is_refused_before_any_byte_is_read(client, auth_header):
    body = CountingBody(GiB, FORM_START)
    headers = {**MULTIPART, **({"authorization": auth_header} if auth_header else {})}
    status, response_headers, error = call(client.app, "/api/v1/dataset", body, headers)
    assert status == 401 and error["error"]["code"] == "not_authenticated"
    assert body.taken == 0
    assert response_headers[b"connection"] == b"close"  # the gigabyte is not drained


def test_a_declared_length_over_the_upload_limit_is_refused_413_before_reading(client, token):
    body = CountingBody(GiB, FORM_START)
    headers = {**MULTIPART, "authorization": f"Bearer {token}"}
    status, response_headers, error = call(client.app, "/api/v1/dataset", body, headers)
    assert status == 413
    assert error["error"] == {
        "code": "too_large",
        "message": "the request body is larger than the 209,715,200 bytes an upload may have",
        "details": [],
    }
    assert body.taken == 0
    assert response_headers[b"connection"] == b"close"


def test_a_streamed_upload_is_cut_off_at_the_limit(client, token):
    client.app.state.settings.max_upload_bytes = 1024 * 1024
    body = CountingBody(None, FORM_START)  # chunked, no length: never ends by itself
    headers = {**MULTIPART, "authorization": f"Bearer {token}"}
    status, response_headers, error = call(
        client.app, "/api/v1/dataset", body, headers, declared=False
    )
    assert status == 413 and error["error"]["code"] == "too_large"
    assert 1024 * 1024 < body.taken <= 1024 * 1024 + 64 * 1024 + 2 * CHUNK
    assert response_headers[b"connection"] == b"close"
    assert client.get("/api/v1/health").json()["dataset_version"] == 1


@pytest.mark.parametrize("declared", [True, False])
def test_other_bodies_are_held_to_the_small_limit(client, token, declared):
    body = CountingBody(GiB if declared else None, b"{")
    headers = {"content-type": "application/json", "authorization": f"Bearer {token}"}
    status, _, error = call(client.app, "/api/v1/promise", body, headers, declared=declared)
    assert status == 413
    assert "larger than the 1,048,576 bytes a request body may have" in error["error"]["message"]
    assert body.taken <= (0 if declared else 1024 * 1024 + CHUNK)


def test_a_small_body_is_read_and_the_connection_kept(client, token):
    payload = json.dumps({"sku": "PUMP-200", "quantity": 1}).encode()

    class Once(CountingBody):
        async def receive(self) -> dict:
            self.taken += len(payload)
            return {"type": "http.request", "body": payload, "more_body": False}

    body = Once(len(payload))
    headers = {"content-type": "application/json", "authorization": f"Bearer {token}"}
    status, response_headers, answer = call(client.app, "/api/v1/promise", body, headers)
    assert status == 200 and answer["sku"] == "PUMP-200"
    assert b"connection" not in response_headers
