"""The log in the operational store, on SQLite and on PostgreSQL: appends in batches and one
by one give the tree the RFC defines, proofs verify against roots at any size, concurrent
appenders never leave a gap, and the canonical JSON rule is the stdlib's."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import func, select

from noivu_ioc.errors import InvalidInputError
from noivu_ioc.ledger import log as ledger_log
from noivu_ioc.ledger import merkle
from noivu_ioc.ledger.canonical import canonical_json, plain
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import LedgerEntry, LedgerNode


def audit_item(n: int) -> ledger_log.Item:
    return ("audit", f"audit:{n}", {"id": n, "action": "thử", "detail": {"n": n, "ok": True}})


def memory_tree(store: OpStore) -> merkle.MemoryTree:
    with store.session() as session:
        rows = session.scalars(select(LedgerEntry).order_by(LedgerEntry.idx)).all()
        return merkle.MemoryTree(merkle.leaf_hash(r.data.encode()) for r in rows)


def test_appends_build_the_rfc_tree(store: OpStore) -> None:
    sizes = [1, 1, 3, 8, 1, 50, 7, 1, 128, 33]
    start = 0
    for count in sizes:
        with store.session() as session:
            got = ledger_log.append(session, [audit_item(start + i) for i in range(count)])
        assert got == list(range(start, start + count))
        start += count
    tree = memory_tree(store)
    assert len(tree) == sum(sizes)

    with store.session() as session:
        assert ledger_log.size(session) == len(tree)
        stored = {
            (lv, ix): bytes(h)
            for lv, ix, h in session.execute(
                select(LedgerNode.level, LedgerNode.idx, LedgerNode.hash)
            )
        }
        expected = {
            (lv, ix): tree.levels[lv][ix]
            for lv in range(1, len(tree.levels))
            for ix in range(len(tree.levels[lv]))
        }
        assert stored == expected
        for n in (1, 2, 3, 5, 13, 64, 65, 100, len(tree)):
            assert ledger_log.root_at(session, n) == merkle.root(tree, n)
            for idx in {0, n // 2, n - 1}:
                path = ledger_log.inclusion_proof(session, idx, n)
                assert merkle.verify_inclusion(
                    tree.levels[0][idx], idx, n, path, merkle.root(tree, n)
                )
            for first in {1, n // 3 or 1, n}:
                proof = ledger_log.consistency_proof(session, first, n)
                assert merkle.verify_consistency(
                    first, n, merkle.root(tree, first), merkle.root(tree, n), proof
                )


def test_entries_carry_canonical_data_and_leaf_hashes(store: OpStore) -> None:
    payload = {"z": 1, "a": 'Nguyễn Văn "A"\n', "m": [None, False, {"y": 2, "b": 3}]}
    with store.session() as session:
        (idx,) = ledger_log.append(session, [("personnel", "person:CB0000000001", payload)])
    with store.session() as session:
        (entry,) = ledger_log.entries(session, idx, idx + 1)
    assert entry.data == json.dumps(
        payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True
    )
    assert entry.data.startswith('{"a":"Nguyễn Văn \\"A\\"\\n","m":[null,false,{"b":3')
    assert bytes(entry.leaf_hash) == merkle.leaf_hash(entry.data.encode("utf-8"))
    assert (entry.kind, entry.key) == ("personnel", "person:CB0000000001")


def test_a_rolled_back_append_leaves_nothing(store: OpStore) -> None:
    with store.session() as session:
        ledger_log.append(session, [audit_item(0)])
    with pytest.raises(RuntimeError), store.session() as session:
        ledger_log.append(session, [audit_item(1), audit_item(2)])
        raise RuntimeError("the caller's transaction fails after the append")
    with store.session() as session:
        assert ledger_log.size(session) == 1
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 1
        assert ledger_log.append(session, [audit_item(3)]) == [1]


def test_concurrent_appenders_are_serial(store: OpStore) -> None:
    errors: list[BaseException] = []

    def appender(worker: int) -> None:
        try:
            for n in range(15):
                with store.session() as session:
                    ledger_log.append(session, [audit_item(worker * 1000 + n)] * (1 + n % 3))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=appender, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with store.session() as session:
        indexes = session.scalars(select(LedgerEntry.idx).order_by(LedgerEntry.idx)).all()
        assert indexes == list(range(4 * sum(1 + n % 3 for n in range(15))))
        tree = memory_tree(store)
        assert ledger_log.root_at(session, len(tree)) == merkle.root(tree, len(tree))


def test_out_of_range_requests_are_refused_by_name(store: OpStore) -> None:
    with store.session() as session:
        ledger_log.append(session, [audit_item(n) for n in range(5)])
    with store.session() as session:
        with pytest.raises(InvalidInputError, match="tree size 6 is beyond the log, which holds 5"):
            ledger_log.root_at(session, 6)
        with pytest.raises(InvalidInputError, match="entry 5 is not in a tree of 5 entries"):
            ledger_log.inclusion_proof(session, 5, 5)
        with pytest.raises(InvalidInputError, match="first tree size 4 must lie between 0 and"):
            ledger_log.consistency_proof(session, 4, 3)
        with pytest.raises(InvalidInputError, match="ask for at most 1000"):
            ledger_log.entries(session, 0, 5000)
        with pytest.raises(InvalidInputError, match="kind 'other' is not one of"):
            ledger_log.append(session, [("other", "x:1", {})])
        with pytest.raises(InvalidInputError, match=r"payload.share.*cannot be written"):
            ledger_log.append(session, [("audit", "audit:9", {"share": 0.5})])


def test_canonical_json_is_the_stdlib_rule() -> None:
    samples = [
        {"b": [1, -2, 2**62], "a": None, "é": "\u0000\u001f\u007f\u2028 / <>&'\"\\", "A": True},
        {"nested": {"z": {}, "y": []}, "emoji": "\U0001f600", "tab": "\t\r\n\b\f"},
    ]
    for value in samples:
        assert canonical_json(value) == json.dumps(
            value, ensure_ascii=False, separators=(",", ":"), sort_keys=True
        )
    with pytest.raises(InvalidInputError, match=r"lone|UTF-8"):
        canonical_json({"bad": "\ud800"})
    with pytest.raises(InvalidInputError, match="does not fit in 64 bits"):
        canonical_json({"big": 2**64})
    assert plain({"seconds": 1.5, "tiny": 1e-05, "list": [3.0, 1]}) == {
        "seconds": "1.5",
        "tiny": "1e-05",
        "list": ["3.0", 1],
    }
