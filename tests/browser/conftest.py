"""Browser tests drive Debian's Chromium against a real `accord serve` on a free port.

They skip where Chromium is missing, except when ACCORD_REQUIRE_BROWSER=1 (CI), where a
missing browser fails the run instead.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).parent.parent.parent
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("ACCORD_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing and browser tests are required")
        pytest.skip(f"{CHROMIUM} is not installed")
    return CHROMIUM


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[str]:
    """`accord demo` then `accord serve` in a fresh folder; yields the base URL."""
    folder = tmp_path_factory.mktemp("serve")
    env = {**os.environ, "ACCORD_DATABASE_URL": f"sqlite:///{folder / 'accord.db'}"}
    accord = [sys.executable, "-m", "accord.cli"]
    subprocess.run(
        [*accord, "demo", "--json"], cwd=folder, env=env, check=True, capture_output=True
    )
    port = _free_port()
    log_path = folder / "serve.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [*accord, "serve", "--port", str(port)],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    # It loads the company and compiles the kernels before it listens: on a fresh checkout
    # (no compiled cache yet) and a busy machine that takes minutes, not seconds.
    deadline = time.monotonic() + 240
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/v1/health", timeout=1) as response:
                if response.status == 200:
                    break
        except (urllib.error.URLError, ConnectionError):
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log.close()
            raise RuntimeError(f"accord serve did not start: {log_path.read_text()}")
        time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(timeout=20)
    log.close()


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser tab, not signed in."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def reader(page, server):
    """``page`` signed in as the demo company's finance user, who reads every page in full
    (margins and customer scores too): every page but sign-in needs a signed-in user."""
    from playwright.sync_api import expect

    from tests.browser.test_sign_in import sign_in

    sign_in(page, server, "fiona")
    expect(page.get_by_test_id("signed-in-as")).to_be_visible()
    return page
