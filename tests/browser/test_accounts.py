"""An administrator's first login in a real browser: the password, then the enrolment of an
authenticator app (the QR code and the secret on the page), then the pages; the next login
asks for the code. The Content-Security-Policy blocks nothing the pages need, Swagger UI
included."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest
import uvicorn
from playwright.sync_api import Browser, expect

from noivu_ioc.settings import Settings
from noivu_ioc.store import OpStore
from noivu_ioc.warehouse import Warehouse
from noivu_ioc.web.app import create_app
from tests.browser.conftest import _free_port
from tests.factories import log_in_page, watch_csp
from tests.web.accounts_world import PASSWORD, seed

pytestmark = pytest.mark.browser


@pytest.fixture
def fresh_server(store: OpStore, tmp_path: Path, demo_warehouse: Warehouse) -> Iterator[str]:
    """The IOC on a store of its own (this test enrols an administrator), served by uvicorn."""
    seed(store)
    port = _free_port()
    app = create_app(Settings(data_dir=tmp_path, scheduler=False), store, demo_warehouse)
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=2
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):  # start-up poll, not a time limit on the test
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join()


def test_an_administrator_enrols_at_the_first_login_and_gives_the_code_after(
    browser: Browser, fresh_server: str, screenshots: Path, request: pytest.FixtureRequest
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    blocked = watch_csp(page)
    page.goto(fresh_server + "/catalog")
    expect(page.locator("h1")).to_have_text("Đăng nhập")
    page.fill("input[name=username]", "qt.moi")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")

    expect(page.get_by_test_id("totp-enrol")).to_be_visible()
    expect(page.locator("h1")).to_have_text("Bật xác thực hai lớp")
    expect(page.get_by_test_id("totp-qr").locator("svg")).to_be_visible()
    expect(page.locator("nav.mainnav")).to_have_count(0)  # nothing else to click
    suffix = request.node.callspec.params.get("store_url", "")
    page.screenshot(path=str(screenshots / f"totp-enrolment-{suffix}.png"), full_page=True)
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")

    page.fill("input[name=code]", "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.click("button[type=submit]")
    expect(page.get_by_role("alert")).to_contain_text("không phải mã ứng dụng đang hiện")
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Từ điển dữ liệu")  # where the login was headed

    page.goto(fresh_server + "/account")
    expect(page.get_by_test_id("totp-status")).to_contain_text("Đang bật")
    expect(page.get_by_test_id("sessions").locator("tbody tr")).to_have_count(1)
    page.click("text=Đăng xuất")
    expect(page.locator("h1")).to_have_text("Đăng nhập")

    page.fill("input[name=username]", "qt.moi")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.get_by_test_id("totp-step")).to_be_visible()
    later = datetime.now(UTC) + timedelta(seconds=30)  # the current code confirmed the app
    page.fill("input[name=code]", pyotp.TOTP(secret).at(later))
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Tình hình tổng thể")
    assert blocked == []
    page.close()


def test_swagger_ui_works_under_the_content_security_policy(browser: Browser, server: str) -> None:
    page = browser.new_page()
    blocked = watch_csp(page)
    page.goto(server + "/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("noivu-ioc")
    expect(page.locator(".opblock-tag").first).to_be_visible()
    assert blocked == []
    page.close()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/indicators",
        "/wall",
        "/wall/scenes",
        "/alerts",
        "/incidents",
        "/m",
        "/sources",
        "/quarantine",
        "/plans",
        "/directives",
        "/account",
        "/admin/sessions",
    ],
)
def test_the_pages_need_nothing_the_policy_blocks(browser: Browser, server: str, path: str) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    blocked = watch_csp(page)
    log_in_page(page, server, "quantri", path)
    page.wait_for_load_state("networkidle")
    assert blocked == [], blocked
    context.close()
