"""Logins through the page and the API with the lock-out: a locked account, an unknown one
and a wrong password get the same answer; only the audit knows which it was."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from noivu_ioc.store import OpStore
from noivu_ioc.warehouse import Warehouse
from tests.factories import login, login_form, login_http
from tests.web.accounts_world import PASSWORD, World, world

FAILURES = 3


@pytest.fixture
def w(store: OpStore, tmp_path: Path, demo_warehouse: Warehouse) -> Iterator[World]:
    with world(
        store,
        tmp_path,
        demo_warehouse,
        login_user_failures=FAILURES,
        login_address_failures=50,
        login_lock_minutes=10,
    ) as found:
        yield found


def api_login(w: World, username: str, password: str) -> Any:
    return w.new_client().post("/api/session", json={"username": username, "password": password})


def error_of(response: Any) -> dict[str, Any]:
    body = response.json()["error"]
    body.pop("request_id")
    return dict(body)


def test_unknown_locked_and_wrong_get_the_same_answer(w: World) -> None:
    for _ in range(FAILURES):
        assert api_login(w, "sonv.hue", "wrong-password").status_code == 401
    answers = {
        "locked, right password": api_login(w, "sonv.hue", PASSWORD),
        "unknown": api_login(w, "khong.ton.tai", PASSWORD),
        "wrong password": api_login(w, "phan.tich", "wrong-password"),
    }
    assert {r.status_code for r in answers.values()} == {401}
    shapes = [error_of(r) for r in answers.values()]
    assert all(s == shapes[0] for s in shapes), shapes
    assert "wrong username or password" in shapes[0]["message"]
    assert all("set-cookie" not in r.headers for r in answers.values())
    reasons = [(e.username, (e.detail or {}).get("reason")) for e in w.audit("login")]
    assert reasons[-3:] == [
        ("sonv.hue", "locked"),
        ("khong.ton.tai", "unknown user"),
        ("phan.tich", "wrong password"),
    ]
    assert [e.target for e in w.audit("login.lock")] == ["user:sonv.hue"]


def page_message(response: Any) -> str:
    found = re.search(r'<p class="alert" role="alert">(.*?)</p>', response.text, re.S)
    assert found, response.text
    return found[1]


def test_the_login_page_says_the_same_for_every_refusal(w: World) -> None:
    for _ in range(FAILURES):
        login_form(w.new_client(), "sonv.hue", "wrong-password")
    pages = [
        login_form(w.new_client(), "sonv.hue", PASSWORD),  # locked
        login_form(w.new_client(), "khong.ton.tai", PASSWORD),
        login_form(w.new_client(), "phan.tich", "wrong-password"),
    ]
    assert {p.status_code for p in pages} == {401}
    assert len({page_message(p) for p in pages}) == 1
    assert "Sai tên đăng nhập hoặc mật khẩu" in page_message(pages[0])


def test_a_success_resets_the_count_of_its_username(w: World) -> None:
    for _ in range(FAILURES - 1):
        api_login(w, "sonv.hue", "wrong-password")
    assert api_login(w, "sonv.hue", PASSWORD).status_code == 200
    for _ in range(FAILURES - 1):
        api_login(w, "sonv.hue", "wrong-password")
    assert api_login(w, "sonv.hue", PASSWORD).status_code == 200  # not locked: counted anew


def test_an_administrator_lifts_a_lock(w: World) -> None:
    for _ in range(FAILURES):
        api_login(w, "sonv.hue", "wrong-password")
    assert api_login(w, "sonv.hue", PASSWORD).status_code == 401
    admin = w.new_client()
    login_http(admin, "qt.moi", PASSWORD, where=w.store.url, store=w.store)
    lifted = admin.post("/api/users/sonv.hue/unlock")
    assert lifted.status_code == 200 and lifted.json() == {"username": "sonv.hue", "cleared": True}
    assert api_login(w, "sonv.hue", PASSWORD).status_code == 200
    officer = w.new_client()
    login(officer, "sonv.hue", PASSWORD)
    refused = officer.post("/api/users/phan.tich/unlock")
    assert refused.status_code == 403


def test_the_address_locks_at_its_own_higher_threshold(
    store: OpStore, tmp_path: Path, demo_warehouse: Warehouse
) -> None:
    with world(
        store, tmp_path, demo_warehouse, login_user_failures=100, login_address_failures=4
    ) as w:
        for i in range(4):
            assert api_login(w, f"doan.{i}", "mat-khau-doan-bua").status_code == 401
        # Every client of this test comes from the same address: now locked for everyone.
        refused = api_login(w, "phan.tich", PASSWORD)
        assert refused.status_code == 401
        assert [e.target for e in w.audit("login.lock")] == ["ip:testclient"]
