"""Named helpers that tests share."""

from __future__ import annotations

from fastapi.testclient import TestClient

from noivu_ioc.demo import DEMO_PASSWORD


def login(client: TestClient, username: str, password: str = DEMO_PASSWORD) -> TestClient:
    """Log ``client`` in through the JSON API; its cookie jar keeps the session."""
    response = client.post("/api/session", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return client
