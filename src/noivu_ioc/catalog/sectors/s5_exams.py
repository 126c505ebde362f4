"""Sector 5: entrance quality of civil servants (kiểm định chất lượng đầu vào công chức).

Exam rounds (recruitment exams, selections by interview, and the entrance quality
assessment of Decree 06/2023/NĐ-CP), the question bank, candidates and their results per
subject. A candidate is a member of the public, not yet a person of the personnel database.
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
    SENSITIVE,
    STRING,
    agency_ref,
    birth_date,
    commune_code,
    ethnicity,
    full_name,
    government_level,
    province_code,
    sex,
)
from noivu_ioc.catalog.model import Code, CodeList, Entity, Field, Sector

_RECRUITMENT = "Nghị định 138/2020/NĐ-CP về tuyển dụng, sử dụng và quản lý công chức"
_ASSESSMENT = "Nghị định 06/2023/NĐ-CP quy định về kiểm định chất lượng đầu vào công chức"

EXAM_KIND = CodeList(
    "exam_kind",
    "Hình thức tuyển dụng, kiểm định",
    "Kind of exam round",
    _RECRUITMENT + "; " + _ASSESSMENT,
    (
        Code("TT", "Thi tuyển công chức", "Competitive recruitment exam"),
        Code("XT", "Xét tuyển công chức", "Recruitment by selection"),
        Code(
            "KD",
            "Kiểm định chất lượng đầu vào công chức",
            "Entrance quality assessment",
        ),
    ),
)

EXAM_SUBJECT = CodeList(
    "exam_subject",
    "Môn thi, phần thi",
    "Exam subject",
    _RECRUITMENT + " (vòng 1, vòng 2); " + _ASSESSMENT,
    (
        Code("KTC", "Kiến thức chung", "General knowledge"),
        Code("NLC", "Năng lực chung", "General aptitude"),
        Code("NN", "Ngoại ngữ", "Foreign language"),
        Code("TH", "Tin học", "Information technology"),
        Code("NVCN", "Nghiệp vụ chuyên ngành", "Professional knowledge of the post"),
    ),
)

QUESTION_DIFFICULTY = CodeList(
    "question_difficulty",
    "Mức độ khó của câu hỏi",
    "Question difficulty",
    "Phân loại của ngân hàng câu hỏi",
    (
        Code("1", "Dễ", "Easy"),
        Code("2", "Trung bình", "Medium"),
        Code("3", "Khó", "Hard"),
    ),
)

EXAM_PRIORITY = CodeList(
    "exam_priority",
    "Đối tượng ưu tiên trong tuyển dụng",
    "Recruitment priority group",
    _RECRUITMENT + " (đối tượng và điểm ưu tiên)",
    (
        Code(
            "UT1",
            "Anh hùng Lực lượng vũ trang, Anh hùng Lao động, thương binh, bệnh binh",
            "Heroes, war invalids and sick soldiers",
        ),
        Code(
            "UT2",
            "Người dân tộc thiểu số, sĩ quan, quân nhân chuyên nghiệp xuất ngũ, con liệt sĩ, "
            "con thương binh, con bệnh binh",
            "Ethnic minorities, discharged officers, children of martyrs and war invalids",
        ),
        Code(
            "UT3",
            "Người hoàn thành nghĩa vụ quân sự, nghĩa vụ công an, đội viên thanh niên xung phong",
            "Completed military or police service, youth volunteers",
        ),
        Code("KHONG", "Không thuộc diện ưu tiên", "No priority"),
    ),
)

CODELISTS: tuple[CodeList, ...] = (EXAM_KIND, EXAM_SUBJECT, QUESTION_DIFFICULTY, EXAM_PRIORITY)

EXAM_ROUND = Entity(
    id="exam_round",
    sector="exams",
    label_vi="Kỳ thi tuyển, xét tuyển, kiểm định",
    label_en="Exam round",
    key=("round_id",),
    province_field="province_code",
    unit_field="agency_id",
    description_vi="Một kỳ thi tuyển, xét tuyển công chức hoặc một đợt kiểm định chất lượng "
    "đầu vào; kỳ của các bộ, ngành và đợt kiểm định do Bộ Nội vụ tổ chức không gắn với tỉnh.",
    description_en="A recruitment exam, a selection, or an entrance quality assessment; "
    "rounds of ministries and the ministry's assessments belong to no province.",
    fields=(
        Field("round_id", "Mã kỳ thi", "Round id", STRING, True, PUBLIC),
        Field("name", "Tên kỳ thi", "Name", STRING, True, PUBLIC),
        Field("kind", "Hình thức", "Kind", CODE, True, PUBLIC, codelist="exam_kind"),
        Field("year", "Năm", "Year", INTEGER, True, PUBLIC),
        Field("exam_date", "Ngày thi", "Exam date", DATE, True, PUBLIC),
        government_level("Cấp tổ chức", "Government level", required=True, sensitivity=PUBLIC),
        province_code("Tỉnh tổ chức", "Province", description=PROVINCE_NOTE_VI),
        agency_ref("Cơ quan tổ chức", "Organising agency"),
        Field("target_grade", "Ngạch dự tuyển", "Grade recruited for", CODE, True, PUBLIC,
              codelist="civil_servant_grade"),
        Field("on_computer", "Thi trên máy tính", "Taken on computer", BOOLEAN, True),
        Field("positions", "Chỉ tiêu tuyển dụng", "Posts to fill", INTEGER, False, PUBLIC,
              description="Empty for an entrance quality assessment, which fills no post."),
        Field("candidate_count", "Số thí sinh", "Candidates", INTEGER, True),
        Field("passed_count", "Số thí sinh đạt", "Candidates who passed", INTEGER, True),
    ),
)

EXAM_QUESTION = Entity(
    id="exam_question",
    sector="exams",
    label_vi="Câu hỏi trong ngân hàng đề thi",
    label_en="Question of the question bank",
    key=("question_id",),
    description_vi="Câu hỏi trắc nghiệm bốn phương án; chỉ lưu phần dẫn ngắn.",
    description_en="A four-option multiple-choice question; only a short stem is kept.",
    fields=(
        Field("question_id", "Mã câu hỏi", "Question id", STRING, True),
        Field("subject", "Môn thi", "Subject", CODE, True, codelist="exam_subject"),
        Field("difficulty", "Mức độ khó", "Difficulty", CODE, True, codelist="question_difficulty"),
        Field("stem", "Nội dung câu dẫn", "Stem", STRING, True),
        Field("correct_option", "Đáp án đúng", "Correct option (A-D)", STRING, True),
        Field("created_year", "Năm xây dựng", "Year written", INTEGER, True),
        Field("times_used", "Số lần sử dụng", "Times used in an exam", INTEGER, True),
        Field("correct_rate", "Tỷ lệ trả lời đúng", "Share of correct answers", DECIMAL,
              description="Share of candidates who chose the correct "
              "option, 0-1; empty if unused."),
        Field("is_active", "Đang sử dụng", "In use", BOOLEAN, True),
    ),
)

CANDIDATE = Entity(
    id="candidate",
    sector="exams",
    label_vi="Thí sinh",
    label_en="Candidate",
    key=("candidate_id",),
    province_field="province_code",
    description_vi="Người đăng ký dự thi, dự kiểm định; dữ liệu cá nhân theo Nghị định "
    "13/2023/NĐ-CP.",
    description_en="Someone registered for an exam; personal data under Decree 13/2023/NĐ-CP.",
    fields=(
        Field("candidate_id", "Mã thí sinh", "Candidate id", STRING, True),
        full_name(required=True, sensitivity=PERSONAL),
        sex(required=True, sensitivity=PERSONAL),
        birth_date(required=True, sensitivity=PERSONAL),
        ethnicity(required=True, sensitivity=SENSITIVE),
        Field("citizen_id", "Số định danh cá nhân", "Citizen identity number",
              STRING, True, SENSITIVE,
              description="12 digits: birth-province code, century and sex digit, year of birth."),
        province_code("Tỉnh cư trú", "Province of residence",
                      description=PROVINCE_NOTE_VI),
        commune_code("Xã cư trú", "Commune of residence", sensitivity=PERSONAL),
        Field("education_level", "Trình độ chuyên môn", "Highest qualification",
              CODE, True, PERSONAL, codelist="education_level"),
        Field("major", "Chuyên ngành đào tạo", "Field of study", STRING, False, PERSONAL),
        Field("priority", "Đối tượng ưu tiên", "Priority group", CODE, True, SENSITIVE,
              codelist="exam_priority"),
    ),
)

EXAM_RESULT = Entity(
    id="exam_result",
    sector="exams",
    label_vi="Kết quả thi",
    label_en="Exam result",
    key=("result_id",),
    province_field="province_code",
    description_vi="Điểm của một thí sinh ở một môn, phần thi trong một kỳ; thí sinh không "
    "đạt vòng 1 thi tuyển thì không có điểm vòng 2.",
    description_en="One candidate's score in one subject of one round; a candidate who fails "
    "the first stage of a recruitment exam has no second-stage score.",
    fields=(
        Field("result_id", "Mã kết quả", "Result id", STRING, True),
        Field("round_id", "Kỳ thi", "Round", STRING, True, ref="exam_round.round_id"),
        Field("candidate_id", "Thí sinh", "Candidate", STRING, True, PERSONAL,
              ref="candidate.candidate_id"),
        Field("subject", "Môn thi", "Subject", CODE, True, codelist="exam_subject"),
        Field("year", "Năm", "Year", INTEGER, True),
        province_code("Tỉnh cư trú của thí sinh", "Candidate's province",
                      description=PROVINCE_NOTE_VI),
        Field("question_count", "Số câu hỏi", "Questions", INTEGER),
        Field("correct_count", "Số câu trả lời đúng", "Correct answers", INTEGER),
        Field("score", "Điểm (thang 100)", "Score (0-100)", DECIMAL, True),
        Field("passed", "Đạt môn", "Passed the subject", BOOLEAN, True),
        Field("round_passed", "Đạt kỳ thi", "Passed the round", BOOLEAN, True,
              description="Passed every subject of the round."),
    ),
)

SECTOR = Sector(
    id="exams",
    number=5,
    label_vi="Kiểm định chất lượng đầu vào công chức",
    label_en="Entrance quality assessment of civil servants",
    legal_basis="Quyết định 708/QĐ-BNV ngày 11/9/2023; " + _ASSESSMENT + " (hiệu lực từ "
    "10/4/2023; từ 01/8/2024 chỉ xem xét tuyển dụng người đã đạt kiểm định); " + _RECRUITMENT,
    entities=(EXAM_ROUND, EXAM_QUESTION, CANDIDATE, EXAM_RESULT),
)
