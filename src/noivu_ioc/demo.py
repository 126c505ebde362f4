"""What ``ioc demo`` sets up: the schema, the organisational units, one user per role, the
video wall's scenes and a generated copy of the sector data."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select

from noivu_ioc.access.roles import Role
from noivu_ioc.access.users import create_user
from noivu_ioc.demo_sharing import prepare_sharing
from noivu_ioc.generate import generate_into
from noivu_ioc.indicators.registry import Registry, library
from noivu_ioc.indicators.scenes import seed_scenes
from noivu_ioc.operations.plans import seed_plans
from noivu_ioc.operations.processes import seed_templates
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import User
from noivu_ioc.units.org import seed_org_units
from noivu_ioc.warehouse import LoadSummary, Warehouse

log = logging.getLogger(__name__)

DEMO_PASSWORD = "demo-ioc-2026"


@dataclass(frozen=True, slots=True)
class DemoUser:
    username: str
    full_name: str
    role: Role
    unit: str


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("quantri", "Trần Minh Quân", Role.ADMINISTRATOR, "BNV.TTTT"),
    DemoUser("lanhdao", "Nguyễn Thị Thanh Hương", Role.LEADER, "BNV"),
    DemoUser("vanhanh", "Lê Văn Hùng", Role.OPERATOR, "BNV.TTTT"),
    DemoUser("thanhtra", "Vũ Quốc Toàn", Role.OPERATOR, "BNV.TTr"),
    DemoUser("phantich", "Phạm Thu Trang", Role.ANALYST, "BNV.TCBC"),
    DemoUser("dulieu", "Hoàng Đức Anh", Role.DATA_STEWARD, "BNV.TTTT"),
    DemoUser("dulieu.laocai", "Vàng Thị Mỷ", Role.DATA_STEWARD, "SNV.15"),
    DemoUser("sonv.hanoi", "Đỗ Thị Mai", Role.PROVINCIAL_OFFICER, "SNV.01"),
    DemoUser("sonv.laocai", "Lò Văn Sáng", Role.PROVINCIAL_OFFICER, "SNV.15"),
)


def prepare_store(store: OpStore) -> list[str]:
    """Migrate, seed the units and create the demo users that do not exist yet."""
    store.upgrade()
    created: list[str] = []
    with store.session() as session:
        seed_org_units(session)
        existing = set(session.scalars(select(User.username)))
        for u in DEMO_USERS:
            if u.username in existing:
                continue
            create_user(
                session,
                username=u.username,
                full_name=u.full_name,
                password=DEMO_PASSWORD,
                roles=[u.role.value],
                units=[u.unit],
            )
            created.append(u.username)
        seed_scenes(session, Registry(library()))
        seed_plans(session)
        seed_templates(session)
        prepare_sharing(session)
    return created


def prepare_warehouse(
    warehouse: Warehouse, scale: str, seed: int, reset: bool
) -> LoadSummary | None:
    """Generate the demo data unless the warehouse already holds some (or ``reset``)."""
    if warehouse.count("person") and not reset:
        log.info("warehouse already holds data; keeping it (use --reset to regenerate)")
        return None
    return generate_into(warehouse, scale, seed)
