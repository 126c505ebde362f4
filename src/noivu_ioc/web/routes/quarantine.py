"""Quarantine: the rows syncs rejected, to read, correct, replay or dismiss."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from noivu_ioc.catalog import catalog
from noivu_ioc.ingest import quarantine as service
from noivu_ioc.ingest import sources as svc
from noivu_ioc.store.models import as_utc
from noivu_ioc.warehouse import quarantine as wq
from noivu_ioc.web.deps import MAX_ROW_ID, Ingest, Lang, RowId, Steward, client_of
from noivu_ioc.web.pages import render
from noivu_ioc.web.routes.sources import RunPublic, local, maybe_utc, run_public

router = APIRouter(tags=["quarantine"])


class EntryPublic(BaseModel):
    id: int
    source: str
    binding_id: int | None
    run_id: int
    entity: str
    position: str
    key: str | None
    values: dict[str, str | None]
    values_are: str  # "source" columns, or catalog fields ("mapped")
    reasons: list[str]
    status: str
    attempts: int
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None
    edited_by: str | None


class EntryPage(BaseModel):
    total: int
    entries: list[EntryPublic]


class EntryEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    values: dict[str, str | None] = Field(description="Corrected values, by the entry's names.")


# An entry id in a body: a whole number (not true/false), within the store's range.
EntryId = Annotated[StrictInt, Field(ge=1, le=MAX_ROW_ID)]


class Replay(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str
    ids: list[EntryId] | None = Field(
        default=None, description="Omit to replay every pending one."
    )


class Dismiss(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[EntryId] = Field(min_length=1)
    reason: str = Field(min_length=1, max_length=500)


class Translate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str
    binding: str
    field: str
    value: str = Field(min_length=1)
    code: str = Field(min_length=1)


def entry_public(entry: wq.Entry, source_name: str) -> EntryPublic:
    return EntryPublic(
        id=entry.id,
        source=source_name,
        binding_id=entry.binding_id,
        run_id=entry.run_id,
        entity=entry.entity,
        position=entry.position,
        key=entry.key_text,
        values=entry.raw,
        values_are=entry.raw_kind,
        reasons=entry.reasons,
        status=entry.status,
        attempts=entry.attempts,
        created_at=as_utc(entry.created_at),
        updated_at=as_utc(entry.updated_at),
        resolved_at=maybe_utc(entry.resolved_at),
        resolved_by=entry.resolved_by,
        edited_by=entry.edited_by,
    )


Status = Annotated[
    str | None, Query(description="pending (default), replayed, dismissed, superseded, or 'all'")
]


@router.get("/api/quarantine", response_model=EntryPage)
def api_list(
    request: Request,
    ctx: Ingest,
    principal: Steward,
    source: str | None = None,
    status: Status = "pending",
    entity: str | None = None,
    run_id: int | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> EntryPage:
    """Rejected rows of the sources in scope, newest first; every read is audited."""
    with ctx.store.session() as session:
        entries, total, sources = service.list_entries(
            ctx,
            session,
            principal,
            source=source,
            status=None if status == "all" else status,
            entity=entity,
            run_id=run_id,
            search=q,
            limit=limit,
            offset=offset,
            client=client_of(request),
        )
        return EntryPage(
            total=total,
            entries=[entry_public(e, sources[e.source_id].name) for e in entries],
        )


@router.get("/api/quarantine/{entry_id:int}", response_model=EntryPublic)
def api_entry(request: Request, entry_id: RowId, ctx: Ingest, principal: Steward) -> EntryPublic:
    with ctx.store.session() as session:
        entry, source = service.get_entry(ctx, session, principal, entry_id, client_of(request))
        return entry_public(entry, source.name)


@router.patch("/api/quarantine/{entry_id:int}", response_model=EntryPublic)
def api_edit(
    request: Request, entry_id: RowId, ctx: Ingest, principal: Steward, data: EntryEdit
) -> EntryPublic:
    """Correct an entry's values; replay it to load it."""
    with ctx.store.session() as session:
        entry = service.edit_entry(
            ctx, session, principal, entry_id, data.values, client_of(request)
        )
        _, source = service.get_entry(ctx, session, principal, entry_id, client_of(request))
        return entry_public(entry, source.name)


@router.post("/api/quarantine/replay", response_model=RunPublic)
def api_replay(request: Request, ctx: Ingest, principal: Steward, data: Replay) -> RunPublic:
    """Check pending entries of a source again and load those that pass (one run)."""
    with ctx.store.session() as session:
        run = service.replay(ctx, session, principal, data.source, data.ids, client_of(request))
    return run_public(run)


@router.post("/api/quarantine/dismiss")
def api_dismiss(request: Request, ctx: Ingest, principal: Steward, data: Dismiss) -> dict[str, int]:
    """Set entries aside for good, with the reason (they stay, marked dismissed)."""
    with ctx.store.session() as session:
        count = service.dismiss_entries(
            ctx, session, principal, data.ids, data.reason, client_of(request)
        )
    return {"dismissed": count}


@router.post("/api/quarantine/translate")
def api_translate(
    request: Request, ctx: Ingest, principal: Steward, data: Translate
) -> dict[str, Any]:
    """Translate one of a source's values to a catalog code in its mapping (e.g. the local
    name of a religion); replay the entries to load them."""
    with ctx.store.session() as session:
        binding = svc.add_code_translation(
            ctx,
            session,
            principal,
            data.source,
            data.binding,
            data.field,
            data.value,
            data.code,
            client_of(request),
        )
        return {"binding": binding.name, "mapping": binding.mapping}


# -- the page --------------------------------------------------------------------------------


@router.get("/quarantine", response_class=HTMLResponse, include_in_schema=False)
def quarantine_page(
    request: Request,
    lang: Lang,
    ctx: Ingest,
    principal: Steward,
    source: str | None = None,
    status: str = "pending",
    entity: str | None = None,
    q: str | None = None,
    page: int = 1,
    entry: int | None = None,
) -> Response:
    size = 25
    with ctx.store.session() as session:
        entries, total, sources = service.list_entries(
            ctx,
            session,
            principal,
            source=source or None,
            status=None if status == "all" else status,
            entity=entity or None,
            search=q or None,
            limit=size,
            offset=(max(page, 1) - 1) * size,
            client=client_of(request),
        )
        chosen = None
        chosen_source = None
        if entry is not None:
            chosen, chosen_source = service.get_entry(
                ctx, session, principal, entry, client_of(request)
            )
        code_fields = []
        if chosen is not None and chosen_source is not None:
            binding = next((b for b in chosen_source.bindings if b.id == chosen.binding_id), None)
            if binding is not None:
                ent = catalog().entity(binding.entity)
                code_fields = [f for f in ent.fields if f.codelist]
        return render(
            request,
            "quarantine.html",
            {
                "lang": lang,
                "principal": principal,
                "entries": entries,
                "total": total,
                "sources": sources,
                "filters": {
                    "source": source or "",
                    "status": status,
                    "entity": entity or "",
                    "q": q or "",
                },
                "page": max(page, 1),
                "pages": max(1, -(-total // size)),
                "chosen": chosen,
                "chosen_source": chosen_source,
                "code_fields": code_fields,
                "catalog": catalog(),
                "local": local,
                "statuses": wq.STATUSES,
                "flash": request.query_params.get("msg"),
                "json": json,
            },
        )


@router.post("/quarantine/{entry_id}/edit", include_in_schema=False)
async def edit_form(request: Request, entry_id: RowId, ctx: Ingest, principal: Steward) -> Response:
    form = await request.form()
    values = {
        k[2:]: (str(v) if str(v) != "" else None) for k, v in form.items() if k.startswith("v:")
    }
    with ctx.store.session() as session:
        service.edit_entry(ctx, session, principal, entry_id, values, client_of(request))
    return RedirectResponse(f"/quarantine?entry={entry_id}&msg=edited", status_code=303)


@router.post("/quarantine/replay", include_in_schema=False)
async def replay_form(request: Request, ctx: Ingest, principal: Steward) -> Response:
    form = await request.form()
    source = str(form.get("source") or "")
    ids = [int(str(v)) for v in form.getlist("id") if str(v).isdigit()] or None
    with ctx.store.session() as session:
        run = service.replay(ctx, session, principal, source, ids, client_of(request))
    message = f"replayed:{run.rows_read}:{run.rows_loaded}:{run.rows_quarantined}"
    return RedirectResponse(f"/quarantine?source={source}&msg={message}", status_code=303)


@router.post("/quarantine/dismiss", include_in_schema=False)
async def dismiss_form(
    request: Request,
    ctx: Ingest,
    principal: Steward,
    reason: Annotated[str, Form()],
) -> Response:
    form = await request.form()
    ids = [int(str(v)) for v in form.getlist("id") if str(v).isdigit()]
    with ctx.store.session() as session:
        count = service.dismiss_entries(ctx, session, principal, ids, reason, client_of(request))
    return RedirectResponse(f"/quarantine?msg=dismissed:{count}", status_code=303)


@router.post("/quarantine/translate", include_in_schema=False)
async def translate_form(request: Request, ctx: Ingest, principal: Steward) -> Response:
    form = await request.form()
    data = Translate(
        source=str(form.get("source", "")),
        binding=str(form.get("binding", "")),
        field=str(form.get("field", "")),
        value=str(form.get("value", "")),
        code=str(form.get("code", "")),
    )
    entry_id = str(form.get("entry", ""))
    with ctx.store.session() as session:
        svc.add_code_translation(
            ctx,
            session,
            principal,
            data.source,
            data.binding,
            data.field,
            data.value,
            data.code,
            client_of(request),
        )
    return RedirectResponse(f"/quarantine?entry={entry_id}&msg=translated", status_code=303)
