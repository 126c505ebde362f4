"""The CSV and Parquet readers and the listing of a watched folder, on real files written
by the tests: every encoding and delimiter agencies use, and the ways files go wrong."""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pydantic import ValidationError

from noivu_ioc.ingest.readers.base import Batch, SourceError
from noivu_ioc.ingest.readers.files import (
    READ_CHUNK,
    SAMPLE_BYTES,
    CsvConfig,
    CsvReader,
    ParquetConfig,
    ParquetReader,
    list_files,
)
from tests.ingest.agency_files import (
    CSV_COLUMNS,
    WrittenSheet,
    can_bo_csv_row,
    encode_windows_1258,
    write_can_bo_csv,
    write_can_bo_workbook,
)


def read_all(reader: CsvReader | ParquetReader) -> tuple[pa.Table, list[str], list[Batch]]:
    batches = list(reader.read())
    table = pa.concat_tables([batch.table for batch in batches])
    positions = [text for batch in batches for text in batch.positions.to_pylist()]
    return table, positions, batches


def rows_of(table: pa.Table) -> list[list[str | None]]:
    columns = [column.to_pylist() for column in table.columns]
    return [list(row) for row in zip(*columns, strict=True)]


def assert_reads_back(path: Path, written: WrittenSheet, config: CsvConfig | None = None) -> None:
    table, positions, _ = read_all(CsvReader(path, config))
    assert table.column_names == written.columns
    assert all(field.type == pa.string() for field in table.schema)
    assert rows_of(table) == written.rows
    assert positions == written.positions


# -- CSV: encodings and delimiters -----------------------------------------------------------


def test_utf8_csv_reads_every_value_as_text_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "can_bo_2025.csv"
    written = write_can_bo_csv(path, rows=30)

    table, positions, batches = read_all(CsvReader(path))

    assert table.column_names == CSV_COLUMNS
    assert rows_of(table) == written.rows
    # Codes keep their leading zeros, numbers stay as typed, an empty cell is null.
    first = table.slice(0, 1).to_pylist()[0]
    assert first == {
        "STT": "1",
        "Họ và tên": "Trần Thu Hương",
        "Giới tính": "Nữ",
        "Ngày sinh": "01/02/1969",
        "Số định danh cá nhân": "010169000001",
        "Chức vụ": "Phó Chủ tịch Ủy ban nhân dân",
        "Đơn vị (xã, phường)": "Phường Cam Đường",
        "Mã đơn vị": "02671",
        "Mã tỉnh": "15",
        "Trình độ chuyên môn": "Thạc sĩ",
        "Hệ số lương": "2.67",
        "Ghi chú": None,
    }
    assert positions[:3] == [
        "can_bo_2025.csv, row 2",
        "can_bo_2025.csv, row 3",
        "can_bo_2025.csv, row 4",
    ]
    assert positions[-1] == "can_bo_2025.csv, row 31"
    assert all(batch.cursor is None and batch.notes == () for batch in batches)


@pytest.mark.parametrize(
    ("encoding", "delimiter", "bom", "line_end"),
    [
        ("utf-8", ",", True, "\r\n"),  # Excel's "CSV UTF-8"
        ("utf-8", ";", False, "\n"),  # a European-locale export
        ("utf-8", "|", False, "\n"),  # a database dump
        ("utf-16", "\t", False, "\r\n"),  # Excel's "Unicode text" (BOM from the codec)
        ("cp1258", ",", False, "\r\n"),  # Windows Vietnamese
        ("cp1258", ";", False, "\r\n"),
    ],
)
def test_encoding_and_delimiter_are_detected(
    tmp_path: Path, encoding: str, delimiter: str, bom: bool, line_end: str
) -> None:
    path = tmp_path / "can_bo_xa.csv"
    written = write_can_bo_csv(
        path, rows=25, encoding=encoding, delimiter=delimiter, bom=bom, line_end=line_end
    )

    assert_reads_back(path, written)
    # The note of every 10th servant holds the delimiter when it is ";": it is quoted.
    assert written.rows[9][-1] == "Biệt phái; đang học cao học"


def test_windows_1258_text_comes_out_composed(tmp_path: Path) -> None:
    path = tmp_path / "danh_sach_cp1258.csv"
    write_can_bo_csv(path, rows=5, encoding="cp1258", delimiter=";")
    raw = path.read_bytes()
    assert "Hương".encode() not in raw and "Hu\u031bo\u031bng".encode() not in raw
    assert "Hương".encode("cp1258") in raw  # "ư" and "ơ" are single bytes in Windows-1258

    table, _, _ = read_all(CsvReader(path))

    names = table.column("Họ và tên").to_pylist()
    assert names[0] == "Trần Thu Hương"
    assert all(unicodedata.is_normalized("NFC", name) for name in names)
    assert table.column_names[1] == "Họ và tên"


def test_windows_1258_tone_mark_on_a_chunk_boundary(tmp_path: Path) -> None:
    """The decoder reads 1 MiB at a time; a tone mark that opens a chunk still joins the
    letter that closed the one before."""
    path = tmp_path / "can_bo_lon.csv"
    written = write_can_bo_csv(path, rows=9_000, encoding="cp1258", delimiter=";")
    raw = path.read_bytes()
    tone_marks = {0xCC, 0xEC, 0xD2, 0xDE, 0xF2}
    mark = max(i for i in range(READ_CHUNK - 200, READ_CHUNK) if raw[i] in tone_marks)
    shift = READ_CHUNK - mark  # padding before it puts the mark first in the second chunk
    header_end = raw.index(b"\r\n") if b"\r\n" in raw else raw.index(b"\n")
    padded = raw[:header_end] + b" " * shift + raw[header_end:]
    path.write_bytes(padded)
    assert padded[READ_CHUNK] in tone_marks

    table, positions, _ = read_all(CsvReader(path))

    assert rows_of(table) == written.rows
    assert positions == written.positions


def test_windows_1252_foreign_names_are_detected(tmp_path: Path) -> None:
    path = tmp_path / "chuyen_gia_nuoc_ngoai.csv"
    lines = [
        "Ho va ten;Quoc tich;Chuyên ngành",
        "François Lefèvre;Pháp;Kiên trúc",
        "João Magalhães;Bô Ðào Nha;Nông nghiêp",
        "Jürgen Müller;Ðuc;Co khí",
    ]
    path.write_bytes("\r\n".join(lines).encode("cp1252") + b"\r\n")

    table, positions, _ = read_all(CsvReader(path))

    assert table.column("Ho va ten").to_pylist() == [
        "François Lefèvre",
        "João Magalhães",
        "Jürgen Müller",
    ]
    assert positions == [f"chuyen_gia_nuoc_ngoai.csv, row {n}" for n in (2, 3, 4)]


def test_settings_override_detection(tmp_path: Path) -> None:
    path = tmp_path / "ma_tinh.csv"
    # Latin-1 bytes read as Windows-1252 on purpose, and a delimiter that detection would
    # not pick because every row also holds commas.
    text = "Mã|Tên, ghi chú\n01|Hà Nội, thủ đô\n79|TP. Hồ Chí Minh, đô thị đặc biệt\n"
    path.write_bytes(text.encode("utf-8"))

    table, _, _ = read_all(CsvReader(path, CsvConfig(delimiter="|", encoding="utf-8")))

    assert table.to_pydict() == {
        "Mã": ["01", "79"],
        "Tên, ghi chú": ["Hà Nội, thủ đô", "TP. Hồ Chí Minh, đô thị đặc biệt"],
    }
    latin = tmp_path / "latin.csv"
    latin.write_bytes("Mã;Tên\n01;Hà Noi\n".encode("cp1252"))
    table, _, _ = read_all(CsvReader(latin, CsvConfig(encoding="cp1252")))
    assert table.to_pydict() == {"Mã": ["01"], "Tên": ["Hà Noi"]}


# -- CSV: rows and lines ---------------------------------------------------------------------


def test_line_breaks_inside_values_and_blank_lines_keep_positions_exact(tmp_path: Path) -> None:
    path = tmp_path / "can_bo_ghi_chu.csv"
    written = write_can_bo_csv(path, rows=12, broken_line_in=(3, 8), blank_lines_after=(5, 6))

    table, positions, _ = read_all(CsvReader(path))

    assert rows_of(table) == written.rows
    assert table.column("Ghi chú").to_pylist()[2] == "Điều động về\nxã Bát Xát"
    # Row 3 takes lines 4-5, blank lines follow rows 5 and 6, row 8 takes lines 12-13.
    lines = (2, 3, 4, 6, 7, 9, 11, 12, 14)
    assert positions[:9] == [f"can_bo_ghi_chu.csv, row {n}" for n in lines]
    assert positions == written.positions


def test_rows_whose_fields_are_all_empty_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "xa.csv"
    path.write_text("Mã xã;Tên xã\n02683;Xã Bát Xát\n;\n\n02701;Xã Y Tý\n", encoding="utf-8")

    table, positions, _ = read_all(CsvReader(path))

    assert table.to_pydict() == {"Mã xã": ["02683", "02701"], "Tên xã": ["Xã Bát Xát", "Xã Y Tý"]}
    assert positions == ["xa.csv, row 2", "xa.csv, row 5"]


def test_header_line_below_a_title_exported_from_a_spreadsheet(tmp_path: Path) -> None:
    path = tmp_path / "bao_cao.csv"
    body = write_can_bo_csv(tmp_path / "body.csv", rows=4).path.read_text(encoding="utf-8")
    title = "SỞ NỘI VỤ TỈNH LÀO CAI,,,\nDANH SÁCH CÁN BỘ CẤP XÃ NĂM 2025,,,\n"
    path.write_text(title + body, encoding="utf-8")

    table, positions, _ = read_all(CsvReader(path, CsvConfig(header_line=3)))

    assert table.column_names == CSV_COLUMNS
    assert table.column("STT").to_pylist() == ["1", "2", "3", "4"]
    assert positions == [f"bao_cao.csv, row {n}" for n in (4, 5, 6, 7)]


def test_header_with_a_line_break_inside_a_name(tmp_path: Path) -> None:
    path = tmp_path / "luong.csv"
    path.write_text('STT,"Hệ số\nlương",Ghi chú\n1,2.34,\n2,3.66,Nghỉ hưu\n', encoding="utf-8")

    reader = CsvReader(path)
    table, positions, _ = read_all(reader)

    assert reader.columns() == ["STT", "Hệ số lương", "Ghi chú"]
    assert table.to_pydict() == {
        "STT": ["1", "2"],
        "Hệ số lương": ["2.34", "3.66"],
        "Ghi chú": [None, "Nghỉ hưu"],
    }
    assert positions == ["luong.csv, row 3", "luong.csv, row 4"]


def test_large_file_streams_in_batches(tmp_path: Path) -> None:
    path = tmp_path / "can_bo_toan_tinh.csv"
    written = write_can_bo_csv(path, rows=3_000)

    _, positions, batches = read_all(CsvReader(path, CsvConfig(block_size=64 * 1024)))

    assert len(batches) > 3
    assert sum(batch.table.num_rows for batch in batches) == 3_000
    assert positions == written.positions


def test_header_only_file_gives_one_empty_batch(tmp_path: Path) -> None:
    path = tmp_path / "chua_co_du_lieu.csv"
    path.write_text("Mã tỉnh,Tên tỉnh\n", encoding="utf-8")

    batches = list(CsvReader(path).read())

    assert len(batches) == 1
    assert batches[0].table.num_rows == 0
    assert batches[0].table.column_names == ["Mã tỉnh", "Tên tỉnh"]
    assert CsvReader(path).columns() == ["Mã tỉnh", "Tên tỉnh"]


def test_check_and_columns_read_only_the_start(tmp_path: Path) -> None:
    path = tmp_path / "can_bo.csv"
    write_can_bo_csv(path, rows=3, delimiter=";", encoding="cp1258")
    reader = CsvReader(path)

    reader.check()

    assert reader.columns() == CSV_COLUMNS


# -- CSV: what goes wrong --------------------------------------------------------------------


def read_error(path: Path, config: CsvConfig | None = None) -> SourceError:
    with pytest.raises(SourceError) as caught:
        list(CsvReader(path, config).read())
    return caught.value


def test_row_with_too_many_fields_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "can_bo.csv"
    bad = (
        "6,Lò Văn Pao,Nam,12/05/1990,010090000006,Công chức Tư pháp,Xã Y Tý,02701,15,Đại học,2,34,"
    )
    write_can_bo_csv(path, rows=8, extra_rows=[(5, bad)])

    error = read_error(path)

    assert str(error) == (
        "can_bo.csv, row 7 has 13 fields but the header has 12 (`6,Lò Văn Pao,Nam,12/05/1990,"
        "010090000006,Công chức Tư pháp,Xã Y Tý,02701,15,Đại học,2,34,`); put quotes around "
        "values that contain `,`, or remove the extra delimiters"
    )
    assert error.transient is False


def test_row_with_too_few_fields_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "can_bo.csv"
    write_can_bo_csv(
        path, rows=4, delimiter=";", broken_line_in=(2,), extra_rows=[(3, "4;Giàng A Chứ")]
    )

    error = read_error(path)

    assert str(error) == (
        "can_bo.csv, row 6 has 2 fields but the header has 12 (`4;Giàng A Chứ`); add the "
        "missing delimiters (empty cells are fine) or join the broken line"
    )


def test_quote_never_closed_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "don_vi.csv"
    path.write_text(
        'Mã,Tên,Ghi chú\n01,Hà Nội,"Thủ đô\n79,TP. Hồ Chí Minh,\n48,Đà Nẵng,\n', encoding="utf-8"
    )
    closed = tmp_path / "don_vi_dung.csv"
    closed.write_text('Mã,Tên,Ghi chú\n01,Hà Nội,"Thủ đô,\nsáp nhập 2008"\n', encoding="utf-8")

    assert str(read_error(path)) == (
        "don_vi.csv, row 2: a quote opened in this row is never closed, so the rest of the "
        "file would read as one value; close the quote or remove it"
    )
    table, positions, _ = read_all(CsvReader(closed))
    assert table.column("Ghi chú").to_pylist() == ["Thủ đô,\nsáp nhập 2008"]
    assert positions == ["don_vi_dung.csv, row 2"]


def test_undecodable_bytes_after_the_sample_name_line_and_offset(tmp_path: Path) -> None:
    path = tmp_path / "can_bo.csv"
    written = write_can_bo_csv(path, rows=3_000)
    assert path.stat().st_size > SAMPLE_BYTES
    # A row pasted from a Windows-1258 file into a UTF-8 one.
    pasted = ",".join(value or "" for value in can_bo_csv_row(3_001))
    start = path.stat().st_size
    with path.open("ab") as handle:
        handle.write(encode_windows_1258(pasted) + b"\n")
    offset = start + len(encode_windows_1258(pasted).split(b"\xe2")[0])

    error = read_error(path)

    assert str(error) == (
        f"can_bo.csv, row {written.row_numbers[-1] + 1}: byte 0xE2 (at offset {offset}) is not "
        "valid UTF-8; the start of the file reads as UTF-8, so the file mixes encodings: save it "
        "again in one encoding (CSV UTF-8 is best), or set encoding"
    )


def test_wrong_encoding_setting_says_which_to_try(tmp_path: Path) -> None:
    path = tmp_path / "can_bo.csv"
    write_can_bo_csv(path, rows=3, encoding="cp1258")

    error = read_error(path, CsvConfig(encoding="utf-8"))

    # "Họ": Windows-1258 writes the dot below of "ọ" as the byte 0xF2 after "o".
    assert str(error) == (
        "can_bo.csv, row 1: byte 0xF2 (at offset 6) is not valid UTF-8; check the encoding "
        "setting (`utf-8`): Windows Vietnamese files are cp1258, Excel's 'Unicode text' is utf-16"
    )


def test_header_with_a_blank_or_repeated_name(tmp_path: Path) -> None:
    blank = tmp_path / "trong.csv"
    blank.write_text("STT;Họ và tên;;Ghi chú\n1;Nguyễn Thị Hương;x;\n", encoding="utf-8")
    repeated = tmp_path / "trung.csv"
    repeated.write_text("STT,Ghi chú,Họ và tên,Ghi chú\n1,,Lê Văn Sơn,\n", encoding="utf-8")

    assert str(read_error(blank)) == (
        "trong.csv, row 1: column 3 of the header has no name (header: `STT;Họ và tên;;Ghi chú`); "
        "give every column a name, or delete the empty column"
    )
    assert str(read_error(repeated)) == (
        "trung.csv, row 1: the header names `Ghi chú` twice (columns 2 and 4); rename one of "
        "them so that every column has its own name"
    )


def test_files_that_are_not_csv(tmp_path: Path) -> None:
    workbook = tmp_path / "can_bo.csv"
    write_can_bo_workbook(workbook, rows=2)
    pdf = tmp_path / "cong_van.csv"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    binary = tmp_path / "du_lieu.csv"
    binary.write_bytes(b"\x01\x02MZ\x00\x00\x90\x00" * 64)
    empty = tmp_path / "rong.csv"
    empty.write_bytes(b"")
    blank = tmp_path / "trang.csv"
    blank.write_bytes(b"\xef\xbb\xbf\r\n\r\n")

    assert str(read_error(workbook)) == (
        "can_bo.csv is not a text file: it is a zip archive (an .xlsx workbook or another Office "
        "file?); read it with an Excel source"
    )
    assert str(read_error(pdf)) == "cong_van.csv is not a text file: it is a PDF document"
    assert str(read_error(binary)) == (
        "du_lieu.csv is not a text file: it holds binary data (NUL bytes); export the data as "
        "CSV and send that file"
    )
    assert str(read_error(empty)) == "rong.csv is empty (0 bytes): it needs at least a header line"
    assert str(read_error(blank)) == "trang.csv is empty: it needs at least a header line"


def test_missing_file_and_missing_header_line(tmp_path: Path) -> None:
    path = tmp_path / "hai_dong.csv"
    path.write_text("Mã,Tên\n01,Hà Nội\n", encoding="utf-8")

    assert str(read_error(tmp_path / "khong_co.csv")) == (
        f"khong_co.csv does not exist at `{tmp_path / 'khong_co.csv'}`: it was moved or deleted"
    )
    assert str(read_error(path, CsvConfig(header_line=5))) == (
        "hai_dong.csv has 2 lines, so header_line 5 does not exist: set header_line to the line "
        "of the column names"
    )


def test_file_growing_while_read_is_a_transient_error(tmp_path: Path) -> None:
    path = tmp_path / "dang_chep.csv"
    write_can_bo_csv(path, rows=3_000)
    batches = CsvReader(path, CsvConfig(block_size=64 * 1024)).read()
    next(batches)

    with path.open("ab") as handle:
        handle.write(",".join(value or "" for value in can_bo_csv_row(3_001)).encode() + b"\n")
    with pytest.raises(SourceError) as caught:
        list(batches)

    assert caught.value.transient is True
    assert str(caught.value) == (
        "dang_chep.csv changed while it was being read (it is probably still being copied); "
        "the sync will read it again"
    )


def test_csv_settings_are_checked() -> None:
    with pytest.raises(ValidationError, match="`tcvn3` is not a known encoding"):
        CsvConfig(encoding="tcvn3")
    with pytest.raises(ValidationError, match="expected one character"):
        CsvConfig(delimiter=";;")
    with pytest.raises(ValidationError, match="lines are counted from 1"):
        CsvConfig(header_line=0)
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        CsvConfig.model_validate({"sheet": "Cán bộ"})
    assert CsvConfig(encoding="UTF8").encoding == "utf-8"
    assert CsvConfig(encoding="windows-1258").encoding == "cp1258"


# -- Parquet ---------------------------------------------------------------------------------


def write_dang_vien_parquet(path: Path, rows: int = 10) -> pa.Table:
    table = pa.table(
        {
            "STT": pa.array(range(1, rows + 1), pa.int64()),
            "Họ và tên": [f"Hoàng Thị Mai {n}" for n in range(1, rows + 1)],
            "Ngày vào Đảng": [date(2000 + n % 20, 5, 19) for n in range(rows)],
            "Hệ số lương": pa.array(
                [Decimal("2.34") + Decimal("0.33") * (n % 5) for n in range(rows)],
                pa.decimal128(5, 2),
            ),
            "Đảng viên chính thức": [n % 4 != 0 for n in range(rows)],
        }
    )
    pq.write_table(table, path, row_group_size=4)
    return table


def test_parquet_keeps_types_and_gives_positions(tmp_path: Path) -> None:
    path = tmp_path / "dang_vien.parquet"
    written = write_dang_vien_parquet(path)
    reader = ParquetReader(path, ParquetConfig(batch_size=4))

    reader.check()
    table, positions, batches = read_all(reader)

    assert reader.columns() == written.column_names
    assert table.schema == written.schema
    assert table.equals(written)
    assert [batch.table.num_rows for batch in batches] == [4, 4, 2]
    assert positions == [f"dang_vien.parquet, row {n}" for n in range(1, 11)]


def test_files_that_are_not_parquet(tmp_path: Path) -> None:
    csv_file = tmp_path / "dang_vien.parquet"
    csv_file.write_text("STT,Họ và tên\n1,Hoàng Thị Mai\n", encoding="utf-8")
    zipped = tmp_path / "bao_cao.parquet"
    write_can_bo_workbook(zipped, rows=2)
    cut = tmp_path / "bi_cat.parquet"
    write_dang_vien_parquet(cut)
    cut.write_bytes(cut.read_bytes()[:300])
    empty = tmp_path / "rong.parquet"
    empty.write_bytes(b"")

    def error(path: Path) -> str:
        with pytest.raises(SourceError) as caught:
            list(ParquetReader(path).read())
        assert caught.value.transient is False
        return str(caught.value)

    assert error(csv_file) == (
        "dang_vien.parquet is not a Parquet file (a Parquet file starts with PAR1); check the "
        "source's format"
    )
    assert error(zipped) == (
        "bao_cao.parquet is a zip archive (an .xlsx workbook or another Office file?), not a "
        "Parquet file (a Parquet file starts with PAR1); check the source's format"
    )
    assert error(cut).startswith("bi_cat.parquet is a damaged Parquet file (")
    assert error(cut).endswith("); ask for it again")
    assert error(empty) == "rong.parquet is empty (0 bytes): it is not a Parquet file"


# -- the watched folder ----------------------------------------------------------------------


def test_list_files_sorted_with_size_time_and_hash(tmp_path: Path) -> None:
    folder = tmp_path / "thu_muc_nhan"
    folder.mkdir()
    for name in ("tinh_lao_cai.csv", "huyen_bat_xat.csv", "bao_cao.xlsx"):
        write_can_bo_csv(folder / name, rows=3)
    # Never an agency's file: an Excel lock file, a hidden file, a copy in progress.
    (folder / "~$bao_cao.xlsx").write_bytes(b"\x00" * 165)
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (folder / "xa_y_ty.csv.part").write_text("Mã,Tên\n", encoding="utf-8")
    (folder / "luu_tru").mkdir()

    found = list_files(folder, "*")

    assert [info.path.name for info in found] == [
        "bao_cao.xlsx",
        "huyen_bat_xat.csv",
        "tinh_lao_cai.csv",
    ]
    for info in found:
        data = info.path.read_bytes()
        assert info.size == len(data)
        assert info.sha256 == hashlib.sha256(data).hexdigest()
        assert info.mtime.tzinfo is UTC
        assert info.mtime == datetime.fromtimestamp(info.path.stat().st_mtime, tz=UTC)
    assert [info.path.name for info in list_files(folder, "*.csv")] == [
        "huyen_bat_xat.csv",
        "tinh_lao_cai.csv",
    ]


def test_list_files_of_a_missing_folder_or_a_file(tmp_path: Path) -> None:
    missing = tmp_path / "khong_co"
    file = tmp_path / "tep.csv"
    file.write_text("Mã\n01\n", encoding="utf-8")

    with pytest.raises(SourceError) as caught:
        list_files(missing, "*.csv")
    assert str(caught.value) == (
        f"folder `{missing}` does not exist: check the source's path (a network share may not "
        "be mounted)"
    )
    with pytest.raises(SourceError) as caught:
        list_files(file, "*.csv")
    assert str(caught.value) == f"`{file}` is a file, not a folder: set the folder that holds it"
