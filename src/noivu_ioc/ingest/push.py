"""The push endpoint's side of the ingest stage: a sector system posts a batch with its API
key; the batch is checked enough to refuse what is not a batch (wrong key, too large, not
JSON or CSV), kept as received, and a sync of the source is requested. Rows with bad values
are not refused here: they reach quarantine like rows of any other source."""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from noivu_ioc.access.users import audit
from noivu_ioc.errors import InvalidInputError, IOCError, NotAuthenticatedError, NotFoundError
from noivu_ioc.ingest.connectors import PUSH_TYPES, api_key_digest, parse_push_payload
from noivu_ioc.ingest.readers.base import SourceError
from noivu_ioc.store.models import PushBatch, Source, utcnow

log = logging.getLogger(__name__)


class PayloadTooLargeError(IOCError):
    code = "too_large"


class UnsupportedTypeError(IOCError):
    code = "unsupported_type"


@dataclass(frozen=True, slots=True)
class Received:
    batch_id: int
    records: int
    source: str
    binding: str


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def receive(
    session: Session,
    *,
    source_name: str,
    binding_name: str,
    api_key: str | None,
    content_type: str | None,
    body: bytes,
    max_bytes: int,
    client: str | None,
) -> Received:
    """Keep one pushed batch; every refusal is audited and says what to change."""
    source = session.scalar(select(Source).where(Source.name == source_name))
    expected = (source.config or {}).get("api_key_sha256") if source is not None else None
    given = api_key_digest(api_key) if api_key else ""
    # The same answer for an unknown source and a wrong key: names are not probed.
    if (
        source is None
        or source.kind != "push"
        or not expected
        or not hmac.compare_digest(given, str(expected))
    ):
        audit(
            session,
            "push",
            "denied",
            username=None,
            target=f"{source_name}/{binding_name}",
            detail={"reason": "no such push source or wrong key"},
            client=client,
        )
        session.commit()
        raise NotAuthenticatedError(
            "the API key is missing or not valid for this endpoint; send the key of the "
            "source in the X-API-Key header"
        )
    if not source.enabled:
        raise InvalidInputError(f"source {source_name} is disabled; ask the IOC's data steward")
    names = [b.name for b in source.bindings]
    if binding_name not in names:
        raise NotFoundError(
            f"source {source_name} has no endpoint {binding_name!r}; its endpoints are "
            + ", ".join(f"/api/push/{source_name}/{n}" for n in names)
        )
    if len(body) > max_bytes:
        raise PayloadTooLargeError(
            f"the batch has {len(body):,} bytes, more than the limit of {max_bytes:,}; send it "
            "in smaller batches"
        )
    kind = media_type(content_type)
    if kind not in PUSH_TYPES:
        raise UnsupportedTypeError(
            f"Content-Type {content_type or '(none)'!r} is not accepted; send "
            + ", ".join(PUSH_TYPES)
        )
    if not body.strip():
        raise InvalidInputError("the batch is empty; send at least one record")
    try:
        records = len(parse_push_payload(kind, body, "the batch")) if kind != "text/csv" else -1
    except SourceError as exc:
        raise InvalidInputError(
            exc.message + "; nothing was stored, send the batch again"
        ) from None
    batch = PushBatch(
        source_id=source.id,
        binding=binding_name,
        content_type=kind,
        size=len(body),
        sha256=hashlib.sha256(body).hexdigest(),
        payload=body,
        received_at=utcnow(),
        client=client,
    )
    session.add(batch)
    source.requested_at = utcnow()
    source.requested_by = f"push:{source.name}"
    session.flush()
    audit(
        session,
        "push",
        "ok",
        target=f"{source_name}/{binding_name}",
        client=client,
        detail={"batch_id": batch.id, "bytes": len(body), "records": records},
    )
    log.info("push batch %s for %s/%s: %s bytes", batch.id, source_name, binding_name, len(body))
    return Received(batch.id, records, source_name, binding_name)
