"""Benchmark: live events to 500 viewers, each seeing its own scope.

The IOC as deployed on one machine: ``ioc serve`` in its own process on PostgreSQL and
Redis. Viewers log in with sessions of several scopes (national, Hà Nội 01, Lào Cai 15, other
provinces one by one, a ward of Hà Nội) and hold ``/api/live`` open: light asyncio sockets in
one process of their own, which note each event's id and the time it arrived. A producer,
in a third process, records events through the product's path (``events.record`` in a store
session that commits; the store's Redis relay publishes them) at ``--rate`` per second for
``--seconds``, placed nationally, at provinces and at a ward; then a burst of ``--burst``
events within one second (committed ``--burst-batch`` to a transaction). Each event carries
its send time (in its payload and its message); the latency of a delivery is arrival minus
send, and an event's latency is the one to the last viewer that should get it.

Printed: p50/p95/p99 of both, per phase; deliveries expected (from the scopes, exactly),
received, lost, duplicated and out of scope. Targets: p99 under 250 ms steady, nothing lost
in either phase. The baseline, in the same run: a bare server-sent-events server (asyncio and
uvloop, no framework) taking the same events from Redis and writing them to the same 500
sockets with the same scope filter.

    uv run python bench/live.py                      # 500 viewers, 20/s for 60 s, 1,000 burst
    uv run python bench/live.py --quick              # a smoke check of a few seconds

Figures go to ``bench/output/live.txt`` too. PostgreSQL from ``IOC_TEST_POSTGRES`` (a fresh
database is created and dropped), Redis from ``--redis``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "bench" / "output"
PG_ADMIN_URL = os.environ.get("IOC_TEST_POSTGRES", "postgresql://root@127.0.0.1:5432/test")
WARD = "00004"  # Phường Ba Đình, Hà Nội
STEADY_P99_MS = 250.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000


# -- who watches, and where events happen ------------------------------------------------


@dataclass(frozen=True)
class Watcher:
    """One viewer's scope: national, one province, or one ward."""

    national: bool = False
    province: str | None = None
    ward: str | None = None

    def covers(self, code: str | None) -> bool:
        if self.national:
            return True
        if code is None:
            return False
        if self.ward is not None:
            return code == self.ward
        return code == self.province or (len(code) == 5 and _province_of(code) == self.province)

    @property
    def unit(self) -> str:
        if self.national:
            return "BNV"
        return f"UBX.{self.ward}" if self.ward else f"SNV.{self.province}"

    @property
    def query(self) -> str:
        if self.national:
            return "national=1"
        return f"ward={self.ward}" if self.ward else f"province={self.province}"


def _province_of(commune: str) -> str:
    from noivu_ioc.units import admin

    return admin.unit(commune).province_code


def watchers(count: int) -> list[Watcher]:
    """A fifth national, a fifth Hà Nội, a tenth Lào Cai, a few at a ward, the rest spread
    over the other provinces."""
    from noivu_ioc.units import admin

    others = [p.code for p in admin.provinces() if p.code not in ("01", "15")]
    result: list[Watcher] = []
    for i in range(count):
        share = i % 20
        if share < 4:
            result.append(Watcher(national=True))
        elif share < 8:
            result.append(Watcher(province="01"))
        elif share < 10:
            result.append(Watcher(province="15"))
        elif share == 10:
            result.append(Watcher(ward=WARD))
        else:
            result.append(Watcher(province=others[i % len(others)]))
    return result


def places(count: int, seed: int) -> list[str | None]:
    """Where each event happens: national, Hà Nội, its ward, Lào Cai, any province."""
    from noivu_ioc.units import admin

    provinces = [p.code for p in admin.provinces()]
    rng = random.Random(seed)
    choices: list[str | None] = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.2:
            choices.append(None)
        elif roll < 0.3:
            choices.append("01")
        elif roll < 0.35:
            choices.append(WARD)
        elif roll < 0.45:
            choices.append("15")
        else:
            choices.append(rng.choice(provinces))
    return choices


# -- the viewers (a process of their own) -------------------------------------------------

_ID = re.compile(rb"id: (\d+)\n")


class _Viewer(asyncio.Protocol):
    def __init__(self, request: bytes, ready: asyncio.Future[None], state: dict[str, float]):
        self.request = request
        self.ready = ready
        self.state = state
        self.buffer = b""
        self.started = False
        self.ids: list[int] = []
        self.times: list[float] = []
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.write(self.request)  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        buffer = self.buffer + data
        if not self.started:
            if b"retry:" not in buffer:
                self.buffer = buffer
                return
            if not buffer.startswith(b"HTTP/1.1 200"):
                self.ready.set_exception(RuntimeError(buffer[:200].decode("latin-1")))
                return
            self.started = True
            buffer = buffer[buffer.index(b"retry:") :]
            if not self.ready.done():
                self.ready.set_result(None)
        end = 0
        for match in _ID.finditer(buffer):
            self.ids.append(int(match[1]))
            self.times.append(now)
            end = match.end()
        if end:
            self.state["last"] = now
        self.buffer = buffer[end:] if end else buffer[-64:]

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True


async def _viewers(spec: dict[str, Any]) -> None:
    loop = asyncio.get_running_loop()
    state = {"last": time.monotonic()}
    viewers: list[_Viewer] = []
    transports = []
    for i, head in enumerate(spec["requests"]):
        ready: asyncio.Future[None] = loop.create_future()
        viewer = _Viewer(head.encode(), ready, state)
        transport, _ = await loop.create_connection(lambda v=viewer: v, "127.0.0.1", spec["port"])
        transports.append(transport)
        viewers.append(viewer)
        await ready
        if i % 50 == 49:
            await asyncio.sleep(0)
    for viewer in viewers:  # what a first connection replays is not part of the count
        viewer.ids.clear()
        viewer.times.clear()
    print("ready", flush=True)
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        command = (await reader.readline()).decode().split()
        if not command or command[0] == "stop":
            break
        quiet, bound = float(command[1]), time.monotonic() + float(command[2])
        while time.monotonic() - state["last"] < quiet and time.monotonic() < bound:
            await asyncio.sleep(0.1)
        print("quiet", flush=True)
    for transport in transports:
        transport.close()
    Path(spec["output"]).write_text(
        json.dumps(
            {
                "ids": [v.ids for v in viewers],
                "times": [v.times for v in viewers],
                "cut": sum(v.closed for v in viewers),
            }
        )
    )


class _Child:
    """The viewers' process, driven line by line."""

    def __init__(self, port: int, requests: list[str], directory: Path) -> None:
        self.output = directory / f"viewers-{port}.json"
        spec = directory / f"viewers-{port}-spec.json"
        spec.write_text(
            json.dumps({"port": port, "requests": requests, "output": str(self.output)})
        )
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--viewers-child", str(spec)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._expect("ready")

    def _expect(self, word: str) -> None:
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if line != word:
            raise RuntimeError(f"the viewers' process said {line!r} instead of {word!r}")

    def quiet(self, seconds: float = 3.0, bound: float = 180.0) -> None:
        """Wait until no event arrived for ``seconds`` (at most ``bound``)."""
        assert self.process.stdin is not None
        self.process.stdin.write(f"quiet {seconds} {bound}\n")
        self.process.stdin.flush()
        self._expect("quiet")

    def results(self) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write("stop\n")
        self.process.stdin.flush()
        self.process.wait()
        result: dict[str, Any] = json.loads(self.output.read_text())
        return result


# -- the producers ------------------------------------------------------------------------


@dataclass
class Sent:
    ident: int
    code: str | None
    at: float
    phase: str


def _pace(start: float, index: int, per_second: float) -> None:
    delay = start + index / per_second - time.monotonic()
    if delay > 0:
        time.sleep(delay)


@dataclass
class Plan:
    steady: list[str | None]
    burst: list[str | None]
    rate: float
    batch: int  # burst events per commit

    def run(
        self, send: Callable[[list[str | None], str], None], between: Callable[[], None]
    ) -> list[float]:
        """Send the steady phase one event at a time at ``rate``, wait ``between``, then the
        burst spread over one second; returns how long each phase took."""
        took = []
        for phase, codes, per_second, size in (
            ("steady", self.steady, self.rate, 1),
            ("burst", self.burst, float(len(self.burst)), self.batch),
        ):
            start = time.monotonic()
            for n, first in enumerate(range(0, len(codes), size)):
                _pace(start, n, per_second / size)
                send(codes[first : first + size], phase)
            took.append(time.monotonic() - start)
            if phase == "steady":
                between()
        return took


def produce_ioc(
    store_url: str, redis_url: str, plan: Plan, between: Callable[[], None]
) -> tuple[list[Sent], list[float]]:
    """Record the events through the product's path, as any IOC process would."""
    from noivu_ioc.ingest import events
    from noivu_ioc.store import OpStore
    from noivu_ioc.store.bus import RedisRelay, channel_of

    store = OpStore(store_url)
    relay = RedisRelay(store.bus, redis_url, channel_of(store_url)).start()
    sent: list[Sent] = []

    def commit(codes: list[str | None], phase: str) -> None:
        with store.session() as session:
            stamp = time.monotonic()
            recorded = [
                events.record(
                    session,
                    kind="bench",
                    severity="info",
                    subject=f"bench:{phase}",
                    message=f"bench {phase} event sent at {stamp:.6f}",
                    admin_code=code,
                    payload={"sent": stamp},
                )
                for code in codes
            ]
            session.flush()
            sent.extend(
                Sent(e.id, code, stamp, phase) for e, code in zip(recorded, codes, strict=True)
            )

    try:
        took = plan.run(commit, between)
    finally:
        relay.close()
        store.dispose()
    return sent, took


def produce_bare(
    redis_url: str, channel: str, plan: Plan, between: Callable[[], None]
) -> tuple[list[Sent], list[float]]:
    """The same events, pacing and places, published straight on Redis."""
    import orjson
    import redis

    client = redis.Redis.from_url(redis_url)
    sent: list[Sent] = []

    def publish(codes: list[str | None], phase: str) -> None:
        stamp = time.monotonic()
        messages = []
        for code in codes:
            ident = len(sent) + 1
            messages.append(
                {
                    "id": ident,
                    "at": stamp,
                    "kind": "bench",
                    "severity": "info",
                    "subject": f"bench:{phase}",
                    "admin_code": code,
                    "province": _province_of(code) if code and len(code) == 5 else code,
                    "message": f"bench {phase} event sent at {stamp:.6f}",
                }
            )
            sent.append(Sent(ident, code, stamp, phase))
        client.publish(channel, orjson.dumps({"events": messages}))

    try:
        took = plan.run(publish, between)
    finally:
        client.close()
    return sent, took


# -- the bare server -----------------------------------------------------------------------


def serve_bare(port: int, redis_url: str, channel: str) -> None:
    import orjson
    import redis.asyncio as aioredis
    import uvloop

    national: set[asyncio.Transport] = set()
    by_place: dict[str, set[asyncio.Transport]] = {}

    async def viewer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:  # the start-up probe
            writer.close()
            return
        query = head.split(b" ", 2)[1].partition(b"?")[2].decode()
        key, _, value = query.partition("=")
        transport = writer.transport
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\n"
            b"connection: close\r\n\r\nretry: 3000\n\n"
        )
        group = national if key == "national" else by_place.setdefault(value, set())
        group.add(transport)  # type: ignore[arg-type]
        try:
            await reader.read()  # until the viewer goes
        finally:
            group.discard(transport)  # type: ignore[arg-type]
            writer.close()

    async def relay() -> None:
        client = aioredis.Redis.from_url(redis_url)
        async with client.pubsub() as pubsub:
            await pubsub.subscribe(channel)
            async for item in pubsub.listen():
                if item["type"] != "message":
                    continue
                for m in orjson.loads(item["data"])["events"]:
                    payload = (
                        f"id: {m['id']}\nevent: alert\ndata: ".encode() + orjson.dumps(m) + b"\n\n"
                    )
                    targets = [national]
                    if m["admin_code"]:
                        targets.append(by_place.get(m["province"], set()))
                        if len(m["admin_code"]) == 5:
                            targets.append(by_place.get(m["admin_code"], set()))
                    for group in targets:
                        for transport in group:
                            transport.write(payload)

    async def main() -> None:
        server = await asyncio.start_server(viewer, "127.0.0.1", port, backlog=2048)
        async with server:
            await relay()

    uvloop.run(main())


def _wait_for_port(process: subprocess.Popen[Any], port: int) -> None:
    for _ in range(600):  # start-up poll
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


# -- the IOC's side -------------------------------------------------------------------------


def prepare_store(pg_url: str, scopes: list[Watcher]) -> list[str]:
    """Users of each scope, created through the product's code; one session per viewer."""
    from noivu_ioc.access.users import create_user, start_session
    from noivu_ioc.store import OpStore
    from noivu_ioc.units.org import seed_org_units

    store = OpStore(pg_url)
    store.upgrade()
    tokens = []
    with store.session() as session:
        seed_org_units(session)
        users = {}
        for scope in dict.fromkeys(scopes):
            role = "leader" if scope.national else "analyst" if scope.ward else "provincial_officer"
            users[scope] = create_user(
                session,
                username=f"bench.{scope.unit.lower()}",
                full_name=f"Bench viewer {scope.unit}",
                password=uuid.uuid4().hex,
                roles=[role],
                units=[scope.unit],
            )
        for scope in scopes:
            tokens.append(start_session(session, users[scope], 12, "bench/live", "127.0.0.1"))
    store.dispose()
    return tokens


def _check_scopes(pg_url: str, tokens: list[str], scopes: list[Watcher]) -> None:
    """The server's own scopes agree with the ones the expected counts come from."""
    from noivu_ioc.access.users import resolve_session
    from noivu_ioc.store import OpStore
    from noivu_ioc.units import admin

    store = OpStore(pg_url)
    samples = [None, "01", WARD, "15", *(p.code for p in admin.provinces())]
    with store.session() as session:
        for token, watcher in dict(zip(tokens, scopes, strict=True)).items():
            scope = resolve_session(session, token).scope
            for code in samples:
                if scope.covers(code) != watcher.covers(code):
                    raise RuntimeError(f"scope of {watcher.unit} disagrees at {code}")
    store.dispose()


# -- a run ---------------------------------------------------------------------------------


def figures(sent: list[Sent], received: dict[str, Any], scopes: list[Watcher]) -> dict[str, Any]:
    by_id = {s.ident: s for s in sent}
    arrivals: dict[int, list[float]] = {}
    duplicates = out_of_scope = 0
    for watcher, ids, times in zip(scopes, received["ids"], received["times"], strict=True):
        seen: set[int] = set()
        for ident, at in zip(ids, times, strict=True):
            event = by_id.get(ident)
            if event is None:
                continue  # not one of ours
            if ident in seen:
                duplicates += 1
                continue
            seen.add(ident)
            if not watcher.covers(event.code):
                out_of_scope += 1
                continue
            arrivals.setdefault(ident, []).append(at - event.at)
    result: dict[str, Any] = {"cut_off": received["cut"]}
    for phase in ("steady", "burst"):
        mine = [s for s in sent if s.phase == phase]
        expected = sum(sum(w.covers(s.code) for w in scopes) for s in mine)
        deliveries = [lat for s in mine for lat in arrivals.get(s.ident, [])]
        complete = [
            max(arrivals[s.ident])
            for s in mine
            if len(arrivals.get(s.ident, [])) == sum(w.covers(s.code) for w in scopes)
        ]
        result[phase] = {
            "events": len(mine),
            "expected": expected,
            "received": len(deliveries),
            "lost": expected - len(deliveries),
            "last_viewer_ms": [_pct(complete, p) for p in (0.5, 0.95, 0.99)],
            "delivery_ms": [_pct(deliveries, p) for p in (0.5, 0.95, 0.99)],
            "max_ms": max(deliveries, default=float("nan")) * 1000,
        }
    result["duplicates"] = duplicates
    result["out_of_scope"] = out_of_scope
    return result


def measure_ioc(
    args: argparse.Namespace, directory: Path, scopes: list[Watcher], plan: Plan
) -> dict[str, Any]:
    import psycopg

    name = f"ioc_bench_live_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    pg_url = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    pg_url = f"{pg_url}/{name}"
    try:
        tokens = prepare_store(pg_url, scopes)
        _check_scopes(pg_url, tokens, scopes)
        port = _free_port()
        env = {
            **os.environ,
            "IOC_DATABASE_URL": pg_url,
            "IOC_REDIS_URL": args.redis,
            "IOC_DATA_DIR": str(directory / "ioc"),
            "IOC_SCHEDULER": "false",
            "IOC_LOG_LEVEL": "WARNING",
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "noivu_ioc.cli", "serve", "--port", str(port)],
            env=env,
            cwd=directory,
            stdout=subprocess.DEVNULL,
        )
        try:
            _wait_for_port(server, port)
            requests = [
                f"GET /api/live HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ioc_session={t}\r\n\r\n"
                for t in tokens
            ]
            child = _Child(port, requests, directory)
            sent, took = produce_ioc(pg_url, args.redis, plan, child.quiet)
            child.quiet()
            received = child.results()
        finally:
            server.terminate()
            server.wait()
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return {**figures(sent, received, scopes), "took_s": took}


def measure_bare(
    args: argparse.Namespace, directory: Path, scopes: list[Watcher], plan: Plan
) -> dict[str, Any]:
    port = _free_port()
    channel = f"bench:bare:{uuid.uuid4().hex[:8]}"
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve-bare", str(port), args.redis, channel]
    )
    try:
        _wait_for_port(server, port)
        time.sleep(0.5)  # let it subscribe to Redis
        requests = [f"GET /live?{w.query} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" for w in scopes]
        child = _Child(port, requests, directory)
        sent, took = produce_bare(args.redis, channel, plan, child.quiet)
        child.quiet()
        received = child.results()
    finally:
        server.terminate()
        server.wait()
    return {**figures(sent, received, scopes), "took_s": took}


def report(args: argparse.Namespace, ioc: dict[str, Any], bare: dict[str, Any]) -> str:
    lines = [
        f"live events: {args.viewers} viewers; {args.rate:g}/s for {args.seconds:g} s, then "
        f"{args.burst} within a second ({args.burst_batch} per commit); {os.cpu_count()} CPUs; "
        f"{time.strftime('%Y-%m-%d %H:%M')}",
    ]
    for name, r in (("IOC (ioc serve, PostgreSQL, Redis)", ioc), ("bare SSE (asyncio)", bare)):
        lines.append(
            f"{name}: producer took steady {r['took_s'][0]:.1f} s, burst {r['took_s'][1]:.2f} s"
        )
        for phase in ("steady", "burst"):
            p = r[phase]
            last, each = p["last_viewer_ms"], p["delivery_ms"]
            lines.append(
                f"  {phase:6} {p['events']:5} events  deliveries expected {p['expected']:7,} "
                f"received {p['received']:7,} lost {p['lost']}   to last viewer p50/p95/p99 "
                f"{last[0]:6.1f} /{last[1]:6.1f} /{last[2]:6.1f} ms   per delivery "
                f"{each[0]:6.1f} /{each[1]:6.1f} /{each[2]:6.1f} ms   max {p['max_ms']:.0f} ms"
            )
        lines.append(
            f"  duplicates {r['duplicates']}, out of scope {r['out_of_scope']}, viewers cut off "
            f"{r['cut_off']}"
        )
    steady_p99 = ioc["steady"]["last_viewer_ms"][2]
    lost = ioc["steady"]["lost"] + ioc["burst"]["lost"]
    lines.append(
        f"IOC steady p99 to the last viewer {steady_p99:.1f} ms (target < {STEADY_P99_MS:.0f}): "
        f"{'met' if steady_p99 < STEADY_P99_MS else 'MISSED'}; lost {lost} (target 0): "
        f"{'met' if lost == 0 else 'MISSED'}; "
        f"ratio to bare SSE p99 {steady_p99 / bare['steady']['last_viewer_ms'][2]:.1f}x steady, "
        f"{ioc['burst']['last_viewer_ms'][2] / bare['burst']['last_viewer_ms'][2]:.1f}x burst"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--viewers", type=int, default=500)
    parser.add_argument("--rate", type=float, default=20.0, help="events per second, steady")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--burst", type=int, default=1000, help="events within one second")
    parser.add_argument("--burst-batch", type=int, default=10, help="burst events per commit")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--quick", action="store_true", help="5 s and a burst of 200")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.burst = 5.0, 200

    scopes = watchers(args.viewers)
    plan = Plan(
        steady=places(int(args.rate * args.seconds), seed=1),
        burst=places(args.burst, seed=2),
        rate=args.rate,
        batch=args.burst_batch,
    )
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        print("IOC: ioc serve on PostgreSQL and Redis ...", flush=True)
        ioc = measure_ioc(args, directory, scopes, plan)
        print("baseline: bare SSE server ...", flush=True)
        bare = measure_bare(args, directory, scopes, plan)
    text = report(args, ioc, bare)
    print(text)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "live.txt").write_text(text + "\n")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--viewers-child":
        import uvloop

        uvloop.run(_viewers(json.loads(Path(sys.argv[2]).read_text())))
    elif len(sys.argv) > 1 and sys.argv[1] == "--serve-bare":
        serve_bare(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    else:
        main()
