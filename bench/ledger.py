"""Benchmark: the verifiable ledger's appends, proofs and their verification.

1. Appends per second through ``ledger.log.append`` on SQLite (a file, WAL) and on
   PostgreSQL (a fresh database on ``IOC_TEST_POSTGRES``): in batches of ``--batch`` entries
   per transaction, and one entry per transaction. The baseline, in the same run and the same
   database: plain inserts of the same rows (the same kind, key, data and leaf hash, already
   computed) into a table of the same columns without the tree, through the same
   ``executemany``, in the same transactions. What the ledger adds is its lock, the canonical
   JSON and the hashing, the complete subtrees and the size.
2. A log of ``--entries`` entries (1,000,000 by default) appended in batches of 10,000; then
   the root, inclusion proofs of random entries and consistency proofs between random sizes
   generated from the store (``--samples`` of each, median and 95th percentile), the stored
   hashes each one read, their size, and their verification (pure, bytes only). Target:
   verification under 1 ms.

    uv run python bench/ledger.py            # 1,000,000 entries, SQLite and PostgreSQL
    uv run python bench/ledger.py --quick    # 20,000 entries: a smoke check

Figures are printed and written to ``bench/output/ledger.txt``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, LargeBinary, MetaData, String, Table, Text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from noivu_ioc.ledger import canonical, merkle  # noqa: E402
from noivu_ioc.ledger import log as ledger_log  # noqa: E402
from noivu_ioc.store import OpStore  # noqa: E402
from noivu_ioc.store.models import utcnow  # noqa: E402

OUTPUT = ROOT / "bench" / "output"
PG_ADMIN = os.environ.get("IOC_TEST_POSTGRES", "postgresql://root@127.0.0.1:5432/test")
VERIFY_TARGET_MS = 1.0

PLAIN = Table(
    "bench_plain_entry",
    MetaData(),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", String(16), nullable=False),
    Column("key", String(160), nullable=False, index=True),
    Column("data", Text, nullable=False),
    Column("leaf_hash", LargeBinary(32), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)


def item(n: int) -> ledger_log.Item:
    """An entry like the ones the IOC appends: a personnel version."""
    return (
        "personnel",
        f"person:CB{n % 2_500_000:010d}",
        {
            "op": "change",
            "person_id": f"CB{n % 2_500_000:010d}",
            "version": 1 + n // 2_500_000,
            "content_sha256": f"{n:064x}",
            "fields": ["grade", "grade_date"],
            "load_id": 12,
            "run_id": 345,
            "origin": "sync",
            "at": "2026-12-04T08:00:00.000+00:00",
        },
    )


def plain_rows(start: int, count: int) -> list[dict[str, Any]]:
    rows = []
    at = utcnow()
    for n in range(start, start + count):
        kind, key, payload = item(n)
        data = canonical.canonical_json(payload)
        rows.append(
            {
                "idx": n,
                "kind": kind,
                "key": key,
                "data": data,
                "leaf_hash": merkle.leaf_hash(data.encode()),
                "at": at,
            }
        )
    return rows


# -- stores ----------------------------------------------------------------------------------


@contextmanager
def sqlite_store(directory: Path) -> Iterator[OpStore]:
    store = OpStore(f"sqlite:///{directory / f'ledger-{uuid.uuid4().hex[:6]}.sqlite3'}")
    store.upgrade()
    try:
        yield store
    finally:
        store.dispose()


@contextmanager
def postgres_store() -> Iterator[OpStore]:
    import psycopg

    name = f"ioc_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    store = OpStore(f"{base}/{name}")
    store.upgrade()
    try:
        yield store
    finally:
        store.dispose()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- appends ---------------------------------------------------------------------------------


def rate(store: OpStore, count: int, per_txn: int, ledger: bool) -> float:
    """Entries per second appended (``ledger``) or inserted plain, ``per_txn`` at a time."""
    PLAIN.create(store.engine, checkfirst=True)
    with store.session() as session:
        start = ledger_log.size(session) if ledger else 0
    if not ledger:
        with store.engine.begin() as conn:
            conn.execute(PLAIN.delete())
    began = time.perf_counter()
    for offset in range(0, count, per_txn):
        n = min(per_txn, count - offset)
        with store.session() as session:
            if ledger:
                ledger_log.append(session, [item(start + offset + i) for i in range(n)])
            else:
                session.execute(PLAIN.insert(), plain_rows(offset, n))
    return count / (time.perf_counter() - began)


def appends(store: OpStore, batched: int, single: int, batch: int) -> dict[str, float]:
    # Alternate the two so that neither always runs on a warmer database.
    return {
        "plain_batched": rate(store, batched, batch, ledger=False),
        "ledger_batched": rate(store, batched, batch, ledger=True),
        "plain_single": rate(store, single, 1, ledger=False),
        "ledger_single": rate(store, single, 1, ledger=True),
    }


# -- proofs ----------------------------------------------------------------------------------


def _timed(calls: int, fn: Callable[[int], object]) -> list[float]:
    times = []
    for n in range(calls):
        began = time.perf_counter()
        fn(n)
        times.append(time.perf_counter() - began)
    return times


def _ms(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered) * 1000, ordered[int(0.95 * (len(ordered) - 1))] * 1000


def fill(store: OpStore, entries: int) -> float:
    with store.session() as session:
        have = ledger_log.size(session)
    began = time.perf_counter()
    for offset in range(have, entries, 10_000):
        n = min(10_000, entries - offset)
        with store.session() as session:
            ledger_log.append(session, [item(offset + i) for i in range(n)])
    return (entries - have) / max(time.perf_counter() - began, 1e-9)


def proofs(store: OpStore, entries: int, samples: int) -> dict[str, Any]:
    rng = random.Random(2026)
    indexes = [rng.randrange(entries) for _ in range(samples)]
    firsts = [rng.randrange(1, entries) for _ in range(samples)]
    with store.session() as session:
        began = time.perf_counter()
        root = ledger_log.root_at(session, entries)
        root_ms = (time.perf_counter() - began) * 1000
        leaves = dict(
            (int(i), bytes(h))
            for i, h in session.execute(
                ledger_log._ENTRY.select()
                .with_only_columns(ledger_log._ENTRY.c.idx, ledger_log._ENTRY.c.leaf_hash)
                .where(ledger_log._ENTRY.c.idx.in_(indexes))
            )
        )
        made: dict[str, list[Any]] = {"inclusion": [], "consistency": [], "roots": []}
        reads: dict[str, list[int]] = {"inclusion": [], "consistency": []}

        def inclusion(n: int) -> None:
            reader = ledger_log.StoreReader(session)
            made["inclusion"].append(merkle.inclusion_proof(reader, indexes[n], entries))
            reads["inclusion"].append(reader.reads)

        def consistency(n: int) -> None:
            reader = ledger_log.StoreReader(session)
            made["consistency"].append(merkle.consistency_proof(reader, firsts[n], entries))
            reads["consistency"].append(reader.reads)

        generate_inclusion = _timed(samples, inclusion)
        generate_consistency = _timed(samples, consistency)
        first_roots = [ledger_log.root_at(session, f) for f in firsts]

    def check_inclusion(n: int) -> None:
        assert merkle.verify_inclusion(
            leaves[indexes[n]], indexes[n], entries, made["inclusion"][n], root
        )

    def check_consistency(n: int) -> None:
        assert merkle.verify_consistency(
            firsts[n], entries, first_roots[n], root, made["consistency"][n]
        )

    verify_inclusion = _timed(samples, check_inclusion)
    verify_consistency = _timed(samples, check_consistency)
    return {
        "root_ms": root_ms,
        "inclusion": {
            "generate_ms": _ms(generate_inclusion),
            "verify_ms": _ms(verify_inclusion),
            "hashes": max(len(p) for p in made["inclusion"]),
            "reads": max(reads["inclusion"]),
        },
        "consistency": {
            "generate_ms": _ms(generate_consistency),
            "verify_ms": _ms(verify_consistency),
            "hashes": max(len(p) for p in made["consistency"]),
            "reads": max(reads["consistency"]),
        },
    }


def verify_all(store: OpStore, directory: Path) -> dict[str, Any]:
    """``ioc ledger verify``'s check of everything stored, after signing one head."""
    from noivu_ioc.ledger import heads, verify
    from noivu_ioc.settings import Settings

    settings = Settings(data_dir=directory / "keys", database_url=store.url)
    heads.sign_head(store, settings)
    began = time.perf_counter()
    report = verify.verify(store, settings)
    return {"seconds": time.perf_counter() - began, "ok": report.ok, "summary": report.summary()}


# -- the report ------------------------------------------------------------------------------


def report_lines(
    name: str, a: dict[str, float], fill_rate: float, p: dict[str, Any], entries: int, batch: int
) -> list[str]:
    batched = a["ledger_batched"] / a["plain_batched"]
    single = a["ledger_single"] / a["plain_single"]
    lines = [
        f"{name}:",
        f"  appends, {batch:,} per transaction: ledger {a['ledger_batched']:10,.0f}/s   plain "
        f"inserts {a['plain_batched']:10,.0f}/s   (ledger at {batched:.0%} of plain)",
        f"  appends, 1 per transaction:     ledger {a['ledger_single']:10,.0f}/s   plain "
        f"inserts {a['plain_single']:10,.0f}/s   (ledger at {single:.0%} of plain)",
        f"  filling {entries:,} entries in batches of 10,000: {fill_rate:,.0f}/s; root at "
        f"{entries:,}: {p['root_ms']:.2f} ms",
    ]
    checked = p["verify_all"]
    lines.append(
        f"  full verification (every leaf, subtree, head): {checked['seconds']:.1f} s, "
        f"{entries / checked['seconds']:,.0f} entries/s, {'OK' if checked['ok'] else 'PROBLEMS'}"
    )
    for kind in ("inclusion", "consistency"):
        r = p[kind]
        gen, ver = r["generate_ms"], r["verify_ms"]
        lines.append(
            f"  {kind:11} proof at {entries:,}: generate p50 {gen[0]:.2f} ms p95 {gen[1]:.2f} "
            f"ms ({r['reads']} stored hashes read); verify p50 {ver[0] * 1000:.0f} us p95 "
            f"{ver[1] * 1000:.0f} us (target < {VERIFY_TARGET_MS:g} ms: "
            f"{'met' if ver[1] < VERIFY_TARGET_MS else 'MISSED'}); size {r['hashes']} hashes, "
            f"{r['hashes'] * 32} bytes"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--batched", type=int, default=100_000, help="entries appended batched")
    parser.add_argument("--single", type=int, default=2_000, help="entries one per transaction")
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--quick", action="store_true", help="20,000 entries, few samples")
    args = parser.parse_args()
    if args.quick:
        args.entries, args.batched, args.single, args.samples = 20_000, 10_000, 200, 50

    lines = [
        f"ledger: {os.cpu_count()} CPUs; {time.strftime('%Y-%m-%d %H:%M')}; appends of "
        f"personnel-like payloads ({len(canonical.canonical_json(item(0)[2]))} bytes of data)"
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends.split(","):
            opened = sqlite_store(Path(tmp)) if backend == "sqlite" else postgres_store()
            with opened as store:
                print(f"{backend}: appends ...", flush=True)
                a = appends(store, args.batched, args.single, args.batch)
                print(f"{backend}: filling {args.entries:,} entries ...", flush=True)
                fill_rate = fill(store, args.entries)
                print(f"{backend}: proofs ...", flush=True)
                p = proofs(store, args.entries, args.samples)
                print(f"{backend}: full verification ...", flush=True)
                p["verify_all"] = verify_all(store, Path(tmp))
            block = report_lines(backend, a, fill_rate, p, args.entries, args.batch)
            print("\n".join(block), flush=True)
            lines.extend(block)
    text = "\n".join(lines)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "ledger.txt").write_text(text + "\n")
    print(f"written to {OUTPUT / 'ledger.txt'}")


if __name__ == "__main__":
    main()
