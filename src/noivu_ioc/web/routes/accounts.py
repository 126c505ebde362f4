"""Accounts: the second factor (TOTP), sessions and their revocation, password changes, sign-in
through an external OpenID Connect provider.

A session that waits for its second factor reaches only the routes here that take
``LoginInProgress`` (give the code, enrol a factor); every other route refuses it
(``deps.current_principal``)."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from noivu_ioc.access import throttle, totp
from noivu_ioc.access.oidc import (
    REFUSED,
    OidcError,
    PendingSignIn,
    match_user,
)
from noivu_ioc.access.roles import Permission
from noivu_ioc.access.throttle import ThrottlePolicy
from noivu_ioc.access.users import (
    LoginState,
    Principal,
    audit,
    change_password,
    complete_second_factor,
    get_user,
    live_sessions,
    login_state,
    principal_of,
    revoke_session,
    second_factor_due,
    second_factor_failed,
    session_row,
    start_session,
)
from noivu_ioc.errors import (
    ConfigurationError,
    InvalidInputError,
    IOCError,
    NotAuthenticatedError,
)
from noivu_ioc.store.models import LoginSession, User
from noivu_ioc.store.secrets import SecretBox, secret_box
from noivu_ioc.web.deps import (
    SESSION_COOKIE,
    CurrentPrincipal,
    Lang,
    LoginInProgress,
    RowId,
    Store,
    client_of,
    require,
)
from noivu_ioc.web.pages import render
from noivu_ioc.web.routes.auth import (
    PrincipalPublic,
    _safe_next,
    _set_cookie,
    login_context,
    oidc_provider,
    second_factor_page,
)

router = APIRouter(tags=["accounts"])

UserManager = Annotated[Principal, Depends(require(Permission.MANAGE_USERS))]

OIDC_COOKIE = "ioc_oidc"
VIETNAM = timedelta(hours=7)
CODE_REFUSED = (
    "the code is not right, was used already, or the account is paused after too many "
    "failed attempts; type the code the app shows now (a new one comes every 30 s)"
)
CODE_REFUSED_VI = (
    "mã không đúng, đã được dùng rồi, hoặc tài khoản đang tạm khóa sau quá nhiều lần thử sai; "
    "hãy gõ mã ứng dụng đang hiện (cứ 30 giây lại có mã mới)"
)
CODE_FIRST = "give the code of your second factor first, at /login/totp"
CODE_FIRST_VI = "hãy nhập mã của yếu tố xác thực thứ hai trước, ở /login/totp"


class CodeIn(BaseModel):
    code: str = Field(min_length=1, max_length=16, description="The 6 digits the app shows.")


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)


class PasswordChanged(BaseModel):
    sessions_ended: int


class EnrolmentPublic(BaseModel):
    secret: str = Field(description="The secret in base32, for apps that cannot scan.")
    uri: str = Field(description="The otpauth:// URI the QR code holds.")
    qr_svg: str = Field(description="The QR code as an inline SVG element.")


class TotpStatus(BaseModel):
    enrolled: bool
    required: bool
    waiting: str | None


class SessionPublic(BaseModel):
    id: int
    username: str
    created_at: datetime
    last_seen_at: datetime | None
    expires_at: datetime
    client: str | None
    user_agent: str | None
    method: str
    second_factor: bool
    current: bool


class TotpReset(BaseModel):
    username: str
    sessions_ended: int


class Unlocked(BaseModel):
    username: str
    cleared: bool


def _box(request: Request) -> SecretBox:
    box: SecretBox | None = getattr(request.app.state, "accounts_box", None)
    if box is None:
        box = secret_box(request.app.state.settings)
        request.app.state.accounts_box = box
    return box


def _policy(request: Request) -> ThrottlePolicy:
    return ThrottlePolicy.of(request.app.state.settings)


def _no_store(response: Response) -> Response:
    # Pages with a secret (the QR code) or the list of sessions are never kept in a cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _local(value: datetime | None) -> str:
    return (_aware(value) + VIETNAM).strftime("%d/%m/%Y %H:%M") if value else "–"


def _session_public(row: LoginSession, current_id: int | None) -> SessionPublic:
    return SessionPublic(
        id=row.id,
        username=row.user.username,
        created_at=_aware(row.created_at),
        last_seen_at=_aware(row.last_seen_at) if row.last_seen_at else None,
        expires_at=_aware(row.expires_at),
        client=row.client,
        user_agent=row.user_agent,
        method=row.method,
        second_factor=row.second_factor_at is not None,
        current=row.id == current_id,
    )


def _current_session_id(request: Request, store: Store) -> int | None:
    try:
        with store.session() as session:
            return login_state(session, request.cookies.get(SESSION_COOKIE)).session_id
    except NotAuthenticatedError:
        return None


# -- the second step of a login: the code ---------------------------------------------------


def _give_code(request: Request, store: Store, state: LoginState, code: str) -> str:
    """Check the code of a waiting session; the session's new token when it is right."""
    if state.waiting != "totp":
        raise InvalidInputError(
            "this session does not wait for a code"
            + ("; enrol a second factor at /account/totp" if state.waiting == "enrol" else "")
        )
    settings = request.app.state.settings
    client = client_of(request)
    with store.session() as session:
        row = session_row(session, state.session_id)
        user = session.get(User, state.user_id, with_for_update=True, populate_existing=True)
        assert user is not None
        key = throttle.user_key(user.username)
        if not throttle.locked(session, [key]) and totp.verify(session, user, _box(request), code):
            return complete_second_factor(session, row, settings.session_hours, client)
        second_factor_failed(session, row, client, _policy(request))
    raise NotAuthenticatedError(CODE_REFUSED, vi=CODE_REFUSED_VI)


@router.get("/login/totp", response_class=HTMLResponse, include_in_schema=False)
def totp_page(request: Request, lang: Lang, state: LoginInProgress, next: str = "/") -> Response:
    target = _safe_next(next)
    if state.waiting is None:
        return RedirectResponse(target, status_code=303)
    if state.waiting == "enrol":
        return RedirectResponse(second_factor_page("enrol", target), status_code=303)
    context = {"lang": lang, "next": target, "username": state.username, "error": None}
    return _no_store(render(request, "login_totp.html", context))


@router.post("/login/totp", include_in_schema=False)
def totp_form(
    request: Request,
    store: Store,
    lang: Lang,
    state: LoginInProgress,
    code: Annotated[str, Form(max_length=16)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    target = _safe_next(next)
    try:
        token = _give_code(request, store, state, code)
    except (NotAuthenticatedError, InvalidInputError) as exc:
        context = {
            "lang": lang,
            "next": target,
            "username": state.username,
            "error": exc.text(lang),
        }
        return _no_store(render(request, "login_totp.html", context, status_code=401))
    response = RedirectResponse(target, status_code=303)
    _set_cookie(request, response, token)
    return response


@router.post("/api/session/totp", response_model=PrincipalPublic)
def api_totp(request: Request, store: Store, state: LoginInProgress, body: CodeIn) -> Response:
    """The second step of a login: the 6-digit code of the authenticator app. A code is
    accepted once; a wrong one counts as a failed login. The session gets a new token (in
    ``Set-Cookie``, its CSRF token in ``X-CSRF-Token``)."""
    token = _give_code(request, store, state, body.code)
    with store.session() as session:
        public = PrincipalPublic.of(principal_of(get_user(session, state.username)))
    response = Response(public.model_dump_json(), media_type="application/json")
    _set_cookie(request, response, token)
    return response


# -- enrolment of a second factor ------------------------------------------------------------


def _begin(request: Request, store: Store, state: LoginState) -> totp.Enrolment | None:
    """The enrolment under way (started if need be), or None when the user has a factor."""
    if state.waiting == "totp":
        raise InvalidInputError(CODE_FIRST, vi=CODE_FIRST_VI)
    with store.session() as session:
        user = session.get(User, state.user_id)
        assert user is not None
        if user.totp_confirmed_at is not None:
            return None
        return totp.begin(session, user, _box(request), request.app.state.settings.totp_issuer)


def _confirm(request: Request, store: Store, state: LoginState, code: str) -> str:
    """Confirm the enrolment with its first code; the session's new token."""
    if state.waiting == "totp":
        raise InvalidInputError(CODE_FIRST, vi=CODE_FIRST_VI)
    with store.session() as session:
        user = session.get(User, state.user_id, with_for_update=True, populate_existing=True)
        assert user is not None
        totp.confirm(session, user, _box(request), code)
        row = session_row(session, state.session_id)
        hours = request.app.state.settings.session_hours
        return complete_second_factor(session, row, hours, client_of(request))


def _enrol_context(
    request: Request, lang: str, state: LoginState, enrolment: totp.Enrolment | None, next_path: str
) -> dict[str, object]:
    return {
        "lang": lang,
        "next": next_path,
        "state": state,
        "enrolment": enrolment,
        "error": None,
        # The nav stays hidden while the session may do nothing else.
        "principal": None,
    }


@router.get("/account/totp", response_class=HTMLResponse, include_in_schema=False)
def enrol_page(
    request: Request, store: Store, lang: Lang, state: LoginInProgress, next: str = "/account"
) -> Response:
    target = _safe_next(next)
    if state.waiting == "totp":
        return RedirectResponse(second_factor_page("totp", target), status_code=303)
    enrolment = _begin(request, store, state)
    context = _enrol_context(request, lang, state, enrolment, target)
    return _no_store(render(request, "account_totp.html", context))


@router.post("/account/totp", include_in_schema=False)
def enrol_form(
    request: Request,
    store: Store,
    lang: Lang,
    state: LoginInProgress,
    code: Annotated[str, Form(max_length=16)],
    next: Annotated[str, Form()] = "/account",
) -> Response:
    target = _safe_next(next)
    try:
        token = _confirm(request, store, state, code)
    except InvalidInputError as exc:
        context = _enrol_context(request, lang, state, _begin(request, store, state), target)
        context["error"] = exc.text(lang)
        return _no_store(render(request, "account_totp.html", context, status_code=422))
    response = RedirectResponse(target if state.waiting else "/account?msg=totp", 303)
    _set_cookie(request, response, token)
    return response


@router.get("/api/account/totp", response_model=TotpStatus)
def api_totp_status(store: Store, state: LoginInProgress) -> TotpStatus:
    """Whether the caller has a second factor, must have one, and what the session waits
    for (also while it waits)."""
    with store.session() as session:
        user = session.get(User, state.user_id)
        assert user is not None
        return TotpStatus(
            enrolled=user.totp_confirmed_at is not None,
            required=second_factor_due(user) is not None,
            waiting=state.waiting,
        )


@router.post("/api/account/totp/enrolment", response_model=EnrolmentPublic)
def api_enrol(request: Request, store: Store, state: LoginInProgress) -> Response:
    """Start enrolling an authenticator app: the secret, its otpauth:// URI and a QR code
    (the same until confirmed). An administrator's session that waits for it may do this."""
    enrolment = _begin(request, store, state)
    if enrolment is None:
        raise InvalidInputError(
            f"user {state.username} already has a second factor; an administrator can reset it"
        )
    public = EnrolmentPublic(secret=enrolment.secret, uri=enrolment.uri, qr_svg=enrolment.qr_svg)
    return _no_store(Response(public.model_dump_json(), media_type="application/json"))


@router.post("/api/account/totp/confirm", response_model=PrincipalPublic)
def api_confirm(request: Request, store: Store, state: LoginInProgress, body: CodeIn) -> Response:
    """Confirm the enrolment with the first code the app shows; a waiting session is then
    complete (a new token comes in ``Set-Cookie``)."""
    token = _confirm(request, store, state, body.code)
    with store.session() as session:
        public = PrincipalPublic.of(principal_of(get_user(session, state.username)))
    response = Response(public.model_dump_json(), media_type="application/json")
    _set_cookie(request, response, token)
    return response


# -- one's own account: sessions, password ---------------------------------------------------


def _account_context(
    request: Request, store: Store, principal: Principal, lang: str, **more: object
) -> dict[str, object]:
    current = _current_session_id(request, store)
    with store.session() as session:
        user = session.get(User, principal.user_id)
        assert user is not None
        rows = [_session_public(r, current) for r in live_sessions(session, user.id)]
        enrolled = user.totp_confirmed_at is not None
        changed = user.password_changed_at
    return {
        "lang": lang,
        "principal": principal,
        "sessions": rows,
        "enrolled": enrolled,
        "password_changed": _local(changed),
        "local": _local,
        "msg": request.query_params.get("msg"),
        "error": None,
        **more,
    }


@router.get("/account", response_class=HTMLResponse, include_in_schema=False)
def account_page(
    request: Request, store: Store, lang: Lang, principal: CurrentPrincipal
) -> Response:
    context = _account_context(request, store, principal, lang)
    return _no_store(render(request, "account.html", context))


@router.post("/account/password", include_in_schema=False)
def password_form(
    request: Request,
    store: Store,
    lang: Lang,
    principal: CurrentPrincipal,
    current_password: Annotated[str, Form(max_length=256)],
    new_password: Annotated[str, Form(max_length=256)],
    repeat_password: Annotated[str, Form(max_length=256)],
) -> Response:
    try:
        if new_password != repeat_password:
            raise InvalidInputError(
                "the two new passwords differ; type the same one twice",
                vi="hai mật khẩu mới không giống nhau; hãy gõ cùng một mật khẩu hai lần",
            )
        _change_password(request, store, principal, current_password, new_password)
    except InvalidInputError as exc:
        context = _account_context(request, store, principal, lang, error=exc.text(lang))
        return _no_store(render(request, "account.html", context, status_code=422))
    return RedirectResponse("/account?msg=password", status_code=303)


def _change_password(
    request: Request, store: Store, principal: Principal, current: str, new: str
) -> int:
    keep = _current_session_id(request, store)
    with store.session() as session:
        return change_password(
            session,
            principal.user_id,
            current,
            new,
            keep_session_id=keep,
            client=client_of(request),
            policy=_policy(request),
        )


@router.post("/api/account/password", response_model=PasswordChanged)
def api_password(
    request: Request, store: Store, principal: CurrentPrincipal, body: PasswordChange
) -> PasswordChanged:
    """Change one's own password: the current one is required; the new one has 12 to 256
    characters and must not be easy to guess. Every other session of the user ends."""
    ended = _change_password(request, store, principal, body.current_password, body.new_password)
    return PasswordChanged(sessions_ended=ended)


@router.get("/api/account/sessions", response_model=list[SessionPublic])
def api_my_sessions(request: Request, store: Store, principal: CurrentPrincipal) -> Response:
    """One's own live sessions, newest first; ``current`` marks this one."""
    current = _current_session_id(request, store)
    with store.session() as session:
        rows = [_session_public(r, current) for r in live_sessions(session, principal.user_id)]
    body = "[" + ",".join(r.model_dump_json() for r in rows) + "]"
    return _no_store(Response(body, media_type="application/json"))


@router.delete("/api/account/sessions/{session_id}", status_code=204)
def api_revoke_mine(
    request: Request, session_id: RowId, store: Store, principal: CurrentPrincipal
) -> Response:
    """End one of one's own sessions (another browser, a lost phone)."""
    with store.session() as session:
        revoke_session(session, principal, session_id, client=client_of(request))
    return Response(status_code=204)


@router.post("/account/sessions/{session_id}/revoke", include_in_schema=False)
def revoke_mine_form(
    request: Request, session_id: RowId, store: Store, principal: CurrentPrincipal
) -> Response:
    current = _current_session_id(request, store)
    with store.session() as session:
        revoke_session(session, principal, session_id, client=client_of(request))
    if session_id == current:
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response
    return RedirectResponse("/account?msg=revoked", status_code=303)


# -- administrators: everyone's sessions, second factors and lock-outs -----------------------


def _all_sessions(store: Store, username: str | None, current: int | None) -> list[SessionPublic]:
    with store.session() as session:
        user_id = get_user(session, username).id if username else None
        return [_session_public(r, current) for r in live_sessions(session, user_id)]


@router.get("/admin/sessions", response_class=HTMLResponse, include_in_schema=False)
def admin_sessions_page(
    request: Request, store: Store, lang: Lang, principal: UserManager, username: str = ""
) -> Response:
    current = _current_session_id(request, store)
    rows = _all_sessions(store, username.strip() or None, current)
    with store.session() as session:
        people = [
            {
                "username": u.username,
                "full_name": u.full_name,
                "enrolled": u.totp_confirmed_at is not None,
                "active": u.active,
            }
            for u in session.scalars(select(User).order_by(User.username))
        ]
    context = {
        "lang": lang,
        "principal": principal,
        "sessions": rows,
        "people": people,
        "username": username.strip(),
        "local": _local,
        "msg": request.query_params.get("msg"),
    }
    return _no_store(render(request, "admin_sessions.html", context))


@router.get("/api/sessions", response_model=list[SessionPublic])
def api_sessions(
    request: Request, store: Store, principal: UserManager, username: str | None = None
) -> Response:
    """Everyone's live sessions (or one user's), newest first; administrators only."""
    rows = _all_sessions(store, username, _current_session_id(request, store))
    body = "[" + ",".join(r.model_dump_json() for r in rows) + "]"
    return _no_store(Response(body, media_type="application/json"))


@router.delete("/api/sessions/{session_id}", status_code=204)
def api_revoke_any(
    request: Request, session_id: RowId, store: Store, principal: UserManager
) -> Response:
    """End anyone's session; administrators only. It stops working at once in this server
    and within ``IOC_SESSION_CACHE_SECONDS`` in the others."""
    with store.session() as session:
        revoke_session(session, principal, session_id, any_user=True, client=client_of(request))
    return Response(status_code=204)


@router.post("/admin/sessions/{session_id}/revoke", include_in_schema=False)
def revoke_any_form(
    request: Request, session_id: RowId, store: Store, principal: UserManager
) -> Response:
    with store.session() as session:
        revoke_session(session, principal, session_id, any_user=True, client=client_of(request))
    return RedirectResponse("/admin/sessions?msg=revoked", status_code=303)


def _reset_totp(request: Request, store: Store, principal: Principal, username: str) -> int:
    with store.session() as session:
        return totp.reset(session, principal, get_user(session, username), client_of(request))


@router.post("/api/users/{username}/totp-reset", response_model=TotpReset)
def api_totp_reset(
    request: Request, username: str, store: Store, principal: UserManager
) -> TotpReset:
    """Remove a user's second factor (a lost phone) and end their sessions; they enrol
    again at their next login (administrators must). Administrators only."""
    return TotpReset(
        username=username, sessions_ended=_reset_totp(request, store, principal, username)
    )


@router.post("/admin/users/{username}/totp-reset", include_in_schema=False)
def totp_reset_form(
    request: Request, username: str, store: Store, principal: UserManager
) -> Response:
    _reset_totp(request, store, principal, username)
    return RedirectResponse("/admin/sessions?msg=totp_reset", status_code=303)


def _unlock(request: Request, store: Store, principal: Principal, username: str) -> bool:
    with store.session() as session:
        user = get_user(session, username)
        cleared = throttle.clear(session, throttle.user_key(user.username))
        audit(
            session,
            "login.unlock",
            "ok",
            user=principal,
            target=user.username,
            client=client_of(request),
            detail={"cleared": cleared},
        )
        return cleared


@router.post("/api/users/{username}/unlock", response_model=Unlocked)
def api_unlock(request: Request, username: str, store: Store, principal: UserManager) -> Unlocked:
    """Forget a username's failed logins and lift its lock-out; administrators only."""
    return Unlocked(username=username, cleared=_unlock(request, store, principal, username))


@router.post("/admin/users/{username}/unlock", include_in_schema=False)
def unlock_form(request: Request, username: str, store: Store, principal: UserManager) -> Response:
    _unlock(request, store, principal, username)
    return RedirectResponse("/admin/sessions?msg=unlocked", status_code=303)


# -- sign-in through an OpenID Connect provider -----------------------------------------------


def _redirect_uri(request: Request) -> str:
    public: str = request.app.state.settings.public_url
    return public.rstrip("/") + "/login/oidc/callback"


def _oidc_refused(request: Request, lang: str, next_path: str = "/") -> Response:
    context = login_context(request, lang, next_path, oidc_failed=True)
    response = render(request, "login.html", context, status_code=401)
    response.delete_cookie(OIDC_COOKIE, path="/login/oidc")
    return response


@router.get("/login/oidc", include_in_schema=False)
def oidc_start(request: Request, lang: Lang, next: str = "/") -> Response:
    provider = oidc_provider(request)
    try:
        url, pending = provider.start(_redirect_uri(request), _safe_next(next))
    except OidcError:
        return _oidc_refused(request, lang, next)
    sealed = _box(request).seal(pending.as_dict())
    assert sealed is not None
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        OIDC_COOKIE,
        sealed,
        max_age=600,
        path="/login/oidc",
        httponly=True,
        # Lax: the cookie comes back with the provider's top-level redirect to the callback.
        samesite="lax",
        secure=request.app.state.settings.secure_cookies,
    )
    return response


@router.get("/login/oidc/callback", include_in_schema=False)
def oidc_callback(
    request: Request,
    store: Store,
    lang: Lang,
    code: str | None = None,
    state: str | None = None,
    error: str | None = None,
) -> Response:
    provider = oidc_provider(request)
    client = client_of(request)
    settings = request.app.state.settings
    try:
        pending = _pending(request)
        problem = _callback_problem(pending, code, state, error)
        if problem:
            raise _Refused(problem)
        assert code is not None
        claims = provider.finish(pending, code, _redirect_uri(request))
        with store.session() as session:
            user = match_user(session, provider.config, claims, client)
            due = second_factor_due(user)
            token = start_session(
                session,
                user,
                settings.session_hours,
                request.headers.get("user-agent"),
                client,
                method="oidc",
            )
    except _Refused as refused:
        with store.session() as session:
            audit(
                session,
                "login",
                "failed",
                detail={"method": "oidc", "reason": refused.reason},
                client=client,
            )
        return _oidc_refused(request, lang)
    except (OidcError, ConfigurationError):
        return _oidc_refused(request, lang)
    target = second_factor_page(due, pending.next) if due else pending.next
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(OIDC_COOKIE, path="/login/oidc")
    _set_cookie(request, response, token)
    return response


class _Refused(IOCError):
    def __init__(self, reason: str) -> None:
        super().__init__(REFUSED)
        self.reason = reason


def _pending(request: Request) -> PendingSignIn:
    sealed = request.cookies.get(OIDC_COOKIE)
    if not sealed:
        raise _Refused("no sign-in under way (the cookie is missing or expired)")
    try:
        return PendingSignIn.from_dict(_box(request).open(sealed))
    except (ConfigurationError, OidcError):
        raise _Refused("the sign-in cookie is not one this server made") from None


def _callback_problem(
    pending: PendingSignIn, code: str | None, state: str | None, error: str | None
) -> str | None:
    if error:
        return f"the provider answered error {error[:64]!r}"
    if pending.expired:
        return "the sign-in took longer than 10 minutes"
    if not state or not hmac.compare_digest(state.encode(), pending.state.encode()):
        return "the state does not match the sign-in under way"
    if not code:
        return "the provider sent no code"
    return None
