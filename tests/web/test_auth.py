"""Logging in and out through the page and the API."""

from fastapi.testclient import TestClient

from noivu_ioc.demo import DEMO_PASSWORD
from tests.factories import login, login_form


def test_login_form_sets_an_httponly_cookie_and_redirects(client: TestClient) -> None:
    response = login_form(client, "lanhdao", DEMO_PASSWORD, "/catalog")
    assert response.status_code == 303
    assert response.headers["location"] == "/catalog"
    cookie = response.headers["set-cookie"]
    assert "ioc_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert client.get("/api/me").json()["username"] == "lanhdao"


def test_wrong_password_shows_a_vietnamese_message(client: TestClient) -> None:
    response = login_form(client, "lanhdao", "sai-mat-khau")
    assert response.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.text
    assert client.get("/api/me").status_code == 401


def test_next_cannot_send_the_user_to_another_site(client: TestClient) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        client.cookies.clear()
        response = login_form(client, "lanhdao", DEMO_PASSWORD, target)
        assert response.headers["location"] == "/"


def test_logout_ends_the_session_on_the_server(client: TestClient) -> None:
    login(client, "vanhanh")
    token = client.cookies.get("ioc_session")
    assert client.post("/logout", follow_redirects=False).status_code == 303
    client.cookies.set("ioc_session", token or "")
    assert client.get("/api/me").status_code == 401


def test_api_session_round_trip(client: TestClient) -> None:
    body = login(client, "sonv.hanoi").get("/api/me").json()
    assert body["roles"] == ["provincial_officer"]
    assert body["provinces"] == ["01"] and body["national"] is False
    assert client.delete("/api/session").status_code == 204
    assert client.get("/api/me").status_code == 401


def test_forged_cookie_is_refused(client: TestClient) -> None:
    client.cookies.set("ioc_session", "forged-value-that-was-never-issued")
    response = client.get("/api/overview")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
