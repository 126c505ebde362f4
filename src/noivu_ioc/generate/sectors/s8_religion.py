"""Generator for sector 8 (religion): the recognised religious organisations, worship places,
dignitaries and lay officials, and religion-related complaints.

Magnitudes (Government Committee for Religious Affairs, 2021): 43 organisations of 16
religions, about 29,600 worship places, 54,000 dignitaries and 135,000 lay officials.
Places follow where each religion lives (Catholics around Ninh Bình and Đồng Nai, Cao Đài
in Tây Ninh, Hòa Hảo in An Giang, Khmer Theravada in the Mekong delta, Protestants in the
Central Highlands and the northern mountains); dignitaries serve at places of their
religion; complaints come from places, concentrated in a few hotspot provinces.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from noivu_ioc.generate import names
from noivu_ioc.generate.columns import (
    IntArray,
    StrArray,
    build_table,
    choose,
    dates_between,
    lookup,
    nullable,
    pick,
    serial_ids,
    short_names,
)
from noivu_ioc.generate.context import GenContext
from noivu_ioc.generate.sectors.s2_local_government import (
    commune_population,
    draw_ethnicity,
    province_population,
)

_PLACES = 29_600
_DIGNITARIES = 54_000
_LAY_OFFICIALS = 135_000
_COMPLAINTS = 9_000  # received from 2021 to the reference date
_COMPLAINTS_FROM = date(2021, 1, 1)

_NORTH = frozenset({"01", "04", "08", "11", "12", "14", "15", "19", "20", "22", "24", "25",
                    "31", "33", "37", "38", "40", "42", "44", "46"})
_NORTH_MOUNTAINS = frozenset({"04", "08", "11", "12", "14", "15", "20"})
_KHMER_AREAS = frozenset({"86", "91", "92", "96"})


@dataclass(frozen=True, slots=True)
class _Organisation:
    name: str
    religion: str
    recognised: date  # approximate
    scope: str
    headquarters: str  # 2025 province code
    followers: int  # rough
    weight: float = 1.0  # share of the religion's places it runs, before the home boost
    home: frozenset[str] = frozenset()  # provinces where it runs most places
    home_boost: float = 10.0


def _org(
    name: str,
    religion: str,
    recognised: str,
    headquarters: str,
    followers: int,
    weight: float = 1.0,
    home: frozenset[str] | None = None,
    home_boost: float = 10.0,
    scope: str = "TOAN_QUOC",
) -> _Organisation:
    return _Organisation(
        name, religion, date.fromisoformat(recognised), scope, headquarters, followers,
        weight, frozenset({headquarters}) if home is None else home, home_boost,
    )


_SOUTH_AND_HIGHLANDS = frozenset({"48", "51", "52", "56", "66", "68", "75", "79", "80", "82",
                                  "86", "91", "92", "96"})

# The recognised organisations. Names of the large ones are the official ones; dates are
# approximate and the smaller organisations' names should be checked against the sector's
# registry when it is connected.
ORGANISATIONS: tuple[_Organisation, ...] = (
    _org("Giáo hội Phật giáo Việt Nam", "01", "1981-11-07", "01", 14_000_000),
    _org("Giáo hội Công giáo Việt Nam (Hội đồng Giám mục Việt Nam)", "02", "1980-05-01", "01",
         7_000_000),
    _org("Hội thánh Tin Lành Việt Nam (miền Bắc)", "08", "1963-01-01", "01", 200_000, 1.0,
         _NORTH, 40.0),
    _org("Hội thánh Tin Lành Việt Nam (miền Nam)", "08", "2001-03-22", "79", 1_000_000, 1.0,
         _SOUTH_AND_HIGHLANDS, 30.0),
    _org("Tổng Liên hội Hội thánh Báp-tít Việt Nam", "08", "2008-12-01", "79", 30_000, 0.05),
    _org("Hội thánh Mennonite Việt Nam", "08", "2009-10-01", "79", 10_000, 0.03),
    _org("Hội thánh Liên hữu Cơ đốc Việt Nam", "08", "2008-07-01", "79", 20_000, 0.04),
    _org("Hội thánh Tin Lành Trưởng lão Việt Nam", "08", "2008-09-01", "79", 10_000, 0.03),
    _org("Hội thánh Báp-tít Việt Nam (Nam Phương)", "08", "2010-03-01", "79", 15_000, 0.04),
    _org("Hội thánh Phúc âm Ngũ tuần Việt Nam", "08", "2011-05-01", "79", 20_000, 0.04),
    _org("Hội thánh Tin Lành Truyền giáo Cơ đốc Việt Nam", "08", "2016-06-01", "79", 10_000,
         0.03),
    _org("Hội thánh Tin Lành Liên hiệp Truyền giáo Việt Nam", "08", "2017-03-01", "79",
         10_000, 0.03),
    _org("Hội thánh Phúc âm Toàn vẹn Việt Nam", "08", "2017-09-01", "79", 8_000, 0.02),
    _org("Hội thánh Tin Lành Giám lý Việt Nam", "08", "2018-06-01", "79", 8_000, 0.02),
    _org("Hội thánh Tin Lành Ân điển Cơ đốc Việt Nam", "08", "2019-06-01", "79", 5_000, 0.02),
    _org("Hội thánh Cao Đài Tây Ninh", "05", "1997-02-01", "80", 800_000, 6.0),
    _org("Hội thánh Cao Đài Ban Chỉnh Đạo", "05", "1997-09-01", "86", 150_000),
    _org("Hội thánh Cao Đài Tiên Thiên", "05", "1997-09-01", "86", 100_000),
    _org("Hội thánh Truyền giáo Cao Đài", "05", "1998-06-01", "48", 60_000),
    _org("Hội thánh Cao Đài Bạch Y Liên Đoàn Chơn Lý", "05", "1998-09-01", "80", 10_000, 0.3),
    _org("Hội thánh Cao Đài Minh Chơn Đạo", "05", "1999-06-01", "96", 30_000, 0.6),
    _org("Hội thánh Cao Đài Chơn Lý", "05", "2000-03-01", "86", 5_000, 0.2),
    _org("Hội thánh Cao Đài Cầu Kho Tam Quan", "05", "2000-06-01", "79", 10_000, 0.3),
    _org("Cơ quan Phổ thông Giáo lý Cao Đài", "05", "1999-09-01", "79", 5_000, 0.2),
    _org("Hội thánh Cao Đài Chiếu Minh Long Châu", "05", "2001-06-01", "92", 5_000, 0.2),
    _org("Hội thánh Cao Đài Chiếu Minh Tam Thanh Vô Vi", "05", "2002-06-01", "92", 3_000, 0.1),
    _org("Giáo hội Phật giáo Hòa Hảo", "03", "1999-06-01", "91", 1_500_000),
    _org("Ban Đại diện Cộng đồng Hồi giáo Thành phố Hồ Chí Minh", "04", "1991-12-01", "79",
         10_000, scope="TINH", home_boost=100.0),
    _org("Ban Đại diện Cộng đồng Hồi giáo tỉnh An Giang", "04", "2004-10-01", "91", 15_000,
         scope="TINH", home_boost=100.0),
    _org("Ban Đại diện Cộng đồng Hồi giáo tỉnh Ninh Thuận", "04", "2004-09-01", "56", 5_000,
         scope="TINH", home_boost=100.0),
    _org("Hội đồng Sư cả Hồi giáo Bà-ni tỉnh Ninh Thuận", "04", "2006-09-01", "56", 40_000,
         scope="TINH", home_boost=100.0),
    _org("Ban Đại diện Cộng đồng Hồi giáo tỉnh Tây Ninh", "04", "2005-06-01", "80", 4_000,
         scope="TINH", home_boost=100.0),
    _org("Ban Đại diện Cộng đồng Hồi giáo tỉnh Bình Thuận", "04", "2009-06-01", "68", 3_000,
         scope="TINH", home_boost=100.0),
    _org("Cộng đồng Tôn giáo Baha'i Việt Nam", "12", "2008-07-01", "01", 7_000),
    _org("Tịnh độ Cư sĩ Phật hội Việt Nam", "09", "2007-12-01", "79", 500_000),
    _org("Giáo hội Phật giáo Tứ Ân Hiếu Nghĩa", "10", "2007-09-01", "91", 70_000),
    _org("Phật đường Nam tông Minh Sư đạo", "06", "2008-03-01", "79", 5_000),
    _org("Minh Lý đạo - Tam Tông Miếu", "07", "2008-06-01", "79", 1_000),
    _org("Giáo hội Phật giáo Bửu Sơn Kỳ Hương", "11", "2009-06-01", "91", 15_000),
    _org("Hội đồng Chức sắc Bà-la-môn giáo tỉnh Ninh Thuận", "13", "2012-06-01", "56",
         60_000, scope="TINH"),
    _org("Hội thánh Cơ đốc Phục lâm Việt Nam", "14", "2008-03-01", "79", 18_000),
    _org("Giáo hội Các Thánh hữu Ngày sau của Chúa Giê-su Ki-tô tại Việt Nam", "15",
         "2016-05-01", "01", 1_500),
    _org("Phật hội Hiếu Nghĩa Tà Lơn", "16", "2015-09-01", "91", 6_000),
)

# Worship places by religion: share of the national count, and kinds with their weights.
_PLACE_MIX: dict[str, tuple[float, dict[str, float]]] = {
    "01": (0.63, {"chua": 0.82, "tinh_xa": 0.06, "tu_vien": 0.05, "niem_phat_duong": 0.07}),
    "02": (0.2, {"nha_tho": 0.8, "nha_nguyen": 0.2}),
    "08": (0.04, {"nha_tho": 0.85, "nha_nguyen": 0.15}),
    "05": (0.045, {"thanh_that": 0.85, "dien_tho": 0.15}),
    "03": (0.015, {"chua": 0.4, "hoi_quan": 0.6}),
    "04": (0.004, {"thanh_duong": 0.6, "tieu_thanh_duong": 0.4}),
    "09": (0.009, {"hoi_quan": 1.0}),
    "10": (0.003, {"chua": 1.0}),
    "11": (0.002, {"chua": 1.0}),
    "16": (0.001, {"chua": 1.0}),
    "06": (0.0015, {"phat_duong": 1.0}),
    "07": (0.0005, {"trung_tam": 1.0}),
    "12": (0.0015, {"trung_tam": 1.0}),
    "13": (0.001, {"den_thap": 1.0}),
    "14": (0.002, {"nha_tho": 1.0}),
    "15": (0.0003, {"trung_tam": 1.0}),
}

# Where each religion's places are: a multiplier of the province's population share for the
# provinces named, and one for every other province.
_WHERE: dict[str, tuple[dict[str, float], float]] = {
    "01": ({"46": 2.5, "01": 1.3, "24": 1.3, "31": 1.3, "33": 1.2, "37": 1.2, "25": 1.2,
            "86": 1.4, "92": 1.6, "91": 1.3, "96": 1.2, "79": 1.2, "04": 0.3, "08": 0.3,
            "11": 0.15, "12": 0.15, "14": 0.2, "15": 0.3, "20": 0.4, "52": 0.6, "66": 0.6},
           1.0),
    "02": ({"37": 8.0, "75": 6.0, "79": 0.8, "33": 2.0, "31": 1.5, "40": 1.5, "42": 2.0,
            "52": 1.5, "51": 1.5, "68": 2.0, "66": 1.5, "86": 1.2, "44": 1.2, "04": 0.2,
            "11": 0.2, "12": 0.2, "14": 0.2, "20": 0.2}, 0.6),
    "08": ({"52": 5.0, "66": 5.0, "68": 4.0, "51": 3.0, "11": 6.0, "12": 5.0, "14": 3.0,
            "15": 3.0, "08": 4.0, "04": 1.0, "79": 1.0, "75": 1.0}, 0.2),
    "05": ({"80": 12.0, "86": 5.0, "82": 4.0, "79": 2.5, "92": 2.0, "91": 2.0, "96": 2.0,
            "75": 1.5, "48": 1.5, "51": 1.5, "56": 1.0, "66": 1.0, "68": 0.8}, 0.03),
    "03": ({"91": 20.0, "82": 8.0, "92": 6.0, "86": 2.0, "96": 1.5, "79": 1.0}, 0.01),
    "04": ({"91": 12.0, "56": 25.0, "79": 0.8, "80": 3.0, "75": 1.0, "68": 2.0}, 0.0),
    "09": ({"79": 3.0, "82": 3.0, "86": 3.0, "92": 2.0, "91": 2.0, "80": 2.0, "75": 1.0},
           0.0),
    "10": ({"91": 10.0, "82": 2.0, "92": 1.0}, 0.0),
    "11": ({"91": 10.0, "82": 3.0}, 0.0),
    "16": ({"91": 10.0}, 0.0),
    "06": ({"79": 5.0, "86": 2.0, "75": 1.0}, 0.0),
    "07": ({"79": 5.0, "86": 1.0}, 0.0),
    "12": ({"79": 3.0, "01": 2.0, "48": 1.0, "56": 1.0, "66": 1.0}, 0.0),
    "13": ({"56": 10.0, "68": 2.0}, 0.0),
    "14": ({"79": 3.0, "66": 2.0, "52": 2.0, "75": 1.0, "01": 0.5}, 0.0),
    "15": ({"01": 1.0, "79": 1.0}, 0.0),
}

_SINO_FIRST = ("Phúc", "Linh", "Thiên", "Long", "Bảo", "Quang", "Hưng", "Khánh", "Minh",
               "Từ", "Vạn", "Thanh", "Kim", "Pháp", "Hoa", "Giác", "Huệ", "Diên", "Thắng",
               "Viên", "Hương", "Liên", "Tường", "Thiền")
_SINO_SECOND = ("Khánh", "Quang", "Long", "Ân", "Phước", "Thọ", "Tâm", "Hải", "Lâm", "Sơn",
                "Nghiêm", "Minh", "Hưng", "Tịnh", "Hựu", "Phúc", "Đức", "Vân", "Thiền", "Hòa",
                "Lạc", "Tế", "An", "Bửu")
_KHMER_TEMPLES = ("Som Rông", "Kh'leang", "Mahatup", "Sà Lôn", "Chén Kiểu", "Bưng Cốc",
                  "Âng", "Hang", "Ông Mẹt", "Xiêm Cán", "Cà Săng", "Kom Pông", "Pô Thi",
                  "Phnô Đôn", "Tà Mum", "Sóc Xoài", "Prếch Bốt", "Ca Lạc", "Bốn Mặt",
                  "Thôn Rôn", "Tà Lọt", "Phù Ly", "Xvây Tông", "Sà Bang")
_MOSQUES = ("Jamiul Muslimin", "Mubarak", "Al-Ehsan", "Rahmaniyah", "Nurul Islam",
            "Al-Rahim", "Jamiul Anwar", "Nurul Ihsan", "Al-Abrar", "Jamiul Azhar",
            "Ehsanol Islam", "Nia'matullah", "Al-Hidayah", "Musa", "Kahfi")

# Ranks of dignitaries (chức sắc) and lay officials (chức việc), by religion, with weights
# and an age range; ranks missing for a religion use the generic codes.
_DIGNITARY_SHARE = {"01": 0.72, "02": 0.11, "05": 0.1, "08": 0.04, "04": 0.015, "13": 0.004,
                    "09": 0.002, "10": 0.002, "06": 0.002, "07": 0.001, "11": 0.001,
                    "14": 0.001, "16": 0.001, "12": 0.0005, "15": 0.0005}
_LAY_SHARE = {"02": 0.3, "05": 0.22, "03": 0.18, "01": 0.15, "08": 0.08, "04": 0.02,
              "09": 0.015, "10": 0.008, "11": 0.005, "13": 0.005, "06": 0.004, "07": 0.003,
              "14": 0.004, "16": 0.003, "12": 0.002, "15": 0.001}
# rank: (weight within its religion and kind, share of women, youngest, oldest)
_RANKS: dict[str, dict[str, tuple[float, float, int, int]]] = {
    "01": {"PG_HT": (0.06, 0.0, 60, 92), "PG_TT": (0.12, 0.0, 42, 72),
           "PG_DD": (0.35, 0.0, 24, 60), "PG_NT": (0.04, 1.0, 60, 92),
           "PG_NS": (0.08, 1.0, 42, 72), "PG_SC": (0.35, 1.0, 24, 60)},
    "02": {"CG_TGM": (0.0015, 0.0, 58, 80), "CG_GM": (0.007, 0.0, 50, 80),
           "CG_LM": (0.95, 0.0, 28, 85), "CG_PT": (0.04, 0.0, 26, 40)},
    "08": {"TL_MS": (0.35, 0.08, 35, 80), "TL_MSNC": (0.25, 0.08, 30, 70),
           "TL_TD": (0.4, 0.1, 25, 65)},
    "05": {"CD_DS": (0.002, 0.0, 65, 90), "CD_PS": (0.01, 0.1, 60, 90),
           "CD_GS": (0.08, 0.2, 50, 85), "CD_GH": (0.3, 0.25, 40, 80),
           "CD_LS": (0.6, 0.25, 30, 75)},
    "04": {"HG_IMAM": (0.4, 0.0, 40, 80), "HG_KHATIB": (0.6, 0.0, 30, 75)},
}
_LAY_RANKS: dict[str, dict[str, tuple[float, float, int, int]]] = {
    "01": {"PG_HOTU": (1.0, 0.5, 35, 80)},
    "02": {"CG_HDMV": (1.0, 0.35, 30, 78)},
    "08": {"TL_CS": (1.0, 0.4, 28, 75)},
    "05": {"CD_CTS": (0.4, 0.3, 40, 80), "CD_PTS": (0.6, 0.35, 35, 78)},
    "03": {"HH_BTS": (1.0, 0.2, 35, 80)},
    "04": {"HG_BQT": (1.0, 0.05, 35, 80)},
}
_OTHER_RANK = {"KHAC_CS": (1.0, 0.3, 30, 80)}
_OTHER_LAY_RANK = {"KHAC_CV": (1.0, 0.35, 30, 78)}

_DHARMA_FIRST = ("Minh", "Thanh", "Quảng", "Thiện", "Huệ", "Tâm", "Nhật", "Giác", "Trí",
                 "Viên", "Đức", "Chân", "Phước", "Như", "Thông", "Tuệ")
_DHARMA_SECOND = ("Tâm", "Quang", "Thiện", "Hạnh", "Tuệ", "Đạo", "Chánh", "Tịnh", "Hiền",
                  "An", "Nghiêm", "Hải", "Định", "Trí", "Lực", "Thuận", "Hòa", "Tấn")
_SAINTS = ("Giuse", "Phêrô", "Gioan Baotixita", "Phaolô", "Antôn", "Đaminh", "Giacôbê",
           "Vinh Sơn", "Phanxicô Xaviê", "Anrê", "Micae", "Tôma", "Luca", "Matthêu",
           "Gioakim", "Maria", "Têrêsa", "Anna", "Rosa", "Cêcilia")
_SAINTS_MALE = 15  # the first names of _SAINTS are men's

_COMPLAINT_CATEGORY = {"DAT_DAI": 0.5, "HOAT_DONG": 0.3, "CHINH_SACH": 0.2}
_COMPLAINT_KIND = {"KHIEU_NAI": 0.55, "TO_CAO": 0.15, "KIEN_NGHI": 0.3}
# Median days to resolve, by category.
_RESOLUTION_DAYS = {"DAT_DAI": 120.0, "HOAT_DONG": 45.0, "CHINH_SACH": 60.0}


def generate(ctx: GenContext) -> Iterator[tuple[str, pa.Table]]:
    yield "religious_organisation", _organisations()
    places = _worship_places(ctx)
    columns = {k: v for k, v in places.items() if k != "organisation"}
    yield "worship_place", build_table("worship_place", columns)
    yield "dignitary", _dignitaries(ctx, places)
    yield "religious_complaint", _complaints(ctx, places)


def _organisation_ids() -> pa.Array:
    return serial_ids("TCTG", len(ORGANISATIONS), 2)


def _organisations() -> pa.Table:
    return build_table(
        "religious_organisation",
        {
            "organisation_id": _organisation_ids(),
            "name": [o.name for o in ORGANISATIONS],
            "religion": [o.religion for o in ORGANISATIONS],
            "recognised_date": [o.recognised for o in ORGANISATIONS],
            "scope": [o.scope for o in ORGANISATIONS],
            "headquarters_province_code": [o.headquarters for o in ORGANISATIONS],
            "followers": [o.followers for o in ORGANISATIONS],
        },
    )


def _province_weights(ctx: GenContext, religion: str) -> npt.NDArray[np.float64]:
    named, other = _WHERE[religion]
    population = province_population(ctx).astype(np.float64)
    factor = np.array([named.get(str(p), other) for p in ctx.province_codes])
    weight: npt.NDArray[np.float64] = population * factor
    return weight / weight.sum()


def _choose_organisations(
    rng: np.random.Generator, religion: str, provinces: StrArray
) -> npt.NDArray[np.int64]:
    """An organisation index per place of this religion in these provinces."""
    candidates = [i for i, o in enumerate(ORGANISATIONS) if o.religion == religion]
    out = np.zeros(len(provinces), dtype=np.int64)
    for p in np.unique(provinces):
        rows = np.flatnonzero(provinces == p)
        weight = np.array(
            [
                ORGANISATIONS[i].weight
                * (ORGANISATIONS[i].home_boost if p in ORGANISATIONS[i].home else 1.0)
                for i in candidates
            ]
        )
        out[rows] = np.array(candidates)[choose(rng, len(rows), weight)]
    return out


def _worship_places(ctx: GenContext) -> dict[str, Any]:
    rng = ctx.rng("worship_place")
    n_total = ctx.count(_PLACES)
    religions = np.array(list(_PLACE_MIX))
    shares = np.array([s for s, _ in _PLACE_MIX.values()])
    per_religion = rng.multinomial(n_total, shares / shares.sum())

    communes = ctx.commune_codes
    commune_province = ctx.commune_province_codes
    population = commune_population(ctx).astype(np.float64)
    parts: list[dict[str, Any]] = []
    for religion, count in zip(religions, per_religion, strict=True):
        if count == 0:
            continue
        religion = str(religion)
        province_weight = _province_weights(ctx, religion)
        province_index = rng.choice(len(province_weight), count, p=province_weight)
        province = ctx.province_codes[province_index]
        commune = np.empty(count, dtype="<U5")
        for p in np.unique(province):
            rows = np.flatnonzero(province == p)
            in_province = np.flatnonzero(commune_province == p)
            w = population[in_province]
            commune[rows] = communes[in_province[choose(rng, len(rows), w)]]
        kind = pick(rng, count, _PLACE_MIX[religion][1])
        parts.append(
            {
                "religion": np.full(count, religion),
                "province": province,
                "commune": commune,
                "kind": kind,
                "organisation": _choose_organisations(rng, religion, province),
                "name": _place_names(rng, religion, kind, commune, province),
            }
        )
    religion = np.concatenate([p["religion"] for p in parts])
    province = np.concatenate([p["province"] for p in parts])
    commune = np.concatenate([p["commune"] for p in parts])
    kind = np.concatenate([p["kind"] for p in parts])
    organisation = np.concatenate([p["organisation"] for p in parts])
    name = np.concatenate([p["name"] for p in parts])
    n = len(religion)

    first_year = np.select(
        [religion == "01", religion == "02", religion == "13", religion == "04",
         religion == "08", religion == "05"],
        [1500, 1850, 1300, 1850, 1911, 1926],
        1940,
    )
    built = np.round(2020 - (2020 - first_year) * rng.random(n) ** 1.8).astype(np.int64)
    recognised = rng.random(n) < np.where(religion == "08", 0.75, 0.95)
    certificate = rng.random(n) < np.where(recognised, 0.75, 0.3)
    heritage = np.where(
        religion == "01",
        pick(rng, n, {"KHONG": 0.85, "TINH": 0.1, "QG": 0.045, "QGDB": 0.005}),
        pick(rng, n, {"KHONG": 0.95, "TINH": 0.04, "QG": 0.01}),
    )
    heritage = np.where(religion == "13", pick(rng, n, {"QG": 0.6, "QGDB": 0.2, "TINH": 0.2}),
                        heritage)
    return {
        "worship_place_id": serial_ids("CSTT", n, 6),
        "name": name,
        "kind": kind,
        "religion": religion,
        "organisation_id": _organisation_ids().take(pa.array(organisation)),
        "organisation": organisation,
        "commune_code": commune,
        "province_code": province,
        "established_year": built,
        "legally_recognised": recognised,
        "land_certificate": certificate,
        "land_area_m2": np.round(rng.lognormal(7.3, 0.8, n), 1),
        "heritage_rank": heritage,
    }


def _place_names(
    rng: np.random.Generator, religion: str, kind: StrArray, commune: StrArray,
    province: StrArray,
) -> StrArray:
    """Plausible names: Sino-Vietnamese for pagodas, Khmer for Theravada temples in the
    delta, the locality for churches and temples, Arabic for mosques."""
    n = len(kind)
    local = short_names(commune)
    first = np.array(_SINO_FIRST)[rng.integers(0, len(_SINO_FIRST), n)]
    first = np.where(np.isin(province, list(_NORTH)) | (first != "Phúc"), first, "Phước")
    sino = np.char.add(np.char.add(first, " "),
                       np.array(_SINO_SECOND)[rng.integers(0, len(_SINO_SECOND), n)])
    khmer = np.array(_KHMER_TEMPLES)[rng.integers(0, len(_KHMER_TEMPLES), n)]
    mosque = np.array(_MOSQUES)[rng.integers(0, len(_MOSQUES), n)]
    khmer_temple = (
        (religion == "01") & np.isin(province, list(_KHMER_AREAS)) & (rng.random(n) < 0.35)
    )
    protestant = religion == "08" or religion == "14"
    church = "Nhà thờ Tin Lành " if protestant else "Nhà thờ Giáo xứ "
    chapel = "Nhà nguyện Tin Lành " if protestant else "Nhà nguyện Giáo họ "
    hall = "Hội quán Tịnh độ Cư sĩ " if religion == "09" else "Hội quán Phật giáo Hòa Hảo "
    centre = {"12": "Trung tâm Baha'i ", "07": "Tam Tông Miếu ",
              "15": "Trung tâm sinh hoạt "}.get(religion, "Trung tâm sinh hoạt ")
    conditions = [
        (kind == "chua") & khmer_temple,
        kind == "chua",
        kind == "tinh_xa",
        kind == "tu_vien",
        kind == "niem_phat_duong",
        kind == "nha_tho",
        kind == "nha_nguyen",
        kind == "thanh_that",
        kind == "dien_tho",
        kind == "thanh_duong",
        kind == "tieu_thanh_duong",
        kind == "den_thap",
        kind == "hoi_quan",
        kind == "phat_duong",
    ]
    choices = [
        np.char.add("Chùa ", khmer),
        np.char.add("Chùa ", sino),
        np.char.add("Tịnh xá Ngọc ", np.array(_SINO_SECOND)[rng.integers(0, 24, n)]),
        np.char.add("Tu viện ", sino),
        np.char.add("Niệm Phật đường ", sino),
        np.char.add(church, local),
        np.char.add(chapel, local),
        np.char.add("Thánh thất ", local),
        np.char.add("Điện thờ Phật Mẫu ", local),
        np.char.add("Thánh đường ", mosque),
        np.char.add("Tiểu thánh đường ", mosque),
        np.char.add("Đền tháp ", local),
        np.char.add(hall, local),
        np.char.add("Phật đường ", sino),
    ]
    result: StrArray = np.select(conditions, choices, np.char.add(centre, local))
    return result


def _draw_ranks(
    rng: np.random.Generator, ranks: dict[str, tuple[float, float, int, int]], n: int,
    reference_year: int,
) -> tuple[StrArray, StrArray, npt.NDArray[np.int64]]:
    codes = np.array(list(ranks))
    weight = np.array([r[0] for r in ranks.values()])
    index = choose(rng, n, weight)
    female = rng.random(n) < np.array([r[1] for r in ranks.values()])[index]
    low = np.array([r[2] for r in ranks.values()])[index]
    high = np.array([r[3] for r in ranks.values()])[index]
    age = low + np.floor(rng.random(n) * (high - low + 1)).astype(np.int64)
    return codes[index], np.where(female, "2", "1"), reference_year - age


def _dignitaries(ctx: GenContext, places: dict[str, Any]) -> pa.Table:
    rng = ctx.rng("dignitary")
    year = ctx.reference_date.year
    parts: list[tuple[StrArray, StrArray, StrArray, StrArray, IntArray, IntArray]] = []
    for office, total, shares, rank_table, other in (
        ("chuc_sac", _DIGNITARIES, _DIGNITARY_SHARE, _RANKS, _OTHER_RANK),
        ("chuc_viec", _LAY_OFFICIALS, _LAY_SHARE, _LAY_RANKS, _OTHER_LAY_RANK),
    ):
        p = np.array(list(shares.values()))
        counts = rng.multinomial(ctx.count(total), p / p.sum())
        for code, count in zip(shares, counts, strict=True):
            if count == 0:
                continue
            ranks = rank_table.get(code, other)
            rank_col, sex_col, birth_col = _draw_ranks(rng, ranks, count, year)
            # Each serves at a place of the religion; -1 where this scale has none.
            candidates = np.flatnonzero(places["religion"] == code)
            place = (
                candidates[rng.integers(0, len(candidates), count)]
                if len(candidates)
                else np.full(count, -1, dtype=np.int64)
            )
            parts.append(
                (np.full(count, code), np.full(count, office), rank_col, sex_col, birth_col, place)
            )
    religion, kind, rank, sex = (np.concatenate([part[i] for part in parts]) for i in range(4))
    birth = np.concatenate([part[4] for part in parts])
    place = np.concatenate([part[5] for part in parts])
    n = len(religion)

    # Where a religion has no place at this scale, the person belongs to its largest
    # organisation, at its headquarters.
    has_place = place >= 0
    safe_place = np.where(has_place, place, 0)
    main_org: dict[str, int] = {}
    for i, o in enumerate(ORGANISATIONS):
        best = main_org.get(o.religion)
        if best is None or o.followers > ORGANISATIONS[best].followers:
            main_org[o.religion] = i
    fallback = lookup(main_org, religion).astype(np.int64)
    org_ids = _organisation_ids().to_numpy(zero_copy_only=False)
    headquarters = np.array([o.headquarters for o in ORGANISATIONS])
    organisation = np.where(has_place, places["organisation"][safe_place], fallback)
    province = np.where(has_place, places["province_code"][safe_place], headquarters[fallback])
    commune = nullable(places["commune_code"][safe_place], ~has_place)
    place_ids = places["worship_place_id"].to_numpy(zero_copy_only=False)

    # Protestant pastors in the highlands and mountains are mostly of minority peoples.
    ethnicity = np.where(
        religion == "08",
        draw_ethnicity(rng, province, minority_factor=3.0),
        draw_ethnicity(rng, province),
    )
    full_name = names.full_names(rng, sex, ethnicity)
    since = np.minimum(birth + np.where(kind == "chuc_sac", 25, 30) + rng.integers(0, 20, n),
                       year)
    return build_table(
        "dignitary",
        {
            "dignitary_id": serial_ids("CSCV", n, 7),
            "full_name": full_name,
            "religious_name": _religious_names(rng, religion, rank, sex, ethnicity, full_name),
            "sex": sex,
            "birth_year": birth.astype(np.int64),
            "religion": religion,
            "kind": kind,
            "rank": rank,
            "organisation_id": org_ids[organisation],
            "worship_place_id": nullable(place_ids[safe_place], ~has_place),
            "commune_code": commune,
            "province_code": province,
            "since_year": since.astype(np.int64),
        },
    )


def _religious_names(
    rng: np.random.Generator,
    religion: StrArray,
    rank: StrArray,
    sex: StrArray,
    ethnicity: StrArray,
    full_name: npt.NDArray[Any],
) -> pa.Array:
    """Dharma names (pháp danh) of Mahayana monks and nuns, saint names of Catholics; none
    for the others (Khmer Theravada monks keep Pali names the registry holds)."""
    n = len(religion)
    dharma = np.char.add(
        np.char.add(np.array(_DHARMA_FIRST)[rng.integers(0, len(_DHARMA_FIRST), n)], " "),
        np.array(_DHARMA_SECOND)[rng.integers(0, len(_DHARMA_SECOND), n)],
    )
    monastic = np.isin(rank, ["PG_HT", "PG_TT", "PG_DD", "PG_NT", "PG_NS", "PG_SC"])
    buddhist = monastic & (ethnicity != "05")
    title = np.where(sex == "2", "Thích nữ ", "Thích ")
    saint = np.where(
        sex == "2",
        np.array(_SAINTS)[rng.integers(_SAINTS_MALE, len(_SAINTS), n)],
        np.array(_SAINTS)[rng.integers(0, _SAINTS_MALE, n)],
    )
    catholic = religion == "02"
    with_saint = np.char.add(np.char.add(saint, " "), full_name.astype(str))
    religious_name = np.where(buddhist, np.char.add(title, dharma), with_saint)
    return nullable(religious_name, ~(buddhist | catholic))


def _complaints(ctx: GenContext, places: dict[str, Any]) -> pa.Table:
    rng = ctx.rng("religious_complaint")
    n = ctx.count(_COMPLAINTS, minimum=20)
    provinces = ctx.province_codes

    # Hotspots: a heavy-tailed weight per province; land complaints favour places without
    # a land-use certificate.
    hotspot = rng.gamma(0.6, 1.0, len(provinces))
    province_index = np.searchsorted(provinces, places["province_code"])
    category = pick(rng, n, _COMPLAINT_CATEGORY)
    base = hotspot[province_index]
    land_weight = base * np.where(places["land_certificate"], 1.0, 4.0)
    place = np.where(
        category == "DAT_DAI",
        choose(rng, n, land_weight),
        choose(rng, n, base),
    )
    linked = np.select(
        [category == "DAT_DAI", category == "HOAT_DONG"],
        [np.ones(n, dtype=bool), rng.random(n) < 0.6],
        rng.random(n) < 0.3,
    )

    received = dates_between(rng, _COMPLAINTS_FROM, ctx.reference_date, n)
    median = lookup(_RESOLUTION_DAYS, category).astype(np.float64)
    duration = np.maximum(np.round(median * rng.lognormal(0.0, 0.7, n)), 3).astype(np.int64)
    resolved_on = received + duration.astype("timedelta64[D]")
    reference = np.datetime64(ctx.reference_date, "D")
    resolved = resolved_on <= reference
    age = (reference - received).astype(np.int64)
    status = np.where(resolved, "DA_GIAI_QUYET",
                      np.where(age < 10, "TIEP_NHAN", "DANG_GIAI_QUYET"))
    group = rng.random(n) < 0.3
    signatories = np.where(group, 2 + rng.geometric(0.08, n), 1).astype(np.int64)
    place_ids = places["worship_place_id"].to_numpy(zero_copy_only=False)
    return build_table(
        "religious_complaint",
        {
            "complaint_id": serial_ids("KNTG", n, 6),
            "received_date": received,
            "kind": pick(rng, n, _COMPLAINT_KIND),
            "category": category,
            "religion": places["religion"][place],
            "worship_place_id": nullable(place_ids[place], ~linked),
            "commune_code": places["commune_code"][place],
            "province_code": places["province_code"][place],
            "signatories": signatories,
            "status": status,
            "resolved_date": pa.array(resolved_on, mask=~resolved),
        },
    )
