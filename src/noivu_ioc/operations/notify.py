"""Notifications: every one is shown in the app (``notification``); when the user has an
e-mail address and SMTP is configured, or a phone and an SMS gateway, a copy is queued as a
``delivery`` that the outbox sends with retries (``operations/outbox.py``, which also says
how a process is configured and which severities go by SMS).

Callers say whom to tell: named users, the users of a unit, or the level an alert or a
directive has reached (the commune, the province, the ministry, the command level)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from noivu_ioc.errors import InvalidInputError, NotFoundError
from noivu_ioc.store.models import Notification, OrgUnit, User, UserRole, UserScope
from noivu_ioc.units import org

# name@domain: no spaces or address punctuation in the name, a domain of dotted labels.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_EMAIL = re.compile(rf"^[^@\s<>(),;:\"\[\]]+@{_LABEL}(?:\.{_LABEL})+$")
# Vietnamese mobile numbers: 9 digits after +84 or 0, the first one 3, 5, 7, 8 or 9.
_PHONE = re.compile(r"^(?:\+84|84|0)([35789]\d{8})$")


def notify_users(
    session: Session,
    user_ids: Iterable[int],
    *,
    kind: str,
    title: str,
    body: str = "",
    ref: str | None = None,
    link: str | None = None,
    severity: str = "info",
) -> list[Notification]:
    """One in-app notification per user (each at most once), with its deliveries queued."""
    from noivu_ioc.operations.outbox import queue_copies

    made = []
    for user_id in dict.fromkeys(user_ids):
        note = Notification(
            user_id=user_id,
            kind=kind,
            ref=ref,
            severity=severity,
            title=title[:255],
            body=body,
            link=link,
        )
        session.add(note)
        made.append(note)
    session.flush()
    for note in made:
        queue_copies(session, note)
    return made


def users_of_units(session: Session, unit_codes: Iterable[str]) -> list[int]:
    codes = list(dict.fromkeys(unit_codes))
    if not codes:
        return []
    return list(
        session.scalars(
            select(User.id)
            .join(UserScope, UserScope.user_id == User.id)
            .join(OrgUnit, OrgUnit.id == UserScope.org_unit_id)
            .where(OrgUnit.code.in_(codes), User.active.is_(True))
            .distinct()
        )
    )


def users_at_level(session: Session, admin_code: str | None, level: int) -> list[int]:
    """Who an alert or a directive reaches at a level (see ``alerts.LEVELS``): 0 the
    commune's People's Committee, 1 the province's Department of Home Affairs, 2 the ministry
    and its departments, 3 the leaders (the command level)."""
    if level >= 3:
        return list(
            session.scalars(
                select(User.id)
                .join(UserRole, UserRole.user_id == User.id)
                .where(UserRole.role == "leader", User.active.is_(True))
            )
        )
    if level == 2 or admin_code is None:
        return list(
            session.scalars(
                select(User.id)
                .join(UserScope, UserScope.user_id == User.id)
                .join(OrgUnit, OrgUnit.id == UserScope.org_unit_id)
                .where(OrgUnit.kind.in_(org.NATIONAL_KINDS), User.active.is_(True))
                .distinct()
            )
        )
    if level == 1 or len(admin_code) == 2:
        from noivu_ioc.units import admin

        province = admin_code if len(admin_code) == 2 else admin.unit(admin_code).province_code
        return users_of_units(session, [org.province_unit_code(province)])
    return users_of_units(session, [org.commune_unit_code(admin_code)])


def check_email(value: str) -> str:
    """An e-mail address as stored, or InvalidInputError that quotes it."""
    address = value.strip()
    if len(address) > 255 or not _EMAIL.match(address):
        raise InvalidInputError(
            f"e-mail `{value}` is not an address; expected name@domain, e.g. "
            "nguyen.van.a@moha.gov.vn"
        )
    return address


def check_phone(value: str) -> str:
    """A Vietnamese mobile number in international form (+84...), or InvalidInputError."""
    found = _PHONE.match(re.sub(r"[\s.\-()]", "", value))
    if found is None:
        raise InvalidInputError(
            f"phone `{value}` is not a Vietnamese mobile number; expected +84 or 0 and 9 "
            "digits starting with 3, 5, 7, 8 or 9, e.g. +84912345678 or 0912 345 678"
        )
    return "+84" + found.group(1)


def set_contact(
    session: Session, username: str, *, email: str | None = None, phone: str | None = None
) -> User:
    """Set where a user's copies go: ``None`` leaves a field as it is, ``""`` removes it."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFoundError(f"user {username!r} does not exist; see `ioc users list`")
    if email is not None:
        user.email = check_email(email) if email.strip() else None
    if phone is not None:
        user.phone = check_phone(phone) if phone.strip() else None
    return user
