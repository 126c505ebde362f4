"""The lease that makes scheduled work run once across server processes, and the loop that
runs the operations' jobs under it."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select, update

from noivu_ioc.operations import lease
from noivu_ioc.operations.loop import LEASE, OperationsLoop
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import Lease, utcnow


def _row(store: OpStore, name: str) -> tuple[str | None, int]:
    with store.session() as session:
        row = session.scalars(select(Lease).where(Lease.name == name)).one()
        return row.owner, row.runs


def test_a_lease_is_held_by_one_owner_until_it_runs_out_or_is_given_up(store: OpStore) -> None:
    assert lease.claim(store, "sync", "a", 60)
    assert not lease.claim(store, "sync", "b", 60)
    assert lease.claim(store, "sync", "a", 60)  # a renewal
    assert _row(store, "sync") == ("a", 2)

    lease.release(store, "sync", "b")  # not b's to give up
    assert not lease.claim(store, "sync", "b", 60)
    lease.release(store, "sync", "a")
    assert lease.claim(store, "sync", "b", 60)

    assert lease.claim(store, "other", "a", -1)  # held, but already run out
    assert lease.claim(store, "other", "b", 60)
    assert _row(store, "sync") == ("b", 3) and _row(store, "other") == ("b", 2)


def test_of_many_owners_claiming_at_once_exactly_one_wins(store: OpStore) -> None:
    owners = [f"worker-{i}" for i in range(8)]
    start = threading.Barrier(len(owners))

    def race(owner: str) -> bool:
        start.wait()
        return lease.claim(store, "race", owner, 60)

    with ThreadPoolExecutor(len(owners)) as pool:
        for _ in range(3):  # the first round inserts the row, the others take it over
            winners = [o for o, won in zip(owners, pool.map(race, owners), strict=True) if won]
            assert len(winners) == 1
            assert _row(store, "race")[0] == winners[0]
            with store.session() as session:  # it runs out
                session.execute(update(Lease).values(until=utcnow()))


def test_the_jobs_run_in_turn_and_a_failing_one_does_not_stop_the_others(store: OpStore) -> None:
    ran: list[str] = []

    def failing() -> None:
        ran.append("failing")
        raise RuntimeError("the warehouse is being replaced")

    jobs = [
        ("first", lambda: ran.append("first")),
        ("failing", failing),
        ("last", lambda: ran.append("last")),
    ]
    loop = OperationsLoop(store, jobs, every_s=60, owner="a")
    assert loop.tick() and loop.tick()
    assert ran == ["first", "failing", "last"] * 2
    assert loop.runs == 2 and _row(store, LEASE) == ("a", 2)


def test_of_two_loops_on_one_store_only_the_holder_runs_and_the_other_takes_over(
    store: OpStore,
) -> None:
    calls = {"a": 0, "b": 0}
    first = OperationsLoop(
        store, [("count", lambda: calls.__setitem__("a", calls["a"] + 1))], every_s=60, owner="a"
    )
    second = OperationsLoop(
        store, [("count", lambda: calls.__setitem__("b", calls["b"] + 1))], every_s=60, owner="b"
    )
    for _ in range(5):
        assert first.tick()
        assert not second.tick()
    assert calls == {"a": 5, "b": 0} and _row(store, LEASE) == ("a", 5)

    first.stop()  # shutting down gives the lease up: no wait for it to run out
    assert _row(store, LEASE)[0] is None
    assert second.tick() and not first.tick()
    assert calls == {"a": 5, "b": 1} and second.runs == 1


def test_the_loop_keeps_running_in_its_thread_after_a_failure(store: OpStore) -> None:
    calls = {"n": 0}
    done = threading.Event()

    def job() -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("the store is restarting")
        if calls["n"] >= 3:
            done.set()

    loop = OperationsLoop(store, [("job", job)], every_s=0.01, owner=lease.owner_name())
    loop.start()
    try:
        assert done.wait(60)  # a bound on waiting, not a speed check
    finally:
        loop.stop()
    assert loop.runs >= 3 and calls["n"] >= 3
    assert _row(store, LEASE) == (None, loop.runs)  # given up on stopping
