"""The database refuses, through the IOC's own account, to edit or delete audit entries and
the ledger's rows or to shrink the log (migration 0007), on SQLite and PostgreSQL; sealing
an audit row, the one change allowed, still works, and what was refused is left as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Executable, delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from noivu_ioc.ledger.audit import seal_audit
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import (
    APPEND_ONLY_TABLES,
    AuditEvent,
    LedgerCosignature,
    LedgerEntry,
    LedgerHead,
    LedgerNode,
    LedgerState,
)
from tests.ledger.factories import populated, write_audit

REFUSED: dict[str, Executable] = {
    "edit an entry": update(LedgerEntry).where(LedgerEntry.idx == 3).values(data="{}"),
    "delete an entry": delete(LedgerEntry).where(LedgerEntry.idx == 3),
    "edit a subtree": update(LedgerNode).values(hash=bytes(32)),
    "delete the subtrees": delete(LedgerNode),
    "edit a head": update(LedgerHead).values(signature=bytes(64)),
    "delete a head": delete(LedgerHead).where(LedgerHead.tree_size == 24),
    "edit a cosignature": update(LedgerCosignature).values(signature=bytes(64)),
    "delete the cosignatures": delete(LedgerCosignature),
    "shrink the log": update(LedgerState).values(size=20),
    "delete the log's state": delete(LedgerState),
    "edit a sealed audit row": update(AuditEvent)
    .where(AuditEvent.id == 2)
    .values(target="person:X"),
    "unseal an audit row": update(AuditEvent).where(AuditEvent.id == 2).values(ledger_idx=None),
    "move a sealed row in the log": update(AuditEvent)
    .where(AuditEvent.id == 2)
    .values(ledger_idx=AuditEvent.ledger_idx + 1),
    "delete a sealed audit row": delete(AuditEvent).where(AuditEvent.id == 3),
}


def _snapshot(store: OpStore) -> dict[str, list[tuple[object, ...]]]:
    with store.engine.connect() as conn:
        return {
            table: [tuple(row) for row in conn.execute(text(f"SELECT * FROM {table} ORDER BY 1"))]
            for table in APPEND_ONLY_TABLES
        }


@pytest.mark.parametrize("what", list(REFUSED))
def test_the_ioc_cannot_change_what_it_has_recorded(
    store: OpStore, tmp_path: Path, what: str
) -> None:
    populated(store, tmp_path / "data")
    before = _snapshot(store)
    refusal = pytest.raises(DBAPIError, match=r"append-only|may only grow")
    with refusal, store.session() as session:
        session.execute(REFUSED[what])
    assert _snapshot(store) == before


def test_an_unsealed_audit_row_is_neither_edited_nor_deleted(store: OpStore) -> None:
    write_audit(store, 2)
    with store.engine.connect() as conn:
        first = conn.execute(select(func.min(AuditEvent.id))).scalar_one()
    for statement in (
        update(AuditEvent).where(AuditEvent.id == first).values(outcome="denied"),
        update(AuditEvent).where(AuditEvent.id == first).values(ledger_idx=5, client="x"),
        delete(AuditEvent).where(AuditEvent.id == first),
    ):
        with pytest.raises(DBAPIError, match="append-only"), store.session() as session:
            session.execute(statement)
    # The sealing, the one change allowed, goes through.
    assert seal_audit(store) == 2
    with store.session() as session:
        sealed = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [(row.outcome, row.client, row.ledger_idx) for row in sealed] == [
            ("ok", "10.0.0.7", 0),
            ("ok", "10.0.0.7", 1),
        ]


def test_the_log_grows_and_the_new_rows_go_in(store: OpStore, tmp_path: Path) -> None:
    ledger = populated(store, tmp_path / "data")
    write_audit(store, 3)
    assert seal_audit(store) == 3
    assert ledger.cli("verify").exit_code == 0


def test_emptying_a_guarded_table_is_refused(store: OpStore, tmp_path: Path) -> None:
    """TRUNCATE on PostgreSQL (which row triggers would not see), DELETE on SQLite."""
    populated(store, tmp_path / "data")
    before = _snapshot(store)
    postgresql = store.engine.dialect.name == "postgresql"
    for table in APPEND_ONLY_TABLES:
        statement = f"TRUNCATE {table} CASCADE" if postgresql else f"DELETE FROM {table}"
        refusal = f"{table} is append-only: {'TRUNCATE' if postgresql else 'DELETE'} refused"
        with pytest.raises(DBAPIError, match=refusal), store.session() as session:
            session.execute(text(statement))
    assert _snapshot(store) == before


def test_the_guards_come_off_with_a_downgrade_and_back_with_an_upgrade(store: OpStore) -> None:
    write_audit(store, 1)
    command.downgrade(store._alembic_config(), "0006")
    with store.session() as session:
        session.execute(update(AuditEvent).values(outcome="failed"))
    store.upgrade()
    with pytest.raises(DBAPIError, match="append-only"), store.session() as session:
        session.execute(update(AuditEvent).values(outcome="ok"))


def test_verify_notices_a_table_without_its_guards(store: OpStore, tmp_path: Path) -> None:
    ledger = populated(store, tmp_path / "data")
    assert ledger.cli("verify").exit_code == 0
    with store.engine.begin() as conn:
        if store.engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE ledger_entry DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER ledger_entry_no_update"))
            conn.execute(text("DROP TRIGGER ledger_entry_no_delete"))
    result = ledger.cli("verify")
    assert result.exit_code == 1, result.output
    assert "table ledger_entry has lost its append-only triggers (dropped or disabled)" in (
        result.output
    )
    assert "audit_event has lost" not in result.output
