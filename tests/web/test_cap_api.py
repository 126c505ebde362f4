"""CAP 1.2 through the API: an operator posts a storm warning from the national forecasting
centre and an event rule turns it into alerts; bad messages are refused with the reason;
an alert is fetched as CAP (validating against the schema) only within the viewer's scope,
and its published messages are listed and fed as Atom within that scope too."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import etree  # type: ignore[import-untyped]
from sqlalchemy import String, cast, delete, or_, select

from noivu_ioc.operations import cap
from noivu_ioc.operations.evaluate import evaluate_rules
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import Alert, AlertRule, AuditEvent, CapMessage, Event
from tests.factories import login

DATA = Path(__file__).parent.parent / "data" / "cap"
CAP_XML = {"content-type": "application/cap+xml"}


def _sample(name: str, marker: str) -> bytes:
    """A sample message whose identifiers (and references) carry the test's marker, so that
    tests sharing the demo store never see each other's messages."""
    data = (DATA / name).read_bytes()
    for stem in (b"VN-NCHMF-2026-BAO05-", b"VN-KTTV-LC-2026-LQ-"):
        data = data.replace(stem, stem + marker.encode() + b"-")
    return data


@pytest.fixture
def marker(demo_store: OpStore) -> Iterator[str]:
    """A marker for what a test creates, and the cleanup of everything that carries it."""
    mark = uuid.uuid4().hex[:8]
    yield mark
    with demo_store.session() as session:
        rules = list(session.scalars(select(AlertRule.id).where(AlertRule.name.contains(mark))))
        alerts = list(
            session.scalars(
                select(Alert.id).where(or_(Alert.rule_id.in_(rules), Alert.subject.contains(mark)))
            )
        )
        session.execute(
            delete(CapMessage).where(
                or_(CapMessage.identifier.contains(mark), CapMessage.alert_id.in_(alerts))
            )
        )
        session.execute(delete(Alert).where(Alert.id.in_(alerts)))
        session.execute(delete(AlertRule).where(AlertRule.id.in_(rules)))
        session.execute(
            delete(Event).where(
                or_(
                    Event.subject.contains(mark),
                    Event.message.contains(mark),
                    cast(Event.payload, String).contains(mark),
                )
            )
        )


def _cap_rule(client: TestClient, marker: str) -> str:
    name = f"cap-{marker}"
    created = client.post(
        "/api/alert-rules",
        json={
            "name": name,
            "title_vi": "Cảnh báo thiên tai từ cơ quan dự báo",
            "title_en": "Natural hazard warning from a forecasting service",
            "kind": "event",
            "config": {"kinds": ["cap.alert"], "min_severity": "warning"},
        },
    )
    assert created.status_code == 201, created.text
    return name


def _evaluate(client: TestClient) -> None:
    situation = client.app.state.situation  # type: ignore[attr-defined]
    result = evaluate_rules(client.app.state.store, situation.evaluator, situation.registry)  # type: ignore[attr-defined]
    assert result.failed == []


def _alerts_of(demo_store: OpStore, rule: str) -> dict[str | None, tuple[str, str, int]]:
    with demo_store.session() as session:
        rows = session.scalars(
            select(Alert)
            .join(AlertRule, AlertRule.id == Alert.rule_id)
            .where(AlertRule.name == rule)
        )
        return {a.admin_code: (a.state, a.severity, a.occurrences) for a in rows}


def test_a_storm_warning_from_another_system_becomes_alerts(
    client: TestClient, demo_store: OpStore, marker: str
) -> None:
    login(client, "vanhanh")
    rule = _cap_rule(client, marker)

    storm = _sample("storm-warning.xml", marker)
    posted = client.post("/api/cap", content=storm, headers=CAP_XML)
    assert posted.status_code == 201, posted.text
    receipt = posted.json()
    assert receipt["repeat"] is False and len(receipt["event_ids"]) == 2
    assert receipt["event_id"] == receipt["event_ids"][0]
    with demo_store.session() as session:
        event = session.get(Event, receipt["event_id"])
        assert event is not None
        assert (event.kind, event.severity, event.admin_code) == ("cap.alert", "major", "22")
        assert event.subject == (
            f"cap:canhbao@nchmf.gov.vn:VN-NCHMF-2026-BAO05-{marker}-0917-01:22"
        )

    _evaluate(client)
    assert _alerts_of(demo_store, rule) == {
        "22": ("active", "major", 1),
        "31": ("active", "major", 1),
    }

    again = client.post("/api/cap", content=storm, headers={"content-type": "application/xml"})
    assert again.status_code == 200 and again.json()["repeat"] is True
    assert again.json()["id"] == receipt["id"]
    changed = storm.replace("hướng vào".encode(), "tiến nhanh vào".encode(), 1)
    conflict = client.post("/api/cap", content=changed, headers=CAP_XML)
    assert conflict.status_code == 409
    assert f"message {receipt['id']}" in conflict.json()["error"]["message"]

    update = client.post("/api/cap", content=_sample("storm-update.xml", marker), headers=CAP_XML)
    assert update.status_code == 201, update.text
    _evaluate(client)
    assert _alerts_of(demo_store, rule) == {
        "22": ("active", "critical", 2),
        "31": ("active", "critical", 2),
    }
    cancel = client.post("/api/cap", content=_sample("storm-cancel.xml", marker), headers=CAP_XML)
    assert cancel.status_code == 201, cancel.text
    assert {s for s, _, _ in _alerts_of(demo_store, rule).values()} == {"resolved"}

    mine = client.get("/api/cap/messages", params={"direction": "in"}).json()
    ours = [m for m in mine if marker in m["identifier"]]
    assert [m["msg_type"] for m in ours] == ["Cancel", "Update", "Alert"]
    assert ours[-1]["headline"].startswith("Tin bão khẩn cấp")
    client.cookies.clear()
    login(client, "sonv.hanoi")  # Hà Nội is not among the provinces the storm concerns
    hanoi = client.get("/api/cap/messages", params={"direction": "in"}).json()
    assert [m for m in hanoi if marker in m["identifier"]] == []


def _refused(client: TestClient, data: bytes, status: int, content_type: str) -> str:
    response = client.post("/api/cap", content=data, headers={"content-type": content_type})
    assert response.status_code == status, response.text
    message: str = response.json()["error"]["message"]
    return message


def test_bad_messages_are_refused_with_the_reason_and_recorded(
    client: TestClient, demo_store: OpStore, marker: str
) -> None:
    login(client, "vanhanh")
    storm = _sample("storm-warning.xml", marker)
    cases = [
        (storm.replace(b"</event>", b"</even>", 1), 422, "not well-formed XML"),
        (storm.replace(b"cap:1.2", b"cap:1.1"), 422, "an older CAP version"),
        (storm.replace(b"<msgType>Alert</msgType>", b""), 422, "expected <msgType>"),
        (
            storm.replace(b"<certainty>Likely</certainty>", b"<certainty>Sure</certainty>", 1),
            422,
            "<certainty> 'Sure' is not one of",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<alert><!-- " + marker.encode() + b" -->&x;</alert>",
            422,
            "DOCTYPE",
        ),
        (storm + b"<!--" + b" " * cap.MAX_BYTES + b"-->", 413, "more than the limit"),
    ]
    for data, status, expected in cases:
        assert expected in _refused(client, data, status, "application/cap+xml")
    assert "is not CAP" in _refused(client, storm, 415, "text/plain")

    with demo_store.session() as session:
        kept = list(
            session.scalars(
                select(Event).where(
                    Event.kind == "cap.rejected", cast(Event.payload, String).contains(marker)
                )
            )
        )
        assert len(kept) == len(cases) + 1
        assert all(e.severity == "warning" and e.payload for e in kept)
        assert (
            session.scalar(select(CapMessage.id).where(CapMessage.identifier.contains(marker)))
            is None
        )
        failed = session.scalar(
            select(AuditEvent)
            .where(AuditEvent.action == "cap.receive", AuditEvent.outcome == "failed")
            .order_by(AuditEvent.id.desc())
            .limit(1)
        )
        assert failed is not None and failed.username == "vanhanh"

    client.cookies.clear()
    login(client, "lanhdao")  # leaders handle alerts but do not manage their sources
    assert client.post("/api/cap", content=storm, headers=CAP_XML).status_code == 403
    client.cookies.clear()
    assert client.post("/api/cap", content=storm, headers=CAP_XML).status_code == 401


def test_an_alert_as_cap_validates_chains_and_stays_in_scope(
    client: TestClient, demo_store: OpStore, marker: str
) -> None:
    login(client, "vanhanh")
    _cap_rule(client, marker)
    landslide = _sample("landslide-laocai.xml", marker)
    assert client.post("/api/cap", content=landslide, headers=CAP_XML).status_code == 201
    _evaluate(client)
    with demo_store.session() as session:
        alert = session.scalar(select(Alert).where(Alert.subject.contains(marker)))
        assert alert is not None and alert.admin_code == "02683"  # a commune of Lào Cai
        alert_id = alert.id

    client.cookies.clear()
    login(client, "sonv.hanoi")
    refused = client.get(f"/api/alerts/{alert_id}/cap")
    assert refused.status_code == 403
    assert "outside your scope" in refused.json()["error"]["message"]

    client.cookies.clear()
    login(client, "sonv.laocai")
    fetched = client.get(f"/api/alerts/{alert_id}/cap")
    assert fetched.status_code == 200
    assert fetched.headers["content-type"].startswith("application/cap+xml")
    assert cap.schema().validate(etree.fromstring(fetched.content))
    first = cap.parse_message(fetched.content)
    assert (first.msg_type, first.identifier) == ("Alert", f"urn:moha:ioc:alert:{alert_id}:1")
    assert client.get(f"/api/alerts/{alert_id}/cap").content == fetched.content

    assert client.post(f"/api/alerts/{alert_id}/acknowledge").status_code == 200
    second = cap.parse_message(client.get(f"/api/alerts/{alert_id}/cap").content)
    assert second.msg_type == "Update"
    assert [r.identifier for r in second.references] == [first.identifier]
    assert client.post(f"/api/alerts/{alert_id}/resolve").status_code == 200
    third = cap.parse_message(client.get(f"/api/alerts/{alert_id}/cap").content)
    assert third.msg_type == "Cancel"
    assert [r.identifier for r in third.references] == [second.identifier]

    received = client.get("/api/cap/messages", params={"direction": "in"}).json()
    assert [m["msg_type"] for m in received if marker in m["identifier"]] == ["Alert"]
    published = [
        m
        for m in client.get("/api/cap/messages", params={"direction": "out"}).json()
        if m["alert_id"] == alert_id
    ]
    assert [m["msg_type"] for m in published] == ["Cancel", "Update", "Alert"]
    one = client.get(f"/api/cap/messages/{published[-1]['id']}")
    assert one.status_code == 200 and cap.parse_message(one.content).identifier == first.identifier
    feed = client.get("/api/cap/feed")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    atom = etree.fromstring(feed.content)
    ns = {"a": "http://www.w3.org/2005/Atom", "cap": cap.NS}
    ids = atom.xpath("a:entry/a:id/text()", namespaces=ns)
    assert {first.identifier, second.identifier, third.identifier} <= set(ids)
    inline = atom.xpath("a:entry/a:content/cap:alert", namespaces=ns)
    assert inline and all(cap.schema().validate(etree.ElementTree(a)) for a in inline)

    client.cookies.clear()
    login(client, "sonv.hanoi")
    assert client.get(f"/api/cap/messages/{published[-1]['id']}").status_code == 403
    hanoi_all = client.get("/api/cap/messages").json()
    assert alert_id not in [m["alert_id"] for m in hanoi_all]
    assert [m for m in hanoi_all if marker in m["identifier"]] == []
    hanoi_feed = etree.fromstring(client.get("/api/cap/feed").content)
    assert first.identifier not in hanoi_feed.xpath("a:entry/a:id/text()", namespaces=ns)
