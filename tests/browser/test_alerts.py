"""The alerts page and the rule builder in a real browser: a provincial officer on a phone
takes an alert in hand, sees a new one arrive live and resolves one; an operator builds a
rule from fields (no JSON), sees the server's refusal of an incomplete one, saves it,
switches it off and deletes it. Screenshots go under test-output/screenshots."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import delete, select

from noivu_ioc.demo import DEMO_PASSWORD
from noivu_ioc.indicators.engine import DuckDBEngine, Evaluator
from noivu_ioc.indicators.registry import Registry, library
from noivu_ioc.ingest.events import record
from noivu_ioc.operations.alerts import create_rule
from noivu_ioc.operations.evaluate import evaluate_rules
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import Alert, AlertRule, Event
from noivu_ioc.warehouse import Warehouse

pytestmark = pytest.mark.browser


def _login(page: Page, server: str, username: str) -> None:
    page.goto(server + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Tình hình tổng thể")


def _fits(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _forget(store: OpStore, marker: str) -> None:
    with store.session() as session:
        for rule in session.scalars(select(AlertRule).where(AlertRule.name.like(f"%{marker}%"))):
            session.execute(delete(Alert).where(Alert.rule_id == rule.id))
            session.delete(rule)
        session.execute(delete(Event).where(Event.subject.like(f"%{marker}%")))
        session.execute(delete(Event).where(Event.kind.like(f"%{marker}%")))


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        locale="vi-VN",
    )
    yield context
    context.close()


def test_an_officer_takes_an_alert_in_hand_on_the_phone(
    phone: BrowserContext,
    server: str,
    demo_store: OpStore,
    demo_warehouse: Warehouse,
    screenshots: Path,
) -> None:
    marker = uuid.uuid4().hex[:6]
    name = f"kho-luu-tru-{marker}"
    evaluator = Evaluator(DuckDBEngine(demo_warehouse))
    registry = Registry(library())

    def device(subject: str, severity: str, message: str) -> None:
        with demo_store.session() as session:
            record(
                session,
                kind=f"device.{marker}",
                severity=severity,
                subject=f"{subject}-{marker}",
                message=message,
                admin_code="01",
            )
        evaluate_rules(demo_store, evaluator, registry)

    with demo_store.session() as session:
        create_rule(
            session,
            {
                "name": name,
                "title_vi": "Kho lưu trữ báo lỗi",
                "kind": "event",
                "config": {"kinds": [f"device.{marker}"]},
            },
            registry,
            "vanhanh",
        )
    try:
        device("KLT-A", "major", "Kho lưu trữ Hà Nội: độ ẩm 85%")
        page = phone.new_page()
        _login(page, server, "sonv.hanoi")
        page.goto(server + "/alerts")
        expect(page.locator("h1")).to_have_text("Cảnh báo")
        mine = page.locator(f"[data-testid=alert][data-rule={name}]")
        expect(mine).to_have_count(1)
        first = mine.first
        expect(first.get_by_test_id("message")).to_have_text("Kho lưu trữ Hà Nội: độ ẩm 85%")
        expect(first.get_by_test_id("severity")).to_have_text("Nghiêm trọng")
        expect(first.get_by_test_id("state")).to_have_text("Chưa tiếp nhận")
        expect(first.get_by_test_id("level")).to_have_text("Đang ở: cấp tỉnh")
        expect(first.get_by_test_id("occurrences")).to_have_text("lặp lại 1 lần")
        expect(first.get_by_test_id("age")).to_have_text(
            re.compile(r"^(vừa mở|mở \d+ phút trước)$")
        )
        expect(first.get_by_test_id("open-incident")).to_have_attribute(
            "href", re.compile(r"^/incidents/new\?alert=\d+$")
        )
        _fits(page, 390)

        first.get_by_test_id("acknowledge").tap()
        expect(first.get_by_test_id("state")).to_have_text("Đã tiếp nhận")
        expect(first.get_by_test_id("acknowledge")).to_have_count(0)
        expect(first).to_contain_text("Tiếp nhận: sonv.hanoi")

        # A second device fails: its alert reaches the open page without a reload.
        expect(page.get_by_test_id("live")).to_have_attribute("data-state", "open")
        device("KLT-B", "critical", "Kho lưu trữ Hà Nội: mất kết nối camera")
        expect(mine).to_have_count(2)
        newest = mine.first
        expect(newest.get_by_test_id("severity")).to_have_text("Khẩn cấp")
        _fits(page, 390)
        page.screenshot(path=str(screenshots / "alerts.png"), full_page=True)

        # Resolved, it leaves the open list and stays in the whole one.
        newest.get_by_test_id("resolve").tap()
        expect(mine).to_have_count(1)
        page.get_by_test_id("filter-all").tap()
        resolved = page.locator(f"[data-testid=alert][data-rule={name}][data-state=resolved]")
        expect(resolved).to_have_count(1)
        expect(resolved.get_by_test_id("state")).to_have_text("Đã xử lý")
        expect(resolved).to_contain_text("Xử lý: sonv.hanoi")
    finally:
        _forget(demo_store, marker)


def test_an_operator_builds_a_rule_from_fields(
    browser: Browser, server: str, demo_store: OpStore, screenshots: Path
) -> None:
    marker = uuid.uuid4().hex[:6]
    name = f"khen-thuong-giam-{marker}"
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        _login(page, server, "vanhanh")
        surge = page.request.post(
            server + "/api/alert-rules",
            data={
                "name": f"phan-anh-don-dap-{marker}",
                "title_vi": "Phản ánh của người dân dồn dập",
                "kind": "event",
                "severity": "major",
                "config": {
                    "kinds": ["report.citizen"],
                    "surge": {"count": 20, "minutes": 60, "per": "province"},
                },
            },
        )
        assert surge.status == 201, surge.text()
        page.goto(server + "/alerts")
        page.get_by_test_id("rules-link").click()
        expect(page.locator("h1")).to_have_text("Quy tắc cảnh báo")
        form = page.get_by_test_id("rule-form")
        expect(
            form.locator("select[name=indicator] option[value='emulation.awards']")
        ).to_have_count(1)

        form.locator("input[name=name]").fill(name)
        form.locator("input[name=title_vi]").fill("Số khen thưởng giảm mạnh")
        form.locator("select[name=indicator]").select_option("emulation.awards")
        # The fields follow the condition chosen.
        form.locator("select[name=condition]").select_option("seasonal")
        expect(form.locator("input[name=years]")).to_be_visible()
        expect(page.get_by_test_id("threshold")).to_be_hidden()
        form.locator("select[name=condition]").select_option("change")
        expect(form.locator("input[name=years]")).to_be_hidden()
        expect(form.locator("select[name=change]")).to_be_visible()
        form.locator("select[name=direction]").select_option("down")

        # Without a threshold the server refuses, and the page says why.
        page.get_by_test_id("check").click()
        result = page.get_by_test_id("check-result")
        expect(result).to_contain_text("Máy chủ từ chối:")
        expect(result).to_contain_text(f"rule {name}: threshold is required (a number)")

        page.get_by_test_id("threshold").fill("15")
        form.locator("input[name=escalate_after_minutes]").fill("60")
        page.get_by_test_id("check").click()
        expect(result).to_contain_text("Quy tắc hợp lệ.")
        page.screenshot(path=str(screenshots / "alert-rules.png"), full_page=True)

        page.get_by_test_id("save").click()
        row = page.locator(f"[data-testid=rule][data-name={name}]")
        expect(row).to_have_count(1)
        expect(row.get_by_test_id("enabled")).to_have_text("Đang bật")
        saved = next(
            r for r in page.request.get(server + "/api/alert-rules").json() if r["name"] == name
        )
        assert saved["config"] == {
            "indicator": "emulation.awards",
            "condition": "change",
            "per": "nation",
            "change": "percent",
            "direction": "down",
            "threshold": 15.0,
            "escalate_after_minutes": 60,
            "remind_every_minutes": 30,
        }

        # Changed from the form: the name stays, the server checks it as the edit it is.
        row.get_by_test_id("edit").click()
        expect(page.get_by_test_id("form-title")).to_have_text(f"Sửa quy tắc {name}")
        page.get_by_test_id("threshold").fill("40")
        page.get_by_test_id("check").click()
        expect(result).to_contain_text("Quy tắc hợp lệ.")
        page.get_by_test_id("save").click()
        expect(page.get_by_test_id("form-title")).to_have_text("Quy tắc mới")
        changed = next(
            r for r in page.request.get(server + "/api/alert-rules").json() if r["name"] == name
        )
        assert (changed["config"]["threshold"], changed["config"]["direction"]) == (40.0, "down")

        row.get_by_test_id("toggle").click()
        expect(row.get_by_test_id("enabled")).to_have_text("Đang tắt")
        page.set_viewport_size({"width": 390, "height": 844})
        _fits(page, 390)

        page.once("dialog", lambda dialog: dialog.accept())
        row.get_by_test_id("delete").click()
        expect(row).to_have_count(0)
        expect(page.get_by_test_id("rules-status")).to_have_text(f"Đã xóa quy tắc {name}.")
    finally:
        page.close()
        _forget(demo_store, marker)
