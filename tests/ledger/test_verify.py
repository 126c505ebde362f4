"""``ioc ledger verify`` on an untouched ledger, and after each way of tampering with what is
stored: every one is detected, and the problem names the entry, the head or the row."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, insert, select, update

from noivu_ioc.ledger import heads, merkle
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import (
    AuditEvent,
    LedgerCosignature,
    LedgerEntry,
    LedgerHead,
    LedgerNode,
    LedgerState,
    utcnow,
)
from tests.ledger.factories import Ledger, populated, tampering

# populate(): heads at 7 (entries 0-3 audit rows 1-4, 4-6 personnel), 15 (7-11 audit rows
# 5-9, 12-14 personnel) and 24 (15-20 audit rows 10-15, 21-23 personnel).


@pytest.fixture
def ledger(store: OpStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Ledger:
    monkeypatch.chdir(tmp_path)  # no .env of the working directory
    return populated(store, tmp_path / "data")


def test_an_untouched_ledger_verifies(ledger: Ledger) -> None:
    result = ledger.cli("verify")
    assert result.exit_code == 0, result.output
    assert "PROBLEM" not in result.output
    assert (
        "ledger: 24 entries (log size 24), 22 stored subtrees, 3 signed heads (latest of size "
        "24), 3 cosignatures, 15 sealed audit rows: OK"
    ) in result.output


def _entry(ledger: Ledger, idx: int) -> LedgerEntry:
    with ledger.store.session() as session:
        entry = session.get(LedgerEntry, idx)
        assert entry is not None
        session.expunge(entry)
        return entry


def _set_entry(ledger: Ledger, idx: int, **values: object) -> None:
    with tampering(ledger.store) as session:
        session.execute(update(LedgerEntry).where(LedgerEntry.idx == idx).values(**values))


def edit_data(ledger: Ledger) -> None:
    data = _entry(ledger, 4).data
    assert '"grade"' in data
    _set_entry(ledger, 4, data=data.replace('"grade"', '"title"'))


def edit_data_and_leaf(ledger: Ledger) -> None:
    data = _entry(ledger, 4).data.replace('"grade"', '"title"')
    _set_entry(ledger, 4, data=data, leaf_hash=merkle.leaf_hash(data.encode()))


def delete_entry(ledger: Ledger) -> None:
    with tampering(ledger.store) as session:
        session.execute(delete(LedgerEntry).where(LedgerEntry.idx == 10))


def reorder_entries(ledger: Ledger) -> None:
    """Versions 3 and 4 of person 1 swap places, each entry intact."""
    a, b = _entry(ledger, 12), _entry(ledger, 14)
    for target, source in ((12, b), (14, a)):
        _set_entry(ledger, target, data=source.data, leaf_hash=source.leaf_hash)


def truncate_log(ledger: Ledger) -> None:
    with tampering(ledger.store) as session:
        session.execute(delete(LedgerEntry).where(LedgerEntry.idx >= 20))
        session.execute(update(LedgerState).values(size=20))


def set_size_back(ledger: Ledger) -> None:
    with tampering(ledger.store) as session:
        session.execute(update(LedgerState).values(size=20))


def edit_sealed_audit_row(ledger: Ledger) -> None:
    with tampering(ledger.store) as session:
        session.execute(update(AuditEvent).where(AuditEvent.id == 2).values(target="person:X"))


def delete_sealed_audit_row(ledger: Ledger) -> None:
    with tampering(ledger.store) as session:
        session.execute(delete(AuditEvent).where(AuditEvent.id == 3))


def insert_audit_row_after_the_fact(ledger: Ledger) -> None:
    with ledger.store.session() as session:
        session.execute(
            insert(AuditEvent).values(
                at=utcnow() - timedelta(hours=3),
                username="quantri",
                action="user.disable",
                target="sonv.hanoi",
                outcome="ok",
            )
        )


def _resign(ledger: Ledger, tree_size: int, **values: object) -> None:
    """Change a head and sign it again with the log's own key: an insider's forgery."""
    with tampering(ledger.store) as session:
        head = session.get(LedgerHead, tree_size)
        assert head is not None
        for name, value in values.items():
            setattr(head, name, value)
        head.signature = ledger.signer.sign(heads.signed_bytes(head))


def fork_a_head(ledger: Ledger) -> None:
    _resign(ledger, 15, root_hash=merkle.leaf_hash(b"another history"))


def rewrite_history(ledger: Ledger) -> None:
    """An entry before a head changed, with every hash recomputed so that the stored tree
    agrees with itself; the heads signed earlier stay."""
    data = _entry(ledger, 3).data.replace("sonv.laocai", "sonv.hanoi")
    _set_entry(ledger, 3, data=data, leaf_hash=merkle.leaf_hash(data.encode()))
    with tampering(ledger.store) as session:
        rows = session.scalars(select(LedgerEntry).order_by(LedgerEntry.idx)).all()
        tree = merkle.MemoryTree(bytes(r.leaf_hash) for r in rows)
        session.execute(delete(LedgerNode))
        session.execute(
            insert(LedgerNode),
            [
                {"level": lv, "idx": ix, "hash": h}
                for lv in range(1, len(tree.levels))
                for ix, h in enumerate(tree.levels[lv])
            ],
        )


def forge_head_signature(ledger: Ledger) -> None:
    other = Ed25519PrivateKey.generate()
    with tampering(ledger.store) as session:
        head = session.get(LedgerHead, 24)
        assert head is not None
        head.signature = other.sign(heads.signed_bytes(head))


def sign_with_another_key(ledger: Ledger) -> None:
    other = heads.Signer.of(Ed25519PrivateKey.generate())
    with tampering(ledger.store) as session:
        head = session.get(LedgerHead, 24)
        assert head is not None
        head.key_id = other.key_id
        head.signature = other.sign(heads.signed_bytes(head))


def backdate_a_head(ledger: Ledger) -> None:
    with ledger.store.session() as session:
        first = session.get(LedgerHead, 7)
        assert first is not None
        stamp = first.timestamp_ms
    _resign(ledger, 15, timestamp_ms=stamp - 1)


def forge_cosignature(ledger: Ledger) -> None:
    with tampering(ledger.store) as session:
        session.execute(
            update(LedgerCosignature)
            .where(LedgerCosignature.tree_size == 15)
            .values(signature=bytes(64))
        )


def cosign_with_untrusted_key(ledger: Ledger) -> None:
    stranger = heads.Signer.of(Ed25519PrivateKey.generate())
    with ledger.store.session() as session:
        head = session.get(LedgerHead, 24)
        assert head is not None
        session.add(
            LedgerCosignature(
                tree_size=24,
                witness="thanhtra-bo",
                key_id=stranger.key_id,
                signature=stranger.sign(heads.signed_bytes(head)),
                at=utcnow(),
            )
        )


TAMPERS: dict[str, tuple[Callable[[Ledger], None], list[str]]] = {
    "edit an entry's data": (
        edit_data,
        [
            "entry 4: its data no longer gives its stored leaf hash",
            "head 7: its root is not the root of the stored entries 0 to 6",
        ],
    ),
    "edit an entry's data and leaf hash": (
        edit_data_and_leaf,
        [
            "subtree (1, 2) over entries 4 to 5: the stored hash is not",
            "head 7: its root is not the root",
        ],
    ),
    "delete an entry": (
        delete_entry,
        ["entry 10 is missing", "head 15: its root cannot be recomputed"],
    ),
    "reorder two entries": (
        reorder_entries,
        [
            "subtree (1, 6) over entries 12 to 13: the stored hash is not",
            "entry 12: person:CB0000000001 says version 4, but it is the key's entry number 3",
            "head 15: its root is not the root",
        ],
    ),
    "truncate the log": (
        truncate_log,
        [
            "head 24: covers more entries than the log's 20",
            "lies beyond the log's 20 entries (the log was truncated)",
        ],
    ),
    "set the size back": (set_size_back, ["entry 20: lies beyond the log's size 20"]),
    "edit a sealed audit row": (
        edit_sealed_audit_row,
        ["audit row 2: no longer matches its sealed entry 1"],
    ),
    "delete a sealed audit row": (
        delete_sealed_audit_row,
        ["entry 2: seals audit row 3, which is gone"],
    ),
    "insert an audit row after the fact": (
        insert_audit_row_after_the_fact,
        ["audit row 16", "is not sealed but older than the audit already sealed"],
    ),
    "fork a head": (
        fork_a_head,
        [
            "head 15: its root is not the root of the stored entries 0 to 14",
            "heads 7 and 15: the stored tree does not prove the second an extension of the first",
            "cosignature 2 of head 15 by thanhtra-bo: the signature does not verify",
        ],
    ),
    "rewrite the history after a head": (
        rewrite_history,
        [
            "head 7: its root is not the root of the stored entries 0 to 6",
            "head 15: its root is not",
            "head 24: its root is not",
            "heads 7 and 15: the stored tree does not prove",
        ],
    ),
    "forge a head signature": (
        forge_head_signature,
        ["head 24: its signature does not verify under the log's key"],
    ),
    "sign a head with another key": (sign_with_another_key, ["head 24: signed by key"]),
    "backdate a head": (backdate_a_head, ["head 15: its timestamp"]),
    "forge a cosignature": (
        forge_cosignature,
        ["cosignature 2 of head 15 by thanhtra-bo: the signature does not verify"],
    ),
    "cosign with an untrusted key": (
        cosign_with_untrusted_key,
        ["cosignature 4 of head 24 by thanhtra-bo: key", "is not a trusted witness"],
    ),
}


@pytest.mark.parametrize("name", TAMPERS)
def test_tampering_is_detected(ledger: Ledger, name: str) -> None:
    tamper, expected = TAMPERS[name]
    tamper(ledger)
    result = ledger.cli("verify")
    assert result.exit_code == 1, result.output
    for message in expected:
        assert message in result.output, (message, result.output)
    assert "problems" in result.output.splitlines()[-1]


def test_a_head_is_not_signed_over_a_changed_history(ledger: Ledger) -> None:
    rewrite_history(ledger)
    with ledger.store.session() as session:
        session.execute(update(LedgerState).values(size=24))
    from noivu_ioc.ledger.audit import seal_audit
    from tests.ledger.factories import write_audit

    write_audit(ledger.store, 1)
    seal_audit(ledger.store)
    result = ledger.cli("sign")
    assert result.exit_code == 2
    assert "no longer give the root of the head signed at that size" in result.output


def test_base64_keys_of_the_settings_sign_as_the_file_would(ledger: Ledger) -> None:
    raw = base64.b64encode(bytes(range(32))).decode()
    settings = ledger.settings.model_copy(update={"ledger_key": raw})
    signer = heads.log_signer(settings)
    assert signer.key_id == heads.key_id(signer.public)
    assert heads.log_signer(ledger.settings).key_id != signer.key_id
