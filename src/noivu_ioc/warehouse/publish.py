"""Publish the warehouse's sector tables to a PostgreSQL schema.

For a ministry that runs its indicators, reports or BI tools on PostgreSQL: the tables are
created with PostgreSQL types and filled by ``COPY`` from Arrow batches (CSV in memory), in
one transaction per publication, so readers of the schema see the previous copy or the new
one. The indicator engine runs the same definitions there (``indicators.engine.
PostgresEngine``).
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass

import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv

from noivu_ioc.catalog import Entity, FieldType, catalog
from noivu_ioc.errors import ConfigurationError
from noivu_ioc.warehouse.store import Warehouse, quote

log = logging.getLogger(__name__)

_PG_TYPES = {
    FieldType.STRING: "text",
    FieldType.CODE: "text",
    FieldType.INTEGER: "bigint",
    FieldType.DECIMAL: "double precision",
    FieldType.DATE: "date",
    FieldType.TIMESTAMP: "timestamp",
    FieldType.BOOLEAN: "boolean",
}

BATCH_ROWS = 200_000


@dataclass(frozen=True, slots=True)
class Publication:
    schema: str
    rows: dict[str, int]
    seconds: float


def _ddl(entity: Entity, schema: str) -> str:
    columns = ", ".join(f"{quote(f.name)} {_PG_TYPES[f.type]}" for f in entity.fields)
    return f"CREATE TABLE {quote(schema)}.{quote(entity.id)} ({columns})"


def publish_to_postgres(
    warehouse: Warehouse,
    url: str,
    schema: str = "ioc_warehouse",
    entities: Iterable[str] | None = None,
) -> Publication:
    """Replace ``schema``'s copies of the sector tables with the warehouse's current rows."""
    chosen = [
        e
        for e in catalog().entities
        if (entities is None or e.id in set(entities)) and warehouse.has_table(e.id)
    ]
    started = time.perf_counter()
    rows: dict[str, int] = {}
    dsn = url.replace("postgresql+psycopg://", "postgresql://", 1)
    try:
        conn = psycopg.connect(dsn)
    except psycopg.OperationalError as exc:
        raise ConfigurationError(
            f"cannot reach PostgreSQL at {dsn.split('@')[-1]} to publish the warehouse: {exc}"
        ) from None
    with conn:
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(schema)}")
        for entity in chosen:
            conn.execute(f"DROP TABLE IF EXISTS {quote(schema)}.{quote(entity.id)}")
            conn.execute(_ddl(entity, schema))
            names = ", ".join(quote(f.name) for f in entity.fields)
            copied = 0
            with warehouse.cursor() as cur:
                reader = cur.sql(f"SELECT {names} FROM {quote(entity.id)}").to_arrow_reader(
                    BATCH_ROWS
                )
                target = f"{quote(schema)}.{quote(entity.id)}"
                copy_sql = f"COPY {target} ({names}) FROM STDIN (FORMAT csv)"
                with conn.cursor() as pg, pg.copy(copy_sql) as copy:
                    for batch in reader:
                        buffer = io.BytesIO()
                        pacsv.write_csv(
                            pa.Table.from_batches([batch]),
                            buffer,
                            pacsv.WriteOptions(include_header=False, quoting_style="needed"),
                        )
                        copy.write(buffer.getvalue())
                        copied += batch.num_rows
            rows[entity.id] = copied
    seconds = time.perf_counter() - started
    log.info(
        "published %d tables (%d rows) to PostgreSQL schema %s in %.1f s",
        len(rows),
        sum(rows.values()),
        schema,
        seconds,
    )
    return Publication(schema, rows, seconds)
