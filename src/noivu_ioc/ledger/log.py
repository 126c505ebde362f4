"""The log in the operational store: entries, the complete subtrees they make, its size.

``append`` adds entries inside the caller's transaction. It first raises the log's size in
``ledger_state`` by the entries it appends (one ``UPDATE ... RETURNING``, which locks the row
on PostgreSQL and takes the database's write lock on SQLite), so appends from any number of
server processes are serial and the entries are numbered from 0 without gaps. The entries
and the hashes of the complete subtrees they complete are inserted in one ``executemany``
each; what an append reads of the tree so far is its frontier, at most one stored hash per
level, in one query.

Each entry's ``data`` is its payload as canonical JSON (``ledger.canonical``) and
``leaf_hash`` is ``SHA-256(0x00 || data as UTF-8)``. Rolling the transaction back rolls the
append back with it.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    Executable,
    Table,
    and_,
    bindparam,
    insert,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from noivu_ioc.errors import InvalidInputError, StoreUnavailableError
from noivu_ioc.ledger import merkle
from noivu_ioc.ledger.canonical import canonical_json
from noivu_ioc.store.models import LedgerEntry, LedgerNode, LedgerState, utcnow

log = logging.getLogger(__name__)

LOG = "main"  # the one log of an installation (ledger_state.name)
KINDS = ("personnel", "audit")
KEY_LENGTH = 160  # ledger_entry.key
ENTRIES_LIMIT = 1000  # most entries one read hands back

Item = tuple[str, str, dict[str, Any]]  # (kind, key, payload)

_ENTRY = cast(Table, LedgerEntry.__table__)
_NODE = cast(Table, LedgerNode.__table__)
_STATE = cast(Table, LedgerState.__table__)


class LedgerDamagedError(StoreUnavailableError):
    """The stored log contradicts itself (a missing entry or subtree): the ledger cannot
    answer until ``ioc ledger verify`` has named the damage and it is repaired."""


# -- the lock and the size -----------------------------------------------------------------


# Statements built once, so that SQLAlchemy compiles each of them once (an append is a handful
# of small statements, and building them anew cost more than running them).
_TOUCH = (
    update(_STATE)
    .where(_STATE.c.name == LOG)
    .values(size=_STATE.c.size + bindparam("grow"))
    .returning(_STATE.c.size)
)
_LEAVES = select(literal(0).label("level"), _ENTRY.c.idx, _ENTRY.c.leaf_hash).where(
    _ENTRY.c.idx.in_(bindparam("leaves", expanding=True))
)


@lru_cache(maxsize=128)
def _nodes(levels: int, with_leaves: bool) -> Executable:
    """The read of stored subtrees of ``levels`` levels (and of leaves): one indexed lookup
    per level (a row-value IN would scan the table on SQLite), built once per shape."""
    condition = or_(
        *(
            and_(
                _NODE.c.level == bindparam(f"level{n}"),
                _NODE.c.idx.in_(bindparam(f"idx{n}", expanding=True)),
            )
            for n in range(levels)
        )
    )
    nodes = select(_NODE.c.level, _NODE.c.idx, _NODE.c.hash).where(condition)
    return union_all(_LEAVES, nodes) if with_leaves else nodes


def lock(session: Session, grow: int = 0) -> int:
    """Take the log's lock for the rest of the transaction and return its size; with
    ``grow``, the size is raised by that many entries in the same statement (the caller then
    appends them from the size returned)."""
    # An UPDATE takes the row's lock on PostgreSQL and, as the transaction's first write, the
    # database's write lock on SQLite; reads after it see every committed append.
    size = session.execute(_TOUCH, {"grow": grow}).scalar()
    if size is None:  # the log's first use
        insert_state = (
            pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        )
        session.execute(insert_state(_STATE).values(name=LOG, size=0).on_conflict_do_nothing())
        size = session.execute(_TOUCH, {"grow": grow}).scalar_one()
    return int(size) - grow


def size(session: Session) -> int:
    """The log's size as of this transaction (no lock)."""
    found = session.execute(select(_STATE.c.size).where(_STATE.c.name == LOG)).scalar()
    return int(found or 0)


# -- reading the tree ----------------------------------------------------------------------


class StoreReader:
    """Complete subtrees from the store: level 0 from the entries' leaf hashes, the others
    from ``ledger_node``; one query whatever the number asked for."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.reads = 0  # stored hashes read, for the benchmarks and tests

    def read(self, wanted: Collection[merkle.Node]) -> dict[merkle.Node, bytes]:
        by_level: dict[int, list[int]] = {}
        for level, idx in wanted:
            by_level.setdefault(level, []).append(idx)
        leaves = sorted(by_level.pop(0, []))
        params: dict[str, Any] = {"leaves": leaves}
        for n, (level, idxs) in enumerate(sorted(by_level.items())):
            params[f"level{n}"] = level
            params[f"idx{n}"] = sorted(idxs)
        if by_level:
            query: Executable = _nodes(len(by_level), bool(leaves))
        elif leaves:
            query = _LEAVES
        else:
            return {}
        rows = self.session.execute(query, params)
        found = {(int(lv), int(ix)): bytes(h) for lv, ix, h in rows}
        self.reads += len(found)
        missing = [node for node in wanted if node not in found]
        if missing:
            level, idx = min(missing)
            what = f"entry {idx}" if level == 0 else f"the subtree ({level}, {idx})"
            raise LedgerDamagedError(
                f"the ledger's store lacks {what}: the log is damaged; run `ioc ledger verify` "
                "to see every problem"
            )
        return found


def _check_size(session: Session, tree_size: int, what: str) -> int:
    current = size(session)
    if not 0 <= tree_size <= current:
        raise InvalidInputError(
            f"{what} {tree_size} is beyond the log, which holds {current} entries; give a size "
            f"from 0 to {current}"
        )
    return current


def root_at(session: Session, tree_size: int) -> bytes:
    """The root of the log's first ``tree_size`` entries."""
    _check_size(session, tree_size, "tree size")
    return merkle.root(StoreReader(session), tree_size)


def inclusion_proof(session: Session, idx: int, tree_size: int) -> list[bytes]:
    """The audit path of entry ``idx`` in the tree of ``tree_size`` entries."""
    _check_size(session, tree_size, "tree size")
    if not 0 <= idx < tree_size:
        raise InvalidInputError(
            f"entry {idx} is not in a tree of {tree_size} entries; give an index from 0 to "
            f"{tree_size - 1}"
            if tree_size
            else "the tree of size 0 holds no entry"
        )
    return merkle.inclusion_proof(StoreReader(session), idx, tree_size)


def consistency_proof(session: Session, first: int, second: int) -> list[bytes]:
    """The proof that the log's first ``first`` entries are the start of its first
    ``second`` entries."""
    _check_size(session, second, "second tree size")
    if not 0 <= first <= second:
        raise InvalidInputError(
            f"first tree size {first} must lie between 0 and the second size {second}"
        )
    return merkle.consistency_proof(StoreReader(session), first, second)


# -- appending -----------------------------------------------------------------------------


def _check_item(n: int, kind: str, key: str) -> None:
    if kind not in KINDS:
        raise InvalidInputError(f"entry {n}: kind {kind!r} is not one of {', '.join(KINDS)}")
    if not key or len(key) > KEY_LENGTH:
        raise InvalidInputError(
            f"entry {n}: key {key[:40]!r} must hold 1 to {KEY_LENGTH} characters"
        )


def append(session: Session, items: Sequence[Item], at: datetime | None = None) -> list[int]:
    """Append entries in the caller's transaction; returns their indexes."""
    if not items:
        return []
    texts = []
    for n, (kind, key, payload) in enumerate(items):
        _check_item(n, kind, key)
        texts.append(canonical_json(payload))
    leaves = [merkle.leaf_hash(text.encode()) for text in texts]

    start = lock(session, grow=len(items))
    reader = StoreReader(session)
    edge = merkle.frontier(start)
    known = reader.read(edge) if edge else {}
    made = merkle.extend([(node, known[node]) for node in edge], start, leaves)

    when = at or utcnow()
    session.execute(
        insert(_ENTRY),
        [
            {
                "idx": start + n,
                "kind": kind,
                "key": key,
                "data": text,
                "leaf_hash": leaf,
                "at": when,
            }
            for n, ((kind, key, _), text, leaf) in enumerate(zip(items, texts, leaves, strict=True))
        ],
    )
    if made:
        session.execute(insert(_NODE), [{"level": lv, "idx": ix, "hash": h} for lv, ix, h in made])
    end = start + len(items)
    log.debug("ledger: appended entries %s .. %s", start, end - 1)
    return list(range(start, end))


# -- reading entries -----------------------------------------------------------------------


def entries(session: Session, start: int, end: int) -> list[LedgerEntry]:
    """Entries ``start .. end - 1`` (at most ``ENTRIES_LIMIT``), in order."""
    if start < 0 or end < start:
        raise InvalidInputError(f"entries {start} to {end}: give 0 <= start <= end")
    if end - start > ENTRIES_LIMIT:
        raise InvalidInputError(
            f"entries {start} to {end} are {end - start}; ask for at most {ENTRIES_LIMIT} at once"
        )
    return list(
        session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.idx >= start, LedgerEntry.idx < end)
            .order_by(LedgerEntry.idx)
        )
    )


def history(session: Session, key: str) -> list[LedgerEntry]:
    """Every entry of one key (a record's versions), oldest first."""
    return list(
        session.scalars(select(LedgerEntry).where(LedgerEntry.key == key).order_by(LedgerEntry.idx))
    )
