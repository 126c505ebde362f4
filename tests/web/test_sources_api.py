"""Sources, push, quarantine and the connection monitor through the JSON API and pages, with
the roles and scopes that may use them; on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from noivu_ioc.ingest.sync import run_sync
from noivu_ioc.settings import Settings
from noivu_ioc.store.models import AuditEvent
from noivu_ioc.web.app import create_app
from tests.factories import login
from tests.ingest.factories import (
    ORGANISATION_MAPPING,
    WORSHIP_MAPPING,
    ingest_context,
    organisations,
    push_records,
    push_source,
    worship_place,
)


@pytest.fixture
def app_client(tmp_path: Path, store_url: str) -> Iterator[TestClient]:
    """An IOC over fresh stores holding three religious organisations."""
    ctx = ingest_context(tmp_path, store_url)
    orgs, _ = push_source(ctx, "to-chuc-ton-giao", "religious_organisation", ORGANISATION_MAPPING)
    push_records(ctx, orgs, organisations())
    run_sync(ctx, orgs)
    settings = Settings(data_dir=tmp_path, scheduler=False, push_max_bytes=4096)
    with TestClient(create_app(settings, ctx.store, ctx.warehouse)) as client:
        yield client
    ctx.warehouse.close()
    ctx.store.dispose()


def _push_source(client: TestClient, name: str = "co-so-tho-tu", **extra: Any) -> str:
    body = {
        "name": name,
        "label": "Cơ sở thờ tự (Ban Tôn giáo Chính phủ)",
        "kind": "push",
        "bindings": [
            {
                "name": "co-so",
                "entity": "worship_place",
                "mapping": WORSHIP_MAPPING.model_dump(exclude_defaults=True),
            }
        ],
        **extra,
    }
    response = client.post("/api/sources", json=body)
    assert response.status_code == 201, response.text
    key = response.json()["api_key"]
    assert isinstance(key, str) and len(key) >= 32
    return key


def _push(
    client: TestClient,
    key: str,
    records: Any,
    *,
    name: str = "co-so-tho-tu",
    content_type: str = "application/json",
) -> Any:
    body = records if isinstance(records, bytes) else json.dumps(records).encode()
    return client.post(
        f"/api/push/{name}/co-so",
        content=body,
        headers={"X-API-Key": key, "Content-Type": content_type},
    )


def _audits(client: TestClient, action: str) -> list[AuditEvent]:
    with client.app.state.store.session() as session:  # type: ignore[attr-defined]
        found = session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()
        for a in found:
            session.expunge(a)
        return list(found)


def _sync(client: TestClient, name: str = "co-so-tho-tu") -> Any:
    ctx = client.app.state.ingest  # type: ignore[attr-defined]
    source = next(s for s in client.get("/api/sources").json() if s["source"]["name"] == name)
    assert source
    from noivu_ioc.store.models import Source

    with ctx.store.session() as session:
        source_id = session.scalar(select(Source.id).where(Source.name == name))
    return run_sync(ctx, source_id, user="dulieu")


def test_the_push_key_is_shown_once_and_never_again(app_client: TestClient) -> None:
    login(app_client, "dulieu")
    key = _push_source(app_client)

    detail = app_client.get("/api/sources/co-so-tho-tu")
    listing = app_client.get("/api/sources")
    page = app_client.get("/sources/co-so-tho-tu")

    assert detail.json()["source"]["credentials"] == ["api_key"]
    for response in (detail, listing, page):
        assert response.status_code == 200
        assert key not in response.text


def test_a_pushed_batch_is_loaded_and_its_bad_rows_quarantined(app_client: TestClient) -> None:
    login(app_client, "dulieu")
    key = _push_source(app_client)
    batch = [worship_place(1), worship_place(2, **{"Mã tỉnh": "10"}), worship_place(3)]

    receipt = _push(app_client, key, batch)
    run = _sync(app_client)

    assert receipt.status_code == 202
    assert receipt.json() == {
        "batch_id": receipt.json()["batch_id"],
        "records": 3,
        "status": "received",
        "source": "co-so-tho-tu",
        "binding": "co-so",
    }
    assert (run.rows_read, run.rows_loaded, run.rows_quarantined) == (3, 2, 1)
    status = app_client.get("/api/sources/co-so-tho-tu").json()
    assert status["health"] == "ok"
    assert status["rows"] == {"worship_place": 2}
    assert status["quarantined"] == 1
    runs = app_client.get("/api/sources/co-so-tho-tu/runs").json()
    assert runs[0]["state"] == "succeeded" and runs[0]["rows_read"] == 3

    page = app_client.get("/api/quarantine", params={"source": "co-so-tho-tu"}).json()
    assert page["total"] == 1
    entry = page["entries"][0]
    assert entry["values"]["Mã tỉnh"] == "10"
    assert entry["key"] == "CSTT-0002"

    fixed = app_client.patch(f"/api/quarantine/{entry['id']}", json={"values": {"Mã tỉnh": "01"}})
    assert fixed.status_code == 200 and fixed.json()["edited_by"] == "dulieu"
    replay = app_client.post("/api/quarantine/replay", json={"source": "co-so-tho-tu"})
    assert replay.status_code == 200
    assert (replay.json()["rows_read"], replay.json()["rows_loaded"]) == (1, 1)
    assert app_client.get("/api/sources/co-so-tho-tu").json()["rows"] == {"worship_place": 3}
    assert len(_audits(app_client, "quarantine.read")) >= 1
    assert len(_audits(app_client, "quarantine.replay")) == 1


@pytest.mark.parametrize(
    ("key", "body", "content_type", "status", "words"),
    [
        ("wrong-key-wrong-key-wrong-key", [], "application/json", 401, "API key"),
        (None, b"x" * 5000, "application/json", 413, "more than the limit of 4,096"),
        (None, b"ma;ten", "application/pdf", 415, "application/pdf"),
        (None, b'[{"ma": 1}', "application/json", 422, "not JSON"),
        (None, b'{"ma": 1}', "application/json", 422, "not a list of records"),
        (None, b"   ", "application/json", 422, "empty"),
    ],
)
def test_bad_push_batches_are_refused_and_nothing_is_stored(
    app_client: TestClient,
    key: str | None,
    body: bytes | list[Any],
    content_type: str,
    status: int,
    words: str,
) -> None:
    login(app_client, "dulieu")
    good_key = _push_source(app_client)

    response = _push(app_client, key or good_key, body, content_type=content_type)

    assert response.status_code == status, response.text
    assert words in response.json()["error"]["message"]
    assert good_key not in response.text
    assert _sync(app_client).rows_read == 0


def test_a_refused_push_is_audited_without_saying_whether_the_source_exists(
    app_client: TestClient,
) -> None:
    login(app_client, "dulieu")
    key = _push_source(app_client)
    unknown = _push(app_client, key, [], name="khong-ton-tai")
    wrong = _push(app_client, "x" * 40, [])

    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json()["error"]["message"] == wrong.json()["error"]["message"]
    assert [a.outcome for a in _audits(app_client, "push")] == ["denied", "denied"]


def test_an_incomplete_mapping_is_refused_with_what_it_lacks(app_client: TestClient) -> None:
    login(app_client, "dulieu")
    _push_source(app_client)
    response = app_client.put(
        "/api/sources/co-so-tho-tu/bindings/co-so/mapping",
        json={"fields": {"name": {"column": "Tên cơ sở thờ tự"}}},
    )
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert "worship_place_id (Mã cơ sở thờ tự) is required" in message
    assert "religion (Tôn giáo) is required" in message


def test_viewers_see_the_monitor_but_cannot_change_it(app_client: TestClient) -> None:
    login(app_client, "dulieu")
    _push_source(app_client)
    login(app_client, "lanhdao")

    assert app_client.get("/api/sources").status_code == 200
    assert app_client.get("/sources").status_code == 200
    refused = app_client.post("/api/sources/co-so-tho-tu/sync")
    assert refused.status_code == 403
    assert app_client.get("/api/quarantine").status_code == 403
    denied = [a for a in _audits(app_client, "authorize") if a.outcome == "denied"]
    assert {a.target for a in denied} == {
        "POST /api/sources/co-so-tho-tu/sync",
        "GET /api/quarantine",
    }


def test_a_provincial_steward_sees_only_their_province(app_client: TestClient) -> None:
    login(app_client, "dulieu")
    _push_source(app_client, owner_unit="SNV.01")
    login(app_client, "dulieu.laocai")
    mine = _push_source(app_client, name="lao-cai-co-so")

    names = [s["source"]["name"] for s in app_client.get("/api/sources").json()]
    other = app_client.get("/api/sources/co-so-tho-tu")
    elsewhere = app_client.post(
        "/api/sources",
        json={"name": "ha-noi-khac", "label": "Hà Nội", "kind": "push", "owner_unit": "SNV.01"},
    )

    assert names == ["lao-cai-co-so"]
    assert other.status_code == 403
    assert elsewhere.status_code == 403
    assert "outside your scope" in elsewhere.json()["error"]["message"]
    assert any(a.target == "co-so-tho-tu" for a in _audits(app_client, "source.read"))
    assert mine


def test_the_pages_speak_vietnamese_and_english(app_client: TestClient) -> None:
    login(app_client, "dulieu")
    key = _push_source(app_client)
    _push(app_client, key, [worship_place(1, **{"Tôn giáo": "Đạo Mẫu"})])
    _sync(app_client)
    entry = app_client.get("/api/quarantine").json()["entries"][0]["id"]

    monitor = app_client.get("/sources").text
    assert "Giám sát kết nối nguồn dữ liệu" in monitor and "Bình thường" in monitor
    detail = app_client.get("/sources/co-so-tho-tu").text
    assert "Lịch sử đồng bộ" in detail and "Thành công" in detail
    quarantine = app_client.get(f"/quarantine?entry={entry}").text
    assert "Dữ liệu bị loại" in quarantine and "Đạo Mẫu" in quarantine
    assert "Quy đổi giá trị sang mã" in quarantine
    english = app_client.get("/sources?lang=en").text
    assert "Connection monitor" in english and "Giám sát" not in english
    mapping = app_client.get("/sources/co-so-tho-tu/bindings/co-so/mapping?lang=vi").text
    assert "Xác nhận ánh xạ" in mapping and "Mã cơ sở" in mapping


def test_the_source_page_edits_settings_and_binds_another_table(app_client: TestClient) -> None:
    login(app_client, "dulieu")
    _push_source(app_client)

    saved = app_client.post(
        "/sources/co-so-tho-tu/settings",
        data={
            "label": "Cơ sở thờ tự (đã đổi tên)",
            "mode": "upsert",
            "schedule_minutes": "30",
            "freshness_minutes": "120",
        },
        follow_redirects=False,
    )
    bound = app_client.post(
        "/sources/co-so-tho-tu/bindings",
        data={"name": "chuc-sac", "entity": "dignitary"},
        follow_redirects=False,
    )

    assert saved.status_code == 303 and saved.headers["location"].endswith("msg=saved")
    status = app_client.get("/api/sources/co-so-tho-tu").json()
    source = status["source"]
    assert source["label"] == "Cơ sở thờ tự (đã đổi tên)"
    assert (source["schedule_minutes"], source["freshness_minutes"]) == (30, 120)
    assert source["enabled"] is False and status["health"] == "disabled"  # box left unticked
    assert bound.headers["location"] == "/sources/co-so-tho-tu/bindings/chuc-sac/mapping"
    assert [b["name"] for b in source["bindings"]] == ["co-so", "chuc-sac"]
    assert source["bindings"][1]["confirmed"] is False
    refused = app_client.post("/api/sources/co-so-tho-tu/sync")
    assert refused.status_code == 409
    assert "not confirmed" in refused.json()["error"]["message"]
