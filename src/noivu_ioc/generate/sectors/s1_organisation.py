"""Generator for sector 1 (Tổ chức bộ máy): the agencies, their job positions, the
headcount they are given and their staff reduction.

It also draws the staffing plan: how many serving people of each staff category hold each
job position. The personnel generator runs next and turns every planned post into one
dossier, so the headcount tables here and the personnel database agree by construction.

Ministries, provincial departments and communes are real; departments of ministries are
representative rather than the full organigram, and public service units (schools,
hospitals, institutes, centres) are invented, placed by population and scaled with the
data scale.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa

from noivu_ioc.generate.columns import (
    Array,
    IntArray,
    apportion,
    batches,
    choose,
    cumcount,
    dates_between,
    inline_name,
    nullable,
    numpy_text,
    serial_ids,
    year_of,
)
from noivu_ioc.generate.context import GenContext
from noivu_ioc.units import admin

PLAN_KEY = "organisation.plan"
NATIONAL_PERSONS = 2_500_000  # dossiers at the national scale
SERVING_SHARE = 0.96  # the rest are retired, transferred or gone, still on file
REORGANISED_MINISTRIES = date(2025, 3, 1)  # Resolution 176/2025/QH15
REORGANISED_LOCAL = date(2025, 7, 1)  # Resolution 202/2025/QH15, two-level local government

# Serving people by level and staff category at the national scale. Civil servants by level
# follow the source document (106,890 central, 140,832 provincial and district, about
# 100,000 commune); commune cadres bring the commune level to about 136,000, 41 per
# commune; central and provincial cadres are the ministers and the provincial chairs and
# vice-chairs; public employees (mostly teachers and health staff) take the remainder.
NATIONAL_WORKFORCE: dict[tuple[str, str], int] = {
    ("TW", "CB"): 15,
    ("TW", "CC"): 106_890,
    ("TW", "VC"): 230_000,
    ("TW", "HD"): 15_000,
    ("TINH", "CB"): 170,
    ("TINH", "CC"): 140_832,
    ("TINH", "VC"): 760_000,
    ("TINH", "HD"): 45_000,
    ("XA", "CB"): 36_000,
    ("XA", "CC"): 100_000,
    ("XA", "HD"): 40_000,
}
REMAINDER_GROUP = ("XA", "VC")  # takes whatever the groups above leave of the serving total

# Approximate population in thousands (2024 estimates, summed over the provinces merged in
# 2025, rounded); used only to weight where people and units are.
PROVINCE_POPULATION: dict[str, int] = {
    "01": 8_700, "04": 550, "08": 1_870, "11": 650, "12": 490, "14": 1_300,
    "15": 1_780, "19": 1_800, "20": 800, "22": 1_380, "24": 3_620, "25": 4_020,
    "31": 4_660, "33": 3_570, "37": 4_410, "38": 3_760, "40": 3_440, "42": 1_320,
    "44": 1_870, "46": 1_160, "48": 3_070, "51": 2_160, "52": 3_580, "56": 2_240,
    "66": 3_350, "68": 3_870, "75": 4_430, "79": 14_000, "80": 3_250, "82": 4_370,
    "86": 4_260, "91": 4_950, "92": 4_200, "96": 2_610,
}

# Approximate share of ethnic minorities in each province's population (2019 census,
# weighted over the merged provinces).
PROVINCE_MINORITY_SHARE: dict[str, float] = {
    "01": 0.015, "04": 0.95, "08": 0.72, "11": 0.82, "12": 0.85, "14": 0.83,
    "15": 0.60, "19": 0.40, "20": 0.83, "22": 0.12, "24": 0.08, "25": 0.26,
    "31": 0.005, "33": 0.003, "37": 0.01, "38": 0.17, "40": 0.14, "42": 0.003,
    "44": 0.065, "46": 0.04, "48": 0.055, "51": 0.25, "52": 0.25, "56": 0.115,
    "66": 0.26, "68": 0.17, "75": 0.095, "79": 0.045, "80": 0.01, "82": 0.002,
    "86": 0.10, "91": 0.09, "92": 0.145, "96": 0.06,
}

# The provinces that kept their borders on 1 July 2025.
UNMERGED_PROVINCES = frozenset(
    {"01", "04", "11", "12", "14", "20", "22", "38", "40", "42", "46"}
)

# Grade families (ngạch) by salary class A3, A2, A1, A0, B; "" where the family has none.
GRADE_CLASSES = ("A3", "A2", "A1", "A0", "B")
GRADE_FAMILIES: dict[str, tuple[str, str, str, str, str]] = {
    "GEN": ("01.001", "01.002", "01.003", "01.004", "01.005"),
    "INSP": ("04.023", "04.024", "04.025", "", ""),
    "ACC": ("06.029", "06.030", "06.031", "06.032", ""),
    "TAX": ("06.036", "06.037", "06.038", "06.039", "06.040"),
    "CUS": ("08.049", "08.050", "08.051", "08.052", "08.053"),
    "REC": ("", "02.006", "02.007", "", "02.008"),
}
# Professional title families (chức danh nghề nghiệp) by rank I, II, III, IV.
TITLE_RANKS = ("I", "II", "III", "IV")
TITLE_FAMILIES: dict[str, tuple[str, str, str, str]] = {
    "LECT": ("V.07.01.01", "V.07.01.02", "V.07.01.03", ""),
    "MN": ("V.07.02.24", "V.07.02.25", "V.07.02.26", ""),
    "TH": ("V.07.03.27", "V.07.03.28", "V.07.03.29", ""),
    "THCS": ("V.07.04.30", "V.07.04.31", "V.07.04.32", ""),
    "THPT": ("V.07.05.13", "V.07.05.14", "V.07.05.15", ""),
    "DOC": ("V.08.01.01", "V.08.01.02", "V.08.01.03", ""),
    "YSI": ("", "", "", "V.08.01.04"),
    "NURSE": ("", "V.08.05.11", "V.08.05.12", "V.08.05.13"),
    "PHARM": ("V.08.08.20", "V.08.08.21", "V.08.08.22", "V.08.08.23"),
    "ARCH": ("", "V.01.02.01", "V.01.02.02", "V.01.02.03"),
    "RES": ("V.05.01.01", "V.05.01.02", "V.05.01.03", "V.05.01.04"),
    "IT": ("V.11.06.12", "V.11.06.13", "V.11.06.14", "V.11.06.15"),
    "LIB": ("", "V.10.02.05", "V.10.02.06", "V.10.02.07"),
    "HER": ("", "V.10.05.16", "V.10.05.17", "V.10.05.18"),
    "SW": ("", "V.09.04.01", "V.09.04.02", "V.09.04.03"),
}
AGENCY_FAMILY = "*"  # a template whose family is the agency's own professional family


@dataclass(frozen=True, slots=True)
class Template:
    """One job position that every agency of a kind has."""

    name: str
    group: str  # job_position_group code
    category: str  # staff_category code
    family: str  # key of GRADE_FAMILIES or TITLE_FAMILIES, AGENCY_FAMILY, or "" (none)
    position: str = "none"  # position code held by whoever fills it
    fixed: int = 0  # posts per agency at the national scale (leaders); 0 = a share
    share: float = 0.0  # share of the agency's people of this category (non-leaders)


def _leaders(head: str, head_pos: str, deputy: str, deputy_pos: str, deputies: int,
             category: str = "CC") -> tuple[Template, ...]:
    return (
        Template(head, "LD", category, "GEN", head_pos, fixed=1),
        Template(deputy, "LD", category, "GEN", deputy_pos, fixed=deputies),
    )


def _managers(head_share: float = 0.05, deputy_share: float = 0.07, category: str = "CC",
              head: str = "Trưởng phòng", deputy: str = "Phó Trưởng phòng"
              ) -> tuple[Template, ...]:
    return (
        Template(head, "LD", category, "GEN", "TRUONG_PHONG", share=head_share),
        Template(deputy, "LD", category, "GEN", "PHO_TRUONG_PHONG", share=deputy_share),
    )


_SUPPORT = Template("Lái xe, bảo vệ, phục vụ", "HT", "HD", "", share=1.0)
_UNIT_SUPPORT = Template("Nhân viên bảo vệ, cấp dưỡng, tạp vụ", "HT", "HD", "", share=1.0)
_SERVICE_HEADS = ("TRUONG_DVSN", "PHO_DVSN")


def _unit(head: str, deputy: str, deputies: int, *staff: Template,
          managers: bool = True) -> tuple[Template, ...]:
    lead = _leaders(head, _SERVICE_HEADS[0], deputy, _SERVICE_HEADS[1], deputies, "VC")
    middle = _managers(0.04, 0.05, "VC", "Trưởng khoa, phòng", "Phó Trưởng khoa, phòng")
    return lead + (middle if managers else ()) + staff + (_UNIT_SUPPORT,)


def _vc(name: str, family: str, share: float, group: str = "CM") -> Template:
    return Template(name, group, "VC", family, share=share)


def _school(kind: str, family: str) -> tuple[Template, ...]:
    return _unit(
        "Hiệu trưởng", "Phó Hiệu trưởng", 2,
        _vc(f"Giáo viên {kind}", family, 0.9),
        _vc("Kế toán", "ACC", 0.03, "DC"),
        _vc("Thư viện, thiết bị", "LIB", 0.03, "HT"),
        _vc("Văn thư, thủ quỹ", "REC", 0.02, "HT"),
        managers=False,
    )


TEMPLATES: dict[str, tuple[Template, ...]] = {
    "BO": (
        Template("Bộ trưởng, Thủ trưởng cơ quan ngang bộ", "LD", "CB", "GEN", "BO_TRUONG",
                 fixed=1),
        Template("Thứ trưởng, Phó Thủ trưởng cơ quan ngang bộ", "LD", "CC", "GEN",
                 "THU_TRUONG", fixed=4),
        Template("Chuyên viên giúp việc lãnh đạo", "DC", "CC", "GEN", share=1.0),
        _SUPPORT,
    ),
    "VU": (
        *_leaders("Vụ trưởng và tương đương", "VU_TRUONG",
                  "Phó Vụ trưởng và tương đương", "PHO_VU_TRUONG", 3),
        *_managers(),
        Template("Chuyên viên xây dựng, thực hiện chính sách", "CM", "CC", AGENCY_FAMILY,
                 share=0.72),
        Template("Chuyên viên tổng hợp", "DC", "CC", "GEN", share=0.08),
        Template("Kế toán viên", "DC", "CC", "ACC", share=0.04),
        Template("Văn thư viên", "HT", "CC", "REC", share=0.04),
        _SUPPORT,
    ),
    "CUC": (
        *_leaders("Cục trưởng và tương đương", "CUC_TRUONG",
                  "Phó Cục trưởng và tương đương", "PHO_CUC_TRUONG", 3),
        *_managers(0.06, 0.08),
        Template("Công chức nghiệp vụ chuyên ngành", "CM", "CC", AGENCY_FAMILY, share=0.7),
        Template("Chuyên viên tổng hợp", "DC", "CC", "GEN", share=0.06),
        Template("Kế toán viên", "DC", "CC", "ACC", share=0.05),
        Template("Văn thư viên", "HT", "CC", "REC", share=0.05),
        _SUPPORT,
    ),
    "UBND_TINH": (
        Template("Chủ tịch Ủy ban nhân dân", "LD", "CB", "GEN", "CHU_TICH_UBND_TINH", fixed=1),
        Template("Phó Chủ tịch Ủy ban nhân dân", "LD", "CB", "GEN", "PHO_CHU_TICH_UBND_TINH",
                 fixed=4),
        Template("Ủy viên Ủy ban nhân dân", "LD", "CB", "GEN", share=1.0),
    ),
    "SO": (
        *_leaders("Giám đốc Sở và tương đương", "GIAM_DOC_SO",
                  "Phó Giám đốc Sở và tương đương", "PHO_GIAM_DOC_SO", 3),
        *_managers(0.08, 0.10),
        Template("Chuyên viên quản lý nhà nước theo lĩnh vực", "CM", "CC", AGENCY_FAMILY,
                 share=0.64),
        Template("Chuyên viên tổng hợp", "DC", "CC", "GEN", share=0.08),
        Template("Kế toán viên", "DC", "CC", "ACC", share=0.04),
        Template("Văn thư viên", "HT", "CC", "REC", share=0.06),
        _SUPPORT,
    ),
    "UBND_XA": (
        Template("Bí thư Đảng ủy", "LD", "CB", "GEN", "BI_THU_DANG_UY_XA", fixed=1),
        Template("Chủ tịch Hội đồng nhân dân", "LD", "CB", "GEN", "CHU_TICH_HDND_XA", fixed=1),
        Template("Phó Chủ tịch Hội đồng nhân dân", "LD", "CB", "GEN", "PHO_CHU_TICH_HDND_XA",
                 fixed=1),
        Template("Chủ tịch Ủy ban nhân dân", "LD", "CB", "GEN", "CHU_TICH_UBND_XA", fixed=1),
        Template("Phó Chủ tịch Ủy ban nhân dân", "LD", "CB", "GEN", "PHO_CHU_TICH_UBND_XA",
                 fixed=2),
        Template("Cán bộ Mặt trận Tổ quốc, đoàn thể", "LD", "CB", "GEN", share=1.0),
        Template("Nhân viên phục vụ", "HT", "HD", "", share=1.0),
    ),
    "PHONG_XA_VP": (
        *_leaders("Chánh Văn phòng", "TRUONG_PHONG", "Phó Chánh Văn phòng", "PHO_TRUONG_PHONG", 1),
        Template("Công chức Văn phòng - Thống kê", "CM", "CC", "GEN", share=0.45),
        Template("Công chức Tư pháp - Hộ tịch", "CM", "CC", "GEN", share=0.35),
        Template("Công chức Văn thư, lưu trữ", "HT", "CC", "REC", share=0.2),
        Template("Nhân viên lái xe, bảo vệ", "HT", "HD", "", share=1.0),
    ),
    "PHONG_XA_KT": (
        *_leaders("Trưởng phòng", "TRUONG_PHONG", "Phó Trưởng phòng", "PHO_TRUONG_PHONG", 1),
        Template("Công chức Địa chính - Nông nghiệp - Môi trường", "CM", "CC", "GEN",
                 share=0.45),
        Template("Công chức Xây dựng - Giao thông", "CM", "CC", "GEN", share=0.3),
        Template("Công chức Tài chính - Kế toán", "DC", "CC", "ACC", share=0.25),
    ),
    "PHONG_XA_VHXH": (
        *_leaders("Trưởng phòng", "TRUONG_PHONG", "Phó Trưởng phòng", "PHO_TRUONG_PHONG", 1),
        Template("Công chức Văn hóa - Thông tin", "CM", "CC", "GEN", share=0.4),
        Template("Công chức Lao động - Xã hội", "CM", "CC", "GEN", share=0.35),
        Template("Công chức Giáo dục - Y tế", "CM", "CC", "GEN", share=0.25),
    ),
    "CQCP": _unit(
        "Người đứng đầu", "Cấp phó của người đứng đầu", 4,
        _vc("Viên chức chuyên môn", AGENCY_FAMILY, 0.8),
        _vc("Công nghệ thông tin", "IT", 0.08, "DC"),
        _vc("Kế toán", "ACC", 0.04, "DC"),
        _vc("Lưu trữ", "ARCH", 0.03, "HT"),
    ),
    "DH": _unit(
        "Hiệu trưởng, Giám đốc học viện", "Phó Hiệu trưởng, Phó Giám đốc học viện", 3,
        _vc("Giảng viên", "LECT", 0.72),
        _vc("Nghiên cứu viên", "RES", 0.05),
        _vc("Chuyên viên phòng, ban chức năng", "GEN", 0.1, "DC"),
        _vc("Kế toán", "ACC", 0.03, "DC"),
        _vc("Công nghệ thông tin", "IT", 0.02, "DC"),
        _vc("Thư viện", "LIB", 0.02, "HT"),
    ),
    "THPT": _school("trung học phổ thông", "THPT"),
    "THCS": _school("trung học cơ sở", "THCS"),
    "TH": _school("tiểu học", "TH"),
    "MN": _school("mầm non", "MN"),
    "BV": _unit(
        "Giám đốc", "Phó Giám đốc", 3,
        _vc("Bác sĩ", "DOC", 0.28),
        _vc("Điều dưỡng, hộ sinh", "NURSE", 0.42),
        _vc("Dược sĩ", "PHARM", 0.06),
        _vc("Y sĩ, kỹ thuật viên", "YSI", 0.06),
        _vc("Chuyên viên hành chính", "GEN", 0.05, "DC"),
        _vc("Kế toán", "ACC", 0.03, "DC"),
        _vc("Công nghệ thông tin", "IT", 0.01, "DC"),
    ),
    "TYT": _unit(
        "Trạm trưởng", "Phó Trạm trưởng", 1,
        _vc("Bác sĩ", "DOC", 0.25),
        _vc("Y sĩ", "YSI", 0.25),
        _vc("Điều dưỡng, hộ sinh", "NURSE", 0.35),
        _vc("Dược sĩ", "PHARM", 0.1),
        managers=False,
    ),
    "VIEN": _unit(
        "Viện trưởng", "Phó Viện trưởng", 2,
        _vc("Nghiên cứu viên", "RES", 0.72),
        _vc("Chuyên viên", "GEN", 0.1, "DC"),
        _vc("Kế toán", "ACC", 0.04, "DC"),
        _vc("Công nghệ thông tin", "IT", 0.03, "DC"),
        _vc("Thư viện", "LIB", 0.02, "HT"),
    ),
    "SNK": _unit(
        "Giám đốc", "Phó Giám đốc", 2,
        _vc("Viên chức chuyên môn", AGENCY_FAMILY, 0.8),
        _vc("Kế toán", "ACC", 0.05, "DC"),
        _vc("Văn thư, lưu trữ", "ARCH", 0.05, "HT"),
    ),
}
TEMPLATES["CQNB"] = TEMPLATES["BO"]


# -- the real agencies ---------------------------------------------------------------------

# (name, type, field of work, reorganised by the 2025 mergers)
MINISTRIES: tuple[tuple[str, str, str, bool], ...] = (
    ("Bộ Quốc phòng", "BO", "Quốc phòng", False),
    ("Bộ Công an", "BO", "An ninh, trật tự", False),
    ("Bộ Ngoại giao", "BO", "Ngoại giao", False),
    ("Bộ Nội vụ", "BO", "Nội vụ", True),
    ("Bộ Tư pháp", "BO", "Tư pháp", False),
    ("Bộ Tài chính", "BO", "Tài chính", True),
    ("Bộ Công Thương", "BO", "Công Thương", False),
    ("Bộ Nông nghiệp và Môi trường", "BO", "Nông nghiệp và môi trường", True),
    ("Bộ Xây dựng", "BO", "Xây dựng", True),
    ("Bộ Văn hóa, Thể thao và Du lịch", "BO", "Văn hóa, thể thao và du lịch", False),
    ("Bộ Khoa học và Công nghệ", "BO", "Khoa học và công nghệ", True),
    ("Bộ Giáo dục và Đào tạo", "BO", "Giáo dục và đào tạo", False),
    ("Bộ Y tế", "BO", "Y tế", False),
    ("Bộ Dân tộc và Tôn giáo", "BO", "Dân tộc và tôn giáo", True),
    ("Ngân hàng Nhà nước Việt Nam", "CQNB", "Tiền tệ, ngân hàng", False),
    ("Thanh tra Chính phủ", "CQNB", "Thanh tra", False),
    ("Văn phòng Chính phủ", "CQNB", "Văn phòng Chính phủ", False),
)
# Ministries whose staff are not civil servants of this database (the source document
# counts central civil servants "except the Ministries of Defence and Public Security").
OUTSIDE_DATABASE = frozenset({"Bộ Quốc phòng", "Bộ Công an"})

GOVERNMENT_AGENCIES: tuple[tuple[str, str, str], ...] = (
    ("Đài Truyền hình Việt Nam", "Báo chí, truyền hình", "GEN"),
    ("Đài Tiếng nói Việt Nam", "Báo chí, phát thanh", "GEN"),
    ("Thông tấn xã Việt Nam", "Thông tấn, báo chí", "GEN"),
    ("Viện Hàn lâm Khoa học và Công nghệ Việt Nam", "Khoa học và công nghệ", "RES"),
    ("Viện Hàn lâm Khoa học xã hội Việt Nam", "Khoa học xã hội", "RES"),
)

# Departments every ministry has, with their relative headcount.
_COMMON_DEPARTMENTS: tuple[tuple[str, str, float, str], ...] = (
    ("Văn phòng", "VU", 0.5, "GEN"),
    ("Thanh tra", "VU", 0.3, "INSP"),
    ("Vụ Tổ chức cán bộ", "VU", 0.2, "GEN"),
    ("Vụ Pháp chế", "VU", 0.15, "GEN"),
    ("Vụ Kế hoạch - Tài chính", "VU", 0.2, "GEN"),
    ("Vụ Hợp tác quốc tế", "VU", 0.15, "GEN"),
)
# Departments of particular ministries (representative), with their relative headcount;
# the tax, customs, treasury, statistics and civil judgment enforcement systems hold most
# central civil servants, in offices across the provinces.
_OWN_DEPARTMENTS: dict[str, tuple[tuple[str, str, float, str], ...]] = {
    "Bộ Nội vụ": (
        ("Vụ Tổ chức - Biên chế", "VU", 0.15, "GEN"),
        ("Vụ Chính quyền địa phương", "VU", 0.15, "GEN"),
        ("Vụ Công chức - Viên chức", "VU", 0.15, "GEN"),
        ("Vụ Tổ chức phi chính phủ", "VU", 0.12, "GEN"),
        ("Cục Tiền lương và Bảo hiểm xã hội", "CUC", 0.2, "GEN"),
        ("Cục Việc làm", "CUC", 0.25, "GEN"),
        ("Cục Người có công", "CUC", 0.2, "GEN"),
        ("Cục Văn thư và Lưu trữ nhà nước", "CUC", 0.3, "GEN"),
        ("Ban Thi đua - Khen thưởng Trung ương", "CUC", 0.2, "GEN"),
    ),
    "Bộ Tư pháp": (
        ("Cục Quản lý thi hành án dân sự", "CUC", 9.0, "GEN"),
        ("Cục Hộ tịch, quốc tịch, chứng thực", "CUC", 0.15, "GEN"),
        ("Cục Bổ trợ tư pháp", "CUC", 0.15, "GEN"),
    ),
    "Bộ Tài chính": (
        ("Cục Thuế", "CUC", 38.0, "TAX"),
        ("Cục Hải quan", "CUC", 10.0, "CUS"),
        ("Kho bạc Nhà nước", "CUC", 10.0, "ACC"),
        ("Cục Thống kê", "CUC", 5.0, "GEN"),
        ("Cục Dự trữ Nhà nước", "CUC", 1.5, "GEN"),
        ("Ủy ban Chứng khoán Nhà nước", "CUC", 0.4, "GEN"),
        ("Vụ Ngân sách nhà nước", "VU", 0.15, "GEN"),
    ),
    "Bộ Công Thương": (
        ("Cục Điện lực", "CUC", 0.2, "GEN"),
        ("Cục Xuất nhập khẩu", "CUC", 0.3, "GEN"),
        ("Cục Cạnh tranh và Bảo vệ người tiêu dùng", "CUC", 0.2, "GEN"),
    ),
    "Bộ Nông nghiệp và Môi trường": (
        ("Cục Trồng trọt và Bảo vệ thực vật", "CUC", 0.5, "GEN"),
        ("Cục Chăn nuôi và Thú y", "CUC", 0.6, "GEN"),
        ("Cục Lâm nghiệp và Kiểm lâm", "CUC", 0.6, "GEN"),
        ("Cục Quản lý đất đai", "CUC", 0.3, "GEN"),
        ("Cục Biển và Hải đảo Việt Nam", "CUC", 0.3, "GEN"),
    ),
    "Bộ Xây dựng": (
        ("Cục Đường bộ Việt Nam", "CUC", 1.2, "GEN"),
        ("Cục Hàng hải và Đường thủy Việt Nam", "CUC", 1.5, "GEN"),
        ("Cục Hàng không Việt Nam", "CUC", 0.6, "GEN"),
        ("Cục Đường sắt Việt Nam", "CUC", 0.2, "GEN"),
    ),
    "Bộ Văn hóa, Thể thao và Du lịch": (
        ("Cục Di sản văn hóa", "CUC", 0.15, "GEN"),
        ("Cục Du lịch Quốc gia Việt Nam", "CUC", 0.2, "GEN"),
        ("Cục Thể dục thể thao Việt Nam", "CUC", 0.2, "GEN"),
    ),
    "Bộ Khoa học và Công nghệ": (
        ("Cục Sở hữu trí tuệ", "CUC", 0.3, "GEN"),
        ("Cục Viễn thông", "CUC", 0.2, "GEN"),
        ("Cục Chuyển đổi số quốc gia", "CUC", 0.15, "GEN"),
    ),
    "Bộ Giáo dục và Đào tạo": (
        ("Vụ Giáo dục phổ thông", "VU", 0.12, "GEN"),
        ("Vụ Giáo dục đại học", "VU", 0.12, "GEN"),
        ("Cục Quản lý chất lượng", "CUC", 0.2, "GEN"),
        ("Cục Nhà giáo và Cán bộ quản lý giáo dục", "CUC", 0.15, "GEN"),
    ),
    "Bộ Y tế": (
        ("Cục Quản lý Dược", "CUC", 0.2, "GEN"),
        ("Cục Quản lý Khám, chữa bệnh", "CUC", 0.2, "GEN"),
        ("Cục Phòng bệnh", "CUC", 0.2, "GEN"),
        ("Cục An toàn thực phẩm", "CUC", 0.15, "GEN"),
    ),
    "Bộ Ngoại giao": (
        ("Cục Lãnh sự", "CUC", 0.3, "GEN"),
        ("Cục Lễ tân Nhà nước", "CUC", 0.15, "GEN"),
    ),
    "Bộ Dân tộc và Tôn giáo": (
        ("Ban Tôn giáo Chính phủ", "CUC", 0.2, "GEN"),
        ("Vụ Chính sách dân tộc", "VU", 0.12, "GEN"),
    ),
    "Ngân hàng Nhà nước Việt Nam": (
        ("Vụ Chính sách tiền tệ", "VU", 0.15, "GEN"),
        ("Cục Quản lý ngoại hối", "CUC", 0.15, "GEN"),
    ),
    "Thanh tra Chính phủ": (
        ("Cục Phòng, chống tham nhũng", "CUC", 0.2, "INSP"),
        ("Cục Giải quyết khiếu nại, tố cáo", "CUC", 0.2, "INSP"),
    ),
    "Văn phòng Chính phủ": (
        ("Vụ Tổng hợp", "VU", 0.15, "GEN"),
        ("Cục Kiểm soát thủ tục hành chính", "CUC", 0.15, "GEN"),
    ),
}

# Provincial specialised departments after 1 July 2025: (name, field, relative headcount,
# professional family). "{p}" is the province with its division word.
_DEPARTMENTS_OF_PROVINCE: tuple[tuple[str, str, float, str], ...] = (
    ("Văn phòng Ủy ban nhân dân {p}", "Văn phòng", 1.0, "GEN"),
    ("Sở Nội vụ {p}", "Nội vụ", 1.0, "GEN"),
    ("Sở Tư pháp {p}", "Tư pháp", 0.5, "GEN"),
    ("Sở Tài chính {p}", "Tài chính", 1.3, "GEN"),
    ("Sở Công Thương {p}", "Công Thương", 1.6, "GEN"),
    ("Sở Nông nghiệp và Môi trường {p}", "Nông nghiệp và môi trường", 2.5, "GEN"),
    ("Sở Xây dựng {p}", "Xây dựng", 1.3, "GEN"),
    ("Sở Khoa học và Công nghệ {p}", "Khoa học và công nghệ", 0.7, "GEN"),
    ("Sở Giáo dục và Đào tạo {p}", "Giáo dục và đào tạo", 0.8, "GEN"),
    ("Sở Y tế {p}", "Y tế", 0.8, "GEN"),
    ("Sở Văn hóa, Thể thao và Du lịch {p}", "Văn hóa, thể thao và du lịch", 0.7, "GEN"),
    ("Thanh tra {p}", "Thanh tra", 0.7, "INSP"),
)
# Only where ethnic minorities are a large part of the population (approximation of where
# the provinces kept a separate department for ethnic and religious affairs).
_ETHNIC_AFFAIRS_DEPARTMENT = ("Sở Dân tộc và Tôn giáo {p}", "Dân tộc và tôn giáo", 0.4, "GEN")
_ETHNIC_AFFAIRS_THRESHOLD = 0.10

# The commune's specialised offices (Decree 150/2025/NĐ-CP): (template set, name, share of
# the commune's civil servants). The economic office of a ward also covers urban works.
_COMMUNE_OFFICES: tuple[tuple[str, str, float], ...] = (
    ("PHONG_XA_VP", "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân", 0.4),
    ("PHONG_XA_KT", "Phòng Kinh tế", 0.3),
    ("PHONG_XA_VHXH", "Phòng Văn hóa - Xã hội", 0.3),
)
_WARD_ECONOMIC_OFFICE = "Phòng Kinh tế, Hạ tầng và Đô thị"

# Public service units at the national scale: (level, type, count, share of the level's
# public employees, size spread).
_UNITS: tuple[tuple[str, str, int, float, float], ...] = (
    ("TW", "CQCP", 0, 0.08, 0.3),  # the five real ones, not scaled
    ("TW", "DH", 120, 0.30, 0.6),
    ("TW", "BV", 40, 0.30, 0.5),
    ("TW", "VIEN", 150, 0.17, 0.6),
    ("TW", "SNK", 120, 0.15, 0.6),
    ("TINH", "DH", 60, 0.05, 0.5),
    ("TINH", "THPT", 2_400, 0.22, 0.35),
    ("TINH", "BV", 1_100, 0.50, 0.7),
    ("TINH", "SNK", 3_000, 0.23, 0.6),
    ("XA", "MN", 12_500, 0.25, 0.35),
    ("XA", "TH", 12_000, 0.37, 0.35),
    ("XA", "THCS", 9_500, 0.31, 0.35),
    ("XA", "TYT", 3_321, 0.07, 0.3),
)

_UNIVERSITY_FIELDS: tuple[tuple[str, str], ...] = (
    ("Sư phạm", "Bộ Giáo dục và Đào tạo"),
    ("Kinh tế", "Bộ Giáo dục và Đào tạo"),
    ("Bách khoa", "Bộ Giáo dục và Đào tạo"),
    ("Khoa học Tự nhiên", "Bộ Giáo dục và Đào tạo"),
    ("Ngoại ngữ", "Bộ Giáo dục và Đào tạo"),
    ("Y Dược", "Bộ Y tế"),
    ("Nông Lâm", "Bộ Nông nghiệp và Môi trường"),
    ("Tài nguyên và Môi trường", "Bộ Nông nghiệp và Môi trường"),
    ("Giao thông vận tải", "Bộ Xây dựng"),
    ("Kiến trúc", "Bộ Xây dựng"),
    ("Luật", "Bộ Tư pháp"),
    ("Tài chính - Kế toán", "Bộ Tài chính"),
    ("Công Thương", "Bộ Công Thương"),
    ("Văn hóa", "Bộ Văn hóa, Thể thao và Du lịch"),
    ("Thể dục Thể thao", "Bộ Văn hóa, Thể thao và Du lịch"),
    ("Nội vụ", "Bộ Nội vụ"),
    ("Lao động - Xã hội", "Bộ Nội vụ"),
)
_CITIES = ("Hà Nội", "Thành phố Hồ Chí Minh", "Huế", "Đà Nẵng", "Thái Nguyên", "Cần Thơ",
           "Vinh", "Hải Phòng")
_HOSPITAL_SPECIALTIES = ("Đa khoa", "Nhi", "Phụ sản", "Lão khoa", "Nội tiết", "Phổi",
                         "Mắt", "Răng Hàm Mặt", "Da liễu", "Tâm thần", "Y học cổ truyền",
                         "Ung bướu", "Chấn thương Chỉnh hình", "Bệnh Nhiệt đới")
_INSTITUTE_TOPICS: tuple[tuple[str, str], ...] = (
    ("Viện Khoa học tổ chức nhà nước", "Bộ Nội vụ"),
    ("Viện Khoa học Lao động và Xã hội", "Bộ Nội vụ"),
    ("Viện Chiến lược và Chính sách tài chính", "Bộ Tài chính"),
    ("Viện Khoa học pháp lý", "Bộ Tư pháp"),
    ("Viện Khoa học Giáo dục Việt Nam", "Bộ Giáo dục và Đào tạo"),
    ("Viện Vệ sinh dịch tễ", "Bộ Y tế"),
    ("Viện Dinh dưỡng", "Bộ Y tế"),
    ("Viện Khoa học Nông nghiệp", "Bộ Nông nghiệp và Môi trường"),
    ("Viện Khoa học Thủy lợi", "Bộ Nông nghiệp và Môi trường"),
    ("Viện Khoa học Lâm nghiệp", "Bộ Nông nghiệp và Môi trường"),
    ("Viện Khoa học công nghệ xây dựng", "Bộ Xây dựng"),
    ("Viện Năng lượng", "Bộ Công Thương"),
    ("Viện Văn hóa, Nghệ thuật", "Bộ Văn hóa, Thể thao và Du lịch"),
    ("Viện Toán học", "Viện Hàn lâm Khoa học và Công nghệ Việt Nam"),
    ("Viện Vật lý", "Viện Hàn lâm Khoa học và Công nghệ Việt Nam"),
    ("Viện Hóa học", "Viện Hàn lâm Khoa học và Công nghệ Việt Nam"),
    ("Viện Công nghệ sinh học", "Viện Hàn lâm Khoa học và Công nghệ Việt Nam"),
    ("Viện Sử học", "Viện Hàn lâm Khoa học xã hội Việt Nam"),
    ("Viện Xã hội học", "Viện Hàn lâm Khoa học xã hội Việt Nam"),
    ("Viện Kinh tế Việt Nam", "Viện Hàn lâm Khoa học xã hội Việt Nam"),
)
_CENTRAL_CENTRES: tuple[tuple[str, str], ...] = (
    ("Trung tâm Công nghệ thông tin", "IT"),
    ("Trung tâm Thông tin", "IT"),
    ("Tạp chí", "GEN"),
    ("Báo", "GEN"),
    ("Trung tâm Lưu trữ", "ARCH"),
)
# Provincial centres: (name with "{p}", parent department prefix, field, family).
_PROVINCIAL_CENTRES: tuple[tuple[str, str, str, str], ...] = (
    ("Trung tâm Lưu trữ lịch sử {p}", "Sở Nội vụ", "Lưu trữ", "ARCH"),
    ("Trung tâm Công tác xã hội {p}", "Sở Nội vụ", "Công tác xã hội", "SW"),
    ("Thư viện {p}", "Sở Văn hóa", "Thư viện", "LIB"),
    ("Bảo tàng {p}", "Sở Văn hóa", "Di sản văn hóa", "HER"),
    ("Trung tâm Chuyển đổi số {p}", "Sở Khoa học", "Công nghệ thông tin", "IT"),
    ("Trung tâm Dịch vụ nông nghiệp {p}", "Sở Nông nghiệp", "Nông nghiệp", "GEN"),
    ("Ban Quản lý dự án đầu tư xây dựng {p}", "Sở Xây dựng", "Xây dựng", "GEN"),
    ("Trung tâm Phục vụ hành chính công {p}", "Văn phòng", "Hành chính công", "GEN"),
    ("Trung tâm Kiểm soát bệnh tật {p}", "Sở Y tế", "Y tế dự phòng", "GEN"),
)
_PROVINCIAL_COLLEGES = ("Trường Cao đẳng Sư phạm", "Trường Cao đẳng Y tế",
                        "Trường Cao đẳng Kỹ thuật", "Trường Đại học", "Trường Chính trị")

# Financial autonomy groups 1-4 (Decree 60/2021/NĐ-CP) by unit type.
_AUTONOMY: dict[str, tuple[float, float, float, float]] = {
    "CQCP": (0.0, 0.2, 0.5, 0.3),
    "DH": (0.25, 0.45, 0.25, 0.05),
    "BV": (0.1, 0.5, 0.35, 0.05),
    "VIEN": (0.0, 0.1, 0.6, 0.3),
    "SNK": (0.05, 0.2, 0.45, 0.3),
    "THPT": (0.0, 0.02, 0.18, 0.8),
    "THCS": (0.0, 0.0, 0.15, 0.85),
    "TH": (0.0, 0.0, 0.15, 0.85),
    "MN": (0.0, 0.0, 0.2, 0.8),
    "TYT": (0.0, 0.0, 0.1, 0.9),
}
_UNIT_FIELD = {
    "DH": "Giáo dục và đào tạo", "THPT": "Giáo dục và đào tạo", "THCS": "Giáo dục và đào tạo",
    "TH": "Giáo dục và đào tạo", "MN": "Giáo dục và đào tạo", "BV": "Y tế", "TYT": "Y tế",
    "VIEN": "Khoa học và công nghệ",
}


# -- sizes at this scale -------------------------------------------------------------------


def scale_ratio(ctx: GenContext) -> float:
    """This scale's dossiers relative to the national scale."""
    return ctx.scale.persons / NATIONAL_PERSONS


def workforce(ctx: GenContext) -> dict[tuple[str, str], int]:
    """Serving people by (level, staff category) at this scale, summing exactly."""
    serving = round(ctx.scale.persons * SERVING_SHARE)
    national_serving = round(NATIONAL_PERSONS * SERVING_SHARE)
    groups = [*NATIONAL_WORKFORCE, REMAINDER_GROUP]
    fixed = sum(NATIONAL_WORKFORCE.values())
    weights = [*NATIONAL_WORKFORCE.values(), national_serving - fixed]
    return dict(zip(groups, apportion(serving, np.array(weights)).tolist(), strict=True))


# -- the plan ------------------------------------------------------------------------------


@dataclass
class OrganisationPlan:
    """Agencies, job positions and serving people per job position, as column arrays."""

    agency_id: Array
    name: Array
    agency_type: Array
    template_set: Array
    level: Array
    parent: IntArray  # index of the parent agency, -1 for none
    province: Array  # "" for central agencies
    commune: Array  # "" unless the agency belongs to a commune
    field_of_work: Array
    autonomy: Array  # "" for administrative agencies
    status: Array
    established: Array  # datetime64[D], NaT where unknown
    decision: Array
    family: Array  # professional family of the agency's staff
    # job positions
    jp_agency: IntArray
    jp_name: Array
    jp_group: Array
    jp_category: Array
    jp_family: Array
    jp_position: Array
    jp_fixed: IntArray  # leadership posts per agency at the national scale, 0 for staff
    jp_filled: IntArray  # serving people planned in each job position
    jp_approved: IntArray

    @property
    def agencies(self) -> int:
        return len(self.agency_id)


class _Agencies:
    """Column lists that grow block by block; each block is a set of equal-length arrays."""

    COLUMNS = ("name", "agency_type", "template_set", "level", "parent", "province",
               "commune", "field_of_work", "autonomy", "status", "established", "decision",
               "family", "w_cb", "w_cc", "w_vc")

    def __init__(self) -> None:
        self.blocks: list[dict[str, Array]] = []
        self.size = 0

    def add(self, n: int, **columns: Any) -> IntArray:
        defaults: dict[str, Any] = {
            "template_set": columns.get("agency_type"), "parent": -1, "province": "",
            "commune": "", "field_of_work": "", "autonomy": "", "status": "HD",
            "established": np.datetime64("NaT", "D"), "decision": "", "family": "GEN",
            "w_cb": 0.0, "w_cc": 0.0, "w_vc": 0.0,
        }
        block: dict[str, Array] = {}
        for col in self.COLUMNS:
            value = columns[col] if col in columns else defaults[col]
            arr = np.asarray(value)
            block[col] = np.broadcast_to(arr, (n,)) if arr.ndim == 0 else arr
            if len(block[col]) != n:
                raise ValueError(f"agency column {col}: {len(block[col])} values for {n} rows")
        self.blocks.append(block)
        index = np.arange(self.size, self.size + n, dtype=np.int64)
        self.size += n
        return index

    def column(self, name: str) -> Array:
        parts = [b[name] for b in self.blocks]
        if name == "established":
            return np.concatenate([p.astype("datetime64[D]") for p in parts])
        if name in ("parent",):
            return np.concatenate([p.astype(np.int64) for p in parts])
        if name.startswith("w_"):
            return np.concatenate([p.astype(np.float64) for p in parts])
        return np.concatenate([p.astype(str) for p in parts])


def _day(d: date) -> np.datetime64:
    return np.datetime64(d, "D")


_POPULATION_CODES = np.array(sorted(PROVINCE_POPULATION))
_POPULATION = np.array([PROVINCE_POPULATION[c] for c in _POPULATION_CODES], dtype=np.float64)


def _population_weights(codes: Array) -> Array:
    weights: Array = _POPULATION[np.searchsorted(_POPULATION_CODES, codes)]
    return weights


def _unique_suffix(names: Array) -> Array:
    """Append ' số 2', ' số 3' ... to the second and later occurrences of a name."""
    names = np.asarray(names, dtype=str)
    if len(names) == 0:
        return names
    rank = cumcount(names)
    suffix = np.where(rank > 0, np.char.add(" số ", (rank + 1).astype(str)), "")
    return np.char.add(names, suffix)


def _decision_numbers(rng: np.random.Generator, n: int, suffix: str) -> Array:
    """Decision numbers in the usual form, e.g. '1467/QĐ-UBND'."""
    numbers: Array = np.char.add(rng.integers(1, 3_000, n).astype(str), f"/QĐ-{suffix}")
    return numbers


def _spread(n: int, weights: Array) -> IntArray:
    """How many of ``n`` units each province gets: one each when there are enough to go
    round, and the rest in proportion to ``weights``."""
    if n >= len(weights):
        return 1 + apportion(n - len(weights), weights)
    return apportion(n, weights)


def _distinct_communes(rng: np.random.Generator, per_province: IntArray, com_prov: Array,
                       provinces: _ProvinceLookup) -> IntArray:
    """Communes drawn without replacement, ``per_province[k]`` of them in province ``k``,
    as sorted positions in the commune list."""
    order = np.lexsort((rng.random(len(com_prov)), com_prov))
    k = np.repeat(np.arange(len(provinces.codes)), provinces.commune_count)
    rank = np.arange(len(com_prov)) - provinces.commune_start[k]
    chosen: IntArray = np.sort(order[rank < per_province[k]])
    return chosen


def _build_agencies(ctx: GenContext) -> _Agencies:
    """All agencies, real ones first (their ids do not depend on the scale)."""
    rng = ctx.rng("organisation.agencies")
    out = _Agencies()
    ministry_index: dict[str, int] = {}

    # Ministries, ministry-level agencies and their departments.
    for name, kind, field, merged in MINISTRIES:
        inside = name not in OUTSIDE_DATABASE
        # the defence and police ministries are listed, but not staffed in this database
        idx = out.add(
            1, name=name, agency_type=kind, template_set=kind if inside else "", level="TW",
            field_of_work=field,
            established=_day(REORGANISED_MINISTRIES) if merged else np.datetime64("NaT", "D"),
            decision="Nghị quyết số 176/2025/QH15",
            w_cb=1.0 if inside else 0.0, w_cc=0.3 if inside else 0.0,
        )
        ministry_index[name] = int(idx[0])
    for name, kind, field, merged in MINISTRIES:
        if name in OUTSIDE_DATABASE:
            continue
        parent = ministry_index[name]
        departments = _COMMON_DEPARTMENTS + _OWN_DEPARTMENTS.get(name, ())
        for dept, dkind, weight, family in departments:
            dept_name = dept
            if dept in ("Văn phòng", "Thanh tra"):
                if name.startswith(dept):
                    continue  # no "Office of the Government Office"
                dept_name = f"{dept} Bộ" if kind == "BO" else f"{dept} {name}"
            out.add(
                1, name=dept_name, agency_type=dkind, level="TW", parent=parent,
                field_of_work=field,
                established=_day(REORGANISED_MINISTRIES) if merged else np.datetime64("NaT", "D"),
                decision=f"Quyết định của {'Bộ trưởng' if kind == 'BO' else 'Thủ trưởng'} "
                f"{name}" if dkind == "VU" else "Nghị định của Chính phủ",
                family=family, w_cc=weight,
            )
    for name, field, family in GOVERNMENT_AGENCIES:
        idx = out.add(1, name=name, agency_type="CQCP", level="TW", field_of_work=field,
                      autonomy="3", family=family, decision="Nghị định của Chính phủ",
                      w_vc=1.0)
        ministry_index[name] = int(idx[0])

    # Provinces: People's Committee and specialised departments.
    provinces = _ProvinceLookup.build()
    prov_weight = 0.3 / len(provinces.codes) + 0.7 * _normalise(
        _population_weights(provinces.codes))
    for k, code in enumerate(provinces.codes):
        merged = code not in UNMERGED_PROVINCES
        established = _day(REORGANISED_LOCAL) if merged else np.datetime64("NaT", "D")
        where = str(provinces.where[k])
        idx = out.add(
            1, name=f"Ủy ban nhân dân {where}", agency_type="UBND_TINH", level="TINH",
            province=code, field_of_work="Quản lý nhà nước", established=established,
            decision="Nghị quyết số 202/2025/QH15" if merged else "", w_cb=1.0,
        )
        provinces.ubnd[k] = idx[0]
        rows = list(_DEPARTMENTS_OF_PROVINCE)
        if PROVINCE_MINORITY_SHARE[code] >= _ETHNIC_AFFAIRS_THRESHOLD:
            rows.append(_ETHNIC_AFFAIRS_DEPARTMENT)
        dept_weights = np.array([r[2] for r in rows])
        idx = out.add(
            len(rows), name=np.array([r[0].format(p=where) for r in rows]),
            agency_type="SO", level="TINH", parent=provinces.ubnd[k], province=code,
            field_of_work=np.array([r[1] for r in rows]),
            established=_day(REORGANISED_LOCAL if merged else REORGANISED_MINISTRIES),
            decision=f"Quyết định của Ủy ban nhân dân {where}",
            family=np.array([r[3] for r in rows]),
            w_cc=prov_weight[k] * dept_weights / dept_weights.sum(),
        )
        for r, i in zip(rows, idx, strict=True):
            provinces.departments[(code, r[0].removesuffix(" {p}"))] = int(i)

    # Communes: People's Committee and three specialised offices.
    communes = admin.communes()
    n_com = len(communes)
    com_codes = np.array([c.code for c in communes])
    com_prov = np.array([c.province_code for c in communes])
    com_where = np.array([inline_name(c.name) for c in communes])
    is_ward = np.array([c.division_type != "xã" for c in communes])
    # Commune size varies; a spread of ±25 % puts some communes below their staffing norm.
    com_size = rng.lognormal(0.0, 0.25, n_com)
    com_ubnd = out.add(
        n_com, name=np.char.add("Ủy ban nhân dân ", com_where), agency_type="UBND_XA",
        level="XA", parent=provinces.ubnd[np.searchsorted(provinces.codes, com_prov)],
        province=com_prov, commune=com_codes, field_of_work="Quản lý nhà nước",
        established=_day(REORGANISED_LOCAL),
        decision="Nghị quyết của Ủy ban Thường vụ Quốc hội về sắp xếp đơn vị hành chính "
        "cấp xã năm 2025", w_cb=com_size,
    )
    for template_set, office, share in _COMMUNE_OFFICES:
        names = np.where(is_ward & (template_set == "PHONG_XA_KT"), _WARD_ECONOMIC_OFFICE,
                         office)
        out.add(
            n_com, name=np.char.add(np.char.add(names, " "), com_where),
            agency_type="PHONG_XA", template_set=template_set, level="XA", parent=com_ubnd,
            province=com_prov, commune=com_codes, field_of_work="Quản lý nhà nước",
            established=_day(REORGANISED_LOCAL),
            decision="Quyết định của Ủy ban nhân dân cấp xã", w_cc=com_size * share,
        )

    # Public service units, scaled. Each province gets its share of the provincial and
    # commune units (at least one of each provincial type), so that a small scale with few
    # units still staffs every province.
    com_order = np.argsort(com_prov, kind="stable")
    com_short = np.array([c.short_name for c in communes])
    population = _population_weights(provinces.codes)
    for level, kind, national, _, spread in _UNITS:
        if kind == "CQCP":
            continue
        n = ctx.count(national)
        if level == "TINH":
            n = max(n, len(provinces.codes))
        elif kind == "TYT":
            n = min(n, n_com)
        size = rng.lognormal(0.0, spread, n)
        weights = np.array(_AUTONOMY[kind])
        common: dict[str, Any] = {
            "agency_type": kind, "level": level,
            "autonomy": np.array(["1", "2", "3", "4"])[choose(rng, n, weights)],
            "status": np.where(rng.random(n) < 0.02, "SN", "HD"),
            "established": dates_between(rng, date(1960, 1, 1), date(2024, 12, 30), n),
            "field_of_work": _UNIT_FIELD.get(kind, ""),
        }
        if level == "TW":
            _central_units(out, rng, kind, n, size, ministry_index, common)
        elif level == "TINH":
            prov = np.repeat(provinces.codes, _spread(n, population))
            _provincial_units(out, rng, kind, n, size, prov, provinces, common)
        else:
            if kind == "TYT":
                # every commune has one health station
                pick = _distinct_communes(rng, apportion(n, provinces.commune_count),
                                          com_prov, provinces)
                names = np.char.add("Trạm Y tế ", com_where[pick])
            else:
                # schools go where people live: to provinces by population, then to any of
                # their communes
                owner = np.repeat(np.arange(len(provinces.codes)), _spread(n, population))
                at = provinces.commune_start[owner] + (
                    rng.random(n) * provinces.commune_count[owner]).astype(np.int64)
                pick = com_order[at]
                label = {"MN": "Trường Mầm non ", "TH": "Trường Tiểu học ",
                         "THCS": "Trường Trung học cơ sở "}[kind]
                names = _unique_suffix(np.char.add(label, com_short[pick]))
            out.add(
                n, name=names, parent=com_ubnd[pick], province=com_prov[pick],
                commune=com_codes[pick], family=kind if kind != "TYT" else "GEN",
                decision=_decision_numbers(rng, n, "UBND"), w_vc=size, **common,
            )
    return out


@dataclass
class _ProvinceLookup:
    """Per-province arrays (in code order) that the unit builders index by position."""

    codes: Array
    where: Array  # "tỉnh Cao Bằng"
    short: Array  # "Cao Bằng"
    ubnd: IntArray  # index of the provincial People's Committee
    commune_start: IntArray  # first commune of the province in code order
    commune_count: IntArray
    commune_short: Array  # every commune's short name, in code order
    departments: dict[tuple[str, str], int]

    @classmethod
    def build(cls) -> _ProvinceLookup:
        provinces = admin.provinces()
        communes = admin.communes()
        codes = np.array([p.code for p in provinces])
        com_prov = np.array([c.province_code for c in communes])
        order = np.argsort(com_prov, kind="stable")
        counts = np.bincount(np.searchsorted(codes, com_prov), minlength=len(codes))
        return cls(
            codes=codes,
            where=np.array([inline_name(p.name) for p in provinces]),
            short=np.array([p.short_name for p in provinces]),
            ubnd=np.full(len(codes), -1, dtype=np.int64),
            commune_start=np.r_[0, np.cumsum(counts)[:-1]].astype(np.int64),
            commune_count=counts.astype(np.int64),
            commune_short=np.array([c.short_name for c in communes])[order],
            departments={},
        )

    def department(self, positions: Array, prefix: str) -> IntArray:
        """Index of the department whose name starts with ``prefix`` in each province."""
        table = np.array([
            next(i for (c, name), i in self.departments.items()
                 if c == code and name.startswith(prefix))
            for code in self.codes
        ], dtype=np.int64)
        return table[positions]


def _normalise(w: Array) -> Array:
    w = np.asarray(w, dtype=np.float64)
    out: Array = w / w.sum()
    return out


def _central_units(out: _Agencies, rng: np.random.Generator, kind: str, n: int, size: Array,
                   ministry_index: dict[str, int], common: dict[str, Any]) -> None:
    family: Any
    if kind == "DH":
        pick = rng.integers(0, len(_UNIVERSITY_FIELDS), n)
        city = np.array(_CITIES)[rng.integers(0, len(_CITIES), n)]
        fields = np.array([f for f, _ in _UNIVERSITY_FIELDS])[pick]
        names = np.char.add(np.char.add(np.char.add("Trường Đại học ", fields), " "), city)
        parents = np.array([ministry_index[m] for _, m in _UNIVERSITY_FIELDS])[pick]
        family = "LECT"
    elif kind == "BV":
        spec = np.array(_HOSPITAL_SPECIALTIES)[rng.integers(0, len(_HOSPITAL_SPECIALTIES), n)]
        names = np.char.add(np.char.add("Bệnh viện ", spec), " Trung ương")
        parents = np.full(n, ministry_index["Bộ Y tế"])
        family = "GEN"
    elif kind == "VIEN":
        pick = rng.integers(0, len(_INSTITUTE_TOPICS), n)
        names = np.array([t for t, _ in _INSTITUTE_TOPICS])[pick]
        parents = np.array([ministry_index[m] for _, m in _INSTITUTE_TOPICS])[pick]
        family = "RES"
    else:
        owners = [m for m, *_ in MINISTRIES if m not in OUTSIDE_DATABASE]
        owner = rng.integers(0, len(owners), n)
        centre = rng.integers(0, len(_CENTRAL_CENTRES), n)
        names = np.char.add(np.char.add(np.array([c for c, _ in _CENTRAL_CENTRES])[centre],
                                        ", "), np.array(owners)[owner])
        parents = np.array([ministry_index[m] for m in owners])[owner]
        family = np.array([f for _, f in _CENTRAL_CENTRES])[centre].astype(str)
    out.add(n, name=_unique_suffix(names), parent=parents, family=family,
            decision=_decision_numbers(rng, n, "BNV"), w_vc=size, **common)


def _provincial_units(out: _Agencies, rng: np.random.Generator, kind: str, n: int,
                      size: Array, prov: Array, provinces: _ProvinceLookup,
                      common: dict[str, Any]) -> None:
    pos = np.searchsorted(provinces.codes, prov)
    where = provinces.where[pos]
    # a locality inside the province to name schools and health centres after
    first, count = provinces.commune_start[pos], provinces.commune_count[pos]
    local = provinces.commune_short[first + (rng.random(n) * count).astype(np.int64)]
    family: Any = "GEN"
    if kind == "THPT":
        names = np.char.add("Trường Trung học phổ thông ", local)
        parents = provinces.department(pos, "Sở Giáo dục")
        family = "THPT"
    elif kind == "BV":
        order = np.argsort(prov, kind="stable")
        is_first = np.zeros(n, dtype=bool)
        is_first[order] = np.r_[True, prov[order][1:] != prov[order][:-1]][:n]
        names = np.where(is_first, np.char.add("Bệnh viện Đa khoa ", where),
                         np.char.add("Trung tâm Y tế khu vực ", local))
        size = np.where(is_first, size * 3.0, size)
        parents = provinces.department(pos, "Sở Y tế")
    elif kind == "DH":
        college = np.array(_PROVINCIAL_COLLEGES)[rng.integers(0, len(_PROVINCIAL_COLLEGES), n)]
        names = np.char.add(np.char.add(college, " "), provinces.short[pos])
        parents = provinces.ubnd[pos]
        family = "LECT"
    else:
        centre = rng.integers(0, len(_PROVINCIAL_CENTRES), n)
        prefix = np.array([c[0].removesuffix(" {p}") for c in _PROVINCIAL_CENTRES])[centre]
        names = np.char.add(np.char.add(prefix, " "), where)
        parents = np.empty(n, dtype=np.int64)
        for k, (_, owner, _, _) in enumerate(_PROVINCIAL_CENTRES):
            sel = centre == k
            parents[sel] = provinces.department(pos[sel], owner)
        family = np.array([c[3] for c in _PROVINCIAL_CENTRES])[centre]
        common = common | {"field_of_work": np.array([c[2] for c in _PROVINCIAL_CENTRES])[centre]}
    out.add(n, name=_unique_suffix(names), parent=parents, province=prov, family=family,
            decision=_decision_numbers(rng, n, "UBND"), w_vc=size, **common)


# -- staffing ------------------------------------------------------------------------------


def systematic(total: int, weights: Array, rng: np.random.Generator) -> IntArray:
    """Split ``total`` over ``weights``: each gets the floor or the ceiling of its quota,
    at random in proportion to the fraction, and the parts sum to ``total`` exactly."""
    w = np.asarray(weights, dtype=np.float64)
    if total == 0 or w.sum() <= 0:
        return np.zeros(len(w), dtype=np.int64)
    edges = np.floor(np.cumsum(w / w.sum() * total) + rng.random())
    counts = np.diff(np.r_[0.0, edges]).astype(np.int64)
    counts[-1] += total - counts.sum()  # float rounding at the very end
    out: IntArray = counts
    return out


def _vc_weights(ag: _Agencies, level: Array, kind: Array, active: Array) -> Array:
    """Public-employee weights. A central unit type gets its share of the level, split by
    size. Below, each province gets its population share of the level, split over the unit
    types it has by their shares and then by size: at a small scale, where a province may
    lack a type, the province still keeps its share."""
    raw = ag.column("w_vc") * active
    province = ag.column("province")
    out = np.zeros_like(raw)
    for lvl, unit_type, _, share, _ in _UNITS:
        sel = np.flatnonzero((level == lvl) & (kind == unit_type))
        group = np.zeros(len(sel), dtype=np.int64) if lvl == "TW" else np.unique(
            province[sel], return_inverse=True)[1]
        total = np.bincount(group, weights=raw[sel])
        out[sel] = np.where(total[group] > 0, share * raw[sel] / np.maximum(total[group], 1e-300),
                            0.0)
    for lvl in ("TINH", "XA"):
        sel = np.flatnonzero(level == lvl)
        codes, group = np.unique(province[sel], return_inverse=True)
        total = np.bincount(group, weights=out[sel])
        target = _normalise(_population_weights(codes))
        out[sel] = np.where(total[group] > 0,
                            out[sel] / np.maximum(total[group], 1e-300) * target[group], 0.0)
    return out


def _staffing(ctx: GenContext, ag: _Agencies) -> tuple[dict[str, IntArray], dict[str, Array]]:
    """Serving people per agency and category, and the expected value each count was drawn
    around (the quota), which sizes the leadership posts."""
    rng = ctx.rng("organisation.staffing")
    level, kind = ag.column("level"), ag.column("agency_type")
    template_set = ag.column("template_set")
    active = ag.column("status") == "HD"
    weights = {
        "CB": ag.column("w_cb") * active,
        "CC": ag.column("w_cc") * active,
        "VC": _vc_weights(ag, level, kind, active),
    }
    n = ag.size
    counts = {c: np.zeros(n, dtype=np.int64) for c in ("CB", "CC", "VC", "HD")}
    quota = {c: np.zeros(n, dtype=np.float64) for c in ("CB", "CC", "VC", "HD")}
    groups = workforce(ctx)
    for (lvl, cat), total in groups.items():
        if cat == "HD":
            continue
        w = weights[cat] * (level == lvl)
        counts[cat] += systematic(total, w, rng)
        quota[cat] += total * w / w.sum()
    has_contracts = _has_category(template_set, "HD")
    for lvl in ("TW", "TINH", "XA"):
        w = (counts["CB"] + counts["CC"] + counts["VC"] + 0.2) * has_contracts * active
        w = w * (level == lvl)
        total = groups[(lvl, "HD")]
        counts["HD"] += systematic(total, w, rng)
        quota["HD"] += total * w / w.sum()
    return counts, quota


def _has_category(template_set: Array, category: str) -> Array:
    sets = np.unique(template_set)
    ok = {s: any(t.category == category for t in TEMPLATES.get(s, ())) for s in sets}
    return np.array([ok[s] for s in sets])[np.searchsorted(sets, template_set)]


def stochastic_round(x: Array, rng: np.random.Generator) -> IntArray:
    """Round each value up with probability equal to its fraction: exact in expectation."""
    x = np.asarray(x, dtype=np.float64)
    low = np.floor(x)
    return (low + (rng.random(x.shape) < x - low)).astype(np.int64)


def _round_posts(x: Array, rng: np.random.Generator) -> IntArray:
    """Posts expected in an agency: rounded when at least half a post, else drawn, so that
    a full-size agency has exactly its posts and a thinned one has them in proportion."""
    return np.where(x >= 0.5, np.floor(x + 0.5), stochastic_round(x, rng)).astype(np.int64)


def _fill_positions(ctx: GenContext, ag: _Agencies, counts: dict[str, IntArray],
                    quota: dict[str, Array]) -> dict[str, Array]:
    """One job position per template of every operating agency, with the people in it."""
    rng = ctx.rng("organisation.positions")
    r = scale_ratio(ctx)
    template_set = ag.column("template_set")
    active = ag.column("status") == "HD"
    attributes = ("name", "group", "category", "family", "position", "fixed")
    cols: dict[str, list[Array]] = {
        k: [] for k in ("agency", "template", "filled", "approved", *attributes)
    }
    for set_name in sorted(TEMPLATES):
        agencies = np.flatnonzero((template_set == set_name) & active)
        if len(agencies) == 0:
            continue
        templates = TEMPLATES[set_name]
        filled = np.zeros((len(agencies), len(templates)), dtype=np.int64)
        approved = np.zeros_like(filled)
        for cat in ("CB", "CC", "VC", "HD"):
            idx = [i for i, t in enumerate(templates) if t.category == cat]
            if not idx:
                continue
            total = counts[cat][agencies]
            left = total.copy()
            # leadership posts scale with the people the agency got against its expected
            # count: all its posts at full scale, in proportion when thinned
            size = total / np.maximum(quota[cat][agencies], 1e-9)
            fixed = [i for i in idx if templates[i].fixed]
            shared = [i for i in idx if not templates[i].fixed]
            for i in fixed:
                posts = templates[i].fixed
                take = np.minimum(_round_posts(posts * r * size, rng), posts)
                take = np.minimum(take, left)
                filled[:, i] = take
                approved[:, i] = np.maximum(take, _round_posts(np.full(len(total), posts * r),
                                                               rng))
                left -= take
            if shared:
                p = np.array([templates[i].share for i in shared])
                filled[:, shared] = rng.multinomial(left, p / p.sum())
            elif fixed:
                filled[:, fixed[-1]] += left
        for i, t in enumerate(templates):
            if not t.fixed:
                f = filled[:, i]
                approved[:, i] = f + rng.poisson(0.06 * f) - rng.binomial(f, 0.02)
        cols["agency"].append(np.repeat(agencies, len(templates)))
        cols["template"].append(np.tile(np.arange(len(templates)), len(agencies)))
        cols["filled"].append(filled.ravel())
        cols["approved"].append(approved.ravel())
        for attr in attributes:
            values = np.array([getattr(t, attr) for t in templates])
            cols[attr].append(np.tile(values, len(agencies)))
    out = {k: np.concatenate(v) for k, v in cols.items()}
    order = np.lexsort((out["template"], out["agency"]))
    return {k: v[order] for k, v in out.items()}


def resolve_grade(family: str, grade_class: int) -> str:
    """The grade of ``family`` in salary class ``grade_class``, or the general grade."""
    code = GRADE_FAMILIES[family][grade_class]
    return code or GRADE_FAMILIES["GEN"][grade_class]


def resolve_title(family: str, rank: int) -> str:
    """The title of ``family`` at ``rank`` (0 = rank I), or the nearest rank it has."""
    codes = TITLE_FAMILIES[family]
    have = [i for i, c in enumerate(codes) if c]
    nearest = min(have, key=lambda i: (abs(i - rank), -i))
    return codes[nearest]


def organisation_plan(ctx: GenContext) -> OrganisationPlan:
    """The agencies and the staffing plan of this context, drawn once and kept in
    ``ctx.shared`` for the personnel generator."""
    cached = ctx.shared.get(PLAN_KEY)
    if isinstance(cached, OrganisationPlan):
        return cached
    ag = _build_agencies(ctx)
    counts, quota = _staffing(ctx, ag)
    jp = _fill_positions(ctx, ag, counts, quota)
    agency_family = ag.column("family")
    family = np.where(jp["family"] == AGENCY_FAMILY, agency_family[jp["agency"]], jp["family"])
    plan = OrganisationPlan(
        agency_id=numpy_text(serial_ids("CQ", ag.size, 8)),
        name=ag.column("name"),
        agency_type=ag.column("agency_type"),
        template_set=ag.column("template_set"),
        level=ag.column("level"),
        parent=ag.column("parent"),
        province=ag.column("province"),
        commune=ag.column("commune"),
        field_of_work=ag.column("field_of_work"),
        autonomy=ag.column("autonomy"),
        status=ag.column("status"),
        established=ag.column("established"),
        decision=ag.column("decision"),
        family=agency_family,
        jp_agency=jp["agency"],
        jp_name=jp["name"],
        jp_group=jp["group"],
        jp_category=jp["category"],
        jp_family=family,
        jp_position=jp["position"],
        jp_fixed=jp["fixed"].astype(np.int64),
        jp_filled=jp["filled"],
        jp_approved=np.maximum(jp["approved"], 0),
    )
    ctx.shared[PLAN_KEY] = plan
    return plan


# -- tables --------------------------------------------------------------------------------

QUOTA_YEARS = (2022, 2023, 2024, 2025, 2026)
REDUCTION_YEARS = (2023, 2024, 2025, 2026)
# People in post relative to 2026, before the 2025 restructuring and staff reduction.
_PAST_STAFF = {2022: 1.07, 2023: 1.06, 2024: 1.05, 2025: 1.02, 2026: 1.0}
# Cadres and civil servants per commune used for planning, national scale: a little under
# the 41 in post on average, so that the smaller communes fall below it.
COMMUNE_NORM = 36
# Share of an agency's people planned for reduction, by year and reason (codes 01-06);
# 2025 carries the restructuring under Decree 178/2024/NĐ-CP.
_REDUCTION_RATE: dict[int, tuple[float, ...]] = {
    2023: (0.001, 0.003, 0.001, 0.001, 0.001, 0.002),
    2024: (0.002, 0.003, 0.001, 0.001, 0.001, 0.003),
    2025: (0.030, 0.004, 0.002, 0.001, 0.002, 0.015),
    2026: (0.010, 0.003, 0.001, 0.001, 0.001, 0.005),
}


def agency_table(plan: OrganisationPlan) -> pa.Table:
    none = plan.parent < 0
    return pa.table({
        "agency_id": pa.array(plan.agency_id),
        "name": pa.array(plan.name),
        "agency_type": pa.array(plan.agency_type),
        "level": pa.array(plan.level),
        "parent_agency_id": nullable(plan.agency_id[np.where(none, 0, plan.parent)], none),
        "province_code": nullable(plan.province, plan.province == ""),
        "commune_code": nullable(plan.commune, plan.commune == ""),
        "field_of_work": nullable(plan.field_of_work, plan.field_of_work == ""),
        "financial_autonomy": nullable(plan.autonomy, plan.autonomy == ""),
        "status": pa.array(plan.status),
        "established_date": nullable(plan.established, np.isnat(plan.established)),
        "establishing_decision": nullable(plan.decision, plan.decision == ""),
    })


def job_position_codes(plan: OrganisationPlan) -> tuple[Array, Array]:
    """The grade and title each job position calls for ("" where none)."""
    family, category = plan.jp_family, plan.jp_category
    level = plan.level[plan.jp_agency]
    head = plan.jp_fixed == 1
    grade_class = np.where(plan.jp_fixed > 0, np.where(head & (level == "TW"), 0, 1), 2)
    rank = np.where(plan.jp_fixed > 0, 1, 2)
    grade = np.full(len(family), "", dtype=object)
    title = np.full(len(family), "", dtype=object)
    for fam in np.unique(family):
        sel = (family == fam) & (category != "HD")
        for k in range(len(GRADE_CLASSES)):
            if fam in GRADE_FAMILIES:
                grade[sel & (grade_class == k)] = resolve_grade(fam, k)
            elif fam in TITLE_FAMILIES and k < len(TITLE_RANKS):
                title[sel & (rank == k)] = resolve_title(fam, k)
    return grade.astype(str), title.astype(str)


def job_position_table(plan: OrganisationPlan, rng: np.random.Generator) -> pa.Table:
    n = len(plan.jp_agency)
    grade, title = job_position_codes(plan)
    agency = plan.jp_agency
    approved = dates_between(rng, date(2023, 1, 1), date(2026, 5, 31), n)
    new_structure = plan.established[agency] >= _day(REORGANISED_MINISTRIES)
    approved = np.where(new_structure & (approved < plan.established[agency]),
                        plan.established[agency] + rng.integers(30, 180, n), approved)
    return pa.table({
        "job_position_id": serial_ids("VT", n, 9),
        "agency_id": pa.array(plan.agency_id[agency]),
        "name": pa.array(plan.jp_name),
        "position_group": pa.array(plan.jp_group),
        "grade": nullable(grade, grade == ""),
        "title": nullable(title, title == ""),
        "staff_category": pa.array(plan.jp_category),
        "approved_count": pa.array(plan.jp_approved),
        "province_code": nullable(plan.province[agency], plan.province[agency] == ""),
        "level": pa.array(plan.level[agency]),
        "approved_date": pa.array(approved.astype("datetime64[D]")),
    })


def _quota_owners(plan: OrganisationPlan) -> IntArray:
    """The operating, staffed agencies that are given a headcount (not commune offices)."""
    return np.flatnonzero((plan.agency_type != "PHONG_XA") & (plan.status == "HD")
                          & (plan.template_set != ""))


def _quota_owner(plan: OrganisationPlan) -> IntArray:
    """The agency a headcount is given to: a commune office's goes to its commune."""
    return np.where(plan.agency_type == "PHONG_XA", plan.parent, np.arange(plan.agencies))


def staff_by_agency(plan: OrganisationPlan) -> dict[str, IntArray]:
    """Serving people of each category per quota-owning agency (CB counted with CC)."""
    owner = _quota_owner(plan)[plan.jp_agency]
    out: dict[str, IntArray] = {}
    for key, cats in (("cs", ("CB", "CC")), ("pe", ("VC",)), ("hd", ("HD",))):
        sel = np.isin(plan.jp_category, cats)
        out[key] = np.bincount(owner[sel], weights=plan.jp_filled[sel],
                               minlength=plan.agencies).astype(np.int64)
    return out


def headcount_quota_table(plan: OrganisationPlan, ctx: GenContext) -> pa.Table:
    rng = ctx.rng("organisation.headcount")
    owners = _quota_owners(plan)
    staff = staff_by_agency(plan)
    first_year = np.where(np.isnat(plan.established[owners]), QUOTA_YEARS[0],
                          year_of(plan.established[owners]))
    norm = round(COMMUNE_NORM * scale_ratio(ctx))
    parts: list[dict[str, Array]] = []
    for year in QUOTA_YEARS:
        rows = owners[first_year <= year]
        n = len(rows)
        actual = {k: rng.poisson(v[rows] * _PAST_STAFF[year]) if year < 2026 else v[rows]
                  for k, v in staff.items()}
        factor = np.clip(rng.normal(1.03, 0.05, (3, n)), 0.88, 1.2)
        approved = {k: np.round(actual[k] * factor[i]).astype(np.int64)
                    for i, k in enumerate(("cs", "pe", "hd"))}
        is_commune = plan.agency_type[rows] == "UBND_XA"
        local = plan.level[rows] != "TW"
        start = np.where(is_commune & (year == 2025), _day(date(2025, 7, 1)),
                         np.datetime64(f"{year}-01-02"))
        parts.append({
            "rows": rows, "year": np.full(n, year, dtype=np.int64),
            "acs": approved["cs"], "ape": approved["pe"], "ahd": approved["hd"],
            "cs": actual["cs"], "pe": actual["pe"], "hd": actual["hd"],
            # too small a scale carries no norm (it would round to nobody)
            "norm": np.where(is_commune & (norm > 0), norm, -1),
            "decision": np.char.add(rng.integers(1, 4_000, n).astype(str),
                                    np.where(local, "/QĐ-UBND", "/QĐ-BNV")),
            "date": start + rng.integers(0, 60, n),
        })
    q = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    rows = q["rows"]
    return pa.table({
        "agency_id": pa.array(plan.agency_id[rows]),
        "year": pa.array(q["year"]),
        "province_code": nullable(plan.province[rows], plan.province[rows] == ""),
        "commune_code": nullable(plan.commune[rows], plan.commune[rows] == ""),
        "level": pa.array(plan.level[rows]),
        "approved_civil_servants": pa.array(q["acs"]),
        "approved_public_employees": pa.array(q["ape"]),
        "approved_contracts": pa.array(q["ahd"]),
        "actual_civil_servants": pa.array(q["cs"]),
        "actual_public_employees": pa.array(q["pe"]),
        "actual_contracts": pa.array(q["hd"]),
        "norm_civil_servants": nullable(q["norm"], q["norm"] < 0, pa.int64()),
        "decision_no": pa.array(q["decision"]),
        "decision_date": pa.array(q["date"].astype("datetime64[D]")),
    })


def staff_reduction_table(plan: OrganisationPlan, ctx: GenContext) -> pa.Table:
    rng = ctx.rng("organisation.reduction")
    owners = _quota_owners(plan)
    staff = staff_by_agency(plan)
    people = (staff["cs"] + staff["pe"] + staff["hd"])[owners]
    reasons = np.array(["01", "02", "03", "04", "05", "06"])
    parts: list[dict[str, Array]] = []
    for year in REDUCTION_YEARS:
        base = np.round(people * _PAST_STAFF[year]).astype(np.int64)
        rate = np.array(_REDUCTION_RATE[year])
        planned = rng.binomial(base[:, None], rate[None, :])
        keep = planned > 0
        agency_pos, reason_pos = np.nonzero(keep)
        planned = planned[keep]
        done = rng.binomial(planned, 0.45 if year == 2026 else 0.92)
        early_share = np.where(np.isin(reason_pos, (0, 5)), 0.55, 0.3)
        early = rng.binomial(done, early_share)
        parts.append({
            "rows": owners[agency_pos], "year": np.full(len(planned), year, dtype=np.int64),
            "reason": reasons[reason_pos], "planned": planned, "done": done,
            "early": early, "resigned": done - early,
            "budget": np.round(done * rng.lognormal(np.log(550.0), 0.35, len(done)), 1),
            "approved": (year < 2026) | (rng.random(len(done)) < 0.7),
        })
    q = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    rows = q["rows"]
    return pa.table({
        "agency_id": pa.array(plan.agency_id[rows], type=pa.string()),
        "year": pa.array(q["year"], type=pa.int64()),
        "reason": pa.array(q["reason"], type=pa.string()),
        "province_code": nullable(plan.province[rows], plan.province[rows] == "", pa.string()),
        "level": pa.array(plan.level[rows], type=pa.string()),
        "planned": pa.array(q["planned"], type=pa.int64()),
        "done": pa.array(q["done"], type=pa.int64()),
        "early_retirement": pa.array(q["early"], type=pa.int64()),
        "resigned": pa.array(q["resigned"], type=pa.int64()),
        "budget_million_vnd": pa.array(q["budget"], type=pa.float64()),
        "approved": pa.array(q["approved"], type=pa.bool_()),
    })


def generate(ctx: GenContext) -> Iterator[tuple[str, pa.Table]]:
    plan = organisation_plan(ctx)
    ctx.shared["agency.agency_id"] = plan.agency_id
    ctx.shared["agency.province_code"] = plan.province
    ctx.shared["agency.commune_code"] = plan.commune
    ctx.shared["agency.level"] = plan.level
    ctx.shared["agency.agency_type"] = plan.agency_type
    yield from batches("agency", agency_table(plan), ctx)
    jobs = job_position_table(plan, ctx.rng("organisation.job_position"))
    ctx.shared["job_position.job_position_id"] = numpy_text(jobs.column("job_position_id"))
    yield from batches("job_position", jobs, ctx)
    yield from batches("headcount_quota", headcount_quota_table(plan, ctx), ctx)
    yield from batches("staff_reduction", staff_reduction_table(plan, ctx), ctx)
