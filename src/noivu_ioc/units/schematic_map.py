"""A schematic map of the 34 provinces: one equal hexagon per province on a hex grid.

This is not a boundary map. It is a tile map, written for this project, that keeps the
country's S shape (the northern mountains and the Red River delta, the narrow central coast
leaning east, the Mekong delta swinging back west) so that a choropleth can be read at a
glance before the ministry loads its official boundaries into the ``admin_boundary``
dataset. Every tile carries the same weight, whatever the province's area.

The grid uses pointy-top hexagons in "odd-r" offset layout: row 0 is the northernmost, and
odd rows are shifted east by half a tile. Each province was placed by hand from the
approximate latitude and longitude of its centre, keeping neighbours next to each other
where the grid allows. Coordinates are degrees of longitude and latitude (EPSG:4326 in
shape, not in meaning), so a map library draws them with a normal aspect; draw with an
aspect scale of 1 (ECharts ``aspectScale: 1``) to see regular hexagons. The Hoàng Sa and
Trường Sa archipelagos and the island special zones have no tile of their own.
"""

from __future__ import annotations

import math
from typing import Any

SCHEMATIC_SOURCE = (
    "Sơ đồ ô lục giác minh hoạ – không phải ranh giới hành chính chính thức (noivu-ioc)"
)
SCHEMATIC_VERSION = "schematic-2025.1"

# Size of a tile: distance from a hexagon's centre to its corners, in degrees.
HEX_RADIUS = 0.6
# The drawn hexagon is a little smaller than its grid cell, so neighbours show a thin gap.
_DRAWN = 0.94
# Where column 0 of row 0 sits (longitude, latitude).
_ORIGIN = (102.6, 22.9)
_DECIMALS = 4

# (row, column) of each province's tile, by statistics office code. The comment gives the
# approximate centre (latitude, longitude) the placement was taken from.
_TILES: dict[str, tuple[int, int]] = {
    # Northern mountains
    "12": (0, 1),  # Lai Châu, 22.3 N 103.2 E
    "15": (0, 2),  # Lào Cai, 22.0 N 104.3 E
    "08": (0, 3),  # Tuyên Quang, 22.3 N 105.1 E
    "04": (0, 4),  # Cao Bằng, 22.7 N 106.1 E
    "11": (1, 0),  # Điện Biên, 21.6 N 103.0 E
    "14": (1, 1),  # Sơn La, 21.2 N 104.0 E
    "25": (1, 2),  # Phú Thọ, 21.1 N 105.2 E
    "19": (1, 3),  # Thái Nguyên, 21.8 N 105.8 E
    "20": (1, 4),  # Lạng Sơn, 21.9 N 106.6 E
    # Red River delta and the north-east coast
    "38": (2, 2),  # Thanh Hóa, 20.0 N 105.4 E
    "01": (2, 3),  # Hà Nội, 21.0 N 105.8 E
    "24": (2, 4),  # Bắc Ninh, 21.2 N 106.3 E
    "22": (2, 5),  # Quảng Ninh, 21.1 N 107.3 E
    "40": (3, 1),  # Nghệ An, 19.1 N 104.9 E
    "37": (3, 2),  # Ninh Bình, 20.3 N 106.0 E
    "33": (3, 3),  # Hưng Yên, 20.6 N 106.2 E
    "31": (3, 4),  # Hải Phòng, 20.9 N 106.5 E
    # North and south central coast
    "42": (4, 2),  # Hà Tĩnh, 18.3 N 105.7 E
    "44": (5, 2),  # Quảng Trị, 17.2 N 106.6 E
    "46": (6, 3),  # Huế, 16.4 N 107.5 E
    "48": (7, 3),  # Đà Nẵng, 15.6 N 108.0 E
    "51": (8, 4),  # Quảng Ngãi, 14.8 N 108.1 E
    "52": (9, 4),  # Gia Lai, 14.0 N 108.4 E
    "66": (10, 4),  # Đắk Lắk, 12.9 N 108.5 E
    # Central Highlands' south and the south-central coast
    "68": (11, 3),  # Lâm Đồng, 11.6 N 108.0 E
    "56": (11, 4),  # Khánh Hòa, 12.0 N 109.0 E
    # South-east
    "80": (12, 2),  # Tây Ninh, 11.0 N 106.2 E
    "75": (12, 3),  # Đồng Nai, 11.3 N 107.0 E
    "79": (13, 2),  # Hồ Chí Minh, 10.8 N 106.7 E
    # Mekong delta
    "91": (13, 0),  # An Giang, 10.3 N 105.0 E
    "82": (13, 1),  # Đồng Tháp, 10.4 N 106.0 E
    "92": (14, 1),  # Cần Thơ, 9.8 N 105.8 E
    "86": (14, 2),  # Vĩnh Long, 10.1 N 106.3 E
    "96": (15, 0),  # Cà Mau, 9.2 N 105.2 E
}


def schematic_codes() -> tuple[str, ...]:
    """The province codes that have a tile, north to south."""
    return tuple(sorted(_TILES, key=lambda code: _TILES[code]))


def schematic_centre(code: str) -> tuple[float, float]:
    """The (longitude, latitude) of a province's tile centre."""
    try:
        row, col = _TILES[code]
    except KeyError:
        raise KeyError(f"province {code!r} has no tile on the schematic map") from None
    width = math.sqrt(3) * HEX_RADIUS
    lon = _ORIGIN[0] + (col + 0.5 * (row % 2)) * width
    lat = _ORIGIN[1] - row * 1.5 * HEX_RADIUS
    return lon, lat


def schematic_geometry(code: str) -> dict[str, Any]:
    """A GeoJSON Polygon: the province's hexagon, as one closed counter-clockwise ring."""
    lon, lat = schematic_centre(code)
    radius = HEX_RADIUS * _DRAWN
    ring: list[list[float]] = []
    for k in range(6):
        angle = math.radians(30 + 60 * k)  # pointy top: corners at 30°, 90°, 150°, ...
        ring.append(
            [
                round(lon + radius * math.cos(angle), _DECIMALS),
                round(lat + radius * math.sin(angle), _DECIMALS),
            ]
        )
    ring.append(list(ring[0]))
    return {"type": "Polygon", "coordinates": [ring]}
