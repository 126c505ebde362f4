"""Generator for sector 4 (youth): statistics of young people aged 16 to 30 by province and
year, and provincial youth programmes.

Statistics are aggregates, so they keep national magnitude at every scale: about 22-23
million young people, 22-23% of the population, slowly falling as the population ages.
Programmes are records and scale with the context.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from noivu_ioc.generate.columns import (
    build_table,
    choose,
    lookup,
    pick,
    serial_ids,
    unit_phrase,
    year_start,
)
from noivu_ioc.generate.context import GenContext
from noivu_ioc.generate.sectors.s2_local_government import province_population

YEARS = range(2021, 2027)
_BASE_YEAR = 2025  # the year the province populations describe

# Share of young people by province, in percentage points above or below the national one:
# young workers move to the industrial provinces and cities, mountain provinces have more
# children, the Mekong delta and the north-central coast lose young people.
_YOUTH_SHARE_SHIFT = {
    "24": 2.5, "79": 1.8, "75": 1.8, "31": 1.0, "01": 1.0, "48": 0.5, "33": 0.5,
    "11": 1.2, "12": 1.5, "14": 1.0, "08": 0.8, "15": 0.6, "52": 0.6, "66": 0.4,
    "42": -1.2, "40": -0.8, "38": -0.6, "37": -0.8, "44": -0.8,
    "86": -1.5, "82": -1.2, "91": -1.0, "92": -1.0, "96": -1.2,
}
# Yearly population growth by province (national about 0.9%).
_GROWTH = {"79": 0.016, "75": 0.018, "24": 0.02, "01": 0.014, "31": 0.012, "48": 0.012,
           "86": 0.002, "82": 0.002, "91": 0.001, "96": 0.0, "92": 0.003, "42": 0.004}
_CITIES = frozenset({"01", "79", "48", "31", "92", "46"})

_PROGRAMMES = 2_000  # national magnitude over 2021-2026
_PROGRAMME_NAMES = {
    "VIEC_LAM": "Đề án hỗ trợ thanh niên học nghề và tạo việc làm",
    "KHOI_NGHIEP": "Chương trình hỗ trợ thanh niên khởi nghiệp",
    "KY_NANG": "Đề án giáo dục kỹ năng sống cho thanh niên",
    "TINH_NGUYEN": "Chương trình thanh niên tình nguyện vì cộng đồng",
    "CHUYEN_DOI_SO": "Chương trình thanh niên tham gia chuyển đổi số",
    "SUC_KHOE": "Đề án nâng cao thể chất và sức khỏe thanh niên",
    "VAN_HOA": "Chương trình phát triển văn hóa, thể thao cho thanh niên",
    "DTTS": "Đề án hỗ trợ thanh niên vùng đồng bào dân tộc thiểu số",
}
_PROGRAMME_WEIGHTS = {"VIEC_LAM": 0.22, "KHOI_NGHIEP": 0.16, "KY_NANG": 0.14,
                      "TINH_NGUYEN": 0.14, "CHUYEN_DOI_SO": 0.12, "SUC_KHOE": 0.08,
                      "VAN_HOA": 0.08, "DTTS": 0.06}
_MINORITY_PROVINCES = frozenset({"04", "08", "11", "12", "14", "15", "20", "51", "52", "66",
                                 "68", "86", "92"})


def generate(ctx: GenContext) -> Iterator[tuple[str, pa.Table]]:
    yield "youth_statistics", _statistics(ctx)
    yield "youth_programme", _programmes(ctx)


def _statistics(ctx: GenContext) -> pa.Table:
    rng = ctx.rng("youth_statistics")
    provinces = ctx.province_codes
    base = province_population(ctx).astype(np.float64)
    shift = np.array([_YOUTH_SHARE_SHIFT.get(str(p), 0.0) for p in provinces])
    growth = np.array([_GROWTH.get(str(p), 0.008) for p in provinces])
    city = np.isin(provinces, list(_CITIES))
    # Persistent province traits, then yearly noise.
    shift = shift + rng.normal(0.0, 0.4, len(provinces))
    shift -= np.average(shift, weights=base)
    training_base = np.where(city, 0.27, 0.18) + rng.normal(0.0, 0.015, len(provinces))
    unemployment_base = np.where(city, 0.05, 0.035) + rng.normal(0.0, 0.006, len(provinces))

    years = np.repeat(np.array(list(YEARS)), len(provinces))
    p_index = np.tile(np.arange(len(provinces)), len(YEARS))
    n = len(years)
    population = np.round(base[p_index] * (1.0 + growth[p_index]) ** (years - _BASE_YEAR))
    national_share = 22.9 - 0.2 * (years - 2021)  # percent
    share = national_share + shift[p_index] + rng.normal(0.0, 0.15, n)
    youth = np.round(population * share / 100.0)
    male = np.round(youth * rng.normal(0.508, 0.004, n))
    in_training = np.round(youth * (training_base[p_index] + rng.normal(0.0, 0.005, n)))
    # Neither working, looking for work nor in training: a small, steady share.
    outside = np.round(youth * rng.normal(0.05, 0.005, n))
    labour = youth - in_training - outside
    unemployment = unemployment_base[p_index] + rng.normal(0.0, 0.003, n)
    # 2021 carries the pandemic's rise in youth unemployment.
    unemployment = unemployment + np.where(years == 2021, 0.012, 0.0)
    unemployed = np.round(labour * unemployment)

    return build_table(
        "youth_statistics",
        {
            "province_code": provinces[p_index],
            "year": years.astype(np.int64),
            "population": population.astype(np.int64),
            "youth_total": youth.astype(np.int64),
            "youth_male": male.astype(np.int64),
            "youth_female": (youth - male).astype(np.int64),
            "employed": (labour - unemployed).astype(np.int64),
            "in_training": in_training.astype(np.int64),
            "unemployed": unemployed.astype(np.int64),
            "youth_share_pct": np.round(youth / population * 100.0, 2),
        },
    )


def _programmes(ctx: GenContext) -> pa.Table:
    rng = ctx.rng("youth_programme")
    provinces = ctx.province_codes
    n = ctx.count(_PROGRAMMES, minimum=2 * len(provinces))
    weight = province_population(ctx).astype(np.float64) ** 0.5
    # Every province has some programmes; the rest follow population.
    province = np.concatenate(
        [
            provinces,
            provinces[choose(rng, n - len(provinces), weight)],
        ]
    )
    field = pick(rng, n, _PROGRAMME_WEIGHTS)
    minority = np.isin(province, list(_MINORITY_PROVINCES))
    field = np.where((field == "DTTS") & ~minority, "VIEC_LAM", field)
    year = rng.integers(YEARS.start, YEARS.stop, n)

    # A third are five-year schemes (2021-2025 or 2026-2030), the rest run within a year.
    multi_year = rng.random(n) < 0.33
    period_start = np.where(year >= 2026, 2026, 2021)
    period_end = period_start + 4
    label = np.char.add(
        np.char.add(lookup(_PROGRAMME_NAMES, field).astype(str), " "),
        unit_phrase(province),
    )
    period = np.where(
        multi_year,
        np.char.add(
            np.char.add(" giai đoạn ", period_start.astype(str)),
            np.char.add("-", period_end.astype(str)),
        ),
        np.char.add(" năm ", year.astype(str)),
    )
    name = np.char.add(label, period)

    first_day = year_start(np.where(multi_year, period_start, year))
    start = first_day + rng.integers(0, 150, n).astype("timedelta64[D]")
    last_year = np.where(multi_year, period_end, year)
    end = year_start(last_year + 1) - np.timedelta64(1, "D")
    reference = np.datetime64(ctx.reference_date, "D")
    elapsed = np.clip(
        (reference - start).astype(np.float64) / (end - start).astype(np.float64), 0.0, 1.0
    )
    stopped = rng.random(n) < 0.02
    status = np.select(
        [stopped, elapsed <= 0.0, elapsed >= 1.0], ["DUNG", "KE_HOACH", "HOAN_THANH"],
        "DANG_THUC_HIEN",
    )

    budget = np.round(2e9 * rng.lognormal(0.0, 0.8, n) * np.where(multi_year, 3.0, 1.0), -6)
    spent = np.round(budget * elapsed * rng.uniform(0.8, 1.0, n), -6)
    target = np.round(3_000 * rng.lognormal(0.0, 0.9, n) * np.where(multi_year, 3.0, 1.0))
    participants = np.round(target * elapsed * rng.uniform(0.7, 1.15, n))
    return build_table(
        "youth_programme",
        {
            "programme_id": serial_ids("TN", n, 5),
            "name": name,
            "field": field,
            "province_code": province,
            "year": np.where(multi_year, period_start, year).astype(np.int64),
            "start_date": start,
            "end_date": end,
            "budget_vnd": budget,
            "spent_vnd": spent,
            "participants_target": target.astype(np.int64),
            "participants": participants.astype(np.int64),
            "status": status,
        },
    )
