"""Generator for sector 3 (associations, funds and foreign NGOs).

Magnitudes: about 3,081 social and charity funds at the end of 2024 (the ministry's
figure); associations and NGOs are plausible orders of magnitude, not published counts.
Names are built from common patterns and are unique within a province or commune.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import numpy as np
import pyarrow as pa

from noivu_ioc.generate.columns import (
    IntArray,
    StrArray,
    batches,
    build_table,
    choose,
    cumcount,
    lookup,
    nullable,
    pick,
    serial_ids,
    unit_phrase,
    year_start,
)
from noivu_ioc.generate.context import GenContext
from noivu_ioc.generate.sectors.s2_local_government import (
    commune_population,
    province_population,
)

# Associations by scope at national magnitude.
_ASSOCIATIONS = {"TOAN_QUOC": 520, "LIEN_TINH": 40, "TINH": 2_400, "XA": 30_000}
_FUNDS = {"TOAN_QUOC": 540, "LIEN_TINH": 20, "TINH": 2_000, "XA": 521}  # 3,081 in all
_NGOS = 520

# Name bodies of associations, with their field; the ones marked True are associations of
# special character (hội có tính chất đặc thù) in the Prime Minister's list.
_ASSOCIATION_NAMES: tuple[tuple[str, str, bool], ...] = (
    ("Hiệp hội Doanh nghiệp", "KINH_TE", False),
    ("Hiệp hội Doanh nghiệp nhỏ và vừa", "KINH_TE", False),
    ("Hội Doanh nhân trẻ", "KINH_TE", False),
    ("Hội Nữ doanh nhân", "KINH_TE", False),
    ("Hiệp hội Du lịch", "KINH_TE", False),
    ("Hội Làm vườn", "KINH_TE", False),
    ("Hội Nuôi ong", "KINH_TE", False),
    ("Hiệp hội Chế biến gỗ", "KINH_TE", False),
    ("Hội Nghề cá", "KINH_TE", False),
    ("Hiệp hội Vận tải ô tô", "KINH_TE", False),
    ("Hiệp hội Bất động sản", "KINH_TE", False),
    ("Hiệp hội Cà phê", "KINH_TE", False),
    ("Hiệp hội Dệt may", "KINH_TE", False),
    ("Hiệp hội Thực phẩm", "KINH_TE", False),
    ("Hội Nông nghiệp hữu cơ", "KINH_TE", False),
    ("Hiệp hội Logistics", "KINH_TE", False),
    ("Hiệp hội Lương thực", "KINH_TE", False),
    ("Liên hiệp các Hội Khoa học và Kỹ thuật", "KHOA_HOC", True),
    ("Hội Tin học", "KHOA_HOC", False),
    ("Hội Khoa học Lịch sử", "KHOA_HOC", False),
    ("Hội Địa chất", "KHOA_HOC", False),
    ("Hội Cơ khí", "KHOA_HOC", False),
    ("Hội Khoa học Kinh tế", "KHOA_HOC", False),
    ("Hội Bảo vệ thiên nhiên và môi trường", "KHOA_HOC", False),
    ("Hội Khoa học Đất", "KHOA_HOC", False),
    ("Hội Vật lý", "KHOA_HOC", False),
    ("Hội Toán học", "KHOA_HOC", False),
    ("Hội Hóa học", "KHOA_HOC", False),
    ("Hội Sinh học", "KHOA_HOC", False),
    ("Hội Thủy lợi", "KHOA_HOC", False),
    ("Hội Luật gia", "NGHE_NGHIEP", True),
    ("Hội Kế toán và Kiểm toán", "NGHE_NGHIEP", False),
    ("Hội Kiến trúc sư", "NGHE_NGHIEP", True),
    ("Hội Xây dựng", "NGHE_NGHIEP", False),
    ("Hội Thẩm định giá", "NGHE_NGHIEP", False),
    ("Hội Công chứng viên", "NGHE_NGHIEP", False),
    ("Hội Quản trị nhân sự", "NGHE_NGHIEP", False),
    ("Hội Bảo hiểm", "NGHE_NGHIEP", False),
    ("Hội Văn học Nghệ thuật", "VAN_HOA", True),
    ("Hội Nhà báo", "VAN_HOA", True),
    ("Hội Sinh vật cảnh", "VAN_HOA", False),
    ("Hội Nhiếp ảnh", "VAN_HOA", False),
    ("Hội Văn nghệ dân gian", "VAN_HOA", True),
    ("Hội Di sản văn hóa", "VAN_HOA", False),
    ("Hội Mỹ thuật", "VAN_HOA", False),
    ("Hội Thơ Đường luật", "VAN_HOA", False),
    ("Hội Âm nhạc", "VAN_HOA", False),
    ("Hội Sân khấu", "VAN_HOA", False),
    ("Hội Điện ảnh", "VAN_HOA", False),
    ("Hội Thư pháp", "VAN_HOA", False),
    ("Hội Khuyến học", "GIAO_DUC", True),
    ("Hội Cựu giáo chức", "GIAO_DUC", False),
    ("Hội Tâm lý giáo dục", "GIAO_DUC", False),
    ("Hội Giáo dục nghề nghiệp", "GIAO_DUC", False),
    ("Hội Đông y", "Y_TE", True),
    ("Hội Điều dưỡng", "Y_TE", False),
    ("Hội Y học", "Y_TE", False),
    ("Hội Châm cứu", "Y_TE", False),
    ("Hội Dược học", "Y_TE", False),
    ("Hội Kế hoạch hóa gia đình", "Y_TE", False),
    ("Hội Phục hồi chức năng", "Y_TE", False),
    ("Hội Nhãn khoa", "Y_TE", False),
    ("Hội Tim mạch", "Y_TE", False),
    ("Hội Răng Hàm Mặt", "Y_TE", False),
    ("Hội Chữ thập đỏ", "XA_HOI", True),
    ("Hội Người cao tuổi", "XA_HOI", True),
    ("Hội Bảo trợ người khuyết tật và trẻ mồ côi", "XA_HOI", True),
    ("Hội Nạn nhân chất độc da cam/dioxin", "XA_HOI", True),
    ("Hội Người mù", "XA_HOI", True),
    ("Hội Cựu thanh niên xung phong", "XA_HOI", True),
    ("Hội Bảo trợ bệnh nhân nghèo", "XA_HOI", False),
    ("Hội Từ thiện", "XA_HOI", False),
    ("Hội Cựu công an nhân dân", "XA_HOI", False),
    ("Hội Người khuyết tật", "XA_HOI", False),
    ("Hội Bảo vệ quyền trẻ em", "XA_HOI", False),
    ("Hội Cựu tù chính trị và tù binh", "XA_HOI", False),
    ("Liên đoàn Bóng đá", "THE_THAO", False),
    ("Hội Võ thuật cổ truyền", "THE_THAO", False),
    ("Liên đoàn Cờ", "THE_THAO", False),
    ("Liên đoàn Quần vợt", "THE_THAO", False),
    ("Hội Dưỡng sinh", "THE_THAO", False),
    ("Liên đoàn Cầu lông", "THE_THAO", False),
    ("Liên đoàn Bóng chuyền", "THE_THAO", False),
    ("Liên đoàn Điền kinh", "THE_THAO", False),
    ("Liên đoàn Bơi lội", "THE_THAO", False),
    ("Liên đoàn Vovinam", "THE_THAO", False),
    ("Liên hiệp các tổ chức hữu nghị", "HUU_NGHI", True),
    ("Hội Hữu nghị Việt Nam - Lào", "HUU_NGHI", False),
    ("Hội Hữu nghị Việt Nam - Campuchia", "HUU_NGHI", False),
    ("Hội Hữu nghị Việt Nam - Nhật Bản", "HUU_NGHI", False),
    ("Hội Hữu nghị Việt Nam - Hàn Quốc", "HUU_NGHI", False),
    ("Hội Hữu nghị Việt Nam - Trung Quốc", "HUU_NGHI", False),
    ("Hội Hữu nghị Việt Nam - Nga", "HUU_NGHI", False),
    ("Hội Hữu nghị Việt Nam - Pháp", "HUU_NGHI", False),
    ("Hội Hữu nghị Việt Nam - Cuba", "HUU_NGHI", False),
)
# The associations a commune usually has.
_COMMUNE_ASSOCIATIONS = (
    "Hội Người cao tuổi",
    "Hội Khuyến học",
    "Hội Chữ thập đỏ",
    "Hội Cựu giáo chức",
    "Hội Sinh vật cảnh",
    "Hội Làm vườn",
    "Hội Đông y",
    "Hội Nạn nhân chất độc da cam/dioxin",
    "Hội Cựu thanh niên xung phong",
    "Hội Bảo trợ người khuyết tật và trẻ mồ côi",
    "Hội Nuôi ong",
    "Hội Người mù",
    "Hội Cựu công an nhân dân",
    "Hội Dưỡng sinh",
    "Hội Bảo trợ bệnh nhân nghèo",
    "Hội Võ thuật cổ truyền",
    "Hội Thơ Đường luật",
)
_REGIONS = (
    ("miền Bắc", "01"),
    ("miền Trung", "48"),
    ("Tây Nguyên", "66"),
    ("Đông Nam Bộ", "79"),
    ("Đồng bằng sông Cửu Long", "92"),
)

_SOCIAL_PURPOSES = (
    "Khuyến học",
    "Hỗ trợ phát triển tài năng",
    "Bảo tồn di sản văn hóa",
    "Phát triển khoa học và công nghệ",
    "Hỗ trợ nông dân",
    "Phát triển thể thao",
    "Hỗ trợ khởi nghiệp",
    "Vì môi trường xanh",
    "Bảo trợ trẻ em",
    "Hỗ trợ sáng tạo kỹ thuật",
    "Phát triển văn hóa đọc",
    "Hỗ trợ giáo dục vùng cao",
)
_CHARITY_PURPOSES = (
    "Từ thiện",
    "Vì người nghèo",
    "Bảo trợ bệnh nhân nghèo",
    "Hỗ trợ nạn nhân thiên tai",
    "Nâng bước em đến trường",
    "Ánh sáng cho người mù",
    "Trái tim cho em",
    "Hỗ trợ người khuyết tật",
    "Vì nạn nhân chất độc da cam",
    "Mái ấm tình thương",
    "Bữa cơm nghĩa tình",
    "Áo ấm mùa đông",
)
_FUND_EPITHETS = (
    "Hoa Sen",
    "Ánh Dương",
    "Sao Mai",
    "Thiện Tâm",
    "An Phúc",
    "Tâm Sáng",
    "Hướng Dương",
    "Nhân Ái",
    "Sen Hồng",
    "Mầm Xanh",
    "Ước Mơ",
    "Cầu Vồng",
    "Bình Minh",
    "Chắp Cánh",
    "Hy Vọng",
    "Thắp Sáng",
    "Đồng Hành",
    "Sẻ Chia",
    "Tình Thương",
    "Vòng Tay Ấm",
)
# Minimum founding capital by scope, Decree 93/2019/NĐ-CP (VND).
_MIN_CAPITAL = {"TOAN_QUOC": 5e9, "LIEN_TINH": 5e9, "TINH": 1e9, "XA": 5e7}

_STATUS = {"HOAT_DONG": 0.9, "TAM_DINH_CHI": 0.015, "DINH_CHI": 0.01, "HOP_NHAT": 0.02,
           "GIAI_THE": 0.055}

_NGO_FIRST = ("Global", "Bright", "Green", "Pacific", "Mekong", "Open", "United", "Hope",
              "Sunrise", "Horizon", "Blue River", "Evergreen", "Harmony", "Lotus", "Future")
_NGO_SECOND = ("Health", "Children", "Water", "Education", "Development", "Community",
               "Village", "Learning", "Relief", "Vision", "Care", "Livelihoods")
_NGO_THIRD = ("Foundation", "Alliance", "Partners", "Network", "Initiative", "Fund", "Trust",
              "Association")
_NGO_COUNTRY = {"US": 0.28, "JP": 0.08, "KR": 0.08, "FR": 0.07, "DE": 0.06, "GB": 0.06,
                "AU": 0.05, "NL": 0.04, "CA": 0.04, "CH": 0.03, "BE": 0.03, "SG": 0.03,
                "TW": 0.03, "IT": 0.03, "SE": 0.02, "NO": 0.02, "DK": 0.02, "NZ": 0.02}
_NGO_FIELD = {"Y_TE": 0.2, "GIAO_DUC": 0.18, "MOI_TRUONG": 0.12, "NONG_THON": 0.2,
              "THIEN_TAI": 0.07, "TRE_EM": 0.12, "KHUYET_TAT": 0.06, "BINH_DANG_GIOI": 0.05}


def generate(ctx: GenContext) -> Iterator[tuple[str, pa.Table]]:
    yield from batches("association", _associations(ctx), ctx)
    yield "fund", _funds(ctx)
    ngo, areas = _ngos(ctx)
    yield "ngo", ngo
    yield "ngo_activity_area", areas


def _skewed_dates(
    rng: np.random.Generator, first_year: np.ndarray, ctx: GenContext
) -> np.ndarray:
    """Dates from 1 January of ``first_year`` to the reference date, more of them recent."""
    start = year_start(first_year)
    span = (np.datetime64(ctx.reference_date, "D") - start).astype(np.int64)
    offset = (span * rng.random(len(first_year)) ** 0.6).astype(np.int64)
    return np.datetime64(ctx.reference_date, "D") - offset.astype("timedelta64[D]")


def _places(
    ctx: GenContext, rng: np.random.Generator, counts: dict[str, int]
) -> tuple[StrArray, StrArray, StrArray, StrArray]:
    """Scope, province, commune and name suffix of each row, for the counts by scope."""
    scope = np.repeat(np.array(list(counts)), list(counts.values()))
    n = len(scope)
    provinces = ctx.province_codes
    communes = ctx.commune_codes
    province = np.full(n, "", dtype="<U2")
    commune = np.full(n, "", dtype="<U5")
    suffix = np.full(n, "Việt Nam", dtype=object)

    rows = np.flatnonzero(scope == "LIEN_TINH")
    region = rng.integers(0, len(_REGIONS), len(rows))
    suffix[rows] = np.array([r for r, _ in _REGIONS])[region]
    province[rows] = np.array([p for _, p in _REGIONS])[region]

    rows = np.flatnonzero(scope == "TINH")
    weight = province_population(ctx).astype(np.float64) ** 0.3
    province[rows] = provinces[choose(rng, len(rows), weight)]
    suffix[rows] = unit_phrase(province[rows])

    rows = np.flatnonzero(scope == "XA")
    weight = commune_population(ctx).astype(np.float64) ** 0.7
    chosen = choose(rng, len(rows), weight)
    commune[rows] = communes[chosen]
    province[rows] = ctx.commune_province_codes[chosen]
    suffix[rows] = unit_phrase(commune[rows])
    return scope, province, commune, suffix.astype(str)


def _group_ids(scope: StrArray, province: StrArray, commune: StrArray) -> IntArray:
    key = np.char.add(np.char.add(scope, province), commune)
    _, groups = np.unique(key, return_inverse=True)
    return groups.astype(np.int64)


def distinct_within(rng: np.random.Generator, groups: IntArray, options: int) -> IntArray:
    """An option index per row, all different within a group while the group has no more
    rows than there are options (then they repeat); for names unique in a province."""
    n_groups = int(groups.max()) + 1 if len(groups) else 0
    rank = cumcount(groups)
    permutations = np.argsort(rng.random((n_groups, options)), axis=1)
    chosen: IntArray = permutations[groups, rank % options]
    return chosen


def _associations(ctx: GenContext) -> pa.Table:
    rng = ctx.rng("association")
    counts = {s: ctx.count(c) for s, c in _ASSOCIATIONS.items()}
    scope, province, commune, suffix = _places(ctx, rng, counts)
    n = len(scope)
    groups = _group_ids(scope, province, commune)

    bodies = np.array([b for b, _, _ in _ASSOCIATION_NAMES])
    fields = np.array([f for _, f, _ in _ASSOCIATION_NAMES])
    special = np.array([s for _, _, s in _ASSOCIATION_NAMES])
    body_index = distinct_within(rng, groups, len(bodies))
    local = scope == "XA"
    local_bodies = np.array(_COMMUNE_ASSOCIATIONS)
    local_index = distinct_within(rng, groups, len(local_bodies))
    body = np.where(local, local_bodies[local_index], bodies[body_index])
    position = {str(b): i for i, b in enumerate(bodies)}
    unique, inverse = np.unique(body, return_inverse=True)
    full_index = np.array([position[str(b)] for b in unique], dtype=np.int64)[inverse]
    field = fields[full_index]
    is_special = special[full_index]
    has_country = np.char.find(body.astype(str), "Việt Nam") >= 0
    national = scope == "TOAN_QUOC"
    name = np.where(national & has_country, body, np.char.add(np.char.add(body, " "), suffix))

    first_year = np.select(
        [national, scope == "LIEN_TINH", scope == "TINH"], [1955, 1990, 1980], 2000
    )
    established = _skewed_dates(rng, first_year, ctx)
    median_members = np.select([national, scope == "TINH"], [6_000, 1_500], 150)
    members = np.round(median_members * rng.lognormal(0.0, 0.9, n)).astype(np.int64)
    status = pick(rng, n, _STATUS)
    last_report = rng.choice([2025, 2024, 2023, 0], size=n, p=[0.72, 0.14, 0.05, 0.09])
    last_report = np.where(status == "GIAI_THE", 0, last_report)

    return build_table(
        "association",
        {
            "association_id": serial_ids("HOI", n, 6),
            "name": name,
            "scope": scope,
            "field": field,
            "special": is_special,
            "status": status,
            "province_code": nullable(province, national),
            "commune_code": nullable(commune, ~local),
            "established_date": established,
            "members": members,
            "last_report_year": pa.array(last_report, mask=last_report == 0),
        },
    )


def _funds(ctx: GenContext) -> pa.Table:
    rng = ctx.rng("fund")
    counts = {s: ctx.count(c) for s, c in _FUNDS.items()}
    scope, province, commune, suffix = _places(ctx, rng, counts)
    n = len(scope)
    groups = _group_ids(scope, province, commune)

    bodies, kinds = _fund_bodies()
    option = distinct_within(rng, groups, len(bodies))
    kind = kinds[option]
    name = np.char.add(np.char.add(np.char.add("Quỹ ", bodies[option]), " "), suffix)
    local = scope != "TOAN_QUOC"

    minimum = lookup(_MIN_CAPITAL, scope).astype(np.float64)
    capital = np.round(minimum * (1.0 + rng.lognormal(-0.5, 0.9, n)), -6)
    assets = np.round(capital * rng.lognormal(0.2, 0.9, n), -6)
    status = pick(rng, n, _STATUS)
    first_year = np.where(scope == "XA", 2010, 2000)
    last_report = rng.choice([2025, 2024, 0], size=n, p=[0.78, 0.12, 0.1])
    last_report = np.where(status == "GIAI_THE", 0, last_report)
    return build_table(
        "fund",
        {
            "fund_id": serial_ids("QUY", n, 5),
            "name": name,
            "kind": kind,
            "scope": scope,
            "status": status,
            "province_code": nullable(province, ~local),
            "commune_code": nullable(commune, scope != "XA"),
            "licensed_date": _skewed_dates(rng, first_year, ctx),
            "charter_capital_vnd": capital,
            "assets_vnd": assets,
            "last_report_year": pa.array(last_report, mask=last_report == 0),
        },
    )


def _fund_bodies() -> tuple[StrArray, StrArray]:
    """What follows "Quỹ" in a fund's name, and the kind of fund it implies."""
    bodies = [*_SOCIAL_PURPOSES, *_CHARITY_PURPOSES]
    kinds = ["XA_HOI"] * len(_SOCIAL_PURPOSES) + ["TU_THIEN"] * len(_CHARITY_PURPOSES)
    for epithet in _FUND_EPITHETS:
        bodies += [f"Từ thiện {epithet}", f"Vì cộng đồng {epithet}"]
        kinds += ["TU_THIEN", "XA_HOI"]
    return np.array(bodies), np.array(kinds)


def _ngos(ctx: GenContext) -> tuple[pa.Table, pa.Table]:
    rng = ctx.rng("ngo")
    n = ctx.count(_NGOS, minimum=10)
    combos = len(_NGO_FIRST) * len(_NGO_SECOND) * len(_NGO_THIRD)
    combo = rng.permutation(combos)[np.arange(n) % combos]
    first, rest = np.divmod(combo, len(_NGO_SECOND) * len(_NGO_THIRD))
    second, third = np.divmod(rest, len(_NGO_THIRD))
    name = np.char.add(
        np.char.add(np.array(_NGO_FIRST)[first], " "),
        np.char.add(np.char.add(np.array(_NGO_SECOND)[second], " "),
                    np.array(_NGO_THIRD)[third]),
    )

    registration = pick(rng, n, {"HOAT_DONG": 0.75, "VP_DU_AN": 0.17, "VP_DAI_DIEN": 0.08})
    office = pick(rng, n, {"01": 0.72, "79": 0.2, "48": 0.05, "46": 0.03})
    no_office = (registration == "HOAT_DONG") & (rng.random(n) < 0.3)
    registered = _skewed_dates(rng, np.full(n, 2019), ctx)
    registered = np.maximum(registered, np.datetime64(date(2019, 7, 1), "D"))
    expiry = (registered.astype("datetime64[M]") + np.timedelta64(60, "M")).astype(
        "datetime64[D]"
    )
    expired = expiry < np.datetime64(ctx.reference_date, "D")
    status = np.where(
        expired,
        np.where(rng.random(n) < 0.7, "HET_HAN", "CHAM_DUT"),
        np.where(rng.random(n) < 0.01, "THU_HOI", "HIEU_LUC"),
    )

    # Provinces of activity: weighted sampling without replacement (Gumbel top-k).
    provinces = ctx.province_codes
    area_count = np.minimum(rng.geometric(0.35, n) + rng.integers(0, 2, n), 12)
    poorer = np.isin(provinces, ["04", "08", "11", "12", "14", "15", "20", "52", "51", "66"])
    weight = np.where(poorer, 3.0, 1.0)
    keys = np.log(rng.random((n, len(provinces)))) / weight
    ranked = np.argsort(-keys, axis=1)
    take_mask = np.arange(len(provinces))[None, :] < area_count[:, None]
    ngo_index = np.repeat(np.arange(n), area_count)
    area_province = provinces[ranked[take_mask]]

    ngo_ids = serial_ids("NGO", n, 4)
    ngo = build_table(
        "ngo",
        {
            "ngo_id": ngo_ids,
            "name": name,
            "country": pick(rng, n, _NGO_COUNTRY),
            "registration_kind": registration,
            "field": pick(rng, n, _NGO_FIELD),
            "office_province_code": nullable(office, no_office),
            "province_count": area_count.astype(np.int64),
            "registered_date": registered,
            "expiry_date": expiry,
            "status": status,
            "yearly_aid_usd": np.round(300_000 * rng.lognormal(0.0, 1.1, n), -2),
        },
    )
    areas = build_table(
        "ngo_activity_area",
        {"ngo_id": ngo_ids.take(pa.array(ngo_index)), "province_code": area_province},
    )
    return ngo, areas
