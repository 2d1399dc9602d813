"""Proposing and agreeing a plan in a real browser, with the S&OP charts drawn."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_sign_in import sign_in

pytestmark = pytest.mark.xdist_group("browser")


def save_plan(page, server, kind_label, note):
    page.goto(server + "/sop")
    form = page.get_by_test_id("save-version")
    form.get_by_label("Save as").select_option(label=kind_label)
    form.get_by_label("Note").fill(note)
    form.get_by_role("button", name="Save this plan").click()
    expect(page.get_by_test_id("versions")).to_contain_text(note)


def test_sales_proposes_and_finance_agrees_the_plan(server, page):
    sign_in(page, server, "ana")
    save_plan(page, server, "sales proposal", "Sales believes spring will be strong")
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, server, "fiona")
    save_plan(page, server, "agreed consensus", "Agreed in the November meeting")
    versions = page.get_by_test_id("versions")
    expect(versions).to_contain_text("sales proposal")
    expect(versions).to_contain_text("agreed consensus")
    expect(page.locator("#sop-heatmap .main-svg").first).to_be_visible()
    expect(page.locator("#sop-demand-chart .main-svg").first).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "sop.png"), full_page=True)
