"""The app served by a real uvicorn in a thread, configured exactly as `accord serve` does
(``uvicorn_options``: proxy headers, log configuration and its redaction filter), with what
uvicorn logs (access and error lines, through its own formatters) kept for the test."""

from __future__ import annotations

import io
import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI

from accord.api.fast_promise import FastPromise
from accord.cli.serve import uvicorn_options
from accord.config import Settings


@dataclass
class Served:
    url: str
    port: int
    log: io.StringIO

    def lines(self) -> list[str]:
        return self.log.getvalue().splitlines()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(app: FastAPI, settings: Settings) -> Iterator[Served]:
    port = free_port()
    options = uvicorn_options(settings, host="127.0.0.1", port=port, access_log=True)
    # The app's lifespan already ran under the test client.
    config = uvicorn.Config(FastPromise(app), **options, lifespan="off")
    log = io.StringIO()
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        for handler in logging.getLogger(name).handlers:
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(log)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield Served(f"http://127.0.0.1:{port}", port, log)
    finally:
        server.should_exit = True
        thread.join(10)


def exchange(sock: socket.socket, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send one HTTP/1.1 request on ``sock`` and read its whole response (Content-Length)."""
    sock.sendall(request)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        body += chunk
    return int(status_line.split()[1]), headers, body
