"""The second factor through the API and the pages: administrators enrol before anything
else, a waiting session is refused everywhere else, codes are used once, wrong codes lock,
administrators (and the command line) reset a lost factor."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient

from noivu_ioc.store import OpStore
from noivu_ioc.warehouse import Warehouse
from tests.factories import login_form
from tests.web.accounts_world import PASSWORD, World, world


@pytest.fixture
def w(store: OpStore, tmp_path: Path, demo_warehouse: Warehouse) -> Iterator[World]:
    with world(store, tmp_path, demo_warehouse, login_user_failures=3) as found:
        yield found


def next_code(secret: str) -> str:
    """The code of the next 30-second step (accepted: a phone's clock may run ahead), for a
    second login within the step whose code was just used."""
    return pyotp.TOTP(secret).at(datetime.now(UTC) + timedelta(seconds=30))


def password_step(client: TestClient, username: str = "qt.moi") -> Any:
    return client.post("/api/session", json={"username": username, "password": PASSWORD})


def enrol(client: TestClient) -> str:
    """Enrol through the API with a session that may; the secret."""
    started = client.post("/api/account/totp/enrolment")
    assert started.status_code == 200, started.text
    secret: str = started.json()["secret"]
    confirmed = client.post("/api/account/totp/confirm", json={"code": pyotp.TOTP(secret).now()})
    assert confirmed.status_code == 200, confirmed.text
    return secret


def test_an_administrator_must_enrol_before_anything_else(w: World) -> None:
    client = w.new_client()
    answer = password_step(client)
    assert answer.status_code == 202
    assert answer.json()["second_factor"] == "enrol"
    waiting = client.cookies.get("ioc_session")
    # Nothing else answers such a session: the API, the pages, the cached fast path.
    me = client.get("/api/me")
    assert me.status_code == 401 and "second factor" in me.json()["error"]["message"]
    assert client.get("/api/overview").status_code == 401
    assert client.get("/api/sessions").status_code == 401
    assert client.get("/api/scenes/tong-quan/data").status_code == 401
    assert client.post("/api/users/phan.tich/unlock").status_code == 401
    page = client.get("/", follow_redirects=True)
    assert page.url.path == "/account/totp" and 'data-testid="totp-qr"' in page.text
    assert "Tài khoản quản trị phải bật xác thực hai lớp" in page.text
    assert page.headers["cache-control"] == "no-store"

    started = client.post("/api/account/totp/enrolment").json()
    assert started["uri"].startswith("otpauth://totp/") and started["qr_svg"].startswith("<svg")
    wrong = client.post("/api/account/totp/confirm", json={"code": "12345"})
    assert wrong.status_code == 422 and "not the one the app shows" in wrong.text
    done = client.post(
        "/api/account/totp/confirm", json={"code": pyotp.TOTP(started["secret"]).now()}
    )
    assert done.status_code == 200 and done.json()["username"] == "qt.moi"
    assert client.cookies.get("ioc_session") != waiting  # a new token after the factor
    assert client.get("/api/me").status_code == 200
    assert client.get("/api/sessions").status_code == 200
    stale = w.new_client()
    stale.cookies.set("ioc_session", waiting or "")
    assert stale.get("/api/me").status_code == 401
    assert [(e.detail or {}).get("step") for e in w.audit("totp.enrol")] == [
        "started",
        None,  # the wrong code
        "confirmed",
    ]


def test_the_code_is_asked_at_every_login_and_used_once(w: World) -> None:
    secret = enrol(_waiting_admin(w))
    client = w.new_client()
    assert password_step(client).json()["second_factor"] == "totp"
    code = next_code(secret)
    given = client.post("/api/session/totp", json={"code": code})
    assert given.status_code == 200, given.text
    assert "x-csrf-token" in given.headers
    again = w.new_client()
    password_step(again)
    replayed = again.post("/api/session/totp", json={"code": code})
    assert replayed.status_code == 401
    assert "was used already" in replayed.json()["error"]["message"]
    assert again.get("/api/me").status_code == 401


def _waiting_admin(w: World) -> TestClient:
    client = w.new_client()
    assert password_step(client).status_code == 202
    return client


def test_wrong_codes_lock_the_account_and_end_the_waiting_session(w: World) -> None:
    secret = enrol(_waiting_admin(w))
    client = w.new_client()
    password_step(client)
    for _ in range(3):
        assert client.post("/api/session/totp", json={"code": "000000"}).status_code == 401
    # Locked: the waiting session is over, and even the right code and password fail.
    late = client.post("/api/session/totp", json={"code": next_code(secret)})
    assert late.status_code == 401
    assert client.get("/api/account/totp").status_code == 401
    assert password_step(w.new_client()).status_code == 401
    assert [e.outcome for e in w.audit("login.second_factor")].count("failed") == 3
    assert [e.target for e in w.audit("login.lock")] == ["user:qt.moi"]


def test_the_pages_lead_through_the_enrolment_and_the_code(w: World) -> None:
    client = w.new_client()
    first = login_form(client, "qt.moi", PASSWORD, "/catalog")
    assert first.status_code == 303 and first.headers["location"] == "/account/totp?next=/catalog"
    page = client.get(first.headers["location"])
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page.text)
    assert secret, page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    confirmed = client.post(
        "/account/totp",
        data={
            "csrf_token": token[1],
            "code": pyotp.TOTP(secret[1].replace(" ", "")).now(),
            "next": "/catalog",
        },
        follow_redirects=False,
    )
    assert confirmed.status_code == 303 and confirmed.headers["location"] == "/catalog"
    assert client.get("/catalog").status_code == 200

    other = w.new_client()
    second = login_form(other, "qt.moi", PASSWORD, "/units")
    assert second.headers["location"] == "/login/totp?next=/units"
    # A waiting session that asks for the login page is sent back to its step.
    back = other.get("/login", follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"].startswith("/login/totp")
    step = other.get("/login/totp?next=/units")
    field = re.search(r'name="csrf_token" value="([^"]+)"', step.text)
    assert field and "Xác thực hai lớp" in step.text
    wrong = other.post("/login/totp", data={"csrf_token": field[1], "code": "1", "next": "/units"})
    assert wrong.status_code == 401 and "mã không đúng, đã được dùng rồi" in wrong.text
    code = next_code(secret[1].replace(" ", ""))  # the current one confirmed the enrolment
    right = other.post(
        "/login/totp",
        data={"csrf_token": field[1], "code": code, "next": "/units"},
        follow_redirects=False,
    )
    assert right.status_code == 303 and right.headers["location"] == "/units"


def test_anyone_may_turn_the_factor_on(w: World) -> None:
    client = w.new_client()
    assert password_step(client, "phan.tich").status_code == 200  # no factor: no second step
    status = client.get("/api/account/totp").json()
    assert status == {"enrolled": False, "required": False, "waiting": None}
    enrol(client)
    assert client.get("/api/me").status_code == 200  # the session goes on, with a new token
    assert password_step(w.new_client(), "phan.tich").json()["second_factor"] == "totp"


def test_an_administrator_resets_a_lost_factor(w: World) -> None:
    secret = enrol(_waiting_admin(w))  # qt.moi
    officer = w.new_client()
    assert password_step(officer, "sonv.hue").status_code == 200
    enrol(officer)
    admin = w.new_client()
    password_step(admin)
    assert admin.post("/api/session/totp", json={"code": next_code(secret)}).status_code == 200
    reset = admin.post("/api/users/sonv.hue/totp-reset")
    assert reset.status_code == 200 and reset.json() == {
        "username": "sonv.hue",
        "sessions_ended": 1,
    }
    assert officer.get("/api/me").status_code == 401  # ended at once
    assert password_step(w.new_client(), "sonv.hue").status_code == 200  # no factor any more
    assert [e.target for e in w.audit("totp.reset")] == ["sonv.hue"]
    analyst = w.new_client()
    password_step(analyst, "phan.tich")
    assert analyst.post("/api/users/qt.moi/totp-reset").status_code == 403


def test_the_command_line_resets_a_factor(w: World, tmp_path: Path) -> None:
    enrol(_waiting_admin(w))
    done = subprocess.run(
        [sys.executable, "-m", "noivu_ioc.cli", "users", "totp-reset", "qt.moi"],
        env={**os.environ, "IOC_DATABASE_URL": w.store.url, "IOC_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "reset the second factor of qt.moi; 1 sessions ended" in done.stdout
    assert password_step(w.new_client()).json()["second_factor"] == "enrol"
