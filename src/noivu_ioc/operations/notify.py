"""Notifications: every one is shown in the app (``notification``); when the user has an
e-mail address and SMTP is configured, or a phone and an SMS gateway, a copy is queued as a
``delivery`` that the outbox sends with retries (``operations/outbox.py``).

Callers say whom to tell: named users, the users of a unit, or the level an alert or a
directive has reached (the commune, the province, the ministry, the command level)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from noivu_ioc.store.models import Notification, OrgUnit, User, UserRole, UserScope
from noivu_ioc.units import org


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
