"""MQTT sources in the server process: one listener per enabled source, whose messages
become events (the alerts capability turns them into alerts) and whose malformed messages
go to quarantine.

A listener holds its source's lease, renewed by the scheduler's ticks, so that with several
server processes one of them listens. Each listening session is one run of the source
(trigger ``stream``), whose counts grow as messages arrive: the connection monitor shows it
like any other run. Delivery is at least once: after a crash between storing a batch and
acknowledging it, the broker sends it again and the events come twice.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from sqlalchemy import update

from noivu_ioc.errors import ConflictError, InvalidInputError
from noivu_ioc.ingest import events
from noivu_ioc.ingest.connectors import mqtt_config
from noivu_ioc.ingest.readers import mqtt
from noivu_ioc.ingest.sync import LEASE, IngestContext, claim_lease, release_lease
from noivu_ioc.store.models import Source, SyncRun, utcnow
from noivu_ioc.warehouse import quarantine as wq

log = logging.getLogger(__name__)

MESSAGE_ENTITY = "mqtt_message"  # what quarantine calls a rejected MQTT message


@dataclass
class _Listening:
    listener: mqtt.MqttListener
    run_id: int
    updated_at: object


class StreamHub:
    """The listeners of this process, kept in line with the enabled MQTT sources."""

    def __init__(self, ctx: IngestContext) -> None:
        self.ctx = ctx
        self._listening: dict[int, _Listening] = {}
        self._lock = threading.Lock()

    def keep(self, source_ids: list[int]) -> None:
        """Start listeners for these sources, stop the others, renew the leases."""
        wanted = set(source_ids)
        with self._lock:
            for source_id in list(self._listening):
                if source_id not in wanted:
                    self._stop(source_id)
            for source_id in wanted:
                current = self._listening.get(source_id)
                if current is not None and current.listener.state.phase == "failed":
                    self._stop(source_id, failed=current.listener.state.error)
                    current = None
                if current is None:
                    self._start(source_id)
                else:
                    self._renew(source_id, current)

    def stop_all(self) -> None:
        with self._lock:
            for source_id in list(self._listening):
                self._stop(source_id)

    def state(self, source_id: int) -> mqtt.ListenerState | None:
        current = self._listening.get(source_id)
        return current.listener.state if current else None

    def _start(self, source_id: int) -> None:
        with self.ctx.store.session() as session:
            source = session.get(Source, source_id)
            if source is None:
                return
            try:
                claim_lease(session, source_id, self.ctx.worker)
            except ConflictError:
                return  # another process listens
            try:
                config = mqtt_config(dict(source.config), self.ctx.box.open(source.secret))
            except InvalidInputError as exc:
                source.health = "failed"
                release_lease(session, source_id, self.ctx.worker)
                log.warning("MQTT source %s cannot start: %s", source.name, exc.message)
                return
            run = SyncRun(
                source_id=source_id,
                trigger="stream",
                state="running",
                worker=self.ctx.worker,
                started_at=utcnow(),
            )
            session.add(run)
            session.flush()
            run_id, updated = run.id, source.updated_at
            name = source.name
        listener = mqtt.MqttListener(config, self._sink(source_id, run_id))
        listener.start()
        self._listening[source_id] = _Listening(listener, run_id, updated)
        log.info("listening to MQTT source %s (run %s)", name, run_id)

    def _renew(self, source_id: int, current: _Listening) -> None:
        state = current.listener.state
        with self.ctx.store.session() as session:
            source = session.get(Source, source_id)
            if source is None:
                return
            if source.updated_at != current.updated_at:
                # Its settings changed: listen again with the new ones.
                self._stop(source_id)
                self._start(source_id)
                return
            session.execute(
                update(Source)
                .where(Source.id == source_id, Source.lease_owner == self.ctx.worker)
                .values(lease_until=utcnow() + LEASE)
                .execution_options(synchronize_session=False)
            )
            source.health = {"listening": "ok", "retrying": "failing"}.get(
                state.phase, source.health
            )
            if state.phase == "listening":
                source.last_success_at = utcnow()

    def _stop(self, source_id: int, failed: str | None = None) -> None:
        current = self._listening.pop(source_id, None)
        if current is None:
            return
        current.listener.stop()
        with self.ctx.store.session() as session:
            run = session.get(SyncRun, current.run_id)
            source = session.get(Source, source_id)
            if run is not None:
                run.state = "failed" if failed else "succeeded"
                run.error = failed
                run.error_transient = False if failed else None
                run.finished_at = utcnow()
            if source is not None:
                before = source.health
                source.last_run_id = current.run_id
                if failed and run is not None:
                    source.health = "failed"
                    events.source_failed(session, source, run, before)
            release_lease(session, source_id, self.ctx.worker)

    def _sink(self, source_id: int, run_id: int) -> mqtt.Sink:
        def store(found: list[mqtt.DeviceEvent], rejected: list[mqtt.RejectedMessage]) -> None:
            save_messages(self.ctx, source_id, run_id, found, rejected)

        return store


def save_messages(
    ctx: IngestContext,
    source_id: int,
    run_id: int,
    found: list[mqtt.DeviceEvent],
    rejected: list[mqtt.RejectedMessage],
    *,
    quarantine_ids: list[int] | None = None,
) -> None:
    """Store a listener's batch: the events in the operational store, the rejected messages
    in quarantine, and the counts on the session's run."""
    if rejected and quarantine_ids is None:
        wq.add_entries(ctx.warehouse, source_id, run_id, _rejects_table(rejected))
    with ctx.store.session() as session:
        source = session.get(Source, source_id)
        for e in found:
            events.record(
                session,
                kind="device",
                severity=e.severity,
                subject=e.device_id,
                admin_code=e.admin_code,
                source=source,
                message=f"{e.kind} {e.device_id}: {e.status or 'message'}",
                payload={
                    "kind": e.kind,
                    "status": e.status,
                    "topic": e.topic,
                    "values": _plain(e.values),
                    "position": e.position,
                },
                observed_at=e.observed_at,
            )
        run = session.get(SyncRun, run_id)
        if run is not None:
            run.rows_read += len(found) + len(rejected)
            run.rows_loaded += len(found)
            run.rows_quarantined += len(rejected)


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    """Values as JSON can hold them."""
    plain: dict[str, Any] = json.loads(json.dumps(values, ensure_ascii=False, default=str))
    return plain


def _rejects_table(rejected: list[mqtt.RejectedMessage]) -> pa.Table:
    return pa.table(
        {
            "entity": [MESSAGE_ENTITY] * len(rejected),
            "position": [r.position for r in rejected],
            "raw": [
                json.dumps({"topic": r.topic, "payload": r.raw_text}, ensure_ascii=False)
                for r in rejected
            ],
            "reasons": [json.dumps([r.reason], ensure_ascii=False) for r in rejected],
        }
    )


def replay_messages(
    ctx: IngestContext, source_id: int, entry_ids: list[int], user: str | None
) -> SyncRun:
    """Parse quarantined messages again (corrected, or with the source's new settings):
    those that now parse become events, the others stay with their new reason."""
    with ctx.store.session() as session:
        source = session.get(Source, source_id)
        assert source is not None
        config = mqtt_config(dict(source.config), ctx.box.open(source.secret))
        run = SyncRun(
            source_id=source_id,
            trigger="replay",
            triggered_by=user,
            state="running",
            worker=ctx.worker,
            started_at=utcnow(),
        )
        session.add(run)
        session.flush()
        run_id = run.id
    entries = [e for e in wq.entries(ctx.warehouse, entry_ids) if e.status == "pending"]
    found: list[mqtt.DeviceEvent] = []
    loaded: list[int] = []
    still: dict[int, str] = {}
    for entry in entries:
        topic = str(entry.raw.get("topic") or "")
        payload = str(entry.raw.get("payload") or "").encode()
        parsed = mqtt.parse_message(config, topic, payload, entry.created_at)
        if isinstance(parsed, mqtt.DeviceEvent):
            found.append(parsed)
            loaded.append(entry.id)
        else:
            still[entry.id] = parsed.reason
    save_messages(ctx, source_id, run_id, found, [], quarantine_ids=loaded)
    wq.resolve_replayed(ctx.warehouse, loaded, still, run_id, user)
    with ctx.store.session() as session:
        finished = session.get(SyncRun, run_id)
        assert finished is not None
        finished.rows_read = len(entries)
        finished.rows_loaded = len(found)
        finished.rows_quarantined = len(still)
        finished.state = "succeeded"
        finished.finished_at = utcnow()
        session.flush()
        session.expunge(finished)
    return finished
