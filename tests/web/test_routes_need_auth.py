"""Every route that reads or changes data passes the authentication and authorization
check; the few public ones are listed here on purpose."""

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from noivu_ioc.web.deps import current_principal

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
}

# Sector systems call these with their source's API key instead of a login session; an
# anonymous caller is refused all the same (below), and the key checks are tested with push.
KEY_AUTHENTICATED = {("POST", "/api/push/{source}/{binding}")}


def _depends_on_principal(route: APIRoute) -> bool:
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if dep.call is current_principal:
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
        if (m, r.path) not in PUBLIC | KEY_AUTHENTICATED and not _depends_on_principal(r)
    ]
    assert missing == []


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
