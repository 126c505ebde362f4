"""Two `ioc serve` processes on one PostgreSQL and one Redis, as a deployment runs them: an
event raised through one reaches the viewers of the other, each in scope, and the scheduled
rule evaluation runs once per tick across both.

Each process has its own data folder and warehouse file: DuckDB lets one process write a
file, and the operational store (PostgreSQL) is what the two share. They share the key that
encrypts source credentials too, as the settings ask of every server of one store.
"""

from __future__ import annotations

import time
from pathlib import Path

import orjson
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from noivu_ioc.operations.loop import LEASE
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import Alert, AlertRule, Event, Lease, utcnow
from tests.e2e.servers import (
    EVERY_S,
    REDIS_URL,
    Server,
    Viewer,
    create_user,
    login,
    shared_database,
    start_server,
)


def _seed(url: str) -> tuple[int, dict[str, int]]:
    """A rule that fails at every evaluation (its indicator is gone), so that each one
    leaves an event to count; and two open alerts, in Lào Cai and in Hà Nội."""
    store = OpStore(url)
    with store.session() as session:
        broken = AlertRule(
            name="e2e-missing-indicator",
            title_vi="Chỉ tiêu đã xoá",
            title_en="Removed",
            kind="indicator",
            severity="warning",
            created_by="e2e",
            config={
                "indicator": "e2e.removed",
                "condition": "above",
                "threshold": 0,
                "per": "nation",
            },
        )
        watched = AlertRule(
            name="e2e-devices",
            title_vi="Thiết bị",
            title_en="Devices",
            kind="event",
            severity="major",
            created_by="e2e",
            config={"kinds": ["e2e.none"]},
        )
        session.add_all([broken, watched])
        session.flush()
        alerts = {}
        for code in ("15", "01"):
            alert = Alert(
                rule_id=watched.id,
                subject=f"device-{code}",
                admin_code=code,
                severity="major",
                state="active",
                message=f"thiết bị {code} lỗi",
                opened_at=utcnow(),
                last_seen_at=utcnow(),
                level=1,
            )
            session.add(alert)
            session.flush()
            alerts[code] = alert.id
        rule_id = broken.id
    store.dispose()
    return rule_id, alerts


def _lease(store: OpStore) -> tuple[str | None, int]:
    with store.session() as session:
        row = session.get(Lease, LEASE)
        return (row.owner, row.runs) if row else (None, 0)


def _holder(servers: list[Server], owner: str | None) -> Server | None:
    pid = owner.split(":")[1] if owner else None
    return next((s for s in servers if str(s.process.pid) == pid), None)


def test_two_processes_share_live_events_and_run_the_rules_once(tmp_path: Path) -> None:
    with shared_database() as url:
        env = {
            "IOC_DATABASE_URL": url,
            "IOC_REDIS_URL": REDIS_URL,
            "IOC_ALERT_SECONDS": str(EVERY_S),
            "IOC_SECRET_KEY": Fernet.generate_key().decode(),
        }
        create_user(env, tmp_path, "chihuy", "leader", "BNV")
        create_user(env, tmp_path, "sonv-hn", "provincial_officer", "SNV.01")
        rule_id, alerts = _seed(url)
        store = OpStore(url)
        started = time.monotonic()
        a = start_server("a", env, tmp_path)
        b = start_server("b", env, tmp_path)
        servers = [a, b]
        print(f"\nboth up after {time.monotonic() - started:.1f} s")
        try:
            # 1. A Hà Nội viewer on B; a leader acknowledges on A, Lào Cai first.
            reader = login(b.base, "sonv-hn")
            viewer = Viewer(b.base, reader.cookies["ioc_session"])
            assert viewer.messages.get(timeout=60)[1] == "retry: 3000"  # a bound on waiting
            leader = login(a.base, "chihuy")
            laocai = leader.post(f"/api/alerts/{alerts['15']}/acknowledge")
            assert laocai.status_code == 200, laocai.text
            sent = time.monotonic()
            hanoi = leader.post(f"/api/alerts/{alerts['01']}/acknowledge")
            assert hanoi.status_code == 200, hanoi.text
            seen = []
            while not any(m["kind"] == "alert.acknowledged" for _, m in seen):
                at, text = viewer.messages.get(timeout=60)
                if "\ndata: " in text:
                    seen.append((at, orjson.loads(text.split("\ndata: ", 1)[1])))
            viewer.close()
            reader.close()
            leader.close()
            assert all(m["admin_code"] and m["admin_code"].startswith("01") for _, m in seen)
            at, message = seen[-1]
            assert message["kind"] == "alert.acknowledged" and message["subject"] == "device-01"
            print(
                f"\nacknowledged on A, seen by B's viewer {(at - sent) * 1000:.0f} ms after "
                "the request was sent"
            )

            # 2. Both run their operations loop; one holds the lease and evaluates.
            _, runs_before = _lease(store)
            owners = set()
            while _lease(store)[1] < runs_before + 10:
                owners.add(_lease(store)[0])
                time.sleep(EVERY_S / 3)
            owner, runs = _lease(store)
            owners.add(owner)
            holder = _holder(servers, owner)
            assert holder is not None, owner
            other = b if holder is a else a
            print(f"lease {LEASE!r}: {runs} runs, owners seen {sorted(o or '-' for o in owners)}")

            # 3. The holder stops (giving the lease up); the other takes over.
            holder.stop()
            print(f"{holder.name} stopped at {time.monotonic() - started:.1f} s")
            while _holder(servers, _lease(store)[0]) is not other:
                time.sleep(EVERY_S / 3)
            _, runs = _lease(store)
            while _lease(store)[1] < runs + 3:
                time.sleep(EVERY_S / 3)
            assert other.process.poll() is None
        finally:
            for server in servers:
                if server.process.poll() is None:
                    server.stop()
        elapsed = time.monotonic() - started

        # Every tick that held the lease evaluated the failing rule once, and no process
        # evaluated without it; two processes each evaluating would make about twice as many
        # ticks as one process can in the time they ran.
        _, runs = _lease(store)
        with store.session() as session:
            evaluations = session.scalar(
                select(func.count())
                .select_from(Event)
                .where(Event.kind == "rule.failed", Event.subject == f"rule:{rule_id}")
            )
        store.dispose()
        logs = {s.name: s.log.read_text() for s in servers}
        print(f"{evaluations} evaluations, {runs} lease runs in {elapsed:.1f} s")
        assert evaluations == runs, logs
        assert runs <= elapsed / EVERY_S + 2, logs
        took = [n for n, text in logs.items() if f"holds the lease '{LEASE}'" in text]
        assert sorted(took) == ["a", "b"], logs  # the first holder, then the other on its stop
