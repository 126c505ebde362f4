"""Alert rules and the alerts they raise: checked definitions, one open alert per rule and
subject, and the lifecycle active → acknowledged → resolved with who and when.

Rule kinds (the ``config`` of a rule):

- ``indicator``: ``{"indicator": id, "condition": ..., "per": "nation" | "province"}``,
  evaluated for the nation or for every province, an alert per subject that breaches,
  resolved by itself when the condition clears. Conditions:

  - ``above`` / ``below``: the latest reading against ``threshold``;
  - ``change``: against the previous period, ``{"change": "percent" | "absolute",
    "direction": "up" | "down" | "either", "threshold": number}``;
  - ``seasonal``: the deviation from the same period of the ``years`` (>= 2, default 3)
    previous years, beyond ``k`` standard deviations (default 2) or ``percent`` of their mean,
    ``direction`` up, down or either;
  - ``forecast``: a least-squares line over the last ``periods`` (default 6) projected
    ``horizon`` periods ahead (default 2), against ``threshold`` in ``direction`` above or
    below.

- ``event``: ``{"kinds": ["device", ...], "min_severity": "warning"}``. Every new event of
  those kinds raises or updates the alert of its subject (a device, a source). With
  ``"surge": {"count": N, "minutes": W, "per": "nation" | "province"}`` single events raise
  nothing; N or more of them within W minutes (per province, or nationwide) raise one alert,
  resolved when the window holds fewer again.
- ``freshness``: ``{"sources": [names] | "all", "grace_minutes": 0}``: a source that has not
  synced successfully within its agreed interval (plus the grace) is a breach, one per
  source, resolved when it is fresh again.

Any rule may set ``escalate_after_minutes`` (an active alert nobody acknowledges goes up a
level each time) and ``remind_every_minutes`` (default 30: the people at its level are
reminded until someone acknowledges it).

Each change of an alert is recorded as an event (``alert.opened``, ``alert.updated``,
``alert.escalated``, ``alert.reminded``, ``alert.acknowledged``, ``alert.resolved``), which
the live stream carries to the wall, the console and the phone within their scopes; opening,
escalating and reminding also notify the users at the alert's level.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from noivu_ioc.errors import ConflictError, InvalidInputError, IOCError, NotFoundError
from noivu_ioc.indicators.registry import Registry
from noivu_ioc.ingest import events
from noivu_ioc.ingest.events import SEVERITIES
from noivu_ioc.operations.notify import notify_users, users_at_level
from noivu_ioc.store.models import (
    Alert,
    AlertRule,
    CapMessage,
    Event,
    Incident,
    Source,
    as_utc,
    utcnow,
)

log = logging.getLogger(__name__)

KINDS = ("indicator", "event", "freshness")
CONDITIONS = ("above", "below", "change", "seasonal", "forecast")
DIRECTIONS = ("up", "down", "either")
PER = ("nation", "province")
OPEN = ("active", "acknowledged")
REMIND_EVERY_MINUTES = 30
_LONGEST_MINUTES = 60 * 24 * 30  # a month: beyond that a timer is a mistake, not a policy
_TIMING = ("escalate_after_minutes", "remind_every_minutes")
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


class _Fields:
    """Reads one rule's config, naming the rule and the key in every refusal, and refuses
    keys the rule does not take (a misspelt ``treshold`` would otherwise pass in silence)."""

    def __init__(self, rule: str, raw: dict[str, Any]) -> None:
        self.rule = rule
        self.raw = raw

    def fail(self, text: str) -> NoReturn:
        raise InvalidInputError(f"rule {self.rule}: {text}")

    def choice(self, key: str, options: tuple[str, ...], default: str | None = None) -> str:
        value = self.raw.get(key, default)
        if value is None:
            self.fail(f"{key} is required: one of {', '.join(options)}")
        if value not in options:
            self.fail(f"{key} {value!r} must be one of {', '.join(options)}")
        return str(value)

    def number(
        self,
        key: str,
        default: float | None = None,
        *,
        minimum: float | None = None,
        positive: bool = False,
    ) -> float:
        value = self.raw.get(key, default)
        if value is None:
            self.fail(f"{key} is required (a number)")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(f"{key} must be a number, not {value!r}")
        if not math.isfinite(value):
            self.fail(f"{key} must be a finite number, not {value!r}")
        if minimum is not None and value < minimum:
            self.fail(f"{key} must be at least {minimum:g}, not {value!r}")
        if positive and value <= 0:
            self.fail(f"{key} must be greater than 0, not {value!r}")
        return float(value)

    def whole(self, key: str, default: int | None, minimum: int, maximum: int) -> int:
        value = self.raw.get(key, default)
        if value is None:
            self.fail(f"{key} is required (a whole number from {minimum} to {maximum})")
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            self.fail(f"{key} must be a whole number from {minimum} to {maximum}, not {value!r}")
        return value

    def only(self, keys: set[str], what: str) -> None:
        """Refuse the keys ``what`` does not take, before reading any: a misspelt key is
        named as such, not reported as the right one missing."""
        unknown = sorted(set(self.raw) - keys)
        if unknown:
            self.fail(
                f"{', '.join(repr(k) for k in unknown)} is not a setting of {what}; it takes "
                f"{', '.join(sorted(keys))}"
            )


# The settings each indicator condition takes, beside indicator, condition and per.
_CONDITION_KEYS = {
    "above": {"threshold"},
    "below": {"threshold"},
    "change": {"change", "direction", "threshold"},
    "seasonal": {"years", "direction", "k", "percent"},
    "forecast": {"periods", "horizon", "threshold", "direction"},
}


def check_rule(raw: dict[str, Any], registry: Registry) -> dict[str, Any]:
    """A rule definition with its config checked, or InvalidInputError naming the problem.

    ``escalate_after_minutes`` and ``remind_every_minutes`` may be given beside ``config`` or
    inside it; they are kept in the config."""
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
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise InvalidInputError(f"rule {name}: enabled must be true or false, not {enabled!r}")

    fields = _Fields(name, {k: v for k, v in config.items() if k not in _TIMING})
    if kind == "indicator":
        checked = _indicator_config(fields, registry)
    elif kind == "event":
        checked = _event_config(fields)
    else:
        checked = _freshness_config(fields)
    timing = _Fields(name, {k: raw.get(k, config.get(k)) for k in _TIMING})
    if timing.raw["escalate_after_minutes"] is not None:
        checked["escalate_after_minutes"] = timing.whole(
            "escalate_after_minutes", None, 1, _LONGEST_MINUTES
        )
    if timing.raw["remind_every_minutes"] is None:
        timing.raw["remind_every_minutes"] = REMIND_EVERY_MINUTES
    checked["remind_every_minutes"] = timing.whole(
        "remind_every_minutes", None, 1, _LONGEST_MINUTES
    )
    return {
        "name": name,
        "title_vi": title_vi,
        "title_en": str(raw.get("title_en", "")).strip() or title_vi,
        "kind": kind,
        "severity": severity,
        "config": checked,
        "enabled": enabled,
    }


def _indicator_config(fields: _Fields, registry: Registry) -> dict[str, Any]:
    ident = fields.raw.get("indicator")
    if not isinstance(ident, str) or ident not in registry:
        fields.fail(f"indicator {ident!r} does not exist; GET /api/indicators lists them")
    indicator = registry.get(ident)
    condition = fields.choice("condition", CONDITIONS)
    per = fields.choice("per", PER, "nation")
    if per == "province" and "province" not in indicator.place_dimensions:
        fields.fail(f"indicator {ident} is not kept by province; use per = nation")
    fields.only(
        {"indicator", "condition", "per"} | _CONDITION_KEYS[condition],
        f"an indicator rule with condition {condition}",
    )
    checked: dict[str, Any] = {"indicator": ident, "condition": condition, "per": per}
    if condition in ("above", "below"):
        checked["threshold"] = fields.number("threshold")
        return checked

    if not indicator.has_period:
        fields.fail(
            f"indicator {ident} has no periods (it counts things as they stand now), so a "
            f"{condition} condition has no earlier period to compare with; use above or below"
        )
    if condition == "change":
        checked["change"] = fields.choice("change", ("percent", "absolute"), "percent")
        checked["direction"] = fields.choice("direction", DIRECTIONS, "either")
        checked["threshold"] = fields.number("threshold", minimum=0)
    elif condition == "seasonal":
        checked["years"] = fields.whole("years", 3, 2, 20)
        checked["direction"] = fields.choice("direction", DIRECTIONS, "either")
        if "k" in fields.raw and "percent" in fields.raw:
            fields.fail("give k (standard deviations) or percent (of the mean), not both")
        if "percent" in fields.raw:
            checked["percent"] = fields.number("percent", positive=True)
        else:
            checked["k"] = fields.number("k", 2.0, positive=True)
    else:
        checked["periods"] = fields.whole("periods", 6, 3, 30)
        checked["horizon"] = fields.whole("horizon", 2, 1, 10)
        checked["threshold"] = fields.number("threshold")
        checked["direction"] = fields.choice("direction", ("above", "below"))
    return checked


def _event_config(fields: _Fields) -> dict[str, Any]:
    fields.only({"kinds", "min_severity", "surge"}, "an event rule")
    kinds = fields.raw.get("kinds")
    if not isinstance(kinds, list) or not kinds or not all(isinstance(k, str) and k for k in kinds):
        fields.fail('kinds must be a list of event kinds, e.g. ["device", "report.citizen"]')
    looping = [k for k in kinds if k.startswith(("alert.", "rule."))]
    if looping:
        fields.fail(
            f"kinds {', '.join(looping)} are the alerts' own events; a rule on them would "
            "raise alerts about alerts"
        )
    checked: dict[str, Any] = {
        "kinds": sorted(set(kinds)),
        "min_severity": fields.choice("min_severity", SEVERITIES, "info"),
    }
    surge = fields.raw.get("surge")
    if surge is not None:
        if not isinstance(surge, dict):
            fields.fail('surge must be an object: {"count": N, "minutes": W, "per": "province"}')
        window = _Fields(f"{fields.rule} (surge)", surge)
        window.only({"count", "minutes", "per"}, "a surge")
        checked["surge"] = {
            "count": window.whole("count", None, 2, 1_000_000),
            "minutes": window.whole("minutes", None, 1, _LONGEST_MINUTES),
            "per": window.choice("per", PER, "nation"),
        }
    return checked


def _freshness_config(fields: _Fields) -> dict[str, Any]:
    fields.only({"sources", "grace_minutes"}, "a freshness rule")
    sources = fields.raw.get("sources")
    if sources != "all" and (
        not isinstance(sources, list)
        or not sources
        or not all(isinstance(s, str) and s for s in sources)
    ):
        fields.fail('sources must be "all" or a list of source names; GET /api/sources lists them')
    checked = {
        "sources": sources if sources == "all" else sorted(set(sources)),
        "grace_minutes": fields.whole("grace_minutes", 0, 0, _LONGEST_MINUTES),
    }
    return checked


def check_sources(session: Session, checked: dict[str, Any]) -> None:
    """A freshness rule names sources that exist and have an agreed interval to be late
    against."""
    names = checked["config"]["sources"]
    if names == "all":
        return
    found = {s.name: s for s in session.scalars(select(Source).where(Source.name.in_(names)))}
    missing = [n for n in names if n not in found]
    if missing:
        raise InvalidInputError(
            f"rule {checked['name']}: source {', '.join(missing)} does not exist; "
            "GET /api/sources lists them"
        )
    untimed = [n for n in names if not found[n].freshness_minutes]
    if untimed:
        raise InvalidInputError(
            f"rule {checked['name']}: source {', '.join(untimed)} has no agreed interval "
            "(freshness_minutes), so it cannot be late; set one on the source first"
        )


def _checked(session: Session, raw: dict[str, Any], registry: Registry) -> dict[str, Any]:
    checked = check_rule(raw, registry)
    if checked["kind"] == "freshness":
        check_sources(session, checked)
    return checked


def validate_rule(session: Session, raw: dict[str, Any], registry: Registry) -> dict[str, Any]:
    """Everything creating the rule would check (the name free included), without saving."""
    checked = _checked(session, raw, registry)
    if session.scalar(select(AlertRule.id).where(AlertRule.name == checked["name"])):
        raise ConflictError(f"rule {checked['name']!r} exists already")
    return checked


def _last_event_id(session: Session) -> int:
    return int(session.scalar(select(func.max(Event.id))) or 0)


def create_rule(session: Session, raw: dict[str, Any], registry: Registry, user: str) -> AlertRule:
    rule = AlertRule(**validate_rule(session, raw, registry), created_by=user)
    if rule.kind == "event":
        # A new rule watches what happens from now on, not the whole history.
        rule.last_event_id = _last_event_id(session)
    session.add(rule)
    session.flush()
    return rule


def get_rule(session: Session, name: str) -> AlertRule:
    rule = session.scalar(select(AlertRule).where(AlertRule.name == name))
    if rule is None:
        raise NotFoundError(f"rule {name!r} does not exist; GET /api/alert-rules lists them")
    return rule


_CHANGEABLE = {"enabled", "severity", "title_vi", "title_en", "config", *_TIMING}


def check_update(
    session: Session, name: str, changes: dict[str, Any], registry: Registry
) -> dict[str, Any]:
    """The rule as ``changes`` would leave it, checked as a new rule is, or the refusal. Its
    name and kind stay: a different rule is a new one. Timers not mentioned keep their
    values; ``"escalate_after_minutes": null`` stops escalating."""
    rule = get_rule(session, name)
    for fixed in ("name", "kind"):
        if fixed in changes and changes[fixed] != getattr(rule, fixed):
            raise InvalidInputError(
                f"rule {name}: its {fixed} cannot change; create a new rule and delete this one"
            )
    unknown = sorted(set(changes) - _CHANGEABLE - {"name", "kind"})
    if unknown:
        raise InvalidInputError(
            f"rule {name}: {', '.join(unknown)} cannot be changed; send any of "
            f"{', '.join(sorted(_CHANGEABLE))}"
        )
    config = changes.get("config", rule.config)
    if not isinstance(config, dict):
        raise InvalidInputError(f"rule {name}: config must be an object")
    config = dict(config)
    for key in _TIMING:
        if key in changes:
            config[key] = changes[key]
        elif key not in config and key in rule.config:
            config[key] = rule.config[key]
    return _checked(
        session,
        {
            "name": rule.name,
            "kind": rule.kind,
            "title_vi": changes.get("title_vi", rule.title_vi),
            "title_en": changes.get("title_en", rule.title_en),
            "severity": changes.get("severity", rule.severity),
            "enabled": changes.get("enabled", rule.enabled),
            "config": config,
        },
        registry,
    )


def update_rule(
    session: Session, name: str, changes: dict[str, Any], registry: Registry
) -> AlertRule:
    """Change a rule's switch, severity, titles, timers or config (see ``check_update``)."""
    checked = check_update(session, name, changes, registry)
    rule = get_rule(session, name)
    if checked["enabled"] and not rule.enabled and rule.kind == "event":
        # Switched back on, it watches from now, as a new rule does: the events of the
        # time it was off are not a flood of alerts today.
        rule.last_event_id = _last_event_id(session)
    for key in ("title_vi", "title_en", "severity", "config", "enabled"):
        setattr(rule, key, checked[key])
    session.flush()
    return rule


def delete_rule(session: Session, name: str, user: str, force: bool = False) -> int:
    """Delete a rule and its alerts; returns how many open alerts it resolved on the way.

    Refused while the rule has open alerts (unless ``force``: they are resolved by ``user``
    first), and whenever one of its alerts started an incident or went out as a CAP message,
    whose records must keep it: such a rule is disabled instead. The alerts' history stays
    in the event log and the audit."""
    rule = get_rule(session, name)
    ids = list(session.scalars(select(Alert.id).where(Alert.rule_id == rule.id)))
    kept = session.scalar(select(Incident.id).where(Incident.alert_id.in_(ids)).limit(1))
    shared = session.scalar(select(CapMessage.id).where(CapMessage.alert_id.in_(ids)).limit(1))
    if kept is not None or shared is not None:
        raise ConflictError(
            f"rule {name}: one of its alerts is referred to by "
            + (f"incident {kept}" if kept is not None else f"CAP message {shared}")
            + '; disable the rule instead (PATCH {"enabled": false})'
        )
    still = list(
        session.scalars(select(Alert).where(Alert.rule_id == rule.id, Alert.state.in_(OPEN)))
    )
    if still and not force:
        raise ConflictError(
            f"rule {name} has {len(still)} open alert(s) ({', '.join(str(a.id) for a in still)}); "
            "resolve them first, or delete with ?force=true to resolve them and the rule"
        )
    for alert in still:
        _close(session, alert, user, rule=rule)
    session.flush()
    for alert in session.scalars(select(Alert).where(Alert.rule_id == rule.id)):
        session.delete(alert)
    session.flush()
    session.delete(rule)
    session.flush()
    return len(still)


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
            reminders=0,
        )
        session.add(alert)
        session.flush()
        _record(session, alert, "alert.opened", rule)
        _tell(session, alert, rule, "alert.opened", f"Cảnh báo mới: {rule.title_vi}")
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


def _tell(session: Session, alert: Alert, rule: AlertRule, kind: str, title: str) -> None:
    """Notify the users at the alert's level now; when that level has nobody (a commune
    without an account in the IOC), the nearest level above that has someone."""
    level = alert.level
    try:
        users = users_at_level(session, alert.admin_code, level)
        while not users and level < TOP:
            level += 1
            users = users_at_level(session, alert.admin_code, level)
    except IOCError:
        # A place the unit list does not know (a device misconfigured): the ministry hears
        # of it rather than nobody.
        log.warning(
            "alert %s: place %r is unknown; notifying the ministry", alert.id, alert.admin_code
        )
        users = users_at_level(session, None, 2)
    if level != alert.level:
        log.info(
            "alert %s: nobody at level %d; told level %d instead", alert.id, alert.level, level
        )
    notify_users(
        session,
        sorted(set(users)),  # in a stable order: the notifications' order is their record
        kind=kind,
        title=title,
        body=alert.message,
        ref=f"alert:{alert.id}",
        link=f"/alerts#alert-{alert.id}",
        severity=alert.severity,
    )


def escalate(session: Session, alert: Alert, rule: AlertRule, now: datetime) -> bool:
    """One level up, recorded, sent out as an event and notified to the new level's users;
    False at the top already."""
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
    _tell(
        session,
        alert,
        rule,
        "alert.escalated",
        f"Cảnh báo chuyển lên {LEVELS[alert.level]}: {rule.title_vi}",
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


def remind_due(session: Session, now: datetime) -> int:
    """Remind the users at each active alert's level when its rule's ``remind_every_minutes``
    have passed since they were last told (the alert opened, went up a level or was
    reminded), until someone acknowledges it or it resolves; returns the alerts reminded.
    A disabled rule's alerts are not reminded of: switching a rule off silences it."""
    reminded = 0
    rows = session.execute(
        select(Alert, AlertRule)
        .join(AlertRule, AlertRule.id == Alert.rule_id)
        .where(Alert.state == "active", AlertRule.enabled.is_(True))
        .order_by(Alert.id)
    ).all()
    for alert, rule in rows:
        every = timedelta(minutes=rule.config.get("remind_every_minutes", REMIND_EVERY_MINUTES))
        told = max(as_utc(t) for t in (alert.opened_at, alert.escalated_at, alert.reminded_at) if t)
        if now - told < every:
            continue
        alert.reminders = (alert.reminders or 0) + 1
        alert.reminded_at = now
        events.record(
            session,
            kind="alert.reminded",
            severity=alert.severity,
            subject=alert.subject,
            message=f"{rule.title_vi}: {alert.message} — nhắc lần {alert.reminders}, chưa có "
            f"ai tiếp nhận ({LEVELS[alert.level]})",
            admin_code=alert.admin_code if alert.level < 2 else None,
            payload={"alert_id": alert.id, "rule": rule.name, "reminders": alert.reminders},
        )
        _tell(
            session,
            alert,
            rule,
            "alert.reminder",
            f"Nhắc lần {alert.reminders}: {rule.title_vi} chưa được tiếp nhận",
        )
        reminded += 1
    session.flush()
    return reminded


def acknowledge(session: Session, alert_id: int, user: str) -> Alert:
    alert = get_alert(session, alert_id)
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
    alert = get_alert(session, alert_id)
    if alert.state == "resolved":
        raise ConflictError(f"alert {alert_id} was resolved already by {alert.resolved_by}")
    _close(session, alert, user)
    return alert


def _close(
    session: Session,
    alert: Alert,
    by: str,
    at: datetime | None = None,
    rule: AlertRule | None = None,
) -> None:
    alert.state = "resolved"
    alert.resolved_at = at or utcnow()
    alert.resolved_by = by
    _record(session, alert, "alert.resolved", rule)


def get_alert(session: Session, alert_id: int) -> Alert:
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
            _close(session, alert, "auto", rule=rule)
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
