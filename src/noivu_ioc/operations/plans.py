"""Emergency plans prepared in advance and activated in one click, for real or as a drill.

A plan lists the tasks of each unit, with a deadline counted in hours from activation. A task
goes to a named org unit, to ``SNV.*`` (every province's Department of Home Affairs, or only
the activated province's) or to ``UBX.*`` (every commune of the activated province, so only
for an activation in an area). Activating a plan creates, in one transaction, the run, its
incident (origin ``plan``) and every task; the run's command view reads their progress.

A provincial officer may activate a plan for their own province only; there, the tasks of
units outside their scope (the ministry's departments) are left out and named in the
``plan.activated`` event, so that the ministry can take them up.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from noivu_ioc.access.users import Principal, audit
from noivu_ioc.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError
from noivu_ioc.ingest import events
from noivu_ioc.ingest.events import SEVERITIES
from noivu_ioc.operations import incidents, units
from noivu_ioc.store.models import (
    Event,
    Incident,
    OrgUnit,
    Plan,
    PlanRun,
    Task,
    TaskComment,
    as_utc,
    utcnow,
)
from noivu_ioc.units import admin, org

log = logging.getLogger(__name__)

LIBRARY = Path(__file__).parent / "library" / "plans"
HAZARDS = ("storm_flood", "system_outage", "mass_gathering", "epidemic", "other")
EVERY_PROVINCE = "SNV.*"
AREA_COMMUNES = "UBX.*"
DRILL_MARK = "[DIỄN TẬP] "
MAX_HOURS = 24 * 90  # a deadline beyond a season is a typing mistake

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_PLAN_KEYS = frozenset({"slug", "title_vi", "title_en", "hazard", "severity", "description"})
_TASK_KEYS = frozenset({"unit", "title_vi", "title_en", "hours", "resources"})


# Definitions ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanTask:
    unit: str
    title_vi: str
    title_en: str
    hours: int
    resources: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "title_vi": self.title_vi,
            "title_en": self.title_en,
            "hours": self.hours,
            "resources": self.resources,
        }


@dataclass(frozen=True, slots=True)
class PlanSpec:
    slug: str
    title_vi: str
    title_en: str
    hazard: str
    severity: str
    description: str
    tasks: tuple[PlanTask, ...]

    @property
    def needs_area(self) -> bool:
        return any(t.unit == AREA_COMMUNES for t in self.tasks)


def _text(raw: Mapping[str, Any], key: str, where: str, required: bool = True) -> str:
    value = raw.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInputError(f"{where}: {key} must be text, got {value!r}")
    value = value.strip()
    if required and not value:
        raise InvalidInputError(f"{where}: {key} is missing; give it in both languages")
    return value


def _task(raw: Any, position: int) -> PlanTask:
    where = f"task {position}"
    if not isinstance(raw, Mapping):
        raise InvalidInputError(f"{where} must be a table of {', '.join(sorted(_TASK_KEYS))}")
    unknown = set(raw) - _TASK_KEYS
    if unknown:
        raise InvalidInputError(
            f"{where}: unknown field {', '.join(sorted(unknown))}; "
            f"a task has {', '.join(sorted(_TASK_KEYS))}"
        )
    unit = _text(raw, "unit", where)
    hours = raw.get("hours")
    if isinstance(hours, bool) or not isinstance(hours, int):
        raise InvalidInputError(
            f"{where} ({unit}): hours must be a whole number of hours after activation, "
            f"got {hours!r}"
        )
    if not 1 <= hours <= MAX_HOURS:
        raise InvalidInputError(
            f"{where} ({unit}): hours {hours} is out of range; the deadline is counted from "
            f"activation, from 1 to {MAX_HOURS} hours"
        )
    return PlanTask(
        unit=unit.upper() if unit.endswith("*") else unit,
        title_vi=_text(raw, "title_vi", where),
        title_en=_text(raw, "title_en", where),
        hours=hours,
        resources=_text(raw, "resources", where, required=False),
    )


def parse_plan(raw: Mapping[str, Any]) -> PlanSpec:
    """A plan's fields checked one by one (units are checked against the store by
    ``check_units``); the message names the field and the value at fault."""
    unknown = set(raw) - _PLAN_KEYS - {"tasks"}
    if unknown:
        raise InvalidInputError(
            f"unknown plan field {', '.join(sorted(unknown))}; a plan has "
            f"{', '.join(sorted(_PLAN_KEYS | {'tasks'}))}"
        )
    slug = _text(raw, "slug", "plan")
    if not _SLUG.match(slug):
        raise InvalidInputError(
            f"plan slug {slug!r} is not valid: use lowercase letters, digits and hyphens "
            "(at most 63), e.g. bao-lu"
        )
    where = f"plan {slug}"
    hazard = _text(raw, "hazard", where)
    if hazard not in HAZARDS:
        raise InvalidInputError(f"{where}: hazard {hazard!r} must be one of {', '.join(HAZARDS)}")
    severity = _text(raw, "severity", where, required=False) or "major"
    if severity not in SEVERITIES:
        raise InvalidInputError(
            f"{where}: severity {severity!r} must be one of {', '.join(SEVERITIES)}"
        )
    tasks = raw.get("tasks")
    if not isinstance(tasks, list) or not tasks:
        raise InvalidInputError(f"{where} needs at least one task: [[tasks]] in TOML")
    return PlanSpec(
        slug=slug,
        title_vi=_text(raw, "title_vi", where),
        title_en=_text(raw, "title_en", where),
        hazard=hazard,
        severity=severity,
        description=_text(raw, "description", where, required=False),
        tasks=tuple(_task(t, i) for i, t in enumerate(tasks, start=1)),
    )


def check_units(session: Session, spec: PlanSpec) -> None:
    """Every task names an existing org unit or one of the groups ``SNV.*`` and ``UBX.*``."""
    for position, task in enumerate(spec.tasks, start=1):
        if task.unit in (EVERY_PROVINCE, AREA_COMMUNES):
            continue
        if task.unit.endswith("*"):
            raise InvalidInputError(
                f"plan {spec.slug}, task {position}: unit group {task.unit!r} is not known; "
                f"use {EVERY_PROVINCE} (provinces' Departments of Home Affairs) or "
                f"{AREA_COMMUNES} (the communes of the activated province)"
            )
        try:
            units.unit(session, task.unit)
        except InvalidInputError as exc:
            raise InvalidInputError(f"plan {spec.slug}, task {position}: {exc}") from None


def check_plan(session: Session, raw: Mapping[str, Any]) -> PlanSpec:
    spec = parse_plan(raw)
    check_units(session, spec)
    return spec


def spec_of(plan: Plan) -> PlanSpec:
    return PlanSpec(
        slug=plan.slug,
        title_vi=plan.title_vi,
        title_en=plan.title_en,
        hazard=plan.hazard,
        severity=plan.severity,
        description=plan.description,
        tasks=tuple(PlanTask(**t) for t in plan.tasks),
    )


def load_library() -> list[PlanSpec]:
    """The plans shipped in ``library/plans/*.toml``, one plan per file."""
    found: list[PlanSpec] = []
    for path in sorted(LIBRARY.glob("*.toml")):
        try:
            found.append(parse_plan(tomllib.loads(path.read_text(encoding="utf-8"))))
        except tomllib.TOMLDecodeError as exc:
            raise InvalidInputError(f"{path.name} is not valid TOML: {exc}") from None
        except InvalidInputError as exc:
            raise InvalidInputError(f"{path.name}: {exc}") from None
    slugs = [s.slug for s in found]
    if len(set(slugs)) != len(slugs):
        raise InvalidInputError(f"the plan library repeats a slug: {sorted(slugs)}")
    return found


def seed_plans(session: Session) -> int:
    """Store the shipped plans that are not there yet; returns how many were added. A plan
    already stored is kept as it is, with whatever a plan manager changed in it."""
    present = set(session.scalars(select(Plan.slug)))
    added = 0
    for spec in load_library():
        if spec.slug in present:
            continue
        check_units(session, spec)
        session.add(_new_plan(spec, "system"))
        added += 1
    session.flush()
    if added:
        log.info("stored %s emergency plans from the library", added)
    return added


def _new_plan(spec: PlanSpec, by: str) -> Plan:
    plan = Plan(slug=spec.slug, created_by=by)
    _fill(plan, spec)
    return plan


def _fill(plan: Plan, spec: PlanSpec) -> None:
    plan.title_vi = spec.title_vi
    plan.title_en = spec.title_en
    plan.hazard = spec.hazard
    plan.severity = spec.severity
    plan.description = spec.description
    plan.tasks = [t.as_dict() for t in spec.tasks]
    plan.updated_at = utcnow()


# Plan management --------------------------------------------------------------------------


def list_plans(session: Session) -> list[Plan]:
    return list(session.scalars(select(Plan).order_by(Plan.title_vi)))


def units_named(session: Session, codes: Iterable[str]) -> list[OrgUnit]:
    """The org units that plan tasks name (groups such as ``SNV.*`` match none)."""
    return list(session.scalars(select(OrgUnit).where(OrgUnit.code.in_(set(codes)))))


def get_plan(session: Session, slug: str) -> Plan:
    plan = session.scalar(select(Plan).where(Plan.slug == slug))
    if plan is None:
        raise NotFoundError(f"plan {slug!r} does not exist; GET /api/plans lists the plans")
    return plan


def create_plan(session: Session, principal: Principal, raw: Mapping[str, Any]) -> Plan:
    spec = check_plan(session, raw)
    if session.scalar(select(Plan.id).where(Plan.slug == spec.slug)) is not None:
        raise ConflictError(f"plan {spec.slug} already exists; change it with PUT or pick a slug")
    plan = _new_plan(spec, principal.username)
    session.add(plan)
    session.flush()
    audit(session, "plan.create", "ok", user=principal, target=f"plan:{spec.slug}")
    return plan


def update_plan(session: Session, principal: Principal, slug: str, raw: Mapping[str, Any]) -> Plan:
    """Replace a plan's definition; runs already activated keep the tasks they were given."""
    plan = get_plan(session, slug)
    if raw.get("slug", slug) != slug:
        raise InvalidInputError(
            f"the body names plan {raw.get('slug')!r} but the address names {slug!r}; "
            "a plan's slug does not change"
        )
    spec = check_plan(session, {**raw, "slug": slug})
    _fill(plan, spec)
    audit(session, "plan.update", "ok", user=principal, target=f"plan:{slug}")
    return plan


# Activation -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LeftOut:
    unit: str
    reason: str  # outside_area (of the activation) or outside_scope (of the activator)


def _area_unit(session: Session, area: str) -> OrgUnit:
    unit = session.scalar(
        select(OrgUnit).where(OrgUnit.kind == "province", OrgUnit.admin_code == area)
    )
    if unit is None:
        raise InvalidInputError(
            f"area {area!r} is not a province code; give a 2-digit code such as 01 (Hà Nội) "
            "or 15 (Lào Cai), or none to activate nationwide"
        )
    return unit


def _require_scope(principal: Principal, area: str | None, action: str) -> None:
    if area is None and not principal.scope.national:
        raise NotAllowedError(
            f"{action} nationwide needs a national scope; give your province as the area"
        )
    if area is not None and not principal.scope.covers_province(area):
        raise NotAllowedError(
            f"{action} for province {area} is outside your scope; you may act only for "
            f"{', '.join(sorted(principal.scope.provinces)) or 'no province'}"
        )


def _targets(
    session: Session, principal: Principal, spec: PlanSpec, area: OrgUnit | None
) -> tuple[list[tuple[PlanTask, OrgUnit]], list[LeftOut]]:
    """Each plan task with the units it goes to in this activation, and the units left out
    (outside the area, or outside the activator's scope)."""
    targets: list[tuple[PlanTask, OrgUnit]] = []
    left_out: list[LeftOut] = []
    for position, task in enumerate(spec.tasks, start=1):
        if task.unit == EVERY_PROVINCE:
            found: Iterable[OrgUnit] = (
                [area]
                if area is not None
                else session.scalars(
                    select(OrgUnit).where(OrgUnit.kind == "province").order_by(OrgUnit.code)
                )
            )
        elif task.unit == AREA_COMMUNES:
            if area is None:
                raise InvalidInputError(
                    f"plan {spec.slug}, task {position} goes to {AREA_COMMUNES} (the communes "
                    "of the activated province): activate it for a province, not nationwide"
                )
            found = session.scalars(
                select(OrgUnit)
                .where(OrgUnit.kind == "commune", OrgUnit.parent_id == area.id)
                .order_by(OrgUnit.code)
            )
        else:
            found = [units.unit(session, task.unit)]
        for unit in found:
            province = org.province_of(unit)
            if area is not None and province is not None and province != area.admin_code:
                left_out.append(LeftOut(unit.code, "outside_area"))
            elif not principal.scope.covers(unit.admin_code):
                left_out.append(LeftOut(unit.code, "outside_scope"))
            else:
                targets.append((task, unit))
    return targets, left_out


def activate(
    session: Session,
    principal: Principal,
    slug: str,
    *,
    drill: bool,
    area: str | None = None,
    note: str = "",
) -> PlanRun:
    """Activate a plan: the run, its incident and every task at once (the caller's session
    is the one transaction); the units are notified through their tasks."""
    plan = get_plan(session, slug)
    area = (area.strip() or None) if area is not None else None
    area_unit = _area_unit(session, area) if area is not None else None
    _require_scope(principal, area, f"activating plan {slug}")
    spec = spec_of(plan)
    targets, left_out = _targets(session, principal, spec, area_unit)
    if not targets:
        raise InvalidInputError(
            f"plan {slug} gives no task inside "
            f"{area_unit.code if area_unit else 'your scope'}: every unit was left out "
            f"({', '.join(sorted({x.unit for x in left_out}))})"
        )

    now = utcnow()
    run = PlanRun(
        plan_id=plan.id,
        drill=drill,
        admin_code=area,
        activated_by=principal.username,
        activated_at=now,
        state="active",
    )
    session.add(run)
    session.flush()
    place = f" — {admin.unit(area).name}" if area else ""
    note = note.strip()
    incident = incidents.open_incident(
        session,
        title=f"{plan.title_vi}{place}",
        severity=plan.severity,
        origin="plan",
        opened_by=principal.username,
        admin_code=area,
        description=plan.description + (f"\n\nGhi chú khi kích hoạt: {note}" if note else ""),
        plan_run_id=run.id,
        drill=drill,
        affected_units=[unit.code for _, unit in targets],
    )
    run.incident_id = incident.id
    for task, unit in targets:
        incidents.add_task(
            session,
            incident,
            unit=unit,
            title=task.title_vi,
            assigned_by=principal.username,
            due_at=now + timedelta(hours=task.hours),
            resources=task.resources,
        )

    mark = DRILL_MARK if drill else ""
    events.record(
        session,
        kind="plan.activated",
        severity=plan.severity,
        subject=f"plan_run:{run.id}",
        message=f"{mark}Kích hoạt phương án: {plan.title_vi}{place} ({len(targets)} nhiệm vụ)",
        admin_code=area,
        payload={
            "plan_run_id": run.id,
            "plan": plan.slug,
            "incident_id": incident.id,
            "drill": drill,
            "tasks": len(targets),
            "left_out": [{"unit": x.unit, "reason": x.reason} for x in left_out],
        },
    )
    audit(
        session,
        "plan.activate",
        "ok",
        user=principal,
        target=f"plan:{slug}",
        detail={"run": run.id, "drill": drill, "area": area, "tasks": len(targets)},
    )
    log.info(
        "plan %s activated by %s (%s, area %s): run %s with %s tasks",
        slug,
        principal.username,
        "drill" if drill else "for real",
        area or "nationwide",
        run.id,
        len(targets),
    )
    return run


def close_run(session: Session, principal: Principal, run_id: int, evaluation: str) -> PlanRun:
    """End a run: its incident closes with the evaluation, and the tasks still open are
    cancelled (the response, or the drill, is over)."""
    run = _run(session, run_id)
    _require_scope(principal, run.admin_code, f"closing plan run {run_id}")
    if run.state == "closed":
        raise ConflictError(f"plan run {run_id} is already closed; activate the plan again")
    incident = session.get(Incident, run.incident_id) if run.incident_id else None
    if incident is not None and incident.state != "closed":
        incidents.close_incident(
            session, principal, incident, evaluation=evaluation, cancel_open_tasks=True
        )
    run.state = "closed"
    run.closed_at = utcnow()
    plan = session.get(Plan, run.plan_id)
    events.record(
        session,
        kind="plan.closed",
        severity="info",
        subject=f"plan_run:{run.id}",
        message=(DRILL_MARK if run.drill else "")
        + f"Kết thúc phương án: {plan.title_vi if plan else run.plan_id}",
        admin_code=run.admin_code,
        payload={"plan_run_id": run.id, "drill": run.drill, "by": principal.username},
    )
    audit(session, "plan_run.close", "ok", user=principal, target=f"plan_run:{run_id}")
    return run


# The command view -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CommentView:
    task_id: int
    unit: str
    author: str
    at: datetime
    body: str
    progress: int | None


@dataclass(frozen=True, slots=True)
class UnitProgress:
    """One task of the run as a tile of the command view."""

    task_id: int
    unit: str
    unit_name_vi: str
    unit_name_en: str
    title_vi: str
    title_en: str
    resources: str
    due_at: datetime | None
    progress: int
    state: str  # done, in_progress, not_started, cancelled
    overdue: bool
    done_at: datetime | None
    last_comment: CommentView | None


@dataclass(slots=True)
class Totals:
    total: int = 0
    done: int = 0
    in_progress: int = 0
    not_started: int = 0
    cancelled: int = 0
    overdue: int = 0
    progress: int = 0  # mean percent over the tasks that are not cancelled


@dataclass(kw_only=True)
class RunSummary:
    id: int
    plan: str
    title_vi: str
    title_en: str
    hazard: str
    severity: str
    drill: bool
    area: str | None
    area_name: str | None
    state: str
    activated_by: str
    activated_at: datetime
    closed_at: datetime | None
    elapsed_seconds: int
    incident_id: int | None
    url: str
    totals: Totals


@dataclass(kw_only=True)
class RunView(RunSummary):
    units: list[UnitProgress] = field(default_factory=list)
    comments: list[CommentView] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    partial: bool = False  # the viewer's scope hides some of the run's tasks


def _run(session: Session, run_id: int) -> PlanRun:
    run = session.get(PlanRun, run_id)
    if run is None:
        raise NotFoundError(f"plan run {run_id} does not exist; GET /api/plan-runs lists them")
    return run


def _state(task: Task) -> str:
    if task.state in ("done", "cancelled"):
        return task.state
    if task.state == "in_progress" or task.progress > 0:
        return "in_progress"
    return "not_started"


def _totals(rows: Iterable[Task], now: datetime) -> Totals:
    totals = Totals()
    percents: list[int] = []
    for task in rows:
        totals.total += 1
        state = _state(task)
        setattr(totals, state, getattr(totals, state) + 1)
        if state != "cancelled":
            percents.append(100 if state == "done" else task.progress)
        if _overdue(task, now):
            totals.overdue += 1
    totals.progress = round(sum(percents) / len(percents)) if percents else 0
    return totals


def _overdue(task: Task, now: datetime) -> bool:
    return (
        task.state not in ("done", "cancelled")
        and task.due_at is not None
        and as_utc(task.due_at) < now
    )


def _maybe_utc(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


def _summary(run: PlanRun, plan: Plan, tasks: list[Task], now: datetime) -> dict[str, Any]:
    activated = as_utc(run.activated_at)
    until = as_utc(run.closed_at) if run.closed_at else now
    return {
        "id": run.id,
        "plan": plan.slug,
        "title_vi": plan.title_vi,
        "title_en": plan.title_en,
        "hazard": plan.hazard,
        "severity": plan.severity,
        "drill": run.drill,
        "area": run.admin_code,
        "area_name": admin.unit(run.admin_code).name if run.admin_code else None,
        "state": run.state,
        "activated_by": run.activated_by,
        "activated_at": activated,
        "closed_at": _maybe_utc(run.closed_at),
        "elapsed_seconds": max(0, int((until - activated).total_seconds())),
        "incident_id": run.incident_id,
        "url": f"/plans/runs/{run.id}",
        "totals": _totals(tasks, now),
    }


def _visible_tasks(session: Session, principal: Principal, incident_ids: list[int]) -> list[Task]:
    if not incident_ids:
        return []
    return list(
        session.scalars(
            select(Task)
            .where(Task.incident_id.in_(incident_ids), incidents.visible_tasks(principal))
            .order_by(Task.id)
        )
    )


def list_runs(session: Session, principal: Principal, state: str = "active") -> list[RunSummary]:
    """The runs the viewer may see, newest first, each counted over the viewer's tasks."""
    if state not in ("active", "all"):
        raise InvalidInputError(f"state {state!r} must be active or all")
    query = (
        select(PlanRun, Plan)
        .join(Plan, Plan.id == PlanRun.plan_id)
        .join(Incident, Incident.id == PlanRun.incident_id)
        .where(incidents.visible_incidents(principal))
        .order_by(PlanRun.activated_at.desc(), PlanRun.id.desc())
    )
    if state == "active":
        query = query.where(PlanRun.state == "active")
    rows = list(session.execute(query).all())
    tasks = _visible_tasks(session, principal, [r.incident_id for r, _ in rows if r.incident_id])
    by_incident: dict[int, list[Task]] = {}
    for task in tasks:
        by_incident.setdefault(task.incident_id, []).append(task)
    now = utcnow()
    return [
        RunSummary(**_summary(run, plan, by_incident.get(run.incident_id or 0, []), now))
        for run, plan in rows
    ]


def run_view(session: Session, principal: Principal, run_id: int, comments: int = 12) -> RunView:
    """The command view of one run: each visible unit's task, the totals and the latest
    comments. A run with nothing in the viewer's scope is refused."""
    found = session.execute(
        select(PlanRun, Plan)
        .join(Plan, Plan.id == PlanRun.plan_id)
        .join(Incident, Incident.id == PlanRun.incident_id)
        .where(PlanRun.id == run_id, incidents.visible_incidents(principal))
    ).first()
    if found is None:
        _run(session, run_id)  # not found at all, or
        raise NotAllowedError(
            f"plan run {run_id} holds no task of your units; ask the ministry's operations "
            "centre if you need to follow it"
        )
    run, plan = found
    tasks = _visible_tasks(session, principal, [run.incident_id] if run.incident_id else [])
    now = utcnow()
    english = {t["title_vi"]: t["title_en"] for t in plan.tasks}
    unit_rows = session.scalars(
        select(OrgUnit).where(OrgUnit.code.in_({t.unit_code for t in tasks}))
    )
    names = {u.code: u for u in unit_rows}

    recent = list(
        session.execute(
            select(TaskComment, Task.unit_code)
            .join(Task, Task.id == TaskComment.task_id)
            .where(Task.id.in_([t.id for t in tasks]))
            .order_by(TaskComment.at.desc(), TaskComment.id.desc())
        ).all()
    )
    latest: dict[int, CommentView] = {}
    shown: list[CommentView] = []
    for comment, unit_code in recent:
        view = CommentView(
            task_id=comment.task_id,
            unit=unit_code,
            author=comment.author,
            at=as_utc(comment.at),
            body=comment.body,
            progress=comment.progress,
        )
        latest.setdefault(comment.task_id, view)
        if len(shown) < comments:
            shown.append(view)

    every = session.scalar(
        select(func.count()).select_from(Task).where(Task.incident_id == run.incident_id)
    )
    return RunView(
        **_summary(run, plan, tasks, now),
        units=[
            UnitProgress(
                task_id=t.id,
                unit=t.unit_code,
                unit_name_vi=names[t.unit_code].name_vi if t.unit_code in names else t.unit_code,
                unit_name_en=names[t.unit_code].name_en if t.unit_code in names else t.unit_code,
                title_vi=t.title,
                title_en=english.get(t.title, t.title),
                resources=t.resources,
                due_at=_maybe_utc(t.due_at),
                progress=100 if t.state == "done" else t.progress,
                state=_state(t),
                overdue=_overdue(t, now),
                done_at=_maybe_utc(t.done_at),
                last_comment=latest.get(t.id),
            )
            for t in tasks
        ],
        comments=shown,
        left_out=_left_out(session, run),
        partial=(every or 0) != len(tasks),
    )


def _left_out(session: Session, run: PlanRun) -> list[LeftOut]:
    event = session.scalar(
        select(Event).where(Event.kind == "plan.activated", Event.subject == f"plan_run:{run.id}")
    )
    if event is None or not event.payload:
        return []
    return [LeftOut(x["unit"], x["reason"]) for x in event.payload.get("left_out", [])]
