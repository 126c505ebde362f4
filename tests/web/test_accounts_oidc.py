"""Sign-in through an OpenID Connect provider: oidc-provider-mock runs as a real provider
(discovery, authorization, token and JWKS endpoints, RS256-signed ID tokens) in a thread;
the IOC talks to it over HTTP as it would to the ministry's."""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from oidc_provider_mock import User, run_server_in_thread
from sqlalchemy import select

from noivu_ioc.access.oidc import OidcConfig, OidcError, OidcProvider, PendingSignIn
from noivu_ioc.settings import Settings
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import LoginSession
from noivu_ioc.store.models import User as Account
from noivu_ioc.warehouse import Warehouse
from tests.factories import login
from tests.web.accounts_world import PASSWORD, World, world

CLIENT_ID = "noivu-ioc"
PEOPLE = [
    User(
        sub="nv-0046-ha",
        claims={
            "preferred_username": "sonv.hue",
            "name": "Tôn Nữ Thu Hà",
            "email": "thuha@hue.gov.vn",
            "email_verified": True,
        },
    ),
    User(
        sub="nv-9999-la",
        claims={"preferred_username": "nguoi.la", "email": "la@example.vn", "email_verified": True},
    ),
    User(sub="nv-0001-qt", claims={"preferred_username": "qt.moi"}),
    User(
        sub="nv-0002-pt",
        claims={
            "preferred_username": "khac",
            "email": "trang.pt@moha.gov.vn",
            "email_verified": False,
        },
    ),
]


@pytest.fixture
def provider() -> Iterator[str]:
    """A provider of its own for each test (a test may change what it says of a person)."""
    with run_server_in_thread(require_nonce=True, user_claims=PEOPLE) as server:
        yield f"http://localhost:{server.server_port}"


OidcWorld = Callable[..., AbstractContextManager[World]]


@pytest.fixture
def oidc_world(
    provider: str, store: OpStore, tmp_path: Path, demo_warehouse: Warehouse
) -> OidcWorld:
    """The IOC set up with the test's provider, and these settings besides."""

    def make(**settings: Any) -> AbstractContextManager[World]:
        return world(
            store,
            tmp_path,
            demo_warehouse,
            oidc_issuer=provider,
            oidc_client_id=CLIENT_ID,
            **settings,
        )

    return make


@pytest.fixture
def w(oidc_world: OidcWorld) -> Iterator[World]:
    with oidc_world(oidc_client_secret="bi-mat-cua-ioc", oidc_label="Bộ Nội vụ") as found:
        yield found


def at_provider(authorize_url: str, sub: str) -> str:
    """The person signs in at the provider (its form, POSTed); the address it sends the
    browser back to."""
    answer = httpx.post(authorize_url, data={"sub": sub}, follow_redirects=False)
    assert answer.status_code == 302, answer.text
    return str(answer.headers["location"])


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def sign_in(client: TestClient, sub: str, next_path: str = "/catalog") -> Any:
    start = client.get(f"/login/oidc?next={next_path}", follow_redirects=False)
    assert start.status_code == 303, start.text
    back = at_provider(start.headers["location"], sub)
    return client.get(local(back), follow_redirects=False)


def test_the_login_page_offers_the_provider_when_configured(w: World, client: TestClient) -> None:
    assert "Đăng nhập bằng tài khoản Bộ Nội vụ" in w.client.get("/login").text
    assert 'data-testid="oidc-login"' not in client.get("/login").text  # the demo: not set
    assert client.get("/login/oidc", follow_redirects=False).status_code == 404


def test_the_authorization_request_has_state_nonce_and_pkce(w: World, provider: str) -> None:
    start = w.new_client().get("/login/oidc?next=/units", follow_redirects=False)
    target = urlsplit(start.headers["location"])
    asked = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert f"{target.scheme}://{target.netloc}" == provider
    assert asked["response_type"] == "code" and asked["client_id"] == CLIENT_ID
    assert asked["redirect_uri"] == "http://127.0.0.1:8000/login/oidc/callback"
    assert asked["scope"] == "openid profile email"
    assert asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) == 43
    assert len(asked["state"]) >= 32 and len(asked["nonce"]) >= 32
    cookie = start.headers["set-cookie"]
    assert "ioc_oidc=" in cookie and "HttpOnly" in cookie and "Path=/login/oidc" in cookie
    assert asked["state"] not in cookie  # what the IOC remembers is encrypted


def test_a_linked_person_signs_in_and_is_remembered_by_subject(w: World, provider: str) -> None:
    client = w.new_client()
    done = sign_in(client, "nv-0046-ha")
    assert done.status_code == 303 and done.headers["location"] == "/catalog"
    me = client.get("/api/me").json()
    assert me["username"] == "sonv.hue" and me["provinces"] == ["46"]
    with w.store.session() as session:
        assert session.scalars(select(LoginSession.method)).all() == ["oidc"]
        linked = session.scalar(select(Account).where(Account.username == "sonv.hue"))
        assert linked is not None and linked.oidc_subject == f"{provider}|nv-0046-ha"
    assert [e.username for e in w.audit("oidc.link")] == ["sonv.hue"]
    # The provider renames the person: the subject still finds the account.
    httpx.put(f"{provider}/users/nv-0046-ha", json={"preferred_username": "ha.ton"})
    again = w.new_client()
    assert sign_in(again, "nv-0046-ha").status_code == 303
    assert again.get("/api/me").json()["username"] == "sonv.hue"


def test_an_unknown_person_is_refused_and_audited(w: World) -> None:
    client = w.new_client()
    refused = sign_in(client, "nv-9999-la")
    assert refused.status_code == 401 and 'data-testid="oidc-failed"' in refused.text
    assert "chưa gắn với một tài khoản IOC" in refused.text
    assert client.get("/api/me").status_code == 401
    failed = [e for e in w.audit("login") if (e.detail or {}).get("method") == "oidc"]
    assert failed[-1].outcome == "failed"
    assert failed[-1].detail["reason"] == "no account matches preferred_username 'nguoi.la'"
    with w.store.session() as session:  # no account was made
        assert session.scalar(select(Account).where(Account.username == "nguoi.la")) is None


def test_a_forged_state_or_a_reused_code_is_refused(w: World) -> None:
    client = w.new_client()
    start = client.get("/login/oidc", follow_redirects=False)
    back = at_provider(start.headers["location"], "nv-0046-ha")
    forged = back.replace("state=", "state=x")
    assert client.get(local(forged), follow_redirects=False).status_code == 401
    assert client.get(local(back), follow_redirects=False).status_code == 401  # cookie spent
    stranger = w.new_client()  # another browser holding the code but not the sign-in
    assert stranger.get(local(back), follow_redirects=False).status_code == 401
    reasons = [(e.detail or {}).get("reason") for e in w.audit("login")]
    assert "the state does not match the sign-in under way" in reasons
    assert "no sign-in under way (the cookie is missing or expired)" in reasons


def test_an_administrator_signing_in_still_gives_the_second_factor(w: World) -> None:
    client = w.new_client()
    done = sign_in(client, "nv-0001-qt", "/units")
    assert done.status_code == 303 and done.headers["location"] == "/account/totp?next=/units"
    assert client.get("/api/me").status_code == 401


def page_token(client: TestClient) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]+)">', client.get("/account").text)
    assert found
    return found[1]


def test_logging_out_ends_the_session_at_the_provider_too(w: World, provider: str) -> None:
    client = w.new_client()
    assert sign_in(client, "nv-0046-ha").status_code == 303
    out = client.post("/logout", data={"csrf_token": page_token(client)}, follow_redirects=False)

    assert out.status_code == 303 and "ioc_session=" in out.headers["set-cookie"]
    target = urlsplit(out.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{provider}/oauth2/end_session"
    asked = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert asked == {
        "client_id": CLIENT_ID,
        "post_logout_redirect_uri": "http://127.0.0.1:8000/login",
        "ui_locales": "vi",
    }
    assert client.get("/api/me").status_code == 401  # ended here before leaving
    # The provider asks the person to confirm, then sends them back to the login page.
    confirmed = httpx.post(
        f"{provider}/oauth2/end_session/confirm",
        data={"redirect_uri": asked["post_logout_redirect_uri"]},
        follow_redirects=False,
    )
    assert confirmed.headers["location"] == "http://127.0.0.1:8000/login"
    (entry,) = w.audit("logout")
    assert entry.username == "sonv.hue" and entry.detail == {"method": "oidc"}


def test_a_password_session_logs_out_here_only(w: World) -> None:
    client = w.new_client()
    login(client, "sonv.hue", PASSWORD)
    out = client.post("/logout", follow_redirects=False)
    assert (out.status_code, out.headers["location"]) == (303, "/login")


def test_the_provider_logout_can_be_turned_off(oidc_world: OidcWorld) -> None:
    with oidc_world(oidc_logout=False) as w:
        client = w.new_client()
        assert sign_in(client, "nv-0046-ha").status_code == 303
        out = client.post(
            "/logout", data={"csrf_token": page_token(client)}, follow_redirects=False
        )
        assert (out.status_code, out.headers["location"]) == (303, "/login")


def test_matching_by_verified_email(oidc_world: OidcWorld) -> None:
    with oidc_world(oidc_user_claim="email", oidc_user_field="email") as w:
        client = w.new_client()
        assert sign_in(client, "nv-0046-ha").status_code == 303
        assert client.get("/api/me").json()["username"] == "sonv.hue"
        # trang.pt@moha.gov.vn is phan.tich's address, but the provider has not verified it.
        assert sign_in(w.new_client(), "nv-0002-pt").status_code == 401
        reasons = [(e.detail or {}).get("reason") for e in w.audit("login")]
        assert "the provider has not verified the e-mail address" in reasons


# -- the ID token's checks, on tokens the provider really issued ---------------------------------


def issued(provider: str, client_id: str, nonce: str) -> dict[str, Any]:
    """Tokens for nv-0046-ha, got from the provider as a client would."""
    setup = OidcProvider(OidcConfig.of(Settings(oidc_issuer=provider, oidc_client_id=client_id)))
    redirect = "http://127.0.0.1:8000/login/oidc/callback"
    url, pending = setup.start(redirect, "/")
    url = url.replace(f"nonce={pending.nonce}", f"nonce={nonce}")
    code = parse_qs(urlsplit(at_provider(url, "nv-0046-ha")).query)["code"][0]
    answer = httpx.post(
        setup.metadata()["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect,
            "client_id": client_id,
            "client_secret": "x",
        },
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def ours(provider: str) -> OidcProvider:
    return OidcProvider(OidcConfig.of(Settings(oidc_issuer=provider, oidc_client_id=CLIENT_ID)))


def test_the_id_token_is_checked_in_full(provider: str) -> None:
    checker = ours(provider)
    good = issued(provider, CLIENT_ID, "n-1")
    claims = checker.check_id_token(good["id_token"], "n-1", good["access_token"])
    assert claims["sub"] == "nv-0046-ha" and claims["aud"] in (CLIENT_ID, [CLIENT_ID])
    with pytest.raises(OidcError):  # another sign-in's nonce
        checker.check_id_token(good["id_token"], "n-2", good["access_token"])
    head, body, signature = good["id_token"].split(".")
    flipped = base64.urlsafe_b64decode(signature + "==")
    forged = base64.urlsafe_b64encode(bytes([flipped[0] ^ 1]) + flipped[1:]).decode().rstrip("=")
    with pytest.raises(OidcError):  # the signature does not verify with the provider's key
        checker.check_id_token(f"{head}.{body}.{forged}", "n-1")
    other = issued(provider, "another-client", "n-3")
    with pytest.raises(OidcError):  # issued to another client: the audience is wrong
        checker.check_id_token(other["id_token"], "n-3")


def test_an_expired_id_token_is_refused() -> None:
    with run_server_in_thread(access_token_max_age=timedelta(minutes=-5)) as server:
        stale_provider = f"http://localhost:{server.server_port}"
        token = issued(stale_provider, CLIENT_ID, "n-4")
        with pytest.raises(OidcError):
            ours(stale_provider).check_id_token(token["id_token"], "n-4")


class Impostor(BaseHTTPRequestHandler):
    """Metadata that names another issuer than the address it is served from."""

    def do_GET(self) -> None:
        body = json.dumps(
            {
                "issuer": "https://sso.example.vn",
                "authorization_endpoint": "https://sso.example.vn/authorize",
                "token_endpoint": "https://sso.example.vn/token",
                "jwks_uri": "https://sso.example.vn/jwks",
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_a_provider_calling_itself_by_another_name_is_refused() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Impostor)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        impostor = f"http://127.0.0.1:{server.server_address[1]}"
        with pytest.raises(OidcError):
            ours(impostor).metadata()
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_sign_in_that_took_too_long_has_expired() -> None:
    old = PendingSignIn("s", "n", "v", "/", time.time() - 601)
    assert old.expired and not PendingSignIn("s", "n", "v", "/", time.time()).expired
