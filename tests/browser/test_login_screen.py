"""A provincial officer logs in in a real browser and sees only their province."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from noivu_ioc.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_provincial_officer_sees_only_their_province(
    browser: Browser, server: str, screenshots: Path, request: pytest.FixtureRequest
) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(server + "/")
    expect(page).to_have_url(server + "/login?next=/")
    expect(page.locator("h1")).to_have_text("Đăng nhập")

    page.fill("input[name=username]", "sonv.hanoi")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")

    expect(page.locator("h1")).to_have_text("Tình hình tổng thể")
    expect(page.get_by_test_id("who")).to_contain_text("Sở Nội vụ thành phố Hà Nội")
    rows = page.locator("[data-testid=province-table] tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Hà Nội")
    # the chart was drawn by the vendored ECharts (a canvas inside the holder)
    expect(page.locator("#chart-provinces canvas")).to_have_count(1)
    expect(page.locator("[data-sector]")).to_have_count(10)

    suffix = request.node.callspec.params.get("demo_store", "")
    page.screenshot(path=str(screenshots / f"home-provincial-officer-{suffix}.png"),
                    full_page=True)
    page.close()


def test_wrong_password_in_the_browser(browser: Browser, server: str) -> None:
    page = browser.new_page()
    page.goto(server + "/login")
    page.fill("input[name=username]", "sonv.hanoi")
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    expect(page.get_by_role("alert")).to_contain_text("Sai tên đăng nhập hoặc mật khẩu")
    page.close()


def test_national_leader_in_english(browser: Browser, server: str, screenshots: Path,
                                    request: pytest.FixtureRequest) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(server + "/login?lang=en")
    page.fill("input[name=username]", "lanhdao")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Overall situation")
    expect(page.locator("[data-testid=province-table] tbody tr")).to_have_count(34)
    suffix = request.node.callspec.params.get("demo_store", "")
    page.screenshot(path=str(screenshots / f"home-leader-en-{suffix}.png"), full_page=True)
    page.goto(server + "/catalog")
    expect(page.locator("h1")).to_have_text("Data dictionary")
    page.close()
