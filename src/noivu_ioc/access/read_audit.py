"""Read audits written by group commit: each read that shows personal fields in clear waits
until its audit entry is committed, but concurrent reads share one transaction.

A read-heavy endpoint would otherwise pay one transaction (and one fsync) per request for its
audit entry. Here the first request to arrive writes, in one transaction, every entry queued
by the time it starts; the requests that queue while it writes wait, and the first of them
writes the next batch. No thread of its own, nothing buffered past the response: an answer
leaves only once its entry is stored, so a crash loses no audit of a read that was shown.
If the write fails, every request of the batch fails with it (nothing is shown unaudited).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert

from noivu_ioc.access import audit_context
from noivu_ioc.access.users import Principal
from noivu_ioc.errors import StoreUnavailableError
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import AuditEvent, utcnow

MAX_BATCH = 500  # entries per transaction; the rest wait for the next one


@dataclass
class _Entry:
    row: dict[str, Any]
    done: bool = False
    error: Exception | None = None


class ReadAudit:
    """Writes read audits of one store in group commits (see the module's note)."""

    def __init__(self, store: OpStore) -> None:
        self._store = store
        self._ready = threading.Condition()
        self._queue: list[_Entry] = []
        self._writing = False
        self.transactions = 0  # how many batches were committed (for the benchmark)

    def write(
        self,
        action: str,
        principal: Principal,
        *,
        target: str | None,
        detail: dict[str, object],
        client: str | None,
    ) -> None:
        """Store one successful read's audit entry; returns once it is committed."""
        audit_context.noted()
        entry = _Entry(
            {
                "at": utcnow(),
                "user_id": principal.user_id,
                "username": principal.username,
                "action": action,
                "target": target,
                "outcome": "ok",
                "detail": detail,
                "client": client,
            }
        )
        with self._ready:
            self._queue.append(entry)
        while True:
            with self._ready:
                while not entry.done and self._writing:
                    self._ready.wait()
                if entry.done:
                    break
                # Nobody is writing: this request writes the oldest queued entries.
                self._writing = True
                batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
            self._commit(batch)
        if entry.error is not None:
            raise StoreUnavailableError(
                f"the audit entry of this read could not be stored ({entry.error}), so the "
                "data is not shown; check the operational store and try again"
            ) from entry.error

    def _commit(self, batch: list[_Entry]) -> None:
        error: Exception | None = None
        try:
            with self._store.engine.begin() as connection:
                connection.execute(insert(AuditEvent), [e.row for e in batch])
            self.transactions += 1
        except Exception as exc:  # handed to every request of the batch
            error = exc
        finally:
            with self._ready:
                for e in batch:
                    e.done, e.error = True, error
                self._writing = False
                self._ready.notify_all()
