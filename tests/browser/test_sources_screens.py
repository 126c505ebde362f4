"""The connection monitor and quarantine in a real browser, over the demo's sources: a data
steward watches the sources, tests a connection, syncs one, translates a local religion name
found in quarantine and replays the rejected rows; a provincial steward sees only their
province's source. Screenshots go under test-output/screenshots."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect

from noivu_ioc.demo import DEMO_PASSWORD, prepare_store
from noivu_ioc.demo_sources import prepare_sources
from noivu_ioc.generate import generate_into
from noivu_ioc.ingest.sync import IngestContext
from noivu_ioc.settings import Settings
from noivu_ioc.store import OpStore
from noivu_ioc.store.secrets import secret_box
from noivu_ioc.warehouse import Warehouse
from noivu_ioc.web.app import create_app
from tests.browser.conftest import _free_port

pytestmark = pytest.mark.browser


@dataclass
class DemoServer:
    url: str
    warehouse: Warehouse

    def pending(self, reason: str = "") -> int:
        """Pending quarantine entries of the religion database (with ``reason`` in them)."""
        return int(
            self.warehouse.scalar(
                "SELECT count(*) FROM _quarantine WHERE status = 'pending' AND source_id = "
                "(SELECT max(source_id) FROM _load "
                "WHERE description LIKE 'sync of csdl-ton-giao%') AND reasons LIKE ?",
                [f"%{reason}%"],
            )
        )


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[DemoServer]:
    """The IOC with the demo's sources synced once, its scheduler running."""
    settings = Settings(data_dir=tmp_path, scheduler=True)
    store = OpStore(f"sqlite:///{tmp_path / 'ioc.sqlite3'}")
    prepare_store(store)
    warehouse = Warehouse(tmp_path / "warehouse.duckdb")
    generate_into(warehouse, "demo", 11)
    prepare_sources(IngestContext(store, warehouse, settings, secret_box(settings)))
    port = _free_port()
    app = create_app(settings, store, warehouse)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):  # start-up poll, not a time limit on the test
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield DemoServer(f"http://127.0.0.1:{port}", warehouse)
    server.should_exit = True
    thread.join()
    warehouse.close()
    store.dispose()


def _login(browser: Browser, base: str, username: str, width: int = 1600) -> Page:
    page = browser.new_page(viewport={"width": width, "height": 1000})
    page.goto(base + "/login?next=/sources")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    return page


def test_the_steward_watches_tests_and_syncs_the_sources(
    browser: Browser, demo_server: DemoServer, screenshots: Path
) -> None:
    page = _login(browser, demo_server.url, "dulieu")
    pending = demo_server.pending()
    assert pending > 0

    expect(page.locator("h1")).to_have_text("Giám sát kết nối nguồn dữ liệu")
    rows = page.locator("[data-testid=monitor] tbody tr")
    expect(rows).to_have_count(3)
    religion = page.locator("tr[data-source=csdl-ton-giao]")
    expect(religion).to_contain_text("CSDL Tôn giáo (Ban Tôn giáo Chính phủ)")
    expect(religion.get_by_test_id("health")).to_have_text("Bình thường")
    expect(religion.locator("a[href='/quarantine?source=csdl-ton-giao']")).to_have_text(
        str(pending)
    )
    # the run-time sparkline is drawn by the vendored ECharts
    expect(religion.locator(".spark svg")).to_have_count(1)
    page.screenshot(path=str(screenshots / "sources-monitor.png"), full_page=True)

    religion.locator("a", has_text="CSDL Tôn giáo").click()
    expect(page.locator("h1")).to_contain_text("CSDL Tôn giáo")
    page.get_by_test_id("test").click()
    expect(page.get_by_test_id("test-result")).to_contain_text("Kết nối được.")
    runs = page.locator("[data-testid=runs] tbody tr")
    expect(runs).to_have_count(1)

    page.get_by_test_id("sync-now").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Đã yêu cầu đồng bộ")
    for _ in range(100):  # the scheduler runs the sync in the background
        page.reload()
        if runs.count() == 2 and "Thành công" in runs.first.inner_text():
            break
        time.sleep(0.2)
    expect(runs).to_have_count(2)
    expect(runs.first).to_contain_text("Yêu cầu")
    expect(runs.first).to_contain_text("Thành công")
    expect(page.locator("#runs-chart canvas")).to_have_count(1)
    page.screenshot(path=str(screenshots / "source-detail.png"), full_page=True)
    page.close()


def test_the_steward_translates_a_value_and_replays_quarantine(
    browser: Browser, demo_server: DemoServer, screenshots: Path
) -> None:
    page = _login(browser, demo_server.url, "dulieu")
    page.goto(demo_server.url + "/quarantine?source=csdl-ton-giao")
    pending, local_name = demo_server.pending(), demo_server.pending("Đạo Hòa Hảo")
    assert local_name == 2

    expect(page.locator("h1")).to_have_text("Dữ liệu bị loại")
    entries = page.locator("[data-testid=entries] tbody tr")
    expect(entries).to_have_count(pending)
    entries.filter(has_text="Đạo Hòa Hảo").first.locator("a").click()
    detail = page.get_by_test_id("entry")
    expect(detail).to_contain_text("is not a code of Tôn giáo (religion)")
    page.screenshot(path=str(screenshots / "quarantine-entry.png"), full_page=True)

    form = detail.locator("form[action='/quarantine/translate']")
    form.locator("select[name=field]").select_option("religion")
    form.locator("input[name=value]").fill("Đạo Hòa Hảo")
    form.locator("input[name=code]").fill("03")
    page.get_by_test_id("translate").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Đã thêm quy đổi mã vào ánh xạ")

    page.goto(demo_server.url + "/quarantine?source=csdl-ton-giao")
    page.get_by_test_id("replay").click()
    expect(page.get_by_test_id("flash")).to_contain_text(
        f"Đã nạp lại {pending} dòng: 2 dòng vào kho, {pending - 2} dòng vẫn bị loại."
    )
    expect(page.locator("[data-testid=entries] tbody tr")).to_have_count(pending - 2)
    page.screenshot(path=str(screenshots / "quarantine-after-replay.png"), full_page=True)
    page.close()


def test_a_provincial_steward_sees_their_province_only(
    browser: Browser, demo_server: DemoServer, screenshots: Path
) -> None:
    page = _login(browser, demo_server.url, "dulieu.laocai", width=1280)

    rows = page.locator("[data-testid=monitor] tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Sở Nội vụ Lào Cai")
    page.goto(demo_server.url + "/sources/csdl-ton-giao")
    expect(page.locator("main")).to_contain_text("outside your scope")
    page.goto(demo_server.url + "/sources?lang=en")
    expect(page.locator("h1")).to_have_text("Connection monitor")
    page.screenshot(path=str(screenshots / "sources-monitor-lao-cai-en.png"), full_page=True)
    page.close()
