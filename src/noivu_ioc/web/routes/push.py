"""The push endpoint: a sector system posts a batch of records with its API key."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel

from noivu_ioc.ingest import push
from noivu_ioc.web.deps import Ingest, client_of

router = APIRouter(tags=["push"])


class PushReceipt(BaseModel):
    batch_id: int
    # Known limit: a CSV batch is counted when it is loaded, not here (-1).
    records: int
    status: str
    source: str
    binding: str


async def _body(request: Request, limit: int) -> bytes:
    """The body, read no further than one byte past the limit."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise push.PayloadTooLargeError(
            f"the batch has {int(declared):,} bytes, more than the limit of {limit:,}; send "
            "it in smaller batches"
        )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise push.PayloadTooLargeError(
                f"the batch is larger than the limit of {limit:,} bytes; send it in smaller batches"
            )
        chunks.append(chunk)
    return b"".join(chunks)


@router.post("/api/push/{source}/{binding}", response_model=PushReceipt, status_code=202)
async def push_batch(
    request: Request,
    source: str,
    binding: str,
    ctx: Ingest,
    x_api_key: Annotated[str | None, Header(description="The source's API key.")] = None,
) -> PushReceipt:
    """Receive a batch: a JSON list of records (or ``{"records": [...]}``), JSON lines
    (``application/x-ndjson``) or CSV with a header. The batch is kept as received and
    loaded by the next sync, within seconds; rows with bad values go to quarantine."""
    body = await _body(request, ctx.settings.push_max_bytes)
    with ctx.store.session() as session:
        received = push.receive(
            session,
            source_name=source,
            binding_name=binding,
            api_key=x_api_key,
            content_type=request.headers.get("content-type"),
            body=body,
            max_bytes=ctx.settings.push_max_bytes,
            client=client_of(request),
        )
    scheduler = getattr(request.app.state, "scheduler", None)
    if scheduler is not None:
        scheduler.wake()
    return PushReceipt(
        batch_id=received.batch_id,
        records=received.records,
        status="received",
        source=received.source,
        binding=received.binding,
    )
