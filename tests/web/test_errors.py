"""One error envelope, as JSON and as a page. This test pins its shape."""

from fastapi.testclient import TestClient

from tests.factories import login

ENVELOPE_KEYS = {"status", "code", "message", "request_id"}


def test_json_envelope_shape_is_pinned(client: TestClient) -> None:
    login(client, "lanhdao")
    response = client.get("/api/catalog/entities/no_such_entity")
    assert response.status_code == 404
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == ENVELOPE_KEYS
    assert body["error"]["status"] == 404
    assert body["error"]["code"] == "not_found"
    assert "no_such_entity" in body["error"]["message"]
    assert body["error"]["request_id"] == response.headers["X-Request-ID"]


def test_unauthenticated_api_call_gets_401_envelope(client: TestClient) -> None:
    response = client.get("/api/overview")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_validation_errors_name_the_parameter_and_value(client: TestClient) -> None:
    login(client, "lanhdao")
    response = client.get("/api/units/convert", params={"code": "123456789"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert "code" in error["message"] and "123456789" in error["message"]
    response = client.get("/api/units/convert", params={"code": "7a"})
    assert response.status_code == 422
    assert "'7a' is not a pre-2025 code" in response.json()["error"]["message"]


def test_html_error_page_shows_the_same_fields(client: TestClient) -> None:
    login(client, "lanhdao")
    response = client.get("/no/such/page", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert 'data-status="404"' in html and 'data-code="not_found"' in html
    assert "không có trang hay API nào ở /no/such/page" in html
    assert response.headers["X-Request-ID"] in html
    assert "Đã xảy ra lỗi" in html
    english = client.get("/no/such/page?lang=en", headers={"Accept": "text/html"}).text
    assert "there is no page or API at /no/such/page" in english


def test_a_message_comes_in_the_language_the_client_puts_first(client: TestClient) -> None:
    """English for the API unless the client's Accept-Language puts Vietnamese first (the
    pages' scripts send the page's language); English where no Vietnamese was written."""
    login(client, "lanhdao")
    by_default = client.get("/api/no/such/thing")
    assert by_default.json()["error"]["message"] == "there is no page or API at /api/no/such/thing"
    assert "content-language" not in by_default.headers
    for asked in ("vi", "vi-VN,vi;q=0.9,en;q=0.8"):
        answer = client.get("/api/no/such/thing", headers={"Accept-Language": asked})
        assert (
            answer.json()["error"]["message"] == "không có trang hay API nào ở /api/no/such/thing"
        )
        assert answer.headers["content-language"] == "vi"
    english_first = client.get("/api/no/such/thing", headers={"Accept-Language": "en-US,vi"})
    assert english_first.json()["error"]["message"].startswith("there is no page")
    untranslated = client.get(
        "/api/catalog/entities/no_such_entity", headers={"Accept-Language": "vi"}
    )
    assert "no_such_entity" in untranslated.json()["error"]["message"]
    assert "content-language" not in untranslated.headers


def test_pages_redirect_to_login_when_not_logged_in(client: TestClient) -> None:
    response = client.get("/catalog", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/catalog"


def test_unexpected_errors_do_not_leak(client: TestClient) -> None:
    login(client, "lanhdao")
    response = client.post(
        "/api/session", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert set(response.json()["error"]) == ENVELOPE_KEYS
