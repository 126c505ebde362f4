"""An incident in a real browser: the ministry's operator opens one by hand and gives Hà Nội
a task through the forms (a past deadline is refused on the page); Hà Nội's officer, on a
390 px phone, sees only its own task, reports progress with a comment, attaches a file and
is told why a disguised one is refused; the operator sees the overdue mark and closes the
incident with an evaluation once the open tasks are cancelled. Drills are marked.
Screenshots go under test-output/screenshots."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from noivu_ioc.demo import DEMO_PASSWORD
from noivu_ioc.operations import incidents
from noivu_ioc.operations.units import unit
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import Incident
from tests.factories import watch_csp
from tests.web.test_incidents_api import PDF, WINDOWS_PROGRAM, forget_incidents

pytestmark = pytest.mark.browser

VIETNAM = timedelta(hours=7)


def _login(page: Page, server: str, username: str) -> None:
    page.goto(server + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Tình hình tổng thể")


def _suffix(request: pytest.FixtureRequest) -> str:
    backend = str(request.node.callspec.params.get("demo_store", ""))
    return "" if backend == "sqlite" else f"-{backend}"


def _local_input(moment: datetime) -> str:
    """A datetime-local value in Vietnam time, as the task form takes it."""
    return (moment.astimezone(UTC) + VIETNAM).strftime("%Y-%m-%dT%H:%M")


def test_an_incident_from_opening_to_closure(
    browser: Browser,
    server: str,
    demo_store: OpStore,
    screenshots: Path,
    request: pytest.FixtureRequest,
) -> None:
    title = f"Sự cố mất điện trụ sở {uuid.uuid4().hex[:6]}"
    opened: list[int] = []
    desk = browser.new_page(viewport={"width": 1280, "height": 900})
    blocked = watch_csp(desk)
    phone = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        locale="vi-VN",
        timezone_id="Europe/Paris",
    )
    try:
        # the operator opens the incident by hand and gives Hà Nội a task
        _login(desk, server, "vanhanh")
        desk.goto(server + "/incidents/new")
        form = desk.get_by_test_id("incident-form")
        form.locator("input[name=title]").fill(title)
        form.locator("select[name=severity]").select_option("major")
        form.locator("input[name=admin_code]").fill("01")
        form.get_by_test_id("open-incident").click()
        expect(desk.get_by_test_id("incident-title")).to_have_text(title)
        incident_id = int(desk.url.rsplit("/", 1)[-1])
        opened.append(incident_id)

        desk.get_by_test_id("add-task").locator("summary").click()
        adding = desk.get_by_test_id("add-task").locator("form")
        adding.locator("input[name=unit]").fill("SNV.01")
        adding.locator("input[name=title]").fill("Kiểm tra máy phát điện dự phòng")
        adding.locator("input[name=due_at]").fill(
            _local_input(datetime.now(UTC) - timedelta(hours=1))
        )
        adding.get_by_test_id("assign").click()
        expect(adding.locator(".form-error")).to_contain_text("is not in the future")
        adding.locator("input[name=due_at]").fill(
            _local_input(datetime.now(UTC) + timedelta(days=2))
        )
        adding.get_by_test_id("assign").click()
        expect(desk.get_by_test_id("task")).to_have_count(1)
        expect(desk.get_by_test_id("task").first).to_have_attribute("data-unit", "SNV.01")

        # a task for Lào Cai, and one for the ministry's office already past its deadline
        with demo_store.session() as session:
            incident = session.get(Incident, incident_id)
            assert incident is not None
            incidents.add_task(
                session,
                incident,
                unit=unit(session, "SNV.15"),
                title="Chia sẻ kinh nghiệm vận hành",
                assigned_by="vanhanh",
                due_at=datetime.now(UTC) + timedelta(days=3),
            )
            incidents.add_task(
                session,
                incident,
                unit=unit(session, "BNV.VP"),
                title="Báo cáo nhanh lãnh đạo Bộ",
                assigned_by="vanhanh",
                due_at=datetime.now(UTC) - timedelta(hours=3),
            )

        # Hà Nội's officer on a phone: its own task only, reported with a comment and a file
        page = phone.new_page()
        _login(page, server, "sonv.hanoi")
        page.goto(f"{server}/incidents/{incident_id}")
        expect(page.get_by_test_id("incident-title")).to_have_text(title)
        tasks = page.get_by_test_id("task")
        expect(tasks).to_have_count(1)
        expect(tasks.first).to_have_attribute("data-unit", "SNV.01")
        tasks.first.get_by_test_id("report-task").locator("summary").tap()
        report = tasks.first.get_by_test_id("report-task").locator("form").first
        report.locator("input[name=progress]").fill("60")
        report.locator("textarea[name=body]").fill("Đã chạy thử máy phát, chờ thay ắc quy")
        report.get_by_test_id("send-report").tap()
        expect(page.get_by_test_id("task-progress")).to_have_text("60%")
        expect(page.get_by_test_id("task-state")).to_have_text("Đang thực hiện")
        expect(page.locator("ul.comments")).to_contain_text("chờ thay ắc quy")

        tasks.first.get_by_test_id("report-task").locator("summary").tap()
        upload = tasks.first.get_by_test_id("task-upload")
        upload.set_input_files(
            {"name": "lich-van-hanh.pdf", "mimeType": "application/pdf", "buffer": WINDOWS_PROGRAM}
        )
        tasks.first.get_by_test_id("send-file").tap()
        refusal = upload.locator("xpath=..").locator(".form-error")
        expect(refusal).to_contain_text("its content is a Windows program")
        upload.set_input_files(
            {"name": "biên bản.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
        tasks.first.get_by_test_id("send-file").tap()
        expect(page.get_by_test_id("task-file")).to_have_text("biên bản.pdf")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(
            path=str(screenshots / f"incident-detail-390{_suffix(request)}.png"), full_page=True
        )

        page.goto(f"{server}/tasks")
        expect(page.locator("h1")).to_have_text("Nhiệm vụ của đơn vị")
        expect(page.get_by_test_id("task").filter(has_text="Kiểm tra máy phát")).to_have_count(1)

        # the operator sees every task, the overdue mark, and closes the incident
        desk.reload()
        expect(desk.get_by_test_id("task")).to_have_count(3)
        overdue = desk.get_by_test_id("task").filter(has_text="Báo cáo nhanh lãnh đạo Bộ")
        expect(overdue.get_by_test_id("overdue")).to_have_text("Quá hạn")
        expect(desk.get_by_test_id("task-progress").first).to_have_text("60%")
        # The bar's width comes from its class, not a style attribute the policy would refuse.
        bar = desk.locator(".bar span.pct-60").first
        share = "e => e.getBoundingClientRect().width / e.parentElement.clientWidth"
        assert bar.evaluate(share) == pytest.approx(0.6, abs=0.02)
        desk.screenshot(
            path=str(screenshots / f"incident-detail{_suffix(request)}.png"), full_page=True
        )
        assert blocked == [], blocked

        closing = desk.get_by_test_id("closure").locator("form")
        closing.locator("textarea[name=evaluation]").fill(
            "Khôi phục điện sau 3 giờ; cần kiểm tra máy phát định kỳ hằng tháng."
        )
        closing.locator("select[name=rating]").select_option("4")
        closing.get_by_test_id("close").click()
        expect(desk.get_by_test_id("close-error")).to_contain_text("open task(s)")
        closing.locator("input[name=cancel_open_tasks]").check()
        closing.get_by_test_id("close").click()
        expect(desk.get_by_test_id("incident-state")).to_have_text("Đã đóng")
        expect(desk.get_by_test_id("evaluation")).to_contain_text("Khôi phục điện sau 3 giờ")

        # a drill is marked as one, in the list and on its page
        with demo_store.session() as session:
            drill = incidents.open_incident(
                session,
                title=f"Diễn tập ứng phó bão {uuid.uuid4().hex[:6]}",
                severity="critical",
                origin="manual",
                opened_by="vanhanh",
                admin_code="15",
                drill=True,
            )
            drill_id = drill.id
            opened.append(drill_id)
        desk.goto(server + "/incidents")
        row = desk.get_by_test_id("incident-row").filter(
            has=desk.locator(f"a[href='/incidents/{drill_id}']")
        )
        expect(row.get_by_test_id("drill")).to_have_text("DIỄN TẬP")
        desk.goto(f"{server}/incidents/{drill_id}?lang=en")
        expect(desk.get_by_test_id("drill")).to_have_text("DRILL")
        expect(desk.locator(".drill-banner")).to_contain_text(re.compile("exercise"))
    finally:
        phone.close()
        desk.close()
        forget_incidents(demo_store, opened)
