"""A rep at the deal desk in a real browser: check a deal, reserve it, and see the
pipeline change."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_sign_in import sign_in

pytestmark = pytest.mark.xdist_group("browser")


def value_at_risk(page, server) -> str:
    page.goto(server + "/pipeline")
    expect(page.locator("#pipeline-heatmap .main-svg").first).to_be_visible()
    return page.get_by_test_id("value-at-risk").inner_text()


def test_a_rep_checks_a_deal_reserves_it_and_the_pipeline_changes(server, page):
    sign_in(page, server, "ana")
    before = value_at_risk(page, server)

    page.goto(server + "/deal-desk")
    deal = page.get_by_label("Open deal").locator("option").first.get_attribute("value")
    page.get_by_label("Open deal").select_option(deal)
    page.get_by_role("button", name="Check deal").click()
    expect(page.get_by_test_id("check")).to_contain_text(deal)
    expect(page.get_by_test_id("answer").first).to_be_visible()
    page.get_by_label("reserve the capacity").check()
    page.get_by_role("button", name="Check and log").click()
    expect(page.get_by_test_id("logged")).to_contain_text("reserved")
    expect(page.get_by_test_id("reservations")).to_contain_text(re.compile(r"\d"))
    page.screenshot(path=str(SCREENSHOTS / "deal-desk.png"), full_page=True)
    # Every line of the deal is reserved by the rep, at the date the check showed for it.
    answered = page.get_by_test_id("check").inner_text()
    held = page.request.get(server + "/api/v1/reservations", params={"status": "active"})
    mine = [r for r in held.json()["reservations"] if r["opportunity_id"] == deal]
    assert mine and all(r["created_by"] == "ana" for r in mine)
    assert all(r["promised_date"] and r["promised_date"] in answered for r in mine)

    # The pipeline answers with the reservation held as firm load.
    after = value_at_risk(page, server)
    assert re.fullmatch(r"[\d,]+", after) and re.fullmatch(r"[\d,]+", before)
    page.screenshot(path=str(SCREENSHOTS / "pipeline.png"), full_page=True)
