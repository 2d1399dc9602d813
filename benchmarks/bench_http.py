"""HTTP under load: 50 concurrent clients against a real `accord serve` on loopback.

The load generator is wrk (Debian package ``wrk``): a compiled client, so the figures are
the server's, not the client's. Each endpoint runs for a bounded time; the figures are
wrk's latency percentiles, the request count and every error (socket errors and non-2xx
answers). The baseline is ``/api/v1/health`` (no work) measured the same way, same run.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

CLIENTS = 50
SECONDS = 10
TARGET = "p99 <= 30 ms, no errors"

# (job name, method, path, JSON body or None)
ENDPOINTS: list[tuple[str, str, str, str | None]] = [
    ("HTTP dataset summary, 50 clients", "GET", "/api/v1/dataset", None),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_server(db_url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "ACCORD_DATABASE_URL": db_url}
    process = subprocess.Popen(
        [sys.executable, "-m", "accord.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/api/v1/dataset", timeout=120) as response:
                if response.status == 200:  # the company is loaded and its snapshot built
                    return process, base
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError("accord serve did not answer within 5 minutes")


_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def _seconds(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise ValueError(f"unreadable wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def wrk(base: str, method: str, path: str, body: str | None) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(f'wrk.method = "{method}"\n')
        if body is not None:
            script.write('wrk.headers["Content-Type"] = "application/json"\n')
            script.write(f"wrk.body = [[{body}]]\n")
    try:
        done = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{CLIENTS}",
                f"-d{SECONDS}s",
                "--latency",
                "-s",
                script.name,
                base + path,
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=SECONDS * 6,
        )
    finally:
        Path(script.name).unlink()
    out = done.stdout
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    socket_errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "p50": _seconds(percentiles["50"]),
        "p99": _seconds(percentiles["99"]),
        "requests": requests,
        "errors": socket_errors + (int(bad.group(1)) if bad else 0),
    }


def _made_sku() -> str:
    """A product with a routing, from the benchmark's dataset folder."""
    with (Path(os.environ["ACCORD_BENCH_DATA"]) / "routings.csv").open() as f:
        return next(csv.DictReader(f))["sku"]


def run(scale: str, runs: int) -> list[dict[str, Any]]:
    if shutil.which("wrk") is None:
        return [{"job": "HTTP load (install Debian's wrk to measure)", "seconds": 0.0}]
    inquiry = json.dumps({"sku": _made_sku(), "quantity": 10})
    ENDPOINTS.append(("HTTP CTP inquiry, 50 clients", "POST", "/api/v1/promise", inquiry))
    process, base = _start_server(os.environ["ACCORD_BENCH_DB"])
    try:
        wrk(base, "GET", "/api/v1/health", None)  # warm up connections and code paths
        baseline = wrk(base, "GET", "/api/v1/health", None)
        rows = []
        for job, method, path, body in ENDPOINTS:
            result = wrk(base, method, path, body)
            rows.append(
                {
                    "job": f"{job} p99 ({result['requests']:,} req, {result['errors']} errors)",
                    "seconds": result["p99"],
                    "baseline": "health p99",
                    "baseline_seconds": baseline["p99"],
                    "target": TARGET,
                }
            )
            rows.append({"job": f"{job} p50", "seconds": result["p50"]})
        return rows
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
