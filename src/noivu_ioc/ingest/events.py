"""Events of the ingest stage: a source failing, going stale or recovering, a device
reporting its status. The alerts capability turns events into alerts; here they are only
recorded, once per change of state (a source failing ten times in a row is one event)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from noivu_ioc.store.models import Event, Source, SyncRun, utcnow

log = logging.getLogger(__name__)

SEVERITIES = ("critical", "major", "minor", "warning", "info")
_TROUBLE = ("failing", "failed", "stale")


def _admin_code(source: Source) -> str | None:
    return source.owner_unit.admin_code if source.owner_unit else None


def record(
    session: Session,
    *,
    kind: str,
    severity: str,
    subject: str,
    message: str,
    source: Source | None = None,
    admin_code: str | None = None,
    payload: dict[str, Any] | None = None,
    observed_at: datetime | None = None,
) -> Event:
    if severity not in SEVERITIES:
        raise ValueError(f"severity {severity!r} is not one of {', '.join(SEVERITIES)}")
    event = Event(
        at=utcnow(),
        kind=kind,
        severity=severity,
        source_id=source.id if source else None,
        subject=subject,
        admin_code=admin_code
        if admin_code is not None
        else (_admin_code(source) if source else None),
        message=message,
        payload=payload,
        observed_at=observed_at,
    )
    session.add(event)
    log.info("event %s (%s) for %s: %s", kind, severity, subject, message)
    return event


def source_failed(session: Session, source: Source, run: SyncRun, before: str) -> None:
    """A run failed: an event when the source was healthy, or when a transient trouble
    turned into one that needs a person."""
    if before == source.health or (before == "failed" and source.health == "failing"):
        return
    terminal = source.health == "failed"
    record(
        session,
        kind="source.failed",
        severity="major" if terminal else "minor",
        subject=source.name,
        source=source,
        message=f"sync of {source.label} failed: {run.error}",
        payload={
            "run_id": run.id,
            "terminal": terminal,
            "label": source.label,
            "error": run.error,
        },
    )


def source_recovered(session: Session, source: Source, run: SyncRun, before: str) -> None:
    if before not in _TROUBLE:
        return
    record(
        session,
        kind="source.recovered",
        severity="info",
        subject=source.name,
        source=source,
        message=f"{source.label} syncs again (run {run.id})",
        payload={"run_id": run.id, "label": source.label, "was": before},
    )


def source_stale(session: Session, source: Source, minutes_late: int) -> None:
    record(
        session,
        kind="source.stale",
        severity="warning",
        subject=source.name,
        source=source,
        message=(
            f"{source.label} has not synced successfully for {minutes_late} minutes beyond "
            f"its agreed interval of {source.freshness_minutes} minutes"
        ),
        payload={
            "label": source.label,
            "minutes_late": minutes_late,
            "freshness_minutes": source.freshness_minutes,
            "last_success_at": (
                source.last_success_at.isoformat() if source.last_success_at else None
            ),
        },
    )
