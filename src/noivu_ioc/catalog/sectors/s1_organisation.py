"""Sector 1, Tổ chức bộ máy: agencies and public service units, their job positions, the
headcount they are given each year and the staff reduction they carry out.

Legal basis: Decision 708/QĐ-BNV (11/9/2023) lists this database; Decree 62/2020/NĐ-CP and
Decree 106/2020/NĐ-CP define job positions (vị trí việc làm) for civil servants and public
employees; Decree 29/2023/NĐ-CP and Decree 178/2024/NĐ-CP govern staff reduction (tinh giản
biên chế), the latter for the 2025 restructuring; Decree 60/2021/NĐ-CP sets the financial
autonomy groups of public service units.
"""

from noivu_ioc.catalog.fields import (
    BOOLEAN,
    CODE,
    DATE,
    DECIMAL,
    INTEGER,
    PUBLIC,
    STRING,
    agency_ref,
    commune_code,
    government_level,
    province_code,
    staff_category,
)
from noivu_ioc.catalog.model import Code, CodeList, Entity, Field, Sector

AGENCY_TYPE = CodeList(
    id="agency_type",
    label_vi="Loại cơ quan, tổ chức, đơn vị",
    label_en="Type of agency or unit",
    source="Law on Government Organisation 2025; Law on Local Government Organisation 2025; "
    "Decree 150/2025/NĐ-CP; Decree 120/2020/NĐ-CP (public service units)",
    codes=(
        Code("BO", "Bộ", "Ministry", "HC"),
        Code("CQNB", "Cơ quan ngang bộ", "Ministry-level agency", "HC"),
        Code("CQCP", "Cơ quan thuộc Chính phủ", "Government agency", "SN"),
        Code("VU", "Vụ, Văn phòng, Thanh tra bộ và tương đương",
             "Department, office or inspectorate of a ministry", "HC"),
        Code("CUC", "Cục và tương đương thuộc bộ", "Bureau of a ministry", "HC"),
        Code("UBND_TINH", "Ủy ban nhân dân tỉnh, thành phố", "Provincial People's Committee",
             "HC"),
        Code("SO", "Sở và cơ quan chuyên môn thuộc Ủy ban nhân dân tỉnh",
             "Provincial specialised department", "HC"),
        Code("UBND_XA", "Ủy ban nhân dân xã, phường, đặc khu", "Commune People's Committee",
             "HC"),
        Code("PHONG_XA", "Cơ quan chuyên môn thuộc Ủy ban nhân dân xã",
             "Commune specialised office", "HC"),
        Code("DH", "Trường đại học, học viện, trường cao đẳng",
             "University, academy or college", "SN"),
        Code("THPT", "Trường trung học phổ thông", "Upper secondary school", "SN"),
        Code("THCS", "Trường trung học cơ sở", "Lower secondary school", "SN"),
        Code("TH", "Trường tiểu học", "Primary school", "SN"),
        Code("MN", "Trường mầm non", "Preschool", "SN"),
        Code("BV", "Bệnh viện, trung tâm y tế", "Hospital or health centre", "SN"),
        Code("TYT", "Trạm y tế xã, phường, đặc khu", "Commune health station", "SN"),
        Code("VIEN", "Viện, trung tâm nghiên cứu", "Research institute", "SN"),
        Code("SNK", "Đơn vị sự nghiệp công lập khác", "Other public service unit", "SN"),
    ),
)

AGENCY_STATUS = CodeList(
    id="agency_status",
    label_vi="Tình trạng hoạt động của cơ quan, đơn vị",
    label_en="Operating status of an agency",
    source="noivu-ioc",
    codes=(
        Code("HD", "Đang hoạt động", "Operating"),
        Code("SN", "Đã sáp nhập, hợp nhất", "Merged"),
        Code("GT", "Đã giải thể", "Dissolved"),
    ),
)

FINANCIAL_AUTONOMY = CodeList(
    id="financial_autonomy",
    label_vi="Mức tự chủ tài chính của đơn vị sự nghiệp công lập",
    label_en="Financial autonomy of a public service unit",
    source="Decree 60/2021/NĐ-CP, art. 9",
    codes=(
        Code("1", "Tự bảo đảm chi thường xuyên và chi đầu tư",
             "Covers its recurrent and investment spending"),
        Code("2", "Tự bảo đảm chi thường xuyên", "Covers its recurrent spending"),
        Code("3", "Tự bảo đảm một phần chi thường xuyên", "Covers part of its recurrent spending"),
        Code("4", "Do Nhà nước bảo đảm chi thường xuyên",
             "Recurrent spending covered by the State"),
    ),
)

JOB_POSITION_GROUP = CodeList(
    id="job_position_group",
    label_vi="Nhóm vị trí việc làm",
    label_en="Job position group",
    source="Decree 62/2020/NĐ-CP, art. 4; Decree 106/2020/NĐ-CP, art. 4",
    codes=(
        Code("LD", "Vị trí việc làm lãnh đạo, quản lý", "Leadership and management"),
        Code("CM", "Vị trí việc làm chuyên môn, nghiệp vụ chuyên ngành",
             "Sector-specific professional"),
        Code("DC", "Vị trí việc làm chuyên môn dùng chung", "Shared professional"),
        Code("HT", "Vị trí việc làm hỗ trợ, phục vụ", "Support and service"),
    ),
)

STAFF_REDUCTION_REASON = CodeList(
    id="staff_reduction_reason",
    label_vi="Lý do tinh giản biên chế",
    label_en="Reason for staff reduction",
    source="Decree 29/2023/NĐ-CP, art. 2; Decree 178/2024/NĐ-CP",
    codes=(
        Code("01", "Dôi dư do sắp xếp tổ chức bộ máy, đơn vị hành chính",
             "Surplus after reorganising agencies or administrative units"),
        Code("02", "Dôi dư do rà soát, sắp xếp lại vị trí việc làm",
             "Surplus after reviewing job positions"),
        Code("03", "Chưa đạt chuẩn trình độ đào tạo theo vị trí việc làm",
             "Below the training standard of the job position"),
        Code("04", "Không hoàn thành nhiệm vụ", "Did not complete their duties"),
        Code("05", "Hạn chế về sức khỏe, nghỉ ốm dài ngày", "Limited health, long sick leave"),
        Code("06", "Tự nguyện nghỉ hưu trước tuổi, thôi việc",
             "Voluntary early retirement or resignation"),
    ),
)

CODELISTS: tuple[CodeList, ...] = (
    AGENCY_TYPE,
    AGENCY_STATUS,
    FINANCIAL_AUTONOMY,
    JOB_POSITION_GROUP,
    STAFF_REDUCTION_REASON,
)

_PROVINCE = province_code(
    "Mã tỉnh, thành phố", "Province code",
    description="2-digit statistics-office code after 1/7/2025; empty for central agencies",
)
_AGENCY_REF = agency_ref("Mã cơ quan, đơn vị", "Agency identifier", required=True)

AGENCY = Entity(
    id="agency",
    sector="organisation",
    label_vi="Cơ quan, tổ chức, đơn vị",
    label_en="Agency or unit",
    description_vi="Cơ quan hành chính nhà nước và đơn vị sự nghiệp công lập ở Trung ương, "
    "cấp tỉnh và cấp xã, theo cây tổ chức.",
    description_en="State administrative agencies and public service units at central, "
    "provincial and commune level, as a tree.",
    key=("agency_id",),
    unit_field="agency_id",
    province_field="province_code",
    fields=(
        Field("agency_id", "Mã cơ quan, đơn vị", "Agency identifier", STRING, True, PUBLIC),
        Field("name", "Tên cơ quan, đơn vị", "Name", STRING, True, PUBLIC),
        Field("agency_type", "Loại cơ quan, đơn vị", "Agency type", CODE, True, PUBLIC,
              codelist="agency_type"),
        government_level(required=True, sensitivity=PUBLIC),
        Field("parent_agency_id", "Cơ quan cấp trên trực tiếp", "Parent agency",
              STRING, False, PUBLIC, ref="agency.agency_id"),
        province_code("Mã tỉnh, thành phố", "Province code", sensitivity=PUBLIC,
                      description="2-digit code; empty for central agencies"),
        commune_code("Mã xã, phường, đặc khu", "Commune code", sensitivity=PUBLIC,
                     description="5-digit code; empty unless the agency belongs to a commune"),
        Field("field_of_work", "Lĩnh vực", "Field of work", STRING, False, PUBLIC),
        Field("financial_autonomy", "Mức tự chủ tài chính", "Financial autonomy",
              CODE, False, PUBLIC, codelist="financial_autonomy",
              description="Public service units only (Decree 60/2021/NĐ-CP)"),
        Field("status", "Tình trạng hoạt động", "Status", CODE, True, PUBLIC,
              codelist="agency_status"),
        Field("established_date", "Ngày thành lập", "Established on", DATE, False, PUBLIC),
        Field("establishing_decision", "Quyết định thành lập, tổ chức lại", "Establishing decision",
              STRING, False, PUBLIC),
    ),
)

JOB_POSITION = Entity(
    id="job_position",
    sector="organisation",
    label_vi="Vị trí việc làm",
    label_en="Job position",
    description_vi="Danh mục vị trí việc làm được phê duyệt của từng cơ quan, đơn vị.",
    description_en="The approved job positions of each agency.",
    key=("job_position_id",),
    unit_field="agency_id",
    province_field="province_code",
    fields=(
        Field("job_position_id", "Mã vị trí việc làm", "Job position identifier", STRING, True),
        _AGENCY_REF,
        Field("name", "Tên vị trí việc làm", "Name", STRING, True),
        Field("position_group", "Nhóm vị trí việc làm", "Group", CODE, True,
              codelist="job_position_group"),
        Field("grade", "Ngạch công chức tương ứng", "Matching civil-servant grade", CODE,
              codelist="civil_servant_grade"),
        Field("title", "Chức danh nghề nghiệp tương ứng", "Matching public-employee title", CODE,
              codelist="public_employee_title"),
        staff_category(required=True),
        Field("approved_count", "Số người được phê duyệt", "Approved number of people",
              INTEGER, True),
        _PROVINCE,
        government_level(required=True),
        Field("approved_date", "Ngày phê duyệt", "Approved on", DATE),
    ),
)

HEADCOUNT_QUOTA = Entity(
    id="headcount_quota",
    sector="organisation",
    label_vi="Biên chế được giao",
    label_en="Approved headcount",
    description_vi="Biên chế công chức và số lượng người làm việc được giao theo năm, so với "
    "số có mặt; với Ủy ban nhân dân xã gồm cả các cơ quan chuyên môn của xã.",
    description_en="Civil-servant and public-employee headcount approved for each year, "
    "against the actual count; a commune's People's Committee includes its offices.",
    key=("agency_id", "year"),
    unit_field="agency_id",
    province_field="province_code",
    fields=(
        _AGENCY_REF,
        Field("year", "Năm", "Year", INTEGER, True),
        _PROVINCE,
        commune_code("Mã xã, phường, đặc khu", "Commune code"),
        government_level(required=True),
        Field("approved_civil_servants", "Biên chế công chức được giao", "Approved civil servants",
              INTEGER, True, description="Includes cadres (cán bộ)"),
        Field("approved_public_employees", "Số lượng người làm việc được giao",
              "Approved public employees", INTEGER, True),
        Field("approved_contracts", "Hợp đồng lao động được giao", "Approved contract staff",
              INTEGER, True, description="Contracts under Decree 111/2022/NĐ-CP"),
        Field("actual_civil_servants", "Công chức có mặt", "Civil servants in post", INTEGER, True),
        Field("actual_public_employees", "Viên chức có mặt", "Public employees in post",
              INTEGER, True),
        Field("actual_contracts", "Hợp đồng lao động có mặt", "Contract staff in post",
              INTEGER, True),
        Field("norm_civil_servants", "Định mức cán bộ, công chức", "Staffing norm", INTEGER,
              description="Commune People's Committees only: the planning norm scaled to the "
              "data scale, empty where the scale is too small to carry one"),
        Field("decision_no", "Số quyết định giao", "Decision number", STRING),
        Field("decision_date", "Ngày quyết định", "Decision date", DATE),
    ),
)

STAFF_REDUCTION = Entity(
    id="staff_reduction",
    sector="organisation",
    label_vi="Tinh giản biên chế",
    label_en="Staff reduction",
    description_vi="Kế hoạch và kết quả tinh giản biên chế theo cơ quan, năm và lý do.",
    description_en="Planned and completed staff reduction by agency, year and reason.",
    key=("agency_id", "year", "reason"),
    unit_field="agency_id",
    province_field="province_code",
    fields=(
        _AGENCY_REF,
        Field("year", "Năm", "Year", INTEGER, True),
        Field("reason", "Lý do tinh giản", "Reason", CODE, True, codelist="staff_reduction_reason"),
        _PROVINCE,
        government_level(required=True),
        Field("planned", "Số người theo kế hoạch", "Planned", INTEGER, True),
        Field("done", "Số người đã thực hiện", "Done", INTEGER, True),
        Field("early_retirement", "Nghỉ hưu trước tuổi", "Early retirement", INTEGER, True),
        Field("resigned", "Thôi việc", "Resigned", INTEGER, True),
        Field("budget_million_vnd", "Kinh phí chi trả (triệu đồng)", "Payments (million VND)",
              DECIMAL),
        Field("approved", "Đã được phê duyệt", "Approved", BOOLEAN),
    ),
)

SECTOR = Sector(
    id="organisation",
    number=1,
    label_vi="Tổ chức bộ máy",
    label_en="Organisation of the state apparatus",
    legal_basis="Decision 708/QĐ-BNV (11/9/2023); Circular 14/2024/TT-BNV; Decree "
    "62/2020/NĐ-CP and Decree 106/2020/NĐ-CP (job positions); Decree 29/2023/NĐ-CP and "
    "Decree 178/2024/NĐ-CP (staff reduction)",
    entities=(AGENCY, JOB_POSITION, HEADCOUNT_QUOTA, STAFF_REDUCTION),
)
