"""Sector databases for the SQL reader's tests, on the real servers: a fresh PostgreSQL or
MariaDB database (unique name, dropped afterwards) or an SQLite file, holding the worship
places of sector 8 (``co_so_tho_tu``), clean rows and dirty ones, and the training hours of
civil servants (``boi_duong_can_bo``, keyed by two columns).

    with postgres_source() as source:
        SqlReader(SqlConfig(url=source.url, table="co_so_tho_tu"))
"""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pymysql
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import IN_CI, PG_ADMIN_URL

MARIADB_ADMIN_URL = os.environ.get("IOC_TEST_MARIADB", "mysql://root@127.0.0.1:3306/test")

CO_SO_COLUMNS = [
    "ma_co_so",
    "ten_co_so",
    "ton_giao",
    "ma_tinh",
    "ma_xa",
    "nam_xay_dung",
    "dien_tich_m2",
    "vi_do",
    "da_xep_hang",
    "ngay_cong_nhan",
    "ngay_cap_phep",
    "ghi_chu",
    "ngay_cap_nhat",
]
# Two places share the last update time: an incremental read from it must give both.
SHARED_UPDATE = datetime(2025, 3, 15, 9, 30, 0)


# The worship places as the sector's database holds them.
_CO_SO_VALUES: list[tuple[Any, ...]] = [
    ("TT-01-0001", "Chùa Trấn Quốc", "Phật giáo", "01", "00004", 545, Decimal("3000.00"),
     21.0479, True, "28/04/1989", date(1989, 4, 28),
     "Di tích quốc gia, xếp hạng năm 1989", datetime(2025, 3, 1, 8, 0, 0)),
    ("TT-01-0002", "Nhà thờ Lớn Hà Nội", "Công giáo", "01", "00070", 1886, Decimal("2500.50"),
     21.0287, True, "15/06/1990", date(1990, 6, 15), None,
     datetime(2025, 3, 2, 14, 15, 30)),
    ("TT-01-0003", "Đền Ngọc Sơn", "Tín ngưỡng dân gian", "01", "00073", 1841,
     Decimal("1250.75"), 21.0307, True, "28/04/1962", date(1962, 4, 28),
     'Tên cũ: "Ngọc Sơn Từ"\nnằm trên đảo Ngọc, hồ Hoàn Kiếm',
     datetime(2025, 3, 3, 10, 0, 0)),
    ("TT-79-0001", "Chùa Vĩnh Nghiêm", "Phật giáo", "79", "26740", 1964, Decimal("6000.00"),
     10.7904, False, "02/01/2008", date(2008, 1, 2), "",
     datetime(2025, 3, 4, 9, 0, 0)),
    ("TT-79-0002", "Nhà thờ Tân Định", "Công giáo", "79", "26752", 1876, Decimal("4100.25"),
     10.7887, True, "10/10/1999", date(1999, 10, 10), None,
     datetime(2025, 3, 5, 16, 45, 0)),
    ("TT-48-0001", "Chùa Linh Ứng Bãi Bụt", "Phật giáo", "48", "20194", 2004,
     Decimal("200000.00"), 16.1003, False, None, None, "Tượng Quan Âm cao 67 m",
     datetime(2025, 3, 6, 7, 30, 0)),
    ("TT-92-0001", "Thánh thất Cao Đài Cần Thơ", "Cao Đài", "92", "31117", 1954,
     Decimal("980.00"), 10.0341, False, "05/05/2005", date(2005, 5, 5), None,
     datetime(2025, 3, 7, 11, 0, 0)),
    ("TT-46-0001", "Chùa Thiên Mụ", "Phật giáo", "46", "19750", 1601, Decimal("9500.00"),
     16.4538, True, "13/03/1979", date(1979, 3, 13), "Còn gọi là chùa Linh Mụ",
     SHARED_UPDATE),
    # Dirty rows: a required name missing, unknown religions, a date that does not exist,
    # a province code from before the 2025 merger (35, Hà Nam), missing numbers.
    ("TT-01-0004", None, "Phật giáo", "01", "00091", None, None, None, None,
     "31/02/1980", None, None, SHARED_UPDATE),
    ("TT-35-0001", "Chùa Bà Đanh", "Phật giao", "35", "13366", 1700, Decimal("1500.00"),
     20.5431, None, "12/12/1994", date(1994, 12, 12), "Tỉnh Hà Nam cũ",
     datetime(2025, 3, 16, 8, 0, 0)),
    ("TT-22-0001", "Đền Cửa Ông", "Đạo Mẫu Tứ Phủ", "22", None, 1000, Decimal("5200.00"),
     21.0264, True, "13/01/2000", date(2000, 1, 13), None,
     datetime(2025, 3, 17, 8, 0, 0)),
    ("TT-40-0001", "Nhà thờ Xã Đoài", None, "40", "17998", 1867, Decimal("-15.00"), 18.7206,
     False, "ngày 5 tháng 3", None, None, None),
]
CO_SO_THO_TU: list[dict[str, Any]] = [
    dict(zip(CO_SO_COLUMNS, values, strict=True)) for values in _CO_SO_VALUES
]
CO_SO_BY_KEY = {row["ma_co_so"]: row for row in CO_SO_THO_TU}

BOI_DUONG_COLUMNS = ["ma_can_bo", "nam", "ho_ten", "so_gio_hoc"]
BOI_DUONG_CAN_BO: list[dict[str, Any]] = [
    dict(zip(BOI_DUONG_COLUMNS, values, strict=True))
    for values in [
        ("CB0000000001", 2023, "Nguyễn Thị Hương", 40),
        ("CB0000000001", 2024, "Nguyễn Thị Hương", 56),
        ("CB0000000002", 2024, "Trần Văn Đức", 32),
        ("CB0000000003", 2023, "Lê Minh Phương", None),
        ("CB0000000003", 2024, "Lê Minh Phương", 48),
    ]
]


@dataclass(frozen=True, slots=True)
class SourceDatabase:
    """A database created for a test module: its name, the reader's URL and a way to run
    statements on it as the administrator."""

    name: str
    url: str
    execute: Callable[[str], list[tuple[Any, ...]]]


def require_server(name: str, connect: Callable[[], Any]) -> None:
    """Fail in CI, skip elsewhere, when the server a test needs cannot be reached."""
    try:
        connect().close()
    except (psycopg.OperationalError, pymysql.err.OperationalError) as exc:
        message = f"{name} is not reachable: {exc}"
        if IN_CI:
            pytest.fail(message + f" (CI must test against {name}; start the server)")
        pytest.skip(message)


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


# -- PostgreSQL -----------------------------------------------------------------------------

_PG_CO_SO = """
CREATE TABLE co_so_tho_tu (
    ma_co_so VARCHAR(20) PRIMARY KEY,
    ten_co_so TEXT,
    ton_giao VARCHAR(60),
    ma_tinh VARCHAR(2),
    ma_xa VARCHAR(5),
    nam_xay_dung INTEGER,
    dien_tich_m2 NUMERIC(12, 2),
    vi_do DOUBLE PRECISION,
    da_xep_hang BOOLEAN,
    ngay_cong_nhan VARCHAR(20),
    ngay_cap_phep DATE,
    ghi_chu TEXT,
    ngay_cap_nhat TIMESTAMP
)"""
_PG_BOI_DUONG = """
CREATE TABLE boi_duong_can_bo (
    ma_can_bo VARCHAR(12),
    nam INTEGER,
    ho_ten TEXT NOT NULL,
    so_gio_hoc INTEGER,
    PRIMARY KEY (ma_can_bo, nam)
)"""


def pg_admin(database: str = "") -> psycopg.Connection[Any]:
    url = make_url(PG_ADMIN_URL)
    return psycopg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "root",
        dbname=database or url.database or "postgres",
        autocommit=True,
        connect_timeout=3,
    )


def pg_url(database: str, user: str | None = None, password: str | None = None) -> str:
    url = make_url(PG_ADMIN_URL).set(drivername="postgresql", database=database)
    if user is not None:
        url = url.set(username=user, password=password)
    return url.render_as_string(hide_password=False)


@contextmanager
def postgres_source() -> Iterator[SourceDatabase]:
    """A fresh PostgreSQL database with the sector tables, a view, and a second schema."""
    require_server("PostgreSQL", pg_admin)
    name = unique_name("ioc_nguon")
    with pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with pg_admin(name) as conn:
            conn.execute(_PG_CO_SO)
            conn.execute(_PG_BOI_DUONG)
            with conn.cursor() as cursor:
                cursor.executemany(_insert("co_so_tho_tu", CO_SO_COLUMNS), CO_SO_THO_TU)
                cursor.executemany(
                    _insert("boi_duong_can_bo", BOI_DUONG_COLUMNS), BOI_DUONG_CAN_BO
                )
            conn.execute(
                "CREATE VIEW v_chua AS SELECT ma_co_so, ten_co_so FROM co_so_tho_tu "
                "WHERE ton_giao = 'Phật giáo'"
            )
            conn.execute("CREATE SCHEMA nganh8")
            conn.execute(
                "CREATE TABLE nganh8.di_tich (ma_di_tich INTEGER PRIMARY KEY, ten TEXT)"
            )
            conn.execute(
                "INSERT INTO nganh8.di_tich VALUES (1, 'Văn Miếu – Quốc Tử Giám'), "
                "(2, 'Hoàng thành Thăng Long')"
            )

        def execute(statement: str) -> list[tuple[Any, ...]]:
            with pg_admin(name) as conn, conn.cursor() as cursor:
                cursor.execute(statement)
                return cursor.fetchall() if cursor.description else []

        yield SourceDatabase(name, pg_url(name), execute)
    finally:
        with pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def postgres_role(database: str, password: str, *, login: bool = True) -> Iterator[str]:
    """A role with a password, allowed to read the database's tables; dropped afterwards."""
    role = unique_name("ioc_doc")
    with pg_admin() as admin:
        admin.execute(
            f"CREATE ROLE {role} {'LOGIN' if login else 'NOLOGIN'} PASSWORD '{password}'"
        )
    try:
        with pg_admin(database) as conn:
            conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
        yield role
    finally:
        with pg_admin(database) as conn:
            conn.execute(f"DROP OWNED BY {role}")
        with pg_admin() as admin:
            admin.execute(f"DROP ROLE IF EXISTS {role}")


# -- MariaDB --------------------------------------------------------------------------------

_MARIADB_CO_SO = """
CREATE TABLE co_so_tho_tu (
    ma_co_so VARCHAR(20) PRIMARY KEY,
    ten_co_so TEXT,
    ton_giao VARCHAR(60),
    ma_tinh VARCHAR(2),
    ma_xa VARCHAR(5),
    nam_xay_dung INTEGER,
    dien_tich_m2 DECIMAL(12, 2),
    vi_do DOUBLE,
    da_xep_hang BOOLEAN,
    ngay_cong_nhan VARCHAR(20),
    ngay_cap_phep DATE,
    ghi_chu TEXT,
    ngay_cap_nhat DATETIME
) CHARACTER SET utf8mb4"""
_MARIADB_BOI_DUONG = """
CREATE TABLE boi_duong_can_bo (
    ma_can_bo VARCHAR(12),
    nam INTEGER,
    ho_ten TEXT NOT NULL,
    so_gio_hoc INTEGER,
    PRIMARY KEY (ma_can_bo, nam)
) CHARACTER SET utf8mb4"""


def mariadb_admin(database: str | None = None) -> pymysql.Connection[Any]:
    url = make_url(MARIADB_ADMIN_URL)
    return pymysql.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 3306,
        user=url.username or "root",
        password=url.password or "",
        database=database,
        charset="utf8mb4",
        autocommit=True,
        connect_timeout=3,
    )


def mariadb_url(database: str, user: str | None = None, password: str | None = None) -> str:
    url = make_url(MARIADB_ADMIN_URL).set(drivername="mysql", database=database)
    if user is not None:
        url = url.set(username=user, password=password)
    return url.render_as_string(hide_password=False)


@contextmanager
def mariadb_source() -> Iterator[SourceDatabase]:
    """A fresh MariaDB database with the sector tables and a view."""
    require_server("MariaDB", mariadb_admin)
    name = unique_name("ioc_nguon")
    with mariadb_admin() as admin, admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    try:
        with mariadb_admin(name) as conn, conn.cursor() as cursor:
            cursor.execute(_MARIADB_CO_SO)
            cursor.execute(_MARIADB_BOI_DUONG)
            cursor.executemany(_insert("co_so_tho_tu", CO_SO_COLUMNS), CO_SO_THO_TU)
            cursor.executemany(_insert("boi_duong_can_bo", BOI_DUONG_COLUMNS), BOI_DUONG_CAN_BO)
            cursor.execute(
                "CREATE VIEW v_chua AS SELECT ma_co_so, ten_co_so FROM co_so_tho_tu "
                "WHERE ton_giao = 'Phật giáo'"
            )

        def execute(statement: str) -> list[tuple[Any, ...]]:
            with mariadb_admin(name) as conn, conn.cursor() as cursor:
                cursor.execute(statement)
                return list(cursor.fetchall()) if cursor.description else []

        yield SourceDatabase(name, mariadb_url(name), execute)
    finally:
        with mariadb_admin() as admin, admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")


@contextmanager
def mariadb_user(database: str, password: str) -> Iterator[str]:
    """A user with a password, allowed to read the database; dropped afterwards."""
    user = unique_name("ioc_doc")
    host = make_url(MARIADB_ADMIN_URL).host or "127.0.0.1"
    with mariadb_admin() as admin, admin.cursor() as cursor:
        cursor.execute(f"CREATE USER '{user}'@'{host}' IDENTIFIED BY %s", (password,))
        cursor.execute(f"GRANT SELECT ON `{database}`.* TO '{user}'@'{host}'")
    try:
        yield user
    finally:
        with mariadb_admin() as admin, admin.cursor() as cursor:
            cursor.execute(f"DROP USER IF EXISTS '{user}'@'{host}'")


# -- SQLite ---------------------------------------------------------------------------------

_SQLITE_CO_SO = """
CREATE TABLE co_so_tho_tu (
    ma_co_so TEXT PRIMARY KEY,
    ten_co_so TEXT,
    ton_giao TEXT,
    ma_tinh TEXT,
    ma_xa TEXT,
    nam_xay_dung INTEGER,
    dien_tich_m2 REAL,
    vi_do REAL,
    da_xep_hang INTEGER,
    ngay_cong_nhan TEXT,
    ngay_cap_phep TEXT,
    ghi_chu TEXT,
    ngay_cap_nhat TEXT
)"""


def sqlite_row(row: dict[str, Any]) -> dict[str, Any]:
    """A worship place as SQLite stores it: dates and times as ISO text, decimals as REAL,
    booleans as 0 and 1."""
    stored = dict(row)
    for name, value in row.items():
        if isinstance(value, datetime):
            stored[name] = value.isoformat(sep=" ")
        elif isinstance(value, date):
            stored[name] = value.isoformat()
        elif isinstance(value, Decimal):
            stored[name] = float(value)
        elif isinstance(value, bool):
            stored[name] = int(value)
    return stored


def sqlite_source(path: Path, rows: list[dict[str, Any]] | None = None) -> str:
    """An SQLite file holding the worship places (or the given rows); its reader URL."""
    with sqlite3.connect(path) as conn:
        conn.execute(_SQLITE_CO_SO)
        conn.executemany(
            _insert("co_so_tho_tu", CO_SO_COLUMNS, style="named"),
            [sqlite_row(row) for row in (CO_SO_THO_TU if rows is None else rows)],
        )
    conn.close()
    return f"sqlite:///{path}"


# -- servers that do not answer --------------------------------------------------------------


def free_port() -> int:
    """A local port where nothing listens (connections to it are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@contextmanager
def silent_server() -> Iterator[int]:
    """A local port that accepts connections and then never says a word, as a server behind
    a firewall that drops replies, or one frozen under load."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            accepted.append(client)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for client in accepted:
            client.close()
        listener.close()


def _insert(table: str, columns: list[str], style: str = "pyformat") -> str:
    if style == "named":
        values = ", ".join(f":{name}" for name in columns)
    else:
        values = ", ".join(f"%({name})s" for name in columns)
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({values})"
