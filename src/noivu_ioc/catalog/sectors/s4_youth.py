"""Sector 4: youth (thanh niên), people aged 16 to 30 under the Youth Law 2020."""

from noivu_ioc.catalog.fields import (
    CODE,
    DATE,
    DECIMAL,
    INTEGER,
    PUBLIC,
    STRING,
    province_code,
)
from noivu_ioc.catalog.model import Code, CodeList, Entity, Field, Sector

YOUTH_PROGRAMME_FIELD = CodeList(
    "youth_programme_field",
    "Lĩnh vực chương trình, đề án thanh niên",
    "Field of a youth programme",
    "Vietnam Youth Development Strategy 2021-2030 (Decision 1331/QĐ-TTg)",
    (
        Code("VIEC_LAM", "Giáo dục nghề nghiệp và việc làm", "Vocational training and jobs"),
        Code("KHOI_NGHIEP", "Khởi nghiệp, đổi mới sáng tạo", "Start-ups and innovation"),
        Code("KY_NANG", "Kỹ năng sống, đạo đức, lối sống", "Life skills and ethics"),
        Code("TINH_NGUYEN", "Tình nguyện vì cộng đồng", "Volunteering"),
        Code("CHUYEN_DOI_SO", "Chuyển đổi số", "Digital transformation"),
        Code("SUC_KHOE", "Sức khỏe, thể chất", "Health and fitness"),
        Code("VAN_HOA", "Văn hóa, thể thao", "Culture and sport"),
        Code("DTTS", "Thanh niên vùng dân tộc thiểu số", "Youth in ethnic minority areas"),
    ),
)

PROGRAMME_STATUS = CodeList(
    "programme_status",
    "Tình trạng thực hiện",
    "Implementation status",
    "Stages of a programme or scheme (chương trình, đề án)",
    (
        Code("KE_HOACH", "Đã phê duyệt, chưa triển khai", "Approved, not started"),
        Code("DANG_THUC_HIEN", "Đang thực hiện", "Under way"),
        Code("HOAN_THANH", "Đã hoàn thành", "Completed"),
        Code("DUNG", "Dừng thực hiện", "Stopped"),
    ),
)

YOUTH_STATISTICS = Entity(
    id="youth_statistics",
    sector="youth",
    label_vi="Số liệu thống kê thanh niên",
    label_en="Youth statistics",
    key=("province_code", "year"),
    description_vi="Thanh niên từ đủ 16 đến 30 tuổi theo tỉnh và năm.",
    description_en="Young people aged 16 to 30 by province and year. Generated at national "
    "magnitude whatever the scale (about 22-23 million, 22-23% of the population); the year "
    "of the reference date is an estimate.",
    province_field="province_code",
    fields=(
        province_code(required=True, sensitivity=PUBLIC),
        Field("year", "Năm", "Year", INTEGER, True, PUBLIC),
        Field("population", "Dân số trung bình", "Average population", INTEGER, True, PUBLIC),
        Field("youth_total", "Số thanh niên", "Young people", INTEGER, True, PUBLIC),
        Field("youth_male", "Thanh niên nam", "Young men", INTEGER, True, PUBLIC),
        Field("youth_female", "Thanh niên nữ", "Young women", INTEGER, True, PUBLIC),
        Field("employed", "Thanh niên có việc làm", "Employed", INTEGER, True, PUBLIC),
        Field("in_training", "Thanh niên đang đi học, đào tạo", "In education or training",
              INTEGER, True, PUBLIC),
        Field("unemployed", "Thanh niên thất nghiệp", "Unemployed", INTEGER, True, PUBLIC),
        Field("youth_share_pct", "Tỷ lệ thanh niên trong dân số (%)", "Share of the population (%)",
              DECIMAL, True, PUBLIC),
    ),
)

YOUTH_PROGRAMME = Entity(
    id="youth_programme",
    sector="youth",
    label_vi="Chương trình, đề án về thanh niên",
    label_en="Youth programme or scheme",
    key=("programme_id",),
    description_vi="Chương trình, đề án của tỉnh dành cho thanh niên.",
    description_en="Provincial programmes and schemes for young people.",
    province_field="province_code",
    fields=(
        Field("programme_id", "Mã chương trình", "Programme id", STRING, True, PUBLIC),
        Field("name", "Tên chương trình, đề án", "Name", STRING, True, PUBLIC),
        Field("field", "Lĩnh vực", "Field", CODE, True, PUBLIC, codelist="youth_programme_field"),
        province_code(required=True, sensitivity=PUBLIC),
        Field("year", "Năm phê duyệt", "Year approved", INTEGER, True, PUBLIC),
        Field("start_date", "Ngày bắt đầu", "Starts on", DATE, True, PUBLIC),
        Field("end_date", "Ngày kết thúc", "Ends on", DATE, True, PUBLIC),
        Field("budget_vnd", "Kinh phí (đồng)", "Budget (VND)", DECIMAL, True, PUBLIC),
        Field("spent_vnd", "Kinh phí đã giải ngân (đồng)", "Spent (VND)", DECIMAL),
        Field("participants_target", "Số thanh niên tham gia theo kế hoạch", "Planned participants",
              INTEGER, True, PUBLIC),
        Field("participants", "Số thanh niên đã tham gia", "Participants so far",
              INTEGER, True, PUBLIC),
        Field("status", "Tình trạng", "Status", CODE, True, PUBLIC, codelist="programme_status"),
    ),
)

CODELISTS: tuple[CodeList, ...] = (YOUTH_PROGRAMME_FIELD, PROGRAMME_STATUS)

SECTOR = Sector(
    id="youth",
    number=4,
    label_vi="Thanh niên",
    label_en="Youth",
    legal_basis="Decision 708/QĐ-BNV (11/9/2023); Youth Law 2020 (Law 57/2020/QH14); "
    "Vietnam Youth Development Strategy 2021-2030 (Decision 1331/QĐ-TTg)",
    entities=(YOUTH_STATISTICS, YOUTH_PROGRAMME),
)
