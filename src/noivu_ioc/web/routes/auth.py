"""Login and logout, for pages (form and cookie) and for API clients (JSON and cookie)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from noivu_ioc.access.users import (
    Principal,
    authenticate,
    end_session,
    principal_of,
    start_session,
)
from noivu_ioc.errors import NotAuthenticatedError
from noivu_ioc.web.deps import SESSION_COOKIE, CurrentPrincipal, Lang, Store
from noivu_ioc.web.pages import render

router = APIRouter(tags=["session"])


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class PrincipalPublic(BaseModel):
    username: str
    full_name: str
    roles: list[str]
    national: bool
    provinces: list[str]
    communes: list[str]
    units: list[str]
    language: str

    @classmethod
    def of(cls, p: Principal) -> PrincipalPublic:
        return cls(
            username=p.username,
            full_name=p.full_name,
            roles=sorted(p.roles),
            national=p.scope.national,
            provinces=sorted(p.scope.provinces),
            communes=sorted(p.scope.communes),
            units=[u[0] for u in p.units],
            language=p.language,
        )


def _safe_next(target: str | None) -> str:
    # Only local paths: an open redirect would let a phishing link borrow our login page.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _set_cookie(request: Request, response: Response, token: str) -> None:
    settings = request.app.state.settings
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(settings.session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, lang: Lang, next: str = "/") -> Response:
    return render(request, "login.html", {"lang": lang, "next": _safe_next(next), "failed": False})


@router.post("/login", include_in_schema=False)
def login_form(
    request: Request,
    store: Store,
    lang: Lang,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    try:
        with store.session() as session:
            user = authenticate(session, username, password, _client(request))
            token = start_session(
                session,
                user,
                request.app.state.settings.session_hours,
                request.headers.get("user-agent"),
                _client(request),
            )
    except NotAuthenticatedError:
        return render(
            request,
            "login.html",
            {"lang": lang, "next": _safe_next(next), "failed": True, "username": username},
            status_code=401,
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    _set_cookie(request, response, token)
    return response


@router.post("/logout", include_in_schema=False)
def logout_form(request: Request, store: Store) -> Response:
    with store.session() as session:
        end_session(session, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post("/api/session", response_model=PrincipalPublic)
def api_login(request: Request, body: LoginRequest, store: Store) -> Response:
    """Log in; the session cookie comes back in ``Set-Cookie``."""
    with store.session() as session:
        user = authenticate(session, body.username, body.password, _client(request))
        token = start_session(
            session,
            user,
            request.app.state.settings.session_hours,
            request.headers.get("user-agent"),
            _client(request),
        )
        public = PrincipalPublic.of(principal_of(user))
    result = Response(public.model_dump_json(), media_type="application/json")
    _set_cookie(request, result, token)
    return result


@router.delete("/api/session", status_code=204)
def api_logout(request: Request, store: Store, principal: CurrentPrincipal) -> Response:
    """End the current session."""
    with store.session() as session:
        end_session(session, request.cookies.get(SESSION_COOKIE))
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/api/me", response_model=PrincipalPublic)
def me(principal: CurrentPrincipal) -> PrincipalPublic:
    """Who the session belongs to, their roles and their scope."""
    return PrincipalPublic.of(principal)
