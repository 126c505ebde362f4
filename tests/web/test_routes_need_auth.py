"""Every route that reads or changes data passes the authentication and authorization
check; the few public ones are listed here on purpose."""

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from noivu_ioc.web.deps import current_principal, login_in_progress

PUBLIC = {
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("POST", "/api/session"),
    ("GET", "/healthz"),
    ("GET", "/docs"),
    ("GET", "/openapi.json"),
    # The phone app's manifest and service worker hold no data; a browser fetches them
    # before and without a session to install the app.
    ("GET", "/manifest.webmanifest"),
    ("GET", "/sw.js"),
    # Sign-in through an OpenID Connect provider (404 when none is configured).
    ("GET", "/login/oidc"),
    ("GET", "/login/oidc/callback"),
    # The ledger's public face: only hashes, sizes and signatures, so that a witness outside
    # the ministry can check the log without an account; a cosignature is authenticated by
    # its signature against the witnesses the IOC trusts (IOC_LEDGER_WITNESSES).
    ("GET", "/api/ledger/head"),
    ("GET", "/api/ledger/public-key"),
    ("GET", "/api/ledger/proof/inclusion"),
    ("GET", "/api/ledger/proof/consistency"),
    ("POST", "/api/ledger/cosignatures"),
}

# A session that waits for its second factor may call these and nothing else: they depend on
# the session in progress (``login_in_progress``) instead of the principal.
SECOND_FACTOR = {
    ("GET", "/login/totp"),
    ("POST", "/login/totp"),
    ("POST", "/api/session/totp"),
    ("GET", "/account/totp"),
    ("POST", "/account/totp"),
    ("GET", "/api/account/totp"),
    ("POST", "/api/account/totp/enrolment"),
    ("POST", "/api/account/totp/confirm"),
}

# Sector systems call these with their source's API key instead of a login session; an
# anonymous caller is refused all the same (below), and the key checks are tested with push.
KEY_AUTHENTICATED = {("POST", "/api/push/{source}/{binding}")}


def _depends_on_principal(route: APIRoute, dependency: object = current_principal) -> bool:
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if dep.call is dependency:
            return True
        stack.extend(dep.dependencies)
    return False


def _routes(client: TestClient) -> list[APIRoute]:
    """Every API route, including those of included routers. Recent FastAPI keeps an included
    router as one wrapper route holding ``original_router``; our routers have no prefix, so
    their paths are the application's."""
    found: list[APIRoute] = []
    stack = list(client.app.routes)  # type: ignore[attr-defined]
    while stack:
        route = stack.pop(0)
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            stack.extend(route.original_router.routes)
    return found


def test_the_walk_finds_the_routes(client: TestClient) -> None:
    paths = {r.path for r in _routes(client)}
    assert {"/", "/api/overview", "/api/catalog", "/login", "/api/units/convert"} <= paths


def test_every_non_public_route_depends_on_the_principal(client: TestClient) -> None:
    missing = [
        (m, r.path)
        for r in _routes(client)
        for m in r.methods
        if (m, r.path) not in PUBLIC | KEY_AUTHENTICATED | SECOND_FACTOR
        and not _depends_on_principal(r)
    ]
    assert missing == []


def test_the_second_factor_routes_depend_on_the_session_in_progress(client: TestClient) -> None:
    found = {(m, r.path): r for r in _routes(client) for m in r.methods}
    assert set(found) >= SECOND_FACTOR
    assert all(_depends_on_principal(found[k], login_in_progress) for k in SECOND_FACTOR)


def test_every_non_public_route_refuses_an_anonymous_caller(client: TestClient) -> None:
    checked = 0
    for route in _routes(client):
        for method in route.methods:
            if (method, route.path) in PUBLIC:
                continue
            path = route.path.replace("{code}", "01").replace("{entity_id}", "person")
            path = path.replace("{codelist_id}", "sex").replace("{name}", "nguon")
            path = path.replace("{binding}", "bang").replace("{source}", "nguon")
            path = path.replace("{run_id}", "1").replace("{entry_id}", "1")
            path = path.replace("{entry_id:int}", "1")
            response = client.request(method, path, follow_redirects=False)
            assert response.status_code in (401, 303), (method, path, response.status_code)
            if response.status_code == 303:
                assert response.headers["location"].startswith("/login")
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize("path", ["/healthz", "/docs", "/openapi.json", "/login"])
def test_public_routes_answer_without_login(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 200


def test_docs_load_nothing_from_the_internet(client: TestClient) -> None:
    html = client.get("/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
