"""One click in a real browser: an operator activates a plan as a drill from the plans page,
lands on the command view with the drill banner and a tile per unit, and sees a province's
progress arrive live; the province's officer follows their own task on a 390 px phone.
Screenshots go under test-output/screenshots."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from noivu_ioc.access.users import get_user, principal_of
from noivu_ioc.demo import DEMO_PASSWORD
from noivu_ioc.operations import incidents, plans
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import PlanRun, Task
from tests.factories import watch_csp

pytestmark = pytest.mark.browser

PROVINCES = 34


def _login(page: Page, server: str, username: str) -> None:
    page.goto(server + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Tình hình tổng thể")


def _suffix(request: pytest.FixtureRequest) -> str:
    backend = str(request.node.callspec.params.get("demo_store", ""))
    return "" if backend == "sqlite" else f"-{backend}"


def _prepare(store: OpStore) -> str:
    slug = f"browser-{uuid.uuid4().hex[:8]}"
    with store.session() as session:
        manager = principal_of(get_user(session, "vanhanh"))
        plans.create_plan(
            session,
            manager,
            {
                "slug": slug,
                "title_vi": "Diễn tập ứng phó bão, lũ miền Bắc",
                "title_en": "Northern storm and flood drill",
                "hazard": "storm_flood",
                "severity": "critical",
                "tasks": [
                    {
                        "unit": "BNV.VP",
                        "title_vi": "Kích hoạt trực ban 24/24",
                        "title_en": "Start round-the-clock duty",
                        "hours": 2,
                    },
                    {
                        "unit": "SNV.*",
                        "title_vi": "Di dời, bảo quản hồ sơ lưu trữ ở nơi có nguy cơ ngập",
                        "title_en": "Move archives out of places at risk of flooding",
                        "hours": 12,
                    },
                ],
            },
        )
    return slug


def test_a_drill_activated_in_one_click_opens_a_live_command_view(
    browser: Browser,
    server: str,
    screenshots: Path,
    demo_store: OpStore,
    request: pytest.FixtureRequest,
) -> None:
    slug = _prepare(demo_store)
    page = browser.new_page(viewport={"width": 1440, "height": 900}, timezone_id="UTC")
    blocked = watch_csp(page)
    _login(page, server, "vanhanh")

    # one click, confirmed in a dialog that says what a drill is
    page.goto(server + "/plans")
    expect(page.locator("h1")).to_have_text("Phương án ứng phó")
    page.locator(f'[data-testid=plan][data-slug="{slug}"]').get_by_test_id("activate").click()
    dialog = page.get_by_test_id("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_test_id("confirm")).to_have_text("Kích hoạt ngay")
    dialog.get_by_test_id("drill").check()
    expect(dialog.get_by_test_id("confirm")).to_have_text("Bắt đầu diễn tập")
    expect(dialog.locator(".drill-banner")).to_be_visible()
    dialog.get_by_test_id("area").select_option("")  # nationwide
    page.screenshot(path=str(screenshots / f"plan-activate-dialog{_suffix(request)}.png"))
    dialog.get_by_test_id("confirm").click()

    # the command view: the drill banner, every unit's tile, the counts
    page.wait_for_url(re.compile(r"/plans/runs/\d+$"))
    run_id = int(page.url.rsplit("/", 1)[1])
    expect(page.get_by_test_id("drill-banner")).to_have_text(
        "DIỄN TẬP / DRILL — không phải tình huống thật"
    )
    expect(page.get_by_test_id("run-title")).to_have_text("Diễn tập ứng phó bão, lũ miền Bắc")
    expect(page.get_by_test_id("tile")).to_have_count(PROVINCES + 1)
    expect(page.locator('[data-count="total"]')).to_have_text(str(PROVINCES + 1))
    expect(page.locator('[data-count="not_started"]')).to_have_text(str(PROVINCES + 1))
    expect(page.locator("#live")).to_have_attribute("data-live", "open")
    expect(page.get_by_test_id("elapsed")).to_have_text(re.compile(r"^00:0\d:\d\d$"))

    # Lào Cai reports progress: the tile, the counts and the comments follow without a reload
    with demo_store.session() as session:
        run = session.get(PlanRun, run_id)
        assert run is not None and run.drill
        task = session.scalar(
            select(Task).where(Task.incident_id == run.incident_id, Task.unit_code == "SNV.15")
        )
        assert task is not None
        laocai = principal_of(get_user(session, "sonv.laocai"))
        incidents.comment_task(
            session, laocai, task, body="Đã chuyển hồ sơ lên tầng 3 trụ sở Sở", progress=60
        )
    tile = page.locator('[data-testid=tile][data-unit="SNV.15"]')
    expect(tile).to_have_attribute("data-state", "in_progress")
    expect(tile).to_contain_text("60%")
    expect(page.locator('[data-count="in_progress"]')).to_have_text("1")
    expect(page.get_by_test_id("comment").first).to_contain_text("Đã chuyển hồ sơ lên tầng 3")
    page.screenshot(path=str(screenshots / f"plan-command-view{_suffix(request)}.png"))
    assert blocked == [], blocked  # the tiles' meters and the run's bar set no style attribute

    # the filter keeps what still needs doing
    page.locator('[data-filter="open"]').click()
    expect(page.get_by_test_id("tile")).to_have_count(PROVINCES + 1)
    page.locator('[data-filter="overdue"]').click()
    expect(page.get_by_test_id("tile")).to_have_count(0)
    page.locator('[data-filter="all"]').click()

    # the province's officer follows their own task on a phone
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    phone = context.new_page()
    _login(phone, server, "sonv.laocai")
    phone.goto(f"{server}/plans/runs/{run_id}")
    expect(phone.get_by_test_id("drill-banner")).to_be_visible()
    expect(phone.get_by_test_id("tile")).to_have_count(1)
    expect(phone.locator('[data-testid=tile][data-unit="SNV.15"]')).to_contain_text("60%")
    fits = "(e => e.getBoundingClientRect().right <= 390 && e.scrollWidth <= e.clientWidth)"
    assert phone.evaluate(f"{fits}(document.getElementById('command'))")
    phone.screenshot(
        path=str(screenshots / f"plan-command-view-390{_suffix(request)}.png"), full_page=True
    )
    context.close()

    # the drill ends with its evaluation; what was still open is cancelled
    page.get_by_test_id("close-run").click()
    page.get_by_test_id("evaluation").fill("Các Sở phản ứng trong vòng 15 phút")
    page.get_by_test_id("dialog").get_by_test_id("confirm").click()
    expect(page.get_by_test_id("run-state")).to_have_text("Đã kết thúc")
    expect(page.get_by_test_id("close-run")).to_have_count(0)
    expect(page.locator('[data-testid=tile][data-state="cancelled"]')).to_have_count(PROVINCES + 1)
    page.close()
