"""Reads a table or a SELECT query of a sector database (PostgreSQL, MariaDB/MySQL, SQLite or
any database SQLAlchemy 2 reaches) in batches of typed Arrow columns.

Values keep the types the database gives them: integers, decimals, dates, timestamps, text,
NULL as null. PostgreSQL through psycopg 3 takes a fast path: the rows stream out of
``COPY (SELECT ...) TO STDOUT`` as CSV and pyarrow parses each batch with the column types
of the result, so no Python object is made per value. Other databases go through SQLAlchemy
with a server-side cursor and one ``pa.array`` call per column and batch.

Known limit: MariaDB and MySQL go through PyMySQL, which decodes rows in Python: about
60,000 rows a second here, ten times slower than the PostgreSQL path.

A value that does not fit its column's type (a PostgreSQL timestamp ``infinity``, an SQLite
INTEGER column holding ``không rõ``) turns that column of that batch into text, and the
batch's notes say so: nothing is dropped without a word.
"""

from __future__ import annotations

import io
import logging
import math
import re
from collections.abc import Generator, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import sqlalchemy as sa
from psycopg import sql
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, NoSuchTableError
from sqlalchemy.pool import NullPool

from noivu_ioc.ingest.readers.base import Batch, SourceError

logger = logging.getLogger(__name__)

_APPLICATION_NAME = "noivu-ioc"
_QUERY_ALIAS = "ioc_source"
_NAMES_SHOWN = 12
# Plain dialect names mean the driver the IOC ships with.
_DRIVERS = {
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mariadb": "mysql+pymysql",
}
_URL_FORM = (
    "expected dialect://user:password@host:port/database, e.g. "
    "postgresql://ioc_reader:***@10.8.0.12:5432/sector8, "
    "mysql://ioc_reader:***@10.8.0.13:3306/sector8 or sqlite:///data/sector8.sqlite3"
)


class SqlConfig(BaseModel):
    """Which database, which table or query, and how to read it."""

    # Errors never echo the input: the URL holds the password.
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    # SQLAlchemy URL with the password; never shown (messages and logs hide it).
    url: str = Field(repr=False)
    table: str | None = None  # "table" or "schema.table"
    query: str | None = None  # one SELECT or WITH statement
    cursor_column: str | None = None  # incremental syncs: rows with a cursor at or after since
    key_columns: list[str] = []  # for positions; empty = the table's primary key
    batch_rows: int = 50_000
    # Seconds to wait for a connection (and, on MySQL, for each answer to check, columns
    # and tables); a read's query may take longer to give its first rows.
    timeout_s: float = 30.0

    @field_validator("url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        engine_url(value)
        return value

    @field_validator("table")
    @classmethod
    def _table_name(cls, value: str | None) -> str | None:
        if value is not None:
            table_parts(value)
        return value

    @field_validator("query")
    @classmethod
    def _select_query(cls, value: str | None) -> str | None:
        return None if value is None else single_select(value)

    @field_validator("cursor_column")
    @classmethod
    def _column_name(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("cursor_column is empty (expected a column name, or leave it out)")
        return value

    @field_validator("key_columns")
    @classmethod
    def _key_names(cls, value: list[str]) -> list[str]:
        if any(not name.strip() for name in value):
            raise ValueError(f"key_columns {value} holds an empty name (expected column names)")
        if len(set(value)) != len(value):
            raise ValueError(f"key_columns {value} names a column twice")
        return value

    @field_validator("batch_rows")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value < 1:
            raise ValueError(f"{value} is not allowed (expected 1 or more)")
        return value

    @field_validator("timeout_s")
    @classmethod
    def _positive_timeout(cls, value: float) -> float:
        if not value > 0:
            raise ValueError(f"{value} is not allowed (expected a number of seconds above 0)")
        return value

    @model_validator(mode="after")
    def _table_or_query(self) -> SqlConfig:
        if self.table is None and self.query is None:
            raise ValueError("give the table to read (table or schema.table) or a SELECT query")
        if self.table is not None and self.query is not None:
            raise ValueError("give either a table or a query, not both")
        return self


def engine_url(text: str) -> URL:
    """The URL as SQLAlchemy opens it: plain ``postgresql://`` with psycopg 3, ``mysql://``
    and ``mariadb://`` with PyMySQL. Raises ``ValueError`` with the expected form."""
    try:
        url = make_url(text)
    except ArgumentError:
        # The value is not quoted: it may hold a password.
        raise ValueError(f"the value is not a database URL ({_URL_FORM})") from None
    url = url.set(drivername=_DRIVERS.get(url.drivername, url.drivername))
    try:
        url.get_dialect()
    except NoSuchModuleError:
        raise ValueError(
            f"`{shown_url(url)}` names an unknown database or driver `{url.drivername}` "
            f"({_URL_FORM}, or another SQLAlchemy dialect such as mssql+pyodbc://)"
        ) from None
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        raise ValueError(
            f"`{shown_url(url)}` names no SQLite file (expected sqlite:///relative/path.sqlite3 "
            "or sqlite:////absolute/path.sqlite3)"
        )
    return url


def shown_url(url: URL) -> str:
    """The URL as messages and logs show it: no password, and no query (some drivers take a
    password or a whole connection string with one there)."""
    return url.set(query={}).render_as_string(hide_password=True)


def table_parts(name: str) -> tuple[str | None, str]:
    """``"schema.table"`` as (schema, table); ``"table"`` as (None, table)."""
    parts = name.split(".")
    if len(parts) > 2 or not all(part.strip() for part in parts):
        raise ValueError(f"`{name}` is not a table name (expected table or schema.table)")
    return (None, parts[0]) if len(parts) == 1 else (parts[0], parts[1])


# Strings, quoted names and comments, whose text must not count as SQL when the statement
# is checked: PostgreSQL dollar quoting, '...', "...", `...`, -- and /* */ comments.
_OPAQUE = re.compile(
    r"\$(?P<tag>[A-Za-z_]\w*)?\$.*?\$(?P=tag)?\$"
    r"|'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|`(?:[^`]|``)*`"
    r"|--[^\n]*|/\*.*?\*/",
    re.DOTALL,
)


def _mask(match: re.Match[str]) -> str:
    """Comments become blanks; strings and quoted names stay something, of the same length."""
    text = match.group()
    return " " * len(text) if text.startswith(("--", "/*")) else "_" * len(text)


def single_select(query: str) -> str:
    """The query without its trailing semicolons, if it is one SELECT or WITH statement.
    Raises ``ValueError`` otherwise. The reader also wraps it in ``SELECT * FROM (...)``,
    where no other statement is valid, and reads in a read-only transaction."""
    masked = _OPAQUE.sub(_mask, query)
    end = len(masked.rstrip().rstrip(";").rstrip())
    while masked[:end].rstrip().endswith(";"):
        end = len(masked[:end].rstrip().rstrip(";").rstrip())
    body, masked_body = query[:end], masked[:end]
    first = re.match(r"[\s(]*(\w+)", masked_body)
    if first is None:
        raise ValueError("the query is empty (expected one SELECT or WITH statement)")
    if first.group(1).lower() not in ("select", "with"):
        raise ValueError(
            f"the query starts with `{first.group(1)}` (expected one SELECT or WITH "
            "statement: the IOC only reads)"
        )
    if ";" in masked_body:
        rest = " ".join(body[masked_body.index(";") + 1 :].split())[:60]
        raise ValueError(
            f"the query holds more than one statement (`{rest}` follows a `;`); "
            "give one SELECT or WITH statement"
        )
    return body.strip()


# Batches as read, before positions: each table with its notes.
_Tables = Generator[tuple[pa.Table, tuple[str, ...]], None, None]


@dataclass(slots=True)
class _Progress:
    rows: int = 0


@dataclass(frozen=True, slots=True)
class _Failure:
    kind: str
    reason: str


class SqlReader:
    """A database table or query as a source. Holds no connection between calls: each call
    opens its own engine (without a pool) and disposes of it before returning.

    With ``since``, only rows whose cursor is at or after it are read, in the cursor's
    order: ``>=`` on purpose, so that rows committed later with the same cursor value are
    not missed; the sync's upsert absorbs the repeats. A full read goes in the key columns'
    order (the source's own order without a key), and each batch's cursor is the largest
    in that batch.
    """

    def __init__(self, config: SqlConfig) -> None:
        self.config = config
        self._url = engine_url(config.url)
        self._shown = shown_url(self._url)
        self._schema: str | None = None
        self._table: str | None = None
        if config.table:
            self._schema, self._table = table_parts(config.table)
        backend, driver = self._url.get_backend_name(), self._url.get_driver_name()
        self._fast = backend == "postgresql" and driver == "psycopg"

    @property
    def _label(self) -> str:
        return f"table `{self.config.table}`" if self.config.table else "the query"

    def check(self) -> None:
        with self._session() as conn:
            names, _ = self._describe(conn)
            keys = self._keys(conn, names)
        logger.info(
            "SQL source %s: %s can be read, %d columns, positions by %s",
            self._shown,
            self._label,
            len(names),
            ", ".join(keys) if keys else "row number",
        )

    def columns(self) -> list[str]:
        with self._session() as conn:
            names, _ = self._describe(conn)
        return names

    def tables(self) -> list[str]:
        """The tables and views the URL can see: those of the default schema by name, then
        those of other PostgreSQL schemas as ``schema.table``, each group sorted."""
        with self._session() as conn:
            inspector = sa.inspect(conn)
            found = {*inspector.get_table_names(), *inspector.get_view_names()}
            others: set[str] = set()
            if self._url.get_backend_name() == "postgresql":
                found |= set(inspector.get_materialized_view_names())
                default = inspector.default_schema_name
                for schema in inspector.get_schema_names():
                    if schema in (default, "information_schema") or schema.startswith("pg_"):
                        continue
                    names = [
                        *inspector.get_table_names(schema),
                        *inspector.get_view_names(schema),
                        *inspector.get_materialized_view_names(schema),
                    ]
                    others |= {f"{schema}.{name}" for name in names}
        return sorted(found) + sorted(others)

    def read(self, since: Any = None) -> Iterator[Batch]:
        config = self.config
        if since is not None and config.cursor_column is None:
            logger.debug("SQL source %s has no cursor_column; since=%s ignored", self._shown, since)
            since = None

        progress = _Progress()
        batches = 0
        with self._session(progress) as conn:
            if self._url.get_backend_name() == "mysql":
                _without_read_timeout(conn)
            names, description = self._describe(conn)
            keys = self._keys(conn, names)
            # An incremental read goes in the cursor's order; a full one in the key's, which
            # an index usually gives for free (the sync takes the largest batch cursor).
            order = [config.cursor_column] if since is not None and config.cursor_column else keys
            logger.info(
                "SQL source %s: reading %s%s",
                self._shown,
                self._label,
                f" from {config.cursor_column} >= {since!r}" if since is not None else "",
            )
            if self._fast:
                tables = self._copy_tables(conn, names, description, since, order)
            else:
                tables = self._fetch_tables(conn, since, order)
            # Closed with the read, so that a consumer that stops early ends the query.
            with closing(tables):
                for table, notes in tables:
                    batch = self._batch(table, keys, progress.rows, notes)
                    progress.rows += table.num_rows
                    batches += 1
                    logger.debug(
                        "SQL source %s: batch %d, %d rows", self._shown, batches, table.num_rows
                    )
                    yield batch
        logger.info(
            "SQL source %s: read %d rows of %s in %d batches",
            self._shown,
            progress.rows,
            self._label,
            batches,
        )

    # -- connecting ------------------------------------------------------------------------

    @contextmanager
    def _session(self, progress: _Progress | None = None) -> Iterator[sa.Connection]:
        """A connection whose database errors come out as ``SourceError``."""
        engine = self._engine()
        try:
            with engine.connect() as conn:
                yield conn
        except (DBAPIError, NoSuchTableError, psycopg.Error) as exc:
            raise self._error(exc, progress) from None
        finally:
            engine.dispose()

    def _engine(self) -> sa.Engine:
        url = self._url
        backend = url.get_backend_name()
        if backend == "sqlite":
            url = self._sqlite_read_only(url)
        try:
            engine = sa.create_engine(
                url, poolclass=NullPool, connect_args=self._connect_args(backend)
            )
        except (NoSuchModuleError, ImportError) as exc:
            raise SourceError(
                f"no database driver for {self._shown}: {_first_line(exc)}; install the "
                f"driver package of `{self._url.drivername}` or use postgresql://, mysql:// "
                "or sqlite:///, whose drivers the IOC ships with"
            ) from None
        if backend == "mysql":
            event.listen(engine, "connect", _mysql_session)
        return engine

    def _connect_args(self, backend: str) -> dict[str, Any]:
        given = self._url.query
        timeout = self.config.timeout_s
        args: dict[str, Any] = {}
        if backend == "postgresql" and self._fast:
            # ISO dates for the CSV parser; 17 digits so that floats survive text (PostgreSQL
            # 11 and older round to 15); a read-only transaction whatever the query does.
            settings = (
                "-c datestyle=ISO -c extra_float_digits=3 -c default_transaction_read_only=on"
            )
            options = given.get("options")
            args = {
                "connect_timeout": max(2, math.ceil(timeout)),  # libpq: whole seconds, 2 or more
                "application_name": _APPLICATION_NAME,
                "client_encoding": "UTF8",
                "options": f"{options} {settings}" if isinstance(options, str) else settings,
                # A server that vanishes mid-read is noticed instead of waited for forever.
                "keepalives": 1,
                "keepalives_idle": max(1, math.ceil(timeout)),
                "keepalives_interval": max(1, math.ceil(timeout / 3)),
                "keepalives_count": 3,
            }
        elif backend == "mysql":
            # The read timeout also bounds the greeting of a server that accepts and then
            # says nothing; read() lifts it (see _without_read_timeout).
            args = {"connect_timeout": timeout, "read_timeout": timeout, "charset": "utf8mb4"}
        elif backend == "sqlite":
            args = {"timeout": timeout}
        # What the URL sets wins, except options, which are merged above.
        return {key: value for key, value in args.items() if key not in given or key == "options"}

    def _sqlite_read_only(self, url: URL) -> URL:
        path = Path(url.database or "")
        if not path.is_file():
            raise SourceError(
                f"the SQLite file `{path}` of {self._shown} does not exist; check the path "
                "(relative paths start from the IOC's working folder)"
            )
        # Opened read-only: a source is never written, and a wrong path never creates a file.
        return url.set(
            database=f"file:{quote(str(path.resolve()))}",
            query={**url.query, "mode": "ro", "uri": "true"},
        )

    # -- describing ------------------------------------------------------------------------

    def _source(self) -> sa.FromClause:
        if self._table is not None:
            return sa.table(self._table, schema=self._schema)
        # Colons escaped so that `'08:30'` or `::date` is never taken for a bound parameter;
        # newlines so that a trailing -- comment cannot swallow the closing parenthesis.
        query = (self.config.query or "").replace(":", r"\:")
        return sa.text(f"\n{query}\n").columns().subquery(_QUERY_ALIAS)

    def _select(self, since: Any, order: Sequence[str]) -> sa.Select[Any]:
        statement: sa.Select[Any] = sa.select(sa.literal_column("*")).select_from(self._source())
        if since is not None and self.config.cursor_column:
            statement = statement.where(
                sa.column(self.config.cursor_column) >= sa.bindparam("since", since)
            )
        return statement.order_by(*(sa.column(name) for name in order))

    def _describe(self, conn: sa.Connection) -> tuple[list[str], Sequence[Any]]:
        """The result's column names and the driver's description of them; checks that the
        configured cursor and key columns are among them."""
        result = conn.execute(self._select(None, []).limit(0))
        names = list(result.keys())
        description = result.cursor.description if result.cursor is not None else ()
        result.close()

        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise SourceError(
                f"{self._label} on {self._shown} gives column `{twice[0]}` more than once; "
                "give each column its own name (SELECT a.id AS id_a, b.id AS id_b ...)"
            )
        wanted = [self.config.cursor_column] if self.config.cursor_column else []
        for name in [*wanted, *self.config.key_columns]:
            if name not in names:
                role = "cursor_column" if name == self.config.cursor_column else "key column"
                raise SourceError(
                    f"{role} `{name}` is not a column of {self._label} on {self._shown}; "
                    f"the columns are: {_listed(names)}"
                )
        return names, description

    def _keys(self, conn: sa.Connection, names: list[str]) -> list[str]:
        """The configured key columns, else the table's primary key, else none."""
        if self.config.key_columns or self._table is None:
            return list(self.config.key_columns)
        found = sa.inspect(conn).get_pk_constraint(self._table, schema=self._schema)
        keys = list(found.get("constrained_columns") or [])
        return keys if all(name in names for name in keys) else []

    # -- reading ---------------------------------------------------------------------------

    def _copy_tables(
        self,
        conn: sa.Connection,
        names: list[str],
        description: Sequence[Any],
        since: Any,
        order: Sequence[str],
    ) -> _Tables:
        """PostgreSQL: the rows as CSV from COPY, parsed by pyarrow one batch at a time."""
        pg = cast("psycopg.Connection[Any]", conn.connection.driver_connection)
        types = [_pg_arrow_type(column) for column in description]
        statement = sql.SQL("COPY ({}) TO STDOUT (FORMAT csv)").format(
            self._pg_select(since, order)
        )
        limit = self.config.batch_rows
        # Each batch is parsed in a thread (pyarrow lets go of the GIL) while the rows of the
        # next one arrive; the batch is handed on once the next has been read.
        with (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="sql-csv") as parser,
            pg.cursor() as cursor,
            cursor.copy(statement) as copy,
        ):
            pending: Future[tuple[pa.Table, tuple[str, ...]]] | None = None
            try:
                for data, rows in _csv_chunks(copy, limit):
                    parsed = parser.submit(self._parse_csv, data, rows, names, types)
                    if pending is not None:
                        yield pending.result()
                    pending = parsed
                if pending is not None:
                    yield pending.result()
            except BaseException:
                # Stopped early or failed: drop the connection, since ending the COPY
                # politely would mean reading the rest of the rows first.
                conn.invalidate()
                raise

    def _pg_select(self, since: Any, order: Sequence[str]) -> sql.Composable:
        source: sql.Composable
        if self._table is not None:
            parts = (self._schema, self._table) if self._schema else (self._table,)
            source = sql.Identifier(*parts)
        else:
            source = sql.SQL("(\n{}\n) AS {}").format(
                sql.SQL(self.config.query or ""), sql.Identifier(_QUERY_ALIAS)
            )
        statement = sql.SQL("SELECT * FROM {}").format(source)
        if since is not None and self.config.cursor_column:
            statement += sql.SQL(" WHERE {} >= {}").format(
                sql.Identifier(self.config.cursor_column), sql.Literal(since)
            )
        if order:
            statement += sql.SQL(" ORDER BY {}").format(
                sql.SQL(", ").join(sql.Identifier(name) for name in order)
            )
        return statement

    def _parse_csv(
        self, data: bytes, rows: int, names: list[str], types: list[pa.DataType]
    ) -> tuple[pa.Table, tuple[str, ...]]:
        types = list(types)
        notes: list[str] = []
        # Values with line breaks need the slower, quote-aware line splitting; one line
        # break per row means there are none.
        multiline = data.count(b"\n") != rows or b"\r" in data
        while True:
            try:
                table = pa_csv.read_csv(
                    pa.py_buffer(data),
                    read_options=pa_csv.ReadOptions(column_names=names),
                    parse_options=pa_csv.ParseOptions(newlines_in_values=multiline),
                    convert_options=pa_csv.ConvertOptions(
                        column_types=dict(zip(names, types, strict=True)),
                        null_values=[""],
                        strings_can_be_null=True,
                        quoted_strings_can_be_null=False,  # "" is an empty text, not NULL
                        true_values=["t"],
                        false_values=["f"],
                    ),
                )
            except pa.ArrowInvalid as exc:
                found = re.search(r"CSV column #(\d+)", str(exc))
                if found is None or types[int(found.group(1))] == pa.string():
                    raise SourceError(
                        f"the rows of {self._label} on {self._shown} cannot be parsed: "
                        f"{_first_line(exc)}; cast the column named there to text in a query"
                    ) from None
                index = int(found.group(1))
                notes.append(self._as_text_note(names[index], types[index], exc))
                types[index] = pa.string()
                continue
            return table, tuple(notes)

    def _fetch_tables(self, conn: sa.Connection, since: Any, order: Sequence[str]) -> _Tables:
        """Other databases: rows from a server-side cursor, one ``pa.array`` per column."""
        limit = self.config.batch_rows
        result = conn.execution_options(yield_per=limit).execute(self._select(since, order))
        stream = result.cursor
        names = list(result.keys())
        known: list[pa.DataType | None] = [None] * len(names)
        try:
            for rows in result.partitions(limit):
                arrays = []
                notes: list[str] = []
                for index, values in enumerate(zip(*rows, strict=True)):
                    array, note = self._arrow_column(names[index], values, known[index])
                    if note:
                        notes.append(note)
                    elif array.type != pa.null():
                        known[index] = array.type
                    arrays.append(array)
                yield pa.Table.from_arrays(arrays, names=names), tuple(notes)
        except DBAPIError as exc:
            if exc.connection_invalidated:
                _forget_lost_stream(stream)
            raise

    def _arrow_column(
        self, name: str, values: Sequence[Any], known: pa.DataType | None
    ) -> tuple[pa.Array, str | None]:
        """One column of a batch with the type of the earlier batches when the values fit
        it, else the type the values give, else text with a note."""
        if known is not None:
            try:
                return pa.array(values, type=known), None
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                pass
        try:
            array = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            kinds = sorted({type(value).__name__ for value in values if value is not None})
            if name == self.config.cursor_column:
                raise SourceError(
                    f"cursor_column `{name}` of {self._label} on {self._shown} holds values "
                    f"of several types ({', '.join(kinds)}); a cursor needs one type: "
                    "choose another cursor column or cast it in a query"
                ) from None
            texts = [None if value is None else str(value) for value in values]
            note = (
                f"column `{name}` holds values of several types ({', '.join(kinds)}); "
                "this batch gives it as text"
            )
            return pa.array(texts, type=pa.string()), note
        if pa.types.is_decimal(array.type):
            # Room for larger values in later batches than in the first.
            wide = pa.decimal128(38, array.type.scale) if array.type.precision <= 38 else None
            array = array.cast(wide or pa.decimal256(76, array.type.scale))
        return array, None

    def _as_text_note(self, name: str, declared: pa.DataType, exc: Exception) -> str:
        found = re.search(r"invalid value '([^']*)'", str(exc))
        example = f" such as `{found.group(1)}`" if found else ""
        if name == self.config.cursor_column:
            raise SourceError(
                f"cursor_column `{name}` of {self._label} on {self._shown} holds values"
                f"{example} that are not {declared}; choose another cursor column or cast "
                "it in a query"
            ) from None
        return (
            f"column `{name}` holds values{example} that are not {declared}; this batch gives "
            "it as text"
        )

    def _batch(self, table: pa.Table, keys: list[str], start: int, notes: tuple[str, ...]) -> Batch:
        rows = table.num_rows
        if keys:
            parts: list[Any] = []
            for index, key in enumerate(keys):
                label = f"{key}=" if index == 0 else f", {key}="
                parts += [label, pc.cast(table[key], pa.string())]
            positions = pc.binary_join_element_wise(
                *parts, "", null_handling="replace", null_replacement="NULL"
            )
        else:
            numbers = pa.array(np.arange(start + 1, start + rows + 1, dtype=np.int64))
            positions = pc.binary_join_element_wise("row ", pc.cast(numbers, pa.string()), "")
        if isinstance(positions, pa.ChunkedArray):
            positions = positions.combine_chunks()

        cursor = None
        if self.config.cursor_column:
            cursor = pc.max(table[self.config.cursor_column]).as_py()
        return Batch(table, positions, cursor=cursor, notes=notes)

    # -- errors ----------------------------------------------------------------------------

    def _error(self, exc: Exception, progress: _Progress | None) -> SourceError:
        failure = _classify(exc)
        where, user, timeout = self._shown, self._url.username or "", self.config.timeout_s
        reason = failure.reason
        after = f" after {progress.rows:,} rows" if progress and progress.rows else ""
        messages = {
            "login": (
                f"cannot log in to {where} as `{user}`: {reason}; check the source's user "
                "name and password",
                False,
            ),
            "database": (
                f"database `{self._url.database}` cannot be opened on {where}: {reason}; "
                "check the database name (or file path) at the end of the URL",
                False,
            ),
            "table": (
                f"{self._label} on {where} reads a table that does not exist: {reason}; "
                "check the table name (written schema.table when it is not in the default "
                "schema)",
                False,
            ),
            "column": (
                f"{self._label} on {where} names a column that does not exist: {reason}; "
                "check cursor_column, key_columns and the query",
                False,
            ),
            "twice": (
                f"{self._label} on {where} gives a column more than once: {reason}; give "
                "each column its own name (SELECT a.id AS id_a, b.id AS id_b ...)",
                False,
            ),
            "syntax": (
                f"the query on {where} is not valid SQL: {reason}; fix the query",
                False,
            ),
            "permission": (
                f"`{user}` may not read {self._label} on {where}: {reason}; ask the source's "
                "administrator to grant SELECT",
                False,
            ),
            "host": (
                f"the host of {where} is not known: {reason}; check the host name in the URL",
                False,
            ),
            "unreachable": (
                f"cannot reach {where}: {reason}; check that the server runs and that the "
                "network lets the IOC through; the sync will retry",
                True,
            ),
            "timeout": (
                f"{where} did not answer within {timeout:g} s: {reason}; the server may be "
                "busy or a firewall may drop the traffic; the sync will retry",
                True,
            ),
            "busy": (
                f"{where} cannot serve the read now: {reason}; the sync will retry",
                True,
            ),
            "dropped": (
                f"the connection to {where} was lost while reading {self._label}{after}: "
                f"{reason}; the sync will retry",
                True,
            ),
        }
        message, transient = messages.get(
            failure.kind,
            (
                f"{where} refused to read {self._label}: {reason}; check the source's "
                "settings and the query",
                False,
            ),
        )
        return SourceError(message, transient=transient)


def _without_read_timeout(conn: sa.Connection) -> None:
    """A streamed read may wait longer than timeout_s for its first rows (the server sorting
    a large table); PyMySQL has no public way to change the read timeout it connected with."""
    driver: Any = conn.connection.driver_connection
    if hasattr(driver, "_read_timeout"):
        driver._read_timeout = None


def _forget_lost_stream(cursor: Any) -> None:
    """PyMySQL's streaming cursor, once its connection is lost, still tries to read the rest
    of the result when it is closed or collected, and fails noisily from a finalizer; tell
    it that nothing is left to read."""
    pending = getattr(cursor, "_result", None)
    if pending is not None and getattr(pending, "unbuffered_active", False):
        pending.unbuffered_active = False


def _mysql_session(dbapi_connection: Any, _record: Any) -> None:
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET SESSION TRANSACTION READ ONLY")
        # The server gives up on a client that takes longer than this between two reads of
        # a streamed result (default 60 s); a sync may validate a batch for longer.
        cursor.execute("SET SESSION net_write_timeout = 600")


def _csv_chunks(copy: psycopg.Copy, limit: int) -> Iterator[tuple[bytes, int]]:
    """The CSV text of ``limit`` rows at a time, and how many rows it holds."""
    buffer, rows = io.BytesIO(), 0
    for row in copy:
        # libpq hands over one data row per message, so messages count rows.
        buffer.write(row)
        rows += 1
        if rows == limit:
            yield buffer.getvalue(), rows
            buffer, rows = io.BytesIO(), 0
    if rows:
        yield buffer.getvalue(), rows


# -- PostgreSQL result types ----------------------------------------------------------------

_PG_TYPES: dict[int, pa.DataType] = {
    16: pa.bool_(),
    20: pa.int64(),
    21: pa.int16(),
    23: pa.int32(),
    26: pa.int64(),  # oid
    700: pa.float32(),
    701: pa.float64(),
    1082: pa.date32(),
    1083: pa.time64("us"),
    1114: pa.timestamp("us"),
    1184: pa.timestamp("us", tz="UTC"),
}
_PG_NUMERIC = 1700


def _pg_arrow_type(column: Any) -> pa.DataType:
    """The Arrow type of a result column from its PostgreSQL type; types without an Arrow
    counterpart (uuid, json, interval, arrays, bytea...) come as their text form."""
    if column.type_code == _PG_NUMERIC:
        precision, scale = column.precision, column.scale
        if precision is None:
            # NUMERIC without a declared precision has no fixed scale for an Arrow decimal.
            return pa.float64()
        if precision <= 38:
            return pa.decimal128(precision, scale or 0)
        return pa.decimal256(precision, scale or 0) if precision <= 76 else pa.string()
    return _PG_TYPES.get(column.type_code, pa.string())


# -- error classification -------------------------------------------------------------------

# PostgreSQL SQLSTATE (or its class, the first two characters) to a kind of failure.
_PG_STATES = {
    "28": "login",
    "3D": "database",
    "42P01": "table",
    "3F000": "table",
    "42703": "column",
    "42601": "syntax",
    "42501": "permission",
    "08": "dropped",
    "57P01": "dropped",
    "57P02": "dropped",
    "57P03": "busy",
    "53": "busy",
    "57014": "timeout",
    "40001": "busy",
    "40P01": "busy",
    "55P03": "busy",
}
# MySQL / MariaDB error numbers.
_MYSQL_CODES = {
    **dict.fromkeys((1045, 1698, 1251, 1524, 1862), "login"),
    1049: "database",
    **dict.fromkeys((1146, 1051), "table"),
    1054: "column",
    1060: "twice",
    **dict.fromkeys((1064, 1149), "syntax"),
    **dict.fromkeys((1044, 1142, 1143, 1227), "permission"),
    **dict.fromkeys((2003, 2002), "unreachable"),
    2005: "host",
    **dict.fromkeys((2006, 2013, 2014, 2055, 1927, 1053, 1317, 4031), "dropped"),
    **dict.fromkeys((1158, 1159, 1160, 1161), "dropped"),
    **dict.fromkeys((1040, 1203, 1205, 1213, 1969, 3024), "busy"),
}
# Messages of connection failures, which carry no SQLSTATE, in the order they are tried.
_MESSAGES = (
    (
        "login",
        r"password authentication failed|role \S+ does not exist|not permitted to log in"
        r"|no pg_hba\.conf entry|authentication failed|no password supplied|access denied",
    ),
    (
        "database",
        r"database \S+ does not exist|unable to open database file"
        r"|file is not a database|unknown database",
    ),
    ("table", r"no such table|relation \S+ does not exist"),
    ("column", r"no such column|column \S+ does not exist"),
    ("syntax", r"syntax error"),
    (
        "busy",
        r"shutting down|starting up|in recovery mode"
        r"|too many clients|too many connections|remaining connection slots|database is locked",
    ),
    (
        "host",
        r"name or service not known|nodename nor servname|failed to resolve host"
        r"|could not translate host name|no address associated|unknown host",
    ),
    ("timeout", r"timeout expired|timed out"),
    (
        "unreachable",
        r"connection refused|no route to host|network is unreachable|host is unreachable"
        r"|can't connect|temporary failure in name resolution",
    ),
    (
        "dropped",
        r"server closed the connection|terminating connection|connection reset"
        r"|broken pipe|consuming input failed|ssl syscall|connection (?:is )?(?:lost|closed)"
        r"|lost connection|gone away",
    ),
)


def _classify(exc: Exception) -> _Failure:
    """What went wrong, from the driver's error (unwrapped from SQLAlchemy's)."""
    if isinstance(exc, NoSuchTableError):
        return _Failure("table", f"no table `{exc}`")
    original = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    reason = _reason(original)
    text = str(original).lower()

    code = original.args[0] if original.args else None
    if isinstance(code, int) and code in _MYSQL_CODES:
        kind = _MYSQL_CODES[code]
        if code == 2003 or code == 2013:
            # One number for refused, timed out and unknown host: the message tells them apart.
            kind = _from_message(text) or kind
        return _Failure(kind, reason)

    state = getattr(original, "sqlstate", None)
    if isinstance(state, str) and not isinstance(code, int):
        by_state = _PG_STATES.get(state) or _PG_STATES.get(state[:2])
        if by_state:
            return _Failure(by_state, reason)

    by_message = _from_message(text)
    if by_message:
        return _Failure(by_message, reason)
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return _Failure("dropped", reason)
    return _Failure("other", reason)


def _from_message(text: str) -> str | None:
    for kind, pattern in _MESSAGES:
        if re.search(pattern, text):
            return kind
    return None


def _reason(exc: BaseException) -> str:
    """The driver's message, first line, without libpq's preamble."""
    args = exc.args
    if len(args) == 2 and isinstance(args[0], int) and isinstance(args[1], str):
        text = f"{args[1]} (error {args[0]})"  # PyMySQL: (number, message)
    else:
        text = _first_line(exc)
    text = re.sub(r"^connection failed: ", "", text)
    text = re.sub(r"^connection to server at .*?, port \d+ failed: ", "", text)
    return re.sub(r"^(?:FATAL|ERROR):\s+", "", text).strip() or type(exc).__name__


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0].strip() if lines else type(exc).__name__


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:_NAMES_SHOWN])
    more = len(names) - _NAMES_SHOWN
    return shown + (f" (and {more} more)" if more > 0 else "")
