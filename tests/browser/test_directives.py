"""Directives in a real browser: a leader issues one to all 34 provinces from the form and
watches the grid fill in live as Hà Nội acknowledges and reports from its own page and Lào
Cai from its phone; the wall's panel names the units still silent. Screenshots go under
test-output/screenshots."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import delete, select

from noivu_ioc.demo import DEMO_PASSWORD
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import Directive, Event, Notification
from tests.factories import watch_csp

pytestmark = pytest.mark.browser


@pytest.fixture
def marker(demo_store: OpStore) -> Iterator[str]:
    word = f"kiểm thử {uuid.uuid4().hex[:8]}"
    yield word
    with demo_store.session() as session:
        for directive in session.scalars(select(Directive).where(Directive.title.contains(word))):
            subject = f"directive:{directive.id}"
            session.execute(delete(Event).where(Event.subject == subject))
            session.execute(delete(Notification).where(Notification.ref == subject))
            session.delete(directive)


def _context(browser: Browser, width: int, height: int, phone: bool = False) -> BrowserContext:
    return browser.new_context(
        viewport={"width": width, "height": height},
        is_mobile=phone,
        has_touch=phone,
        device_scale_factor=2 if phone else 1,
        locale="vi-VN",
    )


def _login(context: BrowserContext, server: str, username: str, path: str) -> Page:
    page = context.new_page()
    page.goto(f"{server}/login?next={quote(path, safe='')}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(re.escape(path) + "$"))
    return page


def _age(store: OpStore, directive_id: int, minutes: int) -> None:
    with store.session() as session:
        directive = session.get(Directive, directive_id)
        assert directive is not None
        directive.issued_at = directive.issued_at - timedelta(minutes=minutes)


def test_a_leader_issues_a_directive_and_tracks_every_unit(
    browser: Browser, server: str, demo_store: OpStore, screenshots: Path, marker: str
) -> None:
    leader_context = _context(browser, 1366, 1000)
    hanoi_context = _context(browser, 1280, 900)
    phone = _context(browser, 390, 844, phone=True)
    try:
        leader = _login(leader_context, server, "lanhdao", "/directives")
        form = leader.get_by_test_id("directive-form")
        expect(form).to_be_visible()
        form.get_by_test_id("issue-directive").click()  # no unit chosen yet
        expect(form.get_by_test_id("form-message")).to_contain_text("Chọn ít nhất một đơn vị")
        title = f"Rà soát tuyển dụng công chức quý II ({marker})"
        form.get_by_test_id("directive-title").fill(title)
        form.get_by_test_id("directive-body").fill("Báo cáo kết quả rà soát trước 17 giờ.")
        form.get_by_test_id("all-provinces").check()
        expect(form.get_by_test_id("units-chosen")).to_have_text("Đã chọn 34 đơn vị")
        form.get_by_test_id("issue-directive").click()

        leader.wait_for_url(re.compile(r"/directives/\d+$"))
        ident = int(leader.url.rsplit("/", 1)[1])
        expect(leader.get_by_test_id("directive-title")).to_have_text(title)
        grid = leader.get_by_test_id("recipient")
        expect(grid).to_have_count(34)
        expect(leader.locator("[data-testid=recipient][data-state=silent]")).to_have_count(34)
        expect(leader.get_by_test_id("my-unit")).to_have_count(0)  # no buttons on every unit
        expect(leader.locator("#dir-live")).to_be_visible()
        _age(demo_store, ident, 75)  # an hour and a quarter of silence, drawn on the next news

        # Hà Nội acknowledges and reports from its own page
        hanoi = _login(hanoi_context, server, "sonv.hanoi", f"/directives/{ident}")
        expect(hanoi.get_by_test_id("recipient")).to_have_count(1)
        hanoi.get_by_test_id("acknowledge").click()
        expect(hanoi.get_by_test_id("action-message")).to_have_text("Đã tiếp nhận chỉ đạo.")
        report = hanoi.get_by_test_id("report-text")
        report.fill("Đã rà soát 30 cơ quan, không phát hiện sai phạm.")
        hanoi.get_by_test_id("send-report").click()
        expect(hanoi.get_by_test_id("action-message")).to_have_text("Đã gửi báo cáo.")
        expect(hanoi.get_by_test_id("send-report")).to_have_text("Cập nhật báo cáo")

        # the leader's page follows without a reload
        cell = leader.locator("[data-testid=recipient][data-unit='SNV.01']")
        expect(cell).to_have_attribute("data-state", "reported")
        expect(leader.get_by_test_id("reports")).to_contain_text("Đã rà soát 30 cơ quan")
        silent = leader.locator("[data-testid=recipient][data-state=silent]")
        expect(silent).to_have_count(33)
        expect(silent.first).to_have_attribute("data-overdue", "true")
        expect(silent.first.get_by_test_id("silent-for")).to_contain_text("1 giờ 15 phút")

        # Lào Cai acknowledges from its phone, where its unit is listed as silent
        laocai = _login(phone, server, "sonv.laocai", "/m")
        mine = laocai.get_by_test_id("directive-mine").filter(has_text=marker)
        expect(mine).to_contain_text("Đơn vị của bạn chưa tiếp nhận")
        assert laocai.evaluate("document.documentElement.scrollWidth") <= 390
        mine.get_by_test_id("directive-acknowledge").tap()
        expect(mine).to_have_count(0)
        expect(leader.locator("[data-testid=recipient][data-unit='SNV.15']")).to_have_attribute(
            "data-state", "acknowledged"
        )
        expect(leader.get_by_test_id("count-silent")).to_have_text("32")
        leader.screenshot(
            path=str(screenshots / "directive-tracking.png"), full_page=True, animations="disabled"
        )

        # the leader's phone names the provinces still silent, within 390 px
        own_phone = _login(phone, server, "lanhdao", "/m")
        blocked = watch_csp(own_phone)
        pending = own_phone.get_by_test_id("directive-pending").filter(has_text=marker)
        expect(pending).to_contain_text("32/34 đơn vị chưa tiếp nhận")
        expect(pending).not_to_contain_text("Hà Nội,")
        assert own_phone.evaluate("document.documentElement.scrollWidth") <= 390
        own_phone.screenshot(path=str(screenshots / "phone-directives-390x844.png"), full_page=True)

        # the tracking page itself is usable at 390 px
        own_phone.goto(f"{server}/directives/{ident}")
        expect(own_phone.get_by_test_id("recipient")).to_have_count(34)
        assert own_phone.evaluate("document.documentElement.scrollWidth") <= 390
        own_phone.goto(f"{server}/directives")
        expect(own_phone.get_by_test_id("directive-item").filter(has_text=marker)).to_be_visible()
        assert own_phone.evaluate("document.documentElement.scrollWidth") <= 390
        assert blocked == [], blocked  # the progress bars set no style attribute
    finally:
        for context in (leader_context, hanoi_context, phone):
            context.close()


def test_the_wall_names_the_units_that_have_not_acknowledged(
    browser: Browser, server: str, demo_store: OpStore, screenshots: Path, marker: str
) -> None:
    context = _context(browser, 1920, 1080)
    try:
        wall = _login(context, server, "lanhdao", "/wall?kiosk=1&scene=tong-quan")
        panel = wall.get_by_test_id("directives-panel")
        expect(panel).to_be_visible()
        row = wall.get_by_test_id("directive-row")

        api = wall.request
        made = api.post(
            f"{server}/api/directives",
            data={"title": f"Khẩn: kiểm tra an toàn trụ sở ({marker})", "units": ["SNV.*"]},
        )
        assert made.status == 201, made.text()
        ident = made.json()["id"]
        _age(demo_store, ident, 200)  # the most silent of all, so the panel shows it first
        # the issue event redraws the panel without a reload
        mine = row.filter(has_text=marker)
        expect(mine).to_be_visible()
        expect(mine.get_by_test_id("directive-pending")).to_contain_text(
            "34/34 đơn vị chưa tiếp nhận"
        )
        expect(mine.get_by_test_id("directive-silent-units")).to_contain_text("Hà Nội")

        officer = browser.new_context()
        try:
            hanoi = _login(officer, server, "sonv.hanoi", "/directives")
            acknowledged = hanoi.request.post(f"{server}/api/directives/{ident}/acknowledge")
            assert acknowledged.ok, acknowledged.text()
        finally:
            officer.close()
        expect(mine.get_by_test_id("directive-pending")).to_contain_text(
            "33/34 đơn vị chưa tiếp nhận"
        )
        expect(mine.get_by_test_id("directive-silent-units")).not_to_contain_text("Hà Nội")
        expect(wall.get_by_test_id("ticker")).to_be_visible()
        wall.screenshot(path=str(screenshots / "wall-directives-1920x1080.png"))
    finally:
        context.close()
