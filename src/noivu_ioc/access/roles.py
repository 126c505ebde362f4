"""The roles of the IOC and what each may do."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    LEADER = "leader"
    OPERATOR = "operator"
    ANALYST = "analyst"
    DATA_STEWARD = "data_steward"
    PROVINCIAL_OFFICER = "provincial_officer"


ROLE_LABELS: dict[Role, tuple[str, str]] = {
    Role.ADMINISTRATOR: ("Quản trị hệ thống", "Administrator"),
    Role.LEADER: ("Lãnh đạo", "Leader"),
    Role.OPERATOR: ("Cán bộ vận hành", "IOC operator"),
    Role.ANALYST: ("Chuyên viên phân tích", "Analyst"),
    Role.DATA_STEWARD: ("Cán bộ quản trị dữ liệu", "Data steward"),
    Role.PROVINCIAL_OFFICER: ("Cán bộ Sở Nội vụ", "Provincial officer"),
}


class Permission(StrEnum):
    VIEW_SITUATION = "view_situation"  # home page, indicators, wall
    VIEW_CATALOG = "view_catalog"  # data dictionary
    MANAGE_USERS = "manage_users"
    MANAGE_SOURCES = "manage_sources"  # register sources, map, sync, quarantine
    VIEW_SOURCES = "view_sources"  # the connection monitor, in scope
    ANALYSE = "analyse"  # define indicators
    MANAGE_WALL = "manage_wall"  # configure the video wall's scenes
    HANDLE_ALERTS = "handle_alerts"  # acknowledge and resolve alerts in scope
    MANAGE_ALERTS = "manage_alerts"  # define alert rules
    COORDINATE = "coordinate"  # open incidents, assign tasks, run processes, activate plans
    RESPOND = "respond"  # work the own unit's tasks and steps, acknowledge and report directives
    MANAGE_PLANS = "manage_plans"  # prepare emergency plans and process templates
    DIRECT = "direct"  # send directives to units
    READ_RECORDS = "read_records"  # lists, search, records and exports of datasets, in scope
    VIEW_AUDIT = "view_audit"  # search and export the audit trail
    MANAGE_SHARING = "manage_sharing"  # grant and revoke data-sharing agreements


_VIEW = {
    Permission.VIEW_SITUATION,
    Permission.VIEW_CATALOG,
    Permission.VIEW_SOURCES,
    Permission.READ_RECORDS,  # what of a record shows is for the sharing agreements to say
}

PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMINISTRATOR: frozenset(Permission),
    Role.LEADER: frozenset(
        _VIEW
        | {Permission.HANDLE_ALERTS, Permission.COORDINATE, Permission.RESPOND, Permission.DIRECT}
    ),
    Role.OPERATOR: frozenset(
        _VIEW
        | {
            Permission.HANDLE_ALERTS,
            Permission.MANAGE_ALERTS,
            Permission.COORDINATE,
            Permission.RESPOND,
            Permission.MANAGE_PLANS,
        }
    ),
    Role.ANALYST: frozenset(_VIEW | {Permission.ANALYSE}),
    Role.DATA_STEWARD: frozenset(_VIEW | {Permission.MANAGE_SOURCES}),
    # A province's Department of Home Affairs coordinates inside its province: it opens
    # incidents and gives tasks to its communes, never to units outside it.
    Role.PROVINCIAL_OFFICER: frozenset(
        _VIEW | {Permission.HANDLE_ALERTS, Permission.RESPOND, Permission.COORDINATE}
    ),
}


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        raise ValueError(
            f"{value!r} is not a role; choose one of {', '.join(r.value for r in Role)}"
        ) from None


def role_label(role: Role, lang: str) -> str:
    vi, en = ROLE_LABELS[role]
    return vi if lang == "vi" else en
