"""Stored XSS, tried in a real browser: a company whose every name carries markup.

Every page is opened signed in. The test listens to every request the pages make and to
every dialog: a name that became markup would load ``/x`` or ``/leak``, submit a form
(a POST nobody clicked) or open an alert. It also checks that the names are shown, as
text, so the test cannot pass by showing nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from urllib.parse import urlencode, urlsplit

import pytest

from accord.config import Settings
from accord.services import auth
from accord.services.runtime import open_database
from tests.browser.conftest import _free_port
from tests.hostile_data import ATTACK, store_hostile_company

pytestmark = pytest.mark.xdist_group("browser")

PASSWORD = "correct horse battery"
PAGES = [
    "/",
    "/deal-desk",
    "/pipeline",
    "/orders",
    "/sop",
    "/forecast",
    "/throughput",
    "/quotas",
    "/flow",
    "/reliability",
    "/data",
]
# The pages whose content names things from the data (the others show only figures).
NAMING = {"/", "/deal-desk", "/pipeline", "/orders", "/throughput", "/quotas", "/flow"}


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("hostile")
    url = f"sqlite:///{folder / 'accord.db'}"
    db = open_database(Settings(database_url=url))
    store_hostile_company(db)
    auth.create_user(db, "mallory-admin", "admin", PASSWORD, display_name="Admin" + ATTACK)
    db.dispose()
    port = _free_port()
    log = (folder / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "accord.cli", "serve", "--port", str(port)],
        cwd=folder,
        env={**os.environ, "ACCORD_DATABASE_URL": url},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 240
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/v1/health", timeout=1):
                break
        except (urllib.error.URLError, ConnectionError):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError((folder / "serve.log").read_text()) from None
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(timeout=20)
    log.close()


def test_no_name_in_the_data_becomes_markup_or_a_request(hostile_server, browser) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requests: list[tuple[str, str]] = []
    dialogs: list[str] = []
    page.on("request", lambda r: requests.append((r.method, r.url)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    page.goto(hostile_server + "/sign-in")
    page.get_by_label("User name").fill("mallory-admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")
    signed_in = len(requests)

    shown: dict[str, int] = {}
    questions = [
        *PAGES,
        "/deal-desk?" + urlencode({"sku": "PUMP-200" + ATTACK, "quantity": "500"}),
        "/deal-desk?" + urlencode({"opportunity": "OPP-8" + ATTACK}),
    ]
    for path in questions:
        page.goto(hostile_server + path)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(200)  # a hx-trigger=load or onerror would have fired by now
        assert page.locator("img[src='x'], form[hx-post], [onerror]").count() == 0, path
        shown[path] = page.get_by_text("onerror=fetch('/leak')").count()

    assert dialogs == []
    visits = requests[signed_in:]
    assert [r for r in visits if r[0] != "GET"] == []  # nothing was submitted
    paths = {urlsplit(url).path for _, url in visits}
    assert "/x" not in paths and "/leak" not in paths
    assert all(urlsplit(url).netloc == urlsplit(hostile_server).netloc for _, url in visits)
    # The names are there, shown as text (in the header's user name at least on every page).
    assert all(shown[path] >= 1 for path in PAGES), shown
    named = [p for p in NAMING if shown[p] >= 2]
    assert len(named) >= len(NAMING) - 1, shown
    context.close()
