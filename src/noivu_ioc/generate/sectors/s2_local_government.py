"""Generator for sector 2 (local government): the real administrative units with generated
area and population, boundary metadata, villages and commune-level officials.

This generator runs first, before agencies and persons exist, so its officials carry ids of
their own. The unit populations and the ethnic mixes by province drawn here are also where
sectors 3, 4 and 8 place their associations, programmes, worship places and dignitaries.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from noivu_ioc.generate import names
from noivu_ioc.generate.columns import (
    FloatArray,
    IntArray,
    StrArray,
    batches,
    build_table,
    choose,
    dates_between,
    explode,
    pick,
    serial_ids,
    year_start,
)
from noivu_ioc.generate.context import GenContext
from noivu_ioc.units import admin, schematic_map

# Province area (km²) and relative population, rounded from the figures published for the
# 2025 rearrangement (Resolution 202/2025/QH15); populations are scaled below to the national
# total. They only anchor generated data: commune values are random shares of them.
NATIONAL_POPULATION = 101_800_000  # mid-2025 estimate, rounded
_AREA_AND_RELATIVE_POPULATION: dict[str, tuple[float, int]] = {
    "01": (3_359.8, 8_720_000),
    "04": (6_700.4, 573_000),
    "08": (13_795.5, 1_865_000),
    "11": (9_539.9, 640_000),
    "12": (9_068.7, 482_000),
    "14": (14_109.8, 1_300_000),
    "15": (13_256.9, 1_778_000),
    "19": (8_375.3, 1_799_000),
    "20": (8_310.2, 813_000),
    "22": (6_207.9, 1_363_000),
    "24": (4_718.6, 3_619_000),
    "25": (9_361.4, 4_022_000),
    "31": (3_194.7, 4_664_000),
    "33": (2_514.8, 3_567_000),
    "37": (3_942.6, 4_412_000),
    "38": (11_114.7, 4_324_000),
    "40": (16_486.5, 3_831_000),
    "42": (5_994.4, 1_622_000),
    "44": (12_700.0, 1_870_000),
    "46": (4_947.1, 1_432_000),
    "48": (11_859.6, 3_065_000),
    "51": (14_832.6, 2_161_000),
    "52": (21_576.5, 3_583_000),
    "56": (8_555.9, 2_243_000),
    "66": (18_096.4, 3_347_000),
    "68": (24_233.1, 3_872_000),
    "75": (12_737.2, 4_491_000),
    "79": (6_772.6, 14_002_000),
    "80": (8_536.5, 3_254_000),
    "82": (5_938.7, 4_370_000),
    "86": (6_296.2, 4_257_000),
    "91": (9_888.9, 4_952_000),
    "92": (6_360.8, 4_199_000),
    "96": (7_942.4, 2_606_000),
}
_POPULATION_FACTOR = NATIONAL_POPULATION / sum(
    population for _, population in _AREA_AND_RELATIVE_POPULATION.values()
)
PROVINCE_AREA_POPULATION: dict[str, tuple[float, int]] = {
    code: (area, int(round(population * _POPULATION_FACTOR, -3)))
    for code, (area, population) in _AREA_AND_RELATIVE_POPULATION.items()
}

# Share of ethnic minorities in each province and the main minority groups there (codes of
# the statistics office's list), rounded from the 2019 census by former province and merged.
_LOW_MINORITY: tuple[float, dict[str, float]] = (0.01, {"04": 0.5, "06": 0.3, "02": 0.2})
ETHNIC_MIX: dict[str, tuple[float, dict[str, float]]] = {
    "01": (0.015, {"06": 0.6, "04": 0.15, "02": 0.15, "09": 0.1}),
    "04": (0.94, {"02": 0.42, "07": 0.33, "08": 0.11, "09": 0.11, "15": 0.03}),
    "08": (0.72, {"02": 0.3, "08": 0.28, "09": 0.17, "15": 0.08, "07": 0.1, "25": 0.04,
                  "43": 0.01, "47": 0.01, "46": 0.01}),
    "11": (0.82, {"03": 0.45, "08": 0.42, "29": 0.05, "09": 0.02, "35": 0.02, "37": 0.02,
                  "48": 0.01, "50": 0.01}),
    "12": (0.85, {"03": 0.35, "08": 0.3, "09": 0.17, "35": 0.06, "41": 0.03, "42": 0.03,
                  "29": 0.03, "25": 0.03}),
    "14": (0.83, {"03": 0.64, "08": 0.2, "06": 0.08, "29": 0.03, "09": 0.03, "33": 0.01,
                  "34": 0.01}),
    "15": (0.6, {"08": 0.28, "02": 0.22, "09": 0.2, "03": 0.1, "25": 0.06, "07": 0.06,
                 "35": 0.04, "40": 0.02, "49": 0.02}),
    "19": (0.35, {"02": 0.45, "07": 0.15, "09": 0.12, "18": 0.1, "15": 0.1, "08": 0.05,
                  "04": 0.03}),
    "20": (0.84, {"07": 0.5, "02": 0.42, "09": 0.05, "18": 0.02, "04": 0.01}),
    "22": (0.12, {"09": 0.5, "02": 0.15, "18": 0.15, "15": 0.1, "04": 0.05, "07": 0.05}),
    "24": (0.1, {"07": 0.4, "02": 0.3, "18": 0.2, "15": 0.05, "04": 0.05}),
    "25": (0.22, {"06": 0.82, "02": 0.05, "03": 0.05, "09": 0.04, "18": 0.04}),
    "38": (0.16, {"06": 0.55, "03": 0.4, "08": 0.02, "09": 0.02, "24": 0.01}),
    "40": (0.14, {"03": 0.65, "24": 0.12, "29": 0.1, "08": 0.08, "44": 0.05}),
    "44": (0.05, {"23": 0.8, "31": 0.1, "44": 0.1}),
    "46": (0.04, {"31": 0.55, "26": 0.35, "23": 0.1}),
    "48": (0.07, {"26": 0.45, "27": 0.2, "14": 0.2, "30": 0.1, "04": 0.05}),
    "51": (0.25, {"14": 0.4, "19": 0.3, "13": 0.1, "27": 0.1, "30": 0.06, "52": 0.02,
                  "54": 0.02}),
    "52": (0.35, {"10": 0.6, "13": 0.35, "04": 0.02, "12": 0.03}),
    "56": (0.15, {"17": 0.5, "21": 0.45, "04": 0.05}),
    "66": (0.25, {"12": 0.55, "20": 0.1, "07": 0.1, "10": 0.05, "08": 0.05, "09": 0.05,
                  "03": 0.05, "02": 0.05}),
    "68": (0.2, {"16": 0.5, "28": 0.1, "20": 0.1, "36": 0.05, "17": 0.05, "21": 0.05,
                 "04": 0.05, "02": 0.05, "07": 0.05}),
    "75": (0.06, {"22": 0.5, "04": 0.25, "32": 0.15, "05": 0.05, "07": 0.05}),
    "79": (0.05, {"04": 0.8, "05": 0.1, "17": 0.05, "07": 0.05}),
    "80": (0.01, {"05": 0.5, "04": 0.3, "17": 0.2}),
    "82": (0.01, {"04": 0.6, "05": 0.4}),
    "86": (0.12, {"05": 0.9, "04": 0.1}),
    "91": (0.09, {"05": 0.85, "17": 0.1, "04": 0.05}),
    "92": (0.2, {"05": 0.9, "04": 0.1}),
    "96": (0.03, {"05": 0.8, "04": 0.2}),
}

# Southern provinces call urban groups khu phố and rural ones ấp.
_SOUTH = frozenset({"75", "79", "80", "82", "86", "91", "92", "96"})
_KHMER_AREAS = frozenset({"86", "91", "92", "96"})
_NORTH_MOUNTAINS = frozenset({"04", "08", "11", "12", "14", "15", "19", "20"})
_HIGHLANDS = frozenset({"51", "52", "66", "68"})

_DIVISION_CODES = {
    "thành phố trung ương": "thanh_pho_tw",
    "tỉnh": "tinh",
    "phường": "phuong",
    "xã": "xa",
    "đặc khu": "dac_khu",
}

EFFECTIVE = np.datetime64("2025-07-01", "D")
_NATIONAL_VILLAGES = 100_000
_NATIONAL_COMMUNE_OFFICIALS = 136_000

# Relative number of each post among about 41 officials per commune, and the share of women.
_POSTS: dict[str, tuple[float, float]] = {
    "BT_DU": (1.0, 0.12),
    "PBT_DU": (1.5, 0.2),
    "CT_HDND": (0.6, 0.15),
    "PCT_HDND": (1.0, 0.25),
    "CT_UBND": (1.0, 0.1),
    "PCT_UBND": (2.0, 0.2),
    "CT_MTTQ": (1.0, 0.3),
    "BT_DOAN": (1.0, 0.4),
    "CT_PHU_NU": (1.0, 1.0),
    "CT_NONG_DAN": (0.8, 0.2),
    "CT_CCB": (0.8, 0.03),
    "CHT_QS": (1.0, 0.02),
    "VP_TK": (4.0, 0.55),
    "DC_XD": (5.0, 0.2),
    "TC_KT": (3.0, 0.7),
    "TP_HT": (3.0, 0.45),
    "VH_XH": (4.0, 0.5),
    "TRUONG_PHONG": (3.0, 0.3),
    "PHO_PHONG": (6.3, 0.4),
}
_CAN_BO_POSTS = frozenset(
    {"BT_DU", "PBT_DU", "CT_HDND", "PCT_HDND", "CT_UBND", "PCT_UBND", "CT_MTTQ", "BT_DOAN",
     "CT_PHU_NU", "CT_NONG_DAN", "CT_CCB"}
)
_SENIOR_POSTS = frozenset({"BT_DU", "CT_HDND", "CT_UBND", "CT_MTTQ", "CT_CCB", "TRUONG_PHONG"})

_COMMUNE_EDUCATION: dict[str, float] = {
    "TS": 0.004,
    "THS": 0.09,
    "DH": 0.72,
    "CD": 0.06,
    "TC": 0.1,
    "SC": 0.016,
    "KHONG": 0.01,
}


# -- populations and ethnic mixes, shared with sectors 3, 4 and 8 ----------------------------


def province_population(ctx: GenContext) -> IntArray:
    """Population of each province, aligned with ``ctx.province_codes``."""
    return np.array(
        [PROVINCE_AREA_POPULATION[p][1] for p in ctx.province_codes], dtype=np.int64
    )


def commune_population(ctx: GenContext) -> IntArray:
    """Generated population of each commune, aligned with ``ctx.commune_codes``."""
    key = "commune.population"
    if key not in ctx.shared:
        ctx.shared[key], ctx.shared["commune.area_km2"] = _commune_population_and_area(ctx)
    population: IntArray = ctx.shared[key]
    return population


def commune_area(ctx: GenContext) -> FloatArray:
    commune_population(ctx)
    area: FloatArray = ctx.shared["commune.area_km2"]
    return area


def _commune_population_and_area(ctx: GenContext) -> tuple[IntArray, FloatArray]:
    rng = ctx.rng("admin_unit.population")
    communes = admin.communes()
    province = np.array([c.province_code for c in communes])
    kind = np.array([c.division_type for c in communes])
    urban = kind == "phường"
    special = kind == "đặc khu"
    pop_weight = rng.gamma(2.0, 1.0, len(communes)) * np.where(urban, 2.5, 1.0)
    pop_weight *= np.where(special, 0.3, 1.0)
    area_weight = rng.gamma(1.5, 1.0, len(communes)) * np.where(urban, 0.15, 1.0)
    population = np.zeros(len(communes), dtype=np.int64)
    area = np.zeros(len(communes), dtype=np.float64)
    for code, (total_area, total_pop) in PROVINCE_AREA_POPULATION.items():
        mask = province == code
        population[mask] = np.round(total_pop * pop_weight[mask] / pop_weight[mask].sum())
        area[mask] = np.round(total_area * area_weight[mask] / area_weight[mask].sum(), 2)
    return population, area


def draw_ethnicity(
    rng: np.random.Generator, provinces: StrArray, minority_factor: float = 1.0
) -> StrArray:
    """An ethnicity code per row, from the ethnic mix of the row's province."""
    out = np.full(len(provinces), "01", dtype="<U2")
    for code in np.unique(provinces):
        mask = provinces == code
        share, groups = ETHNIC_MIX.get(str(code), _LOW_MINORITY)
        n = int(mask.sum())
        minority = rng.random(n) < share * minority_factor
        drawn = pick(rng, n, groups)
        out[mask] = np.where(minority, drawn, "01")
    return out


# -- the generator ---------------------------------------------------------------------------


def generate(ctx: GenContext) -> Iterator[tuple[str, pa.Table]]:
    yield "admin_unit", _admin_units(ctx)
    yield "admin_boundary", _boundaries(ctx)
    yield from batches("village", _villages(ctx), ctx)
    yield from batches("commune_official", _commune_officials(ctx), ctx)


def _admin_units(ctx: GenContext) -> pa.Table:
    provinces = admin.provinces()
    communes = admin.communes()
    units = provinces + communes
    p_pop = province_population(ctx)
    p_area = np.array([PROVINCE_AREA_POPULATION[p.code][0] for p in provinces])
    c_pop = commune_population(ctx)
    c_area = commune_area(ctx)
    population = np.concatenate([p_pop, c_pop])
    division = np.array([_DIVISION_CODES[u.division_type] for u in units])
    is_province = np.arange(len(units)) < len(provinces)

    unit_class = np.where(
        population >= np.where(is_province, 2_500_000, 40_000),
        "I",
        np.where(population >= np.where(is_province, 1_200_000, 20_000), "II", "III"),
    )
    unit_class[is_province & np.isin([u.code for u in units], ["01", "79"])] = "DB"
    ctx.shared["admin_unit.code"] = np.array([u.code for u in units])
    return build_table(
        "admin_unit",
        {
            "code": [u.code for u in units],
            "name": [u.name for u in units],
            "short_name": [u.short_name for u in units],
            "division_type": division,
            "level": np.where(is_province, "TINH", "XA"),
            "province_code": [u.province_code for u in units],
            "unit_class": unit_class,
            "area_km2": np.concatenate([p_area, c_area]),
            "population": population,
            "effective_date": np.full(len(units), EFFECTIVE),
        },
    )


def _boundaries(ctx: GenContext) -> pa.Table:
    """The schematic hexagon of each province, inline as GeoJSON text, labelled as a
    schematic until the ministry loads its official boundaries through a data source."""
    codes = ctx.province_codes
    n = len(codes)
    return build_table(
        "admin_boundary",
        {
            "unit_code": codes,
            "source": np.full(n, schematic_map.SCHEMATIC_SOURCE),
            "version": np.full(n, schematic_map.SCHEMATIC_VERSION),
            "geometry_format": np.full(n, "geojson"),
            "geometry_ref": [
                json.dumps(schematic_map.schematic_geometry(str(c)), separators=(",", ":"))
                for c in codes
            ],
            "crs": np.full(n, "EPSG:4326"),
            "updated_date": np.full(n, EFFECTIVE),
        },
    )


def _village_kind(rng: np.random.Generator, province: str, division: str, n: int) -> StrArray:
    if division == "phường":
        weights = {"khu_pho": 1.0} if province in _SOUTH else {"to_dan_pho": 1.0}
    elif division == "đặc khu":
        weights = {"thon": 0.6, "to_dan_pho": 0.4}
    elif province in _KHMER_AREAS:
        weights = {"ap": 0.85, "soc": 0.15}
    elif province in _SOUTH:
        weights = {"ap": 1.0}
    elif province in _NORTH_MOUNTAINS:
        weights = {"ban": 0.55, "thon": 0.45}
    elif province in _HIGHLANDS:
        weights = {"thon": 0.6, "buon": 0.25, "lang": 0.15}
    else:
        weights = {"thon": 1.0}
    return pick(rng, n, weights)


def _villages(ctx: GenContext) -> pa.Table:
    rng = ctx.rng("village")
    communes = admin.communes()
    population = commune_population(ctx)
    n = ctx.count(_NATIONAL_VILLAGES)
    per_commune = rng.multinomial(n, population / population.sum())
    commune_index, number = explode(per_commune)
    codes = ctx.commune_codes[commune_index]
    provinces = ctx.commune_province_codes[commune_index]
    seq = number + 1

    kind = np.empty(n, dtype="<U10")
    division = np.array([c.division_type for c in communes])[commune_index]
    for p in np.unique(provinces):
        for d in np.unique(division[provinces == p]):
            mask = (provinces == p) & (division == d)
            kind[mask] = _village_kind(rng, str(p), str(d), int(mask.sum()))

    # Residents of a typical village of the commune at national magnitude, whatever the
    # scale, so that a demo village is as large as a real one.
    national_villages = np.maximum(_NATIONAL_VILLAGES * population / population.sum(), 1.0)
    typical = population[commune_index] / national_villages[commune_index]
    residents = np.maximum(np.round(typical * rng.gamma(4.0, 0.25, n)), 40).astype(np.int64)
    households = np.maximum(np.round(residents / rng.uniform(3.2, 4.2, n)), 10).astype(np.int64)

    village_ids = pc.binary_join_element_wise(
        pa.array(codes), pc.utf8_lpad(pc.cast(pa.array(seq), pa.string()), 3, "0"), "-"
    )
    return build_table(
        "village",
        {
            "village_id": village_ids,
            "name": names.village_names(rng, kind),
            "kind": kind,
            "commune_code": codes,
            "province_code": provinces,
            "households": households,
            "population": residents,
        },
    )


def _commune_officials(ctx: GenContext) -> pa.Table:
    rng = ctx.rng("commune_official")
    communes = admin.communes()
    n = ctx.count(_NATIONAL_COMMUNE_OFFICIALS)
    population = commune_population(ctx).astype(np.float64)
    # Every commune has the same core posts; larger ones have somewhat more civil servants.
    weight = 0.6 / len(communes) + 0.4 * population / population.sum()
    commune_index = choose(rng, n, weight)
    codes = ctx.commune_codes[commune_index]
    provinces = ctx.commune_province_codes[commune_index]

    post_codes = np.array(list(_POSTS))
    post_weight = np.array([w for w, _ in _POSTS.values()])
    post_index = choose(rng, n, post_weight)
    posts = post_codes[post_index]
    female_share = np.array([f for _, f in _POSTS.values()])
    female = rng.random(n) < female_share[post_index]
    sex = np.where(female, "2", "1")
    ethnicity = draw_ethnicity(rng, provinces, minority_factor=0.9)

    senior = np.isin(posts, list(_SENIOR_POSTS))
    age = np.where(senior, rng.integers(38, 60, n), rng.integers(24, 58, n))
    birth_year = ctx.reference_date.year - age
    appointed_at_reform = rng.random(n) < 0.45
    earlier = dates_between(rng, date(2012, 1, 1), date(2025, 6, 30), n)
    # Nobody takes a post before 22; young officials start later than the random date.
    earliest = year_start(birth_year + 22)
    start = np.where(appointed_at_reform, EFFECTIVE, np.maximum(earlier, earliest))

    return build_table(
        "commune_official",
        {
            "official_id": serial_ids("CX", n, 7),
            "full_name": names.full_names(rng, sex, ethnicity),
            "sex": sex,
            "birth_year": birth_year.astype(np.int64),
            "ethnicity": ethnicity,
            "position": posts,
            "staff_kind": np.where(np.isin(posts, list(_CAN_BO_POSTS)), "can_bo", "cong_chuc"),
            "education_level": pick(rng, n, _COMMUNE_EDUCATION),
            "commune_code": codes,
            "province_code": provinces,
            "start_date": start,
        },
    )
