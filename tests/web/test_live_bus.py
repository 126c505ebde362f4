"""Events handed on at commit: through this process's bus, through Redis from another
process, and by the store's poller when both missed them; each sent once, in scope."""

from __future__ import annotations

import asyncio
import logging
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import orjson
import pytest
import redis

from noivu_ioc.access.scope import Scope
from noivu_ioc.ingest import events
from noivu_ioc.store import OpStore
from noivu_ioc.store.bus import Message, RedisRelay, channel_of
from noivu_ioc.web.live import BACKLOG, LiveHub
from tests.conftest import IN_CI

REDIS_URL = os.environ.get("IOC_TEST_REDIS", "redis://127.0.0.1:6379/0")
HANOI = Scope(provinces=frozenset({"01"}))
NEVER = 3600.0  # a poller interval that leaves the other paths alone


def _redis_or_skip() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        message = f"Redis is not reachable at {REDIS_URL}: {exc}"
        if IN_CI:
            pytest.fail(message + " (CI must test against Redis; start the server)")
        pytest.skip(message)


def _until_listened(channel: str) -> None:
    """Wait for the hub's subscription: what Redis publishes before it is lost."""
    client = redis.Redis.from_url(REDIS_URL)
    while dict(client.pubsub_numsub(channel)).get(channel.encode(), 0) < 1:
        time.sleep(0.01)
    client.close()


def _record(store: OpStore, marker: str, places: list[str | None]) -> None:
    with store.session() as session:
        for code in places:
            events.record(
                session,
                kind="device",
                severity="warning",
                subject=marker,
                message=f"{marker} {code or 'national'}",
                admin_code=code,
            )


def _in_thread(scenario: Callable[[], Awaitable[Any]]) -> Any:
    """Run a scenario on an event loop of its own thread (Playwright may hold this one)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, scenario()).result()  # type: ignore[arg-type]


async def _watch(hub: LiveHub, scope: Scope, marker: str, want: int) -> tuple[list[str], int]:
    """The marker's messages a viewer receives (in order), and in how many chunks; stops
    once ``want`` arrived and a heartbeat passed, or after many quiet heartbeats."""
    seen: list[str] = []
    chunks = quiet = 0
    stream = hub.stream(scope, None)
    async for chunk in stream:
        mine = [m for m in chunk.decode().split("\n\n") if marker in m]
        chunks += bool(mine)
        seen += [orjson.loads(m.split("data: ", 1)[1])["message"] for m in mine]
        quiet = quiet + 1 if b"keep-alive" in chunk else 0
        if (len(seen) >= want and quiet >= 1) or quiet > 300:
            break
    await stream.aclose()
    return seen, chunks


async def _subscribed(hub: LiveHub, viewers: int) -> None:
    while hub.subscribers < viewers:  # a bound is in _watch; this waits for the streams
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.1)  # their replay query is done by then


def test_a_commit_publishes_its_events_once_and_a_rollback_publishes_none(
    store: OpStore,
) -> None:
    published: list[list[Message]] = []
    store.bus.subscribe(published.append)
    marker = uuid.uuid4().hex[:8]
    with store.session() as session:
        events.record(
            session, kind="device", severity="info", subject=marker, message="kept", admin_code="01"
        )
        with session.begin_nested() as savepoint:
            events.record(
                session,
                kind="device",
                severity="info",
                subject=marker,
                message="undone",
                admin_code="01",
            )
            session.flush()
            savepoint.rollback()
        session.flush()
        events.record(
            session,
            kind="device",
            severity="info",
            subject=marker,
            message="kept too",
            admin_code=None,
        )
        assert published == []  # nothing before the commit
    with pytest.raises(RuntimeError), store.session() as session:
        events.record(
            session,
            kind="device",
            severity="info",
            subject=marker,
            message="rolled back",
            admin_code="01",
        )
        session.flush()
        raise RuntimeError("the request failed")
    store.bus.unsubscribe(published.append)

    assert len(published) == 1
    first, second = published[0]
    assert [first["message"], second["message"]] == ["kept", "kept too"]
    assert first["id"] < second["id"] and first["admin_code"] == "01"
    assert set(first) == {"id", "at", "kind", "severity", "subject", "admin_code", "message"}


def test_an_event_reaches_the_viewers_of_its_process_at_commit(store: OpStore) -> None:
    """No Redis and a poller that does not come round: the bus alone delivers."""
    marker = uuid.uuid4().hex[:8]
    hub = LiveHub(store, None, interval_s=NEVER, heartbeat_s=0.1)

    async def scenario() -> tuple[list[str], list[str]]:
        viewers = [
            asyncio.create_task(_watch(hub, s, marker, n))
            for s, n in ((Scope.everything(), 3), (HANOI, 1))
        ]
        await _subscribed(hub, 2)
        await asyncio.to_thread(_record, store, marker, ["01", "15", None])
        (national, _), (hanoi, _) = await asyncio.gather(*viewers)
        await hub.stop()
        return national, hanoi

    national, hanoi = _in_thread(scenario)
    assert national == [f"{marker} 01", f"{marker} 15", f"{marker} national"]
    assert hanoi == [f"{marker} 01"]
    assert hub.duplicates == 0


def test_an_event_of_another_process_arrives_through_redis(store: OpStore) -> None:
    """Two stores on one database stand for two processes: each has its own bus."""
    _redis_or_skip()
    other = OpStore(store.url)
    relay = RedisRelay(other.bus, REDIS_URL, channel_of(other.url)).start()
    marker = uuid.uuid4().hex[:8]
    hub = LiveHub(store, None, interval_s=NEVER, heartbeat_s=0.1, redis_url=REDIS_URL)

    async def scenario() -> list[str]:
        viewer = asyncio.create_task(_watch(hub, HANOI, marker, 2))
        await _subscribed(hub, 1)
        await asyncio.to_thread(_until_listened, hub.channel)
        await asyncio.to_thread(_record, other, marker, ["15", "01", "00004", None])
        seen, _ = await viewer
        await hub.stop()
        return seen

    try:
        seen = _in_thread(scenario)
    finally:
        relay.close()
        other.dispose()
    assert seen == [f"{marker} 01", f"{marker} 00004"]  # a Hà Nội ward is in Hà Nội's scope
    assert relay.published == 4 and relay.dropped == 0


def test_without_redis_the_poller_delivers_and_nothing_comes_twice(
    store: OpStore, caplog: pytest.LogCaptureFixture
) -> None:
    """Redis is down: the events of another process come from the store; this process's
    own come at commit and again from the store, and are sent once."""
    other = OpStore(store.url)
    marker = uuid.uuid4().hex[:8]
    hub = LiveHub(store, None, interval_s=0.05, heartbeat_s=0.1, redis_url="redis://127.0.0.1:1/0")

    async def scenario() -> list[str]:
        viewer = asyncio.create_task(_watch(hub, Scope.everything(), marker, 4))
        await _subscribed(hub, 1)
        await asyncio.to_thread(_record, other, marker, ["01", "15"])
        await asyncio.to_thread(_record, store, marker, ["79", None])
        seen, _ = await viewer
        await hub.stop()
        return seen

    with caplog.at_level(logging.WARNING, logger="noivu_ioc.web.live"):
        try:
            seen = _in_thread(scenario)
        finally:
            other.dispose()
    assert sorted(seen) == sorted(f"{marker} {c}" for c in ("01", "15", "79", "national"))
    assert hub.duplicates == 2  # the poller read this process's two again
    unreachable = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(unreachable) == 1  # logged once, however often it retried


def test_an_event_committed_after_a_higher_id_is_not_lost(store: OpStore) -> None:
    """On PostgreSQL ids are handed out at insert and rows become visible at commit, in
    any order; the poller asks again for the ids it skipped."""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: ids commit in order")
    other = OpStore(store.url)  # no relay: only the poller carries its events
    marker = uuid.uuid4().hex[:8]
    hub = LiveHub(store, None, interval_s=0.05, heartbeat_s=0.1)

    def out_of_order() -> None:
        with other.session() as slow:
            events.record(
                slow,
                kind="device",
                severity="info",
                subject=marker,
                message=f"{marker} first",
                admin_code=None,
            )
            slow.flush()  # holds the lower id
            _record(other, marker, [None])  # commits a higher one
            time.sleep(0.5)  # the poller reads past it meanwhile

    async def scenario() -> list[str]:
        viewer = asyncio.create_task(_watch(hub, Scope.everything(), marker, 2))
        await _subscribed(hub, 1)
        await asyncio.to_thread(out_of_order)
        seen, _ = await viewer
        await hub.stop()
        return seen

    try:
        seen = _in_thread(scenario)
    finally:
        other.dispose()
    assert seen == [f"{marker} national", f"{marker} first"]


def test_a_viewer_behind_gets_what_waits_in_one_write(store: OpStore) -> None:
    marker = uuid.uuid4().hex[:8]
    hub = LiveHub(store, None, interval_s=NEVER, heartbeat_s=0.1, batch=256)

    async def scenario() -> tuple[list[str], int]:
        viewer = asyncio.create_task(_watch(hub, Scope.everything(), marker, 50))
        await _subscribed(hub, 1)
        await asyncio.to_thread(_record, store, marker, [None] * 50)
        seen = await viewer
        await hub.stop()
        return seen

    seen, chunks = _in_thread(scenario)
    assert len(seen) == 50 and chunks < 50


def test_a_viewer_that_stops_reading_is_cut_off_rather_than_skipped(store: OpStore) -> None:
    hub = LiveHub(store, None, interval_s=NEVER, heartbeat_s=0.1)
    marker = uuid.uuid4().hex[:8]

    async def scenario() -> tuple[int, int]:
        stream = hub.stream(Scope.everything(), None)
        await anext(stream)  # connected, then reads no more
        await anext(stream)  # (the replay of the latest events)
        await asyncio.to_thread(_record, store, marker, [None] * (BACKLOG + 1))
        await asyncio.sleep(0.1)  # the hand-off from the committing thread
        left = hub.subscribers
        rest = [chunk async for chunk in stream]  # it ends instead of skipping
        await hub.stop()
        return left, len(rest)

    left, rest = _in_thread(scenario)
    assert left == 0 and rest <= 1
