"""Accounts, login sessions and the audit of both."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from noivu_ioc.access import audit_context
from noivu_ioc.access.passwords import hash_password, needs_rehash, verify_password
from noivu_ioc.access.roles import PERMISSIONS, Permission, Role, parse_role
from noivu_ioc.access.scope import Scope
from noivu_ioc.errors import (
    ConflictError,
    InvalidInputError,
    NotAllowedError,
    NotAuthenticatedError,
    NotFoundError,
)
from noivu_ioc.store.models import AuditEvent, LoginSession, OrgUnit, User, UserRole, UserScope
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
                "ask an administrator for a role that allows it"
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

    user = User(
        username=name,
        full_name=full_name.strip() or name,
        email=email,
        password_hash=hash_password(password),
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


def authenticate(session: Session, username: str, password: str, client: str | None) -> User:
    """Check a username and password. The error does not say which of the two was wrong."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        reason = "unknown user" if user is None else "wrong password" if not ok else "disabled"
        audit(
            session,
            "login",
            "failed",
            username=username[:64],
            detail={"reason": reason},
            client=client,
        )
        # Committed now: the caller rolls back on the error, and the attempt must stay.
        session.commit()
        raise NotAuthenticatedError(
            "wrong username or password, or the account is disabled; check them and try "
            "again, or ask an administrator"
        )
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(
    session: Session, user: User, hours: float, user_agent: str | None, client: str | None
) -> str:
    """Open a login session; returns the cookie token (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    session.add(
        LoginSession(
            token_hash=_token_hash(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
            user_agent=(user_agent or "")[:255],
        )
    )
    audit(session, "login", "ok", user=user, client=client)
    return token


def resolve_session(session: Session, token: str | None) -> Principal:
    """The principal behind a session cookie, or NotAuthenticatedError."""
    if not token or len(token) > 128:
        raise NotAuthenticatedError("you are not logged in; log in first")
    row = session.scalar(select(LoginSession).where(LoginSession.token_hash == _token_hash(token)))
    now = datetime.now(UTC)
    if row is None or row.revoked_at is not None or _aware(row.expires_at) <= now:
        raise NotAuthenticatedError("your session has ended; log in again")
    if not row.user.active:
        raise NotAuthenticatedError("this account is disabled; ask an administrator")
    return principal_of(row.user)


def end_session(session: Session, token: str | None) -> None:
    if not token:
        return
    row = session.scalar(select(LoginSession).where(LoginSession.token_hash == _token_hash(token)))
    if row is not None and row.revoked_at is None:
        access_changed()
        row.revoked_at = datetime.now(UTC)
        audit(session, "logout", "ok", user=row.user)


def _aware(value: datetime) -> datetime:
    # SQLite returns naive datetimes even for timezone-aware columns; they are UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def scope_units(session: Session, user: User) -> list[OrgUnit]:
    return [s.org_unit for s in user.scope]
