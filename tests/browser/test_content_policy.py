"""Every screen works under the Content-Security-Policy, which allows no inline script and no
inline style (no ``<style>`` element, no style attribute): a real browser opens each page as
the users who have it and reports nothing the policy refused, charts' tooltips included."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_console_and_phone import _pick
from tests.factories import log_in_page, watch_csp

# The pages of each user's menu: the leader's, the analyst's own, and the administrator's
# (the steward's and the audit's among them).
PAGES = {
    "lanhdao": [
        "/",
        "/indicators",
        "/incidents",
        "/tasks",
        "/directives",
        "/plans",
        "/processes",
        "/alerts",
        "/notifications",
        "/catalog",
        "/units",
        "/records",
        "/account",
        "/m",
        "/wall",
        "/docs",
    ],
    "phantich": ["/indicators/new"],
    "quantri": [
        "/audit",
        "/admin/sessions",
        "/sharing",
        "/sources",
        "/sources/new",
        "/quarantine",
        "/alerts/rules",
        "/wall/scenes",
    ],
}


def _hover_middle(page: Page, selector: str) -> None:
    box = page.locator(selector).bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


@pytest.mark.parametrize("username", list(PAGES))
def test_every_page_renders_without_a_refusal(browser: Browser, server: str, username: str) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    blocked = watch_csp(page)
    log_in_page(page, server, username, "/account")
    for path in PAGES[username]:
        response = page.goto(server + path)
        assert response is not None and response.status == 200, (path, response)
        page.wait_for_load_state("networkidle")
        assert blocked == [], (path, blocked)
    page.close()


def test_chart_tooltips_are_drawn_without_inline_style(browser: Browser, server: str) -> None:
    """ECharts writes its HTML tooltips with style attributes, which the policy refuses (the
    tooltip then shows unstyled): the charts draw them on the canvas instead."""
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    blocked = watch_csp(page)
    log_in_page(page, server, "lanhdao", "/indicators")
    ident = _pick(page, server, "province", periods=True)["indicator"]["id"]
    page.goto(f"{server}/indicators/{ident}?place=nation")
    modes = "e => echarts.getInstanceByDom(e).getOption().tooltip.map(t => t.renderMode)"
    for chart in ("#cut-chart", "#trend-chart"):
        expect(page.locator(f"{chart} canvas")).to_have_count(1)
        assert page.locator(chart).evaluate(modes) == ["richText"], chart
        _hover_middle(page, f"{chart} canvas")
    page.goto(server + "/")  # the overview's chart, with the hovers' refusals reported by now
    expect(page.locator("#chart-provinces canvas")).to_have_count(1)
    assert page.locator("#chart-provinces").evaluate(modes) == ["richText"]
    assert blocked == [], blocked
    page.close()
