"""Which fields of a dataset a user may read in clear: roles × scope × field sensitivity ×
data-sharing agreements, deny by default.

A dataset's rows are always limited to the user's scope (``Scope.sql_filter``), and its
fields fall in four sensitivities (``catalog.model.Sensitivity``, after Decree
13/2023/NĐ-CP):

- ``public`` and ``internal`` fields are readable by every role that may read records;
- ``personal`` (basic personal data) and ``sensitive`` fields are readable only through a
  data-sharing agreement in force that names the dataset, the field (or ``*``) and the user
  (by role, by unit, or both: a unit covers the users of the units under it). Without one,
  the field is masked: its values never leave the warehouse.

Agreements are read from the store at each decision, so that granting or revoking one takes
effect on the next request, in every server process.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from noivu_ioc.access.roles import Permission
from noivu_ioc.access.users import Principal
from noivu_ioc.catalog.model import Entity, Sensitivity
from noivu_ioc.store.models import SharingAgreement, utcnow
from noivu_ioc.units import org

OPEN_SENSITIVITIES = frozenset({Sensitivity.PUBLIC, Sensitivity.INTERNAL})
ALL_FIELDS = "*"
COMMUNE_FIELD = "commune_code"  # the field that places a row in a commune, where it exists


@dataclass(frozen=True, slots=True)
class FieldAccess:
    """What one user may see of one dataset now."""

    entity: Entity
    readable: tuple[str, ...]  # in clear, in catalog order
    masked: tuple[str, ...]  # present in results as masked, in catalog order
    agreements: tuple[str, ...]  # the agreements that opened a field, by name
    purposes: tuple[str, ...]  # and their purposes, for the audit

    def can_read(self, field: str) -> bool:
        return field in self.readable

    @property
    def personal_in_clear(self) -> tuple[str, ...]:
        """The personal or sensitive fields this user reads in clear (reads of them are
        audited)."""
        return tuple(
            f.name
            for f in self.entity.fields
            if f.name in self.readable and f.sensitivity not in OPEN_SENSITIVITIES
        )


def may_read_records(principal: Principal) -> bool:
    return principal.can(Permission.READ_RECORDS) and not principal.scope.is_empty


def covers_user(agreement: SharingAgreement, principal: Principal) -> bool:
    """Whether an agreement's grantee is this user: their role, and their unit or a unit
    above it."""
    if agreement.grantee_role is not None and agreement.grantee_role not in principal.roles:
        return False
    if agreement.grantee_unit is not None:
        units = {code for code, _, _ in principal.units}
        if not any(agreement.grantee_unit in org.chain(code) for code in units):
            return False
    return agreement.grantee_role is not None or agreement.grantee_unit is not None


def agreements_in_force(
    session: Session, dataset: str, now: datetime | None = None
) -> list[SharingAgreement]:
    moment = now or utcnow()
    return list(
        session.scalars(
            select(SharingAgreement)
            .where(
                SharingAgreement.dataset == dataset,
                SharingAgreement.revoked_at.is_(None),
                SharingAgreement.valid_from <= moment,
                SharingAgreement.valid_until > moment,
            )
            .order_by(SharingAgreement.name)
        )
    )


def field_access(
    session: Session, principal: Principal, entity: Entity, now: datetime | None = None
) -> FieldAccess:
    """The fields of ``entity`` that ``principal`` reads in clear and those masked."""
    granted: set[str] = set()
    names: list[str] = []
    purposes: list[str] = []
    if may_read_records(principal):
        for agreement in agreements_in_force(session, entity.id, now):
            if not covers_user(agreement, principal):
                continue
            fields = set(agreement.fields)
            opened = (
                {f.name for f in entity.fields}
                if ALL_FIELDS in fields
                else fields & {f.name for f in entity.fields}
            )
            if opened:
                granted |= opened
                names.append(agreement.name)
                purposes.append(agreement.purpose)
    readable: list[str] = []
    masked: list[str] = []
    for f in entity.fields:
        if not may_read_records(principal):
            masked.append(f.name)
        elif f.sensitivity in OPEN_SENSITIVITIES or f.name in granted:
            readable.append(f.name)
        else:
            masked.append(f.name)
    return FieldAccess(entity, tuple(readable), tuple(masked), tuple(names), tuple(purposes))


def row_filter(principal: Principal, entity: Entity) -> tuple[str, list[str]]:
    """The WHERE fragment keeping the rows of ``entity`` in the user's scope: by its
    province field and, for users who answer for single communes, its commune field. A
    dataset without a place is national: only national scopes read it."""
    commune = COMMUNE_FIELD if COMMUNE_FIELD in entity.field_names else None
    return principal.scope.sql_filter(entity.province_field, commune)
