"""Incidents, their tasks, and the citizen reports they may start from.

An incident is opened from an alert, a citizen report, by hand, or by activating a plan; its
action plan is a list of tasks, each held by one org unit with a deadline. Every change is
recorded as an event (``incident.*``, ``task.*``, ``report.citizen``) that the live stream
carries, scoped by the place of the incident or of the task's unit, and the people concerned
are notified.

Who sees and does what:

- an incident is visible where its place is in the viewer's scope, and to the units that
  hold one of its tasks (they see that incident, and of its tasks only those in their scope:
  a commune sees its own task, not its neighbours');
- coordinators (``COORDINATE``) whose scope covers the place open it, edit it, give tasks to
  units inside their scope and close it;
- a task is updated by the users who act for its unit (``units.acts_for``), or by the
  incident's coordinators when the task's unit is inside their scope too, so a province that
  coordinates an incident never touches another province's task.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import ColumnElement, case, or_, select, true
from sqlalchemy.orm import Session, joinedload, lazyload

from noivu_ioc.access.roles import Permission
from noivu_ioc.access.scope import Scope
from noivu_ioc.access.users import Principal
from noivu_ioc.errors import (
    ConflictError,
    InvalidInputError,
    IOCError,
    NotAllowedError,
    NotFoundError,
)
from noivu_ioc.ingest import events
from noivu_ioc.ingest.events import SEVERITIES
from noivu_ioc.operations import attachments, units
from noivu_ioc.operations.notify import notify_users, users_at_level, users_of_units
from noivu_ioc.store.models import (
    Alert,
    AlertRule,
    Attachment,
    Event,
    Incident,
    OrgUnit,
    Task,
    TaskComment,
    User,
    as_utc,
    utcnow,
)
from noivu_ioc.units import admin, org

ORIGINS = ("alert", "report", "manual", "plan")
TASK_STATES = ("open", "in_progress", "done", "cancelled")
OPEN_TASK_STATES = ("open", "in_progress")
REPORT_KIND = "report.citizen"
REMIND_EVERY = timedelta(hours=1)
VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")
_PHONE = re.compile(r"\+?[0-9][0-9 .-]{6,18}[0-9]")


def open_incident(
    session: Session,
    *,
    title: str,
    severity: str,
    origin: str,
    opened_by: str,
    admin_code: str | None = None,
    description: str = "",
    alert_id: int | None = None,
    report_event_id: int | None = None,
    plan_run_id: int | None = None,
    drill: bool = False,
    affected_units: Iterable[str] = (),
) -> Incident:
    """A new open incident, recorded as an ``incident.opened`` event."""
    title = title.strip()
    if not title:
        raise InvalidInputError("an incident needs a title")
    if severity not in SEVERITIES:
        raise InvalidInputError(f"severity {severity!r} must be one of {', '.join(SEVERITIES)}")
    if origin not in ORIGINS:
        raise InvalidInputError(f"origin {origin!r} must be one of {', '.join(ORIGINS)}")
    incident = Incident(
        title=title[:255],
        description=description,
        severity=severity,
        state="open",
        origin=origin,
        alert_id=alert_id,
        report_event_id=report_event_id,
        plan_run_id=plan_run_id,
        drill=drill,
        admin_code=admin_code,
        root_cause="",
        impact="",
        affected_units=list(dict.fromkeys(affected_units)),
        opened_by=opened_by,
        opened_at=utcnow(),
    )
    session.add(incident)
    session.flush()
    events.record(
        session,
        kind="incident.opened",
        severity=severity,
        subject=f"incident:{incident.id}",
        message=_drill(incident) + f"Sự cố mới: {incident.title}",
        admin_code=admin_code,
        payload={"incident_id": incident.id, "origin": origin, "drill": drill},
    )
    return incident


def add_task(
    session: Session,
    incident: Incident,
    *,
    unit: OrgUnit,
    title: str,
    assigned_by: str,
    due_at: datetime | None = None,
    description: str = "",
    resources: str = "",
) -> Task:
    """Give the incident a task held by ``unit``; the unit's users are notified. Whether the
    assigner may give work to that unit is the caller's check (``units.require_assignable``)."""
    title = title.strip()
    if not title:
        raise InvalidInputError("a task needs a title")
    if incident.state == "closed":
        raise InvalidInputError(f"incident {incident.id} is closed; reopen it to add tasks")
    task = Task(
        incident=incident,  # also kept in ``incident.tasks`` when that is already loaded
        title=title[:255],
        description=description,
        resources=resources,
        unit_code=unit.code,
        admin_code=unit.admin_code,
        assigned_by=assigned_by,
        assigned_at=utcnow(),
        due_at=due_at,
        state="open",
        progress=0,
        reminders=0,
    )
    session.add(task)
    session.flush()
    drill = _drill(incident)
    events.record(
        session,
        kind="task.assigned",
        severity="info",
        subject=f"task:{task.id}",
        message=f"{drill}Nhiệm vụ cho {unit.name_vi}: {task.title}",
        admin_code=unit.admin_code,
        payload={"task_id": task.id, "incident_id": incident.id, "unit": unit.code},
    )
    notify_users(
        session,
        users_of_units(session, [unit.code]),
        kind="task.assigned",
        title=f"{drill}Nhiệm vụ mới: {task.title}",
        body=f"Sự cố: {incident.title}",
        ref=f"task:{task.id}",
        link=f"/incidents/{incident.id}#task-{task.id}",
        severity=incident.severity,
    )
    return task


# -- who sees and does what --------------------------------------------------------------


def covered_places(scope: Scope) -> list[str] | None:
    """The administrative codes a scope covers, for a query; None when it covers all."""
    if scope.national:
        return None
    codes = set(scope.provinces) | set(scope.communes)
    for province in scope.provinces:
        codes.update(c.code for c in admin.communes_of(province))
    return sorted(codes)


def held_units(principal: Principal) -> list[str] | None:
    """The org units a user acts for (see ``units.acts_for``); None when that is all."""
    mine = {code for code, _, _ in principal.units}
    if org.MINISTRY_CODE in mine:
        return None
    held = set(mine)
    for code in mine:
        if code.startswith("SNV."):
            held.update(org.commune_unit_code(c.code) for c in admin.communes_of(code[4:]))
    return sorted(held)


def visible_incidents(principal: Principal) -> ColumnElement[bool]:
    """The query condition for the incidents a user sees: placed in their scope, or holding
    a task of a unit they act for."""
    places = covered_places(principal.scope)
    if places is None:
        return true()
    holds_task = (
        select(Task.id)
        .where(Task.incident_id == Incident.id, Task.unit_code.in_(held_units(principal) or []))
        .exists()
    )
    return or_(Incident.admin_code.in_(places), holds_task)


def visible_tasks(principal: Principal) -> ColumnElement[bool]:
    """The query condition for the tasks a user sees: of units they act for, or placed in
    their scope."""
    places = covered_places(principal.scope)
    if places is None:
        return true()
    return or_(Task.unit_code.in_(held_units(principal) or []), Task.admin_code.in_(places))


def sees_task(principal: Principal, task: Task) -> bool:
    return units.acts_for(principal, task.unit_code) or principal.scope.covers(task.admin_code)


def sees_incident(principal: Principal, incident: Incident) -> bool:
    return principal.scope.covers(incident.admin_code) or any(
        units.acts_for(principal, t.unit_code) for t in incident.tasks
    )


def coordinates(principal: Principal, incident: Incident) -> bool:
    return principal.can(Permission.COORDINATE) and principal.scope.covers(incident.admin_code)


def may_update(principal: Principal, task: Task) -> bool:
    if not principal.can(Permission.RESPOND):
        return False
    if units.acts_for(principal, task.unit_code):
        return True
    return coordinates(principal, task.incident) and principal.scope.covers(task.admin_code)


def require_coordinates(principal: Principal, incident: Incident, what: str) -> None:
    if not coordinates(principal, incident):
        where = place_name(incident.admin_code) or "nationwide"
        raise NotAllowedError(
            f"incident {incident.id} is at {where}; only coordinators whose scope covers it "
            f"can {what}"
        )


def require_may_update(principal: Principal, task: Task) -> None:
    if may_update(principal, task):
        return
    if not principal.can(Permission.RESPOND):
        raise NotAllowedError(
            f"your roles ({', '.join(sorted(principal.roles))}) do not allow working on "
            "tasks; ask an administrator"
        )
    raise NotAllowedError(
        f"task {task.id} is held by {task.unit_code}, which is not your unit; only "
        f"{task.unit_code}, a unit above it, or the incident's coordinators responsible for "
        "it can update it"
    )


def require_place_in_scope(principal: Principal, code: str | None, what: str) -> None:
    if not principal.scope.covers(code):
        where = f"{place_name(code)} ({code})" if code else "national level"
        raise NotAllowedError(
            f"{what} is at {where}, outside your scope; it is handled by the units "
            "responsible there"
        )


# -- places and units ----------------------------------------------------------------------


def check_place(code: str | None) -> str | None:
    """A current province or commune code, or None for nationwide."""
    if code is None or not code.strip():
        return None
    try:
        return admin.unit(code).code
    except NotFoundError as exc:
        raise InvalidInputError(exc.message) from None


def place_name(code: str | None) -> str | None:
    """The official name of a place, with its province for a commune."""
    if code is None:
        return None
    try:
        found = admin.unit(code)
    except IOCError:
        return code
    if found.is_province:
        return found.name
    return f"{found.name}, {admin.unit(found.province_code).name}"


def check_units(session: Session, codes: Iterable[str]) -> list[str]:
    """Org unit codes, each checked to exist, in their canonical form, once each."""
    return list(dict.fromkeys(units.unit(session, c).code for c in codes if c.strip()))


def deadline(value: datetime, now: datetime | None = None) -> datetime:
    """A deadline in UTC; one given without a zone is Vietnam time, as the pages show it."""
    due = (value if value.tzinfo else value.replace(tzinfo=VIETNAM_TIME)).astimezone(UTC)
    if due <= (now or utcnow()):
        shown = due.astimezone(VIETNAM_TIME).strftime("%d/%m/%Y %H:%M")
        raise InvalidInputError(
            f"deadline {shown} (Vietnam time) is not in the future; give a later date and time"
        )
    return due


def is_overdue(task: Task, now: datetime) -> bool:
    return (
        task.due_at is not None
        and task.state in OPEN_TASK_STATES
        and as_utc(task.due_at) < now.astimezone(UTC)
    )


def progress_of(tasks: Sequence[Task]) -> int | None:
    """The mean progress of the tasks that count (not cancelled); None without any."""
    counted = [t.progress for t in tasks if t.state != "cancelled"]
    return round(sum(counted) / len(counted)) if counted else None


# -- citizen field reports -----------------------------------------------------------------


def record_field_report(
    session: Session,
    principal: Principal,
    *,
    admin_code: str,
    title: str,
    text: str,
    reporter_name: str | None = None,
    reporter_phone: str | None = None,
) -> Event:
    """A citizen's report taken down by an official, recorded as a ``report.citizen``
    event placed at its commune or province (what a surge rule counts)."""
    code = check_place(admin_code)
    if code is None:
        raise InvalidInputError(
            "a citizen report needs the place it concerns: a province code (e.g. '01') or a "
            "commune code (e.g. '00004')"
        )
    title, text = title.strip(), text.strip()
    if not title:
        raise InvalidInputError("a citizen report needs a title (what it is about)")
    if not text:
        raise InvalidInputError("a citizen report needs its text (what the citizen said)")
    phone = (reporter_phone or "").strip() or None
    if phone is not None and not _PHONE.fullmatch(phone):
        raise InvalidInputError(
            f"reporter phone {phone!r} is not a phone number; write digits, e.g. 0912345678 "
            "or +84912345678"
        )
    require_place_in_scope(principal, code, "the report's place")
    event = events.record(
        session,
        kind=REPORT_KIND,
        severity="warning",
        subject=("province:" if len(code) == 2 else "commune:") + code,
        message=f"Phản ánh của người dân tại {place_name(code)}: {title[:200]}",
        admin_code=code,
        payload={
            "title": title[:255],
            "text": text,
            "reporter_name": (reporter_name or "").strip() or None,
            "reporter_phone": phone,
            "recorded_by": principal.username,
        },
    )
    session.flush()
    return event


def field_reports(session: Session, principal: Principal, limit: int = 100) -> list[Event]:
    """Citizen reports placed in the user's scope, newest first."""
    query = select(Event).where(Event.kind == REPORT_KIND)
    places = covered_places(principal.scope)
    if places is not None:
        query = query.where(Event.admin_code.in_(places))
    return list(session.scalars(query.order_by(Event.id.desc()).limit(limit)))


def incidents_of_reports(session: Session, event_ids: Iterable[int]) -> dict[int, int]:
    """The latest incident opened from each of these reports."""
    ids = list(event_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Incident.report_event_id, Incident.id)
        .where(Incident.report_event_id.in_(ids))
        .order_by(Incident.id)
    )
    return {report: incident for report, incident in rows if report is not None}


# -- opening, editing and closing incidents ------------------------------------------------


def open_from_alert(
    session: Session,
    principal: Principal,
    alert_id: int,
    *,
    description: str = "",
    affected_units: Iterable[str] = (),
) -> Incident:
    """An incident for an alert, titled after its rule; one open incident per alert."""
    principal.require(Permission.COORDINATE)
    # Locked, so that two coordinators opening one alert's incident at once make one.
    alert = session.scalar(select(Alert).where(Alert.id == alert_id).with_for_update())
    if alert is None:
        raise NotFoundError(f"alert {alert_id} does not exist; see GET /api/alerts")
    require_place_in_scope(principal, alert.admin_code, f"alert {alert_id}")
    existing = session.scalar(
        select(Incident).where(Incident.alert_id == alert_id, Incident.state == "open")
    )
    if existing is not None:
        raise ConflictError(
            f"alert {alert_id} already has open incident {existing.id} ({existing.title}); "
            f"work on it at /incidents/{existing.id}"
        )
    rule = session.get(AlertRule, alert.rule_id)
    assert rule is not None
    where = place_name(alert.admin_code) or alert.subject
    return _open(
        session,
        principal,
        title=f"{rule.title_vi} — {where}",
        severity=alert.severity,
        origin="alert",
        admin_code=alert.admin_code,
        description=description.strip() or alert.message,
        affected_units=affected_units,
        alert_id=alert.id,
    )


def open_from_report(
    session: Session,
    principal: Principal,
    event_id: int,
    *,
    severity: str | None = None,
    description: str = "",
    affected_units: Iterable[str] = (),
) -> Incident:
    """An incident for a citizen report; one open incident per report."""
    principal.require(Permission.COORDINATE)
    report = session.scalar(select(Event).where(Event.id == event_id).with_for_update())
    if report is None:
        raise NotFoundError(f"event {event_id} does not exist; see GET /api/field-reports")
    if report.kind != REPORT_KIND:
        raise InvalidInputError(
            f"event {event_id} is a {report.kind} event, not a citizen report ({REPORT_KIND}); "
            "open the incident from its alert or by hand"
        )
    require_place_in_scope(principal, report.admin_code, f"report {event_id}")
    existing = session.scalar(
        select(Incident).where(Incident.report_event_id == event_id, Incident.state == "open")
    )
    if existing is not None:
        raise ConflictError(
            f"report {event_id} already has open incident {existing.id} ({existing.title}); "
            f"work on it at /incidents/{existing.id}"
        )
    payload = report.payload or {}
    return _open(
        session,
        principal,
        title=str(payload.get("title") or report.message),
        severity=severity or report.severity,
        origin="report",
        admin_code=report.admin_code,
        description=description.strip() or str(payload.get("text") or ""),
        affected_units=affected_units,
        report_event_id=report.id,
    )


def open_by_hand(
    session: Session,
    principal: Principal,
    *,
    title: str,
    severity: str,
    admin_code: str | None,
    description: str = "",
    affected_units: Iterable[str] = (),
) -> Incident:
    """An incident a coordinator opens without an alert or a report; ``admin_code`` None
    places it nationwide (national coordinators only)."""
    principal.require(Permission.COORDINATE)
    code = check_place(admin_code)
    require_place_in_scope(principal, code, "the incident's place")
    return _open(
        session,
        principal,
        title=title,
        severity=severity,
        origin="manual",
        admin_code=code,
        description=description.strip(),
        affected_units=affected_units,
    )


def _open(
    session: Session,
    principal: Principal,
    *,
    title: str,
    severity: str,
    origin: str,
    admin_code: str | None,
    description: str,
    affected_units: Iterable[str],
    alert_id: int | None = None,
    report_event_id: int | None = None,
) -> Incident:
    incident = open_incident(
        session,
        title=title,
        severity=severity,
        origin=origin,
        opened_by=principal.username,
        admin_code=admin_code,
        description=description,
        alert_id=alert_id,
        report_event_id=report_event_id,
        affected_units=check_units(session, affected_units),
    )
    told = _users_of_place(session, admin_code) + users_of_units(session, incident.affected_units)
    notify_users(
        session,
        _except(told, principal),
        kind="incident.opened",
        title=f"Sự cố mới: {incident.title}",
        body=f"Địa bàn: {place_name(admin_code) or 'Toàn quốc'}; mở bởi {principal.username}",
        ref=f"incident:{incident.id}",
        link=f"/incidents/{incident.id}",
        severity=incident.severity,
    )
    return incident


def get_incident(session: Session, principal: Principal, incident_id: int) -> Incident:
    """An incident the user may see, or NotFound / NotAllowed."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFoundError(f"incident {incident_id} does not exist; see GET /api/incidents")
    if not sees_incident(principal, incident):
        raise NotAllowedError(
            f"incident {incident_id} is at a place outside your scope and holds no task of "
            "your unit"
        )
    return incident


def get_task(session: Session, task_id: int) -> Task:
    task = session.get(Task, task_id)
    if task is None:
        raise NotFoundError(f"task {task_id} does not exist; see GET /api/tasks")
    return task


def list_incidents(
    session: Session, principal: Principal, state: str = "open", limit: int = 200
) -> list[Incident]:
    """The incidents the user sees, newest first: open, closed or all."""
    query = select(Incident).options(lazyload(Incident.tasks)).where(visible_incidents(principal))
    if state != "all":
        query = query.where(Incident.state == state)
    return list(session.scalars(query.order_by(Incident.id.desc()).limit(limit)))


def tasks_of(
    session: Session, principal: Principal, incident_ids: Iterable[int]
) -> dict[int, list[Task]]:
    """The tasks of these incidents that the user sees, by incident."""
    ids = list(incident_ids)
    found: dict[int, list[Task]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = session.scalars(
        select(Task).where(Task.incident_id.in_(ids), visible_tasks(principal)).order_by(Task.id)
    )
    for task in rows:
        found[task.incident_id].append(task)
    return found


def comments_of(session: Session, task_ids: Iterable[int]) -> dict[int, list[TaskComment]]:
    ids = list(task_ids)
    found: dict[int, list[TaskComment]] = {i: [] for i in ids}
    if ids:
        for c in session.scalars(
            select(TaskComment).where(TaskComment.task_id.in_(ids)).order_by(TaskComment.id)
        ):
            found[c.task_id].append(c)
    return found


def update_incident(
    session: Session,
    principal: Principal,
    incident: Incident,
    *,
    description: str | None = None,
    severity: str | None = None,
    root_cause: str | None = None,
    impact: str | None = None,
    affected_units: Sequence[str] | None = None,
) -> list[str]:
    """Change what is known about an incident; returns the fields that changed."""
    require_coordinates(principal, incident, "edit it")
    _require_open(incident)
    if severity is not None and severity not in SEVERITIES:
        raise InvalidInputError(f"severity {severity!r} must be one of {', '.join(SEVERITIES)}")
    wanted: dict[str, Any] = {
        "description": None if description is None else description.strip(),
        "severity": severity,
        "root_cause": None if root_cause is None else root_cause.strip(),
        "impact": None if impact is None else impact.strip(),
        "affected_units": None if affected_units is None else check_units(session, affected_units),
    }
    changed = [k for k, v in wanted.items() if v is not None and v != getattr(incident, k)]
    if not changed:
        return []
    for key in changed:
        setattr(incident, key, wanted[key])
    events.record(
        session,
        kind="incident.updated",
        severity="info",
        subject=f"incident:{incident.id}",
        message=_drill(incident) + f"Cập nhật sự cố {incident.title}: {', '.join(changed)}",
        admin_code=incident.admin_code,
        payload={"incident_id": incident.id, "changed": changed, "by": principal.username},
    )
    _tell(
        session,
        principal,
        incident,
        incident.tasks,
        kind="incident.updated",
        title=f"Cập nhật sự cố: {incident.title}",
        body="Đã sửa: " + ", ".join(_CHANGED_VI.get(c, c) for c in changed),
        link=f"/incidents/{incident.id}",
        with_affected=True,
    )
    return changed


_CHANGED_VI = {
    "description": "mô tả",
    "severity": "mức độ",
    "root_cause": "nguyên nhân",
    "impact": "ảnh hưởng",
    "affected_units": "đơn vị bị ảnh hưởng",
}


def close_incident(
    session: Session,
    principal: Principal,
    incident: Incident,
    *,
    evaluation: str,
    rating: int | None = None,
    cancel_open_tasks: bool = False,
) -> list[Task]:
    """Close an incident with its evaluation; open tasks refuse it unless they are to be
    cancelled. Returns the tasks that were cancelled."""
    require_coordinates(principal, incident, "close it")
    _require_open(incident)
    evaluation = evaluation.strip()
    if not evaluation:
        raise InvalidInputError(
            "closing an incident needs an evaluation: what was done, what worked, what to improve"
        )
    if rating is not None and not 1 <= rating <= 5:
        raise InvalidInputError(f"rating {rating} must be a whole number from 1 to 5")
    still_open = [t for t in incident.tasks if t.state in OPEN_TASK_STATES]
    if still_open and not cancel_open_tasks:
        listed = "; ".join(f"#{t.id} {t.unit_code} '{t.title}' ({t.progress}%)" for t in still_open)
        raise ConflictError(
            f"incident {incident.id} still has {len(still_open)} open task(s): {listed}; "
            "finish them, or close with cancel_open_tasks to cancel them"
        )
    now = utcnow()
    for task in still_open:
        task.state = "cancelled"
        _task_event(session, principal, task, "task.cancelled", "Hủy nhiệm vụ khi đóng sự cố")
    incident.state = "closed"
    incident.closed_by = principal.username
    incident.closed_at = now
    incident.evaluation = evaluation
    incident.rating = rating
    events.record(
        session,
        kind="incident.closed",
        severity="info",
        subject=f"incident:{incident.id}",
        message=_drill(incident) + f"Đóng sự cố: {incident.title}",
        admin_code=incident.admin_code,
        payload={
            "incident_id": incident.id,
            "rating": rating,
            "cancelled_tasks": [t.id for t in still_open],
            "by": principal.username,
        },
    )
    _tell(
        session,
        principal,
        incident,
        incident.tasks,
        kind="incident.closed",
        title=f"Đã đóng sự cố: {incident.title}",
        body=evaluation[:500],
        link=f"/incidents/{incident.id}",
        with_affected=True,
    )
    return still_open


def _require_open(incident: Incident) -> None:
    if incident.state == "closed":
        raise ConflictError(
            f"incident {incident.id} was closed by {incident.closed_by}; a closed incident "
            "no longer changes"
        )


# -- tasks -----------------------------------------------------------------------------------


def assign_task(
    session: Session,
    principal: Principal,
    incident: Incident,
    *,
    unit_code: str,
    title: str,
    due_at: datetime,
    description: str = "",
    resources: str = "",
    now: datetime | None = None,
) -> Task:
    """Give a unit a task of the incident: the assigner coordinates the incident and the
    unit lies inside the assigner's scope; the deadline is in the future."""
    require_coordinates(principal, incident, "give it tasks")
    _require_open(incident)
    target = units.unit(session, unit_code)
    units.require_assignable(principal, target)
    return add_task(
        session,
        incident,
        unit=target,
        title=title,
        assigned_by=principal.username,
        due_at=deadline(due_at, now),
        description=description.strip(),
        resources=resources.strip(),
    )


def update_task(
    session: Session,
    principal: Principal,
    task: Task,
    *,
    progress: int | None = None,
    state: str | None = None,
) -> bool:
    """Report progress or change a task's state; 100 % means done. Returns whether
    anything changed."""
    require_may_update(principal, task)
    _require_open(task.incident)
    kind = _apply(session, principal, task, progress, state)
    if kind is not None:
        _tell_task(session, principal, task, kind, comment=None)
    return kind is not None


def comment_task(
    session: Session,
    principal: Principal,
    task: Task,
    *,
    body: str,
    progress: int | None = None,
) -> TaskComment:
    """A comment on a task, with the progress it reports if any."""
    require_may_update(principal, task)
    _require_open(task.incident)
    body = body.strip()
    if not body:
        raise InvalidInputError("a comment needs some text")
    kind = _apply(session, principal, task, progress, None)
    comment = TaskComment(
        task_id=task.id, author=principal.username, at=utcnow(), body=body, progress=progress
    )
    session.add(comment)
    session.flush()
    events.record(
        session,
        kind="task.commented",
        severity="info",
        subject=f"task:{task.id}",
        message=_drill(task.incident) + f"Ý kiến về nhiệm vụ {task.title}: {body[:200]}",
        admin_code=task.admin_code,
        payload={"task_id": task.id, "comment_id": comment.id, "by": principal.username},
    )
    _tell_task(session, principal, task, kind or "task.commented", comment=body)
    return comment


def _apply(
    session: Session,
    principal: Principal,
    task: Task,
    progress: int | None,
    state: str | None,
) -> str | None:
    """Apply a progress report or a change of state, with its event; the event's kind, or
    None when nothing changed."""
    if state is not None and state not in TASK_STATES:
        raise InvalidInputError(f"task state {state!r} must be one of {', '.join(TASK_STATES)}")
    if progress is not None and not 0 <= progress <= 100:
        raise InvalidInputError(f"progress {progress} must be a percentage from 0 to 100")
    if task.state == "cancelled":
        raise ConflictError(f"task {task.id} was cancelled; a coordinator gives a new task instead")
    if state == "cancelled" and not (
        coordinates(principal, task.incident) and principal.scope.covers(task.admin_code)
    ):
        raise NotAllowedError(
            f"task {task.id} can be cancelled only by the incident's coordinators; report "
            "its progress instead"
        )

    new_progress = task.progress if progress is None else progress
    new_state = task.state if state is None else state
    if state == "done":
        new_progress = 100
    elif progress == 100 and state is None:
        new_state = "done"
    elif state is None and task.state == "done" and new_progress < 100:
        new_state = "in_progress"  # a lower progress reopens a finished task
    if new_state in OPEN_TASK_STATES and new_progress == 100:
        raise InvalidInputError(
            f"task {task.id} at 100% is done; give a lower progress to keep it {new_state}"
        )
    if new_state == "open" and new_progress > 0:
        new_state = "in_progress"
    if (new_state, new_progress) == (task.state, task.progress):
        return None

    was_done = task.state == "done"
    task.state, task.progress = new_state, new_progress
    if new_state == "done" and not was_done:
        task.done_at, task.done_by = utcnow(), principal.username
    elif new_state != "done":
        task.done_at, task.done_by = None, None
    kind = {"done": "task.done", "cancelled": "task.cancelled"}.get(new_state, "task.updated")
    labels = {
        "task.done": "Hoàn thành nhiệm vụ",
        "task.cancelled": "Hủy nhiệm vụ",
        "task.updated": f"Tiến độ {new_progress}%",
    }
    _task_event(session, principal, task, kind, labels[kind])
    return kind


def _task_event(session: Session, principal: Principal, task: Task, kind: str, what: str) -> None:
    events.record(
        session,
        kind=kind,
        severity="info",
        subject=f"task:{task.id}",
        message=_drill(task.incident) + f"{what}: {task.title} ({task.unit_code})",
        admin_code=task.admin_code,
        payload={
            "task_id": task.id,
            "incident_id": task.incident_id,
            "unit": task.unit_code,
            "state": task.state,
            "progress": task.progress,
            "by": principal.username,
        },
    )


def attach(
    session: Session,
    principal: Principal,
    *,
    filename: str | None,
    data: bytes,
    incident: Incident | None = None,
    task: Task | None = None,
) -> Attachment:
    """Attach a checked file to a task (by those who may update it) or to an incident (by
    its coordinators)."""
    if task is not None:
        owner = task.incident
        require_may_update(principal, task)
        _require_open(owner)
    elif incident is not None:
        owner = incident
        require_coordinates(principal, incident, "attach files to it")
        _require_open(owner)
    else:
        raise InvalidInputError("an attachment needs an incident or a task")
    found = attachments.save(
        session,
        owner_kind="task" if task is not None else "incident",
        owner_id=task.id if task is not None else owner.id,
        filename=filename,
        data=data,
        uploaded_by=principal.username,
    )
    events.record(
        session,
        kind="attachment.added",
        severity="info",
        subject=f"task:{task.id}" if task is not None else f"incident:{owner.id}",
        message=_drill(owner) + f"Tệp đính kèm mới: {found.filename}",
        admin_code=task.admin_code if task is not None else owner.admin_code,
        payload={
            "attachment_id": found.id,
            "incident_id": owner.id,
            "task_id": task.id if task is not None else None,
            "size": found.size,
            "by": principal.username,
        },
    )
    if task is not None:
        _tell_task(session, principal, task, "attachment.added", comment=found.filename)
    else:
        _tell(
            session,
            principal,
            owner,
            owner.tasks,
            kind="attachment.added",
            title=f"Tệp đính kèm mới: {owner.title}",
            body=f"{found.filename} · {principal.username}",
            link=f"/incidents/{owner.id}",
            with_affected=True,
        )
    return found


def get_attachment(session: Session, principal: Principal, attachment_id: int) -> Attachment:
    """An attachment of an incident or task the user sees."""
    found = session.get(Attachment, attachment_id)
    if found is None:
        raise NotFoundError(f"attachment {attachment_id} does not exist")
    if found.owner_kind == "incident":
        get_incident(session, principal, found.owner_id)
    elif found.owner_kind == "task":
        task = get_task(session, found.owner_id)
        if not sees_task(principal, task):
            raise NotAllowedError(
                f"attachment {attachment_id} belongs to task {task.id} of {task.unit_code}, "
                "outside your scope"
            )
    else:
        raise NotFoundError(
            f"attachment {attachment_id} belongs to a {found.owner_kind}, not to an incident "
            "or a task; download it from there"
        )
    return found


def tasks_for(
    session: Session,
    principal: Principal,
    *,
    mine: bool = True,
    state: str = "open",
    now: datetime | None = None,
    limit: int = 500,
) -> list[Task]:
    """Tasks, overdue first, then by deadline: those held by the user's own units
    (``mine``), or every task the user sees. ``state``: open (not done or cancelled) or all."""
    moment = (now or utcnow()).astimezone(UTC)
    query = select(Task).options(joinedload(Task.incident).lazyload(Incident.tasks))
    if mine:
        query = query.where(Task.unit_code.in_([code for code, _, _ in principal.units]))
    else:
        query = query.where(visible_tasks(principal))
    if state != "all":
        query = query.where(Task.state.in_(OPEN_TASK_STATES))
    overdue = case(
        (Task.state.in_(OPEN_TASK_STATES) & (Task.due_at < moment), 0),
        else_=1,
    )
    query = query.order_by(overdue, Task.due_at.is_(None), Task.due_at, Task.id).limit(limit)
    return list(session.scalars(query))


def remind_overdue(session: Session, now: datetime) -> int:
    """Remind the units whose tasks are past their deadline, at most once an hour per task;
    returns how many tasks were reminded."""
    now = now.astimezone(UTC)
    due = session.scalars(
        select(Task)
        .join(Incident, Incident.id == Task.incident_id)
        .where(
            Incident.state == "open",
            Task.state.in_(OPEN_TASK_STATES),
            Task.due_at < now,
            or_(Task.reminded_at.is_(None), Task.reminded_at <= now - REMIND_EVERY),
        )
        .order_by(Task.id)
        # With several server processes each task is reminded by one of them.
        .with_for_update(of=Task, skip_locked=True)
    ).all()
    for task in due:
        assert task.due_at is not None
        late = now - as_utc(task.due_at)
        hours = int(late.total_seconds() // 3600)
        drill = _drill(task.incident)
        task.reminded_at = now
        task.reminders += 1
        events.record(
            session,
            kind="task.overdue",
            severity="warning",
            subject=f"task:{task.id}",
            message=f"{drill}Nhiệm vụ quá hạn {hours} giờ: {task.title} ({task.unit_code})",
            admin_code=task.admin_code,
            payload={
                "task_id": task.id,
                "incident_id": task.incident_id,
                "unit": task.unit_code,
                "hours_late": hours,
                "reminders": task.reminders,
            },
        )
        shown = as_utc(task.due_at).astimezone(VIETNAM_TIME).strftime("%d/%m/%Y %H:%M")
        notify_users(
            session,
            users_of_units(session, [task.unit_code]),
            kind="task.overdue",
            title=f"{drill}Nhiệm vụ quá hạn: {task.title}",
            body=f"Hạn {shown}; tiến độ {task.progress}%. Sự cố: {task.incident.title}",
            ref=f"task:{task.id}",
            link=f"/incidents/{task.incident_id}#task-{task.id}",
            severity="warning",
        )
    return len(due)


# -- whom to tell ----------------------------------------------------------------------------


def _drill(incident: Incident) -> str:
    return "[DIỄN TẬP] " if incident.drill else ""


def _users_of_place(session: Session, admin_code: str | None) -> list[int]:
    """The users who answer for a place: its commune's and its province's, or the
    ministry's for a nationwide incident."""
    if admin_code is None:
        return users_at_level(session, None, 2)
    found = users_at_level(session, admin_code, 1)
    if len(admin_code) == 5:
        found += users_at_level(session, admin_code, 0)
    return found


def _except(user_ids: Iterable[int], principal: Principal) -> list[int]:
    return [i for i in dict.fromkeys(user_ids) if i != principal.user_id]


def _tell(
    session: Session,
    principal: Principal,
    incident: Incident,
    tasks: Iterable[Task],
    *,
    kind: str,
    title: str,
    body: str,
    link: str,
    ref: str | None = None,
    with_affected: bool = False,
) -> None:
    """Notify the people concerned, except the one who acted: the users of the tasks'
    units (and of the affected units, for a change of the incident itself), who opened the
    incident and who gave the tasks."""
    held = list(tasks)
    unit_codes = [t.unit_code for t in held]
    if with_affected:
        unit_codes += list(incident.affected_units or [])
    names = {incident.opened_by} | {t.assigned_by for t in held}
    told = users_of_units(session, unit_codes) + list(
        session.scalars(select(User.id).where(User.username.in_(names), User.active.is_(True)))
    )
    notify_users(
        session,
        _except(told, principal),
        kind=kind,
        title=_drill(incident) + title,
        body=body,
        ref=ref or f"incident:{incident.id}",
        link=link,
        severity=incident.severity,
    )


def _tell_task(
    session: Session, principal: Principal, task: Task, kind: str, comment: str | None
) -> None:
    heads = {
        "task.done": "Hoàn thành nhiệm vụ",
        "task.cancelled": "Hủy nhiệm vụ",
        "task.updated": f"Tiến độ {task.progress}%",
        "task.commented": "Ý kiến mới",
        "attachment.added": "Tệp đính kèm mới",
    }
    body = f"{task.unit_code} · {principal.username}" + (f": {comment[:300]}" if comment else "")
    _tell(
        session,
        principal,
        task.incident,
        [task],
        kind=kind,
        title=f"{heads.get(kind, kind)}: {task.title}",
        body=body,
        link=f"/incidents/{task.incident_id}#task-{task.id}",
        ref=f"task:{task.id}",
    )
