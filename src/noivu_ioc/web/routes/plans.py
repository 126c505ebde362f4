"""Emergency plans prepared in advance, activated in one click or as a drill: the JSON API,
the list and plan pages, and the command view of a run (``/plans/runs/{id}``), which follows
every unit's task live."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field, TypeAdapter

from noivu_ioc.access.roles import Permission
from noivu_ioc.access.users import Principal, audit
from noivu_ioc.errors import NotAllowedError
from noivu_ioc.operations import plans
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import Plan, as_utc
from noivu_ioc.units import admin
from noivu_ioc.web.deps import Coordinator, Lang, PlanManager, RowId, Store, Viewer, client_of
from noivu_ioc.web.i18n import t
from noivu_ioc.web.messages.plans import CLIENT_KEYS
from noivu_ioc.web.pages import render

router = APIRouter(tags=["plans"])

RunState = Annotated[str, Query(pattern="^(active|all)$", description="active or all")]


class PlanIn(BaseModel):
    slug: str = Field(description="lowercase letters, digits and hyphens, e.g. bao-lu")
    title_vi: str
    title_en: str
    hazard: str = Field(description=", ".join(plans.HAZARDS))
    severity: str = "major"
    description: str = ""
    tasks: list[dict[str, Any]] = Field(
        description="[{unit, title_vi, title_en, hours, resources}]; unit is an org unit "
        "code (BNV.VP, SNV.01), SNV.* (every province, or the activated one) or UBX.* (the "
        "communes of the activated province); hours: the deadline after activation"
    )


class PlanUpdate(BaseModel):
    title_vi: str
    title_en: str
    hazard: str
    severity: str = "major"
    description: str = ""
    tasks: list[dict[str, Any]]


class PlanPublic(BaseModel):
    slug: str
    title_vi: str
    title_en: str
    hazard: str
    severity: str
    description: str
    tasks: list[dict[str, Any]]
    needs_area: bool
    created_by: str
    updated_at: datetime


class ActivateIn(BaseModel):
    drill: bool = Field(description="true: a drill, marked as such on the run, incident, tasks")
    area: str | None = Field(
        default=None, description="a 2-digit province code; null: nationwide", max_length=5
    )
    note: str = Field(default="", max_length=2000)


class CloseIn(BaseModel):
    evaluation: str = Field(
        max_length=4000, description="what was done, what worked, what to improve"
    )


def plan_public(plan: Plan) -> PlanPublic:
    return PlanPublic(
        slug=plan.slug,
        title_vi=plan.title_vi,
        title_en=plan.title_en,
        hazard=plan.hazard,
        severity=plan.severity,
        description=plan.description,
        tasks=plan.tasks,
        needs_area=plans.spec_of(plan).needs_area,
        created_by=plan.created_by,
        updated_at=as_utc(plan.updated_at),
    )


@contextmanager
def refusals_audited(
    request: Request, store: OpStore, principal: Principal, action: str, target: str
) -> Iterator[None]:
    """Record a refusal in a session of its own: the work's session is rolled back."""
    try:
        yield
    except NotAllowedError:
        with store.session() as session:
            audit(
                session, action, "denied", user=principal, target=target, client=client_of(request)
            )
        raise


# API --------------------------------------------------------------------------------------


@router.get("/api/plans", response_model=list[PlanPublic])
def api_plans(store: Store, principal: Viewer) -> list[PlanPublic]:
    with store.session() as session:
        return [plan_public(p) for p in plans.list_plans(session)]


@router.get("/api/plans/{slug}", response_model=PlanPublic)
def api_plan(slug: str, store: Store, principal: Viewer) -> PlanPublic:
    with store.session() as session:
        return plan_public(plans.get_plan(session, slug))


@router.post("/api/plans", response_model=PlanPublic, status_code=201)
def api_create_plan(body: PlanIn, store: Store, principal: PlanManager) -> PlanPublic:
    with store.session() as session:
        return plan_public(plans.create_plan(session, principal, body.model_dump()))


@router.put("/api/plans/{slug}", response_model=PlanPublic)
def api_update_plan(
    slug: str, body: PlanUpdate, store: Store, principal: PlanManager
) -> PlanPublic:
    with store.session() as session:
        return plan_public(plans.update_plan(session, principal, slug, body.model_dump()))


@router.post("/api/plans/{slug}/activate", response_model=plans.RunView, status_code=201)
def api_activate(
    request: Request, slug: str, body: ActivateIn, store: Store, principal: Coordinator
) -> plans.RunView:
    """Activate the plan at once: the run, its incident and every unit's task; the answer's
    ``url`` is the command view."""
    with (
        refusals_audited(request, store, principal, "plan.activate", f"plan:{slug}"),
        store.session() as session,
    ):
        run = plans.activate(
            session, principal, slug, drill=body.drill, area=body.area, note=body.note
        )
        return plans.run_view(session, principal, run.id)


@router.get("/api/plan-runs", response_model=list[plans.RunSummary])
def api_runs(store: Store, principal: Viewer, state: RunState = "active") -> list[plans.RunSummary]:
    """The runs in the viewer's scope, newest first, counted over the viewer's tasks."""
    with store.session() as session:
        return plans.list_runs(session, principal, state)


@router.get("/api/plan-runs/{run_id}", response_model=plans.RunView)
def api_run(request: Request, run_id: RowId, store: Store, principal: Viewer) -> plans.RunView:
    """Every visible unit's task with its deadline, progress, state and latest comment."""
    with (
        refusals_audited(request, store, principal, "plan_run.read", f"plan_run:{run_id}"),
        store.session() as session,
    ):
        return plans.run_view(session, principal, run_id)


@router.post("/api/plan-runs/{run_id}/close", response_model=plans.RunView)
def api_close_run(
    request: Request, run_id: RowId, body: CloseIn, store: Store, principal: Coordinator
) -> plans.RunView:
    """End the run: its incident closes with the evaluation, open tasks are cancelled."""
    with (
        refusals_audited(request, store, principal, "plan_run.close", f"plan_run:{run_id}"),
        store.session() as session,
    ):
        plans.close_run(session, principal, run_id, body.evaluation)
        return plans.run_view(session, principal, run_id)


# Pages ------------------------------------------------------------------------------------


def _areas(principal: Principal) -> list[tuple[str, str]]:
    """The provinces this user may activate a plan for, by name."""
    return [
        (p.code, p.name)
        for p in sorted(admin.provinces(), key=lambda p: p.short_name)
        if principal.scope.covers_province(p.code)
    ]


def _base(lang: str, principal: Principal) -> dict[str, Any]:
    return {
        "lang": lang,
        "principal": principal,
        "can_activate": principal.can(Permission.COORDINATE),
        "areas": _areas(principal),
        "messages": {k: t(k, lang) for k in CLIENT_KEYS},
    }


_RUNS = TypeAdapter(list[plans.RunSummary])
_RUN = TypeAdapter(plans.RunView)


@router.get("/plans", response_class=HTMLResponse, include_in_schema=False)
def plans_page(request: Request, lang: Lang, store: Store, principal: Viewer) -> Response:
    with store.session() as session:
        context = {
            **_base(lang, principal),
            "plans": [plan_public(p) for p in plans.list_plans(session)],
            "runs": _RUNS.dump_python(plans.list_runs(session, principal, "active"), mode="json"),
        }
    return render(request, "plans.html", context)


@router.get("/plans/runs/{run_id}", response_class=HTMLResponse, include_in_schema=False)
def run_page(
    request: Request, run_id: RowId, lang: Lang, store: Store, principal: Viewer
) -> Response:
    with (
        refusals_audited(request, store, principal, "plan_run.read", f"plan_run:{run_id}"),
        store.session() as session,
    ):
        run = plans.run_view(session, principal, run_id)
        closable = principal.can(Permission.COORDINATE) and (
            principal.scope.national
            if run.area is None
            else principal.scope.covers_province(run.area)
        )
    context = {
        **_base(lang, principal),
        "run": _RUN.dump_python(run, mode="json"),
        "closable": closable,
    }
    return render(request, "plan_run.html", context)


@router.get("/plans/{slug}", response_class=HTMLResponse, include_in_schema=False)
def plan_page(request: Request, slug: str, lang: Lang, store: Store, principal: Viewer) -> Response:
    with store.session() as session:
        plan = plans.get_plan(session, slug)
        names = dict(
            (u.code, u) for u in plans.units_named(session, [task["unit"] for task in plan.tasks])
        )
        context = {**_base(lang, principal), "plan": plan_public(plan), "units": names}
    return render(request, "plan.html", context)
