"""The Orders page in a real browser, as a planner before the S&OP meeting sees it."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_sign_in import sign_in

pytestmark = pytest.mark.xdist_group("browser")


@pytest.mark.parametrize("width", [390, 1440])
def test_a_planner_sees_the_late_lines_with_names_and_why(server, page, width):
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, server, "olaf")
    page.goto(server + "/orders")
    expect(page.get_by_role("heading", name="Orders: the plan of the order book")).to_be_visible()
    late = int(page.get_by_test_id("lines-late").inner_text().replace(",", ""))
    rows = page.get_by_test_id("order-lines").locator("tbody tr")
    if late:
        assert rows.count() >= 1
        first = rows.first
        expect(first).to_have_attribute("data-verdict", "late")
        assert first.locator("td").nth(8).inner_text().strip()  # the reason, in words
    # The wide table scrolls inside its box; the page itself does not scroll sideways.
    table_box = page.locator(".scroll").first
    assert table_box.evaluate("e => e.scrollWidth >= e.clientWidth")
    assert page.evaluate("document.querySelector('main').scrollWidth") <= width + 1
    page.get_by_role("link", name="Every line").click()
    expect(page.get_by_role("heading", name="Every open line")).to_be_visible()
    assert errors == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(server + "/orders")
    page.screenshot(path=str(SCREENSHOTS / f"orders-{width}.png"))
