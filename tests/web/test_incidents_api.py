"""Incidents through the API, on SQLite and PostgreSQL: an alert in Hà Nội becomes an
incident with tasks for Hà Nội's and Lào Cai's Departments of Home Affairs; each province
works only its own task, sees only its own task, and the incident closes with an evaluation.
Citizen reports are recorded in scope and open incidents of their own; bad input is refused
with a message that names it."""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import delete, or_, select

from noivu_ioc.ingest import events
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import (
    Alert,
    AlertRule,
    Attachment,
    AuditEvent,
    Delivery,
    Event,
    Incident,
    Notification,
    Task,
    TaskComment,
    User,
)
from tests.factories import login

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200)


def _as(client: TestClient, username: str) -> TestClient:
    client.cookies.clear()
    return login(client, username)


def _soon(days: float = 2) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def forget_incidents(store: OpStore, incident_ids: Iterable[int]) -> None:
    """Remove incidents with their tasks, comments, files, events and notifications."""
    ids = list(incident_ids)
    if not ids:
        return
    with store.session() as session:
        task_ids = list(session.scalars(select(Task.id).where(Task.incident_id.in_(ids))))
        refs = [f"incident:{i}" for i in ids] + [f"task:{t}" for t in task_ids]
        notes = select(Notification.id).where(Notification.ref.in_(refs))
        session.execute(delete(Delivery).where(Delivery.notification_id.in_(notes)))
        session.execute(delete(Notification).where(Notification.ref.in_(refs)))
        session.execute(
            delete(Attachment).where(
                or_(
                    (Attachment.owner_kind == "incident") & Attachment.owner_id.in_(ids),
                    (Attachment.owner_kind == "task") & Attachment.owner_id.in_(task_ids),
                )
            )
        )
        session.execute(delete(TaskComment).where(TaskComment.task_id.in_(task_ids)))
        session.execute(delete(Task).where(Task.id.in_(task_ids)))
        session.execute(delete(Event).where(Event.subject.in_(refs)))
        session.execute(delete(Incident).where(Incident.id.in_(ids)))


def _alert_in_hanoi(client: TestClient, store: OpStore, marker: str) -> dict[str, Any]:
    """An alert raised by an event rule on a device in Hà Nội."""
    _as(client, "vanhanh")
    rule = {
        "name": f"su-co-{marker}",
        "title_vi": "Mất kết nối thiết bị",
        "title_en": "Device offline",
        "kind": "event",
        "config": {"kinds": [f"device.{marker}"], "min_severity": "warning"},
    }
    assert client.post("/api/alert-rules", json=rule).status_code == 201
    with store.session() as session:
        events.record(
            session,
            kind=f"device.{marker}",
            severity="major",
            subject=f"KLT-01-{marker}",
            message="mất kết nối",
            admin_code="01",
        )
    assert client.post("/api/alert-rules/evaluate").status_code == 200
    alerts = client.get("/api/alerts").json()
    return next(a for a in alerts if a["rule"] == rule["name"])


def _forget_alerts(store: OpStore, marker: str) -> None:
    rule_name = f"su-co-{marker}"
    alerts = select(Alert.id).join(AlertRule).where(AlertRule.name == rule_name)
    with store.session() as session:
        incident_ids = list(
            session.scalars(select(Incident.id).where(Incident.alert_id.in_(alerts)))
        )
    forget_incidents(store, incident_ids)
    with store.session() as session:
        rule = session.scalar(select(AlertRule).where(AlertRule.name == rule_name))
        if rule is not None:
            session.execute(delete(Alert).where(Alert.rule_id == rule.id))
            session.delete(rule)
        session.execute(delete(Event).where(Event.kind.like(f"%{marker}%")))
        session.execute(delete(Event).where(Event.subject.like(f"%{marker}%")))


def _notified(store: OpStore, username: str, ref: str) -> list[str]:
    with store.session() as session:
        return list(
            session.scalars(
                select(Notification.kind)
                .join(User, User.id == Notification.user_id)
                .where(User.username == username, Notification.ref == ref)
                .order_by(Notification.id)
            )
        )


def _events_of(store: OpStore, subject: str) -> list[str]:
    with store.session() as session:
        return list(
            session.scalars(select(Event.kind).where(Event.subject == subject).order_by(Event.id))
        )


def test_alert_to_incident_to_tasks_to_closure(client: TestClient, demo_store: OpStore) -> None:
    marker = uuid.uuid4().hex[:6]
    try:
        alert = _alert_in_hanoi(client, demo_store, marker)

        # vanhanh (national operator) opens the incident from the alert, once
        opened = client.post("/api/incidents", json={"alert_id": alert["id"]})
        assert opened.status_code == 201, opened.text
        incident = opened.json()
        assert incident["title"] == "Mất kết nối thiết bị — Thành phố Hà Nội"
        assert (incident["severity"], incident["admin_code"]) == ("major", "01")
        assert (incident["origin"], incident["alert"]["id"]) == ("alert", alert["id"])
        renamed = client.post("/api/incidents", json={"alert_id": alert["id"], "title": "x"})
        assert renamed.status_code == 422 and "takes its title" in renamed.text
        again = client.post("/api/incidents", json={"alert_id": alert["id"]})
        assert again.status_code == 409
        assert f"open incident {incident['id']}" in again.json()["error"]["message"]
        path = f"/api/incidents/{incident['id']}"

        # an action plan: a task for each province's Department of Home Affairs
        hanoi_task = client.post(
            f"{path}/tasks",
            json={
                "unit": "SNV.01",
                "title": "Kiểm tra thiết bị tại chỗ",
                "resources": "2 kỹ thuật viên",
                "due_at": _soon(),
            },
        )
        assert hanoi_task.status_code == 201, hanoi_task.text
        hanoi_id = hanoi_task.json()["id"]
        assert hanoi_task.json()["unit"]["name_vi"] == "Sở Nội vụ thành phố Hà Nội"
        laocai_id = client.post(
            f"{path}/tasks",
            json={"unit": "15", "title": "Rà soát thiết bị dự phòng", "due_at": _soon(3)},
        ).json()["id"]
        photo = client.post(
            f"{path}/attachments",
            files={"file": ("hiện trường.png", b"\x89PNG\r\n\x1a\n" + bytes(32), "image/png")},
        )
        assert photo.status_code == 201, photo.text
        assert _notified(demo_store, "sonv.hanoi", f"task:{hanoi_id}") == ["task.assigned"]
        assert _notified(demo_store, "sonv.laocai", f"task:{laocai_id}") == ["task.assigned"]

        # Hà Nội sees the incident and only its own task, and works it
        _as(client, "sonv.hanoi")
        assert incident["id"] in [i["id"] for i in client.get("/api/incidents").json()]
        seen = client.get(path).json()
        assert [t["id"] for t in seen["task_list"]] == [hanoi_id]
        assert seen["task_list"][0]["can_update"] is True
        worked = client.patch(f"/api/tasks/{hanoi_id}", json={"progress": 40})
        assert worked.status_code == 200, worked.text
        assert (worked.json()["progress"], worked.json()["state"]) == (40, "in_progress")

        # ... and is refused on Lào Cai's task, with the refusal audited
        refused = client.patch(f"/api/tasks/{laocai_id}", json={"progress": 90})
        assert refused.status_code == 403
        assert "SNV.15, which is not your unit" in refused.json()["error"]["message"]
        assert (
            client.post(f"/api/tasks/{laocai_id}/comments", json={"body": "xong"}).status_code
            == 403
        )
        with demo_store.session() as session:
            denied = session.scalar(
                select(AuditEvent).where(
                    AuditEvent.action == "task.update",
                    AuditEvent.target == f"task {laocai_id}",
                    AuditEvent.outcome == "denied",
                )
            )
            assert denied is not None and denied.username == "sonv.hanoi"

        # a comment that reports progress, and a report attached as a PDF
        said = client.post(
            f"/api/tasks/{hanoi_id}/comments",
            json={"body": "Đã thay bộ nguồn, đang theo dõi", "progress": 80},
        )
        assert said.status_code == 201, said.text
        sent = client.post(
            f"/api/tasks/{hanoi_id}/attachments",
            files={"file": ("biên bản kiểm tra.pdf", PDF, "application/pdf")},
        )
        assert sent.status_code == 201, sent.text
        file_url = sent.json()["url"]
        got = client.get(file_url)
        assert got.status_code == 200 and got.content == PDF
        assert got.headers["content-type"] == "application/pdf"
        assert "filename*=UTF-8''bi%C3%AAn%20b%E1%BA%A3n" in got.headers["content-disposition"]
        task = client.get(path).json()["task_list"][0]
        assert task["progress"] == 80 and task["comments"][0]["progress"] == 80
        assert [a["filename"] for a in task["attachments"]] == ["biên bản kiểm tra.pdf"]

        # Lào Cai sees the incident through its task, not Hà Nội's task nor its file
        _as(client, "sonv.laocai")
        seen = client.get(path).json()
        assert [t["id"] for t in seen["task_list"]] == [laocai_id]
        assert client.get(file_url).status_code == 403
        assert [a["filename"] for a in seen["attachments"]] == ["hiện trường.png"]
        assert client.get(photo.json()["url"]).headers["content-type"] == "image/png"
        mine = client.get("/api/tasks", params={"mine": 1}).json()
        assert laocai_id in [t["id"] for t in mine] and hanoi_id not in [t["id"] for t in mine]
        assert client.patch(path, json={"impact": "x"}).status_code == 403

        # closing waits for the open tasks, or cancels them when asked
        _as(client, "vanhanh")
        assert "task.updated" in _notified(demo_store, "vanhanh", f"task:{hanoi_id}")
        early = client.post(f"{path}/close", json={"evaluation": "Đã xử lý", "rating": 4})
        assert early.status_code == 409
        message = early.json()["error"]["message"]
        assert f"#{hanoi_id} SNV.01" in message and f"#{laocai_id} SNV.15" in message
        edited = client.patch(
            path,
            json={
                "root_cause": "Mất điện lưới khu vực",
                "impact": "Gián đoạn 2 giờ",
                "affected_units": ["SNV.01", "00004"],
            },
        )
        assert edited.status_code == 200, edited.text
        assert [u["code"] for u in edited.json()["affected_units"]] == ["SNV.01", "UBX.00004"]
        _as(client, "sonv.hanoi")
        finished = client.patch(f"/api/tasks/{hanoi_id}", json={"progress": 100}).json()
        assert (finished["state"], finished["done_by"]) == ("done", "sonv.hanoi")
        _as(client, "vanhanh")
        closed = client.post(
            f"{path}/close",
            json={"evaluation": "Khôi phục kết nối", "rating": 4, "cancel_open_tasks": True},
        )
        assert closed.status_code == 200, closed.text
        body = closed.json()
        assert (body["state"], body["evaluation"], body["rating"]) == (
            "closed",
            "Khôi phục kết nối",
            4,
        )
        states = {t["id"]: t["state"] for t in body["task_list"]}
        assert states == {hanoi_id: "done", laocai_id: "cancelled"}
        assert client.post(f"{path}/close", json={"evaluation": "lại"}).status_code == 409
        assert client.get("/api/incidents", params={"state": "closed"}).status_code == 200

        assert _events_of(demo_store, f"task:{hanoi_id}") == [
            "task.assigned",
            "task.updated",
            "task.updated",
            "task.commented",
            "attachment.added",
            "task.done",
        ]
        assert _events_of(demo_store, f"task:{laocai_id}") == ["task.assigned", "task.cancelled"]
        assert _events_of(demo_store, f"incident:{incident['id']}") == [
            "incident.opened",
            "attachment.added",
            "incident.updated",
            "incident.closed",
        ]
        assert _notified(demo_store, "sonv.laocai", f"incident:{incident['id']}") == [
            "attachment.added",
            "incident.updated",
            "incident.closed",
        ]

        # once closed, the alert may have a new incident
        reopened = client.post("/api/incidents", json={"alert_id": alert["id"]})
        assert reopened.status_code == 201
    finally:
        _forget_alerts(demo_store, marker)


def test_bad_tasks_and_files_are_refused(client: TestClient, demo_store: OpStore) -> None:
    _as(client, "sonv.hanoi")
    opened = client.post(
        "/api/incidents",
        json={
            "title": f"Ngập úng {uuid.uuid4().hex[:6]}",
            "severity": "minor",
            "admin_code": "00004",
        },
    )
    assert opened.status_code == 201, opened.text
    incident = opened.json()
    path = f"/api/incidents/{incident['id']}"
    try:
        assert incident["place"] == "Phường Ba Đình, Thành phố Hà Nội"

        def task(**given: Any) -> Any:
            return client.post(
                f"{path}/tasks",
                json={"unit": "UBX.00004", "title": "Bơm thoát nước", "due_at": _soon()} | given,
            )

        past = task(due_at="2020-01-01T08:00:00")
        assert past.status_code == 422
        assert "01/01/2020 08:00 (Vietnam time) is not in the future" in past.text
        unknown = task(unit="SNV.99")
        assert unknown.status_code == 422 and "'SNV.99' does not exist" in unknown.text
        outside = task(unit="SNV.15")
        assert outside.status_code == 403 and "outside your scope" in outside.text
        assert task(title="  ").status_code == 422
        created = task()
        assert created.status_code == 201, created.text
        task_id = created.json()["id"]
        assert created.json()["due_at"] > datetime.now(UTC).isoformat()[:10]

        def upload(name: str, data: bytes) -> Any:
            return client.post(f"/api/tasks/{task_id}/attachments", files={"file": (name, data)})

        disguised = upload("bao-cao.pdf", WINDOWS_PROGRAM)
        assert disguised.status_code == 422
        assert "content is a Windows program (EXE or DLL)" in disguised.json()["error"]["message"]
        assert upload("anh.png", PDF).status_code == 422
        assert upload("chay.exe", WINDOWS_PROGRAM).status_code == 422
        too_big = upload("lon.txt", b"a" * (10 * 1024 * 1024 + 1))
        assert too_big.status_code == 413 and "10 MiB" in too_big.text
        workbook = io.BytesIO()
        with zipfile.ZipFile(workbook, "w") as z:
            z.writestr("[Content_Types].xml", "<Types/>")
            z.writestr("xl/workbook.xml", "<workbook/>")
        kept = upload("so-lieu.xlsx", workbook.getvalue())
        assert kept.status_code == 201, kept.text
        assert kept.json()["content_type"].endswith("spreadsheetml.sheet")

        assert client.patch(f"/api/tasks/{task_id}", json={"progress": 101}).status_code == 422
        assert client.patch(f"/api/tasks/{task_id}", json={"state": "paused"}).status_code == 422
        closing = client.post(f"{path}/close", json={"evaluation": " "})
        assert closing.status_code == 422 and "needs an evaluation" in closing.text
        assert (
            client.post(f"{path}/close", json={"evaluation": "x", "rating": 6}).status_code == 422
        )
        still_open = client.post(f"{path}/close", json={"evaluation": "Đã bơm xong"})
        assert still_open.status_code == 409 and f"#{task_id} UBX.00004" in still_open.text
        assert client.patch(path, json={"affected_units": ["UBX.99999"]}).status_code == 422

        _as(client, "phantich")
        assert client.post(f"{path}/tasks", json={"unit": "SNV.01"}).status_code == 403
        assert client.patch(f"/api/tasks/{task_id}", json={"progress": 10}).status_code == 403
    finally:
        forget_incidents(demo_store, [incident["id"]])


def test_incidents_opened_by_hand_stay_in_the_openers_scope(client: TestClient) -> None:
    _as(client, "sonv.hanoi")
    outside = client.post(
        "/api/incidents", json={"title": "Sự cố", "severity": "minor", "admin_code": "15"}
    )
    assert outside.status_code == 403 and "outside your scope" in outside.text
    national = client.post("/api/incidents", json={"title": "Sự cố", "severity": "minor"})
    assert national.status_code == 403
    no_severity = client.post("/api/incidents", json={"title": "Sự cố", "admin_code": "01"})
    assert no_severity.status_code == 422 and "needs a severity" in no_severity.text
    both = client.post("/api/incidents", json={"alert_id": 1, "report_event_id": 1})
    assert both.status_code == 422
    _as(client, "phantich")
    analyst = client.post(
        "/api/incidents", json={"title": "Sự cố", "severity": "minor", "admin_code": "01"}
    )
    assert analyst.status_code == 403
    assert client.get("/api/incidents/999999999").status_code == 404


def test_citizen_reports_in_scope_and_their_incidents(
    client: TestClient, demo_store: OpStore
) -> None:
    marker = uuid.uuid4().hex[:6]
    report = {
        "admin_code": "00004",
        "title": f"Cây đổ chắn đường {marker}",
        "text": "Cây lớn đổ chắn ngang phố sau mưa, xe không qua được.",
        "reporter_name": "Nguyễn Văn A",
        "reporter_phone": "0912 345 678",
    }
    _as(client, "sonv.hanoi")
    recorded = client.post("/api/field-reports", json=report)
    assert recorded.status_code == 201, recorded.text
    event_id = recorded.json()["id"]
    incident_ids: list[int] = []
    try:
        with demo_store.session() as session:
            event = session.get(Event, event_id)
            assert event is not None
            assert (event.kind, event.severity, event.admin_code) == (
                "report.citizen",
                "warning",
                "00004",
            )
            assert event.subject == "commune:00004"
            assert event.payload is not None and event.payload["text"] == report["text"]

        for bad, status, says in (
            ({"admin_code": "99999"}, 422, "is not a unit after"),
            ({"admin_code": "ha noi"}, 422, "is not valid"),
            ({"admin_code": "02647"}, 403, "outside your scope"),
            ({"reporter_phone": "gọi sau"}, 422, "is not a phone number"),
            ({"text": ""}, 422, "needs its text"),
        ):
            refused = client.post("/api/field-reports", json=report | bad)
            assert refused.status_code == status, (bad, refused.text)
            assert says in refused.json()["error"]["message"]

        listed = [r for r in client.get("/api/field-reports").json() if r["id"] == event_id]
        assert listed[0]["reporter_phone"] == "0912 345 678"
        assert listed[0]["incident_id"] is None

        opened = client.post("/api/incidents", json={"report_event_id": event_id})
        assert opened.status_code == 201, opened.text
        incident_ids.append(opened.json()["id"])
        assert opened.json()["title"] == report["title"]
        assert (opened.json()["origin"], opened.json()["admin_code"]) == ("report", "00004")
        assert opened.json()["report"]["text"] == report["text"]
        twice = client.post("/api/incidents", json={"report_event_id": event_id})
        assert twice.status_code == 409
        listed = [r for r in client.get("/api/field-reports").json() if r["id"] == event_id]
        assert listed[0]["incident_id"] == incident_ids[0]

        with demo_store.session() as session:
            other = events.record(
                session, kind="device", severity="minor", subject=marker, message="x"
            )
            session.flush()
            other_id = other.id
        not_a_report = client.post("/api/incidents", json={"report_event_id": other_id})
        assert not_a_report.status_code == 422 and "not a citizen report" in not_a_report.text

        _as(client, "sonv.laocai")
        assert event_id not in [r["id"] for r in client.get("/api/field-reports").json()]
        assert client.get(f"/api/incidents/{incident_ids[0]}").status_code == 403
        _as(client, "phantich")  # a viewer without COORDINATE does not see contacts
        listed = [r for r in client.get("/api/field-reports").json() if r["id"] == event_id]
        assert "reporter_phone" not in listed[0]
    finally:
        forget_incidents(demo_store, incident_ids)
        with demo_store.session() as session:
            session.execute(delete(Event).where(or_(Event.id == event_id, Event.subject == marker)))


def test_pages_show_incidents_in_both_languages(client: TestClient, demo_store: OpStore) -> None:
    _as(client, "vanhanh")
    title = f"Sạt lở đất {uuid.uuid4().hex[:6]}"
    incident = client.post(
        "/api/incidents", json={"title": title, "severity": "critical", "admin_code": "15"}
    ).json()
    try:
        client.post(
            f"/api/incidents/{incident['id']}/tasks",
            json={"unit": "SNV.15", "title": "Sơ tán dân", "due_at": _soon()},
        )
        listing = client.get("/incidents")
        assert listing.status_code == 200 and title in listing.text
        assert "Khẩn cấp" in listing.text
        page = client.get(f"/incidents/{incident['id']}")
        assert "Kế hoạch hành động" in page.text and "Sơ tán dân" in page.text
        english = client.get(f"/incidents/{incident['id']}?lang=en")
        assert "Action plan" in english.text and "Critical" in english.text
        assert client.get("/incidents/new?lang=vi").status_code == 200
        _as(client, "sonv.laocai")
        tasks = client.get("/tasks?lang=vi")
        assert "Sơ tán dân" in tasks.text and "Nhiệm vụ của đơn vị" in tasks.text
        _as(client, "phantich")
        assert client.get("/incidents/new").status_code == 403
        _as(client, "sonv.hanoi")
        assert client.get(f"/incidents/{incident['id']}").status_code == 403
    finally:
        forget_incidents(demo_store, [incident["id"]])
