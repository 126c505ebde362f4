"""Directives: a leader sends one to every province, each unit acknowledges once and then
reports, a unit cannot act for another, silence is reminded every ``ack_minutes`` and
escalated once to the level above, a late report is reminded. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from noivu_ioc.access.users import Principal, create_user, get_user, principal_of
from noivu_ioc.demo import DEMO_PASSWORD, prepare_store
from noivu_ioc.errors import ConflictError, InvalidInputError, NotAllowedError
from noivu_ioc.operations import directives as svc
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import Directive, Event, Notification, User, utcnow


@pytest.fixture
def demo(store: OpStore) -> OpStore:
    prepare_store(store)
    return store


def _who(session: Session, username: str) -> Principal:
    return principal_of(get_user(session, username))


def _send(store: OpStore, units: list[str], **extra: object) -> int:
    with store.session() as session:
        directive = svc.issue(
            session,
            _who(session, "lanhdao"),
            title="Rà soát biên chế công chức năm 2026",
            body="Báo cáo số liệu trước ngày 15.",
            unit_codes=units,
            **extra,  # type: ignore[arg-type]
        )
        return directive.id


def _events(session: Session, kind: str) -> list[Event]:
    return list(session.scalars(select(Event).where(Event.kind == kind).order_by(Event.id)))


def _notes(session: Session, username: str, kind: str) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification)
            .join(User, User.id == Notification.user_id)
            .where(User.username == username, Notification.kind == kind)
            .order_by(Notification.id)
        )
    )


def _age(store: OpStore, directive_id: int, minutes: int) -> datetime:
    """Move the directive's issue time ``minutes`` into the past; returns now."""
    now = utcnow()
    with store.session() as session:
        svc.get(session, directive_id).issued_at = now - timedelta(minutes=minutes)
    return now


def test_every_province_acknowledges_once_and_then_reports(demo: OpStore) -> None:
    ident = _send(demo, ["SNV.*"])
    with demo.session() as session:
        directive = svc.get(session, ident)
        assert len(directive.recipients) == 34
        assert directive.recipients[0].unit_code == "SNV.01"
        issued = _events(session, "directive.issued")
        assert [(e.subject, e.admin_code) for e in issued] == [(f"directive:{ident}", None)]
        # each province's users are told; the leader who sent it is not
        assert len(_notes(session, "sonv.hanoi", "directive.issued")) == 1
        assert len(_notes(session, "sonv.laocai", "directive.issued")) == 1
        assert _notes(session, "lanhdao", "directive.issued") == []

    with demo.session() as session:
        recipient = svc.acknowledge(session, ident, _who(session, "sonv.hanoi"))
        assert (recipient.unit_code, recipient.acknowledged_by) == ("SNV.01", "sonv.hanoi")
        acknowledged = _events(session, "directive.acknowledged")
        assert [e.admin_code for e in acknowledged] == ["01"]  # seen in Hà Nội's scope
        assert acknowledged[0].message.startswith("Sở Nội vụ thành phố Hà Nội đã tiếp nhận")

    with demo.session() as session, pytest.raises(ConflictError) as twice:
        svc.acknowledge(session, ident, _who(session, "sonv.hanoi"), "SNV.01")
    assert re.search(
        r"already acknowledged for SNV\.01 by sonv\.hanoi at \d\d:\d\d", str(twice.value)
    )
    with demo.session() as session, pytest.raises(NotAllowedError, match=r"SNV\.15"):
        svc.acknowledge(session, ident, _who(session, "sonv.hanoi"), "SNV.15")
    with demo.session() as session, pytest.raises(ConflictError, match="not acknowledged"):
        svc.report(session, ident, _who(session, "sonv.laocai"), "Đã rà soát xong.")

    with demo.session() as session:
        laocai = _who(session, "sonv.laocai")
        svc.acknowledge(session, ident, laocai)
        first = svc.report(session, ident, laocai, "Đã rà soát 12 cơ quan.")
        assert (first.unit_code, first.report) == ("SNV.15", "Đã rà soát 12 cơ quan.")
    with demo.session() as session:
        again = svc.report(session, ident, _who(session, "sonv.laocai"), "Đã rà soát 15 cơ quan.")
        assert again.report == "Đã rà soát 15 cơ quan."
        reported = _events(session, "directive.reported")
        assert [(e.admin_code, e.payload["updated"]) for e in reported] == [  # type: ignore[index]
            ("15", False),
            ("15", True),
        ]
        directive = svc.get(session, ident)
        progress = svc.Progress.of(directive, directive.recipients, utcnow())
        assert (progress.acknowledged, progress.reported, progress.silent) == (2, 1, 32)

    # only the issuer or an administrator closes it; after that nothing more is taken
    with demo.session() as session, pytest.raises(NotAllowedError, match="issued by lanhdao"):
        svc.close(session, ident, _who(session, "sonv.hanoi"))
    with demo.session() as session:
        assert svc.close(session, ident, _who(session, "quantri")).state == "closed"
    with demo.session() as session, pytest.raises(ConflictError, match="closed"):
        svc.acknowledge(session, ident, _who(session, "sonv.laocai"), "SNV.15")


def test_a_directive_goes_only_to_units_in_the_issuers_scope(demo: OpStore) -> None:
    with demo.session() as session:
        create_user(
            session,
            username="lanhdao.hanoi",
            full_name="Lãnh đạo Sở Nội vụ Hà Nội",
            password=DEMO_PASSWORD,
            roles=["leader"],
            units=["SNV.01"],
        )
    with demo.session() as session:
        local = _who(session, "lanhdao.hanoi")
        with pytest.raises(NotAllowedError, match=r"SNV\.15"):
            svc.issue(session, local, title="Thử", unit_codes=["SNV.01", "SNV.15"])
        with pytest.raises(NotAllowedError, match=r"BNV\.TTr"):
            svc.issue(session, local, title="Thử", unit_codes=["BNV.TTr"])
        made = svc.issue(session, local, title="Thử", unit_codes=["01", "UBX.00004"])
        assert [r.unit_code for r in made.recipients] == ["SNV.01", "UBX.00004"]

    leader = "lanhdao"
    bad: list[tuple[dict[str, object], str]] = [
        ({"title": " ", "unit_codes": ["SNV.01"]}, "needs a title"),
        ({"title": "x", "unit_codes": []}, "at least one unit"),
        ({"title": "x", "unit_codes": ["SNV.99"]}, "'SNV.99' does not exist"),
        ({"title": "x", "unit_codes": ["SNV.01"], "severity": "urgent"}, "'urgent'"),
        ({"title": "x", "unit_codes": ["SNV.01"], "ack_minutes": 0}, "ack_minutes 0"),
        (
            {"title": "x", "unit_codes": ["SNV.01"], "report_due_at": utcnow() - timedelta(1)},
            "in the past",
        ),
        (
            {"title": "x", "unit_codes": ["SNV.01"], "report_due_at": datetime(2030, 1, 1)},
            "needs a time zone",
        ),
    ]
    for fields, message in bad:
        with demo.session() as session, pytest.raises(InvalidInputError, match=message):
            svc.issue(session, _who(session, leader), **fields)  # type: ignore[arg-type]
    with demo.session() as session:
        assert session.scalar(select(func.count()).select_from(Directive)) == 1


def test_silence_is_reminded_every_ack_minutes_and_escalated_once(demo: OpStore) -> None:
    ident = _send(demo, ["SNV.*"], ack_minutes=60)
    with demo.session() as session:
        svc.acknowledge(session, ident, _who(session, "sonv.hanoi"))
        svc.acknowledge(session, ident, _who(session, "sonv.laocai"))
        assert svc.chase_silent(session, utcnow()) == 0  # not due yet

    now = _age(demo, ident, 61)
    with demo.session() as session:
        assert svc.chase_silent(session, now) == 32 + 32  # a reminder and an escalation each
        silent = _events(session, "directive.silent")
        assert len(silent) == 32
        assert {e.admin_code for e in silent}.isdisjoint({"01", "15"})
        assert all(e.severity == "major" for e in silent)
        assert "chưa tiếp nhận chỉ đạo" in silent[0].message and "61 phút" in silent[0].message
        directive = svc.get(session, ident)
        waiting = [r for r in directive.recipients if r.acknowledged_at is None]
        assert len(waiting) == 32
        assert all(r.escalated_at is not None and r.reminders == 1 for r in waiting)
        # the ministry hears once, naming the silent provinces; so does the issuer
        told = _notes(session, "lanhdao", "directive.silent")
        assert len(told) == 1 and told[0].title.startswith("32 đơn vị chưa tiếp nhận")
        assert len(_notes(session, "vanhanh", "directive.silent")) == 1

    assert svc.chase(demo) == 0  # the loop's job: nothing is due again yet
    with demo.session() as session:
        assert svc.chase_silent(session, now + timedelta(minutes=10)) == 0  # not before
    with demo.session() as session:
        assert svc.chase_silent(session, now + timedelta(minutes=60)) == 32  # reminders only
        assert len(_events(session, "directive.silent")) == 32  # escalated once
        directive = svc.get(session, ident)
        assert {r.reminders for r in directive.recipients if r.acknowledged_at is None} == {2}
        assert len(_notes(session, "lanhdao", "directive.silent")) == 1


def test_a_silent_commune_goes_up_to_its_province(demo: OpStore) -> None:
    ident = _send(demo, ["UBX.00004"], ack_minutes=30)
    now = _age(demo, ident, 31)
    with demo.session() as session:
        assert svc.chase_silent(session, now) == 2
        [event] = _events(session, "directive.silent")
        assert event.admin_code == "00004"
        told = _notes(session, "sonv.hanoi", "directive.silent")
        assert len(told) == 1 and "Ba Đình" in told[0].body
        assert _notes(session, "sonv.laocai", "directive.silent") == []
        assert _notes(session, "lanhdao", "directive.silent") == []  # the province handles it
    # Hà Nội's department acknowledges for its commune by naming it
    with demo.session() as session:
        hanoi = _who(session, "sonv.hanoi")
        with pytest.raises(InvalidInputError, match="not addressed to your unit"):
            svc.acknowledge(session, ident, hanoi)
        assert svc.acknowledge(session, ident, hanoi, "00004").unit_code == "UBX.00004"


def test_a_late_report_is_reminded(demo: OpStore) -> None:
    ident = _send(demo, ["SNV.01"], ack_minutes=60, report_due_at=utcnow() + timedelta(minutes=30))
    now = utcnow()
    with demo.session() as session:
        svc.acknowledge(session, ident, _who(session, "sonv.hanoi"))
        assert svc.chase_silent(session, now + timedelta(minutes=20)) == 0
    with demo.session() as session:
        assert svc.chase_silent(session, now + timedelta(minutes=31)) == 1
        assert len(_notes(session, "sonv.hanoi", "directive.report_due")) == 1
        assert svc.chase_silent(session, now + timedelta(minutes=50)) == 0
        assert svc.chase_silent(session, now + timedelta(minutes=91)) == 1
        svc.report(session, ident, _who(session, "sonv.hanoi"), "Đã báo cáo.")
        assert svc.chase_silent(session, now + timedelta(minutes=200)) == 0
        assert len(_notes(session, "sonv.hanoi", "directive.report_due")) == 2


def test_each_scope_sees_its_own_recipients(demo: OpStore) -> None:
    ident = _send(demo, ["SNV.*", "UBX.00004", "BNV.TTr"])
    with demo.session() as session:
        national = svc.visible(session, _who(session, "lanhdao").scope)
        assert [(d.id, len(rs)) for d, rs in national] == [(ident, 36)]
        hanoi = svc.visible(session, _who(session, "sonv.hanoi").scope)
        assert [r.unit_code for _, rs in hanoi for r in rs] == ["SNV.01", "UBX.00004"]
        laocai = svc.visible(session, _who(session, "sonv.laocai").scope, state="open")
        assert [r.unit_code for _, rs in laocai for r in rs] == ["SNV.15"]
        assert svc.visible(session, _who(session, "sonv.laocai").scope, state="closed") == []
