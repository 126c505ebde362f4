"""The record page in a real Chromium: the "verified" mark is computed by the page's own
script (WebCrypto SHA-256 over each version's data, the audit paths, the head's Ed25519
signature under the published key), in Vietnamese and in English; an entry whose stored data
was edited turns it into a failure that names the entry.
Screenshot: test-output/screenshots/ledger-record.png."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import update

from noivu_ioc.ledger import log as ledger_log
from noivu_ioc.store.models import LedgerEntry
from tests.factories import log_in_page
from tests.ledger.conftest import Seeded
from tests.ledger.factories import tampering

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_the_browser_verifies_the_history(
    page: Page,
    served: str,
    seeded: Seeded,
    screenshots: Path,
) -> None:
    path = f"/ledger/records/person:{seeded.laocai}"
    log_in_page(page, served, "sonv.laocai", path)
    page.goto(served + path)
    verdict = page.get_by_test_id("verdict")
    expect(verdict).to_have_attribute("data-state", "verified")
    expect(page.get_by_test_id("verified-mark")).to_have_text("Đã xác minh")
    checks = page.get_by_test_id("entry-check")
    expect(checks).to_have_count(3)
    expect(checks).to_have_text(["đã xác minh"] * 3)
    expect(page.get_by_test_id("version").nth(2)).to_contain_text("Điều chuyển")
    page.screenshot(path=str(screenshots / "ledger-record.png"), full_page=True)

    page.goto(served + path + "?lang=en")
    expect(page.get_by_test_id("verified-mark")).to_have_text("Verified")
    expect(page.get_by_test_id("download")).to_have_attribute(
        "href", f"/api/ledger/records/person:{seeded.laocai}"
    )


def test_an_edited_entry_fails_in_the_browser(page: Page, served: str, seeded: Seeded) -> None:
    key = f"person:{seeded.laocai}"
    with seeded.store.session() as session:
        entry = ledger_log.history(session, key)[1]
        idx, original = entry.idx, entry.data
    edited = original.replace('"grade"', '"title"')
    assert edited != original
    try:
        with tampering(seeded.store) as session:
            session.execute(update(LedgerEntry).where(LedgerEntry.idx == idx).values(data=edited))
        log_in_page(page, served, "sonv.laocai", f"/ledger/records/{key}?lang=en")
        page.goto(served + f"/ledger/records/{key}?lang=en")
        expect(page.get_by_test_id("verdict")).to_have_attribute("data-state", "failed")
        expect(page.get_by_test_id("verified-mark")).to_have_text("Verification failed")
        expect(page.get_by_test_id("verdict-problems")).to_contain_text(
            f"Entry {idx}: its data does not give the stated leaf hash."
        )
    finally:
        with tampering(seeded.store) as session:
            session.execute(update(LedgerEntry).where(LedgerEntry.idx == idx).values(data=original))
