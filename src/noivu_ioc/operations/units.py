"""Who holds what: the org units that tasks, steps and directives go to, and which users may
act for them.

A user acts for the units of their scope and everything below them (the ministry for every
unit, a province's Department of Home Affairs for its communes' People's Committees), so a
commune's task can be updated there or by its province, never by a neighbour. Giving a task
to a unit needs the unit inside the giver's administrative scope.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from noivu_ioc.access.users import Principal
from noivu_ioc.errors import InvalidInputError, NotAllowedError, NotFoundError
from noivu_ioc.store.models import OrgUnit
from noivu_ioc.units import org


def unit(session: Session, code: str) -> OrgUnit:
    """An org unit by code (``BNV.CQDP``, ``SNV.01``, ``UBX.00004`` or a bare 2/5-digit
    code); InvalidInputError naming the value when it does not exist."""
    try:
        return org.find_unit(session, code)
    except NotFoundError as exc:
        raise InvalidInputError(str(exc)) from None


chain = org.chain  # the unit and the units above it, nearest first


def acts_for(principal: Principal, unit_code: str) -> bool:
    """Whether the user answers for this unit: it or a unit above it is in their scope."""
    mine = {code for code, _, _ in principal.units}
    return any(code in mine for code in chain(unit_code))


def require_acts_for(principal: Principal, unit_code: str, what: str) -> None:
    if not acts_for(principal, unit_code):
        raise NotAllowedError(
            f"{what} is held by {unit_code}, which is not your unit; only {unit_code} or a "
            "unit above it can update it"
        )


def require_assignable(principal: Principal, target: OrgUnit) -> None:
    """A unit may be given work only by someone whose scope covers it."""
    if not principal.scope.covers(target.admin_code):
        raise NotAllowedError(
            f"unit {target.code} ({target.name_vi}) is outside your scope; you can assign work "
            "only to units you are responsible for"
        )


def users_of(session: Session, unit_code: str) -> list[int]:
    """Active users whose scope names this unit itself (not the units above it)."""
    from noivu_ioc.store.models import User, UserScope

    return list(
        session.scalars(
            select(User.id)
            .join(UserScope, UserScope.user_id == User.id)
            .join(OrgUnit, OrgUnit.id == UserScope.org_unit_id)
            .where(OrgUnit.code == unit_code, User.active.is_(True))
        )
    )


def expand(session: Session, codes: list[str]) -> list[OrgUnit]:
    """Unit codes with the groups ``SNV.*`` (every province's Department of Home Affairs)
    and ``UBX.<province>.*`` (every commune of a province) expanded, in order, once each."""
    seen: dict[str, OrgUnit] = {}
    for code in codes:
        code = code.strip()
        if code == "SNV.*":
            rows = session.scalars(
                select(OrgUnit).where(OrgUnit.kind == "province").order_by(OrgUnit.code)
            )
        elif code.startswith("UBX.") and code.endswith(".*"):
            # Commune codes do not start with their province's code: go by the hierarchy.
            parent = unit(session, org.province_unit_code(code[4:-2]))
            rows = session.scalars(
                select(OrgUnit)
                .where(OrgUnit.kind == "commune", OrgUnit.parent_id == parent.id)
                .order_by(OrgUnit.code)
            )
        else:
            rows = [unit(session, code)]  # type: ignore[assignment]
        for row in rows:
            seen.setdefault(row.code, row)
    if not seen:
        raise InvalidInputError(f"units {', '.join(codes)!r} name no organisational unit")
    return list(seen.values())
