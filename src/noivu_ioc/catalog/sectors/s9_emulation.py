"""Sector 9: emulation and commendation (thi đua, khen thưởng): awards, yearly emulation
titles and the dossiers that propose awards to a higher authority."""

from noivu_ioc.catalog.fields import (
    CODE,
    DATE,
    INTEGER,
    PERSONAL,
    PUBLIC,
    STRING,
    agency_ref,
    government_level,
    person_ref,
    province_code,
)
from noivu_ioc.catalog.model import Code, CodeList, Entity, Field, Sector

RECIPIENT_KIND = CodeList(
    "recipient_kind",
    "Đối tượng khen thưởng",
    "Recipient kind",
    "Law on Emulation and Commendation 2022",
    (
        Code("individual", "Cá nhân", "Individual"),
        Code("collective", "Tập thể", "Collective"),
    ),
)

AWARD_AUTHORITY = CodeList(
    "award_authority",
    "Thẩm quyền quyết định khen thưởng",
    "Awarding authority",
    "Law on Emulation and Commendation 2022 (authority to decide awards)",
    (
        Code("CTN", "Chủ tịch nước", "State President"),
        Code("TTG", "Thủ tướng Chính phủ", "Prime Minister"),
        Code("BO_TINH", "Bộ trưởng, Chủ tịch Ủy ban nhân dân tỉnh",
             "Minister or provincial People's Committee chair"),
        Code("CO_SO", "Thủ trưởng cơ quan, đơn vị; Chủ tịch Ủy ban nhân dân xã",
             "Head of an agency or commune People's Committee chair"),
    ),
)

AWARD_BASIS = CodeList(
    "award_basis",
    "Hình thức tổ chức khen thưởng",
    "Basis of the award",
    "Law on Emulation and Commendation 2022",
    (
        Code("THANH_TICH", "Khen thưởng theo công trạng và thành tích đạt được",
             "Merit and achievements"),
        Code("CHUYEN_DE", "Khen thưởng theo chuyên đề", "Campaign or theme"),
        Code("DOT_XUAT", "Khen thưởng đột xuất", "Exceptional act"),
        Code("CONG_HIEN", "Khen thưởng quá trình cống hiến", "Lifetime contribution"),
        Code("NIEN_HAN", "Khen thưởng theo niên hạn", "Years of service"),
        Code("DOI_NGOAI", "Khen thưởng đối ngoại", "Foreign relations"),
    ),
)

DOSSIER_STATUS = CodeList(
    "dossier_status",
    "Tình trạng hồ sơ đề nghị khen thưởng",
    "Award dossier status",
    "Stages of an award dossier",
    (
        Code("DANG_XET", "Đang xét", "Under review"),
        Code("DA_TRINH", "Đã trình cấp có thẩm quyền", "Submitted to the deciding authority"),
        Code("DA_QUYET_DINH", "Đã có quyết định khen thưởng", "Decided"),
        Code("TRA_LAI", "Trả lại hồ sơ", "Returned"),
    ),
)

AWARD = Entity(
    id="award",
    sector="emulation",
    label_vi="Khen thưởng",
    label_en="Award",
    key=("award_id",),
    description_vi="Mỗi dòng là một cá nhân hoặc tập thể được khen thưởng theo một quyết định.",
    description_en="One row per individual or collective awarded by a decision; exactly one of "
    "person_id and agency_id is set.",
    province_field="province_code",
    fields=(
        Field("award_id", "Mã khen thưởng", "Award id", STRING, True),
        Field("award_form", "Hình thức khen thưởng", "Award form", CODE, True, PUBLIC,
              codelist="award_form"),
        Field("recipient_kind", "Đối tượng", "Recipient kind", CODE, True, PUBLIC,
              codelist="recipient_kind"),
        person_ref("Cá nhân được khen thưởng", "Person", sensitivity=PERSONAL),
        agency_ref("Tập thể được khen thưởng", "Agency", sensitivity=PUBLIC),
        Field("basis", "Hình thức tổ chức khen thưởng", "Basis", CODE, True, PUBLIC,
              codelist="award_basis"),
        Field("authority", "Thẩm quyền quyết định", "Awarding authority", CODE, True, PUBLIC,
              codelist="award_authority"),
        Field("decision_no", "Số quyết định", "Decision number", STRING, True, PUBLIC),
        Field("decision_date", "Ngày quyết định", "Decision date", DATE, True, PUBLIC),
        government_level("Cấp của đối tượng", "Recipient's government level", sensitivity=PUBLIC),
        province_code("Tỉnh đề nghị", "Proposing province", sensitivity=PUBLIC,
                      description="Empty for central agencies and their staff"),
        Field("dossier_id", "Hồ sơ đề nghị", "Dossier", STRING, ref="award_dossier.dossier_id",
              description="Empty for awards decided at the base level without a dossier"),
    ),
)

EMULATION_RECORD = Entity(
    id="emulation_record",
    sector="emulation",
    label_vi="Danh hiệu thi đua",
    label_en="Emulation title",
    key=("record_id",),
    description_vi="Danh hiệu thi đua cao nhất mỗi cá nhân, tập thể đạt được trong năm.",
    description_en="The highest emulation title each individual or collective earned in a "
    "year; exactly one of person_id and agency_id is set.",
    province_field="province_code",
    fields=(
        Field("record_id", "Mã bản ghi", "Record id", STRING, True),
        Field("year", "Năm", "Year", INTEGER, True, PUBLIC),
        Field("emulation_title", "Danh hiệu thi đua", "Emulation title", CODE, True, PUBLIC,
              codelist="emulation_title"),
        Field("recipient_kind", "Đối tượng", "Recipient kind", CODE, True, PUBLIC,
              codelist="recipient_kind"),
        person_ref("Cá nhân", "Person", sensitivity=PERSONAL),
        agency_ref("Tập thể", "Agency", sensitivity=PUBLIC),
        province_code(sensitivity=PUBLIC, description="Empty for central agencies and their staff"),
        Field("decision_date", "Ngày quyết định công nhận", "Decision date", DATE, True, PUBLIC),
    ),
)

AWARD_DOSSIER = Entity(
    id="award_dossier",
    sector="emulation",
    label_vi="Hồ sơ đề nghị khen thưởng",
    label_en="Award dossier",
    key=("dossier_id",),
    description_vi="Hồ sơ trình khen thưởng cấp bộ, ngành, cấp tỉnh và bậc cao.",
    description_en="Dossiers proposing awards at ministry or province level and above.",
    province_field="province_code",
    fields=(
        Field("dossier_id", "Mã hồ sơ", "Dossier id", STRING, True),
        Field("award_form", "Hình thức đề nghị", "Proposed award form", CODE, True,
              codelist="award_form"),
        Field("recipient_kind", "Đối tượng", "Recipient kind", CODE, True,
              codelist="recipient_kind"),
        Field("recipients", "Số đối tượng đề nghị", "Proposed recipients", INTEGER, True),
        Field("proposing_agency_id", "Cơ quan đề nghị", "Proposing agency", STRING,
              ref="agency.agency_id"),
        province_code("Tỉnh đề nghị", "Proposing province",
                      description="Empty for dossiers from central agencies"),
        Field("authority", "Cấp quyết định", "Deciding authority", CODE, True,
              codelist="award_authority"),
        Field("submitted_date", "Ngày nộp hồ sơ", "Submitted on", DATE, True),
        Field("status", "Tình trạng", "Status", CODE, True, codelist="dossier_status"),
        Field("decided_date", "Ngày có kết quả", "Closed on", DATE,
              description="Decision date, or the date the dossier was returned"),
        Field("processing_days", "Số ngày xử lý", "Processing days", INTEGER, True,
              description="Days from submission to the result, or to "
              "the reference date while open"),
    ),
)

CODELISTS: tuple[CodeList, ...] = (
    RECIPIENT_KIND,
    AWARD_AUTHORITY,
    AWARD_BASIS,
    DOSSIER_STATUS,
)

SECTOR = Sector(
    id="emulation",
    number=9,
    label_vi="Thi đua, khen thưởng",
    label_en="Emulation and commendation",
    legal_basis="Decision 708/QĐ-BNV (11/9/2023); Law on Emulation and Commendation 2022 "
    "(Law 06/2022/QH15); Decree 98/2023/NĐ-CP detailing it",
    entities=(AWARD, EMULATION_RECORD, AWARD_DOSSIER),
)
