"""Sector 8: religion (tôn giáo): recognised organisations, worship places, dignitaries and
lay officials, and complaints related to religion."""

from noivu_ioc.catalog.fields import (
    BOOLEAN,
    CODE,
    DATE,
    DECIMAL,
    INTEGER,
    INTERNAL,
    PERSONAL,
    PUBLIC,
    SENSITIVE,
    STRING,
    birth_year,
    commune_code,
    full_name,
    province_code,
    religion,
    sex,
)
from noivu_ioc.catalog.model import Code, CodeList, Entity, Field, Sector

WORSHIP_PLACE_KIND = CodeList(
    "worship_place_kind",
    "Loại cơ sở tôn giáo",
    "Kind of worship place",
    "Law on Belief and Religion 2016, art. 2 (cơ sở tôn giáo) and common usage",
    (
        Code("chua", "Chùa", "Pagoda"),
        Code("tinh_xa", "Tịnh xá", "Mendicant monastery (tịnh xá)"),
        Code("tu_vien", "Tu viện", "Monastery"),
        Code("niem_phat_duong", "Niệm Phật đường", "Buddhist prayer hall"),
        Code("nha_tho", "Nhà thờ", "Church"),
        Code("nha_nguyen", "Nhà nguyện", "Chapel"),
        Code("thanh_that", "Thánh thất", "Cao Đài temple"),
        Code("dien_tho", "Điện thờ Phật Mẫu", "Cao Đài Mother Goddess temple"),
        Code("thanh_duong", "Thánh đường", "Mosque"),
        Code("tieu_thanh_duong", "Tiểu thánh đường", "Small mosque (surau)"),
        Code("den_thap", "Đền tháp", "Cham temple tower"),
        Code("hoi_quan", "Hội quán", "Meeting hall"),
        Code("phat_duong", "Phật đường", "Buddhist hall"),
        Code("trung_tam", "Trung tâm sinh hoạt tôn giáo", "Religious centre"),
    ),
)

RELIGIOUS_OFFICE_KIND = CodeList(
    "religious_office_kind",
    "Chức sắc, chức việc, nhà tu hành",
    "Dignitary, lay official or monastic",
    "Law on Belief and Religion 2016, art. 2",
    (
        Code("chuc_sac", "Chức sắc", "Dignitary"),
        Code("chuc_viec", "Chức việc", "Lay official"),
        Code("nha_tu_hanh", "Nhà tu hành", "Monastic"),
    ),
)

RELIGIOUS_RANK = CodeList(
    "religious_rank",
    "Phẩm vị, chức danh tôn giáo",
    "Religious rank or office",
    "Charters of the recognised organisations; parent is the religion code",
    (
        Code("PG_HT", "Hòa thượng", "Most Venerable (monk)", "01"),
        Code("PG_TT", "Thượng tọa", "Venerable (monk)", "01"),
        Code("PG_DD", "Đại đức", "Reverend (monk)", "01"),
        Code("PG_NT", "Ni trưởng", "Most Venerable (nun)", "01"),
        Code("PG_NS", "Ni sư", "Venerable (nun)", "01"),
        Code("PG_SC", "Sư cô", "Reverend (nun)", "01"),
        Code("PG_HOTU", "Thành viên Ban Hộ tự", "Temple lay committee member", "01"),
        Code("CG_TGM", "Tổng Giám mục", "Archbishop", "02"),
        Code("CG_GM", "Giám mục", "Bishop", "02"),
        Code("CG_LM", "Linh mục", "Priest", "02"),
        Code("CG_PT", "Phó tế", "Deacon", "02"),
        Code("CG_HDMV", "Thành viên Hội đồng Mục vụ giáo xứ", "Parish council member", "02"),
        Code("TL_MS", "Mục sư", "Pastor", "08"),
        Code("TL_MSNC", "Mục sư nhiệm chức", "Acting pastor", "08"),
        Code("TL_TD", "Truyền đạo", "Evangelist", "08"),
        Code("TL_CS", "Thành viên Ban Chấp sự", "Church board member", "08"),
        Code("CD_DS", "Đầu sư", "Cardinal (Cao Đài)", "05"),
        Code("CD_PS", "Phối sư", "Archbishop (Cao Đài)", "05"),
        Code("CD_GS", "Giáo sư", "Bishop (Cao Đài)", "05"),
        Code("CD_GH", "Giáo hữu", "Priest (Cao Đài)", "05"),
        Code("CD_LS", "Lễ sanh", "Student priest (Cao Đài)", "05"),
        Code("CD_CTS", "Chánh trị sự", "Chief lay official (Cao Đài)", "05"),
        Code("CD_PTS", "Phó trị sự", "Deputy lay official (Cao Đài)", "05"),
        Code("HH_BTS", "Thành viên Ban Trị sự", "Executive board member (Hòa Hảo)", "03"),
        Code("HG_IMAM", "Imam (Giáo cả)", "Imam", "04"),
        Code("HG_KHATIB", "Khatib", "Preacher (Khatib)", "04"),
        Code("HG_BQT", "Thành viên Ban Quản trị thánh đường", "Mosque board member", "04"),
        Code("KHAC_CS", "Chức sắc tôn giáo khác", "Dignitary of another religion"),
        Code("KHAC_CV", "Chức việc tôn giáo khác", "Lay official of another religion"),
    ),
)

HERITAGE_RANK = CodeList(
    "heritage_rank",
    "Xếp hạng di tích",
    "Heritage ranking",
    "Law on Cultural Heritage",
    (
        Code("KHONG", "Chưa xếp hạng", "Not ranked"),
        Code("TINH", "Di tích cấp tỉnh", "Provincial relic"),
        Code("QG", "Di tích quốc gia", "National relic"),
        Code("QGDB", "Di tích quốc gia đặc biệt", "Special national relic"),
    ),
)

COMPLAINT_CATEGORY = CodeList(
    "religious_complaint_category",
    "Nhóm khiếu kiện liên quan đến tôn giáo",
    "Category of a religion-related complaint",
    "Government Committee for Religious Affairs, survey of religion-related complaints "
    "(accepted 16/01/2024)",
    (
        Code("HOAT_DONG", "Hoạt động tôn giáo và chức sắc tôn giáo",
             "Religious activity and dignitaries"),
        Code("DAT_DAI", "Đất đai, cơ sở thờ tự", "Land and worship places"),
        Code("CHINH_SACH", "Thực thi chính sách của chính quyền địa phương",
             "Local government's implementation of policy"),
    ),
)

COMPLAINT_KIND = CodeList(
    "complaint_kind",
    "Loại đơn",
    "Kind of petition",
    "Law on Complaints 2011; Law on Denunciations 2018",
    (
        Code("KHIEU_NAI", "Khiếu nại", "Complaint"),
        Code("TO_CAO", "Tố cáo", "Denunciation"),
        Code("KIEN_NGHI", "Kiến nghị, phản ánh", "Petition or report"),
    ),
)

COMPLAINT_STATUS = CodeList(
    "complaint_status",
    "Tình trạng giải quyết",
    "Handling status",
    "Stages of handling a petition",
    (
        Code("TIEP_NHAN", "Đã tiếp nhận", "Received"),
        Code("DANG_GIAI_QUYET", "Đang giải quyết", "In progress"),
        Code("DA_GIAI_QUYET", "Đã giải quyết", "Resolved"),
    ),
)

RELIGIOUS_ORGANISATION = Entity(
    id="religious_organisation",
    sector="religion",
    label_vi="Tổ chức tôn giáo",
    label_en="Religious organisation",
    key=("organisation_id",),
    description_vi="Tổ chức tôn giáo được Nhà nước công nhận (năm 2021: 43 tổ chức của 16 "
    "tôn giáo).",
    description_en="Religious organisations the State recognised (43 of 16 religions in 2021).",
    province_field="headquarters_province_code",
    fields=(
        Field("organisation_id", "Mã tổ chức tôn giáo", "Organisation id", STRING, True, PUBLIC),
        Field("name", "Tên tổ chức tôn giáo", "Name", STRING, True, PUBLIC),
        religion(required=True, sensitivity=PUBLIC),
        Field("recognised_date", "Ngày được công nhận", "Recognised on", DATE, False, PUBLIC,
              description="Approximate; to be replaced by the sector database's records"),
        Field("scope", "Phạm vi hoạt động", "Scope", CODE, True, PUBLIC, codelist="society_scope"),
        Field("headquarters_province_code", "Tỉnh đặt trụ sở", "Headquarters province",
              STRING, False, PUBLIC, ref="admin_unit.code"),
        Field("followers", "Số tín đồ", "Followers", INTEGER, False, PUBLIC,
              description="Generated approximation"),
    ),
)

WORSHIP_PLACE = Entity(
    id="worship_place",
    sector="religion",
    label_vi="Cơ sở thờ tự",
    label_en="Worship place",
    key=("worship_place_id",),
    description_vi="Khoảng 29.600 cơ sở thờ tự trên cả nước.",
    description_en="About 29,600 worship places nationally; names are generated.",
    unit_field="commune_code",
    province_field="province_code",
    fields=(
        Field("worship_place_id", "Mã cơ sở thờ tự", "Worship place id", STRING, True, PUBLIC),
        Field("name", "Tên cơ sở thờ tự", "Name", STRING, True, PUBLIC),
        Field("kind", "Loại cơ sở", "Kind", CODE, True, PUBLIC, codelist="worship_place_kind"),
        religion(required=True, sensitivity=PUBLIC),
        Field("organisation_id", "Tổ chức tôn giáo", "Organisation", STRING, True, PUBLIC,
              ref="religious_organisation.organisation_id"),
        commune_code(required=True, sensitivity=PUBLIC),
        province_code(required=True, sensitivity=PUBLIC),
        Field("established_year", "Năm xây dựng", "Year built", INTEGER, False, PUBLIC),
        Field("legally_recognised", "Đã được công nhận hợp pháp", "Legally recognised",
              BOOLEAN, True, PUBLIC),
        Field("land_certificate", "Đã cấp giấy chứng nhận quyền sử dụng đất",
              "Land-use certificate issued", BOOLEAN),
        Field("land_area_m2", "Diện tích khuôn viên (m²)", "Land area (m²)", DECIMAL),
        Field("heritage_rank", "Xếp hạng di tích", "Heritage ranking", CODE, False, PUBLIC,
              codelist="heritage_rank"),
    ),
)

DIGNITARY = Entity(
    id="dignitary",
    sector="religion",
    label_vi="Chức sắc, chức việc",
    label_en="Dignitary or lay official",
    key=("dignitary_id",),
    description_vi="Khoảng 54.000 chức sắc và 135.000 chức việc trên cả nước.",
    description_en="About 54,000 dignitaries and 135,000 lay officials nationally. Religion, "
    "rank and religious name are sensitive (Decree 13/2023, religious views): they reveal the "
    "person's religion.",
    unit_field="commune_code",
    province_field="province_code",
    fields=(
        Field("dignitary_id", "Mã chức sắc, chức việc", "Id", STRING, True),
        full_name(required=True, sensitivity=PERSONAL),
        Field("religious_name", "Pháp danh, tên thánh", "Religious name", STRING, False, SENSITIVE),
        sex(required=True, sensitivity=PERSONAL),
        birth_year(sensitivity=PERSONAL),
        religion(required=True, sensitivity=SENSITIVE),
        Field("kind", "Chức sắc hay chức việc", "Dignitary or lay official", CODE, True,
              codelist="religious_office_kind"),
        Field("rank", "Phẩm vị, chức danh", "Rank or office", CODE, True, SENSITIVE,
              codelist="religious_rank"),
        Field("organisation_id", "Tổ chức tôn giáo", "Organisation", STRING, True,
              ref="religious_organisation.organisation_id"),
        Field("worship_place_id", "Cơ sở thờ tự", "Worship place", STRING,
              ref="worship_place.worship_place_id"),
        commune_code(),
        province_code(required=True),
        Field("since_year", "Năm được phong phẩm, bổ nhiệm", "Ordained or appointed in", INTEGER),
    ),
)

RELIGIOUS_COMPLAINT = Entity(
    id="religious_complaint",
    sector="religion",
    label_vi="Đơn thư khiếu nại, tố cáo liên quan đến tôn giáo",
    label_en="Religion-related complaint",
    key=("complaint_id",),
    description_en="Complaints, denunciations and petitions that involve religion; the "
    "petitioners' identities stay in the source system.",
    unit_field="commune_code",
    province_field="province_code",
    fields=(
        Field("complaint_id", "Mã đơn", "Complaint id", STRING, True),
        Field("received_date", "Ngày tiếp nhận", "Received on", DATE, True),
        Field("kind", "Loại đơn", "Kind", CODE, True, codelist="complaint_kind"),
        Field("category", "Nhóm nội dung", "Category", CODE, True,
              codelist="religious_complaint_category"),
        religion("Tôn giáo liên quan", "Religion concerned", required=True, sensitivity=INTERNAL),
        Field("worship_place_id", "Cơ sở thờ tự liên quan", "Worship place concerned", STRING,
              ref="worship_place.worship_place_id"),
        commune_code(required=True),
        province_code(required=True),
        Field("signatories", "Số người đứng tên", "Signatories", INTEGER, True,
              description="More than one: a group petition (đơn đông người)"),
        Field("status", "Tình trạng giải quyết", "Status", CODE, True, codelist="complaint_status"),
        Field("resolved_date", "Ngày giải quyết xong", "Resolved on", DATE),
    ),
)

CODELISTS: tuple[CodeList, ...] = (
    WORSHIP_PLACE_KIND,
    RELIGIOUS_OFFICE_KIND,
    RELIGIOUS_RANK,
    HERITAGE_RANK,
    COMPLAINT_CATEGORY,
    COMPLAINT_KIND,
    COMPLAINT_STATUS,
)

SECTOR = Sector(
    id="religion",
    number=8,
    label_vi="Tôn giáo",
    label_en="Religion",
    legal_basis="Decision 708/QĐ-BNV (11/9/2023); Law on Belief and Religion 2016 "
    "(Law 02/2016/QH14); Decree 95/2023/NĐ-CP detailing it",
    entities=(RELIGIOUS_ORGANISATION, WORSHIP_PLACE, DIGNITARY, RELIGIOUS_COMPLAINT),
)
