"""Generator for sector 6: training institutions, programmes, courses, training records and
course evaluations.

The mix of training follows the survey of the Institute of State Organisational Science for
2017-2021 (source document, first article): about 553,000 participations of civil servants
of central agencies, 991,000 at province and district level and 659,000 at commune level;
about 168,000 in political theory (73.8% intermediate), 163,000 in state management by
grade (67.06% the officer programme, 28.3% the principal officer programme), 1,233,506 in
specialised and job-position knowledge, about 340,000 in defence and security, languages,
IT and minority languages, and 4,420, 17,700 and 14,700 degree courses by level. The
level totals exceed the sum of the listed kinds by about 262,000 participations; they are
generated as leadership and management training (an assumption: it is a kind of training
under Decree 101/2017 that the survey does not count separately). The 2017-2021 mix is kept
for every year from 2017 to the reference date.

The survey counts civil servants only, while the personnel database also holds public
employees and contract staff. Civil servants and cadres get the survey's mix at the
survey's rate (about 1.27 participations a year each); the records left over go to public
employees, and at 0.3 times their rate to other staff, mostly as professional training.
Participants are real persons of the personnel database (``ctx.shared``), drawn uniformly
within their population, government level and province, so that the shares of women and of
ethnic minorities among participants are those of the persons. A course draws a window of
distinct persons who were at least 22 years old in the course's year.

Records are built column-wise with NumPy and Arrow, one batch of at most
``ctx.scale.batch_rows`` rows at a time; only the courses and the person columns stay in
memory between batches.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from noivu_ioc.catalog.sectors import s6_training as cat
from noivu_ioc.generate.columns import (
    BoolArray,
    FloatArray,
    IntArray,
    apportion,
    batches,
    blank_to_null,
    build_table,
    choose,
    concat,
    cumcount,
    explode,
    inline_name,
    serial_ids,
    shared,
    shared_strings,
    string_ids,
    take,
    year_of,
    year_start,
)
from noivu_ioc.generate.context import GenContext
from noivu_ioc.units import admin

log = logging.getLogger(__name__)

FIRST_YEAR = 2017
LEVELS = ("TW", "TINH", "XA")

# --- Figures of the source document (participations, 2017-2021) ----------------------------
LEVEL_PARTICIPATIONS = {"TW": 553_000, "TINH": 991_000, "XA": 659_000}
POLITICAL_THEORY_TOTAL = 168_000
POLITICAL_THEORY_INTERMEDIATE_SHARE = 0.738
COMMUNE_POLITICAL_THEORY = 48_000
COMMUNE_POLITICAL_THEORY_INTERMEDIATE = 37_000
STATE_MANAGEMENT_TOTAL = 163_000
STATE_MANAGEMENT_OFFICER_SHARE = 0.6706
STATE_MANAGEMENT_PRINCIPAL_SHARE = 0.283
SPECIALISED_TOTAL = 1_233_506
DEFENCE_LANGUAGE_IT_TOTAL = 340_000
DEGREE_BY_LEVEL = {"TW": 4_420, "TINH": 17_700, "XA": 14_700}
# Shares of doctorates and master's among degree courses; the rest is a bachelor's degree,
# except at commune level where 77.47% is a bachelor's degree and the rest a master's.
DEGREE_SHARES = {
    "TW": {"SDH_TS": 0.064, "SDH_THS": 0.7186},
    "TINH": {"SDH_TS": 0.0358, "SDH_THS": 0.6006},
    "XA": {"DH": 0.7747},
}

# --- Assumptions where the source gives no figure (each one is stated) ----------------------
# Commune political theory outside the intermediate level: mostly elementary.
COMMUNE_POLITICAL_THEORY_ADVANCED = 2_000
# Central and provincial political theory outside the intermediate level.
POLITICAL_THEORY_ADVANCED_SHARE_OF_REST = 0.6
# The 4.64% of state management training outside the two programmes the source names.
STATE_MANAGEMENT_SENIOR_SHARE = 0.03
# How the 340,000 participations in defence, languages, IT and minority languages split.
DEFENCE_LANGUAGE_IT_SPLIT = {"QPAN": 0.40, "NN": 0.22, "TH": 0.28, "TDT": 0.10}
# Relative weight of each level within a kind (the source gives level totals only);
# iterative proportional fitting turns these into a matrix with the source's totals.
LEVEL_TILT: dict[str, tuple[float, float, float]] = {
    "LLCT_CC": (2.0, 1.0, 0.0),
    "LLCT_TC": (0.6, 1.0, 0.0),
    "LLCT_SC": (0.3, 1.0, 0.0),
    "QLNN_CVCC": (4.0, 1.0, 0.02),
    "QLNN_CVC": (1.5, 1.0, 0.3),
    "QLNN_CV": (1.0, 1.0, 1.2),
    "QLNN_CS": (0.1, 0.7, 3.0),
    "QPAN": (0.8, 1.0, 1.2),
    "NN": (1.5, 1.0, 0.4),
    "TDT": (0.05, 0.6, 3.0),
}
# The source document counts civil servants (and commune cadres) only; the personnel
# database also holds public employees and contract staff. Civil servants train at the
# source's rate: 2,203,000 participations by about 347,722 civil servants (106,890 central,
# 140,832 provincial and district, about 100,000 commune) in five years.
POPULATIONS = ("civil servants", "public employees", "other staff")
CIVIL_SERVANT_CATEGORIES = ("CB", "CC")
PUBLIC_EMPLOYEE_CATEGORIES = ("VC",)
CIVIL_SERVANT_RATE = sum(LEVEL_PARTICIPATIONS.values()) / (106_890 + 140_832 + 100_000) / 5
# Assumptions: the records left over go to public employees, and to other staff (contract
# workers) at 0.3 times their rate, with a mix dominated by professional training.
OTHER_STAFF_WEIGHT = (1.0, 0.3)
OTHER_STAFF_MIX = {
    "LLCT_CC": 0.01, "LLCT_TC": 0.04, "LLCT_SC": 0.02, "QLNN_CVC": 0.01, "QLNN_CV": 0.02,
    "LDQL": 0.06, "CNVT": 0.705, "QPAN": 0.04, "NN": 0.03, "TH": 0.04, "TDT": 0.005,
    "DH": 0.005, "SDH_THS": 0.012, "SDH_TS": 0.003,
}  # fmt: skip
# Relative number of courses started per year (2020-2021 low: the pandemic); later years
# weigh 0.11, and the reference year only up to the reference date.
YEAR_WEIGHTS = {
    2017: 0.105, 2018: 0.11, 2019: 0.115, 2020: 0.085, 2021: 0.09,
    2022: 0.115, 2023: 0.12, 2024: 0.12, 2025: 0.10,
}  # fmt: skip
MIN_AGE = 22


@dataclass(frozen=True, slots=True)
class Track:
    """A kind of training at one level of content, e.g. intermediate political theory."""

    id: str
    kind: str
    name: str
    days: int
    periods: int | None
    class_size: int
    fee_vnd: float
    graded: bool
    political_theory_level: str | None = None
    state_management_level: str | None = None
    education_level: str | None = None


_QLNN = "Bồi dưỡng kiến thức quản lý nhà nước chương trình "
TRACKS: tuple[Track, ...] = (
    Track("LLCT_CC", "LLCT", "Cao cấp lý luận chính trị", 300, 1_400, 80, 30e6, True, "CC"),
    Track("LLCT_TC", "LLCT", "Trung cấp lý luận chính trị", 200, 960, 70, 12e6, True, "TC"),
    Track("LLCT_SC", "LLCT", "Sơ cấp lý luận chính trị", 45, 200, 60, 3e6, True, "SC"),
    Track(
        "QLNN_CVCC", "QLNN", _QLNN + "chuyên viên cao cấp", 56, 320, 60, 15e6, True, None, "CVCC"
    ),
    Track("QLNN_CVC", "QLNN", _QLNN + "chuyên viên chính", 56, 280, 70, 8e6, True, None, "CVC"),
    Track("QLNN_CV", "QLNN", _QLNN + "chuyên viên", 42, 200, 70, 5e6, True, None, "CV"),
    Track("QLNN_CS", "QLNN", _QLNN + "cán sự", 28, 140, 60, 3e6, True, None, "CS"),
    Track("LDQL", "LDQL", "Bồi dưỡng lãnh đạo, quản lý", 21, 120, 50, 4e6, True),
    Track("CNVT", "CNVT", "Bồi dưỡng chuyên ngành", 5, 32, 80, 1.2e6, False),
    Track("QPAN", "QPAN", "Bồi dưỡng kiến thức quốc phòng và an ninh", 14, 80, 80, 2e6, True),
    Track("NN", "NN", "Ngoại ngữ", 90, 240, 35, 4e6, True),
    Track("TH", "TH", "Tin học", 20, 80, 40, 1.5e6, True),
    Track("TDT", "TDT", "Tiếng dân tộc thiểu số", 90, 240, 35, 3e6, True),
    Track("DH", "DH", "Đào tạo trình độ đại học", 1_100, None, 40, 40e6, True, None, None, "DH"),
    Track(
        "SDH_THS", "SDH", "Đào tạo trình độ thạc sĩ", 730, None, 30, 60e6, True, None, None, "THS"
    ),
    Track(
        "SDH_TS", "SDH", "Đào tạo trình độ tiến sĩ", 1_460, None, 8, 160e6, True, None, None, "TS"
    ),
)
TRACK_INDEX = {t.id: i for i, t in enumerate(TRACKS)}

_SPECIALISED_TOPICS = (
    "nghiệp vụ văn thư, lưu trữ",
    "quản lý tài chính công",
    "nghiệp vụ thanh tra, tiếp công dân",
    "kiểm soát thủ tục hành chính",
    "chuyển đổi số trong cơ quan nhà nước",
    "quản lý đất đai",
    "công tác tôn giáo",
    "công tác thi đua, khen thưởng",
    "xây dựng văn bản quy phạm pháp luật",
    "quản lý đầu tư công",
    "công tác dân tộc",
    "bình đẳng giới trong công vụ",
    "kỹ năng giao tiếp công vụ",
    "đạo đức công vụ",
    "quản lý vị trí việc làm và biên chế",
    "cải cách hành chính",
    "phòng, chống tham nhũng, tiêu cực",
    "quản lý hộ tịch",
    "tổ chức chính quyền địa phương hai cấp",
    "an toàn thông tin và bảo vệ dữ liệu cá nhân",
)
_LANGUAGES = ("tiếng Anh", "tiếng Pháp", "tiếng Trung Quốc", "tiếng Nga", "tiếng Hàn Quốc")
_MINORITY_LANGUAGES = (
    "tiếng Khmer",
    "tiếng Mông",
    "tiếng Thái",
    "tiếng Ê Đê",
    "tiếng Jrai",
    "tiếng Ba Na",
    "tiếng Tày - Nùng",
)
_IT_TOPICS = ("ứng dụng công nghệ thông tin cơ bản", "kỹ năng số và chuyển đổi số")
_AUDIENCE_SUFFIX = {
    "TW": " cho công chức các bộ, ngành Trung ương",
    "TINH": " cho công chức cấp tỉnh",
    "XA": " cho cán bộ, công chức cấp xã",
}
_LEADERSHIP = {
    "TW": "Bồi dưỡng lãnh đạo, quản lý cấp vụ và tương đương",
    "TINH": "Bồi dưỡng lãnh đạo, quản lý cấp sở và tương đương",
    "XA": "Bồi dưỡng lãnh đạo, quản lý cấp xã",
}

_CENTRAL_INSTITUTIONS = (
    # (name, kind, province); the first two are the national academies, the ministry
    # schools' names are illustrative
    ("Học viện Chính trị quốc gia Hồ Chí Minh", "HV", "01"),
    ("Học viện Hành chính Quốc gia", "HV", "01"),
    ("Trường Bồi dưỡng cán bộ ngành Nội vụ", "TBD", "01"),
    ("Trường Bồi dưỡng cán bộ ngành Tài chính", "TBD", "01"),
    ("Trường Bồi dưỡng cán bộ ngành Tư pháp", "TBD", "01"),
    ("Trường Bồi dưỡng cán bộ ngành Xây dựng", "TBD", "01"),
    ("Trường Bồi dưỡng cán bộ ngành Nông nghiệp và Môi trường", "TBD", "01"),
    ("Trường Bồi dưỡng cán bộ ngành Công Thương", "TBD", "79"),
    ("Trường Cán bộ quản lý giáo dục", "TBD", "01"),
    ("Đại học Quốc gia Hà Nội", "DH", "01"),
    ("Đại học Quốc gia Thành phố Hồ Chí Minh", "DH", "79"),
    ("Trường Đại học Kinh tế Quốc dân", "DH", "01"),
    ("Trường Đại học Luật Hà Nội", "DH", "01"),
    ("Đại học Huế", "DH", "46"),
    ("Đại học Đà Nẵng", "DH", "48"),
    ("Đại học Thái Nguyên", "DH", "19"),
    ("Trường Đại học Cần Thơ", "DH", "92"),
    ("Cơ sở đào tạo ở nước ngoài (Singapore)", "NNG", None),
    ("Cơ sở đào tạo ở nước ngoài (Nhật Bản)", "NNG", None),
    ("Cơ sở đào tạo ở nước ngoài (Pháp)", "NNG", None),
)
# Real names where the provincial school is not called "Trường Chính trị <province>".
_PROVINCIAL_SCHOOL_NAMES = {
    "01": "Trường Đào tạo cán bộ Lê Hồng Phong",
    "79": "Trường Cán bộ Thành phố Hồ Chí Minh",
}

_RESULT_GRADED = ("01", "02", "03", "04", "06", "07")
_RESULT_GRADED_P = (0.07, 0.22, 0.43, 0.22, 0.03, 0.03)
_RESULT_PASS_FAIL = ("05", "06", "07")
_RESULT_PASS_FAIL_P = (0.96, 0.025, 0.015)
_RESULT_CODES = ("01", "02", "03", "04", "05", "06", "07", "08")
# Final score band (0-10 scale) per result code; NaN where no score is given.
_SCORE_LOW = np.array([9.0, 8.0, 6.5, 5.0, np.nan, 2.0, np.nan, np.nan])
_SCORE_HIGH = np.array([10.0, 8.95, 7.95, 6.45, np.nan, 4.95, np.nan, np.nan])
_FUNDING = ("NSNN", "DV", "CN", "TT")
_FUNDING_DEGREE_P = (0.35, 0.15, 0.45, 0.05)
_FUNDING_OTHER_P = (0.85, 0.10, 0.02, 0.03)

_COMMENTS_GOOD = (
    "Nội dung thiết thực, sát với yêu cầu công việc.",
    "Giảng viên nhiệt tình, nhiều ví dụ thực tế.",
    "Tổ chức lớp chu đáo, tài liệu đầy đủ.",
    "Đề nghị tăng thời lượng thảo luận tình huống.",
)
_COMMENTS_FAIR = (
    "Một số chuyên đề còn trùng lặp với chương trình khác.",
    "Cần bổ sung bài tập thực hành.",
    "Thời gian học trùng với kỳ cao điểm công việc.",
)
_COMMENTS_POOR = (
    "Nội dung nặng lý thuyết, ít liên hệ thực tế.",
    "Đường truyền học trực tuyến không ổn định.",
    "Cơ sở vật chất chưa bảo đảm.",
)


def year_weights(ctx: GenContext) -> FloatArray:
    """Weights of the years from FIRST_YEAR to the reference date's year, in order."""
    ref = ctx.reference_date
    weights = np.array([YEAR_WEIGHTS.get(y, 0.11) for y in range(FIRST_YEAR, ref.year + 1)])
    weights[-1] *= ref.timetuple().tm_yday / 365
    return weights


# --- Persons ----------------------------------------------------------------------------


@dataclass
class Persons:
    """The person columns the records need, grouped by (level, province) for sampling."""

    person_id: pa.Array
    level: pa.Array
    staff_category: pa.Array
    province: pa.Array
    commune: pa.Array
    agency: pa.Array
    order: IntArray  # person indices by group, then by the first year they may train
    group_start: IntArray
    group_size: IntArray
    group_level: list[str]
    group_province: list[str | None]
    group_population: list[int]  # index into POPULATIONS
    eligible: IntArray  # [group, year - FIRST_YEAR]: persons old enough that year

    @classmethod
    def from_shared(cls, ctx: GenContext, years: int) -> Persons:
        person_id = shared_strings(ctx, "person.person_id")
        level = shared_strings(ctx, "person.level")
        province = shared_strings(ctx, "person.province_code")
        n = len(person_id)

        level_enc = level.dictionary_encode()
        # A person without a level gets the extra value "", which no course draws from.
        level_values = [str(v) for v in level_enc.dictionary.to_pylist()] + [""]
        level_idx = pc.fill_null(level_enc.indices, len(level_values) - 1)
        level_idx = level_idx.to_numpy(zero_copy_only=False).astype(np.int64)
        central = np.array([v == "TW" for v in level_values])
        prov_enc = province.dictionary_encode()
        prov_idx = pc.fill_null(prov_enc.indices, -1).to_numpy(zero_copy_only=False)
        prov_idx = np.where(central[level_idx], -1, prov_idx.astype(np.int64))
        prov_values = [str(v) for v in prov_enc.dictionary.to_pylist()]

        staff = shared_strings(ctx, "person.staff_category")
        staff_enc = staff.dictionary_encode()
        staff_values = staff_enc.dictionary.to_pylist()
        population_of = np.array(
            [
                0 if v in CIVIL_SERVANT_CATEGORIES else 1 if v in PUBLIC_EMPLOYEE_CATEGORIES else 2
                for v in staff_values
            ]
            + [2],
            dtype=np.int64,
        )
        staff_idx = pc.fill_null(staff_enc.indices, len(staff_values))
        population = population_of[staff_idx.to_numpy(zero_copy_only=False).astype(np.int64)]

        places = len(prov_values) + 1
        key = (population * len(level_values) + level_idx) * places + prov_idx + 1
        groups, group_of, group_size = np.unique(key, return_inverse=True, return_counts=True)
        entry = np.clip(year_of(shared(ctx, "person.birth_date")) + MIN_AGE, 0, 9999)
        entry_idx = np.clip(entry - FIRST_YEAR, 0, years)  # == years: never old enough
        shuffle = ctx.rng("training.persons").random(n)
        order = np.lexsort((shuffle, entry_idx, group_of)).astype(np.int64)

        counts = np.bincount(
            group_of * (years + 1) + entry_idx, minlength=len(groups) * (years + 1)
        )
        eligible = np.cumsum(counts.reshape(len(groups), years + 1), axis=1)[:, :years]
        group_start = np.r_[0, np.cumsum(group_size)[:-1]].astype(np.int64)
        g_level = groups // places % len(level_values)
        g_prov = groups % places - 1
        g_population = groups // places // len(level_values)
        return cls(
            person_id=person_id,
            level=level,
            staff_category=staff,
            province=province,
            commune=shared_strings(ctx, "person.commune_code"),
            agency=shared_strings(ctx, "person.agency_id"),
            order=order,
            group_start=group_start,
            group_size=group_size.astype(np.int64),
            group_level=[level_values[i] for i in g_level],
            group_province=[prov_values[i] if i >= 0 else None for i in g_prov],
            group_population=g_population.astype(int).tolist(),
            eligible=eligible.astype(np.int64),
        )


# --- Mix of training by track and level -----------------------------------------------------


def fit_matrix(
    prior: FloatArray, row_totals: FloatArray, col_totals: FloatArray, iterations: int = 200
) -> FloatArray:
    """Iterative proportional fitting: scale ``prior`` to the given row and column sums."""
    m = prior.astype(np.float64).copy()
    for _ in range(iterations):
        rows = m.sum(axis=1)
        m *= np.divide(row_totals, rows, out=np.zeros_like(rows), where=rows > 0)[:, None]
        cols = m.sum(axis=0)
        m *= np.divide(col_totals, cols, out=np.zeros_like(cols), where=cols > 0)[None, :]
    return m


def track_level_matrix() -> FloatArray:
    """Participations by track (rows, as TRACKS) and level (TW, TINH, XA), 2017-2021."""
    n_tracks = len(TRACKS)
    fixed = np.zeros((n_tracks, 3))
    for j, lv in enumerate(LEVELS):
        shares = DEGREE_SHARES[lv]
        rest = "SDH_THS" if lv == "XA" else "DH"
        for track_id, share in shares.items():
            fixed[TRACK_INDEX[track_id], j] = DEGREE_BY_LEVEL[lv] * share
        fixed[TRACK_INDEX[rest], j] = DEGREE_BY_LEVEL[lv] * (1 - sum(shares.values()))
    commune_other = COMMUNE_POLITICAL_THEORY - COMMUNE_POLITICAL_THEORY_INTERMEDIATE
    fixed[TRACK_INDEX["LLCT_TC"], 2] = COMMUNE_POLITICAL_THEORY_INTERMEDIATE
    fixed[TRACK_INDEX["LLCT_CC"], 2] = COMMUNE_POLITICAL_THEORY_ADVANCED
    fixed[TRACK_INDEX["LLCT_SC"], 2] = commune_other - COMMUNE_POLITICAL_THEORY_ADVANCED

    rows = np.zeros(n_tracks)
    intermediate = POLITICAL_THEORY_TOTAL * POLITICAL_THEORY_INTERMEDIATE_SHARE
    other = (
        POLITICAL_THEORY_TOTAL
        - COMMUNE_POLITICAL_THEORY
        - (intermediate - COMMUNE_POLITICAL_THEORY_INTERMEDIATE)
    )
    rows[TRACK_INDEX["LLCT_TC"]] = intermediate - COMMUNE_POLITICAL_THEORY_INTERMEDIATE
    rows[TRACK_INDEX["LLCT_CC"]] = other * POLITICAL_THEORY_ADVANCED_SHARE_OF_REST
    rows[TRACK_INDEX["LLCT_SC"]] = other * (1 - POLITICAL_THEORY_ADVANCED_SHARE_OF_REST)
    qlnn_rest = 1 - STATE_MANAGEMENT_OFFICER_SHARE - STATE_MANAGEMENT_PRINCIPAL_SHARE
    for track_id, share in (
        ("QLNN_CV", STATE_MANAGEMENT_OFFICER_SHARE),
        ("QLNN_CVC", STATE_MANAGEMENT_PRINCIPAL_SHARE),
        ("QLNN_CVCC", STATE_MANAGEMENT_SENIOR_SHARE),
        ("QLNN_CS", qlnn_rest - STATE_MANAGEMENT_SENIOR_SHARE),
    ):
        rows[TRACK_INDEX[track_id]] = STATE_MANAGEMENT_TOTAL * share
    rows[TRACK_INDEX["CNVT"]] = SPECIALISED_TOTAL
    for track_id, share in DEFENCE_LANGUAGE_IT_SPLIT.items():
        rows[TRACK_INDEX[track_id]] = DEFENCE_LANGUAGE_IT_TOTAL * share
    level_totals = np.array([LEVEL_PARTICIPATIONS[lv] for lv in LEVELS], dtype=np.float64)
    cols = level_totals - fixed.sum(axis=0)
    rows[TRACK_INDEX["LDQL"]] = cols.sum() - rows.sum()  # the unexplained remainder

    prior = np.ones((n_tracks, 3))
    for track_id, tilt in LEVEL_TILT.items():
        prior[TRACK_INDEX[track_id]] = tilt
    for track_id in ("DH", "SDH_THS", "SDH_TS"):
        prior[TRACK_INDEX[track_id]] = 0.0
    return fixed + fit_matrix(prior, rows, cols)


# --- Institutions and programmes --------------------------------------------------------------


@dataclass
class Institutions:
    ids: list[str]
    names: list[str]
    kinds: list[str]
    levels: list[str]
    provinces: list[str | None]
    provincial_school: dict[str, int]  # province code -> index
    academies: list[int]  # the two national academies
    ministry_schools: list[int]
    universities: list[int]
    abroad: list[int]


def build_institutions() -> Institutions:
    names: list[str] = []
    kinds: list[str] = []
    levels: list[str] = []
    provinces: list[str | None] = []
    for name, kind, province in _CENTRAL_INSTITUTIONS:
        names.append(name)
        kinds.append(kind)
        levels.append("TW")
        provinces.append(province)
    provincial_school: dict[str, int] = {}
    for unit in admin.provinces():
        provincial_school[unit.code] = len(names)
        names.append(
            _PROVINCIAL_SCHOOL_NAMES.get(
                unit.code, "Trường Chính trị " + inline_name(unit.name)
            )
        )
        kinds.append("TCT")
        levels.append("TINH")
        provinces.append(unit.code)
    by_kind = {k: [i for i, x in enumerate(kinds) if x == k] for k in ("HV", "TBD", "DH", "NNG")}
    return Institutions(
        ids=[f"CS{i + 1:04d}" for i in range(len(names))],
        names=names,
        kinds=kinds,
        levels=levels,
        provinces=provinces,
        provincial_school=provincial_school,
        academies=by_kind["HV"],
        ministry_schools=by_kind["TBD"],
        universities=by_kind["DH"],
        abroad=by_kind["NNG"],
    )


@dataclass
class Programmes:
    track: IntArray
    audience: npt.NDArray[np.str_]  # government level of the audience, "" for every level
    names: npt.NDArray[np.str_]
    institution: IntArray
    issued_year: IntArray
    is_active: BoolArray

    def __len__(self) -> int:
        return len(self.track)

    def compatible(self, track: int, level: str) -> IntArray:
        mask = (self.track == track) & np.isin(self.audience, ["", level])
        return np.flatnonzero(mask).astype(np.int64)


def build_programmes(ctx: GenContext, inst: Institutions) -> Programmes:
    """The national standard programmes, one per track and audience where the law sets one,
    and specialised programmes issued by ministries and provinces."""
    rng = ctx.rng("training.programmes")
    track: list[int] = []
    audience: list[str] = []
    names: list[str] = []
    owner: list[int] = []

    def add(track_id: str, name: str, level: str, institution: int) -> None:
        track.append(TRACK_INDEX[track_id])
        audience.append(level)
        names.append(name)
        owner.append(institution)

    academy, administration = inst.academies[0], inst.academies[1]
    schools = inst.ministry_schools
    for t in TRACKS:
        if t.kind == "LLCT":
            add(t.id, "Chương trình " + t.name[0].lower() + t.name[1:], "", academy)
        elif t.kind == "QLNN":
            add(t.id, t.name, "", administration)
        elif t.kind in ("DH", "SDH"):
            for u in inst.universities:
                add(t.id, f"{t.name} – {inst.names[u]}", "", u)
    for lv in LEVELS:
        add("LDQL", _LEADERSHIP[lv], lv, administration)
        defence = "Bồi dưỡng kiến thức quốc phòng và an ninh" + _AUDIENCE_SUFFIX[lv]
        add("QPAN", defence, lv, academy)
    for i, language in enumerate(_LANGUAGES):
        add("NN", "Bồi dưỡng " + language + " theo vị trí việc làm", "", schools[i % len(schools)])
    for i, topic in enumerate(_IT_TOPICS):
        add("TH", "Bồi dưỡng " + topic, "", schools[i % len(schools)])
    for language in _MINORITY_LANGUAGES:
        add("TDT", "Bồi dưỡng " + language + " cho cán bộ, công chức", "", administration)

    # Specialised programmes: ministries write them for central staff, provinces for theirs.
    n_special = ctx.count(800, minimum=len(_SPECIALISED_TOPICS))
    level_pick = choose(rng, n_special, (0.3, 0.3, 0.25, 0.15))  # TW, TINH, XA, every level
    special_level = np.array([*LEVELS, ""])[level_pick]
    suffix = np.array([*(_AUDIENCE_SUFFIX[lv] for lv in LEVELS), ""])[level_pick]
    topics = np.array(_SPECIALISED_TOPICS)[rng.integers(0, len(_SPECIALISED_TOPICS), n_special)]
    provincial = np.array([inst.provincial_school[p] for p in sorted(inst.provincial_school)])
    owner_local = provincial[rng.integers(0, len(provincial), n_special)]
    owner_central = np.array(schools)[rng.integers(0, len(schools), n_special)]

    n = len(names) + n_special
    return Programmes(
        track=np.r_[np.array(track), np.full(n_special, TRACK_INDEX["CNVT"])].astype(np.int64),
        audience=np.r_[np.array(audience, dtype="<U4"), special_level],
        names=np.r_[np.array(names), np.char.add(np.char.add("Bồi dưỡng ", topics), suffix)],
        institution=np.r_[
            np.array(owner),
            np.where(np.isin(special_level, ["TINH", "XA"]), owner_local, owner_central),
        ].astype(np.int64),
        issued_year=rng.integers(2012, FIRST_YEAR + 1, n).astype(np.int64),
        is_active=rng.random(n) < 0.93,
    )


# --- Courses --------------------------------------------------------------------------------


@dataclass
class Courses:
    track: IntArray
    group: IntArray
    level: npt.NDArray[np.str_]  # the audience's government level
    programme: IntArray
    institution: IntArray
    province: list[str | None]
    start: npt.NDArray[np.datetime64]
    end: npt.NDArray[np.datetime64]
    year: IntArray
    mode: list[str]
    size: IntArray
    fee: FloatArray
    offset: IntArray  # where in the group's eligible persons the course's window starts
    pool: IntArray  # how many persons of the group the window cycles through
    first_record: IntArray  # global number of the course's first record

    def __len__(self) -> int:
        return len(self.track)


def population_totals(ctx: GenContext, persons: Persons) -> FloatArray:
    """How many of the records go to each population (as POPULATIONS).

    Civil servants and cadres train at the source document's rate; the records left over go
    to public employees, and at a lower rate to other staff."""
    total = float(ctx.scale.training_records)
    population = np.array(persons.group_population, dtype=np.int64)
    at_level = np.isin(persons.group_level, LEVELS)
    size = np.bincount(
        population[at_level], weights=persons.group_size[at_level], minlength=len(POPULATIONS)
    )
    span = (ctx.reference_date - date(FIRST_YEAR, 1, 1)).days / 365.25
    others = size[1:] * np.array(OTHER_STAFF_WEIGHT)
    if others.sum() == 0:
        civil, rest = total, np.zeros(len(others))
    else:
        civil = min(total, size[0] * CIVIL_SERVANT_RATE * span)
        rest = (total - civil) * others / others.sum()
    totals: FloatArray = np.r_[civil, rest]
    return totals


def _cells(ctx: GenContext, persons: Persons) -> tuple[IntArray, IntArray, IntArray]:
    """Records per (track, group) cell, for the cells that get any."""
    level_of_group = np.array(
        [LEVELS.index(lv) if lv in LEVELS else -1 for lv in persons.group_level]
    )
    population = np.array(persons.group_population)
    if not np.any(level_of_group >= 0):
        raise RuntimeError("no person has a government level TW, TINH or XA")
    counts = np.zeros((len(TRACKS), len(persons.group_size)), dtype=np.int64)
    totals = apportion(ctx.scale.training_records, population_totals(ctx, persons))
    for p in range(len(POPULATIONS)):
        mine = (population == p) & (level_of_group >= 0)
        if not mine.any():
            continue
        if p == 0:
            matrix = track_level_matrix()
        else:
            by_level = np.bincount(
                level_of_group[mine], weights=persons.group_size[mine], minlength=3
            )
            matrix = np.outer(np.array([OTHER_STAFF_MIX.get(t.id, 0.0) for t in TRACKS]), by_level)
        present = [j for j in range(3) if np.any(mine & (level_of_group == j))]
        weights = np.zeros(counts.shape)
        for j in present:
            sizes = np.where(mine & (level_of_group == j), persons.group_size, 0).astype(float)
            weights += np.outer(matrix[:, j], sizes / sizes.sum())
        counts += apportion(int(totals[p]), weights.ravel()).reshape(counts.shape)
    track_idx, group_idx = np.nonzero(counts)
    return track_idx.astype(np.int64), group_idx.astype(np.int64), counts[track_idx, group_idx]


def build_courses(
    ctx: GenContext, persons: Persons, inst: Institutions, prog: Programmes
) -> Courses:
    rng = ctx.rng("training.courses")
    cell_track, cell_group, cell_n = _cells(ctx, persons)
    class_size = np.array([t.class_size for t in TRACKS], dtype=np.float64)[cell_track]
    # Where few people work (a small province at demo scale), classes are smaller, so that
    # a class rarely needs more people than there are.
    class_size = np.clip(class_size, 1.0, 0.5 * persons.group_size[cell_group])
    per_cell = np.maximum(1, np.rint(cell_n / class_size)).astype(np.int64)

    # Split each cell's records over its courses with random, roughly even class sizes.
    cell = np.repeat(np.arange(len(cell_n)), per_cell)
    cum = np.cumsum(rng.gamma(6.0, size=len(cell)))
    cell_first = np.r_[0, np.cumsum(per_cell)[:-1]]
    before = np.where(cell_first > 0, cum[cell_first - 1], 0.0)
    share = (cum - before[cell]) / (cum[cell_first + per_cell - 1] - before)[cell]
    ends = np.floor(share * cell_n[cell] + 1e-9).astype(np.int64)
    ends[cell_first + per_cell - 1] = cell_n
    starts = np.r_[0, ends[:-1]]
    starts[cell_first] = 0
    size = ends - starts

    track = cell_track[cell]
    group = cell_group[cell]
    year_idx = choose(rng, len(cell), year_weights(ctx))
    eligible = persons.eligible[group, year_idx]
    pool = np.where(eligible > 0, eligible, persons.group_size[group])
    # A class never needs more people than its group has: split the few that would.
    parts = np.maximum(1, -(-size // np.maximum(pool, 1)))
    if (parts > 1).any():
        base, k = explode(parts)
        size = size[base] // parts[base] + (k < size[base] % parts[base])
        track, group, year_idx, pool = track[base], group[base], year_idx[base], pool[base]

    n = len(size)
    year = FIRST_YEAR + year_idx
    january = year_start(year)
    ref = np.datetime64(ctx.reference_date, "D")
    year_days = np.where(year == ctx.reference_date.year, (ref - january).astype(np.int64), 365)
    start = january + (rng.random(n) * np.maximum(year_days - 1, 1)).astype("timedelta64[D]")
    days = np.array([t.days for t in TRACKS], dtype=np.float64)[track]
    end = start + np.rint(days * rng.uniform(0.9, 1.1, n)).astype("timedelta64[D]")

    group_level = np.array(persons.group_level, dtype=object)[group]
    group_province = np.array(persons.group_province, dtype=object)[group]
    programme = np.zeros(n, dtype=np.int64)
    institution = np.zeros(n, dtype=np.int64)
    venue = np.array([None] * n, dtype=object)
    for t_idx, t in enumerate(TRACKS):
        for lv in LEVELS:
            sel = np.flatnonzero((track == t_idx) & (group_level == lv))
            if len(sel) == 0:
                continue
            options = prog.compatible(t_idx, lv)
            programme[sel] = options[rng.integers(0, len(options), len(sel))]
            institution[sel], venue[sel] = _place(rng, t, lv, group_province[sel], inst)

    mode = _modes(rng, track, year)
    online = np.isin(mode, ["04"])
    fee = np.array([t.fee_vnd for t in TRACKS])[track] * rng.lognormal(0.0, 0.2, n)
    fee *= np.where(online, 0.6, 1.0) * 1.04 ** (year - FIRST_YEAR)
    fee = np.round(fee, -3)

    offset = (rng.random(n) * pool).astype(np.int64)

    order = np.lexsort((np.arange(n), start))
    size = size[order]
    return Courses(
        track=track[order],
        group=group[order],
        level=group_level[order].astype("<U4"),
        programme=programme[order],
        institution=institution[order],
        province=venue[order].tolist(),
        start=start[order],
        end=end[order],
        year=year[order].astype(np.int64),
        mode=mode[order].tolist(),
        size=size,
        fee=fee[order],
        offset=offset[order],
        pool=pool[order].astype(np.int64),
        first_record=np.r_[0, np.cumsum(size)[:-1]].astype(np.int64),
    )


def _place(
    rng: np.random.Generator,
    track: Track,
    level: str,
    group_province: npt.NDArray[Any],
    inst: Institutions,
) -> tuple[IntArray, npt.NDArray[Any]]:
    """Which institution runs each course, and in which province it is held."""
    n = len(group_province)
    if track.kind in ("DH", "SDH"):
        choice = np.array(inst.universities)[rng.integers(0, len(inst.universities), n)]
        if level == "TW":
            abroad = rng.random(n) < 0.05
            choice[abroad] = np.array(inst.abroad)[rng.integers(0, len(inst.abroad), abroad.sum())]
    elif level == "TW":
        if track.kind in ("LLCT", "LDQL"):
            choice = np.full(n, inst.academies[0])
        elif track.kind == "QLNN":
            schools = np.array(inst.ministry_schools)[
                rng.integers(0, len(inst.ministry_schools), n)
            ]
            choice = np.where(rng.random(n) < 0.6, inst.academies[1], schools)
        else:
            schools = np.array(inst.ministry_schools)
            choice = schools[rng.integers(0, len(schools), n)]
    else:
        keys, inverse = np.unique(group_province.astype(str), return_inverse=True)
        local = np.array([inst.provincial_school.get(k, inst.academies[1]) for k in keys])
        choice = local[inverse]
        if track.kind == "CNVT":
            moved = rng.random(n) < 0.3
            choice[moved] = np.array(inst.ministry_schools)[
                rng.integers(0, len(inst.ministry_schools), moved.sum())
            ]
        if track.id == "QLNN_CVCC":
            choice[:] = inst.academies[1]
    provinces = np.array(inst.provinces, dtype=object)
    venue = provinces[choice] if level == "TW" else group_province.copy()
    return choice.astype(np.int64), venue


def _modes(rng: np.random.Generator, track: IntArray, year: IntArray) -> npt.NDArray[np.str_]:
    kinds = np.array([t.kind for t in TRACKS])[track]
    u = rng.random(len(track))
    online_p = np.select([year < 2020, year <= 2021], [0.03, 0.35], 0.18)
    blended_p = np.where(year >= 2021, 0.12, 0.0)
    short = np.select([u < online_p, u < online_p + blended_p], ["04", "05"], "01").astype("<U2")
    long_ = np.where(u < 0.6, "03", "01")
    political = np.where(u < 0.5, "02", "01")
    return np.select(
        [np.isin(kinds, ["DH", "SDH"]), kinds == "LLCT"], [long_, political], short
    ).astype("<U2")


# --- Tables ---------------------------------------------------------------------------------


def _institution_table(inst: Institutions, ctx: GenContext) -> pa.Table:
    rng = ctx.rng("training.institutions")
    n = len(inst.ids)
    lecturers = np.where(np.array(inst.kinds) == "NNG", -1, rng.integers(15, 120, n))
    return build_table(
        cat.TRAINING_INSTITUTION,
        {
            "institution_id": inst.ids,
            "name": inst.names,
            "kind": inst.kinds,
            "level": inst.levels,
            "province_code": inst.provinces,
            "lecturer_count": pa.array(lecturers, mask=lecturers < 0, type=pa.int64()),
            "is_active": np.ones(n, dtype=bool),
        },
    )


def track_column(attribute: str, track: IntArray) -> pa.Array:
    """One attribute of each row's track, e.g. ``track_column("kind", courses.track)``."""
    return pa.array([getattr(t, attribute) for t in TRACKS]).take(pa.array(track))


def _programme_table(prog: Programmes, inst: Institutions) -> pa.Table:
    local = [p if k == "TCT" else None for p, k in zip(inst.provinces, inst.kinds, strict=True)]
    return build_table(
        cat.TRAINING_PROGRAMME,
        {
            "programme_id": serial_ids("CT", len(prog), 5),
            "name": prog.names,
            "kind": track_column("kind", prog.track),
            "political_theory_level": track_column("political_theory_level", prog.track),
            "state_management_level": track_column("state_management_level", prog.track),
            "education_level": track_column("education_level", prog.track),
            "audience_level": blank_to_null(prog.audience),
            "duration_days": track_column("days", prog.track),
            "periods": track_column("periods", prog.track),
            "institution_id": take(inst.ids, prog.institution),
            "province_code": pa.array(local, pa.string()).take(pa.array(prog.institution)),
            "issued_year": prog.issued_year,
            "is_active": prog.is_active,
        },
    )


def _course_table(
    ctx: GenContext, courses: Courses, prog: Programmes, inst: Institutions
) -> pa.Table:
    n = len(courses)
    free_seats = ctx.rng("training.capacity").uniform(0.0, 0.25, n)
    number = cumcount(courses.programme * 10_000 + courses.year) + 1
    names = concat(
        pa.array(prog.names).take(pa.array(courses.programme)),
        " – lớp thứ ",
        pa.array(number).cast(pa.string()),
        " năm ",
        pa.array(courses.year).cast(pa.string()),
    )
    return build_table(
        cat.TRAINING_COURSE,
        {
            "course_id": serial_ids("KH", n, 8),
            "name": names,
            "programme_id": string_ids("CT", courses.programme + 1, 5),
            "kind": np.array([t.kind for t in TRACKS])[courses.track],
            "institution_id": take(inst.ids, courses.institution),
            "province_code": courses.province,
            "audience_level": courses.level,
            "year": courses.year,
            "start_date": courses.start,
            "end_date": courses.end,
            "mode": courses.mode,
            "capacity": np.ceil(courses.size * (1 + free_seats)).astype(np.int64),
            "enrolled": courses.size,
            "fee_per_learner_vnd": courses.fee,
        },
    )


def _record_batch(
    ctx: GenContext, persons: Persons, courses: Courses, inst: Institutions, lo: int, hi: int
) -> pa.Table:
    rng = ctx.rng(f"training.records.{lo}")
    n = hi - lo
    r = np.arange(lo, hi, dtype=np.int64)
    c = np.searchsorted(courses.first_record, r, side="right") - 1
    position = (courses.offset[c] + r - courses.first_record[c]) % courses.pool[c]
    person = pa.array(persons.order[persons.group_start[courses.group[c]] + position])
    track = courses.track[c]
    year = courses.year[c]

    ref = np.datetime64(ctx.reference_date, "D")
    graded = np.array([t.graded for t in TRACKS])[track]
    result = np.where(
        graded,
        np.array(_RESULT_GRADED)[choose(rng, n, _RESULT_GRADED_P)],
        np.array(_RESULT_PASS_FAIL)[choose(rng, n, _RESULT_PASS_FAIL_P)],
    )
    running = courses.end[c] > ref
    result = np.where(running, np.where(rng.random(n) < 0.01, "07", "08"), result)
    code = result.astype(np.int64) - 1
    low, high = _SCORE_LOW[code], _SCORE_HIGH[code]
    score = np.round(low + rng.random(n) * (high - low), 1)
    completed = np.isin(result, ["01", "02", "03", "04", "05"])

    institution = take(inst.ids, courses.institution[c])
    certificate = pc.binary_join_element_wise(
        institution,
        pa.array(year).cast(pa.string()),
        pc.utf8_lpad(pa.array(r + 1).cast(pa.string()), 8, "0"),
        ".",
    )
    degree = np.isin(np.array([t.kind for t in TRACKS])[track], ["DH", "SDH"])
    funding = np.where(
        degree,
        np.array(_FUNDING)[choose(rng, n, _FUNDING_DEGREE_P)],
        np.array(_FUNDING)[choose(rng, n, _FUNDING_OTHER_P)],
    )
    cost = courses.fee[c] * rng.lognormal(0.0, 0.1, n) * np.where(result == "07", 0.5, 1.0)
    return build_table(
        cat.TRAINING_RECORD,
        {
            "record_id": string_ids("DT", r + 1, 10),
            "person_id": persons.person_id.take(person),
            "course_id": string_ids("KH", c + 1, 8),
            "kind": np.array([t.kind for t in TRACKS])[track],
            "year": year,
            "level": persons.level.take(person),
            "staff_category": persons.staff_category.take(person),
            "province_code": persons.province.take(person),
            "commune_code": persons.commune.take(person),
            "agency_id": persons.agency.take(person),
            "result": result,
            "final_score": pa.array(score, mask=np.isnan(score)),
            "certificate_no": pc.if_else(pa.array(completed), certificate, None),
            "completed_date": pa.array(courses.end[c], mask=~completed, type=pa.date32()),
            "cost_vnd": np.round(cost, -3),
            "funding": funding,
        },
    )


def _evaluation_table(ctx: GenContext, courses: Courses, inst: Institutions) -> pa.Table:
    rng = ctx.rng("training.evaluations")
    ref = np.datetime64(ctx.reference_date, "D")
    # The on-line survey runs from 2022; earlier courses have no evaluations.
    surveyed = np.flatnonzero(
        (courses.end >= np.datetime64("2022-01-01")) & (courses.end <= ref) & (courses.size > 0)
    )
    n = ctx.count(300_000) if len(surveyed) else 0
    c = surveyed[choose(rng, n, courses.size[surveyed])] if n else np.zeros(0, dtype=np.int64)
    role = np.array(["HV", "GV", "QL"])[choose(rng, n, (0.85, 0.05, 0.10))]

    quality = ctx.rng("training.institution_quality").normal(0.0, 0.35, len(inst.ids))
    online = np.array(courses.mode, dtype="<U2")[c] == "04"
    track_effect = np.where(np.array([t.kind for t in TRACKS])[courses.track[c]] == "CNVT", 0.1, 0)
    base = 3.9 + quality[courses.institution[c]] + track_effect - 0.3 * online
    base += np.select([role == "GV", role == "QL"], [0.2, -0.2], 0.0)

    def score(shift: float, present: BoolArray) -> tuple[FloatArray, pa.Array]:
        value = np.clip(np.rint(base + shift + rng.normal(0.0, 0.6, n)), 1, 5)
        value = np.where(present, value, np.nan)
        return value, pa.array(value, mask=~present, type=pa.float64()).cast(pa.int64())

    learner = role == "HV"
    everyone = np.ones(n, dtype=bool)
    columns: dict[str, Any] = {}
    values = []
    for name, shift, present in (
        ("score_content", 0.0, everyone),
        ("score_lecturer", 0.2, learner),
        ("score_method", -0.1, role != "QL"),
        ("score_organisation", 0.0, role != "QL"),
        ("score_applicability", -0.3, role != "GV"),
    ):
        value, columns[name] = score(shift, present)
        values.append(value)
    overall = np.clip(np.rint(np.nanmean(np.vstack(values), axis=0) + rng.normal(0, 0.3, n)), 1, 5)

    band = np.select([overall <= 2, overall <= 3], [2, 1], 0)
    pools = (_COMMENTS_GOOD, _COMMENTS_FAIR, _COMMENTS_POOR)
    pick = rng.random(n)
    comment = np.full(n, None, dtype=object)
    for b, pool in enumerate(pools):
        sel = band == b
        comment[sel] = np.array(pool, dtype=object)[(pick[sel] * len(pool)).astype(np.int64)]
    comment[rng.random(n) >= 0.3] = None

    end = courses.end[c]
    delay = np.minimum(rng.integers(0, 14, n), (ref - end).astype(np.int64))
    seconds = rng.integers(3_600, 11 * 3_600, n)  # 08:00-18:00 in Hà Nội, as UTC
    submitted = (end + delay.astype("timedelta64[D]")).astype("datetime64[s]") + seconds.astype(
        "timedelta64[s]"
    )
    return build_table(
        cat.COURSE_EVALUATION,
        {
            "evaluation_id": serial_ids("PDG", n, 9),
            "course_id": string_ids("KH", c + 1, 8),
            "institution_id": take(inst.ids, courses.institution[c]),
            "province_code": pa.array(np.array(courses.province, dtype=object)[c], pa.string()),
            "role": role,
            **columns,
            "score_overall": overall.astype(np.int64),
            "comment": pa.array(comment, type=pa.string()),
            "submitted_at": submitted.astype("datetime64[us]"),
        },
    )


def generate(ctx: GenContext) -> Iterator[tuple[str, pa.Table]]:
    persons = Persons.from_shared(ctx, years=len(year_weights(ctx)))
    inst = build_institutions()
    prog = build_programmes(ctx, inst)
    courses = build_courses(ctx, persons, inst, prog)
    total = int(courses.size.sum())
    log.info(
        "training: %s institutions, %s programmes, %s courses, %s records",
        len(inst.ids),
        len(prog),
        len(courses),
        total,
    )
    yield "training_institution", _institution_table(inst, ctx)
    yield "training_programme", _programme_table(prog, inst)
    yield from batches("training_course", _course_table(ctx, courses, prog, inst), ctx)
    batch = ctx.scale.batch_rows
    for lo in range(0, total, batch):
        yield (
            "training_record",
            _record_batch(ctx, persons, courses, inst, lo, min(lo + batch, total)),
        )
    yield "course_evaluation", _evaluation_table(ctx, courses, inst)
