"""Login and logout, for pages (form and cookie) and for API clients (JSON and cookie).

A login whose account has a second factor (every administrator must) opens a session that
waits for it: the form goes on to ``/login/totp`` (or, for an administrator without one,
to the enrolment at ``/account/totp``), the API answers 202 with what is due; those steps
live in ``routes.accounts``."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from noivu_ioc.access.oidc import OidcConfig, OidcProvider
from noivu_ioc.access.throttle import ThrottlePolicy
from noivu_ioc.access.users import (
    Principal,
    authenticate,
    end_session,
    login_state,
    principal_of,
    second_factor_due,
    start_session,
)
from noivu_ioc.errors import NotAuthenticatedError, NotFoundError
from noivu_ioc.web.deps import SESSION_COOKIE, CurrentPrincipal, Lang, Store
from noivu_ioc.web.pages import render
from noivu_ioc.web.security import CsrfKeys

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


class SecondFactorDue(BaseModel):
    """The answer to a login that still needs the second factor (status 202)."""

    second_factor: str  # "totp": send the code; "enrol": enrol an authenticator app first
    message: str


def _set_cookie(request: Request, response: Response, token: str) -> None:
    """The session cookie, and the session's CSRF token in ``X-CSRF-Token`` for API clients
    that post forms or files (pages read it from their meta tag)."""
    settings = request.app.state.settings
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(settings.session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )
    keys: CsrfKeys | None = getattr(request.state, "csrf", None)
    if keys is not None:
        response.headers["X-CSRF-Token"] = keys.token("session", token)


def second_factor_page(due: str, next_path: str) -> str:
    """Where a login form goes on to for the second factor that is due."""
    step = "/login/totp" if due == "totp" else "/account/totp"
    return f"{step}?next={quote(next_path, safe='/')}"


DUE_MESSAGES = {
    "totp": "the password is right; now send the 6-digit code of your authenticator app to "
    "POST /api/session/totp",
    "enrol": "the password is right; this account must enrol a second factor first: POST "
    "/api/account/totp/enrolment, then POST /api/account/totp/confirm with the first code",
}


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


def login_context(
    request: Request, lang: Lang, next_path: str, **more: object
) -> dict[str, object]:
    config = OidcConfig.of(request.app.state.settings)
    return {
        "lang": lang,
        "next": _safe_next(next_path),
        "failed": False,
        "oidc_label": config.label if config else None,
        **more,
    }


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, store: Store, lang: Lang, next: str = "/") -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        # A session that waits for its second factor goes back to that step.
        settings = request.app.state.settings
        try:
            with store.session() as session:
                state = login_state(session, token, idle_minutes=settings.session_idle_minutes)
        except NotAuthenticatedError:
            state = None
        if state is not None and state.waiting:
            return RedirectResponse(second_factor_page(state.waiting, _safe_next(next)), 303)
    return render(request, "login.html", login_context(request, lang, next))


@router.post("/login", include_in_schema=False)
def login_form(
    request: Request,
    store: Store,
    lang: Lang,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    settings = request.app.state.settings
    try:
        with store.session() as session:
            user = authenticate(
                session, username, password, _client(request), policy=ThrottlePolicy.of(settings)
            )
            due = second_factor_due(user)
            token = start_session(
                session,
                user,
                settings.session_hours,
                request.headers.get("user-agent"),
                _client(request),
            )
    except NotAuthenticatedError:
        return render(
            request,
            "login.html",
            login_context(request, lang, next, failed=True, username=username),
            status_code=401,
        )
    target = second_factor_page(due, _safe_next(next)) if due else _safe_next(next)
    response = RedirectResponse(target, status_code=303)
    _set_cookie(request, response, token)
    return response


def oidc_provider(request: Request) -> OidcProvider:
    """The configured OpenID Connect provider (its metadata and keys kept per process)."""
    config = OidcConfig.of(request.app.state.settings)
    if config is None:
        raise NotFoundError(
            "sign-in through an identity provider is not configured here (IOC_OIDC_ISSUER); "
            "log in with a username and password"
        )
    found: OidcProvider | None = getattr(request.app.state, "oidc", None)
    if found is None or found.config != config:
        found = OidcProvider(config)
        request.app.state.oidc = found
    return found


@router.post("/logout", include_in_schema=False)
def logout_form(request: Request, store: Store, lang: Lang) -> Response:
    """End the session; one opened through the identity provider goes on to end the
    person's session there too, when the provider offers it (IOC_OIDC_LOGOUT)."""
    settings = request.app.state.settings
    with store.session() as session:
        method = end_session(session, request.cookies.get(SESSION_COOKIE))
    target = "/login"
    if method == "oidc" and settings.oidc_logout and OidcConfig.of(settings) is not None:
        back_to = settings.public_url.rstrip("/") + "/login"
        target = oidc_provider(request).logout_url(back_to, lang) or target
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post(
    "/api/session",
    response_model=PrincipalPublic,
    responses={202: {"model": SecondFactorDue, "description": "The second factor is due."}},
)
def api_login(request: Request, body: LoginRequest, store: Store) -> Response:
    """Log in; the session cookie comes back in ``Set-Cookie`` and the session's CSRF token
    in ``X-CSRF-Token`` (send it back as that header with form or file bodies). When the
    account has a second factor (administrators must), the answer is 202 with
    ``second_factor``: the session then waits for the code (``POST /api/session/totp``) or,
    for an administrator without one, the enrolment (``/api/account/totp/...``)."""
    settings = request.app.state.settings
    with store.session() as session:
        user = authenticate(
            session,
            body.username,
            body.password,
            _client(request),
            policy=ThrottlePolicy.of(settings),
        )
        due = second_factor_due(user)
        token = start_session(
            session,
            user,
            settings.session_hours,
            request.headers.get("user-agent"),
            _client(request),
        )
        public = PrincipalPublic.of(principal_of(user))
    if due:
        waiting = SecondFactorDue(second_factor=due, message=DUE_MESSAGES[due])
        result = Response(waiting.model_dump_json(), status_code=202, media_type="application/json")
    else:
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
