"""Incidents, their tasks and citizen field reports: the JSON API and the pages.

Every change is audited (``ok``), and so is every refusal (``denied`` for what the user may
not do, ``failed`` for bad input or a conflict), in its own transaction so that the record
survives the rollback of the refused change. The pages post to the same API from
``static/js/incidents.js``.

Known limit: the messages of refusals come from the service in English and are shown as
written on the Vietnamese pages, like the other screens' server messages.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from noivu_ioc.access.roles import Permission
from noivu_ioc.access.users import Principal, audit
from noivu_ioc.errors import InvalidInputError, IOCError, NotAllowedError
from noivu_ioc.ingest.events import SEVERITIES
from noivu_ioc.operations import attachments
from noivu_ioc.operations import incidents as svc
from noivu_ioc.store.models import (
    Alert,
    AlertRule,
    Attachment,
    Event,
    Incident,
    OrgUnit,
    Task,
    TaskComment,
    as_utc,
    utcnow,
)
from noivu_ioc.units import admin
from noivu_ioc.web.deps import Coordinator, Lang, Responder, RowId, Viewer, client_of
from noivu_ioc.web.pages import render
from noivu_ioc.web.routes.sources import local

router = APIRouter(tags=["incidents"])

StateParam = Annotated[str, Query(pattern="^(open|closed|all)$")]


# -- what comes in -------------------------------------------------------------------------


class FieldReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    admin_code: str = Field(description="the commune (5 digits) or province (2 digits)")
    title: str = Field(max_length=255)
    text: str = Field(max_length=20_000)
    reporter_name: str | None = Field(None, max_length=255)
    reporter_phone: str | None = Field(None, max_length=32)


class IncidentIn(BaseModel):
    """From an alert (``alert_id``), from a citizen report (``report_event_id``), or by
    hand (``title``, ``severity``, ``admin_code``; no code: nationwide)."""

    model_config = ConfigDict(extra="forbid")

    alert_id: int | None = None
    report_event_id: int | None = None
    title: str = Field("", max_length=255)
    severity: str | None = None
    admin_code: str | None = None
    description: str = Field("", max_length=20_000)
    affected_units: list[str] = Field(default_factory=list, max_length=200)


class IncidentUpdate(BaseModel):
    """Omitted fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    description: str | None = Field(None, max_length=20_000)
    severity: str | None = None
    root_cause: str | None = Field(None, max_length=20_000)
    impact: str | None = Field(None, max_length=20_000)
    affected_units: list[str] | None = Field(None, max_length=200)


class TaskIn(BaseModel):
    """``due_at``: ISO 8601; without a zone it is Vietnam time."""

    model_config = ConfigDict(extra="forbid")

    unit: str = Field(max_length=32)
    title: str = Field(max_length=255)
    description: str = Field("", max_length=20_000)
    resources: str = Field("", max_length=20_000)
    due_at: datetime


class TaskUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    progress: int | None = Field(None, ge=0, le=100)
    state: str | None = None


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(max_length=20_000)
    progress: int | None = Field(None, ge=0, le=100)


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    evaluation: str = Field(max_length=20_000)
    rating: int | None = Field(None, ge=1, le=5)
    cancel_open_tasks: bool = False


# -- audit around each action ----------------------------------------------------------------


@dataclass
class _Act:
    session: Session
    target: str
    detail: dict[str, object] = field(default_factory=dict)


@contextmanager
def _acting(
    request: Request, principal: Principal, action: str, target: str, *, record_ok: bool = True
) -> Iterator[_Act]:
    """A unit of work audited as ``action``: ``ok`` with the work (unless ``record_ok`` is
    off, for reads), or the refusal in a transaction of its own."""
    store = request.app.state.store
    try:
        with store.session() as session:
            act = _Act(session, target)
            yield act
            if record_ok:
                audit(
                    session,
                    action,
                    "ok",
                    user=principal,
                    target=act.target,
                    detail=act.detail or None,
                    client=client_of(request),
                )
    except IOCError as exc:
        with store.session() as session:
            audit(
                session,
                action,
                "denied" if isinstance(exc, NotAllowedError) else "failed",
                user=principal,
                target=target,
                detail={"reason": exc.message[:500]},
                client=client_of(request),
            )
        raise


@contextmanager
def _on_incident(
    request: Request, principal: Principal, action: str, incident_id: int, *, record_ok: bool = True
) -> Iterator[tuple[_Act, Incident]]:
    """``_acting`` on one incident, looked up inside the audited unit of work so that a
    refusal to show it (unknown, or outside the caller's scope) is audited as the action."""
    target = f"incident {incident_id}"
    with _acting(request, principal, action, target, record_ok=record_ok) as act:
        yield act, svc.get_incident(act.session, principal, incident_id)


@contextmanager
def _on_task(
    request: Request, principal: Principal, action: str, task_id: int
) -> Iterator[tuple[_Act, Task]]:
    """``_acting`` on one task, looked up inside the audited unit of work so that an unknown
    task is audited as the action too."""
    with _acting(request, principal, action, f"task {task_id}") as act:
        yield act, svc.get_task(act.session, task_id)


# -- what goes out ---------------------------------------------------------------------------


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value).astimezone(UTC)


def _unit_names(session: Session, codes: Sequence[str]) -> dict[str, OrgUnit]:
    wanted = list(dict.fromkeys(codes))
    if not wanted:
        return {}
    return {u.code: u for u in session.scalars(select(OrgUnit).where(OrgUnit.code.in_(wanted)))}


def _unit_public(code: str, names: dict[str, OrgUnit]) -> dict[str, str]:
    found = names.get(code)
    return {
        "code": code,
        "name_vi": found.name_vi if found else code,
        "name_en": found.name_en if found else code,
    }


def attachment_public(a: Attachment) -> dict[str, Any]:
    return {
        "id": a.id,
        "filename": a.filename,
        "content_type": a.content_type,
        "size": a.size,
        "sha256": a.sha256,
        "uploaded_by": a.uploaded_by,
        "uploaded_at": _utc(a.uploaded_at),
        "url": f"/api/attachments/{a.id}",
    }


def comment_public(c: TaskComment) -> dict[str, Any]:
    return {
        "id": c.id,
        "author": c.author,
        "at": _utc(c.at),
        "body": c.body,
        "progress": c.progress,
    }


def task_public(
    task: Task, principal: Principal, names: dict[str, OrgUnit], now: datetime
) -> dict[str, Any]:
    return {
        "id": task.id,
        "incident_id": task.incident_id,
        "title": task.title,
        "description": task.description,
        "resources": task.resources,
        "unit": _unit_public(task.unit_code, names),
        "admin_code": task.admin_code,
        "assigned_by": task.assigned_by,
        "assigned_at": _utc(task.assigned_at),
        "due_at": _utc(task.due_at),
        "state": task.state,
        "progress": task.progress,
        "done_at": _utc(task.done_at),
        "done_by": task.done_by,
        "overdue": svc.is_overdue(task, now),
        "reminders": task.reminders,
        "can_update": task.incident.state == "open" and svc.may_update(principal, task),
    }


def incident_summary(incident: Incident, tasks: Sequence[Task], now: datetime) -> dict[str, Any]:
    return {
        "id": incident.id,
        "title": incident.title,
        "severity": incident.severity,
        "state": incident.state,
        "origin": incident.origin,
        "drill": incident.drill,
        "admin_code": incident.admin_code,
        "place": svc.place_name(incident.admin_code),
        "opened_by": incident.opened_by,
        "opened_at": _utc(incident.opened_at),
        "closed_at": _utc(incident.closed_at),
        "tasks": len(tasks),
        "tasks_done": sum(t.state == "done" for t in tasks),
        "tasks_overdue": sum(svc.is_overdue(t, now) for t in tasks),
        "progress": svc.progress_of(tasks),
    }


def _report_public(event: Event, principal: Principal) -> dict[str, Any]:
    """A citizen report; the reporter's contact only for those who would call back."""
    payload = event.payload or {}
    public = {
        "id": event.id,
        "at": _utc(event.at),
        "admin_code": event.admin_code,
        "place": svc.place_name(event.admin_code),
        "title": payload.get("title") or event.message,
        "text": payload.get("text", ""),
        "recorded_by": payload.get("recorded_by"),
    }
    if principal.can(Permission.COORDINATE):
        public["reporter_name"] = payload.get("reporter_name")
        public["reporter_phone"] = payload.get("reporter_phone")
    return public


def incident_detail(
    session: Session, principal: Principal, incident: Incident, now: datetime
) -> dict[str, Any]:
    """An incident with its origin, the tasks the user sees, their comments and files."""
    tasks = svc.tasks_of(session, principal, [incident.id])[incident.id]
    names = _unit_names(session, [t.unit_code for t in tasks] + list(incident.affected_units))
    comments = svc.comments_of(session, [t.id for t in tasks])
    files: dict[int, list[dict[str, Any]]] = {t.id: [] for t in tasks}
    for a in attachments.listed(session, "task", list(files)):
        files[a.owner_id].append(attachment_public(a))
    detail = incident_summary(incident, tasks, now)
    detail.update(
        {
            "description": incident.description,
            "root_cause": incident.root_cause,
            "impact": incident.impact,
            "affected_units": [_unit_public(c, names) for c in incident.affected_units],
            "alert": None,
            "report": None,
            "plan_run_id": incident.plan_run_id,
            "closed_by": incident.closed_by,
            "evaluation": incident.evaluation,
            "rating": incident.rating,
            "can_coordinate": incident.state == "open" and svc.coordinates(principal, incident),
            "attachments": [
                attachment_public(a) for a in attachments.listed(session, "incident", [incident.id])
            ],
            "task_list": [
                {
                    **task_public(t, principal, names, now),
                    "comments": [comment_public(c) for c in comments[t.id]],
                    "attachments": files[t.id],
                }
                for t in tasks
            ],
        }
    )
    if incident.alert_id is not None:
        alert = session.get(Alert, incident.alert_id)
        rule = session.get(AlertRule, alert.rule_id) if alert else None
        if alert is not None and rule is not None:
            detail["alert"] = {
                "id": alert.id,
                "rule": rule.name,
                "title_vi": rule.title_vi,
                "title_en": rule.title_en,
                "state": alert.state,
                "message": alert.message,
            }
    if incident.report_event_id is not None:
        report = session.get(Event, incident.report_event_id)
        if report is not None:
            detail["report"] = _report_public(report, principal)
    return detail


# -- field reports ---------------------------------------------------------------------------


@router.post("/api/field-reports", status_code=201)
def api_record_report(request: Request, principal: Viewer, body: FieldReportIn) -> dict[str, Any]:
    """Record what a citizen reported about a commune or a province (a ``report.citizen``
    event, which alert rules can count)."""
    with _acting(request, principal, "field_report.record", f"place {body.admin_code}") as act:
        event = svc.record_field_report(
            act.session,
            principal,
            admin_code=body.admin_code,
            title=body.title,
            text=body.text,
            reporter_name=body.reporter_name,
            reporter_phone=body.reporter_phone,
        )
        act.target = f"event {event.id}"
        return _report_public(event, principal)


@router.get("/api/field-reports")
def api_reports(
    request: Request,
    principal: Viewer,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    """Citizen reports placed in the caller's scope, newest first, with the incident
    opened from each (if any). Audited: coordinators read the reporters' contacts here."""
    with _acting(request, principal, "field_report.list", "field reports") as act:
        reports = svc.field_reports(act.session, principal, limit)
        opened = svc.incidents_of_reports(act.session, [r.id for r in reports])
        act.detail = {"count": len(reports)}
        return [{**_report_public(r, principal), "incident_id": opened.get(r.id)} for r in reports]


# -- incidents -------------------------------------------------------------------------------


@router.get("/api/incidents")
def api_incidents(
    request: Request,
    principal: Viewer,
    state: StateParam = "open",
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[dict[str, Any]]:
    """The incidents the caller sees (placed in their scope, or holding a task of their
    unit), newest first, with the progress of the tasks they see."""
    now = utcnow()
    with request.app.state.store.session() as session:
        found = svc.list_incidents(session, principal, state, limit)
        tasks = svc.tasks_of(session, principal, [i.id for i in found])
        return [incident_summary(i, tasks[i.id], now) for i in found]


@router.post("/api/incidents", status_code=201)
def api_open_incident(request: Request, principal: Coordinator, body: IncidentIn) -> dict[str, Any]:
    """Open an incident from an alert, from a citizen report, or by hand."""
    with _acting(request, principal, "incident.open", "incident") as act:
        incident = _open(act.session, principal, body)
        act.target = f"incident {incident.id}"
        act.detail = {"origin": incident.origin}
        return incident_detail(act.session, principal, incident, utcnow())


def _open(session: Session, principal: Principal, body: IncidentIn) -> Incident:
    if body.alert_id is not None and body.report_event_id is not None:
        raise InvalidInputError(
            "give alert_id or report_event_id, not both: an incident has one origin"
        )
    if body.alert_id is not None:
        if body.title or body.severity or body.admin_code:
            raise InvalidInputError(
                f"an incident from alert {body.alert_id} takes its title, severity and place "
                "from the alert; leave title, severity and admin_code out"
            )
        return svc.open_from_alert(
            session,
            principal,
            body.alert_id,
            description=body.description,
            affected_units=body.affected_units,
        )
    if body.report_event_id is not None:
        if body.title or body.admin_code:
            raise InvalidInputError(
                f"an incident from report {body.report_event_id} takes its title and place "
                "from the report; leave title and admin_code out"
            )
        return svc.open_from_report(
            session,
            principal,
            body.report_event_id,
            severity=body.severity,
            description=body.description,
            affected_units=body.affected_units,
        )
    if body.severity is None:
        raise InvalidInputError(
            f"an incident opened by hand needs a severity: {', '.join(SEVERITIES)}"
        )
    return svc.open_by_hand(
        session,
        principal,
        title=body.title,
        severity=body.severity,
        admin_code=body.admin_code,
        description=body.description,
        affected_units=body.affected_units,
    )


@router.get("/api/incidents/{incident_id}")
def api_incident(request: Request, incident_id: RowId, principal: Viewer) -> dict[str, Any]:
    """An incident with its origin and the tasks the caller sees (a provincial or commune
    user sees only the tasks of units in their scope), their comments and attachments."""
    read = _on_incident(request, principal, "incident.read", incident_id, record_ok=False)
    with read as (act, incident):
        return incident_detail(act.session, principal, incident, utcnow())


@router.patch("/api/incidents/{incident_id}")
def api_update_incident(
    request: Request, incident_id: RowId, principal: Coordinator, body: IncidentUpdate
) -> dict[str, Any]:
    """Change the description, severity, root cause, impact or affected units."""
    with _on_incident(request, principal, "incident.update", incident_id) as (act, incident):
        changed = svc.update_incident(
            act.session, principal, incident, **body.model_dump(exclude_none=True)
        )
        act.detail = {"changed": changed}
        return incident_detail(act.session, principal, incident, utcnow())


@router.post("/api/incidents/{incident_id}/close")
def api_close_incident(
    request: Request, incident_id: RowId, principal: Coordinator, body: CloseIn
) -> dict[str, Any]:
    """Close with an evaluation (and a rating from 1 to 5); refused while tasks are open,
    unless ``cancel_open_tasks``."""
    with _on_incident(request, principal, "incident.close", incident_id) as (act, incident):
        cancelled = svc.close_incident(
            act.session,
            principal,
            incident,
            evaluation=body.evaluation,
            rating=body.rating,
            cancel_open_tasks=body.cancel_open_tasks,
        )
        act.detail = {"rating": body.rating, "cancelled_tasks": [t.id for t in cancelled]}
        return incident_detail(act.session, principal, incident, utcnow())


@router.post("/api/incidents/{incident_id}/tasks", status_code=201)
def api_add_task(
    request: Request, incident_id: RowId, principal: Coordinator, body: TaskIn
) -> dict[str, Any]:
    """Give a unit inside the caller's scope a task with a deadline in the future."""
    with _on_incident(request, principal, "task.assign", incident_id) as (act, incident):
        task = svc.assign_task(
            act.session,
            principal,
            incident,
            unit_code=body.unit,
            title=body.title,
            due_at=body.due_at,
            description=body.description,
            resources=body.resources,
        )
        act.target = f"task {task.id}"
        act.detail = {"incident": incident_id, "unit": task.unit_code}
        names = _unit_names(act.session, [task.unit_code])
        return task_public(task, principal, names, utcnow())


@router.post("/api/incidents/{incident_id}/attachments", status_code=201)
def api_attach_to_incident(
    request: Request,
    incident_id: RowId,
    principal: Coordinator,
    file: Annotated[UploadFile, File(description="PDF, PNG, JPEG, DOCX, XLSX or text")],
) -> dict[str, Any]:
    data = _read(file)
    with _on_incident(request, principal, "attachment.add", incident_id) as (act, incident):
        found = svc.attach(
            act.session, principal, filename=file.filename, data=data, incident=incident
        )
        act.detail = {"attachment": found.id, "bytes": found.size, "sha256": found.sha256}
        return attachment_public(found)


# -- tasks -------------------------------------------------------------------------------------


@router.get("/api/tasks")
def api_tasks(
    request: Request,
    principal: Viewer,
    mine: bool = False,
    state: Annotated[str, Query(pattern="^(open|all)$")] = "open",
) -> list[dict[str, Any]]:
    """Tasks, overdue first: with ``mine=1`` those held by the caller's own units,
    otherwise every task the caller sees. ``state=open`` leaves out done and cancelled."""
    now = utcnow()
    with request.app.state.store.session() as session:
        found = svc.tasks_for(session, principal, mine=mine, state=state, now=now)
        names = _unit_names(session, [t.unit_code for t in found])
        return [
            {
                **task_public(t, principal, names, now),
                "incident": {
                    "id": t.incident.id,
                    "title": t.incident.title,
                    "drill": t.incident.drill,
                    "severity": t.incident.severity,
                },
            }
            for t in found
        ]


@router.patch("/api/tasks/{task_id}")
def api_update_task(
    request: Request, task_id: RowId, principal: Responder, body: TaskUpdate
) -> dict[str, Any]:
    """Report progress (100 means done) or change the state; by the task's unit (or a unit
    above it) or the incident's coordinators responsible for that unit."""
    with _on_task(request, principal, "task.update", task_id) as (act, task):
        svc.update_task(act.session, principal, task, progress=body.progress, state=body.state)
        act.detail = {"progress": task.progress, "state": task.state}
        names = _unit_names(act.session, [task.unit_code])
        return task_public(task, principal, names, utcnow())


@router.post("/api/tasks/{task_id}/comments", status_code=201)
def api_comment(
    request: Request, task_id: RowId, principal: Responder, body: CommentIn
) -> dict[str, Any]:
    with _on_task(request, principal, "task.comment", task_id) as (act, task):
        comment = svc.comment_task(
            act.session, principal, task, body=body.body, progress=body.progress
        )
        act.detail = {"comment": comment.id, "progress": body.progress}
        return comment_public(comment)


@router.post("/api/tasks/{task_id}/attachments", status_code=201)
def api_attach_to_task(
    request: Request,
    task_id: RowId,
    principal: Responder,
    file: Annotated[UploadFile, File(description="PDF, PNG, JPEG, DOCX, XLSX or text")],
) -> dict[str, Any]:
    data = _read(file)
    with _on_task(request, principal, "attachment.add", task_id) as (act, task):
        found = svc.attach(act.session, principal, filename=file.filename, data=data, task=task)
        act.detail = {"attachment": found.id, "bytes": found.size, "sha256": found.sha256}
        return attachment_public(found)


def _read(upload: UploadFile) -> bytes:
    # One byte past the limit is enough to refuse the file without reading all of it.
    return upload.file.read(attachments.MAX_BYTES + 1)


@router.get("/api/attachments/{attachment_id}")
def api_download(request: Request, attachment_id: RowId, principal: Viewer) -> Response:
    """An attachment of an incident or task the caller sees; every download is audited."""
    with _acting(request, principal, "attachment.download", f"attachment {attachment_id}") as act:
        found = svc.get_attachment(act.session, principal, attachment_id)
        data, name, kind = found.data, found.filename, found.content_type
        act.detail = {"sha256": found.sha256}
    return Response(
        content=data,
        media_type=kind,
        headers={
            "Content-Disposition": _disposition(name),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


def _disposition(filename: str) -> str:
    """A download header that keeps a Vietnamese file name (RFC 6266) with a plain-ASCII
    fallback for old clients."""
    plain = unicodedata.normalize("NFKD", filename.replace("đ", "d").replace("Đ", "D"))
    fallback = plain.encode("ascii", "ignore").decode().replace('"', "").replace("\\", "")
    return f"attachment; filename=\"{fallback or 'tep'}\"; filename*=UTF-8''{quote(filename)}"


# -- pages -------------------------------------------------------------------------------------


def _page_context(principal: Principal, lang: str) -> dict[str, Any]:
    return {
        "lang": lang,
        "principal": principal,
        "local": local,
        "can_coordinate": principal.can(Permission.COORDINATE),
    }


@router.get("/incidents", response_class=HTMLResponse, include_in_schema=False)
def incidents_page(
    request: Request, principal: Viewer, lang: Lang, state: StateParam = "open"
) -> Response:
    now = utcnow()
    with request.app.state.store.session() as session:
        found = svc.list_incidents(session, principal, state)
        tasks = svc.tasks_of(session, principal, [i.id for i in found])
        reports = svc.field_reports(session, principal, 10)
        opened = svc.incidents_of_reports(session, [r.id for r in reports])
        context = _page_context(principal, lang) | {
            "state": state,
            "incidents": [incident_summary(i, tasks[i.id], now) for i in found],
            "reports": [
                {**_report_public(r, principal), "incident_id": opened.get(r.id)} for r in reports
            ],
            "provinces": _provinces_in(principal),
        }
        return render(request, "incidents.html", context)


def _provinces_in(principal: Principal) -> list[admin.AdminUnit]:
    return [p for p in admin.provinces() if principal.scope.covers(p.code)]


@router.get("/incidents/new", response_class=HTMLResponse, include_in_schema=False)
def new_incident_page(
    request: Request,
    principal: Coordinator,
    lang: Lang,
    alert: int | None = None,
    report: int | None = None,
) -> Response:
    """The form to open an incident; ``?alert=`` or ``?report=`` fills it from its origin."""
    context = _page_context(principal, lang) | {
        "severities": SEVERITIES,
        "provinces": _provinces_in(principal),
        "alert": None,
        "report": None,
    }
    with _acting(request, principal, "incident.prefill", "form", record_ok=False) as act:
        if alert is not None:
            found = act.session.get(Alert, alert)
            rule = act.session.get(AlertRule, found.rule_id) if found else None
            if found is None or rule is None:
                raise InvalidInputError(f"alert {alert} does not exist; see the alerts page")
            svc.require_place_in_scope(principal, found.admin_code, f"alert {alert}")
            context["alert"] = {
                "id": found.id,
                "title": rule.title_vi if lang == "vi" else rule.title_en,
                "severity": found.severity,
                "message": found.message,
                "place": svc.place_name(found.admin_code),
            }
        elif report is not None:
            event = act.session.get(Event, report)
            if event is None or event.kind != svc.REPORT_KIND:
                raise InvalidInputError(f"citizen report {report} does not exist")
            svc.require_place_in_scope(principal, event.admin_code, f"report {report}")
            context["report"] = _report_public(event, principal)
        return render(request, "incident_new.html", context)


@router.get("/incidents/{incident_id}", response_class=HTMLResponse, include_in_schema=False)
def incident_page(request: Request, incident_id: RowId, principal: Viewer, lang: Lang) -> Response:
    read = _on_incident(request, principal, "incident.read", incident_id, record_ok=False)
    with read as (act, incident):
        detail = incident_detail(act.session, principal, incident, utcnow())
        context = _page_context(principal, lang) | {
            "incident": detail,
            "units": _assignable(act.session, principal) if detail["can_coordinate"] else [],
            "task_states": svc.TASK_STATES,
            "severities": SEVERITIES,
        }
        return render(request, "incident.html", context)


def _assignable(session: Session, principal: Principal) -> list[OrgUnit]:
    """The units offered in the task form: for a national coordinator the ministry, its
    departments and the provinces (a commune is typed by its code); for a province its own
    department and its communes."""
    if principal.scope.national:
        query = select(OrgUnit).where(OrgUnit.kind.in_(("ministry", "department", "province")))
    else:
        places = svc.covered_places(principal.scope) or []
        query = select(OrgUnit).where(OrgUnit.admin_code.in_(places))
    return list(session.scalars(query.order_by(OrgUnit.code)))


@router.get("/tasks", response_class=HTMLResponse, include_in_schema=False)
def tasks_page(
    request: Request,
    principal: Viewer,
    lang: Lang,
    everything: Annotated[bool, Query(alias="all")] = False,
) -> Response:
    """The tasks of the user's own units (``?all=1``: every task they see), overdue first."""
    now = utcnow()
    with request.app.state.store.session() as session:
        found = svc.tasks_for(session, principal, mine=not everything, now=now)
        names = _unit_names(session, [t.unit_code for t in found])
        rows = [
            {
                **task_public(t, principal, names, now),
                "incident_title": t.incident.title,
                "drill": t.incident.drill,
            }
            for t in found
        ]
        context = _page_context(principal, lang) | {
            "tasks": rows,
            "everything": everything,
            "my_units": [u[0] for u in principal.units],
        }
        return render(request, "tasks.html", context)
