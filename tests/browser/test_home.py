"""The first page a newcomer sees after `make run`: the demo company, in a real browser."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS

# One server for the module: keep its tests on one worker.
pytestmark = pytest.mark.xdist_group("browser")


def test_home_page_shows_the_demo_company_and_its_resources(server, reader):
    page = reader
    page.goto(server + "/")
    expect(page.locator("h1")).to_contain_text("Hartmann")
    expect(page.get_by_test_id("count-resources")).not_to_have_text("0")
    rows = page.get_by_test_id("resources").locator("tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 10
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "home.png"), full_page=True)


def test_api_docs_page_lists_the_endpoints(server, page):
    page.goto(server + "/docs")  # open: the API's description needs no sign-in
    expect(page.get_by_text("/api/v1/dataset").first).to_be_visible()
