"""The province map: the geometry of the 34 provinces as one GeoJSON FeatureCollection for
the ECharts choropleth, read from the administrative-boundaries dataset of sector database 2
(entity ``admin_boundary``).

A row's ``geometry_ref`` is either the GeoJSON text itself (it starts with ``{``) or a path
relative to ``<data_dir>/boundaries`` of a file holding a GeoJSON Geometry, Feature or
FeatureCollection. The demo ships schematic hexagons inline (see
``noivu_ioc.units.schematic_map``); the ministry's official boundaries come later through an
ordinary data source, as files or as text. A bad row never stops the map: it is left out,
its province listed in ``missing`` and one message in ``problems`` says what to fix.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import orjson

from noivu_ioc.units import admin
from noivu_ioc.units.schematic_map import SCHEMATIC_VERSION
from noivu_ioc.warehouse import Warehouse

ENTITY = "admin_boundary"
BOUNDARY_DIR = "boundaries"
# Coordinate systems the map can draw as they are: longitude and latitude on WGS 84.
DRAWABLE_CRS = frozenset(
    {
        "EPSG:4326",
        "OGC:CRS84",
        "CRS84",
        "WGS84",
        "WGS 84",
        "URN:OGC:DEF:CRS:OGC:1.3:CRS84",
        "URN:OGC:DEF:CRS:EPSG::4326",
    }
)
# A boundary file larger than this is refused rather than read into memory.
MAX_FILE_BYTES = 64 * 1024 * 1024
_SHOWN_CHARS = 60
_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class ProvinceMap:
    """What the choropleth draws and how to label it.

    ``sources``, ``versions`` and ``schematic`` describe the rows that were drawn, so that
    the label always matches the picture."""

    geojson: dict[str, Any]  # a FeatureCollection; each feature's id is the province code
    sources: list[str]  # distinct source texts of the drawn rows, in province order
    versions: list[str]  # distinct versions of the drawn rows, in province order
    schematic: bool  # some drawn row is the schematic hexagon map, not real boundaries
    missing: list[str]  # province codes with no usable row
    problems: list[str]  # one message per bad row: the unit code, the value and the fix


class _Unusable(Exception):
    """Why one row cannot be drawn; the message completes "admin_boundary <code>: "."""


def province_map(warehouse: Warehouse, data_dir: Path | None) -> ProvinceMap:
    """The map of the 34 provinces from the warehouse's ``admin_boundary`` rows.

    ``data_dir`` is the data folder; file references are read from its ``boundaries``
    folder, and refused when no data folder is given."""
    provinces = admin.provinces()
    codes = [p.code for p in provinces]
    if not warehouse.has_table(ENTITY):
        return ProvinceMap(
            geojson=_collection([]),
            sources=[],
            versions=[],
            schematic=False,
            missing=codes,
            problems=[
                f"{ENTITY}: the table is not in the warehouse; generate the demo data or "
                "load the administrative boundaries dataset (sector database 2)"
            ],
        )
    placeholders = ", ".join("?" for _ in codes)
    rows = warehouse.query(
        "SELECT unit_code, source, version, geometry_format, geometry_ref, crs "
        f"FROM {ENTITY} WHERE unit_code IN ({placeholders}) ORDER BY unit_code",
        codes,
    )
    by_code: dict[str, dict[str, Any]] = {}
    for found in rows:
        by_code.setdefault(str(found["unit_code"]), found)
    base = data_dir / BOUNDARY_DIR if data_dir is not None else None

    features: list[dict[str, Any]] = []
    sources: list[str] = []
    versions: list[str] = []
    schematic = False
    missing: list[str] = []
    problems: list[str] = []
    for unit in provinces:
        row = by_code.get(unit.code)
        if row is None:
            missing.append(unit.code)
            continue
        try:
            geometry = _row_geometry(row, base)
        except _Unusable as exc:
            missing.append(unit.code)
            problems.append(f"{ENTITY} {unit.code}: {exc}")
            continue
        features.append(
            {
                "type": "Feature",
                "id": unit.code,
                "properties": {
                    "code": unit.code,
                    "name": unit.name,
                    "short_name": unit.short_name,
                },
                "geometry": geometry,
            }
        )
        source, version = str(row["source"] or ""), str(row["version"] or "")
        if source and source not in sources:
            sources.append(source)
        if version and version not in versions:
            versions.append(version)
        schematic = schematic or version == SCHEMATIC_VERSION
    return ProvinceMap(
        geojson=_collection(features),
        sources=sources,
        versions=versions,
        schematic=schematic,
        missing=missing,
        problems=problems,
    )


def map_bytes(pm: ProvinceMap) -> bytes:
    """The map's FeatureCollection as compact JSON, for ``echarts.registerMap``."""
    return orjson.dumps(pm.geojson)


# -- one row ---------------------------------------------------------------------------------


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def _shown(value: str) -> str:
    text = " ".join(value.split())
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


def _row_geometry(row: dict[str, Any], base: Path | None) -> dict[str, Any]:
    fmt = row.get("geometry_format")
    if fmt != "geojson":
        raise _Unusable(
            f"geometry_format `{fmt}` cannot be drawn; load the boundary as GeoJSON "
            "(geometry_format geojson)"
        )
    crs = str(row.get("crs") or "").strip()
    if crs.upper() not in DRAWABLE_CRS:
        raise _Unusable(
            f"crs `{_shown(crs)}` cannot be drawn; reproject the boundary to EPSG:4326 "
            "(WGS 84 longitude and latitude)"
        )
    ref = row.get("geometry_ref")
    if not isinstance(ref, str) or not ref.strip():
        raise _Unusable("geometry_ref is empty; give the GeoJSON text or a file path")
    ref = ref.strip()
    shown = f"geometry_ref `{_shown(ref)}`"
    if ref.startswith("{"):
        what = "the inline GeoJSON of geometry_ref"
        document = _parse(ref, shown)
    else:
        what = shown
        document = _parse(_read(ref, base), shown)
    geometry = _geometry_of(document, what)
    _check_geometry(geometry, what)
    return {"type": geometry["type"], "coordinates": geometry["coordinates"]}


def _read(ref: str, base: Path | None) -> bytes:
    shown = f"geometry_ref `{_shown(ref)}`"
    windows = PureWindowsPath(ref)
    if PurePosixPath(ref).is_absolute() or windows.is_absolute() or windows.drive:
        raise _Unusable(
            f"{shown} is an absolute path; give a path relative to the data folder's "
            f"{BOUNDARY_DIR}/ folder"
        )
    parts = windows.parts  # split on both / and \
    if ".." in parts:
        raise _Unusable(
            f"{shown} leaves the {BOUNDARY_DIR}/ folder; remove the `..` and give a path inside it"
        )
    if base is None:
        raise _Unusable(
            f"{shown} is a file path but no data folder is set; set the data folder or "
            "load the GeoJSON text inline"
        )
    path = base.joinpath(*parts)
    try:
        resolved = path.resolve()
        if not resolved.is_relative_to(base.resolve()):
            raise _Unusable(
                f"{shown} leads outside {base} through a link; put the file itself there"
            )
        if not resolved.is_file():
            raise _Unusable(f"{shown} not found under {base}; load the file or fix the path")
        size = resolved.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _Unusable(
                f"{shown} is {size // (1024 * 1024)} MiB, over the "
                f"{MAX_FILE_BYTES // (1024 * 1024)} MiB limit; simplify the geometry"
            )
        data = resolved.read_bytes()
    except OSError as exc:
        raise _Unusable(
            f"{shown} cannot be read under {base} ({exc.strerror or exc}); check the file"
        ) from None
    return data[len(_UTF8_BOM) :] if data.startswith(_UTF8_BOM) else data


def _parse(data: str | bytes, shown: str) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise _Unusable(f"{shown} is not valid JSON ({exc}); fix the GeoJSON text") from None


def _geometry_of(document: Any, what: str) -> dict[str, Any]:
    """The geometry of a GeoJSON Geometry, Feature or FeatureCollection; the polygons of a
    collection's features are joined into one MultiPolygon."""
    if not isinstance(document, dict):
        raise _Unusable(
            f"{what} is not a GeoJSON object; give a Geometry, Feature or FeatureCollection"
        )
    kind = document.get("type")
    if kind == "Feature":
        geometry = document.get("geometry")
        if not isinstance(geometry, dict):
            raise _Unusable(f"{what} is a Feature without a geometry; add its Polygon")
        return geometry
    if kind == "FeatureCollection":
        features = document.get("features")
        if not isinstance(features, list) or not features:
            raise _Unusable(
                f"{what} is a FeatureCollection without features; add the province's Polygon"
            )
        geometries = [_geometry_of(f, what) for f in features]
        if len(geometries) == 1:
            return geometries[0]
        polygons: list[Any] = []
        for geometry in geometries:
            _check_geometry(geometry, what)
            if geometry["type"] == "Polygon":
                polygons.append(geometry["coordinates"])
            else:
                polygons.extend(geometry["coordinates"])
        return {"type": "MultiPolygon", "coordinates": polygons}
    return document


def _check_geometry(geometry: dict[str, Any], what: str) -> None:
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind not in ("Polygon", "MultiPolygon"):
        raise _Unusable(
            f"{what} is a {kind or 'object without a type'}, not a Polygon or MultiPolygon; "
            "give the province's area as a Polygon or MultiPolygon"
        )
    if kind == "Polygon":
        _check_polygon(coordinates, what)
        return
    if not isinstance(coordinates, list) or not coordinates:
        raise _Unusable(f"{what} is a MultiPolygon without polygons; add its coordinates")
    for number, polygon in enumerate(coordinates, start=1):
        _check_polygon(polygon, f"{what} (polygon {number})")


def _check_polygon(rings: Any, what: str) -> None:
    if not isinstance(rings, list) or not rings:
        raise _Unusable(f"{what} has no coordinate rings; add the outer ring")
    for number, ring in enumerate(rings, start=1):
        where = f"{what} ring {number}"
        if not isinstance(ring, list) or len(ring) < 4:
            raise _Unusable(
                f"{where} has fewer than 4 positions; a ring needs at least 4, "
                "the last repeating the first"
            )
        for position in ring:
            if not _is_position(position):
                raise _Unusable(
                    f"{where} has the position `{_shown(str(position))}`; positions are "
                    "[longitude, latitude] numbers in degrees"
                )
        if ring[0] != ring[-1]:
            raise _Unusable(f"{where} is not closed; repeat the first position at the end")


def _is_position(value: Any) -> bool:
    if not isinstance(value, list) or not 2 <= len(value) <= 3:
        return False
    for number in value:
        if isinstance(number, bool) or not isinstance(number, int | float):
            return False
        if not math.isfinite(number):
            return False
    lon, lat = value[0], value[1]
    return bool(-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0)
