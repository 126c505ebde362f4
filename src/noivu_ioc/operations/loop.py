"""The scheduled work of operations, run in a thread of each server process and, through the
lease ``operations``, by one process at a time: evaluating the alert rules (with their
escalations), reminding whoever has not acted on an alert, a task, a process step or a
directive, publishing CAP messages, sending the e-mail and SMS copies of notifications, and
sealing the audit trail into the ledger under a new signed tree head.

Each tick the loop claims the lease for three of its intervals and, when it holds it, runs
the jobs in turn; the holder renews it every tick, and another process takes over when the
holder stops (it gives the lease up) or dies (the lease runs out). A job that takes longer
than the lease may overlap with the next holder's first tick.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from noivu_ioc.indicators.engine import Evaluator
from noivu_ioc.indicators.registry import Registry
from noivu_ioc.ledger import audit as ledger_audit
from noivu_ioc.ledger import heads
from noivu_ioc.operations import alerts, cap, directives, incidents, lease, outbox, processes
from noivu_ioc.operations.evaluate import evaluate_rules
from noivu_ioc.settings import Settings
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import utcnow

log = logging.getLogger(__name__)

LEASE = "operations"

Job = tuple[str, Callable[[], object]]


def operations_jobs(
    store: OpStore, evaluator: Evaluator, registry: Registry, settings: Settings
) -> list[Job]:
    """What the loop does each tick, in this order: rules first, so that the alerts they
    open are reminded, published and sent in the same tick."""

    def remind_alerts() -> int:
        with store.session() as session:
            return alerts.remind_due(session, utcnow())

    def remind_tasks() -> int:
        with store.session() as session:
            return incidents.remind_overdue(session, utcnow())

    return [
        ("alert rules", lambda: evaluate_rules(store, evaluator, registry)),
        ("alert reminders", remind_alerts),
        ("overdue tasks", remind_tasks),
        ("late process steps", lambda: processes.remind_late_steps(store)),
        ("silent directive units", lambda: directives.chase(store)),
        (
            "CAP publication",
            lambda: cap.publish_due(store, sender=settings.smtp_from, base_url=settings.public_url),
        ),
        ("e-mail and SMS", lambda: outbox.send_due(store, settings)),
        # Last, so that the audit entries of this tick's work are sealed in this tick.
        ("audit sealing", lambda: ledger_audit.seal_audit(store)),
        ("signed tree head", lambda: heads.sign_head(store, settings)),
    ]


class OperationsLoop:
    def __init__(self, store: OpStore, jobs: Sequence[Job], every_s: float, owner: str) -> None:
        self.store = store
        self.jobs = list(jobs)
        self.every_s = every_s
        self.owner = owner
        self.runs = 0  # ticks in which this process held the lease and ran the jobs
        self.holding = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="ioc-operations", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(30)
        if self.holding:
            try:
                lease.release(self.store, LEASE, self.owner)
            except Exception:  # the lease runs out by itself
                log.exception("operations: could not give the lease up")
            self.holding = False

    def _loop(self) -> None:
        while not self._stop.wait(self.every_s):
            self.tick()

    def tick(self) -> bool:
        """One round: claim the lease and, if it is ours, run every job; True if they ran."""
        try:
            held = lease.claim(self.store, LEASE, self.owner, 3 * self.every_s)
        except Exception:  # the store is down: try again next tick
            log.exception("operations: cannot claim the lease %r; trying again", LEASE)
            return False
        if held != self.holding:
            log.info(
                "operations: %s %s the lease %r",
                self.owner,
                "holds" if held else "no longer holds",
                LEASE,
            )
            self.holding = held
        if not held:
            return False
        for name, job in self.jobs:
            try:
                outcome = job()
            except Exception:  # one job's failure does not stop the others
                log.exception("operations: job %r failed; the others go on", name)
            else:
                log.debug("operations: job %r: %r", name, outcome)
        self.runs += 1
        return True
