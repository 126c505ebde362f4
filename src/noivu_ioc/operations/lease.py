"""Named leases in the operational store: with several server processes, the one holding a
lease does its job and the others wait, so that scheduled work runs once.

A claim is one statement that the database decides atomically: the row is taken when it is
free, expired, or already ours (a renewal); a missing row is inserted, and of two processes
inserting at once the primary key lets one win. Works alike on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import secrets
import socket
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from noivu_ioc.store import OpStore
from noivu_ioc.store.models import Lease, utcnow


def owner_name() -> str:
    """Who claims: host and process (to find it in the logs) and a token (two loops in one
    process are two owners)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def claim(store: OpStore, name: str, owner: str, seconds: float) -> bool:
    """Take or renew the lease ``name`` for ``seconds``; True when ``owner`` holds it now.
    Each successful claim counts one run of the lease's job in ``Lease.runs``."""
    now = utcnow()
    until = now + timedelta(seconds=seconds)
    with store.session() as session:
        taken = session.execute(
            update(Lease)
            .where(
                Lease.name == name,
                or_(Lease.owner == owner, Lease.until.is_(None), Lease.until < now),
            )
            .values(owner=owner, until=until, runs=Lease.runs + 1)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            return True
        if session.scalar(select(Lease.name).where(Lease.name == name)) is not None:
            return False  # someone else holds it
    try:
        with store.session() as session:
            session.add(Lease(name=name, owner=owner, until=until, runs=1))
    except IntegrityError:  # another process inserted it first: theirs
        return False
    return True


def release(store: OpStore, name: str, owner: str) -> None:
    """Give the lease up now (a process shutting down), so another takes it at once."""
    with store.session() as session:
        session.execute(
            update(Lease)
            .where(Lease.name == name, Lease.owner == owner)
            .values(owner=None, until=None)
            .execution_options(synchronize_session=False)
        )
