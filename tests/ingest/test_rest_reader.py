"""The REST/JSON reader against a real NDXP-style server on this machine: every paging style,
values as text, incremental reads, and every way a real API fails."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest
from pydantic import ValidationError

from noivu_ioc.ingest.readers.base import Batch, SourceError, decode_cursor, encode_cursor
from noivu_ioc.ingest.readers.rest import RestConfig, RestReader, text_table
from tests.ingest.rest_server import (
    AUTH_HEADERS,
    CAN_BO,
    CUT_WAYS,
    MAX_PAGE_SIZE,
    RECORD_COUNT,
    TOKEN,
    serve_cut_source,
    serve_rest_source,
)

CAN_BO_COLUMNS = [
    "id",
    "ma_can_bo",
    "ho_ten",
    "ngay_sinh",
    "gioi_tinh",
    "dang_vien",
    "he_so_luong",
    "so_nam_cong_tac",
    "dia_chi.ma_tinh",
    "dia_chi.tinh",
    "ngoai_ngu",
    "ghi_chu",
    "updated_at",
]
# A key that travels as a query parameter, as some provincial LGSP gateways want it.
API_KEY = "lgsp-hn-2f9a61c0e4d7"

# How each endpoint pages, and the pages a full read of it is expected to have.
PAGE = {"path": "/ndxp/can-bo", "records_path": "data.items", "paging": "page", "page_size": 500}
OFFSET = {
    "path": "/ndxp/can-bo-offset",
    "records_path": "items",
    "paging": "offset",
    "size_param": "limit",
    "page_size": 500,
}
NEXT_LINK = {
    "path": "/ndxp/can-bo-links",
    "records_path": "data",
    "paging": "next_link",
    "next_path": "links.next",
}
# The gateway caps pages at 100 records: a first page shorter than page_size is not the last.
CAPPED = {
    "path": "/ndxp/can-bo-capped",
    "records_path": "data.items",
    "paging": "page",
    "page_size": 500,
}
STYLES: dict[str, tuple[dict[str, Any], list[tuple[str, int]]]] = {
    "page": (PAGE, [("page 1", 500), ("page 2", 500), ("page 3", 234)]),
    "offset": (OFFSET, [("offset 0", 500), ("offset 500", 500), ("offset 1000", 234)]),
    "next_link": (NEXT_LINK, [(f"page {n}", 100) for n in range(1, 13)] + [("page 13", 34)]),
    "capped": (CAPPED, [(f"page {n}", MAX_PAGE_SIZE) for n in range(1, 13)] + [("page 13", 34)]),
}


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serve_rest_source() as url:
        yield url


@pytest.fixture(scope="module")
def cut_url() -> Iterator[str]:
    with serve_cut_source(cut_page=2) as url:
        yield url


def rest_reader(base_url: str, path: str, **settings: Any) -> RestReader:
    """A reader of ``path`` on the test server, authorized unless ``headers`` says otherwise."""
    settings.setdefault("headers", AUTH_HEADERS)
    return RestReader(RestConfig(url=f"{base_url}{path}", **settings))


def style_reader(base_url: str, style: dict[str, Any], **more: Any) -> RestReader:
    settings = {key: value for key, value in style.items() if key != "path"}
    return rest_reader(base_url, style["path"], **settings, **more)


def read_all(reader: RestReader, since: Any = None) -> tuple[list[Batch], pa.Table, list[str]]:
    """The batches of one read, their rows as one table and all positions."""
    batches = list(reader.read(since))
    table = pa.concat_tables([batch.table for batch in batches]) if batches else pa.table({})
    positions = [p for batch in batches for p in batch.positions.to_pylist()]
    return batches, table, positions


def read_error(reader: RestReader) -> tuple[SourceError, list[Batch]]:
    """The error a read ends with, and the batches it gave before it."""
    batches: list[Batch] = []
    with pytest.raises(SourceError) as caught:
        batches.extend(reader.read())
    return caught.value, batches


def expected_positions(pages: list[tuple[str, int]]) -> list[str]:
    return [f"{label}, record {n}" for label, size in pages for n in range(1, size + 1)]


def closed_port() -> int:
    """A port of 127.0.0.1 where nothing listens."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# -- paging ---------------------------------------------------------------------------------


@pytest.mark.parametrize("style", list(STYLES))
def test_every_paging_style_reads_every_record_once_in_order(base_url: str, style: str) -> None:
    settings, pages = STYLES[style]

    batches, table, positions = read_all(style_reader(base_url, settings))

    assert [batch.table.num_rows for batch in batches] == [size for _, size in pages]
    assert table.num_rows == RECORD_COUNT
    assert table["id"].to_pylist() == [str(n) for n in range(1, RECORD_COUNT + 1)]
    assert positions == expected_positions(pages)


def test_a_position_names_the_page_and_the_record_on_it(base_url: str) -> None:
    _, table, positions = read_all(style_reader(base_url, PAGE))

    row = positions.index("page 3, record 17")
    assert table["id"][row].as_py() == "1017"
    assert table["ho_ten"][row].as_py() == "Huỳnh Văn Hà"


def test_a_filter_in_the_url_is_kept_on_every_page(base_url: str) -> None:
    reader = rest_reader(
        base_url, "/ndxp/can-bo?ma_tinh=01", records_path="data.items", page_size=50
    )

    batches, table, _ = read_all(reader)

    assert [batch.table.num_rows for batch in batches] == [50, 50, 23]
    assert set(table["dia_chi.tinh"].to_pylist()) == {"Hà Nội"}
    assert table["id"].to_pylist() == [str(n) for n in range(10, RECORD_COUNT + 1, 10)]


def test_an_api_without_paging_is_read_in_one_request(base_url: str) -> None:
    _, table, positions = read_all(rest_reader(base_url, "/ndxp/don-vi", paging="none"))

    assert table["ten"].to_pylist() == [
        "Bộ Nội vụ",
        "Sở Nội vụ Hà Nội",
        "Sở Nội vụ Thành phố Hồ Chí Minh",
    ]
    assert table["ma_tinh"].to_pylist() == [None, "01", "79"]
    assert positions == ["page 1, record 1", "page 1, record 2", "page 1, record 3"]


def test_an_api_without_paging_read_as_paged_says_to_set_paging_none(base_url: str) -> None:
    error, batches = read_error(rest_reader(base_url, "/ndxp/don-vi"))

    assert not error.transient
    assert "same records for page 2" in str(error)
    assert 'set paging to "none"' in str(error)
    assert [batch.table.num_rows for batch in batches] == [3]


def test_a_body_with_a_byte_order_mark_is_read(base_url: str) -> None:
    _, table, _ = read_all(rest_reader(base_url, "/ndxp/bom", paging="none"))

    assert table["ten"].to_pylist()[1] == "Sở Nội vụ Hà Nội"


def test_a_read_logs_how_many_records_it_read(
    base_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="noivu_ioc.ingest.readers.rest")

    read_all(style_reader(base_url, PAGE))

    assert f"REST source {base_url}/ndxp/can-bo read: 1234 records" in caplog.messages


# -- values ---------------------------------------------------------------------------------


def test_values_arrive_as_text_as_the_module_promises(base_url: str) -> None:
    _, table, _ = read_all(style_reader(base_url, PAGE))

    assert table.column_names == CAN_BO_COLUMNS
    assert all(field.type == pa.string() for field in table.schema)
    rows = table.to_pylist()
    assert rows[11] == {
        "id": "12",
        "ma_can_bo": "CB000012",
        "ho_ten": "Trần Minh Bình",
        "ngay_sinh": "13/05/1965",
        "gioi_tinh": "Nam",
        "dang_vien": "true",
        "he_so_luong": "3.0",
        "so_nam_cong_tac": "12",
        "dia_chi.ma_tinh": "48",
        "dia_chi.tinh": "Đà Nẵng",
        "ngoai_ngu": '["Tiếng Anh", "Tiếng Pháp"]',
        "ghi_chu": None,
        "updated_at": "2025-03-01T08:12:00+07:00",
    }
    assert rows[49]["dang_vien"] == "false"
    assert rows[49]["he_so_luong"] == "2.34"
    assert rows[49]["ngoai_ngu"] == "[]"
    assert rows[49]["ghi_chu"] == "Biệt phái"


def test_vietnamese_text_arrives_intact_on_every_row(base_url: str) -> None:
    _, table, _ = read_all(style_reader(base_url, NEXT_LINK))

    assert table["ho_ten"].to_pylist() == [record["ho_ten"] for record in CAN_BO]
    assert table["dia_chi.tinh"].to_pylist() == [record["dia_chi"]["tinh"] for record in CAN_BO]
    assert table["gioi_tinh"].to_pylist() == [record["gioi_tinh"] for record in CAN_BO]


def test_null_stays_null(base_url: str) -> None:
    _, table, _ = read_all(style_reader(base_url, OFFSET))

    notes = table["ghi_chu"].to_pylist()
    assert notes.count("Biệt phái") == 24
    assert notes.count(None) == RECORD_COUNT - 24
    assert table["ghi_chu"].null_count == RECORD_COUNT - 24


def test_numbers_keep_the_spelling_the_server_gave_them(base_url: str) -> None:
    _, table, _ = read_all(rest_reader(base_url, "/ndxp/ngan-sach", paging="none"))
    first, second = table.to_pylist()

    # Beyond a float's precision, a trailing zero, an exponent, beyond 64 bits.
    assert first["du_toan"] == "123456789012345678.25"
    assert first["ty_le_giai_ngan"] == "2.50"
    assert first["he_so"] == "1e3"
    assert first["so_bien_che"] == "18446744073709551616"
    assert (second["du_toan"], second["he_so"], second["so_bien_che"]) == ("-0.5", "2", "140")
    assert (first["da_duyet"], second["da_duyet"]) == ("true", "false")


def test_nested_objects_become_dotted_columns_and_lists_json_text(base_url: str) -> None:
    _, table, _ = read_all(rest_reader(base_url, "/ndxp/ngan-sach", paging="none"))
    first, second = table.to_pylist()

    assert table.column_names == [
        "ma_don_vi",
        "ten_don_vi",
        "du_toan",
        "ty_le_giai_ngan",
        "he_so",
        "so_bien_che",
        "da_duyet",
        "co_quan.cap",
        "co_quan.dia_chi.ma_tinh",
        "co_quan.dia_chi.tinh",
        "dot_cap",
        "ghi_chu",
    ]
    assert first["co_quan.dia_chi.tinh"] == "Hà Nội"
    assert first["dot_cap"] == '[{"dot": 1, "so_tien": 0.10}, {"dot": 2, "so_tien": 5}]'
    assert json.loads(first["dot_cap"])[1] == {"dot": 2, "so_tien": 5}
    assert first["ghi_chu"] == 'Dự toán "điều chỉnh" lần 2'
    # A null object: its fields are null, not the text "null".
    assert [second[name] for name in ("co_quan.cap", "co_quan.dia_chi.tinh")] == [None, None]
    assert (second["dot_cap"], second["ty_le_giai_ngan"]) == ("[]", None)


def test_records_received_rather_than_fetched_become_the_same_text_table() -> None:
    received: list[dict[str, Any]] = [
        {"ma": "SNV-01", "so_ho_so": 1520, "dung_han": True, "ty_le": 98.5},
        {"ma": "SNV-79", "noi_nhan": {"tinh": "Thành phố Hồ Chí Minh"}, "tep": ["a.pdf"]},
    ]

    table = text_table(received)

    assert table.to_pylist() == [
        {
            "ma": "SNV-01",
            "so_ho_so": "1520",
            "dung_han": "true",
            "ty_le": "98.5",
            "noi_nhan.tinh": None,
            "tep": None,
        },
        {
            "ma": "SNV-79",
            "so_ho_so": None,
            "dung_han": None,
            "ty_le": None,
            "noi_nhan.tinh": "Thành phố Hồ Chí Minh",
            "tep": '["a.pdf"]',
        },
    ]


# -- columns() and check() ------------------------------------------------------------------


def test_columns_are_the_sources_fields_in_its_order(base_url: str) -> None:
    assert style_reader(base_url, PAGE).columns() == CAN_BO_COLUMNS
    assert rest_reader(base_url, "/ndxp/don-vi", paging="none").columns() == [
        "ma",
        "ten",
        "cap",
        "ma_tinh",
    ]


def test_check_reaches_the_source_and_says_what_it_found(
    base_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="noivu_ioc.ingest.readers.rest")

    style_reader(base_url, PAGE).check()

    assert caplog.messages == [
        f"REST source {base_url}/ndxp/can-bo answered: 500 records on the first page"
    ]


def test_check_names_the_problem(base_url: str) -> None:
    with pytest.raises(SourceError) as caught:
        rest_reader(base_url, "/ndxp/can-bo", headers={}).check()

    assert not caught.value.transient
    assert "HTTP 401" in str(caught.value)


# -- incremental reads ----------------------------------------------------------------------


def test_a_batch_cursor_is_the_largest_updated_at_on_its_page(base_url: str) -> None:
    reader = style_reader(base_url, PAGE, cursor_param="updated_since", cursor_field="updated_at")

    batches, _, _ = read_all(reader)

    assert [batch.cursor for batch in batches] == [
        "2025-03-01T16:20:00+07:00",
        "2025-03-02T00:40:00+07:00",
        "2025-03-02T04:34:00+07:00",
    ]
    for batch in batches:
        assert batch.cursor == max(batch.table["updated_at"].to_pylist())


@pytest.mark.parametrize("style", ["page", "offset", "next_link"])
def test_reading_since_a_cursor_returns_only_newer_rows(base_url: str, style: str) -> None:
    settings, _ = STYLES[style]
    reader = style_reader(
        base_url, settings, cursor_param="updated_since", cursor_field="updated_at"
    )
    # The cursor of the first run's second batch, stored between runs as the sync does.
    stored = encode_cursor(list(reader.read())[1].cursor)

    batches, table, positions = read_all(reader, since=decode_cursor(stored))

    newer = [str(n) for n in range(1001 if style != "next_link" else 201, RECORD_COUNT + 1)]
    assert table["id"].to_pylist() == newer
    assert all(value > decode_cursor(stored) for value in table["updated_at"].to_pylist())
    assert positions[0] == ("offset 0" if style == "offset" else "page 1") + ", record 1"
    assert batches[-1].cursor == "2025-03-02T04:34:00+07:00"


def test_reading_since_the_last_cursor_returns_nothing(base_url: str) -> None:
    reader = style_reader(base_url, PAGE, cursor_param="updated_since", cursor_field="updated_at")
    last = list(reader.read())[-1].cursor

    assert list(reader.read(since=last)) == []


def test_a_numeric_cursor_stays_a_number(base_url: str) -> None:
    batches, _, _ = read_all(style_reader(base_url, PAGE, cursor_field="id"))

    assert [batch.cursor for batch in batches] == [500, 1000, 1234]
    assert decode_cursor(encode_cursor(batches[-1].cursor)) == 1234


def test_a_decimal_cursor_keeps_every_digit(base_url: str) -> None:
    reader = rest_reader(base_url, "/ndxp/ngan-sach", paging="none", cursor_field="du_toan")

    (batch,) = reader.read()

    assert batch.cursor == Decimal("123456789012345678.25")
    assert decode_cursor(encode_cursor(batch.cursor)) == Decimal("123456789012345678.25")


def test_a_cursor_field_the_records_lack_is_named(base_url: str) -> None:
    reader = style_reader(base_url, PAGE, cursor_field="ngay_cap_nhat")

    error, batches = read_error(reader)

    assert not error.transient
    assert "cursor_field `ngay_cap_nhat` is not a field" in str(error)
    assert "the fields are: id, ma_can_bo, ho_ten" in str(error)
    assert "(and 1 more)" in str(error)
    assert batches == []


# -- failures -------------------------------------------------------------------------------

# path, settings, transient, what the message must say
FAILURES: dict[str, tuple[str, dict[str, Any], bool, list[str]]] = {
    "no token": ("/ndxp/can-bo", {"headers": {}}, False, ["HTTP 401", "Authorization header"]),
    "wrong token": (
        "/ndxp/can-bo",
        {"headers": {"Authorization": "Bearer ndxp-het-han"}},
        False,
        ["refused the request (HTTP 401 Unauthorized)", "check the API key"],
    ),
    "forbidden": ("/ndxp/forbidden", {}, False, ["HTTP 403 Forbidden", "Authorization header"]),
    "not found": ("/ndxp/khong-co", {}, False, ["does not exist (HTTP 404", "check the URL"]),
    "rate limited": (
        "/ndxp/rate-limited",
        {},
        True,
        ["HTTP 429", "the server asks to wait 30 s", "the sync will retry"],
    ),
    "maintenance": (
        "/ndxp/maintenance",
        {},
        True,
        ["HTTP 503", "retry after Sat, 01 Mar 2025 09:00:00 GMT", "the sync will retry"],
    ),
    "gateway timeout": ("/ndxp/gateway-timeout", {}, True, ["HTTP 504", "will retry"]),
    "request timeout": ("/ndxp/request-timeout", {}, True, ["HTTP 408", "will retry"]),
    "bad compression": (
        "/ndxp/bad-gzip",
        {},
        False,
        ["cannot be decoded", "Content-Encoding does not match its body"],
    ),
    "html": (
        "/ndxp/html",
        {},
        False,
        ["is not JSON (text/html", "<h1>Cổng dữ liệu quốc gia</h1>", "not at a web page"],
    ),
    "legacy encoding": ("/ndxp/windows-1258", {}, False, ["is not UTF-8", "which encoding"]),
    "same page": (
        "/ndxp/same-page",
        {"page_size": 100},
        False,
        ["same records for page 2", "ignores the paging", "page_param `page`"],
    ),
    "same offset": (
        "/ndxp/same-offset",
        {"paging": "offset", "size_param": "limit", "page_size": 100, "records_path": "items"},
        False,
        ["same records for offset 100", "offset_param `offset`"],
    ),
    "next link loop": (
        "/ndxp/loop",
        {"paging": "next_link", "next_path": "links.next", "records_path": "data"},
        False,
        ["same records for page 2", "next_path `links.next`"],
    ),
    "next link elsewhere": (
        "/ndxp/elsewhere",
        {"paging": "next_link", "next_path": "links.next", "records_path": "data"},
        False,
        ["points at another server, http://other.invalid/ndxp/steal", "refusing to send"],
    ),
    "slow": (
        "/ndxp/slow",
        {"timeout_s": 0.2},
        True,
        ["did not answer within 0.2 s", "ReadTimeout", "will retry"],
    ),
    "redirect": (
        "/ndxp/moved",
        {},
        False,
        ["redirects (HTTP 301 Moved Permanently) to `http://127.0.0.1:", "/ndxp/can-bo`"],
    ),
    "redirect elsewhere": (
        "/ndxp/moved-away",
        {},
        False,
        ["HTTP 302", "to `https://lgsp.other.invalid/api/can-bo`", "put that address"],
    ),
    "bad request": (
        "/ndxp/bad-request",
        {},
        False,
        ["HTTP 400 Bad Request", "tham số không hợp lệ", "check the parameters"],
    ),
    "records path missing": (
        "/ndxp/can-bo",
        {"records_path": "ket_qua.danh_sach"},
        False,
        ["records_path `ket_qua.danh_sach` does not exist", "top-level keys are: status, data"],
    ),
    "records path not a list": (
        "/ndxp/can-bo",
        {"records_path": "data"},
        False,
        ["holds an object, not a list", "items, total, page, page_size"],
    ),
    "too many pages": (
        "/ndxp/can-bo",
        {"records_path": "data.items", "page_size": 100, "max_pages": 2},
        False,
        ["more than 2 pages; raise max_pages"],
    ),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_every_failure_is_a_source_error_marked_for_retry_or_not(base_url: str, case: str) -> None:
    path, settings, transient, says = FAILURES[case]

    error, _ = read_error(rest_reader(base_url, path, **settings))

    assert error.transient is transient
    for fragment in says:
        assert fragment in str(error)


def test_a_redirect_is_not_followed(base_url: str) -> None:
    # /ndxp/moved points at /ndxp/can-bo, which would answer with records.
    error, batches = read_error(rest_reader(base_url, "/ndxp/moved"))

    assert batches == []
    assert "does not follow" in str(error)


def test_a_next_link_to_another_server_stops_after_the_page_it_is_on(base_url: str) -> None:
    settings = {"paging": "next_link", "next_path": "links.next", "records_path": "data"}

    error, batches = read_error(rest_reader(base_url, "/ndxp/elsewhere", **settings))

    assert [batch.table["id"].to_pylist() for batch in batches] == [["1", "2", "3", "4", "5"]]
    assert "other.invalid" in str(error)


def test_a_port_where_nothing_listens_is_transient() -> None:
    url = f"http://127.0.0.1:{closed_port()}/ndxp/can-bo"
    reader = RestReader(RestConfig(url=url, headers=AUTH_HEADERS))

    with pytest.raises(SourceError) as caught:
        reader.check()

    assert caught.value.transient
    assert f"cannot reach {url} (page 1) (ConnectError)" in str(caught.value)
    assert "check that the server is running" in str(caught.value)


def test_a_server_error_is_retried_and_the_retry_reads_everything(base_url: str) -> None:
    reader = rest_reader(base_url, "/ndxp/flaky/lan-dau", records_path="data.items")

    error, _ = read_error(reader)
    _, table, _ = read_all(reader)

    assert error.transient
    assert "HTTP 500 Internal Server Error" in str(error)
    assert table.num_rows == RECORD_COUNT


# -- a connection cut in the middle of a page -----------------------------------------------


@pytest.mark.parametrize("way", CUT_WAYS)
def test_a_page_cut_off_midway_is_a_transient_error_not_a_short_read(
    cut_url: str, way: str
) -> None:
    reader = rest_reader(cut_url, f"/cut/{way}", records_path="data.items", page_size=100)

    error, batches = read_error(reader)

    assert error.transient
    assert f"{cut_url}/cut/{way} (page 2)" in str(error)
    assert "the sync will retry" in str(error)
    # Page 1 arrived whole; nothing of the cut page 2 was handed on.
    assert [batch.table.num_rows for batch in batches] == [100]


def test_the_cut_server_serves_whole_pages_when_it_does_not_cut(cut_url: str) -> None:
    # The same pages, never cut: proves the cut, not the server, makes the errors above.
    reader = rest_reader(cut_url, "/cut/whole", records_path="data.items", page_size=100)

    _, table, _ = read_all(reader)

    assert table["ho_ten"].to_pylist() == [record["ho_ten"] for record in CAN_BO]


def test_check_on_a_page_cut_off_midway_is_transient() -> None:
    with serve_cut_source(cut_page=1) as url:
        reader = rest_reader(url, "/cut/close", records_path="data.items")
        with pytest.raises(SourceError) as caught:
            reader.check()

    assert caught.value.transient
    assert "stops in the middle of its JSON" in str(caught.value)


# -- the token never shows ------------------------------------------------------------------

# Every failure above, and two gateways that quote the request back: one in its refusal,
# one in an error page with the query and the key headers.
LEAK_CASES: dict[str, tuple[str, dict[str, Any]]] = {
    **{case: (path, settings) for case, (path, settings, _, _) in FAILURES.items()},
    "echoed in a refusal": ("/ndxp/echo-unauthorized", {}),
    "echoed in a page": ("/ndxp/echo-html", {}),
}


@pytest.mark.parametrize("case", list(LEAK_CASES))
def test_no_key_reaches_an_error_or_a_log(
    base_url: str, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    path, settings = LEAK_CASES[case]
    settings = dict(settings)
    headers = {**settings.pop("headers", AUTH_HEADERS), "X-API-Key": API_KEY}
    reader = rest_reader(base_url, path, headers=headers, params={"api_key": API_KEY}, **settings)

    error, _ = read_error(reader)

    assert caplog.records, "the HTTP client logs each request"
    shown = [str(error), repr(error), *(record.getMessage() for record in caplog.records)]
    for text in shown:
        assert TOKEN not in text
        assert API_KEY not in text


def test_the_http_clients_request_log_keeps_the_path_not_the_key(
    base_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="httpx2")
    reader = rest_reader(base_url, "/ndxp/don-vi", paging="none", params={"api_key": API_KEY})

    read_all(reader)

    assert caplog.messages == [f'HTTP Request: GET {base_url}/ndxp/don-vi "HTTP/1.1 200 OK"']


def test_an_echoed_request_is_shown_with_the_keys_masked(base_url: str) -> None:
    reader = rest_reader(base_url, "/ndxp/echo-html", params={"api_key": API_KEY})

    error, _ = read_error(reader)

    assert f"GET {base_url}/ndxp/echo-html?api_key=***&page=1" in str(error)
    assert "authorization: *** " in str(error)


def test_a_key_written_into_the_url_is_masked_too(base_url: str) -> None:
    reader = rest_reader(base_url, f"/ndxp/echo-html?api_key={API_KEY}")

    error, _ = read_error(reader)

    assert API_KEY not in str(error)
    assert "api_key=***" in str(error)


def test_a_cut_connection_shows_no_token(cut_url: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    error, _ = read_error(rest_reader(cut_url, "/cut/length", records_path="data.items"))

    assert TOKEN not in str(error)
    assert all(TOKEN not in record.getMessage() for record in caplog.records)


# -- configuration --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("ftp://lgsp.hanoi.gov.vn/api/can-bo", "`ftp://lgsp.hanoi.gov.vn/api/can-bo`"),
        ("lgsp.hanoi.gov.vn/api/can-bo", "`lgsp.hanoi.gov.vn/api/can-bo`"),
        ("http:///api/can-bo", "`http:///api/can-bo`"),
        ("https://lgsp.hanoi.gov.vn:99999/api", "`https://lgsp.hanoi.gov.vn:99999/api`"),
    ],
)
def test_a_bad_url_is_quoted_with_what_would_be_valid(url: str, shown: str) -> None:
    with pytest.raises(ValidationError) as caught:
        RestConfig(url=url)

    assert f"{shown} is not an API address" in str(caught.value)
    assert "expected http://host/path or https://host/path" in str(caught.value)


def test_a_bad_url_does_not_show_its_key_or_password() -> None:
    with pytest.raises(ValidationError) as caught:
        RestConfig(url=f"ftp://can_bo:{API_KEY}@lgsp.hanoi.gov.vn/api?api_key={API_KEY}")

    assert "`ftp://lgsp.hanoi.gov.vn/api` is not an API address" in str(caught.value)
    assert API_KEY not in str(caught.value)


@pytest.mark.parametrize(
    ("setting", "value", "says"),
    [
        ("page_size", 0, "0 is not allowed (expected 1 or more)"),
        ("max_pages", -3, "-3 is not allowed (expected 1 or more)"),
        ("timeout_s", 0, "0.0 is not allowed (expected a number of seconds above 0)"),
    ],
)
def test_a_bad_number_is_named_with_its_value(setting: str, value: int, says: str) -> None:
    with pytest.raises(ValidationError) as caught:
        RestConfig.model_validate({"url": "https://lgsp.hanoi.gov.vn/api", setting: value})

    assert setting in str(caught.value)
    assert says in str(caught.value)


def test_a_cursor_param_needs_a_cursor_field_and_the_error_hides_the_token() -> None:
    with pytest.raises(ValidationError) as caught:
        RestConfig(
            url="https://lgsp.hanoi.gov.vn/api",
            headers=AUTH_HEADERS,
            cursor_param="updated_since",
        )

    assert "cursor_param `updated_since` needs cursor_field" in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_an_unknown_setting_is_named() -> None:
    with pytest.raises(ValidationError) as caught:
        RestConfig.model_validate({"url": "https://lgsp.hanoi.gov.vn/api", "pagesize": 100})

    assert "pagesize" in str(caught.value)
    assert "Extra inputs are not permitted" in str(caught.value)


@pytest.mark.parametrize(
    ("headers", "says"),
    [
        ({"Authorization": f"Bearer {TOKEN}\r\nX-Chen: 1"}, "header `Authorization` holds a line"),
        ({"X-Don-Vi": "Sở Nội vụ Hà Nội"}, "header `X-Don-Vi` holds a line break or a non-ASCII"),
        ({"Mã đơn vị": "SNV-01"}, "`Mã đơn vị` is not a header name"),
    ],
)
def test_a_header_http_cannot_carry_is_named_without_its_value(
    headers: dict[str, str], says: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        RestConfig(url="https://lgsp.hanoi.gov.vn/api", headers=headers)

    assert says in str(caught.value)
    assert TOKEN not in str(caught.value)
    assert "Sở Nội vụ Hà Nội" not in str(caught.value)
