"""The schematic map gives every province one hexagon of its own, in the country's shape."""

import itertools
import math

import pytest

from noivu_ioc.units import admin
from noivu_ioc.units.schematic_map import (
    HEX_RADIUS,
    SCHEMATIC_SOURCE,
    SCHEMATIC_VERSION,
    schematic_centre,
    schematic_codes,
    schematic_geometry,
)

CODES = [p.code for p in admin.provinces()]


def test_every_province_has_exactly_one_tile() -> None:
    assert len(CODES) == 34
    assert sorted(schematic_codes()) == sorted(CODES)
    assert len(set(schematic_codes())) == 34


def test_the_hexagons_do_not_overlap() -> None:
    # Two regular hexagons of circumradius R on a hex grid do not overlap when their centres
    # are at least the grid spacing apart: twice the inradius, sqrt(3) * R.
    spacing = math.sqrt(3) * HEX_RADIUS
    for a, b in itertools.combinations(CODES, 2):
        (ax, ay), (bx, by) = schematic_centre(a), schematic_centre(b)
        assert math.hypot(ax - bx, ay - by) >= spacing * 0.999, (a, b)


def test_each_tile_is_a_closed_hexagon_within_its_cell() -> None:
    for code in CODES:
        geometry = schematic_geometry(code)
        assert geometry["type"] == "Polygon"
        (ring,) = geometry["coordinates"]
        assert len(ring) == 7
        assert ring[0] == ring[-1]
        cx, cy = schematic_centre(code)
        for x, y in ring:
            assert math.hypot(x - cx, y - cy) <= HEX_RADIUS + 1e-3
        # Counter-clockwise, as RFC 7946 asks of an exterior ring (positive shoelace area).
        area = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring)) / 2
        assert area > 0


def test_north_to_south_order() -> None:
    def lat(code: str) -> float:
        return schematic_centre(code)[1]

    assert lat("01") > lat("48") > lat("79") > lat("96")
    # The far north is above Hà Nội, and Hồ Chí Minh City lies east of the Mekong delta.
    assert lat("04") > lat("01") and lat("12") > lat("01")
    assert schematic_centre("79")[0] > schematic_centre("92")[0]


def test_coordinates_look_like_vietnam_in_longitude_and_latitude() -> None:
    positions = [pos for code in CODES for pos in schematic_geometry(code)["coordinates"][0]]
    lons = [x for x, _ in positions]
    lats = [y for _, y in positions]
    assert 101 < min(lons) < max(lons) < 111
    assert 8 < min(lats) < max(lats) < 24


def test_labelled_as_a_schematic() -> None:
    assert "không phải ranh giới hành chính chính thức" in SCHEMATIC_SOURCE
    assert SCHEMATIC_VERSION == "schematic-2025.1"


def test_unknown_code_is_refused() -> None:
    with pytest.raises(KeyError, match="99"):
        schematic_geometry("99")
