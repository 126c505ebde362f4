"""The Excel reader on workbooks written the way agencies send them: title blocks, merged
two-row headers, column numbers, dates typed both ways, signature footers, several sheets;
and on files that only pretend to be workbooks."""

from __future__ import annotations

import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from pydantic import ValidationError

from noivu_ioc.ingest.readers.base import Batch, SourceError
from noivu_ioc.ingest.readers.excel import ExcelConfig, ExcelReader, SheetInfo
from tests.ingest.agency_files import (
    CAN_BO_COLUMNS,
    CAN_BO_SHEET,
    TRAINING_COLUMNS,
    TRAINING_SHEET,
    WORSHIP_COLUMNS,
    WORSHIP_SHEET,
    write_can_bo_csv,
    write_can_bo_workbook,
    write_password_protected_workbook,
    write_workbook,
    write_xls_workbook,
)


def read_all(reader: ExcelReader) -> tuple[pa.Table, list[str], list[Batch]]:
    batches = list(reader.read())
    table = pa.concat_tables([batch.table for batch in batches])
    positions = [text for batch in batches for text in batch.positions.to_pylist()]
    return table, positions, batches


def rows_of(table: pa.Table) -> list[list[str | None]]:
    columns = [column.to_pylist() for column in table.columns]
    return [list(row) for row in zip(*columns, strict=True)]


def read_error(path: Path, config: ExcelConfig | None = None) -> SourceError:
    with pytest.raises(SourceError) as caught:
        list(ExcelReader(path, config).read())
    assert caught.value.transient is False
    return caught.value


# -- the agency workbook ---------------------------------------------------------------------


def test_agency_workbook_gives_data_rows_with_their_excel_rows(tmp_path: Path) -> None:
    path = tmp_path / "can_bo_2025.xlsx"
    written = write_can_bo_workbook(path, rows=40, empty_rows_after=(10, 25))

    table, positions, batches = read_all(ExcelReader(path))

    assert table.column_names == CAN_BO_COLUMNS
    assert all(field.type == pa.string() for field in table.schema)
    assert rows_of(table) == written.rows
    assert positions == written.positions
    assert positions[:2] == [
        "can_bo_2025.xlsx, sheet 'Cán bộ, công chức', row 9",
        "can_bo_2025.xlsx, sheet 'Cán bộ, công chức', row 10",
    ]
    # The empty row after servant 10 is skipped silently: servant 11 is on row 20.
    assert positions[10] == "can_bo_2025.xlsx, sheet 'Cán bộ, công chức', row 20"
    assert written.skipped["footer"] == (51, 59)
    assert batches[0].notes == (
        "can_bo_2025.xlsx, sheet 'Cán bộ, công chức', rows 1-5: title block above the header, "
        "skipped",
        "can_bo_2025.xlsx, sheet 'Cán bộ, công chức', row 8: column numbers under the header, "
        "skipped",
        "can_bo_2025.xlsx, sheet 'Cán bộ, công chức', rows 51-59: totals and signature footer "
        "after the data ('Tổng cộng: 40 người', 'Lào Cai, ngày 15 tháng 10 năm 2025', "
        "'NGƯỜI LẬP BIỂU', 'KT. GIÁM ĐỐC'), skipped",
    )


def test_values_come_out_as_the_validator_expects_them(tmp_path: Path) -> None:
    path = tmp_path / "can_bo_2025.xlsx"
    write_can_bo_workbook(path, rows=6)

    table, _, _ = read_all(ExcelReader(path))
    rows = table.to_pylist()

    # A real date, a real number (12 not 12.0), codes with their leading zeros.
    assert rows[1] == {
        "STT": "2",
        "Họ và tên": "Lê Quốc Hùng",
        "Ngày, tháng, năm sinh - Nam": "1970-03-05",
        "Ngày, tháng, năm sinh - Nữ": None,
        "Số định danh cá nhân": "010070000002",
        "Chức vụ": "Công chức Văn phòng - Thống kê",
        "Đơn vị (xã, phường)": "Xã Hợp Thành",
        "Mã đơn vị": "02680",
        "Trình độ - Chuyên môn": "Cao đẳng",
        "Trình độ - Lý luận chính trị": "Sơ cấp",
        "Hệ số lương": "3",
        "Mức lương (đồng)": "7020000",
    }
    # A date typed as text stays as typed; so does a salary with "." between thousands.
    assert rows[2]["Ngày, tháng, năm sinh - Nam"] == "06/04/1971"
    assert rows[3]["Mức lương (đồng)"] == "8.564.400"
    assert rows[0]["Hệ số lương"] == "2.67"
    assert rows[0]["Ngày, tháng, năm sinh - Nữ"] == "1969-02-01"


def test_sheets_lists_each_sheet_with_its_header(tmp_path: Path) -> None:
    path = tmp_path / "bao_cao_so_noi_vu.xlsx"
    write_can_bo_workbook(
        path, rows=15, instructions_first=True, worship_sheet=True, training_sheet=True
    )

    assert ExcelReader(path).sheets() == [
        SheetInfo("Hướng dẫn", True, (), [], 0),
        SheetInfo(CAN_BO_SHEET, True, (6, 7), CAN_BO_COLUMNS, 15),
        SheetInfo(WORSHIP_SHEET, True, (4,), WORSHIP_COLUMNS, 7),
        SheetInfo(TRAINING_SHEET, True, (1,), TRAINING_COLUMNS, 3),
    ]


def test_default_sheet_is_the_first_with_a_header(tmp_path: Path) -> None:
    path = tmp_path / "bao_cao_so_noi_vu.xlsx"
    written = write_can_bo_workbook(path, rows=5, instructions_first=True, worship_sheet=True)
    reader = ExcelReader(path)

    table, positions, _ = read_all(reader)

    assert reader.columns() == CAN_BO_COLUMNS
    assert rows_of(table) == written.rows
    assert positions == written.positions
    reader.check()


def test_each_sheet_can_be_bound_by_name_or_position(tmp_path: Path) -> None:
    path = tmp_path / "bao_cao_so_noi_vu.xlsx"
    written = write_can_bo_workbook(path, rows=5, worship_sheet=True, training_sheet=True)
    worship = written.other_sheets[WORSHIP_SHEET]
    training = written.other_sheets[TRAINING_SHEET]

    by_name, by_name_positions, batches = read_all(
        ExcelReader(path, ExcelConfig(sheet=WORSHIP_SHEET))
    )
    by_position, _, training_batches = read_all(ExcelReader(path, ExcelConfig(sheet=3)))
    retyped, _, _ = read_all(ExcelReader(path, ExcelConfig(sheet="cơ sở thờ tự ")))

    assert by_name.column_names == WORSHIP_COLUMNS
    assert rows_of(by_name) == worship.rows
    assert by_name_positions == worship.positions
    assert batches[0].notes == (
        "bao_cao_so_noi_vu.xlsx, sheet 'Cơ sở thờ tự', rows 1-3: title block above the header, "
        "skipped",
    )
    assert by_position.column_names == TRAINING_COLUMNS
    assert rows_of(by_position) == training.rows
    assert training_batches[0].notes == (
        "bao_cao_so_noi_vu.xlsx, sheet 'Đào tạo, bồi dưỡng', row 2: column numbers under the "
        "header, skipped",
    )
    assert retyped.equals(by_name)


def test_worship_places_numbers_booleans_times_and_datetimes(tmp_path: Path) -> None:
    path = tmp_path / "bao_cao_ton_giao.xlsx"
    written = write_can_bo_workbook(path, rows=2, worship_sheet=True)

    table, positions, _ = read_all(ExcelReader(path, ExcelConfig(sheet=WORSHIP_SHEET)))
    rows = table.to_pylist()

    assert rows[0] == {
        "STT": "1",
        "Tên cơ sở": "Đền Thượng",
        "Tôn giáo, tín ngưỡng": "Tín ngưỡng thờ Mẫu",
        "Địa chỉ": "Phường Lào Cai",
        "Mã xã": "02647",
        "Năm xây dựng": "1767",
        "Diện tích (m²)": "2150.5",
        "Là di tích": "true",
        "Giờ mở cửa": "06:30:00",
        "Kiểm tra lần cuối": "2025-09-01 14:30:00",
    }
    assert rows[1]["Diện tích (m²)"] == "1200"
    assert rows[1]["Kiểm tra lần cuối"] == "2025-09-02"
    assert rows[3]["Là di tích"] == "false"
    # A number fastexcel would render with binary noise ("12345678.119999999").
    assert rows[6]["Diện tích (m²)"] == "12345678.12"
    assert positions[0] == "bao_cao_ton_giao.xlsx, sheet 'Cơ sở thờ tự', row 5"
    assert rows_of(table) == written.other_sheets[WORSHIP_SHEET].rows


def test_every_kind_of_cell_as_text(tmp_path: Path) -> None:
    path = tmp_path / "kieu_du_lieu.xlsx"
    values: list[tuple[Any, str | None, str]] = [
        (12, "12", "số nguyên"),
        (12.0, "12", "số thực không có phần lẻ"),
        (2.34, "2.34", "hệ số lương"),
        (-3.5, "-3.5", "số âm"),
        (1234567.89, "1234567.89", "số tiền có phần lẻ"),
        (98765432.1, "98765432.1", "số lớn có phần lẻ"),
        (1e15, "1000000000000000", "số rất lớn"),
        (0.0000001, "0.0000001", "số rất nhỏ"),
        (1 / 3, "0.333333333", "phân số: 9 chữ số thập phân"),
        (True, "true", "đúng"),
        (False, "false", "sai"),
        (date(1980, 3, 5), "1980-03-05", "ngày"),
        (datetime(2025, 10, 15, 8, 30), "2025-10-15 08:30:00", "ngày giờ"),
        (datetime(2025, 10, 15, 8, 30, 15, 500_000), "2025-10-15 08:30:15", "có phần nghìn giây"),
        (time(8, 30), "08:30:00", "giờ"),
        ("01", "01", "mã có số 0 đầu"),
        ("1.234.567", "1.234.567", "số gõ dạng chữ"),
        ("05/03/1980", "05/03/1980", "ngày gõ dạng chữ"),
        ("   ", None, "chỉ có dấu cách"),
        ("Ngày\nsinh", "Ngày\nsinh", "xuống dòng trong ô"),
    ]
    rows: list[list[Any]] = [["Giá trị", "Mô tả"]]
    rows += [[value, description] for value, _, description in values]
    write_workbook(path, {"Kiểu dữ liệu": rows})

    table, _, _ = read_all(ExcelReader(path))

    assert table.column("Giá trị").to_pylist() == [text for _, text, _ in values]
    assert table.column("Mô tả").to_pylist() == [description for _, _, description in values]


# -- headers ---------------------------------------------------------------------------------


def test_one_row_header_without_title(tmp_path: Path) -> None:
    path = tmp_path / "can_bo.xlsx"
    written = write_can_bo_workbook(
        path, rows=8, title_block=False, two_row_header=False, number_row=False, footer=False
    )

    table, positions, batches = read_all(ExcelReader(path))

    assert written.columns[10:] == ["Hệ số lương", "Mức lương (đồng)"]
    assert table.column_names == written.columns
    assert rows_of(table) == written.rows
    assert positions[0] == "can_bo.xlsx, sheet 'Cán bộ, công chức', row 2"
    assert batches[0].notes == ()


def test_group_header_written_once_without_merged_cells(tmp_path: Path) -> None:
    path = tmp_path / "dao_tao.xlsx"
    rows: list[list[Any]] = [
        ["DANH SÁCH CÔNG CHỨC ĐƯỢC CỬ ĐI ĐÀO TẠO NĂM 2025"],
        ["STT", "Họ và tên", "Trình độ", None, "Nơi đào tạo"],
        [None, None, "Chuyên môn", "Lý luận chính trị", None],
        [1, "Vàng A Chứ", "Đại học", "Trung cấp", "Học viện Hành chính Quốc gia"],
        [2, "Sùng Thị Mỷ", "Thạc sĩ", None, "Trường Chính trị tỉnh Lào Cai"],
    ]
    write_workbook(path, {"Đào tạo": rows})

    reader = ExcelReader(path)
    table, positions, _ = read_all(reader)

    assert table.column_names == [
        "STT",
        "Họ và tên",
        "Trình độ - Chuyên môn",
        "Trình độ - Lý luận chính trị",
        "Nơi đào tạo",
    ]
    assert table.column("Trình độ - Lý luận chính trị").to_pylist() == ["Trung cấp", None]
    assert positions == [
        "dao_tao.xlsx, sheet 'Đào tạo', row 4",
        "dao_tao.xlsx, sheet 'Đào tạo', row 5",
    ]
    assert reader.sheets()[0].header_rows == (2, 3)


def test_header_row_and_header_rows_from_the_settings(tmp_path: Path) -> None:
    path = tmp_path / "so_lieu_thong_ke.xlsx"
    rows: list[list[Any]] = [
        ["SỐ LƯỢNG CÁN BỘ, CÔNG CHỨC CẤP XÃ TỈNH LÀO CAI"],
        [None],
        ["Chỉ tiêu", 2023, 2024, 2025],
        ["Cán bộ cấp xã", 2_846, 2_910, 2_655],
        ["Công chức cấp xã", 3_120, 3_204, 2_998],
    ]
    write_workbook(path, {"Thống kê": rows})

    # Years typed as numbers: the row does not look like a header.
    assert str(read_error(path)) == (
        "so_lieu_thong_ke.xlsx: no visible sheet has a header in its first 30 rows (sheets: "
        "'Thống kê'); set sheet and header_row"
    )
    assert str(read_error(path, ExcelConfig(sheet="Thống kê"))) == (
        "so_lieu_thong_ke.xlsx, sheet 'Thống kê': no header row found in the first 30 rows (a "
        "row naming most columns); set header_row to the row of the column names"
    )
    table, positions, batches = read_all(ExcelReader(path, ExcelConfig(header_row=3)))
    assert table.to_pydict() == {
        "Chỉ tiêu": ["Cán bộ cấp xã", "Công chức cấp xã"],
        "2023": ["2846", "3120"],
        "2024": ["2910", "3204"],
        "2025": ["2655", "2998"],
    }
    assert positions[0] == "so_lieu_thong_ke.xlsx, sheet 'Thống kê', row 4"
    assert batches[0].notes == (
        "so_lieu_thong_ke.xlsx, sheet 'Thống kê', rows 1-2: title block above the header, skipped",
    )

    two = tmp_path / "hai_dong.xlsx"
    written = write_can_bo_workbook(two, rows=3)
    one_row = read_all(ExcelReader(two, ExcelConfig(header_row=6, header_rows=1)))[0]
    assert one_row.column_names[:4] == ["STT", "Họ và tên", "Ngày, tháng, năm sinh", "column D"]
    # The sub-header row and the column numbers are read as data, before the 3 servants.
    assert len(one_row) == 5
    assert one_row.slice(0, 1).to_pylist()[0]["column D"] == "Nữ"
    assert one_row.column("STT").to_pylist() == [None, "(1)", "1", "2", "3"]
    forced = read_all(ExcelReader(two, ExcelConfig(header_rows=2)))[0]
    assert rows_of(forced) == written.rows


def test_column_without_header_and_repeated_names(tmp_path: Path) -> None:
    named = tmp_path / "thieu_tieu_de.xlsx"
    rows: list[list[Any]] = [
        ["STT", "Họ và tên", "Chức vụ", None, None],
        [1, "Lò Thị Dua", "Công chức Tư pháp - Hộ tịch", "Biệt phái", None],
        [2, "Giàng A Pao", "Chỉ huy trưởng Quân sự", None, None],
    ]
    write_workbook(named, {"Cán bộ": rows})
    repeated = tmp_path / "trung_ten.xlsx"
    rows = [["STT", "Ghi chú", "Họ và tên", "Ghi chú"], [1, None, "Lò Thị Dua", "Nghỉ phép"]]
    write_workbook(repeated, {"Cán bộ": rows})

    table, _, batches = read_all(ExcelReader(named))

    # Column D has values and gets a name; column E is empty and is left out.
    assert table.to_pydict() == {
        "STT": ["1", "2"],
        "Họ và tên": ["Lò Thị Dua", "Giàng A Pao"],
        "Chức vụ": ["Công chức Tư pháp - Hộ tịch", "Chỉ huy trưởng Quân sự"],
        "column D": ["Biệt phái", None],
    }
    assert batches[0].notes == (
        "thieu_tieu_de.xlsx, sheet 'Cán bộ', column D: no header above values, named `column D`",
    )
    assert str(read_error(repeated)) == (
        "trung_ten.xlsx, sheet 'Cán bộ', row 1: the header names `Ghi chú` twice (columns B and "
        "D); rename one of them in the workbook"
    )


def test_sheet_starting_away_from_a1(tmp_path: Path) -> None:
    path = tmp_path / "lech_o.xlsx"
    rows: list[list[Any]] = [
        [],
        [],
        [None, "Mã xã", "Tên xã", "Số thôn"],
        [None, "02683", "Xã Bát Xát", 21],
        [None, "02701", "Xã Y Tý", 12],
    ]
    write_workbook(path, {"Xã": rows})

    table, positions, batches = read_all(ExcelReader(path))

    assert table.to_pydict() == {
        "Mã xã": ["02683", "02701"],
        "Tên xã": ["Xã Bát Xát", "Xã Y Tý"],
        "Số thôn": ["21", "12"],
    }
    assert positions == ["lech_o.xlsx, sheet 'Xã', row 4", "lech_o.xlsx, sheet 'Xã', row 5"]
    assert batches[0].notes == (
        "lech_o.xlsx, sheet 'Xã', rows 1-2: title block above the header, skipped",
    )


def test_column_numbers_typed_as_numbers(tmp_path: Path) -> None:
    path = tmp_path / "thon_to_dan_pho.xlsx"
    rows: list[list[Any]] = [
        ["STT", "Tên thôn", "Số hộ", "Số nhân khẩu"],
        [1, 2, 3, 4],
        [1, "Thôn Phìn Hồ", 86, 412],
        [2, "Thôn Tả Phìn", 124, 603],
    ]
    write_workbook(path, {"Thôn": rows})

    table, positions, batches = read_all(ExcelReader(path))

    assert table.column("Tên thôn").to_pylist() == ["Thôn Phìn Hồ", "Thôn Tả Phìn"]
    assert positions[0] == "thon_to_dan_pho.xlsx, sheet 'Thôn', row 3"
    assert batches[0].notes == (
        "thon_to_dan_pho.xlsx, sheet 'Thôn', row 2: column numbers under the header, skipped",
    )


# -- footers and data rows -------------------------------------------------------------------


def test_subtotal_rows_inside_the_data_stay_data(tmp_path: Path) -> None:
    path = tmp_path / "tong_hop.xlsx"
    rows: list[list[Any]] = [
        ["STT", "Đơn vị", "Số cán bộ", "Số công chức"],
        [1, "Xã Bát Xát", 11, 10],
        [2, "Xã Y Tý", 9, 10],
        [None, "Tổng cộng", 20, 20],
        [3, "Phường Cam Đường", 12, 14],
        [None, "Ghi chú: số liệu đến 30/9/2025"],
        [],
        [None, "Tổng cộng", 32, 34],
        [None, "Người lập biểu", None, "Thủ trưởng đơn vị"],
    ]
    write_workbook(path, {"Tổng hợp": rows})

    table, positions, batches = read_all(ExcelReader(path))

    # The subtotal has data after it, so it is data (the validator rejects it, with its
    # row); the note line comes after the last data row and is footer.
    assert table.column("Đơn vị").to_pylist() == [
        "Xã Bát Xát",
        "Xã Y Tý",
        "Tổng cộng",
        "Phường Cam Đường",
    ]
    assert positions[-1] == "tong_hop.xlsx, sheet 'Tổng hợp', row 5"
    assert batches[0].notes == (
        "tong_hop.xlsx, sheet 'Tổng hợp', rows 6-9: totals and signature footer after the data "
        "('Ghi chú: số liệu đến 30/9/2025', 'Tổng cộng', 'Người lập biểu', 'Thủ trưởng đơn vị'), "
        "skipped",
    )


def test_short_last_rows_before_the_footer_are_data(tmp_path: Path) -> None:
    path = tmp_path / "chua_du.xlsx"
    header = ["STT", "Họ và tên", "Chức vụ", "Đơn vị", "Mã đơn vị", "Ngày sinh", "Quê quán"]
    header += ["Dân tộc", "Ghi chú"]
    rows: list[list[Any]] = [
        header,
        [1, "Đặng Văn Sơn", "Chủ tịch", "Xã Mường Hum", "02728", "1975", "Bát Xát", "Dao"],
        [2, "Hoàng Thị Mai"],
        # Reads like a signature title, but a numbered row is data.
        [3, "Lò Văn Pao", "Phó Giám đốc"],
        [],
        [None, "Người lập biểu", None, None, None, "Lào Cai, ngày 15 tháng 10 năm 2025"],
        [None, "Phạm Thị Lan", None, None, None, "Hoàng Văn Bình"],
    ]
    write_workbook(path, {"Cán bộ": rows})

    table, positions, batches = read_all(ExcelReader(path))

    assert table.column("Họ và tên").to_pylist() == ["Đặng Văn Sơn", "Hoàng Thị Mai", "Lò Văn Pao"]
    assert positions[-1] == "chua_du.xlsx, sheet 'Cán bộ', row 4"
    assert batches[0].notes == (
        "chua_du.xlsx, sheet 'Cán bộ', rows 6-7: totals and signature footer after the data "
        "('Người lập biểu', 'Lào Cai, ngày 15 tháng 10 năm 2025'), skipped",
    )


def test_sheet_with_a_header_and_no_data_gives_one_empty_batch(tmp_path: Path) -> None:
    path = tmp_path / "trong.xlsx"
    write_can_bo_workbook(path, rows=0)

    batches = list(ExcelReader(path).read())

    assert len(batches) == 1
    assert batches[0].table.num_rows == 0
    assert batches[0].table.column_names == CAN_BO_COLUMNS
    assert len(batches[0].notes) == 3
    assert (
        batches[0]
        .notes[2]
        .startswith("trong.xlsx, sheet 'Cán bộ, công chức', rows 9-17: totals and signature footer")
    )


def test_batches_of_the_configured_size(tmp_path: Path) -> None:
    path = tmp_path / "can_bo.xlsx"
    written = write_can_bo_workbook(path, rows=12)

    table, positions, batches = read_all(ExcelReader(path, ExcelConfig(batch_size=5)))

    assert [batch.table.num_rows for batch in batches] == [5, 5, 2]
    assert [len(batch.notes) for batch in batches] == [3, 0, 0]
    assert positions == written.positions
    assert rows_of(table) == written.rows


# -- what goes wrong -------------------------------------------------------------------------


def test_files_that_are_not_workbooks(tmp_path: Path) -> None:
    csv_file = tmp_path / "can_bo.xlsx"
    write_can_bo_csv(csv_file, rows=3)
    pdf = tmp_path / "quyet_dinh.xlsx"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    empty = tmp_path / "rong.xlsx"
    empty.write_bytes(b"")
    xls = tmp_path / "bao_cao_cu.xlsx"
    write_xls_workbook(xls)
    protected = tmp_path / "co_mat_khau.xlsx"
    write_password_protected_workbook(protected)

    assert str(read_error(csv_file)) == (
        "can_bo.xlsx is a text file (a CSV file renamed .xlsx?), not an Excel workbook; read it "
        "with a CSV source"
    )
    assert str(read_error(pdf)) == (
        "quyet_dinh.xlsx is a PDF document, not an Excel workbook; ask for the spreadsheet"
    )
    assert str(read_error(empty)) == (
        "rong.xlsx is empty (0 bytes), not a workbook; ask for the file again"
    )
    assert str(read_error(xls)) == (
        "bao_cao_cu.xlsx is an Excel 97-2003 workbook (.xls); open it in Excel and save it as "
        "Excel Workbook (.xlsx)"
    )
    assert str(read_error(protected)) == (
        "co_mat_khau.xlsx is protected by a password, so it cannot be read: ask the agency to "
        "remove the password (File > Info > Protect Workbook > Encrypt with Password, empty it) "
        "and send it again"
    )


def test_damaged_and_foreign_zip_files(tmp_path: Path) -> None:
    whole = tmp_path / "day_du.xlsx"
    write_can_bo_workbook(whole, rows=30)
    cut = tmp_path / "bi_cat.xlsx"
    cut.write_bytes(whole.read_bytes()[:4_000])
    document = tmp_path / "van_ban.xlsx"
    with zipfile.ZipFile(document, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")

    assert str(read_error(cut)).startswith("bi_cat.xlsx is a damaged workbook (")
    assert str(read_error(cut)).endswith(
        "): it may have been cut off while copied; ask the agency to send it again"
    )
    assert str(read_error(document)) == "van_ban.xlsx is a Word document, not an Excel workbook"


def test_sheets_that_do_not_exist_or_are_empty(tmp_path: Path) -> None:
    path = tmp_path / "bao_cao.xlsx"
    rows: list[list[Any]] = [["Mã xã", "Tên xã"], ["02683", "Xã Bát Xát"]]
    write_workbook(path, {"Xã": rows, "Trống": [], "Ẩn": rows}, hidden=["Ẩn"])

    assert str(read_error(path, ExcelConfig(sheet="Cán bộ"))) == (
        "bao_cao.xlsx has no sheet named 'Cán bộ'; the sheets are: 'Xã', 'Trống', 'Ẩn'"
    )
    assert str(read_error(path, ExcelConfig(sheet=4))) == (
        "bao_cao.xlsx has 3 sheets, so sheet 4 does not exist; the sheets are: 'Xã', 'Trống', 'Ẩn'"
    )
    assert str(read_error(path, ExcelConfig(sheet="Trống"))) == (
        "bao_cao.xlsx, sheet 'Trống' is empty: choose the sheet that holds the data"
    )
    assert str(read_error(path, ExcelConfig(header_row=5))) == (
        "bao_cao.xlsx: no visible sheet has a header in its first 30 rows (sheets: 'Xã', "
        "'Trống', 'Ẩn'); set sheet and header_row"
    )
    # A hidden sheet is read when named, and listed as hidden.
    hidden = read_all(ExcelReader(path, ExcelConfig(sheet="Ẩn")))[0]
    assert hidden.to_pydict() == {"Mã xã": ["02683"], "Tên xã": ["Xã Bát Xát"]}
    assert [(info.name, info.visible) for info in ExcelReader(path).sheets()] == [
        ("Xã", True),
        ("Trống", True),
        ("Ẩn", False),
    ]


def test_excel_settings_are_checked() -> None:
    with pytest.raises(ValidationError, match="sheets are counted from 1"):
        ExcelConfig(sheet=0)
    with pytest.raises(ValidationError, match="Excel rows are counted from 1 to 1048576"):
        ExcelConfig(header_row=0)
    with pytest.raises(ValidationError, match="Excel rows are counted from 1 to 1048576"):
        ExcelConfig(header_row=2_000_000)
    with pytest.raises(ValidationError, match="Input should be 1 or 2"):
        ExcelConfig.model_validate({"header_rows": 3})
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        ExcelConfig.model_validate({"delimiter": ";"})
