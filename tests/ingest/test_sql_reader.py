"""The SQL reader against real servers: a fresh PostgreSQL and MariaDB database for this
module, SQLite files, and ports that refuse or never answer."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyarrow as pa
import pytest
from pydantic import ValidationError
from sqlalchemy.engine import make_url

from noivu_ioc.ingest.readers.base import Batch, SourceError, decode_cursor, encode_cursor
from noivu_ioc.ingest.readers.sql import SqlConfig, SqlReader, engine_url
from tests.ingest.sql_sources import (
    BOI_DUONG_CAN_BO,
    CO_SO_BY_KEY,
    CO_SO_COLUMNS,
    CO_SO_THO_TU,
    SHARED_UPDATE,
    SourceDatabase,
    free_port,
    mariadb_source,
    mariadb_url,
    mariadb_user,
    pg_admin,
    pg_url,
    postgres_role,
    postgres_source,
    silent_server,
    sqlite_row,
    sqlite_source,
)

PASSWORD = "Nv8#mat-khau!2025"

# -- sources --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pg() -> Iterator[SourceDatabase]:
    with postgres_source() as source:
        yield source


@pytest.fixture(scope="module")
def mariadb() -> Iterator[SourceDatabase]:
    with mariadb_source() as source:
        yield source


@pytest.fixture(params=["postgresql", "mariadb"])
def server(request: pytest.FixtureRequest) -> SourceDatabase:
    """Each test that takes it runs once on PostgreSQL (COPY) and once on MariaDB."""
    fixture = "pg" if request.param == "postgresql" else "mariadb"
    source: SourceDatabase = request.getfixturevalue(fixture)
    return source


def reader(url: str, **settings: Any) -> SqlReader:
    return SqlReader(SqlConfig(url=url, **settings))


def read_all(source: SqlReader, since: Any = None) -> tuple[list[Batch], pa.Table | None]:
    batches = list(source.read(since))
    table = pa.concat_tables([b.table for b in batches]) if batches else None
    return batches, table


def positions(batches: list[Batch]) -> list[str]:
    return [p for b in batches for p in b.positions.to_pylist()]


def sorted_by_key(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda row: row["ma_co_so"])


def is_postgres(source: SourceDatabase) -> bool:
    return source.url.startswith("postgresql")


# -- configuration --------------------------------------------------------------------------


def test_plain_urls_mean_the_drivers_the_ioc_ships() -> None:
    assert engine_url("postgresql://u@h/sector8").drivername == "postgresql+psycopg"
    assert engine_url("mysql://u@h/sector8").drivername == "mysql+pymysql"
    assert engine_url("mariadb://u@h/sector8").drivername == "mysql+pymysql"
    assert engine_url("postgresql+psycopg://u@h/sector8").drivername == "postgresql+psycopg"
    assert engine_url("sqlite:///data/sector8.sqlite3").drivername == "sqlite"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"khong la url {PASSWORD}", "is not a database URL"),
        (f"postgresqll://ioc:{quote(PASSWORD)}@10.8.0.12/sector8", "unknown database or driver"),
        ("sqlite://", "names no SQLite file"),
    ],
)
def test_a_bad_url_is_refused_early_without_its_password(url: str, expected: str) -> None:
    with pytest.raises(ValidationError) as caught:
        SqlConfig(url=url, table="co_so_tho_tu")
    text = str(caught.value)
    assert expected in text
    assert "expected" in text
    assert PASSWORD not in text and quote(PASSWORD) not in text


def test_the_config_never_shows_its_password() -> None:
    config = SqlConfig(url=f"postgresql://ioc:{quote(PASSWORD)}@h/db", table="co_so_tho_tu")
    assert PASSWORD not in repr(config) and quote(PASSWORD) not in repr(config)
    assert PASSWORD not in str(config) and quote(PASSWORD) not in str(config)


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({}, "give the table to read"),
        ({"table": "co_so_tho_tu", "query": "SELECT 1"}, "not both"),
        ({"table": "nganh8.co_so.cu"}, "is not a table name"),
        ({"table": "co_so_tho_tu", "batch_rows": 0}, "expected 1 or more"),
        ({"table": "co_so_tho_tu", "timeout_s": 0}, "above 0"),
        ({"table": "co_so_tho_tu", "key_columns": ["ma", "ma"]}, "names a column twice"),
        ({"query": "DELETE FROM co_so_tho_tu"}, "starts with `DELETE`"),
        ({"query": "SELECT 1; DROP TABLE co_so_tho_tu"}, "more than one statement"),
        ({"query": "  -- chỉ có chú thích\n"}, "the query is empty"),
    ],
)
def test_the_config_names_what_is_wrong(settings: dict[str, Any], expected: str) -> None:
    with pytest.raises(ValidationError, match=expected):
        SqlConfig(url="sqlite:///nguon.sqlite3", **settings)


def test_a_query_may_end_with_semicolons_and_hold_them_in_text() -> None:
    query = (
        "WITH chua AS (SELECT * FROM co_so_tho_tu WHERE ghi_chu <> 'a; b')\n"
        "SELECT /* ; */ * FROM chua -- ; cuối\n;; "
    )
    config = SqlConfig(url="sqlite:///nguon.sqlite3", query=query)
    assert config.query is not None
    assert config.query.endswith("SELECT /* ; */ * FROM chua")  # trailing comment cut too
    assert config.query.startswith("WITH chua")


# -- reading a table ------------------------------------------------------------------------


def test_a_full_read_gives_the_rows_typed_with_their_keys(server: SourceDatabase) -> None:
    batches, table = read_all(reader(server.url, table="co_so_tho_tu"))

    assert len(batches) == 1 and table is not None
    assert table.column_names == CO_SO_COLUMNS
    assert table.to_pylist() == sorted_by_key(CO_SO_THO_TU)
    assert positions(batches) == [f"ma_co_so={r['ma_co_so']}" for r in sorted_by_key(CO_SO_THO_TU)]
    assert batches[0].cursor is None and batches[0].notes == ()

    schema = table.schema
    assert schema.field("ma_co_so").type == pa.string()
    assert schema.field("vi_do").type == pa.float64()
    assert schema.field("ngay_cap_phep").type == pa.date32()
    assert schema.field("ngay_cap_nhat").type == pa.timestamp("us")
    assert schema.field("ngay_cong_nhan").type == pa.string()  # a date kept as text
    if is_postgres(server):
        assert schema.field("nam_xay_dung").type == pa.int32()
        assert schema.field("dien_tich_m2").type == pa.decimal128(12, 2)
        assert schema.field("da_xep_hang").type == pa.bool_()
    else:
        assert schema.field("nam_xay_dung").type == pa.int64()
        assert schema.field("dien_tich_m2").type == pa.decimal128(38, 2)
        assert schema.field("da_xep_hang").type == pa.int64()  # MariaDB's BOOLEAN is TINYINT


def test_dirty_values_come_through_as_the_source_holds_them(server: SourceDatabase) -> None:
    _, table = read_all(reader(server.url, table="co_so_tho_tu"))
    assert table is not None
    rows = {row["ma_co_so"]: row for row in table.to_pylist()}

    assert rows["TT-01-0004"]["ten_co_so"] is None
    assert rows["TT-01-0004"]["ngay_cong_nhan"] == "31/02/1980"
    assert rows["TT-01-0004"]["dien_tich_m2"] is None
    assert rows["TT-35-0001"]["ma_tinh"] == "35"
    assert rows["TT-35-0001"]["ton_giao"] == "Phật giao"
    assert rows["TT-22-0001"]["ton_giao"] == "Đạo Mẫu Tứ Phủ"
    assert rows["TT-40-0001"]["dien_tich_m2"] == Decimal("-15.00")
    # Text with quotes and a line break intact; an empty text is not NULL.
    assert rows["TT-01-0003"]["ghi_chu"] == 'Tên cũ: "Ngọc Sơn Từ"\nnằm trên đảo Ngọc, hồ Hoàn Kiếm'
    assert rows["TT-79-0001"]["ghi_chu"] == ""
    assert rows["TT-79-0002"]["ghi_chu"] is None


def test_rows_come_in_batches_with_their_positions(server: SourceDatabase) -> None:
    batches, table = read_all(
        reader(server.url, table="co_so_tho_tu", batch_rows=5, cursor_column="ngay_cap_nhat")
    )

    assert [b.table.num_rows for b in batches] == [5, 5, 2]
    assert table is not None and table.to_pylist() == sorted_by_key(CO_SO_THO_TU)
    for batch in batches:
        keys = batch.table["ma_co_so"].to_pylist()
        assert batch.positions.to_pylist() == [f"ma_co_so={key}" for key in keys]
        updates = [CO_SO_BY_KEY[key]["ngay_cap_nhat"] for key in keys]
        assert batch.cursor == max(u for u in updates if u is not None)
        assert batch.table.schema == batches[0].table.schema


def test_positions_name_every_column_of_a_composite_key(server: SourceDatabase) -> None:
    batches, table = read_all(reader(server.url, table="boi_duong_can_bo", batch_rows=2))

    assert table is not None
    assert sorted(table.to_pylist(), key=lambda r: (r["ma_can_bo"], r["nam"])) == BOI_DUONG_CAN_BO
    assert positions(batches) == [
        "ma_can_bo=CB0000000001, nam=2023",
        "ma_can_bo=CB0000000001, nam=2024",
        "ma_can_bo=CB0000000002, nam=2024",
        "ma_can_bo=CB0000000003, nam=2023",
        "ma_can_bo=CB0000000003, nam=2024",
    ]


def test_key_columns_given_replace_the_primary_key(server: SourceDatabase) -> None:
    batches, _ = read_all(
        reader(server.url, table="boi_duong_can_bo", key_columns=["ho_ten", "nam"])
    )
    assert positions(batches)[0] == "ho_ten=Lê Minh Phương, nam=2023"


def test_a_schema_qualified_table_can_be_read(pg: SourceDatabase) -> None:
    batches, table = read_all(reader(pg.url, table="nganh8.di_tich"))
    assert table is not None
    assert table.to_pylist() == [
        {"ma_di_tich": 1, "ten": "Văn Miếu – Quốc Tử Giám"},
        {"ma_di_tich": 2, "ten": "Hoàng thành Thăng Long"},
    ]
    assert positions(batches) == ["ma_di_tich=1", "ma_di_tich=2"]


# -- reading a query ------------------------------------------------------------------------


def test_a_query_is_read_like_a_table(server: SourceDatabase) -> None:
    query = (
        "SELECT ma_co_so, ten_co_so, ma_tinh FROM co_so_tho_tu\n"
        "WHERE ten_co_so LIKE 'Chùa%' AND ghi_chu IS NOT NULL -- chỉ các chùa; có ghi chú\n"
        "ORDER BY ma_co_so;"
    )
    source = reader(server.url, query=query, batch_rows=2)
    batches, table = read_all(source)

    expected = [
        {"ma_co_so": r["ma_co_so"], "ten_co_so": r["ten_co_so"], "ma_tinh": r["ma_tinh"]}
        for r in sorted_by_key(CO_SO_THO_TU)
        if (r["ten_co_so"] or "").startswith("Chùa") and r["ghi_chu"] is not None
    ]
    assert len(expected) == 5
    assert table is not None and table.to_pylist() == expected
    assert positions(batches) == [f"row {n}" for n in range(1, 6)]  # a query has no key
    assert source.columns() == ["ma_co_so", "ten_co_so", "ma_tinh"]


def test_a_query_with_key_columns_positions_rows_by_key(server: SourceDatabase) -> None:
    query = "SELECT ma_co_so, ton_giao FROM co_so_tho_tu WHERE ma_tinh = '79'"
    batches, _ = read_all(reader(server.url, query=query, key_columns=["ma_co_so"]))
    assert positions(batches) == ["ma_co_so=TT-79-0001", "ma_co_so=TT-79-0002"]


def test_a_query_giving_a_column_twice_is_refused(server: SourceDatabase) -> None:
    query = (
        "SELECT c.ma_co_so, d.ma_co_so FROM co_so_tho_tu c "
        "JOIN co_so_tho_tu d ON c.ma_co_so = d.ma_co_so"
    )
    with pytest.raises(SourceError, match="more than once") as caught:
        reader(server.url, query=query).check()
    assert "ma_co_so" in caught.value.message
    assert "give each column its own name" in caught.value.message
    assert not caught.value.transient


def test_postgres_types_become_arrow_types(pg: SourceDatabase) -> None:
    query = """
        SELECT 1::smallint AS nho, 2::integer AS vua, 3::bigint AS lon, 1.5::real AS thuc,
               12.345::numeric AS so_tu_do, 7.10::numeric(5, 2) AS so_co_dinh,
               true AS dung, DATE '2025-07-01' AS ngay, TIME '08:30:15' AS gio,
               TIMESTAMPTZ '2025-07-01 08:30:00+07' AS luc,
               '7f3e2a91-3c1d-4b8e-9a55-0c6f1d2e8b47'::uuid AS ma,
               '{"tinh": "Hà Nội"}'::jsonb AS du_lieu, 'Hà Nội'::varchar AS ten
    """
    batches, table = read_all(reader(pg.url, query=query))
    assert table is not None
    assert dict(zip(table.column_names, table.schema.types, strict=True)) == {
        "nho": pa.int16(),
        "vua": pa.int32(),
        "lon": pa.int64(),
        "thuc": pa.float32(),
        "so_tu_do": pa.float64(),  # NUMERIC without precision: no fixed scale
        "so_co_dinh": pa.decimal128(5, 2),
        "dung": pa.bool_(),
        "ngay": pa.date32(),
        "gio": pa.time64("us"),
        "luc": pa.timestamp("us", tz="UTC"),
        "ma": pa.string(),
        "du_lieu": pa.string(),
        "ten": pa.string(),
    }
    row = table.to_pylist()[0]
    assert row["so_co_dinh"] == Decimal("7.10")
    assert row["luc"].replace(tzinfo=None) == datetime(2025, 7, 1, 1, 30)
    assert row["du_lieu"] == '{"tinh": "Hà Nội"}'
    assert batches[0].notes == ()


def test_a_value_outside_its_type_turns_its_column_to_text_with_a_note(
    pg: SourceDatabase,
) -> None:
    query = (
        "SELECT 1 AS so, TIMESTAMP 'infinity' AS het_han "
        "UNION ALL SELECT 2, TIMESTAMP '2030-12-31 23:59:59'"
    )
    batches, table = read_all(reader(pg.url, query=query))

    assert table is not None
    assert table.schema.field("het_han").type == pa.string()
    assert table["het_han"].to_pylist() == ["infinity", "2030-12-31 23:59:59"]
    assert table.schema.field("so").type == pa.int32()
    assert len(batches[0].notes) == 1
    assert "`het_han`" in batches[0].notes[0] and "`infinity`" in batches[0].notes[0]


def test_a_query_cannot_change_the_source(pg: SourceDatabase) -> None:
    query = "WITH gone AS (DELETE FROM co_so_tho_tu RETURNING ma_co_so) SELECT * FROM gone"
    with pytest.raises(SourceError) as caught:
        read_all(reader(pg.url, query=query))
    assert not caught.value.transient
    assert pg.execute("SELECT count(*) FROM co_so_tho_tu") == [(len(CO_SO_THO_TU),)]


# -- incremental reads ----------------------------------------------------------------------


def test_since_reads_rows_at_or_after_it_in_cursor_order(server: SourceDatabase) -> None:
    source = reader(server.url, table="co_so_tho_tu", cursor_column="ngay_cap_nhat")
    batches, table = read_all(source, since=SHARED_UPDATE)

    assert table is not None
    # Both rows stamped exactly at `since` come back: >= on purpose.
    assert table["ngay_cap_nhat"].to_pylist() == [
        SHARED_UPDATE,
        SHARED_UPDATE,
        datetime(2025, 3, 16, 8, 0),
        datetime(2025, 3, 17, 8, 0),
    ]
    assert sorted(table["ma_co_so"].to_pylist()[:2]) == ["TT-01-0004", "TT-46-0001"]
    assert batches[-1].cursor == datetime(2025, 3, 17, 8, 0)


def test_the_cursor_survives_its_trip_between_runs(server: SourceDatabase) -> None:
    source = reader(server.url, table="co_so_tho_tu", cursor_column="ngay_cap_nhat")
    first, _ = read_all(source)
    stored = encode_cursor(max(b.cursor for b in first))

    again, table = read_all(source, since=decode_cursor(stored))
    assert table is not None
    assert table["ma_co_so"].to_pylist() == ["TT-22-0001"]  # the newest row, read again
    assert again[0].cursor == datetime(2025, 3, 17, 8, 0)


def test_since_after_every_row_reads_nothing(server: SourceDatabase) -> None:
    source = reader(server.url, table="co_so_tho_tu", cursor_column="ngay_cap_nhat")
    assert list(source.read(datetime(2026, 1, 1))) == []


def test_since_is_ignored_without_a_cursor_column(server: SourceDatabase) -> None:
    _, table = read_all(reader(server.url, table="co_so_tho_tu"), since=datetime(2026, 1, 1))
    assert table is not None and table.num_rows == len(CO_SO_THO_TU)


def test_an_unknown_cursor_or_key_column_is_named_with_the_columns(
    server: SourceDatabase,
) -> None:
    with pytest.raises(SourceError, match="cursor_column `ngay_sua` is not a column") as caught:
        reader(server.url, table="co_so_tho_tu", cursor_column="ngay_sua").check()
    assert "ma_co_so, ten_co_so, ton_giao" in caught.value.message
    assert not caught.value.transient
    with pytest.raises(SourceError, match="key column `ma` is not a column"):
        list(reader(server.url, table="co_so_tho_tu", key_columns=["ma"]).read())


# -- columns, tables, check -----------------------------------------------------------------


def test_columns_are_the_sources_in_order(server: SourceDatabase) -> None:
    assert reader(server.url, table="co_so_tho_tu").columns() == CO_SO_COLUMNS


def test_tables_lists_tables_and_views(server: SourceDatabase) -> None:
    found = reader(server.url, table="co_so_tho_tu").tables()
    expected = ["boi_duong_can_bo", "co_so_tho_tu", "v_chua"]
    if is_postgres(server):
        expected.append("nganh8.di_tich")  # other schemas after the default one
    assert found == expected


def test_check_passes_on_a_readable_source(
    server: SourceDatabase, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="noivu_ioc.ingest.readers.sql")
    reader(server.url, table="boi_duong_can_bo").check()
    assert "positions by ma_can_bo, nam" in caplog.text


# -- terminal errors ------------------------------------------------------------------------


def test_a_role_that_does_not_exist_cannot_log_in(pg: SourceDatabase) -> None:
    # PostgreSQL here trusts local TCP logins, so a wrong password is accepted; an unknown
    # role is the login failure this server can give.
    url = pg_url(pg.name, user="khong_ton_tai", password=PASSWORD)
    with pytest.raises(SourceError) as caught:
        reader(url, table="co_so_tho_tu").check()
    error = caught.value
    assert not error.transient
    assert error.message.startswith("cannot log in to postgresql+psycopg://khong_ton_tai:***@")
    assert "as `khong_ton_tai`" in error.message
    assert 'role "khong_ton_tai" does not exist' in error.message
    assert "check the source's user name and password" in error.message


def test_a_role_without_login_cannot_log_in(pg: SourceDatabase) -> None:
    with postgres_role(pg.name, PASSWORD, login=False) as role:
        url = pg_url(pg.name, user=role, password=PASSWORD)
        with pytest.raises(SourceError, match="cannot log in") as caught:
            reader(url, table="co_so_tho_tu").check()
    assert "not permitted to log in" in caught.value.message
    assert not caught.value.transient


def test_a_wrong_password_cannot_log_in(mariadb: SourceDatabase) -> None:
    with mariadb_user(mariadb.name, PASSWORD) as user:
        reader(mariadb_url(mariadb.name, user, PASSWORD), table="co_so_tho_tu").check()
        wrong = mariadb_url(mariadb.name, user, "sai-mat-khau")
        with pytest.raises(SourceError) as caught:
            reader(wrong, table="co_so_tho_tu").check()
    error = caught.value
    assert not error.transient
    assert error.message.startswith(f"cannot log in to mysql+pymysql://{user}:***@")
    assert "Access denied" in error.message and "error 1045" in error.message
    assert "sai-mat-khau" not in error.message


def test_an_unknown_database_is_terminal(server: SourceDatabase) -> None:
    make = pg_url if is_postgres(server) else mariadb_url
    with pytest.raises(SourceError, match="database `khong_co_csdl` cannot be opened") as caught:
        reader(make("khong_co_csdl"), table="co_so_tho_tu").check()
    assert not caught.value.transient


def test_a_missing_table_is_terminal(server: SourceDatabase) -> None:
    with pytest.raises(SourceError) as caught:
        reader(server.url, table="co_so_ton_giao").check()
    error = caught.value
    assert not error.transient
    assert "table `co_so_ton_giao`" in error.message
    assert "reads a table that does not exist" in error.message
    assert "co_so_ton_giao" in error.message.split(": ", 1)[1]


def test_a_missing_column_in_a_query_is_terminal(server: SourceDatabase) -> None:
    with pytest.raises(SourceError, match="names a column that does not exist") as caught:
        reader(server.url, query="SELECT ma_co_so, so_tin_do FROM co_so_tho_tu").check()
    assert "so_tin_do" in caught.value.message
    assert not caught.value.transient


def test_a_syntax_error_is_terminal(server: SourceDatabase) -> None:
    with pytest.raises(SourceError, match="is not valid SQL") as caught:
        reader(server.url, query="SELECT ma_co_so FROM co_so_tho_tu WHERE").check()
    assert "fix the query" in caught.value.message
    assert not caught.value.transient


def test_a_missing_driver_is_terminal(pg: SourceDatabase) -> None:
    url = make_url(pg.url).set(drivername="postgresql+psycopg2").render_as_string(False)
    with pytest.raises(SourceError, match="no database driver") as caught:
        reader(url, table="co_so_tho_tu").check()
    assert "install the driver package" in caught.value.message
    assert not caught.value.transient


def test_an_unknown_host_is_terminal() -> None:
    try:
        socket.getaddrinfo("may-chu-nganh8.invalid", 5432)
    except socket.gaierror as exc:
        if exc.errno != socket.EAI_NONAME:
            pytest.skip(f"name resolution is not available here: {exc}")
    else:
        pytest.skip("this resolver answers for .invalid names")
    with pytest.raises(SourceError, match="is not known") as caught:
        reader("postgresql://ioc@may-chu-nganh8.invalid/sector8", table="co_so_tho_tu").check()
    assert not caught.value.transient


# -- transient errors -----------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["postgresql", "mysql"])
def test_a_refused_connection_is_transient(scheme: str) -> None:
    url = f"{scheme}://ioc:{quote(PASSWORD)}@127.0.0.1:{free_port()}/sector8"
    with pytest.raises(SourceError) as caught:
        reader(url, table="co_so_tho_tu").check()
    error = caught.value
    assert error.transient
    assert error.message.startswith("cannot reach ")
    assert "refused" in error.message and "the sync will retry" in error.message


@pytest.mark.parametrize("scheme", ["postgresql", "mysql"])
def test_a_server_that_never_answers_is_a_transient_timeout(scheme: str) -> None:
    with silent_server() as port:
        source = reader(f"{scheme}://ioc@127.0.0.1:{port}/sector8", table="t", timeout_s=1)
        with pytest.raises(SourceError, match="did not answer within 1 s") as caught:
            source.check()
    assert caught.value.transient


@pytest.fixture
def big_table(server: SourceDatabase) -> Iterator[tuple[SourceDatabase, int]]:
    """A citizen-reception log large enough that the server is still sending when the
    reader's connection is killed."""
    rows = 200_000
    text = "Kiến nghị của công dân về thủ tục cấp phép xây dựng cơ sở thờ tự. "
    if is_postgres(server):
        server.execute(
            "CREATE TABLE nhat_ky_tiep_dan AS SELECT g AS so_thu_tu, "
            f"'Nguyễn Văn Hùng ' || g AS ho_ten, repeat('{text}', 3) AS noi_dung "
            f"FROM generate_series(1, {rows}) g"
        )
    else:
        server.execute(
            "CREATE TABLE nhat_ky_tiep_dan CHARACTER SET utf8mb4 AS SELECT seq AS so_thu_tu, "
            f"concat('Nguyễn Văn Hùng ', seq) AS ho_ten, repeat('{text}', 3) AS noi_dung "
            f"FROM seq_1_to_{rows}"
        )
    try:
        yield server, rows
    finally:
        server.execute("DROP TABLE nhat_ky_tiep_dan")


def _kill_reader(source: SourceDatabase) -> int:
    """Kill the reader's connection, busy sending rows, from another one; how many
    connections were killed."""
    if is_postgres(source):
        with pg_admin() as admin:
            killed = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                "AND application_name = 'noivu-ioc' AND state = 'active'",
                (source.name,),
            ).fetchall()
        return sum(1 for (done,) in killed if done)
    ids = source.execute(
        "SELECT id FROM information_schema.processlist "
        f"WHERE db = '{source.name}' AND command = 'Query' AND id <> connection_id()"
    )
    for (connection_id,) in ids:
        source.execute(f"KILL CONNECTION {int(connection_id)}")
    return len(ids)


def _reader_connections(source: SourceDatabase) -> int:
    """The connections to the source other than the one asking, once the server has let go
    of those just closed (it does so a moment after the client)."""
    count = -1
    for _ in range(600):
        if is_postgres(source):
            with pg_admin() as admin:
                row = admin.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (source.name,)
                ).fetchone()
            count = row[0] if row else -1
        else:
            count = source.execute(
                "SELECT count(*) FROM information_schema.processlist "
                f"WHERE db = '{source.name}' AND id <> connection_id()"
            )[0][0]
        if count == 0:
            break
        time.sleep(0.05)
    return count


def test_a_connection_killed_during_a_read_is_transient(
    big_table: tuple[SourceDatabase, int],
) -> None:
    source, total = big_table
    batches = reader(source.url, table="nhat_ky_tiep_dan", batch_rows=1000).read()
    read = next(batches).table.num_rows

    assert _kill_reader(source) == 1
    with pytest.raises(SourceError) as caught:
        for batch in batches:
            read += batch.table.num_rows
    error = caught.value
    assert error.transient
    assert read < total
    assert "the connection to " in error.message and "was lost while reading" in error.message
    assert "table `nhat_ky_tiep_dan` after " in error.message


def test_a_read_stopped_early_ends_its_query(big_table: tuple[SourceDatabase, int]) -> None:
    source, _ = big_table
    batches = reader(source.url, table="nhat_ky_tiep_dan", batch_rows=1000).read()
    assert next(batches).table.num_rows == 1000
    batches.close()  # type: ignore[attr-defined]
    assert _reader_connections(source) == 0


# -- passwords ------------------------------------------------------------------------------


def test_no_message_or_log_ever_holds_the_password(
    pg: SourceDatabase, mariadb: SourceDatabase, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    messages: list[str] = []

    def expect_error(source: SqlReader) -> None:
        with pytest.raises(SourceError) as caught:
            list(source.read())
        messages.append(str(caught.value))

    with postgres_role(pg.name, PASSWORD) as role:
        url = pg_url(pg.name, role, PASSWORD)
        good = reader(url, table="co_so_tho_tu", cursor_column="ngay_cap_nhat", batch_rows=4)
        good.check()
        assert sum(b.table.num_rows for b in good.read(SHARED_UPDATE)) == 4
        assert "co_so_tho_tu" in good.tables()
        expect_error(reader(url, table="khong_co_bang"))
        expect_error(reader(url, query="SELECT khong_co_cot FROM co_so_tho_tu"))
    with mariadb_user(mariadb.name, PASSWORD) as user:
        url = mariadb_url(mariadb.name, user, PASSWORD)
        assert reader(url, table="co_so_tho_tu").columns() == CO_SO_COLUMNS
        expect_error(reader(url, table="khong_co_bang"))
        wrong = mariadb_url(mariadb.name, user, PASSWORD + "x")
        expect_error(reader(wrong, table="co_so_tho_tu"))
    expect_error(reader(f"mysql://ioc:{quote(PASSWORD)}@127.0.0.1:{free_port()}/db", table="t"))

    logged = [record.getMessage() for record in caplog.records]
    assert any("read 4 rows" in line for line in logged)
    for text in [*messages, *logged]:
        assert PASSWORD not in text and quote(PASSWORD) not in text and "mat-khau" not in text


# -- SQLite ---------------------------------------------------------------------------------


def test_an_sqlite_file_is_read_with_the_types_sqlite_gives(tmp_path: Path) -> None:
    url = sqlite_source(tmp_path / "nganh8.sqlite3")
    batches, table = read_all(reader(url, table="co_so_tho_tu", batch_rows=5))

    assert [b.table.num_rows for b in batches] == [5, 5, 2]
    assert table is not None
    assert table.to_pylist() == [sqlite_row(r) for r in sorted_by_key(CO_SO_THO_TU)]
    assert positions(batches)[:2] == ["ma_co_so=TT-01-0001", "ma_co_so=TT-01-0002"]
    assert table.schema.field("nam_xay_dung").type == pa.int64()
    assert table.schema.field("dien_tich_m2").type == pa.float64()
    assert table.schema.field("ngay_cap_nhat").type == pa.string()  # SQLite keeps text
    assert reader(url, table="co_so_tho_tu").tables() == ["co_so_tho_tu"]


def test_an_sqlite_file_is_read_incrementally(tmp_path: Path) -> None:
    url = sqlite_source(tmp_path / "nganh8.sqlite3")
    source = reader(url, table="co_so_tho_tu", cursor_column="ngay_cap_nhat")
    batches, table = read_all(source, since="2025-03-15 09:30:00")
    assert table is not None
    assert table["ma_co_so"].to_pylist()[2:] == ["TT-35-0001", "TT-22-0001"]
    assert batches[-1].cursor == "2025-03-17 08:00:00"


def test_mixed_values_in_an_sqlite_column_come_as_text_with_a_note(tmp_path: Path) -> None:
    rows = [dict(r) for r in CO_SO_THO_TU[:3]]
    rows[1]["nam_xay_dung"] = "không rõ"
    url = sqlite_source(tmp_path / "nganh8.sqlite3", rows)
    batches, table = read_all(reader(url, table="co_so_tho_tu"))

    assert table is not None
    assert table["nam_xay_dung"].to_pylist() == ["545", "không rõ", "1841"]
    assert batches[0].notes == (
        "column `nam_xay_dung` holds values of several types (int, str); this batch gives "
        "it as text",
    )


def test_a_missing_sqlite_file_is_terminal_and_not_created(tmp_path: Path) -> None:
    path = tmp_path / "khong_co.sqlite3"
    with pytest.raises(SourceError, match="does not exist") as caught:
        reader(f"sqlite:///{path}", table="co_so_tho_tu").check()
    assert not caught.value.transient
    assert not path.exists()


def test_a_file_that_is_not_sqlite_is_terminal(tmp_path: Path) -> None:
    path = tmp_path / "danh_sach.sqlite3"
    path.write_text("Họ và tên;Ngày sinh\nNguyễn Thị Hương;12/05/1988\n" * 200, encoding="utf-8")
    with pytest.raises(SourceError, match="cannot be opened") as caught:
        reader(f"sqlite:///{path}", table="co_so_tho_tu").check()
    assert not caught.value.transient

