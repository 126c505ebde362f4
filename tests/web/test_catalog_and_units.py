"""The data dictionary and the administrative units, as pages and JSON."""

from fastapi.testclient import TestClient

from tests.factories import login


def test_catalog_json_lists_ten_databases_and_the_code_lists(client: TestClient) -> None:
    body = login(client, "phantich").get("/api/catalog").json()
    assert [s["number"] for s in body["sectors"]] == list(range(10))
    ids = {c["id"] for c in body["codelists"]}
    assert {"ethnicity", "religion", "civil_servant_grade", "public_employee_title",
            "award_form", "emulation_title", "education_level",
            "political_theory_level"} <= ids
    person = client.get("/api/catalog/entities/person").json()
    sensitivity = {f["name"]: f["sensitivity"] for f in person["fields"]}
    assert sensitivity["ethnicity"] == "sensitive"
    assert sensitivity["religion"] == "sensitive"
    ethnicity = client.get("/api/catalog/codelists/ethnicity").json()
    assert len(ethnicity["codes"]) == 54


def test_catalog_page_is_in_vietnamese(client: TestClient) -> None:
    html = login(client, "phantich").get("/catalog").text
    assert "Từ điển dữ liệu" in html
    assert "Dữ liệu cá nhân nhạy cảm" in html
    assert 'id="entity-person"' in html


def test_units_api_and_conversion(client: TestClient) -> None:
    login(client, "sonv.hanoi")
    provinces = client.get("/api/units/provinces").json()
    assert len(provinces) == 34
    communes = client.get("/api/units/provinces/01/communes").json()
    assert {"code": "00004", "name": "Phường Ba Đình", "division_type": "phường",
            "province_code": "01"} in communes
    conversion = client.get("/api/units/convert", params={"code": "77"}).json()
    assert conversion["legacy_name"] == "Tỉnh Bà Rịa - Vũng Tàu"
    assert [u["code"] for u in conversion["current"]] == ["79"]


def test_units_page_shows_a_split_instead_of_guessing(client: TestClient) -> None:
    html = login(client, "sonv.hanoi").get("/units", params={"code": "00016"}).text
    assert "Phường Ngọc Hà" in html and "Phường Ba Đình" in html
    assert "cần người xác định" in html
