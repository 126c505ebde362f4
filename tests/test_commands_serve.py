"""`ioc demo` and `ioc serve` as a user runs them: real processes, real HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2 as httpx
import pytest

from noivu_ioc.demo import DEMO_PASSWORD
from tests.factories import login_http

IOC = [sys.executable, "-m", "noivu_ioc.cli"]
ADMIN_PASSWORD = "vuon-cau-mua-xuan-quan-tri"  # meets the password policy


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running(args: list[str], env: dict[str, str], cwd: Path) -> Iterator[str]:
    """Start an ioc command that serves; yield its base URL once /healthz answers."""
    port = _free_port()
    log = cwd / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [*IOC, *args, "--port", str(port)],
            env={**os.environ, **env}, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # start-up poll; the test itself has no time limit
            if process.poll() is not None:
                pytest.fail(f"ioc {args[0]} exited early:\n{log.read_text()}")
            try:
                if httpx.get(base + "/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail(f"ioc {args[0]} never answered:\n{log.read_text()}")
        yield base
    finally:
        process.terminate()
        process.wait()


def test_demo_serves_generated_data_and_demo_users(tmp_path: Path) -> None:
    env = {"IOC_DATA_DIR": str(tmp_path / "data")}
    with running(["demo"], env, tmp_path) as base, httpx.Client(base_url=base) as client:
        assert client.post("/api/session", json={"username": "sonv.laocai",
                                                 "password": DEMO_PASSWORD}).status_code == 200
        overview = client.get("/api/overview").json()
        assert overview["persons"] > 0
        assert [p["code"] for p in overview["by_province"]] == ["15"]
        assert "Tình hình tổng thể" in client.get("/").text
    assert (tmp_path / "data" / "ioc.sqlite3").exists()
    assert (tmp_path / "data" / "warehouse.duckdb").exists()


def test_serve_uses_the_stores_given_by_settings(store_url: str, tmp_path: Path) -> None:
    env = {"IOC_DATABASE_URL": store_url,
           "IOC_WAREHOUSE_URL": f"duckdb:///{tmp_path / 'w.duckdb'}",
           "IOC_DATA_DIR": str(tmp_path / "unused")}
    created = subprocess.run(
        [*IOC, "users", "create", "admin", "--role", "administrator", "--unit", "BNV",
         "--password", ADMIN_PASSWORD],
        env={**os.environ, **env}, cwd=tmp_path, capture_output=True, text=True,
    )
    assert created.returncode == 0, created.stderr
    with running(["serve"], env, tmp_path) as base, httpx.Client(base_url=base) as client:
        # An administrator enrols a second factor at the first login.
        login_http(client, "admin", ADMIN_PASSWORD, where=base)
        overview = client.get("/api/overview").json()
        assert overview["persons"] == 0 and overview["scope_national"] is True
    assert not (tmp_path / "unused").exists()


def test_serve_refuses_an_unreachable_database(tmp_path: Path) -> None:
    result = subprocess.run(
        [*IOC, "serve"],
        env={**os.environ, "IOC_DATABASE_URL": "postgresql://ioc:pw@127.0.0.1:1/ioc"},
        cwd=tmp_path, capture_output=True, text=True,
    )
    assert result.returncode == 2
    assert "cannot reach the operational store at postgresql://ioc:***@127.0.0.1:1/ioc" in (
        result.stderr)


def _login_clients(data: Path) -> list[str | None]:
    from sqlalchemy import select

    from noivu_ioc.store import OpStore
    from noivu_ioc.store.models import AuditEvent

    store = OpStore(f"sqlite:///{data / 'ioc.sqlite3'}")
    try:
        with store.session() as session:
            return list(
                session.scalars(
                    select(AuditEvent.client)
                    .where(AuditEvent.action == "login")
                    .order_by(AuditEvent.id)
                )
            )
    finally:
        store.dispose()


@pytest.mark.parametrize("trusted", [True, False], ids=["behind-a-trusted-proxy", "direct"])
def test_the_client_address_comes_from_a_trusted_proxy_only(
    tmp_path: Path, trusted: bool
) -> None:
    env = {"IOC_DATA_DIR": str(tmp_path / "data")}
    if trusted:
        env["IOC_TRUSTED_PROXIES"] = "127.0.0.1"
    with running(["serve"], env, tmp_path) as base:
        refused = httpx.post(
            base + "/api/session",
            json={"username": "khong.co.ai", "password": "sai-mat-khau-lan-mot"},
            headers={"X-Forwarded-For": "203.0.113.5"},
        )
        assert refused.status_code == 401
    # Behind the proxy the audit and the per-address lock-out see the user's address;
    # without one, a forged header is ignored and the peer's address is kept.
    assert _login_clients(tmp_path / "data") == ["203.0.113.5" if trusted else "127.0.0.1"]
