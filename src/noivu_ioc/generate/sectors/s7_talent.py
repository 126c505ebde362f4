"""Generator for sector 7: talent programmes of ministries and provinces, and the people
recognised as talented.

About a third of the talents were recruited through a programme and now hold a personnel
dossier in the programme's province (or a central agency); a third are civil servants or
public employees recognised where they work; the rest are followed outside the public
sector and known here only by name. A programme's ``recruited_count`` is exactly the number
of talents it recruited. Programmes before 2025 cite Decree 140/2017/NĐ-CP, later ones
Decree 179/2024/NĐ-CP.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from noivu_ioc.catalog.sectors import s7_talent as cat
from noivu_ioc.generate.columns import (
    blank_to_null,
    build_table,
    choose,
    inline_name,
    organiser_agencies,
    sample_within,
    serial_ids,
    shared,
    shared_codes,
    shared_strings,
    string_ids,
    year_of,
)
from noivu_ioc.generate.context import GenContext
from noivu_ioc.generate.names import full_names_arrow
from noivu_ioc.units import admin

log = logging.getLogger(__name__)

FIRST_YEAR = 2018
ATTRACTED, INTERNAL, EXTERNAL = 0, 1, 2
KIND_SHARES = (0.35, 0.30, 0.35)

FIELDS = ("KHCN", "CNTT", "KHXH", "QLNN", "KTTC", "PL", "YT", "GD", "VHNT", "TDTT", "NN")
FIELD_P = (0.14, 0.14, 0.07, 0.12, 0.12, 0.08, 0.1, 0.09, 0.05, 0.04, 0.05)
CRITERIA = ("TNXS", "SDHXS", "GTQT", "GTQG", "KHCN", "CG", "DH", "QL")
CRITERION_P = (0.35, 0.2, 0.05, 0.1, 0.1, 0.08, 0.04, 0.08)
# Artists and athletes are recognised by prizes and titles, not by degrees.
PRIZE_CRITERIA = ("GTQT", "GTQG", "DH")
EDUCATION_BY_CRITERION = {
    "TNXS": (("DH",), (1.0,)),
    "SDHXS": (("THS", "TS"), (0.7, 0.3)),
    "CG": (("TS", "TSKH"), (0.9, 0.1)),
    "KHCN": (("THS", "TS"), (0.4, 0.6)),
}
OTHER_EDUCATION = (("DH", "THS", "TS"), (0.5, 0.35, 0.15))
ACHIEVEMENTS = {
    "TNXS": ("Thủ khoa tốt nghiệp đại học", "Tốt nghiệp đại học loại xuất sắc"),
    "SDHXS": ("Tốt nghiệp thạc sĩ loại xuất sắc ở nước ngoài", "Bảo vệ luận án tiến sĩ xuất sắc"),
    "GTQT": ("Huy chương vàng Olympic quốc tế", "Giải thưởng quốc tế về khoa học, nghệ thuật"),
    "GTQG": ("Giải nhất cấp quốc gia", "Giải thưởng Nhà nước"),
    "KHCN": ("Có bằng độc quyền sáng chế", "Công bố nhiều bài báo quốc tế có uy tín"),
    "CG": ("Chuyên gia đầu ngành được hội đồng khoa học công nhận",),
    "DH": (
        "Được phong tặng danh hiệu Nghệ sĩ Nhân dân",
        "Được phong tặng danh hiệu Nhà giáo Ưu tú",
    ),
    "QL": ("Hoàn thành xuất sắc nhiệm vụ nhiều năm liền", "Có sáng kiến cải cách hành chính"),
}
POLICIES = ("THU_HUT", "TRONG_DUNG", "TAO_NGUON")
POLICY_P = (0.6, 0.25, 0.15)
POLICY_NAME = {
    "THU_HUT": "Đề án thu hút nhân tài",
    "TRONG_DUNG": "Chương trình trọng dụng người có tài năng",
    "TAO_NGUON": "Kế hoạch tạo nguồn cán bộ từ sinh viên tốt nghiệp xuất sắc",
}
DECREE_140 = "Nghị định 140/2017/NĐ-CP"
DECREE_179 = "Nghị định 179/2024/NĐ-CP"


def _programmes(ctx: GenContext) -> dict[str, Any]:
    rng = ctx.rng("talent.programmes")
    n = ctx.count(450, minimum=40)
    provinces = np.array([p.code for p in admin.provinces()])
    central = rng.random(n) < 0.25
    province = np.where(central, "", provinces[rng.integers(0, len(provinces), n)])
    year = rng.integers(FIRST_YEAR, ctx.reference_date.year + 1, n)
    policy_idx = choose(rng, n, POLICY_P)
    policy = np.array(POLICIES)[policy_idx]
    field = np.where(rng.random(n) < 0.4, "", np.array(FIELDS)[choose(rng, n, FIELD_P)])
    basis = np.where(year >= 2025, DECREE_179, DECREE_140)
    basis = np.where(
        central | (year >= 2025), basis, np.char.add(basis, "; nghị quyết của HĐND tỉnh")
    )
    budget = np.round(rng.lognormal(np.where(central, 8.5, 8.0), 0.6, n), 0)

    unique, inverse = np.unique(province, return_inverse=True)
    place = np.array([_place(p) for p in unique.tolist()])[inverse]
    title = np.array([POLICY_NAME[p] for p in POLICIES])[policy_idx]
    name = np.char.add(np.char.add(np.char.add(title, place), " năm "), year.astype(str))
    level = np.where(central, "TW", "TINH")
    agency = organiser_agencies(ctx, rng, level, province)
    return {
        "name": name,
        "level": level,
        "province": province,
        "year": year.astype(np.int64),
        "policy": policy,
        "field": field,
        "basis": basis,
        "budget": budget,
        "agency": agency,
    }


def _place(province: str) -> str:
    if not province:
        return " của cơ quan Trung ương"
    return " " + inline_name(admin.unit(province).name)


def generate(ctx: GenContext) -> Iterator[tuple[str, pa.Table]]:
    rng = ctx.rng("talent.people")
    prog = _programmes(ctx)
    n_prog = len(prog["year"])
    n = ctx.count(30_000, minimum=300)
    kind = choose(rng, n, KIND_SHARES)

    # Attracted talents: a programme (bigger budgets recruit more), then a person working at
    # that programme's level and province.
    person_id = shared_strings(ctx, "person.person_id")
    level = shared_codes(ctx, "person.level")
    province_all = shared_strings(ctx, "person.province_code")
    province = np.asarray(province_all.fill_null("")).astype(str)
    pool_key = np.char.add(
        np.where(level == "TW", "TW", "DP"), np.where(level == "TW", "", province)
    )
    programme = np.full(n, -1, dtype=np.int64)
    attracted = np.flatnonzero(kind == ATTRACTED)
    programme[attracted] = choose(rng, len(attracted), prog["budget"])
    query = np.full(n, "", dtype="<U8")
    prog_key = np.char.add(
        np.where(prog["level"] == "TW", "TW", "DP"), prog["province"].astype(str)
    )
    query[attracted] = prog_key[programme[attracted]]
    person = np.full(n, -1, dtype=np.int64)
    person[attracted] = sample_within(rng, pool_key, query[attracted])
    internal = np.flatnonzero(kind == INTERNAL)
    person[internal] = rng.integers(0, len(person_id), len(internal)) if len(person_id) else -1

    # One talent row per person: a second draw of the same person becomes an outsider.
    linked = np.flatnonzero(person >= 0)
    _, first = np.unique(person[linked], return_index=True)
    repeat = np.setdiff1d(linked, linked[first])
    person[repeat] = -1
    programme[person < 0] = -1
    kind = np.where(person >= 0, kind, EXTERNAL)

    field = np.array(FIELDS)[choose(rng, n, FIELD_P)]
    criterion = np.array(CRITERIA)[choose(rng, n, CRITERION_P)]
    artistic = np.isin(field, ["VHNT", "TDTT"])
    criterion[artistic] = np.array(PRIZE_CRITERIA)[rng.integers(0, 3, artistic.sum())]
    # Object dtype: a fixed-width array sized to "THS" would cut "TSKH" to "TSK".
    education = np.array(OTHER_EDUCATION[0], dtype=object)[choose(rng, n, OTHER_EDUCATION[1])]
    achievement = np.empty(n, dtype=object)
    for code in CRITERIA:
        rows = criterion == code
        if code in EDUCATION_BY_CRITERION:
            values, p = EDUCATION_BY_CRITERION[code]
            education[rows] = np.array(values)[choose(rng, int(rows.sum()), p)]
        texts = np.array(ACHIEVEMENTS[code], dtype=object)
        achievement[rows] = texts[rng.integers(0, len(texts), rows.sum())]

    recognised = rng.integers(FIRST_YEAR, ctx.reference_date.year + 1, n)
    has_prog = programme >= 0
    recognised[has_prog] = prog["year"][programme[has_prog]] - (rng.random(has_prog.sum()) < 0.3)
    origin = np.where(rng.random(n) < 0.8, "TN", "NN")
    origin = np.where(kind == INTERNAL, "CBCCVC", origin)
    status = np.select(
        [has_prog, kind == INTERNAL],
        [np.where(rng.random(n) < 0.9, "THU_HUT", "ROI"), "TRONG_DUNG"],
        "THEO_DOI",
    )

    # Personal details: from the personnel database for people in it, drawn for the others.
    linked_mask = person >= 0
    take = pa.array(np.maximum(person, 0))
    shared_sex = shared_strings(ctx, "person.sex").take(take)
    sex = np.where(linked_mask, np.asarray(shared_sex.fill_null("1")).astype(str), "")
    outsiders = ~linked_mask
    sex[outsiders] = np.where(rng.random(outsiders.sum()) < 0.42, "2", "1")
    shared_birth = year_of(shared(ctx, "person.birth_date"))
    birth = np.where(linked_mask, shared_birth[np.maximum(person, 0)], 0)
    age = np.clip(np.rint(np.where(criterion == "TNXS", 23, 38) + rng.normal(0, 6, n)), 21, 70)
    birth[outsiders] = (recognised - age)[outsiders]
    # Nobody is recognised before the age of 21.
    earliest = np.where(birth > 0, birth + 21, 0)
    recognised = np.minimum(np.maximum(recognised, earliest), ctx.reference_date.year)
    ethnicity = np.where(
        rng.random(n) < 0.93, "01", np.array(["02", "03", "05", "06"])[rng.integers(0, 4, n)]
    )
    names = full_names_arrow(rng, sex, ethnicity)
    outside_province = np.array([p.code for p in admin.provinces()])[rng.integers(0, 34, n)]

    recruited = np.bincount(programme[has_prog], minlength=n_prog)
    target = np.maximum(1, np.ceil(recruited / rng.uniform(0.4, 1.1, n_prog))).astype(np.int64)
    log.info("talent: %s programmes, %s talents", n_prog, n)
    yield (
        "talent_programme",
        build_table(
            cat.TALENT_PROGRAMME,
            {
                "programme_id": serial_ids("NT", n_prog, 5),
                "name": prog["name"],
                "level": prog["level"],
                "province_code": blank_to_null(prog["province"]),
                "agency_id": prog["agency"],
                "year": prog["year"],
                "policy": prog["policy"],
                "field": blank_to_null(prog["field"]),
                "legal_basis": prog["basis"],
                "budget_million_vnd": prog["budget"].astype(np.float64),
                "target_count": target,
                "recruited_count": recruited.astype(np.int64),
            },
        ),
    )
    linked_arr = pa.array(linked_mask)
    yield (
        "talent",
        build_table(
            cat.TALENT,
            {
                "talent_id": serial_ids("NTL", n, 7),
                "person_id": pc.if_else(linked_arr, person_id.take(take), None),
                "full_name": pc.if_else(linked_arr, None, names),
                "sex": sex,
                "birth_year": pa.array(birth.astype(np.int64), mask=birth <= 0),
                "origin": origin,
                "field": field,
                "criterion": criterion,
                "achievement": pa.array(achievement, pa.string()),
                "education_level": education,
                "recognition_year": recognised.astype(np.int64),
                "status": status,
                "programme_id": pc.if_else(
                    pa.array(has_prog), string_ids("NT", np.maximum(programme, 0) + 1, 5), None
                ),
                "province_code": pc.if_else(
                    linked_arr, province_all.take(take), pa.array(outside_province)
                ),
                "agency_id": pc.if_else(
                    linked_arr,
                    shared_strings(ctx, "person.agency_id").take(take),
                    None,
                ),
            },
        ),
    )
