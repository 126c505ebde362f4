"""Verifying the whole ledger from what is stored (``ioc ledger verify``).

Everything is recomputed rather than trusted: each entry's leaf hash from its ``data``, each
stored complete subtree from those leaves, the root of every signed head, each head's
signature under the log's key (or the key that signed it before a rotation, when it is
listed in ``IOC_LEDGER_RETIRED_KEYS``; no key signs after the key that succeeded it), the
consistency of each head with the one before it (with a proof read from the stored
subtrees), every witness cosignature under the witness's key (``IOC_LEDGER_WITNESSES``),
that indexes run from 0 without gaps up to the log's size, that each entry's payload is
canonical and fits its kind (a record's versions count 1, 2, ...), and that the audit trail
matches what was sealed of it: every sealed row still gives its entry's leaf, every sealed
entry still has its row, and no unsealed row is older than what was sealed before it (a row
inserted after the fact), and that each append-only table still has the triggers by which
the database refuses edits to it. With ``records`` the warehouse's current personnel records
are compared with their latest ledger versions as well.

Each problem names where it is (an entry's index, a head's tree size, an audit row's id).
Entries are read in chunks, so memory stays bounded by the chunk and the per-key counters.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import orjson
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from noivu_ioc.errors import IOCError
from noivu_ioc.ledger import heads, merkle, records
from noivu_ioc.ledger.audit import COLUMNS as AUDIT_COLUMNS
from noivu_ioc.ledger.audit import audit_payload
from noivu_ioc.ledger.canonical import canonical_json
from noivu_ioc.ledger.heads import RetiredKey, Signer
from noivu_ioc.ledger.log import LedgerDamagedError, StoreReader, size
from noivu_ioc.settings import Settings
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import (
    APPEND_ONLY_TABLES,
    AuditEvent,
    LedgerCosignature,
    LedgerEntry,
    LedgerHead,
    LedgerNode,
    as_utc,
)
from noivu_ioc.warehouse import Warehouse

log = logging.getLogger(__name__)

CHUNK = 4096  # entries per read; a power of two, so chunks end on subtree boundaries
# An audit row is written when its transaction flushes and sealed after it commits: rows of
# transactions still open while a later row was sealed are sealed a round later. Older than
# this before a seal, an unsealed row was inserted after the fact.
AUDIT_GRACE = timedelta(minutes=5)
_MAX_SHOWN = 200  # problems listed one by one; beyond, counted


@dataclass
class Report:
    size: int = 0
    entries: int = 0
    nodes: int = 0
    heads: int = 0
    latest_head: int | None = None
    cosignatures: int = 0
    audit_rows: int = 0
    problems: list[str] = field(default_factory=list)
    records: records.RecordsReport | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, message: str) -> None:
        self.problems.append(message)

    def summary(self) -> str:
        parts = [
            f"{self.entries:,} entries (log size {self.size:,})",
            f"{self.nodes:,} stored subtrees",
            f"{self.heads:,} signed heads"
            + (f" (latest of size {self.latest_head:,})" if self.latest_head is not None else ""),
            f"{self.cosignatures:,} cosignatures",
            f"{self.audit_rows:,} sealed audit rows",
        ]
        if self.records is not None:
            parts.append(f"{self.records.checked:,} personnel records against the warehouse")
        verdict = "OK" if self.ok else f"{len(self.problems):,} problems"
        return "ledger: " + ", ".join(parts) + f": {verdict}"


@dataclass
class _Tree:
    """The tree recomputed from the entries as they stream by."""

    stack: list[tuple[merkle.Node, bytes]] = field(default_factory=list)
    count: int = 0
    gap: int | None = None  # the first missing index: roots past it cannot be recomputed

    @property
    def intact(self) -> bool:
        return self.gap is None

    def root(self) -> bytes:
        if not self.stack:
            return merkle.EMPTY_ROOT
        hashes = [h for _, h in self.stack]
        result = hashes[-1]
        for left in reversed(hashes[:-1]):
            result = merkle.node_hash(left, result)
        return result


def _stream(session: Session) -> Iterator[list[Any]]:
    after = -1
    while True:
        rows = session.execute(
            select(
                LedgerEntry.idx,
                LedgerEntry.kind,
                LedgerEntry.key,
                LedgerEntry.data,
                LedgerEntry.leaf_hash,
            )
            .where(LedgerEntry.idx > after)
            .order_by(LedgerEntry.idx)
            .limit(CHUNK)
        ).all()
        if not rows:
            return
        yield list(rows)
        after = int(rows[-1].idx)


def _span(level: int, idx: int) -> str:
    return f"entries {idx << level} to {((idx + 1) << level) - 1}"


class _Verifier:
    def __init__(self, session: Session, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self.report = Report()
        self.tree = _Tree()
        self.versions: dict[str, int] = {}
        self.audit_leaves: dict[int, tuple[int, bytes]] = {}  # idx -> (audit id, leaf)
        self.head_list = list(session.scalars(select(LedgerHead).order_by(LedgerHead.tree_size)))
        self.head_sizes = {h.tree_size: h for h in self.head_list}

    # -- entries and subtrees --------------------------------------------------------------

    def entries(self) -> None:
        report, tree = self.report, self.tree
        report.size = size(self.session)
        for rows in _stream(self.session):
            made: list[tuple[int, int, bytes]] = []
            for row in rows:
                idx = int(row.idx)
                if idx >= report.size:
                    report.problem(
                        f"entry {idx}: lies beyond the log's size {report.size} (an entry "
                        "added outside the ledger, or the size set back)"
                    )
                if idx != tree.count:
                    self._gap(tree.count, idx - 1)
                    tree.count = idx
                report.entries += 1
                leaf = merkle.leaf_hash(row.data.encode())
                if leaf != bytes(row.leaf_hash):
                    report.problem(
                        f"entry {idx}: its data no longer gives its stored leaf hash (the data "
                        "or the hash was edited)"
                    )
                self._payload(idx, row.kind, row.key, row.data, leaf)
                if tree.intact:
                    made.extend(_push(tree.stack, idx, leaf))
                tree.count = idx + 1
                if tree.count in self.head_sizes:
                    self._head_root(self.head_sizes[tree.count])
            if made:
                self._compare_nodes(made)
        if tree.count < report.size:
            self._gap(tree.count, report.size - 1)
        self._extra_nodes()

    def _gap(self, first: int, last: int) -> None:
        what = f"entry {first} is" if first == last else f"entries {first} to {last} are"
        self.report.problem(
            f"{what} missing: the indexes must run from 0 to {self.report.size - 1} without gaps"
        )
        if self.tree.gap is None:
            self.tree.gap = first

    def _compare_nodes(self, made: list[tuple[int, int, bytes]]) -> None:
        wanted = {(lv, ix): h for lv, ix, h in made}
        by_level: dict[int, list[int]] = {}
        for lv, ix in wanted:
            by_level.setdefault(lv, []).append(ix)
        stored: dict[merkle.Node, bytes] = {}
        for level, idxs in by_level.items():
            rows = self.session.execute(
                select(LedgerNode.idx, LedgerNode.hash).where(
                    LedgerNode.level == level, LedgerNode.idx.between(min(idxs), max(idxs))
                )
            )
            stored.update({(level, int(ix)): bytes(h) for ix, h in rows})
        for node, expected in sorted(wanted.items()):
            found = stored.get(node)
            level, idx = node
            if found is None:
                self.report.problem(
                    f"subtree ({level}, {idx}) over {_span(level, idx)} is missing from the store"
                )
            elif found != expected:
                self.report.problem(
                    f"subtree ({level}, {idx}) over {_span(level, idx)}: the stored hash is not "
                    "the one its entries give (entries edited, reordered or replaced)"
                )
        self.report.nodes += sum(1 for node in wanted if node in stored)

    def _extra_nodes(self) -> None:
        total = self.report.size
        levels = self.session.execute(select(func.max(LedgerNode.level))).scalar() or 0
        for level in range(1, int(levels) + 1):
            rows = self.session.execute(
                select(LedgerNode.idx).where(
                    LedgerNode.level == level, LedgerNode.idx >= total >> level
                )
            ).all()
            for (idx,) in rows[:5]:
                self.report.problem(
                    f"subtree ({level}, {idx}) over {_span(level, int(idx))} lies beyond the "
                    f"log's {total} entries (the log was truncated)"
                )

    # -- payloads ----------------------------------------------------------------------------

    def _payload(self, idx: int, kind: str, key: str, data: str, leaf: bytes) -> None:
        try:
            payload = orjson.loads(data)
            canonical = canonical_json(payload) == data
        except (orjson.JSONDecodeError, IOCError):
            payload, canonical = None, False
        if not canonical or not isinstance(payload, dict):
            self.report.problem(f"entry {idx}: its data is not a payload in canonical JSON")
            return
        if kind == records.KIND:
            person = payload.get("person_id")
            if key != records.person_key(str(person)):
                self.report.problem(f"entry {idx}: key {key!r} is not that of person {person!r}")
            version = self.versions.get(key, 0) + 1
            self.versions[key] = version
            if payload.get("version") != version:
                self.report.problem(
                    f"entry {idx}: {key} says version {payload.get('version')!r}, but it is the "
                    f"key's entry number {version} (entries reordered, removed or inserted)"
                )
            if payload.get("op") not in records.OPS:
                self.report.problem(f"entry {idx}: {payload.get('op')!r} is not an operation")
        elif kind == "audit":
            audit_id = payload.get("id")
            if not isinstance(audit_id, int) or key != f"audit:{audit_id}":
                self.report.problem(f"entry {idx}: key {key!r} is not that of audit row {audit_id}")
                return
            self.audit_leaves[idx] = (audit_id, leaf)
        else:
            self.report.problem(f"entry {idx}: kind {kind!r} is not a kind of the ledger")

    # -- heads -------------------------------------------------------------------------------

    def _head_root(self, head: LedgerHead) -> None:
        if self.tree.intact and self.tree.root() != head.root_hash:
            self.report.problem(
                f"head {head.tree_size}: its root is not the root of the stored entries 0 to "
                f"{head.tree_size - 1} (the history was rewritten, or the head forged)"
            )

    def heads(self) -> None:
        report = self.report
        signer = None
        retired: dict[str, RetiredKey] = {}
        if self.head_list:
            try:
                signer = heads.log_signer(self.settings, create=False)
                retired = heads.retired_keys(self.settings, signer)
            except IOCError as exc:
                report.problem(f"the log's keys cannot be read, so no signature is checked: {exc}")
                signer = None
        previous: LedgerHead | None = None
        succeeded: dict[str, int] = {}  # key id -> the first head signed by the key after it
        reader = StoreReader(self.session)
        for head in self.head_list:
            report.heads += 1
            report.latest_head = head.tree_size
            where = f"head {head.tree_size}"
            if head.tree_size > report.size:
                report.problem(
                    f"{where}: covers more entries than the log's {report.size} (entries "
                    "removed after it was signed)"
                )
            elif self.tree.gap is not None and head.tree_size > self.tree.gap:
                report.problem(f"{where}: its root cannot be recomputed past the missing entries")
            if signer is not None:
                self._signature(where, head, signer, retired)
            if previous is not None and head.key_id != previous.key_id:
                succeeded.setdefault(previous.key_id, head.tree_size)
            if head.key_id in succeeded:
                report.problem(
                    f"{where}: signed by key {head.key_id[:16]}…, which head "
                    f"{succeeded[head.key_id]} had already succeeded: a key signs nothing after "
                    "its rotation (a copy of a retired key in other hands?)"
                )
            if previous is not None:
                if head.timestamp_ms <= previous.timestamp_ms:
                    report.problem(
                        f"{where}: its timestamp {head.timestamp_ms} is not after that of head "
                        f"{previous.tree_size} ({previous.timestamp_ms})"
                    )
                self._consistent(reader, previous, head)
            previous = head

    def _signature(
        self,
        where: str,
        head: LedgerHead,
        signer: Signer,
        retired: dict[str, RetiredKey],
    ) -> None:
        """A head's signature, under the log's key or the retired key whose id it names."""
        if head.key_id == signer.key_id:
            public, whose = signer.public, "the log's key"
        elif head.key_id in retired:
            key = retired[head.key_id]
            public, whose = key.public, f"the retired key {key.name!r}"
        else:
            self.report.problem(
                f"{where}: signed by key {head.key_id[:16]}…, neither the log's key "
                f"{signer.key_id[:16]}… nor a retired key (IOC_LEDGER_RETIRED_KEYS): a forged "
                "head, or a retired key missing from that setting"
            )
            return
        if not heads.verify_signature(public, bytes(head.signature), heads.signed_bytes(head)):
            self.report.problem(f"{where}: its signature does not verify under {whose}")

    def _consistent(self, reader: StoreReader, first: LedgerHead, second: LedgerHead) -> None:
        if second.tree_size > self.report.size:
            return  # named already
        try:
            proof = merkle.consistency_proof(reader, first.tree_size, second.tree_size)
        except LedgerDamagedError as exc:
            self.report.problem(
                f"heads {first.tree_size} and {second.tree_size}: no consistency proof can be "
                f"read ({exc.message})"
            )
            return
        if not merkle.verify_consistency(
            first.tree_size, second.tree_size, first.root_hash, second.root_hash, proof
        ):
            self.report.problem(
                f"heads {first.tree_size} and {second.tree_size}: the stored tree does not prove "
                "the second an extension of the first (a fork, or a rewritten history)"
            )

    def cosignatures(self) -> None:
        try:
            witnesses = heads.trusted_witnesses(self.settings)
        except IOCError as exc:
            self.report.problem(f"the trusted witnesses cannot be read: {exc}")
            witnesses = {}
        rows = self.session.scalars(select(LedgerCosignature).order_by(LedgerCosignature.id))
        for row in rows:
            self.report.cosignatures += 1
            where = f"cosignature {row.id} of head {row.tree_size} by {row.witness}"
            witness = witnesses.get(row.key_id)
            head = self.head_sizes.get(row.tree_size)
            if witness is None:
                self.report.problem(
                    f"{where}: key {row.key_id[:16]}… is not a trusted witness "
                    "(IOC_LEDGER_WITNESSES)"
                )
            elif head is None:
                self.report.problem(f"{where}: there is no such head")
            elif not heads.verify_signature(
                witness.public, bytes(row.signature), heads.signed_bytes(head)
            ):
                self.report.problem(f"{where}: the signature does not verify under its key")

    # -- the audit trail ---------------------------------------------------------------------

    def audit(self) -> None:
        report = self.report
        table = AuditEvent.__table__
        last_seal = self.session.execute(
            select(func.max(LedgerEntry.at)).where(LedgerEntry.kind == "audit")
        ).scalar()
        seen: set[int] = set()
        after = 0
        # Seal rounds as the rows, in id order, reach them: a row sealed in one round but
        # older than the round before it was not there when that round ran.
        this_round = previous_round = None
        while True:
            rows = self.session.execute(
                select(*AUDIT_COLUMNS, table.c.ledger_idx)
                .where(table.c.id > after)
                .order_by(table.c.id)
                .limit(CHUNK)
            ).all()
            if not rows:
                break
            after = int(rows[-1].id)
            sealed_at = self._seal_times(
                [int(r.ledger_idx) for r in rows if r.ledger_idx is not None]
            )
            for row in rows:
                where = f"audit row {row.id}"
                if row.ledger_idx is None:
                    if last_seal is not None and as_utc(row.at) < as_utc(last_seal) - AUDIT_GRACE:
                        report.problem(
                            f"{where} ({as_utc(row.at):%Y-%m-%d %H:%M:%S} UTC) is not sealed but "
                            f"older than the audit already sealed: it was inserted after the fact"
                        )
                    continue
                report.audit_rows += 1
                idx = int(row.ledger_idx)
                found = self.audit_leaves.get(idx)
                if found is None or found[0] != row.id:
                    report.problem(f"{where}: its entry {idx} is missing or seals another row")
                    continue
                seen.add(idx)
                leaf = merkle.leaf_hash(canonical_json(audit_payload(row)).encode())
                if leaf != found[1]:
                    report.problem(
                        f"{where}: no longer matches its sealed entry {idx} (edited after sealing)"
                    )
                seal = sealed_at.get(idx)
                if seal is not None and (this_round is None or seal > this_round):
                    previous_round, this_round = this_round, seal
                if previous_round is not None and as_utc(row.at) < previous_round - AUDIT_GRACE:
                    report.problem(
                        f"{where} ({as_utc(row.at):%Y-%m-%d %H:%M:%S} UTC) was sealed in a round "
                        "after one that ran later than it was written: it was inserted after "
                        "the fact"
                    )
        for idx, (audit_id, _) in sorted(self.audit_leaves.items()):
            if idx not in seen:
                report.problem(
                    f"entry {idx}: seals audit row {audit_id}, which is gone or no longer points "
                    "to it (deleted or altered after sealing)"
                )

    def guards(self) -> None:
        dialect = self.session.get_bind().dialect.name
        guarded = {str(name) for (name,) in self.session.execute(text(_ENABLED_TRIGGERS[dialect]))}
        for table in APPEND_ONLY_TABLES:
            if table not in guarded:
                self.report.problem(
                    f"table {table} has lost its append-only triggers (dropped or disabled), so "
                    "the database no longer refuses edits to it: create them again as migration "
                    "0007 (store/migrations/versions/0007_append_only_guards.py) does"
                )

    def _seal_times(self, indexes: list[int]) -> dict[int, Any]:
        if not indexes:
            return {}
        rows = self.session.execute(
            select(LedgerEntry.idx, LedgerEntry.at).where(
                LedgerEntry.idx.between(min(indexes), max(indexes)), LedgerEntry.kind == "audit"
            )
        )
        return {int(i): as_utc(at) for i, at in rows}


_ENABLED_TRIGGERS = {
    "postgresql": "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = "
    "t.tgrelid WHERE NOT t.tgisinternal AND t.tgenabled <> 'D'",
    "sqlite": "SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger'",
}


def _push(
    stack: list[tuple[merkle.Node, bytes]], idx: int, leaf: bytes
) -> list[tuple[int, int, bytes]]:
    """Append one leaf to the frontier in place (as ``merkle.extend`` does); returns the
    complete subtrees it completes."""
    made = []
    stack.append(((0, idx), leaf))
    while len(stack) >= 2 and stack[-1][0][0] == stack[-2][0][0]:
        (level, _), right = stack.pop()
        (_, left_idx), left = stack.pop()
        parent = (level + 1, left_idx >> 1)
        digest = merkle.node_hash(left, right)
        stack.append((parent, digest))
        made.append((*parent, digest))
    return made


def verify(
    store: OpStore,
    settings: Settings,
    *,
    warehouse: Warehouse | None = None,
    repair: bool = False,
) -> Report:
    """Check everything the ledger stores (see the module's description); with a warehouse,
    the personnel records too, appending what is missing when ``repair``."""
    with store.session() as session:
        checker = _Verifier(session, settings)
        checker.entries()
        checker.heads()
        checker.cosignatures()
        checker.audit()
        checker.guards()
        report = checker.report
    if warehouse is not None:
        report.records = records.reconcile(store, warehouse, repair=repair)
        if not repair:
            report.problems.extend(report.records.problems)
    if len(report.problems) > _MAX_SHOWN:
        more = len(report.problems) - _MAX_SHOWN
        report.problems = [*report.problems[:_MAX_SHOWN], f"... and {more:,} more problems"]
    return report
