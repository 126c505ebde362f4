"""A sync run: read a source, map and check its rows, and load them in one commit.

    run = run_sync(ctx, source_id, trigger="manual", user="dulieu")

Each run is recorded in the operational store (``SyncRun``) from its start, so the
connection monitor shows it while it reads. The rows go to a staging database and reach
the warehouse in one transaction (``warehouse.merge``): a run killed at any point leaves
the warehouse as it was, and the next run starts over. Transient source errors (a timeout,
a dropped connection) are retried with back-off inside the run; terminal ones (a wrong
password, a missing table) fail it at once with the source's message.

Invariant of every committed run: rows read = rows loaded + rows quarantined.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from queue import Empty, Full, Queue
from typing import Any

import pyarrow as pa
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from noivu_ioc.catalog import Entity, catalog
from noivu_ioc.errors import ConflictError, IOCError, NotFoundError
from noivu_ioc.ingest import events
from noivu_ioc.ingest.connectors import BindingView, Read, SourceView, connector_for
from noivu_ioc.ingest.mapping import Mapping
from noivu_ioc.ingest.readers.base import (
    Batch,
    SourceError,
    decode_cursor,
    encode_cursor,
    later_cursor,
)
from noivu_ioc.ingest.validate import ADMIN_REF, Checked, check_batch
from noivu_ioc.ledger import records as ledger_records
from noivu_ioc.settings import Settings
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import PushBatch, Source, SyncRun, as_utc, utcnow
from noivu_ioc.store.secrets import SecretBox
from noivu_ioc.warehouse import Warehouse, merge
from noivu_ioc.warehouse import quarantine as wq

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=30)
ITEM_KINDS = ("file", "push")  # sources read item by item (files, pushed batches)
LEASE_RENEW_SECONDS = 60.0

DUPLICATE_REASON = (
    "key {key} appears {count} times with different values in this delivery ({positions}); "
    "the source must send one row per key: correct the right row and replay it, dismiss the "
    "others"
)


def this_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class IngestContext:
    """What a run needs: the two stores, the settings and the key of the credentials."""

    store: OpStore
    warehouse: Warehouse
    settings: Settings
    box: SecretBox
    worker: str = field(default_factory=this_worker)
    # Waits between attempts after a transient error; the run fails after the last.
    retry_delays: tuple[float, ...] = (2.0, 10.0, 30.0)


@dataclass
class _BindingTally:
    read: int = 0
    staged: int = 0
    rejected: int = 0
    cursor: Any = None
    notes: list[str] = field(default_factory=list)
    conversions: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    items: list[str] = field(default_factory=list)
    item_errors: dict[str, str] = field(default_factory=dict)
    new_columns: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RunOutcome:
    state: str
    read: int
    loaded: int
    quarantined: int
    deleted: int
    detail: dict[str, Any]
    error: str | None = None


# -- the run's record ---------------------------------------------------------------------


def claim_lease(session: Session, source_id: int, worker: str) -> None:
    """Take the source for this worker, or ``ConflictError`` if another holds it."""
    now = utcnow()
    claimed = session.execute(  # type: ignore[attr-defined]
        update(Source)
        .where(
            Source.id == source_id,
            or_(
                Source.lease_until.is_(None),
                Source.lease_until < now,
                Source.lease_owner == worker,
            ),
        )
        .values(lease_owner=worker, lease_until=now + LEASE)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        source = session.get(Source, source_id)
        holder = source.lease_owner if source else "?"
        raise ConflictError(
            f"a sync of source {source.name if source else source_id} is already running "
            f"(held by {holder}); wait for it to finish, it shows on the connection monitor"
        )


def release_lease(session: Session, source_id: int, worker: str) -> None:
    session.execute(
        update(Source)
        .where(Source.id == source_id, Source.lease_owner == worker)
        .values(lease_owner=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )


def start_run(
    ctx: IngestContext, source_id: int, trigger: str, user: str | None
) -> tuple[int, SourceView]:
    """Claim the source and record a running run; returns its id and the source."""
    with ctx.store.session() as session:
        source = session.get(Source, source_id)
        if source is None:
            raise NotFoundError(f"there is no source {source_id}")
        if not source.bindings:
            raise ConflictError(
                f"source {source.name} has no table bound to a catalog entity yet; bind one "
                "and confirm its mapping first"
            )
        claim_lease(session, source_id, ctx.worker)
        run = SyncRun(
            source_id=source_id,
            trigger=trigger,
            triggered_by=user,
            state="running",
            worker=ctx.worker,
            started_at=utcnow(),
            attempts=1,
        )
        session.add(run)
        session.flush()
        source.requested_at = None
        source.requested_by = None
        view = SourceView.of(source, ctx.box.open(source.secret), ctx.settings, ctx.store)
        return run.id, view


def run_sync(
    ctx: IngestContext,
    source_id: int,
    *,
    trigger: str = "manual",
    user: str | None = None,
    allow_mass_delete: bool = False,
    replay_ids: list[int] | None = None,
) -> SyncRun:
    """Run one sync (or one replay of quarantine entries) of a source to its end and
    return its record."""
    run_id, view = start_run(ctx, source_id, trigger, user)
    log.info("sync of %s started (run %s, %s)", view.name, run_id, trigger)
    started = time.perf_counter()
    outcome: RunOutcome
    attempts = 0
    transient: bool | None = None
    while True:
        attempts += 1
        try:
            outcome = _attempt(ctx, view, run_id, allow_mass_delete, replay_ids, user)
            break
        except SourceError as exc:
            if exc.transient and attempts <= len(ctx.retry_delays):
                delay = ctx.retry_delays[attempts - 1]
                log.warning(
                    "sync of %s (run %s), attempt %s: %s; retrying in %.0f s",
                    view.name,
                    run_id,
                    attempts,
                    exc.message,
                    delay,
                )
                _note_attempt(ctx, run_id, attempts + 1, exc.message)
                time.sleep(delay)
                continue
            transient = exc.transient
            outcome = RunOutcome("failed", 0, 0, 0, 0, {}, exc.message)
            break
        except merge.MassDeleteError as exc:
            transient = False
            outcome = RunOutcome("failed", 0, 0, 0, 0, {"mass_delete": True}, exc.message)
            break
        except IOCError as exc:
            transient = False
            outcome = RunOutcome("failed", 0, 0, 0, 0, {}, exc.message)
            break
        except Exception as exc:
            log.exception("sync of %s (run %s) failed unexpectedly", view.name, run_id)
            transient = False
            outcome = RunOutcome(
                "failed",
                0,
                0,
                0,
                0,
                {},
                f"unexpected error ({type(exc).__name__}: {exc}); it has been logged",
            )
            break
    seconds = time.perf_counter() - started
    run = finish_run(ctx, view, run_id, outcome, attempts, transient, seconds)
    if outcome.state == "failed":
        log.warning("sync of %s (run %s) failed: %s", view.name, run_id, outcome.error)
    else:
        log.info(
            "sync of %s (run %s) %s: %s read, %s loaded, %s quarantined, %s deleted in %.1f s",
            view.name,
            run_id,
            outcome.state,
            outcome.read,
            outcome.loaded,
            outcome.quarantined,
            outcome.deleted,
            seconds,
        )
    return run


def _note_attempt(ctx: IngestContext, run_id: int, attempts: int, error: str) -> None:
    with ctx.store.session() as session:
        run = session.get(SyncRun, run_id)
        if run is not None:
            run.attempts = attempts
            run.error = f"retrying after: {error}"
            run.error_transient = True


def finish_run(
    ctx: IngestContext,
    view: SourceView,
    run_id: int,
    outcome: RunOutcome,
    attempts: int,
    transient: bool | None,
    seconds: float,
) -> SyncRun:
    """Record the run's end, the source's health and its next run, and raise the events
    of a change of health."""
    now = utcnow()
    with ctx.store.session() as session:
        run = session.get(SyncRun, run_id)
        source = session.get(Source, view.id)
        assert run is not None and source is not None
        run.state = outcome.state
        run.finished_at = now
        run.attempts = attempts
        run.rows_read = outcome.read
        run.rows_loaded = outcome.loaded
        run.rows_quarantined = outcome.quarantined
        run.rows_deleted = outcome.deleted
        run.error = outcome.error
        run.error_transient = transient if outcome.state == "failed" else None
        run.detail = {**outcome.detail, "seconds": round(seconds, 3)}

        before = source.health
        source.last_run_id = run_id
        if outcome.state == "failed":
            source.consecutive_failures += 1
            source.health = "failing" if transient else "failed"
            backoff = min(2**source.consecutive_failures, 60)
            minutes = (
                min(source.schedule_minutes or backoff, backoff)
                if transient
                else (source.schedule_minutes)
            )
            source.next_run_at = now + timedelta(minutes=minutes) if minutes else None
            events.source_failed(session, source, run, before)
        else:
            source.consecutive_failures = 0
            source.last_success_at = now
            source.health = "ok" if outcome.state == "succeeded" else "partial"
            source.next_run_at = (
                now + timedelta(minutes=source.schedule_minutes)
                if source.schedule_minutes
                else None
            )
            events.source_recovered(session, source, run, before)
        release_lease(session, view.id, ctx.worker)
        session.flush()
        session.expunge(run)
    return run


# -- one attempt --------------------------------------------------------------------------


def _attempt(
    ctx: IngestContext,
    view: SourceView,
    run_id: int,
    allow_mass_delete: bool,
    replay_ids: list[int] | None,
    user: str | None,
) -> RunOutcome:
    staging = merge.Staging(ctx.warehouse, run_id)
    try:
        if replay_ids is not None:
            tallies = _stage_replay(ctx, view, staging, replay_ids)
        else:
            tallies = _stage_reads(ctx, view, staging, run_id)
        return _commit(ctx, view, staging, run_id, tallies, allow_mass_delete, replay_ids, user)
    finally:
        staging.close()


def _entity_of(binding: BindingView) -> Entity:
    try:
        return catalog().entity(binding.entity)
    except KeyError:
        raise SourceError(
            f"binding {binding.name} names entity `{binding.entity}`, which is not in the "
            "catalog; bind it to one of the data dictionary's entities"
        ) from None


def _stage_reads(
    ctx: IngestContext, view: SourceView, staging: merge.Staging, run_id: int
) -> dict[int, _BindingTally]:
    stored = merge.cursors(ctx.warehouse, view.id)
    connector = connector_for(view.kind)
    tallies: dict[int, _BindingTally] = {}
    renewed = time.monotonic()
    for binding in view.bindings:
        entity = _entity_of(binding)
        mapping = Mapping.model_validate(binding.mapping)
        tally = tallies.setdefault(binding.id, _BindingTally())
        since = decode_cursor(stored.get(binding.id)) if view.mode == "incremental" else None
        reads = list(connector.reads(view, binding))
        done = merge.consumed_items(
            ctx.warehouse, view.id, [r.item for r in reads if r.item is not None]
        )
        for read in reads:
            if read.item is not None and read.item in done:
                continue
            try:
                _stage_one(staging, entity, mapping, binding, read, since, tally)
            except SourceError as exc:
                if read.item is None or exc.transient:
                    raise
                # One bad file must not hold back the others: its error is recorded and
                # it is tried again on the next run, since it was not consumed.
                tally.item_errors[read.label] = exc.message
                log.warning("sync of %s: %s: %s", view.name, read.label, exc.message)
                continue
            if read.item is not None:
                tally.items.append(read.item)
            if time.monotonic() - renewed > LEASE_RENEW_SECONDS:
                _renew_lease(ctx, view.id)
                renewed = time.monotonic()
    return tallies


def _stage_one(
    staging: merge.Staging,
    entity: Entity,
    mapping: Mapping,
    binding: BindingView,
    read: Read,
    since: Any,
    tally: _BindingTally,
) -> None:
    """Read one reader's batches into the staging database. The batches of an item (a
    file, a push batch) are held until the item is read whole, so that an item that fails
    half-way leaves nothing behind and can be skipped."""
    mapped_columns = {c for fm in mapping.fields.values() for c in fm.source_columns}
    held: list[tuple[Batch, Checked]] = []
    for batch in prefetched(read.reader.read(since)):
        checked = check_batch(entity, mapping, batch.table, batch.positions, binding.id)
        for column in batch.table.column_names:
            if column not in mapped_columns and column not in tally.new_columns:
                tally.new_columns.append(column)
        if read.item is None:
            _stage_checked(staging, entity, binding, batch, checked, tally)
        else:
            held.append((batch, checked))
    for batch, checked in held:
        _stage_checked(staging, entity, binding, batch, checked, tally)


_DONE = object()


def prefetched(batches: Iterator[Batch], depth: int = 2) -> Iterator[Batch]:
    """The reader's batches, read one or two ahead in a thread of their own, so that the
    next batch is parsed (pyarrow and the drivers release the GIL) while this one is
    checked. The reader's errors come out where its batch would have."""
    queue: Queue[object] = Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for batch in batches:
                while not stop.is_set():
                    try:
                        queue.put(batch, timeout=0.1)
                        break
                    except Full:
                        continue
                if stop.is_set():
                    return
            queue.put(_DONE)
        except BaseException as exc:  # handed to the consumer, raised there
            queue.put(exc)

    worker = threading.Thread(target=produce, name="ioc-read", daemon=True)
    worker.start()
    try:
        while True:
            item = queue.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        while worker.is_alive():
            with contextlib.suppress(Empty):
                queue.get(timeout=0.1)
        close = getattr(batches, "close", None)
        if close is not None and not worker.is_alive():
            close()


def _stage_checked(
    staging: merge.Staging,
    entity: Entity,
    binding: BindingView,
    batch: Batch,
    checked: Checked,
    tally: _BindingTally,
) -> None:
    staging.append(entity, binding.id, checked.rows, checked.positions)
    staging.reject(checked.rejects)
    tally.read += batch.table.num_rows
    tally.staged += checked.rows.num_rows
    tally.rejected += checked.rejects.num_rows
    tally.cursor = later_cursor(tally.cursor, batch.cursor)
    tally.notes.extend(batch.notes)
    for name, count in checked.conversions.items():
        tally.conversions[name] += count
    log.debug(
        "batch of %s: %s rows, %s rejected",
        binding.name,
        batch.table.num_rows,
        checked.rejects.num_rows,
    )


def _stage_replay(
    ctx: IngestContext, view: SourceView, staging: merge.Staging, replay_ids: list[int]
) -> dict[int, _BindingTally]:
    """Check the chosen pending quarantine entries again, with their corrections and the
    binding's current mapping."""
    chosen = [e for e in wq.entries(ctx.warehouse, replay_ids) if e.status == "pending"]
    bindings = {b.id: b for b in view.bindings}
    tallies: dict[int, _BindingTally] = {}
    groups: dict[tuple[int, str], list[wq.Entry]] = defaultdict(list)
    for entry in chosen:
        if entry.source_id != view.id:
            raise ConflictError(
                f"quarantine entry {entry.id} belongs to another source; replay it from there"
            )
        if entry.binding_id not in bindings:
            raise ConflictError(
                f"quarantine entry {entry.id} came through a binding that no longer exists; "
                "dismiss it or bind the table again"
            )
        groups[(entry.binding_id, entry.raw_kind)].append(entry)
    for (binding_id, raw_kind), group in groups.items():
        binding = bindings[binding_id]
        entity = _entity_of(binding)
        mapping = Mapping.model_validate(binding.mapping)
        names: dict[str, None] = {}
        for entry in group:
            names.update(dict.fromkeys(entry.raw))
        table = pa.table({n: pa.array([e.raw.get(n) for e in group], pa.string()) for n in names})
        positions = pa.array([e.position for e in group], pa.string())
        qids = pa.array([e.id for e in group], pa.int64())
        checked = check_batch(
            entity,
            mapping,
            table,
            positions,
            binding_id,
            raw_kind=raw_kind,
            quarantine_ids=qids,
        )
        staging.append(entity, binding_id, checked.rows, checked.positions, checked.quarantine_ids)
        staging.reject(checked.rejects)
        tally = tallies.setdefault(binding_id, _BindingTally())
        tally.read += len(group)
        tally.staged += checked.rows.num_rows
        tally.rejected += checked.rejects.num_rows
    return tallies


def _ref_checks(entity: Entity) -> tuple[merge.RefCheck, ...]:
    checks = []
    for f in entity.fields:
        if not f.ref or f.ref == ADMIN_REF:
            continue
        target_id, _, target_field = f.ref.partition(".")
        target = catalog().entity(target_id)
        checks.append(
            merge.RefCheck(
                f.name,
                target_id,
                target_field,
                f"{f.name} ({f.label_vi}): `{{value}}` is not a {target.label_vi.lower()} "
                f"({target_id}) in the warehouse or in this delivery; load it first or "
                "correct the value, then replay",
            )
        )
    return tuple(checks)


def _commit(
    ctx: IngestContext,
    view: SourceView,
    staging: merge.Staging,
    run_id: int,
    tallies: dict[int, _BindingTally],
    allow_mass_delete: bool,
    replay_ids: list[int] | None,
    user: str | None,
) -> RunOutcome:
    bindings = {b.id: b for b in view.bindings}
    entities: dict[str, Entity] = {}
    for binding_id in tallies:
        entity = _entity_of(bindings[binding_id])
        entities[entity.id] = entity
    if replay_ids is None:
        for binding in view.bindings:
            entity = _entity_of(binding)
            entities.setdefault(entity.id, entity)
    replay = replay_ids is not None
    snapshot = view.mode == "snapshot" and not replay
    any_item_error = any(t.item_errors for t in tallies.values())
    # What this run holds a whole snapshot of. A table read whole is one, even empty; for
    # files and push batches, only what a new item delivered: no new file is no news,
    # not an empty export. Nothing is deleted when some item could not be read.
    delivered = set()
    if not any_item_error:
        for binding in view.bindings:
            tally = tallies.get(binding.id)
            if view.kind not in ITEM_KINDS or (tally is not None and tally.items):
                delivered.add(binding.entity)
    if any_item_error and not any(t.items for t in tallies.values()):
        # Nothing could be read at all: that is a failed run, not a partial one.
        raise SourceError(
            "; ".join(
                f"{label}: {msg}" for t in tallies.values() for label, msg in t.item_errors.items()
            )
        )
    plan = merge.CommitPlan(
        source_id=view.id,
        run_id=run_id,
        description=f"{'replay' if replay else 'sync'} of {view.name} (run {run_id})",
        entities=tuple(
            merge.EntityPlan(e, snapshot and e.id in delivered, _ref_checks(e))
            for e in entities.values()
        ),
        duplicate_reason=DUPLICATE_REASON,
        cursors={
            b: encode_cursor(t.cursor)
            for b, t in tallies.items()
            if view.mode == "incremental" and t.cursor is not None
        },
        items=tuple(i for t in tallies.values() for i in t.items),
        max_delete_share=view.max_delete_share,
        allow_mass_delete=allow_mass_delete,
        replay=replay,
        user=user,
        read=sum(t.read for t in tallies.values()),
        staged=sum(t.staged for t in tallies.values()),
        track=tuple(e for e in entities if e in ledger_records.TRACKED),
    )
    result = merge.commit_run(ctx.warehouse, staging, plan)
    ledgered = _record_in_ledger(ctx, result, plan)
    read, staged = plan.read, plan.staged
    loaded = staged - result.rejected_at_commit
    if read != loaded + result.quarantined:
        # The invariant is the sync's promise; a breach is a defect, said loudly.
        log.error(
            "run %s of %s: %s read but %s loaded and %s quarantined",
            run_id,
            view.name,
            read,
            loaded,
            result.quarantined,
        )
    detail = {
        "bindings": {
            bindings[b].name: {
                "entity": bindings[b].entity,
                "read": t.read,
                "rejected_at_check": t.rejected,
                "notes": t.notes,
                "conversions": dict(t.conversions),
                "items": len(t.items),
                "item_errors": t.item_errors,
                "unmapped_columns": t.new_columns,
            }
            for b, t in tallies.items()
        },
        "entities": {
            e: {
                "inserted": o.inserted,
                "updated": o.updated,
                "deleted": o.deleted,
                "rejected_at_commit": o.rejected,
            }
            for e, o in result.entities.items()
        },
        "load_id": result.load_id,
        "commit_seconds": round(result.seconds, 3),
    }
    if ledgered is not None:
        detail["ledger"] = ledgered
    if any_item_error and snapshot:
        detail["notes"] = ["deletions were not detected because some files could not be read"]
    state = "partial" if any_item_error else "succeeded"
    errors = [f"{label}: {msg}" for t in tallies.values() for label, msg in t.item_errors.items()]
    _mark_push_batches(ctx, plan.items, run_id)
    return RunOutcome(
        state,
        read,
        loaded,
        result.quarantined,
        result.deleted,
        detail,
        "; ".join(errors) or None,
    )


def _record_in_ledger(
    ctx: IngestContext, result: merge.CommitResult, plan: merge.CommitPlan
) -> dict[str, Any] | None:
    """Append the personnel records the commit changed to the ledger. The warehouse has
    committed already: a failure here is reported with the run, not a failed run, and the
    missing entries are appended by ``ioc ledger verify --records --repair``."""
    table = result.changes.get(ledger_records.ENTITY)
    if table is None:
        return None
    log.info("run %s: recording %s personnel changes in the ledger", plan.run_id, table.num_rows)
    try:
        appended = ledger_records.record_commit(
            ctx.store,
            table,
            load_id=result.load_id,
            run_id=plan.run_id,
            origin="replay" if plan.replay else "sync",
        )
    except Exception as exc:
        log.exception("run %s: the ledger could not record its personnel changes", plan.run_id)
        return {
            "error": f"the ledger could not record the {table.num_rows} personnel changes "
            f"({type(exc).__name__}: {exc}); `ioc ledger verify --records --repair` appends them"
        }
    return {"entries": appended}


def _mark_push_batches(ctx: IngestContext, items: tuple[str, ...], run_id: int) -> None:
    ids = [int(i.removeprefix("push:")) for i in items if i.startswith("push:")]
    if not ids:
        return
    with ctx.store.session() as session:
        session.execute(
            update(PushBatch).where(PushBatch.id.in_(ids)).values(state="loaded", run_id=run_id)
        )


def _renew_lease(ctx: IngestContext, source_id: int) -> None:
    with ctx.store.session() as session:
        session.execute(
            update(Source)
            .where(Source.id == source_id, Source.lease_owner == ctx.worker)
            .values(lease_until=utcnow() + LEASE)
            .execution_options(synchronize_session=False)
        )


# -- after a crash ------------------------------------------------------------------------


def _worker_alive(worker: str | None) -> bool:
    """Whether a worker of this machine still runs; workers elsewhere are asked through
    their lease instead."""
    if not worker:
        return False
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _repair_ledger(ctx: IngestContext, load_id: int) -> None:
    """A process that died after its commit may not have appended its personnel changes to
    the ledger: append what the load left missing."""
    try:
        ledger_records.reconcile(ctx.store, ctx.warehouse, load_id=load_id, repair=True)
    except Exception:
        log.exception("load %s: could not check its personnel records against the ledger", load_id)


def reconcile(ctx: IngestContext) -> list[int]:
    """Close the runs that a dead process left 'running': 'succeeded' if the warehouse
    holds their commit (the process died before it could report), 'interrupted' if not
    (nothing of them was loaded). Returns the ids of the runs closed."""
    closed: list[int] = []
    committed: list[int] = []  # loads of personnel records whose runs did commit
    now = utcnow()
    with ctx.store.session() as session:
        running = session.scalars(select(SyncRun).where(SyncRun.state == "running")).all()
        for run in running:
            source = session.get(Source, run.source_id)
            if run.worker == ctx.worker:
                continue
            lease_expired = (
                source is None
                or source.lease_until is None
                or as_utc(source.lease_until) < now
                or source.lease_owner != run.worker
            )
            if _worker_alive(run.worker) and not lease_expired:
                continue
            load = merge.committed_load(ctx.warehouse, run.id)
            if load is not None:
                counts = json.loads(str(load["rows_json"]))
                run.state = "succeeded"
                run.rows_quarantined = int(counts.get("quarantined", 0))
                run.rows_read = int(counts.get("read", 0))
                run.rows_loaded = int(counts.get("loaded", 0))
                run.error = "the process ended before reporting; figures from the warehouse"
                if ledger_records.ENTITY in counts.get("entities", {}):
                    committed.append(int(str(load["load_id"])))
            else:
                run.state = "interrupted"
                run.error = (
                    "the process running this sync stopped before it committed; nothing of "
                    "it was loaded, the next run starts over"
                )
            run.finished_at = now
            if source is not None and source.lease_owner == run.worker:
                source.lease_owner = None
                source.lease_until = None
                if source.next_run_at is None and source.schedule_minutes:
                    source.next_run_at = now
            closed.append(run.id)
            log.warning("run %s of source %s closed as %s", run.id, run.source_id, run.state)
    for load_id in committed:
        _repair_ledger(ctx, load_id)
    return closed
