"""Alerts through the API: an operator defines rules, evaluates them, and the alerts they
raise are listed, acknowledged and resolved only within each viewer's scope."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from noivu_ioc.ingest import events
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import Alert, AlertRule, AuditEvent, Event
from tests.factories import login


def test_rules_alerts_and_their_scope(client: TestClient, demo_store: OpStore) -> None:
    marker = uuid.uuid4().hex[:6]
    rule = {
        "name": f"thiet-bi-{marker}",
        "title_vi": "Thiết bị báo lỗi",
        "kind": "event",
        "config": {"kinds": [f"device.{marker}"], "min_severity": "warning"},
    }
    login(client, "lanhdao")
    assert client.post("/api/alert-rules", json=rule).status_code == 403
    client.cookies.clear()
    login(client, "vanhanh")
    missing = client.post(
        "/api/alert-rules",
        json={
            **rule,
            "kind": "indicator",
            "config": {"indicator": "x.y", "condition": "above", "threshold": 1},
        },
    )
    assert missing.status_code == 422
    assert "indicator 'x.y' does not exist" in missing.json()["error"]["message"]
    assert client.post("/api/alert-rules", json=rule).status_code == 201
    try:
        with demo_store.session() as session:
            for code in ("01", "15"):
                events.record(
                    session,
                    kind=f"device.{marker}",
                    severity="major",
                    subject=f"KLT-{code}-{marker}",
                    message="mất kết nối",
                    admin_code=code,
                )
        evaluated = client.post("/api/alert-rules/evaluate").json()
        assert evaluated["opened"] == 2 and evaluated["failed"] == []

        def mine(c: TestClient) -> list[dict[str, object]]:
            return [a for a in c.get("/api/alerts").json() if a["rule"] == rule["name"]]

        both = mine(client)
        assert sorted(a["admin_code"] for a in both) == ["01", "15"]
        laocai = next(a for a in both if a["admin_code"] == "15")
        assert (laocai["level"], laocai["level_name"]) == (1, "cấp tỉnh")
        hanoi = next(a for a in both if a["admin_code"] == "01")

        client.cookies.clear()
        login(client, "sonv.hanoi")
        assert [a["id"] for a in mine(client)] == [hanoi["id"]]
        refused = client.post(f"/api/alerts/{laocai['id']}/acknowledge")
        assert refused.status_code == 403
        taken = client.post(f"/api/alerts/{hanoi['id']}/acknowledge").json()
        assert (taken["state"], taken["acknowledged_by"]) == ("acknowledged", "sonv.hanoi")
        twice = client.post(f"/api/alerts/{hanoi['id']}/acknowledge")
        assert twice.status_code == 409 and "by sonv.hanoi" in twice.text
        done = client.post(f"/api/alerts/{hanoi['id']}/resolve").json()
        assert (done["state"], done["resolved_by"]) == ("resolved", "sonv.hanoi")
        assert mine(client) == []
        everything = client.get("/api/alerts", params={"state": "all"}).json()
        assert hanoi["id"] in [a["id"] for a in everything]
    finally:
        with demo_store.session() as session:
            found = session.scalar(select(AlertRule).where(AlertRule.name == rule["name"]))
            if found is not None:
                session.execute(delete(Alert).where(Alert.rule_id == found.id))
                session.delete(found)
            session.execute(delete(Event).where(Event.kind.like(f"%{marker}%")))
            session.execute(delete(Event).where(Event.subject.like(f"%{marker}%")))


def _cleanup(store: OpStore, marker: str) -> None:
    with store.session() as session:
        for rule in session.scalars(select(AlertRule).where(AlertRule.name.like(f"%{marker}%"))):
            session.execute(delete(Alert).where(Alert.rule_id == rule.id))
            session.delete(rule)
        session.execute(delete(Event).where(Event.kind.like(f"%{marker}%")))
        session.execute(delete(Event).where(Event.subject.like(f"%{marker}%")))
        session.execute(delete(Event).where(Event.message.like(f"%{marker}%")))


def test_a_rule_is_checked_changed_and_deleted(client: TestClient, demo_store: OpStore) -> None:
    marker = uuid.uuid4().hex[:6]
    name = f"khen-thuong-giam-{marker}"
    rule = {
        "name": name,
        "title_vi": f"Khen thưởng giảm mạnh {marker}",
        "kind": "indicator",
        "severity": "major",
        "config": {
            "indicator": "emulation.awards",
            "condition": "change",
            "change": "percent",
            "direction": "either",
            "threshold": 0,
        },
        "remind_every_minutes": 45,
    }
    login(client, "vanhanh")
    try:
        refused = client.post(
            "/api/alert-rules/check", json={**rule, "config": {**rule["config"], "threshold": "x"}}
        )
        assert refused.status_code == 422
        assert refused.json()["error"]["message"] == (
            f"rule {name}: threshold must be a number, not 'x'"
        )
        checked = client.post("/api/alert-rules/check", json=rule).json()
        assert checked["rule"]["config"]["remind_every_minutes"] == 45
        # Any change at all breaches a zero threshold: the nation changes from year to year.
        assert len(checked["breaches"]) == 1 and checked["breaches"][0].startswith("Toàn quốc")
        # checking saved nothing
        assert all(r["name"] != name for r in client.get("/api/alert-rules").json())

        assert client.post("/api/alert-rules", json=rule).status_code == 201
        again = client.post("/api/alert-rules/check", json=rule)
        assert again.status_code == 409 and "exists already" in again.text
        editing = client.post("/api/alert-rules/check", params={"editing": name}, json=rule)
        assert editing.status_code == 200
        assert client.post("/api/alert-rules/evaluate").json()["failed"] == []
        listed = next(r for r in client.get("/api/alert-rules").json() if r["name"] == name)
        assert (listed["open_alerts"], listed["enabled"]) == (1, True)

        client.cookies.clear()
        login(client, "lanhdao")  # a leader handles alerts but does not define rules
        assert client.patch(f"/api/alert-rules/{name}", json={"enabled": False}).status_code == 403
        client.cookies.clear()
        login(client, "vanhanh")
        off = client.patch(f"/api/alert-rules/{name}", json={"enabled": False})
        assert off.status_code == 200 and off.json()["enabled"] is False
        bad = client.patch(f"/api/alert-rules/{name}", json={"severity": "huge"})
        assert bad.status_code == 422 and "severity 'huge' must be one of" in bad.text
        missing = client.patch("/api/alert-rules/khong-co", json={"enabled": True})
        assert missing.status_code == 404 and "GET /api/alert-rules" in missing.text

        busy = client.delete(f"/api/alert-rules/{name}")
        assert busy.status_code == 409 and "?force=true" in busy.json()["error"]["message"]
        gone = client.delete(f"/api/alert-rules/{name}", params={"force": "true"})
        assert gone.json() == {"deleted": name, "resolved": 1}
        assert all(r["name"] != name for r in client.get("/api/alert-rules").json())
        with demo_store.session() as session:
            actions = [
                (a.action, a.outcome)
                for a in session.scalars(
                    select(AuditEvent).where(AuditEvent.target == name).order_by(AuditEvent.id)
                )
            ]
        assert actions == [
            ("alert_rule.create", "ok"),
            ("alert_rule.update", "ok"),
            ("alert_rule.update", "failed"),
            ("alert_rule.delete", "failed"),
            ("alert_rule.delete", "ok"),
        ]
    finally:
        _cleanup(demo_store, marker)


def test_one_alert_is_read_within_scope(client: TestClient, demo_store: OpStore) -> None:
    marker = uuid.uuid4().hex[:6]
    login(client, "vanhanh")
    rule = {
        "name": f"thiet-bi-mot-{marker}",
        "title_vi": "Thiết bị báo lỗi",
        "title_en": "Device fault",
        "kind": "event",
        "config": {"kinds": [f"device.{marker}"]},
    }
    assert client.post("/api/alert-rules", json=rule).status_code == 201
    try:
        with demo_store.session() as session:
            events.record(
                session,
                kind=f"device.{marker}",
                severity="minor",
                subject=f"KLT-15-{marker}",
                message="độ ẩm cao",
                admin_code="15",
            )
        client.post("/api/alert-rules/evaluate")
        (laocai,) = [a for a in client.get("/api/alerts").json() if a["rule"] == rule["name"]]

        client.cookies.clear()
        login(client, "sonv.laocai")
        mine = client.get(f"/api/alerts/{laocai['id']}", params={"lang": "en"})
        assert mine.status_code == 200
        assert (mine.json()["message"], mine.json()["state"]) == ("độ ẩm cao", "active")
        client.cookies.clear()
        login(client, "sonv.hanoi")
        assert client.get(f"/api/alerts/{laocai['id']}").status_code == 403
        assert client.get("/api/alerts/999999999").status_code == 404
        assert laocai["id"] not in [a["id"] for a in client.get("/api/alerts?state=all").json()]
    finally:
        _cleanup(demo_store, marker)


def _page_config(html: str, element: str) -> dict[str, Any]:
    found = re.search(rf'<script type="application/json" id="{element}">(.*?)</script>', html)
    assert found is not None, element
    config: dict[str, Any] = json.loads(found.group(1))
    return config


def test_the_alert_pages_in_both_languages(client: TestClient) -> None:
    login(client, "lanhdao")
    page = client.get("/alerts")
    assert page.status_code == 200
    assert "<h1>Cảnh báo</h1>" in page.text and "/static/js/alerts.js" in page.text
    config = _page_config(page.text, "alerts-config")
    assert (config["can_handle"], config["can_open_incident"]) == (True, True)
    assert config["texts"]["alerts.acknowledge"] == "Tiếp nhận"
    assert config["texts"]["alerts.level.1"] == "cấp tỉnh"
    assert 'data-testid="rules-link"' not in page.text  # a leader does not define rules
    english = client.get("/alerts?lang=en")
    assert "<h1>Alerts</h1>" in english.text
    assert _page_config(english.text, "alerts-config")["texts"]["alerts.acknowledge"] == (
        "Acknowledge"
    )
    refused = client.get("/alerts/rules", headers={"accept": "text/html"})
    assert refused.status_code == 403 and "<html" in refused.text

    client.cookies.clear()
    login(client, "vanhanh")
    rules = client.get("/alerts/rules?lang=vi")
    assert rules.status_code == 200
    assert "<h1>Quy tắc cảnh báo</h1>" in rules.text and "Kiểm tra" in rules.text
    assert "Alert rules" in client.get("/alerts/rules?lang=en").text
