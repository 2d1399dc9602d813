"""The navigation in a real browser: it wraps on a phone, marks the page you are on, and
the first Tab offers to skip it."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.xdist_group("browser")


@pytest.mark.parametrize("width", [390, 1440])
def test_the_navigation_fits_marks_the_page_and_can_be_skipped(server, reader, width):
    page = reader
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(server + "/pipeline")
    current = page.locator('header nav a[aria-current="page"]')
    expect(current).to_have_count(1)
    expect(current).to_have_text("Pipeline")
    # Nothing on the page is wider than the window: the navigation wraps.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
