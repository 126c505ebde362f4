"""The scheduler of the server process: it runs due and requested syncs, once per source
even with two schedulers on one store, closes runs a dead process left open, and turns a
source late against its agreed interval stale with one event."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from noivu_ioc.ingest import sources as svc
from noivu_ioc.ingest.scheduler import Scheduler
from noivu_ioc.ingest.sync import IngestContext
from noivu_ioc.store.models import Event, Source, SyncRun, utcnow
from tests.ingest.factories import (
    ORGANISATION_MAPPING,
    ingest_context,
    organisations,
    principal,
    push_records,
    push_source,
)
from tests.ingest.mqtt_broker import wait_until


@pytest.fixture
def ctx(tmp_path: Path, store_url: str) -> Iterator[IngestContext]:
    context = ingest_context(tmp_path, store_url)
    yield context
    context.warehouse.close()
    context.store.dispose()


def _aware(value: datetime) -> datetime:
    # SQLite gives naive datetimes back; they are UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _runs(ctx: IngestContext, source_id: int) -> list[SyncRun]:
    with ctx.store.session() as session:
        found = session.scalars(
            select(SyncRun).where(SyncRun.source_id == source_id).order_by(SyncRun.id)
        ).all()
        for r in found:
            session.expunge(r)
        return list(found)


def test_a_requested_sync_runs_once_with_two_schedulers(ctx: IngestContext) -> None:
    source_id, _ = push_source(ctx, "to-chuc", "religious_organisation", ORGANISATION_MAPPING)
    push_records(ctx, source_id, organisations())
    other = IngestContext(ctx.store, ctx.warehouse, ctx.settings, ctx.box, worker="host-b:2")
    first, second = Scheduler(ctx, tick_seconds=0.1), Scheduler(other, tick_seconds=0.1)
    first.start()
    second.start()
    try:
        with ctx.store.session() as session:
            svc.request_sync(session, principal(ctx), "to-chuc")
        first.wake()
        second.wake()
        wait_until(
            lambda: [r.state for r in _runs(ctx, source_id)] == ["succeeded"],
            "one run of the requested sync",
        )
        for scheduler in (first, second):
            scheduler.tick()
    finally:
        first.stop()
        second.stop()

    runs = _runs(ctx, source_id)
    assert [(r.state, r.trigger, r.triggered_by, r.rows_loaded) for r in runs] == [
        ("succeeded", "manual", "dulieu", 3)
    ]
    with ctx.store.session() as session:
        source = session.get(Source, source_id)
        assert source is not None and source.requested_at is None


def test_a_due_source_runs_on_its_schedule(ctx: IngestContext) -> None:
    source_id, _ = push_source(ctx, "to-chuc", "religious_organisation", ORGANISATION_MAPPING)
    push_records(ctx, source_id, organisations())
    with ctx.store.session() as session:
        session.execute(
            update(Source)
            .where(Source.id == source_id)
            .values(schedule_minutes=60, next_run_at=utcnow() - timedelta(minutes=1))
        )
    scheduler = Scheduler(ctx, tick_seconds=0.1)
    scheduler.start()
    try:
        wait_until(
            lambda: [r.state for r in _runs(ctx, source_id)] == ["succeeded"], "the scheduled run"
        )
    finally:
        scheduler.stop()

    (run,) = _runs(ctx, source_id)
    assert run.trigger == "schedule"
    with ctx.store.session() as session:
        source = session.get(Source, source_id)
        assert source is not None and source.next_run_at is not None
        assert _aware(source.next_run_at) > utcnow() + timedelta(minutes=50)


def test_a_late_source_turns_stale_with_one_event(ctx: IngestContext) -> None:
    source_id, _ = push_source(ctx, "to-chuc", "religious_organisation", ORGANISATION_MAPPING)
    push_records(ctx, source_id, organisations())
    scheduler = Scheduler(ctx)
    from noivu_ioc.ingest.sync import run_sync

    run_sync(ctx, source_id)
    with ctx.store.session() as session:
        session.execute(
            update(Source)
            .where(Source.id == source_id)
            .values(freshness_minutes=60, last_success_at=utcnow() - timedelta(hours=3))
        )

    scheduler.tick()
    scheduler.tick()

    with ctx.store.session() as session:
        source = session.get(Source, source_id)
        assert source is not None and source.health == "stale"
        events = session.scalars(
            select(Event).where(Event.source_id == source_id, Event.kind == "source.stale")
        ).all()
        assert len(events) == 1
        assert events[0].severity == "warning"
        assert events[0].payload is not None and events[0].payload["minutes_late"] >= 119
    with ctx.store.session() as session:
        status = svc.status_of(ctx, session, svc.get_source(session, principal(ctx), "to-chuc"))
        assert (status.health, status.fresh) == ("stale", False)

    # A new success brings it back, and says so.
    push_records(ctx, source_id, organisations())
    run_sync(ctx, source_id)
    with ctx.store.session() as session:
        kinds = list(
            session.scalars(
                select(Event.kind).where(Event.source_id == source_id).order_by(Event.id)
            )
        )
        assert kinds == ["source.stale", "source.recovered"]
