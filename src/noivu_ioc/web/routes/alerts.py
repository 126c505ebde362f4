"""Alerts and their rules: the JSON API (the alerts in the viewer's scope, acknowledge and
resolve within it, the rules for operators and administrators, checking a rule before saving
it, an evaluation on demand) and the two pages, ``/alerts`` for whoever handles alerts and
``/alerts/rules`` for whoever defines them. Every change and every refusal is audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import ColumnElement, false, func, select
from sqlalchemy.orm import Session

from noivu_ioc.access.roles import Permission
from noivu_ioc.access.scope import Scope
from noivu_ioc.access.users import Principal, audit
from noivu_ioc.errors import IOCError, NotAllowedError
from noivu_ioc.ingest.events import SEVERITIES
from noivu_ioc.operations import alerts as svc
from noivu_ioc.operations.evaluate import evaluate_rules, judge
from noivu_ioc.store.models import Alert, AlertRule, as_utc, utcnow
from noivu_ioc.units import admin
from noivu_ioc.web.deps import (
    AlertHandler,
    Lang,
    RowId,
    RuleManager,
    SituationDep,
    Viewer,
    client_of,
)
from noivu_ioc.web.i18n import t
from noivu_ioc.web.messages.alerts import MESSAGES
from noivu_ioc.web.pages import render

router = APIRouter(tags=["alerts"])


def _when(value: Any) -> str | None:
    return None if value is None else as_utc(value).astimezone(UTC).isoformat()


def alert_public(alert: Alert, rule: AlertRule, lang: str = "vi") -> dict[str, Any]:
    return {
        "id": alert.id,
        "rule": rule.name,
        "kind": rule.kind,
        "title": rule.title_vi if lang == "vi" else rule.title_en,
        "subject": alert.subject,
        "admin_code": alert.admin_code,
        "severity": alert.severity,
        "state": alert.state,
        "message": alert.message,
        "value": alert.value,
        "occurrences": alert.occurrences,
        "opened_at": _when(alert.opened_at),
        "last_seen_at": _when(alert.last_seen_at),
        "acknowledged_at": _when(alert.acknowledged_at),
        "acknowledged_by": alert.acknowledged_by,
        "resolved_at": _when(alert.resolved_at),
        "resolved_by": alert.resolved_by,
        "level": alert.level,
        "level_name": t(f"alerts.level.{alert.level}", lang),
        "escalated_at": _when(alert.escalated_at),
        "reminders": alert.reminders or 0,
        "reminded_at": _when(alert.reminded_at),
    }


def rule_public(rule: AlertRule, open_alerts: int = 0) -> dict[str, Any]:
    return {
        "name": rule.name,
        "title_vi": rule.title_vi,
        "title_en": rule.title_en,
        "kind": rule.kind,
        "severity": rule.severity,
        "config": rule.config,
        "enabled": rule.enabled,
        "created_by": rule.created_by,
        "evaluated_at": _when(rule.evaluated_at),
        "open_alerts": open_alerts,
    }


def in_scope(scope: Scope) -> ColumnElement[bool] | None:
    """The alerts a scope covers, as a condition of the query (None: all of them). A
    province covers its communes; national alerts (no place) are for national scopes."""
    if scope.national:
        return None
    codes = set(scope.provinces) | set(scope.communes)
    for province in scope.provinces:
        codes.update(c.code for c in admin.communes_of(province))
    return Alert.admin_code.in_(sorted(codes)) if codes else false()


def _audited[T](
    request: Request, principal: Principal, action: str, target: str, work: Callable[[], T]
) -> T:
    """Run a change; a refusal is audited in a transaction of its own (the change's own is
    rolled back) and raised again. Scope refusals are audited where they are found."""
    try:
        return work()
    except IOCError as exc:
        if isinstance(exc, NotAllowedError):
            raise
        with request.app.state.store.session() as session:
            audit(
                session,
                action,
                "failed",
                user=principal,
                target=target,
                detail={"error": exc.message},
                client=client_of(request),
            )
        raise


def _scoped_alert(request: Request, session: Session, principal: Principal, alert_id: int) -> Alert:
    alert = svc.get_alert(session, alert_id)
    if not principal.scope.covers(alert.admin_code):
        with request.app.state.store.session() as other:
            audit(
                other,
                "alert",
                "denied",
                user=principal,
                target=f"alert {alert_id}",
                client=client_of(request),
            )
        raise NotAllowedError(
            f"alert {alert_id} concerns a unit outside your scope; it is handled there"
        )
    return alert


def _rule_of(session: Session, alert: Alert) -> AlertRule:
    rule = session.get(AlertRule, alert.rule_id)
    assert rule is not None
    return rule


@router.get("/api/alerts")
def api_alerts(
    request: Request,
    principal: Viewer,
    state: Annotated[str, Query(pattern="^(open|all)$")] = "open",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    """Alerts in the caller's scope, newest first: the open ones, or all."""
    query = select(Alert, AlertRule).join(AlertRule, AlertRule.id == Alert.rule_id)
    if state == "open":
        query = query.where(Alert.state.in_(svc.OPEN))
    scoped = in_scope(principal.scope)
    if scoped is not None:
        query = query.where(scoped)
    with request.app.state.store.session() as session:
        rows = session.execute(query.order_by(Alert.id.desc()).limit(limit)).all()
        return [alert_public(a, r, principal.language) for a, r in rows]


@router.get("/api/alerts/{alert_id}")
def api_alert(request: Request, alert_id: RowId, principal: Viewer) -> dict[str, Any]:
    """One alert, when it is in the caller's scope."""
    with request.app.state.store.session() as session:
        alert = _scoped_alert(request, session, principal, alert_id)
        return alert_public(alert, _rule_of(session, alert), principal.language)


def _act(
    request: Request,
    principal: Principal,
    alert_id: RowId,
    action: str,
    change: Callable[[Session, int, str], Alert],
) -> dict[str, Any]:
    def work() -> dict[str, Any]:
        with request.app.state.store.session() as session:
            _scoped_alert(request, session, principal, alert_id)
            alert = change(session, alert_id, principal.username)
            audit(
                session,
                action,
                "ok",
                user=principal,
                target=f"alert {alert_id}",
                client=client_of(request),
            )
            return alert_public(alert, _rule_of(session, alert), principal.language)

    return _audited(request, principal, action, f"alert {alert_id}", work)


@router.post("/api/alerts/{alert_id}/acknowledge")
def api_acknowledge(request: Request, alert_id: RowId, principal: AlertHandler) -> dict[str, Any]:
    """Take an active alert in hand: it stops escalating and reminding."""
    return _act(request, principal, alert_id, "alert.acknowledge", svc.acknowledge)


@router.post("/api/alerts/{alert_id}/resolve")
def api_resolve(request: Request, alert_id: RowId, principal: AlertHandler) -> dict[str, Any]:
    return _act(request, principal, alert_id, "alert.resolve", svc.resolve)


def _rules(session: Session) -> list[dict[str, Any]]:
    open_counts = {
        rule_id: count
        for rule_id, count in session.execute(
            select(Alert.rule_id, func.count())
            .where(Alert.state.in_(svc.OPEN))
            .group_by(Alert.rule_id)
        )
    }
    return [
        rule_public(r, int(open_counts.get(r.id, 0)))
        for r in session.scalars(select(AlertRule).order_by(AlertRule.id))
    ]


@router.get("/api/alert-rules")
def api_rules(request: Request, principal: Viewer) -> list[dict[str, Any]]:
    """Every rule, with how many open alerts it has."""
    with request.app.state.store.session() as session:
        return _rules(session)


RuleBody = Annotated[dict[str, Any], Body()]


@router.post("/api/alert-rules", status_code=201)
def api_create_rule(
    request: Request, situation: SituationDep, principal: RuleManager, body: RuleBody
) -> dict[str, Any]:
    """Define a rule: ``kind`` indicator (``config``: indicator, condition above, below,
    change, seasonal or forecast with its settings, per nation or province), event
    (``config``: kinds, min_severity, optional surge) or freshness (``config``: sources,
    grace_minutes); ``escalate_after_minutes`` and ``remind_every_minutes`` beside it."""

    def work() -> dict[str, Any]:
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

    return _audited(request, principal, "alert_rule.create", str(body.get("name")), work)


@router.post("/api/alert-rules/check")
def api_check_rule(
    request: Request,
    situation: SituationDep,
    principal: RuleManager,
    body: RuleBody,
    editing: Annotated[
        str | None, Query(description="The rule being changed: its name is not a conflict.")
    ] = None,
) -> dict[str, Any]:
    """Check a rule without saving it: the refusal creating it (or, with ``editing``,
    changing that rule) would meet, or the rule as it would be kept with what it would find
    now (``breaches``) and the places it could not judge (``notes``)."""
    with request.app.state.store.session() as session:
        if editing is not None:
            checked = svc.check_update(session, editing, body, situation.registry)
        else:
            checked = svc.validate_rule(session, body, situation.registry)
        if checked["kind"] == "event" and "surge" not in checked["config"]:
            return {
                "rule": checked,
                "breaches": [],
                "notes": ["an event rule raises an alert for each event from now on"],
            }
        draft = AlertRule(**checked, created_by=principal.username, last_event_id=0)
        try:
            found = judge(session, draft, situation.evaluator, situation.registry, utcnow())
        except Exception as exc:  # the rule is valid; the data cannot be read just now
            return {"rule": checked, "breaches": [], "notes": [f"not evaluated now: {exc}"]}
        return {
            "rule": checked,
            "breaches": [b.message for b in found.breaches],
            "notes": found.notes,
        }


@router.patch("/api/alert-rules/{name}")
def api_update_rule(
    request: Request, name: str, situation: SituationDep, principal: RuleManager, body: RuleBody
) -> dict[str, Any]:
    """Change a rule: ``enabled``, ``severity``, ``title_vi``, ``title_en``, ``config``,
    ``escalate_after_minutes`` (null: no escalation), ``remind_every_minutes``; checked as a
    new rule is."""

    def work() -> dict[str, Any]:
        with request.app.state.store.session() as session:
            rule = svc.update_rule(session, name, body, situation.registry)
            audit(
                session,
                "alert_rule.update",
                "ok",
                user=principal,
                target=name,
                detail={"changed": sorted(body)},
                client=client_of(request),
            )
            count = session.scalar(
                select(func.count())
                .select_from(Alert)
                .where(Alert.rule_id == rule.id, Alert.state.in_(svc.OPEN))
            )
            return rule_public(rule, int(count or 0))

    return _audited(request, principal, "alert_rule.update", name, work)


@router.delete("/api/alert-rules/{name}")
def api_delete_rule(
    request: Request,
    name: str,
    principal: RuleManager,
    force: Annotated[bool, Query(description="Resolve its open alerts first.")] = False,
) -> dict[str, Any]:
    """Delete a rule and its alerts. Refused (409) while it has open alerts unless
    ``force``, and when one of its alerts started an incident: disable that rule instead."""

    def work() -> dict[str, Any]:
        with request.app.state.store.session() as session:
            resolved = svc.delete_rule(session, name, principal.username, force)
            audit(
                session,
                "alert_rule.delete",
                "ok",
                user=principal,
                target=name,
                detail={"force": force, "resolved": resolved},
                client=client_of(request),
            )
            return {"deleted": name, "resolved": resolved}

    return _audited(request, principal, "alert_rule.delete", name, work)


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
        "escalated": result.escalated,
        "failed": result.failed,
        "notes": result.notes,
    }


# Pages --------------------------------------------------------------------------------


def _texts(lang: str) -> dict[str, str]:
    """The page's messages in its language, for the script that draws it."""
    return {key: t(key, lang) for key in MESSAGES} | {
        f"severity.{s}": t(f"severity.{s}", lang) for s in SEVERITIES
    }


@router.get("/alerts", response_class=HTMLResponse, include_in_schema=False)
def alerts_page(request: Request, principal: Viewer, lang: Lang) -> Response:
    return render(
        request,
        "alerts.html",
        {
            "lang": lang,
            "principal": principal,
            "config": {
                "lang": lang,
                "can_handle": principal.can(Permission.HANDLE_ALERTS),
                "can_open_incident": principal.can(Permission.COORDINATE),
                "texts": _texts(lang),
            },
        },
    )


@router.get("/alerts/rules", response_class=HTMLResponse, include_in_schema=False)
def rules_page(request: Request, principal: RuleManager, lang: Lang) -> Response:
    return render(
        request,
        "alert_rules.html",
        {
            "lang": lang,
            "principal": principal,
            "severities": SEVERITIES,
            "config": {"lang": lang, "texts": _texts(lang)},
        },
    )
