"""Incidents and tasks in the service, on SQLite and PostgreSQL: a commune sees and works
only its own task; progress, done, reopening and cancelling follow the rules; overdue tasks
are reminded once an hour; attachments are what their content says, not their name."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from noivu_ioc.access.users import Principal, create_user, principal_of
from noivu_ioc.errors import ConflictError, InvalidInputError, NotAllowedError
from noivu_ioc.operations import attachments
from noivu_ioc.operations import incidents as svc
from noivu_ioc.operations.units import unit
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import Event, Incident, Notification, Task, User
from noivu_ioc.units.org import seed_org_units


@dataclass(frozen=True)
class People:
    ministry: Principal  # a national operator
    hanoi: Principal  # Hà Nội's Department of Home Affairs
    ba_dinh: Principal  # the People's Committee of Phường Ba Đình (Hà Nội)
    ngoc_ha: Principal  # its neighbour, Phường Ngọc Hà


@pytest.fixture
def people(store: OpStore) -> People:
    with store.session() as session:
        seed_org_units(session)
        made = {}
        for name, role, where in (
            ("dieu.phoi", "operator", "BNV.TTTT"),
            ("snv.hn", "provincial_officer", "SNV.01"),
            ("ubx.badinh", "provincial_officer", "UBX.00004"),
            ("ubx.ngocha", "provincial_officer", "UBX.00008"),
        ):
            user = create_user(
                session,
                username=name,
                full_name=name,
                password="mat-khau-thu-nghiem",
                roles=[role],
                units=[where],
            )
            made[name] = principal_of(user)
    return People(made["dieu.phoi"], made["snv.hn"], made["ubx.badinh"], made["ubx.ngocha"])


def _flooding(store: OpStore, people: People) -> tuple[int, int, int]:
    """A flood in Hà Nội opened by its province, with a task for each of two communes."""
    due = datetime.now(UTC) + timedelta(days=1)
    with store.session() as session:
        incident = svc.open_by_hand(
            session, people.hanoi, title="Ngập úng nội đô", severity="major", admin_code="01"
        )
        ids = [
            svc.assign_task(
                session,
                people.hanoi,
                incident,
                unit_code=code,
                title=f"Bơm thoát nước {code}",
                due_at=due,
            ).id
            for code in ("UBX.00004", "UBX.00008")
        ]
        return incident.id, ids[0], ids[1]


def test_a_commune_sees_and_works_only_its_own_task(store: OpStore, people: People) -> None:
    incident_id, ba_dinh_task, ngoc_ha_task = _flooding(store, people)
    with store.session() as session:
        # the incident is placed at the province, outside the commune's scope: it is seen
        # through the commune's task, and of its tasks only that one
        assert [i.id for i in svc.list_incidents(session, people.ba_dinh)] == [incident_id]
        seen = svc.tasks_of(session, people.ba_dinh, [incident_id])[incident_id]
        assert [t.id for t in seen] == [ba_dinh_task]
        assert [t.id for t in svc.tasks_for(session, people.ba_dinh)] == [ba_dinh_task]
        assert len(svc.tasks_of(session, people.hanoi, [incident_id])[incident_id]) == 2
        assert svc.tasks_for(session, people.hanoi, mine=True) == []
        assert len(svc.tasks_for(session, people.hanoi, mine=False)) == 2

        neighbour = svc.get_task(session, ngoc_ha_task)
        assert not svc.may_update(people.ba_dinh, neighbour)
        with pytest.raises(NotAllowedError, match=r"UBX\.00008, which is not your unit"):
            svc.update_task(session, people.ba_dinh, neighbour, progress=10)
        mine = svc.get_task(session, ba_dinh_task)
        assert svc.update_task(session, people.ba_dinh, mine, progress=30)
        # the province acts for its communes; the ministry's operator coordinates everywhere
        assert svc.may_update(people.hanoi, neighbour)
        assert svc.may_update(people.ministry, neighbour)
        # a commune neither coordinates the incident nor gives tasks
        incident = svc.get_incident(session, people.ba_dinh, incident_id)
        with pytest.raises(NotAllowedError, match="only coordinators"):
            svc.update_incident(session, people.ba_dinh, incident, impact="x")

    with store.session() as session:
        # a Hà Nội province coordinator cannot give work to a unit outside Hà Nội
        incident = svc.get_incident(session, people.hanoi, incident_id)
        with pytest.raises(NotAllowedError, match=r"SNV\.15 .* is outside your scope"):
            svc.assign_task(
                session,
                people.hanoi,
                incident,
                unit_code="SNV.15",
                title="Hỗ trợ",
                due_at=datetime.now(UTC) + timedelta(hours=2),
            )
        # once Ngọc Hà's task is gone, Ngọc Hà no longer sees the incident at all
        session.delete(svc.get_task(session, ngoc_ha_task))
    with store.session() as session:
        assert svc.list_incidents(session, people.ngoc_ha) == []
        with pytest.raises(NotAllowedError, match="holds no task of your unit"):
            svc.get_incident(session, people.ngoc_ha, incident_id)


def test_progress_done_reopen_and_cancel(store: OpStore, people: People) -> None:
    incident_id, ba_dinh_task, ngoc_ha_task = _flooding(store, people)
    with store.session() as session:
        task = svc.get_task(session, ba_dinh_task)
        assert svc.update_task(session, people.ba_dinh, task, progress=100)
        assert (task.state, task.done_by) == ("done", "ubx.badinh")
        assert task.done_at is not None
        assert not svc.update_task(session, people.ba_dinh, task, progress=100)  # no change
        assert svc.update_task(session, people.ba_dinh, task, progress=60)  # reopened
        assert (task.state, task.done_at, task.done_by) == ("in_progress", None, None)
        with pytest.raises(InvalidInputError, match="at 100% is done"):
            svc.update_task(session, people.ba_dinh, task, progress=100, state="in_progress")
        assert svc.update_task(session, people.ba_dinh, task, state="done")
        assert task.progress == 100
        with pytest.raises(InvalidInputError, match="must be one of"):
            svc.update_task(session, people.ba_dinh, task, state="paused")

        other = svc.get_task(session, ngoc_ha_task)
        assert svc.update_task(session, people.ngoc_ha, other, state="open", progress=20)
        assert other.state == "in_progress"
        with pytest.raises(NotAllowedError, match="only by the incident's coordinators"):
            svc.update_task(session, people.ngoc_ha, other, state="cancelled")
        assert svc.update_task(session, people.hanoi, other, state="cancelled")
        with pytest.raises(ConflictError, match="was cancelled"):
            svc.update_task(session, people.ngoc_ha, other, progress=50)

        kinds = list(
            session.scalars(
                select(Event.kind).where(Event.subject == f"task:{ba_dinh_task}").order_by(Event.id)
            )
        )
        assert kinds == ["task.assigned", "task.done", "task.updated", "task.done"]

        incident = svc.get_incident(session, people.hanoi, incident_id)
        assert svc.close_incident(session, people.hanoi, incident, evaluation="Đã thoát nước") == []
        with pytest.raises(ConflictError, match="a closed incident no longer changes"):
            svc.comment_task(session, people.ba_dinh, task, body="thêm")


def test_overdue_tasks_are_reminded_once_an_hour(store: OpStore, people: People) -> None:
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with store.session() as session:
        incident = svc.open_by_hand(
            session, people.hanoi, title="Mất điện", severity="minor", admin_code="01"
        )
        ba_dinh, ngoc_ha = unit(session, "UBX.00004"), unit(session, "UBX.00008")
        late = svc.add_task(
            session,
            incident,
            unit=ba_dinh,
            title="Báo cáo thiệt hại",
            assigned_by="snv.hn",
            due_at=now - timedelta(hours=2),
        )
        finished = svc.add_task(
            session,
            incident,
            unit=ngoc_ha,
            title="Kiểm tra",
            assigned_by="snv.hn",
            due_at=now - timedelta(hours=3),
        )
        finished.state, finished.progress = "done", 100
        svc.add_task(
            session,
            incident,
            unit=ngoc_ha,
            title="Khắc phục",
            assigned_by="snv.hn",
            due_at=now + timedelta(hours=3),
        )
        late_id = late.id

    def remind(at: datetime) -> int:
        with store.session() as session:
            return svc.remind_overdue(session, at)

    assert remind(now) == 1
    assert remind(now + timedelta(minutes=30)) == 0
    assert remind(now + timedelta(minutes=61)) == 1
    with store.session() as session:
        task = svc.get_task(session, late_id)
        assert task.reminders == 2
        assert task.reminded_at is not None
        overdue_events = session.scalars(
            select(Event.message).where(Event.kind == "task.overdue").order_by(Event.id)
        ).all()
        assert overdue_events[0].startswith("Nhiệm vụ quá hạn 2 giờ: Báo cáo thiệt hại")
        assert len(overdue_events) == 2
        told = session.scalar(
            select(func.count())
            .select_from(Notification)
            .join(User, User.id == Notification.user_id)
            .where(Notification.kind == "task.overdue", User.username == "ubx.badinh")
        )
        assert told == 2
        assert svc.is_overdue(task, now)
        assert [t.id for t in svc.tasks_for(session, people.ba_dinh, now=now)] == [late_id]


def test_closing_needs_the_open_tasks_done_or_cancelled(store: OpStore, people: People) -> None:
    incident_id, ba_dinh_task, ngoc_ha_task = _flooding(store, people)
    with store.session() as session:
        incident = svc.get_incident(session, people.ministry, incident_id)
        with pytest.raises(ConflictError, match=f"#{ba_dinh_task} UBX.00004"):
            svc.close_incident(session, people.ministry, incident, evaluation="Xong")
        with pytest.raises(InvalidInputError, match="rating 0"):
            svc.close_incident(session, people.ministry, incident, evaluation="Xong", rating=0)
        cancelled = svc.close_incident(
            session,
            people.ministry,
            incident,
            evaluation="Nước đã rút",
            rating=3,
            cancel_open_tasks=True,
        )
        assert sorted(t.id for t in cancelled) == [ba_dinh_task, ngoc_ha_task]
    with store.session() as session:
        closed = session.get(Incident, incident_id)
        assert closed is not None
        assert (closed.state, closed.closed_by, closed.rating) == ("closed", "dieu.phoi", 3)
        assert {t.state for t in session.scalars(select(Task))} == {"cancelled"}
        with pytest.raises(ConflictError):
            svc.update_incident(session, people.ministry, closed, impact="x")
        assert svc.list_incidents(session, people.hanoi, "open") == []
        assert [i.id for i in svc.list_incidents(session, people.hanoi, "closed")] == [incident_id]


def _package(*parts: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for part in parts:
            z.writestr(part, "<x/>")
    return out.getvalue()


DOCX = _package("[Content_Types].xml", "word/document.xml")
XLSX = _package("[Content_Types].xml", "xl/workbook.xml")


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("quyết định.pdf", b"%PDF-1.7\n%...", "application/pdf"),
        ("anh.PNG", b"\x89PNG\r\n\x1a\n" + bytes(20), "image/png"),
        ("anh.jpeg", b"\xff\xd8\xff\xe0" + bytes(20), "image/jpeg"),
        ("bao-cao.docx", DOCX, "application/vnd.openxmlformats-officedocument."),
        ("so-lieu.xlsx", XLSX, "application/vnd.openxmlformats-officedocument."),
        ("ghi-chu.txt", "Đã xử lý xong\r\n".encode(), "text/plain"),
        ("danh-sach.csv", b"\xef\xbb\xbfma,ten\n01,H\xc3\xa0 N\xe1\xbb\x99i\n", "text/plain"),
    ],
)
def test_allowed_attachments(name: str, data: bytes, content_type: str) -> None:
    safe, kind = attachments.check(name, data)
    assert safe == name and kind.content_type.startswith(content_type)


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("bao-cao.pdf", b"MZ\x90\x00" + bytes(60), "its content is a Windows program"),
        ("anh.png", b"%PDF-1.4", "named as a PNG image but its content is a PDF document"),
        ("so-lieu.xlsx", DOCX, "its content is a Word document (DOCX)"),
        ("bao-cao.docx", _package("ppt/presentation.xml"), "a PowerPoint presentation"),
        ("bao-cao.docx", _package("a.txt"), "its content is a zip archive"),
        ("bao-cao.docx", b"PK\x03\x04broken", "a damaged zip archive"),
        ("ghi-chu.txt", b"<!DOCTYPE html><script>x</script>", "an HTML, SVG or XML document"),
        ("ghi-chu.txt", b"abc\x00\x01def", "binary data of an unknown kind"),
        ("ghi-chu.txt", "chữ".encode("utf-16-le"), "not in UTF-8"),
        ("anh.jpg", b"GIF89a....", "a GIF image"),
        ("chay.exe", b"MZ", "is not an allowed attachment"),
        ("khong-duoi", b"abc", "a name without extension is not an allowed attachment"),
        ("trong.pdf", b"", "is empty"),
    ],
)
def test_disguised_or_unknown_attachments_are_refused(name: str, data: bytes, says: str) -> None:
    with pytest.raises(InvalidInputError, match=re.escape(says)):
        attachments.check(name, data)


def test_attachment_limits_and_names() -> None:
    with pytest.raises(attachments.AttachmentTooLargeError, match="10 MiB"):
        attachments.check("lon.txt", b"a" * (attachments.MAX_BYTES + 1))
    assert attachments.check("du.txt", b"a" * attachments.MAX_BYTES)[0] == "du.txt"
    assert attachments.safe_filename("../../etc/báo cáo.pdf") == "báo cáo.pdf"
    assert attachments.safe_filename("C:\\tmp\\a<b>.pdf") == "ab.pdf"
    assert len(attachments.safe_filename("x" * 300 + ".pdf")) == 255
    with pytest.raises(InvalidInputError, match="has no name"):
        attachments.safe_filename("///")


def test_a_task_given_in_the_same_unit_of_work_holds_up_the_closure(
    store: OpStore, people: People
) -> None:
    with store.session() as session:
        incident = svc.open_by_hand(
            session, people.ministry, title="Sự cố mạng", severity="minor", admin_code=None
        )
        assert incident.tasks == []
        task = svc.assign_task(
            session,
            people.ministry,
            incident,
            unit_code="BNV.VP",
            title="Thông báo các đơn vị",
            due_at=datetime.now(UTC) + timedelta(hours=1),
        )
        assert incident.tasks == [task]
        with pytest.raises(ConflictError, match=f"#{task.id} BNV.VP"):
            svc.close_incident(session, people.ministry, incident, evaluation="Xong")
        # a nationwide incident is the ministry's: a province neither sees nor coordinates it
        assert not svc.sees_incident(people.hanoi, incident)
        assert not svc.coordinates(people.hanoi, incident)
