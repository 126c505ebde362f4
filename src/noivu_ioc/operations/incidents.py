"""Incidents and their tasks.

An incident is opened from an alert, a citizen report, by hand, or by activating a plan; its
action plan is a list of tasks, each held by one org unit with a deadline. Every change is
recorded as an event (``incident.*``, ``task.*``) that the live stream carries, scoped by the
place of the incident or of the task's unit, and the units concerned are notified.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from noivu_ioc.errors import InvalidInputError
from noivu_ioc.ingest import events
from noivu_ioc.ingest.events import SEVERITIES
from noivu_ioc.operations.notify import notify_users, users_of_units
from noivu_ioc.store.models import Incident, OrgUnit, Task, utcnow

ORIGINS = ("alert", "report", "manual", "plan")


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
        message=("[DIỄN TẬP] " if drill else "") + f"Sự cố mới: {incident.title}",
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
        incident_id=incident.id,
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
    drill = "[DIỄN TẬP] " if incident.drill else ""
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
