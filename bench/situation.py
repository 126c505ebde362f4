"""Benchmark: the wall's scene, cold and warm, at national scale.

1. Cold: one full scene (every panel of ``tong-quan``) computed through the project's path
   (a fresh ``Situation``: definitions compiled by sqlglot, the evaluator, the payload and
   its serialisation) against, as the baseline in the same run, the raw DuckDB SQL for the
   same numbers (the very statements the path ran, executed straight on a DuckDB cursor).
   Runs alternate; the median of ``--repeat`` is kept. Target: within 1.5x of raw DuckDB.
2. Warm: the IOC served by uvicorn in its own process (login and scope checks on); 64
   concurrent keep-alive clients fetch the scene's cached JSON for ``--seconds``; latency
   p50/p95/p99 and requests per second. Target: p95 under 50 ms.
3. The same clients against a bare Starlette endpoint returning the same pre-serialised
   bytes, in its own process, in the same run. Target: the IOC endpoint at least 35% of its
   requests per second.

    uv run python bench/situation.py                         # national scale
    uv run python bench/situation.py --scale demo --seconds 5 --repeat 3

The national warehouse is generated once into ``bench/output/situation-<scale>.duckdb`` and
kept for later runs (``--regenerate`` to rebuild it). The load generator is a small asyncio
HTTP/1.1 client on uvloop; it shares the machine's cores with the server, equally for both
endpoints.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "bench" / "output"
SCENE = "tong-quan"
USER = "lanhdao"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- the data --------------------------------------------------------------------------


def warehouse_file(scale: str, regenerate: bool) -> Path:
    from noivu_ioc.generate import generate_into
    from noivu_ioc.warehouse import Warehouse

    path = OUTPUT / f"situation-{scale}.duckdb"
    if path.exists() and not regenerate:
        return path
    path.unlink(missing_ok=True)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    print(f"generating the {scale} warehouse into {path} (once) ...", flush=True)
    started = time.perf_counter()
    w = Warehouse(path)
    summary = generate_into(w, scale, 2025)
    w.close()
    rows = sum(summary.rows.values())
    print(f"  {rows:,} rows in {time.perf_counter() - started:.0f} s", flush=True)
    return path


def store_file(directory: Path) -> str:
    from noivu_ioc.demo import prepare_store
    from noivu_ioc.store import OpStore

    url = f"sqlite:///{directory / 'ioc.sqlite3'}"
    store = OpStore(url)
    prepare_store(store)
    store.dispose()
    return url


# -- 1. cold --------------------------------------------------------------------------


def cold(warehouse_path: Path, store_url: str, repeat: int) -> dict[str, Any]:
    from noivu_ioc.access.scope import Scope
    from noivu_ioc.indicators.compile import Place
    from noivu_ioc.indicators.engine import DuckDBEngine
    from noivu_ioc.indicators.service import Situation
    from noivu_ioc.store import OpStore
    from noivu_ioc.warehouse import Warehouse

    warehouse = Warehouse(warehouse_path, read_only=True)
    store = OpStore(store_url)
    statements: list[str] = []

    class Recording(DuckDBEngine):
        def rows(self, sql: str) -> list[tuple[Any, ...]]:
            statements.append(sql)
            return super().rows(sql)

    def project() -> float:
        situation = Situation(store, warehouse, Recording(warehouse))
        started = time.perf_counter()
        body = situation.scene_bytes(SCENE, Place.nation(), Scope.everything(), "vi")
        elapsed = time.perf_counter() - started
        assert b'"panels"' in body
        return elapsed

    def raw(sqls: list[str]) -> float:
        started = time.perf_counter()
        for sql in sqls:
            with warehouse.cursor() as cur:
                cur.execute(sql).fetchall()
        return time.perf_counter() - started

    # The first scene of a process also pays for imports and sqlglot's first parse;
    # shown apart, not in the ratio.
    first = project()
    sqls = list(dict.fromkeys(statements))
    raw(sqls)  # both sides start with DuckDB's buffers warm
    ours, theirs = [], []
    for run in range(repeat):  # alternating which goes first
        if run % 2:
            theirs.append(raw(sqls))
            ours.append(project())
        else:
            ours.append(project())
            theirs.append(raw(sqls))
    warehouse.close()
    store.dispose()
    result = {
        "statements": len(sqls),
        "first_in_process_s": first,
        "project_s": statistics.median(ours),
        "raw_duckdb_s": statistics.median(theirs),
    }
    result["ratio"] = result["project_s"] / result["raw_duckdb_s"]
    return result


# -- 2 and 3. warm, over HTTP -----------------------------------------------------------


def serve_ioc(port: int, data_dir: str, store_url: str, warehouse_path: str) -> None:
    import uvicorn

    from noivu_ioc.settings import Settings
    from noivu_ioc.store import OpStore
    from noivu_ioc.warehouse import Warehouse
    from noivu_ioc.web.app import create_app

    settings = Settings(data_dir=Path(data_dir), scheduler=False, log_level="WARNING")
    app = create_app(settings, OpStore(store_url), Warehouse(Path(warehouse_path), True))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def serve_bare(port: int, body_file: str) -> None:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    body = Path(body_file).read_bytes()

    async def scene(request: Any) -> Response:
        return Response(body, media_type="application/json")

    app = Starlette(routes=[Route(f"/api/scenes/{SCENE}/data", scene)])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _start(args: list[str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, __file__, *args], cwd=ROOT)
    for _ in range(600):  # start-up poll
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server {args} did not start")


def _get(port: int, path: str, cookie: str | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    connection.request("GET", path, headers={"Cookie": f"ioc_session={cookie}"} if cookie else {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def _login(port: int) -> str:
    from noivu_ioc.demo import DEMO_PASSWORD

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    # The JSON login: the login form needs the pre-session CSRF token of its page.
    body = json.dumps({"username": USER, "password": DEMO_PASSWORD})
    connection.request("POST", "/api/session", body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    cookies = SimpleCookie()
    for header in response.headers.get_all("set-cookie") or []:
        cookies.load(header)
    connection.close()
    if "ioc_session" not in cookies:
        raise RuntimeError(f"login as {USER} failed: HTTP {response.status}")
    return cookies["ioc_session"].value


async def _client(
    port: int, path: str, cookie: str | None, until: float, latencies: list[float]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    if cookie:
        head += f"Cookie: ioc_session={cookie}\r\n"
    request = (head + "\r\n").encode()
    try:
        while time.perf_counter() < until:
            started = time.perf_counter()
            writer.write(request)
            headers = await reader.readuntil(b"\r\n\r\n")
            status = headers[9:12]
            length = 0
            for line in headers.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            if status != b"200":
                raise RuntimeError(f"{path} answered {status.decode()}")
            latencies.append(time.perf_counter() - started)
    finally:
        writer.close()


def load(port: int, path: str, cookie: str | None, clients: int, seconds: float) -> dict[str, Any]:
    import uvloop

    latencies: list[float] = []

    async def run() -> float:
        # A short warm-up, not counted.
        warm: list[float] = []
        await asyncio.gather(
            *[_client(port, path, cookie, time.perf_counter() + 1.0, warm) for _ in range(8)]
        )
        started = time.perf_counter()
        until = started + seconds
        await asyncio.gather(
            *[_client(port, path, cookie, until, latencies) for _ in range(clients)]
        )
        return time.perf_counter() - started

    elapsed = uvloop.run(run())
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    return {
        "requests": len(ordered),
        "rps": len(ordered) / elapsed,
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
    }


def warm(
    warehouse_path: Path, store_url: str, directory: Path, clients: int, seconds: float
) -> dict[str, Any]:
    path = f"/api/scenes/{SCENE}/data"
    port = _free_port()
    ioc = _start(["--serve-ioc", str(port), str(directory), store_url, str(warehouse_path)], port)
    try:
        cookie = _login(port)
        started = time.perf_counter()
        status, body = _get(port, path, cookie)
        first_s = time.perf_counter() - started
        if status != 200:
            raise RuntimeError(f"{path} answered {status}: {body[:300]!r}")
        ours = load(port, path, cookie, clients, seconds)
    finally:
        ioc.terminate()
        ioc.wait()
    body_file = directory / "scene.json"
    body_file.write_bytes(body)
    port = _free_port()
    bare = _start(["--serve-bare", str(port), str(body_file)], port)
    try:
        theirs = load(port, path, None, clients, seconds)
    finally:
        bare.terminate()
        bare.wait()
    return {
        "first_request_s": first_s,
        "bytes": len(body),
        "ioc": ours,
        "bare_starlette": theirs,
        "rps_share": ours["rps"] / theirs["rps"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default="national", choices=["demo", "province", "national"])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()

    warehouse_path = warehouse_file(args.scale, args.regenerate)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        store_url = store_file(directory)
        print(f"cold scene '{SCENE}' at {args.scale} scale ({args.repeat} runs) ...", flush=True)
        c = cold(warehouse_path, store_url, args.repeat)
        print(
            f"  project path {c['project_s'] * 1000:8.1f} ms   raw DuckDB "
            f"{c['raw_duckdb_s'] * 1000:8.1f} ms   ratio {c['ratio']:.2f}x (target <= 1.5x)"
            f"   [{c['statements']} statements; first scene of a process "
            f"{c['first_in_process_s'] * 1000:.0f} ms]",
            flush=True,
        )
        print(f"warm scene over HTTP, {args.clients} clients x {args.seconds:g} s ...", flush=True)
        w = warm(warehouse_path, store_url, directory, args.clients, args.seconds)
    ours, theirs = w["ioc"], w["bare_starlette"]
    for name, r in (("IOC (login, scope, cache)", ours), ("bare Starlette, same bytes", theirs)):
        print(
            f"  {name:28} {r['rps']:8.0f} req/s   p50 {r['p50_ms']:6.1f} ms   "
            f"p95 {r['p95_ms']:6.1f} ms   p99 {r['p99_ms']:6.1f} ms   ({r['requests']:,} requests)"
        )
    print(
        f"  IOC share of bare Starlette's req/s: {w['rps_share']:.0%} (target >= 35%); "
        f"IOC p95 {ours['p95_ms']:.1f} ms (target < 50 ms); first request (cold, in the "
        f"server) {w['first_request_s'] * 1000:.0f} ms; body {w['bytes']:,} bytes"
    )
    OUTPUT.mkdir(parents=True, exist_ok=True)
    report = {"scale": args.scale, "cold": c, "warm": w, "cpus": os.cpu_count()}
    (OUTPUT / f"situation-{args.scale}.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--serve-ioc":
        serve_ioc(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5])
    elif len(sys.argv) > 1 and sys.argv[1] == "--serve-bare":
        serve_bare(int(sys.argv[2]), sys.argv[3])
    else:
        main()
