"""Live updates to browsers as server-sent events, each viewer seeing only their scope.

One poller per process reads the operational store's new events every ``interval_s`` (a
thread does the query, so the event loop never waits on the database) and hands each to the
subscribers whose scope covers its place. Because events are read from the shared store,
an event raised by another process reaches these viewers too. When the warehouse commits new
data the poller also sends a ``data`` message, on which the wall and the phone fetch their
figures again (from the cache, for whatever the commit did not touch).

Messages: ``event: alert`` with the event as JSON and its id (a reconnecting browser sends
``Last-Event-ID`` and gets what it missed, in scope), ``event: data``, and a comment line
every ``heartbeat_s`` so that proxies keep the connection open.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

import anyio
import orjson
from sqlalchemy import func, select

from noivu_ioc.access.scope import Scope
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import Event, as_utc
from noivu_ioc.warehouse import Warehouse

log = logging.getLogger(__name__)

REPLAY_LIMIT = 20


def event_message(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": as_utc(event.at).astimezone(UTC).isoformat(),
        "kind": event.kind,
        "severity": event.severity,
        "subject": event.subject,
        "admin_code": event.admin_code,
        "message": event.message,
    }


def format_sse(kind: str, data: dict[str, Any], ident: int | None = None) -> bytes:
    head = f"id: {ident}\n" if ident is not None else ""
    return f"{head}event: {kind}\ndata: ".encode() + orjson.dumps(data) + b"\n\n"


@dataclass(eq=False)
class _Subscriber:
    scope: Scope
    queue: asyncio.Queue[bytes] = field(default_factory=lambda: asyncio.Queue(maxsize=1000))


class LiveHub:
    def __init__(
        self,
        store: OpStore,
        warehouse: Warehouse | None,
        interval_s: float = 1.0,
        heartbeat_s: float = 15.0,
    ) -> None:
        self.store = store
        self.warehouse = warehouse
        self.interval_s = interval_s
        self.heartbeat_s = heartbeat_s
        self._subscribers: set[_Subscriber] = set()
        self._task: asyncio.Task[None] | None = None
        self._last_id: int | None = None
        self._changes = warehouse.changes if warehouse is not None else 0

    # The poller ---------------------------------------------------------------------------

    def _latest_id(self) -> int:
        with self.store.session() as session:
            return int(session.scalar(select(func.max(Event.id))) or 0)

    def _events_after(self, after: int, limit: int = 500) -> list[dict[str, Any]]:
        with self.store.session() as session:
            rows = session.scalars(
                select(Event).where(Event.id > after).order_by(Event.id).limit(limit)
            )
            return [event_message(e) for e in rows]

    async def _poll(self) -> None:
        if self._last_id is None:
            self._last_id = await anyio.to_thread.run_sync(self._latest_id)
        while True:
            await asyncio.sleep(self.interval_s)
            try:
                fresh = await anyio.to_thread.run_sync(self._events_after, self._last_id)
            except Exception:
                log.exception("live: reading new events failed; trying again")
                continue
            for message in fresh:
                self._last_id = max(self._last_id, message["id"])
                self._broadcast(message)
            if self.warehouse is not None and self.warehouse.changes != self._changes:
                self._changes = self.warehouse.changes
                payload = format_sse("data", {"changes": self._changes})
                for sub in list(self._subscribers):
                    self._offer(sub, payload)

    def _broadcast(self, message: dict[str, Any]) -> None:
        payload = format_sse("alert", message, message["id"])
        for sub in list(self._subscribers):
            if sub.scope.covers(message["admin_code"]):
                self._offer(sub, payload)

    @staticmethod
    def _offer(sub: _Subscriber, payload: bytes) -> None:
        try:
            sub.queue.put_nowait(payload)
        except asyncio.QueueFull:  # a stalled browser loses messages, not the server
            log.warning("live: a subscriber is not reading; dropping a message")

    def _ensure_poller(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._poll())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None

    # A viewer -----------------------------------------------------------------------------

    def replay(self, scope: Scope, after: int | None) -> list[dict[str, Any]]:
        """Events in scope after ``after`` (what a reconnecting browser missed), or the
        latest few when it has seen none."""
        if after is None:
            with self.store.session() as session:
                rows = list(session.scalars(select(Event).order_by(Event.id.desc()).limit(500)))
            mine = [event_message(e) for e in rows if scope.covers(e.admin_code)]
            return list(reversed(mine[:REPLAY_LIMIT]))
        return [m for m in self._events_after(after) if scope.covers(m["admin_code"])]

    async def stream(self, scope: Scope, last_event_id: int | None) -> AsyncIterator[bytes]:
        sub = _Subscriber(scope)
        self._subscribers.add(sub)
        self._ensure_poller()
        try:
            yield b"retry: 3000\n\n"
            for message in await anyio.to_thread.run_sync(self.replay, scope, last_event_id):
                yield format_sse("alert", message, message["id"])
            while True:
                try:
                    yield await asyncio.wait_for(sub.queue.get(), self.heartbeat_s)
                except TimeoutError:
                    yield b": keep-alive\n\n"
        finally:
            self._subscribers.discard(sub)

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)
