"""Sector 6: training and refresher training of cadres, civil servants and public employees
(đào tạo, bồi dưỡng cán bộ, công chức, viên chức).

Institutions run courses of programmes; a training record is one person's participation in
one course. Course evaluations are the survey in which learners, lecturers and direct
managers rate a course on line.
"""

from __future__ import annotations

from noivu_ioc.catalog.fields import (
    BOOLEAN,
    CODE,
    DATE,
    DECIMAL,
    INTEGER,
    PERSONAL,
    PROVINCE_NOTE_VI,
    PUBLIC,
    STRING,
    TIMESTAMP,
    agency_ref,
    commune_code,
    government_level,
    person_ref,
    province_code,
    staff_category,
)
from noivu_ioc.catalog.model import Code, CodeList, Entity, Field, Sector

_DECREE_101 = "Nghị định 101/2017/NĐ-CP, sửa đổi bởi Nghị định 89/2021/NĐ-CP"

TRAINING_KIND = CodeList(
    "training_kind",
    "Loại hình đào tạo, bồi dưỡng",
    "Kind of training",
    _DECREE_101 + " (nội dung bồi dưỡng); nhóm theo báo cáo của Viện Khoa học tổ chức nhà nước",
    (
        Code("LLCT", "Lý luận chính trị", "Political theory"),
        Code(
            "QLNN", "Kiến thức quản lý nhà nước theo tiêu chuẩn ngạch", "State management by grade"
        ),
        Code("LDQL", "Kiến thức, kỹ năng lãnh đạo, quản lý", "Leadership and management"),
        Code(
            "CNVT",
            "Kiến thức, kỹ năng chuyên ngành, vị trí việc làm",
            "Specialised knowledge and job-position skills",
        ),
        Code("QPAN", "Kiến thức quốc phòng và an ninh", "National defence and security"),
        Code("NN", "Ngoại ngữ", "Foreign languages"),
        Code("TH", "Tin học, kỹ năng số", "Information technology and digital skills"),
        Code("TDT", "Tiếng dân tộc thiểu số", "Ethnic minority languages"),
        Code("DH", "Đào tạo trình độ đại học", "University degree"),
        Code("SDH", "Đào tạo sau đại học", "Postgraduate degree"),
    ),
)

TRAINING_MODE = CodeList(
    "training_mode",
    "Hình thức tổ chức đào tạo, bồi dưỡng",
    "Mode of delivery",
    _DECREE_101,
    (
        Code("01", "Tập trung", "Full-time, in person"),
        Code("02", "Bán tập trung", "Part-time, in person"),
        Code("03", "Vừa làm vừa học", "Work-study"),
        Code("04", "Trực tuyến", "On line"),
        Code("05", "Kết hợp trực tiếp và trực tuyến", "Blended"),
    ),
)

TRAINING_RESULT = CodeList(
    "training_result",
    "Kết quả học tập",
    "Learning result",
    "Xếp loại kết quả học tập của cơ sở đào tạo, bồi dưỡng",
    (
        Code("01", "Xuất sắc", "Excellent"),
        Code("02", "Giỏi", "Very good"),
        Code("03", "Khá", "Good"),
        Code("04", "Trung bình", "Average"),
        Code("05", "Hoàn thành", "Completed (pass/fail course)"),
        Code("06", "Không hoàn thành", "Not completed"),
        Code("07", "Thôi học", "Withdrew"),
        Code("08", "Đang học", "In progress"),
    ),
)

TRAINING_FUNDING = CodeList(
    "training_funding",
    "Nguồn kinh phí đào tạo, bồi dưỡng",
    "Funding source",
    _DECREE_101 + " (kinh phí đào tạo, bồi dưỡng)",
    (
        Code("NSNN", "Ngân sách nhà nước", "State budget"),
        Code("DV", "Kinh phí của cơ quan, đơn vị", "The employer's own funds"),
        Code("CN", "Cá nhân tự chi trả", "Paid by the learner"),
        Code("TT", "Tài trợ, dự án", "Sponsorship or project"),
    ),
)

INSTITUTION_KIND = CodeList(
    "training_institution_kind",
    "Loại cơ sở đào tạo, bồi dưỡng",
    "Kind of training institution",
    _DECREE_101 + " (cơ sở đào tạo, bồi dưỡng)",
    (
        Code("HV", "Học viện ở Trung ương", "National academy"),
        Code("TBD", "Trường, trung tâm bồi dưỡng của bộ, ngành", "Ministry training school"),
        Code("TCT", "Trường chính trị cấp tỉnh", "Provincial political school"),
        Code("DH", "Cơ sở giáo dục đại học", "University"),
        Code("NNG", "Cơ sở đào tạo ở nước ngoài", "Institution abroad"),
    ),
)

EVALUATION_ROLE = CodeList(
    "evaluation_role",
    "Người đánh giá khóa học",
    "Course evaluator",
    "Đề tài đánh giá chất lượng đào tạo, bồi dưỡng (Bộ Nội vụ): học viên, giảng viên và "
    "người quản lý trực tiếp cùng đánh giá",
    (
        Code("HV", "Học viên", "Learner"),
        Code("GV", "Giảng viên", "Lecturer"),
        Code("QL", "Người quản lý trực tiếp", "Direct manager"),
    ),
)

CODELISTS: tuple[CodeList, ...] = (
    TRAINING_KIND,
    TRAINING_MODE,
    TRAINING_RESULT,
    TRAINING_FUNDING,
    INSTITUTION_KIND,
    EVALUATION_ROLE,
)

TRAINING_INSTITUTION = Entity(
    id="training_institution",
    sector="training",
    label_vi="Cơ sở đào tạo, bồi dưỡng",
    label_en="Training institution",
    key=("institution_id",),
    province_field="province_code",
    description_vi="Học viện, trường chính trị, trường bồi dưỡng và cơ sở đào tạo tổ chức "
    "khóa học.",
    description_en="Academies, political schools, training schools and universities that run "
    "courses.",
    fields=(
        Field("institution_id", "Mã cơ sở", "Institution id", STRING, True, PUBLIC),
        Field("name", "Tên cơ sở", "Name", STRING, True, PUBLIC),
        Field("kind", "Loại cơ sở", "Kind", CODE, True, PUBLIC,
              codelist="training_institution_kind"),
        government_level("Cấp quản lý", "Government level", required=True, sensitivity=PUBLIC),
        province_code("Tỉnh, thành phố", "Province", description=PROVINCE_NOTE_VI),
        Field("lecturer_count", "Số giảng viên cơ hữu", "Permanent lecturers", INTEGER),
        Field("is_active", "Đang hoạt động", "Active", BOOLEAN, True),
    ),
)

TRAINING_PROGRAMME = Entity(
    id="training_programme",
    sector="training",
    label_vi="Chương trình đào tạo, bồi dưỡng",
    label_en="Training programme",
    key=("programme_id",),
    province_field="province_code",
    description_vi="Chương trình được ban hành, theo loại hình và trình độ; cơ sở chủ trì "
    "biên soạn.",
    description_en="A programme, by kind and level, and the institution that owns it.",
    fields=(
        Field("programme_id", "Mã chương trình", "Programme id", STRING, True, PUBLIC),
        Field("name", "Tên chương trình", "Name", STRING, True, PUBLIC),
        Field("kind", "Loại hình", "Kind", CODE, True, PUBLIC, codelist="training_kind"),
        Field("political_theory_level", "Trình độ lý luận chính trị", "Political theory level",
              CODE, False, PUBLIC, codelist="political_theory_level",
              description="Only for kind LLCT."),
        Field("state_management_level", "Chương trình quản lý nhà nước", "State management level",
              CODE, False, PUBLIC, codelist="state_management_level",
              description="Only for kind QLNN."),
        Field("education_level", "Trình độ đào tạo", "Degree level", CODE, False, PUBLIC,
              codelist="education_level", description="Only for kinds DH and SDH."),
        Field("audience_level", "Đối tượng theo cấp", "Audience government level",
              CODE, False, PUBLIC, codelist="government_level",
              description="Empty when the programme serves every level."),
        Field("duration_days", "Thời lượng (ngày)", "Duration (days)", INTEGER, True),
        Field("periods", "Số tiết", "Teaching periods", INTEGER),
        Field("institution_id", "Cơ sở chủ trì", "Owning institution", STRING, True,
              ref="training_institution.institution_id"),
        province_code("Tỉnh ban hành", "Issuing province", description=PROVINCE_NOTE_VI),
        Field("issued_year", "Năm ban hành", "Year issued", INTEGER, True),
        Field("is_active", "Đang áp dụng", "In use", BOOLEAN, True),
    ),
)

TRAINING_COURSE = Entity(
    id="training_course",
    sector="training",
    label_vi="Khóa, lớp đào tạo, bồi dưỡng",
    label_en="Training course",
    key=("course_id",),
    province_field="province_code",
    unit_field="institution_id",
    description_vi="Một lớp của một chương trình, do một cơ sở tổ chức tại một tỉnh.",
    description_en="One class of a programme, run by an institution in a province.",
    fields=(
        Field("course_id", "Mã lớp", "Course id", STRING, True, PUBLIC),
        Field("name", "Tên lớp", "Name", STRING, True, PUBLIC),
        Field("programme_id", "Chương trình", "Programme", STRING, True,
              ref="training_programme.programme_id"),
        Field("kind", "Loại hình", "Kind", CODE, True, PUBLIC, codelist="training_kind"),
        Field("institution_id", "Cơ sở tổ chức", "Institution", STRING, True,
              ref="training_institution.institution_id"),
        province_code("Tỉnh tổ chức", "Venue province", description=PROVINCE_NOTE_VI),
        Field("audience_level", "Đối tượng theo cấp", "Audience government level", CODE, True,
              codelist="government_level"),
        Field("year", "Năm", "Year", INTEGER, True),
        Field("start_date", "Ngày khai giảng", "Start date", DATE, True),
        Field("end_date", "Ngày bế giảng", "End date", DATE, True),
        Field("mode", "Hình thức", "Mode", CODE, True, codelist="training_mode"),
        Field("capacity", "Chỉ tiêu", "Capacity", INTEGER, True),
        Field("enrolled", "Số học viên", "Learners enrolled", INTEGER, True),
        Field("fee_per_learner_vnd", "Kinh phí bình quân một học viên (đồng)",
              "Cost per learner (VND)", DECIMAL),
    ),
)

TRAINING_RECORD = Entity(
    id="training_record",
    sector="training",
    label_vi="Lượt đào tạo, bồi dưỡng",
    label_en="Training record",
    key=("record_id",),
    province_field="province_code",
    unit_field="agency_id",
    description_vi="Một lượt tham gia một khóa, lớp của một cán bộ, công chức, viên chức.",
    description_en="One person's participation in one course.",
    fields=(
        Field("record_id", "Mã lượt", "Record id", STRING, True),
        person_ref("Mã hồ sơ CBCCVC", "Person", required=True, sensitivity=PERSONAL),
        Field("course_id", "Khóa, lớp", "Course", STRING, True, ref="training_course.course_id"),
        Field("kind", "Loại hình", "Kind", CODE, True, codelist="training_kind"),
        Field("year", "Năm", "Year", INTEGER, True),
        government_level("Cấp công tác", "Government level of the person", required=True),
        staff_category(required=True),
        province_code("Tỉnh công tác", "Province of the person",
                      description=PROVINCE_NOTE_VI + "; empty for central agencies"),
        commune_code("Xã công tác", "Commune of the person"),
        agency_ref("Cơ quan cử đi học", "Sending agency"),
        Field("result", "Kết quả", "Result", CODE, True, codelist="training_result"),
        Field("final_score", "Điểm tổng kết", "Final score (0-10)", DECIMAL),
        Field("certificate_no", "Số văn bằng, chứng chỉ", "Certificate number", STRING),
        Field("completed_date", "Ngày hoàn thành", "Completion date", DATE),
        Field("cost_vnd", "Kinh phí (đồng)", "Cost (VND)", DECIMAL),
        Field("funding", "Nguồn kinh phí", "Funding source", CODE, codelist="training_funding"),
    ),
)

COURSE_EVALUATION = Entity(
    id="course_evaluation",
    sector="training",
    label_vi="Phiếu đánh giá khóa học",
    label_en="Course evaluation",
    key=("evaluation_id",),
    province_field="province_code",
    unit_field="institution_id",
    description_vi="Phiếu khảo sát trực tuyến, ẩn danh; điểm từ 1 (kém) đến 5 (rất tốt).",
    description_en="An anonymous on-line survey answer; scores from 1 (poor) to 5 (very good).",
    fields=(
        Field("evaluation_id", "Mã phiếu", "Evaluation id", STRING, True),
        Field("course_id", "Khóa, lớp", "Course", STRING, True, ref="training_course.course_id"),
        Field("institution_id", "Cơ sở tổ chức", "Institution", STRING, True,
              ref="training_institution.institution_id"),
        province_code("Tỉnh tổ chức", "Venue province", description=PROVINCE_NOTE_VI),
        Field("role", "Người đánh giá", "Evaluator", CODE, True, codelist="evaluation_role"),
        Field("score_content", "Nội dung chương trình", "Programme content", INTEGER),
        Field("score_lecturer", "Năng lực giảng viên", "Lecturers", INTEGER),
        Field("score_method", "Phương pháp giảng dạy", "Teaching method", INTEGER),
        Field("score_organisation", "Tổ chức lớp, cơ sở vật chất", "Organisation", INTEGER),
        Field("score_applicability", "Khả năng vận dụng vào công việc", "Use in the job", INTEGER),
        Field("score_overall", "Đánh giá chung", "Overall", INTEGER, True),
        Field("comment", "Ý kiến góp ý", "Comment", STRING),
        Field("submitted_at", "Thời điểm gửi (UTC)", "Submitted at (UTC)", TIMESTAMP, True),
    ),
)

SECTOR = Sector(
    id="training",
    number=6,
    label_vi="Đào tạo, bồi dưỡng cán bộ, công chức, viên chức",
    label_en="Training of cadres, civil servants and public employees",
    legal_basis="Quyết định 708/QĐ-BNV ngày 11/9/2023; Nghị định 101/2017/NĐ-CP ngày 01/9/2017 "
    "về đào tạo, bồi dưỡng cán bộ, công chức, viên chức; Nghị định 89/2021/NĐ-CP ngày "
    "18/10/2021 sửa đổi, bổ sung Nghị định 101/2017/NĐ-CP",
    entities=(
        TRAINING_INSTITUTION,
        TRAINING_PROGRAMME,
        TRAINING_COURSE,
        TRAINING_RECORD,
        COURSE_EVALUATION,
    ),
)
