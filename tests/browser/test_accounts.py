"""The first-run page and the Users page in a real browser, on a phone (390 px) and a
desktop (1440 px): a fresh `accord serve` on an empty database asks for the first admin,
who lands on the Users page and manages accounts there."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import SCREENSHOTS, _free_port

pytestmark = pytest.mark.xdist_group("browser")
ADMIN, PASSWORD = "root", "correct horse battery"
WIDTHS = [390, 1440]


def _serve(folder, env) -> Iterator[str]:
    """`accord serve` on the database in `env`; yields the base URL."""
    port = _free_port()
    log_path = folder / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "accord.cli", "serve", "--port", str(port)],
            cwd=folder,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
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
                raise RuntimeError(f"accord serve did not start: {log_path.read_text()}")
            time.sleep(0.2)
        yield base
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def empty_server(tmp_path_factory) -> Iterator[str]:
    """A server on a database without users or data: the first run."""
    folder = tmp_path_factory.mktemp("first-run")
    env = {**os.environ, "ACCORD_DATABASE_URL": f"sqlite:///{folder / 'accord.db'}"}
    yield from _serve(folder, env)


@pytest.fixture(scope="module")
def admin_server(tmp_path_factory) -> Iterator[str]:
    """A server on a database whose only user is the admin, made from the command line
    (so this module's tests do not depend on the order they run in)."""
    folder = tmp_path_factory.mktemp("admin-only")
    env = {**os.environ, "ACCORD_DATABASE_URL": f"sqlite:///{folder / 'accord.db'}"}
    subprocess.run(
        [sys.executable, "-m", "accord.cli", "users", "create-admin", ADMIN, "--password-stdin"],
        input=PASSWORD + "\n",
        text=True,
        cwd=folder,
        env=env,
        check=True,
        capture_output=True,
    )
    yield from _serve(folder, env)


def fits(page: Page, width: int) -> None:
    """Nothing on the page is wider than the window."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def sign_in_as_admin(page: Page, server: str) -> None:
    page.goto(server + "/sign-in")
    page.get_by_label("User name").fill(ADMIN)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("signed-in-as")).to_be_visible()


def test_the_first_run_asks_for_the_admin_then_is_gone(empty_server, browser):
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto(empty_server + "/sign-in")  # no one to sign in as: the first run instead
        expect(page.get_by_role("heading", name="Set up Accord")).to_be_visible()
        assert page.url == empty_server + "/setup"
        fits(page, width)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"setup-{width}.png"), full_page=True)
        if width == WIDTHS[-1]:
            page.get_by_label("User name").fill(ADMIN)
            page.get_by_label("Display name (optional)").fill("Rita Root")
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_label("Password again").fill("not the same")
            page.get_by_role("button", name="Create the administrator").click()
            expect(page.get_by_role("alert")).to_have_text("The two passwords differ.")
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_label("Password again").fill(PASSWORD)
            page.get_by_role("button", name="Create the administrator").click()
            expect(page.get_by_role("heading", name="Users")).to_be_visible()
            expect(page.get_by_test_id("signed-in-as")).to_have_text("Rita Root · admin")
        context.close()
    visitor = browser.new_context()
    page = visitor.new_page()
    page.goto(empty_server + "/setup")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    visitor.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_admin_manages_users_on_the_users_page(admin_server, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in_as_admin(page, admin_server)
    page.get_by_role("link", name="Users").click()
    name = f"ana-{width}"
    form = page.get_by_test_id("add-user")
    form.get_by_label("User name").fill(name)
    form.get_by_label("Display name").fill("Ana Sales")
    form.get_by_label("Role").select_option("sales")
    form.get_by_label("Password").fill(PASSWORD)
    form.get_by_role("button", name="Add user").click()
    expect(page.get_by_test_id("done")).to_have_text(f"Added {name} (sales).")
    row = page.locator(f'tr[data-user="{name}"]')
    row.get_by_label(f"Role of {name}", exact=True).select_option("finance")
    row.get_by_role("button", name=f"Set the role of {name}").click()
    expect(page.get_by_test_id("done")).to_have_text(f"{name} is now finance.")
    page.locator(f'tr[data-user="{name}"]').get_by_role("button", name=f"Deactivate {name}").click()
    expect(page.get_by_test_id("done")).to_contain_text(f"{name} is deactivated")
    expect(page.locator(f'tr[data-user="{name}"]')).to_have_class("inactive")
    # The admin is the only one: the page refuses to deactivate them, and says why.
    page.get_by_role("button", name=f"Deactivate {ADMIN}").click()
    expect(page.get_by_test_id("problem")).to_contain_text("the last active admin")
    fits(page, width)
    page.screenshot(path=str(SCREENSHOTS / f"users-{width}.png"), full_page=True)
    context.close()
