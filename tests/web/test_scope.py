"""A provincial officer sees only their province, on the page and through the API."""

from fastapi.testclient import TestClient

from noivu_ioc.warehouse import Warehouse
from tests.factories import login


def _active(warehouse: Warehouse, where: str = "TRUE") -> int:
    return int(warehouse.scalar(f"SELECT count(*) FROM person WHERE status = 'DCT' AND {where}"))


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
