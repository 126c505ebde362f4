"""The witness, run as its own process (``ioc ledger witness --once``) against the IOC served
by uvicorn: it cosigns an honest log round after round, and refuses, with a non-zero exit and
the reason, a forged head, a rewritten history, a fork at the same size and a smaller tree,
even when the log's own key signed them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, insert, select, update

from noivu_ioc.ledger import heads, merkle
from noivu_ioc.ledger.audit import seal_audit
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import (
    LedgerCosignature,
    LedgerEntry,
    LedgerHead,
    LedgerNode,
    LedgerState,
)
from noivu_ioc.warehouse import Warehouse
from noivu_ioc.web.app import create_app
from tests.ledger.conftest import serving
from tests.ledger.factories import Ledger, new_ledger, populate, tampering, write_audit

ENV = {k: v for k, v in os.environ.items() if not k.startswith("IOC_")}


@dataclass
class Setup:
    ledger: Ledger
    base: str
    key_file: Path
    state: Path

    def command(self, *mode: str) -> list[str]:
        return [
            sys.executable,
            "-m",
            "noivu_ioc.cli",
            "ledger",
            "witness",
            *mode,
            "--url",
            self.base,
            "--log-key",
            self.ledger.signer.public_b64,
            "--key-file",
            str(self.key_file),
            "--state",
            str(self.state),
        ]

    def witness(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.command("--once"), capture_output=True, text=True, env=ENV)

    def cosigned_sizes(self) -> list[int]:
        with self.ledger.store.session() as session:
            return list(
                session.scalars(
                    select(LedgerCosignature.tree_size).order_by(LedgerCosignature.tree_size)
                )
            )


@pytest.fixture
def setup(store: OpStore, tmp_path: Path) -> Iterator[Setup]:
    ledger = new_ledger(store, tmp_path / "data")
    populate(ledger)
    with tampering(store) as session:  # the witness under test cosigns these itself
        session.execute(delete(LedgerCosignature))
    key_file = tmp_path / "witness" / "witness.key"
    key_file.parent.mkdir()
    key_file.write_bytes(
        ledger.witness.private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    warehouse = Warehouse(None)
    with serving(create_app(ledger.settings, store, warehouse), store) as base:
        yield Setup(ledger, base, key_file, tmp_path / "witness" / "state.json")
    warehouse.close()


def grow(ledger: Ledger, rows: int = 3) -> LedgerHead:
    write_audit(ledger.store, rows)
    seal_audit(ledger.store)
    head = heads.sign_head(ledger.store, ledger.settings)
    assert head is not None
    return head


def rewrite(ledger: Ledger, idx: int, keep_size: int | None = None) -> None:
    """An insider with the log's key changes entry ``idx``, recomputes every stored hash,
    removes the heads (and cosignatures) signed before, optionally cuts the log to
    ``keep_size`` entries, and signs the result: a log that agrees with itself."""
    with tampering(ledger.store) as session:
        entry = session.get(LedgerEntry, idx)
        assert entry is not None
        assert "sonv.laocai" in entry.data  # an audit entry
        entry.data = entry.data.replace("sonv.laocai", "sonv.hanoi")
        entry.leaf_hash = merkle.leaf_hash(entry.data.encode())
        if keep_size is not None:
            session.execute(delete(LedgerEntry).where(LedgerEntry.idx >= keep_size))
            session.execute(update(LedgerState).values(size=keep_size))
        session.flush()
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
        session.execute(delete(LedgerCosignature))
        session.execute(delete(LedgerHead))
    assert heads.sign_head(ledger.store, ledger.settings) is not None


def test_an_honest_log_is_cosigned_round_after_round(setup: Setup) -> None:
    first = setup.witness()
    assert first.returncode == 0, first.stderr
    assert "cosigned the head of tree size 24" in first.stdout
    assert "trusting the head of tree size 24" in first.stderr  # nothing to compare with yet

    again = setup.witness()
    assert again.returncode == 0 and "nothing new" in again.stdout

    grown = grow(setup.ledger)
    second = setup.witness()
    assert second.returncode == 0, second.stderr
    assert f"cosigned the head of tree size {grown.tree_size}" in second.stdout
    assert setup.cosigned_sizes() == [24, grown.tree_size]
    # What the witness cosigned verifies in the IOC's own check, too.
    assert setup.ledger.cli("verify").exit_code == 0


def test_a_forged_head_is_refused(setup: Setup) -> None:
    assert setup.witness().returncode == 0
    head = grow(setup.ledger)
    with tampering(setup.ledger.store) as session:
        stored = session.get(LedgerHead, head.tree_size)
        assert stored is not None
        stored.signature = Ed25519PrivateKey.generate().sign(heads.signed_bytes(stored))
    refused = setup.witness()
    assert refused.returncode == 1
    assert "REFUSED" in refused.stderr
    assert (
        f"the head of tree size {head.tree_size} is not signed by the log's key" in refused.stderr
    )
    assert setup.cosigned_sizes() == [24]


def test_a_rewritten_history_is_refused(setup: Setup) -> None:
    assert setup.witness().returncode == 0
    rewrite(setup.ledger, 3)  # an entry the witness's head covers
    head = grow(setup.ledger)
    refused = setup.witness()
    assert refused.returncode == 1
    assert (
        f"the head of tree size {head.tree_size} is not an extension of the head of tree size "
        "24 this witness cosigned"
    ) in refused.stderr
    assert setup.cosigned_sizes() == []  # the rewrite removed the old cosignature; no new one
    # Later rounds keep refusing: the state stays on what was cosigned.
    assert setup.witness().returncode == 1


def test_a_fork_at_the_same_size_is_refused(setup: Setup) -> None:
    assert setup.witness().returncode == 0
    rewrite(setup.ledger, 1)
    refused = setup.witness()
    assert refused.returncode == 1
    assert "a second head of tree size 24 with another root" in refused.stderr


def test_a_smaller_tree_is_refused(setup: Setup) -> None:
    assert setup.witness().returncode == 0
    rewrite(setup.ledger, 2, keep_size=20)
    refused = setup.witness()
    assert refused.returncode == 1
    assert "smaller than the 24 this witness cosigned" in refused.stderr


def _until(condition: Callable[[], bool], what: str, log: Path) -> None:
    for _ in range(600):  # poll: a round comes every second
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"the looping witness never {what}; its log:\n{log.read_text()}")


def test_the_looping_witness_cosigns_each_new_head_refuses_a_forgery_and_stops(
    setup: Setup, tmp_path: Path
) -> None:
    log = tmp_path / "witness.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            setup.command("--every", "1"), stdout=out, stderr=subprocess.STDOUT, text=True, env=ENV
        )
    try:
        _until(lambda: setup.cosigned_sizes() == [24], "cosigned the first head", log)
        grown = grow(setup.ledger)
        _until(lambda: grown.tree_size in setup.cosigned_sizes(), "cosigned the new head", log)

        forged = grow(setup.ledger)
        with tampering(setup.ledger.store) as session:
            stored = session.get(LedgerHead, forged.tree_size)
            assert stored is not None
            stored.signature = Ed25519PrivateKey.generate().sign(heads.signed_bytes(stored))
        refusal = f"REFUSED: the head of tree size {forged.tree_size} is not signed"
        _until(lambda: refusal in log.read_text(), "refused the forged head", log)
        # It goes on looping, and a refusal is said again each round, not cosigned.
        _until(lambda: log.read_text().count(refusal) >= 2, "refused it again", log)
        assert setup.cosigned_sizes() == [24, grown.tree_size]
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, log.read_text()
    assert "witness: stopped" in log.read_text()


def test_the_witness_prints_its_key(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "noivu_ioc.cli",
            "ledger",
            "witness",
            "--show-key",
            "--key-file",
            str(tmp_path / "w.key"),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    signer = heads.key_file(tmp_path / "w.key", create=False)
    assert done.stdout.strip() == signer.public_b64
    assert (tmp_path / "w.key").stat().st_mode & 0o777 == 0o600
