"""Process tracking: step-by-step procedures with deadlines and responsible roles.

A template lists the steps; each names the role that does it and which unit holds it: the
inspecting unit given at the start (``inspector``, the ministry inspectorate by default),
the unit concerned (``subject``), or a fixed org unit. A run creates the steps with their
holder units; one step is active at a time, due ``days`` after it became active, and
completing it activates the next. Only a user who acts for the holder unit and has the
step's role (an administrator needs only the unit) completes a step. Every change is an
event (``process.started``, ``process.step_done``, ``process.done``); an active step past
its due date raises ``process.step_late`` and a notification to the holder unit, at most
once a day, the last reminder being read from that event history.

Known limit: deadlines count calendar days; public holidays and working days, which some
legal deadlines use, are not counted.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, exists, or_, select, update
from sqlalchemy.orm import Session, aliased

from noivu_ioc.access.roles import Role
from noivu_ioc.access.users import Principal
from noivu_ioc.errors import (
    ConflictError,
    InvalidInputError,
    IOCError,
    NotAllowedError,
    NotFoundError,
)
from noivu_ioc.ingest import events
from noivu_ioc.operations import units
from noivu_ioc.operations.notify import notify_users, users_of_units
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import (
    Event,
    OrgUnit,
    ProcessRun,
    ProcessStep,
    ProcessTemplate,
    as_utc,
    utcnow,
)
from noivu_ioc.units import admin, org

log = logging.getLogger(__name__)

LIBRARY = Path(__file__).parent / "library" / "processes"
HOLDERS = ("inspector", "subject")
DEFAULT_INSPECTOR = "BNV.TTr"
STATES = ("running", "done")
LATE_EVENT = "process.step_late"
REMIND_EVERY = timedelta(days=1)
MAX_STEPS = 50
MAX_DAYS = 365

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_TEMPLATE_FIELDS = ("slug", "title_vi", "title_en", "description", "steps")
_STEP_FIELDS = ("key", "title_vi", "title_en", "role", "holder", "days")
_DEPARTMENTS = frozenset(code for code, _, _ in org.MINISTRY_DEPARTMENTS)


def _utc(now: datetime | None) -> datetime:
    """The store compares times as UTC (SQLite keeps them without their zone)."""
    return utcnow() if now is None else as_utc(now).astimezone(UTC)


# -- templates ------------------------------------------------------------------------------


def _is_unit_code(code: str) -> bool:
    """Whether a fixed holder names an org unit of the hierarchy (see ``units.org``)."""
    if code == org.MINISTRY_CODE or code in _DEPARTMENTS:
        return True
    prefix, _, place = code.partition(".")
    if (prefix, len(place)) not in (("SNV", 2), ("UBX", 5)):
        return False
    try:
        admin.unit(place)
    except IOCError:
        return False
    return True


def _text(data: Mapping[str, Any], field: str, where: str, problems: list[str]) -> str:
    value = data.get(field)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: {field} is missing; give a non-empty text")
        return ""
    if len(value) > 255:
        problems.append(f"{where}: {field} has {len(value)} characters; at most 255")
    return value.strip()


def _check_step(raw: Any, position: int, seen: set[str], problems: list[str]) -> dict[str, Any]:
    where = f"step {position}"
    if not isinstance(raw, Mapping):
        problems.append(f"{where} is not a table of {', '.join(_STEP_FIELDS)}")
        return {}
    unknown = sorted(set(raw) - set(_STEP_FIELDS))
    if unknown:
        problems.append(
            f"{where}: unknown field(s) {', '.join(unknown)}; a step has {', '.join(_STEP_FIELDS)}"
        )
    key = raw.get("key")
    if not isinstance(key, str) or not _KEY.match(key):
        problems.append(
            f"{where}: key {key!r} is not valid; use lowercase letters, digits and '_', "
            "starting with a letter (e.g. 'announce')"
        )
    else:
        where = f"step {position} ({key})"
        if key in seen:
            problems.append(f"{where}: key {key!r} is used by an earlier step; keys are unique")
        seen.add(key)
    role = raw.get("role")
    if role not in {r.value for r in Role}:
        problems.append(
            f"{where}: role {role!r} is not a role; choose one of "
            f"{', '.join(r.value for r in Role)}"
        )
    holder = raw.get("holder")
    if not isinstance(holder, str) or not (holder in HOLDERS or _is_unit_code(holder)):
        problems.append(
            f"{where}: holder {holder!r} is not known; use 'inspector' (the inspecting unit "
            "given at the start), 'subject' (the unit concerned) or an org unit code such as "
            "BNV.CCVC or SNV.01"
        )
    days = raw.get("days")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        problems.append(f"{where}: days {days!r} must be a whole number from 1 to {MAX_DAYS}")
    return {
        "key": key,
        "title_vi": _text(raw, "title_vi", where, problems),
        "title_en": _text(raw, "title_en", where, problems),
        "role": role,
        "holder": holder,
        "days": days,
    }


def check_template(data: Any) -> dict[str, Any]:
    """The definition with its texts trimmed, or InvalidInputError naming every problem."""
    if not isinstance(data, Mapping):
        raise InvalidInputError(
            f"a process template is a table of {', '.join(_TEMPLATE_FIELDS)}, not {data!r}"
        )
    slug = data.get("slug")
    name = slug if isinstance(slug, str) else "?"
    problems: list[str] = []
    unknown = sorted(set(data) - set(_TEMPLATE_FIELDS))
    if unknown:
        problems.append(
            f"unknown field(s) {', '.join(unknown)}; a template has {', '.join(_TEMPLATE_FIELDS)}"
        )
    if not isinstance(slug, str) or not _SLUG.match(slug):
        problems.append(
            f"slug {slug!r} is not valid; use 2-64 lowercase letters, digits and '-' "
            "(e.g. 'thanh-tra-tuyen-dung')"
        )
    title_vi = _text(data, "title_vi", "template", problems)
    title_en = _text(data, "title_en", "template", problems)
    description = data.get("description", "")
    if not isinstance(description, str):
        problems.append(f"description must be a text, not {description!r}")
    steps = data.get("steps")
    checked: list[dict[str, Any]] = []
    if not isinstance(steps, list) or not steps:
        problems.append("a template needs at least one step in steps")
    elif len(steps) > MAX_STEPS:
        problems.append(f"a template has at most {MAX_STEPS} steps, not {len(steps)}")
    else:
        seen: set[str] = set()
        checked = [_check_step(s, i, seen, problems) for i, s in enumerate(steps, start=1)]
    if problems:
        raise InvalidInputError(f"process template {name}: " + "; ".join(problems))
    return {
        "slug": slug,
        "title_vi": title_vi,
        "title_en": title_en,
        "description": description.strip() if isinstance(description, str) else "",
        "steps": checked,
    }


def load_library() -> list[dict[str, Any]]:
    """The shipped templates, checked, in file name order."""
    found = []
    for path in sorted(LIBRARY.glob("*.toml")):
        with path.open("rb") as f:
            try:
                data = tomllib.load(f)
            except tomllib.TOMLDecodeError as exc:
                raise InvalidInputError(f"{path.name} is not valid TOML: {exc}") from None
        found.append(check_template(data))
    return found


def create_template(session: Session, data: Any, created_by: str) -> ProcessTemplate:
    definition = check_template(data)
    slug = definition["slug"]
    if session.scalar(select(ProcessTemplate.id).where(ProcessTemplate.slug == slug)):
        raise ConflictError(f"process template {slug} exists already; choose another slug")
    template = ProcessTemplate(created_by=created_by, **definition)
    session.add(template)
    session.flush()
    log.info("process template %s created by %s", slug, created_by)
    return template


def seed_templates(session: Session) -> int:
    """Create the shipped templates that the store does not hold yet; returns how many."""
    have = set(session.scalars(select(ProcessTemplate.slug)))
    made = 0
    for definition in load_library():
        if definition["slug"] not in have:
            session.add(ProcessTemplate(created_by="system", **definition))
            made += 1
    session.flush()
    return made


def list_templates(session: Session) -> list[ProcessTemplate]:
    return list(
        session.scalars(
            select(ProcessTemplate).order_by(ProcessTemplate.title_vi, ProcessTemplate.slug)
        )
    )


def get_template(session: Session, slug: str) -> ProcessTemplate:
    template = session.scalar(select(ProcessTemplate).where(ProcessTemplate.slug == slug))
    if template is None:
        known = ", ".join(t.slug for t in list_templates(session)) or "none yet"
        raise InvalidInputError(f"process template {slug!r} does not exist; known: {known}")
    return template


# -- where a step stands --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Lateness:
    late: bool
    days_late: int


def lateness(step: ProcessStep, now: datetime) -> Lateness:
    """An active step past its due date, or a done one finished after it; days late are
    whole days beyond the due date, at least one."""
    if step.due_at is None or step.state == "pending":
        return Lateness(False, 0)
    until = as_utc(step.done_at) if step.state == "done" and step.done_at else now
    over = (until - as_utc(step.due_at)).total_seconds()
    if over <= 0:
        return Lateness(False, 0)
    return Lateness(True, max(1, int(over // 86400)))


def active_step(run: ProcessRun) -> ProcessStep | None:
    return next((s for s in run.steps if s.state == "active"), None)


def can_complete(principal: Principal, step: ProcessStep) -> bool:
    return step.state == "active" and _refusal(principal, step) is None


def _refusal(principal: Principal, step: ProcessStep) -> str | None:
    """Why this user may not complete the step; None when they may."""
    what = f"step {step.position} ({step.title_vi})"
    if not units.acts_for(principal, step.unit_code):
        mine = ", ".join(code for code, _, _ in principal.units) or "none"
        return (
            f"{what} is held by {step.unit_code}; only a user of {step.unit_code} or of a unit "
            f"above it can complete it, and your units are {mine}"
        )
    if Role(step.role) not in principal.roles and Role.ADMINISTRATOR not in principal.roles:
        return (
            f"{what} is for the role {step.role}; your roles are "
            f"{', '.join(sorted(principal.roles))}"
        )
    return None


# -- runs -----------------------------------------------------------------------------------


def _activate(session: Session, run: ProcessRun, step: ProcessStep, now: datetime) -> None:
    step.state = "active"
    step.started_at = now
    step.due_at = now + timedelta(days=step.days)
    session.flush()
    notify_users(
        session,
        users_of_units(session, [step.unit_code]),
        kind="process.step",
        title=f"Bước {step.position} của quy trình: {step.title_vi}",
        body=f"{run.title} — hạn {step.days} ngày",
        ref=f"process-step:{step.id}",
        link=f"/processes/{run.id}#step-{step.position}",
    )


def start_run(
    session: Session,
    principal: Principal,
    *,
    template: str,
    subject: str,
    inspector: str | None = None,
    title: str | None = None,
    now: datetime | None = None,
) -> ProcessRun:
    """A run of the template for the subject unit, its first step active. The starter's
    scope must cover every unit that will hold a step."""
    now = _utc(now)
    chosen = get_template(session, template)
    subject_unit = units.unit(session, subject)
    inspector_unit = units.unit(session, inspector or DEFAULT_INSPECTOR)
    holders: dict[str, OrgUnit] = {"subject": subject_unit, "inspector": inspector_unit}
    step_units = [
        holders.get(d["holder"]) or units.unit(session, d["holder"]) for d in chosen.steps
    ]
    for held in {u.code: u for u in [subject_unit, *step_units]}.values():
        units.require_assignable(principal, held)

    run = ProcessRun(
        template_id=chosen.id,
        title=((title or "").strip() or f"{chosen.title_vi} — {subject_unit.name_vi}")[:255],
        unit_code=subject_unit.code,
        admin_code=subject_unit.admin_code,
        state="running",
        started_by=principal.username,
        started_at=now,
        steps=[
            ProcessStep(
                position=i,
                key=d["key"],
                title_vi=d["title_vi"],
                title_en=d["title_en"],
                role=d["role"],
                unit_code=held.code,
                days=d["days"],
                state="pending",
            )
            for i, (d, held) in enumerate(zip(chosen.steps, step_units, strict=True), start=1)
        ],
    )
    session.add(run)
    session.flush()
    events.record(
        session,
        kind="process.started",
        severity="info",
        subject=f"process:{run.id}",
        message=f"Bắt đầu quy trình: {run.title}",
        admin_code=run.admin_code,
        payload={
            "run_id": run.id,
            "template": chosen.slug,
            "subject": subject_unit.code,
            "inspector": inspector_unit.code,
        },
    )
    _activate(session, run, run.steps[0], now)
    log.info("process run %s (%s) started by %s", run.id, chosen.slug, principal.username)
    return run


def visible_runs(principal: Principal) -> ColumnElement[bool] | None:
    """A WHERE clause for the runs a user sees: the subject's place is in their scope, or
    a step is held by a unit they act for (theirs or one just below it)."""
    if principal.scope.national:
        return None
    mine = [code for code, _, _ in principal.units]
    places = sorted(principal.scope.provinces | principal.scope.communes)
    child, parent = aliased(OrgUnit), aliased(OrgUnit)
    communes_of_mine = (
        select(child.admin_code)
        .join(parent, parent.id == child.parent_id)
        .where(child.kind == "commune", parent.admin_code.in_(sorted(principal.scope.provinces)))
    )
    below_mine = (
        select(child.code).join(parent, parent.id == child.parent_id).where(parent.code.in_(mine))
    )
    held = exists().where(
        ProcessStep.run_id == ProcessRun.id,
        or_(ProcessStep.unit_code.in_(mine), ProcessStep.unit_code.in_(below_mine)),
    )
    return or_(ProcessRun.admin_code.in_(places), ProcessRun.admin_code.in_(communes_of_mine), held)


def sees(principal: Principal, run: ProcessRun) -> bool:
    """``visible_runs`` for one run already loaded."""
    return principal.scope.covers(run.admin_code) or any(
        units.acts_for(principal, s.unit_code) for s in run.steps
    )


def list_runs(
    session: Session,
    principal: Principal,
    state: str = "running",
    *,
    late_only: bool = False,
    template: str | None = None,
    limit: int = 200,
) -> list[ProcessRun]:
    """The runs the user sees, newest first: ``running``, ``done`` or ``all``; with
    ``late_only`` those whose active step is past due; of one template's slug."""
    query = select(ProcessRun)
    if state in STATES:
        query = query.where(ProcessRun.state == state)
    elif state != "all":
        raise InvalidInputError(f"state {state!r} must be running, done or all")
    if late_only:
        query = query.where(
            exists().where(
                ProcessStep.run_id == ProcessRun.id,
                ProcessStep.state == "active",
                ProcessStep.due_at < utcnow(),
            )
        )
    if template is not None:
        query = query.where(ProcessRun.template_id == get_template(session, template).id)
    where = visible_runs(principal)
    if where is not None:
        query = query.where(where)
    return list(session.scalars(query.order_by(ProcessRun.id.desc()).limit(limit)))


def get_run(session: Session, principal: Principal, run_id: int) -> ProcessRun:
    run = session.get(ProcessRun, run_id)
    if run is None:
        raise NotFoundError(f"process run {run_id} does not exist")
    if not sees(principal, run):
        raise NotAllowedError(
            f"process run {run_id} concerns {run.unit_code}, outside your scope, and holds no "
            "step of your units"
        )
    return run


def complete_step(
    session: Session,
    principal: Principal,
    run_id: int,
    position: int,
    note: str = "",
    now: datetime | None = None,
) -> ProcessRun:
    """Mark the active step done and activate the next; the last one ends the run."""
    now = _utc(now)
    run = get_run(session, principal, run_id)
    step = next((s for s in run.steps if s.position == position), None)
    if step is None:
        raise NotFoundError(
            f"process run {run_id} has no step {position}; its steps are 1 to {len(run.steps)}"
        )
    refusal = _refusal(principal, step)
    if refusal is not None:
        raise NotAllowedError(refusal)
    if run.state == "done":
        raise ConflictError(f"process run {run_id} is done already; nothing is left to complete")
    if step.state != "active":
        current = active_step(run)
        said = "done already" if step.state == "done" else "not active yet"
        raise ConflictError(
            f"step {position} ({step.title_vi}) is {said}; the active step is "
            + (
                f"{current.position} ({current.title_vi}), held by {current.unit_code}"
                if current
                else "none"
            )
        )

    # Only one of two users completing the same step at once wins: the update is conditional.
    done = session.execute(
        update(ProcessStep)
        .where(ProcessStep.id == step.id, ProcessStep.state == "active")
        .values(state="done", done_at=now, done_by=principal.username, note=note.strip() or None)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise ConflictError(f"step {position} of process run {run_id} was just completed")
    session.refresh(step)
    late = lateness(step, now)
    events.record(
        session,
        kind="process.step_done",
        severity="info",
        subject=f"process:{run.id}",
        message=f"{run.title}: xong bước {step.position} ({step.title_vi})"
        + (f", trễ {late.days_late} ngày" if late.late else ""),
        admin_code=run.admin_code,
        payload={
            "run_id": run.id,
            "position": step.position,
            "key": step.key,
            "by": principal.username,
            "days_late": late.days_late,
        },
    )
    following = next((s for s in run.steps if s.position == position + 1), None)
    if following is not None:
        _activate(session, run, following, now)
        return run
    run.state = "done"
    run.done_at = now
    session.flush()
    events.record(
        session,
        kind="process.done",
        severity="info",
        subject=f"process:{run.id}",
        message=f"Hoàn thành quy trình: {run.title}",
        admin_code=run.admin_code,
        payload={"run_id": run.id},
    )
    log.info("process run %s done", run.id)
    return run


# -- reminders ------------------------------------------------------------------------------


def _late_subject(step: ProcessStep) -> str:
    return f"process:{step.run_id}/step:{step.position}"


def remind_late(session: Session, now: datetime) -> int:
    """Raise ``process.step_late`` and notify the holder unit for every active step past
    due, unless the step's last such event is less than a day old; returns how many."""
    now = _utc(now)
    rows = session.execute(
        select(ProcessStep, ProcessRun)
        .join(ProcessRun, ProcessRun.id == ProcessStep.run_id)
        .where(
            ProcessRun.state == "running",
            ProcessStep.state == "active",
            ProcessStep.due_at < now,
        )
        .order_by(ProcessStep.id)
    ).all()
    reminded = 0
    for step, run in rows:
        last = session.scalar(
            select(Event)
            .where(Event.kind == LATE_EVENT, Event.subject == _late_subject(step))
            .order_by(Event.id.desc())
            .limit(1)
        )
        if last is not None and last.payload is not None:
            at = datetime.fromisoformat(last.payload["reminded_at"])
            if now - at < REMIND_EVERY:
                continue
        late = lateness(step, now)
        events.record(
            session,
            kind=LATE_EVENT,
            severity="warning",
            subject=_late_subject(step),
            message=f"{run.title}: bước {step.position} ({step.title_vi}) trễ "
            f"{late.days_late} ngày, do {step.unit_code} thực hiện",
            admin_code=run.admin_code,
            payload={
                "run_id": run.id,
                "position": step.position,
                "unit": step.unit_code,
                "days_late": late.days_late,
                "reminded_at": now.isoformat(),
            },
        )
        notify_users(
            session,
            users_of_units(session, [step.unit_code]),
            kind=LATE_EVENT,
            title=f"Bước quá hạn {late.days_late} ngày: {step.title_vi}",
            body=run.title,
            ref=f"process-step:{step.id}",
            link=f"/processes/{run.id}#step-{step.position}",
            severity="warning",
        )
        reminded += 1
    if reminded:
        log.info("reminded %s late process step(s)", reminded)
    return reminded


def remind_late_steps(store: OpStore) -> int:
    """``remind_late`` now, in its own unit of work: the job of the operations loop."""
    with store.session() as session:
        return remind_late(session, utcnow())
