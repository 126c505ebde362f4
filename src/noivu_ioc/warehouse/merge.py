"""How a sync run's rows reach the warehouse: staged outside the sector tables while the
run reads, then merged in one transaction.

A run keeps its checked rows (and the rows it rejected) as Arrow tables in memory while the
source is read, so the sector tables are untouched until the end. ``commit_run`` then hands
them to DuckDB without copying and, holding the write lock:

1. finds keys that the run delivered twice with different values, and rows whose
   references (a training record's person, an award's agency) are neither in the warehouse
   nor in this run, and sets them aside as rejects (in temporary tables only);
2. in ONE transaction on the main database: detects the rows a snapshot no longer
   contains, upserts the staged rows by natural key, files the rejects in ``_quarantine``,
   stores the cursors and the items consumed, and records the load.

A process killed at any moment therefore leaves the warehouse as it was before the run or
with the whole run in it, never a part: DuckDB discards an uncommitted transaction when the
file is opened again, and the staged rows lived only in the process's memory. (Known limit:
a run's rows must fit in memory; 2.5 million personnel dossiers take about 2 GiB.)
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from noivu_ioc.catalog import Entity, FieldType, catalog
from noivu_ioc.errors import IOCError
from noivu_ioc.warehouse.store import LOAD_TABLE, Warehouse, column_ddl, quote

log = logging.getLogger(__name__)

# Columns the staging tables carry beside the entity's fields.
BINDING = "_binding_id"
POSITION = "_pos"
SEQUENCE = "_seq"
QUARANTINE_ID = "_qid"

REJECT_SCHEMA = pa.schema(
    [
        ("binding_id", pa.int32()),
        ("entity", pa.string()),
        ("position", pa.string()),
        ("key_text", pa.string()),
        ("raw", pa.string()),  # JSON object of the row's values as text
        ("raw_kind", pa.string()),  # "source": source columns; "mapped": catalog fields
        ("reasons", pa.string()),  # JSON list of messages
        ("qid", pa.int64()),  # the quarantine entry a replayed row came from
    ]
)


class MassDeleteError(IOCError):
    """A snapshot lacks so many of the rows its source delivered before that the run looks
    like a broken export rather than real deletions; nothing was changed."""

    code = "mass_delete"


@dataclass(frozen=True, slots=True)
class RefCheck:
    """A field whose value must exist in another entity's field (in the warehouse or in this
    run). ``reason`` is the message for a failing row, with ``{value}`` in it."""

    field: str
    target_entity: str
    target_field: str
    reason: str


@dataclass(frozen=True, slots=True)
class EntityPlan:
    entity: Entity
    snapshot: bool  # rows of this source absent from the run are deleted
    refs: tuple[RefCheck, ...] = ()


@dataclass(frozen=True, slots=True)
class CommitPlan:
    source_id: int
    run_id: int
    description: str
    entities: tuple[EntityPlan, ...]
    # The message for keys delivered twice with different values: {key}, {count} and
    # {positions} are filled in.
    duplicate_reason: str
    cursors: dict[int, str | None] = field(default_factory=dict)  # binding id -> cursor
    items: tuple[str, ...] = ()  # files or push batches this run consumed
    max_delete_share: float = 0.5
    allow_mass_delete: bool = False
    # Replays load corrected quarantine entries: no deletions, no cursor.
    replay: bool = False
    user: str | None = None
    # What the run read and staged, recorded with the load so that a run whose process
    # died after the commit can be reported from the warehouse alone.
    read: int = 0
    staged: int = 0
    # Entities whose row changes the result lists (the ledger records personnel records').
    track: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EntityOutcome:
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    rejected: int = 0  # moved to quarantine at commit (duplicates, missing references)


@dataclass(frozen=True, slots=True)
class CommitResult:
    load_id: int
    entities: dict[str, EntityOutcome]
    quarantined: int  # every reject of the run filed, validation's and the commit's
    seconds: float
    # Per tracked entity, the rows the commit inserted, changed or deleted: the new values
    # (only the key of a deleted row), ``_op`` (insert, update, delete) and ``_changed`` (the
    # fields whose values differ). Rows delivered again unchanged are not in it.
    changes: dict[str, pa.Table] = field(default_factory=dict)

    @property
    def rejected_at_commit(self) -> int:
        return sum(o.rejected for o in self.entities.values())

    @property
    def deleted(self) -> int:
        return sum(o.deleted for o in self.entities.values())


def key_text_sql(entity: Entity, alias: str) -> str:
    """The key as text, the same way the validator writes it: values joined by ``|``."""
    return (
        "concat_ws('|', "
        + ", ".join(f"CAST({alias}.{quote(k)} AS VARCHAR)" for k in entity.key)
        + ")"
    )


class Staging:
    """The rows of one run, held as Arrow tables until the run commits."""

    def __init__(self, warehouse: Warehouse, run_id: int) -> None:
        self.warehouse = warehouse
        self.run_id = run_id
        self._rows: dict[str, list[pa.Table]] = {}
        self._entities: dict[str, Entity] = {}
        self._rejects: list[pa.Table] = []
        self.set_aside: dict[str, int] = {}  # entity id -> rows set aside at commit
        self._next_seq = 0
        self.rows = 0
        self.rejects = 0

    @property
    def entity_ids(self) -> tuple[str, ...]:
        return tuple(self._entities)

    def table(self, entity_id: str) -> str:
        """The name under which ``commit_run`` shows the entity's staged rows to SQL."""
        return quote(f"_stage_{self.run_id}_{entity_id}")

    @property
    def rejects_table(self) -> str:
        return quote(f"_stage_{self.run_id}_rejects")

    def append(
        self,
        entity: Entity,
        binding_id: int,
        rows: pa.Table,
        positions: pa.Array,
        quarantine_ids: pa.Array | None = None,
    ) -> None:
        """Add checked rows (the entity's fields, typed as the catalog says)."""
        if rows.num_rows == 0:
            return
        n = rows.num_rows
        extra = {
            BINDING: pa.repeat(pa.scalar(binding_id, pa.int32()), n),
            POSITION: positions.cast(pa.string()),
            SEQUENCE: pa.arange(self._next_seq, self._next_seq + n).cast(pa.int64()),
            QUARANTINE_ID: (
                quarantine_ids.cast(pa.int64())
                if quarantine_ids is not None
                else pa.nulls(n, pa.int64())
            ),
        }
        for name, column in extra.items():
            rows = rows.append_column(name, column)
        self._next_seq += n
        self._entities.setdefault(entity.id, entity)
        self._rows.setdefault(entity.id, []).append(rows)
        self.rows += n

    def reject(self, rejects: pa.Table) -> None:
        """Add rows that failed validation (``REJECT_SCHEMA``)."""
        if rejects.num_rows == 0:
            return
        self._rejects.append(rejects.select(REJECT_SCHEMA.names).cast(REJECT_SCHEMA))
        self.rejects += rejects.num_rows

    def staged(self, entity_id: str) -> pa.Table:
        entity = self._entities[entity_id]
        schema = pa.schema(
            [pa.field(f.name, _ARROW[f.type]) for f in entity.fields]
            + [
                pa.field(BINDING, pa.int32()),
                pa.field(POSITION, pa.string()),
                pa.field(SEQUENCE, pa.int64()),
                pa.field(QUARANTINE_ID, pa.int64()),
            ]
        )
        tables = [t.select(schema.names) for t in self._rows[entity_id]]
        if all(t.schema.equals(tables[0].schema) for t in tables):
            # One shape for all batches: no copy; DuckDB converts on insert.
            return pa.concat_tables(tables)
        return pa.concat_tables([t.cast(schema) for t in tables])

    def show(self, cur: duckdb.DuckDBPyConnection) -> None:
        """Make the staged rows and rejects visible to SQL on ``cur`` (no copy)."""
        for entity_id in self._entities:
            cur.register(self.table(entity_id).strip('"'), self.staged(entity_id))
        rejects = pa.concat_tables(self._rejects) if self._rejects else REJECT_SCHEMA.empty_table()
        cur.register(self.rejects_table.strip('"'), rejects)

    def add_rejects(self, rejects: pa.Table, cur: duckdb.DuckDBPyConnection) -> None:
        """Rejects found at commit: kept and shown to SQL again."""
        if rejects.num_rows:
            self._rejects.append(rejects.cast(REJECT_SCHEMA))
            self.rejects += rejects.num_rows
            cur.register(self.rejects_table.strip('"'), pa.concat_tables(self._rejects))

    def hide(self, cur: duckdb.DuckDBPyConnection) -> None:
        for entity_id in self._entities:
            cur.unregister(self.table(entity_id).strip('"'))
        cur.unregister(self.rejects_table.strip('"'))

    def close(self) -> None:
        self._rows.clear()
        self._rejects.clear()


_ARROW = {
    FieldType.STRING: pa.string(),
    FieldType.CODE: pa.string(),
    FieldType.INTEGER: pa.int64(),
    FieldType.DECIMAL: pa.float64(),
    FieldType.DATE: pa.date32(),
    FieldType.TIMESTAMP: pa.timestamp("us"),
    FieldType.BOOLEAN: pa.bool_(),
}


def commit_run(warehouse: Warehouse, staging: Staging, plan: CommitPlan) -> CommitResult:
    """Merge a run's staged rows into the warehouse (see the module's description)."""
    started = time.perf_counter()
    outcomes: dict[str, EntityOutcome] = {}
    changes: dict[str, pa.Table] = {}
    with warehouse.write_lock, warehouse.cursor() as cur:
        log.info(
            "run %s: checking %s staged rows for duplicates and references",
            plan.run_id,
            staging.rows,
        )
        for ep in plan.entities:
            _ensure_table(cur, ep.entity)
            for ref in ep.refs:
                _ensure_table(cur, catalog().entity(ref.target_entity))
        staging.show(cur)
        aside = {ep.entity.id: _reject_at_commit(cur, staging, ep, plan) for ep in plan.entities}
        moved = {entity_id: count for entity_id, (count, _) in aside.items()}

        load_id = _count(cur, f"SELECT coalesce(max(load_id), 0) + 1 FROM {LOAD_TABLE}")
        now = _utc_now()
        log.info("run %s: writing to the warehouse in one transaction", plan.run_id)
        _run(cur, "BEGIN TRANSACTION")
        try:
            for ep in plan.entities:
                count, repeated = aside[ep.entity.id]
                outcomes[ep.entity.id] = _merge_entity(
                    cur, staging, ep, plan, load_id, count, repeated, now, changes
                )
            quarantined = _file_rejects(cur, staging, plan, now)
            _record_state(cur, plan, now)
            counts = {
                entity_id: {
                    "inserted": o.inserted,
                    "updated": o.updated,
                    "deleted": o.deleted,
                    "rejected_at_commit": o.rejected,
                }
                for entity_id, o in outcomes.items()
            }
            _run(
                cur,
                f"INSERT INTO {LOAD_TABLE} (load_id, kind, description, started_at, "
                "finished_at, rows_json, source_id, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    load_id,
                    "replay" if plan.replay else "sync",
                    plan.description,
                    now,
                    _utc_now(),
                    json.dumps(
                        {
                            "entities": counts,
                            "read": plan.read,
                            "loaded": plan.staged - sum(moved.values()),
                            "quarantined": quarantined,
                        }
                    ),
                    plan.source_id,
                    plan.run_id,
                ],
            )
            _run(cur, "COMMIT")
        except BaseException:
            _run(cur, "ROLLBACK")
            raise
        finally:
            staging.hide(cur)
    warehouse.mark_changed(
        e for e, o in outcomes.items() if o.inserted or o.updated or o.deleted
    )
    seconds = time.perf_counter() - started
    result = CommitResult(load_id, outcomes, quarantined, seconds, changes)
    log.info(
        "run %s committed as load %s: %s inserted, %s updated, %s deleted, %s quarantined "
        "in %.2f s",
        plan.run_id,
        load_id,
        sum(o.inserted for o in outcomes.values()),
        sum(o.updated for o in outcomes.values()),
        result.deleted,
        quarantined,
        seconds,
    )
    return result


def _run(cur: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()) -> None:
    """Run a statement to its end (DuckDB keeps a result open until it is fetched)."""
    cur.execute(sql, list(params)).fetchall()


def _count(cur: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()) -> int:
    """The single number a statement returns (a count, or the rows a DML statement hit)."""
    rows = cur.execute(sql, list(params)).fetchall()
    return int(rows[0][0]) if rows and rows[0][0] is not None else 0


def _ensure_table(cur: duckdb.DuckDBPyConnection, entity: Entity) -> None:
    _run(cur, f"CREATE TABLE IF NOT EXISTS main.{quote(entity.id)} ({column_ddl(entity)})")


def _key_match(entity: Entity, left: str, right: str) -> str:
    return " AND ".join(f"{left}.{quote(k)} = {right}.{quote(k)}" for k in entity.key)


def _mapped_json_sql(entity: Entity, alias: str) -> str:
    """The row's fields as a JSON object of text values, for a reject found at commit."""
    parts = ", ".join(
        f"{quote(f.name)} := CAST({alias}.{quote(f.name)} AS VARCHAR)" for f in entity.fields
    )
    return f"CAST(to_json(struct_pack({parts})) AS VARCHAR)"


def _moved(staging: Staging, entity: Entity) -> str:
    return quote(f"_moved_{staging.run_id}_{entity.id}")


def _kept(staging: Staging, entity: Entity) -> str:
    """The staged rows of the entity that were not set aside at commit (all of them, read
    straight from the staged Arrow, when none was)."""
    if not staging.set_aside.get(entity.id):
        return staging.table(entity.id)
    return (
        f"(SELECT s.* FROM {staging.table(entity.id)} s ANTI JOIN {_moved(staging, entity)} m "
        f"ON s.{SEQUENCE} = m.seq)"
    )


def _reject_at_commit(
    cur: duckdb.DuckDBPyConnection, staging: Staging, ep: EntityPlan, plan: CommitPlan
) -> tuple[int, bool]:
    """Set aside conflicting duplicates and rows with missing references as rejects.
    Returns how many rows were set aside, and whether identical repeats remain (loaded
    once). Writes temporary tables only, never the warehouse."""
    entity = ep.entity
    if entity.id not in staging.entity_ids:
        return 0, False
    table = staging.table(entity.id)
    moved_table = _moved(staging, entity)
    _run(cur, f"CREATE OR REPLACE TEMP TABLE {moved_table} (seq BIGINT)")
    keys = ", ".join(quote(k) for k in entity.key)
    fields = ", ".join(f"s.{quote(f.name)}" for f in entity.fields)
    moved = 0

    # Keys delivered more than once: identical copies are loaded once (at the upsert),
    # differing ones all go to quarantine, since nobody can tell which one the source meant.
    repeated = cur.execute(
        f"SELECT 1 FROM {table} GROUP BY {keys} HAVING count(*) > 1 LIMIT 1"
    ).fetchall()
    if repeated:
        _run(
            cur,
            f"CREATE OR REPLACE TEMP TABLE _dups AS SELECT {keys}, count(*) AS n, "
            f"count(DISTINCT hash({fields})) AS variants, "
            f"string_agg(s.{POSITION}, '; ' ORDER BY s.{SEQUENCE}) AS positions "
            f"FROM {table} s GROUP BY {keys} HAVING count(*) > 1",
        )
        key = key_text_sql(entity, "s")
        reason = (
            "replace(replace(replace(?, '{key}', " + key + "), '{count}', CAST(d.n AS VARCHAR)),"
            " '{positions}', d.positions)"
        )
        found = cur.sql(
            f"SELECT CAST(s.{BINDING} AS INTEGER) AS binding_id, ? AS entity, "
            f"s.{POSITION} AS position, {key} AS key_text, {_mapped_json_sql(entity, 's')} AS raw, "
            f"'mapped' AS raw_kind, CAST(to_json([{reason}]) AS VARCHAR) AS reasons, "
            f"s.{QUARANTINE_ID} AS qid, s.{SEQUENCE} AS seq FROM {table} s JOIN _dups d ON "
            f"{_key_match(entity, 's', 'd')} WHERE d.variants > 1",
            params=[entity.id, plan.duplicate_reason],
        ).to_arrow_table()
        moved += _set_aside(cur, staging, moved_table, found)

    # References: the target may be in the warehouse or arrive in this same run.
    if ep.refs:
        _run(cur, "CREATE OR REPLACE TEMP TABLE _ref_fail (seq BIGINT, reason VARCHAR)")
        for ref in ep.refs:
            target = catalog().entity(ref.target_entity)
            col, tcol = quote(ref.field), quote(ref.target_field)
            in_run = ""
            if target.id in staging.entity_ids:
                in_run = (
                    f" AND NOT EXISTS (SELECT 1 FROM {staging.table(target.id)} r "
                    f"WHERE r.{tcol} = s.{col})"
                )
            _run(
                cur,
                f"INSERT INTO _ref_fail SELECT s.{SEQUENCE}, replace(?, '{{value}}', "
                f"CAST(s.{col} AS VARCHAR)) FROM {_kept(staging, entity)} s WHERE s.{col} IS "
                f"NOT NULL AND NOT EXISTS (SELECT 1 FROM main.{quote(target.id)} t WHERE "
                f"t.{tcol} = s.{col}){in_run}",
                [ref.reason],
            )
        if _count(cur, "SELECT count(*) FROM _ref_fail"):
            found = cur.sql(
                f"SELECT CAST(s.{BINDING} AS INTEGER) AS binding_id, ? AS entity, "
                f"s.{POSITION} AS position, {key_text_sql(entity, 's')} AS key_text, "
                f"{_mapped_json_sql(entity, 's')} AS raw, 'mapped' AS raw_kind, "
                "CAST(to_json(f.reasons) AS VARCHAR) AS reasons, "
                f"s.{QUARANTINE_ID} AS qid, s.{SEQUENCE} AS seq FROM {table} s JOIN (SELECT seq, "
                "list(reason ORDER BY reason) AS reasons FROM _ref_fail GROUP BY seq) f "
                f"ON f.seq = s.{SEQUENCE}",
                params=[entity.id],
            ).to_arrow_table()
            moved += _set_aside(cur, staging, moved_table, found)
    return moved, bool(repeated)


def _set_aside(
    cur: duckdb.DuckDBPyConnection, staging: Staging, moved_table: str, found: pa.Table
) -> int:
    if found.num_rows == 0:
        return 0
    cur.register("_found_seq", found.select(["seq"]))
    try:
        _run(cur, f"INSERT INTO {moved_table} SELECT seq FROM _found_seq")
    finally:
        cur.unregister("_found_seq")
    staging.add_rejects(found.drop_columns(["seq"]), cur)
    entity_id = str(found.column("entity")[0])
    staging.set_aside[entity_id] = staging.set_aside.get(entity_id, 0) + found.num_rows
    return int(found.num_rows)


def _merge_entity(
    cur: duckdb.DuckDBPyConnection,
    staging: Staging,
    ep: EntityPlan,
    plan: CommitPlan,
    load_id: int,
    rejected: int,
    repeated: bool,
    now: datetime,
    changes: dict[str, pa.Table],
) -> EntityOutcome:
    entity = ep.entity
    target = f"main.{quote(entity.id)}"
    staged = entity.id in staging.entity_ids
    deleted = 0
    tracked: list[pa.Table] | None = [] if entity.id in plan.track else None

    if ep.snapshot and not plan.replay:
        present = (
            f"EXISTS (SELECT 1 FROM {staging.table(entity.id)} s "
            f"WHERE {_key_match(entity, 's', 't')})"
            if staged
            else "FALSE"
        )
        # A row that came but was rejected is not deleted at the source: keep it.
        rejected_keys = (
            f"{key_text_sql(entity, 't')} IN (SELECT key_text FROM {staging.rejects_table} "
            "WHERE entity = ? AND key_text IS NOT NULL)"
        )
        condition = f"t._source_id = ? AND NOT {present} AND NOT {rejected_keys}"
        params = [plan.source_id, entity.id]
        gone = _count(cur, f"SELECT count(*) FROM {target} t WHERE {condition}", params)
        before = _count(
            cur, f"SELECT count(*) FROM {target} WHERE _source_id = ?", [plan.source_id]
        )
        if gone > 10 and gone > plan.max_delete_share * before and not plan.allow_mass_delete:
            raise MassDeleteError(
                f"this snapshot of {entity.id} lacks {gone:,} of the {before:,} rows the source "
                f"delivered before ({gone / before:.0%}, above the limit of "
                f"{plan.max_delete_share:.0%}); nothing was changed. If the source really "
                "deleted them, run the sync again confirming the deletions; otherwise check "
                "the source's export"
            )
        if gone:
            if tracked is not None:
                tracked.append(_deleted_rows(cur, entity, target, condition, params))
            _run(cur, f"DELETE FROM {target} t WHERE {condition}", params)
        deleted = gone

    updated = inserted = 0
    if staged:
        kept = _kept(staging, entity)
        if tracked is not None:
            tracked.append(_changed_rows(cur, entity, target, kept, repeated))
        existing = _count(cur, f"SELECT count(*) FROM (SELECT 1 FROM {target} LIMIT 1)")
        if existing:
            updated = _count(
                cur, f"DELETE FROM {target} t USING {kept} s WHERE {_key_match(entity, 't', 's')}"
            )
        fields = ", ".join(quote(f.name) for f in entity.fields)
        keys = ", ".join(quote(k) for k in entity.key)
        # Identical repeats of a key are loaded once; without any, no sort is needed.
        source = (
            f"SELECT DISTINCT ON ({keys}) {fields}, ?, ? FROM {kept} ORDER BY {keys}, {SEQUENCE}"
            if repeated
            else f"SELECT {fields}, ?, ? FROM {kept}"
        )
        inserted_total = _count(
            cur,
            f"INSERT INTO {target} ({fields}, _load_id, _source_id) {source}",
            [load_id, plan.source_id],
        )
        inserted = inserted_total - updated
        # Pending quarantine entries of keys that have now arrived are out of date.
        pending = _count(
            cur,
            "SELECT count(*) FROM main._quarantine WHERE status = 'pending' AND source_id = ? "
            "AND entity = ?",
            [plan.source_id, entity.id],
        )
        if pending:
            _run(
                cur,
                "UPDATE main._quarantine SET status = 'superseded', updated_at = ?, "
                "resolved_at = ?, resolved_run_id = ? WHERE status = 'pending' AND source_id = ? "
                f"AND entity = ? AND key_text IN (SELECT {key_text_sql(entity, 's')} FROM "
                f"{kept} s) AND id NOT IN (SELECT {QUARANTINE_ID} FROM {kept} WHERE "
                f"{QUARANTINE_ID} IS NOT NULL)",
                [now, now, plan.run_id, plan.source_id, entity.id],
            )
        if plan.replay:
            _run(
                cur,
                "UPDATE main._quarantine SET status = 'replayed', updated_at = ?, "
                "resolved_at = ?, resolved_run_id = ?, resolved_by = ? WHERE id IN "
                f"(SELECT {QUARANTINE_ID} FROM {kept} WHERE {QUARANTINE_ID} IS NOT NULL)",
                [now, now, plan.run_id, plan.user],
            )
    if tracked:
        changes[entity.id] = pa.concat_tables(tracked, promote_options="default")
    return EntityOutcome(inserted, updated, deleted, rejected)


def _changed_rows(
    cur: duckdb.DuckDBPyConnection, entity: Entity, target: str, kept: str, repeated: bool
) -> pa.Table:
    """The staged rows that are new or differ from the stored ones, read before the upsert,
    with the names of the fields that differ."""
    keys = ", ".join(quote(k) for k in entity.key)
    source = (
        f"(SELECT DISTINCT ON ({keys}) * FROM {kept} ORDER BY {keys}, {SEQUENCE})"
        if repeated
        else kept
    )
    differs = {
        f.name: f"t.{quote(f.name)} IS DISTINCT FROM s.{quote(f.name)}" for f in entity.fields
    }
    names = ", ".join(f"CASE WHEN {test} THEN '{name}' END" for name, test in differs.items())
    absent = f"t.{quote(entity.key[0])} IS NULL"
    return cur.sql(
        f"SELECT {', '.join(f's.{quote(f.name)}' for f in entity.fields)}, "
        f"CASE WHEN {absent} THEN 'insert' ELSE 'update' END AS _op, [{names}] AS _changed "
        f"FROM {source} s LEFT JOIN {target} t ON {_key_match(entity, 's', 't')} "
        f"WHERE {absent} OR {' OR '.join(differs.values())}"
    ).to_arrow_table()


def _deleted_rows(
    cur: duckdb.DuckDBPyConnection,
    entity: Entity,
    target: str,
    condition: str,
    params: Sequence[object],
) -> pa.Table:
    keys = ", ".join(f"t.{quote(k)}" for k in entity.key)
    return cur.sql(
        f"SELECT {keys}, 'delete' AS _op, CAST([] AS VARCHAR[]) AS _changed FROM {target} t "
        f"WHERE {condition}",
        params=list(params),
    ).to_arrow_table()


def _file_rejects(
    cur: duckdb.DuckDBPyConnection, staging: Staging, plan: CommitPlan, now: datetime
) -> int:
    """Quarantine the run's rejects: replayed entries that fail again are updated in place,
    every other reject becomes a new pending entry."""
    rejects = staging.rejects_table
    total = _count(cur, f"SELECT count(*) FROM {rejects}")
    if not total:
        return 0
    if plan.replay:
        _run(
            cur,
            "UPDATE main._quarantine q SET reasons = r.reasons, raw = r.raw, "
            "raw_kind = r.raw_kind, attempts = q.attempts + 1, run_id = ?, updated_at = ?, "
            f"status = 'pending' FROM {rejects} r WHERE r.qid = q.id",
            [plan.run_id, now],
        )
    # A key rejected again supersedes its older pending entries: the steward fixes the
    # latest delivery, not every one before it.
    _run(
        cur,
        "UPDATE main._quarantine SET status = 'superseded', updated_at = ?, resolved_at = ?, "
        "resolved_run_id = ? WHERE status = 'pending' AND source_id = ? AND run_id <> ? AND "
        f"(entity, key_text) IN (SELECT entity, key_text FROM {rejects} WHERE qid IS NULL AND "
        f"key_text IS NOT NULL) AND id NOT IN (SELECT qid FROM {rejects} WHERE qid IS NOT NULL)",
        [now, now, plan.run_id, plan.source_id, plan.run_id],
    )
    _run(
        cur,
        "INSERT INTO main._quarantine SELECT nextval('_quarantine_id'), ?, r.binding_id, ?, "
        "r.entity, r.position, r.key_text, r.raw, r.raw_kind, r.reasons, 'pending', 1, ?, ?, "
        f"NULL, NULL, NULL, NULL FROM {rejects} r WHERE r.qid IS NULL",
        [plan.source_id, plan.run_id, now, now],
    )
    return total


def _record_state(cur: duckdb.DuckDBPyConnection, plan: CommitPlan, now: datetime) -> None:
    for binding_id, cursor in plan.cursors.items():
        _run(
            cur,
            "DELETE FROM main._source_state WHERE source_id = ? AND binding_id = ?",
            [plan.source_id, binding_id],
        )
        _run(
            cur,
            "INSERT INTO main._source_state VALUES (?, ?, ?, ?, ?)",
            [plan.source_id, binding_id, cursor, plan.run_id, now],
        )
    if plan.items:
        cur.executemany(
            "INSERT INTO main._source_item VALUES (?, ?, ?, ?)",
            [[plan.source_id, item, plan.run_id, now] for item in plan.items],
        )


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# -- what earlier runs left ------------------------------------------------------------------


def cursors(warehouse: Warehouse, source_id: int) -> dict[int, str | None]:
    """Each binding's stored cursor."""
    rows = warehouse.query(
        "SELECT binding_id, cursor FROM _source_state WHERE source_id = ?", [source_id]
    )
    return {int(r["binding_id"]): r["cursor"] for r in rows}


def consumed_items(warehouse: Warehouse, source_id: int, items: Sequence[str]) -> set[str]:
    """Which of these items (files, push batches) a committed run already loaded."""
    if not items:
        return set()
    marks = ", ".join("?" for _ in items)
    rows = warehouse.query(
        f"SELECT item FROM _source_item WHERE source_id = ? AND item IN ({marks})",
        [source_id, *items],
    )
    return {r["item"] for r in rows}


def committed_load(warehouse: Warehouse, run_id: int) -> dict[str, object] | None:
    """The load a run committed, if it did: how a run left 'running' by a crash is told
    apart from one that finished but could not report back."""
    rows = warehouse.query(f"SELECT * FROM {LOAD_TABLE} WHERE run_id = ?", [run_id])
    return rows[0] if rows else None


def source_rows(warehouse: Warehouse, source_id: int, entity_ids: Sequence[str]) -> dict[str, int]:
    """How many rows of each entity this source's syncs have in the warehouse."""
    counts: dict[str, int] = {}
    for entity_id in entity_ids:
        if warehouse.has_table(entity_id):
            counts[entity_id] = int(
                warehouse.scalar(
                    f"SELECT count(*) FROM {quote(entity_id)} WHERE _source_id = ?", [source_id]
                )
            )
        else:
            counts[entity_id] = 0
    return counts
