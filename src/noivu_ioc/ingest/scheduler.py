"""The in-process scheduler: runs due and requested syncs, watches freshness, and keeps the
MQTT listeners of the server process.

Every few seconds (or at once when woken by "sync now" or a push), it looks for sources
whose schedule is due or that someone asked to sync, and runs each in a worker thread. A
run claims its source's lease in the operational store first, so that with several server
processes sharing one PostgreSQL store a source is synced by one of them at a time. At
start it closes the runs a dead process left open (``sync.reconcile``).
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from sqlalchemy import or_, select

from noivu_ioc.errors import ConflictError
from noivu_ioc.ingest import events
from noivu_ioc.ingest.sources import is_stale
from noivu_ioc.ingest.sync import IngestContext, reconcile, run_sync
from noivu_ioc.store.models import Source, as_utc, utcnow

if TYPE_CHECKING:
    from noivu_ioc.ingest.streams import StreamHub

log = logging.getLogger(__name__)

PULL_KINDS = ("sql", "file", "rest", "push")


class Scheduler:
    def __init__(self, ctx: IngestContext, *, tick_seconds: float = 5.0, workers: int = 2) -> None:
        self.ctx = ctx
        self.tick_seconds = tick_seconds
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ioc-sync")
        self._workers = workers
        self._in_flight: dict[int, Future[object]] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.streams: StreamHub | None = None

    def start(self) -> None:
        from noivu_ioc.ingest.streams import StreamHub

        self.streams = StreamHub(self.ctx)
        self._thread = threading.Thread(target=self._loop, name="ioc-scheduler", daemon=True)
        self._thread.start()
        log.info("scheduler started (%s workers, every %.0f s)", self._workers, self.tick_seconds)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop picking new work, let running syncs finish and close the listeners."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self.streams is not None:
            self.streams.stop_all()
        log.info("scheduler stopped")

    def wake(self) -> None:
        """Look for work now (after "sync now" or a pushed batch)."""
        self._wake.set()

    def running(self) -> set[int]:
        with self._lock:
            return {sid for sid, f in self._in_flight.items() if not f.done()}

    def _loop(self) -> None:
        try:
            reconcile(self.ctx)
        except Exception:
            log.exception("could not reconcile the runs left open")
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:
                log.exception("scheduler tick failed; trying again at the next one")
            self._wake.wait(self.tick_seconds)
            self._wake.clear()

    def tick(self) -> None:
        """One pass: start due syncs, check freshness, keep the listeners."""
        self._start_due()
        self._check_freshness()
        if self.streams is not None:
            self.streams.keep(self._stream_sources())

    def _start_due(self) -> None:
        now = utcnow()
        with self.ctx.store.session() as session:
            due = session.scalars(
                select(Source)
                .where(
                    Source.enabled.is_(True),
                    Source.kind.in_(PULL_KINDS),
                    or_(Source.requested_at.is_not(None), Source.next_run_at <= now),
                )
                .order_by(Source.requested_at.is_(None), Source.next_run_at)
            ).all()
            candidates = [
                (s.id, "manual" if s.requested_at else "schedule", s.requested_by)
                for s in due
                if s.bindings and all(b.confirmed_at is not None for b in s.bindings)
            ]
        for source_id, trigger, user in candidates:
            with self._lock:
                busy = {sid for sid, f in self._in_flight.items() if not f.done()}
                if source_id in busy or len(busy) >= self._workers:
                    continue
                self._in_flight[source_id] = self._pool.submit(self._run, source_id, trigger, user)

    def _run(self, source_id: int, trigger: str, user: str | None) -> None:
        try:
            run_sync(self.ctx, source_id, trigger=trigger, user=user)
        except ConflictError as exc:
            log.debug("source %s not run: %s", source_id, exc.message)
        except Exception:
            log.exception("sync of source %s could not run", source_id)
        finally:
            self._wake.set()

    def _check_freshness(self) -> None:
        """A source late against its agreed interval turns stale, once."""
        now = utcnow()
        with self.ctx.store.session() as session:
            watched = session.scalars(
                select(Source).where(
                    Source.enabled.is_(True), Source.freshness_minutes.is_not(None)
                )
            ).all()
            for source in watched:
                stale, _ = is_stale(source, now)
                if stale and source.health not in ("stale", "failed", "failing"):
                    since = source.last_success_at or source.created_at
                    late = int((now - as_utc(since)).total_seconds() // 60)
                    events.source_stale(session, source, late - int(source.freshness_minutes or 0))
                    source.health = "stale"

    def _stream_sources(self) -> list[int]:
        with self.ctx.store.session() as session:
            return list(
                session.scalars(
                    select(Source.id).where(Source.enabled.is_(True), Source.kind == "mqtt")
                )
            )
