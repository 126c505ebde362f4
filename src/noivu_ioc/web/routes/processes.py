"""Process tracking: templates, runs and their steps; pages and API.

The list (``/processes``) shows the runs the viewer sees, each with its active step, the
unit holding it and how late it is; a run's page (``/processes/{id}``) is the timeline of
its steps with a form for whoever may complete the active one. Every change and every
refusal is audited.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Body, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from noivu_ioc.access.roles import Permission, Role, role_label
from noivu_ioc.access.users import Principal, audit
from noivu_ioc.errors import IOCError, NotAllowedError
from noivu_ioc.operations import processes as svc
from noivu_ioc.store.models import (
    Event,
    OrgUnit,
    ProcessRun,
    ProcessStep,
    ProcessTemplate,
    as_utc,
    utcnow,
)
from noivu_ioc.web.deps import Coordinator, Lang, PlanManager, Responder, RowId, Viewer, client_of
from noivu_ioc.web.errors import STATUS_OF_CODE
from noivu_ioc.web.pages import render

router = APIRouter(tags=["processes"])

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
StateParam = Annotated[str, Query(pattern="^(running|done|all)$")]


class StartIn(BaseModel):
    template: str = Field(max_length=64, description="the template's slug")
    subject: str = Field(max_length=32, description="code of the unit concerned, e.g. SNV.15")
    inspector: str | None = Field(
        default=None, max_length=32, description="code of the inspecting unit; default BNV.TTr"
    )
    title: str | None = Field(default=None, max_length=255)


class CompleteIn(BaseModel):
    note: str = Field(default="", max_length=4000)


# -- public shapes --------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return None if value is None else as_utc(value).astimezone(UTC).isoformat()


def when(iso: str | None) -> str:
    """An ISO time of the API shapes, as shown on the pages: in Vietnam's time."""
    if iso is None:
        return "–"
    return datetime.fromisoformat(iso).astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


def _unit_names(session: Session, codes: Iterable[str]) -> dict[str, OrgUnit]:
    wanted = sorted(set(codes))
    return {u.code: u for u in session.scalars(select(OrgUnit).where(OrgUnit.code.in_(wanted)))}


def _unit(names: dict[str, OrgUnit], code: str | None, lang: str) -> dict[str, str] | None:
    if code is None:
        return None
    found = names.get(code)
    name = code if found is None else (found.name_vi if lang == "vi" else found.name_en)
    return {"code": code, "name": name}


def step_public(
    step: ProcessStep, names: dict[str, OrgUnit], principal: Principal, lang: str, now: datetime
) -> dict[str, Any]:
    late = svc.lateness(step, now)
    return {
        "position": step.position,
        "key": step.key,
        "title": step.title_vi if lang == "vi" else step.title_en,
        "state": step.state,
        "role": step.role,
        "role_label": role_label(Role(step.role), lang),
        "unit": _unit(names, step.unit_code, lang),
        "days": step.days,
        "started_at": _iso(step.started_at),
        "due_at": _iso(step.due_at),
        "done_at": _iso(step.done_at),
        "done_by": step.done_by,
        "note": step.note,
        "late": late.late,
        "days_late": late.days_late,
        "can_complete": svc.can_complete(principal, step),
    }


def _inspector(run: ProcessRun, template: ProcessTemplate) -> str | None:
    return next(
        (
            s.unit_code
            for s, d in zip(run.steps, template.steps, strict=False)
            if d["holder"] == "inspector"
        ),
        None,
    )


def run_public(
    run: ProcessRun,
    template: ProcessTemplate,
    names: dict[str, OrgUnit],
    principal: Principal,
    lang: str,
    now: datetime,
) -> dict[str, Any]:
    steps = [step_public(s, names, principal, lang, now) for s in run.steps]
    active = next((s for s in steps if s["state"] == "active"), None)
    return {
        "id": run.id,
        "title": run.title,
        "template": {
            "slug": template.slug,
            "title": template.title_vi if lang == "vi" else template.title_en,
        },
        "subject": _unit(names, run.unit_code, lang),
        "inspector": _unit(names, _inspector(run, template), lang),
        "admin_code": run.admin_code,
        "state": run.state,
        "started_by": run.started_by,
        "started_at": _iso(run.started_at),
        "done_at": _iso(run.done_at),
        "steps_done": sum(s["state"] == "done" for s in steps),
        "steps_total": len(steps),
        "active": active,
        "late": bool(active and active["late"]),
        "steps": steps,
    }


def runs_public(
    session: Session, runs: list[ProcessRun], principal: Principal, lang: str
) -> list[dict[str, Any]]:
    now = utcnow()
    templates = {t.id: t for t in svc.list_templates(session)}
    names = _unit_names(session, (s.unit_code for r in runs for s in r.steps))
    names.update(_unit_names(session, (r.unit_code for r in runs)))
    return [run_public(r, templates[r.template_id], names, principal, lang, now) for r in runs]


def template_public(template: ProcessTemplate, lang: str) -> dict[str, Any]:
    return {
        "slug": template.slug,
        "title_vi": template.title_vi,
        "title_en": template.title_en,
        "description": template.description,
        "steps": [{**d, "role_label": role_label(Role(d["role"]), lang)} for d in template.steps],
        "created_by": template.created_by,
    }


# -- refusals are audited in their own unit of work (the failed one is rolled back) ---------


@contextmanager
def _audit_refusal(
    request: Request, principal: Principal, action: str, target: str
) -> Iterator[None]:
    try:
        yield
    except NotAllowedError as exc:
        with request.app.state.store.session() as session:
            audit(
                session,
                action,
                "denied",
                user=principal,
                target=target,
                detail={"reason": exc.message},
                client=client_of(request),
            )
        raise


def _start(request: Request, principal: Principal, data: StartIn) -> int:
    with (
        _audit_refusal(request, principal, "process.start", f"subject {data.subject}"),
        request.app.state.store.session() as session,
    ):
        run = svc.start_run(
            session,
            principal,
            template=data.template,
            subject=data.subject,
            inspector=data.inspector,
            title=data.title,
        )
        audit(
            session,
            "process.start",
            "ok",
            user=principal,
            target=f"process {run.id}",
            detail={"template": data.template, "subject": run.unit_code},
            client=client_of(request),
        )
        return run.id


def _complete(
    request: Request, principal: Principal, run_id: RowId, position: RowId, note: str
) -> None:
    target = f"process {run_id} step {position}"
    with (
        _audit_refusal(request, principal, "process.step_complete", target),
        request.app.state.store.session() as session,
    ):
        svc.complete_step(session, principal, run_id, position, note)
        audit(
            session,
            "process.step_complete",
            "ok",
            user=principal,
            target=target,
            client=client_of(request),
        )


def _last_event(request: Request) -> int:
    """The newest event id when a page is drawn: its script ignores what the live stream
    replays up to there, which the page shows already."""
    with request.app.state.store.session() as session:
        return int(session.scalar(select(func.max(Event.id))) or 0)


def _one(request: Request, principal: Principal, run_id: RowId, lang: str) -> dict[str, Any]:
    with (
        _audit_refusal(request, principal, "process.read", f"process {run_id}"),
        request.app.state.store.session() as session,
    ):
        run = svc.get_run(session, principal, run_id)
        return runs_public(session, [run], principal, lang)[0]


# -- JSON API -------------------------------------------------------------------------------


@router.get("/api/process-templates")
def api_templates(request: Request, principal: Viewer, lang: Lang) -> list[dict[str, Any]]:
    """Every process template with its steps (role, holder, days)."""
    with request.app.state.store.session() as session:
        return [template_public(t, lang) for t in svc.list_templates(session)]


@router.post("/api/process-templates", status_code=201)
def api_create_template(
    request: Request,
    principal: PlanManager,
    lang: Lang,
    body: Annotated[dict[str, Any], Body()],
) -> dict[str, Any]:
    """Define a template: ``slug``, ``title_vi``, ``title_en``, ``description`` and
    ``steps`` [{key, title_vi, title_en, role, holder (inspector, subject or a unit code),
    days}]; every problem is named in the refusal."""
    with request.app.state.store.session() as session:
        template = svc.create_template(session, body, principal.username)
        audit(
            session,
            "process_template.create",
            "ok",
            user=principal,
            target=template.slug,
            client=client_of(request),
        )
        return template_public(template, lang)


@router.get("/api/processes")
def api_processes(
    request: Request,
    principal: Viewer,
    lang: Lang,
    state: StateParam = "running",
    late: bool = False,
    template: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[dict[str, Any]]:
    """The runs the caller sees (the subject's place in scope, or a step held by one of
    their units), newest first, each with its active step and how late it is."""
    with request.app.state.store.session() as session:
        runs = svc.list_runs(
            session, principal, state, late_only=late, template=template, limit=limit
        )
        return runs_public(session, runs, principal, lang)


@router.post("/api/processes", status_code=201)
def api_start(
    request: Request, principal: Coordinator, lang: Lang, data: StartIn
) -> dict[str, Any]:
    """Start a run of a template for a unit; its first step is active at once."""
    run_id = _start(request, principal, data)
    return _one(request, principal, run_id, lang)


@router.get("/api/processes/{run_id}")
def api_process(request: Request, run_id: RowId, principal: Viewer, lang: Lang) -> dict[str, Any]:
    """A run with every step: state, holder unit, role, due date, lateness, who did it."""
    return _one(request, principal, run_id, lang)


@router.post("/api/processes/{run_id}/steps/{position}/complete")
def api_complete(
    request: Request,
    run_id: RowId,
    position: RowId,
    principal: Responder,
    lang: Lang,
    data: CompleteIn,
) -> dict[str, Any]:
    """Complete the active step (by a user of its holder unit with its role); the next step
    becomes active. Another step than the active one is refused with 409."""
    _complete(request, principal, run_id, position, data.note)
    return _one(request, principal, run_id, lang)


# -- pages ----------------------------------------------------------------------------------


def _list_context(
    request: Request, principal: Principal, lang: str, form: dict[str, Any], error: str | None
) -> dict[str, Any]:
    state = request.query_params.get("state", "running")
    state = state if state in ("running", "done", "all") else "running"
    late = request.query_params.get("late") == "1"
    chosen = request.query_params.get("template") or None
    with request.app.state.store.session() as session:
        templates = svc.list_templates(session)
        slugs = {t.slug for t in templates}
        runs = svc.list_runs(
            session,
            principal,
            state,
            late_only=late,
            template=chosen if chosen in slugs else None,
        )
        shown = runs_public(session, runs, principal, lang)
        units = list(
            session.scalars(
                select(OrgUnit)
                .where(OrgUnit.kind.in_(("ministry", "department", "province")))
                .order_by(OrgUnit.code)
            )
        )
    return {
        "lang": lang,
        "principal": principal,
        "runs": shown,
        "templates": [template_public(t, lang) for t in templates],
        "state": state,
        "late": late,
        "chosen": chosen,
        "units": units,
        "can_start": principal.can(Permission.COORDINATE),
        "default_inspector": svc.DEFAULT_INSPECTOR,
        "form": form,
        "error": error,
        "when": when,
        "last_event": _last_event(request),
    }


@router.get("/processes", response_class=HTMLResponse)
def processes_page(request: Request, principal: Viewer, lang: Lang) -> Response:
    return render(request, "processes.html", _list_context(request, principal, lang, {}, None))


@router.post("/processes", response_class=HTMLResponse)
def start_form(
    request: Request,
    principal: Coordinator,
    lang: Lang,
    template: Annotated[str, Form(max_length=64)],
    subject: Annotated[str, Form(max_length=32)],
    inspector: Annotated[str, Form(max_length=32)] = "",
    title: Annotated[str, Form(max_length=255)] = "",
) -> Response:
    form = {"template": template, "subject": subject, "inspector": inspector, "title": title}
    data = StartIn(
        template=template, subject=subject, inspector=inspector or None, title=title or None
    )
    try:
        run_id = _start(request, principal, data)
    except IOCError as exc:
        context = _list_context(request, principal, lang, form, exc.text(lang))
        return render(request, "processes.html", context, STATUS_OF_CODE.get(exc.code, 400))
    return RedirectResponse(f"/processes/{run_id}", status_code=303)


def _run_context(
    request: Request, principal: Principal, run_id: RowId, lang: str, error: str | None
) -> dict[str, Any]:
    done = request.query_params.get("done")
    return {
        "lang": lang,
        "principal": principal,
        "run": _one(request, principal, run_id, lang),
        "error": error,
        "done": int(done) if done and done.isdigit() else None,
        "when": when,
        "last_event": _last_event(request),
    }


@router.get("/processes/{run_id}", response_class=HTMLResponse)
def process_page(request: Request, run_id: RowId, principal: Viewer, lang: Lang) -> Response:
    return render(request, "process.html", _run_context(request, principal, run_id, lang, None))


@router.post("/processes/{run_id}/steps/{position}/complete", response_class=HTMLResponse)
def complete_form(
    request: Request,
    run_id: RowId,
    position: RowId,
    principal: Responder,
    lang: Lang,
    note: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    try:
        _complete(request, principal, run_id, position, note)
    except IOCError as exc:
        context = _run_context(request, principal, run_id, lang, exc.text(lang))
        return render(request, "process.html", context, STATUS_OF_CODE.get(exc.code, 400))
    return RedirectResponse(f"/processes/{run_id}?done={position}#step-{position}", status_code=303)
