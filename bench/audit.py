"""Benchmark: what the audit trail costs on a read-heavy endpoint.

A provincial officer reads personnel dossiers of their province one by one
(``GET /api/records/person/{id}``): each answer shows personal fields in clear under a
data-sharing agreement, so each read writes an audit entry in the same transaction as the
agreements' lookup. The same server, the same data and the same clients run with the audit
on and, as the baseline in the same run, with it off (``audit_reads=False``), alternately,
``--rounds`` times each; the best round of each is compared. Target: with the audit on, at
most 10% slower (requests per second).

    uv run python bench/audit.py                      # SQLite, then PostgreSQL
    uv run python bench/audit.py --quick              # a few seconds, SQLite only

The IOC runs under uvicorn in its own process; the load generator (``bench/situation.py``'s
asyncio HTTP/1.1 client on uvloop) shares the machine's cores with it, equally for both.
Figures go to ``bench/output/audit.txt`` too.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from situation import _free_port, load

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "bench" / "output"
PG_ADMIN_URL = os.environ.get("IOC_TEST_POSTGRES", "postgresql://root@127.0.0.1:5432/test")
USER = "sonv.laocai"
TARGET = 0.10


def serve(port: int, data_dir: str, store_url: str, warehouse: str, audit: str) -> None:
    import uvicorn

    from noivu_ioc.settings import Settings
    from noivu_ioc.store import OpStore
    from noivu_ioc.warehouse import Warehouse
    from noivu_ioc.web.app import create_app

    settings = Settings(
        data_dir=Path(data_dir), scheduler=False, log_level="WARNING", audit_reads=audit == "1"
    )
    app = create_app(settings, OpStore(store_url), Warehouse(Path(warehouse), True))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _start(args: list[str], port: int) -> subprocess.Popen[bytes]:
    import socket

    process = subprocess.Popen([sys.executable, __file__, *args], cwd=ROOT)
    for _ in range(600):  # start-up poll
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server {args} did not start")


def _login(port: int) -> str:
    import http.client
    import json

    from noivu_ioc.demo import DEMO_PASSWORD

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    body = json.dumps({"username": USER, "password": DEMO_PASSWORD})
    connection.request("POST", "/api/session", body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    for header in response.headers.get_all("set-cookie") or []:
        if header.startswith("ioc_session="):
            connection.close()
            return header.split(";", 1)[0].split("=", 1)[1]
    raise RuntimeError(f"login as {USER} failed: HTTP {response.status}")


def prepare(directory: Path, backend: str) -> tuple[str, str, str | None, list[str]]:
    """A demo-scale warehouse and a store with the demo users and agreements."""
    from noivu_ioc.demo import prepare_store
    from noivu_ioc.generate import generate_into
    from noivu_ioc.store import OpStore
    from noivu_ioc.warehouse import Warehouse

    warehouse_path = directory / "warehouse.duckdb"
    if not warehouse_path.exists():
        warehouse = Warehouse(warehouse_path)
        generate_into(warehouse, "demo", 2025)
        warehouse.close()
    database = None
    if backend == "sqlite":
        url = f"sqlite:///{directory / 'ioc.sqlite3'}"
    else:
        import psycopg

        database = f"ioc_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database}"')
        base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        url = f"{base}/{database}"
    store = OpStore(url)
    prepare_store(store)
    store.dispose()
    warehouse = Warehouse(warehouse_path, True)
    ids = [
        r["person_id"]
        for r in warehouse.query("SELECT person_id FROM person WHERE province_code = '15'")
    ]
    warehouse.close()
    return url, str(warehouse_path), database, ids


def _audit_rows(url: str) -> int:
    from sqlalchemy import func, select

    from noivu_ioc.store import OpStore
    from noivu_ioc.store.models import AuditEvent

    store = OpStore(url)
    with store.session() as session:
        count = int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)
    store.dispose()
    return count


def measure(
    directory: Path, backend: str, clients: int, seconds: float, rounds: int
) -> dict[str, Any]:
    url, warehouse, database, ids = prepare(directory, backend)
    path = f"/api/records/person/{random.Random(7).choice(ids)}"
    best: dict[str, dict[str, Any]] = {}
    audited = 0
    try:
        for _ in range(rounds):
            for audit in ("1", "0"):
                port = _free_port()
                server = _start(["--serve", str(port), str(directory), url, warehouse, audit], port)
                try:
                    cookie = _login(port)
                    before = _audit_rows(url)
                    figures = load(port, path, cookie, clients, seconds)
                    if audit == "1":
                        audited = _audit_rows(url) - before
                finally:
                    server.terminate()
                    server.wait()
                name = "on" if audit == "1" else "off"
                if name not in best or figures["rps"] > best[name]["rps"]:
                    best[name] = figures
    finally:
        if database:
            import psycopg

            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    cost = 1 - best["on"]["rps"] / best["off"]["rps"]
    return {
        "backend": backend,
        "on": best["on"],
        "off": best["off"],
        "cost": cost,
        "audited_last_round": audited,
    }


def report(results: list[dict[str, Any]], clients: int, seconds: float, rounds: int) -> str:
    lines = [
        f"audit cost on GET /api/records/person/{{id}} as {USER}: {clients} clients, "
        f"{seconds:g} s a round, best of {rounds}; {os.cpu_count()} CPUs; "
        f"{time.strftime('%Y-%m-%d %H:%M')}"
    ]
    for r in results:
        on, off = r["on"], r["off"]
        lines.append(
            f"  {r['backend']:<10} audit on  {on['rps']:8,.0f} req/s  p50/p95/p99 "
            f"{on['p50_ms']:.1f}/{on['p95_ms']:.1f}/{on['p99_ms']:.1f} ms  "
            f"({r['audited_last_round']:,} entries written in its last round)"
        )
        lines.append(
            f"  {'':<10} audit off {off['rps']:8,.0f} req/s  p50/p95/p99 "
            f"{off['p50_ms']:.1f}/{off['p95_ms']:.1f}/{off['p99_ms']:.1f} ms"
        )
        verdict = "met" if r["cost"] <= TARGET else "MISSED"
        lines.append(
            f"  {'':<10} cost {r['cost'] * 100:.1f}% slower with the audit on "
            f"(target under {TARGET * 100:.0f}%): {verdict}"
        )
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve(int(sys.argv[2]), *sys.argv[3:7])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--quick", action="store_true", help="a smoke check of a few seconds")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.rounds, args.backends = 2.0, 1, "sqlite"
    results = []
    with tempfile.TemporaryDirectory(prefix="ioc-bench-audit-") as tmp:
        for backend in args.backends.split(","):
            results.append(measure(Path(tmp), backend, args.clients, args.seconds, args.rounds))
    text = report(results, args.clients, args.seconds, args.rounds)
    print(text)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "audit.txt").write_text(text + "\n")


if __name__ == "__main__":
    main()
