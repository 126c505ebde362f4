"""Sector 2: local government and administrative boundaries (chính quyền địa phương và địa
giới hành chính).

After 1 July 2025 there are two levels of local government: 34 provinces and 3,321
commune-level units, no district level (Law on Local Government Organisation 2025).
"""

from noivu_ioc.catalog.fields import (
    CODE,
    DATE,
    DECIMAL,
    INTEGER,
    PERSONAL,
    PUBLIC,
    SENSITIVE,
    STRING,
    birth_year,
    commune_code,
    ethnicity,
    full_name,
    government_level,
    province_code,
    sex,
)
from noivu_ioc.catalog.model import Code, CodeList, Entity, Field, Sector

DIVISION_TYPE = CodeList(
    "division_type",
    "Loại đơn vị hành chính",
    "Kind of administrative unit",
    "Law on Local Government Organisation 2025; names as the General Statistics Office lists",
    (
        Code("thanh_pho_tw", "Thành phố trực thuộc trung ương", "Centrally run city", "TINH"),
        Code("tinh", "Tỉnh", "Province", "TINH"),
        Code("phuong", "Phường", "Ward", "XA"),
        Code("xa", "Xã", "Commune", "XA"),
        Code("dac_khu", "Đặc khu", "Special zone", "XA"),
    ),
)

ADMIN_UNIT_CLASS = CodeList(
    "admin_unit_class",
    "Phân loại đơn vị hành chính",
    "Administrative unit class",
    "Resolution 1211/2016/UBTVQH13, amended by Resolution 27/2022/UBTVQH15 "
    "(standards of administrative units and their classification)",
    (
        Code("DB", "Loại đặc biệt", "Special class"),
        Code("I", "Loại I", "Class I"),
        Code("II", "Loại II", "Class II"),
        Code("III", "Loại III", "Class III"),
    ),
)

VILLAGE_KIND = CodeList(
    "village_kind",
    "Loại thôn, tổ dân phố",
    "Kind of village or residential group",
    "Circular 04/2012/TT-BNV, amended by Circular 14/2018/TT-BNV (thôn, tổ dân phố)",
    (
        Code("thon", "Thôn", "Village (thôn)"),
        Code("ap", "Ấp", "Hamlet (ấp)"),
        Code("ban", "Bản", "Mountain village (bản)"),
        Code("buon", "Buôn", "Highland village (buôn)"),
        Code("lang", "Làng", "Village (làng)"),
        Code("soc", "Sóc", "Khmer hamlet (sóc)"),
        Code("to_dan_pho", "Tổ dân phố", "Residential group"),
        Code("khu_pho", "Khu phố", "Urban quarter (khu phố)"),
    ),
)

COMMUNE_POSITION = CodeList(
    "commune_position",
    "Chức vụ, chức danh cán bộ, công chức cấp xã",
    "Post of a commune-level cadre or civil servant",
    "Law on Cadres and Civil Servants; Decree 33/2023/NĐ-CP (posts before the July 2025 "
    "reform, still used in many records)",
    (
        Code("BT_DU", "Bí thư Đảng ủy", "Party Committee Secretary", "can_bo"),
        Code("PBT_DU", "Phó Bí thư Đảng ủy", "Party Committee Deputy Secretary", "can_bo"),
        Code("CT_HDND", "Chủ tịch Hội đồng nhân dân", "People's Council Chair", "can_bo"),
        Code(
            "PCT_HDND",
            "Phó Chủ tịch Hội đồng nhân dân",
            "People's Council Vice Chair",
            "can_bo",
        ),
        Code("CT_UBND", "Chủ tịch Ủy ban nhân dân", "People's Committee Chair", "can_bo"),
        Code(
            "PCT_UBND",
            "Phó Chủ tịch Ủy ban nhân dân",
            "People's Committee Vice Chair",
            "can_bo",
        ),
        Code(
            "CT_MTTQ",
            "Chủ tịch Ủy ban Mặt trận Tổ quốc Việt Nam",
            "Chair of the Vietnam Fatherland Front Committee",
            "can_bo",
        ),
        Code(
            "BT_DOAN",
            "Bí thư Đoàn Thanh niên Cộng sản Hồ Chí Minh",
            "Secretary of the Ho Chi Minh Communist Youth Union",
            "can_bo",
        ),
        Code(
            "CT_PHU_NU",
            "Chủ tịch Hội Liên hiệp Phụ nữ Việt Nam",
            "Chair of the Women's Union",
            "can_bo",
        ),
        Code("CT_NONG_DAN", "Chủ tịch Hội Nông dân", "Chair of the Farmers' Union", "can_bo"),
        Code(
            "CT_CCB",
            "Chủ tịch Hội Cựu chiến binh",
            "Chair of the Veterans' Association",
            "can_bo",
        ),
        Code(
            "CHT_QS",
            "Chỉ huy trưởng Ban Chỉ huy Quân sự",
            "Commander of the Military Command",
            "cong_chuc",
        ),
        Code("VP_TK", "Văn phòng - Thống kê", "Office and statistics", "cong_chuc"),
        Code(
            "DC_XD",
            "Địa chính - Xây dựng - Đô thị và Môi trường",
            "Land, construction, urban affairs and environment",
            "cong_chuc",
        ),
        Code("TC_KT", "Tài chính - Kế toán", "Finance and accounting", "cong_chuc"),
        Code("TP_HT", "Tư pháp - Hộ tịch", "Justice and civil status", "cong_chuc"),
        Code("VH_XH", "Văn hóa - Xã hội", "Culture and social affairs", "cong_chuc"),
        Code(
            "TRUONG_PHONG",
            "Trưởng phòng chuyên môn thuộc Ủy ban nhân dân",
            "Head of a specialised department",
            "cong_chuc",
        ),
        Code(
            "PHO_PHONG",
            "Phó Trưởng phòng chuyên môn thuộc Ủy ban nhân dân",
            "Deputy head of a specialised department",
            "cong_chuc",
        ),
    ),
)

COMMUNE_STAFF_KIND = CodeList(
    "commune_staff_kind",
    "Loại cán bộ, công chức cấp xã",
    "Kind of commune-level official",
    "Law on Cadres and Civil Servants",
    (
        Code("can_bo", "Cán bộ cấp xã", "Commune-level cadre (elected or appointed post)"),
        Code("cong_chuc", "Công chức cấp xã", "Commune-level civil servant"),
    ),
)

GEOMETRY_FORMAT = CodeList(
    "geometry_format",
    "Định dạng dữ liệu hình học",
    "Geometry format",
    "Open formats an air-gapped map can draw without a tile server",
    (
        Code("geojson", "GeoJSON", "GeoJSON (RFC 7946)"),
        Code("topojson", "TopoJSON", "TopoJSON"),
        Code("wkb", "WKB", "Well-known binary"),
    ),
)

ADMIN_UNIT = Entity(
    id="admin_unit",
    sector="local_government",
    label_vi="Đơn vị hành chính",
    label_en="Administrative unit",
    key=("code",),
    description_vi="34 tỉnh, thành phố và 3.321 đơn vị hành chính cấp xã từ ngày 01/7/2025.",
    description_en="The 34 provinces and 3,321 commune-level units in force since 1 July 2025.",
    unit_field="code",
    province_field="province_code",
    fields=(
        Field("code", "Mã đơn vị hành chính", "Unit code", STRING, True, PUBLIC,
              description="Statistics office code: 2 digits for a province, 5 for a commune"),
        Field("name", "Tên đơn vị hành chính", "Official name", STRING, True, PUBLIC),
        Field("short_name", "Tên rút gọn", "Name without the division word", STRING, True, PUBLIC),
        Field("division_type", "Loại đơn vị", "Division type", CODE, True, PUBLIC,
              codelist="division_type"),
        government_level(required=True, sensitivity=PUBLIC),
        province_code(required=True, sensitivity=PUBLIC,
                      description="The province the unit belongs to; a "
                      "province's own code for itself"),
        Field("unit_class", "Phân loại đơn vị hành chính", "Unit class", CODE, False, PUBLIC,
              codelist="admin_unit_class",
              description="Generated from population bands; not the "
              "official classification decisions"),
        Field("area_km2", "Diện tích tự nhiên (km²)", "Natural area (km²)", DECIMAL, False, PUBLIC,
              description="Generated: province totals near published 2025 figures, commune "
              "values random shares of them"),
        Field("population", "Quy mô dân số (người)", "Population", INTEGER, False, PUBLIC,
              description="Generated: province totals near published 2025 figures, commune "
              "values random shares of them"),
        Field("effective_date", "Ngày có hiệu lực", "In force since", DATE, True, PUBLIC),
    ),
)

ADMIN_BOUNDARY = Entity(
    id="admin_boundary",
    sector="local_government",
    label_vi="Dữ liệu địa giới hành chính",
    label_en="Administrative boundary dataset",
    key=("unit_code",),
    description_vi=(
        "Ranh giới của từng tỉnh: hình học GeoJSON ghi trực tiếp hoặc tệp trong thư mục "
        "boundaries/; bản trình diễn dùng sơ đồ minh hoạ."
    ),
    description_en=(
        "Each province's boundary: GeoJSON geometry inline or a file under boundaries/; the "
        "demo ships a schematic."
    ),
    unit_field="unit_code",
    province_field="unit_code",
    fields=(
        Field("unit_code", "Mã đơn vị hành chính", "Unit code", STRING, True, PUBLIC,
              ref="admin_unit.code"),
        Field("source", "Nguồn dữ liệu", "Source", STRING, True, PUBLIC),
        Field("version", "Phiên bản", "Version", STRING, True, PUBLIC),
        Field("geometry_format", "Định dạng", "Geometry format", CODE, True, PUBLIC,
              codelist="geometry_format"),
        Field("geometry_ref", "Tham chiếu tệp hình học", "Geometry reference", STRING, True, PUBLIC,
              description="Inline GeoJSON text, or a path under the data folder's boundaries/"),
        Field("crs", "Hệ tọa độ", "Coordinate reference system", STRING, True, PUBLIC),
        Field("updated_date", "Ngày cập nhật", "Updated on", DATE, True, PUBLIC),
    ),
)

VILLAGE = Entity(
    id="village",
    sector="local_government",
    label_vi="Thôn, tổ dân phố",
    label_en="Village or residential group",
    key=("village_id",),
    unit_field="commune_code",
    province_field="province_code",
    fields=(
        Field("village_id", "Mã thôn, tổ dân phố", "Village id", STRING, True, PUBLIC,
              description="Commune code followed by a 3-digit sequence"),
        Field("name", "Tên thôn, tổ dân phố", "Name", STRING, True, PUBLIC),
        Field("kind", "Loại", "Kind", CODE, True, PUBLIC, codelist="village_kind"),
        commune_code(required=True, sensitivity=PUBLIC),
        province_code(required=True, sensitivity=PUBLIC),
        Field("households", "Số hộ gia đình", "Households", INTEGER, False, PUBLIC),
        Field("population", "Số nhân khẩu", "Residents", INTEGER, False, PUBLIC),
    ),
)

COMMUNE_OFFICIAL = Entity(
    id="commune_official",
    sector="local_government",
    label_vi="Cán bộ, công chức cấp xã",
    label_en="Commune-level official",
    key=("official_id",),
    description_vi="Khoảng 136.000 người, bình quân 41 người mỗi đơn vị hành chính cấp xã.",
    description_en="About 136,000 people nationally, on average 41 per commune-level unit. "
    "Ids are this sector's own, not the national personnel database's.",
    unit_field="commune_code",
    province_field="province_code",
    fields=(
        Field("official_id", "Mã cán bộ, công chức", "Official id", STRING, True),
        full_name(required=True, sensitivity=PERSONAL),
        sex(required=True, sensitivity=PERSONAL),
        birth_year(sensitivity=PERSONAL),
        ethnicity(sensitivity=SENSITIVE),
        Field("position", "Chức vụ, chức danh", "Post", CODE, True, codelist="commune_position"),
        Field("staff_kind", "Cán bộ hay công chức", "Cadre or civil servant", CODE, True,
              codelist="commune_staff_kind"),
        Field("education_level", "Trình độ giáo dục phổ thông và chuyên môn", "Education level",
              CODE, False, PERSONAL, codelist="education_level"),
        commune_code(required=True),
        province_code(required=True),
        Field("start_date", "Ngày giữ chức vụ, chức danh", "In post since", DATE),
    ),
)

CODELISTS: tuple[CodeList, ...] = (
    DIVISION_TYPE,
    ADMIN_UNIT_CLASS,
    VILLAGE_KIND,
    COMMUNE_POSITION,
    COMMUNE_STAFF_KIND,
    GEOMETRY_FORMAT,
)

SECTOR = Sector(
    id="local_government",
    number=2,
    label_vi="Chính quyền địa phương và địa giới hành chính",
    label_en="Local government and administrative boundaries",
    legal_basis="Decision 708/QĐ-BNV (11/9/2023); Law on Local Government Organisation 2025; "
    "Resolution 202/2025/QH15 on rearranging provinces; Circular 14/2024/TT-BNV",
    entities=(ADMIN_UNIT, ADMIN_BOUNDARY, VILLAGE, COMMUNE_OFFICIAL),
)
