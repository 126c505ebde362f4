"""The bell and the notifications page in a real browser: the bell shows how many are unread,
the page lists them newest first with their severity, marking one read lowers the count, and
a notification that arrives with a live event raises it again without reloading. Screenshot
under test-output/screenshots/notifications.png."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import delete

from noivu_ioc.access.users import create_user, disable_user
from noivu_ioc.demo import DEMO_PASSWORD
from noivu_ioc.ingest.events import record
from noivu_ioc.operations.notify import notify_users
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import Event, Notification

pytestmark = pytest.mark.browser


@pytest.fixture
def officer(demo_store: OpStore) -> Iterator[tuple[str, int]]:
    """A fresh national account, so that the count is only what this test sent."""
    username = f"tb.{uuid.uuid4().hex[:8]}"
    with demo_store.session() as session:
        user_id = create_user(
            session,
            username=username,
            full_name="Lê Minh Châu",
            password=DEMO_PASSWORD,
            roles=["analyst"],
            units=["BNV"],
        ).id
    yield username, user_id
    with demo_store.session() as session:
        session.execute(delete(Notification).where(Notification.user_id == user_id))
        disable_user(session, username)


def _tell(store: OpStore, user_id: int, title: str, severity: str, link: str | None) -> None:
    with store.session() as session:
        notify_users(
            session,
            [user_id],
            kind="alert.escalated",
            title=title,
            body="Đề nghị đơn vị xử lý và báo cáo kết quả.",
            link=link,
            severity=severity,
        )


def test_the_bell_counts_unread_and_the_page_marks_them_read(
    browser: Browser,
    server: str,
    screenshots: Path,
    demo_store: OpStore,
    officer: tuple[str, int],
) -> None:
    username, user_id = officer
    _tell(demo_store, user_id, "Chỉ đạo: rà soát biên chế quý III", "info", "/directives")
    _tell(demo_store, user_id, "Nhiệm vụ quá hạn: báo cáo tuyển dụng", "major", None)
    _tell(demo_store, user_id, "Cảnh báo khẩn: mất kết nối CSDL Lào Cai", "critical", "/alerts")

    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(server + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Tình hình tổng thể")
    count = page.locator(".bell-count")
    expect(count).to_have_text("3")
    expect(count).to_be_visible()

    page.get_by_test_id("bell").click()
    expect(page.locator("h1")).to_have_text("Thông báo của tôi")
    items = page.get_by_test_id("notification")
    expect(items).to_have_count(3)
    expect(items.first).to_contain_text("Cảnh báo khẩn: mất kết nối CSDL Lào Cai")
    expect(items.first).to_contain_text("Khẩn cấp")
    expect(items.nth(1)).to_contain_text("Nghiêm trọng")

    items.nth(2).get_by_test_id("mark-read").click()
    expect(count).to_have_text("2")
    expect(page.locator('[data-testid="notification"][data-read="false"]')).to_have_count(2)

    # A notification that comes with a live event shows on the bell without a reload.
    marker = uuid.uuid4().hex[:8]
    _tell(demo_store, user_id, "Sự cố mới: hệ thống một cửa tỉnh ngừng hoạt động", "critical", None)
    with demo_store.session() as session:
        record(
            session,
            kind="incident.opened",
            severity="critical",
            subject=f"su-co-{marker}",
            message="Sự cố mới",
            admin_code=None,
        )
    try:
        expect(count).to_have_text("3")
        page.screenshot(path=str(screenshots / "notifications.png"), full_page=True)

        page.get_by_test_id("read-all").click()
        expect(count).to_be_hidden()
        expect(page.locator('[data-testid="notification"][data-read="false"]')).to_have_count(0)
    finally:
        page.close()
        with demo_store.session() as session:
            session.execute(delete(Event).where(Event.subject == f"su-co-{marker}"))
