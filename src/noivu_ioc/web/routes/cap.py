"""CAP 1.2 (OASIS Common Alerting Protocol) messages in and out: a warning service's message
posted in, an alert fetched as CAP, the stored messages and an Atom feed of the published
ones, each within the viewer's scope.

Posting needs the right to manage alert rules (operators and administrators): an external
system posts as a service account of its own with the operator role, logging in through
``POST /api/session`` and keeping the session cookie.
"""

from __future__ import annotations

from datetime import UTC
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from noivu_ioc.access.users import Principal, audit
from noivu_ioc.errors import NotAllowedError, NotFoundError
from noivu_ioc.operations import cap
from noivu_ioc.store.models import Alert, CapMessage, as_utc
from noivu_ioc.web.deps import RowId, RuleManager, Viewer, client_of

router = APIRouter(tags=["cap"])

_CAP_BODY = {
    "requestBody": {
        "required": True,
        "content": {t: {"schema": {"type": "string"}} for t in cap.MEDIA_TYPES[:2]},
    }
}


async def _body(request: Request) -> bytes:
    """The body, read no further than one byte past the limit (the service refuses it)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        chunks.append(chunk)
        size += len(chunk)
        if size > cap.MAX_BYTES:
            break
    return b"".join(chunks)[: cap.MAX_BYTES + 1]


def _receipt(received: cap.Received) -> dict[str, Any]:
    return {
        "id": received.message.id,
        "event_id": received.message.event_id,
        "event_ids": [e.id for e in received.events],
        "identifier": received.message.identifier,
        "sender": received.message.sender,
        "repeat": received.repeat,
    }


@router.post("/api/cap", status_code=201, response_model=None, openapi_extra=_CAP_BODY)
async def api_receive(request: Request, principal: RuleManager) -> JSONResponse:
    """Receive a CAP 1.2 message (``application/cap+xml``): 201 with the stored message and
    its events, 200 for a repeat of one received before, 422 naming the line and the problem,
    409 for an identifier reused with other content, 413 above 512 KiB."""
    body = await _body(request)
    received = await anyio.to_thread.run_sync(
        lambda: cap.accept(
            request.app.state.store,
            body,
            principal,
            content_type=request.headers.get("content-type"),
            client=client_of(request),
        )
    )
    return JSONResponse(_receipt(received), status_code=200 if received.repeat else 201)


def _message_public(message: CapMessage) -> dict[str, Any]:
    headline, event = cap.headline(message)
    return {
        "id": message.id,
        "direction": message.direction,
        "identifier": message.identifier,
        "sender": message.sender,
        "sent": as_utc(message.sent).astimezone(UTC).isoformat(),
        "msg_type": message.msg_type,
        "status": message.status,
        "headline": headline,
        "event": event,
        "alert_id": message.alert_id,
        "event_id": message.event_id,
        "received_at": as_utc(message.received_at).astimezone(UTC).isoformat(),
    }


@router.get("/api/cap/messages")
def api_messages(
    request: Request,
    principal: Viewer,
    direction: Annotated[str | None, Query(pattern="^(in|out)$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[dict[str, Any]]:
    """Stored CAP messages in the caller's scope, newest first: received ones (``in``) by
    the places they name, published ones (``out``) by their alert's place."""
    with request.app.state.store.session() as session:
        found = cap.visible_messages(session, principal.scope, direction, limit)
        return [_message_public(m) for m in found]


def _cap_response(xml: str) -> Response:
    return Response(xml.encode(), media_type=cap.MEDIA_TYPE)


@router.get("/api/cap/messages/{message_id}", response_class=Response)
def api_message(request: Request, message_id: RowId, principal: Viewer) -> Response:
    """One stored CAP message as it was received or published."""
    with request.app.state.store.session() as session:
        message = cap.visible_message(session, principal.scope, message_id)
        if message is None:
            if session.get(CapMessage, message_id) is None:
                raise NotFoundError(f"CAP message {message_id} does not exist")
            _deny(request, principal, session, f"cap message {message_id}")
            raise NotAllowedError(f"CAP message {message_id} concerns units outside your scope")
        return _cap_response(message.xml)


def _deny(request: Request, principal: Principal, session: Session, target: str) -> None:
    """Audit a refusal in a transaction of its own: the request's is rolled back."""
    audit(session, "cap", "denied", user=principal, target=target, client=client_of(request))
    session.commit()


@router.get("/api/alerts/{alert_id}/cap", response_class=Response)
def api_alert_cap(request: Request, alert_id: RowId, principal: Viewer) -> Response:
    """The alert as a CAP 1.2 message describing its current state: published (stored, with
    a new identifier) on the first request after each change of state."""
    try:
        return _alert_cap(request, alert_id, principal)
    except IntegrityError:  # another request published this state at the same moment
        return _alert_cap(request, alert_id, principal)


def _alert_cap(request: Request, alert_id: RowId, principal: Principal) -> Response:
    settings = request.app.state.settings
    with request.app.state.store.session() as session:
        alert = session.get(Alert, alert_id)
        if alert is None:
            raise NotFoundError(f"alert {alert_id} does not exist")
        if not principal.scope.covers(alert.admin_code):
            _deny(request, principal, session, f"alert {alert_id}")
            raise NotAllowedError(
                f"alert {alert_id} concerns a unit outside your scope; it is handled there"
            )
        message = cap.publish(
            session, alert, sender=settings.smtp_from, base_url=settings.public_url
        )
        return _cap_response(message.xml)


@router.get("/api/cap/feed", response_class=Response)
def api_feed(
    request: Request,
    principal: Viewer,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    """The latest published CAP messages in the caller's scope, as an Atom feed whose
    entries carry each message inline and link to it."""
    base = request.app.state.settings.public_url.rstrip("/")
    with request.app.state.store.session() as session:
        messages = cap.visible_messages(session, principal.scope, "out", limit)
        feed = cap.atom_feed(
            messages,
            self_url=f"{base}/api/cap/feed",
            message_url=base + "/api/cap/messages/{id}",
            title=cap.FEED_TITLE[0 if principal.language == "vi" else 1],
        )
    return Response(feed, media_type="application/atom+xml")
