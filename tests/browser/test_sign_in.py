"""Signing in to the demo company in a real browser."""

import pytest
from playwright.sync_api import expect

from accord.services.auth import DEMO_PASSWORD
from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.xdist_group("browser")


def sign_in(page, server, username):
    page.goto(server + "/sign-in")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_demo_user_signs_in_and_out(server, page):
    sign_in(page, server, "olaf")
    expect(page.get_by_test_id("signed-in-as")).to_have_text("Olaf Operations · operations")
    page.goto(server + "/data")
    expect(page.get_by_test_id("file")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "data.png"), full_page=True)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_a_wrong_password_is_told_so(server, page):
    page.goto(server + "/sign-in")
    page.get_by_label("User name").fill("ana")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("unknown user or wrong password")


def test_a_sales_user_may_not_upload_data(server, page):
    sign_in(page, server, "ana")
    page.goto(server + "/data")
    expect(page.get_by_text("Your role (sales) may not replace the dataset")).to_be_visible()


def test_signing_in_from_a_page_comes_back_to_it(server, page):
    page.goto(server + "/sop")  # a visitor is sent to the sign-in page, which comes back
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page.url == server + "/sign-in?next=/sop"
    page.get_by_label("User name").fill("olaf")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("signed-in-as")).to_be_visible()
    assert page.url == server + "/sop"
