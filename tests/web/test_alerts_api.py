"""Alerts through the API: an operator defines rules, evaluates them, and the alerts they
raise are listed, acknowledged and resolved only within each viewer's scope."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from noivu_ioc.ingest import events
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import Alert, AlertRule, Event
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
