"""Files as agencies send them, written for tests and benchmarks: workbooks of the Lào Cai
Department of Home Affairs with a title block, merged two-row headers, a row of column
numbers, dates typed both ways and a signature footer; CSV files in each encoding and
delimiter; and the Office 97-2003 container that an .xls or a password-protected workbook is.

Each writer returns what a reader must give back (column names, values as text, row
numbers), so that tests assert exact values and benchmarks can check what they read.

    sheet = write_can_bo_workbook(tmp_path / "can_bo_2025.xlsx", rows=40)
    write_can_bo_csv(tmp_path / "can_bo.csv", rows=1_000_000, encoding="cp1258")
"""

from __future__ import annotations

import struct
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# Communes and wards of Lào Cai (province code 15) with their codes, leading zero kept.
LAO_CAI_WARDS = [
    ("02647", "Phường Lào Cai"),
    ("02671", "Phường Cam Đường"),
    ("02680", "Xã Hợp Thành"),
    ("02683", "Xã Bát Xát"),
    ("02686", "Xã A Mú Sung"),
    ("02695", "Xã Trịnh Tường"),
    ("02701", "Xã Y Tý"),
    ("02707", "Xã Dền Sáng"),
    ("02725", "Xã Bản Xèo"),
    ("02728", "Xã Mường Hum"),
    ("02746", "Xã Cốc San"),
    ("02752", "Xã Pha Long"),
    ("02761", "Xã Mường Khương"),
]
_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vàng", "Lò", "Giàng", "Sùng", "Đặng"]
_MIDDLE = {"Nam": ["Văn", "Đức", "Quốc", "Minh", "A"], "Nữ": ["Thị", "Thu", "Ngọc", "Thị Thu"]}
_GIVEN = {
    "Nam": ["Hùng", "Dũng", "Sơn", "Tuấn", "Chứ", "Pao", "Bình", "Quân"],
    "Nữ": ["Hương", "Lan", "Mai", "Hằng", "Dua", "Mỷ", "Thảo", "Phương"],
}
_POSITIONS = [
    "Chủ tịch Ủy ban nhân dân",
    "Phó Chủ tịch Ủy ban nhân dân",
    "Công chức Văn phòng - Thống kê",
    "Công chức Tư pháp - Hộ tịch",
    "Công chức Địa chính - Xây dựng",
    "Công chức Tài chính - Kế toán",
    "Công chức Văn hóa - Xã hội",
    "Chỉ huy trưởng Quân sự",
]
_DEGREES = ["Đại học", "Thạc sĩ", "Cao đẳng", "Trung cấp"]
_POLITICS = ["Trung cấp", "Cao cấp", "Sơ cấp", None]
_COEFFICIENTS = [2.34, 2.67, 3.0, 3.33, 3.66, 3.99, 4.32, 4.65]
BASE_SALARY = 2_340_000  # lương cơ sở, đồng per month since 1 July 2024

CAN_BO_SHEET = "Cán bộ, công chức"
CAN_BO_COLUMNS = [
    "STT",
    "Họ và tên",
    "Ngày, tháng, năm sinh - Nam",
    "Ngày, tháng, năm sinh - Nữ",
    "Số định danh cá nhân",
    "Chức vụ",
    "Đơn vị (xã, phường)",
    "Mã đơn vị",
    "Trình độ - Chuyên môn",
    "Trình độ - Lý luận chính trị",
    "Hệ số lương",
    "Mức lương (đồng)",
]
WIDTH = len(CAN_BO_COLUMNS)

WORSHIP_SHEET = "Cơ sở thờ tự"
WORSHIP_COLUMNS = [
    "STT",
    "Tên cơ sở",
    "Tôn giáo, tín ngưỡng",
    "Địa chỉ",
    "Mã xã",
    "Năm xây dựng",
    "Diện tích (m²)",
    "Là di tích",
    "Giờ mở cửa",
    "Kiểm tra lần cuối",
]
_WORSHIP_PLACES = [
    ("Đền Thượng", "Tín ngưỡng thờ Mẫu", "Phường Lào Cai", "02647", 1767, 2150.5, True),
    ("Đền Mẫu", "Tín ngưỡng thờ Mẫu", "Phường Lào Cai", "02647", 1868, 1200.0, True),
    ("Nhà thờ Sa Pa", "Công giáo", "Phường Sa Pa", "03166", 1895, 6000.0, True),
    ("Chùa Tiên Phước", "Phật giáo", "Xã Bát Xát", "02683", 1996, 845.25, False),
    ("Đền Bảo Hà", "Tín ngưỡng dân gian", "Xã Bảo Yên", "03235", 1789, 3400.0, True),
    ("Nhà thờ Bắc Hà", "Công giáo", "Xã Bắc Hà", "02953", 1930, 980.0, False),
    ("Chùa Cam Lộ", "Phật giáo", "Phường Cam Đường", "02671", 2008, 12345678.12, False),
]

TRAINING_SHEET = "Đào tạo, bồi dưỡng"
TRAINING_COLUMNS = [
    "STT",
    "Họ và tên",
    "Nội dung bồi dưỡng",
    "Từ ngày",
    "Đến ngày",
    "Kinh phí (đồng)",
]

# The rows of the signature footer, as (column, text) pairs; the totals row comes first.
_SIGNATURES: list[list[tuple[int, str]]] = [
    [],
    [(9, "Lào Cai, ngày 15 tháng 10 năm 2025")],
    [(1, "NGƯỜI LẬP BIỂU"), (9, "KT. GIÁM ĐỐC")],
    [(9, "PHÓ GIÁM ĐỐC")],
    [(1, "(Ký, ghi rõ họ tên)"), (9, "(Ký tên, đóng dấu)")],
    [],
    [],
    [(1, "Phạm Thị Lan"), (9, "Hoàng Văn Bình")],
]


@dataclass(frozen=True, slots=True)
class WrittenSheet:
    """What was written on one sheet, as the reader must give it back."""

    path: Path
    sheet: str
    header_rows: tuple[int, ...]
    columns: list[str]
    rows: list[list[str | None]]  # each data row's values as text
    row_numbers: list[int]  # each data row's Excel row (or CSV line)
    skipped: dict[str, tuple[int, int]] = field(default_factory=dict)  # part -> rows
    other_sheets: dict[str, WrittenSheet] = field(default_factory=dict)

    @property
    def positions(self) -> list[str]:
        """The positions a reader gives the rows (``sheet`` is "" for a CSV file)."""
        sheet = f", sheet '{self.sheet}'" if self.sheet else ""
        return [f"{self.path.name}{sheet}, row {number}" for number in self.row_numbers]

    def column(self, name: str) -> list[str | None]:
        index = self.columns.index(name)
        return [row[index] for row in self.rows]


# -- one civil servant -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CanBo:
    """Civil servant ``number`` of the list (commune level, Lào Cai)."""

    number: int
    name: str
    gender: str
    born: date
    identity: str
    position: str
    ward_code: str
    ward: str
    degree: str
    politics: str | None
    coefficient: float

    @classmethod
    def make(cls, number: int) -> CanBo:
        gender = "Nữ" if number % 3 == 1 else "Nam"
        name = " ".join(
            (
                _FAMILY[number % len(_FAMILY)],
                _MIDDLE[gender][number % len(_MIDDLE[gender])],
                _GIVEN[gender][(number // 3) % len(_GIVEN[gender])],
            )
        )
        born = date(1968, 1, 1) + timedelta(days=(number * 397) % 12_000)
        ward_code, ward = LAO_CAI_WARDS[number % len(LAO_CAI_WARDS)]
        century = 0 if gender == "Nam" else 1  # the CCCD's gender and century digit
        identity = f"010{century}{born.year % 100:02d}{number % 1_000_000:06d}"
        return cls(
            number,
            name,
            gender,
            born,
            identity,
            _POSITIONS[number % len(_POSITIONS)],
            ward_code,
            ward,
            _DEGREES[number % len(_DEGREES)],
            _POLITICS[number % len(_POLITICS)],
            _COEFFICIENTS[number % len(_COEFFICIENTS)],
        )

    @property
    def salary(self) -> int:
        return round(self.coefficient * BASE_SALARY)


def can_bo_cells(
    person: CanBo, *, text_date: bool, text_salary: bool
) -> tuple[list[Any], list[str | None]]:
    """One row of the list as written in the workbook, and as the reader gives it."""
    born_cell: Any = person.born.strftime("%d/%m/%Y") if text_date else person.born
    born_text = person.born.strftime("%d/%m/%Y") if text_date else person.born.isoformat()
    salary_cell: Any = f"{person.salary:,}".replace(",", ".") if text_salary else person.salary
    male = person.gender == "Nam"
    written = [
        person.number,
        person.name,
        born_cell if male else None,
        None if male else born_cell,
        person.identity,
        person.position,
        person.ward,
        person.ward_code,
        person.degree,
        person.politics,
        person.coefficient,
        salary_cell,
    ]
    expected = [
        str(person.number),
        person.name,
        born_text if male else None,
        None if male else born_text,
        person.identity,
        person.position,
        person.ward,
        person.ward_code,
        person.degree,
        person.politics,
        _number_text(person.coefficient),
        str(salary_cell) if text_salary else str(person.salary),
    ]
    return written, expected


def _number_text(value: float) -> str:
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


# -- workbooks -----------------------------------------------------------------------------


def write_can_bo_workbook(
    path: Path,
    rows: int = 40,
    *,
    title_block: bool = True,
    two_row_header: bool = True,
    number_row: bool = True,
    footer: bool = True,
    text_dates_every: int | None = 3,
    text_salaries_every: int | None = 4,
    empty_rows_after: Sequence[int] = (),
    instructions_first: bool = False,
    worship_sheet: bool = False,
    training_sheet: bool = False,
) -> WrittenSheet:
    """The commune-level civil servants of Lào Cai as the Department of Home Affairs sends
    them (sheet ``CAN_BO_SHEET``). Every defect can be turned off: the title block, the
    merged two-row header, the column numbers, the footer; every ``text_dates_every``-th
    birth date and ``text_salaries_every``-th salary is typed as text ("05/03/1980",
    "5.475.600"); an empty row follows each data row whose number is in
    ``empty_rows_after``. Written in streaming mode, so 200,000 rows fit in memory."""
    book = Workbook(write_only=True)
    if instructions_first:
        _instructions(book.create_sheet("Hướng dẫn"))
    sheet = book.create_sheet(CAN_BO_SHEET)
    row = 0

    def append(cells: Iterable[Any]) -> None:
        nonlocal row
        sheet.append(list(cells))
        row += 1

    if title_block:
        for cells in _title_block(
            sheet,
            "DANH SÁCH CÁN BỘ, CÔNG CHỨC CẤP XÃ NĂM 2025",
            "(Kèm theo Báo cáo số 125/BC-SNV ngày 15/10/2025 của Sở Nội vụ tỉnh Lào Cai)",
        ):
            append(cells)

    bold = Font(bold=True)
    wrap = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def header_cell(text: str | None) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        cell.alignment = wrap
        return cell

    header_top = row + 1
    if two_row_header:
        upper = [
            "STT",
            "Họ và tên",
            "Ngày, tháng, năm sinh",
            None,
            "Số định danh cá nhân",
            "Chức vụ",
            "Đơn vị (xã, phường)",
            "Mã đơn vị",
            "Trình độ",
            None,
            "Hệ số\nlương",
            "Mức lương\n(đồng)",
        ]
        lower = [None, None, "Nam", "Nữ", None, None, None, None]
        lower += ["Chuyên môn", "Lý luận chính trị", None, None]
        append(header_cell(text) for text in upper)
        append(header_cell(text) for text in lower)
        for column in (0, 1, 4, 5, 6, 7, 10, 11):
            _merge(sheet, header_top, column, header_top + 1, column)
        _merge(sheet, header_top, 2, header_top, 3)
        _merge(sheet, header_top, 8, header_top, 9)
        header_rows: tuple[int, ...] = (header_top, header_top + 1)
        columns = list(CAN_BO_COLUMNS)
    else:
        single = [
            "STT",
            "Họ và tên",
            "Ngày sinh (nam)",
            "Ngày sinh (nữ)",
            "Số định danh cá nhân",
            "Chức vụ",
            "Đơn vị (xã, phường)",
            "Mã đơn vị",
            "Trình độ chuyên môn",
            "Lý luận chính trị",
            "Hệ số\nlương",
            "Mức lương\n(đồng)",
        ]
        append(header_cell(text) for text in single)
        header_rows = (header_top,)
        columns = [" ".join(text.split()) for text in single]
    skipped = {}
    if title_block:
        skipped["title"] = (1, header_top - 1)
    if number_row:
        append(f"({number})" for number in range(1, WIDTH + 1))
        skipped["numbers"] = (row, row)

    expected: list[list[str | None]] = []
    numbers: list[int] = []
    total = 0
    for number in range(1, rows + 1):
        person = CanBo.make(number)
        text_date = bool(text_dates_every) and number % (text_dates_every or 1) == 0
        text_salary = bool(text_salaries_every) and number % (text_salaries_every or 1) == 0
        written, values = can_bo_cells(person, text_date=text_date, text_salary=text_salary)
        append(_dated(sheet, written))
        expected.append(values)
        numbers.append(row)
        total += person.salary
        if number in empty_rows_after:
            append([])

    if footer:
        first = row + 1
        totals: list[Any] = [None] * WIDTH
        totals[1] = f"Tổng cộng: {rows} người"
        totals[11] = total
        append(totals)
        for cells in _SIGNATURES:
            line: list[Any] = [None] * WIDTH
            for column, text in cells:
                line[column] = text
            append(line)
        skipped["footer"] = (first, row)

    others = {}
    if worship_sheet:
        others[WORSHIP_SHEET] = write_worship_sheet(book.create_sheet(WORSHIP_SHEET), path)
    if training_sheet:
        others[TRAINING_SHEET] = write_training_sheet(book.create_sheet(TRAINING_SHEET), path)
    book.save(path)
    return WrittenSheet(
        path, CAN_BO_SHEET, header_rows, columns, expected, numbers, skipped, others
    )


def write_workbook(
    path: Path,
    sheets: dict[str, list[list[Any]]],
    *,
    merged: dict[str, list[str]] | None = None,
    hidden: Sequence[str] = (),
) -> Path:
    """A workbook of small sheets given row by row (``None`` = empty cell), with merged
    ranges such as ``"A6:A7"`` per sheet and the sheets in ``hidden`` hidden."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for cells in rows:
            sheet.append(cells)
        for ref in (merged or {}).get(name, []):
            sheet.merge_cells(ref)
        if name in hidden:
            sheet.sheet_state = "hidden"
    book.save(path)
    return path


def write_worship_sheet(sheet: WriteOnlyWorksheet, path: Path) -> WrittenSheet:
    """Places of worship of Lào Cai: a short title, a one-row header, real numbers with
    decimals, a boolean, a time of day and a date with a time."""
    rows: list[list[Any]] = [
        ["SỞ NỘI VỤ TỈNH LÀO CAI"],
        ["DANH SÁCH CƠ SỞ THỜ TỰ TRÊN ĐỊA BÀN TỈNH"],
        [],
        list(WORSHIP_COLUMNS),
    ]
    _merge(sheet, 1, 0, 1, 4)
    _merge(sheet, 2, 0, 2, len(WORSHIP_COLUMNS) - 1)
    expected: list[list[str | None]] = []
    numbers: list[int] = []
    for index, (name, faith, ward, code, built, area, heritage) in enumerate(_WORSHIP_PLACES, 1):
        opens = time(5 + index % 3, 30 if index % 2 else 0)
        checked = datetime(2025, 9, index, 14, 30) if index % 2 else datetime(2025, 9, index)
        rows.append([index, name, faith, ward, code, built, area, heritage, opens, checked])
        expected.append(
            [
                str(index),
                name,
                faith,
                ward,
                code,
                str(built),
                _number_text(area),
                "true" if heritage else "false",
                opens.isoformat(),
                checked.isoformat(sep=" ") if index % 2 else checked.date().isoformat(),
            ]
        )
        numbers.append(len(rows))
    for cells in rows:
        sheet.append(_dated(sheet, cells))
    return WrittenSheet(
        path, WORSHIP_SHEET, (4,), list(WORSHIP_COLUMNS), expected, numbers, {"title": (1, 3)}
    )


def write_training_sheet(sheet: WriteOnlyWorksheet, path: Path) -> WrittenSheet:
    """Training records under a one-row header and a column-number row in the form's
    "A, B, 1, 2 …" style."""
    rows: list[list[Any]] = [list(TRAINING_COLUMNS), ["A", "B", "1", "2", "3", "4"]]
    courses = [
        ("Bồi dưỡng kiến thức quản lý nhà nước ngạch chuyên viên", 12, 6_500_000),
        ("Bồi dưỡng kỹ năng chuyển đổi số cho công chức cấp xã", 5, 2_150_000),
        ("Lý luận chính trị trình độ trung cấp", 90, 14_800_000),
    ]
    expected: list[list[str | None]] = []
    numbers: list[int] = []
    for index, (course, days, cost) in enumerate(courses, 1):
        person = CanBo.make(index * 7)
        start = date(2025, 3, 3) + timedelta(days=40 * index)
        end = start + timedelta(days=days)
        rows.append([index, person.name, course, start, end, cost])
        expected.append(
            [str(index), person.name, course, start.isoformat(), end.isoformat(), str(cost)]
        )
        numbers.append(len(rows))
    for cells in rows:
        sheet.append(_dated(sheet, cells))
    skipped = {"numbers": (2, 2)}
    return WrittenSheet(
        path, TRAINING_SHEET, (1,), list(TRAINING_COLUMNS), expected, numbers, skipped
    )


def _title_block(sheet: WriteOnlyWorksheet, title: str, subtitle: str) -> list[list[Any]]:
    """Rows 1-5: the agency and the national heading side by side, a place-and-date line,
    the report's title and its reference, merged across the sheet as agencies do."""
    last = WIDTH - 1
    _merge(sheet, 1, 0, 1, 3)
    _merge(sheet, 1, 7, 1, last)
    _merge(sheet, 2, 0, 2, 3)
    _merge(sheet, 2, 7, 2, last)
    _merge(sheet, 3, 7, 3, last)
    _merge(sheet, 4, 0, 4, last)
    _merge(sheet, 5, 0, 5, last)
    blank: list[Any] = [None] * WIDTH
    first, second, third = list(blank), list(blank), list(blank)
    first[0], first[7] = "UBND TỈNH LÀO CAI", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    second[0], second[7] = "SỞ NỘI VỤ", "Độc lập - Tự do - Hạnh phúc"
    third[7] = "Lào Cai, ngày 15 tháng 10 năm 2025"
    return [first, second, third, [title], [subtitle]]


def _instructions(sheet: WriteOnlyWorksheet) -> None:
    for text in (
        "HƯỚNG DẪN ĐIỀN BIỂU MẪU",
        "1. Ngày sinh ghi theo định dạng ngày/tháng/năm (ví dụ 05/03/1980).",
        "2. Mã đơn vị ghi đủ 5 chữ số theo danh mục đơn vị hành chính.",
        "3. Không xóa, không chèn thêm cột vào biểu mẫu.",
    ):
        sheet.append([text])


def _merge(
    sheet: WriteOnlyWorksheet, first_row: int, first_col: int, last_row: int, last_col: int
) -> None:
    """Merge cells (rows from 1, columns from 0) on a sheet written in streaming mode."""
    start = f"{_letter(first_col)}{first_row}"
    sheet.merged_cells.add(f"{start}:{_letter(last_col)}{last_row}")


def _dated(sheet: WriteOnlyWorksheet, cells: list[Any]) -> list[Any]:
    """Dates and times with the number formats Vietnamese Excel gives them."""
    out: list[Any] = []
    for value in cells:
        if isinstance(value, datetime | date | time):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = (
                "hh:mm"
                if isinstance(value, time)
                else "dd/mm/yyyy hh:mm"
                if isinstance(value, datetime)
                else "dd/mm/yyyy"
            )
            out.append(cell)
        else:
            out.append(value)
    return out


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


# -- CSV files -------------------------------------------------------------------------------

CSV_COLUMNS = [
    "STT",
    "Họ và tên",
    "Giới tính",
    "Ngày sinh",
    "Số định danh cá nhân",
    "Chức vụ",
    "Đơn vị (xã, phường)",
    "Mã đơn vị",
    "Mã tỉnh",
    "Trình độ chuyên môn",
    "Hệ số lương",
    "Ghi chú",
]


def can_bo_csv_row(number: int) -> list[str | None]:
    """Civil servant ``number`` as a CSV export writes the row (None = empty cell)."""
    person = CanBo.make(number)
    note = "Biệt phái; đang học cao học" if number % 10 == 0 else None
    return [
        str(number),
        person.name,
        person.gender,
        person.born.strftime("%d/%m/%Y"),
        person.identity,
        person.position,
        person.ward,
        person.ward_code,
        "15",
        person.degree,
        _number_text(person.coefficient),
        note,
    ]


def write_can_bo_csv(
    path: Path,
    rows: int = 30,
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
    bom: bool = False,
    line_end: str = "\n",
    blank_lines_after: Sequence[int] = (),
    broken_line_in: Sequence[int] = (),
    extra_rows: Sequence[tuple[int, str]] = (),
) -> WrittenSheet:
    """Civil servants as a CSV export: ``encoding`` is a Python codec ("utf-8", "utf-16"
    with its BOM as Excel's "Unicode text" writes it, "cp1258" with tone marks as
    combining characters as Windows Vietnamese writes them, "cp1252"); values holding the
    delimiter are quoted. A blank line follows each row in ``blank_lines_after``; rows in
    ``broken_line_in`` have a line break inside their note; each ``(after, text)`` of
    ``extra_rows`` puts the raw line ``text`` after that row."""
    lines: list[str] = [_csv_line(CSV_COLUMNS, delimiter)]
    expected: list[list[str | None]] = []
    numbers: list[int] = []
    extra = dict(extra_rows)
    line = 2
    for number in range(1, rows + 1):
        values = can_bo_csv_row(number)
        if number in broken_line_in:
            values[-1] = "Điều động về\nxã Bát Xát"
        text = _csv_line(values, delimiter)
        lines.append(text)
        expected.append(values)
        numbers.append(line)
        line += 1 + text.count("\n")
        if number in blank_lines_after:
            lines.append("")
            line += 1
        if number in extra:
            lines.append(extra[number])
            line += 1
    # Line breaks inside a quoted value stay "\n", as Excel writes them, whatever the
    # line end of the rows.
    body = line_end.join(lines) + line_end
    path.write_bytes(encode_text(body, encoding, bom=bom))
    return WrittenSheet(path, "", (1,), list(CSV_COLUMNS), expected, numbers)


def _csv_line(values: Sequence[str | None], delimiter: str) -> str:
    cells = []
    for value in values:
        text = "" if value is None else value
        if delimiter in text or '"' in text or "\n" in text:
            text = '"' + text.replace('"', '""') + '"'
        cells.append(text)
    return delimiter.join(cells)


def encode_text(text: str, encoding: str, *, bom: bool = False) -> bytes:
    """``text`` in ``encoding``; Windows-1258 with its tone marks as combining characters."""
    data = encode_windows_1258(text) if encoding == "cp1258" else text.encode(encoding)
    return (b"\xef\xbb\xbf" if bom and encoding == "utf-8" else b"") + data


_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def encode_windows_1258(text: str) -> bytes:
    """Vietnamese in Windows-1258: letters carrying only a vowel mark (â, ơ, ư, ă, đ) are
    single bytes, and the five tone marks follow as combining characters."""
    out = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONE_MARKS))
        out.append(base + "".join(c for c in parts if c in _TONE_MARKS))
    return "".join(out).encode("cp1258")


# -- Office 97-2003 containers ---------------------------------------------------------------

_SECTOR = 512
_FREE, _END, _FAT_SECTOR = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
_NO_ENTRY = 0xFFFFFFFF


def write_compound_file(path: Path, streams: dict[str, bytes]) -> None:
    """An OLE compound file (the container of .xls workbooks and of password-protected
    .xlsx ones) holding ``streams`` at its root. Each stream is padded to 4,096 bytes so
    that all live in regular sectors. Up to three streams."""
    if not 1 <= len(streams) <= 3:
        raise ValueError("write_compound_file takes one to three streams")
    padded = [(name, data.ljust(max(len(data), 4096), b"\x00")) for name, data in streams.items()]
    sectors: list[bytes] = []
    starts = []
    for _, data in padded:
        starts.append(len(sectors))
        for offset in range(0, len(data), _SECTOR):
            sectors.append(data[offset : offset + _SECTOR].ljust(_SECTOR, b"\x00"))
    directory_sector = len(sectors)
    fat_sector = directory_sector + 1

    entries = [_directory_entry("Root Entry", 5, _END, 0, child=1)]
    for index, ((name, data), start) in enumerate(zip(padded, starts, strict=True), start=1):
        sibling = index + 1 if index < len(padded) else _NO_ENTRY
        entries.append(_directory_entry(name, 2, start, len(data), right=sibling))
    directory = b"".join(entries).ljust(_SECTOR, b"\x00")
    sectors.append(directory)

    fat = [_FREE] * (_SECTOR // 4)
    for (_, data), start in zip(padded, starts, strict=True):
        count = len(data) // _SECTOR
        for sector in range(start, start + count):
            fat[sector] = sector + 1 if sector < start + count - 1 else _END
    fat[directory_sector] = _END
    fat[fat_sector] = _FAT_SECTOR
    sectors.append(struct.pack("<128I", *fat))

    header = bytearray(_SECTOR)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIII", header, 44, 1, directory_sector, 0, 4096, _END)
    struct.pack_into("<II", header, 64, 0, _END)
    struct.pack_into("<I", header, 72, 0)
    difat = [fat_sector] + [_FREE] * 108
    struct.pack_into("<109I", header, 76, *difat)
    path.write_bytes(bytes(header) + b"".join(sectors))


def _directory_entry(
    name: str, kind: int, start: int, size: int, *, child: int = _NO_ENTRY, right: int = _NO_ENTRY
) -> bytes:
    encoded = (name + "\x00").encode("utf-16-le")
    entry = bytearray(128)
    entry[0 : len(encoded)] = encoded
    struct.pack_into("<HBB", entry, 64, len(encoded), kind, 1)
    struct.pack_into("<III", entry, 68, _NO_ENTRY, right, child)
    struct.pack_into("<II", entry, 116, start, size)
    return bytes(entry)


def write_password_protected_workbook(path: Path) -> None:
    """What Excel writes for a workbook encrypted with a password: the encrypted package
    and its encryption information in a compound file, no zip inside."""
    info = struct.pack("<HHI", 4, 4, 0x40) + "Microsoft.Container.EncryptionTransform".encode(
        "utf-16-le"
    )
    package = struct.pack("<Q", 8_192) + bytes(range(256)) * 32
    write_compound_file(path, {"EncryptionInfo": info, "EncryptedPackage": package})


def write_xls_workbook(path: Path) -> None:
    """An Excel 97-2003 container: a compound file holding a ``Workbook`` stream that starts
    with a BIFF8 beginning-of-file record."""
    bof = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 0x07CC, 0x000100C1, 6)
    write_compound_file(path, {"Workbook": bof})
