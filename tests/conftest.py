"""Shared fixtures: the operational store on SQLite and, again, on a real PostgreSQL server;
a warehouse holding generated demo data; the web application with one user per role."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, sync_playwright

from noivu_ioc.demo import prepare_store
from noivu_ioc.generate import generate_into
from noivu_ioc.settings import Settings
from noivu_ioc.store import OpStore
from noivu_ioc.store.secrets import secret_box
from noivu_ioc.warehouse import Warehouse
from noivu_ioc.web.app import create_app

# One installation key for every app of the test session (as every server of one store
# must share it): the shared demo store keeps secrets, such as the demo administrators'
# second factor, that each test's app, with its own data folder, must be able to open.
os.environ.setdefault("IOC_SECRET_KEY", Fernet.generate_key().decode())

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_ADMIN_URL = os.environ.get("IOC_TEST_POSTGRES", "postgresql://root@127.0.0.1:5432/test")
DEMO_SEED = 7


def _pg_server_or_skip() -> None:
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            pass
    except psycopg.OperationalError as exc:
        message = f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {exc}"
        if IN_CI:
            pytest.fail(message + " (CI must test against PostgreSQL; start the server)")
        pytest.skip(message)


def _new_pg_database() -> tuple[str, str]:
    _pg_server_or_skip()
    name = f"ioc_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return name, f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://", 1)


def _drop_pg_database(name: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty operational store, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ioc.sqlite3'}"
        return
    name, url = _new_pg_database()
    try:
        yield url
    finally:
        _drop_pg_database(name)


@pytest.fixture
def store(store_url: str) -> Iterator[OpStore]:
    s = OpStore(store_url)
    s.upgrade()
    yield s
    s.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def demo_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OpStore]:
    """A store with the org units and the demo users, shared by the web tests."""
    name = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'ioc.sqlite3'}"
    else:
        name, url = _new_pg_database()
    s = OpStore(url)
    prepare_store(s, secret_box(Settings()))
    yield s
    s.dispose()
    if name:
        _drop_pg_database(name)


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    """A warehouse file holding generated demo-scale data."""
    w = Warehouse(tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb")
    generate_into(w, "demo", DEMO_SEED)
    yield w
    w.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # The scheduler is started by the tests that are about it, not behind every page test.
    return Settings(data_dir=tmp_path, scheduler=False)


@pytest.fixture
def client(settings: Settings, demo_store: OpStore, demo_warehouse: Warehouse
           ) -> Iterator[TestClient]:
    with TestClient(create_app(settings, demo_store, demo_warehouse)) as c:
        yield c


# The browser tests' Chromium, here so that every folder shares one: Playwright's sync API
# runs one event loop in the main thread, and a second instance would refuse to start.
CHROMIUM = os.environ.get("IOC_TEST_CHROMIUM", "/usr/bin/chromium")
OUTPUT = Path(__file__).resolve().parents[1] / "test-output" / "screenshots"


@pytest.fixture(scope="session")
def screenshots() -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()
