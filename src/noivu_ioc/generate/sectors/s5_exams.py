"""Generator for sector 5: exam rounds, the question bank, candidates and their results.

Recruitment exams and selections run from 2019; entrance quality assessments from 2024
(Decree 06/2023/NĐ-CP took effect on 10 April 2023, and from 1 August 2024 only people who
passed it may be recruited, so recruitment exams after that date keep only the
professional subject). Each round passes a share of its candidates between 42% and 68%,
set by the kind of round, the province and the year; within a round the abler candidates
pass, and every subject score agrees with the pass flag.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from noivu_ioc.catalog.codelists import ETHNICITY_POPULATION_SHARE
from noivu_ioc.catalog.sectors import s5_exams as cat
from noivu_ioc.generate.columns import (
    BoolArray,
    FloatArray,
    IntArray,
    batches,
    blank_to_null,
    build_table,
    choose,
    concat,
    cumcount,
    inline_name,
    organiser_agencies,
    sample_within,
    serial_ids,
    string_ids,
    year_of,
    year_start,
)
from noivu_ioc.generate.context import GenContext
from noivu_ioc.generate.names import full_names_arrow
from noivu_ioc.units import admin

log = logging.getLogger(__name__)

FIRST_RECRUITMENT = np.datetime64("2019-01-01")
FIRST_ASSESSMENT = np.datetime64("2024-01-01")
# From this day recruitment exams keep only the second stage (Decree 06/2023/NĐ-CP).
ASSESSMENT_REQUIRED = np.datetime64("2024-08-01")
PASS_RATE_RANGE = (0.42, 0.68)
ASSESSMENT_SHARE = 0.35  # of registrations, 2019-2026
PASS_RATE_BASE = {"TT": 0.50, "XT": 0.60, "KD": 0.55}

# Subjects of each kind of round, with their number of questions (None: essay or interview
# marked out of 100). Recruitment exams before the assessment have two stages; the last
# subject is the second stage, sat only by candidates who passed the first.
SUBJECTS: dict[str, tuple[tuple[str, int | None], ...]] = {
    "TT": (("KTC", 60), ("NN", 30), ("TH", 30), ("NVCN", None)),
    "TT2": (("NVCN", None),),
    "XT": (("NVCN", None),),
    "KD": (("NLC", 60), ("KTC", 30)),
}
SLOTS = 4

# Rough shares of ethnic minorities among residents, by province after 2025 (the rest of
# the country: 5%); used only to make candidates' ethnicity plausible by place.
MINORITY_SHARE = {
    "04": 0.9, "08": 0.7, "11": 0.8, "12": 0.8, "14": 0.8, "15": 0.55, "19": 0.35,
    "20": 0.8, "25": 0.3, "38": 0.15, "40": 0.12, "51": 0.2, "52": 0.25, "56": 0.1,
    "66": 0.25, "68": 0.2, "86": 0.1, "92": 0.12, "91": 0.08, "96": 0.03,
}  # fmt: skip
NORTH = ("02", "03", "06", "07", "08", "09")  # Tày, Thái, Mường, Nùng, Hmông, Dao
HIGHLANDS = ("10", "12", "13", "14", "16", "20")  # Gia-rai, Ê-đê, Ba-na, Xơ-đăng, Cơ-ho, Mnông
SOUTH = ("05", "04", "17")  # Khơ-me, Hoa, Chăm
REGION_OF = (
    {p: NORTH for p in ("04", "08", "11", "12", "14", "15", "19", "20", "25")}
    | {p: HIGHLANDS for p in ("51", "52", "56", "66", "68")}
    | {p: SOUTH for p in ("79", "80", "82", "86", "91", "92", "96")}
)

MAJORS = (
    "Luật",
    "Quản lý nhà nước",
    "Hành chính học",
    "Kinh tế",
    "Kế toán",
    "Tài chính - Ngân hàng",
    "Quản trị kinh doanh",
    "Công nghệ thông tin",
    "Xã hội học",
    "Quản lý đất đai",
    "Ngôn ngữ Anh",
    "Lưu trữ học",
    "Kỹ thuật xây dựng",
    "Khoa học môi trường",
    "Chính trị học",
)
GRADES = ("01.003", "01.004", "04.025", "06.031", "06.038", "02.007", "08.051")
GRADE_P = (0.6, 0.15, 0.05, 0.06, 0.05, 0.05, 0.04)

_STEMS: dict[str, tuple[str, ...]] = {
    "KTC": tuple(
        pattern.format(topic)
        for topic in (
            "tổ chức bộ máy nhà nước",
            "chế độ công vụ, công chức",
            "quyền và nghĩa vụ của công chức",
            "chính quyền địa phương hai cấp",
            "cải cách hành chính",
            "phòng, chống tham nhũng",
            "ban hành văn bản quy phạm pháp luật",
            "đạo đức công vụ",
        )
        for pattern in (
            "Theo quy định hiện hành về {}, phát biểu nào sau đây đúng?",
            "Nội dung nào sau đây không thuộc {}?",
            "Về {}, cơ quan nào có thẩm quyền quyết định vấn đề nêu trong câu hỏi?",
        )
    ),
    "NLC": (
        "Chọn số tiếp theo của dãy số đã cho.",
        "Đọc đoạn văn và chọn kết luận phù hợp nhất.",
        "Từ các tiền đề đã cho, suy luận nào sau đây là hợp lý?",
        "Dựa vào bảng số liệu, tính tỷ lệ thay đổi giữa hai năm.",
        "Chọn hình phù hợp để hoàn thành quy luật.",
        "Sắp xếp các câu sau thành đoạn văn có nghĩa.",
    ),
    "NN": (
        "Chọn từ thích hợp điền vào chỗ trống trong câu tiếng Anh.",
        "Chọn câu có nghĩa gần nhất với câu tiếng Anh đã cho.",
        "Đọc đoạn văn tiếng Anh và chọn câu trả lời đúng.",
        "Chọn phần gạch chân cần sửa trong câu tiếng Anh.",
    ),
    "TH": (
        "Phím tắt nào dùng để sao chép nội dung đã chọn?",
        "Trong bảng tính, hàm nào dùng để tính tổng một vùng ô?",
        "Biện pháp nào giúp bảo đảm an toàn khi mở tệp đính kèm thư điện tử?",
        "Định dạng tệp nào sau đây là tệp văn bản?",
        "Chữ ký số trên văn bản điện tử có tác dụng gì?",
    ),
    "NVCN": tuple(
        "Tình huống về " + topic + ": cách xử lý nào đúng quy định?"
        for topic in (
            "tiếp nhận hồ sơ thủ tục hành chính",
            "giải quyết đơn khiếu nại",
            "quản lý văn bản đến",
            "thẩm định dự toán ngân sách",
            "đăng ký hộ tịch",
            "kiểm tra hồ sơ đất đai",
            "quản lý hồ sơ công chức",
        )
    ),
}
_STEM_SUBJECTS = tuple(_STEMS)
_STEM_SUBJECT_P = (0.3, 0.25, 0.15, 0.15, 0.15)
_CORRECT_RATE_MEAN = np.array([0.78, 0.6, 0.4])  # easy, medium, hard


def _logit(p: FloatArray) -> FloatArray:
    logit: FloatArray = np.log(p / (1 - p))
    return logit


def _province_weights() -> tuple[npt.NDArray[np.str_], FloatArray]:
    """Province codes and their share of candidates (communes as a proxy for people)."""
    codes = np.array([p.code for p in admin.provinces()])
    communes = np.array([len(admin.communes_of(c)) for c in codes], dtype=np.float64)
    return codes, communes / communes.sum()


def _rounds(ctx: GenContext) -> dict[str, Any]:
    rng = ctx.rng("exams.rounds")
    provinces, weights = _province_weights()
    ref = np.datetime64(ctx.reference_date, "D")
    n_rec = ctx.count(800, minimum=12)
    n_kd = ctx.count(10, minimum=3)
    n = n_rec + n_kd

    kind = np.r_[np.where(rng.random(n_rec) < 0.65, "TT", "XT"), np.full(n_kd, "KD")]
    central = np.r_[rng.random(n_rec) < 0.3, np.ones(n_kd, dtype=bool)]
    province = np.where(central, "", provinces[choose(rng, n, weights)])
    start = np.where(kind == "KD", FIRST_ASSESSMENT, FIRST_RECRUITMENT)
    span = (ref - np.timedelta64(14, "D") - start).astype(np.int64)
    exam_date = start + (rng.random(n) * span).astype("timedelta64[D]")
    year = year_of(exam_date)
    grade = np.array(GRADES)[choose(rng, n, GRADE_P)]
    grade = np.where(kind == "KD", np.where(rng.random(n) < 0.8, "01.003", "01.004"), grade)

    # Pass rate per round: kind, province and year effects on the logit scale, clipped.
    prov_effect = np.r_[0.0, ctx.rng("exams.province_effect").normal(0, 0.25, len(provinces))]
    year_effect = ctx.rng("exams.year_effect").normal(0, 0.15, ctx.reference_date.year - 2018)
    base = np.select([kind == k for k in PASS_RATE_BASE], list(PASS_RATE_BASE.values()))
    at = np.searchsorted(provinces, province)
    known = (at < len(provinces)) & (provinces[np.minimum(at, len(provinces) - 1)] == province)
    logit = _logit(base) + prov_effect[np.where(known, at + 1, 0)]
    logit = logit + year_effect[year - 2019] + rng.normal(0, 0.15, n)
    pass_rate = np.clip(1 / (1 + np.exp(-logit)), *PASS_RATE_RANGE)

    level = np.where(central, "TW", "TINH")
    agency = organiser_agencies(ctx, rng, level, province)
    label = np.select(
        [kind == "KD", kind == "TT"],
        ["Kiểm định chất lượng đầu vào công chức", "Thi tuyển công chức"],
        "Xét tuyển công chức",
    )
    unique_provinces, inverse = np.unique(province, return_inverse=True)
    place = np.array([_place_name(p) for p in unique_provinces.tolist()])[inverse]
    place = np.where(kind == "KD", "", place)
    name = np.char.add(np.char.add(np.char.add(label, place), " năm "), year.astype(str))
    # Rounds of one organiser in one year are numbered by date: "…, đợt 2".
    _, same, repeats = np.unique(name, return_inverse=True, return_counts=True)
    by_date = np.argsort(exam_date, kind="stable")
    batch = np.empty(n, dtype=np.int64)
    batch[by_date] = cumcount(same[by_date]) + 1
    name = np.where(
        repeats[same] > 1, np.char.add(np.char.add(name, ", đợt "), batch.astype(str)), name
    )
    return {
        "kind": kind,
        "province": province,
        "level": level,
        "exam_date": exam_date,
        "year": year,
        "grade": grade,
        "pass_rate": pass_rate,
        "agency": agency,
        "name": name,
        "on_computer": (kind == "KD") | (rng.random(n) < np.clip((year - 2018) / 4, 0.3, 0.95)),
        "stage2_only": (kind == "TT") & (exam_date >= ASSESSMENT_REQUIRED),
    }


def _place_name(province: str) -> str:
    if not province:
        return " các bộ, ngành Trung ương"
    return " " + inline_name(admin.unit(province).name)


def _registrations(
    ctx: GenContext,
    rounds: dict[str, Any],
    cand_province: npt.NDArray[np.str_],
) -> tuple[IntArray, IntArray]:
    """(candidate, round) pairs: everyone sits one round, a fifth sit a second one.

    A share of registrations goes to the national assessments; the rest to recruitment
    rounds of the candidate's province (or, rarely, of a ministry), or to any recruitment
    round where the province held none."""
    rng = ctx.rng("exams.registrations")
    n = len(cand_province)
    round_province = rounds["province"].astype(str)
    kd = rounds["kind"] == "KD"
    retake = np.flatnonzero(rng.random(n) < 0.2)
    people = np.r_[np.arange(n), retake]
    to_kd = rng.random(len(people)) < ASSESSMENT_SHARE
    chosen = choose(rng, len(people), kd.astype(np.float64))
    recruiting = ~kd
    for p in np.unique(cand_province):
        rows = np.flatnonzero((cand_province[people] == p) & ~to_kd)
        weight = np.select([round_province == p, round_province == ""], [1.0, 0.1], 0.0)
        weight = np.where(recruiting, weight, 0.0)
        if weight.sum() == 0 or not np.any(recruiting & (round_province == p)):
            weight = recruiting.astype(np.float64)
        chosen[rows] = choose(rng, len(rows), weight)
    first, second = chosen[:n], chosen[n:]
    keep = second != first[retake]
    return np.r_[np.arange(n), retake[keep]], np.r_[first, second[keep]]


def _candidates(
    ctx: GenContext, n: int
) -> tuple[dict[str, object], npt.NDArray[np.str_], npt.NDArray[np.str_]]:
    rng = ctx.rng("exams.candidates")
    provinces, weights = _province_weights()
    province = provinces[choose(rng, n, weights)]
    commune_codes = ctx.commune_codes
    commune = commune_codes[sample_within(rng, ctx.commune_province_codes, province)]

    sex = np.where(rng.random(n) < 0.56, "2", "1")
    minority_share = np.array([MINORITY_SHARE.get(p, 0.05) for p in provinces])
    minority = rng.random(n) < minority_share[np.searchsorted(provinces, province)]
    ethnicity = np.full(n, "01", dtype="<U2")
    others = {c: s for c, s in ETHNICITY_POPULATION_SHARE.items() if c != "01"}
    national = np.array(list(others))[choose(rng, n, list(others.values()))]
    ethnicity[minority] = national[minority]
    for p, groups in REGION_OF.items():
        rows = minority & (province == p) & (rng.random(n) < 0.85)
        ethnicity[rows] = np.array(groups)[rng.integers(0, len(groups), rows.sum())]

    education = np.array(["DH", "THS", "TS", "CD", "TC"])[
        choose(rng, n, (0.78, 0.16, 0.01, 0.03, 0.02))
    ]
    priority = np.array(["UT1", "UT2", "UT3", "KHONG"])[choose(rng, n, (0.003, 0.02, 0.04, 0.937))]
    priority = np.where(ethnicity != "01", "UT2", priority)
    columns: dict[str, object] = {
        "candidate_id": serial_ids("TS", n, 9),
        "full_name": full_names_arrow(rng, sex, ethnicity),
        "sex": sex,
        "ethnicity": ethnicity,
        "province_code": province,
        "commune_code": commune,
        "education_level": education,
        "major": np.array(MAJORS)[rng.integers(0, len(MAJORS), n)],
        "priority": priority,
    }
    return columns, province, sex


def _citizen_ids(
    rng: np.random.Generator,
    province: npt.NDArray[np.str_],
    sex: npt.NDArray[np.str_],
    birth_year: IntArray,
) -> pa.Array:
    """12-digit citizen numbers: 3-digit birth province, century and sex, year, 6 digits."""
    n = len(province)
    born_here = rng.random(n) < 0.85
    birth_province = np.where(born_here, province, province[rng.permutation(n)])
    century_sex = (birth_year >= 2000) * 2 + (sex == "2")
    serial = string_ids("", rng.integers(0, 1_000_000, n), 6)
    return concat(
        pc.utf8_lpad(pa.array(birth_province), 3, "0"),
        pa.array(century_sex.astype(np.int64)).cast(pa.string()),
        string_ids("", birth_year % 100, 2),
        serial,
    )


def _results(
    ctx: GenContext,
    rounds: dict[str, Any],
    reg_candidate: IntArray,
    reg_round: IntArray,
    cand_province: npt.NDArray[np.str_],
    graduate: BoolArray,
) -> tuple[pa.Table, IntArray, IntArray]:
    rng = ctx.rng("exams.results")
    n_reg = len(reg_round)
    n_rounds = len(rounds["kind"])

    # Within each round the abler candidates pass, as many as the round's pass rate says.
    ability = rng.normal(0, 1, n_reg) + 0.15 * graduate[reg_candidate]
    size = np.bincount(reg_round, minlength=n_rounds)
    quota = np.rint(rounds["pass_rate"].astype(np.float64) * size).astype(np.int64)
    order = np.lexsort((-ability, reg_round))
    rank = np.empty(n_reg, dtype=np.int64)
    rank[order] = cumcount(reg_round[order])
    passed = rank < quota[reg_round]

    kind = rounds["kind"].astype(str)[reg_round]
    plan = np.where(rounds["stage2_only"][reg_round], "TT2", kind)
    subject = np.full((n_reg, SLOTS), "", dtype="<U4")
    questions = np.full((n_reg, SLOTS), 0, dtype=np.int64)
    for key, subjects in SUBJECTS.items():
        rows = plan == key
        for slot, (code, count) in enumerate(subjects):
            subject[rows, slot] = code
            questions[rows, slot] = count or 0
    present = subject != ""
    slots = present.sum(axis=1)

    # A failed candidate fails one subject (a first-stage one more often) and maybe others.
    two_stage = plan == "TT"
    fail_slot = np.where(
        two_stage, choose(rng, n_reg, (0.2, 0.2, 0.2, 0.4)), (rng.random(n_reg) * slots).astype(int)
    )
    fails = np.zeros((n_reg, SLOTS), dtype=bool)
    fails[np.arange(n_reg), fail_slot] = True
    fails |= present & (rng.random((n_reg, SLOTS)) < 0.3) & ~two_stage[:, None]
    fails &= ~passed[:, None] & present
    first_stage_failed = two_stage & fails[:, :3].any(axis=1)
    present[:, 3] &= ~first_stage_failed  # no second stage after failing the first

    fraction = np.where(
        fails, rng.uniform(0.15, 0.499, fails.shape), 0.5 + 0.5 * rng.beta(2.2, 2.0, fails.shape)
    )
    q = questions.astype(np.float64)
    correct = np.where(
        fails, np.floor(fraction * q), np.maximum(np.ceil(q / 2), np.floor(fraction * q))
    )
    correct = np.minimum(correct, q)
    score = np.where(
        questions > 0, np.round(correct / np.maximum(q, 1) * 100, 2), np.round(fraction * 100, 1)
    )
    score = np.where(~fails & (score < 50), 50.0, score)

    reg_idx, slot_idx = np.nonzero(present)
    rows = len(reg_idx)
    has_q = questions[reg_idx, slot_idx] > 0
    round_of = reg_round[reg_idx]
    table = build_table(
        cat.EXAM_RESULT,
        {
            "result_id": serial_ids("KQ", rows, 10),
            "round_id": string_ids("KT", round_of + 1, 5),
            "candidate_id": string_ids("TS", reg_candidate[reg_idx] + 1, 9),
            "subject": subject[reg_idx, slot_idx],
            "year": rounds["year"].astype(np.int64)[round_of],
            "province_code": cand_province[reg_candidate[reg_idx]],
            "question_count": pa.array(questions[reg_idx, slot_idx], mask=~has_q),
            "correct_count": pa.array(correct[reg_idx, slot_idx].astype(np.int64), mask=~has_q),
            "score": score[reg_idx, slot_idx],
            "passed": ~fails[reg_idx, slot_idx],
            "round_passed": passed[reg_idx],
        },
    )
    return table, size.astype(np.int64), np.bincount(reg_round[passed], minlength=n_rounds)


def _questions(ctx: GenContext) -> pa.Table:
    rng = ctx.rng("exams.questions")
    n = ctx.count(20_000, minimum=200)
    subject_idx = choose(rng, n, _STEM_SUBJECT_P)
    subject = np.array(_STEM_SUBJECTS)[subject_idx]
    stem = np.empty(n, dtype=object)
    for i, code in enumerate(_STEM_SUBJECTS):
        rows = subject_idx == i
        stem[rows] = np.array(_STEMS[code], dtype=object)[
            rng.integers(0, len(_STEMS[code]), rows.sum())
        ]
    difficulty = choose(rng, n, (0.35, 0.45, 0.2))
    first_year = np.where(np.isin(subject, ["NLC"]), 2023, 2019)
    created = first_year + (rng.random(n) * (ctx.reference_date.year + 1 - first_year)).astype(int)
    used = rng.poisson(3.0 * (ctx.reference_date.year + 1 - created))
    mean = _CORRECT_RATE_MEAN[difficulty]
    rate = np.round(rng.beta(mean * 12, (1 - mean) * 12), 3)
    return build_table(
        cat.EXAM_QUESTION,
        {
            "question_id": serial_ids("CH", n, 6),
            "subject": subject,
            "difficulty": (difficulty + 1).astype(str),
            "stem": pa.array(stem, pa.string()),
            "correct_option": np.array(list("ABCD"))[rng.integers(0, 4, n)],
            "created_year": created.astype(np.int64),
            "times_used": used.astype(np.int64),
            "correct_rate": pa.array(rate, mask=used == 0),
            "is_active": rng.random(n) < 0.9,
        },
    )


def generate(ctx: GenContext) -> Iterator[tuple[str, pa.Table]]:
    rounds = _rounds(ctx)
    n_cand = ctx.count(330_000, minimum=300)
    columns, cand_province, sex = _candidates(ctx, n_cand)
    reg_candidate, reg_round = _registrations(ctx, rounds, cand_province)

    # Age at the first round: mostly fresh graduates and people in their late twenties.
    rng = ctx.rng("exams.birth")
    first_year = np.full(n_cand, 9999, dtype=np.int64)
    np.minimum.at(first_year, reg_candidate, rounds["year"].astype(np.int64)[reg_round])
    age = np.clip(np.rint(21.5 + rng.gamma(2.0, 2.5, n_cand)), 21, 42).astype(np.int64)
    birth_year = first_year - age
    birth = year_start(birth_year) + rng.integers(0, 365, n_cand).astype("timedelta64[D]")
    columns["birth_date"] = birth
    columns["citizen_id"] = _citizen_ids(rng, cand_province, sex, birth_year)
    graduate = np.isin(np.asarray(columns["education_level"]), ["THS", "TS"])

    results, size, passed = _results(
        ctx,
        rounds,
        reg_candidate,
        reg_round,
        cand_province,
        graduate,
    )
    n_rounds = len(rounds["kind"])
    positions = np.ceil(size / rng.uniform(4, 10, n_rounds)).astype(np.int64)
    recruiting = rounds["kind"] != "KD"
    log.info("exams: %s rounds, %s candidates, %s results", n_rounds, n_cand, results.num_rows)
    yield (
        "exam_round",
        build_table(
            cat.EXAM_ROUND,
            {
                "round_id": serial_ids("KT", n_rounds, 5),
                "name": rounds["name"],
                "kind": rounds["kind"],
                "year": rounds["year"].astype(np.int64),
                "exam_date": rounds["exam_date"],
                "level": rounds["level"],
                "province_code": blank_to_null(rounds["province"]),
                "agency_id": rounds["agency"],
                "target_grade": rounds["grade"],
                "on_computer": rounds["on_computer"],
                "positions": pa.array(positions, mask=~recruiting),
                "candidate_count": size,
                "passed_count": passed,
            },
        ),
    )
    yield "exam_question", _questions(ctx)
    yield "candidate", build_table(cat.CANDIDATE, columns)
    yield from batches("exam_result", results, ctx)
