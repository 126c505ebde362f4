"""Sealing the audit trail into the ledger.

``seal_audit`` appends the audit rows not yet sealed (``ledger_idx`` empty), in id order, as
entries of kind ``audit`` with key ``audit:<id>`` and marks each row with its entry's index,
in one transaction: the scheduled loop calls it, then ``heads.sign_head``. Once a row is
sealed, editing or deleting it no longer matches its leaf, and ``ioc ledger verify`` says so.

The payload is the row's columns: ``id``, ``at`` (ISO 8601 in UTC, e.g.
``2026-12-04T07:30:00.123456+00:00``), ``user_id``, ``username``, ``action``, ``target``,
``outcome``, ``detail`` (the JSON object as stored, numbers with a fraction written as text)
and ``client``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from noivu_ioc.ledger import log as ledger_log
from noivu_ioc.ledger.canonical import plain
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import AuditEvent, as_utc

log = logging.getLogger(__name__)

KIND = "audit"
_AUDIT = cast(Table, AuditEvent.__table__)
COLUMNS = (
    _AUDIT.c.id,
    _AUDIT.c.at,
    _AUDIT.c.user_id,
    _AUDIT.c.username,
    _AUDIT.c.action,
    _AUDIT.c.target,
    _AUDIT.c.outcome,
    _AUDIT.c.detail,
    _AUDIT.c.client,
)


def audit_key(audit_id: int) -> str:
    return f"audit:{audit_id}"


def iso_utc(value: datetime) -> str:
    return as_utc(value).astimezone(UTC).isoformat()


def audit_payload(row: Any) -> dict[str, Any]:
    """What the ledger holds of an audit row, an ``AuditEvent`` or a row of its columns (see
    the module's description)."""
    return {
        "id": row.id,
        "at": iso_utc(row.at),
        "user_id": row.user_id,
        "username": row.username,
        "action": row.action,
        "target": row.target,
        "outcome": row.outcome,
        "detail": plain(row.detail),
        "client": row.client,
    }


def seal_in(session: Session, limit: int = 5000) -> int:
    """Seal up to ``limit`` unsealed audit rows in this transaction; returns how many."""
    ledger_log.lock(session)  # before reading: two sealers must not seal the same rows
    rows: Sequence[Row[Any]] = session.execute(  # type: ignore[assignment]
        select(*COLUMNS).where(_AUDIT.c.ledger_idx.is_(None)).order_by(_AUDIT.c.id).limit(limit)
    ).all()
    if not rows:
        return 0
    indexes = ledger_log.append(
        session, [(KIND, audit_key(row.id), audit_payload(row)) for row in rows]
    )
    session.execute(
        update(_AUDIT)
        .where(_AUDIT.c.id == bindparam("row_id"))
        .values(ledger_idx=bindparam("idx"))
        .execution_options(synchronize_session=False),
        [{"row_id": row.id, "idx": idx} for row, idx in zip(rows, indexes, strict=True)],
    )
    log.info("ledger: sealed %s audit rows (%s .. %s)", len(rows), rows[0].id, rows[-1].id)
    return len(rows)


def seal_audit(store: OpStore, limit: int = 5000) -> int:
    """Seal the audit rows not yet in the ledger, up to ``limit`` (the scheduled job)."""
    with store.session() as session:
        return seal_in(session, limit)
