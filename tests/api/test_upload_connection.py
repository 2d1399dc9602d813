"""On a real server: a refused upload answers 4xx and keeps the connection when its body
was read, and closes it (without reading) when the body was left unread."""

from __future__ import annotations

import http.client
import io
import json
import socket
import threading
import time
import zipfile
from collections.abc import Iterator

import pytest
import uvicorn

from accord.api.app import create_app
from accord.io.files import read_dataset
from accord.services import auth
from accord.services.datasets import store_dataset
from accord.services.runtime import open_database
from tests.api.conftest import TINY

GiB = 1024**3


@pytest.fixture
def server(settings) -> Iterator[tuple[int, str]]:
    """(port, API token of an operations user) of a server on the tiny company."""
    db = open_database(settings)
    store_dataset(db, read_dataset(TINY), "tiny")
    auth.create_user(db, "olaf", "operations", "correct horse")
    token = auth.issue_token(db, "olaf", "tests")
    config = uvicorn.Config(create_app(settings, db), host="127.0.0.1", port=0, log_level="error")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    yield running.servers[0].sockets[0].getsockname()[1], token
    running.should_exit = True
    thread.join(10)
    db.dispose()


def _form(name: str, data: bytes) -> tuple[bytes, dict[str, str]]:
    body = (
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="'
        + name.encode()
        + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
        + data
        + b"\r\n--B--\r\n"
    )
    return body, {"Content-Type": "multipart/form-data; boundary=B"}


def _bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("orders.csv", b"0" * (8 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "status"),
    [
        ("company.zip", b"not a zip", 422),
        ("a" * 300 + ".zip", b"PK", 422),
        ("company.zip", _bomb(), 413),
    ],
)
def test_a_refused_upload_keeps_the_connection(server, name, data, status):
    port, token = server
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    body, headers = _form(name, data)
    connection.request(
        "POST", "/api/v1/dataset", body, {**headers, "Authorization": f"Bearer {token}"}
    )
    response = connection.getresponse()
    assert response.status == status
    assert json.loads(response.read())["error"]["code"] in ("bad_input", "too_large")
    assert not response.will_close
    kept = connection.sock
    connection.request("GET", "/api/v1/health")
    assert connection.getresponse().status == 200
    assert connection.sock is kept  # the same connection, not a new one
    connection.close()


def _exchange(port: int, head: str, first_bytes: bytes) -> tuple[str, float]:
    """Send a request head and a little of its body; the answer and how long it took."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head.encode() + first_bytes)
        answer = b""
        while chunk := sock.recv(65536):  # the server closes after answering
            answer += chunk
    return answer.decode("latin-1"), time.monotonic() - started


@pytest.mark.parametrize("authorization", ["", "Authorization: Bearer acc_wrong\r\n"])
def test_an_unauthenticated_gigabyte_is_answered_401_without_being_read(server, authorization):
    port, _ = server
    head = (
        "POST /api/v1/dataset HTTP/1.1\r\nHost: accord\r\n"
        "Content-Type: multipart/form-data; boundary=B\r\n"
        f"{authorization}Content-Length: {GiB}\r\n\r\n"
    )
    answer, seconds = _exchange(port, head, b"--B\r\n")
    assert answer.startswith("HTTP/1.1 401 ")
    assert "connection: close" in answer.lower()
    assert '"code":"not_authenticated"' in answer
    assert seconds < 5  # not the time it takes to send (or drain) a gigabyte


def test_a_declared_gigabyte_with_a_token_is_answered_413_without_being_read(server):
    port, token = server
    head = (
        "POST /api/v1/dataset HTTP/1.1\r\nHost: accord\r\n"
        "Content-Type: multipart/form-data; boundary=B\r\n"
        f"Authorization: Bearer {token}\r\nContent-Length: {GiB}\r\n\r\n"
    )
    answer, seconds = _exchange(port, head, b"--B\r\n")
    assert answer.startswith("HTTP/1.1 413 ")
    assert '"code":"too_large"' in answer
    assert seconds < 5
