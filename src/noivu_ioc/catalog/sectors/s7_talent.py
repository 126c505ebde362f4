"""Sector 7: talent (nhân tài): people recognised as talented and the programmes that
attract and employ them in agencies of the Party, the State and mass organisations.
"""

from __future__ import annotations

from noivu_ioc.catalog.fields import (
    CODE,
    DECIMAL,
    INTEGER,
    PERSONAL,
    PROVINCE_NOTE_VI,
    PUBLIC,
    STRING,
    agency_ref,
    birth_year,
    full_name,
    government_level,
    person_ref,
    province_code,
    sex,
)
from noivu_ioc.catalog.model import Code, CodeList, Entity, Field, Sector

_DECREE_179 = (
    "Nghị định 179/2024/NĐ-CP quy định chính sách thu hút, trọng dụng người có tài năng "
    "làm việc trong cơ quan, tổ chức, đơn vị của Đảng, Nhà nước, Mặt trận Tổ quốc và tổ "
    "chức chính trị - xã hội"
)
_DECREE_140 = (
    "Nghị định 140/2017/NĐ-CP về chính sách thu hút, tạo nguồn cán bộ từ sinh viên tốt "
    "nghiệp xuất sắc, cán bộ khoa học trẻ"
)

TALENT_FIELD = CodeList(
    "talent_field",
    "Lĩnh vực tài năng",
    "Field of talent",
    "Phân nhóm lĩnh vực dùng trong cơ sở dữ liệu nhân tài",
    (
        Code("KHCN", "Khoa học tự nhiên, kỹ thuật và công nghệ", "Science and technology"),
        Code("CNTT", "Công nghệ thông tin, chuyển đổi số", "IT and digital transformation"),
        Code("KHXH", "Khoa học xã hội và nhân văn", "Social sciences and humanities"),
        Code("QLNN", "Lãnh đạo, quản lý, quản trị công", "Leadership and public management"),
        Code("KTTC", "Kinh tế, tài chính", "Economics and finance"),
        Code("PL", "Pháp luật", "Law"),
        Code("YT", "Y tế", "Health"),
        Code("GD", "Giáo dục, đào tạo", "Education"),
        Code("VHNT", "Văn hóa, nghệ thuật", "Culture and the arts"),
        Code("TDTT", "Thể dục, thể thao", "Sport"),
        Code("NN", "Nông nghiệp, môi trường", "Agriculture and environment"),
    ),
)

TALENT_CRITERION = CodeList(
    "talent_criterion",
    "Tiêu chí xác định người có tài năng",
    "Criterion met",
    _DECREE_179 + "; " + _DECREE_140,
    (
        Code("TNXS", "Tốt nghiệp đại học loại xuất sắc, thủ khoa", "Top or excellent graduate"),
        Code(
            "SDHXS",
            "Thạc sĩ, tiến sĩ tốt nghiệp loại xuất sắc hoặc ở cơ sở đào tạo uy tín",
            "Excellent master's or doctoral graduate",
        ),
        Code("GTQT", "Đạt giải thưởng quốc tế", "International prize or medal"),
        Code("GTQG", "Đạt giải thưởng quốc gia", "National prize or medal"),
        Code(
            "KHCN",
            "Có công trình khoa học, sáng chế được công nhận",
            "Recognised research or patents",
        ),
        Code("CG", "Chuyên gia, nhà khoa học đầu ngành", "Leading expert"),
        Code("DH", "Được phong tặng danh hiệu vinh dự nhà nước", "State honorary title"),
        Code(
            "QL",
            "Có thành tích lãnh đạo, quản lý, thực thi công vụ nổi bật",
            "Outstanding leadership or public service",
        ),
    ),
)

TALENT_ORIGIN = CodeList(
    "talent_origin",
    "Nguồn nhân tài",
    "Origin",
    _DECREE_179,
    (
        Code("CBCCVC", "Cán bộ, công chức, viên chức", "Already in the public service"),
        Code("TN", "Ngoài khu vực công trong nước", "From outside the public sector"),
        Code("NN", "Người Việt Nam ở nước ngoài, người nước ngoài", "From abroad"),
    ),
)

TALENT_STATUS = CodeList(
    "talent_status",
    "Tình trạng",
    "Status",
    _DECREE_179,
    (
        Code("THU_HUT", "Đã được thu hút vào khu vực công", "Attracted into the public sector"),
        Code("TRONG_DUNG", "Đang được trọng dụng", "Employed under the talent policy"),
        Code("THEO_DOI", "Trong diện theo dõi, tạo nguồn", "Followed as a potential recruit"),
        Code("ROI", "Đã rời khu vực công", "Left the public sector"),
    ),
)

TALENT_POLICY = CodeList(
    "talent_policy",
    "Loại chính sách",
    "Kind of policy",
    _DECREE_179,
    (
        Code("THU_HUT", "Thu hút", "Attraction"),
        Code("TRONG_DUNG", "Trọng dụng, đãi ngộ", "Employment and rewards"),
        Code("TAO_NGUON", "Tạo nguồn cán bộ", "Building a pool of future cadres"),
    ),
)

CODELISTS: tuple[CodeList, ...] = (
    TALENT_FIELD,
    TALENT_CRITERION,
    TALENT_ORIGIN,
    TALENT_STATUS,
    TALENT_POLICY,
)

TALENT_PROGRAMME = Entity(
    id="talent_programme",
    sector="talent",
    label_vi="Chương trình thu hút, trọng dụng nhân tài",
    label_en="Talent programme",
    key=("programme_id",),
    province_field="province_code",
    unit_field="agency_id",
    description_vi="Đề án, kế hoạch thu hút, trọng dụng nhân tài của một bộ, ngành hoặc một "
    "tỉnh trong một năm.",
    description_en="A ministry's or a province's yearly plan to attract and employ talent.",
    fields=(
        Field("programme_id", "Mã chương trình", "Programme id", STRING, True, PUBLIC),
        Field("name", "Tên chương trình", "Name", STRING, True, PUBLIC),
        government_level("Cấp ban hành", "Government level", required=True, sensitivity=PUBLIC),
        province_code("Tỉnh, thành phố", "Province", description=PROVINCE_NOTE_VI),
        agency_ref("Cơ quan chủ trì", "Lead agency"),
        Field("year", "Năm", "Year", INTEGER, True, PUBLIC),
        Field("policy", "Loại chính sách", "Kind of policy", CODE, True, PUBLIC,
              codelist="talent_policy"),
        Field("field", "Lĩnh vực ưu tiên", "Priority field", CODE, False, PUBLIC,
              codelist="talent_field", description="Empty when the programme covers every field."),
        Field("legal_basis", "Căn cứ pháp lý", "Legal basis", STRING, True, PUBLIC),
        Field("budget_million_vnd", "Kinh phí (triệu đồng)", "Budget (million VND)", DECIMAL),
        Field("target_count", "Chỉ tiêu thu hút", "Target number of people", INTEGER, True),
        Field("recruited_count", "Số người đã thu hút", "People recruited", INTEGER, True,
              description="Equals the talents whose programme_id is this programme."),
    ),
)

TALENT = Entity(
    id="talent",
    sector="talent",
    label_vi="Người có tài năng",
    label_en="Talented person",
    key=("talent_id",),
    province_field="province_code",
    unit_field="agency_id",
    description_vi="Người được ghi nhận có tài năng; người đang làm việc trong khu vực công "
    "có mã hồ sơ CBCCVC, người ngoài khu vực công chỉ có họ tên.",
    description_en="A person recognised as talented; one in the public service has a "
    "personnel dossier (person_id), one outside it only a name here.",
    fields=(
        Field("talent_id", "Mã nhân tài", "Talent id", STRING, True),
        person_ref("Mã hồ sơ CBCCVC", "Person", sensitivity=PERSONAL,
                   description="Set when the person works in the public service."),
        full_name(sensitivity=PERSONAL,
                  description="Only for people outside the personnel database."),
        sex(required=True, sensitivity=PERSONAL),
        birth_year(sensitivity=PERSONAL),
        Field("origin", "Nguồn", "Origin", CODE, True, codelist="talent_origin"),
        Field("field", "Lĩnh vực", "Field", CODE, True, codelist="talent_field"),
        Field("criterion", "Tiêu chí", "Criterion met", CODE, True, codelist="talent_criterion"),
        Field("achievement", "Thành tích tiêu biểu", "Main achievement", STRING),
        Field("education_level", "Trình độ chuyên môn", "Highest qualification", CODE, True,
              codelist="education_level"),
        Field("recognition_year", "Năm ghi nhận", "Year recognised", INTEGER, True),
        Field("status", "Tình trạng", "Status", CODE, True, codelist="talent_status"),
        Field("programme_id", "Chương trình thu hút", "Programme that recruited them", STRING,
              ref="talent_programme.programme_id"),
        province_code("Tỉnh, thành phố", "Province", description=PROVINCE_NOTE_VI),
        agency_ref("Cơ quan công tác", "Agency"),
    ),
)

SECTOR = Sector(
    id="talent",
    number=7,
    label_vi="Nhân tài",
    label_en="Talent",
    legal_basis="Quyết định 708/QĐ-BNV ngày 11/9/2023; " + _DECREE_179 + "; " + _DECREE_140,
    entities=(TALENT_PROGRAMME, TALENT),
)
