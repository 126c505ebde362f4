"""Events handed on the moment their transaction commits.

Every operational store watches its own sessions: the ``Event`` rows a session inserts are
collected at each flush and, once the transaction commits, published as messages on the
store's ``bus``, in the committing thread. What listens there must return at once: the live
hub of this process hands them into its event loop, and ``RedisRelay`` queues them for a
thread that publishes them on Redis for the other server processes. A transaction that rolls
back publishes nothing, nor does a savepoint that rolled back (its rows are no longer
persistent when the outer transaction commits).

Events written without the ORM (``insert()`` on the table) are not seen here; the live hub's
poller of the store still delivers them, within its interval.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

import orjson
from sqlalchemy import event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from noivu_ioc.store.models import Event, as_utc

log = logging.getLogger(__name__)

Message = dict[str, Any]
Listener = Callable[[list[Message]], None]

_PENDING = "noivu_ioc.events"  # key in Session.info: (Event, message) flushed, not committed


class EventFields(Protocol):
    """An ``Event``, or a row of its columns."""

    @property
    def id(self) -> int: ...
    @property
    def at(self) -> datetime: ...
    @property
    def kind(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def admin_code(self) -> str | None: ...
    @property
    def message(self) -> str: ...


def event_message(event: EventFields) -> Message:
    """What viewers receive of an event (its payload stays on the server)."""
    return {
        "id": event.id,
        "at": as_utc(event.at).astimezone(UTC).isoformat(),
        "kind": event.kind,
        "severity": event.severity,
        "subject": event.subject,
        "admin_code": event.admin_code,
        "message": event.message,
    }


def channel_of(database_url: str) -> str:
    """The Redis channel of one operational store. Redis channels ignore the database
    number, so the store's database name keeps two deployments on one Redis apart."""
    return f"ioc:events:{make_url(database_url).database or ''}"


class EventBus:
    """The committed events of one store, handed to whoever listens in this process."""

    def __init__(self) -> None:
        self.ident = uuid.uuid4().hex  # tells this bus's messages apart on Redis
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Listener) -> None:
        with self._lock:
            if listener not in self._listeners:
                self._listeners = [*self._listeners, listener]

    def unsubscribe(self, listener: Listener) -> None:
        with self._lock:
            self._listeners = [f for f in self._listeners if f != listener]

    def publish(self, messages: list[Message]) -> None:
        for listener in self._listeners:  # a copy: listeners may come and go meanwhile
            try:
                listener(messages)
            except Exception:  # a listener's trouble must not fail the commit behind it
                log.exception("bus: a listener failed on %d events", len(messages))


def watch(sessions: sessionmaker[Session], bus: EventBus) -> None:
    """Publish on ``bus`` the events that sessions from ``sessions`` commit."""

    def collect(session: Session, _context: object) -> None:
        fresh = [(o, event_message(o)) for o in session.new if isinstance(o, Event)]
        if fresh:
            session.info.setdefault(_PENDING, []).extend(fresh)

    def committed(session: Session) -> None:
        if session.get_nested_transaction() is not None:
            return  # a savepoint released: the outer transaction may still roll back
        pending = session.info.pop(_PENDING, None)
        if pending:
            messages = [m for e, m in pending if inspect(e).persistent]
            if messages:
                bus.publish(sorted(messages, key=lambda m: int(m["id"])))

    def ended(session: Session, transaction: SessionTransaction) -> None:
        if transaction.parent is None:  # rolled back (a commit has taken them already)
            session.info.pop(_PENDING, None)

    event.listen(sessions, "after_flush", collect)
    event.listen(sessions, "after_commit", committed)
    event.listen(sessions, "after_transaction_end", ended)


_STOP: list[Message] = []


class RedisRelay:
    """Forwards a bus's messages to a Redis channel from a thread of its own, so that no
    commit waits on Redis. With Redis unreachable the messages are dropped, logged once, and
    retried with back-off: the other processes' pollers deliver those events meanwhile."""

    def __init__(self, bus: EventBus, url: str, channel: str) -> None:
        self.bus = bus
        self.url = url
        self.channel = channel
        self.published = 0
        self.dropped = 0
        self._queue: queue.SimpleQueue[list[Message]] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="ioc-redis-relay", daemon=True)

    def start(self) -> RedisRelay:
        self.bus.subscribe(self._queue.put)
        self._thread.start()
        return self

    def close(self) -> None:
        self.bus.unsubscribe(self._queue.put)
        self._queue.put(_STOP)
        self._thread.join(10)

    def _batch(self, first: list[Message]) -> tuple[list[Message], bool]:
        """``first`` and whatever else is waiting: one PUBLISH for a burst of commits."""
        events, stop = list(first), False
        while len(events) < 5000:
            try:
                more = self._queue.get_nowait()
            except queue.Empty:
                break
            if more is _STOP:
                stop = True
                break
            events.extend(more)
        return events, stop

    def _run(self) -> None:
        import redis  # here: every command opens a store, few need Redis (half a second)

        client = redis.Redis.from_url(self.url, socket_connect_timeout=2, socket_timeout=2)
        down_until = 0.0
        delay = 1.0
        stop = False
        try:
            while not stop:
                first = self._queue.get()
                if first is _STOP:
                    break
                events, stop = self._batch(first)
                if time.monotonic() < down_until:
                    self.dropped += len(events)
                    continue
                body = orjson.dumps({"origin": self.bus.ident, "events": events})
                try:
                    client.publish(self.channel, body)
                except redis.RedisError as exc:
                    self.dropped += len(events)
                    if down_until == 0.0:
                        log.warning(
                            "live: cannot publish events on Redis at %s (%s); other server "
                            "processes get them from the store instead, within a second",
                            redis_safe_url(self.url),
                            exc,
                        )
                    down_until = time.monotonic() + delay
                    delay = min(delay * 2, 30.0)
                    continue
                if down_until:
                    log.info("live: publishing events on Redis again")
                    down_until, delay = 0.0, 1.0
                self.published += len(events)
        finally:
            client.close()


def redis_safe_url(url: str) -> str:
    """A Redis URL as logs may show it: without its password."""
    head, sep, tail = url.rpartition("@")
    if not sep:
        return url
    scheme, _, credentials = head.partition("://")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{tail}" if ":" in credentials else f"{scheme}://{user}@{tail}"
