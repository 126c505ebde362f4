"""Named factories for the ledger tests: settings with a log key and a trusted witness, a
ledger holding sealed audit rows, personnel versions, signed heads and cosignatures, and the
``ioc ledger`` command run as a deployment runs it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from click.testing import Result
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from noivu_ioc.access.users import audit
from noivu_ioc.cli import app
from noivu_ioc.ledger import heads, records
from noivu_ioc.ledger.audit import seal_audit
from noivu_ioc.settings import Settings
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import APPEND_ONLY_TABLES, LedgerHead

WITNESS = "thanhtra-bo"


@dataclass
class Ledger:
    store: OpStore
    settings: Settings
    witness: heads.Signer
    env: dict[str, str]

    @property
    def signer(self) -> heads.Signer:
        return heads.log_signer(self.settings)

    def cli(self, *args: str) -> Result:
        return CliRunner().invoke(app, ["ledger", *args], env=self.env)


@contextmanager
def tampering(store: OpStore) -> Iterator[Session]:
    """A session that goes round the append-only triggers first, as someone with the rights
    to drop them would; they are back in place once it ends."""
    with store.session() as session:
        if session.get_bind().dialect.name == "postgresql":
            for table in APPEND_ONLY_TABLES:  # undone by ENABLE below, or by the rollback
                session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
            yield session
            session.flush()
            for table in APPEND_ONLY_TABLES:
                session.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
            return
        triggers = session.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        ).all()
        for name, _ in triggers:
            session.execute(text(f"DROP TRIGGER {name}"))
        try:
            yield session
            session.flush()
        finally:
            for _, sql in triggers:
                session.execute(text(sql))


def ledger_settings(data_dir: Path, store: OpStore, witness: heads.Signer) -> Settings:
    return Settings(
        data_dir=data_dir,
        database_url=store.url,
        scheduler=False,
        ledger_witnesses={WITNESS: witness.public_b64},
    )


def env_of(settings: Settings) -> dict[str, str]:
    return {
        "IOC_DATABASE_URL": str(settings.database_url),
        "IOC_DATA_DIR": str(settings.data_dir),
        "IOC_LEDGER_WITNESSES": json.dumps(settings.ledger_witnesses),
    }


def new_ledger(store: OpStore, data_dir: Path) -> Ledger:
    witness = heads.Signer.of(Ed25519PrivateKey.generate())
    settings = ledger_settings(data_dir, store, witness)
    return Ledger(store, settings, witness, env_of(settings))


def write_audit(store: OpStore, count: int, action: str = "record.read") -> None:
    with store.session() as session:
        for n in range(count):
            audit(
                session,
                action,
                "ok",
                username="sonv.laocai",
                target=f"person:CB{n:010d}",
                detail={"fields": ["full_name"], "seconds": 0.25, "n": n},
                client="10.0.0.7",
            )


def person_change(
    person: int, op: str = "change", fields: list[str] | None = None, content: str | None = None
) -> records.Change:
    return records.Change(
        f"CB{person:010d}", op, content or f"{person:064x}", ["grade"] if fields is None else fields
    )


def add_personnel(store: OpStore, changes: list[records.Change], run_id: int = 1) -> None:
    with store.session() as session:
        records.append_changes(session, changes, run_id=run_id, origin="sync", load_id=3)


def cosign(ledger: Ledger, head: LedgerHead) -> None:
    signature = ledger.witness.sign(heads.signed_bytes(head))
    with ledger.store.session() as session:
        heads.add_cosignature(
            session, ledger.settings, head.tree_size, ledger.witness.public, signature
        )


def populate(ledger: Ledger) -> list[LedgerHead]:
    """Three rounds of audit rows and personnel versions, each sealed, signed and cosigned."""
    made = []
    for round_ in range(3):
        write_audit(ledger.store, 4 + round_)
        seal_audit(ledger.store)
        add_personnel(
            ledger.store,
            [
                person_change(1, "create" if round_ == 0 else "change"),
                person_change(2 + round_, "create", []),
                person_change(1, "transfer", ["province_code"]),
            ],
        )
        head = heads.sign_head(ledger.store, ledger.settings)
        assert head is not None
        cosign(ledger, head)
        made.append(head)
    return made


def populated(store: OpStore, data_dir: Path) -> Ledger:
    """A new ledger after ``populate``: heads at 7, 15 and 24, each cosigned."""
    made = new_ledger(store, data_dir)
    assert [h.tree_size for h in populate(made)] == [7, 15, 24]
    return made
