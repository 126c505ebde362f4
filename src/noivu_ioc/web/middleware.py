"""Per-request context as plain ASGI middleware (Starlette's BaseHTTPMiddleware costs a task
and a stream copy per request, which showed on the wall's cached endpoints): a request id,
the secure headers, and the language cookie when ``?lang=`` chose one."""

from __future__ import annotations

import uuid
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from noivu_ioc.web import i18n

_SECURE_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"SAMEORIGIN"),
)


class RequestContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex[:12]
        scope.setdefault("state", {})["request_id"] = request_id
        lang = None
        query = scope.get("query_string", b"")
        if b"lang=" in query:
            asked = parse_qs(query.decode("latin-1")).get("lang", [None])[-1]
            lang = asked if asked in i18n.LANGUAGES else None

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.append((b"x-request-id", request_id.encode()))
                headers.extend(h for h in _SECURE_HEADERS if h[0] not in present)
                if lang is not None:
                    cookie: SimpleCookie = SimpleCookie()
                    cookie[i18n.LANG_COOKIE] = lang
                    cookie[i18n.LANG_COOKIE]["max-age"] = 365 * 86400
                    cookie[i18n.LANG_COOKIE]["path"] = "/"
                    cookie[i18n.LANG_COOKIE]["samesite"] = "lax"
                    headers.append(
                        (b"set-cookie", cookie.output(header="").strip().encode("latin-1"))
                    )
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
