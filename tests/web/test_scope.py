"""A provincial officer sees only their province, on the page and through the API."""

from fastapi.testclient import TestClient
from sqlalchemy import select

from noivu_ioc.indicators.overview import ACTIVE
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import AuditEvent
from noivu_ioc.warehouse import Warehouse
from tests.factories import login


def _active(warehouse: Warehouse, where: str = "TRUE") -> int:
    sql = f"SELECT count(*) FROM person WHERE status = '{ACTIVE}' AND {where}"
    return int(warehouse.scalar(sql))


def test_national_leader_sees_every_province(
    client: TestClient, demo_warehouse: Warehouse
) -> None:
    body = login(client, "lanhdao").get("/api/overview").json()
    assert body["scope_national"] is True
    assert body["persons"] == _active(demo_warehouse)
    assert len(body["by_province"]) == 34
    assert sum(p["persons"] for p in body["by_province"]) == _active(
        demo_warehouse, "province_code IS NOT NULL")


def test_provincial_officer_gets_only_their_province(
    client: TestClient, demo_warehouse: Warehouse
) -> None:
    body = login(client, "sonv.hanoi").get("/api/overview").json()
    assert body["scope_national"] is False
    assert [p["code"] for p in body["by_province"]] == ["01"]
    assert body["persons"] == _active(demo_warehouse, "province_code = '01'")
    assert 0 < body["persons"] < _active(demo_warehouse)
    for sector in body["sectors"]:
        if sector["sector_id"] == "personnel":
            assert sector["value"] == body["persons"]


def test_sector_figures_are_counted_inside_the_scope(
    client: TestClient, demo_warehouse: Warehouse
) -> None:
    national = {s["sector_id"]: s["value"]
                for s in login(client, "lanhdao").get("/api/overview").json()["sectors"]}
    client.cookies.clear()
    lao_cai = {s["sector_id"]: s["value"]
               for s in login(client, "sonv.laocai").get("/api/overview").json()["sectors"]}
    for sector, value in lao_cai.items():
        if value is not None:
            assert value <= (national[sector] or 0), sector
    assert lao_cai["religion"] is not None and lao_cai["religion"] < national["religion"]


def test_home_page_of_an_officer_names_no_other_province(client: TestClient) -> None:
    html = login(client, "sonv.hanoi").get("/").text
    assert 'data-province="01"' in html
    assert 'data-province="79"' not in html
    assert "Sở Nội vụ thành phố Hà Nội" in html


def test_a_leader_can_narrow_to_one_province(
    client: TestClient, demo_warehouse: Warehouse
) -> None:
    login(client, "lanhdao")
    body = client.get("/api/overview", params={"province": "79"}).json()
    assert [p["code"] for p in body["by_province"]] == ["79"]
    assert body["persons"] == _active(demo_warehouse, "province_code = '79'")
    html = client.get("/", params={"province": "79"}).text
    assert 'data-testid="breadcrumb"' in html and "Thành phố Hồ Chí Minh" in html


def test_an_officer_asking_for_another_province_is_refused_and_audited(
    client: TestClient, demo_store: OpStore
) -> None:
    login(client, "sonv.hanoi")
    response = client.get("/api/overview", params={"province": "79"})
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "not_allowed"
    assert "Thành phố Hồ Chí Minh (79) is outside your scope (provinces: 01)" in error["message"]
    page = client.get("/", params={"province": "79"}, headers={"Accept": "text/html"})
    assert page.status_code == 403 and "outside your scope" in page.text
    with demo_store.session() as s:
        denied = s.scalars(select(AuditEvent).where(
            AuditEvent.action == "scope", AuditEvent.username == "sonv.hanoi")).all()
    assert len(denied) >= 2 and all(e.outcome == "denied" for e in denied)
    assert client.get("/api/overview", params={"province": "7"}).status_code == 422
    assert client.get("/api/overview", params={"province": "02"}).status_code == 404
