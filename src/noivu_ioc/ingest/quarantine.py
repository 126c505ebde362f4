"""The steward's quarantine: the rows syncs rejected, in the steward's scope, to read,
correct, replay or dismiss. Rows may hold personal data, so every read is audited."""

from __future__ import annotations

from sqlalchemy.orm import Session

from noivu_ioc.access.users import Principal, audit
from noivu_ioc.errors import InvalidInputError, NotAllowedError
from noivu_ioc.ingest.sources import check_steward, get_source, visible_sources
from noivu_ioc.ingest.sync import IngestContext, run_sync
from noivu_ioc.store.models import Source, SyncRun
from noivu_ioc.warehouse import quarantine as wq

MAX_REPLAY = 50_000


def _steward_sources(session: Session, principal: Principal) -> dict[int, Source]:
    check_steward(principal)
    return {s.id: s for s in visible_sources(session, principal)}


def list_entries(
    ctx: IngestContext,
    session: Session,
    principal: Principal,
    *,
    source: str | None = None,
    status: str | None = "pending",
    entity: str | None = None,
    run_id: int | None = None,
    search: str | None = None,
    limit: int = 50,
    offset: int = 0,
    client: str | None = None,
) -> tuple[list[wq.Entry], int, dict[int, Source]]:
    """A page of entries of the sources in scope, the total, and those sources by id."""
    if status is not None and status not in wq.STATUSES:
        raise InvalidInputError(
            f"status {status!r} is not one of {', '.join(wq.STATUSES)}; leave it empty for all"
        )
    sources = _steward_sources(session, principal)
    ids = list(sources)
    if source:
        chosen = get_source(session, principal, source, client)
        ids = [chosen.id]
    entries, total = wq.list_entries(
        ctx.warehouse,
        source_ids=ids,
        status=status,
        entity=entity,
        run_id=run_id,
        search=search,
        limit=min(max(limit, 1), 500),
        offset=max(offset, 0),
    )
    audit(
        session,
        "quarantine.read",
        "ok",
        user=principal,
        client=client,
        target=source or "all sources in scope",
        detail={"entries": [e.id for e in entries][:100], "status": status},
    )
    return entries, total, sources


def get_entry(
    ctx: IngestContext,
    session: Session,
    principal: Principal,
    entry_id: int,
    client: str | None = None,
) -> tuple[wq.Entry, Source]:
    entry = wq.get(ctx.warehouse, entry_id)
    sources = _steward_sources(session, principal)
    source = sources.get(entry.source_id)
    if source is None:
        audit(
            session,
            "quarantine.read",
            "denied",
            user=principal,
            target=f"entry {entry_id}",
            client=client,
        )
        session.commit()
        raise NotAllowedError(f"quarantine entry {entry_id} belongs to a source outside your scope")
    audit(
        session, "quarantine.read", "ok", user=principal, target=f"entry {entry_id}", client=client
    )
    return entry, source


def edit_entry(
    ctx: IngestContext,
    session: Session,
    principal: Principal,
    entry_id: int,
    values: dict[str, str | None],
    client: str | None = None,
) -> wq.Entry:
    get_entry(ctx, session, principal, entry_id, client)
    entry = wq.edit(ctx.warehouse, entry_id, values, principal.username)
    audit(
        session,
        "quarantine.edit",
        "ok",
        user=principal,
        target=f"entry {entry_id}",
        client=client,
        detail={"values": sorted(values)},
    )
    return entry


def dismiss_entries(
    ctx: IngestContext,
    session: Session,
    principal: Principal,
    entry_ids: list[int],
    reason: str,
    client: str | None = None,
) -> int:
    if not reason.strip():
        raise InvalidInputError("say why the entries are dismissed (e.g. 'dòng tổng cộng')")
    sources = _steward_sources(session, principal)
    chosen = wq.entries(ctx.warehouse, entry_ids)
    outside = [e.id for e in chosen if e.source_id not in sources]
    if outside:
        raise NotAllowedError(f"entries {outside} belong to sources outside your scope")
    count = wq.dismiss(ctx.warehouse, entry_ids, principal.username, reason.strip())
    audit(
        session,
        "quarantine.dismiss",
        "ok",
        user=principal,
        client=client,
        target=f"{count} entries",
        detail={"ids": entry_ids[:500], "reason": reason[:200]},
    )
    return count


def replay(
    ctx: IngestContext,
    session: Session,
    principal: Principal,
    source_name: str,
    entry_ids: list[int] | None = None,
    client: str | None = None,
) -> SyncRun:
    """Check the source's pending entries again (the chosen ones, or all) and load those
    that now pass, as one run of the source."""
    source = get_source(session, principal, source_name, client)
    ids = wq.pending_ids(ctx.warehouse, source.id, entry_ids)
    if not ids:
        raise InvalidInputError(
            f"source {source_name} has no pending quarantine entries"
            + (" among those chosen" if entry_ids else "")
        )
    if len(ids) > MAX_REPLAY:
        ids = ids[:MAX_REPLAY]
    audit(
        session,
        "quarantine.replay",
        "ok",
        user=principal,
        target=source_name,
        client=client,
        detail={"entries": len(ids)},
    )
    session.commit()
    if source.kind == "mqtt":
        from noivu_ioc.ingest.streams import replay_messages

        return replay_messages(ctx, source.id, ids, principal.username)
    return run_sync(ctx, source.id, trigger="replay", user=principal.username, replay_ids=ids)
