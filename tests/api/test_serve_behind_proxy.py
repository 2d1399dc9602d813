"""`accord serve` behind a reverse proxy, on a real uvicorn: X-Forwarded-For and -Proto are
believed only from ACCORD_TRUSTED_PROXIES, so HubSpot's signature over the public https URL
verifies; bad input is answered 4xx on a connection that stays open."""

from __future__ import annotations

import json
import socket

import pytest
from typer.testing import CliRunner

from accord.cli import app as cli
from accord.cli.serve import uvicorn_options
from accord.config import Settings
from accord.services import auth
from tests.api.served import exchange, serving
from tests.api.test_crm_webhook import event, secrets, signed_for  # noqa: F401

PUBLIC_HOST = "accord.example.com"
HUBSPOT = "/api/v1/crm/webhook/hubspot"


def test_proxy_headers_are_ignored_unless_proxies_are_trusted():
    options = uvicorn_options(Settings())
    assert options["proxy_headers"] is False
    assert options["forwarded_allow_ips"] is None


def test_the_trusted_proxies_are_given_to_uvicorn_as_it_reads_them():
    options = uvicorn_options(Settings(trusted_proxies=" 10.1.2.3/8 ,127.0.0.1, ::1"))
    assert options["proxy_headers"] is True
    # 10.1.2.3/8 (host bits set) would be a name to uvicorn, matching nobody.
    assert options["forwarded_allow_ips"] == ["10.0.0.0/8", "127.0.0.1", "::1"]


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("ACCORD_TRUSTED_PROXIES", "10.0.0.0/8, proxy.internal", "not an address or CIDR"),
        ("ACCORD_TRUSTED_PROXIES", "*", "not an address or CIDR"),
        ("ACCORD_PUBLIC_URL", "accord.example.com", "not an http(s) URL with a host"),
        ("ACCORD_PUBLIC_URL", "https://accord.example.com/?token=x", "no user, query or #"),
    ],
)
def test_a_bad_proxy_setting_stops_serve_with_its_name(monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 2
    assert variable in result.stderr and message in result.stderr
    assert "Traceback" not in result.output


def post_through_proxy(port: int, body: bytes, client_ip: str) -> int:
    """What an https proxy sends on: the public Host, the scheme and the client's address."""
    headers = {
        **signed_for(f"https://{PUBLIC_HOST}{HUBSPOT}", body),
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": client_ip,
    }
    raw = request("POST", HUBSPOT, headers, body, host=PUBLIC_HOST)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        return exchange(sock, raw)[0]


def test_a_trusted_proxy_passes_the_scheme_and_client_address(client, settings):
    trusted = settings.model_copy(update={"trusted_proxies": "127.0.0.1"})
    body = json.dumps([event(51, "OPP-7")]).encode()
    with serving(client.app, trusted) as served:
        status = post_through_proxy(served.port, body, "203.0.113.9")
    assert status == 200
    access = [line for line in served.lines() if HUBSPOT in line]
    assert access and access[0].startswith("INFO:     203.0.113.9:")


def test_forwarded_headers_from_an_untrusted_address_are_ignored(client, settings):
    elsewhere = settings.model_copy(update={"trusted_proxies": "10.0.0.0/8"})
    body = json.dumps([event(52, "OPP-7")]).encode()
    with serving(client.app, elsewhere) as served:
        status = post_through_proxy(served.port, body, "203.0.113.9")
    # Accord saw http://accord.example.com: not the https URL HubSpot signed.
    assert status == 401
    access = [line for line in served.lines() if HUBSPOT in line]
    assert access and access[0].startswith("INFO:     127.0.0.1:")


def request(
    method: str, path: str, headers: dict[str, str], body: bytes = b"", host: str = "127.0.0.1"
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def test_bad_input_is_4xx_in_the_error_shape_and_the_connection_stays_open(client, settings):
    db = client.app.state.db
    auth.create_user(db, "rita", "sales", "correct horse")
    rita = {"Authorization": f"Bearer {auth.issue_token(db, 'rita', 'tests')}"}
    bad = [
        request("POST", HUBSPOT, {"X-HubSpot-Request-Timestamp": "1" + "0" * 30,
                                  "X-HubSpot-Signature-v3": "x"}, b"[]"),
        request("POST", "/deal-desk/reservations/1/frobnicate", rita),
        request("POST", "/api/v1/crm/webhook/salesforce?token=s3cret-token", {}, b"<x/>"),
        request("POST", HUBSPOT, {"X-HubSpot-Request-Timestamp": "1700000000000",
                                  "X-HubSpot-Signature-v3": "sign\xe9"}, b"[]"),
    ]  # fmt: skip
    with (
        serving(client.app, settings) as served,
        socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock,
    ):
        for raw, expected in zip(bad, [401, 404, 400, 401], strict=True):
            status, headers, body = exchange(sock, raw)
            assert status == expected, body
            assert headers.get("connection") != "close"
            assert set(json.loads(body)["error"]) == {"code", "message", "details"}
        # The same connection still answers.
        status, _, _ = exchange(sock, request("GET", "/api/v1/health", {}))
        assert status == 200
