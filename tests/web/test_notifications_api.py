"""A user's notifications through the API and the page: their own only (someone else's is
not found, and the attempt is audited), unread first filter, the bell's count, marking one
or all read, and a link followed safely."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from noivu_ioc.access.users import create_user, disable_user
from noivu_ioc.demo import DEMO_PASSWORD
from noivu_ioc.operations.notify import notify_users
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import AuditEvent, Notification, utcnow
from tests.factories import login


@dataclass(frozen=True)
class People:
    me: str
    my_id: int
    other_id: int


@pytest.fixture
def people(demo_store: OpStore) -> Iterator[People]:
    """Two fresh accounts, so that counts do not depend on what other tests told anyone."""
    marker = uuid.uuid4().hex[:8]
    names = [f"tb.{marker}", f"tb.khac.{marker}"]
    with demo_store.session() as session:
        ids = [
            create_user(
                session,
                username=name,
                full_name="Trần Thu Hà",
                password=DEMO_PASSWORD,
                roles=["analyst"],
                units=["BNV"],
            ).id
            for name in names
        ]
    yield People(me=names[0], my_id=ids[0], other_id=ids[1])
    with demo_store.session() as session:
        session.execute(delete(Notification).where(Notification.user_id.in_(ids)))
        for name in names:
            disable_user(session, name)


def _tell(
    store: OpStore,
    user_id: int,
    title: str,
    *,
    severity: str = "info",
    link: str | None = None,
    minutes_ago: int = 0,
) -> int:
    with store.session() as session:
        (note,) = notify_users(
            session,
            [user_id],
            kind="task.assigned",
            title=title,
            body="Chi tiết",
            link=link,
            severity=severity,
        )
        note.created_at = utcnow() - timedelta(minutes=minutes_ago)
        return note.id


def test_a_user_lists_counts_and_reads_only_their_own(
    client: TestClient, demo_store: OpStore, people: People
) -> None:
    old = _tell(demo_store, people.my_id, "Nhiệm vụ cũ", minutes_ago=30)
    new = _tell(demo_store, people.my_id, "Sự cố mới", severity="critical", link="/incidents/3")
    theirs = _tell(demo_store, people.other_id, "Không phải của bạn")
    login(client, people.me)

    listed = client.get("/api/notifications").json()
    assert [n["id"] for n in listed] == [new, old]  # newest first, none of the other user's
    assert listed[0] | {"created_at": None} == {
        "id": new,
        "kind": "task.assigned",
        "ref": None,
        "severity": "critical",
        "title": "Sự cố mới",
        "body": "Chi tiết",
        "link": "/incidents/3",
        "created_at": None,
        "read_at": None,
    }
    assert listed[0]["created_at"].endswith("Z") or listed[0]["created_at"].endswith("+00:00")
    assert [n["id"] for n in client.get("/api/notifications?limit=1").json()] == [new]
    assert client.get("/api/notifications?limit=0").status_code == 422
    assert client.get("/api/notifications/unread-count").json() == {"unread": 2}

    read = client.post(f"/api/notifications/{old}/read")
    assert read.status_code == 200 and read.json()["read_at"] is not None
    again = client.post(f"/api/notifications/{old}/read").json()
    assert again["read_at"] == read.json()["read_at"]  # the first reading stays
    assert [n["id"] for n in client.get("/api/notifications?unread=1").json()] == [new]
    assert client.get("/api/notifications/unread-count").json() == {"unread": 1}

    refused = client.post(f"/api/notifications/{theirs}/read")
    assert refused.status_code == 404
    assert f"notification {theirs} does not exist" in refused.json()["error"]["message"]
    assert client.post("/api/notifications/999999999/read").status_code == 404
    with demo_store.session() as session:
        other = session.get(Notification, theirs)
        assert other is not None and other.read_at is None
        denied = session.scalars(
            select(AuditEvent).where(
                AuditEvent.username == people.me, AuditEvent.outcome == "denied"
            )
        ).one()
        assert (denied.action, denied.target) == ("notification.read", f"notification {theirs}")

    assert client.post("/api/notifications/read-all").json() == {"marked": 1}
    assert client.get("/api/notifications/unread-count").json() == {"unread": 0}
    assert client.post("/api/notifications/read-all").json() == {"marked": 0}
    with demo_store.session() as session:
        other = session.get(Notification, theirs)
        assert other is not None and other.read_at is None  # read-all is mine only


def test_notifications_need_a_session(client: TestClient) -> None:
    client.cookies.clear()
    assert client.get("/api/notifications/unread-count").status_code == 401
    assert client.post("/api/notifications/read-all").status_code == 401


def test_the_page_lists_marks_and_follows_links(
    client: TestClient, demo_store: OpStore, people: People
) -> None:
    plain = _tell(demo_store, people.my_id, "Chỉ đạo về báo cáo quý", minutes_ago=5)
    linked = _tell(
        demo_store,
        people.my_id,
        "Cảnh báo khẩn tại Lào Cai",
        severity="critical",
        link="/alerts/7",
    )
    unsafe = _tell(demo_store, people.my_id, "Liên kết lạ", link="//example.com/x", minutes_ago=9)
    login(client, people.me)

    page = client.get("/notifications")
    assert page.status_code == 200
    text = page.text
    assert "Thông báo của tôi" in text and "Khẩn cấp" in text
    assert text.index("Cảnh báo khẩn tại Lào Cai") < text.index("Chỉ đạo về báo cáo quý")
    assert f'href="/notifications/{linked}/open"' in text
    assert 'data-testid="unread-count">3<' in text

    marked = client.post(f"/notifications/{plain}/read", follow_redirects=False)
    assert (marked.status_code, marked.headers["location"]) == (303, "/notifications")
    assert client.get("/api/notifications/unread-count").json() == {"unread": 2}
    unread_page = client.get("/notifications?unread=1").text
    assert "Chỉ đạo về báo cáo quý" not in unread_page and "Liên kết lạ" in unread_page

    opened = client.get(f"/notifications/{linked}/open", follow_redirects=False)
    assert (opened.status_code, opened.headers["location"]) == (303, "/alerts/7")
    away = client.get(f"/notifications/{unsafe}/open", follow_redirects=False)
    assert away.headers["location"] == "/notifications"  # never to another site
    assert client.get("/api/notifications/unread-count").json() == {"unread": 0}

    all_read = client.get("/notifications").text
    assert all_read.count('data-testid="notification"') == 3
    assert 'data-testid="mark-read"' not in all_read and 'data-testid="read-all"' not in all_read
    assert "Không còn thông báo chưa đọc." in client.get("/notifications?unread=1").text
    english = client.get("/notifications?unread=1&lang=en").text
    assert "My notifications" in english and "No unread notifications left." in english
    assert (
        client.post("/notifications/999999999/read", headers={"Accept": "text/html"}).status_code
        == 404
    )
