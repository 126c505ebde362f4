"""Alert rules on an indicator and on events: one open alert per rule and subject, repeats
that update it, automatic resolution when the condition clears, the lifecycle with who and
when, and a broken rule that leaves the others running. On SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from noivu_ioc.catalog import catalog
from noivu_ioc.errors import ConflictError, InvalidInputError
from noivu_ioc.indicators.engine import DuckDBEngine, Evaluator
from noivu_ioc.indicators.registry import Registry
from noivu_ioc.ingest import events
from noivu_ioc.operations.alerts import acknowledge, create_rule, resolve
from noivu_ioc.operations.evaluate import evaluate_rules
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import Alert, Event
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


def test_the_loop_keeps_evaluating_after_a_failure() -> None:
    import threading

    from noivu_ioc.operations.evaluate import Evaluation
    from noivu_ioc.operations.loop import AlertLoop

    calls = {"n": 0}
    done = threading.Event()

    def evaluate() -> Evaluation:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("the store is restarting")
        done.set()
        return Evaluation(rules=1)

    loop = AlertLoop(evaluate, every_s=0.01)
    loop.start()
    try:
        assert done.wait(60)  # a bound on waiting, not a speed check
    finally:
        loop.stop()
    assert calls["n"] >= 2 and loop.runs >= 1


def test_an_alert_nobody_takes_goes_up_a_level_each_time(store: OpStore) -> None:
    from datetime import timedelta

    from noivu_ioc.operations.alerts import escalate_due
    from noivu_ioc.store.models import AlertRule, utcnow

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
