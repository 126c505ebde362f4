"""The audit trail for those who may see it: search by user, action, outcome, target text
and time, newest first, and export as CSV. Every search and every export is itself
audited."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from pydantic import BaseModel
from sqlalchemy import ColumnElement, and_, func, select

from noivu_ioc.access.users import Principal, audit
from noivu_ioc.errors import InvalidInputError
from noivu_ioc.store.models import AuditEvent, as_utc
from noivu_ioc.web.deps import Auditor, Lang, client_of
from noivu_ioc.web.pages import render

router = APIRouter(tags=["audit"])

PAGE_SIZE = 100
EXPORT_BATCH = 2000
VIETNAM = timedelta(hours=7)


class AuditPublic(BaseModel):
    id: int
    at: datetime
    username: str | None
    action: str
    target: str | None
    outcome: str
    client: str | None
    detail: dict[str, Any] | None
    sealed: bool


class AuditPage(BaseModel):
    total: int
    limit: int
    offset: int
    entries: list[AuditPublic]


def audit_public(e: AuditEvent) -> AuditPublic:
    return AuditPublic(
        id=e.id,
        at=as_utc(e.at),
        username=e.username,
        action=e.action,
        target=e.target,
        outcome=e.outcome,
        client=e.client,
        detail=e.detail,
        sealed=e.ledger_idx is not None,
    )


def _day_start(day: date) -> datetime:
    """Midnight in Viet Nam, in UTC: the days of the filter are the users' days."""
    return datetime.combine(day, time(), tzinfo=UTC) - VIETNAM


def _conditions(
    user: str | None,
    action: str | None,
    outcome: str | None,
    q: str | None,
    since: date | None,
    until: date | None,
) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if user:
        found.append(AuditEvent.username == user.strip())
    if action:
        name = action.strip()
        # "records" finds records.list, records.read and records.export.
        found.append(
            (AuditEvent.action == name) | AuditEvent.action.startswith(name + ".", autoescape=True)
        )
    if outcome:
        found.append(AuditEvent.outcome == outcome)
    if q:
        found.append(AuditEvent.target.contains(q.strip(), autoescape=True))
    if since and until and until < since:
        raise InvalidInputError(f"until {until} is before since {since}; swap them")
    if since:
        found.append(AuditEvent.at >= _day_start(since))
    if until:
        found.append(AuditEvent.at < _day_start(until + timedelta(days=1)))
    return found


Filters = tuple[str | None, str | None, str | None, str | None, date | None, date | None]


def _search(
    request: Request, principal: Principal, filters: Filters, limit: int, offset: int
) -> AuditPage:
    wanted = _conditions(*filters)
    where = and_(*wanted) if wanted else None
    with request.app.state.store.session() as session:
        count = select(func.count()).select_from(AuditEvent)
        query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit).offset(offset)
        if where is not None:
            count = count.where(where)
            query = query.where(where)
        total = int(session.scalar(count) or 0)
        entries = [audit_public(e) for e in session.scalars(query)]
        audit(
            session,
            "audit.search",
            "ok",
            user=principal,
            detail=_described(filters) | {"rows": len(entries)},
            client=client_of(request),
        )
    return AuditPage(total=total, limit=limit, offset=offset, entries=entries)


def _described(filters: Filters) -> dict[str, Any]:
    names = ("user", "action", "outcome", "q", "since", "until")
    return {n: str(v) for n, v in zip(names, filters, strict=True) if v}


Outcome = Annotated[str | None, Query(pattern="^(ok|denied|failed)$")]
Day = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD")]


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInputError(f"{name} {value!r} is not a date: give YYYY-MM-DD") from None


Text = Annotated[str | None, Query(max_length=255)]


@router.get("/api/audit", response_model=AuditPage)
def api_search(
    request: Request,
    principal: Auditor,
    user: Text = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    outcome: Outcome = None,
    q: Text = None,
    since: Day = None,
    until: Day = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = PAGE_SIZE,
    offset: Annotated[int, Query(ge=0, le=100_000_000)] = 0,
) -> AuditPage:
    """Audit entries, newest first: ``user`` (exact), ``action`` (``records`` also finds
    ``records.read``), ``outcome``, ``q`` (in the target), ``since``/``until`` (days in
    Viet Nam time, inclusive). ``sealed`` tells whether the entry is in the ledger yet."""
    filters = (user, action, outcome, q, _day(since, "since"), _day(until, "until"))
    return _search(request, principal, filters, limit, offset)


def _csv(request: Request, wanted: list[ColumnElement[bool]]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "at_utc", "username", "action", "target", "outcome", "client", "detail"])
    yield ("\ufeff" + buffer.getvalue()).encode()
    last = None
    while True:
        with request.app.state.store.session() as session:
            query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(EXPORT_BATCH)
            if wanted:
                query = query.where(and_(*wanted))
            if last is not None:
                query = query.where(AuditEvent.id < last)
            batch = list(session.scalars(query))
        for e in batch:
            buffer.seek(0)
            buffer.truncate()
            writer.writerow(
                [
                    e.id,
                    as_utc(e.at).isoformat(),
                    e.username or "",
                    e.action,
                    e.target or "",
                    e.outcome,
                    e.client or "",
                    orjson.dumps(e.detail).decode() if e.detail else "",
                ]
            )
            yield buffer.getvalue().encode()
        if len(batch) < EXPORT_BATCH:
            return
        last = batch[-1].id


@router.get(
    "/api/audit/export.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def api_export(
    request: Request,
    principal: Auditor,
    user: Text = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    outcome: Outcome = None,
    q: Text = None,
    since: Day = None,
    until: Day = None,
) -> StreamingResponse:
    """The matching entries as CSV (UTF-8, newest first); the export is audited."""
    filters = (user, action, outcome, q, _day(since, "since"), _day(until, "until"))
    wanted = _conditions(*filters)
    with request.app.state.store.session() as session:
        audit(
            session,
            "audit.export",
            "ok",
            user=principal,
            detail=_described(filters),
            client=client_of(request),
        )
    return StreamingResponse(
        _csv(request, wanted),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )


@router.get("/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_page(
    request: Request,
    principal: Auditor,
    lang: Lang,
    user: Text = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    outcome: Annotated[str | None, Query(pattern="^(|ok|denied|failed)$")] = None,
    q: Text = None,
    since: Annotated[str | None, Query(max_length=10)] = None,
    until: Annotated[str | None, Query(max_length=10)] = None,
    offset: Annotated[int, Query(ge=0, le=100_000_000)] = 0,
) -> Response:
    filters = (
        user or None,
        action or None,
        outcome or None,
        q or None,
        _day(since, "since"),
        _day(until, "until"),
    )
    page = _search(request, principal, filters, PAGE_SIZE, offset)
    query = {
        "user": user or "",
        "action": action or "",
        "outcome": outcome or "",
        "q": q or "",
        "since": since or "",
        "until": until or "",
    }
    return render(
        request,
        "audit.html",
        {
            "lang": lang,
            "principal": principal,
            "page": page,
            "query": query,
            "local": lambda at: (at + VIETNAM).strftime("%d/%m/%Y %H:%M:%S"),
            "dumps": lambda d: orjson.dumps(d).decode() if d else "",
        },
    )
