"""Directives from leaders to units, with acknowledgement and reports: the JSON API, the
list and tracking pages, and the data of the wall's ``directives`` panel.

A viewer sees the recipients in their scope: the ministry every unit, a province's
Department of Home Affairs itself and its communes. Acknowledging and reporting need the
RESPOND permission and a unit the caller acts for; issuing needs DIRECT. Every change and
every refusal is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from noivu_ioc.access.roles import Permission, Role
from noivu_ioc.access.users import Principal, audit
from noivu_ioc.errors import IOCError, NotAllowedError
from noivu_ioc.operations import directives as svc
from noivu_ioc.store.models import Directive, DirectiveRecipient, Event, OrgUnit, as_utc, utcnow
from noivu_ioc.units import admin, org
from noivu_ioc.web.deps import Director, Lang, Responder, RowId, Viewer, client_of
from noivu_ioc.web.i18n import t
from noivu_ioc.web.pages import render

router = APIRouter(tags=["directives"])

StateParam = Annotated[str, Query(pattern="^(open|closed|all)$")]
# Silent units named on the wall and the phone; the rest are counted.
NAMED = 24


class DirectiveIn(BaseModel):
    title: str
    body: str = ""
    severity: str = "major"
    units: list[str]
    ack_minutes: int = svc.DEFAULT_ACK_MINUTES
    report_due_at: datetime | None = None


class AcknowledgeIn(BaseModel):
    unit: str | None = None


class ReportIn(BaseModel):
    unit: str | None = None
    text: str


# Presenting ------------------------------------------------------------------------------


def when(value: datetime | None) -> str | None:
    return None if value is None else as_utc(value).astimezone(UTC).isoformat()


def local(value: datetime | None) -> str:
    """A stored time as the pages show it, in Vietnam's zone."""
    if value is None:
        return "–"
    return as_utc(value).astimezone(svc.VIETNAM_TIME).strftime("%H:%M %d/%m/%Y")


def duration(minutes: int, lang: str) -> str:
    if minutes < 60:
        return t("dir.duration.m", lang).replace("{m}", str(minutes))
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        text = t("dir.duration.hm", lang).replace("{h}", str(hours))
        return text.replace("{m}", str(rest))
    days, hours = divmod(hours, 24)
    return t("dir.duration.dh", lang).replace("{d}", str(days)).replace("{h}", str(hours))


def unit_name(unit: OrgUnit | None, code: str, lang: str) -> str:
    if unit is None:
        return code
    return unit.name_vi if lang == "vi" else unit.name_en


def short_name(unit: OrgUnit | None, code: str, lang: str) -> str:
    """What the wall has room for: the province or commune itself, not "Sở Nội vụ …"."""
    if unit is not None and unit.kind in ("province", "commune") and unit.admin_code:
        return admin.unit(unit.admin_code).short_name
    return unit_name(unit, code, lang)


def can_close(principal: Principal, directive: Directive) -> bool:
    return directive.state == "open" and (
        principal.username == directive.issued_by or Role.ADMINISTRATOR in principal.roles
    )


def recipient_public(
    directive: Directive,
    r: DirectiveRecipient,
    unit: OrgUnit | None,
    principal: Principal,
    lang: str,
    now: datetime,
) -> dict[str, Any]:
    minutes = svc.minutes_silent(directive, r, now)
    return {
        "unit": r.unit_code,
        "name": unit_name(unit, r.unit_code, lang),
        "admin_code": r.admin_code,
        "state": svc.state_of(r),
        "acknowledged_at": when(r.acknowledged_at),
        "acknowledged_by": r.acknowledged_by,
        "reported_at": when(r.reported_at),
        "reported_by": r.reported_by,
        "report": r.report,
        "minutes_silent": minutes if r.acknowledged_at is None else None,
        "silent_for": duration(minutes, lang) if r.acknowledged_at is None else None,
        "overdue": svc.overdue(directive, r, now),
        "escalated_at": when(r.escalated_at),
        "reminders": r.reminders,
        "yours": directive.state == "open"
        and principal.can(Permission.RESPOND)
        and svc.answers_for(principal, r.unit_code),
    }


def directive_public(
    directive: Directive,
    recipients: list[DirectiveRecipient],
    names: dict[str, OrgUnit],
    principal: Principal,
    lang: str,
    now: datetime,
    every_recipient: bool,
) -> dict[str, Any]:
    """A directive with its counts over the recipients the viewer sees; with every
    recipient (its page), or only those the viewer answers for (a list)."""
    progress = svc.Progress.of(directive, recipients, now)
    shown = [
        recipient_public(directive, r, names.get(r.unit_code), principal, lang, now)
        for r in recipients
        if every_recipient or svc.answers_for(principal, r.unit_code)
    ]
    return {
        "id": directive.id,
        "title": directive.title,
        "body": directive.body,
        "severity": directive.severity,
        "state": directive.state,
        "issued_by": directive.issued_by,
        "issued_at": when(directive.issued_at),
        "ack_minutes": directive.ack_minutes,
        "report_due_at": when(directive.report_due_at),
        "incident_id": directive.incident_id,
        "recipients": progress.recipients,
        "acknowledged": progress.acknowledged,
        "reported": progress.reported,
        "silent": progress.silent,
        "overdue": progress.overdue,
        "can_close": can_close(principal, directive),
        ("units" if every_recipient else "own"): shown,
    }


def _visible_recipients(
    session: Session, request: Request, principal: Principal, directive: Directive
) -> list[DirectiveRecipient]:
    """The directive's recipients in the viewer's scope; a directive that has none there is
    refused, and the refusal audited."""
    found = svc.recipients_in(session, directive, principal.scope)
    if not found:
        _refused(request, principal, "directive.read", f"directive {directive.id}")
        raise NotAllowedError(
            f"directive {directive.id} is not addressed to any unit in your scope"
        )
    return found


def _refused(request: Request, principal: Principal, action: str, target: str) -> None:
    # In a session of its own: the caller's rolls back with the error.
    with request.app.state.store.session() as session:
        audit(session, action, "denied", user=principal, target=target, client=client_of(request))


def _change[T](
    request: Request,
    principal: Principal,
    action: str,
    target: str,
    work: Callable[[Session], T],
) -> T:
    """Run a change in one unit of work and audit it; a refusal is audited on its own."""
    try:
        with request.app.state.store.session() as session:
            result = work(session)
            audit(session, action, "ok", user=principal, target=target, client=client_of(request))
            return result
    except IOCError as exc:
        with request.app.state.store.session() as session:
            audit(
                session,
                action,
                "denied" if isinstance(exc, NotAllowedError) else "failed",
                user=principal,
                target=target,
                detail={"reason": exc.message},
                client=client_of(request),
            )
        raise


def _listing(
    session: Session, principal: Principal, lang: str, state: str, limit: int
) -> list[dict[str, Any]]:
    now = utcnow()
    found = svc.visible(session, principal.scope, None if state == "all" else state, limit)
    names = svc.unit_rows(session, (r.unit_code for _, rs in found for r in rs))
    return [
        directive_public(d, rs, names, principal, lang, now, every_recipient=False)
        for d, rs in found
    ]


def _detail(
    session: Session, request: Request, principal: Principal, lang: str, directive_id: RowId
) -> dict[str, Any]:
    directive = svc.get(session, directive_id)
    recipients = _visible_recipients(session, request, principal, directive)
    names = svc.unit_rows(session, (r.unit_code for r in recipients))
    return directive_public(
        directive, recipients, names, principal, lang, utcnow(), every_recipient=True
    )


def board(session: Session, principal: Principal, lang: str, limit: int = 10) -> dict[str, Any]:
    """The wall's panel: open directives in scope with units still silent, most silent
    first, each naming its first few silent units."""
    now = utcnow()
    found = svc.visible(session, principal.scope, "open")
    silent_codes = [r.unit_code for _, rs in found for r in rs if r.acknowledged_at is None]
    names = svc.unit_rows(session, silent_codes)
    ranked: list[tuple[tuple[int, int, int], dict[str, Any]]] = []
    for directive, recipients in found:
        progress = svc.Progress.of(directive, recipients, now)
        if not progress.silent:
            continue
        silent = [r for r in recipients if r.acknowledged_at is None]
        minutes = svc.minutes_silent(directive, silent[0], now)
        rank = (-progress.overdue, -progress.silent, -directive.id)
        ranked.append(
            (
                rank,
                {
                    "id": directive.id,
                    "title": directive.title,
                    "severity": directive.severity,
                    "issued_at": when(directive.issued_at),
                    "recipients": progress.recipients,
                    "acknowledged": progress.acknowledged,
                    "silent": progress.silent,
                    "overdue": progress.overdue,
                    "silent_for": duration(minutes, lang),
                    "silent_units": [
                        {
                            "unit": r.unit_code,
                            "name": short_name(names.get(r.unit_code), r.unit_code, lang),
                            "overdue": svc.overdue(directive, r, now),
                        }
                        for r in silent[:NAMED]
                    ],
                },
            )
        )
    items = [item for _, item in sorted(ranked, key=lambda pair: pair[0])]
    labels = (
        "title",
        "label",
        "empty",
        "pending",
        "all_acknowledged",
        "more",
        "others",
        "silent_for",
    )
    return {
        "directives": items[:limit],
        "open": len(items),
        "silent": sum(d["silent"] for d in items),
        "labels": {k: t(f"wall.directives.{k}", lang) for k in labels},
    }


def phone(session: Session, principal: Principal, lang: str) -> dict[str, Any]:
    """The phone's section: for national viewers the open directives with the units that
    have not acknowledged; for everyone the directives their own unit has not."""
    now = utcnow()
    found = svc.visible(session, principal.scope, "open")
    mine = []
    for directive, recipients in found:
        for r in recipients:
            if r.acknowledged_at is None and svc.answers_for(principal, r.unit_code):
                mine.append((directive, r))
    codes = [r.unit_code for _, r in mine]
    if principal.scope.national:
        codes += [r.unit_code for _, rs in found for r in rs if r.acknowledged_at is None]
    names = svc.unit_rows(session, codes)
    pending = []
    if principal.scope.national:
        for directive, recipients in found:
            silent = [r for r in recipients if r.acknowledged_at is None]
            if silent:
                pending.append(
                    {
                        "id": directive.id,
                        "title": directive.title,
                        "severity": directive.severity,
                        "recipients": len(recipients),
                        "silent": len(silent),
                        "silent_for": duration(svc.minutes_silent(directive, silent[0], now), lang),
                        "units": [
                            short_name(names.get(r.unit_code), r.unit_code, lang)
                            for r in silent[:NAMED]
                        ],
                    }
                )
    return {
        "national": principal.scope.national,
        "pending": pending,
        "mine": [
            {
                "id": d.id,
                "title": d.title,
                "severity": d.severity,
                "unit": r.unit_code,
                "unit_name": unit_name(names.get(r.unit_code), r.unit_code, lang),
                "silent_for": duration(svc.minutes_silent(d, r, now), lang),
                "overdue": svc.overdue(d, r, now),
                "can_acknowledge": principal.can(Permission.RESPOND),
            }
            for d, r in mine
        ],
    }


# The API ---------------------------------------------------------------------------------


@router.get("/api/directives")
def api_directives(
    request: Request,
    principal: Viewer,
    lang: Lang,
    state: StateParam = "all",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    """Directives addressed to units in the caller's scope, newest first, with counts
    (acknowledged, reported, silent, overdue) over those units and, under ``own``, the
    state of the units the caller answers for."""
    with request.app.state.store.session() as session:
        return _listing(session, principal, lang, state, limit)


@router.get("/api/directives/board")
def api_board(
    request: Request,
    principal: Viewer,
    lang: Lang,
    limit: Annotated[int, Query(ge=1, le=40)] = 10,
) -> dict[str, Any]:
    """What the wall's ``directives`` panel shows: open directives with units still
    silent, in the caller's scope, with the panel's texts."""
    with request.app.state.store.session() as session:
        return board(session, principal, lang, limit)


@router.get("/api/directives/{directive_id}")
def api_directive(
    request: Request, directive_id: RowId, principal: Viewer, lang: Lang
) -> dict[str, Any]:
    """One directive with every recipient in scope: acknowledged at and by, reported at,
    the report, minutes silent, escalated."""
    with request.app.state.store.session() as session:
        return _detail(session, request, principal, lang, directive_id)


@router.get("/api/directives/{directive_id}/pending")
def api_pending(
    request: Request, directive_id: RowId, principal: Viewer, lang: Lang
) -> list[dict[str, Any]]:
    """The units in scope that have not acknowledged yet."""
    with request.app.state.store.session() as session:
        detail = _detail(session, request, principal, lang, directive_id)
    return [u for u in detail["units"] if u["state"] == "silent"]


@router.post("/api/directives", status_code=201)
def api_issue(
    request: Request,
    principal: Director,
    lang: Lang,
    body: Annotated[DirectiveIn, Body()],
) -> dict[str, Any]:
    """Send a directive: ``units`` are codes (``SNV.01``, ``BNV.TTr``, ``UBX.00004``) or
    ``SNV.*`` for every province's Department of Home Affairs, all in the caller's scope;
    silence beyond ``ack_minutes`` (default 60) escalates."""

    def work(session: Session) -> dict[str, Any]:
        directive = svc.issue(
            session,
            principal,
            title=body.title,
            body=body.body,
            severity=body.severity,
            unit_codes=body.units,
            ack_minutes=body.ack_minutes,
            report_due_at=body.report_due_at,
        )
        return _detail(session, request, principal, lang, directive.id)

    return _change(request, principal, "directive.issue", body.title[:200], work)


@router.post("/api/directives/{directive_id}/acknowledge")
def api_acknowledge(
    request: Request,
    directive_id: RowId,
    principal: Responder,
    lang: Lang,
    body: Annotated[AcknowledgeIn | None, Body()] = None,
) -> dict[str, Any]:
    """Acknowledge for ``unit`` (default: the caller's own unit among the recipients); a
    second acknowledgement is refused (409)."""
    unit = body.unit if body else None

    def work(session: Session) -> dict[str, Any]:
        r = svc.acknowledge(session, directive_id, principal, unit)
        directive = svc.get(session, directive_id)
        found = svc.unit_rows(session, [r.unit_code]).get(r.unit_code)
        return recipient_public(directive, r, found, principal, lang, utcnow())

    target = f"directive {directive_id}" + (f" for {unit}" if unit else "")
    return _change(request, principal, "directive.acknowledge", target, work)


@router.post("/api/directives/{directive_id}/report")
def api_report(
    request: Request,
    directive_id: RowId,
    principal: Responder,
    lang: Lang,
    body: Annotated[ReportIn, Body()],
) -> dict[str, Any]:
    """Report for ``unit`` (default: the caller's own); only after acknowledging, and
    updatable until the directive is closed."""

    def work(session: Session) -> dict[str, Any]:
        r = svc.report(session, directive_id, principal, body.text, body.unit)
        directive = svc.get(session, directive_id)
        found = svc.unit_rows(session, [r.unit_code]).get(r.unit_code)
        return recipient_public(directive, r, found, principal, lang, utcnow())

    target = f"directive {directive_id}" + (f" for {body.unit}" if body.unit else "")
    return _change(request, principal, "directive.report", target, work)


@router.post("/api/directives/{directive_id}/close")
def api_close(
    request: Request, directive_id: RowId, principal: Director, lang: Lang
) -> dict[str, Any]:
    """Close the directive (its issuer or an administrator)."""

    def work(session: Session) -> dict[str, Any]:
        svc.close(session, directive_id, principal)
        return _detail(session, request, principal, lang, directive_id)

    return _change(request, principal, "directive.close", f"directive {directive_id}", work)


# Pages -----------------------------------------------------------------------------------


def _latest_event(session: Session) -> int:
    """Events up to this one are already drawn: the page ignores them in the live replay."""
    return int(session.scalar(select(func.max(Event.id))) or 0)


def _picker(session: Session, principal: Principal) -> dict[str, list[OrgUnit]]:
    """The units a leader may send to, for the form: provinces in scope, and the ministry's
    departments for national leaders."""
    query = select(OrgUnit).where(OrgUnit.kind == "province").order_by(OrgUnit.code)
    if not principal.scope.national:
        query = query.where(OrgUnit.admin_code.in_(sorted(principal.scope.provinces)))
    departments: list[OrgUnit] = []
    if principal.scope.national:
        departments = list(
            session.scalars(
                select(OrgUnit)
                .where(OrgUnit.kind.in_(org.NATIONAL_KINDS))
                .order_by(OrgUnit.kind.desc(), OrgUnit.code)
            )
        )
    return {"provinces": list(session.scalars(query)), "departments": departments}


@router.get("/directives", response_class=HTMLResponse, include_in_schema=False)
def directives_page(request: Request, principal: Viewer, lang: Lang) -> Response:
    with request.app.state.store.session() as session:
        items = _listing(session, principal, lang, "all", 200)
        picker = _picker(session, principal) if principal.can(Permission.DIRECT) else None
        latest = _latest_event(session)
    return render(
        request,
        "directives.html",
        {
            "lang": lang,
            "principal": principal,
            "items": items,
            "picker": picker,
            "local": _local_iso,
            "latest_event": latest,
        },
    )


@router.get("/directives/{directive_id}", response_class=HTMLResponse, include_in_schema=False)
def directive_page(
    request: Request, directive_id: RowId, principal: Viewer, lang: Lang
) -> Response:
    with request.app.state.store.session() as session:
        detail = _detail(session, request, principal, lang, directive_id)
        latest = _latest_event(session)
    return render(
        request,
        "directive.html",
        {
            "lang": lang,
            "principal": principal,
            "d": detail,
            "mine": [u for u in detail["units"] if u["yours"]],
            "reports": [u for u in detail["units"] if u["report"]],
            "local": _local_iso,
            "latest_event": latest,
        },
    )


def _local_iso(value: str | None) -> str:
    """``local`` for the ISO times of the public dictionaries the pages are drawn from."""
    return local(datetime.fromisoformat(value)) if value else "–"
