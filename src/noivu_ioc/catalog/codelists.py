"""Code lists shared across sectors, each with the legal act or statistical standard it
comes from, and the population shares the generator needs to draw realistic values.

Sector modules add their own lists (``SECTOR_CODELISTS``); the lists here are the ones
every sector uses: sex, ethnicity, religion, grades and titles, levels of education,
awards, appraisal and discipline.
"""

from __future__ import annotations

from noivu_ioc.catalog.model import Code, CodeList
from noivu_ioc.catalog.sectors import SECTOR_CODELISTS


def _codes(*rows: tuple[str, str, str] | tuple[str, str, str, str | None]) -> tuple[Code, ...]:
    return tuple(Code(*row) for row in rows)


def _shares(counts: dict[str, float]) -> dict[str, float]:
    total = sum(counts.values())
    return {code: count / total for code, count in counts.items()}


SEX = CodeList(
    id="sex",
    label_vi="Giới tính",
    label_en="Sex",
    source="General Statistics Office coding of the population census (1 = Nam, 2 = Nữ)",
    codes=_codes(("1", "Nam", "Male"), ("2", "Nữ", "Female")),
)

# Code, Vietnamese name as spelled in the list, romanised name; in the order of the list.
_ETHNIC_GROUPS: tuple[tuple[str, str, str], ...] = (
    ("01", "Kinh", "Kinh"),
    ("02", "Tày", "Tay"),
    ("03", "Thái", "Thai"),
    ("04", "Hoa", "Hoa (Chinese)"),
    ("05", "Khơ-me", "Khmer"),
    ("06", "Mường", "Muong"),
    ("07", "Nùng", "Nung"),
    ("08", "Hmông", "Hmong"),
    ("09", "Dao", "Dao"),
    ("10", "Gia-rai", "Jarai"),
    ("11", "Ngái", "Ngai"),
    ("12", "Ê-đê", "Ede"),
    ("13", "Ba-na", "Bahnar"),
    ("14", "Xơ-đăng", "Sedang"),
    ("15", "Sán Chay", "San Chay"),
    ("16", "Cơ-ho", "Koho"),
    ("17", "Chăm", "Cham"),
    ("18", "Sán Dìu", "San Diu"),
    ("19", "Hrê", "Hre"),
    ("20", "Mnông", "Mnong"),
    ("21", "Ra-glai", "Raglai"),
    ("22", "Xtiêng", "Stieng"),
    ("23", "Bru-Vân Kiều", "Bru-Van Kieu"),
    ("24", "Thổ", "Tho"),
    ("25", "Giáy", "Giay"),
    ("26", "Cơ-tu", "Katu"),
    ("27", "Gié-Triêng", "Gie-Trieng"),
    ("28", "Mạ", "Ma"),
    ("29", "Khơ-mú", "Khmu"),
    ("30", "Co", "Co"),
    ("31", "Tà-ôi", "Ta Oi"),
    ("32", "Chơ-ro", "Cho Ro"),
    ("33", "Kháng", "Khang"),
    ("34", "Xinh-mun", "Xinh Mun"),
    ("35", "Hà Nhì", "Ha Nhi"),
    ("36", "Chu-ru", "Churu"),
    ("37", "Lào", "Lao"),
    ("38", "La Chí", "La Chi"),
    ("39", "La Ha", "La Ha"),
    ("40", "Phù Lá", "Phu La"),
    ("41", "La Hủ", "La Hu"),
    ("42", "Lự", "Lu"),
    ("43", "Lô Lô", "Lo Lo"),
    ("44", "Chứt", "Chut"),
    ("45", "Mảng", "Mang"),
    ("46", "Pà Thẻn", "Pa Then"),
    ("47", "Cờ Lao", "Co Lao"),
    ("48", "Cống", "Cong"),
    ("49", "Bố Y", "Bo Y"),
    ("50", "Si La", "Si La"),
    ("51", "Pu Péo", "Pu Peo"),
    ("52", "Brâu", "Brau"),
    ("53", "Ơ Đu", "O Du"),
    ("54", "Rơ-măm", "Ro Mam"),
)

ETHNICITY = CodeList(
    id="ethnicity",
    label_vi="Dân tộc",
    label_en="Ethnicity",
    source=(
        "General Statistics Office, list of the ethnic groups of Viet Nam, Decision "
        "121-TCTK/PPCĐ of 2 March 1979 (codes 01-54 in the order of that list)"
    ),
    codes=tuple(Code(code, vi, en) for code, vi, en in _ETHNIC_GROUPS),
)

# Persons per group at the 2019 Population and Housing Census (GSO), rounded as published
# in the census results; used only to weight generated data, so small errors do no harm.
_ETHNICITY_POPULATION_2019: dict[str, float] = {
    "01": 82_085_826,
    "02": 1_845_492,
    "03": 1_820_950,
    "04": 749_466,
    "05": 1_319_652,
    "06": 1_452_095,
    "07": 1_083_298,
    "08": 1_393_547,
    "09": 891_151,
    "10": 513_930,
    "11": 1_649,
    "12": 398_671,
    "13": 286_910,
    "14": 212_277,
    "15": 201_398,
    "16": 200_800,
    "17": 178_948,
    "18": 183_004,
    "19": 149_460,
    "20": 127_334,
    "21": 146_613,
    "22": 100_752,
    "23": 94_598,
    "24": 91_430,
    "25": 67_858,
    "26": 74_173,
    "27": 63_322,
    "28": 50_322,
    "29": 90_612,
    "30": 40_442,
    "31": 52_356,
    "32": 29_520,
    "33": 16_180,
    "34": 29_503,
    "35": 25_539,
    "36": 23_242,
    "37": 17_532,
    "38": 15_126,
    "39": 10_157,
    "40": 12_471,
    "41": 12_113,
    "42": 6_757,
    "43": 4_827,
    "44": 7_513,
    "45": 4_650,
    "46": 8_248,
    "47": 4_003,
    "48": 2_729,
    "49": 3_232,
    "50": 909,
    "51": 903,
    "52": 525,
    "53": 428,
    "54": 639,
}

# Share of each ethnic group in the population (2019 census), summing to 1.
ETHNICITY_POPULATION_SHARE: dict[str, float] = _shares(_ETHNICITY_POPULATION_2019)

RELIGION = CodeList(
    id="religion",
    label_vi="Tôn giáo",
    label_en="Religion",
    source=(
        "Codes 01-12 follow the religion code list in common use in national administrative "
        "systems (01 Phật giáo ... 05 Cao Đài, 08 Tin Lành ... 12 Baha'i; its issuing act "
        "is not verified here); 13-16 numbered by this project for the other religions "
        "recognised by the State (16 religions, Government Committee for Religious Affairs, "
        "2021); 00 none and 99 other added"
    ),
    codes=_codes(
        ("00", "Không", "None"),
        ("01", "Phật giáo", "Buddhism"),
        ("02", "Công giáo", "Catholicism"),
        ("03", "Phật giáo Hòa Hảo", "Hoa Hao Buddhism"),
        ("04", "Hồi giáo", "Islam"),
        ("05", "Cao Đài", "Cao Dai"),
        ("06", "Minh Sư đạo", "Minh Su Dao"),
        ("07", "Minh Lý đạo - Tam Tông Miếu", "Minh Ly Dao - Tam Tong Mieu"),
        ("08", "Tin Lành", "Protestantism"),
        ("09", "Tịnh độ Cư sĩ Phật hội Việt Nam", "Pure Land Lay Buddhist Association"),
        ("10", "Phật giáo Tứ Ân Hiếu Nghĩa", "Tu An Hieu Nghia Buddhism"),
        ("11", "Bửu Sơn Kỳ Hương", "Buu Son Ky Huong"),
        ("12", "Baha'i", "Baha'i Faith"),
        ("13", "Bà-la-môn giáo", "Brahmanism (Cham Balamon)"),
        ("14", "Cơ đốc Phục lâm", "Seventh-day Adventism"),
        (
            "15",
            "Giáo hội Các Thánh hữu Ngày sau của Chúa Giê-su Ki-tô (Mặc Môn)",
            "Church of Jesus Christ of Latter-day Saints",
        ),
        ("16", "Phật giáo Hiếu Nghĩa Tà Lơn", "Hieu Nghia Ta Lon Buddhism"),
        ("99", "Tôn giáo khác", "Other"),
    ),
)

# Self-declared followers at the 2019 census (GSO), approximate; the Government
# Committee's own count of followers (about 26.5 million) is higher because it counts
# members of religious organisations, not self-declared belief.
_RELIGION_FOLLOWERS_2019: dict[str, float] = {
    "01": 4_606_567,
    "02": 5_866_803,
    "03": 983_079,
    "04": 70_934,
    "05": 556_234,
    "06": 709,
    "07": 383,
    "08": 960_558,
    "09": 2_306,
    "10": 36_000,
    "11": 1_700,
    "12": 2_400,
    "13": 64_547,
    "14": 14_000,
    "15": 1_000,
    "16": 6_000,
    "99": 3_000,
}
_POPULATION_2019 = 96_208_984
_RELIGION_FOLLOWERS_2019["00"] = _POPULATION_2019 - sum(_RELIGION_FOLLOWERS_2019.values())

# Share of the population following each religion (00: none), summing to 1.
RELIGION_FOLLOWER_SHARE: dict[str, float] = _shares(_RELIGION_FOLLOWERS_2019)

CIVIL_SERVANT_GRADE = CodeList(
    id="civil_servant_grade",
    label_vi="Ngạch công chức",
    label_en="Civil-servant grade",
    source=(
        "Grade codes of Decision 78/2004/QĐ-BNV as renamed by later circulars: "
        "02/2021/TT-BNV (administrative and clerical grades), 29/2022/TT-BTC (accounting, "
        "tax and customs grades); parent: salary class of Decree 204/2004/NĐ-CP"
    ),
    codes=_codes(
        ("01.001", "Chuyên viên cao cấp", "Senior principal officer", "A3"),
        ("01.002", "Chuyên viên chính", "Principal officer", "A2"),
        ("01.003", "Chuyên viên", "Officer", "A1"),
        ("01.004", "Cán sự", "Assistant officer", "A0"),
        ("01.005", "Nhân viên", "Staff", "B"),
        ("02.006", "Văn thư viên chính", "Principal records clerk", "A2"),
        ("02.007", "Văn thư viên", "Records clerk", "A1"),
        ("02.008", "Văn thư viên trung cấp", "Intermediate records clerk", "B"),
        ("04.023", "Thanh tra viên cao cấp", "Senior inspector", "A3"),
        ("04.024", "Thanh tra viên chính", "Principal inspector", "A2"),
        ("04.025", "Thanh tra viên", "Inspector", "A1"),
        ("06.029", "Kế toán viên cao cấp", "Senior accountant", "A3"),
        ("06.030", "Kế toán viên chính", "Principal accountant", "A2"),
        ("06.031", "Kế toán viên", "Accountant", "A1"),
        ("06.032", "Kế toán viên trung cấp", "Intermediate accountant", "A0"),
        ("06.036", "Kiểm tra viên cao cấp thuế", "Senior tax examiner", "A3"),
        ("06.037", "Kiểm tra viên chính thuế", "Principal tax examiner", "A2"),
        ("06.038", "Kiểm tra viên thuế", "Tax examiner", "A1"),
        ("06.039", "Kiểm tra viên trung cấp thuế", "Intermediate tax examiner", "A0"),
        ("06.040", "Nhân viên thuế", "Tax clerk", "B"),
        ("06.041", "Kiểm toán viên cao cấp", "Senior state auditor", "A3"),
        ("06.042", "Kiểm toán viên chính", "Principal state auditor", "A2"),
        ("06.043", "Kiểm toán viên", "State auditor", "A1"),
        ("08.049", "Kiểm tra viên cao cấp hải quan", "Senior customs examiner", "A3"),
        ("08.050", "Kiểm tra viên chính hải quan", "Principal customs examiner", "A2"),
        ("08.051", "Kiểm tra viên hải quan", "Customs examiner", "A1"),
        ("08.052", "Kiểm tra viên trung cấp hải quan", "Intermediate customs examiner", "A0"),
        ("08.053", "Nhân viên hải quan", "Customs clerk", "B"),
    ),
)

PUBLIC_EMPLOYEE_TITLE = CodeList(
    id="public_employee_title",
    label_vi="Chức danh nghề nghiệp viên chức",
    label_en="Public-employee professional title",
    source=(
        "Circulars of the line ministries setting codes and standards of professional "
        "titles, e.g. 40/2020/TT-BGDĐT (lecturers), 01-04/2021/TT-BGDĐT (teachers), "
        "10/2015/TTLT-BYT-BNV (doctors), 24/2014/TTLT-BKHCN-BNV (researchers), "
        "45/2017/TTLT-BTTTT-BNV (information technology); parent: rank (hạng)"
    ),
    codes=_codes(
        ("V.07.01.01", "Giảng viên cao cấp (hạng I)", "Senior lecturer (rank I)", "I"),
        ("V.07.01.02", "Giảng viên chính (hạng II)", "Principal lecturer (rank II)", "II"),
        ("V.07.01.03", "Giảng viên (hạng III)", "Lecturer (rank III)", "III"),
        ("V.07.01.23", "Trợ giảng (hạng III)", "Teaching assistant (rank III)", "III"),
        ("V.07.02.24", "Giáo viên mầm non hạng I", "Preschool teacher, rank I", "I"),
        ("V.07.02.25", "Giáo viên mầm non hạng II", "Preschool teacher, rank II", "II"),
        ("V.07.02.26", "Giáo viên mầm non hạng III", "Preschool teacher, rank III", "III"),
        ("V.07.03.27", "Giáo viên tiểu học hạng I", "Primary teacher, rank I", "I"),
        ("V.07.03.28", "Giáo viên tiểu học hạng II", "Primary teacher, rank II", "II"),
        ("V.07.03.29", "Giáo viên tiểu học hạng III", "Primary teacher, rank III", "III"),
        ("V.07.04.30", "Giáo viên trung học cơ sở hạng I", "Lower-secondary teacher, rank I", "I"),
        (
            "V.07.04.31",
            "Giáo viên trung học cơ sở hạng II",
            "Lower-secondary teacher, rank II",
            "II",
        ),
        (
            "V.07.04.32",
            "Giáo viên trung học cơ sở hạng III",
            "Lower-secondary teacher, rank III",
            "III",
        ),
        (
            "V.07.05.13",
            "Giáo viên trung học phổ thông hạng I",
            "Upper-secondary teacher, rank I",
            "I",
        ),
        (
            "V.07.05.14",
            "Giáo viên trung học phổ thông hạng II",
            "Upper-secondary teacher, rank II",
            "II",
        ),
        (
            "V.07.05.15",
            "Giáo viên trung học phổ thông hạng III",
            "Upper-secondary teacher, rank III",
            "III",
        ),
        ("V.08.01.01", "Bác sĩ cao cấp (hạng I)", "Senior physician (rank I)", "I"),
        ("V.08.01.02", "Bác sĩ chính (hạng II)", "Principal physician (rank II)", "II"),
        ("V.08.01.03", "Bác sĩ (hạng III)", "Physician (rank III)", "III"),
        ("V.08.01.04", "Y sĩ (hạng IV)", "Assistant physician (rank IV)", "IV"),
        ("V.08.05.11", "Điều dưỡng hạng II", "Nurse, rank II", "II"),
        ("V.08.05.12", "Điều dưỡng hạng III", "Nurse, rank III", "III"),
        ("V.08.05.13", "Điều dưỡng hạng IV", "Nurse, rank IV", "IV"),
        ("V.08.08.20", "Dược sĩ cao cấp (hạng I)", "Senior pharmacist (rank I)", "I"),
        ("V.08.08.21", "Dược sĩ chính (hạng II)", "Principal pharmacist (rank II)", "II"),
        ("V.08.08.22", "Dược sĩ (hạng III)", "Pharmacist (rank III)", "III"),
        ("V.08.08.23", "Dược hạng IV", "Pharmacy technician (rank IV)", "IV"),
        ("V.01.02.01", "Lưu trữ viên chính (hạng II)", "Principal archivist (rank II)", "II"),
        ("V.01.02.02", "Lưu trữ viên (hạng III)", "Archivist (rank III)", "III"),
        (
            "V.01.02.03",
            "Lưu trữ viên trung cấp (hạng IV)",
            "Intermediate archivist (rank IV)",
            "IV",
        ),
        ("V.05.01.01", "Nghiên cứu viên cao cấp (hạng I)", "Senior researcher (rank I)", "I"),
        ("V.05.01.02", "Nghiên cứu viên chính (hạng II)", "Principal researcher (rank II)", "II"),
        ("V.05.01.03", "Nghiên cứu viên (hạng III)", "Researcher (rank III)", "III"),
        ("V.05.01.04", "Trợ lý nghiên cứu (hạng IV)", "Research assistant (rank IV)", "IV"),
        ("V.11.06.12", "Công nghệ thông tin hạng I", "Information technology, rank I", "I"),
        ("V.11.06.13", "Công nghệ thông tin hạng II", "Information technology, rank II", "II"),
        ("V.11.06.14", "Công nghệ thông tin hạng III", "Information technology, rank III", "III"),
        ("V.11.06.15", "Công nghệ thông tin hạng IV", "Information technology, rank IV", "IV"),
        ("V.10.02.05", "Thư viện viên hạng II", "Librarian, rank II", "II"),
        ("V.10.02.06", "Thư viện viên hạng III", "Librarian, rank III", "III"),
        ("V.10.02.07", "Thư viện viên hạng IV", "Librarian, rank IV", "IV"),
        ("V.10.05.16", "Di sản viên hạng II", "Heritage officer, rank II", "II"),
        ("V.10.05.17", "Di sản viên hạng III", "Heritage officer, rank III", "III"),
        ("V.10.05.18", "Di sản viên hạng IV", "Heritage officer, rank IV", "IV"),
        (
            "V.09.04.01",
            "Công tác xã hội viên chính (hạng II)",
            "Principal social worker (rank II)",
            "II",
        ),
        ("V.09.04.02", "Công tác xã hội viên (hạng III)", "Social worker (rank III)", "III"),
        (
            "V.09.04.03",
            "Nhân viên công tác xã hội (hạng IV)",
            "Social work assistant (rank IV)",
            "IV",
        ),
    ),
)

AWARD_FORM = CodeList(
    id="award_form",
    label_vi="Hình thức khen thưởng",
    label_en="Form of commendation",
    source="Law on Emulation and Commendation No. 06/2022/QH15; parent: group of forms",
    codes=_codes(
        ("HC-SV", "Huân chương Sao vàng", "Gold Star Order", "huan_chuong"),
        ("HC-HCM", "Huân chương Hồ Chí Minh", "Ho Chi Minh Order", "huan_chuong"),
        (
            "HC-DL1",
            "Huân chương Độc lập hạng Nhất",
            "Independence Order, first class",
            "huan_chuong",
        ),
        (
            "HC-DL2",
            "Huân chương Độc lập hạng Nhì",
            "Independence Order, second class",
            "huan_chuong",
        ),
        (
            "HC-DL3",
            "Huân chương Độc lập hạng Ba",
            "Independence Order, third class",
            "huan_chuong",
        ),
        (
            "HC-QC1",
            "Huân chương Quân công hạng Nhất",
            "Military Exploit Order, first class",
            "huan_chuong",
        ),
        (
            "HC-QC2",
            "Huân chương Quân công hạng Nhì",
            "Military Exploit Order, second class",
            "huan_chuong",
        ),
        (
            "HC-QC3",
            "Huân chương Quân công hạng Ba",
            "Military Exploit Order, third class",
            "huan_chuong",
        ),
        ("HC-LD1", "Huân chương Lao động hạng Nhất", "Labour Order, first class", "huan_chuong"),
        ("HC-LD2", "Huân chương Lao động hạng Nhì", "Labour Order, second class", "huan_chuong"),
        ("HC-LD3", "Huân chương Lao động hạng Ba", "Labour Order, third class", "huan_chuong"),
        (
            "HC-BVTQ1",
            "Huân chương Bảo vệ Tổ quốc hạng Nhất",
            "Fatherland Defence Order, first class",
            "huan_chuong",
        ),
        (
            "HC-BVTQ2",
            "Huân chương Bảo vệ Tổ quốc hạng Nhì",
            "Fatherland Defence Order, second class",
            "huan_chuong",
        ),
        (
            "HC-BVTQ3",
            "Huân chương Bảo vệ Tổ quốc hạng Ba",
            "Fatherland Defence Order, third class",
            "huan_chuong",
        ),
        (
            "HC-CC1",
            "Huân chương Chiến công hạng Nhất",
            "Feat of Arms Order, first class",
            "huan_chuong",
        ),
        (
            "HC-CC2",
            "Huân chương Chiến công hạng Nhì",
            "Feat of Arms Order, second class",
            "huan_chuong",
        ),
        (
            "HC-CC3",
            "Huân chương Chiến công hạng Ba",
            "Feat of Arms Order, third class",
            "huan_chuong",
        ),
        (
            "HC-DDK",
            "Huân chương Đại đoàn kết dân tộc",
            "Great National Unity Order",
            "huan_chuong",
        ),
        ("HC-DC", "Huân chương Dũng cảm", "Bravery Order", "huan_chuong"),
        ("HC-HN", "Huân chương Hữu nghị", "Friendship Order", "huan_chuong"),
        (
            "HCH-QKQT",
            "Huy chương Quân kỳ quyết thắng",
            "Determined-to-Win Flag Medal",
            "huy_chuong",
        ),
        (
            "HCH-VANTQ",
            "Huy chương Vì an ninh Tổ quốc",
            "For National Security Medal",
            "huy_chuong",
        ),
        (
            "HCH-CSVV1",
            "Huy chương Chiến sĩ vẻ vang hạng Nhất",
            "Glorious Soldier Medal, first class",
            "huy_chuong",
        ),
        (
            "HCH-CSVV2",
            "Huy chương Chiến sĩ vẻ vang hạng Nhì",
            "Glorious Soldier Medal, second class",
            "huy_chuong",
        ),
        (
            "HCH-CSVV3",
            "Huy chương Chiến sĩ vẻ vang hạng Ba",
            "Glorious Soldier Medal, third class",
            "huy_chuong",
        ),
        ("HCH-HN", "Huy chương Hữu nghị", "Friendship Medal", "huy_chuong"),
        ("DH-BMVNAH", "Bà mẹ Việt Nam anh hùng", "Heroic Vietnamese Mother", "danh_hieu_vinh_du"),
        (
            "DH-AHLLVT",
            "Anh hùng Lực lượng vũ trang nhân dân",
            "Hero of the People's Armed Forces",
            "danh_hieu_vinh_du",
        ),
        ("DH-AHLD", "Anh hùng Lao động", "Labour Hero", "danh_hieu_vinh_du"),
        ("DH-NGND", "Nhà giáo Nhân dân", "People's Teacher", "danh_hieu_vinh_du"),
        ("DH-NGUT", "Nhà giáo Ưu tú", "Meritorious Teacher", "danh_hieu_vinh_du"),
        ("DH-TTND", "Thầy thuốc Nhân dân", "People's Physician", "danh_hieu_vinh_du"),
        ("DH-TTUT", "Thầy thuốc Ưu tú", "Meritorious Physician", "danh_hieu_vinh_du"),
        ("DH-NSND", "Nghệ sĩ Nhân dân", "People's Artist", "danh_hieu_vinh_du"),
        ("DH-NSUT", "Nghệ sĩ Ưu tú", "Meritorious Artist", "danh_hieu_vinh_du"),
        ("DH-NNND", "Nghệ nhân Nhân dân", "People's Artisan", "danh_hieu_vinh_du"),
        ("DH-NNUT", "Nghệ nhân Ưu tú", "Meritorious Artisan", "danh_hieu_vinh_du"),
        ("GT-HCM", "Giải thưởng Hồ Chí Minh", "Ho Chi Minh Prize", "giai_thuong"),
        ("GT-NN", "Giải thưởng Nhà nước", "State Prize", "giai_thuong"),
        (
            "KNC-BO",
            "Kỷ niệm chương của bộ, ban, ngành, tỉnh, đoàn thể trung ương",
            "Commemorative medal of a ministry, province or central organisation",
            "ky_niem_chuong",
        ),
        (
            "KNC-NV",
            "Kỷ niệm chương \u201cVì sự nghiệp xây dựng tổ chức nhà nước\u201d",
            "Commemorative medal for building the state organisation",
            "ky_niem_chuong",
        ),
        (
            "BK-TTG",
            "Bằng khen của Thủ tướng Chính phủ",
            "Prime Minister's certificate of merit",
            "bang_khen",
        ),
        (
            "BK-BO",
            "Bằng khen của bộ, ban, ngành, đoàn thể trung ương",
            "Certificate of merit of a ministry or central organisation",
            "bang_khen",
        ),
        (
            "BK-TINH",
            "Bằng khen của Chủ tịch Ủy ban nhân dân cấp tỉnh",
            "Certificate of merit of a provincial People's Committee chair",
            "bang_khen",
        ),
        (
            "GK-DV",
            "Giấy khen của thủ trưởng cơ quan, đơn vị",
            "Certificate of commendation of an agency or unit head",
            "giay_khen",
        ),
        (
            "GK-XA",
            "Giấy khen của Chủ tịch Ủy ban nhân dân cấp xã",
            "Certificate of commendation of a commune People's Committee chair",
            "giay_khen",
        ),
    ),
)

EMULATION_TITLE = CodeList(
    id="emulation_title",
    label_vi="Danh hiệu thi đua",
    label_en="Emulation title",
    source="Law on Emulation and Commendation No. 06/2022/QH15; parent: who receives it",
    codes=_codes(
        ("CSTD-TQ", "Chiến sĩ thi đua toàn quốc", "National emulation fighter", "individual"),
        (
            "CSTD-BO",
            "Chiến sĩ thi đua cấp bộ, ban, ngành, tỉnh, đoàn thể trung ương",
            "Ministry- or province-level emulation fighter",
            "individual",
        ),
        ("CSTD-CS", "Chiến sĩ thi đua cơ sở", "Grassroots emulation fighter", "individual"),
        ("LDTT", "Lao động tiên tiến", "Advanced worker", "individual"),
        ("CSTT", "Chiến sĩ tiên tiến", "Advanced soldier", "individual"),
        ("CO-CP", "Cờ thi đua của Chính phủ", "Government emulation flag", "collective"),
        (
            "CO-BO",
            "Cờ thi đua của bộ, ban, ngành, tỉnh, đoàn thể trung ương",
            "Ministry- or province-level emulation flag",
            "collective",
        ),
        ("TTLDXS", "Tập thể lao động xuất sắc", "Excellent working collective", "collective"),
        ("DVQT", "Đơn vị quyết thắng", "Determined-to-win unit", "collective"),
        ("TTLDTT", "Tập thể lao động tiên tiến", "Advanced working collective", "collective"),
        ("DVTT", "Đơn vị tiên tiến", "Advanced unit", "collective"),
        # A household is counted as a collective: the law gives it its own group of titles,
        # but for analysis it is one more non-individual recipient.
        ("GDVH", "Gia đình văn hóa", "Cultured family", "collective"),
        (
            "THON-VH",
            "Thôn, tổ dân phố văn hóa",
            "Cultured village or residential group",
            "collective",
        ),
    ),
)

EDUCATION_LEVEL = CodeList(
    id="education_level",
    label_vi="Trình độ chuyên môn",
    label_en="Highest professional qualification",
    source="Law on Education 2019 and Law on Vocational Education 2014 (levels of degree)",
    codes=_codes(
        ("TSKH", "Tiến sĩ khoa học", "Doctor of Science"),
        ("TS", "Tiến sĩ", "Doctorate"),
        ("THS", "Thạc sĩ", "Master's degree"),
        ("DH", "Đại học", "Bachelor's degree"),
        ("CD", "Cao đẳng", "College diploma"),
        ("TC", "Trung cấp", "Intermediate vocational diploma"),
        ("SC", "Sơ cấp", "Elementary vocational certificate"),
        ("KHONG", "Chưa qua đào tạo", "No professional training"),
    ),
)

GENERAL_EDUCATION = CodeList(
    id="general_education",
    label_vi="Trình độ giáo dục phổ thông",
    label_en="General education",
    source=(
        "Personnel dossier field of Circular 06/2023/TT-BNV: last grade completed / "
        "years of the general education system"
    ),
    codes=_codes(
        ("12/12", "12/12", "Upper secondary completed (12-year system)"),
        ("10/10", "10/10", "Upper secondary completed (former 10-year system)"),
        ("9/12", "9/12", "Lower secondary completed (12-year system)"),
        ("7/10", "7/10", "Lower secondary completed (former 10-year system)"),
    ),
)

POLITICAL_THEORY_LEVEL = CodeList(
    id="political_theory_level",
    label_vi="Trình độ lý luận chính trị",
    label_en="Political theory level",
    source="Party Central Committee Organisation Board rules on political theory training",
    codes=_codes(
        ("CN", "Cử nhân", "Bachelor"),
        ("CC", "Cao cấp", "Advanced"),
        ("TC", "Trung cấp", "Intermediate"),
        ("SC", "Sơ cấp", "Elementary"),
        ("CHUA", "Chưa qua đào tạo", "None"),
    ),
)

STATE_MANAGEMENT_LEVEL = CodeList(
    id="state_management_level",
    label_vi="Trình độ quản lý nhà nước",
    label_en="State management training",
    source="Decree 101/2017/NĐ-CP on training of cadres and civil servants (programmes by grade)",
    codes=_codes(
        ("CVCC", "Chuyên viên cao cấp", "Senior principal officer programme"),
        ("CVC", "Chuyên viên chính", "Principal officer programme"),
        ("CV", "Chuyên viên", "Officer programme"),
        ("CS", "Cán sự", "Assistant officer programme"),
        ("CHUA", "Chưa bồi dưỡng", "Not trained"),
    ),
)

STAFF_CATEGORY = CodeList(
    id="staff_category",
    label_vi="Loại cán bộ, công chức, viên chức",
    label_en="Staff category",
    source=(
        "Law on Cadres and Civil Servants 2025 (commune-level staff are cadres or civil "
        "servants since 1 July 2025); Law on Public Employees; Labour Code 2019 (contracts)"
    ),
    codes=_codes(
        ("CB", "Cán bộ", "Cadre (elected or appointed official)"),
        ("CC", "Công chức", "Civil servant"),
        ("VC", "Viên chức", "Public employee"),
        ("HD", "Người lao động (hợp đồng)", "Contract worker"),
        (
            "KCT",
            "Người hoạt động không chuyên trách ở thôn, tổ dân phố",
            "Part-time worker of a village or residential group",
        ),
    ),
)

GOVERNMENT_LEVEL = CodeList(
    id="government_level",
    label_vi="Cấp hành chính",
    label_en="Level of government",
    source="Law on Organisation of Local Government 2025 (two levels: province and commune)",
    codes=_codes(
        ("TW", "Trung ương", "Central"),
        ("TINH", "Cấp tỉnh", "Provincial"),
        ("XA", "Cấp xã", "Commune"),
    ),
)

PERSONNEL_STATUS = CodeList(
    id="personnel_status",
    label_vi="Tình trạng công tác",
    label_en="Employment status",
    source="Circular 06/2023/TT-BNV (national personnel database: status of the dossier)",
    codes=_codes(
        ("DANG_CONG_TAC", "Đang công tác", "Serving"),
        ("NGHI_HUU", "Nghỉ hưu", "Retired"),
        ("CHUYEN_CONG_TAC", "Chuyển công tác", "Transferred out"),
        ("THOI_VIEC", "Thôi việc", "Left the service"),
        ("TU_TRAN", "Từ trần", "Deceased"),
        ("TAM_DINH_CHI", "Tạm đình chỉ công tác", "Suspended"),
    ),
)

POSITION = CodeList(
    id="position",
    label_vi="Chức vụ lãnh đạo, quản lý",
    label_en="Leadership or management position",
    source=(
        "Law on Government Organisation 2025 and Law on Organisation of Local Government "
        "2025 (titles of leaders and managers); parent: government_level, none if any level"
    ),
    codes=_codes(
        ("BO_TRUONG", "Bộ trưởng", "Minister", "TW"),
        ("THU_TRUONG", "Thứ trưởng", "Deputy minister", "TW"),
        ("VU_TRUONG", "Vụ trưởng", "Director of a ministry department", "TW"),
        ("PHO_VU_TRUONG", "Phó Vụ trưởng", "Deputy director of a ministry department", "TW"),
        ("CUC_TRUONG", "Cục trưởng", "Director general of an agency", "TW"),
        ("PHO_CUC_TRUONG", "Phó Cục trưởng", "Deputy director general of an agency", "TW"),
        ("CHANH_VP_BO", "Chánh Văn phòng Bộ", "Chief of the ministry office", "TW"),
        (
            "CHU_TICH_UBND_TINH",
            "Chủ tịch Ủy ban nhân dân cấp tỉnh",
            "Chair of a provincial People's Committee",
            "TINH",
        ),
        (
            "PHO_CHU_TICH_UBND_TINH",
            "Phó Chủ tịch Ủy ban nhân dân cấp tỉnh",
            "Vice-chair of a provincial People's Committee",
            "TINH",
        ),
        ("GIAM_DOC_SO", "Giám đốc Sở", "Director of a provincial department", "TINH"),
        (
            "PHO_GIAM_DOC_SO",
            "Phó Giám đốc Sở",
            "Deputy director of a provincial department",
            "TINH",
        ),
        (
            "BI_THU_DANG_UY_XA",
            "Bí thư Đảng ủy cấp xã",
            "Secretary of a commune Party committee",
            "XA",
        ),
        (
            "CHU_TICH_HDND_XA",
            "Chủ tịch Hội đồng nhân dân cấp xã",
            "Chair of a commune People's Council",
            "XA",
        ),
        (
            "PHO_CHU_TICH_HDND_XA",
            "Phó Chủ tịch Hội đồng nhân dân cấp xã",
            "Vice-chair of a commune People's Council",
            "XA",
        ),
        (
            "CHU_TICH_UBND_XA",
            "Chủ tịch Ủy ban nhân dân cấp xã",
            "Chair of a commune People's Committee",
            "XA",
        ),
        (
            "PHO_CHU_TICH_UBND_XA",
            "Phó Chủ tịch Ủy ban nhân dân cấp xã",
            "Vice-chair of a commune People's Committee",
            "XA",
        ),
        ("TRUONG_PHONG", "Trưởng phòng", "Head of division"),
        ("PHO_TRUONG_PHONG", "Phó Trưởng phòng", "Deputy head of division"),
        (
            "TRUONG_DVSN",
            "Người đứng đầu đơn vị sự nghiệp công lập",
            "Head of a public service unit",
        ),
        (
            "PHO_DVSN",
            "Cấp phó của người đứng đầu đơn vị sự nghiệp công lập",
            "Deputy head of a public service unit",
        ),
        ("none", "Không giữ chức vụ", "No leadership position"),
    ),
)

DISCIPLINE_FORM = CodeList(
    id="discipline_form",
    label_vi="Hình thức kỷ luật",
    label_en="Disciplinary measure",
    source=(
        "Decree 112/2020/NĐ-CP on discipline of cadres, civil servants and public "
        "employees, as amended (dismissal from elected office applies to cadres only)"
    ),
    codes=_codes(
        ("KHIEN_TRACH", "Khiển trách", "Reprimand"),
        ("CANH_CAO", "Cảnh cáo", "Warning"),
        ("HA_BAC_LUONG", "Hạ bậc lương", "Salary step reduction"),
        ("GIANG_CHUC", "Giáng chức", "Demotion"),
        ("CACH_CHUC", "Cách chức", "Removal from position"),
        ("BAI_NHIEM", "Bãi nhiệm", "Dismissal from elected office"),
        ("BUOC_THOI_VIEC", "Buộc thôi việc", "Dismissal"),
    ),
)

APPRAISAL_RESULT = CodeList(
    id="appraisal_result",
    label_vi="Xếp loại chất lượng",
    label_en="Annual appraisal result",
    source="Decree 90/2020/NĐ-CP on appraisal and rating, as amended by Decree 48/2023/NĐ-CP",
    codes=_codes(
        ("HTXSNV", "Hoàn thành xuất sắc nhiệm vụ", "Excellent"),
        ("HTTNV", "Hoàn thành tốt nhiệm vụ", "Good"),
        ("HTNV", "Hoàn thành nhiệm vụ", "Satisfactory"),
        ("KHTNV", "Không hoàn thành nhiệm vụ", "Unsatisfactory"),
    ),
)

FOREIGN_LANGUAGE_LEVEL = CodeList(
    id="foreign_language_level",
    label_vi="Trình độ ngoại ngữ",
    label_en="Foreign language level",
    source="Six-level foreign language framework for Viet Nam, Circular 01/2014/TT-BGDĐT",
    codes=_codes(
        ("1", "Bậc 1 (tương đương A1)", "Level 1 (CEFR A1)"),
        ("2", "Bậc 2 (tương đương A2)", "Level 2 (CEFR A2)"),
        ("3", "Bậc 3 (tương đương B1)", "Level 3 (CEFR B1)"),
        ("4", "Bậc 4 (tương đương B2)", "Level 4 (CEFR B2)"),
        ("5", "Bậc 5 (tương đương C1)", "Level 5 (CEFR C1)"),
        ("6", "Bậc 6 (tương đương C2)", "Level 6 (CEFR C2)"),
    ),
)

IT_SKILL_LEVEL = CodeList(
    id="it_skill_level",
    label_vi="Trình độ tin học",
    label_en="IT skill level",
    source="Standard of IT skills, Circular 03/2014/TT-BTTTT",
    codes=_codes(
        ("CO_BAN", "Kỹ năng sử dụng công nghệ thông tin cơ bản", "Basic IT skills"),
        ("NANG_CAO", "Kỹ năng sử dụng công nghệ thông tin nâng cao", "Advanced IT skills"),
    ),
)

CORE_CODELISTS: tuple[CodeList, ...] = (
    SEX,
    ETHNICITY,
    RELIGION,
    CIVIL_SERVANT_GRADE,
    PUBLIC_EMPLOYEE_TITLE,
    AWARD_FORM,
    EMULATION_TITLE,
    EDUCATION_LEVEL,
    GENERAL_EDUCATION,
    POLITICAL_THEORY_LEVEL,
    STATE_MANAGEMENT_LEVEL,
    STAFF_CATEGORY,
    GOVERNMENT_LEVEL,
    PERSONNEL_STATUS,
    POSITION,
    DISCIPLINE_FORM,
    APPRAISAL_RESULT,
    FOREIGN_LANGUAGE_LEVEL,
    IT_SKILL_LEVEL,
)

CODELISTS: tuple[CodeList, ...] = CORE_CODELISTS + SECTOR_CODELISTS
