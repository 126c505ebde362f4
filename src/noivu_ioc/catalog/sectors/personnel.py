"""Sector 0, the national database of cadres, civil servants and public employees (CSDL quốc
gia về cán bộ, công chức, viên chức): one electronic dossier per person and the records that
hang from it.

Circular 06/2023/TT-BNV set the fields of the database; Decree 27/2026/NĐ-CP (in force
1/7/2026) gives each person one dossier with one identifier, in 10 groups of fields. This
catalog keeps the fields the IOC analyses; identity, family, Party membership, health,
discipline and assets are sensitive personal data under Decree 13/2023/NĐ-CP.
"""

from noivu_ioc.catalog.fields import (
    BOOLEAN,
    CODE,
    DATE,
    DECIMAL,
    INTEGER,
    PERSONAL,
    SENSITIVE,
    STRING,
    TIMESTAMP,
    agency_ref,
    birth_date,
    birth_year,
    commune_code,
    ethnicity,
    full_name,
    government_level,
    person_ref,
    province_code,
    religion,
    sex,
    staff_category,
)
from noivu_ioc.catalog.model import Code, CodeList, Entity, Field, Sector

FAMILY_RELATIONSHIP = CodeList(
    id="family_relationship",
    label_vi="Quan hệ gia đình",
    label_en="Family relationship",
    source="Circular 06/2023/TT-BNV (dossier form: family relationships)",
    codes=(
        Code("01", "Bố đẻ", "Father"),
        Code("02", "Mẹ đẻ", "Mother"),
        Code("03", "Vợ", "Wife"),
        Code("04", "Chồng", "Husband"),
        Code("05", "Con", "Child"),
        Code("06", "Anh, chị, em ruột", "Sibling"),
        Code("07", "Bố vợ, bố chồng", "Father-in-law"),
        Code("08", "Mẹ vợ, mẹ chồng", "Mother-in-law"),
    ),
)

HEALTH_STATUS = CodeList(
    id="health_class",
    label_vi="Phân loại sức khỏe",
    label_en="Health classification",
    source="Circular 14/2013/TT-BYT (health check classification, grades I to V)",
    codes=(
        Code("1", "Loại I - Rất khỏe", "Grade I, very good"),
        Code("2", "Loại II - Khỏe", "Grade II, good"),
        Code("3", "Loại III - Trung bình", "Grade III, average"),
        Code("4", "Loại IV - Yếu", "Grade IV, poor"),
        Code("5", "Loại V - Rất yếu", "Grade V, very poor"),
    ),
)

DECLARATION_TYPE = CodeList(
    id="asset_declaration_type",
    label_vi="Phương thức kê khai tài sản, thu nhập",
    label_en="Kind of asset and income declaration",
    source="Law on Anti-corruption 2018, art. 36",
    codes=(
        Code("LD", "Kê khai lần đầu", "First declaration"),
        Code("BS", "Kê khai bổ sung", "Additional declaration"),
        Code("HN", "Kê khai hằng năm", "Annual declaration"),
        Code("CT", "Kê khai phục vụ công tác cán bộ", "Declaration for a personnel decision"),
    ),
)

CODELISTS: tuple[CodeList, ...] = (FAMILY_RELATIONSHIP, HEALTH_STATUS, DECLARATION_TYPE)


# Every record of a person carries the province of their agency, to scope it by province.
_PROVINCE_OF_WORK = province_code(
    "Mã tỉnh, thành phố nơi công tác", "Province of work",
    description="2-digit code after 1/7/2025; empty for central agencies",
)

PERSON = Entity(
    id="person",
    sector="personnel",
    label_vi="Hồ sơ cán bộ, công chức, viên chức",
    label_en="Personnel dossier",
    description_vi="Mỗi người một hồ sơ điện tử với một mã định danh duy nhất.",
    description_en="One electronic dossier per person, with one identifier.",
    key=("person_id",),
    unit_field="agency_id",
    province_field="province_code",
    fields=(
        Field("person_id", "Mã hồ sơ", "Dossier identifier", STRING, True,
              description="'CB' followed by 10 digits"),
        full_name(required=True, sensitivity=PERSONAL),
        sex(required=True, sensitivity=PERSONAL),
        birth_date(required=True, sensitivity=PERSONAL),
        Field("citizen_id", "Số căn cước", "Citizen identity number", STRING, True, SENSITIVE,
              description="12 digits: birth province, century and sex, year, serial"),
        ethnicity(required=True, sensitivity=SENSITIVE),
        religion(required=True, sensitivity=SENSITIVE),
        Field("hometown_province", "Quê quán (tỉnh)", "Home province", STRING, False, PERSONAL),
        agency_ref("Cơ quan, đơn vị công tác", "Agency", required=True),
        Field("job_position_id", "Vị trí việc làm", "Job position", STRING,
              ref="job_position.job_position_id"),
        government_level(required=True),
        _PROVINCE_OF_WORK,
        commune_code("Mã xã nơi công tác", "Commune of work",
                     description="5-digit code for commune-level staff, otherwise empty"),
        staff_category(required=True),
        Field("grade", "Ngạch công chức", "Civil-servant grade", CODE,
              codelist="civil_servant_grade"),
        Field("title", "Chức danh nghề nghiệp", "Public-employee title", CODE,
              codelist="public_employee_title"),
        Field("grade_date", "Ngày bổ nhiệm ngạch, chức danh", "In grade or title since", DATE),
        Field("position", "Chức vụ lãnh đạo, quản lý", "Leadership position", CODE,
              codelist="position"),
        Field("position_date", "Ngày bổ nhiệm chức vụ", "In position since", DATE),
        Field("education_level", "Trình độ chuyên môn", "Education level", CODE,
              codelist="education_level"),
        Field("political_theory_level", "Trình độ lý luận chính trị", "Political theory", CODE,
              codelist="political_theory_level"),
        Field("state_management_level", "Trình độ quản lý nhà nước", "State management", CODE,
              codelist="state_management_level"),
        Field("party_member", "Đảng viên", "Party member", BOOLEAN, True, SENSITIVE),
        Field("party_join_date", "Ngày vào Đảng", "Joined the Party on", DATE, False, SENSITIVE),
        Field("military_service", "Đã phục vụ trong quân đội", "Served in the army",
              BOOLEAN, False, PERSONAL),
        Field("recruitment_date", "Ngày tuyển dụng", "Recruited on", DATE, True),
        Field("salary_grade_step", "Bậc lương", "Salary step", INTEGER),
        Field("salary_coefficient", "Hệ số lương", "Salary coefficient", DECIMAL,
              description="Coefficients of Decree 204/2004/NĐ-CP"),
        Field("social_insurance_no", "Mã số bảo hiểm xã hội", "Social insurance number",
              STRING, False, SENSITIVE),
        Field("health_status", "Tình trạng sức khỏe", "Health", CODE, False, SENSITIVE,
              codelist="health_class"),
        Field("status", "Trạng thái", "Status", CODE, True, codelist="personnel_status"),
        Field("retirement_date", "Ngày nghỉ hưu (dự kiến)", "Retirement date (expected)", DATE,
              description="Labour Code 2019, art. 169, and Decree 135/2020/NĐ-CP"),
        Field("updated_at", "Cập nhật lúc", "Updated at", TIMESTAMP, True),
    ),
)

FAMILY_MEMBER = Entity(
    id="family_member",
    sector="personnel",
    label_vi="Quan hệ gia đình",
    label_en="Family member",
    key=("family_member_id",),
    unit_field="agency_id",
    province_field="province_code",
    fields=(
        Field("family_member_id", "Mã", "Identifier", STRING, True),
        person_ref(required=True),
        Field("relationship", "Quan hệ", "Relationship", CODE, True, SENSITIVE,
              codelist="family_relationship"),
        full_name(required=True, sensitivity=SENSITIVE),
        birth_year(sensitivity=SENSITIVE),
        Field("occupation", "Nghề nghiệp, nơi công tác", "Occupation", STRING, False, SENSITIVE),
        agency_ref("Cơ quan của cán bộ", "Agency of the officer"),
        _PROVINCE_OF_WORK,
    ),
)

WORK_HISTORY = Entity(
    id="work_history",
    sector="personnel",
    label_vi="Quá trình công tác",
    label_en="Work history",
    key=("work_history_id",),
    unit_field="agency_id",
    province_field="province_code",
    fields=(
        Field("work_history_id", "Mã", "Identifier", STRING, True),
        person_ref(required=True),
        Field("from_date", "Từ ngày", "From", DATE, True),
        Field("to_date", "Đến ngày", "To", DATE, description="Empty for the current post"),
        agency_ref(),
        Field("agency_name", "Tên cơ quan, đơn vị", "Agency name", STRING, True),
        Field("post", "Chức danh, chức vụ", "Post", STRING, True),
        _PROVINCE_OF_WORK,
    ),
)

SALARY_HISTORY = Entity(
    id="salary_history",
    sector="personnel",
    label_vi="Diễn biến lương",
    label_en="Salary history",
    key=("salary_history_id",),
    unit_field="agency_id",
    province_field="province_code",
    fields=(
        Field("salary_history_id", "Mã", "Identifier", STRING, True),
        person_ref(required=True),
        Field("effective_date", "Ngày hưởng", "Effective from", DATE, True),
        Field("grade", "Ngạch", "Grade", CODE, codelist="civil_servant_grade"),
        Field("title", "Chức danh nghề nghiệp", "Title", CODE, codelist="public_employee_title"),
        Field("salary_grade_step", "Bậc lương", "Salary step", INTEGER, True),
        Field("salary_coefficient", "Hệ số lương", "Salary coefficient", DECIMAL, True),
        Field("position_allowance", "Hệ số phụ cấp chức vụ", "Position allowance", DECIMAL),
        agency_ref(),
        _PROVINCE_OF_WORK,
    ),
)

APPRAISAL = Entity(
    id="appraisal",
    sector="personnel",
    label_vi="Đánh giá, xếp loại chất lượng",
    label_en="Annual appraisal",
    key=("person_id", "year"),
    unit_field="agency_id",
    province_field="province_code",
    fields=(
        person_ref(required=True),
        Field("year", "Năm đánh giá", "Year", INTEGER, True),
        Field("result", "Kết quả xếp loại", "Result", CODE, True, codelist="appraisal_result"),
        agency_ref(required=True),
        staff_category(required=True),
        _PROVINCE_OF_WORK,
    ),
)

DISCIPLINE = Entity(
    id="discipline",
    sector="personnel",
    label_vi="Kỷ luật",
    label_en="Discipline",
    key=("discipline_id",),
    unit_field="agency_id",
    province_field="province_code",
    fields=(
        Field("discipline_id", "Mã", "Identifier", STRING, True),
        person_ref(required=True),
        Field("form", "Hình thức kỷ luật", "Form", CODE, True, SENSITIVE,
              codelist="discipline_form"),
        Field("reason", "Lý do", "Reason", STRING, False, SENSITIVE),
        Field("decision_no", "Số quyết định", "Decision number", STRING, False, SENSITIVE),
        Field("decision_date", "Ngày quyết định", "Decision date", DATE, True, SENSITIVE),
        Field("effective_until", "Hết hiệu lực", "In force until", DATE, False, SENSITIVE),
        agency_ref(required=True),
        _PROVINCE_OF_WORK,
    ),
)

ASSETS_DECLARATION = Entity(
    id="assets_declaration",
    sector="personnel",
    label_vi="Kê khai tài sản, thu nhập",
    label_en="Asset and income declaration",
    description_vi="Chỉ lưu tổng giá trị; bản kê khai chi tiết do cơ quan kiểm soát tài sản, "
    "thu nhập quản lý.",
    description_en="Totals only; the detailed declaration stays with the asset control "
    "agency.",
    key=("declaration_id",),
    unit_field="agency_id",
    province_field="province_code",
    fields=(
        Field("declaration_id", "Mã bản kê khai", "Identifier", STRING, True),
        person_ref(required=True),
        Field("year", "Năm kê khai", "Year", INTEGER, True),
        Field("declaration_type", "Phương thức kê khai", "Kind", CODE, True,
              codelist="asset_declaration_type"),
        Field("total_assets_million_vnd", "Tổng giá trị tài sản (triệu đồng)",
              "Total assets (million VND)", DECIMAL, True, SENSITIVE),
        Field("total_income_million_vnd", "Tổng thu nhập trong năm (triệu đồng)",
              "Income of the year (million VND)", DECIMAL, True, SENSITIVE),
        Field("change_million_vnd", "Biến động tài sản so với lần trước (triệu đồng)",
              "Change since the last declaration (million VND)", DECIMAL, False, SENSITIVE),
        Field("submitted_date", "Ngày nộp", "Submitted on", DATE, True),
        agency_ref(required=True),
        _PROVINCE_OF_WORK,
    ),
)

SECTOR = Sector(
    id="personnel",
    number=0,
    label_vi="Cơ sở dữ liệu quốc gia về cán bộ, công chức, viên chức",
    label_en="National database of cadres, civil servants and public employees",
    legal_basis="Decision 708/QĐ-BNV (11/9/2023); Circular 06/2023/TT-BNV; Decree "
    "27/2026/NĐ-CP (in force 1/7/2026); Decree 13/2023/NĐ-CP (personal data protection)",
    entities=(
        PERSON,
        FAMILY_MEMBER,
        WORK_HISTORY,
        SALARY_HISTORY,
        APPRAISAL,
        DISCIPLINE,
        ASSETS_DECLARATION,
    ),
)
