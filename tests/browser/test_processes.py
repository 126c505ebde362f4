"""Process tracking in a real browser: the ministry's leader starts the inspection of Lào
Cai's civil-servant recruitment from the list and signs the decision on the timeline; the
inspectorate announces it; Lào Cai's officer, on a 390 px phone, finds the run, supplies the
records, and then sees the inspectorate's next step late in red with who holds it.
Screenshot: test-output/screenshots/process-run.png."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from noivu_ioc.demo import DEMO_PASSWORD
from noivu_ioc.operations import processes as svc
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import ProcessRun
from tests.factories import PROCESS_INSPECTOR, process_runs

pytestmark = pytest.mark.browser


@pytest.fixture
def runs(demo_store: OpStore) -> Iterator[list[int]]:
    with process_runs(demo_store) as made:
        yield made


def _login(page: Page, server: str, username: str) -> None:
    page.goto(server + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Tình hình tổng thể")


def test_an_inspection_is_followed_step_by_step_down_to_the_late_one(
    browser: Browser,
    server: str,
    screenshots: Path,
    demo_store: OpStore,
    runs: list[int],
    request: pytest.FixtureRequest,
) -> None:
    title = f"Thanh tra tuyển dụng công chức Lào Cai {uuid.uuid4().hex[:6]}"

    # The leader starts the run from the list and signs the decision on its timeline.
    leader = browser.new_page(viewport={"width": 1280, "height": 900})
    _login(leader, server, "lanhdao")
    leader.goto(server + "/processes")
    expect(leader.locator("h1")).to_have_text("Theo dõi quy trình")
    leader.get_by_test_id("start").locator("summary").click()
    leader.select_option("select[name=template]", svc.load_library()[0]["slug"])
    leader.fill("input[name=subject]", "SNV.15")
    leader.fill("input[name=title]", title)
    leader.get_by_role("button", name="Bắt đầu", exact=True).click()
    expect(leader.get_by_test_id("run-title")).to_have_text(title)
    run_id = int(leader.url.split("?")[0].rsplit("/", 1)[1])
    runs.append(run_id)
    steps = leader.get_by_test_id("step")
    expect(steps).to_have_count(10)
    expect(steps.nth(0)).to_have_attribute("data-state", "active")
    leader.fill("textarea[name=note]", "Quyết định số 12/QĐ-TTr")
    leader.get_by_role("button", name="Hoàn thành bước này").click()
    expect(leader.get_by_test_id("flash")).to_have_text("Đã hoàn thành bước 1.")
    expect(steps.nth(0)).to_have_attribute("data-state", "done")
    expect(steps.nth(1).get_by_test_id("waiting")).to_have_text(
        "Chờ Thanh tra Bộ (Cán bộ vận hành) thực hiện."
    )
    leader.close()

    # The inspectorate announces the decision (through the API).
    inspector = browser.new_context()
    signed_in = inspector.request.post(
        server + "/api/session", data={"username": PROCESS_INSPECTOR, "password": DEMO_PASSWORD}
    )
    assert signed_in.ok, signed_in.text()
    announced = inspector.request.post(
        f"{server}/api/processes/{run_id}/steps/2/complete", data={"note": "Đã công bố"}
    )
    assert announced.ok, announced.text()

    # Lào Cai's officer, on a phone, finds the run and supplies the records.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = phone.new_page()
    _login(page, server, "sonv.laocai")
    page.goto(server + "/processes")
    card = page.get_by_test_id("run").filter(has_text=title)
    expect(card.get_by_test_id("holder")).to_contain_text("Sở Nội vụ tỉnh Lào Cai")
    page.get_by_test_id("start").locator("summary").click()  # a province starts its own too
    expect(page.locator("input[name=subject]")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    card.get_by_role("link", name=title).click()
    page.fill("textarea[name=note]", "Đã gửi 48 hồ sơ tuyển dụng năm 2024-2025")
    page.get_by_role("button", name="Hoàn thành bước này").click()
    expect(page.get_by_test_id("flash")).to_have_text("Đã hoàn thành bước 3.")

    # The inspectorate's verification, begun 35 days ago, was due 5 days ago.
    with demo_store.session() as session:
        verify = session.get_one(ProcessRun, run_id).steps[3]
        assert verify.started_at is not None and verify.due_at is not None
        verify.started_at -= timedelta(days=35)
        verify.due_at -= timedelta(days=35)
    # On the list the late step and who holds it stand out ...
    page.goto(server + "/processes?late=1")
    card = page.get_by_test_id("run").filter(has_text=title)
    expect(card).to_have_class(re.compile(r"\bis-late\b"))
    expect(card.get_by_test_id("late")).to_have_text("Trễ 5 ngày")
    expect(card.get_by_test_id("holder")).to_contain_text("Thanh tra Bộ")
    # ... and on the timeline, in red.
    card.get_by_role("link", name=title).click()
    late = page.get_by_test_id("step").nth(3)
    expect(late).to_have_class(re.compile(r"\bis-late\b"))
    expect(late.get_by_test_id("late")).to_have_text("Trễ 5 ngày")
    expect(late.get_by_test_id("holder")).to_have_text("Đơn vị giữ: Thanh tra Bộ")
    assert page.get_by_test_id("complete-form").count() == 0
    colour = late.get_by_test_id("late").evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(179, 38, 30)"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    backend = request.node.callspec.params.get("demo_store", "")
    name = "process-run.png" if backend == "sqlite" else f"process-run-{backend}.png"
    page.screenshot(path=str(screenshots / name), full_page=True)

    # The inspectorate finishes its verification: the open page follows by itself.
    verified = inspector.request.post(
        f"{server}/api/processes/{run_id}/steps/4/complete", data={"note": "Đã xác minh"}
    )
    assert verified.ok, verified.text()
    expect(page.get_by_test_id("step").nth(3)).to_have_attribute("data-state", "done")
    expect(page.get_by_test_id("step").nth(4)).to_have_attribute("data-state", "active")
    inspector.close()
    phone.close()
