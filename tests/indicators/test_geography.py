"""The province map reads the admin_boundary dataset: the demo's inline schematic hexagons,
boundary files under the data folder, and bad rows that are reported, never raised."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from noivu_ioc.generate import generate_into
from noivu_ioc.indicators.geography import ProvinceMap, map_bytes, province_map
from noivu_ioc.units import admin
from noivu_ioc.units.schematic_map import SCHEMATIC_SOURCE, SCHEMATIC_VERSION
from noivu_ioc.warehouse import Warehouse

CODES = [p.code for p in admin.provinces()]
SQUARE = [[[105.0, 21.0], [106.0, 21.0], [106.0, 22.0], [105.0, 22.0], [105.0, 21.0]]]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    w = Warehouse(tmp_path_factory.mktemp("geography") / "w.duckdb")
    generate_into(w, "demo", 7)
    w.execute("CREATE TABLE saved_boundary AS SELECT * FROM admin_boundary")
    yield w
    w.close()


@pytest.fixture
def w(generated: Warehouse) -> Iterator[Warehouse]:
    """The generated warehouse; the demo boundary rows are put back after each test."""
    yield generated
    generated.execute("DELETE FROM admin_boundary")
    generated.execute("INSERT INTO admin_boundary SELECT * FROM saved_boundary")


def set_ref(w: Warehouse, code: str, ref: str) -> None:
    w.execute("UPDATE admin_boundary SET geometry_ref = ? WHERE unit_code = ?", [ref, code])


def feature_codes(pm: ProvinceMap) -> list[str]:
    return [f["id"] for f in pm.geojson["features"]]


def only_problem(pm: ProvinceMap, code: str) -> str:
    assert pm.missing == [code]
    assert len(pm.problems) == 1
    assert pm.problems[0].startswith(f"admin_boundary {code}: ")
    assert feature_codes(pm) == [c for c in CODES if c != code]
    return pm.problems[0]


def test_the_demo_map_is_the_labelled_schematic(w: Warehouse, tmp_path: Path) -> None:
    pm = province_map(w, tmp_path)
    assert pm.problems == [] and pm.missing == []
    assert pm.geojson["type"] == "FeatureCollection"
    assert feature_codes(pm) == CODES
    assert pm.schematic is True
    assert pm.sources == [SCHEMATIC_SOURCE]
    assert "minh hoạ" in pm.sources[0]
    assert pm.versions == [SCHEMATIC_VERSION]
    hanoi = pm.geojson["features"][0]
    assert hanoi["properties"] == {"code": "01", "name": "Thành phố Hà Nội", "short_name": "Hà Nội"}
    assert hanoi["geometry"]["type"] == "Polygon"


def test_the_demo_rows_carry_inline_geojson(w: Warehouse) -> None:
    rows = w.query("SELECT geometry_format, geometry_ref, crs FROM admin_boundary")
    assert len(rows) == 34
    for row in rows:
        assert row["geometry_format"] == "geojson"
        assert row["crs"] == "EPSG:4326"
        assert row["geometry_ref"].startswith('{"type":"Polygon"')
        assert " " not in row["geometry_ref"]


def test_map_bytes_is_the_compact_feature_collection(w: Warehouse) -> None:
    pm = province_map(w, None)
    data = map_bytes(pm)
    assert json.loads(data) == pm.geojson
    assert b", " not in data and b": " not in data


def test_a_file_reference_is_read_under_the_boundaries_folder(w: Warehouse, tmp_path: Path) -> None:
    folder = tmp_path / "boundaries" / "provinces"
    folder.mkdir(parents=True)
    feature = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "Polygon", "coordinates": SQUARE},
    }
    (folder / "01.geojson").write_bytes(orjson.dumps(feature))
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Polygon", "coordinates": SQUARE},
            },
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "MultiPolygon", "coordinates": [SQUARE]},
            },
        ],
    }
    (folder / "79.json").write_bytes(b"\xef\xbb\xbf" + orjson.dumps(collection))
    set_ref(w, "01", "provinces/01.geojson")
    set_ref(w, "79", "provinces\\79.json")
    w.execute(
        "UPDATE admin_boundary SET source = 'Bộ Nội vụ', version = '2025.07' "
        "WHERE unit_code IN ('01', '79')"
    )
    pm = province_map(w, tmp_path)
    assert pm.problems == [] and pm.missing == []
    by_code = {f["id"]: f["geometry"] for f in pm.geojson["features"]}
    assert by_code["01"] == {"type": "Polygon", "coordinates": SQUARE}
    assert by_code["79"] == {"type": "MultiPolygon", "coordinates": [SQUARE, SQUARE]}
    assert pm.sources == ["Bộ Nội vụ", SCHEMATIC_SOURCE]  # in province order: 01 first
    assert set(pm.versions) == {SCHEMATIC_VERSION, "2025.07"}
    assert pm.schematic is True


def test_only_official_rows_are_not_schematic(w: Warehouse) -> None:
    w.execute("UPDATE admin_boundary SET version = '2025.07', source = 'Bộ Nội vụ'")
    pm = province_map(w, None)
    assert pm.schematic is False
    assert pm.sources == ["Bộ Nội vụ"]


def test_a_missing_file(w: Warehouse, tmp_path: Path) -> None:
    set_ref(w, "01", "boundaries/x.geojson")
    message = only_problem(province_map(w, tmp_path), "01")
    assert "`boundaries/x.geojson` not found under" in message
    assert str(tmp_path / "boundaries") in message
    assert "load the file or fix the path" in message


def test_a_file_reference_without_a_data_folder(w: Warehouse) -> None:
    set_ref(w, "22", "provinces/22.geojson")
    message = only_problem(province_map(w, None), "22")
    assert "no data folder" in message


@pytest.mark.parametrize("ref", ["../x.geojson", "provinces/../../x.geojson", "..\\x"])
def test_a_path_that_leaves_the_folder(w: Warehouse, tmp_path: Path, ref: str) -> None:
    (tmp_path / "x.geojson").write_bytes(orjson.dumps({"type": "Polygon", "coordinates": SQUARE}))
    set_ref(w, "48", ref)
    message = only_problem(province_map(w, tmp_path / "data"), "48")
    assert "`..`" in message and ref in message


@pytest.mark.parametrize("ref", ["/etc/passwd", "C:\\boundaries\\x.geojson", "\\\\server\\x"])
def test_an_absolute_path(w: Warehouse, tmp_path: Path, ref: str) -> None:
    set_ref(w, "48", ref)
    message = only_problem(province_map(w, tmp_path), "48")
    assert "absolute path" in message


def test_a_link_out_of_the_folder(w: Warehouse, tmp_path: Path) -> None:
    outside = tmp_path / "outside.geojson"
    outside.write_bytes(orjson.dumps({"type": "Polygon", "coordinates": SQUARE}))
    (tmp_path / "data" / "boundaries").mkdir(parents=True)
    (tmp_path / "data" / "boundaries" / "link.geojson").symlink_to(outside)
    set_ref(w, "48", "link.geojson")
    message = only_problem(province_map(w, tmp_path / "data"), "48")
    assert "outside" in message


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ('{"type":"Polygon","coordinates":', "is not valid JSON"),
        ('{"type":"Point","coordinates":[105.8,21.0]}', "is a Point, not a Polygon"),
        (
            '{"type":"Polygon","coordinates":[[[105,21],[106,21],[106,22],[105,22]]]}',
            "is not closed",
        ),
        ('{"type":"Polygon","coordinates":[[[105,21],[106,21],[105,21]]]}', "fewer than 4"),
        (
            '{"type":"Polygon","coordinates":[[[105,21],[106,"x"],[106,22],[105,21]]]}',
            "[longitude, latitude] numbers",
        ),
        (
            '{"type":"Polygon","coordinates":[[[585000,2320000],[586000,2320000],'
            "[586000,2321000],[585000,2320000]]]}",
            "[longitude, latitude] numbers",
        ),
        ('{"type":"Feature","properties":{}}', "without a geometry"),
        ('{"type":"FeatureCollection","features":[]}', "without features"),
        ('{"type":"MultiPolygon","coordinates":[]}', "without polygons"),
        ("", "geometry_ref is empty"),
    ],
)
def test_a_bad_inline_geometry(w: Warehouse, ref: str, expected: str) -> None:
    set_ref(w, "01", ref)
    message = only_problem(province_map(w, None), "01")
    assert expected in message


def test_invalid_json_in_a_file(w: Warehouse, tmp_path: Path) -> None:
    (tmp_path / "boundaries").mkdir()
    (tmp_path / "boundaries" / "96.geojson").write_text("{not json", encoding="utf-8")
    set_ref(w, "96", "96.geojson")
    message = only_problem(province_map(w, tmp_path), "96")
    assert "`96.geojson` is not valid JSON" in message


def test_a_format_or_crs_the_map_cannot_draw(w: Warehouse) -> None:
    w.execute("UPDATE admin_boundary SET geometry_format = 'topojson' WHERE unit_code = '04'")
    w.execute("UPDATE admin_boundary SET crs = 'EPSG:3405' WHERE unit_code = '79'")
    pm = province_map(w, None)
    assert pm.missing == ["04", "79"]
    assert "geometry_format `topojson`" in pm.problems[0]
    assert "crs `EPSG:3405`" in pm.problems[1] and "EPSG:4326" in pm.problems[1]


def test_provinces_without_a_row_are_missing(w: Warehouse) -> None:
    w.execute("DELETE FROM admin_boundary WHERE unit_code IN ('12', '86')")
    pm = province_map(w, None)
    assert pm.missing == ["12", "86"]
    assert pm.problems == []
    assert len(pm.geojson["features"]) == 32


def test_no_table_gives_an_empty_map_and_one_problem(tmp_path: Path) -> None:
    empty = Warehouse(tmp_path / "empty.duckdb")
    try:
        pm = province_map(empty, tmp_path)
    finally:
        empty.close()
    assert pm.geojson == {"type": "FeatureCollection", "features": []}
    assert pm.missing == CODES
    assert len(pm.problems) == 1 and "admin_boundary" in pm.problems[0]


def test_every_drawn_geometry_is_kept_to_type_and_coordinates(w: Warehouse) -> None:
    geometry: dict[str, Any] = {"type": "Polygon", "coordinates": SQUARE, "bbox": [1, 2, 3, 4]}
    set_ref(w, "01", json.dumps(geometry))
    pm = province_map(w, None)
    assert pm.geojson["features"][0]["geometry"] == {"type": "Polygon", "coordinates": SQUARE}
