"""Sector 3: associations, social and charity funds, non-governmental organisations (hội, quỹ
xã hội, quỹ từ thiện, tổ chức phi chính phủ)."""

from noivu_ioc.catalog.fields import (
    BOOLEAN,
    CODE,
    DATE,
    DECIMAL,
    INTEGER,
    PUBLIC,
    STRING,
    commune_code,
    province_code,
)
from noivu_ioc.catalog.model import Code, CodeList, Entity, Field, Sector

SOCIETY_SCOPE = CodeList(
    "society_scope",
    "Phạm vi hoạt động",
    "Scope of activity",
    "Decree 126/2024/NĐ-CP on associations; Decree 93/2019/NĐ-CP on social and charity funds",
    (
        Code("TOAN_QUOC", "Toàn quốc", "Nationwide"),
        Code("LIEN_TINH", "Liên tỉnh", "Several provinces"),
        Code("TINH", "Tỉnh", "Province"),
        Code("XA", "Xã", "Commune"),
    ),
)

SOCIETY_STATUS = CodeList(
    "society_status",
    "Tình trạng hoạt động",
    "Status",
    "Decree 126/2024/NĐ-CP; Decree 93/2019/NĐ-CP",
    (
        Code("HOAT_DONG", "Đang hoạt động", "Active"),
        Code("TAM_DINH_CHI", "Tạm đình chỉ hoạt động", "Temporarily suspended"),
        Code("DINH_CHI", "Bị đình chỉ hoạt động", "Suspended by the authority"),
        Code("HOP_NHAT", "Hợp nhất, sáp nhập", "Merged"),
        Code("GIAI_THE", "Giải thể", "Dissolved"),
    ),
)

ASSOCIATION_FIELD = CodeList(
    "association_field",
    "Lĩnh vực hoạt động của hội",
    "Field of an association",
    "Grouping used in the ministry's reports on associations",
    (
        Code("KINH_TE", "Kinh tế, doanh nghiệp", "Economy and business"),
        Code("KHOA_HOC", "Khoa học, kỹ thuật", "Science and technology"),
        Code("NGHE_NGHIEP", "Nghề nghiệp", "Professions"),
        Code("VAN_HOA", "Văn học, nghệ thuật, báo chí", "Literature, arts and press"),
        Code("GIAO_DUC", "Giáo dục, khuyến học", "Education"),
        Code("Y_TE", "Y tế, chăm sóc sức khỏe", "Health"),
        Code("XA_HOI", "Xã hội, từ thiện, nhân đạo", "Social, charity and humanitarian"),
        Code("THE_THAO", "Thể dục, thể thao", "Sport"),
        Code("HUU_NGHI", "Hữu nghị, đối ngoại nhân dân", "Friendship and people's diplomacy"),
    ),
)

FUND_KIND = CodeList(
    "fund_kind",
    "Loại quỹ",
    "Kind of fund",
    "Decree 93/2019/NĐ-CP on social and charity funds",
    (
        Code("XA_HOI", "Quỹ xã hội", "Social fund"),
        Code("TU_THIEN", "Quỹ từ thiện", "Charity fund"),
    ),
)

NGO_REGISTRATION = CodeList(
    "ngo_registration",
    "Loại giấy đăng ký của tổ chức phi chính phủ nước ngoài",
    "Registration of a foreign NGO",
    "Decree 58/2022/NĐ-CP on registering and managing foreign non-governmental organisations "
    "(replaced Decree 12/2012/NĐ-CP)",
    (
        Code("HOAT_DONG", "Giấy đăng ký hoạt động", "Registration to operate"),
        Code("VP_DU_AN", "Giấy đăng ký lập Văn phòng dự án", "Project office"),
        Code("VP_DAI_DIEN", "Giấy đăng ký lập Văn phòng đại diện", "Representative office"),
    ),
)

NGO_STATUS = CodeList(
    "ngo_status",
    "Tình trạng giấy đăng ký",
    "Registration status",
    "Decree 58/2022/NĐ-CP",
    (
        Code("HIEU_LUC", "Còn hiệu lực", "Valid"),
        Code("HET_HAN", "Hết hạn, chưa gia hạn", "Expired, not renewed"),
        Code("THU_HOI", "Bị thu hồi", "Revoked"),
        Code("CHAM_DUT", "Chấm dứt hoạt động", "Ceased operating"),
    ),
)

NGO_FIELD = CodeList(
    "ngo_field",
    "Lĩnh vực hoạt động của tổ chức phi chính phủ",
    "Field of a non-governmental organisation",
    "Grouping used in reports on foreign NGO aid",
    (
        Code("Y_TE", "Y tế", "Health"),
        Code("GIAO_DUC", "Giáo dục, đào tạo", "Education and training"),
        Code("MOI_TRUONG", "Môi trường, biến đổi khí hậu", "Environment and climate"),
        Code("NONG_THON", "Phát triển nông thôn, giảm nghèo", "Rural development and poverty"),
        Code("THIEN_TAI", "Phòng chống thiên tai", "Disaster preparedness"),
        Code("TRE_EM", "Bảo vệ trẻ em", "Child protection"),
        Code("KHUYET_TAT", "Hỗ trợ người khuyết tật", "Disability"),
        Code("BINH_DANG_GIOI", "Bình đẳng giới", "Gender equality"),
    ),
)

NGO_COUNTRY = CodeList(
    "ngo_country",
    "Quốc gia nơi tổ chức phi chính phủ thành lập",
    "Country where the NGO is founded",
    "ISO 3166-1 alpha-2 codes; Vietnamese names as the Ministry of Foreign Affairs writes them",
    (
        Code("US", "Hoa Kỳ", "United States"),
        Code("GB", "Vương quốc Anh", "United Kingdom"),
        Code("FR", "Pháp", "France"),
        Code("DE", "Đức", "Germany"),
        Code("JP", "Nhật Bản", "Japan"),
        Code("KR", "Hàn Quốc", "Republic of Korea"),
        Code("AU", "Ô-xtrây-li-a", "Australia"),
        Code("NL", "Hà Lan", "Netherlands"),
        Code("BE", "Bỉ", "Belgium"),
        Code("CH", "Thụy Sĩ", "Switzerland"),
        Code("SE", "Thụy Điển", "Sweden"),
        Code("NO", "Na Uy", "Norway"),
        Code("DK", "Đan Mạch", "Denmark"),
        Code("CA", "Ca-na-đa", "Canada"),
        Code("SG", "Xinh-ga-po", "Singapore"),
        Code("TW", "Đài Loan (Trung Quốc)", "Taiwan (China)"),
        Code("IT", "I-ta-li-a", "Italy"),
        Code("NZ", "Niu Di-lân", "New Zealand"),
    ),
)

ASSOCIATION = Entity(
    id="association",
    sector="associations",
    label_vi="Hội",
    label_en="Association",
    key=("association_id",),
    description_vi="Hội có phạm vi toàn quốc, liên tỉnh, tỉnh và xã.",
    description_en="Associations of nationwide, inter-provincial, provincial or commune scope; "
    "province_code is empty for nationwide ones.",
    unit_field="commune_code",
    province_field="province_code",
    fields=(
        Field("association_id", "Mã hội", "Association id", STRING, True, PUBLIC),
        Field("name", "Tên hội", "Name", STRING, True, PUBLIC),
        Field("scope", "Phạm vi hoạt động", "Scope", CODE, True, PUBLIC, codelist="society_scope"),
        Field("field", "Lĩnh vực", "Field", CODE, True, PUBLIC, codelist="association_field"),
        Field("special", "Hội có tính chất đặc thù", "Association of special character",
              BOOLEAN, False, PUBLIC),
        Field("status", "Tình trạng", "Status", CODE, True, PUBLIC, codelist="society_status"),
        province_code(sensitivity=PUBLIC),
        commune_code(sensitivity=PUBLIC),
        Field("established_date", "Ngày cho phép thành lập", "Permitted on", DATE, True, PUBLIC),
        Field("members", "Số hội viên", "Members", INTEGER, False, PUBLIC),
        Field("last_report_year", "Năm báo cáo gần nhất", "Latest yearly report", INTEGER,
              description="Empty when the association never reported"),
    ),
)

FUND = Entity(
    id="fund",
    sector="associations",
    label_vi="Quỹ xã hội, quỹ từ thiện",
    label_en="Social or charity fund",
    key=("fund_id",),
    description_vi="Khoảng 3.081 quỹ trên cả nước vào cuối năm 2024.",
    description_en="About 3,081 funds nationally at the end of 2024.",
    unit_field="commune_code",
    province_field="province_code",
    fields=(
        Field("fund_id", "Mã quỹ", "Fund id", STRING, True, PUBLIC),
        Field("name", "Tên quỹ", "Name", STRING, True, PUBLIC),
        Field("kind", "Loại quỹ", "Kind", CODE, True, PUBLIC, codelist="fund_kind"),
        Field("scope", "Phạm vi hoạt động", "Scope", CODE, True, PUBLIC, codelist="society_scope"),
        Field("status", "Tình trạng", "Status", CODE, True, PUBLIC, codelist="society_status"),
        province_code(sensitivity=PUBLIC),
        commune_code(sensitivity=PUBLIC),
        Field("licensed_date", "Ngày cấp giấy phép thành lập", "Licensed on", DATE, True, PUBLIC),
        Field("charter_capital_vnd", "Vốn điều lệ khi thành lập (đồng)", "Founding capital (VND)",
              DECIMAL, False, PUBLIC,
              description="At least the minimum of Decree 93/2019 for the fund's scope"),
        Field("assets_vnd", "Tổng tài sản cuối năm gần nhất (đồng)", "Total assets (VND)", DECIMAL),
        Field("last_report_year", "Năm báo cáo gần nhất", "Latest yearly report", INTEGER,
              description="Empty when the fund never reported"),
    ),
)

NGO = Entity(
    id="ngo",
    sector="associations",
    label_vi="Tổ chức phi chính phủ nước ngoài",
    label_en="Foreign non-governmental organisation",
    key=("ngo_id",),
    description_vi="Tổ chức phi chính phủ nước ngoài được cấp giấy đăng ký tại Việt Nam.",
    description_en="Foreign NGOs registered in Vietnam; names are generated, not real ones.",
    province_field="office_province_code",
    fields=(
        Field("ngo_id", "Mã tổ chức", "NGO id", STRING, True, PUBLIC),
        Field("name", "Tên tổ chức", "Name", STRING, True, PUBLIC),
        Field("country", "Quốc gia", "Country", CODE, True, PUBLIC, codelist="ngo_country"),
        Field("registration_kind", "Loại giấy đăng ký", "Registration", CODE, True, PUBLIC,
              codelist="ngo_registration"),
        Field("field", "Lĩnh vực chính", "Main field", CODE, True, PUBLIC, codelist="ngo_field"),
        Field("office_province_code", "Tỉnh đặt văn phòng", "Office province",
              STRING, False, PUBLIC, ref="admin_unit.code"),
        Field("province_count", "Số tỉnh hoạt động", "Provinces of activity",
              INTEGER, True, PUBLIC),
        Field("registered_date", "Ngày cấp giấy đăng ký", "Registered on", DATE, True, PUBLIC),
        Field("expiry_date", "Ngày hết hạn", "Valid until", DATE, True, PUBLIC),
        Field("status", "Tình trạng", "Status", CODE, True, PUBLIC, codelist="ngo_status"),
        Field("yearly_aid_usd", "Giá trị viện trợ giải ngân năm gần nhất (USD)",
              "Aid disbursed in the latest year (USD)", DECIMAL, False, PUBLIC),
    ),
)

NGO_ACTIVITY_AREA = Entity(
    id="ngo_activity_area",
    sector="associations",
    label_vi="Địa bàn hoạt động của tổ chức phi chính phủ",
    label_en="Province where a foreign NGO works",
    key=("ngo_id", "province_code"),
    province_field="province_code",
    fields=(
        Field("ngo_id", "Mã tổ chức", "NGO id", STRING, True, PUBLIC, ref="ngo.ngo_id"),
        province_code(required=True, sensitivity=PUBLIC),
    ),
)

CODELISTS: tuple[CodeList, ...] = (
    SOCIETY_SCOPE,
    SOCIETY_STATUS,
    ASSOCIATION_FIELD,
    FUND_KIND,
    NGO_REGISTRATION,
    NGO_STATUS,
    NGO_FIELD,
    NGO_COUNTRY,
)

SECTOR = Sector(
    id="associations",
    number=3,
    label_vi="Hội, quỹ, tổ chức phi chính phủ",
    label_en="Associations, funds and non-governmental organisations",
    legal_basis="Decision 708/QĐ-BNV (11/9/2023); Decree 126/2024/NĐ-CP on associations; "
    "Decree 93/2019/NĐ-CP on social and charity funds; Decree 58/2022/NĐ-CP on foreign "
    "non-governmental organisations",
    entities=(ASSOCIATION, FUND, NGO, NGO_ACTIVITY_AREA),
)
