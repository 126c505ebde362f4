"""Alert rules on an indicator, on events, on a surge of events and on data freshness: one
open alert per rule and subject, repeats that update it, automatic resolution when the
condition clears, the lifecycle with who and when, escalation and reminders notified to the
users of each level, rules changed and deleted, and a broken rule that leaves the others
running. On SQLite and on PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from noivu_ioc.catalog import catalog
from noivu_ioc.errors import ConflictError, InvalidInputError
from noivu_ioc.indicators.engine import DuckDBEngine, Evaluator
from noivu_ioc.indicators.registry import Registry
from noivu_ioc.ingest import events
from noivu_ioc.operations.alerts import (
    acknowledge,
    check_rule,
    create_rule,
    delete_rule,
    escalate_due,
    get_rule,
    remind_due,
    resolve,
    update_rule,
)
from noivu_ioc.operations.evaluate import evaluate_rules
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import (
    Alert,
    AlertRule,
    Event,
    Incident,
    Notification,
    OrgUnit,
    Source,
    User,
    UserRole,
    UserScope,
    as_utc,
    utcnow,
)
from noivu_ioc.units import admin
from noivu_ioc.warehouse import Warehouse
from tests.indicators.test_evaluator import HANOI, LAOCAI, WOMEN, _people, _table

REGISTRY = Registry([WOMEN])


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    w = Warehouse(tmp_path / "w.duckdb")
    _staff(w, {HANOI: (30, 70), LAOCAI: (10, 10)})
    return w


def _staff(w: Warehouse, counts: dict[str, tuple[int, int]]) -> None:
    w.replace_all(
        [catalog().entity("person")], [("person", _table("person", _people(counts)))], "staff"
    )


def _alerts(store: OpStore) -> list[tuple[str, str, str, int]]:
    with store.session() as session:
        return [
            (a.subject, a.state, a.severity, a.occurrences)
            for a in session.scalars(select(Alert).order_by(Alert.id))
        ]


WOMEN_RULE = {
    "name": "nu-duoi-40",
    "title_vi": "Tỷ lệ nữ dưới 40%",
    "kind": "indicator",
    "severity": "minor",
    "config": {"indicator": WOMEN.id, "condition": "below", "threshold": 40, "per": "province"},
}


def test_an_indicator_rule_opens_updates_and_resolves_by_itself(
    store: OpStore, warehouse: Warehouse
) -> None:
    evaluator = Evaluator(DuckDBEngine(warehouse))
    with store.session() as session:
        create_rule(session, WOMEN_RULE, REGISTRY, "vanhanh")

    first = evaluate_rules(store, evaluator, REGISTRY)
    assert (first.opened, first.resolved, first.failed) == (1, 0, [])
    assert _alerts(store) == [("province:01", "active", "minor", 1)]
    again = evaluate_rules(store, evaluator, REGISTRY)
    assert (again.opened, again.repeated) == (0, 1)
    assert _alerts(store) == [("province:01", "active", "minor", 2)]  # one alert, not two
    with store.session() as session:
        opened = session.scalars(select(Event).where(Event.kind == "alert.opened")).one()
        assert opened.admin_code == HANOI  # the live stream scopes it to Hà Nội
        assert opened.message.startswith("Tỷ lệ nữ dưới 40%: Thành phố Hà Nội: 30,0")

    _staff(warehouse, {HANOI: (60, 40), LAOCAI: (10, 10)})  # the condition clears
    cleared = evaluate_rules(store, evaluator, REGISTRY)
    assert cleared.resolved == 1
    with store.session() as session:
        alert = session.scalars(select(Alert)).one()
        assert (alert.state, alert.resolved_by) == ("resolved", "auto")
        assert alert.resolved_at is not None

    _staff(warehouse, {HANOI: (30, 70)})  # and comes back: a new alert
    evaluate_rules(store, evaluator, REGISTRY)
    assert [a[:2] for a in _alerts(store)] == [
        ("province:01", "resolved"),
        ("province:01", "active"),
    ]


def test_an_event_rule_and_the_lifecycle(store: OpStore, warehouse: Warehouse) -> None:
    evaluator = Evaluator(DuckDBEngine(warehouse))
    with store.session() as session:
        events.record(
            session,
            kind="device",
            severity="critical",
            subject="KLT-00",
            message="before the rule existed",
            admin_code=LAOCAI,
        )
        create_rule(
            session,
            {
                "name": "thiet-bi",
                "title_vi": "Thiết bị kho lưu trữ báo lỗi",
                "kind": "event",
                "config": {"kinds": ["device"], "min_severity": "warning"},
            },
            REGISTRY,
            "vanhanh",
        )
        for severity, message in (
            ("warning", "độ ẩm cao"),
            ("info", "bình thường"),
            ("critical", "mất kết nối"),
        ):
            events.record(
                session,
                kind="device",
                severity=severity,
                subject="KLT-01",
                message=message,
                admin_code=LAOCAI,
            )
    evaluate_rules(store, evaluator, REGISTRY)
    # The event from before the rule, and the one below its severity, raise nothing; the
    # critical repeat raises the open alert's severity.
    assert _alerts(store) == [("KLT-01", "active", "critical", 2)]
    with store.session() as session:
        alert = session.scalars(select(Alert)).one()
        kinds = [e.kind for e in session.scalars(select(Event).order_by(Event.id))]
        # Worse and still untaken: it went up a level at once (Lào Cai -> the ministry).
        assert kinds[-3:] == ["alert.opened", "alert.updated", "alert.escalated"]
        assert alert.level == 2
        acknowledge(session, alert.id, "vanhanh")
    with store.session() as session, pytest.raises(ConflictError, match="by vanhanh"):
        acknowledge(session, alert.id, "lanhdao")
    with store.session() as session:
        done = resolve(session, alert.id, "lanhdao")
        assert (done.state, done.acknowledged_by, done.resolved_by) == (
            "resolved",
            "vanhanh",
            "lanhdao",
        )
    with store.session() as session, pytest.raises(ConflictError, match="resolved already"):
        resolve(session, alert.id, "lanhdao")


def test_bad_rules_are_refused_and_a_broken_one_spares_the_others(
    store: OpStore, warehouse: Warehouse
) -> None:
    with store.session() as session:
        with pytest.raises(InvalidInputError, match=r"indicator 'x\.y' does not exist"):
            create_rule(
                session,
                {**WOMEN_RULE, "config": {**WOMEN_RULE["config"], "indicator": "x.y"}},
                REGISTRY,
                "a",
            )
        with pytest.raises(InvalidInputError, match="alerts about alerts"):
            create_rule(
                session,
                {
                    "name": "vong",
                    "title_vi": "Vòng",
                    "kind": "event",
                    "config": {"kinds": ["alert.opened"]},
                },
                REGISTRY,
                "a",
            )
        with pytest.raises(InvalidInputError, match="threshold must be a number"):
            create_rule(
                session,
                {**WOMEN_RULE, "config": {**WOMEN_RULE["config"], "threshold": "40"}},
                REGISTRY,
                "a",
            )
        create_rule(session, WOMEN_RULE, REGISTRY, "vanhanh")
        create_rule(
            session,
            {
                **WOMEN_RULE,
                "name": "nu-quoc-gia",
                "config": {**WOMEN_RULE["config"], "per": "nation"},
            },
            REGISTRY,
            "vanhanh",
        )
    # The first rule's indicator is gone from the library in force: that rule fails, as
    # an error event; the second, on the same indicator per nation, still needs it too, so
    # give the evaluator a registry where only the nation rule can run.
    evaluator = Evaluator(DuckDBEngine(warehouse))
    result = evaluate_rules(store, evaluator, Registry([]))
    assert len(result.failed) == 2 and result.rules == 2
    with store.session() as session:
        failures = list(session.scalars(select(Event).where(Event.kind == "rule.failed")))
        assert len(failures) == 2
        assert "personnel.women_share_test" in failures[0].message
    # With the indicator back, both run: Hà Nội (30%) and the nation (33%) are below 40.
    evaluate_rules(store, evaluator, REGISTRY)
    assert sorted(a[0] for a in _alerts(store)) == ["nation", "province:01"]


def test_an_alert_nobody_takes_goes_up_a_level_each_time(store: OpStore) -> None:
    hanoi_commune = "00004"
    with store.session() as session:
        create_rule(
            session,
            {
                "name": "kho",
                "title_vi": "Kho lưu trữ",
                "kind": "event",
                "escalate_after_minutes": 30,
                "config": {"kinds": ["device"]},
            },
            REGISTRY,
            "vanhanh",
        )
        events.record(
            session,
            kind="device",
            severity="minor",
            subject="KLT-09",
            message="cửa kho mở",
            admin_code=hanoi_commune,
        )
    evaluate_rules(store, Evaluator(DuckDBEngine(Warehouse(None))), REGISTRY)
    with store.session() as session:
        rule = session.scalars(select(AlertRule)).one()
        alert = session.scalars(select(Alert)).one()
        assert alert.level == 0  # at its commune
        now = utcnow()
        assert escalate_due(session, rule, now + timedelta(minutes=10)) == 0
        assert escalate_due(session, rule, now + timedelta(minutes=31)) == 1
        assert alert.level == 1  # the province
        assert escalate_due(session, rule, now + timedelta(minutes=40)) == 0  # 30 min each
        assert escalate_due(session, rule, now + timedelta(minutes=62)) == 1
        assert escalate_due(session, rule, now + timedelta(minutes=93)) == 1
        assert alert.level == 3  # the command level; no further
        assert escalate_due(session, rule, now + timedelta(minutes=200)) == 0
        steps = [
            (e.admin_code, e.message.rsplit("chuyển lên ", 1)[1])
            for e in session.scalars(
                select(Event).where(Event.kind == "alert.escalated").order_by(Event.id)
            )
        ]
        assert steps == [
            (hanoi_commune, "cấp tỉnh, chưa có ai tiếp nhận"),
            (None, "Bộ Nội vụ, chưa có ai tiếp nhận"),
            (None, "cấp chỉ huy, chưa có ai tiếp nhận"),
        ]
        acknowledge(session, alert.id, "vanhanh")
    with store.session() as session:
        rule = session.scalars(select(AlertRule)).one()
        assert escalate_due(session, rule, utcnow() + timedelta(days=1)) == 0  # taken


def test_a_worse_repeat_of_an_untaken_alert_goes_up_at_once(store: OpStore) -> None:
    with store.session() as session:
        create_rule(
            session,
            {
                "name": "kho-2",
                "title_vi": "Kho lưu trữ",
                "kind": "event",
                "config": {"kinds": ["device"]},
            },
            REGISTRY,
            "vanhanh",
        )
        events.record(
            session,
            kind="device",
            severity="minor",
            subject="KLT-10",
            message="độ ẩm cao",
            admin_code=LAOCAI,
        )
    evaluator = Evaluator(DuckDBEngine(Warehouse(None)))
    evaluate_rules(store, evaluator, REGISTRY)
    with store.session() as session:
        events.record(
            session,
            kind="device",
            severity="critical",
            subject="KLT-10",
            message="cháy",
            admin_code=LAOCAI,
        )
    evaluate_rules(store, evaluator, REGISTRY)
    with store.session() as session:
        alert = session.scalars(select(Alert)).one()
        assert (alert.severity, alert.level) == ("critical", 2)  # province -> ministry


# Units and users of a small hierarchy: the ministry, one department, Lào Cai's Department
# of Home Affairs and one of its communes, each with a user; the leader at the ministry.
LAOCAI_COMMUNE = admin.communes_of(LAOCAI)[0].code


def _hierarchy(store: OpStore) -> None:
    with store.session() as session:
        ministry = OrgUnit(code="BNV", kind="ministry", name_vi="Bộ Nội vụ", name_en="MoHA")
        session.add(ministry)
        session.flush()
        units = {
            "BNV": ministry,
            "BNV.TTTT": OrgUnit(
                code="BNV.TTTT",
                kind="department",
                name_vi="Trung tâm",
                name_en="Centre",
                parent_id=ministry.id,
            ),
            "SNV.15": OrgUnit(
                code="SNV.15",
                kind="province",
                name_vi="Sở Nội vụ Lào Cai",
                name_en="DoHA Lào Cai",
                parent_id=ministry.id,
                admin_code=LAOCAI,
            ),
        }
        session.add_all(list(units.values())[1:])
        session.flush()
        units["UBX"] = OrgUnit(
            code=f"UBX.{LAOCAI_COMMUNE}",
            kind="commune",
            name_vi="UBND xã",
            name_en="Commune",
            parent_id=units["SNV.15"].id,
            admin_code=LAOCAI_COMMUNE,
        )
        session.add(units["UBX"])
        session.flush()
        for username, unit, role in (
            ("chief", "BNV", "leader"),
            ("op", "BNV.TTTT", "operator"),
            ("laocai", "SNV.15", "provincial_officer"),
            ("xa", "UBX", "provincial_officer"),
        ):
            user = User(username=username, full_name=username, password_hash="-", language="vi")
            session.add(user)
            session.flush()
            session.add(UserRole(user_id=user.id, role=role))
            session.add(UserScope(user_id=user.id, org_unit_id=units[unit].id))


def _told(store: OpStore, alert_id: int) -> list[tuple[str, str]]:
    """Who was notified of the alert, and of what, in order."""
    with store.session() as session:
        return [
            (username, kind)
            for username, kind in session.execute(
                select(User.username, Notification.kind)
                .join(User, User.id == Notification.user_id)
                .where(Notification.ref == f"alert:{alert_id}")
                .order_by(Notification.id, User.username)
            )
        ]


def _device_rule(session: Session, name: str, **timing: int) -> AlertRule:
    return create_rule(
        session,
        {
            "name": name,
            "title_vi": "Kho lưu trữ",
            "kind": "event",
            "config": {"kinds": ["device"]},
            **timing,
        },
        REGISTRY,
        "op",
    )


def _device_event(store: OpStore, subject: str, admin_code: str, severity: str = "minor") -> None:
    with store.session() as session:
        events.record(
            session,
            kind="device",
            severity=severity,
            subject=subject,
            message="cửa kho mở",
            admin_code=admin_code,
        )


NO_DATA = Evaluator(DuckDBEngine(Warehouse(None)))


def test_each_level_is_notified_as_the_alert_goes_up(store: OpStore) -> None:
    _hierarchy(store)
    with store.session() as session:
        _device_rule(session, "kho-cap", escalate_after_minutes=30)
    _device_event(store, "KLT-20", LAOCAI_COMMUNE)
    evaluate_rules(store, NO_DATA, REGISTRY)
    with store.session() as session:
        rule = session.scalars(select(AlertRule)).one()
        alert = session.scalars(select(Alert)).one()
        note = session.scalars(select(Notification)).one()
        assert (note.title, note.body, note.link, note.severity) == (
            "Cảnh báo mới: Kho lưu trữ",
            "cửa kho mở",
            f"/alerts#alert-{alert.id}",
            "minor",
        )
        opened = alert.opened_at
        for minutes in (31, 62, 93):
            escalate_due(session, rule, as_utc(opened) + timedelta(minutes=minutes))
    assert _told(store, alert.id) == [
        ("xa", "alert.opened"),  # the commune first
        ("laocai", "alert.escalated"),  # then the province's department
        ("chief", "alert.escalated"),  # then the ministry: its units' users
        ("op", "alert.escalated"),
        ("chief", "alert.escalated"),  # and the command level: the leaders
    ]


def test_a_worse_repeat_notifies_the_next_level_at_once(store: OpStore) -> None:
    _hierarchy(store)
    with store.session() as session:
        _device_rule(session, "kho-xau")
    _device_event(store, "KLT-21", LAOCAI, "minor")
    evaluate_rules(store, NO_DATA, REGISTRY)
    _device_event(store, "KLT-21", LAOCAI, "critical")
    evaluate_rules(store, NO_DATA, REGISTRY)
    with store.session() as session:
        alert = session.scalars(select(Alert)).one()
    assert _told(store, alert.id) == [
        ("laocai", "alert.opened"),
        ("chief", "alert.escalated"),
        ("op", "alert.escalated"),
    ]


def test_reminders_repeat_until_someone_acknowledges(store: OpStore) -> None:
    _hierarchy(store)
    with store.session() as session:
        _device_rule(session, "kho-nhac", remind_every_minutes=20)
        _device_rule(session, "kho-tat", remind_every_minutes=20)
    _device_event(store, "KLT-22", LAOCAI)
    evaluate_rules(store, NO_DATA, REGISTRY)
    with store.session() as session:
        quiet = session.scalar(select(AlertRule).where(AlertRule.name == "kho-tat"))
        assert quiet is not None
        quiet.enabled = False  # a rule switched off reminds nobody
        alert = session.scalars(
            select(Alert).join(AlertRule).where(AlertRule.name == "kho-nhac")
        ).one()
        start = as_utc(alert.opened_at)
    with store.session() as session:
        assert remind_due(session, start + timedelta(minutes=10)) == 0
        assert remind_due(session, start + timedelta(minutes=21)) == 1
        assert remind_due(session, start + timedelta(minutes=30)) == 0  # 9 min since
        assert remind_due(session, start + timedelta(minutes=42)) == 1
        again = session.get(Alert, alert.id)
        assert again is not None and again.reminders == 2
        reminded = session.scalars(
            select(Event).where(Event.kind == "alert.reminded").order_by(Event.id)
        ).all()
        assert [e.message.rsplit("— ", 1)[1] for e in reminded] == [
            "nhắc lần 1, chưa có ai tiếp nhận (cấp tỉnh)",
            "nhắc lần 2, chưa có ai tiếp nhận (cấp tỉnh)",
        ]
        acknowledge(session, alert.id, "laocai")
    with store.session() as session:
        assert remind_due(session, start + timedelta(days=1)) == 0
        titles = session.scalars(
            select(Notification.title)
            .where(Notification.kind == "alert.reminder")
            .order_by(Notification.id)
        ).all()
        assert titles == [
            "Nhắc lần 1: Kho lưu trữ chưa được tiếp nhận",
            "Nhắc lần 2: Kho lưu trữ chưa được tiếp nhận",
        ]
    assert _told(store, alert.id) == [
        ("laocai", "alert.opened"),
        ("laocai", "alert.reminder"),
        ("laocai", "alert.reminder"),
    ]


def test_the_reminder_clock_restarts_when_the_alert_goes_up(store: OpStore) -> None:
    with store.session() as session:
        rule = _device_rule(
            session, "kho-dong-ho", escalate_after_minutes=30, remind_every_minutes=20
        )
    _device_event(store, "KLT-23", LAOCAI)
    evaluate_rules(store, NO_DATA, REGISTRY)
    with store.session() as session:
        rule = session.scalars(select(AlertRule)).one()
        alert = session.scalars(select(Alert)).one()
        start = as_utc(alert.opened_at)
        assert escalate_due(session, rule, start + timedelta(minutes=30)) == 1
        # 35 minutes after opening but 5 after the escalation told the new level: not yet.
        assert remind_due(session, start + timedelta(minutes=35)) == 0
        assert remind_due(session, start + timedelta(minutes=51)) == 1


def _source(
    session: Session, name: str, minutes: int | None, synced_ago: timedelta | None
) -> Source:
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "SNV.15"))
    assert unit is not None
    source = Source(
        name=name,
        label=f"CSDL {name}",
        kind="push",
        owner_unit_id=unit.id,
        config={},
        freshness_minutes=minutes,
        last_success_at=None if synced_ago is None else utcnow() - synced_ago,
        created_at=utcnow() - timedelta(days=2),
    )
    session.add(source)
    session.flush()
    return source


def test_a_late_source_raises_until_it_is_fresh_again(store: OpStore) -> None:
    _hierarchy(store)
    with store.session() as session:
        _source(session, "ton-giao", 60, timedelta(hours=3))  # 120 min late
        _source(session, "thi-dua", 60, timedelta(minutes=70))  # 10 min late: in the grace
        _source(session, "thanh-nien", 60, None)  # never synced since its creation 2 days ago
        _source(session, "tho-cong", None, timedelta(days=30))  # no agreed interval
        create_rule(
            session,
            {
                "name": "nguon-tre",
                "title_vi": "Nguồn dữ liệu trễ hạn",
                "kind": "freshness",
                "severity": "major",
                "config": {"sources": "all", "grace_minutes": 15},
            },
            REGISTRY,
            "op",
        )
        create_rule(
            session,
            {
                "name": "ton-giao-tre",
                "title_vi": "CSDL tôn giáo trễ",
                "kind": "freshness",
                "config": {"sources": ["ton-giao"]},
            },
            REGISTRY,
            "op",
        )
    result = evaluate_rules(store, NO_DATA, REGISTRY)
    assert (result.opened, result.failed) == (3, [])
    with store.session() as session:
        found = {
            (a.subject, a.admin_code, a.severity): a.message
            for a in session.scalars(
                select(Alert).join(AlertRule).where(AlertRule.name == "nguon-tre")
            )
        }
        assert set(found) == {
            ("source:ton-giao", LAOCAI, "major"),
            ("source:thanh-nien", LAOCAI, "major"),
        }
        assert re.match(
            r"Nguồn CSDL ton-giao: trễ 12\d phút so với chu kỳ thỏa thuận 60 phút \(lần đồng "
            r"bộ thành công gần nhất \d\d/\d\d/\d{4} \d\d:\d\d\)$",
            found[("source:ton-giao", LAOCAI, "major")],
        )
        assert "chưa đồng bộ thành công lần nào" in found[("source:thanh-nien", LAOCAI, "major")]
        opened = session.scalars(
            select(Event).where(Event.kind == "alert.opened", Event.subject == "source:ton-giao")
        ).all()
        assert [e.admin_code for e in opened] == [LAOCAI, LAOCAI]  # Lào Cai's viewers see it
        # The alert opened at the province: its department is told.
        alert_id = session.scalars(
            select(Alert.id).where(Alert.subject == "source:ton-giao")
        ).first()
        assert alert_id is not None
    assert _told(store, alert_id) == [("laocai", "alert.opened")]

    with store.session() as session:  # a sync succeeds
        session.execute(
            update(Source).where(Source.name == "ton-giao").values(last_success_at=utcnow())
        )
    cleared = evaluate_rules(store, NO_DATA, REGISTRY)
    assert cleared.resolved == 2
    with store.session() as session:
        still = session.scalars(select(Alert.subject).where(Alert.state == "active")).all()
        assert still == ["source:thanh-nien"]


def test_a_freshness_rule_names_sources_that_can_be_late(store: OpStore) -> None:
    _hierarchy(store)
    base = {"name": "nguon", "title_vi": "Nguồn trễ", "kind": "freshness"}
    with store.session() as session:
        _source(session, "tho-cong", None, None)
        _source(session, "noi-vu", 60, None)
        with pytest.raises(InvalidInputError, match="source khong-co does not exist"):
            create_rule(session, {**base, "config": {"sources": ["khong-co"]}}, REGISTRY, "op")
        with pytest.raises(InvalidInputError, match="tho-cong has no agreed interval"):
            create_rule(session, {**base, "config": {"sources": ["tho-cong"]}}, REGISTRY, "op")
        with pytest.raises(InvalidInputError, match='sources must be "all" or a list'):
            create_rule(session, {**base, "config": {"sources": "some"}}, REGISTRY, "op")
        with pytest.raises(InvalidInputError, match="grace_minutes must be a whole number"):
            create_rule(
                session, {**base, "config": {"sources": "all", "grace_minutes": -1}}, REGISTRY, "op"
            )
        create_rule(session, {**base, "config": {"sources": ["noi-vu"]}}, REGISTRY, "op")
    with store.session() as session:  # the source goes away: the rule fails, visibly
        session.execute(delete(Source).where(Source.name == "noi-vu"))
    result = evaluate_rules(store, NO_DATA, REGISTRY)
    assert len(result.failed) == 1 and "noi-vu no longer exists" in result.failed[0]


def _reports(store: OpStore, marker: str, places: list[str | None], ago: int = 0) -> None:
    with store.session() as session:
        for i, code in enumerate(places):
            event = events.record(
                session,
                kind="report.citizen",
                severity="warning",
                subject=f"PA-{marker}-{i}",
                message="phản ánh của người dân",
                admin_code=code,
            )
            event.at = utcnow() - timedelta(minutes=ago)


def test_a_surge_of_citizen_reports(store: OpStore) -> None:
    with store.session() as session:
        create_rule(
            session,
            {
                "name": "phan-anh-don-dap",
                "title_vi": "Phản ánh dồn dập",
                "kind": "event",
                "severity": "major",
                "config": {
                    "kinds": ["report.citizen"],
                    "surge": {"count": 3, "minutes": 30, "per": "province"},
                },
            },
            REGISTRY,
            "op",
        )
        create_rule(
            session,
            {
                "name": "phan-anh-ca-nuoc",
                "title_vi": "Phản ánh dồn dập cả nước",
                "kind": "event",
                "config": {"kinds": ["report.citizen"], "surge": {"count": 6, "minutes": 30}},
            },
            REGISTRY,
            "op",
        )
    # Lào Cai: three within the window (one from a commune), Hà Nội two, one long ago.
    _reports(store, "a", [LAOCAI, LAOCAI_COMMUNE, LAOCAI, HANOI, HANOI])
    _reports(store, "b", [HANOI], ago=45)
    result = evaluate_rules(store, NO_DATA, REGISTRY)
    assert (result.opened, result.failed) == (1, [])
    with store.session() as session:
        alert = session.scalars(select(Alert)).one()  # no alert per report
        assert (alert.subject, alert.admin_code, alert.severity, alert.value) == (
            "surge:15",
            LAOCAI,
            "major",
            3.0,
        )
        assert alert.message == (
            "Tỉnh Lào Cai: 3 sự kiện report.citizen trong 30 phút qua (ngưỡng 3)"
        )

    _reports(store, "c", [HANOI])  # Hà Nội reaches three; the nation six
    evaluate_rules(store, NO_DATA, REGISTRY)
    with store.session() as session:
        assert sorted(session.scalars(select(Alert.subject).where(Alert.state == "active"))) == [
            "surge:01",
            "surge:15",
            "surge:nation",
        ]
        # The window moves on: Lào Cai's reports are now 40 minutes old.
        session.execute(
            update(Event)
            .where(Event.subject.like("PA-a-%"), Event.admin_code != HANOI)
            .values(at=utcnow() - timedelta(minutes=40))
        )
    cleared = evaluate_rules(store, NO_DATA, REGISTRY)
    assert cleared.resolved == 2  # Lào Cai, and the nation (now 3)
    with store.session() as session:
        assert session.scalars(select(Alert.subject).where(Alert.state == "active")).all() == [
            "surge:01"
        ]
        assert (
            session.scalars(select(Alert.resolved_by).where(Alert.subject == "surge:15")).one()
            == "auto"
        )


@pytest.mark.parametrize(
    ("surge", "problem"),
    [
        ({"count": 1, "minutes": 10}, "count must be a whole number from 2"),
        ({"minutes": 10}, "count is required"),
        ({"count": 5, "minutes": 10, "per": "commune"}, "per 'commune' must be one of nation"),
        ({"count": 5, "minutes": 10, "window": 3}, "'window' is not a setting of a surge"),
        ("5 in 10", "surge must be an object"),
    ],
)
def test_a_bad_surge_is_refused(surge: object, problem: str) -> None:
    raw = {
        "name": "don-dap",
        "title_vi": "Dồn dập",
        "kind": "event",
        "config": {"kinds": ["report.citizen"], "surge": surge},
    }
    with pytest.raises(InvalidInputError, match=problem):
        check_rule(raw, REGISTRY)


@pytest.mark.parametrize(
    ("timing", "problem"),
    [
        ({"remind_every_minutes": 0}, "remind_every_minutes must be a whole number from 1"),
        ({"remind_every_minutes": "30"}, "remind_every_minutes must be a whole number"),
        ({"escalate_after_minutes": 2.5}, "escalate_after_minutes must be a whole number"),
    ],
)
def test_bad_timers_are_refused(timing: dict[str, object], problem: str) -> None:
    raw = {
        "name": "hen-gio",
        "title_vi": "Hẹn giờ",
        "kind": "event",
        "config": {"kinds": ["device"]},
        **timing,
    }
    with pytest.raises(InvalidInputError, match=problem):
        check_rule(raw, REGISTRY)


def test_a_rule_is_changed_switched_off_and_deleted(store: OpStore, warehouse: Warehouse) -> None:
    evaluator = Evaluator(DuckDBEngine(warehouse))
    with store.session() as session:
        rule = create_rule(session, {**WOMEN_RULE, "escalate_after_minutes": 60}, REGISTRY, "op")
        assert rule.config["remind_every_minutes"] == 30  # the default, kept with the rule
    evaluate_rules(store, evaluator, REGISTRY)
    assert [a[:2] for a in _alerts(store)] == [("province:01", "active")]

    with store.session() as session:
        with pytest.raises(InvalidInputError, match="its kind cannot change"):
            update_rule(session, "nu-duoi-40", {"kind": "event"}, REGISTRY)
        with pytest.raises(InvalidInputError, match="enabled must be true or false, not 'no'"):
            update_rule(session, "nu-duoi-40", {"enabled": "no"}, REGISTRY)
        with pytest.raises(InvalidInputError, match="owner cannot be changed"):
            update_rule(session, "nu-duoi-40", {"owner": "x"}, REGISTRY)
        with pytest.raises(InvalidInputError, match="threshold must be a number"):
            update_rule(
                session,
                "nu-duoi-40",
                {"config": {**WOMEN_RULE["config"], "threshold": "20"}},
                REGISTRY,
            )
        changed = update_rule(
            session,
            "nu-duoi-40",
            {
                "severity": "major",
                "config": {**WOMEN_RULE["config"], "threshold": 20},
                "remind_every_minutes": 15,
            },
            REGISTRY,
        )
        # The timer not mentioned stays.
        assert changed.config["escalate_after_minutes"] == 60
        assert changed.config["remind_every_minutes"] == 15
        assert changed.severity == "major"
    assert evaluate_rules(store, evaluator, REGISTRY).resolved == 1  # 30 % is not below 20

    with store.session() as session:
        update_rule(
            session,
            "nu-duoi-40",
            {"config": WOMEN_RULE["config"], "escalate_after_minutes": None},
            REGISTRY,
        )
        update_rule(session, "nu-duoi-40", {"enabled": False}, REGISTRY)
        rule = get_rule(session, "nu-duoi-40")
        assert "escalate_after_minutes" not in rule.config and not rule.enabled
    assert evaluate_rules(store, evaluator, REGISTRY).rules == 0  # switched off
    with store.session() as session:
        update_rule(session, "nu-duoi-40", {"enabled": True}, REGISTRY)
    evaluate_rules(store, evaluator, REGISTRY)

    with store.session() as session, pytest.raises(ConflictError, match="1 open alert"):
        delete_rule(session, "nu-duoi-40", "op")
    with store.session() as session:
        open_id = session.scalars(select(Alert.id).where(Alert.state == "active")).one()
        session.add(
            Incident(
                title="Thiếu cán bộ nữ",
                severity="minor",
                origin="alert",
                alert_id=open_id,
                opened_by="op",
            )
        )
    with store.session() as session, pytest.raises(ConflictError, match=r"incident .* disable"):
        delete_rule(session, "nu-duoi-40", "op", force=True)
    with store.session() as session:
        session.execute(delete(Incident))
    with store.session() as session:
        assert delete_rule(session, "nu-duoi-40", "op", force=True) == 1
    with store.session() as session:
        assert session.scalars(select(AlertRule)).all() == []
        assert session.scalars(select(Alert)).all() == []
        resolved = session.scalars(
            select(Event).where(Event.kind == "alert.resolved").order_by(Event.id.desc())
        ).first()
        assert resolved is not None and resolved.payload is not None
        assert resolved.payload["state"] == "resolved"


def test_an_event_rule_switched_back_on_watches_from_then(store: OpStore) -> None:
    with store.session() as session:
        _device_rule(session, "kho-bat-lai")
        update_rule(session, "kho-bat-lai", {"enabled": False}, REGISTRY)
    _device_event(store, "KLT-30", LAOCAI)  # while it was off
    with store.session() as session:
        update_rule(session, "kho-bat-lai", {"enabled": True}, REGISTRY)
    _device_event(store, "KLT-31", LAOCAI)
    evaluate_rules(store, NO_DATA, REGISTRY)
    assert [a[0] for a in _alerts(store)] == ["KLT-31"]
