"""A small IOC of its own for the account tests: a fresh operational store (the lock-outs and
enrolments they cause must not reach the shared demo store), its users, and the app."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from noivu_ioc.access.users import create_user
from noivu_ioc.settings import Settings
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import AuditEvent
from noivu_ioc.units.org import seed_org_units
from noivu_ioc.warehouse import Warehouse
from noivu_ioc.web.app import create_app

PASSWORD = "hoa-ban-tren-doi-moc-chau"
USERS = (
    ("sonv.hue", "Tôn Nữ Thu Hà", "provincial_officer", "SNV.46", "thuha@hue.gov.vn"),
    ("phan.tich", "Phạm Thu Trang", "analyst", "BNV", "trang.pt@moha.gov.vn"),
    ("qt.moi", "Quản Trị Mới", "administrator", "BNV", "quantri.moi@moha.gov.vn"),
    ("dulieu.moi", "Hoàng Dữ Liệu", "data_steward", "BNV", None),
)


@dataclass
class World:
    store: OpStore
    settings: Settings
    client: TestClient

    def new_client(self) -> TestClient:
        """Another browser on the same server (its own cookies)."""
        return TestClient(self.client.app)

    def audit(self, action: str) -> list[AuditEvent]:
        with self.store.session() as session:
            return list(
                session.scalars(
                    select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
                )
            )


def seed(store: OpStore) -> None:
    """The units and the users of ``USERS`` (none of them has a second factor yet)."""
    with store.session() as session:
        seed_org_units(session)
        for username, name, role, unit, email in USERS:
            create_user(
                session,
                username=username,
                full_name=name,
                password=PASSWORD,
                roles=[role],
                units=[unit],
                email=email,
            )


@contextmanager
def world(store: OpStore, tmp_path: Path, warehouse: Warehouse, **settings: Any) -> Iterator[World]:
    seed(store)
    chosen = Settings(data_dir=tmp_path, scheduler=False, **settings)
    with TestClient(create_app(chosen, store, warehouse)) as client:
        yield World(store, chosen, client)
