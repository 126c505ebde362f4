"""Directives: a leader's instruction to a set of units, each of which acknowledges it and
then reports on it.

Silence escalates. A unit that has not acknowledged within the directive's ``ack_minutes``
is reminded, and again every ``ack_minutes`` until it does; on the first overdue pass it is
also raised to the level above (a commune to its province's Department of Home Affairs, a
province to the ministry and the issuer, a ministry department to the leaders and the
issuer). A report left undone past ``report_due_at`` is reminded the same way.

Every change is an event for the live stream: ``directive.issued`` and ``directive.closed``
are national; ``directive.acknowledged``, ``directive.reported`` and ``directive.silent`` are
placed at the unit they concern, so that each viewer sees what is in their scope.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from itertools import groupby

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import Session, aliased

from noivu_ioc.access.roles import Role
from noivu_ioc.access.scope import Scope
from noivu_ioc.access.users import Principal
from noivu_ioc.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError
from noivu_ioc.ingest import events
from noivu_ioc.ingest.events import SEVERITIES
from noivu_ioc.operations import units
from noivu_ioc.operations.notify import notify_users, users_at_level, users_of_units
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import Directive, DirectiveRecipient, OrgUnit, User, as_utc, utcnow
from noivu_ioc.units import admin

log = logging.getLogger(__name__)

DEFAULT_ACK_MINUTES = 60
MAX_ACK_MINUTES = 7 * 24 * 60
MAX_REPORT_CHARS = 20_000
VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")
# How many unit names a notification about silent units spells out.
NAMED_IN_NOTICE = 20


def vietnam_time(value: datetime) -> str:
    """``14:05 ngày 04/12/2026``-style time as the messages quote it, in Vietnam's zone."""
    return as_utc(value).astimezone(VIETNAM_TIME).strftime("%H:%M %d/%m/%Y")


# Issuing ---------------------------------------------------------------------------------


def issue(
    session: Session,
    principal: Principal,
    *,
    title: str,
    unit_codes: list[str],
    body: str = "",
    severity: str = "major",
    ack_minutes: int = DEFAULT_ACK_MINUTES,
    report_due_at: datetime | None = None,
    incident_id: int | None = None,
) -> Directive:
    """Send a directive to units (codes, ``SNV.*`` for every province's Department of Home
    Affairs); each unit must lie in the issuer's scope. The units' users are notified."""
    title = title.strip()
    if not title:
        raise InvalidInputError("a directive needs a title")
    if severity not in SEVERITIES:
        raise InvalidInputError(f"severity {severity!r} must be one of {', '.join(SEVERITIES)}")
    if not isinstance(ack_minutes, int) or not 1 <= ack_minutes <= MAX_ACK_MINUTES:
        raise InvalidInputError(
            f"ack_minutes {ack_minutes!r} must be a whole number of minutes from 1 to "
            f"{MAX_ACK_MINUTES} (a week)"
        )
    now = utcnow()
    if report_due_at is not None:
        if report_due_at.tzinfo is None:
            raise InvalidInputError(
                f"report_due_at {report_due_at.isoformat()} needs a time zone, e.g. "
                "2026-05-01T17:00:00+07:00"
            )
        if report_due_at <= now:
            raise InvalidInputError(
                f"report_due_at {report_due_at.isoformat()} is in the past; give a time to come"
            )
    codes = [c for c in unit_codes if isinstance(c, str) and c.strip()]
    if not codes:
        raise InvalidInputError(
            'a directive needs at least one unit: codes such as ["SNV.01", "BNV.TTr"], or '
            '["SNV.*"] for the Departments of Home Affairs of all 34 provinces'
        )
    targets = units.expand(session, codes)
    for target in targets:
        units.require_assignable(principal, target)

    directive = Directive(
        title=title[:255],
        body=body.strip(),
        severity=severity,
        issued_by=principal.username,
        issued_at=now,
        ack_minutes=ack_minutes,
        report_due_at=report_due_at.astimezone(UTC) if report_due_at else None,
        incident_id=incident_id,
        state="open",
        recipients=[
            DirectiveRecipient(unit_code=t.code, admin_code=t.admin_code, reminders=0)
            for t in targets
        ],
    )
    session.add(directive)
    session.flush()
    events.record(
        session,
        kind="directive.issued",
        severity=severity,
        subject=_subject(directive),
        message=f"Chỉ đạo mới gửi {len(targets)} đơn vị: {directive.title}",
        admin_code=None,
        payload={
            "directive_id": directive.id,
            "units": len(targets),
            "issued_by": principal.username,
        },
    )
    notify_users(
        session,
        users_of_units(session, [t.code for t in targets]),
        kind="directive.issued",
        title=f"Chỉ đạo mới: {directive.title}",
        body=f"Đề nghị đơn vị tiếp nhận trong {ack_minutes} phút.\n{directive.body}".strip(),
        ref=_subject(directive),
        link=_link(directive),
        severity=severity,
    )
    log.info(
        "directive %s issued by %s to %d units", directive.id, principal.username, len(targets)
    )
    return directive


def get(session: Session, directive_id: int) -> Directive:
    directive = session.get(Directive, directive_id)
    if directive is None:
        raise NotFoundError(f"directive {directive_id} does not exist; GET /api/directives")
    return directive


def _subject(directive: Directive) -> str:
    return f"directive:{directive.id}"


def _link(directive: Directive) -> str:
    return f"/directives/{directive.id}"


# Who answers for a recipient -------------------------------------------------------------


def own_units(principal: Principal) -> list[str]:
    return [code for code, _, _ in principal.units]


def answers_for(principal: Principal, unit_code: str) -> bool:
    """Whether the user acknowledges and reports for this unit as a matter of course: it is
    their own unit, or (outside the ministry) a unit below theirs. The ministry may act for
    any unit, but does so by naming it, not from a button on every unit."""
    if unit_code in own_units(principal):
        return True
    return not principal.scope.national and units.acts_for(principal, unit_code)


def _recipient(
    session: Session,
    directive: Directive,
    principal: Principal,
    unit_code: str | None,
    prefer_pending: bool,
) -> DirectiveRecipient:
    """The recipient a caller acts for: the unit named, or else their own unit."""
    if unit_code is None:
        mine = own_units(principal)
        candidates = [r for r in directive.recipients if r.unit_code in mine]
        if not candidates:
            raise InvalidInputError(
                f"directive {directive.id} is not addressed to your unit "
                f"({', '.join(mine) or 'none'}); name the unit you act for, e.g. "
                '{"unit": "UBX.00004"}'
            )
        if prefer_pending:
            candidates.sort(key=lambda r: r.acknowledged_at is not None)
        return candidates[0]
    code = units.unit(session, unit_code).code
    units.require_acts_for(principal, code, f"directive {directive.id} for {code}")
    for recipient in directive.recipients:
        if recipient.unit_code == code:
            return recipient
    raise InvalidInputError(
        f"unit {code} is not a recipient of directive {directive.id}; "
        f"GET /api/directives/{directive.id} lists its units"
    )


def _require_open(directive: Directive) -> None:
    if directive.state != "open":
        raise ConflictError(f"directive {directive.id} is closed; nothing can be added to it")


# Acknowledging and reporting --------------------------------------------------------------


def acknowledge(
    session: Session, directive_id: int, principal: Principal, unit_code: str | None = None
) -> DirectiveRecipient:
    """A unit takes the directive in hand (its silence stops escalating)."""
    directive = get(session, directive_id)
    _require_open(directive)
    recipient = _recipient(session, directive, principal, unit_code, prefer_pending=True)
    if recipient.acknowledged_at is not None:
        raise ConflictError(
            f"directive {directive.id} is already acknowledged for {recipient.unit_code} by "
            f"{recipient.acknowledged_by} at {vietnam_time(recipient.acknowledged_at)} "
            "(Vietnam time); an acknowledgement is given once"
        )
    recipient.acknowledged_at = utcnow()
    recipient.acknowledged_by = principal.username
    name = _unit_name(session, recipient.unit_code)
    events.record(
        session,
        kind="directive.acknowledged",
        severity="info",
        subject=_subject(directive),
        message=f"{name} đã tiếp nhận chỉ đạo: {directive.title}",
        admin_code=recipient.admin_code,
        payload={"directive_id": directive.id, "unit": recipient.unit_code},
    )
    session.flush()
    return recipient


def report(
    session: Session,
    directive_id: int,
    principal: Principal,
    text: str,
    unit_code: str | None = None,
) -> DirectiveRecipient:
    """A unit's report on the directive; it can be updated until the directive is closed."""
    directive = get(session, directive_id)
    _require_open(directive)
    text = text.strip()
    if not text:
        raise InvalidInputError("a report needs some text: what the unit has done")
    if len(text) > MAX_REPORT_CHARS:
        raise InvalidInputError(
            f"the report has {len(text)} characters; keep it under {MAX_REPORT_CHARS} and "
            "attach the rest as a document"
        )
    recipient = _recipient(session, directive, principal, unit_code, prefer_pending=False)
    if recipient.acknowledged_at is None:
        raise ConflictError(
            f"directive {directive.id} is not acknowledged for {recipient.unit_code} yet; "
            f"acknowledge it (POST /api/directives/{directive.id}/acknowledge) before reporting"
        )
    updated = recipient.reported_at is not None
    recipient.report = text
    recipient.reported_at = utcnow()
    recipient.reported_by = principal.username
    name = _unit_name(session, recipient.unit_code)
    events.record(
        session,
        kind="directive.reported",
        severity="info",
        subject=_subject(directive),
        message=f"{name} {'cập nhật báo cáo' if updated else 'đã báo cáo'}: {directive.title}",
        admin_code=recipient.admin_code,
        payload={"directive_id": directive.id, "unit": recipient.unit_code, "updated": updated},
    )
    session.flush()
    return recipient


def close(session: Session, directive_id: int, principal: Principal) -> Directive:
    """End the directive: no more acknowledgements, reports or reminders."""
    directive = get(session, directive_id)
    if principal.username != directive.issued_by and Role.ADMINISTRATOR not in principal.roles:
        raise NotAllowedError(
            f"directive {directive.id} was issued by {directive.issued_by}; only the issuer or "
            "an administrator can close it"
        )
    _require_open(directive)
    directive.state = "closed"
    events.record(
        session,
        kind="directive.closed",
        severity="info",
        subject=_subject(directive),
        message=f"Kết thúc chỉ đạo: {directive.title}",
        admin_code=None,
        payload={"directive_id": directive.id, "closed_by": principal.username},
    )
    session.flush()
    return directive


# Reading ---------------------------------------------------------------------------------


def in_scope(scope: Scope) -> ColumnElement[bool]:
    """Recipients placed in the scope: its provinces' departments and communes, its own
    communes. Ministry departments (no place) are visible to national scopes only."""
    if scope.national:
        return true()
    clauses: list[ColumnElement[bool]] = []
    places = sorted(scope.provinces | scope.communes)
    if places:
        clauses.append(DirectiveRecipient.admin_code.in_(places))
    if scope.provinces:
        province = aliased(OrgUnit)
        communes = (
            select(OrgUnit.code)
            .join(province, province.id == OrgUnit.parent_id)
            .where(OrgUnit.kind == "commune", province.admin_code.in_(sorted(scope.provinces)))
        )
        clauses.append(DirectiveRecipient.unit_code.in_(communes))
    return or_(*clauses) if clauses else false()


def visible(
    session: Session, scope: Scope, state: str | None = None, limit: int = 200
) -> list[tuple[Directive, list[DirectiveRecipient]]]:
    """Directives with a recipient in the scope, newest first, each with those recipients."""
    query = (
        select(DirectiveRecipient)
        .join(Directive, Directive.id == DirectiveRecipient.directive_id)
        .where(in_scope(scope))
        .order_by(DirectiveRecipient.directive_id.desc(), DirectiveRecipient.id)
    )
    if state is not None:
        query = query.where(Directive.state == state)
    found: list[tuple[Directive, list[DirectiveRecipient]]] = []
    rows = list(session.scalars(query))
    for directive_id, mine in groupby(rows, key=lambda r: r.directive_id):
        if len(found) >= limit:
            break
        found.append((get(session, directive_id), list(mine)))
    return found


def recipients_in(session: Session, directive: Directive, scope: Scope) -> list[DirectiveRecipient]:
    return list(
        session.scalars(
            select(DirectiveRecipient)
            .where(DirectiveRecipient.directive_id == directive.id, in_scope(scope))
            .order_by(DirectiveRecipient.id)
        )
    )


def unit_rows(session: Session, codes: Iterable[str]) -> dict[str, OrgUnit]:
    wanted = list(dict.fromkeys(codes))
    if not wanted:
        return {}
    return {u.code: u for u in session.scalars(select(OrgUnit).where(OrgUnit.code.in_(wanted)))}


def _unit_name(session: Session, code: str) -> str:
    found = session.scalar(select(OrgUnit.name_vi).where(OrgUnit.code == code))
    return found or code


def state_of(recipient: DirectiveRecipient) -> str:
    """``reported``, ``acknowledged`` or ``silent`` (not acknowledged yet)."""
    if recipient.reported_at is not None:
        return "reported"
    if recipient.acknowledged_at is not None:
        return "acknowledged"
    return "silent"


def minutes_silent(directive: Directive, recipient: DirectiveRecipient, now: datetime) -> int:
    """Whole minutes since the directive was issued, while the unit has not acknowledged."""
    if recipient.acknowledged_at is not None:
        return 0
    return max(0, int((now - as_utc(directive.issued_at)).total_seconds() // 60))


def overdue(directive: Directive, recipient: DirectiveRecipient, now: datetime) -> bool:
    return recipient.acknowledged_at is None and now >= as_utc(directive.issued_at) + timedelta(
        minutes=directive.ack_minutes
    )


@dataclass(frozen=True, slots=True)
class Progress:
    recipients: int
    acknowledged: int
    reported: int
    silent: int  # not acknowledged yet
    overdue: int  # silent beyond ack_minutes

    @classmethod
    def of(
        cls, directive: Directive, recipients: list[DirectiveRecipient], now: datetime
    ) -> Progress:
        return cls(
            recipients=len(recipients),
            acknowledged=sum(r.acknowledged_at is not None for r in recipients),
            reported=sum(r.reported_at is not None for r in recipients),
            silent=sum(r.acknowledged_at is None for r in recipients),
            overdue=sum(overdue(directive, r, now) for r in recipients),
        )


# Chasing silence -------------------------------------------------------------------------


def chase(store: OpStore) -> int:
    """``chase_silent`` now, in a unit of work of its own: the periodic loop's job."""
    with store.session() as session:
        return chase_silent(session, utcnow())


def chase_silent(session: Session, now: datetime) -> int:
    """Remind silent units and late reports, and escalate each unit's first overdue
    silence; returns the number of actions (reminders plus escalations)."""
    rows = session.execute(
        select(Directive, DirectiveRecipient)
        .join(DirectiveRecipient, DirectiveRecipient.directive_id == Directive.id)
        .where(
            Directive.state == "open",
            or_(
                DirectiveRecipient.acknowledged_at.is_(None),
                and_(
                    DirectiveRecipient.reported_at.is_(None),
                    Directive.report_due_at.is_not(None),
                ),
            ),
        )
        .order_by(Directive.id, DirectiveRecipient.id)
    ).all()
    actions = 0
    for _, items in groupby(rows, key=lambda row: row[0].id):
        pairs = list(items)
        actions += _chase(session, pairs[0][0], [r for _, r in pairs], now)
    if actions:
        log.info("directives: %d reminders and escalations", actions)
    return actions


def _chase(
    session: Session, directive: Directive, recipients: list[DirectiveRecipient], now: datetime
) -> int:
    every = timedelta(minutes=directive.ack_minutes)
    due = as_utc(directive.issued_at) + every
    report_due = as_utc(directive.report_due_at) if directive.report_due_at else None
    remind_ack: list[DirectiveRecipient] = []
    remind_report: list[DirectiveRecipient] = []
    escalate: list[DirectiveRecipient] = []
    for r in recipients:
        last = as_utc(r.reminded_at) if r.reminded_at else None
        if r.acknowledged_at is None:
            if now < due:
                continue
            if last is None or now - last >= every:
                remind_ack.append(r)
            if r.escalated_at is None:
                escalate.append(r)
        elif (
            report_due is not None
            and r.reported_at is None
            and now >= report_due
            and _report_reminder_due(last, report_due, now, every)
        ):
            remind_report.append(r)

    for r in remind_ack + remind_report:
        r.reminded_at = now
        r.reminders += 1
    if remind_ack:
        notify_users(
            session,
            users_of_units(session, [r.unit_code for r in remind_ack]),
            kind="directive.reminder",
            title=f"Nhắc: đơn vị chưa tiếp nhận chỉ đạo “{directive.title}”",
            body=f"Chỉ đạo ban hành lúc {vietnam_time(directive.issued_at)}, đề nghị tiếp "
            f"nhận trong {directive.ack_minutes} phút.",
            ref=_subject(directive),
            link=_link(directive),
            severity=directive.severity,
        )
    if remind_report and report_due is not None:
        notify_users(
            session,
            users_of_units(session, [r.unit_code for r in remind_report]),
            kind="directive.report_due",
            title=f"Nhắc: đơn vị chưa báo cáo chỉ đạo “{directive.title}”",
            body=f"Hạn báo cáo {vietnam_time(report_due)} đã qua.",
            ref=_subject(directive),
            link=_link(directive),
            severity=directive.severity,
        )
    if escalate:
        _escalate(session, directive, escalate, now)
    session.flush()
    return len(remind_ack) + len(remind_report) + len(escalate)


def _report_reminder_due(
    last: datetime | None, report_due: datetime, now: datetime, every: timedelta
) -> bool:
    """The first reminder after the due time, then one every ``ack_minutes``."""
    return last is None or last < report_due or now - last >= every


def _escalate(
    session: Session, directive: Directive, silent: list[DirectiveRecipient], now: datetime
) -> None:
    """One ``directive.silent`` event per unit; one notification per level above, naming
    the silent units, so that the ministry hears of 32 provinces once, not 32 times."""
    names = unit_rows(session, [r.unit_code for r in silent])
    above: dict[tuple[int, str | None], list[str]] = defaultdict(list)
    for r in silent:
        r.escalated_at = now
        name = names[r.unit_code].name_vi if r.unit_code in names else r.unit_code
        minutes = minutes_silent(directive, r, now)
        events.record(
            session,
            kind="directive.silent",
            severity=directive.severity,
            subject=_subject(directive),
            message=f"{name} chưa tiếp nhận chỉ đạo “{directive.title}” sau {minutes} phút",
            admin_code=r.admin_code,
            payload={"directive_id": directive.id, "unit": r.unit_code, "minutes": minutes},
        )
        if r.admin_code and len(r.admin_code) == 5:  # a commune: its province's department
            above[(1, admin.unit(r.admin_code).province_code)].append(name)
        elif r.admin_code:  # a province: the ministry
            above[(2, None)].append(name)
        else:  # a ministry department: the leaders
            above[(3, None)].append(name)

    issuer = session.scalar(select(User.id).where(User.username == directive.issued_by))
    for (level, place), named in above.items():
        people = users_at_level(session, place, level)
        if level >= 2 and issuer is not None:
            people.append(issuer)
        shown = "; ".join(named[:NAMED_IN_NOTICE])
        if len(named) > NAMED_IN_NOTICE:
            shown += f" và {len(named) - NAMED_IN_NOTICE} đơn vị khác"
        notify_users(
            session,
            people,
            kind="directive.silent",
            title=f"{len(named)} đơn vị chưa tiếp nhận chỉ đạo “{directive.title}”",
            body=f"Quá {directive.ack_minutes} phút chưa tiếp nhận: {shown}.",
            ref=_subject(directive),
            link=_link(directive),
            severity=directive.severity,
        )
