"""The audit trail's safety net: every change and every refusal is recorded once, with who,
what, when, from where and the outcome, whether or not the service audited it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from noivu_ioc.store import OpStore
from noivu_ioc.store.models import AuditEvent
from tests.factories import login


def _since(store: OpStore, after: int) -> list[tuple[str | None, str, str | None, str]]:
    with store.session() as session:
        return [
            (e.username, e.action, e.target, e.outcome)
            for e in session.scalars(
                select(AuditEvent).where(AuditEvent.id > after).order_by(AuditEvent.id)
            )
        ]


def _mark(store: OpStore) -> int:
    with store.session() as session:
        return max(session.scalars(select(AuditEvent.id)).all() or [0])


def test_a_change_no_service_audits_is_recorded_with_its_outcome(
    client: TestClient, demo_store: OpStore
) -> None:
    login(client, "vanhanh")
    before = _mark(demo_store)
    checked = client.post(
        "/api/alert-rules/check",
        json={
            "name": "kiem-tra-nhat-ky",
            "title_vi": "Kiểm tra",
            "title_en": "Check",
            "kind": "event",
            "severity": "minor",
            "config": {"kinds": ["device"]},
        },
    )
    assert checked.status_code == 200, checked.text
    invalid = client.post("/api/alert-rules/check", json={"name": 5})
    assert invalid.status_code == 422
    entries = _since(demo_store, before)
    assert ("vanhanh", "request", "POST /api/alert-rules/check", "ok") in entries
    assert ("vanhanh", "request", "POST /api/alert-rules/check", "failed") in entries
    with demo_store.session() as session:
        row = session.scalars(
            select(AuditEvent).where(AuditEvent.id > before).order_by(AuditEvent.id)
        ).first()
        assert row is not None and row.client == "testclient"
        assert row.detail is not None and row.detail["status"] == 200


def test_a_refusal_is_recorded_once(client: TestClient, demo_store: OpStore) -> None:
    login(client, "sonv.laocai")
    before = _mark(demo_store)
    refused = client.post("/api/alert-rules", json={"name": "x"})
    assert refused.status_code == 403
    entries = _since(demo_store, before)
    assert entries == [("sonv.laocai", "authorize", "POST /api/alert-rules", "denied")]


def test_a_forged_session_cookie_is_refused_and_recorded(
    client: TestClient, demo_store: OpStore
) -> None:
    client.cookies.clear()
    before = _mark(demo_store)
    client.cookies.set("ioc_session", "gia-mao-" + "x" * 40)
    answer = client.get("/api/me")
    assert answer.status_code == 401
    assert "x" * 40 not in answer.text  # nothing of the cookie comes back
    anonymous = TestClient(client.app)  # type: ignore[arg-type]
    assert anonymous.get("/api/me").status_code == 401  # no cookie: not a refusal to record
    client.cookies.clear()
    assert _since(demo_store, before) == [(None, "request", "GET /api/me", "denied")]


def test_reads_refused_as_bad_input_are_recorded_and_mistyped_addresses_are_not(
    client: TestClient, demo_store: OpStore
) -> None:
    client.cookies.clear()
    before = _mark(demo_store)
    beyond = client.get("/api/ledger/proof/inclusion", params={"idx": 0, "size": 10**9})
    assert beyond.status_code == 422 and "is beyond the log" in beyond.text
    assert client.get("/api/khong-co-trang-nay").status_code == 404
    login(client, "sonv.laocai")
    forged = client.get("/api/records/person", params={"province": "15' OR '1'='1"})
    assert forged.status_code == 422
    assert "sqlite" not in forged.text and "postgresql" not in forged.text  # nothing leaks
    entries = [e for e in _since(demo_store, before) if e[1] != "login"]
    assert entries == [
        (None, "request", "GET /api/ledger/proof/inclusion", "failed"),
        ("sonv.laocai", "request", "GET /api/records/person", "failed"),
    ]
