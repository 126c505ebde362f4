"""The hierarchy of organisational units that scopes users.

Bộ Nội vụ (ministry, national scope)
├── its departments (national scope)
└── Sở Nội vụ of each of the 34 provinces (that province and its communes)
    └── the People's Committee of each commune (that commune)
"""

from __future__ import annotations

import logging

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from noivu_ioc.access.scope import Scope
from noivu_ioc.errors import InvalidInputError, NotFoundError
from noivu_ioc.store.models import OrgUnit
from noivu_ioc.units import admin

log = logging.getLogger(__name__)

MINISTRY_CODE = "BNV"

# The ministry's departments that use the IOC (after the 2025 merger of the Ministry of
# Labour, Invalids and Social Affairs into the Ministry of Home Affairs); code, vi, en.
MINISTRY_DEPARTMENTS: tuple[tuple[str, str, str], ...] = (
    ("BNV.VP", "Văn phòng Bộ", "Ministry Office"),
    ("BNV.TCCB", "Vụ Tổ chức cán bộ", "Department of Personnel and Organisation"),
    ("BNV.CCVC", "Vụ Công chức - Viên chức", "Department of Civil Servants and Public Employees"),
    ("BNV.CQDP", "Vụ Chính quyền địa phương", "Department of Local Government"),
    ("BNV.TCBC", "Vụ Tổ chức - Biên chế", "Department of Organisation and Staffing"),
    ("BNV.TCPCP", "Vụ Tổ chức phi chính phủ", "Department of Non-governmental Organisations"),
    ("BNV.CTTN", "Vụ Công tác thanh niên", "Department of Youth Affairs"),
    ("BNV.BTGCP", "Ban Tôn giáo Chính phủ", "Government Committee for Religious Affairs"),
    (
        "BNV.BTDKT",
        "Ban Thi đua - Khen thưởng Trung ương",
        "Central Emulation and Commendation Committee",
    ),
    ("BNV.TTr", "Thanh tra Bộ", "Ministry Inspectorate"),
    ("BNV.TTTT", "Trung tâm Thông tin", "Information Centre"),
)

NATIONAL_KINDS = frozenset({"ministry", "department"})


def province_unit_code(province: str) -> str:
    return f"SNV.{province}"


def commune_unit_code(commune: str) -> str:
    return f"UBX.{commune}"


def chain(code: str) -> list[str]:
    """The unit and the units above it, nearest first: UBX.01001 → SNV.01 → BNV."""
    if code == MINISTRY_CODE:
        return [code]
    if code.startswith("UBX.") and code[4:].isdigit():
        province = admin.unit(code[4:]).province_code
        return [code, province_unit_code(province), MINISTRY_CODE]
    return [code, MINISTRY_CODE]


def seed_org_units(session: Session) -> int:
    """Create the hierarchy if it is not there yet; returns the number of units created."""
    if session.scalar(select(func.count()).select_from(OrgUnit)):
        return 0
    ministry = OrgUnit(
        code=MINISTRY_CODE, kind="ministry", name_vi="Bộ Nội vụ", name_en="Ministry of Home Affairs"
    )
    session.add(ministry)
    session.flush()
    rows: list[OrgUnit] = [
        OrgUnit(code=c, kind="department", name_vi=vi, name_en=en, parent_id=ministry.id)
        for c, vi, en in MINISTRY_DEPARTMENTS
    ]
    provinces: dict[str, OrgUnit] = {}
    for p in admin.provinces():
        unit = OrgUnit(
            code=province_unit_code(p.code),
            kind="province",
            name_vi=f"Sở Nội vụ {p.name.replace('Thành phố', 'thành phố').replace('Tỉnh', 'tỉnh')}",
            name_en=f"Department of Home Affairs of {p.short_name}",
            parent_id=ministry.id,
            admin_code=p.code,
        )
        provinces[p.code] = unit
        rows.append(unit)
    session.add_all(rows)
    session.flush()
    communes = [
        OrgUnit(
            code=commune_unit_code(c.code),
            kind="commune",
            name_vi=f"Ủy ban nhân dân {c.name}",
            name_en=f"People's Committee of {c.short_name} ({c.division_type})",
            parent_id=provinces[c.province_code].id,
            admin_code=c.code,
        )
        for c in admin.communes()
    ]
    session.add_all(communes)
    session.flush()
    created = 1 + len(rows) + len(communes)
    log.info("created %s organisational units", created)
    return created


def find_unit(session: Session, code: str) -> OrgUnit:
    """An org unit by its code; also accepts a bare province or commune code."""
    code = code.strip()
    candidates = [code]
    if code.isdigit() and len(code) == 2:
        candidates.append(province_unit_code(code))
    elif code.isdigit() and len(code) == 5:
        candidates.append(commune_unit_code(code))
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code.in_(candidates)))
    if unit is None:
        raise NotFoundError(
            f"organisational unit {code!r} does not exist; use BNV (the ministry), a "
            "department such as BNV.CQDP, SNV.<province code> such as SNV.01, "
            "UBX.<commune code> such as UBX.00004, or a bare 2- or 5-digit code"
        )
    return unit


def scope_of(units: list[OrgUnit]) -> Scope:
    """The administrative scope that a set of org units answers for."""
    if any(u.kind in NATIONAL_KINDS for u in units):
        return Scope.everything()
    provinces = frozenset(u.admin_code for u in units if u.kind == "province" and u.admin_code)
    # A commune inside a province already in scope adds nothing.
    communes = frozenset(
        u.admin_code
        for u in units
        if u.kind == "commune"
        and u.admin_code
        and admin.unit(u.admin_code).province_code not in provinces
    )
    return Scope(provinces=provinces, communes=communes)


def province_of(unit: OrgUnit) -> str | None:
    """The province a provincial or commune unit belongs to; None for national units."""
    if unit.kind == "province":
        return unit.admin_code
    if unit.kind == "commune" and unit.admin_code:
        return admin.unit(unit.admin_code).province_code
    return None


def check_provincial_scope(units: list[OrgUnit]) -> str:
    """A provincial officer's units must all lie in one province; returns that province."""
    if not units:
        raise InvalidInputError(
            "a provincial officer needs a scope: give their Department of Home Affairs, "
            "e.g. --unit SNV.01"
        )
    provinces = {province_of(u) for u in units}
    if None in provinces:
        national = ", ".join(u.code for u in units if province_of(u) is None)
        raise InvalidInputError(
            f"a provincial officer cannot be given national unit(s) {national}; give their "
            "province's Department of Home Affairs (SNV.<code>) or communes in it"
        )
    if len(provinces) > 1:
        raise InvalidInputError(
            "a provincial officer's units must lie in one province, not "
            f"{', '.join(sorted(p for p in provinces if p))}"
        )
    return str(provinces.pop())
