"""Generator for the national personnel database (CSDL quốc gia về CBCCVC): one dossier per
planned post of sector 1's staffing plan, plus the people who left and are still on file,
and the records that hang from each dossier.

Shares follow public magnitudes: women and ethnic minorities among civil servants by level
from the source document (35.6 %, 22.9 %, 23.8 % women; 3.4 %, 7.4 %, 14.7 % minorities at
central, provincial and commune level), minorities concentrated in the mountain provinces,
public employees mostly women, ages capped by the 2019 Labour Code retirement roadmap.
Every column is drawn for all people at once; the related tables are drawn per chunk of
people so that memory stays flat at the national scale.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from noivu_ioc.catalog import codelists
from noivu_ioc.catalog.sectors.personnel import FAMILY_RELATIONSHIP, HEALTH_STATUS
from noivu_ioc.generate.columns import (
    Array,
    IntArray,
    blank_to_null,
    choose,
    concat,
    cumcount,
    explode,
    inline_name,
    nullable,
    numpy_text,
    serial_ids,
    string_ids,
    take,
    year_of,
)
from noivu_ioc.generate.context import GenContext
from noivu_ioc.generate.names import full_names_arrow
from noivu_ioc.generate.sectors.s1_organisation import (
    GRADE_CLASSES,
    GRADE_FAMILIES,
    PROVINCE_MINORITY_SHARE,
    PROVINCE_POPULATION,
    TITLE_FAMILIES,
    TITLE_RANKS,
    OrganisationPlan,
    organisation_plan,
    resolve_grade,
    resolve_title,
)
from noivu_ioc.units import admin

DAY = np.timedelta64(1, "D")
YEAR_DAYS = 365.2425

# Women among serving people by (level, staff category). Civil servants: source document
# (training participation by level, 2017-2021); the others are estimates.
FEMALE_SHARE: dict[tuple[str, str], float] = {
    ("TW", "CC"): 0.356, ("TINH", "CC"): 0.229, ("XA", "CC"): 0.238,
    ("TW", "CB"): 0.15, ("TINH", "CB"): 0.15, ("XA", "CB"): 0.20,
    ("TW", "VC"): 0.55, ("TINH", "VC"): 0.63, ("XA", "VC"): 0.80,
    ("TW", "HD"): 0.40, ("TINH", "HD"): 0.40, ("XA", "HD"): 0.40,
}
# Ethnic minorities among serving people by (level, staff category); same sources.
MINORITY_SHARE: dict[tuple[str, str], float] = {
    ("TW", "CC"): 0.034, ("TINH", "CC"): 0.074, ("XA", "CC"): 0.147,
    ("TW", "CB"): 0.03, ("TINH", "CB"): 0.08, ("XA", "CB"): 0.20,
    ("TW", "VC"): 0.03, ("TINH", "VC"): 0.09, ("XA", "VC"): 0.14,
    ("TW", "HD"): 0.03, ("TINH", "HD"): 0.10, ("XA", "HD"): 0.15,
}
# Relative chance of a woman by kind of unit, by professional family and by leadership.
_FEMALE_BY_UNIT = {"MN": 4.0, "TH": 1.3, "THCS": 1.1, "THPT": 1.0, "BV": 1.0, "TYT": 1.0,
                   "DH": 0.85, "VIEN": 0.8, "SNK": 0.9, "CQCP": 0.8}
_FEMALE_BY_FAMILY = {"NURSE": 1.5, "DOC": 0.8, "ACC": 1.6, "REC": 1.5, "TAX": 1.2}
_FEMALE_BY_LEADERSHIP = (1.0, 0.8, 0.6, 0.45)  # none, middle manager, deputy, head

# Main minority groups of each province (ethnicity codes, relative weights), approximated
# from the 2019 census for the merged provinces. Provinces not listed draw from the
# national mix of minorities.
ETHNIC_MIX: dict[str, dict[str, float]] = {
    "04": {"02": 45, "07": 33, "08": 11, "09": 10},
    "08": {"02": 30, "08": 28, "09": 18, "07": 8, "15": 8, "25": 3, "43": 1},
    "11": {"03": 45, "08": 45, "29": 4, "37": 1, "35": 1},
    "12": {"03": 40, "08": 30, "09": 14, "35": 6, "25": 2, "41": 1, "42": 1},
    "14": {"03": 65, "08": 18, "06": 8, "29": 3, "09": 3, "34": 1},
    "15": {"08": 30, "02": 20, "09": 20, "03": 8, "07": 6, "25": 5, "06": 3, "35": 2},
    "19": {"02": 45, "07": 20, "09": 12, "18": 10, "15": 5, "08": 3},
    "20": {"07": 50, "02": 42, "09": 5, "04": 1},
    "22": {"09": 45, "02": 15, "15": 12, "18": 10, "04": 5},
    "24": {"07": 40, "02": 25, "18": 20, "15": 10, "04": 5},
    "25": {"06": 75, "09": 8, "02": 6, "03": 5, "18": 3},
    "38": {"06": 55, "03": 38, "08": 3},
    "40": {"03": 75, "29": 12, "08": 10},
    "44": {"23": 80, "31": 15, "44": 3},
    "46": {"31": 60, "26": 30, "23": 10},
    "48": {"26": 50, "14": 20, "27": 15, "30": 5},
    "51": {"19": 45, "14": 25, "13": 15, "30": 7, "27": 5},
    "52": {"10": 68, "13": 25, "19": 3},
    "56": {"21": 50, "17": 35, "16": 5},
    "66": {"12": 45, "07": 10, "20": 8, "02": 8, "03": 5, "08": 5, "10": 5},
    "68": {"16": 35, "20": 15, "17": 10, "28": 8, "07": 7, "12": 5, "36": 5, "02": 5},
    "75": {"22": 30, "04": 25, "07": 15, "28": 5, "32": 5, "02": 5},
    "79": {"04": 80, "05": 12, "17": 5},
    "86": {"05": 95, "04": 4},
    "91": {"05": 80, "04": 10, "17": 8},
    "92": {"05": 90, "04": 8},
    "96": {"05": 85, "04": 13},
}

# Statuses of the people no longer serving, with their shares.
_LEFT_STATUS = (("NGHI_HUU", 0.55), ("CHUYEN_CONG_TAC", 0.22), ("THOI_VIEC", 0.18),
                ("TU_TRAN", 0.05))
_SUSPENDED_SHARE = 0.0005

# Labour Code 2019, art. 169, and Decree 135/2020/NĐ-CP: from 2021 the retirement age
# rises by 3 months a year for men (60y3m to 62y in 2028) and 4 months a year for women
# (55y4m to 60y in 2035). Values in months.
_FIRST_ROADMAP_YEAR = 2021

# Salary scales of Decree 204/2004/NĐ-CP (civil servants and public employees):
# (first coefficient, step increment, steps, years per step).
SALARY_SCALES: dict[str, tuple[float, float, int, int]] = {
    "A3": (6.20, 0.36, 6, 3),
    "A2": (4.40, 0.34, 8, 3),
    "A22": (4.00, 0.34, 8, 3),
    "A1": (2.34, 0.33, 9, 3),
    "A0": (2.10, 0.31, 10, 3),
    "B": (1.86, 0.20, 12, 2),
}
_SCALE_KEYS = tuple(SALARY_SCALES)
# Position allowance coefficients (indicative, after the tables of Decision 128-QĐ/TW and
# Decree 204/2004/NĐ-CP).
POSITION_ALLOWANCE: dict[str, float] = {
    "BO_TRUONG": 1.30, "THU_TRUONG": 1.10, "VU_TRUONG": 1.00, "CUC_TRUONG": 1.00,
    "CHANH_VP_BO": 1.00, "PHO_VU_TRUONG": 0.80, "PHO_CUC_TRUONG": 0.80,
    "CHU_TICH_UBND_TINH": 1.25, "PHO_CHU_TICH_UBND_TINH": 1.05, "GIAM_DOC_SO": 0.90,
    "PHO_GIAM_DOC_SO": 0.70, "TRUONG_PHONG": 0.50, "PHO_TRUONG_PHONG": 0.35,
    "TRUONG_DVSN": 0.60, "PHO_DVSN": 0.45, "BI_THU_DANG_UY_XA": 0.30,
    "CHU_TICH_HDND_XA": 0.25, "PHO_CHU_TICH_HDND_XA": 0.20, "CHU_TICH_UBND_XA": 0.25,
    "PHO_CHU_TICH_UBND_XA": 0.20, "none": 0.0,
}
_HEADS = frozenset({"BO_TRUONG", "VU_TRUONG", "CUC_TRUONG", "CHANH_VP_BO",
                    "CHU_TICH_UBND_TINH", "GIAM_DOC_SO", "BI_THU_DANG_UY_XA",
                    "CHU_TICH_HDND_XA", "CHU_TICH_UBND_XA", "TRUONG_DVSN"})
_DEPUTIES = frozenset({"THU_TRUONG", "PHO_VU_TRUONG", "PHO_CUC_TRUONG",
                       "PHO_CHU_TICH_UBND_TINH", "PHO_GIAM_DOC_SO", "PHO_CHU_TICH_HDND_XA",
                       "PHO_CHU_TICH_UBND_XA", "PHO_DVSN"})
_MANAGERS = frozenset({"TRUONG_PHONG", "PHO_TRUONG_PHONG"})
BASE_SALARY_MILLION_VND = 2.34  # Decree 73/2024/NĐ-CP, from 1/7/2024

APPRAISAL_YEARS = (2021, 2022, 2023, 2024, 2025)
DECLARATION_YEARS = (2023, 2024, 2025)

_DISCIPLINE_REASONS = (
    "Vi phạm quy chế làm việc của cơ quan",
    "Thiếu trách nhiệm trong thực hiện nhiệm vụ được giao",
    "Vi phạm quy định về đạo đức, văn hóa giao tiếp",
    "Vi phạm quy định về quản lý tài chính, tài sản công",
    "Vi phạm quy định về kê khai tài sản, thu nhập",
    "Vi phạm quy định về phòng, chống tham nhũng, tiêu cực",
    "Vi phạm quy định về giải quyết thủ tục hành chính",
)
_OCCUPATIONS_ADULT = ("Nông dân", "Công nhân", "Kinh doanh", "Giáo viên",
                      "Cán bộ, công chức", "Nhân viên văn phòng", "Lao động tự do", "Nội trợ",
                      "Bác sĩ, điều dưỡng", "Quân nhân")
_OCCUPATION_ADULT_P = (0.2, 0.15, 0.13, 0.1, 0.12, 0.1, 0.08, 0.05, 0.04, 0.03)


# -- code tables ---------------------------------------------------------------------------
# Text columns with few values are kept as small integers into these tuples, and become
# Arrow text through ``take``: converting NumPy text costs ten times more, and the integers
# a tenth of the memory.

POSITIONS: tuple[str, ...] = tuple(sorted(codelists.POSITION.values))
NO_POSITION = POSITIONS.index("none")
_POSITION_LABELS = pa.array([codelists.POSITION.label(c) for c in POSITIONS])
_LEADERSHIP_OF_POSITION = np.array(
    [3 if c in _HEADS else 2 if c in _DEPUTIES else 1 if c in _MANAGERS else 0
     for c in POSITIONS], dtype=np.int64)
_ALLOWANCE_OF_POSITION = np.array([POSITION_ALLOWANCE.get(c, 0.0) for c in POSITIONS])

STATUSES: tuple[str, ...] = codelists.PERSONNEL_STATUS.values
SERVING, SUSPENDED = STATUSES.index("DANG_CONG_TAC"), STATUSES.index("TAM_DINH_CHI")
RETIRED, DISMISSED = STATUSES.index("NGHI_HUU"), STATUSES.index("THOI_VIEC")

FAMILIES: tuple[str, ...] = tuple(sorted({"", *GRADE_FAMILIES, *TITLE_FAMILIES}))
GRADES: tuple[str, ...] = ("", *sorted({c for f in GRADE_FAMILIES.values() for c in f if c}))
TITLES: tuple[str, ...] = ("", *sorted({c for f in TITLE_FAMILIES.values() for c in f if c}))
_IS_GRADE_FAMILY = np.array([f in GRADE_FAMILIES for f in FAMILIES])
_IS_TITLE_FAMILY = np.array([f in TITLE_FAMILIES for f in FAMILIES])
# family x class -> index into GRADES; family x rank -> index into TITLES and salary scale
_GRADE_TABLE = np.array([
    [GRADES.index(resolve_grade(f, k)) if f in GRADE_FAMILIES else 0
     for k in range(len(GRADE_CLASSES))] for f in FAMILIES], dtype=np.int64)
_TITLE_TABLE = np.array([
    [TITLES.index(resolve_title(f, k)) if f in TITLE_FAMILIES else 0
     for k in range(len(TITLE_RANKS))] for f in FAMILIES], dtype=np.int64)


def _title_scale(family: str, rank: int) -> str:
    """Salary scale of a professional title (teachers' scales differ from the rest)."""
    rank = TITLE_FAMILIES[family].index(resolve_title(family, rank))
    if family in ("TH", "THCS", "THPT"):
        return ("A2", "A22", "A1", "A0")[rank]
    if family == "MN":
        return ("A22", "A1", "A0", "B")[rank]
    if family in ("NURSE", "PHARM") and rank == 3:
        return "B"
    return ("A3", "A2", "A1", "A0")[rank]


_TITLE_SCALE_TABLE = np.array([
    [_SCALE_KEYS.index(_title_scale(f, k)) if f in TITLE_FAMILIES else 0
     for k in range(len(TITLE_RANKS))] for f in FAMILIES], dtype=np.int64)
_GRADE_SCALE = np.array([_SCALE_KEYS.index(c) for c in GRADE_CLASSES], dtype=np.int64)
_FIRST, _INCREMENT, _STEPS, _STEP_YEARS = (
    np.array([SALARY_SCALES[k][i] for k in _SCALE_KEYS]) for i in range(4))
_AT_RISK_FAMILIES = [FAMILIES.index(f) for f in ("TAX", "CUS", "INSP")]


def family_index(names: Array) -> IntArray:
    return np.searchsorted(np.array(FAMILIES), names).astype(np.int64)


# -- small vectorised helpers ---------------------------------------------------------------


def _exact_share(rng: np.random.Generator, relative: Array, target: float) -> Array:
    """A mask with exactly ``round(target * n)`` rows set, drawn without replacement with
    chances proportional to ``relative`` (Efraimidis-Spirakis keys), so that a share from
    the source is met exactly at every scale and the weights still decide who."""
    n = len(relative)
    k = round(target * n)
    out = np.zeros(n, dtype=bool)
    if k <= 0:
        return out
    keys = np.log(rng.random(n)) / np.maximum(relative, 1e-9)
    out[np.argpartition(-keys, k - 1)[:k]] = True
    return out


def _by_profile(rng: np.random.Generator, profile: IntArray,
                table: Sequence[Sequence[float]] | Sequence[Array]) -> IntArray:
    """For each row, an index drawn from the distribution ``table[profile]``: one uniform
    draw per row against the cumulative row of its profile."""
    cumulative = np.cumsum(np.asarray(table, dtype=np.float64), axis=1)
    cumulative /= cumulative[:, -1:]
    u = rng.random(len(profile))
    rows = cumulative[profile]
    index: IntArray = np.minimum((u[:, None] >= rows).sum(axis=1), rows.shape[1] - 1)
    return index.astype(np.int64)


def _years(days: Array) -> Array:
    return np.asarray(days, dtype=np.float64) / YEAR_DAYS


def _add_years(d: Array, years: Array) -> Array:
    out: Array = d + np.round(np.asarray(years) * YEAR_DAYS).astype(np.int64) * DAY
    return out


def retirement_age_months(year: Array, female: Array) -> IntArray:
    """Retirement age in months for people reaching it in ``year``."""
    steps = np.clip(np.asarray(year) - _FIRST_ROADMAP_YEAR, 0, None)
    men = np.where(year < _FIRST_ROADMAP_YEAR, 720, np.minimum(723 + 3 * steps, 744))
    women = np.where(year < _FIRST_ROADMAP_YEAR, 660, np.minimum(664 + 4 * steps, 720))
    return np.where(female, women, men).astype(np.int64)


def retirement_dates(birth: Array, female: Array) -> Array:
    """The first day of the month after a person reaches the retirement age of the year
    in which they reach it (the rule of Decree 135/2020/NĐ-CP)."""
    born = birth.astype("datetime64[M]").astype(np.int64)
    # no one reaches the age before the year they turn 60 (men) or 55 (women)
    year = (born + np.where(female, 660, 720)) // 12 + 1970
    out = np.full(len(born), -1, dtype=np.int64)
    for _ in range(8):  # the roadmap adds at most 24 (men) or 60 (women) months
        todo = out < 0
        reach = born[todo] + retirement_age_months(year[todo], female[todo])
        hit = reach // 12 + 1970 <= year[todo]
        idx = np.flatnonzero(todo)
        out[idx[hit]] = reach[hit]
        year[idx[~hit]] += 1
    return (out + 1).astype("datetime64[M]").astype("datetime64[D]")


# -- the people -------------------------------------------------------------------------


@dataclass
class People:
    """Every dossier as column arrays, in the order of the person table."""

    jp: IntArray  # job position (index into the plan) of the post held or last held
    serving: Array
    agency: IntArray
    level: Array
    province: Array
    commune: Array
    category: Array
    family: IntArray  # index into FAMILIES
    position: IntArray  # index into POSITIONS
    leadership: IntArray  # 0 none, 1 middle manager, 2 deputy, 3 head
    female: Array
    ethnicity: Array
    religion: Array
    hometown: Array
    birth: Array
    retirement: Array
    recruitment: Array
    end: Array  # reference date if serving, otherwise the date they left
    status: IntArray  # index into STATUSES
    grade: IntArray  # index into GRADES (0: none)
    title: IntArray  # index into TITLES (0: none)
    grade_class: IntArray
    grade_date: Array
    salary_scale: IntArray  # index into _SCALE_KEYS
    step: IntArray
    coefficient: Array
    position_date: Array
    education: IntArray
    political: IntArray
    management: IntArray
    party: Array
    party_date: Array
    military: Array
    health: IntArray
    quality: Array  # latent performance, drives appraisals and discipline
    names: pa.Array

    def __len__(self) -> int:
        return len(self.jp)


def _posts(plan: OrganisationPlan, ctx: GenContext, rng: np.random.Generator
           ) -> tuple[IntArray, Array]:
    """Job position of every dossier, in agency order, and whether the person serves."""
    serving_jp = np.repeat(np.arange(len(plan.jp_filled)), plan.jp_filled)
    left = max(ctx.scale.persons - len(serving_jp), 0)
    left_jp = serving_jp[rng.integers(0, max(len(serving_jp), 1), left)]
    jp = np.concatenate([serving_jp, left_jp])
    serving = np.r_[np.ones(len(serving_jp), bool), np.zeros(left, bool)]
    order = np.argsort(jp, kind="stable")
    return jp[order].astype(np.int64), serving[order]


def _sex(rng: np.random.Generator, level: Array, category: Array, unit: Array,
         family: IntArray, leadership: IntArray) -> Array:
    relative = np.ones(len(level))
    vc = category == "VC"
    for kind, w in _FEMALE_BY_UNIT.items():
        relative[(unit == kind) & vc] *= w
    for fam, w in _FEMALE_BY_FAMILY.items():
        relative[family == FAMILIES.index(fam)] *= w
    relative *= np.asarray(_FEMALE_BY_LEADERSHIP)[leadership]
    female = np.zeros(len(level), dtype=bool)
    for (lvl, cat), target in FEMALE_SHARE.items():
        sel = np.flatnonzero((level == lvl) & (category == cat))
        female[sel] = _exact_share(rng, relative[sel], target)
    return female


def _minority_mix() -> tuple[Array, dict[str, Array]]:
    """Minority ethnicity codes and, per province (and "" for central), their weights."""
    national = {c: s for c, s in codelists.ETHNICITY_POPULATION_SHARE.items() if c != "01"}
    codes = np.array(sorted(national))
    everywhere = np.array([national[c] for c in codes])
    everywhere /= everywhere.sum()
    mixes: dict[str, Array] = {"": everywhere}
    for prov, mix in ETHNIC_MIX.items():
        w = np.array([mix.get(c, 0.0) for c in codes], dtype=np.float64)
        # a little of the national mix everywhere: people move
        mixes[prov] = w / w.sum() * 0.95 + everywhere * 0.05
    return codes, mixes


def _ethnicity(rng: np.random.Generator, level: Array, category: Array, province: Array
               ) -> Array:
    """Minorities at the target share of each (level, category), in proportion to the
    minority share of the province, and of the groups that live there."""
    prov_codes = np.array(sorted(PROVINCE_MINORITY_SHARE))
    share = np.array([PROVINCE_MINORITY_SHARE[c] for c in prov_codes])
    central = province == ""
    pos = np.minimum(np.searchsorted(prov_codes, province), len(prov_codes) - 1)
    relative = np.where(central, 1.0, share[pos] + 0.003)
    is_minority = np.zeros(len(level), dtype=bool)
    for (lvl, cat), target in MINORITY_SHARE.items():
        sel = np.flatnonzero((level == lvl) & (category == cat))
        is_minority[sel] = _exact_share(rng, relative[sel], target)
    minority = np.flatnonzero(is_minority)
    out = np.full(len(level), "01", dtype="<U2")
    codes, mixes = _minority_mix()
    where = np.where(central[minority], "", province[minority])
    for prov in np.unique(where):
        sel = minority[where == prov]
        out[sel] = codes[choose(rng, len(sel), mixes.get(str(prov), mixes[""]))]
    return out


# Ethnic groups in which a religion is common: (codes, religion weights).
_ETHNIC_RELIGION: tuple[tuple[tuple[str, ...], dict[str, float]], ...] = (
    (("05",), {"01": 0.75}),  # Khmer: Theravada Buddhism
    (("17",), {"04": 0.3, "13": 0.3}),  # Cham: Islam, Brahmanism
    (("04",), {"01": 0.3, "02": 0.05}),
    (("08", "10", "12", "13", "14", "16", "20"), {"08": 0.22, "02": 0.15}),
)
# Provinces where a religion is much more common than nationally: multipliers.
_PROVINCE_RELIGION: dict[str, dict[str, float]] = {
    "91": {"03": 8.0, "01": 1.5}, "92": {"03": 3.0}, "80": {"05": 8.0}, "82": {"03": 2.0},
    "37": {"02": 4.0}, "75": {"02": 3.0, "08": 1.5}, "79": {"01": 1.5, "02": 1.5, "05": 1.5},
    "56": {"13": 2.0},
}


def _religion(rng: np.random.Generator, ethnicity: Array, province: Array, party: Array
              ) -> Array:
    """Religion: party members rarely declare one; some groups and provinces often do."""
    shares = codelists.RELIGION_FOLLOWER_SHARE
    codes = np.array(sorted(shares))
    national = np.array([shares[c] for c in codes])
    none = int(np.flatnonzero(codes == "00")[0])
    ethnic_profile = np.zeros(len(ethnicity), dtype=np.int64)
    for k, (groups, _) in enumerate(_ETHNIC_RELIGION, start=1):
        ethnic_profile[np.isin(ethnicity, groups)] = k
    province_profile = np.zeros(len(province), dtype=np.int64)
    prov_keys = list(_PROVINCE_RELIGION)
    for k, prov in enumerate(prov_keys, start=1):
        province_profile[province == prov] = k
    table = []
    for e in range(len(_ETHNIC_RELIGION) + 1):
        for pr in range(len(prov_keys) + 1):
            for member in (False, True):
                w = national.copy()
                w[none] = 0.0
                if e:
                    w = np.zeros_like(w)
                    for code, share in _ETHNIC_RELIGION[e - 1][1].items():
                        w[codes == code] = share
                if pr:
                    for code, factor in _PROVINCE_RELIGION[prov_keys[pr - 1]].items():
                        w[codes == code] *= factor
                w *= 0.12 if member else 0.7
                w[none] = max(1.0 - w.sum(), 0.05)
                table.append(w)
    profile = (ethnic_profile * (len(prov_keys) + 1) + province_profile) * 2 + party
    return codes[_by_profile(rng, profile.astype(np.int64), table)]


def _hometown(rng: np.random.Generator, province: Array) -> Array:
    codes = np.array(list(PROVINCE_POPULATION))
    weights = np.array(list(PROVINCE_POPULATION.values()), dtype=np.float64)
    elsewhere = codes[choose(rng, len(province), weights)]
    stay = (province != "") & (rng.random(len(province)) < 0.8)
    return np.where(stay, province, elsewhere)


def _ages_and_dates(rng: np.random.Generator, ref: np.datetime64, serving: Array,
                    female: Array, leadership: IntArray, category: Array
                    ) -> dict[str, Array]:
    n = len(serving)
    ref_month = ref.astype("datetime64[M]").astype(np.int64)
    now_year = int(year_of(np.array([ref]))[0])
    limit = retirement_age_months(np.full(n, now_year), female)  # months, this year
    lower = np.asarray((264, 336, 384, 420))[leadership]
    upper = limit - 1
    senior = leadership >= 2
    age_months = lower + (upper - lower) * rng.beta(np.where(senior, 2.6, 1.8),
                                                    np.where(senior, 1.4, 1.7))
    birth = ref - np.round(age_months * YEAR_DAYS / 12).astype(np.int64) * DAY

    # the people who left: retired within the last two years, or left at a working age
    status = np.full(n, SERVING, dtype=np.int64)
    status[serving & (rng.random(n) < _SUSPENDED_SHARE)] = SUSPENDED
    gone = np.flatnonzero(~serving)
    left_status = np.array([STATUSES.index(s) for s, _ in _LEFT_STATUS])
    status[gone] = left_status[choose(rng, len(gone), [w for _, w in _LEFT_STATUS])]
    retired = status == RETIRED
    months_ago = rng.integers(0, 24, int(retired.sum()))
    reach = ref_month - 1 - months_ago
    born = reach - retirement_age_months(reach // 12 + 1970, female[retired])
    day = rng.integers(0, 28, len(born))
    birth[retired] = born.astype("datetime64[M]").astype("datetime64[D]") + day * DAY
    retirement = retirement_dates(birth, female)
    end = np.full(n, ref)
    end[retired] = np.minimum(retirement[retired], ref)
    other = ~serving & ~retired
    end[other] = ref - rng.integers(1, 730, int(other.sum())) * DAY

    # recruited in their twenties, mostly; contract staff a little earlier in life
    age_now = _years((end - birth) / DAY)
    start_age = np.where(category == "HD", 20.0, 22.5) + rng.gamma(1.6, 2.6, n)
    min_service = np.asarray((0.5, 5.0, 8.0, 10.0))[leadership]
    start_age = np.minimum(start_age, np.maximum(age_now - min_service, 18.0))
    recruitment = np.minimum(_add_years(birth, start_age), end - 30 * DAY)
    return {"birth": birth, "retirement": retirement, "recruitment": recruitment,
            "end": end, "status": status}


def _grades(rng: np.random.Generator, cols: dict[str, Array], service: Array
            ) -> dict[str, Array]:
    """Grade or title, the date it was reached, salary step and coefficient."""
    n = len(service)
    level, category, family = cols["level"], cols["category"], cols["family"]
    lead = cols["leadership"]
    tw, tinh = level == "TW", level == "TINH"
    u = rng.random(n)

    # civil-servant grade class 0..4 (A3, A2, A1, A0, B); senior grades come with seniority
    # and leadership, and are rarer at the commune
    local = np.select([tw, tinh], [1.3, 1.0], 0.4)
    p_a3 = np.select(
        [lead == 3, lead == 2, lead == 1],
        [np.select([tw, tinh], [0.85, 0.55], 0.0), np.select([tw, tinh], [0.35, 0.15], 0.0),
         0.02],
        np.where(service > 20, 0.005, 0.0),
    )
    p_a2 = np.select(
        [lead == 3, lead == 2, lead == 1],
        [np.select([tw, tinh], [0.15, 0.45], 0.35), np.select([tw, tinh], [0.6, 0.75], 0.25),
         np.where(level == "XA", 0.2, 0.55)],
        np.clip(0.03 * (service - 8) * local, 0, 0.45),
    )
    p_a0 = np.where(lead == 0, 0.05, 0.0)
    p_b = np.where(lead == 0, 0.03, 0.0)
    grade_class = np.select(
        [u < p_a3, u < p_a3 + p_a2, u > 1 - p_b, u > 1 - p_b - p_a0], [0, 1, 4, 3], 2
    ).astype(np.int64)

    # public-employee rank 0..3 (I, II, III, IV)
    p_i = np.select([lead == 3, lead == 2, lead == 1], [0.35, 0.2, 0.1],
                    np.clip(0.01 * (service - 15), 0, 0.12))
    p_ii = np.select([lead == 3, lead == 2, lead == 1], [0.6, 0.65, 0.6],
                     np.clip(0.035 * (service - 6), 0, 0.5))
    p_iv = np.where(lead == 0, 0.15, 0.0)
    rank = np.select([u < p_i, u < p_i + p_ii, u > 1 - p_iv], [0, 1, 3], 2).astype(np.int64)

    contract = category == "HD"
    by_grade = _IS_GRADE_FAMILY[family] & ~contract
    by_title = _IS_TITLE_FAMILY[family] & ~contract
    grade = np.where(by_grade, _GRADE_TABLE[family, grade_class], 0)
    title = np.where(by_title, _TITLE_TABLE[family, rank], 0)
    scale = np.select([by_grade, by_title], [_GRADE_SCALE[grade_class],
                                             _TITLE_SCALE_TABLE[family, rank]],
                      _SCALE_KEYS.index("B"))
    promoted = (by_grade & (grade_class < 2)) | (by_title & (rank < 2))

    start = cols["recruitment"]
    span = (cols["end"] - start) / DAY
    grade_date = np.where(promoted, start + np.round(span * rng.uniform(0.35, 0.9, n)) * DAY,
                          start).astype("datetime64[D]")
    in_grade = _years((cols["end"] - grade_date) / DAY)
    step = np.minimum(_STEPS[scale], 1 + (in_grade // _STEP_YEARS[scale])).astype(np.int64)
    coefficient = np.round(_FIRST[scale] + _INCREMENT[scale] * (step - 1), 2)
    return {"grade": grade.astype(np.int64), "title": title.astype(np.int64),
            "grade_class": np.where(by_grade, grade_class, -1), "grade_date": grade_date,
            "salary_scale": scale.astype(np.int64), "step": step, "coefficient": coefficient}


EDUCATION: tuple[str, ...] = codelists.EDUCATION_LEVEL.values  # TSKH TS THS DH CD TC SC KHONG
POLITICAL: tuple[str, ...] = codelists.POLITICAL_THEORY_LEVEL.values  # CN CC TC SC CHUA
MANAGEMENT: tuple[str, ...] = codelists.STATE_MANAGEMENT_LEVEL.values  # CVCC CVC CV CS CHUA


def _qualifications(rng: np.random.Generator, cols: dict[str, Array], grade_class: IntArray,
                    scale: IntArray) -> dict[str, IntArray]:
    n = len(grade_class)
    level, category, family = cols["level"], cols["category"], cols["family"]
    lead = cols["leadership"]
    tw, tinh = level == "TW", level == "TINH"
    # education: university-level scales may hold postgraduate degrees
    scale_name = np.asarray(_SCALE_KEYS)[scale]
    edu_profile = np.select([category == "HD", scale_name == "B", scale_name == "A0"],
                            [3, 2, 1], 0)
    academic = np.isin(family, [FAMILIES.index("LECT"), FAMILIES.index("RES")])
    p_ts = np.where(academic, 0.3, np.select([tw, tinh], [0.05, 0.015], 0.002)) + 0.04 * (
        lead >= 2)
    p_ths = np.where(academic, 0.6, np.select([tw, tinh], [0.35, 0.28], 0.06)) + 0.2 * (
        lead >= 1)
    p_ths = np.where(family == FAMILIES.index("DOC"), 0.3, p_ths)
    u = rng.random(n)
    university = np.select([u < p_ts * 0.02, u < p_ts, u < p_ts + p_ths], [0, 1, 2], 3)
    lower = _by_profile(rng, edu_profile, (
        (0, 0, 0, 1, 0, 0, 0, 0),
        (0, 0, 0, 0.15, 0.85, 0, 0, 0),
        (0, 0, 0, 0, 0.15, 0.75, 0.10, 0),
        (0, 0, 0, 0.03, 0.07, 0.30, 0.35, 0.25),
    ))
    education = np.where(edu_profile == 0, university, lower)

    # political theory: heads and deputies above the commune hold the advanced level
    higher = level != "XA"
    pol_profile = np.select(
        [(lead == 3) & higher, lead == 3, (lead == 2) & higher, lead == 2, lead == 1,
         category == "CB", (category == "CC") & tw, category == "CC", category == "VC"],
        [0, 1, 2, 3, 4, 5, 6, 7, 8], 9,
    )
    political = _by_profile(rng, pol_profile, (
        (0.15, 0.85, 0, 0, 0), (0.02, 0.35, 0.63, 0, 0), (0.1, 0.8, 0.1, 0, 0),
        (0, 0.2, 0.8, 0, 0), (0.02, 0.3, 0.58, 0.1, 0), (0, 0.1, 0.7, 0.2, 0),
        (0.01, 0.05, 0.3, 0.34, 0.3), (0, 0.03, 0.4, 0.32, 0.25), (0, 0, 0.05, 0.45, 0.5),
        (0, 0, 0, 0.15, 0.85),
    ))
    # state management training follows the grade; for employees, leadership
    mgmt_profile = np.where(grade_class >= 0, grade_class,
                            np.select([category == "HD", lead > 0], [7, 5], 6))
    management = _by_profile(rng, mgmt_profile.astype(np.int64), (
        (0.9, 0.1, 0, 0, 0), (0.05, 0.8, 0.15, 0, 0), (0, 0.02, 0.7, 0, 0.28),
        (0, 0, 0.1, 0.45, 0.45), (0, 0, 0, 0.2, 0.8), (0.05, 0.35, 0.5, 0, 0.1),
        (0, 0.01, 0.09, 0, 0.9), (0, 0, 0, 0, 1),
    ))
    return {"education": education.astype(np.int64), "political": political,
            "management": management}


def draw_people(ctx: GenContext, plan: OrganisationPlan) -> People:
    """Every dossier's columns, drawn for everyone at once."""
    rng = ctx.rng("personnel.people")
    ref = np.datetime64(ctx.reference_date, "D")
    jp, serving = _posts(plan, ctx, rng)
    n = len(jp)
    agency = plan.jp_agency[jp]
    jp_position = np.searchsorted(np.array(POSITIONS), plan.jp_position)
    position = np.where(serving, jp_position[jp], NO_POSITION).astype(np.int64)
    cols: dict[str, Any] = {
        "level": plan.level[agency], "province": plan.province[agency],
        "commune": plan.commune[agency], "category": plan.jp_category[jp],
        "family": family_index(plan.jp_family)[jp],
        "leadership": _LEADERSHIP_OF_POSITION[position],
    }
    female = _sex(ctx.rng("personnel.sex"), cols["level"], cols["category"],
                  plan.agency_type[agency], cols["family"], cols["leadership"])
    ethnicity = _ethnicity(ctx.rng("personnel.ethnicity"), cols["level"], cols["category"],
                           cols["province"])
    cols |= _ages_and_dates(ctx.rng("personnel.dates"), ref, serving, female,
                            cols["leadership"], cols["category"])
    service = _years((cols["end"] - cols["recruitment"]) / DAY)
    grades = _grades(ctx.rng("personnel.grades"), cols, service)
    quals = _qualifications(ctx.rng("personnel.qualifications"), cols, grades["grade_class"],
                            grades["salary_scale"])

    r = ctx.rng("personnel.misc")
    lead = cols["leadership"]
    category = cols["category"]
    p_party = np.select(
        [lead >= 2, lead == 1, category == "CB", category == "CC", category == "VC"],
        [0.99, 0.92, 0.97, np.where(cols["level"] == "XA", 0.8, 0.7), 0.3], 0.06)
    party = r.random(n) < p_party
    age_now = _years((cols["end"] - cols["birth"]) / DAY)
    join_age = np.clip(21.0 + r.gamma(2.0, 3.0, n), 18.0, np.maximum(age_now - 0.3, 18.0))
    party_date = np.minimum(_add_years(cols["birth"], join_age), ref - DAY)
    position_date = cols["end"] - np.round(
        np.minimum(r.uniform(0, 10, n), np.maximum(service - 2, 0.1)) * YEAR_DAYS
    ).astype(np.int64) * DAY
    military = ~female & (r.random(n) < np.where(category == "CB", 0.15, 0.07))
    health = choose(r, n, (0.25, 0.55, 0.17, 0.025, 0.005))
    hometown = _hometown(r, cols["province"])
    quality = r.standard_normal(n)
    religion = _religion(ctx.rng("personnel.religion"), ethnicity, cols["province"], party)
    names = full_names_arrow(ctx.rng("personnel.names"), np.where(female, "2", "1"), ethnicity)
    return People(
        jp=jp, serving=serving, agency=agency, level=cols["level"],
        province=cols["province"], commune=cols["commune"], category=category,
        family=cols["family"], position=position, leadership=lead, female=female,
        ethnicity=ethnicity, religion=religion, hometown=hometown, birth=cols["birth"],
        retirement=cols["retirement"], recruitment=cols["recruitment"], end=cols["end"],
        status=cols["status"], grade=grades["grade"], title=grades["title"],
        grade_class=grades["grade_class"], grade_date=grades["grade_date"],
        salary_scale=grades["salary_scale"], step=grades["step"],
        coefficient=grades["coefficient"], position_date=position_date,
        education=quals["education"], political=quals["political"],
        management=quals["management"], party=party, party_date=party_date,
        military=military, health=health, quality=quality, names=names,
    )


# -- tables --------------------------------------------------------------------------------


def citizen_ids(people: People, rng: np.random.Generator) -> pa.Array:
    """12-digit citizen identity numbers: birth province (3 digits), century and sex, year of
    birth (2 digits) and a 6-digit serial, unique within each prefix."""
    year = year_of(people.birth)
    century_sex = np.where(year >= 2000, 2, 0) + people.female.astype(np.int64)
    prefix = people.hometown.astype(np.int64) * 1000 + century_sex * 100 + year % 100
    rank = cumcount(prefix)
    offset = rng.integers(0, 1_000_000, 100_000)[prefix % 100_000]
    serial = (offset + rank * 370_373) % 1_000_000  # a stride prime to 10**6: no repeats
    return string_ids("0", prefix * 1_000_000 + serial, 11)


def insurance_numbers(people: People, rng: np.random.Generator) -> pa.Array:
    """10-digit social insurance numbers: province of work, then 8 distinct digits; about
    one in a hundred is missing from the dossier."""
    n = len(people)
    province = np.where(people.province == "", "01", people.province).astype(np.int64)
    serial = (np.arange(n, dtype=np.int64) * 48_271 + int(rng.integers(0, 10**8))) % 10**8
    numbers = string_ids("", province * 10**8 + serial, 10)
    return pc.if_else(pa.array(rng.random(n) < 0.01), pa.nulls(n, pa.string()), numbers)


@dataclass(frozen=True)
class Lookup:
    """Arrow arrays indexed by agency or job position, and the code dictionaries: the
    tables take rows from them instead of converting NumPy text."""

    agency_id: pa.Array
    agency_name: pa.Array
    province: pa.Array  # null for central agencies
    commune: pa.Array
    level: pa.Array
    job_position_id: pa.Array
    job_name: pa.Array
    job_category: pa.Array

    @classmethod
    def of(cls, plan: OrganisationPlan) -> Lookup:
        return cls(
            agency_id=pa.array(plan.agency_id, pa.string()),
            agency_name=pa.array(plan.name, pa.string()),
            province=blank_to_null(plan.province),
            commune=blank_to_null(plan.commune),
            level=pa.array(plan.level, pa.string()),
            job_position_id=serial_ids("VT", len(plan.jp_agency), 9),
            job_name=pa.array(plan.jp_name, pa.string()),
            job_category=pa.array(plan.jp_category, pa.string()),
        )


_SUFFIXES = pa.array([f"-{k}" for k in range(100)])
_SEX = pa.array(["1", "2"])
_GRADES, _TITLES = blank_to_null(GRADES), blank_to_null(TITLES)
_STATUSES, _POSITIONS = pa.array(STATUSES), pa.array(POSITIONS)
_EDUCATION, _POLITICAL = pa.array(EDUCATION), pa.array(POLITICAL)
_MANAGEMENT, _HEALTH = pa.array(MANAGEMENT), pa.array(HEALTH_STATUS.values)


def _coded(values: Array, codes: Sequence[str]) -> pa.Array:
    """Short text codes of a person-size array as Arrow, via their sorted position."""
    cats = np.array(sorted(codes))
    return take(pa.array(cats), np.minimum(np.searchsorted(cats, values), len(cats) - 1))


@dataclass(frozen=True)
class Chunk:
    """A slice of the people, with the Arrow columns the related tables repeat."""

    sl: slice
    ids: pa.Array
    agency_id: pa.Array
    province: pa.Array
    category: pa.Array
    grade: pa.Array
    title: pa.Array

    @property
    def start(self) -> int:
        return int(self.sl.start)

    def rows(self, person: IntArray) -> dict[str, pa.Array]:
        """The agency and province columns for rows of these people."""
        return {"agency_id": take(self.agency_id, person),
                "province_code": take(self.province, person)}


def _chunk(people: People, sl: slice, ids: pa.Array, look: Lookup) -> Chunk:
    agency, jp = people.agency[sl], people.jp[sl]
    return Chunk(sl=sl, ids=ids[sl.start:sl.stop], agency_id=take(look.agency_id, agency),
                 province=take(look.province, agency),
                 category=take(look.job_category, jp), grade=take(_GRADES, people.grade[sl]),
                 title=take(_TITLES, people.title[sl]))


def person_table(people: People, c: Chunk, look: Lookup, extra: dict[str, pa.Array],
                 rng: np.random.Generator, ref: np.datetime64) -> pa.Table:
    sl = c.sl
    n = sl.stop - sl.start
    agency, jp = people.agency[sl], people.jp[sl]
    serving = people.serving[sl]
    lead = people.leadership[sl] > 0
    updated = (ref - rng.integers(0, 540, n) * DAY).astype("datetime64[us]") + (
        rng.integers(7 * 3600, 17 * 3600, n) * 1_000_000).astype("timedelta64[us]")
    return pa.table({
        "person_id": c.ids,
        "full_name": people.names[sl],
        "sex": take(_SEX, people.female[sl]),
        "birth_date": pa.array(people.birth[sl]),
        "citizen_id": extra["citizen_id"][sl],
        "ethnicity": _coded(people.ethnicity[sl], codelists.ETHNICITY.values),
        "religion": _coded(people.religion[sl], codelists.RELIGION.values),
        "hometown_province": _coded(people.hometown[sl], tuple(PROVINCE_POPULATION)),
        "agency_id": c.agency_id,
        "job_position_id": take(look.job_position_id, jp, ~serving),
        "level": take(look.level, agency),
        "province_code": c.province,
        "commune_code": take(look.commune, agency),
        "staff_category": c.category,
        "grade": c.grade,
        "title": c.title,
        "grade_date": nullable(people.grade_date[sl], people.category[sl] == "HD"),
        "position": take(_POSITIONS, people.position[sl]),
        "position_date": nullable(people.position_date[sl], ~lead),
        "education_level": take(_EDUCATION, people.education[sl]),
        "political_theory_level": take(_POLITICAL, people.political[sl]),
        "state_management_level": take(_MANAGEMENT, people.management[sl]),
        "party_member": pa.array(people.party[sl]),
        "party_join_date": nullable(people.party_date[sl], ~people.party[sl]),
        "military_service": pa.array(people.military[sl]),
        "recruitment_date": pa.array(people.recruitment[sl]),
        "salary_grade_step": pa.array(people.step[sl]),
        "salary_coefficient": pa.array(people.coefficient[sl]),
        "social_insurance_no": extra["social_insurance_no"][sl],
        "health_status": take(_HEALTH, people.health[sl]),
        "status": take(_STATUSES, people.status[sl]),
        "retirement_date": pa.array(people.retirement[sl]),
        "updated_at": pa.array(updated),
    })


def _row_ids(ids: pa.Array, person: IntArray, number: Array) -> pa.Array:
    """'<person id>-<number>' for each row (number < 100)."""
    return concat(take(ids, person), take(_SUFFIXES, number))


_RELATIONSHIPS = pa.array(FAMILY_RELATIONSHIP.values)  # 01 father ... 06 sibling
_OCCUPATIONS = (*_OCCUPATIONS_ADULT, "Trẻ em", "Học sinh", "Sinh viên", "Hưu trí", "Đã mất")


def family_table(people: People, c: Chunk, rng: np.random.Generator, ref: np.datetime64
                 ) -> pa.Table:
    """Parents always; a spouse and a child for most; a sibling for the unmarried."""
    sl = c.sl
    n = sl.stop - sl.start
    this_year = int(year_of(np.array([ref]))[0])
    birth_year = year_of(people.birth[sl])
    age = this_year - birth_year
    married = rng.random(n) < np.select([age < 25, age < 30], [0.2, 0.6], 0.88)
    child = married & (age >= 27) & (rng.random(n) < 0.85)
    sibling = ~married & (rng.random(n) < 0.6)
    # slots: father, mother, spouse, then a child or a sibling
    has = np.stack([np.ones(n, bool), np.ones(n, bool), married, child | sibling], axis=1)
    person, slot = np.nonzero(has)
    number = np.cumsum(has, axis=1)[person, slot]
    p_female = people.female[sl][person]
    # index into FAMILY_RELATIONSHIP: 0 father, 1 mother, 2 wife, 3 husband, 4 child, 5 sibling
    relationship = np.select(
        [slot == 0, slot == 1, (slot == 2) & p_female, slot == 2, child[person]],
        [0, 1, 3, 2, 4], 5)
    m = len(person)
    by = birth_year[person]
    gap = np.round(24 + rng.gamma(2.0, 2.5, m)).astype(np.int64)
    member_year = np.select(
        [slot == 0, slot == 1, slot == 2, relationship == 4],
        [by - gap, by - gap + rng.integers(-1, 6, m),
         np.where(p_female, by - rng.integers(0, 7, m), by + rng.integers(0, 7, m)),
         np.minimum(by + gap, this_year)],
        by + rng.integers(-8, 9, m))
    member_female = np.select([slot == 0, slot == 1, slot == 2], [False, True, ~p_female],
                              rng.random(m) < 0.5)
    own_ethnicity = people.ethnicity[sl][person]
    ethnicity = np.where((slot == 2) & (rng.random(m) < 0.1), "01", own_ethnicity)
    names = full_names_arrow(rng, np.where(member_female, "2", "1"), ethnicity)
    kinh = (ethnicity == "01") & (own_ethnicity == "01")
    names = _share_surname(people.names[sl], names, person, slot, relationship, p_female,
                           kinh)
    return pa.table({
        "family_member_id": _row_ids(c.ids, person, number),
        "person_id": take(c.ids, person),
        "relationship": take(_RELATIONSHIPS, relationship),
        "full_name": names,
        "birth_year": pa.array(member_year.astype(np.int64)),
        "occupation": take(pa.array(_OCCUPATIONS), _occupations(rng, this_year - member_year)),
        **c.rows(person),
    })


def _share_surname(person_names: pa.Array, names: pa.Array, person: IntArray, slot: IntArray,
                   relationship: IntArray, person_female: Array, kinh: Array) -> pa.Array:
    """A Kinh father, siblings and a man's children carry the person's surname; a woman's
    children carry her husband's."""
    own_surname = pc.list_element(pc.split_pattern(take(person_names, person), " ",
                                                   max_splits=1), 0)
    parts = pc.split_pattern(names, " ", max_splits=1)
    surnames, rest = pc.list_element(parts, 0), pc.list_element(parts, 1)
    spouse_row = np.full(len(person_names), -1, dtype=np.int64)
    rows = np.flatnonzero(slot == 2)
    spouse_row[person[rows]] = rows
    spouse_of_row = spouse_row[person]
    spouse_surname = take(surnames, np.maximum(spouse_of_row, 0), spouse_of_row < 0)
    takes_own = kinh & ((slot == 0) | (relationship == 5)
                        | ((relationship == 4) & ~person_female))
    takes_spouse = kinh & (relationship == 4) & person_female & (spouse_of_row >= 0)
    surname = pc.if_else(pa.array(takes_spouse), spouse_surname, own_surname)
    return pc.if_else(pa.array(takes_own | takes_spouse), concat(surname, " ", rest), names)


def _occupations(rng: np.random.Generator, age: IntArray) -> IntArray:
    """Index into _OCCUPATIONS by age."""
    n, k = len(age), len(_OCCUPATIONS_ADULT)
    adult = choose(rng, n, _OCCUPATION_ADULT_P)
    old = np.array([k + 3, 0, k + 4])[choose(rng, n, (0.5, 0.3, 0.2))]
    very_old = np.array([k + 3, k + 4])[choose(rng, n, (0.45, 0.55))]
    young = np.where(rng.random(n) < 0.6, k + 2, 6)
    return np.select([age < 6, age < 18, age < 23, age < 60, age < 78],
                     [k, k + 1, young, adult, old], very_old).astype(np.int64)


@lru_cache(maxsize=1)
def _former_districts() -> tuple[Array, pa.Array, IntArray, IntArray]:
    """District-level units dissolved on 1 July 2025, grouped by current province:
    (province codes, names, start, count)."""
    from vietnam_provinces.legacy import District

    rows: list[tuple[str, str]] = []
    target: dict[int, str] = {}
    for d in District.iter_all():
        code = int(d.province_code)
        if code not in target:
            current = admin.convert_legacy_province(code).current
            same = [u.code for u in current if int(u.code) == code]
            target[code] = same[0] if same else current[0].code
        rows.append((target[code], str(d.name)))
    rows.sort()
    codes = np.array([c for c, _ in rows])
    names = pa.array([inline_name(n) for _, n in rows])
    provinces = np.array(sorted(set(codes.tolist())))
    start = np.searchsorted(codes, provinces).astype(np.int64)
    count = np.diff(np.r_[start, len(codes)]).astype(np.int64)
    return provinces, names, start, count


_DISTRICT_BODIES = pa.array(("Ủy ban nhân dân ", "Phòng Nội vụ ",
                             "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân ",
                             "Phòng Tài chính - Kế hoạch "))
_REORGANISATION = np.datetime64("2025-07-01")


class _SimilarAgencies:
    """Operating agencies grouped by (type, province), to draw a former workplace from."""

    def __init__(self, plan: OrganisationPlan) -> None:
        key = np.char.add(plan.agency_type, plan.province)
        operating = np.flatnonzero(plan.status == "HD")
        self.order = operating[np.argsort(key[operating], kind="stable")]
        sorted_key = key[self.order]
        groups, self.group_of = np.unique(key, return_inverse=True)
        self.first = np.searchsorted(sorted_key, groups, side="left")
        self.count = np.searchsorted(sorted_key, groups, side="right") - self.first

    def draw(self, agency: IntArray, rng: np.random.Generator) -> IntArray:
        g = self.group_of[agency]
        count = self.count[g]
        pick = self.first[g] + (rng.random(len(agency)) * np.maximum(count, 1)).astype(np.int64)
        return np.where(count > 0, self.order[np.minimum(pick, len(self.order) - 1)], agency)


def work_history_table(people: People, c: Chunk, look: Lookup, similar: _SimilarAgencies,
                       rng: np.random.Generator) -> pa.Table:
    """Earlier posts (up to three) and the current one, splitting the years of service."""
    sl = c.sl
    n = sl.stop - sl.start
    start, end = people.recruitment[sl], people.end[sl]
    span = ((end - start) / DAY).astype(np.float64)
    earlier = np.minimum(rng.poisson(_years(span) / 9.0), 3)
    cuts = rng.random((n, 3))
    cuts[np.arange(3)[None, :] >= earlier[:, None]] = 2.0
    cuts = np.sort(cuts, axis=1)
    person, number = explode(earlier + 1)
    m = len(person)
    lo = np.where(number == 0, 0.0, cuts[person, np.maximum(number - 1, 0)])
    is_current = number == earlier[person]
    hi = np.where(is_current, 1.0, cuts[person, np.minimum(number, 2)])
    from_date = start[person] + np.round(span[person] * lo).astype(np.int64) * DAY
    to_date = start[person] + np.round(span[person] * hi).astype(np.int64) * DAY
    serving = people.serving[sl][person]

    at = c.start + person
    agency = people.agency[at].copy()
    moved = ~is_current & (rng.random(m) < 0.6)
    agency[moved] = similar.draw(agency[moved], rng)
    # posts before the 2025 reorganisation were often in district bodies, now dissolved
    local = (people.level[at] != "TW") & np.isin(people.category[at], ("CB", "CC"))
    district = moved & local & (to_date < _REORGANISATION) & (rng.random(m) < 0.6)
    provinces, district_names, first, count = _former_districts()
    pos = np.minimum(np.searchsorted(provinces, people.province[at]), len(provinces) - 1)
    pick = first[pos] + (rng.random(m) * count[pos]).astype(np.int64)
    body = rng.integers(0, len(_DISTRICT_BODIES), m)
    district_name = concat(take(_DISTRICT_BODIES, body), take(district_names, pick))
    return pa.table({
        "work_history_id": _row_ids(c.ids, person, number + 1),
        "person_id": take(c.ids, person),
        "from_date": pa.array(from_date),
        "to_date": nullable(to_date, is_current & serving),
        "agency_id": take(look.agency_id, agency, district),
        "agency_name": pc.if_else(pa.array(district), district_name,
                                  take(look.agency_name, agency)),
        "post": _posts_held(people, look, at, is_current, rng),
        "province_code": take(c.province, person),
    })


_JUNIOR_POSTS = pa.array(["Chuyên viên", "Cán sự"])


def _posts_held(people: People, look: Lookup, at: IntArray, is_current: Array,
                rng: np.random.Generator) -> pa.Array:
    """The current post by its leadership title or job; earlier ones a junior grade for
    civil servants, the same job for the others."""
    position = people.position[at]
    job = take(look.job_name, people.jp[at])
    current = pc.if_else(pa.array(position != NO_POSITION),
                         take(_POSITION_LABELS, position), job)
    civil = np.isin(people.category[at], ("CB", "CC"))
    junior = take(_JUNIOR_POSTS, (rng.random(len(at)) >= 0.8).astype(np.int64))
    earlier = pc.if_else(pa.array(civil), junior, job)
    return pc.if_else(pa.array(is_current), current, earlier)


def salary_history_table(people: People, c: Chunk) -> pa.Table:
    """The salary steps reached in the current grade or title, the latest five."""
    step = people.step[c.sl]
    rows = np.minimum(step, 5)
    person, number = explode(rows)
    at = c.start + person
    step_k = step[person] - (rows[person] - 1 - number)
    scale = people.salary_scale[at]
    effective = _add_years(people.grade_date[at], (step_k - 1) * _STEP_YEARS[scale])
    coefficient = np.round(_FIRST[scale] + _INCREMENT[scale] * (step_k - 1), 2)
    allowance = np.where(effective >= people.position_date[at],
                         _ALLOWANCE_OF_POSITION[people.position[at]], 0.0)
    return pa.table({
        "salary_history_id": _row_ids(c.ids, person, number + 1),
        "person_id": take(c.ids, person),
        "effective_date": pa.array(effective),
        "grade": take(c.grade, person),
        "title": take(c.title, person),
        "salary_grade_step": pa.array(step_k.astype(np.int64)),
        "salary_coefficient": pa.array(coefficient),
        "position_allowance": pa.array(allowance),
        **c.rows(person),
    })


_RESULTS = pa.array(("HTXSNV", "HTTNV", "HTNV", "KHTNV"))


def appraisal_table(people: People, c: Chunk, rng: np.random.Generator) -> pa.Table:
    """One rating a year (Decree 90/2020/NĐ-CP): about 14 % excellent, 70 % good, 13 %
    satisfactory and 2-3 % failing, persistent from year to year."""
    sl = c.sl
    years = np.asarray(APPRAISAL_YEARS)
    first = year_of(people.recruitment[sl])
    last = np.where(people.serving[sl], years[-1], year_of(people.end[sl]) - 1)
    has = (years[None, :] >= first[:, None]) & (years[None, :] <= last[:, None])
    person, k = np.nonzero(has)
    at = c.start + person
    score = (0.75 * people.quality[at] + 0.66 * rng.standard_normal(len(at))
             + 0.35 * (people.leadership[at] > 0))
    result = np.select([score > 1.1, score > -0.99, score > -1.96], [0, 1, 2], 3)
    return pa.table({
        "person_id": take(c.ids, person),
        "year": pa.array(years[k].astype(np.int64)),
        "result": take(_RESULTS, result),
        "agency_id": take(c.agency_id, person),
        "staff_category": take(c.category, person),
        "province_code": take(c.province, person),
    })


_FORMS = ("KHIEN_TRACH", "CANH_CAO", "HA_BAC_LUONG", "GIANG_CHUC", "CACH_CHUC", "BAI_NHIEM",
          "BUOC_THOI_VIEC")
_FORM_P = (0.55, 0.28, 0.05, 0.03, 0.03, 0.01, 0.05)
_WARNING, _DISMISSAL = _FORMS.index("CANH_CAO"), _FORMS.index("BUOC_THOI_VIEC")


def discipline_table(people: People, c: Chunk, rng: np.random.Generator) -> pa.Table:
    """About one person in a hundred, more often among the weaker performers; the form
    must fit the person (demotion only for leaders, dismissal from office only for
    cadres, salary step reduction only for civil servants, dismissal for those gone)."""
    sl = c.sl
    n = sl.stop - sl.start
    left = people.status[sl] == DISMISSED
    chosen = rng.random(n) < np.where(left, 0.12, 0.008 * np.exp(-0.9 * people.quality[sl]))
    person = np.flatnonzero(chosen)
    at = c.start + person
    m = len(person)
    form = choose(rng, m, _FORM_P)
    lead = people.leadership[at] > 0
    category = people.category[at]
    unfit = (
        (np.isin(form, (_FORMS.index("GIANG_CHUC"), _FORMS.index("CACH_CHUC"))) & ~lead)
        | ((form == _FORMS.index("BAI_NHIEM")) & (category != "CB"))
        | ((form == _FORMS.index("HA_BAC_LUONG")) & (category != "CC"))
        | ((form == _DISMISSAL) & ~left[person])
    )
    form = np.where(unfit, _WARNING, form)
    form = np.where(left[person] & (rng.random(m) < 0.7), _DISMISSAL, form)
    lo = np.maximum(people.recruitment[at], np.datetime64("2019-01-01"))
    days = np.maximum(((people.end[at] - lo) / DAY).astype(np.int64), 1)
    decided = lo + (rng.random(m) * days).astype(np.int64) * DAY
    return pa.table({
        "discipline_id": concat(take(c.ids, person), "-KL1"),
        "person_id": take(c.ids, person),
        "form": take(pa.array(_FORMS), form),
        "reason": take(pa.array(_DISCIPLINE_REASONS),
                        rng.integers(0, len(_DISCIPLINE_REASONS), m)),
        "decision_no": concat(pa.array(rng.integers(1, 2_000, m).astype(str)), "/QĐ-KL"),
        "decision_date": pa.array(decided),
        "effective_until": nullable(decided + 365 * DAY, form == _DISMISSAL),
        **c.rows(person),
    })


def assets_table(people: People, c: Chunk, rng: np.random.Generator) -> pa.Table:
    """Annual declarations by leaders, senior grades and officials in posts at risk
    (tax, customs, inspection), plus one on appointment; totals only."""
    sl = c.sl
    n = sl.stop - sl.start
    lead = people.leadership[sl] > 0
    senior = (people.grade_class[sl] >= 0) & (people.grade_class[sl] <= 1)
    at_risk = np.isin(people.family[sl], _AT_RISK_FAMILIES)
    declares = people.serving[sl] & (lead | senior | at_risk)
    level = people.level[sl]
    median = np.select([level == "TW", level == "TINH"], [4_500.0, 3_500.0], 2_000.0)
    base = rng.lognormal(np.log(median), 0.8) * np.where(people.leadership[sl] >= 2, 1.6, 1.0)
    growth = rng.uniform(1.02, 1.12, n)
    salary = (people.coefficient[sl] * (1 + _ALLOWANCE_OF_POSITION[people.position[sl]])
              * BASE_SALARY_MILLION_VND * 12)
    first_year = year_of(people.recruitment[sl])
    appointed = year_of(people.position_date[sl])
    parts: list[dict[str, Array]] = []
    for year in DECLARATION_YEARS:
        for kind in (0, 1):  # annual, on appointment
            if kind == 0:
                who = declares & (first_year <= year)
                submitted = np.datetime64(f"{year}-12-01") + rng.integers(0, 30, n) * DAY
            else:
                who = declares & lead & (appointed == year)
                submitted = people.position_date[sl] - rng.integers(10, 60, n) * DAY
            person = np.flatnonzero(who)
            assets = base[person] * growth[person] ** (year - DECLARATION_YEARS[0])
            income = salary[person] * rng.uniform(1.15, 1.6, len(person)) + rng.lognormal(
                np.log(30.0), 1.0, len(person))
            parts.append({
                "person": person, "year": np.full(len(person), year, dtype=np.int64),
                "kind": np.full(len(person), kind), "assets": np.round(assets, 1),
                "income": np.round(income, 1),
                "change": np.round(assets - assets / growth[person], 1),
                "first": (year == DECLARATION_YEARS[0]) | (first_year[person] == year),
                "submitted": submitted[person],
            })
    q = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    person = q["person"].astype(np.int64)
    kinds = pa.array(["HN", "CT"])
    year_text = pa.array(q["year"].astype(str))
    return pa.table({
        "declaration_id": concat(take(c.ids, person), "-", year_text, "-",
                                take(kinds, q["kind"])),
        "person_id": take(c.ids, person),
        "year": pa.array(q["year"]),
        "declaration_type": take(kinds, q["kind"]),
        "total_assets_million_vnd": pa.array(q["assets"], pa.float64()),
        "total_income_million_vnd": pa.array(q["income"], pa.float64()),
        "change_million_vnd": nullable(q["change"], q["first"], pa.float64()),
        "submitted_date": pa.array(q["submitted"].astype("datetime64[D]")),
        **c.rows(person),
    })


def share_keys(ctx: GenContext, people: People, ids: pa.Array, plan: OrganisationPlan
               ) -> None:
    """The keys later generators reference, as NumPy arrays in person-table order."""
    ctx.shared["person.person_id"] = numpy_text(ids)
    ctx.shared["person.province_code"] = people.province
    ctx.shared["person.commune_code"] = people.commune
    ctx.shared["person.agency_id"] = plan.agency_id[people.agency]
    ctx.shared["person.level"] = people.level
    ctx.shared["person.sex"] = np.where(people.female, "2", "1")
    ctx.shared["person.ethnicity"] = people.ethnicity
    ctx.shared["person.birth_date"] = people.birth
    ctx.shared["person.staff_category"] = people.category
    ctx.shared["person.status"] = np.asarray(STATUSES)[people.status]


def generate(ctx: GenContext) -> Iterator[tuple[str, pa.Table]]:
    plan = organisation_plan(ctx)
    people = draw_people(ctx, plan)
    look = Lookup.of(plan)
    similar = _SimilarAgencies(plan)
    n = len(people)
    ids = serial_ids("CB", n, 10)
    share_keys(ctx, people, ids, plan)
    extra = {
        "citizen_id": citizen_ids(people, ctx.rng("personnel.citizen_id")),
        "social_insurance_no": insurance_numbers(people, ctx.rng("personnel.insurance")),
    }
    ref = np.datetime64(ctx.reference_date, "D")
    # at most five related rows per person in any table, so a chunk's tables fit a batch
    size = max(1, ctx.scale.batch_rows // 5)
    for k, lo in enumerate(range(0, n, size)):
        c = _chunk(people, slice(lo, min(n, lo + size)), ids, look)
        rng = ctx.rng(f"personnel.related.{k}")
        yield "person", person_table(people, c, look, extra, rng, ref)
        yield "family_member", family_table(people, c, rng, ref)
        yield "work_history", work_history_table(people, c, look, similar, rng)
        yield "salary_history", salary_history_table(people, c)
        yield "appraisal", appraisal_table(people, c, rng)
        yield "discipline", discipline_table(people, c, rng)
        yield "assets_declaration", assets_table(people, c, rng)
