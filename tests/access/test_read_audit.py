"""Read audits by group commit: every entry is stored before its read returns, reads that
arrive while a batch is written share the next transaction, and a failed write fails every
read of its batch (none is shown unaudited) without stopping the ones after it."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select, text

from noivu_ioc.access import users
from noivu_ioc.access.read_audit import ReadAudit
from noivu_ioc.access.users import Principal
from noivu_ioc.errors import StoreUnavailableError
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import AuditEvent, User
from tests.access.conftest import SeedUsers


@pytest.fixture
def reader(store: OpStore, seed_users: SeedUsers) -> Principal:
    seed_users(
        "suoi-hoa-sapa-mua-xuan",
        [("sonv.laocai", "Hoàng Thị Mai", "provincial_officer", "SNV.15")],
    )
    with store.session() as s:
        user = s.scalars(select(User).where(User.username == "sonv.laocai")).one()
        return users.principal_of(user)


def _write(audit: ReadAudit, principal: Principal, target: str) -> None:
    audit.write(
        "records.read",
        principal,
        target=target,
        detail={"fields": ["ngay_sinh"], "agreements": ["TT-1"], "purposes": ["x"], "rows": 1},
        client="10.0.0.7",
    )


@contextmanager
def _audit_table_held(store: OpStore) -> Iterator[None]:
    """Another connection holds the audit table, so that a writer waits on it."""
    with store.engine.connect() as connection:
        if store.engine.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.execute(text("BEGIN"))
            connection.execute(text("LOCK TABLE audit_event IN EXCLUSIVE MODE"))
        try:
            yield
        finally:
            connection.rollback()


def _wait_for(condition: object, what: str) -> None:
    for _ in range(500):  # poll: the threads get to their waits in their own time
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


def test_an_entry_is_stored_before_the_read_returns(store: OpStore, reader: Principal) -> None:
    audit = ReadAudit(store)
    _write(audit, reader, "person 15-000042")
    with store.session() as s:
        row = s.scalars(select(AuditEvent).where(AuditEvent.target == "person 15-000042")).one()
    assert (row.username, row.user_id, row.action, row.outcome) == (
        "sonv.laocai",
        reader.user_id,
        "records.read",
        "ok",
    )
    assert row.detail == {
        "fields": ["ngay_sinh"],
        "agreements": ["TT-1"],
        "purposes": ["x"],
        "rows": 1,
    }
    assert row.client == "10.0.0.7" and row.at is not None
    assert audit.transactions == 1


def test_reads_waiting_on_a_write_share_the_next_transaction(
    store: OpStore, reader: Principal
) -> None:
    audit = ReadAudit(store)
    errors: list[BaseException] = []

    def read(n: int) -> None:
        try:
            _write(audit, reader, f"person 15-{n:06d}")
        except BaseException as exc:
            errors.append(exc)

    with _audit_table_held(store):
        first = threading.Thread(target=read, args=(0,))
        first.start()
        _wait_for(lambda: audit._writing, "the first read writes")
        others = [threading.Thread(target=read, args=(n,)) for n in range(1, 10)]
        for t in others:
            t.start()
        _wait_for(lambda: len(audit._queue) == 9, "nine reads queue behind it")
    for t in [first, *others]:
        t.join()
    assert errors == []
    with store.session() as s:
        stored = s.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "records.read")
        )
    assert stored == 10
    assert audit.transactions == 2  # the first alone, then the nine together


def test_a_failed_write_fails_its_whole_batch_and_not_the_next(
    store: OpStore, reader: Principal
) -> None:
    audit = ReadAudit(store)
    # No such user: the store's foreign key refuses the entry, and with it its batch.
    ghost = Principal(
        user_id=987_654,
        username="ghost",
        full_name="",
        roles=reader.roles,
        scope=reader.scope,
        units=reader.units,
        language="vi",
    )
    outcomes: dict[str, BaseException | None] = {}

    def read(principal: Principal, target: str) -> None:
        try:
            _write(audit, principal, target)
            outcomes[target] = None
        except BaseException as exc:
            outcomes[target] = exc

    with _audit_table_held(store):
        first = threading.Thread(target=read, args=(reader, "first"))
        first.start()
        _wait_for(lambda: audit._writing, "the first read writes")
        batch = [
            threading.Thread(target=read, args=(ghost, "ghost")),
            threading.Thread(target=read, args=(reader, "same batch")),
        ]
        for t in batch:
            t.start()
        _wait_for(lambda: len(audit._queue) == 2, "two reads queue behind it")
    for t in [first, *batch]:
        t.join()
    assert outcomes["first"] is None
    for target in ("ghost", "same batch"):
        error = outcomes[target]
        assert isinstance(error, StoreUnavailableError)
        assert "not shown" in str(error) and "check the operational store" in str(error)
    _write(audit, reader, "after")  # the writer is free again
    with store.session() as s:
        targets = set(
            s.scalars(select(AuditEvent.target).where(AuditEvent.action == "records.read"))
        )
    assert targets == {"first", "after"}
