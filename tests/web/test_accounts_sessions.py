"""Sessions through the API and the pages: one's own listed and ended, everyone's for
administrators, expiry and idle time, a disabled user or a new password ending them at once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from noivu_ioc.access.users import disable_user
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import LoginSession
from noivu_ioc.warehouse import Warehouse
from tests.factories import login, login_http
from tests.web.accounts_world import PASSWORD, World, world

NEW_PASSWORD = "may-trang-deo-hai-van"


@pytest.fixture
def w(store: OpStore, tmp_path: Path, demo_warehouse: Warehouse) -> Iterator[World]:
    with world(store, tmp_path, demo_warehouse, session_idle_minutes=30) as found:
        yield found


def as_user(w: World, username: str = "phan.tich") -> TestClient:
    client = w.new_client()
    if username == "qt.moi":
        login_http(client, username, PASSWORD, where=w.store.url, store=w.store)
    else:
        login(client, username, PASSWORD)
    return client


def test_one_lists_and_ends_ones_own_sessions(w: World) -> None:
    laptop, phone = as_user(w), as_user(w)
    listed = laptop.get("/api/account/sessions")
    assert listed.status_code == 200 and listed.headers["cache-control"] == "no-store"
    rows = listed.json()
    assert len(rows) == 2 and [r["current"] for r in rows].count(True) == 1
    assert {r["method"] for r in rows} == {"password"} and rows[0]["client"] == "testclient"
    other = next(r["id"] for r in rows if not r["current"])
    assert laptop.delete(f"/api/account/sessions/{other}").status_code == 204
    assert phone.get("/api/me").status_code == 401  # at once
    assert laptop.get("/api/me").status_code == 200
    officer = as_user(w, "sonv.hue")
    mine = next(r["id"] for r in laptop.get("/api/account/sessions").json())
    assert officer.delete(f"/api/account/sessions/{mine}").status_code == 404
    assert laptop.get("/api/me").status_code == 200


def test_the_account_page_lists_sessions_and_ends_one(w: World) -> None:
    client, other = as_user(w), as_user(w)
    page = client.get("/account")
    assert page.status_code == 200 and "Các phiên đăng nhập" in page.text
    assert page.text.count('data-testid="revoke"') == 2 and "Phiên này" in page.text
    ids = re.findall(r'data-session="(\d+)"', page.text)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)
    assert token
    client.headers.pop("X-CSRF-Token")
    current = next(r["id"] for r in client.get("/api/account/sessions").json() if r["current"])
    target = next(i for i in ids if int(i) != current)
    ended = client.post(
        f"/account/sessions/{target}/revoke", data={"csrf_token": token[1]}, follow_redirects=False
    )
    assert ended.status_code == 303 and ended.headers["location"] == "/account?msg=revoked"
    assert other.get("/api/me").status_code == 401
    assert "Đã kết thúc phiên đăng nhập." in client.get("/account?msg=revoked").text


def test_administrators_see_and_end_anyones_session(w: World) -> None:
    analyst = as_user(w)
    admin = as_user(w, "qt.moi")
    everyone = admin.get("/api/sessions").json()
    assert {r["username"] for r in everyone} == {"phan.tich", "qt.moi"}
    theirs = admin.get("/api/sessions", params={"username": "phan.tich"}).json()
    assert len(theirs) == 1
    assert admin.delete(f"/api/sessions/{theirs[0]['id']}").status_code == 204
    assert analyst.get("/api/me").status_code == 401
    assert as_user(w).get("/api/sessions").status_code == 403  # not an administrator
    page = admin.get("/admin/sessions")
    assert page.status_code == 200 and "phan.tich" in page.text and "qt.moi" in page.text
    assert [e.target for e in w.audit("session.revoke")][-1].startswith("session ")


def test_disabling_a_user_ends_their_cached_session_at_once(w: World) -> None:
    client = as_user(w)
    assert client.get("/api/me").status_code == 200
    assert client.get("/api/me").status_code == 200  # now served from the principal cache
    with w.store.session() as session:
        disable_user(session, "phan.tich")
    assert client.get("/api/me").status_code == 401


def shift(w: World, **changes: timedelta) -> None:
    with w.store.session() as session:
        for row in session.scalars(select(LoginSession)):
            for field, delta in changes.items():
                setattr(row, field, getattr(row, field) - delta)


def test_idle_and_expired_sessions_end(
    store: OpStore, tmp_path: Path, demo_warehouse: Warehouse
) -> None:
    with world(
        store, tmp_path, demo_warehouse, session_idle_minutes=30, session_cache_seconds=0
    ) as w:
        client = as_user(w)
        shift(w, last_seen_at=timedelta(minutes=29))
        assert client.get("/api/me").status_code == 200  # active again: seen now
        shift(w, last_seen_at=timedelta(minutes=31))
        idle = client.get("/api/me")
        assert idle.status_code == 401
        assert "30 minutes without activity" in idle.json()["error"]["message"]
        fresh = as_user(w, "sonv.hue")
        shift(w, expires_at=timedelta(hours=12))
        assert fresh.get("/api/me").status_code == 401


def test_changing_the_password_needs_the_current_one_and_ends_the_others(w: World) -> None:
    client, other = as_user(w), as_user(w)
    wrong = client.post(
        "/api/account/password",
        json={"current_password": "khong-phai", "new_password": NEW_PASSWORD},
    )
    assert wrong.status_code == 422 and "current password is not right" in wrong.text
    weak = client.post(
        "/api/account/password",
        json={"current_password": PASSWORD, "new_password": "matkhau123456"},
    )
    assert weak.status_code == 422 and "common password" in weak.json()["error"]["message"]
    done = client.post(
        "/api/account/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert done.status_code == 200 and done.json() == {"sessions_ended": 1}
    assert other.get("/api/me").status_code == 401
    assert client.get("/api/me").status_code == 200
    login(w.new_client(), "phan.tich", NEW_PASSWORD)
    # The wrong current password is audited (and counted); a refused new one changes nothing.
    assert [e.outcome for e in w.audit("password.change")] == ["failed", "ok"]


def test_the_password_page_explains_a_refusal(w: World) -> None:
    client = as_user(w)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/account").text)
    assert token
    differ = client.post(
        "/account/password",
        data={
            "csrf_token": token[1],
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "repeat_password": NEW_PASSWORD + "x",
        },
    )
    assert differ.status_code == 422
    assert "hai mật khẩu mới không giống nhau; hãy gõ cùng một mật khẩu hai lần" in differ.text
    short = client.post(
        "/account/password?lang=en",
        data={
            "csrf_token": token[1],
            "current_password": PASSWORD,
            "new_password": "ngắn",
            "repeat_password": "ngắn",
        },
    )
    assert short.status_code == 422
    assert "the password has 4 characters; use at least 12" in short.text
    common = client.post(  # the page's language is remembered: asked back to Vietnamese
        "/account/password?lang=vi",
        data={
            "csrf_token": token[1],
            "current_password": PASSWORD,
            "new_password": "matkhau123456",
            "repeat_password": "matkhau123456",
        },
    )
    assert common.status_code == 422 and "mật khẩu là một mật khẩu phổ biến" in common.text
    changed = client.post(
        "/account/password",
        data={
            "csrf_token": token[1],
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "repeat_password": NEW_PASSWORD,
        },
        follow_redirects=False,
    )
    assert changed.status_code == 303 and changed.headers["location"] == "/account?msg=password"
