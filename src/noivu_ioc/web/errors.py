"""One error envelope for JSON and HTML.

Every error the web layer returns has the same shape::

    {"error": {"status": 404, "code": "not_found", "message": "...", "request_id": "..."}}

JSON for ``/api/`` paths and clients that ask for JSON; the same fields rendered as a page
otherwise. A test pins this shape. The message is English unless the error has a Vietnamese
one and the page, or the client's Accept-Language, is Vietnamese.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from noivu_ioc.errors import IOCError
from noivu_ioc.web.i18n import request_language
from noivu_ioc.web.pages import render

log = logging.getLogger(__name__)

STATUS_OF_CODE: dict[str, int] = {
    "not_authenticated": 401,
    "not_allowed": 403,
    "not_found": 404,
    "conflict": 409,
    "invalid_input": 422,
    "store_unavailable": 503,
    "configuration": 500,
    "too_large": 413,
    "unsupported_type": 415,
    "source_error": 502,  # the sector system, not the IOC, failed to answer
    "mass_delete": 409,
}

CODE_OF_STATUS: dict[int, str] = {
    400: "bad_request",
    401: "not_authenticated",
    403: "not_allowed",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_type",
    422: "invalid_input",
    429: "too_many_requests",
}


class ErrorDetail(BaseModel):
    status: int
    code: str
    message: str
    request_id: str


class ErrorEnvelope(BaseModel):
    """What every error answers, whatever the route."""

    error: ErrorDetail


# Declared on every route of the API, so that its schema says what an error looks like.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorEnvelope, "description": description}
    for status, description in (
        (400, "The request is malformed."),
        (401, "Not logged in, or the session has ended."),
        (403, "Not allowed: a role or a scope refuses it (audited)."),
        (404, "Not found, or outside the caller's scope."),
        (409, "Conflicts with the current state."),
        (413, "Too large."),
        (415, "Unsupported media type."),
        (422, "Invalid input: the message names the value and the fix."),
        (429, "Too many attempts; try again later."),
    )
}


def envelope(status: int, code: str, message: str, request_id: str) -> dict[str, Any]:
    return {"error": {"status": status, "code": code, "message": message, "request_id": request_id}}


def wants_json(request: Request) -> bool:
    if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _asks_for_vietnamese(request: Request) -> bool:
    first = request.headers.get("accept-language", "").split(",")[0].split(";")[0]
    return first.strip().lower().split("-")[0] == "vi"


def render_error(
    request: Request,
    status: int,
    code: str,
    message: str,
    headers: Mapping[str, str] | None = None,
    vi: str | None = None,
) -> Response:
    """The error as JSON or as a page; ``message`` is English, ``vi`` (where there is one)
    takes its place on a Vietnamese page and for a client whose Accept-Language puts
    Vietnamese first (the pages' scripts send theirs)."""
    request_id = getattr(request.state, "request_id", None) or uuid.uuid4().hex[:12]
    if code == "not_authenticated" and not wants_json(request):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={_quote(target)}", status_code=303)
    if wants_json(request):
        if vi and _asks_for_vietnamese(request):
            message, headers = vi, {**(headers or {}), "Content-Language": "vi"}
        return JSONResponse(
            envelope(status, code, message, request_id), status_code=status, headers=headers
        )
    lang = request_language(request, request.app.state.settings.default_language)
    if lang == "vi" and vi:
        message = vi
    return render(
        request,
        "error.html",
        {
            "error": envelope(status, code, message, request_id)["error"],
            "lang": lang,
            "principal": getattr(request.state, "principal", None),
        },
        status_code=status,
        headers=headers,
    )


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body",))
        value = err.get("input")
        shown = f" (got {value!r})" if value is not None and not isinstance(value, dict) else ""
        parts.append(f"{where}: {err.get('msg', 'invalid')}{shown}")
    return "; ".join(parts) or "the request is not valid"


def _allowed(request: Request) -> list[str]:
    literal: set[str] = set()  # routes whose path is this very path (/api/alert-rules/check)
    templated: set[str] = set()  # routes whose parameters match it (/api/alert-rules/{name})
    scope = {**request.scope, "method": "\x00"}  # no route has it: every match is partial
    routes = list(request.app.router.routes)
    while routes:
        route = routes.pop()
        if hasattr(route, "original_router"):  # an included router, kept whole
            routes.extend(route.original_router.routes)
            continue
        match, _ = route.matches(scope)
        if match is Match.PARTIAL:
            methods = set(getattr(route, "methods", None) or ())
            (templated if "{" in getattr(route, "path", "") else literal).update(methods)
    return sorted(literal or templated)


def install_error_handlers(app: FastAPI) -> None:
    async def on_domain_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, IOCError)
        status = STATUS_OF_CODE.get(exc.code, 400)
        if status >= 500:
            log.error("request %s failed: %s", request.url.path, exc.message)
        return render_error(request, status, exc.code, exc.message, vi=exc.vi)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        code = CODE_OF_STATUS.get(exc.status_code, "error")
        detail = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        vi = None
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"there is no page or API at {request.url.path}"
            vi = f"không có trang hay API nào ở {request.url.path}"
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # RFC 9110: Allow lists every method of the resource. Starlette names those of
            # the first route that matched the path; one path may have several routes.
            headers["Allow"] = ", ".join(_allowed(request))
        return render_error(request, exc.status_code, code, detail, headers, vi)

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return render_error(request, 422, "invalid_input", _validation_message(exc))

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return render_error(
            request,
            500,
            "internal",
            "an unexpected error occurred; it has been logged",
            vi="đã xảy ra lỗi ngoài dự kiến; lỗi đã được ghi lại",
        )

    app.add_exception_handler(IOCError, on_domain_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(Exception, on_unexpected)
