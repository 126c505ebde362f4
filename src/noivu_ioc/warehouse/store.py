"""DuckDB implementation of the warehouse.

DuckDB allows one writing process per file. The server process owns the file; loads run
inside one transaction, so readers see either the previous load or the new one, whole.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from noivu_ioc.catalog import Entity, FieldType, catalog
from noivu_ioc.errors import ConfigurationError, StoreUnavailableError

log = logging.getLogger(__name__)

_SQL_TYPES = {
    FieldType.STRING: "VARCHAR",
    FieldType.CODE: "VARCHAR",
    FieldType.INTEGER: "BIGINT",
    FieldType.DECIMAL: "DOUBLE",
    FieldType.DATE: "DATE",
    FieldType.TIMESTAMP: "TIMESTAMP",
    FieldType.BOOLEAN: "BOOLEAN",
}

LOAD_TABLE = "_load"

# Tables the warehouse keeps beside the sector data. ``_quarantine`` holds the rows a sync
# rejected, ``_source_state`` each binding's cursor and ``_source_item`` the files and push
# batches already loaded: they live here, not in the operational store, so that they commit
# in the same transaction as the rows they describe.
_SYSTEM_DDL = (
    f"CREATE TABLE IF NOT EXISTS {LOAD_TABLE} (load_id BIGINT PRIMARY KEY, "
    "kind VARCHAR NOT NULL, description VARCHAR, started_at TIMESTAMP NOT NULL, "
    "finished_at TIMESTAMP, rows_json VARCHAR)",
    f"ALTER TABLE {LOAD_TABLE} ADD COLUMN IF NOT EXISTS source_id INTEGER",
    f"ALTER TABLE {LOAD_TABLE} ADD COLUMN IF NOT EXISTS run_id BIGINT",
    "CREATE SEQUENCE IF NOT EXISTS _quarantine_id",
    "CREATE TABLE IF NOT EXISTS _quarantine (id BIGINT NOT NULL, source_id INTEGER NOT NULL, "
    "binding_id INTEGER, run_id BIGINT NOT NULL, entity VARCHAR NOT NULL, "
    "position VARCHAR NOT NULL, key_text VARCHAR, raw VARCHAR NOT NULL, "
    "raw_kind VARCHAR NOT NULL, reasons VARCHAR NOT NULL, status VARCHAR NOT NULL, "
    "attempts INTEGER NOT NULL, created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL, "
    "resolved_at TIMESTAMP, resolved_by VARCHAR, resolved_run_id BIGINT, edited_by VARCHAR)",
    "CREATE TABLE IF NOT EXISTS _source_state (source_id INTEGER NOT NULL, "
    "binding_id INTEGER NOT NULL, cursor VARCHAR, run_id BIGINT NOT NULL, "
    "updated_at TIMESTAMP NOT NULL)",
    "CREATE TABLE IF NOT EXISTS _source_item (source_id INTEGER NOT NULL, item VARCHAR NOT NULL, "
    "run_id BIGINT NOT NULL, loaded_at TIMESTAMP NOT NULL)",
)


@dataclass(frozen=True, slots=True)
class LoadSummary:
    load_id: int
    rows: dict[str, int]
    seconds: float


def quote(identifier: str) -> str:
    """A table or column name for SQL; only catalog-style names are accepted."""
    if not identifier.replace("_", "").isalnum():
        raise ValueError(f"{identifier!r} is not a valid identifier")
    return f'"{identifier}"'


def column_ddl(entity: Entity) -> str:
    cols = [f"{quote(f.name)} {_SQL_TYPES[f.type]}" for f in entity.fields]
    cols.append('"_load_id" BIGINT NOT NULL')
    # The source whose sync wrote the row (NULL for generated data): deletion detection of
    # a snapshot only ever removes rows its own source delivered.
    cols.append('"_source_id" INTEGER')
    return ", ".join(cols)


class Warehouse:
    """A connection to the warehouse, safe to share between threads."""

    def __init__(self, path: Path | None, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        target = ":memory:" if path is None else str(path)
        if path is not None and not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = duckdb.connect(target, read_only=read_only)
        except (duckdb.IOException, duckdb.ConnectionException) as exc:
            raise StoreUnavailableError(
                f"cannot open the warehouse file {target}: {exc}. Another IOC process may "
                "hold it for writing; stop it, or point IOC_WAREHOUSE_URL to another file"
            ) from None
        # One writer at a time inside this process; DuckDB itself allows one process.
        self.write_lock = threading.Lock()
        # A counter per entity, moved by every committed load that changed it: cached
        # indicator results remember the counters they were computed at (see indicators).
        self._generations: dict[str, int] = {}
        self._any_generation = 0
        self._tables: set[str] = set()  # main tables known to exist (see has_table)
        if not read_only:
            self._upgrade_schema()

    def _upgrade_schema(self) -> None:
        """Create the system tables, and add the columns that later versions need to tables
        an earlier version created."""
        with self.cursor() as cur:
            for statement in _SYSTEM_DDL:
                cur.execute(statement)
            existing = {
                row[0]
                for row in cur.execute(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = 'main' AND table_catalog = current_database()"
                ).fetchall()
            }
            for entity in catalog().entities:
                if entity.id in existing:
                    cur.execute(
                        f"ALTER TABLE {quote(entity.id)} "
                        'ADD COLUMN IF NOT EXISTS "_source_id" INTEGER'
                    )

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of the shared connection, for the warehouse package's own modules."""
        cur = self._conn.cursor()
        try:
            yield cur
        finally:
            cur.close()

    _cursor = cursor

    # -- reading -------------------------------------------------------------------------

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Run a read query with positional ``?`` parameters; rows as dicts."""
        with self._cursor() as cur:
            rel = cur.execute(sql, list(params))
            names = [d[0] for d in rel.description or ()]
            return [dict(zip(names, row, strict=True)) for row in rel.fetchall()]

    def query_arrow(self, sql: str, params: Sequence[Any] = ()) -> pa.Table:
        with self._cursor() as cur:
            return cur.sql(sql, params=list(params)).to_arrow_table()

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self._cursor() as cur:
            rows = cur.execute(sql, list(params)).fetchall()
            return rows[0][0] if rows else None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one writing statement (the caller holds ``write_lock``); rows changed."""
        with self._cursor() as cur:
            rows = cur.execute(sql, list(params)).fetchall()
        self.mark_changed(None)
        return int(rows[0][0]) if rows else 0

    def mark_changed(self, entities: Iterable[str] | None) -> None:
        """Say that a commit changed these entities' tables (None: any table, unknown which)."""
        if entities is None:
            self._any_generation += 1
            return
        for entity in entities:
            self._generations[entity] = self._generations.get(entity, 0) + 1

    def generations(self, entities: Iterable[str]) -> tuple[int, ...]:
        """The change counters of these entities, to tell whether a cached result is current."""
        return (self._any_generation, *(self._generations.get(e, 0) for e in entities))

    @property
    def changes(self) -> int:
        """How many changes were committed since this process opened the warehouse."""
        return self._any_generation + sum(self._generations.values())

    def has_table(self, name: str) -> bool:
        # A main table, once there, stays (a rebuild drops and creates it in one
        # transaction), so a yes is remembered: the catalog lookup costs more than a
        # one-row read. A no is asked again, since another process may create the table.
        if name in self._tables:
            return True
        found = bool(
            self.scalar(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = ? "
                "AND table_schema = 'main' AND table_catalog = current_database()",
                [name],
            )
        )
        if found:
            self._tables.add(name)
        return found

    def count(self, entity_id: str) -> int:
        if not self.has_table(entity_id):
            return 0
        return int(self.scalar(f"SELECT count(*) FROM {quote(entity_id)}"))

    def loads(self, limit: int = 20) -> list[dict[str, Any]]:
        return self.query(f"SELECT * FROM {LOAD_TABLE} ORDER BY load_id DESC LIMIT ?", [limit])

    # -- writing -------------------------------------------------------------------------

    def replace_all(
        self,
        entities: Sequence[Entity],
        batches: Iterable[tuple[str, pa.Table]],
        description: str,
    ) -> LoadSummary:
        """Recreate the given entities' tables from ``batches`` in one transaction.

        ``batches`` yields (entity id, Arrow table) pairs; an entity may come in several
        batches, which are appended in order. Readers see the old tables until commit.
        """
        by_id = {e.id: e for e in entities}
        started = time.perf_counter()
        rows: dict[str, int] = dict.fromkeys(by_id, 0)
        with self.write_lock, self._cursor() as cur:
            next_id = cur.execute(
                f"SELECT coalesce(max(load_id), 0) + 1 FROM {LOAD_TABLE}"
            ).fetchall()
            load_id = int(next_id[0][0]) if next_id else 1
            cur.execute("BEGIN TRANSACTION")
            try:
                cur.execute(
                    f"INSERT INTO {LOAD_TABLE} (load_id, kind, description, started_at) "
                    "VALUES (?, 'replace', ?, ?)",
                    [load_id, description, datetime.now(UTC).replace(tzinfo=None)],
                )
                for e in entities:
                    cur.execute(f"DROP TABLE IF EXISTS {quote(e.id)}")
                    cur.execute(f"CREATE TABLE {quote(e.id)} ({column_ddl(e)})")
                for entity_id, table in batches:
                    entity = by_id.get(entity_id)
                    if entity is None:
                        raise ValueError(f"batch for {entity_id!r}, which is not being loaded")
                    self._insert(cur, entity, table, load_id)
                    rows[entity_id] += table.num_rows
                    log.debug("loaded %s rows into %s", table.num_rows, entity_id)
                cur.execute(
                    f"UPDATE {LOAD_TABLE} SET finished_at = ?, rows_json = ? WHERE load_id = ?",
                    [datetime.now(UTC).replace(tzinfo=None), _json(rows), load_id],
                )
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
        self.mark_changed(by_id)
        seconds = time.perf_counter() - started
        log.info("load %s: %s rows in %.1f s", load_id, sum(rows.values()), seconds)
        return LoadSummary(load_id, rows, seconds)

    def _insert(
        self, cur: duckdb.DuckDBPyConnection, entity: Entity, table: pa.Table, load_id: int
    ) -> None:
        missing = [n for n in entity.field_names if n not in table.column_names]
        extra = [n for n in table.column_names if n not in entity.field_names]
        if missing or extra:
            raise ValueError(
                f"batch for {entity.id} does not match the catalog: missing {missing}, "
                f"unexpected {extra}"
            )
        cur.register("_incoming", table)
        try:
            cur.execute(
                f"INSERT INTO {quote(entity.id)} BY NAME "
                "SELECT *, ?::BIGINT AS _load_id FROM _incoming",
                [load_id],
            )
        finally:
            cur.unregister("_incoming")


def _json(value: object) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def open_warehouse(url: str, read_only: bool = False) -> Warehouse:
    """Open the warehouse named by a URL: ``duckdb:///absolute/path`` or ``duckdb://:memory:``."""
    if not url.startswith("duckdb://"):
        raise ConfigurationError(
            f"IOC_WAREHOUSE_URL={url!r} is not supported; use duckdb:///path/to/file.duckdb "
            "(other warehouse backends come through this same setting later)"
        )
    rest = url.removeprefix("duckdb://")
    if rest in ("", ":memory:", "/:memory:"):
        return Warehouse(None, read_only=read_only)
    return Warehouse(Path(rest), read_only=read_only)
