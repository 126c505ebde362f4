"""Alerts and their rules through the API: the open alerts in the viewer's scope, acknowledge
and resolve (within scope, audited), the rules (operators and administrators), and an
evaluation on demand."""

from __future__ import annotations

from datetime import UTC
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from sqlalchemy import select

from noivu_ioc.access.users import Principal, audit
from noivu_ioc.errors import NotAllowedError, NotFoundError
from noivu_ioc.operations import alerts as svc
from noivu_ioc.operations.evaluate import evaluate_rules
from noivu_ioc.store.models import Alert, AlertRule, as_utc
from noivu_ioc.web.deps import (
    AlertHandler,
    RuleManager,
    SituationDep,
    Viewer,
    client_of,
)

router = APIRouter(tags=["alerts"])


def alert_public(alert: Alert, rule: AlertRule, lang: str = "vi") -> dict[str, Any]:
    def when(value: Any) -> str | None:
        return None if value is None else as_utc(value).astimezone(UTC).isoformat()

    return {
        "id": alert.id,
        "rule": rule.name,
        "title": rule.title_vi if lang == "vi" else rule.title_en,
        "subject": alert.subject,
        "admin_code": alert.admin_code,
        "severity": alert.severity,
        "state": alert.state,
        "message": alert.message,
        "value": alert.value,
        "occurrences": alert.occurrences,
        "opened_at": when(alert.opened_at),
        "last_seen_at": when(alert.last_seen_at),
        "acknowledged_at": when(alert.acknowledged_at),
        "acknowledged_by": alert.acknowledged_by,
        "resolved_at": when(alert.resolved_at),
        "resolved_by": alert.resolved_by,
        "level": alert.level,
        "level_name": svc.LEVELS[alert.level],
        "escalated_at": when(alert.escalated_at),
    }


def rule_public(rule: AlertRule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "title_vi": rule.title_vi,
        "title_en": rule.title_en,
        "kind": rule.kind,
        "severity": rule.severity,
        "config": rule.config,
        "enabled": rule.enabled,
        "created_by": rule.created_by,
    }


@router.get("/api/alerts")
def api_alerts(
    request: Request,
    principal: Viewer,
    state: Annotated[str, Query(pattern="^(open|all)$")] = "open",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    """Alerts in the caller's scope, newest first: the open ones, or all."""
    with request.app.state.store.session() as session:
        query = select(Alert, AlertRule).join(AlertRule, AlertRule.id == Alert.rule_id)
        if state == "open":
            query = query.where(Alert.state.in_(svc.OPEN))
        rows = session.execute(query.order_by(Alert.id.desc()).limit(5000)).all()
        mine = [
            alert_public(a, r, principal.language)
            for a, r in rows
            if principal.scope.covers(a.admin_code)
        ]
    return mine[:limit]


def _in_scope(request: Request, principal: Principal, alert_id: int) -> None:
    with request.app.state.store.session() as session:
        alert = session.get(Alert, alert_id)
        if alert is None:
            raise NotFoundError(f"alert {alert_id} does not exist")
        if not principal.scope.covers(alert.admin_code):
            audit(
                session,
                "alert",
                "denied",
                user=principal,
                target=f"alert {alert_id}",
                client=client_of(request),
            )
            raise NotAllowedError(
                f"alert {alert_id} concerns a unit outside your scope; it is handled there"
            )


@router.post("/api/alerts/{alert_id}/acknowledge")
def api_acknowledge(request: Request, alert_id: int, principal: AlertHandler) -> dict[str, Any]:
    """Take an active alert in hand (it stops escalating)."""
    _in_scope(request, principal, alert_id)
    with request.app.state.store.session() as session:
        alert = svc.acknowledge(session, alert_id, principal.username)
        audit(
            session,
            "alert.acknowledge",
            "ok",
            user=principal,
            target=f"alert {alert_id}",
            client=client_of(request),
        )
        rule = session.get(AlertRule, alert.rule_id)
        assert rule is not None
        return alert_public(alert, rule, principal.language)


@router.post("/api/alerts/{alert_id}/resolve")
def api_resolve(request: Request, alert_id: int, principal: AlertHandler) -> dict[str, Any]:
    _in_scope(request, principal, alert_id)
    with request.app.state.store.session() as session:
        alert = svc.resolve(session, alert_id, principal.username)
        audit(
            session,
            "alert.resolve",
            "ok",
            user=principal,
            target=f"alert {alert_id}",
            client=client_of(request),
        )
        rule = session.get(AlertRule, alert.rule_id)
        assert rule is not None
        return alert_public(alert, rule, principal.language)


@router.get("/api/alert-rules")
def api_rules(request: Request, principal: Viewer) -> list[dict[str, Any]]:
    with request.app.state.store.session() as session:
        return [rule_public(r) for r in session.scalars(select(AlertRule).order_by(AlertRule.id))]


@router.post("/api/alert-rules", status_code=201)
def api_create_rule(
    request: Request,
    situation: SituationDep,
    principal: RuleManager,
    body: Annotated[dict[str, Any], Body()],
) -> dict[str, Any]:
    """Define a rule: ``kind`` indicator (``config``: indicator, condition above/below,
    threshold, per nation/province) or event (``config``: kinds, min_severity)."""
    with request.app.state.store.session() as session:
        rule = svc.create_rule(session, body, situation.registry, principal.username)
        audit(
            session,
            "alert_rule.create",
            "ok",
            user=principal,
            target=rule.name,
            client=client_of(request),
        )
        return rule_public(rule)


@router.post("/api/alert-rules/evaluate")
def api_evaluate(
    request: Request, situation: SituationDep, principal: RuleManager
) -> dict[str, Any]:
    """Evaluate every enabled rule now (the server also does it on its schedule)."""
    result = evaluate_rules(request.app.state.store, situation.evaluator, situation.registry)
    return {
        "rules": result.rules,
        "opened": result.opened,
        "repeated": result.repeated,
        "resolved": result.resolved,
        "failed": result.failed,
    }
