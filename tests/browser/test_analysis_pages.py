"""The analysis pages in a real browser: charts draw from the app's own Plotly, no errors."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.xdist_group("browser")


def test_throughput_page_draws_the_load_chart_and_names_the_constraint(server, reader):
    page = reader
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(server + "/throughput")
    expect(page.get_by_test_id("constraint")).to_have_text("PAINT")
    # Plotly draws an SVG with one bar per resource.
    expect(page.locator("#load-chart .main-svg").first).to_be_visible()
    assert page.locator("#load-chart .bars .point").count() >= 10
    expect(page.get_by_test_id("customers").locator("tbody tr").first).to_be_visible()
    assert errors == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "throughput.png"), full_page=True)


@pytest.mark.parametrize(
    ("path", "chart", "figure"),
    [
        ("/flow", "flow-chart", "bottleneck-stage"),
        ("/reliability", "otif-chart", "otif"),
        ("/quotas", "quota-chart", "quota-feasible"),
    ],
)
def test_alignment_pages_draw_their_charts(server, reader, path, chart, figure):
    page = reader
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(server + path)
    expect(page.get_by_test_id(figure)).not_to_be_empty()
    expect(page.locator(f"#{chart} .main-svg").first).to_be_visible()
    assert errors == []
    page.screenshot(path=str(SCREENSHOTS / f"{path.strip('/')}.png"), full_page=True)
