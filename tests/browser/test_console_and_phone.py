"""The indicator console and the leader's phone in a real browser: a leader drills from the
nation into Hà Nội and back; a provincial officer starts at their province and is refused
another; the phone page at 390 px shows the headline, what needs a decision and alerts that
arrive live; an analyst checks a definition, sees the server name a wrong field, and saves a
good one. Screenshots go under test-output/screenshots."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import delete

from noivu_ioc.demo import DEMO_PASSWORD
from noivu_ioc.ingest.events import record
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import Event
from noivu_ioc.units import admin

pytestmark = pytest.mark.browser

# Vietnamese number formatting: thousands with '.', decimals with ','
VI_NUMBER = re.compile(r"^−?\d{1,3}(\.\d{3})*(,\d+)?$")


def _login(page: Page, server: str, username: str) -> None:
    page.goto(server + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Tình hình tổng thể")


def _suffix(request: pytest.FixtureRequest) -> str:
    return str(request.node.callspec.params.get("demo_store", ""))


def _get(page: Page, url: str) -> Any:
    response = page.request.get(url)
    assert response.ok, f"{url}: {response.status} {response.text()}"
    return response.json()


def _pick(page: Page, server: str, want: str, periods: bool) -> dict[str, Any]:
    """An indicator of the library whose default cut at the viewer's root is ``want`` and
    has rows (and, with ``periods``, a trend to draw)."""
    definitions = _get(page, server + "/api/indicators")
    # rated ones first: their screenshots show the traffic lights
    for definition in sorted(definitions, key=lambda d: d["thresholds"] is None):
        if want not in definition["cuts"] or (periods and not definition["has_period"]):
            continue
        detail = _get(page, f"{server}/api/indicators/{definition['id']}")
        if (
            detail["cut"]["by"] == want
            and detail["cut"]["rows"]
            and (not periods or detail["trend"])
        ):
            return detail
    pytest.fail(f"no indicator of the library is cut by {want} at the root")


def test_leader_drills_from_the_nation_into_ha_noi_and_back(
    browser: Browser, server: str, screenshots: Path, request: pytest.FixtureRequest
) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    _login(page, server, "lanhdao")

    # the library: every domain with indicators, each with its tiles
    page.goto(server + "/indicators")
    expect(page.locator("h1")).to_have_text("Thư viện chỉ tiêu")
    expect(page.get_by_test_id("breadcrumb")).to_have_text(re.compile(r"^\s*Toàn quốc\s*$"))
    domains = {d["domain"] for d in _get(page, server + "/api/indicators")}
    assert len(domains) >= 5, domains
    expect(page.get_by_test_id("domain")).to_have_count(len(domains))
    for domain in domains:
        tiles = page.locator(f"[data-domain={domain}] [data-testid=tile]")
        expect(tiles.first).to_be_visible()
        expect(tiles.first.get_by_test_id("light")).to_have_count(1)
    # a tile says whether it is rated in words as well as colour
    expect(page.locator("[data-testid=tile][data-status=green]").first).to_contain_text("Đạt")
    page.screenshot(path=str(screenshots / f"indicators-leader-{_suffix(request)}.png"))

    detail = _pick(page, server, "province", periods=True)
    ident = detail["indicator"]["id"]
    page.locator(f"[data-testid=tile][data-id='{ident}']").click()
    expect(page).to_have_url(re.compile(rf"/indicators/{re.escape(ident)}\?place=nation$"))
    expect(page.get_by_test_id("indicator-name")).to_have_text(detail["indicator"]["name"])
    expect(page.get_by_test_id("breadcrumb")).to_have_text(re.compile(r"^\s*Toàn quốc\s*$"))
    value = page.get_by_test_id("reading-value")
    expect(value).to_have_text(VI_NUMBER)
    rows = page.locator("[data-testid=cut-table] tbody tr")
    expect(rows).to_have_count(len(detail["cut"]["rows"]))
    expect(page.locator("[data-testid=cut-chart] canvas")).to_have_count(1)
    expect(page.locator("[data-testid=trend-chart] canvas")).to_have_count(1)

    # into Hà Nội from the cut table
    page.locator("[data-testid=cut-table] a[data-place='province:01']").click()
    expect(page).to_have_url(re.compile(r"place=province:01"))
    expect(page.get_by_test_id("breadcrumb")).to_have_text(
        re.compile(r"^\s*Toàn quốc\s*›\s*(Thành phố )?Hà Nội\s*$")
    )
    expect(page.get_by_test_id("reading")).to_contain_text("Hà Nội")
    expect(page.get_by_test_id("trend-chart")).to_be_visible()
    page.screenshot(
        path=str(screenshots / f"indicator-ha-noi-leader-{_suffix(request)}.png"), full_page=True
    )

    # and back up through the breadcrumb
    page.get_by_test_id("breadcrumb").get_by_role("link", name="Toàn quốc").click()
    expect(page).to_have_url(re.compile(r"place=nation"))
    expect(page.get_by_test_id("breadcrumb")).to_have_text(re.compile(r"^\s*Toàn quốc\s*$"))
    expect(rows).to_have_count(len(detail["cut"]["rows"]))

    # another cut: a code dimension ranks its codes, with nothing to drill into
    other = next((c for c in detail["indicator"]["cuts"] if c not in ("province", "commune")), None)
    if other is not None:
        page.get_by_test_id("cut-select").select_option(other)
        expect(page).to_have_url(re.compile(rf"by={other}"))
        expect(page.locator("[data-testid=cut-table] a[data-place]")).to_have_count(0)
    page.close()


def test_provincial_officer_starts_at_their_province(
    browser: Browser, server: str, screenshots: Path, request: pytest.FixtureRequest
) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    _login(page, server, "sonv.hanoi")

    page.goto(server + "/indicators")
    expect(page.get_by_test_id("breadcrumb")).to_have_text(
        re.compile(r"^\s*(Thành phố )?Hà Nội\s*$")
    )
    detail = _pick(page, server, "commune", periods=False)
    ident = detail["indicator"]["id"]
    page.locator(f"[data-testid=tile][data-id='{ident}']").click()
    expect(page).to_have_url(re.compile(rf"/indicators/{re.escape(ident)}\?place=province:01$"))
    # their "nation" is Hà Nội: nothing above it is offered
    crumbs = page.get_by_test_id("breadcrumb")
    expect(crumbs).to_have_text(re.compile(r"^\s*(Thành phố )?Hà Nội\s*$"))
    expect(crumbs).not_to_contain_text("Toàn quốc")
    expect(page.locator("[data-testid=cut-table] tbody tr")).to_have_count(
        len(detail["cut"]["rows"])
    )
    links = page.locator("[data-testid=cut-table] a[data-place]")
    expect(links).to_have_count(len([r for r in detail["cut"]["rows"] if r["place"]]))
    for place in links.evaluate_all("els => els.map(e => e.dataset.place)"):
        level, _, code = place.partition(":")
        assert level == "commune" and admin.unit(code).province_code == "01", place
    page.screenshot(
        path=str(screenshots / f"indicator-provincial-officer-{_suffix(request)}.png"),
        full_page=True,
    )

    # another province, asked for in the browser, is refused
    response = page.goto(f"{server}/api/indicators/{ident}?place=province:15")
    assert response is not None and response.status == 403
    assert response.json()["error"]["code"] == "not_allowed"
    page.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        locale="vi-VN",
        timezone_id="Europe/Paris",
    )
    yield context
    context.close()


def test_phone_shows_the_headline_and_live_alerts(
    phone: BrowserContext,
    server: str,
    demo_store: OpStore,
    screenshots: Path,
    request: pytest.FixtureRequest,
) -> None:
    page = phone.new_page()
    _login(page, server, "lanhdao")
    page.goto(server + "/m")
    expect(page.get_by_test_id("place-label")).to_have_text("Toàn quốc")
    cards = page.get_by_test_id("mobile-card")
    expect(cards.first).to_be_visible()
    expected = _get(page, server + "/api/mobile")
    expect(cards).to_have_count(len(expected["cards"]))
    for i, card in enumerate(expected["cards"]):
        expect(cards.nth(i)).to_have_attribute("data-status", card["status"] or "none")
    expect(page.get_by_test_id("decisions")).to_be_visible()
    decisions = page.get_by_test_id("decision")
    if expected["decisions"]:
        expect(decisions.first).to_contain_text(expected["decisions"][0]["title"])
    expect(page.get_by_test_id("alerts")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # installable: the manifest starts at /m, the worker covers the whole site
    manifest = page.evaluate("document.querySelector('link[rel=manifest]').href")
    assert _get(page, manifest)["start_url"] == "/m"
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == server + "/"

    # an event recorded now reaches the open page without a reload, newest first
    expect(page.locator("#live")).to_be_visible()
    message = f"Mất kết nối thiết bị kiểm thử {uuid.uuid4().hex[:8]}"
    with demo_store.session() as session:
        event = record(
            session,
            kind="device",
            severity="major",
            subject="cam-test-01",
            message=message,
            admin_code=None,
        )
        session.flush()
        event_id = event.id
    try:
        first = page.get_by_test_id("alert-item").first
        expect(first).to_contain_text(message)
        expect(first).to_have_attribute("data-id", str(event_id))
        # shown in Vietnam's time, whatever the phone's own zone
        expect(first.locator("time")).to_have_text(re.compile(r"^\d{2}:\d{2} \d{2}/\d{2}$"))
        expect(decisions.filter(has_text=message)).to_have_count(1)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(
            path=str(screenshots / f"phone-390x844-{_suffix(request)}.png"), full_page=True
        )

        # a tile opens the console's drill-down, usable at the same width
        ident = expected["cards"][0]["id"]
        cards.first.tap()
        expect(page).to_have_url(re.compile(rf"/indicators/{re.escape(ident)}\?place=nation"))
        expect(page.get_by_test_id("reading-value")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(screenshots / f"phone-indicator-390x844-{_suffix(request)}.png"))

        # offline: the worker starts the page from its copy, the page shows its last figures
        page.goto(server + "/m")
        expect(page.get_by_test_id("status")).to_have_attribute("data-offline", "false")
        expect(cards).to_have_count(len(expected["cards"]))
        phone.set_offline(True)
        try:
            page.reload()
            status = page.get_by_test_id("status")
            expect(status).to_have_attribute("data-offline", "true")
            expect(status).to_contain_text("Ngoại tuyến")
            expect(cards).to_have_count(len(expected["cards"]))
            page.screenshot(path=str(screenshots / f"phone-offline-390x844-{_suffix(request)}.png"))
        finally:
            phone.set_offline(False)
    finally:
        with demo_store.session() as session:
            session.execute(delete(Event).where(Event.id == event_id))


BAD = """
id = "local_government.women_officials_test"
name_vi = "Thử"
name_en = "Test"
domain = "local_government"
unit = "percent"
formula = "100 * women / officials"

[measures.women]
entity = "commune_official"
value = "count(*)"
where = "gender = '2'"

[measures.officials]
entity = "commune_official"
value = "count(*)"
"""


def test_analyst_checks_and_saves_a_definition(
    browser: Browser, server: str, screenshots: Path, request: pytest.FixtureRequest
) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    _login(page, server, "phantich")
    page.goto(server + "/indicators")
    page.get_by_test_id("new-indicator").click()
    expect(page.locator("h1")).to_have_text("Thêm chỉ tiêu")
    definition = page.get_by_test_id("definition")
    # pre-filled with a working example, and the help lists the entities
    expect(definition).to_have_value(re.compile(r'entity = "commune_official"'))
    expect(page.locator("#entities details[data-entity=commune_official]")).to_have_count(1)

    definition.fill(BAD)
    page.get_by_test_id("check").click()
    error = page.get_by_test_id("check-error")
    expect(error).to_contain_text("'gender'")
    expect(error).to_contain_text("commune_official")

    ident = f"local_government.women_officials_{uuid.uuid4().hex[:6]}"
    good = BAD.replace("local_government.women_officials_test", ident).replace(
        "gender = '2'", "sex = '2'"
    )
    definition.fill(good)
    page.get_by_test_id("check").click()
    expect(page.get_by_test_id("check-value")).to_have_text(re.compile(r"^\d{1,3}(,\d) %$"))
    page.screenshot(path=str(screenshots / f"indicator-new-{_suffix(request)}.png"))
    try:
        page.get_by_test_id("save").click()
        expect(page).to_have_url(re.compile(rf"/indicators/{re.escape(ident)}$"))
        expect(page.get_by_test_id("indicator-name")).to_have_text("Thử")
        expect(page.get_by_test_id("reading-value")).to_have_text(VI_NUMBER)
    finally:
        page.request.delete(f"{server}/api/indicators/{ident}")
    page.close()


def test_small_cells_of_sensitive_figures_are_withheld_with_the_reason(
    browser: Browser, server: str, screenshots: Path, request: pytest.FixtureRequest
) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    _login(page, server, "sonv.laocai")
    ident = "personnel.ethnic_minority_share"
    detail = page.request.get(f"{server}/api/indicators/{ident}?place=province:15").json()
    rows = detail["cut"]["rows"]
    withheld = [r for r in rows if r["withheld"]]
    assert withheld, "the demo's communes of Lào Cai include small ones"
    assert all(r["value"] is None for r in withheld)
    assert any(r["value"] is not None for r in rows)
    page.goto(f"{server}/indicators/{ident}?place=province:15")
    marks = page.locator("[data-testid=cut-table] [data-testid=withheld]")
    expect(marks).to_have_count(len(withheld))
    expect(marks.first).to_have_text("ẩn")
    expect(marks.first).to_have_attribute(
        "title", "Ẩn số liệu: dưới 5 người, có thể làm lộ dữ liệu cá nhân nhạy cảm"
    )
    page.screenshot(
        path=str(screenshots / f"indicator-withheld-cells-{_suffix(request)}.png"), full_page=True
    )
    commune = withheld[0]["place"]
    panel = page.request.get(f"{server}/api/indicators/{ident}?place={commune}").json()
    assert panel["reading"]["value"] is None
    assert panel["reading"]["reason_code"] == "suppressed"
    page.close()
