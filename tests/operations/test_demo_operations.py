"""The demo's operations, seeded through the services, and the server's scheduled jobs run
over them: a fresh demo shows alerts, an incident with tasks, directives waiting for units
and a late inspection step, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from noivu_ioc.demo import prepare_store
from noivu_ioc.demo_operations import prepare_operations
from noivu_ioc.indicators.engine import DuckDBEngine, Evaluator
from noivu_ioc.indicators.registry import Registry, library
from noivu_ioc.operations.evaluate import Evaluation
from noivu_ioc.operations.loop import operations_jobs
from noivu_ioc.operations.outbox import SendResult
from noivu_ioc.settings import Settings
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import (
    Alert,
    AlertRule,
    DirectiveRecipient,
    Event,
    Incident,
    ProcessRun,
    Task,
    as_utc,
    utcnow,
)
from noivu_ioc.warehouse import Warehouse


def test_the_demo_operations_are_seeded_once_and_the_server_jobs_act_on_them(
    store: OpStore, demo_warehouse: Warehouse, tmp_path: Path
) -> None:
    prepare_store(store)
    registry = Registry(library())
    assert prepare_operations(store, registry) is True
    assert prepare_operations(store, registry) is False  # a second start adds nothing

    with store.session() as session:
        rules = set(session.scalars(select(AlertRule.name)))
        assert {"nghi-huu-5-nam-cao", "phan-anh-tang-dot-bien", "canh-bao-cap"} <= rules
        assert len(rules) == 7
        reports = session.scalar(
            select(func.count()).select_from(Event).where(Event.kind == "report.citizen")
        )
        assert reports == 3
        incident = session.scalars(select(Incident)).one()
        assert incident.admin_code == "02683"  # Bát Xát, a commune of Lào Cai
        tasks = session.scalars(select(Task).where(Task.incident_id == incident.id)).all()
        assert sorted(t.unit_code for t in tasks) == ["UBX.02680", "UBX.02683"]
        recipients = session.scalars(select(DirectiveRecipient)).all()
        assert len(recipients) == 3 + 34
        acknowledged = sorted(r.unit_code for r in recipients if r.acknowledged_at)
        assert acknowledged == ["SNV.01", "SNV.15", "SNV.15"]
        run = session.scalars(select(ProcessRun)).one()
        states = [s.state for s in sorted(run.steps, key=lambda s: s.position)]
        assert states[:4] == ["done", "done", "done", "active"]
        fourth = next(s for s in run.steps if s.position == 4)
        assert fourth.due_at is not None and as_utc(fourth.due_at) < utcnow()  # it is late

    settings = Settings(data_dir=tmp_path, scheduler=False)
    evaluator = Evaluator(DuckDBEngine(demo_warehouse))
    outcomes = {name: job() for name, job in operations_jobs(store, evaluator, registry, settings)}
    assert list(outcomes) == [
        "alert rules",
        "alert reminders",
        "overdue tasks",
        "late process steps",
        "silent directive units",
        "CAP publication",
        "e-mail and SMS",
        "audit sealing",
        "signed tree head",
    ]
    evaluation = outcomes["alert rules"]
    assert isinstance(evaluation, Evaluation)
    assert evaluation.failed == [] and evaluation.rules == 7
    assert evaluation.opened > 0
    assert outcomes["late process steps"] == 1  # the inspection's fourth step
    assert isinstance(outcomes["silent directive units"], int)
    assert outcomes["silent directive units"] >= 2  # SNV.08 and SNV.04, silent for 3 hours
    assert outcomes["e-mail and SMS"] == SendResult()  # neither is configured here
    assert isinstance(outcomes["audit sealing"], int) and outcomes["audit sealing"] > 0
    assert outcomes["signed tree head"] is not None  # the sealed audit grew the log
    with store.session() as session:
        surge = session.scalars(
            select(Alert).join(AlertRule).where(AlertRule.name == "phan-anh-tang-dot-bien")
        ).one()
        assert surge.subject.endswith("15") and surge.state == "active"
        # Every open alert goes out once as a CAP message; a second tick sends nothing new.
        open_alerts = session.scalar(
            select(func.count()).select_from(Alert).where(Alert.state == "active")
        )
        assert outcomes["CAP publication"] == open_alerts == evaluation.opened
        assert as_utc(surge.opened_at) > utcnow() - timedelta(minutes=5)
    again = dict(operations_jobs(store, evaluator, registry, settings))
    assert again["CAP publication"]() == 0
    repeat = again["alert rules"]()
    assert isinstance(repeat, Evaluation) and repeat.opened == 0  # repeats, not duplicates
