"""CSRF protection, the secure headers and the request body limits (web.security)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from noivu_ioc.settings import Settings
from noivu_ioc.store import OpStore
from noivu_ioc.warehouse import Warehouse
from noivu_ioc.web.security import SecurityMiddleware
from tests.factories import login
from tests.web.accounts_world import PASSWORD, World, world

TEMPLATES = Path(__file__).parents[2] / "src" / "noivu_ioc" / "web" / "templates"


def token_of(html: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]+)">', html)
    assert found, html[:500]
    return found[1]


def page_token(client: TestClient, path: str = "/account") -> str:
    return token_of(client.get(path).text)


# -- CSRF on the real application -------------------------------------------------------------


def test_a_form_without_the_token_is_refused_and_audited(client: TestClient) -> None:
    login(client, "lanhdao")
    client.headers.pop("X-CSRF-Token")  # a browser's form carries only the field
    refused = client.post(
        "/logout", data={"next": "/"}, headers={"Accept": "text/html"}, follow_redirects=False
    )
    assert refused.status_code == 403
    assert "cross-site request forgery" in refused.text and "<html" in refused.text
    assert client.get("/api/me").status_code == 200  # nothing happened
    forged = client.post("/logout", data={"csrf_token": "forged"}, follow_redirects=False)
    assert forged.status_code == 403
    done = client.post("/logout", data={"csrf_token": page_token(client)}, follow_redirects=False)
    assert done.status_code == 303
    assert client.get("/api/me").status_code == 401
    with client.app.state.store.session() as session:  # type: ignore[attr-defined]
        from sqlalchemy import select

        from noivu_ioc.store.models import AuditEvent

        last = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "csrf").order_by(AuditEvent.id.desc())
        ).first()
    assert last is not None and last.outcome == "denied" and last.target == "POST /logout"


def test_requests_from_another_site_are_refused_even_with_the_token(client: TestClient) -> None:
    login(client, "lanhdao")
    token = page_token(client)
    cross = client.post(
        "/logout", data={"csrf_token": token}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert cross.status_code == 403 and "another site" in cross.text
    other = client.post("/api/notifications/read-all", headers={"Origin": "https://evil.example"})
    assert other.status_code == 403
    assert "sent from https://evil.example" in other.json()["error"]["message"]
    null = client.post("/api/notifications/read-all", headers={"Origin": "null"})
    assert null.status_code == 403
    ours = client.post("/api/notifications/read-all", headers={"Origin": "http://testserver"})
    assert ours.status_code == 200
    public = client.post("/api/notifications/read-all", headers={"Origin": "http://127.0.0.1:8000"})
    assert public.status_code == 200  # IOC_PUBLIC_URL is ours too


def test_json_and_bodiless_requests_need_no_token_but_plain_text_does(
    client: TestClient,
) -> None:
    login(client, "lanhdao")
    client.headers.pop("X-CSRF-Token")
    assert client.post("/api/notifications/read-all").status_code == 200
    scene = client.post("/api/scenes", json={"slug": "x"})
    assert scene.status_code in (403, 422)  # reached the route (a leader may not edit scenes)
    plain = client.post(
        "/api/scenes", content=b'{"slug": "x"}', headers={"Content-Type": "text/plain"}
    )
    assert plain.status_code == 403 and "X-CSRF-Token" in plain.json()["error"]["message"]
    wrong = client.post(
        "/api/scenes", content=b"a=b", headers={"Content-Type": "text/plain", "X-CSRF-Token": "x"}
    )
    assert wrong.status_code == 403 and "does not belong" in wrong.text


def test_the_header_from_the_login_answer_lets_api_clients_post_forms(client: TestClient) -> None:
    login(client, "vanhanh")  # keeps X-CSRF-Token from the login answer
    assert client.post("/logout", follow_redirects=False).status_code == 303


def test_the_login_form_needs_its_pre_session_token(client: TestClient) -> None:
    bare = client.post("/login", data={"username": "lanhdao", "password": "x"})
    assert bare.status_code == 403 and "security token" in bare.text
    page = client.get("/login")
    assert "ioc_login_csrf=" in page.headers["set-cookie"]
    assert "HttpOnly" in page.headers["set-cookie"]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    other = TestClient(client.app)  # another browser cannot use this page's token
    stolen = other.post("/login", data={"csrf_token": token[1], "username": "a", "password": "b"})
    assert stolen.status_code == 403


def test_push_and_cookieless_clients_are_not_concerned(client: TestClient) -> None:
    pushed = client.post(
        "/api/push/khong-co/ban-ghi",
        content=b"ma,ten\n1,a\n",
        headers={"Content-Type": "text/plain", "X-API-Key": "wrong", "Origin": "https://x.y"},
    )
    assert pushed.status_code == 401  # the key decides, not CSRF


# -- the middleware on its own: the token leaves the body before the route reads it -----------


async def echo(request: Request) -> JSONResponse:
    async with request.form() as form:
        fields = {k: (v if isinstance(v, str) else f"file:{v.filename}") for k, v in form.items()}
    return JSONResponse({"fields": fields, "length": request.headers.get("content-length")})


@pytest.fixture
def echo_client(tmp_path: Path) -> Iterator[tuple[TestClient, str]]:
    settings = Settings(data_dir=tmp_path, request_max_bytes=2048)
    app = SecurityMiddleware(Starlette(routes=[Route("/echo", echo, methods=["POST"])]), settings)
    with TestClient(app) as c:
        c.cookies.set("ioc_session", "a-session-token")
        yield c, app.keys.token("session", "a-session-token")


def test_the_form_field_is_taken_out_of_an_urlencoded_body(
    echo_client: tuple[TestClient, str],
) -> None:
    c, token = echo_client
    answer = c.post("/echo", data={"csrf_token": token, "name": "Hà Nội", "n": "1"})
    assert answer.status_code == 200
    assert answer.json()["fields"] == {"name": "Hà Nội", "n": "1"}
    assert answer.json()["length"] == str(len("name=H%C3%A0+N%E1%BB%99i&n=1"))


def test_the_first_multipart_field_is_the_token_and_is_taken_out(
    echo_client: tuple[TestClient, str],
) -> None:
    c, token = echo_client
    answer = c.post(
        "/echo",
        data={"csrf_token": token, "note": "báo cáo"},
        files={"file": ("bao-cao.txt", io.BytesIO(b"noi dung"), "text/plain")},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["fields"] == {"note": "báo cáo", "file": "file:bao-cao.txt"}
    late = c.post(
        "/echo",
        data={"note": "x", "csrf_token": token},  # not first: a form of the IOC puts it first
        files={"file": ("a.txt", io.BytesIO(b"x"), "text/plain")},
    )
    assert late.status_code == 403 and "first field" in late.text
    header = c.post(
        "/echo",
        data={"note": "x"},
        files={"file": ("a.txt", io.BytesIO(b"x"), "text/plain")},
        headers={"X-CSRF-Token": token},
    )
    assert header.status_code == 200


def test_bodies_over_the_limit_are_refused(echo_client: tuple[TestClient, str]) -> None:
    c, token = echo_client
    declared = c.post("/echo", data={"csrf_token": token, "x": "a" * 3000})
    assert declared.status_code == 413
    assert "more than the limit of 2,048 bytes for /echo" in declared.json()["error"]["message"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: refused once past the limit
        yield b"csrf_token=" + token.encode() + b"&x="
        for _ in range(10):
            yield b"a" * 500

    streamed = c.post(
        "/echo",
        content=chunks(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert streamed.status_code == 413 and "larger than the limit" in streamed.text


# -- the secure headers ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/login", "/api/me", "/healthz", "/static/js/csrf.js", "/docs"])
def test_every_answer_has_the_secure_headers(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self';" in csp
    assert "frame-ancestors 'self'" in csp and "object-src 'none'" in csp
    assert "style-src 'self';" in csp
    assert "unsafe" not in csp  # no inline script, no <style> element, no style attribute
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "SAMEORIGIN"
    assert "camera=()" in headers["permissions-policy"]
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert "strict-transport-security" not in headers


def test_strict_transport_security_behind_https(
    store: OpStore, tmp_path: Path, demo_warehouse: Warehouse
) -> None:
    with world(store, tmp_path, demo_warehouse, secure_cookies=True) as w:
        answer = w.client.get("/login")
        assert answer.headers["strict-transport-security"] == "max-age=31536000"
        assert "upgrade-insecure-requests" in answer.headers["content-security-policy"]
        assert "Secure" in answer.headers["set-cookie"]


def test_the_cached_fast_path_has_the_headers_too(client: TestClient) -> None:
    login(client, "lanhdao")
    first = client.get("/api/scenes/tong-quan/data")
    again = client.get("/api/scenes/tong-quan/data")
    assert first.status_code == again.status_code == 200
    assert "content-security-policy" in again.headers


def test_no_template_has_inline_script_style_or_handlers() -> None:
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text()
        scripts = re.findall(r"<script\b([^>]*)>", text)
        inline = [a for a in scripts if "src=" not in a and 'type="application/json"' not in a]
        assert inline == [], template.name
        assert "<style" not in text, template.name
        assert not re.search(r"\son[a-z]+\s*=", text), template.name


def test_every_post_form_carries_the_token_first() -> None:
    for template in TEMPLATES.glob("*.html"):
        for form in re.findall(r"<form\b[^>]*>.{0,40}", template.read_text(), re.S):
            if re.search(r'\smethod="post"', form, re.I):
                assert "{{ csrf_field(request) }}" in form, (template.name, form)


def test_the_docs_load_the_vendored_swagger_with_a_script_file(client: TestClient) -> None:
    html = client.get("/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "/static/js/docs.js" in html
    assert client.get("/static/js/docs.js").status_code == 200


# -- upload limits -----------------------------------------------------------------------------


@pytest.fixture
def steward(store: OpStore, tmp_path: Path, demo_warehouse: Warehouse) -> Iterator[World]:
    with world(store, tmp_path, demo_warehouse, upload_max_bytes=4096) as w:
        login(w.client, "dulieu.moi", PASSWORD)
        created = w.client.post(
            "/api/sources",
            json={
                "name": "tep-can-bo",
                "label": "Tệp cán bộ xã",
                "kind": "file",
                "config": {"folder": str(tmp_path / "incoming")},
                "bindings": [
                    {"name": "can-bo", "entity": "commune_official", "selector": {"pattern": "*"}}
                ],
            },
        )
        assert created.status_code == 201, created.text
        yield w


def upload(w: World, name: str, data: bytes) -> Any:
    return w.client.post("/api/sources/tep-can-bo/files", files={"file": (name, data)})


def test_a_source_upload_is_checked_for_size_and_type(steward: World) -> None:
    assert upload(steward, "can_bo.csv", b"ma;ten\n1;An\n").status_code == 201
    big = upload(steward, "lon.csv", b"ma;ten\n" + b"1;An\n" * 2000)
    assert big.status_code == 413 and "upload limit of 4,096 bytes" in big.text
    named = upload(steward, "chuong-trinh.exe", b"MZ...")
    assert named.status_code == 422 and ".csv" in named.json()["error"]["message"]
    disguised = upload(steward, "bang.xlsx", b"ma;ten\n1;An\n")
    assert disguised.status_code == 422 and "not a zip package" in disguised.text


def test_a_declared_size_over_the_limit_is_refused_before_reading(steward: World) -> None:
    answer = steward.client.post(
        "/api/sources/tep-can-bo/files",
        content=b"x",
        headers={"Content-Type": "multipart/form-data; boundary=b", "Content-Length": "9999999"},
    )
    assert answer.status_code == 413 and "more than the limit" in answer.text


def test_a_body_larger_than_any_request_may_be_is_refused(client: TestClient) -> None:
    login(client, "lanhdao")
    huge = client.post(
        "/api/scenes",
        content=b"{}",
        headers={"Content-Type": "application/json", "Content-Length": str(17 * 1024 * 1024)},
    )
    assert huge.status_code == 413


def test_a_chunked_body_over_the_limit_is_refused_while_the_route_reads_it(
    store: OpStore, tmp_path: Path, demo_warehouse: Warehouse
) -> None:
    with world(store, tmp_path, demo_warehouse, request_max_bytes=1024) as w:
        login(w.client, "phan.tich", PASSWORD)

        def chunks() -> Iterator[bytes]:  # no Content-Length: only counting can tell
            yield b'{"current_password": "'
            for _ in range(8):
                yield b"a" * 200
            yield b'", "new_password": "x"}'

        answer = w.client.post(
            "/api/account/password",
            content=chunks(),
            headers={"Content-Type": "application/json"},
        )
        assert answer.status_code == 413
        assert "larger than the limit of 1,024 bytes" in answer.json()["error"]["message"]
        assert "content-security-policy" in answer.headers
