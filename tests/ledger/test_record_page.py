"""The record page in a real Chromium: the "verified" mark is computed by the page's own
script (WebCrypto SHA-256 over each version's data, the audit paths, the head's Ed25519
signature under the published key), in Vietnamese and in English; an entry whose stored data
was edited turns it into a failure that names the entry, and so does a head signed by a
retired key after its successor had signed.
Screenshot: test-output/screenshots/ledger-record.png."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import delete, update

from noivu_ioc.ledger import heads
from noivu_ioc.ledger import log as ledger_log
from noivu_ioc.ledger.audit import seal_audit
from noivu_ioc.store.models import LedgerEntry, LedgerHead
from noivu_ioc.warehouse import Warehouse
from noivu_ioc.web.app import create_app
from tests.factories import log_in_page
from tests.ledger.conftest import Seeded, serving
from tests.ledger.factories import tampering, write_audit

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
    # The changed religion is counted, not named.
    expect(page.get_by_test_id("fields").nth(1)).to_have_text(
        "grade, grade_date; 1 trường dữ liệu cá nhân"
    )
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


def test_a_retired_key_is_not_trusted_after_its_successor_signed(
    page: Page, seeded: Seeded, demo_warehouse: Warehouse
) -> None:
    """A head that a retired key signed after its successor had signed fails in the browser,
    though its signature verifies under that key: the page trusts a retired key only below
    the ``succeeded_at`` size the log publishes for it. (Last in the module: it grows the
    log; the heads it adds are taken out again.)"""
    retired = heads.Signer.of(Ed25519PrivateKey.generate())
    settings = seeded.settings.model_copy(
        update={"ledger_retired_keys": {"2025": retired.public_b64}}
    )
    made = []
    for signer in (retired, heads.log_signer(seeded.settings), retired):
        write_audit(seeded.store, 1)
        seal_audit(seeded.store)
        with seeded.store.session() as session:
            head = heads.sign_in(session, signer)
            assert head is not None
            made.append(head.tree_size)
    key = f"person:{seeded.laocai}"
    try:
        with serving(create_app(settings, seeded.store, demo_warehouse), seeded.store) as base:
            published = page.request.get(base + "/api/ledger/public-key").json()
            assert published["retired"][0]["succeeded_at"] == made[1]
            log_in_page(page, base, "sonv.laocai", f"/ledger/records/{key}?lang=en")
            page.goto(base + f"/ledger/records/{key}?lang=en")
            expect(page.get_by_test_id("verdict")).to_have_attribute("data-state", "failed")
            expect(page.get_by_test_id("verdict-problems")).to_contain_text(
                "The head names a key other than the published public key."
            )
    finally:
        with tampering(seeded.store) as session:
            session.execute(delete(LedgerHead).where(LedgerHead.tree_size.in_(made)))
