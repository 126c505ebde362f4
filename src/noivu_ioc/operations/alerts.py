"""Alert rules and the alerts they raise: checked definitions, one open alert per rule and
subject, and the lifecycle active → acknowledged → resolved with who and when.

Rule kinds (the ``config`` of a rule):

- ``indicator``: ``{"indicator": id, "condition": "above" | "below", "threshold": number,
  "per": "nation" | "province"}``. Evaluated on the indicator's latest reading, for the nation
  or for every province; an alert per subject that breaches, resolved by itself when the
  value comes back.
- ``event``: ``{"kinds": ["device", "source.stale", ...], "min_severity": "warning"}``. Every
  new event of those kinds raises or updates the alert of its subject (a device, a source);
  a source's lateness against its agreed interval comes in as ``source.stale`` events, so a
  freshness rule is an event rule on that kind.

Each change of an alert is also recorded as an event (``alert.opened``, ``alert.updated``,
``alert.acknowledged``, ``alert.resolved``), which the live stream carries to the wall, the
console and the phone within their scopes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from noivu_ioc.errors import ConflictError, InvalidInputError, NotFoundError
from noivu_ioc.indicators.registry import Registry
from noivu_ioc.ingest import events
from noivu_ioc.ingest.events import SEVERITIES
from noivu_ioc.store.models import Alert, AlertRule, as_utc, utcnow

KINDS = ("indicator", "event")
CONDITIONS = ("above", "below")
OPEN = ("active", "acknowledged")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def rank(severity: str) -> int:
    """0 for critical, 4 for info: lower is more severe."""
    return SEVERITIES.index(severity)


@dataclass(frozen=True, slots=True)
class Breach:
    """A subject for which a rule's condition holds now."""

    subject: str
    admin_code: str | None
    message: str
    value: float | None = None
    severity: str | None = None  # the event's own, for event rules; else the rule's


def check_rule(raw: dict[str, Any], registry: Registry) -> dict[str, Any]:
    """A rule definition with its config checked, or InvalidInputError naming the problem."""
    name = str(raw.get("name", ""))
    if not _NAME.match(name):
        raise InvalidInputError(
            f"rule name {name!r} must be lower case letters, digits and hyphens"
        )
    kind = raw.get("kind")
    if kind not in KINDS:
        raise InvalidInputError(f"rule {name}: kind {kind!r} must be one of {', '.join(KINDS)}")
    severity = raw.get("severity", "warning")
    if severity not in SEVERITIES:
        raise InvalidInputError(
            f"rule {name}: severity {severity!r} must be one of {', '.join(SEVERITIES)}"
        )
    title_vi = str(raw.get("title_vi", "")).strip()
    if not title_vi:
        raise InvalidInputError(f"rule {name}: a Vietnamese title (title_vi) is required")
    config = raw.get("config")
    if not isinstance(config, dict):
        raise InvalidInputError(f"rule {name}: config must be an object")
    if kind == "indicator":
        ident = config.get("indicator")
        if not isinstance(ident, str) or ident not in registry:
            raise InvalidInputError(
                f"rule {name}: indicator {ident!r} does not exist; GET /api/indicators lists them"
            )
        if config.get("condition") not in CONDITIONS:
            raise InvalidInputError(
                f"rule {name}: condition {config.get('condition')!r} must be above or below"
            )
        threshold = config.get("threshold")
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
            raise InvalidInputError(f"rule {name}: threshold must be a number")
        per = config.get("per", "nation")
        if per not in ("nation", "province"):
            raise InvalidInputError(f"rule {name}: per {per!r} must be nation or province")
        if per == "province" and "province" not in registry.get(ident).place_dimensions:
            raise InvalidInputError(
                f"rule {name}: indicator {ident} is not kept by province; use per = nation"
            )
        config = {
            "indicator": ident,
            "condition": config["condition"],
            "threshold": float(threshold),
            "per": per,
        }
    else:
        kinds = config.get("kinds")
        if not isinstance(kinds, list) or not kinds or not all(isinstance(k, str) for k in kinds):
            raise InvalidInputError(
                f'rule {name}: kinds must be a list of event kinds, e.g. ["device", "source.stale"]'
            )
        looping = [k for k in kinds if k.startswith("alert.")]
        if looping:
            raise InvalidInputError(
                f"rule {name}: kinds {', '.join(looping)} are the alerts' own events; a rule "
                "on them would raise alerts about alerts"
            )
        floor = config.get("min_severity", "info")
        if floor not in SEVERITIES:
            raise InvalidInputError(
                f"rule {name}: min_severity {floor!r} must be one of {', '.join(SEVERITIES)}"
            )
        config = {"kinds": sorted(set(kinds)), "min_severity": floor}
    escalate = raw.get("escalate_after_minutes")
    if escalate is not None:
        if isinstance(escalate, bool) or not isinstance(escalate, int) or escalate < 1:
            raise InvalidInputError(
                f"rule {name}: escalate_after_minutes must be a whole number of minutes (>= 1)"
            )
        config = {**config, "escalate_after_minutes": escalate}
    return {
        "name": name,
        "title_vi": title_vi,
        "title_en": str(raw.get("title_en", "")).strip() or title_vi,
        "kind": kind,
        "severity": severity,
        "config": config,
        "enabled": bool(raw.get("enabled", True)),
    }


def create_rule(session: Session, raw: dict[str, Any], registry: Registry, user: str) -> AlertRule:
    checked = check_rule(raw, registry)
    if session.scalar(select(AlertRule.id).where(AlertRule.name == checked["name"])):
        raise ConflictError(f"rule {checked['name']!r} exists already")
    rule = AlertRule(**checked, created_by=user)
    if rule.kind == "event":
        # A new rule watches what happens from now on, not the whole history.
        from sqlalchemy import func

        from noivu_ioc.store.models import Event

        rule.last_event_id = int(session.scalar(select(func.max(Event.id))) or 0)
    session.add(rule)
    session.flush()
    return rule


def open_alert(session: Session, rule: AlertRule, subject: str) -> Alert | None:
    return session.scalar(
        select(Alert).where(
            Alert.rule_id == rule.id, Alert.subject == subject, Alert.state.in_(OPEN)
        )
    )


def raise_alert(session: Session, rule: AlertRule, breach: Breach) -> tuple[Alert, str]:
    """Open the alert of this rule and subject, or update the open one (a repeat counts,
    a rise in severity shows); returns the alert and what happened."""
    severity = breach.severity or rule.severity
    now = utcnow()
    alert = open_alert(session, rule, breach.subject)
    if alert is None:
        alert = Alert(
            rule_id=rule.id,
            subject=breach.subject,
            admin_code=breach.admin_code,
            severity=severity,
            state="active",
            message=breach.message,
            value=breach.value,
            occurrences=1,
            opened_at=now,
            last_seen_at=now,
            level=base_level(breach.admin_code),
        )
        session.add(alert)
        session.flush()
        _record(session, alert, "alert.opened", rule)
        return alert, "opened"
    alert.occurrences += 1
    alert.last_seen_at = now
    alert.value = breach.value
    alert.message = breach.message
    happened = "repeated"
    if rank(severity) < rank(alert.severity):
        alert.severity = severity
        happened = "worsened"
        _record(session, alert, "alert.updated", rule)
        if alert.state == "active":  # a worse alert nobody has taken goes up at once
            escalate(session, alert, rule, now)
    session.flush()
    return alert, happened


# Who an alert reaches at each level, from the commune up to the command level.
LEVELS = ("cấp xã", "cấp tỉnh", "Bộ Nội vụ", "cấp chỉ huy")
TOP = len(LEVELS) - 1


def base_level(admin_code: str | None) -> int:
    """Where an alert starts: at its commune, its province, or (national) the ministry."""
    if admin_code is None:
        return 2
    return 0 if len(admin_code) == 5 else 1


def escalate(session: Session, alert: Alert, rule: AlertRule, now: datetime) -> bool:
    """One level up, recorded and sent out as an event; False at the top already."""
    if alert.level >= TOP:
        return False
    alert.level += 1
    alert.escalated_at = now
    events.record(
        session,
        kind="alert.escalated",
        severity=alert.severity,
        subject=alert.subject,
        message=f"{rule.title_vi}: {alert.message} — chuyển lên {LEVELS[alert.level]}, "
        "chưa có ai tiếp nhận",
        # From the ministry up it concerns national viewers too: the event is national.
        admin_code=alert.admin_code if alert.level < 2 else None,
        payload={"alert_id": alert.id, "rule": rule.name, "level": alert.level},
    )
    return True


def escalate_due(session: Session, rule: AlertRule, now: datetime) -> int:
    """Escalate the rule's active alerts left unacknowledged for its escalation time."""
    minutes = rule.config.get("escalate_after_minutes")
    if not minutes:
        return 0
    moved = 0
    for alert in session.scalars(
        select(Alert).where(Alert.rule_id == rule.id, Alert.state == "active")
    ):
        since = as_utc(alert.escalated_at or alert.opened_at)
        if (now - since).total_seconds() >= minutes * 60 and escalate(session, alert, rule, now):
            moved += 1
    return moved


def acknowledge(session: Session, alert_id: int, user: str) -> Alert:
    alert = _get(session, alert_id)
    if alert.state != "active":
        raise ConflictError(
            f"alert {alert_id} is {alert.state}"
            + (f" (by {alert.acknowledged_by})" if alert.acknowledged_by else "")
            + "; only an active alert can be acknowledged"
        )
    alert.state = "acknowledged"
    alert.acknowledged_at = utcnow()
    alert.acknowledged_by = user
    _record(session, alert, "alert.acknowledged", None)
    return alert


def resolve(session: Session, alert_id: int, user: str) -> Alert:
    alert = _get(session, alert_id)
    if alert.state == "resolved":
        raise ConflictError(f"alert {alert_id} was resolved already by {alert.resolved_by}")
    _close(session, alert, user)
    return alert


def _close(session: Session, alert: Alert, by: str, at: datetime | None = None) -> None:
    alert.state = "resolved"
    alert.resolved_at = at or utcnow()
    alert.resolved_by = by
    _record(session, alert, "alert.resolved", None)


def _get(session: Session, alert_id: int) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFoundError(f"alert {alert_id} does not exist")
    return alert


def auto_resolve(session: Session, rule: AlertRule, still: set[str]) -> list[Alert]:
    """Resolve the rule's open alerts whose subject no longer breaches."""
    closed = []
    for alert in session.scalars(
        select(Alert).where(Alert.rule_id == rule.id, Alert.state.in_(OPEN))
    ):
        if alert.subject not in still:
            _close(session, alert, "auto")
            closed.append(alert)
    return closed


def _record(session: Session, alert: Alert, kind: str, rule: AlertRule | None) -> None:
    rule = rule or session.get(AlertRule, alert.rule_id)
    assert rule is not None
    events.record(
        session,
        kind=kind,
        severity=alert.severity,
        subject=alert.subject,
        message=f"{rule.title_vi}: {alert.message}",
        admin_code=alert.admin_code,
        payload={"alert_id": alert.id, "rule": rule.name, "state": alert.state},
    )
