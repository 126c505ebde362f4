"""Fixtures of the ledger's web tests: a store of their own per backend (the demo users, and a
ledger holding the demo warehouse's personnel records, two of them changed since), the IOC
over it and the shared demo warehouse, and that IOC served by uvicorn for the witness and
the browser."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from fastapi.testclient import TestClient

from noivu_ioc.demo import prepare_store
from noivu_ioc.ledger import heads, records
from noivu_ioc.ledger.audit import seal_audit
from noivu_ioc.settings import Settings
from noivu_ioc.store import OpStore
from noivu_ioc.warehouse import Warehouse
from noivu_ioc.web.app import create_app
from tests.conftest import _drop_pg_database, _new_pg_database
from tests.ledger.factories import ledger_settings


@dataclass
class Seeded:
    store: OpStore
    settings: Settings
    witness: heads.Signer
    laocai: str  # a person working in Lào Cai, changed once and transferred once
    hanoi: str  # a person working in Hà Nội


def _person(warehouse: Warehouse, province: str) -> str:
    found = warehouse.scalar(
        "SELECT person_id FROM person WHERE province_code = ? ORDER BY person_id LIMIT 1",
        [province],
    )
    assert found, province
    return str(found)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def seeded(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    demo_warehouse: Warehouse,
) -> Iterator[Seeded]:
    name = None
    folder = tmp_path_factory.mktemp("ledger")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'ioc.sqlite3'}"
    else:
        name, url = _new_pg_database()
    store = OpStore(url)
    prepare_store(store)
    witness = heads.Signer.of(Ed25519PrivateKey.generate())
    settings = ledger_settings(folder / "data", store, witness)
    records.reconcile(store, demo_warehouse, repair=True, origin="generate")
    laocai, hanoi = _person(demo_warehouse, "15"), _person(demo_warehouse, "01")
    with store.session() as session:
        records.append_changes(
            session,
            [
                records.Change(laocai, "change", "ab" * 32, ["grade", "grade_date", "religion"]),
                records.Change(laocai, "transfer", "cd" * 32, ["agency_id"]),
            ],
            run_id=7,
            origin="sync",
            load_id=2,
        )
    seal_audit(store)
    assert heads.sign_head(store, settings) is not None
    yield Seeded(store, settings, witness, laocai, hanoi)
    store.dispose()
    if name:
        _drop_pg_database(name)


@pytest.fixture
def ledger_client(seeded: Seeded, demo_warehouse: Warehouse) -> Iterator[TestClient]:
    with TestClient(create_app(seeded.settings, seeded.store, demo_warehouse)) as c:
        yield c


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(app: FastAPI, store: OpStore) -> Iterator[str]:
    """An application served by uvicorn in a thread; yields its address."""
    import uvicorn

    from tests.factories import SERVER_STORES

    port = _free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=2
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):  # start-up poll, not a time limit on the test
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    base = f"http://127.0.0.1:{port}"
    SERVER_STORES[base] = store  # for the browser login helper's second factor
    try:
        yield base
    finally:
        SERVER_STORES.pop(base, None)
        server.should_exit = True
        thread.join()


@pytest.fixture
def served(seeded: Seeded, demo_warehouse: Warehouse) -> Iterator[str]:
    """The IOC over the seeded store, served by uvicorn in a thread."""
    app = create_app(seeded.settings, seeded.store, demo_warehouse)
    with serving(app, seeded.store) as base:
        yield base
