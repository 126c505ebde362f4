"""The audit trail's safety net, as plain ASGI middleware: every change (a request with an
unsafe method), every refusal (401 with a session cookie, 403) and every read refused as bad
input (400, 405, 413, 414, 422, 431: a proof beyond the tree, a forged parameter) lands in the
audit trail even where no service audited it, with who, what, when, from where and the
outcome. A read answered 404 is not recorded here (a mistyped address is not an event; the
services audit a record outside the caller's scope themselves), nor an anonymous 401.

Services audit what they do with their own detail (``access.users.audit``); the middleware
counts those entries for the request (``access.audit_context``) and adds its generic one only
when there were none, so that a change is not recorded twice. The entry is written after the
response has gone, in a worker thread, so that it costs the caller nothing.
"""

from __future__ import annotations

import logging
from typing import Any

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from noivu_ioc.access import audit_context
from noivu_ioc.access.audit_context import RequestAudit
from noivu_ioc.access.users import audit

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})  # RFC 9110, 9.2.1
SESSION_COOKIE = b"ioc_session="
# Reads refused because of what the request held rather than who sent it.
BAD_INPUT = frozenset({400, 405, 413, 414, 422, 431})


def _outcome(status: int) -> str:
    if status in (401, 403):
        return "denied"
    return "ok" if status < 400 else "failed"


def _has_session_cookie(scope: Scope) -> bool:
    return any(
        name == b"cookie" and SESSION_COOKIE in value for name, value in scope.get("headers", ())
    )


class AuditTrail:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        record = RequestAudit()
        token = audit_context.current.set(record)
        status = 500

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            audit_context.current.reset(token)
        method = scope["method"]
        refused = (
            status == 403 or status in BAD_INPUT or (status == 401 and _has_session_cookie(scope))
        )
        if record.entries or not (method not in SAFE_METHODS or refused):
            return
        await anyio.to_thread.run_sync(self._write, scope, method, status)

    @staticmethod
    def _write(scope: Scope, method: str, status: int) -> None:
        state: dict[str, Any] = scope.get("state", {})
        principal = state.get("principal")
        client = scope.get("client")
        try:
            store = scope["app"].state.store
            with store.session() as session:
                audit(
                    session,
                    "request",
                    _outcome(status),
                    user=principal,
                    target=f"{method} {scope['path']}"[:255],
                    detail={"status": status, "request_id": state.get("request_id")},
                    client=client[0] if client else None,
                )
        except Exception:  # the response has gone; the log keeps what the audit could not
            log.exception(
                "audit: could not record %s %s (%s) by %s",
                method,
                scope.get("path"),
                status,
                getattr(principal, "username", None),
            )
