"""The records pages in a real browser: a provincial officer sees the dossiers of their
province with the fields their agreement opens and the sensitive ones masked; the inspectorate
sees the citizen number it has an agreement for; an administrator grants an agreement on
the sharing page and revokes it. Screenshots under test-output/screenshots/records-*.png."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from noivu_ioc.warehouse import Warehouse
from tests.factories import log_in_page

pytestmark = pytest.mark.browser


def _login(browser: Browser, server: str, username: str) -> Page:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    log_in_page(page, server, username)  # administrators give their second factor
    expect(page.locator("h1")).to_have_text("Tình hình tổng thể")
    return page


def test_a_province_sees_its_dossiers_with_sensitive_fields_masked(
    browser: Browser, server: str, screenshots: Path, demo_warehouse: Warehouse
) -> None:
    page = _login(browser, server, "sonv.laocai")
    page.get_by_role("link", name="Hồ sơ dữ liệu").click()
    expect(page.locator("h1")).to_have_text("Hồ sơ dữ liệu chuyên ngành")
    person = page.locator('[data-dataset="person"]')
    expect(person).to_contain_text("sonv-ho-so-can-bo-tinh")
    person.get_by_role("link").first.click()
    expect(page.locator("h1")).to_have_text("Hồ sơ cán bộ, công chức, viên chức")
    total = demo_warehouse.scalar("SELECT count(*) FROM person WHERE province_code = '15'")
    expect(page.locator(".pagehead")).to_contain_text(f"{total:,}".replace(",", "."))
    header = page.get_by_test_id("rows").locator("thead")
    expect(header.locator("th.masked", has_text="Số căn cước")).to_have_count(1)
    expect(header.locator("th:not(.masked)", has_text="Họ và tên")).to_have_count(1)
    first = page.get_by_test_id("rows").locator("tbody tr").first
    expect(first.locator("span.masked").first).to_have_text("•••")
    page.screenshot(path=str(screenshots / "records-province-list.png"), full_page=False)

    first.get_by_role("link").first.click()
    record = page.get_by_test_id("record")
    expect(record.locator('[data-field="citizen_id"] .masked')).to_be_visible()
    expect(record.locator('[data-field="full_name"]')).not_to_have_text("–")
    expect(page.get_by_test_id("history")).to_be_visible()
    page.screenshot(path=str(screenshots / "records-province-dossier.png"), full_page=True)
    page.close()


def test_an_agreement_granted_on_the_page_opens_the_field_and_revoking_closes_it(
    browser: Browser, server: str, screenshots: Path
) -> None:
    name = f"trinh-duyet-{uuid.uuid4().hex[:6]}"
    admin = _login(browser, server, "quantri")
    admin.goto(server + "/sharing")
    form = admin.get_by_test_id("new-agreement")
    form.locator("input[name=name]").fill(name)
    form.locator("select[name=dataset]").select_option("person")
    form.locator("input[name=fields]").fill("full_name")
    form.locator("select[name=grantee_role]").select_option("leader")
    form.locator("textarea[name=purpose]").fill("Lãnh đạo xem danh sách cán bộ được đề xuất")
    form.get_by_role("button").click()
    row = admin.locator(f'[data-agreement="{name}"]')
    expect(row).to_contain_text("Đang hiệu lực")
    admin.screenshot(path=str(screenshots / "records-sharing.png"), full_page=True)

    leader = _login(browser, server, "lanhdao")
    leader.goto(server + "/records/person")
    header = leader.get_by_test_id("rows").locator("thead")
    expect(header.locator("th:not(.masked)", has_text="Họ và tên")).to_have_count(1)

    row.get_by_test_id("revoke").click()
    expect(admin.locator(f'[data-agreement="{name}"]')).to_contain_text("Đã thu hồi")
    leader.reload()
    expect(header.locator("th.masked", has_text="Họ và tên")).to_have_count(1)
    admin.close()
    leader.close()
