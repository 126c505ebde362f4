"""Reads one sheet of an Excel workbook (.xlsx) the way agencies send it: a title block above
the header, headers over two rows with merged group cells, a row of column numbers, and a
totals and signature footer after the data.

Every value comes out as text so that the validator is the one place that parses: text
cells as written, dates as ``YYYY-MM-DD`` (``YYYY-MM-DD HH:MM:SS`` when the time is not
midnight), numbers in plain notation (``12``, ``2.34``), booleans ``true`` / ``false``,
empty cells as null.

The sheet is parsed once, by fastexcel (calamine) straight to Arrow strings; the header
block is found in its first rows, the merged cells come from a scan of the sheet's XML for
its ``mergeCell`` elements, and fastexcel's renderings of dates and numbers are fixed up
column by column with Arrow compute. What is skipped (title block, column numbers, footer)
is said in the first batch's notes; fully empty rows are skipped silently.

Known limits: numbers with more than 9 decimals come out rounded to 9 (fastexcel renders
numbers as text with 9 decimals at most); a text cell written exactly as a rendered date
(``2025-10-15 00:00:00``) is shortened like a date; .xls (Excel 97-2003) workbooks are
refused with the advice to save them as .xlsx.
"""

from __future__ import annotations

import logging
import posixpath
import re
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import fastexcel
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, field_validator

from noivu_ioc.ingest.readers.base import Batch, SourceError
from noivu_ioc.ingest.readers.files import (
    FileState,
    binary_kind,
    raise_if_changed,
    read_head,
    row_positions,
)

logger = logging.getLogger(__name__)

# Rows searched for the header, and rows at the end searched for the footer.
SCAN_ROWS = 30
_TAIL_ROWS = 200
_SHEETS_SHOWN = 20
_TEXT_SHOWN = 40
_EXCEL_ROWS = 1_048_576

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"

Cell = str | None

# What a header cell is not: a number, a date, a column number such as "(3)".
_NUMBER = re.compile(r"^[+-]?[\d.,\s]+%?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2}(\.\d+)?)?$|^\d{1,2}/\d{1,2}/\d{2,4}$")
# Lines of the national heading and of a place-and-date line, which stand above headers.
_TITLE = re.compile(r"cộng h(òa|oà) xã hội|độc lập\s*-\s*tự do|ngày\s+\S+\s+tháng\s+\S+\s+năm")
# A cell of the column-number row: "(1)", "1", "(3)=(1)+(2)", or a letter as in "A", "B".
_COLUMN_NUMBER = re.compile(r"^\(?\s*(\d{1,3})\s*\)?(\s*=.*)?$|^\(?([A-Z])\)?$")
# The first cell of a totals row; any cell of a signature block or a place-and-date line.
_TOTAL = re.compile(r"^(tổng cộng|tổng số)\b|^(cộng|tổng)\s*[:.]?$")
_SIGNATURE = re.compile(
    r"^(người lập|người ký|thủ trưởng|lãnh đạo|giám đốc|phó giám đốc|chủ tịch|phó chủ tịch"
    r"|kế toán|trưởng phòng|trưởng ban|xác nhận|nơi nhận|ghi chú\s*:"
    r"|(tm|kt|q|tl|tuq)\s*\.)"
    r"|^\(\s*ký\b|ngày\s+\S+\s+tháng\s+\S+\s+năm\s+\d{2,4}"
)

# fastexcel renders a date cell as "YYYY-MM-DD HH:MM:SS[.fff]" and a number with up to 9
# decimals; these undo the parts the validator should not see.
_FRACTION = (r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\.\d+$", r"\1")
_TIME_ONLY = (r"^1899-12-3[01] (\d\d:\d\d:\d\d)$", r"\1")
_MIDNIGHT = (r"^(\d{4}-\d\d-\d\d) 00:00:00$", r"\1")
_LONG_DECIMAL = r"^-?(0|[1-9]\d*)\.\d*[1-9]$"
# From 16 significant digits on, a 9-decimal rendering shows the binary noise of a number
# ("98765432.099999994"); the shortest text of the same number is what was typed.
_NOISY_DIGITS = 17


class ExcelConfig(BaseModel):
    """Which sheet to read and, when detection needs help, where its header is."""

    model_config = ConfigDict(extra="forbid")

    # The sheet's name, or its position counted from 1; None = the first visible sheet
    # that has a header.
    sheet: str | int | None = None
    # The header's (first) row, as Excel numbers rows; None = detected.
    header_row: int | None = None
    # 1 or 2 header rows (a group header merged above sub-headers); None = detected.
    header_rows: Literal[1, 2] | None = None
    batch_size: int = 50_000

    @field_validator("sheet")
    @classmethod
    def _sheet_position(cls, value: str | int | None) -> str | int | None:
        if isinstance(value, int) and value < 1:
            raise ValueError(f"{value} is not allowed (sheets are counted from 1)")
        if isinstance(value, str) and not value.strip():
            raise ValueError("a blank sheet name is not allowed (leave it out for the first sheet)")
        return value

    @field_validator("header_row")
    @classmethod
    def _row_number(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= _EXCEL_ROWS:
            raise ValueError(
                f"{value} is not allowed (Excel rows are counted from 1 to {_EXCEL_ROWS})"
            )
        return value

    @field_validator("batch_size")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value < 1:
            raise ValueError(f"{value} is not allowed (expected 1 or more)")
        return value


@dataclass(frozen=True, slots=True)
class SheetInfo:
    """A sheet as the source settings screen shows it."""

    name: str
    visible: bool
    header_rows: tuple[int, ...]  # Excel row numbers; () when no header was found
    columns: list[str]
    row_count: int  # the data rows ``read`` would give


@dataclass(frozen=True, slots=True)
class _Merge:
    first_row: int  # table coordinates: row 0 is Excel row 1, column 0 the first loaded
    first_col: int
    last_row: int
    last_col: int


@dataclass(slots=True)
class _Sheet:
    """A sheet loaded as text: table row ``i`` is Excel row ``i + 1``."""

    name: str
    visible: bool
    table: pa.Table
    letters: list[str]  # the Excel column of each table column
    merges: list[_Merge]


@dataclass(slots=True)
class _Layout:
    """Where a sheet's parts are, in table rows (row 0 is Excel row 1)."""

    header: tuple[int, ...]
    names: list[str]
    columns: list[int]  # the table column of each name
    data: int  # the first data row
    end: int  # the row after the last data row: where the footer starts, if any
    notes: list[str] = field(default_factory=list)


class ExcelReader:
    """One sheet of an .xlsx workbook as a source. Positions are
    ``"bao_cao_ton_giao.xlsx, sheet 'Cơ sở thờ tự', row 14"`` (the Excel row number).
    A sheet with a header and no data yields one empty batch, with the notes.

    Every call parses the sheet whole: calamine cannot stop after the first rows, and the
    footer, found at the end, decides which columns without a header hold values.
    """

    def __init__(self, path: Path, config: ExcelConfig | None = None) -> None:
        self.path = Path(path)
        self.config = config or ExcelConfig()

    def sheets(self) -> list[SheetInfo]:
        """Every sheet of the workbook with its detected header and its number of data
        rows (``header_rows`` is empty where no header was found)."""
        workbook = _Workbook.open(self.path)
        found = []
        for index in range(len(workbook.names)):
            sheet = workbook.load(index)
            layout = self._layout(sheet, required=False)
            if layout is None:
                found.append(SheetInfo(sheet.name, sheet.visible, (), [], 0))
                continue
            rows = self._body(sheet, layout)[0].num_rows
            header = tuple(row + 1 for row in layout.header)
            found.append(SheetInfo(sheet.name, sheet.visible, header, layout.names, rows))
        return found

    def check(self) -> None:
        sheet, layout = self._sheet()
        logger.info(
            "Excel source %s, sheet '%s': header at row %s, %d columns",
            self.path,
            sheet.name,
            "-".join(str(row + 1) for row in layout.header),
            len(layout.names),
        )

    def columns(self) -> list[str]:
        return list(self._sheet()[1].names)

    def read(self, since: Any = None) -> Iterator[Batch]:
        """The sheet's data rows in batches; ``since`` is ignored (a file has no cursor)."""
        before = FileState.of(self.path)
        try:
            sheet, layout = self._sheet()
        except SourceError:
            raise_if_changed(self.path, before)  # a workbook still being copied looks damaged
            raise
        table, numbers = self._body(sheet, layout)
        raise_if_changed(self.path, before)

        prefix = f"{self.path.name}, sheet '{sheet.name}', row "
        size = self.config.batch_size
        for start in range(0, max(table.num_rows, 1), size):
            yield Batch(
                table.slice(start, size),
                row_positions(prefix, numbers[start : start + size]),
                notes=tuple(layout.notes) if start == 0 else (),
            )
        logger.info(
            "Excel source %s, sheet '%s' read: %d rows, %d notes",
            self.path,
            sheet.name,
            table.num_rows,
            len(layout.notes),
        )

    # -- finding the sheet and its parts -------------------------------------------------

    def _scan_rows(self) -> int:
        return max(SCAN_ROWS, (self.config.header_row or 0) + 3)

    def _sheet(self) -> tuple[_Sheet, _Layout]:
        workbook = _Workbook.open(self.path)
        wanted = self.config.sheet
        if wanted is not None:
            sheet = workbook.load(workbook.index_of(wanted))
            layout = self._layout(sheet, required=True)
            assert layout is not None  # required=True raises instead
            return sheet, layout

        for index in range(len(workbook.names)):
            if not workbook.visible(index):
                continue
            sheet = workbook.load(index)
            layout = self._layout(sheet, required=False)
            if layout is not None:
                return sheet, layout
        raise SourceError(
            f"{self.path.name}: no visible sheet has a header in its first {SCAN_ROWS} rows "
            f"(sheets: {_quoted(workbook.names)}); set sheet and header_row"
        )

    def _layout(self, sheet: _Sheet, *, required: bool) -> _Layout | None:
        where = f"{self.path.name}, sheet '{sheet.name}'"
        if sheet.table.num_rows == 0 or sheet.table.num_columns == 0:
            if required:
                raise SourceError(f"{where} is empty: choose the sheet that holds the data")
            return None

        grid = _grid(sheet.table, 0, self._scan_rows())
        if self.config.header_row is not None:
            top = self.config.header_row - 1
            if top >= len(grid) or not any(grid[top]):
                if required:
                    raise SourceError(
                        f"{where}, row {top + 1}: header_row points at an empty row; set it "
                        "to the row that holds the column names"
                    )
                return None
        else:
            found = _header_row(grid, sheet.merges)
            if found is None:
                if required:
                    raise SourceError(
                        f"{where}: no header row found in the first {SCAN_ROWS} rows (a row "
                        "naming most columns); set header_row to the row of the column names"
                    )
                return None
            top = found

        count = self.config.header_rows or (2 if _has_sub_header(grid, top, sheet.merges) else 1)
        header = tuple(range(top, min(top + count, len(grid))))
        notes = []
        if top > 0:
            span = "row 1" if top == 1 else f"rows 1-{top}"
            notes.append(f"{where}, {span}: title block above the header, skipped")
        data = header[-1] + 1
        if data < len(grid) and _is_column_numbers(grid[data]):
            notes.append(f"{where}, row {data + 1}: column numbers under the header, skipped")
            data += 1

        end = sheet.table.num_rows
        footer = _footer_start(sheet.table.slice(data))
        if footer is not None:
            end = data + footer
            first, last = end + 1, sheet.table.num_rows
            span = f"row {first}" if first == last else f"rows {first}-{last}"
            shown = _footer_texts(sheet.table.slice(end))
            notes.append(
                f"{where}, {span}: totals and signature footer after the data ({shown}), skipped"
            )

        names, columns = self._names(sheet, grid, header, data, end, notes)
        return _Layout(header, names, columns, data, end, notes)

    def _names(
        self,
        sheet: _Sheet,
        grid: list[list[Cell]],
        header: tuple[int, ...],
        data: int,
        end: int,
        notes: list[str],
    ) -> tuple[list[str], list[int]]:
        """The name of each column that has one or holds values, and its table column."""
        where = f"{self.path.name}, sheet '{sheet.name}'"
        found = _column_names(grid, header, sheet.merges, sheet.table.num_columns)
        names, columns = [], []
        seen: dict[str, str] = {}
        for column, name in enumerate(found):
            letter = sheet.letters[column]
            if not name:
                values = sheet.table.column(column).slice(data, end - data)
                if values.null_count == len(values):
                    continue
                name = f"column {letter}"
                notes.append(f"{where}, column {letter}: no header above values, named `{name}`")
            if name in seen:
                raise SourceError(
                    f"{where}, row {header[0] + 1}: the header names `{name}` twice (columns "
                    f"{seen[name]} and {letter}); rename one of them in the workbook"
                )
            seen[name] = letter
            names.append(name)
            columns.append(column)
        if not names:
            raise SourceError(
                f"{where}, row {header[0] + 1}: the header row has no column names; set header_row"
            )
        return names, columns

    def _body(self, sheet: _Sheet, layout: _Layout) -> tuple[pa.Table, np.ndarray[Any, Any]]:
        """The data rows as text, without the empty ones, and their Excel row numbers."""
        body = sheet.table.slice(layout.data, layout.end - layout.data)
        numbers = np.arange(layout.data + 1, layout.end + 1, dtype=np.int64)
        if body.num_rows:
            empty = pc.is_null(body.column(0))
            for column in body.columns[1:]:
                empty = pc.and_(empty, pc.is_null(column))
            if pc.any(empty).as_py():
                keep = pc.invert(empty)
                body = body.filter(keep)
                numbers = numbers[keep.to_numpy(zero_copy_only=False)]
        table = pa.table(
            [_as_text(body.column(column)) for column in layout.columns], names=layout.names
        )
        return table, numbers


# -- the workbook --------------------------------------------------------------------------


@dataclass(slots=True)
class _Workbook:
    path: Path
    reader: fastexcel.ExcelReader
    names: list[str]
    parts: dict[str, str]  # sheet name -> the part of the zip that holds its XML
    hidden: set[str]

    @classmethod
    def open(cls, path: Path) -> _Workbook:
        _refuse_non_workbooks(path)
        try:
            with zipfile.ZipFile(path) as archive:
                parts, hidden = _sheet_parts(archive)
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
            raise _damaged(path, exc) from None
        try:
            reader = fastexcel.read_excel(str(path))
        except fastexcel.FastExcelError as exc:
            raise _damaged(path, exc) from None
        return cls(path, reader, list(reader.sheet_names), parts, hidden)

    def index_of(self, wanted: str | int) -> int:
        if isinstance(wanted, int):
            if wanted <= len(self.names):
                return wanted - 1
            raise SourceError(
                f"{self.path.name} has {len(self.names)} sheets, so sheet {wanted} does not "
                f"exist; the sheets are: {_quoted(self.names)}"
            )
        if wanted in self.names:
            return self.names.index(wanted)
        # Sheet names are often retyped with another case or a trailing space.
        loose = [index for index, name in enumerate(self.names) if _fold(name) == _fold(wanted)]
        if len(loose) == 1:
            return loose[0]
        raise SourceError(
            f"{self.path.name} has no sheet named '{wanted}'; the sheets are: {_quoted(self.names)}"
        )

    def visible(self, index: int) -> bool:
        return self.names[index] not in self.hidden

    def load(self, index: int) -> _Sheet:
        name = self.names[index]
        # calamine parses the sheet without holding the GIL, so the scan of the same
        # sheet's XML for merged cells runs beside it on another core.
        with ThreadPoolExecutor(max_workers=1) as pool:
            scan = pool.submit(self._merged_ranges, name)
            try:
                loaded = self.reader.load_sheet(
                    index,
                    header_row=None,
                    skip_rows=0,
                    dtypes="string",
                    whitespace_as_null=True,
                )
                table = pa.Table.from_batches([loaded.to_arrow()])
            except fastexcel.FastExcelError as exc:
                raise SourceError(
                    f"{self.path.name}, sheet '{name}' cannot be read ({_first_line(exc)}); "
                    "open it in Excel, save it again and send it again"
                ) from None
            found = scan.result()
        absolute = [column.absolute_index for column in loaded.available_columns()]
        letters = [_letter(column) for column in absolute]
        return _Sheet(
            name,
            loaded.visible == "visible",
            table,
            letters,
            _in_table(found, absolute),
        )

    def _merged_ranges(self, name: str) -> list[tuple[int, int, int, int]]:
        part = self.parts.get(name)
        if part is None:
            return []
        try:
            with zipfile.ZipFile(self.path) as archive:
                return _merged_ranges(archive, part)
        except (zipfile.BadZipFile, OSError, KeyError, zlib.error) as exc:
            logger.warning("%s, sheet '%s': merged cells not read (%s)", self.path, name, exc)
            return []


def _in_table(found: list[tuple[int, int, int, int]], absolute: list[int]) -> list[_Merge]:
    """Merged ranges in table coordinates, cut to the loaded columns."""
    if not absolute:
        return []
    first, last = absolute[0], absolute[-1]
    merges = []
    for first_row, first_col, last_row, last_col in found:
        if last_col < first or first_col > last:
            continue
        left, right = max(first_col, first) - first, min(last_col, last) - first
        merges.append(_Merge(first_row, left, last_row, right))
    return merges


def _refuse_non_workbooks(path: Path) -> None:
    """A terminal error for a file that is not an .xlsx workbook, saying what it is."""
    head = read_head(path, 4096)
    name = path.name
    if not head:
        raise SourceError(f"{name} is empty (0 bytes), not a workbook; ask for the file again")
    if head.startswith(b"PK\x03\x04"):
        return
    if head.startswith(_OLE):
        if _ENCRYPTED in _whole(path):
            raise SourceError(
                f"{name} is protected by a password, so it cannot be read: ask the agency to "
                "remove the password (File > Info > Protect Workbook > Encrypt with Password, "
                "empty it) and send it again"
            )
        raise SourceError(
            f"{name} is an Excel 97-2003 workbook (.xls); open it in Excel and save it as "
            "Excel Workbook (.xlsx)"
        )
    kind = binary_kind(head)
    if kind is not None:
        raise SourceError(f"{name} is {kind}, not an Excel workbook; ask for the spreadsheet")
    if b"\x00" not in head or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError(
            f"{name} is a text file (a CSV file renamed .xlsx?), not an Excel workbook; read "
            "it with a CSV source"
        )
    raise SourceError(f"{name} is not an Excel workbook (unknown format); ask for the .xlsx file")


def _whole(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _sheet_parts(archive: zipfile.ZipFile) -> tuple[dict[str, str], set[str]]:
    """Where each sheet's XML is in the archive, and which sheets are hidden."""
    names = set(archive.namelist())
    if not any(_WORKBOOK_PART.match(name) for name in names):
        what = (
            "an Excel binary workbook (.xlsb); save it as Excel Workbook (.xlsx)"
            if "xl/workbook.bin" in names
            else "an OpenDocument spreadsheet (.ods); save it as Excel Workbook (.xlsx)"
            if "content.xml" in names
            else "a Word document, not an Excel workbook"
            if "word/document.xml" in names
            else "a zip archive, not an Excel workbook"
        )
        filename = Path(archive.filename or "").name
        raise SourceError(f"{filename} is {what}")
    try:
        workbook = ET.fromstring(archive.read("xl/workbook.xml"))
        relations = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError):
        return {}, set()
    targets = {rel.get("Id"): rel.get("Target") or "" for rel in relations}
    parts, hidden = {}, set()
    for element in workbook.iter():
        name = element.get("name")
        if not element.tag.endswith("}sheet") or not name:
            continue
        if element.get("state") in ("hidden", "veryHidden"):
            hidden.add(name)
        target = targets.get(element.get(_RELATIONSHIP_ID))
        if target:
            path = target[1:] if target.startswith("/") else posixpath.join("xl", target)
            parts[name] = posixpath.normpath(path)
    return parts, hidden


_WORKBOOK_PART = re.compile(r"^xl/[^/]*workbook\d*\.xml$")
_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _merged_ranges(archive: zipfile.ZipFile, part: str) -> list[tuple[int, int, int, int]]:
    """The sheet's merged ranges, 0-based (first row, first column, last row, last column).
    They sit after the cells in the sheet's XML, which is read through without parsing."""
    found: set[tuple[int, int, int, int]] = set()
    carry = b""
    with archive.open(part) as stream:
        while chunk := stream.read(1 << 20):
            data = carry + chunk
            # The kept end of a chunk holds any element cut in two; one found twice is
            # the same range, and the set keeps it once.
            carry = data[-256:]
            if b"mergeCell" not in data:
                continue
            for match in _MERGE_REF.finditer(data):
                col1, row1, col2, row2 = match.groups()
                first_col, first_row = _column_index(col1), int(row1) - 1
                last_col = _column_index(col2) if col2 else first_col
                last_row = int(row2) - 1 if row2 else first_row
                found.add((first_row, first_col, last_row, last_col))
    return sorted(found)


def _damaged(path: Path, exc: BaseException) -> SourceError:
    return SourceError(
        f"{path.name} is a damaged workbook ({_first_line(exc)}): it may have been cut off "
        "while copied; ask the agency to send it again"
    )


# -- the header ----------------------------------------------------------------------------


def _grid(table: pa.Table, start: int, count: int) -> list[list[Cell]]:
    part = table.slice(start, count)
    columns = [column.to_pylist() for column in part.columns]
    return [list(row) for row in zip(*columns, strict=True)] if columns else []


def _header_row(grid: list[list[Cell]], merges: list[_Merge]) -> int | None:
    """The first row that names most of the columns: two text cells or more (a lone text
    is a title, or a line of instructions), no heading line of the title block, and
    covering at least half the sheet's width (a merged group header counts for every
    column it spans). A one-column sheet needs header_row."""
    widest = max((_filled(row) for row in grid), default=0)
    least = 2
    spans: dict[int, int] = {}
    for merge in merges:
        if merge.first_row < len(grid) and merge.last_col > merge.first_col:
            extra = merge.last_col - merge.first_col
            spans[merge.first_row] = spans.get(merge.first_row, 0) + extra
    for index, row in enumerate(grid):
        cells = [cell for cell in row if cell is not None]
        if len(cells) < least:
            continue
        texts = [cell for cell in cells if _is_text(cell)]
        if len(texts) < least or len(texts) < 0.7 * len(cells):
            continue
        if any(_TITLE.search(_fold(cell)) for cell in texts):
            continue
        if len(cells) + spans.get(index, 0) >= 0.5 * widest:
            return index
    return None


def _has_sub_header(grid: list[list[Cell]], top: int, merges: list[_Merge]) -> bool:
    """Whether the row under the header holds sub-headers ("Nam" | "Nữ" under "Ngày sinh")."""
    if top + 1 >= len(grid):
        return False
    upper, lower = grid[top], grid[top + 1]
    below = [column for column, cell in enumerate(lower) if cell is not None]
    if not below or not all(_is_text(lower[column] or "") for column in below):
        return False
    if _is_column_numbers(lower):
        return False
    in_header = [merge for merge in merges if merge.first_row == top]
    if in_header:
        for merge in in_header:
            if merge.last_row > top:
                return True  # a header cell merged down over both rows
            if merge.last_col > merge.first_col and any(
                merge.first_col <= column <= merge.last_col for column in below
            ):
                return True  # sub-headers under a group merged across columns
        return False
    # Without merged cells, sub-headers sit under empty cells of the header row (the
    # continuation of a group written once) and nowhere under a single-row name.
    under_blank = [column for column in below if upper[column] is None]
    return bool(under_blank) and all(
        upper[column] is None or _starts_group(upper, lower, column) for column in below
    )


def _starts_group(upper: list[Cell], lower: list[Cell], column: int) -> bool:
    following = column + 1
    return following < len(upper) and upper[following] is None and lower[following] is not None


def _column_names(
    grid: list[list[Cell]], rows: tuple[int, ...], merges: list[_Merge], width: int
) -> list[str]:
    """One name per table column: "Trình độ - Chuyên môn" under a group, "Họ và tên" for
    a name merged over both rows, "" for a column without a header."""
    top = rows[0]
    if len(rows) == 1:
        # A name merged across columns names the first of them; the others are left
        # unnamed (and named by their letter when they hold values).
        return [_clean(cell) for cell in grid[top]]
    upper = _with_merged(grid[top], top, merges, width)

    sub = rows[1]
    lower = list(grid[sub])
    covered_down: set[int] = set()
    for merge in merges:
        if merge.first_row <= top and merge.last_row >= sub:
            covered_down.update(range(merge.first_col, merge.last_col + 1))
    lower = _with_merged(lower, sub, [m for m in merges if m.first_row == sub], width)
    header_merges = [m for m in merges if m.first_row in (top, sub)]
    names = []
    for column in range(width):
        group = upper[column]
        part = None if column in covered_down else lower[column]
        if group is None and part is not None and not header_merges:
            group = _group_to_the_left(grid[top], grid[sub], column)
        pieces = [_clean(text) for text in (group, part) if text]
        if len(pieces) == 2 and pieces[0] == pieces[1]:
            pieces = pieces[:1]
        names.append(" - ".join(pieces))
    return names


def _with_merged(row: list[Cell], index: int, merges: list[_Merge], width: int) -> list[Cell]:
    """The row with each horizontally merged cell's text repeated over its span."""
    filled = list(row) + [None] * (width - len(row))
    for merge in merges:
        if merge.first_row != index or merge.last_col == merge.first_col:
            continue
        text = filled[merge.first_col] if merge.first_col < width else None
        for column in range(merge.first_col + 1, min(merge.last_col, width - 1) + 1):
            if filled[column] is None:
                filled[column] = text
    return filled


def _group_to_the_left(upper: list[Cell], lower: list[Cell], column: int) -> Cell:
    left = column - 1
    while left >= 0 and upper[left] is None and lower[left] is not None:
        left -= 1
    if left >= 0 and upper[left] is not None and lower[left] is not None:
        return upper[left]
    return None


def _is_column_numbers(row: Sequence[Cell]) -> bool:
    """Whether a row only numbers the columns: "(1)", "(2)" … or 1, 2, 3 … counted from 1
    (letters such as "A", "B" may head the text columns)."""
    cells = [cell.strip() for cell in row if cell is not None]
    if len(cells) < 2:
        return False
    numbers = []
    for cell in cells:
        match = _COLUMN_NUMBER.match(cell)
        if match is None:
            return False
        if match.group(1) is not None:
            numbers.append(int(match.group(1)))
    return bool(numbers) and numbers == list(range(1, len(numbers) + 1))


def _is_text(cell: str) -> bool:
    text = cell.strip()
    return bool(text) and not _NUMBER.match(text) and not _DATE.match(text)


def _filled(row: Sequence[Cell]) -> int:
    return sum(cell is not None for cell in row)


def _has_values(column: pa.ChunkedArray, start: int) -> bool:
    return bool(column.slice(start).null_count < len(column) - start)


# -- the footer ----------------------------------------------------------------------------


def _footer_start(body: pa.Table) -> int | None:
    """Where the totals and signature footer starts, as a row of ``body``: the first
    totals or signature row of the trailing block that holds no full data row after it."""
    if body.num_rows == 0:
        return None
    first = max(body.num_rows - _TAIL_ROWS, 0)
    tail = _grid(body, first, _TAIL_ROWS)
    sparse = max(2, body.num_columns // 3)
    start = None
    for offset in range(len(tail) - 1, -1, -1):
        cells = [_fold(cell) for cell in tail[offset] if cell is not None]
        if not cells:
            continue
        if _TOTAL.search(cells[0]) or (
            # A signature block holds titles, names and a date line, never a number: a
            # short last row "13 | Đặng Văn Sơn | Giám đốc" is data.
            len(cells) <= sparse
            and any(_SIGNATURE.search(cell) for cell in cells)
            and not any(_NUMBER.match(cell) for cell in cells)
        ):
            start = first + offset
        elif len(cells) > sparse:
            break
    return start


def _footer_texts(footer: pa.Table) -> str:
    shown: list[str] = []
    for row in _grid(footer, 0, _TAIL_ROWS):
        for cell in row:
            if cell is None:
                continue
            folded = _fold(cell)
            if _TOTAL.search(folded) or _SIGNATURE.search(folded):
                text = _clean(cell)
                text = text if len(text) <= _TEXT_SHOWN else text[:_TEXT_SHOWN] + "…"
                if text not in shown:
                    shown.append(text)
    return ", ".join(f"'{text}'" for text in shown[:4])


# -- values as text ------------------------------------------------------------------------


def _as_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """fastexcel's text of a column, with dates as ISO dates and numbers as typed."""
    if column.null_count == len(column):
        return column
    if _holds_byte(column, b":"):
        for pattern, replacement in (_FRACTION, _TIME_ONLY, _MIDNIGHT):
            column = pc.replace_substring_regex(column, pattern, replacement)
    if _holds_byte(column, b"."):
        column = _shortest_numbers(column)
    return column


def _shortest_numbers(column: pa.ChunkedArray) -> pa.ChunkedArray:
    candidate = pc.and_(
        pc.match_substring_regex(column, _LONG_DECIMAL),
        pc.greater_equal(pc.utf8_length(column), _NOISY_DIGITS),
    )
    if not pc.any(candidate).as_py():
        return column
    numbers = pc.cast(pc.if_else(candidate, column, pa.scalar(None, pa.string())), pa.float64())
    shortest = pc.cast(numbers, pa.string())
    plain = pc.fill_null(
        pc.and_kleene(candidate, pc.invert(pc.match_substring(shortest, "e"))), False
    )
    return pc.if_else(plain, shortest, column)


def _holds_byte(column: pa.ChunkedArray, byte: bytes) -> bool:
    value = byte[0]
    for chunk in column.chunks:
        data = chunk.buffers()[2]
        if data is not None and (np.frombuffer(data, dtype=np.uint8) == value).any():
            return True
    return False


# -- small helpers -------------------------------------------------------------------------


def _clean(text: Cell) -> str:
    return " ".join(text.split()) if text else ""


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


def _quoted(names: list[str]) -> str:
    shown = ", ".join(f"'{name}'" for name in names[:_SHEETS_SHOWN])
    more = len(names) - _SHEETS_SHOWN
    return shown + (f" (and {more} more)" if more > 0 else "")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _column_index(letters: bytes) -> int:
    index = 0
    for char in letters:
        index = index * 26 + char - ord("A") + 1
    return index - 1
