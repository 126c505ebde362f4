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
from noivu_ioc.store.models import User, utcnow
from noivu_ioc.store.secrets import SecretBox
from noivu_ioc.units.org import seed_org_units
from noivu_ioc.warehouse import LoadSummary, Warehouse

log = logging.getLogger(__name__)

# Meets the password policy (access.passwords): the demo shows what a real one looks like.
DEMO_PASSWORD = "sen-hong-ba-dinh"
# The second factor of the demo's administrators, pre-enrolled so that a person can add it
# to an authenticator app by hand (it is printed in the README); never use it elsewhere.
DEMO_TOTP_SECRET = "F3RDJ65TW5ZGMYECYPDT7W2MC6OZYRAG"


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


def prepare_store(store: OpStore, box: SecretBox | None = None) -> list[str]:
    """Migrate, seed the units and create the demo users that do not exist yet. With the
    installation's secret box, the administrators among them get the demo's second factor
    (``DEMO_TOTP_SECRET``); without it they enrol one at their first login."""
    store.upgrade()
    created: list[str] = []
    with store.session() as session:
        seed_org_units(session)
        existing = set(session.scalars(select(User.username)))
        for u in DEMO_USERS:
            if u.username in existing:
                continue
            user = create_user(
                session,
                username=u.username,
                full_name=u.full_name,
                password=DEMO_PASSWORD,
                roles=[u.role.value],
                units=[u.unit],
            )
            if box is not None and u.role is Role.ADMINISTRATOR:
                user.totp_secret = box.seal({"totp": DEMO_TOTP_SECRET})
                user.totp_confirmed_at = utcnow()
            created.append(u.username)
        seed_scenes(session, Registry(library()))
        seed_plans(session)
        seed_templates(session)
        prepare_sharing(session)
    return created


def prepare_warehouse(
    warehouse: Warehouse, scale: str, seed: int, reset: bool, ledger: OpStore | None = None
) -> LoadSummary | None:
    """Generate the demo data unless the warehouse already holds some (or ``reset``); with
    ``ledger``, the generated personnel records are appended to its ledger."""
    if warehouse.count("person") and not reset:
        log.info("warehouse already holds data; keeping it (use --reset to regenerate)")
        return None
    return generate_into(warehouse, scale, seed, ledger=ledger)
