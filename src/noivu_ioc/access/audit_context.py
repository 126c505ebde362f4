"""What the request being served has audited so far, so that the audit trail's middleware
adds a generic entry only for the changes and refusals that no service audited itself."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class RequestAudit:
    entries: int = 0  # audit rows added while serving the request
    refusal: bool = False  # a refusal was audited (the permission check does it)


# Set by the middleware for each request. The object is shared with the worker threads that
# serve the request (they run in a copy of the context that holds the same object).
current: ContextVar[RequestAudit | None] = ContextVar("noivu_ioc_request_audit", default=None)


def noted(refusal: bool = False) -> None:
    """Count one audit row for the request being served, if there is one."""
    found = current.get()
    if found is not None:
        found.entries += 1
        found.refusal = found.refusal or refusal
