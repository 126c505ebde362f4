"""Evaluating the rules: each indicator rule on the latest reading (from the indicators'
cache, so an evaluation after nothing changed touches no warehouse table), each event rule on
the events that came in since it last looked. One rule failing (an indicator removed, an
engine error) is recorded as an error event and does not stop the others; no alert is lost.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from noivu_ioc.access.scope import Scope
from noivu_ioc.indicators.compile import Place
from noivu_ioc.indicators.engine import Evaluator
from noivu_ioc.indicators.registry import Registry
from noivu_ioc.ingest import events
from noivu_ioc.operations.alerts import Breach, auto_resolve, escalate_due, raise_alert, rank
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import AlertRule, Event, utcnow
from noivu_ioc.units import admin
from noivu_ioc.web.i18n import format_number  # a pure function; messages are Vietnamese

log = logging.getLogger(__name__)


@dataclass
class Evaluation:
    rules: int = 0
    opened: int = 0
    repeated: int = 0
    resolved: int = 0
    escalated: int = 0
    failed: list[str] = field(default_factory=list)


def _indicator_breaches(rule: AlertRule, evaluator: Evaluator, registry: Registry) -> list[Breach]:
    config = rule.config
    indicator = registry.get(config["indicator"])
    threshold = float(config["threshold"])
    above = config["condition"] == "above"

    def breaches(value: float | None) -> bool:
        return value is not None and (value > threshold if above else value < threshold)

    unit = indicator.unit_label("vi")
    word = "vượt ngưỡng" if above else "dưới ngưỡng"
    found = []
    if config["per"] == "province":
        reading = evaluator.read(indicator, Place.nation(), Scope.everything())
        for row in evaluator.cut(
            indicator, Place.nation(), Scope.everything(), "province", reading.period
        ):
            if row.key is not None and breaches(row.value):
                name = admin.unit(str(row.key)).name
                found.append(
                    Breach(
                        subject=f"province:{row.key}",
                        admin_code=str(row.key),
                        message=f"{name}: {format_number(row.value, 'vi', indicator.decimals)} "
                        f"{unit} {word} {format_number(threshold, 'vi', indicator.decimals)}",
                        value=row.value,
                    )
                )
        return found
    reading = evaluator.read(indicator, Place.nation(), Scope.everything())
    if breaches(reading.value):
        assert reading.value is not None
        found.append(
            Breach(
                subject="nation",
                admin_code=None,
                message=f"Toàn quốc: {format_number(reading.value, 'vi', indicator.decimals)} "
                f"{unit} {word} {format_number(threshold, 'vi', indicator.decimals)}",
                value=reading.value,
            )
        )
    return found


def _event_breaches(session: Session, rule: AlertRule) -> tuple[list[Breach], int]:
    config = rule.config
    floor = rank(config.get("min_severity", "info"))
    fresh = list(
        session.scalars(
            select(Event)
            .where(Event.id > rule.last_event_id, Event.kind.in_(config["kinds"]))
            .order_by(Event.id)
        )
    )
    last = max([rule.last_event_id, *(e.id for e in fresh)])
    breaches = [
        Breach(
            subject=e.subject,
            admin_code=e.admin_code,
            message=e.message,
            severity=e.severity,
        )
        for e in fresh
        if e.severity in events.SEVERITIES and rank(e.severity) <= floor
    ]
    return breaches, last


def evaluate_rules(store: OpStore, evaluator: Evaluator, registry: Registry) -> Evaluation:
    """Run every enabled rule once, each in its own transaction, then escalate its alerts
    that nobody took in hand within the rule's time."""
    result = Evaluation()
    with store.session() as session:
        ids = list(session.scalars(select(AlertRule.id).where(AlertRule.enabled.is_(True))))
    for rule_id in ids:
        result.rules += 1
        try:
            with store.session() as session:
                rule = session.get(AlertRule, rule_id)
                if rule is None:
                    continue
                if rule.kind == "indicator":
                    found = _indicator_breaches(rule, evaluator, registry)
                    for breach in found:
                        _, happened = raise_alert(session, rule, breach)
                        result.opened += happened == "opened"
                        result.repeated += happened != "opened"
                    result.resolved += len(auto_resolve(session, rule, {b.subject for b in found}))
                else:
                    found, last = _event_breaches(session, rule)
                    for breach in found:
                        _, happened = raise_alert(session, rule, breach)
                        result.opened += happened == "opened"
                        result.repeated += happened != "opened"
                    rule.last_event_id = last
                rule.evaluated_at = utcnow()
                result.escalated += escalate_due(session, rule, rule.evaluated_at)
        except Exception as exc:  # one rule's failure is an event, not the end of the others
            log.exception("alert rule %s failed", rule_id)
            message = f"alert rule {rule_id} could not be evaluated: {type(exc).__name__}: {exc}"
            result.failed.append(message)
            with store.session() as session:
                events.record(
                    session,
                    kind="rule.failed",
                    severity="major",
                    subject=f"rule:{rule_id}",
                    message=message,
                )
    return result
