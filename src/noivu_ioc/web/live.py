"""Live updates to browsers as server-sent events, each viewer seeing only their scope.

An event reaches the hub on up to three paths, and is sent once:

1. this process's store bus, the moment the transaction that recorded it commits (handed
   into the event loop from the committing thread);
2. Redis, when ``redis_url`` is set: the events other server processes commit, published by
   their ``RedisRelay`` on the store's channel (unreachable Redis is logged once and retried
   with back-off);
3. the poller, which reads the store's new events every ``interval_s`` in a thread: the
   safety net for whatever the first two missed (Redis down, events written by a process
   without a relay, such as a command-line sync).

Events are told apart by id: the hub remembers the ids it sent lately, so the copy that
comes second is dropped. Ids are not a cursor: on PostgreSQL a transaction can commit after
one holding a higher id, so the poller also asks again, for ``HOLE_SECONDS``, for ids
missing below the highest it has read. When the warehouse commits new data the poller sends
a ``data`` message too, on which the wall and the phone fetch their figures again.

Messages: ``event: alert`` with the event as JSON and its id (a reconnecting browser sends
``Last-Event-ID`` and gets what it missed, in scope), ``event: data``, and a comment line
every ``heartbeat_s`` so that proxies keep the connection open. A viewer that falls behind
gets up to ``batch`` waiting messages in one write (the server's hub joins 256, so that a
burst costs a write per viewer rather than one per event and viewer). A viewer that stops
reading while ``BACKLOG`` messages wait for it is cut off rather than silently skipped: its
browser reconnects and replays from the last id it got.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any

import anyio
import orjson
import redis.asyncio as aioredis
from redis.exceptions import RedisError
from sqlalchemy import func, or_, select

from noivu_ioc.access.scope import Scope
from noivu_ioc.store import OpStore
from noivu_ioc.store.bus import Message, channel_of, event_message, redis_safe_url
from noivu_ioc.store.models import Event
from noivu_ioc.warehouse import Warehouse

log = logging.getLogger(__name__)

REPLAY_LIMIT = 20  # events a new viewer gets from before it connected
CATCH_UP_LIMIT = 5000  # events a reconnecting viewer gets from after its last id
BACKLOG = 10_000  # messages waiting for one viewer before it is cut off (10 bursts of 1,000)
BATCH = 256  # what the server's hub writes to a viewer in one chunk, at most
REMEMBERED = 50_000  # ids kept to tell a second copy from a new event
HOLE_SECONDS = 30.0  # how long the poller asks again for an id missing below its highest
POLL_LIMIT = 1000

Queued = tuple[int | None, bytes]  # an event id (None for other messages), the SSE bytes


def format_sse(kind: str, data: dict[str, Any], ident: int | None = None) -> bytes:
    head = f"id: {ident}\n" if ident is not None else ""
    return f"{head}event: {kind}\ndata: ".encode() + orjson.dumps(data) + b"\n\n"


_COLUMNS = (
    Event.id,
    Event.at,
    Event.kind,
    Event.severity,
    Event.subject,
    Event.admin_code,
    Event.message,
)


@dataclass(eq=False)
class _Subscriber:
    scope: Scope
    queue: asyncio.Queue[Queued] = field(default_factory=lambda: asyncio.Queue(maxsize=BACKLOG))
    cut: bool = False


class LiveHub:
    def __init__(
        self,
        store: OpStore,
        warehouse: Warehouse | None,
        interval_s: float = 1.0,
        heartbeat_s: float = 15.0,
        redis_url: str | None = None,
        batch: int = 1,
    ) -> None:
        self.store = store
        self.warehouse = warehouse
        self.interval_s = interval_s
        self.heartbeat_s = heartbeat_s
        self.redis_url = redis_url
        self.batch = batch  # messages waiting for a viewer written as one chunk, at most
        self.channel = channel_of(store.url)
        self.delivered = 0  # events broadcast (each once, whatever the path)
        self.duplicates = 0  # second copies dropped
        self._groups: dict[Scope, set[_Subscriber]] = {}  # one scope check serves many
        self._tasks: list[asyncio.Task[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sent: OrderedDict[int, None] = OrderedDict()
        self._polled: int | None = None  # the highest id the poller has read
        self._holes: dict[int, float] = {}  # ids missing below it, since when
        self._changes = warehouse.changes if warehouse is not None else 0

    # Events in ---------------------------------------------------------------------------

    def _accept(self, messages: Iterable[Message]) -> None:
        """Send each event not sent yet, in id order; runs on the hub's event loop."""
        for message in sorted(messages, key=lambda m: int(m["id"])):
            ident = int(message["id"])
            if ident in self._sent:
                self.duplicates += 1
                continue
            self._sent[ident] = None
            if len(self._sent) > REMEMBERED:
                self._sent.popitem(last=False)
            self.delivered += 1
            self._broadcast(message)

    def _from_bus(self, messages: list[Message]) -> None:
        """The bus's listener, called in whichever thread committed."""
        loop = self._loop
        if loop is None or loop.is_closed():  # a hub left without stop(): let go
            self.store.bus.unsubscribe(self._from_bus)
            return
        with contextlib.suppress(RuntimeError):  # the loop closed in between
            loop.call_soon_threadsafe(self._accept, messages)

    async def _listen_redis(self, url: str) -> None:
        delay = 1.0
        down = False
        while True:
            client = aioredis.Redis.from_url(url, socket_connect_timeout=2)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(self.channel)
                    if down:
                        log.info("live: Redis at %s is back", redis_safe_url(url))
                        down, delay = False, 1.0
                    async for item in pubsub.listen():
                        if item["type"] == "message":
                            self._from_redis(item["data"])
            except (RedisError, OSError) as exc:
                if not down:
                    log.warning(
                        "live: Redis at %s is unreachable (%s); events of other server "
                        "processes come from the store every %g s until it is back",
                        redis_safe_url(url),
                        exc,
                        self.interval_s,
                    )
                    down = True
            finally:
                await client.aclose()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)

    def _from_redis(self, data: bytes) -> None:
        try:
            body = orjson.loads(data)
            if body["origin"] == self.store.bus.ident:
                return  # ours: the bus brought them already
            messages = [m for m in body["events"] if isinstance(m.get("id"), int)]
        except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
            log.warning("live: ignoring a malformed message on %s: %.200r", self.channel, data)
            return
        self._accept(messages)

    # The poller ---------------------------------------------------------------------------

    def _latest_id(self) -> int:
        with self.store.session() as session:
            return int(session.scalar(select(func.max(Event.id))) or 0)

    def _read(self, after: int, holes: list[int]) -> list[Message]:
        wanted = Event.id > after
        if holes:
            wanted = or_(wanted, Event.id.in_(holes))
        with self.store.session() as session:
            rows = session.execute(
                select(*_COLUMNS).where(wanted).order_by(Event.id).limit(POLL_LIMIT)
            )
            return [event_message(r) for r in rows]

    def _note_read(self, messages: list[Message]) -> None:
        """Move the poller's mark past what it read, remembering the ids skipped."""
        assert self._polled is not None
        now = time.monotonic()
        for message in messages:
            ident = int(message["id"])
            self._holes.pop(ident, None)
            if ident > self._polled:
                for missing in range(max(self._polled + 1, ident - POLL_LIMIT), ident):
                    self._holes[missing] = now
                self._polled = ident
        for ident, since in list(self._holes.items()):
            if now - since > HOLE_SECONDS:  # rolled back, most likely
                del self._holes[ident]

    async def _poll(self) -> None:
        while True:
            try:
                if self._polled is None:  # start from now: what came before is replayed
                    self._polled = await anyio.to_thread.run_sync(self._latest_id)
                while True:
                    fresh = await anyio.to_thread.run_sync(
                        self._read, self._polled, sorted(self._holes)
                    )
                    self._note_read(fresh)
                    self._accept(fresh)
                    if len(fresh) < POLL_LIMIT:
                        break
            except Exception:
                log.exception("live: reading new events failed; trying again")
            if self.warehouse is not None and self.warehouse.changes != self._changes:
                self._changes = self.warehouse.changes
                payload = format_sse("data", {"changes": self._changes})
                for subs in list(self._groups.values()):
                    for sub in list(subs):
                        self._offer(sub, (None, payload))
            await asyncio.sleep(self.interval_s)

    # Events out ---------------------------------------------------------------------------

    def _broadcast(self, message: Message) -> None:
        code = message["admin_code"]
        item: Queued | None = None
        for scope, subs in list(self._groups.items()):
            if subs and scope.covers(code):
                item = item or (int(message["id"]), format_sse("alert", message, message["id"]))
                for sub in list(subs):
                    self._offer(sub, item)

    def _offer(self, sub: _Subscriber, item: Queued) -> None:
        try:
            sub.queue.put_nowait(item)
        except asyncio.QueueFull:
            log.warning(
                "live: a viewer has %d messages waiting and is not reading; cutting it off "
                "(its browser reconnects and catches up)",
                BACKLOG,
            )
            sub.cut = True
            self._leave(sub)

    def _join(self, sub: _Subscriber) -> None:
        self._groups.setdefault(sub.scope, set()).add(sub)

    def _leave(self, sub: _Subscriber) -> None:
        subs = self._groups.get(sub.scope)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._groups[sub.scope]

    def _ensure_started(self) -> None:
        if self._tasks and not any(t.done() for t in self._tasks):
            return
        for task in self._tasks:
            task.cancel()
        self._loop = asyncio.get_running_loop()
        self.store.bus.subscribe(self._from_bus)
        self._tasks = [self._loop.create_task(self._poll())]
        if self.redis_url:
            self._tasks.append(self._loop.create_task(self._listen_redis(self.redis_url)))

    async def stop(self) -> None:
        self.store.bus.unsubscribe(self._from_bus)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []

    # A viewer -----------------------------------------------------------------------------

    def replay(self, scope: Scope, after: int | None) -> list[dict[str, Any]]:
        """Events in scope after ``after`` (what a reconnecting browser missed), or the
        latest few when it has seen none."""
        with self.store.session() as session:
            if after is None:
                rows = session.execute(select(*_COLUMNS).order_by(Event.id.desc()).limit(500))
                mine = [event_message(r) for r in rows if scope.covers(r.admin_code)]
                return list(reversed(mine[:REPLAY_LIMIT]))
            rows = session.execute(
                select(*_COLUMNS).where(Event.id > after).order_by(Event.id).limit(CATCH_UP_LIMIT)
            )
            return [event_message(r) for r in rows if scope.covers(r.admin_code)]

    async def stream(self, scope: Scope, last_event_id: int | None) -> AsyncIterator[bytes]:
        sub = _Subscriber(scope)
        self._join(sub)
        self._ensure_started()
        try:
            yield b"retry: 3000\n\n"
            replayed = await anyio.to_thread.run_sync(self.replay, scope, last_event_id)
            for message in replayed:
                yield format_sse("alert", message, message["id"])
            seen = {int(m["id"]) for m in replayed}  # live copies of these may be queued
            while not sub.cut:
                try:
                    ident, payload = await asyncio.wait_for(sub.queue.get(), self.heartbeat_s)
                except TimeoutError:
                    yield b": keep-alive\n\n"
                    continue
                items = [(ident, payload)]
                while len(items) < self.batch and not sub.queue.empty():
                    items.append(sub.queue.get_nowait())
                chunk = b"".join(p for i, p in items if i is None or i not in seen)
                if chunk:
                    yield chunk
        finally:
            self._leave(sub)

    @property
    def subscribers(self) -> int:
        return sum(len(subs) for subs in self._groups.values())
