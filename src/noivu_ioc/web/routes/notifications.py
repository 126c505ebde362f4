"""In-app notifications of the signed-in user: the JSON API the bell and the phone use, and
the notifications page. Everyone sees only their own; someone else's is answered as not
found, so that ids do not tell who was told what."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from noivu_ioc.access.users import Principal, audit
from noivu_ioc.errors import NotFoundError
from noivu_ioc.ingest.events import SEVERITIES
from noivu_ioc.store.models import Notification, as_utc, utcnow
from noivu_ioc.web.deps import CurrentPrincipal, Lang, RowId, client_of
from noivu_ioc.web.pages import render

router = APIRouter(tags=["notifications"])

VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")
PAGE_LIMIT = 200


class NotificationPublic(BaseModel):
    id: int
    kind: str
    ref: str | None
    severity: str
    title: str
    body: str
    link: str | None
    created_at: datetime
    read_at: datetime | None


class UnreadCount(BaseModel):
    unread: int


class Marked(BaseModel):
    marked: int


def notification_public(note: Notification) -> NotificationPublic:
    return NotificationPublic(
        id=note.id,
        kind=note.kind,
        ref=note.ref,
        severity=note.severity,
        title=note.title,
        body=note.body,
        link=note.link,
        created_at=as_utc(note.created_at).astimezone(UTC),
        read_at=as_utc(note.read_at).astimezone(UTC) if note.read_at else None,
    )


def _mine(session: Session, principal: Principal, unread: bool, limit: int) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == principal.user_id)
    if unread:
        query = query.where(Notification.read_at.is_(None))
    order = (Notification.created_at.desc(), Notification.id.desc())
    return list(session.scalars(query.order_by(*order).limit(limit)))


def _unread(session: Session, principal: Principal) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == principal.user_id, Notification.read_at.is_(None))
        )
        or 0
    )


def _mark_read(
    session: Session, principal: Principal, note_id: RowId, client: str | None
) -> Notification:
    note = session.get(Notification, note_id)
    if note is None or note.user_id != principal.user_id:
        if note is not None:
            audit(
                session,
                "notification.read",
                "denied",
                user=principal,
                target=f"notification {note_id}",
                client=client,
            )
            session.commit()  # the refusal stays though the error rolls the rest back
        raise NotFoundError(f"notification {note_id} does not exist among your notifications")
    if note.read_at is None:
        note.read_at = utcnow()
        audit(
            session,
            "notification.read",
            "ok",
            user=principal,
            target=f"notification {note_id}",
            client=client,
        )
    return note


def _mark_all_read(session: Session, principal: Principal, client: str | None) -> int:
    marked = session.execute(
        update(Notification)
        .where(Notification.user_id == principal.user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow()),
        execution_options={"synchronize_session": False},
    ).rowcount  # type: ignore[attr-defined]
    if marked:
        audit(
            session,
            "notification.read_all",
            "ok",
            user=principal,
            detail={"count": marked},
            client=client,
        )
    return int(marked)


# -- API ---------------------------------------------------------------------------------


@router.get("/api/notifications", response_model=list[NotificationPublic])
def api_notifications(
    request: Request,
    principal: CurrentPrincipal,
    unread: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[NotificationPublic]:
    """The caller's notifications, newest first; ``unread=1`` for the unread ones only."""
    with request.app.state.store.session() as session:
        return [notification_public(n) for n in _mine(session, principal, unread, limit)]


@router.get("/api/notifications/unread-count", response_model=UnreadCount)
def api_unread_count(request: Request, principal: CurrentPrincipal) -> UnreadCount:
    """How many of the caller's notifications are unread: the number on the bell."""
    with request.app.state.store.session() as session:
        return UnreadCount(unread=_unread(session, principal))


@router.post("/api/notifications/{note_id}/read", response_model=NotificationPublic)
def api_read(request: Request, note_id: RowId, principal: CurrentPrincipal) -> NotificationPublic:
    """Mark one of the caller's notifications read (reading it twice keeps the first time)."""
    with request.app.state.store.session() as session:
        return notification_public(_mark_read(session, principal, note_id, client_of(request)))


@router.post("/api/notifications/read-all", response_model=Marked)
def api_read_all(request: Request, principal: CurrentPrincipal) -> Marked:
    with request.app.state.store.session() as session:
        return Marked(marked=_mark_all_read(session, principal, client_of(request)))


# -- page --------------------------------------------------------------------------------


def local(value: datetime | None) -> str:
    if value is None:
        return "–"
    return as_utc(value).astimezone(VIETNAM_TIME).strftime("%d/%m/%Y %H:%M")


def _back(unread: bool) -> RedirectResponse:
    return RedirectResponse("/notifications?unread=1" if unread else "/notifications", 303)


def _safe_link(link: str | None) -> str:
    """Only a path inside the IOC: a stored link never sends a user to another site."""
    if link and link.startswith("/") and not link.startswith(("//", "/\\")):
        return link
    return "/notifications"


@router.get("/notifications", response_class=HTMLResponse, include_in_schema=False)
def notifications_page(
    request: Request, lang: Lang, principal: CurrentPrincipal, unread: bool = False
) -> Response:
    with request.app.state.store.session() as session:
        notes = _mine(session, principal, unread, PAGE_LIMIT)
        count = _unread(session, principal)
    return render(
        request,
        "notifications.html",
        {
            "lang": lang,
            "principal": principal,
            "notes": notes,
            "unread_count": count,
            "only_unread": unread,
            "limit": PAGE_LIMIT,
            "local": local,
            "severity_of": lambda s: s if s in SEVERITIES else "info",
        },
    )


@router.post("/notifications/read-all", include_in_schema=False)
def read_all_form(request: Request, principal: CurrentPrincipal, unread: bool = False) -> Response:
    with request.app.state.store.session() as session:
        _mark_all_read(session, principal, client_of(request))
    return _back(unread)


@router.post("/notifications/{note_id}/read", include_in_schema=False)
def read_form(
    request: Request, note_id: RowId, principal: CurrentPrincipal, unread: bool = False
) -> Response:
    with request.app.state.store.session() as session:
        _mark_read(session, principal, note_id, client_of(request))
    return _back(unread)


@router.get("/notifications/{note_id}/open", include_in_schema=False)
def open_notification(request: Request, note_id: RowId, principal: CurrentPrincipal) -> Response:
    """Follow a notification's link, marking it read on the way."""
    with request.app.state.store.session() as session:
        link = _mark_read(session, principal, note_id, client_of(request)).link
    return RedirectResponse(_safe_link(link), 303)
