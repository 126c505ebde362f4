"""Accounts, login sessions and the audit of both."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from noivu_ioc.access import audit_context, throttle
from noivu_ioc.access.passwords import (
    check_strength,
    hash_password,
    needs_rehash,
    verify_password,
)
from noivu_ioc.access.roles import PERMISSIONS, Permission, Role, parse_role
from noivu_ioc.access.scope import Scope
from noivu_ioc.access.throttle import ThrottlePolicy
from noivu_ioc.errors import (
    ConflictError,
    InvalidInputError,
    NotAllowedError,
    NotAuthenticatedError,
    NotFoundError,
)
from noivu_ioc.store.models import (
    AuditEvent,
    LoginSession,
    OrgUnit,
    User,
    UserRole,
    UserScope,
    utcnow,
)
from noivu_ioc.units import org

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is making a request: the user, their roles, and the units they answer for."""

    user_id: int
    username: str
    full_name: str
    roles: frozenset[Role]
    scope: Scope
    units: tuple[tuple[str, str, str], ...]  # (code, name_vi, name_en) of the scope units
    language: str

    def can(self, permission: Permission) -> bool:
        return any(permission in PERMISSIONS[r] for r in self.roles)

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise NotAllowedError(
                f"user {self.username} may not {permission.value.replace('_', ' ')}; "
                "ask an administrator for a role that allows it",
                vi=f"tài khoản {self.username} không có quyền này ({permission.value}); hãy "
                "đề nghị quản trị viên cấp một vai trò cho phép",
            )


def audit(
    session: Session,
    action: str,
    outcome: str,
    *,
    user: User | Principal | None = None,
    username: str | None = None,
    target: str | None = None,
    detail: dict[str, object] | None = None,
    client: str | None = None,
) -> None:
    audit_context.noted(refusal=outcome == "denied")
    session.add(
        AuditEvent(
            user_id=getattr(user, "user_id", None) or getattr(user, "id", None),
            username=username or getattr(user, "username", None),
            action=action,
            target=target,
            outcome=outcome,
            detail=detail,
            client=client,
        )
    )


def _check_username(username: str) -> str:
    name = username.strip()
    if not name or len(name) > 64 or not all(c.isalnum() or c in "._-@" for c in name):
        raise InvalidInputError(
            f"username {username!r} is not valid: use 1-64 letters, digits, '.', '_', '-' or '@'"
        )
    return name


def create_user(
    session: Session,
    *,
    username: str,
    full_name: str,
    password: str,
    roles: list[str],
    units: list[str],
    email: str | None = None,
    language: str = "vi",
) -> User:
    """Create an account; everything is checked before anything is written."""
    name = _check_username(username)
    if not roles:
        raise InvalidInputError(
            f"user {name} needs at least one role: {', '.join(r.value for r in Role)}"
        )
    try:
        parsed_roles = sorted({parse_role(r) for r in roles})
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from None
    if session.scalar(select(User).where(User.username == name)) is not None:
        raise ConflictError(f"user {name} already exists; choose another username")
    scope_units = [org.find_unit(session, code) for code in units]
    if not scope_units:
        raise InvalidInputError(
            f"user {name} needs a scope: give one or more units with --unit, e.g. BNV for the "
            "ministry (national) or SNV.01 for Hà Nội's Department of Home Affairs"
        )
    if Role.PROVINCIAL_OFFICER in parsed_roles:
        org.check_provincial_scope(scope_units)
    if language not in ("vi", "en"):
        raise InvalidInputError(f"language {language!r} is not supported; use vi or en")
    check_strength(password, username=name, full_name=full_name)

    user = User(
        username=name,
        full_name=full_name.strip() or name,
        email=email,
        password_hash=hash_password(password),
        password_changed_at=utcnow(),
        language=language,
        roles=[UserRole(role=r.value) for r in parsed_roles],
        scope=[UserScope(org_unit_id=u.id) for u in scope_units],
    )
    session.add(user)
    session.flush()
    audit(
        session,
        "user.create",
        "ok",
        username=name,
        target=name,
        detail={"roles": [r.value for r in parsed_roles], "units": [u.code for u in scope_units]},
    )
    log.info("created user %s with roles %s", name, [r.value for r in parsed_roles])
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise NotFoundError(f"user {username!r} does not exist; see `ioc users list`")
    return user


# Moved by every change of accounts, roles, scopes or sessions made in this process, so that
# a cache of resolved sessions (web.deps) drops what it holds at once.
_access_epoch = 0


def access_changed() -> None:
    global _access_epoch
    _access_epoch += 1


def access_epoch() -> int:
    return _access_epoch


def disable_user(session: Session, username: str) -> User:
    """Disable an account and end all its sessions at once."""
    access_changed()
    user = get_user(session, username)
    now = datetime.now(UTC)
    user.active = False
    user.disabled_at = now
    for s in session.scalars(
        select(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None)
        )
    ):
        s.revoked_at = now
    audit(session, "user.disable", "ok", target=user.username)
    log.info("disabled user %s", user.username)
    return user


def principal_of(user: User) -> Principal:
    units = [s.org_unit for s in user.scope]
    return Principal(
        user_id=user.id,
        username=user.username,
        full_name=user.full_name,
        roles=frozenset(Role(r.role) for r in user.roles),
        scope=org.scope_of(units),
        units=tuple((u.code, u.name_vi, u.name_en) for u in units),
        language=user.language,
    )


# One answer to every refused login, whatever the reason (unknown user, wrong password,
# disabled account, lock-out): the reason goes to the audit only, so that the answer tells
# nobody which accounts exist or which are locked.
LOGIN_REFUSED = (
    "wrong username or password, or the account is disabled or paused after too many failed "
    "attempts; check them and try again in a few minutes, or ask an administrator"
)

# A session that waits for its second factor lives this long; given, it gets the full term.
PENDING_MINUTES = 10
# last_seen_at is written at most this often, so that reading a session stays a read.
SEEN_EVERY = timedelta(minutes=1)


class SecondFactorRequiredError(NotAuthenticatedError):
    """The session has the password but not yet the second factor: it may do nothing but
    give (or enrol) it."""


def is_administrator(user: User) -> bool:
    return any(r.role == Role.ADMINISTRATOR.value for r in user.roles)


def second_factor_due(user: User) -> str | None:
    """What a login of ``user`` still needs after the password: "totp" (the code of a
    confirmed factor), "enrol" (an administrator without one) or None."""
    if user.totp_confirmed_at is not None:
        return "totp"
    if is_administrator(user):
        return "enrol"
    return None


def authenticate(
    session: Session,
    username: str,
    password: str,
    client: str | None,
    *,
    policy: ThrottlePolicy | None = None,
) -> User:
    """Check a username and password. Every refusal (unknown user, wrong password, disabled
    account, locked username or address) raises the same error after the same work: one
    Argon2 verification, against a dummy hash when there is no account."""
    rules = policy or ThrottlePolicy()
    now = utcnow()
    name = username.strip()
    user_key, address_key = throttle.user_key(name), throttle.address_key(client)
    blocked = throttle.locked(session, [user_key, address_key], now)
    user = session.scalar(select(User).where(User.username == name)) if name else None
    ok = verify_password(user.password_hash if user else None, password)
    if blocked or user is None or not ok or not user.active:
        reason = (
            "locked"
            if blocked
            else "unknown user"
            if user is None
            else "wrong password"
            if not ok
            else "disabled"
        )
        detail: dict[str, object] = {"reason": reason}
        if blocked:
            detail["locked"] = blocked
        audit(session, "login", "failed", username=name[:64], detail=detail, client=client)
        if not blocked:
            for key, threshold in (
                (user_key, rules.user_failures),
                (address_key, rules.address_failures),
            ):
                _count_failure(session, key, threshold, rules, now, name, client)
        # Committed now: the caller rolls back on the error, and the attempt must stay.
        session.commit()
        raise NotAuthenticatedError(LOGIN_REFUSED)
    throttle.clear(session, user_key)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def _count_failure(
    session: Session,
    key: str,
    threshold: int,
    rules: ThrottlePolicy,
    now: datetime,
    username: str,
    client: str | None,
) -> None:
    lock = throttle.record_failure(session, key, threshold, rules, now)
    if lock is not None:
        minutes = round((lock.until - now).total_seconds() / 60)
        audit(
            session,
            "login.lock",
            "ok",
            username=username[:64],
            target=key,
            detail={"failures": lock.failures, "until": lock.until.isoformat(), "minutes": minutes},
            client=client,
        )
        log.warning("locked %s for %s minutes after %s failures", key, minutes, lock.failures)


def second_factor_failed(
    session: Session, row: LoginSession, client: str | None, policy: ThrottlePolicy | None
) -> None:
    """A wrong second-factor code: audited and counted against the username like a wrong
    password, so that six digits cannot be tried through; a lock ends the waiting session."""
    rules = policy or ThrottlePolicy()
    now = utcnow()
    name = row.user.username
    audit(session, "login.second_factor", "failed", user=row.user, client=client)
    key = throttle.user_key(name)
    _count_failure(session, key, rules.user_failures, rules, now, name, client)
    if throttle.locked(session, [key], now):
        access_changed()
        row.revoked_at = now
    session.commit()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(
    session: Session,
    user: User,
    hours: float,
    user_agent: str | None,
    client: str | None,
    *,
    method: str = "password",
    second_factor: bool | None = None,
) -> str:
    """Open a login session; returns the cookie token (only its hash is stored).

    A user with a second factor (and every administrator, who must have one) gets a session
    that waits for it (``needs_second_factor``) and lives ``PENDING_MINUTES`` until given;
    ``second_factor`` overrides the rule (False: the session is complete at once)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    due = second_factor_due(user)
    waits = bool(due) if second_factor is None else second_factor
    term = timedelta(minutes=PENDING_MINUTES) if waits else timedelta(hours=hours)
    session.add(
        LoginSession(
            token_hash=_token_hash(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + term,
            user_agent=(user_agent or "")[:255],
            client=(client or None) and client[:64],
            last_seen_at=now,
            method=method,
            needs_second_factor=waits,
        )
    )
    detail: dict[str, object] = {"method": method}
    if waits:
        detail["second_factor"] = due or "totp"
    audit(session, "login", "ok", user=user, client=client, detail=detail)
    return token


@dataclass(frozen=True, slots=True)
class LoginState:
    """A live session as the account pages see it, whether complete or waiting for its
    second factor (``waiting``: "totp", "enrol" or None)."""

    session_id: int
    user_id: int
    username: str
    full_name: str
    language: str
    waiting: str | None
    method: str


def _live_row(
    session: Session, token: str | None, idle_minutes: float | None, now: datetime
) -> LoginSession:
    """The session row behind a cookie if it is still alive: not revoked, not past its
    term, not idle too long, of an active user."""
    if not token or len(token) > 128:
        raise NotAuthenticatedError("you are not logged in; log in first")
    row = session.scalar(select(LoginSession).where(LoginSession.token_hash == _token_hash(token)))
    if row is None or row.revoked_at is not None or _aware(row.expires_at) <= now:
        raise NotAuthenticatedError("your session has ended; log in again")
    seen = _aware(row.last_seen_at or row.created_at)
    if idle_minutes is not None and now - seen > timedelta(minutes=idle_minutes):
        raise NotAuthenticatedError(
            f"your session ended after {idle_minutes:g} minutes without activity; log in again"
        )
    if not row.user.active:
        raise NotAuthenticatedError("this account is disabled; ask an administrator")
    if row.last_seen_at is None or now - seen >= SEEN_EVERY:
        row.last_seen_at = now
    return row


def _waiting(row: LoginSession) -> str | None:
    due = second_factor_due(row.user)
    if row.needs_second_factor:
        return due or "totp"
    # An administrator's session without a confirmed factor (one opened before the rule,
    # or whose factor was reset since) must enrol before anything else.
    return "enrol" if due == "enrol" else None


def resolve_session(
    session: Session, token: str | None, *, idle_minutes: float | None = None
) -> Principal:
    """The principal behind a session cookie, or NotAuthenticatedError; a session that waits
    for its second factor raises ``SecondFactorRequiredError``."""
    row = _live_row(session, token, idle_minutes, utcnow())
    waiting = _waiting(row)
    if waiting == "enrol":
        raise SecondFactorRequiredError(
            "this account must have a second factor before anything else: enrol an "
            "authenticator app at /account/totp (API: POST /api/account/totp/enrolment)"
        )
    if waiting:
        raise SecondFactorRequiredError(
            "this session waits for the second factor: give the 6-digit code of your "
            "authenticator app at /login/totp (API: POST /api/session/totp)"
        )
    return principal_of(row.user)


def login_state(
    session: Session, token: str | None, *, idle_minutes: float | None = None
) -> LoginState:
    """The live session behind a cookie, complete or waiting for its second factor."""
    row = _live_row(session, token, idle_minutes, utcnow())
    return LoginState(
        session_id=row.id,
        user_id=row.user_id,
        username=row.user.username,
        full_name=row.user.full_name,
        language=row.user.language,
        waiting=_waiting(row),
        method=row.method,
    )


def session_row(session: Session, session_id: int) -> LoginSession:
    row = session.get(LoginSession, session_id)
    if row is None:
        raise NotFoundError(f"session {session_id} does not exist")
    return row


def complete_second_factor(
    session: Session, row: LoginSession, hours: float, client: str | None
) -> str:
    """Mark the second factor given and hand out a new token for the session (the one that
    only knew the password stops working), with the full term counted from the login."""
    access_changed()
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row.token_hash = _token_hash(token)
    row.needs_second_factor = False
    row.second_factor_at = now
    row.expires_at = _aware(row.created_at) + timedelta(hours=hours)
    row.last_seen_at = now
    audit(session, "login.second_factor", "ok", user=row.user, client=client)
    return token


def live_sessions(session: Session, user_id: int | None = None) -> list[LoginSession]:
    """Sessions not revoked and not past their term, newest first: one user's or all."""
    query = select(LoginSession).where(
        LoginSession.revoked_at.is_(None), LoginSession.expires_at > utcnow()
    )
    if user_id is not None:
        query = query.where(LoginSession.user_id == user_id)
    return list(session.scalars(query.order_by(LoginSession.created_at.desc())))


def revoke_session(
    session: Session,
    actor: Principal,
    session_id: int,
    *,
    any_user: bool = False,
    client: str | None = None,
) -> LoginSession:
    """End one session: the actor's own, or anyone's with ``any_user`` (administrators).
    Another user's session is "not found" to a caller who may not end it."""
    access_changed()
    row = session.get(LoginSession, session_id)
    if row is None or (not any_user and row.user_id != actor.user_id):
        raise NotFoundError(f"session {session_id} does not exist among yours; see your sessions")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    audit(
        session,
        "session.revoke",
        "ok",
        user=actor,
        target=f"session {session_id} of {row.user.username}",
        client=client,
    )
    return row


def end_other_sessions(session: Session, user_id: int, keep_session_id: int | None) -> int:
    """Revoke every live session of a user but one; how many ended."""
    access_changed()
    now = utcnow()
    ended = 0
    for row in live_sessions(session, user_id):
        if row.id != keep_session_id:
            row.revoked_at = now
            ended += 1
    return ended


def change_password(
    session: Session,
    user_id: int,
    current: str,
    new: str,
    *,
    keep_session_id: int | None,
    client: str | None,
    policy: ThrottlePolicy | None = None,
) -> int:
    """Change one's own password: the current one must be given (a wrong one counts as a
    failed login), the new one must meet the policy. The user's other sessions end; the
    number ended is returned."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise NotAuthenticatedError("this account is disabled; ask an administrator")
    rules = policy or ThrottlePolicy()
    key = throttle.user_key(user.username)
    now = utcnow()
    if throttle.locked(session, [key], now) or not verify_password(user.password_hash, current):
        audit(
            session,
            "password.change",
            "failed",
            user=user,
            client=client,
            detail={"reason": "wrong current password"},
        )
        _count_failure(session, key, rules.user_failures, rules, now, user.username, client)
        session.commit()
        raise InvalidInputError(
            "the current password is not right (or the account is paused after too many "
            "failed attempts); type it again, or wait a few minutes",
            vi="mật khẩu hiện tại không đúng (hoặc tài khoản đang tạm khóa sau quá nhiều lần "
            "thử sai); hãy gõ lại, hoặc đợi vài phút",
        )
    if new == current:
        raise InvalidInputError(
            "the new password is the current one; choose a different one",
            vi="mật khẩu mới trùng mật khẩu hiện tại; hãy chọn một mật khẩu khác",
        )
    check_strength(new, username=user.username, full_name=user.full_name)
    user.password_hash = hash_password(new)
    user.password_changed_at = now
    ended = end_other_sessions(session, user.id, keep_session_id)
    audit(
        session, "password.change", "ok", user=user, client=client, detail={"sessions_ended": ended}
    )
    log.info("user %s changed their password; %s other sessions ended", user.username, ended)
    return ended


def end_session(session: Session, token: str | None) -> str | None:
    """End the session of ``token``; how it had been opened (password or oidc), or None
    when there was no such session in force."""
    if not token:
        return None
    row = session.scalar(select(LoginSession).where(LoginSession.token_hash == _token_hash(token)))
    if row is None or row.revoked_at is not None:
        return None
    access_changed()
    row.revoked_at = datetime.now(UTC)
    audit(session, "logout", "ok", user=row.user, detail={"method": row.method})
    return row.method


def _aware(value: datetime) -> datetime:
    # SQLite returns naive datetimes even for timezone-aware columns; they are UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def scope_units(session: Session, user: User) -> list[OrgUnit]:
    return [s.org_unit for s in user.scope]
